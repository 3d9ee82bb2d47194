//! The command line, defined once: clap's definition of every option ([`Cli`], [`Command`]) and,
//! per command, its about line, examples and exit-status table (`CommandKind::help`, an
//! exhaustive `match`, so a command cannot be added without them). `--help`, `esecheck man` and
//! `esecheck completions` are all generated from [`command`], so they cannot disagree.
//!
//! Nothing here checks a file or decides a verdict: `main.rs` parses with [`command`] and hands
//! the parsed [`Command`] to the commands.

pub use crate::command_kind::CommandKind;
use clap::{CommandFactory, Parser, Subcommand};
use clap_complete::Shell;
use clap_mangen::roff::{bold, italic, roman, Inline, Roff};
use std::io::{self, Write};
use std::path::PathBuf;

/// The parsed command line. Parse it through [`command`], which adds each command's help and
/// hides the common options a command ignores; `Cli::command()` alone lacks both.
#[derive(Parser, Debug)]
#[command(name = "esecheck", version, about, long_about = None)]
pub struct Cli {
    /// The command and its own arguments.
    #[command(subcommand)]
    pub command: Command,
    /// Print one JSON document on stdout and nothing else there.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print the verdict line only.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Treat warnings as failures (exit 1): correctable single-bit errors, damage in logs no longer
    /// needed, one bad checkpoint copy, flush-map damage, a missing checkpoint (see CLI.md).
    #[arg(long, global = true)]
    pub strict: bool,
    /// Number of worker threads (default: one per core; at most 256).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Never show a progress bar (it is shown only when stderr is a terminal).
    #[arg(long, global = true)]
    pub no_progress: bool,
}

/// A command with its own arguments, as parsed. Its about line, examples and exit status are
/// `CommandKind::help`'s ([`command`] puts them in; the variants' doc comments are for rustdoc).
#[derive(Subcommand, Debug)]
pub enum Command {
    /// `esecheck checksum FILE…`: eseutil /K.
    Checksum {
        /// Files to verify; a directory stands for every file in it (not its subdirectories
        /// unless --recursive).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Descend into the subdirectories of a directory named.
        #[arg(long, short = 'r')]
        recursive: bool,
        /// Skip the catalog, space and tree checks (cut copies, blank fixed pages, lost flushes
        /// are still found).
        #[arg(long)]
        no_logical: bool,
    },
    /// `esecheck header FILE…`: eseutil /MH, /ML, /MK.
    Header {
        /// The files (database, log, checkpoint, flush map), dumped one after the other.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// `esecheck logs DIR`: eseutil /ML <base>.
    Logs {
        /// The directory holding the logs.
        dir: PathBuf,
        /// The stream's base name (E00, edb, SRU…) when the directory holds several.
        #[arg(long, value_name = "NAME")]
        base: Option<String>,
    },
    /// `esecheck verify PATH…`: CHKSGFILES.
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
        /// Skip the catalog, space and tree checks of the databases (cut copies, blank fixed
        /// pages, lost flushes are still found).
        #[arg(long)]
        no_logical: bool,
    },
    /// `esecheck compare MANIFEST PATH…`: proves a copy against a manifest.
    Compare {
        /// The manifest written by `esecheck verify --manifest`.
        manifest: PathBuf,
        /// The copy: its directory, or its files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// `esecheck man`: the manual page.
    Man,
    /// `esecheck completions SHELL`: a completion script.
    Completions {
        /// The shell to complete for.
        shell: Shell,
    },
}

impl Command {
    /// Which command this is.
    #[cfg(test)]
    pub(crate) fn kind(&self) -> CommandKind {
        match self {
            Command::Checksum { .. } => CommandKind::Checksum,
            Command::Header { .. } => CommandKind::Header,
            Command::Logs { .. } => CommandKind::Logs,
            Command::Verify { .. } => CommandKind::Verify,
            Command::Compare { .. } => CommandKind::Compare,
            Command::Man => CommandKind::Man,
            Command::Completions { .. } => CommandKind::Completions,
        }
    }
}

/// One example of a command's help: the command line, and what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// The command line, as typed in a shell.
    pub line: &'static str,
    /// What it does.
    pub does: &'static str,
}

/// One row of a command's exit-status table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitRow {
    /// The exit status.
    pub status: u8,
    /// What it means.
    pub meaning: &'static str,
}

/// The options every command accepts, before or after its name (clap's global arguments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommonOption {
    /// `--json`
    Json,
    /// `--quiet`, `-q`
    Quiet,
    /// `--strict`
    Strict,
    /// `--threads N`
    Threads,
    /// `--no-progress`
    NoProgress,
}

impl CommonOption {
    /// Every common option (a test checks that this is every global argument of [`command`]).
    pub const ALL: &'static [CommonOption] = &[
        CommonOption::Json,
        CommonOption::Quiet,
        CommonOption::Strict,
        CommonOption::Threads,
        CommonOption::NoProgress,
    ];

    /// clap's id of the option: the field of [`Cli`].
    pub fn id(self) -> &'static str {
        match self {
            CommonOption::Json => "json",
            CommonOption::Quiet => "quiet",
            CommonOption::Strict => "strict",
            CommonOption::Threads => "threads",
            CommonOption::NoProgress => "no_progress",
        }
    }
}

/// What a command's help says besides its options.
#[derive(Clone, Copy, Debug)]
pub struct Help {
    /// The one line under the command's name in `--help`, the man page and the completions.
    pub about: &'static str,
    /// Shown below the options, and under EXAMPLES in the man page; each starts with
    /// `esecheck COMMAND`.
    pub examples: &'static [Example],
    /// The command's exit statuses and what they mean (docs/CLI.md's contract).
    pub exit_status: &'static [ExitRow],
    /// The common options the command never reads: still accepted (every common option is
    /// global) but hidden from its help.
    pub ignores: &'static [CommonOption],
}

/// The exit status of the checking commands, the contract pipelines rely on (CLI.md).
pub const CHECKING_EXIT_STATUS: &[ExitRow] = &[
    ExitRow {
        status: 0,
        meaning: "verified: everything checked is sound (warnings allowed)",
    },
    ExitRow {
        status: 1,
        meaning: "integrity problem found (a backup pipeline must not truncate logs)",
    },
    ExitRow {
        status: 2,
        meaning: "could not check: usage error, missing or unreadable input, not an ESE file",
    },
];

/// The exit status of `compare` (CLI.md, "Exit status of `compare`").
pub const COMPARE_EXIT_STATUS: &[ExitRow] = &[
    ExitRow {
        status: 0,
        meaning: "the copy is identical to the verified set (warnings allowed)",
    },
    ExitRow {
        status: 1,
        meaning: "a member differs, is missing or extra, or the set it copies did not pass verification",
    },
    ExitRow {
        status: 2,
        meaning: "could not compare: the copy is the verified set itself (the same files, not a copy), unreadable copy, not a manifest, a damaged manifest, an unknown schema",
    },
];

/// The exit status of `man` and `completions`, which check nothing.
pub const PRINTING_EXIT_STATUS: &[ExitRow] = &[
    ExitRow {
        status: 0,
        meaning: "printed",
    },
    ExitRow {
        status: 2,
        meaning: "could not print: usage error, stdout not writable (never 1: nothing is checked)",
    },
];

/// The examples of `esecheck --help`.
const TOP_EXAMPLES: &[Example] = &[
    Example {
        line: "esecheck verify /mnt/snap/MailboxDB --logs /mnt/snap/Logs",
        does: "is this backup set sound, and may logs be truncated?",
    },
    Example {
        line: "esecheck checksum SRUDB.dat",
        does: "verify every page of one database",
    },
    Example {
        line: "esecheck COMMAND --help",
        does: "each command's options and examples",
    },
];

/// Each command's help, an exhaustive `match` (the enum itself is the ground floor's, so that
/// every layer can name a command).
impl CommandKind {
    /// The command's about line, examples, exit status and ignored common options.
    pub fn help(self) -> Help {
        match self {
            CommandKind::Checksum => Help {
                about: "Verify every page of a database, every segment of a log, both copies of a checkpoint (eseutil /K). The file type comes from the header, not the name",
                examples: &[
                    Example {
                        line: "esecheck checksum SRUDB.dat SRU.chk SRU00051.log",
                        does: "verify a database, a checkpoint and a log (eseutil /K)",
                    },
                    Example {
                        line: "esecheck checksum --json --no-progress *.edb > checksum.json",
                        does: "the same, as one JSON document",
                    },
                ],
                exit_status: CHECKING_EXIT_STATUS,
                ignores: &[],
            },
            CommandKind::Header => Help {
                about: "Dump the header of a database (both copies), a log, or a checkpoint (eseutil /MH, /ML, /MK)",
                examples: &[
                    Example {
                        line: "esecheck header SRUDB.dat",
                        does: "dump both header copies of a database (eseutil /MH)",
                    },
                    Example {
                        line: "esecheck header --json E00.chk",
                        does: "a checkpoint's two copies as JSON (eseutil /MK)",
                    },
                ],
                exit_status: CHECKING_EXIT_STATUS,
                ignores: &[CommonOption::Threads, CommonOption::NoProgress],
            },
            CommandKind::Logs => Help {
                about: "Verify every log of one log stream and the stream itself: continuity, signatures, generation chain (eseutil /ML <base>)",
                examples: &[Example {
                    line: "esecheck logs /mnt/snap/Logs --base E00",
                    does: "verify every log of stream E00 and the chain between them (eseutil /ML E00)",
                }],
                exit_status: CHECKING_EXIT_STATUS,
                ignores: &[CommonOption::NoProgress],
            },
            CommandKind::Verify => Help {
                about: "The backup-set verdict (CHKSGFILES): databases page by page, the logs they require and every log present, the checkpoint; says whether log truncation is safe and below which generation",
                examples: &[
                    Example {
                        line: "esecheck verify /mnt/snap/MailboxDB --logs /mnt/snap/Logs --base E00",
                        does: "the backup-set verdict, logs kept apart from the database (CHKSGFILES)",
                    },
                    Example {
                        line: "esecheck verify --json --no-progress /mnt/snap/MailboxDB > verify.json",
                        does: "for a pipeline: truncate below .truncate_below only on exit 0",
                    },
                ],
                exit_status: CHECKING_EXIT_STATUS,
                ignores: &[],
            },
            CommandKind::Compare => Help {
                about: "Prove a copy: every file of a manifest (verify --manifest) present in the copy with the same size and CRC-32s, none missing, no extra log or database; differing blocks named by the pages or log segments they hold",
                examples: &[
                    Example {
                        line: "esecheck verify /mnt/snap/DB --manifest /backup/DB.manifest.json",
                        does: "verify the snapshot and record what was verified",
                    },
                    Example {
                        line: "esecheck compare /backup/DB.manifest.json /backup/DB",
                        does: "after copying: is the copy the verified set, byte for byte?",
                    },
                ],
                exit_status: COMPARE_EXIT_STATUS,
                ignores: &[],
            },
            CommandKind::Man => Help {
                about: "Print the manual page (roff) on stdout",
                examples: &[Example {
                    line: "esecheck man > esecheck.1 && man ./esecheck.1",
                    does: "write and read the manual page",
                }],
                exit_status: PRINTING_EXIT_STATUS,
                ignores: CommonOption::ALL,
            },
            CommandKind::Completions => Help {
                about: "Print a shell completion script on stdout",
                examples: &[
                    Example {
                        line: "esecheck completions bash > /etc/bash_completion.d/esecheck",
                        does: "bash",
                    },
                    Example {
                        line: "esecheck completions zsh > ~/.zfunc/_esecheck",
                        does: "zsh (with ~/.zfunc in $fpath)",
                    },
                    Example {
                        line: "esecheck completions fish > ~/.config/fish/completions/esecheck.fish",
                        does: "fish",
                    },
                    Example {
                        line: "esecheck completions powershell >> $PROFILE",
                        does: "PowerShell",
                    },
                ],
                exit_status: PRINTING_EXIT_STATUS,
                ignores: CommonOption::ALL,
            },
        }
    }
}

/// The examples and exit status of one command as help text (below the options).
fn after_help(examples: &[Example], status: &[ExitRow]) -> String {
    let mut s = String::from("Examples:\n");
    for e in examples {
        s.push_str(&format!("  {}\n      {}\n", e.line, e.does));
    }
    s.push_str("\nExit status:\n");
    for row in status {
        s.push_str(&format!("  {}  {}\n", row.status, row.meaning));
    }
    s
}

/// The command line: clap's definition plus, per command, its about line, examples and exit
/// status, and the common options it ignores hidden from its help. A hidden copy of a global
/// option put in a subcommand stands in for the one clap would propagate there, so it is still
/// accepted before and after the subcommand's name and its value still reaches [`Cli`].
pub fn command() -> clap::Command {
    let mut cmd = Cli::command().after_help(after_help(TOP_EXAMPLES, CHECKING_EXIT_STATUS));
    let globals: Vec<clap::Arg> = cmd.get_arguments().filter(|a| a.is_global_set()).cloned().collect();
    for &kind in CommandKind::all() {
        let help = kind.help();
        // Panics on a name clap does not know: a test runs this for every command.
        cmd = cmd.mut_subcommand(kind.name(), |mut sub| {
            let ignored = |a: &&clap::Arg| help.ignores.iter().any(|o| a.get_id() == o.id());
            for arg in globals.iter().filter(ignored) {
                sub = sub.arg(arg.clone().hide(true));
            }
            sub.about(help.about)
                .after_help(after_help(help.examples, help.exit_status))
        });
    }
    cmd
}

/// The text `man` and `completions` print, made whole in memory first (clap_complete panics on a
/// failed write, and half a script is worse than none); `None` for the checking commands.
pub fn generated_text(command: &Command) -> io::Result<Option<Vec<u8>>> {
    let mut text = Vec::new();
    match command {
        Command::Man => man_page(&mut text)?,
        Command::Completions { shell } => completions(*shell, &mut text),
        Command::Checksum { .. }
        | Command::Header { .. }
        | Command::Logs { .. }
        | Command::Verify { .. }
        | Command::Compare { .. } => return Ok(None),
    }
    Ok(Some(text))
}

/// `esecheck completions SHELL`: the completion script for SHELL.
pub fn completions(shell: Shell, w: &mut dyn Write) {
    clap_complete::generate(shell, &mut command(), "esecheck", w);
}

/// `esecheck man`: one page, esecheck(1), holding every command with its options, the examples
/// and every command's exit status, so `man esecheck` is all a user needs.
pub fn man_page(w: &mut dyn Write) -> io::Result<()> {
    let mut cmd = command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    let mut synopsis = Roff::default();
    synopsis
        .control("SH", ["SYNOPSIS"])
        .text(synopsis_line("esecheck", &cmd));
    synopsis.to_writer(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;

    let mut commands = Roff::default();
    commands.control("SH", ["COMMANDS"]);
    commands.to_writer(w)?;
    for &kind in CommandKind::all() {
        let Some(sub) = cmd.find_subcommand(kind.name()) else {
            continue;
        };
        let name = format!("esecheck {}", kind.name());
        // The common options are described once, under OPTIONS, and --help goes without saying.
        let own = sub.clone().mut_args(|a| {
            let common = a.is_global_set() || a.get_id() == "help";
            a.hide(common)
        });
        let mut head = Roff::default();
        head.control("SS", [name.as_str()])
            .text(synopsis_line(&name, &own))
            .control("PP", []);
        head.to_writer(w)?;
        let sub_man = clap_mangen::Man::new(own);
        // The command's own sections, as paragraphs under its name (the string definitions at
        // the top of each rendering are already made by the page's own).
        for section in [
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
    for &kind in CommandKind::all() {
        for e in kind.help().examples {
            tail.control("TP", []).text([bold(e.line)]).text([roman(e.does)]);
        }
    }
    tail.control("SH", ["EXIT STATUS"]);
    for (i, (kinds, rows)) in exit_status_groups().iter().enumerate() {
        if i > 0 {
            tail.control("PP", []);
        }
        tail.text([roman(format!("{}:", names_in_words(kinds)))]);
        for row in *rows {
            tail.control("TP", [])
                .text([bold(row.status.to_string())])
                .text([roman(row.meaning)]);
        }
    }
    tail.to_writer(w)?;
    man.render_version_section(w)
}

/// Every command's exit-status table, commands with the same table together, in the order of
/// the commands.
fn exit_status_groups() -> Vec<(Vec<CommandKind>, &'static [ExitRow])> {
    let mut groups: Vec<(Vec<CommandKind>, &'static [ExitRow])> = Vec::new();
    for &kind in CommandKind::all() {
        let rows = kind.help().exit_status;
        match groups.iter_mut().find(|(_, r)| *r == rows) {
            Some((kinds, _)) => kinds.push(kind),
            None => groups.push((vec![kind], rows)),
        }
    }
    groups
}

/// "checksum, header, logs and verify".
fn names_in_words(kinds: &[CommandKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// A SYNOPSIS line: the name, every visible option with its value (`[--threads N]`), the
/// positional arguments (`<PATHS>...`), and `<subcommands>` for a command that has them.
/// (clap_mangen's own leaves the values out.)
fn synopsis_line(name: &str, cmd: &clap::Command) -> Vec<Inline> {
    let mut line = vec![bold(name)];
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set() && !a.is_positional()) {
        line.push(roman(if arg.is_required_set() { " " } else { " [" }));
        match (arg.get_short(), arg.get_long()) {
            (Some(short), Some(long)) => {
                line.extend([bold(format!("-{short}")), roman("|"), bold(format!("--{long}"))]);
            }
            (Some(short), None) => line.push(bold(format!("-{short}"))),
            (None, Some(long)) => line.push(bold(format!("--{long}"))),
            (None, None) => {}
        }
        if arg.get_action().takes_values() {
            line.extend([roman(" "), italic(value_name(arg))]);
        }
        if !arg.is_required_set() {
            line.push(roman("]"));
        }
    }
    for arg in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let (open, close) = if arg.is_required_set() {
            ("<", ">")
        } else {
            ("[<", ">]")
        };
        line.extend([roman(format!(" {open}")), italic(value_name(arg)), roman(close)]);
        if arg.get_num_args().is_some_and(|n| n.max_values() > 1) {
            line.push(roman("..."));
        }
    }
    if cmd.has_subcommands() {
        line.extend([roman(" <"), italic("subcommands"), roman(">")]);
    }
    line
}

/// An argument's value as help shows it: its value name (`N`, `NAME`), else its id in capitals.
fn value_name(arg: &clap::Arg) -> String {
    match arg.get_value_names() {
        Some(names) if !names.is_empty() => names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(" "),
        _ => arg.get_id().as_str().to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::FromArgMatches;
    use clap::ValueEnum;

    /// The commands clap knows, by name (without the `help` it adds itself).
    fn clap_commands() -> Vec<String> {
        command().get_subcommands().map(|s| s.get_name().to_string()).collect()
    }

    #[test]
    fn every_command_clap_knows_is_a_kind_and_every_kind_a_command() {
        let kinds: Vec<&str> = CommandKind::all().iter().map(|k| k.name()).collect();
        assert_eq!(clap_commands(), kinds);
    }

    #[test]
    fn a_kind_is_named_as_clap_names_it() {
        for &kind in CommandKind::all() {
            let value = kind.to_possible_value().expect("no variant is skipped");
            assert_eq!(value.get_name(), kind.name());
        }
    }

    #[test]
    fn every_example_parses_as_its_own_command() {
        for &kind in CommandKind::all() {
            let help = kind.help();
            assert!(!help.examples.is_empty(), "{kind:?} has no example");
            for e in help.examples {
                // The command line up to the shell's redirection or next command.
                let argv: Vec<&str> = e
                    .line
                    .split_whitespace()
                    .take_while(|w| !matches!(*w, ">" | ">>" | "&&" | "|"))
                    .collect();
                let matches = command()
                    .try_get_matches_from(&argv)
                    .unwrap_or_else(|err| panic!("{}: {err}", e.line));
                let cli = Cli::from_arg_matches(&matches).unwrap();
                // compare's help shows the verify that writes the manifest first.
                let expected = if e.line.contains("--manifest") {
                    CommandKind::Verify
                } else {
                    kind
                };
                assert_eq!(cli.command.kind(), expected, "{}", e.line);
            }
        }
    }

    #[test]
    fn every_exit_table_is_0_then_2_at_least_and_ascending() {
        for &kind in CommandKind::all() {
            let codes: Vec<u8> = kind.help().exit_status.iter().map(|r| r.status).collect();
            assert!(codes == [0, 1, 2] || codes == [0, 2], "{kind:?}: {codes:?}");
        }
    }

    #[test]
    fn common_options_are_the_global_arguments() {
        let globals: Vec<String> = command()
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().to_string())
            .collect();
        let ids: Vec<&str> = CommonOption::ALL.iter().map(|o| o.id()).collect();
        assert_eq!(globals, ids);
    }

    #[test]
    fn man_exit_status_names_every_command_once() {
        let groups = exit_status_groups();
        let mut named: Vec<CommandKind> = groups.iter().flat_map(|(k, _)| k.clone()).collect();
        assert_eq!(named.len(), CommandKind::all().len());
        named.dedup();
        assert_eq!(named, CommandKind::all());
        assert_eq!(
            names_in_words(&groups[0].0),
            "checksum, header, logs and verify",
            "{groups:?}"
        );
    }

    #[test]
    fn the_synopsis_shows_option_values() {
        let mut cmd = command();
        cmd.build();
        let mut roff = Roff::default();
        roff.text(synopsis_line("esecheck verify", cmd.find_subcommand("verify").unwrap()));
        let text = roff.to_roff();
        for shown in [
            "[\\fB\\-\\-base\\fR \\fINAME\\fR]",
            "[\\fB\\-\\-logs\\fR \\fIDIR\\fR]",
            "[\\fB\\-\\-manifest\\fR \\fIFILE\\fR]",
            "[\\fB\\-\\-block\\-size\\fR \\fIBYTES\\fR]",
            "[\\fB\\-\\-threads\\fR \\fIN\\fR]",
            "<\\fIPATHS\\fR>...",
        ] {
            assert!(text.contains(shown), "{shown} not in {text}");
        }
    }
}
