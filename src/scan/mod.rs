//! I/O and parallelism: opening inputs read-only, mapping them, and running the checks of
//! `format` and `checksum` over them.

pub mod file;

pub use file::Input;
pub mod classify;

pub use classify::{classify, FileKind};
pub mod database;

pub use database::{check_database, DbCheck, DbOptions};
pub mod flushmap;
