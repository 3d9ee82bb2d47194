//! Decisions and output: problems, verdicts, exit status, text and JSON rendering.

pub mod problem;
pub mod text;
pub mod verdict;

pub use problem::{Problem, Severity};
pub use verdict::Verdict;
