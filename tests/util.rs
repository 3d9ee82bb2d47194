//! What several modules of the integration test binary (`tests/tests.rs`) need, written once:
//! where the bundled test data and the shared corpus are, the `esecheck` command, scratch copies
//! of real sets, and readers of the codes in a report.

use assert_cmd::Command;
use esecheck::problem::Problem;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// Every page size ESE uses (ESE-FORMAT.md §2).
pub const PAGE_SIZES: [usize; 5] = [2048, 4096, 8192, 16384, 32768];

/// The real dirty SRUM set with its logs and checkpoint (corpus MANIFEST: Log Required 81,
/// checkpoint 81, logs 78-82).
pub const BELKA_DIRTY: &str = "museum-srum-win10-belkasoftctf/Dirty";

// ---- the real files --------------------------------------------------------------------------

/// `testdata/`, the real files bundled with the crate.
pub fn testdata_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// `rel` under `testdata/`.
pub fn td(rel: &str) -> PathBuf {
    testdata_dir().join(rel)
}

/// The bytes of `rel` under `testdata/`.
pub fn read_td(rel: &str) -> Vec<u8> {
    let p = td(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The shared corpus (`../shared/corpus`), when present. `ESECHECK_CORPUS=required` (set by
/// `.ci/run`, which always has the corpus beside the clone) turns its absence into a failure, so
/// CI cannot pass by skipping what uses it; anywhere else (a user's clone, a user's own CI) the
/// caller skips that part with a note on stderr (docs/ARCHITECTURE.md "Tests").
pub fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let required = std::env::var("ESECHECK_CORPUS").is_ok_and(|v| v == "required");
    assert!(
        p.is_dir() || !required,
        "ESECHECK_CORPUS=required but {} is not a directory",
        p.display()
    );
    p.is_dir().then_some(p)
}

/// Every file under `dir`, at any depth, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// `p` under `root` with `/` between components whatever the platform, as the MANIFEST names
/// files (`Path::display` would give `\` on Windows).
pub fn rel_name(p: &Path, root: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap();
    let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
    parts.join("/")
}

// ---- scratch copies (tests never modify testdata) --------------------------------------------

/// Copies every file of the directory `from` into the directory `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// A scratch copy of the real set `rel` of `testdata/`, in a temporary directory.
pub fn copy_set(rel: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&td(rel), dir.path());
    dir
}

/// A FIFO at `path`.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system entry.
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {}",
        path.display()
    );
}

// ---- the command -----------------------------------------------------------------------------

/// The `esecheck` executable cargo built for these tests, for a `std::process::Command` where
/// assert_cmd's cannot do it (stdout to a file, a pipe closed early, a shell around it).
pub fn esecheck_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("esecheck")
}

/// Runs a command to its end and gives its output, starting it once more when starting or
/// waiting for it fails (not when it fails: its exit status is the test's). Under Wine, starting
/// a process fails now and then with OS error 1359 ("Internal error": twice in a few CI runs of
/// the whole suite); that is the harness, not esecheck.
pub trait Run {
    /// The output of the finished command; panics when it could not be run twice.
    fn run(&mut self) -> std::process::Output;
}

fn run_twice(mut output: impl FnMut() -> std::io::Result<std::process::Output>) -> std::process::Output {
    output()
        .or_else(|e| {
            eprintln!("running the command failed ({e}); starting it once more");
            output()
        })
        .unwrap_or_else(|e| panic!("the command could not be run: {e}"))
}

impl Run for Command {
    fn run(&mut self) -> std::process::Output {
        run_twice(|| self.output())
    }
}

impl Run for std::process::Command {
    fn run(&mut self) -> std::process::Output {
        run_twice(|| self.output())
    }
}

/// `esecheck`, as cargo built it.
pub fn esecheck() -> Command {
    Command::cargo_bin("esecheck").unwrap()
}

/// `esecheck --no-progress`.
pub fn esecheck_no_progress() -> Command {
    let mut c = esecheck();
    c.arg("--no-progress");
    c
}

/// `esecheck --no-progress`, killed after `secs` seconds: for runs that must end by themselves
/// (a hang then fails its test instead of stalling the suite).
pub fn esecheck_bounded(secs: u64) -> Command {
    let mut c = esecheck_no_progress();
    c.timeout(Duration::from_secs(secs));
    c
}

/// Output bytes as text, invalid UTF-8 replaced.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An argument as an `OsStr`, for argument lists mixing strings and paths.
pub fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

// ---- codes in reports ------------------------------------------------------------------------

/// The ESE codes of the errors among `problems` (warnings and problems without a code left out).
pub fn error_codes<'a>(problems: impl IntoIterator<Item = &'a Problem>) -> Vec<i32> {
    problems
        .into_iter()
        .filter(|p| p.is_error())
        .filter_map(|p| p.code.map(|c| c.code()))
        .collect()
}

/// The codes of the problems of `severity` ("error", "warning") in a JSON report.
pub fn json_codes(v: &serde_json::Value, severity: &str) -> Vec<i64> {
    v["problems"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|p| p["severity"] == severity)
                .filter_map(|p| p["code"].as_i64())
                .collect()
        })
        .unwrap_or_default()
}

/// CLI.md "Exit status": a run that could not check exits 2 with the reason on its stdout verdict
/// line, its last line, which is `line` exactly, and says nothing on stderr (stderr carries only
/// what stdout does not). Returns stdout.
pub fn assert_exit_2_line(cmd: &mut Command, line: &str) -> String {
    let out = cmd.run();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout.lines().last(), Some(line), "stdout: {stdout}");
    assert!(stdout.ends_with('\n'), "{stdout}");
    assert_eq!(stderr, "", "stderr must hold only what stdout does not say");
    stdout
}

/// The page `pgno` of a database's `bytes` (`page_size` bytes after the two header copies) as
/// the scan hands it to the structure readers (`format::catalog`, `space_map`, `tree_walk`):
/// when it verifies or is blank; `None` for a bad, correctable or misplaced page, or one past
/// the end of the file.
pub fn readable_page(bytes: &[u8], page_size: usize, pgno: u32) -> Option<&[u8]> {
    use esecheck::checksum::{verify_page, PageStatus};
    let pages = (bytes.len() / page_size) as u32;
    let start = (pgno as usize + 1).checked_mul(page_size)?;
    let page = bytes.get(start..start.checked_add(page_size)?)?;
    match verify_page(page, pgno, pages.saturating_sub(2)).status {
        PageStatus::Good | PageStatus::Uninitialized => Some(page),
        PageStatus::Correctable | PageStatus::Bad | PageStatus::WrongPageNumber => None,
    }
}
