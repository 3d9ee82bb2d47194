//! The commands behind the CLI (`checksum`, `header`, `logs`, `verify`, `compare`), one file each,
//! wiring only: options → scan → decide → render → verdict. Every line of text and JSON is
//! rendered in [`report`](crate::report); `main.rs` parses arguments and turns the verdict into
//! an exit status.

pub(crate) mod checksum;
pub(crate) mod compare;
pub(crate) mod header;
pub(crate) mod logs;
pub(crate) mod manifest;
pub(crate) mod verify;

pub(crate) use checksum::checksum;
pub(crate) use compare::compare;
pub(crate) use header::headers;
pub(crate) use logs::logs;
pub(crate) use verify::verify;

pub use crate::report::checksum::{check_file, check_file_then};
pub use crate::report::output::{Options, Sinks};
pub use crate::scan::file_check::{DamagedMember, FileReport, NotVerified, Unchecked};

use crate::verdict::Verdict;
use std::io;

/// Runs a parsed command (the dispatch `main.rs` calls): each checking command's arguments go to
/// its function; `man` and `completions` are printed by `main.rs` before this is called (nothing
/// is checked, `--threads` plays no part) and pass here.
pub fn run(command: &crate::cli::Command, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    use crate::cli::Command;
    Ok(match command {
        Command::Checksum {
            files,
            recursive,
            no_logical,
        } => checksum(files, *recursive, *no_logical, opts, sinks)?,
        Command::Header { files } => headers(files, opts, sinks)?,
        Command::Logs { dir, base } => logs(dir, base.as_deref(), opts, sinks)?,
        Command::Verify {
            paths,
            base,
            logs,
            manifest,
            block_size,
            no_logical,
        } => {
            let target = manifest.as_ref().map(|path| manifest::ManifestTarget {
                path: path.clone(),
                block_size: *block_size,
            });
            verify(
                paths,
                base.clone(),
                logs.clone(),
                target.as_ref(),
                *no_logical,
                opts,
                sinks,
            )?
        }
        Command::Compare { manifest, paths } => compare(manifest, paths, opts, sinks)?,
        Command::Man | Command::Completions { .. } => Verdict::Pass,
    })
}

/// The most worker threads esecheck starts (`--threads` above it is capped with a note): the
/// scans are bound by storage and memory bandwidth long before this, and thousands of threads
/// would only cost memory and scheduling.
pub const MAX_THREADS: usize = 256;

/// `--threads N` as used: `N` up to [`MAX_THREADS`], else the cap and the note to print on stderr
/// (`--threads 100000 capped at 256`).
pub fn capped_threads(requested: usize) -> (usize, Option<String>) {
    if requested > MAX_THREADS {
        (
            MAX_THREADS,
            Some(format!("--threads {requested} capped at {MAX_THREADS}")),
        )
    } else {
        (requested, None)
    }
}

/// The message for a failed write of the output: `writing the report to stdout failed: No space
/// left on device`.
pub fn write_failed(doing: &str, e: &io::Error) -> String {
    format!("{doing} failed: {}", crate::scan::file::io_words(e))
}

/// The progress bar of a run, on stderr when it is a terminal (and neither `--json` nor
/// `--no-progress`): total bytes, percent, rate, ETA, and the file being checked as "n of m:
/// NAME" (CLI.md "Common options", progress). Its length is set once the inputs are known.
pub(crate) fn progress_bar(opts: &Options) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !opts.progress || opts.json || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(0);
    let template =
        "{spinner} [{bar:20}] {percent:>3}% {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {wide_msg}";
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        pb.set_style(style.progress_chars("=> "));
    }
    Some(pb)
}
