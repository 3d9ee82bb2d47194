//! Human-readable output in the vocabulary of eseutil (/K counters, /MH field names), so an
//! administrator can compare side by side.

use crate::format::db_header::{CopyState, DbFileHeader, HeaderCopy};
use crate::format::{BkInfo, Lgpos};
use crate::report::{Problem, Severity};
use crate::scan::database::DbCheck;
use crate::scan::flushmap::{FlushMapCheck, FlushMapHeaderCheck};
use std::io::{self, Write};

/// Prints one problem line: `ERROR: message [code name]` or `WARNING: …`, for output grouped
/// under the file the problem is in.
pub fn write_problem(out: &mut dyn Write, p: &Problem) -> io::Result<()> {
    write_problem_line(out, p, false)
}

/// Prints one problem line naming its file first (`ERROR: FILE: message …`), for lists that mix
/// files (the problems of a whole set).
pub fn write_problem_with_file(out: &mut dyn Write, p: &Problem) -> io::Result<()> {
    write_problem_line(out, p, true)
}

/// `FILE: message`: a problem as one self-contained sentence.
pub fn located_message(p: &Problem) -> String {
    format!("{}: {}", p.file, p.message)
}

fn write_problem_line(out: &mut dyn Write, p: &Problem, with_file: bool) -> io::Result<()> {
    let word = match p.severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
    };
    if with_file {
        write!(out, "{word}: {}", located_message(p))?;
    } else {
        write!(out, "{word}: {}", p.message)?;
    }
    if let Some(c) = p.code {
        write!(out, " [{} {}]", c.code(), c.name())?;
    }
    if let Some(o) = p.offset {
        write!(out, " at offset 0x{o:X}")?;
    }
    writeln!(out)
}

/// The /K summary of a database: counters in eseutil's order, then each problem once.
pub fn write_db_check(out: &mut dyn Write, c: &DbCheck) -> io::Result<()> {
    writeln!(out, "File: {}", c.path)?;
    let state = c.state.unwrap_or("unknown state");
    let detected = if c.page_size_detected {
        ""
    } else {
        ", claimed by a damaged header"
    };
    writeln!(out, "Type: database, {} byte pages{detected}, {state}", c.page_size)?;
    writeln!(out)?;
    writeln!(out, "{:>12} pages seen", c.pages_seen)?;
    writeln!(out, "{:>12} bad checksums", c.bad_checksums)?;
    writeln!(out, "{:>12} correctable checksums", c.correctable_checksums)?;
    writeln!(out, "{:>12} uninitialized pages", c.uninitialized_pages)?;
    writeln!(out, "{:>12} wrong page numbers", c.wrong_page_numbers)?;
    match c.highest_dbtime_page {
        Some(p) => writeln!(
            out,
            "{:>12} highest dbtime (pgno 0x{p:x})",
            format!("0x{:x}", c.highest_dbtime)
        )?,
        None => writeln!(out, "{:>12} highest dbtime", "none")?,
    }
    writeln!(out)?;
    for p in &c.problems {
        write_problem(out, p)?;
    }
    Ok(())
}

/// The summary of a flush map.
pub fn write_flush_map_check(out: &mut dyn Write, c: &FlushMapCheck) -> io::Result<()> {
    writeln!(out, "File: {}", c.path)?;
    writeln!(out, "Type: flush map, 8192 byte pages")?;
    writeln!(out)?;
    writeln!(out, "{:>12} pages seen", c.pages_seen)?;
    writeln!(out, "{:>12} bad checksums", c.bad_checksums)?;
    writeln!(out, "{:>12} correctable checksums", c.correctable_checksums)?;
    writeln!(out)?;
    for p in &c.problems {
        write_problem(out, p)?;
    }
    Ok(())
}

/// At most this many page numbers are listed in a one-line summary; the JSON lists stay complete.
const PAGE_LIST_MAX: usize = 10;

/// ` (page 3)`, ` (pages 3, 7)`, or nothing for an empty list: page numbers after a count, the
/// first [`PAGE_LIST_MAX`] of them when there are more.
pub fn page_list(pages: &[i64]) -> String {
    let shown: Vec<String> = pages.iter().take(PAGE_LIST_MAX).map(|p| p.to_string()).collect();
    let more = if pages.len() > PAGE_LIST_MAX {
        format!(", … {} more", pages.len() - PAGE_LIST_MAX)
    } else {
        String::new()
    };
    match pages.len() {
        0 => String::new(),
        1 => format!(" (page {})", shown.join("")),
        _ => format!(" (pages {}{more})", shown.join(", ")),
    }
}

/// The flush-map header page in the vocabulary of eseutil's flush-map dump.
pub fn write_flush_map_header(out: &mut dyn Write, path: &str, c: &FlushMapHeaderCheck) -> io::Result<()> {
    fn field(out: &mut dyn Write, label: &str, value: impl std::fmt::Display) -> io::Result<()> {
        writeln!(out, "{label:>34}: {value}")
    }
    writeln!(out, "Flush map file: {path}")?;
    let state = if c.header_ok { "OK" } else { "BAD" };
    field(
        out,
        "Header checksum",
        format_args!(
            "{state} (stored 0x{:08X}, computed 0x{:08X})",
            c.stored_checksum, c.computed_checksum
        ),
    )?;
    let Some(h) = &c.header else {
        return writeln!(out, "(the file ends before the header's fields)");
    };
    let yes = |b: bool| if b { "yes" } else { "no" };
    field(out, "Version", h.version())?;
    field(
        out,
        "Flags",
        format_args!(
            "0x{:08X} (clean: {}, new checksum format: {})",
            h.flags,
            yes(h.is_clean()),
            yes(h.new_checksum_format())
        ),
    )?;
    field(out, "File Type", h.filetype)?;
    field(out, "Flush Map Creation", h.logtime_create)?;
    field(out, "Last Flush Map Attach", h.logtime_attach)?;
    field(out, "Last Flush Map Detach", h.logtime_detach)?;
    let gen = |g: i32| format!("{g} (0x{g:x})");
    field(out, "Log Required Min.", gen(h.gen_min_required))?;
    field(out, "Log Required Min. (Next)", gen(h.gen_min_required_target))?;
    field(out, "Last Full Flush Started", h.logtime_flush_last_started)?;
    field(out, "Last Full Flush Completed", h.logtime_flush_last_completed)?;
    field(out, "DB Header Flush Signature", h.sign_db_hdr_flush)?;
    field(out, "Flush Map Header Flush Signature", h.sign_flush_map_hdr_flush)?;
    Ok(())
}

fn range(a: i32, b: i32) -> String {
    format!("{a}-{b} (0x{a:x}-0x{b:x})")
}

fn bkinfo(b: &BkInfo) -> String {
    if b.is_zero() {
        "none".to_string()
    } else {
        format!(
            "Log Gen: {}-{} (0x{:x}-0x{:x}) Mark: {} Mark time: {}",
            b.gen_low, b.gen_high, b.gen_low, b.gen_high, b.lgpos_mark, b.logtime_mark
        )
    }
}

fn lgpos(l: &Lgpos) -> String {
    l.to_string()
}

fn copy_line(c: &HeaderCopy) -> String {
    match c.state {
        CopyState::Valid => format!("OK (checksum 0x{:08X})", c.stored_checksum),
        CopyState::Missing => "missing (beyond end of file)".into(),
        CopyState::Zeroed => "all zero".into(),
        CopyState::BadChecksum => format!(
            "checksum error (stored 0x{:08X}, computed 0x{:08X})",
            c.stored_checksum, c.computed_checksum
        ),
        CopyState::PageSizeMismatch => "page size field does not match".into(),
    }
}

/// The /MH dump of a database header with eseutil's field names.
pub fn write_db_header(
    out: &mut dyn Write,
    path: &str,
    h: &DbFileHeader,
    primary: &HeaderCopy,
    shadow: &HeaderCopy,
    page_size: usize,
) -> io::Result<()> {
    let t = |t: &crate::format::LogTime| if t.is_zero() { "none".to_string() } else { t.to_string() };
    writeln!(out, "Database: {path}")?;
    writeln!(out)?;
    let rows: Vec<(&str, String)> = vec![
        ("Primary header", copy_line(primary)),
        ("Shadow header", copy_line(shadow)),
        (
            "File Type",
            match h.file_type {
                0 => "Database (file type 0)".into(),
                1 => "Database".into(),
                5 => "Temp Database".into(),
                n => format!("{n}"),
            },
        ),
        ("Checksum", format!("0x{:08x}", h.checksum)),
        ("Format ulMagic", format!("0x{:08x}", h.magic)),
        ("Format ulVersion", h.format_string()),
        ("DB Signature", h.sign_db.to_string()),
        ("cbDbPage", format!("{}", page_size)),
        ("dbtime", format!("{} (0x{:x})", h.dbtime_dirtied, h.dbtime_dirtied)),
        ("State", h.state_name().to_string()),
        ("Log Required", range(h.gen_min_required, h.gen_max_required)),
        ("Log Committed", range(0, h.gen_max_committed)),
        (
            "Log Recovering",
            format!("{} (0x{:x})", h.gen_recovering, h.gen_recovering),
        ),
        (
            "Log Consistent",
            format!("{} (0x{:x})", h.gen_min_consistent, h.gen_min_consistent),
        ),
        ("Log Signature", h.sign_log.to_string()),
        (
            "OS Version",
            format!("({}.{}.{} SP {})", h.os_major, h.os_minor, h.os_build, h.os_sp),
        ),
        ("Previous Full Backup", bkinfo(&h.bkinfo_full_prev)),
        ("Previous Incremental Backup", bkinfo(&h.bkinfo_inc_prev)),
        ("Previous Copy Backup", bkinfo(&h.bkinfo_copy_prev)),
        ("Previous Differential Backup", bkinfo(&h.bkinfo_diff_prev)),
        ("Current Full Backup", bkinfo(&h.bkinfo_full_cur)),
        ("Current Shadow copy backup", bkinfo(&h.bkinfo_snapshot_cur)),
        (
            "Last Consistent",
            format!("{} {}", lgpos(&h.lgpos_consistent), t(&h.logtime_consistent)),
        ),
        (
            "Last Attach",
            format!("{} {}", lgpos(&h.lgpos_attach), t(&h.logtime_attach)),
        ),
        (
            "Last Detach",
            format!("{} {}", lgpos(&h.lgpos_detach), t(&h.logtime_detach)),
        ),
        ("Dbid", h.dbid.to_string()),
        ("Repair Count", h.repair_count.to_string()),
        ("Repair Date", t(&h.logtime_repair)),
        ("Old Repair Count", h.repair_count_old.to_string()),
        (
            "ECC Fix Success Count",
            format!("{} {}", h.ecc_fix_success, t(&h.logtime_ecc_fix_success)),
        ),
        (
            "ECC Fix Error Count",
            format!("{} {}", h.ecc_fix_fail, t(&h.logtime_ecc_fix_fail)),
        ),
        (
            "Bad Checksum Error Count",
            format!("{} {}", h.bad_checksum, t(&h.logtime_bad_checksum)),
        ),
        (
            "Last Page Scrubbed",
            format!("dbtime {} {}", h.dbtime_last_scrub, t(&h.logtime_scrub)),
        ),
        (
            "Extend Count",
            format!("{} {}", h.extend_count, t(&h.logtime_last_extend)),
        ),
        (
            "Shrink Count",
            format!("{} {}", h.shrink_count, t(&h.logtime_last_shrink)),
        ),
    ];
    for (k, v) in rows {
        writeln!(out, "{k:>30}: {v}")?;
    }
    Ok(())
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The one line a tired administrator reads: verdict, what was checked, what may be truncated.
pub fn verify_verdict_line(r: &crate::scan::set::SetReport) -> String {
    use crate::report::Verdict;
    let d = &r.decision;
    let n = d.databases.len();
    let pages: u64 = d.databases.iter().map(|x| x.pages_seen).sum();
    let dbs = format!(
        "{n} database{} ({} pages)",
        if n == 1 { "" } else { "s" },
        thousands(pages)
    );
    let logs = match &d.logs {
        Some(l) => match (l.first, l.last) {
            (Some(a), Some(b)) if !d.unnecessary_logs_corrupt.is_empty() => format!(
                "logs {a}-{b} present ({} corrupt but not needed: below {})",
                d.unnecessary_logs_corrupt
                    .iter()
                    .map(|g| g.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                d.truncate_below.map(|t| t.to_string()).unwrap_or_default()
            ),
            (Some(a), Some(b)) => format!("logs {a}-{b}"),
            _ => "no logs".to_string(),
        },
        None => "no logs".to_string(),
    };
    let required = match d.required_range {
        Some([a, b]) => format!("required {a}-{b}"),
        None => "no logs required".to_string(),
    };
    match d.verdict {
        Verdict::Pass => {
            let trunc = match d.truncate_below {
                Some(t) => format!("Logs below {t} may be truncated."),
                None => "No log stream: nothing to truncate.".to_string(),
            };
            let warn = d.problems.len();
            let warns = if warn > 0 {
                format!(" ({warn} warning{})", if warn == 1 { "" } else { "s" })
            } else {
                String::new()
            };
            let intact = if d.unnecessary_logs_corrupt.is_empty() && d.logs.is_some() {
                " intact"
            } else {
                ""
            };
            format!("PASS: {dbs} sound, {logs}{intact}, {required}{warns}. {trunc}")
        }
        _ => {
            let first = d
                .problems
                .iter()
                .find(|p| p.is_error())
                .map(located_message)
                .unwrap_or_else(|| "warnings with --strict".into());
            let errors = d.problems.iter().filter(|p| p.is_error()).count();
            let more = if errors > 1 {
                format!(" (+{} more problem{})", errors - 1, if errors == 2 { "" } else { "s" })
            } else {
                String::new()
            };
            format!("FAIL: {first}{more}. Do not truncate.")
        }
    }
}

/// The details of a `verify` run: databases, logs, checkpoint, ranges, ignored files, problems.
pub fn write_set_details(out: &mut dyn Write, r: &crate::scan::set::SetReport) -> io::Result<()> {
    let d = &r.decision;
    writeln!(out, "Databases:")?;
    for (s, c) in d.databases.iter().zip(&r.db_checks) {
        let req = s
            .log_required
            .map(|[a, b]| format!("{a}-{b}"))
            .unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "  {} [{}] {}: {} pages seen, {} bad, {} correctable, {} uninitialized; Log Required {req}, Log Committed {}; Log Signature {}",
            s.verdict.word(),
            s.state.unwrap_or("?"),
            s.path,
            c.pages_seen,
            c.bad_checksums,
            c.correctable_checksums,
            c.uninitialized_pages,
            s.log_committed.unwrap_or(0),
            s.log_signature.map(|x| x.to_string()).unwrap_or_default()
        )?;
    }
    match &d.logs {
        Some(l) => writeln!(
            out,
            "Logs: {} {} in {}: generations {}-{} ({} files)",
            l.verdict.word(),
            l.base,
            l.directory,
            l.first.map(|g| g.to_string()).unwrap_or_default(),
            l.last.map(|g| g.to_string()).unwrap_or_default(),
            l.count
        )?,
        None => writeln!(out, "Logs: none found")?,
    }
    match &d.checkpoint {
        Some(c) => writeln!(
            out,
            "Checkpoint: {} {} generation {}",
            c.verdict.word(),
            c.path,
            c.generation.map(|g| g.to_string()).unwrap_or_else(|| "?".into())
        )?,
        None => writeln!(out, "Checkpoint: none found")?,
    }
    let opt = |v: Option<i32>| v.map(|g| g.to_string()).unwrap_or_else(|| "-".into());
    writeln!(
        out,
        "Required range: {}   truncate below: {}   roll forward to: {}",
        d.required_range
            .map(|[a, b]| format!("{a}-{b}"))
            .unwrap_or_else(|| "none".into()),
        opt(d.truncate_below),
        opt(d.roll_forward_to)
    )?;
    if !r.ignored.is_empty() {
        writeln!(out, "Ignored:")?;
        for i in &r.ignored {
            writeln!(out, "  {}: {}", i.path, i.why)?;
        }
    }
    if !d.problems.is_empty() {
        writeln!(out, "Problems:")?;
        for p in &d.problems {
            write!(out, "  ")?;
            write_problem_with_file(out, p)?;
        }
    }
    Ok(())
}
