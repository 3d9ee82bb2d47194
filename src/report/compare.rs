//! `compare`'s only rendering: the comparison as one JSON document or as text, and its
//! could-not-compare document and line (CLI.md "Manifest").

use crate::error::CheckError;
use crate::report::json::{self, Body, Document};
use crate::report::manifest::{self, Comparison, FileComparison};
use crate::report::output::{Options, Sinks};
use crate::report::text;
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use std::io;
use std::path::Path;

/// `compare --json`'s keys (CLI.md "Manifest"): the manifest and the copy compared, each file's
/// comparison, the counts and the notes.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct CompareBody<'a> {
    /// The manifest file, as named.
    pub manifest: String,
    /// The copy's root (`null` when nothing was compared).
    pub root: Option<&'a str>,
    /// The verdict the manifest records for the set.
    pub recorded_verdict: Option<Verdict>,
    /// Each file of the manifest, then the extras.
    pub files: &'a [FileComparison],
    /// Files identical.
    pub identical: usize,
    /// Files that differ.
    pub differing: usize,
    /// Files missing.
    pub missing: usize,
    /// Extra files.
    pub extra: usize,
    /// What changes no verdict (an older manifest with no file identities).
    pub notes: &'a [String],
}

impl<'a> CompareBody<'a> {
    /// The keys of a comparison.
    pub(crate) fn of(c: &'a Comparison) -> Self {
        CompareBody {
            manifest: c.manifest.clone(),
            root: Some(&c.root),
            recorded_verdict: Some(c.recorded_verdict),
            files: &c.files,
            identical: c.identical,
            differing: c.differing,
            missing: c.missing,
            extra: c.extra,
            notes: &c.notes,
        }
    }
}

impl Body for CompareBody<'_> {
    const COMMAND: crate::command_kind::CommandKind = crate::command_kind::CommandKind::Compare;
    fn empty(_: &CheckError) -> Self {
        CompareBody {
            manifest: String::new(),
            root: None,
            recorded_verdict: None,
            files: &[],
            identical: 0,
            differing: 0,
            missing: 0,
            extra: 0,
            notes: &[],
        }
    }
}

/// `compare`'s could-not-compare, once on stdout: the error document (naming the manifest), or
/// the verdict line with the reason ("ERROR: could not compare: PATH: …; do not report the copy
/// complete.").
pub(crate) fn cannot_compare(
    manifest: &Path,
    e: &CheckError,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    if opts.json {
        let body = CompareBody {
            manifest: manifest.display().to_string(),
            ..CompareBody::empty(e)
        };
        json::write(sinks.out, &Document::error_with(body, e))?;
    } else {
        writeln!(
            sinks.out,
            "ERROR: could not compare: {e}; do not report the copy complete."
        )?;
    }
    Ok(Verdict::Error)
}

/// Writes a comparison of a copy with manifest `m`: one JSON document, or the verdict line, the
/// notes and problems unless quiet, and the line again.
pub(crate) fn render(
    c: &Comparison,
    m: &manifest::Manifest,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    if opts.json {
        json::write(
            sinks.out,
            &Document::new(c.verdict, CompareBody::of(c), c.problems.clone()),
        )?;
        return Ok(c.verdict);
    }
    let line = verdict_line(c, m);
    writeln!(sinks.out, "{line}")?;
    if !opts.quiet {
        for n in &c.notes {
            writeln!(sinks.out, "Note: {}.", crate::escape::escape_controls(n))?;
        }
    }
    if !opts.quiet && !c.problems.is_empty() {
        writeln!(sinks.out)?;
        for p in &c.problems {
            let word = if p.is_error() { "ERROR" } else { "WARNING" };
            writeln!(sinks.out, "{word}: {}", text::located_message(p))?;
        }
        writeln!(sinks.out)?;
        writeln!(sinks.out, "{line}")?;
    }
    Ok(c.verdict)
}

fn verdict_line(c: &Comparison, m: &manifest::Manifest) -> String {
    let n = m.files.len();
    let bytes: u64 = m.files.iter().map(|f| f.size).sum();
    let counts = format!(
        "{} differ, {} missing, {} extra (of {n} files in the manifest)",
        c.differing, c.missing, c.extra
    );
    match c.verdict {
        Verdict::Pass if c.problems.is_empty() => format!(
            "PASS: the copy is identical to the verified set: {n} files, {bytes} bytes, same sizes and CRC-32s."
        ),
        Verdict::Pass => format!("PASS with warnings: the set's members are identical; ignored files: {counts}."),
        _ if c.differing + c.missing + c.extra == 0 => format!(
            "FAIL: the copy is identical to a set that {} verification: do not rely on it.",
            if m.verdict == Verdict::Fail {
                "FAILED"
            } else {
                "could not pass"
            }
        ),
        _ => match c.problems.iter().find(|p| p.is_error()) {
            Some(p) => format!(
                "FAIL: the copy is not the verified set: {counts}; first: {}",
                text::located_message(p)
            ),
            None => format!("FAIL: the copy is not the verified set: {counts} (warnings with --strict)"),
        },
    }
}
