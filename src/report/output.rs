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
    /// Could-not-check messages, one per input, prefixed with the path.
    pub err: &'a mut dyn Write,
}

/// Reports a could-not-check error once: the command's error document (body `B`) in `--json`
/// mode (with the message on stderr for people), otherwise the message on stderr.
pub fn could_not_check<B: Body>(e: &CheckError, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    writeln!(sinks.err, "esecheck: {e}")?;
    if opts.json {
        json::write(sinks.out, &Document::<B>::error(e))?;
    }
    Ok(Verdict::Error)
}
