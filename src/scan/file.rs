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

    /// Tells the kernel this process is done, for now, with `bytes()[offset..offset + len]`: the
    /// whole 4 KiB pages inside the range are unmapped from the process (they stay in the page
    /// cache), so a scan's resident set stays at the chunks in flight instead of growing to the
    /// file size (issue 5). Reading the range again is allowed and sees the same bytes. Ranges
    /// outside the file and errors are ignored: this is only a hint. A no-op off Unix.
    pub fn release(&self, offset: usize, len: usize) {
        #[cfg(unix)]
        if let Some(m) = &self.map {
            const PAGE: usize = 4096;
            let end = offset.saturating_add(len).min(m.len()) / PAGE * PAGE;
            let start = offset.div_ceil(PAGE) * PAGE;
            if start < end {
                // SAFETY: `m` is a read-only MAP_SHARED mapping of a regular file (Mmap::map).
                // MADV_DONTNEED on such a mapping only drops page-table entries: the next access
                // faults the same page back in from the page cache, so bytes behind any live
                // `&[u8]` into the map still read as the file's contents (with the same caveat
                // as the map itself: another process rewriting the file). It would zero private
                // or anonymous memory, which this never is.
                let _ = unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
            }
        }
        #[cfg(not(unix))]
        let _ = (offset, len);
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
    fn released_ranges_read_back_the_same_bytes() {
        use std::io::Write;
        let data: Vec<u8> = (0..(1usize << 20)).map(|i| (i * 7 % 251) as u8).collect();
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&data).unwrap();
        f.flush().unwrap();
        let input = Input::open(f.path()).unwrap();
        assert_eq!(input.bytes(), &data[..]);
        input.release(4096, 512 << 10);
        input.release(100, 5000); // unaligned: only whole pages inside are dropped
        input.release(1 << 20, 4096); // past the end: ignored
        input.release(0, usize::MAX);
        assert_eq!(input.bytes(), &data[..]);
    }

    #[test]
    fn an_empty_file_maps_to_no_bytes() {
        let f = tempfile::NamedTempFile::new().unwrap();
        assert!(Input::open(f.path()).unwrap().bytes().is_empty());
    }
}
