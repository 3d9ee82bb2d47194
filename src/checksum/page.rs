//! Page checksum assembly, verification and single-bit correction (ESE-FORMAT.md §4.3–§4.4, CLI.md
//! Decision 6). Works on one page or log segment held in memory; no I/O.
//!
//! The fast path (a good page) computes the checksums once and allocates nothing. Correction and
//! wrong-page-number diagnosis run only on pages that mismatch.

use super::ecc::{ecc_block, ecc_half, single_bit_syndrome, xor_half};
use super::legacy::legacy_checksum;
use crate::format::page::{is_large_page, PageHeader, NEW_CHECKSUM_FORMAT_BIT};

/// Up to four 64-bit checksums: one per block (one block for small pages, four for large).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checksums {
    /// Number of blocks in use (1 or 4).
    pub len: u8,
    /// The values; entries at `len..` are zero.
    pub values: [u64; 4],
}

impl Checksums {
    fn one(v: u64) -> Self {
        Checksums {
            len: 1,
            values: [v, 0, 0, 0],
        }
    }

    /// The checksums a page header stores: `checksum` for small pages; `checksum` and
    /// `rgChecksum[3]` (@0, 40, 48, 56) for large pages.
    pub(crate) fn stored_in(h: &PageHeader) -> Self {
        match h.large {
            Some(l) => Checksums {
                len: 4,
                values: [h.checksum, l.rg_checksum[0], l.rg_checksum[1], l.rg_checksum[2]],
            },
            None => Checksums::one(h.checksum),
        }
    }

    /// The checksums in use.
    pub(crate) fn as_slice(&self) -> &[u64] {
        &self.values[..usize::from(self.len)]
    }
}

impl std::fmt::Display for Checksums {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, v) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "0x{v:016X}")?;
        }
        Ok(())
    }
}

/// The outcome of checking one page or segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStatus {
    /// Stored and computed checksums match.
    Good,
    /// Every byte is zero (§3.4): not checksummed, counted apart.
    Uninitialized,
    /// Mismatch, but every mismatching block had one flipped bit that, once flipped back, makes
    /// the page verify (§4.4). `bits` holds the page-relative bit offsets.
    Correctable,
    /// Mismatch that cannot be explained by one bit per block (the engine's
    /// `JET_errReadVerifyFailure`, −1018).
    Bad,
    /// The checksums verify (after a one-bit repair, if any) but a large page's PGHDR2 page number
    /// names another page: the engine's `JET_errReadPgnoVerifyFailure`, −1118 (cpage.cxx:4340–4353,
    /// `CPAGE::ErrValidatePage`, which checks the stored number only once the checksum verifies,
    /// and only on large pages: small pages store none). `stored_pgno` holds the number.
    WrongPageNumber,
}

/// Everything a report needs about one checked page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCheck {
    /// The verdict.
    pub status: PageStatus,
    /// The page's `fFlags` bit 0x2000 (new checksum format).
    pub new_format: bool,
    /// Checksums stored in the page.
    pub stored: Checksums,
    /// Checksums computed from the page's bytes at the expected page number.
    pub computed: Checksums,
    /// For `Correctable`: page-relative offsets of the corrected bits (`corrected_len` of them).
    pub corrected_bits: [u32; 4],
    /// Number of entries of `corrected_bits` in use.
    pub corrected_len: u8,
    /// For `Bad`, a hint, not a finding (CLI.md Decision 6): another valid page number the page
    /// would verify at. Small new-format pages: the ECC halves match and the XOR halves differ
    /// by `pgno ^ N` (eseutil's "perhaps this is actually page N", checksumu.cxx:618–624), a
    /// pattern one changed byte can also produce; old-format pages: the XOR verifies and the
    /// stored page number is N; large pages: every block verifies at the PGHDR2 number N.
    pub verifies_as: Option<u32>,
    /// For `WrongPageNumber`: the page number PGHDR2 stores.
    pub stored_pgno: Option<u32>,
    /// `dbtimeDirtied` (u64 @8), read after correction when a correction was made.
    pub dbtime: u64,
}

impl PageCheck {
    fn new(status: PageStatus, new_format: bool, stored: Checksums, computed: Checksums, dbtime: u64) -> Self {
        PageCheck {
            status,
            new_format,
            stored,
            computed,
            corrected_bits: [0; 4],
            corrected_len: 0,
            verifies_as: None,
            stored_pgno: None,
            dbtime,
        }
    }

    /// The corrected bit offsets in use.
    pub fn corrected_bits(&self) -> &[u32] {
        &self.corrected_bits[..usize::from(self.corrected_len)]
    }
}

/// True when every byte of `buf` is zero.
///
/// Runs on every page before its checksum, so it stops at the first non-zero 64-byte run: a page
/// in use (whose first 8 bytes hold its checksum) costs one 64-byte look, and only an all-zero
/// page is read to the end. ORs 8 words per step so the compiler can keep it branch-light.
pub fn is_all_zero(buf: &[u8]) -> bool {
    let mut chunks = buf.chunks_exact(64);
    for c in &mut chunks {
        let mut acc = 0u64;
        for w in c.chunks_exact(8) {
            acc |= u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        }
        if acc != 0 {
            return false;
        }
    }
    chunks.remainder().iter().all(|&b| b == 0)
}

/// Checksums stored in a page of `page.len()` bytes: `u64@0` for small pages, `u64@0,40,48,56`
/// for large pages; an error when the page is too short to hold its header.
pub fn stored_checksums(page: &[u8]) -> Result<Checksums, crate::format::FormatError> {
    PageHeader::parse(page).map(|h| Checksums::stored_in(&h))
}

/// New-format checksums of a page at page number `pgno`: one ECC block for small pages, four for
/// large pages (block 0 as a header block).
pub(crate) fn compute_new_format(page: &[u8], pgno: u32) -> Checksums {
    if is_large_page(page.len()) {
        let bs = page.len() / 4;
        let mut values = [0u64; 4];
        for (k, v) in values.iter_mut().enumerate() {
            *v = ecc_block(&page[k * bs..(k + 1) * bs], pgno, k == 0);
        }
        Checksums { len: 4, values }
    } else {
        Checksums::one(ecc_block(page, pgno, true))
    }
}

/// Old-format checksum of a page: `(pgno << 32) | legacy_checksum(page)`; large pages carry three
/// zero block checksums (§4.3).
pub(crate) fn compute_old_format(page: &[u8], pgno: u32) -> Checksums {
    let v = (u64::from(pgno) << 32) | u64::from(legacy_checksum(page));
    if is_large_page(page.len()) {
        Checksums {
            len: 4,
            values: [v, 0, 0, 0],
        }
    } else {
        Checksums::one(v)
    }
}

/// Verifies a database page expected at logical page number `pgno`.
///
/// `max_pgno` is the highest logical page number in the file: a page that verifies at another
/// page number within `1..=max_pgno` is named through [`PageCheck::verifies_as`] (a hint); a
/// large page whose checksum verifies but whose PGHDR2 names another page is
/// [`PageStatus::WrongPageNumber`] (any `max_pgno` above 0). An all-zero page is
/// `Uninitialized`. `page.len()` must be the database page size; a buffer too short to hold its
/// page header is `Bad`.
pub fn verify_page(page: &[u8], pgno: u32, max_pgno: u32) -> PageCheck {
    if is_all_zero(page) {
        return PageCheck::new(
            PageStatus::Uninitialized,
            false,
            Checksums::default(),
            Checksums::default(),
            0,
        );
    }
    let Ok(h) = PageHeader::parse(page) else {
        return PageCheck::new(PageStatus::Bad, false, Checksums::default(), Checksums::default(), 0);
    };
    if h.new_checksum_format() {
        verify_new_format(page, &h, pgno, max_pgno)
    } else {
        verify_old_format(page, &h, pgno, max_pgno)
    }
}

/// Verifies a log segment (4 KiB, new-format checksum with `pgno = isec`, §6.4) or any block that
/// is always checked with the ECC checksum, whatever its flags. Zero segments are
/// `Uninitialized`; a buffer too short to hold a header is `Bad`.
pub fn verify_segment(segment: &[u8], isec: u32) -> PageCheck {
    if is_all_zero(segment) {
        return PageCheck::new(
            PageStatus::Uninitialized,
            true,
            Checksums::default(),
            Checksums::default(),
            0,
        );
    }
    let Ok(h) = PageHeader::parse(segment) else {
        return PageCheck::new(PageStatus::Bad, true, Checksums::default(), Checksums::default(), 0);
    };
    verify_new_format(segment, &h, isec, 0)
}

fn verify_old_format(page: &[u8], h: &PageHeader, pgno: u32, max_pgno: u32) -> PageCheck {
    let stored = Checksums::stored_in(h);
    let computed = compute_old_format(page, pgno);
    let dbtime = h.dbtime_dirtied;
    if is_large_page(page.len()) {
        // Large pages must use the new format (§3.5): the old-format path never passes them.
        return PageCheck::new(PageStatus::Bad, false, stored, computed, dbtime);
    }
    let mut check = PageCheck::new(PageStatus::Good, false, stored, computed, dbtime);
    if stored == computed {
        return check;
    }
    check.status = PageStatus::Bad;
    let stored_pgno = h.old_format_pgno();
    if xor_half(stored.values[0]) == xor_half(computed.values[0]) && is_other_valid_pgno(stored_pgno, pgno, max_pgno) {
        check.verifies_as = Some(stored_pgno);
    }
    check
}

fn is_other_valid_pgno(candidate: u32, pgno: u32, max_pgno: u32) -> bool {
    candidate != pgno && candidate >= 1 && candidate <= max_pgno
}

fn verify_new_format(page: &[u8], h: &PageHeader, pgno: u32, max_pgno: u32) -> PageCheck {
    let stored = Checksums::stored_in(h);
    let computed = compute_new_format(page, pgno);
    let mut check = PageCheck::new(PageStatus::Good, true, stored, computed, h.dbtime_dirtied);
    if stored == computed {
        return stored_pgno_check(check, h.large.map(|l| l.pgno), pgno, max_pgno);
    }
    if let Some((bits, n, dbtime, pghdr2_pgno)) = try_fix(page, pgno, stored, computed) {
        check.status = PageStatus::Correctable;
        check.corrected_bits = bits;
        check.corrected_len = n;
        check.dbtime = dbtime;
        return stored_pgno_check(check, pghdr2_pgno, pgno, max_pgno);
    }
    check.status = PageStatus::Bad;
    check.verifies_as = diagnose_wrong_pgno(page, h, pgno, max_pgno, stored, computed);
    check
}

/// cpage.cxx:4340–4353 (`CPAGE::ErrValidatePage`): once a large page's checksum verifies
/// (corrected or not), its PGHDR2 page number must be the page's own, else
/// `JET_errReadPgnoVerifyFailure` (−1118): a [`PageStatus::WrongPageNumber`] naming the stored
/// number. Small pages store no page number (`pghdr2_pgno` is `None`). `max_pgno` 0 (a trailer,
/// a log segment) skips the rule.
fn stored_pgno_check(mut check: PageCheck, pghdr2_pgno: Option<u32>, pgno: u32, max_pgno: u32) -> PageCheck {
    if let Some(stored) = pghdr2_pgno.filter(|&p| p != pgno && max_pgno > 0) {
        check.status = PageStatus::WrongPageNumber;
        check.stored_pgno = Some(stored);
    }
    check
}

/// The page number a mismatching new-format page would verify at, if another valid one: the
/// hint of Decision 6 ([`PageCheck::verifies_as`]). Small pages: checksumu.cxx:618–624
/// (`DumpPageChecksumInfo`: not correctable, ECC halves equal → "perhaps this is actually page
/// `xor_computed ^ xor_stored ^ pgno`"); large pages: the page verifies in full at its PGHDR2
/// number.
fn diagnose_wrong_pgno(
    page: &[u8],
    h: &PageHeader,
    pgno: u32,
    max_pgno: u32,
    stored: Checksums,
    computed: Checksums,
) -> Option<u32> {
    if let Some(claimed) = h.large.map(|l| l.pgno) {
        return (is_other_valid_pgno(claimed, pgno, max_pgno) && compute_new_format(page, claimed) == stored)
            .then_some(claimed);
    }
    let (s, c) = (stored.values[0], computed.values[0]);
    if ecc_half(s) != ecc_half(c) {
        return None;
    }
    let candidate = pgno ^ xor_half(s) ^ xor_half(c);
    is_other_valid_pgno(candidate, pgno, max_pgno).then_some(candidate)
}

/// The engine's TryFixPage (§4.4): every mismatching block must show a single-bit syndrome; the
/// located bits are flipped in a copy and the copy must then verify. Returns the page-relative bit
/// offsets, the dbtime of the corrected copy and its PGHDR2 page number (large pages).
#[allow(clippy::type_complexity)]
fn try_fix(page: &[u8], pgno: u32, stored: Checksums, computed: Checksums) -> Option<([u32; 4], u8, u64, Option<u32>)> {
    let nblocks = usize::from(stored.len);
    let bs = page.len() / nblocks;
    let mut expected = stored;
    let mut bits = [0u32; 4];
    let mut n = 0u8;
    for b in 0..nblocks {
        if expected.values[b] == computed.values[b] {
            continue;
        }
        let bit = single_bit_syndrome(expected.values[b], computed.values[b], bs)?;
        if b == 0 && bit == NEW_CHECKSUM_FORMAT_BIT {
            return None;
        }
        if nblocks == 4 && b == 0 && (320..512).contains(&bit) {
            // The bad bit is inside the stored checksum of block k: fix the expectation too.
            let k = 1 + ((bit - 320) / 64) as usize;
            expected.values[k] ^= 1u64 << ((bit - 320) % 64);
        }
        bits[usize::from(n)] = u32::try_from(b * bs * 8).ok()? + bit;
        n += 1;
    }
    if n == 0 {
        return None;
    }
    let mut fixed = page.to_vec();
    for &bit in &bits[..usize::from(n)] {
        let byte = (bit / 8) as usize;
        *fixed.get_mut(byte)? ^= 1 << (bit % 8);
    }
    let h = PageHeader::parse(&fixed).ok()?;
    if !h.new_checksum_format() || Checksums::stored_in(&h) != compute_new_format(&fixed, pgno) {
        return None;
    }
    Some((bits, n, h.dbtime_dirtied, h.large.map(|l| l.pgno)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid new-format small page at `pgno`, built from §4.2's ramp.
    fn page(len: usize, pgno: u32) -> Vec<u8> {
        sealed(len, pgno, pgno)
    }

    /// A new-format page whose checksums are made for `pgno` and whose PGHDR2 (large pages)
    /// stores `pghdr2`.
    fn sealed(len: usize, pgno: u32, pghdr2: u32) -> Vec<u8> {
        let mut p: Vec<u8> = (0..len).map(|i| ((7 * i + 3) & 0xff) as u8).collect();
        p[36..40].copy_from_slice(&0x2000u32.to_le_bytes());
        if is_large_page(len) {
            p[64..68].copy_from_slice(&pghdr2.to_le_bytes());
            let c = compute_new_format(&p, pgno);
            for (k, off) in [(1, 40), (2, 48), (3, 56)] {
                p[off..off + 8].copy_from_slice(&c.values[k].to_le_bytes());
            }
        }
        let c = compute_new_format(&p, pgno);
        p[0..8].copy_from_slice(&c.values[0].to_le_bytes());
        p
    }

    #[test]
    fn valid_pages_of_every_size_verify() {
        for len in [2048, 4096, 8192, 16384, 32768] {
            let p = page(len, 9);
            assert_eq!(verify_page(&p, 9, 100).status, PageStatus::Good, "len {len}");
        }
    }

    #[test]
    fn is_all_zero_sees_one_set_bit_anywhere() {
        for len in [0usize, 1, 63, 64, 65, 4096, 4100] {
            let mut b = vec![0u8; len];
            assert!(is_all_zero(&b), "len {len}");
            for i in 0..len {
                b[i] = 0x80;
                assert!(!is_all_zero(&b), "len {len} byte {i}");
                b[i] = 0;
            }
        }
    }

    #[test]
    fn a_buffer_too_short_for_its_header_is_bad_never_read_as_zeros() {
        // PGHDR is 40 bytes (ESE-FORMAT.md §3.1): 39 non-zero bytes hold no page.
        let short = [0x5Au8; 39];
        assert_eq!(verify_page(&short, 1, 10).status, PageStatus::Bad);
        assert_eq!(verify_segment(&short, 1).status, PageStatus::Bad);
        assert_eq!(stored_checksums(&short).unwrap_err().field, "fFlags");
    }

    #[test]
    fn zero_page_is_uninitialized_not_bad() {
        assert_eq!(verify_page(&[0u8; 4096], 3, 10).status, PageStatus::Uninitialized);
    }

    #[test]
    fn single_bit_flip_is_correctable_and_located() {
        for len in [4096, 8192, 16384, 32768] {
            let mut p = page(len, 9);
            let bit = (len as u32 * 8) - 77;
            p[(bit / 8) as usize] ^= 1 << (bit % 8);
            let c = verify_page(&p, 9, 100);
            assert_eq!(c.status, PageStatus::Correctable, "len {len}");
            assert_eq!(c.corrected_bits(), &[bit]);
        }
    }

    #[test]
    fn flipping_the_format_flag_is_bad_not_correctable() {
        let mut p = page(4096, 9);
        p[37] ^= 0x20;
        assert_eq!(verify_page(&p, 9, 100).status, PageStatus::Bad);
        let mut p = page(32768, 9);
        p[37] ^= 0x20;
        assert_eq!(verify_page(&p, 9, 100).status, PageStatus::Bad);
    }

    #[test]
    fn flip_in_a_stored_block_checksum_of_a_large_page_is_correctable() {
        let mut p = page(16384, 4);
        p[49] ^= 0x04; // inside the stored checksum of block 2 (bytes 48..56)
        let c = verify_page(&p, 4, 10);
        assert_eq!(c.status, PageStatus::Correctable);
        assert_eq!(c.corrected_bits(), &[49 * 8 + 2]);
    }

    #[test]
    fn one_bit_in_each_of_two_blocks_is_correctable_two_in_one_block_is_bad() {
        let mut p = page(32768, 4);
        p[9000] ^= 1;
        p[20000] ^= 2;
        assert_eq!(verify_page(&p, 4, 10).status, PageStatus::Correctable);
        let mut p = page(32768, 4);
        p[9000] ^= 1;
        p[9100] ^= 2;
        assert_eq!(verify_page(&p, 4, 10).status, PageStatus::Bad);
    }

    #[test]
    fn small_page_at_the_wrong_place_is_bad_with_a_hint() {
        for len in [2048, 4096, 8192] {
            let p = page(len, 12);
            let c = verify_page(&p, 7, 100);
            assert_eq!(
                (c.status, c.verifies_as, c.stored_pgno),
                (PageStatus::Bad, Some(12), None)
            );
            // A number beyond the file is no hint.
            assert_eq!(verify_page(&p, 7, 11).verifies_as, None);
        }
    }

    #[test]
    fn large_page_at_the_wrong_place_is_bad_and_verifies_at_its_pghdr2_number() {
        // The checksum mixes in the page number: a page moved whole fails at its new place
        // (−1018, cpage.cxx:4291–4295 comes before the PGHDR2 check).
        for len in [16384, 32768] {
            let p = page(len, 12);
            let c = verify_page(&p, 7, 100);
            assert_eq!(
                (c.status, c.verifies_as, c.stored_pgno),
                (PageStatus::Bad, Some(12), None)
            );
        }
    }

    #[test]
    fn large_page_that_verifies_but_stores_another_number_is_a_wrong_page_number() {
        for len in [16384, 32768] {
            let p = sealed(len, 17, 4);
            let c = verify_page(&p, 17, 100);
            assert_eq!(
                (c.status, c.stored_pgno, c.verifies_as),
                (PageStatus::WrongPageNumber, Some(4), None)
            );
            assert_eq!(c.stored, c.computed, "{len}: the checksum verifies");
            // Whatever the stored number, even one beyond the file (the engine compares only).
            let c = verify_page(&sealed(len, 17, 4000), 17, 100);
            assert_eq!((c.status, c.stored_pgno), (PageStatus::WrongPageNumber, Some(4000)));
            // After a one-bit repair the rule still applies (the engine checks the repaired page).
            let mut p = sealed(len, 17, 4);
            p[len - 100] ^= 0x10;
            let c = verify_page(&p, 17, 100);
            assert_eq!(
                (c.status, c.stored_pgno, c.corrected_len),
                (PageStatus::WrongPageNumber, Some(4), 1)
            );
            // A trailer or log segment (max_pgno 0) is not judged by it.
            assert_eq!(verify_page(&sealed(len, 17, 4), 17, 0).status, PageStatus::Good);
        }
    }

    #[test]
    fn old_format_page_verifies_and_detects_its_place() {
        let mut p: Vec<u8> = (0..4096).map(|i| (i % 251) as u8).collect();
        p[36..40].copy_from_slice(&0u32.to_le_bytes());
        p[4..8].copy_from_slice(&5u32.to_le_bytes());
        let x = legacy_checksum(&p);
        p[0..4].copy_from_slice(&x.to_le_bytes());
        assert_eq!(verify_page(&p, 5, 10).status, PageStatus::Good);
        let c = verify_page(&p, 6, 10);
        assert_eq!((c.status, c.verifies_as), (PageStatus::Bad, Some(5)));
    }

    #[test]
    fn old_format_large_page_is_bad() {
        let mut p = page(16384, 3);
        p[37] &= !0x20;
        let x = legacy_checksum(&p);
        p[0..4].copy_from_slice(&x.to_le_bytes());
        p[4..8].copy_from_slice(&3u32.to_le_bytes());
        assert_eq!(verify_page(&p, 3, 10).status, PageStatus::Bad);
    }

    #[test]
    fn aliasing_multi_bit_damage_is_reported_correctable_as_the_engine_does() {
        // §4.4: 16 zero bytes set to 01 02 .. 10 alias a single-bit syndrome.
        let mut p = vec![0u8; 4096];
        p[36..40].copy_from_slice(&0x2000u32.to_le_bytes());
        p[100] = 0x55;
        let c = compute_new_format(&p, 1);
        p[0..8].copy_from_slice(&c.values[0].to_le_bytes());
        for i in 0..16 {
            p[2048 + i] = (i + 1) as u8;
        }
        let check = verify_page(&p, 1, 5);
        assert_eq!(check.status, PageStatus::Correctable);
    }
}
