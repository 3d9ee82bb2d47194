//! The space map (`format::space_map`, issue 22 rule 6) on real databases: the pages the database
//! root owns and the pages available to any tree agree with what LOGICAL-INTEGRITY.md §6.1
//! measured with an independent walker, and no healthy database shows one of the engine's space
//! conflicts. Every corpus database when the corpus is present (`ESECHECK_CORPUS=required` makes
//! its absence a failure), and the copies in `testdata/` always.

use crate::util::{corpus, files_under, readable_page, rel_name, testdata_dir};
use esecheck::format::catalog::read_catalog;
use esecheck::format::space_map::{build_space_map, fdps_of_catalog, SpaceMap, OBJID_SYSTEM_ROOT};
use std::path::Path;

/// (database, pages the root owns, pages available to any tree), transcribed from
/// LOGICAL-INTEGRITY.md §6.1 ("owned" and "available" columns), which an independent read-only
/// walker measured (not esecheck). `temp.edb` is not in the table: it has no catalog.
const MEASURED: &[(&str, u64, u64)] = &[
    ("dissect-esedb-generated/basic.edb", 254, 231),
    ("dissect-esedb-generated/binary.edb", 254, 229),
    ("dissect-esedb-generated/default.edb", 254, 231),
    ("dissect-esedb-generated/index.edb", 254, 207),
    ("dissect-esedb-generated/multi.edb", 254, 220),
    ("dissect-esedb-generated/text.edb", 254, 222),
    ("dissect-esedb-srum/SRUDB.dat", 142, 63),
    ("dissect-esedb-ual/Current.mdb", 254, 203),
    ("goese-bits-qmgr/qmgr.db", 78, 45),
    ("goese-srum/SRUDB.dat", 782, 119),
    ("goese-ual-HyperV-PC/Current.mdb", 254, 201),
    ("goese-ual-HyperV-PC/SystemIdentity.mdb", 254, 215),
    (
        "goese-ual-HyperV-PC/{03A01CC5-91BB-4936-B685-63697785D39E}.mdb",
        254,
        201,
    ),
    ("goese-ual-Nondomain-User/Current.mdb", 254, 198),
    ("goese-ual-Nondomain-User/SystemIdentity.mdb", 254, 215),
    (
        "goese-ual-Nondomain-User/{03A01CC5-91BB-4936-B685-63697785D39E}.mdb",
        254,
        198,
    ),
    ("museum-srum-server2022-aptsimulator/snapshot1/SRU/SRUDB.dat", 46, 16),
    (
        "museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU/SRUDB.dat",
        142,
        69,
    ),
    ("museum-srum-win10-aptsimulator/Clean/SRUDB.dat", 430, 105),
    ("museum-srum-win10-belkasoftctf/Clean/SRUDB.dat", 766, 119),
    ("museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat", 766, 119),
    ("museum-srum-win10-rathbunvm/Clean/SRUDB.dat", 174, 61),
    ("museum-srum-win10-rathbunvm/Dirty/SRUDB.dat", 174, 61),
    ("museum-srum-win11-2022-02-old/Clean/SRUDB.dat", 206, 65),
    ("museum-srum-win11-2022-02-old/Dirty/SRUDB.dat", 206, 65),
    ("museum-srum-win11-rathbunvm/Clean/SRUDB.dat", 590, 247),
    ("museum-srum-win11-rathbunvm/Dirty/SRUDB.dat", 590, 247),
    ("museum-ual-server2012r2-stolenszechuan/Current.mdb", 256, 206),
    ("museum-ual-server2012r2-stolenszechuan/SystemIdentity.mdb", 256, 220),
    ("museum-winsearch-win10-rathbunvm/Clean/Windows.edb", 510, 323),
    ("plaso-catalog/Catalog1.edb", 512, 309),
    ("plaso-ual/SystemIdentity.mdb", 254, 219),
    ("plaso-ual/{C519A76A-D9B5-4F85-B667-5FAC08E0E1B4}.mdb", 254, 205),
    ("stroz-eseparser-generated/decompress_test.edb", 254, 236),
    ("stroz-eseparser-generated/decompress_test2.edb", 254, 227),
    ("stroz-eseparser-generated/test.edb", 254, 209),
];

fn map_of(bytes: &[u8]) -> SpaceMap {
    let page_size = u32::from_le_bytes(bytes[236..240].try_into().unwrap()) as usize;
    let page = |pgno| readable_page(bytes, page_size, pgno);
    let catalog = read_catalog(page).expect("catalog");
    build_space_map(page, &fdps_of_catalog(&catalog.objects()))
}

/// Checks one database; `false` when it is not in §6.1.
fn check(rel: &str, path: &Path) -> bool {
    let Some(&(_, owned, available)) = MEASURED.iter().find(|(n, ..)| *n == rel) else {
        return false;
    };
    let bytes = std::fs::read(path).unwrap();
    let map = map_of(&bytes);
    let findings: Vec<_> = map.findings.iter().collect();
    assert!(findings.is_empty(), "{rel}: {findings:?}");
    assert_eq!(
        (map.root_owned_pages(), map.available_pages()),
        (owned, available),
        "{rel}: (owned by the root, available)"
    );
    // Every page the root owns has an owner, and the last is the root's.
    let last = map.last_owned_pgno().unwrap();
    assert_eq!(
        u64::from(last),
        owned,
        "{rel}: the root's owned space is pages 1..={owned}"
    );
    assert!(
        (1..=last).all(|p| map.owner(p).is_some()),
        "{rel}: a hole in the owned space"
    );
    assert_eq!(map.owner(1), Some(OBJID_SYSTEM_ROOT), "{rel}");
    true
}

#[test]
fn every_corpus_database_owns_and_frees_what_the_independent_walk_measured() {
    let Some(root) = corpus() else { return };
    let mut checked = 0;
    for path in files_under(&root) {
        let rel = rel_name(&path, &root);
        checked += usize::from(check(&rel, &path));
    }
    assert_eq!(checked, MEASURED.len(), "every database of §6.1 is in the corpus");
}

#[test]
fn the_testdata_copies_own_and_free_what_the_independent_walk_measured() {
    let root = testdata_dir();
    let mut checked = 0;
    for path in files_under(&root) {
        checked += usize::from(check(&rel_name(&path, &root), &path));
    }
    assert!(checked >= 12, "{checked} testdata databases checked");
}
