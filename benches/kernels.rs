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
/// carry-less-multiply kernel at run time (x86_64: `pclmulqdq` and `sse4.1`); the line printed
/// says which this CPU gets, since there is no switch to measure the other.
fn crc(c: &mut Criterion) {
    #[cfg(target_arch = "x86_64")]
    eprintln!(
        "crc32fast: pclmulqdq {} sse4.1 {} (both: the carry-less multiply kernel; else the table kernel)",
        std::arch::is_x86_feature_detected!("pclmulqdq"),
        std::arch::is_x86_feature_detected!("sse4.1")
    );
    let mut g = c.benchmark_group("crc");
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    let block: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    g.throughput(Throughput::Bytes(block.len() as u64));
    g.bench_function("crc32fast_1mib", |b| b.iter(|| crc32fast::hash(black_box(&block))));
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

criterion_group!(benches, kernels, crc);
criterion_main!(benches);
