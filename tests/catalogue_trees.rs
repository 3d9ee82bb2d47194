//! The corruption catalogue's tree and table rows (docs/CORRUPTION.md d30–d42; issue 22 "Done
//! when"; CLI.md Decision 23): damage planted in copies of REAL databases from `testdata/`, each
//! test asserting the exit status and, for the page it names, the code, the table (its full name)
//! and the kind of tree, as Decision 23 specifies them. The commands run end to end (`checksum
//! --json`, `verify --json`) and the JSON is read as `serde_json::Value`.
//!
//! Every page number, objid, table name, tree kind, sibling link and record count below was read
//! with an independent tool, never with esecheck: `scripts/tree-facts.py` (dissect.esedb's page
//! reader walking each tree of the catalog from its root; page headers read with `struct` at the
//! offsets of ESE-FORMAT.md §3.1: pgnoPrev @16, pgnoNext @20, objidFDP @24, fFlags @36), the space
//! trees' extents decoded from the same pages (key = last page big-endian, data = page count;
//! SPACE_HEADER pgnoOE @12 of the root's tag 0, AE = OE + 1, LOGICAL-INTEGRITY.md §3.2), the table
//! list and record counts of dissect.esedb and libesedb-python in `testdata/catalog-reference.json`,
//! and the database header fields (le_dbstate @52, le_ulRepairCount @240; ESE-FORMAT.md §1) read
//! with `struct`. LOGICAL-INTEGRITY.md §5 and §6.3 planted the same damage with its own walker.
//!
//! The databases are copied alone (no flush map, no logs beside them) for `checksum`, so that
//! issue 22's rule 3 (a blank page whose flush state the `.jfm` knows is −1119) does not apply and
//! the walk's own finding is the one named; the `verify` tests copy the whole set.

use crate::util::Run;
use crate::util::{copy_set, esecheck_no_progress, json_codes, read_td};
use esecheck::checksum::{verify_page, PageStatus};
use esecheck::testkit::damage::{page_mut, page_offset, physical_page, zero_page};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Every database used here has 4 KiB pages (their headers' cbPageSize, and LOGICAL-INTEGRITY.md
/// §6.1's "page" column).
const PS: usize = 4096;

/// The Server 2022 SRUM set, two snapshots of one database a day apart (corpus MANIFEST;
/// testdata/README.md). Both headers: le_dbstate 3 (CleanShutdown), le_ulRepairCount 0.
const SNAP1: &str = "museum-srum-server2022-aptsimulator/snapshot1/SRU/SRUDB.dat";
const SNAP2_SET: &str = "museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU";
const SNAP2: &str = "museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU/SRUDB.dat";

/// Belkasoft's SRUM database: the Clean copy's header says CleanShutdown (le_dbstate 3) and
/// repaired (le_ulRepairCount 2), the Dirty copy's DirtyShutdown (le_dbstate 2); `cmp -l` shows
/// the two files differ only in the two header pages, so both have the same trees.
const BELKA_CLEAN: &str = "museum-srum-win10-belkasoftctf/Clean/SRUDB.dat";
const BELKA_DIRTY_SET: &str = "museum-srum-win10-belkasoftctf/Dirty";
const BELKA_DIRTY: &str = "museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat";

/// snapshot2's table of objid 18, root page 79 (dissect and libesedb: 153 records; the whole
/// database holds 620 records).
const D10: &str = "{D10CA2FE-6FCF-4F6D-848E-B2E99266FA89}";
/// Belkasoft's table of objid 12, root page 47.
const C5C: &str = "{5C8CF1C7-7257-4F13-B223-970EF5939312}";

// ---- helpers ---------------------------------------------------------------------------------

/// A copy of the database `rel` of `testdata/`, alone in a temporary directory under its own
/// file name, after `damage` was applied to its bytes.
fn damaged_copy(rel: &str, damage: impl FnOnce(&mut Vec<u8>)) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Path::new(rel).file_name().unwrap());
    let mut bytes = read_td(rel);
    damage(&mut bytes);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// A copy of the whole set `set` of `testdata/` whose database `db` (a file name in it) was
/// damaged by `damage`.
fn damaged_set(set: &str, db: &str, damage: impl FnOnce(&mut Vec<u8>)) -> TempDir {
    let dir = copy_set(set);
    let path = dir.path().join(db);
    let mut bytes = std::fs::read(&path).unwrap();
    damage(&mut bytes);
    std::fs::write(&path, bytes).unwrap();
    dir
}

/// Zeroes logical page `pgno`.
fn zero(pgno: u32) -> impl FnOnce(&mut Vec<u8>) {
    move |b: &mut Vec<u8>| zero_page(b, PS, physical_page(pgno))
}

/// Copies logical page `pgno` of snapshot1 over the same page of snapshot2: a lost write, the
/// page as it was a day earlier. The old page verifies as it is (its checksum mixes in its own
/// page number, which does not change); the test checks that and that the pages differ.
fn older_copy(pgno: u32) -> impl FnOnce(&mut Vec<u8>) {
    move |b: &mut Vec<u8>| {
        let old = read_td(SNAP1);
        let off = page_offset(PS, pgno);
        let old_page = old[off..off + PS].to_vec();
        let pages = (b.len() / PS - 2) as u32;
        assert_eq!(
            verify_page(&old_page, pgno, pages).status,
            PageStatus::Good,
            "snapshot1's page {pgno} must verify as it is"
        );
        let new_page = page_mut(b, PS, pgno);
        assert_ne!(new_page, &old_page[..], "page {pgno} must differ between the snapshots");
        new_page.copy_from_slice(&old_page);
    }
}

/// Runs `esecheck --no-progress COMMAND --json ARGS… PATH` and returns (exit status, document).
fn run_json(command: &str, args: &[&str], path: &Path) -> (i32, Value) {
    let out = esecheck_no_progress()
        .arg(command)
        .arg("--json")
        .args(args)
        .arg(path)
        .run();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{command} --json {args:?}: not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn checksum(path: &Path, args: &[&str]) -> (i32, Value) {
    run_json("checksum", args, path)
}

fn problems(v: &Value) -> &[Value] {
    v["problems"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// The problems of the document `v` about logical page `pgno`.
fn at_page(v: &Value, pgno: i64) -> Vec<&Value> {
    problems(v).iter().filter(|p| p["page"] == pgno).collect()
}

/// The one problem about page `pgno` with `code` (`Value::Null` for a finding without a code);
/// panics, listing the document's problems, when there is none.
fn problem(v: &Value, pgno: i64, code: Value) -> &Value {
    at_page(v, pgno)
        .into_iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| {
            panic!(
                "no problem with code {code} at page {pgno}; problems: {:#}",
                v["problems"]
            )
        })
}

/// Decision 23's attribution of `p`: the table's full name and the kind of the tree.
fn assert_named(p: &Value, table: &str, kind: &str) {
    assert_eq!(p["table"], table, "{p:#}");
    assert_eq!(p["tree"]["kind"], kind, "{p:#}");
}

/// The entry of the table `name` in a database's `tables` (`files[0]` of `checksum`,
/// `databases[0]` of `verify`).
fn table<'a>(db: &'a Value, name: &str) -> &'a Value {
    db["tables"]
        .as_array()
        .unwrap_or_else(|| panic!("tables is not a list: {:#}", db["tables"]))
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in {:#}", db["tables"]))
}

/// The tree of `kind` (and `name`, when given) of the table entry `t`.
fn tree<'a>(t: &'a Value, kind: &str, name: Option<&str>) -> &'a Value {
    t["trees"]
        .as_array()
        .unwrap_or_else(|| panic!("trees is not a list: {t:#}"))
        .iter()
        .find(|tr| tr["kind"] == kind && name.is_none_or(|n| tr["name"] == n))
        .unwrap_or_else(|| panic!("no {kind} tree {name:?} in {t:#}"))
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

// ---- zeroed pages of a clean database --------------------------------------------------------

/// snapshot2, page 82 (tree-facts.py): the first leaf of table {D10CA2FE…}'s data tree (objid 18,
/// flags 0xa802 = leaf, pgnoPrev 0, pgnoNext 83), a child of root 79, 30 live records. Its
/// other leaves 83, 84, 85, 107 hold 30 live records each and 108 holds 3: 153 in all (dissect
/// and libesedb agree), 123 without page 82. LOGICAL-INTEGRITY.md §6.3: libesedb then reads 467
/// of the database's 620 records, dissect 590, both without an error. The contract's estimate
/// (the mean of the intact leaves, 123 / 5) is 25; its text example says "about 30".
#[test]
fn d30_zeroed_data_leaf_of_a_clean_database_is_1019_in_its_table() {
    let (_dir, db) = damaged_copy(SNAP2, zero(82));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 1, "{v:#}");
    let p = problem(&v, 82, (-1019).into());
    assert_eq!(p["severity"], "error", "{p:#}");
    assert_named(p, D10, "data");
    assert_eq!(p["objid"], 18, "{p:#}");
    assert_eq!(p["owner_source"], "tree", "{p:#}");

    let t = table(&v["files"][0], D10);
    assert_eq!((int(&t["objid"]), int(&t["pgno_fdp"])), (18, 79), "{t:#}");
    assert_eq!(int(&t["records"]), 123, "{t:#}");
    // Decision 23: per damaged data leaf, the tree's mean live records per intact leaf, rounded:
    // the intact leaves 83, 84, 85, 107, 108 hold 30 + 30 + 30 + 30 + 3 = 123 (tree-facts.py),
    // 123 / 5 = 24.6, so 25 (the "about 30" example predates the formula's figure).
    assert_eq!(int(&t["records_lost_estimate"]), 25, "{t:#}");
    assert!(int(&tree(t, "data", None)["damaged_pages"]) >= 1, "{t:#}");

    // Text names the page and the table in full, on one line.
    let out = esecheck_no_progress().arg("checksum").arg(&db).run();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l.contains("page 82") && l.contains(D10)), "{text}");
}

/// `verify` on the whole snapshot2 set with the same leaf zeroed: the set's flush map
/// (SRUDB.jfm) knows page 82's flush state (LOGICAL-INTEGRITY.md §6.3: "flush map: known state on
/// a zero page"; §6.1: the map knows the 73 pages the trees reach), so issue 22's rule 3 names the
/// page −1119, one problem per page, still attributed to its table.
#[test]
fn d31_zeroed_data_leaf_in_verify_is_named_with_its_table() {
    let dir = damaged_set(SNAP2_SET, "SRUDB.dat", zero(82));
    let (code, v) = run_json("verify", &[], dir.path());
    assert_eq!(code, 1, "{v:#}");
    let here = at_page(&v, 82);
    assert_eq!(here.len(), 1, "one problem per page: {here:#?}");
    let p = problem(&v, 82, (-1119).into());
    assert_named(p, D10, "data");
    let t = table(&v["databases"][0], D10);
    assert_eq!(int(&t["pgno_fdp"]), 79, "{t:#}");
}

/// belkasoft Clean (CleanShutdown, repaired: orphans would be information), page 484
/// (tree-facts.py): an internal page of table {5C8CF1C7…}'s data tree (objid 12, flags 0x12804 =
/// parent-of-leaf, not root), the first of root 47's three children [484, 503, 647]. Its 95
/// children are leaves (first 52, pgnoPrev 0; last 400, whose pgnoNext is 401, the first child
/// of 503) holding 1,235 live records: only the sibling chain still reaches them.
#[test]
fn d32_zeroed_internal_page_of_a_data_tree_is_1019_and_its_leaves_recoverable() {
    let (_dir, db) = damaged_copy(BELKA_CLEAN, zero(484));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 1, "{v:#}");
    let p = problem(&v, 484, (-1019).into());
    assert_eq!(p["severity"], "error", "{p:#}");
    assert_named(p, C5C, "data");
    assert_eq!(p["objid"], 12, "{p:#}");

    let t = table(&v["files"][0], C5C);
    assert_eq!((int(&t["objid"]), int(&t["pgno_fdp"])), (12, 47), "{t:#}");
    // All 1,235 records under page 484 are still linked by the leaf chain; the others are read:
    // 4,107 in all (libesedb-python, testdata/catalog-reference.json) − 1,235 = 2,872. No leaf
    // is lost, so nothing is estimated lost.
    assert_eq!(
        (
            int(&t["records"]),
            int(&t["records_recoverable"]),
            int(&t["records_lost_estimate"])
        ),
        (2872, 1235, 0),
        "{t:#}"
    );
    assert!(int(&tree(t, "data", None)["damaged_pages"]) >= 1, "{t:#}");
}

/// snapshot2, page 79: the root (FDP) of table {D10CA2FE…} (catalog: objid 18, pgnoFDP 79; page
/// header objid 18, flags 0x1a805 = root | parent-of-leaf), holding its space header (OE 105, AE
/// 106) and the separators of leaves 82, 83, 84, 85, 107, 108. The catalog is intact, so the
/// table is still named.
#[test]
fn d33_zeroed_table_root_is_1019_in_its_table() {
    let (_dir, db) = damaged_copy(SNAP2, zero(79));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 1, "{v:#}");
    let p = problem(&v, 79, (-1019).into());
    assert_eq!(p["severity"], "error", "{p:#}");
    assert_named(p, D10, "data");
    assert_eq!(p["objid"], 18, "{p:#}");
    let t = table(&v["files"][0], D10);
    assert_eq!(int(&t["pgno_fdp"]), 79, "{t:#}");
    assert!(int(&tree(t, "data", None)["damaged_pages"]) >= 1, "{t:#}");
    // With its root lost, no tree reaches the table's leaves (82–85, 107, 108: tree-facts.py);
    // their headers still name objid 18, so they are named as the table's by their header (a
    // hint, A1) and their records are what a scan of the pages could recover: all 153 of the
    // table's records (dissect.esedb and libesedb-python, testdata/catalog-reference.json).
    assert_eq!(int(&t["records_recoverable"]), 153, "{t:#}");
    let leaf = problem(&v, 82, Value::Null);
    assert_named(leaf, D10, "data");
    assert_eq!(leaf["owner_source"], "header", "{leaf:#}");
}

/// snapshot2, page 88: the first leaf of the secondary index UserIdTimeStamp of {D10CA2FE…}
/// (catalog: index objid 19, pgnoFDP 80; page header objid 19, flags 0x12c42 = leaf | index |
/// non-unique; root 80's children [88, 121]). The table's data tree (root 79) is intact: 153
/// records, none lost (a damaged index loses no rows).
#[test]
fn d34_zeroed_secondary_index_page_is_1019_in_its_table_and_loses_no_records() {
    let (_dir, db) = damaged_copy(SNAP2, zero(88));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 1, "{v:#}");
    let p = problem(&v, 88, (-1019).into());
    assert_eq!(p["severity"], "error", "{p:#}");
    assert_named(p, D10, "index");
    assert_eq!(p["tree"]["name"], "UserIdTimeStamp", "{p:#}");
    assert_eq!(p["objid"], 19, "{p:#}");

    let t = table(&v["files"][0], D10);
    assert_eq!(int(&t["records"]), 153, "{t:#}");
    assert_eq!(int(&t["records_lost_estimate"]), 0, "{t:#}");
    let index = tree(t, "index", Some("UserIdTimeStamp"));
    assert_eq!((int(&index["objid"]), int(&index["pgno_fdp"])), (19, 80), "{index:#}");
    assert!(int(&index["damaged_pages"]) >= 1, "{index:#}");
    assert_eq!(int(&tree(t, "data", None)["damaged_pages"]), 0, "{t:#}");
}

/// snapshot2, page 106: the root of the available-extent tree of table {D10CA2FE…}: root 79's
/// space header (tag 0) says multiple extents with pgnoOE 105, so AE = 106; page 106's header:
/// objid 18, flags 0x12823 = root | leaf | space tree; its extents 109–110 and 125–126.
#[test]
fn d35_zeroed_space_tree_page_is_1019_in_its_table() {
    let (_dir, db) = damaged_copy(SNAP2, zero(106));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 1, "{v:#}");
    let p = problem(&v, 106, (-1019).into());
    assert_eq!(p["severity"], "error", "{p:#}");
    assert_named(p, D10, "space");
    assert_eq!(p["tree"]["name"], "available space", "{p:#}");
}

/// snapshot2, page 14: the second of MSysObjects' four leaves (root 4's children [13, 14, 19,
/// 20]; header objid 2, flags 0xa802, pgnoPrev 13, pgnoNext 19; 44 live catalog rows). The
/// shadow catalog (root 24, leaves 27, 28, 41, 42 with 59 + 44 + 42 + 16 = 161 rows, as many as
/// MSysObjects) is intact, so every table is still named, with the objid and root page dissect
/// reads (catalog-reference.json).
#[test]
fn d36_zeroed_catalog_leaf_is_1019_in_msysobjects_and_the_shadow_names_the_tables() {
    let (_dir, db) = damaged_copy(SNAP2, zero(14));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 1, "{v:#}");
    let p = problem(&v, 14, (-1019).into());
    assert_eq!(p["severity"], "error", "{p:#}");
    assert_named(p, "MSysObjects", "catalog");

    let expected: [(&str, i64, i64); 12] = [
        ("MSysObjects", 2, 4),
        ("MSysObjectsShadow", 3, 24),
        ("MSysObjids", 6, 29),
        ("MSysLocales", 7, 30),
        ("SruDbIdMapTable", 8, 31),
        ("SruDbCheckpointTable", 10, 36),
        ("{17F4D97B-F26A-5E79-3A82-90040A47D13D}", 12, 47),
        ("{841A7317-3805-518B-C2EA-AD224CB4AF84}", 15, 63),
        (D10, 18, 79),
        ("{DC3D3B50-BB90-5066-FA4E-A5F90DD8B677}", 21, 95),
        ("{DD6636C4-8929-4683-974E-22C046A43763}", 24, 111),
        ("{EEE2F477-0659-5C47-EF03-6D6BEFD441B3}", 27, 127),
    ];
    let db = &v["files"][0];
    for (name, objid, fdp) in expected {
        let t = table(db, name);
        assert_eq!((int(&t["objid"]), int(&t["pgno_fdp"])), (objid, fdp), "{t:#}");
    }
    assert_eq!(int(&table(db, D10)["records"]), 153);
}

// ---- pages replaced by their own older copies (lost writes) ----------------------------------
//
// snapshot1 is the same database a day earlier (46 pages; snapshot2 has 158). Pages compared
// with `tree-facts.py --pages 1,…,46` on both files; extents decoded from both files' space trees.

/// Page 24, MSysObjectsShadow's root, as it was a day earlier: its children were [27, 28]
/// (snapshot2: [27, 28, 41, 42]). The leaves it reaches are 27 then 28, and snapshot2's leaf 28
/// says pgnoNext 41 where the last leaf must say 0 (T9: −327, an error on a clean database).
/// Pages 41 and 42 (headers objid 3; owned by the shadow: its OE tree, page 25, lists 24–28 and
/// 41–46, its AE tree, page 26, only 43–46) are then in use and reached by no tree.
#[test]
fn d37_older_copy_of_the_shadow_root_breaks_the_leaf_chain() {
    let (_dir, db) = damaged_copy(SNAP2, older_copy(24));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 1, "{v:#}");
    let p = problem(&v, 28, (-327).into());
    assert_eq!(p["severity"], "error", "{p:#}");
    assert_named(p, "MSysObjectsShadow", "catalog");
    // 28's pgnoNext leads on to 41 and 42, which no internal page lists: leaves only the chain
    // reaches, orphans (a warning: the database is clean and was never repaired), named by the
    // sibling link.
    for pgno in [41, 42] {
        let p = problem(&v, pgno, Value::Null);
        assert_eq!(
            (&p["severity"], &p["owner_source"]),
            (&"warning".into(), &"sibling".into()),
            "{p:#}"
        );
        assert_named(p, "MSysObjectsShadow", "catalog");
    }
}

/// Page 15, the first leaf of MSysObjects' Name index (objid 4, root 7, children [15, 16]), as
/// it was a day earlier: pgnoNext 0 (snapshot2: 16; leaf 16 says pgnoPrev 15). The tree reaches
/// 15 then 16, and 15's link disagrees (T9: −327; LOGICAL-INTEGRITY.md §5 caught this planted
/// page the same way). The index is one of MSysObjects' own trees: kind "catalog" (Decision 23).
#[test]
fn d38_older_copy_of_a_catalog_index_leaf_breaks_the_leaf_chain() {
    let (_dir, db) = damaged_copy(SNAP2, older_copy(15));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 1, "{v:#}");
    let p = problem(&v, 15, (-327).into());
    assert_eq!(p["severity"], "error", "{p:#}");
    // A secondary index of the catalog is an index tree ("catalog" is MSysObjects' and its
    // shadow's own trees, CLI.md Decision 23).
    assert_named(p, "MSysObjects", "index");
}

/// Page 31, SruDbIdMapTable's root (objid 8), as it was a day earlier: a root leaf (flags
/// 0x12803) with 2 live records, where snapshot2's root is an internal page (0x12805) over leaves
/// 34, 57, 58, 59 (96 records). Those four leaves (headers objid 8) are owned by the table (its
/// OE tree, page 32: 31, 32–34, 35, 57–62, 73–78, 89–94) and not available (its AE tree, page 33:
/// 60–62, 76–78, 93–94; the node for 34 is flagged deleted): in use, reached by no tree, their
/// headers naming their owner — orphans, a warning on a clean, never repaired database
/// (LOGICAL-INTEGRITY.md §5: "4 orphans of that table"). Nothing else disagrees: exit 0, and 1
/// with `--strict`.
#[test]
fn d39_older_copy_of_a_table_root_leaves_its_leaves_orphaned() {
    let (_dir, db) = damaged_copy(SNAP2, older_copy(31));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(json_codes(&v, "error"), Vec::<i64>::new(), "{v:#}");
    for pgno in [34, 57, 58, 59] {
        let p = problem(&v, pgno, Value::Null);
        assert_eq!(p["severity"], "warning", "{p:#}");
        assert_eq!(p["table"], "SruDbIdMapTable", "{p:#}");
    }
    let t = table(&v["files"][0], "SruDbIdMapTable");
    assert_eq!(int(&t["records"]), 2, "{t:#}");

    let (strict, v) = checksum(&db, &["--strict"]);
    assert_eq!(strict, 1, "{v:#}");
}

/// Page 3, the database root's available-extent tree, as it was a day earlier: it lists 41–46
/// as available to the root (snapshot2: that node flagged deleted, 137–142 available). Pages 41
/// and 42 are leaves MSysObjectsShadow's tree reaches (root 24's children [27, 28, 41, 42];
/// owned by the shadow, OE page 25: 41–46): a page a tree uses listed as free, −341 (T4, S5).
#[test]
fn d40_older_copy_of_the_root_available_space_frees_pages_in_use() {
    let (_dir, db) = damaged_copy(SNAP2, older_copy(3));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 1, "{v:#}");
    for pgno in [41, 42] {
        let p = problem(&v, pgno, (-341).into());
        assert_eq!(p["severity"], "error", "{p:#}");
        assert_named(p, "MSysObjectsShadow", "catalog");
    }
}

// ---- a dirty database, and --no-logical ------------------------------------------------------

/// belkasoft Dirty (DirtyShutdown), page 200 (tree-facts.py): a leaf of table {5C8CF1C7…}'s data
/// tree (objid 12, flags 0xa802, pgnoPrev 691, pgnoNext 53, 9 live records), a child of 647. The
/// logs may legitimately rewrite a page whose write was lost: a warning, "pending recovery"
/// (LOGICAL-INTEGRITY.md §2 T5, §4), exit 0 — in `checksum` on the file alone and in `verify` on
/// the set with its logs (required 81, present 78–82).
#[test]
fn d41_zeroed_leaf_of_a_dirty_database_is_pending_recovery() {
    let (_dir, db) = damaged_copy(BELKA_DIRTY, zero(200));
    let (code, v) = checksum(&db, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(json_codes(&v, "error"), Vec::<i64>::new(), "{v:#}");
    let p = problem(&v, 200, (-1019).into());
    assert_eq!(p["severity"], "warning", "{p:#}");
    assert_eq!(p["pending_recovery"], true, "{p:#}");
    assert_named(p, C5C, "data");
    // Leaf 200 held 9 of the table's 4,107 records (tree-facts.py; libesedb-python): the rest
    // are read.
    assert_eq!(int(&table(&v["files"][0], C5C)["records"]), 4107 - 9);

    let dir = damaged_set(BELKA_DIRTY_SET, "SRUDB.dat", zero(200));
    let (code, v) = run_json("verify", &[], dir.path());
    assert_eq!(code, 0, "{v:#}");
    let p = problem(&v, 200, (-1019).into());
    assert_eq!(p["severity"], "warning", "{p:#}");
    assert_eq!(p["pending_recovery"], true, "{p:#}");
    assert_named(p, C5C, "data");
}

/// `--no-logical` skips the walk: snapshot2's zeroed leaf 82 is then only an uninitialized page
/// (no fixed page, no flush map beside the copy), so the file passes and `tables` is `null`.
#[test]
fn d42_no_logical_skips_the_walk_and_tables_is_null() {
    let (_dir, db) = damaged_copy(SNAP2, zero(82));
    let (code, v) = checksum(&db, &["--no-logical"]);
    assert_eq!(code, 0, "{v:#}");
    assert!(v["files"][0]["tables"].is_null(), "{:#}", v["files"][0]);
    assert!(at_page(&v, 82).is_empty(), "{v:#}");
}

/// The undamaged copies these rows start from are whole (LOGICAL-INTEGRITY.md §6.1: no finding,
/// no page in use unreached, in either file): no error, no warning, and `tables` listed — a
/// guard that the damage, not the file, makes each row.
#[test]
fn undamaged_snapshot2_and_belkasoft_clean_have_no_findings() {
    for rel in [SNAP2, BELKA_CLEAN] {
        let (_dir, db) = damaged_copy(rel, |_| {});
        let (code, v) = checksum(&db, &[]);
        assert_eq!(code, 0, "{rel}: {v:#}");
        let findings: Vec<&Value> = problems(&v)
            .iter()
            .filter(|p| p["severity"] == "error" || p["severity"] == "warning")
            .collect();
        assert!(findings.is_empty(), "{rel}: {findings:#?}");
        assert!(v["files"][0]["tables"].is_array(), "{rel}: {:#}", v["files"][0]);
    }
}

/// Information never fails a check, not even with `--strict` (CLI.md Decision 23): the healthy
/// win10-rathbunvm SRUM database holds the leaks LOGICAL-INTEGRITY.md §6.2 lists — page 47
/// headed objid 12, a table the catalog no longer lists, and pages 48–56 all zero, owned by the
/// database root and reached by no tree — and `checksum --strict` passes with them as `info`.
#[test]
fn leaked_pages_of_a_healthy_database_are_information_even_with_strict() {
    let db = crate::util::td("museum-srum-win10-rathbunvm/Clean/SRUDB.dat");
    let (code, v) = checksum(&db, &["--strict"]);
    assert_eq!(code, 0, "{v:#}");
    let got: Vec<(&str, i64)> = problems(&v)
        .iter()
        .map(|p| (p["severity"].as_str().unwrap_or(""), int(&p["page"])))
        .collect();
    assert_eq!(got, vec![("info", 47), ("info", 48)], "{v:#}");
    assert!(problems(&v)[1]["message"]
        .as_str()
        .unwrap_or("")
        .starts_with("pages 48 to 56 (9 pages)"));
    let out = esecheck_no_progress().args(["checksum", "--strict"]).arg(&db).run();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().filter(|l| l.starts_with("INFO: ")).count(), 2, "{text}");
    assert!(
        text.lines().last().unwrap_or("").starts_with("PASS: 1 file verified"),
        "{text}"
    );
}
