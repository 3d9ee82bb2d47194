//! Faults around the scan (issue 6): inputs that are not regular files, that vanish or shrink
//! while being read, names that are not UTF-8, a closed stdout, and the read-only guarantee.
//! Every case must end with exit status 1 or 2 (or the input's own verdict) and a message naming
//! the file: never a signal, never a panic, never a hang.
#![cfg(unix)]

use assert_cmd::Command;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn td(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel)
}

fn esecheck() -> Command {
    let mut c = Command::cargo_bin("esecheck").unwrap();
    c.arg("--no-progress").timeout(Duration::from_secs(60));
    c
}

/// Runs esecheck and checks the shape every fault must have: an exit status (no signal), no
/// panic, and `expect` among the acceptable statuses. Returns stderr.
fn run(args: &[&OsStr], expect: &[i32]) -> String {
    let out = esecheck().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.signal(), None, "killed by a signal; stderr: {stderr}");
    let code = out.status.code().unwrap();
    assert!(
        expect.contains(&code),
        "exit {code}, expected {expect:?}; stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    stderr
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn mkfifo(path: &Path) {
    let st = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(st.success(), "mkfifo failed");
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn a_directory_given_as_a_file_is_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().as_os_str();
    for cmd in ["checksum", "header"] {
        let err = run(&[os(cmd), d], &[2]);
        assert!(err.contains(&dir.path().display().to_string()), "{cmd}: {err}");
        assert!(err.contains("directory"), "{cmd}: {err}");
    }
}

#[test]
fn a_symlink_loop_is_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.edb");
    let b = dir.path().join("b.edb");
    symlink(&b, &a).unwrap();
    symlink(&a, &b).unwrap();
    for cmd in ["checksum", "header"] {
        let err = run(&[os(cmd), a.as_os_str()], &[2]);
        assert!(err.contains(&a.display().to_string()), "{cmd}: {err}");
    }
    // Inside a directory given to verify: never skipped silently, never a hang.
    std::fs::copy(td("stroz-eseparser-generated/test.edb"), dir.path().join("test.edb")).unwrap();
    let err = run(&[os("verify"), dir.path().as_os_str()], &[1, 2]);
    assert!(err.contains("a.edb") || err.contains("b.edb"), "{err}");
}

#[test]
fn a_symlink_loop_among_logs_does_not_break_logs() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
    symlink(dir.path().join("x"), dir.path().join("y")).unwrap();
    symlink(dir.path().join("y"), dir.path().join("x")).unwrap();
    // The loop is not a log of the stream: the stream is still checked.
    run(&[os("logs"), dir.path().as_os_str()], &[0, 1]);
    // Not named like an ESE file either: the set is still judged (it passes, as without the
    // loop), and both links are listed as set aside, by name.
    let out = esecheck().arg("verify").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for name in ["/x", "/y"] {
        assert!(
            stdout.lines().any(|l| l.contains(name) && l.contains("cannot be read")),
            "{name}: {stdout}"
        );
    }
}

#[test]
fn special_files_are_refused_by_name_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("SRU00099.log");
    mkfifo(&fifo);
    for p in [Path::new("/dev/zero"), Path::new("/dev/null"), fifo.as_path()] {
        for cmd in ["checksum", "header"] {
            let err = run(&[os(cmd), p.as_os_str()], &[2]);
            assert!(err.contains(&p.display().to_string()), "{cmd} {}: {err}", p.display());
            assert!(err.contains("not a regular file"), "{cmd} {}: {err}", p.display());
        }
    }
    // A FIFO inside a set is reported as not a regular file, and the set is still checked.
    copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
    run(&[os("logs"), dir.path().as_os_str()], &[0, 1]);
    let out = esecheck().args(["verify", "--json"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.signal(), None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("SRU00099.log"), "{stdout}");
}

#[test]
fn an_unreadable_file_is_exit_2_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        eprintln!("skipped: running as root, which reads a mode-000 file anyway");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("SRUDB.dat");
    std::fs::copy(td("stroz-eseparser-generated/test.edb"), &f).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    for cmd in ["checksum", "header"] {
        let err = run(&[os(cmd), f.as_os_str()], &[2]);
        assert!(err.contains("SRUDB.dat: permission denied"), "{cmd}: {err}");
    }
    let err = run(&[os("verify"), dir.path().as_os_str()], &[2]);
    assert!(err.contains("SRUDB.dat"), "{err}");
}

#[test]
fn names_that_are_not_utf8_are_checked_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
    let odd = dir.path().join(OsStr::from_bytes(b"SRU\xff\xfe.dat"));
    std::fs::copy(td("stroz-eseparser-generated/test.edb"), &odd).unwrap();
    let out = esecheck().arg("checksum").arg(&odd).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("SRU\u{fffd}\u{fffd}.dat"));
    // In a log directory and a set: a log-like name that is not UTF-8 is set aside by name, the
    // stream is still checked, and the odd-named database is checked with the set.
    let logname = dir.path().join(OsStr::from_bytes(b"SRU\xff.log"));
    std::fs::write(&logname, b"not a log").unwrap();
    run(&[os("logs"), dir.path().as_os_str()], &[0, 1]);
    let out = esecheck().arg("verify").arg("--json").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.signal(), None);
    assert!(matches!(out.status.code(), Some(0 | 1)));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("SRU\u{fffd}\u{fffd}.dat"), "{stdout}");
}

/// Two different non-UTF-8 names that display alike must not be confused with each other.
#[test]
fn non_utf8_names_that_display_alike_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join(OsStr::from_bytes(b"db\xff.edb"));
    let b = dir.path().join(OsStr::from_bytes(b"db\xfe.edb"));
    std::fs::copy(td("stroz-eseparser-generated/test.edb"), &a).unwrap();
    std::fs::copy(td("dissect-esedb-srum/SRUDB.dat"), &b).unwrap();
    // One of the two is corrupt: the set must fail whatever the names look like.
    run(&[os("verify"), dir.path().as_os_str()], &[1]);
    run(&[os("checksum"), a.as_os_str(), b.as_os_str()], &[1]);
}

#[test]
fn a_closed_stdout_keeps_the_verdict_and_does_not_panic() {
    for (args, want) in [
        (vec![td("dissect-esedb-srum/SRUDB.dat")], 1),
        (vec![td("stroz-eseparser-generated/test.edb")], 0),
    ] {
        for json in [false, true] {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("esecheck"));
            cmd.arg("checksum").arg("--no-progress");
            if json {
                cmd.arg("--json");
            }
            let mut child = cmd
                .args(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // `| head -0`: the reader goes away before anything is written.
            drop(child.stdout.take());
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.signal(), None, "{stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert_eq!(out.status.code(), Some(want), "json={json} {args:?}: {stderr}");
        }
    }
}

#[test]
fn a_closed_stderr_does_not_panic() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("esecheck"))
        .args(["checksum", "/nonexistent/x.edb"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let st = child.wait().unwrap();
    assert_eq!(st.signal(), None);
    assert_eq!(st.code(), Some(2));
}

/// The database is larger than the read-into-memory limit, so it is mapped; it is truncated
/// while the scan runs. Without the SIGBUS handler this kills the process.
#[test]
fn a_file_truncated_while_mapped_ends_in_exit_2_not_a_signal() {
    truncate_while_mapped(&["checksum", "--threads", "1"], false);
    // verify scans with the worker pool: the fault lands on a rayon thread.
    truncate_while_mapped(&["verify", "--json"], true);
}

fn truncate_while_mapped(args: &[&str], pass_dir: bool) {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.edb");
    std::fs::copy(td("stroz-eseparser-generated/test.edb"), &big).unwrap();
    // Sparse: the rest is all-zero (uninitialized) pages, no disk used.
    let cut = |len: u64| {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&big)
            .unwrap()
            .set_len(len)
            .unwrap()
    };
    cut(768 << 20);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("esecheck"))
        .args(args)
        .arg("--no-progress")
        .arg(if pass_dir { dir.path() } else { big.as_path() })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the file is mapped, then cut it.
    let maps = format!("/proc/{}/maps", child.id());
    let name = big.display().to_string();
    let start = Instant::now();
    let mut cut_while_mapped = false;
    while start.elapsed() < Duration::from_secs(20) {
        match std::fs::read_to_string(&maps) {
            Ok(m) if m.contains(&name) => {
                cut(8192);
                cut_while_mapped = true;
                break;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(1)),
            Err(_) => break, // already gone
        }
    }
    // Alive when cut (mapped or not yet): the cut must end in exit 2, through the SIGBUS
    // handler during the scan or the re-check after it (issue 11).
    let exited_before_cut = !cut_while_mapped && child.try_wait().unwrap().is_some();
    if !cut_while_mapped {
        cut(8192);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("esecheck {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.signal(), None, "{args:?} killed by a signal; stderr: {stderr}");
    if exited_before_cut {
        // The whole run finished before the file could be cut (a very fast machine): nothing
        // about the cut can be shown by this run. The verdict rules for a file that changes
        // are tested deterministically in tests/hostile.rs (a hook between scan and re-check).
        eprintln!("note: {args:?} finished before the cut; only 'no signal' was shown");
        assert!(matches!(status.code(), Some(0..=1)), "{args:?}: {stderr}");
    } else {
        assert_eq!(status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(&name), "{args:?}: {stderr}");
    }
}

#[derive(Debug, PartialEq)]
struct Snapshot {
    mtime: std::time::SystemTime,
    atime: std::time::SystemTime,
    len: u64,
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Snapshot)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let m = std::fs::metadata(&p).unwrap();
            let s = Snapshot {
                mtime: m.modified().unwrap(),
                atime: m.accessed().unwrap(),
                len: m.len(),
            };
            (p, s)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn verify_leaves_every_file_byte_for_byte_and_time_for_time_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
    // Make atime meaningful under relatime: an atime not newer than mtime is updated by the
    // next plain read, so only an O_NOATIME open leaves it alone.
    let old = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    let mut contents = Vec::new();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        contents.push((p.clone(), std::fs::read(&p).unwrap()));
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_times(std::fs::FileTimes::new().set_accessed(old).set_modified(old))
            .unwrap();
    }
    let before = snapshot(dir.path());
    run(&[os("verify"), dir.path().as_os_str()], &[0]);
    run(&[os("logs"), dir.path().as_os_str()], &[0]);
    let mut args = vec![os("checksum")];
    let paths: Vec<PathBuf> = before.iter().map(|(p, _)| p.clone()).collect();
    args.extend(paths.iter().map(|p| p.as_os_str()));
    run(&args, &[0, 1, 2]);
    let after = snapshot(dir.path());
    assert_eq!(before, after, "metadata changed");
    for (p, bytes) in contents {
        assert_eq!(std::fs::read(&p).unwrap(), bytes, "{} changed", p.display());
    }
}

/// A log of the stream that is a FIFO or a symlink loop is a member that could not be read,
/// never a file silently left out of the stream.
#[test]
fn a_log_that_is_not_a_regular_file_is_not_left_out_of_the_stream() {
    for kind in ["fifo", "symlink loop", "directory"] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
        let log = dir.path().join("SRU00051.log");
        std::fs::remove_file(&log).unwrap();
        match kind {
            "fifo" => mkfifo(&log),
            "directory" => std::fs::create_dir(&log).unwrap(),
            _ => {
                symlink(dir.path().join("x"), &log).unwrap();
                symlink(&log, dir.path().join("x")).unwrap();
            }
        }
        let out = esecheck().arg("logs").arg(dir.path()).output().unwrap();
        assert_eq!(out.status.signal(), None);
        assert!(matches!(out.status.code(), Some(1 | 2)), "{kind}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("SRU00051.log"), "{kind}: {all}");
        // The verdict line itself names the file, not only the directory.
        let last = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .to_string();
        if kind == "directory" {
            assert!(last.contains("SRU00051.log: is a directory"), "{last}");
        }
        run(&[os("verify"), dir.path().as_os_str()], &[1, 2]);
    }
}

/// A directory where the checkpoint should be (issue 11 item 2): it may be the set's checkpoint,
/// so the set cannot be checked: exit 2 naming it (it used to be listed as ignored, exit 0).
#[test]
fn a_directory_named_like_the_checkpoint_makes_the_set_uncheckable() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), dir.path());
    let chk = dir.path().join("SRU.chk");
    std::fs::remove_file(&chk).unwrap();
    std::fs::create_dir(&chk).unwrap();
    let out = esecheck().args(["verify", "--json"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SRU.chk: is a directory, not a regular file, but is named like an ESE file"),
        "{stderr}"
    );
}

#[test]
fn directory_commands_refuse_special_paths_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let lp = dir.path().join("loop");
    symlink(&lp, &lp).unwrap();
    for p in [
        Path::new("/dev/null"),
        Path::new("/dev/zero"),
        fifo.as_path(),
        lp.as_path(),
    ] {
        for cmd in ["logs", "verify"] {
            let err = run(&[os(cmd), p.as_os_str()], &[2]);
            assert!(err.contains(&p.display().to_string()), "{cmd} {}: {err}", p.display());
        }
    }
    // A sysfs file claims 4096 bytes and yields fewer: refused, not misread.
    let sys = Path::new("/sys/kernel/mm/transparent_hugepage/enabled");
    if sys.exists() {
        let err = run(&[os("checksum"), sys.as_os_str()], &[2]);
        assert!(err.contains(&sys.display().to_string()), "{err}");
    }
}
