//! Checksums of the legacy (version 7, ≤ 7.3704.x) log format (ESE-FORMAT.md §6.6): the byte
//! checksum `bytes_ck` and the LRCHECKSUM range and short checksums.
//!
//! Pure functions over bytes and the record `format::log_record` reads, no I/O. Regions that do not
//! fit in the buffer give `None`, never a panic: the caller reports the record as damaged.

use crate::format::log_record::{LrChecksum, LRCHECKSUM_SIZE};

/// Seed of the range checksum.
pub(crate) const RANGE_SEED: u32 = 0xFEED_BEAF;
/// Seed of the short (first-sector) checksum.
pub(crate) const SHORT_SEED: u32 = 0xDEAD_C0DE;
/// XOR marking the checksum of a shadow sector (a copy of the last partial sector).
pub(crate) const SHADOW_XOR: u32 = 0x5AD0_5EC7;

/// `seed ^ XOR over i of (region[i] << 8·(i mod 4))`: positions are relative to the region, as if
/// it started on a word boundary.
pub(crate) fn bytes_ck(region: &[u8], seed: u32) -> u32 {
    let mut chunks = region.chunks_exact(4);
    let mut acc = seed;
    for c in &mut chunks {
        acc ^= u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        acc ^= u32::from(b) << (8 * i);
    }
    acc
}

fn mix(c: u32, rec: &LrChecksum, generation: u32) -> u32 {
    c ^ rec.cb_backwards ^ rec.cb_forwards ^ rec.cb_next ^ u32::from(rec.use_short) ^ generation
}

/// The range checksum of the record at file offset `pos`: the `cbBackwards` bytes before it and
/// the `cbForwards` bytes after it. `None` when a region lies outside `file`.
pub fn range_checksum(file: &[u8], pos: usize, rec: &LrChecksum, generation: u32) -> Option<u32> {
    let back_start = pos.checked_sub(usize::try_from(rec.cb_backwards).ok()?)?;
    let fwd_start = pos.checked_add(LRCHECKSUM_SIZE)?;
    let fwd_end = fwd_start.checked_add(usize::try_from(rec.cb_forwards).ok()?)?;
    let c = bytes_ck(file.get(back_start..pos)?, RANGE_SEED);
    let c = bytes_ck(file.get(fwd_start..fwd_end)?, c);
    Some(mix(c, rec, generation))
}

/// The short checksum: as the range checksum with seed 0xDEADC0DE, the forward region ending at
/// the end of the `cb_sec`-byte sector holding `pos`.
pub fn short_checksum(file: &[u8], pos: usize, rec: &LrChecksum, generation: u32, cb_sec: usize) -> Option<u32> {
    if cb_sec == 0 {
        return None;
    }
    let back_start = pos.checked_sub(usize::try_from(rec.cb_backwards).ok()?)?;
    let fwd_start = pos.checked_add(LRCHECKSUM_SIZE)?;
    let sector_end = (pos / cb_sec).checked_add(1)?.checked_mul(cb_sec)?;
    let fwd_end = sector_end.max(fwd_start);
    let c = bytes_ck(file.get(back_start..pos)?, SHORT_SEED);
    let c = bytes_ck(file.get(fwd_start..fwd_end)?, c);
    Some(mix(c, rec, generation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::log_record::SHORT_OFF;

    #[test]
    fn worked_example_bytes_ck() {
        // ESE-FORMAT.md §6.6: bytes_ck(01 02 … 0A, 0xFEEDBEAF) = 0xF2E9B0A2.
        let region: Vec<u8> = (1..=10).collect();
        assert_eq!(bytes_ck(&region, RANGE_SEED), 0xF2E9_B0A2);
        assert_eq!(bytes_ck(&[], 7), 7);
    }

    #[test]
    fn range_checksum_covers_both_sides_and_the_fields() {
        let mut file = vec![0u8; 1024];
        for (i, b) in file.iter_mut().enumerate() {
            *b = (i * 7) as u8;
        }
        let rec = LrChecksum {
            lrtyp: 42,
            cb_backwards: 10,
            cb_forwards: 30,
            cb_next: 0,
            checksum: 0,
            short_checksum: 0,
            use_short: SHORT_OFF,
        };
        let expect = bytes_ck(&file[500..510], RANGE_SEED);
        let expect = bytes_ck(&file[532..562], expect) ^ 10 ^ 30 ^ 0xD1 ^ 5;
        assert_eq!(range_checksum(&file, 510, &rec, 5), Some(expect));
        // Regions outside the file.
        let huge = LrChecksum {
            cb_forwards: u32::MAX,
            ..rec
        };
        assert_eq!(range_checksum(&file, 510, &huge, 5), None);
        let back = LrChecksum {
            cb_backwards: 600,
            ..rec
        };
        assert_eq!(range_checksum(&file, 510, &back, 5), None);
        assert!(short_checksum(&file, 510, &rec, 5, 512).is_some());
        assert_eq!(short_checksum(&file, 510, &rec, 5, 0), None);
        assert_eq!(LrChecksum::read(&file, 1010), None);
        assert_eq!(LrChecksum::read(&file, usize::MAX), None);
    }
}
