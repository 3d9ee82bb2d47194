//! JSON output (CLI.md "JSON"): one document per run on stdout, on every exit path of every
//! command, in one envelope — `schema_version`, `command`, `verdict`, the command's own keys, then
//! `problems` (never `null`). Renders results; decides nothing.

use crate::error::CheckError;
use crate::problem::Problem;
use crate::verdict::Verdict;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::io::{self, Write};

/// The version of the documents' shape. It changes only when a key is removed or changes its
/// meaning; keys are added without changing it.
pub const SCHEMA_VERSION: u64 = 1;

/// The keys a command's document carries when nothing could be checked: every one present,
/// `null` when unknown, lists empty (CLI.md "JSON").
fn empty_body(command: &str, err: &CheckError) -> Value {
    match command {
        "checksum" => json!({ "files": [] }),
        "header" => json!({ "path": err.path, "type": null, "header": null }),
        "logs" => json!({
            "base": null, "directory": err.path, "first": null, "last": null,
            "log_signature": null, "files": [], "ignored": []
        }),
        "verify" => json!({
            "databases": [], "logs": null, "checkpoint": null, "required_range": null,
            "truncate_below": null, "roll_forward_to": null, "unnecessary_logs_corrupt": [],
            "logs_looked_for_in": null, "ignored": [], "flush_maps": []
        }),
        _ => json!({}),
    }
}

/// A command's document: the envelope around `body`'s keys (a `verdict`, `problems`,
/// `schema_version` or `command` key of `body` is replaced by the envelope's).
pub fn document(command: &str, verdict: Verdict, body: &impl Serialize, problems: &[Problem]) -> Value {
    let mut m = Map::new();
    m.insert("schema_version".into(), json!(SCHEMA_VERSION));
    m.insert("command".into(), json!(command));
    m.insert("verdict".into(), json!(verdict));
    if let Ok(Value::Object(b)) = serde_json::to_value(body) {
        for (k, v) in b {
            if !matches!(k.as_str(), "verdict" | "problems" | "schema_version" | "command") {
                m.insert(k, v);
            }
        }
    }
    m.insert("problems".into(), json!(problems));
    Value::Object(m)
}

/// The document of a run that could not check anything (exit 2): the command's keys empty, the
/// error as the one problem and, for people, as `error` (`PATH: message`).
pub fn error_document(command: &str, err: &CheckError) -> Value {
    let mut body = empty_body(command, err);
    if let Value::Object(m) = &mut body {
        m.insert("error".into(), json!(err.raw()));
    }
    document(command, Verdict::Error, &body, &[err.to_problem()])
}

/// Writes `doc`, pretty-printed, and a newline.
pub fn write(out: &mut dyn Write, doc: &Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_document_has_the_envelope_and_the_commands_keys() {
        let e = CheckError::io("x.edb", &io::Error::from(io::ErrorKind::NotFound));
        for (cmd, keys) in [
            ("checksum", &["files"][..]),
            ("header", &["path", "type", "header"][..]),
            ("logs", &["base", "directory", "first", "last", "files", "ignored"][..]),
            (
                "verify",
                &["databases", "logs", "checkpoint", "truncate_below", "ignored"][..],
            ),
        ] {
            let d = error_document(cmd, &e);
            assert_eq!(d["schema_version"], 1);
            assert_eq!(d["command"], cmd);
            assert_eq!(d["verdict"], "error");
            assert_eq!(d["problems"][0]["code"], -1811, "{cmd}");
            assert_eq!(d["problems"][0]["name"], "JET_errFileNotFound");
            assert_eq!(d["problems"][0]["file"], "x.edb");
            for k in keys {
                assert!(d.get(*k).is_some(), "{cmd}: {k}");
            }
        }
    }
}
