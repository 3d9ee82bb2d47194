//! Checking a whole log stream (ESE-FORMAT.md §9.3 "across a set"; eseutil /ML `<base>`,
//! `esecheck logs DIR [--base NAME]`): every log of one base checked on its own (in parallel),
//! then the chain: names vs headers (−513), gaps (−528), one signature (−530), creation-time chain
//! (−515), accumulated segment checksums (−590), versions not going backwards (warning).
//!
//! Memory stays flat with the number of logs: each file is mapped, checked and unmapped inside
//! its own task, and only its small [`LogCheck`] summary is kept. Nothing is ever written.

use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::{parse_log_name, Generation, GenerationRange, LogFileHeader, LogNameKind, Signature};
use crate::problem::Problem;
use crate::scan::file::Input;
use crate::scan::log::{check_stream_log_with, LogCheck};
use crate::verdict::Verdict;
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Why a file is not part of what is checked (CLI.md Decision 9). Decides what the caller does
/// with it; the words a person reads are in [`Ignored::why`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgnoreKind {
    /// A reserve log or the next-generation log: pre-allocated, never verified.
    Reserve,
    /// A log of another base in the same directory.
    OtherStream,
    /// A log header under a name that is no log-stream name (e.g. `E00.log.bak`).
    NotStreamName,
    /// A checkpoint file: the set's checkpoint is chosen by the caller.
    Checkpoint,
    /// Not a log at all (a text file named like one, another program's file).
    NotLog,
    /// Not a regular file, or unreadable metadata.
    NotRegular,
    /// A checkpoint that belongs to another stream.
    OtherCheckpoint,
    /// The stream's base with the other naming's extension (`.jcp` beside a `.log` stream,
    /// `.chk` beside a `.jtx` one): the engine never opens it (CLI.md Decision 21).
    OtherNamingCheckpoint,
    /// A log outside the set's log directory.
    OutsideLogDirectory,
    /// A temporary database.
    TemporaryDatabase,
    /// Not an ESE file.
    NotEse,
}

impl IgnoreKind {
    /// True when a file set aside for this reason still belongs with the set (a pipeline that
    /// names every file it backed up names these too): it is listed, not refused.
    pub(crate) fn belongs_with_the_set(self) -> bool {
        matches!(
            self,
            IgnoreKind::Reserve | IgnoreKind::TemporaryDatabase | IgnoreKind::OtherNamingCheckpoint
        )
    }
}

/// A file that is not part of the stream or set, and why (CLI.md Decision 9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Ignored {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// Why it is not part of the stream.
    pub why: String,
    /// The reason, as a type.
    #[serde(skip)]
    pub kind: IgnoreKind,
}

impl Ignored {
    /// A file set aside for `kind`, in words `why`.
    pub(crate) fn new(path: impl Into<crate::escape::ShownPath>, kind: IgnoreKind, why: impl Into<String>) -> Ignored {
        Ignored {
            path: path.into(),
            why: why.into(),
            kind,
        }
    }
}

/// The result of checking a log stream; serialises as CLI.md's `logs --json`.
#[derive(Debug, Clone, Serialize)]
pub struct StreamCheck {
    /// Pass, fail (integrity problem), or error (nothing could be checked, e.g. no logs: −1811).
    pub verdict: Verdict,
    /// The base name as written in the file names (e.g. `SRU`).
    pub base: Option<String>,
    /// The directory searched.
    pub directory: crate::escape::ShownPath,
    /// Lowest generation present.
    pub first: Option<i32>,
    /// Highest generation present (normally the current `<base>.log`).
    pub last: Option<i32>,
    /// Per-log results, in generation order, the current log last.
    pub files: Vec<LogCheck>,
    /// Files of the directory that are not part of the stream.
    pub ignored: Vec<Ignored>,
    /// Problems of the stream as a whole (per-file problems are in `files`).
    pub problems: Vec<Problem>,
    /// The stream's `signLog` (from the current log, else the newest log with a valid header).
    pub log_signature: Option<Signature>,
    /// Every database path the attach lists of the stream's verified log headers name, once
    /// each (the per-log lists are dropped to keep a long stream small): what makes a wiped
    /// database a member of the set by name (CLI.md Decision 1, members by the attach list).
    #[serde(skip)]
    pub attached_databases: std::collections::BTreeSet<String>,
}

impl StreamCheck {
    /// Every log with a known generation, in order: `(generation, result)`. The generation is the
    /// header's, or the name's when the header is unusable.
    pub(crate) fn generations(&self) -> impl Iterator<Item = (i32, &LogCheck)> {
        self.files.iter().filter_map(|f| f.generation.map(|g| (g, f)))
    }

    /// The log of generation `g`, if present.
    pub fn generation(&self, g: i32) -> Option<&LogCheck> {
        self.generations().find(|(x, _)| *x == g).map(|(_, f)| f)
    }

    /// True when generation `g` is present, its file passed, and no stream-level error concerns
    /// it (−515, −590, −530…). A follow-on of the damage of g−1 is g−1's, not g's. One lookup;
    /// for every generation at once use [`StreamCheck::intact_generations`].
    pub fn is_intact(&self, g: i32) -> bool {
        self.intact_generations().contains(&g)
    }

    /// Every intact generation (as [`StreamCheck::is_intact`]), in one pass over the files and
    /// the problems: linear in the size of the stream.
    pub fn intact_generations(&self) -> std::collections::BTreeSet<i32> {
        let damaged: std::collections::BTreeSet<i64> = self
            .problems
            .iter()
            .filter(|p| p.is_error())
            .filter_map(Problem::graded_generation)
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut out = std::collections::BTreeSet::new();
        for (g, f) in self.generations() {
            // The first file of a generation decides, as `generation(g)` finds it.
            if seen.insert(g) && f.is_ok() && !damaged.contains(&i64::from(g)) {
                out.insert(g);
            }
        }
        out
    }

    /// Checks that no log of the stream changed since it was read (CLI.md "Exit status"): `Err` (could not
    /// check) naming the first that did.
    pub(crate) fn recheck(&self) -> Result<(), CheckError> {
        crate::scan::file::recheck_all(
            self.files
                .iter()
                .filter_map(|f| f.opened.as_ref())
                .map(|(p, s)| (p.as_path(), s)),
        )
    }

    /// The stream's log signature.
    pub fn signature(&self) -> Option<&Signature> {
        self.log_signature.as_ref()
    }
}

/// The stream's log signature (CLI.md Decision 15): the databases' (`expected`) when any log
/// carries it; else the one most verified headers carry, the newest of equals (`headers` is in
/// generation order, the current log last). A single foreign log never becomes the reference
/// for the others.
///
/// Generic so that a test can count the comparisons: one hash and at most a few equality tests
/// per header, whatever the number of logs (docs/PERFORMANCE.md).
pub fn stream_signature<S: Copy + Eq + std::hash::Hash>(headers: &[S], expected: Option<S>) -> Option<S> {
    if let Some(e) = expected.filter(|e| headers.contains(e)) {
        return Some(e);
    }
    // One count per distinct signature (a pass over the headers, not one per header: a stream
    // of 100,000 logs would otherwise compare 10^10 pairs), then the newest of the most common.
    let mut counts: std::collections::HashMap<S, usize> = std::collections::HashMap::new();
    for s in headers {
        *counts.entry(*s).or_default() += 1;
    }
    let most = counts.values().copied().max()?;
    headers.iter().rev().find(|s| counts.get(*s) == Some(&most)).copied()
}

/// True when the log of generation `g` has any problem at all, of its own or of the stream
/// found so far (a signature, name or time-chain problem at `g`). Only then is a −590 in the
/// next log a follow-on of this one's damage (CLI.md Decision 15).
fn has_any_problem(f: &LogCheck, g: i64, stream_problem_generations: &std::collections::BTreeSet<i64>) -> bool {
    !f.problems.is_empty() || f.verdict != Verdict::Pass || stream_problem_generations.contains(&g)
}

fn stream_error(code: JetErr, file: &str, g: Option<i64>, msg: String) -> Problem {
    let p = Problem::error(Some(code), file, msg);
    match g {
        Some(g) => p.at_generation(g),
        None => p,
    }
}

/// What the first 4096 bytes of a file say about it as a log.
#[derive(Debug, PartialEq, Eq)]
struct Sniff {
    /// A log header: a verifying checksum with `le_filetype` 3 (or 0 with a log version), or
    /// `le_filetype` 3 alone.
    looks_like_log: bool,
    /// `signLog`, when the header checksum verifies.
    signature: Option<Signature>,
}

fn sniff(path: &Path) -> Sniff {
    let mut head = [0u8; crate::format::log_header::LOG_HEADER_SIZE];
    let Ok(mut f) = crate::scan::file::open_read_only(path) else {
        return Sniff {
            looks_like_log: false,
            signature: None,
        };
    };
    if f.read_exact(&mut head).is_err() {
        return Sniff {
            looks_like_log: false,
            signature: None,
        };
    }
    sniff_head(&head)
}

/// What a log header says (CLI.md Decision 1, ESE-FORMAT §6.2): a log by
/// [`classify::is_log_header`](crate::scan::classify::is_log_header) — the same rule `classify`
/// applies, read through [`crate::format::Reader`] — and its `signLog` only when the header's
/// checksum verifies (Decision 15: consistency is judged from verified headers only).
fn sniff_head(head: &[u8]) -> Sniff {
    let verified = head
        .get(..crate::format::log_header::LOG_HEADER_SIZE)
        .is_some_and(crate::checksum::legacy_checksum_ok);
    Sniff {
        looks_like_log: crate::scan::classify::is_log_header(head),
        signature: verified
            .then(|| LogFileHeader::parse(head).ok().map(|h| h.sign_log))
            .flatten(),
    }
}

/// A file offered to the stream: a directory entry, or a file the user named.
#[derive(Debug, Clone)]
pub(crate) struct StreamEntry {
    /// The path, as it will be shown.
    pub path: std::path::PathBuf,
    /// Its last component.
    pub name: std::ffi::OsString,
    /// False for anything but a regular file (and for unreadable metadata).
    pub regular: bool,
}

/// The entries of `dir` that a stream may be made of: every entry except directories not named
/// like a log (all directories too with `keep_dirs`). A broken link, a loop, a FIFO, a device or
/// a log-named directory is kept (named like a log it stays a candidate and fails to open,
/// naming the file).
pub(crate) fn list_entries(dir: &Path, keep_dirs: bool) -> Result<Vec<StreamEntry>, CheckError> {
    use crate::scan::walk::{list_dir, EntryKind};
    Ok(list_dir(dir)?
        .into_iter()
        .filter(|e| keep_dirs || e.kind != EntryKind::Dir || e.name.to_str().is_some_and(names_a_log))
        .map(|e| StreamEntry {
            regular: e.kind == EntryKind::File,
            path: e.path,
            name: e.name,
        })
        .collect())
}

struct Candidate {
    base: String,
    kind: LogNameKind,
    path: std::path::PathBuf,
}

/// True for a non-empty file of zeros (an empty file may be anything, e.g. a fresh text log).
fn is_wiped(path: &Path) -> bool {
    Input::open(path).is_ok_and(|i| !i.bytes().is_empty() && crate::scan::classify::is_all_zeros(i.bytes()))
}

/// The words for a reserve or next-generation log (CLI.md Decision 9).
fn reserve_why(path: &Path) -> &'static str {
    match Input::open(path) {
        Ok(i) => crate::scan::classify::reserve_note(i.bytes()),
        Err(_) => "reserve / next-generation file, not verified",
    }
}

/// True for a name of the stream itself: an archived or the current log.
fn names_a_log(name: &str) -> bool {
    parse_log_name(name).is_some_and(|n| matches!(n.kind, LogNameKind::Archived { .. } | LogNameKind::Current))
}

/// Checks the log stream in `dir`. `base` picks one stream when several share the directory.
///
/// `Err` when the directory cannot be read, several bases are present without `base`, or `base`
/// names no stream while others are present. No logs at all is `Ok` with a −1811 problem and
/// verdict error (nothing could be checked).
pub fn check_stream(dir: &Path, base: Option<&str>) -> Result<StreamCheck, CheckError> {
    check_stream_entries(dir, list_entries(dir, false)?, base, None, None, None)
}

/// Checks the stream made of `entries` (all in `dir`): the directory's entries, or exactly the
/// files a user named (CLI.md Decision 20). `expected` is the log signature of the databases
/// the stream is checked for, if known: it names the matching stream when several are present,
/// and is the stream's signature when any of its logs carries it.
pub(crate) fn check_stream_entries(
    dir: &Path,
    mut entries: Vec<StreamEntry>,
    base: Option<&str>,
    expected: Option<Signature>,
    progress: Option<&crate::scan::progress::Progress<'_>>,
    crc_block_size: Option<u64>,
) -> Result<StreamCheck, CheckError> {
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut ignored = Vec::new();
    let mut candidates = Vec::new();
    for e in entries {
        match entry_role(e) {
            Ok(c) => candidates.push(c),
            Err(i) => ignored.push(i),
        }
    }

    let mut real_bases = bases_with_a_log_header(&candidates);
    let chosen = choose_stream(dir, base, expected, &candidates, &mut real_bases)?;
    let mut mine = Vec::new();
    let mut wiped = Vec::new();
    for c in candidates {
        match candidate_fate(&c, chosen.as_deref(), base.is_some(), &real_bases, || is_wiped(&c.path)) {
            Fate::Member => mine.push(c),
            Fate::Wiped => wiped.push(wiped_log_problem(&c.path)),
            Fate::Ignored(kind, why) => ignored.push(Ignored::new(c.path.display().to_string(), kind, why)),
        }
    }

    let mut out = StreamCheck {
        verdict: Verdict::Pass,
        base: mine.first().map(|c| c.base.clone()).or(base.map(str::to_string)),
        directory: dir.into(),
        first: None,
        last: None,
        files: Vec::new(),
        ignored,
        problems: Vec::new(),
        log_signature: None,
        attached_databases: Default::default(),
    };
    if mine.is_empty() {
        out.problems.extend(wiped.iter().cloned());
        out.problems.push(no_logs_found(out.directory.unescaped(), base));
        out.verdict = verdict_without_logs(&wiped);
        return Ok(out);
    }

    let (results, attached): (Vec<LogCheck>, Vec<Vec<String>>) =
        check_each_log(&mine, progress, crc_block_size).into_iter().unzip();
    out.attached_databases = attached.into_iter().flatten().collect();
    chain_checks(&mut out, mine, results, expected);
    out.problems.extend(wiped);
    out.verdict = out.verdict.combine(Verdict::from_problems(&out.problems, false));
    Ok(out)
}

/// What an entry offered to the stream is (CLI.md Decision 9): a candidate member when its name is
/// an archived or current log name of some base; else set aside, with the reason — a reserve or
/// next-generation log, a checkpoint, a file that is not regular, a log header under a name that
/// is no log-stream name, or no log at all. Only the last two read the file (its header).
fn entry_role(e: StreamEntry) -> Result<Candidate, Ignored> {
    let shown = e.path.display().to_string();
    let Some(name) = e.name.to_str().map(str::to_string) else {
        return Err(Ignored::new(
            shown,
            IgnoreKind::NotLog,
            "file name is not UTF-8, not a log-stream name",
        ));
    };
    let (kind, why) = match parse_log_name(&name) {
        Some(n) => match n.kind {
            LogNameKind::Archived { .. } | LogNameKind::Current => {
                return Ok(Candidate {
                    base: n.base.clone(),
                    kind: n.kind,
                    path: e.path,
                });
            }
            LogNameKind::Temp | LogNameKind::Reserve => (IgnoreKind::Reserve, reserve_why(&e.path)),
            LogNameKind::Checkpoint => (IgnoreKind::Checkpoint, "checkpoint, not a log"),
        },
        None if name.to_ascii_lowercase().ends_with(".jrs") => (IgnoreKind::Reserve, reserve_why(&e.path)),
        None if !e.regular => (
            IgnoreKind::NotRegular,
            "not a regular file (device, pipe, socket or broken link)",
        ),
        None if sniff(&e.path).looks_like_log => (
            IgnoreKind::NotStreamName,
            "log header, but the name is not a log-stream name",
        ),
        None => (IgnoreKind::NotLog, "not a log-stream file"),
    };
    Err(Ignored::new(shown, kind, why))
}

/// The bases of the candidates, keyed in lower case: `(base as written, a signature)`.
type Bases = BTreeMap<String, (String, Option<Signature>)>;

/// The bases that are log streams (CLI.md Decisions 9 and 21): those with at least one file whose
/// header is a log header (a stray text file `abc.log` makes no stream), each with the signature
/// of the first of its headers that verifies. Once a base has a signature its other files are not
/// read.
fn bases_with_a_log_header(candidates: &[Candidate]) -> Bases {
    let mut real_bases = Bases::new();
    for c in candidates {
        let key = c.base.to_ascii_lowercase();
        let seen = real_bases.get(&key).is_some_and(|(_, sig)| sig.is_some());
        if !seen {
            let sn = sniff(&c.path);
            if sn.looks_like_log {
                let e = real_bases.entry(key).or_insert((c.base.clone(), None));
                e.1 = e.1.or(sn.signature);
            }
        }
    }
    real_bases
}

/// The streams found, as a message lists them: `E00, SRU`.
fn streams_found(real_bases: &Bases) -> String {
    real_bases
        .values()
        .map(|(b, _)| b.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The stream whose header carries the databases' log signature `expected` (CLI.md Decision 21:
/// the stream a message points to), if any.
fn stream_matching_signature(real_bases: &Bases, expected: Option<Signature>) -> Option<String> {
    expected.and_then(|sig| {
        real_bases
            .values()
            .find(|(_, s)| *s == Some(sig))
            .map(|(b, _)| b.clone())
    })
}

/// CLI.md Decision 21: `--base B` when logs of other bases are present but none of base B is
/// exit 2, naming the streams found and the one to use (the databases' when known, else the
/// first). `None` when base B has files, or no other stream is present (then Decisions 16 and 14
/// apply).
fn base_names_no_stream(
    dir: &Path,
    b: &str,
    candidates: &[Candidate],
    real_bases: &Bases,
    expected: Option<Signature>,
) -> Option<CheckError> {
    let has_own = candidates.iter().any(|c| c.base.eq_ignore_ascii_case(b));
    if has_own || real_bases.is_empty() {
        return None;
    }
    let hint = match stream_matching_signature(real_bases, expected)
        .or_else(|| real_bases.values().next().map(|(b, _)| b.clone()))
    {
        Some(m) => format!(" (use --base {m})"),
        None => String::new(),
    };
    Some(CheckError::new(
        dir,
        format!(
            "no log stream {b} in {}; streams found: {}{hint}",
            dir.display(),
            streams_found(real_bases)
        ),
    ))
}

/// CLI.md Decision 21: several streams without `--base` are exit 2, never guessed into a pass;
/// the message names the stream whose signature is the databases' (`expected`), or says none is.
fn several_streams(dir: &Path, real_bases: &Bases, expected: Option<Signature>) -> CheckError {
    let hint = match (expected, stream_matching_signature(real_bases, expected)) {
        (Some(_), Some(m)) => format!("; the databases' log signature is that of stream {m} (use --base {m})"),
        (Some(_), None) => "; none of them carries the databases' log signature".to_string(),
        (None, _) => String::new(),
    };
    CheckError::new(
        dir,
        format!(
            "several log streams ({}): choose one with --base{hint}",
            streams_found(real_bases)
        ),
    )
}

/// CLI.md Decision 9 ("every numbered log is part of the stream"): when no header looks like a
/// log, the one base that has numbered logs is still the stream, damaged as it may be (its key,
/// lower case). `None` when no base, or more than one, has numbered logs.
fn lone_numbered_base(candidates: &[Candidate]) -> Option<String> {
    let numbered: std::collections::BTreeSet<String> = candidates
        .iter()
        .filter(|c| matches!(c.kind, LogNameKind::Archived { .. }))
        .map(|c| c.base.to_ascii_lowercase())
        .collect();
    if numbered.len() == 1 {
        numbered.into_iter().next()
    } else {
        None
    }
}

/// The stream's base (lower case), CLI.md Decision 21: `--base`, else the one stream present,
/// else the lone numbered base (added to `real_bases`, Decision 9). `Err` as
/// [`base_names_no_stream`] and [`several_streams`] decide.
fn choose_stream(
    dir: &Path,
    base: Option<&str>,
    expected: Option<Signature>,
    candidates: &[Candidate],
    real_bases: &mut Bases,
) -> Result<Option<String>, CheckError> {
    match base {
        Some(b) => match base_names_no_stream(dir, b, candidates, real_bases, expected) {
            Some(e) => Err(e),
            None => Ok(Some(b.to_ascii_lowercase())),
        },
        None if real_bases.len() > 1 => Err(several_streams(dir, real_bases, expected)),
        None => Ok(real_bases.keys().next().cloned().or_else(|| {
            let k = lone_numbered_base(candidates)?;
            real_bases.insert(k.clone(), (k.clone(), None));
            Some(k)
        })),
    }
}

/// What becomes of a candidate once the stream is chosen.
#[derive(Debug, PartialEq, Eq)]
enum Fate {
    /// A log of the chosen stream.
    Member,
    /// Named like a log of no stream and all zeros: a wiped member.
    Wiped,
    /// Set aside, with the reason.
    Ignored(IgnoreKind, String),
}

/// CLI.md Decisions 9 and 21, for a file named like a log: a member when its base is the chosen
/// one (`--base` given, or the base is a stream); else, of a base that is no stream and all zeros
/// (`wiped`, asked only then), a wiped member (Decision 1); else a log of another stream, or a
/// stray file that merely has a log-like name ("not an ESE log").
fn candidate_fate(
    c: &Candidate,
    chosen: Option<&str>,
    base_given: bool,
    real_bases: &Bases,
    wiped: impl FnOnce() -> bool,
) -> Fate {
    let key = c.base.to_ascii_lowercase();
    let a_stream = real_bases.contains_key(&key);
    if Some(key.as_str()) == chosen && (base_given || a_stream) {
        Fate::Member
    } else if !a_stream && wiped() {
        Fate::Wiped
    } else if a_stream {
        Fate::Ignored(IgnoreKind::OtherStream, format!("other log stream (base {})", c.base))
    } else {
        Fate::Ignored(IgnoreKind::NotLog, "not an ESE log".to_string())
    }
}

/// CLI.md Decision 1: a file named like a log and all zeros fails whatever stream it was meant
/// for (−501, never forgiven: it is marked as zeros).
fn wiped_log_problem(path: &Path) -> Problem {
    Problem::error(
        Some(JetErr::LogFileCorrupt),
        path.display().to_string(),
        "named like a log but all zeros: never written or wiped",
    )
    .at_offset(0)
    .of_zeros()
}

/// ESE-FORMAT §9.3 "no logs found with either extension": −1811, naming the base when one was
/// asked for.
fn no_logs_found(directory: &str, base: Option<&str>) -> Problem {
    Problem::error(
        Some(JetErr::FileNotFound),
        directory,
        match base {
            Some(b) => format!("no log files of base {b} (.log or .jtx) found"),
            None => "no log files (.log or .jtx) found".to_string(),
        },
    )
}

/// CLI.md Decision 2: a stream with no logs could not be checked (error), unless a wiped log was
/// found (Decision 1): that is an integrity problem (fail).
fn verdict_without_logs(wiped: &[Problem]) -> Verdict {
    if wiped.is_empty() {
        Verdict::Error
    } else {
        Verdict::Fail
    }
}

/// Checks every log of the stream on its own, in parallel; each map lives only inside its task.
/// Results are in the order of `mine`. A log whose verified header holds a generation no log can
/// have is a damaged member ([`check_stream_log_with`], CLI.md Decisions 2 and 3); one that could
/// not be checked otherwise is kept as such ([`LogCheck::not_checked`]). Each comes with the
/// database paths of its verified header's attach list.
fn check_each_log(
    mine: &[Candidate],
    progress: Option<&crate::scan::progress::Progress<'_>>,
    crc_block_size: Option<u64>,
) -> Vec<(LogCheck, Vec<String>)> {
    mine.par_iter()
        .map(|c| {
            let shown = c.path.display().to_string();
            if let Some(p) = progress {
                p.file_started(&c.path);
            }
            let checked = Input::open(&c.path).and_then(|input| {
                // Hashed first, in this worker: the check then reads the bytes from memory.
                let crc = crc_block_size.map(|b| crate::scan::crc::crc_of_bytes(input.bytes(), input.holes(), b));
                let mut checked = check_stream_log_with(input.bytes(), &shown, Some(&|o, l| input.release(o, l)))?;
                checked.opened = Some((c.path.clone(), input.stamp()));
                checked.crc = crc;
                if let Some(p) = progress {
                    p.inc(input.bytes().len() as u64);
                }
                Ok(checked)
            });
            if let Some(p) = progress {
                p.file_finished(&c.path);
            }
            let mut c = checked.unwrap_or_else(|e| LogCheck::not_checked(&e));
            // The chain checks need only the fixed header fields: drop the paths and the attach
            // list so that a stream of tens of thousands of logs keeps a few hundred bytes each
            // (the attached databases' paths go back once each, for the set).
            let mut attached = Vec::new();
            if let Some(h) = c.header.as_mut() {
                attached = std::mem::take(&mut h.attach).into_iter().map(|a| a.path).collect();
                h.dbms_param.system_path = String::new();
                h.dbms_param.log_file_path = String::new();
            }
            (c, attached)
        })
        .collect()
}

/// The chain of the stream (ESE-FORMAT §9.3 "across a set"), over the logs checked on their own.
fn chain_checks(out: &mut StreamCheck, mine: Vec<Candidate>, results: Vec<LogCheck>, expected: Option<Signature>) {
    let mut files = results;
    let (archived, current) = place_logs(&mine, &mut files);
    let dir = out.directory.unescaped().to_string();
    let mut problems = duplicate_generations(&dir, &archived);
    let gens: Vec<i64> = archived.keys().copied().collect();
    problems.extend(gens.windows(2).filter_map(|w| gap_between(&dir, w[0], w[1])));
    let base = out.base.clone().unwrap_or_default();
    problems.extend(current_log_problems(
        &dir,
        &base,
        &current,
        &files,
        gens.last().copied(),
    ));

    // Order: archived by generation, then the current log(s).
    let mut order: Vec<usize> = archived.values().flatten().copied().collect();
    order.extend(current.iter().copied());

    let headers: Vec<Signature> = order
        .iter()
        .filter_map(|&i| files[i].header.as_ref().map(|h| h.sign_log))
        .collect();
    let sig = stream_signature(&headers, expected);
    if let Some(sig) = sig {
        problems.extend(
            order
                .iter()
                .filter_map(|&i| signature_differs_from_stream(&files[i], sig)),
        );
    }
    generation_chain(&order, &files, &mut problems);

    let mut ordered: Vec<Option<LogCheck>> = files.into_iter().map(Some).collect();
    out.files = order.iter().filter_map(|&i| ordered[i].take()).collect();
    out.first = out.files.iter().filter_map(|f| f.generation).min();
    out.last = out.files.iter().filter_map(|f| f.generation).max();
    out.log_signature = sig;
    out.problems = problems;
    let mut verdict = Verdict::from_problems(&out.problems, false);
    for f in &out.files {
        verdict = verdict.combine(f.verdict);
    }
    out.verdict = verdict;
}

/// Places each log of the stream (ESE-FORMAT §6.1): an archived log by its name's generation, the
/// current log apart (its generation is its header's). A name that disagrees with a verified
/// header is check_log's −513 (it reads the name too); an archived log with no usable header takes
/// its name's generation. Returns the archived logs by generation (indices into `files`, several
/// when files claim one generation) and the current logs.
fn place_logs(mine: &[Candidate], files: &mut [LogCheck]) -> (BTreeMap<i64, Vec<usize>>, Vec<usize>) {
    let mut archived: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    let mut current: Vec<usize> = Vec::new();
    for (i, c) in mine.iter().enumerate() {
        let f = &mut files[i];
        match c.kind {
            LogNameKind::Archived { generation, .. } => {
                let name_gen = i64::from(generation);
                if f.header.is_none() && f.generation.is_none() {
                    f.generation = i32::try_from(name_gen).ok();
                }
                archived.entry(name_gen).or_default().push(i);
            }
            _ => current.push(i),
        }
    }
    (archived, current)
}

/// Several files claiming one generation (e.g. `SRU00005.log` and `SRU00005.jtx`): a warning at
/// that generation (ESE-FORMAT §6.1: eseutil looks for one extension, then the other).
fn duplicate_generations(dir: &str, archived: &BTreeMap<i64, Vec<usize>>) -> Vec<Problem> {
    archived
        .iter()
        .filter(|(_, idx)| idx.len() > 1)
        .map(|(g, idx)| {
            Problem::warning(
                None,
                dir,
                format!("{} files claim generation {}", idx.len(), Generation(*g)),
            )
            .at_generation(*g)
        })
        .collect()
}

/// ESE-FORMAT §9.3 "no gap between consecutive generations": archived generations `prev` and
/// `next` (consecutive among those present) with generations missing between them are −528
/// "Missing log file(s)", at the first missing generation. An error wherever it lies (CLI.md
/// Decision 15).
fn gap_between(dir: &str, prev: i64, next: i64) -> Option<Problem> {
    (next > prev + 1).then(|| {
        stream_error(
            JetErr::MissingLogFile,
            dir,
            Some(prev + 1),
            if prev + 2 == next {
                format!("Missing log file(s): generation {}", Generation(prev + 1))
            } else {
                format!(
                    "Missing log file(s): generations {}",
                    GenerationRange(prev + 1, next - 1)
                )
            },
        )
    })
}

/// The current log's problems: none present is a warning (CLI.md Decision 16: the newest
/// generation may be missing), two (`.log` and `.jtx`) a warning, and each must follow the last
/// archived generation ([`current_not_last_plus_one`]).
fn current_log_problems(
    dir: &str,
    base: &str,
    current: &[usize],
    files: &[LogCheck],
    last_archived: Option<i64>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    match current {
        [] => problems.push(Problem::warning(
            None,
            dir,
            format!("no current log {base}.log (or .jtx): the newest generation may be missing"),
        )),
        cur => {
            if cur.len() > 1 {
                problems.push(Problem::warning(
                    None,
                    dir,
                    format!("{} current logs ({base}.log and {base}.jtx)", cur.len()),
                ));
            }
            problems.extend(
                cur.iter()
                    .filter_map(|&i| current_not_last_plus_one(&files[i], last_archived)),
            );
        }
    }
    problems
}

/// ESE-FORMAT §9.3 "current log generation == last archived + 1": a current log with a usable
/// header whose generation is not the last archived one + 1 is −528 at its generation. Nothing
/// to say without archived logs or without a header.
fn current_not_last_plus_one(f: &LogCheck, last_archived: Option<i64>) -> Option<Problem> {
    let (Some(_), Some(g), Some(last)) = (&f.header, f.generation, last_archived) else {
        return None;
    };
    (i64::from(g) != last + 1).then(|| {
        stream_error(
            JetErr::MissingLogFile,
            f.path.unescaped(),
            Some(i64::from(g)),
            format!(
                "current log has generation {}, expected {} (last archived + 1)",
                Generation(g.into()),
                Generation(last + 1)
            ),
        )
    })
}

/// ESE-FORMAT §9.3 "same signLog in every log", CLI.md Decision 15: a log whose verified header
/// carries another signature than the stream's `sig` is −530 at its generation, wherever it lies.
/// A log without a usable header says nothing (damage is not a foreign log).
fn signature_differs_from_stream(f: &LogCheck, sig: Signature) -> Option<Problem> {
    let h = f.header.as_ref()?;
    (h.sign_log != sig).then(|| {
        stream_error(
            JetErr::BadLogSignature,
            f.path.unescaped(),
            Some(i64::from(h.generation)),
            format!("log signature {} differs from the stream's {}", h.sign_log, sig),
        )
    })
}

/// The checks between generations g−1 and g, both present with usable headers (ESE-FORMAT §9.3):
/// [`time_chain_breaks`], [`accumulated_checksum_mismatch`], [`version_goes_backwards`].
/// "g−1 has a problem" is kept up to date as the chain is walked, so that a −590 is a follow-on
/// exactly when its predecessor has any problem of its own or of the stream.
fn generation_chain(order: &[usize], files: &[LogCheck], problems: &mut Vec<Problem>) {
    let by_gen: BTreeMap<i64, usize> = order
        .iter()
        .filter(|&&i| files[i].header.is_some())
        .filter_map(|&i| files[i].generation.map(|g| (i64::from(g), i)))
        .collect();
    // Generations with a problem of the stream (not a follow-on).
    let mut with_problem: std::collections::BTreeSet<i64> = problems
        .iter()
        .filter(|p| p.follows.is_none())
        .filter_map(|p| p.generation)
        .collect();
    for (&g, &i) in &by_gen {
        let Some(&pi) = by_gen.get(&(g - 1)) else {
            continue;
        };
        let (Some(h), Some(ph)) = (&files[i].header, &files[pi].header) else {
            continue;
        };
        let path = files[i].path.unescaped();
        let prev = &files[pi];
        let prev_damaged = has_any_problem(prev, g - 1, &with_problem);
        let found = [
            time_chain_breaks(path, g, h, ph),
            accumulated_checksum_mismatch(path, g, h, prev.accumulated_checksum, prev_damaged),
            version_goes_backwards(path, g, h, ph),
        ];
        for p in found.into_iter().flatten() {
            if let (None, Some(pg)) = (p.follows, p.generation) {
                with_problem.insert(pg);
            }
            problems.push(p);
        }
    }
}

/// ESE-FORMAT §9.3 `tmPrevGen(g) == tmCreate(g−1)` (raw 8 bytes), CLI.md Decision 15: a log whose
/// previous-generation time is not its predecessor's creation time is −515 at g, wherever it
/// lies.
fn time_chain_breaks(path: &str, g: i64, h: &LogFileHeader, prev: &LogFileHeader) -> Option<Problem> {
    (h.tm_prev_gen.raw != prev.tm_create.raw).then(|| {
        stream_error(
            JetErr::InvalidLogSequence,
            path,
            Some(g),
            format!(
                "prev gen time {} differs from the creation time {} of generation {}",
                h.tm_prev_gen,
                prev.tm_create,
                Generation(g - 1)
            ),
        )
    })
}

/// ESE-FORMAT §6.5, CLI.md Decisions 11 and 15: a non-zero `checksumPrevLogAllSegments` of g that
/// differs from the accumulated checksum of g−1 (`prev_accumulated`, when g−1 was scanned) is −590
/// at g. When g−1 has any problem (`prev_damaged`) its XOR covers only the segments before the
/// damage: the mismatch is a follow-on of g−1's damage, graded with g−1 (`follows`).
fn accumulated_checksum_mismatch(
    path: &str,
    g: i64,
    h: &LogFileHeader,
    prev_accumulated: Option<u64>,
    prev_damaged: bool,
) -> Option<Problem> {
    let stored = h.checksum_prev_log_all_segments;
    let acc = prev_accumulated.filter(|&acc| stored != 0 && acc != stored)?;
    let mut p = stream_error(
        JetErr::LogSequenceChecksumMismatch,
        path,
        Some(g),
        format!(
            "prev gen accumulated segment checksum 0x{stored:016X} differs from 0x{acc:016X}, that of the segments of generation {}",
            Generation(g - 1)
        ),
    );
    if prev_damaged {
        p.message.push_str(&format!(
            " (follow-on: generation {} is itself damaged)",
            Generation(g - 1)
        ));
        p = p.following(g - 1);
    }
    Some(p)
}

/// ESE-FORMAT §9.3 "version does not walk backwards": a log of an older version than g−1's is a
/// warning at g, never an error.
fn version_goes_backwards(path: &str, g: i64, h: &LogFileHeader, prev: &LogFileHeader) -> Option<Problem> {
    (h.version < prev.version).then(|| {
        Problem::warning(
            None,
            path,
            format!(
                "log version goes backwards: {} after {} in generation {}",
                h.version,
                prev.version,
                Generation(g - 1)
            ),
        )
        .at_generation(g)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Severity;
    use crate::testkit::db::default_log_signature;
    use crate::testkit::{log_file_name, logtime_from_secs, seal_log_header, signature, LogBuilder};

    fn code(p: &Problem) -> Option<i32> {
        p.code.map(JetErr::code)
    }

    /// Generation `g` of base E00, checked on its own as the stream does.
    fn checked(b: &LogBuilder) -> LogCheck {
        let name = log_file_name("E00", b.get_generation(), "log");
        crate::scan::log::check_log(&b.build(), &name).unwrap()
    }

    fn candidate(name: &str) -> Candidate {
        let n = parse_log_name(name).unwrap();
        Candidate {
            base: n.base,
            kind: n.kind,
            path: std::path::PathBuf::from(name),
        }
    }

    fn bases(list: &[(&str, Option<Signature>)]) -> Bases {
        list.iter()
            .map(|(b, s)| (b.to_ascii_lowercase(), (b.to_string(), *s)))
            .collect()
    }

    fn foreign() -> Signature {
        signature(0xF0F0_0001, logtime_from_secs(7))
    }

    #[test]
    fn log_5_then_log_7_is_a_gap_naming_6() {
        let p = gap_between("logs", 5, 7).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.generation),
            (Severity::Error, Some(-528), Some(6))
        );
        assert_eq!(p.file, "logs");
        assert_eq!(p.message, "Missing log file(s): generation 6 (0x6)");
        let p = gap_between("logs", 0x10, 0x20).unwrap();
        assert_eq!(p.generation, Some(0x11));
        assert_eq!(p.message, "Missing log file(s): generations 17-31 (0x11-0x1F)");
        assert!(gap_between("logs", 5, 6).is_none());
    }

    #[test]
    fn two_files_of_one_generation_are_a_warning_at_it() {
        let archived: BTreeMap<i64, Vec<usize>> = [(4, vec![0]), (5, vec![1, 2])].into_iter().collect();
        let found = duplicate_generations("logs", &archived);
        assert_eq!(found.len(), 1);
        let p = &found[0];
        assert_eq!((p.severity, p.code, p.generation), (Severity::Warning, None, Some(5)));
        assert_eq!(p.message, "2 files claim generation 5 (0x5)");
    }

    #[test]
    fn the_current_log_must_be_the_last_archived_plus_one() {
        let cur = checked(&LogBuilder::new(9));
        let p = current_not_last_plus_one(&cur, Some(7)).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.generation),
            (Severity::Error, Some(-528), Some(9))
        );
        assert_eq!(
            p.message,
            "current log has generation 9 (0x9), expected 8 (0x8) (last archived + 1)"
        );
        assert!(current_not_last_plus_one(&cur, Some(8)).is_none());
        // No archived log: nothing to follow.
        assert!(current_not_last_plus_one(&cur, None).is_none());
    }

    #[test]
    fn no_current_log_is_a_warning_and_two_are_a_warning() {
        let found = current_log_problems("logs", "E00", &[], &[], Some(3));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].severity, found[0].code), (Severity::Warning, None));
        assert!(found[0].message.contains("E00.log"), "{}", found[0].message);

        let files = vec![checked(&LogBuilder::new(4)), checked(&LogBuilder::new(4))];
        let found = current_log_problems("logs", "E00", &[0, 1], &files, Some(3));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(found[0].message.starts_with("2 current logs"), "{}", found[0].message);
    }

    #[test]
    fn a_verified_header_with_another_signature_is_530_at_its_generation() {
        let f = checked(&LogBuilder::new(6).log_signature(foreign()));
        let p = signature_differs_from_stream(&f, default_log_signature()).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.generation),
            (Severity::Error, Some(-530), Some(6))
        );
        assert!(signature_differs_from_stream(&f, foreign()).is_none());
        // A header that does not verify says nothing about the signature (Decision 15).
        let mut bytes = LogBuilder::new(6).log_signature(foreign()).build();
        bytes[200] ^= 1;
        let damaged = crate::scan::log::check_log(&bytes, "E0000006.log").unwrap();
        assert!(signature_differs_from_stream(&damaged, default_log_signature()).is_none());
    }

    #[test]
    fn a_prev_gen_time_that_is_not_the_predecessors_creation_time_is_515() {
        let prev = LogBuilder::new(5).tm_create(logtime_from_secs(500));
        let good = LogBuilder::new(6).tm_prev_gen(logtime_from_secs(500));
        let bad = LogBuilder::new(6).tm_prev_gen(logtime_from_secs(501));
        let ph = checked(&prev).header.unwrap();
        assert!(time_chain_breaks("E0000006.log", 6, &checked(&good).header.unwrap(), &ph).is_none());
        let bh = checked(&bad).header.unwrap();
        let p = time_chain_breaks("E0000006.log", 6, &bh, &ph).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.generation),
            (Severity::Error, Some(-515), Some(6))
        );
        assert_eq!(
            p.message,
            format!(
                "prev gen time {} differs from the creation time {} of generation 5 (0x5)",
                bh.tm_prev_gen, ph.tm_create
            )
        );
    }

    #[test]
    fn an_accumulated_checksum_that_does_not_chain_is_590_or_a_follow_on() {
        let prev = LogBuilder::new(5);
        let acc = checked(&prev).accumulated_checksum;
        assert_eq!(acc, Some(prev.accumulated_checksum()));
        let good = checked(&LogBuilder::new(6).checksum_prev(prev.accumulated_checksum()))
            .header
            .unwrap();
        let bad = checked(&LogBuilder::new(6).checksum_prev(prev.accumulated_checksum() ^ 1))
            .header
            .unwrap();
        assert!(accumulated_checksum_mismatch("g6", 6, &good, acc, false).is_none());

        // After an intact g−1: g's own error.
        let p = accumulated_checksum_mismatch("g6", 6, &bad, acc, false).unwrap();
        assert_eq!(
            (p.severity, code(&p), p.generation),
            (Severity::Error, Some(-590), Some(6))
        );
        assert_eq!((p.follows, p.graded_generation()), (None, Some(6)));

        // After a damaged g−1: a follow-on, graded with 5.
        let p = accumulated_checksum_mismatch("g6", 6, &bad, acc, true).unwrap();
        assert_eq!((code(&p), p.generation, p.follows), (Some(-590), Some(6), Some(5)));
        assert_eq!(p.graded_generation(), Some(5));
        assert!(p.message.contains("follow-on"), "{}", p.message);

        // A zero field is not checked (Decision 11), nor is a g−1 whose segments were not read.
        let zero = checked(&LogBuilder::new(6).checksum_prev(0)).header.unwrap();
        assert!(accumulated_checksum_mismatch("g6", 6, &zero, acc, false).is_none());
        assert!(accumulated_checksum_mismatch("g6", 6, &bad, None, false).is_none());
    }

    #[test]
    fn an_older_version_after_a_newer_one_is_only_a_warning() {
        let newer = checked(&LogBuilder::new(5).version(8, 4000, 5, 20)).header.unwrap();
        let older = checked(&LogBuilder::new(6).version(8, 4000, 5, 16)).header.unwrap();
        let p = version_goes_backwards("g6", 6, &older, &newer).unwrap();
        assert_eq!((p.severity, p.code, p.generation), (Severity::Warning, None, Some(6)));
        assert!(version_goes_backwards("g6", 6, &newer, &older).is_none());
        assert!(version_goes_backwards("g6", 6, &newer, &newer).is_none());
    }

    #[test]
    fn a_mismatch_after_a_predecessor_with_a_stream_problem_is_a_follow_on() {
        // 4 → 5 → 6 where 5's time chain is broken (−515 at 5) and 6's checksum does not chain:
        // 5 has a problem of the stream, so 6's −590 follows 5 (Decision 15).
        let g4 = LogBuilder::new(4).tm_create(logtime_from_secs(400));
        let g5 = LogBuilder::new(5)
            .tm_create(logtime_from_secs(500))
            .tm_prev_gen(logtime_from_secs(401))
            .checksum_prev(g4.accumulated_checksum());
        let g6 = LogBuilder::new(6)
            .tm_prev_gen(logtime_from_secs(500))
            .checksum_prev(g5.accumulated_checksum() ^ 1);
        let files = vec![checked(&g4), checked(&g5), checked(&g6)];
        let mut problems = Vec::new();
        generation_chain(&[0, 1, 2], &files, &mut problems);
        let got: Vec<_> = problems.iter().map(|p| (code(p), p.generation, p.follows)).collect();
        assert_eq!(got, vec![(Some(-515), Some(5), None), (Some(-590), Some(6), Some(5))]);

        // With 5 intact the same mismatch is 6's own.
        let g5 = g5.tm_prev_gen(logtime_from_secs(400));
        let files = vec![checked(&g4), checked(&g5), checked(&g6)];
        let mut problems = Vec::new();
        generation_chain(&[0, 1, 2], &files, &mut problems);
        let got: Vec<_> = problems.iter().map(|p| (code(p), p.generation, p.follows)).collect();
        assert_eq!(got, vec![(Some(-590), Some(6), None)]);
    }

    #[test]
    fn an_archived_log_without_a_usable_header_takes_its_names_generation() {
        let mine = vec![candidate("E0000007.log"), candidate("E00.log")];
        let mut files = vec![
            LogCheck::not_checked(&CheckError::new("E0000007.log", "unreadable")),
            checked(&LogBuilder::new(8)),
        ];
        let (archived, current) = place_logs(&mine, &mut files);
        assert_eq!(archived.into_iter().collect::<Vec<_>>(), vec![(7, vec![0])]);
        assert_eq!(current, vec![1]);
        assert_eq!(files[0].generation, Some(7));
        assert_eq!(files[1].generation, Some(8));
    }

    #[test]
    fn base_b_with_other_streams_present_but_none_of_b_is_exit_2_naming_them() {
        let dir = Path::new("logs");
        let sru = signature(0x5355_0001, logtime_from_secs(1));
        let real = bases(&[("SRU", Some(sru))]);
        let cands = vec![candidate("SRU00001.log")];
        let e = base_names_no_stream(dir, "E00", &cands, &real, None).unwrap();
        assert_eq!(
            e.message,
            "no log stream E00 in logs; streams found: SRU (use --base SRU)"
        );
        // Files of base E00 present, or no stream at all: no error (Decisions 16 and 14 apply).
        let with_own = vec![candidate("SRU00001.log"), candidate("E0000001.log")];
        assert!(base_names_no_stream(dir, "e00", &with_own, &real, None).is_none());
        assert!(base_names_no_stream(dir, "E00", &[], &Bases::new(), None).is_none());
    }

    #[test]
    fn several_streams_name_the_one_with_the_databases_signature() {
        let dir = Path::new("logs");
        let sru = signature(0x5355_0001, logtime_from_secs(1));
        let real = bases(&[("E00", Some(foreign())), ("SRU", Some(sru))]);
        assert_eq!(
            several_streams(dir, &real, Some(sru)).message,
            "several log streams (E00, SRU): choose one with --base; the databases' log signature is that of stream SRU (use --base SRU)"
        );
        assert_eq!(
            several_streams(dir, &real, Some(default_log_signature())).message,
            "several log streams (E00, SRU): choose one with --base; none of them carries the databases' log signature"
        );
        assert_eq!(
            several_streams(dir, &real, None).message,
            "several log streams (E00, SRU): choose one with --base"
        );
        let mut r = real.clone();
        assert!(choose_stream(dir, None, None, &[], &mut r).is_err());
        assert_eq!(
            choose_stream(dir, Some("SRU"), None, &[candidate("SRU00001.log")], &mut r).unwrap(),
            Some("sru".to_string())
        );
    }

    #[test]
    fn with_no_log_header_the_lone_numbered_base_is_the_stream() {
        let one = vec![
            candidate("E0000001.log"),
            candidate("E0000002.log"),
            candidate("SRU.log"),
        ];
        assert_eq!(lone_numbered_base(&one), Some("e00".to_string()));
        let two = vec![candidate("E0000001.log"), candidate("SRU00001.log")];
        assert_eq!(lone_numbered_base(&two), None);
        assert_eq!(lone_numbered_base(&[candidate("E00.log")]), None);

        let mut real = Bases::new();
        let chosen = choose_stream(Path::new("logs"), None, None, &one, &mut real).unwrap();
        assert_eq!(chosen, Some("e00".to_string()));
        assert!(real.contains_key("e00"), "the lone base becomes a stream");
    }

    #[test]
    fn a_candidate_is_a_member_of_the_chosen_stream_a_wiped_log_or_set_aside() {
        let real = bases(&[("E00", None), ("SRU", None)]);
        let never = || panic!("only a file of no stream is read");
        assert_eq!(
            candidate_fate(&candidate("E0000001.log"), Some("e00"), false, &real, never),
            Fate::Member
        );
        assert_eq!(
            candidate_fate(&candidate("SRU00001.log"), Some("e00"), false, &real, never),
            Fate::Ignored(IgnoreKind::OtherStream, "other log stream (base SRU)".to_string())
        );
        // A base that is no stream: wiped when all zeros, else a stray file (Decision 9).
        let job = candidate("job.log");
        assert_eq!(candidate_fate(&job, Some("e00"), false, &real, || true), Fate::Wiped);
        assert_eq!(
            candidate_fate(&job, Some("e00"), false, &real, || false),
            Fate::Ignored(IgnoreKind::NotLog, "not an ESE log".to_string())
        );
        // `--base` names the stream even when none of its headers is a log header.
        let x = candidate("X0000001.log");
        assert_eq!(candidate_fate(&x, Some("x00"), true, &real, never), Fate::Member);
        assert_eq!(
            candidate_fate(&x, Some("x00"), false, &real, || false),
            Fate::Ignored(IgnoreKind::NotLog, "not an ESE log".to_string())
        );
    }

    #[test]
    fn a_wiped_log_is_501_of_zeros_and_no_logs_is_1811() {
        let p = wiped_log_problem(Path::new("d/E0000003.log"));
        assert_eq!(
            (p.severity, code(&p), p.offset, p.all_zeros),
            (Severity::Error, Some(-501), Some(0), true)
        );
        let p = no_logs_found("d", Some("E00"));
        assert_eq!((p.severity, code(&p)), (Severity::Error, Some(-1811)));
        assert!(p.message.contains("base E00"), "{}", p.message);
        assert_eq!(verdict_without_logs(&[]), Verdict::Error);
        assert_eq!(
            verdict_without_logs(&[wiped_log_problem(Path::new("x"))]),
            Verdict::Fail
        );
    }

    #[test]
    fn entries_are_candidates_by_name_or_set_aside_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |name: &str, regular: bool| StreamEntry {
            path: dir.path().join(name),
            name: name.into(),
            regular,
        };
        assert!(entry_role(entry("E0000001.log", true)).is_ok());
        assert!(entry_role(entry("e00.JTX", true)).is_ok());
        let kind = |name: &str, regular: bool| entry_role(entry(name, regular)).err().map(|i| i.kind);
        assert_eq!(kind("E00tmp.log", true), Some(IgnoreKind::Reserve));
        assert_eq!(kind("E00res00001.jrs", true), Some(IgnoreKind::Reserve));
        assert_eq!(kind("odd.jrs", true), Some(IgnoreKind::Reserve));
        assert_eq!(kind("E00.chk", true), Some(IgnoreKind::Checkpoint));
        assert_eq!(kind("notes.txt", false), Some(IgnoreKind::NotRegular));
        assert_eq!(kind("notes.txt", true), Some(IgnoreKind::NotLog));
        // A log header under a name that is no log-stream name.
        std::fs::write(dir.path().join("E00.log.bak"), LogBuilder::new(3).build()).unwrap();
        assert_eq!(kind("E00.log.bak", true), Some(IgnoreKind::NotStreamName));
    }

    #[test]
    fn a_log_header_is_type_3_even_damaged_or_type_0_verified_with_a_log_version() {
        let head = LogBuilder::new(3).header();
        assert_eq!(
            sniff_head(&head),
            Sniff {
                looks_like_log: true,
                signature: Some(default_log_signature()),
            }
        );
        // Type 3 with a failing checksum: still a log header, but its signature is not trusted.
        let mut damaged = head.clone();
        damaged[100] ^= 1;
        assert_eq!(
            sniff_head(&damaged),
            Sniff {
                looks_like_log: true,
                signature: None,
            }
        );
        // Type 0 (before 7.3704.5): a log only with a verifying checksum and a log version.
        for (major, minor, log) in [(7, 3704, true), (8, 4000, true), (9, 1, false)] {
            let mut h = LogBuilder::new(3).file_type(0).version(major, minor, 0, 0).header();
            assert_eq!(sniff_head(&h).looks_like_log, log, "{major}.{minor}");
            h[100] ^= 1;
            assert!(!sniff_head(&h).looks_like_log, "{major}.{minor} damaged");
        }
        // A checkpoint's type is no log header, whatever its checksum.
        let mut chk = LogBuilder::new(3).file_type(4).header();
        seal_log_header(&mut chk);
        assert!(!sniff_head(&chk).looks_like_log);
        // A short file is no log header (sniff reads a whole header first).
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("short");
        std::fs::write(&short, &head[..1000]).unwrap();
        assert!(!sniff(&short).looks_like_log);
    }
}
