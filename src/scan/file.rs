//! Opening an input read-only and mapping it into memory.
//!
//! Files are opened with read access only and mapped read-only: esecheck never writes to what it
//! verifies. Anything that is not a regular file (a directory, a device, a FIFO) is refused with a
//! could-not-check error naming the path.

use crate::error::CheckError;
use memmap2::Mmap;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A regular file opened read-only, its bytes mapped.
pub struct Input {
    path: PathBuf,
    map: Option<Mmap>,
}

impl Input {
    /// Opens `path` read-only and maps it. Empty files are allowed (they map to no bytes).
    pub fn open(path: &Path) -> Result<Input, CheckError> {
        let meta = std::fs::metadata(path).map_err(|e| CheckError::io(path, &e))?;
        if meta.is_dir() {
            return Err(CheckError::new(path, "is a directory, not a file"));
        }
        if !meta.is_file() {
            return Err(CheckError::new(path, "is not a regular file (device, pipe or socket)"));
        }
        let file = File::open(path).map_err(|e| CheckError::io(path, &e))?;
        let map = if meta.len() == 0 {
            None
        } else {
            // SAFETY: the map is read-only and private to this process. Another process that
            // truncates the file while we read it can still raise SIGBUS; see issue 6.
            let m = unsafe { Mmap::map(&file) }.map_err(|e| CheckError::io(path, &e))?;
            #[cfg(unix)]
            {
                let _ = m.advise(memmap2::Advice::Sequential);
            }
            Some(m)
        };
        Ok(Input {
            path: path.to_path_buf(),
            map,
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path for messages.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let e = Input::open(dir.path()).err().unwrap();
        assert!(e.message.contains("directory"));
        assert_eq!(e.path, dir.path().display().to_string());
    }

    #[test]
    fn a_missing_file_is_refused_by_name() {
        let e = Input::open(Path::new("/nonexistent/x.edb")).err().unwrap();
        assert_eq!(e.to_string(), "/nonexistent/x.edb: no such file or directory");
    }

    #[test]
    fn an_empty_file_maps_to_no_bytes() {
        let f = tempfile::NamedTempFile::new().unwrap();
        assert!(Input::open(f.path()).unwrap().bytes().is_empty());
    }
}
