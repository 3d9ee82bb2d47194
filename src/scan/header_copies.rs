//! The two header copies of a database (ESE-FORMAT.md §2, CLI.md Decision 5): which copy verifies,
//! at which page size, and which one to trust. The engine detects the page size by trying each
//! size ESE writes until a copy's legacy checksum verifies and states that size; this does the
//! same over the file's bytes (mapped or read by the caller). No I/O here.

use crate::checksum::legacy::legacy_checksum;
use crate::checksum::page::is_all_zero;
use crate::format::db_header::{DbFileHeader, DB_HEADER_LEN, DB_MAGIC};
use crate::format::page::PAGE_SIZES;
use schemars::JsonSchema;
use serde::Serialize;

/// Why a header copy is not usable at a candidate page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CopyState {
    /// Checksum verifies and the stated page size equals the candidate.
    Valid,
    /// The copy lies (partly) beyond the end of the file.
    Missing,
    /// Every byte is zero.
    Zeroed,
    /// The legacy XOR checksum does not match.
    BadChecksum,
    /// The checksum matches but `le_cbPageSize` differs from the size it verified at.
    PageSizeMismatch,
}

/// One header copy as found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCopy {
    /// Validity at the detected page size.
    pub state: CopyState,
    /// Checksum stored at offset 0.
    pub stored_checksum: u32,
    /// Checksum computed over the copy.
    pub computed_checksum: u32,
    /// The parsed fields, when the copy is long enough to hold them.
    pub header: Option<DbFileHeader>,
}

/// The outcome of reading both header copies (§2 "page-size detection").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShadowedHeader {
    /// The detected page size, if either copy is valid at some candidate size.
    pub page_size: Option<usize>,
    /// The primary copy (offset 0).
    pub primary: HeaderCopy,
    /// The shadow copy (offset page size).
    pub shadow: HeaderCopy,
    /// True when both copies are valid and byte-identical.
    pub identical: bool,
    /// A copy whose checksum verifies but whose `le_cbPageSize` is not one ESE ever wrote: a
    /// hostile or foreign header (could not check, CLI.md Decision 2).
    pub unsupported_page_size: Option<u32>,
    /// The size both copies were read at: the detected page size, or, when neither copy is
    /// valid, the size a copy with the magic claims (else 4096).
    pub read_size: usize,
}

impl ShadowedHeader {
    /// The copy to use: primary when valid, else shadow when valid.
    pub fn chosen(&self) -> Option<&DbFileHeader> {
        if self.primary.state == CopyState::Valid {
            self.primary.header.as_ref()
        } else if self.shadow.state == CopyState::Valid {
            self.shadow.header.as_ref()
        } else {
            None
        }
    }
}

fn copy_at(file: &[u8], offset: usize, cb: usize) -> HeaderCopy {
    let Some(buf) = offset.checked_add(cb).and_then(|end| file.get(offset..end)) else {
        return HeaderCopy {
            state: CopyState::Missing,
            stored_checksum: 0,
            computed_checksum: 0,
            header: None,
        };
    };
    // `cb` is a page size (2 KiB or more), so the copy always holds all of DBFILEHDR.
    let header = DbFileHeader::parse(buf).ok();
    let stored = header.as_ref().map_or(0, |h| h.checksum);
    let computed = legacy_checksum(buf);
    let state = if is_all_zero(buf) {
        CopyState::Zeroed
    } else if stored != computed {
        CopyState::BadChecksum
    } else if header.as_ref().map(|h| h.page_size() as usize) != Some(cb) {
        CopyState::PageSizeMismatch
    } else {
        CopyState::Valid
    };
    HeaderCopy {
        state,
        stored_checksum: stored,
        computed_checksum: computed,
        header,
    }
}

fn is_known_page_size_field(v: u32) -> bool {
    v == 0 || PAGE_SIZES.contains(&(v as usize))
}

/// Reads both header copies of a database file, detecting the page size as the engine does: the
/// first candidate size (2 KiB … 32 KiB) at which either copy's checksum verifies and states that
/// size. When none does, both copies are reported as read at the size the primary (else the
/// shadow) claims, or at 4 KiB.
pub fn read_shadowed_header(file: &[u8]) -> ShadowedHeader {
    let mut unsupported = None;
    for cb in PAGE_SIZES {
        let primary = copy_at(file, 0, cb);
        let shadow = copy_at(file, cb, cb);
        for c in [&primary, &shadow] {
            if c.state == CopyState::PageSizeMismatch {
                if let Some(h) = &c.header {
                    if !is_known_page_size_field(h.cb_page_size) {
                        unsupported = Some(h.cb_page_size);
                    }
                }
            }
        }
        if primary.state == CopyState::Valid || shadow.state == CopyState::Valid {
            let identical = primary.state == CopyState::Valid
                && shadow.state == CopyState::Valid
                && file.get(..cb) == file.get(cb..2 * cb);
            return ShadowedHeader {
                page_size: Some(cb),
                primary,
                shadow,
                identical,
                unsupported_page_size: None,
                read_size: cb,
            };
        }
    }
    // Neither copy valid anywhere: report them at the size a copy claims, if plausible.
    let claimed = [0usize, 1]
        .iter()
        .filter_map(|&which| {
            PAGE_SIZES.iter().find_map(|&cb| {
                let off = which * cb;
                let h = file
                    .get(off..off + DB_HEADER_LEN)
                    .and_then(|b| DbFileHeader::parse(b).ok())?;
                (h.magic == DB_MAGIC && h.page_size() as usize == cb).then_some(cb)
            })
        })
        .next()
        .unwrap_or(4096);
    ShadowedHeader {
        page_size: None,
        primary: copy_at(file, 0, claimed),
        shadow: copy_at(file, claimed, claimed),
        identical: false,
        unsupported_page_size: unsupported,
        read_size: claimed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::db_header::DB_VERSION;

    fn header(cb: usize) -> Vec<u8> {
        let mut h = vec![0u8; cb];
        h[4..8].copy_from_slice(&DB_MAGIC.to_le_bytes());
        h[8..12].copy_from_slice(&DB_VERSION.to_le_bytes());
        h[52..56].copy_from_slice(&3u32.to_le_bytes());
        h[236..240].copy_from_slice(&(cb as u32).to_le_bytes());
        h[667..671].copy_from_slice(&1u32.to_le_bytes());
        let c = legacy_checksum(&h);
        h[0..4].copy_from_slice(&c.to_le_bytes());
        h
    }

    fn file(cb: usize) -> Vec<u8> {
        let mut f = header(cb);
        f.extend_from_slice(&header(cb));
        f.extend_from_slice(&vec![0u8; cb * 2]);
        f
    }

    #[test]
    fn detects_every_page_size() {
        for cb in PAGE_SIZES {
            let s = read_shadowed_header(&file(cb));
            assert_eq!(s.page_size, Some(cb));
            assert!(s.identical);
            assert_eq!(s.chosen().unwrap().state_name(), "CleanShutdown");
        }
    }

    #[test]
    fn zero_page_size_field_means_4096() {
        let mut f = file(4096);
        for base in [0, 4096] {
            f[base + 236..base + 240].copy_from_slice(&0u32.to_le_bytes());
            let c = legacy_checksum(&f[base..base + 4096]);
            f[base..base + 4].copy_from_slice(&c.to_le_bytes());
        }
        assert_eq!(read_shadowed_header(&f).page_size, Some(4096));
    }

    #[test]
    fn bad_primary_uses_shadow() {
        let mut f = file(8192);
        f[300] ^= 1;
        let s = read_shadowed_header(&f);
        assert_eq!(s.page_size, Some(8192));
        assert_eq!(s.primary.state, CopyState::BadChecksum);
        assert_eq!(s.shadow.state, CopyState::Valid);
        assert!(s.chosen().is_some());
    }

    #[test]
    fn both_copies_bad_is_reported_at_the_claimed_size() {
        let mut f = file(16384);
        f[300] ^= 1;
        f[16384 + 300] ^= 1;
        let s = read_shadowed_header(&f);
        assert_eq!(s.page_size, None);
        assert_eq!(s.primary.state, CopyState::BadChecksum);
        assert_eq!(s.shadow.state, CopyState::BadChecksum);
        assert_eq!(s.chosen(), None);
    }

    #[test]
    fn self_consistent_header_with_foreign_page_size_is_unsupported() {
        let mut f = file(4096);
        for base in [0, 4096] {
            f[base + 236..base + 240].copy_from_slice(&3000u32.to_le_bytes());
            let c = legacy_checksum(&f[base..base + 4096]);
            f[base..base + 4].copy_from_slice(&c.to_le_bytes());
        }
        let s = read_shadowed_header(&f);
        assert_eq!(s.page_size, None);
        assert_eq!(s.unsupported_page_size, Some(3000));
    }

    #[test]
    fn shadow_beyond_end_of_file_is_missing() {
        let f = header(4096);
        let s = read_shadowed_header(&f);
        assert_eq!(s.page_size, Some(4096));
        assert_eq!(s.shadow.state, CopyState::Missing);
    }
}
