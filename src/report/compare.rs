//! `compare`'s only rendering: the comparison as one JSON document or as text, and its
//! could-not-compare document and line (CLI.md "Manifest").

use crate::error::CheckError;
use crate::report::manifest::{self, Comparison};
use crate::report::output::{Options, Sinks};
use crate::report::{json, text};
use crate::verdict::Verdict;
use std::io;
use std::path::Path;

/// The keys of a `compare` document that could not check anything.
fn empty_compare(manifest: &Path, e: &CheckError) -> serde_json::Value {
    let mut doc = json::document(
        "compare",
        Verdict::Error,
        &serde_json::json!({
            "manifest": manifest.display().to_string(), "root": null, "recorded_verdict": null,
            "files": [], "identical": 0, "differing": 0, "missing": 0, "extra": 0, "notes": []
        }),
        &[e.to_problem()],
    );
    if let serde_json::Value::Object(m) = &mut doc {
        m.insert("error".into(), serde_json::json!(e.raw()));
    }
    doc
}

pub fn cannot_compare(manifest: &Path, e: &CheckError, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    writeln!(sinks.err, "esecheck: {e}")?;
    if opts.json {
        json::write(sinks.out, &empty_compare(manifest, e))?;
    } else {
        writeln!(
            sinks.out,
            "ERROR: {}: could not compare; do not report the copy complete.",
            crate::escape::escape_controls(&e.path)
        )?;
    }
    Ok(Verdict::Error)
}

/// Writes a comparison of a copy with manifest `m`: one JSON document, or the verdict line, the
/// notes and problems unless quiet, and the line again.
pub fn render(c: &Comparison, m: &manifest::Manifest, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    if opts.json {
        json::write(sinks.out, &json::document("compare", c.verdict, c, &c.problems))?;
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
