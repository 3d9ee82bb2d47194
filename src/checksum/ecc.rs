//! The XOR-ECC block checksum of new-format pages and log segments (ESE-FORMAT.md §4.2) and the
//! single-bit syndrome test (§4.4). Pure computation over `&[u8]`; no I/O, no allocation.

/// Checksum of one block: high u32 = ECC, low u32 = column XOR ^ pgno.
///
/// `block.len()` must be a power of two between 1 KiB and 8 KiB (callers guarantee it; other
/// lengths still compute a value but it means nothing). When `header_block` is true the first
/// 8 bytes (the stored checksum) count as zero.
///
/// Always equal to [`ecc_block_reference`] (the plain §4.2 row loop; a property test checks it).
/// Blocks whose length is a power of two from 64 bytes to 8 KiB take the fast path described
/// below; any other length takes the reference loop.
///
/// # Why the fast path is exact
///
/// The parity of a row is linear over XOR: `parity(a) ^ parity(b) = parity(a ^ b)`. Bit `k` of
/// the row syndrome `p` (the XOR of the indices of odd-parity rows) is therefore the parity of
/// `X_k`, the XOR of every row whose index has bit `k` set, and the parity of the number of odd
/// rows (all that `finish` uses of it) is the parity of the column XOR. So the kernel only XORs
/// 64-bit words (two rows per load) into a handful of accumulators and takes 13 parities at the
/// end: no per-row popcount, and no `popcnt` instruction needed on the baseline x86_64 target.
///
/// Layout: a 64-byte group holds 8 u64 words = 16 rows; row `i = 16*g + 2*j + h` for group `g`,
/// word `j` and half `h` (low/high u32 of the LE word). Index bit 0 is `h` (the high halves),
/// bits 1..=3 are the bits of `j` (three accumulators over the words with that bit of `j` set),
/// and bits 4.. are the bits of `g`, resolved after the loop by a butterfly over the per-group
/// XOR totals.
pub fn ecc_block(block: &[u8], pgno: u32, header_block: bool) -> u64 {
    const GROUP: usize = 64;
    const MAX_GROUPS: usize = 8192 / GROUP;
    let len = block.len();
    if !(GROUP..=MAX_GROUPS * GROUP).contains(&len) || !len.is_power_of_two() {
        return ecc_block_reference(block, pgno, header_block);
    }
    let ngroups = len / GROUP;
    let mut totals = [0u64; MAX_GROUPS];
    let (mut a1, mut a2, mut a4) = (0u64, 0u64, 0u64);
    for (chunk, total) in block.chunks_exact(GROUP).zip(totals.iter_mut()) {
        let w = |k: usize| {
            let b = &chunk[8 * k..8 * k + 8];
            u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        };
        let (w0, w1, w2, w3, w4, w5, w6, w7) = (w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7));
        let w13 = w1 ^ w3;
        let w57 = w5 ^ w7;
        let w23 = w2 ^ w3;
        let w67 = w6 ^ w7;
        let w45 = w4 ^ w5;
        a1 ^= w13 ^ w57;
        a2 ^= w23 ^ w67;
        a4 ^= w45 ^ w67;
        *total = w0 ^ w1 ^ w23 ^ w45 ^ w67;
    }
    if header_block {
        // Rows 0 and 1 (word 0 of group 0) count as zero; word 0 feeds only group 0's total.
        let b = &block[..8];
        totals[0] ^= u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    }
    // Butterfly: at each level the upper half of the classes holds the rows whose next-highest
    // group-index bit is set; fold it onto the lower half and go down one bit.
    let mut p = 0u32;
    let mut n = ngroups;
    while n > 1 {
        let half = n / 2;
        let (lo, hi) = totals[..n].split_at_mut(half);
        let mut x = 0u64;
        for (l, h) in lo.iter_mut().zip(hi.iter()) {
            x ^= *h;
            *l ^= *h;
        }
        p |= parity64(x) << (4 + half.trailing_zeros());
        n = half;
    }
    let total = totals[0];
    p |= parity64(total >> 32) | (parity64(a1) << 1) | (parity64(a2) << 2) | (parity64(a4) << 3);
    let col = (total as u32) ^ ((total >> 32) as u32);
    let nrow = (len / 4) as u32;
    finish(p, parity64(total), col, nrow.wrapping_sub(1), pgno)
}

/// Parity (0 or 1) of the set bits of `x`, without `popcnt` (absent from the baseline x86_64
/// target, where `count_ones` becomes a longer bit-twiddling sequence).
#[inline]
fn parity64(mut x: u64) -> u32 {
    x ^= x >> 32;
    x ^= x >> 16;
    x ^= x >> 8;
    x ^= x >> 4;
    (0x6996u32 >> (x & 0xf)) & 1
}

/// The plain §4.2 row loop, one u32 row at a time with a popcount per row: obviously correct and
/// slow. The reference [`ecc_block`] is tested against; also used by the benchmarks.
pub fn ecc_block_reference(block: &[u8], pgno: u32, header_block: bool) -> u64 {
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

/// Combines the row syndrome `p` (XOR of odd-parity row indices), the number of odd rows (only
/// its parity matters) and the column parity word into the stored 64-bit form.
#[inline]
pub(crate) fn finish(p: u32, n_odd: u32, col: u32, mask_r: u32, pgno: u32) -> u64 {
    let q = p ^ if n_odd & 1 == 1 { mask_r } else { 0 };
    // r = XOR of the positions of the set bits of col: bit k of r is the parity of the set bits
    // of col whose position has bit k set.
    let c = u64::from(col);
    let r = parity64(c & 0xAAAA_AAAA)
        | (parity64(c & 0xCCCC_CCCC) << 1)
        | (parity64(c & 0xF0F0_F0F0) << 2)
        | (parity64(c & 0xFF00_FF00) << 3)
        | (parity64(c & 0xFFFF_0000) << 4);
    let s = r ^ if parity64(c) == 1 { 31 } else { 0 };
    let ecc = ((q & mask_r) << 21) | ((s & 31) << 16) | ((p & mask_r) << 5) | (r & 31);
    (u64::from(ecc) << 32) | u64::from(col ^ pgno)
}

/// The ECC half (high u32) of a 64-bit checksum.
pub(crate) fn ecc_half(checksum: u64) -> u32 {
    (checksum >> 32) as u32
}

/// The XOR half (low u32) of a 64-bit checksum.
pub(crate) fn xor_half(checksum: u64) -> u32 {
    checksum as u32
}

/// If `stored` and `computed` differ by what a single flipped bit of a `block_len`-byte block
/// would cause, the offset of that bit inside the block (§4.4); otherwise `None`.
///
/// This is only the syndrome test; the caller must flip the bit and re-verify, as the engine does.
pub(crate) fn single_bit_syndrome(stored: u64, computed: u64, block_len: usize) -> Option<u32> {
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

    /// The §4.2 `r` exactly as written: XOR of the positions of the set bits.
    fn r_by_loop(col: u32) -> u32 {
        let mut r = 0u32;
        let mut c = col;
        while c != 0 {
            r ^= c.trailing_zeros();
            c &= c - 1;
        }
        r
    }

    #[test]
    fn finish_r_matches_the_bit_loop() {
        for col in [
            0u32,
            1,
            2,
            0x8000_0000,
            0xFFFF_FFFF,
            0x1234_5678,
            0xDEAD_BEEF,
            0x0F0F_0F0F,
        ] {
            let v = finish(0, 0, col, 2047, 0);
            assert_eq!((v >> 32) as u32 & 31, r_by_loop(col), "col {col:#x}");
        }
    }

    #[test]
    fn worked_examples_hold_for_the_reference_too() {
        let mut b = vec![0u8; 4096];
        b[100] = 1;
        assert_eq!(ecc_block_reference(&b, 5, true), 0x7CDF_0320_0000_0004);
        assert_eq!(ecc_block_reference(&ramp_8k(), 0x1234, true), 0xFFCA_0035_2C3C_3E28);
    }

    #[test]
    fn odd_lengths_fall_back_to_the_reference() {
        let b: Vec<u8> = (0..3000usize).map(|i| (i * 31 % 256) as u8).collect();
        for len in [0, 3, 8, 12, 60, 100, 3000] {
            assert_eq!(ecc_block(&b[..len], 9, true), ecc_block_reference(&b[..len], 9, true));
        }
        let big: Vec<u8> = (0..16384usize).map(|i| (i * 13 % 256) as u8).collect();
        assert_eq!(ecc_block(&big, 3, false), ecc_block_reference(&big, 3, false));
    }

    proptest::proptest! {
        #[test]
        fn fast_kernel_equals_reference(
            shift in 0usize..4,
            seed in proptest::prelude::any::<u64>(),
            density in 0u32..4,
            pgno in proptest::prelude::any::<u32>(),
            header in proptest::prelude::any::<bool>(),
        ) {
            let len = 1024usize << shift;
            // xorshift bytes; density 0 leaves few bits set so odd/even rows both occur.
            let mut x = seed | 1;
            let b: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let v = (x >> 24) as u8;
                    if density == 0 && x % 7 != 0 { 0 } else { v }
                })
                .collect();
            proptest::prop_assert_eq!(ecc_block(&b, pgno, header), ecc_block_reference(&b, pgno, header));
        }

        #[test]
        fn fast_kernel_equals_reference_on_sparse_blocks(
            shift in 0usize..4,
            bits in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..6),
            pgno in proptest::prelude::any::<u32>(),
            header in proptest::prelude::any::<bool>(),
        ) {
            let len = 1024usize << shift;
            let mut b = vec![0u8; len];
            for bit in bits {
                let bit = bit as usize % (len * 8);
                b[bit / 8] ^= 1 << (bit % 8);
            }
            proptest::prop_assert_eq!(ecc_block(&b, pgno, header), ecc_block_reference(&b, pgno, header));
        }
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
