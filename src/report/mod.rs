//! Decisions and output: problems, verdicts, exit status, text and JSON rendering.

pub mod json;
pub mod log_text;
pub mod manifest;
pub mod set;
pub mod text;

pub use crate::problem::{Problem, Severity};
pub use crate::verdict::Verdict;
