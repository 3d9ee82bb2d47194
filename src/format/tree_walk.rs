//! The tree walk (issue 22 rule 8; LOGICAL-INTEGRITY.md §2.3 T1–T10 and §2.2 S9): every tree
//! of the catalog walked from its root, level by level, and the pages in use that no tree
//! reaches.
//!
//! Pure: pages come from the caller through a closure (`None` = the caller cannot trust the
//! page), as [`read_catalog`](super::catalog::read_catalog) and
//! [`build_space_map`](super::space_map::build_space_map) take them. Findings are typed, each
//! with the engine's code, and not graded: whether one is an error, a warning or information
//! depends on the database's state (LOGICAL-INTEGRITY.md §2, Clean and Dirty columns), which is
//! the caller's to apply.
//!
//! The trees: the database root (objid 1 at page 1), every table's data tree (MSysObjects and
//! MSysObjectsShadow as [`TreeKind::Catalog`]), every secondary index and long-value tree, and the
//! owned- and available-extent trees of every FDP with multiple extents
//! ([`TreeKind::Space`]). Each is walked breadth first, one level at a time, left to right: a
//! level's pages are the children of the level above, in key order, so the leaf chain is checked
//! as the leaves come (no list of leaves is kept) and "all children at one level" holds by
//! construction, with the flags checked against it.
//!
//! Memory: one bit per page of the owned space (pages reached, across all trees), the pages of
//! the level being walked and of the next (4 bytes each, at most a tree's widest two levels) and
//! one [`WalkedTree`] per tree: far below the issue's 24 bytes per page.

use super::bytes::{FormatError, Reader};
use super::catalog::{Catalog, ObjectKind, MAX_TREE_DEPTH, OBJID_FDP_MSO, OBJID_FDP_MSO_SHADOW};
use super::node::{KeyDataFlags, NodePage};
use super::page::{flags as page_flags, PageHeader};
use super::space::Extents;
use super::space_map::{PageSpace, SpaceMap, SpaceTree, OBJID_SYSTEM_ROOT, PGNO_SYSTEM_ROOT};
use std::collections::{BTreeMap, BTreeSet};

/// `JET_errBadPageLink` (−327): a leaf's sibling links disagree with the walk.
pub(crate) const ERR_BAD_PAGE_LINK: i32 = -327;
/// `JET_errBadParentPageLink` (−338): an internal page, a child pointer or a level is wrong.
pub(crate) const ERR_BAD_PARENT_PAGE_LINK: i32 = -338;
/// `JET_errSPAvailExtCorrupted` (−341): a page a tree uses is listed as free.
pub(crate) const ERR_SP_AVAIL_EXT_CORRUPTED: i32 = -341;
/// `JET_errSPOwnExtCorrupted` (−343): a page a tree uses is owned by another tree, or by none.
pub(crate) const ERR_SP_OWN_EXT_CORRUPTED: i32 = -343;
/// `JET_errDbTimeCorrupted` (−344): a page's dbtime is above the database header's.
pub(crate) const ERR_DB_TIME_CORRUPTED: i32 = -344;
/// `JET_errBadEmptyPage` (−351): a leaf that is not a root holds no node.
pub(crate) const ERR_BAD_EMPTY_PAGE: i32 = -351;
/// `JET_errPageTagCorrupted` (−357): a page's header or tag array cannot be read.
pub(crate) const ERR_PAGE_TAG_CORRUPTED: i32 = -357;
/// `JET_errNodeCorrupted` (−358): a node's lengths run past its tag.
pub(crate) const ERR_NODE_CORRUPTED: i32 = -358;
/// `JET_errReadVerifyFailure` (−1018): the caller could not give the page.
pub(crate) const ERR_READ_VERIFY_FAILURE: i32 = -1018;
/// `JET_errPageNotInitialized` (−1019): a page a tree reaches is all zero.
pub(crate) const ERR_PAGE_NOT_INITIALIZED: i32 = -1019;
/// `JET_errDatabaseCorrupted` (−1206): what `/g` returns for a page of the wrong tree.
pub(crate) const ERR_DATABASE_CORRUPTED: i32 = -1206;

/// What a tree is (issue 22's JSON `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeKind {
    /// The database root's own tree (objid 1 at page 1): a single root page in every real file.
    DatabaseRoot,
    /// A table's data tree (its primary index).
    Data,
    /// A table's long-value tree.
    LongValues,
    /// A secondary index.
    Index,
    /// MSysObjects' or MSysObjectsShadow's data tree.
    Catalog,
    /// The owned- or available-extent tree of an FDP.
    Space(SpaceTree),
}

impl TreeKind {
    /// The page flags of a tree of this kind (`fPageIndex`, `fPageLongValue`; a space tree's
    /// `fPageSpaceTree` is added by the caller, with its FDP's flags).
    fn kind_flags(self) -> u32 {
        match self {
            TreeKind::Space(_) => page_flags::SPACE_TREE,
            TreeKind::Index => page_flags::INDEX,
            TreeKind::LongValues => page_flags::LONG_VALUE,
            TreeKind::DatabaseRoot | TreeKind::Data | TreeKind::Catalog => 0,
        }
    }

    /// Leaf nodes of this kind are records.
    pub fn holds_records(self) -> bool {
        matches!(self, TreeKind::Data | TreeKind::Catalog)
    }
}

/// One tree: whose it is and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeRef {
    /// The tree's objid (a space tree: its FDP's).
    pub objid: u32,
    /// What it is.
    pub kind: TreeKind,
}

/// One tree as walked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkedTree {
    /// The tree.
    pub tree: TreeRef,
    /// The table it belongs to (its own objid for a table; 1 for the database root and the
    /// root's space trees).
    pub objid_table: u32,
    /// Its root page.
    pub pgno_root: u32,
    /// Pages reached (first time, by this tree).
    pub pages: u64,
    /// Of them, leaves.
    pub leaves: u64,
    /// Of them, internal pages.
    pub internal: u64,
    /// Leaf nodes not flagged deleted (records, for [`TreeKind::holds_records`]).
    pub live_nodes: u64,
    /// Levels walked (1 = a root that is a leaf).
    pub levels: u32,
    /// Pages the tree should reach as leaves (their parent is a parent of leaves) that could not
    /// be walked: unreadable, blank, malformed or another tree's. Ascending.
    pub lost_leaves: Vec<u32>,
    /// The same for the root and internal pages (the leaves below them are not reached).
    pub lost_internal: Vec<u32>,
    /// Leaves the tree does not reach through its internal pages but its leaf chain still links
    /// to (a leaf's `pgnoNext` or `pgnoPrev` names them): what repair could recover. In chain
    /// order.
    pub recoverable_leaves: Vec<u32>,
    /// Live nodes of those leaves.
    pub recoverable_nodes: u64,
}

impl WalkedTree {
    /// Live records: the non-deleted leaf nodes of a data or catalog tree.
    pub fn records(&self) -> Option<u64> {
        self.tree.kind.holds_records().then_some(self.live_nodes)
    }
}

/// A structural finding of the walk (LOGICAL-INTEGRITY.md §2.3), with the engine's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeFinding {
    /// The caller could not give a page the tree reaches (T5; repair.cxx:7008–7012).
    Unreadable {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
    },
    /// A page the tree reaches is all zero (T5; repair.cxx:7250–7256).
    Blank {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
    },
    /// The page's header or tag array (−357), or a node (−358), does not parse (cpage.cxx:
    /// 4803–4960, repair.cxx:7335–7393).
    Malformed {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
        /// What could not be read.
        error: FormatError,
    },
    /// The tree's root page lacks the root flag ("pgnoRoot is not a root page",
    /// repair.cxx:7014–7018; T1).
    NotARoot {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
    },
    /// A reached page carries another tree's objid ("page belongs to different tree",
    /// repair.cxx:7093–7099; T2).
    WrongObjid {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
        /// The `objidFDP` it carries.
        objid_fdp: u32,
    },
    /// A reached page lacks its kind's flag, or carries another kind's ("page flag mismatch
    /// with FDP", repair.cxx:7102–7107; T3).
    WrongFlags {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
        /// Its `fFlags`.
        flags: u32,
    },
    /// A reached page is owned by another tree, or by none ("space allocation error. page is
    /// owned by objid", repair.cxx:7118–7129; T4).
    NotOwned {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
        /// Its most specific owner per the space map, if any.
        owner: Option<u32>,
    },
    /// A reached page is listed as free ("page is available to objid", repair.cxx:7130–7140;
    /// T4).
    Available {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
        /// The tree it is available to.
        objid: u32,
    },
    /// A page reached a second time, by this tree (a cycle, a child pointing to itself or its
    /// ancestor) or by another (a page claimed by two trees) (T6: what `/g`'s ownership array
    /// implies, made explicit).
    ReachedTwice {
        /// The tree reaching it again.
        tree: TreeRef,
        /// The page.
        pgno: u32,
    },
    /// The tree is deeper than [`MAX_TREE_DEPTH`].
    TooDeep {
        /// The tree.
        tree: TreeRef,
        /// The first page of the level beyond.
        pgno: u32,
    },
    /// An internal page's node is not a 4-byte child page number, is flagged deleted, or names
    /// page 0 or a page beyond the owned space (repair.cxx:7465–7500, 7236–7241; T7).
    BadChild {
        /// The tree.
        tree: TreeRef,
        /// The internal page.
        pgno: u32,
        /// The node's tag.
        itag: u16,
    },
    /// An internal page holds no node, or has sibling links ("empty internal page", "pgno next
    /// is non-NULL", repair.cxx:7540–7556; T7).
    BadInternalPage {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
    },
    /// A level mixes leaves and internal pages, or a parent's parent-of-leaf flag disagrees
    /// with its children ("b-tree depth different", repair.cxx:7281–7315; T8).
    BadLevel {
        /// The tree.
        tree: TreeRef,
        /// The page whose flags disagree.
        pgno: u32,
    },
    /// A leaf that is not the root holds no node ("empty leaf page (non-root)",
    /// repair.cxx:7752–7756; T10).
    EmptyLeaf {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
    },
    /// A leaf's sibling links disagree with the leaves in key order: its `pgnoPrev` is not the
    /// previous leaf, the previous leaf's `pgnoNext` is not this page, or the last leaf has a
    /// `pgnoNext` ("bad leaf page links", "corrupt leaf links", repair.cxx:7758–7769, 7040–7044;
    /// T9).
    BadSiblingLink {
        /// The tree.
        tree: TreeRef,
        /// The leaf whose links, or whose neighbour's, disagree.
        pgno: u32,
        /// Its `pgnoPrev`.
        pgno_prev: u32,
        /// Its `pgnoNext`.
        pgno_next: u32,
    },
    /// A node whose key is not above the previous node's on the page ("nodes out of order",
    /// "illegal duplicate key", repair.cxx:7488–7500, 7688–7704; key and data for an index, whose
    /// keys may repeat), an internal page's NULL key that is not its last ("NULL key is not last
    /// key in page", 7236), or an internal node's prefix of one byte ("incorrectly compressed
    /// key", 7477) (T11, page-local).
    KeyOrder {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
        /// The node's tag.
        itag: u16,
    },
    /// A reached page's dbtime is above the database header's `dbtimeDirtied` ("dbtime is larger
    /// than database dbtime", repair.cxx:7109–7115; D1).
    DbtimeTooLarge {
        /// The tree.
        tree: TreeRef,
        /// The page.
        pgno: u32,
        /// Its dbtime.
        dbtime: u64,
    },
}

impl TreeFinding {
    /// The engine's code (LOGICAL-INTEGRITY.md §2.3; `/g` itself returns −1206 for T1–T4).
    pub fn code(&self) -> i32 {
        match self {
            TreeFinding::Unreadable { .. } => ERR_READ_VERIFY_FAILURE,
            TreeFinding::Blank { .. } => ERR_PAGE_NOT_INITIALIZED,
            TreeFinding::Malformed { error, .. } => {
                if matches!(error.structure, "node" | "prefix source") {
                    ERR_NODE_CORRUPTED
                } else {
                    ERR_PAGE_TAG_CORRUPTED
                }
            }
            TreeFinding::NotARoot { .. }
            | TreeFinding::WrongObjid { .. }
            | TreeFinding::WrongFlags { .. }
            | TreeFinding::KeyOrder { .. } => ERR_DATABASE_CORRUPTED,
            TreeFinding::NotOwned { .. } => ERR_SP_OWN_EXT_CORRUPTED,
            TreeFinding::Available { .. } => ERR_SP_AVAIL_EXT_CORRUPTED,
            TreeFinding::ReachedTwice { .. }
            | TreeFinding::TooDeep { .. }
            | TreeFinding::BadChild { .. }
            | TreeFinding::BadInternalPage { .. }
            | TreeFinding::BadLevel { .. } => ERR_BAD_PARENT_PAGE_LINK,
            TreeFinding::EmptyLeaf { .. } => ERR_BAD_EMPTY_PAGE,
            TreeFinding::BadSiblingLink { .. } => ERR_BAD_PAGE_LINK,
            TreeFinding::DbtimeTooLarge { .. } => ERR_DB_TIME_CORRUPTED,
        }
    }

    /// The page the finding is about.
    pub fn pgno(&self) -> u32 {
        match self {
            TreeFinding::Unreadable { pgno, .. }
            | TreeFinding::Blank { pgno, .. }
            | TreeFinding::Malformed { pgno, .. }
            | TreeFinding::NotARoot { pgno, .. }
            | TreeFinding::WrongObjid { pgno, .. }
            | TreeFinding::WrongFlags { pgno, .. }
            | TreeFinding::NotOwned { pgno, .. }
            | TreeFinding::Available { pgno, .. }
            | TreeFinding::ReachedTwice { pgno, .. }
            | TreeFinding::TooDeep { pgno, .. }
            | TreeFinding::BadChild { pgno, .. }
            | TreeFinding::BadInternalPage { pgno, .. }
            | TreeFinding::BadLevel { pgno, .. }
            | TreeFinding::EmptyLeaf { pgno, .. }
            | TreeFinding::BadSiblingLink { pgno, .. }
            | TreeFinding::KeyOrder { pgno, .. }
            | TreeFinding::DbtimeTooLarge { pgno, .. } => *pgno,
        }
    }
}

/// Why a page in use that no tree reaches is there (LOGICAL-INTEGRITY.md §2.2 S9, §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreached {
    /// Leak: the page is all zero (allocated, never written).
    Blank,
    /// Leak: its header names an object the catalog does not list (a deleted table).
    DeletedObject {
        /// The `objidFDP` it carries.
        objid_fdp: u32,
    },
    /// Leak: the page is flagged empty (freed, never returned to the available space).
    EmptyFlagged {
        /// The `objidFDP` it carries.
        objid_fdp: u32,
    },
    /// Orphan: its header names its owner tree, which does not reach it.
    Orphan,
    /// Its header names a live tree other than its owner.
    OtherTree {
        /// The `objidFDP` it carries.
        objid_fdp: u32,
    },
    /// The caller could not give the page.
    Unreadable,
}

impl Unreached {
    /// A leak (blank, a deleted object's, freed): space lost, no data.
    pub fn is_leak(&self) -> bool {
        matches!(
            self,
            Unreached::Blank | Unreached::DeletedObject { .. } | Unreached::EmptyFlagged { .. }
        )
    }
}

/// A page in use per the space map (owned, not available, not in a split buffer) that no tree
/// reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreachedPage {
    /// The page.
    pub pgno: u32,
    /// Its most specific owner per the space map.
    pub owner: u32,
    /// Why it is there.
    pub class: Unreached,
}

/// What the walk found.
#[derive(Debug, Clone, Default)]
pub struct TreeWalk {
    /// Every tree walked, in walk order.
    pub trees: Vec<WalkedTree>,
    /// The structural findings, in walk order.
    pub findings: Vec<TreeFinding>,
    /// The pages in use no tree reaches, by page number.
    pub unreached: Vec<UnreachedPage>,
    /// For each page of the `watch` set given to [`walk_trees_facts`]: the tree that reached
    /// it and how (`true`: through its leaf chain only).
    pub watched: BTreeMap<u32, (TreeRef, bool)>,
}

impl TreeWalk {
    /// Pages reached by any tree.
    pub fn pages_reached(&self) -> u64 {
        self.trees.iter().map(|t| t.pages).sum()
    }

    /// Live records of a table's data tree (MSysObjects' and the shadow's included).
    pub fn records(&self, objid_table: u32) -> Option<u64> {
        self.trees
            .iter()
            .find(|t| t.tree.objid == objid_table && t.tree.kind.holds_records())
            .map(|t| t.live_nodes)
    }
}

/// One bit per page: the pages reached.
struct Bitset(Vec<u64>);

impl Bitset {
    fn new(pages: u32) -> Self {
        Bitset(vec![0; (pages as usize).div_ceil(64) + 1])
    }

    /// Sets the bit; false when it was set already (or the page is out of range).
    fn insert(&mut self, pgno: u32) -> bool {
        let (w, b) = ((pgno / 64) as usize, pgno % 64);
        match self.0.get_mut(w) {
            Some(word) if *word & (1 << b) == 0 => {
                *word |= 1 << b;
                true
            }
            _ => false,
        }
    }

    fn contains(&self, pgno: u32) -> bool {
        let (w, b) = ((pgno / 64) as usize, pgno % 64);
        self.0.get(w).is_some_and(|word| word & (1 << b) != 0)
    }
}

/// A tree to walk: which, its table, its root page and the kind flags (`fPageSpaceTree`,
/// `fPageIndex`, `fPageLongValue`) each of its pages carries.
#[derive(Clone, Copy)]
struct Planned {
    tree: TreeRef,
    objid_table: u32,
    root: u32,
    flags: u32,
}

/// The trees to walk: the database root, the catalog's trees, then the space trees of every FDP
/// with multiple extents.
fn trees_of(catalog: &Catalog, space: &SpaceMap) -> Vec<Planned> {
    let mut out = vec![Planned {
        tree: TreeRef {
            objid: OBJID_SYSTEM_ROOT,
            kind: TreeKind::DatabaseRoot,
        },
        objid_table: OBJID_SYSTEM_ROOT,
        root: PGNO_SYSTEM_ROOT,
        flags: 0,
    }];
    let mut objects = catalog.objects();
    // MSysObjects and its shadow, when the catalog does not list them (fdps_of_catalog does the
    // same for the space map).
    for (objid, pgno) in [
        (OBJID_FDP_MSO, super::catalog::PGNO_FDP_MSO),
        (OBJID_FDP_MSO_SHADOW, super::catalog::PGNO_FDP_MSO_SHADOW),
    ] {
        objects.entry(objid).or_insert_with(|| super::catalog::CatalogObject {
            objid_table: objid,
            table: String::new(),
            kind: ObjectKind::Table,
            name: String::new(),
            pgno_fdp: pgno,
        });
    }
    for (&objid, o) in &objects {
        let kind = match o.kind {
            ObjectKind::Table if objid == OBJID_FDP_MSO || objid == OBJID_FDP_MSO_SHADOW => TreeKind::Catalog,
            ObjectKind::Table => TreeKind::Data,
            ObjectKind::Index => TreeKind::Index,
            ObjectKind::LongValues => TreeKind::LongValues,
        };
        out.push(Planned {
            tree: TreeRef { objid, kind },
            objid_table: o.objid_table,
            root: o.pgno_fdp,
            flags: kind.kind_flags(),
        });
    }
    for (&objid, t) in &space.trees {
        if let Some(Extents::Multiple { pgno_oe }) = t.header.map(|h| h.extents) {
            let objid_table = objects.get(&objid).map_or(objid, |o| o.objid_table);
            // A space tree's pages carry its FDP's flags too (repair.cxx:7102–7107 checks every
            // page against its FDP's; the corpus's index space trees carry `fPageIndex`).
            let fdp_flags = match objects.get(&objid).map(|o| o.kind) {
                Some(ObjectKind::Index) => page_flags::INDEX,
                Some(ObjectKind::LongValues) => page_flags::LONG_VALUE,
                _ => 0,
            };
            for (which, pgno) in [
                (SpaceTree::Owned, Some(pgno_oe)),
                (SpaceTree::Available, pgno_oe.checked_add(1)),
            ] {
                if let Some(pgno) = pgno {
                    let tree = TreeRef {
                        objid,
                        kind: TreeKind::Space(which),
                    };
                    out.push(Planned {
                        tree,
                        objid_table,
                        root: pgno,
                        flags: page_flags::SPACE_TREE | fdp_flags,
                    });
                }
            }
        }
    }
    out
}

/// What the walk needs of one page (issue 22 rule 7): read from the page once, in the scan's
/// pass ([`summarize`]), so the walk itself runs in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageFacts<'a> {
    /// The caller could not give the page (a checksum that fails, beyond the end of the file).
    Unreadable,
    /// The page is all zero.
    Blank,
    /// The page's header or tag array cannot be read; its header's `objidFDP` and `fFlags` when
    /// they could be.
    Malformed(FormatError, Option<(u32, u32)>),
    /// A page whose header and tag array were read.
    Page(PageSummary<'a>),
}

/// The facts of a page whose header and tag array could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSummary<'a> {
    /// `objidFDP`.
    pub objid_fdp: u32,
    /// `fFlags`.
    pub flags: u32,
    /// `pgnoPrev`.
    pub pgno_prev: u32,
    /// `pgnoNext`.
    pub pgno_next: u32,
    /// `dbtimeDirtied`.
    pub dbtime: u64,
    /// Node tags (tag 0, the external header, not counted).
    pub nodes: u16,
    /// Nodes not flagged deleted, up to the first that does not parse.
    pub live_nodes: u16,
    /// For an internal page (no leaf flag): each node's child page number, in tag order, 0 when
    /// the node is no child pointer (its data is not 4 bytes, or it is flagged deleted); up to
    /// the first node that does not parse.
    pub children: std::borrow::Cow<'a, [u32]>,
    /// The first node that does not parse (the nodes after it are not read).
    pub node_error: Option<FormatError>,
    /// The tag of the first node out of key order (T11), if any.
    pub key_order: Option<u16>,
}

impl PageSummary<'_> {
    /// The leaf flag.
    pub fn is_leaf(&self) -> bool {
        self.flags & page_flags::LEAF != 0
    }
}

/// Reads the facts the walk needs from a page's bytes: the header, the tag array, each node's
/// flags, key order (T11) and, on an internal page, its child page numbers.
pub fn summarize(bytes: &[u8]) -> PageFacts<'static> {
    if bytes.iter().all(|&b| b == 0) {
        return PageFacts::Blank;
    }
    let p = match NodePage::parse(bytes) {
        Ok(p) => p,
        Err(error) => {
            let header = PageHeader::parse(bytes).ok().map(|h| (h.objid_fdp, h.flags));
            return PageFacts::Malformed(error, header);
        }
    };
    // `dbtimeDirtied` at offset 8 in both headers (ESE-FORMAT.md §3); `parse` read the rest.
    let dbtime = bytes
        .get(8..16)
        .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
    let leaf = p.is_leaf();
    // An index's keys may repeat: its nodes are ordered by key, then data (CmpKeyData); every
    // other tree's keys are unique (CmpKey). Key and data is never stricter than the key alone.
    let with_data = p.flags & page_flags::INDEX != 0;
    let count = p.node_tags().len();
    let mut out = PageSummary {
        objid_fdp: p.objid_fdp,
        flags: p.flags,
        pgno_prev: p.pgno_prev,
        pgno_next: p.pgno_next,
        dbtime,
        nodes: u16::try_from(count).unwrap_or(u16::MAX),
        live_nodes: 0,
        children: std::borrow::Cow::Owned(Vec::new()),
        node_error: None,
        key_order: None,
    };
    let mut children = Vec::new();
    let mut prev: Option<KeyDataFlags<'_>> = None;
    for (i, node) in p.nodes().enumerate() {
        let n = match node {
            Ok(n) => n,
            Err(error) => {
                out.node_error = Some(error);
                break;
            }
        };
        let disordered = if leaf {
            prev.is_some_and(|before| !in_order(&before, &n, with_data))
        } else {
            // On an internal page: separators strictly increase; a NULL key only last; no
            // prefix of one byte (repair.cxx:7236, 7477, 7488–7500).
            let null = n.prefix.is_empty() && n.suffix.is_empty();
            (null && i + 1 != count)
                || n.prefix.len() == 1
                || (!null && prev.is_some_and(|before| !in_order(&before, &n, false)))
        };
        if disordered && out.key_order.is_none() {
            out.key_order = Some(n.itag);
        }
        if leaf {
            out.live_nodes += u16::from(!n.is_deleted());
        } else {
            let child = (n.data.len() == 4 && !n.is_deleted())
                .then(|| Reader::new(n.data, "internal node").u32(0, "pgnoChild").ok())
                .flatten()
                .unwrap_or(0);
            children.push(child);
        }
        prev = Some(n);
    }
    out.children = std::borrow::Cow::Owned(children);
    PageFacts::Page(out)
}

/// `b` comes strictly after `a` on a page: by key (prefix then suffix), then, `with_data`, by
/// data (daedef.hxx `CmpKey`, `CmpKeyData`: bytes compared as unsigned, a shorter key that is a
/// prefix of the other first).
fn in_order(a: &KeyDataFlags<'_>, b: &KeyDataFlags<'_>, with_data: bool) -> bool {
    let by_key = cmp_split(a.prefix, a.suffix, b.prefix, b.suffix);
    match by_key {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => with_data && a.data < b.data,
    }
}

/// Compares the byte strings `a0 ++ a1` and `b0 ++ b1` without joining them: the common run of
/// each pair of pieces at once.
fn cmp_split<'k>(mut a0: &'k [u8], mut a1: &'k [u8], mut b0: &'k [u8], mut b1: &'k [u8]) -> std::cmp::Ordering {
    loop {
        if a0.is_empty() {
            if a1.is_empty() {
                return if b0.is_empty() && b1.is_empty() {
                    std::cmp::Ordering::Equal
                } else {
                    std::cmp::Ordering::Less
                };
            }
            a0 = std::mem::take(&mut a1);
        }
        if b0.is_empty() {
            if b1.is_empty() {
                return std::cmp::Ordering::Greater;
            }
            b0 = std::mem::take(&mut b1);
        }
        let n = a0.len().min(b0.len());
        match a0[..n].cmp(&b0[..n]) {
            std::cmp::Ordering::Equal => {
                a0 = &a0[n..];
                b0 = &b0[n..];
            }
            other => return other,
        }
    }
}

/// What the walk needs to know of the file besides its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFacts {
    /// The last page number the file holds (a hostile space tree may claim 2³² pages: the walk
    /// keeps a bit per page up to here, not up to the owned space's end).
    pub last_pgno: u32,
    /// The database header's `dbtimeDirtied`; `None`: the dbtime rule is not run.
    pub dbtime_dirtied: Option<u64>,
}

/// Walks every tree of `catalog` (and the space trees `space` read) from its root, and
/// classifies the pages in use that no tree reaches. `page(pgno)` gives a page's bytes, or
/// `None` when the caller cannot trust it.
pub fn walk_trees<'a, F>(page: F, catalog: &Catalog, space: &SpaceMap, file: FileFacts) -> TreeWalk
where
    F: Fn(u32) -> Option<&'a [u8]>,
{
    let facts = |pgno: u32| page(pgno).map_or(PageFacts::Unreadable, summarize);
    walk_over(&facts, catalog, space, file, &BTreeSet::new())
}

/// [`walk_trees`] over the facts of each page (`facts(pgno)`, [`summarize`] of its bytes or the
/// same facts kept from the scan's one pass), telling which tree reached each page of `watch`.
pub fn walk_trees_facts<'f, F>(
    facts: F,
    catalog: &Catalog,
    space: &SpaceMap,
    file: FileFacts,
    watch: &BTreeSet<u32>,
) -> TreeWalk
where
    F: Fn(u32) -> PageFacts<'f>,
{
    walk_over(&facts, catalog, space, file, watch)
}

fn walk_over<'f, F>(facts: &F, catalog: &Catalog, space: &SpaceMap, file: FileFacts, watch: &BTreeSet<u32>) -> TreeWalk
where
    F: Fn(u32) -> PageFacts<'f>,
{
    let last = space.last_owned_pgno().unwrap_or(PGNO_SYSTEM_ROOT);
    let in_file = last.min(file.last_pgno);
    let mut reached = Bitset::new(in_file.saturating_add(1));
    let mut walk = TreeWalk::default();
    let ctx = Ctx {
        page: facts,
        space,
        last,
        in_file,
        dbtime_dirtied: file.dbtime_dirtied,
    };
    for planned in trees_of(catalog, space) {
        let mut seen = Seen {
            reached: &mut reached,
            watch,
            watched: &mut walk.watched,
        };
        let walked = walk_tree(&ctx, &planned, &mut seen, &mut walk.findings);
        walk.trees.push(walked);
    }
    let live: BTreeSet<u32> = walk.trees.iter().map(|t| t.tree.objid).collect();
    // Pages past the end of the file are the owned-space rule's (issue 22 rule 1), not leaks.
    for pgno in 1..=in_file {
        if reached.contains(pgno) {
            continue;
        }
        if let PageSpace::InUse { owner } = space.page(pgno) {
            let class = classify(facts(pgno), owner, &live);
            walk.unreached.push(UnreachedPage { pgno, owner, class });
        }
    }
    walk
}

/// S9: what a page in use that no tree reaches is.
fn classify(facts: PageFacts<'_>, owner: u32, live: &BTreeSet<u32>) -> Unreached {
    let (objid_fdp, flags) = match facts {
        PageFacts::Unreadable | PageFacts::Malformed(_, None) => return Unreached::Unreadable,
        PageFacts::Blank => return Unreached::Blank,
        PageFacts::Malformed(_, Some(header)) => header,
        PageFacts::Page(p) => (p.objid_fdp, p.flags),
    };
    if flags & page_flags::EMPTY != 0 {
        Unreached::EmptyFlagged { objid_fdp }
    } else if objid_fdp == owner {
        Unreached::Orphan
    } else if !live.contains(&objid_fdp) {
        Unreached::DeletedObject { objid_fdp }
    } else {
        Unreached::OtherTree { objid_fdp }
    }
}

/// What every tree's walk shares.
struct Ctx<'c, F> {
    page: &'c F,
    space: &'c SpaceMap,
    /// The owned space's last page.
    last: u32,
    /// The last page both owned and in the file: the bitset's end.
    in_file: u32,
    dbtime_dirtied: Option<u64>,
}

/// Walks one tree level by level from `root`.
/// The pages reached so far, and the watched ones' trees.
struct Seen<'s> {
    reached: &'s mut Bitset,
    watch: &'s BTreeSet<u32>,
    watched: &'s mut BTreeMap<u32, (TreeRef, bool)>,
}

impl Seen<'_> {
    /// Marks `pgno` reached by `tree` (`by_chain`: through the leaf chain only); false when it
    /// was reached already.
    fn reach(&mut self, pgno: u32, tree: TreeRef, by_chain: bool) -> bool {
        let first = self.reached.insert(pgno);
        if first && self.watch.contains(&pgno) {
            self.watched.insert(pgno, (tree, by_chain));
        }
        first
    }
}

fn walk_tree<'f, F>(
    ctx: &Ctx<'_, F>,
    planned: &Planned,
    seen: &mut Seen<'_>,
    findings: &mut Vec<TreeFinding>,
) -> WalkedTree
where
    F: Fn(u32) -> PageFacts<'f>,
{
    let Planned {
        tree,
        objid_table,
        root,
        flags,
    } = *planned;
    let mut out = WalkedTree {
        tree,
        objid_table,
        pgno_root: root,
        pages: 0,
        leaves: 0,
        internal: 0,
        live_nodes: 0,
        levels: 0,
        lost_leaves: Vec::new(),
        lost_internal: Vec::new(),
        recoverable_leaves: Vec::new(),
        recoverable_nodes: 0,
    };
    // Where the leaf chain leaves the walked leaves (a `pgnoNext` or `pgnoPrev` naming a page
    // the level does not hold beside it): it may lead to the leaves of a lost internal page.
    let mut chain_exits: Vec<(u32, Direction)> = Vec::new();
    // (page, whether its parent's parent-of-leaf flag says it is a leaf; `None` for the root)
    let mut level: Vec<(u32, Option<bool>)> = vec![(root, None)];
    let mut depth = 0usize;
    while !level.is_empty() {
        if depth >= MAX_TREE_DEPTH {
            findings.push(TreeFinding::TooDeep { tree, pgno: level[0].0 });
            break;
        }
        depth += 1;
        out.levels += 1;
        let mut next = Vec::new();
        // The level's kind: decided by its first readable page; the leaf chain along it.
        let mut level_is_leaf: Option<bool> = None;
        let mut chain = Chain::default();
        for (pgno, parent) in level.drain(..) {
            let lost = |out: &mut WalkedTree| {
                if parent == Some(true) {
                    out.lost_leaves.push(pgno);
                } else {
                    out.lost_internal.push(pgno);
                }
            };
            if pgno == 0 || pgno > ctx.in_file {
                // A root the catalog or a space header names beyond the owned space or the file
                // (a child there is a `BadChild` already).
                findings.push(if pgno == 0 || pgno > ctx.last {
                    TreeFinding::NotOwned {
                        tree,
                        pgno,
                        owner: None,
                    }
                } else {
                    TreeFinding::Unreadable { tree, pgno }
                });
                lost(&mut out);
                chain.lost();
                continue;
            }
            if !seen.reach(pgno, tree, false) {
                findings.push(TreeFinding::ReachedTwice { tree, pgno });
                if depth == 1 {
                    // A root that another tree reached first: it is still checked as this tree's
                    // root (the engine checks the page's objid and root flag before its
                    // ownership, repair.cxx:7014–7018, 7093–7099).
                    if let PageFacts::Page(p) = (ctx.page)(pgno) {
                        if p.objid_fdp != tree.objid {
                            findings.push(TreeFinding::WrongObjid {
                                tree,
                                pgno,
                                objid_fdp: p.objid_fdp,
                            });
                        } else if p.flags & page_flags::ROOT == 0 {
                            findings.push(TreeFinding::NotARoot { tree, pgno });
                        }
                    }
                }
                continue;
            }
            out.pages += 1;
            let Some(p) = read_page(ctx, tree, flags, pgno, findings) else {
                lost(&mut out);
                chain.lost();
                continue;
            };
            if depth == 1 && p.flags & page_flags::ROOT == 0 {
                findings.push(TreeFinding::NotARoot { tree, pgno });
            }
            let is_leaf = p.is_leaf();
            if *level_is_leaf.get_or_insert(is_leaf) != is_leaf || parent.is_some_and(|leaf| leaf != is_leaf) {
                findings.push(TreeFinding::BadLevel { tree, pgno });
            }
            if is_leaf {
                out.leaves += 1;
                chain_exits.extend(chain.leaf(tree, pgno, &p, findings));
                leaf_page(tree, pgno, depth, &p, &mut out, findings);
            } else {
                out.internal += 1;
                let parent_of_leaf = p.flags & page_flags::PARENT != 0;
                let child = Child {
                    last: ctx.last,
                    reached: seen.reached,
                    parent_of_leaf,
                };
                internal_page(tree, pgno, &p, &child, &mut next, findings);
            }
        }
        if let Some(exit) = chain.end(tree, findings) {
            chain_exits.push((exit, Direction::Next));
        }
        level = next;
    }
    follow_chain_exits(ctx, planned, &chain_exits, seen, &mut out);
    out
}

/// Which sibling link a chain is followed along.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Direction {
    /// `pgnoNext`.
    Next,
    /// `pgnoPrev`.
    Prev,
}

/// Leaves below a lost internal page are still linked from their neighbours: from each leaf
/// whose `pgnoNext` (or `pgnoPrev`) leaves the walked level, follows the chain through pages no
/// tree reached that are leaves of this tree, counting them and their live nodes as recoverable
/// (LOGICAL-INTEGRITY.md §2.6 A3).
fn follow_chain_exits<'f, F>(
    ctx: &Ctx<'_, F>,
    planned: &Planned,
    exits: &[(u32, Direction)],
    seen: &mut Seen<'_>,
    out: &mut WalkedTree,
) where
    F: Fn(u32) -> PageFacts<'f>,
{
    for &(start, direction) in exits {
        let mut pgno = start;
        while pgno != 0 && pgno <= ctx.in_file && !seen.reached.contains(pgno) {
            let PageFacts::Page(p) = (ctx.page)(pgno) else {
                break;
            };
            if p.objid_fdp != planned.tree.objid || !p.is_leaf() || p.flags & page_flags::EMPTY != 0 {
                break;
            }
            seen.reach(pgno, planned.tree, true);
            out.recoverable_leaves.push(pgno);
            out.recoverable_nodes += u64::from(p.live_nodes);
            pgno = match direction {
                Direction::Next => p.pgno_next,
                Direction::Prev => p.pgno_prev,
            };
        }
    }
}

/// The leaf chain along a level (T9): each leaf's `pgnoPrev` is the leaf before it, whose
/// `pgnoNext` is this leaf; the first has no `pgnoPrev`, the last no `pgnoNext`. A link that
/// disagrees is named at the page that holds it: a wrong `pgnoNext` at the leaf before, a wrong
/// `pgnoPrev` at this leaf.
#[derive(Default)]
struct Chain {
    /// The previous leaf: its page number, `pgnoPrev` and `pgnoNext`; `None` before the first.
    prev: Option<(u32, u32, u32)>,
    /// A page of the level could not be read: the links around it are not judged.
    gap: bool,
}

impl Chain {
    fn lost(&mut self) {
        self.gap = true;
        self.prev = None;
    }

    /// Checks the next leaf of the level; returns where the chain leaves the level: the previous
    /// leaf's `pgnoNext` when it names another page than this one, this leaf's `pgnoPrev` when
    /// it names another page than the previous leaf.
    fn leaf(
        &mut self,
        tree: TreeRef,
        pgno: u32,
        p: &PageSummary<'_>,
        findings: &mut Vec<TreeFinding>,
    ) -> impl Iterator<Item = (u32, Direction)> {
        let mut forward = None;
        let mut backward = None;
        match self.prev {
            None => {
                if p.pgno_prev != 0 {
                    backward = Some(p.pgno_prev);
                    if !self.gap {
                        findings.push(TreeFinding::BadSiblingLink {
                            tree,
                            pgno,
                            pgno_prev: p.pgno_prev,
                            pgno_next: p.pgno_next,
                        });
                    }
                }
            }
            Some((prev, prev_prev, prev_next)) => {
                if prev_next != pgno {
                    if prev_next != 0 {
                        forward = Some(prev_next);
                    }
                    findings.push(TreeFinding::BadSiblingLink {
                        tree,
                        pgno: prev,
                        pgno_prev: prev_prev,
                        pgno_next: prev_next,
                    });
                }
                if p.pgno_prev != prev {
                    if p.pgno_prev != 0 {
                        backward = Some(p.pgno_prev);
                    }
                    findings.push(TreeFinding::BadSiblingLink {
                        tree,
                        pgno,
                        pgno_prev: p.pgno_prev,
                        pgno_next: p.pgno_next,
                    });
                }
            }
        }
        self.gap = false;
        self.prev = Some((pgno, p.pgno_prev, p.pgno_next));
        forward
            .map(|n| (n, Direction::Next))
            .into_iter()
            .chain(backward.map(|b| (b, Direction::Prev)))
    }

    /// Ends the level; returns the last leaf's `pgnoNext` when it is not 0.
    fn end(self, tree: TreeRef, findings: &mut Vec<TreeFinding>) -> Option<u32> {
        let (pgno, pgno_prev, next) = self.prev.filter(|&(_, _, next)| next != 0)?;
        findings.push(TreeFinding::BadSiblingLink {
            tree,
            pgno,
            pgno_prev,
            pgno_next: next,
        });
        Some(next)
    }
}

/// Reads a reached page's facts and runs the checks every reached page gets (T2–T5, D1); `None`
/// when the page cannot be walked further.
fn read_page<'f, F>(
    ctx: &Ctx<'_, F>,
    tree: TreeRef,
    flags: u32,
    pgno: u32,
    findings: &mut Vec<TreeFinding>,
) -> Option<PageSummary<'f>>
where
    F: Fn(u32) -> PageFacts<'f>,
{
    match ctx.space.page(pgno) {
        PageSpace::InUse { owner } if owner == tree.objid => {}
        PageSpace::InUse { owner } => findings.push(TreeFinding::NotOwned {
            tree,
            pgno,
            owner: Some(owner),
        }),
        PageSpace::NotOwned => findings.push(TreeFinding::NotOwned {
            tree,
            pgno,
            owner: None,
        }),
        PageSpace::Available { objid, .. } | PageSpace::SplitBuffer { objid } => {
            findings.push(TreeFinding::Available { tree, pgno, objid })
        }
    }
    let p = match (ctx.page)(pgno) {
        PageFacts::Unreadable => {
            findings.push(TreeFinding::Unreadable { tree, pgno });
            return None;
        }
        PageFacts::Blank => {
            findings.push(TreeFinding::Blank { tree, pgno });
            return None;
        }
        PageFacts::Malformed(error, _) => {
            findings.push(TreeFinding::Malformed { tree, pgno, error });
            return None;
        }
        PageFacts::Page(p) => p,
    };
    if p.objid_fdp != tree.objid {
        findings.push(TreeFinding::WrongObjid {
            tree,
            pgno,
            objid_fdp: p.objid_fdp,
        });
        return None;
    }
    let kinds = page_flags::SPACE_TREE | page_flags::INDEX | page_flags::LONG_VALUE;
    if p.flags & kinds != flags {
        findings.push(TreeFinding::WrongFlags {
            tree,
            pgno,
            flags: p.flags,
        });
    }
    if ctx.dbtime_dirtied.is_some_and(|max| p.dbtime > max) {
        findings.push(TreeFinding::DbtimeTooLarge {
            tree,
            pgno,
            dbtime: p.dbtime,
        });
    }
    Some(p)
}

/// A leaf: not empty unless it is the root (T10); its live nodes counted; its nodes readable and
/// in key order (T11).
fn leaf_page(
    tree: TreeRef,
    pgno: u32,
    depth: usize,
    p: &PageSummary<'_>,
    out: &mut WalkedTree,
    findings: &mut Vec<TreeFinding>,
) {
    if p.nodes == 0 && depth > 1 {
        findings.push(TreeFinding::EmptyLeaf { tree, pgno });
    }
    out.live_nodes += u64::from(p.live_nodes);
    node_findings(tree, pgno, p, findings);
}

/// The page-local findings of a page's nodes: the first that does not parse, the first out of
/// key order.
fn node_findings(tree: TreeRef, pgno: u32, p: &PageSummary<'_>, findings: &mut Vec<TreeFinding>) {
    if let Some(itag) = p.key_order {
        findings.push(TreeFinding::KeyOrder { tree, pgno, itag });
    }
    if let Some(error) = &p.node_error {
        findings.push(TreeFinding::Malformed {
            tree,
            pgno,
            error: error.clone(),
        });
    }
}

/// What an internal page's children are checked against.
struct Child<'r> {
    /// The owned space's last page.
    last: u32,
    /// The pages reached so far.
    reached: &'r Bitset,
    /// The page's parent-of-leaf flag: its children are leaves.
    parent_of_leaf: bool,
}

/// An internal page: not empty, no sibling links (T7); each node a 4-byte child page number,
/// not deleted, within the owned space; the children go to the next level in key order.
fn internal_page(
    tree: TreeRef,
    pgno: u32,
    p: &PageSummary<'_>,
    child_of: &Child<'_>,
    next: &mut Vec<(u32, Option<bool>)>,
    findings: &mut Vec<TreeFinding>,
) {
    if p.nodes == 0 || p.pgno_prev != 0 || p.pgno_next != 0 {
        findings.push(TreeFinding::BadInternalPage { tree, pgno });
    }
    let mut said_twice = false;
    for (i, &c) in p.children.iter().enumerate() {
        match Some(c).filter(|&c| c != 0 && c <= child_of.last) {
            // A child reached already (an ancestor, a page of another tree): said once per
            // page, not queued, so a hostile page of thousands of such nodes costs nothing.
            Some(c) if child_of.reached.contains(c) => {
                if !said_twice {
                    findings.push(TreeFinding::ReachedTwice { tree, pgno: c });
                    said_twice = true;
                }
            }
            Some(c) => next.push((c, Some(child_of.parent_of_leaf))),
            None => findings.push(TreeFinding::BadChild {
                tree,
                pgno,
                itag: u16::try_from(i + 1).unwrap_or(u16::MAX),
            }),
        }
    }
    node_findings(tree, pgno, p, findings);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::catalog::CatalogSource;
    use crate::format::node::node_flags;
    use crate::format::node::tests::{build_page, node_bytes};
    use crate::format::space_map::build_space_map;

    const SIZE: usize = 4096;
    const ROOT: TreeRef = TreeRef {
        objid: OBJID_SYSTEM_ROOT,
        kind: TreeKind::DatabaseRoot,
    };

    /// A single-extent space header owning pages 1..=`cpg`, none of them free.
    fn space_header(cpg: u32) -> Vec<u8> {
        [cpg, 0, 0, 0].iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// A page of `objid` with `flags`, tag 0 `tag0`, sibling links and `nodes` (key, data, flags).
    fn page(objid: u32, flags: u32, tag0: &[u8], prev_next: (u32, u32), nodes: &[(&[u8], Vec<u8>, u16)]) -> Vec<u8> {
        let bytes: Vec<Vec<u8>> = nodes.iter().map(|(k, d, _)| node_bytes(None, k, d)).collect();
        let mut values: Vec<(&[u8], u16)> = vec![(tag0, 0)];
        values.extend(bytes.iter().zip(nodes).map(|(b, n)| (&b[..], n.2)));
        let mut p = build_page(SIZE, objid, flags, &values);
        p[16..20].copy_from_slice(&prev_next.0.to_le_bytes());
        p[20..24].copy_from_slice(&prev_next.1.to_le_bytes());
        p
    }

    /// Key `i` of a page: two bytes, big-endian, increasing (leaked: a test's few pages).
    fn key(i: usize) -> &'static [u8] {
        Box::leak((i as u16).to_be_bytes().to_vec().into_boxed_slice())
    }

    /// An internal page's nodes: one per child, keys increasing.
    fn children(pgnos: &[u32]) -> Vec<(&'static [u8], Vec<u8>, u16)> {
        pgnos
            .iter()
            .enumerate()
            .map(|(i, c)| (key(i + 1), c.to_le_bytes().to_vec(), 0))
            .collect()
    }

    fn leaf_nodes(n: usize) -> Vec<(&'static [u8], Vec<u8>, u16)> {
        (0..n).map(|i| (key(i + 1), b"record".to_vec(), 0)).collect()
    }

    /// The database root (page 1, objid 1) as an internal page over `kids`, owning `cpg` pages.
    fn root(cpg: u32, parent_of_leaf: bool, kids: &[u32]) -> Vec<u8> {
        let flags = page_flags::ROOT | if parent_of_leaf { page_flags::PARENT } else { 0 };
        page(OBJID_SYSTEM_ROOT, flags, &space_header(cpg), (0, 0), &children(kids))
    }

    fn leaf(objid: u32, prev_next: (u32, u32), n: usize) -> Vec<u8> {
        page(objid, page_flags::LEAF, b"", prev_next, &leaf_nodes(n))
    }

    /// Walks `pages` (page 1 first; a missing page is unreadable) with an empty catalog, and
    /// returns the walk and the database root tree's findings (MSysObjects' and the shadow's
    /// roots are absent from these files).
    fn walk(pages: Vec<(u32, Vec<u8>)>) -> (TreeWalk, Vec<TreeFinding>) {
        let get = |pgno: u32| pages.iter().find(|(p, _)| *p == pgno).map(|(_, b)| &b[..]);
        let catalog = Catalog {
            source: CatalogSource::MSysObjects,
            primary_fault: None,
            rows: Vec::new(),
            deleted: Vec::new(),
            pages: Vec::new(),
        };
        let map = build_space_map(get, &[]);
        let file = FileFacts {
            last_pgno: 64,
            dbtime_dirtied: Some(100),
        };
        let w = walk_trees(get, &catalog, &map, file);
        let own = w.findings.iter().filter(|f| tree_of(f) == ROOT).cloned().collect();
        (w, own)
    }

    fn tree_of(f: &TreeFinding) -> TreeRef {
        match f {
            TreeFinding::Unreadable { tree, .. }
            | TreeFinding::Blank { tree, .. }
            | TreeFinding::Malformed { tree, .. }
            | TreeFinding::NotARoot { tree, .. }
            | TreeFinding::WrongObjid { tree, .. }
            | TreeFinding::WrongFlags { tree, .. }
            | TreeFinding::NotOwned { tree, .. }
            | TreeFinding::Available { tree, .. }
            | TreeFinding::ReachedTwice { tree, .. }
            | TreeFinding::TooDeep { tree, .. }
            | TreeFinding::BadChild { tree, .. }
            | TreeFinding::BadInternalPage { tree, .. }
            | TreeFinding::BadLevel { tree, .. }
            | TreeFinding::EmptyLeaf { tree, .. }
            | TreeFinding::BadSiblingLink { tree, .. }
            | TreeFinding::KeyOrder { tree, .. }
            | TreeFinding::DbtimeTooLarge { tree, .. } => *tree,
        }
    }

    #[test]
    fn split_keys_compare_as_their_joined_bytes() {
        let parts: [&[u8]; 5] = [b"", b"a", b"ab", b"abc", b"b"];
        for a0 in parts {
            for a1 in parts {
                for b0 in parts {
                    for b1 in parts {
                        let want = [a0, a1].concat().cmp(&[b0, b1].concat());
                        assert_eq!(cmp_split(a0, a1, b0, b1), want, "{a0:?} {a1:?} {b0:?} {b1:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn keys_out_of_order_on_a_leaf_or_a_null_separator_not_last_are_found() {
        // A leaf whose second key is below its first (repair.cxx:7697), and one whose keys
        // repeat (7702): T11, once per page, at the node that breaks the order.
        for keys in [[2usize, 1], [1, 1]] {
            let nodes: Vec<_> = keys.iter().map(|&k| (key(k), b"r".to_vec(), 0)).collect();
            let (_, own) = walk(vec![
                (1, root(3, true, &[2])),
                (2, page(1, page_flags::LEAF, b"", (0, 0), &nodes)),
            ]);
            assert_eq!(
                own,
                vec![TreeFinding::KeyOrder {
                    tree: ROOT,
                    pgno: 2,
                    itag: 2
                }],
                "{keys:?}"
            );
        }
        // An internal page whose NULL (empty) separator is not its last node (7236); the same
        // page with the NULL separator last is in order, as ESE writes a level's last.
        let out_of_order = vec![TreeFinding::KeyOrder {
            tree: ROOT,
            pgno: 1,
            itag: 1,
        }];
        for (null, want) in [(0, out_of_order), (1, vec![])] {
            let mut kids = children(&[2, 3]);
            kids[null].0 = b"";
            let flags = page_flags::ROOT | page_flags::PARENT;
            let (_, own) = walk(vec![
                (1, page(OBJID_SYSTEM_ROOT, flags, &space_header(4), (0, 0), &kids)),
                (2, leaf(1, (0, 3), 1)),
                (3, leaf(1, (2, 0), 1)),
            ]);
            assert_eq!(own, want, "NULL separator at node {null}");
        }
    }

    #[test]
    fn a_healthy_two_level_tree_has_no_finding_and_counts_its_pages_and_records() {
        let mut l3 = leaf(1, (2, 0), 3);
        l3[8..16].copy_from_slice(&100u64.to_le_bytes()); // dbtime = the header's: fine
        let (w, own) = walk(vec![(1, root(3, true, &[2, 3])), (2, leaf(1, (0, 3), 2)), (3, l3)]);
        assert_eq!(own, vec![]);
        let t = &w.trees[0];
        assert_eq!((t.pages, t.leaves, t.internal, t.live_nodes, t.levels), (3, 2, 1, 5, 2));
        assert_eq!(t.records(), None, "the database root holds no records");
        assert_eq!(w.unreached, vec![]);
    }

    #[test]
    fn deleted_nodes_are_not_records() {
        let mut nodes = leaf_nodes(3);
        nodes[1].2 = node_flags::DELETED;
        let (w, own) = walk(vec![
            (1, root(2, true, &[2])),
            (2, page(1, page_flags::LEAF, b"", (0, 0), &nodes)),
        ]);
        assert_eq!(own, vec![]);
        assert_eq!(w.trees[0].live_nodes, 2);
    }

    #[test]
    fn a_child_pointing_to_its_own_page_is_reached_twice() {
        let (_, own) = walk(vec![(1, root(1, false, &[1]))]);
        assert_eq!(own, vec![TreeFinding::ReachedTwice { tree: ROOT, pgno: 1 }]);
        assert_eq!(own[0].code(), -338);
    }

    #[test]
    fn a_cycle_through_an_internal_page_ends_the_walk() {
        let p2 = page(1, 0, b"", (0, 0), &children(&[1]));
        let (w, own) = walk(vec![(1, root(2, false, &[2])), (2, p2)]);
        assert_eq!(own, vec![TreeFinding::ReachedTwice { tree: ROOT, pgno: 1 }]);
        assert_eq!(w.trees[0].pages, 2);
    }

    #[test]
    fn a_sibling_loop_breaks_the_leaf_chain() {
        // 2 → 3 → 2: the first leaf has a pgnoPrev, the last a pgnoNext.
        let (_, own) = walk(vec![
            (1, root(3, true, &[2, 3])),
            (2, leaf(1, (3, 3), 1)),
            (3, leaf(1, (2, 2), 1)),
        ]);
        let sibling: Vec<u32> = own.iter().filter(|f| f.code() == -327).map(TreeFinding::pgno).collect();
        assert_eq!(sibling, vec![2, 3], "{own:?}");
    }

    #[test]
    fn a_leaf_whose_neighbour_does_not_link_back_is_found() {
        // Leaf 3 names 2 as its previous leaf; 2 names no next leaf: the link that disagrees is
        // page 2's, and the finding names page 2 (a lost write of page 2 looks so).
        let (_, own) = walk(vec![
            (1, root(3, true, &[2, 3])),
            (2, leaf(1, (0, 0), 1)),
            (3, leaf(1, (2, 0), 1)),
        ]);
        assert!(
            matches!(own[..], [TreeFinding::BadSiblingLink { pgno: 2, .. }]),
            "{own:?}"
        );
    }

    #[test]
    fn a_tree_deeper_than_the_bound_stops_there() {
        let n = 40u32;
        let mut pages = vec![(1, root(n, false, &[2]))];
        for p in 2..=n {
            pages.push((p, page(1, 0, b"", (0, 0), &children(&[p + 1]))));
        }
        let (w, own) = walk(pages);
        assert!(own.iter().any(|f| matches!(f, TreeFinding::TooDeep { .. })), "{own:?}");
        assert_eq!(w.trees[0].levels as usize, MAX_TREE_DEPTH);
    }

    #[test]
    fn a_page_claimed_by_two_trees_is_reached_once() {
        // MSysObjects' root (page 4, objid 2) points at the database root's leaf.
        let mso = page(
            OBJID_FDP_MSO,
            page_flags::ROOT | page_flags::PARENT,
            &space_header(1),
            (0, 0),
            &children(&[2]),
        );
        let (w, _) = walk(vec![(1, root(4, true, &[2])), (2, leaf(1, (0, 0), 1)), (4, mso)]);
        let mso_tree = TreeRef {
            objid: OBJID_FDP_MSO,
            kind: TreeKind::Catalog,
        };
        assert!(
            w.findings.contains(&TreeFinding::ReachedTwice {
                tree: mso_tree,
                pgno: 2
            }),
            "{:?}",
            w.findings
        );
    }

    #[test]
    fn mixed_levels_empty_pages_and_bad_children_are_found() {
        // Root says parent-of-leaf, child 2 is internal; child 3 is an empty leaf; a 3-byte child.
        let mut kids = children(&[2, 3]);
        kids.push((&b"k"[..], vec![9, 0, 0], 0));
        let root_page = page(
            OBJID_SYSTEM_ROOT,
            page_flags::ROOT | page_flags::PARENT,
            &space_header(3),
            (0, 0),
            &kids,
        );
        let (_, own) = walk(vec![
            (1, root_page),
            (2, page(1, 0, b"", (0, 0), &[])),
            (3, leaf(1, (0, 0), 0)),
        ]);
        let codes: Vec<(u32, i32)> = own.iter().map(|f| (f.pgno(), f.code())).collect();
        assert!(codes.contains(&(1, -338)), "bad child: {own:?}");
        assert!(own.contains(&TreeFinding::BadLevel { tree: ROOT, pgno: 2 }), "{own:?}");
        assert!(
            own.contains(&TreeFinding::BadInternalPage { tree: ROOT, pgno: 2 }),
            "{own:?}"
        );
        assert!(own.contains(&TreeFinding::EmptyLeaf { tree: ROOT, pgno: 3 }), "{own:?}");
    }

    #[test]
    fn foreign_blank_unreadable_and_late_pages_are_found() {
        let mut late = leaf(1, (0, 0), 1);
        late[8..16].copy_from_slice(&101u64.to_le_bytes());
        let (_, own) = walk(vec![
            (1, root(5, true, &[2, 3, 4, 5])),
            (2, leaf(9, (0, 0), 1)),
            (3, vec![0; SIZE]),
            (5, late),
        ]);
        let codes: Vec<(u32, i32)> = own.iter().map(|f| (f.pgno(), f.code())).collect();
        for want in [(2, -1206), (3, -1019), (4, -1018), (5, -344)] {
            assert!(codes.contains(&want), "{want:?} in {codes:?}");
        }
    }

    #[test]
    fn pages_in_use_no_tree_reaches_are_leaks_or_orphans() {
        // Page 4 is MSysObjects' root, reached (and unreadable) here.
        let (w, _) = walk(vec![
            (1, root(6, true, &[2])),
            (2, leaf(1, (0, 0), 1)),
            (3, vec![0; SIZE]),
            (5, leaf(77, (0, 0), 1)),
            (6, leaf(1, (0, 0), 1)),
        ]);
        let got: Vec<(u32, Unreached)> = w.unreached.iter().map(|u| (u.pgno, u.class)).collect();
        assert_eq!(
            got,
            vec![
                (3, Unreached::Blank),
                (5, Unreached::DeletedObject { objid_fdp: 77 }),
                (6, Unreached::Orphan)
            ]
        );
        assert!(w.unreached[1].class.is_leak() && !w.unreached[2].class.is_leak());
    }

    #[test]
    fn a_space_header_claiming_every_page_costs_no_more_than_the_file() {
        // The root owns 2³² − 2 pages; the file has 64. A child beyond the file is unreadable.
        let (w, own) = walk(vec![(1, root(u32::MAX - 1, true, &[2, 70])), (2, leaf(1, (0, 0), 1))]);
        assert!(
            own.contains(&TreeFinding::Unreadable { tree: ROOT, pgno: 70 }),
            "{own:?}"
        );
        assert!(w.unreached.iter().all(|u| u.pgno <= 64));
    }

    #[test]
    fn hundreds_of_children_naming_an_ancestor_are_one_finding() {
        let p2 = page(1, 0, b"", (0, 0), &children(&[1; 300]));
        let (w, own) = walk(vec![(1, root(2, false, &[2])), (2, p2)]);
        assert_eq!(own, vec![TreeFinding::ReachedTwice { tree: ROOT, pgno: 1 }]);
        assert_eq!(w.trees[0].levels, 2);
    }
}
