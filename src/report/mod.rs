//! Decisions and output: problems, verdicts, exit status, text and JSON rendering.

pub mod backup_set;
pub mod json;
pub mod log_text;
pub mod manifest;
pub mod text;

pub use crate::problem::{Problem, Severity};
pub use crate::verdict::Verdict;
