//! Checking one transaction log file (ESE-FORMAT.md §9.3, eseutil /ML `<file>` and /K on a log):
//! the file scan that feeds the [`LogChecker`] of the scan core, releasing each 4 MiB of a
//! mapped log once it is checked. Every rule lives in `crate::scan::core::log`.
//!
//! Works on bytes the caller mapped; it opens nothing and keeps no reference to the bytes.

use crate::error::CheckError;
use crate::scan::core::log::LogChecker;

pub use crate::scan::core::log::{generation_outside_log_generations, LogCheck, SEGMENT_SIZE};

/// Checks one log file (`bytes` = the whole file, `path` = its name for messages).
///
/// `Err` only when the file cannot be checked (CLI.md Decision 2): shorter than the header, not
/// recognisable as a log, or header values outside the allowed sets. A log that fails its checks
/// is `Ok` with error problems.
pub fn check_log(bytes: &[u8], path: &str) -> Result<LogCheck, CheckError> {
    check_log_with(bytes, path, None)
}

/// [`check_log`], calling `release(offset, len)` with each 4 MiB range of the file the check has
/// finished with, so that a mapped log larger than [`crate::scan::file::HEAP_LIMIT`] stays at a
/// few MiB of the resident set ([`crate::scan::file::Input::release`], docs/PERFORMANCE.md).
pub(crate) fn check_log_with(
    bytes: &[u8],
    path: &str,
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<LogCheck, CheckError> {
    fed(bytes, path, release)?.finish()
}

/// [`check_log_with`] for a log of a stream (`logs`, `verify`): a verified header whose generation
/// no log can have is a damaged member of the stream, not "could not check"
/// ([`LogChecker::finish_in_stream`], CLI.md Decision 3).
pub(crate) fn check_stream_log_with(
    bytes: &[u8],
    path: &str,
    release: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<LogCheck, CheckError> {
    fed(bytes, path, release)?.finish_in_stream()
}

/// Bytes fed between two releases.
const RELEASE_EVERY: usize = 4 << 20;

/// A [`LogChecker`] fed the whole file: in one buffer (a legacy log is then walked in place), or,
/// with `release`, in 4 MiB pieces, each released once checked.
fn fed(bytes: &[u8], path: &str, release: Option<&(dyn Fn(usize, usize) + Sync)>) -> Result<LogChecker, CheckError> {
    let mut checker = LogChecker::new(path, bytes.len() as u64)?;
    let piece = match release {
        Some(_) => RELEASE_EVERY,
        None => bytes.len().max(1),
    };
    for (k, part) in bytes.chunks(piece).enumerate() {
        checker.feed(part).map_err(|e| CheckError::new(path, e.to_string()))?;
        if let Some(release) = release {
            release(k * RELEASE_EVERY, part.len());
        }
    }
    Ok(checker)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::{ecc::ecc_block, legacy_checksum};
    use crate::codes::JetErr;
    use crate::verdict::Verdict;

    const GEN: i32 = 0x20;

    /// A v8 log of `csec` segments: header, data segments from `segs` (index = isec - 1), zero
    /// elsewhere.
    fn log(csec: u16, segs: &[Option<Vec<u8>>]) -> Vec<u8> {
        let mut b = vec![0u8; usize::from(csec) * SEGMENT_SIZE];
        b[4..8].copy_from_slice(&GEN.to_le_bytes());
        b[8..10].copy_from_slice(&4096u16.to_le_bytes());
        b[10..12].copy_from_slice(&1u16.to_le_bytes());
        b[12..14].copy_from_slice(&csec.to_le_bytes());
        b[32..36].copy_from_slice(&8u32.to_le_bytes());
        b[36..40].copy_from_slice(&4000u32.to_le_bytes());
        b[40..44].copy_from_slice(&5u32.to_le_bytes());
        b[648..652].copy_from_slice(&16u32.to_le_bytes());
        b[667..671].copy_from_slice(&3u32.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        for (k, s) in segs.iter().enumerate() {
            if let Some(s) = s {
                let at = (k + 1) * SEGMENT_SIZE;
                b[at..at + SEGMENT_SIZE].copy_from_slice(s);
            }
        }
        b
    }

    /// A segment claiming `(gen, isec, 0)`, checksummed with `pgno`.
    fn seg(pgno: u32, isec: u16, gen: i32, fill: u8) -> Option<Vec<u8>> {
        let mut s = vec![0u8; SEGMENT_SIZE];
        s[10..12].copy_from_slice(&isec.to_le_bytes());
        s[12..16].copy_from_slice(&gen.to_le_bytes());
        s[36..40].copy_from_slice(&0x2000u32.to_le_bytes());
        for (i, b) in s[40..].iter_mut().enumerate() {
            *b = fill.wrapping_add((i % 251) as u8);
        }
        let ck = ecc_block(&s, pgno, true);
        s[0..8].copy_from_slice(&ck.to_le_bytes());
        Some(s)
    }

    fn good(isec: u16) -> Option<Vec<u8>> {
        seg(u32::from(isec), isec, GEN, isec as u8)
    }

    fn garbage() -> Option<Vec<u8>> {
        Some((0..SEGMENT_SIZE).map(|i| (i * 7 + 1) as u8).collect())
    }

    fn stored(s: &Option<Vec<u8>>) -> u64 {
        let s = s.as_ref().unwrap();
        u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
    }

    fn run(segs: &[Option<Vec<u8>>]) -> LogCheck {
        check_log(&log(8, segs), "t.log").unwrap()
    }

    /// The engine's reason of the first error, and its message, which must not repeat it.
    fn reason(c: &LogCheck) -> String {
        let p = c.problems.iter().find(|p| p.is_error());
        let (why, msg) = p.map_or(("", ""), |p| (p.reason.unwrap_or(""), p.message.as_str()));
        assert!(
            why.is_empty() || !msg.contains(why),
            "an internal name in the message: {msg}"
        );
        why.to_string()
    }

    #[test]
    fn valid_run_shadow_copy_and_zero_tail_pass() {
        let segs = [good(1), good(2), good(3), seg(3, 3, GEN, 3), None, None];
        let c = run(&segs);
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        assert_eq!(c.sectors_seen, 6);
        assert_eq!(c.last_lgpos.unwrap().isec, 4);
        assert_eq!(
            c.accumulated_checksum,
            Some(stored(&segs[0]) ^ stored(&segs[1]) ^ stored(&segs[2]))
        );
    }

    #[test]
    fn stale_segment_of_an_older_generation_ends_the_data() {
        let c = run(&[good(1), good(2), seg(3, 3, GEN - 1, 9), None, None, None]);
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        assert_eq!(c.last_lgpos.unwrap().isec, 3);
    }

    #[test]
    fn each_corruption_reason_is_501() {
        let cases: [(&str, Vec<Option<Vec<u8>>>); 5] = [
            ("ValidSegmentAfterEmpty", vec![good(1), None, good(3)]),
            ("CorruptAfterEmptySegment", vec![good(1), None, garbage()]),
            ("BadSegmentLgpos", vec![good(1), seg(2, 5, GEN, 2)]),
            ("SegmentCorrupt", vec![garbage()]),
            ("EmptySegmentHigherLgen", vec![good(1), None, seg(2, 2, GEN, 1)]),
        ];
        for (why, segs) in cases {
            let c = run(&segs);
            assert_eq!(c.verdict, Verdict::Fail, "{why}");
            assert!(reason(&c).contains(why), "{why}: {}", reason(&c));
            assert_eq!(c.problems[0].code, Some(JetErr::LogFileCorrupt));
            assert_eq!(c.bad_sectors, 1);
        }
    }

    #[test]
    fn torn_write_patchable_from_the_shadow_is_a_warning() {
        let shadow = seg(2, 2, GEN, 77);
        let c = run(&[good(1), garbage(), shadow.clone(), None, None, None]);
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        assert!(c.problems[0].message.contains("torn write"));
        assert_eq!(c.last_lgpos.unwrap().isec, 3);
        assert_eq!(c.accumulated_checksum, Some(stored(&good(1)) ^ stored(&shadow)));
    }

    /// `log(8, [good(1)])` with `le_cbPageSize` @14 set to `v` and the header resealed.
    fn log_with_page_size(v: u16) -> Vec<u8> {
        let mut b = log(8, &[good(1)]);
        b[14..16].copy_from_slice(&v.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        b
    }

    #[test]
    fn log_page_size_65535_is_exit_2() {
        for v in [65535u16, 1, 1024, 4095, 12288, 32769] {
            let e = check_log(&log_with_page_size(v), "t.log").unwrap_err();
            assert_eq!(e.path, "t.log");
            assert!(
                e.message.contains(&format!("le_cbPageSize is {v}")) && e.message.contains("not a page size ESE uses"),
                "{v}: {}",
                e.message
            );
        }
    }

    #[test]
    fn log_page_sizes_ese_uses_are_accepted() {
        for v in [0u16, 2048, 4096, 8192, 16384, 32768] {
            let c = check_log(&log_with_page_size(v), "t.log").unwrap();
            assert_eq!(c.verdict, Verdict::Pass, "{v}: {:?}", c.problems);
            assert_eq!(c.page_size, Some(if v == 0 { 4096 } else { u32::from(v) }));
        }
    }

    #[test]
    fn log_shorter_or_longer_than_its_header_declares_is_541_not_exit_2() {
        let b = log(8, &[good(1)]);
        for len in [b.len() - 4096, b.len() - 1, b.len() + 4096] {
            let mut f = b.clone();
            f.resize(len, 0);
            let c = check_log(&f, "t.log").unwrap();
            assert_eq!(c.verdict, Verdict::Fail, "{len}");
            assert_eq!(c.problems[0].code, Some(JetErr::LogFileSizeMismatch), "{len}");
        }
    }

    /// `log(8, segs)` with `le_lGeneration` @4 set to `g` and the header resealed.
    fn log_of_generation(g: i32, segs: &[Option<Vec<u8>>]) -> Vec<u8> {
        let mut b = log(8, segs);
        b[4..8].copy_from_slice(&g.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        b
    }

    #[test]
    fn a_log_generation_is_one_of_1_to_0x7ffffa00() {
        for g in [1, 2, 0x51, 0x7FFF_F000, 0x7FFF_FA00] {
            assert_eq!(generation_outside_log_generations(g), None, "{g:#X}");
        }
        for (g, shown) in [
            (-5, "-5 (0xFFFFFFFB)"),
            (0, "0 (0x0)"),
            (-1, "-1 (0xFFFFFFFF)"),
            (0x7FFF_FA01, "2147482113 (0x7FFFFA01)"),
            (0x7FFF_FFFF, "2147483647 (0x7FFFFFFF)"),
            (i32::MIN, "-2147483648 (0x80000000)"),
        ] {
            let m = generation_outside_log_generations(g).unwrap();
            assert_eq!(
                m,
                format!("le_lGeneration is {shown}, outside the log generations 1..=0x7FFFFA00")
            );
        }
    }

    #[test]
    fn a_log_of_generation_minus_5_cannot_be_checked_alone_and_is_a_damaged_member_in_a_stream() {
        for g in [-5, 0, 0x7FFF_FFFF] {
            let b = log_of_generation(g, &[good(1)]);
            // Alone (`checksum`, `header`): could not check, naming the field (Decision 2).
            let e = check_log(&b, "E0000020.log").unwrap_err();
            assert_eq!(e.path, "E0000020.log");
            assert!(
                e.message.starts_with(&format!("le_lGeneration is {g} ")),
                "{}",
                e.message
            );

            // A numbered log of a stream: −513 at the name's generation, and no generation or
            // header of its own to place it by.
            let c = check_stream_log_with(&b, "logs/E0000020.log", None).unwrap();
            assert_eq!(
                (c.verdict, c.generation, c.header.is_none()),
                (Verdict::Fail, None, true)
            );
            assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
            let p = &c.problems[0];
            assert_eq!(
                (p.code, p.generation),
                (Some(JetErr::LogGenerationMismatch), Some(0x20))
            );
            assert!(
                p.message.ends_with(
                    "the header verifies, yet no log has this generation (the file name says 32 (0x20)); a damaged member of the stream"
                ),
                "{}",
                p.message
            );

            // The current log: −501, at no generation.
            let c = check_stream_log_with(&b, "logs/E00.log", None).unwrap();
            assert_eq!((c.verdict, c.generation), (Verdict::Fail, None));
            let p = &c.problems[0];
            assert_eq!((p.code, p.generation), (Some(JetErr::LogFileCorrupt), None));
            assert!(
                p.message.starts_with(&format!("le_lGeneration is {g} ")),
                "{}",
                p.message
            );
        }
        // Every other refusal stays could-not-check in a stream too.
        let mut b = log(8, &[good(1)]);
        b[14..16].copy_from_slice(&65535u16.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        assert!(check_stream_log_with(&b, "E0000020.log", None).is_err());
        // And a log of a possible generation is checked as on its own.
        let c = check_stream_log_with(&log(8, &[good(1)]), "E0000020.log", None).unwrap();
        assert_eq!((c.verdict, c.generation), (Verdict::Pass, Some(GEN)));
    }

    /// The errors of `c`: (code, sector, message).
    fn errors(c: &LogCheck) -> Vec<(Option<i32>, Option<u64>, String)> {
        c.problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| (p.code.map(JetErr::code), p.sector, p.message.clone()))
            .collect()
    }

    #[test]
    fn an_archived_log_without_a_data_segment_of_its_generation_is_501() {
        // Every data segment zero: the header alone, as a wipe leaves it.
        let c = check_log(&log(8, &[]), "logs/E0000020.log").unwrap();
        assert_eq!(c.verdict, Verdict::Fail);
        let e = errors(&c);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0, e[0].1), (Some(-501), Some(1)));
        assert_eq!(
            e[0].2,
            "no data segment of generation 32 (0x20) verifies: segments 1-6 are all zeros, yet an archived log always holds at least one record (wiped, or never written?)"
        );
        assert_eq!((c.bad_sectors, c.problems[0].generation), (0, Some(32)));

        // Only stale segments of an older generation (and a shadow of one): no record of its own.
        let stale = [seg(1, 1, GEN - 1, 1), seg(2, 2, GEN - 1, 2), seg(2, 2, GEN - 1, 2)];
        let c = check_log(&log(8, &stale), "E0000020.log").unwrap();
        let e = errors(&c);
        assert_eq!((e.len(), e[0].0), (1, Some(-501)), "{e:?}");
        assert!(
            e[0].2
                .contains("segments 1-6 are empty or stale copies of other generations"),
            "{}",
            e[0].2
        );

        // The current log may be freshly rolled and empty; a name that is no log name says
        // nothing either.
        for name in ["logs/E00.log", "logs/E00.jtx", "t.log"] {
            let c = check_log(&log(8, &[]), name).unwrap();
            assert_eq!(c.verdict, Verdict::Pass, "{name}: {:?}", c.problems);
        }
        // One record is enough, and a torn one patchable from its shadow is one.
        let c = check_log(&log(8, &[good(1)]), "E0000020.log").unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        let torn = [garbage(), seg(1, 1, GEN, 77)];
        let c = check_log(&log(8, &torn), "E0000020.log").unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        // A scan that stopped at a corrupt first segment has its own −501, and only that one.
        let c = check_log(&log(8, &[garbage()]), "E0000020.log").unwrap();
        assert_eq!(errors(&c).len(), 1, "{:?}", c.problems);
        assert_eq!(reason(&c), "SegmentCorrupt");
    }

    #[test]
    fn zero_segments_before_8_4000_2_are_corrupt() {
        let mut b = log(8, &[good(1)]);
        b[40..44].copy_from_slice(&1u32.to_le_bytes());
        let ck = legacy_checksum(&b[..4096]);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        let c = check_log(&b, "t.log").unwrap();
        assert!(reason(&c).contains("SegmentCorrupt"), "{:?}", c.problems);
    }
}
