//! The I/O of `esecheck compare` (CLI.md "Manifest"): finds, under the copy's root, each file a manifest
//! lists and hashes it (CRC-32 of the whole file and of its blocks, in parallel over the mapped
//! file as the scans read), and lists the files beside them that the manifest does not list.
//! Returns what it found, with the identity (device, inode, birth time) of each file it opened;
//! whether that is a difference, or the verified set itself, is
//! [`report::manifest`](crate::report::manifest)'s decision.

use crate::error::CheckError;
use crate::scan::classify::FileKind;
use crate::scan::crc::{crc_input, FileCrc};
use crate::scan::file::{FileId, Input};
use crate::scan::progress::Progress;
use crate::scan::set::{canonical_file, deepest_common_dir, relative_to};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What the copy holds for one file of the manifest.
#[derive(Debug, Clone)]
pub(crate) enum Found {
    /// The file, hashed.
    Hashed {
        /// Its CRCs.
        crc: FileCrc,
        /// Which file was read (through any link), from the open it was hashed through.
        id: FileId,
    },
    /// No such file in the copy.
    Missing,
}

/// A file of the copy that the manifest does not list.
#[derive(Debug, Clone)]
pub(crate) struct Extra {
    /// Its path relative to the copy's root, `/`-separated.
    pub rel: String,
    /// What its bytes (then its name) say it is.
    pub kind: FileKind,
    /// Its size.
    pub size: u64,
    /// Its CRCs, when its size is that of a file missing from the copy (a renamed file).
    pub crc: Option<FileCrc>,
}

/// Everything found in the copy.
#[derive(Debug, Clone)]
pub(crate) struct CopyScan {
    /// The copy's root: the deepest directory holding every path given (canonical).
    pub root: PathBuf,
    /// For each file of the manifest (in its order), what the copy holds.
    pub found: Vec<Found>,
    /// Files beside them, or named, that the manifest does not list, by path.
    pub extras: Vec<Extra>,
    /// Each PATH as the user gave it, with where it leads: a directory made canonical, a file
    /// its directory made canonical joined with its name (as the files of `found` are reached).
    pub named: Vec<(PathBuf, PathBuf)>,
}

/// Hashes the copy of the files `wanted` (paths relative to the copy's root, as in a manifest,
/// with their sizes) under `paths`, in blocks of `block_size` bytes. Extras are the regular files
/// of each directory named, of each directory holding a wanted file, and the files named, that
/// are not wanted; `exclude` (the manifest itself, when it lies in the copy) is never one.
///
/// `Err` means the copy could not be checked (exit 2): a path given is missing, a file of the
/// copy cannot be read.
pub(crate) fn scan_copy(
    wanted: &[(String, u64)],
    paths: &[PathBuf],
    block_size: u64,
    exclude: Option<&Path>,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<CopyScan, CheckError> {
    use rayon::prelude::*;
    for p in paths {
        std::fs::metadata(p).map_err(|e| CheckError::io(p, &e))?;
    }
    let root = deepest_common_dir(paths);
    let excluded = exclude.map(canonical_file);
    let wanted_set: BTreeSet<&str> = wanted.iter().map(|(r, _)| r.as_str()).collect();

    // Where extras are looked for: the directories named, and those of the manifest's files.
    let mut dirs: BTreeSet<PathBuf> = paths.iter().filter(|p| p.is_dir()).cloned().collect();
    if !dirs.is_empty() {
        for (rel, _) in wanted {
            if let Some(parent) = Path::new(rel).parent() {
                let d = root.join(parent);
                if d.is_dir() {
                    dirs.insert(d);
                }
            }
        }
    }
    let mut candidates: BTreeMap<String, PathBuf> = BTreeMap::new();
    for d in &dirs {
        for e in crate::scan::walk::list_dir(d)? {
            if e.kind == crate::scan::walk::EntryKind::File {
                if let Some(rel) = relative_to(&root, &e.path) {
                    candidates.entry(rel).or_insert(e.path);
                }
            }
        }
    }
    for p in paths.iter().filter(|p| p.is_file()) {
        if let Some(rel) = relative_to(&root, p) {
            candidates.entry(rel).or_insert_with(|| p.clone());
        }
    }

    let progress = progress.map(Progress::new);
    let targets: Vec<PathBuf> = wanted.iter().map(|(rel, _)| join_rel(&root, rel)).collect();
    if let Some(p) = &progress {
        let present: Vec<&Path> = targets.iter().filter(|t| t.is_file()).map(PathBuf::as_path).collect();
        let (n, bytes) = crate::scan::progress::total_size(present);
        p.set_total(n, bytes);
    }
    let found: Vec<Result<Found, CheckError>> = targets
        .par_iter()
        .map(|t| {
            if std::fs::symlink_metadata(t).is_err() {
                return Ok(Found::Missing);
            }
            if let Some(p) = &progress {
                p.file_started(t);
            }
            let input = Input::open(t)?;
            let crc = crc_input(&input, block_size, progress.as_ref());
            if let Some(p) = &progress {
                p.file_finished(t);
            }
            Ok(Found::Hashed {
                crc,
                id: input.stamp().id(),
            })
        })
        .collect();
    let found: Vec<Found> = found.into_iter().collect::<Result<_, _>>()?;

    // Sizes of the files missing from the copy: an extra of the same size is hashed, to tell a
    // renamed file from a new one.
    let missing_sizes: BTreeSet<u64> = wanted
        .iter()
        .zip(&found)
        .filter(|(_, f)| matches!(f, Found::Missing))
        .map(|((_, size), _)| *size)
        .collect();
    let extra_paths: Vec<(String, PathBuf)> = candidates
        .into_iter()
        .filter(|(rel, p)| !wanted_set.contains(rel.as_str()) && excluded.as_ref() != Some(&canonical_file(p)))
        .collect();
    let extras: Vec<Result<Extra, CheckError>> = extra_paths
        .into_par_iter()
        .map(|(rel, path)| {
            let head = crate::scan::file::read_head(&path)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let kind = crate::scan::classify::classify(&head, &name).kind;
            let size = std::fs::metadata(&path).map_err(|e| CheckError::io(&path, &e))?.len();
            let crc = if missing_sizes.contains(&size) {
                Some(crate::scan::crc::crc_file(&path, block_size)?)
            } else {
                None
            };
            Ok(Extra { rel, kind, size, crc })
        })
        .collect();
    let named = paths
        .iter()
        .map(|p| {
            let to = if p.is_dir() {
                crate::scan::set::canonical(p)
            } else {
                canonical_file(p)
            };
            (p.clone(), to)
        })
        .collect();
    Ok(CopyScan {
        root,
        found,
        extras: extras.into_iter().collect::<Result<_, _>>()?,
        named,
    })
}

/// `root` joined with a `/`-separated relative path, component by component (so it works with
/// the platform's separator).
pub(crate) fn join_rel(root: &Path, rel: &str) -> PathBuf {
    let mut p = root.to_path_buf();
    for part in rel.split('/') {
        p.push(part);
    }
    p
}
