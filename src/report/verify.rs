//! `verify`'s only rendering: the set report as one JSON document or as text (the verdict line,
//! the details, the manifest written), and its could-not-check line.

use crate::error::CheckError;
use crate::report::json::{Body, Document};
use crate::report::output::{could_not_check, Options, Sinks};
use crate::report::set::{CheckpointSummary, DbSummary, LogsSummary, SetReport};
use crate::report::{json, text};
use crate::scan::flushmap::FlushMapCheck;
use crate::scan::stream::Ignored;
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use std::io;
use std::path::Path;

/// `verify --json`'s keys (CLI.md "JSON"): the set's decision, what was set aside, the flush
/// maps, and the manifest written.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct VerifyBody<'a> {
    /// Each database of the set.
    pub databases: &'a [DbSummary],
    /// The log stream, if any.
    pub logs: Option<&'a LogsSummary>,
    /// The checkpoint, if any.
    pub checkpoint: Option<&'a CheckpointSummary>,
    /// Union of the Log Required ranges of the databases that need logs.
    pub required_range: Option<[i32; 2]>,
    /// Logs below this generation may be truncated; `null` unless pass.
    pub truncate_below: Option<i32>,
    /// Last generation reachable from `truncate_below` without a gap or a corrupt log.
    pub roll_forward_to: Option<i32>,
    /// Generations whose damage was forgiven below `truncate_below`.
    pub unnecessary_logs_corrupt: &'a [i32],
    /// The numbered logs below `truncate_below`: what may be deleted.
    pub truncatable_logs: &'a [crate::escape::ShownPath],
    /// Where the logs of a database named alone were looked for.
    pub logs_looked_for_in: Option<&'a crate::escape::ShownPath>,
    /// Files not part of the set, with the reason.
    pub ignored: &'a [Ignored],
    /// The set's flush maps.
    pub flush_maps: &'a [FlushMapCheck],
    /// The manifest written (`--manifest`); `null` without one, or when it could not be written.
    pub manifest: Option<String>,
}

impl<'a> VerifyBody<'a> {
    /// The keys of a set report (`manifest` null).
    pub(crate) fn of(r: &'a SetReport) -> Self {
        let d = &r.decision;
        VerifyBody {
            databases: &d.databases,
            logs: d.logs.as_ref(),
            checkpoint: d.checkpoint.as_ref(),
            required_range: d.required_range,
            truncate_below: d.truncate_below,
            roll_forward_to: d.roll_forward_to,
            unnecessary_logs_corrupt: &d.unnecessary_logs_corrupt,
            truncatable_logs: &d.truncatable_logs,
            logs_looked_for_in: d.logs_looked_for_in.as_ref(),
            ignored: &r.ignored,
            flush_maps: &r.flush_maps,
            manifest: None,
        }
    }
}

impl Body for VerifyBody<'_> {
    const COMMAND: crate::command_kind::CommandKind = crate::command_kind::CommandKind::Verify;
    fn empty(_: &CheckError) -> Self {
        VerifyBody {
            databases: &[],
            logs: None,
            checkpoint: None,
            required_range: None,
            truncate_below: None,
            roll_forward_to: None,
            unnecessary_logs_corrupt: &[],
            truncatable_logs: &[],
            logs_looked_for_in: None,
            ignored: &[],
            flush_maps: &[],
            manifest: None,
        }
    }
}

/// The manifest `verify --manifest` was asked to write: where, at which block size, and how many
/// files it holds when it was written (`None`: it could not be written).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ManifestWritten<'a> {
    /// The manifest's path.
    pub path: &'a Path,
    /// Bytes per block CRC.
    pub block_size: u64,
    /// Files listed, when written.
    pub files: Option<usize>,
}

/// Writes a set report: one JSON document (with the key `manifest` when one was asked for), or
/// the verdict line, the details unless quiet, and the line again.
pub(crate) fn render(
    report: &SetReport,
    manifest: Option<ManifestWritten<'_>>,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    let target = manifest;
    let written = manifest.and_then(|m| m.files);
    if opts.json {
        let mut body = VerifyBody::of(report);
        body.manifest = target.and(written).and(target.map(|t| t.path.display().to_string()));
        let doc = Document::new(report.verdict(), body, report.decision.problems.clone());
        json::write(sinks.out, &doc)?;
        return Ok(report.verdict());
    }
    let line = match (target, written) {
        (Some(t), None) => {
            // The reason is the manifest's problem (manifest_not_written), named on this line.
            let shown = t.path.display().to_string();
            let why = report
                .decision
                .problems
                .iter()
                .rev()
                .find(|p| p.file.unescaped() == shown)
                .map_or_else(
                    || crate::escape::escape_controls(&shown).into_owned(),
                    text::located_message,
                );
            format!("ERROR: {why}; do not report the backup complete.")
        }
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
                crate::escape::ShownPath::from(t.path),
                t.block_size
            )?;
        }
        writeln!(sinks.out)?;
        writeln!(sinks.out, "{line}")?;
    }
    Ok(report.verdict())
}

/// `verify`'s could-not-check, once on stdout: the JSON document, or the verdict line naming the
/// reason ("ERROR: could not check the set: PATH: …; do not truncate.").
pub(crate) fn could_not_check_set(e: &CheckError, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    could_not_check::<VerifyBody>(e, " the set", "; do not truncate", opts, sinks)
}

/// A manifest that could not be written makes the run could-not-check (CLI.md "Manifest"): the
/// error among the problems (and on the verdict line in text), the verdict error and no
/// `truncate_below`.
pub(crate) fn manifest_not_written(report: &mut SetReport, e: &CheckError) {
    report.decision.problems.push(e.to_problem());
    report.decision.verdict = Verdict::Error;
    report.decision.truncate_below = None;
}
