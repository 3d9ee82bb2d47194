//! One finding: what is wrong, where, how serious, and which ESE error it corresponds to.

use crate::codes::JetErr;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Serialize, Serializer};

/// How a finding affects the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information: listed, never changes the verdict, not promoted by `--strict` (CLI.md
    /// Decision 23).
    Info,
    /// Does not fail the check (unless `--strict`).
    Warning,
    /// An integrity problem: exit status 1.
    Error,
}

/// A problem as CLI.md's JSON shows it: `{"severity", "code", "name", "file", "page",
/// "generation", "message"}` plus optional location fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The ESE error, serialised as `code` and `name` (both `null` when none applies).
    #[serde(flatten, serialize_with = "ser_code")]
    #[schemars(schema_with = "code_schema")]
    pub code: Option<JetErr>,
    /// The file the problem is in (or the directory, for stream-level problems).
    pub file: crate::escape::ShownPath,
    /// Logical page number (database; −1 and 0 are the header copies).
    pub page: Option<i64>,
    /// Log generation.
    pub generation: Option<i64>,
    /// Sector (segment) index inside a log file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<u64>,
    /// Byte offset in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// For a follow-on problem, the log generation whose own damage caused it (a −590 at
    /// generation g when g−1 is itself damaged, ESE-FORMAT.md §6.5). It is graded with that
    /// generation (CLI.md Decision 15) and does not make its own generation unusable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follows: Option<i64>,
    /// For a database page: `true` when the page lies beyond the space the database owns (its
    /// owned-space tree, page 2), so the damage is where the database keeps no data; absent when
    /// unknown or not a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beyond_owned_space: Option<bool>,
    /// For a large database page whose checksum verifies but whose page header (PGHDR2) names
    /// another page (−1118, CLI.md Decision 6): the page number it stores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored_pgno: Option<u32>,
    /// For a database page that fails its checksum (−1018): another page number it would verify
    /// at, a hint and not a finding (CLI.md Decision 6; eseutil's "perhaps this is actually page
    /// N").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verifies_as: Option<u32>,
    /// The engine's own name for the condition (its `logread.cxx` reasons, e.g.
    /// `SegmentCorrupt`), so a result can be compared with ESE's diagnostics; never part of
    /// `message`, which is in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// For a database page: the full name of the table whose tree owns it (CLI.md Decision 23).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// For a database page: the tree that owns it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree: Option<TreeName>,
    /// For a database page: the objid of the tree that owns it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objid: Option<u32>,
    /// For a database page: the evidence the owner rests on, strongest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_source: Option<OwnerSource>,
    /// `true` for a finding graded down because the database needs logs: replaying them may
    /// legitimately repair it (CLI.md Decision 23).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_recovery: Option<bool>,
    /// One sentence, naming the place and the values.
    pub message: String,
    /// The file is all zeros (never written, or wiped): not damage a set can carry below
    /// `truncate_below` but a file that is not what its name says (CLI.md Decision 1).
    #[serde(skip)]
    pub all_zeros: bool,
}

/// What kind of tree owns a database page (CLI.md Decision 23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TreeKindName {
    /// A table's records (its primary index).
    Data,
    /// A table's long values.
    LongValues,
    /// A secondary index.
    Index,
    /// MSysObjects' or MSysObjectsShadow's own tree.
    Catalog,
    /// An owned- or available-extent tree.
    Space,
    /// The database root (page 1).
    Root,
}

/// The tree that owns a page: its kind and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TreeName {
    /// What the tree holds.
    pub kind: TreeKindName,
    /// Its name: the table's for a data or catalog tree, the index's, `"long values"`, `"owned
    /// space"` or `"available space"`, `"database root"`.
    pub name: String,
}

/// The evidence a page's owner rests on, strongest first (CLI.md Decision 23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnerSource {
    /// A tree reaches the page.
    Tree,
    /// A leaf's neighbour links to it.
    Sibling,
    /// The most specific owned extent holds it.
    Space,
    /// It is listed as available to the tree.
    Free,
    /// It lies past the last owned page.
    BeyondOwned,
    /// Only the page's own objid names the tree: a hint.
    Header,
}

fn ser_code<S: Serializer>(code: &Option<JetErr>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry("code", &code.map(JetErr::code))?;
    m.serialize_entry("name", &code.map(JetErr::name))?;
    m.end()
}

/// The schema of what [`ser_code`] writes: `code` and `name`, both `null` when no ESE error
/// applies, else one of the errors this tool reports.
fn code_schema(_: &mut SchemaGenerator) -> Schema {
    let codes: Vec<i32> = JetErr::ALL.iter().map(|e| e.code()).collect();
    let names: Vec<&str> = JetErr::ALL.iter().map(|e| e.name()).collect();
    json_schema!({
        "type": "object",
        "properties": {
            "code": {
                "description": "The ESE error's number (negative), `null` when none applies.",
                "enum": codes.into_iter().map(serde_json::Value::from).chain([serde_json::Value::Null]).collect::<Vec<_>>()
            },
            "name": {
                "description": "The ESE error's name (`JET_err…`), `null` when none applies.",
                "enum": names.into_iter().map(serde_json::Value::from).chain([serde_json::Value::Null]).collect::<Vec<_>>()
            }
        },
        "required": ["code", "name"]
    })
}

impl Problem {
    /// An error-severity problem in `file`.
    pub fn error(code: Option<JetErr>, file: impl Into<crate::escape::ShownPath>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            code,
            file: file.into(),
            page: None,
            generation: None,
            sector: None,
            offset: None,
            follows: None,
            reason: None,
            beyond_owned_space: None,
            stored_pgno: None,
            verifies_as: None,
            table: None,
            tree: None,
            objid: None,
            owner_source: None,
            pending_recovery: None,
            message: message.into(),
            all_zeros: false,
        }
    }

    /// A warning in `file`.
    pub(crate) fn warning(
        code: Option<JetErr>,
        file: impl Into<crate::escape::ShownPath>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, file, message)
        }
    }

    /// Sets the page number.
    pub(crate) fn at_page(mut self, page: i64) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets the log generation.
    pub fn at_generation(mut self, generation: i64) -> Self {
        self.generation = Some(generation);
        self
    }

    /// Sets the byte offset in the file.
    pub(crate) fn at_offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Marks the problem as being about a file of zeros.
    pub(crate) fn of_zeros(mut self) -> Self {
        self.all_zeros = true;
        self
    }

    /// Marks the problem as a follow-on of the damage of log generation `generation`.
    pub(crate) fn following(mut self, generation: i64) -> Self {
        self.follows = Some(generation);
        self
    }

    /// The log generation whose usability this problem decides: the one it follows from, else its
    /// own.
    pub(crate) fn graded_generation(&self) -> Option<i64> {
        self.follows.or(self.generation)
    }

    /// True for error severity.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// True for warning severity (not information).
    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_code_and_name_as_cli_md_shows() {
        let p = Problem::error(
            Some(JetErr::ReadVerifyFailure),
            "SRUDB.dat",
            "page 143 checksum mismatch",
        )
        .at_page(143);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["code"], -1018);
        assert_eq!(v["name"], "JET_errReadVerifyFailure");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["page"], 143);
        assert!(v["generation"].is_null());
        let w = serde_json::to_value(Problem::warning(None, "x", "y")).unwrap();
        assert!(w["code"].is_null() && w["name"].is_null());
    }
}
