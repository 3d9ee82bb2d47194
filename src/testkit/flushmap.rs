//! Flush-map fixtures (ESE-FORMAT.md §8): a header page (FMFILEHDR, legacy XOR over 8192 bytes)
//! and data pages (FlushMapDataPageHdr, XOR-ECC checksum with `pgno = fmpgno`), 8 KiB each.
//!
//! `tests/testkit.rs` proves the sealing on the real `.jfm` files of `testdata/`: resealing a real
//! file whose checksums were zeroed gives back its bytes.

use super::damage::reseal_legacy_header;
use super::{put_u32, put_u64};
use crate::checksum::ecc::ecc_block;
use crate::format::common::{filetype, LogTime, FILETYPE_OFFSET};
use crate::format::flush_map::{FM_FLAG_CLEAN, FM_FLAG_NEW_CHECKSUM_FORMAT, FM_PAGE_SIZE};

/// Size of every flush-map page.
pub const FM_PAGE: usize = FM_PAGE_SIZE;

/// Seals data page `fmpgno` in place: `ecc_block(page, fmpgno, true)` at offset 0.
pub fn seal_flush_map_data_page(page: &mut [u8], fmpgno: u32) {
    let c = ecc_block(page, fmpgno, true);
    put_u64(page, 0, c);
}

/// Reseals every page of a flush-map image in place: the header with the legacy XOR, file page
/// k ≥ 1 as data page `fmpgno = k − 1`. A trailing partial page is left alone.
pub fn seal_flush_map(buf: &mut [u8]) {
    for (k, page) in buf.chunks_exact_mut(FM_PAGE).enumerate() {
        if k == 0 {
            reseal_legacy_header(page);
        } else {
            seal_flush_map_data_page(page, (k - 1) as u32);
        }
    }
}

/// Builds a flush-map file.
#[derive(Debug, Clone)]
pub struct FlushMapBuilder {
    header: Vec<u8>,
    data: Vec<Vec<u8>>,
}

impl Default for FlushMapBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl FlushMapBuilder {
    /// Version 3.0.0 (as every real file), `fFlags` = clean, filetype 7, one data page (fmpgno 0)
    /// with the new-checksum-format flag and every flush state zero.
    pub fn new() -> Self {
        let mut header = vec![0u8; FM_PAGE];
        put_u32(&mut header, 4, 3);
        put_u32(&mut header, 36, FM_FLAG_CLEAN);
        put_u32(&mut header, FILETYPE_OFFSET, filetype::FLUSH_MAP);
        FlushMapBuilder {
            header,
            data: Vec::new(),
        }
        .data_pages(1)
    }

    /// `n` data pages (fmpgno 0..n): new pages get `fmpgno` @16 and `fFlags` = 0x2000 @36.
    pub fn data_pages(mut self, n: usize) -> Self {
        self.data.truncate(n);
        while self.data.len() < n {
            let mut page = vec![0u8; FM_PAGE];
            put_u32(&mut page, 16, self.data.len() as u32);
            put_u32(&mut page, 36, FM_FLAG_NEW_CHECKSUM_FORMAT);
            self.data.push(page);
        }
        self
    }

    /// `fFlags` @36 of the header: clean (0x1) or not (0, as a flush map left open).
    pub fn clean(self, clean: bool) -> Self {
        self.header_u32(36, if clean { FM_FLAG_CLEAN } else { 0 })
    }

    /// `lGenMinRequired` @64.
    pub fn gen_min_required(self, generation: i32) -> Self {
        self.header_u32(64, generation as u32)
    }

    /// `logtimeCreate` @40.
    pub fn created(self, t: LogTime) -> Self {
        self.header_bytes(40, &t.raw)
    }

    /// Any u32 of the header page (the checksum is computed after).
    pub fn header_u32(mut self, offset: usize, value: u32) -> Self {
        put_u32(&mut self.header, offset, value);
        self
    }

    /// Raw bytes at `offset` of the header page (the checksum is computed after).
    pub fn header_bytes(mut self, offset: usize, bytes: &[u8]) -> Self {
        self.header[offset..offset + bytes.len()].copy_from_slice(bytes);
        self
    }

    /// `dbtimeMax` @8 of data page `fmpgno` (which must exist).
    pub fn dbtime_max(mut self, fmpgno: usize, dbtime: u64) -> Self {
        put_u64(&mut self.data[fmpgno], 8, dbtime);
        self
    }

    /// Raw bytes at `offset` of data page `fmpgno` (which must exist; sealed after).
    pub fn data_page_bytes(mut self, fmpgno: usize, offset: usize, bytes: &[u8]) -> Self {
        self.data[fmpgno][offset..offset + bytes.len()].copy_from_slice(bytes);
        self
    }

    /// The file: the sealed header page, then the sealed data pages.
    pub fn build(&self) -> Vec<u8> {
        let mut out = self.header.clone();
        for page in &self.data {
            out.extend_from_slice(page);
        }
        seal_flush_map(&mut out);
        out
    }

    /// Writes the file to `path`.
    pub fn write_file(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::fs::write(path, self.build())
    }
}
