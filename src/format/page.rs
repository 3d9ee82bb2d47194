//! PGHDR and PGHDR2, the header of every database page (ESE-FORMAT.md §3.1–§3.3; the engine's
//! `CPAGE::PGHDR` / `CPAGE::PGHDR2` in cpage.hxx), and the page sizes ESE writes. Pure parsing
//! over `&[u8]`: what the checksums are and whether they verify is `checksum::page`'s business.

use super::bytes::{FormatError, Reader};

/// Page sizes ESE has used, smallest first.
pub(crate) const PAGE_SIZES: [usize; 5] = [2048, 4096, 8192, 16384, 32768];
/// Pages of this size and larger are "large pages": PGHDR2 (80 bytes), four checksummed blocks,
/// 15-bit tags (§3.2).
pub(crate) const LARGE_PAGE_MIN: usize = 16384;
/// `sizeof(PGHDR)`: the header of a small page.
pub(crate) const PGHDR_LEN: usize = 40;
/// `sizeof(PGHDR2)`: the header of a large page.
pub(crate) const PGHDR2_LEN: usize = 80;
/// Offset of `fFlags` in PGHDR.
pub(crate) const FFLAGS_OFFSET: usize = 36;
/// Offset of `pgno` in PGHDR2.
pub(crate) const PGHDR2_PGNO_OFFSET: usize = 64;
/// Bit offset of `fPageNewChecksumFormat` (bit 13 of `fFlags` @36) inside the page (§3.3).
pub(crate) const NEW_CHECKSUM_FORMAT_BIT: u32 = (FFLAGS_OFFSET as u32) * 8 + 13;
/// `PGHDR::ITAG_MIC_FREE_MASK`: `itagState` keeps `itagMicFree` in its low 12 bits and
/// `ctagReserved` in bits 12–14.
pub(crate) const ITAG_MIC_FREE_MASK: u16 = 0x0fff;

/// `fFlags` (u32 @36) bits (§3.3; cpage.hxx `fPage…`).
pub(crate) mod flags {
    /// `fPageRoot`: root page of its tree.
    pub(crate) const ROOT: u32 = 0x1;
    /// `fPageLeaf`: leaf page.
    pub(crate) const LEAF: u32 = 0x2;
    /// `fPageParentOfLeaf`: internal (parent) page.
    pub(crate) const PARENT: u32 = 0x4;
    /// `fPageEmpty`: the page was freed (its contents are stale).
    pub(crate) const EMPTY: u32 = 0x8;
    /// `fPageSpaceTree`: page of a space tree (owned or available extents).
    pub(crate) const SPACE_TREE: u32 = 0x20;
    /// `fPageIndex`: page of a secondary index.
    pub(crate) const INDEX: u32 = 0x40;
    /// `fPageLongValue`: page of a long-value tree.
    pub(crate) const LONG_VALUE: u32 = 0x80;
    /// `fPageNewChecksumFormat`: the page carries XOR-ECC checksums (§4.2).
    pub(crate) const NEW_CHECKSUM_FORMAT: u32 = 0x2000;
}

/// True for a page size that uses PGHDR2 and four checksummed blocks.
pub(crate) fn is_large_page(page_size: usize) -> bool {
    page_size >= LARGE_PAGE_MIN
}

/// The header length of a page of `page_size` bytes: 40 (PGHDR) or 80 (PGHDR2).
pub(crate) fn header_len(page_size: usize) -> usize {
    if is_large_page(page_size) {
        PGHDR2_LEN
    } else {
        PGHDR_LEN
    }
}

/// True when the page's `fFlags` has `fPageNewChecksumFormat`; false when the page is too short
/// to hold `fFlags`.
pub fn has_new_checksum_format(page: &[u8]) -> bool {
    Reader::new(page, "PGHDR")
        .u32(FFLAGS_OFFSET, "fFlags")
        .is_ok_and(|f| f & flags::NEW_CHECKSUM_FORMAT != 0)
}

/// The fields PGHDR2 adds after PGHDR (large pages only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LargePageFields {
    /// @40, @48, @56 `rgChecksum[3]`: the XOR-ECC checksums of blocks 1–3.
    pub rg_checksum: [u64; 3],
    /// @64 `pgno`: the page's own number.
    pub pgno: u32,
}

/// A page header: PGHDR, and on large pages the rest of PGHDR2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageHeader {
    /// @0 `checksum` (u64): new format: low u32 XOR^pgno, high u32 ECC; old format: u32 XOR
    /// checksum @0 and u32 pgno @4 (§4). On large pages it covers block 0.
    pub checksum: u64,
    /// @8 `dbtimeDirtied`: DBTIME of the page's last modification.
    pub dbtime_dirtied: u64,
    /// @16 `pgnoPrev`.
    pub pgno_prev: u32,
    /// @20 `pgnoNext`.
    pub pgno_next: u32,
    /// @24 `objidFDP`: the B-tree this page belongs to.
    pub objid_fdp: u32,
    /// @28 `cbFree`.
    pub cb_free: u16,
    /// @30 `cbUncommittedFree`.
    pub cb_uncommitted_free: u16,
    /// @32 `ibMicFree`.
    pub ib_mic_free: u16,
    /// @34 `itagState`: `itagMicFree` (low 12 bits) and `ctagReserved` (bits 12–14).
    pub itag_state: u16,
    /// @36 `fFlags` ([`flags`]).
    pub flags: u32,
    /// PGHDR2's own fields, when the page is a large page.
    pub large: Option<LargePageFields>,
}

impl PageHeader {
    /// Reads the header of `page`, a whole page: its length says whether it is PGHDR or PGHDR2.
    pub(crate) fn parse(page: &[u8]) -> Result<Self, FormatError> {
        let large = is_large_page(page.len());
        let r = Reader::new(page, if large { "PGHDR2" } else { "PGHDR" });
        Ok(PageHeader {
            checksum: r.u64(0, "checksum")?,
            dbtime_dirtied: r.u64(8, "dbtimeDirtied")?,
            pgno_prev: r.u32(16, "pgnoPrev")?,
            pgno_next: r.u32(20, "pgnoNext")?,
            objid_fdp: r.u32(24, "objidFDP")?,
            cb_free: r.u16(28, "cbFree")?,
            cb_uncommitted_free: r.u16(30, "cbUncommittedFree")?,
            ib_mic_free: r.u16(32, "ibMicFree")?,
            itag_state: r.u16(34, "itagState")?,
            flags: r.u32(FFLAGS_OFFSET, "fFlags")?,
            large: if large {
                Some(LargePageFields {
                    rg_checksum: [
                        r.u64(40, "rgChecksum[0]")?,
                        r.u64(48, "rgChecksum[1]")?,
                        r.u64(56, "rgChecksum[2]")?,
                    ],
                    pgno: r.u32(PGHDR2_PGNO_OFFSET, "pgno")?,
                })
            } else {
                None
            },
        })
    }

    /// `itagMicFree`: the number of tags on the page, tag 0 included.
    pub(crate) fn itag_mic_free(&self) -> u16 {
        self.itag_state & ITAG_MIC_FREE_MASK
    }

    /// True when `fPageNewChecksumFormat` is set.
    pub(crate) fn new_checksum_format(&self) -> bool {
        self.flags & flags::NEW_CHECKSUM_FORMAT != 0
    }

    /// The shape of the eseutil "trailer" page at the end of a backed-up file (§3.6): dwords 1,
    /// 2, 3 and 6 zero (`checksum`'s high half, `dbtimeDirtied`, `objidFDP`).
    pub(crate) fn is_trailer_shape(&self) -> bool {
        self.checksum >> 32 == 0 && self.dbtime_dirtied == 0 && self.objid_fdp == 0
    }

    /// Old format: the page number stored in the high half of `checksum` (u32 @4).
    pub(crate) fn old_format_pgno(&self) -> u32 {
        (self.checksum >> 32) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_format_bit_is_bit_301_of_the_page() {
        // ESE-FORMAT.md §3.3: bit 13 of the dword at offset 36 = bit offset 301 = byte 37, 0x20.
        assert_eq!(NEW_CHECKSUM_FORMAT_BIT, 301);
        let mut page = vec![0u8; 4096];
        page[37] = 0x20;
        assert!(has_new_checksum_format(&page));
        assert!(PageHeader::parse(&page).unwrap().new_checksum_format());
        assert!(!has_new_checksum_format(&page[..37]));
    }

    #[test]
    fn reads_every_field_at_its_offset() {
        let mut page = vec![0u8; 8192];
        page[0..8].copy_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
        page[8..16].copy_from_slice(&7u64.to_le_bytes());
        page[16..20].copy_from_slice(&3u32.to_le_bytes());
        page[20..24].copy_from_slice(&5u32.to_le_bytes());
        page[24..28].copy_from_slice(&1u32.to_le_bytes());
        page[28..30].copy_from_slice(&100u16.to_le_bytes());
        page[30..32].copy_from_slice(&4u16.to_le_bytes());
        page[32..34].copy_from_slice(&60u16.to_le_bytes());
        // ctagReserved 2 in bits 12-14, itagMicFree 9.
        page[34..36].copy_from_slice(&0x2009u16.to_le_bytes());
        page[36..40].copy_from_slice(&0x2023u32.to_le_bytes());
        let h = PageHeader::parse(&page).unwrap();
        assert_eq!(h.checksum, 0x1122_3344_5566_7788);
        assert_eq!(h.old_format_pgno(), 0x1122_3344);
        assert_eq!((h.dbtime_dirtied, h.pgno_prev, h.pgno_next, h.objid_fdp), (7, 3, 5, 1));
        assert_eq!((h.cb_free, h.cb_uncommitted_free, h.ib_mic_free), (100, 4, 60));
        assert_eq!(h.itag_mic_free(), 9);
        assert_eq!(h.flags, 0x2023);
        assert!(h.large.is_none());
    }

    #[test]
    fn a_trailer_has_dwords_1_2_3_and_6_zero() {
        // §3.6: only the legacy XOR (dword 0) and the fields past objidFDP may be set.
        let mut page = vec![0u8; 4096];
        page[0..4].copy_from_slice(&0xABCD_0123u32.to_le_bytes());
        page[28..40].fill(0x11);
        assert!(PageHeader::parse(&page).unwrap().is_trailer_shape());
        for dword in [1usize, 2, 3, 6] {
            let mut p = page.clone();
            p[4 * dword] = 1;
            assert!(!PageHeader::parse(&p).unwrap().is_trailer_shape(), "dword {dword}");
        }
    }

    #[test]
    fn large_pages_carry_pghdr2() {
        let mut page = vec![0u8; 16384];
        page[40..48].copy_from_slice(&1u64.to_le_bytes());
        page[48..56].copy_from_slice(&2u64.to_le_bytes());
        page[56..64].copy_from_slice(&3u64.to_le_bytes());
        page[64..68].copy_from_slice(&42u32.to_le_bytes());
        let h = PageHeader::parse(&page).unwrap();
        assert_eq!(
            h.large,
            Some(LargePageFields {
                rg_checksum: [1, 2, 3],
                pgno: 42
            })
        );
        assert_eq!(header_len(16384), 80);
        assert_eq!(header_len(8192), 40);
    }

    #[test]
    fn a_short_page_is_an_error_naming_the_field() {
        let e = PageHeader::parse(&[0u8; 32]).unwrap_err();
        assert_eq!((e.structure, e.field, e.offset), ("PGHDR", "ibMicFree", 32));
    }
}
