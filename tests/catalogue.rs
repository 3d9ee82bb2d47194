//! The corruption catalogue (docs/CORRUPTION.md): one test per row, on every page size (databases)
//! and on the segment log format (logs). Each test names its row. Expected classifications and
//! ESE codes come from ESE-FORMAT.md §4–§9 and CLI.md's Decisions; the files are made valid by the
//! fixture writer, then damaged on purpose.

use crate::util::{error_codes, PAGE_SIZES};
use esecheck::scan::database::{check_database, DbCheck, DbOptions};
use esecheck::scan::{check_checkpoint, check_log, check_stream};
use esecheck::testkit::checkpoint::CheckpointBuilder;
use esecheck::testkit::damage::{
    break_header_copy, flip_page_bit, overwrite, page_offset, reseal_legacy_header, swap_pages, zero_page,
};
use esecheck::testkit::db::DbBuilder;
use esecheck::testkit::log::{LogBuilder, LogStreamBuilder};
use esecheck::testkit::{logtime_from_secs, signature};
use esecheck::verdict::Verdict;

/// The default minimal valid database (a copy cut shorter would fail issue 22 rule 1 or the catalog).
const PAGES: u32 = 40;

fn db(ps: usize) -> Vec<u8> {
    DbBuilder::new(ps).pages(PAGES).build()
}

fn check(buf: &[u8]) -> DbCheck {
    check_database(buf, "db.edb", &DbOptions::default()).unwrap()
}

/// The check with `--strict` applied at the edge, as the commands do.
fn strict(buf: &[u8]) -> DbCheck {
    let mut c = check(buf);
    c.verdict = c.verdict.under_strict(&c.problems, true);
    c
}

fn codes(c: &DbCheck) -> Vec<i32> {
    error_codes(&c.problems)
}

// ---- databases -------------------------------------------------------------------------------

#[test]
fn d01_single_bit_flip_in_a_page_is_correctable() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        let bit = ps * 8 - 123;
        flip_page_bit(&mut f, ps, 5, bit);
        let c = check(&f);
        assert_eq!(
            (c.verdict, c.correctable_pages.clone()),
            (Verdict::Pass, vec![5]),
            "{ps}"
        );
        assert_eq!(strict(&f).verdict, Verdict::Fail, "{ps}: --strict");
    }
}

#[test]
fn d02_bit_flip_in_the_stored_checksum_is_bad() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        flip_page_bit(&mut f, ps, 5, 3); // byte 0: the XOR half of block 0's checksum
        let c = check(&f);
        assert_eq!((c.verdict, c.bad_pages.clone()), (Verdict::Fail, vec![5]), "{ps}");
        assert_eq!(codes(&c), vec![-1018], "{ps}");
    }
}

#[test]
fn d03_flip_of_the_checksum_format_flag_is_bad() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        flip_page_bit(&mut f, ps, 5, 301);
        assert_eq!(check(&f).bad_pages, vec![5], "{ps}");
    }
}

#[test]
fn d04_two_bits_in_one_block_are_bad() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        flip_page_bit(&mut f, ps, 5, 1000);
        flip_page_bit(&mut f, ps, 5, 1500);
        assert_eq!(check(&f).bad_pages, vec![5], "{ps}");
    }
}

#[test]
fn d05_one_bit_in_each_of_two_blocks_of_a_large_page_is_correctable() {
    for ps in [16384, 32768] {
        let mut f = db(ps);
        flip_page_bit(&mut f, ps, 5, 1000); // block 0
        flip_page_bit(&mut f, ps, 5, ps / 4 * 8 * 2 + 77); // block 2
        let c = check(&f);
        assert_eq!(
            (c.verdict, c.correctable_pages.clone()),
            (Verdict::Pass, vec![5]),
            "{ps}"
        );
    }
}

#[test]
fn d06_byte_run_overwritten_is_bad() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        // Distinct bytes: a run of equal even-popcount words would be the blind spot of d20.
        overwrite(
            &mut f,
            page_offset(ps, 7) + 900,
            &[
                0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 0x55, 0x66, 0x77, 0x88, 0x99, 0x10, 0x20, 0x30,
            ],
        );
        assert_eq!(check(&f).bad_pages, vec![7], "{ps}");
    }
}

#[test]
fn d07_torn_page_half_from_another_write_is_bad() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        // The second half of page 7 holds what another write put at the start of page 8.
        let other = f[page_offset(ps, 8)..page_offset(ps, 8) + ps / 2].to_vec();
        overwrite(&mut f, page_offset(ps, 7) + ps / 2, &other);
        assert_eq!(check(&f).bad_pages, vec![7], "{ps}");
    }
}

#[test]
fn d08_zeroed_page_is_uninitialized_and_undetectable() {
    // A page past the owned space zeroed passes as uninitialized; a leaf of the catalog (page
    // 13), which its tree reaches, fails −1019 naming the table (issue 22 T5); the Name index of
    // the catalog (page 7, cat.hxx:160), which the engine never moves, fails −1019 (rule 2).
    for ps in PAGE_SIZES {
        // Page 41 lies past the owned space and was written once (a copy of page 40, sealed).
        let mut f = DbBuilder::new(ps).pages(41).owned_pages(40).build();
        let p40 = f[page_offset(ps, 40)..page_offset(ps, 41)].to_vec();
        overwrite(&mut f, page_offset(ps, 41), &p40);
        if ps >= 16384 {
            let at = page_offset(ps, 41) + 64; // PGHDR2 pgno (ESE-FORMAT.md §4)
            f[at..at + 4].copy_from_slice(&41u32.to_le_bytes());
        }
        esecheck::testkit::seal_page(&mut f[page_offset(ps, 41)..page_offset(ps, 42)], 41);
        let before = check(&f).uninitialized_pages;
        let mut past = f.clone();
        zero_page(&mut past, ps, 41 + 1);
        let c = check(&past);
        assert_eq!((c.verdict, c.uninitialized_pages), (Verdict::Pass, before + 1), "{ps}");
        let mut leaf = f.clone();
        zero_page(&mut leaf, ps, 13 + 1);
        let c = check(&leaf);
        assert_eq!((c.verdict, codes(&c)), (Verdict::Fail, vec![-1019]), "{ps}");
        let p = &c.problems[0];
        assert_eq!((p.page, p.table.as_deref()), (Some(13), Some("MSysObjects")), "{ps}");
        let mut fixed = f.clone();
        zero_page(&mut fixed, ps, 7 + 1);
        let c = check(&fixed);
        assert_eq!((c.verdict, codes(&c)), (Verdict::Fail, vec![-1019]), "{ps}");
        assert_eq!(c.problems[0].page, Some(7), "{ps}");
    }
}

#[test]
fn d09_swapped_pages_are_bad_and_name_their_real_numbers() {
    // The checksum mixes in the page number, so a page moved whole fails at its new place: a bad
    // checksum on every page size (cpage.cxx:4291 before the PGHDR2 check at 4340), naming the
    // page it verifies as, a hint (Decision 6), not a wrong page number.
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        let base = check(&f).bad_checksums;
        swap_pages(&mut f, ps, 3, 9);
        let c = check(&f);
        assert_eq!(
            (c.bad_pages.clone(), c.bad_checksums - base, c.wrong_page_numbers),
            (vec![3, 9], 2, 0),
            "{ps}"
        );
        assert_eq!(codes(&c), vec![-1018, -1018], "{ps}");
        let hints: Vec<_> = c.problems.iter().map(|p| (p.page, p.verifies_as)).collect();
        assert_eq!(hints, vec![(Some(3), Some(9)), (Some(9), Some(3))], "{ps}");
    }
}

#[test]
fn d10_page_copied_over_another_is_bad() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        let p4 = f[page_offset(ps, 4)..page_offset(ps, 5)].to_vec();
        overwrite(&mut f, page_offset(ps, 10), &p4);
        let c = check(&f);
        assert_eq!((c.bad_pages.clone(), c.wrong_page_numbers), (vec![10], 0), "{ps}");
        assert_eq!((codes(&c), c.problems[0].verifies_as), (vec![-1018], Some(4)), "{ps}");
    }
}

#[test]
fn d11_truncation_mid_page_warns_and_at_a_page_boundary_is_undetectable() {
    // The last page lies past the owned space (a whole page missing inside it is d25).
    for ps in PAGE_SIZES {
        let f = DbBuilder::new(ps).pages(PAGES).owned_pages(PAGES - 1).build();
        let c = check(&f[..f.len() - ps / 2]);
        assert_eq!((c.verdict, c.pages_seen), (Verdict::Pass, u64::from(PAGES) + 1), "{ps}");
        assert!(c.problems.iter().any(|p| p.message.contains("partial page")));
        let c = check(&f[..f.len() - ps]);
        assert!(c.problems.is_empty(), "{ps}: a whole missing page leaves no trace");
    }
}

#[test]
fn d25_truncation_inside_the_owned_space_fails_1206_and_past_it_leaves_no_trace() {
    // esentutl /g's "Database file is too small" (repair.cxx:1568): the owned-space tree (page 2)
    // says the database owns pages 1-PAGES, the file stops earlier. ESE extends a file before it
    // records the extent, so no state explains it: −1206, exit 1, with or without --strict.
    for ps in PAGE_SIZES {
        let f = DbBuilder::new(ps).pages(PAGES).owned_pages(PAGES).build();
        let c = check(&f);
        assert_eq!(
            (c.owned_pages, c.problems.len()),
            (Some(PAGES), 0),
            "{ps}: {:?}",
            c.problems
        );
        let cut = &f[..f.len() - 3 * ps];
        let c = check(cut);
        assert_eq!((c.verdict, codes(&c)), (Verdict::Fail, vec![-1206]), "{ps}");
        let want = format!(
            "database file is too small (expected {PAGES} pages, file is {} pages): the database owns pages 1-{PAGES} (owned-space tree, page 2) but the file ends after page {}; pages {}-{PAGES} are missing",
            PAGES - 3,
            PAGES - 3,
            PAGES - 2
        );
        assert!(c.problems[0].message.starts_with(&want), "{ps}: {:?}", c.problems);
        assert_eq!(strict(cut).verdict, Verdict::Fail, "{ps}");
        // A file larger than the owned space is normal (ESE grows files ahead of use).
        let f = DbBuilder::new(ps).pages(PAGES).owned_pages(PAGES - 4).build();
        assert!(check(&f).problems.is_empty(), "{ps}");
        let c = check(&f[..f.len() - 4 * ps]);
        assert!(
            c.problems.is_empty(),
            "{ps}: a cut past the owned space leaves no trace"
        );
    }
}

#[test]
fn d12_truncation_below_4096_bytes_cannot_be_checked() {
    for ps in PAGE_SIZES {
        let f = db(ps);
        assert!(
            check_database(&f[..4095], "db.edb", &DbOptions::default()).is_err(),
            "{ps}"
        );
    }
}

#[test]
fn d13_truncation_inside_the_shadow_header_fails() {
    // With 2 KiB pages such a file is under 4096 bytes: refused as d12.
    for ps in [4096, 8192, 16384, 32768] {
        let f = db(ps);
        let c = check(&f[..ps + ps / 2]);
        assert_eq!(c.verdict, Verdict::Fail, "{ps}");
        assert!(c.problems.iter().any(|p| p.page == Some(0) && p.is_error()), "{ps}");
        // Counted like a damaged shadow (Decision 4).
        assert_eq!(c.bad_pages, vec![0], "{ps}");
        assert_eq!(c.bad_checksums, 1, "{ps}");
    }
}

#[test]
fn d14_extension_with_zero_pages_is_uninitialized() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        f.extend(std::iter::repeat_n(0u8, 3 * ps));
        let c = check(&f);
        assert_eq!(c.verdict, Verdict::Pass, "{ps}");
    }
}

#[test]
fn d15_extension_with_garbage_is_bad() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        f.extend((0..ps).map(|i| (i * 31 % 251) as u8));
        let c = check(&f);
        assert_eq!(c.bad_pages, vec![i64::from(PAGES) + 1], "{ps}");
    }
}

#[test]
fn d16_primary_header_damage_fails_checksum_as_page_minus_one() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        break_header_copy(&mut f, ps, true);
        let c = check(&f);
        assert_eq!((c.verdict, c.bad_pages.clone()), (Verdict::Fail, vec![-1]), "{ps}");
        assert!(c.chosen_header().is_some(), "{ps}: the shadow is used");
    }
}

#[test]
fn d17_shadow_header_damage_fails_checksum_as_page_zero() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        break_header_copy(&mut f, ps, false);
        let c = check(&f);
        assert_eq!((c.verdict, c.bad_pages.clone()), (Verdict::Fail, vec![0]), "{ps}");
    }
}

#[test]
fn d18_both_header_copies_damaged_fail_1206() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        break_header_copy(&mut f, ps, true);
        break_header_copy(&mut f, ps, false);
        let c = check(&f);
        assert_eq!(c.verdict, Verdict::Fail, "{ps}");
        assert!(codes(&c).contains(&-1206), "{ps}");
        assert_eq!(c.page_size, ps, "{ps}: pages still checked at the claimed size");
    }
}

#[test]
fn d19_self_consistent_header_with_a_foreign_page_size_cannot_be_checked() {
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        for base in [0, ps] {
            f[base + 236..base + 240].copy_from_slice(&1000u32.to_le_bytes());
            reseal_legacy_header(&mut f[base..base + ps]);
        }
        assert!(check_database(&f, "db.edb", &DbOptions::default()).is_err(), "{ps}");
    }
}

#[test]
fn d20_even_popcount_damage_that_cancels_is_invisible() {
    // ESE-FORMAT.md §4.4: two words of one block changed by the same even-popcount delta leave
    // column parity and every row parity as they were.
    for ps in PAGE_SIZES {
        let mut f = db(ps);
        for at in [page_offset(ps, 6) + 1000, page_offset(ps, 6) + 1200] {
            let w = u32::from_le_bytes(f[at..at + 4].try_into().unwrap()) ^ 0x0000_0003;
            overwrite(&mut f, at, &w.to_le_bytes());
        }
        assert_eq!(check(&f).verdict, Verdict::Pass, "{ps}: a documented blind spot");
    }
}

// ---- logs (segment format 8.4000.x.y) --------------------------------------------------------

fn log() -> LogBuilder {
    LogBuilder::new(7).data_segments(6)
}

fn log_codes(bytes: &[u8], name: &str) -> (Verdict, Vec<i32>) {
    let c = check_log(bytes, name).unwrap();
    (c.verdict, error_codes(&c.problems))
}

#[test]
fn l01_log_header_bit_flip_is_501() {
    let mut b = log().build();
    b[700] ^= 0x08;
    assert_eq!(log_codes(&b, "E0000007.log"), (Verdict::Fail, vec![-501]));
}

#[test]
fn l02_single_bit_flip_in_a_segment_is_correctable() {
    let mut b = log().build();
    b[3 * 4096 + 2000] ^= 0x10;
    let c = check_log(&b, "E0000007.log").unwrap();
    assert_eq!((c.verdict, c.correctable_sectors), (Verdict::Pass, 1));
}

#[test]
fn l03_byte_run_in_a_segment_is_501() {
    let mut b = log().build();
    overwrite(&mut b, 3 * 4096 + 2000, &[0x5A; 8]);
    let (v, codes) = log_codes(&b, "E0000007.log");
    assert_eq!((v, codes), (Verdict::Fail, vec![-501]));
}

#[test]
fn l04_truncated_or_extended_log_is_541() {
    let b = log().build();
    assert_eq!(
        log_codes(&b[..b.len() - 4096], "E0000007.log"),
        (Verdict::Fail, vec![-541])
    );
    let mut longer = b.clone();
    longer.extend([0u8; 4096]);
    assert_eq!(log_codes(&longer, "E0000007.log"), (Verdict::Fail, vec![-541]));
}

#[test]
fn l05_zero_filled_numbered_log_is_501() {
    assert_eq!(
        log_codes(&vec![0u8; 65536], "E0000007.log"),
        (Verdict::Fail, vec![-501])
    );
}

#[test]
fn l06_wrong_file_type_is_1812_and_unknown_version_is_514() {
    assert_eq!(log_codes(&log().file_type(4).build(), "E0000007.log").1, vec![-1812]);
    assert_eq!(
        log_codes(&log().version(9, 4000, 1, 1).build(), "E0000007.log").1,
        vec![-514]
    );
}

/// The stream's error codes, sorted (their order is not what a row promises); a row's stream
/// carries no warning, which this checks too.
fn stream_codes(dir: &std::path::Path) -> Vec<i32> {
    let s = check_stream(dir, None).unwrap();
    let problems: Vec<_> = s
        .problems
        .iter()
        .chain(s.files.iter().flat_map(|f| f.problems.iter()))
        .collect();
    let warnings: Vec<_> = problems.iter().filter(|p| !p.is_error()).collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut codes = error_codes(problems);
    codes.sort_unstable();
    codes
}

#[test]
fn s01_missing_log_in_the_middle_is_528() {
    let d = tempfile::tempdir().unwrap();
    LogStreamBuilder::new("E00", 10, 5).write_to(d.path()).unwrap();
    std::fs::remove_file(d.path().join("E000000C.log")).unwrap();
    // ESE-FORMAT §9.3: one gap (generation 12) among the archived logs, nothing else.
    assert_eq!(stream_codes(d.path()), vec![-528]);
}

#[test]
fn s02_renamed_log_is_513() {
    let d = tempfile::tempdir().unwrap();
    LogStreamBuilder::new("E00", 10, 5).write_to(d.path()).unwrap();
    std::fs::rename(d.path().join("E000000B.log"), d.path().join("E0000014.log")).unwrap();
    // ESE-FORMAT §9.3 walks the archived logs by name (10, 12, 13, 20 here), then the current
    // log: the renamed log's name and header disagree (−513), and the walk finds the gaps its
    // name leaves (11, and 14-19) and a current log (14) that is not last + 1 (21): −528 each.
    assert_eq!(stream_codes(d.path()), vec![-528, -528, -528, -513]);
}

#[test]
fn s03_foreign_log_is_530() {
    let d = tempfile::tempdir().unwrap();
    let other = signature(0xDEAD_BEEF, logtime_from_secs(5));
    LogStreamBuilder::new("E00", 10, 5)
        .customize(move |g, b| if g == 12 { b.log_signature(other) } else { b })
        .write_to(d.path())
        .unwrap();
    // Only the signature differs: the time and checksum chains still hold (§9.3).
    assert_eq!(stream_codes(d.path()), vec![-530]);
}

#[test]
fn s04_broken_previous_generation_time_is_515() {
    let d = tempfile::tempdir().unwrap();
    LogStreamBuilder::new("E00", 10, 5)
        .customize(|g, b| {
            if g == 12 {
                b.tm_prev_gen(logtime_from_secs(1))
            } else {
                b
            }
        })
        .write_to(d.path())
        .unwrap();
    assert_eq!(stream_codes(d.path()), vec![-515]);
}

#[test]
fn s05_accumulated_checksum_chain_mismatch_is_590() {
    let d = tempfile::tempdir().unwrap();
    LogStreamBuilder::new("E00", 10, 5)
        .customize(|g, b| if g == 12 { b.checksum_prev(0x1234_5678) } else { b })
        .write_to(d.path())
        .unwrap();
    // Generation 11 is intact, so the −590 is 12's own (Decision 15), and the only problem.
    assert_eq!(stream_codes(d.path()), vec![-590]);
}

#[test]
fn s06_current_log_not_last_plus_one_is_528() {
    let d = tempfile::tempdir().unwrap();
    LogStreamBuilder::new("E00", 10, 5).write_to(d.path()).unwrap();
    std::fs::remove_file(d.path().join("E000000D.log")).unwrap(); // 13; E00.log holds 14
                                                                  // No gap among the archived logs 10-12; the current log is not last + 1: one −528.
    assert_eq!(stream_codes(d.path()), vec![-528]);
}

// ---- checkpoint ------------------------------------------------------------------------------

#[test]
fn c01_one_checkpoint_copy_damaged_is_a_warning() {
    let mut b = CheckpointBuilder::new().build();
    b[4096 + 300] ^= 1;
    let c = check_checkpoint(&b, "E00.chk").unwrap();
    assert_eq!((c.verdict, c.primary_ok, c.shadow_ok), (Verdict::Pass, true, false));
    // Decision 19: the warning is −533, and it is the only problem.
    let problems: Vec<_> = c
        .problems
        .iter()
        .map(|p| (p.is_error(), p.code.map(|c| c.code())))
        .collect();
    assert_eq!(problems, vec![(false, Some(-533))], "{:?}", c.problems);
}

#[test]
fn c02_both_checkpoint_copies_damaged_is_533() {
    let mut b = CheckpointBuilder::new().build();
    b[300] ^= 1;
    b[4096 + 300] ^= 1;
    let c = check_checkpoint(&b, "E00.chk").unwrap();
    assert_eq!(c.verdict, Verdict::Fail);
    assert!(c.problems.iter().any(|p| p.code.map(|c| c.code()) == Some(-533)));
}

#[test]
fn l09_single_renamed_log_is_513_on_its_own() {
    // §9.3 lists the name/header generation check per file: `checksum` alone must catch it.
    let b = log().build(); // generation 7
    assert_eq!(log_codes(&b, "E0000007.log"), (Verdict::Pass, vec![]));
    assert_eq!(log_codes(&b, "E0000009.log"), (Verdict::Fail, vec![-513]));
    assert_eq!(log_codes(&b, "E0000000009.log").1, vec![-513]);
}
