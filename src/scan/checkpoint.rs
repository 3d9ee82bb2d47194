//! Checking a checkpoint file (ESE-FORMAT.md §7, §9.4; eseutil /MK and /K on a `.chk`): both
//! 4096-byte copies with their legacy XOR checksums, and the file type.
//!
//! Works on bytes the caller mapped; opens nothing. One bad copy is a warning, both bad is −533.

use crate::checksum::{legacy_checksum, legacy_checksum_ok};
use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::checkpoint::CHECKPOINT_COPY_SIZE;
use crate::format::common::filetype;
use crate::format::{CheckpointFile, Lgpos, Signature};
use crate::problem::Problem;
use crate::scan::classify::{name_kind, FileKind};
use crate::scan::database::MAX_GENERATION;
use crate::scan::log::{file_name, ser_opt_display};
use crate::verdict::Verdict;
use serde::Serialize;

/// The result of checking a checkpoint; serialises as CLI.md's checkpoint object.
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointCheck {
    /// The file as named by the caller.
    pub path: String,
    /// Always `"checkpoint"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Pass or fail.
    pub verdict: Verdict,
    /// The primary copy (offset 0) verifies.
    pub primary_ok: bool,
    /// The shadow copy (offset 4096) verifies.
    pub shadow_ok: bool,
    /// Generation of `le_lgposCheckpoint` of the copy in use (absent when both are bad).
    pub generation: Option<i32>,
    /// Generation of `le_lgposCheckpoint` of the shadow copy (offset 4096), when it verifies.
    pub shadow_generation: Option<i32>,
    /// `le_lgposCheckpoint`.
    #[serde(serialize_with = "ser_opt_display")]
    pub checkpoint: Option<Lgpos>,
    /// `signLog` of the copy in use.
    pub log_signature: Option<Signature>,
    /// Everything found.
    pub problems: Vec<Problem>,
    /// The copy in use (primary when valid, else shadow), for header dumps and stream checks.
    #[serde(skip)]
    pub header: Option<CheckpointFile>,
}

/// Checks a checkpoint file. `Err` when it cannot be checked: shorter than one copy, or neither
/// checksum nor file type nor name says it is a checkpoint.
pub fn check_checkpoint(bytes: &[u8], path: &str) -> Result<CheckpointCheck, CheckError> {
    let primary = bytes.get(..CHECKPOINT_COPY_SIZE).ok_or_else(|| {
        CheckError::new(
            path,
            format!("{} bytes: shorter than a 4096-byte checkpoint copy", bytes.len()),
        )
    })?;
    let shadow = bytes.get(CHECKPOINT_COPY_SIZE..2 * CHECKPOINT_COPY_SIZE);
    let primary_ok = legacy_checksum_ok(primary);
    let shadow_ok = shadow.is_some_and(legacy_checksum_ok);
    let p = CheckpointFile::parse(primary).map_err(|e| CheckError::new(path, e.to_string()))?;
    let s = shadow.and_then(|b| CheckpointFile::parse(b).ok());

    let mut c = CheckpointCheck {
        path: path.to_string(),
        kind: "checkpoint",
        verdict: Verdict::Pass,
        primary_ok,
        shadow_ok,
        generation: None,
        shadow_generation: s.as_ref().filter(|_| shadow_ok).map(|s| s.lgpos_checkpoint.generation),
        checkpoint: None,
        log_signature: None,
        problems: Vec::new(),
        header: None,
    };
    let in_use = if primary_ok {
        Some(p.clone())
    } else if shadow_ok {
        s.clone()
    } else {
        None
    };
    match &in_use {
        None => {
            let typed =
                p.filetype == filetype::CHECKPOINT || s.as_ref().is_some_and(|s| s.filetype == filetype::CHECKPOINT);
            if !typed && name_kind(file_name(path)) != Some(FileKind::Checkpoint) {
                return Err(CheckError::new(
                    path,
                    "not recognisable as an ESE checkpoint: neither copy verifies",
                ));
            }
            c.problems.push(Problem::error(
                Some(JetErr::CheckpointCorrupt),
                path,
                format!(
                    "both checkpoint copies fail their checksum (primary stored 0x{:08X} computed 0x{:08X}; shadow {})",
                    p.checksum,
                    legacy_checksum(primary),
                    match shadow {
                        Some(b) => format!(
                            "stored 0x{:08X} computed 0x{:08X}",
                            s.as_ref().map_or(0, |s| s.checksum),
                            legacy_checksum(b)
                        ),
                        None => "missing".to_string(),
                    }
                ),
            ));
        }
        Some(h) => {
            for (ok, which, off) in [(primary_ok, "primary", 0u64), (shadow_ok, "shadow", 4096)] {
                if !ok {
                    c.problems.push(
                        Problem::warning(
                            Some(JetErr::CheckpointCorrupt),
                            path,
                            format!("{which} checkpoint copy fails its checksum; the other copy is used"),
                        )
                        .at_offset(off),
                    );
                }
            }
            if h.filetype != filetype::UNKNOWN && h.filetype != filetype::CHECKPOINT {
                c.problems.push(Problem::error(
                    Some(JetErr::FileInvalidType),
                    path,
                    format!("le_filetype is {}, not 4 (checkpoint)", h.filetype),
                ));
            } else if !is_checkpoint_generation(h.lgpos_checkpoint.generation) {
                // Decision 2: a header value outside the allowed set cannot be checked.
                let which = if primary_ok { "primary" } else { "shadow" };
                let g = h.lgpos_checkpoint.generation as u32;
                return Err(CheckError::new(
                    path,
                    format!(
                        "le_lgposCheckpoint generation is {g} (0x{g:X}) in the {which} copy, outside 1..=0x{MAX_GENERATION:X}"
                    ),
                ));
            }
            if primary_ok && shadow_ok && shadow.is_some_and(|b| b != primary) {
                // ESE-FORMAT §7 and §2: both copies valid but different, the primary is used and
                // the shadow counts as bad.
                c.problems.push(
                    Problem::warning(
                        Some(JetErr::CheckpointCorrupt),
                        path,
                        format!(
                            "shadow checkpoint copy differs from the primary (shadow generation {}, primary {}); the primary is used and the shadow treated as stale",
                            c.shadow_generation.map_or_else(|| "?".to_string(), |g| g.to_string()),
                            h.lgpos_checkpoint.generation
                        ),
                    )
                    .at_offset(CHECKPOINT_COPY_SIZE as u64),
                );
            }
            c.generation = Some(h.lgpos_checkpoint.generation);
            c.checkpoint = Some(h.lgpos_checkpoint);
            c.log_signature = Some(h.sign_log);
        }
    }
    c.header = in_use;
    c.verdict = Verdict::from_problems(&c.problems, false);
    Ok(c)
}

/// True when `generation`, read as the unsigned 32-bit value on disk, is one a log can have:
/// 1..=`lGenerationMaxDuringRecovery` (so 0, −1 and 0x7FFFFFFF are not).
fn is_checkpoint_generation(generation: i32) -> bool {
    (1..=MAX_GENERATION as u32).contains(&(generation as u32))
}

impl CheckpointCheck {
    /// The lower `le_lgposCheckpoint` generation of the copies that verify (`None` when neither
    /// does). A shadow that differs from the primary may be older; the oldest log recovery could
    /// start from is the lower of the two. A verifying shadow whose generation no log can have
    /// (outside 1..=0x7FFFFA00) bounds nothing: the copy in use was checked to be in range.
    pub fn lowest_generation(&self) -> Option<i32> {
        let primary = if self.primary_ok { self.generation } else { None };
        let shadow = self.shadow_generation.filter(|&g| is_checkpoint_generation(g));
        match (primary, shadow) {
            (Some(p), Some(s)) => Some(p.min(s)),
            (p, s) => p.or(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(gen: i32, ft: u32) -> Vec<u8> {
        let mut b = vec![0u8; 4096];
        b[16..20].copy_from_slice(&gen.to_le_bytes());
        b[667..671].copy_from_slice(&ft.to_le_bytes());
        let ck = legacy_checksum(&b);
        b[0..4].copy_from_slice(&ck.to_le_bytes());
        b
    }

    #[test]
    fn one_bad_copy_warns_both_bad_fails() {
        let mut f = copy(7, 4);
        f.extend(copy(7, 4));
        let c = check_checkpoint(&f, "edb.chk").unwrap();
        assert_eq!(c.verdict, Verdict::Pass);
        assert_eq!(c.generation, Some(7));
        f[100] ^= 1;
        let c = check_checkpoint(&f, "edb.chk").unwrap();
        assert!(!c.primary_ok && c.shadow_ok);
        assert_eq!(c.verdict, Verdict::Pass);
        assert_eq!(c.problems.len(), 1);
        f[5000] ^= 1;
        let c = check_checkpoint(&f, "edb.chk").unwrap();
        assert_eq!(c.verdict, Verdict::Fail);
        assert_eq!(c.problems[0].code, Some(JetErr::CheckpointCorrupt));
        // Same damage, no checkpoint name, no type: could not check.
        let mut z = vec![0u8; 8192];
        z[3] = 1;
        assert!(check_checkpoint(&z, "blob.bin").is_err());
        assert!(check_checkpoint(&z[..100], "edb.chk").is_err());
    }

    #[test]
    fn checkpoint_generation_0x7fffffff_is_exit_2() {
        for (gen, shown) in [
            (0x7FFF_FFFF, "2147483647 (0x7FFFFFFF)"),
            (0x7FFF_FA01, "2147482113 (0x7FFFFA01)"),
            (0, "0 (0x0)"),
            (-1, "4294967295 (0xFFFFFFFF)"),
        ] {
            let mut f = copy(gen, 4);
            f.extend(copy(gen, 4));
            let e = check_checkpoint(&f, "edb.chk").unwrap_err();
            assert_eq!(e.path, "edb.chk");
            assert!(
                e.message.contains(&format!("le_lgposCheckpoint generation is {shown}"))
                    && e.message.contains("outside 1..=0x7FFFFA00"),
                "{gen}: {}",
                e.message
            );
        }
        for gen in [1, 0x7FFF_FA00] {
            let mut f = copy(gen, 4);
            f.extend(copy(gen, 4));
            assert_eq!(check_checkpoint(&f, "edb.chk").unwrap().generation, Some(gen));
        }
    }

    #[test]
    fn checkpoint_generation_of_the_shadow_in_use_is_checked_too() {
        let mut f = copy(7, 4);
        f[100] ^= 1; // primary bad: the shadow is in use
        f.extend(copy(-1, 4));
        assert!(check_checkpoint(&f, "edb.chk")
            .unwrap_err()
            .message
            .contains("shadow copy"));
    }

    #[test]
    fn checkpoint_copies_that_differ_warn() {
        let mut f = copy(7, 4);
        f.extend(copy(6, 4));
        let c = check_checkpoint(&f, "edb.chk").unwrap();
        assert_eq!(c.verdict, Verdict::Pass);
        assert_eq!(
            (c.generation, c.shadow_generation, c.lowest_generation()),
            (Some(7), Some(6), Some(6))
        );
        assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
        assert!(!c.problems[0].is_error());
        assert!(c.problems[0]
            .message
            .contains("shadow checkpoint copy differs from the primary"));
        assert!(c.problems[0].message.contains("treated as stale"));
        // Any byte, not only the generation.
        let mut f = copy(7, 4);
        let mut shadow = copy(7, 4);
        shadow[3000] = 1;
        let ck = legacy_checksum(&shadow);
        shadow[0..4].copy_from_slice(&ck.to_le_bytes());
        f.extend(shadow);
        let c = check_checkpoint(&f, "edb.chk").unwrap();
        assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
        assert_eq!(c.lowest_generation(), Some(7));
        // Identical copies: nothing to say.
        let mut f = copy(7, 4);
        f.extend(copy(7, 4));
        assert!(check_checkpoint(&f, "edb.chk").unwrap().problems.is_empty());
    }

    #[test]
    fn lowest_generation_counts_only_copies_that_verify() {
        let mut f = copy(9, 4);
        f.extend(copy(5, 4));
        f[4096 + 100] ^= 1; // shadow bad
        let c = check_checkpoint(&f, "edb.chk").unwrap();
        assert_eq!((c.shadow_generation, c.lowest_generation()), (None, Some(9)));
        let mut f = copy(9, 4);
        f[100] ^= 1; // primary bad
        f.extend(copy(5, 4));
        let c = check_checkpoint(&f, "edb.chk").unwrap();
        assert_eq!((c.generation, c.lowest_generation()), (Some(5), Some(5)));
        f[4096 + 100] ^= 1; // both bad
        assert_eq!(check_checkpoint(&f, "edb.chk").unwrap().lowest_generation(), None);
        // A verifying shadow with a generation no log has bounds nothing.
        let mut f = copy(9, 4);
        f.extend(copy(-1, 4));
        let c = check_checkpoint(&f, "edb.chk").unwrap();
        assert_eq!((c.shadow_generation, c.lowest_generation()), (Some(-1), Some(9)));
    }

    #[test]
    fn wrong_file_type_is_1812() {
        let mut f = copy(7, 3);
        f.extend(copy(7, 3));
        let c = check_checkpoint(&f, "edb.chk").unwrap();
        assert_eq!(c.problems[0].code, Some(JetErr::FileInvalidType));
        assert_eq!(c.verdict, Verdict::Fail);
    }
}
