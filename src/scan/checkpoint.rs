//! Checking a checkpoint file (ESE-FORMAT.md §7, §9.4; eseutil /MK and /K on a `.chk`): the
//! bytes the caller mapped, fed to the [`CheckpointChecker`] of the scan core, where the rules
//! live (`crate::scan::core::checkpoint`). Opens nothing.

use crate::error::CheckError;
use crate::scan::core::checkpoint::CheckpointChecker;

pub use crate::scan::core::checkpoint::CheckpointCheck;

/// Checks a checkpoint file. `Err` when it cannot be checked: shorter than one copy, or neither
/// checksum nor file type nor name says it is a checkpoint.
pub fn check_checkpoint(bytes: &[u8], path: &str) -> Result<CheckpointCheck, CheckError> {
    let mut checker = CheckpointChecker::new(path, bytes.len() as u64)?;
    checker.feed(bytes).map_err(|e| CheckError::new(path, e.to_string()))?;
    checker.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::legacy_checksum;
    use crate::codes::JetErr;
    use crate::verdict::Verdict;

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
            (-1, "-1 (0xFFFFFFFF)"),
        ] {
            let mut f = copy(gen, 4);
            f.extend(copy(gen, 4));
            let e = check_checkpoint(&f, "edb.chk").unwrap_err();
            assert_eq!(e.path, "edb.chk");
            assert_eq!(
                e.message,
                format!("le_lgposCheckpoint generation is {shown} in the primary copy, outside 1..=0x7FFFFA00"),
                "{gen}"
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
