//! Walking the directories named on the command line: the one directory listing every command
//! reads ([`list_dir`]), and one place for how an entry that is not a regular file (a FIFO, a
//! device, a dangling link, a loop) is treated.

use crate::error::CheckError;
use crate::scan::stream::{IgnoreKind, Ignored};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What a directory entry is, following symbolic links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A regular file (or a link to one).
    File,
    /// A directory (or a link to one).
    Dir,
    /// Anything else: a FIFO, a socket, a device.
    Other,
    /// Its metadata could not be read (a dangling link, a link loop, no permission): why.
    Unreadable(String),
}

/// One entry of a directory, as [`list_dir`] lists it.
#[derive(Debug, Clone)]
pub(crate) struct DirEntry {
    /// The directory joined with the entry's name, as it will be shown.
    pub path: PathBuf,
    /// The entry's name (its last component).
    pub name: OsString,
    /// What it is.
    pub kind: EntryKind,
}

/// The entries of `dir`, in name order: the one directory listing of `checksum`, `verify`,
/// `logs` and `compare`. A plain file's type is taken from the directory itself (no `stat` per
/// entry, which matters for a stream of many thousand logs); links and anything else are
/// followed with `stat`. `Err` (naming `dir`) when the directory cannot be read.
pub(crate) fn list_dir(dir: &Path) -> Result<Vec<DirEntry>, CheckError> {
    let rd = std::fs::read_dir(dir).map_err(|e| CheckError::io(dir, &e))?;
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| CheckError::io(dir, &e))?;
        let path = entry.path();
        let kind = if entry.file_type().is_ok_and(|t| t.is_file()) {
            EntryKind::File
        } else {
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => EntryKind::File,
                Ok(m) if m.is_dir() => EntryKind::Dir,
                Ok(_) => EntryKind::Other,
                Err(err) => EntryKind::Unreadable(err.to_string()),
            }
        };
        out.push(DirEntry {
            path,
            name: entry.file_name(),
            kind,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// What `checksum` is given to check: each file named, and the regular files of each directory
/// named; the entries set aside; the directories named (to tell when one held no ESE file).
#[derive(Debug, Default)]
pub(crate) struct ChecksumInputs {
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
pub(crate) fn expand_checksum_inputs(paths: &[PathBuf], recursive: bool) -> Result<ChecksumInputs, CheckError> {
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
            let mut subdirs = Vec::new();
            for e in list_dir(&d)? {
                match e.kind {
                    EntryKind::File => files.push((e.path, false)),
                    EntryKind::Dir => {
                        if recursive {
                            subdirs.push(e.path);
                        }
                    }
                    EntryKind::Other => ignored.push(Ignored::new(
                        e.path.display().to_string(),
                        IgnoreKind::NotRegular,
                        "not a regular file",
                    )),
                    EntryKind::Unreadable(err) => ignored.push(Ignored::new(
                        e.path.display().to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_dir_lists_every_entry_in_name_order_with_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.log"), b"x").unwrap();
        std::fs::write(dir.path().join("a.edb"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("c")).unwrap();
        let names = |v: &[DirEntry]| v.iter().map(|e| (e.name.clone(), e.kind.clone())).collect::<Vec<_>>();
        #[cfg_attr(not(unix), allow(unused_mut))]
        let mut want = vec![
            ("a.edb".into(), EntryKind::File),
            ("b.log".into(), EntryKind::File),
            ("c".into(), EntryKind::Dir),
        ];
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("d.log")).unwrap();
            std::os::unix::fs::symlink(dir.path().join("a.edb"), dir.path().join("e.edb")).unwrap();
            let fifo = std::ffi::CString::new(dir.path().join("f").as_os_str().as_encoded_bytes()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
            let listed = list_dir(dir.path()).unwrap();
            assert!(matches!(&listed[3].kind, EntryKind::Unreadable(why) if !why.is_empty()));
            want.push(("d.log".into(), listed[3].kind.clone()));
            want.push(("e.edb".into(), EntryKind::File));
            want.push(("f".into(), EntryKind::Other));
        }
        let listed = list_dir(dir.path()).unwrap();
        assert_eq!(names(&listed), want);
        assert_eq!(listed[0].path, dir.path().join("a.edb"));
    }

    #[test]
    fn a_directory_that_cannot_be_listed_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone");
        let err = list_dir(&missing).unwrap_err();
        assert!(
            err.to_string().starts_with(&format!("{}: ", missing.display())),
            "{err}"
        );
    }
}
