//! The integration tests, as one test binary (as ripgrep has them): cargo links the crate and the
//! dev-dependencies once, not once per file. Every other file of `tests/` is a module of it, and
//! `util` holds the helpers they share. `tests/scale.rs` is a binary of its own (Cargo.toml says
//! why). A new file in `tests/` runs only once it is declared here.

mod util;

mod catalogue;
mod cli;
mod cli_help;
mod corpus_damage;
mod corpus_sweep;
mod database;
mod faults;
mod flushmap_and_ranges;
mod hostile;
mod json_contract;
mod logs;
mod manifest;
mod properties;
mod set_rules;
mod sparse;
mod testkit;
mod verify;
mod verify_crafted;
mod windows;
