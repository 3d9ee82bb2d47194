//! The log checker: one transaction log file whose bytes its caller holds, fed in order
//! (ESE-FORMAT.md §6, §9.3; eseutil /ML `<file>` and /K on a log; CLI.md Decisions 2, 3, 10, 11):
//! the header rules, then the v8 segment scan of §6.4 (with the accumulated segment checksum of
//! §6.5) or the v7 LRCHECKSUM walk of §6.6.
//!
//! The rules are the functions below, in the order they apply: the header rules
//! (`unrecognisable_log` … `file_size_mismatch`), the segment rules (`segment_verdict`,
//! `leftover_shadow`, `empty_segment`, `damaged_after_empty`, `torn_write`, `stale_segment`,
//! `segment_ahead`, `valid_after_empty`), and at the end `archived_log_without_a_record`.
//!
//! It must not panic or loop on hostile input: every read is bounded, every walk has a step
//! limit.

use crate::checksum::legacy_log::{range_checksum, short_checksum, SHADOW_XOR};
use crate::checksum::page::is_all_zero;
use crate::checksum::{legacy_checksum, legacy_checksum_ok, verify_segment, PageCheck, PageStatus};
use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::common::{filetype, opt_lgpos_text_schema};
use crate::format::log_header::{LogSegmentHeader, LOG_HEADER_SIZE};
use crate::format::log_name::{parse_log_name, LogNameKind};
use crate::format::log_record::{LrChecksum, LRCHECKSUM_SIZE, LRTYP_CHECKSUM, SHORT_OFF, SHORT_ON};
use crate::format::page::PAGE_SIZES;
use crate::format::{Generation, Lgpos, LogFileHeader, LogTime, LogVersion, Signature};
use crate::problem::Problem;
use crate::scan::classify::{name_kind, FileKind};
use crate::scan::core::database::MAX_GENERATION;
use crate::scan::core::{never_fed, FeedError};
use crate::verdict::Verdict;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Serialize, Serializer};

/// Size of a v8 segment.
pub const SEGMENT_SIZE: usize = 4096;

/// The result of checking one log file; serialises as CLI.md's per-log object.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LogCheck {
    /// The file as named by the caller.
    pub path: crate::escape::ShownPath,
    /// Always [`FileKind::Log`] (`"log"` in JSON).
    #[serde(rename = "type")]
    #[schemars(schema_with = "crate::scan::classify::always::log")]
    pub kind: FileKind,
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
    #[schemars(schema_with = "opt_lgpos_text_schema")]
    pub last_lgpos: Option<Lgpos>,
    /// XOR of the stored checksums of the good segments (§6.5), v8 only; hex string in JSON.
    #[serde(serialize_with = "ser_opt_hex")]
    #[schemars(schema_with = "opt_hex_schema")]
    pub accumulated_checksum: Option<u64>,
    /// `signLog`.
    pub log_signature: Option<Signature>,
    /// `le_cbPageSize` (0 read as 4096).
    pub page_size: Option<u32>,
    /// `le_lgposCheckpoint` of the header.
    #[serde(serialize_with = "ser_opt_display")]
    #[schemars(schema_with = "opt_lgpos_text_schema")]
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
    /// The file's CRCs, hashed in the worker that checked it (`verify --manifest`, CLI.md "Manifest";
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

/// The schema of what [`ser_opt_hex`] writes.
fn opt_hex_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "`0x` and 16 upper-case hex digits; `null` when unknown.",
        "type": ["string", "null"],
        "pattern": "^0x[0-9A-F]{16}$"
    })
}

/// Serialises an optional u64 as `"0x…"` (16 hex digits).
pub(crate) fn ser_opt_hex<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(&format_args!("0x{v:016X}")),
        None => s.serialize_none(),
    }
}

impl LogCheck {
    fn empty(path: impl Into<crate::escape::ShownPath>) -> LogCheck {
        LogCheck {
            path: path.into(),
            kind: FileKind::Log,
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
    pub(crate) fn is_ok(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// The file name (last path component).
    pub(crate) fn file_name(&self) -> &str {
        file_name(self.path.unescaped())
    }

    /// A log of a stream whose verified header holds a generation no log can have
    /// ([`LogChecker::finish_in_stream`]): failed, with no generation of its own.
    fn of_impossible_generation(path: &str, what: &str) -> LogCheck {
        let mut c = LogCheck::empty(path);
        let p = match parse_log_name(file_name(path)).map(|n| n.kind) {
            Some(LogNameKind::Archived { generation, .. }) => Problem::error(
                Some(JetErr::LogGenerationMismatch),
                path,
                format!(
                    "{what}: the header verifies, yet no log has this generation (the file name says {}); a damaged member of the stream",
                    Generation(generation.into())
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

/// The last path component of `path` (either separator).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// CLI.md Decision 2: the generation of a log header whose checksum verifies must be one a log
/// can have, 1..=0x7FFFFA00, read as the unsigned 32-bit value on disk as for a checkpoint (so 0,
/// −5 and 0x7FFFFFFF are not). The bound is the engine's `lGenerationMaxDuringRecovery`
/// (`inc/daeconst.hxx`), the last generation even recovery may create
/// (`LOG_STREAM::CheckForGenerationOverflow`, `_log/logstream.cxx`, stops new generations below
/// it); 0x7FFFFFFF is its `lGenerationInvalid`, and the first generation is 1.
///
/// `Some(message)` naming the field and its value when it lies outside. A log alone is then
/// could-not-check (exit 2); in a stream it is a damaged member
/// (`LogChecker::finish_in_stream`, Decision 3), so such a generation never reaches the
/// stream's first and last, `required_range`, `truncate_below` or `roll_forward_to`.
pub fn generation_outside_log_generations(generation: i32) -> Option<String> {
    let g = generation as u32;
    let max = MAX_GENERATION as u32;
    (!(1..=max).contains(&g)).then(|| {
        format!(
            "le_lGeneration is {}, outside the log generations 1..=0x{max:X}",
            Generation(generation.into())
        )
    })
}

/// Why a log could not be checked.
#[derive(Debug)]
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

/// Checks one log file whose bytes the caller feeds in order: made from the file size, fed
/// every byte once in buffers of any size ([`feed`](Self::feed); a header or a segment may
/// straddle two buffers), then [`finish`](Self::finish)ed (a log checked alone, as `checksum`
/// checks it) or [`finish_in_stream`](Self::finish_in_stream)ed (a log of a stream, as `logs`
/// and `verify` check it).
///
/// - **Order**: buffers follow each other; bytes beyond the file size are refused
///   ([`FeedError::PastEnd`], no effect). Fewer bytes than the file size make `finish` a
///   could-not-check error naming the bytes missing.
/// - **Memory**: a version 8 log (every log Windows Vista and Exchange 2007 onwards write) keeps
///   at most one segment of carry-over between buffers (none when buffers hold whole segments)
///   and a few words about the segment before; the scan reads each segment once, and stops
///   reading at the first corrupt one as the engine's scan does. A legacy version 7 log (§6.6)
///   is held whole until `finish` unless it comes in one buffer: its LRCHECKSUM chain jumps
///   ahead and its ranges reach back, so its walk needs the file (at most `le_csecLGFile ×
///   le_cbSec` bytes, which `new` checked against the file size: 5 MiB for the Exchange 2003
///   logs).
///
/// ```
/// use esecheck::scan::core::LogChecker;
/// use esecheck::scan::check_log;
///
/// let file = esecheck::testkit::LogBuilder::new(0x51).data_segments(3).build();
/// let mut checker = LogChecker::new("E0000000051.log", file.len() as u64)?;
/// for piece in file.chunks(1000) {
///     checker.feed(piece)?;
/// }
/// let streamed = checker.finish()?;
/// assert_eq!(streamed.generation, Some(0x51));
/// let scanned = check_log(&file, "E0000000051.log")?;
/// assert_eq!(serde_json::to_string(&streamed)?, serde_json::to_string(&scanned)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LogChecker {
    path: String,
    file_size: u64,
    /// Bytes fed so far.
    fed: u64,
    /// The start of a header or segment that the last buffer ended inside (under 4096 bytes).
    carry: Vec<u8>,
    /// Every byte fed so far is zero (what a log whose header fails its checksum is told by).
    zeros_so_far: bool,
    stage: Stage,
}

/// Where a log's check stands.
enum Stage {
    /// Waiting for the rest of the 4096-byte header.
    Header,
    /// The result is known; the bytes that follow change nothing.
    Done(Result<LogCheck, Refusal>),
    /// The header fails its checksum: a damaged log, worded by whether the whole file is zero.
    BadHeader(LogCheck, u32, u32),
    /// The v8 segment scan.
    Segments(Box<SegmentScan>),
    /// A v7 log, held whole for the LRCHECKSUM walk.
    Legacy(LogCheck, Box<LogFileHeader>, Vec<u8>),
}

impl LogChecker {
    /// A checker for the log `path` (named so in every problem, and whose file name decides
    /// the archived-name rules) of `file_size` bytes.
    ///
    /// `Err` when the file cannot be checked (CLI.md Decision 2): shorter than the 4096-byte
    /// header.
    pub fn new(path: &str, file_size: u64) -> Result<LogChecker, CheckError> {
        if file_size < LOG_HEADER_SIZE as u64 {
            return Err(CheckError::new(
                path,
                format!("{file_size} bytes: shorter than the 4096-byte log header"),
            ));
        }
        Ok(LogChecker {
            path: path.into(),
            file_size,
            fed: 0,
            carry: Vec::new(),
            zeros_so_far: true,
            stage: Stage::Header,
        })
    }

    /// Checks the next `bytes` of the file, which follow those fed before.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), FeedError> {
        let end = self.fed.saturating_add(bytes.len() as u64);
        if end > self.file_size {
            return Err(FeedError::PastEnd {
                start: self.fed,
                end,
                file_size: self.file_size,
            });
        }
        let whole = (self.fed == 0 && end == self.file_size).then_some(bytes);
        if self.zeros_so_far {
            self.zeros_so_far = is_all_zero(bytes);
        }
        let mut rest = bytes;
        if matches!(self.stage, Stage::Header) {
            let take = (LOG_HEADER_SIZE - self.carry.len()).min(rest.len());
            let head = if self.carry.is_empty() && take == LOG_HEADER_SIZE {
                std::borrow::Cow::Borrowed(&rest[..take])
            } else {
                self.carry.extend_from_slice(&rest[..take]);
                if self.carry.len() < LOG_HEADER_SIZE {
                    std::borrow::Cow::Borrowed(&[][..])
                } else {
                    std::borrow::Cow::Owned(std::mem::take(&mut self.carry))
                }
            };
            if head.len() == LOG_HEADER_SIZE {
                self.stage = header_stage(&self.path, self.file_size, &head, whole);
                if let Stage::Legacy(_, _, held) = &mut self.stage {
                    held.extend_from_slice(&head);
                }
            }
            self.fed += take as u64;
            rest = &rest[take..];
        }
        match &mut self.stage {
            Stage::Segments(scan) => feed_segments(scan, &mut self.carry, rest),
            Stage::Legacy(_, _, held) => held.extend_from_slice(rest),
            Stage::Header | Stage::Done(_) | Stage::BadHeader(..) => {}
        }
        self.fed += rest.len() as u64;
        Ok(())
    }

    /// The result for a log checked alone (`checksum`, `header`): a verified header whose
    /// generation no log can have cannot be checked (CLI.md Decision 2).
    ///
    /// `Err` when the file cannot be checked (Decision 2): not recognisable as a log, header
    /// values outside the allowed sets — or bytes never fed.
    pub fn finish(self) -> Result<LogCheck, CheckError> {
        self.result().map_err(Refusal::into_error)
    }

    /// The result for a log of a stream (`logs`, `verify`): a verified header whose generation
    /// no log can have ([`generation_outside_log_generations`]) is not "could not check" there
    /// but a damaged member of the stream (CLI.md Decision 3): the stream it belongs to is
    /// known, and must not pass. Its header is not kept, so its generation places nothing.
    ///
    /// The problem is an error wherever the log lies (Decision 15: a header whose checksum
    /// verifies says what it was written to say, so this is no damage to be forgiven below
    /// `truncate_below`). A numbered log's name says which generation it is: −513
    /// (`JET_errLogGenerationMismatch`, what eseutil /ML reports when a header's generation is
    /// not its name's) at the name's generation. The current log's is −501 at no generation.
    pub fn finish_in_stream(self) -> Result<LogCheck, CheckError> {
        let path = self.path.clone();
        match self.result() {
            Ok(c) => Ok(c),
            Err(Refusal::Generation(e)) => Ok(LogCheck::of_impossible_generation(&path, &e.message)),
            Err(Refusal::Unchecked(e)) => Err(e),
        }
    }

    fn result(self) -> Result<LogCheck, Refusal> {
        if self.fed < self.file_size {
            return Err(never_fed(&self.path, self.fed..self.file_size).into());
        }
        match self.stage {
            Stage::Header => Err(never_fed(&self.path, 0..self.file_size).into()),
            Stage::Done(r) => r,
            Stage::BadHeader(c, stored, computed) => Ok(header_checksum_fails(c, self.zeros_so_far, stored, computed)),
            Stage::Segments(scan) => Ok(scan.finish()),
            Stage::Legacy(mut c, h, bytes) => {
                walk_legacy(&bytes, &h, &mut c);
                Ok(c.finish())
            }
        }
    }
}

/// The stage a log's check goes on with once its header is read: the header rules, in order.
/// `whole` is the whole file when the caller gave it in one buffer (a v7 log is walked at once,
/// in place).
fn header_stage(path: &str, file_size: u64, head: &[u8], whole: Option<&[u8]>) -> Stage {
    let h = match LogFileHeader::parse(head) {
        Ok(h) => h,
        Err(e) => return Stage::Done(Err(CheckError::new(path, e.to_string()).into())),
    };
    if !legacy_checksum_ok(head) {
        return match unrecognisable_log(path, &h) {
            Some(e) => Stage::Done(Err(e.into())),
            None => Stage::BadHeader(LogCheck::empty(path), h.checksum, legacy_checksum(head)),
        };
    }
    if let Some(what) = generation_outside_log_generations(h.generation) {
        return Stage::Done(Err(Refusal::Generation(CheckError::new(path, what))));
    }
    let ctx = LogContext {
        path,
        file_size,
        header: &h,
        name: parse_log_name(file_name(path)).map(|n| n.kind),
    };
    let mut c = LogCheck::from_header(path, &h);
    c.problems.extend(name_generation_mismatch(&ctx));
    c.problems.extend(attach_list_overflows(&ctx));
    for rule in [file_type_not_log, unsupported_log_version] {
        if let Some(p) = rule(&ctx) {
            c.problems.push(p);
            return Stage::Done(Ok(c.finish()));
        }
    }
    for rule in [page_size_field, sector_size, header_sectors, file_sectors] {
        if let Err(e) = rule(&ctx) {
            return Stage::Done(Err(e.into()));
        }
    }
    for rule in [v8_sector_size, header_size, file_size_mismatch] {
        if let Some(p) = rule(&ctx) {
            c.problems.push(p);
            return Stage::Done(Ok(c.finish()));
        }
    }
    if h.version.is_segment_format() {
        let archived = matches!(ctx.name, Some(LogNameKind::Archived { .. }));
        return Stage::Segments(Box::new(SegmentScan::new(h, c, archived)));
    }
    // Rule 7 of Decision 11 needs no code here: the legacy walk starts at the first LRCHECKSUM
    // record, which must verify for this generation (its range checksum covers the generation),
    // so a v7 log with no record of its own (wiped data, or another generation's) already fails,
    // −501.
    match whole {
        Some(file) => {
            walk_legacy(file, &h, &mut c);
            Stage::Done(Ok(c.finish()))
        }
        None => Stage::Legacy(c, Box::new(h), Vec::new()),
    }
}

/// What the header rules read.
struct LogContext<'a> {
    path: &'a str,
    file_size: u64,
    /// The header, whose checksum verifies.
    header: &'a LogFileHeader,
    /// What the file name says it is.
    name: Option<LogNameKind>,
}

impl LogContext<'_> {
    fn error(&self, code: JetErr, message: String) -> Problem {
        Problem::error(Some(code), self.path, message).at_generation(i64::from(self.header.generation))
    }

    fn cannot_check(&self, message: String) -> CheckError {
        CheckError::new(self.path, message)
    }
}

// --- header rules, in the order `header_stage` applies them -----------------------------------

/// CLI.md Decision 1: a header that fails its checksum is still a log's when its `le_filetype`
/// or its name says so (a damaged log, exit 1); otherwise the file cannot be checked as one.
fn unrecognisable_log(path: &str, h: &LogFileHeader) -> Option<CheckError> {
    let named_log = name_kind(file_name(path)) == Some(FileKind::Log);
    (h.filetype != filetype::LOG && !named_log).then(|| {
        CheckError::new(
            path,
            format!(
                "not recognisable as an ESE log: header checksum fails and le_filetype is {}",
                h.filetype
            ),
        )
    })
}

/// ESE-FORMAT.md §6.2, CLI.md Decisions 1 and 9: a log header that fails its checksum is −501 at
/// offset 0; a file all zeros (every byte fed, `all_zeros`) is a log never written or wiped, which
/// a stream never forgives.
fn header_checksum_fails(mut c: LogCheck, all_zeros: bool, stored: u32, computed: u32) -> LogCheck {
    if all_zeros {
        let p = c.error(
            JetErr::LogFileCorrupt,
            "log file is all zeros: never written or wiped".to_string(),
        );
        p.offset = Some(0);
        p.all_zeros = true;
        return c.finish();
    }
    c.error(
        JetErr::LogFileCorrupt,
        format!("log header checksum mismatch (stored 0x{stored:08X}, computed 0x{computed:08X})"),
    )
    .offset = Some(0);
    c.finish()
}

/// ESE-FORMAT.md §9.3, per file: an archived name carries its generation, which must be the
/// header's (−513, at the name's generation).
fn name_generation_mismatch(ctx: &LogContext<'_>) -> Option<Problem> {
    let Some(LogNameKind::Archived { generation, .. }) = ctx.name else {
        return None;
    };
    let h = ctx.header;
    (i64::from(generation) != i64::from(h.generation)).then(|| {
        let mut p = ctx.error(
            JetErr::LogGenerationMismatch,
            format!(
                "file name says generation {}, header says {}",
                Generation(generation.into()),
                Generation(h.generation.into())
            ),
        );
        p.generation = Some(i64::from(generation));
        p
    })
}

/// ESE-FORMAT.md §6.3: an attach list that runs past its 2048 bytes is a warning; the entries
/// after are not read.
fn attach_list_overflows(ctx: &LogContext<'_>) -> Option<Problem> {
    ctx.header.attach_damaged.then(|| {
        Problem::warning(
            None,
            ctx.path,
            "attach list (rgbAttach) runs past its 2048 bytes; later entries not read",
        )
        .at_generation(i64::from(ctx.header.generation))
    })
}

/// ESE-FORMAT.md §1.5, CLI.md Decision 15: a verified header whose `le_filetype` is neither 0
/// (older logs) nor 3 is no log (−1812); the check stops there.
fn file_type_not_log(ctx: &LogContext<'_>) -> Option<Problem> {
    let ft = ctx.header.filetype;
    (ft != filetype::UNKNOWN && ft != filetype::LOG)
        .then(|| ctx.error(JetErr::FileInvalidType, format!("le_filetype is {ft}, not 3 (log)")))
}

/// CLI.md Decision 10: accepted log versions are 8.4000.x.y and 7.3704.x.y; anything else is
/// −514 and the check stops there.
fn unsupported_log_version(ctx: &LogContext<'_>) -> Option<Problem> {
    let v = ctx.header.version;
    (!v.is_segment_format() && !v.is_legacy_format()).then(|| {
        ctx.error(
            JetErr::BadLogVersion,
            format!("unsupported log version {v} (accepted: 8.4000.x.y, 7.3704.x.y)"),
        )
    })
}

/// CLI.md Decision 2: a log's `le_cbPageSize` is 0 (meaning 4096, and what logs older than the
/// field hold) or a database page size; anything else cannot be checked.
fn page_size_field(ctx: &LogContext<'_>) -> Result<(), CheckError> {
    let v = ctx.header.cb_page_size;
    if v == 0 || PAGE_SIZES.contains(&usize::from(v)) {
        return Ok(());
    }
    Err(ctx.cannot_check(format!(
        "le_cbPageSize is {v}, not a page size ESE uses (0 meaning 4096, 2048, 4096, 8192, 16384, 32768)"
    )))
}

/// CLI.md Decision 2: `le_cbSec` is 512 or 4096.
fn sector_size(ctx: &LogContext<'_>) -> Result<(), CheckError> {
    let v = ctx.header.cb_sec;
    if v == 512 || v == 4096 {
        return Ok(());
    }
    Err(ctx.cannot_check(format!("le_cbSec is {v}, not 512 or 4096")))
}

/// CLI.md Decision 2: `le_csecHeader` is non-zero and makes at most 64 KiB of header.
fn header_sectors(ctx: &LogContext<'_>) -> Result<(), CheckError> {
    let h = ctx.header;
    if h.csec_header == 0 || usize::from(h.csec_header) * usize::from(h.cb_sec) > 65536 {
        return Err(ctx.cannot_check(format!("le_csecHeader is {}, outside 1..=128", h.csec_header)));
    }
    Ok(())
}

/// CLI.md Decision 2: `le_csecLGFile` is more than `le_csecHeader`.
fn file_sectors(ctx: &LogContext<'_>) -> Result<(), CheckError> {
    let h = ctx.header;
    if h.csec_lgfile <= h.csec_header {
        return Err(ctx.cannot_check(format!(
            "le_csecLGFile is {}, not more than le_csecHeader ({})",
            h.csec_lgfile, h.csec_header
        )));
    }
    Ok(())
}

/// ESE-FORMAT.md §6.4: a version 8 log is made of 4096-byte segments; any other `le_cbSec` is
/// −501 and the check stops there.
fn v8_sector_size(ctx: &LogContext<'_>) -> Option<Problem> {
    let h = ctx.header;
    (h.version.is_segment_format() && h.cb_sec != 4096).then(|| {
        ctx.error(
            JetErr::LogFileCorrupt,
            format!("le_cbSec is {} in a version 8 log (must be 4096)", h.cb_sec),
        )
    })
}

/// ESE-FORMAT.md §6.2: the header is 4096 bytes, `le_csecHeader × le_cbSec`; else −501 and the
/// check stops there.
fn header_size(ctx: &LogContext<'_>) -> Option<Problem> {
    let h = ctx.header;
    (usize::from(h.csec_header) * usize::from(h.cb_sec) != LOG_HEADER_SIZE).then(|| {
        ctx.error(
            JetErr::LogFileCorrupt,
            format!(
                "le_csecHeader {} × le_cbSec {} is not the 4096-byte header",
                h.csec_header, h.cb_sec
            ),
        )
    })
}

/// CLI.md Decision 2: a log shorter or longer than its header declares (`le_csecLGFile ×
/// le_cbSec`) is damage, −541, not a value outside a set; the check stops there.
fn file_size_mismatch(ctx: &LogContext<'_>) -> Option<Problem> {
    let h = ctx.header;
    (ctx.file_size != h.expected_file_size()).then(|| {
        ctx.error(
            JetErr::LogFileSizeMismatch,
            format!(
                "file is {} bytes, header says {} sectors × {} = {}",
                ctx.file_size,
                h.csec_lgfile,
                h.cb_sec,
                h.expected_file_size()
            ),
        )
    })
}

// --- the v8 segment scan ---------------------------------------------------------------------

/// Feeds `bytes`, which follow those fed before, to the segment scan a whole segment at a time,
/// keeping in `carry` the start of a segment the buffer ends inside.
fn feed_segments(scan: &mut SegmentScan, carry: &mut Vec<u8>, mut bytes: &[u8]) {
    if !carry.is_empty() {
        let take = (SEGMENT_SIZE - carry.len()).min(bytes.len());
        carry.extend_from_slice(&bytes[..take]);
        bytes = &bytes[take..];
        if carry.len() < SEGMENT_SIZE {
            return;
        }
        scan.segment(carry);
        carry.clear();
    }
    let mut segments = bytes.chunks_exact(SEGMENT_SIZE);
    for seg in &mut segments {
        scan.segment(seg);
    }
    carry.extend_from_slice(segments.remainder());
}

/// The state of the v8 segment scan of ESE-FORMAT.md §6.4 (`ErrLGCheckReadLastLogRecordFF`,
/// `_log/logread.cxx`), fed one segment at a time in order.
struct SegmentScan {
    c: LogCheck,
    generation: i32,
    /// The first data segment (`le_csecHeader`).
    first: usize,
    /// The shadow segment (`le_csecLGFile − 1`): data segments end before it.
    end: usize,
    /// Zero segments are empty since 8.4000.2 (earlier: pattern-filled).
    zero_is_empty: bool,
    /// The file name is a numbered log's (Decision 11).
    archived: bool,
    /// The next segment to come.
    next: usize,
    empty_seen: bool,
    /// The engine also requires empty (shadow or stale) segments to have non-increasing
    /// generations, starting from the file's own; a zero segment resets it to 0 (logread.cxx,
    /// reason "EmptySegmentHigherLgen"). Not in the spec's pseudocode.
    last_empty_gen: i32,
    acc: u64,
    last_valid: Option<usize>,
    /// A damaged segment whose fate the next segment decides ([`torn_write`]).
    pending: Option<(usize, PageCheck)>,
    /// The scan stopped at a corrupt segment.
    stopped: bool,
    /// Some segment of `first..=last` of [`archived_log_without_a_record`] is not zero.
    data_not_zero: bool,
}

/// How the segment rules grade one data segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SegmentFate {
    /// A good segment of this generation: its stored checksum joins the accumulated one.
    Good(u64),
    /// An empty segment (zero, a leftover shadow or a stale one) of this generation: the
    /// generation empty segments after it may not exceed.
    Empty(i32),
    /// Corrupt: the engine's reason and the condition in words; the scan stops.
    Corrupt(&'static str, String),
    /// Damaged, and maybe a torn write the next segment (its shadow) patches ([`torn_write`]).
    MaybeTorn,
}

impl SegmentScan {
    fn new(h: LogFileHeader, c: LogCheck, archived: bool) -> SegmentScan {
        let first = usize::from(h.csec_header);
        SegmentScan {
            c,
            generation: h.generation,
            first,
            end: usize::from(h.csec_lgfile).saturating_sub(1),
            zero_is_empty: h.version.update_major >= 2,
            archived,
            next: first,
            empty_seen: false,
            last_empty_gen: h.generation,
            acc: 0,
            last_valid: None,
            pending: None,
            stopped: false,
            data_not_zero: false,
        }
    }

    fn cur(&self, isec: usize) -> Lgpos {
        Lgpos {
            generation: self.generation,
            isec: isec as u16,
            ib: 0,
        }
    }

    /// The next segment of the file.
    fn segment(&mut self, seg: &[u8]) {
        let isec = self.next;
        self.next += 1;
        if !self.data_not_zero && (self.first..=self.last_data()).contains(&isec) {
            self.data_not_zero = !is_all_zero(seg);
        }
        if let Some((torn, check)) = self.pending.take() {
            self.decide_torn(torn, &check, Some(seg));
        }
        if self.stopped || isec >= self.end {
            return;
        }
        self.c.sectors_seen += 1;
        let check = verify_segment(seg, isec as u32);
        if check.status == PageStatus::Correctable {
            let bits = check.corrected_bits();
            self.c.correctable_sectors += 1;
            self.c
                .warn(
                    Some(JetErr::LogFileCorrupt),
                    format!(
                        "segment {isec}: single-bit error at bit {:?}, correctable (stored 0x{:016X}, computed 0x{:016X})",
                        bits, check.stored.values[0], check.computed.values[0]
                    ),
                )
                .at_sector_mut(isec as u64, (isec * SEGMENT_SIZE) as u64);
        }
        let ctx = SegmentContext {
            isec,
            first: self.first,
            cur: self.cur(isec),
            zero_is_empty: self.zero_is_empty,
            empty_seen: self.empty_seen,
            last_empty_gen: self.last_empty_gen,
        };
        match segment_verdict(&ctx, seg, &check) {
            SegmentFate::Good(stored) => {
                self.acc ^= stored;
                self.last_valid = Some(isec);
            }
            SegmentFate::Empty(g) => {
                self.last_empty_gen = g;
                self.empty_seen = true;
            }
            SegmentFate::Corrupt(reason, what) => self.corrupt(isec, reason, &what, &check),
            SegmentFate::MaybeTorn => self.pending = Some((isec, check)),
        }
    }

    /// The segment after the damaged segment `isec` has come (`None`: the file ends): a torn
    /// write patchable from it is a warning and counts as good, else the scan stops.
    fn decide_torn(&mut self, isec: usize, check: &PageCheck, next: Option<&[u8]>) {
        match next.and_then(|n| torn_write(isec, self.cur(isec), n)) {
            Some(stored) => {
                self.c
                    .warn(
                        None,
                        format!(
                            "segment {isec}: torn write, patchable from the shadow segment {} (recovery rewrites it)",
                            isec + 1
                        ),
                    )
                    .at_sector_mut(isec as u64, (isec * SEGMENT_SIZE) as u64);
                self.acc ^= stored;
                self.last_valid = Some(isec);
            }
            None => self.corrupt(isec, "SegmentCorrupt", "checksum mismatch", check),
        }
    }

    /// A corrupt segment: `reason` is the engine's name for the condition, `what` says it in
    /// words. The scan stops.
    fn corrupt(&mut self, isec: usize, reason: &'static str, what: &str, check: &PageCheck) {
        self.stopped = true;
        self.c.bad_sectors += 1;
        let p = self.c.error(
            JetErr::LogFileCorrupt,
            format!(
                "segment {isec}: {what} (stored 0x{:016X}, computed 0x{:016X})",
                check.stored.values[0], check.computed.values[0]
            ),
        );
        p.reason = Some(reason);
        p.at_sector_mut(isec as u64, (isec * SEGMENT_SIZE) as u64);
    }

    /// The last segment [`archived_log_without_a_record`] looks at.
    fn last_data(&self) -> usize {
        self.end.saturating_sub(1).max(self.first)
    }

    /// "Last Lgpos" and the accumulated checksum, then Decision 11's rule for an archived log.
    fn finish(mut self) -> LogCheck {
        if let Some((torn, check)) = self.pending.take() {
            self.decide_torn(torn, &check, None);
        }
        let first = self.first;
        self.c.last_lgpos = Some(Lgpos {
            generation: self.generation,
            isec: self.last_valid.map_or(first, |v| v + 1) as u16,
            ib: 0,
        });
        self.c.accumulated_checksum = Some(self.acc);
        let found = ArchivedLog {
            generation: self.generation,
            first,
            last: self.last_data(),
            archived: self.archived,
            records: self.last_valid,
            bad_sectors: self.c.bad_sectors,
            all_zeros: !self.data_not_zero,
        };
        if let Some(what) = archived_log_without_a_record(&found) {
            self.c
                .error(JetErr::LogFileCorrupt, what)
                .at_sector_mut(first as u64, (first * SEGMENT_SIZE) as u64);
        }
        self.c.finish()
    }
}

/// What the segment rules read about one data segment and the scan so far.
#[derive(Debug, Clone, Copy)]
struct SegmentContext {
    isec: usize,
    /// The first data segment.
    first: usize,
    /// The position the segment must claim: `(generation, isec, 0)`.
    cur: Lgpos,
    zero_is_empty: bool,
    empty_seen: bool,
    last_empty_gen: i32,
}

/// LGSEGHDR of a segment (always 4 KiB, so it always holds the 40-byte header).
fn segment_header(seg: &[u8]) -> Option<LogSegmentHeader> {
    LogSegmentHeader::parse(seg).ok()
}

/// The `le_lgposSegment` of a segment (zeros when it cannot be read).
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

/// The segment rules of ESE-FORMAT.md §6.4, in the engine's order (CLI.md Decisions 11, 12): a
/// segment whose checksum verifies (after a one-bit repair) is judged by the position it claims
/// ([`stale_segment`], [`segment_ahead`], [`valid_after_empty`]); one that does not is a
/// leftover shadow ([`leftover_shadow`]), an empty zero segment ([`empty_segment`]), damage
/// after an empty segment ([`damaged_after_empty`]), or a torn write the next segment decides.
fn segment_verdict(ctx: &SegmentContext, seg: &[u8], check: &PageCheck) -> SegmentFate {
    let good = match check.status {
        PageStatus::Good => segment_header(seg).map(|h| (h.lgpos_segment, h.checksum)),
        PageStatus::Correctable => {
            segment_header(&corrected(seg, check.corrected_bits())).map(|h| (h.lgpos_segment, h.checksum))
        }
        PageStatus::Uninitialized | PageStatus::Bad | PageStatus::WrongPageNumber => None,
    };
    let Some((lgpos, stored)) = good else {
        if let Some(fate) = leftover_shadow(ctx, seg) {
            return fate;
        }
        if let Some(fate) = empty_segment(ctx, check) {
            return fate;
        }
        if let Some(fate) = damaged_after_empty(ctx) {
            return fate;
        }
        return SegmentFate::MaybeTorn;
    };
    stale_segment(ctx, lgpos)
        .or_else(|| segment_ahead(ctx, lgpos))
        .or_else(|| valid_after_empty(ctx))
        .unwrap_or(SegmentFate::Good(stored))
}

/// §6.4: a segment that does not verify at its own number but does at the one before is a
/// leftover shadow copy of the previous segment, empty; its generation may not exceed the
/// empty one before it ("EmptySegmentHigherLgen").
fn leftover_shadow(ctx: &SegmentContext, seg: &[u8]) -> Option<SegmentFate> {
    if ctx.isec == ctx.first || !valid_at(seg, ctx.isec as u32 - 1) {
        return None;
    }
    let g = seg_lgpos(seg).generation;
    Some(if g > ctx.last_empty_gen {
        SegmentFate::Corrupt(
            "EmptySegmentHigherLgen",
            format!(
                "a shadow segment of generation {} after an empty one of generation {}",
                Generation(g.into()),
                Generation(ctx.last_empty_gen.into())
            ),
        )
    } else {
        SegmentFate::Empty(g)
    })
}

/// §6.4: since 8.4000.2 an all-zero segment is empty (and resets the generation empty
/// segments are held to).
fn empty_segment(ctx: &SegmentContext, check: &PageCheck) -> Option<SegmentFate> {
    (check.status == PageStatus::Uninitialized && ctx.zero_is_empty).then_some(SegmentFate::Empty(0))
}

/// §6.4: a damaged segment after an empty one is corrupt ("CorruptAfterEmptySegment").
fn damaged_after_empty(ctx: &SegmentContext) -> Option<SegmentFate> {
    ctx.empty_seen.then(|| {
        SegmentFate::Corrupt(
            "CorruptAfterEmptySegment",
            "a damaged segment after an empty one".to_string(),
        )
    })
}

/// §6.4 and CLI.md Decision 11: a damaged segment `isec` whose next segment verifies at `isec`
/// and claims its position `cur` is a torn write the shadow patches (a warning; recovery
/// rewrites it): the shadow's stored checksum is the one that counts. `None`: corrupt,
/// "SegmentCorrupt".
fn torn_write(isec: usize, cur: Lgpos, next: &[u8]) -> Option<u64> {
    (valid_at(next, isec as u32) && seg_lgpos(next) == cur).then(|| verify_segment(next, isec as u32).stored.values[0])
}

/// §6.4: a verified segment claiming an earlier position is a stale one from an older use of
/// the file, empty; its generation may not exceed the empty one before it.
fn stale_segment(ctx: &SegmentContext, lgpos: Lgpos) -> Option<SegmentFate> {
    if lgpos >= ctx.cur {
        return None;
    }
    Some(if lgpos.generation > ctx.last_empty_gen {
        SegmentFate::Corrupt(
            "EmptySegmentHigherLgen",
            format!(
                "a stale segment of generation {} after an empty one of generation {}",
                Generation(lgpos.generation.into()),
                Generation(ctx.last_empty_gen.into())
            ),
        )
    } else {
        SegmentFate::Empty(lgpos.generation)
    })
}

/// §6.4: a verified segment claiming a later position is corrupt ("BadSegmentLgpos").
fn segment_ahead(ctx: &SegmentContext, lgpos: Lgpos) -> Option<SegmentFate> {
    (lgpos > ctx.cur).then(|| {
        SegmentFate::Corrupt(
            "BadSegmentLgpos",
            format!("the segment claims position {lgpos}, expected {}", ctx.cur),
        )
    })
}

/// §6.4: a valid segment of this generation after an empty one is corrupt
/// ("ValidSegmentAfterEmpty").
fn valid_after_empty(ctx: &SegmentContext) -> Option<SegmentFate> {
    ctx.empty_seen.then(|| {
        SegmentFate::Corrupt(
            "ValidSegmentAfterEmpty",
            "a valid segment after an empty one".to_string(),
        )
    })
}

/// What [`archived_log_without_a_record`] reads, once the scan is over.
#[derive(Debug, Clone, Copy)]
struct ArchivedLog {
    generation: i32,
    /// The data segments looked at: `first..=last`.
    first: usize,
    last: usize,
    /// The file name is a numbered log's ([`LogNameKind::Archived`]).
    archived: bool,
    /// The last data segment of this generation found good, a torn one patched from its
    /// shadow included.
    records: Option<usize>,
    bad_sectors: u64,
    /// Every byte of segments `first..=last` is zero.
    all_zeros: bool,
}

/// CLI.md Decision 11: an archived log holds what the engine wrote. The engine never closes a
/// generation without writing to it: a full log rolls over, and a forced rollover
/// (`ErrLGForceLogRollover`, `logapi.cxx`, which logs with `fLGCreateNewGen`) goes through
/// `LOG_WRITE_BUFFER::ErrLGLogRec` (`_log/logwrite.cxx`), which writes at least one sector to the
/// closing generation before it switches, filled with NOPs when nothing else is waiting ("we need
/// to write at least one sector while rolling the log file"; the rollover record itself opens the
/// new generation). So a numbered log in which the segment scan (`ErrLGCheckReadLastLogRecordFF`,
/// `_log/logread.cxx`) found no data segment of its own generation — all zeros, or only stale
/// and shadow segments of other generations — was wiped or never written: −501, graded like
/// other damage to a log's own bytes (Decision 15). The scan alone accepts such a log, as it
/// must the current `<base>.log`, which is exempt: freshly rolled, it may hold nothing yet (the
/// real belkasoft `SRU.log`, generation 82, holds no data segment). Not when the scan already
/// stopped at a corrupt segment: that is the −501.
///
/// `Some(message)`, in words, when the rule is broken.
fn archived_log_without_a_record(a: &ArchivedLog) -> Option<String> {
    if !a.archived || a.records.is_some() || a.bad_sectors > 0 {
        return None;
    }
    let (first, last) = (a.first, a.last);
    let segments = if first == last {
        format!("segment {first} is")
    } else {
        format!("segments {first}-{last} are")
    };
    let (what, how) = if a.all_zeros {
        (format!("{segments} all zeros"), "wiped, or never written?")
    } else {
        (
            format!("{segments} empty or stale copies of other generations"),
            "overwritten, or never written?",
        )
    };
    Some(format!(
        "no data segment of generation {} verifies: {what}, yet an archived log always holds at least one record ({how})",
        Generation(a.generation.into())
    ))
}

// --- the v7 LRCHECKSUM walk ----------------------------------------------------------------

/// The v7 LRCHECKSUM chain walk of ESE-FORMAT.md §6.6 over the whole file. Bounded: every step
/// moves forward by at least 22 bytes and the number of steps is capped by the file size.
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
        if let Some(msg) = lrchecksum_structure(&rec, pos, cb_sec) {
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

/// ESE-FORMAT.md §6.6, the structural rules of an LRCHECKSUM record at file offset `pos`:
/// `lrtyp` 42, `cbBackwards` 0 or the record's offset in its sector, the short-checksum flag
/// 0x9A or 0xD1 (0xD1 with a zero short checksum), and a range longer than a sector only with
/// the short checksum. `Some(message)` for the first broken.
fn lrchecksum_structure(rec: &LrChecksum, pos: usize, cb_sec: usize) -> Option<String> {
    let back = rec.cb_backwards as usize;
    if rec.lrtyp != LRTYP_CHECKSUM {
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
    }
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
    use crate::testkit::log::seal_segment;
    use crate::testkit::LogBuilder;

    const GEN: i32 = 0x20;

    fn header() -> LogFileHeader {
        LogFileHeader::parse(&LogBuilder::new(GEN).header()).unwrap()
    }

    fn ctx<'a>(h: &'a LogFileHeader, path: &'a str) -> LogContext<'a> {
        LogContext {
            path,
            file_size: h.expected_file_size(),
            header: h,
            name: parse_log_name(file_name(path)).map(|n| n.kind),
        }
    }

    fn json(c: &LogCheck) -> String {
        serde_json::to_string(c).unwrap()
    }

    /// `file` fed in buffers of `size` bytes.
    fn fed_in(file: &[u8], path: &str, size: usize) -> Result<LogCheck, CheckError> {
        let mut c = LogChecker::new(path, file.len() as u64)?;
        for piece in file.chunks(size) {
            c.feed(piece).unwrap();
        }
        c.finish()
    }

    /// A v7 (7.3704) log of 512-byte sectors: two LRCHECKSUM records, the first covering the
    /// 100 bytes after it and pointing to the second.
    fn v7_log() -> Vec<u8> {
        let mut b = vec![0u8; 16 * 512];
        b[4..8].copy_from_slice(&1i32.to_le_bytes());
        b[8..10].copy_from_slice(&512u16.to_le_bytes());
        b[10..12].copy_from_slice(&8u16.to_le_bytes());
        b[12..14].copy_from_slice(&16u16.to_le_bytes());
        b[32..36].copy_from_slice(&7u32.to_le_bytes());
        b[36..40].copy_from_slice(&3704u32.to_le_bytes());
        b[40..44].copy_from_slice(&15u32.to_le_bytes());
        b[667..671].copy_from_slice(&3u32.to_le_bytes());
        crate::testkit::damage::reseal_legacy_header(&mut b[..4096]);
        for (pos, fwd, next) in [(4096usize, 100u32, 100u32), (4096 + 122, 50, 0)] {
            for i in 0..fwd as usize {
                b[pos + 22 + i] = (i * 13 + 1) as u8;
            }
            b[pos] = 42;
            b[pos + 1..pos + 5].copy_from_slice(&((pos % 512) as u32).to_le_bytes());
            b[pos + 5..pos + 9].copy_from_slice(&fwd.to_le_bytes());
            b[pos + 9..pos + 13].copy_from_slice(&next.to_le_bytes());
            b[pos + 21] = SHORT_OFF;
            let rec = LrChecksum::read(&b, pos).unwrap();
            let ck = range_checksum(&b, pos, &rec, 1).unwrap();
            b[pos + 13..pos + 17].copy_from_slice(&ck.to_le_bytes());
        }
        b
    }

    #[test]
    fn a_header_that_fails_its_checksum_is_a_log_only_by_type_or_name() {
        let mut h = header();
        assert!(unrecognisable_log("x.bin", &h).is_none(), "le_filetype 3");
        h.filetype = 0;
        assert!(unrecognisable_log("x.bin", &h)
            .unwrap()
            .message
            .contains("not recognisable"));
        assert!(unrecognisable_log("E0000000020.log", &h).is_none());
        let c = header_checksum_fails(LogCheck::empty("E00.log"), true, 0, 0);
        assert!(c.problems[0].all_zeros && c.problems[0].message.contains("all zeros"));
        let c = header_checksum_fails(LogCheck::empty("E00.log"), false, 1, 2);
        assert_eq!(
            c.problems[0].message,
            "log header checksum mismatch (stored 0x00000001, computed 0x00000002)"
        );
        assert_eq!((c.verdict, c.problems[0].offset), (Verdict::Fail, Some(0)));
    }

    #[test]
    fn an_archived_name_must_carry_the_header_generation() {
        let h = header();
        assert!(name_generation_mismatch(&ctx(&h, "E0000000020.log")).is_none());
        assert!(name_generation_mismatch(&ctx(&h, "E00.log")).is_none());
        let p = name_generation_mismatch(&ctx(&h, "E0000000021.log")).unwrap();
        assert_eq!(
            (p.code, p.generation),
            (Some(JetErr::LogGenerationMismatch), Some(0x21))
        );
    }

    #[test]
    fn an_overflowing_attach_list_warns() {
        let mut h = header();
        assert!(attach_list_overflows(&ctx(&h, "E00.log")).is_none());
        h.attach_damaged = true;
        let p = attach_list_overflows(&ctx(&h, "E00.log")).unwrap();
        assert_eq!((p.is_error(), p.generation), (false, Some(i64::from(GEN))));
    }

    #[test]
    fn file_type_and_version_stop_the_check_with_their_codes() {
        let mut h = header();
        assert!(file_type_not_log(&ctx(&h, "E00.log")).is_none());
        h.filetype = 0;
        assert!(file_type_not_log(&ctx(&h, "E00.log")).is_none(), "older logs hold 0");
        h.filetype = 4;
        assert_eq!(
            file_type_not_log(&ctx(&h, "E00.log")).unwrap().code,
            Some(JetErr::FileInvalidType)
        );
        let mut h = header();
        assert!(unsupported_log_version(&ctx(&h, "E00.log")).is_none());
        h.version.minor = 4001;
        assert_eq!(
            unsupported_log_version(&ctx(&h, "E00.log")).unwrap().code,
            Some(JetErr::BadLogVersion)
        );
    }

    #[test]
    fn sizes_outside_the_allowed_sets_cannot_be_checked() {
        let h = header();
        let ok = |h: &LogFileHeader| {
            [page_size_field, sector_size, header_sectors, file_sectors]
                .iter()
                .map(|rule| rule(&ctx(h, "E00.log")).is_ok())
                .collect::<Vec<_>>()
        };
        assert_eq!(ok(&h), [true; 4]);
        for (v, good) in [(0u16, true), (2048, true), (32768, true), (4095, false), (65535, false)] {
            let mut h = header();
            h.cb_page_size = v;
            assert_eq!(page_size_field(&ctx(&h, "E00.log")).is_ok(), good, "{v}");
        }
        let mut h = header();
        h.cb_sec = 1024;
        assert_eq!(ok(&h), [true, false, true, true]);
        let mut h = header();
        h.csec_header = 0;
        assert!(!ok(&h)[2]);
        h.csec_header = 17;
        assert!(!ok(&h)[2], "68 KiB of header");
        let mut h = header();
        h.csec_lgfile = 1;
        assert_eq!(ok(&h), [true, true, true, false]);
    }

    #[test]
    fn segment_size_header_size_and_file_size_are_damage_that_stops_the_check() {
        let mut h = header();
        let c = ctx(&h, "E00.log");
        assert!(v8_sector_size(&c).is_none() && header_size(&c).is_none() && file_size_mismatch(&c).is_none());
        h.cb_sec = 512;
        assert!(v8_sector_size(&ctx(&h, "E00.log")).is_some());
        assert!(header_size(&ctx(&h, "E00.log")).is_some(), "1 × 512 is not 4096");
        let h = header();
        let mut c = ctx(&h, "E00.log");
        c.file_size -= 1;
        assert_eq!(file_size_mismatch(&c).unwrap().code, Some(JetErr::LogFileSizeMismatch));
    }

    fn seg_ctx(isec: usize) -> SegmentContext {
        SegmentContext {
            isec,
            first: 1,
            cur: Lgpos {
                generation: GEN,
                isec: isec as u16,
                ib: 0,
            },
            zero_is_empty: true,
            empty_seen: false,
            last_empty_gen: GEN,
        }
    }

    fn verdict(ctx: &SegmentContext, seg: &[u8]) -> SegmentFate {
        segment_verdict(ctx, seg, &verify_segment(seg, ctx.isec as u32))
    }

    #[test]
    fn a_good_segment_of_its_place_counts_and_others_are_empty_or_corrupt() {
        let b = LogBuilder::new(GEN);
        let s3 = b.segment(3);
        let stored = u64::from_le_bytes(s3[..8].try_into().unwrap());
        assert_eq!(verdict(&seg_ctx(3), &s3), SegmentFate::Good(stored));
        // Sealed for page 3 but claiming (GEN, 2): stale. Claiming (GEN, 4): ahead.
        let claiming = |isec: u16, generation: i32| {
            let mut s = LogBuilder::new(generation).segment(isec);
            seal_segment(&mut s, 3);
            s
        };
        assert_eq!(verdict(&seg_ctx(3), &claiming(2, GEN)), SegmentFate::Empty(GEN));
        assert!(matches!(
            verdict(&seg_ctx(3), &claiming(4, GEN)),
            SegmentFate::Corrupt("BadSegmentLgpos", _)
        ));
        // A stale segment of a higher generation than the empty one before it.
        let mut c = seg_ctx(3);
        c.last_empty_gen = 0;
        assert!(matches!(
            stale_segment(
                &c,
                Lgpos {
                    generation: 5,
                    isec: 1,
                    ib: 0
                }
            ),
            Some(SegmentFate::Corrupt("EmptySegmentHigherLgen", _))
        ));
        // A good segment after an empty one.
        c.empty_seen = true;
        assert!(matches!(
            verdict(&c, &s3),
            SegmentFate::Corrupt("ValidSegmentAfterEmpty", _)
        ));
        // Zero segments are empty since 8.4000.2 only.
        let zero = [0u8; SEGMENT_SIZE];
        assert_eq!(verdict(&seg_ctx(3), &zero), SegmentFate::Empty(0));
        let mut old = seg_ctx(3);
        old.zero_is_empty = false;
        assert_eq!(verdict(&old, &zero), SegmentFate::MaybeTorn);
    }

    #[test]
    fn a_damaged_segment_is_a_leftover_shadow_damage_after_empty_or_maybe_torn() {
        let b = LogBuilder::new(GEN);
        // Segment 2's bytes sealed as page 2 found at place 3: the leftover shadow of 2.
        assert_eq!(verdict(&seg_ctx(3), &b.segment(2)), SegmentFate::Empty(GEN));
        assert!(
            leftover_shadow(&seg_ctx(1), &b.segment(2)).is_none(),
            "none before the first"
        );
        let garbage: Vec<u8> = (0..SEGMENT_SIZE).map(|i| (i * 7 + 1) as u8).collect();
        assert_eq!(verdict(&seg_ctx(3), &garbage), SegmentFate::MaybeTorn);
        let mut after = seg_ctx(3);
        after.empty_seen = true;
        assert!(matches!(
            verdict(&after, &garbage),
            SegmentFate::Corrupt("CorruptAfterEmptySegment", _)
        ));
        // The torn write: the next segment verifies at 3 and claims (GEN, 3).
        let mut shadow = b.segment(3);
        seal_segment(&mut shadow, 3);
        let cur = seg_ctx(3).cur;
        assert_eq!(
            torn_write(3, cur, &shadow),
            Some(u64::from_le_bytes(shadow[..8].try_into().unwrap()))
        );
        assert_eq!(torn_write(3, cur, &b.segment(4)), None);
        assert_eq!(torn_write(3, cur, &[0u8; SEGMENT_SIZE]), None);
    }

    #[test]
    fn an_archived_log_with_no_record_of_its_own_is_501_unless_current_or_already_corrupt() {
        let a = ArchivedLog {
            generation: 0x51,
            first: 1,
            last: 14,
            archived: true,
            records: None,
            bad_sectors: 0,
            all_zeros: true,
        };
        assert_eq!(
            archived_log_without_a_record(&a).unwrap(),
            "no data segment of generation 81 (0x51) verifies: segments 1-14 are all zeros, yet an archived log always holds at least one record (wiped, or never written?)"
        );
        let stale = ArchivedLog { all_zeros: false, ..a };
        assert!(archived_log_without_a_record(&stale)
            .unwrap()
            .contains("empty or stale copies"));
        let one = ArchivedLog { last: 1, ..a };
        assert!(archived_log_without_a_record(&one)
            .unwrap()
            .contains("segment 1 is all zeros"));
        for fine in [
            ArchivedLog { archived: false, ..a },
            ArchivedLog { records: Some(1), ..a },
            ArchivedLog { bad_sectors: 1, ..a },
        ] {
            assert!(archived_log_without_a_record(&fine).is_none(), "{fine:?}");
        }
    }

    #[test]
    fn an_lrchecksum_record_has_its_shape_before_its_checksums() {
        let rec = LrChecksum {
            lrtyp: LRTYP_CHECKSUM,
            cb_backwards: 0,
            cb_forwards: 100,
            cb_next: 0,
            checksum: 0,
            short_checksum: 0,
            use_short: SHORT_OFF,
        };
        assert_eq!(lrchecksum_structure(&rec, 4096, 512), None);
        let cases = [
            (LrChecksum { lrtyp: 1, ..rec }, "lrtyp is 1"),
            (LrChecksum { cb_backwards: 7, ..rec }, "cbBackwards 7"),
            (LrChecksum { use_short: 1, ..rec }, "bUseShortChecksum is 0x01"),
            (
                LrChecksum {
                    short_checksum: 1,
                    ..rec
                },
                "short checksum set",
            ),
            (
                LrChecksum {
                    cb_forwards: 600,
                    ..rec
                },
                "longer than a sector",
            ),
        ];
        for (r, what) in cases {
            assert!(lrchecksum_structure(&r, 4096, 512).unwrap().contains(what), "{what}");
        }
        let back = LrChecksum {
            cb_backwards: 10,
            ..rec
        };
        assert_eq!(
            lrchecksum_structure(&back, 4096 + 10, 512),
            None,
            "its offset in its sector"
        );
    }

    /// Logs of every shape the rules know: good, with a leftover shadow, torn and patchable, a
    /// corrupt segment, a correctable one, a wiped numbered log, a bad header, a v7 log.
    fn logs() -> Vec<(String, Vec<u8>)> {
        let b = LogBuilder::new(GEN).data_segments(6);
        let name = "E0000000020.log".to_string();
        let mut out = vec![
            (name.clone(), b.build()),
            (
                name.clone(),
                LogBuilder::new(GEN).data_segments(6).leftover_shadow(true).build(),
            ),
        ];
        let mut torn = b.build();
        let mut shadow = b.segment(4);
        seal_segment(&mut shadow, 4);
        torn[5 * SEGMENT_SIZE..6 * SEGMENT_SIZE].copy_from_slice(&shadow);
        torn[4 * SEGMENT_SIZE + 300] ^= 0x55;
        out.push((name.clone(), torn));
        let mut corrupt = b.build();
        corrupt[3 * SEGMENT_SIZE + 900] ^= 0x77;
        out.push((name.clone(), corrupt));
        let mut correctable = b.build();
        correctable[2 * SEGMENT_SIZE + 1000] ^= 0x08;
        out.push((name.clone(), correctable));
        let mut wiped = b.build();
        wiped[SEGMENT_SIZE..].fill(0);
        out.push((name.clone(), wiped));
        let mut bad_header = b.build();
        bad_header[100] ^= 1;
        out.push((name.clone(), bad_header));
        out.push(("E00.log".to_string(), vec![0u8; 16 * SEGMENT_SIZE]));
        out.push(("edb00001.log".to_string(), v7_log()));
        let mut v7_damaged = v7_log();
        v7_damaged[4096 + 30] ^= 1;
        out.push(("edb00001.log".to_string(), v7_damaged));
        out
    }

    #[test]
    fn a_log_fed_a_byte_at_a_time_or_in_any_buffers_gives_the_one_buffer_result() {
        let mut seen = String::new();
        for (name, file) in logs() {
            let one = fed_in(&file, &name, file.len()).unwrap();
            seen.extend(one.problems.iter().map(|p| p.message.clone() + "\n"));
            let whole = json(&one);
            for size in [1, 7, 4095, 4096, 4097, 10_000, 64 << 10] {
                assert_eq!(
                    json(&fed_in(&file, &name, size).unwrap()),
                    whole,
                    "{name} in buffers of {size}"
                );
            }
        }
        // The logs hold what they are said to.
        for what in [
            "segment 4: torn write",
            "segment 3: checksum mismatch",
            "segment 2: single-bit error",
            "no data segment of generation 32",
            "log header checksum mismatch",
            "log file is all zeros",
            "range checksum mismatch",
        ] {
            assert!(seen.contains(what), "{what} not in:\n{seen}");
        }
    }

    #[test]
    fn bytes_past_the_end_are_refused_and_bytes_never_fed_cannot_be_checked() {
        let file = LogBuilder::new(GEN).build();
        let mut c = LogChecker::new("E00.log", file.len() as u64).unwrap();
        c.feed(&file[..5000]).unwrap();
        assert!(matches!(c.feed(&file), Err(FeedError::PastEnd { .. })));
        let e = c.finish().err().unwrap();
        assert!(
            e.message.starts_with("bytes 5000..65536 of the file were never given"),
            "{}",
            e.message
        );
        assert!(LogChecker::new("E00.log", 4095).is_err());
        let mut c = LogChecker::new("E00.log", file.len() as u64).unwrap();
        c.feed(&file[..100]).unwrap();
        assert!(c.finish().is_err(), "the header never came whole");
    }

    #[test]
    fn an_impossible_generation_cannot_be_checked_alone_and_fails_in_a_stream() {
        let file = LogBuilder::new(0).build();
        let mut c = LogChecker::new("E0000000020.log", file.len() as u64).unwrap();
        c.feed(&file).unwrap();
        assert!(c.finish().is_err());
        let mut c = LogChecker::new("E0000000020.log", file.len() as u64).unwrap();
        c.feed(&file).unwrap();
        let c = c.finish_in_stream().unwrap();
        assert_eq!(
            (c.verdict, c.problems[0].code),
            (Verdict::Fail, Some(JetErr::LogGenerationMismatch))
        );
    }
}
