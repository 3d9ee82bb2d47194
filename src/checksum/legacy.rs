//! The legacy XOR checksum (ESE-FORMAT.md §4.1): database header copies, log headers, checkpoint
//! copies, flush-map headers and old-format pages. No I/O here.

/// The seed ESE mixes into every legacy checksum.
pub(crate) const LEGACY_SEED: u32 = 0x89AB_CDEF;

/// XOR of every little-endian u32 word of `buf`. A trailing partial word is ignored (callers pass
/// whole headers and pages, which are multiples of 4).
pub fn xor32(buf: &[u8]) -> u32 {
    let mut chunks = buf.chunks_exact(8);
    let mut acc = 0u64;
    for c in &mut chunks {
        acc ^= u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
    }
    let mut x = (acc as u32) ^ ((acc >> 32) as u32);
    for w in chunks.remainder().chunks_exact(4) {
        x ^= u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
    }
    x
}

/// `0x89ABCDEF ^ XOR of every u32 word except word 0` — the value stored at offset 0.
pub fn legacy_checksum(buf: &[u8]) -> u32 {
    let first = buf
        .get(0..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .unwrap_or(0);
    LEGACY_SEED ^ xor32(buf) ^ first
}

/// The u32 stored at offset 0 of `buf` (0 when `buf` is shorter than 4 bytes).
pub(crate) fn stored_legacy_checksum(buf: &[u8]) -> u32 {
    buf.get(0..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .unwrap_or(0)
}

/// True when the checksum stored at offset 0 matches [`legacy_checksum`] of `buf`.
pub fn legacy_checksum_ok(buf: &[u8]) -> bool {
    buf.len() >= 4 && stored_legacy_checksum(buf) == legacy_checksum(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_four_words() {
        // ESE-FORMAT.md §4.1: words 00000000 11111111 22222222 44444444 -> 0xFEDCBA98.
        let mut buf = Vec::new();
        for w in [0u32, 0x1111_1111, 0x2222_2222, 0x4444_4444] {
            buf.extend_from_slice(&w.to_le_bytes());
        }
        assert_eq!(legacy_checksum(&buf), 0xFEDC_BA98);
    }

    #[test]
    fn worked_example_4096_byte_ramp() {
        // ESE-FORMAT.md §4.1: 4096 bytes, byte[i] = i & 0xFF -> 0x8AA9CCEF.
        let buf: Vec<u8> = (0..4096u32).map(|i| (i & 0xff) as u8).collect();
        assert_eq!(legacy_checksum(&buf), 0x8AA9_CCEF);
    }

    #[test]
    fn word_zero_is_skipped() {
        let mut buf = vec![0u8; 64];
        let before = legacy_checksum(&buf);
        buf[0..4].copy_from_slice(&0xdead_beefu32.to_le_bytes());
        assert_eq!(legacy_checksum(&buf), before);
        buf[0..4].copy_from_slice(&before.to_le_bytes());
        assert!(legacy_checksum_ok(&buf));
    }
}
