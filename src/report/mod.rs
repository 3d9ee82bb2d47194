//! Decisions and output: the set's verdict and what may be truncated, the manifest and compare's
//! decision, and the only rendering of text and JSON. (Problems and verdicts themselves are the
//! ground floor: `crate::problem`, `crate::verdict`.)

pub(crate) mod checksum;
pub(crate) mod compare;
pub(crate) mod header;
pub(crate) mod json;
pub mod log_text;
pub(crate) mod logs;
pub mod manifest;
pub(crate) mod output;
pub mod schema;
pub mod set;
pub(crate) mod text;
pub(crate) mod verify;
