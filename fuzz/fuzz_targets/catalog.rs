//! The page tag and node reader (`format::node::NodePage`), catalog records
//! (`format::catalog::CatalogRow`) and the catalog walk (`read_catalog`, `walk_catalog_tree`)
//! over hostile pages, then the space map and the tree walk over the catalog read (or an empty
//! one: the walk still reaches the database root and the catalog roots): none may panic, loop or
//! grow without bound.
//! Input: a byte choosing the page size (4, 8, 16 or 32 KiB by its low 2 bits), then the database
//! pages from page 0 on (page `n` is the `n`-th page-size chunk; a shorter last chunk is absent).
//! The walk from page 0 with its own objid reaches hostile trees without 100 KiB of input; the
//! whole catalog walk starts at pages 4 and 24 as the engine's does.
#![no_main]
use esecheck::format::catalog::{read_catalog, walk_catalog_tree, Catalog, CatalogRow, CatalogSource};
use esecheck::format::node::NodePage;
use esecheck::format::space_map::{build_space_map, fdps_of_catalog};
use esecheck::format::tree_walk::{walk_trees, FileFacts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let page_size = 4096usize << (sel & 3);
    let page = |pgno: u32| {
        let start = (pgno as usize).checked_mul(page_size)?;
        rest.get(start..start.checked_add(page_size)?)
    };
    for chunk in rest.chunks_exact(page_size) {
        if let Ok(p) = NodePage::parse(chunk) {
            let _ = p.external_header();
            for n in p.nodes().flatten() {
                let _ = (n.key(), n.is_deleted(), n.is_versioned(), n.is_compressed());
                let _ = CatalogRow::parse(n.data);
            }
        }
    }
    if let Some(first) = page(0) {
        if let Ok(p) = NodePage::parse(first) {
            let _ = walk_catalog_tree(&page, 0, p.objid_fdp);
        }
    }
    let catalog = read_catalog(page).unwrap_or(Catalog {
        source: CatalogSource::MSysObjects,
        primary_fault: None,
        rows: Vec::new(),
        deleted: Vec::new(),
        pages: Vec::new(),
    });
    let map = build_space_map(page, &fdps_of_catalog(&catalog.objects()));
    let file = FileFacts {
        last_pgno: (rest.len() / page_size) as u32,
        dbtime_dirtied: Some(u64::from(sel)),
    };
    let _ = walk_trees(page, &catalog, &map, file);
});
