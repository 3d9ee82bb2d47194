//! What every command's rendering shares: the output options, where output goes, and the one
//! way a could-not-check error is reported.

use crate::error::CheckError;
use crate::report::json::{self, Body, Document};
use crate::verdict::Verdict;
use std::io::{self, Write};

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
    /// Only what stdout does not say (CLI.md "Exit status"): notes and progress. Could-not-check
    /// reasons are on stdout (the verdict line, or the JSON document), never here.
    pub err: &'a mut dyn Write,
}

/// A could-not-check verdict line (CLI.md "Exit status": the reason is on the verdict line):
/// `ERROR: could not check{what}: PATH: message{advice}.`, the path and message escaped.
/// `what` names what could not be checked (` the set`), empty for a file of `checksum`
/// (`ERROR: could not check /x.edb: …`); `advice` what a pipeline must not do (`; do not
/// truncate`).
pub(crate) fn could_not_check_line(what: &str, e: &CheckError, advice: &str) -> String {
    let sep = if what.is_empty() { " " } else { ": " };
    format!("ERROR: could not check{what}{sep}{e}{advice}.")
}

/// Reports a could-not-check error once, on stdout: the command's error document (body `B`,
/// whose `error` and `problems` carry the message) in `--json` mode, otherwise the verdict line
/// of [`could_not_check_line`]. Nothing on stderr: stdout says it all.
pub(crate) fn could_not_check<B: Body>(
    e: &CheckError,
    what: &str,
    advice: &str,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    if opts.json {
        json::write(sinks.out, &Document::<B>::error(e))?;
    } else {
        writeln!(sinks.out, "{}", could_not_check_line(what, e, advice))?;
    }
    Ok(Verdict::Error)
}
