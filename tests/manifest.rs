//! `verify --manifest` and `esecheck compare` (CLI.md "Manifest") end to end, on copies of the real SRUM
//! sets in `testdata/`: an identical copy passes; a changed byte, a zeroed page that `verify`
//! passes, a cut at a page boundary, a missing log, an extra log and a renamed file are each
//! named (exit 1); a manifest edited by hand is exit 2, never a false difference. CLI.md "Manifest", file identities:
//! the verified set itself given as the copy (the same directory, links to its files) is exit 2,
//! and a restore to the original paths is not.

use crate::util::Run;
use crate::util::{copy_dir, esecheck, os, td, text as text_of, BELKA_DIRTY};
use esecheck::report::manifest::is_the_same_file;
use esecheck::scan::file::FileId;
use esecheck::scan::Input;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A scratch directory holding `snap/` (a copy of a real set), its manifest `m.json` written by
/// `verify --manifest`, and `copy/`, a second copy to damage.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new(rel: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["snap", "copy"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
            copy_dir(&td(rel), &dir.path().join(sub));
        }
        let f = Fixture { dir };
        let (code, v) = run(&[
            "verify",
            "--json",
            "--manifest",
            f.manifest().to_str().unwrap(),
            f.snap().to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{v}");
        assert_eq!(v["manifest"], f.manifest().display().to_string());
        f
    }
    fn snap(&self) -> PathBuf {
        self.dir.path().join("snap")
    }
    fn copy(&self) -> PathBuf {
        self.dir.path().join("copy")
    }
    fn manifest(&self) -> PathBuf {
        self.dir.path().join("m.json")
    }
    fn compare(&self) -> (i32, Value) {
        run(&[
            "compare",
            "--json",
            self.manifest().to_str().unwrap(),
            self.copy().to_str().unwrap(),
        ])
    }
}

fn run(args: &[&str]) -> (i32, Value) {
    let out = esecheck().args(args).run();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v)
}

fn text(args: &[&str]) -> (i32, String) {
    let out = esecheck().args(args).run();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn messages(v: &Value) -> Vec<String> {
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}: {}",
                p["severity"].as_str().unwrap(),
                p["file"].as_str().unwrap(),
                p["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn patch(path: &Path, offset: u64, bytes: &[u8]) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.write_all(bytes).unwrap();
}

#[test]
fn the_manifest_holds_every_file_of_the_set_with_the_crcs_of_its_bytes_and_the_sets_identity() {
    let f = Fixture::new(BELKA_DIRTY);
    let m: Value = serde_json::from_slice(&std::fs::read(f.manifest()).unwrap()).unwrap();
    assert_eq!(m["format"], "esecheck-manifest");
    assert_eq!(m["schema_version"], 1);
    assert_eq!(m["verdict"], "pass");
    assert_eq!(m["set"]["truncate_below"], 81);
    assert_eq!(m["set"]["generations"], serde_json::json!([78, 82]));
    assert_eq!(m["set"]["log_base"], "SRU");
    let files = m["files"].as_array().unwrap();
    let listed: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(f.snap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk);
    for file in files {
        let bytes = std::fs::read(f.snap().join(file["path"].as_str().unwrap())).unwrap();
        assert_eq!(file["size"], bytes.len() as u64);
        assert_eq!(file["crc32"], format!("{:08x}", crc32fast::hash(&bytes)));
        let blocks: Vec<String> = bytes
            .chunks(1 << 20)
            .map(|b| format!("{:08x}", crc32fast::hash(b)))
            .collect();
        assert_eq!(file["blocks"], serde_json::json!(blocks));
        // Which file was verified (CLI.md "Manifest", file identities): as the file system names it.
        let meta = std::fs::metadata(f.snap().join(file["path"].as_str().unwrap())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            assert_eq!(
                (file["device"].as_u64(), file["inode"].as_u64()),
                (Some(meta.dev()), Some(meta.ino()))
            );
        }
        assert!(file["device"].is_u64() && file["inode"].is_u64(), "{file}");
        match meta.created() {
            Ok(t) => {
                let nanos = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
                assert_eq!(file["birth_time"].as_i64(), Some(nanos as i64), "{file}");
            }
            Err(_) => assert_eq!(file["birth_time"], Value::Null),
        }
    }
    let ty = |p: &str| files.iter().find(|f| f["path"] == p).unwrap()["type"].clone();
    assert_eq!(ty("SRUDB.dat"), "database");
    assert_eq!(ty("SRU00050.log"), "log");
    assert_eq!(ty("SRU.chk"), "checkpoint");
    assert_eq!(ty("SRUDB.jfm"), "flushmap");
    assert_eq!(ty("SRUtmp.log"), "ignored");
}

#[test]
fn an_identical_copy_passes() {
    let f = Fixture::new(BELKA_DIRTY);
    let (code, v) = f.compare();
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["command"], "compare");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["identical"], 11);
    assert_eq!(v["problems"], serde_json::json!([]));
    let (code, out) = text(&["compare", f.manifest().to_str().unwrap(), f.copy().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("PASS: the copy is identical to the verified set: 11 files"),
        "{out}"
    );
}

#[test]
fn a_manifest_inside_the_verified_directory_is_not_part_of_the_set_and_not_an_extra_in_the_copy() {
    let f = Fixture::new(BELKA_DIRTY);
    let inside = f.snap().join("set.manifest.json");
    for _ in 0..2 {
        // The second run finds the first run's manifest there: never a member, replaced.
        let (code, v) = run(&[
            "verify",
            "--json",
            "--manifest",
            inside.to_str().unwrap(),
            f.snap().to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{v}");
        assert!(v["ignored"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !i["path"].as_str().unwrap().contains("manifest")));
    }
    let m: Value = serde_json::from_slice(&std::fs::read(&inside).unwrap()).unwrap();
    assert_eq!(m["files"].as_array().unwrap().len(), 11);
    // Copied along with the set, it is not an extra file of the copy.
    std::fs::copy(&inside, f.copy().join("set.manifest.json")).unwrap();
    let (code, v) = run(&[
        "compare",
        "--json",
        f.copy().join("set.manifest.json").to_str().unwrap(),
        f.copy().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn the_manifest_is_never_written_over_an_input_or_a_file_that_is_not_a_manifest() {
    let f = Fixture::new(BELKA_DIRTY);
    let chk = f.snap().join("SRU.chk");
    let before = std::fs::read(&chk).unwrap();
    let (code, v) = run(&[
        "verify",
        "--json",
        "--manifest",
        chk.to_str().unwrap(),
        f.snap().join("SRUDB.dat").to_str().unwrap(),
        chk.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{v}");
    let (code, v) = run(&[
        "verify",
        "--json",
        "--manifest",
        chk.to_str().unwrap(),
        f.snap().to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{v}");
    assert!(v["error"].as_str().unwrap().contains("not an esecheck manifest"), "{v}");
    assert_eq!(std::fs::read(&chk).unwrap(), before);
}

#[test]
fn a_changed_byte_names_the_block_and_the_pages_it_holds() {
    let f = Fixture::new(BELKA_DIRTY);
    // Offset 3,000,000 of a 4 KiB-page database: block 2 (2-3 MiB), page 731.
    let db = f.copy().join("SRUDB.dat");
    let mut b = std::fs::read(&db).unwrap();
    b[3_000_000] ^= 0x01;
    std::fs::write(&db, &b).unwrap();
    let (code, v) = f.compare();
    assert_eq!(code, 1, "{v}");
    assert_eq!(messages(&v), vec!["error SRUDB.dat: block 2 differs: pages 511-766"]);
    let db_entry = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["path"] == "SRUDB.dat")
        .unwrap()
        .clone();
    assert_eq!(db_entry["status"], "differs");
    assert_eq!(db_entry["differing_blocks"][0]["block"], 2);
    assert_eq!(db_entry["differing_blocks"][0]["offset"], 2 << 20);
}

#[test]
fn a_zeroed_page_that_verify_passes_is_a_difference() {
    let f = Fixture::new(BELKA_DIRTY);
    let db = f.copy().join("SRUDB.dat");
    patch(&db, 4096 * 101, &[0u8; 4096]); // page 100
    let (code, _) = run(&["verify", "--json", f.copy().to_str().unwrap()]);
    assert_eq!(
        code, 0,
        "a zeroed page reads as uninitialized: no page checksum can see it"
    );
    let (code, v) = f.compare();
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        messages(&v),
        vec!["error SRUDB.dat: block 0 differs: the header copies (pages -1 and 0) and pages 1-254"]
    );
}

#[test]
fn a_copy_cut_at_a_page_boundary_is_named_with_the_pages_missing() {
    let f = Fixture::new(BELKA_DIRTY);
    let db = f.copy().join("SRUDB.dat");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .set_len(4096 * 700)
        .unwrap();
    let (code, v) = f.compare();
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        messages(&v),
        vec!["error SRUDB.dat: 2867200 bytes in the copy, 3211264 in the manifest: cut short by 344064 bytes: pages 699-782 missing"]
    );
}

#[test]
fn a_missing_log_an_extra_log_and_a_renamed_file_are_each_named() {
    let f = Fixture::new(BELKA_DIRTY);
    let c = f.copy();
    std::fs::remove_file(c.join("SRU0004F.log")).unwrap();
    std::fs::rename(c.join("SRUDB.jfm"), c.join("SRUDB.jfm.old")).unwrap();
    // An extra log: a log of the same stream the verified set did not hold.
    let mut extra = std::fs::read(c.join("SRU00051.log")).unwrap();
    extra[5000] ^= 1;
    std::fs::write(c.join("SRU00099.log"), &extra).unwrap();
    std::fs::write(c.join("notes.txt"), b"copied by the backup agent\n").unwrap();
    let (code, v) = f.compare();
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        messages(&v),
        vec![
            "error SRU0004F.log: missing from the copy",
            "error SRUDB.jfm: missing from the copy; SRUDB.jfm.old holds its bytes (renamed?)",
            "error SRU00099.log: in the copy but not in the manifest: a log the verified set did not hold",
            "error SRUDB.jfm.old: in the copy but not in the manifest: a flush map the verified set did not hold",
            "warning notes.txt: in the copy but not in the manifest: a file the verified set did not hold",
        ]
    );
    assert_eq!(v["missing"], 2);
    assert_eq!(v["extra"], 3);
}

#[test]
fn a_difference_in_an_ignored_file_is_a_warning() {
    let f = Fixture::new(BELKA_DIRTY);
    patch(&f.copy().join("SRUtmp.log"), 10, b"x");
    let (code, v) = f.compare();
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["problems"][0]["severity"], "warning");
    let (code, _) = run(&[
        "compare",
        "--json",
        "--strict",
        f.manifest().to_str().unwrap(),
        f.copy().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
}

#[test]
fn a_manifest_edited_by_hand_is_exit_2_not_a_false_difference() {
    let f = Fixture::new(BELKA_DIRTY);
    let text_m = std::fs::read_to_string(f.manifest()).unwrap();
    // Claim a different CRC for the checkpoint: a false difference if the manifest were trusted.
    let m: Value = serde_json::from_str(&text_m).unwrap();
    let crc = m["files"][0]["crc32"].as_str().unwrap();
    let flipped = format!("{:08x}", u32::from_str_radix(crc, 16).unwrap() ^ 1);
    let edited = text_m.replacen(crc, &flipped, 1);
    std::fs::write(f.manifest(), edited).unwrap();
    let (code, v) = f.compare();
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["command"], "compare");
    assert_eq!(v["verdict"], "error");
    assert!(v["error"].as_str().unwrap().contains("damaged or was edited"), "{v}");
    assert_eq!(v["files"], serde_json::json!([]));
}

#[test]
fn not_a_manifest_an_unknown_schema_and_an_unreadable_copy_are_exit_2() {
    let f = Fixture::new(BELKA_DIRTY);
    let (_, verify_doc) = run(&["verify", "--json", f.snap().to_str().unwrap()]);
    let other = f.dir.path().join("verify.json");
    std::fs::write(&other, verify_doc.to_string()).unwrap();
    let (code, v) = run(&["compare", "--json", other.to_str().unwrap(), f.copy().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(v["error"].as_str().unwrap().contains("not a manifest"), "{v}");
    let newer = std::fs::read_to_string(f.manifest())
        .unwrap()
        .replace("\"schema_version\": 1", "\"schema_version\": 7");
    std::fs::write(f.manifest(), newer).unwrap();
    let (code, v) = f.compare();
    assert_eq!(code, 2);
    assert!(v["error"].as_str().unwrap().contains("schema_version 7"), "{v}");
    let (code, v) = run(&[
        "compare",
        "--json",
        f.dir.path().join("nothing.json").to_str().unwrap(),
        f.copy().to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(v["problems"][0]["code"], -1811);
}

#[test]
fn an_identical_copy_of_a_set_that_failed_verification_fails() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    std::fs::create_dir(&snap).unwrap();
    for e in std::fs::read_dir(td(BELKA_DIRTY)).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "SRU00051.log" {
            std::fs::copy(e.path(), snap.join(e.file_name())).unwrap();
        }
    }
    let m = dir.path().join("m.json");
    let (code, v) = run(&[
        "verify",
        "--json",
        "--manifest",
        m.to_str().unwrap(),
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "the required log 81 is missing: {v}");
    assert_eq!(v["manifest"], m.display().to_string(), "written whatever the verdict");
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    copy_dir(&snap, &copy);
    let (code, v) = run(&["compare", "--json", m.to_str().unwrap(), copy.to_str().unwrap()]);
    assert_eq!(code, 1, "{v}");
    assert!(
        messages(&v)[0].contains("identical to a set that FAILED verification"),
        "{v}"
    );
    let (_, out) = text(&["compare", m.to_str().unwrap(), copy.to_str().unwrap()]);
    assert!(
        out.starts_with("FAIL: the copy is identical to a set that FAILED verification"),
        "{out}"
    );
}

#[test]
fn paths_are_relative_to_the_deepest_directory_holding_every_input() {
    // Database and logs in two directories: the manifest's paths keep them apart, and a copy
    // laid out the same way compares by naming either its root or both directories.
    let dir = tempfile::tempdir().unwrap();
    for side in ["snap", "copy"] {
        for sub in ["Db", "Logs"] {
            std::fs::create_dir_all(dir.path().join(side).join(sub)).unwrap();
        }
        for e in std::fs::read_dir(td(BELKA_DIRTY)).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let sub = if name.starts_with("SRUDB") { "Db" } else { "Logs" };
            std::fs::copy(e.path(), dir.path().join(side).join(sub).join(&name)).unwrap();
        }
    }
    let m = dir.path().join("m.json");
    let s = dir.path().join("snap");
    let (code, v) = run(&[
        "verify",
        "--json",
        "--manifest",
        m.to_str().unwrap(),
        s.join("Db").to_str().unwrap(),
        "--logs",
        s.join("Logs").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{v}");
    let mj: Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    let paths: Vec<&str> = mj["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"Db/SRUDB.dat") && paths.contains(&"Logs/SRU00051.log"),
        "{paths:?}"
    );
    let c = dir.path().join("copy");
    let (code, v) = run(&["compare", "--json", m.to_str().unwrap(), c.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let (code, v) = run(&[
        "compare",
        "--json",
        m.to_str().unwrap(),
        c.join("Db").to_str().unwrap(),
        c.join("Logs").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn a_sparse_database_gets_the_crcs_of_its_bytes_with_holes_skipped() {
    use esecheck::scan::crc::{crc_of_bytes, FileCrcs};
    use esecheck::scan::database::{check_database, DbOptions};
    let mut bytes = std::fs::read(td(BELKA_DIRTY).join("SRUDB.dat")).unwrap();
    // Zeros where a sparse file would have holes, declared as holes: never read by the scan.
    let holes = [4096 * 50..4096 * 300, 4096 * 301..4096 * 302, 4096 * 700..bytes.len()];
    for h in &holes {
        bytes[h.clone()].fill(0);
    }
    let want = crc_of_bytes(&bytes, &[], 1 << 16);
    let collector = FileCrcs::new(1 << 16);
    check_database(
        &bytes,
        "SRUDB.dat",
        &DbOptions {
            holes: &holes,
            crc: Some(&collector),
            ..DbOptions::default()
        },
    )
    .unwrap();
    assert_eq!(collector.finish(&bytes, &holes), want);
}

// ---- CLI.md "Manifest", file identities: `compare` compares a copy ------------------------------------------------

/// What the manifest at `m` records of each file: its path, device, inode and birth time.
fn recorded_ids(m: &Path) -> Vec<(String, FileId)> {
    let doc: Value = serde_json::from_slice(&std::fs::read(m).unwrap()).unwrap();
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let id = FileId {
                device: f["device"].as_u64().unwrap(),
                inode: f["inode"].as_u64().unwrap(),
                birth_time: f["birth_time"].as_i64(),
            };
            (f["path"].as_str().unwrap().to_string(), id)
        })
        .collect()
}

/// `compare` of the manifest `m` against `copy` is exit 2 because `copy` is the verified set
/// itself: one could-not-compare error naming `copy` as given and a file the manifest lists, in
/// JSON (`verdict` "error", the one problem with no code) and in text (once, on the
/// could-not-compare line on stdout; nothing on stderr). Returns the file named.
fn assert_is_the_set_itself(m: &Path, copy: &Path) -> String {
    let (code, v) = run(&["compare", "--json", m.to_str().unwrap(), copy.to_str().unwrap()]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["verdict"], "error");
    let error = v["error"].as_str().unwrap();
    let named = error
        .strip_prefix(&format!("{}: is the verified set itself, not a copy: ", copy.display()))
        .and_then(|rest| rest.strip_suffix(" is the file verified (same device and inode)"))
        .unwrap_or_else(|| panic!("{error}"))
        .to_string();
    assert!(
        recorded_ids(m).iter().any(|(p, _)| *p == named),
        "{named} is a file of the set"
    );
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{v}");
    assert_eq!(problems[0]["code"], Value::Null);
    assert_eq!(problems[0]["file"], copy.display().to_string());
    assert_eq!(v["files"], serde_json::json!([]));
    assert_eq!(v["notes"], serde_json::json!([]));
    let out = esecheck().args([os("compare"), m.as_os_str(), copy.as_os_str()]).run();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text_of(&out.stderr), "");
    assert_eq!(
        text_of(&out.stdout),
        format!("ERROR: could not compare: {error}; do not report the copy complete.\n")
    );
    named
}

#[test]
fn the_verified_directory_given_as_the_copy_is_exit_2_naming_a_file_of_the_set() {
    let f = Fixture::new(BELKA_DIRTY);
    assert_is_the_set_itself(&f.manifest(), &f.snap());
    // Named file by file, the PATH named that leads to the first such file (in the manifest's
    // order, SRU.chk) is the one the message starts with.
    let (code, v) = run(&[
        "compare",
        "--json",
        f.manifest().to_str().unwrap(),
        f.snap().join("SRUDB.dat").to_str().unwrap(),
        f.snap().join("SRU.chk").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(
        v["error"],
        format!(
            "{}: is the verified set itself, not a copy: SRU.chk is the file verified (same device and inode)",
            f.snap().join("SRU.chk").display()
        )
    );
}

#[cfg(unix)]
#[test]
fn a_directory_of_symbolic_links_to_the_verified_files_is_exit_2() {
    let f = Fixture::new(BELKA_DIRTY);
    let links = f.dir.path().join("links");
    std::fs::create_dir(&links).unwrap();
    for (p, _) in recorded_ids(&f.manifest()) {
        std::os::unix::fs::symlink(f.snap().join(&p), links.join(&p)).unwrap();
    }
    assert_is_the_set_itself(&f.manifest(), &links);
}

/// Unix only: whether Wine's CreateHardLinkW and the identity it reports for a link behave as
/// NTFS's could not be checked where this was written; the Windows identity (volume serial number
/// and file index) is covered by the verified directory given as the copy, above.
#[cfg(unix)]
#[test]
fn a_directory_of_hard_links_to_the_verified_files_is_exit_2() {
    let f = Fixture::new(BELKA_DIRTY);
    let links = f.dir.path().join("links");
    std::fs::create_dir(&links).unwrap();
    for (p, _) in recorded_ids(&f.manifest()) {
        std::fs::hard_link(f.snap().join(&p), links.join(&p)).unwrap();
    }
    assert_is_the_set_itself(&f.manifest(), &links);
}

/// A copy cannot hold a hard link that differs from the file verified (it is that file), but it
/// can hold one hard link to the set beside files that differ, are missing or are extra: the one
/// file that is the set itself wins, so the copy is never graded as a mere difference (exit 1).
#[cfg(unix)]
#[test]
fn the_set_itself_wins_over_differences_missing_and_extra_files() {
    let f = Fixture::new(BELKA_DIRTY);
    let c = f.copy();
    std::fs::remove_file(c.join("SRUDB.dat")).unwrap();
    std::fs::hard_link(f.snap().join("SRUDB.dat"), c.join("SRUDB.dat")).unwrap();
    patch(&c.join("SRU00051.log"), 5000, b"x");
    std::fs::remove_file(c.join("SRU0004F.log")).unwrap();
    std::fs::copy(c.join("SRU00050.log"), c.join("SRU00099.log")).unwrap();
    let named = assert_is_the_set_itself(&f.manifest(), &c);
    assert_eq!(named, "SRUDB.dat");
}

#[test]
fn a_real_copy_passes_and_so_does_the_set_restored_to_its_own_paths() {
    let f = Fixture::new(BELKA_DIRTY);
    let (code, v) = f.compare();
    assert_eq!(code, 0, "{v}");
    // The backup restored over the verified directory: each file deleted and written anew at its
    // path from the copy (written, not CopyFile'd: under Wine a file's creation time is its
    // mtime, which CopyFile keeps). Path equality alone never makes the set itself, and where the
    // file system hands the freed inode number back, the birth time tells the new file apart.
    let recorded = recorded_ids(&f.manifest());
    for (p, _) in &recorded {
        let bytes = std::fs::read(f.copy().join(p)).unwrap();
        std::fs::remove_file(f.snap().join(p)).unwrap();
        std::fs::write(f.snap().join(p), bytes).unwrap();
    }
    // What the rule sees: a file whose inode number came back while either side has no birth
    // time (a file system without one) cannot be told from the file verified. Only then is exit
    // 2 the deterministic answer; everywhere else the restore is exit 0.
    let now = |p: &str| Input::open(&f.snap().join(p)).unwrap().stamp().id();
    let untellable: Vec<&str> = recorded
        .iter()
        .filter(|(p, was)| is_the_same_file(was, &now(p)))
        .map(|(p, _)| p.as_str())
        .collect();
    let has_birth_times = std::fs::metadata(f.snap().join("SRUDB.dat")).unwrap().created().is_ok();
    if has_birth_times {
        assert_eq!(untellable, Vec::<&str>::new(), "birth times tell every new file apart");
    }
    let (code, v) = run(&[
        "compare",
        "--json",
        f.manifest().to_str().unwrap(),
        f.snap().to_str().unwrap(),
    ]);
    if untellable.is_empty() {
        assert_eq!(code, 0, "{v}");
        assert_eq!(v["identical"], 11);
    } else {
        // No birth time and an inode number reused: the platform cannot tell (see above).
        assert_eq!(code, 2, "{untellable:?}: {v}");
    }
}

#[test]
fn a_manifest_without_file_identities_still_compares_with_a_note() {
    let f = Fixture::new(BELKA_DIRTY);
    // As written before CLI.md "Manifest", file identities: no device, inode or birth_time; its manifest_crc32
    // recomputed as CLI.md says: the CRC-32 of every other key, in order, as compact JSON.
    let mut doc: Value = serde_json::from_slice(&std::fs::read(f.manifest()).unwrap()).unwrap();
    for file in doc["files"].as_array_mut().unwrap() {
        let file = file.as_object_mut().unwrap();
        for k in ["device", "inode", "birth_time"] {
            assert!(file.shift_remove(k).is_some(), "{k}");
        }
    }
    let obj = doc.as_object_mut().unwrap();
    obj.shift_remove("manifest_crc32").unwrap();
    let crc = crc32fast::hash(&serde_json::to_vec(&obj).unwrap());
    obj.insert("manifest_crc32".into(), Value::String(format!("{crc:08x}")));
    std::fs::write(f.manifest(), serde_json::to_vec_pretty(&doc).unwrap()).unwrap();

    let note = "the manifest records no file identities (it was written by an older esecheck), so a copy that is the verified set itself (the same directory, or links to its files) cannot be told from a real copy";
    let (code, v) = f.compare();
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["notes"], serde_json::json!([note]));
    assert_eq!(v["problems"], serde_json::json!([]));
    let (code, out) = text(&[
        "compare",
        "--strict",
        f.manifest().to_str().unwrap(),
        f.copy().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "a note is no warning: --strict passes\n{out}");
    assert_eq!(
        out,
        format!("PASS: the copy is identical to the verified set: 11 files, 3760128 bytes, same sizes and CRC-32s.\nNote: {note}.\n")
    );
    // Nothing to tell the set itself by: it compares as a copy, as before.
    let (code, v) = run(&[
        "compare",
        "--json",
        f.manifest().to_str().unwrap(),
        f.snap().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["notes"], serde_json::json!([note]));
}
