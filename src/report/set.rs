//! The backup-set verdict (CHKSGFILES, ESE-FORMAT.md §9.5, CLI.md Decisions 13–17): which logs the
//! databases need, whether they are present and intact, what may be truncated.
//!
//! Pure decisions over results already computed by `scan`; no I/O here (and `--strict` is applied
//! here, once, at the edge). Inputs are small views so that the rules can be tested on their own;
//! [`decide_set`] builds them from a [`SetScan`], [`verify_set`] scans and decides.

use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::db_header::DbFileHeader;
use crate::format::Signature;
use crate::problem::{Problem, Severity};
use crate::scan::checkpoint::CheckpointCheck;
use crate::scan::database::DbCheck;
use crate::scan::flushmap::FlushMapCheck;
use crate::scan::set::{scan_set, ScanOptions, SetScan};
use crate::scan::stream::{Ignored, StreamCheck};
use crate::verdict::Verdict;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A database of the set, as the decision needs it.
#[derive(Debug, Clone)]
pub struct DbView {
    /// The file.
    pub path: String,
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
    pub fn needs_logs(&self) -> bool {
        self.header.as_ref().is_some_and(DbFileHeader::needs_logs)
    }
}

/// One log generation of the stream.
#[derive(Debug, Clone)]
pub struct LogView {
    /// The file.
    pub path: String,
    /// True when the log has no error of its own (header, segments).
    pub intact: bool,
    /// Its `signLog`.
    pub signature: Option<Signature>,
    /// Its `le_cbPageSize` (0 → 4096 already applied).
    pub page_size: Option<u32>,
}

/// The log stream found beside (or apart from) the databases.
#[derive(Debug, Clone, Default)]
pub struct StreamView {
    /// Base name (`E00`, `SRU`, `edb`).
    pub base: String,
    /// Directory of the logs.
    pub directory: String,
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
    pub path: String,
    /// At least one copy valid.
    pub usable: bool,
    /// Generation of `le_lgposCheckpoint`.
    pub generation: Option<i32>,
    /// Its `signLog`.
    pub signature: Option<Signature>,
}

/// Per-database line of `verify --json`.
#[derive(Debug, Clone, Serialize)]
pub struct DbSummary {
    /// The file.
    pub path: String,
    /// `le_dbstate` name.
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
    /// pass / fail.
    pub verdict: Verdict,
}

/// Stream summary of `verify --json`.
#[derive(Debug, Clone, Serialize)]
pub struct LogsSummary {
    /// Base name.
    pub base: String,
    /// Directory.
    pub directory: String,
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
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointSummary {
    /// The file.
    pub path: String,
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
    /// Set-level problems (database and log problems included, severities final).
    pub problems: Vec<Problem>,
    /// Where the logs of a database named alone were looked for (beside it); `null` when the
    /// set was named with its logs, a directory or `--logs`.
    pub logs_looked_for_in: Option<String>,
}

/// Missing generations are listed up to this many; a hostile range cannot make the walk long.
const MAX_LISTED_MISSING: usize = 1000;

/// Damage to a log's own bytes, whose severity depends on where the log lies (Decision 15): a
/// header or segment checksum, a torn or unreadable log, a wrong file size, and the −590 that
/// such damage causes in the next log. Set consistency is not here: a foreign signature (−530),
/// a name that disagrees with the header (−513), a broken time chain (−515), a −590 after an
/// intact log, an unsupported version or type mean the files do not belong together, wherever
/// they lie.
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
    let stream_sig = stream.and_then(|s| s.signature);

    // Decision 13: databases that need logs share one log signature and page size.
    if let Some(first) = needing.first() {
        let sig0 = first.header.as_ref().map(|h| h.sign_log);
        for d in &needing[1..] {
            let h = d.header.as_ref().map(|h| h.sign_log);
            if h != sig0 {
                problems.push(Problem::error(
                    Some(JetErr::BadLogSignature),
                    &d.path,
                    format!("log signature differs from that of {}, yet both need logs", first.path),
                ));
            }
            if d.page_size != first.page_size {
                problems.push(Problem::error(
                    Some(JetErr::PageSizeMismatch),
                    &d.path,
                    format!(
                        "page size {} differs from {} ({} bytes)",
                        d.page_size, first.path, first.page_size
                    ),
                ));
            }
        }
    }
    for d in &needing {
        if let Some(h) = &d.header {
            if h.sign_log.is_zero() {
                problems.push(Problem::error(
                    Some(JetErr::DatabaseDirtyShutdown),
                    &d.path,
                    format!(
                        "{} without a log signature: the database was unlogged and cannot be recovered",
                        h.state_name()
                    ),
                ));
            }
        }
    }

    for d in &needing {
        if let Some(h) = &d.header {
            if let Some(why) = unusable_range(h) {
                problems.push(Problem::error(
                    Some(JetErr::DatabaseDirtyShutdown),
                    &d.path,
                    format!(
                        "{} but its Log Required range {}-{} is unusable ({why}): the header does not say which logs replay it",
                        h.state_name(),
                        h.gen_min_required,
                        h.gen_max_required
                    ),
                ));
            }
        }
    }
    let required = required_range(&needing);
    let committed_max = needing
        .iter()
        .filter_map(|d| d.header.as_ref().map(|h| h.gen_max_committed))
        .max()
        .filter(|&g| g > 0);

    // Candidate truncate_below (Decision 14), needed now to grade log damage (Decision 15).
    // The checkpoint bounds truncation when it is the stream's (same signature) or, with no
    // stream at all, whenever it is usable: recovery would start there.
    let chk_gen = checkpoint
        .filter(|c| c.usable && c.signature.is_some() && (stream.is_none() || c.signature == stream_sig))
        .and_then(|c| c.generation);
    let mut candidates: Vec<i32> = Vec::new();
    candidates.extend(chk_gen.filter(|&g| g > 0));
    candidates.extend(
        needing
            .iter()
            .filter_map(|d| d.header.as_ref())
            // Both ends: an unusable range (inverted, 0-N) must not let damage to a generation
            // it names be forgiven as "below truncate_below" (the set fails on it anyway).
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
    let truncate_candidate = candidates.into_iter().min().or_else(|| match stream {
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
    });

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
        None => {
            for d in &needing {
                problems.push(Problem::error(
                    Some(JetErr::RequiredLogFilesMissing),
                    &d.path,
                    match required {
                        Some([a, b]) => format!(
                            "database needs logs {a}-{b} ({}) but no log files were found",
                            d.header.as_ref().map(|h| h.state_name()).unwrap_or("")
                        ),
                        None => "database needs logs but no log files were found".to_string(),
                    },
                ));
            }
        }
    }

    if let Some(s) = stream {
        checkpoint_rules(s, checkpoint, &mut problems);
    } else if let Some(c) = checkpoint.filter(|c| c.usable) {
        problems.extend(checkpoint_generation_problem(c));
    }

    problems.sort_by(|a, b| {
        (b.severity, &a.file, a.generation, a.page, &a.message).cmp(&(
            a.severity,
            &b.file,
            b.generation,
            b.page,
            &b.message,
        ))
    });
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

    SetDecision {
        verdict,
        databases: dbs.iter().map(summary).collect(),
        logs: stream.map(|s| LogsSummary {
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
        }),
        checkpoint: checkpoint.map(|c| CheckpointSummary {
            path: c.path.clone(),
            generation: c.generation,
            verdict: if problems.iter().any(|p| p.is_error() && p.file == c.path) {
                Verdict::Fail
            } else {
                Verdict::Pass
            },
        }),
        required_range: required,
        truncate_below,
        roll_forward_to,
        unnecessary_logs_corrupt,
        problems,
        logs_looked_for_in: None,
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
pub fn required_range(needing: &[&DbView]) -> Option<[i32; 2]> {
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
    // Decision 15: damage confined to logs below truncate_below is a warning.
    for p in &s.problems {
        let mut p = p.clone();
        if let (Some(_), Some(t)) = (p.generation, truncate_below) {
            if is_forgiven(&p, t) {
                p.severity = Severity::Warning;
                p.message = match p.follows {
                    Some(_) => format!(
                        "{} (that log lies below generation {t}, not needed: only unnecessary logs corrupt)",
                        p.message
                    ),
                    None => format!(
                        "{} (below generation {t}, not needed: only unnecessary logs corrupt)",
                        p.message
                    ),
                };
            }
        }
        problems.push(p);
    }
    let last = s.logs.keys().next_back().copied();
    for d in needing {
        let Some(h) = &d.header else { continue };
        if s.signature.is_some() && Some(h.sign_log) != s.signature {
            problems.push(Problem::error(
                Some(JetErr::BadLogSignature),
                &d.path,
                format!(
                    "database log signature {} differs from the logs' {}",
                    h.sign_log,
                    s.signature.map(|x| x.to_string()).unwrap_or_default()
                ),
            ));
        }
    }
    if let Some([lo, hi]) = required {
        let mut missing = Vec::new();
        for g in lo..=hi {
            if missing.len() >= MAX_LISTED_MISSING {
                break;
            }
            match s.logs.get(&g) {
                None => missing.push(g),
                Some(l) => {
                    if let Some(ps) = l.page_size {
                        if let Some(d) = needing.iter().find(|d| d.page_size as u32 != ps) {
                            problems.push(
                                Problem::error(
                                    Some(JetErr::PageSizeMismatch),
                                    &l.path,
                                    format!(
                                        "log page size {ps} differs from database {} ({} bytes)",
                                        d.path, d.page_size
                                    ),
                                )
                                .at_generation(i64::from(g)),
                            );
                        }
                    }
                }
            }
        }
        if !missing.is_empty() {
            problems.push(
                Problem::error(
                    Some(JetErr::RequiredLogFilesMissing),
                    &s.directory,
                    format!("required log {} missing (required {lo}-{hi})", gens(&missing)),
                )
                .at_generation(i64::from(missing[0])),
            );
        }
        if s.current.is_none() && last.is_some_and(|l| l < hi) && missing.is_empty() {
            problems.push(Problem::error(
                Some(JetErr::RequiredLogFilesMissing),
                &s.directory,
                format!("no current {}.log and generation {hi} is required", s.base),
            ));
        }
    }
    if let (Some(c), Some([_, hi])) = (committed_max, required) {
        let missing: Vec<i32> = (hi.saturating_add(1)..=c)
            .filter(|g| !s.logs.contains_key(g))
            .take(MAX_LISTED_MISSING)
            .collect();
        if !missing.is_empty() {
            problems.push(
                Problem::error(
                    Some(JetErr::CommittedLogFilesMissing),
                    &s.directory,
                    format!(
                        "committed log {} missing (Log Committed up to {c}): committed transactions would be lost",
                        gens(&missing)
                    ),
                )
                .at_generation(i64::from(missing[0])),
            );
        }
    }
    // A missing current log that nothing needs is the stream's own warning (scan/stream.rs).
    // Clean databases need no logs; a foreign log signature beside them is only worth a warning.
    for d in all.iter().filter(|d| !d.needs_logs()) {
        if let (Some(h), Some(sig)) = (&d.header, s.signature) {
            if h.sign_log != sig {
                problems.push(Problem::warning(
                    Some(JetErr::BadLogSignature),
                    &d.path,
                    format!("clean database's log signature {} differs from the logs' {sig}: those logs do not belong to it (it needs none)", h.sign_log),
                ));
            }
        }
    }
}

fn checkpoint_rules(s: &StreamView, c: Option<&CheckpointView>, problems: &mut Vec<Problem>) {
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
    if let Some(g) = c.generation {
        if !s.logs.contains_key(&g) {
            problems.push(
                Problem::warning(
                    Some(JetErr::MissingPreviousLogFile),
                    &c.path,
                    format!("checkpoint generation {g} is not among the logs present"),
                )
                .at_generation(i64::from(g)),
            );
        }
    }
}

/// A checkpoint position no log can have (scan::checkpoint::check_checkpoint refuses such a copy, CLI.md
/// Decision 2; a view built otherwise must not let truncation run past it).
fn checkpoint_generation_problem(c: &CheckpointView) -> Option<Problem> {
    let g = c.generation.filter(|&g| !(1..=0x7FFF_FA00).contains(&g))?;
    Some(Problem::error(
        Some(JetErr::CheckpointCorrupt),
        &c.path,
        format!("checkpoint generation {g} is not a log generation (1..=0x7FFFFA00)"),
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

fn gens(v: &[i32]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            v[i].to_string()
        } else {
            format!("{}-{}", v[i], v[j])
        });
        i = j + 1;
    }
    let s = parts.join(", ");
    if v.len() == 1 {
        s
    } else {
        format!("{s} ({} logs)", v.len())
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
/// `Err` means the set could not be checked (exit 2); see [`scan_set`].
pub fn verify_set(paths: &[PathBuf], opts: &VerifyOptions<'_>) -> Result<SetReport, CheckError> {
    let scan = scan_set(paths, &opts.scan)?;
    Ok(decide_set(scan, opts.strict))
}

/// The verdict of a scanned set.
pub fn decide_set(scan: SetScan, strict: bool) -> SetReport {
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
        signature: c.log_signature,
    });
    let mut decision = decide(&dbs, problems, stream_view.as_ref(), chk_view.as_ref(), strict);
    decision.logs_looked_for_in = scan.logs_looked_for_in.map(|d| d.display().to_string());
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
                },
            );
        }
    }
    let current = s
        .files
        .iter()
        .find(|f| is_current_name(&f.path, s.base.as_deref()))
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
