//! LGFILEHDR, the 4096-byte header of a transaction log (ESE-FORMAT.md §6.2).
//!
//! One plain struct, every field named after the format with its offset. Pure parsing: no I/O, no
//! checksum verification and no judgement (the scan layer decides what is wrong).

use super::attach::{parse_attach_list, ser_display, AttachInfo};
use super::bytes::{FormatError, Reader};
use super::common::{lgpos_text_schema, Lgpos, LogTime, Signature, FILETYPE_OFFSET};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// Bytes of the log header (also the size of a v8 segment).
pub(crate) const LOG_HEADER_SIZE: usize = 4096;
/// Offset of `rgbAttach`.
pub(crate) const LOG_ATTACH_OFFSET: usize = 671;
/// Size of `rgbAttach`.
pub(crate) const ATTACH_AREA_SIZE: usize = 2048;

/// The engine parameters stored in a log header or checkpoint (`DBMS_PARAM`, 567 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DbmsParam {
    /// +0 `szSystemPath` (261 bytes, NUL-terminated).
    #[serde(rename = "szSystemPath")]
    pub system_path: String,
    /// +261 `szLogFilePath` (261 bytes).
    #[serde(rename = "szLogFilePath")]
    pub log_file_path: String,
    /// +522 `fDBMSPARAMFlags` (0x1 circular logging).
    #[serde(rename = "fDBMSPARAMFlags")]
    pub flags: u8,
    /// +523 `le_lSessionsMax`.
    #[serde(rename = "le_lSessionsMax")]
    pub sessions_max: u32,
    /// +527 `le_lOpenTablesMax`.
    #[serde(rename = "le_lOpenTablesMax")]
    pub open_tables_max: u32,
    /// +531 `le_lVerPagesMax`.
    #[serde(rename = "le_lVerPagesMax")]
    pub ver_pages_max: u32,
    /// +535 `le_lCursorsMax`.
    #[serde(rename = "le_lCursorsMax")]
    pub cursors_max: u32,
    /// +539 `le_lLogBuffers`.
    #[serde(rename = "le_lLogBuffers")]
    pub log_buffers: u32,
    /// +543 `le_lcsecLGFile` (log file size in sectors the engine was configured with).
    #[serde(rename = "le_lcsecLGFile")]
    pub lcsec_lgfile: u32,
    /// +547 `le_ulCacheSizeMax`.
    #[serde(rename = "le_ulCacheSizeMax")]
    pub cache_size_max: u32,
}

impl DbmsParam {
    /// Reads a DBMS_PARAM starting at `base` (72 in a log header, 48 in a checkpoint).
    pub(crate) fn read(r: &Reader<'_>, base: usize) -> Result<Self, FormatError> {
        Ok(DbmsParam {
            system_path: ansi(r.bytes(base, 261, "szSystemPath")?),
            log_file_path: ansi(r.bytes(base + 261, 261, "szLogFilePath")?),
            flags: r.u8(base + 522, "fDBMSPARAMFlags")?,
            sessions_max: r.u32(base + 523, "le_lSessionsMax")?,
            open_tables_max: r.u32(base + 527, "le_lOpenTablesMax")?,
            ver_pages_max: r.u32(base + 531, "le_lVerPagesMax")?,
            cursors_max: r.u32(base + 535, "le_lCursorsMax")?,
            log_buffers: r.u32(base + 539, "le_lLogBuffers")?,
            lcsec_lgfile: r.u32(base + 543, "le_lcsecLGFile")?,
            cache_size_max: r.u32(base + 547, "le_ulCacheSizeMax")?,
        })
    }
}

fn ansi(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// A log format version `major.minor.updateMajor.updateMinor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogVersion {
    /// `le_ulMajor` (7 or 8).
    pub major: u32,
    /// `le_ulMinor` (3704 or 4000).
    pub minor: u32,
    /// `le_ulUpdateMajor`.
    pub update_major: u32,
    /// `le_ulUpdateMinor`.
    pub update_minor: u32,
}

impl LogVersion {
    /// Reads the four version fields of LGFILEHDR (`le_ulMajor` @32, `le_ulMinor` @36,
    /// `le_ulUpdateMajor` @40, `le_ulUpdateMinor` @648) from `header`.
    pub(crate) fn parse(header: &[u8]) -> Result<Self, FormatError> {
        Self::read(&Reader::new(header, "LGFILEHDR"))
    }

    fn read(r: &Reader<'_>) -> Result<Self, FormatError> {
        Ok(LogVersion {
            major: r.u32(32, "le_ulMajor")?,
            minor: r.u32(36, "le_ulMinor")?,
            update_major: r.u32(40, "le_ulUpdateMajor")?,
            update_minor: r.u32(648, "le_ulUpdateMinor")?,
        })
    }

    /// A version this checker reads: the segment format or the legacy format.
    pub(crate) fn is_known_format(&self) -> bool {
        self.is_segment_format() || self.is_legacy_format()
    }

    /// 8.4000.x.y: the segment format (§6.4).
    pub(crate) fn is_segment_format(&self) -> bool {
        self.major == 8 && self.minor == 4000
    }

    /// 7.3704.x.y: the legacy LRCHECKSUM format (§6.6).
    pub(crate) fn is_legacy_format(&self) -> bool {
        self.major == 7 && self.minor == 3704
    }
}

impl fmt::Display for LogVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}.{}",
            self.major, self.minor, self.update_major, self.update_minor
        )
    }
}

impl Serialize for LogVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for LogVersion {
    fn schema_name() -> Cow<'static, str> {
        "LogVersion".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The log format as `major.minor.updateMajor.updateMinor`, in decimal.",
            "type": "string",
            "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$"
        })
    }
}

/// LGFILEHDR: every field of the log header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LogFileHeader {
    /// @0 `le_ulChecksum`: legacy XOR over the 4096 header bytes.
    #[serde(rename = "le_ulChecksum")]
    pub checksum: u32,
    /// @4 `le_lGeneration`.
    #[serde(rename = "le_lGeneration")]
    pub generation: i32,
    /// @8 `le_cbSec`: sector (segment) size, 512 or 4096; 4096 for v8.
    #[serde(rename = "le_cbSec")]
    pub cb_sec: u16,
    /// @10 `le_csecHeader`: header size in sectors.
    #[serde(rename = "le_csecHeader")]
    pub csec_header: u16,
    /// @12 `le_csecLGFile`: file size in sectors.
    #[serde(rename = "le_csecLGFile")]
    pub csec_lgfile: u16,
    /// @14 `le_cbPageSize`: database page size (0 means 4096).
    #[serde(rename = "le_cbPageSize")]
    pub cb_page_size: u16,
    /// @16 `tmCreate`: creation time of this generation.
    #[serde(rename = "tmCreate")]
    pub tm_create: LogTime,
    /// @24 `tmPrevGen`: creation time of the previous generation.
    #[serde(rename = "tmPrevGen")]
    pub tm_prev_gen: LogTime,
    /// @32..44 `le_ulMajor`, `le_ulMinor`, `le_ulUpdateMajor`, and @648 `le_ulUpdateMinor`.
    pub version: LogVersion,
    /// @44 `signLog`: the log-stream signature.
    #[serde(rename = "signLog")]
    pub sign_log: Signature,
    /// @72 `dbms_param` (567 bytes; `le_lcsecLGFile` at @615).
    pub dbms_param: DbmsParam,
    /// @639 `fLGFlags`: 0x1 using reserved log, 0x2 circular logging on, 0x4 was on.
    #[serde(rename = "fLGFlags")]
    pub lg_flags: u8,
    /// @640 `le_lgposCheckpoint`: the checkpoint when this generation was created.
    #[serde(serialize_with = "ser_display")]
    #[schemars(schema_with = "lgpos_text_schema")]
    #[serde(rename = "le_lgposCheckpoint")]
    pub lgpos_checkpoint: Lgpos,
    /// @652 `bDiskSecSizeMismatch`.
    #[serde(rename = "bDiskSecSizeMismatch")]
    pub disk_sec_size_mismatch: u8,
    /// @653 `checksumPrevLogAllSegments` (unaligned): accumulated segment checksum of the
    /// previous generation (§6.5).
    #[serde(rename = "checksumPrevLogAllSegments")]
    pub checksum_prev_log_all_segments: u64,
    /// @661 `le_efvEngineCurrentDiagnostic`: engine format version of the writer.
    #[serde(rename = "le_efvEngineCurrentDiagnostic")]
    pub efv_engine_current_diagnostic: u32,
    /// @667 `le_filetype`: 3 (0 in logs older than 7.3704.5).
    #[serde(rename = "le_filetype")]
    pub filetype: u32,
    /// @671 `rgbAttach`: attached databases (§6.3). Empty when the list is unreadable.
    #[serde(rename = "rgbAttach")]
    pub attach: Vec<AttachInfo>,
    /// True when the attach list ran past `rgbAttach` (the records before it are kept).
    pub attach_damaged: bool,
}

impl LogFileHeader {
    /// Parses the header from the first 4096 bytes of `buf`.
    pub fn parse(buf: &[u8]) -> Result<LogFileHeader, FormatError> {
        let r = Reader::new(buf, "LGFILEHDR");
        // Fail early, naming the header, when the buffer cannot hold it.
        r.bytes(0, LOG_HEADER_SIZE, "LGFILEHDR")?;
        let area = r.bytes(LOG_ATTACH_OFFSET, ATTACH_AREA_SIZE, "rgbAttach")?;
        let (attach, attach_damaged) = match parse_attach_list(area) {
            Ok(list) => (list, false),
            Err(_) => (Vec::new(), true),
        };
        Ok(LogFileHeader {
            checksum: r.u32(0, "le_ulChecksum")?,
            generation: r.i32(4, "le_lGeneration")?,
            cb_sec: r.u16(8, "le_cbSec")?,
            csec_header: r.u16(10, "le_csecHeader")?,
            csec_lgfile: r.u16(12, "le_csecLGFile")?,
            cb_page_size: r.u16(14, "le_cbPageSize")?,
            tm_create: LogTime::read(&r, 16, "tmCreate")?,
            tm_prev_gen: LogTime::read(&r, 24, "tmPrevGen")?,
            version: LogVersion::read(&r)?,
            sign_log: Signature::read(&r, 44, "signLog")?,
            dbms_param: DbmsParam::read(&r, 72)?,
            lg_flags: r.u8(639, "fLGFlags")?,
            lgpos_checkpoint: Lgpos::read(&r, 640, "le_lgposCheckpoint")?,
            disk_sec_size_mismatch: r.u8(652, "bDiskSecSizeMismatch")?,
            checksum_prev_log_all_segments: r.u64(653, "checksumPrevLogAllSegments")?,
            efv_engine_current_diagnostic: r.u32(661, "le_efvEngineCurrentDiagnostic")?,
            filetype: r.u32(FILETYPE_OFFSET, "le_filetype")?,
            attach,
            attach_damaged,
        })
    }

    /// The database page size, with 0 read as 4096.
    pub fn page_size(&self) -> u32 {
        if self.cb_page_size == 0 {
            4096
        } else {
            u32::from(self.cb_page_size)
        }
    }

    /// The file size the header announces: `csecLGFile × cbSec`.
    pub fn expected_file_size(&self) -> u64 {
        u64::from(self.csec_lgfile) * u64::from(self.cb_sec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_buffers_are_format_errors() {
        assert!(LogFileHeader::parse(&[0u8; 4095]).is_err());
        assert!(LogFileHeader::parse(&[]).is_err());
    }

    #[test]
    fn fields_come_from_their_offsets() {
        let mut b = vec![0u8; 4096];
        b[4..8].copy_from_slice(&0x52i32.to_le_bytes());
        b[8..10].copy_from_slice(&4096u16.to_le_bytes());
        b[10..12].copy_from_slice(&1u16.to_le_bytes());
        b[12..14].copy_from_slice(&16u16.to_le_bytes());
        b[32..36].copy_from_slice(&8u32.to_le_bytes());
        b[36..40].copy_from_slice(&4000u32.to_le_bytes());
        b[40..44].copy_from_slice(&60u32.to_le_bytes());
        b[648..652].copy_from_slice(&140u32.to_le_bytes());
        b[653..661].copy_from_slice(&0x7CFF_0300_EB06_2198u64.to_le_bytes());
        b[667..671].copy_from_slice(&3u32.to_le_bytes());
        b[615..619].copy_from_slice(&16u32.to_le_bytes());
        let h = LogFileHeader::parse(&b).unwrap();
        assert_eq!(h.generation, 0x52);
        assert_eq!(h.version.to_string(), "8.4000.60.140");
        assert!(h.version.is_segment_format());
        assert_eq!(h.checksum_prev_log_all_segments, 0x7CFF_0300_EB06_2198);
        assert_eq!(h.filetype, 3);
        assert_eq!(h.dbms_param.lcsec_lgfile, 16);
        assert_eq!(h.page_size(), 4096);
        assert_eq!(h.expected_file_size(), 65536);
        assert!(h.attach.is_empty() && !h.attach_damaged);
    }

    #[test]
    fn hostile_attach_list_marks_damage_without_failing() {
        let mut b = vec![0xFFu8; 4096];
        b[LOG_ATTACH_OFFSET] = 1;
        let h = LogFileHeader::parse(&b).unwrap();
        assert!(h.attach_damaged);
        assert_eq!(h.csec_lgfile, 0xFFFF);
    }
}

/// LGSEGHDR, the first 40 bytes of a v8 log data segment (ESE-FORMAT.md §6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSegmentHeader {
    /// @0 the segment's XOR-ECC checksum (block 0 of the segment, pgno = isec).
    pub checksum: u64,
    /// @8 `le_lgposSegment`: `(ib 0, isec, generation)` of the segment as it was written.
    pub lgpos_segment: Lgpos,
    /// @16 `logtimeSegmentStart` (often zero).
    pub logtime_segment_start: LogTime,
    /// @36 `fFlags` (0x2000: the new checksum format).
    pub flags: u32,
}

impl LogSegmentHeader {
    /// Size of the structure.
    pub const SIZE: usize = 40;

    /// Parses the header of the segment held in `buf`.
    pub fn parse(buf: &[u8]) -> Result<Self, FormatError> {
        let r = Reader::new(buf, "LGSEGHDR");
        Ok(LogSegmentHeader {
            checksum: r.u64(0, "checksum")?,
            lgpos_segment: Lgpos::read(&r, 8, "le_lgposSegment")?,
            logtime_segment_start: LogTime::read(&r, 16, "logtimeSegmentStart")?,
            flags: r.u32(36, "fFlags")?,
        })
    }
}
