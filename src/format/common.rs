//! Building blocks shared by every ESE header: LOGTIME, SIGNATURE, LGPOS, BKINFO
//! (ESE-FORMAT.md §1). Pure parsing, no I/O.

use super::bytes::{FormatError, Reader};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// LOGTIME (8 bytes): a broken-down timestamp. All-zero means "not set".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogTime {
    /// The 8 raw bytes: `bSeconds, bMinutes, bHours, bDay, bMonth (1-12), bYear (-1900),
    /// fTimeIsUTC:1|msLow:7, fReserved:1|msHigh:3`. Equality is byte equality, as eseutil's memcmp.
    pub raw: [u8; 8],
}

impl LogTime {
    /// Reads a LOGTIME at `offset`.
    pub(crate) fn read(r: &Reader<'_>, offset: usize, field: &'static str) -> Result<Self, FormatError> {
        Ok(LogTime {
            raw: r.array(offset, field)?,
        })
    }

    /// True when all eight bytes are zero ("not set").
    pub(crate) fn is_zero(&self) -> bool {
        self.raw == [0; 8]
    }

    /// Milliseconds: `(b6 >> 1) | (((b7 >> 1) & 7) << 7)`.
    pub(crate) fn millis(&self) -> u16 {
        u16::from(self.raw[6] >> 1) | (u16::from((self.raw[7] >> 1) & 7) << 7)
    }

    /// bit 0 of byte 6.
    pub(crate) fn is_utc(&self) -> bool {
        self.raw[6] & 1 == 1
    }
}

impl fmt::Display for LogTime {
    /// `MM/DD/YYYY hh:mm:ss.mmm UTC|LOC`, or `00/00/1900 00:00:00.000` style zero for unset.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.raw;
        write!(
            f,
            "{:02}/{:02}/{:04} {:02}:{:02}:{:02}.{:03} {}",
            b[4],
            b[3],
            1900 + u32::from(b[5]),
            b[2],
            b[1],
            b[0],
            self.millis(),
            if self.is_utc() { "UTC" } else { "LOC" }
        )
    }
}

impl Serialize for LogTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_zero() {
            s.serialize_none()
        } else {
            s.collect_str(self)
        }
    }
}

/// What [`LogTime`]'s `Display` writes: each field of the raw bytes as a decimal number
/// (month, day, hour, minute and second are not range-checked, so up to 3 digits).
const LOGTIME_PATTERN: &str =
    r"^[0-9]{2,3}/[0-9]{2,3}/[0-9]{4} [0-9]{2,3}:[0-9]{2,3}:[0-9]{2,3}\.[0-9]{3,4} (UTC|LOC)$";

impl JsonSchema for LogTime {
    fn schema_name() -> Cow<'static, str> {
        "LogTime".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "LOGTIME as `MM/DD/YYYY hh:mm:ss.mmm UTC|LOC`; `null` when all eight bytes are zero (not set).",
            "type": ["string", "null"],
            "pattern": LOGTIME_PATTERN
        })
    }
}

/// SIGNATURE (28 bytes): identity of a database (`signDb`) or of a log stream (`signLog`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    /// The 28 raw bytes; two signatures are equal only if all 28 bytes are.
    pub raw: [u8; 28],
}

impl Signature {
    /// Reads a SIGNATURE at `offset`.
    pub(crate) fn read(r: &Reader<'_>, offset: usize, field: &'static str) -> Result<Self, FormatError> {
        Ok(Signature {
            raw: r.array(offset, field)?,
        })
    }

    /// @0 `le_ulRandom`.
    pub fn random(&self) -> u32 {
        u32::from_le_bytes([self.raw[0], self.raw[1], self.raw[2], self.raw[3]])
    }

    /// @4 `logtimeCreate`.
    pub(crate) fn created(&self) -> LogTime {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&self.raw[4..12]);
        LogTime { raw }
    }

    /// @12 `szComputerName`, NUL-terminated ANSI.
    pub(crate) fn computer_name(&self) -> String {
        let name = &self.raw[12..28];
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        String::from_utf8_lossy(&name[..end]).into_owned()
    }

    /// True when all 28 bytes are zero (an unlogged or repaired database).
    pub(crate) fn is_zero(&self) -> bool {
        self.raw.iter().all(|&b| b == 0)
    }
}

impl fmt::Display for Signature {
    /// eseutil style: `Create time:MM/DD/YYYY hh:mm:ss.mmm Rand:N Computer:NAME`, shortened to
    /// `rand-hex created` here.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x} {}", self.random(), self.created())?;
        let name = self.computer_name();
        if !name.is_empty() {
            write!(f, " {name}")?;
        }
        Ok(())
    }
}

impl Serialize for Signature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Signature {
    fn schema_name() -> Cow<'static, str> {
        "Signature".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "SIGNATURE as `RANDOM CREATED [COMPUTER]`: `le_ulRandom` in 8 hex digits, `logtimeCreate` as a LogTime (`00/00/1900 00:00:00.000 LOC` when zero), then the computer name when there is one.",
            "type": "string",
            "pattern": format!("^[0-9a-f]{{8}} {}", &LOGTIME_PATTERN[1..LOGTIME_PATTERN.len() - 1])
        })
    }
}

/// LGPOS (8 bytes): a position in the log stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Lgpos {
    /// @4 `lGeneration` (compared first).
    #[serde(rename = "lGeneration")]
    pub generation: i32,
    /// @2 `isec`: sector index inside the log file.
    pub isec: u16,
    /// @0 `ib`: byte offset inside the sector.
    pub ib: u16,
}

impl Lgpos {
    /// Reads an LGPOS at `offset`.
    pub(crate) fn read(r: &Reader<'_>, offset: usize, field: &'static str) -> Result<Self, FormatError> {
        Ok(Lgpos {
            ib: r.u16(offset, field)?,
            isec: r.u16(offset + 2, field)?,
            generation: r.i32(offset + 4, field)?,
        })
    }
}

impl fmt::Display for Lgpos {
    /// ESE's own notation: `(0xGEN,ISEC,IB)`, all hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({:X},{:X},{:X})", self.generation, self.isec, self.ib)
    }
}

/// The schema of an LGPOS written as its `Display` (`(GEN,ISEC,IB)`, hex; a negative generation
/// as its 32-bit two's complement): for `#[schemars(schema_with)]` beside a `serialize_with`
/// that writes it so.
pub(crate) fn lgpos_text_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "LGPOS as `(GEN,ISEC,IB)`, each in hex.",
        "type": "string",
        "pattern": LGPOS_PATTERN
    })
}

/// [`lgpos_text_schema`], or `null`.
pub(crate) fn opt_lgpos_text_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "LGPOS as `(GEN,ISEC,IB)`, each in hex; `null` when unknown.",
        "type": ["string", "null"],
        "pattern": LGPOS_PATTERN
    })
}

const LGPOS_PATTERN: &str = r"^\([0-9A-F]{1,8},[0-9A-F]{1,4},[0-9A-F]{1,4}\)$";

/// BKINFO (24 bytes): a record of one backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BkInfo {
    /// @0 `le_lgposMark`.
    pub lgpos_mark: Lgpos,
    /// @8 `logtimeMark`.
    pub logtime_mark: LogTime,
    /// @16 `le_genLow`.
    pub gen_low: u32,
    /// @20 `le_genHigh`.
    pub gen_high: u32,
}

impl BkInfo {
    /// Reads a BKINFO at `offset`.
    pub(crate) fn read(r: &Reader<'_>, offset: usize, field: &'static str) -> Result<Self, FormatError> {
        Ok(BkInfo {
            lgpos_mark: Lgpos::read(r, offset, field)?,
            logtime_mark: LogTime::read(r, offset + 8, field)?,
            gen_low: r.u32(offset + 16, field)?,
            gen_high: r.u32(offset + 20, field)?,
        })
    }
}

/// `le_filetype` at offset 667 of database, log, checkpoint and flush-map headers (§1.5).
pub(crate) const FILETYPE_OFFSET: usize = 667;

/// Values of `le_filetype` (§1.5).
pub(crate) mod filetype {
    /// Written before the field existed.
    pub(crate) const UNKNOWN: u32 = 0;
    /// Database.
    pub(crate) const DATABASE: u32 = 1;
    /// Transaction log.
    pub(crate) const LOG: u32 = 3;
    /// Checkpoint.
    pub(crate) const CHECKPOINT: u32 = 4;
    /// Temporary database.
    pub(crate) const TEMP_DATABASE: u32 = 5;
    /// Flush map.
    pub(crate) const FLUSH_MAP: u32 = 7;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logtime_prints_month_one_based_as_real_files_store_it() {
        // §1.1: a log created 12/19/2016 00:13:17 stores month 12.
        let t = LogTime {
            raw: [17, 13, 0, 19, 12, 116, 0, 0],
        };
        assert_eq!(t.to_string(), "12/19/2016 00:13:17.000 LOC");
    }

    #[test]
    fn logtime_milliseconds_split_over_two_bytes() {
        // 999 ms = 0b1111100111: low 7 bits 0x67, high 3 bits 0b111.
        let t = LogTime {
            raw: [0, 0, 0, 1, 1, 100, (0x67 << 1) | 1, 7 << 1],
        };
        assert_eq!(t.millis(), 999);
        assert!(t.is_utc());
    }

    #[test]
    fn lgpos_orders_by_generation_then_sector_then_byte() {
        let a = Lgpos {
            generation: 1,
            isec: 9,
            ib: 9,
        };
        let b = Lgpos {
            generation: 2,
            isec: 0,
            ib: 0,
        };
        let c = Lgpos {
            generation: 2,
            isec: 0,
            ib: 1,
        };
        assert!(a < b && b < c);
        assert_eq!(
            Lgpos {
                generation: 0x52,
                isec: 8,
                ib: 0
            }
            .to_string(),
            "(52,8,0)"
        );
    }
}
