//! `eseutil /K` on a database file (ESE-FORMAT.md §5, §9.1; CLI.md Decisions 4–7): the file scan
//! that feeds the [`DatabaseChecker`] of the scan core. It keeps what only a file has: the
//! mapped bytes and their release, the holes of a sparse file, 4 MiB chunks checked in
//! parallel, the manifest's CRCs hashed while a chunk is in cache, and progress. Every rule lives
//! in `crate::scan::core::database`.

use crate::error::CheckError;
use crate::scan::core::database::DatabaseChecker;
use crate::scan::core::FeedError;
use crate::scan::file::{first_hole_after, in_hole};
use crate::scan::progress::advance;
use rayon::prelude::*;

pub use crate::scan::core::database::{
    attach_refusal, looks_temporary, refusal_problem, state_or_type_never_written, AttachRefusal, DbCheck,
    MAX_GENERATION, MAX_PAGE_PROBLEMS, MIN_FILE_LEN,
};
pub use crate::scan::core::logical::{TableSummary, TreeSummary};
pub use crate::scan::core::lost_flush::PersistedFlushMap;

/// Options for a database scan.
#[derive(Default, Clone)]
pub struct DbOptions<'a> {
    /// Advanced by the number of bytes checked, from any thread.
    pub progress: Option<&'a indicatif::ProgressBar>,
    /// Called from any thread with `(offset, len)` of each range of the input the page scan has
    /// finished with, so a caller holding a memory map can drop it from the resident set
    /// ([`crate::scan::file::Input::release`]); the scan never reads a released range again.
    pub release: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// Byte ranges of the input known to read as zeros (the holes of a sparse file,
    /// [`crate::scan::file::Input::holes`]): pages wholly inside one are counted as uninitialized
    /// without being read, exactly as reading their zeros would count them. Empty: every page is
    /// read.
    pub holes: &'a [std::ops::Range<usize>],
    /// When set, the page scan also hashes every page it reads (and gives each page of a hole
    /// the CRC of zeros) into this collector, in the same workers, while the page is in cache
    /// (`verify --manifest`, CLI.md "Manifest"); the header pages and a trailing partial page are left to
    /// [`FileCrcs::finish`](crate::scan::crc::FileCrcs::finish).
    pub crc: Option<&'a crate::scan::crc::FileCrcs>,
    /// Checked as a member of a backup set (`verify`): a header the engine refuses to attach or
    /// recover ([`attach_refusal`], CLI.md Decision 22) fails the file, an unknown state or file
    /// type included. Otherwise (`checksum`, eseutil /K) a refused state is a warning and an
    /// unknown state or file type cannot be checked (CLI.md Decision 2).
    pub in_set: bool,
    /// Skip the catalog, space and tree checks (`--no-logical`, CLI.md Decision 23).
    pub no_logical: bool,
    /// The persisted flush map beside the database, when the engine would use it (issue 22
    /// rule 3), with its path as shown: lost writes are found before the walk names them.
    pub flush_map: Option<(&'a str, &'a PersistedFlushMap)>,
}

/// Checks a database held in `bytes` (the whole file), named `path` in messages: the header
/// copies, then every page in 4 MiB chunks on the rayon pool, fed to a [`DatabaseChecker`].
///
/// `Err` means the file could not be checked (exit 2): shorter than 4096 bytes, no database magic,
/// or header values outside the sets ESE uses. Integrity problems are in the returned
/// [`DbCheck`].
pub fn check_database(bytes: &[u8], path: &str, opts: &DbOptions<'_>) -> Result<DbCheck, CheckError> {
    let size = bytes.len() as u64;
    let mut checker = DatabaseChecker::new(path, size, &bytes[..DatabaseChecker::head_len(size)], opts.in_set)?;
    if opts.no_logical {
        checker = checker.without_logical();
    }
    if let Some((shown, map)) = opts.flush_map {
        checker = checker.with_flush_map(shown, map);
    }
    if let Some(p) = opts.progress {
        p.inc((2 * checker.page_size()).min(bytes.len()) as u64);
    }
    feed_pages(&checker, bytes, opts).map_err(|e| CheckError::new(path, e.to_string()))?;
    let page_size = checker.page_size();
    // The walk reads the catalog's and space trees' pages again, and each tree's pages, from the
    // map: a range released above faults back in from the page cache.
    let page = |pgno: u32| {
        let start = (u64::from(pgno) + 1).checked_mul(page_size as u64)?;
        let start = usize::try_from(start).ok()?;
        bytes.get(start..start.checked_add(page_size)?)
    };
    checker.finish_reading(&page)
}

/// Bytes of pages the scan checks before hashing them for a manifest (`DbOptions::crc`): a few
/// pages, which stay in the core's L2 between the check and the hash. Hashing each page right
/// after its check costs half as much again as hashing every 128 KiB (`cargo bench --bench
/// kernels -- manifest_scan`), probably because each switch between the two loops interrupts
/// the stream the prefetcher was following through memory.
const CRC_BATCH: usize = 128 << 10;

/// Feeds one chunk of pages (`chunk`, at file offset `chunk_offset`, pages of `page_size`
/// bytes) to a checker through `feed` and `hole`: the pages wholly inside a hole of `holes`
/// (`hole` the cursor into them) declared without being read, the others fed in runs between
/// holes — in batches of [`CRC_BATCH`], each hashed into `crc` right after its check when a
/// manifest is wanted, the holes hashed as zeros. The one walk of the database and flush-map
/// file scans. Returns the bytes declared as holes (not read), for the progress.
#[allow(clippy::too_many_arguments)]
pub(crate) fn feed_chunk(
    chunk: &[u8],
    chunk_offset: usize,
    page_size: usize,
    holes: &[std::ops::Range<usize>],
    hole: &mut usize,
    mut crc: Option<&mut crate::scan::crc::RangeHasher<'_>>,
    feed: impl Fn(u64, &[u8]) -> Result<(), FeedError>,
    declare_hole: impl Fn(std::ops::Range<u64>) -> Result<(), FeedError>,
) -> Result<usize, FeedError> {
    let pages = chunk.len() / page_size;
    let mut skipped = 0;
    let mut in_a_hole = |i: usize| {
        let at = chunk_offset + i * page_size;
        in_hole(holes, hole, at, at + page_size)
    };
    let mut i = 0;
    while i < pages {
        let run = i;
        while i < pages && !in_a_hole(i) {
            i += 1;
        }
        let run_bytes = &chunk[run * page_size..i * page_size];
        let run_offset = chunk_offset + run * page_size;
        match crc.as_deref_mut() {
            Some(h) => {
                // After the checks of CRC_BATCH bytes, while they are still in the core's cache.
                for (k, batch) in run_bytes.chunks(CRC_BATCH).enumerate() {
                    feed((run_offset + k * CRC_BATCH) as u64, batch)?;
                    h.update(batch);
                }
            }
            None => feed(run_offset as u64, run_bytes)?,
        }
        let zeros = i;
        while i < pages && in_a_hole(i) {
            i += 1;
        }
        if zeros < i {
            declare_hole((chunk_offset + zeros * page_size) as u64..(chunk_offset + i * page_size) as u64)?;
            skipped += (i - zeros) * page_size;
            if let Some(h) = crc.as_deref_mut() {
                h.zeros(((i - zeros) * page_size) as u64);
            }
        }
    }
    Ok(skipped)
}

/// Feeds every data page of `bytes` to `checker`: 4 MiB chunks in parallel, the pages wholly
/// inside a hole declared without being read (never mapped, so never released), the others fed
/// in runs between holes — in batches of [`CRC_BATCH`] each hashed right after its check when a
/// manifest is wanted — then the chunk released and counted in the progress: its bytes read
/// move the bar, its holes shrink the total ([`crate::scan::progress::advance`]).
fn feed_pages(checker: &DatabaseChecker, bytes: &[u8], opts: &DbOptions<'_>) -> Result<(), FeedError> {
    let page_size = checker.page_size();
    let data_range = checker.data_range();
    let data_start = data_range.start as usize;
    let data = &bytes[data_start..data_range.end as usize];
    // Chunks of about 4 MiB amortise scheduling and keep each thread streaming through memory.
    let chunk_len = (4 << 20) / page_size.max(1) * page_size;
    let holes = opts.holes;
    data.par_chunks(chunk_len).enumerate().try_for_each(|(ci, chunk)| {
        let chunk_offset = data_start + ci * chunk_len;
        let mut hole = first_hole_after(holes, chunk_offset);
        let mut crc = opts.crc.map(|c| c.range(chunk_offset as u64));
        if in_hole(holes, &mut hole, chunk_offset, chunk_offset + chunk.len()) {
            checker.hole(chunk_offset as u64..(chunk_offset + chunk.len()) as u64)?;
            if let Some(mut h) = crc {
                h.zeros(chunk.len() as u64);
                h.done();
            }
            if let Some(p) = opts.progress {
                advance(p, 0, chunk.len() as u64);
            }
            return Ok(());
        }
        let skipped = feed_chunk(
            chunk,
            chunk_offset,
            page_size,
            holes,
            &mut hole,
            crc.as_mut(),
            |at, b| checker.feed(at, b),
            |r| checker.hole(r),
        )?;
        if let Some(h) = crc {
            h.done();
        }
        if let Some(p) = opts.progress {
            advance(p, (chunk.len() - skipped) as u64, skipped as u64);
        }
        if let Some(release) = opts.release {
            release(chunk_offset, chunk.len());
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::JetErr;
    use crate::scan::crc::{FileCrc, FileCrcs};
    use crate::testkit::DbBuilder;
    use crate::verdict::Verdict;

    /// The CRCs of `bytes` computed independently of the scan: crc32fast over the whole file
    /// and over each block.
    fn expected(bytes: &[u8], block: usize) -> FileCrc {
        FileCrc {
            size: bytes.len() as u64,
            crc32: crc32fast::hash(bytes),
            blocks: bytes.chunks(block).map(crc32fast::hash).collect(),
        }
    }

    #[test]
    fn a_refused_state_passes_checksum_with_a_warning_and_fails_verify() {
        // CLI.md Decision 22 through check_database: `checksum` passes with the warning,
        // `verify` fails; an unknown state cannot be checked alone (Decision 2) but fails a set
        // (−1206).
        let file = DbBuilder::new(4096).state(8).build();
        let alone = check_database(&file, "a.edb", &DbOptions::default()).unwrap();
        assert_eq!(alone.verdict, Verdict::Pass, "{:?}", alone.problems);
        let set = DbOptions {
            in_set: true,
            ..DbOptions::default()
        };
        let member = check_database(&file, "a.edb", &set).unwrap();
        assert_eq!(member.verdict, Verdict::Fail);
        assert_eq!(member.problems[0].code, Some(JetErr::DatabaseIncompleteRevert));
        let unknown = DbBuilder::new(4096).state(9).build();
        assert!(check_database(&unknown, "a.edb", &DbOptions::default()).is_err());
        let member = check_database(&unknown, "a.edb", &set).unwrap();
        assert_eq!(member.problems[0].code, Some(JetErr::DatabaseCorrupted));
        let odd_type = DbBuilder::new(4096).file_type(3).build();
        assert!(check_database(&odd_type, "a.edb", &DbOptions::default()).is_err());
        assert_eq!(check_database(&odd_type, "a.edb", &set).unwrap().verdict, Verdict::Fail);
    }

    #[test]
    fn the_page_scan_hashes_every_byte_once_in_batches_with_holes_as_zeros_unread() {
        // 4 KiB pages: 1024 a 4 MiB chunk and 32 a CRC batch. Holes: three pages inside a batch,
        // a run across batch boundaries, and one covering the whole second chunk and parts of
        // the first and third.
        let ps = 4096;
        // Free pages only: a blank page the database uses fails (issue 22 rule 2).
        let hole_pages = [33..=35u32, 40..=80, 1020..=2050];
        let mut b = DbBuilder::new(ps).pages(2100);
        for r in &hole_pages {
            for pgno in r.clone() {
                b = b.uninitialized(pgno);
            }
        }
        let file = b.build();
        // Page p lies at (p + 1) * page size: the two header copies come first.
        let holes: Vec<std::ops::Range<usize>> = hole_pages
            .iter()
            .map(|r| (*r.start() as usize + 1) * ps..(*r.end() as usize + 2) * ps)
            .collect();
        // What the scan is given holds garbage where the holes are: proof it never reads them.
        let mut shown = file.clone();
        for h in &holes {
            shown[h.clone()].fill(0xAA);
        }
        for block in [3 * ps, 1 << 20] {
            let c = FileCrcs::new(block as u64);
            let check = check_database(
                &shown,
                "t.edb",
                &DbOptions {
                    holes: &holes,
                    crc: Some(&c),
                    // The holes lie on pages of the table: this test is about the hashing.
                    no_logical: true,
                    ..DbOptions::default()
                },
            )
            .expect("checked");
            assert_eq!(check.verdict, Verdict::Pass, "{:?}", check.problems);
            assert_eq!(c.finish(&shown, &holes), expected(&file, block), "block {block}");
        }
        // Without holes every page is read and hashed.
        let c = FileCrcs::new(1 << 20);
        check_database(
            &file,
            "t.edb",
            &DbOptions {
                crc: Some(&c),
                ..DbOptions::default()
            },
        )
        .expect("checked");
        assert_eq!(c.finish(&file, &[]), expected(&file, 1 << 20));
    }
}
