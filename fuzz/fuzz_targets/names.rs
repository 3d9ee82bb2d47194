//! `parse_attach_list`, `parse_log_name` and `classify`. Input: name length byte, the name
//! (lossy UTF-8), then bytes used both as an attach area and as a file for `classify`.
#![no_main]
use esecheck::format::{parse_attach_list, parse_log_name};
use esecheck::scan::classify;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let n = usize::from(n).min(rest.len());
    let name = String::from_utf8_lossy(&rest[..n]);
    let body = &rest[n..];
    if let Some(l) = parse_log_name(&name) {
        let _ = (l.base.to_ascii_lowercase(), l.generation());
    }
    let _ = parse_attach_list(body);
    let _ = classify(body, &name);
});
