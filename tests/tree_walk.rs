//! The tree walk (`format::tree_walk`, issue 22 rule 8) on real databases: the trees, the pages
//! reached (leaves and internal pages) and the pages in use that no tree reaches agree with what
//! LOGICAL-INTEGRITY.md §6.1 and §6.2 measured with an independent walker; no healthy database
//! shows a structural finding; every table's live records equal libesedb's record count in
//! `testdata/catalog-reference.json`. Every corpus database when the corpus is present
//! (`ESECHECK_CORPUS=required` makes its absence a failure), and the copies in `testdata/`
//! always.

use crate::util::{corpus, files_under, readable_page, rel_name, testdata_dir};
use esecheck::format::catalog::read_catalog;
use esecheck::format::space_map::{build_space_map, fdps_of_catalog};
use esecheck::format::tree_walk::{walk_trees, FileFacts, TreeFinding, TreeKind, TreeWalk, Unreached, UnreachedPage};
use serde_json::Value;
use std::path::Path;

/// (database, B-trees (the root's included), space trees, pages reached, of them leaves and
/// internal pages, live leaf nodes of the B-trees), transcribed from LOGICAL-INTEGRITY.md §6.1
/// ("trees", "reached (leaf, internal)" and "live leaf nodes" columns). `temp.edb` is not in the
/// table: it has no catalog.
const MEASURED: &[(&str, usize, usize, u64, u64, u64, u64)] = &[
    ("dissect-esedb-generated/basic.edb", 8, 10, 23, 20, 3, 282),
    ("dissect-esedb-generated/binary.edb", 9, 10, 25, 21, 4, 284),
    ("dissect-esedb-generated/default.edb", 8, 10, 23, 20, 3, 299),
    ("dissect-esedb-generated/index.edb", 27, 12, 47, 44, 3, 398),
    ("dissect-esedb-generated/multi.edb", 9, 14, 34, 30, 4, 349),
    ("dissect-esedb-generated/text.edb", 9, 14, 32, 27, 5, 339),
    ("dissect-esedb-srum/SRUDB.dat", 29, 22, 79, 71, 8, 1402),
    ("dissect-esedb-ual/Current.mdb", 17, 10, 51, 48, 3, 1539),
    ("goese-bits-qmgr/qmgr.db", 11, 18, 33, 31, 2, 319),
    ("goese-srum/SRUDB.dat", 35, 34, 663, 646, 17, 21489),
    ("goese-ual-HyperV-PC/Current.mdb", 17, 12, 53, 49, 4, 1631),
    ("goese-ual-HyperV-PC/SystemIdentity.mdb", 13, 12, 39, 35, 4, 389),
    (
        "goese-ual-HyperV-PC/{03A01CC5-91BB-4936-B685-63697785D39E}.mdb",
        17,
        12,
        53,
        49,
        4,
        1631,
    ),
    ("goese-ual-Nondomain-User/Current.mdb", 17, 14, 56, 51, 5, 1651),
    ("goese-ual-Nondomain-User/SystemIdentity.mdb", 13, 12, 39, 35, 4, 389),
    (
        "goese-ual-Nondomain-User/{03A01CC5-91BB-4936-B685-63697785D39E}.mdb",
        17,
        14,
        56,
        51,
        5,
        1651,
    ),
    (
        "museum-srum-server2022-aptsimulator/snapshot1/SRU/SRUDB.dat",
        11,
        14,
        30,
        27,
        3,
        285,
    ),
    (
        "museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU/SRUDB.dat",
        29,
        20,
        73,
        66,
        7,
        1223,
    ),
    (
        "museum-srum-win10-aptsimulator/Clean/SRUDB.dat",
        35,
        28,
        325,
        313,
        12,
        9271,
    ),
    (
        "museum-srum-win10-belkasoftctf/Clean/SRUDB.dat",
        32,
        36,
        647,
        628,
        19,
        22126,
    ),
    (
        "museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat",
        32,
        36,
        647,
        628,
        19,
        22126,
    ),
    ("museum-srum-win10-rathbunvm/Clean/SRUDB.dat", 26, 24, 103, 93, 10, 2131),
    ("museum-srum-win10-rathbunvm/Dirty/SRUDB.dat", 26, 24, 103, 93, 10, 2131),
    (
        "museum-srum-win11-2022-02-old/Clean/SRUDB.dat",
        32,
        30,
        140,
        127,
        13,
        3075,
    ),
    (
        "museum-srum-win11-2022-02-old/Dirty/SRUDB.dat",
        32,
        30,
        140,
        127,
        13,
        3075,
    ),
    (
        "museum-srum-win11-rathbunvm/Clean/SRUDB.dat",
        35,
        38,
        333,
        317,
        16,
        10261,
    ),
    (
        "museum-srum-win11-rathbunvm/Dirty/SRUDB.dat",
        35,
        38,
        333,
        317,
        16,
        10261,
    ),
    (
        "museum-ual-server2012r2-stolenszechuan/Current.mdb",
        17,
        10,
        50,
        47,
        3,
        1427,
    ),
    (
        "museum-ual-server2012r2-stolenszechuan/SystemIdentity.mdb",
        13,
        12,
        36,
        32,
        4,
        375,
    ),
    (
        "museum-winsearch-win10-rathbunvm/Clean/Windows.edb",
        32,
        30,
        181,
        169,
        12,
        6390,
    ),
    ("plaso-catalog/Catalog1.edb", 27, 38, 203, 187, 16, 15469),
    ("plaso-ual/SystemIdentity.mdb", 13, 12, 35, 31, 4, 381),
    (
        "plaso-ual/{C519A76A-D9B5-4F85-B667-5FAC08E0E1B4}.mdb",
        17,
        10,
        49,
        46,
        3,
        1507,
    ),
    ("stroz-eseparser-generated/decompress_test.edb", 8, 10, 18, 18, 0, 260),
    ("stroz-eseparser-generated/decompress_test2.edb", 9, 14, 27, 26, 1, 344),
    ("stroz-eseparser-generated/test.edb", 9, 14, 45, 41, 4, 319),
];

const BLANK: Unreached = Unreached::Blank;
const fn deleted(objid_fdp: u32) -> Unreached {
    Unreached::DeletedObject { objid_fdp }
}

/// Pages `first..=last` in use by `owner`, not reached, all of one class.
type Run = (u32, u32, u32, Unreached);

/// The pages in use that no tree reaches, (database, [(first page, last page, owner, class)]),
/// transcribed from LOGICAL-INTEGRITY.md §6.2 ("every page in use per the space trees is
/// reachable"): 48 pages in 7 files. §6.2 gives the Windows.edb pages by class only (2
/// deleted-object, 3 orphan, 1 empty-flag); the page numbers here are what this walk reads, and
/// agree with the catalog reference: pages 29 and 30 are the roots of the MSysObjids (objid 6)
/// and MSysLocales (objid 7) that `esentutl /p` deleted, whose catalog rows stay as deleted
/// nodes (tests/catalog_reference.rs).
const UNREACHED: &[(&str, &[Run])] = &[
    // Pages 47–56 owned by the root: 47 headed objid 12 (a deleted table), 48–56 zero.
    (
        "museum-srum-win10-rathbunvm/Clean/SRUDB.dat",
        &[(47, 47, 1, deleted(12)), (48, 56, 1, BLANK)],
    ),
    (
        "museum-srum-win10-rathbunvm/Dirty/SRUDB.dat",
        &[(47, 47, 1, deleted(12)), (48, 56, 1, BLANK)],
    ),
    // Pages 63–72 owned by the root: headers 15/16 (deleted tables), 8 zero.
    (
        "museum-srum-win11-rathbunvm/Clean/SRUDB.dat",
        &[(63, 63, 1, deleted(15)), (64, 64, 1, deleted(16)), (65, 72, 1, BLANK)],
    ),
    (
        "museum-srum-win11-rathbunvm/Dirty/SRUDB.dat",
        &[(63, 63, 1, deleted(15)), (64, 64, 1, deleted(16)), (65, 72, 1, BLANK)],
    ),
    // Page 34 of SruDbIdMapTable (objid 8), zero.
    ("museum-srum-win11-2022-02-old/Clean/SRUDB.dat", &[(34, 34, 8, BLANK)]),
    ("museum-srum-win11-2022-02-old/Dirty/SRUDB.dat", &[(34, 34, 8, BLANK)]),
    // Leftovers of `/p`: 2 deleted-object, 3 orphans, 1 empty-flagged.
    (
        "museum-winsearch-win10-rathbunvm/Clean/Windows.edb",
        &[
            (29, 29, 1, deleted(6)),
            (30, 30, 1, deleted(7)),
            (43, 43, 17, Unreached::Orphan),
            (60, 61, 17, Unreached::Orphan),
            (63, 63, 17, Unreached::EmptyFlagged { objid_fdp: 17 }),
        ],
    ),
];

/// Catalog1.edb's pages 49–51 carry a dbtime above the header's (LOGICAL-INTEGRITY.md §6.2, "page
/// dbtime ≤ header dbtime": an unlogged database); the only finding of any healthy database.
const DBTIME_ABOVE_HEADER: (&str, &[u32]) = ("plaso-catalog/Catalog1.edb", &[49, 50, 51]);

fn walk_of(bytes: &[u8]) -> TreeWalk {
    let page_size = u32::from_le_bytes(bytes[236..240].try_into().unwrap()) as usize;
    // DBFILEHDR `le_dbtimeDirtied` @16.
    let dbtime = u64::from_le_bytes(bytes[16..24].try_into().unwrap());
    let page = |pgno| readable_page(bytes, page_size, pgno);
    let catalog = read_catalog(page).expect("catalog");
    let map = build_space_map(page, &fdps_of_catalog(&catalog.objects()));
    let file = FileFacts {
        last_pgno: (bytes.len() / page_size).saturating_sub(2) as u32,
        dbtime_dirtied: Some(dbtime),
    };
    walk_trees(page, &catalog, &map, file)
}

fn expected_unreached(rel: &str) -> Vec<UnreachedPage> {
    let runs = UNREACHED.iter().find(|(n, _)| *n == rel).map_or(&[][..], |(_, r)| *r);
    runs.iter()
        .flat_map(|&(first, last, owner, class)| (first..=last).map(move |pgno| UnreachedPage { pgno, owner, class }))
        .collect()
}

/// Checks one database; `false` when it is not in §6.1.
fn check(rel: &str, path: &Path, reference: &Value) -> bool {
    let Some(&(_, btrees, space_trees, reached, leaves, internal, live)) = MEASURED.iter().find(|m| m.0 == rel) else {
        return false;
    };
    let bytes = std::fs::read(path).unwrap();
    let walk = walk_of(&bytes);

    let (dbtime_file, dbtime_pages) = DBTIME_ABOVE_HEADER;
    let structural: Vec<&TreeFinding> = walk
        .findings
        .iter()
        .filter(|f| !(rel == dbtime_file && matches!(f, TreeFinding::DbtimeTooLarge { .. })))
        .collect();
    assert!(structural.is_empty(), "{rel}: {structural:?}");
    if rel == dbtime_file {
        let pages: Vec<u32> = walk.findings.iter().map(TreeFinding::pgno).collect();
        assert_eq!(pages, dbtime_pages, "{rel}: dbtime above the header's");
        assert!(walk.findings.iter().all(|f| f.code() == -344));
    }

    let is_space = |k: TreeKind| matches!(k, TreeKind::Space(_));
    let n_space = walk.trees.iter().filter(|t| is_space(t.tree.kind)).count();
    assert_eq!(
        (walk.trees.len() - n_space, n_space),
        (btrees, space_trees),
        "{rel}: trees"
    );
    let sum = |f: &dyn Fn(&esecheck::format::tree_walk::WalkedTree) -> u64| walk.trees.iter().map(f).sum::<u64>();
    assert_eq!(
        (sum(&|t| t.pages), sum(&|t| t.leaves), sum(&|t| t.internal)),
        (reached, leaves, internal),
        "{rel}: pages reached (leaves, internal)"
    );
    let live_btree = sum(&|t| if is_space(t.tree.kind) { 0 } else { t.live_nodes });
    assert_eq!(live_btree, live, "{rel}: live leaf nodes of the B-trees");

    assert_eq!(
        walk.unreached,
        expected_unreached(rel),
        "{rel}: pages in use no tree reaches"
    );

    // Records per table: libesedb counts the live records of every table (dissect counts nodes
    // flagged deleted too, so it is not the reference here).
    let tables = reference["databases"][rel]["libesedb"]["tables"]
        .as_array()
        .unwrap_or_else(|| panic!("{rel}: no libesedb tables in the reference"));
    for t in tables {
        let (name, objid, records) = (&t["name"], t["objid"].as_u64().unwrap(), t["records"].as_u64());
        assert_eq!(
            walk.records(objid as u32),
            records,
            "{rel}: records of {name} (objid {objid})"
        );
    }
    true
}

fn reference() -> Value {
    let text = std::fs::read_to_string(testdata_dir().join("catalog-reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_corpus_database_walks_as_the_independent_walk_measured() {
    let Some(root) = corpus() else {
        eprintln!("note: ../shared/corpus not present; tree walk sweep skipped");
        return;
    };
    let reference = reference();
    let mut checked = 0;
    for path in files_under(&root) {
        checked += usize::from(check(&rel_name(&path, &root), &path, &reference));
    }
    assert_eq!(checked, MEASURED.len(), "every database of §6.1 is in the corpus");
}

#[test]
fn the_testdata_copies_walk_as_the_independent_walk_measured() {
    let root = testdata_dir();
    let reference = reference();
    let mut checked = 0;
    for path in files_under(&root) {
        checked += usize::from(check(&rel_name(&path, &root), &path, &reference));
    }
    assert!(checked >= 12, "{checked} testdata databases checked");
}

#[test]
fn the_leaks_and_orphans_are_the_48_pages_of_section_6_2() {
    let pages: usize = UNREACHED.iter().map(|(n, _)| expected_unreached(n).len()).sum();
    assert_eq!((UNREACHED.len(), pages), (7, 48));
}

/// A leaf of a table's data tree in the middle of its chain (both siblings set), in a real file.
fn middle_data_leaf(bytes: &[u8], page_size: usize) -> (u32, u32) {
    let walk = walk_of(bytes);
    let data: Vec<u32> = walk
        .trees
        .iter()
        .filter(|t| t.tree.kind == TreeKind::Data && t.leaves >= 3)
        .map(|t| t.tree.objid)
        .collect();
    (1..(bytes.len() / page_size) as u32 - 2)
        .find_map(|pgno| {
            let p = readable_page(bytes, page_size, pgno)?;
            let objid = u32::from_le_bytes(p[24..28].try_into().unwrap());
            let flags = u32::from_le_bytes(p[36..40].try_into().unwrap());
            let (prev, next) = (
                u32::from_le_bytes(p[16..20].try_into().unwrap()),
                u32::from_le_bytes(p[20..24].try_into().unwrap()),
            );
            (data.contains(&objid) && flags & 0x2 != 0 && prev != 0 && next != 0).then_some((pgno, objid))
        })
        .expect("a middle data leaf")
}

/// A real database with one data leaf zeroed: the walk names the blank page of its tree (−1019)
/// and the table's live records drop by the leaf's; with the leaf's `pgnoNext` cleared instead
/// (an older copy of a leaf written back, the lost write T9 catches), the chain breaks (−327).
#[test]
fn a_zeroed_or_relinked_leaf_of_a_real_database_is_found() {
    let rel = "museum-srum-win10-belkasoftctf/Clean/SRUDB.dat";
    let bytes = crate::util::read_td(rel);
    let page_size = u32::from_le_bytes(bytes[236..240].try_into().unwrap()) as usize;
    let before = walk_of(&bytes);
    let (pgno, objid) = middle_data_leaf(&bytes, page_size);
    let at = (pgno as usize + 1) * page_size;

    let mut zeroed = bytes.clone();
    zeroed[at..at + page_size].fill(0);
    let walk = walk_of(&zeroed);
    let codes: Vec<(u32, u32, i32)> = walk.findings.iter().map(|f| (f.pgno(), objid, f.code())).collect();
    assert_eq!(codes, vec![(pgno, objid, -1019)], "{rel}: {:?}", walk.findings);
    assert!(
        walk.records(objid) < before.records(objid),
        "{rel}: records of objid {objid}"
    );

    let mut relinked = bytes.clone();
    relinked[at + 20..at + 24].copy_from_slice(&0u32.to_le_bytes());
    esecheck::testkit::db::seal_page(&mut relinked[at..at + page_size], pgno);
    let walk = walk_of(&relinked);
    assert!(
        !walk.findings.is_empty() && walk.findings.iter().all(|f| f.code() == -327),
        "{rel}: {:?}",
        walk.findings
    );
    assert_eq!(walk.records(objid), before.records(objid));
}
