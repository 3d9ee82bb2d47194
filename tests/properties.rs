//! Property tests over pages and segments built by the fixture writer (docs/CORRUPTION.md): what the
//! tests in `tests/testkit.rs` do not already cover.

use crate::util::PAGE_SIZES;
use esecheck::checksum::page::{verify_page, verify_segment, PageStatus};
use esecheck::scan::check_log;
use esecheck::testkit::damage::{flip_bit, page_offset};
use esecheck::testkit::db::{seal_page, DbBuilder};
use esecheck::testkit::log::LogBuilder;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 400,
        ..ProptestConfig::default()
    }
}

/// A valid page of `ps` bytes at `pgno` with random body bytes.
fn random_page(ps: usize, pgno: u32, body: &[u8]) -> Vec<u8> {
    // The header of the database root (always laid out), moved to `pgno`.
    let mut p = DbBuilder::new(ps).pages(1).page(1);
    let start = if ps >= 16384 { 80 } else { 40 };
    if ps >= 16384 {
        p[64..68].copy_from_slice(&pgno.to_le_bytes());
    }
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

    /// A valid page written at another page number fails there (a bad checksum, −1018) and
    /// names its real number as a hint.
    #[test]
    fn page_at_the_wrong_place_is_caught(size in 0usize..5, real in 1u32..5000, at in 1u32..5000, body in prop::collection::vec(any::<u8>(), 1..64)) {
        prop_assume!(real != at);
        let ps = PAGE_SIZES[size];
        let p = random_page(ps, real, &body);
        let c = verify_page(&p, at, 5000);
        prop_assert_eq!(c.status, PageStatus::Bad);
        prop_assert_eq!(c.verifies_as, Some(real));
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

// ---- The backup-set invariant (CLI.md Decision 14, the invariant) ---------------------------------------------

use esecheck::codes::JetErr;
use esecheck::format::{DbFileHeader, Signature};
use esecheck::problem::Problem;
use esecheck::report::set::{decide, CheckpointView, DbView, LogView, StreamView};
use esecheck::scan::database::refusal_problem;
use esecheck::testkit::db::default_log_signature;
use esecheck::testkit::{lgpos, logtime, signature};
use esecheck::verdict::Verdict;
use std::collections::BTreeMap;

/// A database header as the fixture writer lays it out, read back by the parser.
fn db_view(state: u32, lo: i32, hi: i32, consistent: i32, sig: Signature) -> DbView {
    let bytes = DbBuilder::new(4096)
        .state(state)
        .log_required(lo, hi)
        .lgpos_consistent(lgpos(consistent, 1, 0))
        .log_signature(sig)
        .header();
    DbView {
        path: format!("db-{state}-{lo}-{hi}.edb").into(),
        header: Some(DbFileHeader::parse(&bytes).unwrap()),
        page_size: 4096,
        pages_seen: 16,
        verdict: Verdict::Pass,
    }
}

fn sig_of(foreign: bool) -> Signature {
    if foreign {
        signature(0x0BAD_F00D, logtime(2023, 1, 2, 3, 4, 5))
    } else {
        default_log_signature()
    }
}

prop_compose! {
    /// Any header at all: states, ranges (unusable ones too), last consistent positions.
    fn any_db()(state in prop::sample::select(vec![1u32, 2, 3, 5, 6, 7, 8]),
                lo in -2i32..30, hi in -2i32..30, consistent in 0i32..30,
                foreign in prop::bool::weighted(0.2)) -> DbView {
        db_view(state, lo, hi, consistent, sig_of(foreign))
    }
}

prop_compose! {
    /// A dirty database whose range lies about where the logs are (5..=24).
    fn dirty_db()(state in prop::sample::select(vec![2u32, 7]), lo in 3i32..22, len in 0i32..6,
                  foreign in prop::bool::weighted(0.05)) -> DbView {
        db_view(state, lo, lo + len, lo, sig_of(foreign))
    }
}

prop_compose! {
    /// A clean database, on the stream or not, with or without a Last Consistent position.
    fn clean_db()(consistent in 0i32..30, foreign in prop::bool::weighted(0.3)) -> DbView {
        db_view(3, 0, 0, consistent, sig_of(foreign))
    }
}

fn arb_db() -> impl Strategy<Value = DbView> {
    prop_oneof![2 => clean_db(), 2 => dirty_db(), 1 => any_db()]
}

proptest! {
    #![proptest_config(config())]

    /// For every pass: `truncate_below` is a number, no greater than any generation of any
    /// database's Log Required range, nor than the set's checkpoint.
    #[test]
    fn truncate_below_never_exceeds_a_needed_generation_or_the_checkpoint(
        dbs in prop::collection::vec(arb_db(), 1..4),
        first in 3i32..10,
        count in prop_oneof![1 => Just(0i32), 4 => 1i32..18],
        damaged in prop::collection::vec(prop::bool::weighted(0.1), 18),
        with_current in prop::bool::weighted(0.8),
        chk in prop::option::weighted(0.8, (-1i32..30, prop::bool::weighted(0.1))),
    ) {
        let stream = (count > 0).then(|| {
            let mut logs = BTreeMap::new();
            let mut problems = Vec::new();
            for (i, g) in (first..first + count).enumerate() {
                let path = format!("E00{g:05X}.log");
                if damaged[i] {
                    problems.push(
                        Problem::error(Some(JetErr::LogFileCorrupt), &path, "segment 1 damaged")
                            .at_generation(i64::from(g)),
                    );
                }
                logs.insert(g, LogView { path: path.into(), intact: !damaged[i], signature: Some(sig_of(false)), page_size: Some(4096), created: None });
            }
            StreamView {
                base: "E00".into(),
                directory: ".".into(),
                signature: Some(sig_of(false)),
                logs,
                current: with_current.then_some(first + count - 1),
                problems,
                named_file_by_file: false,
            }
        });
        let checkpoint = chk.map(|(g, foreign)| CheckpointView {
            path: "E00.chk".into(),
            usable: true,
            generation: Some(g),
            in_use_generation: Some(g),
            signature: Some(sig_of(foreign)),
        });
        // As decide_set does: each database's own problems come in, here the one a header can
        // carry without any page (CLI.md Decision 22, the state: a state the engine refuses fails the set).
        let db_problems: Vec<Problem> = dbs
            .iter()
            .filter_map(|d| refusal_problem(d.header.as_ref().unwrap(), d.path.unescaped(), true))
            .collect();
        let d = decide(&dbs, db_problems, stream.as_ref(), checkpoint.as_ref(), false);
        if d.verdict == Verdict::Pass {
            let t = d.truncate_below;
            prop_assert!(t.is_some(), "a pass always says what may be truncated");
            let t = t.unwrap();
            for db in &dbs {
                let h = db.header.as_ref().unwrap();
                for g in [h.gen_min_required, h.gen_max_required].into_iter().filter(|&g| g > 0) {
                    prop_assert!(t <= g, "truncate_below {} above generation {} required by {}", t, g, db.path);
                }
            }
            if let Some(c) = &checkpoint {
                prop_assert!(t <= c.generation.unwrap(), "truncate_below {} above the checkpoint {:?}", t, c.generation);
            }
        }
    }
}
