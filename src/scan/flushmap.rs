//! Flush maps (`.jfm`, ESE-FORMAT.md §8; CLI.md Decision 8): the file scan that feeds the
//! [`FlushMapChecker`] of the scan core, where the rules live
//! (`crate::scan::core::flushmap`): 4 MiB chunks in parallel, holes declared unread, each chunk
//! hashed for a manifest and released once checked. Works on bytes the caller mapped; opens
//! nothing.

use crate::error::CheckError;
use crate::problem::Problem;
use crate::scan::core::flushmap::{header_page, FlushMapChecker};
use crate::scan::core::FeedError;
use crate::verdict::Verdict;

pub(crate) use crate::scan::core::flushmap::{FlushMapCheck, FlushMapHeaderCheck, FM_PAGE};

/// Checks the header page (file page 0) of a flush map held in `bytes` (the whole file, or at
/// least its first 8192 bytes when it has them). Every finding is a warning: the caller decides
/// what a bad header means (`checksum`: a warning, Decision 8; `header`: a failure, as /MH fails
/// a database whose header is unusable).
pub(crate) fn check_flush_map_header(bytes: &[u8], path: &str) -> FlushMapHeaderCheck {
    header_page(path, &bytes[..bytes.len().min(FM_PAGE)], bytes.len() as u64)
}

/// How a flush map is scanned; the default reads every page and releases nothing.
#[derive(Default, Clone, Copy)]
pub struct FlushMapOptions<'a> {
    /// Called from any thread with `(offset, len)` of each range the scan has finished with, as
    /// for databases ([`crate::scan::database::DbOptions::release`]): a 16 GiB flush map stays at
    /// the chunks in flight, not its size, in the resident set (docs/PERFORMANCE.md).
    pub release: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// Byte ranges known to read as zeros ([`crate::scan::file::Input::holes`]): an all-zero
    /// data page is neither damaged nor counted, so pages wholly inside are skipped unread.
    pub holes: &'a [std::ops::Range<usize>],
    /// When set, every data page read is also hashed into this collector, and every page of a
    /// hole gets the CRC of zeros (`verify --manifest`, CLI.md "Manifest"), as for databases.
    pub crc: Option<&'a crate::scan::crc::FileCrcs>,
}

/// Data pages checked per task: 4 MiB, as for databases.
const PAGES_PER_CHUNK: usize = (4 << 20) / FM_PAGE;

/// Checks a flush map held in `bytes`, reading every page.
pub fn check_flush_map(bytes: &[u8], path: &str) -> FlushMapCheck {
    check_flush_map_with(bytes, path, &FlushMapOptions::default())
}

/// Checks a flush map held in `bytes`, with the scan's hints (`opts`).
pub fn check_flush_map_with(bytes: &[u8], path: &str, opts: &FlushMapOptions<'_>) -> FlushMapCheck {
    let checked = FlushMapChecker::new(path, bytes.len() as u64, &bytes[..bytes.len().min(FM_PAGE)]).and_then(|c| {
        feed_pages(&c, bytes, opts).map_err(|e| CheckError::new(path, e.to_string()))?;
        c.finish()
    });
    // The pages are fed exactly once above, so the checker has nothing to refuse; were it to,
    // the flush map is reported as not checked rather than passed.
    checked.unwrap_or_else(|e| FlushMapCheck {
        path: path.into(),
        kind: crate::scan::classify::FileKind::FlushMap,
        verdict: Verdict::Error,
        pages_seen: 0,
        bad_checksums: 0,
        correctable_checksums: 0,
        bad_pages: Vec::new(),
        correctable_pages: Vec::new(),
        problems: vec![Problem::error(None, path, e.message)],
    })
}

/// Feeds the data pages of `bytes` (after the header page) in parallel over 4 MiB chunks: pages
/// wholly inside a hole declared unread (and hashed as zeros), the others fed in runs and hashed
/// after their checks, each chunk released once done.
fn feed_pages(checker: &FlushMapChecker, bytes: &[u8], opts: &FlushMapOptions<'_>) -> Result<(), FeedError> {
    use crate::scan::file::first_hole_after;
    use rayon::prelude::*;
    let range = checker.data_range();
    let data = &bytes[range.start as usize..range.end as usize];
    let per_chunk = PAGES_PER_CHUNK * FM_PAGE;
    data.par_chunks(per_chunk).enumerate().try_for_each(|(ci, chunk)| {
        let chunk_offset = FM_PAGE + ci * per_chunk;
        let mut hole = first_hole_after(opts.holes, chunk_offset);
        let mut crc = opts.crc.map(|c| c.range(chunk_offset as u64));
        crate::scan::database::feed_chunk(
            chunk,
            chunk_offset,
            FM_PAGE,
            opts.holes,
            &mut hole,
            crc.as_mut(),
            |at, b| checker.feed(at, b),
            |r| checker.hole(r),
        )
        .map(drop)?;
        if let Some(h) = crc {
            h.done();
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
    use crate::checksum::ecc::ecc_block;
    use crate::checksum::legacy_checksum;

    /// A flush map of a header page and `data` data pages, each sealed as the engine seals it.
    fn flush_map(data: usize) -> Vec<u8> {
        let mut b = vec![0u8; (1 + data) * FM_PAGE];
        b[4] = 3;
        b[667] = 7;
        let ck = legacy_checksum(&b[..FM_PAGE]);
        b[..4].copy_from_slice(&ck.to_le_bytes());
        for k in 1..=data {
            let page = &mut b[k * FM_PAGE..(k + 1) * FM_PAGE];
            page[8] = 0x40 + k as u8;
            page[16..20].copy_from_slice(&((k - 1) as u32).to_le_bytes());
            page[37] = 0x20;
            page[100 + k] = 0x5A;
            let ck = ecc_block(page, (k - 1) as u32, true);
            page[..8].copy_from_slice(&ck.to_le_bytes());
        }
        b
    }

    #[test]
    fn sound_flush_map_passes_with_no_problem() {
        let c = check_flush_map(&flush_map(2), "x.jfm");
        assert_eq!((c.verdict, c.pages_seen, c.bad_checksums), (Verdict::Pass, 3, 0));
        assert!(c.problems.is_empty() && c.bad_pages.is_empty() && c.correctable_pages.is_empty());
    }

    #[test]
    fn flush_map_single_bit_error_is_counted_correctable() {
        let mut b = flush_map(2);
        b[2 * FM_PAGE + 3000] ^= 0x04; // file page 2 = fmpgno 1
        let c = check_flush_map(&b, "x.jfm");
        assert_eq!((c.correctable_checksums, c.bad_checksums), (1, 0));
        assert_eq!(c.correctable_pages, vec![1]);
        assert_eq!(c.verdict, Verdict::Pass, "Decision 8: a warning");
        assert_eq!(c.problems.len(), 1);
        assert!(!c.problems[0].is_error());
        assert_eq!(c.problems[0].page, Some(1));
        assert!(c.problems[0].message.contains("bit 24002"), "{}", c.problems[0].message);
        assert_eq!(c.verdict.under_strict(&c.problems, true), Verdict::Fail, "--strict");
    }

    #[test]
    fn flush_map_bad_pages_are_counted_in_ascending_fmpgno_order() {
        let mut b = flush_map(3);
        b[3 * FM_PAGE + 200] ^= 0xFF; // fmpgno 2
        b[FM_PAGE + 300] ^= 0x81; // fmpgno 0
        b[500] ^= 1; // header, fmpgno -1
        let c = check_flush_map(&b, "x.jfm");
        assert_eq!(c.bad_checksums, 3);
        assert_eq!(c.bad_pages, vec![-1, 0, 2]);
        assert_eq!(c.verdict, Verdict::Pass);
        assert!(c.problems.iter().all(|p| !p.is_error()));
        assert_eq!(c.verdict.under_strict(&c.problems, true), Verdict::Fail);
    }

    #[test]
    fn flush_map_cut_inside_its_header_warns_without_counting_a_page() {
        let b = flush_map(1);
        let c = check_flush_map(&b[..5000], "x.jfm");
        assert_eq!((c.pages_seen, c.bad_checksums), (0, 0));
        assert_eq!(c.verdict, Verdict::Pass);
        assert_eq!(c.problems.len(), 2, "{:?}", c.problems);
        let h = check_flush_map_header(&b[..5000], "x.jfm");
        assert!(!h.header_ok && h.header.is_some());
        assert!(!check_flush_map_header(&b[..100], "x.jfm").header_ok);
    }
}
