//! Flush maps (`.jfm`, ESE-FORMAT.md §8): an 8 KiB header page with the legacy checksum, then
//! 8 KiB data pages with the new-format checksum at `pgno = file page − 1`. Damage here is a
//! warning, never a failure (CLI.md Decision 8): the flush map is rebuilt by the engine.

use crate::checksum::legacy::legacy_checksum_ok;
use crate::checksum::page::{verify_segment, PageStatus};
use crate::report::{Problem, Verdict};
use serde::Serialize;

/// Flush-map page size.
pub const FM_PAGE: usize = 8192;

/// The result of checking a flush map.
#[derive(Debug, Clone, Serialize)]
pub struct FlushMapCheck {
    /// The file.
    pub path: String,
    /// Always `"flushmap"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// pass (or fail with `--strict` when damaged).
    pub verdict: Verdict,
    /// Pages in the file, header included.
    pub pages_seen: u64,
    /// Pages whose checksum fails.
    pub bad_checksums: u64,
    /// Warnings only.
    pub problems: Vec<Problem>,
}

/// Checks a flush map held in `bytes`.
pub fn check_flush_map(bytes: &[u8], path: &str, strict: bool) -> FlushMapCheck {
    let mut problems = Vec::new();
    let mut bad = 0u64;
    let pages = bytes.chunks_exact(FM_PAGE);
    let pages_seen = pages.len() as u64;
    for (k, page) in pages.enumerate() {
        let ok = if k == 0 {
            legacy_checksum_ok(page)
        } else {
            let c = verify_segment(page, (k - 1) as u32);
            matches!(
                c.status,
                PageStatus::Good | PageStatus::Uninitialized | PageStatus::Correctable
            )
        };
        if !ok {
            bad += 1;
            problems.push(
                Problem::warning(
                    None,
                    path,
                    format!("flush map page {k} checksum mismatch (the engine rebuilds flush maps; not a failure)"),
                )
                .at_offset((k * FM_PAGE) as u64),
            );
        }
    }
    if bytes.len() % FM_PAGE != 0 || pages_seen == 0 {
        problems.push(Problem::warning(
            None,
            path,
            format!("flush map size {} is not a multiple of 8192 bytes", bytes.len()),
        ));
    }
    FlushMapCheck {
        path: path.to_string(),
        kind: "flushmap",
        verdict: Verdict::from_problems(&problems, strict),
        pages_seen,
        bad_checksums: bad,
        problems,
    }
}
