//! esecheck command line: parses arguments, runs a command, turns its verdict into an exit status
//! (0 verified, 1 integrity problem, 2 could not check). All logic lives in the library.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use clap_complete::Shell;
use clap_mangen::roff::{bold, roman, Roff};
use esecheck::commands::{self, Options, Sinks};
use esecheck::verdict::Verdict;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Verify Microsoft ESE (JET Blue) databases, transaction logs and checkpoints.
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
        /// Files to verify; a directory stands for every file in it (not its subdirectories
        /// unless --recursive).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Descend into the subdirectories of a directory named.
        #[arg(long, short = 'r')]
        recursive: bool,
    },
    /// Dump the header of a database (both copies), a log, or a checkpoint (eseutil /MH, /ML, /MK).
    Header {
        /// The files (database, log, checkpoint, flush map), dumped one after the other.
        #[arg(required = true)]
        files: Vec<PathBuf>,
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
        /// Also write a manifest of the set to FILE, in the same pass: the CRC-32 of every file
        /// and of each block, with the verdict, for `esecheck compare` to prove a copy. Written
        /// whatever the verdict, atomically, never over an input.
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        /// Bytes per block CRC in the manifest (4096 to 1073741824).
        #[arg(long, value_name = "BYTES", default_value_t = 1 << 20, requires = "manifest")]
        block_size: u64,
    },
    /// Prove a copy: every file of a manifest (verify --manifest) present in the copy with the
    /// same size and CRC-32s, none missing, no extra log or database; differing blocks named by
    /// the pages or log segments they hold.
    Compare {
        /// The manifest written by `esecheck verify --manifest`.
        manifest: PathBuf,
        /// The copy: its directory, or its files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Print the manual page (roff) on stdout.
    Man,
    /// Print a shell completion script on stdout.
    Completions {
        /// The shell to complete for.
        shell: Shell,
    },
}

/// The exit status of the checking commands, the contract pipelines rely on (CLI.md).
const EXIT_STATUS: [(u8, &str); 3] = [
    (0, "verified: everything checked is sound (warnings allowed)"),
    (1, "integrity problem found (a backup pipeline must not truncate logs)"),
    (
        2,
        "could not check: usage error, missing or unreadable input, not an ESE file",
    ),
];

/// The exit status of `man` and `completions`, which check nothing.
const PRINT_STATUS: [(u8, &str); 2] = [
    (0, "printed"),
    (
        2,
        "could not print: usage error, stdout not writable (never 1: nothing is checked)",
    ),
];

/// What each command's help shows below its options, and which common options it ignores (they
/// stay accepted, as every common option is global, but are hidden from its help).
struct CommandHelp {
    /// The subcommand, as typed.
    name: &'static str,
    /// (command line, what it does)
    examples: &'static [(&'static str, &'static str)],
    /// (exit status, meaning)
    status: &'static [(u8, &'static str)],
    /// Ids of the common options the command never reads.
    ignores: &'static [&'static str],
}

/// Every common option: what `man` and `completions` ignore.
const ALL_COMMON: &[&str] = &["json", "quiet", "strict", "threads", "no_progress"];

/// One entry per subcommand (a test checks that none is missing).
const COMMAND_HELP: [CommandHelp; 7] = [
    CommandHelp {
        name: "checksum",
        examples: &[
            (
                "esecheck checksum SRUDB.dat SRU.chk SRU00051.log",
                "verify a database, a checkpoint and a log (eseutil /K)",
            ),
            (
                "esecheck checksum --json --no-progress *.edb > checksum.json",
                "the same, as one JSON document",
            ),
        ],
        status: &EXIT_STATUS,
        ignores: &[],
    },
    CommandHelp {
        name: "header",
        examples: &[
            (
                "esecheck header SRUDB.dat",
                "dump both header copies of a database (eseutil /MH)",
            ),
            (
                "esecheck header --json E00.chk",
                "a checkpoint's two copies as JSON (eseutil /MK)",
            ),
        ],
        status: &EXIT_STATUS,
        ignores: &["threads", "no_progress"],
    },
    CommandHelp {
        name: "logs",
        examples: &[(
            "esecheck logs /mnt/snap/Logs --base E00",
            "verify every log of stream E00 and the chain between them (eseutil /ML E00)",
        )],
        status: &EXIT_STATUS,
        ignores: &["no_progress"],
    },
    CommandHelp {
        name: "verify",
        examples: &[
            (
                "esecheck verify /mnt/snap/MailboxDB --logs /mnt/snap/Logs --base E00",
                "the backup-set verdict, logs kept apart from the database (CHKSGFILES)",
            ),
            (
                "esecheck verify --json --no-progress /mnt/snap/MailboxDB > verify.json",
                "for a pipeline: truncate below .truncate_below only on exit 0",
            ),
        ],
        status: &EXIT_STATUS,
        ignores: &[],
    },
    CommandHelp {
        name: "compare",
        examples: &[
            (
                "esecheck verify /mnt/snap/DB --manifest /backup/DB.manifest.json",
                "verify the snapshot and record what was verified",
            ),
            (
                "esecheck compare /backup/DB.manifest.json /backup/DB",
                "after copying: is the copy the verified set, byte for byte?",
            ),
        ],
        status: &[
            (0, "the copy is identical to the verified set (warnings allowed)"),
            (
                1,
                "a member differs, is missing or extra, or the set it copies did not pass verification",
            ),
            (
                2,
                "could not compare: the copy is the verified set itself (the same files, not a copy), unreadable copy, not a manifest, a damaged manifest, an unknown schema",
            ),
        ],
        ignores: &[],
    },
    CommandHelp {
        name: "man",
        examples: &[(
            "esecheck man > esecheck.1 && man ./esecheck.1",
            "write and read the manual page",
        )],
        status: &PRINT_STATUS,
        ignores: ALL_COMMON,
    },
    CommandHelp {
        name: "completions",
        examples: &[
            ("esecheck completions bash > /etc/bash_completion.d/esecheck", "bash"),
            (
                "esecheck completions zsh > ~/.zfunc/_esecheck",
                "zsh (with ~/.zfunc in $fpath)",
            ),
            (
                "esecheck completions fish > ~/.config/fish/completions/esecheck.fish",
                "fish",
            ),
            ("esecheck completions powershell >> $PROFILE", "PowerShell"),
        ],
        status: &PRINT_STATUS,
        ignores: ALL_COMMON,
    },
];

/// The examples and exit status of one command as help text (below the options).
fn after_help(examples: &[(&str, &str)], status: &[(u8, &str)]) -> String {
    let mut s = String::from("Examples:\n");
    for (line, what) in examples {
        s.push_str(&format!("  {line}\n      {what}\n"));
    }
    s.push_str("\nExit status:\n");
    for (code, meaning) in status {
        s.push_str(&format!("  {code}  {meaning}\n"));
    }
    s
}

/// The command line as parsed: the derive definition plus, per command, its examples and exit
/// status, and the common options it ignores hidden from its help. A hidden copy of a global
/// option put in a subcommand stands in for the one clap would propagate there, so it is still
/// accepted before and after the subcommand's name and its value still reaches `Cli`.
fn cli_command() -> clap::Command {
    let mut cmd = Cli::command().after_help(after_help(
        &[
            (
                "esecheck verify /mnt/snap/MailboxDB --logs /mnt/snap/Logs",
                "is this backup set sound, and may logs be truncated?",
            ),
            ("esecheck checksum SRUDB.dat", "verify every page of one database"),
            ("esecheck COMMAND --help", "each command's options and examples"),
        ],
        &EXIT_STATUS,
    ));
    let globals: Vec<clap::Arg> = cmd.get_arguments().filter(|a| a.is_global_set()).cloned().collect();
    for help in &COMMAND_HELP {
        cmd = cmd.mut_subcommand(help.name, |mut sub| {
            for arg in globals.iter().filter(|a| help.ignores.contains(&a.get_id().as_str())) {
                sub = sub.arg(arg.clone().hide(true));
            }
            sub.after_help(after_help(help.examples, help.status))
        });
    }
    cmd
}

fn main() -> ExitCode {
    let cli = match cli_command().try_get_matches().and_then(|m| Cli::from_arg_matches(&m)) {
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
    if let Some(text) = generated_text(&cli.command)? {
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
    let verdict = match &cli.command {
        Command::Checksum { files, recursive } => commands::checksum(files, *recursive, &opts, &mut sinks)?,
        Command::Header { files } => commands::headers(files, &opts, &mut sinks)?,
        Command::Logs { dir, base } => commands::logs(dir, base.as_deref(), &opts, &mut sinks)?,
        Command::Verify {
            paths,
            base,
            logs,
            manifest,
            block_size,
        } => {
            let target = manifest.as_ref().map(|path| commands::manifest::ManifestTarget {
                path: path.clone(),
                block_size: *block_size,
            });
            commands::verify(paths, base.clone(), logs.clone(), target.as_ref(), &opts, &mut sinks)?
        }
        Command::Compare { manifest, paths } => commands::manifest::compare(manifest, paths, &opts, &mut sinks)?,
        // Printed by `generated_text` above.
        Command::Man | Command::Completions { .. } => Verdict::Pass,
    };
    out.flush()?;
    Ok(verdict)
}

/// The text `man` and `completions` print, made whole in memory first (clap_complete panics on a
/// failed write, and half a script is worse than none); `None` for the checking commands.
fn generated_text(command: &Command) -> io::Result<Option<Vec<u8>>> {
    let mut text = Vec::new();
    match command {
        Command::Man => man_page(&mut text)?,
        Command::Completions { shell } => clap_complete::generate(*shell, &mut cli_command(), "esecheck", &mut text),
        _ => return Ok(None),
    }
    Ok(Some(text))
}

/// `esecheck man`: one page, esecheck(1), holding every command with its options, the examples
/// and the exit status, so `man esecheck` is all a user needs.
fn man_page(w: &mut dyn Write) -> io::Result<()> {
    let mut cmd = cli_command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;

    let mut commands = Roff::default();
    commands.control("SH", ["COMMANDS"]);
    commands.to_writer(w)?;
    for help in &COMMAND_HELP {
        let Some(sub) = cmd.find_subcommand(help.name) else {
            continue;
        };
        let mut head = Roff::default();
        head.control("SS", [format!("esecheck {}", help.name).as_str()]);
        head.to_writer(w)?;
        // The common options are described once, under OPTIONS, and --help goes without saying.
        let own = sub.clone().mut_args(|a| {
            let common = a.is_global_set() || a.get_id() == "help";
            a.hide(common)
        });
        let sub_man = clap_mangen::Man::new(own);
        // The command's own sections, as paragraphs under its name (the string definitions at
        // the top of each rendering are already made by the page's own).
        for section in [
            clap_mangen::Man::render_synopsis_section,
            clap_mangen::Man::render_description_section,
            clap_mangen::Man::render_options_section,
        ] {
            let mut buf = Vec::new();
            section(&sub_man, &mut buf)?;
            let text = String::from_utf8_lossy(&buf);
            let keep = |l: &&str| !(l.starts_with(".SH") || l.starts_with(".ie ") || l.starts_with(".el "));
            for line in text.lines().filter(keep) {
                writeln!(w, "{line}")?;
            }
            writeln!(w, ".PP")?;
        }
    }

    let mut tail = Roff::default();
    tail.control("SH", ["EXAMPLES"]);
    for help in &COMMAND_HELP {
        for (line, what) in help.examples {
            tail.control("TP", []).text([bold(*line)]).text([roman(*what)]);
        }
    }
    tail.control("SH", ["EXIT STATUS"]);
    tail.text([roman("checksum, header, logs and verify:")]);
    for (code, meaning) in EXIT_STATUS {
        tail.control("TP", [])
            .text([bold(code.to_string())])
            .text([roman(meaning)]);
    }
    tail.control("PP", []).text([roman("man and completions:")]);
    for (code, meaning) in PRINT_STATUS {
        tail.control("TP", [])
            .text([bold(code.to_string())])
            .text([roman(meaning)]);
    }
    tail.to_writer(w)?;
    man.render_version_section(w)
}
