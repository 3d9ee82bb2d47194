//! esecheck command line: parses arguments, runs a command, turns its verdict into an exit status
//! (0 verified, 1 integrity problem, 2 could not check). All logic lives in the library.

use clap::{Parser, Subcommand};
use esecheck::commands::{self, Options, Sinks};
use esecheck::report::Verdict;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Verify Microsoft ESE (JET Blue) databases, transaction logs and checkpoints.
///
/// Exit status: 0 = verified (safe to truncate), 1 = integrity problem found (do not truncate),
/// 2 = could not check (usage error, unreadable input, not an ESE file).
#[derive(Parser)]
#[command(name = "esecheck", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print one JSON document on stdout and nothing else there.
    #[arg(long, global = true)]
    json: bool,
    /// Print the verdict line only.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Treat warnings (correctable checksums, a bad shadow header, stale extra logs) as failures.
    #[arg(long, global = true)]
    strict: bool,
    /// Number of worker threads (default: one per core; at most 256).
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Never show a progress bar (it is shown only when stderr is a terminal).
    #[arg(long, global = true)]
    no_progress: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Verify every page of a database, every segment of a log, both copies of a checkpoint
    /// (eseutil /K). The file type comes from the header, not the name.
    Checksum {
        /// Files to verify.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Dump the header of a database (both copies), a log, or a checkpoint (eseutil /MH, /ML, /MK).
    Header {
        /// The file.
        file: PathBuf,
    },
    /// Verify every log of one log stream and the stream itself: continuity, signatures,
    /// generation chain (eseutil /ML <base>).
    Logs {
        /// The directory holding the logs.
        dir: PathBuf,
        /// The stream's base name (E00, edb, SRU…) when the directory holds several.
        #[arg(long, value_name = "NAME")]
        base: Option<String>,
    },
    /// The backup-set verdict (CHKSGFILES): databases page by page, the logs they require and
    /// every log present, the checkpoint; says whether log truncation is safe and below which
    /// generation.
    Verify {
        /// Backup directories or files (databases, logs, checkpoint).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The log stream's base name, when several streams share the directory.
        #[arg(long, value_name = "NAME")]
        base: Option<String>,
        /// The directory holding the logs, when apart from the databases.
        #[arg(long, value_name = "DIR")]
        logs: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
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
    let verdict = match &cli.command {
        Command::Checksum { files } => commands::checksum(files, &opts, &mut sinks)?,
        Command::Header { file } => commands::header(file, &opts, &mut sinks)?,
        Command::Logs { dir, base } => commands::logs(dir, base.as_deref(), &opts, &mut sinks)?,
        Command::Verify { paths, base, logs } => {
            commands::verify(paths, base.clone(), logs.clone(), &opts, &mut sinks)?
        }
    };
    out.flush()?;
    Ok(verdict)
}
