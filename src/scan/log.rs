//! Checking one transaction log file (ESE-FORMAT.md §9.3, eseutil /ML `<file>` and /K on a log):
//! the header (checksum, file type, version, sector sizes, file size), then the v8 segment scan of
//! §6.4 (with the accumulated segment checksum of §6.5) or the v7 LRCHECKSUM chain of §6.6.
//!
//! Works on bytes the caller mapped; it opens nothing and keeps no reference to the bytes. It must
//! not panic or loop on hostile input: every read is bounded, every walk has a step limit.

use crate::checksum::legacy_log::{range_checksum, short_checksum, SHADOW_XOR};
use crate::checksum::{legacy_checksum, legacy_checksum_ok, verify_segment, PageStatus};
use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::common::filetype;
use crate::format::log_header::{LogSegmentHeader, LOG_HEADER_SIZE};
use crate::format::log_name::{parse_log_name, LogNameKind};
use crate::format::log_record::{LrChecksum, LRCHECKSUM_SIZE, LRTYP_CHECKSUM, SHORT_OFF, SHORT_ON};
use crate::format::page::PAGE_SIZES;
use crate::format::{Lgpos, LogFileHeader, LogTime, LogVersion, Signature};
use crate::problem::Problem;
use crate::scan::classify::{name_kind, FileKind};
use crate::verdict::Verdict;
use serde::{Serialize, Serializer};

/// Size of a v8 segment.
pub const SEGMENT_SIZE: usize = 4096;

/// The result of checking one log file; serialises as CLI.md's per-log object.
#[derive(Debug, Clone, Serialize)]
pub struct LogCheck {
    /// The file as named by the caller.
    pub path: String,
    /// Always `"log"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Pass, fail, or (for a file that could not be checked inside a stream) error.
    pub verdict: Verdict,
    /// `le_lGeneration` (absent when the header checksum fails).
    pub generation: Option<i32>,
    /// Data segments (v8) or sectors (v7) scanned, header and shadow segment excluded.
    pub sectors_seen: u64,
    /// Segments/sectors found corrupt (the scan stops at the first).
    pub bad_sectors: u64,
    /// Segments repaired in memory by single-bit correction (warnings).
    pub correctable_sectors: u64,
    /// `major.minor.updateMajor.updateMinor`.
    pub format: Option<LogVersion>,
    /// "Last Lgpos": the position after the last valid segment or record.
    #[serde(serialize_with = "ser_opt_display")]
    pub last_lgpos: Option<Lgpos>,
    /// XOR of the stored checksums of the good segments (§6.5), v8 only; hex string in JSON.
    #[serde(serialize_with = "ser_opt_hex")]
    pub accumulated_checksum: Option<u64>,
    /// `signLog`.
    pub log_signature: Option<Signature>,
    /// `le_cbPageSize` (0 read as 4096).
    pub page_size: Option<u32>,
    /// `le_lgposCheckpoint` of the header.
    #[serde(serialize_with = "ser_opt_display")]
    pub checkpoint: Option<Lgpos>,
    /// `tmCreate`.
    pub created: Option<LogTime>,
    /// Everything found, errors and warnings.
    pub problems: Vec<Problem>,
    /// The parsed header, present only when its checksum verifies (stream checks rely on it).
    #[serde(skip)]
    pub header: Option<LogFileHeader>,
    /// The file and its identity when it was read, for the re-check after the scan (set by the
    /// caller that opened it; `check_log` opens nothing).
    #[serde(skip)]
    pub opened: Option<(std::path::PathBuf, crate::scan::file::Stamp)>,
    /// The file's CRCs, hashed in the worker that checked it (`verify --manifest`, issue 16;
    /// set by the caller that opened it; `scan_set` moves it into `SetScan::files`).
    #[serde(skip)]
    pub crc: Option<crate::scan::crc::FileCrc>,
}

/// Serialises an optional value through `Display`.
pub(crate) fn ser_opt_display<T: std::fmt::Display, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

/// Serialises an optional u64 as `"0x…"` (16 hex digits).
pub(crate) fn ser_opt_hex<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(&format_args!("0x{v:016X}")),
        None => s.serialize_none(),
    }
}

impl LogCheck {
    fn empty(path: &str) -> LogCheck {
        LogCheck {
            path: path.to_string(),
            kind: "log",
            verdict: Verdict::Pass,
            generation: None,
            sectors_seen: 0,
            bad_sectors: 0,
            correctable_sectors: 0,
            format: None,
            last_lgpos: None,
            accumulated_checksum: None,
            log_signature: None,
            page_size: None,
            checkpoint: None,
            created: None,
            problems: Vec::new(),
            header: None,
            opened: None,
            crc: None,
        }
    }

    /// A placeholder for a file of a stream that could not be checked at all (verdict error,
    /// exit 2), so the stream report still lists it.
    pub fn not_checked(err: &CheckError) -> LogCheck {
        let mut c = LogCheck::empty(&err.path);
        c.problems.push(Problem::error(None, &err.path, err.message.clone()));
        c.verdict = Verdict::Error;
        c
    }

    fn from_header(path: &str, h: &LogFileHeader) -> LogCheck {
        let mut c = LogCheck::empty(path);
        c.generation = Some(h.generation);
        c.format = Some(h.version);
        c.log_signature = Some(h.sign_log);
        c.page_size = Some(h.page_size());
        c.checkpoint = Some(h.lgpos_checkpoint);
        c.created = Some(h.tm_create);
        c.header = Some(h.clone());
        c
    }

    fn error(&mut self, code: JetErr, message: String) -> &mut Problem {
        let mut p = Problem::error(Some(code), &self.path, message);
        if let Some(g) = self.generation {
            p = p.at_generation(i64::from(g));
        }
        self.problems.push(p);
        let last = self.problems.len() - 1;
        &mut self.problems[last]
    }

    fn warn(&mut self, code: Option<JetErr>, message: String) -> &mut Problem {
        let mut p = Problem::warning(code, &self.path, message);
        if let Some(g) = self.generation {
            p = p.at_generation(i64::from(g));
        }
        self.problems.push(p);
        let last = self.problems.len() - 1;
        &mut self.problems[last]
    }

    fn finish(mut self) -> LogCheck {
        self.verdict = Verdict::from_problems(&self.problems, false);
        self
    }

    /// True when the check found no error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// The file name (last path component).
    pub fn file_name(&self) -> &str {
        file_name(&self.path)
    }
}

/// The last path component of `path` (either separator).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// True when a log header's `le_cbPageSize` is one ESE writes: 0 (meaning 4096, and what logs
/// older than the field hold) or one of the database page sizes (CLI.md Decision 2).
fn is_log_page_size_field(v: u16) -> bool {
    v == 0 || PAGE_SIZES.contains(&usize::from(v))
}

/// CLI.md Decision 2 (issue 20 rule 5): the generation of a log header whose checksum verifies
/// must be one a log can have, 1..=0x7FFFFA00, read as the unsigned 32-bit value on disk as for a
/// checkpoint (so 0, −5 and 0x7FFFFFFF are not). The bound is the engine's
/// `lGenerationMaxDuringRecovery` (`inc/daeconst.hxx`), the last generation even recovery may
/// create (`LOG_STREAM::CheckForGenerationOverflow`, `_log/logstream.cxx`, stops new generations
/// below it); 0x7FFFFFFF is its `lGenerationInvalid`, and the first generation is 1.
///
/// `Some(message)` naming the field and its value when it lies outside. A log alone is then
/// could-not-check (exit 2); in a stream it is a damaged member ([`check_stream_log_with`],
/// Decision 3), so such a generation never reaches the stream's first and last, `required_range`,
/// `truncate_below` or `roll_forward_to`.
pub fn generation_outside_log_generations(generation: i32) -> Option<String> {
    let g = generation as u32;
    let max = crate::scan::database::MAX_GENERATION as u32;
    (!(1..=max).contains(&g))
        .then(|| format!("le_lGeneration is {generation} (0x{g:X}), outside the log generations 1..=0x{max:X}"))
}

/// Why [`check_log_with`] could not check a log.
enum Refusal {
    /// Could not check (CLI.md Decision 2), alone and in a stream.
    Unchecked(CheckError),
    /// The verified header's generation is no log generation
    /// ([`generation_outside_log_generations`]): could not check alone, a damaged member in a
    /// stream.
    Generation(CheckError),
}

impl From<CheckError> for Refusal {
    fn from(e: CheckError) -> Self {
        Refusal::Unchecked(e)
    }
}

impl Refusal {
    fn into_error(self) -> CheckError {
        match self {
            Refusal::Unchecked(e) | Refusal::Generation(e) => e,
        }
    }
}

/// Checks one log file (`bytes` = the whole file, `path` = its name for messages).
///
/// `Err` only when the file cannot be checked (CLI.md Decision 2): shorter than the header, not
/// recognisable as a log, or header values outside the allowed sets. A log that fails its checks
/// is `Ok` with error problems.
pub fn check_log(bytes: &[u8], path: &str) -> Result<LogCheck, CheckError> {
    check_log_with(bytes, path, None)
}

/// [`check_log`], calling `release(offset, len)` with each 4 MiB range of segments the scan has
/// finished with, so that a mapped log larger than [`crate::scan::file::HEAP_LIMIT`] stays at a
/// few MiB of the resident set ([`crate::scan::file::Input::release`], issue 12).
pub fn check_log_with(
    bytes: &[u8],
    path: &str,
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<LogCheck, CheckError> {
    check_or_refuse(bytes, path, release).map_err(Refusal::into_error)
}

/// [`check_log_with`] for a log of a stream (`logs`, `verify`): a verified header whose generation
/// no log can have ([`generation_outside_log_generations`]) is not "could not check" there but a
/// damaged member of the stream (CLI.md Decision 3): the stream it belongs to is known, and must
/// not pass. Its header is not kept, so its generation places nothing.
///
/// The problem is an error wherever the log lies (Decision 15: a header whose checksum verifies
/// says what it was written to say, so this is no damage to be forgiven below `truncate_below`).
/// A numbered log's name says which generation it is: −513 (`JET_errLogGenerationMismatch`,
/// what eseutil /ML reports when a header's generation is not its name's) at the name's
/// generation. The current log's is −501 at no generation.
pub fn check_stream_log_with(
    bytes: &[u8],
    path: &str,
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<LogCheck, CheckError> {
    match check_or_refuse(bytes, path, release) {
        Ok(c) => Ok(c),
        Err(Refusal::Generation(e)) => Ok(LogCheck::of_impossible_generation(path, &e.message)),
        Err(Refusal::Unchecked(e)) => Err(e),
    }
}

impl LogCheck {
    /// A log of a stream whose verified header holds a generation no log can have
    /// ([`check_stream_log_with`]): failed, with no generation of its own.
    fn of_impossible_generation(path: &str, what: &str) -> LogCheck {
        let mut c = LogCheck::empty(path);
        let p = match parse_log_name(file_name(path)).map(|n| n.kind) {
            Some(LogNameKind::Archived { generation, .. }) => Problem::error(
                Some(JetErr::LogGenerationMismatch),
                path,
                format!(
                    "{what}: the header verifies, yet no log has this generation (the file name says 0x{generation:X}); a damaged member of the stream"
                ),
            )
            .at_generation(i64::from(generation)),
            _ => Problem::error(
                Some(JetErr::LogFileCorrupt),
                path,
                format!("{what}: the header verifies, yet no log has this generation; a damaged member of the stream"),
            ),
        };
        c.problems.push(p.at_offset(4));
        c.finish()
    }
}

/// The check behind [`check_log_with`] and [`check_stream_log_with`], saying why it refused.
fn check_or_refuse(
    bytes: &[u8],
    path: &str,
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<LogCheck, Refusal> {
    let head = bytes.get(..LOG_HEADER_SIZE).ok_or_else(|| {
        CheckError::new(
            path,
            format!("{} bytes: shorter than the 4096-byte log header", bytes.len()),
        )
    })?;
    let h = LogFileHeader::parse(head).map_err(|e| CheckError::new(path, e.to_string()))?;

    if !legacy_checksum_ok(head) {
        let named_log = name_kind(file_name(path)) == Some(FileKind::Log);
        if h.filetype != filetype::LOG && !named_log {
            return Err(CheckError::new(
                path,
                format!(
                    "not recognisable as an ESE log: header checksum fails and le_filetype is {}",
                    h.filetype
                ),
            )
            .into());
        }
        let mut c = LogCheck::empty(path);
        if crate::scan::classify::is_all_zeros(bytes) {
            let p = c.error(
                JetErr::LogFileCorrupt,
                "log file is all zeros: never written or wiped".to_string(),
            );
            p.offset = Some(0);
            p.all_zeros = true;
            return Ok(c.finish());
        }
        c.error(
            JetErr::LogFileCorrupt,
            format!(
                "log header checksum mismatch (stored 0x{:08X}, computed 0x{:08X})",
                h.checksum,
                legacy_checksum(head)
            ),
        )
        .offset = Some(0);
        return Ok(c.finish());
    }

    if let Some(what) = generation_outside_log_generations(h.generation) {
        return Err(Refusal::Generation(CheckError::new(path, what)));
    }
    let mut c = LogCheck::from_header(path, &h);
    let name = parse_log_name(file_name(path)).map(|n| n.kind);
    // §9.3, per file: an archived name carries its generation, which must be the header's.
    if let Some(LogNameKind::Archived { generation, .. }) = name {
        if i64::from(generation) != i64::from(h.generation) {
            c.error(
                JetErr::LogGenerationMismatch,
                format!(
                    "file name says generation 0x{generation:X}, header says 0x{:X}",
                    h.generation
                ),
            )
            .generation = Some(i64::from(generation));
        }
    }
    if h.attach_damaged {
        c.warn(
            None,
            "attach list (rgbAttach) runs past its 2048 bytes; later entries not read".into(),
        );
    }
    if h.filetype != filetype::UNKNOWN && h.filetype != filetype::LOG {
        c.error(
            JetErr::FileInvalidType,
            format!("le_filetype is {}, not 3 (log)", h.filetype),
        );
        return Ok(c.finish());
    }
    let v = h.version;
    if !v.is_segment_format() && !v.is_legacy_format() {
        c.error(
            JetErr::BadLogVersion,
            format!("unsupported log version {v} (accepted: 8.4000.x.y, 7.3704.x.y)"),
        );
        return Ok(c.finish());
    }
    if !is_log_page_size_field(h.cb_page_size) {
        return Err(CheckError::new(
            path,
            format!(
                "le_cbPageSize is {}, not a page size ESE uses (0 meaning 4096, 2048, 4096, 8192, 16384, 32768)",
                h.cb_page_size
            ),
        )
        .into());
    }
    if h.cb_sec != 512 && h.cb_sec != 4096 {
        return Err(CheckError::new(path, format!("le_cbSec is {}, not 512 or 4096", h.cb_sec)).into());
    }
    if h.csec_header == 0 || usize::from(h.csec_header) * usize::from(h.cb_sec) > 65536 {
        return Err(CheckError::new(path, format!("le_csecHeader is {}, outside 1..=128", h.csec_header)).into());
    }
    if h.csec_lgfile <= h.csec_header {
        return Err(CheckError::new(
            path,
            format!(
                "le_csecLGFile is {}, not more than le_csecHeader ({})",
                h.csec_lgfile, h.csec_header
            ),
        )
        .into());
    }
    if v.is_segment_format() && h.cb_sec != 4096 {
        c.error(
            JetErr::LogFileCorrupt,
            format!("le_cbSec is {} in a version 8 log (must be 4096)", h.cb_sec),
        );
        return Ok(c.finish());
    }
    if usize::from(h.csec_header) * usize::from(h.cb_sec) != LOG_HEADER_SIZE {
        c.error(
            JetErr::LogFileCorrupt,
            format!(
                "le_csecHeader {} × le_cbSec {} is not the 4096-byte header",
                h.csec_header, h.cb_sec
            ),
        );
        return Ok(c.finish());
    }
    if bytes.len() as u64 != h.expected_file_size() {
        c.error(
            JetErr::LogFileSizeMismatch,
            format!(
                "file is {} bytes, header says {} sectors × {} = {}",
                bytes.len(),
                h.csec_lgfile,
                h.cb_sec,
                h.expected_file_size()
            ),
        );
        return Ok(c.finish());
    }
    if v.is_segment_format() {
        let records = scan_segments(bytes, &h, &mut c, release);
        let archived = matches!(name, Some(LogNameKind::Archived { .. }));
        if let Some(what) = archived_log_without_a_record(bytes, &h, archived, records, c.bad_sectors) {
            let first = u64::from(h.csec_header);
            c.error(JetErr::LogFileCorrupt, what)
                .at_sector_mut(first, first * SEGMENT_SIZE as u64);
        }
    } else {
        // Rule 7 needs no code here: the legacy walk starts at the first LRCHECKSUM record, which
        // must verify for this generation (its range checksum covers the generation), so a v7 log
        // with no record of its own (wiped data, or another generation's) already fails, −501.
        walk_legacy(bytes, &h, &mut c);
    }
    Ok(c.finish())
}

/// CLI.md Decision 11 (issue 20 rule 7): an archived log holds what the engine wrote. The engine
/// never closes a generation without writing to it: a full log rolls over, and a forced rollover
/// (`ErrLGForceLogRollover`, `logapi.cxx`, which logs with `fLGCreateNewGen`) goes through
/// `LOG_WRITE_BUFFER::ErrLGLogRec` (`_log/logwrite.cxx`), which writes at least one sector to the
/// closing generation before it switches, filled with NOPs when nothing else is waiting ("we need
/// to write at least one sector while rolling the log file"; the rollover record itself opens the
/// new generation). So a numbered log (`archived`, [`LogNameKind::Archived`]) in which the segment
/// scan (`ErrLGCheckReadLastLogRecordFF`, `_log/logread.cxx`) found no data segment of its own
/// generation (`records`: the last one found, a torn one patched from its shadow included) — all
/// zeros, or only stale and shadow segments of other generations — was wiped or never written:
/// −501, graded like other damage to a log's own bytes (Decision 15). The scan alone accepts such
/// a log, as it must the current `<base>.log`, which is exempt: freshly rolled, it may hold nothing
/// yet (the real belkasoft `SRU.log`, generation 82, holds no data segment). Not when the scan
/// already stopped at a corrupt segment (`bad_sectors`): that is the −501.
///
/// `Some(message)`, in words, when the rule is broken.
fn archived_log_without_a_record(
    bytes: &[u8],
    h: &LogFileHeader,
    archived: bool,
    records: Option<usize>,
    bad_sectors: u64,
) -> Option<String> {
    if !archived || records.is_some() || bad_sectors > 0 {
        return None;
    }
    let first = usize::from(h.csec_header);
    let last = usize::from(h.csec_lgfile).saturating_sub(2).max(first);
    let segments = if first == last {
        format!("segment {first} is")
    } else {
        format!("segments {first}-{last} are")
    };
    let data = bytes
        .get(first * SEGMENT_SIZE..(last + 1) * SEGMENT_SIZE)
        .unwrap_or_default();
    let (what, how) = if crate::scan::classify::is_all_zeros(data) {
        (format!("{segments} all zeros"), "wiped, or never written?")
    } else {
        (
            format!("{segments} empty or stale copies of other generations"),
            "overwritten, or never written?",
        )
    };
    let g = h.generation;
    Some(format!(
        "no data segment of generation {g} (0x{g:X}) verifies: {what}, yet an archived log always holds at least one record ({how})"
    ))
}

fn segment(bytes: &[u8], isec: usize) -> Option<&[u8]> {
    let start = isec.checked_mul(SEGMENT_SIZE)?;
    bytes.get(start..start.checked_add(SEGMENT_SIZE)?)
}

/// The `le_lgposSegment` of a segment (zeros when the buffer is too short to hold LGSEGHDR).
/// LGSEGHDR of a whole segment (always 4 KiB, so it always holds the 40-byte header).
fn segment_header(seg: &[u8]) -> Option<LogSegmentHeader> {
    LogSegmentHeader::parse(seg).ok()
}

fn seg_lgpos(seg: &[u8]) -> Lgpos {
    segment_header(seg).map(|h| h.lgpos_segment).unwrap_or_default()
}

fn valid_at(seg: &[u8], pgno: u32) -> bool {
    matches!(
        verify_segment(seg, pgno).status,
        PageStatus::Good | PageStatus::Correctable
    )
}

/// The segment with its corrected bits flipped back (single-bit repair, in memory only).
fn corrected(seg: &[u8], bits: &[u32]) -> Vec<u8> {
    let mut fixed = seg.to_vec();
    for &bit in bits {
        if let Some(b) = fixed.get_mut((bit / 8) as usize) {
            *b ^= 1 << (bit % 8);
        }
    }
    fixed
}

/// Bytes of segments scanned between two releases.
const RELEASE_EVERY: usize = 4 << 20;

/// The v8 segment scan of ESE-FORMAT.md §6.4 (`ErrLGCheckReadLastLogRecordFF`). Returns the last
/// data segment of this generation found good, a torn one patched from its shadow included
/// (`None`: none).
fn scan_segments(
    bytes: &[u8],
    h: &LogFileHeader,
    c: &mut LogCheck,
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Option<usize> {
    let first = usize::from(h.csec_header);
    // The last segment is the shadow copy; data segments end just before it.
    let end = usize::from(h.csec_lgfile).saturating_sub(1);
    let zero_is_empty = h.version.update_major >= 2;
    let gen = h.generation;
    let mut empty_seen = false;
    // The engine also requires empty (shadow or stale) segments to have non-increasing
    // generations, starting from the file's own; a zero segment resets it to 0
    // (logread.cxx, reason "EmptySegmentHigherLgen"). Not in the spec's pseudocode.
    let mut last_empty_gen = gen;
    let mut acc = 0u64;
    let mut last_valid: Option<usize> = None;
    let mut released_to = 0usize;
    for isec in first..end {
        if let Some(release) = release {
            let offset = isec * SEGMENT_SIZE;
            if offset >= released_to + RELEASE_EVERY {
                release(released_to, offset - released_to);
                released_to = offset;
            }
        }
        let Some(seg) = segment(bytes, isec) else {
            break;
        };
        c.sectors_seen += 1;
        let cur = Lgpos {
            generation: gen,
            isec: isec as u16,
            ib: 0,
        };
        let offset = (isec * SEGMENT_SIZE) as u64;
        let check = verify_segment(seg, isec as u32);
        let good = match check.status {
            PageStatus::Good => segment_header(seg).map(|h| (h.lgpos_segment, h.checksum)),
            PageStatus::Correctable => {
                c.correctable_sectors += 1;
                let bits = check.corrected_bits();
                c.warn(
                    Some(JetErr::LogFileCorrupt),
                    format!(
                        "segment {isec}: single-bit error at bit {:?}, correctable (stored 0x{:016X}, computed 0x{:016X})",
                        bits, check.stored.values[0], check.computed.values[0]
                    ),
                )
                .at_sector_mut(isec as u64, offset);
                segment_header(&corrected(seg, bits)).map(|h| (h.lgpos_segment, h.checksum))
            }
            PageStatus::Uninitialized | PageStatus::Bad => None,
        };
        let Some((lgpos, stored)) = good else {
            if isec != first && valid_at(seg, isec as u32 - 1) {
                // A leftover shadow copy of the previous segment.
                let g = seg_lgpos(seg).generation;
                if g > last_empty_gen {
                    corrupt(
                        c,
                        isec,
                        "EmptySegmentHigherLgen",
                        &format!("a shadow segment of generation 0x{g:X} after an empty one of 0x{last_empty_gen:X}"),
                        &check,
                    );
                    break;
                }
                last_empty_gen = g;
                empty_seen = true;
                continue;
            }
            if check.status == PageStatus::Uninitialized && zero_is_empty {
                last_empty_gen = 0;
                empty_seen = true;
                continue;
            }
            if empty_seen {
                corrupt(
                    c,
                    isec,
                    "CorruptAfterEmptySegment",
                    "a damaged segment after an empty one",
                    &check,
                );
                break;
            }
            if let Some(next) = segment(bytes, isec + 1) {
                if valid_at(next, isec as u32) && seg_lgpos(next) == cur {
                    c.warn(
                        None,
                        format!(
                            "segment {isec}: torn write, patchable from the shadow segment {} (recovery rewrites it)",
                            isec + 1
                        ),
                    )
                    .at_sector_mut(isec as u64, offset);
                    acc ^= verify_segment(next, isec as u32).stored.values[0];
                    last_valid = Some(isec);
                    continue;
                }
            }
            corrupt(c, isec, "SegmentCorrupt", "checksum mismatch", &check);
            break;
        };
        if lgpos < cur {
            // A stale segment from an older use of the file.
            if lgpos.generation > last_empty_gen {
                corrupt(
                    c,
                    isec,
                    "EmptySegmentHigherLgen",
                    &format!(
                        "a stale segment of generation 0x{:X} after an empty one of 0x{last_empty_gen:X}",
                        lgpos.generation
                    ),
                    &check,
                );
                break;
            }
            last_empty_gen = lgpos.generation;
            empty_seen = true;
            continue;
        }
        if lgpos > cur {
            corrupt(
                c,
                isec,
                "BadSegmentLgpos",
                &format!("the segment claims position {lgpos}, expected {cur}"),
                &check,
            );
            break;
        }
        if empty_seen {
            corrupt(
                c,
                isec,
                "ValidSegmentAfterEmpty",
                "a valid segment after an empty one",
                &check,
            );
            break;
        }
        acc ^= stored;
        last_valid = Some(isec);
    }
    c.last_lgpos = Some(Lgpos {
        generation: gen,
        isec: last_valid.map_or(first, |v| v + 1) as u16,
        ib: 0,
    });
    c.accumulated_checksum = Some(acc);
    last_valid
}

/// A corrupt segment: `reason` is the engine's name for the condition, `what` says it in words.
fn corrupt(c: &mut LogCheck, isec: usize, reason: &'static str, what: &str, check: &crate::checksum::PageCheck) {
    c.bad_sectors += 1;
    let p = c.error(
        JetErr::LogFileCorrupt,
        format!(
            "segment {isec}: {what} (stored 0x{:016X}, computed 0x{:016X})",
            check.stored.values[0], check.computed.values[0]
        ),
    );
    p.reason = Some(reason);
    p.at_sector_mut(isec as u64, (isec * SEGMENT_SIZE) as u64);
}

/// The v7 LRCHECKSUM chain walk of ESE-FORMAT.md §6.6. Bounded: every step moves forward by at
/// least 22 bytes and the number of steps is capped by the file size.
fn walk_legacy(bytes: &[u8], h: &LogFileHeader, c: &mut LogCheck) {
    let cb_sec = usize::from(h.cb_sec);
    let first = usize::from(h.csec_header);
    let gen = h.generation as u32;
    let mut pos = first * cb_sec;
    let max_steps = bytes.len() / LRCHECKSUM_SIZE + 1;
    let mut covered_end = pos;
    for _ in 0..max_steps {
        let sector = pos / cb_sec;
        let fail = |c: &mut LogCheck, msg: String| {
            c.bad_sectors += 1;
            c.error(
                JetErr::LogFileCorrupt,
                format!("LRCHECKSUM at offset {pos} (sector {sector}): {msg}"),
            )
            .at_sector_mut(sector as u64, pos as u64);
        };
        let Some(rec) = LrChecksum::read(bytes, pos) else {
            fail(c, "record runs past the end of the file".into());
            break;
        };
        let back = rec.cb_backwards as usize;
        let structural = if rec.lrtyp != LRTYP_CHECKSUM {
            Some(format!("lrtyp is {}, not 42", rec.lrtyp))
        } else if back > cb_sec - LRCHECKSUM_SIZE || (back != 0 && back != pos % cb_sec) {
            Some(format!(
                "cbBackwards {back} is not 0 or the record's offset in its sector"
            ))
        } else if rec.use_short != SHORT_ON && rec.use_short != SHORT_OFF {
            Some(format!("bUseShortChecksum is 0x{:02X}", rec.use_short))
        } else if rec.use_short == SHORT_OFF && rec.short_checksum != 0 {
            Some("short checksum set while not in use".into())
        } else if back + LRCHECKSUM_SIZE + rec.cb_forwards as usize > cb_sec && rec.use_short != SHORT_ON {
            Some("range longer than a sector without a short checksum".into())
        } else {
            None
        };
        if let Some(msg) = structural {
            fail(c, msg);
            break;
        }
        let Some(range) = range_checksum(bytes, pos, &rec, gen) else {
            fail(
                c,
                format!("range (cbForwards {}) runs past the end of the file", rec.cb_forwards),
            );
            break;
        };
        let shadow = range ^ SHADOW_XOR == rec.checksum;
        if range != rec.checksum && !shadow {
            fail(
                c,
                format!(
                    "range checksum mismatch (stored 0x{:08X}, computed 0x{range:08X})",
                    rec.checksum
                ),
            );
            break;
        }
        if rec.use_short == SHORT_ON {
            let short = short_checksum(bytes, pos, &rec, gen, cb_sec);
            if short != Some(rec.short_checksum) {
                fail(
                    c,
                    format!("short checksum mismatch (stored 0x{:08X})", rec.short_checksum),
                );
                break;
            }
        }
        covered_end = pos + LRCHECKSUM_SIZE + rec.cb_forwards as usize;
        if rec.cb_next == 0 || shadow {
            break;
        }
        let next = (rec.cb_next as usize)
            .checked_add(pos + LRCHECKSUM_SIZE)
            .filter(|&n| n < bytes.len());
        match next {
            Some(n) => pos = n,
            None => {
                fail(c, format!("cbNext {} points past the end of the file", rec.cb_next));
                break;
            }
        }
    }
    c.sectors_seen = (covered_end.div_ceil(cb_sec)).saturating_sub(first) as u64;
    c.last_lgpos = Some(Lgpos {
        generation: h.generation,
        isec: (covered_end / cb_sec) as u16,
        ib: (covered_end % cb_sec) as u16,
    });
}

/// Sets sector and offset on a problem in place.
trait AtSector {
    fn at_sector_mut(&mut self, sector: u64, offset: u64);
}

impl AtSector for Problem {
    fn at_sector_mut(&mut self, sector: u64, offset: u64) {
        self.sector = Some(sector);
        self.offset = Some(offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::ecc_block;

    const GEN: i32 = 0x20;

    /// A v8 log of `csec` segments: header, data segments from `segs` (index = isec - 1), zero
    /// elsewhere.
    fn log(csec: u16, segs: &[Option<Vec<u8>>]) -> Vec<u8> {
        let mut b = vec![0u8; usize::from(csec) * SEGMENT_SIZE];
        b[4..8].copy_from_slice(&GEN.to_le_bytes());
        b[8..10].copy_from_slice(&4096u16.to_le_bytes());
        b[10..12].copy_from_slice(&1u16.to_le_bytes());
        b[12..14].copy_from_slice(&csec.to_le_bytes());
        b[32..36].copy_from_slice(&8u32.to_le_bytes());
        b[36..40].copy_from_slice(&4000u32.to_le_bytes());
        b[40..44].copy_from_slice(&5u32.to_le_bytes());
        b[648..652].copy_from_slice(&16u32.to_le_bytes());
        b[667..671].copy_from_slice(&3u32.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        for (k, s) in segs.iter().enumerate() {
            if let Some(s) = s {
                let at = (k + 1) * SEGMENT_SIZE;
                b[at..at + SEGMENT_SIZE].copy_from_slice(s);
            }
        }
        b
    }

    /// A segment claiming `(gen, isec, 0)`, checksummed with `pgno`.
    fn seg(pgno: u32, isec: u16, gen: i32, fill: u8) -> Option<Vec<u8>> {
        let mut s = vec![0u8; SEGMENT_SIZE];
        s[10..12].copy_from_slice(&isec.to_le_bytes());
        s[12..16].copy_from_slice(&gen.to_le_bytes());
        s[36..40].copy_from_slice(&0x2000u32.to_le_bytes());
        for (i, b) in s[40..].iter_mut().enumerate() {
            *b = fill.wrapping_add((i % 251) as u8);
        }
        let ck = ecc_block(&s, pgno, true);
        s[0..8].copy_from_slice(&ck.to_le_bytes());
        Some(s)
    }

    fn good(isec: u16) -> Option<Vec<u8>> {
        seg(u32::from(isec), isec, GEN, isec as u8)
    }

    fn garbage() -> Option<Vec<u8>> {
        Some((0..SEGMENT_SIZE).map(|i| (i * 7 + 1) as u8).collect())
    }

    fn stored(s: &Option<Vec<u8>>) -> u64 {
        let s = s.as_ref().unwrap();
        u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
    }

    fn run(segs: &[Option<Vec<u8>>]) -> LogCheck {
        check_log(&log(8, segs), "t.log").unwrap()
    }

    /// The engine's reason of the first error, and its message, which must not repeat it.
    fn reason(c: &LogCheck) -> String {
        let p = c.problems.iter().find(|p| p.is_error());
        let (why, msg) = p.map_or(("", ""), |p| (p.reason.unwrap_or(""), p.message.as_str()));
        assert!(
            why.is_empty() || !msg.contains(why),
            "an internal name in the message: {msg}"
        );
        why.to_string()
    }

    #[test]
    fn valid_run_shadow_copy_and_zero_tail_pass() {
        let segs = [good(1), good(2), good(3), seg(3, 3, GEN, 3), None, None];
        let c = run(&segs);
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        assert_eq!(c.sectors_seen, 6);
        assert_eq!(c.last_lgpos.unwrap().isec, 4);
        assert_eq!(
            c.accumulated_checksum,
            Some(stored(&segs[0]) ^ stored(&segs[1]) ^ stored(&segs[2]))
        );
    }

    #[test]
    fn stale_segment_of_an_older_generation_ends_the_data() {
        let c = run(&[good(1), good(2), seg(3, 3, GEN - 1, 9), None, None, None]);
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        assert_eq!(c.last_lgpos.unwrap().isec, 3);
    }

    #[test]
    fn each_corruption_reason_is_501() {
        let cases: [(&str, Vec<Option<Vec<u8>>>); 5] = [
            ("ValidSegmentAfterEmpty", vec![good(1), None, good(3)]),
            ("CorruptAfterEmptySegment", vec![good(1), None, garbage()]),
            ("BadSegmentLgpos", vec![good(1), seg(2, 5, GEN, 2)]),
            ("SegmentCorrupt", vec![garbage()]),
            ("EmptySegmentHigherLgen", vec![good(1), None, seg(2, 2, GEN, 1)]),
        ];
        for (why, segs) in cases {
            let c = run(&segs);
            assert_eq!(c.verdict, Verdict::Fail, "{why}");
            assert!(reason(&c).contains(why), "{why}: {}", reason(&c));
            assert_eq!(c.problems[0].code, Some(JetErr::LogFileCorrupt));
            assert_eq!(c.bad_sectors, 1);
        }
    }

    #[test]
    fn torn_write_patchable_from_the_shadow_is_a_warning() {
        let shadow = seg(2, 2, GEN, 77);
        let c = run(&[good(1), garbage(), shadow.clone(), None, None, None]);
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        assert!(c.problems[0].message.contains("torn write"));
        assert_eq!(c.last_lgpos.unwrap().isec, 3);
        assert_eq!(c.accumulated_checksum, Some(stored(&good(1)) ^ stored(&shadow)));
    }

    /// `log(8, [good(1)])` with `le_cbPageSize` @14 set to `v` and the header resealed.
    fn log_with_page_size(v: u16) -> Vec<u8> {
        let mut b = log(8, &[good(1)]);
        b[14..16].copy_from_slice(&v.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        b
    }

    #[test]
    fn log_page_size_65535_is_exit_2() {
        for v in [65535u16, 1, 1024, 4095, 12288, 32769] {
            let e = check_log(&log_with_page_size(v), "t.log").unwrap_err();
            assert_eq!(e.path, "t.log");
            assert!(
                e.message.contains(&format!("le_cbPageSize is {v}")) && e.message.contains("not a page size ESE uses"),
                "{v}: {}",
                e.message
            );
        }
    }

    #[test]
    fn log_page_sizes_ese_uses_are_accepted() {
        for v in [0u16, 2048, 4096, 8192, 16384, 32768] {
            let c = check_log(&log_with_page_size(v), "t.log").unwrap();
            assert_eq!(c.verdict, Verdict::Pass, "{v}: {:?}", c.problems);
            assert_eq!(c.page_size, Some(if v == 0 { 4096 } else { u32::from(v) }));
        }
    }

    #[test]
    fn log_shorter_or_longer_than_its_header_declares_is_541_not_exit_2() {
        let b = log(8, &[good(1)]);
        for len in [b.len() - 4096, b.len() - 1, b.len() + 4096] {
            let mut f = b.clone();
            f.resize(len, 0);
            let c = check_log(&f, "t.log").unwrap();
            assert_eq!(c.verdict, Verdict::Fail, "{len}");
            assert_eq!(c.problems[0].code, Some(JetErr::LogFileSizeMismatch), "{len}");
        }
    }

    /// `log(8, segs)` with `le_lGeneration` @4 set to `g` and the header resealed.
    fn log_of_generation(g: i32, segs: &[Option<Vec<u8>>]) -> Vec<u8> {
        let mut b = log(8, segs);
        b[4..8].copy_from_slice(&g.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        b
    }

    #[test]
    fn a_log_generation_is_one_of_1_to_0x7ffffa00() {
        for g in [1, 2, 0x51, 0x7FFF_F000, 0x7FFF_FA00] {
            assert_eq!(generation_outside_log_generations(g), None, "{g:#X}");
        }
        for (g, shown) in [
            (-5, "-5 (0xFFFFFFFB)"),
            (0, "0 (0x0)"),
            (-1, "-1 (0xFFFFFFFF)"),
            (0x7FFF_FA01, "2147482113 (0x7FFFFA01)"),
            (0x7FFF_FFFF, "2147483647 (0x7FFFFFFF)"),
            (i32::MIN, "-2147483648 (0x80000000)"),
        ] {
            let m = generation_outside_log_generations(g).unwrap();
            assert_eq!(
                m,
                format!("le_lGeneration is {shown}, outside the log generations 1..=0x7FFFFA00")
            );
        }
    }

    #[test]
    fn a_log_of_generation_minus_5_cannot_be_checked_alone_and_is_a_damaged_member_in_a_stream() {
        for g in [-5, 0, 0x7FFF_FFFF] {
            let b = log_of_generation(g, &[good(1)]);
            // Alone (`checksum`, `header`): could not check, naming the field (Decision 2).
            let e = check_log(&b, "E0000020.log").unwrap_err();
            assert_eq!(e.path, "E0000020.log");
            assert!(
                e.message.starts_with(&format!("le_lGeneration is {g} ")),
                "{}",
                e.message
            );

            // A numbered log of a stream: −513 at the name's generation, and no generation or
            // header of its own to place it by.
            let c = check_stream_log_with(&b, "logs/E0000020.log", None).unwrap();
            assert_eq!(
                (c.verdict, c.generation, c.header.is_none()),
                (Verdict::Fail, None, true)
            );
            assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
            let p = &c.problems[0];
            assert_eq!(
                (p.code, p.generation),
                (Some(JetErr::LogGenerationMismatch), Some(0x20))
            );
            assert!(p.message.contains("the file name says 0x20"), "{}", p.message);

            // The current log: −501, at no generation.
            let c = check_stream_log_with(&b, "logs/E00.log", None).unwrap();
            assert_eq!((c.verdict, c.generation), (Verdict::Fail, None));
            let p = &c.problems[0];
            assert_eq!((p.code, p.generation), (Some(JetErr::LogFileCorrupt), None));
            assert!(
                p.message.starts_with(&format!("le_lGeneration is {g} ")),
                "{}",
                p.message
            );
        }
        // Every other refusal stays could-not-check in a stream too.
        let mut b = log(8, &[good(1)]);
        b[14..16].copy_from_slice(&65535u16.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        assert!(check_stream_log_with(&b, "E0000020.log", None).is_err());
        // And a log of a possible generation is checked as on its own.
        let c = check_stream_log_with(&log(8, &[good(1)]), "E0000020.log", None).unwrap();
        assert_eq!((c.verdict, c.generation), (Verdict::Pass, Some(GEN)));
    }

    /// The errors of `c`: (code, sector, message).
    fn errors(c: &LogCheck) -> Vec<(Option<i32>, Option<u64>, String)> {
        c.problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| (p.code.map(JetErr::code), p.sector, p.message.clone()))
            .collect()
    }

    #[test]
    fn an_archived_log_without_a_data_segment_of_its_generation_is_501() {
        // Every data segment zero: the header alone, as a wipe leaves it.
        let c = check_log(&log(8, &[]), "logs/E0000020.log").unwrap();
        assert_eq!(c.verdict, Verdict::Fail);
        let e = errors(&c);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0, e[0].1), (Some(-501), Some(1)));
        assert_eq!(
            e[0].2,
            "no data segment of generation 32 (0x20) verifies: segments 1-6 are all zeros, yet an archived log always holds at least one record (wiped, or never written?)"
        );
        assert_eq!((c.bad_sectors, c.problems[0].generation), (0, Some(32)));

        // Only stale segments of an older generation (and a shadow of one): no record of its own.
        let stale = [seg(1, 1, GEN - 1, 1), seg(2, 2, GEN - 1, 2), seg(2, 2, GEN - 1, 2)];
        let c = check_log(&log(8, &stale), "E0000020.log").unwrap();
        let e = errors(&c);
        assert_eq!((e.len(), e[0].0), (1, Some(-501)), "{e:?}");
        assert!(
            e[0].2
                .contains("segments 1-6 are empty or stale copies of other generations"),
            "{}",
            e[0].2
        );

        // The current log may be freshly rolled and empty; a name that is no log name says
        // nothing either.
        for name in ["logs/E00.log", "logs/E00.jtx", "t.log"] {
            let c = check_log(&log(8, &[]), name).unwrap();
            assert_eq!(c.verdict, Verdict::Pass, "{name}: {:?}", c.problems);
        }
        // One record is enough, and a torn one patchable from its shadow is one.
        let c = check_log(&log(8, &[good(1)]), "E0000020.log").unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        let torn = [garbage(), seg(1, 1, GEN, 77)];
        let c = check_log(&log(8, &torn), "E0000020.log").unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        // A scan that stopped at a corrupt first segment has its own −501, and only that one.
        let c = check_log(&log(8, &[garbage()]), "E0000020.log").unwrap();
        assert_eq!(errors(&c).len(), 1, "{:?}", c.problems);
        assert_eq!(reason(&c), "SegmentCorrupt");
    }

    #[test]
    fn zero_segments_before_8_4000_2_are_corrupt() {
        let mut b = log(8, &[good(1)]);
        b[40..44].copy_from_slice(&1u32.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        let c = check_log(&b, "t.log").unwrap();
        assert!(reason(&c).contains("SegmentCorrupt"), "{:?}", c.problems);
    }
}
