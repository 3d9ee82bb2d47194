//! Issue 22 rules 5–11 (CLI.md Decision 23): the catalog, the space map and the walk of every
//! tree, joined with the page scan's problems: findings graded by the database's state, an owner
//! named for every damaged page, and a summary per table.
//!
//! The readers are pure (`crate::format::{catalog, space_map, tree_walk}`); this module decides
//! what their findings mean for the verdict, by LOGICAL-INTEGRITY.md §2's Clean and Dirty
//! columns:
//!
//! - **Page-local** findings (a page's tags or nodes, an internal page's own nodes: −357, −358,
//!   −338 `BadChild`/`BadInternalPage`) are errors in every state: ESE checksums a page while it
//!   holds it latched, so a flushed page is always self-consistent (§2.4).
//! - **Cross-page** findings (the space conflicts, T1–T6, T8–T10, a blank page a tree reaches)
//!   are errors on a clean database and warnings with `pending_recovery` on one that needs logs:
//!   a split whose new page was not flushed is legitimate until the logs are replayed (§4).
//! - A page's dbtime above the header's (D1) is a warning when clean, information when dirty
//!   (§6.2: an unlogged clean database shows it).
//! - A page in use that no tree reaches (S9): a leak (blank, flagged empty, a deleted object's)
//!   is information; an orphan (its header names its owner, or another live tree) a warning,
//!   information in a repaired (`le_ulRepairCount` > 0) or dirty database.

use crate::codes::JetErr;
use crate::format::catalog::{read_catalog, Catalog, CatalogObject, ObjectKind, OBJID_FDP_MSO, OBJID_FDP_MSO_SHADOW};
use crate::format::db_header::DbFileHeader;
use crate::format::page::PageHeader;
use crate::format::space_map::{
    build_space_map, fdps_of_catalog, PageSpace, SpaceFinding, SpaceMap, SpaceTree, OBJID_SYSTEM_ROOT,
};
use crate::format::tree_walk::{
    walk_trees_facts, FileFacts, PageFacts, TreeFinding, TreeKind, TreeRef, TreeWalk, Unreached, UnreachedPage,
    WalkedTree,
};
use crate::problem::{OwnerSource, Problem, Severity, TreeKindName, TreeName};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One tree of a table, as `tables[].trees` shows it (CLI.md Decision 23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TreeSummary {
    /// What the tree holds.
    pub kind: TreeKindName,
    /// Its name.
    pub name: String,
    /// Its objid (a space tree: the objid of the tree whose space it holds).
    pub objid: u32,
    /// Its root page.
    pub pgno_fdp: u32,
    /// Pages the walk reached.
    pub pages: u64,
    /// Pages of it that are bad, blank or malformed.
    pub damaged_pages: u64,
}

/// One table of the catalog, as `tables` shows it (CLI.md Decision 23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TableSummary {
    /// The table's name, in full.
    pub name: String,
    /// Its objid.
    pub objid: u32,
    /// Its data tree's root page.
    pub pgno_fdp: u32,
    /// Live records read (the data tree's non-deleted leaf nodes).
    pub records: u64,
    /// Per damaged data leaf, the tree's mean live records per intact leaf (rounded).
    pub records_lost_estimate: u64,
    /// Records of leaves only the leaf chain still reaches.
    pub records_recoverable: u64,
    /// Its trees: data, long values, indexes, their space trees.
    pub trees: Vec<TreeSummary>,
}

/// What the logical checks add to a database's result.
pub(crate) struct Logical {
    /// The tables, `None` when the catalog could not be read.
    pub tables: Option<Vec<TableSummary>>,
}

/// The facts of the database the checks need besides its pages.
pub(crate) struct LogicalInput<'a> {
    /// The file, as problems name it.
    pub path: &'a str,
    /// The header copy in use.
    pub header: &'a DbFileHeader,
    /// The last page number the file holds.
    pub last_pgno: u32,
}

/// How serious a finding is, by the database's state.
#[derive(Clone, Copy)]
struct Grading {
    /// The database is not CleanShutdown: cross-page findings are pending recovery.
    dirty: bool,
    /// `le_ulRepairCount` > 0.
    repaired: bool,
}

/// Where a finding falls: the columns of LOGICAL-INTEGRITY.md §2.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Error in every state.
    PageLocal,
    /// Error clean, warning pending recovery dirty.
    CrossPage,
    /// Warning clean, information dirty (D1).
    Dbtime,
    /// Information.
    Leak,
    /// Warning clean, information repaired or dirty.
    Orphan,
}

impl Grading {
    fn grade(self, class: Class) -> (Severity, bool) {
        match class {
            Class::PageLocal => (Severity::Error, false),
            Class::CrossPage if self.dirty => (Severity::Warning, true),
            Class::CrossPage => (Severity::Error, false),
            Class::Dbtime if self.dirty => (Severity::Info, false),
            Class::Dbtime => (Severity::Warning, false),
            Class::Leak => (Severity::Info, false),
            Class::Orphan if self.dirty || self.repaired => (Severity::Info, false),
            Class::Orphan => (Severity::Warning, false),
        }
    }
}

/// Names trees and tables from the catalog.
struct Names {
    objects: BTreeMap<u32, CatalogObject>,
}

impl Names {
    fn new(catalog: &Catalog) -> Names {
        let mut objects = catalog.objects();
        for (objid, pgno, name) in [
            (OBJID_FDP_MSO, crate::format::catalog::PGNO_FDP_MSO, "MSysObjects"),
            (
                OBJID_FDP_MSO_SHADOW,
                crate::format::catalog::PGNO_FDP_MSO_SHADOW,
                "MSysObjectsShadow",
            ),
        ] {
            let o = objects.entry(objid).or_insert_with(|| CatalogObject {
                objid_table: objid,
                table: String::new(),
                kind: ObjectKind::Table,
                name: String::new(),
                pgno_fdp: pgno,
            });
            if o.name.is_empty() {
                o.name = name.into();
                o.table = name.into();
            }
        }
        Names { objects }
    }

    /// The table (full name) of the tree `objid`, `None` for the database root.
    fn table(&self, objid: u32) -> Option<String> {
        let o = self.objects.get(&objid)?;
        let t = self.objects.get(&o.objid_table).map_or(&o.table, |t| &t.name);
        Some(t.clone())
    }

    /// The kind and name of tree `tree`.
    fn tree(&self, tree: TreeRef) -> TreeName {
        let object = self.objects.get(&tree.objid);
        let name_of = |o: Option<&CatalogObject>| o.map(|o| o.name.clone()).unwrap_or_default();
        match tree.kind {
            TreeKind::DatabaseRoot => TreeName {
                kind: TreeKindName::Root,
                name: "database root".into(),
            },
            TreeKind::Space(which) => TreeName {
                kind: TreeKindName::Space,
                name: match which {
                    SpaceTree::Owned => "owned space",
                    SpaceTree::Available => "available space",
                }
                .into(),
            },
            TreeKind::Data => TreeName {
                kind: TreeKindName::Data,
                name: name_of(object),
            },
            TreeKind::Catalog => TreeName {
                kind: TreeKindName::Catalog,
                name: name_of(object),
            },
            TreeKind::Index => TreeName {
                kind: TreeKindName::Index,
                name: name_of(object),
            },
            TreeKind::LongValues => TreeName {
                kind: TreeKindName::LongValues,
                name: name_of(object),
            },
        }
    }

    /// The tree an owner objid names when only the space (or a header) attributes the page.
    fn tree_of_objid(&self, objid: u32) -> Option<TreeRef> {
        if objid == OBJID_SYSTEM_ROOT {
            return Some(TreeRef {
                objid,
                kind: TreeKind::DatabaseRoot,
            });
        }
        let o = self.objects.get(&objid)?;
        let kind = match o.kind {
            ObjectKind::Table if objid == OBJID_FDP_MSO || objid == OBJID_FDP_MSO_SHADOW => TreeKind::Catalog,
            ObjectKind::Table => TreeKind::Data,
            ObjectKind::Index => TreeKind::Index,
            ObjectKind::LongValues => TreeKind::LongValues,
        };
        Some(TreeRef { objid, kind })
    }

    /// "table X", "index I of table X", … for messages; the table's name in full.
    fn words(&self, tree: TreeRef) -> String {
        let table = self.table(tree.objid).unwrap_or_default();
        let fdp_words = |objid: u32| match self.objects.get(&objid) {
            None if objid == OBJID_SYSTEM_ROOT => "the database root".to_string(),
            None => format!("objid {objid}"),
            Some(o) => match o.kind {
                ObjectKind::Table => format!("table {}", o.name),
                ObjectKind::Index => format!("index {} of table {table}", o.name),
                ObjectKind::LongValues => format!("the long values of table {table}"),
            },
        };
        match tree.kind {
            TreeKind::DatabaseRoot => "the database root".into(),
            TreeKind::Space(SpaceTree::Owned) => format!("the owned-space tree of {}", fdp_words(tree.objid)),
            TreeKind::Space(SpaceTree::Available) => {
                format!("the available-space tree of {}", fdp_words(tree.objid))
            }
            TreeKind::Data | TreeKind::Catalog => format!("table {table}"),
            _ => fdp_words(tree.objid),
        }
    }
}

/// Runs the logical checks on a database that is not temporary: adds their problems to
/// `problems` (graded, one per page: a page that already has a problem of its own — a bad
/// checksum, a blank fixed page, a lost flush — gains its owner instead of a second problem) and
/// returns the tables. `page(pgno)` gives a page's bytes when its checksum verified (or it is all
/// zero); `raw(pgno)` any page's bytes as in the file (for the header hint of a damaged page).
pub(crate) fn check_logical<'a, 'f>(
    input: &LogicalInput<'_>,
    page: &dyn Fn(u32) -> Option<&'a [u8]>,
    raw: &dyn Fn(u32) -> Option<&'a [u8]>,
    facts: &dyn Fn(u32) -> PageFacts<'f>,
    problems: &mut Vec<Problem>,
) -> Logical {
    let grading = Grading {
        dirty: input.header.db_state != crate::format::db_header::dbstate::CLEAN_SHUTDOWN,
        repaired: input.header.repair_count > 0,
    };
    let catalog = match read_catalog(page) {
        Ok(c) => c,
        Err(e) if e.primary.pgno() > input.last_pgno && e.shadow.pgno() > input.last_pgno => {
            // Both catalogs reach past the end of a cut copy: rule 1's −1206 says so.
            let _ = e;
            return Logical { tables: None };
        }
        Err(e) => {
            // C1: neither catalog can be read: nothing can be named, an error in every state.
            problems.push(
                Problem::error(
                    Some(JetErr::CatalogCorrupted),
                    input.path,
                    format!("the catalog cannot be read: {e}; no table can be checked or named"),
                )
                .at_page(i64::from(e.primary.pgno())),
            );
            return Logical { tables: None };
        }
    };
    let names = Names::new(&catalog);
    let space = build_space_map(page, &fdps_of_catalog(&catalog.objects()));
    let watch: BTreeSet<u32> = problems
        .iter()
        .filter_map(|p| p.page.and_then(|g| u32::try_from(g).ok()))
        .filter(|&g| g >= 1)
        .collect();
    let walk = walk_trees_facts(
        facts,
        &catalog,
        &space,
        FileFacts {
            last_pgno: input.last_pgno,
            dbtime_dirtied: Some(input.header.dbtime_dirtied),
        },
        &watch,
    );
    let partial = space
        .findings
        .iter()
        .filter_map(|f| match f {
            SpaceFinding::Unreadable { objid, .. } => Some(*objid),
            _ => None,
        })
        .collect();
    let ctx = Ctx {
        input,
        names: &names,
        space: &space,
        walk: &walk,
        grading,
        partial,
    };
    // When MSysObjects cannot be read, the shadow names the tables; the walk of MSysObjects'
    // own tree reports the page that stopped it, once.
    let mut added: Vec<Problem> = Vec::new();
    let mut reported: BTreeSet<i64> = problems
        .iter()
        .filter(|p| is_page_damage(p))
        .filter_map(|p| p.page)
        .collect();
    fn add(p: Option<Problem>, added: &mut Vec<Problem>, reported: &mut BTreeSet<i64>) {
        if let Some(p) = p {
            if is_page_damage(&p) {
                reported.extend(p.page);
            }
            added.push(p);
        }
    }
    // C3: two rows naming one tree (an objid or a root page used twice): the catalog keeps one
    // of them, so the other tree's pages would be named wrongly.
    for d in catalog.duplicate_trees() {
        let table = names
            .objects
            .get(&d.objid_table)
            .map_or_else(|| format!("objid {}", d.objid_table), |t| t.name.clone());
        let p = ctx
            .graded(
                Class::CrossPage,
                Some(JetErr::CatalogCorrupted),
                format!(
                    "the catalog names objid {} (root page {}) of table {table} for a tree that objid {} names already: two trees claim one objid or one root page",
                    d.objid, d.pgno_fdp, d.first_objid
                ),
            )
            .at_page(i64::from(d.pgno_fdp));
        added.push(p);
    }
    for f in space.findings.iter().filter(|f| !ctx.follows_from_partial_space(f)) {
        let p = ctx.space_problem(f, &reported);
        add(p, &mut added, &mut reported);
    }
    for f in walk.findings.iter().filter(|f| !ctx.tree_follows_from_partial_space(f)) {
        let p = ctx.tree_problem(f, &reported);
        add(p, &mut added, &mut reported);
    }
    added.extend(ctx.chain_only_problems());
    let (lost_tree_pages, recovered) = ctx.pages_of_lost_roots(facts);
    added.extend(lost_tree_pages);
    added.extend(ctx.unreached_problems());
    name_what_a_cut_copy_lost(&ctx, problems);
    for p in problems.iter_mut() {
        ctx.attribute(p, raw);
    }
    problems.extend(added);
    let mut tables = tables(&names, &walk);
    for t in &mut tables {
        t.records_recoverable += recovered.get(&t.objid).copied().unwrap_or(0);
    }
    Logical { tables: Some(tables) }
}

struct Ctx<'c> {
    input: &'c LogicalInput<'c>,
    names: &'c Names,
    space: &'c SpaceMap,
    walk: &'c TreeWalk,
    grading: Grading,
    /// Trees whose space could not be read in full: what they own is not known, so that their
    /// pages or their children's seem owned by an ancestor is no finding of its own.
    partial: BTreeSet<u32>,
}

/// The codes of a page's own damage: a page with one of them gains an owner, not a second
/// problem.
fn is_page_damage(p: &Problem) -> bool {
    matches!(
        p.code,
        Some(
            JetErr::ReadVerifyFailure
                | JetErr::ReadPgnoVerifyFailure
                | JetErr::PageNotInitialized
                | JetErr::ReadLostFlushVerifyFailure
                | JetErr::SPOwnExtCorrupted
                | JetErr::DatabaseCorrupted
        )
    ) && p.page.is_some()
}

impl Ctx<'_> {
    /// A space conflict that only says a tree's space could not be read: a child's extents not
    /// found in its parent's unread space.
    fn follows_from_partial_space(&self, f: &SpaceFinding) -> bool {
        use SpaceFinding::*;
        match f {
            NotOwnedByParent { objid, parent, .. } => self.partial.contains(parent) || self.partial.contains(objid),
            OwnedTwice { objid, other, .. } => self.partial.contains(objid) || self.partial.contains(other),
            AvailableNotOwned { objid, owner, .. } => {
                self.partial.contains(objid) || owner.is_some_and(|o| self.partial.contains(&o))
            }
            _ => false,
        }
    }

    /// A tree finding that only says the tree's space could not be read (T4 with an unknown
    /// space).
    fn tree_follows_from_partial_space(&self, f: &TreeFinding) -> bool {
        match f {
            // A tree's root that no tree owns (past the owned space, past the file) is named
            // whatever its own space: its space is read from it.
            TreeFinding::NotOwned {
                tree,
                pgno,
                owner: None,
            } if (*pgno == 0 || self.space.last_owned_pgno().is_some_and(|l| *pgno > l))
                && self.walk.trees.iter().any(|w| w.tree == *tree && w.pgno_root == *pgno) =>
            {
                false
            }
            TreeFinding::NotOwned { tree, owner, .. } => {
                self.partial.contains(&tree.objid) || owner.is_some_and(|o| self.partial.contains(&o))
            }
            _ => false,
        }
    }

    fn graded(&self, class: Class, code: Option<JetErr>, message: String) -> Problem {
        let (severity, pending) = self.grading.grade(class);
        let mut p = Problem::error(code, self.input.path, message);
        p.severity = severity;
        if pending {
            p.pending_recovery = Some(true);
            p.message
                .push_str("; pending recovery: replaying the required logs may repair it");
        }
        p
    }

    fn owned_by(&self, mut p: Problem, tree: TreeRef, source: OwnerSource) -> Problem {
        p.table = self.names.table(tree.objid);
        p.tree = Some(self.names.tree(tree));
        p.objid = Some(tree.objid);
        p.owner_source = Some(source);
        p
    }

    /// The walked tree `tree`.
    fn walked(&self, tree: TreeRef) -> Option<&WalkedTree> {
        self.walk.trees.iter().find(|t| t.tree == tree)
    }

    /// "data leaf, about 30 records", "internal page", "root" of a lost page of `tree`.
    fn role(&self, tree: TreeRef, pgno: u32) -> String {
        let Some(w) = self.walked(tree) else {
            return "page".into();
        };
        if pgno == w.pgno_root {
            return "root page".into();
        }
        if w.lost_leaves.contains(&pgno) {
            let kind = match tree.kind {
                TreeKind::Data | TreeKind::Catalog => "data leaf",
                TreeKind::Index => "index leaf",
                TreeKind::LongValues => "long-value leaf",
                _ => "leaf",
            };
            return match (tree.kind.holds_records(), mean_records_per_leaf(w)) {
                (true, Some(n)) => format!("{kind}, about {n} record{}", if n == 1 { "" } else { "s" }),
                _ => kind.into(),
            };
        }
        if w.lost_internal.contains(&pgno) {
            return "internal page".into();
        }
        "page".into()
    }

    fn space_problem(&self, f: &SpaceFinding, reported: &BTreeSet<i64>) -> Option<Problem> {
        use crate::format::space_map::SpaceFault;
        use SpaceFinding::*;
        let objid = f.objid();
        let whose = self
            .names
            .tree_of_objid(objid)
            .map_or_else(|| format!("objid {objid}"), |t| self.names.words(t));
        let range = |first: u32, last: u32| {
            if first == last {
                format!("page {first}")
            } else {
                format!("pages {first} to {last}")
            }
        };
        let root = self.space.trees.get(&objid).map(|t| t.fdp.pgno_fdp);
        let (page, text) = match f {
            Unreadable { pgno, fault, .. } => {
                let why = match fault {
                    SpaceFault::Unreadable => "fails its checksum or lies past the end of the file".to_string(),
                    SpaceFault::Blank => "is all zero".into(),
                    SpaceFault::WrongObjid { objid_fdp } => format!("belongs to objid {objid_fdp}"),
                    SpaceFault::Malformed(e) => format!("cannot be read ({e})"),
                    SpaceFault::Cycle => "is reached twice".into(),
                    SpaceFault::TooDeep => "lies too deep".into(),
                };
                // A tree's root page: the walk of the tree names it (its root, its table).
                let is_root = self.space.trees.get(&objid).is_some_and(|t| t.fdp.pgno_fdp == *pgno);
                if is_root
                    && matches!(
                        fault,
                        SpaceFault::Unreadable | SpaceFault::Blank | SpaceFault::Malformed(_)
                    )
                {
                    return None;
                }
                // The page's own problem (a bad checksum, a blank fixed page) says it once.
                if matches!(fault, SpaceFault::Unreadable | SpaceFault::Blank) && reported.contains(&i64::from(*pgno)) {
                    return None;
                }
                let code = if matches!(fault, SpaceFault::Blank) {
                    Some(JetErr::PageNotInitialized)
                } else {
                    JetErr::from_code(f.code())
                };
                let p = self
                    .graded(
                        Class::CrossPage,
                        code,
                        format!(
                            "page {pgno} of the space of {whose} {why}: the space it records is known only in part"
                        ),
                    )
                    .at_page(i64::from(*pgno));
                // The space tree that holds the page: the tree whose walk met it, or the root the
                // space header names.
                let met = self.walk.findings.iter().find_map(|w| match w {
                    TreeFinding::Unreadable { tree, pgno: g }
                    | TreeFinding::Blank { tree, pgno: g }
                    | TreeFinding::Malformed { tree, pgno: g, .. }
                        if g == pgno && matches!(tree.kind, TreeKind::Space(_)) =>
                    {
                        Some(*tree)
                    }
                    _ => None,
                });
                let named = self
                    .space
                    .trees
                    .get(&objid)
                    .and_then(|t| match t.header.map(|h| h.extents) {
                        Some(crate::format::space::Extents::Multiple { pgno_oe }) if pgno_oe == *pgno => {
                            Some(SpaceTree::Owned)
                        }
                        Some(crate::format::space::Extents::Multiple { pgno_oe })
                            if pgno_oe.checked_add(1) == Some(*pgno) =>
                        {
                            Some(SpaceTree::Available)
                        }
                        _ => None,
                    });
                let tree = met.or(named.map(|which| TreeRef {
                    objid,
                    kind: TreeKind::Space(which),
                }));
                return Some(match tree {
                    Some(tree) => self.owned_by(p, tree, OwnerSource::Tree),
                    None => self.attribute_tree(p, objid),
                });
            }
            BadSpaceHeader { pgno_fdp, .. } => (
                Some(*pgno_fdp),
                "its space header is neither 16 bytes nor a flags byte and a space header".to_string(),
            ),
            WrongParent {
                pgno_parent, expected, ..
            } => (
                root,
                format!("its space header names parent page {pgno_parent}, not {expected}"),
            ),
            BadSpaceTreeRoot { pgno_oe, .. } => (
                root,
                format!("its space header names owned-space page {pgno_oe}, which cannot be a space tree's root"),
            ),
            BadNode { tree, pgno, .. } => (
                Some(*pgno),
                format!("a node of its {} tree is not a valid extent", tree_words(*tree)),
            ),
            VersionedNode { tree, pgno, .. } => (
                Some(*pgno),
                format!("its {} tree holds a versioned node", tree_words(*tree)),
            ),
            KeysNotIncreasing {
                tree,
                previous,
                pgno_last,
                ..
            } => (
                None,
                format!(
                    "its {} tree lists extent end {pgno_last} after {previous}",
                    tree_words(*tree)
                ),
            ),
            ExtentsOverlap {
                tree, previous, extent, ..
            } => (
                None,
                format!(
                    "its {} tree's extent ending at page {} overlaps the one ending at {}",
                    tree_words(*tree),
                    extent.pgno_last,
                    previous.pgno_last
                ),
            ),
            NotOwnedByParent {
                parent, first, last, ..
            } => (
                Some(*first),
                format!(
                    "it owns {} that its parent (objid {parent}) does not",
                    range(*first, *last)
                ),
            ),
            OwnedTwice { other, first, last, .. } => (
                Some(*first),
                format!("it owns {} that objid {other} owns too", range(*first, *last)),
            ),
            OwnedButAvailable {
                available_to,
                first,
                last,
                ..
            } => (
                Some(*first),
                format!(
                    "it owns {} that objid {available_to} lists as available",
                    range(*first, *last)
                ),
            ),
            AvailableNotOwned { owner, first, last, .. } => (
                Some(*first),
                format!(
                    "it lists {} as available but does not own them{}",
                    range(*first, *last),
                    owner.map(|o| format!(" (objid {o} does)")).unwrap_or_default()
                ),
            ),
            AvailableTwice { other, first, last, .. } => (
                Some(*first),
                format!("it lists {} as available, as objid {other} does", range(*first, *last)),
            ),
            ShelvedOutsideRoot { first, last, .. } => (
                Some(*first),
                format!(
                    "it lists {} as shelved, which only the database root may",
                    range(*first, *last)
                ),
            ),
            SplitBufferNotOwned { first, last, .. } => (
                Some(*first),
                format!("its split buffer holds {} that it does not own", range(*first, *last)),
            ),
            SplitBufferAvailable {
                available_to,
                first,
                last,
                ..
            } => (
                Some(*first),
                format!(
                    "its split buffer holds {} that objid {available_to} lists as available",
                    range(*first, *last)
                ),
            ),
        };
        let mut p = self.graded(
            Class::CrossPage,
            JetErr::from_code(f.code()),
            format!("the space of {whose} is inconsistent: {text}"),
        );
        if let Some(g) = page {
            p = p.at_page(i64::from(g));
        }
        Some(self.attribute_tree(p, objid))
    }

    /// Names the tree `objid` (found by its space) as the problem's owner.
    fn attribute_tree(&self, p: Problem, objid: u32) -> Problem {
        match self.names.tree_of_objid(objid) {
            Some(t) => self.owned_by(p, t, OwnerSource::Space),
            None => p,
        }
    }

    fn tree_problem(&self, f: &TreeFinding, reported: &BTreeSet<i64>) -> Option<Problem> {
        use TreeFinding::*;
        let pgno = f.pgno();
        let (tree, class, text) = match f {
            Unreadable { tree, .. } => {
                if reported.contains(&i64::from(pgno)) {
                    return None; // its own problem gains the owner (attribute)
                }
                if pgno > self.input.last_pgno {
                    return None; // past the end of a cut copy: rule 1's −1206 names the tables
                }
                (*tree, Class::CrossPage, format!("page {pgno} cannot be read but is in use by {} ({})", self.names.words(*tree), self.role(*tree, pgno)))
            }
            Blank { tree, .. } => {
                if reported.contains(&i64::from(pgno)) {
                    return None;
                }
                (*tree, Class::CrossPage, format!("page {pgno} is all zero but in use by {} ({})", self.names.words(*tree), self.role(*tree, pgno)))
            }
            Malformed { tree, error, .. } => (*tree, Class::PageLocal, format!("page {pgno} of {} cannot be read: {error}", self.names.words(*tree))),
            NotARoot { tree, .. } => (*tree, Class::CrossPage, format!("page {pgno}, the root of {}, is not flagged as a root page", self.names.words(*tree))),
            WrongObjid { tree, objid_fdp, .. } => (*tree, Class::CrossPage, format!("page {pgno}, reached by {}, belongs to objid {objid_fdp}", self.names.words(*tree))),
            WrongFlags { tree, flags, .. } => (*tree, Class::CrossPage, format!("page {pgno} of {} has page flags 0x{flags:X}, not its tree's kind", self.names.words(*tree))),
            NotOwned { tree, owner: Some(o), .. } => (*tree, Class::CrossPage, format!("page {pgno} of {} is owned by objid {o}", self.names.words(*tree))),
            NotOwned { tree, owner: None, .. } => (*tree, Class::CrossPage, format!("page {pgno} of {} lies outside the space the database owns", self.names.words(*tree))),
            Available { tree, objid, .. } => (*tree, Class::CrossPage, format!("page {pgno} of {} is listed as free (available to objid {objid})", self.names.words(*tree))),
            ReachedTwice { tree, .. } => (*tree, Class::CrossPage, format!("page {pgno} is reached twice: {} reaches it again", self.names.words(*tree))),
            TooDeep { tree, .. } => (*tree, Class::CrossPage, format!("{} is deeper than the engine allows (page {pgno})", self.names.words(*tree))),
            BadChild { tree, itag, .. } => (*tree, Class::PageLocal, format!("internal page {pgno} of {}: node {itag} is not the number of a page the database owns", self.names.words(*tree))),
            BadInternalPage { tree, .. } => (*tree, Class::PageLocal, format!("internal page {pgno} of {} holds no node or has sibling links", self.names.words(*tree))),
            BadLevel { tree, .. } => (*tree, Class::CrossPage, format!("page {pgno} of {} is not at the level its parent says", self.names.words(*tree))),
            EmptyLeaf { tree, .. } => (*tree, Class::CrossPage, format!("leaf {pgno} of {} holds no node but is not its root", self.names.words(*tree))),
            BadSiblingLink { tree, pgno_prev, pgno_next, .. } => (*tree, Class::CrossPage, format!("leaf {pgno} of {}: its sibling links (previous {pgno_prev}, next {pgno_next}) disagree with the leaves in key order", self.names.words(*tree))),
            KeyOrder { tree, itag, .. } => (
                *tree,
                Class::PageLocal,
                format!(
                    "page {pgno} of {}: node {itag}'s key is not above the node before it (nodes out of order, a duplicate, or a misplaced NULL key)",
                    self.names.words(*tree)
                ),
            ),
            DbtimeTooLarge { tree, dbtime, .. } => (*tree, Class::Dbtime, format!("page {pgno} of {} has dbtime {dbtime}, above the database header's {}", self.names.words(*tree), self.input.header.dbtime_dirtied)),
        };
        let p = self
            .graded(class, JetErr::from_code(f.code()), text)
            .at_page(i64::from(pgno));
        Some(self.owned_by(p, tree, OwnerSource::Tree))
    }

    /// Leaves a tree reaches only through its leaf chain (their parent does not list them):
    /// orphans whose records repair could recover, one problem per page.
    fn chain_only_problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        for w in &self.walk.trees {
            for &pgno in &w.recoverable_leaves {
                let p = self
                    .graded(
                        Class::Orphan,
                        None,
                        format!(
                            "page {pgno}, a leaf of {}, is reached only through the leaf chain: no internal page lists it; its records can be recovered",
                            self.names.words(w.tree)
                        ),
                    )
                    .at_page(i64::from(pgno));
                out.push(self.owned_by(p, w.tree, OwnerSource::Sibling));
            }
        }
        out
    }

    /// S9: the pages in use no tree reaches: leaks one problem per run of pages of one owner and
    /// one kind, orphans (which hold data) one per page.
    /// The pages, in use and reached by no tree, whose header names a tree whose root page is
    /// lost (blank, unreadable, another tree's): that tree's own pages, named by their header
    /// alone (a hint, A1), one problem per run; the live records of its leaves, which only a
    /// scan of the pages could recover, are returned per table (`records_recoverable`).
    fn pages_of_lost_roots<'f>(&self, facts: &dyn Fn(u32) -> PageFacts<'f>) -> (Vec<Problem>, BTreeMap<u32, u64>) {
        let lost: BTreeMap<u32, &WalkedTree> = self
            .walk
            .trees
            .iter()
            .filter(|w| w.lost_internal.contains(&w.pgno_root) && lost_root_names_pages(w))
            .map(|w| (w.tree.objid, w))
            .collect();
        let mut out = Vec::new();
        let mut recovered: BTreeMap<u32, u64> = BTreeMap::new();
        if lost.is_empty() {
            return (out, recovered);
        }
        let header_objid = |u: &UnreachedPage| match u.class {
            Unreached::OtherTree { objid_fdp } => Some(objid_fdp),
            Unreached::Orphan => Some(u.owner),
            _ => None,
        };
        let pages: Vec<(u32, u32)> = self
            .walk
            .unreached
            .iter()
            .filter_map(|u| header_objid(u).filter(|o| lost.contains_key(o)).map(|o| (u.pgno, o)))
            .collect();
        let mut i = 0;
        while i < pages.len() {
            let (first, objid) = pages[i];
            let mut j = i + 1;
            while j < pages.len() && pages[j].1 == objid && pages[j].0 == pages[j - 1].0 + 1 {
                j += 1;
            }
            let last = pages[j - 1].0;
            let mut records = 0u64;
            for &(pgno, _) in &pages[i..j] {
                if let PageFacts::Page(p) = facts(pgno) {
                    if p.is_leaf() && p.flags & crate::format::page::flags::SPACE_TREE == 0 {
                        records += u64::from(p.live_nodes);
                    }
                }
            }
            let w = lost[&objid];
            if w.tree.kind.holds_records() {
                *recovered.entry(w.objid_table).or_default() += records;
            }
            let span = if i + 1 == j {
                format!("page {first}")
            } else {
                format!("pages {first} to {last} ({} pages)", j - i)
            };
            let held = if w.tree.kind.holds_records() {
                format!(", holding {records} records only a scan of the pages can recover")
            } else {
                String::new()
            };
            let p = self
                .graded(
                    Class::CrossPage,
                    None,
                    format!(
                        "{span}: pages of {} by their header, reached by no tree because its root page {} is lost{held}",
                        self.names.words(w.tree),
                        w.pgno_root
                    ),
                )
                .at_page(i64::from(first));
            out.push(self.owned_by(p, w.tree, OwnerSource::Header));
            i = j;
        }
        (out, recovered)
    }

    fn unreached_problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        // A page that cannot be read has its own problem, which gains its owner (attribute).
        let pages: Vec<UnreachedPage> = self
            .walk
            .unreached
            .iter()
            .filter(|u| u.class != Unreached::Unreadable)
            // The pages of a tree whose root is lost are named by pages_of_lost_roots.
            .filter(|u| !self.root_lost(u))
            // A tree whose space could not be read in full: its free pages look in use, and its
            // pages look its parent's (a blank one a leak of the parent's).
            .filter(|u| !self.partial.contains(&u.owner))
            .filter(|u| !(u.class.is_leak() && self.parent_of_partial(u.owner)))
            // The pages of a tree whose space could not be read (its space-tree pages, which
            // the walk could not find) are no leak or orphan of their own.
            .filter(|u| !matches!(u.class, Unreached::OtherTree { objid_fdp } if self.partial.contains(&objid_fdp)))
            .copied()
            .collect();
        let mut i = 0;
        while i < pages.len() {
            let first = pages[i];
            let mut j = i + 1;
            while j < pages.len() && same_run(&pages[j - 1], &pages[j]) {
                j += 1;
            }
            let last = pages[j - 1].pgno;
            out.push(self.unreached_problem(first, last, (j - i) as u64));
            i = j;
        }
        out
    }

    /// `objid` is the parent of a tree whose space could not be read in full.
    fn parent_of_partial(&self, objid: u32) -> bool {
        self.partial
            .iter()
            .any(|p| self.space.trees.get(p).is_some_and(|t| t.fdp.parent == objid))
    }

    /// The page's header names a tree whose root page is lost.
    fn root_lost(&self, u: &UnreachedPage) -> bool {
        let objid = match u.class {
            Unreached::OtherTree { objid_fdp } => objid_fdp,
            Unreached::Orphan => u.owner,
            _ => return false,
        };
        self.walk
            .trees
            .iter()
            .any(|w| w.tree.objid == objid && w.lost_internal.contains(&w.pgno_root) && lost_root_names_pages(w))
    }

    fn unreached_problem(&self, first: UnreachedPage, last: u32, count: u64) -> Problem {
        let owner = first.owner;
        let whose = self
            .names
            .tree_of_objid(owner)
            .map_or_else(|| format!("objid {owner}"), |t| self.names.words(t));
        let (their, orphans) = if count == 1 {
            ("its", "an orphan")
        } else {
            ("their", "orphans")
        };
        let (class, what) = match first.class {
            Unreached::Blank => (Class::Leak, "all zero: allocated and never written, a leak".to_string()),
            Unreached::DeletedObject { objid_fdp } => (
                Class::Leak,
                format!("{their} header names objid {objid_fdp}, which the catalog no longer lists: a leak"),
            ),
            Unreached::EmptyFlagged { .. } => (
                Class::Leak,
                "flagged empty: freed and never returned to the available space, a leak".into(),
            ),
            Unreached::Orphan => (
                Class::Orphan,
                format!("{their} header names that tree: {orphans}, whose data no tree reaches"),
            ),
            Unreached::OtherTree { objid_fdp } => (
                Class::Orphan,
                format!("{their} header names objid {objid_fdp}, another live tree"),
            ),
            Unreached::Unreadable => (Class::Orphan, "they cannot be read".into()),
        };
        let span = if count == 1 {
            format!("page {}", first.pgno)
        } else {
            format!("pages {} to {last} ({count} pages)", first.pgno)
        };
        let mut p = self
            .graded(
                class,
                None,
                format!("{span}: owned by {whose}, in use, reached by no tree; {what}"),
            )
            .at_page(i64::from(first.pgno));
        if self.grading.repaired && class == Class::Orphan {
            p.message.push_str(" (the database was repaired)");
        }
        match self.names.tree_of_objid(owner) {
            Some(t) => self.owned_by(p, t, OwnerSource::Space),
            None => p,
        }
    }

    /// Names the owner of a page problem that has none yet (A1): the tree that reached it, the
    /// tree that could not read it, the most specific owned extent, the available space it is
    /// listed in, past the owned space, or only its header's objid (a hint).
    fn attribute<'a>(&self, p: &mut Problem, raw: &dyn Fn(u32) -> Option<&'a [u8]>) {
        let Some(pgno) = p.page.and_then(|g| u32::try_from(g).ok()).filter(|&g| g >= 1) else {
            return;
        };
        if p.owner_source.is_some() {
            return;
        }
        let lost_by = self.walk.findings.iter().find_map(|f| match f {
            TreeFinding::Unreadable { tree, pgno: g } | TreeFinding::Blank { tree, pgno: g } if *g == pgno => {
                Some(*tree)
            }
            _ => None,
        });
        let (tree, source) = if let Some(&(tree, by_chain)) = self.walk.watched.get(&pgno) {
            (
                Some(tree),
                if by_chain {
                    OwnerSource::Sibling
                } else {
                    OwnerSource::Tree
                },
            )
        } else if let Some(tree) = lost_by {
            let role = self.role(tree, pgno);
            p.message
                .push_str(&format!("; in use by {} ({role})", self.names.words(tree)));
            if self.grading.dirty && p.code == Some(JetErr::PageNotInitialized) && !p.is_error() {
                p.pending_recovery = Some(true);
            }
            (Some(tree), OwnerSource::Tree)
        } else {
            match self.space.page(pgno) {
                PageSpace::InUse { owner } | PageSpace::SplitBuffer { objid: owner } => {
                    (self.names.tree_of_objid(owner), OwnerSource::Space)
                }
                PageSpace::Available { objid, .. } => {
                    let words = self
                        .names
                        .tree_of_objid(objid)
                        .map_or_else(|| format!("objid {objid}"), |t| self.names.words(t));
                    p.message
                        .push_str(&format!("; the page is free, available to {words}: no data is lost"));
                    (self.names.tree_of_objid(objid), OwnerSource::Free)
                }
                PageSpace::NotOwned if self.space.last_owned_pgno().is_some_and(|l| pgno > l) => {
                    p.owner_source = Some(OwnerSource::BeyondOwned);
                    return;
                }
                PageSpace::NotOwned => {
                    let hint = raw(pgno).and_then(|b| PageHeader::parse(b).ok()).map(|h| h.objid_fdp);
                    match hint.and_then(|o| self.names.tree_of_objid(o)) {
                        Some(t) => (Some(t), OwnerSource::Header),
                        None => return,
                    }
                }
            }
        };
        if let Some(t) = tree {
            let q = self.owned_by(std::mem::replace(p, Problem::error(None, "", "")), t, source);
            *p = q;
        }
    }
}

/// Issue 22 rule 1 with the walk: the −1206 of a copy cut inside its owned space names the
/// trees whose pages lie past the end of the file (LOGICAL-INTEGRITY.md §6.3).
fn name_what_a_cut_copy_lost(ctx: &Ctx<'_>, problems: &mut [Problem]) {
    let mut lost: Vec<String> = Vec::new();
    for f in &ctx.walk.findings {
        if let TreeFinding::Unreadable { tree, pgno } = f {
            if *pgno > ctx.input.last_pgno {
                let w = ctx
                    .names
                    .table(tree.objid)
                    .unwrap_or_else(|| "the database root".into());
                if !lost.contains(&w) {
                    lost.push(w);
                }
            }
        }
    }
    if lost.is_empty() {
        return;
    }
    const SHOWN: usize = 3;
    let more = lost.len().saturating_sub(SHOWN);
    lost.truncate(SHOWN);
    if more > 0 {
        lost.push(format!("{more} more"));
    }
    if let Some(p) = problems.iter_mut().find(|p| {
        p.code == Some(JetErr::DatabaseCorrupted)
            && p.page.is_none()
            && p.message.starts_with("database file is too small")
    }) {
        p.message
            .push_str(&format!("; the missing pages hold data of {}", lost.join(", ")));
    }
}

/// The trees whose pages are named when their root is lost: a user table's data, index or long
/// values. Not the catalog's trees (its shadow names the tables, the engine rebuilds its
/// indexes) nor a space tree (its FDP's own).
fn lost_root_names_pages(w: &WalkedTree) -> bool {
    matches!(w.tree.kind, TreeKind::Data | TreeKind::Index | TreeKind::LongValues)
        && w.objid_table != OBJID_FDP_MSO
        && w.objid_table != OBJID_FDP_MSO_SHADOW
}

fn tree_words(t: SpaceTree) -> &'static str {
    match t {
        SpaceTree::Owned => "owned-space",
        SpaceTree::Available => "available-space",
    }
}

/// Two unreached pages of one problem: adjacent, one owner, one kind.
fn same_run(a: &UnreachedPage, b: &UnreachedPage) -> bool {
    let kind = |u: &UnreachedPage| match u.class {
        Unreached::Blank => 0,
        Unreached::DeletedObject { .. } => 1,
        Unreached::EmptyFlagged { .. } => 2,
        Unreached::Orphan => 3,
        Unreached::OtherTree { .. } => 4,
        Unreached::Unreadable => 5,
    };
    b.pgno == a.pgno + 1 && a.owner == b.owner && kind(a) == kind(b) && a.class.is_leak()
}

/// The tree's mean live records per intact leaf, rounded; `None` when no leaf was read.
fn mean_records_per_leaf(w: &WalkedTree) -> Option<u64> {
    (w.leaves > 0).then(|| (w.live_nodes + w.leaves / 2) / w.leaves)
}

/// The summary per table (A2, A3).
fn tables(names: &Names, walk: &TreeWalk) -> Vec<TableSummary> {
    let mut out: BTreeMap<u32, TableSummary> = BTreeMap::new();
    for (&objid, o) in names.objects.iter().filter(|(_, o)| o.kind == ObjectKind::Table) {
        out.insert(
            objid,
            TableSummary {
                name: o.name.clone(),
                objid,
                pgno_fdp: o.pgno_fdp,
                records: 0,
                records_lost_estimate: 0,
                records_recoverable: 0,
                trees: Vec::new(),
            },
        );
    }
    for w in &walk.trees {
        let Some(t) = out.get_mut(&w.objid_table) else {
            continue; // the database root and its space trees
        };
        let damaged = (w.lost_leaves.len() + w.lost_internal.len()) as u64
            + walk
                .findings
                .iter()
                .filter(|f| matches!(f, TreeFinding::Malformed { tree, .. } if *tree == w.tree))
                .map(TreeFinding::pgno)
                .collect::<BTreeSet<_>>()
                .len() as u64;
        if w.tree.kind.holds_records() {
            t.records = w.live_nodes;
            t.records_lost_estimate = w.lost_leaves.len() as u64 * mean_records_per_leaf(w).unwrap_or(0);
            t.records_recoverable = w.recoverable_nodes;
        }
        t.trees.push(TreeSummary {
            kind: names.tree(w.tree).kind,
            name: names.tree(w.tree).name,
            objid: w.tree.objid,
            pgno_fdp: w.pgno_root,
            pages: w.pages,
            damaged_pages: damaged,
        });
    }
    out.into_values().collect()
}
