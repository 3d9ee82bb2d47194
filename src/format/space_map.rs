//! The space map (issue 22 rule 6; LOGICAL-INTEGRITY.md §2.2 S1–S7): every page's owner and
//! whether it is free, built from the database root's space (page 1's space header, its OE tree
//! at page 2 and AE tree at page 3) and from the space of every tree the catalog names, with the
//! conflicts `esentutl /g` reports between them (repair.cxx:6078–6850, 11986–12040).
//!
//! Pure: pages come from the caller through a closure (`None` = the caller cannot trust the
//! page), as [`read_catalog`](super::catalog::read_catalog) takes them. No I/O here.
//!
//! The map is kept as sorted, disjoint runs of pages (first, last, objid): the most specific
//! owner of every owned page, the available pages and the split-buffer pages. Its size grows with
//! the number of extents in the space trees, not with the number of pages.
//!
//! Deleted space-tree nodes are not extents (the shadow catalog's AE tree holds only a deleted
//! node in real files).

use super::bytes::{FormatError, Reader};
use super::catalog::{
    CatalogObject, ObjectKind, MAX_TREE_DEPTH, OBJID_FDP_MSO, OBJID_FDP_MSO_SHADOW, PGNO_FDP_MSO, PGNO_FDP_MSO_SHADOW,
};
use super::node::NodePage;
use super::space::{parse_space_node, parse_split_buffer, Extent, Extents, Pool, SpaceHeader, SMALL_SPACE_AVAIL_MOST};
use std::collections::{BTreeMap, HashSet};

/// `objidSystemRoot`: the database root's objid.
pub const OBJID_SYSTEM_ROOT: u32 = 1;
/// `pgnoSystemRoot`: the database root's page.
pub const PGNO_SYSTEM_ROOT: u32 = 1;

/// `JET_errSPOwnExtCorrupted`: the engine's code for a damaged owned-space tree.
pub const ERR_SP_OWN_EXT_CORRUPTED: i32 = -343;
/// `JET_errSPAvailExtCorrupted`: the engine's code for a damaged available-space tree.
pub const ERR_SP_AVAIL_EXT_CORRUPTED: i32 = -341;

/// One tree whose space the map reads: an FDP (the root page of a table, an index, a long-value
/// tree or the database root) and its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fdp {
    /// The tree's objid (`objidFDP` on each of its pages).
    pub objid: u32,
    /// `pgnoFDP`: its root page, whose tag 0 holds the space header.
    pub pgno_fdp: u32,
    /// The parent tree's objid: the database root's for a table, the table's for an index or
    /// long-value tree.
    pub parent: u32,
}

/// The FDPs of a catalog (`Catalog::objects`), parents before children: every table under the
/// database root, every secondary index and long-value tree under its table. MSysObjects (objid 2
/// at page 4) and MSysObjectsShadow (objid 3 at page 24) are added when the catalog does not list
/// them.
pub fn fdps_of_catalog(objects: &BTreeMap<u32, CatalogObject>) -> Vec<Fdp> {
    let mut out: Vec<Fdp> = Vec::new();
    for (&objid, o) in objects.iter().filter(|(_, o)| o.kind == ObjectKind::Table) {
        out.push(Fdp {
            objid,
            pgno_fdp: o.pgno_fdp,
            parent: OBJID_SYSTEM_ROOT,
        });
    }
    for (objid, pgno_fdp) in [
        (OBJID_FDP_MSO, PGNO_FDP_MSO),
        (OBJID_FDP_MSO_SHADOW, PGNO_FDP_MSO_SHADOW),
    ] {
        if !out.iter().any(|f| f.objid == objid) {
            out.push(Fdp {
                objid,
                pgno_fdp,
                parent: OBJID_SYSTEM_ROOT,
            });
        }
    }
    for (&objid, o) in objects.iter().filter(|(_, o)| o.kind != ObjectKind::Table) {
        out.push(Fdp {
            objid,
            pgno_fdp: o.pgno_fdp,
            parent: o.objid_table,
        });
    }
    out
}

/// Which space tree of an FDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceTree {
    /// The owned-extent tree (OE).
    Owned,
    /// The available-extent tree (AE).
    Available,
}

/// Why a page of a tree's space could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpaceFault {
    /// The caller could not give the page (a checksum that fails, beyond the end of the file).
    Unreadable,
    /// The page is all zero.
    Blank,
    /// The page carries another tree's objid.
    WrongObjid {
        /// The `objidFDP` it carries.
        objid_fdp: u32,
    },
    /// The page, or a node on it, does not parse.
    Malformed(FormatError),
    /// The page was reached a second time: the space tree has a cycle or shares a page.
    Cycle,
    /// The space tree is deeper than [`MAX_TREE_DEPTH`].
    TooDeep,
}

/// A finding about the space: a tree whose space cannot be read, or one of the engine's
/// conflicts. Page ranges are inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpaceFinding {
    /// A page of the tree's space (its root, an OE or AE page) could not be read; the tree's
    /// space is known only in part.
    Unreadable {
        /// The tree.
        objid: u32,
        /// The page.
        pgno: u32,
        /// Why.
        fault: SpaceFault,
    },
    /// The root's external header is neither 16 bytes nor a flags byte with a space header
    /// ("external header is unexpected size", repair.cxx:6107; S1).
    BadSpaceHeader {
        /// The tree.
        objid: u32,
        /// Its root page.
        pgno_fdp: u32,
    },
    /// The space header's pgnoParent is not the parent tree's root page ("space corruption.
    /// pgno parent is %d, expected %d", repair.cxx:6412; S1).
    WrongParent {
        /// The tree.
        objid: u32,
        /// `pgnoParent` as stored.
        pgno_parent: u32,
        /// The parent's root page.
        expected: u32,
    },
    /// A multiple-extent header whose pgnoOE is 0 or whose OE or AE page is the root itself
    /// (repair.cxx:6135–6159; S2).
    BadSpaceTreeRoot {
        /// The tree.
        objid: u32,
        /// `pgnoOE`.
        pgno_oe: u32,
    },
    /// A space-tree node that is not a valid extent: key length, pool byte or count
    /// (`ErrSPIREPAIRValidateSpaceNode`, space.cxx:2145, reported at repair.cxx:11997; S3).
    BadNode {
        /// The tree.
        objid: u32,
        /// OE or AE.
        tree: SpaceTree,
        /// The page holding the node.
        pgno: u32,
    },
    /// A versioned node in a space tree ("versioned node in space tree", repair.cxx:12010; S3).
    VersionedNode {
        /// The tree.
        objid: u32,
        /// OE or AE.
        tree: SpaceTree,
        /// The page holding the node.
        pgno: u32,
    },
    /// Within one pool of a space tree, a key (last page) not above the previous one ("space
    /// tree corruption (previous pgno %d, current pgno %d)", repair.cxx:12016; S3).
    KeysNotIncreasing {
        /// The tree.
        objid: u32,
        /// OE or AE.
        tree: SpaceTree,
        /// The previous extent's last page.
        previous: u32,
        /// This extent's last page.
        pgno_last: u32,
    },
    /// Within one pool of a space tree, an extent reaching into the previous one ("space tree
    /// overlap", repair.cxx:12023; S3).
    ExtentsOverlap {
        /// The tree.
        objid: u32,
        /// OE or AE.
        tree: SpaceTree,
        /// The previous extent.
        previous: Extent,
        /// This extent.
        extent: Extent,
    },
    /// Pages of a tree's owned extents that its parent does not own ("space allocation error
    /// (OE): page %d is already owned by objid %d, (expected parent objid %d …)",
    /// repair.cxx:6707; S4).
    NotOwnedByParent {
        /// The tree.
        objid: u32,
        /// Its parent.
        parent: u32,
        /// First page.
        first: u32,
        /// Last page.
        last: u32,
    },
    /// Pages two trees of the same level both own (the same message, repair.cxx:6707, for the
    /// tree read second; S4).
    OwnedTwice {
        /// The tree read second.
        objid: u32,
        /// The tree that owns the pages too.
        other: u32,
        /// First page.
        first: u32,
        /// Last page.
        last: u32,
    },
    /// Pages a tree owns that an ancestor also lists as available ("space allocation error (OE):
    /// page %d is available to objid %d", repair.cxx:6720; S4).
    OwnedButAvailable {
        /// The tree that owns the pages.
        objid: u32,
        /// The tree whose AE lists them.
        available_to: u32,
        /// First page.
        first: u32,
        /// Last page.
        last: u32,
    },
    /// Available pages not owned by the tree whose AE lists them ("space allocation error (AE):
    /// page %d is owned by objid %d, (expected objid %d)", repair.cxx:6812; S5).
    AvailableNotOwned {
        /// The tree whose AE lists them.
        objid: u32,
        /// Their most specific owner, if any.
        owner: Option<u32>,
        /// First page.
        first: u32,
        /// Last page.
        last: u32,
    },
    /// Pages two AE lists hold ("space allocation error (AE): page %d is available to objid %d",
    /// repair.cxx:6822; S5).
    AvailableTwice {
        /// The tree read second.
        objid: u32,
        /// The other tree (may be the same tree, in two pools).
        other: u32,
        /// First page.
        first: u32,
        /// Last page.
        last: u32,
    },
    /// Shelved pages in the AE tree of a tree other than the database root ("shelved pages … are
    /// unexpected outside of the database root", repair.cxx:6779; S5).
    ShelvedOutsideRoot {
        /// The tree.
        objid: u32,
        /// First page.
        first: u32,
        /// Last page.
        last: u32,
    },
    /// Split-buffer pages owned by neither the tree nor its parent ("space allocation error (OE
    /// SPLITBUF): page %d is already owned by objid %d", repair.cxx:6212; S7).
    SplitBufferNotOwned {
        /// The tree.
        objid: u32,
        /// First page.
        first: u32,
        /// Last page.
        last: u32,
    },
    /// Split-buffer pages that an AE tree also lists ("space allocation error (AE SPLITBUF):
    /// page %d is available to objid %d", repair.cxx:6240; S7).
    SplitBufferAvailable {
        /// The tree.
        objid: u32,
        /// The tree whose AE lists them.
        available_to: u32,
        /// First page.
        first: u32,
        /// Last page.
        last: u32,
    },
}

impl SpaceFinding {
    /// The engine's error code. `esentutl /g` itself returns `JET_errDatabaseCorrupted` (−1206)
    /// at every line cited; the runtime space code names the damage by tree: −343
    /// (`JET_errSPOwnExtCorrupted`) for owned space, −341 (`JET_errSPAvailExtCorrupted`) for
    /// available space (space.cxx, `CSPExtentInfo::ErrCheckCorrupted`), as LOGICAL-INTEGRITY.md
    /// §2.2 assigns them.
    pub fn code(&self) -> i32 {
        use SpaceFinding::*;
        match self {
            BadNode { tree, .. }
            | VersionedNode { tree, .. }
            | KeysNotIncreasing { tree, .. }
            | ExtentsOverlap { tree, .. } => match tree {
                SpaceTree::Owned => ERR_SP_OWN_EXT_CORRUPTED,
                SpaceTree::Available => ERR_SP_AVAIL_EXT_CORRUPTED,
            },
            AvailableNotOwned { .. }
            | AvailableTwice { .. }
            | ShelvedOutsideRoot { .. }
            | SplitBufferAvailable { .. } => ERR_SP_AVAIL_EXT_CORRUPTED,
            Unreadable { .. }
            | BadSpaceHeader { .. }
            | WrongParent { .. }
            | BadSpaceTreeRoot { .. }
            | NotOwnedByParent { .. }
            | OwnedTwice { .. }
            | OwnedButAvailable { .. }
            | SplitBufferNotOwned { .. } => ERR_SP_OWN_EXT_CORRUPTED,
        }
    }

    /// The tree the finding is about.
    pub fn objid(&self) -> u32 {
        use SpaceFinding::*;
        match *self {
            Unreadable { objid, .. }
            | BadSpaceHeader { objid, .. }
            | WrongParent { objid, .. }
            | BadSpaceTreeRoot { objid, .. }
            | BadNode { objid, .. }
            | VersionedNode { objid, .. }
            | KeysNotIncreasing { objid, .. }
            | ExtentsOverlap { objid, .. }
            | NotOwnedByParent { objid, .. }
            | OwnedTwice { objid, .. }
            | OwnedButAvailable { objid, .. }
            | AvailableNotOwned { objid, .. }
            | AvailableTwice { objid, .. }
            | ShelvedOutsideRoot { objid, .. }
            | SplitBufferNotOwned { objid, .. }
            | SplitBufferAvailable { objid, .. } => objid,
        }
    }
}

/// The space of one tree as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeSpace {
    /// The tree.
    pub fdp: Fdp,
    /// Its space header, when it could be read.
    pub header: Option<SpaceHeader>,
    /// Pages of its owned extents (OE tree, or the primary extent of a single-extent tree).
    pub owned_pages: u64,
    /// Pages its AE tree (general and continuous pools) or avail bitmap lists as free.
    pub available_pages: u64,
    /// Pages of its AE tree's shelved pool (the database root only).
    pub shelved_pages: u64,
    /// Pages in its split buffers, reserved for splitting its space trees.
    pub split_buffer_pages: u64,
    /// The pages of its OE and AE trees (empty for a single-extent tree).
    pub space_tree_pages: Vec<u32>,
}

/// What the map says of one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSpace {
    /// Owned by no tree: beyond the database's owned space (or a hole in it).
    NotOwned,
    /// Owned by `owner` (its most specific owner) and not free: in use, or leaked.
    InUse {
        /// The owner's objid.
        owner: u32,
    },
    /// Listed as free in the AE tree (or bitmap) of `objid`.
    Available {
        /// The tree it is available to.
        objid: u32,
        /// The pool.
        pool: Pool,
    },
    /// Reserved in a split buffer of `objid`.
    SplitBuffer {
        /// The tree.
        objid: u32,
    },
}

/// A run of pages `first..=last` attributed to `objid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Run {
    first: u32,
    last: u32,
    objid: u32,
}

/// An available run, with its pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct FreeRun {
    run: Run,
    pool: Pool,
}

/// Every page's owner and free / in-use state, and the conflicts found building it.
#[derive(Debug, Clone, Default)]
pub struct SpaceMap {
    /// objid → its space, the database root (objid 1) included.
    pub trees: BTreeMap<u32, TreeSpace>,
    /// The findings, in the order the trees were read.
    pub findings: Vec<SpaceFinding>,
    /// Disjoint, sorted: each owned page's most specific owner.
    owners: Vec<Run>,
    /// Disjoint, sorted: available pages (shelved ones included).
    free: Vec<FreeRun>,
    /// Disjoint, sorted: split-buffer pages.
    split: Vec<Run>,
}

impl SpaceMap {
    /// The most specific tree that owns `pgno` (an index before its table, a table before the
    /// database root).
    pub fn owner(&self, pgno: u32) -> Option<u32> {
        find(&self.owners, pgno, |r| r).map(|r| r.objid)
    }

    /// What the map says of `pgno`: free (available or in a split buffer) before owned.
    pub fn page(&self, pgno: u32) -> PageSpace {
        if let Some(f) = find(&self.free, pgno, |f| &f.run) {
            return PageSpace::Available {
                objid: f.run.objid,
                pool: f.pool,
            };
        }
        if let Some(r) = find(&self.split, pgno, |r| r) {
            return PageSpace::SplitBuffer { objid: r.objid };
        }
        match self.owner(pgno) {
            Some(owner) => PageSpace::InUse { owner },
            None => PageSpace::NotOwned,
        }
    }

    /// Pages the database root owns (its OE tree).
    pub fn root_owned_pages(&self) -> u64 {
        self.trees.get(&OBJID_SYSTEM_ROOT).map_or(0, |t| t.owned_pages)
    }

    /// Pages available to any tree (shelved pages aside).
    pub fn available_pages(&self) -> u64 {
        self.trees.values().map(|t| t.available_pages).sum()
    }

    /// The last page the database root owns.
    pub fn last_owned_pgno(&self) -> Option<u32> {
        self.owners.last().map(|r| r.last)
    }

    /// The engine's conflicts only (S1–S7), without the trees that could not be read.
    pub fn conflicts(&self) -> impl Iterator<Item = &SpaceFinding> {
        self.findings
            .iter()
            .filter(|f| !matches!(f, SpaceFinding::Unreadable { .. }))
    }
}

/// The run of `runs` (sorted, disjoint) holding `pgno`.
fn find<T>(runs: &[T], pgno: u32, run: impl Fn(&T) -> &Run) -> Option<&T> {
    let i = runs.partition_point(|t| run(t).last < pgno);
    runs.get(i).filter(|t| run(t).first <= pgno)
}

/// The space of one FDP as read, before the map joins them.
#[derive(Debug, Default)]
struct FdpSpace {
    owned: Vec<Extent>,
    avail: Vec<(Pool, Extent)>,
    split: Vec<Extent>,
}

/// Builds the space map from the database root (page 1) and every FDP in `fdps` (parents before
/// children; [`fdps_of_catalog`] gives them). `page(pgno)` gives a page's bytes, or `None` when
/// the caller cannot trust it.
pub fn build_space_map<'a, F>(page: F, fdps: &[Fdp]) -> SpaceMap
where
    F: Fn(u32) -> Option<&'a [u8]>,
{
    let mut map = SpaceMap::default();
    let root = Fdp {
        objid: OBJID_SYSTEM_ROOT,
        pgno_fdp: PGNO_SYSTEM_ROOT,
        parent: 0,
    };
    let mut spaces: Vec<(Fdp, FdpSpace)> = Vec::new();
    let mut seen_objids = HashSet::new();
    for fdp in std::iter::once(&root).chain(fdps.iter()) {
        if !seen_objids.insert(fdp.objid) {
            continue;
        }
        let parent_pgno = map.trees.get(&fdp.parent).map(|t| t.fdp.pgno_fdp);
        let (tree, space) = read_fdp_space(&page, *fdp, parent_pgno, &mut map.findings);
        map.trees.insert(fdp.objid, tree);
        spaces.push((*fdp, space));
    }
    join(&mut map, &spaces);
    map
}

/// Reads one FDP's space header and its OE/AE trees or primary extent.
fn read_fdp_space<'a, F>(
    page: &F,
    fdp: Fdp,
    parent_pgno: Option<u32>,
    findings: &mut Vec<SpaceFinding>,
) -> (TreeSpace, FdpSpace)
where
    F: Fn(u32) -> Option<&'a [u8]>,
{
    let mut tree = TreeSpace {
        fdp,
        header: None,
        owned_pages: 0,
        available_pages: 0,
        shelved_pages: 0,
        split_buffer_pages: 0,
        space_tree_pages: Vec::new(),
    };
    let mut space = FdpSpace::default();
    let objid = fdp.objid;
    let unreadable = |pgno, fault| SpaceFinding::Unreadable { objid, pgno, fault };
    let root = match read_tree_page(page, fdp.pgno_fdp, objid) {
        Ok(p) => p,
        Err(fault) => {
            findings.push(unreadable(fdp.pgno_fdp, fault));
            return (tree, space);
        }
    };
    let header = match root.external_header().and_then(SpaceHeader::from_external_header) {
        Ok(h) => h,
        Err(_) => {
            findings.push(SpaceFinding::BadSpaceHeader {
                objid,
                pgno_fdp: fdp.pgno_fdp,
            });
            return (tree, space);
        }
    };
    tree.header = Some(header);
    if let Some(expected) = parent_pgno.filter(|_| objid != OBJID_SYSTEM_ROOT) {
        if header.pgno_parent != expected {
            findings.push(SpaceFinding::WrongParent {
                objid,
                pgno_parent: header.pgno_parent,
                expected,
            });
        }
    }
    match header.extents {
        Extents::Single { avail_bitmap } => {
            // repair.cxx:6606–6650 (owned), space.cxx:4560–4580 (available).
            let cpg = header.cpg_primary;
            if let Some(last) = fdp.pgno_fdp.checked_add(cpg).and_then(|e| e.checked_sub(1)) {
                space.owned.push(Extent { pgno_last: last, cpg });
            }
            let bits = cpg.saturating_sub(1).min(SMALL_SPACE_AVAIL_MOST);
            for i in (0..bits).filter(|i| avail_bitmap & (1 << i) != 0) {
                if let Some(pgno) = fdp.pgno_fdp.checked_add(1 + i) {
                    push_page(&mut space.avail, pgno);
                }
            }
            // Past the bitmap's reach, every page of the primary extent is available.
            let beyond = cpg.saturating_sub(1 + SMALL_SPACE_AVAIL_MOST);
            // `beyond > 0` first: a hostile header may say `cpgPrimary` 0 (found by the fuzzer).
            if let Some(last) = (beyond > 0).then(|| fdp.pgno_fdp.checked_add(cpg - 1)).flatten() {
                space.avail.push((
                    Pool::General,
                    Extent {
                        pgno_last: last,
                        cpg: beyond,
                    },
                ));
            }
        }
        Extents::Multiple { pgno_oe } => {
            let pgno_ae = pgno_oe.wrapping_add(1);
            if pgno_oe == 0 || pgno_oe == fdp.pgno_fdp || pgno_ae == fdp.pgno_fdp || pgno_ae == 0 {
                findings.push(SpaceFinding::BadSpaceTreeRoot { objid, pgno_oe });
            } else {
                for (kind, pgno) in [(SpaceTree::Owned, pgno_oe), (SpaceTree::Available, pgno_ae)] {
                    read_space_tree(page, objid, kind, pgno, &mut tree, &mut space, findings);
                }
            }
        }
    }
    tree.owned_pages = space.owned.iter().map(|e| u64::from(e.cpg)).sum();
    for (pool, e) in &space.avail {
        match pool {
            Pool::Shelved => tree.shelved_pages += u64::from(e.cpg),
            _ => tree.available_pages += u64::from(e.cpg),
        }
    }
    tree.split_buffer_pages = space.split.iter().map(|e| u64::from(e.cpg)).sum();
    (tree, space)
}

/// Adds one page to a list of general-pool extents, extending the last when adjacent.
fn push_page(avail: &mut Vec<(Pool, Extent)>, pgno: u32) {
    if let Some((_, e)) = avail.last_mut() {
        if e.pgno_last.checked_add(1) == Some(pgno) {
            e.pgno_last = pgno;
            e.cpg += 1;
            return;
        }
    }
    avail.push((
        Pool::General,
        Extent {
            pgno_last: pgno,
            cpg: 1,
        },
    ));
}

/// A page of `objid`'s trees, parsed.
fn read_tree_page<'a, F>(page: &F, pgno: u32, objid: u32) -> Result<NodePage<'a>, SpaceFault>
where
    F: Fn(u32) -> Option<&'a [u8]>,
{
    let bytes = page(pgno).ok_or(SpaceFault::Unreadable)?;
    if bytes.iter().all(|&b| b == 0) {
        return Err(SpaceFault::Blank);
    }
    let p = NodePage::parse(bytes).map_err(SpaceFault::Malformed)?;
    if p.objid_fdp != objid {
        return Err(SpaceFault::WrongObjid { objid_fdp: p.objid_fdp });
    }
    Ok(p)
}

/// Walks one OE or AE tree from `root` in key order, collecting its extents, its split buffer
/// and its pages, and checking its nodes as `RECCHECKSPACE` does (repair.cxx:11986–12040).
fn read_space_tree<'a, F>(
    page: &F,
    objid: u32,
    kind: SpaceTree,
    root: u32,
    tree: &mut TreeSpace,
    space: &mut FdpSpace,
    findings: &mut Vec<SpaceFinding>,
) where
    F: Fn(u32) -> Option<&'a [u8]>,
{
    let avail = kind == SpaceTree::Available;
    let mut seen = HashSet::new();
    let mut stack = vec![(root, 0usize)];
    let mut last: Option<(Pool, Extent)> = None;
    while let Some((pgno, depth)) = stack.pop() {
        let fault = |fault| SpaceFinding::Unreadable { objid, pgno, fault };
        if depth > MAX_TREE_DEPTH {
            findings.push(fault(SpaceFault::TooDeep));
            return;
        }
        if !seen.insert(pgno) {
            findings.push(fault(SpaceFault::Cycle));
            return;
        }
        let p = match read_tree_page(page, pgno, objid) {
            Ok(p) => p,
            Err(f) => {
                findings.push(fault(f));
                return;
            }
        };
        tree.space_tree_pages.push(pgno);
        if pgno == root {
            match p.external_header().and_then(parse_split_buffer) {
                Ok(buffers) => space.split.extend(buffers),
                Err(e) => {
                    findings.push(fault(SpaceFault::Malformed(e)));
                    return;
                }
            }
        }
        let mut children = Vec::new();
        for node in p.nodes() {
            let node = match node {
                Ok(n) => n,
                Err(e) => {
                    findings.push(fault(SpaceFault::Malformed(e)));
                    return;
                }
            };
            if node.is_deleted() {
                continue;
            }
            if !p.is_leaf() {
                match Reader::new(node.data, "internal node").u32(0, "pgnoChild") {
                    Ok(child) => children.push((child, depth + 1)),
                    Err(e) => {
                        findings.push(fault(SpaceFault::Malformed(e)));
                        return;
                    }
                }
                continue;
            }
            let key = node.key();
            let Ok(n) = parse_space_node(&key, node.data, avail) else {
                findings.push(SpaceFinding::BadNode {
                    objid,
                    tree: kind,
                    pgno,
                });
                continue;
            };
            if node.is_versioned() {
                findings.push(SpaceFinding::VersionedNode {
                    objid,
                    tree: kind,
                    pgno,
                });
            }
            if let Some((pool, prev)) = last.filter(|(pool, _)| *pool == n.pool) {
                let _ = pool;
                if n.extent.pgno_last <= prev.pgno_last {
                    findings.push(SpaceFinding::KeysNotIncreasing {
                        objid,
                        tree: kind,
                        previous: prev.pgno_last,
                        pgno_last: n.extent.pgno_last,
                    });
                    last = Some((n.pool, n.extent));
                    continue;
                } else if n.extent.cpg > n.extent.pgno_last - prev.pgno_last {
                    findings.push(SpaceFinding::ExtentsOverlap {
                        objid,
                        tree: kind,
                        previous: prev,
                        extent: n.extent,
                    });
                    last = Some((n.pool, n.extent));
                    continue;
                }
            }
            last = Some((n.pool, n.extent));
            if n.extent.pgno_first().is_none() {
                // Empty, or reaching below page 1: no page to record.
                if n.extent.cpg != 0 {
                    findings.push(SpaceFinding::BadNode {
                        objid,
                        tree: kind,
                        pgno,
                    });
                }
                continue;
            }
            match kind {
                SpaceTree::Owned => space.owned.push(n.extent),
                SpaceTree::Available => space.avail.push((n.pool, n.extent)),
            }
        }
        // Popped last-in first-out: the lowest key is walked next.
        stack.extend(children.into_iter().rev());
    }
}

fn run_of(e: &Extent, objid: u32) -> Option<Run> {
    e.pgno_first().map(|first| Run {
        first,
        last: e.pgno_last,
        objid,
    })
}

/// Joins every tree's space into the map and finds the conflicts between trees (S4, S5, S7).
fn join(map: &mut SpaceMap, spaces: &[(Fdp, FdpSpace)]) {
    let parent_of: BTreeMap<u32, u32> = spaces.iter().map(|(f, _)| (f.objid, f.parent)).collect();
    let depth_of = |mut objid: u32| {
        let mut d = 0;
        while objid != OBJID_SYSTEM_ROOT && d <= 3 {
            match parent_of.get(&objid) {
                Some(&p) => objid = p,
                None => break,
            }
            d += 1;
        }
        d
    };
    let is_ancestor = |anc: u32, mut objid: u32| {
        for _ in 0..4 {
            match parent_of.get(&objid) {
                Some(&p) if p == anc => return true,
                Some(&p) if p != 0 => objid = p,
                _ => return false,
            }
        }
        false
    };

    // S4: owned runs per level; same-level overlaps are pages owned twice.
    let mut levels: BTreeMap<u32, Vec<Run>> = BTreeMap::new();
    let mut owned_by: BTreeMap<u32, Vec<Run>> = BTreeMap::new();
    for (fdp, space) in spaces {
        let runs: Vec<Run> = space.owned.iter().filter_map(|e| run_of(e, fdp.objid)).collect();
        levels
            .entry(depth_of(fdp.objid))
            .or_default()
            .extend(runs.iter().copied());
        owned_by.insert(fdp.objid, normalise(runs));
    }
    let mut owners: Vec<Run> = Vec::new();
    for runs in levels.values_mut() {
        runs.sort();
        let disjoint = disjoint_runs(runs, |objid, other, first, last| {
            map.findings.push(SpaceFinding::OwnedTwice {
                objid,
                other,
                first,
                last,
            })
        });
        owners = overlay(&owners, &disjoint);
    }
    for (fdp, _) in spaces.iter().filter(|(f, _)| f.objid != OBJID_SYSTEM_ROOT) {
        let parent = owned_by.get(&fdp.parent).map(Vec::as_slice).unwrap_or(&[]);
        for r in owned_by.get(&fdp.objid).map(Vec::as_slice).unwrap_or(&[]) {
            for (first, last) in uncovered(r.first, r.last, parent) {
                map.findings.push(SpaceFinding::NotOwnedByParent {
                    objid: fdp.objid,
                    parent: fdp.parent,
                    first,
                    last,
                });
            }
        }
    }

    // S5: available runs; overlaps are pages available twice; each page must be owned by the
    // tree that lists it (an ancestor listing a child's page: S4's "available to").
    let mut free: Vec<FreeRun> = Vec::new();
    for (fdp, space) in spaces {
        for (pool, e) in &space.avail {
            let Some(run) = run_of(e, fdp.objid) else { continue };
            if *pool == Pool::Shelved && fdp.objid != OBJID_SYSTEM_ROOT {
                map.findings.push(SpaceFinding::ShelvedOutsideRoot {
                    objid: fdp.objid,
                    first: run.first,
                    last: run.last,
                });
            }
            free.push(FreeRun { run, pool: *pool });
        }
    }
    free.sort();
    for f in free.iter().filter(|f| f.pool != Pool::Shelved) {
        for (first, last, owner) in owners_over(&owners, f.run.first, f.run.last) {
            if owner == Some(f.run.objid) {
                continue;
            }
            let finding = match owner {
                Some(child) if is_ancestor(f.run.objid, child) => SpaceFinding::OwnedButAvailable {
                    objid: child,
                    available_to: f.run.objid,
                    first,
                    last,
                },
                _ => SpaceFinding::AvailableNotOwned {
                    objid: f.run.objid,
                    owner,
                    first,
                    last,
                },
            };
            map.findings.push(finding);
        }
    }

    let mut disjoint_free: Vec<FreeRun> = Vec::new();
    for f in free {
        let mut f = f;
        if let Some(prev) = disjoint_free.last() {
            if f.run.first <= prev.run.last {
                map.findings.push(SpaceFinding::AvailableTwice {
                    objid: f.run.objid,
                    other: prev.run.objid,
                    first: f.run.first,
                    last: f.run.last.min(prev.run.last),
                });
                if f.run.last <= prev.run.last {
                    continue;
                }
                f.run.first = prev.run.last + 1;
            }
        }
        disjoint_free.push(f);
    }
    // S7: split buffers, owned by the tree or its parent and available to nobody.
    let mut split: Vec<Run> = Vec::new();
    for (fdp, space) in spaces {
        for run in space.split.iter().filter_map(|e| run_of(e, fdp.objid)) {
            for (first, last, owner) in owners_over(&owners, run.first, run.last) {
                if owner != Some(fdp.objid) && owner != Some(fdp.parent) {
                    map.findings.push(SpaceFinding::SplitBufferNotOwned {
                        objid: fdp.objid,
                        first,
                        last,
                    });
                }
            }
            for f in &disjoint_free {
                let (first, last) = (f.run.first.max(run.first), f.run.last.min(run.last));
                if first <= last {
                    map.findings.push(SpaceFinding::SplitBufferAvailable {
                        objid: fdp.objid,
                        available_to: f.run.objid,
                        first,
                        last,
                    });
                }
            }
            split.push(run);
        }
    }
    split.sort();
    map.owners = owners;
    map.free = disjoint_free;
    map.split = disjoint_runs(&split, |_, _, _, _| {});
}

/// Sorted runs made disjoint: a run's pages already covered by an earlier one are reported
/// through `overlap(objid, other, first, last)` and dropped.
fn disjoint_runs(sorted: &[Run], mut overlap: impl FnMut(u32, u32, u32, u32)) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for &r in sorted {
        let mut r = r;
        if let Some(prev) = out.last() {
            if r.first <= prev.last {
                overlap(r.objid, prev.objid, r.first, r.last.min(prev.last));
                if r.last <= prev.last {
                    continue;
                }
                r.first = prev.last + 1;
            }
        }
        out.push(r);
    }
    out
}

/// Runs sorted and made disjoint, with adjacent runs merged (one tree's owned space).
fn normalise(mut runs: Vec<Run>) -> Vec<Run> {
    runs.sort();
    let mut out: Vec<Run> = Vec::new();
    for r in runs {
        match out.last_mut() {
            Some(prev) if r.first <= prev.last.saturating_add(1) => prev.last = prev.last.max(r.last),
            _ => out.push(r),
        }
    }
    out
}

/// The parts of `first..=last` that `cover` (sorted, disjoint) does not hold.
fn uncovered(first: u32, last: u32, cover: &[Run]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut at = first;
    let start = cover.partition_point(|c| c.last < first);
    for c in &cover[start..] {
        if c.first > last || at > last {
            break;
        }
        if c.first > at {
            out.push((at, c.first - 1));
        }
        match c.last.checked_add(1) {
            Some(n) => at = at.max(n),
            None => return out,
        }
    }
    if at <= last {
        out.push((at, last));
    }
    out
}

/// `first..=last` cut into parts by owner (sorted, disjoint `owners`), `None` where no tree
/// owns the pages.
fn owners_over(owners: &[Run], first: u32, last: u32) -> Vec<(u32, u32, Option<u32>)> {
    let mut out = Vec::new();
    let mut at = first;
    let start = owners.partition_point(|o| o.last < first);
    for o in &owners[start..] {
        if o.first > last || at > last {
            break;
        }
        if o.first > at {
            out.push((at, o.first - 1, None));
        }
        let end = o.last.min(last);
        out.push((at.max(o.first), end, Some(o.objid)));
        match end.checked_add(1) {
            Some(n) => at = n,
            None => return out,
        }
    }
    if at <= last {
        out.push((at, last, None));
    }
    out
}

/// `base` with `top` laid over it (both sorted and disjoint): where they meet, `top`'s owner.
fn overlay(base: &[Run], top: &[Run]) -> Vec<Run> {
    let mut out: Vec<Run> = top.to_vec();
    for b in base {
        out.extend(uncovered(b.first, b.last, top).into_iter().map(|(first, last)| Run {
            first,
            last,
            objid: b.objid,
        }));
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::node::node_flags;
    use crate::format::node::tests::{build_page, node_bytes};
    use crate::format::page::flags;
    use std::collections::HashMap;

    const ROOT_LEAF: u32 = flags::ROOT | flags::LEAF;

    /// A 16-byte SPACE_HEADER.
    fn header(cpg: u32, parent: u32, sph_flags: u32, last: u32) -> Vec<u8> {
        [cpg, parent, sph_flags, last]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }

    /// A space-tree node: `pool` None = a 4-byte key, else `0x80 | pool` and the page.
    fn space_node(pool: Option<u8>, last: u32, cpg: u32) -> Vec<u8> {
        let mut key = pool.map(|p| vec![0x80 | p]).unwrap_or_default();
        key.extend_from_slice(&last.to_be_bytes());
        node_bytes(None, &key, &cpg.to_le_bytes())
    }

    /// A test database: pages by number.
    struct Db(HashMap<u32, Vec<u8>>);

    impl Db {
        fn fdp(&mut self, pgno: u32, objid: u32, header: Vec<u8>) {
            self.0.insert(pgno, build_page(4096, objid, ROOT_LEAF, &[(&header, 0)]));
        }

        /// A one-page space tree at `pgno` with a split buffer `split` (empty or 16 bytes) and
        /// the given nodes (bytes, node flags).
        fn space(&mut self, pgno: u32, objid: u32, split: &[u8], nodes: &[(Vec<u8>, u16)]) {
            let mut values: Vec<(&[u8], u16)> = vec![(split, 0)];
            values.extend(nodes.iter().map(|(n, f)| (n.as_slice(), *f)));
            self.0
                .insert(pgno, build_page(4096, objid, ROOT_LEAF | flags::SPACE_TREE, &values));
        }

        fn map(&self, fdps: &[Fdp]) -> SpaceMap {
            build_space_map(|p| self.0.get(&p).map(Vec::as_slice), fdps)
        }
    }

    fn ext(last: u32, cpg: u32) -> (Vec<u8>, u16) {
        (space_node(None, last, cpg), 0)
    }

    /// Root owns 1..=40, 31..=40 free; table 5 at 20 (OE 21, AE 22) owns 20..=29, 26..=29 free;
    /// its index 6 at 23, single extent 23..=25, page 24 free.
    fn healthy() -> Db {
        let mut db = Db(HashMap::new());
        db.fdp(1, 1, header(40, 0, 1, 2));
        db.space(2, 1, &[], &[ext(40, 40)]);
        db.space(3, 1, &[], &[ext(40, 10)]);
        db.fdp(20, 5, header(10, 1, 1, 21));
        db.space(21, 5, &[], &[ext(29, 10)]);
        db.space(22, 5, &[], &[ext(29, 4)]);
        db.fdp(23, 6, header(3, 20, 0, 0b1));
        db
    }

    const FDPS: [Fdp; 2] = [
        Fdp {
            objid: 5,
            pgno_fdp: 20,
            parent: 1,
        },
        Fdp {
            objid: 6,
            pgno_fdp: 23,
            parent: 5,
        },
    ];

    fn has(map: &SpaceMap, want: &SpaceFinding) -> bool {
        map.findings.contains(want)
    }

    #[test]
    fn a_healthy_database_has_an_owner_for_every_page_and_no_finding() {
        let map = healthy().map(&FDPS);
        assert_eq!(map.findings, vec![]);
        assert_eq!(map.root_owned_pages(), 40);
        assert_eq!(map.available_pages(), 10 + 4 + 1);
        assert_eq!(map.owner(24), Some(6));
        assert_eq!(map.owner(21), Some(5));
        assert_eq!(map.owner(35), Some(1));
        assert_eq!(map.owner(41), None);
        assert_eq!(
            map.page(35),
            PageSpace::Available {
                objid: 1,
                pool: Pool::General
            }
        );
        assert_eq!(
            map.page(24),
            PageSpace::Available {
                objid: 6,
                pool: Pool::General
            }
        );
        assert_eq!(map.page(25), PageSpace::InUse { owner: 6 });
        assert_eq!(map.page(41), PageSpace::NotOwned);
        assert_eq!(map.last_owned_pgno(), Some(40));
        assert_eq!(map.trees[&5].space_tree_pages, vec![21, 22]);
        assert_eq!(map.trees[&6].owned_pages, 3);
    }

    #[test]
    fn single_extent_pages_past_the_bitmap_are_available() {
        // space.cxx:4560-4580: pages beyond cpgSmallSpaceAvailMost are always available.
        let mut db = healthy();
        db.fdp(1, 1, header(80, 0, 1, 2));
        db.space(2, 1, &[], &[ext(80, 80)]);
        db.space(3, 1, &[], &[]);
        db.fdp(20, 5, header(40, 1, 0, 0));
        let map = db.map(&FDPS[..1]);
        assert_eq!(map.findings, vec![]);
        // 20..=59 owned; bits 0..31 clear (21..=52 in use), 53..=59 available.
        assert_eq!(map.trees[&5].available_pages, 7);
        assert_eq!(map.page(52), PageSpace::InUse { owner: 5 });
        assert_eq!(
            map.page(53),
            PageSpace::Available {
                objid: 5,
                pool: Pool::General
            }
        );
    }

    #[test]
    fn a_single_extent_of_no_pages_owns_nothing_and_does_not_panic() {
        // A hostile space header with cpgPrimary 0 (the fuzzer's first find on this module).
        let mut db = healthy();
        db.fdp(20, 5, header(0, 1, 0, 0));
        let map = db.map(&FDPS[..1]);
        assert_eq!((map.trees[&5].owned_pages, map.trees[&5].available_pages), (0, 0));
    }

    #[test]
    fn a_child_extent_the_parent_does_not_own_is_a_conflict() {
        let mut db = healthy();
        db.space(21, 5, &[], &[ext(29, 10), ext(45, 5)]);
        let map = db.map(&FDPS);
        let f = SpaceFinding::NotOwnedByParent {
            objid: 5,
            parent: 1,
            first: 41,
            last: 45,
        };
        assert!(has(&map, &f), "{:?}", map.findings);
        assert_eq!(f.code(), -343);
        assert_eq!(map.owner(43), Some(5));
    }

    #[test]
    fn a_page_claimed_by_two_trees_is_a_conflict() {
        let mut db = healthy();
        db.fdp(15, 7, header(8, 1, 0, 0));
        let mut fdps = FDPS.to_vec();
        fdps.push(Fdp {
            objid: 7,
            pgno_fdp: 15,
            parent: 1,
        });
        let map = db.map(&fdps);
        let f = SpaceFinding::OwnedTwice {
            objid: 5,
            other: 7,
            first: 20,
            last: 22,
        };
        assert!(has(&map, &f), "{:?}", map.findings);
        assert_eq!(f.code(), -343);
    }

    #[test]
    fn a_childs_page_its_parent_lists_as_available_is_a_conflict() {
        let mut db = healthy();
        db.space(22, 5, &[], &[ext(29, 7)]);
        let map = db.map(&FDPS);
        let f = SpaceFinding::OwnedButAvailable {
            objid: 6,
            available_to: 5,
            first: 23,
            last: 25,
        };
        assert!(has(&map, &f), "{:?}", map.findings);
        // Page 24 is also in the index's own bitmap.
        assert!(map
            .findings
            .iter()
            .any(|f| matches!(f, SpaceFinding::AvailableTwice { first: 24, .. })));
    }

    #[test]
    fn an_available_page_another_tree_owns_is_a_conflict() {
        let mut db = healthy();
        db.space(22, 5, &[], &[ext(29, 4), ext(35, 2)]);
        let map = db.map(&FDPS);
        let f = SpaceFinding::AvailableNotOwned {
            objid: 5,
            owner: Some(1),
            first: 34,
            last: 35,
        };
        assert!(has(&map, &f), "{:?}", map.findings);
        assert!(map
            .findings
            .iter()
            .any(|f| matches!(f, SpaceFinding::AvailableTwice { objid: 5, other: 1, .. })));
        assert_eq!(f.code(), -341);
    }

    #[test]
    fn a_page_available_to_two_trees_is_a_conflict() {
        let mut db = healthy();
        db.space(3, 1, &[], &[ext(40, 12)]);
        let map = db.map(&FDPS);
        let f = SpaceFinding::AvailableTwice {
            objid: 1,
            other: 5,
            first: 29,
            last: 29,
        };
        assert!(has(&map, &f), "{:?}", map.findings);
        assert_eq!(f.code(), -341);
    }

    #[test]
    fn shelved_pages_belong_only_to_the_root() {
        let mut db = healthy();
        db.space(22, 5, &[], &[ext(29, 4), (space_node(Some(2), 50, 2), 0)]);
        let map = db.map(&FDPS);
        assert!(has(
            &map,
            &SpaceFinding::ShelvedOutsideRoot {
                objid: 5,
                first: 49,
                last: 50
            }
        ));
        // Shelved pages of the root are not available space.
        let mut db = healthy();
        db.space(3, 1, &[], &[ext(40, 10), (space_node(Some(2), 50, 2), 0)]);
        let map = db.map(&FDPS);
        assert_eq!(map.findings, vec![]);
        assert_eq!((map.trees[&1].available_pages, map.trees[&1].shelved_pages), (10, 2));
    }

    #[test]
    fn keys_must_increase_and_extents_must_not_overlap_within_a_pool() {
        let mut db = healthy();
        db.space(2, 1, &[], &[ext(40, 20), ext(20, 20)]);
        let map = db.map(&FDPS);
        let f = SpaceFinding::KeysNotIncreasing {
            objid: 1,
            tree: SpaceTree::Owned,
            previous: 40,
            pgno_last: 20,
        };
        assert!(has(&map, &f), "{:?}", map.findings);
        assert_eq!(f.code(), -343);

        let mut db = healthy();
        db.space(3, 1, &[], &[ext(35, 5), ext(40, 6)]);
        let map = db.map(&FDPS);
        let f = SpaceFinding::ExtentsOverlap {
            objid: 1,
            tree: SpaceTree::Available,
            previous: Extent { pgno_last: 35, cpg: 5 },
            extent: Extent { pgno_last: 40, cpg: 6 },
        };
        assert!(has(&map, &f), "{:?}", map.findings);
        assert_eq!(f.code(), -341);

        // Another pool starts its own order (repair.cxx:12016 compares within a pool only).
        let mut db = healthy();
        db.space(3, 1, &[], &[ext(40, 10), (space_node(Some(1), 35, 1), 0)]);
        assert!(db
            .map(&FDPS)
            .findings
            .iter()
            .all(|f| !matches!(f, SpaceFinding::KeysNotIncreasing { .. })));
    }

    #[test]
    fn malformed_versioned_and_deleted_nodes() {
        let mut db = healthy();
        let short = node_bytes(None, &[0, 0, 40], &10u32.to_le_bytes());
        db.space(
            3,
            1,
            &[],
            &[(short, 0), (space_node(None, 40, 10), node_flags::VERSION)],
        );
        let map = db.map(&FDPS);
        assert!(has(
            &map,
            &SpaceFinding::BadNode {
                objid: 1,
                tree: SpaceTree::Available,
                pgno: 3
            }
        ));
        assert!(has(
            &map,
            &SpaceFinding::VersionedNode {
                objid: 1,
                tree: SpaceTree::Available,
                pgno: 3
            }
        ));
        // A deleted node is no extent (the shadow catalog's AE tree in real files).
        let mut db = healthy();
        db.space(22, 5, &[], &[(space_node(None, 29, 4), node_flags::DELETED)]);
        let map = db.map(&FDPS);
        assert_eq!(map.findings, vec![]);
        assert_eq!(map.trees[&5].available_pages, 0);
    }

    #[test]
    fn space_header_rules() {
        let mut db = healthy();
        db.fdp(23, 6, header(3, 99, 0, 0));
        assert!(has(
            &db.map(&FDPS),
            &SpaceFinding::WrongParent {
                objid: 6,
                pgno_parent: 99,
                expected: 20
            }
        ));
        let mut db = healthy();
        db.fdp(20, 5, header(10, 1, 1, 0));
        assert!(has(
            &db.map(&FDPS),
            &SpaceFinding::BadSpaceTreeRoot { objid: 5, pgno_oe: 0 }
        ));
        let mut db = healthy();
        db.fdp(20, 5, vec![0; 10]);
        assert!(has(
            &db.map(&FDPS),
            &SpaceFinding::BadSpaceHeader { objid: 5, pgno_fdp: 20 }
        ));
        // The 25-byte form: a flags byte (space header + auto-increment), 16, 8.
        let mut db = healthy();
        let mut long = vec![0x3];
        long.extend(header(10, 1, 1, 21));
        long.extend([0; 8]);
        db.fdp(20, 5, long);
        assert_eq!(db.map(&FDPS).findings, vec![]);
    }

    #[test]
    fn split_buffers_are_reserved_owned_and_not_available() {
        let split =
            |last: u32, cpg: u32| -> Vec<u8> { [last, cpg, 0, 0].iter().flat_map(|v| v.to_le_bytes()).collect() };
        let mut db = healthy();
        db.space(21, 5, &split(25, 0), &[ext(29, 10)]);
        db.space(22, 5, &split(29, 1), &[ext(28, 3)]);
        let map = db.map(&FDPS);
        assert_eq!(map.findings, vec![]);
        assert_eq!(map.page(29), PageSpace::SplitBuffer { objid: 5 });
        assert_eq!(map.trees[&5].split_buffer_pages, 1);

        let mut db = healthy();
        db.space(21, 5, &split(45, 2), &[ext(29, 10)]);
        assert!(has(
            &db.map(&FDPS),
            &SpaceFinding::SplitBufferNotOwned {
                objid: 5,
                first: 44,
                last: 45
            }
        ));
        let mut db = healthy();
        db.space(21, 5, &split(35, 1), &[ext(29, 10)]);
        assert!(has(
            &db.map(&FDPS),
            &SpaceFinding::SplitBufferAvailable {
                objid: 5,
                available_to: 1,
                first: 35,
                last: 35
            }
        ));
    }

    #[test]
    fn hostile_space_trees_end_in_a_finding_not_a_loop() {
        // An internal OE page whose child is itself.
        let mut db = healthy();
        let child = node_bytes(None, &40u32.to_be_bytes(), &2u32.to_le_bytes());
        db.0.insert(
            2,
            build_page(4096, 1, flags::ROOT | flags::SPACE_TREE, &[(&[], 0), (&child, 0)]),
        );
        let map = db.map(&FDPS);
        assert!(has(
            &map,
            &SpaceFinding::Unreadable {
                objid: 1,
                pgno: 2,
                fault: SpaceFault::Cycle
            }
        ));
        // Unreadable, blank and foreign pages.
        let mut db = healthy();
        db.0.remove(&22);
        db.0.insert(21, vec![0; 4096]);
        db.space(2, 9, &[], &[ext(40, 40)]);
        let map = db.map(&FDPS);
        for (objid, pgno, fault) in [
            (5, 22, SpaceFault::Unreadable),
            (5, 21, SpaceFault::Blank),
            (1, 2, SpaceFault::WrongObjid { objid_fdp: 9 }),
        ] {
            assert!(
                has(&map, &SpaceFinding::Unreadable { objid, pgno, fault }),
                "{:?}",
                map.findings
            );
        }
        // Extents reaching below page 1 or up to u32::MAX do not panic.
        let mut db = healthy();
        db.space(2, 1, &[], &[ext(3, 9), ext(40, 37), ext(u32::MAX, u32::MAX / 4)]);
        let map = db.map(&FDPS);
        assert!(!map.findings.is_empty());
        assert_eq!(map.owner(u32::MAX), Some(1));
        // A single extent of 2^32 - 1 pages is not a loop over every page; the part past the
        // 32-bit page space holds no page.
        let mut db = healthy();
        db.fdp(23, 6, header(u32::MAX, 20, 0, u32::MAX));
        let map = db.map(&FDPS);
        assert_eq!(map.trees[&6].available_pages, 32);
        let mut db = healthy();
        db.fdp(23, 6, header(u32::MAX - 23, 20, 0, 0));
        let map = db.map(&FDPS);
        assert_eq!(map.trees[&6].available_pages, u64::from(u32::MAX - 23 - 33));
    }

    #[test]
    fn runs_laid_over_runs_keep_the_most_specific_owner() {
        let r = |first, last, objid| Run { first, last, objid };
        let base = [r(1, 10, 1), r(20, 30, 1)];
        let top = [r(5, 7, 2), r(9, 22, 3), r(40, 41, 4)];
        assert_eq!(
            overlay(&base, &top),
            vec![
                r(1, 4, 1),
                r(5, 7, 2),
                r(8, 8, 1),
                r(9, 22, 3),
                r(23, 30, 1),
                r(40, 41, 4)
            ]
        );
        assert_eq!(uncovered(1, 10, &[r(0, 2, 1), r(5, 5, 1)]), vec![(3, 4), (6, 10)]);
        assert_eq!(
            owners_over(&base, 8, 21),
            vec![(8, 10, Some(1)), (11, 19, None), (20, 21, Some(1))]
        );
    }
}
