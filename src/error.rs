//! "Could not check" errors (exit status 2): the input could not be read or is not something
//! esecheck knows how to verify. Integrity problems are not errors; they are
//! [`Problem`]s.

use crate::codes::JetErr;
use crate::escape::escape_controls;
use crate::problem::Problem;
use std::path::Path;

/// An input that could not be checked, with the path it concerns.
///
/// Its `Display` (`PATH: message`) is for text output and stderr: control characters in the path
/// and the message are escaped (`escape_controls`), so a
/// file name cannot forge a line. JSON uses the fields, or `CheckError::raw`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", path, escape_controls(message))]
pub struct CheckError {
    /// The file or directory, as the user named it.
    pub path: crate::escape::ShownPath,
    /// What went wrong, one sentence without the path.
    pub message: String,
    /// The ESE error it corresponds to, when one does (a missing file is −1811, a file that
    /// cannot be opened −1032, a file that is no ESE file −1812).
    pub code: Option<JetErr>,
}

impl CheckError {
    /// `PATH: message` as it is, unescaped: for JSON, which escapes on its own.
    pub(crate) fn raw(&self) -> String {
        format!("{}: {}", self.path.unescaped(), self.message)
    }

    /// A could-not-check error for `path`.
    pub fn new(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        CheckError {
            path: path.as_ref().into(),
            message: message.into(),
            code: None,
        }
    }

    /// The same error, with the ESE error it corresponds to.
    pub(crate) fn with_code(mut self, code: JetErr) -> Self {
        self.code = Some(code);
        self
    }

    /// The error as a problem of severity error, for JSON's `problems` (CLI.md "JSON").
    pub(crate) fn to_problem(&self) -> Problem {
        Problem::error(self.code, &self.path, self.message.clone())
    }

    /// Wraps an I/O error, in words a user reads.
    pub(crate) fn io(path: impl AsRef<Path>, err: &std::io::Error) -> Self {
        let (message, code) = match err.kind() {
            std::io::ErrorKind::NotFound => ("no such file or directory".to_string(), Some(JetErr::FileNotFound)),
            std::io::ErrorKind::PermissionDenied => ("permission denied".to_string(), Some(JetErr::FileAccessDenied)),
            _ => (err.to_string(), None),
        };
        CheckError {
            code,
            ..CheckError::new(path, message)
        }
    }
}
