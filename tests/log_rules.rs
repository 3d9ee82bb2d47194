//! Issue 20, rules 5 and 7, on re-sealed copies of the real belkasoft Dirty set (corpus MANIFEST:
//! SRUDB.dat DirtyShutdown requiring 81, checkpoint 81, logs SRU0004E-SRU00051 = 78-81 in format
//! 8.4000.5.16 and SRU.log = 82 in 8.4000.60.140, whose `checksumPrevLogAllSegments` holds
//! generation 81's accumulated checksum, ESE-FORMAT §6.5):
//!
//! * rule 5, every log generation is a possible generation: a verified header whose
//!   `le_lGeneration` lies outside 1..=0x7FFFFA00 cannot be checked alone (exit 2, CLI.md
//!   Decision 2) and is a damaged member of a stream (exit 1, Decision 3); its generation never
//!   becomes the stream's first or last, `truncate_below` or `roll_forward_to`.

use crate::util::{copy_set, esecheck_no_progress, json_codes, td, BELKA_DIRTY};
use esecheck::testkit::seal_log_header;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs `esecheck --no-progress ARGS PATH`: (exit status, stdout, stderr).
fn run(args: &[&str], path: &Path) -> (i32, String, String) {
    let out = esecheck_no_progress().args(args).arg(path).output().unwrap();
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
fn edit(dir: &Path, name: &str, f: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let p = dir.join(name);
    let mut b = std::fs::read(&p).unwrap();
    f(&mut b);
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
        let named = format!("SRU00051.log: le_lGeneration is {shown}, outside the log generations 1..=0x7FFFFA00");
        for cmd in ["checksum", "header"] {
            let (code, _, err) = run(&[cmd], &p);
            assert_eq!(code, 2, "{cmd} {g}: {err}");
            assert!(err.contains(&named), "{cmd} {g}: {err}");
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
        p["message"].as_str().unwrap().contains("the file name says 0x4E"),
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
