//! Text for logs, checkpoints and log streams in the vocabulary of eseutil /ML and /MK: the
//! per-file verify lines, the header dumps of `esecheck header`, and `esecheck logs`. Renders
//! results that `scan` computed; decides nothing and reads no file.

use crate::escape::escape_controls;
use crate::format::{CheckpointFile, DbmsParam, Lgpos, LogFileHeader};
use crate::report::text::{gen_text, lgpos_text, signature_text, time_text, write_problem, write_problems};
use crate::scan::checkpoint::CheckpointCheck;
use crate::scan::log::LogCheck;
use crate::scan::stream::StreamCheck;
use crate::verdict::Verdict;
use std::io::{self, Write};

/// eseutil /ML verify-mode text: `Log file: <name> - OK` (or the damage), then one line per
/// problem.
pub fn write_log_check(w: &mut dyn Write, c: &LogCheck) -> io::Result<()> {
    let state = match c.verdict {
        Verdict::Pass => "OK",
        Verdict::Fail => "damaged",
        Verdict::Error => "could not be checked",
    };
    writeln!(w, "      Log file: {} - {state}", escape_controls(&c.path))?;
    if c.bad_sectors > 0 {
        if let Some(l) = c.last_lgpos {
            writeln!(w, "      Log damaged (unusable). Last Lgpos: {}", eseutil_lgpos(l))?;
        }
    }
    write_problems(w, &c.problems)
}

/// eseutil /ML `<file>` header dump (for `esecheck header LOG`), then the verdict line.
pub fn write_log_header_dump(w: &mut dyn Write, c: &LogCheck) -> io::Result<()> {
    writeln!(w, "      Base name: {}", escape_controls(base_of(c.file_name())))?;
    writeln!(w, "      Log file: {}", escape_controls(&c.path))?;
    match &c.header {
        Some(h) => write_log_header(w, h)?,
        None => writeln!(w, "      (header checksum fails: fields not trusted)")?,
    }
    if let Some(l) = c.last_lgpos {
        writeln!(w, "      Last Lgpos: {}", eseutil_lgpos(l))?;
    }
    if let Some(a) = c.accumulated_checksum {
        writeln!(w, "      Accumulated segment checksum: 0x{a:016X}")?;
    }
    writeln!(w)?;
    write_log_check(w, c)
}

/// ESE's `(0xGEN,ISEC,IB)` notation (the one of every text output, [`lgpos_text`]).
pub fn eseutil_lgpos(l: Lgpos) -> String {
    lgpos_text(l)
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// The fields of an LGFILEHDR in eseutil /ML's vocabulary.
pub fn write_log_header(w: &mut dyn Write, h: &LogFileHeader) -> io::Result<()> {
    writeln!(w, "      lGeneration: {}", gen_text(h.generation.into()))?;
    writeln!(w, "      Checkpoint: {}", eseutil_lgpos(h.lgpos_checkpoint))?;
    writeln!(w, "      creation time: {}", time_text(&h.tm_create))?;
    writeln!(w, "      prev gen time: {}", time_text(&h.tm_prev_gen))?;
    writeln!(
        w,
        "      prev gen accumulated segment checksum: 0x{:016X}",
        h.checksum_prev_log_all_segments
    )?;
    writeln!(w, "      Format LGVersion: ({})", h.version)?;
    writeln!(
        w,
        "      Engine format version: 0x{:X}",
        h.efv_engine_current_diagnostic
    )?;
    writeln!(w, "      Signature: {}", signature_text(&h.sign_log))?;
    // Strings read from the file are escaped like file names: they must not forge lines.
    write_env_paths(w, &h.dbms_param)?;
    writeln!(
        w,
        "      Env Log Sec size: {} (disk sector size flag {})",
        h.cb_sec, h.disk_sec_size_mismatch
    )?;
    write_env_tuple(w, &h.dbms_param)?;
    writeln!(w, "      Using Reserved Log File: {}", h.lg_flags & 1 != 0)?;
    writeln!(
        w,
        "      Circular Logging Flag (current file): {}",
        on_off(h.lg_flags & 2 != 0)
    )?;
    writeln!(
        w,
        "      Circular Logging Flag (past files): {}",
        on_off(h.lg_flags & 4 != 0)
    )?;
    writeln!(
        w,
        "      Log sector size: {}, header sectors: {}, file sectors: {}, page size: {}",
        h.cb_sec,
        h.csec_header,
        h.csec_lgfile,
        h.page_size()
    )?;
    for a in &h.attach {
        writeln!(w, "      {} {}", a.dbid, escape_controls(&a.path))?;
        writeln!(
            w,
            "                 dbtime: {} (0x{:X})  objidLast: {}  Signature: {}",
            a.dbtime,
            a.dbtime,
            a.objid_last,
            signature_text(&a.sign_db)
        )?;
        writeln!(
            w,
            "                 lgposAttach: {}  lgposConsistent: {}",
            eseutil_lgpos(a.lgpos_attach),
            eseutil_lgpos(a.lgpos_consistent)
        )?;
    }
    if h.attach_damaged {
        writeln!(w, "      (attach list damaged)")?;
    }
    Ok(())
}

/// The base name a log's file name starts with (3 characters).
fn base_of(name: &str) -> &str {
    name.get(..3).unwrap_or(name)
}

/// Verify-mode text: `Checkpoint file: <name> - OK` and the problems.
pub fn write_checkpoint_check(w: &mut dyn Write, c: &CheckpointCheck) -> io::Result<()> {
    let state = if c.verdict == Verdict::Pass { "OK" } else { "damaged" };
    writeln!(w, "      Checkpoint file: {} - {state}", escape_controls(&c.path))?;
    for p in &c.problems {
        write_problem(w, p)?;
    }
    Ok(())
}

/// eseutil /MK dump (for `esecheck header CHK`), then the verdict text.
pub fn write_checkpoint_header_dump(w: &mut dyn Write, c: &CheckpointCheck) -> io::Result<()> {
    writeln!(w, "      Checkpoint file: {}", escape_controls(&c.path))?;
    writeln!(
        w,
        "      Primary copy: {}   Shadow copy: {}",
        if c.primary_ok { "OK" } else { "BAD" },
        if c.shadow_ok { "OK" } else { "BAD" }
    )?;
    if let Some(h) = &c.header {
        write_checkpoint_header(w, h)?;
    }
    writeln!(w)?;
    write_checkpoint_check(w, c)
}

/// The fields of one checkpoint copy in eseutil /MK's vocabulary.
pub fn write_checkpoint_header(w: &mut dyn Write, h: &CheckpointFile) -> io::Result<()> {
    writeln!(
        w,
        "      LastFullBackupCheckpoint: {}",
        eseutil_lgpos(h.lgpos_last_full_backup_checkpoint)
    )?;
    writeln!(w, "      Checkpoint: {}", eseutil_lgpos(h.lgpos_checkpoint))?;
    writeln!(w, "      DbConsistency: {}", eseutil_lgpos(h.db_consistency()))?;
    writeln!(w, "      FullBackup: {}", eseutil_lgpos(h.lgpos_full_backup))?;
    writeln!(w, "      FullBackup time: {}", time_text(&h.logtime_full_backup))?;
    writeln!(w, "      IncBackup: {}", eseutil_lgpos(h.lgpos_inc_backup))?;
    writeln!(w, "      IncBackup time: {}", time_text(&h.logtime_inc_backup))?;
    writeln!(w, "      Signature: {}", signature_text(&h.sign_log))?;
    write_env_paths(w, &h.dbms_param)?;
    write_env_tuple(w, &h.dbms_param)?;
    for a in &h.attach {
        writeln!(w, "      {} {}", a.dbid, escape_controls(&a.path))?;
    }
    Ok(())
}

/// eseutil /ML `<base>` style text: one line per log, the problems, then the summary, which never
/// contradicts `verdict` (the stream's, `--strict` applied): "No damaged log files were found."
/// only when it passes. The stream's problems name their file (the directory or a log).
pub fn write_stream(w: &mut dyn Write, s: &StreamCheck, verdict: Verdict) -> io::Result<()> {
    writeln!(w, "Verifying log files...")?;
    use crate::escape::escape_controls as esc;
    writeln!(w, "     Base name: {}", esc(s.base.as_deref().unwrap_or("(none)")))?;
    writeln!(w)?;
    for f in &s.files {
        write_log_check(w, f)?;
    }
    for i in &s.ignored {
        writeln!(w, "      Ignored: {} ({})", esc(&i.path), esc(&i.why))?;
    }
    crate::report::text::write_problems_per_file(w, "", &crate::report::text::causes_first(&s.problems))?;
    writeln!(w)?;
    let damaged = s.files.iter().any(|f| f.verdict != Verdict::Pass);
    if damaged {
        writeln!(w, "Damaged log files were found.")?;
    } else if s.problems.iter().any(|p| p.is_error()) {
        writeln!(w, "Every log file verifies, but the stream is broken (see above).")?;
    } else if verdict != Verdict::Pass && !s.files.is_empty() {
        writeln!(
            w,
            "Every log file verifies, but warnings fail the stream with --strict."
        )?;
    } else if !s.files.is_empty() {
        writeln!(w, "No damaged log files were found.")?;
    }
    if let (Some(a), Some(b)) = (s.first, s.last) {
        writeln!(w, "Generations: {}", crate::format::GenerationRange(a.into(), b.into()))?;
    }
    // The verdict line is the caller's: it also knows about --strict.
    Ok(())
}

/// The environment's paths (DBMS_PARAM) of a log or checkpoint header. Strings read from the
/// file are escaped like file names: they must not forge lines.
fn write_env_paths(w: &mut dyn Write, p: &DbmsParam) -> io::Result<()> {
    writeln!(w, "      Env SystemPath: {}", escape_controls(&p.system_path))?;
    writeln!(w, "      Env LogFilePath: {}", escape_controls(&p.log_file_path))
}

/// The environment's settings (DBMS_PARAM) in eseutil's one-line tuple.
fn write_env_tuple(w: &mut dyn Write, p: &DbmsParam) -> io::Result<()> {
    writeln!(
        w,
        "      Env (CircLog,Session,Opentbl,VerPage,Cursors,LogBufs,LogFile,Buffers)"
    )?;
    writeln!(
        w,
        "          ({:>5},{:>8},{:>8},{:>8},{:>8},{:>8},{:>8},{:>10})",
        on_off(p.flags & 1 != 0),
        p.sessions_max,
        p.open_tables_max,
        p.ver_pages_max,
        p.cursors_max,
        p.log_buffers,
        p.lcsec_lgfile,
        p.cache_size_max
    )
}
