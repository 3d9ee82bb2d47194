//! The JSON Schemas of docs/schema/ (CLI.md "JSON"): each file is what the types generate
//! (`esecheck::report::schema`), and every document the real binary writes — each command, pass,
//! fail and error, the manifest and `compare` — validates against its file; a document with a
//! key its type does not have, or a value of the wrong type, does not.
//!
//! `ESECHECK_BLESS=1 cargo test json_schema` rewrites the files from the types
//! (docs/ARCHITECTURE.md "JSON Schemas").

use crate::util::Run;
use crate::util::{copy_set, corpus, esecheck_no_progress, td, testdata_dir, BELKA_DIRTY};
use esecheck::report::schema::{file_name, render, DOCUMENTS};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// docs/schema/.
fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

#[test]
fn the_committed_schemas_are_what_the_types_generate() {
    let bless = std::env::var("ESECHECK_BLESS").is_ok_and(|v| v == "1");
    let dir = schema_dir();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    for name in DOCUMENTS {
        let want = render(name).unwrap();
        let path = dir.join(file_name(name));
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            if bless {
                std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these schema files differ from what the types generate: {stale:?}\n\
         if the change to the output is meant, regenerate them with\n    \
         ESECHECK_BLESS=1 cargo test json_schema\nand commit them (docs/ARCHITECTURE.md \"JSON Schemas\")"
    );
    // No file there that no document has.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = DOCUMENTS.iter().map(|n| file_name(n)).collect();
    want.sort();
    assert_eq!(names, want, "docs/schema/ holds one file per document, no other");
}

/// The committed schemas, compiled.
struct Validator {
    schemas: boon::Schemas,
    index: BTreeMap<&'static str, boon::SchemaIndex>,
}

impl Validator {
    fn new() -> Validator {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        let mut index = BTreeMap::new();
        for name in DOCUMENTS {
            let path = schema_dir().join(file_name(name));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let value: Value = serde_json::from_str(&text).unwrap();
            let url = format!("urn:esecheck:schema:{name}");
            compiler.add_resource(&url, value).unwrap();
            let i = compiler
                .compile(&url, &mut schemas)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            index.insert(name, i);
        }
        Validator { schemas, index }
    }

    /// Why `doc` does not validate as document `name`, or `None` when it does.
    fn errors(&self, name: &str, doc: &Value) -> Option<String> {
        self.schemas
            .validate(doc, self.index[name])
            .err()
            .map(|e| format!("{e:#}"))
    }

    fn assert_valid(&self, name: &str, doc: &Value, what: &str) {
        if let Some(e) = self.errors(name, doc) {
            panic!("{what}: the {name} document does not validate:\n{e}\n{doc:#}");
        }
    }
}

#[test]
fn the_schemas_compile() {
    Validator::new();
}

/// How many documents validated, by document and verdict.
type Tally = BTreeMap<(String, String), usize>;

/// Runs `esecheck --json ARGS` (`--no-progress`), checks that stdout is one document of
/// `command` whose verdict is the exit status's, validates it, and counts it.
fn run_and_validate(v: &Validator, tally: &mut Tally, command: &str, args: &[&std::ffi::OsStr]) -> Value {
    let out = esecheck_no_progress().arg("--json").args(args).run();
    let shown = format!(
        "esecheck --json {}",
        args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{shown}: stdout is not one JSON document ({e})"));
    let verdict = doc["verdict"].as_str().unwrap_or_default().to_string();
    let code = out.status.code();
    let want = match verdict.as_str() {
        "pass" => Some(0),
        "fail" => Some(1),
        _ => Some(2),
    };
    assert_eq!(code, want, "{shown}: exit status and verdict {verdict}");
    v.assert_valid(command, &doc, &shown);
    *tally.entry((command.to_string(), verdict)).or_default() += 1;
    doc
}

/// Validates the manifest at `path` and counts it under the verdict it records.
fn validate_manifest(v: &Validator, tally: &mut Tally, path: &Path) {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v.assert_valid("manifest", &doc, &path.display().to_string());
    let verdict = doc["verdict"].as_str().unwrap_or_default().to_string();
    *tally.entry(("manifest".into(), verdict)).or_default() += 1;
}

/// Every directory under `root`, `root` first.
fn dirs_under(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        let mut subs: Vec<PathBuf> = std::fs::read_dir(&out[i])
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subs.sort();
        out.extend(subs);
        i += 1;
    }
    out
}

/// The files directly in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Flips one byte of `file` at `offset`.
fn flip(file: &Path, offset: usize) {
    let mut b = std::fs::read(file).unwrap();
    b[offset] ^= 0x5A;
    std::fs::write(file, b).unwrap();
}

/// Every command over `dir` and each of its files, plain and `--strict`; `verify --manifest`
/// and `compare` with the manifest it wrote; each document validated.
fn sweep_dir(v: &Validator, tally: &mut Tally, dir: &Path, scratch: &Path) {
    let files = files_in(dir);
    for strict in [false, true] {
        let s: &[&std::ffi::OsStr] = if strict {
            &[std::ffi::OsStr::new("--strict")]
        } else {
            &[]
        };
        let with = |cmd: &'static str, paths: &[&Path]| -> Vec<std::ffi::OsString> {
            let mut a: Vec<std::ffi::OsString> = vec![cmd.into()];
            a.extend(s.iter().map(|x| x.to_os_string()));
            a.extend(paths.iter().map(|p| p.as_os_str().to_os_string()));
            a
        };
        let mut runs: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
            ("checksum", with("checksum", &[dir])),
            ("logs", with("logs", &[dir])),
            ("verify", with("verify", &[dir])),
        ];
        if files.len() > 1 {
            let all: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            runs.push(("header", with("header", &all)));
        }
        for f in &files {
            runs.push(("checksum", with("checksum", &[f])));
            runs.push(("header", with("header", &[f])));
        }
        for (cmd, args) in runs {
            let a: Vec<&std::ffi::OsStr> = args.iter().map(|x| x.as_os_str()).collect();
            run_and_validate(v, tally, cmd, &a);
        }
    }
    // The manifest of the set, and the set compared with it.
    let manifest = scratch.join("set.manifest.json");
    let _ = std::fs::remove_file(&manifest);
    let doc = run_and_validate(
        v,
        tally,
        "verify",
        &[
            "verify".as_ref(),
            "--manifest".as_ref(),
            manifest.as_os_str(),
            "--block-size".as_ref(),
            "4096".as_ref(),
            dir.as_os_str(),
        ],
    );
    if manifest.is_file() {
        assert!(doc["manifest"].is_string(), "{}", dir.display());
        validate_manifest(v, tally, &manifest);
        // A copy: `compare` refuses the verified files themselves. A new directory for each set
        // (under Wine a directory just compared cannot always be removed at once).
        let copy_dir = tempfile::Builder::new().prefix("copy").tempdir_in(scratch).unwrap();
        let copy = copy_dir.path();
        for f in &files {
            std::fs::copy(f, copy.join(f.file_name().unwrap())).unwrap();
        }
        run_and_validate(
            v,
            tally,
            "compare",
            &["compare".as_ref(), manifest.as_os_str(), copy.as_os_str()],
        );
    }
}

/// CLI.md "JSON": every document of every command, pass, fail and error, over every real file
/// and set (testdata/ and the shared corpus when present) and over damaged copies, validates
/// against its schema of docs/schema/; so does every manifest `verify --manifest` writes.
#[test]
fn every_document_the_binary_writes_validates_against_its_schema() {
    let v = Validator::new();
    let mut tally = Tally::new();
    let scratch = tempfile::tempdir().unwrap();
    let mut roots = vec![testdata_dir()];
    roots.extend(corpus());
    for root in &roots {
        for dir in dirs_under(root) {
            sweep_dir(&v, &mut tally, &dir, scratch.path());
        }
    }

    // Damaged copies of the real dirty set: a bad page, a bad log segment and a bad log header
    // (fail), one bad checkpoint copy and a bad flush-map header (warnings, fail with --strict),
    // a file that is no ESE file (ignored).
    let good = copy_set(BELKA_DIRTY);
    let bad = copy_set(BELKA_DIRTY);
    for (f, off) in [
        ("SRUDB.dat", 4096 * 11 + 100),
        ("SRU00051.log", 4096 * 3 + 100),
        ("SRU0004E.log", 60),
        ("SRU.chk", 100),
        ("SRUDB.jfm", 100),
    ] {
        flip(&bad.path().join(f), off);
    }
    std::fs::write(bad.path().join("notes.txt"), "not an ESE file\n").unwrap();
    sweep_dir(&v, &mut tally, bad.path(), scratch.path());
    // Members by name that hold nothing (damaged members), beside a reserve log.
    let members = tempfile::tempdir().unwrap();
    for f in ["SRU.chk", "SRU00099.log", "SRUDB.dat"] {
        std::fs::write(members.path().join(f), vec![0u8; 65536]).unwrap();
    }
    std::fs::copy(
        good.path().join("SRUres00001.jrs"),
        members.path().join("SRUres00001.jrs"),
    )
    .unwrap();
    sweep_dir(&v, &mut tally, members.path(), scratch.path());

    // compare: a copy that differs, one with files missing, and could-not-compare.
    let manifest = scratch.path().join("good.manifest.json");
    run_and_validate(
        &v,
        &mut tally,
        "verify",
        &[
            "verify".as_ref(),
            "--manifest".as_ref(),
            manifest.as_os_str(),
            good.path().as_os_str(),
        ],
    );
    validate_manifest(&v, &mut tally, &manifest);
    let partial = copy_set(BELKA_DIRTY);
    for f in ["SRU0004F.log", "SRUres00002.jrs"] {
        std::fs::remove_file(partial.path().join(f)).unwrap();
    }
    let nowhere = scratch.path().join("nowhere");
    let readme = td("README.md");
    for copy in [bad.path(), partial.path(), nowhere.as_path()] {
        run_and_validate(
            &v,
            &mut tally,
            "compare",
            &["compare".as_ref(), manifest.as_os_str(), copy.as_os_str()],
        );
    }
    for m in [&nowhere, &readme] {
        run_and_validate(
            &v,
            &mut tally,
            "compare",
            &["compare".as_ref(), m.as_os_str(), good.path().as_os_str()],
        );
    }
    // Could not check: a path that does not exist, a file that is no ESE file, an empty directory.
    let empty = tempfile::tempdir().unwrap();
    for cmd in ["checksum", "header", "logs", "verify"] {
        for p in [nowhere.as_path(), readme.as_path(), empty.path()] {
            run_and_validate(&v, &mut tally, cmd, &[cmd.as_ref(), p.as_os_str()]);
        }
    }

    let mut table = String::new();
    let mut total = 0;
    for ((doc, verdict), n) in &tally {
        table.push_str(&format!("{doc:>8} {verdict:<5} {n:>5}\n"));
        total += n;
    }
    eprintln!(
        "documents validated, by document and verdict:\n{table}{:>14} {total:>5}",
        "all"
    );
    for doc in ["checksum", "header", "logs", "verify", "compare"] {
        for verdict in ["pass", "fail", "error"] {
            assert!(
                tally.contains_key(&(doc.to_string(), verdict.to_string())),
                "no {doc} document with verdict {verdict} was validated:\n{table}"
            );
        }
    }
    for verdict in ["pass", "fail"] {
        assert!(
            tally.contains_key(&("manifest".to_string(), verdict.to_string())),
            "no manifest recording {verdict} was validated:\n{table}"
        );
    }
}

/// The schemas have teeth: a real document validates, and the same document with a key its
/// type does not have (at the top or deep inside), a value of another type, a value outside an
/// enum, a required key removed, or a key of another variant smuggled in, does not.
#[test]
fn a_planted_key_or_a_wrong_type_does_not_validate() {
    let v = Validator::new();
    let mut tally = Tally::new();
    let set = copy_set(BELKA_DIRTY);
    // Damage so that problems, bad pages and log findings are there to plant into.
    flip(&set.path().join("SRUDB.dat"), 4096 * 11 + 100);
    flip(&set.path().join("SRU00051.log"), 4096 * 3 + 100);
    let scratch = tempfile::tempdir().unwrap();
    let manifest = scratch.path().join("m.json");
    let copy = copy_set(BELKA_DIRTY);
    let p = set.path();
    let db = p.join("SRUDB.dat");
    let docs: Vec<(&str, Value)> = vec![
        (
            "checksum",
            run_and_validate(
                &v,
                &mut tally,
                "checksum",
                &["checksum".as_ref(), db.as_os_str(), p.join("SRU00051.log").as_os_str()],
            ),
        ),
        (
            "header",
            run_and_validate(
                &v,
                &mut tally,
                "header",
                &["header".as_ref(), db.as_os_str(), p.join("SRU.chk").as_os_str()],
            ),
        ),
        (
            "logs",
            run_and_validate(&v, &mut tally, "logs", &["logs".as_ref(), p.as_os_str()]),
        ),
        (
            "verify",
            run_and_validate(
                &v,
                &mut tally,
                "verify",
                &[
                    "verify".as_ref(),
                    "--manifest".as_ref(),
                    manifest.as_os_str(),
                    p.as_os_str(),
                ],
            ),
        ),
        (
            "compare",
            run_and_validate(
                &v,
                &mut tally,
                "compare",
                &["compare".as_ref(), manifest.as_os_str(), copy.path().as_os_str()],
            ),
        ),
        (
            "manifest",
            serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap(),
        ),
    ];
    // (what, JSON pointer of the object or value, the change)
    enum Change {
        AddKey,
        Set(Value),
        Put(&'static str, Value),
        Remove(&'static str),
    }
    use Change::*;
    let plants: Vec<(&str, &str, Change)> = vec![
        ("checksum", "", AddKey),
        ("checksum", "/files/0", AddKey),
        ("checksum", "/files/0/problems/0", AddKey),
        ("checksum", "/problems/0", AddKey),
        ("checksum", "/verdict", Set(json!("maybe"))),
        ("checksum", "/command", Set(json!("verify"))),
        ("checksum", "/schema_version", Set(json!(2))),
        ("checksum", "/files/0/type", Set(json!("log"))),
        ("checksum", "/files/0/page_size", Set(json!("4096"))),
        ("checksum", "/files/0/bad_pages", Set(json!(null))),
        ("checksum", "/problems/0/severity", Set(json!("fatal"))),
        ("checksum", "/problems/0/code", Set(json!(-1))),
        ("checksum", "/problems", Set(json!(null))),
        ("checksum", "", Remove("error")),
        ("header", "", AddKey),
        ("header", "/files/0", AddKey),
        ("header", "/files/0/primary", AddKey),
        ("header", "/files/0/header", AddKey),
        ("header", "/files/0/header/signDb", Set(json!(7))),
        ("header", "/files/0/header/logtimeAttach", Set(json!("yesterday"))),
        ("header", "/files/0/header/le_lgposConsistent", Set(json!("(51,0,0)"))),
        (
            "header",
            "/files/1/header/le_lgposCheckpoint",
            Set(json!({ "lGeneration": 81, "isec": 0, "ib": 0 })),
        ),
        ("header", "/files/0/primary/state", Set(json!("fine"))),
        // A key of another shape of header document (a reserve log's `note`) on a database's.
        ("header", "/files/0", Put("note", json!(null))),
        ("header", "/files/1/type", Set(json!("database"))),
        ("logs", "", AddKey),
        ("logs", "/files/0", AddKey),
        ("logs", "/files/0/accumulated_checksum", Set(json!("0x12"))),
        ("logs", "/files/0/format", Set(json!(8))),
        ("logs", "/log_signature", Set(json!(5))),
        ("verify", "", AddKey),
        ("verify", "/databases/0", AddKey),
        ("verify", "/databases/0/state", Set(json!("Sleepy"))),
        ("verify", "/logs", AddKey),
        ("verify", "/required_range", Set(json!([81]))),
        ("verify", "/flush_maps/0", AddKey),
        ("verify", "", Remove("manifest")),
        ("compare", "", AddKey),
        ("compare", "/files/0", AddKey),
        ("compare", "/files/0/status", Set(json!("same"))),
        ("compare", "/identical", Set(json!(-1))),
        ("manifest", "", AddKey),
        ("manifest", "/set", AddKey),
        ("manifest", "/files/0", AddKey),
        ("manifest", "/format", Set(json!("some-manifest"))),
        ("manifest", "/manifest_crc32", Set(json!("XYZ"))),
        ("manifest", "/files/0/type", Set(json!("other"))),
        ("manifest", "", Remove("manifest_crc32")),
    ];
    let mut accepted = Vec::new();
    for (name, at, change) in &plants {
        let mut doc = docs.iter().find(|(n, _)| n == name).unwrap().1.clone();
        let target = doc
            .pointer_mut(at)
            .unwrap_or_else(|| panic!("{name}: no {at:?} in the real document"));
        let what = match change {
            AddKey => {
                target
                    .as_object_mut()
                    .unwrap_or_else(|| panic!("{name}{at} is not an object"))
                    .insert("planted_key".into(), json!(1));
                format!("{name}: key planted at {at:?}")
            }
            Set(x) => {
                *target = x.clone();
                format!("{name}: {at} = {x}")
            }
            Put(k, x) => {
                target.as_object_mut().unwrap().insert(k.to_string(), x.clone());
                format!("{name}: {k} = {x} put at {at:?}")
            }
            Remove(k) => {
                target.as_object_mut().unwrap().remove(*k).unwrap();
                format!("{name}: {k} removed from {at:?}")
            }
        };
        if v.errors(name, &doc).is_none() {
            accepted.push(what);
        }
    }
    assert!(
        accepted.is_empty(),
        "documents that should not validate did: {accepted:#?}"
    );
}
