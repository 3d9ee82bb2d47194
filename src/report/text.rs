//! Human-readable output in the vocabulary of eseutil (/K counters, /MH field names), so an
//! administrator can compare side by side.

use crate::format::db_header::DbFileHeader;
use crate::format::{Generation, GenerationRange, GenerationRuns, Lgpos, LogTime, Signature};
use crate::problem::{Problem, Severity};
use crate::scan::database::DbCheck;
use crate::scan::flushmap::{FlushMapCheck, FlushMapHeaderCheck};
use crate::scan::header_copies::{CopyState, HeaderCopy};
use std::io::{self, Write};

/// At most this many problems of one file are printed in text; the rest are counted in one line
/// (`… and N more; --json lists them all`), so that a file full of garbage still gives a report a
/// person can read. JSON lists every problem.
pub(crate) const MAX_TEXT_PROBLEMS_PER_FILE: usize = 50;

use crate::escape::{escape_controls, ShownPath};

/// Prints one problem line: `ERROR: message [code name]` or `WARNING: …`, for output grouped
/// under the file the problem is in.
pub(crate) fn write_problem(out: &mut dyn Write, p: &Problem) -> io::Result<()> {
    write_problem_line(out, p, false)
}

/// Prints one problem line naming its file first (`ERROR: FILE: message …`), for lists that mix
/// files (the problems of a whole set).
pub(crate) fn write_problem_with_file(out: &mut dyn Write, p: &Problem) -> io::Result<()> {
    write_problem_line(out, p, true)
}

/// `FILE: message`: a problem as one self-contained sentence.
pub(crate) fn located_message(p: &Problem) -> String {
    format!("{}: {}", p.file, escape_controls(&p.message))
}

fn write_problem_line(out: &mut dyn Write, p: &Problem, with_file: bool) -> io::Result<()> {
    let word = match p.severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    };
    if with_file {
        write!(out, "{word}: {}", located_message(p))?;
    } else {
        write!(out, "{word}: {}", escape_controls(&p.message))?;
    }
    // The owner, when the message does not name it already (CLI.md Decision 23).
    if let Some(t) = p.table.as_deref().filter(|t| !p.message.contains(*t)) {
        write!(out, " (table {})", escape_controls(t))?;
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
pub(crate) fn write_db_check(out: &mut dyn Write, c: &DbCheck) -> io::Result<()> {
    writeln!(out, "File: {}", c.path)?;
    let state = c.state.map_or("unknown state", state_name_text);
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
    write_page_list(out, "Bad pages", &c.bad_pages)?;
    write_page_list(out, "Correctable pages", &c.correctable_pages)?;
    write_problems(out, &c.problems)?;
    write_damaged_tables(out, "", c.tables.as_deref(), &c.problems)
}

/// The tables a database's damage reaches (CLI.md Decision 23), one block each, by full name:
/// records read, the estimate lost and recoverable, and each tree with damaged pages; then, when
/// a finding waits on the logs, the advice to recover a copy. `indent` starts every line.
pub(crate) fn write_damaged_tables(
    out: &mut dyn Write,
    indent: &str,
    tables: Option<&[crate::scan::database::TableSummary]>,
    problems: &[Problem],
) -> io::Result<()> {
    let damaged: Vec<_> = tables
        .unwrap_or_default()
        .iter()
        .filter(|t| t.trees.iter().any(|r| r.damaged_pages > 0) || t.records_recoverable > 0)
        .collect();
    if !damaged.is_empty() {
        writeln!(out, "{indent}Damaged tables:")?;
    }
    for t in damaged {
        writeln!(
            out,
            "{indent}  table {} (objid {}): {} records read, about {} lost, {} recoverable (through the leaf chain or a scan of its pages)",
            escape_controls(&t.name),
            t.objid,
            t.records,
            t.records_lost_estimate,
            t.records_recoverable
        )?;
        for r in t.trees.iter().filter(|r| r.damaged_pages > 0) {
            let kind = match r.kind {
                crate::problem::TreeKindName::Data => "data",
                crate::problem::TreeKindName::LongValues => "long values",
                crate::problem::TreeKindName::Index => "index",
                crate::problem::TreeKindName::Catalog => "catalog",
                crate::problem::TreeKindName::Space => "space",
                crate::problem::TreeKindName::Root => "root",
            };
            let what = match r.kind {
                crate::problem::TreeKindName::Index => "no rows lost: the index can be rebuilt",
                crate::problem::TreeKindName::LongValues => "long values lost",
                crate::problem::TreeKindName::Space | crate::problem::TreeKindName::Catalog => "no user data lost",
                _ => "records lost",
            };
            writeln!(
                out,
                "{indent}    {kind} tree {} (root page {}): {} damaged of {} pages reached ({what})",
                escape_controls(&r.name),
                r.pgno_fdp,
                r.damaged_pages,
                r.pages
            )?;
        }
    }
    if problems.iter().any(|p| p.pending_recovery == Some(true)) {
        writeln!(
            out,
            "{indent}The database needs its logs: findings marked pending recovery may be repaired by replaying them. Recover a copy (esentutl /r) and check it again."
        )?;
    }
    Ok(())
}

/// Most page runs printed on one page-list line; the rest are counted.
const MAX_TEXT_PAGE_RUNS: usize = 50;

/// Runs of consecutive numbers in an ascending list: `[143, 144, 145, 200]` → `[(143, 145),
/// (200, 200)]`. The header copies (−1 and 0) stay runs of their own, so that no run reads
/// like "-1-5".
pub(crate) fn page_runs(pages: &[i64]) -> Vec<(i64, i64)> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &p in pages {
        match runs.last_mut() {
            Some((_, end)) if *end >= 1 && end.checked_add(1) == Some(p) => *end = p,
            _ => runs.push((p, p)),
        }
    }
    runs
}

/// `LABEL: 143-158, 200 (17 pages)`: a page list with its runs compressed, at most
/// [`MAX_TEXT_PAGE_RUNS`] runs. Nothing for an empty list.
fn write_page_list(out: &mut dyn Write, label: &str, pages: &[i64]) -> io::Result<()> {
    if pages.is_empty() {
        return Ok(());
    }
    let runs = page_runs(pages);
    let shown: Vec<String> = runs
        .iter()
        .take(MAX_TEXT_PAGE_RUNS)
        .map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") })
        .collect();
    let more = if runs.len() > MAX_TEXT_PAGE_RUNS {
        format!(", … and {} more runs", runs.len() - MAX_TEXT_PAGE_RUNS)
    } else {
        String::new()
    };
    let n = pages.len();
    writeln!(
        out,
        "{label}: {}{more} ({n} page{})",
        shown.join(", "),
        if n == 1 { "" } else { "s" }
    )?;
    writeln!(out)
}

/// The problems of one file, one line each, at most [`MAX_TEXT_PROBLEMS_PER_FILE`] of them, then
/// one line counting the rest. When some are left out, the ones about the whole file (no page, no
/// sector: a truncation, a header rule) are shown first, so they are never among those left out
/// behind a run of bad pages.
pub(crate) fn write_problems(out: &mut dyn Write, problems: &[Problem]) -> io::Result<()> {
    if problems.len() <= MAX_TEXT_PROBLEMS_PER_FILE {
        for p in problems {
            write_problem(out, p)?;
        }
        return Ok(());
    }
    let whole_file = |p: &&Problem| p.page.is_none() && p.sector.is_none();
    let first = problems.iter().filter(whole_file);
    let then = problems.iter().filter(|p| !whole_file(p));
    for p in first.chain(then).take(MAX_TEXT_PROBLEMS_PER_FILE) {
        write_problem(out, p)?;
    }
    write_more_line(out, "", problems.len() - MAX_TEXT_PROBLEMS_PER_FILE, None)
}

/// A list of problems of several files, each line naming its file (`ERROR: FILE: message …`),
/// after `indent`: at most [`MAX_TEXT_PROBLEMS_PER_FILE`] per file, in the list's order, then one
/// line per file counting the rest (`… and N more problems in FILE; --json lists them all`).
pub(crate) fn write_problems_per_file(out: &mut dyn Write, indent: &str, problems: &[Problem]) -> io::Result<()> {
    let mut seen: std::collections::HashMap<&ShownPath, usize> = std::collections::HashMap::new();
    let mut order: Vec<&ShownPath> = Vec::new();
    for p in problems {
        let n = seen.entry(&p.file).or_insert_with(|| {
            order.push(&p.file);
            0
        });
        *n += 1;
        if *n <= MAX_TEXT_PROBLEMS_PER_FILE {
            // A follow-on is shown under its cause, marked (CLI.md Decision 15, follow-ons).
            let mark = if p.follows.is_some() { "  ↳ " } else { "" };
            write!(out, "{indent}{mark}")?;
            write_problem_with_file(out, p)?;
        }
    }
    for file in order {
        let more = seen
            .get(file)
            .map_or(0, |n| n.saturating_sub(MAX_TEXT_PROBLEMS_PER_FILE));
        write_more_line(out, indent, more, Some(file))?;
    }
    Ok(())
}

/// `… and N more; --json lists them all` (with the file named when the list mixes files).
fn write_more_line(out: &mut dyn Write, indent: &str, more: usize, file: Option<&ShownPath>) -> io::Result<()> {
    if more == 0 {
        return Ok(());
    }
    let what = if more == 1 { "problem" } else { "problems" };
    match file {
        Some(f) => writeln!(out, "{indent}… and {more} more {what} in {f}; --json lists them all"),
        None => writeln!(out, "{indent}… and {more} more {what}; --json lists them all"),
    }
}

/// The summary of a flush map.
pub(crate) fn write_flush_map_check(out: &mut dyn Write, c: &FlushMapCheck) -> io::Result<()> {
    writeln!(out, "File: {}", c.path)?;
    writeln!(out, "Type: flush map, 8192 byte pages")?;
    writeln!(out)?;
    writeln!(out, "{:>12} pages seen", c.pages_seen)?;
    writeln!(out, "{:>12} bad checksums", c.bad_checksums)?;
    writeln!(out, "{:>12} correctable checksums", c.correctable_checksums)?;
    writeln!(out)?;
    write_problems(out, &c.problems)
}

/// At most this many page numbers are listed in a one-line summary; the JSON lists stay complete.
const PAGE_LIST_MAX: usize = 10;

/// ` (page 3)`, ` (pages 3, 7)`, or nothing for an empty list: page numbers after a count, the
/// first `PAGE_LIST_MAX` of them when there are more.
pub(crate) fn page_list(pages: &[i64]) -> String {
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
pub(crate) fn write_flush_map_header(out: &mut dyn Write, path: &ShownPath, c: &FlushMapHeaderCheck) -> io::Result<()> {
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

/// The notation of eseutil's dumps (CLI.md Decision 18), each function one of the engine's
/// printf formats (dbdump.cxx, daedef.hxx, logdump.cxx), so that a dump reads as eseutil's.
///
/// A generation as /ML's `lGeneration` prints it (`%u (0x%X)`): `81 (0x51)`.
pub(crate) fn gen_text(g: i64) -> String {
    format!("{} (0x{:X})", g as u32, g as u32)
}

/// A log position (`(0x%X,%X,%X)`: generation, sector, byte, in upper-case hex): `(0x51,8,0)`.
pub(crate) fn lgpos_text(l: Lgpos) -> String {
    format!("(0x{:X},{:X},{:X})", l.generation as u32, l.isec, l.ib)
}

/// A time as `DUMPPrintLogTime` prints it (`%02d/%02d/%04d %02d:%02d:%02d.%3.3d %s`):
/// `02/14/2021 02:34:52.486 UTC`, `LOC` when the time is not marked UTC — an unset time too:
/// `00/00/1900 00:00:00.000 LOC`.
pub(crate) fn time_text(t: &LogTime) -> String {
    t.to_string()
}

/// A signature as `SigToSz` prints it (`Create time:%02d/%02d/%04d %02d:%02d:%02d.%3.3d
/// Rand:%lu Computer:%s`, no time zone): `Create time:08/01/2020 21:48:10.509 Rand:2749186782
/// Computer:`, the same for databases, logs and checkpoints.
pub(crate) fn signature_text(s: &Signature) -> String {
    let t = s.created();
    let b = t.raw;
    format!(
        "Create time:{:02}/{:02}/{:04} {:02}:{:02}:{:02}.{:03} Rand:{} Computer:{}",
        b[4],
        b[3],
        1900 + u32::from(b[5]),
        b[2],
        b[1],
        b[0],
        t.millis(),
        s.random(),
        escape_controls(&s.computer_name())
    )
}

/// A database state in eseutil's words: `Dirty Shutdown`.
pub(crate) fn state_text(state: u32) -> &'static str {
    crate::format::db_header::state_words(state)
}

/// A state's engine name (`DirtyShutdown`, as JSON has it) in eseutil's words, for text.
pub(crate) fn state_name_text(name: &str) -> &'static str {
    (0..=8)
        .find(|&s| crate::format::db_header::state_name(s) == name)
        .map_or("Unknown", state_text)
}

/// A header copy's state in words (`bad checksum`, not `BadChecksum`).
pub(crate) fn copy_state_text(state: CopyState) -> &'static str {
    match state {
        CopyState::Valid => "valid",
        CopyState::Missing => "beyond the end of the file",
        CopyState::Zeroed => "all zero",
        CopyState::BadChecksum => "bad checksum",
        CopyState::PageSizeMismatch => "page size field does not match",
    }
}

fn copy_line(c: &HeaderCopy) -> String {
    match c.state {
        CopyState::Valid => format!("OK (checksum 0x{:08x})", c.stored_checksum),
        CopyState::Missing => "missing (beyond end of file)".into(),
        CopyState::Zeroed => "all zero".into(),
        CopyState::BadChecksum => format!(
            "checksum error (stored 0x{:08x}, computed 0x{:08x})",
            c.stored_checksum, c.computed_checksum
        ),
        CopyState::PageSizeMismatch => "page size field does not match".into(),
    }
}

/// The /MH dump of a database header: the lines of eseutil's `ErrDUMPHeader` and
/// `ErrDUMPHeaderStandard` (dbdump.cxx), in their order, labels, padding and notation, so an
/// administrator can hold the two side by side. The copy dumped is the primary when it verifies
/// ("DATABASE HEADER:"), else the shadow when it does ("DATABASE SHADOW HEADER:", as eseutil),
/// else the primary anyway. Left out, as they describe eseutil's binary and not the file:
/// `Engine ulMagic` and `Engine ulVersion`; and the patch file's lines (legacy streaming
/// backup, read from a second file). What esecheck adds (each copy's state, the time fields
/// eseutil leaves out of this header) follows the block, each line starting `esecheck:`.
pub(crate) fn write_db_header(
    out: &mut dyn Write,
    path: &ShownPath,
    h: &DbFileHeader,
    primary: &HeaderCopy,
    shadow: &HeaderCopy,
) -> io::Result<()> {
    let lt = time_text;
    let sig = signature_text;
    let lg = lgpos_text;
    let u = |v: i32| v as u32;
    writeln!(out, "         Database: {path}")?;
    let dumped = if primary.state != CopyState::Valid && shadow.state == CopyState::Valid {
        writeln!(out, "\nDATABASE SHADOW HEADER:")?;
        shadow
    } else {
        writeln!(out, "\nDATABASE HEADER:")?;
        primary
    };
    writeln!(out, "Checksum Information:")?;
    writeln!(out, "Expected Checksum: 0x{:08x}", dumped.computed_checksum)?;
    writeln!(out, "  Actual Checksum: 0x{:08x}", dumped.stored_checksum)?;
    writeln!(out, "\nFields:")?;
    let file_type = if h.attrib == 0 { "Database" } else { "UNKNOWN" };
    writeln!(out, "        File Type: {file_type}")?;
    writeln!(out, "         Checksum: 0x{:x}", h.checksum)?;
    writeln!(out, "   Format ulMagic: 0x{:x}", h.magic)?;
    writeln!(
        out,
        " Format ulVersion: 0x{:x},{},{}  (attached by {})",
        h.version, h.dae_update_major as i32, h.dae_update_minor as i32, h.efv_max_bin_attach as i32
    )?;
    writeln!(
        out,
        "Created ulVersion: 0x{:x},{}",
        h.create_version, h.create_update as i16
    )?;
    writeln!(out, "     DB Signature: {}", sig(&h.sign_db))?;
    writeln!(out, "         cbDbPage: {}", h.cb_page_size as i32)?;
    writeln!(
        out,
        "           dbtime: {} (0x{:x})",
        h.dbtime_dirtied, h.dbtime_dirtied
    )?;
    writeln!(out, "            State: {}", state_text(h.db_state))?;
    let (min, max, pre) = (
        u(h.gen_min_required),
        u(h.gen_max_required),
        u(h.gen_pre_redo_min_required),
    );
    writeln!(
        out,
        "     Log Required: {min}-{max} (0x{min:x}-0x{max:x}) [Min. Req. Pre-Redo: {pre} (0x{pre:x})]"
    )?;
    writeln!(out, "Gen. Max. Req. Creation Time: {}", lt(&h.logtime_gen_max_required))?;
    let com = u(h.gen_max_committed);
    writeln!(out, "    Log Committed: 0-{com} (0x0-0x{com:x})")?;
    writeln!(out, "Gen. Max. Com. Creation Time: {}", lt(&h.logtime_gen_max_create))?;
    let (con, pre) = (u(h.gen_min_consistent), u(h.gen_pre_redo_min_consistent));
    writeln!(
        out,
        "   Log Consistent: {con} (0x{con:x}) [Pre-Redo: {pre} (0x{pre:x})]"
    )?;
    let rec = u(h.gen_recovering);
    writeln!(out, "   Log Recovering: {rec} (0x{rec:x})")?;
    // m_ulDbFlags byte 0, fDbShadowingDisabled (0x01): a flag, not whether the shadow verifies.
    let shadowed = if h.db_flags & 1 != 0 { "No" } else { "Yes" };
    writeln!(out, "         Shadowed: {shadowed}")?;
    writeln!(out, "       Last Objid: {}", h.objid_last)?;
    writeln!(
        out,
        "     Scrub Dbtime: {} (0x{:x})",
        h.dbtime_last_scrub, h.dbtime_last_scrub
    )?;
    writeln!(out, "       Scrub Date: {}", lt(&h.logtime_scrub))?;
    writeln!(out, "     Repair Count: {}", h.repair_count)?;
    writeln!(out, "      Repair Date: {}", lt(&h.logtime_repair))?;
    writeln!(out, " Old Repair Count: {}", h.repair_count_old)?;
    writeln!(
        out,
        "  Last Consistent: {}  {}",
        lg(h.lgpos_consistent),
        lt(&h.logtime_consistent)
    )?;
    writeln!(
        out,
        "      Last Attach: {}  {}",
        lg(h.lgpos_attach),
        lt(&h.logtime_attach)
    )?;
    writeln!(
        out,
        "      Last Detach: {}  {}",
        lg(h.lgpos_detach),
        lt(&h.logtime_detach)
    )?;
    writeln!(
        out,
        "    Last ReAttach: {}  {}",
        lg(h.lgpos_last_reattach),
        lt(&h.logtime_last_reattach)
    )?;
    writeln!(out, "             Dbid: {}", h.dbid as i16)?;
    writeln!(out, "    Log Signature: {}", sig(&h.sign_log))?;
    writeln!(
        out,
        "       OS Version: ({}.{}.{} SP {} NLS {:x}.{:x})",
        h.os_major,
        h.os_minor,
        h.os_build,
        h.os_sp,
        h.sort_version >> 32,
        h.sort_version & 0xFFFF_FFFF
    )?;
    let reseed = h.incremental_reseed_count != 0
        || h.incremental_reseed_count_old != 0
        || h.page_patch_count != 0
        || h.page_patch_count_old != 0;
    if reseed {
        writeln!(out, "     Reseed Count: {}", h.incremental_reseed_count)?;
        writeln!(out, "      Reseed Date: {}", lt(&h.logtime_incremental_reseed))?;
        writeln!(out, " Old Reseed Count: {}", h.incremental_reseed_count_old)?;
        writeln!(out, "      Patch Count: {}", h.page_patch_count)?;
        writeln!(out, "       Patch Date: {}", lt(&h.logtime_page_patch))?;
        writeln!(out, "  Old Patch Count: {}", h.page_patch_count_old)?;
    }
    for (name, b, kind) in [
        ("Previous Full Backup", &h.bkinfo_full_prev, h.bkinfo_type_full_prev),
        (
            "Previous Incremental Backup",
            &h.bkinfo_inc_prev,
            h.bkinfo_type_inc_prev,
        ),
        ("Previous Copy Backup", &h.bkinfo_copy_prev, h.bkinfo_type_copy_prev),
        (
            "Previous Differential Backup",
            &h.bkinfo_diff_prev,
            h.bkinfo_type_diff_prev,
        ),
        ("Current Full Backup", &h.bkinfo_full_cur, 0),
        ("Current Shadow copy backup", &h.bkinfo_snapshot_cur, 0),
    ] {
        // DBFILEHDR::BKINFOTYPE: 0 backupNormal, 1 backupOSSnapshot, 2 backupSnapshot.
        let suffix = match kind {
            0 => "",
            1 => " - OSSnapshot",
            2 => " - Snapshot",
            _ => " - UNKNOWN",
        };
        let (lo, hi) = (b.gen_low, b.gen_high);
        writeln!(out, "\n{name}:")?;
        writeln!(out, "        Log Gen: {lo}-{hi} (0x{lo:x}-0x{hi:x}){suffix}")?;
        writeln!(out, "           Mark: {}", lg(b.lgpos_mark))?;
        writeln!(out, "           Mark: {}", lt(&b.logtime_mark))?;
    }
    writeln!(out)?;
    writeln!(out, "     cpgUpgrade55Format: {}", h.cpg_upgrade_55_format)?;
    writeln!(out, "    cpgUpgradeFreePages: {}", h.cpg_upgrade_free_pages)?;
    writeln!(out, "cpgUpgradeSpaceMapPages: {}", h.cpg_upgrade_space_map_pages)?;
    let resize = if h.lgpos_last_resize == h.lgpos_attach {
        "(Matches \"Last Attach\", no subsequent resize)"
    } else if h.lgpos_last_resize == h.lgpos_consistent {
        "(Matches \"Last Consistent\", no subsequent resize)"
    } else {
        ""
    };
    writeln!(out, "\n      Last Resize: {}  {resize}", lg(h.lgpos_last_resize))?;
    writeln!(out, "\n     Extend Count: {}", h.extend_count)?;
    writeln!(out, "      Extend Date: {}", lt(&h.logtime_last_extend))?;
    writeln!(out, "\n     Shrink Count: {}", h.shrink_count)?;
    writeln!(out, "      Shrink Date: {}", lt(&h.logtime_last_shrink))?;
    writeln!(out, "\n       Trim Count: {}", h.trim_count)?;
    // Only for JET_filetypeDatabase (1), as eseutil.
    if h.file_type == 1 {
        writeln!(out)?;
        let found = |n: u32| {
            if n == 0 {
                "none".to_string()
            } else {
                format!("found ({n})")
            }
        };
        writeln!(out, "       ECC Fix Success Count: {}", found(h.ecc_fix_success))?;
        if h.ecc_fix_success != 0 {
            writeln!(out, "   Last ECC Fix Success Date: {}", lt(&h.logtime_ecc_fix_success))?;
        }
        writeln!(out, "   Old ECC Fix Success Count: {}", found(h.ecc_fix_success_old))?;
        writeln!(out, "         ECC Fix Error Count: {}", found(h.ecc_fix_fail))?;
        if h.ecc_fix_fail != 0 {
            writeln!(out, "     Last ECC Fix Error Date: {}", lt(&h.logtime_ecc_fix_fail))?;
        }
        writeln!(out, "     Old ECC Fix Error Count: {}", found(h.ecc_fix_fail_old))?;
        writeln!(out, "    Bad Checksum Error Count: {}", found(h.bad_checksum))?;
        if h.bad_checksum != 0 {
            writeln!(out, "Last Bad Checksum Error Date: {}", lt(&h.logtime_bad_checksum))?;
        }
        writeln!(out, "Old bad Checksum Error Count: {}", found(h.bad_checksum_old))?;
        writeln!(out)?;
        writeln!(
            out,
            "  Last Database Maintenance Finish Date: {}",
            lt(&h.logtime_dbscan_prev)
        )?;
        writeln!(
            out,
            "Current Database Maintenance Start Date: {}",
            lt(&h.logtime_dbscan_start)
        )?;
        writeln!(
            out,
            "      Highest Continuous Database Maintenance Page: {}",
            h.pgno_dbscan_highest_continuous
        )?;
        writeln!(
            out,
            "      Highest Database Maintenance Page: {}",
            h.pgno_dbscan_highest
        )?;
    }
    writeln!(out)?;
    writeln!(out, "  Database Header Flush Signature: {}", sig(&h.sign_db_hdr_flush))?;
    writeln!(
        out,
        " Flush Map Header Flush Signature: {}",
        sig(&h.sign_flush_map_hdr_flush)
    )?;
    writeln!(out, "       RBS Header Flush Signature: {}", sig(&h.sign_rbs_hdr_flush))?;
    let revert = h.revert_count > 0 || h.revert_page_count > 0;
    if revert {
        writeln!(out)?;
        writeln!(out, "     Revert Count: {}", h.revert_count)?;
        writeln!(out, " Revert From Date: {}", lt(&h.logtime_revert_from))?;
        writeln!(out, "   Revert To Date: {}", lt(&h.logtime_revert_to))?;
        writeln!(out, "Revert Page Count: {}", h.revert_page_count)?;
        writeln!(out, "Last Commit Before Revert: {}  ", lg(h.lgpos_commit_before_revert))?;
    }
    // eseutil's block ends here (its trailing blank line); what follows is esecheck's own.
    writeln!(out)?;
    writeln!(out, "esecheck: primary header: {}", copy_line(primary))?;
    writeln!(out, "esecheck: shadow header: {}", copy_line(shadow))?;
    // The times eseutil prints only when their count is set: in text whatever the count, as in
    // JSON, so that no time of the header is JSON-only.
    let mut left_out: Vec<(&str, &LogTime)> = Vec::new();
    if h.file_type != 1 || h.ecc_fix_success == 0 {
        left_out.push(("Last ECC Fix Success Date", &h.logtime_ecc_fix_success));
    }
    if h.file_type != 1 || h.ecc_fix_fail == 0 {
        left_out.push(("Last ECC Fix Error Date", &h.logtime_ecc_fix_fail));
    }
    if h.file_type != 1 || h.bad_checksum == 0 {
        left_out.push(("Last Bad Checksum Error Date", &h.logtime_bad_checksum));
    }
    if h.file_type != 1 {
        left_out.push(("Last Database Maintenance Finish Date", &h.logtime_dbscan_prev));
        left_out.push(("Current Database Maintenance Start Date", &h.logtime_dbscan_start));
    }
    if !reseed {
        left_out.push(("Reseed Date", &h.logtime_incremental_reseed));
        left_out.push(("Patch Date", &h.logtime_page_patch));
    }
    if !revert {
        left_out.push(("Revert From Date", &h.logtime_revert_from));
        left_out.push(("Revert To Date", &h.logtime_revert_to));
    }
    for (label, t) in left_out {
        writeln!(out, "esecheck: {label}: {}", lt(t))?;
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

/// The file name of a path (either separator), escaped for a line of text.
fn file_of(path: &ShownPath) -> String {
    let path = path.unescaped();
    escape_controls(path.rsplit(['/', '\\']).next().unwrap_or(path)).into_owned()
}

/// The one line a tired administrator reads: verdict, what was checked, what may be truncated,
/// naming the oldest and newest log that may go.
pub(crate) fn verify_verdict_line(r: &crate::report::set::SetReport) -> String {
    use crate::verdict::Verdict;
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
                "logs {} present ({} corrupt but not needed: below {})",
                GenerationRange(a.into(), b.into()),
                GenerationRuns(&d.unnecessary_logs_corrupt),
                d.truncate_below
                    .map(|t| Generation(t.into()).to_string())
                    .unwrap_or_default()
            ),
            (Some(a), Some(b)) => format!("logs {}", GenerationRange(a.into(), b.into())),
            _ => "no logs".to_string(),
        },
        None => "no logs".to_string(),
    };
    let required = match d.required_range {
        Some([a, b]) => format!("required {}", GenerationRange(a.into(), b.into())),
        None => "no logs required".to_string(),
    };
    match d.verdict {
        Verdict::Pass => {
            let first_log = d.logs.as_ref().and_then(|l| l.first);
            let trunc = match (d.truncate_below.map(|t| Generation(t.into())), first_log) {
                (_, None) => "No logs in the set; none is needed.".to_string(),
                (Some(t), Some(f)) if t.0 <= i64::from(f) => {
                    format!("Every log present is still needed (from {t} on): none is old enough to truncate.")
                }
                (Some(t), Some(_)) => match (d.truncatable_logs.first(), d.truncatable_logs.last()) {
                    (Some(a), Some(b)) if a == b => format!("Logs below {t} may be truncated: {}.", file_of(a)),
                    (Some(a), Some(b)) => format!("Logs below {t} may be truncated: {} to {}.", file_of(a), file_of(b)),
                    _ => format!("Logs below {t} may be truncated."),
                },
                (None, Some(_)) => "Nothing to truncate.".to_string(),
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
            let first = root_error(&d.problems)
                .map(located_message)
                .or_else(|| {
                    // --strict: name the warning that failed the set (CLI.md "Text output").
                    d.problems
                        .iter()
                        .find(|p| p.is_warning())
                        .map(|p| format!("with --strict, a warning: {}", located_message(p)))
                })
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
pub(crate) fn write_set_details(out: &mut dyn Write, r: &crate::report::set::SetReport) -> io::Result<()> {
    let d = &r.decision;
    writeln!(out, "Databases:")?;
    for (s, c) in d.databases.iter().zip(&r.db_checks) {
        let req = s
            .log_required
            .map(|[a, b]| GenerationRange(a.into(), b.into()).to_string())
            .unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "  {} [{}] {}: {} pages seen, {} bad, {} correctable, {} uninitialized; Log Required {req}, Log Committed {}; Log Signature {}",
            s.verdict.word(),
            s.state.map_or("?", state_name_text),
            s.path,
            c.pages_seen,
            c.bad_checksums + c.wrong_page_numbers,
            c.correctable_checksums,
            c.uninitialized_pages,
            Generation(s.log_committed.unwrap_or(0).into()),
            escape_controls(&s.log_signature.map(|x| x.to_string()).unwrap_or_default())
        )?;
        write_damaged_tables(out, "    ", c.tables.as_deref(), &c.problems)?;
    }
    match &d.logs {
        Some(l) => writeln!(
            out,
            "Logs: {} {} in {}: generations {}, {} files",
            l.verdict.word(),
            escape_controls(&l.base),
            l.directory,
            match (l.first, l.last) {
                (Some(a), Some(b)) => GenerationRange(a.into(), b.into()).to_string(),
                _ => "-".into(),
            },
            l.count
        )?,
        None => writeln!(out, "Logs: none found")?,
    }
    if let Some(dir) = &d.logs_looked_for_in {
        writeln!(
            out,
            "  (logs and checkpoint looked for in {dir}, beside the database named)"
        )?;
    }
    for f in &r.flush_maps {
        writeln!(
            out,
            "Flush map: {} {}: {} pages, {} bad, {} correctable (damage here is a warning)",
            f.verdict.word(),
            f.path,
            f.pages_seen,
            f.bad_checksums,
            f.correctable_checksums
        )?;
    }
    match &d.checkpoint {
        Some(c) => writeln!(
            out,
            "Checkpoint: {} {} generation {}",
            c.verdict.word(),
            c.path,
            c.generation
                .map(|g| Generation(g.into()).to_string())
                .unwrap_or_else(|| "?".into())
        )?,
        None => writeln!(out, "Checkpoint: none found")?,
    }
    let opt = |v: Option<i32>| {
        v.map(|g| Generation(g.into()).to_string())
            .unwrap_or_else(|| "-".into())
    };
    writeln!(
        out,
        "Required range: {}   truncate below: {}   roll forward to: {}",
        d.required_range
            .map(|[a, b]| GenerationRange(a.into(), b.into()).to_string())
            .unwrap_or_else(|| "none".into()),
        opt(d.truncate_below),
        opt(d.roll_forward_to)
    )?;
    if !r.ignored.is_empty() {
        writeln!(out, "Ignored:")?;
        for i in &r.ignored {
            writeln!(out, "  {}: {}", i.path, escape_controls(&i.why))?;
        }
    }
    if !d.problems.is_empty() {
        writeln!(out, "Problems:")?;
        write_problems_per_file(out, "  ", &causes_first(&d.problems))?;
    }
    Ok(())
}

/// The problems in their order, except that a follow-on (a −590 caused by the damage of the log
/// before it) comes right after the last problem of the generation it follows.
pub(crate) fn causes_first(problems: &[Problem]) -> Vec<Problem> {
    let (follow_ons, mut out): (Vec<&Problem>, Vec<&Problem>) = problems.iter().partition(|p| p.follows.is_some());
    for f in follow_ons {
        let at = out
            .iter()
            .rposition(|p| p.follows.is_none() && p.generation == f.follows)
            .map_or(out.len(), |i| i + 1);
        out.insert(at, f);
    }
    out.into_iter().cloned().collect()
}

/// The problem a verdict line names: the first error that is not a follow-on of another (the
/// damaged log, not the −590 it causes in the next one).
pub(crate) fn root_error(problems: &[Problem]) -> Option<&Problem> {
    problems
        .iter()
        .find(|p| p.is_error() && p.follows.is_none())
        .or_else(|| problems.iter().find(|p| p.is_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::JetErr;

    #[test]
    fn control_characters_are_escaped_like_ls_b() {
        assert_eq!(escape_controls("a\nb\rc\td\u{1b}[0m"), "a\\nb\\rc\\td\\e[0m");
        assert_eq!(escape_controls("\u{0}\u{1}\u{1f}\u{7f}"), "\\x00\\x01\\x1f\\x7f");
        // C1 controls (NEL is a newline to some tools) and the Unicode line breaks and overrides.
        assert_eq!(escape_controls("a\u{85}b\u{9b}"), "a\\u{0085}b\\u{009b}");
        assert_eq!(
            escape_controls("\u{2028}\u{202e}\u{2066}"),
            "\\u{2028}\\u{202e}\\u{2066}"
        );
    }

    #[test]
    fn backslashes_and_ordinary_text_are_left_alone() {
        let w = r"C:\Program Files\Exchange\Mailbox\DB01.edb";
        assert!(matches!(escape_controls(w), std::borrow::Cow::Borrowed(s) if s == w));
        assert_eq!(escape_controls("Café ü 日本 \u{fffd}.edb"), "Café ü 日本 \u{fffd}.edb");
        assert_eq!(escape_controls(r"a\nb"), r"a\nb");
    }

    #[test]
    fn problem_messages_and_files_are_escaped_in_text() {
        let p = Problem::error(Some(JetErr::ReadVerifyFailure), "x\n.edb", "differs from y\nPASS.edb");
        let mut out = Vec::new();
        write_problem_with_file(&mut out, &p).unwrap();
        let t = String::from_utf8(out).unwrap();
        assert_eq!(t.lines().count(), 1, "{t}");
        assert!(t.starts_with("ERROR: x\\n.edb: differs from y\\nPASS.edb ["), "{t}");
    }

    #[test]
    fn consecutive_pages_become_runs_and_header_copies_stay_apart() {
        assert_eq!(
            page_runs(&[-1, 0, 1, 2, 3, 7, 9, 10]),
            vec![(-1, -1), (0, 0), (1, 3), (7, 7), (9, 10)]
        );
        assert_eq!(page_runs(&[]), vec![]);
        let mut out = Vec::new();
        write_page_list(&mut out, "Bad pages", &[143, 144, 145, 146, 200]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "Bad pages: 143-146, 200 (5 pages)\n\n");
        let every_other: Vec<i64> = (1..=400).step_by(2).collect();
        let mut out = Vec::new();
        write_page_list(&mut out, "Bad pages", &every_other).unwrap();
        let t = String::from_utf8(out).unwrap();
        assert!(t.contains(", 99, … and 150 more runs (200 pages)"), "{t}");
    }

    #[test]
    fn a_long_problem_list_is_capped_with_the_whole_file_ones_first() {
        let mut ps: Vec<Problem> = (0..80)
            .map(|i| Problem::error(None, "d.edb", format!("page {i} bad")).at_page(i))
            .collect();
        ps.push(Problem::warning(None, "d.edb", "database file is too small"));
        let mut out = Vec::new();
        write_problems(&mut out, &ps).unwrap();
        let t = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 51, "{t}");
        assert_eq!(lines[0], "WARNING: database file is too small");
        assert_eq!(lines[50], "… and 31 more problems; --json lists them all");
        // Short lists are printed whole, in their order.
        let mut out = Vec::new();
        write_problems(&mut out, &ps[75..]).unwrap();
        assert!(String::from_utf8(out).unwrap().starts_with("ERROR: page 75 bad"));
    }

    #[test]
    fn a_mixed_list_is_capped_per_file() {
        let mut ps: Vec<Problem> = (0..60)
            .map(|i| Problem::error(None, "a.edb", format!("a{i}")))
            .collect();
        ps.extend((0..3).map(|i| Problem::error(None, "b.log", format!("b{i}"))));
        let mut out = Vec::new();
        write_problems_per_file(&mut out, "  ", &ps).unwrap();
        let t = String::from_utf8(out).unwrap();
        assert_eq!(t.matches("ERROR: a.edb: ").count(), 50, "{t}");
        assert_eq!(t.matches("ERROR: b.log: ").count(), 3, "{t}");
        assert!(
            t.ends_with("  … and 10 more problems in a.edb; --json lists them all\n"),
            "{t}"
        );
    }
}
