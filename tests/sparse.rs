//! CLI.md, "holes are free": the holes of a sparse database or flush map are counted as what
//! reading their zeros finds (uninitialized pages), without reading them. Every test compares
//! the report with hole-skipping on (the file system's holes, [`Input::holes`]) and off (no holes:
//! every page read); they must be identical.

use crate::util::esecheck;
use crate::util::Run;
use esecheck::scan::database::{check_database, DbOptions};
use esecheck::scan::file::Input;
use esecheck::scan::flushmap::{check_flush_map_with, FlushMapOptions};
use esecheck::testkit::{DbBuilder, FlushMapBuilder};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// Writes `image` to `path` leaving every all-zero 4 KiB block as a hole, then extends the file
/// with `tail` bytes of hole.
fn write_sparse(path: &Path, image: &[u8], tail: u64) {
    let mut f = std::fs::File::create(path).unwrap();
    for (i, block) in image.chunks(4096).enumerate() {
        if block.iter().any(|&b| b != 0) {
            f.seek(SeekFrom::Start(i as u64 * 4096)).unwrap();
            f.write_all(block).unwrap();
        }
    }
    f.set_len(image.len() as u64 + tail).unwrap();
    f.sync_all().unwrap();
}

const PAGE: usize = 8192;

/// A 64 MiB database of 8 KiB pages: a correctable page 50, pages 100-2999 zeroed (a hole), the
/// shadow header zeroed (a hole where a header copy should be), page 4000 damaged, page 5000
/// with only its second half zeroed (a hole that covers part of a page), and 16 MiB of hole
/// appended.
fn sparse_database_image() -> Vec<u8> {
    let mut b = DbBuilder::new(PAGE).pages(8190).build();
    let at = |pgno: usize| (pgno + 1) * PAGE;
    b[at(50) + 3000] ^= 0x10;
    b[at(100)..at(3000)].fill(0);
    b[PAGE..2 * PAGE].fill(0);
    b[at(4000) + 100] ^= 0xFF;
    b[at(5000) + 4096..at(5001)].fill(0);
    b
}

/// The pages of the image's database that its layout leaves blank (free), all outside 100..=3000.
fn layout_blank() -> u64 {
    let blank = DbBuilder::new(PAGE).pages(8190).blank_pages();
    assert!(blank.iter().all(|p| !(100..=3000).contains(p) && *p != 5000));
    blank.len() as u64
}

fn db_report(bytes: &[u8], holes: &[std::ops::Range<usize>]) -> String {
    let c = check_database(
        bytes,
        "db.edb",
        &DbOptions {
            holes,
            ..DbOptions::default()
        },
    )
    .unwrap();
    serde_json::to_string_pretty(&c).unwrap()
}

#[test]
fn a_sparse_database_gives_the_same_report_with_hole_skipping_on_and_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.edb");
    let image = sparse_database_image();
    write_sparse(&path, &image, 16 << 20);
    let input = Input::open(&path).unwrap();
    #[cfg(target_os = "linux")]
    assert!(input.holes().len() >= 3, "holes: {:?}", input.holes());
    let skipping = db_report(input.bytes(), input.holes());
    let reading = db_report(input.bytes(), &[]);
    assert_eq!(skipping, reading);
    // And both are what the bytes in memory (zeros, no holes at all) give.
    let mut in_memory = image.clone();
    in_memory.resize(image.len() + (16 << 20), 0);
    assert_eq!(skipping, db_report(&in_memory, &[]));

    let c: serde_json::Value = serde_json::from_str(&skipping).unwrap();
    // 2900 zeroed pages, the shadow header, 2048 pages of appended hole, and the free pages the
    // default database leaves blank (none of them among the zeroed ones).
    assert_eq!(c["uninitialized_pages"], 2900 + 1 + 2048 + layout_blank());
    assert_eq!(c["bad_pages"], serde_json::json!([4000, 5000]));
    assert_eq!(c["correctable_pages"], serde_json::json!([50]));
}

#[test]
fn holes_may_be_claimed_anywhere_and_count_only_whole_zero_pages() {
    // Holes given by the caller that do not match page boundaries: only pages wholly inside are
    // skipped, the others are read, and the report is the same as with no holes.
    let mut image = sparse_database_image();
    image.resize(image.len() + (16 << 20), 0);
    let zero_runs: Vec<std::ops::Range<usize>> = {
        let mut v = Vec::new();
        let mut start = None;
        for (i, block) in image.chunks(4096).enumerate() {
            match (block.iter().all(|&b| b == 0), start) {
                (true, None) => start = Some(i * 4096),
                (false, Some(s)) => {
                    v.push(s..i * 4096);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            v.push(s..image.len());
        }
        v
    };
    assert_eq!(db_report(&image, &zero_runs), db_report(&image, &[]));
    // Split every run in two at an odd offset.
    let split: Vec<_> = zero_runs
        .iter()
        .flat_map(|r| {
            let mid = r.start + (r.end - r.start) / 3 + 1;
            [r.start..mid, mid..r.end]
        })
        .filter(|r| !r.is_empty())
        .collect();
    assert_eq!(db_report(&image, &split), db_report(&image, &[]));
}

#[test]
fn a_sparse_flush_map_gives_the_same_report_with_hole_skipping_on_and_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("E00.jfm");
    let mut image = FlushMapBuilder::new().data_pages(2048).build();
    // Pages 10-1999 zeroed (all-zero flush-map pages are not damage), page 2000 damaged, page 5
    // with a single-bit error.
    image[11 * 8192..2000 * 8192].fill(0);
    image[2001 * 8192 + 77] ^= 0xF0;
    image[6 * 8192 + 500] ^= 0x02;
    write_sparse(&path, &image, 128 << 20);
    let input = Input::open(&path).unwrap();
    #[cfg(target_os = "linux")]
    assert!(!input.holes().is_empty());
    let report = |holes: &[std::ops::Range<usize>], release: bool| {
        let rel = |o: usize, l: usize| input.release(o, l);
        let c = check_flush_map_with(
            input.bytes(),
            "E00.jfm",
            &FlushMapOptions {
                release: if release { Some(&rel) } else { None },
                holes,
                crc: None,
            },
        );
        serde_json::to_string_pretty(&c).unwrap()
    };
    let skipping = report(input.holes(), true);
    assert_eq!(skipping, report(&[], false));
    let c: serde_json::Value = serde_json::from_str(&skipping).unwrap();
    assert_eq!(c["bad_pages"], serde_json::json!([2000]));
    assert_eq!(c["correctable_pages"], serde_json::json!([5]));
    assert_eq!(c["pages_seen"], 2049 + (128u64 << 20) / 8192);
}

#[test]
fn checksum_on_a_sparse_database_counts_its_holes_as_uninitialized_pages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.edb");
    write_sparse(&path, &sparse_database_image(), 16 << 20);
    let out = esecheck()
        .args(["checksum", "--json", "--no-progress"])
        .arg(&path)
        .run();
    assert_eq!(out.status.code(), Some(1), "page 4000 and 5000 are bad");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["files"][0];
    assert_eq!(f["uninitialized_pages"], 2900 + 1 + 2048 + layout_blank());
    assert_eq!(f["pages_seen"], 8192 + 2048);
    assert_eq!(f["bad_checksums"], 2);
}

#[test]
fn progress_counts_the_bytes_read_and_takes_the_holes_off_the_total() {
    // The run's bar starts at the file's size (holes are not known before the file is opened);
    // the scan moves it only by the bytes it reads, and takes each hole it skips off the total,
    // so the bar ends full and its rate and ETA are those of reading. Holes: pages 100-2999
    // (2900 pages of 8 KiB) and the 16 MiB (2048 pages) appended.
    let mut image = sparse_database_image();
    let size = image.len() + (16 << 20);
    image.resize(size, 0);
    let at = |pgno: usize| (pgno + 1) * PAGE;
    let holes = [at(100)..at(3000), image.len() - (16 << 20)..image.len()];
    let bar = indicatif::ProgressBar::hidden();
    esecheck::scan::progress::Progress::new(&bar).set_total(1, size as u64);
    let opts = DbOptions {
        holes: &holes,
        progress: Some(&bar),
        ..DbOptions::default()
    };
    check_database(&image, "db.edb", &opts).unwrap();
    let read = (size - (2900 + 2048) * PAGE) as u64;
    assert_eq!((bar.position(), bar.length()), (read, Some(read)));
    // Without holes every byte is read and the total stays the file's size.
    let bar = indicatif::ProgressBar::hidden();
    esecheck::scan::progress::Progress::new(&bar).set_total(1, size as u64);
    let opts = DbOptions {
        progress: Some(&bar),
        ..DbOptions::default()
    };
    check_database(&image, "db.edb", &opts).unwrap();
    assert_eq!((bar.position(), bar.length()), (size as u64, Some(size as u64)));
}
