//! The ATTACHINFO list (ESE-FORMAT.md §6.3) stored in `rgbAttach` of a log header and of a
//! checkpoint: the databases attached to the log stream.
//!
//! Pure parsing, no I/O. The walk is bounded by the area it is given and by [`MAX_ATTACH`]: a
//! hostile `cbNames` can end the list early but never loops or reads out of bounds.

use super::bytes::{FormatError, Reader};
use super::common::{lgpos_text_schema, Lgpos, Signature};
use schemars::JsonSchema;
use serde::Serialize;

/// Size of the fixed part of one ATTACHINFO record.
pub(crate) const ATTACH_FIXED: usize = 64;
/// The most records read from one list (each record takes at least 65 bytes of 2048).
pub(crate) const MAX_ATTACH: usize = 64;

/// One attached database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AttachInfo {
    /// @0 `dbid`.
    pub dbid: u8,
    /// @1 flags: 0x20 names are UTF-16LE, 0x40 sparse file.
    pub flags: u8,
    /// @2 `cbNames`: bytes of name data after the 64-byte fixed part.
    #[serde(rename = "cbNames")]
    pub cb_names: u16,
    /// @4 `dbtime`.
    pub dbtime: u64,
    /// @12 `objidLast`.
    #[serde(rename = "objidLast")]
    pub objid_last: u32,
    /// @16 `cpgDatabaseSizeMax`.
    #[serde(rename = "cpgDatabaseSizeMax")]
    pub cpg_database_size_max: u32,
    /// @20 `lgposAttach`.
    #[serde(serialize_with = "ser_display")]
    #[schemars(schema_with = "lgpos_text_schema")]
    #[serde(rename = "lgposAttach")]
    pub lgpos_attach: Lgpos,
    /// @28 `lgposConsistent`.
    #[serde(serialize_with = "ser_display")]
    #[schemars(schema_with = "lgpos_text_schema")]
    #[serde(rename = "lgposConsistent")]
    pub lgpos_consistent: Lgpos,
    /// @36 `signDb`.
    #[serde(rename = "signDb")]
    pub sign_db: Signature,
    /// @64 database path (NUL-terminated; UTF-16LE when flags & 0x20).
    #[serde(rename = "szNames")]
    pub path: String,
}

/// Serialises a value through its `Display` form (LGPOS as `(gen,isec,ib)` hex, as ESE prints it).
pub(crate) fn ser_display<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// Reads the ATTACHINFO list in `area` (the `rgbAttach` bytes). The list ends at a record whose
/// `dbid` is 0, at the end of the area, or after `MAX_ATTACH` records; a record whose names run
/// past the area is an error.
pub fn parse_attach_list(area: &[u8]) -> Result<Vec<AttachInfo>, FormatError> {
    let r = Reader::new(area, "ATTACHINFO");
    let mut out = Vec::new();
    let mut off = 0usize;
    while out.len() < MAX_ATTACH {
        let dbid = match area.get(off) {
            Some(&0) | None => break,
            Some(&d) => d,
        };
        let cb_names = r.u16(off + 2, "cbNames")?;
        let names = r.bytes(off + ATTACH_FIXED, usize::from(cb_names), "szNames")?;
        let flags = r.u8(off + 1, "flags")?;
        out.push(AttachInfo {
            dbid,
            flags,
            cb_names,
            dbtime: r.u64(off + 4, "dbtime")?,
            objid_last: r.u32(off + 12, "objidLast")?,
            cpg_database_size_max: r.u32(off + 16, "cpgDatabaseSizeMax")?,
            lgpos_attach: Lgpos::read(&r, off + 20, "lgposAttach")?,
            lgpos_consistent: Lgpos::read(&r, off + 28, "lgposConsistent")?,
            sign_db: Signature::read(&r, off + 36, "signDb")?,
            path: decode_name(names, flags & 0x20 != 0),
        });
        off += ATTACH_FIXED + usize::from(cb_names);
    }
    Ok(out)
}

fn decode_name(names: &[u8], utf16: bool) -> String {
    if utf16 {
        let units: Vec<u16> = names
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        let end = names.iter().position(|&b| b == 0).unwrap_or(names.len());
        String::from_utf8_lossy(&names[..end]).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(dbid: u8, name: &str) -> Vec<u8> {
        let mut units: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        units.extend_from_slice(&[0, 0]);
        let mut r = vec![0u8; ATTACH_FIXED];
        r[0] = dbid;
        r[1] = 0x20;
        r[2..4].copy_from_slice(&(units.len() as u16).to_le_bytes());
        r.extend_from_slice(&units);
        r
    }

    #[test]
    fn reads_utf16_names_and_stops_at_dbid_zero() {
        let mut area = record(1, r"C:\Windows\system32\SRU\SRUDB.dat");
        area.extend(record(2, "b.edb"));
        area.resize(2048, 0);
        let list = parse_attach_list(&area).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].path, r"C:\Windows\system32\SRU\SRUDB.dat");
        assert_eq!(list[1].dbid, 2);
    }

    #[test]
    fn hostile_lists_end_or_fail_without_panicking() {
        // Names running past the area.
        let mut area = vec![0u8; 2048];
        area[0] = 1;
        area[2..4].copy_from_slice(&0xFFFFu16.to_le_bytes());
        assert!(parse_attach_list(&area).is_err());
        // Every byte non-zero with cbNames 0x0101: a bounded number of records, then an error.
        let area = vec![1u8; 2048];
        assert!(parse_attach_list(&area).is_err());
        // Fixed part cut short.
        assert!(parse_attach_list(&[1u8; 10]).is_err());
        assert!(parse_attach_list(&[]).unwrap().is_empty());
        // cbNames 0 everywhere: capped at MAX_ATTACH.
        let mut area = vec![0u8; 64 * 100];
        for k in 0..100 {
            area[k * 64] = 1;
        }
        assert_eq!(parse_attach_list(&area).unwrap().len(), MAX_ATTACH);
    }
}
