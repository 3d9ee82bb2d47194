//! I/O and parallelism: opening inputs read-only, mapping them, and running the checks of
//! `format` and `checksum` over them.

pub mod checkpoint;
pub mod classify;
pub(crate) mod copy;
pub mod core;
pub mod crc;
pub mod database;
pub mod file;
pub(crate) mod file_check;
pub mod flushmap;
pub mod header_copies;
pub mod log;
pub mod progress;
pub mod set;
pub mod stream;
pub(crate) mod walk;

pub use checkpoint::{check_checkpoint, CheckpointCheck};
pub use classify::{classify, FileKind};
pub use database::{check_database, DbCheck, DbOptions};
pub use file::Input;
pub use log::{check_log, LogCheck};
pub use stream::{check_stream, Ignored, StreamCheck};
