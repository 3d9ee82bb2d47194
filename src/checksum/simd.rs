//! Target-feature dispatch for the XOR-ECC kernel (issue 5). The only `unsafe` of the checksum
//! code is here.
//!
//! The kernel itself ([`super::ecc::syndrome_any`]) is plain safe Rust over `[u64; 4]` lanes. On
//! x86_64 a second copy of it is compiled with AVX2 enabled (256-bit XORs, one load per four
//! words) and chosen at run time when the CPU has AVX2; everywhere else the baseline copy runs
//! (SSE2 on x86_64). Both copies are the same source, so they compute the same value; the tests
//! below still check each against the reference row loop.

/// `(p, total)` of a block whose length is a power of two from 512 bytes to 8 KiB, with the best
/// copy of the kernel for this CPU.
#[inline]
pub(crate) fn syndrome(block: &[u8], header_block: bool) -> (u32, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: `syndrome_avx2` only requires AVX2, which the CPU was just checked to have.
            return unsafe { syndrome_avx2(block, header_block) };
        }
    }
    syndrome_portable(block, header_block)
}

/// The kernel compiled for the target's baseline features.
#[inline]
pub(crate) fn syndrome_portable(block: &[u8], header_block: bool) -> (u32, u64) {
    super::ecc::syndrome_any(block, header_block)
}

/// The kernel compiled with AVX2 (the body is safe code; only calling it needs the feature).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn syndrome_avx2(block: &[u8], header_block: bool) -> (u32, u64) {
    super::ecc::syndrome_any(block, header_block)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::ecc::{ecc_block_reference, finish, parity64};

    fn via(block: &[u8], pgno: u32, header: bool, f: fn(&[u8], bool) -> (u32, u64)) -> u64 {
        let (p, total) = f(block, header);
        let col = (total as u32) ^ ((total >> 32) as u32);
        finish(p, parity64(total), col, (block.len() / 4) as u32 - 1, pgno)
    }

    fn blocks() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for len in [512usize, 1024, 2048, 4096, 8192] {
            for density in 0..3 {
                let b: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        if density == 0 && x % 5 != 0 {
                            0
                        } else {
                            (x >> 32) as u8
                        }
                    })
                    .collect();
                out.push(b);
            }
        }
        out
    }

    #[test]
    fn portable_copy_equals_reference() {
        for b in blocks() {
            for header in [false, true] {
                assert_eq!(
                    via(&b, 0x1234, header, syndrome_portable),
                    ecc_block_reference(&b, 0x1234, header),
                    "len {}",
                    b.len()
                );
            }
        }
    }

    #[test]
    fn dispatched_copy_equals_reference() {
        for b in blocks() {
            for header in [false, true] {
                assert_eq!(via(&b, 77, header, syndrome), ecc_block_reference(&b, 77, header));
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_copy_equals_reference_when_available() {
        if !std::is_x86_feature_detected!("avx2") {
            return;
        }
        for b in blocks() {
            for header in [false, true] {
                // SAFETY: AVX2 checked just above.
                let f = |b: &[u8], h: bool| unsafe { syndrome_avx2(b, h) };
                let (p, total) = f(&b, header);
                let col = (total as u32) ^ ((total >> 32) as u32);
                let v = finish(p, parity64(total), col, (b.len() / 4) as u32 - 1, 5);
                assert_eq!(v, ecc_block_reference(&b, 5, header));
            }
        }
    }
}
