//! CLI.md Decision 22, rules 5 and 7, on re-sealed copies of the real belkasoft Dirty set (corpus MANIFEST:
//! SRUDB.dat DirtyShutdown requiring 81, checkpoint 81, logs SRU0004E-SRU00051 = 78-81 in format
//! 8.4000.5.16 and SRU.log = 82 in 8.4000.60.140, whose `checksumPrevLogAllSegments` holds
//! generation 81's accumulated checksum, ESE-FORMAT §6.5):
//!
//! * rule 5, every log generation is a possible generation: a verified header whose
//!   `le_lGeneration` lies outside 1..=0x7FFFFA00 cannot be checked alone (exit 2, CLI.md
//!   Decision 2) and is a damaged member of a stream (exit 1, Decision 3); its generation never
//!   becomes the stream's first or last, `truncate_below` or `roll_forward_to`;
//! * rule 7, an archived log holds what the engine wrote: a numbered log in which no data segment
//!   of its own generation verifies (wiped to zeros, or only stale segments of another generation)
//!   is −501, graded like other damage to a log's own bytes (Decision 15), and the −590 it causes
//!   in its successor follows it. Without the successor's accumulated checksum (older 8.4000
//!   versions write none, and the newest log has no successor) nothing else catches the wipe.

use crate::util::Run;
use crate::util::{copy_set, esecheck_no_progress, json_codes, td, BELKA_DIRTY};
use esecheck::testkit::seal_log_header;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs `esecheck --no-progress ARGS PATH`: (exit status, stdout, stderr).
fn run(args: &[&str], path: &Path) -> (i32, String, String) {
    let out = esecheck_no_progress().args(args).arg(path).run();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `esecheck --no-progress CMD --json PATH`: (exit status, the document).
fn json(cmd: &str, path: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![cmd, "--json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args, path);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

/// Rewrites the log `name` of the set in `dir` through `f`.
fn edit(dir: &Path, name: &str, f: impl FnOnce(&mut [u8])) -> PathBuf {
    let p = dir.join(name);
    let mut b = std::fs::read(&p).unwrap();
    f(&mut b[..]);
    std::fs::write(&p, b).unwrap();
    p
}

/// Sets `le_lGeneration` @4 and reseals the header, so only the generation is wrong.
fn set_generation(b: &mut [u8], g: i32) {
    b[4..8].copy_from_slice(&g.to_le_bytes());
    seal_log_header(b);
}

/// The problems of a JSON document whose `file` ends with `name`.
fn problems_of<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["file"].as_str().unwrap().ends_with(name))
        .collect()
}

// ---- Rule 5: every log generation is a possible generation ----------------------------------

#[test]
fn checksum_on_a_real_log_of_generation_minus_5_0_or_0x7fffffff_is_exit_2_naming_the_field() {
    let d = tempfile::tempdir().unwrap();
    for (g, shown) in [
        (-5, "-5 (0xFFFFFFFB)"),
        (0, "0 (0x0)"),
        (0x7FFF_FFFF, "2147483647 (0x7FFFFFFF)"),
    ] {
        let p = d.path().join("SRU00051.log");
        std::fs::copy(td(&format!("{BELKA_DIRTY}/SRU00051.log")), &p).unwrap();
        edit(d.path(), "SRU00051.log", |b| set_generation(b, g));
        let named = format!(
            "{}: le_lGeneration is {shown}, outside the log generations 1..=0x7FFFFA00",
            p.display()
        );
        for (cmd, what) in [("checksum", ""), ("header", " the header:")] {
            let (code, out, err) = run(&[cmd], &p);
            assert_eq!(code, 2, "{cmd} {g}: {out}");
            // The reason is on the verdict line; stderr does not repeat it.
            assert_eq!(out, format!("ERROR: could not check{what} {named}.\n"), "{cmd} {g}");
            assert_eq!(err, "", "{cmd} {g}");
        }
        let (code, v) = json("checksum", &p, &[]);
        assert_eq!((code, v["files"][0]["verdict"].as_str()), (2, Some("error")), "{v:#}");
    }
    // The highest generation a log can have is still checked: exit 1 here only because the
    // segments claim generation 81 (BadSegmentLgpos), not because of the header.
    let p = d.path().join("SRU00051.log");
    std::fs::copy(td(&format!("{BELKA_DIRTY}/SRU00051.log")), &p).unwrap();
    edit(d.path(), "SRU00051.log", |b| set_generation(b, 0x7FFF_FA00));
    let (code, v) = json("checksum", &p, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert!(json_codes(&v, "error").iter().all(|&c| c == -501 || c == -513), "{v:#}");
}

#[test]
fn a_current_log_of_generation_0x7fffffff_is_a_damaged_member_and_never_truncate_below() {
    let s = copy_set(BELKA_DIRTY);
    edit(s.path(), "SRU.log", |b| set_generation(b, 0x7FFF_FFFF));
    let (code, v) = json("verify", s.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    let mine = problems_of(&v, "SRU.log");
    assert_eq!(mine.len(), 1, "{v:#}");
    assert_eq!(
        (&mine[0]["severity"], &mine[0]["code"]),
        (&"error".into(), &(-501).into())
    );
    assert!(
        mine[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("le_lGeneration is 2147483647 (0x7FFFFFFF), outside the log generations"),
        "{v:#}"
    );
    // The generation reaches none of the set's numbers.
    for key in ["truncate_below", "roll_forward_to"] {
        assert_ne!(v[key], 0x7FFF_FFFF, "{key}: {v:#}");
    }
    assert_eq!(
        (&v["logs"]["first"], &v["logs"]["last"]),
        (&78.into(), &81.into()),
        "{v:#}"
    );
    assert_eq!(v["required_range"], serde_json::json!([81, 81]));
    assert_eq!(v["truncate_below"], Value::Null);

    // `logs` on the same directory: a damaged member of the stream, exit 1.
    let (code, v) = json("logs", s.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!((&v["first"], &v["last"]), (&78.into(), &81.into()), "{v:#}");
    let (code, out, _) = run(&["logs"], s.path());
    assert_eq!(code, 1);
    assert!(out.contains("le_lGeneration is 2147483647"), "{out}");
}

#[test]
fn a_numbered_log_of_generation_minus_5_fails_the_set_even_below_truncate_below() {
    // 78 lies below truncate_below (81), where damage to a log's own bytes would be forgiven; a
    // verified header that states an impossible generation is not that (Decision 15).
    let s = copy_set(BELKA_DIRTY);
    edit(s.path(), "SRU0004E.log", |b| set_generation(b, -5));
    let (code, v) = json("verify", s.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    let mine = problems_of(&v, "SRU0004E.log");
    assert_eq!(mine.len(), 1, "{v:#}");
    let p = mine[0];
    assert_eq!(
        (&p["severity"], &p["code"], &p["generation"]),
        (&"error".into(), &(-513).into(), &78.into())
    );
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .starts_with("le_lGeneration is -5 (0xFFFFFFFB)"),
        "{p:#}"
    );
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .ends_with("the header verifies, yet no log has this generation (the file name says 78 (0x4E)); a damaged member of the stream"),
        "{p:#}"
    );
    // Placed by its name: no gap, and −5 is nowhere.
    assert_eq!(
        (&v["logs"]["first"], &v["logs"]["last"]),
        (&78.into(), &82.into()),
        "{v:#}"
    );
    assert!(!v.to_string().contains("\"generation\":-5"), "{v:#}");
    let (code, _, _) = run(&["logs"], s.path());
    assert_eq!(code, 1);
}

#[test]
fn a_lone_current_log_of_generation_0x7fffffff_no_longer_becomes_truncate_below() {
    // The case: belkasoft's repaired clean database (log signature 0, so no candidate of
    // its own) named with the current log alone. truncate_below then falls back to the current
    // log's generation (Decision 14), and was 2147483647 with exit 0.
    let d = tempfile::tempdir().unwrap();
    for f in ["SRUDB.dat", "SRU.log"] {
        std::fs::copy(
            td(&format!("museum-srum-win10-belkasoftctf/Clean/{f}")),
            d.path().join(f),
        )
        .unwrap();
    }
    let (code, v) = json("verify", d.path(), &[]);
    assert_eq!((code, &v["truncate_below"]), (0, &82.into()), "{v:#}");
    edit(d.path(), "SRU.log", |b| set_generation(b, 0x7FFF_FFFF));
    let (code, v) = json("verify", d.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(json_codes(&v, "error"), vec![-501], "{v:#}");
    assert_eq!(
        (&v["truncate_below"], &v["logs"]["last"]),
        (&Value::Null, &Value::Null),
        "{v:#}"
    );
}

// ---- Rule 7: an archived log holds what the engine wrote ------------------------------------

/// Zeroes every segment after the header (the data segments and the shadow), keeping the header
/// and the file size.
fn wipe_data(b: &mut [u8]) {
    b[4096..].fill(0);
}

/// Zeroes `checksumPrevLogAllSegments` (@653, 8 bytes) and reseals: a log that carries no
/// accumulated checksum of its predecessor, as versions before 8.4000.x.13 write (§6.5).
fn drop_accumulated_checksum(b: &mut [u8]) {
    b[653..661].fill(0);
    seal_log_header(b);
}

/// The one problem of `v` with `code` in a file ending with `name`.
fn the_problem<'a>(v: &'a Value, name: &str, code: i64) -> &'a Value {
    let found: Vec<&Value> = problems_of(v, name).into_iter().filter(|p| p["code"] == code).collect();
    assert_eq!(found.len(), 1, "{code} in {name}: {v:#}");
    found[0]
}

const NO_RECORD_81: &str = "no data segment of generation 81 (0x51) verifies: segments 1-14 are all zeros, yet an archived log always holds at least one record (wiped, or never written?)";

#[test]
fn checksum_on_a_wiped_numbered_log_is_exit_1_naming_it() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        td(&format!("{BELKA_DIRTY}/SRU00051.log")),
        d.path().join("SRU00051.log"),
    )
    .unwrap();
    let p = edit(d.path(), "SRU00051.log", wipe_data);
    let (code, v) = json("checksum", &p, &[]);
    assert_eq!(code, 1, "{v:#}");
    let f = &v["files"][0];
    assert_eq!(
        (&f["verdict"], &f["generation"], &f["bad_sectors"]),
        (&"fail".into(), &81.into(), &0.into())
    );
    let e = the_problem(&v, "SRU00051.log", -501);
    assert_eq!(
        (&e["message"], &e["sector"], &e["offset"]),
        (&NO_RECORD_81.into(), &1.into(), &4096.into())
    );
    let (code, out, _) = run(&["checksum"], &p);
    assert_eq!(code, 1);
    assert!(
        out.contains("SRU00051.log") && out.contains("no data segment of generation 81"),
        "{out}"
    );
    // Its header is intact: `header` (eseutil /ML's dump) still passes.
    assert_eq!(run(&["header"], &p).0, 0);
    // The current log is exempt: the real SRU.log holds no data segment at all.
    let (code, v) = json("checksum", &td(&format!("{BELKA_DIRTY}/SRU.log")), &[]);
    assert_eq!((code, &v["files"][0]["last_lgpos"]), (0, &"(52,1,0)".into()), "{v:#}");
}

#[test]
fn a_wiped_required_log_is_501_and_the_successors_590_follows_it() {
    // SRU.log (8.4000.60.140) carries generation 81's accumulated checksum, so the wipe already
    // failed the set with a −590 in SRU.log; now the root is named and the −590 follows it.
    let s = copy_set(BELKA_DIRTY);
    edit(s.path(), "SRU00051.log", wipe_data);
    let (code, v) = json("verify", s.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    let e = the_problem(&v, "SRU00051.log", -501);
    assert_eq!(
        (&e["severity"], &e["generation"], &e["message"]),
        (&"error".into(), &81.into(), &NO_RECORD_81.into())
    );
    let f = the_problem(&v, "SRU.log", -590);
    assert_eq!(
        (&f["severity"], &f["generation"], &f["follows"]),
        (&"error".into(), &82.into(), &81.into())
    );
    assert_eq!(
        (&v["truncate_below"], &v["roll_forward_to"]),
        (&Value::Null, &Value::Null),
        "{v:#}"
    );
    let (code, out, _) = run(&["verify"], s.path());
    assert_eq!(code, 1);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("FAIL: ") && first.contains("SRU00051.log: no data segment"),
        "{first}"
    );
}

#[test]
fn a_wiped_required_log_without_the_accumulated_checksum_is_501() {
    // The case: nothing after generation 81 carries its accumulated checksum, so no −590
    // can catch the wipe; before rule 7 this set passed with truncate_below 81.
    let s = copy_set(BELKA_DIRTY);
    edit(s.path(), "SRU00051.log", wipe_data);
    edit(s.path(), "SRU.log", drop_accumulated_checksum);
    let (code, v) = json("verify", s.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(json_codes(&v, "error"), vec![-501], "{v:#}");
    let e = the_problem(&v, "SRU00051.log", -501);
    assert_eq!((&e["generation"], &e["message"]), (&81.into(), &NO_RECORD_81.into()));
    assert_eq!(run(&["logs"], s.path()).0, 1);

    // The newest numbered log with nothing after it: the same.
    let s = copy_set(BELKA_DIRTY);
    edit(s.path(), "SRU00051.log", wipe_data);
    std::fs::remove_file(s.path().join("SRU.log")).unwrap();
    let (code, v) = json("verify", s.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(json_codes(&v, "error"), vec![-501], "{v:#}");
    assert_eq!(the_problem(&v, "SRU00051.log", -501)["generation"], 81);
}

#[test]
fn a_wiped_log_below_truncate_below_is_a_warning_and_fails_strict() {
    let s = copy_set(BELKA_DIRTY);
    edit(s.path(), "SRU0004E.log", wipe_data);
    let (code, v) = json("verify", s.path(), &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!((&v["truncate_below"], &v["roll_forward_to"]), (&81.into(), &82.into()));
    assert_eq!(v["unnecessary_logs_corrupt"], serde_json::json!([78]));
    let e = the_problem(&v, "SRU0004E.log", -501);
    assert_eq!((&e["severity"], &e["generation"]), (&"warning".into(), &78.into()));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("no data segment of generation 78 (0x4E) verifies"),
        "{e:#}"
    );
    // SRU0004F.log (79) carries 78's accumulated checksum: its −590 follows 78 and is graded with it.
    let f = the_problem(&v, "SRU0004F.log", -590);
    assert_eq!((&f["severity"], &f["follows"]), (&"warning".into(), &78.into()));
    let (code, v) = json("verify", s.path(), &["--strict"]);
    assert_eq!(code, 1, "{v:#}");
}

#[test]
fn a_numbered_log_holding_only_another_generations_segments_is_501() {
    // SRU00051.log (81) with generation 80's data segments (1-14 of SRU00050.log) in place of its
    // own: every one verifies, but as a stale segment of an older use.
    let s = copy_set(BELKA_DIRTY);
    let older = std::fs::read(s.path().join("SRU00050.log")).unwrap();
    let p = edit(s.path(), "SRU00051.log", |b| {
        b[4096..15 * 4096].copy_from_slice(&older[4096..15 * 4096])
    });
    let (code, v) = json("checksum", &p, &[]);
    assert_eq!(code, 1, "{v:#}");
    let e = the_problem(&v, "SRU00051.log", -501);
    assert_eq!(
        e["message"],
        "no data segment of generation 81 (0x51) verifies: segments 1-14 are empty or stale copies of other generations, yet an archived log always holds at least one record (overwritten, or never written?)"
    );
    edit(s.path(), "SRU.log", drop_accumulated_checksum);
    let (code, v) = json("verify", s.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(json_codes(&v, "error"), vec![-501], "{v:#}");
}
