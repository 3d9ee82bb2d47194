//! Human-readable output in the vocabulary of eseutil (/K counters, /MH field names), so an
//! administrator can compare side by side.

use crate::format::db_header::{CopyState, DbFileHeader, HeaderCopy};
use crate::format::{BkInfo, Lgpos};
use crate::report::{Problem, Severity};
use crate::scan::database::DbCheck;
use crate::scan::flushmap::FlushMapCheck;
use std::io::{self, Write};

/// Prints one problem line: `ERROR: message [code name]` or `WARNING: …`.
pub fn write_problem(out: &mut dyn Write, p: &Problem) -> io::Result<()> {
    let word = match p.severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
    };
    write!(out, "{word}: {}", p.message)?;
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
    writeln!(out)?;
    for p in &c.problems {
        write_problem(out, p)?;
    }
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
