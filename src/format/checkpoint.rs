//! CHECKPOINT, one 4096-byte copy of the checkpoint file `<base>.chk` (ESE-FORMAT.md §7).
//!
//! Pure parsing of one copy: no I/O, no checksum verification (the scan layer reads both copies
//! and decides).

use super::attach::{parse_attach_list, ser_display, AttachInfo};
use super::bytes::{FormatError, Reader};
use super::common::{lgpos_text_schema, Lgpos, LogTime, Signature, FILETYPE_OFFSET};
use super::log_header::{DbmsParam, ATTACH_AREA_SIZE};
use schemars::JsonSchema;
use serde::Serialize;

/// Size of one checkpoint copy.
pub(crate) const CHECKPOINT_COPY_SIZE: usize = 4096;
/// Offset of `rgbAttach` in a checkpoint copy.
pub(crate) const CHECKPOINT_ATTACH_OFFSET: usize = 679;

/// Every field of one checkpoint copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CheckpointFile {
    /// @0 `le_ulChecksum`: legacy XOR over the 4096 bytes of the copy.
    #[serde(rename = "le_ulChecksum")]
    pub checksum: u32,
    /// @4 `le_lgposLastFullBackupCheckpoint`.
    #[serde(serialize_with = "ser_display")]
    #[schemars(schema_with = "lgpos_text_schema")]
    #[serde(rename = "le_lgposLastFullBackupCheckpoint")]
    pub lgpos_last_full_backup_checkpoint: Lgpos,
    /// @12 `le_lgposCheckpoint`: recovery starts here; its generation is the oldest log needed.
    #[serde(serialize_with = "ser_display")]
    #[schemars(schema_with = "lgpos_text_schema")]
    #[serde(rename = "le_lgposCheckpoint")]
    pub lgpos_checkpoint: Lgpos,
    /// @20 `signLog`.
    #[serde(rename = "signLog")]
    pub sign_log: Signature,
    /// @48 `dbms_param` (567 bytes; `le_lcsecLGFile` at @591).
    pub dbms_param: DbmsParam,
    /// @615 `le_lgposFullBackup`.
    #[serde(serialize_with = "ser_display")]
    #[schemars(schema_with = "lgpos_text_schema")]
    #[serde(rename = "le_lgposFullBackup")]
    pub lgpos_full_backup: Lgpos,
    /// @623 `logtimeFullBackup`.
    #[serde(rename = "logtimeFullBackup")]
    pub logtime_full_backup: LogTime,
    /// @631 `le_lgposIncBackup`.
    #[serde(serialize_with = "ser_display")]
    #[schemars(schema_with = "lgpos_text_schema")]
    #[serde(rename = "le_lgposIncBackup")]
    pub lgpos_inc_backup: Lgpos,
    /// @639 `logtimeIncBackup`.
    #[serde(rename = "logtimeIncBackup")]
    pub logtime_inc_backup: LogTime,
    /// @647 `fVersion` (0x1 = attach info present).
    #[serde(rename = "fVersion")]
    pub f_version: u8,
    /// @648 `le_lgposDbConsistency` (zero means "same as lgposCheckpoint").
    #[serde(serialize_with = "ser_display")]
    #[schemars(schema_with = "lgpos_text_schema")]
    #[serde(rename = "le_lgposDbConsistency")]
    pub lgpos_db_consistency: Lgpos,
    /// @667 `le_filetype` = 4.
    #[serde(rename = "le_filetype")]
    pub filetype: u32,
    /// @679 `rgbAttach` (§6.3). Empty when unreadable.
    #[serde(rename = "rgbAttach")]
    pub attach: Vec<AttachInfo>,
    /// True when the attach list ran past `rgbAttach`.
    pub attach_damaged: bool,
}

impl CheckpointFile {
    /// Parses one copy from the first 4096 bytes of `buf`.
    pub fn parse(buf: &[u8]) -> Result<CheckpointFile, FormatError> {
        let r = Reader::new(buf, "CHECKPOINT");
        r.bytes(0, CHECKPOINT_COPY_SIZE, "CHECKPOINT")?;
        let area = r.bytes(CHECKPOINT_ATTACH_OFFSET, ATTACH_AREA_SIZE, "rgbAttach")?;
        let (attach, attach_damaged) = match parse_attach_list(area) {
            Ok(list) => (list, false),
            Err(_) => (Vec::new(), true),
        };
        Ok(CheckpointFile {
            checksum: r.u32(0, "le_ulChecksum")?,
            lgpos_last_full_backup_checkpoint: Lgpos::read(&r, 4, "le_lgposLastFullBackupCheckpoint")?,
            lgpos_checkpoint: Lgpos::read(&r, 12, "le_lgposCheckpoint")?,
            sign_log: Signature::read(&r, 20, "signLog")?,
            dbms_param: DbmsParam::read(&r, 48)?,
            lgpos_full_backup: Lgpos::read(&r, 615, "le_lgposFullBackup")?,
            logtime_full_backup: LogTime::read(&r, 623, "logtimeFullBackup")?,
            lgpos_inc_backup: Lgpos::read(&r, 631, "le_lgposIncBackup")?,
            logtime_inc_backup: LogTime::read(&r, 639, "logtimeIncBackup")?,
            f_version: r.u8(647, "fVersion")?,
            lgpos_db_consistency: Lgpos::read(&r, 648, "le_lgposDbConsistency")?,
            filetype: r.u32(FILETYPE_OFFSET, "le_filetype")?,
            attach,
            attach_damaged,
        })
    }

    /// `le_lgposDbConsistency`, or `le_lgposCheckpoint` when it is zero (§7).
    pub fn db_consistency(&self) -> Lgpos {
        if self.lgpos_db_consistency == Lgpos::default() {
            self.lgpos_checkpoint
        } else {
            self.lgpos_db_consistency
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_from_their_offsets() {
        let mut b = vec![0u8; 4096];
        b[16..20].copy_from_slice(&0x51i32.to_le_bytes());
        b[14..16].copy_from_slice(&8u16.to_le_bytes());
        b[667..671].copy_from_slice(&4u32.to_le_bytes());
        b[591..595].copy_from_slice(&16u32.to_le_bytes());
        let c = CheckpointFile::parse(&b).unwrap();
        assert_eq!(c.lgpos_checkpoint.generation, 0x51);
        assert_eq!(c.lgpos_checkpoint.isec, 8);
        assert_eq!(c.filetype, 4);
        assert_eq!(c.dbms_param.lcsec_lgfile, 16);
        assert_eq!(c.db_consistency(), c.lgpos_checkpoint);
        assert!(CheckpointFile::parse(&b[..4000]).is_err());
    }
}
