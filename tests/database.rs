//! Database verification (`checksum`, `header`) on real Windows-written files in `testdata/`.
//! Expected figures come from ESE-FORMAT.md's worked examples, the corpus MANIFEST (sizes, page
//! sizes, states, Log Required, the 16 corrupt pages 143–158) and arithmetic on file sizes.

use crate::util::read_td;
use crate::util::Run;
use esecheck::checksum::page::{stored_checksums, verify_page, PageStatus};
use esecheck::scan::database::{check_database, DbOptions};
use esecheck::scan::header_copies::{read_shadowed_header, CopyState};
use esecheck::verdict::Verdict;

fn check(rel: &str) -> esecheck::scan::DbCheck {
    check_database(&read_td(rel), rel, &DbOptions::default()).unwrap()
}

#[test]
fn header_checksum_of_test_edb_matches_the_worked_example() {
    // ESE-FORMAT.md §4.1: stored = computed = 0x8E3D5AF2.
    let f = read_td("stroz-eseparser-generated/test.edb");
    let sh = read_shadowed_header(&f);
    assert_eq!(sh.page_size, Some(4096));
    assert_eq!(sh.primary.stored_checksum, 0x8E3D_5AF2);
    assert_eq!(sh.primary.computed_checksum, 0x8E3D_5AF2);
    assert!(sh.identical);
}

#[test]
fn page_one_of_test_edb_matches_the_worked_example() {
    // ESE-FORMAT.md §4.2: page 1 of test.edb, stored = computed = 0x7FDF7FDF0001A77C.
    let f = read_td("stroz-eseparser-generated/test.edb");
    let page = &f[2 * 4096..3 * 4096];
    assert_eq!(stored_checksums(page).unwrap().values[0], 0x7FDF_7FDF_0001_A77C);
    let c = verify_page(page, 1, 254);
    assert_eq!(c.status, PageStatus::Good);
    assert_eq!(c.computed.values[0], 0x7FDF_7FDF_0001_A77C);
}

#[test]
fn clean_4k_database_passes_with_every_page_seen() {
    let c = check("stroz-eseparser-generated/test.edb");
    assert_eq!(c.verdict, Verdict::Pass);
    assert_eq!(c.page_size, 4096);
    assert_eq!(c.pages_seen, 1_048_576 / 4096);
    assert_eq!(
        (c.bad_checksums, c.correctable_checksums, c.wrong_page_numbers),
        (0, 0, 0)
    );
    assert_eq!(c.state, Some("CleanShutdown"));
}

#[test]
fn clean_8k_database_passes() {
    let c = check("stroz-eseparser-generated/decompress_test.edb");
    assert_eq!(
        (c.verdict, c.page_size, c.pages_seen),
        (Verdict::Pass, 8192, 2_097_152 / 8192)
    );
    assert_eq!(c.bad_checksums, 0);
}

#[test]
fn dirty_16k_database_passes_checksum_and_keeps_its_log_range() {
    // MANIFEST: qmgr.db DirtyShutdown, 16K, genMinReq/MaxReq = 23/23.
    let c = check("goese-bits-qmgr/qmgr.db");
    assert_eq!(
        (c.verdict, c.page_size, c.pages_seen),
        (Verdict::Pass, 16384, 1_310_720 / 16384)
    );
    let h = c.chosen_header().unwrap();
    assert_eq!(h.state_name(), "DirtyShutdown");
    assert_eq!((h.gen_min_required, h.gen_max_required), (23, 23));
    assert!(h.needs_logs());
}

#[test]
fn clean_32k_database_passes() {
    // MANIFEST: Windows.edb, 32K pages, 16777216 bytes, "510 data pages".
    let c = check("museum-winsearch-win10-rathbunvm/Clean/Windows.edb");
    assert_eq!((c.verdict, c.page_size, c.pages_seen), (Verdict::Pass, 32768, 512));
    assert_eq!(c.bad_checksums, 0);
}

#[test]
fn dirty_4k_database_reports_log_required_from_manifest() {
    // MANIFEST: UAL Current.mdb DirtyShutdown, genMinReq/MaxReq = 1/1, logsig 0x4ccdc112.
    let c = check("museum-ual-server2012r2-stolenszechuan/Current.mdb");
    assert_eq!(c.verdict, Verdict::Pass);
    let h = c.chosen_header().unwrap();
    assert_eq!((h.db_state, h.gen_min_required, h.gen_max_required), (2, 1, 1));
    assert_eq!(h.sign_log.random(), 0x4ccd_c112);
}

#[test]
fn genuinely_corrupt_srudb_fails_with_pages_143_to_158() {
    // MANIFEST: pages 143–158 hold foreign data; eseutil /K: 16 bad checksums.
    let c = check("dissect-esedb-srum/SRUDB.dat");
    assert_eq!(c.verdict, Verdict::Fail);
    assert_eq!(c.bad_checksums, 16);
    assert_eq!(c.bad_pages, (143..=158).collect::<Vec<i64>>());
    assert_eq!(c.pages_seen, 655_360 / 4096);
    let p = c.problems.iter().find(|p| p.page == Some(143)).unwrap();
    assert_eq!(p.code.map(|c| c.code()), Some(-1018));
    assert_eq!(p.offset, Some(144 * 4096));
}

#[test]
fn temporary_database_fails_checksum_with_a_note() {
    // MANIFEST: temp.edb JustCreated, log signature zero, pages carry no valid checksums.
    let c = check("museum-ntds-server2012r2-stolenszechuan-partial/temp.edb");
    assert_eq!(c.verdict, Verdict::Fail);
    assert!(c.temporary);
    assert!(c.problems.iter().any(|p| p.message.contains("temporary database")));
}

#[test]
fn damaged_primary_header_counts_as_a_bad_checksum_at_page_minus_one() {
    let mut f = read_td("stroz-eseparser-generated/test.edb");
    f[300] ^= 0x01;
    let c = check_database(&f, "x", &DbOptions::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Fail);
    assert_eq!(c.bad_checksums, 1);
    assert_eq!(c.bad_pages, vec![-1]);
    assert_eq!(c.header.primary.state, CopyState::BadChecksum);
    assert_eq!(c.state, Some("CleanShutdown"), "the shadow is used");
}

#[test]
fn both_header_copies_damaged_fails_and_still_scans_pages() {
    let mut f = read_td("stroz-eseparser-generated/test.edb");
    f[300] ^= 0x01;
    f[4096 + 300] ^= 0x01;
    let c = check_database(&f, "x", &DbOptions::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Fail);
    assert_eq!(c.bad_pages, vec![-1, 0]);
    assert!(c.problems.iter().any(|p| p.code.map(|c| c.code()) == Some(-1206)));
    assert_eq!(c.pages_seen, 256);
}

#[test]
fn single_bit_flip_in_a_real_page_is_correctable_and_passes() {
    let mut f = read_td("stroz-eseparser-generated/test.edb");
    let pgno = 1u64;
    let bit = 1234u64;
    f[((pgno + 1) * 4096 + bit / 8) as usize] ^= 1 << (bit % 8);
    let c = check_database(&f, "x", &DbOptions::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Pass);
    assert_eq!(c.correctable_pages, vec![1]);
    assert!(c.problems.iter().any(|p| p.message.contains("bit 1234")));
    // --strict, applied at the edge.
    assert_eq!(c.verdict.under_strict(&c.problems, true), Verdict::Fail);
}

#[test]
fn swapped_real_pages_are_bad_checksums_naming_the_page_they_verify_as() {
    let mut f = read_td("stroz-eseparser-generated/test.edb");
    let (a, b) = (3usize, 5usize);
    let pa = f[(a + 1) * 4096..(a + 2) * 4096].to_vec();
    let pb = f[(b + 1) * 4096..(b + 2) * 4096].to_vec();
    assert!(pa.iter().any(|&x| x != 0) && pb.iter().any(|&x| x != 0));
    f[(a + 1) * 4096..(a + 2) * 4096].copy_from_slice(&pb);
    f[(b + 1) * 4096..(b + 2) * 4096].copy_from_slice(&pa);
    let c = check_database(&f, "x", &DbOptions::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Fail);
    assert_eq!(c.bad_pages, vec![3, 5]);
    assert_eq!((c.bad_checksums, c.wrong_page_numbers), (2, 0));
    let p = c.problems.iter().find(|p| p.page == Some(3)).unwrap();
    assert_eq!(p.verifies_as, Some(5));
    assert!(
        p.message
            .ends_with("; ECC checksums match: perhaps this is actually page 5"),
        "{}",
        p.message
    );
}

#[test]
fn zeroed_real_page_is_uninitialized_not_bad() {
    let f0 = read_td("stroz-eseparser-generated/test.edb");
    let base = check_database(&f0, "x", &DbOptions::default()).unwrap();
    let mut f = f0.clone();
    // Page 13, a leaf of the catalog (MSysObjects) whose checksum verified: zeroed, it counts as
    // uninitialized and not bad, and, in use by a tree, fails −1019 naming the catalog (issue 22
    // T5); with --no-logical only the counter moves.
    assert!(f[14 * 4096..15 * 4096].iter().any(|&x| x != 0));
    f[14 * 4096..15 * 4096].fill(0);
    let c = check_database(&f, "x", &DbOptions::default()).unwrap();
    assert_eq!(
        (c.uninitialized_pages, c.bad_checksums),
        (base.uninitialized_pages + 1, 0)
    );
    let p = c.problems.iter().find(|p| p.page == Some(13)).expect("page 13 named");
    assert_eq!(
        (p.code.map(|c| c.code()), p.table.as_deref()),
        (Some(-1019), Some("MSysObjects"))
    );
    let quiet = DbOptions {
        no_logical: true,
        ..DbOptions::default()
    };
    assert_eq!(check_database(&f, "x", &quiet).unwrap().verdict, Verdict::Pass);
}

#[test]
fn trailing_partial_page_is_a_warning_and_not_counted() {
    let mut f = read_td("stroz-eseparser-generated/test.edb");
    f.extend_from_slice(&[0xAA; 100]);
    let c = check_database(&f, "x", &DbOptions::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Pass);
    assert_eq!(c.pages_seen, 256);
    assert!(c.problems.iter().any(|p| p.message.contains("partial page")));
}

#[test]
fn too_short_and_non_ese_inputs_cannot_be_checked() {
    assert!(check_database(&[], "e", &DbOptions::default()).is_err());
    assert!(check_database(&[0u8; 4095], "s", &DbOptions::default()).is_err());
    let e = check_database(&[0x41u8; 8192], "notese", &DbOptions::default()).unwrap_err();
    assert!(e.to_string().starts_with("notese: "));
}

/// The owned-space tree gives what `esentutl /g` calls the expected size: the corpus's
/// `SRUDB.INTEG.RAW` repair report for this database reads "Database file is too big (expected
/// 174 pages, file is 190 pages)".
#[test]
fn owned_space_of_a_real_database_is_what_esentutl_reports() {
    let c = check("museum-srum-win10-rathbunvm/Clean/SRUDB.dat");
    assert_eq!((c.owned_pages, c.pages_seen - 2), (Some(174), 190));
    assert!(
        c.problems
            .iter()
            .all(|p| p.severity == esecheck::problem::Severity::Info),
        "a file larger than its owned space is normal: {:?}",
        c.problems
    );
}

/// A real database cut at a page boundary inside its owned space: no checksum can show it
/// (ESE-FORMAT §2), but the owned-space tree can ("Database file is too small (expected 174
/// pages, file is 98 pages)" in esentutl /g, repair.cxx:1568): an error, −1206, with or without
/// `--strict` (issue 22 rule 1). Cut to the two header pages, the tree's own root is gone.
#[test]
fn a_real_database_cut_inside_its_owned_space_fails_1206() {
    let full = read_td("museum-srum-win10-rathbunvm/Clean/SRUDB.dat");
    for (pages, says) in [
        (100usize, "database file is too small (expected 174 pages, file is 98 pages)"),
        (
            2,
            "database file is too small: page 2 of the owned-space tree lies beyond the end of the file, which ends after page 0",
        ),
    ] {
        let cut = &full[..pages * 4096];
        let c = check_database(cut, "SRUDB.dat", &DbOptions::default()).unwrap();
        assert_eq!(c.verdict, Verdict::Fail);
        let p = c.problems.iter().find(|p| p.message.starts_with(says)).unwrap();
        assert_eq!((p.is_error(), p.code.map(|e| e.code())), (true, Some(-1206)), "{pages}");
    }
}

/// The 16 foreign pages of the genuinely corrupt SRUDB.dat (143–158) are exactly the pages past
/// its owned space (1–142): still bad, as eseutil /K counts every page of the file, and the
/// message says the database does not own them.
#[test]
fn corrupt_pages_past_the_owned_space_are_bad_and_say_so() {
    let c = check("dissect-esedb-srum/SRUDB.dat");
    assert_eq!(c.owned_pages, Some(142));
    assert_eq!(c.verdict, Verdict::Fail);
    let p = c.problems.iter().find(|p| p.page == Some(143)).unwrap();
    assert!(p.is_error() && p.message.contains("does not own"), "{}", p.message);
}

/// An owned-space tree of two levels (a parent root on page 2 whose last node points at a leaf
/// on page 5) is followed down to its last extent, on every page size.
#[test]
fn a_two_level_owned_space_tree_is_followed_to_its_last_leaf() {
    use esecheck::testkit::DbBuilder;
    fn put16(p: &mut [u8], at: usize, v: u16) {
        p[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }
    fn put32(p: &mut [u8], at: usize, v: u32) {
        p[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    /// A space-tree page of the database root (objidFDP 1) with one node at ib 0.
    fn space_page(p: &mut [u8], flags: u32, node: &[u8]) {
        let len = p.len();
        let hdr = if len >= 16384 { 80 } else { 40 };
        p[hdr..].fill(0);
        put32(p, 24, 1);
        put16(p, 34, 2);
        put32(p, 36, flags | 0x20 | 0x2000);
        p[hdr..hdr + node.len()].copy_from_slice(node);
        put16(p, len - 8, node.len() as u16);
        put16(p, len - 6, 0);
    }
    for ps in [2048, 4096, 8192, 16384, 32768] {
        for (pages, too_small) in [(20u32, true), (40, false)] {
            let f = DbBuilder::new(ps)
                .pages(pages)
                .page_fill(|pgno, p| match pgno {
                    // Parent root: empty key, data = child page 5.
                    2 => space_page(p, 0x1 | 0x4, &[0, 0, 5, 0, 0, 0]),
                    // Leaf: extent ending at page 30, 30 pages.
                    5 => space_page(p, 0x2, &[4, 0, 0, 0, 0, 30, 30, 0, 0, 0]),
                    _ => {}
                })
                .build();
            // Pages 2 and 5 rewritten: the catalog's own space (page 5) is gone, so only the
            // owned-space rule is asked (the walk would rightly fail every size).
            let opts = DbOptions {
                no_logical: true,
                ..DbOptions::default()
            };
            let c = check_database(&f, "db.edb", &opts).unwrap();
            assert_eq!(c.owned_pages, Some(30), "{ps}/{pages}");
            let want = if too_small { Verdict::Fail } else { Verdict::Pass };
            assert_eq!(c.verdict, want, "{ps}/{pages}");
            assert_eq!(
                c.problems
                    .iter()
                    .any(|p| p.is_error() && p.message.contains("too small")),
                too_small,
                "{ps}/{pages}: {:?}",
                c.problems
            );
        }
    }
}

/// Issue 22 rule 4, CLI.md Decision 6, large pages: a real page re-sealed at its own place
/// whose PGHDR2 page number (@64) says 4 (page 17 of Windows.edb, 24 of qmgr.db). Its checksum verifies, so it is no checksum mismatch;
/// the engine's page validation (cpage.cxx:4340–4353) fails it with −1118 once the checksum
/// verifies: one wrong page number, one bad page, no bad checksum, in the library, in `checksum
/// --json` (`stored_pgno`) and in text. The 32 KiB Windows.edb and the 16 KiB qmgr.db of
/// `testdata/`; both pass undamaged with no bad page (LOGICAL-INTEGRITY.md §6.1).
#[test]
fn a_real_large_page_that_verifies_but_stores_another_page_number_is_a_wrong_page_number() {
    use crate::util::{esecheck, text};
    use esecheck::testkit::damage::page_mut;
    use esecheck::testkit::db::seal_page;
    // A page in use in each (qmgr.db's pages 13-23 are all zero).
    for (rel, ps, at) in [
        ("museum-winsearch-win10-rathbunvm/Clean/Windows.edb", 32768usize, 17u32),
        ("goese-bits-qmgr/qmgr.db", 16384, 24),
    ] {
        let mut f = read_td(rel);
        let base = check_database(&f, rel, &DbOptions::default()).unwrap();
        assert_eq!((base.bad_checksums, base.wrong_page_numbers), (0, 0), "{rel}");
        let page = page_mut(&mut f, ps, at);
        assert_eq!(verify_page(page, at, 1000).status, PageStatus::Good, "{rel}");
        page[64..68].copy_from_slice(&4u32.to_le_bytes());
        seal_page(page, at);
        let c = check_database(&f, rel, &DbOptions::default()).unwrap();
        assert_eq!(c.verdict, Verdict::Fail, "{rel}");
        assert_eq!(
            (c.bad_checksums, c.wrong_page_numbers, c.bad_pages.clone()),
            (0, 1, vec![i64::from(at)]),
            "{rel}"
        );
        let errors: Vec<_> = c.problems.iter().filter(|p| p.is_error()).collect();
        assert_eq!(errors.len(), 1, "{rel}: {errors:?}");
        let p = errors[0];
        assert_eq!(
            (p.code.map(|e| e.code()), p.page, p.stored_pgno, p.verifies_as),
            (Some(-1118), Some(i64::from(at)), Some(4), None),
            "{rel}"
        );
        assert_eq!(
            p.message,
            format!(
                "stored page number 4 at page {at}: its checksum verifies, but its page header (PGHDR2) names page 4"
            ),
            "{rel}"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("damaged.edb");
        std::fs::write(&path, &f).unwrap();
        let out = esecheck().args(["checksum", "--json"]).arg(&path).run();
        assert_eq!(out.status.code(), Some(1), "{rel}");
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let file = &j["files"][0];
        assert_eq!(
            (&file["bad_checksums"], &file["wrong_page_numbers"], &file["bad_pages"]),
            (&serde_json::json!(0), &serde_json::json!(1), &serde_json::json!([at])),
            "{rel}"
        );
        let p = &file["problems"][0];
        assert_eq!(
            (&p["code"], &p["stored_pgno"], &p["page"]),
            (&serde_json::json!(-1118), &serde_json::json!(4), &serde_json::json!(at))
        );
        assert!(p.get("verifies_as").is_none());
        let out = esecheck().arg("checksum").arg(&path).run();
        assert_eq!(out.status.code(), Some(1), "{rel}");
        let t = text(&out.stdout);
        assert!(t.contains(&format!("stored page number 4 at page {at}")), "{rel}: {t}");
        assert!(!t.contains("checksum mismatch"), "{rel}: {t}");
    }
}

/// Issue 22 rule 4, CLI.md Decision 6, small pages: one changed byte of a real page (the low
/// byte of its stored checksum, XORed with 300 ^ 467 = 0xFF) leaves the ECC half equal and moves
/// the XOR half by exactly 300 ^ 467, so page 300 "verifies as page 467" while page 467 verifies
/// at its own place. That is the pattern eseutil's page dump reports as "ECC checksums match.
/// perhaps this is actually page 467?" (checksumu.cxx:618–624), and one byte made it: a bad
/// checksum (−1018) with a hint (`verifies_as`), never a wrong page number. belkasoft Dirty,
/// 782 data pages of 4 KiB, no bad page undamaged.
#[test]
fn a_real_small_page_one_byte_off_is_a_bad_checksum_with_a_hint_not_a_wrong_page_number() {
    use crate::util::{esecheck, text};
    use esecheck::testkit::damage::page_mut;
    let rel = "museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat";
    let mut f = read_td(rel);
    let base = check_database(&f, rel, &DbOptions::default()).unwrap();
    assert_eq!((base.bad_checksums, base.wrong_page_numbers), (0, 0));
    assert_eq!(
        verify_page(page_mut(&mut f, 4096, 467), 467, 782).status,
        PageStatus::Good
    );
    let page = page_mut(&mut f, 4096, 300);
    assert_eq!(verify_page(page, 300, 782).status, PageStatus::Good);
    page[0] ^= (300 ^ 467) as u8;
    let c = check_database(&f, rel, &DbOptions::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Fail);
    assert_eq!(
        (c.bad_checksums, c.wrong_page_numbers, c.bad_pages.clone()),
        (1, 0, vec![300])
    );
    let errors: Vec<_> = c.problems.iter().filter(|p| p.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let p = errors[0];
    assert_eq!(
        (p.code.map(|e| e.code()), p.page, p.verifies_as, p.stored_pgno),
        (Some(-1018), Some(300), Some(467), None)
    );
    assert!(
        p.message.starts_with("page 300 checksum mismatch (stored 0x"),
        "{}",
        p.message
    );
    assert!(
        p.message
            .ends_with("; ECC checksums match: perhaps this is actually page 467"),
        "{}",
        p.message
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("SRUDB.dat");
    std::fs::write(&path, &f).unwrap();
    let out = esecheck().args(["checksum", "--json"]).arg(&path).run();
    assert_eq!(out.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = &j["files"][0];
    assert_eq!(
        (&file["bad_checksums"], &file["wrong_page_numbers"]),
        (&serde_json::json!(1), &serde_json::json!(0))
    );
    let p = file["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["page"] == 300)
        .unwrap();
    assert_eq!(
        (&p["code"], &p["verifies_as"]),
        (&serde_json::json!(-1018), &serde_json::json!(467))
    );
    assert!(p.get("stored_pgno").is_none());
    let out = esecheck().arg("checksum").arg(&path).run();
    let t = text(&out.stdout);
    assert!(t.contains("perhaps this is actually page 467"), "{t}");
}

/// The pages every database uses (issue 22 rule 2): those the engine never moves (cat.hxx:159–169,
/// dbshrink.cxx:185–186) and the space-tree roots the space headers of the catalog, its indexes
/// and the shadow name (`pgnoOE`, and `PgnoAE` = `pgnoOE` + 1, space.hxx), which are 5, 6, 8, 9,
/// 11, 12, 25, 26 in every corpus database (LOGICAL-INTEGRITY.md §6.1).
const PAGES_IN_USE: [(u32, &str); 15] = [
    (1, "database root"),
    (2, "owned-space tree of the database root"),
    (3, "available-space tree of the database root"),
    (4, "catalog root (MSysObjects)"),
    (
        5,
        "owned-space tree of the catalog (named by the space header of page 4)",
    ),
    (
        6,
        "available-space tree of the catalog (named by the space header of page 4)",
    ),
    (7, "Name index of the catalog"),
    (
        8,
        "owned-space tree of the Name index of the catalog (named by the space header of page 7)",
    ),
    (9, "available-space tree of the Name index of the catalog"),
    (10, "RootObjects index of the catalog"),
    (11, "owned-space tree of the RootObjects index of the catalog"),
    (
        12,
        "available-space tree of the RootObjects index of the catalog (named by the space header of page 10)",
    ),
    (24, "shadow catalog root (MSysObjectsShadow)"),
    (
        25,
        "owned-space tree of the shadow catalog (named by the space header of page 24)",
    ),
    (26, "available-space tree of the shadow catalog"),
];

fn zeroed(file: &[u8], ps: usize, pgnos: &[u32]) -> Vec<u8> {
    let mut f = file.to_vec();
    for p in pgnos {
        esecheck::testkit::damage::zero_page(&mut f, ps, *p as usize + 1);
    }
    f
}

/// `(code, page)` of every error.
fn errors(c: &esecheck::scan::DbCheck) -> Vec<(i32, Option<i64>)> {
    c.problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| (p.code.map_or(0, |e| e.code()), p.page))
        .collect()
}

#[test]
fn a_page_every_database_uses_zeroed_fails_1019_naming_what_it_holds() {
    for (rel, ps) in [
        ("museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat", 4096),
        ("museum-winsearch-win10-rathbunvm/Clean/Windows.edb", 32768),
    ] {
        let full = read_td(rel);
        let healthy = check_database(&full, rel, &DbOptions::default()).unwrap();
        assert_eq!((healthy.verdict, errors(&healthy)), (Verdict::Pass, vec![]), "{rel}");
        for (pgno, words) in PAGES_IN_USE {
            let c = check_database(&zeroed(&full, ps, &[pgno]), rel, &DbOptions::default()).unwrap();
            assert_eq!(c.verdict, Verdict::Fail, "{rel} page {pgno}");
            assert_eq!(errors(&c), vec![(-1019, Some(i64::from(pgno)))], "{rel} page {pgno}");
            let p = c.problems.iter().find(|p| p.is_error()).unwrap();
            assert!(
                p.message
                    .starts_with(&format!("page {pgno} is blank (all zero) but holds the {words}")),
                "{rel}: {}",
                p.message
            );
        }
        // A blank catalog root cannot name its space trees; what can be named is.
        let c = check_database(&zeroed(&full, ps, &[4, 5, 6]), rel, &DbOptions::default()).unwrap();
        assert_eq!(errors(&c), vec![(-1019, Some(4))], "{rel}");
    }
}

/// Issue 22 rule 1: a copy cut at 1 MiB whose page 2 is zeroed too fails (it passed silently: the
/// owned-space walk gave no answer), with one problem for page 2; a page 2 that verifies but is
/// another page is −343 (jethdr.w:6062 `JET_errSPOwnExtCorrupted`).
#[test]
fn a_cut_copy_whose_owned_space_tree_cannot_be_read_fails_naming_the_page() {
    let rel = "museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat";
    let full = read_td(rel);
    let cut = zeroed(&full[..1 << 20], 4096, &[2]);
    let c = check_database(&cut, rel, &DbOptions::default()).unwrap();
    assert_eq!((c.verdict, errors(&c)), (Verdict::Fail, vec![(-1019, Some(2))]));
    let m = &c.problems.iter().find(|p| p.is_error()).unwrap().message;
    assert!(
        m.ends_with(
            "; it is the root of the database's owned-space tree, so the space the database owns cannot be read"
        ),
        "{m}"
    );
    // Page 2 replaced by page 13 sealed at 2: it verifies, but is no space-tree page of object 1.
    let mut f = full.clone();
    let mut p13 = f[14 * 4096..15 * 4096].to_vec();
    esecheck::testkit::db::seal_page(&mut p13, 2);
    f[3 * 4096..4 * 4096].copy_from_slice(&p13);
    let c = check_database(&f[..1 << 20], rel, &DbOptions::default()).unwrap();
    assert_eq!((c.verdict, errors(&c)), (Verdict::Fail, vec![(-343, Some(2))]));
    assert!(
        c.problems[0]
            .message
            .contains("it verifies but is not a space-tree page of the database root"),
        "{:?}",
        c.problems
    );
}

/// A temporary database (CLI.md Decision 7) is exempt: nothing in it belongs to a logged database.
#[test]
fn a_temporary_database_with_blank_fixed_pages_is_exempt() {
    let rel = "museum-ntds-server2012r2-stolenszechuan-partial/temp.edb";
    let full = read_td(rel);
    let ps = read_shadowed_header(&full).page_size.unwrap();
    // The engine does not maintain a temporary database's checksums: many pages are bad already.
    let before = errors(&check_database(&full, rel, &DbOptions::default()).unwrap());
    let zero = [1u32, 2, 4, 7, 10, 24];
    let c = check_database(&zeroed(&full, ps, &zero), rel, &DbOptions::default()).unwrap();
    assert!(c.temporary);
    let want: Vec<_> = before
        .into_iter()
        .filter(|(_, p)| !p.is_some_and(|p| zero.iter().any(|z| i64::from(*z) == p)))
        .collect();
    assert_eq!(errors(&c), want);
}

/// daedef.hxx:2767 `fDbShadowingDisabled` (bit 0x01 of `m_ulDbFlags`, header offset 208): the
/// shadow catalog and its space trees are no longer pages every database uses.
#[test]
fn the_shadow_catalog_may_be_blank_when_the_header_says_shadowing_is_disabled() {
    let rel = "museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat";
    let mut f = zeroed(&read_td(rel), 4096, &[24, 25, 26]);
    let c = check_database(&f, rel, &DbOptions::default()).unwrap();
    assert_eq!(errors(&c), vec![(-1019, Some(24))]);
    let flags = u32::from_le_bytes(f[208..212].try_into().unwrap());
    f[208..212].copy_from_slice(&(flags | 0x01).to_le_bytes());
    esecheck::testkit::db::reseal_db_headers(&mut f, 4096);
    let c = check_database(&f, rel, &DbOptions::default()).unwrap();
    assert_eq!((c.verdict, errors(&c)), (Verdict::Pass, vec![]));
}
