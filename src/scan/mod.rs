//! I/O and parallelism: opening inputs read-only, mapping them, and running the checks of
//! `format` and `checksum` over them.

pub mod file;

pub use file::Input;
pub mod classify;

pub use classify::{classify, FileKind};
pub mod log;

pub use log::{check_log, LogCheck};
pub mod checkpoint;

pub use checkpoint::{check_checkpoint, CheckpointCheck};
pub mod stream;

pub use stream::{check_stream, Ignored, StreamCheck};
