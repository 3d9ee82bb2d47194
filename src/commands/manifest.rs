//! The manifest's commands (issue 16): writing the manifest of a verified set
//! (`verify --manifest`), atomically and never over an input, and `esecheck compare MANIFEST
//! PATH...`. Wiring only: the format and the decision are in
//! [`report::manifest`](crate::report::manifest), the hashing in [`scan::crc`](crate::scan::crc)
//! and [`scan::copy`](crate::scan::copy).

use super::{progress_bar, Options, Sinks};
use crate::error::CheckError;
use crate::report::manifest::{self, Comparison};
use crate::report::{json, text};
use crate::verdict::Verdict;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `verify --manifest FILE [--block-size N]`.
#[derive(Debug, Clone)]
pub struct ManifestTarget {
    /// Where the manifest goes.
    pub path: PathBuf,
    /// Bytes per block CRC.
    pub block_size: u64,
}

/// Refuses a manifest target that would replace an input or any file that is not an earlier
/// manifest, before anything is scanned (exit 2).
pub fn check_target(target: &ManifestTarget, inputs: &[PathBuf]) -> Result<(), CheckError> {
    use crate::scan::crc::{MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};
    let p = &target.path;
    if !(MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&target.block_size) {
        return Err(CheckError::new(
            p,
            format!(
                "--block-size {} is outside {MIN_BLOCK_SIZE}-{MAX_BLOCK_SIZE}",
                target.block_size
            ),
        ));
    }
    let canon = crate::scan::set::canonical_file(p);
    if inputs
        .iter()
        .any(|i| i.is_file() && crate::scan::set::canonical_file(i) == canon)
    {
        return Err(CheckError::new(
            p,
            "is an input of this run: the manifest is never written over an input",
        ));
    }
    match std::fs::symlink_metadata(p) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(CheckError::io(p, &e)),
        Ok(m) if !m.is_file() => {
            return Err(CheckError::new(
                p,
                "exists and is not a regular file: no manifest is written there",
            ))
        }
        Ok(_) => {
            let head = crate::scan::file::read_head(p)?;
            if !manifest::looks_like_manifest(&head) {
                return Err(CheckError::new(
                    p,
                    "exists and is not an esecheck manifest: refusing to replace it (an input of the set?)",
                ));
            }
        }
    }
    let dir = crate::scan::set::canonical_file(p);
    if dir.parent().is_none_or(|d| !d.is_dir()) {
        return Err(CheckError::new(p, "its directory does not exist"));
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed to disk,
/// then renamed over `path`. A reader sees the old manifest or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CheckError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "manifest".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CheckError::new(
            path,
            format!("writing the manifest failed: {}", crate::scan::file::io_words(&e)),
        )
    })
}

/// The keys of a `compare` document that could not check anything.
fn empty_compare(manifest: &Path, e: &CheckError) -> serde_json::Value {
    let mut doc = json::document(
        "compare",
        Verdict::Error,
        &serde_json::json!({
            "manifest": manifest.display().to_string(), "root": null, "recorded_verdict": null,
            "files": [], "identical": 0, "differing": 0, "missing": 0, "extra": 0, "notes": []
        }),
        &[e.to_problem()],
    );
    if let serde_json::Value::Object(m) = &mut doc {
        m.insert("error".into(), serde_json::json!(e.raw()));
    }
    doc
}

fn cannot_compare(manifest: &Path, e: &CheckError, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    writeln!(sinks.err, "esecheck: {e}")?;
    if opts.json {
        json::write(sinks.out, &empty_compare(manifest, e))?;
    } else {
        writeln!(
            sinks.out,
            "ERROR: {}: could not compare; do not report the copy complete.",
            crate::escape::escape_controls(&e.path)
        )?;
    }
    Ok(Verdict::Error)
}

/// Reads and checks a manifest file (exit 2 when it cannot be used).
pub fn read_manifest(path: &Path) -> Result<manifest::Manifest, CheckError> {
    let meta = std::fs::metadata(path).map_err(|e| CheckError::io(path, &e))?;
    if meta.len() > manifest::MAX_MANIFEST_BYTES {
        return Err(CheckError::new(path, "is larger than any manifest (256 MiB at most)"));
    }
    let input = crate::scan::Input::open(path)?;
    manifest::parse(input.bytes()).map_err(|e| CheckError::new(path, e.0))
}

/// `esecheck compare MANIFEST PATH...`: is the copy at PATH the set the manifest records?
pub fn compare(manifest_path: &Path, paths: &[PathBuf], opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    let m = match read_manifest(manifest_path) {
        Ok(m) => m,
        Err(e) => return cannot_compare(manifest_path, &e, opts, sinks),
    };
    let wanted: Vec<(String, u64)> = m.files.iter().map(|f| (f.path.clone(), f.size)).collect();
    let pb = progress_bar(opts);
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
    if opts.json {
        json::write(sinks.out, &json::document("compare", c.verdict, &c, &c.problems))?;
        return Ok(c.verdict);
    }
    let line = verdict_line(&c, &m);
    writeln!(sinks.out, "{line}")?;
    if !opts.quiet {
        for n in &c.notes {
            writeln!(sinks.out, "Note: {}.", crate::escape::escape_controls(n))?;
        }
    }
    if !opts.quiet && !c.problems.is_empty() {
        writeln!(sinks.out)?;
        for p in &c.problems {
            let word = if p.is_error() { "ERROR" } else { "WARNING" };
            writeln!(sinks.out, "{word}: {}", text::located_message(p))?;
        }
        writeln!(sinks.out)?;
        writeln!(sinks.out, "{line}")?;
    }
    Ok(c.verdict)
}

fn verdict_line(c: &Comparison, m: &manifest::Manifest) -> String {
    let n = m.files.len();
    let bytes: u64 = m.files.iter().map(|f| f.size).sum();
    let counts = format!(
        "{} differ, {} missing, {} extra (of {n} files in the manifest)",
        c.differing, c.missing, c.extra
    );
    match c.verdict {
        Verdict::Pass if c.problems.is_empty() => format!(
            "PASS: the copy is identical to the verified set: {n} files, {bytes} bytes, same sizes and CRC-32s."
        ),
        Verdict::Pass => format!("PASS with warnings: the set's members are identical; ignored files: {counts}."),
        _ if c.differing + c.missing + c.extra == 0 => format!(
            "FAIL: the copy is identical to a set that {} verification: do not rely on it.",
            if m.verdict == Verdict::Fail {
                "FAILED"
            } else {
                "could not pass"
            }
        ),
        _ => match c.problems.iter().find(|p| p.is_error()) {
            Some(p) => format!(
                "FAIL: the copy is not the verified set: {counts}; first: {}",
                text::located_message(p)
            ),
            None => format!("FAIL: the copy is not the verified set: {counts} (warnings with --strict)"),
        },
    }
}
