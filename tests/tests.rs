//! The integration tests, as one test binary (as ripgrep has them): cargo links the crate and the
//! dev-dependencies once, not once per file. Every other file of `tests/` is a module of it, and
//! `util` holds the helpers they share. `tests/scale.rs` is a binary of its own (Cargo.toml says
//! why). A new file in `tests/` runs only once it is declared here; the last test below fails
//! until it is.
//!
//! Where a new test goes: a page, segment or checkpoint rule on real files → `corpus_damage`
//! (every real file) or `catalogue` (one row of docs/CORRUPTION.md; the tree and table rows,
//! damage planted in copies of real databases, → `catalogue_trees`); a rule of the backup set →
//! `set_rules` (Decisions 13-21) or `engine_rules` (Decision 22: what the engine refuses);
//! `verify` on real sets → `verify`, on sets the fixture writer makes → `verify_crafted`; logs
//! and streams → `logs`, `log_rules`; a database → `database`; the manifest and `compare` →
//! `manifest`; JSON shape and every exit path → `json_contract`; help, man, completions →
//! `cli_help`; other CLI behaviour → `cli`; hostile names, options and environments → `hostile`;
//! files that change, vanish or are special → `faults`, sparse files → `sparse`; the scan core
//! fed by a caller → `scan_core`; Windows paths → `windows`; the whole corpus → `corpus_sweep`;
//! properties over generated inputs → `properties`; the fixture writer itself → `testkit`.

mod util;

mod catalog_reference;
mod catalogue;
mod catalogue_trees;
mod cli;
mod cli_help;
mod corpus_damage;
mod corpus_sweep;
mod database;
mod engine_rules;
mod eseutil_dump;
mod faults;
mod flushmap_and_ranges;
mod hostile;
mod json_contract;
mod json_schema;
mod log_rules;
mod logs;
mod manifest;
mod properties;
mod scan_core;
mod set_rules;
mod space_map;
mod sparse;
mod testkit;
mod tree_walk;
mod verify;
mod verify_crafted;
mod windows;

/// A file of `tests/` that is neither declared above nor a binary of its own would never run.
#[test]
fn every_file_of_tests_is_a_module_here_or_a_binary_of_its_own() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let declared = include_str!("tests.rs");
    let cargo_toml = include_str!("../Cargo.toml");
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".rs") else {
            continue;
        };
        let is_module = declared.lines().any(|l| l.trim() == format!("mod {stem};"));
        let is_binary = cargo_toml.contains(&format!("path = \"tests/{name}\""));
        if !is_module && !is_binary {
            orphans.push(name);
        }
    }
    assert!(orphans.is_empty(), "files of tests/ that never run: {orphans:?}");
}
