//! `checksum`'s decisions over the files checked (what a directory's non-ESE files and empty
//! directories mean) and its only rendering, text and JSON (CLI.md "JSON", eseutil /K's
//! counters).

use crate::error::CheckError;
use crate::escape::escape_controls;
use crate::report::json::{self, Body, Document};
use crate::report::output::{Options, Sinks};
use crate::report::{log_text, text};
use crate::scan::file_check::{all_problems, unchecked, FileReport};
use crate::scan::stream::{IgnoreKind, Ignored};
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use std::io;
use std::path::PathBuf;

/// `checksum --json`'s keys (CLI.md "JSON"): each file's report and the files set aside.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct ChecksumBody<'a> {
    /// One object per file (database, log, checkpoint, flush map, reserve, damaged member, or a
    /// file that could not be checked).
    pub files: &'a [FileReport],
    /// Files of the directories named that were not checked, with the reason.
    pub ignored: &'a [Ignored],
}

impl Body for ChecksumBody<'_> {
    const COMMAND: crate::command_kind::CommandKind = crate::command_kind::CommandKind::Checksum;
    fn empty(_: &CheckError) -> Self {
        ChecksumBody {
            files: &[],
            ignored: &[],
        }
    }
}

/// What a `checksum` run decided: the files reported (in input order), those set aside, and the
/// verdict.
#[derive(Debug)]
pub(crate) struct ChecksumRun {
    /// One report per file checked (and per directory that held no ESE file).
    pub reports: Vec<FileReport>,
    /// Files set aside: not regular, or no ESE file inside a directory.
    pub ignored: Vec<Ignored>,
    /// The run's verdict (`--strict` already applied to each file).
    pub verdict: Verdict,
}

/// CLI.md `checksum DIR`: inside a directory a file that is no ESE file is not part of what is
/// checked (listed under `ignored`); a directory that held no ESE file is could-not-check
/// (−1811). `inputs` are `(path, named)` in the order checked, `checked` their reports;
/// `--strict` is applied here, to each file (CLI.md Decision 17).
pub(crate) fn decide(
    inputs: &[(PathBuf, bool)],
    checked: Vec<FileReport>,
    mut ignored: Vec<Ignored>,
    empty_dirs: &[PathBuf],
    strict: bool,
) -> ChecksumRun {
    let mut reports: Vec<FileReport> = Vec::with_capacity(inputs.len());
    for ((_, named), r) in inputs.iter().zip(checked) {
        let r = r.under_strict(strict);
        // Inside a directory, a file that is no ESE file is not part of what is checked.
        if let FileReport::Unchecked(u) = &r {
            if !named && u.kind.is_none() && u.code == Some(crate::codes::JetErr::FileInvalidType) {
                ignored.push(Ignored::new(u.path.clone(), IgnoreKind::NotEse, "not an ESE file"));
                continue;
            }
        }
        reports.push(r);
    }
    // A directory that held no ESE file: nothing there could be checked.
    for d in empty_dirs {
        let prefix = d.display().to_string();
        if !reports.iter().any(|r| r.path().unescaped().starts_with(&prefix)) {
            let e =
                CheckError::new(d, "no ESE file found in the directory").with_code(crate::codes::JetErr::FileNotFound);
            reports.push(unchecked(&prefix, None, e));
        }
    }
    let verdict = reports.iter().fold(Verdict::Pass, |v, r| v.combine(r.verdict()));
    ChecksumRun {
        reports,
        ignored,
        verdict,
    }
}

/// Writes a `checksum` run on stdout: one JSON document, or the text (each file's report unless
/// quiet, then the verdict line). A file that could not be checked is named with the reason on
/// stdout — its own line among several files, else the verdict line — never on stderr.
pub(crate) fn render(run: &ChecksumRun, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    let (reports, ignored, verdict) = (&run.reports, &run.ignored, run.verdict);
    if opts.json {
        let body = ChecksumBody {
            files: reports,
            ignored,
        };
        json::write(sinks.out, &Document::new(verdict, body, all_problems(reports)))?;
        return Ok(verdict);
    }
    if !opts.quiet {
        for r in reports {
            match r {
                FileReport::Database(c) => text::write_db_check(sinks.out, c)?,
                FileReport::Log(c) => log_text::write_log_check(sinks.out, c)?,
                FileReport::Checkpoint(c) => log_text::write_checkpoint_check(sinks.out, c)?,
                FileReport::FlushMap(c) => text::write_flush_map_check(sinks.out, c)?,
                FileReport::NotVerified(c) => writeln!(sinks.out, "{}: not verified: {}", c.path, c.note)?,
                FileReport::DamagedMember(c) => {
                    for p in &c.problems {
                        text::write_problem_with_file(sinks.out, p)?;
                    }
                }
                // Its line (below, among several files) or the verdict line says why.
                FileReport::Unchecked(_) => {}
            }
            if reports.len() > 1 {
                writeln!(sinks.out, "{}: {}", r.verdict().word(), summary(r))?;
                writeln!(sinks.out)?;
            }
        }
        const MAX_IGNORED_LINES: usize = 20;
        for i in ignored.iter().take(MAX_IGNORED_LINES) {
            writeln!(sinks.out, "Ignored: {} ({})", i.path, escape_controls(&i.why))?;
        }
        if ignored.len() > MAX_IGNORED_LINES {
            writeln!(
                sinks.out,
                "… and {} more ignored; --json lists them all",
                ignored.len() - MAX_IGNORED_LINES
            )?;
        }
    } else if reports.len() > 1 {
        // Quiet: one line per file that did not pass, then the summary (CLI.md "Text output").
        for r in reports.iter().filter(|r| r.verdict() != Verdict::Pass) {
            writeln!(sinks.out, "{}: {}", r.verdict().word(), summary(r))?;
        }
    }
    writeln!(sinks.out, "{}", checksum_verdict_line(verdict, reports))?;
    Ok(verdict)
}

/// Checks one file of any kind, chosen by its header (CLI.md Decision 1), as `checksum` does:
/// `crate::scan::file_check::check_file` with `--strict` applied.
pub fn check_file(path: &std::path::Path, opts: &Options) -> FileReport {
    crate::scan::file_check::check_file(path).under_strict(opts.strict)
}

/// [`check_file`], calling `before_recheck` between the scan and the re-check that the file did
/// not change while it was checked (a test hook: it lets a test change the file at that point,
/// deterministically).
pub fn check_file_then(
    path: &std::path::Path,
    opts: &Options,
    before_recheck: &dyn Fn(&std::path::Path),
) -> FileReport {
    crate::scan::file_check::check_file_then(path, before_recheck).under_strict(opts.strict)
}

/// One line about a file, for text output: paths and messages escaped.
pub(crate) fn summary(r: &FileReport) -> String {
    use escape_controls as esc;
    match r {
        FileReport::Database(c) => {
            // The bad pages first, as runs, and whether the database owns them.
            // bad_pages: bad checksums and wrong page numbers (Decision 6).
            let bad = if !c.bad_pages.is_empty() {
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
            } else if let Some(p) = c.problems.iter().find(|p| p.is_error()) {
                // A failure no page counter shows (a cut copy, a blank page in use, a lost
                // write, a refused state): the line says what it is, never only zero counts.
                format!("{}; ", esc(&p.message))
            } else {
                String::new()
            };
            format!(
                "{}: {bad}{} pages seen, {} bad checksums, {} correctable, {} uninitialized, {} wrong page numbers",
                &c.path,
                c.pages_seen,
                c.bad_checksums,
                c.correctable_checksums,
                c.uninitialized_pages,
                c.wrong_page_numbers
            )
        }
        FileReport::Log(c) => format!(
            "{}: log generation {}, {} segments seen, {} bad, {} correctable",
            &c.path,
            c.generation
                .map(|g| crate::format::Generation(g.into()).to_string())
                .unwrap_or_else(|| "?".into()),
            c.sectors_seen,
            c.bad_sectors,
            c.correctable_sectors
        ),
        FileReport::Checkpoint(c) => format!(
            "{}: checkpoint, primary {}, shadow {}",
            &c.path,
            if c.primary_ok { "OK" } else { "bad" },
            if c.shadow_ok { "OK" } else { "bad" }
        ),
        FileReport::FlushMap(c) => format!(
            "{}: flush map, {} pages, {} bad checksums{}, {} correctable{} (warnings only)",
            &c.path,
            c.pages_seen,
            c.bad_checksums,
            text::page_list(&c.bad_pages),
            c.correctable_checksums,
            text::page_list(&c.correctable_pages)
        ),
        FileReport::NotVerified(c) => format!("{}: not verified ({})", &c.path, c.note),
        FileReport::DamagedMember(c) => format!(
            "{}: {}",
            &c.path,
            esc(c.problems.first().map(|p| p.message.as_str()).unwrap_or("damaged"))
        ),
        FileReport::Unchecked(u) => format!("{}: could not check: {}", &u.path, esc(&u.error)),
    }
}

/// The file that could not be checked, when `r` is one.
fn unchecked_of(r: &FileReport) -> Option<&crate::scan::file_check::Unchecked> {
    match r {
        FileReport::Unchecked(u) => Some(u),
        _ => None,
    }
}

/// The files with verdict `v`, named (the first ten, then a count).
fn names_of(reports: &[FileReport], v: Verdict) -> String {
    const MAX: usize = 10;
    let names: Vec<String> = reports
        .iter()
        .filter(|r| r.verdict() == v)
        .map(|r| r.path().to_string())
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
        if matches!(r, FileReport::NotVerified(_) | FileReport::Unchecked(_)) {
            return None;
        }
        let (path, problems) = (r.path(), r.problems());
        let warnings = problems.iter().filter(|p| p.is_warning()).count() as u64;
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
                format!("FAIL: {}", summary(&reports[0]))
            } else {
                format!(
                    "FAIL: {failed} of {n} {files} failed verification{extra}: {}.",
                    names_of(reports, Verdict::Fail)
                )
            }
        }
        Verdict::Error => match reports.iter().filter_map(unchecked_of).collect::<Vec<_>>()[..] {
            // One file: the reason is on this line (CLI.md "Exit status").
            [u] if n == 1 => format!("ERROR: could not check {}: {}.", u.path, escape_controls(&u.error)),
            [u] => format!(
                "ERROR: 1 of {n} {files} could not be checked: {}: {}.",
                u.path,
                escape_controls(&u.error)
            ),
            _ => format!(
                "ERROR: {unchecked} of {n} {files} could not be checked: {}.",
                names_of(reports, Verdict::Error)
            ),
        },
    }
}
