//! The flush map `<db>.jfm` (ESE-FORMAT.md §8): 8 KiB pages, file page 0 the header (FMFILEHDR),
//! file page k ≥ 1 the data page with flush-map page number `fmpgno = k − 1`
//! (FlushMapDataPageHdr, then the flush states).
//!
//! Pure parsing of one page: no I/O, no checksum verification (the scan layer verifies the
//! legacy XOR of the header page and the ECC checksum of the data pages, and decides).

use super::bytes::{FormatError, Reader};
use super::common::{LogTime, Signature, FILETYPE_OFFSET};
use schemars::JsonSchema;
use serde::Serialize;

/// Size of every flush-map page, header included (`s_cbFlushMapPageOnDisk`).
pub(crate) const FM_PAGE_SIZE: usize = 8192;
/// Bytes of the header page FMFILEHDR uses (up to and including `filetype`); the rest is zero.
pub(crate) const FMFILEHDR_SIZE: usize = 671;
/// Bytes of the data page header FlushMapDataPageHdr; the flush states follow it.
pub const FM_DATA_PAGE_HEADER_SIZE: usize = 64;
/// `fFlags` of the header: the flush map was closed cleanly (`fClean`).
pub(crate) const FM_FLAG_CLEAN: u32 = 0x0000_0001;
/// `fFlags` of either page kind: the new (ECC) checksum format (`fPageNewChecksumFormat`).
pub(crate) const FM_FLAG_NEW_CHECKSUM_FORMAT: u32 = 0x0000_2000;
/// The engine's page number of the header page (`s_fmpgnoHdr`); data pages are 0, 1, 2, …
pub(crate) const FM_HEADER_FMPGNO: i64 = -1;

/// FMFILEHDR: every field of the flush-map header page (file offset 0), in the order of the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FlushMapFileHeader {
    /// @0 `checksum`: legacy XOR over the 8192 bytes of the header page.
    #[serde(rename = "checksum")]
    pub checksum: u32,
    /// @4 `le_ulFmVersionMajor` (3 in every real file).
    #[serde(rename = "le_ulFmVersionMajor")]
    pub version_major: u32,
    /// @8 `le_ulFmVersionUpdateMajor`.
    #[serde(rename = "le_ulFmVersionUpdateMajor")]
    pub version_update_major: u32,
    /// @12 `le_ulFmVersionUpdateMinor`.
    #[serde(rename = "le_ulFmVersionUpdateMinor")]
    pub version_update_minor: u32,
    /// @36 `fFlags`: `FM_FLAG_CLEAN` (0x1), `FM_FLAG_NEW_CHECKSUM_FORMAT` (0x2000). Bytes
    /// 16..36 are alignment padding, so that `fFlags` sits where a database page keeps its flags.
    #[serde(rename = "fFlags")]
    pub flags: u32,
    /// @40 `logtimeCreate`: when the flush map was created.
    #[serde(rename = "logtimeCreate")]
    pub logtime_create: LogTime,
    /// @48 `logtimeAttach`: the last time the flush map was attached.
    #[serde(rename = "logtimeAttach")]
    pub logtime_attach: LogTime,
    /// @56 `logtimeDetach`: the last time the flush map was detached.
    #[serde(rename = "logtimeDetach")]
    pub logtime_detach: LogTime,
    /// @64 `lGenMinRequired`: the oldest log generation needed to rebuild the map after a crash.
    #[serde(rename = "lGenMinRequired")]
    pub gen_min_required: i32,
    /// @68 `lGenMinRequiredTarget`: the generation a full flush under way aims at (0 otherwise).
    #[serde(rename = "lGenMinRequiredTarget")]
    pub gen_min_required_target: i32,
    /// @72 `logtimeFlushLastStarted`: when the last full flush of the map started.
    #[serde(rename = "logtimeFlushLastStarted")]
    pub logtime_flush_last_started: LogTime,
    /// @80 `logtimeFlushLastCompleted`: when the last full flush of the map completed.
    #[serde(rename = "logtimeFlushLastCompleted")]
    pub logtime_flush_last_completed: LogTime,
    /// @88 `signDbHdrFlush`: signature generated at the last flush of the database header.
    #[serde(rename = "signDbHdrFlush")]
    pub sign_db_hdr_flush: Signature,
    /// @116 `signFlushMapHdrFlush`: signature generated at the last flush of this header.
    #[serde(rename = "signFlushMapHdrFlush")]
    pub sign_flush_map_hdr_flush: Signature,
    /// @667 `filetype` = 7 (flush map); bytes 144..667 are padding.
    #[serde(rename = "filetype")]
    pub filetype: u32,
}

impl FlushMapFileHeader {
    /// Parses the header from the start of `buf` (the first `FMFILEHDR_SIZE` bytes are read).
    pub fn parse(buf: &[u8]) -> Result<FlushMapFileHeader, FormatError> {
        let r = Reader::new(buf, "FMFILEHDR");
        r.bytes(0, FMFILEHDR_SIZE, "FMFILEHDR")?;
        Ok(FlushMapFileHeader {
            checksum: r.u32(0, "checksum")?,
            version_major: r.u32(4, "le_ulFmVersionMajor")?,
            version_update_major: r.u32(8, "le_ulFmVersionUpdateMajor")?,
            version_update_minor: r.u32(12, "le_ulFmVersionUpdateMinor")?,
            flags: r.u32(36, "fFlags")?,
            logtime_create: LogTime::read(&r, 40, "logtimeCreate")?,
            logtime_attach: LogTime::read(&r, 48, "logtimeAttach")?,
            logtime_detach: LogTime::read(&r, 56, "logtimeDetach")?,
            gen_min_required: r.i32(64, "lGenMinRequired")?,
            gen_min_required_target: r.i32(68, "lGenMinRequiredTarget")?,
            logtime_flush_last_started: LogTime::read(&r, 72, "logtimeFlushLastStarted")?,
            logtime_flush_last_completed: LogTime::read(&r, 80, "logtimeFlushLastCompleted")?,
            sign_db_hdr_flush: Signature::read(&r, 88, "signDbHdrFlush")?,
            sign_flush_map_hdr_flush: Signature::read(&r, 116, "signFlushMapHdrFlush")?,
            filetype: r.u32(FILETYPE_OFFSET, "filetype")?,
        })
    }

    /// `major.updateMajor.updateMinor`, as the engine prints it.
    pub fn version(&self) -> String {
        format!(
            "{}.{}.{}",
            self.version_major, self.version_update_major, self.version_update_minor
        )
    }

    /// `fFlags` has `fClean`.
    pub(crate) fn is_clean(&self) -> bool {
        self.flags & FM_FLAG_CLEAN != 0
    }

    /// `fFlags` has `fPageNewChecksumFormat`.
    pub(crate) fn new_checksum_format(&self) -> bool {
        self.flags & FM_FLAG_NEW_CHECKSUM_FORMAT != 0
    }
}

/// FlushMapDataPageHdr: the first 64 bytes of a flush-map data page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FlushMapDataPageHeader {
    /// @0 `checksum`: XOR-ECC checksum of the page computed with `pgno = fmpgno` (§4.2).
    #[serde(rename = "checksum")]
    pub checksum: u64,
    /// @8 `dbtimeMax`: highest dbtime of the database pages this map page covers.
    #[serde(rename = "dbtimeMax")]
    pub dbtime_max: u64,
    /// @16 `fmpgno`: the page's flush-map page number (file page − 1).
    #[serde(rename = "fmpgno")]
    pub fmpgno: u32,
    /// @36 `fFlags`: `FM_FLAG_NEW_CHECKSUM_FORMAT`. Bytes 20..36 and 40..64 are padding.
    #[serde(rename = "fFlags")]
    pub flags: u32,
}

impl FlushMapDataPageHeader {
    /// Parses the data page header from the start of `buf`.
    pub fn parse(buf: &[u8]) -> Result<FlushMapDataPageHeader, FormatError> {
        let r = Reader::new(buf, "FlushMapDataPageHdr");
        r.bytes(0, FM_DATA_PAGE_HEADER_SIZE, "FlushMapDataPageHdr")?;
        Ok(FlushMapDataPageHeader {
            checksum: r.u64(0, "checksum")?,
            dbtime_max: r.u64(8, "dbtimeMax")?,
            fmpgno: r.u32(16, "fmpgno")?,
            flags: r.u32(36, "fFlags")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(rel: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn fmfilehdr_fields_of_a_real_dirty_flush_map() {
        // Values read by hand with `xxd` from the Belkasoft Dirty SRUDB.jfm (testdata/README.md).
        let b = real("museum-srum-win10-belkasoftctf/Dirty/SRUDB.jfm");
        let h = FlushMapFileHeader::parse(&b).unwrap();
        assert_eq!(h.checksum, 0x8508_9F32);
        assert_eq!(h.version(), "3.0.0");
        assert_eq!(h.flags, 0, "a flush map left dirty: fClean not set");
        assert!(!h.is_clean() && !h.new_checksum_format());
        // 08/01/2020 21:48:10: the creation time of the stream's log signature (README sample).
        assert_eq!(h.logtime_create.raw, [0x0A, 0x30, 0x15, 0x01, 0x08, 0x78, 0x1B, 0x08]);
        assert_eq!(h.logtime_attach.raw, [0x13, 0x27, 0x02, 0x0E, 0x02, 0x79, 0x9F, 0x00]);
        assert_eq!(h.logtime_detach.raw, [0x34, 0x22, 0x02, 0x0E, 0x02, 0x79, 0xCD, 0x06]);
        // 0x51 = 81, the dirty database's Log Required (MANIFEST: required gen 81).
        assert_eq!(h.gen_min_required, 0x51);
        assert_eq!(h.gen_min_required_target, 0);
        assert_eq!(h.logtime_flush_last_completed, h.logtime_detach);
        assert_eq!(h.sign_db_hdr_flush.random(), 0x9285_075F);
        assert_eq!(h.sign_flush_map_hdr_flush.random(), 0x9028_1DD2);
        assert_eq!(h.filetype, 7);
    }

    #[test]
    fn fmfilehdr_of_a_real_clean_flush_map_has_fclean() {
        // xxd: fFlags @36 = 01 00 00 00, lGenMinRequired @64 = 0.
        let b = real("museum-srum-win10-belkasoftctf/Clean/SRUDB.jfm");
        let h = FlushMapFileHeader::parse(&b).unwrap();
        assert_eq!((h.flags, h.is_clean(), h.gen_min_required), (1, true, 0));
    }

    #[test]
    fn data_page_header_of_a_real_flush_map() {
        // xxd at 0x2000: checksum 02ea a15a 7d07 82f8, dbtimeMax 0x6435, fmpgno 0, fFlags 0x2000.
        let b = real("museum-srum-win10-belkasoftctf/Dirty/SRUDB.jfm");
        let p = FlushMapDataPageHeader::parse(&b[FM_PAGE_SIZE..]).unwrap();
        assert_eq!(p.checksum, 0xF882_077D_5AA1_EA02);
        assert_eq!(p.dbtime_max, 0x6435);
        assert_eq!(p.fmpgno, 0);
        assert_eq!(p.flags, FM_FLAG_NEW_CHECKSUM_FORMAT);
    }

    #[test]
    fn short_buffers_are_format_errors_naming_the_structure() {
        let e = FlushMapFileHeader::parse(&[0u8; 670]).unwrap_err();
        assert_eq!(e.structure, "FMFILEHDR");
        assert!(FlushMapFileHeader::parse(&[0u8; 671]).is_ok());
        assert!(FlushMapDataPageHeader::parse(&[0u8; 63]).is_err());
        assert!(FlushMapFileHeader::parse(&[]).is_err());
    }
}
