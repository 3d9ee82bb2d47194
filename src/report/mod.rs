//! Decisions and output: problems, verdicts, exit status, text and JSON rendering.

pub mod backup_set;
pub mod problem;
pub mod text;
pub mod verdict;

pub use problem::{Problem, Severity};
pub use verdict::Verdict;
