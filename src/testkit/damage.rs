//! Damage on purpose: bit flips, overwrites, zeroed and swapped pages, broken header copies,
//! truncation, and resealing of legacy-checksummed headers (for "hostile but self-consistent"
//! headers).
//!
//! Page numbering follows ESE-FORMAT.md §2: the file starts with the header (physical page 0)
//! and its shadow (physical page 1); logical page `pgno` (1, 2, …) is physical page `pgno + 1`,
//! at byte offset [`page_offset`]`(page_size, pgno) = (pgno + 1) * page_size`.
//!
//! Bit offsets use the natural little-endian numbering of ESE-FORMAT.md §4.2: bit `k` is bit
//! `k % 8` of byte `k / 8`, which is also how `PageCheck::corrected_bits` reports them.
//!
//! Slice helpers panic when an offset lies outside the buffer: in a test that is a bug in the
//! test.

use crate::checksum::legacy_checksum;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Byte offset of logical page `pgno` (1-based) in a database of `page_size`-byte pages.
pub fn page_offset(page_size: usize, pgno: u32) -> usize {
    (pgno as usize + 1) * page_size
}

/// Physical page index (0 = header, 1 = shadow header) of logical page `pgno`.
pub fn physical_page(pgno: u32) -> usize {
    pgno as usize + 1
}

/// The bytes of logical page `pgno`.
pub fn page_mut(buf: &mut [u8], page_size: usize, pgno: u32) -> &mut [u8] {
    let off = page_offset(page_size, pgno);
    &mut buf[off..off + page_size]
}

/// Flips bit `bit_offset` of `buf` (bit `k % 8` of byte `k / 8`).
pub fn flip_bit(buf: &mut [u8], bit_offset: usize) {
    buf[bit_offset / 8] ^= 1 << (bit_offset % 8);
}

/// Flips bit `bit_in_page` (page-relative, as `PageCheck::corrected_bits` reports it) of logical
/// page `pgno`.
pub fn flip_page_bit(buf: &mut [u8], page_size: usize, pgno: u32, bit_in_page: usize) {
    flip_bit(page_mut(buf, page_size, pgno), bit_in_page);
}

/// Copies `bytes` over `buf[offset..]`.
pub fn overwrite(buf: &mut [u8], offset: usize, bytes: &[u8]) {
    buf[offset..offset + bytes.len()].copy_from_slice(bytes);
}

/// Zeroes physical page `physical_page` (0 = header, 1 = shadow, `pgno + 1` = logical page).
/// A zeroed data page is "uninitialized", not bad (ESE-FORMAT.md §3.4).
pub fn zero_page(buf: &mut [u8], page_size: usize, physical_page: usize) {
    let off = physical_page * page_size;
    buf[off..off + page_size].fill(0);
}

/// Swaps logical pages `a` and `b`: each then sits at the wrong place and fails its checksum,
/// while verifying at its real page number (`PageCheck::verifies_as`).
pub fn swap_pages(buf: &mut [u8], page_size: usize, a: u32, b: u32) {
    if a == b {
        return;
    }
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    let (lo_off, hi_off) = (page_offset(page_size, lo), page_offset(page_size, hi));
    let (head, tail) = buf.split_at_mut(hi_off);
    head[lo_off..lo_off + page_size].swap_with_slice(&mut tail[..page_size]);
}

/// Byte of a header copy that [`break_header_copy`] flips: inside the zero padding after the
/// 748 used bytes of DBFILEHDR, so every parsed field keeps its value.
pub const HEADER_BREAK_BYTE: usize = 1000;

/// Breaks the legacy checksum of the primary (`primary = true`, offset 0) or shadow (offset
/// `page_size`) database header copy by flipping one bit of its unused padding. Works for
/// checkpoints too (`page_size = 4096`).
pub fn break_header_copy(buf: &mut [u8], page_size: usize, primary: bool) {
    let base = if primary { 0 } else { page_size };
    buf[base + HEADER_BREAK_BYTE] ^= 0x01;
}

/// Recomputes the legacy XOR checksum of a header (the whole of `buf`: a database header copy of
/// one page, a 4096-byte log header or checkpoint copy) and stores it at offset 0, so that a
/// changed field goes unnoticed by the checksum.
pub fn reseal_legacy_header(buf: &mut [u8]) {
    let c = legacy_checksum(buf);
    buf[0..4].copy_from_slice(&c.to_le_bytes());
}

/// Something that can be cut to a length: a byte vector or an open file.
pub trait Truncate {
    /// Cuts (or, for files, also extends with zeros) to `len` bytes.
    fn truncate_to(&mut self, len: u64) -> io::Result<()>;
}

impl Truncate for Vec<u8> {
    fn truncate_to(&mut self, len: u64) -> io::Result<()> {
        let len = usize::try_from(len).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        self.truncate(len);
        Ok(())
    }
}

impl Truncate for File {
    fn truncate_to(&mut self, len: u64) -> io::Result<()> {
        self.set_len(len)
    }
}

/// Cuts a byte vector or open file to `len` bytes.
pub fn truncate<T: Truncate + ?Sized>(target: &mut T, len: u64) -> io::Result<()> {
    target.truncate_to(len)
}

/// Cuts the file at `path` to `len` bytes.
pub fn truncate_file(path: &Path, len: u64) -> io::Result<()> {
    OpenOptions::new().write(true).open(path)?.set_len(len)
}

/// Reads the whole file at `path`, lets `f` damage the bytes (it may also resize them), and
/// writes them back.
pub fn damage_file(path: &Path, f: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
    let mut bytes = std::fs::read(path)?;
    f(&mut bytes);
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbering_follows_the_two_header_copies() {
        assert_eq!(page_offset(4096, 1), 8192);
        assert_eq!(physical_page(1), 2);
        let mut buf: Vec<u8> = (0..5 * 16).map(|i| (i / 16) as u8).collect();
        assert_eq!(page_mut(&mut buf, 16, 2), &[3u8; 16]);
    }

    #[test]
    fn swap_is_symmetric_and_a_self_swap_is_a_no_op() {
        let orig: Vec<u8> = (0..6 * 8).map(|i| (i / 8) as u8).collect();
        let mut a = orig.clone();
        swap_pages(&mut a, 8, 3, 1);
        let mut b = orig.clone();
        swap_pages(&mut b, 8, 1, 3);
        assert_eq!(a, b);
        assert_eq!(&a[16..24], &[4u8; 8]);
        assert_eq!(&a[32..40], &[2u8; 8]);
        swap_pages(&mut b, 8, 2, 2);
        assert_eq!(a, b);
    }

    #[test]
    fn flip_bit_uses_little_endian_bit_numbering() {
        let mut b = [0u8; 4];
        flip_bit(&mut b, 13);
        assert_eq!(b, [0, 0x20, 0, 0]);
        flip_bit(&mut b, 13);
        assert_eq!(b, [0; 4]);
    }

    #[test]
    fn reseal_makes_a_changed_header_verify() {
        let mut h = vec![0u8; 4096];
        h[52] = 2;
        assert!(!crate::checksum::legacy_checksum_ok(&h));
        reseal_legacy_header(&mut h);
        assert!(crate::checksum::legacy_checksum_ok(&h));
    }
}
