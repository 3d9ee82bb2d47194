//! `verify_page(page, pgno, max_pgno)` and `verify_segment(segment, isec)`.
//! Input: pgno (u32 LE), max_pgno (u32 LE), then the page/segment bytes (any length).
#![no_main]
use esecheck::checksum::{verify_page, verify_segment};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let pgno = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    let max = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);
    let page = &data[8..];
    let c = verify_page(page, pgno, max);
    let _ = c.corrected_bits();
    let s = verify_segment(page, pgno);
    let _ = s.corrected_bits();
});
