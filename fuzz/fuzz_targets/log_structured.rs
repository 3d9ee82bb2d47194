//! `check_log` on logs whose header gates always pass (see `esecheck_fuzz::build_log`): the v8
//! segment walk and the v7 LRCHECKSUM chain walk, with checksums fixed up on request.
#![no_main]
use esecheck::scan::check_log;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(img) = esecheck_fuzz::build_log(data) else {
        return;
    };
    if let Ok(c) = check_log(&img, "f.log") {
        let _ = esecheck::report::log_text::write_log_check(&mut std::io::sink(), &c);
        let _ = esecheck::report::log_text::write_log_header_dump(&mut std::io::sink(), &c);
    }
});
