//! `logs`' verdict (`--strict` over every log's problems) and its only rendering, text or JSON
//! (eseutil /ML `<base>`).

use crate::error::CheckError;
use crate::escape::escape_controls;
use crate::format::Signature;
use crate::problem::Problem;
use crate::report::json::{self, Body, Document};
use crate::report::output::{Options, Sinks};
use crate::report::{log_text, text};
use crate::scan::log::LogCheck;
use crate::scan::stream::Ignored;
use crate::scan::stream::StreamCheck;
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use std::io;

/// `logs --json`'s keys (CLI.md Decision 18): the stream and each log's report.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct LogsBody<'a> {
    /// The base name (`SRU`, `E00`), when known.
    pub base: Option<String>,
    /// The directory searched.
    pub directory: crate::escape::ShownPath,
    /// Lowest generation present.
    pub first: Option<i32>,
    /// Highest generation present.
    pub last: Option<i32>,
    /// Per-log reports, in generation order, the current log last.
    pub files: &'a [LogCheck],
    /// Files of the directory that are not part of the stream, with the reason.
    pub ignored: &'a [Ignored],
    /// The stream's log signature.
    pub log_signature: Option<Signature>,
}

impl<'a> LogsBody<'a> {
    /// The keys of a checked stream.
    pub(crate) fn of(s: &'a StreamCheck) -> Self {
        LogsBody {
            base: s.base.clone(),
            directory: s.directory.clone(),
            first: s.first,
            last: s.last,
            files: &s.files,
            ignored: &s.ignored,
            log_signature: s.log_signature,
        }
    }
}

impl Body for LogsBody<'_> {
    const COMMAND: crate::command_kind::CommandKind = crate::command_kind::CommandKind::Logs;
    fn empty(err: &CheckError) -> Self {
        LogsBody {
            base: None,
            directory: err.path.clone(),
            first: None,
            last: None,
            files: &[],
            ignored: &[],
            log_signature: None,
        }
    }
}

/// Writes a checked stream and returns its verdict, `--strict` applied.
pub(crate) fn render(s: &StreamCheck, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    // Every problem: the stream's and every log's, each naming its file.
    let all: Vec<Problem> = s
        .problems
        .iter()
        .chain(s.files.iter().flat_map(|f| f.problems.iter()))
        .cloned()
        .collect();
    let mut verdict = s.verdict;
    if opts.strict && verdict == Verdict::Pass {
        verdict = Verdict::from_problems(&all, true);
    }
    if opts.json {
        json::write(sinks.out, &Document::new(verdict, LogsBody::of(s), all))?;
        return Ok(verdict);
    }
    if !opts.quiet {
        log_text::write_stream(sinks.out, s, verdict)?;
    }
    let range = match (s.first, s.last) {
        (Some(a), Some(b)) => format!(
            "generations {}, {} logs",
            crate::format::GenerationRange(a.into(), b.into()),
            s.files.len()
        ),
        _ => "no logs".to_string(),
    };
    // The root error (the damaged log, not the −590 it causes in the next one) names its own
    // file (a log, or the directory for stream problems).
    let first_err = text::root_error(&all).map(text::located_message);
    let line = match verdict {
        Verdict::Pass => format!(
            "PASS: {}: stream {} {range}: no damaged log files were found.",
            s.directory,
            escape_controls(s.base.as_deref().unwrap_or("?"))
        ),
        Verdict::Fail => format!(
            "FAIL: {}",
            first_err
                .or_else(|| {
                    // --strict: name the warning that failed the stream, as `verify` does.
                    all.iter()
                        .find(|p| p.is_warning())
                        .map(|p| format!("with --strict, a warning: {}", text::located_message(p)))
                })
                .unwrap_or_else(|| format!("{}: warnings with --strict", s.directory))
        ),
        Verdict::Error => format!(
            "ERROR: {}",
            first_err.unwrap_or_else(|| format!("{}: could not check", s.directory))
        ),
    };
    writeln!(sinks.out, "{line}")?;
    Ok(verdict)
}
