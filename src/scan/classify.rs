//! What kind of ESE file is this? Decided by the bytes first, the name second (CLI.md Decision 1).
//! Pure function of the bytes and the file name; no I/O.

use crate::checksum::legacy_checksum_ok;
use crate::format::common::{filetype, FILETYPE_OFFSET};
use serde::Serialize;

pub use crate::format::db_header::{DB_MAGIC, PAGE_SIZES};

/// The kind of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A database (`.edb`, `.dat`, `.dit`, `.mdb`…): magic at offset 4 of a header copy.
    Database,
    /// A transaction log.
    Log,
    /// A checkpoint.
    Checkpoint,
    /// A flush map (`.jfm`).
    #[serde(rename = "flushmap")]
    FlushMap,
    /// Not recognisable as an ESE file.
    Unknown,
}

/// How a kind was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The kind.
    pub kind: FileKind,
    /// True when the header bytes said so; false when only the name did (the header is damaged
    /// or absent).
    pub by_header: bool,
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// True when the database magic is at offset 4 of the primary header or of a shadow header at
/// any candidate page size.
pub fn has_database_magic(bytes: &[u8]) -> bool {
    u32_at(bytes, 4) == Some(DB_MAGIC) || PAGE_SIZES.iter().any(|&cb| u32_at(bytes, cb + 4) == Some(DB_MAGIC))
}

/// Classifies `bytes` (the whole file) named `file_name` (the last path component).
pub fn classify(bytes: &[u8], file_name: &str) -> Classification {
    if has_database_magic(bytes) {
        return Classification {
            kind: FileKind::Database,
            by_header: true,
        };
    }
    let header_ok = bytes.get(..4096).is_some_and(legacy_checksum_ok);
    let shadow_ok = bytes.get(4096..8192).is_some_and(legacy_checksum_ok);
    let by_type = |ft: u32| match ft {
        filetype::LOG => Some(FileKind::Log),
        filetype::CHECKPOINT => Some(FileKind::Checkpoint),
        filetype::FLUSH_MAP => Some(FileKind::FlushMap),
        _ => None,
    };
    // le_filetype of the primary copy, or of the checkpoint's shadow copy at 4096.
    for (base, ok) in [(0usize, header_ok), (4096, shadow_ok)] {
        let ft = u32_at(bytes, base + FILETYPE_OFFSET);
        if let Some(kind) = ft.and_then(by_type) {
            // A type value alone could be chance in random bytes: accept it when the copy's
            // checksum verifies, or the name agrees.
            if ok || name_kind(file_name) == Some(kind) {
                return Classification { kind, by_header: true };
            }
        }
        if ok && ft == Some(filetype::UNKNOWN) {
            if let Some(kind) = guess_legacy(bytes, file_name) {
                return Classification { kind, by_header: true };
            }
        }
    }
    match name_kind(file_name) {
        Some(kind) => Classification { kind, by_header: false },
        None => Classification {
            kind: FileKind::Unknown,
            by_header: false,
        },
    }
}

/// A header with `le_filetype` 0 (written before the field existed) and a valid checksum: a log
/// if its version fields say so, else whatever the name says.
fn guess_legacy(bytes: &[u8], file_name: &str) -> Option<FileKind> {
    let major = u32_at(bytes, 32)?;
    let minor = u32_at(bytes, 36)?;
    if matches!((major, minor), (7, 3704) | (8, 4000)) {
        return Some(FileKind::Log);
    }
    name_kind(file_name)
}

/// The kind a file name suggests (case-insensitive): `.log`/`.jtx` logs, `.chk`/`.jcp`
/// checkpoints, `.jfm` flush maps, `.edb`/`.dat`/`.dit`/`.mdb` databases. Reserve logs (`.jrs`)
/// suggest nothing: they are never verified.
pub fn name_kind(file_name: &str) -> Option<FileKind> {
    let lower = file_name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "log" | "jtx" => Some(FileKind::Log),
        "chk" | "jcp" => Some(FileKind::Checkpoint),
        "jfm" => Some(FileKind::FlushMap),
        "edb" | "dat" | "dit" | "mdb" => Some(FileKind::Database),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_with_type(ft: u32) -> Vec<u8> {
        let mut b = vec![0u8; 8192];
        b[FILETYPE_OFFSET..FILETYPE_OFFSET + 4].copy_from_slice(&ft.to_le_bytes());
        let c = crate::checksum::legacy_checksum(&b[..4096]);
        b[..4].copy_from_slice(&c.to_le_bytes());
        b
    }

    #[test]
    fn database_by_magic_whatever_the_name() {
        let mut b = vec![0u8; 8192];
        b[4..8].copy_from_slice(&[0xef, 0xcd, 0xab, 0x89]);
        assert_eq!(classify(&b, "E00.log").kind, FileKind::Database);
    }

    #[test]
    fn database_by_shadow_magic_when_primary_is_destroyed() {
        let mut b = vec![0xffu8; 16384];
        b[8192 + 4..8192 + 8].copy_from_slice(&[0xef, 0xcd, 0xab, 0x89]);
        assert_eq!(classify(&b, "x").kind, FileKind::Database);
    }

    #[test]
    fn logs_checkpoints_flush_maps_by_file_type_and_checksum() {
        assert_eq!(classify(&header_with_type(3), "whatever").kind, FileKind::Log);
        assert_eq!(classify(&header_with_type(4), "whatever").kind, FileKind::Checkpoint);
        assert_eq!(classify(&header_with_type(7), "whatever").kind, FileKind::FlushMap);
    }

    #[test]
    fn damaged_header_falls_back_to_the_name() {
        let mut b = header_with_type(3);
        b[100] ^= 1;
        assert_eq!(classify(&b, "whatever").kind, FileKind::Unknown);
        let c = classify(&b, "E0000000001.LOG");
        assert_eq!((c.kind, c.by_header), (FileKind::Log, true));
        let c = classify(&[0u8; 10], "E00.chk");
        assert_eq!((c.kind, c.by_header), (FileKind::Checkpoint, false));
    }

    #[test]
    fn reserve_logs_and_random_names_are_unknown() {
        assert_eq!(classify(&[0u8; 65536], "SRUres00001.jrs").kind, FileKind::Unknown);
        assert_eq!(classify(&[0u8; 65536], "notes.txt").kind, FileKind::Unknown);
    }
}
