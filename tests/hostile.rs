//! Hostile environments (CLI.md "Text output" and "Exit status"): absurd `--threads`, file names that try to forge output
//! lines, files full of garbage, a stdout that cannot be written, a mapping the OS refuses, a
//! database cut to its first page. The verdict and the exit status must survive all of them.

#[cfg(unix)]
use crate::util::mkfifo;
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
        .output()
        .unwrap();
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
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--threads 18446744073709551615 capped at 256"));
}

#[test]
fn threads_within_the_cap_need_no_note_and_zero_is_still_refused() {
    let set = td("museum-srum-win10-belkasoftctf/Dirty");
    let out = esecheck_bounded(120)
        .args(["--threads", "16", "verify", "-q"])
        .arg(&set)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!text(&out.stderr).contains("capped"), "{}", text(&out.stderr));
    let out = esecheck_bounded(120)
        .args(["--threads", "0", "verify", "-q"])
        .arg(&set)
        .output()
        .unwrap();
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
            let out = c.arg(target).output().unwrap();
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
    let out = esecheck_bounded(120).arg("header").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().filter(|l| l.starts_with("PASS")).count(), 1, "{stdout}");
    assert!(
        stdout.contains("Database: ") && stdout.contains("bad\\nPASS"),
        "{stdout}"
    );
    // JSON escapes on its own: the path is the name as it is.
    let out = esecheck_bounded(120)
        .args(["checksum", "--json"])
        .arg(&f)
        .output()
        .unwrap();
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
        let out = c.arg(&f).output().unwrap();
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
        let out = esecheck_bounded(120).arg(cmd).arg(&missing).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        no_line_starts_with_pass(cmd, &out.stdout);
        // The reason is on the one verdict line, escaped; stderr does not repeat it.
        assert_eq!(text(&out.stdout), format!("{line}\n"), "{cmd}");
        assert_eq!(text(&out.stderr), "", "{cmd}");
    }
    // JSON carries the name as it is.
    let out = esecheck_bounded(120)
        .args(["verify", "--json"])
        .arg(&missing)
        .output()
        .unwrap();
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
    let out = esecheck_bounded(120).arg("checksum").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains(r"C:\Backups\SRUDB.dat"),
        "{}",
        text(&out.stdout)
    );
    let out = esecheck_bounded(120).arg("verify").arg(&f).output().unwrap();
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
    let out = esecheck_bounded(120).arg("checksum").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "flush-map damage is a warning");
    let stdout = text(&out.stdout);
    assert!(stdout.lines().count() <= 70, "{} lines", stdout.lines().count());
    assert_eq!(stdout.matches("WARNING: flush map ").count(), 50);
    assert!(
        stdout.contains("… and 8142 more problems; --json lists them all"),
        "{stdout}"
    );
    let out = esecheck_bounded(120)
        .args(["checksum", "--json"])
        .arg(&f)
        .output()
        .unwrap();
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
    let out = esecheck_bounded(120).arg("checksum").arg(&f).output().unwrap();
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
    let out = esecheck_bounded(120).arg("verify").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.lines().count() <= 80,
        "{} lines:\n{stdout}",
        stdout.lines().count()
    );
    assert!(stdout.contains("more problems in "), "{stdout}");
    assert!(stdout.contains("tail.edb; --json lists them all"), "{stdout}");
    let out = esecheck_bounded(120)
        .args(["verify", "--json"])
        .arg(&f)
        .output()
        .unwrap();
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
        let out = c.arg(td(file)).stdout(full).output().unwrap();
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
        .output()
        .unwrap();
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
        .output()
        .unwrap();
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
        let out = esecheck_bounded(120)
            .args(["checksum", "--json"])
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{rel}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let c = &v["files"][0];
        assert_eq!(c["page_size"], ps, "{rel}: the page size is still detected");
        assert_eq!(c["page_size_detected"], true, "{rel}");
        assert_eq!(c["bad_checksums"], 1, "{rel}");
        assert_eq!(c["bad_pages"], serde_json::json!([0]), "{rel}");
        let out = esecheck_bounded(120).args(["checksum"]).arg(&f).output().unwrap();
        assert!(text(&out.stdout).contains("1 bad checksums"), "{rel}");
        let out = esecheck_bounded(120)
            .args(["verify", "--json"])
            .arg(&f)
            .output()
            .unwrap();
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
    let out = esecheck_bounded(120)
        .args(["verify", "--json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["path"].as_str().unwrap().ends_with("pipe") && i["why"] == "a FIFO, not a regular file"));
}
