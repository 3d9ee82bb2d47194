//! The fixture writer (feature `testkit`) proves itself here: everything it builds verifies with
//! the crate's own checksum code, it rebuilds real Windows-written pages, headers, logs and
//! checkpoints byte for byte, and every damage helper produces exactly the failure ESE-FORMAT.md
//! predicts.

use crate::util::{read_td, PAGE_SIZES};
use esecheck::checksum::page::{verify_page, verify_segment, PageStatus};
use esecheck::checksum::{legacy_checksum, legacy_checksum_ok};
use esecheck::scan::classify::{classify, FileKind};
use esecheck::testkit::damage::{
    break_header_copy, damage_file, flip_bit, flip_page_bit, overwrite, page_offset, physical_page,
    reseal_legacy_header, swap_pages, truncate, truncate_file, zero_page,
};
use esecheck::testkit::db::{reseal_db_headers, STATE_DIRTY_SHUTDOWN};
use esecheck::testkit::{
    lgpos, logtime, seal_checkpoint, seal_db_header, seal_log_header, seal_page, seal_segment, signature,
    CheckpointBuilder, DbBuilder, LogBuilder, LogStreamBuilder,
};

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

fn page(buf: &[u8], ps: usize, pgno: u32) -> &[u8] {
    let off = page_offset(ps, pgno);
    &buf[off..off + ps]
}

/// Real databases of each page size ESE-FORMAT.md cites.
const REAL_DBS: [(&str, usize); 4] = [
    ("stroz-eseparser-generated/test.edb", 4096),
    ("stroz-eseparser-generated/decompress_test.edb", 8192),
    ("goese-bits-qmgr/qmgr.db", 16384),
    ("museum-winsearch-win10-rathbunvm/Clean/Windows.edb", 32768),
];

// ---------------------------------------------------------------------------------------------
// Built files are valid.

#[test]
fn every_page_of_every_page_size_verifies_and_zero_pages_are_uninitialized() {
    for ps in PAGE_SIZES {
        let n = 12;
        let db = DbBuilder::new(ps).pages(n).uninitialized(5).build();
        assert_eq!(db.len(), (n as usize + 2) * ps, "page size {ps}");
        let (primary, shadow) = (&db[..ps], &db[ps..2 * ps]);
        assert!(legacy_checksum_ok(primary) && legacy_checksum_ok(shadow), "{ps}");
        assert_eq!(primary, shadow);
        assert_eq!(u32_at(primary, 4), 0x89AB_CDEF);
        assert_eq!(u32_at(primary, 236) as usize, ps);
        assert_eq!(u32_at(primary, 667), 1);
        assert_eq!(classify(&db, "fixture.bin").kind, FileKind::Database);
        for pgno in 1..=n {
            let c = verify_page(page(&db, ps, pgno), pgno, n);
            let want = if pgno == 5 {
                PageStatus::Uninitialized
            } else {
                PageStatus::Good
            };
            assert_eq!(c.status, want, "page size {ps} pgno {pgno}");
            if pgno != 5 {
                assert!(c.new_format);
                assert!(c.dbtime > 0 && c.dbtime <= u64_at(primary, 16));
            }
        }
    }
}

#[test]
fn old_format_small_pages_verify() {
    for ps in [2048, 4096, 8192] {
        let db = DbBuilder::new(ps).pages(6).old_format_pages(true).build();
        for pgno in 1..=6 {
            let c = verify_page(page(&db, ps, pgno), pgno, 6);
            assert_eq!((c.status, c.new_format), (PageStatus::Good, false), "{ps}");
            assert_eq!(u32_at(page(&db, ps, pgno), 4), pgno);
        }
    }
}

#[test]
fn header_fields_land_at_their_offsets() {
    let sign_log = signature(0x1234_5678, logtime(2023, 5, 6, 7, 8, 9));
    let sign_db = signature(0x9abc_def0, logtime(2022, 1, 2, 3, 4, 5));
    let db = DbBuilder::new(8192)
        .pages(2)
        .state(STATE_DIRTY_SHUTDOWN)
        .log_signature(sign_log)
        .db_signature(sign_db)
        .log_required(7, 9)
        .log_committed(10)
        .log_consistent(8)
        .log_recovering(11)
        .lgpos_consistent(lgpos(6, 2, 3))
        .dbtime(0xABCDE)
        .format_version(0x620, 200, 440)
        .file_type(5)
        .build();
    let h = &db[..8192];
    assert!(legacy_checksum_ok(h));
    assert_eq!(u32_at(h, 52), 2);
    assert_eq!(&h[108..136], &sign_log.raw);
    assert_eq!(&h[24..52], &sign_db.raw);
    assert_eq!((u32_at(h, 296), u32_at(h, 300)), (7, 9));
    assert_eq!(u32_at(h, 416), 10);
    assert_eq!(u32_at(h, 640), 8);
    assert_eq!(u32_at(h, 536), 11);
    assert_eq!(u64_at(h, 56), 3 | (2 << 16) | (6 << 32));
    assert_eq!(u64_at(h, 16), 0xABCDE);
    assert_eq!((u32_at(h, 8), u32_at(h, 232), u32_at(h, 644)), (0x620, 200, 440));
    assert_eq!(u32_at(h, 667), 5);
}

#[test]
fn page_fill_edits_are_sealed_and_streaming_matches_build() {
    let b = DbBuilder::new(16384)
        .pages(5)
        .page_fill(|pgno, p| p[1000..1004].copy_from_slice(&pgno.to_be_bytes()));
    let db = b.build();
    for pgno in 1..=5 {
        let p = page(&db, 16384, pgno);
        assert_eq!(&p[1000..1004], &pgno.to_be_bytes());
        assert_eq!(verify_page(p, pgno, 5).status, PageStatus::Good);
        assert_eq!(u32_at(p, 64), pgno, "PGHDR2 pgno");
        assert_eq!(b.page(pgno), p);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.edb");
    b.write_file(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), db);
    assert_eq!(b.file_len(), db.len() as u64);
}

#[test]
fn log_built_with_defaults_is_valid() {
    let b = LogBuilder::new(0x4E).data_segments(5).csec_lg_file(16);
    let log = b.build();
    assert_eq!(log.len(), 16 * 4096);
    let h = &log[..4096];
    assert!(legacy_checksum_ok(h));
    assert_eq!(u32_at(h, 4), 0x4E);
    assert_eq!((u16_at(h, 8), u16_at(h, 10), u16_at(h, 12)), (4096, 1, 16));
    assert_eq!((u32_at(h, 32), u32_at(h, 36)), (8, 4000));
    assert_eq!(u32_at(h, 667), 3);
    assert_eq!(classify(&log, "noname").kind, FileKind::Log);
    let mut acc = 0;
    for isec in 1..16u16 {
        let s = &log[usize::from(isec) * 4096..][..4096];
        if isec <= 5 {
            let c = verify_segment(s, u32::from(isec));
            assert_eq!(c.status, PageStatus::Good, "isec {isec}");
            assert_eq!(u64_at(s, 8), (u64::from(isec) << 16) | (0x4E << 32));
            assert_eq!(u32_at(s, 36), 0x2000);
            acc ^= u64_at(s, 0);
        } else {
            assert!(s.iter().all(|&x| x == 0), "isec {isec} must be zero");
        }
    }
    assert_eq!(b.accumulated_checksum(), acc);
}

#[test]
fn leftover_shadow_segment_verifies_with_the_previous_isec() {
    let log = LogBuilder::new(3).data_segments(4).leftover_shadow(true).build();
    let s5 = &log[5 * 4096..6 * 4096];
    assert_eq!(verify_segment(s5, 4).status, PageStatus::Good);
    assert_ne!(verify_segment(s5, 5).status, PageStatus::Good);
    assert!(log[6 * 4096..].iter().all(|&x| x == 0));
}

#[test]
fn log_stream_has_consistent_names_times_and_checksum_chain() {
    let dir = tempfile::tempdir().unwrap();
    let sign = signature(0xfeed, logtime(2021, 2, 3, 4, 5, 6));
    let paths = LogStreamBuilder::new("E00", 0x4E, 5)
        .template(move |_| LogBuilder::new(1).log_signature(sign).data_segments(3))
        .write_to(dir.path())
        .unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "E000004E.log",
            "E000004F.log",
            "E0000050.log",
            "E0000051.log",
            "E00.log"
        ]
    );
    let logs: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    for (i, log) in logs.iter().enumerate() {
        let gen = 0x4E + i as u32;
        assert!(legacy_checksum_ok(&log[..4096]));
        assert_eq!(u32_at(log, 4), gen);
        assert_eq!(&log[44..72], &sign.raw);
        assert_eq!(log.len(), usize::from(u16_at(log, 12)) * 4096);
        let acc = (1..=3).fold(0, |a, isec| {
            let s = &log[isec * 4096..(isec + 1) * 4096];
            assert_eq!(verify_segment(s, isec as u32).status, PageStatus::Good);
            a ^ u64_at(s, 0)
        });
        if let Some(next) = logs.get(i + 1) {
            assert_eq!(&next[24..32], &log[16..24], "tmPrevGen chain");
            assert_eq!(u64_at(next, 653), acc, "accumulated checksum chain");
        }
    }
    // The first file's predecessor is absent but its fields are still filled in.
    assert_ne!(u64_at(&logs[0], 653), 0);
    assert_ne!(&logs[0][24..32], &[0u8; 8]);
}

#[test]
fn log_file_names_switch_to_eight_digits_above_0xfffff() {
    use esecheck::testkit::log_file_name;
    assert_eq!(log_file_name("edb", 0xFFFFF, "log"), "edbFFFFF.log");
    assert_eq!(log_file_name("edb", 0x100000, "jtx"), "edb00100000.jtx");
    let dir = tempfile::tempdir().unwrap();
    let paths = LogStreamBuilder::new("edb", 1, 2)
        .with_current(false)
        .customize(|g, b| if g == 2 { b.checksum_prev(0) } else { b })
        .write_to(dir.path())
        .unwrap();
    assert!(paths[1].ends_with("edb00002.log"));
    let first = std::fs::read(&paths[0]).unwrap();
    assert_eq!(&first[24..32], &[0u8; 8], "generation 1 has no predecessor");
    assert_eq!(u64_at(&first, 653), 0);
    assert_eq!(u64_at(&std::fs::read(&paths[1]).unwrap(), 653), 0);
}

#[test]
fn checkpoint_has_two_valid_identical_copies() {
    let sign = signature(7, logtime(2020, 1, 1, 0, 0, 0));
    let chk = CheckpointBuilder::new()
        .lgpos_checkpoint(lgpos(0x51, 8, 0x10))
        .log_signature(sign)
        .build();
    assert_eq!(chk.len(), 8192);
    assert_eq!(&chk[..4096], &chk[4096..]);
    assert!(legacy_checksum_ok(&chk[..4096]));
    assert_eq!(u64_at(&chk, 12), 0x10 | (8 << 16) | (0x51 << 32));
    assert_eq!(&chk[20..48], &sign.raw);
    assert_eq!(u32_at(&chk, 667), 4);
    assert_eq!(classify(&chk, "x").kind, FileKind::Checkpoint);
}

// ---------------------------------------------------------------------------------------------
// Real files rebuilt byte for byte.

#[test]
fn real_page_from_the_spec_reseals_identically() {
    let db = read_td("stroz-eseparser-generated/test.edb");
    let orig = page(&db, 4096, 1).to_vec();
    assert_eq!(u64_at(&orig, 0), 0x7FDF_7FDF_0001_A77C);
    let mut p = orig.clone();
    p[..8].fill(0);
    seal_page(&mut p, 1);
    assert_eq!(p, orig);
}

#[test]
fn every_checksummed_real_page_reseals_identically() {
    for (rel, ps) in REAL_DBS {
        let db = read_td(rel);
        let n = (db.len() / ps - 2) as u32;
        let mut resealed = 0;
        for pgno in 1..=n {
            let orig = page(&db, ps, pgno);
            if verify_page(orig, pgno, n).status != PageStatus::Good {
                continue;
            }
            let mut p = orig.to_vec();
            p[..8].fill(0);
            if ps >= 16384 {
                p[40..64].fill(0);
            }
            seal_page(&mut p, pgno);
            assert_eq!(p, orig, "{rel} page {pgno}");
            resealed += 1;
        }
        assert!(resealed >= 15, "{rel}: only {resealed} pages");
    }
}

#[test]
fn real_database_headers_reseal_identically() {
    for (rel, ps) in REAL_DBS {
        let db = read_td(rel);
        for copy in [0, 1] {
            let orig = &db[copy * ps..(copy + 1) * ps];
            let mut h = orig.to_vec();
            h[..4].fill(0);
            seal_db_header(&mut h);
            assert_eq!(h, orig, "{rel} copy {copy}");
        }
    }
}

#[test]
fn db_builder_rebuilds_a_real_database_file() {
    // Header fields and page bodies taken from the real file; the builder's layout (two identical
    // header copies, pages at (pgno+1)*page_size, zero pages left zero) and sealing do the rest.
    // Every page of these four files is good or all zero, so the whole file must come back.
    for (rel, ps) in REAL_DBS {
        let real = read_td(rel);
        let n = (real.len() / ps - 2) as u32;
        let pages = real.clone();
        let mut b = DbBuilder::new(ps)
            .pages(n)
            .header_bytes(0, &real[..ps])
            .page_fill(move |pgno, p| p.copy_from_slice(page(&pages, ps, pgno)));
        for pgno in 1..=n {
            if page(&real, ps, pgno).iter().all(|&x| x == 0) {
                b = b.uninitialized(pgno);
            }
        }
        assert_eq!(b.build(), real, "{rel}");
    }
}

#[test]
fn real_log_rebuilds_identically() {
    let real = read_td("museum-srum-win10-belkasoftctf/Dirty/SRU00051.log");
    assert_eq!(u32_at(&real, 0), 0x24D7_9820);
    // Reseal: header and every data segment, at the isec its LGSEGHDR names.
    let mut log = real.clone();
    log[..4].fill(0);
    seal_log_header(&mut log);
    let mut data_segments = 0;
    for seg in log.chunks_exact_mut(4096).skip(1) {
        if seg.iter().all(|&x| x == 0) {
            continue;
        }
        let isec = u32::from(u16_at(seg, 10));
        seg[..8].fill(0);
        seal_segment(seg, isec);
        data_segments += 1;
    }
    assert_eq!(data_segments, 11);
    assert_eq!(log, real);
    assert_eq!(u64_at(&real, 4096), 0x5B33_24CC_94C1_1809);

    // And the LogBuilder lays out the same file from the real header and segment bodies; its
    // accumulated checksum is what the real next generation (SRU.log, gen 0x52) stores.
    let segs = real.clone();
    let b = LogBuilder::new(0x51)
        .csec_lg_file(16)
        .data_segments(11)
        .header_bytes(0, &real[..4096])
        .segment_fill(move |isec, s| s.copy_from_slice(&segs[isec as usize * 4096..(isec as usize + 1) * 4096]));
    assert_eq!(b.build(), real);
    let next = read_td("museum-srum-win10-belkasoftctf/Dirty/SRU.log");
    assert_eq!(u32_at(&next, 4), 0x52);
    assert_eq!(b.accumulated_checksum(), 0x7CFF_0300_EB06_2198);
    assert_eq!(u64_at(&next, 653), 0x7CFF_0300_EB06_2198);
}

#[test]
fn real_checkpoint_rebuilds_identically() {
    let real = read_td("museum-srum-win10-belkasoftctf/Dirty/SRU.chk");
    let mut c = real.clone();
    c[..4].fill(0);
    c[4096..4100].fill(0);
    seal_checkpoint(&mut c);
    assert_eq!(c, real);
    let b = CheckpointBuilder::new().field_bytes(0, &real[..4096]);
    assert_eq!(b.build(), real);
}

// ---------------------------------------------------------------------------------------------
// Damage does what ESE-FORMAT.md says.

#[test]
fn single_bit_flip_is_correctable_at_that_bit_on_every_page_size() {
    for ps in PAGE_SIZES {
        let db = DbBuilder::new(ps).pages(4).build();
        // Bits in the record area, in the free area, in the tag array, the last bit of the page,
        // and (large pages) in a later block and in a stored block checksum.
        let mut bits = vec![8 * 100 + 3, 8 * (ps / 2) + 6, 8 * ps - 1, 8 * ps - 20];
        if ps >= 16384 {
            bits.extend([8 * (3 * ps / 4) + 1, 8 * 49 + 2]);
        }
        for bit in bits {
            let mut d = db.clone();
            flip_page_bit(&mut d, ps, 3, bit);
            let c = verify_page(page(&d, ps, 3), 3, 4);
            assert_eq!(c.status, PageStatus::Correctable, "ps {ps} bit {bit}");
            assert_eq!(c.corrected_bits(), &[bit as u32], "ps {ps}");
            // The generic flip at the file-relative bit does the same.
            let mut e = db.clone();
            flip_bit(&mut e, page_offset(ps, 3) * 8 + bit);
            assert_eq!(d, e);
        }
    }
}

#[test]
fn two_bits_in_one_block_are_bad_on_every_page_size() {
    for ps in PAGE_SIZES {
        let mut d = DbBuilder::new(ps).pages(4).build();
        flip_page_bit(&mut d, ps, 2, 8 * 200);
        flip_page_bit(&mut d, ps, 2, 8 * 300 + 5);
        assert_eq!(verify_page(page(&d, ps, 2), 2, 4).status, PageStatus::Bad, "{ps}");
        // The format flag itself is never "corrected".
        let mut d = DbBuilder::new(ps).pages(4).build();
        flip_page_bit(&mut d, ps, 2, 301);
        assert_eq!(verify_page(page(&d, ps, 2), 2, 4).status, PageStatus::Bad);
    }
}

#[test]
fn zeroed_page_is_uninitialized_on_every_page_size() {
    for ps in PAGE_SIZES {
        let mut d = DbBuilder::new(ps).pages(4).build();
        zero_page(&mut d, ps, physical_page(4));
        assert_eq!(verify_page(page(&d, ps, 4), 4, 4).status, PageStatus::Uninitialized);
        assert!(d[page_offset(ps, 4)..].iter().all(|&x| x == 0));
        assert_eq!(verify_page(page(&d, ps, 3), 3, 4).status, PageStatus::Good);
    }
}

#[test]
fn swapped_pages_are_bad_and_name_their_real_number_on_every_page_size() {
    for ps in PAGE_SIZES {
        let orig = DbBuilder::new(ps).pages(9).build();
        let mut d = orig.clone();
        swap_pages(&mut d, ps, 7, 2);
        assert_eq!(page(&d, ps, 2), page(&orig, ps, 7));
        for (at, real) in [(2, 7), (7, 2)] {
            let c = verify_page(page(&d, ps, at), at, 9);
            assert_eq!((c.status, c.verifies_as), (PageStatus::Bad, Some(real)), "ps {ps}");
        }
    }
}

#[test]
fn broken_header_copy_fails_its_legacy_checksum_on_every_page_size() {
    for ps in PAGE_SIZES {
        let orig = DbBuilder::new(ps).pages(2).build();
        for primary in [true, false] {
            let mut d = orig.clone();
            break_header_copy(&mut d, ps, primary);
            assert_eq!(legacy_checksum_ok(&d[..ps]), !primary, "ps {ps}");
            assert_eq!(legacy_checksum_ok(&d[ps..2 * ps]), primary, "ps {ps}");
            assert_ne!(&d[..ps], &d[ps..2 * ps]);
        }
    }
    let mut chk = CheckpointBuilder::new().build();
    break_header_copy(&mut chk, 4096, false);
    assert!(legacy_checksum_ok(&chk[..4096]) && !legacy_checksum_ok(&chk[4096..]));
}

#[test]
fn resealed_hostile_header_is_self_consistent() {
    let ps = 4096;
    let mut d = DbBuilder::new(ps).pages(2).build();
    overwrite(&mut d, 52, &STATE_DIRTY_SHUTDOWN.to_le_bytes());
    assert!(!legacy_checksum_ok(&d[..ps]));
    reseal_db_headers(&mut d, ps);
    assert!(legacy_checksum_ok(&d[..ps]) && legacy_checksum_ok(&d[ps..2 * ps]));
    assert_eq!(&d[..ps], &d[ps..2 * ps]);
    assert_eq!(u32_at(&d, ps + 52), 2);

    // Same for a log header: a lying generation that still checksums.
    let mut log = LogBuilder::new(5).build();
    overwrite(&mut log, 4, &6u32.to_le_bytes());
    reseal_legacy_header(&mut log[..4096]);
    assert!(legacy_checksum_ok(&log[..4096]));
    assert_eq!(u32_at(&log, 0), legacy_checksum(&log[..4096]));
}

#[test]
fn segment_damage_behaves_like_page_damage() {
    let log = LogBuilder::new(9).data_segments(3).build();
    let mut one = log.clone();
    flip_bit(&mut one, (2 * 4096 + 1234) * 8 + 4);
    let c = verify_segment(&one[2 * 4096..3 * 4096], 2);
    assert_eq!(c.status, PageStatus::Correctable);
    assert_eq!(c.corrected_bits(), &[1234 * 8 + 4]);
    let mut two = one.clone();
    flip_bit(&mut two, (2 * 4096 + 2000) * 8);
    assert_eq!(verify_segment(&two[2 * 4096..3 * 4096], 2).status, PageStatus::Bad);
}

#[test]
fn truncation_of_vectors_and_files() {
    let mut v = DbBuilder::new(4096).pages(4).build();
    truncate(&mut v, 4096 * 5 + 100).unwrap();
    assert_eq!(v.len(), 4096 * 5 + 100);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("E00.log");
    LogBuilder::new(1).write_file(&path).unwrap();
    truncate_file(&path, 4096 * 3).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 4096 * 3);
    let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    truncate(&mut f, 4096).unwrap();
    drop(f);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 4096);
    damage_file(&path, |b| flip_bit(b, 8 * 700)).unwrap();
    assert!(!legacy_checksum_ok(&std::fs::read(&path).unwrap()));
}

// ---------------------------------------------------------------------------------------------
// Properties over random bits.

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 48,
            ..ProptestConfig::default()
        }
    }

    proptest! {
        #![proptest_config(config())]

        /// Any single flipped bit outside the stored checksum of block 0 and the format flag is
        /// located exactly (§4.4).
        #[test]
        fn any_single_bit_is_correctable_where_it_was_flipped(
            size in 0usize..5, bit_frac in 0.0f64..1.0
        ) {
            let ps = PAGE_SIZES[size];
            let bit = 64 + ((8 * ps - 64) as f64 * bit_frac) as usize;
            prop_assume!(bit != 301);
            let mut d = DbBuilder::new(ps).pages(2).build();
            flip_page_bit(&mut d, ps, 2, bit);
            let c = verify_page(page(&d, ps, 2), 2, 2);
            prop_assert_eq!(c.status, PageStatus::Correctable);
            prop_assert_eq!(c.corrected_bits(), &[bit as u32]);
        }

        /// Two different bits in the same block never pass and are never "corrected".
        #[test]
        fn two_bits_in_one_block_are_always_bad(
            size in 0usize..5, block in 0usize..4, a in 0.0f64..1.0, b in 0.0f64..1.0
        ) {
            let ps = PAGE_SIZES[size];
            let (bs, block) = if ps >= 16384 { (ps / 4, block) } else { (ps, 0) };
            let lo = if block == 0 { 64 } else { 0 };
            let pick = |f: f64| block * bs * 8 + lo + ((bs * 8 - lo) as f64 * f) as usize;
            let (x, y) = (pick(a), pick(b));
            prop_assume!(x != y);
            let mut d = DbBuilder::new(ps).pages(2).build();
            flip_page_bit(&mut d, ps, 1, x);
            flip_page_bit(&mut d, ps, 1, y);
            prop_assert_eq!(verify_page(page(&d, ps, 1), 1, 2).status, PageStatus::Bad);
        }
    }
}

#[test]
fn real_attach_info_rebuilds_identically_and_lands_in_log_and_checkpoint() {
    use esecheck::format::common::{Lgpos, Signature};
    use esecheck::testkit::{attach_list, AttachInfo};
    let real = read_td("museum-srum-win10-belkasoftctf/Dirty/SRU00051.log");
    let a = &real[671..];
    let lg = |off: usize| Lgpos {
        ib: u16_at(a, off),
        isec: u16_at(a, off + 2),
        generation: u32_at(a, off + 4) as i32,
    };
    let info = AttachInfo {
        dbid: a[0],
        flags: a[1],
        dbtime: u64_at(a, 4),
        objid_last: u32_at(a, 12),
        cpg_database_size_max: u32_at(a, 16),
        lgpos_attach: lg(20),
        lgpos_consistent: lg(28),
        sign_db: Signature {
            raw: a[36..64].try_into().unwrap(),
        },
        path: r"C:\Windows\system32\SRU\SRUDB.dat".to_string(),
    };
    let list = attach_list(std::slice::from_ref(&info));
    assert_eq!(list.len(), 64 + 68 + 1);
    assert_eq!(&a[..list.len()], &list[..]);

    let log = LogBuilder::new(2).attach(info.clone()).build();
    assert!(legacy_checksum_ok(&log[..4096]));
    assert_eq!(&log[671..671 + list.len()], &list[..]);
    let chk = CheckpointBuilder::new().attach(&[info]).build();
    assert!(legacy_checksum_ok(&chk[4096..]));
    assert_eq!(&chk[679..679 + list.len()], &list[..]);
    assert_eq!(chk[647], 1);
}

/// The owned-space root the fixture writer lays out is the one Windows wrote: page 2 of the
/// bundled `Current.mdb` (one extent, pages 1–256) equals the fixture's page 2 in every byte but
/// the checksum and dbtime (0..16), and both give the same owned space.
#[test]
fn owned_space_root_matches_a_real_page_two() {
    let real = read_td("museum-ual-server2012r2-stolenszechuan/Current.mdb");
    let fixture = DbBuilder::new(4096).pages(256).owned_pages(256).build();
    let (r, f) = (page(&real, 4096, 2), page(&fixture, 4096, 2));
    assert_eq!(u32_at(r, 24), 1, "objidFDP of the database root");
    assert_eq!(u32_at(r, 36), 0xA823, "root | leaf | space tree | new checksum format");
    let differ: Vec<usize> = (16..4096).filter(|&i| f[i] != r[i]).collect();
    assert!(differ.is_empty(), "bytes differ at offsets {differ:?}");
    assert_eq!(verify_page(f, 2, 256).status, PageStatus::Good);
    for buf in [&real, &fixture] {
        let c = esecheck::scan::check_database(buf, "Current.mdb", &Default::default()).unwrap();
        assert_eq!(c.owned_pages, Some(256));
    }
}

// ---------------------------------------------------------------------------------------------
// Flush maps.

/// Every real flush map in testdata/ (testdata/README.md).
const REAL_FLUSH_MAPS: [&str; 8] = [
    "museum-srum-server2022-aptsimulator/snapshot1/SRU/SRUDB.jfm",
    "museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU/SRUDB.jfm",
    "museum-srum-win10-belkasoftctf/Clean/SRUDB.jfm",
    "museum-srum-win10-belkasoftctf/Dirty/SRUDB.jfm",
    "museum-srum-win10-rathbunvm/Clean/SRUDB.jfm",
    "museum-srum-win11-rathbunvm/Clean/SRUDB.jfm",
    "museum-srum-win11-rathbunvm/Dirty/SRUDB.jfm",
    "museum-winsearch-win10-rathbunvm/Clean/Windows.jfm",
];

#[test]
fn real_flush_maps_reseal_identically_and_rebuild_through_the_builder() {
    use esecheck::testkit::flushmap::FM_PAGE;
    use esecheck::testkit::{seal_flush_map, FlushMapBuilder};
    for rel in REAL_FLUSH_MAPS {
        let real = read_td(rel);
        assert_eq!(real.len(), 2 * FM_PAGE, "{rel}: header page and one data page");
        // The checker's own view of the real file: header legacy XOR, data page ECC at fmpgno 0.
        assert!(legacy_checksum_ok(&real[..FM_PAGE]), "{rel}");
        assert_eq!(verify_segment(&real[FM_PAGE..], 0).status, PageStatus::Good, "{rel}");
        let mut zeroed = real.clone();
        zeroed[..4].fill(0);
        zeroed[FM_PAGE..FM_PAGE + 8].fill(0);
        seal_flush_map(&mut zeroed);
        assert_eq!(zeroed, real, "{rel}");
        let built = FlushMapBuilder::new()
            .header_bytes(0, &real[..FM_PAGE])
            .data_page_bytes(0, 0, &real[FM_PAGE..])
            .build();
        assert_eq!(built, real, "{rel}");
    }
}

#[test]
fn built_flush_maps_verify_and_carry_the_fields_of_real_ones() {
    use esecheck::format::FlushMapFileHeader;
    use esecheck::testkit::flushmap::FM_PAGE;
    use esecheck::testkit::FlushMapBuilder;
    let b = FlushMapBuilder::new()
        .data_pages(3)
        .clean(false)
        .gen_min_required(0x51)
        .dbtime_max(2, 0x6435)
        .build();
    assert_eq!(b.len(), 4 * FM_PAGE);
    assert!(legacy_checksum_ok(&b[..FM_PAGE]));
    for k in 1..4 {
        let page = &b[k * FM_PAGE..(k + 1) * FM_PAGE];
        assert_eq!(
            verify_segment(page, (k - 1) as u32).status,
            PageStatus::Good,
            "page {k}"
        );
        assert_eq!(u32_at(page, 16), (k - 1) as u32);
        assert_eq!(u32_at(page, 36), 0x2000, "data pages carry the flag, as the real ones");
    }
    assert_eq!(u64_at(&b, 3 * FM_PAGE + 8), 0x6435);
    assert_eq!(classify(&b, "whatever.bin").kind, FileKind::FlushMap);
    let h = FlushMapFileHeader::parse(&b).unwrap();
    assert_eq!(
        (h.version().as_str(), h.flags, h.gen_min_required, h.filetype),
        ("3.0.0", 0, 0x51, 7)
    );
    // As every real header: version and file type where the real Belkasoft Dirty file has them.
    let real = read_td("museum-srum-win10-belkasoftctf/Dirty/SRUDB.jfm");
    for off in [4, 8, 12, 36, 64, 667] {
        assert_eq!(u32_at(&b, off), u32_at(&real, off), "@{off}");
    }
}

// ---------------------------------------------------------------------------------------------
// The default database is the minimal database Windows creates.

/// The nodes of a small page: (node flags, full key, data), prefixes expanded from tag 0.
fn nodes(p: &[u8]) -> Vec<(u8, Vec<u8>, Vec<u8>)> {
    let ps = p.len();
    let tag = |i: usize| {
        let at = ps - 4 * (i + 1);
        let (cb, ib) = (usize::from(u16_at(p, at)), u16_at(p, at + 2));
        let start = 40 + usize::from(ib & 0x1FFF);
        (&p[start..start + cb], (ib >> 13) as u8)
    };
    let t0 = tag(0).0;
    (1..usize::from(u16_at(p, 34) & 0xFFF))
        .map(|i| {
            let (n, fl) = tag(i);
            let (prefix, at) = if fl & 0x4 != 0 {
                (usize::from(u16_at(n, 0)), 2)
            } else {
                (0, 0)
            };
            let suffix = usize::from(u16_at(n, at));
            let mut key = t0[..prefix].to_vec();
            key.extend_from_slice(&n[at + 2..at + 2 + suffix]);
            (fl, key, n[at + 2 + suffix..].to_vec())
        })
        .collect()
}

/// The real 46-page SRUDB.dat the default layout mirrors (esecheck::testkit::minimal).
const MINIMAL_REAL: &str = "museum-srum-server2022-aptsimulator/snapshot1/SRU/SRUDB.dat";

/// Pages 1–28 of a default database have the page numbers, objids, flags (but for the flush
/// type), sibling links, space headers and space-tree nodes of the same pages of a real database
/// of the same size; the catalog and its shadow hold the real rows of MSysObjects and
/// MSysObjectsShadow byte for byte, and the Name index their real keys.
#[test]
fn default_database_mirrors_a_real_windows_database() {
    let real = read_td(MINIMAL_REAL);
    let n = (real.len() / 4096 - 2) as u32;
    assert_eq!(n, 46);
    let fixture = DbBuilder::new(4096).pages(n).build();
    let (r, f) = (|pg| page(&real, 4096, pg), |pg| page(&fixture, 4096, pg));
    for pg in 1..=28 {
        let (rp, fp) = (r(pg), f(pg));
        let zero = |p: &[u8]| p.iter().all(|&b| b == 0);
        assert_eq!(zero(rp), zero(fp), "page {pg} blank in one only");
        if zero(rp) {
            continue;
        }
        assert_eq!(verify_page(fp, pg, n).status, PageStatus::Good, "page {pg}");
        // objidFDP, flags without the flush type, prev and next.
        assert_eq!(u32_at(fp, 24), u32_at(rp, 24), "objid of page {pg}");
        assert_eq!(
            u32_at(fp, 36) & !0x18000,
            u32_at(rp, 36) & !0x18000,
            "flags of page {pg}"
        );
        assert_eq!(
            (u32_at(fp, 16), u32_at(fp, 20)),
            (u32_at(rp, 16), u32_at(rp, 20)),
            "links {pg}"
        );
        let flags = u32_at(rp, 36);
        if flags & 0x1 != 0 {
            // Tag 0 of a root: the space header (or a space tree's split buffer).
            let t0 = |p: &[u8]| p[40..56].to_vec();
            assert_eq!(t0(fp), t0(rp), "space header of page {pg}");
        }
        if flags & 0x20 != 0 && pg != 3 {
            // Space trees: the same extents (page 3, the root's AE, lists other free pages:
            // 29–30 here, 35–46 there, where MSysObjids, MSysLocales and a table live).
            assert_eq!(nodes(fp), nodes(rp), "space tree page {pg}");
        }
        if flags & 0x4 != 0 && pg != 7 {
            // Internal catalog roots: the real separator to the second leaf.
            assert_eq!(nodes(fp).len(), nodes(rp).len(), "children of page {pg}");
        }
    }
    // The catalog rows of MSysObjects and its shadow, in both catalogs.
    let system = |k: &Vec<u8>| k[..5] == [0x7F, 0x80, 0, 0, 2] || k[..5] == [0x7F, 0x80, 0, 0, 3];
    for leaves in [[13, 14], [27, 28]] {
        let rows = |db: &dyn Fn(u32) -> &'static [u8]| -> Vec<(Vec<u8>, Vec<u8>)> {
            leaves
                .iter()
                .flat_map(|&pg| nodes(db(pg)))
                .filter(|n| system(&n.1))
                .map(|n| (n.1, n.2))
                .collect()
        };
        let real_static: &'static [u8] = Box::leak(real.clone().into_boxed_slice());
        let fix_static: &'static [u8] = Box::leak(fixture.clone().into_boxed_slice());
        let (rr, fr) = (
            rows(&|pg| page(real_static, 4096, pg)),
            rows(&|pg| page(fix_static, 4096, pg)),
        );
        assert_eq!(rr.len(), 62, "rows of objids 2 and 3 in the real catalog");
        assert_eq!(fr, rr, "catalog rows on pages {leaves:?}");
    }
    // Index Name (leaf 15): the real keys and bookmarks of the system tables' rows.
    let names = |p: &[u8]| -> Vec<(Vec<u8>, Vec<u8>)> {
        nodes(p)
            .into_iter()
            .filter(|n| system(&n.2))
            .map(|n| (n.1, n.2))
            .collect()
    };
    assert_eq!(names(f(15)), names(r(15)));
    // Index RootObjects (page 10): the real entries of the two catalogs.
    let roots = |p: &[u8]| -> Vec<(Vec<u8>, Vec<u8>)> {
        nodes(p)
            .into_iter()
            .filter(|n| system(&n.2))
            .map(|n| (n.1, n.2))
            .collect()
    };
    assert_eq!(roots(f(10)).len(), 2);
    assert_eq!(roots(f(10)), roots(r(10)));
    for buf in [&real, &fixture] {
        let c = esecheck::scan::check_database(buf, "SRUDB.dat", &Default::default()).unwrap();
        assert_eq!(c.owned_pages, Some(46));
    }
}

// ---------------------------------------------------------------------------------------------
// The benchmark database: real tables at scale (issue 22, "Measured").

/// What the catalog, space and tree readers find in a database image: the catalog, the space
/// map's findings and pages the root owns, and the walk.
fn read_logically(
    bytes: &[u8],
    page_size: usize,
) -> (
    esecheck::format::catalog::Catalog,
    Vec<esecheck::format::space_map::SpaceFinding>,
    u64,
    esecheck::format::tree_walk::TreeWalk,
) {
    use esecheck::format::catalog::read_catalog;
    use esecheck::format::space_map::{build_space_map, fdps_of_catalog};
    use esecheck::format::tree_walk::{walk_trees, FileFacts};
    let page = |pgno| crate::util::readable_page(bytes, page_size, pgno);
    let catalog = read_catalog(page).expect("catalog");
    let map = build_space_map(page, &fdps_of_catalog(&catalog.objects()));
    let file = FileFacts {
        last_pgno: (bytes.len() / page_size - 2) as u32,
        dbtime_dirtied: Some(u64_at(bytes, 16)),
    };
    let walk = walk_trees(page, &catalog, &map, file);
    (catalog, map.findings.clone(), map.root_owned_pages(), walk)
}

/// (page size, pages, tables, pages per extent, per table: (name, objid, root page, pages owned,
/// extents, leaves, internal pages below the root, records)). Worked out by hand from the
/// builder's documented layout, not by running it: pages 31..=last cut into extents handed out
/// in turn; a table's root, OE and AE on its first three pages; records of 4 + 4 + 1 + 2 + 96 =
/// 107 bytes, nodes of 2 + 5 + 107 bytes and a 4-byte tag, so (page − header − 4) / 118 records a
/// leaf (34 at 4 KiB, 276 at 32 KiB, 16 at 2 KiB); internal nodes of 15 bytes with the tag, so
/// (page − header − 20) / 15 children a page (269, 2177, 132); as many leaves as fit with their
/// internal pages. Example, 4 KiB: pages 31–2000 are 61 extents of 32 and one of 18 (the 62nd,
/// table 1's 16th); table 0 owns 16 × 32 = 512 pages, 509 after its root, OE and AE: 507
/// leaves under 2 parents of leaves (⌈507 / 269⌉), 507 × 34 = 17,238 records.
///
/// libesedb-python 20260704 reads the same files (written by `mkfixture db --tables`) with
/// these names and record counts; dissect.esedb 3.18 agrees on the 4 KiB file (names, objids,
/// roots, records, and every record's Id 1..n and 96-byte Data) and cannot read the 32 KiB
/// ones (it fails on the tagged column of the catalog's index rows of large pages, in the
/// default database as well).
type TableRow = (&'static str, u32, u32, u32, usize, u32, u32, u64);
const AT_SCALE: &[(usize, u32, u32, u32, &[TableRow])] = &[
    (
        4096,
        2000,
        4,
        32,
        &[
            ("Records", 8, 31, 512, 16, 507, 2, 17_238),
            ("Records1", 9, 63, 498, 16, 493, 2, 16_762),
            ("Records2", 10, 95, 480, 15, 475, 2, 16_150),
            ("Records3", 11, 127, 480, 15, 475, 2, 16_150),
        ],
    ),
    (
        32768,
        1200,
        3,
        50,
        &[
            ("Records", 8, 31, 400, 8, 397, 0, 109_572),
            ("Records1", 9, 81, 400, 8, 397, 0, 109_572),
            ("Records2", 10, 131, 370, 8, 367, 0, 101_292),
        ],
    ),
    (
        2048,
        3000,
        8,
        16,
        &[
            ("Records", 8, 31, 384, 24, 378, 3, 6_048),
            ("Records1", 9, 47, 378, 24, 372, 3, 5_952),
            ("Records2", 10, 63, 368, 23, 362, 3, 5_792),
            ("Records3", 11, 79, 368, 23, 362, 3, 5_792),
            ("Records4", 12, 95, 368, 23, 362, 3, 5_792),
            ("Records5", 13, 111, 368, 23, 362, 3, 5_792),
            ("Records6", 14, 127, 368, 23, 362, 3, 5_792),
            ("Records7", 15, 143, 368, 23, 362, 3, 5_792),
        ],
    ),
];

/// Databases of several tables in interleaved extents read with no finding: the catalog names
/// the tables at their roots, the space map has no conflict and the root owns every page, the
/// walk reaches every page in use (no leak, no orphan), each data tree has the leaves, internal
/// pages and records of the table above, and the builder's own account agrees.
#[test]
fn tables_at_scale_read_with_no_finding_and_the_records_built() {
    use esecheck::format::catalog::{CatalogSource, ObjectKind};
    use esecheck::format::tree_walk::TreeKind;
    for &(ps, pages, tables, extent, expected) in AT_SCALE {
        let b = DbBuilder::new(ps).pages(pages).tables(tables, extent);
        let bytes = b.build();
        let what = format!("{ps}-byte pages, {pages} pages, {tables} tables");
        for pg in 1..=pages {
            let st = verify_page(page(&bytes, ps, pg), pg, pages).status;
            assert!(
                matches!(st, PageStatus::Good | PageStatus::Uninitialized),
                "{what}: page {pg}"
            );
        }
        let (catalog, space_findings, owned, walk) = read_logically(&bytes, ps);
        assert_eq!(catalog.source, CatalogSource::MSysObjects, "{what}");
        assert!(space_findings.is_empty(), "{what}: {space_findings:?}");
        assert_eq!(owned, u64::from(pages), "{what}: pages the root owns");
        assert!(walk.findings.is_empty(), "{what}: {:?}", walk.findings);
        assert!(walk.unreached.is_empty(), "{what}: {:?}", walk.unreached);

        let objects = catalog.objects();
        let user: Vec<(String, u32, u32)> = objects
            .iter()
            .filter(|(&objid, o)| o.kind == ObjectKind::Table && objid >= 8)
            .map(|(&objid, o)| (o.name.clone(), objid, o.pgno_fdp))
            .collect();
        let want: Vec<(String, u32, u32)> = expected.iter().map(|t| (t.0.to_string(), t.1, t.2)).collect();
        assert_eq!(user, want, "{what}: tables");

        let specs = b.table_specs();
        assert_eq!(specs.len(), expected.len());
        for (&(name, objid, root, pages_owned, extents, leaves, internal, records), spec) in expected.iter().zip(&specs)
        {
            let tree = walk
                .trees
                .iter()
                .find(|t| t.tree.objid == objid && t.tree.kind == TreeKind::Data)
                .unwrap_or_else(|| panic!("{what}: no data tree for {name}"));
            assert_eq!(tree.pgno_root, root, "{what}: {name}");
            assert_eq!(
                (tree.leaves, tree.internal, tree.pages),
                (
                    u64::from(leaves),
                    u64::from(internal + 1),
                    u64::from(leaves + internal + 1)
                ),
                "{what}: {name}: (leaves, internal pages with the root, pages)"
            );
            assert_eq!(walk.records(objid), Some(records), "{what}: records of {name}");
            // Its OE and AE are reached as its space trees, one page each.
            let space: Vec<u64> = walk
                .trees
                .iter()
                .filter(|t| t.tree.objid == objid && matches!(t.tree.kind, TreeKind::Space(_)))
                .map(|t| t.pages)
                .collect();
            assert_eq!(space, [1, 1], "{what}: {name}: space trees");
            assert_eq!(
                (
                    spec.name.as_str(),
                    spec.objid,
                    spec.pgno_fdp,
                    spec.pages_owned,
                    spec.extents.len()
                ),
                (name, objid, root, pages_owned, extents),
                "{what}: the builder's account of {name}"
            );
            assert_eq!(
                (spec.leaves, spec.internal_pages, spec.records),
                (leaves, internal, records),
                "{what}: {name}"
            );
            // What the table owns: its tree, its OE and AE, and the pages its AE lists.
            assert_eq!(
                leaves + internal + 1 + 2 + spec.free_pages,
                pages_owned,
                "{what}: {name}"
            );
        }
        // The tables and the 30 system pages are the whole file.
        let owned_by_tables: u32 = expected.iter().map(|t| t.3).sum();
        assert_eq!(owned_by_tables + 30, pages, "{what}");
    }
}

/// The one table of the default layout reads the same way at any page size: no finding, every
/// page reached, its records those its leaves hold.
#[test]
fn the_default_table_reads_with_no_finding_at_every_page_size() {
    for ps in PAGE_SIZES {
        let b = DbBuilder::new(ps).pages(600);
        let bytes = b.build();
        let (_, space_findings, owned, walk) = read_logically(&bytes, ps);
        assert!(space_findings.is_empty(), "{ps}: {space_findings:?}");
        assert_eq!(owned, 600);
        assert!(walk.findings.is_empty() && walk.unreached.is_empty(), "{ps}: {walk:?}");
        let spec = &b.table_specs()[0];
        // (page − header − 4) / 118 records a leaf (header 40, or 80 from 16 KiB).
        let hdr = if ps >= 16384 { 80 } else { 40 };
        let per_leaf = ((ps - hdr - 4) / 118) as u64;
        assert_eq!(walk.records(8), Some(u64::from(spec.leaves) * per_leaf), "{ps}");
        assert_eq!(spec.tree_pages + 2 + spec.free_pages, 600 - 30, "{ps}");
    }
}
