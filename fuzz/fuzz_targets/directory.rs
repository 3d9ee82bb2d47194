//! Whole-directory entry points: the fuzz input is split into up to 6 files (see
//! `esecheck_fuzz::write_dir`) in a temporary directory, then `check_stream(dir, None)` and
//! `verify_set(&[dir], &VerifyOptions::default())` run over it.
#![no_main]
use esecheck::scan::check_stream;
use esecheck::report::set::{verify_set, VerifyOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("tempdir")).path();
    esecheck_fuzz::write_dir(data, dir).expect("write fuzz files");
    if let Ok(s) = check_stream(dir, None) {
        let _ = esecheck::report::log_text::write_stream(&mut std::io::sink(), &s, s.verdict);
    }
    if let Ok(r) = verify_set(&[dir.to_path_buf()], &VerifyOptions::default()) {
        let _ = r.verdict();
    }
});
