//! Checksum kernel benchmarks (issue 5): throughput in bytes per second of
//!
//! * `legacy_xor`        — the legacy XOR checksum (§4.1) over a whole page;
//! * `ecc_reference`     — the plain §4.2 row loop (`ecc_block_reference`, the pre-issue-5 kernel);
//! * `ecc_fast`          — `ecc_block`, the kernel `verify_page` uses (per page: one block for
//!   4/8 KiB pages, four 8 KiB blocks for 32 KiB pages, as §4.3 assembles them);
//! * `verify_page_valid` — `verify_page` on a valid new-format page (zero check + checksums);
//! * `verify_page_one_bit` — `verify_page` on a page with one flipped bit (syndrome, copy,
//!   recompute: the correction path);
//! * `is_all_zero_zero_page` — the zero test on an all-zero page (its worst case).
//!
//! Run: `cargo bench --bench kernels` (add `-- ecc_fast` to filter). Single-threaded.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use esecheck::checksum::ecc::{ecc_block, ecc_block_reference};
use esecheck::checksum::legacy::legacy_checksum;
use esecheck::checksum::page::{is_all_zero, verify_page, PageStatus};
use esecheck::testkit::DbBuilder;
use std::time::Duration;

const SIZES: [usize; 3] = [4096, 8192, 32768];

/// A valid new-format page of `len` bytes at logical page number 7, as the fixture writer makes.
fn valid_page(len: usize) -> Vec<u8> {
    DbBuilder::new(len).pages(16).page(7)
}

/// The checksum blocks of a page (§4.3): the page itself, or its four quarters.
fn blocks(len: usize) -> usize {
    if len >= 16384 {
        4
    } else {
        1
    }
}

fn ecc_page(page: &[u8], kernel: fn(&[u8], u32, bool) -> u64) -> u64 {
    let n = blocks(page.len());
    let bs = page.len() / n;
    let mut acc = 0u64;
    for k in 0..n {
        acc ^= kernel(&page[k * bs..(k + 1) * bs], 7, k == 0);
    }
    acc
}

fn kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("kernels");
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    for len in SIZES {
        let page = valid_page(len);
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("legacy_xor", len), &page, |b, p| {
            b.iter(|| legacy_checksum(black_box(p)))
        });
        g.bench_with_input(BenchmarkId::new("ecc_reference", len), &page, |b, p| {
            b.iter(|| ecc_page(black_box(p), ecc_block_reference))
        });
        g.bench_with_input(BenchmarkId::new("ecc_fast", len), &page, |b, p| {
            b.iter(|| ecc_page(black_box(p), ecc_block))
        });
        assert_eq!(verify_page(&page, 7, 16).status, PageStatus::Good);
        g.bench_with_input(BenchmarkId::new("verify_page_valid", len), &page, |b, p| {
            b.iter(|| verify_page(black_box(p), 7, 16))
        });
        let mut flipped = page.clone();
        flipped[len / 2 + 3] ^= 0x10;
        assert_eq!(verify_page(&flipped, 7, 16).status, PageStatus::Correctable);
        g.bench_with_input(BenchmarkId::new("verify_page_one_bit", len), &flipped, |b, p| {
            b.iter(|| verify_page(black_box(p), 7, 16))
        });
        let zero = vec![0u8; len];
        g.bench_with_input(BenchmarkId::new("is_all_zero_zero_page", len), &zero, |b, p| {
            b.iter(|| is_all_zero(black_box(p)))
        });
        // The manifest's hash (issue 16), per page as the database scan feeds it.
        g.bench_with_input(BenchmarkId::new("crc32fast_page", len), &page, |b, p| {
            b.iter(|| crc32fast::hash(black_box(p)))
        });
    }
    g.finish();
}

/// crc32fast over 1 MiB (a manifest block), and the join of two block CRCs. crc32fast picks its
/// carry-less-multiply kernel at run time (x86_64: `pclmulqdq` and `sse4.1`, and the wider
/// `vpclmulqdq` folds where the CPU has them); the line printed says which this CPU gets, and
/// `crc32fast_baseline_1mib` is its table kernel, what a CPU without them runs (through
/// crc32fast's hidden `internal_new_baseline`, there being no public switch).
fn crc(c: &mut Criterion) {
    #[cfg(target_arch = "x86_64")]
    eprintln!(
        "crc32fast: pclmulqdq {} sse4.1 {} (both: the carry-less multiply kernel; else the table kernel); vpclmulqdq {} avx512f {} (the wider folds)",
        std::arch::is_x86_feature_detected!("pclmulqdq"),
        std::arch::is_x86_feature_detected!("sse4.1"),
        std::arch::is_x86_feature_detected!("vpclmulqdq"),
        std::arch::is_x86_feature_detected!("avx512f")
    );
    let mut g = c.benchmark_group("crc");
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    let block: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    g.throughput(Throughput::Bytes(block.len() as u64));
    g.bench_function("crc32fast_1mib", |b| b.iter(|| crc32fast::hash(black_box(&block))));
    g.bench_function("crc32fast_baseline_1mib", |b| {
        b.iter(|| {
            let mut h = crc32fast::Hasher::internal_new_baseline(0, 0);
            h.update(black_box(&block));
            h.finalize()
        })
    });
    g.throughput(Throughput::Elements(1));
    let op = esecheck::checksum::crc32::ShiftOp::new(1 << 20);
    g.bench_function("combine_precomputed_1mib", |b| {
        b.iter(|| op.combine(black_box(0x1234_5678), black_box(0x9abc_def0)))
    });
    g.bench_function("combine_crc32fast_1mib", |b| {
        b.iter(|| {
            let mut h = crc32fast::Hasher::new_with_initial_len(black_box(0x1234_5678), 1 << 20);
            h.combine(&crc32fast::Hasher::new_with_initial_len(
                black_box(0x9abc_def0),
                1 << 20,
            ));
            h.finalize()
        })
    });
    g.finish();
}

/// The page size and count of the page-scan benchmark (256 MiB: more than any L3, so the bytes
/// come from memory as they do from the page cache).
const SCAN_PAGE: usize = 32768;
const SCAN_PAGES: usize = 8192;

fn scan_pages() -> Vec<u8> {
    let mut file = DbBuilder::new(SCAN_PAGE).pages(SCAN_PAGES as u32).build();
    file.drain(..2 * SCAN_PAGE);
    file
}

/// Checks every page, hashing `batch` pages at a time after their checks (0: no CRC).
fn scan(bytes: &[u8], batch: usize) -> (u32, u64) {
    let mut h = crc32fast::Hasher::new();
    let mut good = 0u64;
    let mut unhashed = 0;
    for (i, page) in bytes.chunks_exact(SCAN_PAGE).enumerate() {
        if verify_page(page, i as u32 + 1, SCAN_PAGES as u32).status == PageStatus::Good {
            good += 1;
        }
        if batch > 0 && i + 1 - unhashed / SCAN_PAGE >= batch {
            h.update(&bytes[unhashed..(i + 1) * SCAN_PAGE]);
            unhashed = (i + 1) * SCAN_PAGE;
        }
    }
    if batch > 0 {
        h.update(&bytes[unhashed..]);
    }
    (h.finalize(), good)
}

/// How the manifest's CRC-32 is best fed by the database page scan (issue 16): one thread checks
/// 256 MiB of valid 32 KiB pages and hashes them: `verify_only` (plain `verify`), `crc_only`
/// (crc32fast alone over the same bytes), `crc_per_page` (each page's CRC right after its
/// check), `crc_per_N_pages` (N pages hashed after their N checks, still in L2).
fn page_scan(c: &mut Criterion) {
    let bytes = scan_pages();
    // The default database leaves its free system pages (16-23, 29-30) and at most a page or
    // two past its table's tree all zero; every other page verifies.
    let free = bytes.chunks_exact(SCAN_PAGE).filter(|p| is_all_zero(p)).count();
    assert!(free <= 12, "{free} free pages");
    assert_eq!(
        scan(&bytes, 0).1,
        (SCAN_PAGES - free) as u64,
        "every page in use verifies"
    );
    let crc = crc32fast::hash(&bytes);
    for batch in [1, 8] {
        assert_eq!(scan(&bytes, batch).0, crc);
    }
    let mut g = c.benchmark_group("manifest_scan");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(4));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("verify_only", |b| b.iter(|| scan(black_box(&bytes), 0)));
    g.bench_function("crc_only", |b| b.iter(|| crc32fast::hash(black_box(&bytes))));
    g.bench_function("crc_per_page", |b| b.iter(|| scan(black_box(&bytes), 1)));
    for n in [2, 4, 8, 16, 32] {
        g.bench_function(format!("crc_per_{n}_pages"), |b| b.iter(|| scan(black_box(&bytes), n)));
    }
    g.finish();
}

criterion_group!(benches, kernels, crc, page_scan);
criterion_main!(benches);
