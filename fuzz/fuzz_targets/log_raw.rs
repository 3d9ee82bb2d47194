//! `LogFileHeader::parse` and `check_log` on raw bytes (header gates, name-based recognition).
#![no_main]
use esecheck::format::LogFileHeader;
use esecheck::scan::check_log;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = LogFileHeader::parse(data) {
        let _ = (h.page_size(), h.expected_file_size());
    }
    if let Ok(c) = check_log(data, "f.log") {
        let _ = esecheck::report::log_text::write_log_check(&mut std::io::sink(), &c);
        let _ = esecheck::report::log_text::write_log_header_dump(&mut std::io::sink(), &c);
    }
});
