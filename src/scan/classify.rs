//! What kind of ESE file is this? Decided by the bytes first, the name second (CLI.md Decision 1).
//! Pure functions of the bytes and the file name; no I/O.

use crate::checksum::legacy_checksum_ok;
use crate::codes::JetErr;
use crate::format::common::{filetype, FILETYPE_OFFSET};
use crate::format::db_header::DB_MAGIC;
use crate::format::log_header::LogVersion;
use crate::format::log_name::{parse_log_name, LogNameKind};
use crate::format::page::PAGE_SIZES;
use crate::problem::Problem;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;

/// The kind of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
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
    /// A reserve log (`*.jrs`) or the next-generation log (`<base>tmp.log|jtx`): pre-allocated
    /// files the engine has not made part of the stream. Never verified (CLI.md Decision 9).
    Reserve,
    /// Not recognisable as an ESE file.
    Unknown,
}

/// The schemas of a `type` that is always one kind (`#[schemars(schema_with)]`): what tells the
/// objects of an untagged list (`checksum`'s `files`, `header`'s bodies) apart.
pub(crate) mod always {
    use super::*;

    fn kind(k: FileKind) -> Schema {
        json_schema!({ "const": serde_json::to_value(k).unwrap_or_default() })
    }
    /// Always `database`.
    pub(crate) fn database(_: &mut SchemaGenerator) -> Schema {
        kind(FileKind::Database)
    }
    /// Always `log`.
    pub(crate) fn log(_: &mut SchemaGenerator) -> Schema {
        kind(FileKind::Log)
    }
    /// Always `checkpoint`.
    pub(crate) fn checkpoint(_: &mut SchemaGenerator) -> Schema {
        kind(FileKind::Checkpoint)
    }
    /// Always `flushmap`.
    pub(crate) fn flushmap(_: &mut SchemaGenerator) -> Schema {
        kind(FileKind::FlushMap)
    }
    /// Always `reserve`.
    pub(crate) fn reserve(_: &mut SchemaGenerator) -> Schema {
        kind(FileKind::Reserve)
    }
    /// Always `null`.
    pub(crate) fn null(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "null" })
    }
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

/// The little-endian u32 at `off`, through the bounded reader (`None` past the end).
fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    crate::format::Reader::new(b, "file head").u32(off, "u32").ok()
}

/// True when the database magic is at offset 4 of the primary header or of a shadow header at
/// any candidate page size.
pub(crate) fn has_database_magic(bytes: &[u8]) -> bool {
    u32_at(bytes, 4) == Some(DB_MAGIC) || PAGE_SIZES.iter().any(|&cb| u32_at(bytes, cb + 4) == Some(DB_MAGIC))
}

/// Classifies `bytes` (the whole file, or at least its first 64 KiB) named `file_name` (the last
/// path component): the bytes first, then the name (CLI.md Decision 1).
///
/// 1. The database magic at offset 4 of a header copy: a database.
/// 2. A reserve or next-generation log name: never verified, whatever the bytes.
/// 3. `le_filetype` 3 / 4 / 7 in the primary copy (or the checkpoint's shadow copy at 4096): a
///    log / checkpoint / flush map, even when that copy's checksum fails (it is then a damaged
///    one). Type 0 with a verifying checksum: a log when its version fields say so.
/// 4. Otherwise the name, but only a name of a set member (`member_name_kind`): the file is
///    that member, damaged (`by_header` false). Any other name: unknown, not an ESE file.
pub fn classify(bytes: &[u8], file_name: &str) -> Classification {
    if has_database_magic(bytes) {
        return Classification {
            kind: FileKind::Database,
            by_header: true,
        };
    }
    if is_reserve_name(file_name) {
        return Classification {
            kind: FileKind::Reserve,
            by_header: false,
        };
    }
    let by_type = |ft: u32| match ft {
        filetype::LOG => Some(FileKind::Log),
        filetype::CHECKPOINT => Some(FileKind::Checkpoint),
        filetype::FLUSH_MAP => Some(FileKind::FlushMap),
        _ => None,
    };
    for base in [0usize, 4096] {
        let ok = bytes.get(base..base + 4096).is_some_and(legacy_checksum_ok);
        let ft = u32_at(bytes, base + FILETYPE_OFFSET);
        // The shadow copy at 4096 exists only in checkpoints (a log's second 4 KiB is its first
        // segment): there the type counts only with a verifying checksum.
        if let Some(kind) = ft
            .and_then(by_type)
            .filter(|&k| base == 0 || (ok && k == FileKind::Checkpoint))
        {
            return Classification { kind, by_header: true };
        }
        if ok && ft == Some(filetype::UNKNOWN) {
            if let Some(kind) = guess_legacy(bytes, file_name) {
                return Classification { kind, by_header: true };
            }
        }
    }
    match member_name_kind(file_name) {
        Some(kind) => Classification { kind, by_header: false },
        None => Classification {
            kind: FileKind::Unknown,
            by_header: false,
        },
    }
}

/// True for the names of files the engine pre-allocates and that are not (yet) part of the
/// stream: reserve logs (`*.jrs`) and the next-generation log (`<base>tmp.log|jtx`).
pub(crate) fn is_reserve_name(file_name: &str) -> bool {
    file_name.to_ascii_lowercase().ends_with(".jrs")
        || parse_log_name(file_name).is_some_and(|n| n.kind == LogNameKind::Temp)
}

/// The kind of set member a file name promises (case-insensitive): a numbered or current log
/// (`E0000000001.log`, `E00.log`, `.jtx` too), a checkpoint (`.chk`, `.jcp`), a database
/// (`.edb`, `.dit`), a flush map (`.jfm`). A file so named whose bytes are no ESE structure is a
/// damaged member. `.dat` and `.mdb` are not here: other programs use them (an Access `.mdb`).
pub(crate) fn member_name_kind(file_name: &str) -> Option<FileKind> {
    if let Some(n) = parse_log_name(file_name) {
        if matches!(n.kind, LogNameKind::Archived { .. } | LogNameKind::Current) {
            return Some(FileKind::Log);
        }
    }
    let lower = file_name.to_ascii_lowercase();
    match lower.rsplit_once('.').map(|(_, e)| e)? {
        "chk" | "jcp" => Some(FileKind::Checkpoint),
        "edb" | "dit" => Some(FileKind::Database),
        "jfm" => Some(FileKind::FlushMap),
        _ => None,
    }
}

/// True when every byte is zero (a file pre-allocated and never written, or wiped).
pub(crate) fn is_all_zeros(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == 0)
}

/// The words for a reserve or next-generation log (CLI.md Decision 9): all zeros is the
/// engine's pre-allocated, never-written file; anything else is still not verified (one real
/// reserve log holds random bytes).
pub(crate) fn reserve_note(bytes: &[u8]) -> &'static str {
    if is_all_zeros(bytes) {
        "pre-allocated, never written"
    } else {
        "reserve / next-generation file, not verified"
    }
}

/// The problem of a file named like a member of kind `kind` whose bytes hold no ESE structure
/// (CLI.md Decision 1): a damaged member, exit 1. `detail` says what the checker found.
pub(crate) fn damaged_member_problem(kind: FileKind, bytes: &[u8], path: &str, detail: &str) -> Problem {
    let (code, what) = match kind {
        FileKind::Log => (JetErr::LogFileCorrupt, "log"),
        FileKind::Checkpoint => (JetErr::CheckpointCorrupt, "checkpoint"),
        _ => (JetErr::DatabaseCorrupted, "database"),
    };
    let message = if bytes.is_empty() {
        format!("named like a {what} but empty (0 bytes)")
    } else if is_all_zeros(bytes) {
        format!("named like a {what} but all zeros: never written or wiped")
    } else {
        format!("named like a {what} but has no usable ESE {what} header: {detail}")
    };
    let p = Problem::error(Some(code), path, message);
    if is_all_zeros(bytes) {
        p.of_zeros()
    } else {
        p
    }
}

/// A header with `le_filetype` 0 (written before the field existed) and a valid checksum: a log
/// if its version fields say so, else whatever the name says.
fn guess_legacy(bytes: &[u8], file_name: &str) -> Option<FileKind> {
    if has_log_version(bytes) {
        return Some(FileKind::Log);
    }
    name_kind(file_name)
}

/// True when LGFILEHDR's version fields name a log format esecheck reads (CLI.md Decision 10):
/// the segment format 8.4000 or the legacy 7.3704 ([`LogVersion::is_known_format`]).
fn has_log_version(bytes: &[u8]) -> bool {
    LogVersion::parse(bytes).is_ok_and(|v| v.is_known_format())
}

/// True when `head` (the first 4096 bytes of a file) is a log header by CLI.md Decision 1:
/// `le_filetype` 3 at offset 667 even when the checksum fails, or 0 with a verifying checksum and a
/// log version. The database magic and the name are not looked at (see [`classify`]).
pub(crate) fn is_log_header(head: &[u8]) -> bool {
    let ft = u32_at(head, FILETYPE_OFFSET);
    ft == Some(filetype::LOG)
        || (ft == Some(filetype::UNKNOWN) && head.get(..4096).is_some_and(legacy_checksum_ok) && has_log_version(head))
}

/// The kind a file name suggests (case-insensitive): `.log`/`.jtx` logs, `.chk`/`.jcp`
/// checkpoints, `.jfm` flush maps, `.edb`/`.dat`/`.dit`/`.mdb` databases. Reserve logs (`.jrs`)
/// suggest nothing: they are never verified. Broader than [`member_name_kind`]: it decides
/// whether an entry that cannot even be read (a dangling link) may be part of a set.
pub(crate) fn name_kind(file_name: &str) -> Option<FileKind> {
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
    fn a_damaged_header_is_still_its_type_whatever_the_name() {
        for (ft, kind) in [(3, FileKind::Log), (4, FileKind::Checkpoint), (7, FileKind::FlushMap)] {
            let mut b = header_with_type(ft);
            b[100] ^= 1;
            for name in ["whatever", "x.log.damaged", "E0000000001.LOG"] {
                let c = classify(&b, name);
                assert_eq!((c.kind, c.by_header), (kind, true), "{ft} {name}");
            }
        }
    }

    #[test]
    fn no_structure_falls_back_to_a_member_name_only() {
        let c = classify(&[0u8; 10], "E00.chk");
        assert_eq!((c.kind, c.by_header), (FileKind::Checkpoint, false));
        let c = classify(&[0u8; 8192], "E0000000001.log");
        assert_eq!((c.kind, c.by_header), (FileKind::Log, false));
        assert_eq!(classify(&[0u8; 8192], "ntds.dit").kind, FileKind::Database);
        // Other programs' files: an Access database, another program's .dat, a text .log.
        for name in ["db1.mdb", "settings.dat", "x.log", "notes.txt", "x.log.damaged"] {
            assert_eq!(classify(&[0u8; 8192], name).kind, FileKind::Unknown, "{name}");
        }
    }

    #[test]
    fn reserve_and_next_generation_logs_are_never_verified() {
        for name in ["SRUres00001.jrs", "x.jrs", "edbtmp.log", "E00tmp.jtx"] {
            assert_eq!(classify(&[0u8; 65536], name).kind, FileKind::Reserve, "{name}");
            // Even with a log header.
            assert_eq!(classify(&header_with_type(3), name).kind, FileKind::Reserve, "{name}");
        }
    }

    #[test]
    fn a_log_segment_at_4096_is_not_a_checkpoint_shadow() {
        // Bytes 4096.. of a log are its first segment; a 4 there at 667 is chance, not a type.
        let mut b = vec![0u8; 8192];
        b[4096 + FILETYPE_OFFSET..4096 + FILETYPE_OFFSET + 4].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(classify(&b, "whatever").kind, FileKind::Unknown);
    }
}
