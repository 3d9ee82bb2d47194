//! `verify_page(page, pgno, max_pgno)`, `verify_segment(segment, isec)`, and the B-tree node
//! reader of the owned-space check (`format::space::TreePage`) over the same bytes.
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
    if let Ok(t) = esecheck::format::space::TreePage::parse(page) {
        for i in 1..t.tags.min(256) {
            if let Ok(n) = t.node(i) {
                let _ = (n.key_u32_be(), n.data_u32());
            }
        }
        let _ = t.last_node();
    }
});
