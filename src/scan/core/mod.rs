//! The scan core: checking a database, a log, a checkpoint or a flush map is a state machine fed
//! by its caller, who holds the bytes (docs/ARCHITECTURE.md, "The scan core").
//!
//! | file | checker | fed with |
//! |---|---|---|
//! | database | [`DatabaseChecker`] | the file size and its first bytes (both header copies), then page buffers of any size in any order, from several threads at once, and holes |
//! | flush map | [`FlushMapChecker`] | the file size and its header page, then page buffers in any order, and holes |
//! | log | [`LogChecker`] | the file size, then its bytes in order, in buffers of any size |
//! | checkpoint | [`CheckpointChecker`] | the file size, then its bytes in order |
//!
//! Each `finish` returns the same result (`DbCheck`, `LogCheck`, `CheckpointCheck`,
//! `FlushMapCheck`), problems in the same order, as the file scan of `scan::database`,
//! `scan::log`, `scan::checkpoint` and `scan::flushmap`, which are built on these checkers:
//! they map the file and feed it, and keep for themselves what only a file has (mapping and its
//! release, holes found with `SEEK_HOLE`, 4 MiB chunks in parallel, the manifest's CRCs,
//! progress). A buffer is read, never modified, and never kept after the call that lent it.
//!
//! Every byte of the file must reach the checker once, as bytes or inside a hole: a range fed
//! twice is refused by the call that repeats it ([`FeedError::AlreadyFed`], no effect on the
//! result) and a range never fed makes `finish` fail with a [`CheckError`] naming it (could not
//! check, exit 2). Nothing here panics on what it is fed.
//!
//! The rules are functions: each page, segment, header and checkpoint rule is a function of its
//! own taking a small context (the page or segment, the file's size, its header), with a doc
//! comment naming the engine function or ESE-FORMAT.md section and CLI.md Decision it follows and
//! a unit test beside it; a checker only puts them in order.
//!
//! No I/O here, no threads of its own, no progress: this module names only `checksum`, `format`,
//! the ground floor and the pure parts of `scan` (`classify`, `header_copies`, and the types
//! `scan::file::Stamp` and `scan::crc::FileCrc` that `LogCheck` carries for its callers); a unit
//! test below keeps it so.

pub(crate) mod checkpoint;
pub(crate) mod database;
pub(crate) mod fixed_pages;
pub(crate) mod flushmap;
pub(crate) mod log;
pub(crate) mod logical;
pub(crate) mod lost_flush;
pub(crate) mod page_facts;

pub use checkpoint::CheckpointChecker;
pub use database::DatabaseChecker;
pub use flushmap::FlushMapChecker;
pub use log::LogChecker;

use crate::error::CheckError;
use std::collections::BTreeMap;
use std::ops::Range;

/// Why a checker refused a buffer or a hole. The call has no effect: the checker is as before.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// A page buffer or hole that does not start on a page boundary, or that ends inside a page
    /// before the end of the file.
    #[error("bytes {start}..{end} do not start and end on {page_size}-byte page boundaries")]
    Unaligned {
        /// First byte offset of the buffer.
        start: u64,
        /// Offset after its last byte.
        end: u64,
        /// The page size of the file.
        page_size: usize,
    },
    /// Bytes beyond the file size the checker was made with.
    #[error("bytes {start}..{end} lie beyond the end of the {file_size}-byte file")]
    PastEnd {
        /// First byte offset of the buffer.
        start: u64,
        /// Offset after its last byte.
        end: u64,
        /// The file size the checker was made with.
        file_size: u64,
    },
    /// Some of these bytes were fed, or declared a hole, before.
    #[error("bytes {start}..{end} overlap bytes fed or declared a hole before")]
    AlreadyFed {
        /// First byte offset of the buffer.
        start: u64,
        /// Offset after its last byte.
        end: u64,
    },
}

/// The byte ranges of a file a checker has been given (as bytes or as holes): disjoint,
/// adjacent ranges merged, so a file fed in order or in chunks is a handful of entries.
#[derive(Debug, Default)]
pub(crate) struct Coverage {
    /// start → end.
    ranges: BTreeMap<u64, u64>,
}

impl Coverage {
    /// Adds `r` unless it overlaps a range given before (then nothing changes). Empty ranges
    /// are always accepted.
    pub(crate) fn claim(&mut self, r: Range<u64>) -> Result<(), FeedError> {
        if r.is_empty() {
            return Ok(());
        }
        let overlap = FeedError::AlreadyFed {
            start: r.start,
            end: r.end,
        };
        let before = self.ranges.range(..=r.start).next_back().map(|(&s, &e)| (s, e));
        if before.is_some_and(|(_, e)| e > r.start) {
            return Err(overlap);
        }
        let after = self.ranges.range(r.start..).next().map(|(&s, &e)| (s, e));
        if after.is_some_and(|(s, _)| s < r.end) {
            return Err(overlap);
        }
        let (mut start, mut end) = (r.start, r.end);
        if let Some((s, e)) = before.filter(|&(_, e)| e == r.start) {
            self.ranges.remove(&s);
            start = s;
            end = end.max(e);
        }
        if let Some((s, e)) = after.filter(|&(s, _)| s == r.end) {
            self.ranges.remove(&s);
            end = e;
        }
        self.ranges.insert(start, end);
        Ok(())
    }

    /// The first part of `want` not given, if any.
    pub(crate) fn first_gap(&self, want: Range<u64>) -> Option<Range<u64>> {
        let mut at = want.start;
        for (&s, &e) in self.ranges.range(..want.end) {
            if e <= at {
                continue;
            }
            if s > at {
                return Some(at..s.min(want.end));
            }
            at = e;
            if at >= want.end {
                return None;
            }
        }
        (at < want.end).then_some(at..want.end)
    }
}

/// The error `finish` returns when part of the file never reached the checker.
pub(crate) fn never_fed(path: &str, gap: Range<u64>) -> CheckError {
    CheckError::new(
        path,
        format!(
            "bytes {}..{} of the file were never given to the check ({} bytes); it cannot say what they hold",
            gap.start,
            gap.end,
            gap.end - gap.start
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_merges_neighbours_and_refuses_overlaps_without_change() {
        let mut c = Coverage::default();
        c.claim(10..20).unwrap();
        c.claim(30..40).unwrap();
        c.claim(20..30).unwrap();
        assert_eq!(c.ranges.len(), 1, "{:?}", c.ranges);
        assert_eq!(c.claim(35..50), Err(FeedError::AlreadyFed { start: 35, end: 50 }));
        assert_eq!(c.claim(0..11), Err(FeedError::AlreadyFed { start: 0, end: 11 }));
        assert_eq!(c.claim(12..13), Err(FeedError::AlreadyFed { start: 12, end: 13 }));
        assert!(c.claim(5..5).is_ok());
        assert_eq!(c.first_gap(0..40), Some(0..10));
        assert_eq!(c.first_gap(10..40), None);
        assert_eq!(c.first_gap(10..45), Some(40..45));
        c.claim(0..10).unwrap();
        c.claim(45..50).unwrap();
        assert_eq!(c.first_gap(0..50), Some(40..45));
        assert_eq!(c.first_gap(0..40), None);
    }

    /// The core does no I/O and starts no thread: its product code names no file, mapping,
    /// thread pool, progress bar or the file scans built on it.
    #[test]
    fn the_core_names_no_io_threads_or_progress() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/scan/core");
        let banned = [
            "std::fs",
            "std::io",
            "std::thread",
            "rayon",
            "indicatif",
            "memmap2",
            "libc",
            "scan::file::",
            "scan::crc::",
            "scan::progress",
            "scan::database",
            "scan::log::",
            "scan::set",
            "scan::stream",
        ];
        let allowed = ["scan::file::Stamp", "scan::crc::FileCrc"];
        let mut files = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let product = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            for line in product.lines().filter(|l| !l.trim_start().starts_with("//")) {
                let mut rest = line.to_string();
                for a in allowed {
                    rest = rest.replace(a, "");
                }
                for b in banned {
                    assert!(!rest.contains(b), "{}: {line}", path.display());
                }
            }
            files += 1;
        }
        assert_eq!(
            files, 9,
            "mod, database, log, checkpoint, flushmap, fixed_pages, lost_flush, logical, page_facts"
        );
    }

    #[test]
    fn coverage_claimed_in_any_order_is_whole() {
        // Pages 0..64 claimed in a scrambled order: whole, and one range.
        let mut c = Coverage::default();
        for k in 0..64u64 {
            let p = (k * 37) % 64;
            c.claim(p * 10..p * 10 + 10).unwrap();
        }
        assert_eq!(c.first_gap(0..640), None);
        assert_eq!(c.ranges.len(), 1);
    }
}
