//! CLI.md, "linear in everything": a set of 20,000 logs is checked with a bounded amount of work
//! per log. Every check here is a count (files opened, comparisons made, logs reported), never a
//! timing.
//!
//! A test binary of its own, not a module of `tests/tests.rs`: `inputs_opened` counts the inputs
//! opened by the whole process, so tests of the shared binary opening files on other threads
//! meanwhile would be counted too and push the count past its bound.

use esecheck::report::set::{verify_set, VerifyOptions};
use esecheck::scan::file::inputs_opened;
use esecheck::scan::stream::stream_signature;
use esecheck::testkit::{DbBuilder, LogBuilder, LogStreamBuilder};
use esecheck::verdict::Verdict;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

const LOGS: u32 = 20_000;

/// A signature whose equality tests are counted.
#[derive(Clone, Copy, Debug)]
struct Counted(u32);

static EQUALITY_TESTS: AtomicU64 = AtomicU64::new(0);

impl PartialEq for Counted {
    fn eq(&self, other: &Self) -> bool {
        EQUALITY_TESTS.fetch_add(1, Ordering::Relaxed);
        self.0 == other.0
    }
}

impl Eq for Counted {}

impl Hash for Counted {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

#[test]
fn the_stream_signature_of_20000_logs_costs_a_few_comparisons_per_log() {
    // One foreign log in a hundred, the stream's signature everywhere else.
    let headers: Vec<Counted> = (0..LOGS).map(|i| Counted(if i % 100 == 7 { i } else { 1 })).collect();
    let n = u64::from(LOGS);
    for expected in [None, Some(Counted(1)), Some(Counted(99))] {
        EQUALITY_TESTS.store(0, Ordering::Relaxed);
        assert_eq!(stream_signature(&headers, expected).map(|s| s.0), Some(1));
        let tests = EQUALITY_TESTS.load(Ordering::Relaxed);
        // The quadratic version made LOGS² = 400,000,000 comparisons.
        assert!(tests <= 4 * n, "{tests} equality tests for {n} headers ({expected:?})");
    }
}

#[test]
fn verify_and_logs_over_20000_one_segment_logs_open_each_log_a_bounded_number_of_times() {
    let dir = tempfile::tempdir().unwrap();
    // The smallest valid logs: a header, one data segment and the shadow segment (12 KiB). An
    // archived log always holds a record (CLI.md Decision 11), so the data segment is written.
    let paths = LogStreamBuilder::new("E00", 1, LOGS)
        .template(|g| LogBuilder::new(g).csec_lg_file(3).data_segments(1))
        .write_to(dir.path())
        .unwrap();
    assert_eq!(paths.len(), LOGS as usize);
    DbBuilder::new(8192)
        .pages(40)
        .write_file(&dir.path().join("db.edb"))
        .unwrap();

    let before = inputs_opened();
    let s = esecheck::scan::check_stream(dir.path(), None).unwrap();
    let opened = inputs_opened() - before;
    assert_eq!(
        (s.verdict, s.files.len()),
        (Verdict::Pass, LOGS as usize),
        "{:?}",
        s.problems
    );
    assert_eq!((s.first, s.last), (Some(1), Some(LOGS as i32)));
    assert!(
        opened <= u64::from(LOGS) + 10,
        "logs: {opened} inputs opened for {LOGS} logs"
    );

    let before = inputs_opened();
    let r = verify_set(&[dir.path().to_path_buf()], &VerifyOptions::default()).unwrap();
    let opened = inputs_opened() - before;
    assert_eq!(r.verdict(), Verdict::Pass, "{:?}", r.decision.problems);
    let stream = r.stream.as_ref().unwrap();
    assert_eq!(stream.files.len(), LOGS as usize);
    assert_eq!(stream.intact_generations().len(), LOGS as usize);
    assert_eq!(r.db_checks.len(), 1);
    // Each file: one short read of its head to classify it, one open to check it.
    assert!(
        opened <= 2 * u64::from(LOGS) + 10,
        "verify: {opened} inputs opened for {LOGS} logs"
    );
}
