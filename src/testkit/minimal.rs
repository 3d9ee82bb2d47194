//! The minimal valid database [`DbBuilder`](super::DbBuilder) writes by default: the structure
//! every database ESE creates has at fixed page numbers, then one user table whose data tree
//! fills the rest of the file.
//!
//! Each system page mirrors the same page of two real 4 KiB databases created by Windows:
//! `testdata/museum-srum-server2022-aptsimulator/snapshot1/SRU/SRUDB.dat` (46 pages) and
//! `../shared/corpus/dissect-esedb-generated/basic.edb` (254 pages), which agree on pages 1–28
//! but for dbtimes and flush types. `tests/testkit.rs` compares them field by field.
//!
//! | page | holds | objid | flags (without format bits) | mirrors |
//! |---|---|---|---|---|
//! | 1 | database root, space header (cpgPrimary = pages, OE at 2) | 1 | root, leaf | page 1 |
//! | 2 | its owned-space tree: one extent, every page | 1 | root, leaf, space | page 2 |
//! | 3 | its available-space tree: pages 29–30 | 1 | root, leaf, space | page 3 |
//! | 4 | MSysObjects root (internal), space header: 20 pages from 4, OE at 5 | 2 | root, parent of leaf | page 4 |
//! | 5, 6 | the catalog's OE (4–23) and AE (19–23) | 2 | root, leaf, space | pages 5, 6 |
//! | 7 | index Name root (internal), OE at 8 | 4 | root, parent of leaf, index | page 7 |
//! | 8, 9 | its OE (7–9, 15–18) and AE (16–18) | 4 | root, leaf, space, index | pages 8, 9 |
//! | 10 | index RootObjects (a root leaf: one entry per table), OE at 11 | 5 | root, leaf, index | page 10 |
//! | 11, 12 | its OE (10–12) and an empty AE | 5 | root, leaf, space, index | pages 11, 12 |
//! | 13, 14 | the catalog's leaves (its rows in key order) | 2 | leaf | pages 13, 14 |
//! | 15 | index Name's leaf | 4 | leaf, index | page 15 |
//! | 16–23 | free (all zero) | | | pages 16–23 |
//! | 24 | MSysObjectsShadow root (internal), 5 pages from 24, OE at 25 | 3 | root, parent of leaf | page 24 |
//! | 25, 26 | its OE (24–28) and AE (one deleted node, as in both real files) | 3 | root, leaf, space | pages 25, 26 |
//! | 27, 28 | the shadow's leaves (the same rows) | 3 | leaf | pages 27, 28 |
//! | 29, 30 | free (the real files keep MSysObjids and MSysLocales here) | | | |
//! | 31 | table `Records` (objid 8) root, multiple extents, OE at 32 | 8 | root (+ leaf or parent of leaf) | SRUDB.dat page 31 |
//! | 32, 33 | its OE (31–last page) and AE (pages no tree needed) | 8 | root, leaf, space | SRUDB.dat pages 32, 33 |
//! | 34… | its data leaves, then its internal pages level by level | 8 | leaf / parent of leaf / internal | |
//!
//! The catalog rows are those of the real files for MSysObjects (objid 2) and MSysObjectsShadow
//! (objid 3), byte for byte, plus the table, its two columns and its primary index, in the
//! layout basic.edb uses for its own table. MSysObjids and MSysLocales are left out (the engine
//! creates them lazily and reads on without them), so objids 6 and 7 are unused.
//!
//! With [`DbBuilder::tables`](super::DbBuilder::tables), up to [`MAX_TABLES`] tables (objids 8,
//! 9, …, named `Records`, `Records1`, …) share the pages from 31 in extents handed out in turn:
//! each table's root, OE and AE are the first three pages of its first extent, its OE lists its
//! extents, its AE the pages it has not used; its leaf chain and internal pages cross its
//! extents. [`TableSpec`] says where each is (the benchmark database, issue 22 "Measured").
//!
//! Differences from the real pages, all allowed by the format: nodes are not prefix-compressed and
//! carry no versioned flag, tag 0 of a non-root leaf is empty, pages are laid out in tag order,
//! dbtimes follow the builder's rule, and only page 2 carries a flush type (0x8000, as on the
//! real page 2s); every other page has flush type 0, so flush-map fixtures choose their own.
//! With 2 KiB pages the catalog needs more leaves: they come from its free pages 19–23, the
//! Name index's 16–18 and, for the shadow, pages 29–30.

use super::{put_u16, put_u32, Rng};
use crate::format::page::{LARGE_PAGE_MIN, PGHDR2_PGNO_OFFSET};
use std::collections::BTreeMap;

/// Page flag: root of a tree.
pub const PF_ROOT: u32 = 0x1;
/// Page flag: leaf.
pub const PF_LEAF: u32 = 0x2;
/// Page flag: parent of leaf pages.
pub const PF_PARENT_OF_LEAF: u32 = 0x4;
/// Page flag: space tree.
pub const PF_SPACE: u32 = 0x20;
/// Page flag: index tree.
pub const PF_INDEX: u32 = 0x40;
/// Page flag: new record format (every page ESE 5.5 and later writes).
pub const PF_NEW_RECORD_FORMAT: u32 = 0x800;

/// objid of the user table the default database carries.
pub const TABLE_OBJID: u32 = 8;
/// Its name in the catalog.
pub const TABLE_NAME: &str = "Records";
/// Its root page (pgnoFDP), as the first user table of the real files.
pub const TABLE_ROOT: u32 = 31;
/// The first page of its data tree (after its OE at 32 and AE at 33).
pub const TABLE_FIRST_LEAF: u32 = 34;
/// Bytes of the binary column `Data` of every record.
pub const RECORD_DATA_LEN: usize = 96;

/// A node: flags (0x2 deleted), key, data.
type Node = (u8, Vec<u8>, Vec<u8>);

/// The pages of the minimal database, before the format flag, sealing and the caller's fill.
pub(crate) struct Layout {
    page_size: usize,
    pages: u32,
    system: BTreeMap<u32, Vec<u8>>,
    geometry: Geometry,
    tables: Vec<TableShape>,
}

/// Where the user tables' pages are: pages [`TABLE_ROOT`]`..=last` cut into extents of `extent`
/// pages (the last one shorter), handed to the `tables` tables in turn (extent `j` to table
/// `j % tables`). A table's pages, in the order of its extents, are its index space: index 0 is
/// its root, 1 its OE, 2 its AE, then its data leaves, then its internal levels.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    tables: u32,
    extent: u64,
    last: u32,
}

impl Geometry {
    /// The page at index `idx` of table `k` (it may lie past the end of the file).
    fn pgno(&self, k: u32, idx: u64) -> u64 {
        let chunk = idx / self.extent * u64::from(self.tables) + u64::from(k);
        u64::from(TABLE_ROOT) + chunk * self.extent + idx % self.extent
    }

    /// The table and index of page `pgno`, `None` before the tables' pages or past the file.
    fn locate(&self, pgno: u32) -> Option<(u32, u64)> {
        if pgno < TABLE_ROOT || pgno > self.last {
            return None;
        }
        let d = u64::from(pgno - TABLE_ROOT);
        let chunk = d / self.extent;
        let k = (chunk % u64::from(self.tables)) as u32;
        Some((k, chunk / u64::from(self.tables) * self.extent + d % self.extent))
    }

    /// The extents of table `k`, (last page, page count), ascending.
    fn extents(&self, k: u32) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut chunk = u64::from(k);
        loop {
            let first = u64::from(TABLE_ROOT) + chunk * self.extent;
            if first > u64::from(self.last) {
                return out;
            }
            let last = (first + self.extent - 1).min(u64::from(self.last));
            out.push((last as u32, (last - first + 1) as u32));
            chunk += u64::from(self.tables);
        }
    }
}

/// Where one user table's pages are, as indices of its index space ([`Geometry`]): its
/// `leaves` data leaves from index 3, then each internal level (`levels[0]` pages of parents of
/// leaves, …); the root (index 0) holds the top level.
#[derive(Debug, Clone)]
struct TableShape {
    k: u32,
    objid: u32,
    owned: u32,
    leaves: u32,
    levels: Vec<u32>,
    per_leaf: u32,
    fanout: u32,
    geometry: Geometry,
}

/// The most user tables a layout holds: their catalog rows must fit the catalog's pages with
/// 2 KiB pages too.
pub const MAX_TABLES: u32 = 8;

/// Index of a table's first data leaf in its index space (after its root, OE and AE).
const FIRST_LEAF_INDEX: u32 = TABLE_FIRST_LEAF - TABLE_ROOT;

/// One user table of a database the builder writes, as laid out: what a reader must find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// Its objid ([`TABLE_OBJID`] for the first, then one more each).
    pub objid: u32,
    /// Its name ([`TABLE_NAME`] for the first, then `Records1`, `Records2`, …).
    pub name: String,
    /// Its root page (pgnoFDP): the first page of its first extent.
    pub pgno_fdp: u32,
    /// Its OE tree's root page (its AE's is the next).
    pub pgno_oe: u32,
    /// Its owned extents, (last page, page count), ascending; its OE lists them.
    pub extents: Vec<(u32, u32)>,
    /// Pages it owns.
    pub pages_owned: u32,
    /// Pages of its data tree: the root, the internal pages and the leaves.
    pub tree_pages: u32,
    /// Of them, data leaves (a root that is a leaf counts as one).
    pub leaves: u32,
    /// Of them, internal pages other than the root.
    pub internal_pages: u32,
    /// Levels of the data tree (1 = a root that is a leaf).
    pub levels: u32,
    /// Its records (ids 1 to `records`, [`RECORD_DATA_LEN`] bytes of data each).
    pub records: u64,
    /// Pages it owns and has not used: its AE lists them.
    pub free_pages: u32,
}

impl Layout {
    /// The layout of a database of `pages` pages of `page_size` bytes (fewer than 34 pages give
    /// the first pages of one, as a cut copy would) with one user table.
    #[cfg(test)]
    pub(crate) fn new(page_size: usize, pages: u32) -> Self {
        Self::with_tables(page_size, pages, 1, u32::MAX)
    }

    /// The layout with `tables` user tables sharing the pages from [`TABLE_ROOT`] in extents of
    /// `extent` pages ([`Geometry`]).
    ///
    /// # Panics
    /// If `tables` is 0 or above [`MAX_TABLES`], or, with more than one table, if `extent` is
    /// below 4 or a table gets fewer than 4 pages (its root, OE, AE and a leaf) or more extents
    /// than one OE page holds.
    pub(crate) fn with_tables(page_size: usize, pages: u32, tables: u32, extent: u32) -> Self {
        assert!((1..=MAX_TABLES).contains(&tables), "{tables} tables");
        let geometry = Geometry {
            tables,
            extent: u64::from(extent.max(1)),
            last: pages,
        };
        let hdr = if page_size >= LARGE_PAGE_MIN { 80 } else { 40 };
        let oe_room = (page_size - hdr - 4 - 16) / 14;
        let shapes = (0..tables)
            .map(|k| {
                let extents = geometry.extents(k);
                let owned: u32 = extents.iter().map(|e| e.1).sum();
                if tables > 1 {
                    assert!(
                        extent >= 4 && owned >= 4,
                        "table {k}: {owned} pages in extents of {extent}"
                    );
                    assert!(
                        extents.len() <= oe_room,
                        "table {k}: {} extents, one OE page holds {oe_room}",
                        extents.len()
                    );
                }
                TableShape::new(page_size, k, owned, geometry)
            })
            .collect();
        let mut l = Layout {
            page_size,
            pages,
            system: BTreeMap::new(),
            geometry,
            tables: shapes,
        };
        l.build_system();
        l
    }

    /// The user tables as laid out.
    pub(crate) fn tables(&self) -> Vec<TableSpec> {
        self.tables.iter().map(|t| t.spec()).collect()
    }

    fn hdr(&self) -> usize {
        if self.page_size >= LARGE_PAGE_MIN {
            80
        } else {
            40
        }
    }

    /// Lays out page `pgno` (its flags without the checksum-format bit) into `page`, which is
    /// all zero. Returns false for a page left all zero (free).
    pub(crate) fn page(&self, pgno: u32, page: &mut [u8], format_flags: u32) -> bool {
        if let Some(p) = self.system.get(&pgno) {
            page.copy_from_slice(p);
        } else if !self.table_page(pgno, page) {
            return false;
        }
        let flags = u32::from_le_bytes(page[36..40].try_into().unwrap_or([0; 4]));
        put_u32(page, 36, flags | format_flags);
        if self.page_size >= LARGE_PAGE_MIN {
            put_u32(page, PGHDR2_PGNO_OFFSET, pgno);
        }
        true
    }

    fn put(&mut self, pgno: u32, spec: PageSpec) {
        if pgno > self.pages {
            return;
        }
        let mut p = vec![0u8; self.page_size];
        spec.write(&mut p, self.hdr());
        self.system.insert(pgno, p);
    }

    /// Packs `nodes` into leaves taken from `pages`, returning (pgno, nodes) per leaf; at least
    /// `min_leaves` of them (the nodes shared evenly) when they would fit in fewer.
    fn pack(&self, nodes: Vec<Node>, pages: &[u32], tag0: usize, min_leaves: usize) -> Vec<(u32, Vec<Node>)> {
        let count = nodes.len();
        let packed = self.pack_greedy(nodes, pages, tag0);
        if packed.len() >= min_leaves || count < min_leaves {
            return packed;
        }
        let per = count.div_ceil(min_leaves);
        let all: Vec<Node> = packed.into_iter().flat_map(|l| l.1).collect();
        all.chunks(per)
            .zip(pages)
            .map(|(c, &pgno)| (pgno, c.to_vec()))
            .collect()
    }

    /// Packs `nodes` into as few leaves taken from `pages` as hold them.
    fn pack_greedy(&self, nodes: Vec<Node>, pages: &[u32], tag0: usize) -> Vec<(u32, Vec<Node>)> {
        let room = self.page_size - self.hdr() - tag0 - 4;
        let mut out: Vec<(u32, Vec<Node>)> = Vec::new();
        let mut used = room + 1;
        for n in nodes {
            let size = node_len(&n) + 4;
            if used + size > room {
                let pgno = *pages
                    .get(out.len())
                    .expect("the minimal database's pages hold its catalog");
                out.push((pgno, Vec::new()));
                used = 0;
            }
            used += size;
            if let Some(last) = out.last_mut() {
                last.1.push(n);
            }
        }
        out
    }

    /// A B-tree: root at `root` (with `space` as its external header) over `leaves`.
    fn tree(&mut self, objid: u32, root: u32, space: [u32; 4], extra: u32, leaves: &[(u32, Vec<Node>)]) {
        let space_bytes = space_header(space);
        let mut seps = Vec::new();
        for (i, (pgno, _)) in leaves.iter().enumerate() {
            let key = leaves.get(i + 1).map(|l| l.1[0].1.clone()).unwrap_or_default();
            seps.push((0u8, key, pgno.to_le_bytes().to_vec()));
        }
        self.put(
            root,
            PageSpec::new(objid, PF_ROOT | PF_PARENT_OF_LEAF | extra, space_bytes, seps),
        );
        for (i, (pgno, nodes)) in leaves.iter().enumerate() {
            let prev = if i > 0 { leaves[i - 1].0 } else { 0 };
            let next = leaves.get(i + 1).map_or(0, |l| l.0);
            let mut spec = PageSpec::new(objid, PF_LEAF | extra, Vec::new(), nodes.clone());
            spec.prev = prev;
            spec.next = next;
            self.put(*pgno, spec);
        }
    }

    /// A space-tree root (OE or AE) of `objid` listing `extents` (last page, count, node flags).
    fn space_tree(&mut self, pgno: u32, objid: u32, extra: u32, extents: &[(u32, u32, u8)]) {
        let nodes = extents
            .iter()
            .map(|&(last, count, fl)| (fl, last.to_be_bytes().to_vec(), count.to_le_bytes().to_vec()))
            .collect();
        self.put(
            pgno,
            PageSpec::new(objid, PF_ROOT | PF_LEAF | PF_SPACE | extra, vec![0; 16], nodes),
        );
    }

    fn build_system(&mut self) {
        let n = self.pages;
        let rows = catalog_rows(&self.tables());
        let primary: Vec<Node> = rows.iter().map(|r| (0, r.key(), r.record())).collect();
        let mut names: Vec<Node> = rows.iter().map(|r| (0, r.name_key(), r.key())).collect();
        names.sort_by(|a, b| a.1.cmp(&b.1));
        let mut roots: Vec<Node> = rows
            .iter()
            .filter(|r| r.kind == 1)
            .map(|r| (0, r.root_key(), r.key()))
            .collect();
        roots.sort_by(|a, b| a.1.cmp(&b.1));

        // The catalog and its shadow keep their two leaves (13–14, 27–28) at every page size:
        // their space trees own those pages and do not list them as free, so a leaf left out
        // would be a page in use that no tree reaches.
        let cat_leaves = self.pack(primary.clone(), &[13, 14, 19, 20, 21, 22, 23], 0, 2);
        let name_leaves = self.pack(names, &[15, 16, 17, 18], 0, 1);
        // The shadow holds the same rows, as in both real files.
        let shadow_leaves = self.pack(primary, &[27, 28, 29, 30], 0, 2);

        // Page 1: the database root. Space header: cpgPrimary = the pages of the file, parent 0,
        // multiple extents, OE at 2 (both real files: cpgPrimary = their page count).
        self.put(
            1,
            PageSpec::new(1, PF_ROOT | PF_LEAF, space_header([n, 0, 1, 2]), Vec::new()),
        );
        // Page 2: one extent, every page (the flush type 0x8000 of the real page 2s).
        let oe = PageSpec::new(
            1,
            PF_ROOT | PF_LEAF | PF_SPACE | 0x8000,
            vec![0; 16],
            vec![(0, n.to_be_bytes().to_vec(), n.to_le_bytes().to_vec())],
        );
        self.put(2, oe);
        // Page 3: what the root has not handed out: pages 29–30 unless the shadow took them, and
        // the pages past a table too small to reach them.
        let shadow_last = shadow_leaves.last().map_or(28, |l| l.0.max(28));
        let mut root_free = Vec::new();
        if shadow_last < 30 {
            root_free.push((30, 30 - shadow_last, 0));
        }
        self.space_tree(3, 1, 0, &root_free);

        // MSysObjects: objid 2, root 4, 20 pages 4–23, OE 5, AE 6.
        self.tree(2, 4, [20, 1, 1, 5], 0, &cat_leaves);
        self.space_tree(5, 2, 0, &[(23, 20, 0)]);
        let cat_used: Vec<u32> = cat_leaves.iter().map(|l| l.0).collect();
        self.space_tree(6, 2, 0, &runs(19..=23, &cat_used));
        // Index Name: objid 4, root 7, pages 7–9 and 15–18 (the real OE's two extents).
        self.tree(4, 7, [4, 4, 5, 8], PF_INDEX, &name_leaves);
        self.space_tree(8, 4, PF_INDEX, &[(9, 3, 0), (18, 4, 0)]);
        let name_used: Vec<u32> = name_leaves.iter().map(|l| l.0).collect();
        self.space_tree(9, 4, PF_INDEX, &runs(16..=18, &name_used));
        // Index RootObjects: objid 5, a root leaf at 10 holding one entry per table.
        self.put(
            10,
            PageSpec::new(5, PF_ROOT | PF_LEAF | PF_INDEX, space_header([3, 4, 1, 11]), roots),
        );
        self.space_tree(11, 5, PF_INDEX, &[(12, 3, 0)]);
        self.space_tree(12, 5, PF_INDEX, &[]);
        // MSysObjectsShadow: objid 3, root 24, pages 24–28 (more with 2 KiB pages), OE 25, AE 26
        // with the deleted node both real files keep.
        self.tree(3, 24, [5, 1, 1, 25], 0, &shadow_leaves);
        self.space_tree(25, 3, 0, &[(shadow_last, shadow_last - 23, 0)]);
        self.space_tree(26, 3, 0, &[(28, 1, 0x2)]);

        // The user tables: table k (objid 8 + k) has its root at the first page of its first
        // extent, its OE and AE on the next two pages (for the one default table: root 31,
        // OE 32 listing 31–last page, AE 33 the unused tail).
        let tables = self.tables.clone();
        for t in &tables {
            let spec = t.spec();
            if spec.pgno_fdp > n {
                continue;
            }
            let root = self.table_root(t, &spec);
            self.put(spec.pgno_fdp, root);
            let owned: Vec<(u32, u32, u8)> = spec.extents.iter().map(|&(l, c)| (l, c, 0)).collect();
            self.space_tree(spec.pgno_oe, t.objid, 0, &owned);
            let free = t.free_runs();
            self.space_tree(spec.pgno_oe + 1, t.objid, 0, &free);
        }
    }

    /// A user table's root page.
    fn table_root(&self, t: &TableShape, spec: &TableSpec) -> PageSpec {
        let primary = spec.extents.first().map_or(0, |e| e.1);
        let space = space_header([primary, 1, 1, spec.pgno_oe]);
        if t.leaves == 0 {
            return PageSpec::new(t.objid, PF_ROOT | PF_LEAF, space, Vec::new());
        }
        let top = t.levels.len();
        let children = t.count(top);
        let nodes = (0..children).map(|i| t.internal_node(top, i)).collect();
        let flags = if top == 0 { PF_ROOT | PF_PARENT_OF_LEAF } else { PF_ROOT };
        PageSpec::new(t.objid, flags, space, nodes)
    }

    /// Lays out a non-root page of a user table's data tree; false when it is free.
    fn table_page(&self, pgno: u32, page: &mut [u8]) -> bool {
        let Some((k, idx)) = self.geometry.locate(pgno) else {
            return false;
        };
        let t = &self.tables[k as usize];
        let Some(mut i) = idx.checked_sub(u64::from(FIRST_LEAF_INDEX)) else {
            return false;
        };
        if i < u64::from(t.leaves) {
            let i = i as u32;
            let first = u64::from(i) * u64::from(t.per_leaf) + 1;
            let nodes = (0..u64::from(t.per_leaf)).map(|r| record_node(first + r)).collect();
            let mut spec = PageSpec::new(t.objid, PF_LEAF, Vec::new(), nodes);
            spec.prev = if i > 0 { t.pgno_at(0, i - 1) } else { 0 };
            spec.next = if i + 1 < t.leaves { t.pgno_at(0, i + 1) } else { 0 };
            spec.write(page, self.hdr());
            return true;
        }
        i -= u64::from(t.leaves);
        for (level, &count) in t.levels.iter().enumerate() {
            if i < u64::from(count) {
                let children = t.children_of(level, i as u32);
                let nodes = children.map(|c| t.internal_node(level, c)).collect();
                let flags = if level == 0 { PF_PARENT_OF_LEAF } else { 0 };
                PageSpec::new(t.objid, flags, Vec::new(), nodes).write(page, self.hdr());
                return true;
            }
            i -= u64::from(count);
        }
        false
    }
}

impl TableShape {
    /// Table `k`, owning `owned` pages: as many leaves as fit with the internal pages above them.
    fn new(page_size: usize, k: u32, owned: u32, geometry: Geometry) -> Self {
        let hdr = if page_size >= LARGE_PAGE_MIN { 80 } else { 40 };
        let per_leaf = ((page_size - hdr - 4) / (node_len(&record_node(1)) + 4)) as u32;
        // Internal node: key length u16, 5-byte key, 4-byte child, 4-byte tag; the root also
        // keeps its 16-byte space header in tag 0.
        let fanout = ((page_size - hdr - 4 - 16) / 15) as u32;
        let room = owned.saturating_sub(FIRST_LEAF_INDEX);
        let levels_for = |leaves: u32| {
            let mut levels = Vec::new();
            let mut n = leaves;
            while n > fanout {
                n = n.div_ceil(fanout);
                levels.push(n);
            }
            levels
        };
        let mut leaves = room;
        while leaves > 0 && leaves + levels_for(leaves).iter().sum::<u32>() > room {
            leaves -= 1;
        }
        TableShape {
            k,
            objid: TABLE_OBJID + k,
            owned,
            leaves,
            levels: levels_for(leaves),
            per_leaf,
            fanout,
            geometry,
        }
    }

    /// What the table is, as laid out.
    fn spec(&self) -> TableSpec {
        let internal: u32 = self.levels.iter().sum();
        let used = FIRST_LEAF_INDEX + self.leaves + internal;
        TableSpec {
            objid: self.objid,
            name: if self.k == 0 {
                TABLE_NAME.to_string()
            } else {
                format!("{TABLE_NAME}{}", self.k)
            },
            pgno_fdp: self.geometry.pgno(self.k, 0) as u32,
            pgno_oe: self.geometry.pgno(self.k, 1) as u32,
            extents: self.geometry.extents(self.k),
            pages_owned: self.owned,
            tree_pages: 1 + self.leaves + internal,
            leaves: self.leaves.max(1),
            internal_pages: internal,
            levels: if self.leaves == 0 {
                1
            } else {
                self.levels.len() as u32 + 2
            },
            records: u64::from(self.leaves) * u64::from(self.per_leaf),
            free_pages: self.owned.saturating_sub(used),
        }
    }

    /// The pages the table owns and does not use, as extents (last page, count, 0).
    fn free_runs(&self) -> Vec<(u32, u32, u8)> {
        let used = FIRST_LEAF_INDEX + self.leaves + self.levels.iter().sum::<u32>();
        let mut out: Vec<(u32, u32, u8)> = Vec::new();
        for idx in used..self.owned {
            let p = self.geometry.pgno(self.k, u64::from(idx)) as u32;
            match out.last_mut() {
                Some(last) if last.0 + 1 == p => {
                    last.0 = p;
                    last.1 += 1;
                }
                _ => out.push((p, 1, 0)),
            }
        }
        out
    }

    /// Pages at `level` (0 = leaves, k = internal level k−1; the root's children at the top).
    fn count(&self, level: usize) -> u32 {
        if level == 0 {
            self.leaves
        } else {
            self.levels[level - 1]
        }
    }

    /// Index of the first page of `level` (0 = leaves, k = internal level k−1).
    fn first(&self, level: usize) -> u32 {
        if level == 0 {
            FIRST_LEAF_INDEX
        } else {
            FIRST_LEAF_INDEX + self.leaves + self.levels[..level - 1].iter().sum::<u32>()
        }
    }

    /// The page number of page `i` of `level`.
    fn pgno_at(&self, level: usize, i: u32) -> u32 {
        self.geometry.pgno(self.k, u64::from(self.first(level) + i)) as u32
    }

    /// The children (indices at `level`) of internal page `i` of `levels[level]`.
    fn children_of(&self, level: usize, i: u32) -> std::ops::Range<u32> {
        let start = i * self.fanout;
        start..(start + self.fanout).min(self.count(level))
    }

    /// Leaves under page `i` of `level`: `[first, end)`.
    fn leaf_span(&self, level: usize, i: u32) -> (u64, u64) {
        let width = u64::from(self.fanout).pow(level as u32);
        let first = u64::from(i) * width;
        (first, (first + width).min(u64::from(self.leaves)))
    }

    /// The node pointing at page `i` of `level`: separator = first key after its subtree (the
    /// NULL key for the last one), data = its page number.
    fn internal_node(&self, level: usize, i: u32) -> Node {
        let (_, end) = self.leaf_span(level, i);
        let key = if end < u64::from(self.leaves) {
            record_key(end * u64::from(self.per_leaf) + 1)
        } else {
            Vec::new()
        };
        let pgno = self.pgno_at(level, i);
        (0, key, pgno.to_le_bytes().to_vec())
    }
}

/// Runs of `range` not in `used`, as extents (last page, count, 0).
fn runs(range: std::ops::RangeInclusive<u32>, used: &[u32]) -> Vec<(u32, u32, u8)> {
    let mut out: Vec<(u32, u32, u8)> = Vec::new();
    for p in range.filter(|p| !used.contains(p)) {
        match out.last_mut() {
            Some(last) if last.0 + 1 == p => {
                last.0 = p;
                last.1 += 1;
            }
            _ => out.push((p, 1, 0)),
        }
    }
    out
}

/// SPACE_HEADER (space.hxx): cpgPrimary, pgnoParent, flags, pgnoOE.
fn space_header(v: [u32; 4]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn node_len(n: &Node) -> usize {
    2 + n.1.len() + n.2.len()
}

/// A page's header fields and its tags; tag 0 is `tag0`.
struct PageSpec {
    objid: u32,
    flags: u32,
    prev: u32,
    next: u32,
    tag0: Vec<u8>,
    nodes: Vec<Node>,
}

impl PageSpec {
    fn new(objid: u32, flags: u32, tag0: Vec<u8>, nodes: Vec<Node>) -> Self {
        PageSpec {
            objid,
            flags: flags | PF_NEW_RECORD_FORMAT,
            prev: 0,
            next: 0,
            tag0,
            nodes,
        }
    }

    /// Writes PGHDR's structure fields and the tags (cpage.hxx): tag 0 then the nodes, in
    /// order from the start of the data area; the tag array grows down from the end.
    fn write(&self, page: &mut [u8], hdr: usize) {
        let len = page.len();
        let large = len >= LARGE_PAGE_MIN;
        put_u32(page, 16, self.prev);
        put_u32(page, 20, self.next);
        put_u32(page, 24, self.objid);
        put_u32(page, 36, self.flags);
        let mut ib = 0usize;
        let mut tag = |page: &mut [u8], i: usize, bytes: &[u8], node_flags: u8| {
            page[hdr + ib..hdr + ib + bytes.len()].copy_from_slice(bytes);
            let at = len - 4 * (i + 1);
            let ib_field = if large {
                // Large pages keep node flags in the top 3 bits of the node's first u16.
                if !bytes.is_empty() {
                    page[hdr + ib + 1] |= node_flags << 5;
                }
                ib as u16
            } else {
                ib as u16 | (u16::from(node_flags) << 13)
            };
            put_u16(page, at, bytes.len() as u16);
            put_u16(page, at + 2, ib_field);
            ib += bytes.len();
        };
        tag(page, 0, &self.tag0, 0);
        for (i, (fl, key, data)) in self.nodes.iter().enumerate() {
            let mut b = Vec::with_capacity(2 + key.len() + data.len());
            b.extend_from_slice(&(key.len() as u16).to_le_bytes());
            b.extend_from_slice(key);
            b.extend_from_slice(data);
            tag(page, i + 1, &b, *fl);
        }
        let tags = self.nodes.len() + 1;
        put_u16(page, 28, (len - hdr - ib - 4 * tags) as u16);
        put_u16(page, 32, ib as u16);
        put_u16(page, 34, tags as u16);
    }
}

/// A normalized i32 key column: 0x7F (not NULL) then the value with its sign bit flipped,
/// big-endian (the catalog keys of every real file).
fn key_i32(v: u32) -> [u8; 5] {
    let b = (v ^ 0x8000_0000).to_be_bytes();
    [0x7F, b[0], b[1], b[2], b[3]]
}

/// The key of the user table's record `id`.
fn record_key(id: u64) -> Vec<u8> {
    key_i32(id as u32).to_vec()
}

/// Record `id` of the user table: fixed column Id (fid 1), var column Data (fid 128).
fn record_node(id: u64) -> Node {
    let mut data = vec![0u8; RECORD_DATA_LEN];
    Rng::new(id).fill(&mut data);
    let rec = encode_record(&[((id as u32).to_le_bytes().to_vec(), false)], &[Some(data)], &[]);
    (0, record_key(id), rec)
}

/// A record in the format rec.hxx describes: `fidFixedLastInRec`, `fidVarLastInRec`,
/// `ibEndOfFixedData`, the fixed columns, their null bitmap (bit set = NULL, and set for the
/// bits past the last column, as the real rows have them), the var columns' end offsets (0x8000 =
/// NULL), the var data, then the tagged data as given.
fn encode_record(fixed: &[(Vec<u8>, bool)], var: &[Option<Vec<u8>>], tagged: &[u8]) -> Vec<u8> {
    let mut r = vec![fixed.len() as u8, 127 + var.len() as u8, 0, 0];
    for (b, _) in fixed {
        r.extend_from_slice(b);
    }
    let mut bitmap = vec![0xFFu8; fixed.len().div_ceil(8)];
    for (i, (_, null)) in fixed.iter().enumerate() {
        if !null {
            bitmap[i / 8] &= !(1 << (i % 8));
        }
    }
    r.extend_from_slice(&bitmap);
    let ib_end = r.len() as u16;
    put_u16(&mut r, 2, ib_end);
    let mut end = 0u16;
    let mut data = Vec::new();
    for v in var {
        match v {
            Some(b) => {
                end += b.len() as u16;
                data.extend_from_slice(b);
                r.extend_from_slice(&end.to_le_bytes());
            }
            None => r.extend_from_slice(&(end | 0x8000).to_le_bytes()),
        }
    }
    r.extend_from_slice(&data);
    r.extend_from_slice(tagged);
    r
}

/// One MSysObjects row (LOGICAL-INTEGRITY.md §3.1).
#[derive(Debug, Clone)]
pub struct CatalogRow {
    /// fid 1 ObjidTable.
    pub objid_table: u32,
    /// fid 2 Type: 1 table, 2 column, 3 index.
    pub kind: u16,
    /// fid 3 Id: objid of a table or index, columnid of a column.
    pub id: u32,
    /// fid 4 ColtypOrPgnoFDP.
    pub coltyp_or_pgno: u32,
    /// fid 5 SpaceUsage.
    pub space_usage: u32,
    /// fid 6 Flags.
    pub flags: u32,
    /// fid 7 PagesOrLocale.
    pub pages_or_locale: u32,
    /// var fid 128 Name.
    pub name: String,
    /// fid 9 RecordOffset of a fixed column.
    record_offset: Option<u16>,
    /// Index rows: var fid 132 KeyFldIDs (the fids of the key) and fid 11 KeyMost if stored.
    key_fids: Vec<u16>,
    key_most: Option<u16>,
}

/// Tagged column LocaleName (fid 261) "en-US" every index row of the real files carries.
const INDEX_LOCALE: [u8; 15] = [
    0x05, 0x01, 0x04, 0x40, 0x01, 0x65, 0x00, 0x6E, 0x00, 0x2D, 0x00, 0x55, 0x00, 0x53, 0x00,
];
/// LCMapFlags (fid 10) of the real index rows.
const INDEX_LCMAP: u32 = 0x0003_0401;

impl CatalogRow {
    /// The primary key (ObjidTable, Type, Id).
    pub fn key(&self) -> Vec<u8> {
        let mut k = key_i32(self.objid_table).to_vec();
        let t = (self.kind ^ 0x8000).to_be_bytes();
        k.extend_from_slice(&[0x7F, t[0], t[1]]);
        k.extend_from_slice(&key_i32(self.id));
        k
    }

    /// Index Name's key (ObjidTable, Type, Name): text as the real keys store it, upper case
    /// then a 0 byte.
    fn name_key(&self) -> Vec<u8> {
        let mut k = self.key()[..8].to_vec();
        k.push(0x7F);
        k.extend(self.name.bytes().map(|b| b.to_ascii_uppercase()));
        k.push(0);
        k
    }

    /// Index RootObjects' key (RootFlag, Name).
    fn root_key(&self) -> Vec<u8> {
        let mut k = vec![0x7F, 0xFF, 0x7F];
        k.extend(self.name.bytes().map(|b| b.to_ascii_uppercase()));
        k.push(0);
        k
    }

    /// The record bytes.
    pub fn record(&self) -> Vec<u8> {
        let mut fixed: Vec<(Vec<u8>, bool)> = vec![
            (self.objid_table.to_le_bytes().to_vec(), false),
            (self.kind.to_le_bytes().to_vec(), false),
            (self.id.to_le_bytes().to_vec(), false),
            (self.coltyp_or_pgno.to_le_bytes().to_vec(), false),
            (self.space_usage.to_le_bytes().to_vec(), false),
            (self.flags.to_le_bytes().to_vec(), false),
            (self.pages_or_locale.to_le_bytes().to_vec(), false),
        ];
        let name = Some(self.name.as_bytes().to_vec());
        match self.kind {
            1 => {
                fixed.push((vec![0xFF], false));
                encode_record(&fixed, &[name], &[])
            }
            2 => {
                if let Some(off) = self.record_offset {
                    // RootFlag NULL (the engine's 0x2A filler), RecordOffset.
                    fixed.push((vec![0x2A], true));
                    fixed.push((off.to_le_bytes().to_vec(), false));
                }
                encode_record(&fixed, &[name], &[])
            }
            _ => {
                fixed.push((vec![0x2A], true));
                fixed.push((vec![0x2A, 0x2A], true));
                fixed.push((INDEX_LCMAP.to_le_bytes().to_vec(), false));
                if let Some(most) = self.key_most {
                    fixed.push((most.to_le_bytes().to_vec(), false));
                }
                let fids: Vec<u8> = self
                    .key_fids
                    .iter()
                    .flat_map(|f| [0, 0, *f as u8, (f >> 8) as u8])
                    .collect();
                encode_record(&fixed, &[name, None, None, None, Some(fids)], &INDEX_LOCALE)
            }
        }
    }
}

/// The columns of MSysObjects and of its shadow (_cat.cxx), as both real files list them:
/// (columnid, coltyp, SpaceUsage, Flags, name); ids below 128 are fixed, with RecordOffset 4.
const CATALOG_COLUMNS: [(u32, u32, u32, u32, &str); 28] = [
    (1, 4, 4, 1, "ObjidTable"),
    (2, 3, 2, 1, "Type"),
    (3, 4, 4, 1, "Id"),
    (4, 4, 4, 1, "ColtypOrPgnoFDP"),
    (5, 4, 4, 1, "SpaceUsage"),
    (6, 4, 4, 1, "Flags"),
    (7, 4, 4, 1, "PagesOrLocale"),
    (8, 1, 1, 0, "RootFlag"),
    (9, 3, 2, 0, "RecordOffset"),
    (10, 4, 4, 0, "LCMapFlags"),
    (11, 17, 2, 0, "KeyMost"),
    (12, 4, 4, 0, "LVChunkMax"),
    (128, 10, 255, 1, "Name"),
    (129, 9, 255, 0, "Stats"),
    (130, 10, 255, 0, "TemplateTable"),
    (131, 9, 255, 0, "DefaultValue"),
    (132, 9, 255, 0, "KeyFldIDs"),
    (133, 9, 255, 0, "VarSegMac"),
    (134, 9, 255, 0, "ConditionalColumns"),
    (135, 9, 255, 0, "TupleLimits"),
    (136, 9, 255, 0, "Version"),
    (137, 9, 255, 0, "SortID"),
    (256, 11, 0, 0, "CallbackData"),
    (257, 11, 0, 0, "CallbackDependencies"),
    (258, 11, 0, 0, "SeparateLV"),
    (259, 11, 0, 0, "SpaceHints"),
    (260, 11, 0, 0, "SpaceDeferredLVHints"),
    (261, 11, 0, 0, "LocaleName"),
];

fn table_row(objid: u32, pgno: u32, flags: u32, pages: u32, name: &str) -> CatalogRow {
    CatalogRow {
        objid_table: objid,
        kind: 1,
        id: objid,
        coltyp_or_pgno: pgno,
        space_usage: 80,
        flags,
        pages_or_locale: pages,
        name: name.into(),
        record_offset: None,
        key_fids: Vec::new(),
        key_most: None,
    }
}

fn index_row(objid_table: u32, id: u32, pgno: u32, flags: u32, name: &str, fids: &[u16]) -> CatalogRow {
    CatalogRow {
        kind: 3,
        id,
        coltyp_or_pgno: pgno,
        flags,
        pages_or_locale: 0,
        name: name.into(),
        key_fids: fids.to_vec(),
        ..table_row(objid_table, 0, 0, 0, "")
    }
}

fn column_row(objid_table: u32, c: (u32, u32, u32, u32, &str), locale: u32, offset: Option<u16>) -> CatalogRow {
    CatalogRow {
        kind: 2,
        id: c.0,
        coltyp_or_pgno: c.1,
        space_usage: c.2,
        flags: c.3,
        pages_or_locale: locale,
        name: c.4.into(),
        record_offset: offset,
        ..table_row(objid_table, 0, 0, 0, "")
    }
}

/// Every row of the catalog of a database with the user tables `tables`, in key order:
/// MSysObjects (objid 2) and MSysObjectsShadow (objid 3) as both real files store them, then
/// each user table (ascending objids).
pub fn catalog_rows(tables: &[TableSpec]) -> Vec<CatalogRow> {
    let mut rows = Vec::new();
    for (objid, pgno, pages, name) in [(2, 4, 20, "MSysObjects"), (3, 24, 5, "MSysObjectsShadow")] {
        rows.push(table_row(objid, pgno, 0xC000_0000, pages, name));
        for c in CATALOG_COLUMNS {
            rows.push(column_row(objid, c, 1252, (c.0 < 128).then_some(4)));
        }
        rows.push(index_row(objid, objid, pgno, 0x0001_0031, "Id", &[1, 2, 3]));
        if objid == 2 {
            rows.push(index_row(2, 4, 7, 0x0001_0011, "Name", &[1, 2, 128]));
            rows.push(index_row(2, 5, 10, 0x0001_0009, "RootObjects", &[8, 128]));
        }
    }
    // Each user table, in the layout of basic.edb's table (page 14, tags 14–28).
    for t in tables {
        rows.push(table_row(t.objid, t.pgno_fdp, 0, 1, &t.name));
        rows.push(column_row(t.objid, (1, 4, 4, 5, "Id"), 0, Some(4)));
        rows.push(column_row(t.objid, (128, 9, 255, 0, "Data"), 0, None));
        let mut ix = index_row(t.objid, t.objid, t.pgno_fdp, 0x0001_002F, "IxId", &[1]);
        ix.key_most = Some(5);
        rows.push(ix);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Walks table `t` of `l` from its root; returns (pages reached, leaves, records).
    fn reach(l: &Layout, t: &TableSpec) -> (BTreeSet<u32>, u32, u64) {
        let ps = l.page_size;
        let mut seen = BTreeSet::new();
        let mut stack = vec![t.pgno_fdp];
        let (mut leaves, mut records) = (0, 0);
        while let Some(p) = stack.pop() {
            assert!(seen.insert(p), "page {p} twice");
            let mut page = vec![0u8; ps];
            assert!(l.page(p, &mut page, 0), "{p}");
            assert_eq!(u32::from_le_bytes(page[24..28].try_into().unwrap()), t.objid, "{p}");
            let flags = u32::from_le_bytes(page[36..40].try_into().unwrap());
            let ntags = usize::from(u16::from_le_bytes([page[34], page[35]]));
            if flags & PF_LEAF != 0 {
                leaves += 1;
                records += ntags as u64 - 1;
                continue;
            }
            let hdr = l.hdr();
            for i in 1..ntags {
                let at = ps - 4 * (i + 1);
                let cb = usize::from(u16::from_le_bytes([page[at], page[at + 1]]));
                let mask = if ps >= LARGE_PAGE_MIN { 0x7FFF } else { 0x1FFF };
                let ib = usize::from(u16::from_le_bytes([page[at + 2], page[at + 3]]) & mask);
                let n = &page[hdr + ib..hdr + ib + cb];
                stack.push(u32::from_le_bytes(n[cb - 4..].try_into().unwrap()));
            }
        }
        (seen, leaves, records)
    }

    #[test]
    fn every_table_page_is_reached_once_from_the_root() {
        for (ps, pages) in [(4096, 40), (4096, 3000), (2048, 70_000), (32768, 5000)] {
            let l = Layout::new(ps, pages);
            let t = &l.tables()[0];
            let (seen, leaves, records) = reach(&l, t);
            assert_eq!(leaves, t.leaves, "{ps} {pages}");
            assert_eq!(seen.len() as u32, t.tree_pages, "{ps} {pages}");
            assert_eq!(records, t.records, "{ps} {pages}");
            assert_eq!((t.pgno_fdp, t.extents.clone()), (TABLE_ROOT, vec![(pages, pages - 30)]));
            assert!(t.free_pages < 3 && t.tree_pages + 2 + t.free_pages == pages - 30);
        }
    }

    /// Tables sharing the file in extents handed out in turn: each table's pages are its own
    /// extents, each reached once from its root, and together with the system pages they are
    /// every page of the file.
    #[test]
    fn tables_in_interleaved_extents_cover_the_file() {
        for (ps, pages, tables, extent) in [(4096, 2000, 3, 64), (2048, 5000, 8, 16), (32768, 3000, 5, 100)] {
            let l = Layout::with_tables(ps, pages, tables, extent);
            let specs = l.tables();
            assert_eq!(specs.len() as u32, tables);
            let mut all = BTreeSet::new();
            for (k, t) in specs.iter().enumerate() {
                assert_eq!(t.objid, TABLE_OBJID + k as u32);
                assert_eq!(t.pgno_fdp, TABLE_ROOT + k as u32 * extent);
                // Extent j of the file goes to table j % tables.
                for (i, &(last, count)) in t.extents.iter().enumerate() {
                    let first = TABLE_ROOT + (i as u32 * tables + k as u32) * extent;
                    assert_eq!((last + 1 - count, count), (first, extent.min(pages + 1 - first)));
                }
                let owned: BTreeSet<u32> = t.extents.iter().flat_map(|&(l, c)| l + 1 - c..=l).collect();
                assert_eq!(owned.len() as u32, t.pages_owned);
                let (seen, leaves, records) = reach(&l, t);
                assert!(seen.is_subset(&owned), "table {k}");
                assert_eq!((leaves, records), (t.leaves, t.records));
                assert_eq!(seen.len() as u32 + 2 + t.free_pages, t.pages_owned);
                assert!(all.is_disjoint(&owned));
                all.extend(owned);
            }
            assert_eq!(all, (TABLE_ROOT..=pages).collect());
        }
    }
}
