//! The checkpoint checker (ESE-FORMAT.md §7, §9.4; eseutil /MK and /K on a `.chk`; CLI.md
//! Decisions 1, 2, 14): both 4096-byte copies with their legacy XOR checksums, and the file type,
//! from the bytes the caller feeds in order. One bad copy is a warning, both bad is −533.
//!
//! The rules, in the order [`CheckpointChecker::finish`] applies them: `shorter_than_a_copy`
//! (when the checker is made), `neither_copy_verifies`, `copy_fails`, `file_type_not_checkpoint`,
//! `generation_outside_log_generations`, `copies_differ`.

use crate::checksum::{legacy_checksum, legacy_checksum_ok};
use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::checkpoint::CHECKPOINT_COPY_SIZE;
use crate::format::common::filetype;
use crate::format::{CheckpointFile, Generation, Lgpos, Signature};
use crate::problem::Problem;
use crate::scan::classify::{name_kind, FileKind};
use crate::scan::core::database::MAX_GENERATION;
use crate::scan::core::log::{file_name, ser_opt_display};
use crate::scan::core::{never_fed, FeedError};
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;

/// The result of checking a checkpoint; serialises as CLI.md's checkpoint object.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CheckpointCheck {
    /// The file as named by the caller.
    pub path: crate::escape::ShownPath,
    /// Always [`FileKind::Checkpoint`] (`"checkpoint"` in JSON).
    #[serde(rename = "type")]
    #[schemars(schema_with = "crate::scan::classify::always::checkpoint")]
    pub kind: FileKind,
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
    #[schemars(schema_with = "crate::format::common::opt_lgpos_text_schema")]
    pub checkpoint: Option<Lgpos>,
    /// `signLog` of the copy in use.
    pub log_signature: Option<Signature>,
    /// Everything found.
    pub problems: Vec<Problem>,
    /// The copy in use (primary when valid, else shadow), for header dumps and stream checks.
    #[serde(skip)]
    pub header: Option<CheckpointFile>,
}

impl CheckpointCheck {
    /// The lower `le_lgposCheckpoint` generation of the copies that verify (`None` when neither
    /// does). A shadow that differs from the primary may be older; the oldest log recovery could
    /// start from is the lower of the two (CLI.md Decision 14). A verifying shadow whose
    /// generation no log can have (outside 1..=0x7FFFFA00) bounds nothing: the copy in use was
    /// checked to be in range.
    pub(crate) fn lowest_generation(&self) -> Option<i32> {
        let primary = if self.primary_ok { self.generation } else { None };
        let shadow = self.shadow_generation.filter(|&g| is_checkpoint_generation(g));
        match (primary, shadow) {
            (Some(p), Some(s)) => Some(p.min(s)),
            (p, s) => p.or(s),
        }
    }
}

/// Checks a checkpoint whose bytes the caller feeds in order: made from the file size, fed every
/// byte once in buffers of any size (only the two 4096-byte copies are kept), then
/// [`finish`](Self::finish)ed. Bytes beyond the file size are refused ([`FeedError::PastEnd`], no
/// effect); fewer make `finish` a could-not-check error.
///
/// ```
/// use esecheck::scan::core::CheckpointChecker;
///
/// let file = esecheck::testkit::CheckpointBuilder::new()
///     .lgpos_checkpoint(esecheck::testkit::lgpos(0x51, 1, 0))
///     .build();
/// let mut checker = CheckpointChecker::new("E00.chk", file.len() as u64)?;
/// checker.feed(&file[..5000])?;
/// checker.feed(&file[5000..])?;
/// let c = checker.finish()?;
/// assert_eq!((c.generation, c.primary_ok, c.shadow_ok), (Some(0x51), true, true));
/// assert_eq!(serde_json::to_string(&c)?, serde_json::to_string(&esecheck::scan::check_checkpoint(&file, "E00.chk")?)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CheckpointChecker {
    path: String,
    file_size: u64,
    fed: u64,
    /// The first two 4096-byte copies, as far as fed.
    copies: Vec<u8>,
}

impl CheckpointChecker {
    /// A checker for the checkpoint `path` (named so in every problem; a checkpoint's name makes
    /// a file with two bad copies a damaged checkpoint rather than no checkpoint) of `file_size`
    /// bytes. `Err` when it cannot be checked: shorter than one copy.
    pub fn new(path: &str, file_size: u64) -> Result<CheckpointChecker, CheckError> {
        shorter_than_a_copy(path, file_size)?;
        Ok(CheckpointChecker {
            path: path.into(),
            file_size,
            fed: 0,
            copies: Vec::with_capacity(2 * CHECKPOINT_COPY_SIZE),
        })
    }

    /// Checks the next `bytes` of the file, which follow those fed before.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), FeedError> {
        let end = self.fed.saturating_add(bytes.len() as u64);
        if end > self.file_size {
            return Err(FeedError::PastEnd {
                start: self.fed,
                end,
                file_size: self.file_size,
            });
        }
        let room = (2 * CHECKPOINT_COPY_SIZE - self.copies.len()).min(bytes.len());
        self.copies.extend_from_slice(&bytes[..room]);
        self.fed = end;
        Ok(())
    }

    /// The result, once every byte was fed. `Err` when the file cannot be checked: neither
    /// checksum nor file type nor name says it is a checkpoint, the generation of the copy in use
    /// is none a log can have — or bytes never fed.
    pub fn finish(self) -> Result<CheckpointCheck, CheckError> {
        if self.fed < self.file_size {
            return Err(never_fed(&self.path, self.fed..self.file_size));
        }
        let path = self.path.as_str();
        let primary = &self.copies[..CHECKPOINT_COPY_SIZE];
        let shadow = self.copies.get(CHECKPOINT_COPY_SIZE..2 * CHECKPOINT_COPY_SIZE);
        let p = CheckpointFile::parse(primary).map_err(|e| CheckError::new(path, e.to_string()))?;
        let ctx = Copies {
            path,
            primary,
            shadow,
            primary_ok: legacy_checksum_ok(primary),
            shadow_ok: shadow.is_some_and(legacy_checksum_ok),
            p,
            s: shadow.and_then(|b| CheckpointFile::parse(b).ok()),
        };
        let mut c = CheckpointCheck {
            path: path.into(),
            kind: FileKind::Checkpoint,
            verdict: Verdict::Pass,
            primary_ok: ctx.primary_ok,
            shadow_ok: ctx.shadow_ok,
            generation: None,
            shadow_generation: ctx
                .s
                .as_ref()
                .filter(|_| ctx.shadow_ok)
                .map(|s| s.lgpos_checkpoint.generation),
            checkpoint: None,
            log_signature: None,
            problems: Vec::new(),
            header: None,
        };
        match ctx.in_use() {
            None => c.problems.push(neither_copy_verifies(&ctx)?),
            Some(h) => {
                c.problems.extend(copy_fails(&ctx));
                match file_type_not_checkpoint(&ctx, h) {
                    Some(p) => c.problems.push(p),
                    None => generation_outside_log_generations(&ctx, h)?,
                }
                c.problems.extend(copies_differ(&ctx, h, c.shadow_generation));
                c.generation = Some(h.lgpos_checkpoint.generation);
                c.checkpoint = Some(h.lgpos_checkpoint);
                c.log_signature = Some(h.sign_log);
                c.header = Some(h.clone());
            }
        }
        c.verdict = Verdict::from_problems(&c.problems, false);
        Ok(c)
    }
}

/// What the checkpoint rules read: both copies as bytes and parsed, and whether each verifies.
struct Copies<'a> {
    path: &'a str,
    primary: &'a [u8],
    /// Absent when the file ends before it.
    shadow: Option<&'a [u8]>,
    primary_ok: bool,
    shadow_ok: bool,
    p: CheckpointFile,
    s: Option<CheckpointFile>,
}

impl Copies<'_> {
    /// ESE-FORMAT.md §7: the copy in use is the primary when it verifies, else the shadow when
    /// it does.
    fn in_use(&self) -> Option<&CheckpointFile> {
        if self.primary_ok {
            Some(&self.p)
        } else if self.shadow_ok {
            self.s.as_ref()
        } else {
            None
        }
    }
}

/// CLI.md Decision 2: a file shorter than one 4096-byte copy cannot be checked.
fn shorter_than_a_copy(path: &str, file_size: u64) -> Result<(), CheckError> {
    if file_size < CHECKPOINT_COPY_SIZE as u64 {
        return Err(CheckError::new(
            path,
            format!("{file_size} bytes: shorter than a 4096-byte checkpoint copy"),
        ));
    }
    Ok(())
}

/// ESE-FORMAT.md §7, CLI.md Decision 1: with neither copy verifying, a file whose type or name
/// says checkpoint is a damaged one (−533, `JET_errCheckpointCorrupt`); any other cannot be
/// checked as one.
fn neither_copy_verifies(ctx: &Copies<'_>) -> Result<Problem, CheckError> {
    let typed =
        ctx.p.filetype == filetype::CHECKPOINT || ctx.s.as_ref().is_some_and(|s| s.filetype == filetype::CHECKPOINT);
    if !typed && name_kind(file_name(ctx.path)) != Some(FileKind::Checkpoint) {
        return Err(CheckError::new(
            ctx.path,
            "not recognisable as an ESE checkpoint: neither copy verifies",
        ));
    }
    Ok(Problem::error(
        Some(JetErr::CheckpointCorrupt),
        ctx.path,
        format!(
            "both checkpoint copies fail their checksum (primary stored 0x{:08X} computed 0x{:08X}; shadow {})",
            ctx.p.checksum,
            legacy_checksum(ctx.primary),
            match ctx.shadow {
                Some(b) => format!(
                    "stored 0x{:08X} computed 0x{:08X}",
                    ctx.s.as_ref().map_or(0, |s| s.checksum),
                    legacy_checksum(b)
                ),
                None => "missing".to_string(),
            }
        ),
    ))
}

/// ESE-FORMAT.md §7: one copy that fails its checksum while the other verifies is a warning
/// (−533 as a warning); the other is used.
fn copy_fails(ctx: &Copies<'_>) -> Vec<Problem> {
    [(ctx.primary_ok, "primary", 0u64), (ctx.shadow_ok, "shadow", 4096)]
        .into_iter()
        .filter(|&(ok, _, _)| !ok)
        .map(|(_, which, off)| {
            Problem::warning(
                Some(JetErr::CheckpointCorrupt),
                ctx.path,
                format!("{which} checkpoint copy fails its checksum; the other copy is used"),
            )
            .at_offset(off)
        })
        .collect()
}

/// ESE-FORMAT.md §1.5: a verified copy whose `le_filetype` is neither 0 nor 4 is no checkpoint
/// (−1812).
fn file_type_not_checkpoint(ctx: &Copies<'_>, h: &CheckpointFile) -> Option<Problem> {
    (h.filetype != filetype::UNKNOWN && h.filetype != filetype::CHECKPOINT).then(|| {
        Problem::error(
            Some(JetErr::FileInvalidType),
            ctx.path,
            format!("le_filetype is {}, not 4 (checkpoint)", h.filetype),
        )
    })
}

/// CLI.md Decision 2: the generation of the copy in use's `le_lgposCheckpoint`, read as the
/// unsigned 32-bit value on disk, is one a log can have (1..=0x7FFFFA00,
/// `lGenerationMaxDuringRecovery`); anything else cannot be checked.
fn generation_outside_log_generations(ctx: &Copies<'_>, h: &CheckpointFile) -> Result<(), CheckError> {
    if is_checkpoint_generation(h.lgpos_checkpoint.generation) {
        return Ok(());
    }
    let which = if ctx.primary_ok { "primary" } else { "shadow" };
    let g = h.lgpos_checkpoint.generation;
    Err(CheckError::new(
        ctx.path,
        format!(
            "le_lgposCheckpoint generation is {} in the {which} copy, outside 1..=0x{MAX_GENERATION:X}",
            Generation(g.into())
        ),
    ))
}

/// ESE-FORMAT.md §7 and §2: both copies valid but different is a warning; the primary is used
/// and the shadow counts as stale.
fn copies_differ(ctx: &Copies<'_>, h: &CheckpointFile, shadow_generation: Option<i32>) -> Option<Problem> {
    let differ = ctx.primary_ok && ctx.shadow_ok && ctx.shadow.is_some_and(|b| b != ctx.primary);
    differ.then(|| {
        Problem::warning(
            Some(JetErr::CheckpointCorrupt),
            ctx.path,
            format!(
                "shadow checkpoint copy differs from the primary (shadow generation {}, primary {}); the primary is used and the shadow treated as stale",
                shadow_generation.map_or_else(|| "?".to_string(), |g| Generation(g.into()).to_string()),
                Generation(h.lgpos_checkpoint.generation.into())
            ),
        )
        .at_offset(CHECKPOINT_COPY_SIZE as u64)
    })
}

/// True when `generation`, read as the unsigned 32-bit value on disk, is one a log can have:
/// 1..=`lGenerationMaxDuringRecovery` (so 0, −1 and 0x7FFFFFFF are not).
fn is_checkpoint_generation(generation: i32) -> bool {
    (1..=MAX_GENERATION as u32).contains(&(generation as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::CheckpointBuilder;

    fn chk(generation: i32) -> Vec<u8> {
        CheckpointBuilder::new()
            .lgpos_checkpoint(crate::testkit::lgpos(generation, 1, 0))
            .build()
    }

    fn copies(file: &[u8]) -> Copies<'_> {
        let primary = &file[..4096];
        let shadow = file.get(4096..8192);
        Copies {
            path: "E00.chk",
            primary,
            shadow,
            primary_ok: legacy_checksum_ok(primary),
            shadow_ok: shadow.is_some_and(legacy_checksum_ok),
            p: CheckpointFile::parse(primary).unwrap(),
            s: shadow.and_then(|b| CheckpointFile::parse(b).ok()),
        }
    }

    fn check(file: &[u8], path: &str, piece: usize) -> Result<CheckpointCheck, CheckError> {
        let mut c = CheckpointChecker::new(path, file.len() as u64)?;
        for part in file.chunks(piece) {
            c.feed(part).unwrap();
        }
        c.finish()
    }

    #[test]
    fn a_file_shorter_than_a_copy_cannot_be_checked() {
        assert!(shorter_than_a_copy("E00.chk", 4095).is_err());
        assert!(shorter_than_a_copy("E00.chk", 4096).is_ok());
    }

    #[test]
    fn the_copy_in_use_is_the_primary_when_it_verifies_else_the_shadow() {
        let good = chk(9);
        assert_eq!(copies(&good).in_use().map(|h| h.lgpos_checkpoint.generation), Some(9));
        let mut f = good.clone();
        f[100] ^= 1;
        assert!(copies(&f).in_use().is_some());
        assert_eq!(copy_fails(&copies(&f)).len(), 1);
        assert_eq!(copy_fails(&copies(&f))[0].offset, Some(0));
        f[4096 + 100] ^= 1;
        assert!(copies(&f).in_use().is_none());
        assert_eq!(copy_fails(&copies(&f)).len(), 2);
    }

    #[test]
    fn neither_copy_verifying_is_533_for_a_checkpoint_by_type_or_name() {
        let mut f = chk(9);
        f[100] ^= 1;
        f[4096 + 100] ^= 1;
        let p = neither_copy_verifies(&copies(&f)).unwrap();
        assert_eq!(p.code, Some(JetErr::CheckpointCorrupt));
        let mut untyped = vec![1u8; 8192];
        untyped[667..671].copy_from_slice(&0u32.to_le_bytes());
        untyped[4096 + 667..4096 + 671].copy_from_slice(&0u32.to_le_bytes());
        let mut c = copies(&untyped);
        assert!(neither_copy_verifies(&c)
            .unwrap()
            .message
            .contains("both checkpoint copies"));
        c.path = "blob.bin";
        assert!(neither_copy_verifies(&c).is_err());
    }

    #[test]
    fn file_type_generation_and_differing_copies() {
        let f = chk(9);
        let c = copies(&f);
        let h = c.in_use().unwrap();
        assert!(file_type_not_checkpoint(&c, h).is_none());
        assert!(generation_outside_log_generations(&c, h).is_ok());
        assert!(copies_differ(&c, h, Some(9)).is_none());
        let mut odd = h.clone();
        odd.filetype = 3;
        assert_eq!(
            file_type_not_checkpoint(&c, &odd).unwrap().code,
            Some(JetErr::FileInvalidType)
        );
        odd.lgpos_checkpoint.generation = 0;
        assert!(generation_outside_log_generations(&c, &odd)
            .unwrap_err()
            .message
            .contains("primary copy"));
        let mut f2 = f.clone();
        f2[4096 + 3000] = 1;
        crate::testkit::damage::reseal_legacy_header(&mut f2[4096..8192]);
        let c2 = copies(&f2);
        let p = copies_differ(&c2, c2.in_use().unwrap(), Some(9)).unwrap();
        assert_eq!((p.is_error(), p.offset), (false, Some(4096)));
    }

    #[test]
    fn a_checkpoint_fed_in_any_buffers_gives_the_one_buffer_result() {
        let good = chk(9);
        let mut one_bad = good.clone();
        one_bad[100] ^= 1;
        let mut both_bad = one_bad.clone();
        both_bad[4096 + 200] ^= 1;
        let mut long = good.clone();
        long.extend_from_slice(&[7u8; 5000]);
        for file in [good, one_bad, both_bad, long, vec![0u8; 4096]] {
            let whole = check(&file, "E00.chk", file.len()).map(|c| serde_json::to_string(&c).unwrap());
            for piece in [1, 100, 4096, 5000] {
                let got = check(&file, "E00.chk", piece).map(|c| serde_json::to_string(&c).unwrap());
                assert_eq!(got.as_ref().ok(), whole.as_ref().ok(), "{piece}");
            }
        }
        let mut c = CheckpointChecker::new("E00.chk", 8192).unwrap();
        c.feed(&[0u8; 8000]).unwrap();
        assert!(matches!(c.feed(&[0u8; 200]), Err(FeedError::PastEnd { .. })));
        assert!(c.finish().unwrap_err().message.contains("never given"));
    }
}
