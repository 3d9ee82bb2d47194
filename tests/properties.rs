//! Property tests over pages and segments built by the fixture writer (issue 6 item 2): what the
//! tests in `tests/testkit.rs` do not already cover.

use esecheck::checksum::page::{verify_page, verify_segment, PageStatus};
use esecheck::scan::check_log;
use esecheck::testkit::damage::{flip_bit, page_offset};
use esecheck::testkit::db::{seal_page, DbBuilder};
use esecheck::testkit::log::LogBuilder;
use proptest::prelude::*;

const PAGE_SIZES: [usize; 5] = [2048, 4096, 8192, 16384, 32768];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    }
}

/// A valid page of `ps` bytes at `pgno` with random body bytes.
fn random_page(ps: usize, pgno: u32, body: &[u8]) -> Vec<u8> {
    let mut p = DbBuilder::new(ps).pages(pgno.max(1)).page(pgno);
    let start = if ps >= 16384 { 80 } else { 40 };
    for (i, b) in p[start..].iter_mut().enumerate() {
        *b = body[i % body.len()];
    }
    seal_page(&mut p, pgno);
    p
}

proptest! {
    #![proptest_config(config())]

    /// Random content sealed by the writer verifies: the writer and the checker agree.
    #[test]
    fn sealed_random_pages_verify(size in 0usize..5, pgno in 1u32..100_000, body in prop::collection::vec(any::<u8>(), 1..64)) {
        let ps = PAGE_SIZES[size];
        let p = random_page(ps, pgno, &body);
        prop_assert_eq!(verify_page(&p, pgno, 100_000).status, PageStatus::Good);
    }

    /// A flipped bit of the stored checksum of block 0 is reported bad, never corrected.
    #[test]
    fn flipped_stored_checksum_bit_is_bad(size in 0usize..5, bit in 0usize..64, body in prop::collection::vec(any::<u8>(), 1..64)) {
        let ps = PAGE_SIZES[size];
        let mut p = random_page(ps, 7, &body);
        flip_bit(&mut p, bit);
        prop_assert_eq!(verify_page(&p, 7, 100).status, PageStatus::Bad);
    }

    /// A valid page written at another page number fails there and names its real number.
    #[test]
    fn page_at_the_wrong_place_is_caught(size in 0usize..5, real in 1u32..5000, at in 1u32..5000, body in prop::collection::vec(any::<u8>(), 1..64)) {
        prop_assume!(real != at);
        let ps = PAGE_SIZES[size];
        let p = random_page(ps, real, &body);
        let c = verify_page(&p, at, 5000);
        prop_assert_eq!(c.status, PageStatus::Bad);
        prop_assert_eq!(c.wrong_pgno, Some(real));
    }

    /// Any single bit of a log data segment outside its stored checksum and format flag is
    /// located exactly, and the log still passes with one correctable segment.
    #[test]
    fn single_bit_in_a_log_segment_is_located(isec in 1usize..7, bit in 64usize..32768) {
        prop_assume!(bit != 301);
        let mut log = LogBuilder::new(9).data_segments(6).build();
        let seg_start = isec * 4096;
        flip_bit(&mut log[seg_start..seg_start + 4096], bit);
        let c = verify_segment(&log[seg_start..seg_start + 4096], isec as u32);
        prop_assert_eq!(c.status, PageStatus::Correctable);
        prop_assert_eq!(c.corrected_bits(), &[bit as u32]);
        let whole = check_log(&log, "E0000009.log").unwrap();
        prop_assert_eq!(whole.correctable_sectors, 1);
        prop_assert!(whole.problems.iter().all(|p| !p.is_error()));
    }
}

#[test]
fn page_offset_matches_the_spec_layout() {
    // ESE-FORMAT.md §2: logical page 1 starts at 2 * cbPage.
    assert_eq!(page_offset(8192, 1), 2 * 8192);
}
