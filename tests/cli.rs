//! The external contract of CLI.md: exit status 0/1/2, JSON on stdout, errors naming the file.

use crate::util::Run;
use crate::util::{esecheck, td};
use predicates::prelude::*;

#[test]
fn checksum_clean_database_exits_0() {
    esecheck()
        .args(["checksum", "--no-progress"])
        .arg(td("stroz-eseparser-generated/test.edb"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("256 pages seen"))
        .stdout(predicate::str::contains("PASS"));
}

#[test]
fn checksum_corrupt_database_exits_1_and_lists_pages() {
    esecheck()
        .arg("checksum")
        .arg(td("dissect-esedb-srum/SRUDB.dat"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("16 bad checksums"))
        .stdout(predicate::str::contains("page 158 checksum mismatch"))
        .stdout(predicate::str::contains("FAIL"));
}

#[test]
fn checksum_json_has_the_contract_fields() {
    let out = esecheck()
        .args(["checksum", "--json"])
        .arg(td("dissect-esedb-srum/SRUDB.dat"))
        .run();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "fail");
    let f = &v["files"][0];
    assert_eq!(f["type"], "database");
    assert_eq!(f["page_size"], 4096);
    assert_eq!(f["pages_seen"], 160);
    assert_eq!(f["bad_checksums"], 16);
    assert_eq!(f["bad_pages"][0], 143);
    let p = &f["problems"][0];
    assert_eq!(p["code"], -1018);
    assert_eq!(p["name"], "JET_errReadVerifyFailure");
    assert_eq!(p["page"], 143);
    for key in [
        "correctable_checksums",
        "uninitialized_pages",
        "wrong_page_numbers",
        "highest_dbtime",
        "correctable_pages",
    ] {
        assert!(!f[key].is_null(), "{key}");
    }
}

#[test]
fn missing_file_exits_2_naming_it() {
    // The reason is on the verdict line, and only there (CLI.md "Exit status").
    crate::util::assert_exit_2_line(
        esecheck().args(["checksum", "/nonexistent/E00.edb"]),
        "ERROR: could not check /nonexistent/E00.edb: no such file or directory.",
    );
    crate::util::assert_exit_2_line(
        esecheck().args(["checksum", "-q", "/nonexistent/E00.edb"]),
        "ERROR: could not check /nonexistent/E00.edb: no such file or directory.",
    );
}

#[test]
fn directory_empty_short_and_foreign_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // Not named like a member (.dat is also other programs' extension): not an ESE file.
    let empty = dir.path().join("empty.dat");
    std::fs::write(&empty, b"").unwrap();
    let short = dir.path().join("short.dat");
    std::fs::write(&short, [0u8; 1000]).unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, vec![b'x'; 9000]).unwrap();
    for (p, msg) in [
        (dir.path().to_path_buf(), "no ESE file found in the directory"),
        (empty, "file is empty; not an ESE file"),
        (
            short,
            "file is 1000 bytes, shorter than the smallest ESE header (4096 bytes); not an ESE file",
        ),
        (
            text,
            "not an ESE file (no database magic, no log, checkpoint or flush-map header)",
        ),
    ] {
        crate::util::assert_exit_2_line(
            esecheck().arg("checksum").arg(&p),
            &format!("ERROR: could not check {}: {msg}.", p.display()),
        );
    }
}

#[test]
fn hostile_page_size_in_a_self_consistent_header_exits_2() {
    let mut f = std::fs::read(td("stroz-eseparser-generated/test.edb")).unwrap();
    for base in [0usize, 4096] {
        f[base + 236..base + 240].copy_from_slice(&12345u32.to_le_bytes());
        let c = esecheck::checksum::legacy_checksum(&f[base..base + 4096]);
        f[base..base + 4].copy_from_slice(&c.to_le_bytes());
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("hostile.edb");
    std::fs::write(&p, &f).unwrap();
    crate::util::assert_exit_2_line(
        esecheck().arg("checksum").arg(&p),
        &format!(
            "ERROR: could not check {}: header le_cbPageSize = 12345 is not a page size ESE uses (2048, 4096, 8192, 16384, 32768).",
            p.display()
        ),
    );
}

#[test]
fn one_bad_header_copy_fails_checksum_but_only_warns_in_header() {
    let mut f = std::fs::read(td("stroz-eseparser-generated/test.edb")).unwrap();
    f[4096 + 500] ^= 0x40;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("shadowbad.edb");
    std::fs::write(&p, &f).unwrap();
    esecheck().arg("checksum").arg(&p).assert().code(1);
    esecheck()
        .arg("header")
        .arg(&p)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("WARNING: shadow header"));
    f[500] ^= 0x40;
    std::fs::write(&p, &f).unwrap();
    esecheck().arg("header").arg(&p).assert().code(1);
}

#[test]
fn several_inputs_fail_wins_over_could_not_check() {
    esecheck()
        .arg("checksum")
        .arg(td("dissect-esedb-srum/SRUDB.dat"))
        .arg("/nonexistent/x.edb")
        .arg(td("stroz-eseparser-generated/test.edb"))
        .assert()
        .code(1);
    esecheck()
        .arg("checksum")
        .arg("/nonexistent/x.edb")
        .arg(td("stroz-eseparser-generated/test.edb"))
        .assert()
        .code(2);
}

#[test]
fn header_dump_uses_eseutil_names_and_json_uses_format_names() {
    esecheck()
        .arg("header")
        .arg(td("goese-bits-qmgr/qmgr.db"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("State: Dirty Shutdown"))
        .stdout(predicate::str::contains("Log Required: 23-23"));
    let out = esecheck()
        .args(["header", "--json"])
        .arg(td("goese-bits-qmgr/qmgr.db"))
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["header"]["le_lGenMinRequired"], 23);
    assert_eq!(v["header"]["le_lGenMaxRequired"], 23);
    assert_eq!(v["header"]["le_cbPageSize"], 16384);
    assert_eq!(v["page_size"], 16384);
}

#[test]
fn usage_error_exits_2() {
    esecheck().arg("frobnicate").assert().code(2);
    esecheck().arg("checksum").assert().code(2);
}

/// CLI.md "Exit status": every command's exit-2 verdict line says why, also with `-q`, and
/// stderr does not repeat it; with `--json` the document's `error` says it and stderr is empty.
#[test]
fn every_exit_2_verdict_line_names_the_reason_and_stderr_stays_empty() {
    let why = "/nonexistent: no such file or directory";
    for (args, line) in [
        (vec!["checksum"], format!("ERROR: could not check {why}.")),
        (vec!["header"], format!("ERROR: could not check the header: {why}.")),
        (
            vec!["logs"],
            format!("ERROR: could not check the log stream: {why}; do not truncate."),
        ),
        (
            vec!["verify"],
            format!("ERROR: could not check the set: {why}; do not truncate."),
        ),
        (
            vec!["compare", "/nonexistent"],
            format!("ERROR: could not compare: {why}; do not report the copy complete."),
        ),
    ] {
        for quiet in [false, true] {
            let mut cmd = esecheck();
            cmd.args(&args).args(quiet.then_some("-q")).arg("/nonexistent");
            let out = crate::util::assert_exit_2_line(&mut cmd, &line);
            assert_eq!(out, format!("{line}\n"), "{args:?}");
        }
        let out = esecheck().args(&args).args(["--json", "/nonexistent"]).run();
        assert_eq!(out.status.code(), Some(2));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if args[0] == "checksum" {
            // checksum reports each file: its `error` says why.
            assert_eq!(v["files"][0]["error"], "no such file or directory");
        } else {
            assert_eq!(v["error"], why, "{args:?}");
        }
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
    // Several files: each one that could not be checked has its line, the verdict names the one.
    let chk = td("museum-srum-win10-belkasoftctf/Dirty/SRU.chk");
    for quiet in [false, true] {
        let mut cmd = esecheck();
        cmd.arg("checksum")
            .args(quiet.then_some("-q"))
            .arg("/nonexistent")
            .arg(&chk);
        let out =
            crate::util::assert_exit_2_line(&mut cmd, &format!("ERROR: 1 of 2 files could not be checked: {why}."));
        assert!(
            out.lines()
                .any(|l| l == format!("ERROR: {}: could not check: no such file or directory", "/nonexistent")),
            "{out}"
        );
    }
}
