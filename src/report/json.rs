//! JSON output (CLI.md "JSON"): one typed document per run on stdout, on every exit path of
//! every command, in one envelope — `schema_version`, `command`, `verdict`, the command's own keys,
//! `error`, then `problems` (never `null`). Each command's keys are one struct (its *body*, in the
//! command's module of `report/`); the document of a run that could check nothing is that struct
//! with what is known filled in ([`Body::empty`]) — one definition per document, so a pass, a
//! fail and an error document of a command have the same top-level keys. Renders results; decides
//! nothing.

use crate::command_kind::CommandKind;
use crate::error::CheckError;
use crate::problem::Problem;
use crate::verdict::Verdict;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use std::io::{self, Write};

/// The version of the documents' shape. It changes only when a key is removed or changes its
/// meaning; keys are added without changing it.
pub(crate) const SCHEMA_VERSION: u64 = 1;

/// A command's own keys: a struct serialized as a map, without `verdict`, `problems`, `error`,
/// `schema_version` or `command` (the envelope's).
pub(crate) trait Body: Serialize {
    /// The command whose document this is, as its name on the command line (`command` in
    /// JSON): a new command's body says it here, and no list elsewhere needs it.
    const COMMAND: CommandKind;

    /// The keys of a run that could check nothing because of `err`: every key present, what is
    /// known filled in (the path named), `null` when unknown, lists empty.
    fn empty(err: &CheckError) -> Self;
}

/// One document: the envelope around a command's [`Body`]. Its JSON Schema (docs/schema/,
/// [`crate::report::schema`]) closes the document: no key but the envelope's and the body's.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, bound = "B: Body + JsonSchema")]
pub(crate) struct Document<B> {
    /// [`SCHEMA_VERSION`].
    #[schemars(schema_with = "schema_version_schema")]
    pub schema_version: u64,
    /// The command's name.
    #[schemars(schema_with = "command_schema::<B>")]
    pub command: CommandKind,
    /// The esecheck that made the document (`CARGO_PKG_VERSION`).
    pub esecheck_version: &'static str,
    /// The command line it ran with, each argument as lossy UTF-8 (no times: two runs over the
    /// same files give the same document).
    pub argv: Vec<String>,
    /// `pass` (exit 0), `fail` (1) or `error` (2).
    pub verdict: Verdict,
    /// The command's keys.
    #[serde(flatten)]
    pub body: B,
    /// Only when nothing could be checked (exit 2 before any file was checked): `PATH: message`;
    /// else `null`.
    pub error: Option<String>,
    /// Every problem, each naming its file (never `null`).
    pub problems: Vec<Problem>,
}

impl<B: Body> Document<B> {
    /// The document of a run that checked something.
    pub(crate) fn new(verdict: Verdict, body: B, problems: Vec<Problem>) -> Self {
        Document {
            schema_version: SCHEMA_VERSION,
            command: B::COMMAND,
            esecheck_version: env!("CARGO_PKG_VERSION"),
            argv: argv(),
            verdict,
            body,
            error: None,
            problems,
        }
    }

    /// The document of a run that could check nothing (exit 2): the empty body, the error as
    /// `error` (for people) and as the one problem, with the ESE error it corresponds to.
    pub(crate) fn error(err: &CheckError) -> Self {
        Self::error_with(B::empty(err), err)
    }

    /// [`Document::error`] with a body that knows more than the error (`compare`: the manifest
    /// named).
    pub(crate) fn error_with(body: B, err: &CheckError) -> Self {
        Document {
            schema_version: SCHEMA_VERSION,
            command: B::COMMAND,
            esecheck_version: env!("CARGO_PKG_VERSION"),
            argv: argv(),
            verdict: Verdict::Error,
            body,
            error: Some(err.raw()),
            problems: vec![err.to_problem()],
        }
    }
}

/// `schema_version` is always [`SCHEMA_VERSION`].
fn schema_version_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "description": "The version of the documents' shape.", "const": SCHEMA_VERSION })
}

/// `command` is always the body's [`Body::COMMAND`].
fn command_schema<B: Body>(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "description": "The command's name.", "const": B::COMMAND.name() })
}

/// This process's command line, each argument as lossy UTF-8.
fn argv() -> Vec<String> {
    std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect()
}

/// Writes `doc`, pretty-printed, and a newline.
pub(crate) fn write(out: &mut dyn Write, doc: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Demo {
        files: Vec<u8>,
        path: String,
    }

    impl Body for Demo {
        const COMMAND: CommandKind = CommandKind::Checksum;
        fn empty(err: &CheckError) -> Self {
            Demo {
                files: Vec::new(),
                path: err.path.unescaped().to_string(),
            }
        }
    }

    #[test]
    fn the_envelope_is_in_order_and_an_error_document_has_every_key() {
        let e = CheckError::io("x.edb", &io::Error::from(io::ErrorKind::NotFound));
        let d = serde_json::to_value(Document::<Demo>::error(&e)).unwrap();
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "schema_version",
                "command",
                "esecheck_version",
                "argv",
                "verdict",
                "files",
                "path",
                "error",
                "problems"
            ]
        );
        assert_eq!(d["schema_version"], 1);
        assert_eq!(d["command"], "checksum");
        assert_eq!(d["esecheck_version"], env!("CARGO_PKG_VERSION"));
        assert!(d["argv"].as_array().is_some_and(|a| !a.is_empty()));
        assert_eq!(d["verdict"], "error");
        assert_eq!(d["error"], "x.edb: no such file or directory");
        assert_eq!(d["problems"][0]["code"], -1811);
        assert_eq!(d["problems"][0]["name"], "JET_errFileNotFound");
        assert_eq!(d["problems"][0]["file"], "x.edb");
        assert_eq!(d["path"], "x.edb");
        // A document that checked something has the same keys, `error` null.
        let ok = serde_json::to_value(Document::new(Verdict::Pass, Demo::empty(&e), Vec::new())).unwrap();
        let ok_keys: Vec<&str> = ok.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(ok_keys, keys);
        assert!(ok["error"].is_null());
    }
}
