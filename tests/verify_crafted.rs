//! `verify` on sets made by the fixture writer: hostile or inconsistent database headers and
//! streams whose every property is set on purpose.

use crate::util::esecheck;
use crate::util::Run;
use esecheck::report::set::{verify_set, VerifyOptions};
use esecheck::testkit::checkpoint::CheckpointBuilder;
use esecheck::testkit::db::{DbBuilder, STATE_CLEAN_SHUTDOWN, STATE_DIRTY_SHUTDOWN};
use esecheck::testkit::lgpos;
use esecheck::testkit::log::LogStreamBuilder;
use std::path::Path;

/// The codes of the set's errors (`error`) or warnings, in the report's order.
fn codes(r: &esecheck::report::set::SetReport, error: bool) -> Vec<i32> {
    r.decision
        .problems
        .iter()
        .filter(|p| p.is_error() == error)
        .filter_map(|p| p.code.map(|c| c.code()))
        .collect()
}

/// A database needing `lo..=hi`, logs `first..first+count-1` (the last as `E00.log`) and a
/// checkpoint at `chk`, all on the default log signature. The fixture logs state 8192-byte
/// pages: a database of another page size adds a −1213 for each required log (§9.3).
fn set(dir: &Path, db: DbBuilder, first: i32, count: u32, chk: i32) {
    db.write_file(&dir.join("DB.edb")).unwrap();
    LogStreamBuilder::new("E00", first, count).write_to(dir).unwrap();
    CheckpointBuilder::new()
        .lgpos_checkpoint(lgpos(chk, 1, 0))
        .write_file(&dir.join("E00.chk"))
        .unwrap();
}

fn run(dir: &Path) -> esecheck::report::set::SetReport {
    verify_set(&[dir.to_path_buf()], &VerifyOptions::default()).unwrap()
}

#[test]
fn crafted_dirty_set_passes_and_truncates_at_the_lower_of_checkpoint_and_required() {
    // Checkpoint 11 below Log Required 12-14: recovery starts at 11 (CLI.md Decision 22, the checkpoint needs the
    // checkpoint at or below lGenMinRequired), truncation at the lower of the two.
    let d = tempfile::tempdir().unwrap();
    set(
        d.path(),
        DbBuilder::new(8192).state(STATE_DIRTY_SHUTDOWN).log_required(12, 14),
        10,
        6,
        11,
    );
    let r = run(d.path());
    assert_eq!(
        r.decision.verdict,
        esecheck::verdict::Verdict::Pass,
        "{:?}",
        r.decision.problems
    );
    assert_eq!(r.decision.required_range, Some([12, 14]));
    assert_eq!(r.decision.truncate_below, Some(11));
    assert_eq!(r.decision.roll_forward_to, Some(15));
}

#[test]
fn a_checkpoint_ahead_of_a_dirty_database_is_543() {
    // CLI.md Decision 22, the checkpoint (logredo.cxx ErrLGRICheckAttachNow): checkpoint 13 above lGenMinRequired
    // 12: recovery would start past generation 12. This set passed before the rule.
    let d = tempfile::tempdir().unwrap();
    set(
        d.path(),
        DbBuilder::new(8192).state(STATE_DIRTY_SHUTDOWN).log_required(12, 14),
        10,
        6,
        13,
    );
    let r = run(d.path());
    assert_eq!(r.decision.verdict, esecheck::verdict::Verdict::Fail);
    assert_eq!(codes(&r, true), vec![-543], "{:?}", r.decision.problems);
}

#[test]
fn missing_committed_log_is_582() {
    let d = tempfile::tempdir().unwrap();
    // Logs 10..=14 present, the database committed up to 16: 15 and 16 are missing, and
    // nothing else is wrong (required 12-13 present, checkpoint 12 at lGenMinRequired).
    set(
        d.path(),
        DbBuilder::new(8192)
            .state(STATE_DIRTY_SHUTDOWN)
            .log_required(12, 13)
            .log_committed(16),
        10,
        5,
        12,
    );
    let r = run(d.path());
    assert_eq!(codes(&r, true), vec![-582], "{:?}", r.decision.problems);
    assert_eq!(r.decision.problems[0].generation, Some(15));
    assert_eq!(codes(&r, false), Vec::<i32>::new());
}

#[test]
fn log_page_size_differing_from_the_database_is_1213() {
    let d = tempfile::tempdir().unwrap();
    // The fixture logs state 8192-byte pages, as this database does: make them claim 16384.
    DbBuilder::new(8192)
        .state(STATE_DIRTY_SHUTDOWN)
        .log_required(11, 11)
        .write_file(&d.path().join("DB.edb"))
        .unwrap();
    LogStreamBuilder::new("E00", 10, 3)
        .customize(|_, b| b.page_size(16384))
        .write_to(d.path())
        .unwrap();
    CheckpointBuilder::new()
        .lgpos_checkpoint(lgpos(11, 1, 0))
        .write_file(&d.path().join("E00.chk"))
        .unwrap();
    let r = run(d.path());
    // Only the required log (11) is held to the database's page size (§9.3).
    assert_eq!(codes(&r, true), vec![-1213], "{:?}", r.decision.problems);
    assert_eq!(r.decision.problems[0].generation, Some(11));
}

#[test]
fn dirty_database_with_no_required_range_fails() {
    let d = tempfile::tempdir().unwrap();
    set(
        d.path(),
        DbBuilder::new(4096).state(STATE_DIRTY_SHUTDOWN).log_required(0, 0),
        10,
        3,
        11,
    );
    let r = run(d.path());
    // Decision 13: a 0-0 range is unusable, −550; with no range, no log is required of the set.
    assert_eq!(codes(&r, true), vec![-550], "{:?}", r.decision.problems);
    assert_eq!(r.decision.required_range, None);
}

/// CLI.md rule 2: an inverted Log Required range says nothing trustworthy about which logs
/// replay the database: -550, never a pass, and it adds nothing to the required range.
#[test]
fn inverted_required_range_is_unusable_550() {
    let d = tempfile::tempdir().unwrap();
    set(
        d.path(),
        DbBuilder::new(4096).state(STATE_DIRTY_SHUTDOWN).log_required(14, 11),
        12,
        4,
        12,
    );
    let r = run(d.path());
    assert_eq!(r.decision.required_range, None);
    assert_eq!(r.decision.verdict, esecheck::verdict::Verdict::Fail);
    assert_eq!(codes(&r, true), vec![-550], "{:?}", r.decision.problems);
    assert_eq!(r.decision.truncate_below, None);
}

/// A hostile Log Required range, 1 to 0x7FFF0000 (2147418112), with logs 1-3: one −543 whose
/// listing of the missing generations stops after 1,000 of them, 4-1003 (`MAX_LISTED_MISSING`
/// in report/set.rs: a hostile range cannot make the walk long), so the verdict comes at once
/// instead of after a walk over two thousand million generations.
#[test]
fn huge_required_range_ends_quickly_with_543() {
    let d = tempfile::tempdir().unwrap();
    set(
        d.path(),
        DbBuilder::new(8192)
            .state(STATE_DIRTY_SHUTDOWN)
            .log_required(1, 0x7FFF_0000),
        1,
        3,
        1,
    );
    // No timing here (speed is the benchmarks'): that the walk stops is what the listing shows.
    let r = run(d.path());
    assert_eq!(codes(&r, true), vec![-543], "{:?}", r.decision.problems);
    let missing = &r.decision.problems[0];
    assert_eq!(missing.generation, Some(4), "the first missing generation");
    // How many are missing in all: 2147418112 required, 3 present.
    assert_eq!(
        missing.message,
        "required logs 4-1003 (0x4-0x3EB), … missing, 2147418109 logs, the first 1000 listed (required 1-2147418112 (0x1-0x7FFF0000))"
    );
    assert!(
        !missing.message.contains("1004"),
        "listed past the cap: {}",
        missing.message
    );
    assert!(
        missing.message.contains("2147418112"),
        "the range as stated: {}",
        missing.message
    );
}

#[test]
fn hostile_database_header_values_cannot_be_checked() {
    for (_what, db) in [
        (
            "negative generation",
            DbBuilder::new(4096).state(STATE_DIRTY_SHUTDOWN).log_required(-5, 3),
        ),
        ("format version", DbBuilder::new(4096).format_version(0x500, 0, 0)),
    ] {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.edb");
        db.write_file(&p).unwrap();
        esecheck().arg("checksum").arg(&p).assert().code(2);
        esecheck().arg("verify").arg(d.path()).assert().code(2);
    }
}

#[test]
fn a_state_or_file_type_the_engine_never_writes_cannot_be_checked_alone_and_fails_a_set() {
    // CLI.md Decision 2 for `checksum`; CLI.md Decision 22, the state for `verify` (db.cxx
    // ErrDBReadHeaderCheckConsistency refuses the header: JET_errDatabaseCorrupted).
    for (what, db) in [
        ("state 99", DbBuilder::new(4096).state(99)),
        ("state 0", DbBuilder::new(4096).state(0)),
        ("file type 3", DbBuilder::new(4096).file_type(3)),
    ] {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.edb");
        db.write_file(&p).unwrap();
        esecheck().arg("checksum").arg(&p).assert().code(2);
        let out = esecheck().args(["verify", "--json"]).arg(d.path()).run();
        assert_eq!(out.status.code(), Some(1), "{what}");
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let p = &j["problems"][0];
        assert_eq!(
            (p["code"].as_i64(), p["severity"].as_str()),
            (Some(-1206), Some("error")),
            "{what}: {j:#}"
        );
        assert!(p["file"].as_str().unwrap().ends_with("x.edb"), "{what}");
    }
}

#[test]
fn clean_database_on_the_stream_truncates_at_its_last_consistent_generation() {
    let d = tempfile::tempdir().unwrap();
    let db = DbBuilder::new(4096)
        .state(STATE_CLEAN_SHUTDOWN)
        .lgpos_consistent(lgpos(11, 3, 0));
    set(d.path(), db, 10, 4, 13);
    let r = run(d.path());
    assert_eq!(
        r.decision.verdict,
        esecheck::verdict::Verdict::Pass,
        "{:?}",
        r.decision.problems
    );
    assert_eq!(r.decision.truncate_below, Some(11));
}

#[test]
fn zero_filled_database_named_edb_is_a_damaged_member_in_every_command() {
    let d = tempfile::tempdir().unwrap();
    DbBuilder::new(4096).write_file(&d.path().join("good.edb")).unwrap();
    std::fs::write(d.path().join("wiped.edb"), vec![0u8; 64 * 1024]).unwrap();
    let r = run(d.path());
    // Decision 1: the file of zeros named like a database is a damaged member, −1206; the good
    // database beside it adds nothing.
    assert_eq!(codes(&r, true), vec![-1206], "{:?}", r.decision.problems);
    esecheck()
        .arg("checksum")
        .arg(d.path().join("wiped.edb"))
        .assert()
        .code(1)
        .stdout(predicates::str::contains("all zeros: never written or wiped"));
    esecheck()
        .arg("header")
        .arg(d.path().join("wiped.edb"))
        .assert()
        .code(1)
        .stdout(predicates::str::contains("all zeros: never written or wiped"));
}
