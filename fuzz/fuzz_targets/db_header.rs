//! `read_shadowed_header` over a whole (short) file image and `DbFileHeader::parse` over the
//! same bytes, plus the accessors the reports call.
#![no_main]
use esecheck::format::DbFileHeader;
use esecheck::scan::header_copies::read_shadowed_header;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sh = read_shadowed_header(data);
    if let Some(h) = sh.chosen() {
        let _ = (h.page_size(), h.state_name(), h.format_string(), h.needs_logs());
    }
    if let Ok(h) = DbFileHeader::parse(data) {
        let _ = (h.page_size(), h.state_name(), h.format_string(), h.needs_logs());
        let _ = format!("{h:?}");
    }
});
