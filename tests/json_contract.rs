//! CLI.md item 4: one JSON document on stdout on every exit path of every command, with the
//! same envelope (`schema_version`, `command`, `verdict`, `problems`) and the command's own keys
//! (`null` when unknown, lists never `null`). Inputs are real files of testdata/ (their verdicts
//! are the corpus MANIFEST's) and damaged or missing copies of them.

use crate::util::Run;
use crate::util::{copy_dir, copy_set, esecheck, os, td, BELKA_DIRTY};
use serde_json::Value;

/// Runs `esecheck --json ARGS`, checks the envelope and returns (exit status, document).
fn run(args: &[&std::ffi::OsStr]) -> (i32, Value) {
    let out = esecheck().arg("--json").arg("--no-progress").args(args).run();
    let code = out.status.code().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let doc: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}): {text}"));
    assert_eq!(doc["schema_version"], 1, "{args:?}");
    let verdict = doc["verdict"].as_str().unwrap();
    let want = match code {
        0 => "pass",
        1 => "fail",
        2 => "error",
        other => panic!("{args:?}: exit {other}"),
    };
    assert_eq!(verdict, want, "{args:?}: {doc:#}");
    let problems = doc["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("{args:?}: problems is not a list"));
    for p in problems {
        for k in ["severity", "code", "name", "file", "message"] {
            assert!(p.get(k).is_some(), "{args:?}: problem without {k}: {p}");
        }
    }
    if code != 0 {
        assert!(
            problems.iter().any(|p| p["severity"] == "error"),
            "{args:?}: a non-zero exit names its error in problems: {doc:#}"
        );
    }
    (code, doc)
}

fn has_keys(doc: &Value, keys: &[&str], lists: &[&str]) {
    for k in keys {
        assert!(doc.get(*k).is_some(), "missing {k}: {doc:#}");
    }
    for k in lists {
        assert!(doc[*k].is_array(), "{k} must be a list: {doc:#}");
    }
}

#[test]
fn checksum_json_on_every_exit_path() {
    let tmp = tempfile::tempdir().unwrap();
    let text = tmp.path().join("notes.txt");
    std::fs::write(&text, vec![b'x'; 9000]).unwrap();
    let missing = tmp.path().join("missing.edb");
    let good = td("stroz-eseparser-generated/test.edb");
    let bad = td("dissect-esedb-srum/SRUDB.dat");
    for (paths, want) in [
        (vec![good.clone()], 0),
        (vec![bad.clone()], 1),
        (vec![missing.clone()], 2),
        (vec![text.clone()], 2),
        (vec![good.clone(), bad.clone(), missing.clone()], 1),
    ] {
        let mut args = vec![os("checksum")];
        args.extend(paths.iter().map(|p| p.as_os_str()));
        let (code, doc) = run(&args);
        assert_eq!(code, want, "{paths:?}");
        assert_eq!(doc["command"], "checksum");
        has_keys(&doc, &["files"], &["files", "problems"]);
        assert_eq!(doc["files"].as_array().unwrap().len(), paths.len());
    }
    // The top-level problems are every file's, each naming its file: SRUDB.dat has 16 bad pages.
    let (_, doc) = run(&[os("checksum"), bad.as_os_str()]);
    let bad_pages = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == -1018 && p["severity"] == "error")
        .count();
    assert_eq!(bad_pages, 16);
    let (_, doc) = run(&[os("checksum"), missing.as_os_str()]);
    assert_eq!(doc["problems"][0]["code"], -1811);
    assert_eq!(doc["problems"][0]["file"], missing.display().to_string());
}

#[test]
fn header_json_on_every_exit_path() {
    let tmp = tempfile::tempdir().unwrap();
    let zeros = tmp.path().join("wiped.edb");
    std::fs::write(&zeros, vec![0u8; 65536]).unwrap();
    let text = tmp.path().join("notes.txt");
    std::fs::write(&text, vec![b'x'; 9000]).unwrap();
    let d = td("museum-srum-win10-belkasoftctf/Dirty");
    for (p, want, kind) in [
        (d.join("SRUDB.dat"), 0, "database"),
        (d.join("SRU00051.log"), 0, "log"),
        (d.join("SRU.chk"), 0, "checkpoint"),
        (d.join("SRUDB.jfm"), 0, "flushmap"),
        (d.join("SRUtmp.log"), 0, "reserve"),
        (zeros.clone(), 1, "database"),
        (tmp.path().join("missing.log"), 2, ""),
        (text.clone(), 2, ""),
    ] {
        let (code, doc) = run(&[os("header"), p.as_os_str()]);
        assert_eq!(code, want, "{p:?}: {doc:#}");
        assert_eq!(doc["command"], "header");
        has_keys(&doc, &["path", "type", "header"], &["problems"]);
        if !kind.is_empty() {
            assert_eq!(doc["type"], kind, "{p:?}");
        } else {
            assert!(doc["type"].is_null() && doc["header"].is_null());
        }
    }
}

#[test]
fn logs_json_on_every_exit_path() {
    let tmp = tempfile::tempdir().unwrap();
    let damaged = tmp.path().join("set");
    std::fs::create_dir(&damaged).unwrap();
    copy_dir(&td(BELKA_DIRTY), &damaged);
    let mut b = std::fs::read(damaged.join("SRU00050.log")).unwrap();
    b[4096 + 100] ^= 0x5A;
    std::fs::write(damaged.join("SRU00050.log"), b).unwrap();
    let good = td("museum-srum-win10-belkasoftctf/Dirty");
    let empty = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    for (args, want) in [
        (vec![os("logs"), good.as_os_str()], 0),
        (vec![os("logs"), damaged.as_os_str()], 1),
        (vec![os("logs"), missing.as_os_str()], 2),
        (vec![os("logs"), os("--base"), os("E00"), good.as_os_str()], 2),
        (vec![os("logs"), empty.path().as_os_str()], 2),
    ] {
        let (code, doc) = run(&args);
        assert_eq!(code, want, "{args:?}: {doc:#}");
        assert_eq!(doc["command"], "logs");
        has_keys(
            &doc,
            &["base", "directory", "first", "last"],
            &["files", "ignored", "problems"],
        );
    }
}

#[test]
fn verify_json_on_every_exit_path() {
    let tmp = tempfile::tempdir().unwrap();
    let dirty = td("museum-srum-win10-belkasoftctf/Dirty");
    let lonely = tmp.path().join("lonely");
    std::fs::create_dir(&lonely).unwrap();
    std::fs::copy(dirty.join("SRUDB.dat"), lonely.join("SRUDB.dat")).unwrap();
    let nodb = tmp.path().join("nodb");
    std::fs::create_dir(&nodb).unwrap();
    std::fs::copy(dirty.join("SRU.log"), nodb.join("SRU.log")).unwrap();
    let missing = tmp.path().join("missing");
    for (args, want) in [
        (vec![os("verify"), dirty.as_os_str()], 0),
        (vec![os("verify"), lonely.as_os_str()], 1),
        (vec![os("verify"), missing.as_os_str()], 2),
        (vec![os("verify"), nodb.as_os_str()], 2),
        (vec![os("verify"), os("--base"), os("E00"), dirty.as_os_str()], 2),
    ] {
        let (code, doc) = run(&args);
        assert_eq!(code, want, "{args:?}: {doc:#}");
        assert_eq!(doc["command"], "verify");
        has_keys(
            &doc,
            &[
                "databases",
                "logs",
                "checkpoint",
                "required_range",
                "truncate_below",
                "roll_forward_to",
            ],
            &["databases", "ignored", "unnecessary_logs_corrupt", "problems"],
        );
        if code != 0 {
            assert!(doc["truncate_below"].is_null());
        }
    }
    let (_, doc) = run(&[os("verify"), tmp.path().join("missing").as_os_str()]);
    assert_eq!(doc["problems"][0]["code"], -1811);
    assert_eq!(doc["problems"][0]["name"], "JET_errFileNotFound");
}

// ---- CLI.md items 6 and 10: `checksum DIR`, quiet lines that name what failed -------------

#[test]
fn checksum_of_a_directory_checks_every_ese_file_in_it_and_ignores_the_rest() {
    // belkasoft Dirty: 1 database, 5 logs, 1 checkpoint, 1 flush map, 2 reserve logs and the
    // next-generation log (11 files); plus a text file.
    let tmp = copy_set(BELKA_DIRTY);
    std::fs::write(tmp.path().join("notes.txt"), "backup agent notes\n").unwrap();
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    std::fs::copy(td("dissect-esedb-srum/SRUDB.dat"), tmp.path().join("sub/SRUDB.dat")).unwrap();
    let (code, doc) = run(&[os("checksum"), tmp.path().as_os_str()]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["files"].as_array().unwrap().len(), 11);
    let ignored = doc["ignored"].as_array().unwrap();
    assert_eq!(ignored.len(), 1);
    assert!(ignored[0]["path"].as_str().unwrap().ends_with("notes.txt"));
    // --recursive reaches sub/SRUDB.dat, whose 16 tail pages are bad (corpus MANIFEST).
    let (code, doc) = run(&[os("checksum"), os("--recursive"), tmp.path().as_os_str()]);
    assert_eq!(code, 1);
    assert_eq!(doc["files"].as_array().unwrap().len(), 12);
    // No ESE file in a directory: could not check.
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("a.txt"), "x").unwrap();
    let (code, doc) = run(&[os("checksum"), empty.path().as_os_str()]);
    assert_eq!(code, 2, "{doc:#}");
}

#[test]
fn checksum_quiet_prints_one_line_per_failing_file_and_a_summary_naming_them() {
    let good = td("stroz-eseparser-generated/test.edb");
    let bad = td("dissect-esedb-srum/SRUDB.dat");
    let out = esecheck().args(["checksum", "-q"]).args([&good, &bad, &good]).run();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("FAIL: ") && lines[0].contains("SRUDB.dat") && lines[0].contains("16 bad checksums"));
    assert!(lines[1].starts_with("FAIL: 1 of 3 files failed verification: ") && lines[1].contains("SRUDB.dat"));
}

// ---- CLI.md item 5: headline the cause, not the side effect -------------------------------

#[test]
fn a_damaged_log_is_the_headline_not_the_590_it_causes() {
    // belkasoft Dirty, required 81: damage log 0x51 (81) in a segment. SRU.log (82) stores 81's
    // accumulated segment checksum, so it reports a follow-on -590.
    let tmp = copy_set(BELKA_DIRTY);
    let p = tmp.path().join("SRU00051.log");
    let mut b = std::fs::read(&p).unwrap();
    b[4096 + 100] ^= 0x5A;
    std::fs::write(&p, b).unwrap();
    let out = esecheck().arg("verify").arg(tmp.path()).run();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("FAIL: ") && first.contains("SRU00051.log: segment 1"),
        "{first}"
    );
    // The follow-on comes right under its cause, marked.
    let lines: Vec<&str> = text.lines().collect();
    let section = lines.iter().position(|l| *l == "Problems:").unwrap();
    let cause = section
        + lines[section..]
            .iter()
            .position(|l| l.contains("SRU00051.log: segment 1"))
            .unwrap();
    assert!(
        lines[cause + 1].contains("↳") && lines[cause + 1].contains("-590"),
        "{text}"
    );
    let (_, doc) = run(&[os("verify"), tmp.path().as_os_str()]);
    let follow = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == -590)
        .unwrap()
        .clone();
    assert_eq!(follow["follows"], 81);
}

#[test]
fn bad_pages_are_one_run_and_beyond_the_owned_space_is_a_field() {
    // dissect-esedb-srum/SRUDB.dat: pages 143-158 bad, the owned space ends at page 142.
    let bad = td("dissect-esedb-srum/SRUDB.dat");
    let out = esecheck().args(["checksum", "-q"]).arg(&bad).run();
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(
        line.contains("16 bad pages 143-158, all beyond the owned space"),
        "{line}"
    );
    let (_, doc) = run(&[os("checksum"), bad.as_os_str()]);
    let pages: Vec<&Value> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == -1018)
        .collect();
    assert_eq!(pages.len(), 16);
    assert!(pages.iter().all(|p| p["beyond_owned_space"] == true));
}

#[test]
fn verify_strict_quiet_names_the_warning_that_failed_the_set() {
    // win11-rathbunvm Clean: the repaired database (log signature 0) beside logs of its old
    // stream: a -530 warning (corpus MANIFEST "Folder labels lie").
    let out = esecheck()
        .args(["verify", "--strict", "-q"])
        .arg(td("museum-srum-win11-rathbunvm/Clean"))
        .run();
    assert_eq!(out.status.code(), Some(1));
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(
        line.starts_with("FAIL: with --strict, a warning: ")
            && line.contains("SRUDB.dat")
            && line.contains("log signature"),
        "{line}"
    );
}

// ---- CLI.md item 9: `header` reads like eseutil -----------------------------------------

#[test]
fn header_of_a_real_database_gives_eseutil_field_lines() {
    // Values from the corpus MANIFEST for belkasoft Dirty/SRUDB.dat: DirtyShutdown, Log Required
    // 81/81, lgposConsistent generation 81, logsig 0xa3dd42de = 2749186782 created 2020-08-01
    // 21:48:10, OS 10.0.17763, format 0x620.20.
    let f = td("museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat");
    let out = esecheck().arg("header").arg(&f).run();
    let text = String::from_utf8(out.stdout).unwrap();
    // Whole lines, in eseutil's padding (dbdump.cxx; tests/eseutil_dump.rs checks every line).
    // Checked by hand with xxd: le_qwSortVersion @508 ff×8, le_objidLast @212 0x20,
    // logtimeConsistent @64 `34 22 02 0e 02 79 cd 06` (UTC, 486 ms), logtimeGenMaxCreate @348
    // `2b 20 02 0e 02 79 5f 04` (UTC, 303 ms), le_ulDaeUpdateMinor and efv @644 zero.
    let lines: Vec<&str> = text.lines().collect();
    for line in [
        "            State: Dirty Shutdown",
        "     Log Required: 81-81 (0x51-0x51) [Min. Req. Pre-Redo: 0 (0x0)]",
        "  Last Consistent: (0x51,8,0)  02/14/2021 02:34:52.486 UTC",
        "    Log Signature: Create time:08/01/2020 21:48:10.509 Rand:2749186782 Computer:",
        "       OS Version: (10.0.17763 SP 0 NLS ffffffff.ffffffff)",
        " Format ulVersion: 0x620,20,0  (attached by 0)",
        "         cbDbPage: 4096",
        "       Last Objid: 32",
        "Created ulVersion: 0x620,20",
        "Gen. Max. Com. Creation Time: 02/14/2021 02:32:43.303 UTC",
        "       Scrub Date: 00/00/1900 00:00:00.000 LOC",
        "   Format ulMagic: 0x89abcdef",
        "Previous Full Backup:",
        "esecheck: Reseed Date: 00/00/1900 00:00:00.000 LOC",
        "esecheck: Patch Date: 00/00/1900 00:00:00.000 LOC",
        "esecheck: Revert From Date: 00/00/1900 00:00:00.000 LOC",
    ] {
        assert!(lines.contains(&line), "{line} in\n{text}");
    }
    // The same signature notation (SigToSz: no time zone) in the log and the checkpoint.
    for rel in ["SRU00051.log", "SRU.chk"] {
        let out = esecheck()
            .arg("header")
            .arg(td("museum-srum-win10-belkasoftctf/Dirty").join(rel))
            .run();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.lines()
                .any(|l| l == "      Signature: Create time:08/01/2020 21:48:10.509 Rand:2749186782 Computer:"),
            "{rel}: {text}"
        );
    }
}

#[test]
fn header_takes_several_files() {
    let d = td("museum-srum-win10-belkasoftctf/Dirty");
    let (code, doc) = run(&[
        os("header"),
        d.join("SRUDB.dat").as_os_str(),
        d.join("SRU.log").as_os_str(),
        d.join("SRU.chk").as_os_str(),
        d.join("SRUDB.jfm").as_os_str(),
    ]);
    assert_eq!(code, 0);
    let types: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["database", "log", "checkpoint", "flushmap"]);
}

/// CLI.md "JSON": one typed document per command — its pass, fail and error documents have
/// the same top-level keys, `error` and (for `verify`) `manifest` included, `null` when they do
/// not apply.
#[test]
fn a_commands_pass_fail_and_error_documents_have_the_same_keys() {
    fn keys(doc: &Value) -> Vec<String> {
        doc.as_object().unwrap().keys().cloned().collect()
    }
    let good = copy_set(BELKA_DIRTY);
    let bad = copy_set(BELKA_DIRTY);
    // Fail: a bit of page 10 of the database and of segment 3 of the required log flipped.
    for (f, off) in [("SRUDB.dat", 4096 * 11 + 100), ("SRU00051.log", 4096 * 3 + 100)] {
        let p = bad.path().join(f);
        let mut b = std::fs::read(&p).unwrap();
        b[off] ^= 0x5A;
        std::fs::write(&p, b).unwrap();
    }
    let missing = good.path().join("nope");
    let db = |d: &tempfile::TempDir| d.path().join("SRUDB.dat");
    let cases: Vec<(&str, Vec<Vec<std::ffi::OsString>>)> = vec![
        (
            "checksum",
            vec![
                vec!["checksum".into(), db(&good).into()],
                vec!["checksum".into(), db(&bad).into()],
                vec!["checksum".into(), missing.clone().into()],
            ],
        ),
        (
            "header",
            vec![
                vec!["header".into(), db(&good).into()],
                vec!["header".into(), bad.path().join("SRU.chk").into()],
                vec!["header".into(), missing.clone().into()],
            ],
        ),
        (
            "logs",
            vec![
                vec!["logs".into(), good.path().into()],
                vec!["logs".into(), bad.path().into()],
                vec!["logs".into(), missing.clone().into()],
            ],
        ),
        (
            "verify",
            vec![
                vec!["verify".into(), good.path().into()],
                vec!["verify".into(), bad.path().into()],
                vec!["verify".into(), missing.clone().into()],
            ],
        ),
    ];
    for (cmd, runs) in cases {
        let mut seen: Vec<(i32, Vec<String>)> = Vec::new();
        for args in runs {
            let a: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_os_str()).collect();
            let (code, doc) = run(&a);
            assert!(doc.get("error").is_some(), "{cmd}: no error key: {doc:#}");
            // `checksum` lists a file it could not check among `files` (CLI.md "JSON"): its
            // document's `error` stays null; the others could check nothing at all.
            assert_eq!(
                doc["error"].is_null(),
                code != 2 || cmd == "checksum",
                "{cmd} exit {code}: {doc:#}"
            );
            seen.push((code, keys(&doc)));
        }
        // header's pass is a database, its fail a checkpoint: the type's own keys differ there,
        // the envelope does not.
        let codes: Vec<i32> = seen.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, vec![0, if cmd == "header" { 0 } else { 1 }, 2], "{cmd}");
        if cmd != "header" {
            assert_eq!(seen[0].1, seen[1].1, "{cmd}: pass and fail keys");
            assert_eq!(seen[0].1, seen[2].1, "{cmd}: pass and error keys");
        }
        if cmd == "verify" {
            assert!(seen[0].1.contains(&"manifest".to_string()));
        }
    }
}

/// CLI.md "JSON": `verify --json` carries, per database, every counter `checksum --json` has
/// for the same file, and every document says which esecheck made it and how it was run.
#[test]
fn verify_json_has_each_databases_counters_and_every_document_its_maker() {
    let d = copy_set(BELKA_DIRTY);
    let db = d.path().join("SRUDB.dat");
    let (_, v) = run(&[os("verify"), d.path().as_os_str()]);
    let (_, c) = run(&[os("checksum"), db.as_os_str()]);
    let (vd, cd) = (&v["databases"][0], &c["files"][0]);
    for k in [
        "page_size",
        "pages_seen",
        "bad_checksums",
        "correctable_checksums",
        "uninitialized_pages",
        "wrong_page_numbers",
        "owned_pages",
        "bad_pages",
        "correctable_pages",
    ] {
        assert!(vd.get(k).is_some(), "verify lacks {k}: {vd:#}");
        assert_eq!(vd[k], cd[k], "{k}");
    }
    // The real file's page size and page count (corpus MANIFEST: 4 KiB pages, 3,211,264 bytes).
    assert_eq!(
        (vd["page_size"].as_u64(), vd["pages_seen"].as_u64()),
        (Some(4096), Some(784))
    );
    for doc in [&v, &c] {
        assert_eq!(doc["esecheck_version"], env!("CARGO_PKG_VERSION"));
        let argv: Vec<&str> = doc["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(argv.contains(&"--json") && argv.contains(&"--no-progress"), "{argv:?}");
    }
}

/// docs/ARCHITECTURE.md "Adding a subcommand": every checking command clap knows (its list, not one written
/// here) prints one JSON document naming itself, even when it can check nothing — so a command
/// added to `cli.rs` without its dispatch in `commands/` or its body in `report/` fails here.
#[test]
fn every_checking_command_clap_knows_prints_its_own_document() {
    let cmd = esecheck::cli::command();
    let mut seen = Vec::new();
    for sub in cmd.get_subcommands() {
        let name = sub.get_name();
        if matches!(name, "man" | "completions" | "help") {
            continue;
        }
        // As many missing paths as it takes positional arguments.
        let positional = sub.get_arguments().filter(|a| a.is_positional()).count().max(1);
        let missing = std::env::temp_dir().join("esecheck-no-such-file");
        let mut args: Vec<std::ffi::OsString> = vec![name.into()];
        args.extend(std::iter::repeat_n(missing.clone().into_os_string(), positional));
        let a: Vec<&std::ffi::OsStr> = args.iter().map(|s| s.as_os_str()).collect();
        let (code, doc) = run(&a);
        assert_eq!(code, 2, "{name}: {doc:#}");
        assert_eq!(doc["command"], name, "{name}: {doc:#}");
        seen.push(name.to_string());
    }
    // The five of CLI.md at least (a new one joins the loop by itself).
    for known in ["checksum", "header", "logs", "verify", "compare"] {
        assert!(seen.iter().any(|s| s == known), "{known} not among {seen:?}");
    }
}

/// docs/CLI.md's JSON samples are true (issue 21 item 8): each is valid JSON, and every key it
/// shows, at every depth, is a key of the real document of the same kind on the bundled Dirty set
/// (`checksum --json` of SRUDB.dat, `verify --json`, the manifest of `verify --manifest`).
#[test]
fn the_json_samples_of_cli_md_show_only_keys_the_real_documents_have() {
    fn missing_keys(sample: &Value, real: &Value, at: &str, out: &mut Vec<String>) {
        match (sample, real) {
            (Value::Object(s), Value::Object(r)) => {
                for (k, v) in s {
                    match r.get(k) {
                        None => out.push(format!("{at}.{k}")),
                        Some(rv) => missing_keys(v, rv, &format!("{at}.{k}"), out),
                    }
                }
            }
            (Value::Array(s), Value::Array(r)) => {
                // Each object of the sample against the real list's first object of its `type`.
                for v in s.iter().filter(|x| x.is_object()) {
                    let like = r
                        .iter()
                        .find(|x| x.is_object() && (v.get("type").is_none() || x.get("type") == v.get("type")));
                    if let Some(first) = like {
                        missing_keys(v, first, &format!("{at}[]"), out);
                    }
                }
            }
            _ => {}
        }
    }
    let doc = std::fs::read_to_string(td("../docs/CLI.md")).unwrap();
    let blocks: Vec<Value> = doc
        .split("```json\n")
        .skip(1)
        .map(|b| {
            let body = &b[..b.find("\n```").unwrap()];
            serde_json::from_str(body).unwrap_or_else(|e| panic!("CLI.md sample is not JSON ({e}):\n{body}"))
        })
        .collect();
    assert_eq!(blocks.len(), 3, "checksum, verify and manifest samples");
    let set = copy_set(BELKA_DIRTY);
    let (_, checksum) = run(&[os("checksum"), set.path().join("SRUDB.dat").as_os_str()]);
    let (_, verify) = run(&[os("verify"), set.path().as_os_str()]);
    let m = tempfile::tempdir().unwrap();
    let mpath = m.path().join("set.manifest.json");
    let (_, _) = run(&[
        os("verify"),
        set.path().as_os_str(),
        os("--manifest"),
        mpath.as_os_str(),
    ]);
    let manifest: Value = serde_json::from_slice(&std::fs::read(&mpath).unwrap()).unwrap();
    let mut missing = Vec::new();
    for (sample, real, what) in [
        (&blocks[0], &checksum, "checksum"),
        (&blocks[1], &verify, "verify"),
        (&blocks[2], &manifest, "manifest"),
    ] {
        missing_keys(sample, real, what, &mut missing);
    }
    assert!(
        missing.is_empty(),
        "CLI.md shows keys the documents do not have: {missing:?}"
    );
}
