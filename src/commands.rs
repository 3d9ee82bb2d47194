//! The commands behind the CLI (`checksum`, `header`, `logs`, `verify`): each takes parsed options,
//! writes its text or JSON to the given sinks and returns the verdict. `main.rs` only parses
//! arguments and turns the verdict into an exit status.

use crate::error::CheckError;
use crate::format::db_header::CopyState;
use crate::report::text;
use crate::report::{Problem, Verdict};
use crate::scan::database::{check_database, DbCheck, DbOptions};
use crate::scan::flushmap::{check_flush_map, FlushMapCheck};
use crate::scan::{check_checkpoint, check_log, classify, CheckpointCheck, FileKind, Input, LogCheck};
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
    /// Could not be checked.
    Unchecked(Unchecked),
}

impl FileReport {
    /// The file's verdict.
    pub fn verdict(&self) -> Verdict {
        match self {
            FileReport::Database(c) => c.verdict,
            FileReport::Log(c) => c.verdict,
            FileReport::Checkpoint(c) => c.verdict,
            FileReport::FlushMap(c) => c.verdict,
            FileReport::Unchecked(_) => Verdict::Error,
        }
    }

    fn summary(&self) -> String {
        match self {
            FileReport::Database(c) => format!(
                "{}: {} pages seen, {} bad checksums, {} correctable, {} uninitialized, {} wrong page numbers",
                c.path,
                c.pages_seen,
                c.bad_checksums,
                c.correctable_checksums,
                c.uninitialized_pages,
                c.wrong_page_numbers
            ),
            FileReport::Log(c) => format!(
                "{}: log generation {}, {} segments seen, {} bad, {} correctable",
                c.path,
                c.generation.map(|g| g.to_string()).unwrap_or_else(|| "?".into()),
                c.sectors_seen,
                c.bad_sectors,
                c.correctable_sectors
            ),
            FileReport::Checkpoint(c) => format!(
                "{}: checkpoint, primary {}, shadow {}",
                c.path,
                if c.primary_ok { "OK" } else { "bad" },
                if c.shadow_ok { "OK" } else { "bad" }
            ),
            FileReport::FlushMap(c) => format!(
                "{}: flush map, {} pages, {} bad checksums{}, {} correctable{} (warnings only)",
                c.path,
                c.pages_seen,
                c.bad_checksums,
                text::page_list(&c.bad_pages),
                c.correctable_checksums,
                text::page_list(&c.correctable_pages)
            ),
            FileReport::Unchecked(u) => format!("{}: could not check: {}", u.path, u.error),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A progress bar on stderr when it is a terminal: a bar over `total` bytes, or, when the total is
/// not known in advance (`verify`), a spinner with the bytes checked so far.
fn progress_bar(opts: &Options, total: Option<u64>) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !opts.progress || opts.json || !io::stderr().is_terminal() {
        return None;
    }
    let (pb, template) = match total {
        Some(t) => (
            indicatif::ProgressBar::new(t),
            "{spinner} {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        ),
        None => (
            indicatif::ProgressBar::no_length(),
            "{spinner} checked {bytes} of databases, {bytes_per_sec}",
        ),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        pb.set_style(style);
    }
    Some(pb)
}

/// Checks one file of any kind, chosen by its header (CLI.md Decision 1).
pub fn check_file(path: &Path, opts: &Options) -> FileReport {
    let shown = path.display().to_string();
    let input = match Input::open(path) {
        Ok(i) => i,
        Err(e) => return unchecked(&shown, None, e),
    };
    let bytes = input.bytes();
    let kind = classify(bytes, &file_name(path)).kind;
    match kind {
        FileKind::Database => {
            let pb = progress_bar(opts, Some(bytes.len() as u64));
            let r = check_database(
                bytes,
                &shown,
                &DbOptions {
                    strict: opts.strict,
                    progress: pb.as_ref(),
                    release: Some(&|offset, len| input.release(offset, len)),
                },
            );
            if let Some(pb) = pb {
                pb.finish_and_clear();
            }
            match r {
                Ok(c) => FileReport::Database(Box::new(c)),
                Err(e) => unchecked(&shown, Some(kind), e),
            }
        }
        FileKind::FlushMap => FileReport::FlushMap(check_flush_map(bytes, &shown, opts.strict)),
        FileKind::Log => match check_log(bytes, &shown) {
            Ok(mut c) => {
                if opts.strict {
                    c.verdict = Verdict::from_problems(&c.problems, true).combine(c.verdict);
                }
                FileReport::Log(Box::new(c))
            }
            Err(e) => unchecked(&shown, Some(kind), e),
        },
        FileKind::Checkpoint => match check_checkpoint(bytes, &shown) {
            Ok(mut c) => {
                if opts.strict {
                    c.verdict = Verdict::from_problems(&c.problems, true).combine(c.verdict);
                }
                FileReport::Checkpoint(Box::new(c))
            }
            Err(e) => unchecked(&shown, Some(kind), e),
        },
        FileKind::Unknown => {
            let why = if bytes.is_empty() {
                "file is empty".to_string()
            } else if bytes.len() < 4096 {
                format!(
                    "file is {} bytes, shorter than the smallest ESE header (4096 bytes)",
                    bytes.len()
                )
            } else {
                "not an ESE file (no database magic, no log, checkpoint or flush-map header)".to_string()
            };
            unchecked(&shown, None, CheckError::new(&shown, why))
        }
    }
}

fn unchecked(path: &str, kind: Option<FileKind>, e: CheckError) -> FileReport {
    FileReport::Unchecked(Unchecked {
        path: path.to_string(),
        kind,
        verdict: Verdict::Error,
        error: e.message,
    })
}

#[derive(Serialize)]
struct ChecksumJson<'a> {
    verdict: Verdict,
    files: &'a [FileReport],
}

/// `esecheck checksum FILE...` (eseutil /K): every page, segment or copy of each file.
pub fn checksum(paths: &[PathBuf], opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    let reports: Vec<FileReport> = paths.iter().map(|p| check_file(p, opts)).collect();
    let verdict = reports.iter().fold(Verdict::Pass, |v, r| v.combine(r.verdict()));
    for r in &reports {
        if let FileReport::Unchecked(u) = r {
            writeln!(sinks.err, "esecheck: {}: {}", u.path, u.error)?;
        }
    }
    if opts.json {
        serde_json::to_writer_pretty(
            &mut *sinks.out,
            &ChecksumJson {
                verdict,
                files: &reports,
            },
        )?;
        writeln!(sinks.out)?;
        return Ok(verdict);
    }
    if !opts.quiet {
        for r in &reports {
            match r {
                FileReport::Database(c) => text::write_db_check(sinks.out, c)?,
                FileReport::Log(c) => c.write_text(sinks.out)?,
                FileReport::Checkpoint(c) => c.write_text(sinks.out)?,
                FileReport::FlushMap(c) => text::write_flush_map_check(sinks.out, c)?,
                FileReport::Unchecked(_) => continue,
            }
            if reports.len() > 1 {
                writeln!(sinks.out, "{}: {}", r.verdict().word(), r.summary())?;
                writeln!(sinks.out)?;
            }
        }
    }
    writeln!(sinks.out, "{}", checksum_verdict_line(verdict, &reports))?;
    Ok(verdict)
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
            FileReport::Unchecked(_) => return None,
        };
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
    match verdict {
        Verdict::Pass if !warned.is_empty() => {
            format!("PASS with warnings: {n} {files} verified; {}.", warned.join("; "))
        }
        Verdict::Pass => format!("PASS: {n} {files} verified, no bad checksums."),
        Verdict::Fail => {
            let extra = if unchecked > 0 {
                format!(", {unchecked} could not be checked")
            } else {
                String::new()
            };
            if n == 1 {
                format!("FAIL: {}", reports[0].summary())
            } else {
                format!("FAIL: {failed} of {n} {files} failed verification{extra}.")
            }
        }
        Verdict::Error => format!("ERROR: {unchecked} of {n} {files} could not be checked."),
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

/// `esecheck header FILE` (eseutil /MH, /ML, /MK): dumps the header. For a database one bad copy
/// is a warning and both bad is a failure (CLI.md Decision 4).
pub fn header(path: &Path, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    let shown = path.display().to_string();
    let input = match Input::open(path) {
        Ok(i) => i,
        Err(e) => {
            writeln!(sinks.err, "esecheck: {e}")?;
            return Ok(Verdict::Error);
        }
    };
    let bytes = input.bytes();
    let class = classify(bytes, &file_name(path));
    match class.kind {
        // A database is recognised by its magic only (CLI.md Decision 1), as in `checksum`.
        FileKind::Database if bytes.len() >= 4096 && class.by_header => db_header(bytes, &shown, opts, sinks),
        FileKind::Log => match check_log(bytes, &shown) {
            Ok(c) => {
                let verdict = header_verdict(&c.problems, c.header.is_some(), opts.strict);
                if opts.json {
                    let j = serde_json::json!({"path": shown, "type": "log", "verdict": verdict, "header": c.header, "problems": c.problems});
                    serde_json::to_writer_pretty(&mut *sinks.out, &j)?;
                    writeln!(sinks.out)?;
                } else {
                    if !opts.quiet {
                        c.write_header_text(sinks.out)?;
                        for p in c.problems.iter().filter(|p| is_header_problem(p)) {
                            text::write_problem(sinks.out, p)?;
                        }
                    }
                    let state = if c.header.is_some() { "valid" } else { "damaged" };
                    writeln!(sinks.out, "{}: {shown}: log header {state}", verdict.word())?;
                }
                Ok(verdict)
            }
            Err(e) => {
                writeln!(sinks.err, "esecheck: {e}")?;
                Ok(Verdict::Error)
            }
        },
        FileKind::Checkpoint => match check_checkpoint(bytes, &shown) {
            Ok(c) => {
                let verdict = Verdict::from_problems(&c.problems, opts.strict);
                if opts.json {
                    let j = serde_json::json!({"path": shown, "type": "checkpoint", "verdict": verdict, "primary_ok": c.primary_ok, "shadow_ok": c.shadow_ok, "generation": c.generation, "shadow_generation": c.shadow_generation, "header": c.header, "problems": c.problems});
                    serde_json::to_writer_pretty(&mut *sinks.out, &j)?;
                    writeln!(sinks.out)?;
                } else {
                    if !opts.quiet {
                        c.write_header_text(sinks.out)?;
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
                        "{word}: {shown}: checkpoint primary {}, shadow {}{differs}",
                        ok(c.primary_ok),
                        ok(c.shadow_ok)
                    )?;
                }
                Ok(verdict)
            }
            Err(e) => {
                writeln!(sinks.err, "esecheck: {e}")?;
                Ok(Verdict::Error)
            }
        },
        // A flush map is recognised by its header or its name (Decision 1), as in `checksum`.
        FileKind::FlushMap if bytes.len() >= 4096 => {
            let mut h = crate::scan::flushmap::check_flush_map_header(bytes, &shown);
            // `header` follows /MH: an unusable header page fails, even of a flush map (Decision 8).
            if !h.header_ok {
                for p in &mut h.problems {
                    p.severity = crate::report::Severity::Error;
                }
            }
            let verdict = Verdict::from_problems(&h.problems, opts.strict);
            if opts.json {
                let j = serde_json::json!({"path": shown, "type": "flushmap", "verdict": verdict, "header_ok": h.header_ok, "stored_checksum": h.stored_checksum, "computed_checksum": h.computed_checksum, "header": h.header, "problems": h.problems});
                serde_json::to_writer_pretty(&mut *sinks.out, &j)?;
                writeln!(sinks.out)?;
            } else {
                if !opts.quiet {
                    text::write_flush_map_header(sinks.out, &shown, &h)?;
                    writeln!(sinks.out)?;
                    for p in &h.problems {
                        text::write_problem(sinks.out, p)?;
                    }
                }
                let line = match (verdict, h.problems.iter().find(|p| p.is_error())) {
                    (Verdict::Pass, _) if h.problems.is_empty() => {
                        format!("PASS: {shown}: flush map header valid.")
                    }
                    (Verdict::Pass, _) => format!(
                        "PASS with warnings: {shown}: flush map header usable ({} warning(s)).",
                        h.problems.len()
                    ),
                    (_, Some(p)) => format!("FAIL: {shown}: {}", p.message),
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
            writeln!(sinks.err, "esecheck: {shown}: {why}")?;
            Ok(Verdict::Error)
        }
    }
}

fn db_header(bytes: &[u8], path: &str, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    use crate::codes::JetErr;
    let sh = crate::format::read_shadowed_header(bytes);
    if sh.page_size.is_none() {
        if let Some(v) = sh.unsupported_page_size {
            writeln!(
                sinks.err,
                "esecheck: {path}: header le_cbPageSize = {v} is not a page size ESE uses"
            )?;
            return Ok(Verdict::Error);
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
        serde_json::to_writer_pretty(&mut *sinks.out, &j)?;
        writeln!(sinks.out)?;
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
    let line = match verdict {
        Verdict::Pass if problems.is_empty() => format!("PASS: {path}: header valid, primary and shadow identical."),
        Verdict::Pass => format!("PASS: {path}: header usable ({} warning(s)).", problems.len()),
        _ => format!(
            "FAIL: {path}: {}",
            problems
                .iter()
                .find(|p| p.is_error())
                .map(|p| p.message.as_str())
                .unwrap_or("header check failed")
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
    let s = match crate::scan::check_stream(dir, base) {
        Ok(s) => s,
        Err(e) => {
            writeln!(sinks.err, "esecheck: {e}")?;
            return Ok(Verdict::Error);
        }
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
        let mut v = serde_json::to_value(&s).map_err(io::Error::other)?;
        v["verdict"] = serde_json::to_value(verdict).map_err(io::Error::other)?;
        serde_json::to_writer_pretty(&mut *sinks.out, &v)?;
        writeln!(sinks.out)?;
        return Ok(verdict);
    }
    if !opts.quiet {
        s.write_text(sinks.out)?;
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
            s.directory,
            s.base.as_deref().unwrap_or("?")
        ),
        Verdict::Fail => format!(
            "FAIL: {}",
            first_err.unwrap_or_else(|| format!("{}: warnings with --strict", s.directory))
        ),
        Verdict::Error => format!(
            "ERROR: {}",
            first_err.unwrap_or_else(|| format!("{}: could not check", s.directory))
        ),
    };
    writeln!(sinks.out, "{line}")?;
    Ok(verdict)
}

/// `esecheck verify PATH...` (CHKSGFILES): the backup-set verdict that gates log truncation.
pub fn verify(
    paths: &[PathBuf],
    base: Option<String>,
    logs: Option<PathBuf>,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    use crate::scan::set::{verify_set, VerifyOptions};
    let pb = progress_bar(opts, None);
    let vopts = VerifyOptions {
        strict: opts.strict,
        base,
        logs_dir: logs,
        progress: pb.as_ref(),
    };
    let result = verify_set(paths, &vopts);
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            writeln!(sinks.err, "esecheck: {e}")?;
            if opts.json {
                serde_json::to_writer_pretty(
                    &mut *sinks.out,
                    &serde_json::json!({"verdict": "error", "error": e.to_string(), "truncate_below": null, "problems": []}),
                )?;
                writeln!(sinks.out)?;
            } else {
                writeln!(sinks.out, "ERROR: {e}. Could not check; do not truncate.")?;
            }
            return Ok(Verdict::Error);
        }
    };
    if opts.json {
        serde_json::to_writer_pretty(&mut *sinks.out, &report)?;
        writeln!(sinks.out)?;
        return Ok(report.verdict());
    }
    let line = text::verify_verdict_line(&report);
    writeln!(sinks.out, "{line}")?;
    if !opts.quiet {
        writeln!(sinks.out)?;
        text::write_set_details(sinks.out, &report)?;
        writeln!(sinks.out)?;
        writeln!(sinks.out, "{line}")?;
    }
    Ok(report.verdict())
}
