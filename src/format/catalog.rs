//! The catalog: MSysObjects rows and the walk of its B-tree (LOGICAL-INTEGRITY.md §3.1; the
//! engine's column definitions in `_cat.cxx`, fids in cat.hxx, the record format in rec.hxx).
//! Pure parsing: pages come from the caller through a closure, which also decides whether a page
//! is too damaged to read (its checksum is `checksum/`'s business, not this module's).
//!
//! A record (`REC`) is:
//!
//! * `RECHDR` (4 bytes): `fidFixedLastInRec` u8, `fidVarLastInRec` u8 (127 = no variable column,
//!   128 = the first), `ibEndOfFixedData` u16 (offset from the record's start);
//! * the fixed columns, in fid order from offset 4, **only up to `fidFixedLastInRec`** (later
//!   columns added to the table are absent from older records, hence NULL);
//! * the fixed null bitmap, ⌈fixed columns/8⌉ bytes ending at `ibEndOfFixedData` (bit set =
//!   NULL);
//! * at `ibEndOfFixedData`, one u16 end offset per variable column (`fidVarLastInRec` − 127),
//!   relative to the variable data that follows the array; bit 0x8000 = NULL;
//! * the variable data, then tagged data (not read here).
//!
//! MSysObjects' fixed columns (fid: name, size): 1 ObjidTable 4, 2 Type 2, 3 Id 4,
//! 4 ColtypOrPgnoFDP 4, 5 SpaceUsage 4, 6 Flags 4, 7 PagesOrLocale 4, 8 RootFlag 1,
//! 9 RecordOffset 2, 10 LCMapFlags 4, 11 KeyMost 2, 12 LVChunkMax 4, 13 PgnoFDPLastSetTime 8;
//! its first variable column (fid 128) is Name.
//!
//! Nodes flagged deleted (`fNDDeleted`) are not rows, as the engine reads the catalog.

use super::bytes::{FormatError, Reader};
use super::node::NodePage;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// `pgnoFDPMSO`: the root page of MSysObjects.
pub const PGNO_FDP_MSO: u32 = 4;
/// `pgnoFDPMSOShadow`: the root page of MSysObjectsShadow, the catalog's copy.
pub const PGNO_FDP_MSO_SHADOW: u32 = 24;
/// `objidFDPMSO`: the objid of MSysObjects (every page of its tree carries it).
pub const OBJID_FDP_MSO: u32 = 2;
/// `objidFDPMSOShadow`.
pub const OBJID_FDP_MSO_SHADOW: u32 = 3;

/// Deepest B-tree the walk follows. ESE trees of a 32-bit page space are a handful of levels deep
/// (the corpus's catalogs have 2); a chain deeper than this is a hostile or damaged tree.
pub const MAX_TREE_DEPTH: usize = 32;

/// `cbRecordHeader`: size of RECHDR.
const RECHDR_LEN: usize = 4;
/// `fidVarLeast − 1`: `fidVarLastInRec` when a record has no variable column.
const FID_VAR_NONE: u8 = 127;

/// Sizes of MSysObjects' fixed columns, fid 1 first (`_cat.cxx`'s column types).
const MSO_FIXED_SIZES: [usize; 13] = [4, 2, 4, 4, 4, 4, 4, 1, 2, 4, 2, 4, 8];

/// `SYSOBJ`: what a catalog row describes (cat.hxx `sysobj…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SysObj {
    /// `sysobjTable` (1).
    Table,
    /// `sysobjColumn` (2).
    Column,
    /// `sysobjIndex` (3).
    Index,
    /// `sysobjLongValue` (4): the table's long-value tree.
    LongValue,
    /// `sysobjCallback` (5).
    Callback,
    /// Any other value (6 and 7 are obsolete SLV types).
    Other(u16),
}

impl SysObj {
    fn from_u16(v: u16) -> Self {
        match v {
            1 => SysObj::Table,
            2 => SysObj::Column,
            3 => SysObj::Index,
            4 => SysObj::LongValue,
            5 => SysObj::Callback,
            v => SysObj::Other(v),
        }
    }

    /// True for the rows that name a B-tree of their own (Id = objidFDP, ColtypOrPgnoFDP =
    /// pgnoFDP).
    pub fn has_tree(self) -> bool {
        matches!(self, SysObj::Table | SysObj::Index | SysObj::LongValue)
    }
}

/// `RECHDR`: the first 4 bytes of every record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// @0 `fidFixedLastInRec`: the last fixed column stored in this record (0 = none).
    pub fid_fixed_last_in_rec: u8,
    /// @1 `fidVarLastInRec`: the last variable column stored (127 = none, 128 = the first).
    pub fid_var_last_in_rec: u8,
    /// @2 `ibEndOfFixedData`: where the fixed data and its null bitmap end and the variable
    /// offsets begin.
    pub ib_end_of_fixed_data: u16,
}

impl RecordHeader {
    /// Reads RECHDR at the start of `record`.
    pub fn parse(record: &[u8]) -> Result<Self, FormatError> {
        let r = Reader::new(record, "RECHDR");
        Ok(RecordHeader {
            fid_fixed_last_in_rec: r.u8(0, "fidFixedLastInRec")?,
            fid_var_last_in_rec: r.u8(1, "fidVarLastInRec")?,
            ib_end_of_fixed_data: r.u16(2, "ibEndOfFixedData")?,
        })
    }

    /// Number of fixed columns stored (`CFixedColumns`).
    pub fn fixed_columns(&self) -> usize {
        usize::from(self.fid_fixed_last_in_rec)
    }

    /// Number of variable columns stored (`CVarColumns`).
    pub fn var_columns(&self) -> usize {
        usize::from(self.fid_var_last_in_rec.saturating_sub(FID_VAR_NONE))
    }
}

/// One MSysObjects row: the fixed columns up to `fidFixedLastInRec` (absent or NULL = `None`)
/// and the Name column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRow {
    /// The record header.
    pub header: RecordHeader,
    /// fid 1 `ObjidTable`: the objid of the table the row belongs to.
    pub objid_table: u32,
    /// fid 2 `Type`.
    pub sysobj: SysObj,
    /// fid 3 `Id`: objidFDP of a table, index or long-value tree; the columnid of a column.
    pub id: u32,
    /// fid 4 `ColtypOrPgnoFDP`: pgnoFDP (root page) of a table, index or long-value tree; the
    /// coltyp of a column.
    pub coltyp_or_pgno_fdp: u32,
    /// fid 5 `SpaceUsage`: density, or a column's length.
    pub space_usage: Option<u32>,
    /// fid 6 `Flags`: table flags; for an index `fidb` (low u16) and `fIDXFlags`.
    pub flags: Option<u32>,
    /// fid 7 `PagesOrLocale`: initial pages, code page or LCID.
    pub pages_or_locale: Option<u32>,
    /// fid 8 `RootFlag`.
    pub root_flag: Option<u8>,
    /// fid 9 `RecordOffset`.
    pub record_offset: Option<u16>,
    /// fid 10 `LCMapFlags`.
    pub lc_map_flags: Option<u32>,
    /// fid 11 `KeyMost`.
    pub key_most: Option<u16>,
    /// fid 12 `LVChunkMax`.
    pub lv_chunk_max: Option<u32>,
    /// fid 13 `PgnoFDPLastSetTime`.
    pub pgno_fdp_last_set_time: Option<u64>,
    /// var fid 128 `Name` (JET_coltypText, ASCII in every catalog; other bytes read as Latin-1).
    pub name: Option<String>,
}

impl CatalogRow {
    /// Reads one catalog record (a leaf node's data). ObjidTable, Type, Id and ColtypOrPgnoFDP
    /// must be present and not NULL: a catalog row without them names nothing.
    pub fn parse(record: &[u8]) -> Result<Self, FormatError> {
        let header = RecordHeader::parse(record)?;
        let r = Reader::new(record, "MSysObjects record");
        let end_fixed = usize::from(header.ib_end_of_fixed_data);
        let bitmap_len = header.fixed_columns().div_ceil(8);
        let bitmap_start = end_fixed
            .checked_sub(bitmap_len)
            .filter(|&s| s >= RECHDR_LEN)
            .ok_or(FormatError {
                structure: "RECHDR",
                field: "ibEndOfFixedData",
                offset: 2,
                available: record.len(),
            })?;
        let bitmap = r.bytes(bitmap_start, bitmap_len, "fixed null bitmap")?;

        // Offset and bytes of each MSysObjects fixed column the record stores (None = NULL).
        let mut fixed: [Option<&[u8]>; 13] = [None; 13];
        let mut at = RECHDR_LEN;
        for (i, &size) in MSO_FIXED_SIZES.iter().enumerate() {
            if i >= header.fixed_columns() {
                break;
            }
            if at + size > bitmap_start {
                return Err(FormatError {
                    structure: "MSysObjects record",
                    field: FIXED_NAMES[i],
                    offset: at,
                    available: bitmap_start,
                });
            }
            let null = bitmap[i / 8] & (1 << (i % 8)) != 0;
            if !null {
                fixed[i] = Some(r.bytes(at, size, FIXED_NAMES[i])?);
            }
            at += size;
        }
        let le = |b: &[u8]| b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
        let col = |i: usize| fixed[i].map(le);
        let required = |i: usize| {
            col(i).ok_or(FormatError {
                structure: "MSysObjects record",
                field: FIXED_NAMES[i],
                offset: RECHDR_LEN + MSO_FIXED_SIZES[..i].iter().sum::<usize>(),
                available: record.len(),
            })
        };

        Ok(CatalogRow {
            header,
            objid_table: required(0)? as u32,
            sysobj: SysObj::from_u16(required(1)? as u16),
            id: required(2)? as u32,
            coltyp_or_pgno_fdp: required(3)? as u32,
            space_usage: col(4).map(|v| v as u32),
            flags: col(5).map(|v| v as u32),
            pages_or_locale: col(6).map(|v| v as u32),
            root_flag: col(7).map(|v| v as u8),
            record_offset: col(8).map(|v| v as u16),
            lc_map_flags: col(9).map(|v| v as u32),
            key_most: col(10).map(|v| v as u16),
            lv_chunk_max: col(11).map(|v| v as u32),
            pgno_fdp_last_set_time: col(12),
            name: name(record, &header)?,
        })
    }
}

/// The format's names of MSysObjects' fixed columns, fid 1 first.
const FIXED_NAMES: [&str; 13] = [
    "ObjidTable",
    "Type",
    "Id",
    "ColtypOrPgnoFDP",
    "SpaceUsage",
    "Flags",
    "PagesOrLocale",
    "RootFlag",
    "RecordOffset",
    "LCMapFlags",
    "KeyMost",
    "LVChunkMax",
    "PgnoFDPLastSetTime",
];

/// The Name column (the first variable column), `None` when absent or NULL.
fn name(record: &[u8], header: &RecordHeader) -> Result<Option<String>, FormatError> {
    if header.var_columns() == 0 {
        return Ok(None);
    }
    let r = Reader::new(record, "MSysObjects record");
    let offsets = usize::from(header.ib_end_of_fixed_data);
    let end = r.u16(offsets, "Name offset")?;
    if end & 0x8000 != 0 {
        return Ok(None);
    }
    let var_data = offsets + 2 * header.var_columns();
    let bytes = r.bytes(var_data, usize::from(end & 0x7FFF), "Name")?;
    Ok(Some(bytes.iter().map(|&b| char::from(b)).collect()))
}

/// Which copy of the catalog a [`Catalog`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogSource {
    /// MSysObjects (root page 4).
    MSysObjects,
    /// MSysObjectsShadow (root page 24), because MSysObjects could not be read.
    MSysObjectsShadow,
}

/// Why a catalog tree could not be read: the first page that stopped the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogFault {
    /// The caller could not give the page (bad checksum, beyond the end of the file).
    Unreadable {
        /// The page.
        pgno: u32,
    },
    /// The page is all zero.
    Blank {
        /// The page.
        pgno: u32,
    },
    /// The page belongs to another tree.
    WrongObjid {
        /// The page.
        pgno: u32,
        /// The `objidFDP` it carries.
        objid_fdp: u32,
    },
    /// A page or a record on it does not parse.
    Malformed {
        /// The page.
        pgno: u32,
        /// The structure and field that do not fit.
        error: FormatError,
    },
    /// A page reached a second time: the tree has a cycle or shares a page.
    Cycle {
        /// The page reached again.
        pgno: u32,
    },
    /// The tree is deeper than [`MAX_TREE_DEPTH`].
    TooDeep {
        /// The first page below the limit.
        pgno: u32,
    },
}

impl CatalogFault {
    /// The page the fault is about.
    pub fn pgno(&self) -> u32 {
        match self {
            CatalogFault::Unreadable { pgno }
            | CatalogFault::Blank { pgno }
            | CatalogFault::WrongObjid { pgno, .. }
            | CatalogFault::Malformed { pgno, .. }
            | CatalogFault::Cycle { pgno }
            | CatalogFault::TooDeep { pgno } => *pgno,
        }
    }
}

impl fmt::Display for CatalogFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogFault::Unreadable { pgno } => write!(f, "page {pgno} cannot be read"),
            CatalogFault::Blank { pgno } => write!(f, "page {pgno} is all zero"),
            CatalogFault::WrongObjid { pgno, objid_fdp } => {
                write!(f, "page {pgno} belongs to objid {objid_fdp}")
            }
            CatalogFault::Malformed { pgno, error } => write!(f, "page {pgno}: {error}"),
            CatalogFault::Cycle { pgno } => write!(f, "page {pgno} is reached twice"),
            CatalogFault::TooDeep { pgno } => {
                write!(f, "page {pgno} lies deeper than {MAX_TREE_DEPTH} levels")
            }
        }
    }
}

/// Neither MSysObjects nor its shadow could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// Why MSysObjects could not be read.
    pub primary: CatalogFault,
    /// Why MSysObjectsShadow could not be read.
    pub shadow: CatalogFault,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the catalog cannot be read: MSysObjects: {}; MSysObjectsShadow: {}",
            self.primary, self.shadow
        )
    }
}

impl std::error::Error for CatalogError {}

/// What an objid of the catalog's map is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A table (its primary index shares its tree and objid).
    Table,
    /// A secondary index: a tree of its own.
    Index,
    /// The table's long-value tree.
    LongValues,
}

/// One tree the catalog names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogObject {
    /// The objid of the table it belongs to.
    pub objid_table: u32,
    /// The table's name.
    pub table: String,
    /// What the tree is.
    pub kind: ObjectKind,
    /// The row's own name (the table's, the index's; long-value rows carry the name the engine
    /// gives them).
    pub name: String,
    /// `pgnoFDP`: the tree's root page.
    pub pgno_fdp: u32,
}

/// The catalog as read: its rows in key order, the deleted nodes that were skipped, and where it
/// came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// The copy the rows come from.
    pub source: CatalogSource,
    /// Why MSysObjects was not used, when the rows come from the shadow.
    pub primary_fault: Option<CatalogFault>,
    /// Every row of the catalog (live nodes), in the tree's key order.
    pub rows: Vec<CatalogRow>,
    /// Nodes flagged deleted, read as rows where they parse: not part of the catalog, listed
    /// because other readers (dissect.esedb) show them.
    pub deleted: Vec<CatalogRow>,
    /// Pages of the tree the walk read.
    pub pages: Vec<u32>,
}

/// Two catalog rows that name one tree (C3, repair.cxx:2919–3130): the same objid, or the same
/// root page, for two trees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateTree {
    /// The objid the second row names.
    pub objid: u32,
    /// Its root page.
    pub pgno_fdp: u32,
    /// The objid of the first row naming the same objid or root page.
    pub first_objid: u32,
    /// Its table's objid.
    pub objid_table: u32,
}

impl Catalog {
    /// The rows that name a tree another row names already (C3): an objid or a root page used
    /// twice. [`objects`](Self::objects) keeps the last of them.
    pub fn duplicate_trees(&self) -> Vec<DuplicateTree> {
        let mut by_objid: BTreeMap<u32, u32> = BTreeMap::new();
        let mut by_root: BTreeMap<u32, u32> = BTreeMap::new();
        let mut out = Vec::new();
        for row in &self.rows {
            let tree = match row.sysobj {
                SysObj::Table => true,
                SysObj::Index | SysObj::LongValue => row.id != row.objid_table,
                _ => false,
            };
            if !tree {
                continue;
            }
            let first = by_objid
                .insert(row.id, row.id)
                .or_else(|| by_root.get(&row.coltyp_or_pgno_fdp).copied());
            by_root.entry(row.coltyp_or_pgno_fdp).or_insert(row.id);
            if let Some(first_objid) = first {
                out.push(DuplicateTree {
                    objid: row.id,
                    pgno_fdp: row.coltyp_or_pgno_fdp,
                    first_objid,
                    objid_table: row.objid_table,
                });
            }
        }
        out
    }

    /// objid → the tree it names: every table, secondary index and long-value tree. A primary
    /// index (Id = the table's objid) shares its table's tree and does not replace it.
    pub fn objects(&self) -> BTreeMap<u32, CatalogObject> {
        let mut tables: BTreeMap<u32, String> = BTreeMap::new();
        for row in self.rows.iter().filter(|r| r.sysobj == SysObj::Table) {
            tables.insert(row.objid_table, row.name.clone().unwrap_or_default());
        }
        let mut out = BTreeMap::new();
        for row in &self.rows {
            let kind = match row.sysobj {
                SysObj::Table => ObjectKind::Table,
                SysObj::Index => ObjectKind::Index,
                SysObj::LongValue => ObjectKind::LongValues,
                _ => continue,
            };
            if kind != ObjectKind::Table && row.id == row.objid_table {
                continue;
            }
            out.insert(
                row.id,
                CatalogObject {
                    objid_table: row.objid_table,
                    table: tables.get(&row.objid_table).cloned().unwrap_or_default(),
                    kind,
                    name: row.name.clone().unwrap_or_default(),
                    pgno_fdp: row.coltyp_or_pgno_fdp,
                },
            );
        }
        out
    }
}

/// Reads the catalog: MSysObjects from its root page 4, or, when a page of that tree is
/// unreadable, blank, another tree's or malformed, MSysObjectsShadow from page 24. `page(pgno)`
/// gives a page's bytes, or `None` when the caller knows the page cannot be trusted (a checksum
/// that fails, a page beyond the end of the file).
pub fn read_catalog<'a, F>(page: F) -> Result<Catalog, CatalogError>
where
    F: Fn(u32) -> Option<&'a [u8]>,
{
    match walk_catalog_tree(&page, PGNO_FDP_MSO, OBJID_FDP_MSO) {
        Ok((rows, deleted, pages)) => Ok(Catalog {
            source: CatalogSource::MSysObjects,
            primary_fault: None,
            rows,
            deleted,
            pages,
        }),
        Err(primary) => match walk_catalog_tree(&page, PGNO_FDP_MSO_SHADOW, OBJID_FDP_MSO_SHADOW) {
            Ok((rows, deleted, pages)) => Ok(Catalog {
                source: CatalogSource::MSysObjectsShadow,
                primary_fault: Some(primary),
                rows,
                deleted,
                pages,
            }),
            Err(shadow) => Err(CatalogError { primary, shadow }),
        },
    }
}

type Walked = (Vec<CatalogRow>, Vec<CatalogRow>, Vec<u32>);

/// Walks one catalog tree from `root` depth-first in key order: internal nodes' data is the child
/// page number, leaf nodes' data a record. Every page must carry `objid`; a page reached twice or
/// deeper than [`MAX_TREE_DEPTH`] ends the walk, so a hostile tree cannot loop.
pub fn walk_catalog_tree<'a, F>(page: &F, root: u32, objid: u32) -> Result<Walked, CatalogFault>
where
    F: Fn(u32) -> Option<&'a [u8]>,
{
    let (mut rows, mut deleted, mut pages) = (Vec::new(), Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((pgno, depth)) = stack.pop() {
        if depth > MAX_TREE_DEPTH {
            return Err(CatalogFault::TooDeep { pgno });
        }
        if !seen.insert(pgno) {
            return Err(CatalogFault::Cycle { pgno });
        }
        let bytes = page(pgno).ok_or(CatalogFault::Unreadable { pgno })?;
        if bytes.iter().all(|&b| b == 0) {
            return Err(CatalogFault::Blank { pgno });
        }
        let malformed = |error| CatalogFault::Malformed { pgno, error };
        let p = NodePage::parse(bytes).map_err(malformed)?;
        if p.objid_fdp != objid {
            return Err(CatalogFault::WrongObjid {
                pgno,
                objid_fdp: p.objid_fdp,
            });
        }
        pages.push(pgno);
        let mut children = Vec::new();
        for node in p.nodes() {
            let node = node.map_err(malformed)?;
            if p.is_leaf() {
                if node.is_deleted() {
                    // A deleted node's bytes may be half-rewritten; what parses is listed.
                    deleted.extend(CatalogRow::parse(node.data).ok());
                } else {
                    rows.push(CatalogRow::parse(node.data).map_err(malformed)?);
                }
            } else {
                let child = Reader::new(node.data, "internal node")
                    .u32(0, "pgnoChild")
                    .map_err(malformed)?;
                children.push((child, depth + 1));
            }
        }
        // Popped last-in first-out: push the highest key first so the lowest is walked next.
        stack.extend(children.into_iter().rev());
    }
    Ok((rows, deleted, pages))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::node::node_flags;
    use crate::format::node::tests::{build_page, node_bytes};
    use crate::format::page::flags;

    /// A catalog record: RECHDR, the 13 fixed columns (`fixed_last` of them stored), the null
    /// bitmap, the Name offset and bytes.
    fn record(fixed_last: u8, vals: [u64; 13], name: Option<&[u8]>) -> Vec<u8> {
        let mut fixed = Vec::new();
        for (i, &size) in MSO_FIXED_SIZES.iter().enumerate().take(usize::from(fixed_last)) {
            fixed.extend_from_slice(&vals[i].to_le_bytes()[..size]);
        }
        let bitmap = vec![0u8; usize::from(fixed_last).div_ceil(8)];
        let ib_end = (RECHDR_LEN + fixed.len() + bitmap.len()) as u16;
        let mut r = vec![fixed_last, if name.is_some() { 128 } else { 127 }];
        r.extend_from_slice(&ib_end.to_le_bytes());
        r.extend_from_slice(&fixed);
        r.extend_from_slice(&bitmap);
        if let Some(n) = name {
            r.extend_from_slice(&(n.len() as u16).to_le_bytes());
            r.extend_from_slice(n);
        }
        r
    }

    fn table_row(objid: u32, pgno: u32, name: &str) -> Vec<u8> {
        record(
            8,
            [
                u64::from(objid),
                1,
                u64::from(objid),
                u64::from(pgno),
                80,
                0,
                1,
                0xFF,
                0,
                0,
                0,
                0,
                0,
            ],
            Some(name.as_bytes()),
        )
    }

    #[test]
    fn reads_a_table_row_with_eight_fixed_columns() {
        let r = CatalogRow::parse(&table_row(2, 4, "MSysObjects")).unwrap();
        assert_eq!(
            r.header,
            RecordHeader {
                fid_fixed_last_in_rec: 8,
                fid_var_last_in_rec: 128,
                ib_end_of_fixed_data: 32
            }
        );
        assert_eq!(
            (r.objid_table, r.sysobj, r.id, r.coltyp_or_pgno_fdp),
            (2, SysObj::Table, 2, 4)
        );
        assert_eq!((r.root_flag, r.record_offset, r.lv_chunk_max), (Some(0xFF), None, None));
        assert_eq!(r.name.as_deref(), Some("MSysObjects"));
    }

    #[test]
    fn null_columns_are_none_and_required_ones_are_errors() {
        let mut rec = table_row(2, 4, "T");
        // Null bitmap at ibEndOfFixedData - 1: set SpaceUsage (fid 5) NULL.
        rec[31] |= 1 << 4;
        assert_eq!(CatalogRow::parse(&rec).unwrap().space_usage, None);
        rec[31] |= 1 << 2; // Id NULL
        assert_eq!(CatalogRow::parse(&rec).unwrap_err().field, "Id");
        // A record of 3 fixed columns lacks ColtypOrPgnoFDP.
        let short = record(3, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], None);
        assert_eq!(CatalogRow::parse(&short).unwrap_err().field, "ColtypOrPgnoFDP");
        // A NULL name.
        let mut rec = table_row(2, 4, "T");
        rec[32] = 0;
        rec[33] = 0x80;
        assert_eq!(CatalogRow::parse(&rec).unwrap().name, None);
    }

    #[test]
    fn hostile_records_are_errors() {
        let rec = table_row(2, 4, "Name");
        for len in 0..rec.len() {
            assert!(CatalogRow::parse(&rec[..len]).is_err(), "cut at {len}");
        }
        let mut bad = rec.clone();
        bad[2] = 2; // ibEndOfFixedData inside RECHDR
        assert_eq!(CatalogRow::parse(&bad).unwrap_err().field, "ibEndOfFixedData");
        let mut bad = rec.clone();
        bad[0] = 200; // more fixed columns than fit before the bitmap
        assert!(CatalogRow::parse(&bad).is_err());
        let mut bad = rec;
        bad[32] = 0x7F; // Name longer than the record
        assert_eq!(CatalogRow::parse(&bad).unwrap_err().field, "Name");
    }

    /// Pages keyed by number, served as the reader's closure.
    struct Pages(BTreeMap<u32, Vec<u8>>);

    impl Pages {
        fn get(&self, pgno: u32) -> Option<&[u8]> {
            self.0.get(&pgno).map(Vec::as_slice)
        }
    }

    fn leaf(objid: u32, root: bool, rows: &[(Vec<u8>, u16)]) -> Vec<u8> {
        let nodes: Vec<(Vec<u8>, u16)> = rows.iter().map(|(r, f)| (node_bytes(None, b"k", r), *f)).collect();
        let mut values: Vec<(&[u8], u16)> = vec![(&[0u8; 16], 0)];
        values.extend(nodes.iter().map(|(n, f)| (n.as_slice(), *f)));
        let f = flags::LEAF | if root { flags::ROOT } else { 0 };
        build_page(4096, objid, f, &values)
    }

    fn internal(objid: u32, root: bool, children: &[u32]) -> Vec<u8> {
        let nodes: Vec<Vec<u8>> = children
            .iter()
            .map(|c| node_bytes(None, b"k", &c.to_le_bytes()))
            .collect();
        let mut values: Vec<(&[u8], u16)> = vec![(&[0u8; 16], 0)];
        values.extend(nodes.iter().map(|n| (n.as_slice(), 0)));
        build_page(4096, objid, if root { flags::ROOT } else { 0 }, &values)
    }

    fn two_level(objid: u32, root: u32, leaves: [u32; 2]) -> Vec<(u32, Vec<u8>)> {
        vec![
            (root, internal(objid, true, &leaves)),
            (
                leaves[0],
                leaf(
                    objid,
                    false,
                    &[
                        (table_row(2, 4, "MSysObjects"), 0),
                        (table_row(9, 40, "Gone"), node_flags::DELETED),
                    ],
                ),
            ),
            (
                leaves[1],
                leaf(objid, false, &[(table_row(12, 50, "Data"), node_flags::VERSION)]),
            ),
        ]
    }

    fn pages(list: Vec<(u32, Vec<u8>)>) -> Pages {
        Pages(list.into_iter().collect())
    }

    #[test]
    fn walks_internal_pages_to_the_leaves_in_key_order_without_deleted_nodes() {
        let mut all = two_level(OBJID_FDP_MSO, 4, [14, 15]);
        all.extend(two_level(OBJID_FDP_MSO_SHADOW, 24, [34, 35]));
        let p = pages(all);
        let c = read_catalog(|n| p.get(n)).unwrap();
        assert_eq!(c.source, CatalogSource::MSysObjects);
        let names: Vec<_> = c.rows.iter().map(|r| r.name.clone().unwrap()).collect();
        assert_eq!(names, ["MSysObjects", "Data"]);
        assert_eq!(c.deleted.len(), 1);
        assert_eq!(c.pages, [4, 14, 15]);
        let o = c.objects();
        assert_eq!(o[&12].pgno_fdp, 50);
        assert_eq!(o[&12].kind, ObjectKind::Table);
        assert!(!o.contains_key(&9));
    }

    #[test]
    fn a_bad_blank_or_foreign_catalog_page_falls_back_to_the_shadow() {
        let shadow = two_level(OBJID_FDP_MSO_SHADOW, 24, [34, 35]);
        for damage in 0..4 {
            let mut all = two_level(OBJID_FDP_MSO, 4, [14, 15]);
            all.extend(shadow.clone());
            match damage {
                0 => all.retain(|(n, _)| *n != 15),
                1 => all[2].1.fill(0),
                2 => all[2].1[24] = 7,
                _ => all[0].1[34] = 0xFF, // itagMicFree beyond the page
            }
            let p = pages(all);
            let c = read_catalog(|n| p.get(n)).unwrap();
            assert_eq!(c.source, CatalogSource::MSysObjectsShadow, "damage {damage}");
            assert_eq!(c.rows.len(), 2);
            let fault = c.primary_fault.unwrap();
            assert_eq!(fault.pgno(), if damage == 3 { 4 } else { 15 }, "{fault}");
        }
    }

    #[test]
    fn both_catalogs_unreadable_is_an_error() {
        let p = pages(
            two_level(OBJID_FDP_MSO, 4, [14, 15])
                .into_iter()
                .filter(|(n, _)| *n != 14)
                .collect(),
        );
        let e = read_catalog(|n| p.get(n)).unwrap_err();
        assert_eq!(e.primary, CatalogFault::Unreadable { pgno: 14 });
        assert_eq!(e.shadow, CatalogFault::Unreadable { pgno: 24 });
        assert!(e.to_string().contains("MSysObjectsShadow: page 24 cannot be read"));
    }

    #[test]
    fn a_cycle_ends_the_walk() {
        // Page 14 points back at the root; page 15 points at itself.
        for (a, b) in [(4u32, 15u32), (14, 15), (15, 15)] {
            let p = pages(vec![
                (4, internal(OBJID_FDP_MSO, true, &[14, 15])),
                (14, internal(OBJID_FDP_MSO, false, &[a])),
                (15, internal(OBJID_FDP_MSO, false, &[b])),
            ]);
            let e = walk_catalog_tree(&|n| p.get(n), 4, OBJID_FDP_MSO).unwrap_err();
            assert!(matches!(e, CatalogFault::Cycle { .. }), "{e}");
        }
    }

    #[test]
    fn a_deep_chain_ends_the_walk() {
        // 4 → 100 → 101 → … each an internal page with one child: deeper than any real tree.
        // Page 100 + k lies at depth k + 1.
        let mut list = vec![(4, internal(OBJID_FDP_MSO, true, &[100]))];
        for n in 100..200 {
            list.push((n, internal(OBJID_FDP_MSO, false, &[n + 1])));
        }
        let p = pages(list);
        let e = walk_catalog_tree(&|n| p.get(n), 4, OBJID_FDP_MSO).unwrap_err();
        assert_eq!(
            e,
            CatalogFault::TooDeep {
                pgno: 100 + MAX_TREE_DEPTH as u32
            }
        );
    }

    #[test]
    fn an_internal_node_without_a_page_number_is_malformed() {
        let nodes = [node_bytes(None, b"k", &[1, 2])];
        let page = build_page(4096, OBJID_FDP_MSO, flags::ROOT, &[(&[0u8; 16], 0), (&nodes[0], 0)]);
        let p = pages(vec![(4, page)]);
        let e = walk_catalog_tree(&|n| p.get(n), 4, OBJID_FDP_MSO).unwrap_err();
        assert!(
            matches!(e, CatalogFault::Malformed { pgno: 4, ref error } if error.field == "pgnoChild"),
            "{e}"
        );
    }
}
