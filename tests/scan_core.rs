//! The scan core fed by a caller gives what the file scan gives (docs/ARCHITECTURE.md, the scan core): every real
//! database, log, checkpoint and flush map of `testdata/` and the corpus, and damaged copies,
//! fed out of order (databases and flush maps: page by page from the last, and in buffers of a
//! random number of pages in a shuffled order from three threads) or in odd pieces (logs: a
//! byte at a time and in 64 KiB buffers; checkpoints: 1000 bytes at a time), compared as JSON
//! with `check_database`, `check_log`, `check_checkpoint` and `check_flush_map`.

use crate::util::{corpus, files_under, rel_name, testdata_dir};
use esecheck::scan::core::{CheckpointChecker, DatabaseChecker, FlushMapChecker, LogChecker};
use esecheck::scan::flushmap::check_flush_map;
use esecheck::scan::{check_checkpoint, check_database, check_log, classify, DbOptions, FileKind};
use esecheck::testkit::damage::{flip_page_bit, swap_pages, zero_page};
use esecheck::testkit::{DbBuilder, LogBuilder};

/// `(name, bytes)` of every file of `testdata/` and the corpus of `kind` by its header, each
/// content once (`testdata/` holds copies of corpus files).
fn real(kind: FileKind) -> Vec<(String, Vec<u8>)> {
    let mut roots = vec![testdata_dir()];
    roots.extend(corpus());
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for root in roots {
        for p in files_under(&root) {
            let bytes = std::fs::read(&p).unwrap();
            let name = rel_name(&p, &root);
            let c = classify(&bytes, name.rsplit('/').next().unwrap());
            if c.kind == kind && c.by_header && seen.insert((bytes.len(), crc32fast::hash(&bytes))) {
                out.push((name, bytes));
            }
        }
    }
    assert!(!out.is_empty(), "no {kind:?} found");
    out
}

fn json<T: serde::Serialize, E: std::fmt::Display>(r: Result<T, E>) -> String {
    match r {
        Ok(c) => serde_json::to_string(&c).unwrap(),
        Err(e) => format!("could not check: {e}"),
    }
}

/// A small deterministic generator (no dependency on the order tests run in).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }
}

/// Page-aligned buffers of 1-13 pages covering `len` bytes, in a shuffled order.
fn shuffled_buffers(len: usize, page: usize, seed: u64) -> Vec<std::ops::Range<usize>> {
    let mut rng = Lcg(seed);
    let mut out = Vec::new();
    let mut at = 0;
    while at < len {
        let end = (at + (rng.next(13) + 1) * page).min(len);
        out.push(at..end);
        at = end;
    }
    for i in (1..out.len()).rev() {
        let j = rng.next(i + 1);
        out.swap(i, j);
    }
    out
}

/// `file` fed to a [`DatabaseChecker`] page by page from the last, or in shuffled buffers from
/// three threads.
fn db_fed(file: &[u8], name: &str, in_set: bool, reversed: bool) -> String {
    let size = file.len() as u64;
    let checker = match DatabaseChecker::new(name, size, &file[..DatabaseChecker::head_len(size)], in_set) {
        Ok(c) => c,
        Err(e) => return json::<(), _>(Err(e)),
    };
    let ps = checker.page_size();
    if reversed {
        let mut at = file.len() / ps * ps;
        checker.feed(at as u64, &file[at..]).unwrap();
        while at > 0 {
            at -= ps;
            checker.feed(at as u64, &file[at..at + ps]).unwrap();
        }
    } else {
        let bufs = shuffled_buffers(file.len(), ps, size);
        std::thread::scope(|s| {
            for part in bufs.chunks(bufs.len().div_ceil(3)) {
                let checker = &checker;
                s.spawn(move || {
                    for r in part {
                        checker.feed(r.start as u64, &file[r.clone()]).unwrap();
                    }
                });
            }
        });
    }
    let page = |pgno: u32| {
        let start = (pgno as usize + 1) * ps;
        file.get(start..start + ps)
    };
    json(checker.finish_reading(&page))
}

fn db_scanned(file: &[u8], name: &str, in_set: bool) -> String {
    let opts = DbOptions {
        in_set,
        ..DbOptions::default()
    };
    json(check_database(file, name, &opts))
}

/// Damaged copies of a database: a bit flip, a zeroed page, a swapped pair, the last pages cut.
fn damaged_databases(file: &[u8], ps: usize) -> Vec<Vec<u8>> {
    let n = (file.len() / ps).saturating_sub(2) as u32;
    let mut out = Vec::new();
    if n >= 4 {
        let mut f = file.to_vec();
        flip_page_bit(&mut f, ps, n / 2, 8 * 300 + 5);
        out.push(f);
        let mut f = file.to_vec();
        zero_page(&mut f, ps, (n / 3) as usize + 1);
        out.push(f);
        let mut f = file.to_vec();
        swap_pages(&mut f, ps, 2, 3);
        out.push(f);
        out.push(file[..file.len() - 2 * ps - 100].to_vec());
    }
    out
}

#[test]
fn every_database_fed_reversed_or_in_shuffled_buffers_is_what_check_database_says() {
    let mut files = real(FileKind::Database);
    let built = DbBuilder::new(8192).pages(500).owned_pages(400).build();
    files.push(("built.edb".to_string(), built));
    let mut checked = 0;
    for (name, file) in files {
        let ps = esecheck::scan::header_copies::read_shadowed_header(&file).read_size;
        let mut variants = vec![file.clone()];
        // Damaged copies of the files up to 4 MiB (every one but the 16 MiB Windows Search
        // database): the page rules are the same, and a debug build checksums slowly.
        if file.len() <= 4 << 20 {
            variants.extend(damaged_databases(&file, ps));
        }
        for (k, f) in variants.iter().enumerate() {
            // `verify`'s header rules on the file as it is; the pages are judged alike.
            for in_set in [false, true].into_iter().take(if k == 0 { 2 } else { 1 }) {
                let want = db_scanned(f, &name, in_set);
                assert_eq!(db_fed(f, &name, in_set, true), want, "{name} variant {k}, reversed");
                assert_eq!(db_fed(f, &name, in_set, false), want, "{name} variant {k}, shuffled");
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "{checked}");
}

fn log_fed(file: &[u8], name: &str, piece: usize) -> String {
    let mut checker = match LogChecker::new(name, file.len() as u64) {
        Ok(c) => c,
        Err(e) => return json::<(), _>(Err(e)),
    };
    for part in file.chunks(piece) {
        checker.feed(part).unwrap();
    }
    json(checker.finish())
}

#[test]
fn every_log_fed_a_byte_at_a_time_or_in_64_kib_buffers_is_what_check_log_says() {
    let mut files = real(FileKind::Log);
    let b = LogBuilder::new(0x20).data_segments(10);
    let mut torn = b.build();
    torn[3 * 4096 + 700] ^= 0x40;
    let mut wiped = b.build();
    wiped[4096..].fill(0);
    files.push(("E0000000020.log".to_string(), torn));
    files.push(("E0000000020.log".to_string(), wiped));
    let mut one_byte = 0;
    for (name, file) in &files {
        let want = json(check_log(file, name));
        assert_eq!(log_fed(file, name, 64 << 10), want, "{name}: 64 KiB buffers");
        // A byte at a time costs a call per byte: every log of up to 1 MiB, and a few bigger.
        if file.len() <= 1 << 20 || one_byte < 3 {
            assert_eq!(log_fed(file, name, 1), want, "{name}: a byte at a time");
            one_byte += 1;
        }
    }
}

#[test]
fn every_checkpoint_fed_in_pieces_is_what_check_checkpoint_says() {
    for (name, file) in real(FileKind::Checkpoint) {
        let mut damaged = file.clone();
        damaged[300] ^= 1;
        for f in [file.clone(), damaged] {
            let mut checker = CheckpointChecker::new(&name, f.len() as u64).unwrap();
            for part in f.chunks(1000) {
                checker.feed(part).unwrap();
            }
            assert_eq!(json(checker.finish()), json(check_checkpoint(&f, &name)), "{name}");
        }
    }
}

#[test]
fn every_flush_map_fed_reversed_is_what_check_flush_map_says() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut roots = vec![testdata_dir()];
    roots.extend(corpus());
    for root in roots {
        for p in files_under(&root) {
            let bytes = std::fs::read(&p).unwrap();
            if classify(&bytes, "x").kind == FileKind::FlushMap {
                files.push((rel_name(&p, &root), bytes));
            }
        }
    }
    let mut built = esecheck::testkit::FlushMapBuilder::new().data_pages(30).build();
    built[5 * 8192 + 40] ^= 0x08;
    built[9 * 8192 + 40] ^= 0xFF;
    files.push(("built.jfm".to_string(), built));
    for (name, file) in files {
        let size = file.len() as u64;
        let checker = FlushMapChecker::new(&name, size, &file[..file.len().min(8192)]).unwrap();
        let mut at = file.len() / 8192 * 8192;
        checker.feed(at as u64, &file[at..]).unwrap();
        while at > 0 {
            at -= 8192;
            checker.feed(at as u64, &file[at..at + 8192]).unwrap();
        }
        let got = serde_json::to_string(&checker.finish().unwrap()).unwrap();
        assert_eq!(
            got,
            serde_json::to_string(&check_flush_map(&file, &name)).unwrap(),
            "{name}"
        );
    }
}
