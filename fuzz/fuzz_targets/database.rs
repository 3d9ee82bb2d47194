//! `check_database(bytes, "f", &DbOptions::default())`.
//! Input: one flag byte, then the file image. Flag bit 0 reseals the primary header and copies it
//! over the shadow; bit 1 seals every page for its place, so mutated header fields and page
//! contents get past the checksum gates to the checks behind them.
#![no_main]
use esecheck::scan::{check_database, DbOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, img)) = data.split_first() else {
        return;
    };
    let mut img = img.to_vec();
    esecheck_fuzz::seal_database(flags, &mut img);
    let _ = check_database(&img, "f", &DbOptions::default());
});
