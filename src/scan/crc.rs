//! CRC-32 of whole files and of fixed-size blocks, accumulated by the scans that already read the
//! bytes (CLI.md "Manifest"): each worker hashes the range it checks, as a few pieces that never cross a
//! block boundary, and [`FileCrcs::finish`] joins the pieces into per-block CRCs and the
//! whole-file CRC. Ranges a scan skips because they are holes of a sparse file get the CRC of
//! zeros without being read; ranges no scan hashed (header pages, a trailing partial page) are
//! hashed at the end. Also `crc_file`, the same over a whole file for `compare` and for the
//! files a scan does not read. Prints nothing, decides nothing.

use crate::checksum::crc32::{combine, crc_of_zeros, ShiftOp};
use crate::error::CheckError;
use crate::scan::file::Input;
use std::ops::Range;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// The smallest block size accepted (`--block-size`): one small page.
pub(crate) const MIN_BLOCK_SIZE: u64 = 4096;
/// The largest block size accepted: 1 GiB.
pub(crate) const MAX_BLOCK_SIZE: u64 = 1 << 30;

/// The CRCs of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCrc {
    /// The file's size in bytes.
    pub size: u64,
    /// CRC-32 of the whole file.
    pub crc32: u32,
    /// CRC-32 of each block of `block_size` bytes, the last one shorter when the size is not a
    /// multiple; none for an empty file.
    pub blocks: Vec<u32>,
}

/// The CRC of one range of a file, never crossing a block boundary.
#[derive(Debug, Clone, Copy)]
struct Piece {
    offset: u64,
    len: u64,
    crc: u32,
}

/// The pieces of one file, collected from any thread.
pub struct FileCrcs {
    block_size: u64,
    /// The CRC of a block of zeros, computed when a hole first needs it (a file without holes,
    /// such as each of 100,000 logs, never pays for it).
    zero_block: OnceLock<u32>,
    pieces: Mutex<Vec<Piece>>,
}

impl FileCrcs {
    /// A collector for blocks of `block_size` bytes (at least 1).
    pub fn new(block_size: u64) -> FileCrcs {
        let block_size = block_size.max(1);
        FileCrcs {
            block_size,
            zero_block: OnceLock::new(),
            pieces: Mutex::new(Vec::new()),
        }
    }

    /// The block size.
    pub(crate) fn block_size(&self) -> u64 {
        self.block_size
    }

    /// A hasher for bytes that follow one another from `offset` on; [`RangeHasher::done`] hands
    /// its pieces back.
    pub(crate) fn range(&self, offset: u64) -> RangeHasher<'_> {
        RangeHasher {
            owner: self,
            piece_start: offset,
            pos: offset,
            hasher: crc32fast::Hasher::new(),
            pieces: Vec::new(),
            partial_zeros: None,
        }
    }

    fn add(&self, mut pieces: Vec<Piece>) {
        if let Ok(mut p) = self.pieces.lock() {
            p.append(&mut pieces);
        }
    }

    /// The CRCs of the file held in `bytes` (with `holes`, ranges known to read as zeros): the
    /// pieces hashed so far, and whatever range no piece covers, hashed now.
    pub fn finish(self, bytes: &[u8], holes: &[Range<usize>]) -> FileCrc {
        let block_size = self.block_size;
        let mut pieces = self.pieces.into_inner().unwrap_or_else(|e| e.into_inner());
        pieces.sort_by_key(|p| p.offset);
        let size = bytes.len() as u64;
        let mut filled: Vec<Piece> = Vec::with_capacity(pieces.len() + 4);
        let mut cursor = 0u64;
        let gap = FileCrcs::new(block_size);
        for p in pieces {
            if p.offset < cursor || p.offset.saturating_add(p.len) > size {
                // Overlapping or out-of-range pieces mean a scan hashed something twice; never
                // trust them: hash the whole file again.
                return crc_of_bytes(bytes, holes, block_size);
            }
            if p.offset > cursor {
                filled.extend(gap_pieces(&gap, bytes, holes, cursor, p.offset));
            }
            cursor = p.offset + p.len;
            filled.push(p);
        }
        if cursor < size {
            filled.extend(gap_pieces(&gap, bytes, holes, cursor, size));
        }
        assemble(&filled, size, block_size)
    }
}

/// The pieces of `bytes[start..end]`, hashed now.
fn gap_pieces(gap: &FileCrcs, bytes: &[u8], holes: &[Range<usize>], start: u64, end: u64) -> Vec<Piece> {
    let mut h = gap.range(start);
    h.update_with_holes(bytes, holes, start as usize, end as usize);
    h.pieces_so_far()
}

/// Joins pieces (sorted, contiguous from 0 to `size`, none crossing a block boundary) into the
/// per-block CRCs and the whole-file CRC.
fn assemble(pieces: &[Piece], size: u64, block_size: u64) -> FileCrc {
    let n_blocks = size.div_ceil(block_size);
    let mut blocks = Vec::with_capacity(usize::try_from(n_blocks).unwrap_or(0));
    let mut shifts = Shifts::default();
    let mut i = 0;
    for b in 0..n_blocks {
        let end = ((b + 1) * block_size).min(size);
        // The first piece of a block is its CRC so far; each further one is joined to it.
        let mut crc = 0u32;
        let mut first = true;
        while i < pieces.len() && pieces[i].offset < end {
            crc = if first {
                pieces[i].crc
            } else {
                shifts.op(pieces[i].len).combine(crc, pieces[i].crc)
            };
            first = false;
            i += 1;
        }
        blocks.push(crc);
    }
    FileCrc {
        size,
        crc32: whole_of_blocks(&blocks, size, block_size),
        blocks,
    }
}

/// The shift operators of the piece lengths one file's pieces have (a few: the scans cut at the
/// same places in every chunk), each computed once instead of once per join.
#[derive(Default)]
struct Shifts {
    ops: Vec<(u64, ShiftOp)>,
}

impl Shifts {
    fn op(&mut self, len: u64) -> ShiftOp {
        if let Some(&(_, op)) = self.ops.iter().find(|(l, _)| *l == len) {
            return op;
        }
        let op = ShiftOp::new(len);
        if self.ops.len() < 16 {
            self.ops.push((len, op));
        }
        op
    }
}

/// The whole-file CRC from the block CRCs: one multiplication per block (none for a file of
/// one block, whose CRC is its block's).
pub(crate) fn whole_of_blocks(blocks: &[u32], size: u64, block_size: u64) -> u32 {
    let Some((&first, rest)) = blocks.split_first() else {
        return 0;
    };
    let mut crc = first;
    if rest.is_empty() {
        return crc;
    }
    let full = ShiftOp::new(block_size);
    for (b, &c) in rest.iter().enumerate() {
        let start = (b as u64 + 1) * block_size;
        let len = (size - start.min(size)).min(block_size);
        crc = if len == block_size {
            full.combine(crc, c)
        } else {
            combine(crc, c, len)
        };
    }
    crc
}

/// Hashes consecutive bytes from a starting offset, cutting a piece at every block boundary.
pub(crate) struct RangeHasher<'a> {
    owner: &'a FileCrcs,
    piece_start: u64,
    pos: u64,
    hasher: crc32fast::Hasher,
    pieces: Vec<Piece>,
    /// The length, CRC of zeros and shift operator of the last hole shorter than a block.
    partial_zeros: Option<(u64, u32, ShiftOp)>,
}

impl RangeHasher<'_> {
    fn block_end(&self) -> u64 {
        (self.pos / self.owner.block_size + 1) * self.owner.block_size
    }

    fn cut(&mut self) {
        if self.pos > self.piece_start {
            let h = std::mem::replace(&mut self.hasher, crc32fast::Hasher::new());
            self.pieces.push(Piece {
                offset: self.piece_start,
                len: self.pos - self.piece_start,
                crc: h.finalize(),
            });
        }
        self.piece_start = self.pos;
    }

    /// The next bytes.
    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = usize::try_from(self.block_end() - self.pos).unwrap_or(usize::MAX);
            let take = room.min(bytes.len());
            self.hasher.update(&bytes[..take]);
            self.pos += take as u64;
            bytes = &bytes[take..];
            if take == room {
                self.cut();
            }
        }
    }

    /// The next `len` bytes are zeros (a hole): their CRC without reading them.
    pub(crate) fn zeros(&mut self, mut len: u64) {
        while len > 0 {
            let room = self.block_end() - self.pos;
            let take = room.min(len);
            if take == self.owner.block_size {
                self.pieces.push(Piece {
                    offset: self.pos,
                    len: take,
                    crc: *self.owner.zero_block.get_or_init(|| crc_of_zeros(take)),
                });
                self.pos += take;
                self.piece_start = self.pos;
            } else {
                let done = self.pos - self.piece_start;
                let before = std::mem::replace(&mut self.hasher, crc32fast::Hasher::new()).finalize();
                // Holes inside a block come a page at a time: one operator per length.
                let (zeros, op) = match self.partial_zeros {
                    Some((l, z, op)) if l == take => (z, op),
                    _ => {
                        let z = (crc_of_zeros(take), ShiftOp::new(take));
                        self.partial_zeros = Some((take, z.0, z.1));
                        z
                    }
                };
                let crc = op.combine(before, zeros);
                self.hasher = crc32fast::Hasher::new_with_initial_len(crc, done + take);
                self.pos += take;
                if take == room {
                    self.cut();
                }
            }
            len -= take;
        }
    }

    /// `bytes[start..end]`, taking the parts inside `holes` as zeros without reading them.
    pub(crate) fn update_with_holes(&mut self, bytes: &[u8], holes: &[Range<usize>], start: usize, end: usize) {
        let mut at = start;
        for h in holes.iter().filter(|h| h.end > start && h.start < end) {
            let hs = h.start.max(at);
            let he = h.end.min(end);
            if hs > at {
                self.update(&bytes[at..hs]);
            }
            if he > hs {
                self.zeros((he - hs) as u64);
                at = he;
            }
        }
        if end > at {
            self.update(&bytes[at..end]);
        }
    }

    fn pieces_so_far(mut self) -> Vec<Piece> {
        self.cut();
        std::mem::take(&mut self.pieces)
    }

    /// Hands the pieces hashed to the collector.
    pub(crate) fn done(self) {
        let owner = self.owner;
        owner.add(self.pieces_so_far());
    }
}

/// The CRCs of `bytes` hashed on this thread. Without holes (every log, checkpoint and small
/// file), each block is hashed on its own and the whole-file CRC joined from the blocks': no
/// pieces, and no shift operator at all for a file of one block.
pub fn crc_of_bytes(bytes: &[u8], holes: &[Range<usize>], block_size: u64) -> FileCrc {
    let block = usize::try_from(block_size.max(1)).unwrap_or(usize::MAX);
    if !holes.iter().any(|h| h.start < h.end && h.start < bytes.len()) {
        let blocks: Vec<u32> = bytes.chunks(block).map(crc32fast::hash).collect();
        let size = bytes.len() as u64;
        return FileCrc {
            size,
            crc32: whole_of_blocks(&blocks, size, block_size.max(1)),
            blocks,
        };
    }
    FileCrcs::new(block_size).finish(bytes, holes)
}

/// Bytes hashed per task by [`crc_input`]: whole blocks, at least 4 MiB, as the scans' chunks.
fn task_len(block_size: u64) -> usize {
    let per = (4u64 << 20).div_ceil(block_size).max(1) * block_size;
    usize::try_from(per).unwrap_or(usize::MAX)
}

/// The CRCs of an opened file, hashed in parallel over its mapping (holes read as zeros without
/// being touched), each range released once hashed; `progress` advanced by the bytes hashed.
pub(crate) fn crc_input(
    input: &Input,
    block_size: u64,
    progress: Option<&crate::scan::progress::Progress<'_>>,
) -> FileCrc {
    use rayon::prelude::*;
    let bytes = input.bytes();
    let holes = input.holes();
    let c = FileCrcs::new(block_size);
    let per = task_len(c.block_size());
    bytes.par_chunks(per).enumerate().for_each(|(i, chunk)| {
        let start = i * per;
        let mut h = c.range(start as u64);
        h.update_with_holes(bytes, holes, start, start + chunk.len());
        h.done();
        input.release(start, chunk.len());
        if let Some(p) = progress {
            p.inc(chunk.len() as u64);
        }
    });
    c.finish(bytes, holes)
}

/// The CRCs of the file at `path`, read-only as every input ([`Input::open`]).
pub(crate) fn crc_file(path: &Path, block_size: u64) -> Result<FileCrc, CheckError> {
    let input = Input::open(path)?;
    Ok(crc_input(&input, block_size, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::crc32::crc_of;

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8).collect()
    }

    fn expected(bytes: &[u8], block: usize) -> FileCrc {
        FileCrc {
            size: bytes.len() as u64,
            crc32: crc_of(bytes),
            blocks: bytes.chunks(block).map(crc_of).collect(),
        }
    }

    #[test]
    fn pieces_hashed_in_any_order_with_gaps_give_the_crcs_of_the_file() {
        let bytes = data(5 * 4096 + 123);
        let c = FileCrcs::new(4096);
        // Two workers, out of order, neither at a block boundary; the head and tail are gaps.
        let mut b = c.range(9000);
        b.update(&bytes[9000..15000]);
        b.done();
        let mut a = c.range(100);
        a.update(&bytes[100..9000]);
        a.done();
        assert_eq!(c.finish(&bytes, &[]), expected(&bytes, 4096));
    }

    #[test]
    fn holes_get_the_crc_of_zeros_without_being_read() {
        let mut bytes = data(10 * 4096 + 7);
        bytes[4096..3 * 4096 + 100].fill(0);
        bytes[5000..6000].fill(0);
        let holes = [4096..3 * 4096 + 100, 5000..6000];
        // The hole's bytes as given are not zeros: proof they are not read.
        let mut shown = bytes.clone();
        shown[4096..3 * 4096 + 100].fill(0xAA);
        let got = {
            let c = FileCrcs::new(4096);
            let mut h = c.range(0);
            h.update_with_holes(&shown, &holes[..1], 0, shown.len());
            h.done();
            c.finish(&shown, &[])
        };
        let mut want_bytes = shown.clone();
        want_bytes[4096..3 * 4096 + 100].fill(0);
        assert_eq!(got, expected(&want_bytes, 4096));
        let c = FileCrcs::new(4096);
        let mut h = c.range(0);
        h.zeros(0);
        h.update(&bytes[..4096]);
        h.zeros(2 * 4096 + 100);
        h.update(&bytes[3 * 4096 + 100..]);
        h.done();
        assert_eq!(c.finish(&bytes, &[]), expected(&bytes, 4096));
    }

    #[test]
    fn an_empty_file_has_no_blocks_and_the_crc_of_nothing() {
        let c = FileCrcs::new(1 << 20);
        assert_eq!(
            c.finish(&[], &[]),
            FileCrc {
                size: 0,
                crc32: 0,
                blocks: vec![]
            }
        );
    }

    #[test]
    fn a_file_without_holes_is_hashed_block_by_block_with_the_same_crcs() {
        for len in [0, 1, 4095, 4096, 4097, 3 * 4096, 5 * 4096 + 123] {
            let bytes = data(len);
            assert_eq!(crc_of_bytes(&bytes, &[], 4096), expected(&bytes, 4096), "len {len}");
            // A hole past the end or empty is no hole.
            assert_eq!(
                crc_of_bytes(&bytes, &[len..len + 4096, 0..0], 4096),
                expected(&bytes, 4096),
                "len {len}"
            );
        }
        let bytes = data(70_000);
        assert_eq!(
            crc_of_bytes(&bytes, &[], 1 << 20),
            expected(&bytes, (1 << 20) as usize),
            "a log: one block, shorter than the block size"
        );
    }

    #[test]
    fn pieces_of_many_lengths_and_partial_holes_join_to_the_crcs_of_the_file() {
        // More distinct piece lengths than the operator cache keeps, and holes of a page inside
        // blocks, as a sparse database's scan gives them.
        let mut bytes = data(40 * 4096 + 77);
        let holes = [4096 * 3..4096 * 4, 4096 * 9..4096 * 11, 4096 * 20..4096 * 21];
        for h in &holes {
            bytes[h.clone()].fill(0);
        }
        let c = FileCrcs::new(3 * 4096);
        let mut at = 0;
        for (k, step) in (1..).map(|k| (k, 997 * k)).take_while(|(_, s)| *s < 1 << 20) {
            if at >= bytes.len() {
                break;
            }
            let end = (at + step).min(bytes.len());
            let mut h = c.range(at as u64);
            if k % 2 == 0 {
                h.update_with_holes(&bytes, &holes, at, end);
            } else {
                h.update(&bytes[at..end]);
            }
            h.done();
            at = end;
        }
        assert_eq!(c.finish(&bytes, &holes), expected(&bytes, 3 * 4096));
    }

    #[test]
    fn overlapping_pieces_are_not_trusted() {
        let bytes = data(3 * 4096);
        let c = FileCrcs::new(4096);
        let mut a = c.range(0);
        a.update(&bytes[..5000]);
        a.done();
        let mut b = c.range(4000);
        b.update(&bytes[4000..]);
        b.done();
        assert_eq!(c.finish(&bytes, &[]), expected(&bytes, 4096));
    }
}
