//! CLI contract of two rules (CLI.md Decisions 8 and 2):
//!
//! * Rule 6, flush maps: `header FILE.jfm` dumps FMFILEHDR; damaged flush-map pages are counted
//!   as bad or correctable, each a warning (exit 0, `--strict` exit 1), and the verdict line says
//!   "PASS with warnings", never "no bad checksums".
//! * Rule 7, header values outside the allowed sets: a log's `le_cbPageSize`, a checkpoint's
//!   generation are exit 2; a log cut short stays damage (−541, exit 1); checkpoint copies that
//!   verify but differ warn.
//!
//! Damaged files are copies of the real files in `testdata/` (damaged in a tempdir) or built by
//! the fixture writer. Expected header values were read by hand with `xxd` from the real files.

use crate::util::Run;
use crate::util::{copy_set, esecheck_no_progress, td, BELKA_DIRTY};
use esecheck::testkit::damage::{flip_bit, flip_page_bit};
use esecheck::testkit::flushmap::FM_PAGE;
use esecheck::testkit::{seal_checkpoint, seal_log_header, DbBuilder, FlushMapBuilder};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// A writable copy of a real file in `dir`, damaged by `f`.
fn damaged_copy(dir: &Path, rel: &str, f: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(td(rel)).unwrap();
    f(&mut bytes);
    let out = dir.join(Path::new(rel).file_name().unwrap());
    std::fs::write(&out, bytes).unwrap();
    out
}

fn json(args: &[&str], path: &Path) -> (i32, serde_json::Value) {
    let out = esecheck_no_progress().args(args).arg("--json").arg(path).run();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {:?}", out));
    (out.status.code().unwrap(), v)
}

// ---- Rule 6: flush maps ---------------------------------------------------------------------

#[test]
fn header_of_a_real_dirty_flush_map_dumps_fmfilehdr() {
    // xxd of Belkasoft Dirty SRUDB.jfm: 03 00 00 00 @4 (version 3.0.0), fFlags @36 = 0,
    // lGenMinRequired @64 = 0x51 (81, the dirty database's Log Required), 07 @667.
    let f = td(&format!("{BELKA_DIRTY}/SRUDB.jfm"));
    esecheck_no_progress()
        .arg("header")
        .arg(&f)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Version: 3.0.0"))
        .stdout(predicate::str::contains("Flags: 0x00000000 (clean: no"))
        .stdout(predicate::str::contains("Log Required Min.: 81 (0x51)"))
        .stdout(predicate::str::contains("File Type: 7"))
        .stdout(predicate::str::contains("Flush Map Creation: 08/01/2020 21:48:10"))
        .stdout(predicate::str::contains("flush map header valid"));
    let (code, v) = json(&["header"], &f);
    assert_eq!(code, 0);
    assert_eq!(v["type"], "flushmap");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["header_ok"], true);
    assert_eq!(v["stored_checksum"], 0x8508_9F32u32);
    let h = &v["header"];
    assert_eq!(h["le_ulFmVersionMajor"], 3);
    assert_eq!(h["fFlags"], 0);
    assert_eq!(h["lGenMinRequired"], 81);
    assert_eq!(h["lGenMinRequiredTarget"], 0);
    assert_eq!(h["filetype"], 7);
}

#[test]
fn header_of_a_real_clean_flush_map_shows_fclean() {
    // xxd of Belkasoft Clean SRUDB.jfm: fFlags @36 = 01 00 00 00, lGenMinRequired @64 = 0.
    let (code, v) = json(&["header"], &td("museum-srum-win10-belkasoftctf/Clean/SRUDB.jfm"));
    assert_eq!(code, 0);
    assert_eq!(
        (v["header"]["fFlags"].as_u64(), v["header"]["lGenMinRequired"].as_i64()),
        (Some(1), Some(0))
    );
}

#[test]
fn flush_map_header_checksum_bad_is_exit_1_in_header() {
    let d = tempfile::tempdir().unwrap();
    let f = damaged_copy(d.path(), &format!("{BELKA_DIRTY}/SRUDB.jfm"), |b| b[300] ^= 0x10);
    esecheck_no_progress()
        .arg("header")
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Log Required Min.: 81 (0x51)"))
        .stdout(predicate::str::contains("FAIL:"))
        .stdout(predicate::str::contains("checksum mismatch (stored 0x85089F32"));
    let (code, v) = json(&["header"], &f);
    assert_eq!((code, v["header_ok"].as_bool()), (1, Some(false)));
    assert_eq!(v["problems"][0]["severity"], "error");
    // `checksum` follows Decision 8: the same damage is a warning there.
    esecheck_no_progress()
        .arg("checksum")
        .arg(&f)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS with warnings:"))
        .stdout(predicate::str::contains("1 bad checksum (page -1)"));
}

#[test]
fn flush_map_single_bit_error_is_counted_correctable() {
    let d = tempfile::tempdir().unwrap();
    // Byte 808 of the data page (file page 1 = fmpgno 0), bit 0: page bit 6464.
    let f = damaged_copy(d.path(), &format!("{BELKA_DIRTY}/SRUDB.jfm"), |b| {
        flip_bit(&mut b[FM_PAGE..], 808 * 8)
    });
    let out = esecheck_no_progress().arg("checksum").arg(&f).run();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("1 correctable checksums"), "{text}");
    assert!(text.contains("bit 6464) can be corrected"), "{text}");
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("PASS with warnings: "), "{last}");
    assert!(
        last.contains("SRUDB.jfm: flush map with 0 bad checksums and 1 correctable checksum (page 0)"),
        "{last}"
    );
    assert!(!text.contains("no bad checksums"), "{text}");

    let (code, v) = json(&["checksum"], &f);
    assert_eq!(code, 0);
    let j = &v["files"][0];
    assert_eq!(j["type"], "flushmap");
    assert_eq!(j["correctable_checksums"], 1);
    assert_eq!(j["bad_checksums"], 0);
    assert_eq!(j["correctable_pages"], serde_json::json!([0]));
    assert_eq!(j["bad_pages"], serde_json::json!([]));
    assert_eq!(j["problems"][0]["severity"], "warning");
    assert_eq!(j["problems"][0]["page"], 0);
    assert_eq!(
        j["problems"][0]["offset"], FM_PAGE,
        "the page's offset, as for database pages"
    );

    esecheck_no_progress()
        .args(["checksum", "--strict"])
        .arg(&f)
        .assert()
        .code(1);
}

#[test]
fn flush_map_bad_pages_are_warnings_unless_strict() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("E00DB.jfm");
    let mut b = FlushMapBuilder::new().data_pages(3).build();
    b[3 * FM_PAGE + 1000] ^= 0xFF; // fmpgno 2: eight bits, not correctable
    b[FM_PAGE + 2000] ^= 0x03; // fmpgno 0: two bits
    std::fs::write(&f, &b).unwrap();
    let out = esecheck_no_progress().arg("checksum").arg(&f).run();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("2 bad checksums"), "{text}");
    assert!(text.contains("flush map with 2 bad checksums (pages 0, 2)"), "{text}");
    assert!(!text.contains("no bad checksums"), "{text}");
    let (_, v) = json(&["checksum"], &f);
    assert_eq!(v["files"][0]["bad_pages"], serde_json::json!([0, 2]));
    let out = esecheck_no_progress().args(["checksum", "--strict"]).arg(&f).run();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().last().unwrap().starts_with("FAIL: "), "{text}");
    assert!(text.contains("2 bad checksums (pages 0, 2)"), "{text}");
}

#[test]
fn verify_counts_a_damaged_flush_map_as_a_warning() {
    let d = copy_set(BELKA_DIRTY);
    let jfm = d.path().join("SRUDB.jfm");
    let mut b = std::fs::read(&jfm).unwrap();
    flip_bit(&mut b[FM_PAGE..], 808 * 8);
    std::fs::write(&jfm, b).unwrap();
    let out = esecheck_no_progress().arg("verify").arg("--json").arg(d.path()).run();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["file"].as_str().unwrap().ends_with("SRUDB.jfm"))
        .expect("the flush map's problem is listed");
    assert_eq!(p["severity"], "warning");
    assert!(p["message"].as_str().unwrap().contains("can be corrected"));
    esecheck_no_progress()
        .args(["verify", "--strict"])
        .arg(d.path())
        .assert()
        .code(1);
}

#[test]
fn checksum_database_with_a_correctable_page_says_pass_with_warnings() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("x.edb");
    let mut b = DbBuilder::new(4096).pages(40).build();
    flip_page_bit(&mut b, 4096, 5, 8 * 1000 + 3);
    std::fs::write(&f, b).unwrap();
    let out = esecheck_no_progress().arg("checksum").arg(&f).run();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("PASS with warnings: 1 file verified; "), "{last}");
    assert!(last.contains("x.edb: 1 correctable checksum (page 5)"), "{last}");
    // A clean file keeps the old wording.
    esecheck_no_progress()
        .arg("checksum")
        .arg(td("stroz-eseparser-generated/test.edb"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS: 1 file verified, no bad checksums."));
}

// ---- Rule 7: header values outside the allowed sets ------------------------------------------

/// Sets `le_cbPageSize` @14 of a log copy and reseals its header.
fn log_with_page_size(dir: &Path, v: u16) -> PathBuf {
    damaged_copy(dir, &format!("{BELKA_DIRTY}/SRU00051.log"), |b| {
        b[14..16].copy_from_slice(&v.to_le_bytes());
        seal_log_header(b);
    })
}

#[test]
fn log_page_size_65535_is_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let f = log_with_page_size(d.path(), 65535);
    let why = format!(
        "{}: le_cbPageSize is 65535, not a page size ESE uses (0 meaning 4096, 2048, 4096, 8192, 16384, 32768)",
        f.display()
    );
    crate::util::assert_exit_2_line(
        esecheck_no_progress().arg("checksum").arg(&f),
        &format!("ERROR: could not check {why}."),
    );
    crate::util::assert_exit_2_line(
        esecheck_no_progress().arg("header").arg(&f),
        &format!("ERROR: could not check the header: {why}."),
    );
    esecheck_no_progress()
        .arg("logs")
        .arg(d.path())
        .assert()
        .code(2)
        .stderr("");
    // In a whole stream too: the other logs are fine, this one cannot be checked.
    let s = tempfile::tempdir().unwrap();
    for g in ["SRU0004E.log", "SRU0004F.log", "SRU00050.log", "SRU.log"] {
        std::fs::copy(td(&format!("{BELKA_DIRTY}/{g}")), s.path().join(g)).unwrap();
    }
    std::fs::copy(&f, s.path().join("SRU00051.log")).unwrap();
    let named = format!(
        "{}: le_cbPageSize is 65535, not a page size ESE uses (0 meaning 4096, 2048, 4096, 8192, 16384, 32768)",
        s.path().join("SRU00051.log").display()
    );
    esecheck_no_progress()
        .arg("logs")
        .arg(s.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains(named))
        .stderr("");
}

#[test]
fn log_page_size_0_and_the_real_4096_are_checked() {
    // MANIFEST: "Log cbPageSize field is 4096 everywhere here"; 0 means 4096 (§6.2).
    let d = tempfile::tempdir().unwrap();
    esecheck_no_progress()
        .arg("checksum")
        .arg(log_with_page_size(d.path(), 0))
        .assert()
        .code(0);
    esecheck_no_progress()
        .arg("checksum")
        .arg(td(&format!("{BELKA_DIRTY}/SRU00051.log")))
        .assert()
        .code(0);
}

#[test]
fn log_shorter_or_longer_than_its_header_declares_is_541_exit_1() {
    let d = tempfile::tempdir().unwrap();
    for (name, len) in [("short", 65536 - 4096), ("long", 65536 + 4096)] {
        let f = damaged_copy(d.path(), &format!("{BELKA_DIRTY}/SRU00051.log"), |b| b.resize(len, 0));
        let renamed = d.path().join(format!("{name}.log"));
        std::fs::rename(&f, &renamed).unwrap();
        let (code, v) = json(&["checksum"], &renamed);
        assert_eq!(code, 1, "{name}");
        assert_eq!(v["files"][0]["problems"][0]["code"], -541, "{name}");
    }
}

/// Sets the generation of `le_lgposCheckpoint` (@16) of both copies of a real checkpoint.
fn checkpoint_with_generation(dir: &Path, primary: u32, shadow: u32) -> PathBuf {
    damaged_copy(dir, &format!("{BELKA_DIRTY}/SRU.chk"), |b| {
        b[16..20].copy_from_slice(&primary.to_le_bytes());
        b[4096 + 16..4096 + 20].copy_from_slice(&shadow.to_le_bytes());
        seal_checkpoint(b);
    })
}

#[test]
fn checkpoint_generation_0x7fffffff_is_exit_2() {
    let d = tempfile::tempdir().unwrap();
    for (g, shown) in [
        (0x7FFF_FFFFu32, "2147483647 (0x7FFFFFFF)"),
        (0xFFFF_FFFF, "-1 (0xFFFFFFFF)"),
        (0, "0 (0x0)"),
    ] {
        let f = checkpoint_with_generation(d.path(), g, g);
        let why = format!(
            "{}: le_lgposCheckpoint generation is {shown} in the primary copy, outside 1..=0x7FFFFA00",
            f.display()
        );
        crate::util::assert_exit_2_line(
            esecheck_no_progress().arg("checksum").arg(&f),
            &format!("ERROR: could not check {why}."),
        );
        crate::util::assert_exit_2_line(
            esecheck_no_progress().arg("header").arg(&f),
            &format!("ERROR: could not check the header: {why}."),
        );
    }
    // The highest generation ESE uses is still a checkpoint.
    let f = checkpoint_with_generation(d.path(), 0x7FFF_FA00, 0x7FFF_FA00);
    esecheck_no_progress().arg("checksum").arg(&f).assert().code(0);
}

#[test]
fn checkpoint_copies_that_differ_warn() {
    // The real SRU.chk has identical copies at generation 0x51 = 81 (xxd @16 and @4112); give the
    // shadow 80 and reseal both.
    let d = tempfile::tempdir().unwrap();
    let f = checkpoint_with_generation(d.path(), 81, 80);
    let (code, v) = json(&["checksum"], &f);
    assert_eq!(code, 0);
    let c = &v["files"][0];
    assert_eq!(
        (c["primary_ok"].as_bool(), c["shadow_ok"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(c["generation"], 81);
    assert_eq!(c["shadow_generation"], 80);
    assert_eq!(c["problems"][0]["severity"], "warning");
    assert!(c["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("shadow checkpoint copy differs from the primary"));
    esecheck_no_progress()
        .arg("checksum")
        .arg(&f)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS with warnings: 1 file verified; "))
        .stdout(predicate::str::contains("SRU.chk: 1 warning"));
    esecheck_no_progress()
        .arg("header")
        .arg(&f)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS with warnings: "))
        .stdout(predicate::str::contains("treated as stale"));
    esecheck_no_progress()
        .args(["checksum", "--strict"])
        .arg(&f)
        .assert()
        .code(1);
    // The unmodified real checkpoint: both copies identical, no warning, shadow_generation 81.
    let (code, v) = json(&["checksum"], &td(&format!("{BELKA_DIRTY}/SRU.chk")));
    assert_eq!(code, 0);
    assert_eq!(v["files"][0]["shadow_generation"], 81);
    assert_eq!(v["files"][0]["problems"], serde_json::json!([]));
}

/// `header -q --strict` names the warning that failed it, for every kind of header (issue 21
/// item 7; as `verify --strict -q` does): a database's bad shadow copy, two checkpoint copies
/// that differ.
#[test]
fn header_quiet_strict_names_the_warning_that_failed_it() {
    let d = tempfile::tempdir().unwrap();
    let db = damaged_copy(d.path(), &format!("{BELKA_DIRTY}/SRUDB.dat"), |b| b[4096 + 100] ^= 0xFF);
    let line = |args: &[&str], f: &Path, code: i32| {
        let out = esecheck_no_progress().args(args).arg(f).run();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "");
        String::from_utf8(out.stdout).unwrap()
    };
    let shown = db.display();
    assert_eq!(
        line(&["header", "-q"], &db, 0),
        format!("PASS: {shown}: header usable (1 warning(s)).\n")
    );
    assert_eq!(
        line(&["header", "-q", "--strict"], &db, 1),
        format!("FAIL: {shown}: with --strict, a warning: shadow header is not valid (bad checksum)\n")
    );
    let chk = checkpoint_with_generation(d.path(), 81, 80);
    let warning = "shadow checkpoint copy differs from the primary (shadow generation 80 (0x50), primary 81 (0x51)); the primary is used and the shadow treated as stale";
    assert_eq!(
        line(&["header", "-q"], &chk, 0),
        format!(
            "PASS with warnings: {}: checkpoint primary OK, shadow OK; {warning}\n",
            chk.display()
        )
    );
    assert_eq!(
        line(&["header", "-q", "--strict"], &chk, 1),
        format!(
            "FAIL: {}: checkpoint primary OK, shadow OK; with --strict, a warning: {warning}\n",
            chk.display()
        )
    );
}
