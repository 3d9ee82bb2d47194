//! esecheck command line: parses arguments (defined once, in `esecheck::cli`), runs a command,
//! turns its verdict into an exit status (0 verified, 1 integrity problem, 2 could not check).
//! All logic lives in the library.

use clap::FromArgMatches;
use esecheck::cli::{self, Cli};
use esecheck::commands::{self, Options, Sinks};
use esecheck::verdict::Verdict;
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::command().try_get_matches().and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // A panic is a bug, but the contract still holds: it is "could not check" (2), not 101.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| try_main(cli))) {
        Ok(Ok(v)) => ExitCode::from(v.exit_code() as u8),
        Ok(Err(e)) => {
            // Not eprintln!: it panics when stderr itself is gone.
            let _ = writeln!(io::stderr(), "esecheck: {e}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}

/// A sink whose reader went away (`esecheck … | head`): further output is dropped quietly, so
/// the command still finishes and its verdict, not a blanket 0, becomes the exit status. Any
/// other write error (a full disk, `> /dev/full`) says which stream failed
/// ("writing the report to stdout failed: No space left on device") and ends the run with 2.
struct ClosedPipeIsQuiet<W> {
    inner: W,
    closed: bool,
    /// What was being written, for the error message: "writing the report to stdout".
    doing: &'static str,
}

impl<W: Write> ClosedPipeIsQuiet<W> {
    fn new(inner: W, doing: &'static str) -> Self {
        ClosedPipeIsQuiet {
            inner,
            closed: false,
            doing,
        }
    }

    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), commands::write_failed(self.doing, &e))
    }
}

impl<W: Write> Write for ClosedPipeIsQuiet<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            Err(e) => Err(self.named(e)),
            r => r,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(self.named(e)),
            r => r,
        }
    }
}

fn try_main(cli: Cli) -> io::Result<Verdict> {
    if let Some(text) = cli::generated_text(&cli.command)? {
        // Nothing is checked, so the common options play no part, not even --threads.
        let mut out = ClosedPipeIsQuiet::new(io::stdout().lock(), "writing to stdout");
        out.write_all(&text)?;
        out.flush()?;
        return Ok(Verdict::Pass);
    }
    if let Some(n) = cli.threads {
        if n == 0 {
            let _ = writeln!(io::stderr(), "esecheck: --threads must be at least 1");
            return Ok(Verdict::Error);
        }
        let (n, note) = commands::capped_threads(n);
        if let Some(note) = note {
            let _ = writeln!(io::stderr(), "esecheck: {note}");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(io::Error::other)?;
    }
    let opts = Options {
        json: cli.json,
        quiet: cli.quiet,
        strict: cli.strict,
        progress: !cli.no_progress,
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(ClosedPipeIsQuiet::new(stdout.lock(), "writing the report to stdout"));
    let mut err = ClosedPipeIsQuiet::new(io::stderr(), "writing to stderr");
    let mut sinks = Sinks {
        out: &mut out,
        err: &mut err,
    };
    let verdict = commands::run(&cli.command, &opts, &mut sinks)?;
    out.flush()?;
    Ok(verdict)
}
