//! Walking the directories named on the command line: one place for how an entry that is not a
//! regular file (a FIFO, a device, a dangling link, a loop) is treated.

use crate::error::CheckError;
use crate::scan::stream::{IgnoreKind, Ignored};
use std::path::PathBuf;

/// What `checksum` is given to check: each file named, and the regular files of each directory
/// named; the entries set aside; the directories named (to tell when one held no ESE file).
#[derive(Debug, Default)]
pub struct ChecksumInputs {
    /// `(path, named)`: `true` for a file named on the command line.
    pub files: Vec<(PathBuf, bool)>,
    /// Entries of the directories that are not regular files.
    pub ignored: Vec<Ignored>,
    /// The directories named.
    pub dirs: Vec<PathBuf>,
}

/// The files `checksum` checks: each file named (`true`: named), and the regular files of each
/// directory named (`false`), sorted, subdirectories too with `recursive`. Entries of a
/// directory that are not regular files are returned as ignored (a FIFO is never opened); the
/// third list is the directories named, to tell when one held no ESE file.
pub fn expand_checksum_inputs(paths: &[PathBuf], recursive: bool) -> Result<ChecksumInputs, CheckError> {
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    let mut dirs = Vec::new();
    for p in paths {
        if !std::fs::metadata(p).is_ok_and(|m| m.is_dir()) {
            // Missing, unreadable or special: check_file says why, naming it.
            files.push((p.clone(), true));
            continue;
        }
        dirs.push(p.clone());
        let mut stack = vec![p.clone()];
        // Directories already walked, so that a link loop ends.
        let mut seen = std::collections::BTreeSet::new();
        while let Some(d) = stack.pop() {
            if !seen.insert(std::fs::canonicalize(&d).unwrap_or_else(|_| d.clone())) {
                continue;
            }
            let rd = std::fs::read_dir(&d).map_err(|e| CheckError::io(&d, &e))?;
            let mut entries: Vec<PathBuf> = Vec::new();
            for e in rd {
                entries.push(e.map_err(|e| CheckError::io(&d, &e))?.path());
            }
            entries.sort();
            let mut subdirs = Vec::new();
            for path in entries {
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => files.push((path, false)),
                    Ok(m) if m.is_dir() => {
                        if recursive {
                            subdirs.push(path);
                        }
                    }
                    Ok(_) => ignored.push(Ignored::new(
                        path.display().to_string(),
                        IgnoreKind::NotRegular,
                        "not a regular file",
                    )),
                    Err(err) => ignored.push(Ignored::new(
                        path.display().to_string(),
                        IgnoreKind::NotRegular,
                        format!("cannot be read ({err})"),
                    )),
                }
            }
            // Depth first, in name order.
            stack.extend(subdirs.into_iter().rev());
        }
    }
    Ok(ChecksumInputs { files, ignored, dirs })
}
