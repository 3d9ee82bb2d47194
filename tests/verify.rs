//! `esecheck verify` end to end on the real SRUM sets in `testdata/` and on damaged copies of them.
//! Expected ranges come from the corpus MANIFEST ("Dirty-shutdown DBs with their logs": belkasoft
//! required 81, checkpoint 81, logs 78..82; win11-rathbunvm required 92, checkpoint 92, logs
//! 89..92; the repaired Clean copies have log signature 0) and CLI.md Decisions 13–17.

use crate::util::Run;
use crate::util::{copy_set, esecheck, json_codes, td};
use serde_json::Value;
use std::path::Path;

fn verify(args: &[&Path]) -> (i32, Value) {
    let mut cmd = esecheck();
    cmd.args(["verify", "--json"]);
    for a in args {
        cmd.arg(a);
    }
    let out = cmd.run();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v)
}

fn flip(path: &Path, offset: usize) {
    let mut b = std::fs::read(path).unwrap();
    b[offset] ^= 0x5A;
    std::fs::write(path, b).unwrap();
}

#[test]
fn belkasoft_dirty_set_passes_with_required_81_and_truncates_below_81() {
    let (code, v) = verify(&[&td("museum-srum-win10-belkasoftctf/Dirty")]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["required_range"], serde_json::json!([81, 81]));
    assert_eq!(v["truncate_below"], 81);
    assert_eq!(v["roll_forward_to"], 82);
    assert_eq!(v["unnecessary_logs_corrupt"], serde_json::json!([]));
    assert_eq!(v["logs"]["first"], 78);
    assert_eq!(v["logs"]["last"], 82);
    assert_eq!(v["checkpoint"]["generation"], 81);
    assert_eq!(v["databases"][0]["state"], "DirtyShutdown");
    assert!(v["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["path"].as_str().unwrap().ends_with("SRUtmp.log")));
}

#[test]
fn win11_dirty_set_passes_with_required_92() {
    let (code, v) = verify(&[&td("museum-srum-win11-rathbunvm/Dirty")]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["required_range"], serde_json::json!([92, 92]));
    assert_eq!(v["truncate_below"], 92);
    assert_eq!(v["roll_forward_to"], 92);
}

#[test]
fn repaired_clean_databases_with_foreign_logs_pass_with_a_signature_warning() {
    // MANIFEST: the Clean copies were repaired with esentutl /p; log signature 0 vs the logs'.
    for (set, chk) in [
        ("museum-srum-win10-belkasoftctf/Clean", 81),
        ("museum-srum-win11-rathbunvm/Clean", 92),
    ] {
        let (code, v) = verify(&[&td(set)]);
        assert_eq!(code, 0, "{set}: {v:#}");
        assert!(v["required_range"].is_null());
        assert_eq!(json_codes(&v, "warning"), vec![-530], "{set}");
        assert_eq!(v["truncate_below"], chk, "{set}: the checkpoint of the stream");
    }
}

#[test]
fn every_complete_set_in_testdata_passes() {
    for set in [
        "museum-srum-server2022-aptsimulator/snapshot1/SRU",
        "museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU",
        "museum-srum-win10-rathbunvm/Clean",
    ] {
        let (code, v) = verify(&[&td(set)]);
        assert_eq!(code, 0, "{set}: {v:#}");
        assert!(json_codes(&v, "error").is_empty());
    }
}

#[test]
fn dirty_set_fails_when_the_required_log_is_removed() {
    let d = copy_set("museum-srum-win11-rathbunvm/Dirty");
    std::fs::remove_file(d.path().join("SRU.log")).unwrap(); // generation 92, the required one
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert!(json_codes(&v, "error").contains(&-543));
    assert!(v["truncate_below"].is_null());
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    std::fs::remove_file(d.path().join("SRU00051.log")).unwrap(); // generation 81
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert!(json_codes(&v, "error").contains(&-543));
}

#[test]
fn gap_below_the_required_range_is_still_an_error() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    std::fs::remove_file(d.path().join("SRU00050.log")).unwrap(); // generation 80
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert!(json_codes(&v, "error").contains(&-528));
}

#[test]
fn corrupt_required_log_fails_with_the_log_code() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    flip(&d.path().join("SRU00051.log"), 4096 + 1000); // a data segment of generation 81
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    let errs = json_codes(&v, "error");
    assert!(errs.contains(&-501), "{errs:?}");
    assert!(!errs.contains(&-1018) && !errs.contains(&-1206));
}

#[test]
fn corruption_only_below_the_needed_range_is_a_warning() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    flip(&d.path().join("SRU0004E.log"), 4096 + 1000); // generation 78 < truncate_below 81
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 0, "{v:#}");
    assert!(json_codes(&v, "warning").contains(&-501));
    assert_eq!(v["truncate_below"], 81);
    // 79 carries the follow-on -590 (its header's accumulated checksum of 78 no longer matches),
    // graded with 78: 79 itself is intact.
    assert_eq!(v["unnecessary_logs_corrupt"], serde_json::json!([78]));
    let follow_on = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == -590)
        .expect("the follow-on -590 is still reported");
    assert_eq!(
        (follow_on["generation"].clone(), follow_on["follows"].clone()),
        (79.into(), 78.into())
    );
    let out = esecheck().args(["verify", "--strict"]).arg(d.path()).run();
    assert_eq!(out.status.code(), Some(1), "--strict fails on the warning");
}

#[test]
fn corrupt_log_just_below_the_required_one_does_not_fail_it_through_the_checksum_chain() {
    // Generation 80 damaged; 81 (required) stores 80's accumulated segment checksum in its
    // header, so the chain check reports a -590 at 81. That -590 is a follow-on of 80's damage
    // (ESE-FORMAT §6.5, §10: not fatal to the set); log 81 itself is intact and recovery from it
    // needs nothing of 80.
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    flip(&d.path().join("SRU00050.log"), 4 * 4096 + 1000); // segment 4 of 14 in use
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["truncate_below"], 81);
    assert_eq!(v["roll_forward_to"], 82);
    assert_eq!(v["unnecessary_logs_corrupt"], serde_json::json!([80]));
    assert!(json_codes(&v, "warning").contains(&-590) && json_codes(&v, "warning").contains(&-501));
    // `logs` (eseutil /ML) still fails the stream: 80 is corrupt.
    let out = esecheck().arg("logs").arg(d.path()).run();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn checksum_chain_mismatch_into_the_required_log_fails_when_the_older_log_is_intact() {
    // The same -590 at 81 without damage to 80 (81's header field changed and resealed): the
    // logs do not belong together, and 81 is required.
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    let p = d.path().join("SRU00051.log");
    let mut f = std::fs::read(&p).unwrap();
    f[653] ^= 0x01; // checksumPrevLogAllSegments (§6.2)
    esecheck::testkit::damage::reseal_legacy_header(&mut f[..4096]);
    std::fs::write(&p, f).unwrap();
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1, "{v:#}");
    assert!(json_codes(&v, "error").contains(&-590), "{:?}", json_codes(&v, "error"));
}

#[test]
fn renamed_required_log_fails_with_generation_mismatch() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    std::fs::rename(d.path().join("SRU00051.log"), d.path().join("SRU00053.log")).unwrap();
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert!(json_codes(&v, "error").contains(&-513), "{:?}", json_codes(&v, "error"));
}

#[test]
fn foreign_log_in_the_stream_fails_with_bad_signature() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    // Generation 0x5B of another machine's stream, put where it would continue this one.
    std::fs::copy(
        td("museum-srum-win11-rathbunvm/Dirty/SRU0005B.log"),
        d.path().join("SRU0005B.log"),
    )
    .unwrap();
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert!(json_codes(&v, "error").contains(&-530), "{:?}", json_codes(&v, "error"));
}

#[test]
fn both_checkpoint_copies_bad_fails() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    flip(&d.path().join("SRU.chk"), 100);
    flip(&d.path().join("SRU.chk"), 4096 + 100);
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert!(json_codes(&v, "error").contains(&-533));
}

/// Decision 19: one checkpoint copy bad is a warning, −533 (`JET_errCheckpointCorrupt`), and the
/// other copy is used: the set still passes with the primary's generation 81 (MANIFEST).
#[test]
fn one_checkpoint_copy_bad_is_a_warning() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    flip(&d.path().join("SRU.chk"), 4096 + 100);
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(json_codes(&v, "error"), Vec::<i64>::new(), "{v:#}");
    assert_eq!(json_codes(&v, "warning"), vec![-533], "{v:#}");
    let warning = &v["problems"][0];
    assert_eq!(warning["name"], "JET_errCheckpointCorrupt");
    assert!(warning["file"].as_str().unwrap().ends_with("SRU.chk"), "{warning}");
    assert_eq!(v["checkpoint"]["generation"], 81);
    assert_eq!(v["truncate_below"], 81);
}

#[test]
fn checkpoint_of_another_stream_fails() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    std::fs::copy(
        td("museum-srum-win11-rathbunvm/Dirty/SRU.chk"),
        d.path().join("SRU.chk"),
    )
    .unwrap();
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert!(json_codes(&v, "error").contains(&-532));
}

#[test]
fn dirty_database_without_logs_fails() {
    // MANIFEST: qmgr.db is DirtyShutdown and needs generation 23; no logs ship with it.
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(td("goese-bits-qmgr/qmgr.db"), d.path().join("qmgr.db")).unwrap();
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert_eq!(json_codes(&v, "error"), vec![-543]);
    assert_eq!(v["required_range"], serde_json::json!([23, 23]));
}

#[test]
fn two_dirty_databases_with_different_log_signatures_fail() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    std::fs::copy(
        td("museum-srum-win11-rathbunvm/Dirty/SRUDB.dat"),
        d.path().join("Other.dat"),
    )
    .unwrap();
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert!(json_codes(&v, "error").contains(&-530));
}

#[test]
fn clean_database_without_logs_passes() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(td("stroz-eseparser-generated/test.edb"), d.path().join("test.edb")).unwrap();
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 0);
    assert!(v["required_range"].is_null());
    assert!(v["logs"].is_null());
}

#[test]
fn corrupt_database_page_fails_the_set() {
    let d = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    let db = d.path().join("SRUDB.dat");
    let f = std::fs::read(&db).unwrap();
    // First in-use data page: flip two bits in one block so it cannot be corrected.
    let page = (2..f.len() / 4096)
        .find(|&n| f[n * 4096..(n + 1) * 4096].iter().any(|&b| b != 0))
        .unwrap();
    flip(&db, page * 4096 + 2000);
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 1);
    assert!(json_codes(&v, "error").contains(&-1018));
}

#[test]
fn logs_apart_from_the_database_are_found_with_dash_dash_logs() {
    let logs = copy_set("museum-srum-win10-belkasoftctf/Dirty");
    let dbdir = tempfile::tempdir().unwrap();
    std::fs::rename(logs.path().join("SRUDB.dat"), dbdir.path().join("SRUDB.dat")).unwrap();
    let out = esecheck()
        .args(["verify", "--json"])
        .arg(dbdir.path())
        .arg("--logs")
        .arg(logs.path())
        .run();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["truncate_below"], 81);
    assert_eq!(v["checkpoint"]["generation"], 81);
}

/// Decision 3: `verify` with no database found exits 2 ("no database found"); the JSON envelope
/// carries it as `error` (`PATH: message`) and as the one problem, with no ESE code.
#[test]
fn no_database_exits_2() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_str().unwrap();
    let (code, v) = verify(&[d.path()]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(v["verdict"], "error");
    assert_eq!(v["error"], format!("{dir}: no database found"));
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{v:#}");
    assert_eq!(
        (&problems[0]["severity"], &problems[0]["code"], &problems[0]["file"]),
        (&Value::from("error"), &Value::Null, &Value::from(dir))
    );
    assert_eq!(problems[0]["message"], "no database found");

    let out = esecheck().arg("verify").arg(d.path()).run();
    assert_eq!(out.status.code(), Some(2));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&format!("{dir}: no database found")), "{text}");
    assert!(!text.contains("PASS"), "{text}");
}

#[test]
fn text_verdict_line_comes_first_and_last() {
    let out = esecheck()
        .arg("verify")
        .arg(td("museum-srum-win10-belkasoftctf/Dirty"))
        .run();
    let s = String::from_utf8(out.stdout).unwrap();
    let first = s.lines().next().unwrap();
    assert_eq!(
        first,
        "PASS: 1 database (784 pages) sound, logs 78-82 (0x4E-0x52) intact, required 81-81 (0x51-0x51). Logs below 81 (0x51) may be truncated: SRU0004E.log to SRU00050.log."
    );
    assert_eq!(s.lines().last().unwrap(), first);
}

#[test]
fn database_named_as_a_file_finds_its_logs_and_checkpoint_beside_it() {
    let (code, v) = verify(&[&td("museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat")]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["logs"]["count"], 5);
    assert_eq!(v["checkpoint"]["generation"], 81);
    assert_eq!(v["truncate_below"], 81);
}

/// CLI.md "JSON": a pass names what may go. Belkasoft Dirty (corpus MANIFEST): truncate below
/// 81, numbered logs 78-81 (SRU0004E-SRU00051.log), SRU.log the current 82: 78-80 may go.
#[test]
fn a_pass_lists_the_truncatable_logs_by_name() {
    let out = crate::util::esecheck()
        .args(["verify", "--json", "--no-progress"])
        .arg(crate::util::td(crate::util::BELKA_DIRTY))
        .run();
    assert_eq!(out.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<String> = j["truncatable_logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().rsplit(['/', '\\']).next().unwrap().to_string())
        .collect();
    assert_eq!(names, ["SRU0004E.log", "SRU0004F.log", "SRU00050.log"]);
    let out = crate::util::esecheck()
        .args(["verify", "-q", "--no-progress"])
        .arg(crate::util::td(crate::util::BELKA_DIRTY))
        .run();
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(
        line.trim_end()
            .ends_with("Logs below 81 (0x51) may be truncated: SRU0004E.log to SRU00050.log."),
        "{line}"
    );
    // A set that fails lists none.
    let d = crate::util::copy_set(crate::util::BELKA_DIRTY);
    std::fs::remove_file(d.path().join("SRU00051.log")).unwrap();
    let out = crate::util::esecheck()
        .args(["verify", "--json", "--no-progress"])
        .arg(d.path())
        .run();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(j["truncatable_logs"], serde_json::json!([]));
}

/// CLI.md "JSON": no internal names in text — a state in eseutil's words, a header copy's
/// state in words (the engine identifiers stay in JSON).
#[test]
fn text_says_states_in_words() {
    let out = crate::util::esecheck()
        .args(["verify", "--no-progress"])
        .arg(crate::util::td(crate::util::BELKA_DIRTY))
        .run();
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(t.contains("PASS [Dirty Shutdown] "), "{t}");
    assert!(!t.contains("DirtyShutdown"), "{t}");
    let d = crate::util::copy_set(crate::util::BELKA_DIRTY);
    let db = d.path().join("SRUDB.dat");
    let mut b = std::fs::read(&db).unwrap();
    b[100] ^= 1; // the primary header copy's checksum no longer verifies
    std::fs::write(&db, b).unwrap();
    let out = crate::util::esecheck().arg("header").arg(&db).run();
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(t.contains("primary header is not valid (bad checksum)"), "{t}");
    assert!(!t.contains("BadChecksum"), "{t}");
}

/// CLI.md Decision 18: every generation in text is `81 (0x51)`, every range `78-82 (0x4E-0x52)`,
/// in `verify`'s details, `logs`' summary and verdict, and `checksum`'s line per log.
#[test]
fn generations_are_written_in_one_notation_in_every_text_line() {
    let dir = crate::util::td(crate::util::BELKA_DIRTY);
    let d = dir.display().to_string();
    // A member as verify names it: the directory joined with the name (`\` on Windows).
    let member = |n: &str| dir.join(n).display().to_string();
    let run = |args: &[&str]| {
        let out = crate::util::esecheck().args(args).arg("--no-progress").run();
        String::from_utf8(out.stdout).unwrap()
    };
    let s = run(&["verify", &d]);
    let lines: Vec<&str> = s.lines().collect();
    assert!(
        lines.contains(&format!("  PASS [Dirty Shutdown] {}: 784 pages seen, 0 bad, 0 correctable, 135 uninitialized; Log Required 81-81 (0x51-0x51), Log Committed 81 (0x51); Log Signature a3dd42de 08/01/2020 21:48:10.509 UTC", member("SRUDB.dat")).as_str()),
        "{s}"
    );
    assert!(
        lines.contains(&format!("Logs: PASS SRU in {d}: generations 78-82 (0x4E-0x52), 5 files").as_str()),
        "{s}"
    );
    assert!(
        lines.contains(&format!("Checkpoint: PASS {} generation 81 (0x51)", member("SRU.chk")).as_str()),
        "{s}"
    );
    assert!(
        lines.contains(&"Required range: 81-81 (0x51-0x51)   truncate below: 81 (0x51)   roll forward to: 82 (0x52)"),
        "{s}"
    );
    let s = run(&["logs", &d]);
    let tail: Vec<&str> = s.lines().rev().take(2).collect();
    assert_eq!(
        tail,
        [
            format!("PASS: {d}: stream SRU generations 78-82 (0x4E-0x52), 5 logs: no damaged log files were found.")
                .as_str(),
            "Generations: 78-82 (0x4E-0x52)"
        ],
        "{s}"
    );
    let log = format!("{d}/SRU0004E.log");
    let s = run(&["checksum", &log, &format!("{d}/SRU.chk")]);
    assert!(
        s.lines()
            .any(|l| l == format!("PASS: {log}: log generation 78 (0x4E), 14 segments seen, 0 bad, 0 correctable")),
        "{s}"
    );
}
