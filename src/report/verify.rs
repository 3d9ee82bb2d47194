//! `verify`'s only rendering: the set report as one JSON document or as text (the verdict line,
//! the details, the manifest written), and its could-not-check line.

use crate::error::CheckError;
use crate::escape::escape_controls;
use crate::report::output::{could_not_check, Options, Sinks};
use crate::report::set::SetReport;
use crate::report::{json, text};
use crate::verdict::Verdict;
use std::io;
use std::path::Path;

/// The manifest `verify --manifest` was asked to write: where, at which block size, and how many
/// files it holds when it was written (`None`: it could not be written).
#[derive(Debug, Clone, Copy)]
pub struct ManifestWritten<'a> {
    /// The manifest's path.
    pub path: &'a Path,
    /// Bytes per block CRC.
    pub block_size: u64,
    /// Files listed, when written.
    pub files: Option<usize>,
}

/// Writes a set report: one JSON document (with the key `manifest` when one was asked for), or
/// the verdict line, the details unless quiet, and the line again.
pub fn render(
    report: &SetReport,
    manifest: Option<ManifestWritten<'_>>,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    let target = manifest;
    let written = manifest.and_then(|m| m.files);
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
        _ => text::verify_verdict_line(report),
    };
    writeln!(sinks.out, "{line}")?;
    if !opts.quiet {
        writeln!(sinks.out)?;
        text::write_set_details(sinks.out, report)?;
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
pub fn could_not_check_set(e: &CheckError, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
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

/// A manifest that could not be written makes the run could-not-check (CLI.md "Manifest"): the
/// message once on stderr, the error among the problems, the verdict error and no
/// `truncate_below`.
pub fn manifest_not_written(report: &mut SetReport, e: &CheckError, sinks: &mut Sinks<'_>) -> io::Result<()> {
    writeln!(sinks.err, "esecheck: {e}")?;
    report.decision.problems.push(e.to_problem());
    report.decision.verdict = Verdict::Error;
    report.decision.truncate_below = None;
    Ok(())
}
