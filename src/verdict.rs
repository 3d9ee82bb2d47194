//! The verdict of a file or a run, and the exit status it maps to (CLI.md "Exit status").

use crate::problem::{Problem, Severity};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The outcome of checking something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Everything checked is sound (warnings allowed): exit 0.
    Pass,
    /// Could not check (unreadable, not ESE, values outside the allowed sets): exit 2.
    Error,
    /// An integrity problem was found: exit 1.
    Fail,
}

impl Verdict {
    /// Exit status: 0 pass, 1 fail, 2 could not check.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Error => 2,
        }
    }

    /// Combines verdicts of several inputs: fail wins over could-not-check, which wins over pass
    /// (CLI.md Decision 2).
    pub(crate) fn combine(self, other: Verdict) -> Verdict {
        self.max(other)
    }

    /// The verdict implied by a list of problems: any error (or, with `strict`, any warning)
    /// fails.
    pub(crate) fn from_problems(problems: &[Problem], strict: bool) -> Verdict {
        let fails = problems
            .iter()
            .any(|p| p.severity == Severity::Error || (strict && p.severity == Severity::Warning));
        if fails {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }

    /// This verdict with `--strict` applied at the edge (CLI.md Decision 17): with `strict`, a
    /// pass whose `problems` hold a warning fails. Checks compute their verdicts without it.
    pub fn under_strict(self, problems: &[Problem], strict: bool) -> Verdict {
        self.combine(Verdict::from_problems(problems, strict))
    }

    /// `PASS`, `FAIL` or `ERROR`.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_outranks_could_not_check_which_outranks_pass() {
        assert_eq!(Verdict::Pass.combine(Verdict::Error), Verdict::Error);
        assert_eq!(Verdict::Error.combine(Verdict::Fail), Verdict::Fail);
        assert_eq!(Verdict::Fail.exit_code(), 1);
        assert_eq!(Verdict::Error.exit_code(), 2);
    }

    #[test]
    fn warnings_fail_only_when_strict() {
        let w = vec![Problem::warning(None, "f", "m")];
        assert_eq!(Verdict::from_problems(&w, false), Verdict::Pass);
        assert_eq!(Verdict::from_problems(&w, true), Verdict::Fail);
    }
}
