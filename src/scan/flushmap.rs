//! Flush maps (`.jfm`, ESE-FORMAT.md §8): an 8 KiB header page with the legacy checksum, then
//! 8 KiB data pages with the new-format checksum at `pgno = file page − 1`. Damage here is a
//! warning, never a failure (CLI.md Decision 8): the flush map is rebuilt by the engine.
//!
//! Pages are numbered as the engine numbers them (`fmpgno`): −1 for the header page, 0, 1, … for
//! the data pages (file page k holds fmpgno k − 1), the way eseutil's flush-map check reports
//! them. Works on bytes the caller mapped; opens nothing.

use crate::checksum::legacy::{legacy_checksum, legacy_checksum_ok};
use crate::checksum::page::{verify_segment, PageCheck, PageStatus};
use crate::codes::JetErr;
use crate::format::common::filetype;
use crate::format::flush_map::{FlushMapFileHeader, FM_HEADER_FMPGNO, FM_PAGE_SIZE};
use crate::problem::Problem;
use crate::verdict::Verdict;
use serde::Serialize;

/// Flush-map page size.
pub const FM_PAGE: usize = FM_PAGE_SIZE;

/// What a flush map's header page says and whether it verifies (for `esecheck header FILE.jfm`).
#[derive(Debug, Clone, Serialize)]
pub struct FlushMapHeaderCheck {
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

/// Checks the header page (file page 0) of a flush map held in `bytes`. Every finding is a
/// warning: the caller decides what a bad header means (`checksum`: a warning, Decision 8;
/// `header`: a failure, as /MH fails a database whose header is unusable).
pub fn check_flush_map_header(bytes: &[u8], path: &str) -> FlushMapHeaderCheck {
    let page = bytes.get(..FM_PAGE).unwrap_or(bytes);
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
                "flush map header page is incomplete: the file ends at {} bytes, before the 8192-byte header page does",
                bytes.len()
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

/// The result of checking a flush map.
#[derive(Debug, Clone, Serialize)]
pub struct FlushMapCheck {
    /// The file.
    pub path: String,
    /// Always `"flushmap"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
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

/// How a flush map is scanned; the default reads every page and releases nothing.
#[derive(Default, Clone, Copy)]
pub struct FlushMapOptions<'a> {
    /// Called from any thread with `(offset, len)` of each range the scan has finished with, as
    /// for databases ([`crate::scan::database::DbOptions::release`]): a 16 GiB flush map stays at
    /// the chunks in flight, not its size, in the resident set (issue 12).
    pub release: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// Byte ranges known to read as zeros ([`crate::scan::file::Input::holes`]): an all-zero
    /// data page is neither damaged nor counted, so pages wholly inside are skipped unread.
    pub holes: &'a [std::ops::Range<usize>],
    /// When set, every data page read is also hashed into this collector, and every page of a
    /// hole gets the CRC of zeros (`verify --manifest`, issue 16), as for databases.
    pub crc: Option<&'a crate::scan::crc::FileCrcs>,
}

/// Data pages checked per task: 4 MiB, as for databases.
const PAGES_PER_CHUNK: usize = (4 << 20) / FM_PAGE;

/// Checks a flush map held in `bytes`, reading every page.
pub fn check_flush_map(bytes: &[u8], path: &str) -> FlushMapCheck {
    check_flush_map_with(bytes, path, &FlushMapOptions::default())
}

/// The damaged data pages of `data` (the pages after the header page, `data` starting at file
/// offset [`FM_PAGE`]), in parallel over 4 MiB chunks, in page order: `(fmpgno, check)`.
fn damaged_data_pages(data: &[u8], opts: &FlushMapOptions<'_>) -> Vec<(u32, PageCheck)> {
    use crate::scan::file::{first_hole_after, in_hole};
    use rayon::prelude::*;
    let per_chunk = PAGES_PER_CHUNK * FM_PAGE;
    let chunks: Vec<Vec<(u32, PageCheck)>> = data
        .par_chunks(per_chunk)
        .enumerate()
        .map(|(ci, chunk)| {
            let mut found = Vec::new();
            let chunk_offset = FM_PAGE + ci * per_chunk;
            let mut hole = first_hole_after(opts.holes, chunk_offset);
            let mut crc = opts.crc.map(|c| c.range(chunk_offset as u64));
            for (i, page) in chunk.chunks_exact(FM_PAGE).enumerate() {
                let offset = chunk_offset + i * FM_PAGE;
                if in_hole(opts.holes, &mut hole, offset, offset + FM_PAGE) {
                    if let Some(h) = crc.as_mut() {
                        h.zeros(FM_PAGE as u64);
                    }
                    continue;
                }
                let fmpgno = u32::try_from(ci * PAGES_PER_CHUNK + i).unwrap_or(u32::MAX);
                let check = verify_segment(page, fmpgno);
                // After the check, while the page is in the core's cache.
                if let Some(h) = crc.as_mut() {
                    h.update(page);
                }
                if matches!(check.status, PageStatus::Correctable | PageStatus::Bad) {
                    found.push((fmpgno, check));
                }
            }
            if let Some(h) = crc {
                h.done();
            }
            if let Some(release) = opts.release {
                release(chunk_offset, chunk.len());
            }
            found
        })
        .collect();
    chunks.into_iter().flatten().collect()
}

/// Checks a flush map held in `bytes`, with the scan's hints (`opts`).
pub fn check_flush_map_with(bytes: &[u8], path: &str, opts: &FlushMapOptions<'_>) -> FlushMapCheck {
    let pages = bytes.chunks_exact(FM_PAGE);
    let pages_seen = pages.len() as u64;
    let head = check_flush_map_header(bytes, path);
    let mut c = FlushMapCheck {
        path: path.to_string(),
        kind: "flushmap",
        verdict: Verdict::Pass,
        pages_seen,
        bad_checksums: 0,
        correctable_checksums: 0,
        bad_pages: Vec::new(),
        correctable_pages: Vec::new(),
        problems: head.problems,
    };
    if pages_seen > 0 && !head.header_ok {
        c.bad_checksums += 1;
        c.bad_pages.push(FM_HEADER_FMPGNO);
    }
    let data = bytes.get(FM_PAGE..(pages_seen as usize) * FM_PAGE).unwrap_or_default();
    for (fmpgno, check) in damaged_data_pages(data, opts) {
        let offset = (u64::from(fmpgno) + 1) * FM_PAGE as u64;
        match check.status {
            PageStatus::Good | PageStatus::Uninitialized => {}
            PageStatus::Correctable => {
                c.correctable_checksums += 1;
                c.correctable_pages.push(i64::from(fmpgno));
                c.problems.push(data_page_problem(path, fmpgno, &check, offset));
            }
            PageStatus::Bad => {
                c.bad_checksums += 1;
                c.bad_pages.push(i64::from(fmpgno));
                c.problems.push(data_page_problem(path, fmpgno, &check, offset));
            }
        }
    }
    if bytes.len() % FM_PAGE != 0 || pages_seen == 0 {
        c.problems.push(Problem::warning(
            None,
            path,
            format!("flush map size {} is not a multiple of 8192 bytes", bytes.len()),
        ));
    }
    c.verdict = Verdict::from_problems(&c.problems, false);
    c
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::ecc_block;

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
