//! Progress over a whole run (CLI.md "Common options", progress): the bytes of every file to check, which file is
//! being checked and how many of how many. The bar itself (indicatif, on stderr, only on a
//! terminal) is created and drawn by the command; the scans only advance it. Prints nothing.
//!
//! The bar counts bytes read, never holes: a sparse file's holes are not read (their pages are
//! counted as uninitialized unread), so they would otherwise jump the bar forward in no time and
//! make the rate, and with it the ETA of the bytes still to read, a lie. The total starts as the
//! files' sizes (listed before any file is opened, when holes are not known yet) and shrinks by
//! each hole once its file is opened and the hole skipped (`advance`): the bar always ends at
//! its length, and its rate and ETA are those of reading.

use indicatif::ProgressBar;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A run's progress: a bar over bytes, with "n of m: FILE" as its message.
pub struct Progress<'a> {
    bar: &'a ProgressBar,
    started: AtomicUsize,
    files: AtomicUsize,
    /// Files being checked now, oldest first, with their numbers: the message names the oldest
    /// (the one the run waits for), not whichever started last.
    running: Mutex<Vec<(usize, String)>>,
}

impl<'a> Progress<'a> {
    /// Progress on `bar`.
    pub fn new(bar: &'a ProgressBar) -> Self {
        Progress {
            bar,
            started: AtomicUsize::new(0),
            files: AtomicUsize::new(0),
            running: Mutex::new(Vec::new()),
        }
    }

    /// The bar, for scans that advance it themselves (a database's pages).
    pub(crate) fn bar(&self) -> &'a ProgressBar {
        self.bar
    }

    /// The run will check `files` files of `bytes` bytes in all: the bar gets its length, and
    /// its clock (for the rate and the ETA) starts now, not when the inputs were being listed.
    pub fn set_total(&self, files: usize, bytes: u64) {
        self.files.store(files, Ordering::Relaxed);
        self.bar.set_length(bytes);
        self.bar.set_position(0);
        self.bar.reset_eta();
        self.bar.reset_elapsed();
    }

    /// A file is being started.
    pub(crate) fn file_started(&self, path: &Path) {
        let n = self.started.fetch_add(1, Ordering::Relaxed) + 1;
        let name = path
            .file_name()
            .map(|s| crate::escape::escape_controls(&s.to_string_lossy()).into_owned())
            .unwrap_or_default();
        if let Ok(mut r) = self.running.lock() {
            r.push((n, name));
        }
        self.show();
    }

    /// A file is done.
    pub(crate) fn file_finished(&self, path: &Path) {
        let name = path
            .file_name()
            .map(|s| crate::escape::escape_controls(&s.to_string_lossy()).into_owned())
            .unwrap_or_default();
        if let Ok(mut r) = self.running.lock() {
            if let Some(i) = r.iter().position(|(_, x)| *x == name) {
                r.remove(i);
            }
        }
        self.show();
    }

    /// "n of m: NAME" of the oldest file still being checked.
    fn show(&self) {
        let m = self.files.load(Ordering::Relaxed);
        let first = self.running.lock().ok().and_then(|r| r.first().cloned());
        if let Some((n, name)) = first {
            self.bar.set_message(format!("{n} of {}: {name}", m.max(n)));
        }
    }

    /// `bytes` more were checked.
    pub(crate) fn inc(&self, bytes: u64) {
        self.bar.inc(bytes);
    }
}

/// Accounts for one stretch of a file on `bar`: `read` bytes were read and checked (the bar
/// moves by them), `skipped` bytes were holes, not read (the total shrinks by them and the bar
/// does not move).
pub(crate) fn advance(bar: &ProgressBar, read: u64, skipped: u64) {
    if skipped > 0 {
        bar.dec_length(skipped);
    }
    if read > 0 {
        bar.inc(read);
    }
}

/// Accounts for a whole file of `len` bytes checked at once (a log, checkpoint or flush map):
/// its holes (`holes`, as [`crate::scan::file::Input::holes`]) are not counted as read.
pub(crate) fn file_checked(bar: &ProgressBar, len: u64, holes: &[std::ops::Range<usize>]) {
    let skipped = holes.iter().map(|h| (h.end - h.start) as u64).sum::<u64>().min(len);
    advance(bar, len - skipped, skipped);
}

/// The total size of `paths` (files that cannot be read count 0: they fail on their own).
pub(crate) fn total_size<'p>(paths: impl IntoIterator<Item = &'p Path>) -> (usize, u64) {
    let mut n = 0;
    let mut bytes = 0;
    for p in paths {
        n += 1;
        bytes += std::fs::metadata(p).map_or(0, |m| m.len());
    }
    (n, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_shrink_the_total_and_never_move_the_bar() {
        // A 10 MiB file: 4 MiB read, a 4 MiB hole, 2 MiB read.
        let bar = ProgressBar::hidden();
        let p = Progress::new(&bar);
        p.set_total(1, 10 << 20);
        advance(&bar, 4 << 20, 0);
        assert_eq!((bar.position(), bar.length()), (4 << 20, Some(10 << 20)));
        advance(&bar, 0, 4 << 20);
        assert_eq!((bar.position(), bar.length()), (4 << 20, Some(6 << 20)));
        advance(&bar, 2 << 20, 0);
        assert_eq!((bar.position(), bar.length()), (6 << 20, Some(6 << 20)));
    }

    #[test]
    fn a_whole_file_counts_its_bytes_less_its_holes() {
        let bar = ProgressBar::hidden();
        Progress::new(&bar).set_total(2, 100_000);
        file_checked(&bar, 60_000, &[8192..16384, 40960..49152]);
        assert_eq!((bar.position(), bar.length()), (60_000 - 16384, Some(100_000 - 16384)));
        file_checked(&bar, 40_000, &[]);
        assert_eq!((bar.position(), bar.length()), (83_616, Some(83_616)));
    }
}
