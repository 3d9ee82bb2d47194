//! The commands behind the CLI (`checksum`, `header`, `logs`, `verify`): each takes parsed options,
//! writes its text or JSON to the given sinks and returns the verdict. `main.rs` only parses
//! arguments and turns the verdict into an exit status.

pub mod manifest;

use crate::error::CheckError;
use crate::escape::escape_controls;
use crate::problem::Problem;
use crate::report::{json, log_text, text};
use crate::scan::database::{check_database, DbCheck, DbOptions};
use crate::scan::flushmap::{check_flush_map_with, FlushMapCheck, FlushMapOptions};
use crate::scan::header_copies::CopyState;
use crate::scan::{check_checkpoint, check_log, classify, CheckpointCheck, FileKind, Input, LogCheck};
use crate::verdict::Verdict;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Options every command shares.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// One JSON document on stdout.
    pub json: bool,
    /// Verdict line only.
    pub quiet: bool,
    /// Warnings fail.
    pub strict: bool,
    /// Show a progress bar on stderr (only when stderr is a terminal).
    pub progress: bool,
}

/// The most worker threads esecheck starts (`--threads` above it is capped with a note): the
/// scans are bound by storage and memory bandwidth long before this, and thousands of threads
/// would only cost memory and scheduling.
pub const MAX_THREADS: usize = 256;

/// `--threads N` as used: `N` up to [`MAX_THREADS`], else the cap and the note to print on stderr
/// (`--threads 100000 capped at 256`).
pub fn capped_threads(requested: usize) -> (usize, Option<String>) {
    if requested > MAX_THREADS {
        (
            MAX_THREADS,
            Some(format!("--threads {requested} capped at {MAX_THREADS}")),
        )
    } else {
        (requested, None)
    }
}

/// The message for a failed write of the output: `writing the report to stdout failed: No space
/// left on device`.
pub fn write_failed(doing: &str, e: &io::Error) -> String {
    format!("{doing} failed: {}", crate::scan::file::io_words(e))
}

/// Where output goes.
pub struct Sinks<'a> {
    /// Results (text or JSON).
    pub out: &'a mut dyn Write,
    /// Could-not-check messages, one per input, prefixed with the path.
    pub err: &'a mut dyn Write,
}

/// A file that could not be checked, in JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Unchecked {
    /// The file.
    pub path: String,
    /// What it was taken for, if anything.
    #[serde(rename = "type")]
    pub kind: Option<FileKind>,
    /// Always `error`.
    pub verdict: Verdict,
    /// Why it could not be checked.
    pub error: String,
    /// The ESE error it corresponds to, if any (in the top-level `problems`).
    #[serde(skip)]
    pub code: Option<crate::codes::JetErr>,
}

/// The result for one input of `checksum`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum FileReport {
    /// A database.
    Database(Box<DbCheck>),
    /// A transaction log.
    Log(Box<LogCheck>),
    /// A checkpoint.
    Checkpoint(Box<CheckpointCheck>),
    /// A flush map.
    FlushMap(FlushMapCheck),
    /// A reserve or next-generation log: listed, never verified (CLI.md Decision 9).
    NotVerified(NotVerified),
    /// Named like a set member but holding no ESE structure (CLI.md Decision 1).
    DamagedMember(DamagedMember),
    /// Could not be checked.
    Unchecked(Unchecked),
}

/// A file that is listed but never verified: a reserve log (`*.jrs`) or the next-generation log
/// (`<base>tmp.log`). It never fails and is never "could not check".
#[derive(Debug, Clone, Serialize)]
pub struct NotVerified {
    /// The file.
    pub path: String,
    /// Always `reserve`.
    #[serde(rename = "type")]
    pub kind: FileKind,
    /// Always `pass`.
    pub verdict: Verdict,
    /// Why it is not verified.
    pub note: String,
}

/// A file named like a log, checkpoint or database (CLI.md Decision 1) whose bytes are all zeros
/// or no ESE structure: a damaged member, exit 1.
#[derive(Debug, Clone, Serialize)]
pub struct DamagedMember {
    /// The file.
    pub path: String,
    /// The member its name promises.
    #[serde(rename = "type")]
    pub kind: FileKind,
    /// Always `fail`.
    pub verdict: Verdict,
    /// The one problem.
    pub problems: Vec<Problem>,
}

impl FileReport {
    /// The file.
    pub fn path(&self) -> &str {
        match self {
            FileReport::Database(c) => &c.path,
            FileReport::Log(c) => &c.path,
            FileReport::Checkpoint(c) => &c.path,
            FileReport::FlushMap(c) => &c.path,
            FileReport::NotVerified(c) => &c.path,
            FileReport::DamagedMember(c) => &c.path,
            FileReport::Unchecked(c) => &c.path,
        }
    }

    /// The file's verdict.
    pub fn verdict(&self) -> Verdict {
        match self {
            FileReport::Database(c) => c.verdict,
            FileReport::Log(c) => c.verdict,
            FileReport::Checkpoint(c) => c.verdict,
            FileReport::FlushMap(c) => c.verdict,
            FileReport::NotVerified(c) => c.verdict,
            FileReport::DamagedMember(c) => c.verdict,
            FileReport::Unchecked(_) => Verdict::Error,
        }
    }

    /// One line about the file, for text output: paths and messages escaped.
    fn summary(&self) -> String {
        use escape_controls as esc;
        match self {
            FileReport::Database(c) => {
                // The bad pages first, as runs, and whether the database owns them.
                let bad = if c.bad_checksums > 0 {
                    let pages: Vec<i64> = c.bad_pages.iter().copied().filter(|&p| p >= 1).collect();
                    let runs = text::page_runs(&pages);
                    let shown: Vec<String> = runs
                        .iter()
                        .take(5)
                        .map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") })
                        .collect();
                    let more = if runs.len() > 5 { ", …" } else { "" };
                    let headers = c.bad_pages.iter().filter(|&&p| p < 1).count();
                    let owned = match c.owned_pages {
                        Some(o) if !pages.is_empty() && pages.iter().all(|&p| p > i64::from(o)) => {
                            ", all beyond the owned space"
                        }
                        _ => "",
                    };
                    let mut parts = Vec::new();
                    if !pages.is_empty() {
                        let word = if pages.len() == 1 { "page" } else { "pages" };
                        parts.push(format!("{} bad {word} {}{more}{owned}", pages.len(), shown.join(", ")));
                    }
                    if headers > 0 {
                        parts.push(format!(
                            "{headers} bad header cop{}",
                            if headers == 1 { "y" } else { "ies" }
                        ));
                    }
                    format!("{}; ", parts.join(", "))
                } else {
                    String::new()
                };
                format!(
                    "{}: {bad}{} pages seen, {} bad checksums, {} correctable, {} uninitialized, {} wrong page numbers",
                    esc(&c.path),
                    c.pages_seen,
                    c.bad_checksums,
                    c.correctable_checksums,
                    c.uninitialized_pages,
                    c.wrong_page_numbers
                )
            }
            FileReport::Log(c) => format!(
                "{}: log generation {}, {} segments seen, {} bad, {} correctable",
                esc(&c.path),
                c.generation.map(|g| g.to_string()).unwrap_or_else(|| "?".into()),
                c.sectors_seen,
                c.bad_sectors,
                c.correctable_sectors
            ),
            FileReport::Checkpoint(c) => format!(
                "{}: checkpoint, primary {}, shadow {}",
                esc(&c.path),
                if c.primary_ok { "OK" } else { "bad" },
                if c.shadow_ok { "OK" } else { "bad" }
            ),
            FileReport::FlushMap(c) => format!(
                "{}: flush map, {} pages, {} bad checksums{}, {} correctable{} (warnings only)",
                esc(&c.path),
                c.pages_seen,
                c.bad_checksums,
                text::page_list(&c.bad_pages),
                c.correctable_checksums,
                text::page_list(&c.correctable_pages)
            ),
            FileReport::NotVerified(c) => format!("{}: not verified ({})", esc(&c.path), c.note),
            FileReport::DamagedMember(c) => format!(
                "{}: {}",
                esc(&c.path),
                esc(c.problems.first().map(|p| p.message.as_str()).unwrap_or("damaged"))
            ),
            FileReport::Unchecked(u) => format!("{}: could not check: {}", esc(&u.path), esc(&u.error)),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The progress bar of a run, on stderr when it is a terminal (and neither `--json` nor
/// `--no-progress`): total bytes, percent, rate, ETA, and the file being checked as "n of m:
/// NAME" (issue 13 item 8). Its length is set once the inputs are known.
fn progress_bar(opts: &Options) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !opts.progress || opts.json || !io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(0);
    let template =
        "{spinner} [{bar:30}] {percent:>3}% {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}";
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        pb.set_style(style.progress_chars("=> "));
    }
    Some(pb)
}

/// Checks one file of any kind, chosen by its header (CLI.md Decision 1).
pub fn check_file(path: &Path, opts: &Options) -> FileReport {
    check_file_then(path, opts, &|_| {})
}

/// [`check_file`], calling `before_recheck` between the scan and the re-check that the file did
/// not change while it was checked (a test hook: it lets a test change the file at that point,
/// deterministically).
pub fn check_file_then(path: &Path, opts: &Options, before_recheck: &dyn Fn(&Path)) -> FileReport {
    check_file_in_run(path, opts, None, before_recheck)
}

/// [`check_file_then`] as one file of a run whose progress is `progress`.
fn check_file_in_run(
    path: &Path,
    opts: &Options,
    progress: Option<&crate::scan::progress::Progress<'_>>,
    before_recheck: &dyn Fn(&Path),
) -> FileReport {
    let shown = path.display().to_string();
    if let Some(p) = progress {
        p.file_started(path);
    }
    let opened = Input::open(path);
    if let (Some(p), Err(_)) = (progress, &opened) {
        p.file_finished(path);
    }
    let input = match opened {
        Ok(i) => i,
        Err(e) => return unchecked(&shown, None, e),
    };
    let report = check_opened(&input, path, &shown, opts, progress.map(|p| p.bar()));
    if let Some(p) = progress {
        p.file_finished(path);
    }
    before_recheck(path);
    match input.stamp().recheck(path) {
        Ok(()) => report,
        Err(e) => unchecked(&shown, None, e),
    }
}

fn check_opened(
    input: &Input,
    path: &Path,
    shown: &str,
    opts: &Options,
    bar: Option<&indicatif::ProgressBar>,
) -> FileReport {
    let report = check_opened_kind(input, path, shown, opts, bar);
    // A database advances the bar page by page; every other file counts once checked.
    if let (Some(b), false) = (bar, matches!(report, FileReport::Database(_))) {
        b.inc(input.bytes().len() as u64);
    }
    report
}

fn check_opened_kind(
    input: &Input,
    path: &Path,
    shown: &str,
    opts: &Options,
    bar: Option<&indicatif::ProgressBar>,
) -> FileReport {
    let bytes = input.bytes();
    let class = classify(bytes, &file_name(path));
    if is_zero_filled_member(class, bytes) {
        return damaged_member(shown, class.kind, bytes, "");
    }
    let release = |offset: usize, len: usize| input.release(offset, len);
    match class.kind {
        FileKind::Database => {
            let r = check_database(
                bytes,
                shown,
                &DbOptions {
                    progress: bar,
                    release: Some(&release),
                    holes: input.holes(),
                    crc: None,
                    in_set: false,
                },
            );
            match r {
                Ok(mut c) => {
                    c.verdict = c.verdict.under_strict(&c.problems, opts.strict);
                    FileReport::Database(Box::new(c))
                }
                Err(e) => damaged_or_unchecked(class, shown, bytes, e),
            }
        }
        FileKind::FlushMap => {
            let mut c = check_flush_map_with(
                bytes,
                shown,
                &FlushMapOptions {
                    release: Some(&release),
                    holes: input.holes(),
                    crc: None,
                },
            );
            c.verdict = c.verdict.under_strict(&c.problems, opts.strict);
            FileReport::FlushMap(c)
        }
        FileKind::Log => match crate::scan::log::check_log_with(bytes, shown, Some(&release)) {
            Ok(mut c) => {
                c.verdict = c.verdict.under_strict(&c.problems, opts.strict);
                FileReport::Log(Box::new(c))
            }
            Err(e) => damaged_or_unchecked(class, shown, bytes, e),
        },
        FileKind::Checkpoint => match check_checkpoint(bytes, shown) {
            Ok(mut c) => {
                c.verdict = c.verdict.under_strict(&c.problems, opts.strict);
                FileReport::Checkpoint(Box::new(c))
            }
            Err(e) => damaged_or_unchecked(class, shown, bytes, e),
        },
        FileKind::Reserve => FileReport::NotVerified(NotVerified {
            path: shown.to_string(),
            kind: FileKind::Reserve,
            verdict: Verdict::Pass,
            note: crate::scan::classify::reserve_note(bytes).to_string(),
        }),
        FileKind::Unknown => unchecked(shown, None, not_an_ese_file(shown, bytes)),
    }
}

/// CLI.md Decision 1: a file named like a log, checkpoint or database, not recognised by its
/// header, whose bytes are all zeros is a damaged member ("all zeros: never written or wiped"),
/// before any check is tried on it.
fn is_zero_filled_member(class: crate::scan::classify::Classification, bytes: &[u8]) -> bool {
    let member = matches!(class.kind, FileKind::Log | FileKind::Checkpoint | FileKind::Database);
    member && !class.by_header && crate::scan::classify::is_all_zeros(bytes)
}

/// A damaged member (CLI.md Decision 1): exit 1, its one problem saying what its bytes are
/// (`detail`: what the check found).
fn damaged_member(shown: &str, kind: FileKind, bytes: &[u8], detail: &str) -> FileReport {
    FileReport::DamagedMember(DamagedMember {
        path: shown.to_string(),
        kind,
        verdict: Verdict::Fail,
        problems: vec![crate::scan::classify::damaged_member_problem(
            kind, bytes, shown, detail,
        )],
    })
}

/// A check that could not run on a file (CLI.md Decisions 1 and 2): one known only by its member
/// name is a damaged member (exit 1); one whose header says what it is but holds values outside
/// the allowed sets could not be checked (exit 2).
fn damaged_or_unchecked(
    class: crate::scan::classify::Classification,
    shown: &str,
    bytes: &[u8],
    e: CheckError,
) -> FileReport {
    if class.by_header {
        unchecked(shown, Some(class.kind), e)
    } else {
        damaged_member(shown, class.kind, bytes, &e.message)
    }
}

/// CLI.md Decision 1 (and 2: shorter than 4096 bytes): a file that is no ESE file is exit 2 with
/// −1812, saying why in words (empty, too short, or no ESE structure).
fn not_an_ese_file(shown: &str, bytes: &[u8]) -> CheckError {
    let why = if bytes.is_empty() {
        "file is empty; not an ESE file".to_string()
    } else if bytes.len() < 4096 {
        format!(
            "file is {} bytes, shorter than the smallest ESE header (4096 bytes); not an ESE file",
            bytes.len()
        )
    } else {
        "not an ESE file (no database magic, no log, checkpoint or flush-map header)".to_string()
    };
    CheckError::new(shown, why).with_code(crate::codes::JetErr::FileInvalidType)
}

fn unchecked(path: &str, kind: Option<FileKind>, e: CheckError) -> FileReport {
    FileReport::Unchecked(Unchecked {
        path: path.to_string(),
        kind,
        verdict: Verdict::Error,
        error: e.message,
        code: e.code,
    })
}

/// Every problem of a `checksum` run, each naming its file: the files' own, and one error for
/// each file that could not be checked (CLI.md "JSON": the top-level `problems`).
fn all_problems(reports: &[FileReport]) -> Vec<Problem> {
    let mut out = Vec::new();
    for r in reports {
        match r {
            FileReport::Database(c) => out.extend(c.problems.iter().cloned()),
            FileReport::Log(c) => out.extend(c.problems.iter().cloned()),
            FileReport::Checkpoint(c) => out.extend(c.problems.iter().cloned()),
            FileReport::FlushMap(c) => out.extend(c.problems.iter().cloned()),
            FileReport::DamagedMember(c) => out.extend(c.problems.iter().cloned()),
            FileReport::NotVerified(_) => {}
            FileReport::Unchecked(u) => out.push(Problem::error(u.code, &u.path, u.error.clone())),
        }
    }
    out
}

/// Reports a could-not-check error once: the JSON document in `--json` mode (with the message on
/// stderr for people), otherwise the message on stderr.
fn could_not_check(command: &str, e: &CheckError, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    writeln!(sinks.err, "esecheck: {e}")?;
    if opts.json {
        json::write(sinks.out, &json::error_document(command, e))?;
    }
    Ok(Verdict::Error)
}

/// The files `checksum` checks: each file named (`true`: named), and the regular files of each
/// directory named (`false`), sorted, subdirectories too with `recursive`. Entries of a
/// directory that are not regular files are returned as ignored (a FIFO is never opened); the
/// third list is the directories named, to tell when one held no ESE file.
#[allow(clippy::type_complexity)]
fn expand_inputs(
    paths: &[PathBuf],
    recursive: bool,
) -> Result<(Vec<(PathBuf, bool)>, Vec<crate::scan::Ignored>, Vec<PathBuf>), CheckError> {
    use crate::scan::stream::IgnoreKind;
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    let mut dirs = Vec::new();
    for p in paths {
        if !std::fs::metadata(p).is_ok_and(|m| m.is_dir()) {
            // Missing, unreadable or special: check_file says why, naming it.
            files.push((p.clone(), true));
            continue;
        }
        dirs.push(p.clone());
        let mut stack = vec![p.clone()];
        // Directories already walked, so that a link loop ends.
        let mut seen = std::collections::BTreeSet::new();
        while let Some(d) = stack.pop() {
            if !seen.insert(std::fs::canonicalize(&d).unwrap_or_else(|_| d.clone())) {
                continue;
            }
            let rd = std::fs::read_dir(&d).map_err(|e| CheckError::io(&d, &e))?;
            let mut entries: Vec<PathBuf> = Vec::new();
            for e in rd {
                entries.push(e.map_err(|e| CheckError::io(&d, &e))?.path());
            }
            entries.sort();
            let mut subdirs = Vec::new();
            for path in entries {
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => files.push((path, false)),
                    Ok(m) if m.is_dir() => {
                        if recursive {
                            subdirs.push(path);
                        }
                    }
                    Ok(_) => ignored.push(crate::scan::Ignored::new(
                        path.display().to_string(),
                        IgnoreKind::NotRegular,
                        "not a regular file",
                    )),
                    Err(err) => ignored.push(crate::scan::Ignored::new(
                        path.display().to_string(),
                        IgnoreKind::NotRegular,
                        format!("cannot be read ({err})"),
                    )),
                }
            }
            // Depth first, in name order.
            stack.extend(subdirs.into_iter().rev());
        }
    }
    Ok((files, ignored, dirs))
}

/// `esecheck checksum FILE...` (eseutil /K): every page, segment or copy of each file.
///
/// A directory stands for every file in it (with `recursive`, in its subdirectories too),
/// classified by its bytes (Decision 1); files in it that are no ESE file are listed under
/// `ignored`, and a directory with no ESE file at all is could-not-check (exit 2).
pub fn checksum(paths: &[PathBuf], recursive: bool, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    let (inputs, mut ignored, empty_dirs) = match expand_inputs(paths, recursive) {
        Ok(x) => x,
        Err(e) => return could_not_check("checksum", &e, opts, sinks),
    };
    // Files overlap (issue 12): with one file at a time, each file's last chunks leave a thread
    // idle and its open, map and unmap stall both. The reports keep the order of the inputs.
    // One bar for the whole run (issue 13 item 8).
    let pb = progress_bar(opts);
    let progress = pb.as_ref().map(crate::scan::progress::Progress::new);
    if let Some(p) = &progress {
        let (n, bytes) = crate::scan::progress::total_size(inputs.iter().map(|(p, _)| p.as_path()));
        p.set_total(n, bytes);
    }
    let checked: Vec<FileReport> = {
        use rayon::prelude::*;
        inputs
            .par_iter()
            .map(|(p, _)| check_file_in_run(p, opts, progress.as_ref(), &|_| {}))
            .collect()
    };
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let mut reports: Vec<FileReport> = Vec::with_capacity(inputs.len());
    for ((_, named), r) in inputs.iter().zip(checked) {
        // Inside a directory, a file that is no ESE file is not part of what is checked.
        if let FileReport::Unchecked(u) = &r {
            if !named && u.kind.is_none() && u.code == Some(crate::codes::JetErr::FileInvalidType) {
                ignored.push(crate::scan::Ignored::new(
                    u.path.clone(),
                    crate::scan::stream::IgnoreKind::NotEse,
                    "not an ESE file",
                ));
                continue;
            }
        }
        reports.push(r);
    }
    // A directory that held no ESE file: nothing there could be checked.
    for d in &empty_dirs {
        let prefix = d.display().to_string();
        if !reports.iter().any(|r| r.path().starts_with(&prefix)) {
            let e =
                CheckError::new(d, "no ESE file found in the directory").with_code(crate::codes::JetErr::FileNotFound);
            reports.push(unchecked(&prefix, None, e));
        }
    }
    let verdict = reports.iter().fold(Verdict::Pass, |v, r| v.combine(r.verdict()));
    for r in &reports {
        if let FileReport::Unchecked(u) = r {
            writeln!(
                sinks.err,
                "esecheck: {}: {}",
                escape_controls(&u.path),
                escape_controls(&u.error)
            )?;
        }
    }
    if opts.json {
        let body = serde_json::json!({ "files": &reports, "ignored": &ignored });
        json::write(
            sinks.out,
            &json::document("checksum", verdict, &body, &all_problems(&reports)),
        )?;
        return Ok(verdict);
    }
    if !opts.quiet {
        for r in &reports {
            match r {
                FileReport::Database(c) => text::write_db_check(sinks.out, c)?,
                FileReport::Log(c) => log_text::write_log_check(sinks.out, c)?,
                FileReport::Checkpoint(c) => log_text::write_checkpoint_check(sinks.out, c)?,
                FileReport::FlushMap(c) => text::write_flush_map_check(sinks.out, c)?,
                FileReport::NotVerified(c) => {
                    writeln!(sinks.out, "{}: not verified: {}", escape_controls(&c.path), c.note)?
                }
                FileReport::DamagedMember(c) => {
                    for p in &c.problems {
                        text::write_problem_with_file(sinks.out, p)?;
                    }
                }
                FileReport::Unchecked(_) => continue,
            }
            if reports.len() > 1 {
                writeln!(sinks.out, "{}: {}", r.verdict().word(), r.summary())?;
                writeln!(sinks.out)?;
            }
        }
        const MAX_IGNORED_LINES: usize = 20;
        for i in ignored.iter().take(MAX_IGNORED_LINES) {
            writeln!(
                sinks.out,
                "Ignored: {} ({})",
                escape_controls(&i.path),
                escape_controls(&i.why)
            )?;
        }
        if ignored.len() > MAX_IGNORED_LINES {
            writeln!(
                sinks.out,
                "… and {} more ignored; --json lists them all",
                ignored.len() - MAX_IGNORED_LINES
            )?;
        }
    } else if reports.len() > 1 {
        // Quiet: one line per file that did not pass, then the summary (issue 13 item 6).
        for r in reports.iter().filter(|r| r.verdict() != Verdict::Pass) {
            writeln!(sinks.out, "{}: {}", r.verdict().word(), r.summary())?;
        }
    }
    writeln!(sinks.out, "{}", checksum_verdict_line(verdict, &reports))?;
    Ok(verdict)
}

/// The files with verdict `v`, named (the first ten, then a count).
fn names_of(reports: &[FileReport], v: Verdict) -> String {
    const MAX: usize = 10;
    let names: Vec<String> = reports
        .iter()
        .filter(|r| r.verdict() == v)
        .map(|r| escape_controls(r.path()).into_owned())
        .collect();
    let mut out = names.iter().take(MAX).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > MAX {
        out.push_str(&format!(" and {} more", names.len() - MAX));
    }
    out
}

fn checksum_verdict_line(verdict: Verdict, reports: &[FileReport]) -> String {
    let n = reports.len();
    let failed = reports.iter().filter(|r| r.verdict() == Verdict::Fail).count();
    let unchecked = reports.iter().filter(|r| r.verdict() == Verdict::Error).count();
    let files = if n == 1 { "file" } else { "files" };
    // What a file that passes with warnings warns about, naming the file and its counted damage
    // (`SRUDB.jfm: flush map with 1 bad checksum (page 0) …`): a run that counted a bad checksum
    // never says "no bad checksums".
    fn warnings_phrase(r: &FileReport) -> Option<String> {
        let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let (path, problems) = match r {
            FileReport::Database(c) => (&c.path, &c.problems),
            FileReport::Log(c) => (&c.path, &c.problems),
            FileReport::Checkpoint(c) => (&c.path, &c.problems),
            FileReport::FlushMap(c) => (&c.path, &c.problems),
            FileReport::DamagedMember(c) => (&c.path, &c.problems),
            FileReport::NotVerified(_) | FileReport::Unchecked(_) => return None,
        };
        let path = &escape_controls(path).into_owned();
        let warnings = problems.iter().filter(|p| !p.is_error()).count() as u64;
        if warnings == 0 || r.verdict() != Verdict::Pass {
            return None;
        }
        let counted = match r {
            FileReport::Database(c) if c.correctable_checksums > 0 => Some((
                c.correctable_checksums,
                format!(
                    "{path}: {}{}",
                    plural(c.correctable_checksums, "correctable checksum", "correctable checksums"),
                    text::page_list(&c.correctable_pages)
                ),
            )),
            FileReport::Log(c) if c.correctable_sectors > 0 => Some((
                c.correctable_sectors,
                format!(
                    "{path}: {}",
                    plural(c.correctable_sectors, "correctable segment", "correctable segments")
                ),
            )),
            FileReport::FlushMap(c) if c.bad_checksums + c.correctable_checksums > 0 => Some((
                c.bad_checksums + c.correctable_checksums,
                format!(
                    "{path}: flush map with {}{} and {}{} (the engine rebuilds flush maps)",
                    plural(c.bad_checksums, "bad checksum", "bad checksums"),
                    text::page_list(&c.bad_pages),
                    plural(c.correctable_checksums, "correctable checksum", "correctable checksums"),
                    text::page_list(&c.correctable_pages)
                ),
            )),
            _ => None,
        };
        Some(match counted {
            Some((n, text)) if warnings > n => {
                format!("{text}, {}", plural(warnings - n, "other warning", "other warnings"))
            }
            Some((_, text)) => text,
            None => format!("{path}: {}", plural(warnings, "warning", "warnings")),
        })
    }
    let warned: Vec<String> = reports.iter().filter_map(warnings_phrase).collect();
    // Reserve and next-generation logs are listed, not verified: the count says so.
    let not_verified = reports
        .iter()
        .filter(|r| matches!(r, FileReport::NotVerified(_)))
        .count();
    let verified = n - not_verified;
    let vfiles = if verified == 1 { "file" } else { "files" };
    let skipped = if not_verified > 0 {
        format!(
            ", {not_verified} reserve or next-generation {} not verified",
            if not_verified == 1 { "log" } else { "logs" }
        )
    } else {
        String::new()
    };
    match verdict {
        Verdict::Pass if !warned.is_empty() => {
            format!(
                "PASS with warnings: {verified} {vfiles} verified{skipped}; {}.",
                warned.join("; ")
            )
        }
        Verdict::Pass if verified == 0 => format!("PASS: nothing to verify{skipped}."),
        Verdict::Pass => format!("PASS: {verified} {vfiles} verified, no bad checksums{skipped}."),
        Verdict::Fail => {
            let extra = if unchecked > 0 {
                format!(", {unchecked} could not be checked")
            } else {
                String::new()
            };
            if n == 1 {
                format!("FAIL: {}", reports[0].summary())
            } else {
                format!(
                    "FAIL: {failed} of {n} {files} failed verification{extra}: {}.",
                    names_of(reports, Verdict::Fail)
                )
            }
        }
        Verdict::Error => format!(
            "ERROR: {unchecked} of {n} {files} could not be checked: {}.",
            names_of(reports, Verdict::Error)
        ),
    }
}

#[derive(Serialize)]
struct DbHeaderJson<'a> {
    path: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    verdict: Verdict,
    page_size: Option<usize>,
    primary: CopyJson,
    shadow: CopyJson,
    identical: bool,
    header: Option<&'a crate::format::DbFileHeader>,
    problems: Vec<Problem>,
}

#[derive(Serialize)]
struct CopyJson {
    state: CopyState,
    stored_checksum: u32,
    computed_checksum: u32,
}

/// `esecheck header FILE...`: [`header`] for each file. With one file the output is that file's;
/// with several, text dumps follow each other and `--json` prints one document whose `files`
/// holds each file's document (CLI.md "JSON"). The verdict combines the files' (Decision 2).
pub fn headers(paths: &[PathBuf], opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    if let [one] = paths {
        return header(one, opts, sinks);
    }
    let mut verdict = Verdict::Pass;
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        if opts.json {
            let mut buf = Vec::new();
            let v = header(
                p,
                opts,
                &mut Sinks {
                    out: &mut buf,
                    err: &mut *sinks.err,
                },
            )?;
            verdict = verdict.combine(v);
            let doc: serde_json::Value = serde_json::from_slice(&buf).map_err(io::Error::other)?;
            if let Ok(ps) = serde_json::from_value::<Vec<serde_json::Value>>(doc["problems"].clone()) {
                problems.extend(ps);
            }
            docs.push(doc);
        } else {
            if i > 0 && !opts.quiet {
                writeln!(sinks.out)?;
            }
            verdict = verdict.combine(header(p, opts, sinks)?);
        }
    }
    if opts.json {
        let body = serde_json::json!({ "files": docs });
        let mut doc = json::document("header", verdict, &body, &[]);
        doc["problems"] = serde_json::Value::Array(problems);
        json::write(sinks.out, &doc)?;
    }
    Ok(verdict)
}

/// `esecheck header FILE` (eseutil /MH, /ML, /MK): dumps the header. For a database one bad copy
/// is a warning and both bad is a failure (CLI.md Decision 4).
pub fn header(path: &Path, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    let shown = path.display().to_string();
    let input = match Input::open(path) {
        Ok(i) => i,
        Err(e) => return could_not_check("header", &e, opts, sinks),
    };
    let bytes = input.bytes();
    let class = classify(bytes, &file_name(path));
    if let Some(v) = header_not_dumped(bytes, &shown, class, opts, sinks)? {
        return Ok(v);
    }
    match class.kind {
        // A database is recognised by its magic only (CLI.md Decision 1), as in `checksum`.
        FileKind::Database if bytes.len() >= 4096 && class.by_header => db_header(bytes, &shown, opts, sinks),
        FileKind::Log => match check_log(bytes, &shown) {
            Ok(c) => {
                let verdict = header_verdict(&c.problems, c.header.is_some(), opts.strict);
                if opts.json {
                    let body = serde_json::json!({"path": shown, "type": "log", "header": c.header});
                    json::write(sinks.out, &json::document("header", verdict, &body, &c.problems))?;
                } else {
                    if !opts.quiet {
                        log_text::write_log_header_dump(sinks.out, &c)?;
                        for p in c.problems.iter().filter(|p| is_header_problem(p)) {
                            text::write_problem(sinks.out, p)?;
                        }
                    }
                    let state = if c.header.is_some() { "valid" } else { "damaged" };
                    let shown = escape_controls(&shown);
                    writeln!(sinks.out, "{}: {shown}: log header {state}", verdict.word())?;
                }
                Ok(verdict)
            }
            Err(e) => could_not_check("header", &e, opts, sinks),
        },
        FileKind::Checkpoint => match check_checkpoint(bytes, &shown) {
            Ok(c) => {
                let verdict = Verdict::from_problems(&c.problems, opts.strict);
                if opts.json {
                    let body = serde_json::json!({"path": shown, "type": "checkpoint", "primary_ok": c.primary_ok, "shadow_ok": c.shadow_ok, "generation": c.generation, "shadow_generation": c.shadow_generation, "header": c.header});
                    json::write(sinks.out, &json::document("header", verdict, &body, &c.problems))?;
                } else {
                    if !opts.quiet {
                        log_text::write_checkpoint_header_dump(sinks.out, &c)?;
                        for p in &c.problems {
                            text::write_problem(sinks.out, p)?;
                        }
                    }
                    let ok = |b: bool| if b { "OK" } else { "bad" };
                    let warnings = c.problems.iter().filter(|p| !p.is_error()).count();
                    let word = match verdict {
                        Verdict::Pass if warnings > 0 => "PASS with warnings",
                        v => v.word(),
                    };
                    let differs = match c.problems.iter().find(|p| !p.is_error()) {
                        Some(p) if verdict == Verdict::Pass => format!("; {}", p.message),
                        _ => String::new(),
                    };
                    writeln!(
                        sinks.out,
                        "{word}: {}: checkpoint primary {}, shadow {}{differs}",
                        escape_controls(&shown),
                        ok(c.primary_ok),
                        ok(c.shadow_ok)
                    )?;
                }
                Ok(verdict)
            }
            Err(e) => could_not_check("header", &e, opts, sinks),
        },
        // A flush map is recognised by its header or its name (Decision 1), as in `checksum`.
        FileKind::FlushMap if bytes.len() >= 4096 => {
            let mut h = crate::scan::flushmap::check_flush_map_header(bytes, &shown);
            // `header` follows /MH: an unusable header page fails, even of a flush map (Decision 8).
            if !h.header_ok {
                for p in &mut h.problems {
                    p.severity = crate::problem::Severity::Error;
                }
            }
            let verdict = Verdict::from_problems(&h.problems, opts.strict);
            if opts.json {
                let body = serde_json::json!({"path": shown, "type": "flushmap", "header_ok": h.header_ok, "stored_checksum": h.stored_checksum, "computed_checksum": h.computed_checksum, "header": h.header});
                json::write(sinks.out, &json::document("header", verdict, &body, &h.problems))?;
                writeln!(sinks.out)?;
            } else {
                if !opts.quiet {
                    text::write_flush_map_header(sinks.out, &shown, &h)?;
                    writeln!(sinks.out)?;
                    for p in &h.problems {
                        text::write_problem(sinks.out, p)?;
                    }
                }
                let shown = crate::escape::Shown(&shown);
                let line = match (verdict, h.problems.iter().find(|p| p.is_error())) {
                    (Verdict::Pass, _) if h.problems.is_empty() => {
                        format!("PASS: {shown}: flush map header valid.")
                    }
                    (Verdict::Pass, _) => format!(
                        "PASS with warnings: {shown}: flush map header usable ({} warning(s)).",
                        h.problems.len()
                    ),
                    (_, Some(p)) => format!("FAIL: {shown}: {}", crate::escape::Shown(&p.message)),
                    (_, None) => format!("FAIL: {shown}: flush map header warnings with --strict"),
                };
                writeln!(sinks.out, "{line}")?;
            }
            Ok(verdict)
        }
        _ => {
            let why = if bytes.len() < 4096 {
                format!(
                    "file is {} bytes, shorter than the smallest ESE header (4096 bytes)",
                    bytes.len()
                )
            } else {
                "not an ESE database, log, checkpoint or flush map".to_string()
            };
            let code = crate::codes::JetErr::FileInvalidType;
            could_not_check("header", &CheckError::new(&shown, why).with_code(code), opts, sinks)
        }
    }
}

/// `header` on a file that has no header to dump: a reserve or next-generation log (never
/// verified, exit 0) or a file named like a member with no ESE structure (a damaged member, exit
/// 1; CLI.md Decision 1). `None` for everything else.
fn header_not_dumped(
    bytes: &[u8],
    path: &str,
    class: crate::scan::classify::Classification,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Option<Verdict>> {
    use crate::scan::classify::{damaged_member_problem, is_all_zeros, reserve_note};
    let member = matches!(class.kind, FileKind::Log | FileKind::Checkpoint | FileKind::Database);
    let (verdict, kind, note, problems) = if class.kind == FileKind::Reserve {
        (Verdict::Pass, class.kind, Some(reserve_note(bytes)), Vec::new())
    } else if member && !class.by_header && (is_all_zeros(bytes) || class.kind == FileKind::Database) {
        let p = damaged_member_problem(class.kind, bytes, path, "no database magic in either header copy");
        (Verdict::Fail, class.kind, None, vec![p])
    } else {
        return Ok(None);
    };
    if opts.json {
        let body = serde_json::json!({"path": path, "type": kind, "note": note, "header": null});
        json::write(sinks.out, &json::document("header", verdict, &body, &problems))?;
        writeln!(sinks.out)?;
    } else if let Some(n) = note {
        writeln!(sinks.out, "PASS: {}: not verified: {n}", escape_controls(path))?;
    } else if let Some(p) = problems.first() {
        writeln!(sinks.out, "FAIL: {}: {}", escape_controls(path), p.message)?;
    }
    Ok(Some(verdict))
}

fn db_header(bytes: &[u8], path: &str, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    use crate::codes::JetErr;
    let sh = crate::scan::header_copies::read_shadowed_header(bytes);
    if sh.page_size.is_none() {
        if let Some(v) = sh.unsupported_page_size {
            let e = CheckError::new(path, format!("header le_cbPageSize = {v} is not a page size ESE uses"));
            return could_not_check("header", &e, opts, sinks);
        }
    }
    let mut problems = Vec::new();
    for (copy, name) in [(&sh.primary, "primary"), (&sh.shadow, "shadow")] {
        if copy.state != CopyState::Valid {
            problems.push(Problem::warning(
                Some(JetErr::ReadVerifyFailure),
                path,
                format!("{name} header is not valid ({:?})", copy.state),
            ));
        }
    }
    if sh.primary.state == CopyState::Valid && sh.shadow.state == CopyState::Valid && !sh.identical {
        problems.push(Problem::warning(
            None,
            path,
            "primary and shadow headers are not identical",
        ));
    }
    let chosen = sh.chosen();
    // Issue 20 rule 1: /MH dumps any state; one the engine would refuse is a warning here.
    problems.extend(chosen.and_then(|h| crate::scan::database::refusal_problem(h, path, false)));
    if chosen.is_none() {
        problems.push(Problem::error(
            Some(JetErr::DatabaseCorrupted),
            path,
            "neither header copy is valid",
        ));
    }
    let verdict = Verdict::from_problems(&problems, opts.strict);
    if opts.json {
        let j = DbHeaderJson {
            path,
            kind: "database",
            verdict,
            page_size: sh.page_size,
            primary: CopyJson {
                state: sh.primary.state,
                stored_checksum: sh.primary.stored_checksum,
                computed_checksum: sh.primary.computed_checksum,
            },
            shadow: CopyJson {
                state: sh.shadow.state,
                stored_checksum: sh.shadow.stored_checksum,
                computed_checksum: sh.shadow.computed_checksum,
            },
            identical: sh.identical,
            header: chosen,
            problems,
        };
        json::write(sinks.out, &json::document("header", verdict, &j, &j.problems))?;
        return Ok(verdict);
    }
    if !opts.quiet {
        // With both copies bad, still show what the primary says: it is what an examiner wants.
        let shown = chosen.or(sh.primary.header.as_ref()).or(sh.shadow.header.as_ref());
        if let Some(h) = shown {
            text::write_db_header(
                sinks.out,
                path,
                h,
                &sh.primary,
                &sh.shadow,
                sh.page_size.unwrap_or(h.page_size() as usize),
            )?;
            writeln!(sinks.out)?;
        }
        for p in &problems {
            text::write_problem(sinks.out, p)?;
        }
    }
    let shown = escape_controls(path);
    let line = match verdict {
        Verdict::Pass if problems.is_empty() => format!("PASS: {shown}: header valid, primary and shadow identical."),
        Verdict::Pass => format!("PASS: {shown}: header usable ({} warning(s)).", problems.len()),
        _ => format!(
            "FAIL: {shown}: {}",
            escape_controls(
                problems
                    .iter()
                    .find(|p| p.is_error())
                    .map(|p| p.message.as_str())
                    .unwrap_or("header check failed")
            )
        ),
    };
    writeln!(sinks.out, "{line}")?;
    Ok(verdict)
}

/// Problems of a log that concern its header (the `header` command shows only those).
fn is_header_problem(p: &Problem) -> bool {
    p.sector.is_none()
}

/// `header` on a log: fails only when the header itself is unusable or breaks a header rule.
fn header_verdict(problems: &[Problem], header_ok: bool, strict: bool) -> Verdict {
    let own: Vec<Problem> = problems.iter().filter(|p| is_header_problem(p)).cloned().collect();
    if !header_ok {
        return Verdict::Fail;
    }
    Verdict::from_problems(&own, strict)
}

/// `esecheck logs DIR [--base NAME]` (eseutil /ML `<base>`): every log of one stream and the
/// stream itself.
pub fn logs(dir: &Path, base: Option<&str>, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    let s = match crate::scan::check_stream(dir, base).and_then(|s| s.recheck().map(|()| s)) {
        Ok(s) => s,
        Err(e) => return could_not_check("logs", &e, opts, sinks),
    };
    let mut verdict = s.verdict;
    if opts.strict && verdict == Verdict::Pass {
        let all: Vec<Problem> = s
            .problems
            .iter()
            .chain(s.files.iter().flat_map(|f| f.problems.iter()))
            .cloned()
            .collect();
        verdict = Verdict::from_problems(&all, true);
    }
    if opts.json {
        // Top-level problems: the stream's and every log's, each naming its file.
        let all: Vec<Problem> = s
            .problems
            .iter()
            .chain(s.files.iter().flat_map(|f| f.problems.iter()))
            .cloned()
            .collect();
        json::write(sinks.out, &json::document("logs", verdict, &s, &all))?;
        return Ok(verdict);
    }
    if !opts.quiet {
        log_text::write_stream(sinks.out, &s)?;
    }
    let range = match (s.first, s.last) {
        (Some(a), Some(b)) => format!("generations {a}-{b}, {} logs", s.files.len()),
        _ => "no logs".to_string(),
    };
    // The first error names its own file (a log, or the directory for stream problems).
    let first_err = s
        .problems
        .iter()
        .chain(s.files.iter().flat_map(|f| f.problems.iter()))
        .find(|p| p.is_error())
        .map(text::located_message);
    let line = match verdict {
        Verdict::Pass => format!(
            "PASS: {}: stream {} {range}: no damaged log files were found.",
            escape_controls(&s.directory),
            escape_controls(s.base.as_deref().unwrap_or("?"))
        ),
        Verdict::Fail => format!(
            "FAIL: {}",
            first_err.unwrap_or_else(|| format!("{}: warnings with --strict", escape_controls(&s.directory)))
        ),
        Verdict::Error => format!(
            "ERROR: {}",
            first_err.unwrap_or_else(|| format!("{}: could not check", escape_controls(&s.directory)))
        ),
    };
    writeln!(sinks.out, "{line}")?;
    Ok(verdict)
}

/// `esecheck verify PATH...` (CHKSGFILES): the backup-set verdict that gates log truncation.
///
/// With `target` (`--manifest FILE`), the same pass also hashes every file of the set and the
/// manifest is written whatever the verdict, once the set has been checked; a target that would
/// replace an input, or a manifest that cannot be written, is exit 2.
pub fn verify(
    paths: &[PathBuf],
    base: Option<String>,
    logs: Option<PathBuf>,
    target: Option<&manifest::ManifestTarget>,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    use crate::report::set::{verify_set, VerifyOptions};
    if let Some(t) = target {
        let mut inputs = paths.to_vec();
        inputs.extend(logs.iter().cloned());
        if let Err(e) = manifest::check_target(t, &inputs) {
            return could_not_check_set(&e, opts, sinks);
        }
    }
    let pb = progress_bar(opts);
    let vopts = VerifyOptions {
        strict: opts.strict,
        scan: crate::scan::set::ScanOptions {
            base,
            logs_dir: logs,
            progress: pb.as_ref(),
            before_recheck: None,
            crc_block_size: target.map(|t| t.block_size),
            exclude: target.map(|t| t.path.clone()),
        },
    };
    let result = verify_set(paths, &vopts);
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let mut report = match result {
        Ok(r) => r,
        Err(e) => return could_not_check_set(&e, opts, sinks),
    };
    // The manifest records the verdict, whatever it is; failing to write it is exit 2.
    let mut written = None;
    if let Some(t) = target {
        let m = crate::report::manifest::build(&report, t.block_size);
        match manifest::write_atomically(&t.path, &crate::report::manifest::to_bytes(&m)) {
            Ok(()) => written = Some(m.files.len()),
            Err(e) => {
                writeln!(sinks.err, "esecheck: {e}")?;
                report.decision.problems.push(e.to_problem());
                report.decision.verdict = Verdict::Error;
                report.decision.truncate_below = None;
            }
        }
    }
    if opts.json {
        let mut doc = json::document("verify", report.verdict(), &report, &report.decision.problems);
        if let (Some(t), serde_json::Value::Object(m)) = (target, &mut doc) {
            m.insert(
                "manifest".into(),
                serde_json::json!(written.map(|_| t.path.display().to_string())),
            );
        }
        json::write(sinks.out, &doc)?;
        return Ok(report.verdict());
    }
    let line = match (target, written) {
        (Some(t), None) => format!(
            "ERROR: {}: the manifest could not be written; do not report the backup complete.",
            escape_controls(&t.path.display().to_string())
        ),
        _ => text::verify_verdict_line(&report),
    };
    writeln!(sinks.out, "{line}")?;
    if !opts.quiet {
        writeln!(sinks.out)?;
        text::write_set_details(sinks.out, &report)?;
        if let (Some(t), Some(n)) = (target, written) {
            writeln!(
                sinks.out,
                "Manifest: {}: {n} files, CRC-32 of each and of each {}-byte block",
                escape_controls(&t.path.display().to_string()),
                t.block_size
            )?;
        }
        writeln!(sinks.out)?;
        writeln!(sinks.out, "{line}")?;
    }
    Ok(report.verdict())
}

/// `verify`'s could-not-check: the message once on stderr, the JSON document or the text line.
fn could_not_check_set(e: &CheckError, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    could_not_check("verify", e, opts, sinks)?;
    if !opts.json {
        // The message itself is on stderr, once (CLI.md "Text output").
        writeln!(
            sinks.out,
            "ERROR: {}: could not check the set; do not truncate.",
            escape_controls(&e.path)
        )?;
    }
    Ok(Verdict::Error)
}

#[cfg(test)]
mod check_opened_kind_tests {
    use super::*;
    use crate::scan::classify::Classification;
    use crate::testkit::{CheckpointBuilder, LogBuilder};

    fn class(kind: FileKind, by_header: bool) -> Classification {
        Classification { kind, by_header }
    }

    /// `bytes` written as `name` in a fresh directory, checked as `checksum` checks one file.
    fn check(name: &str, bytes: &[u8]) -> FileReport {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let input = Input::open(&path).unwrap();
        check_opened_kind(&input, &path, name, &Options::default(), None)
    }

    #[test]
    fn only_a_member_named_so_and_all_zeros_is_zero_filled() {
        let zeros = [0u8; 8192];
        for kind in [FileKind::Log, FileKind::Checkpoint, FileKind::Database] {
            assert!(is_zero_filled_member(class(kind, false), &zeros), "{kind:?}");
            assert!(!is_zero_filled_member(class(kind, true), &zeros), "{kind:?} by header");
            assert!(
                !is_zero_filled_member(class(kind, false), &[0, 1]),
                "{kind:?} not zeros"
            );
        }
        // A flush map of zeros is checked (Decision 8); a reserve log never is.
        assert!(!is_zero_filled_member(class(FileKind::FlushMap, false), &zeros));
        assert!(!is_zero_filled_member(class(FileKind::Reserve, false), &zeros));
    }

    #[test]
    fn a_check_that_cannot_run_fails_a_member_known_by_name_and_is_exit_2_by_header() {
        let e = || CheckError::new("E00.chk", "le_lgposCheckpoint generation 0 is outside 1..=0x7FFFFA00");
        match damaged_or_unchecked(class(FileKind::Checkpoint, false), "E00.chk", &[1; 4096], e()) {
            FileReport::DamagedMember(d) => {
                assert_eq!((d.kind, d.verdict), (FileKind::Checkpoint, Verdict::Fail));
                assert_eq!(d.problems[0].code.map(crate::codes::JetErr::code), Some(-533));
                assert!(
                    d.problems[0].message.contains("outside 1..=0x7FFFFA00"),
                    "{}",
                    d.problems[0].message
                );
            }
            other => panic!("{other:?}"),
        }
        match damaged_or_unchecked(class(FileKind::Checkpoint, true), "E00.chk", &[1; 4096], e()) {
            FileReport::Unchecked(u) => {
                assert_eq!((u.kind, u.verdict), (Some(FileKind::Checkpoint), Verdict::Error));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_no_ese_file_is_1812_saying_why() {
        let code = |e: &CheckError| e.code.map(crate::codes::JetErr::code);
        let e = not_an_ese_file("x", &[]);
        assert_eq!(
            (code(&e), e.message.as_str()),
            (Some(-1812), "file is empty; not an ESE file")
        );
        let e = not_an_ese_file("x", &[1; 100]);
        assert!(
            e.message.starts_with("file is 100 bytes, shorter than"),
            "{}",
            e.message
        );
        let e = not_an_ese_file("x", &[1; 8192]);
        assert_eq!(code(&e), Some(-1812));
        assert!(e.message.starts_with("not an ESE file"), "{}", e.message);
    }

    #[test]
    fn each_kind_is_checked_as_its_bytes_then_its_name_say() {
        assert!(
            matches!(check("E0000001.log", &LogBuilder::new(1).build()), FileReport::Log(c) if c.verdict == Verdict::Pass)
        );
        assert!(matches!(
            check("whatever", &CheckpointBuilder::new().build()),
            FileReport::Checkpoint(_)
        ));
        // Named like a checkpoint, all zeros: a damaged member, exit 1 (Decision 1).
        match check("E00.chk", &[0u8; 8192]) {
            FileReport::DamagedMember(d) => {
                assert_eq!(d.verdict, Verdict::Fail);
                assert!(d.problems[0].all_zeros);
            }
            other => panic!("{other:?}"),
        }
        // A reserve log passes unverified (Decision 1); another file is not ESE, exit 2.
        match check("E00res00001.jrs", &[0u8; 8192]) {
            FileReport::NotVerified(n) => {
                assert_eq!(
                    (n.kind, n.verdict, n.note.as_str()),
                    (FileKind::Reserve, Verdict::Pass, "pre-allocated, never written")
                );
            }
            other => panic!("{other:?}"),
        }
        match check("notes.txt", b"hello") {
            FileReport::Unchecked(u) => {
                assert_eq!((u.kind, u.verdict), (None, Verdict::Error));
                assert_eq!(u.code.map(crate::codes::JetErr::code), Some(-1812));
            }
            other => panic!("{other:?}"),
        }
    }
}
