//! Checkpoint fixtures (ESE-FORMAT.md §7): 8192 bytes, two identical 4096-byte copies, each with
//! its own legacy XOR checksum.

use super::damage::reseal_legacy_header;
use super::db::default_log_signature;
use super::{attach_list, put_lgpos, put_u32, AttachInfo};
use crate::format::common::{filetype, Lgpos, Signature, FILETYPE_OFFSET};

/// Size of one checkpoint copy.
pub const CHECKPOINT_COPY: usize = 4096;

/// Reseals both copies of a checkpoint image in place (each copy's own legacy XOR).
pub fn seal_checkpoint(buf: &mut [u8]) {
    reseal_legacy_header(&mut buf[..CHECKPOINT_COPY]);
    reseal_legacy_header(&mut buf[CHECKPOINT_COPY..2 * CHECKPOINT_COPY]);
}

/// Builds a checkpoint file.
#[derive(Debug, Clone)]
pub struct CheckpointBuilder {
    copy: Vec<u8>,
}

impl Default for CheckpointBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl CheckpointBuilder {
    /// Checkpoint at `(gen 1, isec 1, ib 0)`, the [`default_log_signature`], filetype 4.
    pub fn new() -> Self {
        let mut copy = vec![0u8; CHECKPOINT_COPY];
        put_u32(&mut copy, FILETYPE_OFFSET, filetype::CHECKPOINT);
        copy[20..48].copy_from_slice(&default_log_signature().raw);
        CheckpointBuilder { copy }.lgpos_checkpoint(Lgpos {
            generation: 1,
            isec: 1,
            ib: 0,
        })
    }

    /// `le_lgposCheckpoint` @12: its generation is the oldest log recovery needs.
    pub fn lgpos_checkpoint(mut self, pos: Lgpos) -> Self {
        put_lgpos(&mut self.copy, 12, pos);
        self
    }

    /// `le_lgposDbConsistency` @648 (0 means "same as the checkpoint").
    pub fn lgpos_db_consistency(mut self, pos: Lgpos) -> Self {
        put_lgpos(&mut self.copy, 648, pos);
        self
    }

    /// `signLog` @20.
    pub fn log_signature(mut self, sign: Signature) -> Self {
        self.copy[20..48].copy_from_slice(&sign.raw);
        self
    }

    /// Writes the attach list (§6.3) at @679 and sets `fVersion` @647 to 1 ("attach info
    /// present").
    pub fn attach(mut self, list: &[AttachInfo]) -> Self {
        let bytes = attach_list(list);
        self.copy[679..679 + bytes.len()].copy_from_slice(&bytes);
        self.copy[647] = 1;
        self
    }

    /// `le_filetype` @667 (4 checkpoint; anything for hostile tests).
    pub fn file_type(self, file_type: u32) -> Self {
        self.field_u32(FILETYPE_OFFSET, file_type)
    }

    /// Any u32 field of both copies (the checksums are computed after).
    pub fn field_u32(mut self, offset: usize, value: u32) -> Self {
        put_u32(&mut self.copy, offset, value);
        self
    }

    /// Raw bytes at `offset` of both copies (the checksums are computed after).
    pub fn field_bytes(mut self, offset: usize, bytes: &[u8]) -> Self {
        self.copy[offset..offset + bytes.len()].copy_from_slice(bytes);
        self
    }

    /// The 8192-byte file: two identical sealed copies.
    pub fn build(&self) -> Vec<u8> {
        let mut c = self.copy.clone();
        reseal_legacy_header(&mut c);
        let mut out = c.clone();
        out.extend_from_slice(&c);
        out
    }

    /// Writes the file to `path`.
    pub fn write_file(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::fs::write(path, self.build())
    }
}
