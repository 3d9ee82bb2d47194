//! Checking a whole log stream (ESE-FORMAT.md §9.3 "across a set"; eseutil /ML `<base>`,
//! `esecheck logs DIR [--base NAME]`): every log of one base checked on its own (in parallel),
//! then the chain: names vs headers (−513), gaps (−528), one signature (−530), creation-time chain
//! (−515), accumulated segment checksums (−590), versions not going backwards (warning).
//!
//! Memory stays flat with the number of logs: each file is mapped, checked and unmapped inside
//! its own task, and only its small [`LogCheck`] summary is kept. Nothing is ever written.

use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::common::filetype;
use crate::format::{parse_log_name, LogNameKind, Signature};
use crate::problem::Problem;
use crate::scan::file::Input;
use crate::scan::log::{check_log_with, LogCheck};
use crate::verdict::Verdict;
use rayon::prelude::*;
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
    pub fn belongs_with_the_set(self) -> bool {
        matches!(self, IgnoreKind::Reserve | IgnoreKind::TemporaryDatabase)
    }
}

/// A file that is not part of the stream or set, and why (CLI.md Decision 9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    /// The file.
    pub path: String,
    /// Why it is not part of the stream.
    pub why: String,
    /// The reason, as a type.
    #[serde(skip)]
    pub kind: IgnoreKind,
}

impl Ignored {
    /// A file set aside for `kind`, in words `why`.
    pub fn new(path: impl Into<String>, kind: IgnoreKind, why: impl Into<String>) -> Ignored {
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
    pub directory: String,
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
}

impl StreamCheck {
    /// Every log with a known generation, in order: `(generation, result)`. The generation is the
    /// header's, or the name's when the header is unusable.
    pub fn generations(&self) -> impl Iterator<Item = (i32, &LogCheck)> {
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

    /// Checks that no log of the stream changed since it was read (issue 11): `Err` (could not
    /// check) naming the first that did.
    pub fn recheck(&self) -> Result<(), CheckError> {
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
/// per header, whatever the number of logs (issue 12).
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
struct Sniff {
    /// A log header: a verifying checksum with `le_filetype` 3 (or 0 with a log version), or
    /// `le_filetype` 3 alone.
    looks_like_log: bool,
    /// `signLog`, when the header checksum verifies.
    signature: Option<Signature>,
}

fn sniff(path: &Path) -> Sniff {
    let none = Sniff {
        looks_like_log: false,
        signature: None,
    };
    let mut head = [0u8; 4096];
    let Ok(mut f) = crate::scan::file::open_read_only(path) else {
        return none;
    };
    if f.read_exact(&mut head).is_err() {
        return none;
    }
    let u32_at = |o: usize| u32::from_le_bytes([head[o], head[o + 1], head[o + 2], head[o + 3]]);
    let ft = u32_at(crate::format::common::FILETYPE_OFFSET);
    let ok = crate::checksum::legacy_checksum_ok(&head);
    let version = matches!((u32_at(32), u32_at(36)), (7, 3704) | (8, 4000));
    let signature = if ok {
        crate::format::LogFileHeader::parse(&head).ok().map(|h| h.sign_log)
    } else {
        None
    };
    Sniff {
        looks_like_log: ft == filetype::LOG || (ok && ft == filetype::UNKNOWN && version),
        signature,
    }
}

/// A file offered to the stream: a directory entry, or a file the user named.
#[derive(Debug, Clone)]
pub struct StreamEntry {
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
pub fn list_entries(dir: &Path, keep_dirs: bool) -> Result<Vec<StreamEntry>, CheckError> {
    let rd = std::fs::read_dir(dir).map_err(|e| CheckError::io(dir, &e))?;
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| CheckError::io(dir, &e))?;
        let path = entry.path();
        // The entry's type from the directory itself when it is a plain file (no `stat` per
        // entry); links and anything else are followed as before.
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            out.push(StreamEntry {
                path,
                name: entry.file_name(),
                regular: true,
            });
            continue;
        }
        let regular = match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() && !keep_dirs && !entry.file_name().to_str().is_some_and(names_a_log) => continue,
            Ok(m) => m.is_file(),
            Err(_) => false,
        };
        out.push(StreamEntry {
            path,
            name: entry.file_name(),
            regular,
        });
    }
    Ok(out)
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
pub fn check_stream_entries(
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
        let shown = e.path.display().to_string();
        let Some(name) = e.name.to_str().map(str::to_string) else {
            ignored.push(Ignored::new(
                shown,
                IgnoreKind::NotLog,
                "file name is not UTF-8, not a log-stream name",
            ));
            continue;
        };
        let (kind, why) = match parse_log_name(&name) {
            Some(n) => match n.kind {
                LogNameKind::Archived { .. } | LogNameKind::Current => {
                    candidates.push(Candidate {
                        base: n.base.clone(),
                        kind: n.kind,
                        path: e.path,
                    });
                    continue;
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
        ignored.push(Ignored::new(shown, kind, why));
    }

    // Bases with at least one file that looks like a log (a stray text file `abc.log` makes no
    // stream), with the signature of one of their verified headers.
    let mut real_bases: BTreeMap<String, (String, Option<Signature>)> = BTreeMap::new();
    for c in &candidates {
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
    let streams_found = |real_bases: &BTreeMap<String, (String, Option<Signature>)>| {
        real_bases
            .values()
            .map(|(b, _)| b.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let matching = |real_bases: &BTreeMap<String, (String, Option<Signature>)>| {
        expected.and_then(|sig| {
            real_bases
                .values()
                .find(|(_, s)| *s == Some(sig))
                .map(|(b, _)| b.clone())
        })
    };
    let chosen: Option<String> = match base {
        Some(b) => {
            let key = b.to_ascii_lowercase();
            let has_own = candidates.iter().any(|c| c.base.eq_ignore_ascii_case(b));
            if !has_own && !real_bases.is_empty() {
                let hint = match matching(&real_bases).or_else(|| real_bases.values().next().map(|(b, _)| b.clone())) {
                    Some(m) => format!(" (use --base {m})"),
                    None => String::new(),
                };
                return Err(CheckError::new(
                    dir,
                    format!(
                        "no log stream {b} in {}; streams found: {}{hint}",
                        dir.display(),
                        streams_found(&real_bases)
                    ),
                ));
            }
            Some(key)
        }
        None if real_bases.len() > 1 => {
            let hint = match (expected, matching(&real_bases)) {
                (Some(_), Some(m)) => format!("; the databases' log signature is that of stream {m} (use --base {m})"),
                (Some(_), None) => "; none of them carries the databases' log signature".to_string(),
                (None, _) => String::new(),
            };
            return Err(CheckError::new(
                dir,
                format!(
                    "several log streams ({}): choose one with --base{hint}",
                    streams_found(&real_bases)
                ),
            ));
        }
        None => real_bases.keys().next().cloned().or_else(|| {
            // No header looks like a log: a single base with numbered logs is still the stream
            // (Decision 9: every numbered log is part of it), damaged as it may be.
            let numbered: std::collections::BTreeSet<String> = candidates
                .iter()
                .filter(|c| matches!(c.kind, LogNameKind::Archived { .. }))
                .map(|c| c.base.to_ascii_lowercase())
                .collect();
            if numbered.len() == 1 {
                if let Some(k) = numbered.into_iter().next() {
                    real_bases.insert(k.clone(), (k.clone(), None));
                    return Some(k);
                }
            }
            None
        }),
    };
    let mut mine = Vec::new();
    let mut wiped = Vec::new();
    for c in candidates {
        let key = c.base.to_ascii_lowercase();
        if Some(&key) == chosen.as_ref() && (base.is_some() || real_bases.contains_key(&key)) {
            mine.push(c);
        } else if !real_bases.contains_key(&key) && is_wiped(&c.path) {
            // Named like a log and all zeros: a wiped member, not a stray file of some other
            // program (CLI.md Decision 1). It fails whatever stream it was meant for.
            wiped.push(
                Problem::error(
                    Some(JetErr::LogFileCorrupt),
                    c.path.display().to_string(),
                    "named like a log but all zeros: never written or wiped",
                )
                .at_offset(0)
                .of_zeros(),
            );
        } else {
            let (kind, why) = if real_bases.contains_key(&key) {
                (IgnoreKind::OtherStream, format!("other log stream (base {})", c.base))
            } else {
                (IgnoreKind::NotLog, "not an ESE log".to_string())
            };
            ignored.push(Ignored::new(c.path.display().to_string(), kind, why));
        }
    }

    let mut out = StreamCheck {
        verdict: Verdict::Pass,
        base: mine.first().map(|c| c.base.clone()).or(base.map(str::to_string)),
        directory: dir.display().to_string(),
        first: None,
        last: None,
        files: Vec::new(),
        ignored,
        problems: Vec::new(),
        log_signature: None,
    };
    out.problems.extend(wiped.iter().cloned());
    if mine.is_empty() {
        out.problems.push(Problem::error(
            Some(JetErr::FileNotFound),
            &out.directory,
            match base {
                Some(b) => format!("no log files of base {b} (.log or .jtx) found"),
                None => "no log files (.log or .jtx) found".to_string(),
            },
        ));
        out.verdict = if wiped.is_empty() {
            Verdict::Error
        } else {
            Verdict::Fail
        };
        return Ok(out);
    }

    // Check every file on its own, in parallel; each map lives only inside its task.
    let results: Vec<LogCheck> = mine
        .par_iter()
        .map(|c| {
            let shown = c.path.display().to_string();
            if let Some(p) = progress {
                p.file_started(&c.path);
            }
            let checked = Input::open(&c.path).and_then(|input| {
                // Hashed first, in this worker: the check then reads the bytes from memory.
                let crc = crc_block_size.map(|b| crate::scan::crc::crc_of_bytes(input.bytes(), input.holes(), b));
                let mut checked = check_log_with(input.bytes(), &shown, Some(&|o, l| input.release(o, l)))?;
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
            // list so that a stream of tens of thousands of logs keeps a few hundred bytes each.
            if let Some(h) = c.header.as_mut() {
                h.attach = Vec::new();
                h.dbms_param.system_path = String::new();
                h.dbms_param.log_file_path = String::new();
            }
            c
        })
        .collect();

    chain_checks(&mut out, mine, results, expected);
    out.problems.extend(wiped);
    out.verdict = out.verdict.combine(Verdict::from_problems(&out.problems, false));
    Ok(out)
}

fn chain_checks(out: &mut StreamCheck, mine: Vec<Candidate>, results: Vec<LogCheck>, expected: Option<Signature>) {
    // Place each file: archived by its name's generation, current by its header's.
    let mut archived: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    let mut current: Vec<usize> = Vec::new();
    let mut files = results;
    for (i, c) in mine.iter().enumerate() {
        let f = &mut files[i];
        match c.kind {
            LogNameKind::Archived { generation, .. } => {
                let name_gen = i64::from(generation);
                // A name that disagrees with a verified header is check_log's −513 (it reads
                // the name too); a log with no usable header takes its name's generation.
                if f.header.is_none() && f.generation.is_none() {
                    f.generation = i32::try_from(name_gen).ok();
                }
                archived.entry(name_gen).or_default().push(i);
            }
            _ => current.push(i),
        }
    }

    let mut problems = Vec::new();
    let dir = out.directory.clone();
    // Duplicates (e.g. SRU00005.log and SRU00005.jtx).
    for (g, idx) in &archived {
        if idx.len() > 1 {
            problems.push(
                Problem::warning(None, &dir, format!("{} files claim generation 0x{g:X}", idx.len())).at_generation(*g),
            );
        }
    }
    // Gaps between archived generations.
    let gens: Vec<i64> = archived.keys().copied().collect();
    for w in gens.windows(2) {
        if w[1] > w[0] + 1 {
            problems.push(stream_error(
                JetErr::MissingLogFile,
                &dir,
                Some(w[0] + 1),
                format!("Missing log file(s): generations 0x{:X} to 0x{:X}", w[0] + 1, w[1] - 1),
            ));
        }
    }
    // The current log.
    let base = out.base.clone().unwrap_or_default();
    match current.as_slice() {
        [] => problems.push(Problem::warning(
            None,
            &dir,
            format!("no current log {base}.log (or .jtx): the newest generation may be missing"),
        )),
        cur => {
            if cur.len() > 1 {
                problems.push(Problem::warning(
                    None,
                    &dir,
                    format!("{} current logs ({base}.log and {base}.jtx)", cur.len()),
                ));
            }
            for &i in cur {
                let f = &files[i];
                if let (Some(_), Some(g), Some(&last)) = (&f.header, f.generation, gens.last()) {
                    if i64::from(g) != last + 1 {
                        problems.push(stream_error(
                            JetErr::MissingLogFile,
                            &f.path,
                            Some(i64::from(g)),
                            format!(
                                "current log has generation 0x{g:X}, expected 0x{:X} (last archived + 1)",
                                last + 1
                            ),
                        ));
                    }
                }
            }
        }
    }

    // Order: archived by generation, then the current log(s).
    let mut order: Vec<usize> = archived.values().flatten().copied().collect();
    order.extend(current.iter().copied());

    let headers: Vec<Signature> = order
        .iter()
        .filter_map(|&i| files[i].header.as_ref().map(|h| h.sign_log))
        .collect();
    let sig = stream_signature(&headers, expected);
    if let Some(sig) = sig {
        for &i in &order {
            let f = &files[i];
            if let Some(h) = &f.header {
                if h.sign_log != sig {
                    problems.push(stream_error(
                        JetErr::BadLogSignature,
                        &f.path,
                        Some(i64::from(h.generation)),
                        format!("log signature {} differs from the stream's {}", h.sign_log, sig),
                    ));
                }
            }
        }
    }

    // Chain checks between generation g-1 and g (valid headers only).
    let by_gen: BTreeMap<i64, usize> = order
        .iter()
        .filter(|&&i| files[i].header.is_some())
        .filter_map(|&i| files[i].generation.map(|g| (i64::from(g), i)))
        .collect();
    // Generations with a problem of the stream (not a follow-on), kept up to date as the chain
    // is walked, so that "the predecessor has any problem" is one lookup.
    let mut with_problem: std::collections::BTreeSet<i64> = problems
        .iter()
        .filter(|p| p.follows.is_none())
        .filter_map(|p| p.generation)
        .collect();
    for (&g, &i) in &by_gen {
        let Some(&pi) = by_gen.get(&(g - 1)) else {
            continue;
        };
        let before = problems.len();
        let (Some(h), Some(ph)) = (&files[i].header, &files[pi].header) else {
            continue;
        };
        let path = &files[i].path;
        if h.tm_prev_gen.raw != ph.tm_create.raw {
            problems.push(stream_error(
                JetErr::InvalidLogSequence,
                path,
                Some(g),
                format!(
                    "prev gen time {} differs from the creation time {} of generation 0x{:X}",
                    h.tm_prev_gen,
                    ph.tm_create,
                    g - 1
                ),
            ));
        }
        if h.checksum_prev_log_all_segments != 0 {
            if let Some(acc) = files[pi].accumulated_checksum {
                if acc != h.checksum_prev_log_all_segments {
                    let mut p = stream_error(
                        JetErr::LogSequenceChecksumMismatch,
                        path,
                        Some(g),
                        format!(
                            "prev gen accumulated segment checksum 0x{:016X} differs from generation 0x{:X}'s segments (0x{acc:016X})",
                            h.checksum_prev_log_all_segments,
                            g - 1
                        ),
                    );
                    // Generation g-1 damaged on its own: its XOR covers only the segments before
                    // the damage, so this mismatch says nothing about g (§6.5: eseutil reports it
                    // as a follow-on). It is graded with g-1.
                    if has_any_problem(&files[pi], g - 1, &with_problem) {
                        p.message
                            .push_str(&format!(" (follow-on: generation 0x{:X} is itself damaged)", g - 1));
                        p = p.following(g - 1);
                    }
                    problems.push(p);
                }
            }
        }
        if h.version < ph.version {
            problems.push(
                Problem::warning(
                    None,
                    path,
                    format!(
                        "log version goes backwards: {} after {} in generation 0x{:X}",
                        h.version,
                        ph.version,
                        g - 1
                    ),
                )
                .at_generation(g),
            );
        }
        for p in &problems[before..] {
            if let (None, Some(pg)) = (p.follows, p.generation) {
                with_problem.insert(pg);
            }
        }
    }

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
