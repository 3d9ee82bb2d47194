//! esecheck's catalog reader (`format::catalog`, issue 22 rule 5) against an independent
//! reference: `testdata/catalog-reference.json`, written by `scripts/catalog-reference.py` with
//! dissect.esedb and libesedb-python (its provenance block names the versions), never by esecheck.
//! Every corpus database when the corpus is present (`ESECHECK_CORPUS=required` makes its absence
//! a failure), and the copies in `testdata/` always.
//!
//! What must agree, per database: dissect's MSysObjects rows (ObjidTable, Type, Id,
//! ColtypOrPgnoFDP, Name) are exactly esecheck's rows plus the nodes esecheck skips as deleted;
//! dissect's tables (name, objid, root page) are esecheck's tables plus those whose row is
//! deleted; libesedb's tables (name, objid), which follow the engine, are esecheck's tables.
//! The deleted rows are listed per file in [`DELETED_ROWS`], not tolerated in general.

use crate::util::{corpus, files_under, readable_page, rel_name, testdata_dir};
use esecheck::checksum::{verify_page, PageStatus};
use esecheck::format::catalog::{
    read_catalog, walk_catalog_tree, Catalog, CatalogRow, CatalogSource, SysObj, OBJID_FDP_MSO_SHADOW, PGNO_FDP_MSO,
    PGNO_FDP_MSO_SHADOW,
};
use serde_json::Value;
use std::path::Path;

/// Catalog rows dissect.esedb lists that are nodes flagged deleted (the engine, libesedb and
/// esecheck do not read them), per database: (deleted table rows, all deleted rows). Each file's
/// counts are dissect's MSysObjects record count minus libesedb's (both in the reference), and
/// each deleted table is one dissect lists and libesedb does not (checked below). The deleted
/// tables are the ones LOGICAL-INTEGRITY.md §6.2 finds leaked pages of.
const DELETED_ROWS: &[(&str, usize, usize)] = &[
    // SRUM table {5C8CF1C7-…} objid 12 @47, deleted with its columns and indexes (215 − 195).
    ("museum-srum-win10-rathbunvm/Clean/SRUDB.dat", 1, 20),
    ("museum-srum-win10-rathbunvm/Dirty/SRUDB.dat", 1, 20),
    // SRUM table {5C8CF1C7-…} objid 15 @63 (290 − 243).
    ("museum-srum-win11-rathbunvm/Clean/SRUDB.dat", 1, 47),
    ("museum-srum-win11-rathbunvm/Dirty/SRUDB.dat", 1, 47),
    // `esentutl /p` recreated MSysObjids and MSysLocales (its INTEG.RAW: "Deleting
    // MSObjids/MSysLocales"); the old rows (objids 6 @29 and 7 @30) stay as deleted nodes
    // (805 − 795).
    ("museum-winsearch-win10-rathbunvm/Clean/Windows.edb", 2, 10),
];

/// The temporary database has no catalog: page 4 belongs to another tree and so does the
/// shadow's page. dissect fails on it; libesedb reads one table from a page of another tree.
const NO_CATALOG: &str = "museum-ntds-server2012r2-stolenszechuan-partial/temp.edb";

fn reference() -> Value {
    let text = std::fs::read_to_string(testdata_dir().join("catalog-reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The catalog of a database file, every page checked with its checksum first: a page that does
/// not verify is given to the reader as unreadable, as the scan will give it.
fn catalog_of(bytes: &[u8]) -> Result<Catalog, esecheck::format::catalog::CatalogError> {
    let page_size = u32::from_le_bytes(bytes[236..240].try_into().unwrap()) as usize;
    read_catalog(|pgno| readable_page(bytes, page_size, pgno))
}

type Row = (i64, i64, i64, i64, String);

fn row_of(r: &CatalogRow) -> Row {
    let t = match r.sysobj {
        SysObj::Table => 1,
        SysObj::Column => 2,
        SysObj::Index => 3,
        SysObj::LongValue => 4,
        SysObj::Callback => 5,
        SysObj::Other(v) => i64::from(v),
    };
    (
        i64::from(r.objid_table as i32),
        t,
        i64::from(r.id as i32),
        i64::from(r.coltyp_or_pgno_fdp as i32),
        r.name.clone().unwrap_or_default(),
    )
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// Checks one database against its reference entry; returns (tables, rows) compared.
fn check(rel: &str, bytes: &[u8], want: &Value) -> (usize, usize) {
    let got = catalog_of(bytes);
    if rel == NO_CATALOG {
        let e = got.expect_err("temp.edb has no catalog");
        assert!(want["dissect"]["error"].is_string(), "{rel}: dissect reads it now");
        return (0, usize::from(e.primary.pgno() == 4));
    }
    let c = got.unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(c.source, CatalogSource::MSysObjects, "{rel}: {:?}", c.primary_fault);

    let (del_tables, del_rows) = DELETED_ROWS
        .iter()
        .find(|(n, ..)| *n == rel)
        .map_or((0, 0), |&(_, t, r)| (t, r));
    assert_eq!(c.deleted.len(), del_rows, "{rel}: deleted catalog nodes");

    // Every MSysObjects row dissect lists: esecheck's live rows and its deleted ones.
    let field = |v: &Value, k: &str| v[k].as_i64().unwrap_or_else(|| panic!("{rel}: {k} in {v}"));
    let dissect_rows: Vec<Row> = want["dissect"]["catalog_rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{rel}: no dissect rows"))
        .iter()
        .map(|v| {
            (
                field(v, "ObjidTable"),
                field(v, "Type"),
                field(v, "Id"),
                field(v, "ColtypOrPgnoFDP"),
                v["Name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mut ours: Vec<Row> = c.rows.iter().map(row_of).collect();
    ours.extend(c.deleted.iter().map(row_of));
    assert_eq!(sorted(ours), sorted(dissect_rows.clone()), "{rel}: catalog rows");

    // MSysObjects' record count: libesedb counts the live rows, dissect every node.
    let records = |tool: &str| {
        want[tool]["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "MSysObjects")
            .and_then(|t| t["records"].as_u64())
            .unwrap_or_else(|| panic!("{rel}: {tool} has no MSysObjects count"))
    };
    assert_eq!(c.rows.len() as u64, records("libesedb"), "{rel}: live rows (libesedb)");
    assert_eq!(
        (c.rows.len() + del_rows) as u64,
        records("dissect"),
        "{rel}: all nodes (dissect)"
    );

    // Tables: name, objid, root page.
    let live: Vec<(String, i64, i64)> = c
        .rows
        .iter()
        .filter(|r| r.sysobj == SysObj::Table)
        .map(|r| {
            let (_, _, id, pgno, name) = row_of(r);
            (name, id, pgno)
        })
        .collect();
    let deleted_tables = c.deleted.iter().filter(|r| r.sysobj == SysObj::Table).count();
    assert_eq!(deleted_tables, del_tables, "{rel}: deleted table rows");
    let dissect_tables: Vec<(String, i64, i64)> = want["dissect"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                field(t, "objid"),
                field(t, "root_page"),
            )
        })
        .collect();
    let mut ours_all = live.clone();
    ours_all.extend(c.deleted.iter().filter(|r| r.sysobj == SysObj::Table).map(|r| {
        let (_, _, id, pgno, name) = row_of(r);
        (name, id, pgno)
    }));
    assert_eq!(sorted(ours_all), sorted(dissect_tables), "{rel}: dissect tables");

    let lib_tables: Vec<(String, i64)> = want["libesedb"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), field(t, "objid")))
        .collect();
    let live_named: Vec<(String, i64)> = live.iter().map(|(n, id, _)| (n.clone(), *id)).collect();
    assert_eq!(sorted(live_named), sorted(lib_tables), "{rel}: libesedb tables");

    // The map objid → tree names every table at its root page.
    let objects = c.objects();
    for (name, id, pgno) in &live {
        let o = &objects[&(*id as u32)];
        assert_eq!((&o.table, i64::from(o.pgno_fdp)), (name, *pgno), "{rel}: objid {id}");
    }
    (live.len(), c.rows.len())
}

fn is_database(bytes: &[u8]) -> bool {
    bytes.len() >= 671
        && bytes[4..8] == [0xEF, 0xCD, 0xAB, 0x89]
        && matches!(u32::from_le_bytes(bytes[667..671].try_into().unwrap()), 0 | 1)
}

fn check_tree(root: &Path, want: &Value, expect: Option<usize>) {
    let mut n = 0;
    for p in files_under(root) {
        let bytes = std::fs::read(&p).unwrap();
        if !is_database(&bytes) {
            continue;
        }
        let rel = rel_name(&p, root);
        let entry = &want["databases"][&rel];
        assert!(
            entry.is_object(),
            "{rel}: not in catalog-reference.json (regenerate it)"
        );
        let (tables, rows) = check(&rel, &bytes, entry);
        eprintln!("{rel}: {tables} tables, {rows} rows agree");
        n += 1;
    }
    if let Some(expect) = expect {
        assert_eq!(n, expect, "databases under {}", root.display());
    }
}

#[test]
fn every_corpus_catalog_agrees_with_dissect_and_libesedb() {
    let Some(root) = corpus() else {
        eprintln!("note: ../shared/corpus not present; corpus catalog comparison skipped");
        return;
    };
    let want = reference();
    // The reference covers every database of the corpus (37, temp.edb among them).
    assert_eq!(want["databases"].as_object().unwrap().len(), 37);
    check_tree(&root, &want, Some(37));
}

#[test]
fn the_testdata_catalogs_agree_with_dissect_and_libesedb() {
    let want = reference();
    check_tree(&testdata_dir(), &want, None);
}

#[test]
fn the_reference_says_where_it_comes_from() {
    let want = reference();
    let tools = &want["provenance"]["tools"];
    assert!(tools["dissect.esedb"].is_string() && tools["libesedb-python"].is_string());
    assert_eq!(want["provenance"]["script"], "scripts/catalog-reference.py");
}

/// `plaso-catalog/Catalog1.edb` was created with shadowing off (header `m_ulDbFlags` = 1,
/// LOGICAL-INTEGRITY.md §6.2): its shadow root page 24 is an empty leaf.
const SHADOW_OFF: &str = "plaso-catalog/Catalog1.edb";

/// MSysObjectsShadow holds the catalog's rows in every corpus database that keeps a shadow, so
/// the fallback reads the same catalog (§6.1 "catalog = shadow").
#[test]
fn every_corpus_shadow_catalog_holds_the_same_rows() {
    let Some(root) = corpus() else {
        eprintln!("note: ../shared/corpus not present; shadow comparison skipped");
        return;
    };
    let mut n = 0;
    for p in files_under(&root) {
        let bytes = std::fs::read(&p).unwrap();
        let rel = rel_name(&p, &root);
        if !is_database(&bytes) || rel == NO_CATALOG {
            continue;
        }
        let primary = catalog_of(&bytes).unwrap();
        let page_size = u32::from_le_bytes(bytes[236..240].try_into().unwrap()) as usize;
        let page = |pgno: u32| {
            let start = (pgno as usize + 1) * page_size;
            bytes.get(start..start + page_size)
        };
        let (rows, _, _) = walk_catalog_tree(&page, PGNO_FDP_MSO_SHADOW, OBJID_FDP_MSO_SHADOW)
            .unwrap_or_else(|e| panic!("{rel}: shadow: {e}"));
        if rel == SHADOW_OFF {
            assert!(rows.is_empty(), "{rel}: the shadow is empty");
        } else {
            assert_eq!(rows, primary.rows, "{rel}: shadow rows");
        }
        n += 1;
    }
    assert_eq!(n, 36);
}

/// A damaged catalog page of a real database: the rows come from the shadow, the same rows;
/// both catalogs damaged is an error naming both pages.
#[test]
fn a_damaged_catalog_page_of_a_real_database_falls_back_to_the_shadow() {
    let rel = "museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU/SRUDB.dat";
    let bytes = std::fs::read(testdata_dir().join(rel)).unwrap();
    let clean = catalog_of(&bytes).unwrap();
    assert_eq!(clean.source, CatalogSource::MSysObjects);
    assert!(clean.pages.len() > 1, "the catalog has internal and leaf pages");
    let page_size = 4096;
    for &pgno in &clean.pages {
        for damage in ["zero", "flip", "objid"] {
            let mut copy = bytes.clone();
            let at = (pgno as usize + 1) * page_size;
            match damage {
                "zero" => copy[at..at + page_size].fill(0),
                "flip" => copy[at + 100] ^= 0x5A,
                // Another tree's objid, with a valid checksum: a misdirected write.
                _ => {
                    copy[at + 24..at + 28].copy_from_slice(&6u32.to_le_bytes());
                    reseal(&mut copy[at..at + page_size], pgno);
                }
            }
            let c = catalog_of(&copy).unwrap_or_else(|e| panic!("page {pgno} {damage}: {e}"));
            assert_eq!(c.source, CatalogSource::MSysObjectsShadow, "page {pgno} {damage}");
            assert_eq!(c.primary_fault.as_ref().map(|f| f.pgno()), Some(pgno), "{damage}");
            assert_eq!(c.rows, clean.rows, "page {pgno} {damage}");
        }
    }
    let mut copy = bytes.clone();
    for pgno in [PGNO_FDP_MSO, PGNO_FDP_MSO_SHADOW] {
        let at = (pgno as usize + 1) * page_size;
        copy[at..at + page_size].fill(0);
    }
    let e = catalog_of(&copy).unwrap_err();
    assert_eq!((e.primary.pgno(), e.shadow.pgno()), (4, 24));
    assert!(e.to_string().contains("page 24 is all zero"), "{e}");
}

/// Recomputes a page's checksum after an edit (the fixture writer's sealing), so only the edit is wrong.
fn reseal(page: &mut [u8], pgno: u32) {
    esecheck::testkit::db::seal_page(page, pgno);
    assert_eq!(verify_page(page, pgno, u32::MAX).status, PageStatus::Good);
}
