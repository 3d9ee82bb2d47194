//! The backup-set verdict (CHKSGFILES, ESE-FORMAT.md §9.5, CLI.md Decisions 13–17): which logs the
//! databases need, whether they are present and intact, what may be truncated.
//!
//! Pure decisions over results already computed by `scan`; no I/O here (and `--strict` is applied
//! here, once, at the edge). Inputs are small views so that the rules can be tested on their own;
//! `decide_set` builds them from a `SetScan`, [`verify_set`] scans and decides.

use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::db_header::DbFileHeader;
use crate::format::{Generation, GenerationRange, GenerationRuns, LogTime, Signature};
use crate::problem::{Problem, Severity};
use crate::scan::checkpoint::CheckpointCheck;
use crate::scan::database::DbCheck;
use crate::scan::flushmap::FlushMapCheck;
use crate::scan::set::{scan_set, ScanOptions, SetScan};
use crate::scan::stream::{Ignored, StreamCheck};
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A database of the set, as the decision needs it.
#[derive(Debug, Clone)]
pub struct DbView {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// The header copy in use (`None` when both copies are bad).
    pub header: Option<DbFileHeader>,
    /// Page size of the scan.
    pub page_size: usize,
    /// Pages seen by the scan.
    pub pages_seen: u64,
    /// The file's own verdict (headers and pages).
    pub verdict: Verdict,
}

impl DbView {
    /// CLI.md Decision 13.
    pub(crate) fn needs_logs(&self) -> bool {
        self.header.as_ref().is_some_and(DbFileHeader::needs_logs)
    }
}

/// One log generation of the stream.
#[derive(Debug, Clone)]
pub struct LogView {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// True when the log has no error of its own (header, segments).
    pub intact: bool,
    /// Its `signLog`.
    pub signature: Option<Signature>,
    /// Its `le_cbPageSize` (0 → 4096 already applied).
    pub page_size: Option<u32>,
    /// Its `tmCreate`, from a header whose checksum verifies.
    pub created: Option<LogTime>,
}

/// The log stream found beside (or apart from) the databases.
#[derive(Debug, Clone, Default)]
pub struct StreamView {
    /// Base name (`E00`, `SRU`, `edb`).
    pub base: String,
    /// Directory of the logs.
    pub directory: crate::escape::ShownPath,
    /// The stream's signature (of its newest log).
    pub signature: Option<Signature>,
    /// Logs by generation.
    pub logs: BTreeMap<i32, LogView>,
    /// Generation of the current `<base>.log`, if present.
    pub current: Option<i32>,
    /// Problems of the logs and of the stream, each tagged with the generation it concerns when
    /// it concerns one (severities are decided again here, Decision 15).
    pub problems: Vec<Problem>,
    /// The logs were named file by file (no directory): no checkpoint beside them was looked for.
    pub named_file_by_file: bool,
}

/// The checkpoint of the stream.
#[derive(Debug, Clone)]
pub struct CheckpointView {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// At least one copy valid.
    pub usable: bool,
    /// Generation of `le_lgposCheckpoint`: the lower of the copies that verify (what bounds
    /// truncation, Decision 19).
    pub generation: Option<i32>,
    /// Generation of `le_lgposCheckpoint` of the copy in use (the primary when it verifies):
    /// where recovery starts.
    pub in_use_generation: Option<i32>,
    /// Its `signLog`.
    pub signature: Option<Signature>,
}

/// Per-database line of `verify --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DbSummary {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// `le_dbstate` name.
    #[schemars(schema_with = "crate::format::db_header::opt_state_name_schema")]
    pub state: Option<&'static str>,
    /// Needs log replay (Decision 13).
    pub needs_logs: bool,
    /// `[lGenMinRequired, lGenMaxRequired]`.
    pub log_required: Option<[i32; 2]>,
    /// `lGenMaxCommitted`.
    pub log_committed: Option<i32>,
    /// `signLog`.
    pub log_signature: Option<Signature>,
    /// Pages seen.
    pub pages_seen: u64,
    /// eseutil /K's counters and page lists, as `checksum --json` has them (CLI.md "JSON":
    /// every counter the text shows).
    #[serde(flatten)]
    pub pages: PageCounters,
    /// pass / fail.
    pub verdict: Verdict,
}

/// A database's page counters in `verify --json`, as in `checksum --json`.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PageCounters {
    /// Page size of the scan.
    pub page_size: usize,
    /// Pages that failed their checksum (header copies included).
    pub bad_checksums: u64,
    /// Pages with a correctable single-bit error.
    pub correctable_checksums: u64,
    /// All-zero pages.
    pub uninitialized_pages: u64,
    /// Pages that verify at another page number.
    pub wrong_page_numbers: u64,
    /// The last page the database owns (owned-space tree), when it could be read.
    pub owned_pages: Option<u32>,
    /// Bad pages, ascending (−1 and 0: the header copies).
    pub bad_pages: Vec<i64>,
    /// Correctable pages, ascending.
    pub correctable_pages: Vec<i64>,
    /// The flush map the pages were compared with (issue 22 rule 3), as in `checksum --json`.
    pub flush_map_used: Option<crate::escape::ShownPath>,
    /// The tables of the catalog (CLI.md Decision 23), as in `checksum --json`.
    pub tables: Option<Vec<crate::scan::database::TableSummary>>,
}

impl PageCounters {
    /// The counters of a database's check.
    pub(crate) fn of(c: &DbCheck) -> Self {
        PageCounters {
            page_size: c.page_size,
            bad_checksums: c.bad_checksums,
            correctable_checksums: c.correctable_checksums,
            uninitialized_pages: c.uninitialized_pages,
            wrong_page_numbers: c.wrong_page_numbers,
            owned_pages: c.owned_pages,
            bad_pages: c.bad_pages.clone(),
            correctable_pages: c.correctable_pages.clone(),
            flush_map_used: c.flush_map_used.clone(),
            tables: c.tables.clone(),
        }
    }
}

/// Stream summary of `verify --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LogsSummary {
    /// Base name.
    pub base: String,
    /// Directory.
    pub directory: crate::escape::ShownPath,
    /// Lowest generation present.
    pub first: Option<i32>,
    /// Highest generation present.
    pub last: Option<i32>,
    /// Number of logs.
    pub count: usize,
    /// pass / fail (after Decision 15).
    pub verdict: Verdict,
}

/// Checkpoint summary of `verify --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CheckpointSummary {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// Checkpoint generation.
    pub generation: Option<i32>,
    /// pass / fail.
    pub verdict: Verdict,
}

/// What `verify` decided.
#[derive(Debug, Clone, Serialize)]
pub struct SetDecision {
    /// pass / fail.
    pub verdict: Verdict,
    /// The databases.
    pub databases: Vec<DbSummary>,
    /// The log stream, if any.
    pub logs: Option<LogsSummary>,
    /// The checkpoint, if any.
    pub checkpoint: Option<CheckpointSummary>,
    /// Union of the Log Required ranges of the databases that need logs.
    pub required_range: Option<[i32; 2]>,
    /// Lowest generation the set still needs; logs below it may be truncated. `null` unless pass
    /// (and when no log stream was found).
    pub truncate_below: Option<i32>,
    /// Last generation reachable from `truncate_below` without a gap or a corrupt log.
    pub roll_forward_to: Option<i32>,
    /// Generations whose damage was forgiven because they lie below `truncate_below` (CHKSGFILES'
    /// `pfOnlyUnnecessaryLogsCorrupt`; each also has a warning in `problems`).
    pub unnecessary_logs_corrupt: Vec<i32>,
    /// The numbered logs of the stream below `truncate_below`, oldest first: what may be
    /// deleted (never the current log, a reserve log or a damaged log forgiven below it); empty
    /// when `truncate_below` is `null` or 0.
    pub truncatable_logs: Vec<crate::escape::ShownPath>,
    /// Set-level problems (database and log problems included, severities final).
    pub problems: Vec<Problem>,
    /// Where the logs of a database named alone were looked for (beside it); `null` when the
    /// set was named with its logs, a directory or `--logs`.
    pub logs_looked_for_in: Option<crate::escape::ShownPath>,
}

/// Missing generations are listed up to this many; a hostile range cannot make the walk long.
const MAX_LISTED_MISSING: usize = 1000;

/// Damage to a log's own bytes, whose severity depends on where the log lies (Decision 15): a
/// header or segment checksum, a torn or unreadable log, a wrong file size, an archived log with
/// no data segment of its own generation under an intact header (wiped data, CLI.md Decision 11),
/// and the −590 that such damage causes in the next log. Set consistency is not here: a foreign
/// signature (−530), a name that disagrees with the header (−513, also a verified header whose
/// generation no log can have, rule 5), a broken time chain (−515), a −590 after an intact log,
/// an unsupported version or type mean the files do not belong together, wherever they lie.
fn is_damage_to_own_bytes(p: &Problem) -> bool {
    // A numbered or current log of zeros was never written (or was wiped): the set holds a
    // placeholder where a log should be, whatever its generation (CLI.md Decision 1).
    if p.all_zeros {
        return false;
    }
    match p.code {
        Some(JetErr::LogFileCorrupt) | Some(JetErr::LogFileSizeMismatch) => true,
        Some(JetErr::LogSequenceChecksumMismatch) => p.follows.is_some(),
        _ => false,
    }
}

/// Decides the verdict of a backup set.
pub fn decide(
    dbs: &[DbView],
    db_problems: Vec<Problem>,
    stream: Option<&StreamView>,
    checkpoint: Option<&CheckpointView>,
    strict: bool,
) -> SetDecision {
    let mut problems = db_problems;
    let needing: Vec<&DbView> = dbs.iter().filter(|d| d.needs_logs()).collect();

    if let Some((first, rest)) = needing.split_first() {
        for d in rest {
            problems.extend(signature_differs_between_dbs(first, d));
            problems.extend(page_size_differs_between_dbs(first, d));
        }
    }
    problems.extend(needing.iter().filter_map(|d| unlogged_database(d)));
    problems.extend(needing.iter().filter_map(|d| unusable_range_problem(d)));
    let required = required_range(&needing);
    let committed_max = committed_max(&needing);

    // Candidate truncate_below (Decision 14), needed now to grade log damage (Decision 15).
    let truncate_candidate = truncate_candidate(dbs, &needing, checkpoint_bound(checkpoint, stream), stream);

    match stream {
        Some(s) => check_logs_against_dbs(
            s,
            &needing,
            dbs,
            required,
            committed_max,
            truncate_candidate,
            &mut problems,
        ),
        None => problems.extend(needing.iter().map(|d| needs_logs_but_none_found(d, required))),
    }

    if let Some(s) = stream {
        checkpoint_rules(s, checkpoint, &needing, &mut problems);
    } else if let Some(c) = checkpoint.filter(|c| c.usable) {
        problems.extend(checkpoint_generation_problem(c));
    }

    sort_problems(&mut problems);
    let verdict = Verdict::from_problems(&problems, strict);
    let truncate_below = if verdict == Verdict::Pass {
        truncate_candidate
    } else {
        None
    };
    let roll_forward_to = stream.and_then(|s| roll_forward(s, truncate_candidate));
    let unnecessary_logs_corrupt = stream
        .map(|s| forgiven_generations(s, truncate_candidate))
        .unwrap_or_default();
    let truncatable_logs = match (stream, truncate_below) {
        (Some(s), Some(t)) => truncatable_logs(s, t, &unnecessary_logs_corrupt),
        _ => Vec::new(),
    };

    SetDecision {
        verdict,
        databases: dbs.iter().map(summary).collect(),
        logs: stream.map(|s| logs_summary(s, &problems)),
        checkpoint: checkpoint.map(|c| checkpoint_summary(c, &problems)),
        required_range: required,
        truncate_below,
        roll_forward_to,
        unnecessary_logs_corrupt,
        truncatable_logs,
        problems,
        logs_looked_for_in: None,
    }
}

/// What a pass lets a pipeline delete (CLI.md "JSON"): the numbered logs of the stream whose
/// generation is below `truncate_below`, oldest first — never the current log (its generation is
/// the newest), and never a damaged log forgiven below it (`forgiven`: it is reported, and a
/// person may want to look at it before it goes).
fn truncatable_logs(s: &StreamView, truncate_below: i32, forgiven: &[i32]) -> Vec<crate::escape::ShownPath> {
    s.logs
        .range(..truncate_below)
        .filter(|(g, _)| Some(**g) != s.current && !forgiven.contains(g))
        .map(|(_, l)| l.path.clone())
        .collect()
}

/// CLI.md Decision 13 (CHKSGFILES' ErrCheckDbHeaders, ESE-FORMAT §9.5): databases that need logs
/// share one log signature; `d` differing from the `first` that needs logs is −530.
fn signature_differs_between_dbs(first: &DbView, d: &DbView) -> Option<Problem> {
    let sig = |d: &DbView| d.header.as_ref().map(|h| h.sign_log);
    (sig(d) != sig(first)).then(|| {
        Problem::error(
            Some(JetErr::BadLogSignature),
            &d.path,
            format!("log signature differs from that of {}, yet both need logs", first.path),
        )
    })
}

/// CLI.md Decision 13 (ESE-FORMAT §9.5): databases that need logs share one page size; `d`
/// differing from the `first` that needs logs is −1213.
fn page_size_differs_between_dbs(first: &DbView, d: &DbView) -> Option<Problem> {
    (d.page_size != first.page_size).then(|| {
        Problem::error(
            Some(JetErr::PageSizeMismatch),
            &d.path,
            format!(
                "page size {} differs from {} ({} bytes)",
                d.page_size, first.path, first.page_size
            ),
        )
    })
}

/// ESE-FORMAT §2.2: a database that needs logs but carries a zero log signature was unlogged and
/// cannot be recovered: −550.
fn unlogged_database(d: &DbView) -> Option<Problem> {
    let h = d.header.as_ref().filter(|h| h.sign_log.is_zero())?;
    Some(Problem::error(
        Some(JetErr::DatabaseDirtyShutdown),
        &d.path,
        format!(
            "{} without a log signature: the database was unlogged and cannot be recovered",
            crate::format::db_header::state_words(h.db_state)
        ),
    ))
}

/// CLI.md Decision 13: a database that needs logs whose Log Required range is unusable (0-0, 0-N,
/// inverted; [`unusable_range`] says why) fails with −550, whatever logs are present.
fn unusable_range_problem(d: &DbView) -> Option<Problem> {
    let h = d.header.as_ref()?;
    let why = unusable_range(h)?;
    Some(Problem::error(
        Some(JetErr::DatabaseDirtyShutdown),
        &d.path,
        format!(
            "{} but its Log Required range {} is unusable ({why}): the header does not say which logs replay it",
            crate::format::db_header::state_words(h.db_state),
            GenerationRange(h.gen_min_required.into(), h.gen_max_required.into())
        ),
    ))
}

/// The highest `lGenMaxCommitted` of the databases that need logs, when any is set (ESE-FORMAT
/// §2.2 Log Committed; CLI.md Decision 15's −582).
fn committed_max(needing: &[&DbView]) -> Option<i32> {
    needing
        .iter()
        .filter_map(|d| d.header.as_ref().map(|h| h.gen_max_committed))
        .max()
        .filter(|&g| g > 0)
}

/// CLI.md Decision 14: the checkpoint generation bounds truncation when the checkpoint is the
/// stream's (usable, same signature) or, with no stream at all, whenever it is usable: recovery
/// would start there.
fn checkpoint_bound(checkpoint: Option<&CheckpointView>, stream: Option<&StreamView>) -> Option<i32> {
    let stream_sig = stream.and_then(|s| s.signature);
    checkpoint
        .filter(|c| c.usable && c.signature.is_some() && (stream.is_none() || c.signature == stream_sig))
        .and_then(|c| c.generation)
}

/// CLI.md Decision 14, `truncate_below` before the verdict: the minimum of the checkpoint bound
/// (`chk_gen`), both ends of every Log Required range of a database that needs logs (an unusable
/// range too, so that damage to a generation it names is never forgiven) and the Last Consistent
/// generation of each clean database on the stream. None applying: the current log (else the
/// newest). No stream: the lowest Last Consistent generation of the databases, else 0.
fn truncate_candidate(
    dbs: &[DbView],
    needing: &[&DbView],
    chk_gen: Option<i32>,
    stream: Option<&StreamView>,
) -> Option<i32> {
    let stream_sig = stream.and_then(|s| s.signature);
    let mut candidates: Vec<i32> = Vec::new();
    candidates.extend(chk_gen.filter(|&g| g > 0));
    candidates.extend(
        needing
            .iter()
            .filter_map(|d| d.header.as_ref())
            .flat_map(|h| [h.gen_min_required, h.gen_max_required])
            .filter(|&g| g > 0),
    );
    for d in dbs.iter().filter(|d| !d.needs_logs()) {
        if let Some(h) = &d.header {
            if stream_sig == Some(h.sign_log) && h.lgpos_consistent.generation > 0 {
                candidates.push(h.lgpos_consistent.generation);
            }
        }
    }
    candidates.into_iter().min().or_else(|| match stream {
        Some(s) => s.current.or_else(|| s.logs.keys().next_back().copied()),
        // No logs at all: only clean databases can pass, and they need none. Their last clean
        // detach is the lowest generation a later stream could have to start from.
        None => Some(
            dbs.iter()
                .filter_map(|d| d.header.as_ref())
                .map(|h| h.lgpos_consistent.generation)
                .filter(|&g| g > 0)
                .min()
                .unwrap_or(0),
        ),
    })
}

/// CLI.md Decision 16: a database that needs logs when no logs were found: −543, naming the
/// required range when it is usable.
fn needs_logs_but_none_found(d: &DbView, required: Option<[i32; 2]>) -> Problem {
    Problem::error(
        Some(JetErr::RequiredLogFilesMissing),
        &d.path,
        match required {
            Some([a, b]) => format!(
                "database needs logs {a}-{b} ({}) but no log files were found",
                d.header
                    .as_ref()
                    .map(|h| crate::format::db_header::state_words(h.db_state))
                    .unwrap_or("")
            ),
            None => "database needs logs but no log files were found".to_string(),
        },
    )
}

/// The order problems are listed in: errors first, then by file, generation, page and message
/// (stable: equal keys keep the order they were found in).
fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by(|a, b| {
        (b.severity, &a.file, a.generation, a.page, &a.message).cmp(&(
            a.severity,
            &b.file,
            b.generation,
            b.page,
            &b.message,
        ))
    });
}

/// The stream's line of `verify --json`: it fails when any error of the set concerns a generation
/// (after Decision 15's grading).
fn logs_summary(s: &StreamView, problems: &[Problem]) -> LogsSummary {
    LogsSummary {
        base: s.base.clone(),
        directory: s.directory.clone(),
        first: s.logs.keys().next().copied(),
        last: s.logs.keys().next_back().copied(),
        count: s.logs.len(),
        verdict: if problems.iter().any(|p| p.is_error() && p.generation.is_some()) {
            Verdict::Fail
        } else {
            Verdict::Pass
        },
    }
}

/// The checkpoint's line of `verify --json`: it fails when any error of the set is in its file.
fn checkpoint_summary(c: &CheckpointView, problems: &[Problem]) -> CheckpointSummary {
    CheckpointSummary {
        path: c.path.clone(),
        generation: c.generation,
        verdict: if problems.iter().any(|p| p.is_error() && p.file == c.path) {
            Verdict::Fail
        } else {
            Verdict::Pass
        },
    }
}

/// Why a Log Required range cannot be replayed (Decision 13): `None` when it can.
fn unusable_range(h: &DbFileHeader) -> Option<&'static str> {
    let (lo, hi) = (h.gen_min_required, h.gen_max_required);
    if h.usable_log_required().is_some() {
        None
    } else if lo <= 0 && hi <= 0 {
        Some("no generation set")
    } else if lo <= 0 {
        Some("lGenMinRequired is not set")
    } else if hi <= 0 {
        Some("lGenMaxRequired is not set")
    } else {
        Some("lGenMinRequired is above lGenMaxRequired")
    }
}

/// Union of the usable Log Required ranges of the databases that need logs. A database whose
/// range is unusable (0-0, 0-N, inverted) fails on its own (Decision 13) and adds nothing here:
/// its numbers cannot be trusted to say which logs are needed.
pub(crate) fn required_range(needing: &[&DbView]) -> Option<[i32; 2]> {
    needing
        .iter()
        .filter_map(|d| d.header.as_ref().and_then(DbFileHeader::usable_log_required))
        .fold(None, |acc: Option<[i32; 2]>, [lo, hi]| match acc {
            None => Some([lo, hi]),
            Some([a, b]) => Some([a.min(lo), b.max(hi)]),
        })
}

/// Decision 15: per-log damage in a generation below `truncate_below` does not fail the set.
/// A follow-on problem (−590 after a damaged g−1) is graded with the generation it follows.
fn is_forgiven(p: &Problem, truncate_below: i32) -> bool {
    p.graded_generation().is_some_and(|g| g < i64::from(truncate_below))
        && is_damage_to_own_bytes(p)
        && p.severity == Severity::Error
}

/// The generations whose damage Decision 15 forgives, ascending.
fn forgiven_generations(s: &StreamView, truncate_below: Option<i32>) -> Vec<i32> {
    let Some(t) = truncate_below else { return Vec::new() };
    let set: std::collections::BTreeSet<i32> = s
        .problems
        .iter()
        .filter(|p| is_forgiven(p, t))
        .filter_map(|p| p.graded_generation().and_then(|g| i32::try_from(g).ok()))
        .collect();
    set.into_iter().collect()
}

fn check_logs_against_dbs(
    s: &StreamView,
    needing: &[&DbView],
    all: &[DbView],
    required: Option<[i32; 2]>,
    committed_max: Option<i32>,
    truncate_below: Option<i32>,
    problems: &mut Vec<Problem>,
) {
    problems.extend(s.problems.iter().map(|p| graded_below_truncation(p, truncate_below)));
    problems.extend(needing.iter().filter_map(|d| db_signature_differs_from_logs(d, s)));
    problems.extend(needing.iter().filter_map(|d| required_log_other_incarnation(d, s)));
    if let Some([lo, hi]) = required {
        problems.extend(required_range_problems(s, needing, lo, hi));
    }
    if let (Some(c), Some([_, hi])) = (committed_max, required) {
        problems.extend(committed_logs_missing(s, hi, c));
    }
    // A missing current log that nothing needs is the stream's own warning (scan/stream.rs).
    problems.extend(
        all.iter()
            .filter(|d| !d.needs_logs())
            .filter_map(|d| clean_db_signature_differs(d, s.signature)),
    );
}

/// CLI.md Decision 15: damage to a log's own bytes confined to logs below `truncate_below`
/// ([`is_forgiven`]) is a warning ("only unnecessary logs corrupt"), its message saying so; every
/// other problem of the stream keeps its severity.
fn graded_below_truncation(p: &Problem, truncate_below: Option<i32>) -> Problem {
    let mut p = p.clone();
    if let (Some(_), Some(t)) = (p.generation, truncate_below) {
        if is_forgiven(&p, t) {
            p.severity = Severity::Warning;
            p.message = match p.follows {
                Some(_) => format!(
                    "{} (that log lies below generation {}, not needed: only unnecessary logs corrupt)",
                    p.message,
                    Generation(t.into())
                ),
                None => format!(
                    "{} (below generation {}, not needed: only unnecessary logs corrupt)",
                    p.message,
                    Generation(t.into())
                ),
            };
        }
    }
    p
}

/// CLI.md Decision 13: a database that needs logs whose log signature is not the stream's is
/// −530 (recovery would skip it, ESE-FORMAT §2.2).
fn db_signature_differs_from_logs(d: &DbView, s: &StreamView) -> Option<Problem> {
    let h = d.header.as_ref()?;
    (s.signature.is_some() && Some(h.sign_log) != s.signature).then(|| {
        Problem::error(
            Some(JetErr::BadLogSignature),
            &d.path,
            format!(
                "database log signature {} differs from the logs' {}",
                h.sign_log,
                s.signature.map(|x| x.to_string()).unwrap_or_default()
            ),
        )
    })
}

/// The required range `lo..=hi` against the logs present (CLI.md Decisions 13, 15 and 16): each
/// present log's page size ([`log_page_size_differs`]), the missing generations
/// ([`required_logs_missing`], at most [`MAX_LISTED_MISSING`] looked for), and a required
/// generation beyond the last log with no current log ([`required_beyond_last_log`]).
fn required_range_problems(s: &StreamView, needing: &[&DbView], lo: i32, hi: i32) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    for g in lo..=hi {
        if missing.len() >= MAX_LISTED_MISSING {
            break;
        }
        match s.logs.get(&g) {
            None => missing.push(g),
            Some(l) => problems.extend(log_page_size_differs(l, g, needing)),
        }
    }
    // How many are missing in all: the listing stops at MAX_LISTED_MISSING, the count does not
    // (the logs present in the range are counted, not the generations walked).
    let present = s.logs.range(lo..=hi).count() as u64;
    let total = (i64::from(hi) - i64::from(lo) + 1) as u64 - present;
    problems.extend(required_logs_missing(s.directory.unescaped(), &missing, total, lo, hi));
    problems.extend(required_beyond_last_log(s, hi, missing.is_empty()));
    problems
}

/// ESE-FORMAT §9.3 "cbPageSize equals the database page size": a required log (generation `g`)
/// written for another page size than a database that needs it is −1213 at `g`.
fn log_page_size_differs(l: &LogView, g: i32, needing: &[&DbView]) -> Option<Problem> {
    let ps = l.page_size?;
    let d = needing.iter().find(|d| d.page_size as u32 != ps)?;
    Some(
        Problem::error(
            Some(JetErr::PageSizeMismatch),
            &l.path,
            format!(
                "log page size {ps} differs from database {} ({} bytes)",
                d.path, d.page_size
            ),
        )
        .at_generation(i64::from(g)),
    )
}

/// CLI.md Decision 15: a required generation that is missing is −543, one problem listing them
/// (the first [`MAX_LISTED_MISSING`]; `total` says how many are missing in all), at the first.
fn required_logs_missing(directory: &str, missing: &[i32], total: u64, lo: i32, hi: i32) -> Option<Problem> {
    let first = *missing.first()?;
    Some(
        Problem::error(
            Some(JetErr::RequiredLogFilesMissing),
            directory,
            format!(
                "{} (required {})",
                logs_missing("required", missing, total),
                GenerationRange(lo.into(), hi.into())
            ),
        )
        .at_generation(i64::from(first)),
    )
}

/// CLI.md Decision 16: no current `<base>.log` while a needed generation `hi` lies beyond the
/// last log present is −543 (when no required generation was already found missing).
fn required_beyond_last_log(s: &StreamView, hi: i32, none_missing: bool) -> Option<Problem> {
    let last = s.logs.keys().next_back().copied();
    (s.current.is_none() && last.is_some_and(|l| l < hi) && none_missing).then(|| {
        Problem::error(
            Some(JetErr::RequiredLogFilesMissing),
            &s.directory,
            format!(
                "no current {}.log and generation {} is required",
                s.base,
                Generation(hi.into())
            ),
        )
    })
}

/// CLI.md Decision 15 (ESE-FORMAT §2.2 Log Committed): a committed generation above the required
/// range (`hi`) up to `committed` that is missing is −582, one problem listing them, at the first.
fn committed_logs_missing(s: &StreamView, hi: i32, committed: i32) -> Option<Problem> {
    let missing: Vec<i32> = (hi.saturating_add(1)..=committed)
        .filter(|g| !s.logs.contains_key(g))
        .take(MAX_LISTED_MISSING)
        .collect();
    let first = *missing.first()?;
    Some(
        Problem::error(
            Some(JetErr::CommittedLogFilesMissing),
            &s.directory,
            format!(
                "{} (Log Committed up to {}): committed transactions would be lost",
                logs_missing("committed", &missing, missing.len() as u64),
                Generation(committed.into())
            ),
        )
        .at_generation(i64::from(first)),
    )
}

/// CLI.md Decision 13: a clean database needs no logs; its log signature differing from the
/// stream's (`sig`) is only a warning (−530, severity warning).
fn clean_db_signature_differs(d: &DbView, sig: Option<Signature>) -> Option<Problem> {
    let (h, sig) = (d.header.as_ref()?, sig?);
    (h.sign_log != sig).then(|| {
        Problem::warning(
            Some(JetErr::BadLogSignature),
            &d.path,
            format!("clean database's log signature {} differs from the logs' {sig}: those logs do not belong to it (it needs none)", h.sign_log),
        )
    })
}

/// CLI.md Decision 22, the required log, logredo.cxx (the check before `REDO_HIGH_LOG_MISMATCH_ERROR_ID`, which
/// returns `JET_errRequiredLogFilesMissing`): when recovery opens the log of generation
/// `lGenMaxRequired`, its `tmCreate` must be the time the database recorded for that generation
/// ([`DbFileHeader::expected_gen_max_required_time`]). A log of that generation and signature
/// created at another time is another incarnation of the generation (a diverged stream, what a
/// lossy failover leaves): −543 naming the log and both times. Only a header that verifies is
/// compared; a missing log is [`required_logs_missing`]'s.
fn required_log_other_incarnation(d: &DbView, s: &StreamView) -> Option<Problem> {
    let h = d.header.as_ref()?;
    let expected = h.expected_gen_max_required_time()?;
    let g = h.gen_max_required;
    let l = s.logs.get(&g)?;
    let created = l.created?;
    (created != expected).then(|| {
        Problem::error(
            Some(JetErr::RequiredLogFilesMissing),
            &l.path,
            format!(
                "log generation {gen} was created {created}, but {} needs the generation {gen} created {expected}: this log is another incarnation of that generation (a diverged log stream), recovery refuses it",
                d.path,
                gen = Generation(g.into())
            ),
        )
        .at_generation(i64::from(g))
    })
}

/// CLI.md Decision 22, the checkpoint, logredo.cxx `ErrLGRICheckAttachNow`: recovery starts at the checkpoint's
/// generation, and attaching a DirtyShutdown database whose `lGenMinRequired` lies below it fails
/// with `JET_errRequiredLogFilesMissing` (−543): the logs it needs would be skipped.
/// DirtyAndPatchedShutdown is exempt, as in the engine (an incremental reseed can leave
/// `lGenMinRequired` behind). `chk_gen` is the generation of the checkpoint copy in use.
fn checkpoint_ahead_of_database(c: &CheckpointView, chk_gen: i32, d: &DbView) -> Option<Problem> {
    let h = d.header.as_ref()?;
    let min = h.gen_min_required;
    (h.db_state == crate::format::db_header::dbstate::DIRTY_SHUTDOWN && min > 0 && chk_gen > min).then(|| {
        Problem::error(
            Some(JetErr::RequiredLogFilesMissing),
            &d.path,
            format!(
                "the checkpoint {} is at generation {}, ahead of generation {} the database needs first (Log Required {}): recovery would start past it",
                c.path,
                Generation(chk_gen.into()),
                Generation(min.into()),
                GenerationRange(min.into(), h.gen_max_required.into())
            ),
        )
    })
}

/// CLI.md Decision 22, the checkpoint and CLI.md Decision 16: recovery opens the checkpoint's log first, so when a
/// database needs logs a checkpoint generation that is not a log of the stream is −528
/// (`JET_errMissingLogFile`, an error); when none needs logs it only bounds `truncate_below` and
/// its absence is the −509 warning.
fn checkpoint_log_missing(s: &StreamView, c: &CheckpointView, g: i32, any_needs_logs: bool) -> Option<Problem> {
    if s.logs.contains_key(&g) {
        return None;
    }
    let range = match (s.logs.keys().next(), s.logs.keys().next_back()) {
        (Some(&a), Some(&b)) => format!(", {}", GenerationRange(a.into(), b.into())),
        _ => String::new(),
    };
    let p = if any_needs_logs {
        Problem::error(
            Some(JetErr::MissingLogFile),
            &c.path,
            format!(
                "checkpoint generation {} is not among the logs present{range}: recovery starts at the checkpoint's log and cannot open it",
                Generation(g.into())
            ),
        )
    } else {
        Problem::warning(
            Some(JetErr::MissingPreviousLogFile),
            &c.path,
            format!(
                "checkpoint generation {} is not among the logs present",
                Generation(g.into())
            ),
        )
    };
    Some(p.at_generation(i64::from(g)))
}

fn checkpoint_rules(s: &StreamView, c: Option<&CheckpointView>, needing: &[&DbView], problems: &mut Vec<Problem>) {
    let Some(c) = c else {
        let message = if s.named_file_by_file {
            format!(
                "no checkpoint named ({}.chk): truncate_below could not be bounded by one",
                s.base
            )
        } else {
            format!("no checkpoint file ({}.chk) found", s.base)
        };
        problems.push(Problem::warning(None, &s.directory, message));
        return;
    };
    if !c.usable {
        // The checkpoint's own check already reported −533.
        return;
    }
    if let Some(p) = checkpoint_generation_problem(c) {
        problems.push(p);
        return;
    }
    if let (Some(cs), Some(ss)) = (c.signature, s.signature) {
        if cs != ss {
            problems.push(Problem::error(
                Some(JetErr::BadCheckpointSignature),
                &c.path,
                format!("checkpoint log signature {cs} differs from the logs' {ss}"),
            ));
            return;
        }
    }
    if let Some(g) = c.in_use_generation.or(c.generation) {
        problems.extend(checkpoint_log_missing(s, c, g, !needing.is_empty()));
        problems.extend(needing.iter().filter_map(|d| checkpoint_ahead_of_database(c, g, d)));
    }
}

/// A checkpoint position no log can have (scan::checkpoint::check_checkpoint refuses such a copy, CLI.md
/// Decision 2; a view built otherwise must not let truncation run past it).
fn checkpoint_generation_problem(c: &CheckpointView) -> Option<Problem> {
    let g = c.generation.filter(|&g| !(1..=0x7FFF_FA00).contains(&g))?;
    Some(Problem::error(
        Some(JetErr::CheckpointCorrupt),
        &c.path,
        format!(
            "checkpoint generation {} is not a log generation (1..=0x7FFFFA00)",
            Generation(g.into())
        ),
    ))
}

fn roll_forward(s: &StreamView, from: Option<i32>) -> Option<i32> {
    let mut g = from?;
    let mut last = None;
    while let Some(l) = s.logs.get(&g) {
        if !l.intact {
            break;
        }
        last = Some(g);
        g = g.checked_add(1)?;
    }
    last
}

/// Missing logs as runs of generations (CLI.md Decision 18), `what` saying which: `required log
/// 5 (0x5) missing`, `required logs 3-4 (0x3-0x4), 6 (0x6) missing, 3 logs`, or, when only the
/// first of `total` are listed, `required logs 3-102 (0x3-0x66), … missing, 5000 logs, the first
/// 100 listed`.
fn logs_missing(what: &str, listed: &[i32], total: u64) -> String {
    let runs = GenerationRuns(listed);
    if total > listed.len() as u64 {
        format!(
            "{what} logs {runs}, … missing, {total} logs, the first {} listed",
            listed.len()
        )
    } else if total == 1 {
        format!("{what} log {runs} missing")
    } else {
        format!("{what} logs {runs} missing, {total} logs")
    }
}

fn summary(d: &DbView) -> DbSummary {
    DbSummary {
        path: d.path.clone(),
        state: d.header.as_ref().map(|h| h.state_name()),
        needs_logs: d.needs_logs(),
        log_required: d.header.as_ref().map(|h| [h.gen_min_required, h.gen_max_required]),
        log_committed: d.header.as_ref().map(|h| h.gen_max_committed),
        log_signature: d.header.as_ref().map(|h| h.sign_log),
        pages_seen: d.pages_seen,
        pages: PageCounters::default(),
        verdict: d.verdict,
    }
}

/// Options of `verify`: `--strict`, applied to the decision, and the scan's own options.
#[derive(Default, Clone)]
pub struct VerifyOptions<'a> {
    /// Warnings fail.
    pub strict: bool,
    /// What the set is and how it is scanned (`--base`, `--logs`, progress, manifest hashing).
    pub scan: ScanOptions<'a>,
}

/// Everything `verify` found, with the decision.
#[derive(Debug, Clone, Serialize)]
pub struct SetReport {
    /// The decision: verdict, ranges, truncate_below, problems.
    #[serde(flatten)]
    pub decision: SetDecision,
    /// Files not part of the set, with the reason.
    pub ignored: Vec<Ignored>,
    /// Per-database scans (counters, bad pages).
    #[serde(skip)]
    pub db_checks: Vec<DbCheck>,
    /// The log stream check.
    #[serde(skip)]
    pub stream: Option<StreamCheck>,
    /// The checkpoint check.
    #[serde(skip)]
    pub checkpoint: Option<CheckpointCheck>,
    /// Flush maps (warnings only), each with its counters.
    pub flush_maps: Vec<FlushMapCheck>,
    /// Every file of the set with its CRCs (when asked for, for a manifest).
    #[serde(skip)]
    pub files: Vec<crate::scan::set::SetFile>,
    /// The deepest directory holding every input: a manifest's paths are relative to it.
    #[serde(skip)]
    pub root: PathBuf,
}

impl SetReport {
    /// The final verdict.
    pub fn verdict(&self) -> Verdict {
        self.decision.verdict
    }
}

/// Verifies a backup set (CLI.md `verify`): scans it, then decides.
///
/// `Err` means the set could not be checked (exit 2); see `scan_set`.
pub fn verify_set(paths: &[PathBuf], opts: &VerifyOptions<'_>) -> Result<SetReport, CheckError> {
    let scan = scan_set(paths, &opts.scan)?;
    Ok(decide_set(scan, opts.strict))
}

/// The verdict of a scanned set.
pub(crate) fn decide_set(scan: SetScan, strict: bool) -> SetReport {
    let mut problems = scan.problems;
    for c in &scan.db_checks {
        problems.extend(c.problems.iter().cloned());
    }
    for f in &scan.flush_maps {
        problems.extend(f.problems.iter().cloned());
    }
    if let Some(c) = &scan.checkpoint {
        problems.extend(c.problems.iter().cloned());
    }
    let dbs: Vec<DbView> = scan
        .db_checks
        .iter()
        .map(|c| DbView {
            path: c.path.clone(),
            header: c.chosen_header().cloned(),
            page_size: c.page_size,
            pages_seen: c.pages_seen,
            verdict: c.verdict,
        })
        .collect();
    let mut stream_view = scan.stream.as_ref().map(view_of_stream);
    if let Some(v) = stream_view.as_mut() {
        v.named_file_by_file = scan.named_file_by_file;
    }
    let chk_view = scan.checkpoint.as_ref().map(|c| CheckpointView {
        path: c.path.clone(),
        usable: c.primary_ok || c.shadow_ok,
        // Two valid copies that differ: the lower generation bounds truncation (the shadow may
        // be the one recovery trusts).
        generation: c.lowest_generation(),
        in_use_generation: c.generation,
        signature: c.log_signature,
    });
    let mut decision = decide(&dbs, problems, stream_view.as_ref(), chk_view.as_ref(), strict);
    for (summary, c) in decision.databases.iter_mut().zip(&scan.db_checks) {
        summary.pages = PageCounters::of(c);
    }
    decision.logs_looked_for_in = scan.logs_looked_for_in.map(|d| d.as_path().into());
    SetReport {
        decision,
        ignored: scan.ignored,
        db_checks: scan.db_checks,
        stream: scan.stream,
        checkpoint: scan.checkpoint,
        flush_maps: scan.flush_maps,
        files: scan.files,
        root: scan.root,
    }
}

/// Per-log problems tagged with their generation, so the set decision can grade them.
fn view_of_stream(s: &StreamCheck) -> StreamView {
    let mut problems = s.problems.clone();
    let mut logs = std::collections::BTreeMap::new();
    let intact = s.intact_generations();
    for f in &s.files {
        for p in &f.problems {
            let mut p = p.clone();
            if p.generation.is_none() {
                p.generation = f.generation.map(i64::from);
            }
            if p.code.is_none() && p.is_error() {
                // A log that could not be read at all is a damaged member of the set.
                p.code = Some(JetErr::LogFileCorrupt);
            }
            problems.push(p);
        }
        if let Some(g) = f.generation {
            logs.insert(
                g,
                LogView {
                    path: f.path.clone(),
                    intact: intact.contains(&g),
                    signature: f.log_signature,
                    page_size: f.page_size,
                    created: f.created,
                },
            );
        }
    }
    let current = s
        .files
        .iter()
        .find(|f| is_current_name(f.path.unescaped(), s.base.as_deref()))
        .and_then(|f| f.generation);
    StreamView {
        base: s.base.clone().unwrap_or_default(),
        directory: s.directory.clone(),
        signature: s.log_signature,
        logs,
        current,
        problems,
        named_file_by_file: false,
    }
}

fn is_current_name(path: &str, base: Option<&str>) -> bool {
    let Some(b) = base else { return false };
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let b = b.to_ascii_lowercase();
    name == format!("{b}.log") || name == format!("{b}.jtx")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::db::default_log_signature;
    use crate::testkit::{lgpos, logtime_from_secs, signature, DbBuilder};

    fn code(p: &Problem) -> Option<i32> {
        p.code.map(JetErr::code)
    }

    fn foreign() -> Signature {
        signature(0xF0F0_0001, logtime_from_secs(7))
    }

    fn db(path: &str, b: DbBuilder) -> DbView {
        DbView {
            path: path.into(),
            header: Some(DbFileHeader::parse(&b.header()).unwrap()),
            page_size: b.page_size(),
            pages_seen: 16,
            verdict: Verdict::Pass,
        }
    }

    /// A DirtyShutdown database of 8 KiB pages needing `lo..=hi`.
    fn dirty(lo: i32, hi: i32) -> DbBuilder {
        DbBuilder::new(8192).state(2).log_required(lo, hi)
    }

    fn log(g: i32) -> LogView {
        LogView {
            path: format!("logs/E00{g:05X}.log").into(),
            intact: true,
            signature: Some(default_log_signature()),
            page_size: Some(8192),
            created: Some(created(g)),
        }
    }

    /// The `tmCreate` the fixture logs of generation `g` carry.
    fn created(g: i32) -> LogTime {
        logtime_from_secs(1000 + g as u64)
    }

    /// Stream E00 in `logs` with the default signature and the archived generations `gens`.
    fn stream(gens: &[i32], current: Option<i32>) -> StreamView {
        let mut logs: BTreeMap<i32, LogView> = gens.iter().map(|&g| (g, log(g))).collect();
        if let Some(c) = current {
            logs.insert(
                c,
                LogView {
                    path: "logs/E00.log".into(),
                    ..log(c)
                },
            );
        }
        StreamView {
            base: "E00".to_string(),
            directory: "logs".into(),
            signature: Some(default_log_signature()),
            logs,
            current,
            problems: Vec::new(),
            named_file_by_file: false,
        }
    }

    fn chk(generation: i32, sig: Signature) -> CheckpointView {
        CheckpointView {
            path: "logs/E00.chk".into(),
            usable: true,
            generation: Some(generation),
            in_use_generation: Some(generation),
            signature: Some(sig),
        }
    }

    #[test]
    fn databases_that_need_logs_share_one_signature_and_page_size() {
        let a = db("a.edb", dirty(5, 7));
        let same = db("b.edb", dirty(6, 8));
        let other_sig = db("b.edb", dirty(6, 8).log_signature(foreign()));
        let other_size = db("b.edb", DbBuilder::new(4096).state(2).log_required(6, 8));
        assert!(signature_differs_between_dbs(&a, &same).is_none());
        assert!(page_size_differs_between_dbs(&a, &same).is_none());
        let p = signature_differs_between_dbs(&a, &other_sig).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.file.unescaped()),
            (Severity::Error, Some(-530), "b.edb")
        );
        let p = page_size_differs_between_dbs(&a, &other_size).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.file.unescaped()),
            (Severity::Error, Some(-1213), "b.edb")
        );
        assert!(
            p.message.contains("4096") && p.message.contains("8192"),
            "{}",
            p.message
        );
    }

    #[test]
    fn a_dirty_database_with_a_zero_log_signature_is_unlogged_550() {
        let zero = Signature { raw: [0; 28] };
        let p = unlogged_database(&db("a.edb", dirty(5, 7).log_signature(zero))).unwrap();
        assert_eq!((p.severity, code(&p)), (Severity::Error, Some(-550)));
        assert!(
            p.message.starts_with("Dirty Shutdown without a log signature"),
            "{}",
            p.message
        );
        assert!(unlogged_database(&db("a.edb", dirty(5, 7))).is_none());
    }

    #[test]
    fn an_unusable_log_required_range_is_550_saying_why() {
        for (lo, hi, range, why) in [
            (0, 0, "0-0 (0x0-0x0)", "no generation set"),
            (0, 5, "0-5 (0x0-0x5)", "lGenMinRequired is not set"),
            (7, 5, "7-5 (0x7-0x5)", "lGenMinRequired is above lGenMaxRequired"),
        ] {
            let p = unusable_range_problem(&db("a.edb", dirty(lo, hi))).unwrap();
            assert_eq!((p.severity, code(&p)), (Severity::Error, Some(-550)), "{lo}-{hi}");
            assert_eq!(
                p.message,
                format!("Dirty Shutdown but its Log Required range {range} is unusable ({why}): the header does not say which logs replay it")
            );
        }
        assert!(unusable_range_problem(&db("a.edb", dirty(5, 7))).is_none());
        assert!(unusable_range_problem(&db("a.edb", dirty(5, 5))).is_none());
    }

    #[test]
    fn log_committed_is_the_highest_set_one() {
        let a = db("a.edb", dirty(5, 7).log_committed(9));
        let b = db("b.edb", dirty(5, 7).log_committed(12));
        let none = db("c.edb", dirty(5, 7));
        assert_eq!(committed_max(&[&a, &b, &none]), Some(12));
        assert_eq!(committed_max(&[&none]), None);
    }

    #[test]
    fn the_checkpoint_bounds_truncation_when_it_is_the_streams() {
        let s = stream(&[5, 6], Some(7));
        let mine = chk(6, default_log_signature());
        let other = chk(6, foreign());
        assert_eq!(checkpoint_bound(Some(&mine), Some(&s)), Some(6));
        assert_eq!(checkpoint_bound(Some(&other), Some(&s)), None);
        // With no stream, any usable checkpoint: recovery would start there.
        assert_eq!(checkpoint_bound(Some(&other), None), Some(6));
        let unusable = CheckpointView {
            usable: false,
            ..mine.clone()
        };
        assert_eq!(checkpoint_bound(Some(&unusable), Some(&s)), None);
    }

    #[test]
    fn truncate_below_is_the_lowest_bound_that_applies() {
        let s = stream(&[3, 4, 5, 6, 7, 8], Some(9));
        let needs = db("a.edb", dirty(5, 8));
        // Checkpoint 6 and Log Required 5-8: 5.
        assert_eq!(
            truncate_candidate(std::slice::from_ref(&needs), &[&needs], Some(6), Some(&s)),
            Some(5)
        );
        // The checkpoint below the range: it.
        assert_eq!(
            truncate_candidate(std::slice::from_ref(&needs), &[&needs], Some(4), Some(&s)),
            Some(4)
        );
        // An inverted range counts by both ends (its damage must not be forgiven).
        let inverted = db("b.edb", dirty(8, 4));
        assert_eq!(
            truncate_candidate(std::slice::from_ref(&inverted), &[&inverted], Some(6), Some(&s)),
            Some(4)
        );
        // A clean database on the stream: its Last Consistent generation; off the stream: nothing.
        let clean = db("c.edb", DbBuilder::new(8192).lgpos_consistent(lgpos(3, 1, 0)));
        let clean_foreign = db(
            "d.edb",
            DbBuilder::new(8192)
                .lgpos_consistent(lgpos(2, 1, 0))
                .log_signature(foreign()),
        );
        assert_eq!(
            truncate_candidate(&[clean.clone(), clean_foreign.clone()], &[], Some(6), Some(&s)),
            Some(3)
        );
        // None applies: the current log, else the newest.
        assert_eq!(
            truncate_candidate(std::slice::from_ref(&clean_foreign), &[], None, Some(&s)),
            Some(9)
        );
        assert_eq!(
            truncate_candidate(&[], &[], None, Some(&stream(&[3, 4], None))),
            Some(4)
        );
        // No logs at all: the lowest non-zero Last Consistent generation, else 0.
        assert_eq!(
            truncate_candidate(&[clean.clone(), clean_foreign.clone()], &[], None, None),
            Some(2)
        );
        assert_eq!(
            truncate_candidate(&[db("e.edb", DbBuilder::new(8192))], &[], None, None),
            Some(0)
        );
    }

    #[test]
    fn a_database_that_needs_logs_with_no_logs_is_543() {
        let d = db("a.edb", dirty(5, 7));
        let p = needs_logs_but_none_found(&d, Some([5, 7]));
        assert_eq!(
            (p.severity, code(&p), p.file.unescaped()),
            (Severity::Error, Some(-543), "a.edb")
        );
        assert!(p.message.contains("needs logs 5-7 (Dirty Shutdown)"), "{}", p.message);
        let p = needs_logs_but_none_found(&d, None);
        assert_eq!(p.message, "database needs logs but no log files were found");
    }

    #[test]
    fn only_damage_to_own_bytes_below_truncate_below_becomes_a_warning() {
        let at = |code: JetErr, g: i64| Problem::error(Some(code), "logs/x.log", "m").at_generation(g);
        let p = graded_below_truncation(&at(JetErr::LogFileCorrupt, 3), Some(5));
        assert_eq!((p.severity, code(&p)), (Severity::Warning, Some(-501)));
        assert_eq!(
            p.message,
            "m (below generation 5 (0x5), not needed: only unnecessary logs corrupt)"
        );
        let p = graded_below_truncation(&at(JetErr::LogFileSizeMismatch, 4), Some(5));
        assert_eq!(p.severity, Severity::Warning);
        // At or above truncate_below: an error.
        assert_eq!(
            graded_below_truncation(&at(JetErr::LogFileCorrupt, 5), Some(5)).severity,
            Severity::Error
        );
        // Set consistency is an error wherever it lies.
        for c in [
            JetErr::BadLogSignature,
            JetErr::LogGenerationMismatch,
            JetErr::InvalidLogSequence,
            JetErr::MissingLogFile,
        ] {
            assert_eq!(
                graded_below_truncation(&at(c, 3), Some(5)).severity,
                Severity::Error,
                "{c:?}"
            );
        }
        // A −590 after an intact log is an error; after a damaged one it is graded with it.
        assert_eq!(
            graded_below_truncation(&at(JetErr::LogSequenceChecksumMismatch, 3), Some(5)).severity,
            Severity::Error
        );
        let follow_on = at(JetErr::LogSequenceChecksumMismatch, 5).following(4);
        let p = graded_below_truncation(&follow_on, Some(5));
        assert_eq!(p.severity, Severity::Warning);
        assert_eq!(
            p.message,
            "m (that log lies below generation 5 (0x5), not needed: only unnecessary logs corrupt)"
        );
        // A log of zeros is never forgiven (Decision 1).
        assert_eq!(
            graded_below_truncation(&at(JetErr::LogFileCorrupt, 3).of_zeros(), Some(5)).severity,
            Severity::Error
        );
        // No truncate_below yet: nothing is forgiven.
        assert_eq!(
            graded_below_truncation(&at(JetErr::LogFileCorrupt, 3), None).severity,
            Severity::Error
        );
    }

    #[test]
    fn issue_20_problems_are_graded_where_decision_15_puts_them() {
        use crate::scan::log::{check_log, check_stream_log_with};
        use crate::testkit::{seal_log_header, LogBuilder};
        // Rule 7, as scan::log reports it: an archived log with no record is damage to its own
        // bytes, forgiven below truncate_below and an error at or above it.
        let wiped = LogBuilder::new(4).data_segments(0).build();
        let c = check_log(&wiped, "logs/E0000004.log").unwrap();
        let p = c.problems.iter().find(|p| p.is_error()).unwrap();
        assert_eq!((code(p), p.generation), (Some(-501), Some(4)));
        assert_eq!(graded_below_truncation(p, Some(5)).severity, Severity::Warning);
        assert_eq!(graded_below_truncation(p, Some(4)).severity, Severity::Error);
        // Rule 5: a verified header with a generation no log can have is never forgiven.
        let mut b = LogBuilder::new(4).build();
        b[4..8].copy_from_slice(&(-5i32).to_le_bytes());
        seal_log_header(&mut b);
        let c = check_stream_log_with(&b, "logs/E0000004.log", None).unwrap();
        let p = &c.problems[0];
        assert_eq!((code(p), p.generation), (Some(-513), Some(4)));
        assert_eq!(graded_below_truncation(p, Some(5)).severity, Severity::Error);
    }

    #[test]
    fn a_database_that_needs_logs_must_carry_the_streams_signature() {
        let s = stream(&[5, 6, 7], Some(8));
        let p = db_signature_differs_from_logs(&db("a.edb", dirty(5, 7).log_signature(foreign())), &s).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.file.unescaped()),
            (Severity::Error, Some(-530), "a.edb")
        );
        assert!(db_signature_differs_from_logs(&db("a.edb", dirty(5, 7)), &s).is_none());
        // A stream with no signature known (no verified header) says nothing.
        let unknown = StreamView {
            signature: None,
            ..s.clone()
        };
        assert!(db_signature_differs_from_logs(&db("a.edb", dirty(5, 7).log_signature(foreign())), &unknown).is_none());
    }

    #[test]
    fn a_clean_database_with_another_signature_is_only_a_warning() {
        let clean = db("c.edb", DbBuilder::new(8192).log_signature(foreign()));
        let p = clean_db_signature_differs(&clean, Some(default_log_signature())).unwrap();
        assert_eq!((p.severity, code(&p)), (Severity::Warning, Some(-530)));
        assert!(clean_db_signature_differs(&clean, Some(foreign())).is_none());
        assert!(clean_db_signature_differs(&clean, None).is_none());
    }

    #[test]
    fn required_log_6_missing_between_5_and_7_is_543_naming_6() {
        let s = stream(&[5, 7], Some(8));
        let d = db("a.edb", dirty(5, 7));
        let found = required_range_problems(&s, &[&d], 5, 7);
        assert_eq!(found.len(), 1, "{found:?}");
        let p = &found[0];
        assert_eq!(
            (p.severity, code(p), p.generation),
            (Severity::Error, Some(-543), Some(6))
        );
        assert_eq!(p.message, "required log 6 (0x6) missing (required 5-7 (0x5-0x7))");
        // Several missing: one problem listing them, at the first.
        let p = required_logs_missing("logs", &[3, 4, 6], 3, 3, 7).unwrap();
        assert_eq!(p.generation, Some(3));
        assert_eq!(
            p.message,
            "required logs 3-4 (0x3-0x4), 6 (0x6) missing, 3 logs (required 3-7 (0x3-0x7))"
        );
        assert!(required_logs_missing("logs", &[], 0, 3, 7).is_none());
        // A listing cut short says how many are missing in all.
        let p = required_logs_missing("logs", &[4, 5], 2_000_000, 4, 2_000_003).unwrap();
        assert_eq!(
            p.message,
            "required logs 4-5 (0x4-0x5), … missing, 2000000 logs, the first 2 listed (required 4-2000003 (0x4-0x1E8483))"
        );
    }

    #[test]
    fn a_required_log_for_another_page_size_is_1213_at_its_generation() {
        let d = db("a.edb", dirty(5, 6));
        let l = LogView {
            page_size: Some(4096),
            ..log(6)
        };
        let p = log_page_size_differs(&l, 6, &[&d]).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.generation),
            (Severity::Error, Some(-1213), Some(6))
        );
        assert!(log_page_size_differs(&log(6), 6, &[&d]).is_none());
        let mut s = stream(&[5], Some(7));
        s.logs.insert(6, l);
        let found = required_range_problems(&s, &[&d], 5, 6);
        assert_eq!(found.iter().map(code).collect::<Vec<_>>(), vec![Some(-1213)]);
    }

    #[test]
    fn no_current_log_with_a_required_generation_beyond_the_last_is_543() {
        let s = stream(&[5, 6], None);
        let p = required_beyond_last_log(&s, 8, true).unwrap();
        assert_eq!((p.severity, code(&p)), (Severity::Error, Some(-543)));
        assert_eq!(p.message, "no current E00.log and generation 8 (0x8) is required");
        assert!(required_beyond_last_log(&s, 6, true).is_none());
        assert!(
            required_beyond_last_log(&s, 8, false).is_none(),
            "already reported as missing"
        );
        assert!(required_beyond_last_log(&stream(&[5, 6], Some(7)), 8, true).is_none());
    }

    #[test]
    fn committed_log_9_missing_above_required_7_is_582_naming_9() {
        let s = stream(&[5, 6, 7, 8], None);
        let p = committed_logs_missing(&s, 7, 9).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.generation),
            (Severity::Error, Some(-582), Some(9))
        );
        assert_eq!(
            p.message,
            "committed log 9 (0x9) missing (Log Committed up to 9 (0x9)): committed transactions would be lost"
        );
        assert!(committed_logs_missing(&s, 7, 8).is_none());
        assert!(committed_logs_missing(&s, 7, 7).is_none());
    }

    #[test]
    fn the_logs_and_checkpoint_lines_fail_on_their_errors_only() {
        let s = stream(&[5], Some(6));
        let c = chk(5, default_log_signature());
        let warning = Problem::warning(None, "logs", "w").at_generation(5);
        let log_error = Problem::error(Some(JetErr::LogFileCorrupt), "logs/x.log", "e").at_generation(5);
        let chk_error = Problem::error(Some(JetErr::CheckpointCorrupt), &c.path, "e");
        assert_eq!(logs_summary(&s, std::slice::from_ref(&warning)).verdict, Verdict::Pass);
        assert_eq!(
            logs_summary(&s, std::slice::from_ref(&log_error)).verdict,
            Verdict::Fail
        );
        assert_eq!(
            logs_summary(&s, std::slice::from_ref(&chk_error)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            checkpoint_summary(&c, std::slice::from_ref(&log_error)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            checkpoint_summary(&c, std::slice::from_ref(&chk_error)).verdict,
            Verdict::Fail
        );
        let l = logs_summary(&s, &[]);
        assert_eq!((l.first, l.last, l.count), (Some(5), Some(6), 2));
    }

    #[test]
    fn the_required_log_must_be_the_incarnation_the_database_was_written_with() {
        // CLI.md Decision 22, the required log (logredo.cxx, REDO_HIGH_LOG_MISMATCH_ERROR_ID): format 0x620.20.0
        // has no logtimeGenMaxRequired, so with Log Required ending at Log Committed the
        // database's logtimeGenMaxCreate is the time expected of generation 7.
        let s = stream(&[5, 6, 7], Some(8));
        let at = |b: DbBuilder, t: LogTime| db("a.edb", b.header_bytes(348, &t.raw));
        let same = at(dirty(5, 7).log_committed(7), created(7));
        assert!(required_log_other_incarnation(&same, &s).is_none());
        let other = at(dirty(5, 7).log_committed(7), created(99));
        let p = required_log_other_incarnation(&other, &s).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.file.unescaped(), p.generation),
            (Severity::Error, Some(-543), "logs/E0000007.log", Some(7))
        );
        assert!(
            p.message.contains(&created(7).to_string()) && p.message.contains(&created(99).to_string()),
            "{}",
            p.message
        );
        // Committed beyond required: logtimeGenMaxCreate is generation 8's, nothing to compare.
        assert!(required_log_other_incarnation(&at(dirty(5, 7).log_committed(8), created(99)), &s).is_none());
        // From format 0x620.150.320 on, logtimeGenMaxRequired (@672) is the time, whatever
        // Log Committed says.
        let new_format = |t: LogTime| {
            db(
                "a.edb",
                dirty(5, 7)
                    .log_committed(8)
                    .format_version(0x620, 150, 320)
                    .header_bytes(672, &t.raw),
            )
        };
        assert!(required_log_other_incarnation(&new_format(created(7)), &s).is_none());
        assert_eq!(
            code(&required_log_other_incarnation(&new_format(created(98)), &s).unwrap()),
            Some(-543)
        );
        // No time recorded: nothing to compare.
        assert!(required_log_other_incarnation(&db("a.edb", dirty(5, 7).log_committed(7)), &s).is_none());
    }

    #[test]
    fn recovery_cannot_start_at_a_checkpoint_ahead_of_a_dirty_database() {
        // CLI.md Decision 22, the checkpoint, logredo.cxx ErrLGRICheckAttachNow.
        let c = chk(6, default_log_signature());
        let d = db("a.edb", dirty(5, 7));
        let p = checkpoint_ahead_of_database(&c, 6, &d).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.file.unescaped()),
            (Severity::Error, Some(-543), "a.edb")
        );
        assert_eq!(
            p.message,
            "the checkpoint logs/E00.chk is at generation 6 (0x6), ahead of generation 5 (0x5) the database needs first (Log Required 5-7 (0x5-0x7)): recovery would start past it"
        );
        assert!(checkpoint_ahead_of_database(&c, 5, &d).is_none());
        assert!(checkpoint_ahead_of_database(&c, 4, &d).is_none());
        // DirtyAndPatchedShutdown is exempt, as in the engine.
        let patched = db("a.edb", DbBuilder::new(8192).state(7).log_required(5, 7));
        assert!(checkpoint_ahead_of_database(&c, 6, &patched).is_none());
    }

    #[test]
    fn a_checkpoint_log_absent_from_the_stream_is_528_when_recovery_needs_it() {
        let s = stream(&[5, 6, 7], Some(8));
        let c = chk(9, default_log_signature());
        let p = checkpoint_log_missing(&s, &c, 9, true).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.generation),
            (Severity::Error, Some(-528), Some(9))
        );
        assert!(
            p.message
                .contains("generation 9 (0x9) is not among the logs present, 5-8 (0x5-0x8): "),
            "{}",
            p.message
        );
        let p = checkpoint_log_missing(&s, &c, 4, true).unwrap();
        assert_eq!(code(&p), Some(-528));
        // Every database clean: Decision 16's warning.
        let p = checkpoint_log_missing(&s, &c, 9, false).unwrap();
        assert_eq!((p.severity, code(&p)), (Severity::Warning, Some(-509)));
        assert!(checkpoint_log_missing(&s, &c, 6, true).is_none());
        // Through decide: the copy in use is what recovery opens.
        let d = db("a.edb", dirty(5, 7));
        let ahead = CheckpointView {
            in_use_generation: Some(9),
            ..chk(5, default_log_signature())
        };
        let r = decide(std::slice::from_ref(&d), Vec::new(), Some(&s), Some(&ahead), false);
        let codes: Vec<Option<i32>> = r.problems.iter().map(code).collect();
        assert!(codes.contains(&Some(-528)) && codes.contains(&Some(-543)), "{codes:?}");
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn truncatable_logs_are_the_numbered_ones_below_truncate_below_not_forgiven() {
        let s = stream(&[3, 4, 5, 6], Some(7));
        assert_eq!(
            truncatable_logs(&s, 6, &[]),
            vec!["logs/E0000003.log", "logs/E0000004.log", "logs/E0000005.log"]
        );
        assert_eq!(
            truncatable_logs(&s, 6, &[4]),
            vec!["logs/E0000003.log", "logs/E0000005.log"]
        );
        assert!(truncatable_logs(&s, 3, &[]).is_empty());
        assert!(truncatable_logs(&s, 0, &[]).is_empty());
        // The current log is never one, whatever truncate_below says.
        assert_eq!(truncatable_logs(&s, 100, &[]).len(), 4);
    }

    #[test]
    fn problems_are_listed_errors_first_then_by_file_and_generation() {
        let mut v = vec![
            Problem::warning(None, "a", "w"),
            Problem::error(None, "b", "e2").at_generation(7),
            Problem::error(None, "b", "e1").at_generation(6),
            Problem::error(None, "a", "e0"),
        ];
        sort_problems(&mut v);
        let got: Vec<&str> = v.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(got, vec!["e0", "e1", "e2", "w"]);
    }
}
