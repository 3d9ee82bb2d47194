//! `CheckpointFile::parse` and `check_checkpoint`. Input: flag byte (bit 0: reseal both copies so
//! fuzzed fields pass the checksum), then the file image.
#![no_main]
use esecheck::format::CheckpointFile;
use esecheck::scan::check_checkpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, img)) = data.split_first() else {
        return;
    };
    let mut img = img.to_vec();
    if flags & 1 != 0 {
        esecheck_fuzz::seal_checkpoint_image(&mut img);
    }
    if let Ok(h) = CheckpointFile::parse(&img) {
        let _ = h.db_consistency();
    }
    if let Ok(c) = check_checkpoint(&img, "f.chk") {
        let _ = esecheck::report::log_text::write_checkpoint_check(&mut std::io::sink(), &c);
        let _ = esecheck::report::log_text::write_checkpoint_header_dump(&mut std::io::sink(), &c);
    }
});
