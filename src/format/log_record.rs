//! LRCHECKSUM, the checksum record of the legacy (version 7, ≤ 7.3704.x) log format
//! (ESE-FORMAT.md §6.6; the engine's `LRCHECKSUM` in logapi.hxx). Pure parsing over `&[u8]`;
//! the range and short checksums it carries are computed in `checksum::legacy_log`.

use super::bytes::{FormatError, Reader};

/// `sizeof(LRCHECKSUM)`.
pub const LRCHECKSUM_SIZE: usize = 22;
/// `lrtypChecksum`: the `lrtyp` of an LRCHECKSUM record.
pub const LRTYP_CHECKSUM: u8 = 42;
/// `bUseShortChecksum` value: the short checksum is in use (`bShortChecksumOn`).
pub const SHORT_ON: u8 = 0x9A;
/// `bUseShortChecksum` value: no short checksum (`bShortChecksumOff`).
pub(crate) const SHORT_OFF: u8 = 0xD1;

/// The fields of one LRCHECKSUM record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LrChecksum {
    /// @0 `lrtyp` (42).
    pub lrtyp: u8,
    /// @1 `cbBackwards`.
    pub cb_backwards: u32,
    /// @5 `cbForwards`.
    pub cb_forwards: u32,
    /// @9 `cbNext`: distance from the end of this record to the next one; 0 = last.
    pub cb_next: u32,
    /// @13 `ulChecksum`: the range checksum.
    pub checksum: u32,
    /// @17 `ulShortChecksum`.
    pub short_checksum: u32,
    /// @21 `bUseShortChecksum`: 0x9A on, 0xD1 off.
    pub use_short: u8,
}

impl LrChecksum {
    /// Reads the record that starts at `record[0]`.
    pub(crate) fn parse(record: &[u8]) -> Result<LrChecksum, FormatError> {
        let r = Reader::new(record, "LRCHECKSUM");
        Ok(LrChecksum {
            lrtyp: r.u8(0, "lrtyp")?,
            cb_backwards: r.u32(1, "cbBackwards")?,
            cb_forwards: r.u32(5, "cbForwards")?,
            cb_next: r.u32(9, "cbNext")?,
            checksum: r.u32(13, "ulChecksum")?,
            short_checksum: r.u32(17, "ulShortChecksum")?,
            use_short: r.u8(21, "bUseShortChecksum")?,
        })
    }

    /// Reads the record at `pos` of `file`, or `None` when it does not fit.
    pub fn read(file: &[u8], pos: usize) -> Option<LrChecksum> {
        LrChecksum::parse(file.get(pos..)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_field_at_its_offset() {
        let mut b = [0u8; LRCHECKSUM_SIZE];
        b[0] = LRTYP_CHECKSUM;
        b[1..5].copy_from_slice(&0x10u32.to_le_bytes());
        b[5..9].copy_from_slice(&0x20u32.to_le_bytes());
        b[9..13].copy_from_slice(&0x30u32.to_le_bytes());
        b[13..17].copy_from_slice(&0xDEAD_BEEFu32.to_le_bytes());
        b[17..21].copy_from_slice(&7u32.to_le_bytes());
        b[21] = SHORT_ON;
        let r = LrChecksum::parse(&b).unwrap();
        assert_eq!(
            r,
            LrChecksum {
                lrtyp: 42,
                cb_backwards: 0x10,
                cb_forwards: 0x20,
                cb_next: 0x30,
                checksum: 0xDEAD_BEEF,
                short_checksum: 7,
                use_short: 0x9A
            }
        );
    }

    #[test]
    fn a_record_cut_short_is_an_error_or_none() {
        let b = [LRTYP_CHECKSUM; LRCHECKSUM_SIZE];
        assert_eq!(LrChecksum::parse(&b[..21]).unwrap_err().field, "bUseShortChecksum");
        assert!(LrChecksum::read(&b, 1).is_none());
        assert!(LrChecksum::read(&b, usize::MAX).is_none());
        assert!(LrChecksum::read(&b, 0).is_some());
    }
}
