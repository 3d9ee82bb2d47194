//! CLI.md Decision 22, "what the engine refuses, esecheck refuses": the engine's preconditions for attaching
//! a clean database and recovering a dirty one, each tried on a re-sealed copy of a real set (every
//! checksum verifies, so only the rule can catch it). Values from the corpus MANIFEST:
//! belkasoft Dirty = SRUDB.dat DirtyShutdown, format 0x620.20.0, Log Required 81-81, Log
//! Committed 81, logs 78-81 numbered and SRU.log = 82, SRU.chk at 81, the logs' attach list
//! naming `C:\Windows\system32\SRU\SRUDB.dat` (eseutil-style dump of SRU00051.log); win11
//! rathbunvm Dirty = SRUDB.dat DirtyShutdown, format 0x620.200.440, Log Required 92-92, logs
//! 89-91 and SRU.log = 92, SRU.chk at 92; server2022 snapshot1 = a clean SRUDB.dat, logs 1-2
//! (SRU.log = 2), SRU.chk at 2.

use crate::util::Run as _;
use crate::util::{copy_set, esecheck, json_codes, BELKA_DIRTY};
use esecheck::testkit::checkpoint::seal_checkpoint;
use esecheck::testkit::db::reseal_db_headers;
use esecheck::testkit::log::seal_log_header;
use esecheck::testkit::logtime;
use serde_json::Value;
use std::path::Path;

const WIN11_DIRTY: &str = "museum-srum-win11-rathbunvm/Dirty";
const SERVER2022_CLEAN: &str = "museum-srum-server2022-aptsimulator/snapshot1/SRU";

struct Run {
    code: i32,
    json: Value,
}

fn run(args: &[&std::ffi::OsStr]) -> Run {
    let out = esecheck().args(args).run();
    Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
    }
}

fn verify(dir: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec!["verify".as_ref(), "--json".as_ref(), "--no-progress".as_ref()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    args.push(dir.as_os_str());
    run(&args)
}

fn command(cmd: &str, file: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec![cmd.as_ref(), "--json".as_ref()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    args.push(file.as_os_str());
    run(&args)
}

/// The error problems of a report: (code, file name, generation).
fn errors(j: &Value) -> Vec<(i64, String, Option<i64>)> {
    j["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["severity"] == "error")
        .map(|p| {
            (
                p["code"].as_i64().unwrap_or(0),
                file_name(p["file"].as_str().unwrap()),
                p["generation"].as_i64(),
            )
        })
        .collect()
}

fn file_name(p: &str) -> String {
    p.rsplit(['/', '\\']).next().unwrap().to_string()
}

fn message_of(j: &Value, code: i64) -> String {
    j["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .map(|p| p["message"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Rewrites both header copies of a real 4 KiB-page database through `f` and reseals them.
fn edit_db(path: &Path, f: impl Fn(&mut [u8])) {
    let mut b = std::fs::read(path).unwrap();
    f(&mut b[..4096]);
    reseal_db_headers(&mut b, 4096);
    std::fs::write(path, b).unwrap();
}

/// Rewrites a real log's header through `f` and reseals it.
fn edit_log(path: &Path, f: impl Fn(&mut [u8])) {
    let mut b = std::fs::read(path).unwrap();
    f(&mut b[..4096]);
    seal_log_header(&mut b[..4096]);
    std::fs::write(path, b).unwrap();
}

/// Sets the generation of `le_lgposCheckpoint` (@12: ib, isec, then lGeneration at @16) in both
/// copies of a real checkpoint and reseals them.
fn set_checkpoint_generation(path: &Path, g: i32) {
    let mut b = std::fs::read(path).unwrap();
    for copy in [0usize, 4096] {
        b[copy + 16..copy + 20].copy_from_slice(&g.to_le_bytes());
    }
    seal_checkpoint(&mut b);
    std::fs::write(path, b).unwrap();
}

fn put_u32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

// ---- Rule 1: the database's state ------------------------------------------------------------

#[test]
fn a_database_in_a_state_the_engine_refuses_fails_the_set_with_the_engines_code() {
    // db.cxx ErrDBReadHeaderCheckConsistency; the table of CLI.md Decision 22, the state.
    for (state, code) in [
        (1u32, -550),
        (4, -563),
        (5, -550),
        (6, -1226),
        (8, -1935),
        (0, -1206),
        (9, -1206),
    ] {
        let d = copy_set(BELKA_DIRTY);
        edit_db(&d.path().join("SRUDB.dat"), |h| put_u32(h, 52, state));
        let r = verify(d.path(), &[]);
        assert_eq!(r.code, 1, "state {state}: {:#}", r.json);
        assert_eq!(
            errors(&r.json),
            vec![(code, "SRUDB.dat".to_string(), None)],
            "state {state}"
        );
        assert_eq!(r.json["databases"][0]["needs_logs"], false, "state {state}");
        assert!(r.json["truncate_below"].is_null());
    }
    let d = copy_set(BELKA_DIRTY);
    edit_db(&d.path().join("SRUDB.dat"), |h| put_u32(h, 52, 6));
    let r = verify(d.path(), &[]);
    assert_eq!(
        message_of(&r.json, -1226),
        "state Incremental Reseed In Progress: an incremental reseed was in progress: the copy is not a usable database (the engine attaches only a Clean Shutdown database and recovers only Dirty Shutdown or Dirty and Patched Shutdown)"
    );
}

#[test]
fn a_header_that_is_not_a_databases_attributes_fails_the_set_1206() {
    // Same function: le_attrib must be attribDb (0), le_filetype 0, 1 or 5.
    for (offset, value, field) in [(12usize, 1u32, "le_attrib = 1"), (667, 2, "le_filetype = 2")] {
        let d = copy_set(BELKA_DIRTY);
        edit_db(&d.path().join("SRUDB.dat"), |h| put_u32(h, offset, value));
        let r = verify(d.path(), &[]);
        assert_eq!(r.code, 1, "{field}: {:#}", r.json);
        assert_eq!(errors(&r.json), vec![(-1206, "SRUDB.dat".to_string(), None)], "{field}");
        assert!(message_of(&r.json, -1206).contains(field), "{field}");
    }
}

#[test]
fn checksum_and_header_warn_on_a_refused_state_and_cannot_check_an_unknown_one() {
    // eseutil /K and /MH check and dump any state: a refused one is a warning with its code.
    let d = copy_set(BELKA_DIRTY);
    let db = d.path().join("SRUDB.dat");
    edit_db(&db, |h| put_u32(h, 52, 8));
    for cmd in ["checksum", "header"] {
        let r = command(cmd, &db, &[]);
        assert_eq!(r.code, 0, "{cmd}: {:#}", r.json);
        assert_eq!(json_codes(&r.json, "warning"), vec![-1935], "{cmd}");
        assert_eq!(command(cmd, &db, &["--strict"]).code, 1, "{cmd} --strict");
    }
    // A state or file type ESE never writes stays could-not-check alone (CLI.md Decision 2), in
    // `header` as in `checksum`, naming the field.
    edit_db(&db, |h| put_u32(h, 52, 9));
    for cmd in ["checksum", "header"] {
        let r = command(cmd, &db, &[]);
        assert_eq!(r.code, 2, "{cmd}: {:#}", r.json);
        assert!(r.json.to_string().contains("le_dbstate = 9"), "{cmd}: {:#}", r.json);
    }
    edit_db(&db, |h| {
        put_u32(h, 52, 8);
        put_u32(h, 667, 3);
    });
    for cmd in ["checksum", "header"] {
        let r = command(cmd, &db, &[]);
        assert_eq!(r.code, 2, "{cmd}: {:#}", r.json);
        assert!(r.json.to_string().contains("le_filetype = 3"), "{cmd}: {:#}", r.json);
    }
}

// ---- Rule 2: temporary means temporary -------------------------------------------------------

#[test]
fn a_dirty_logged_database_with_the_temporary_file_type_is_a_database_of_the_set() {
    // File type 5 but DirtyShutdown, a log signature and Log Required 81: the engine recovers
    // it (5 is a type it attaches), so it is checked; it passed unseen before, as "ignored".
    let d = copy_set(BELKA_DIRTY);
    edit_db(&d.path().join("SRUDB.dat"), |h| put_u32(h, 667, 5));
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 0, "{:#}", r.json);
    assert_eq!(file_name(r.json["databases"][0]["path"].as_str().unwrap()), "SRUDB.dat");
    assert_eq!(r.json["required_range"], serde_json::json!([81, 81]));
    assert!(
        !r.json["ignored"].to_string().contains("SRUDB.dat"),
        "{:#}",
        r.json["ignored"]
    );
    // Alone, without the logs it needs: −543, never "no database found".
    let alone = tempfile::tempdir().unwrap();
    std::fs::copy(d.path().join("SRUDB.dat"), alone.path().join("SRUDB.dat")).unwrap();
    let r = verify(alone.path(), &[]);
    assert_eq!(r.code, 1, "{:#}", r.json);
    assert_eq!(json_codes(&r.json, "error"), vec![-543]);
}

#[test]
fn the_real_temporary_database_stays_temporary_and_one_with_a_committed_log_does_not() {
    // temp.edb of the NTDS set: file type 1, JustCreated, zero log signature, Log Required 0-0,
    // Log Committed 0 (corpus MANIFEST; `xxd -s 52 -l 4`, `-s 296 -l 8`, `-s 416 -l 4`).
    let d = copy_set("museum-ntds-server2012r2-stolenszechuan-partial");
    let temp = d.path().join("temp.edb");
    let r = command("checksum", &temp, &[]);
    assert_eq!(r.json["files"][0]["temporary"], true, "{:#}", r.json);
    assert!(
        json_codes(&r.json, "warning").is_empty(),
        "no state warning for a temporary database"
    );
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 2, "{:#}", r.json);
    assert!(r.json["error"].as_str().unwrap().ends_with("no database found"));
    // Log Committed 3: something in it belongs to a logged database; JustCreated is refused.
    let mut b = std::fs::read(&temp).unwrap();
    b[416..420].copy_from_slice(&3i32.to_le_bytes());
    reseal_db_headers(&mut b, 8192);
    std::fs::write(&temp, b).unwrap();
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 1, "{:#}", r.json);
    assert!(
        errors(&r.json).contains(&(-550, "temp.edb".to_string(), None)),
        "{:#}",
        r.json["problems"]
    );
}

// ---- Rule 3: the required log is the one the database was written with -----------------------

#[test]
fn another_incarnation_of_the_required_generation_is_543_new_format() {
    // Win11's database (0x620.200.440) records logtimeGenMaxRequired (@672) = SRU.log's tmCreate.
    // SRU.log re-created at another time (generation and signature unchanged): a diverged stream.
    let d = copy_set(WIN11_DIRTY);
    let other = logtime(2022, 3, 2, 10, 11, 12);
    edit_log(&d.path().join("SRU.log"), |h| h[16..24].copy_from_slice(&other.raw));
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 1, "{:#}", r.json);
    assert_eq!(errors(&r.json), vec![(-543, "SRU.log".to_string(), Some(92))]);
    let m = message_of(&r.json, -543);
    // Both times, as /MH and /ML print them (SRU.log's real tmCreate, bytes 2a0a0203077a:
    // 07/03/2022 02:10:42).
    assert!(
        m.contains("03/02/2022 10:11:12") && m.contains("07/03/2022 02:10:42"),
        "{m}"
    );
    assert!(m.contains("SRUDB.dat"), "{m}");
}

#[test]
fn another_incarnation_of_the_required_generation_is_543_old_format() {
    // Belkasoft's database (0x620.20.0) has no @672: Log Required 81 = Log Committed 81, so its
    // logtimeGenMaxCreate is the time of 81. Generation 81 and its successor re-created
    // consistently at another time (81's tmCreate and 82's tmPrevGen): only this rule sees it.
    let d = copy_set(BELKA_DIRTY);
    let other = logtime(2021, 2, 14, 9, 9, 9);
    edit_log(&d.path().join("SRU00051.log"), |h| {
        h[16..24].copy_from_slice(&other.raw)
    });
    edit_log(&d.path().join("SRU.log"), |h| h[24..32].copy_from_slice(&other.raw));
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 1, "{:#}", r.json);
    assert_eq!(errors(&r.json), vec![(-543, "SRU00051.log".to_string(), Some(81))]);
}

// ---- Rule 4: recovery starts at the checkpoint -------------------------------------------------

#[test]
fn a_checkpoint_ahead_of_the_dirty_databases_first_required_log_is_543() {
    // logredo.cxx ErrLGRICheckAttachNow: checkpoint 82 above lGenMinRequired 81.
    let d = copy_set(BELKA_DIRTY);
    set_checkpoint_generation(&d.path().join("SRU.chk"), 82);
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 1, "{:#}", r.json);
    assert_eq!(errors(&r.json), vec![(-543, "SRUDB.dat".to_string(), None)]);
    let m = message_of(&r.json, -543);
    assert!(
        m.contains("generation 82") && m.contains("generation 81") && m.contains("SRU.chk"),
        "{m}"
    );
    // DirtyAndPatchedShutdown is exempt, as in the engine: the same set passes.
    edit_db(&d.path().join("SRUDB.dat"), |h| put_u32(h, 52, 7));
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 0, "{:#}", r.json);
}

#[test]
fn a_checkpoint_log_absent_from_the_stream_is_528_when_a_database_needs_logs() {
    // Beyond the newest (83 > 82): −528 at 83, and ahead of 81: −543 too.
    let d = copy_set(BELKA_DIRTY);
    set_checkpoint_generation(&d.path().join("SRU.chk"), 83);
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 1, "{:#}", r.json);
    let e = errors(&r.json);
    assert!(e.contains(&(-528, "SRU.chk".to_string(), Some(83))), "{e:?}");
    assert!(e.contains(&(-543, "SRUDB.dat".to_string(), None)), "{e:?}");
    assert_eq!(e.len(), 2, "{e:?}");
    // Below the oldest (77 < 78): −528 only (77 is not ahead of 81).
    set_checkpoint_generation(&d.path().join("SRU.chk"), 77);
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 1, "{:#}", r.json);
    assert_eq!(errors(&r.json), vec![(-528, "SRU.chk".to_string(), Some(77))]);
}

#[test]
fn with_every_database_clean_a_checkpoint_log_absent_is_still_a_warning() {
    // CLI.md Decision 16 where nothing needs recovery: −509, a warning; --strict fails.
    let d = copy_set(SERVER2022_CLEAN);
    set_checkpoint_generation(&d.path().join("SRU.chk"), 5);
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 0, "{:#}", r.json);
    assert_eq!(json_codes(&r.json, "warning"), vec![-509]);
    assert_eq!(verify(d.path(), &["--strict"]).code, 1);
}

// ---- Rule 6: a member is a member, even wiped --------------------------------------------------

#[test]
fn a_database_the_logs_name_is_a_damaged_member_when_wiped_empty_short_or_headerless() {
    type Wipe = fn(&Path);
    let wipes: [(&str, Wipe); 4] = [
        ("all zeros", |p| std::fs::write(p, vec![0u8; 3_211_264]).unwrap()),
        ("empty", |p| std::fs::write(p, b"").unwrap()),
        ("1000 bytes", |p| {
            let b = std::fs::read(p).unwrap();
            std::fs::write(p, &b[..1000]).unwrap()
        }),
        ("both header copies destroyed", |p| {
            let mut b = std::fs::read(p).unwrap();
            for (i, x) in b[..8192].iter_mut().enumerate() {
                *x = (i * 7 + 3) as u8;
            }
            std::fs::write(p, b).unwrap()
        }),
    ];
    for (what, wipe) in wipes {
        let d = copy_set(BELKA_DIRTY);
        wipe(&d.path().join("SRUDB.dat"));
        let r = verify(d.path(), &[]);
        assert_eq!(r.code, 1, "{what}: {:#}", r.json);
        assert_eq!(errors(&r.json), vec![(-1206, "SRUDB.dat".to_string(), None)], "{what}");
        assert!(
            message_of(&r.json, -1206).contains("C:\\Windows\\system32\\SRU\\SRUDB.dat"),
            "{what}: {}",
            message_of(&r.json, -1206)
        );
    }
}

#[test]
fn the_attached_name_matches_in_any_directory_of_the_set_and_any_case() {
    // The database apart from its logs (--logs), its name in another case.
    let d = copy_set(BELKA_DIRTY);
    let db_dir = tempfile::tempdir().unwrap();
    std::fs::remove_file(d.path().join("SRUDB.dat")).unwrap();
    std::fs::write(db_dir.path().join("srudb.DAT"), vec![0u8; 65536]).unwrap();
    let logs = d.path().to_str().unwrap();
    let r = verify(db_dir.path(), &["--logs", logs]);
    assert_eq!(r.code, 1, "{:#}", r.json);
    assert_eq!(errors(&r.json), vec![(-1206, "srudb.DAT".to_string(), None)]);
}

#[test]
fn a_wiped_database_named_alone_is_found_by_the_logs_beside_it() {
    // CLI.md Decision 20: the logs of a database named alone are looked for beside it; a file
    // that is nothing by its bytes is looked beside too, and the stream there names it.
    let d = copy_set(BELKA_DIRTY);
    let db = d.path().join("SRUDB.dat");
    std::fs::write(&db, vec![0u8; 3_211_264]).unwrap();
    let r = run(&[
        "verify".as_ref(),
        "--json".as_ref(),
        "--no-progress".as_ref(),
        db.as_os_str(),
    ]);
    assert_eq!(r.code, 1, "{:#}", r.json);
    assert_eq!(errors(&r.json), vec![(-1206, "SRUDB.dat".to_string(), None)]);
    assert!(r.json["logs_looked_for_in"].is_string());
    // A file no attach list names stays what it was: named, but no part of the set (exit 2).
    let notes = d.path().join("notes.dat");
    std::fs::write(&notes, b"backup agent notes").unwrap();
    let r = run(&[
        "verify".as_ref(),
        "--json".as_ref(),
        "--no-progress".as_ref(),
        notes.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{:#}", r.json);
    assert!(
        r.json["error"].as_str().unwrap().contains("not part of the set"),
        "{:#}",
        r.json
    );
}

// ---- Rule 9: the checkpoint follows the log naming ---------------------------------------------

#[test]
fn a_jcp_beside_a_log_stream_is_never_its_checkpoint() {
    // log.cxx: .log streams use .chk. A stale SRU.jcp at generation 90 would fail the set
    // (ahead of 81, absent from the stream) if it were taken.
    let d = copy_set(BELKA_DIRTY);
    let jcp = d.path().join("SRU.jcp");
    std::fs::copy(d.path().join("SRU.chk"), &jcp).unwrap();
    set_checkpoint_generation(&jcp, 90);
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 0, "{:#}", r.json);
    assert_eq!(file_name(r.json["checkpoint"]["path"].as_str().unwrap()), "SRU.chk");
    let ignored: Vec<(String, String)> = r.json["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                file_name(i["path"].as_str().unwrap()),
                i["why"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        ignored.contains(&(
            "SRU.jcp".to_string(),
            "checkpoint of the other naming (not used)".to_string()
        )),
        "{ignored:?}"
    );
    // The .chk gone, the .jcp is still not the stream's: no checkpoint (Decision 16's warning).
    std::fs::remove_file(d.path().join("SRU.chk")).unwrap();
    let r = verify(d.path(), &[]);
    assert_eq!(r.code, 0, "{:#}", r.json);
    assert!(r.json["checkpoint"].is_null());
    assert!(
        r.json["problems"]
            .to_string()
            .contains("no checkpoint file (SRU.chk) found"),
        "{:#}",
        r.json["problems"]
    );
}

// ---- Issue 22 rule 1: an incomplete copy fails -------------------------------------------------

/// A real database cut at a MiB boundary inside the space it owns is an incomplete copy: −1206
/// "database file is too small" (repair.cxx:1568's words), exit 1 in `checksum` and `verify`,
/// without `--strict`, in a dirty database as in a clean one (ESE extends the file before it
/// records the extent, space.cxx:12024). belkasoft Dirty is 784 pages of 4 KiB (3,211,264 bytes:
/// the two header pages and pages 1-782) and its owned-space tree ends at page 766
/// (LOGICAL-INTEGRITY.md §6.1: 782 file pages, 766 owned). Cut at 1 MiB = 254 data pages, at
/// 2 MiB = 510; cut to 3 pages (12,288 bytes, the "3 of 784") only page 1 is left and the
/// tree's root, page 2, is gone. At 3 MiB (768 pages = 766 data pages) the file ends exactly where
/// the owned space does: nothing is missing, so nothing is said.
#[test]
fn a_real_database_cut_inside_its_owned_space_fails_1206_in_checksum_and_verify() {
    use esecheck::testkit::damage::truncate_file;
    for (len, says) in [
        (
            1u64 << 20,
            "database file is too small (expected 766 pages, file is 254 pages): the database owns pages 1-766 (owned-space tree, page 2) but the file ends after page 254; pages 255-766 are missing",
        ),
        (
            2 << 20,
            "database file is too small (expected 766 pages, file is 510 pages): the database owns pages 1-766 (owned-space tree, page 2) but the file ends after page 510; pages 511-766 are missing",
        ),
        (
            3 * 4096,
            "database file is too small: page 2 of the owned-space tree lies beyond the end of the file, which ends after page 1",
        ),
    ] {
        let d = copy_set(BELKA_DIRTY);
        let db = d.path().join("SRUDB.dat");
        truncate_file(&db, len).unwrap();
        for strict in [&[][..], &["--strict"][..]] {
            let r = command("checksum", &db, strict);
            assert_eq!(r.code, 1, "{len} {strict:?}: {:#}", r.json);
            assert_eq!(
                errors(&r.json),
                vec![(-1206, "SRUDB.dat".to_string(), None)],
                "{len} {strict:?}"
            );
            let m = message_of(&r.json, -1206);
            assert!(m.starts_with(says), "{len}: {m}");
        }
        let r = verify(d.path(), &[]);
        assert_eq!(r.code, 1, "{len}: {:#}", r.json);
        assert_eq!(errors(&r.json), vec![(-1206, "SRUDB.dat".to_string(), None)], "{len}");
        assert!(message_of(&r.json, -1206).starts_with(says), "{len}");
    }
    let d = copy_set(BELKA_DIRTY);
    let db = d.path().join("SRUDB.dat");
    truncate_file(&db, 3 << 20).unwrap();
    let r = command("checksum", &db, &["--strict"]);
    assert_eq!((r.code, errors(&r.json)), (0, vec![]), "{:#}", r.json);
    assert_eq!(r.json["files"][0]["owned_pages"], 766);
}

/// CLI.md "Text output": a database that fails on no page counter (here a copy cut inside its
/// owned space) says why on its `checksum -q` line, never only "0 bad checksums". The first MiB
/// holds 256 pages (the two header copies and pages 1-254), 27 of them all zero (counted from
/// the file's bytes with a script).
#[test]
fn a_cut_copys_quiet_checksum_line_says_why_it_failed() {
    use esecheck::testkit::damage::truncate_file;
    let d = copy_set(BELKA_DIRTY);
    let db = d.path().join("SRUDB.dat");
    truncate_file(&db, 1 << 20).unwrap();
    let out = crate::util::esecheck()
        .args(["checksum", "--no-progress", "-q"])
        .arg(&db)
        .run();
    assert_eq!(out.status.code(), Some(1));
    let line = String::from_utf8(out.stdout).unwrap();
    let head = format!(
        "FAIL: {}: database file is too small (expected 766 pages, file is 254 pages): the database owns pages 1-766 (owned-space tree, page 2) but the file ends after page 254; pages 255-766 are missing (an incomplete copy?); the missing pages hold data of ",
        db.display()
    );
    // Between them: the tables whose trees reach past page 254 (issue 22, LOGICAL-INTEGRITY §6.3).
    let tail = "; 256 pages seen, 0 bad checksums, 0 correctable, 27 uninitialized, 0 wrong page numbers\n";
    assert!(line.starts_with(&head) && line.ends_with(tail), "{line}");
}
