//! The flush-map checker (`.jfm`, ESE-FORMAT.md §8; CLI.md Decision 8): an 8 KiB header page with
//! the legacy checksum, then 8 KiB data pages with the new-format checksum at `pgno = file page −
//! 1`, fed as a database is, in any order and from any thread, with holes. Damage here is a
//! warning, never a failure: the engine rebuilds a flush map.
//!
//! Pages are numbered as the engine numbers them (`fmpgno`): −1 for the header page, 0, 1, … for
//! the data pages (file page k holds fmpgno k − 1), the way eseutil's flush-map check reports
//! them. The rules: `header_page` (when the checker is made), `data_page` (on every page fed),
//! `data_page_problem` and `size_not_whole_pages` (at the end).

use crate::checksum::legacy::{legacy_checksum, legacy_checksum_ok};
use crate::checksum::page::{verify_segment, PageCheck, PageStatus};
use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::common::filetype;
use crate::format::flush_map::{FlushMapFileHeader, FM_HEADER_FMPGNO, FM_PAGE_SIZE};
use crate::problem::Problem;
use crate::scan::classify::FileKind;
use crate::scan::core::{never_fed, Coverage, FeedError};
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use std::ops::Range;
use std::sync::Mutex;

/// Flush-map page size.
pub(crate) const FM_PAGE: usize = FM_PAGE_SIZE;

/// What a flush map's header page says and whether it verifies (for `esecheck header FILE.jfm`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FlushMapHeaderCheck {
    /// The whole 8192-byte header page is present and its legacy checksum verifies.
    pub header_ok: bool,
    /// `checksum` @0 as stored.
    pub stored_checksum: u32,
    /// The legacy XOR computed over the header page (over the bytes present when it is cut short).
    pub computed_checksum: u32,
    /// The fields, when at least FMFILEHDR's 671 bytes are present (shown even when the checksum
    /// fails, as a database header dump does, for the examiner).
    pub header: Option<FlushMapFileHeader>,
    /// Warnings about the header page (checksum, size, file type).
    pub problems: Vec<Problem>,
}

/// The result of checking a flush map.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FlushMapCheck {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// Always [`FileKind::FlushMap`] (`"flushmap"` in JSON).
    #[serde(rename = "type")]
    #[schemars(schema_with = "crate::scan::classify::always::flushmap")]
    pub kind: FileKind,
    /// pass: flush-map damage is a warning (`--strict` is applied by the caller).
    pub verdict: Verdict,
    /// Pages in the file, header included.
    pub pages_seen: u64,
    /// Pages whose checksum fails and cannot be corrected (header page included).
    pub bad_checksums: u64,
    /// Data pages with a single-bit error the engine would correct (§4.4).
    pub correctable_checksums: u64,
    /// Flush-map page numbers of the bad pages, ascending (−1 = header page).
    pub bad_pages: Vec<i64>,
    /// Flush-map page numbers of the correctable pages, ascending.
    pub correctable_pages: Vec<i64>,
    /// Warnings only.
    pub problems: Vec<Problem>,
}

/// CLI.md Decision 8, ESE-FORMAT.md §8: the header page (file page 0, the first 8192 bytes of a
/// file of `file_size` bytes; `head` holds what the file has of them) verifies with the legacy
/// XOR; cut short or failing it is a warning, and so is a verified header of another file type.
/// The caller decides what a bad header means (`checksum`: a warning; `header`: a failure, as
/// /MH fails a database whose header is unusable).
pub(crate) fn header_page(path: &str, head: &[u8], file_size: u64) -> FlushMapHeaderCheck {
    let page = head.get(..FM_PAGE).unwrap_or(head);
    let header = FlushMapFileHeader::parse(page).ok();
    let stored = header.as_ref().map_or(0, |h| h.checksum);
    let computed = legacy_checksum(page);
    let complete = page.len() == FM_PAGE;
    let header_ok = complete && legacy_checksum_ok(page);
    let mut problems = Vec::new();
    if !complete {
        problems.push(Problem::warning(
            Some(JetErr::ReadVerifyFailure),
            path,
            format!(
                "flush map header page is incomplete: the file ends at {file_size} bytes, before the 8192-byte header page does"
            ),
        ));
    } else if !header_ok {
        problems.push(
            Problem::warning(
                Some(JetErr::ReadVerifyFailure),
                path,
                format!(
                    "flush map header page (page -1) checksum mismatch (stored 0x{stored:08X}, computed 0x{computed:08X}); the engine rebuilds flush maps"
                ),
            )
            .at_page(FM_HEADER_FMPGNO)
            .at_offset(0),
        );
    }
    if let Some(h) = header.as_ref().filter(|_| header_ok) {
        if h.filetype != filetype::UNKNOWN && h.filetype != filetype::FLUSH_MAP {
            problems.push(Problem::warning(
                Some(JetErr::FileInvalidType),
                path,
                format!("filetype is {}, not 7 (flush map)", h.filetype),
            ));
        }
    }
    FlushMapHeaderCheck {
        header_ok,
        stored_checksum: stored,
        computed_checksum: computed,
        header,
        problems,
    }
}

/// Checks a flush map whose bytes the caller feeds: made from the file size and its first
/// `FM_PAGE` bytes (the header page; fewer when the file is shorter), then fed every data page
/// once, as bytes or in a hole, in any order and from any number of threads, then finished —
/// with the contract of [`DatabaseChecker`](crate::scan::core::DatabaseChecker) (page-aligned
/// buffers, a page fed twice refused, a page never fed a could-not-check error).
///
/// ```
/// use esecheck::scan::core::FlushMapChecker;
///
/// let mut file = esecheck::testkit::FlushMapBuilder::new().data_pages(5).build();
/// file[3 * 8192 + 500] ^= 0xFF; // fmpgno 2
/// let size = file.len() as u64;
/// let checker = FlushMapChecker::new("x.jfm", size, &file[..8192])?;
/// checker.feed(3 * 8192, &file[3 * 8192..])?;
/// checker.feed(0, &file[..3 * 8192])?;
/// let c = checker.finish()?;
/// assert_eq!(c.bad_pages, vec![2]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FlushMapChecker {
    path: String,
    file_size: u64,
    head: FlushMapHeaderCheck,
    acc: Mutex<(Vec<(u32, PageCheck)>, Coverage)>,
}

impl FlushMapChecker {
    /// A checker for the flush map `path` of `file_size` bytes whose first bytes are `head`
    /// (exactly `min(file_size, 8192)` of them): the header page is checked now. `Err` only for
    /// a `head` of the wrong length.
    pub fn new(path: &str, file_size: u64, head: &[u8]) -> Result<FlushMapChecker, CheckError> {
        let want = usize::try_from(file_size).map_or(FM_PAGE, |n| n.min(FM_PAGE));
        if head.len() != want {
            return Err(CheckError::new(
                path,
                format!(
                    "the check was given {} bytes of the file's start, not the {want} of its header page",
                    head.len()
                ),
            ));
        }
        Ok(FlushMapChecker {
            path: path.into(),
            file_size,
            head: header_page(path, head, file_size),
            acc: Mutex::new((Vec::new(), Coverage::default())),
        })
    }

    /// The bytes of the data pages, every one of which must be fed or declared a hole.
    pub fn data_range(&self) -> Range<u64> {
        let end = self.file_size / FM_PAGE as u64 * FM_PAGE as u64;
        (FM_PAGE as u64).min(end)..end
    }

    /// Checks the pages of `bytes`, which hold the file from byte `offset` on. Safe to call
    /// from several threads at once.
    pub fn feed(&self, offset: u64, bytes: &[u8]) -> Result<(), FeedError> {
        let ps = FM_PAGE as u64;
        let end = offset.saturating_add(bytes.len() as u64);
        if end > self.file_size {
            return Err(FeedError::PastEnd {
                start: offset,
                end,
                file_size: self.file_size,
            });
        }
        if offset % ps != 0 || (end % ps != 0 && end != self.file_size) {
            return Err(FeedError::Unaligned {
                start: offset,
                end,
                page_size: FM_PAGE,
            });
        }
        let data = self.data_range();
        let (start, stop) = (offset.max(data.start), end.min(data.end));
        if start >= stop {
            return Ok(());
        }
        let pages = &bytes[(start - offset) as usize..(stop - offset) as usize];
        let first = start / ps - 1;
        let found: Vec<(u32, PageCheck)> = pages
            .chunks_exact(FM_PAGE)
            .enumerate()
            .filter_map(|(i, page)| {
                let fmpgno = u32::try_from(first + i as u64).unwrap_or(u32::MAX);
                data_page(fmpgno, page).map(|c| (fmpgno, c))
            })
            .collect();
        let mut acc = self.acc.lock().unwrap_or_else(|e| e.into_inner());
        acc.1.claim(start..stop)?;
        acc.0.extend(found);
        Ok(())
    }

    /// Declares the bytes `range` zero without giving them: the whole data pages inside are
    /// all-zero pages, which are no damage (Decision 8) and are not counted; the pages it covers
    /// in part must be fed. Safe to call from several threads at once.
    pub fn hole(&self, range: Range<u64>) -> Result<(), FeedError> {
        if range.end > self.file_size {
            return Err(FeedError::PastEnd {
                start: range.start,
                end: range.end,
                file_size: self.file_size,
            });
        }
        let ps = FM_PAGE as u64;
        let data = self.data_range();
        let start = range.start.div_ceil(ps).saturating_mul(ps).max(data.start);
        let stop = (range.end / ps * ps).min(data.end);
        if start < stop {
            let mut acc = self.acc.lock().unwrap_or_else(|e| e.into_inner());
            acc.1.claim(start..stop)?;
        }
        Ok(())
    }

    /// The result, once every data page was fed or declared a hole. `Err` when some never was.
    pub fn finish(self) -> Result<FlushMapCheck, CheckError> {
        let data = self.data_range();
        let (mut found, coverage) = self.acc.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(gap) = coverage.first_gap(data) {
            return Err(never_fed(&self.path, gap));
        }
        let path = self.path.as_str();
        let pages_seen = self.file_size / FM_PAGE as u64;
        let mut c = FlushMapCheck {
            path: path.into(),
            kind: FileKind::FlushMap,
            verdict: Verdict::Pass,
            pages_seen,
            bad_checksums: 0,
            correctable_checksums: 0,
            bad_pages: Vec::new(),
            correctable_pages: Vec::new(),
            problems: self.head.problems,
        };
        if pages_seen > 0 && !self.head.header_ok {
            c.bad_checksums += 1;
            c.bad_pages.push(FM_HEADER_FMPGNO);
        }
        found.sort_by_key(|f| f.0);
        for (fmpgno, check) in found {
            let offset = (u64::from(fmpgno) + 1) * FM_PAGE as u64;
            if check.status == PageStatus::Correctable {
                c.correctable_checksums += 1;
                c.correctable_pages.push(i64::from(fmpgno));
            } else {
                c.bad_checksums += 1;
                c.bad_pages.push(i64::from(fmpgno));
            }
            c.problems.push(data_page_problem(path, fmpgno, &check, offset));
        }
        c.problems.extend(size_not_whole_pages(path, self.file_size));
        c.verdict = Verdict::from_problems(&c.problems, false);
        Ok(c)
    }
}

/// ESE-FORMAT.md §8, CLI.md Decision 8: a data page is checked with the XOR-ECC checksum at its
/// flush-map page number, whatever its flags; an all-zero page is no damage. `Some` for a
/// correctable or bad page.
fn data_page(fmpgno: u32, page: &[u8]) -> Option<PageCheck> {
    let check = verify_segment(page, fmpgno);
    matches!(check.status, PageStatus::Correctable | PageStatus::Bad).then_some(check)
}

/// A damaged data page in words, a warning (Decision 8): correctable naming its bits as for
/// database pages (§4.4), or a mismatch.
fn data_page_problem(path: &str, fmpgno: u32, check: &PageCheck, offset: u64) -> Problem {
    let message = if check.status == PageStatus::Correctable {
        let bits: Vec<String> = check.corrected_bits().iter().map(|b| b.to_string()).collect();
        format!(
            "flush map page {fmpgno} checksum verification failed but the corruption (bit {}) can be corrected (stored {}, computed {}); the engine rebuilds flush maps",
            bits.join(", bit "),
            check.stored,
            check.computed
        )
    } else {
        format!(
            "flush map page {fmpgno} checksum mismatch (stored {}, computed {}); the engine rebuilds flush maps",
            check.stored, check.computed
        )
    };
    Problem::warning(Some(JetErr::ReadVerifyFailure), path, message)
        .at_page(i64::from(fmpgno))
        .at_offset(offset)
}

/// ESE-FORMAT.md §8: a flush map is whole 8192-byte pages; a file that is not (or holds no whole
/// page) warns.
fn size_not_whole_pages(path: &str, file_size: u64) -> Option<Problem> {
    (file_size % FM_PAGE as u64 != 0 || file_size < FM_PAGE as u64).then(|| {
        Problem::warning(
            None,
            path,
            format!("flush map size {file_size} is not a multiple of 8192 bytes"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::FlushMapBuilder;

    fn json(c: &FlushMapCheck) -> String {
        serde_json::to_string(c).unwrap()
    }

    fn whole(file: &[u8]) -> FlushMapCheck {
        let size = file.len() as u64;
        let c = FlushMapChecker::new("x.jfm", size, &file[..file.len().min(FM_PAGE)]).unwrap();
        c.feed(0, file).unwrap();
        c.finish().unwrap()
    }

    #[test]
    fn the_header_page_warns_when_cut_short_failing_or_of_another_type() {
        let file = FlushMapBuilder::new().data_pages(1).build();
        assert!(header_page("x.jfm", &file, file.len() as u64).problems.is_empty());
        let h = header_page("x.jfm", &file[..5000], 5000);
        assert!(!h.header_ok && h.header.is_some());
        assert!(h.problems[0].message.contains("ends at 5000 bytes"));
        let mut bad = file.clone();
        bad[500] ^= 1;
        let h = header_page("x.jfm", &bad, bad.len() as u64);
        assert_eq!((h.header_ok, h.problems[0].page), (false, Some(-1)));
        let mut typed = file.clone();
        typed[667] = 3;
        crate::testkit::damage::reseal_legacy_header(&mut typed[..FM_PAGE]);
        let h = header_page("x.jfm", &typed, typed.len() as u64);
        assert_eq!(h.problems[0].code, Some(JetErr::FileInvalidType));
    }

    #[test]
    fn a_data_page_is_damaged_when_its_checksum_fails_and_zero_pages_are_none() {
        let file = FlushMapBuilder::new().data_pages(2).build();
        assert!(data_page(0, &file[FM_PAGE..2 * FM_PAGE]).is_none());
        assert!(data_page(0, &[0u8; FM_PAGE]).is_none());
        let mut page = file[FM_PAGE..2 * FM_PAGE].to_vec();
        page[3000] ^= 0x04;
        assert_eq!(data_page(0, &page).unwrap().status, PageStatus::Correctable);
        assert!(!data_page_problem("x.jfm", 0, &data_page(0, &page).unwrap(), 8192).is_error());
        page[4000] ^= 0xFF;
        assert_eq!(data_page(0, &page).unwrap().status, PageStatus::Bad);
        assert!(
            data_page(1, &file[FM_PAGE..2 * FM_PAGE]).is_some(),
            "at another page number"
        );
    }

    #[test]
    fn a_size_that_is_not_whole_pages_warns() {
        assert!(size_not_whole_pages("x.jfm", 3 * 8192).is_none());
        assert!(size_not_whole_pages("x.jfm", 3 * 8192 + 1).is_some());
        assert!(size_not_whole_pages("x.jfm", 5000).is_some());
    }

    #[test]
    fn pages_fed_reversed_or_in_holes_give_the_one_buffer_result() {
        let mut file = FlushMapBuilder::new().data_pages(40).build();
        file[3 * FM_PAGE + 10] ^= 0x10;
        file[9 * FM_PAGE + 10] ^= 0xFF;
        file[20 * FM_PAGE..30 * FM_PAGE].fill(0);
        file.extend_from_slice(&[5u8; 100]);
        let one = json(&whole(&file));
        let c = FlushMapChecker::new("x.jfm", file.len() as u64, &file[..FM_PAGE]).unwrap();
        let n = file.len() / FM_PAGE;
        c.feed((n * FM_PAGE) as u64, &file[n * FM_PAGE..]).unwrap();
        for p in (0..n).rev().filter(|p| !(20..30).contains(p)) {
            c.feed((p * FM_PAGE) as u64, &file[p * FM_PAGE..(p + 1) * FM_PAGE])
                .unwrap();
        }
        assert!(c.finish().is_err(), "pages 20-29 never given");
        let c = FlushMapChecker::new("x.jfm", file.len() as u64, &file[..FM_PAGE]).unwrap();
        c.hole((20 * FM_PAGE) as u64..(30 * FM_PAGE) as u64).unwrap();
        assert!(matches!(c.feed(0, &file), Err(FeedError::AlreadyFed { .. })));
        c.feed(0, &file[..20 * FM_PAGE]).unwrap();
        c.feed((30 * FM_PAGE) as u64, &file[30 * FM_PAGE..]).unwrap();
        assert_eq!(json(&c.finish().unwrap()), one);
    }
}
