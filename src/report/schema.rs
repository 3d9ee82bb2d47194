//! The JSON Schema of every document esecheck writes (CLI.md "JSON", "Manifest"), derived from
//! the types that write them (`#[derive(JsonSchema)]` beside each `#[derive(Serialize)]`, serde's
//! attributes read as serialization sees them). The files of docs/schema/ are these schemas;
//! tests/json_schema.rs fails when one differs and rewrites them with `ESECHECK_BLESS=1`.
//!
//! Every object is closed (`additionalProperties` or, where a body is flattened into the
//! envelope, `unevaluatedProperties`: `false`): a key written without its type saying so does
//! not validate.

use crate::report::checksum::ChecksumBody;
use crate::report::compare::CompareBody;
use crate::report::header::HeaderBody;
use crate::report::json::Document;
use crate::report::logs::LogsBody;
use crate::report::manifest::{Manifest, FORMAT};
use crate::report::verify::VerifyBody;
use schemars::generate::SchemaSettings;
use schemars::{json_schema, JsonSchema, Schema};
use serde_json::Value;

/// The documents, by name: the five commands' `--json` documents, then the manifest
/// `verify --manifest` writes. `docs/schema/NAME.schema.json` is each one's schema.
pub const DOCUMENTS: [&str; 6] = ["checksum", "header", "logs", "verify", "compare", "manifest"];

/// The file name of document `name`'s schema, in docs/schema/.
pub fn file_name(name: &str) -> String {
    format!("{name}.schema.json")
}

/// The schema of document `name` (one of [`DOCUMENTS`]).
pub(crate) fn schema(name: &str) -> Option<Schema> {
    let (mut s, title) = match name {
        "checksum" => (root::<Document<ChecksumBody<'static>>>(), "esecheck checksum --json"),
        "header" => (root::<Document<HeaderBody>>(), "esecheck header --json"),
        "logs" => (root::<Document<LogsBody<'static>>>(), "esecheck logs --json"),
        "verify" => (root::<Document<VerifyBody<'static>>>(), "esecheck verify --json"),
        "compare" => (root::<Document<CompareBody<'static>>>(), "esecheck compare --json"),
        "manifest" => (manifest(), "esecheck verify --manifest FILE"),
        _ => return None,
    };
    let description = if name == "manifest" {
        "The manifest `esecheck verify --manifest FILE` writes (docs/CLI.md \"Manifest\"). Generated from the types that write it: do not edit, see docs/ARCHITECTURE.md \"JSON Schemas\".".to_string()
    } else {
        format!("The one document `{title}` prints on stdout, on every exit path (docs/CLI.md \"JSON\"). Generated from the types that write it: do not edit, see docs/ARCHITECTURE.md \"JSON Schemas\".")
    };
    s.insert("title".into(), title.into());
    s.insert("description".into(), description.into());
    Some(s)
}

/// The schema of `name` as its file holds it: pretty JSON and a newline.
pub fn render(name: &str) -> Option<String> {
    let s = schema(name)?;
    let mut text = serde_json::to_string_pretty(&s).ok()?;
    text.push('\n');
    Some(text)
}

/// The schema of `T` as serialized: what is written, not what would be read.
fn root<T: JsonSchema>() -> Schema {
    let s = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut v = s.to_value();
    close_branches(&mut v);
    // A root schema is an object, which a Schema always accepts.
    Schema::try_from(v).unwrap_or_default()
}

/// A body that is an untagged enum, flattened into the envelope, is the envelope's keys and an
/// `anyOf` of the variants' keys, closed as a whole by `unevaluatedProperties: false`: a key of
/// one variant would then pass beside another variant whose keys are all there. Each variant is
/// closed here too, over its own keys and the envelope's.
fn close_branches(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.get("unevaluatedProperties") == Some(&Value::Bool(false)) {
                let outer: Vec<String> = match o.get("properties") {
                    Some(Value::Object(p)) => p.keys().cloned().collect(),
                    _ => Vec::new(),
                };
                if let Some(Value::Array(branches)) = o.get_mut("anyOf") {
                    for b in branches.iter_mut().filter_map(Value::as_object_mut) {
                        if let Some(Value::Object(props)) = b.get_mut("properties") {
                            for k in &outer {
                                props.entry(k.clone()).or_insert(Value::Bool(true));
                            }
                            b.insert("additionalProperties".into(), Value::Bool(false));
                        }
                    }
                }
            }
            o.values_mut().for_each(close_branches);
        }
        Value::Array(a) => a.iter_mut().for_each(close_branches),
        _ => {}
    }
}

/// The manifest as [`crate::report::manifest::to_bytes`] writes it: [`Manifest`]'s keys, `format`
/// always [`FORMAT`], then `manifest_crc32`, which no field holds (it is the CRC of the others).
fn manifest() -> Schema {
    let mut s = root::<Manifest>();
    if let Some(Value::Object(props)) = s.get_mut("properties") {
        if let Some(Value::Object(format)) = props.get_mut("format") {
            format.remove("type");
            format.insert("const".into(), FORMAT.into());
        }
        props.insert(
            "manifest_crc32".into(),
            json_schema!({
                "description": "CRC-32 of the manifest's compact form without this key, 8 lower-case hex digits.",
                "type": "string",
                "pattern": "^[0-9a-f]{8}$"
            })
            .into(),
        );
    }
    if let Some(Value::Array(required)) = s.get_mut("required") {
        required.push("manifest_crc32".into());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object schema closed: `additionalProperties: false`, or `unevaluatedProperties:
    /// false`, or a branch (`anyOf`…) of a schema that is.
    fn open_objects(v: &Value, closed_by_parent: bool, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                let closes = o.get("unevaluatedProperties") == Some(&Value::Bool(false));
                let closed = closes || o.get("additionalProperties") == Some(&Value::Bool(false)) || closed_by_parent;
                if o.contains_key("properties") && !closed {
                    out.push(at.to_string());
                }
                for (k, child) in o {
                    let branch = matches!(k.as_str(), "anyOf" | "oneOf" | "allOf");
                    open_objects(child, branch && (closes || closed_by_parent), &format!("{at}/{k}"), out);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    open_objects(child, closed_by_parent, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_document_has_a_schema_whose_objects_are_all_closed() {
        for name in DOCUMENTS {
            let s = schema(name).unwrap();
            let v = s.as_value();
            assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema", "{name}");
            let mut open = Vec::new();
            open_objects(v, false, "#", &mut open);
            assert!(open.is_empty(), "{name}: objects that allow any key: {open:?}");
        }
        assert!(schema("nothing").is_none());
    }

    #[test]
    fn the_envelope_names_its_command_and_version() {
        for name in ["checksum", "header", "logs", "verify", "compare"] {
            let s = schema(name).unwrap();
            assert_eq!(s.as_value()["properties"]["command"]["const"], name);
            assert_eq!(
                s.as_value()["properties"]["schema_version"]["const"],
                crate::report::json::SCHEMA_VERSION
            );
        }
        let m = schema("manifest").unwrap();
        assert_eq!(m.as_value()["properties"]["format"]["const"], FORMAT);
        assert_eq!(
            m.as_value()["required"].as_array().unwrap().last().unwrap(),
            "manifest_crc32"
        );
    }
}
