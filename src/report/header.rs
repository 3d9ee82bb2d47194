//! `header`'s decisions and its only rendering (eseutil /MH, /ML, /MK): which problems of a
//! file concern its header, when a header dump fails (CLI.md Decisions 4 and 8), and the dump
//! itself, text or JSON.

use crate::error::CheckError;
use crate::escape::escape_controls;
use crate::problem::Problem;
use crate::report::output::{could_not_check, Options, Sinks};
use crate::report::{json, log_text, text};
use crate::scan::classify::{Classification, FileKind};
use crate::scan::header_copies::CopyState;
use crate::scan::{check_checkpoint, check_log};
use crate::verdict::Verdict;
use serde::Serialize;
use std::io;

#[derive(Serialize)]
struct DbHeaderJson<'a> {
    path: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    verdict: Verdict,
    page_size: Option<usize>,
    primary: CopyJson,
    shadow: CopyJson,
    identical: bool,
    header: Option<&'a crate::format::DbFileHeader>,
    problems: Vec<Problem>,
}

#[derive(Serialize)]
struct CopyJson {
    state: CopyState,
    stored_checksum: u32,
    computed_checksum: u32,
}

/// The header of one file whose bytes are `bytes`, classified as `class`, named `shown`: checked as
/// its kind says and written out (text or one JSON document). The verdict with `--strict`
/// applied.
pub fn write_header(
    bytes: &[u8],
    shown: &str,
    class: Classification,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Verdict> {
    let shown = shown.to_string();
    if let Some(v) = header_not_dumped(bytes, &shown, class, opts, sinks)? {
        return Ok(v);
    }
    match class.kind {
        // A database is recognised by its magic only (CLI.md Decision 1), as in `checksum`.
        FileKind::Database if bytes.len() >= 4096 && class.by_header => db_header(bytes, &shown, opts, sinks),
        FileKind::Log => match check_log(bytes, &shown) {
            Ok(c) => {
                let verdict = header_verdict(&c.problems, c.header.is_some(), opts.strict);
                if opts.json {
                    let body = serde_json::json!({"path": shown, "type": "log", "header": c.header});
                    json::write(sinks.out, &json::document("header", verdict, &body, &c.problems))?;
                } else {
                    if !opts.quiet {
                        log_text::write_log_header_dump(sinks.out, &c)?;
                        for p in c.problems.iter().filter(|p| is_header_problem(p)) {
                            text::write_problem(sinks.out, p)?;
                        }
                    }
                    let state = if c.header.is_some() { "valid" } else { "damaged" };
                    let shown = escape_controls(&shown);
                    writeln!(sinks.out, "{}: {shown}: log header {state}", verdict.word())?;
                }
                Ok(verdict)
            }
            Err(e) => could_not_check("header", &e, opts, sinks),
        },
        FileKind::Checkpoint => match check_checkpoint(bytes, &shown) {
            Ok(c) => {
                let verdict = Verdict::from_problems(&c.problems, opts.strict);
                if opts.json {
                    let body = serde_json::json!({"path": shown, "type": "checkpoint", "primary_ok": c.primary_ok, "shadow_ok": c.shadow_ok, "generation": c.generation, "shadow_generation": c.shadow_generation, "header": c.header});
                    json::write(sinks.out, &json::document("header", verdict, &body, &c.problems))?;
                } else {
                    if !opts.quiet {
                        log_text::write_checkpoint_header_dump(sinks.out, &c)?;
                        for p in &c.problems {
                            text::write_problem(sinks.out, p)?;
                        }
                    }
                    let ok = |b: bool| if b { "OK" } else { "bad" };
                    let warnings = c.problems.iter().filter(|p| !p.is_error()).count();
                    let word = match verdict {
                        Verdict::Pass if warnings > 0 => "PASS with warnings",
                        v => v.word(),
                    };
                    let differs = match c.problems.iter().find(|p| !p.is_error()) {
                        Some(p) if verdict == Verdict::Pass => format!("; {}", p.message),
                        _ => String::new(),
                    };
                    writeln!(
                        sinks.out,
                        "{word}: {}: checkpoint primary {}, shadow {}{differs}",
                        escape_controls(&shown),
                        ok(c.primary_ok),
                        ok(c.shadow_ok)
                    )?;
                }
                Ok(verdict)
            }
            Err(e) => could_not_check("header", &e, opts, sinks),
        },
        // A flush map is recognised by its header or its name (Decision 1), as in `checksum`.
        FileKind::FlushMap if bytes.len() >= 4096 => {
            let mut h = crate::scan::flushmap::check_flush_map_header(bytes, &shown);
            // `header` follows /MH: an unusable header page fails, even of a flush map (Decision 8).
            if !h.header_ok {
                for p in &mut h.problems {
                    p.severity = crate::problem::Severity::Error;
                }
            }
            let verdict = Verdict::from_problems(&h.problems, opts.strict);
            if opts.json {
                let body = serde_json::json!({"path": shown, "type": "flushmap", "header_ok": h.header_ok, "stored_checksum": h.stored_checksum, "computed_checksum": h.computed_checksum, "header": h.header});
                json::write(sinks.out, &json::document("header", verdict, &body, &h.problems))?;
                writeln!(sinks.out)?;
            } else {
                if !opts.quiet {
                    text::write_flush_map_header(sinks.out, &shown, &h)?;
                    writeln!(sinks.out)?;
                    for p in &h.problems {
                        text::write_problem(sinks.out, p)?;
                    }
                }
                let shown = crate::escape::Shown(&shown);
                let line = match (verdict, h.problems.iter().find(|p| p.is_error())) {
                    (Verdict::Pass, _) if h.problems.is_empty() => {
                        format!("PASS: {shown}: flush map header valid.")
                    }
                    (Verdict::Pass, _) => format!(
                        "PASS with warnings: {shown}: flush map header usable ({} warning(s)).",
                        h.problems.len()
                    ),
                    (_, Some(p)) => format!("FAIL: {shown}: {}", crate::escape::Shown(&p.message)),
                    (_, None) => format!("FAIL: {shown}: flush map header warnings with --strict"),
                };
                writeln!(sinks.out, "{line}")?;
            }
            Ok(verdict)
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
            could_not_check("header", &CheckError::new(&shown, why).with_code(code), opts, sinks)
        }
    }
}

/// The documents of several files' headers as one (CLI.md "JSON": `files` holds each file's
/// document, `problems` the union of theirs).
pub fn write_headers_json(docs: Vec<serde_json::Value>, verdict: Verdict, sinks: &mut Sinks<'_>) -> io::Result<()> {
    let mut problems = Vec::new();
    for doc in &docs {
        if let Ok(ps) = serde_json::from_value::<Vec<serde_json::Value>>(doc["problems"].clone()) {
            problems.extend(ps);
        }
    }
    let body = serde_json::json!({ "files": docs });
    let mut doc = json::document("header", verdict, &body, &[]);
    doc["problems"] = serde_json::Value::Array(problems);
    json::write(sinks.out, &doc)
}

/// `header` on a file that has no header to dump: a reserve or next-generation log (never
/// verified, exit 0) or a file named like a member with no ESE structure (a damaged member, exit
/// 1; CLI.md Decision 1). `None` for everything else.
fn header_not_dumped(
    bytes: &[u8],
    path: &str,
    class: crate::scan::classify::Classification,
    opts: &Options,
    sinks: &mut Sinks<'_>,
) -> io::Result<Option<Verdict>> {
    use crate::scan::classify::{damaged_member_problem, is_all_zeros, reserve_note};
    let member = matches!(class.kind, FileKind::Log | FileKind::Checkpoint | FileKind::Database);
    let (verdict, kind, note, problems) = if class.kind == FileKind::Reserve {
        (Verdict::Pass, class.kind, Some(reserve_note(bytes)), Vec::new())
    } else if member && !class.by_header && (is_all_zeros(bytes) || class.kind == FileKind::Database) {
        let p = damaged_member_problem(class.kind, bytes, path, "no database magic in either header copy");
        (Verdict::Fail, class.kind, None, vec![p])
    } else {
        return Ok(None);
    };
    if opts.json {
        let body = serde_json::json!({"path": path, "type": kind, "note": note, "header": null});
        json::write(sinks.out, &json::document("header", verdict, &body, &problems))?;
        writeln!(sinks.out)?;
    } else if let Some(n) = note {
        writeln!(sinks.out, "PASS: {}: not verified: {n}", escape_controls(path))?;
    } else if let Some(p) = problems.first() {
        writeln!(sinks.out, "FAIL: {}: {}", escape_controls(path), p.message)?;
    }
    Ok(Some(verdict))
}

fn db_header(bytes: &[u8], path: &str, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    use crate::codes::JetErr;
    let sh = crate::scan::header_copies::read_shadowed_header(bytes);
    if sh.page_size.is_none() {
        if let Some(v) = sh.unsupported_page_size {
            let e = CheckError::new(path, format!("header le_cbPageSize = {v} is not a page size ESE uses"));
            return could_not_check("header", &e, opts, sinks);
        }
    }
    let mut problems = Vec::new();
    for (copy, name) in [(&sh.primary, "primary"), (&sh.shadow, "shadow")] {
        if copy.state != CopyState::Valid {
            problems.push(Problem::warning(
                Some(JetErr::ReadVerifyFailure),
                path,
                format!("{name} header is not valid ({:?})", copy.state),
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
    // Issue 20 rule 1: /MH dumps any state; one the engine would refuse is a warning here.
    problems.extend(chosen.and_then(|h| crate::scan::database::refusal_problem(h, path, false)));
    if chosen.is_none() {
        problems.push(Problem::error(
            Some(JetErr::DatabaseCorrupted),
            path,
            "neither header copy is valid",
        ));
    }
    let verdict = Verdict::from_problems(&problems, opts.strict);
    if opts.json {
        let j = DbHeaderJson {
            path,
            kind: "database",
            verdict,
            page_size: sh.page_size,
            primary: CopyJson {
                state: sh.primary.state,
                stored_checksum: sh.primary.stored_checksum,
                computed_checksum: sh.primary.computed_checksum,
            },
            shadow: CopyJson {
                state: sh.shadow.state,
                stored_checksum: sh.shadow.stored_checksum,
                computed_checksum: sh.shadow.computed_checksum,
            },
            identical: sh.identical,
            header: chosen,
            problems,
        };
        json::write(sinks.out, &json::document("header", verdict, &j, &j.problems))?;
        return Ok(verdict);
    }
    if !opts.quiet {
        // With both copies bad, still show what the primary says: it is what an examiner wants.
        let shown = chosen.or(sh.primary.header.as_ref()).or(sh.shadow.header.as_ref());
        if let Some(h) = shown {
            text::write_db_header(
                sinks.out,
                path,
                h,
                &sh.primary,
                &sh.shadow,
                sh.page_size.unwrap_or(h.page_size() as usize),
            )?;
            writeln!(sinks.out)?;
        }
        for p in &problems {
            text::write_problem(sinks.out, p)?;
        }
    }
    let shown = escape_controls(path);
    let line = match verdict {
        Verdict::Pass if problems.is_empty() => format!("PASS: {shown}: header valid, primary and shadow identical."),
        Verdict::Pass => format!("PASS: {shown}: header usable ({} warning(s)).", problems.len()),
        _ => format!(
            "FAIL: {shown}: {}",
            escape_controls(
                problems
                    .iter()
                    .find(|p| p.is_error())
                    .map(|p| p.message.as_str())
                    .unwrap_or("header check failed")
            )
        ),
    };
    writeln!(sinks.out, "{line}")?;
    Ok(verdict)
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
