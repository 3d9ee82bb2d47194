//! `esecheck verify PATH...` (CHKSGFILES): wiring only. The set is scanned and decided in
//! `report::set::verify_set`, the manifest built in `report::manifest` and written here, the
//! report rendered in `report::verify`.

use super::manifest;
use crate::report::output::{Options, Sinks};
use crate::report::verify::{could_not_check_set, manifest_not_written, render, ManifestWritten};
use crate::verdict::Verdict;
use std::io;
use std::path::PathBuf;

/// `esecheck verify PATH...` (CHKSGFILES): the backup-set verdict that gates log truncation.
///
/// With `target` (`--manifest FILE`), the same pass also hashes every file of the set and the
/// manifest is written whatever the verdict, once the set has been checked; a target that would
/// replace an input, or a manifest that cannot be written, is exit 2.
pub(crate) fn verify(
    paths: &[PathBuf],
    base: Option<String>,
    logs: Option<PathBuf>,
    target: Option<&manifest::ManifestTarget>,
    no_logical: bool,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    use crate::report::set::{verify_set, VerifyOptions};
    if let Some(t) = target {
        let mut inputs = paths.to_vec();
        inputs.extend(logs.iter().cloned());
        if let Err(e) = manifest::check_target(t, &inputs) {
            return could_not_check_set(&e, opts, sinks);
        }
    }
    let pb = super::progress_bar(opts);
    let vopts = VerifyOptions {
        strict: opts.strict,
        scan: crate::scan::set::ScanOptions {
            base,
            logs_dir: logs,
            progress: pb.as_ref(),
            before_recheck: None,
            crc_block_size: target.map(|t| t.block_size),
            exclude: target.map(|t| t.path.clone()),
            no_logical,
        },
    };
    let result = verify_set(paths, &vopts);
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let mut report = match result {
        Ok(r) => r,
        Err(e) => return could_not_check_set(&e, opts, sinks),
    };
    // The manifest records the verdict, whatever it is; failing to write it is exit 2.
    let mut written = None;
    if let Some(t) = target {
        let m = crate::report::manifest::build(&report, t.block_size);
        match manifest::write_atomically(&t.path, &crate::report::manifest::to_bytes(&m)) {
            Ok(()) => written = Some(m.files.len()),
            Err(e) => manifest_not_written(&mut report, &e),
        }
    }
    render(
        &report,
        target.map(|t| ManifestWritten {
            path: &t.path,
            block_size: t.block_size,
            files: written,
        }),
        opts,
        sinks,
    )
}
