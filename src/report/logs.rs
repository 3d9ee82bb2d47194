//! `logs`' verdict (`--strict` over every log's problems) and its only rendering, text or JSON
//! (eseutil /ML `<base>`).

use crate::escape::escape_controls;
use crate::problem::Problem;
use crate::report::output::{Options, Sinks};
use crate::report::{json, log_text, text};
use crate::scan::stream::StreamCheck;
use crate::verdict::Verdict;
use std::io;

/// Writes a checked stream and returns its verdict, `--strict` applied.
pub fn render(s: &StreamCheck, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
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
        json::write(sinks.out, &json::document("logs", verdict, s, &all))?;
        return Ok(verdict);
    }
    if !opts.quiet {
        log_text::write_stream(sinks.out, s)?;
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
