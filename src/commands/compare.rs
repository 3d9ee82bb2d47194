//! `esecheck compare MANIFEST PATH...`: wiring only. The manifest is read and the copy hashed in
//! `scan`, the comparison decided in `report::manifest` and rendered in `report::compare`.

use super::manifest::read_manifest;
use crate::report::compare::{cannot_compare, render};
use crate::report::manifest;
use crate::report::output::{Options, Sinks};
use crate::verdict::Verdict;
use std::io;
use std::path::{Path, PathBuf};

/// `esecheck compare MANIFEST PATH...`: is the copy at PATH the set the manifest records?
pub(crate) fn compare(
    manifest_path: &Path,
    paths: &[PathBuf],
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    let m = match read_manifest(manifest_path) {
        Ok(m) => m,
        Err(e) => return cannot_compare(manifest_path, &e, opts, sinks),
    };
    let wanted: Vec<(String, u64)> = m.files.iter().map(|f| (f.path.clone(), f.size)).collect();
    let pb = super::progress_bar(opts);
    let scanned = crate::scan::copy::scan_copy(&wanted, paths, m.block_size, Some(manifest_path), pb.as_ref());
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let copy = match scanned {
        Ok(c) => c,
        Err(e) => return cannot_compare(manifest_path, &e, opts, sinks),
    };
    let shown = manifest_path.display().to_string();
    let c = match manifest::decide_compare(&m, &shown, &copy, opts.strict) {
        Ok(c) => c,
        Err(e) => return cannot_compare(manifest_path, &e, opts, sinks),
    };
    render(&c, &m, opts, sinks)
}
