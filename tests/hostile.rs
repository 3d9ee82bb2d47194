//! Hostile environments (CLI.md "Text output" and "Exit status"): absurd `--threads`, file names that try to forge output
//! lines, files full of garbage, a stdout that cannot be written, a mapping the OS refuses, a
//! database cut to its first page. The verdict and the exit status must survive all of them.

#[cfg(unix)]
use crate::util::mkfifo;
use crate::util::Run;
use crate::util::{copy_dir, esecheck_bounded, td, text};
use std::path::Path;
use std::time::Duration;

// ---- item 3: bounded parallelism ------------------------------------------------------------

#[test]
fn threads_above_the_cap_are_capped_at_256() {
    assert_eq!(esecheck::commands::MAX_THREADS, 256);
    assert_eq!(esecheck::commands::capped_threads(256), (256, None));
    assert_eq!(esecheck::commands::capped_threads(16), (16, None));
    assert_eq!(
        esecheck::commands::capped_threads(usize::MAX),
        (256, Some(format!("--threads {} capped at 256", usize::MAX)))
    );
}

#[test]
fn threads_100000_keeps_the_verdict_and_prints_one_note() {
    let set = td("museum-srum-win10-belkasoftctf/Dirty");
    let out = esecheck_bounded(120)
        .args(["--threads", "100000", "verify"])
        .arg(&set)
        .run();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr.matches("esecheck: --threads 100000 capped at 256").count(),
        1,
        "{stderr}"
    );
    assert!(text(&out.stdout).starts_with("PASS: 1 database (784 pages) sound"));
    // The largest value the option takes, on a failing file: still the file's verdict.
    let bad = td("dissect-esedb-srum/SRUDB.dat");
    let out = esecheck_bounded(120)
        .args(["--threads", "18446744073709551615", "checksum", "-q"])
        .arg(&bad)
        .run();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--threads 18446744073709551615 capped at 256"));
}

#[test]
fn threads_within_the_cap_need_no_note_and_zero_is_still_refused() {
    let set = td("museum-srum-win10-belkasoftctf/Dirty");
    let out = esecheck_bounded(120)
        .args(["--threads", "16", "verify", "-q"])
        .arg(&set)
        .run();
    assert_eq!(out.status.code(), Some(0));
    assert!(!text(&out.stderr).contains("capped"), "{}", text(&out.stderr));
    let out = esecheck_bounded(120)
        .args(["--threads", "0", "verify", "-q"])
        .arg(&set)
        .run();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--threads must be at least 1"));
}

// ---- item 4: output cannot be forged ---------------------------------------------------------

#[cfg(unix)]
const FORGED: &str = "bad\nPASS: 1 file verified, no bad checksums.\n";

#[cfg(unix)]
fn no_line_starts_with_pass(what: &str, out: &[u8]) {
    for line in text(out).lines() {
        assert!(
            !line.starts_with("PASS"),
            "{what}: forged line {line:?} in:\n{}",
            text(out)
        );
    }
}

/// Unix only: Windows file names cannot hold control characters, so no such file exists there.
#[cfg(unix)]
#[test]
fn a_name_with_a_newline_cannot_forge_a_pass_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join(FORGED);
    std::fs::copy(td("dissect-esedb-srum/SRUDB.dat"), &f).unwrap();
    for cmd in ["checksum", "verify"] {
        for quiet in [false, true] {
            let mut c = esecheck_bounded(120);
            c.arg(cmd);
            if quiet {
                c.arg("-q");
            }
            let target = if cmd == "verify" { dir.path() } else { f.as_path() };
            let out = c.arg(target).run();
            let what = format!("{cmd} quiet={quiet}");
            assert_eq!(out.status.code(), Some(1), "{what}: {}", text(&out.stderr));
            no_line_starts_with_pass(&what, &out.stdout);
            no_line_starts_with_pass(&what, &out.stderr);
            assert!(
                text(&out.stdout).contains("bad\\nPASS: 1 file verified, no bad checksums.\\n"),
                "{what}: the name is shown escaped: {}",
                text(&out.stdout)
            );
        }
    }
    // `header` passes (both header copies are fine) and says so once, with the name escaped.
    let out = esecheck_bounded(120).arg("header").arg(&f).run();
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("PASS")).count(), 1, "{stdout}");
    assert!(
        stdout.contains("Database: ") && stdout.contains("bad\\nPASS"),
        "{stdout}"
    );
    // JSON escapes on its own: the path is the name as it is.
    let out = esecheck_bounded(120).args(["checksum", "--json"]).arg(&f).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["files"][0]["path"].as_str().unwrap().ends_with(FORGED));
}

/// `header` on a flush map named to forge a line: its verdict line names it escaped, like every
/// other file (CLI.md "Text output": the one command whose line printed the name raw).
#[cfg(unix)]
#[test]
fn a_flush_map_named_with_a_newline_cannot_forge_a_header_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join(format!("{FORGED}x.jfm"));
    std::fs::copy(td("museum-srum-win10-belkasoftctf/Dirty/SRUDB.jfm"), &f).unwrap();
    for quiet in [false, true] {
        let mut c = esecheck_bounded(120);
        c.arg("header");
        if quiet {
            c.arg("-q");
        }
        let out = c.arg(&f).run();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert_eq!(stdout.lines().filter(|l| l.starts_with("PASS")).count(), 1, "{stdout}");
        assert!(
            stdout.contains("bad\\nPASS: 1 file verified, no bad checksums.\\nx.jfm: flush map header valid."),
            "quiet={quiet}: {stdout}"
        );
    }
}

/// Unix only: Windows refuses such a name before esecheck sees an error of its own (it is not a
/// valid path there), and the message it then gives is the OS's, not the one tested here.
#[cfg(unix)]
#[test]
fn a_could_not_check_message_escapes_the_name_on_the_verdict_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join(format!("{FORGED}\x1b[2K\r"));
    let shown = format!(
        "{}/bad\\nPASS: 1 file verified, no bad checksums.\\n\\e[2K\\r: no such file or directory",
        dir.path().display()
    );
    for (cmd, line) in [
        ("checksum", format!("ERROR: could not check {shown}.")),
        ("header", format!("ERROR: could not check the header: {shown}.")),
        (
            "verify",
            format!("ERROR: could not check the set: {shown}; do not truncate."),
        ),
    ] {
        let out = esecheck_bounded(120).arg(cmd).arg(&missing).run();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        no_line_starts_with_pass(cmd, &out.stdout);
        // The reason is on the one verdict line, escaped; stderr does not repeat it.
        assert_eq!(text(&out.stdout), format!("{line}\n"), "{cmd}");
        assert_eq!(text(&out.stderr), "", "{cmd}");
    }
    // JSON carries the name as it is.
    let out = esecheck_bounded(120).args(["verify", "--json"]).arg(&missing).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains(FORGED), "{v}");
}

/// Unix only: on Windows a backslash is the separator; paths printed as given there are tested
/// in tests/windows.rs.
#[cfg(unix)]
#[test]
fn a_windows_path_keeps_its_backslashes() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join(r"C:\Backups\SRUDB.dat");
    std::fs::copy(td("stroz-eseparser-generated/test.edb"), &f).unwrap();
    let out = esecheck_bounded(120).arg("checksum").arg(&f).run();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains(r"C:\Backups\SRUDB.dat"),
        "{}",
        text(&out.stdout)
    );
    let out = esecheck_bounded(120).arg("verify").arg(&f).run();
    assert!(
        text(&out.stdout).contains(r"C:\Backups\SRUDB.dat"),
        "{}",
        text(&out.stdout)
    );
}

// ---- item 5: output stays readable on any damage ---------------------------------------------

/// A file of `len` bytes of 0xFF: every page fails its checksum.
fn garbage(path: &Path, prefix: &[u8], len: usize) {
    let mut b = prefix.to_vec();
    b.resize(prefix.len() + len, 0xFF);
    std::fs::write(path, b).unwrap();
}

#[test]
fn a_flush_map_full_of_garbage_gives_a_bounded_text_report() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("E00.jfm");
    garbage(&f, &[], 64 << 20);
    let out = esecheck_bounded(120).arg("checksum").arg(&f).run();
    assert_eq!(out.status.code(), Some(0), "flush-map damage is a warning");
    let stdout = text(&out.stdout);
    assert!(stdout.lines().count() <= 70, "{} lines", stdout.lines().count());
    assert_eq!(stdout.matches("WARNING: flush map ").count(), 50);
    assert!(
        stdout.contains("… and 8142 more problems; --json lists them all"),
        "{stdout}"
    );
    let out = esecheck_bounded(120).args(["checksum", "--json"]).arg(&f).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["problems"].as_array().unwrap().len(), 8192);
}

#[test]
fn a_database_with_a_garbage_tail_lists_its_bad_pages_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("tail.edb");
    // test.edb is 256 pages of 4 KiB (pages 1-254 after the two header copies): 2048 pages of
    // garbage follow, pages 255-2302.
    let real = std::fs::read(td("stroz-eseparser-generated/test.edb")).unwrap();
    garbage(&f, &real, 2048 * 4096);
    let out = esecheck_bounded(120).arg("checksum").arg(&f).run();
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Bad pages: 255-2302 (2048 pages)"), "{stdout}");
    assert!(
        stdout.lines().count() <= 70,
        "{} lines:\n{stdout}",
        stdout.lines().count()
    );
    assert!(stdout.contains("more problems; --json lists them all"), "{stdout}");
    // In a set, the cap is per file and the rest is counted under the file's name.
    let out = esecheck_bounded(120).arg("verify").arg(&f).run();
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.lines().count() <= 80,
        "{} lines:\n{stdout}",
        stdout.lines().count()
    );
    assert!(stdout.contains("more problems in "), "{stdout}");
    assert!(stdout.contains("tail.edb; --json lists them all"), "{stdout}");
    let out = esecheck_bounded(120).args(["verify", "--json"]).arg(&f).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["problems"].as_array().unwrap().len() > 1000);
}

// ---- item 6: errors say what failed ----------------------------------------------------------

/// Linux only: /dev/full, a sink that always fails with ENOSPC, has no Windows counterpart.
#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_named_and_exits_2() {
    for (file, json) in [
        ("stroz-eseparser-generated/test.edb", false),
        ("dissect-esedb-srum/SRUDB.dat", false),
        ("dissect-esedb-srum/SRUDB.dat", true),
    ] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let mut c = std::process::Command::new(crate::util::esecheck_bin());
        c.args(["checksum", "--no-progress"]);
        if json {
            c.arg("--json");
        }
        let out = c.arg(td(file)).stdout(full).run();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file} json={json}: {stderr}");
        assert!(
            stderr.contains("esecheck: writing the report to stdout failed: No space left on device"),
            "{file} json={json}: {stderr}"
        );
    }
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = std::process::Command::new(crate::util::esecheck_bin())
        .args(["verify", "--no-progress"])
        .arg(td("museum-srum-win10-belkasoftctf/Dirty"))
        .stdout(full)
        .run();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("writing the report to stdout failed"));
}

/// Under `ulimit -v` a large database cannot be mapped: the message says so, with the size.
/// Linux only: Windows has no per-process address-space limit a test can set from a shell.
#[cfg(target_os = "linux")]
#[test]
fn a_mapping_the_os_refuses_names_the_size() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.edb");
    std::fs::copy(td("stroz-eseparser-generated/test.edb"), &f).unwrap();
    // Sparse: 2 GiB of all-zero pages on no disk.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&f)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let bin = crate::util::esecheck_bin();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 600000 && exec \"$0\" --threads 1 --no-progress checksum \"$1\"")
        .arg(&bin)
        .arg(&f)
        .run();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        text(&out.stdout),
        format!(
            "ERROR: could not check {}: cannot map 2147483648 bytes: Cannot allocate memory.\n",
            f.display()
        )
    );
    assert_eq!(stderr, "");
}

// ---- item 7: a missing shadow header counts like a damaged one -------------------------------

#[test]
fn a_database_cut_to_its_first_page_fails_with_the_shadow_as_a_bad_checksum() {
    let dir = tempfile::tempdir().unwrap();
    for (rel, ps) in [
        ("stroz-eseparser-generated/test.edb", 4096usize),
        ("stroz-eseparser-generated/decompress_test.edb", 8192),
        ("goese-bits-qmgr/qmgr.db", 16384),
    ] {
        let real = std::fs::read(td(rel)).unwrap();
        let f = dir.path().join(format!("cut{ps}.edb"));
        std::fs::write(&f, &real[..ps]).unwrap();
        let out = esecheck_bounded(120).args(["checksum", "--json"]).arg(&f).run();
        assert_eq!(out.status.code(), Some(1), "{rel}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let c = &v["files"][0];
        assert_eq!(c["page_size"], ps, "{rel}: the page size is still detected");
        assert_eq!(c["page_size_detected"], true, "{rel}");
        assert_eq!(c["bad_checksums"], 1, "{rel}");
        assert_eq!(c["bad_pages"], serde_json::json!([0]), "{rel}");
        let out = esecheck_bounded(120).args(["checksum"]).arg(&f).run();
        assert!(text(&out.stdout).contains("1 bad checksums"), "{rel}");
        let out = esecheck_bounded(120).args(["verify", "--json"]).arg(&f).run();
        assert_eq!(out.status.code(), Some(1), "{rel}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            v["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["page"] == 0 && p["severity"] == "error" && p["code"] == -1018),
            "{rel}: {v}"
        );
    }
}

// ---- item 1: a file that changes while it is checked is never a pass ------------------------

/// Truncates `path` to half and grows it back to its size: same size, other bytes, new mtime.
fn shrink_and_regrow(path: &Path) {
    let len = std::fs::metadata(path).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(len / 2).unwrap();
    f.set_len(len).unwrap();
    // Some file systems keep a coarse mtime: make the change visible whatever the clock.
    let later = std::fs::metadata(path).unwrap().modified().unwrap() + Duration::from_secs(2);
    f.set_modified(later).unwrap();
}

#[test]
fn a_database_shrunk_and_regrown_before_the_recheck_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("SRUDB.dat");
    std::fs::copy(td("museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat"), &db).unwrap();
    let opts = esecheck::commands::Options::default();
    let r = esecheck::commands::check_file_then(&db, &opts, &|p| shrink_and_regrow(p));
    assert_eq!(r.verdict(), esecheck::verdict::Verdict::Error);
    match r {
        esecheck::commands::FileReport::Unchecked(u) => assert!(
            u.error.starts_with("changed while being checked")
                && u.error.contains("verify a quiescent copy (a snapshot)"),
            "{}",
            u.error
        ),
        other => panic!("{other:?}"),
    }
    // Untouched, the same file passes.
    let r = esecheck::commands::check_file_then(&db, &opts, &|_| {});
    assert_eq!(r.verdict(), esecheck::verdict::Verdict::Pass);
}

#[test]
fn a_file_renamed_over_the_path_before_the_recheck_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("SRUDB.dat");
    std::fs::copy(td("museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat"), &db).unwrap();
    let other = dir.path().join("other");
    std::fs::copy(td("museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat"), &other).unwrap();
    let opts = esecheck::commands::Options::default();
    let r = esecheck::commands::check_file_then(&db, &opts, &|p| std::fs::rename(&other, p).unwrap());
    match r {
        esecheck::commands::FileReport::Unchecked(u) => {
            assert!(u.error.contains("was replaced by another file"), "{}", u.error)
        }
        other => panic!("{other:?}"),
    }
}

fn verify_with_hook(
    dir: &Path,
    hook: &(dyn Fn() + Sync),
) -> Result<esecheck::report::set::SetReport, esecheck::error::CheckError> {
    let opts = esecheck::report::set::VerifyOptions {
        scan: esecheck::scan::set::ScanOptions {
            before_recheck: Some(hook),
            ..Default::default()
        },
        ..Default::default()
    };
    esecheck::report::set::verify_set(&[dir.to_path_buf()], &opts)
}

#[test]
fn verify_is_exit_2_when_a_member_changes_and_unmoved_by_an_ignored_file() {
    for member in ["SRUDB.dat", "SRU00051.log", "SRU.chk", "SRUDB.jfm", "SRU0004E.log"] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
        let p = dir.path().join(member);
        let e = verify_with_hook(dir.path(), &|| shrink_and_regrow(&p))
            .map(|r| r.verdict())
            .unwrap_err();
        assert!(e.path.unescaped().ends_with(member), "{member}: {e}");
        assert!(e.message.starts_with("changed while being checked"), "{member}: {e}");
    }
    // A log renamed over a member.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
    let (a, b) = (dir.path().join("SRU00050.log"), dir.path().join("SRU00051.log"));
    let e = verify_with_hook(dir.path(), &|| std::fs::copy(&a, &b).map(|_| ()).unwrap()).unwrap_err();
    assert!(e.path.unescaped().ends_with("SRU00051.log"), "{e}");
    // A file merely listed as ignored (a reserve log, a backup agent's notes) changes nothing.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
    let notes = dir.path().join("agent-notes.txt");
    std::fs::write(&notes, "started\n").unwrap();
    let jrs = dir.path().join("SRUres00001.jrs");
    let r = verify_with_hook(dir.path(), &|| {
        std::fs::write(&notes, "started\nfinished\n").unwrap();
        shrink_and_regrow(&jrs);
    })
    .unwrap();
    assert_eq!(r.verdict(), esecheck::verdict::Verdict::Pass);
}

// ---- item 2: special entries named like ESE files make a set uncheckable --------------------

/// Unix only: FIFOs and sockets in a directory; the directory case runs on Windows too, in
/// tests/faults.rs (`a_directory_named_like_the_checkpoint_makes_the_set_uncheckable`).
#[cfg(unix)]
#[test]
fn special_entries_named_like_ese_files_make_verify_exit_2_without_blocking() {
    use std::os::unix::net::UnixListener;
    for (name, what) in [
        ("Other.edb", "fifo"),
        ("E00.chk", "fifo"),
        ("Other.edb", "socket"),
        ("Other.edb", "directory"),
        ("SRU00052.log", "fifo"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
        let p = dir.path().join(name);
        let _listener;
        match what {
            "fifo" => mkfifo(&p),
            "socket" => _listener = UnixListener::bind(&p).unwrap(),
            _ => std::fs::create_dir(&p).unwrap(),
        }
        let kind = match what {
            "fifo" => "a FIFO",
            "socket" => "a socket",
            _ => "a directory",
        };
        crate::util::assert_exit_2_line(
            esecheck_bounded(120).arg("verify").arg(dir.path()),
            &format!(
                "ERROR: could not check the set: {}: is {kind}, not a regular file, but is named like an ESE file: the set cannot be checked; do not truncate.",
                p.display()
            ),
        );
    }
    // Not named like an ESE file: set aside, and the set passes.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
    mkfifo(&dir.path().join("pipe"));
    let out = esecheck_bounded(120).args(["verify", "--json"]).arg(dir.path()).run();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["path"].as_str().unwrap().ends_with("pipe") && i["why"] == "a FIFO, not a regular file"));
}

// ---- item 8: hostile values in the trees (issue 22, Decision 23) -----------------------------
//
// The testkit's minimal valid database (src/testkit/minimal.rs: 40 pages of 4 KiB; catalog root
// 4 with leaves 13-14, shadow 24 with leaves 27-28, table Records (objid 8) root 31, an internal
// page over the data leaves 34-40 linked in that order, OE 32, AE 33), one value made hostile
// and the page re-sealed, so that every checksum verifies and only the structure is wrong. The
// expected code and page come from Decision 23's rule -> code table and LOGICAL-INTEGRITY.md §2
// (the engine's rule named on each test), never from esecheck's output. Each run is bounded:
// a loop in the walk fails the test instead of stalling the suite.

mod trees {
    use crate::util::{esecheck_bounded, text, Run};
    use esecheck::format::node::NodePage;
    use esecheck::testkit::damage::page_mut;
    use esecheck::testkit::db::{DbBuilder, STATE_DIRTY_SHUTDOWN};
    use esecheck::testkit::minimal::{catalog_rows, TABLE_FIRST_LEAF, TABLE_OBJID, TABLE_ROOT};
    use esecheck::testkit::seal_page;
    use serde_json::Value;

    pub(super) const PS: usize = 4096;
    /// The last data leaf of table Records in the default 40-page database.
    const LAST_LEAF: u32 = 40;

    /// The default database's bytes (clean, or DirtyShutdown needing log 11).
    pub(super) fn built(dirty: bool) -> Vec<u8> {
        let b = DbBuilder::new(PS);
        let b = if dirty {
            b.state(STATE_DIRTY_SHUTDOWN).log_required(11, 11)
        } else {
            b
        };
        assert_eq!(b.page_count(), 40);
        b.build()
    }

    /// Applies `edit` to logical page `pgno` of `db` and re-seals it at its place.
    pub(super) fn edit(db: &mut [u8], pgno: u32, edit: impl FnOnce(&mut [u8])) {
        let page = page_mut(db, PS, pgno);
        edit(page);
        seal_page(page, pgno);
    }

    /// Byte offset in `page` of node `itag`'s data.
    fn data_offset(page: &[u8], itag: u16) -> usize {
        let p = NodePage::parse(page).unwrap();
        let node = p.node(itag).unwrap();
        node.data.as_ptr() as usize - page.as_ptr() as usize
    }

    /// Byte offset in `page` of tag `itag`'s value (a node's cbSuffix field first; tag 0's
    /// external header), `ib` counted from the end of the 40-byte PGHDR of a 4 KiB page.
    pub(super) fn node_at(page: &[u8], itag: u16) -> usize {
        let p = NodePage::parse(page).unwrap();
        let (tag, _) = p.tag(itag).unwrap();
        40 + usize::from(tag.ib)
    }

    /// Sets the child page number of node `itag` of internal page `pgno`.
    pub(super) fn set_child(db: &mut [u8], pgno: u32, itag: u16, child: u32) {
        edit(db, pgno, |p| {
            let at = data_offset(p, itag);
            assert!(p[at..].len() >= 4);
            p[at..at + 4].copy_from_slice(&child.to_le_bytes());
        });
    }

    /// Overwrites the u32 at `field` (an offset in the record) of the catalog row of table
    /// `objid_table`, type `kind`, Id `id`, in both MSysObjects (leaves 13-14) and
    /// MSysObjectsShadow (leaves 27-28), as a hostile catalog would hold it.
    pub(super) fn set_catalog_field(db: &mut [u8], objid_table: u32, kind: u16, id: u32, field: usize, v: u32) {
        let specs = DbBuilder::new(PS).table_specs();
        let row = catalog_rows(&specs)
            .into_iter()
            .find(|r| r.objid_table == objid_table && r.kind == kind && r.id == id)
            .expect("the row is in the catalog");
        let rec = row.record();
        let mut found = 0;
        for pgno in [13, 14, 27, 28] {
            let page = page_mut(db, PS, pgno);
            if let Some(at) = page.windows(rec.len()).position(|w| w == rec) {
                edit(db, pgno, |p| {
                    p[at + field..at + field + 4].copy_from_slice(&v.to_le_bytes())
                });
                found += 1;
            }
        }
        assert_eq!(found, 2, "the row is in MSysObjects and in its shadow");
    }

    /// After `set_catalog_field(db, 2, 3, 5, 10, 4)`: the RootObjects row, now with Id 4, gets
    /// root page 7 (index Name's) too, in both catalogs.
    pub(super) fn set_root_of_duplicate(db: &mut [u8]) {
        let specs = DbBuilder::new(PS).table_specs();
        let mut rec = catalog_rows(&specs)
            .into_iter()
            .find(|r| r.objid_table == 2 && r.kind == 3 && r.id == 5)
            .expect("RootObjects' row")
            .record();
        rec[10..14].copy_from_slice(&4u32.to_le_bytes());
        let mut found = 0;
        for pgno in [13, 14, 27, 28] {
            let page = page_mut(db, PS, pgno);
            if let Some(at) = page.windows(rec.len()).position(|w| w == rec) {
                edit(db, pgno, |p| p[at + 14..at + 18].copy_from_slice(&7u32.to_le_bytes()));
                found += 1;
            }
        }
        assert_eq!(found, 2, "the row is in MSysObjects and in its shadow");
    }

    /// `esecheck checksum --json` on `db` written as `hostile.edb`: (exit status, document).
    pub(super) fn check(db: &[u8]) -> (i32, Value) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("hostile.edb");
        std::fs::write(&f, db).unwrap();
        let out = esecheck_bounded(60).args(["checksum", "--json"]).arg(&f).run();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{stderr}", text(&out.stdout)));
        (out.status.code().unwrap_or(-1), v)
    }

    /// The problem at `page` with `code` and `severity`; panics listing every problem when none.
    pub(super) fn find<'a>(v: &'a Value, page: i64, code: i64, severity: &str) -> &'a Value {
        v["problems"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["page"] == page && p["code"] == code && p["severity"] == severity)
            .unwrap_or_else(|| panic!("no {severity} {code} at page {page}; problems: {:#}", v["problems"]))
    }

    /// A clean database edited by `damage` fails (exit 1) with the error `code` at `page`.
    pub(super) fn fails_with(damage: impl FnOnce(&mut Vec<u8>), page: i64, code: i64) -> Value {
        let mut db = built(false);
        damage(&mut db);
        let (rc, v) = check(&db);
        find(&v, page, code, "error");
        assert_eq!(rc, 1, "{:#}", v["problems"]);
        v
    }

    /// The same damage in a database that needs logs: a cross-page finding is a warning,
    /// "pending recovery" (Decision 23 "Grading"), the run passes (exit 0).
    pub(super) fn pending_recovery(damage: impl FnOnce(&mut Vec<u8>), page: i64, code: i64) {
        let mut db = built(true);
        damage(&mut db);
        let (rc, v) = check(&db);
        let p = find(&v, page, code, "warning");
        assert_eq!(p["pending_recovery"], true, "{p:#}");
        assert_eq!(rc, 0, "{:#}", v["problems"]);
    }

    /// A page-local finding stays an error in a database that needs logs.
    pub(super) fn fails_dirty_too(damage: impl FnOnce(&mut Vec<u8>), page: i64, code: i64) {
        let mut db = built(true);
        damage(&mut db);
        let (rc, v) = check(&db);
        find(&v, page, code, "error");
        assert_eq!(rc, 1, "{:#}", v["problems"]);
    }

    pub(super) const ROOT: u32 = TABLE_ROOT;
    pub(super) const FIRST: u32 = TABLE_FIRST_LEAF;
    pub(super) const LAST: u32 = LAST_LEAF;
    pub(super) const OBJID: u32 = TABLE_OBJID;
}

use trees::{check, edit, fails_dirty_too, fails_with, find, pending_recovery, set_catalog_field, set_child};
use trees::{FIRST, LAST, OBJID, ROOT};

/// T6/T7 (repair.cxx 7166-7171, 7540-7556): an internal page whose child is itself is a page
/// reached twice: −338 `JET_errBadParentPageLink`, named at the internal page; a cross-page
/// finding, so pending recovery in a dirty database. The root is the table's internal page.
#[test]
fn an_internal_page_whose_child_is_itself_is_338_at_that_page() {
    let damage = |db: &mut Vec<u8>| set_child(db, ROOT, 1, ROOT);
    let v = fails_with(damage, i64::from(ROOT), -338);
    assert_eq!(find(&v, i64::from(ROOT), -338, "error")["table"], "Records");
    pending_recovery(damage, i64::from(ROOT), -338);
}

/// T7 (repair.cxx 7540-7556): a child that is no page of the owned space, page 0 (the shadow
/// header), 0xFFFFFFFF (past any file) or past this file's 40 pages: −338 at the internal page
/// holding it.
#[test]
fn an_internal_page_whose_child_is_page_0_or_past_the_file_is_338_at_that_page() {
    for child in [0u32, 0xFFFF_FFFF, 0x8000_0000, 41] {
        for itag in [1u16, 4, 7] {
            let v = fails_with(|db| set_child(db, ROOT, itag, child), i64::from(ROOT), -338);
            assert!(
                v["files"][0]["bad_checksums"] == 0,
                "child {child:#x}: every page verifies: {v:#}"
            );
        }
    }
}

/// T6 (a page reached twice): two children of one internal page naming the same leaf (the
/// first): −338 at the page reached twice.
#[test]
fn two_children_naming_one_leaf_are_338_at_that_leaf() {
    fails_with(|db| set_child(db, ROOT, 2, FIRST), i64::from(FIRST), -338);
}

/// T9 (repair.cxx 7758-7769, 7817-7843): the last leaf's pgnoNext pointing back at the first
/// makes the leaf chain a cycle; the sibling links disagree with the leaves in key order: −327
/// `JET_errBadPageLink`, named at the page holding the wrong link (the last leaf). A leaf whose
/// pgnoNext is itself: the same at that leaf. Pending recovery in a dirty database.
#[test]
fn a_leaf_chain_made_a_cycle_is_327_at_the_leaf_holding_the_link() {
    let cycle = |db: &mut Vec<u8>| edit(db, LAST, |p| p[20..24].copy_from_slice(&FIRST.to_le_bytes()));
    fails_with(cycle, i64::from(LAST), -327);
    pending_recovery(cycle, i64::from(LAST), -327);
    let own = FIRST + 2;
    fails_with(
        |db| edit(db, own, |p| p[20..24].copy_from_slice(&own.to_le_bytes())),
        i64::from(own),
        -327,
    );
    // pgnoPrev hostile too: the first leaf naming the last as its predecessor.
    fails_with(
        |db| edit(db, FIRST, |p| p[16..20].copy_from_slice(&LAST.to_le_bytes())),
        i64::from(FIRST),
        -327,
    );
}

/// T7 (repair.cxx 7166-7171): an internal page with sibling links: −338 at that page.
#[test]
fn an_internal_page_with_sibling_links_is_338() {
    fails_with(
        |db| edit(db, ROOT, |p| p[20..24].copy_from_slice(&FIRST.to_le_bytes())),
        i64::from(ROOT),
        -338,
    );
}

/// C4 / T4 (repair.cxx 3154-3250, 7118-7140): the catalog (both copies, the table's row and its
/// primary index's) names a pgnoFDP past the end of the file (page 1000, and 0xFFFFFFFF): the
/// table's root is a page owned by no tree: −343 `JET_errSPOwnExtCorrupted`, at that page.
#[test]
fn a_catalog_row_naming_a_root_past_the_file_is_343() {
    for pgno in [1000u32, 0xFFFF_FFFF] {
        let damage = |db: &mut Vec<u8>| {
            set_catalog_field(db, OBJID, 1, OBJID, 14, pgno);
            set_catalog_field(db, OBJID, 3, OBJID, 14, pgno);
        };
        fails_with(damage, i64::from(pgno), -343);
    }
}

/// C4 / T1 / T2 (repair.cxx 3194, 7014-7018, 7093-7099): the catalog names page 1, the
/// database root (objid 1), or page 13, a leaf of MSysObjects (objid 2, no root flag), as the
/// table's root: a reached page that carries another objid: −1206 at that page (the engine's
/// first check on the page, before its ownership at 7118-7140).
#[test]
fn a_catalog_row_naming_another_trees_page_as_a_tables_root_is_1206_at_that_page() {
    for pgno in [1u32, 13] {
        fails_with(
            |db| {
                set_catalog_field(db, OBJID, 1, OBJID, 14, pgno);
                set_catalog_field(db, OBJID, 3, OBJID, 14, pgno);
            },
            i64::from(pgno),
            -1206,
        );
    }
}

/// C3 (repair.cxx 2919-3130: objids unique across the catalog's entries) with T2: index
/// RootObjects' row (objid 5, root page 10) made to claim objid 4, index Name's. The catalog is
/// wrong (C3: an error on a clean database); the walk of a tree of objid 4 from page 10 reaches
/// a page carrying objid 5: −1206 at page 10.
#[test]
fn two_catalog_rows_with_one_objid_fail_and_the_root_carrying_the_other_is_1206() {
    fails_with(|db| set_catalog_field(db, 2, 3, 5, 10, 4), 10, -1206);
}

/// C3 alone: RootObjects' row made a copy of Name's (objid 4 and root page 7): two catalog
/// entries claim one objid and one root, and no page carries a foreign objid. An error on a
/// clean database (LOGICAL-INTEGRITY.md §2.1 C3: E), whatever code names it.
#[test]
fn two_catalog_rows_claiming_one_objid_and_one_root_fail() {
    let mut db = trees::built(false);
    set_catalog_field(&mut db, 2, 3, 5, 10, 4);
    // The row now holds Id 4; find it again by its new record to change its root as well.
    trees::set_root_of_duplicate(&mut db);
    let (rc, v) = check(&db);
    assert_eq!(rc, 1, "{:#}", v["problems"]);
}

/// S4 / S6 (repair.cxx 6606-6650, 6659-6745): the table's root made a single-extent FDP whose
/// space header claims cpgPrimary 0xFFFFFFFF pages from 31 (31 + 0xFFFFFFFF − 1 wraps a u32):
/// the table owns pages its parent (the database root, 40 pages) does not: −343 at page 31.
#[test]
fn a_space_header_claiming_0xffffffff_primary_pages_is_343() {
    fails_with(
        |db| {
            edit(db, ROOT, |p| {
                let t0 = trees::node_at(p, 0);
                p[t0..t0 + 4].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
                p[t0 + 8..t0 + 16].fill(0);
            })
        },
        i64::from(ROOT),
        -343,
    );
}

/// P1 (cpage.cxx 4673-4705): itagMicFree (the low 12 bits of itagState @34) at its largest,
/// 0xFFF tags, far more than a 4 KiB page holds: the tag array cannot be read: −357
/// `JET_errPageTagCorrupted`, page-local, so an error in a dirty database too. On a data leaf
/// and on the table's internal root.
#[test]
fn a_tag_count_larger_than_the_page_is_357_in_every_state() {
    for pgno in [FIRST + 3, ROOT] {
        let damage = |db: &mut Vec<u8>| edit(db, pgno, |p| p[34..36].copy_from_slice(&0x0FFFu16.to_le_bytes()));
        fails_with(damage, i64::from(pgno), -357);
        fails_dirty_too(damage, i64::from(pgno), -357);
    }
}

/// P4 (cpage.cxx 4803-4960; repair.cxx 7335-7393): a leaf node whose cbSuffix (0x1FFF, the
/// largest the mask keeps) runs past its tag: −358 `JET_errNodeCorrupted`, in every state.
#[test]
fn a_node_whose_key_runs_past_its_tag_is_358_in_every_state() {
    let pgno = FIRST + 1;
    let damage = |db: &mut Vec<u8>| {
        edit(db, pgno, |p| {
            let at = trees::node_at(p, 1);
            p[at..at + 2].copy_from_slice(&0x1FFFu16.to_le_bytes());
        })
    };
    fails_with(damage, i64::from(pgno), -358);
    fails_dirty_too(damage, i64::from(pgno), -358);
}

/// T10 (repair.cxx 7752-7756): a data leaf that is not a root with no node (itagMicFree 1: only
/// tag 0 left): −351 `JET_errBadEmptyPage` at that leaf.
#[test]
fn a_leaf_left_with_no_node_is_351() {
    let pgno = FIRST + 4;
    fails_with(
        |db| edit(db, pgno, |p| p[34..36].copy_from_slice(&1u16.to_le_bytes())),
        i64::from(pgno),
        -351,
    );
}

/// No hostile value above makes a run hang or panic: every one of them at once.
#[test]
fn every_hostile_tree_value_at_once_still_ends_with_a_verdict() {
    let mut db = trees::built(false);
    set_child(&mut db, ROOT, 1, ROOT);
    set_child(&mut db, ROOT, 2, 0xFFFF_FFFF);
    edit(&mut db, LAST, |p| p[20..24].copy_from_slice(&FIRST.to_le_bytes()));
    set_catalog_field(&mut db, 2, 3, 5, 10, 4);
    edit(&mut db, FIRST + 3, |p| {
        p[34..36].copy_from_slice(&0x0FFFu16.to_le_bytes())
    });
    let (rc, v) = check(&db);
    assert_eq!(rc, 1, "{:#}", v["problems"]);
}
