//! `esecheck verify`: finds the databases, the log stream and the checkpoint of a backup set by
//! their headers, checks each (databases page by page, logs segment by segment, in parallel), and
//! hands small views of the results to [`report::backup_set`](crate::report::backup_set) for the
//! verdict.

use crate::codes::JetErr;
use crate::error::CheckError;
use crate::report::backup_set::{self, CheckpointView, DbView, LogView, SetDecision, StreamView};
use crate::report::{Problem, Verdict};
use crate::scan::checkpoint::{check_checkpoint, CheckpointCheck};
use crate::scan::classify::{classify, name_kind, Classification, FileKind};
use crate::scan::database::{check_database, looks_temporary, DbCheck, DbOptions};
use crate::scan::flushmap::{check_flush_map, FlushMapCheck};
use crate::scan::stream::{check_stream, Ignored, StreamCheck};
use crate::scan::Input;
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Options of `verify`.
#[derive(Default, Clone)]
pub struct VerifyOptions<'a> {
    /// Warnings fail.
    pub strict: bool,
    /// The log stream's base name (`--base`).
    pub base: Option<String>,
    /// Where the logs are, when apart from the databases (`--logs`).
    pub logs_dir: Option<PathBuf>,
    /// Progress over database bytes.
    pub progress: Option<&'a indicatif::ProgressBar>,
}

/// Everything `verify` found, with the decision.
#[derive(Debug, Clone, Serialize)]
pub struct SetReport {
    /// The decision: verdict, ranges, truncate_below, problems.
    #[serde(flatten)]
    pub decision: SetDecision,
    /// Files not part of the set, with the reason.
    pub ignored: Vec<Ignored>,
    /// Per-database scans (counters, bad pages).
    #[serde(skip)]
    pub db_checks: Vec<DbCheck>,
    /// The log stream check.
    #[serde(skip)]
    pub stream: Option<StreamCheck>,
    /// The checkpoint check.
    #[serde(skip)]
    pub checkpoint: Option<CheckpointCheck>,
    /// Flush maps (warnings only).
    #[serde(skip)]
    pub flush_maps: Vec<FlushMapCheck>,
}

/// Reads enough of a file to classify it (both header copies at every page size).
fn classify_path(path: &Path) -> Result<Classification, CheckError> {
    let mut f = crate::scan::file::open_read_only(path).map_err(|e| CheckError::io(path, &e))?;
    let mut buf = Vec::with_capacity(2 * 32768 + 8);
    (&mut f)
        .take(2 * 32768 + 8)
        .read_to_end(&mut buf)
        .map_err(|e| CheckError::io(path, &e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(classify(&buf, &name))
}

/// Regular files named by `paths` (directories are listed, not recursed), sorted, without
/// duplicates; entries that are not regular files are returned apart.
fn expand(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<Ignored>), CheckError> {
    let mut files = BTreeSet::new();
    let mut odd = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| CheckError::io(p, &e))?;
        if meta.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| CheckError::io(p, &e))?;
            for e in rd {
                let e = e.map_err(|e| CheckError::io(p, &e))?;
                let path = e.path();
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => {
                        files.insert(path);
                    }
                    // A directory named like a database, checkpoint or flush map is shown, so
                    // that its absence is explained (the log stream reports log-named ones);
                    // other directories are not part of the set.
                    Ok(m) if m.is_dir() => {
                        let kind = e.file_name().to_str().and_then(name_kind);
                        if kind.is_some_and(|k| k != FileKind::Log) {
                            odd.push(Ignored {
                                path: path.display().to_string(),
                                why: "a directory, not a file".into(),
                            });
                        }
                    }
                    Ok(_) => odd.push(Ignored {
                        path: path.display().to_string(),
                        why: "not a regular file".into(),
                    }),
                    // Unreadable metadata (a dangling link, a loop): a file named like an ESE
                    // file may be part of the set, so the set cannot be checked; anything else
                    // is set aside, by name.
                    Err(err) => {
                        if e.file_name().to_str().is_none_or(|n| name_kind(n).is_some()) {
                            return Err(CheckError::io(&path, &err));
                        }
                        odd.push(Ignored {
                            path: path.display().to_string(),
                            why: format!("cannot be read ({err}); not named like an ESE file"),
                        });
                    }
                }
            }
        } else if meta.is_file() {
            files.insert(p.clone());
        } else {
            return Err(CheckError::new(p, "is not a regular file or directory"));
        }
    }
    Ok((files.into_iter().collect(), odd))
}

/// Verifies a backup set (CLI.md `verify`).
///
/// `Err` means the set could not be checked (exit 2): a path is missing or unreadable, logs are
/// spread over several directories without `--logs`, several streams without `--base`, or no
/// database was found.
pub fn verify_set(paths: &[PathBuf], opts: &VerifyOptions<'_>) -> Result<SetReport, CheckError> {
    let (files, mut ignored) = expand(paths)?;
    let mut kinds = Vec::with_capacity(files.len());
    for f in &files {
        kinds.push((f.clone(), classify_path(f)?));
    }

    // The log directory: --logs, else the one directory holding log files.
    let log_dir = match &opts.logs_dir {
        Some(d) => Some(d.clone()),
        None => {
            let dirs: BTreeSet<PathBuf> = kinds
                .iter()
                .filter(|(_, c)| c.kind == FileKind::Log)
                .filter_map(|(p, _)| p.parent().map(Path::to_path_buf))
                .collect();
            if dirs.len() > 1 {
                let list: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
                return Err(CheckError::new(
                    &list[0],
                    format!(
                        "log files found in several directories ({}); name the stream's with --logs",
                        list.join(", ")
                    ),
                ));
            }
            dirs.into_iter().next().or_else(|| beside_named_database(paths, &kinds))
        }
    };
    let stream = match &log_dir {
        Some(d) => {
            let s = check_stream(d, opts.base.as_deref())?;
            (!s.files.is_empty() || opts.logs_dir.is_some()).then_some(s)
        }
        None => None,
    };
    // The directory whose checkpoint belongs to the set, when it is not among the inputs.
    let chk_dir = opts.logs_dir.clone().or_else(|| stream.as_ref().and(log_dir.clone()));

    // Files the stream took or set aside; the rest are classified here.
    let mut handled: BTreeSet<String> = BTreeSet::new();
    if let Some(s) = &stream {
        for f in &s.files {
            handled.insert(f.path.clone());
        }
        for i in &s.ignored {
            let own = i.why.contains("next-generation") || i.why.contains("reserve") || i.why.contains("log header");
            if own {
                handled.insert(i.path.clone());
                ignored.push(i.clone());
            }
        }
    }
    let mut extra_files: Vec<(PathBuf, Classification)> = Vec::new();
    if let Some(d) = &chk_dir {
        // The checkpoint normally lives with the logs.
        let (lf, _) = expand(std::slice::from_ref(d))?;
        for f in lf {
            if !files.contains(&f) {
                let c = classify_path(&f)?;
                if c.kind == FileKind::Checkpoint {
                    extra_files.push((f, c));
                }
            }
        }
    }

    let mut db_checks = Vec::new();
    let mut db_problems = Vec::new();
    let mut checkpoints = Vec::new();
    let mut flush_maps = Vec::new();
    for (path, class) in kinds.into_iter().chain(extra_files) {
        let shown = path.display().to_string();
        if handled.contains(&shown) {
            continue;
        }
        match class.kind {
            FileKind::Database => {
                let input = Input::open(&path)?;
                match check_database(
                    input.bytes(),
                    &shown,
                    &DbOptions {
                        strict: opts.strict,
                        progress: opts.progress,
                        release: Some(&|offset, len| input.release(offset, len)),
                    },
                ) {
                    Ok(c) if c.chosen_header().is_some_and(looks_temporary) => ignored.push(Ignored {
                        path: shown,
                        why: "temporary database (temp.edb): not part of the set".into(),
                    }),
                    Ok(c) => db_checks.push(c),
                    Err(e) if class.by_header => return Err(e),
                    Err(e) => db_problems.push(Problem::error(
                        Some(JetErr::DatabaseCorrupted),
                        &shown,
                        format!("named like a database but has no usable ESE header: {}", e.message),
                    )),
                }
            }
            FileKind::Checkpoint => checkpoints.push(path),
            FileKind::FlushMap => {
                let input = Input::open(&path)?;
                flush_maps.push(check_flush_map(input.bytes(), &shown, opts.strict));
            }
            FileKind::Log => ignored.push(Ignored {
                path: shown,
                why: match &stream {
                    Some(s) => format!(
                        "log not part of stream {} in {}",
                        s.base.as_deref().unwrap_or("?"),
                        s.directory
                    ),
                    None => "log outside the log directory".into(),
                },
            }),
            FileKind::Unknown => ignored.push(Ignored {
                path: shown,
                why: "not an ESE file".into(),
            }),
        }
    }
    if db_checks.is_empty() && db_problems.is_empty() {
        let where_ = paths.first().map(|p| p.display().to_string()).unwrap_or_default();
        return Err(CheckError::new(where_, "no database found"));
    }

    // The checkpoint: `<base>.chk` of the stream, else the only one.
    let base = stream.as_ref().and_then(|s| s.base.clone());
    let chosen_chk = pick_checkpoint(&checkpoints, base.as_deref());
    for c in &checkpoints {
        if Some(c) != chosen_chk.as_ref() {
            ignored.push(Ignored {
                path: c.display().to_string(),
                why: "checkpoint of another stream".into(),
            });
        }
    }
    let mut chk_problems = Vec::new();
    let checkpoint = match &chosen_chk {
        Some(p) => {
            let shown = p.display().to_string();
            let input = Input::open(p)?;
            match check_checkpoint(input.bytes(), &shown) {
                Ok(c) => Some(c),
                Err(e) => {
                    // A checkpoint of the set that cannot be read is damage to the set.
                    chk_problems.push(Problem::error(Some(JetErr::CheckpointCorrupt), &shown, e.message));
                    None
                }
            }
        }
        None => None,
    };
    db_problems.extend(chk_problems);

    for c in &db_checks {
        db_problems.extend(c.problems.iter().cloned());
    }
    for f in &flush_maps {
        db_problems.extend(f.problems.iter().cloned());
    }
    if let Some(c) = &checkpoint {
        db_problems.extend(c.problems.iter().cloned());
    }
    let dbs: Vec<DbView> = db_checks
        .iter()
        .map(|c| DbView {
            path: c.path.clone(),
            header: c.chosen_header().cloned(),
            page_size: c.page_size,
            pages_seen: c.pages_seen,
            verdict: c.verdict,
        })
        .collect();
    let stream_view = stream.as_ref().map(view_of_stream);
    let chk_view = checkpoint.as_ref().map(|c| CheckpointView {
        path: c.path.clone(),
        usable: c.primary_ok || c.shadow_ok,
        generation: c.generation,
        signature: c.log_signature,
    });
    let decision = backup_set::decide(&dbs, db_problems, stream_view.as_ref(), chk_view.as_ref(), opts.strict);
    ignored.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(SetReport {
        decision,
        ignored,
        db_checks,
        stream,
        checkpoint,
        flush_maps,
    })
}

/// With no `--logs` and no log among the inputs, a database named as a file has its logs beside
/// it, as Exchange and Windows keep them by default.
fn beside_named_database(paths: &[PathBuf], kinds: &[(PathBuf, Classification)]) -> Option<PathBuf> {
    kinds
        .iter()
        .find(|(p, c)| c.kind == FileKind::Database && paths.contains(p))
        .and_then(|(p, _)| p.parent())
        .map(|d| {
            if d.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                d.to_path_buf()
            }
        })
}

fn pick_checkpoint(cands: &[PathBuf], base: Option<&str>) -> Option<PathBuf> {
    if let Some(b) = base {
        let hit = cands.iter().find(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase())
                .is_some_and(|n| {
                    let b = b.to_ascii_lowercase();
                    n == format!("{b}.chk") || n == format!("{b}.jcp")
                })
        });
        if hit.is_some() {
            return hit.cloned();
        }
    }
    (cands.len() == 1).then(|| cands[0].clone())
}

/// Per-log problems tagged with their generation, so the set decision can grade them.
fn view_of_stream(s: &StreamCheck) -> StreamView {
    let mut problems = s.problems.clone();
    let mut logs = std::collections::BTreeMap::new();
    for f in &s.files {
        for p in &f.problems {
            let mut p = p.clone();
            if p.generation.is_none() {
                p.generation = f.generation.map(i64::from);
            }
            if p.code.is_none() && p.is_error() {
                // A log that could not be read at all is a damaged member of the set.
                p.code = Some(JetErr::LogFileCorrupt);
            }
            problems.push(p);
        }
        if let Some(g) = f.generation {
            logs.insert(
                g,
                LogView {
                    path: f.path.clone(),
                    intact: s.is_intact(g),
                    signature: f.log_signature,
                    page_size: f.page_size,
                },
            );
        }
    }
    let current = s
        .files
        .iter()
        .find(|f| is_current_name(&f.path, s.base.as_deref()))
        .and_then(|f| f.generation);
    StreamView {
        base: s.base.clone().unwrap_or_default(),
        directory: s.directory.clone(),
        signature: s.log_signature,
        logs,
        current,
        problems,
    }
}

fn is_current_name(path: &str, base: Option<&str>) -> bool {
    let Some(b) = base else { return false };
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let b = b.to_ascii_lowercase();
    name == format!("{b}.log") || name == format!("{b}.jtx")
}

impl SetReport {
    /// The final verdict.
    pub fn verdict(&self) -> Verdict {
        self.decision.verdict
    }
}
