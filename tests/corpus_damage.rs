//! Damage real files on purpose and check that every kind of damage is found where it was made.
//!
//! The catalogue (tests/catalogue.rs) damages files built by the fixture writer; this sweep does
//! the same to the real files Windows wrote: every database, log and checkpoint bundled in
//! `testdata/`, and the whole `../shared/corpus` when it exists (CI has it; skipped with a note
//! otherwise). Pages and segments are picked by a fixed-seed generator from those that verify in
//! the undamaged file, so each run checks the same places and a failure can be replayed.
//!
//! Expectations come from ESE-FORMAT.md §4.4 (one flipped bit per block is located and
//! correctable; flips in the stored checksum or the format flag are bad; two bits in one block are
//! bad), §4.5 / CLI.md Decision 6 (a page at the wrong place verifies at its real number), §3
//! (header copies), §6.4 (segment scan, torn writes), §7 (checkpoint copies) and CLI.md Decisions 4,
//! 5 and 12.

use crate::util::{corpus, error_codes, files_under, rel_name, testdata_dir};
use esecheck::checksum::{verify_page, verify_segment, PageStatus};
use esecheck::format::page::has_new_checksum_format;
use esecheck::scan::database::{check_database, DbCheck, DbOptions};
use esecheck::scan::{check_checkpoint, check_log, classify, FileKind, LogCheck};
use esecheck::testkit::damage::{break_header_copy, flip_bit, page_offset, swap_pages};
use esecheck::verdict::Verdict;
use std::collections::BTreeSet;

/// Pages damaged at once per kind of damage and file (each on a different page).
const PER_FILE: usize = 6;

/// A small deterministic generator (splitmix64), seeded per file.
struct Rng(u64);

impl Rng {
    fn for_file(name: &str) -> Rng {
        // FNV-1a of the relative path: a different but fixed sequence for each file.
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for b in name.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Up to `k` distinct elements of `from`, in a random order.
    fn pick<T: Copy>(&mut self, from: &[T], k: usize) -> Vec<T> {
        let mut v = from.to_vec();
        let k = k.min(v.len());
        for i in 0..k {
            let j = i + self.below(v.len() - i);
            v.swap(i, j);
        }
        v.truncate(k);
        v
    }
}

/// `(relative name, bytes)` of every file under `testdata/` and, when present, `../shared/corpus`.
fn real_files() -> Vec<(String, Vec<u8>)> {
    let mut roots = vec![("testdata", testdata_dir())];
    // `ESECHECK_CORPUS=required` (set by .ci/run) makes its absence a failure.
    match corpus() {
        Some(corpus) => roots.push(("corpus", corpus)),
        None => eprintln!("note: ../shared/corpus not present; damaging the bundled testdata/ only"),
    }
    let mut out = Vec::new();
    for (label, dir) in roots {
        for p in files_under(&dir) {
            // `/` between components on every platform: names are split on it below.
            let rel = format!("{label}/{}", rel_name(&p, &dir));
            out.push((rel, std::fs::read(&p).unwrap()));
        }
    }
    out
}

fn files_of(kind: FileKind) -> Vec<(String, Vec<u8>)> {
    real_files()
        .into_iter()
        .filter(|(rel, bytes)| {
            let name = rel.rsplit('/').next().unwrap();
            let c = classify(bytes, name);
            c.kind == kind && c.by_header
        })
        .collect()
}

fn check(bytes: &[u8], rel: &str) -> DbCheck {
    check_database(bytes, rel, &DbOptions::default()).unwrap()
}

/// Logical pages 1..=n that verify (good, in use) in the undamaged file.
fn good_pages(bytes: &[u8], ps: usize) -> Vec<u32> {
    let n = (bytes.len() / ps).saturating_sub(2) as u32;
    (1..=n)
        .filter(|&pg| {
            let off = page_offset(ps, pg);
            verify_page(&bytes[off..off + ps], pg, n).status == PageStatus::Good
        })
        .collect()
}

/// The block of a page a byte belongs to: the whole page for small pages, quarters for 16 and
/// 32 KiB pages (§4.3).
fn block_of(ps: usize, byte: usize) -> usize {
    if ps >= 16384 {
        byte / (ps / 4)
    } else {
        0
    }
}

/// A byte of the page outside the stored checksums (0..8, and 40..64 on large pages) and the
/// flags byte holding the format bit (37): 64.. is safe on every page size.
fn data_byte(rng: &mut Rng, ps: usize) -> usize {
    64 + rng.below(ps - 64)
}

/// The databases to damage: every real database whose header is readable and whose pages carry
/// checksums (temporary databases do not, §3.5), with its undamaged check and good pages.
fn databases() -> Vec<(String, Vec<u8>, DbCheck, Vec<u32>)> {
    let mut out = Vec::new();
    for (rel, bytes) in files_of(FileKind::Database) {
        let base = check(&bytes, &rel);
        if base.temporary || !base.page_size_detected {
            continue;
        }
        let good = good_pages(&bytes, base.page_size);
        if good.len() >= 2 {
            out.push((rel, bytes, base, good));
        }
    }
    assert!(!out.is_empty(), "testdata/ holds real databases");
    out
}

fn set(v: &[i64]) -> BTreeSet<i64> {
    v.iter().copied().collect()
}

#[test]
fn one_bit_in_each_of_several_pages_is_corrected_at_exactly_those_pages() {
    for (rel, bytes, base, good) in databases() {
        let ps = base.page_size;
        let mut rng = Rng::for_file(&rel);
        let mut f = bytes.clone();
        let mut expect_correctable = set(&base.correctable_pages);
        let mut expect_bad = set(&base.bad_pages);
        for pg in rng.pick(&good, PER_FILE) {
            let off = page_offset(ps, pg);
            let bit = data_byte(&mut rng, ps) * 8 + rng.below(8);
            let new_format = has_new_checksum_format(&f[off..off + ps]);
            flip_bit(&mut f[off..off + ps], bit);
            // §4.4: only the ECC format can locate a bit; the old XOR format can only fail.
            if new_format {
                expect_correctable.insert(i64::from(pg));
            } else {
                expect_bad.insert(i64::from(pg));
            }
        }
        let c = check(&f, &rel);
        assert_eq!(set(&c.correctable_pages), expect_correctable, "{rel}");
        assert_eq!(set(&c.bad_pages), expect_bad, "{rel}");
        let want = if expect_bad.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
        assert_eq!(c.verdict, want, "{rel}: {:?}", c.problems.first());
        assert_eq!(
            c.verdict.under_strict(&c.problems, true),
            Verdict::Fail,
            "{rel}: --strict fails correctable pages"
        );
    }
}

#[test]
fn two_bits_in_one_block_a_stored_checksum_bit_or_the_format_flag_make_a_page_bad() {
    for (rel, bytes, base, good) in databases() {
        let ps = base.page_size;
        let mut rng = Rng::for_file(&rel);
        let mut f = bytes.clone();
        let mut expect_bad = set(&base.bad_pages);
        for (i, pg) in rng.pick(&good, PER_FILE).into_iter().enumerate() {
            let off = page_offset(ps, pg);
            let page = &mut f[off..off + ps];
            match i % 3 {
                0 => {
                    // Two different bits of one block (§4.4: not correctable).
                    let a = data_byte(&mut rng, ps);
                    let mut b = data_byte(&mut rng, ps);
                    while block_of(ps, b) != block_of(ps, a) || b == a {
                        b = data_byte(&mut rng, ps);
                    }
                    flip_bit(page, a * 8 + rng.below(8));
                    flip_bit(page, b * 8 + rng.below(8));
                }
                // One bit of the stored checksum (u64 @0).
                1 => flip_bit(page, rng.below(64)),
                // The checksum-format flag, page bit 301 (§4.4).
                _ => flip_bit(page, 301),
            }
            expect_bad.insert(i64::from(pg));
        }
        let c = check(&f, &rel);
        assert_eq!(set(&c.bad_pages), expect_bad, "{rel}");
        assert_eq!(set(&c.correctable_pages), set(&base.correctable_pages), "{rel}");
        assert_eq!(c.verdict, Verdict::Fail, "{rel}");
        assert!(
            error_codes(&c.problems).contains(&-1018),
            "{rel}: {:?}",
            c.problems.first()
        );
    }
}

#[test]
fn swapped_pages_are_bad_and_named_by_the_page_they_belong_to() {
    for (rel, bytes, base, good) in databases() {
        let ps = base.page_size;
        let mut rng = Rng::for_file(&rel);
        let pair = rng.pick(&good, 2);
        let (a, b) = (pair[0], pair[1]);
        let mut f = bytes.clone();
        swap_pages(&mut f, ps, a, b);
        let c = check(&f, &rel);
        let mut expect_bad = set(&base.bad_pages);
        expect_bad.extend([i64::from(a), i64::from(b)]);
        assert_eq!(set(&c.bad_pages), expect_bad, "{rel}: swapped {a} and {b}");
        assert_eq!(c.verdict, Verdict::Fail, "{rel}");
        // The checksum mixes in the page number: both fail at their new place, bad checksums
        // (−1018) on every page size, each naming the page it verifies as, a hint (Decision 6).
        assert_eq!(c.wrong_page_numbers, base.wrong_page_numbers, "{rel}");
        assert_eq!(c.bad_checksums, base.bad_checksums + 2, "{rel}");
        for (here, belongs) in [(a, b), (b, a)] {
            let p = c
                .problems
                .iter()
                .find(|p| p.page == Some(i64::from(here)))
                .unwrap_or_else(|| panic!("{rel}: no problem at page {here}"));
            assert_eq!(
                (p.code.map(|e| e.code()), p.verifies_as),
                (Some(-1018), Some(belongs)),
                "{rel}: page {here}"
            );
            assert!(
                p.message.contains(&belongs.to_string()),
                "{rel}: page {here} holds page {belongs}: {}",
                p.message
            );
        }
    }
}

#[test]
fn a_run_of_overwritten_bytes_is_bad_at_that_page() {
    for (rel, bytes, base, good) in databases() {
        let ps = base.page_size;
        let mut rng = Rng::for_file(&rel);
        let mut f = bytes.clone();
        let mut expect_bad = set(&base.bad_pages);
        for pg in rng.pick(&good, PER_FILE) {
            let off = page_offset(ps, pg);
            let start = off + rng.below(ps - 32);
            // Random non-zero changes. (A structured delta can cancel in both the XOR and the
            // ECC parities: `byte[k] ^= 0x5A ^ k` over 32 bytes from a 4-aligned offset leaves
            // every checksum as it was, in esecheck as in ESE — the aliasing damage ESE-FORMAT
            // §10 lists as undetectable, catalogue row d20.)
            for byte in &mut f[start..start + 32] {
                *byte ^= 1 + rng.below(255) as u8;
            }
            expect_bad.insert(i64::from(pg));
        }
        let c = check(&f, &rel);
        assert_eq!(set(&c.bad_pages), expect_bad, "{rel}");
        assert_eq!(c.verdict, Verdict::Fail, "{rel}");
    }
}

#[test]
fn damaged_header_copies_fail_checksum_and_both_fail_1206() {
    for (rel, bytes, base, _) in databases() {
        let ps = base.page_size;
        for (primary, page) in [(true, -1i64), (false, 0)] {
            let mut f = bytes.clone();
            break_header_copy(&mut f, ps, primary);
            let c = check(&f, &rel);
            assert_eq!(c.page_size, ps, "{rel}: the other copy still gives the page size");
            assert!(c.bad_pages.contains(&page), "{rel}: header copy {page}");
            assert_eq!(c.verdict, Verdict::Fail, "{rel}");
        }
        let mut f = bytes.clone();
        break_header_copy(&mut f, ps, true);
        break_header_copy(&mut f, ps, false);
        let c = check(&f, &rel);
        assert_eq!(c.verdict, Verdict::Fail, "{rel}");
        assert!(error_codes(&c.problems).contains(&-1206), "{rel}: {:?}", c.problems);
    }
}

#[test]
fn truncation_inside_a_page_is_reported_and_below_one_header_cannot_be_checked() {
    for (rel, bytes, base, _) in databases() {
        let ps = base.page_size;
        // Half a page gone: the partial page is not counted and is a warning (Decision 5).
        let cut = &bytes[..bytes.len() - ps / 2];
        let c = check(cut, &rel);
        assert_eq!(c.pages_seen, base.pages_seen - 1, "{rel}");
        assert!(
            c.problems.iter().any(|p| !p.is_error() && p.offset.is_some()),
            "{rel}: partial page warning: {:?}",
            c.problems
        );
        // Shorter than the smallest header copy: nothing to check (exit 2 at the CLI).
        assert!(
            check_database(&bytes[..4000], &rel, &DbOptions::default()).is_err(),
            "{rel}"
        );
    }
}

// ---- logs and checkpoints ---------------------------------------------------------------------

/// Segment numbers that verify as themselves (`pgno = isec`) in the undamaged log, with whether the
/// next segment is a shadow copy of it (verifies at `pgno = isec` and carries the same
/// lgposSegment, u64 @8): a damaged segment followed by its shadow is a torn write that recovery
/// patches (§6.4), not corruption. A shadow left from an older generation does not count: the
/// real `SRU0001A.log` (gen 0x1A) of museum-srum-win10-aptsimulator ends with one from gen 0x15.
fn good_segments(bytes: &[u8]) -> Vec<(usize, bool)> {
    let n = bytes.len() / 4096;
    (1..n)
        .filter(|&i| verify_segment(&bytes[i * 4096..(i + 1) * 4096], i as u32).status == PageStatus::Good)
        .map(|i| {
            let (seg, next) = (i * 4096, (i + 1) * 4096);
            let shadowed = i + 1 < n
                && verify_segment(&bytes[next..next + 4096], i as u32).status == PageStatus::Good
                && bytes[seg + 8..seg + 16] == bytes[next + 8..next + 16];
            (i, shadowed)
        })
        .collect()
}

fn log_check(bytes: &[u8], rel: &str) -> LogCheck {
    check_log(bytes, rel).unwrap()
}

#[test]
fn damaged_logs_are_found_at_the_header_the_segment_or_the_size() {
    let logs = files_of(FileKind::Log);
    assert!(!logs.is_empty(), "testdata/ holds real logs");
    let (mut segment_checks, mut torn_writes) = (0, 0);
    for (rel, bytes) in logs {
        let base = log_check(&bytes, &rel);
        assert_eq!(base.verdict, Verdict::Pass, "{rel}");
        let mut rng = Rng::for_file(&rel);

        // Any bit of the 4096-byte header breaks its XOR checksum (§6.2): −501.
        let mut f = bytes.clone();
        flip_bit(&mut f, 32 + rng.below(4096 * 8 - 32));
        let c = log_check(&f, &rel);
        assert_eq!(
            (c.verdict, error_codes(&c.problems)),
            (Verdict::Fail, vec![-501]),
            "{rel}"
        );

        // One segment short or one too long: −541 (size ≠ csecLGFile × cbSec).
        for len in [bytes.len() - 4096, bytes.len() + 4096] {
            let mut f = bytes.clone();
            f.resize(len, 0);
            let c = log_check(&f, &rel);
            assert!(error_codes(&c.problems).contains(&-541), "{rel} at {len} bytes");
        }

        let segments = good_segments(&bytes);
        if base.format.is_some_and(|v| v.major < 8) || segments.is_empty() {
            continue; // v7 logs have no segments; an empty current log has none in use.
        }
        for (isec, shadowed) in rng.pick(&segments, 3) {
            let seg = isec * 4096;
            // One bit: located and corrected in memory, a warning (Decision 12).
            let mut f = bytes.clone();
            flip_bit(&mut f[seg..seg + 4096], (64 + rng.below(4096 - 64)) * 8 + rng.below(8));
            let c = log_check(&f, &rel);
            assert_eq!(c.verdict, Verdict::Pass, "{rel} segment {isec}: {:?}", c.problems);
            assert_eq!(
                c.correctable_sectors,
                base.correctable_sectors + 1,
                "{rel} segment {isec}"
            );

            // Two bytes changed: not correctable. Corrupt (−501) unless the next segment is its
            // shadow copy, which makes it a torn write recovery patches (a warning).
            let mut f = bytes.clone();
            f[seg + 100] ^= 0x11;
            f[seg + 2000] ^= 0x24;
            let c = log_check(&f, &rel);
            if shadowed {
                torn_writes += 1;
                assert_eq!(c.verdict, Verdict::Pass, "{rel} segment {isec} (torn write)");
                assert!(!c.problems.is_empty(), "{rel} segment {isec}: torn write warning");
            } else {
                assert_eq!(c.verdict, Verdict::Fail, "{rel} segment {isec}");
                assert!(error_codes(&c.problems).contains(&-501), "{rel} segment {isec}");
            }
            segment_checks += 1;
        }
    }
    assert!(segment_checks > 0, "no real log had a segment in use");
    assert!(torn_writes > 0, "no real log had a segment followed by its shadow");
}

#[test]
fn damaged_checkpoint_copies_warn_once_and_fail_533_twice() {
    let chks = files_of(FileKind::Checkpoint);
    assert!(!chks.is_empty(), "testdata/ holds real checkpoints");
    for (rel, bytes) in chks {
        for primary in [true, false] {
            let mut f = bytes.clone();
            break_header_copy(&mut f, 4096, primary);
            let c = check_checkpoint(&f, &rel).unwrap();
            assert_eq!(c.verdict, Verdict::Pass, "{rel}: one copy left (§7)");
            assert_eq!((c.primary_ok, c.shadow_ok), (!primary, primary), "{rel}");
            assert!(!c.problems.is_empty(), "{rel}: warning");
        }
        let mut f = bytes.clone();
        break_header_copy(&mut f, 4096, true);
        break_header_copy(&mut f, 4096, false);
        // Both copies bad: still a checkpoint by name, so it is checked and fails −533.
        match check_checkpoint(&f, &rel) {
            Ok(c) => {
                assert_eq!(c.verdict, Verdict::Fail, "{rel}");
                assert!(error_codes(&c.problems).contains(&-533), "{rel}: {:?}", c.problems);
            }
            Err(e) => panic!("{rel}: a damaged checkpoint must be checked, not refused: {e}"),
        }
    }
}
