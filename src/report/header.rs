//! `header`'s decisions and its only rendering (eseutil /MH, /ML, /MK): which problems of a
//! file concern its header, when a header dump fails (CLI.md Decisions 4 and 8), and the dump
//! itself, text or JSON.

use crate::error::CheckError;
use crate::escape::{escape_controls, ShownPath};
use crate::problem::Problem;
use crate::report::json::{self, Body, Document};
use crate::report::output::{Options, Sinks};
use crate::report::{log_text, text};
use crate::scan::classify::{Classification, FileKind};
use crate::scan::header_copies::CopyState;
use crate::scan::{check_checkpoint, check_log};
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use std::io;

/// One header copy of a database, in `header --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct CopyJson {
    /// Valid, bad checksum, all zero, beyond the end of the file…
    pub state: CopyState,
    /// The checksum the copy stores.
    pub stored_checksum: u32,
    /// The checksum computed over it.
    pub computed_checksum: u32,
}

impl CopyJson {
    fn of(c: &crate::scan::header_copies::HeaderCopy) -> Self {
        CopyJson {
            state: c.state,
            stored_checksum: c.stored_checksum,
            computed_checksum: c.computed_checksum,
        }
    }
}

/// `header --json`'s keys (CLI.md "JSON"), by what the file is: each variant is one shape of
/// document; several files are one document whose `files` holds each file's.
// Not `deny_unknown_fields`: the body is flattened into the document with the envelope's keys,
// and the document's schema closes it (`unevaluatedProperties: false`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum HeaderBody {
    /// A database: both copies and the one in use (eseutil /MH).
    Database {
        /// The file.
        path: crate::escape::ShownPath,
        /// `database`.
        #[serde(rename = "type")]
        #[schemars(schema_with = "crate::scan::classify::always::database")]
        kind: FileKind,
        /// The page size detected (`null` when no copy verifies).
        page_size: Option<usize>,
        /// The primary copy (page −1).
        primary: CopyJson,
        /// The shadow copy (page 0).
        shadow: CopyJson,
        /// Both copies verify and are identical.
        identical: bool,
        /// DBFILEHDR of the copy in use.
        header: Option<Box<crate::format::DbFileHeader>>,
    },
    /// A log (eseutil /ML on a file).
    Log {
        /// The file.
        path: crate::escape::ShownPath,
        /// `log`.
        #[serde(rename = "type")]
        #[schemars(schema_with = "crate::scan::classify::always::log")]
        kind: FileKind,
        /// LGFILEHDR, when its checksum verifies.
        header: Option<Box<crate::format::LogFileHeader>>,
    },
    /// A checkpoint (eseutil /MK).
    Checkpoint {
        /// The file.
        path: crate::escape::ShownPath,
        /// `checkpoint`.
        #[serde(rename = "type")]
        #[schemars(schema_with = "crate::scan::classify::always::checkpoint")]
        kind: FileKind,
        /// The primary copy verifies.
        primary_ok: bool,
        /// The shadow copy verifies.
        shadow_ok: bool,
        /// Generation of the copy in use.
        generation: Option<i32>,
        /// Generation of the shadow copy, when it verifies.
        shadow_generation: Option<i32>,
        /// CHECKPOINT of the copy in use.
        header: Option<Box<crate::format::CheckpointFile>>,
    },
    /// A flush map (FMFILEHDR).
    FlushMap {
        /// The file.
        path: crate::escape::ShownPath,
        /// `flushmap`.
        #[serde(rename = "type")]
        #[schemars(schema_with = "crate::scan::classify::always::flushmap")]
        kind: FileKind,
        /// The header page verifies.
        header_ok: bool,
        /// The checksum the header page stores.
        stored_checksum: u32,
        /// The checksum computed over it.
        computed_checksum: u32,
        /// FMFILEHDR.
        header: Option<Box<crate::format::flush_map::FlushMapFileHeader>>,
    },
    /// A reserve log (not verified) or a damaged member: no header to dump.
    NotDumped {
        /// The file.
        path: crate::escape::ShownPath,
        /// What its name makes it.
        #[serde(rename = "type")]
        kind: FileKind,
        /// Why it is not verified (reserve logs).
        note: Option<&'static str>,
        /// Always `null`.
        header: Option<()>,
    },
    /// A file that could not be read as any ESE file.
    Unknown {
        /// The file.
        path: crate::escape::ShownPath,
        /// Always `null`.
        #[serde(rename = "type")]
        #[schemars(schema_with = "crate::scan::classify::always::null")]
        kind: Option<FileKind>,
        /// Always `null`.
        header: Option<()>,
    },
    /// Several files: each one's document.
    Files {
        /// One document per file, in the order named.
        files: Vec<Document<HeaderBody>>,
    },
}

impl Body for HeaderBody {
    const COMMAND: crate::command_kind::CommandKind = crate::command_kind::CommandKind::Header;
    fn empty(err: &CheckError) -> Self {
        HeaderBody::Unknown {
            path: err.path.clone(),
            kind: None,
            header: None,
        }
    }
}

/// What `header` made of one file: its verdict and, in `--json` mode, its document (written by
/// the caller: alone, or among several files').
pub(crate) struct HeaderOutcome {
    /// The verdict, `--strict` applied.
    pub verdict: Verdict,
    /// The file's document (`--json` only).
    pub document: Option<Document<HeaderBody>>,
}

/// `header`'s could-not-check for one file, on stdout: the verdict line naming the reason
/// ("ERROR: could not check the header: PATH: …."), or the error document kept (`--json`).
fn cannot(e: &CheckError, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<HeaderOutcome> {
    if !opts.json {
        writeln!(
            sinks.out,
            "{}",
            crate::report::output::could_not_check_line(" the header", e, "")
        )?;
    }
    Ok(HeaderOutcome {
        verdict: Verdict::Error,
        document: opts.json.then(|| Document::error(e)),
    })
}

/// A checked header's outcome: the document in `--json` mode.
fn outcome(verdict: Verdict, opts: &Options, body: impl FnOnce() -> HeaderBody, problems: &[Problem]) -> HeaderOutcome {
    HeaderOutcome {
        verdict,
        document: opts.json.then(|| Document::new(verdict, body(), problems.to_vec())),
    }
}

/// `header` on a file that could not be opened: could not check, naming it.
pub(crate) fn could_not_open(e: &CheckError, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<HeaderOutcome> {
    cannot(e, opts, sinks)
}

/// Between two files' text dumps, a blank line (nothing in `--json` or `--quiet` mode).
pub(crate) fn write_between_files(opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<()> {
    if !opts.json && !opts.quiet {
        writeln!(sinks.out)?;
    }
    Ok(())
}

/// Writes the document of one file, or of several as one (CLI.md "JSON": `files` holds each
/// file's document, `problems` the union of theirs).
pub(crate) fn write_documents(
    mut docs: Vec<Document<HeaderBody>>,
    verdict: Verdict,
    sinks: &mut Sinks<'_>,
) -> io::Result<()> {
    if docs.len() == 1 {
        return json::write(sinks.out, &docs.remove(0));
    }
    let problems = docs.iter().flat_map(|d| d.problems.iter().cloned()).collect();
    json::write(
        sinks.out,
        &Document::new(verdict, HeaderBody::Files { files: docs }, problems),
    )
}

/// The header of one file whose bytes are `bytes`, classified as `class`, named `shown`: checked as
/// its kind says and written out in text, or kept as its JSON document. The verdict with
/// `--strict` applied.
pub(crate) fn write_header(
    bytes: &[u8],
    shown: &ShownPath,
    class: Classification,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<HeaderOutcome> {
    let shown = shown.clone();
    if let Some(o) = header_not_dumped(bytes, &shown, class, opts, sinks)? {
        return Ok(o);
    }
    match class.kind {
        // A database is recognised by its magic only (CLI.md Decision 1), as in `checksum`.
        FileKind::Database if bytes.len() >= 4096 && class.by_header => db_header(bytes, &shown, opts, sinks),
        FileKind::Log => match check_log(bytes, shown.unescaped()) {
            Ok(c) => {
                let verdict = header_verdict(&c.problems, c.header.is_some(), opts.strict);
                if !opts.json {
                    if !opts.quiet {
                        log_text::write_log_header_dump(sinks.out, &c)?;
                        for p in c.problems.iter().filter(|p| is_header_problem(p)) {
                            text::write_problem(sinks.out, p)?;
                        }
                    }
                    let state = if c.header.is_some() { "valid" } else { "damaged" };
                    let shown = &shown;
                    let own: Vec<Problem> = c.problems.iter().filter(|p| is_header_problem(p)).cloned().collect();
                    let why = match failed_by(&own) {
                        Some(why) if verdict != Verdict::Pass => format!(": {why}"),
                        _ => String::new(),
                    };
                    writeln!(sinks.out, "{}: {shown}: log header {state}{why}", verdict.word())?;
                }
                let body = || HeaderBody::Log {
                    path: shown.clone(),
                    kind: FileKind::Log,
                    header: c.header.clone().map(Box::new),
                };
                Ok(outcome(verdict, opts, body, &c.problems))
            }
            Err(e) => cannot(&e, opts, sinks),
        },
        FileKind::Checkpoint => match check_checkpoint(bytes, shown.unescaped()) {
            Ok(c) => {
                let verdict = Verdict::from_problems(&c.problems, opts.strict);
                if !opts.json {
                    if !opts.quiet {
                        log_text::write_checkpoint_header_dump(sinks.out, &c)?;
                        for p in &c.problems {
                            text::write_problem(sinks.out, p)?;
                        }
                    }
                    let ok = |b: bool| if b { "OK" } else { "bad" };
                    let warnings = c.problems.iter().filter(|p| p.is_warning()).count();
                    let word = match verdict {
                        Verdict::Pass if warnings > 0 => "PASS with warnings",
                        v => v.word(),
                    };
                    let differs = match c.problems.iter().find(|p| p.is_warning()) {
                        Some(p) if verdict == Verdict::Pass => format!("; {}", escape_controls(&p.message)),
                        _ => failed_by(&c.problems).map(|why| format!("; {why}")).unwrap_or_default(),
                    };
                    writeln!(
                        sinks.out,
                        "{word}: {}: checkpoint primary {}, shadow {}{differs}",
                        &shown,
                        ok(c.primary_ok),
                        ok(c.shadow_ok)
                    )?;
                }
                let body = || HeaderBody::Checkpoint {
                    path: shown.clone(),
                    kind: FileKind::Checkpoint,
                    primary_ok: c.primary_ok,
                    shadow_ok: c.shadow_ok,
                    generation: c.generation,
                    shadow_generation: c.shadow_generation,
                    header: c.header.clone().map(Box::new),
                };
                Ok(outcome(verdict, opts, body, &c.problems))
            }
            Err(e) => cannot(&e, opts, sinks),
        },
        // A flush map is recognised by its header or its name (Decision 1), as in `checksum`.
        FileKind::FlushMap if bytes.len() >= 4096 => {
            let mut h = crate::scan::flushmap::check_flush_map_header(bytes, shown.unescaped());
            // `header` follows /MH: an unusable header page fails, even of a flush map (Decision 8).
            if !h.header_ok {
                for p in &mut h.problems {
                    p.severity = crate::problem::Severity::Error;
                }
            }
            let verdict = Verdict::from_problems(&h.problems, opts.strict);
            if !opts.json {
                if !opts.quiet {
                    text::write_flush_map_header(sinks.out, &shown, &h)?;
                    writeln!(sinks.out)?;
                    for p in &h.problems {
                        text::write_problem(sinks.out, p)?;
                    }
                }
                let shown = &shown;
                let line = match (verdict, h.problems.iter().find(|p| p.is_error())) {
                    (Verdict::Pass, _) if h.problems.is_empty() => {
                        format!("PASS: {shown}: flush map header valid.")
                    }
                    (Verdict::Pass, _) => format!(
                        "PASS with warnings: {shown}: flush map header usable ({} warning(s)).",
                        h.problems.len()
                    ),
                    (_, Some(p)) => format!("FAIL: {shown}: {}", crate::escape::Shown(&p.message)),
                    (_, None) => format!(
                        "FAIL: {shown}: {}",
                        failed_by(&h.problems).unwrap_or_else(|| "flush map header warnings with --strict".into())
                    ),
                };
                writeln!(sinks.out, "{line}")?;
            }
            let body = || HeaderBody::FlushMap {
                path: shown.clone(),
                kind: FileKind::FlushMap,
                header_ok: h.header_ok,
                stored_checksum: h.stored_checksum,
                computed_checksum: h.computed_checksum,
                header: h.header.clone().map(Box::new),
            };
            Ok(outcome(verdict, opts, body, &h.problems))
        }
        _ => {
            let why = if bytes.len() < 4096 {
                format!(
                    "file is {} bytes, shorter than the smallest ESE header (4096 bytes)",
                    bytes.len()
                )
            } else {
                "not an ESE database, log, checkpoint or flush map".to_string()
            };
            let code = crate::codes::JetErr::FileInvalidType;
            cannot(&CheckError::new(shown.unescaped(), why).with_code(code), opts, sinks)
        }
    }
}

/// What failed a header, for its verdict line (escaped): the first error's message, or with
/// `--strict` and only warnings the warning that failed it ("with --strict, a warning: …", as
/// `verify` says). `None` without problems.
fn failed_by(problems: &[Problem]) -> Option<String> {
    match problems.iter().find(|p| p.is_error()) {
        Some(p) => Some(escape_controls(&p.message).into_owned()),
        None => problems
            .first()
            .map(|p| format!("with --strict, a warning: {}", escape_controls(&p.message))),
    }
}

/// `header` on a file that has no header to dump: a reserve or next-generation log (never
/// verified, exit 0) or a file named like a member with no ESE structure (a damaged member, exit
/// 1; CLI.md Decision 1). `None` for everything else.
fn header_not_dumped(
    bytes: &[u8],
    path: &ShownPath,
    class: crate::scan::classify::Classification,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Option<HeaderOutcome>> {
    use crate::scan::classify::{damaged_member_problem, is_all_zeros, reserve_note};
    let member = matches!(class.kind, FileKind::Log | FileKind::Checkpoint | FileKind::Database);
    let (verdict, kind, note, problems) = if class.kind == FileKind::Reserve {
        (Verdict::Pass, class.kind, Some(reserve_note(bytes)), Vec::new())
    } else if member && !class.by_header && (is_all_zeros(bytes) || class.kind == FileKind::Database) {
        let p = damaged_member_problem(
            class.kind,
            bytes,
            path.unescaped(),
            "no database magic in either header copy",
        );
        (Verdict::Fail, class.kind, None, vec![p])
    } else {
        return Ok(None);
    };
    if opts.json {
        // Written by the caller.
    } else if let Some(n) = note {
        writeln!(sinks.out, "PASS: {path}: not verified: {n}")?;
    } else if let Some(p) = problems.first() {
        writeln!(sinks.out, "FAIL: {path}: {}", escape_controls(&p.message))?;
    }
    let body = || HeaderBody::NotDumped {
        path: path.into(),
        kind,
        note,
        header: None,
    };
    Ok(Some(outcome(verdict, opts, body, &problems)))
}

fn db_header(bytes: &[u8], path: &ShownPath, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<HeaderOutcome> {
    use crate::codes::JetErr;
    let sh = crate::scan::header_copies::read_shadowed_header(bytes);
    if sh.page_size.is_none() {
        if let Some(v) = sh.unsupported_page_size {
            let e = CheckError::new(
                path.unescaped(),
                format!("header le_cbPageSize = {v} is not a page size ESE uses"),
            );
            return cannot(&e, opts, sinks);
        }
    }
    let mut problems = Vec::new();
    for (copy, name) in [(&sh.primary, "primary"), (&sh.shadow, "shadow")] {
        if copy.state != CopyState::Valid {
            problems.push(Problem::warning(
                Some(JetErr::ReadVerifyFailure),
                path,
                format!("{name} header is not valid ({})", text::copy_state_text(copy.state)),
            ));
        }
    }
    if sh.primary.state == CopyState::Valid && sh.shadow.state == CopyState::Valid && !sh.identical {
        problems.push(Problem::warning(
            None,
            path,
            "primary and shadow headers are not identical",
        ));
    }
    let chosen = sh.chosen();
    // /MH dumps any state; one the engine would refuse is a warning here, one it never writes
    // cannot be checked (CLI.md Decisions 2 and 22), as in `checksum`.
    if let Some(e) = chosen.and_then(|h| crate::scan::database::state_or_type_never_written(h, path.unescaped())) {
        return cannot(&e, opts, sinks);
    }
    problems.extend(chosen.and_then(|h| crate::scan::database::refusal_problem(h, path.unescaped(), false)));
    if chosen.is_none() {
        problems.push(Problem::error(
            Some(JetErr::DatabaseCorrupted),
            path,
            "neither header copy is valid",
        ));
    }
    let verdict = Verdict::from_problems(&problems, opts.strict);
    if opts.json {
        let body = || HeaderBody::Database {
            path: path.into(),
            kind: FileKind::Database,
            page_size: sh.page_size,
            primary: CopyJson::of(&sh.primary),
            shadow: CopyJson::of(&sh.shadow),
            identical: sh.identical,
            header: chosen.cloned().map(Box::new),
        };
        return Ok(outcome(verdict, opts, body, &problems));
    }
    if !opts.quiet {
        // With both copies bad, still show what the primary says: it is what an examiner wants.
        let shown = chosen.or(sh.primary.header.as_ref()).or(sh.shadow.header.as_ref());
        if let Some(h) = shown {
            text::write_db_header(sinks.out, path, h, &sh.primary, &sh.shadow)?;
            writeln!(sinks.out)?;
        }
        for p in &problems {
            text::write_problem(sinks.out, p)?;
        }
    }
    let shown = path;
    let line = match verdict {
        Verdict::Pass if problems.is_empty() => format!("PASS: {shown}: header valid, primary and shadow identical."),
        Verdict::Pass => format!("PASS: {shown}: header usable ({} warning(s)).", problems.len()),
        _ => format!(
            "FAIL: {shown}: {}",
            failed_by(&problems).unwrap_or_else(|| "header check failed".into())
        ),
    };
    writeln!(sinks.out, "{line}")?;
    Ok(outcome(
        verdict,
        opts,
        || HeaderBody::Unknown {
            path: Default::default(),
            kind: None,
            header: None,
        },
        &problems,
    ))
}

/// Problems of a log that concern its header (the `header` command shows only those).
fn is_header_problem(p: &Problem) -> bool {
    p.sector.is_none()
}

/// `header` on a log: fails only when the header itself is unusable or breaks a header rule.
fn header_verdict(problems: &[Problem], header_ok: bool, strict: bool) -> Verdict {
    let own: Vec<Problem> = problems.iter().filter(|p| is_header_problem(p)).cloned().collect();
    if !header_ok {
        return Verdict::Fail;
    }
    Verdict::from_problems(&own, strict)
}
