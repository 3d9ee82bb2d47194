//! The XOR-ECC block checksum of new-format pages and log segments (ESE-FORMAT.md §4.2) and the
//! single-bit syndrome test (§4.4). Pure computation over `&[u8]`; no I/O, no allocation.

/// Checksum of one block: high u32 = ECC, low u32 = column XOR ^ pgno.
///
/// `block.len()` must be a power of two between 1 KiB and 8 KiB (callers guarantee it; other
/// lengths still compute a value but it means nothing). When `header_block` is true the first
/// 8 bytes (the stored checksum) count as zero.
pub fn ecc_block(block: &[u8], pgno: u32, header_block: bool) -> u64 {
    let nrow = (block.len() / 4) as u32;
    let mask_r = nrow.wrapping_sub(1);
    let mut p = 0u32;
    let mut n_odd = 0u32;
    let mut col = 0u32;
    for (i, w) in block.chunks_exact(4).enumerate() {
        let mut w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        if header_block && i < 2 {
            w = 0;
        }
        col ^= w;
        let odd = w.count_ones() & 1;
        // Branch-free: XOR the row index in when the row's parity is odd.
        p ^= (i as u32) & odd.wrapping_neg();
        n_odd += odd;
    }
    finish(p, n_odd, col, mask_r, pgno)
}

/// Combines the row syndrome `p` (XOR of odd-parity row indices), the number of odd rows and the
/// column parity word into the stored 64-bit form.
#[inline]
pub(crate) fn finish(p: u32, n_odd: u32, col: u32, mask_r: u32, pgno: u32) -> u64 {
    let q = p ^ if n_odd & 1 == 1 { mask_r } else { 0 };
    let mut r = 0u32;
    let mut c = col;
    while c != 0 {
        r ^= c.trailing_zeros();
        c &= c - 1;
    }
    let s = r ^ if col.count_ones() & 1 == 1 { 31 } else { 0 };
    let ecc = ((q & mask_r) << 21) | ((s & 31) << 16) | ((p & mask_r) << 5) | (r & 31);
    (u64::from(ecc) << 32) | u64::from(col ^ pgno)
}

/// The ECC half (high u32) of a 64-bit checksum.
pub fn ecc_half(checksum: u64) -> u32 {
    (checksum >> 32) as u32
}

/// The XOR half (low u32) of a 64-bit checksum.
pub fn xor_half(checksum: u64) -> u32 {
    checksum as u32
}

/// If `stored` and `computed` differ by what a single flipped bit of a `block_len`-byte block
/// would cause, the offset of that bit inside the block (§4.4); otherwise `None`.
///
/// This is only the syndrome test; the caller must flip the bit and re-verify, as the engine does.
pub fn single_bit_syndrome(stored: u64, computed: u64, block_len: usize) -> Option<u32> {
    let bits = u32::try_from(block_len.checked_mul(8)?).ok()?;
    let maskb = bits.checked_sub(1)?;
    let d = ecc_half(stored) ^ ecc_half(computed);
    let dx = xor_half(stored) ^ xor_half(computed);
    if ((d >> 16) ^ d) & maskb != maskb || dx.count_ones() != 1 {
        return None;
    }
    let bit = d & 0xFFFF;
    (bit < bits).then_some(bit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_single_set_bit_4k() {
        // §4.2: 4096 zero bytes except byte[100]=0x01, header block, pgno 5.
        let mut b = vec![0u8; 4096];
        b[100] = 1;
        assert_eq!(ecc_block(&b, 5, true), 0x7CDF_0320_0000_0004);
    }

    fn ramp_8k() -> Vec<u8> {
        (0..8192usize)
            .map(|i| if i < 8 { 0 } else { ((7 * i + 3) & 0xff) as u8 })
            .collect()
    }

    #[test]
    fn worked_example_ramp_8k() {
        assert_eq!(ecc_block(&ramp_8k(), 0x1234, true), 0xFFCA_0035_2C3C_3E28);
    }

    #[test]
    fn worked_example_ramp_8k_with_bit_8004_flipped_is_located() {
        let good = ecc_block(&ramp_8k(), 0x1234, true);
        let mut b = ramp_8k();
        b[1000] ^= 1 << 4;
        let bad = ecc_block(&b, 0x1234, true);
        assert_eq!(bad, 0x1F71_1F71_2C3C_3E38);
        assert_eq!(single_bit_syndrome(good, bad, 8192), Some(8004));
    }

    #[test]
    fn all_zero_non_header_block_is_the_page_number() {
        assert_eq!(ecc_block(&[0u8; 8192], 0xabc, false), 0xabc);
    }

    #[test]
    fn header_block_ignores_stored_checksum_field() {
        let mut b = vec![0u8; 4096];
        b[100] = 1;
        let base = ecc_block(&b, 5, true);
        b[0..8].copy_from_slice(&[0x01, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(ecc_block(&b, 5, true), base);
        assert_ne!(ecc_block(&b, 5, false), base);
    }

    #[test]
    fn two_bit_difference_is_not_a_single_bit_syndrome() {
        let mut b = ramp_8k();
        let good = ecc_block(&b, 7, true);
        b[1000] ^= 0x10;
        b[2000] ^= 0x01;
        assert_eq!(single_bit_syndrome(good, ecc_block(&b, 7, true), 8192), None);
    }
}
