//! The manifest's commands (CLI.md "Manifest"): writing the manifest of a verified set
//! (`verify --manifest`), atomically and never over an input, and `esecheck compare MANIFEST
//! PATH...`. Wiring only: the format and the decision are in
//! [`report::manifest`](crate::report::manifest), the hashing in [`scan::crc`](crate::scan::crc)
//! and [`scan::copy`](crate::scan::copy).

use crate::error::CheckError;
use crate::report::manifest;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `verify --manifest FILE [--block-size N]`.
#[derive(Debug, Clone)]
pub(crate) struct ManifestTarget {
    /// Where the manifest goes.
    pub path: PathBuf,
    /// Bytes per block CRC.
    pub block_size: u64,
}

/// Refuses a manifest target that would replace an input or any file that is not an earlier
/// manifest, before anything is scanned (exit 2).
pub(crate) fn check_target(target: &ManifestTarget, inputs: &[PathBuf]) -> Result<(), CheckError> {
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
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CheckError> {
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

/// Reads and checks a manifest file (exit 2 when it cannot be used).
pub(crate) fn read_manifest(path: &Path) -> Result<manifest::Manifest, CheckError> {
    let meta = std::fs::metadata(path).map_err(|e| CheckError::io(path, &e))?;
    if meta.len() > manifest::MAX_MANIFEST_BYTES {
        return Err(CheckError::new(path, "is larger than any manifest (256 MiB at most)"));
    }
    let input = crate::scan::Input::open(path)?;
    manifest::parse(input.bytes()).map_err(|e| CheckError::new(path, e.0))
}
