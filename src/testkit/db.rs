//! Database fixtures (ESE-FORMAT.md §2–§4): a DBFILEHDR plus its shadow copy, then logical pages
//! with PGHDR (≤ 8 KiB) or PGHDR2 (16/32 KiB), each sealed with the crate's own checksums.
//!
//! [`DbBuilder`] streams page by page ([`DbBuilder::write_to`]), so multi-GiB fixtures never sit
//! in memory; [`DbBuilder::build`] is the in-memory convenience.

use super::damage::reseal_legacy_header;
use super::minimal::{Layout, TableSpec, PF_LEAF, PF_NEW_RECORD_FORMAT, PF_ROOT, PF_SPACE};
use super::{logtime, put_lgpos, put_u32, put_u64, signature};
use crate::checksum::ecc::ecc_block;
use crate::format::common::{filetype, Lgpos, Signature, FILETYPE_OFFSET};
use crate::format::page::{has_new_checksum_format, LARGE_PAGE_MIN, PGHDR2_PGNO_OFFSET};
use std::collections::BTreeSet;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::OnceLock;

/// `le_ulMagic` of a database header.
pub const DB_MAGIC: u32 = 0x89AB_CDEF;
/// `fFlags` bit of the new (ECC) checksum format (§3.3).
pub const PAGE_FLAG_NEW_CHECKSUM: u32 = 0x2000;
/// Database state CleanShutdown (§1.6), the builder's default.
pub const STATE_CLEAN_SHUTDOWN: u32 = 3;
/// Database state DirtyShutdown (§1.6).
pub const STATE_DIRTY_SHUTDOWN: u32 = 2;
/// Logical pages of a default [`DbBuilder`]: the system pages (1–33) and a few leaves of its
/// table.
pub const DEFAULT_PAGES: u32 = 40;
/// Size of the used part of DBFILEHDR; the rest of the header page is zero.
pub const DB_HEADER_LEN: usize = 748;

/// Callback that edits a logical page after the builder laid out its default content and before
/// it is sealed: `(pgno, page)`. It may rewrite anything, including `fFlags` (the sealer follows
/// the format flag it finds).
pub type PageFill = Box<dyn Fn(u32, &mut [u8]) + Send + Sync>;

/// The log signature every builder uses unless told otherwise, so databases, logs and
/// checkpoints built with defaults belong together.
pub fn default_log_signature() -> Signature {
    signature(0x51A7_1065, logtime(2024, 3, 14, 15, 9, 26))
}

/// Seals a database page at logical page number `pgno` in place (§4.3).
///
/// New format (`fFlags & 0x2000`): small pages get `ecc_block(page, pgno, true)` at 0; large
/// pages get the checksums of blocks 1–3 at 40/48/56 and then block 0's (which covers them) at 0.
/// PGHDR2's pgno (@64) is left as it is, so a test can make a page whose checksums fit its place
/// but whose pgno field lies. Old format: u32 pgno at 4, then the legacy XOR at 0 (bytes 40..64
/// of a large page are zeroed, the old format has no block checksums).
pub fn seal_page(page: &mut [u8], pgno: u32) {
    let len = page.len();
    if has_new_checksum_format(page) {
        if len >= LARGE_PAGE_MIN {
            let bs = len / 4;
            for k in 1..4 {
                let c = ecc_block(&page[k * bs..(k + 1) * bs], pgno, false);
                put_u64(page, 32 + 8 * k, c);
            }
        }
        let bs = if len >= LARGE_PAGE_MIN { len / 4 } else { len };
        let c = ecc_block(&page[..bs], pgno, true);
        put_u64(page, 0, c);
    } else {
        if len >= LARGE_PAGE_MIN {
            page[40..64].fill(0);
        }
        put_u32(page, 4, pgno);
        reseal_legacy_header(page);
    }
}

/// Reseals one database header copy (a whole header page) with the legacy XOR checksum.
pub fn seal_db_header(header: &mut [u8]) {
    reseal_legacy_header(header);
}

/// Reseals the primary header of a database file image and copies it over the shadow, for
/// "hostile but self-consistent" headers: change a field at offset `o` of the primary, call this,
/// and both copies agree and verify.
pub fn reseal_db_headers(file: &mut [u8], page_size: usize) {
    reseal_legacy_header(&mut file[..page_size]);
    let (primary, rest) = file.split_at_mut(page_size);
    rest[..page_size].copy_from_slice(primary);
}

/// Builds a database image: header, identical shadow header, then `pages` logical pages.
pub struct DbBuilder {
    page_size: usize,
    pages: u32,
    header: Vec<u8>,
    old_format: bool,
    uninitialized: BTreeSet<u32>,
    fill: Option<PageFill>,
    owned_space: Option<Vec<(u32, u32)>>,
    tables: (u32, u32),
    layout: OnceLock<Layout>,
}

impl DbBuilder {
    /// A clean (state 3), format 0x620.20.0 database of `page_size`-byte pages (2048, 4096,
    /// 8192, 16384 or 32768) with [`DEFAULT_PAGES`] logical pages and the
    /// [`default_log_signature`]: the minimal valid database of [`super::minimal`] (database
    /// root, space trees, catalog with its indexes, shadow catalog, one table whose data tree
    /// fills the file).
    ///
    /// # Panics
    /// If `page_size` is not one of the five ESE page sizes.
    pub fn new(page_size: usize) -> Self {
        assert!(
            matches!(page_size, 2048 | 4096 | 8192 | 16384 | 32768),
            "unsupported page size {page_size}"
        );
        let mut header = vec![0u8; page_size];
        put_u32(&mut header, 4, DB_MAGIC);
        put_u32(&mut header, 8, 0x620);
        put_u64(&mut header, 16, 0x1_0000);
        header[24..52].copy_from_slice(&signature(0x0DB5_16A7, logtime(2024, 3, 14, 15, 0, 0)).raw);
        put_u32(&mut header, 52, STATE_CLEAN_SHUTDOWN);
        put_u32(&mut header, 104, 1);
        header[108..136].copy_from_slice(&default_log_signature().raw);
        put_u32(&mut header, 212, 1000);
        // OS version that last rebuilt indexes: 10.0.19041 SP0.
        put_u32(&mut header, 216, 10);
        put_u32(&mut header, 224, 19041);
        put_u32(&mut header, 232, 20);
        put_u32(&mut header, 236, page_size as u32);
        put_u32(&mut header, 340, 0x620);
        put_u32(&mut header, 344, 20);
        put_u32(&mut header, FILETYPE_OFFSET, filetype::DATABASE);
        DbBuilder {
            page_size,
            pages: DEFAULT_PAGES,
            header,
            old_format: false,
            uninitialized: BTreeSet::new(),
            fill: None,
            owned_space: None,
            tables: (1, u32::MAX),
            layout: OnceLock::new(),
        }
    }

    /// Number of logical pages after the two header copies.
    pub fn pages(mut self, n: u32) -> Self {
        self.pages = n;
        self.layout = OnceLock::new();
        self
    }

    /// `count` user tables instead of one ([`super::minimal::MAX_TABLES`] at most): table `k`
    /// has objid 8 + k and is named `Records`, `Records1`, `Records2`, …; the pages from 31 to
    /// the last are cut into extents of `extent_pages` pages (the last one shorter), handed to
    /// the tables in turn, so that every table owns many extents spread over the file and its
    /// leaf chain crosses them. Each table's root is the first page of its first extent, its OE
    /// and AE the next two pages, then its data leaves and internal pages, filling its extents
    /// ([`table_specs`](Self::table_specs) says where everything is). With `count` 1 and
    /// `extent_pages` `u32::MAX`, the default layout.
    ///
    /// # Panics
    /// When the layout is made (the first page written), if `count` is 0 or above
    /// [`super::minimal::MAX_TABLES`], or, with more than one table, if `extent_pages` is below 4, a table gets
    /// fewer than 4 pages or more extents than one page of its OE tree holds.
    pub fn tables(mut self, count: u32, extent_pages: u32) -> Self {
        self.tables = (count, extent_pages);
        self.layout = OnceLock::new();
        self
    }

    /// The user tables as the layout places them: objid, name, root, extents, pages, leaves,
    /// records; what a reader of the file must find.
    pub fn table_specs(&self) -> Vec<TableSpec> {
        self.layout().tables()
    }

    /// `le_dbstate` @52 (§1.6).
    pub fn state(self, state: u32) -> Self {
        self.header_u32(52, state)
    }

    /// `signLog` @108.
    pub fn log_signature(mut self, sign: Signature) -> Self {
        self.header[108..136].copy_from_slice(&sign.raw);
        self
    }

    /// `signDb` @24.
    pub fn db_signature(mut self, sign: Signature) -> Self {
        self.header[24..52].copy_from_slice(&sign.raw);
        self
    }

    /// Log Required: `le_lGenMinRequired` @296 and `le_lGenMaxRequired` @300.
    pub fn log_required(self, min: i32, max: i32) -> Self {
        self.header_u32(296, min as u32).header_u32(300, max as u32)
    }

    /// Log Committed: `le_lGenMaxCommitted` @416.
    pub fn log_committed(self, generation: i32) -> Self {
        self.header_u32(416, generation as u32)
    }

    /// Log Consistent: `le_lGenMinConsistent` @640.
    pub fn log_consistent(self, generation: i32) -> Self {
        self.header_u32(640, generation as u32)
    }

    /// Log Recovering: `le_lGenRecovering` @536.
    pub fn log_recovering(self, generation: i32) -> Self {
        self.header_u32(536, generation as u32)
    }

    /// `le_lgposConsistent` @56.
    pub fn lgpos_consistent(mut self, pos: Lgpos) -> Self {
        put_lgpos(&mut self.header, 56, pos);
        self
    }

    /// `le_dbtimeDirtied` @16; pages get dbtimes at or below it.
    pub fn dbtime(mut self, dbtime: u64) -> Self {
        put_u64(&mut self.header, 16, dbtime);
        self
    }

    /// `le_ulVersion` @8, `le_ulDaeUpdateMajor` @232, `le_ulDaeUpdateMinor` @644.
    pub fn format_version(self, version: u32, update_major: u32, update_minor: u32) -> Self {
        self.header_u32(8, version)
            .header_u32(232, update_major)
            .header_u32(644, update_minor)
    }

    /// `le_filetype` @667 (1 database, 5 temp database, anything for hostile tests).
    pub fn file_type(self, file_type: u32) -> Self {
        self.header_u32(FILETYPE_OFFSET, file_type)
    }

    /// `le_cbPageSize` @236 as stored, independent of the real page size (0 means 4096; any other
    /// mismatch makes the header invalid at this size, §2).
    pub fn page_size_field(self, value: u32) -> Self {
        self.header_u32(236, value)
    }

    /// `le_ulMagic` @4 (hostile tests only).
    pub fn magic(self, magic: u32) -> Self {
        self.header_u32(4, magic)
    }

    /// Any u32 header field at `offset` (both copies; the checksum is computed after).
    pub fn header_u32(mut self, offset: usize, value: u32) -> Self {
        put_u32(&mut self.header, offset, value);
        self
    }

    /// Raw bytes at `offset` of the header (both copies; the checksum is computed after).
    pub fn header_bytes(mut self, offset: usize, bytes: &[u8]) -> Self {
        self.header[offset..offset + bytes.len()].copy_from_slice(bytes);
        self
    }

    /// A callback that edits each logical page before sealing (see [`PageFill`]).
    pub fn page_fill(mut self, fill: impl Fn(u32, &mut [u8]) + Send + Sync + 'static) -> Self {
        self.fill = Some(Box::new(fill));
        self
    }

    /// Write old-format pages (flag 0x2000 clear, `pgno << 32 | XOR` checksum, §3.5). Only small
    /// pages verify in the old format.
    pub fn old_format_pages(mut self, old: bool) -> Self {
        self.old_format = old;
        self
    }

    /// Make page 2 the root of the database's owned-space tree (a leaf, as in every database of
    /// the corpus) listing the extents `(last page, page count)`, in order. Without this, page 2
    /// is an ordinary leaf and no owned space can be read.
    pub fn owned_extents(mut self, extents: &[(u32, u32)]) -> Self {
        self.owned_space = Some(extents.to_vec());
        self
    }

    /// [`owned_extents`](Self::owned_extents) with one extent, pages `1..=last`.
    pub fn owned_pages(self, last: u32) -> Self {
        self.owned_extents(&[(last, last)])
    }

    /// Leave logical page `pgno` all zero (uninitialized, §3.4). May be called repeatedly.
    pub fn uninitialized(mut self, pgno: u32) -> Self {
        self.uninitialized.insert(pgno);
        self
    }

    /// The page size.
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// Number of logical pages.
    pub fn page_count(&self) -> u32 {
        self.pages
    }

    /// The logical pages the file leaves all zero: the free pages of the default layout
    /// ([`super::minimal`]) and those made [`uninitialized`](Self::uninitialized), ascending
    /// (a [`page_fill`](Self::page_fill) may still write some).
    pub fn blank_pages(&self) -> Vec<u32> {
        let layout = self.layout();
        let mut page = vec![0u8; self.page_size];
        (1..=self.pages)
            .filter(|&p| {
                page.fill(0);
                self.uninitialized.contains(&p) || !layout.page(p, &mut page, 0)
            })
            .collect()
    }

    /// Total file size in bytes: `(pages + 2) * page_size`.
    pub fn file_len(&self) -> u64 {
        (u64::from(self.pages) + 2) * self.page_size as u64
    }

    /// The sealed header page (primary and shadow are identical).
    pub fn header(&self) -> Vec<u8> {
        let mut h = self.header.clone();
        seal_db_header(&mut h);
        h
    }

    /// Logical page `pgno`, sealed, as it appears in the file.
    pub fn page(&self, pgno: u32) -> Vec<u8> {
        let mut p = vec![0u8; self.page_size];
        self.page_into(self.layout(), pgno, &mut p);
        p
    }

    /// The layout of the minimal database of this size (built once). With an owned space that
    /// ends before the file, the database is laid out in the owned pages and the file's tail is
    /// blank, as ESE leaves a file it grew ahead of use.
    fn layout(&self) -> &Layout {
        let owned_last = self
            .owned_space
            .as_ref()
            .and_then(|extents| extents.iter().map(|&(last, _)| last).max());
        let pages = owned_last.map_or(self.pages, |last| last.clamp(1, self.pages));
        self.layout.get_or_init(|| {
            let (count, extent) = self.tables;
            Layout::with_tables(self.page_size, pages, count, extent)
        })
    }

    fn page_into(&self, layout: &Layout, pgno: u32, page: &mut [u8]) {
        page.fill(0);
        if self.uninitialized.contains(&pgno) {
            return;
        }
        let header_dbtime = u64::from_le_bytes(self.header[16..24].try_into().unwrap_or([0; 8]));
        let dbtime = header_dbtime.saturating_sub(u64::from(pgno % 997)).max(1);
        let format = if self.old_format {
            PF_NEW_RECORD_FORMAT
        } else {
            PF_NEW_RECORD_FORMAT | PAGE_FLAG_NEW_CHECKSUM
        };
        let laid = match (&self.owned_space, pgno) {
            (Some(extents), 2) => {
                space_root_page(page, extents, dbtime, format);
                true
            }
            _ => layout.page(pgno, page, format),
        };
        if laid {
            put_u64(page, 8, dbtime);
        }
        if let Some(fill) = &self.fill {
            fill(pgno, page);
        }
        // A free page nobody wrote stays all zero, as in real databases.
        if laid || page.iter().any(|&b| b != 0) {
            seal_page(page, pgno);
        }
    }

    /// Streams the whole file to `w`, one page at a time.
    pub fn write_to<W: Write>(&self, w: &mut W) -> io::Result<()> {
        let header = self.header();
        w.write_all(&header)?;
        w.write_all(&header)?;
        let layout = self.layout();
        let mut page = vec![0u8; self.page_size];
        for pgno in 1..=self.pages {
            self.page_into(layout, pgno, &mut page);
            w.write_all(&page)?;
        }
        Ok(())
    }

    /// Writes the file to `path` through a `BufWriter` (constant memory, any size).
    pub fn write_file(&self, path: &Path) -> io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        self.write_to(&mut w)?;
        w.flush()
    }

    /// The whole file in memory.
    pub fn build(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(usize::try_from(self.file_len()).unwrap_or(0));
        // Writing into a Vec cannot fail.
        let _ = self.write_to(&mut v);
        v
    }
}

/// Lays out the root leaf of the database's owned-space tree as ESE writes it (page 2 of every
/// corpus database): `objidFDP` 1, flags root | leaf | space tree, tag 0 a zeroed 16-byte
/// external header, then one node per extent: key length 4, the extent's last page big-endian,
/// its page count.
fn space_root_page(page: &mut [u8], extents: &[(u32, u32)], dbtime: u64, flags: u32) {
    let len = page.len();
    let hdr = if len >= LARGE_PAGE_MIN { 80 } else { 40 };
    put_u64(page, 8, dbtime);
    put_u32(page, 24, 1);
    super::put_u16(page, 34, extents.len() as u16 + 1);
    // Root | leaf | space tree, plus 0x8000 as on most real page 2s (0xA823; some have 0x2823).
    put_u32(page, 36, flags | PF_ROOT | PF_LEAF | PF_SPACE | 0x8000);
    if len >= LARGE_PAGE_MIN {
        put_u32(page, PGHDR2_PGNO_OFFSET, 2);
    }
    // Tag 0: 16 zero bytes at ib 0.
    super::put_u16(page, len - 4, 16);
    let mut ib = 16usize;
    for (i, &(last, count)) in extents.iter().enumerate() {
        let at = hdr + ib;
        super::put_u16(page, at, 4);
        page[at + 2..at + 6].copy_from_slice(&last.to_be_bytes());
        put_u32(page, at + 6, count);
        let tag = len - 4 * (i + 2);
        super::put_u16(page, tag, 10);
        super::put_u16(page, tag + 2, ib as u16);
        ib += 10;
    }
    let used = hdr + ib + 4 * (extents.len() + 1);
    super::put_u16(page, 28, (len - used) as u16);
    super::put_u16(page, 32, ib as u16);
}
