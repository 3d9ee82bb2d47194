//! Decisions and output: the set's verdict and what may be truncated, the manifest and compare's
//! decision, and the only rendering of text and JSON. (Problems and verdicts themselves are the
//! ground floor: `crate::problem`, `crate::verdict`.)

pub mod checksum;
pub mod compare;
pub mod header;
pub mod json;
pub mod log_text;
pub mod logs;
pub mod manifest;
pub mod output;
pub mod schema;
pub mod set;
pub mod text;
pub mod verify;
