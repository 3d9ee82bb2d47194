//! One file of any kind, checked as its bytes then its name say (CLI.md Decision 1): what
//! `checksum` does per input. A database, log, checkpoint or flush map is checked; a reserve or
//! next-generation log is listed, never verified; a file named like a member whose bytes hold no
//! ESE structure is a damaged member; anything else could not be checked. `--strict` is not
//! applied here ([`FileReport::under_strict`] is the caller's, at the edge).

use crate::codes::JetErr;
use crate::error::CheckError;
use crate::problem::Problem;
use crate::scan::classify::{classify, Classification, FileKind};
use crate::scan::database::{check_database, DbCheck, DbOptions};
use crate::scan::flushmap::{check_flush_map_with, FlushMapCheck, FlushMapOptions};
use crate::scan::{check_checkpoint, CheckpointCheck, Input, LogCheck};
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use std::path::Path;

/// A file that could not be checked, in JSON.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Unchecked {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// What it was taken for, if anything.
    #[serde(rename = "type")]
    pub kind: Option<FileKind>,
    /// Always `error`.
    pub verdict: Verdict,
    /// Why it could not be checked.
    pub error: String,
    /// The ESE error it corresponds to, if any (in the top-level `problems`).
    #[serde(skip)]
    pub code: Option<crate::codes::JetErr>,
}

/// The result for one input of `checksum`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum FileReport {
    /// A database.
    Database(Box<DbCheck>),
    /// A transaction log.
    Log(Box<LogCheck>),
    /// A checkpoint.
    Checkpoint(Box<CheckpointCheck>),
    /// A flush map.
    FlushMap(FlushMapCheck),
    /// A reserve or next-generation log: listed, never verified (CLI.md Decision 9).
    NotVerified(NotVerified),
    /// Named like a set member but holding no ESE structure (CLI.md Decision 1).
    DamagedMember(DamagedMember),
    /// Could not be checked.
    Unchecked(Unchecked),
}

/// A file that is listed but never verified: a reserve log (`*.jrs`) or the next-generation log
/// (`<base>tmp.log`). It never fails and is never "could not check".
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NotVerified {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// Always `reserve`.
    #[serde(rename = "type")]
    #[schemars(schema_with = "crate::scan::classify::always::reserve")]
    pub kind: FileKind,
    /// Always `pass`.
    pub verdict: Verdict,
    /// Why it is not verified.
    pub note: String,
}

/// A file named like a log, checkpoint or database (CLI.md Decision 1) whose bytes are all zeros
/// or no ESE structure: a damaged member, exit 1.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DamagedMember {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// The member its name promises.
    #[serde(rename = "type")]
    pub kind: FileKind,
    /// Always `fail`.
    pub verdict: Verdict,
    /// The one problem.
    pub problems: Vec<Problem>,
}

impl FileReport {
    /// The file.
    pub(crate) fn path(&self) -> &crate::escape::ShownPath {
        match self {
            FileReport::Database(c) => &c.path,
            FileReport::Log(c) => &c.path,
            FileReport::Checkpoint(c) => &c.path,
            FileReport::FlushMap(c) => &c.path,
            FileReport::NotVerified(c) => &c.path,
            FileReport::DamagedMember(c) => &c.path,
            FileReport::Unchecked(c) => &c.path,
        }
    }

    /// The file's verdict.
    pub fn verdict(&self) -> Verdict {
        match self {
            FileReport::Database(c) => c.verdict,
            FileReport::Log(c) => c.verdict,
            FileReport::Checkpoint(c) => c.verdict,
            FileReport::FlushMap(c) => c.verdict,
            FileReport::NotVerified(c) => c.verdict,
            FileReport::DamagedMember(c) => c.verdict,
            FileReport::Unchecked(_) => Verdict::Error,
        }
    }
}

impl FileReport {
    /// The file's problems (a file that could not be checked has none: its error is apart).
    pub(crate) fn problems(&self) -> &[Problem] {
        match self {
            FileReport::Database(c) => &c.problems,
            FileReport::Log(c) => &c.problems,
            FileReport::Checkpoint(c) => &c.problems,
            FileReport::FlushMap(c) => &c.problems,
            FileReport::DamagedMember(c) => &c.problems,
            FileReport::NotVerified(_) | FileReport::Unchecked(_) => &[],
        }
    }

    /// The report with `--strict` applied to its verdict (CLI.md Decision 17): warnings fail a
    /// file that was checked. Applied once, by the command, at the edge.
    pub(crate) fn under_strict(mut self, strict: bool) -> FileReport {
        match &mut self {
            FileReport::Database(c) => c.verdict = c.verdict.under_strict(&c.problems, strict),
            FileReport::Log(c) => c.verdict = c.verdict.under_strict(&c.problems, strict),
            FileReport::Checkpoint(c) => c.verdict = c.verdict.under_strict(&c.problems, strict),
            FileReport::FlushMap(c) => c.verdict = c.verdict.under_strict(&c.problems, strict),
            FileReport::NotVerified(_) | FileReport::DamagedMember(_) | FileReport::Unchecked(_) => {}
        }
        self
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Checks one file of any kind, chosen by its header (CLI.md Decision 1).
pub fn check_file(path: &Path) -> FileReport {
    check_file_then(path, &|_| {})
}

/// [`check_file`], calling `before_recheck` between the scan and the re-check that the file did
/// not change while it was checked (a test hook: it lets a test change the file at that point,
/// deterministically).
pub fn check_file_then(path: &Path, before_recheck: &dyn Fn(&Path)) -> FileReport {
    check_file_in_run(path, None, false, before_recheck)
}

/// [`check_file_then`] as one file of a run whose progress is `progress`.
pub(crate) fn check_file_in_run(
    path: &Path,
    progress: Option<&crate::scan::progress::Progress<'_>>,
    no_logical: bool,
    before_recheck: &dyn Fn(&Path),
) -> FileReport {
    let shown = path.display().to_string();
    if let Some(p) = progress {
        p.file_started(path);
    }
    let opened = Input::open(path);
    if let (Some(p), Err(_)) = (progress, &opened) {
        p.file_finished(path);
    }
    let input = match opened {
        Ok(i) => i,
        Err(e) => return unchecked(&shown, None, e),
    };
    let report = check_opened(&input, path, &shown, progress.map(|p| p.bar()), no_logical);
    if let Some(p) = progress {
        p.file_finished(path);
    }
    before_recheck(path);
    match input.stamp().recheck(path) {
        Ok(()) => report,
        Err(e) => unchecked(&shown, None, e),
    }
}

fn check_opened(
    input: &Input,
    path: &Path,
    shown: &str,
    bar: Option<&indicatif::ProgressBar>,
    no_logical: bool,
) -> FileReport {
    let report = check_opened_kind(input, path, shown, bar, no_logical);
    // A database advances the bar page by page; every other file counts once checked.
    if let (Some(b), false) = (bar, matches!(report, FileReport::Database(_))) {
        crate::scan::progress::file_checked(b, input.bytes().len() as u64, input.holes());
    }
    report
}

fn check_opened_kind(
    input: &Input,
    path: &Path,
    shown: &str,
    bar: Option<&indicatif::ProgressBar>,
    no_logical: bool,
) -> FileReport {
    let bytes = input.bytes();
    let class = classify(bytes, &file_name(path));
    if is_zero_filled_member(class, bytes) {
        return damaged_member(shown, class.kind, bytes, "");
    }
    let release = |offset: usize, len: usize| input.release(offset, len);
    match class.kind {
        FileKind::Database => {
            let map = crate::scan::flushmap::load_flush_map_beside(bytes, path, shown);
            let r = check_database(
                bytes,
                shown,
                &DbOptions {
                    progress: bar,
                    release: Some(&release),
                    holes: input.holes(),
                    crc: None,
                    in_set: false,
                    no_logical,
                    flush_map: map.used(),
                },
            );
            match r {
                Ok(mut c) => {
                    map.note(&mut c);
                    FileReport::Database(Box::new(c))
                }
                Err(e) => damaged_or_unchecked(class, shown, bytes, e),
            }
        }
        FileKind::FlushMap => {
            let c = check_flush_map_with(
                bytes,
                shown,
                &FlushMapOptions {
                    release: Some(&release),
                    holes: input.holes(),
                    crc: None,
                },
            );
            FileReport::FlushMap(c)
        }
        FileKind::Log => match crate::scan::log::check_log_with(bytes, shown, Some(&release)) {
            Ok(c) => FileReport::Log(Box::new(c)),
            Err(e) => damaged_or_unchecked(class, shown, bytes, e),
        },
        FileKind::Checkpoint => match check_checkpoint(bytes, shown) {
            Ok(c) => FileReport::Checkpoint(Box::new(c)),
            Err(e) => damaged_or_unchecked(class, shown, bytes, e),
        },
        FileKind::Reserve => FileReport::NotVerified(NotVerified {
            path: shown.into(),
            kind: FileKind::Reserve,
            verdict: Verdict::Pass,
            note: crate::scan::classify::reserve_note(bytes).to_string(),
        }),
        FileKind::Unknown => unchecked(shown, None, not_an_ese_file(shown, bytes)),
    }
}

/// CLI.md Decision 1: a file named like a log, checkpoint or database, not recognised by its
/// header, whose bytes are all zeros is a damaged member ("all zeros: never written or wiped"),
/// before any check is tried on it.
fn is_zero_filled_member(class: Classification, bytes: &[u8]) -> bool {
    let member = matches!(class.kind, FileKind::Log | FileKind::Checkpoint | FileKind::Database);
    member && !class.by_header && crate::scan::classify::is_all_zeros(bytes)
}

/// A damaged member (CLI.md Decision 1): exit 1, its one problem saying what its bytes are
/// (`detail`: what the check found).
fn damaged_member(shown: &str, kind: FileKind, bytes: &[u8], detail: &str) -> FileReport {
    FileReport::DamagedMember(DamagedMember {
        path: shown.into(),
        kind,
        verdict: Verdict::Fail,
        problems: vec![crate::scan::classify::damaged_member_problem(
            kind, bytes, shown, detail,
        )],
    })
}

/// A check that could not run on a file (CLI.md Decisions 1 and 2): one known only by its member
/// name is a damaged member (exit 1); one whose header says what it is but holds values outside
/// the allowed sets could not be checked (exit 2).
fn damaged_or_unchecked(class: Classification, shown: &str, bytes: &[u8], e: CheckError) -> FileReport {
    if class.by_header {
        unchecked(shown, Some(class.kind), e)
    } else {
        damaged_member(shown, class.kind, bytes, &e.message)
    }
}

/// CLI.md Decision 1 (and 2: shorter than 4096 bytes): a file that is no ESE file is exit 2 with
/// −1812, saying why in words (empty, too short, or no ESE structure).
fn not_an_ese_file(shown: &str, bytes: &[u8]) -> CheckError {
    let why = if bytes.is_empty() {
        "file is empty; not an ESE file".to_string()
    } else if bytes.len() < 4096 {
        format!(
            "file is {} bytes, shorter than the smallest ESE header (4096 bytes); not an ESE file",
            bytes.len()
        )
    } else {
        "not an ESE file (no database magic, no log, checkpoint or flush-map header)".to_string()
    };
    CheckError::new(shown, why).with_code(JetErr::FileInvalidType)
}

/// A file that could not be checked (exit 2), as `checksum` reports it: `kind` is what it was
/// taken for, if anything.
pub(crate) fn unchecked(path: &str, kind: Option<FileKind>, e: CheckError) -> FileReport {
    FileReport::Unchecked(Unchecked {
        path: path.into(),
        kind,
        verdict: Verdict::Error,
        error: e.message,
        code: e.code,
    })
}

/// Every problem of a `checksum` run, each naming its file: the files' own, and one error for
/// each file that could not be checked (CLI.md "JSON": the top-level `problems`).
pub(crate) fn all_problems(reports: &[FileReport]) -> Vec<Problem> {
    let mut out = Vec::new();
    for r in reports {
        match r {
            FileReport::Unchecked(u) => out.push(Problem::error(u.code, &u.path, u.error.clone())),
            r => out.extend(r.problems().iter().cloned()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{CheckpointBuilder, LogBuilder};

    fn class(kind: FileKind, by_header: bool) -> Classification {
        Classification { kind, by_header }
    }

    /// `bytes` written as `name` in a fresh directory, checked as `checksum` checks one file.
    fn check(name: &str, bytes: &[u8]) -> FileReport {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let input = Input::open(&path).unwrap();
        check_opened_kind(&input, &path, name, None, false)
    }

    #[test]
    fn only_a_member_named_so_and_all_zeros_is_zero_filled() {
        let zeros = [0u8; 8192];
        for kind in [FileKind::Log, FileKind::Checkpoint, FileKind::Database] {
            assert!(is_zero_filled_member(class(kind, false), &zeros), "{kind:?}");
            assert!(!is_zero_filled_member(class(kind, true), &zeros), "{kind:?} by header");
            assert!(
                !is_zero_filled_member(class(kind, false), &[0, 1]),
                "{kind:?} not zeros"
            );
        }
        // A flush map of zeros is checked (Decision 8); a reserve log never is.
        assert!(!is_zero_filled_member(class(FileKind::FlushMap, false), &zeros));
        assert!(!is_zero_filled_member(class(FileKind::Reserve, false), &zeros));
    }

    #[test]
    fn a_check_that_cannot_run_fails_a_member_known_by_name_and_is_exit_2_by_header() {
        let e = || CheckError::new("E00.chk", "le_lgposCheckpoint generation 0 is outside 1..=0x7FFFFA00");
        match damaged_or_unchecked(class(FileKind::Checkpoint, false), "E00.chk", &[1; 4096], e()) {
            FileReport::DamagedMember(d) => {
                assert_eq!((d.kind, d.verdict), (FileKind::Checkpoint, Verdict::Fail));
                assert_eq!(d.problems[0].code.map(crate::codes::JetErr::code), Some(-533));
                assert!(
                    d.problems[0].message.contains("outside 1..=0x7FFFFA00"),
                    "{}",
                    d.problems[0].message
                );
            }
            other => panic!("{other:?}"),
        }
        match damaged_or_unchecked(class(FileKind::Checkpoint, true), "E00.chk", &[1; 4096], e()) {
            FileReport::Unchecked(u) => {
                assert_eq!((u.kind, u.verdict), (Some(FileKind::Checkpoint), Verdict::Error));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_no_ese_file_is_1812_saying_why() {
        let code = |e: &CheckError| e.code.map(crate::codes::JetErr::code);
        let e = not_an_ese_file("x", &[]);
        assert_eq!(
            (code(&e), e.message.as_str()),
            (Some(-1812), "file is empty; not an ESE file")
        );
        let e = not_an_ese_file("x", &[1; 100]);
        assert!(
            e.message.starts_with("file is 100 bytes, shorter than"),
            "{}",
            e.message
        );
        let e = not_an_ese_file("x", &[1; 8192]);
        assert_eq!(code(&e), Some(-1812));
        assert!(e.message.starts_with("not an ESE file"), "{}", e.message);
    }

    #[test]
    fn each_kind_is_checked_as_its_bytes_then_its_name_say() {
        assert!(
            matches!(check("E0000001.log", &LogBuilder::new(1).build()), FileReport::Log(c) if c.verdict == Verdict::Pass)
        );
        assert!(matches!(
            check("whatever", &CheckpointBuilder::new().build()),
            FileReport::Checkpoint(_)
        ));
        // Named like a checkpoint, all zeros: a damaged member, exit 1 (Decision 1).
        match check("E00.chk", &[0u8; 8192]) {
            FileReport::DamagedMember(d) => {
                assert_eq!(d.verdict, Verdict::Fail);
                assert!(d.problems[0].all_zeros);
            }
            other => panic!("{other:?}"),
        }
        // A reserve log passes unverified (Decision 1); another file is not ESE, exit 2.
        match check("E00res00001.jrs", &[0u8; 8192]) {
            FileReport::NotVerified(n) => {
                assert_eq!(
                    (n.kind, n.verdict, n.note.as_str()),
                    (FileKind::Reserve, Verdict::Pass, "pre-allocated, never written")
                );
            }
            other => panic!("{other:?}"),
        }
        match check("notes.txt", b"hello") {
            FileReport::Unchecked(u) => {
                assert_eq!((u.kind, u.verdict), (None, Verdict::Error));
                assert_eq!(u.code.map(crate::codes::JetErr::code), Some(-1812));
            }
            other => panic!("{other:?}"),
        }
    }
}
