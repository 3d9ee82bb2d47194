//! `esecheck checksum FILE|DIR...` (eseutil /K): wiring only. The inputs are expanded and each
//! file checked in `scan`, the run decided and rendered in `report::checksum`.

use crate::report::checksum::{decide, render, ChecksumBody};
use crate::report::output::{could_not_check, Options, Sinks};
use crate::scan::file_check::{check_file_in_run, FileReport};
use crate::scan::walk::expand_checksum_inputs;
use crate::verdict::Verdict;
use std::io;
use std::path::PathBuf;

/// `esecheck checksum FILE...` (eseutil /K): every page, segment or copy of each file.
///
/// A directory stands for every file in it (with `recursive`, in its subdirectories too),
/// classified by its bytes (Decision 1); files in it that are no ESE file are listed under
/// `ignored`, and a directory with no ESE file at all is could-not-check (exit 2).
pub(crate) fn checksum(
    paths: &[PathBuf],
    recursive: bool,
    no_logical: bool,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    let inputs = match expand_checksum_inputs(paths, recursive) {
        Ok(x) => x,
        Err(e) => return could_not_check::<ChecksumBody>(&e, "", "", opts, sinks),
    };
    // Files overlap (docs/PERFORMANCE.md): with one file at a time, each file's last chunks leave a thread
    // idle and its open, map and unmap stall both. The reports keep the order of the inputs.
    // One bar for the whole run (CLI.md "Common options", progress).
    let pb = super::progress_bar(opts);
    let progress = pb.as_ref().map(crate::scan::progress::Progress::new);
    if let Some(p) = &progress {
        let (n, bytes) = crate::scan::progress::total_size(inputs.files.iter().map(|(p, _)| p.as_path()));
        p.set_total(n, bytes);
    }
    let checked: Vec<FileReport> = {
        use rayon::prelude::*;
        inputs
            .files
            .par_iter()
            .map(|(p, _)| check_file_in_run(p, progress.as_ref(), no_logical, &|_| {}))
            .collect()
    };
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let run = decide(&inputs.files, checked, inputs.ignored, &inputs.dirs, opts.strict);
    render(&run, opts, sinks)
}
