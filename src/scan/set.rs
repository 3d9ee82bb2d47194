//! `esecheck verify`: finds the databases, the log stream and the checkpoint of a backup set by
//! their headers, checks each (databases page by page, logs segment by segment, in parallel), and
//! hands small views of the results to [`report::set`](crate::report::set) for the
//! verdict.

use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::log_name::{parse_log_name, LogNameKind};
use crate::format::Signature;
use crate::problem::Problem;
use crate::scan::checkpoint::{check_checkpoint, CheckpointCheck};
use crate::scan::classify::{
    classify, damaged_member_problem, is_all_zeros, name_kind, reserve_note, Classification, FileKind,
};
use crate::scan::database::{check_database, looks_temporary, DbCheck, DbOptions};
use crate::scan::file::{recheck_all, Stamp};
use crate::scan::flushmap::{check_flush_map_with, FlushMapCheck, FlushMapOptions};
use crate::scan::progress::{total_size, Progress};
use crate::scan::stream::{check_stream_entries, list_entries, IgnoreKind, Ignored, StreamCheck, StreamEntry};
use crate::scan::Input;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Options of the set scan (`verify`). `--strict` is not here: it is applied to the verdict, at
/// the edge (report::set).
#[derive(Default, Clone)]
pub struct ScanOptions<'a> {
    /// The log stream's base name (`--base`).
    pub base: Option<String>,
    /// Where the logs are, when apart from the databases (`--logs`).
    pub logs_dir: Option<PathBuf>,
    /// Progress over database bytes.
    pub progress: Option<&'a indicatif::ProgressBar>,
    /// Called between the scan and the re-check that no file of the set changed while it was
    /// checked (a test hook: a test changes a file there, deterministically).
    pub before_recheck: Option<&'a (dyn Fn() + Sync)>,
    /// When set, every file of the set is also hashed (CRC-32 of the whole file and of blocks
    /// of this many bytes) for a manifest, in the workers that check it ([`SetScan::files`]).
    pub crc_block_size: Option<u64>,
    /// A file that is never part of the set though it lies in a directory named (the manifest
    /// being written, `verify --manifest`).
    pub exclude: Option<PathBuf>,
}

/// What a file of the set is, in a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberType {
    /// A database of the set (damaged members named like one included).
    Database,
    /// A log of the set's stream.
    Log,
    /// The set's checkpoint.
    Checkpoint,
    /// A flush map.
    Flushmap,
    /// A file listed under `ignored`.
    Ignored,
}

/// One regular file of the set, with its CRCs.
#[derive(Debug, Clone)]
pub struct SetFile {
    /// The path as shown.
    pub path: PathBuf,
    /// What it is in the set.
    pub kind: MemberType,
    /// Its CRCs.
    pub crc: crate::scan::crc::FileCrc,
}

/// Everything the scan of a backup set found, before any decision: the checks of each member,
/// the files set aside, and the problems of members that could not be checked as what their name
/// promises.
#[derive(Debug, Clone)]
pub struct SetScan {
    /// Per-database scans (counters, bad pages, problems).
    pub db_checks: Vec<DbCheck>,
    /// The log stream, when the set has logs.
    pub stream: Option<StreamCheck>,
    /// The set's checkpoint, when it could be read.
    pub checkpoint: Option<CheckpointCheck>,
    /// Flush maps.
    pub flush_maps: Vec<FlushMapCheck>,
    /// Files not part of the set, with the reason, sorted by path.
    pub ignored: Vec<Ignored>,
    /// Problems of the set that belong to no check above: damaged members (all zeros, no ESE
    /// structure), a checkpoint that could not be read, a wiped log of no stream.
    pub problems: Vec<Problem>,
    /// The logs were named file by file (no directory, no `--logs`).
    pub named_file_by_file: bool,
    /// Where the logs of a database named alone were looked for.
    pub logs_looked_for_in: Option<PathBuf>,
    /// Every regular file of the set with its CRCs, in path order, when
    /// [`ScanOptions::crc_block_size`] was set; else empty.
    pub files: Vec<SetFile>,
    /// The deepest directory holding every input (canonical), to which a manifest's paths are
    /// relative.
    pub root: PathBuf,
}

/// One file that may be part of the set.
#[derive(Debug, Clone)]
struct Entry {
    /// As it will be shown (as named, or the directory joined with the entry's name).
    path: PathBuf,
    /// Named on the command line as a file (not found in a directory).
    named: bool,
    /// A regular file (the rest are listed or refused by `expand`).
    regular: bool,
    /// What its bytes (then its name) say it is.
    class: Classification,
    /// For a database: the log signature of its usable header, and whether it needs logs.
    db_log: Option<(Signature, bool)>,
}

impl Entry {
    fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The directory it is in; `.` for a bare name (never the empty path).
    fn dir(&self) -> PathBuf {
        parent_dir(&self.path)
    }

    /// Named like part of a log stream (a log, the next-generation or a reserve log), or a log by
    /// its header.
    fn is_log_stream_file(&self) -> bool {
        let name = self.name();
        self.class.kind == FileKind::Log
            || self.class.kind == FileKind::Reserve
            || parse_log_name(&name).is_some_and(|n| n.kind != LogNameKind::Checkpoint)
    }
}

/// The directory holding `path`; `.` for a bare file name.
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads enough of a file to classify it (both header copies at every page size) and, for a
/// database, the log signature its header carries.
fn classify_path(path: &Path) -> Result<(Classification, Option<(Signature, bool)>), CheckError> {
    let buf = crate::scan::file::read_head(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let class = classify(&buf, &name);
    let db_log = (class.kind == FileKind::Database)
        .then(|| crate::scan::header_copies::read_shadowed_header(&buf))
        .and_then(|sh| sh.chosen().map(|h| (h.sign_log, h.needs_logs())));
    Ok((class, db_log))
}

/// The regular files named by `paths` (directories are listed, not recursed), without
/// duplicates, with `named` set for those given as files; entries that are not regular files are
/// returned apart (as [`Ignored`]), or refused when they may be part of the set.
fn expand(
    paths: &[PathBuf],
    exclude: Option<&Path>,
    files: &mut BTreeMap<PathBuf, bool>,
    odd: &mut Vec<Ignored>,
) -> Result<(), CheckError> {
    let excluded = exclude.map(canonical_file);
    // The same file or directory reached under two spellings (`Dirty` and `./Dirty/`) is one
    // member: directories and named files are compared by their canonical paths (one lookup
    // each, not one per directory entry).
    let canon = canonical;
    let mut named_files: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for p in paths {
        if std::fs::metadata(p).is_ok_and(|m| m.is_file()) {
            named_files.entry(canon(p)).or_insert_with(|| p.clone());
        }
    }
    let mut seen_dirs = BTreeSet::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| CheckError::io(p, &e))?;
        if meta.is_dir() {
            let dir_canon = canon(p);
            if !seen_dirs.insert(dir_canon.clone()) {
                continue;
            }
            for e in list_entries(p, true)? {
                if excluded.as_ref() == Some(&dir_canon.join(&e.name)) {
                    continue;
                }
                if e.regular {
                    if !named_files.contains_key(&dir_canon.join(&e.name)) {
                        files.entry(e.path).or_insert(false);
                    }
                    continue;
                }
                let name = e.name.to_str();
                let ese_named = name.is_none_or(|n| name_kind(n).is_some() || names_a_log_stream_file(n));
                match std::fs::metadata(&e.path) {
                    // Named like a member, it may be the member: the set cannot be checked
                    // without it (issue 11). Anything else that is not a regular file is set
                    // aside, by name (a FIFO is never opened).
                    Ok(m) if ese_named => {
                        return Err(CheckError::new(
                            &e.path,
                            format!(
                                "is {}, not a regular file, but is named like an ESE file: the set cannot be checked",
                                kind_of_special(&m)
                            ),
                        ))
                    }
                    Ok(m) if m.is_dir() => {}
                    Ok(m) => odd.push(Ignored::new(
                        e.path.display().to_string(),
                        IgnoreKind::NotRegular,
                        format!("{}, not a regular file", kind_of_special(&m)),
                    )),
                    // Unreadable metadata (a dangling link, a loop): likewise.
                    Err(err) if ese_named => return Err(CheckError::io(&e.path, &err)),
                    Err(err) => odd.push(Ignored::new(
                        e.path.display().to_string(),
                        IgnoreKind::NotRegular,
                        format!("cannot be read ({err}); not named like an ESE file"),
                    )),
                }
            }
        } else if meta.is_file() {
            if named_files.get(&canon(p)) == Some(p) {
                files.insert(p.clone(), true);
            }
        } else {
            return Err(CheckError::new(p, "is not a regular file or directory"));
        }
    }
    Ok(())
}

/// What a file that is not regular is, in words.
fn kind_of_special(m: &std::fs::Metadata) -> &'static str {
    let t = m.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// True for a name of a log-stream file (a log, next-generation or reserve log).
fn names_a_log_stream_file(name: &str) -> bool {
    parse_log_name(name).is_some_and(|n| n.kind != LogNameKind::Checkpoint)
}

/// Classifies every file; an entry that is not a regular file (a log-named directory or
/// special file) is kept as a log that cannot be checked.
fn classify_all(files: BTreeMap<PathBuf, bool>) -> Result<Vec<Entry>, CheckError> {
    use rayon::prelude::*;
    // In parallel (a folder of 100,000 logs; on a cold cache each read waits for the disk), then
    // the first error in path order, as a sequential pass would have met it.
    let files: Vec<(PathBuf, bool)> = files.into_iter().collect();
    let classified: Vec<Result<Entry, CheckError>> = files
        .into_par_iter()
        .map(|(path, named)| {
            let regular = std::fs::metadata(&path).is_ok_and(|m| m.is_file());
            let (class, db_log) = if regular {
                classify_path(&path)?
            } else {
                (
                    Classification {
                        kind: FileKind::Log,
                        by_header: false,
                    },
                    None,
                )
            };
            Ok(Entry {
                path,
                named,
                regular,
                class,
                db_log,
            })
        })
        .collect();
    classified.into_iter().collect()
}

/// Finds and checks the members of a backup set (CLI.md `verify`); the verdict is
/// [`report::set::decide_set`](crate::report::set::decide_set)'s.
///
/// The set is what the user named (CLI.md Decision 20): the files named and the contents of the
/// directories named (and of `--logs`). Only a database named alone, with no log, checkpoint,
/// directory or `--logs`, has its logs and checkpoint looked for beside it.
///
/// `Err` means the set could not be checked (exit 2): a path is missing or unreadable, logs are
/// spread over several directories without `--logs`, several streams without `--base`, `--base`
/// names no stream while others are present, a file named on the command line is no part of the
/// set, or no database was found.
pub fn scan_set(paths: &[PathBuf], opts: &ScanOptions<'_>) -> Result<SetScan, CheckError> {
    let mut named: BTreeMap<PathBuf, bool> = BTreeMap::new();
    let mut ignored = Vec::new();
    let mut all: Vec<PathBuf> = paths.to_vec();
    all.extend(opts.logs_dir.iter().cloned());
    expand(&all, opts.exclude.as_deref(), &mut named, &mut ignored)?;
    let mut entries = classify_all(named)?;

    // A database named alone: its logs are looked for beside it, as Exchange and Windows keep
    // them by default.
    let named_dir = paths.iter().any(|p| p.is_dir()) || opts.logs_dir.is_some();
    let named_member = entries
        .iter()
        .any(|e| e.named && (e.is_log_stream_file() || e.class.kind == FileKind::Checkpoint));
    let mut looked_beside: Option<PathBuf> = None;
    if !named_dir && !named_member {
        let dirs: BTreeSet<PathBuf> = entries
            .iter()
            .filter(|e| e.named && e.class.kind == FileKind::Database)
            .map(Entry::dir)
            .collect();
        let mut extra: BTreeMap<PathBuf, bool> = BTreeMap::new();
        // The files already named, by canonical path: one lookup per directory entry.
        let known: BTreeSet<PathBuf> = entries.iter().map(|x| canonical(&x.path)).collect();
        for d in &dirs {
            let dir_canon = canonical(d);
            for e in list_entries(d, false)? {
                let name = e.name.to_str().unwrap_or_default();
                let wanted = names_a_log_stream_file(name) || name_kind(name) == Some(FileKind::Checkpoint);
                let path_canon = dir_canon.join(&e.name);
                let excluded = opts.exclude.as_deref().map(canonical_file) == Some(path_canon.clone());
                if wanted && !excluded && !known.contains(&path_canon) {
                    extra.insert(e.path, false);
                }
            }
        }
        entries.extend(classify_all(extra)?.into_iter().filter(|e| {
            // Of the directory beside the database: only the log stream and the checkpoint.
            e.is_log_stream_file() || e.class.kind == FileKind::Checkpoint
        }));
        looked_beside = dirs.into_iter().next();
    }

    // The databases' log signature: that of the ones that need logs, else of any.
    let expected = {
        let distinct = |needs_only: bool| {
            let mut v: Vec<Signature> = Vec::new();
            for (s, needs) in entries.iter().filter_map(|e| e.db_log) {
                if (needs || !needs_only) && !v.contains(&s) {
                    v.push(s);
                }
            }
            v
        };
        let (needing, any) = (distinct(true), distinct(false));
        match (needing.len(), any.len()) {
            (1, _) => needing.into_iter().next(),
            (0, 1) => any.into_iter().next(),
            _ => None,
        }
    };

    // The log directory: --logs, else the one directory holding log files.
    let log_dir = match &opts.logs_dir {
        Some(d) => Some(d.clone()),
        None => {
            let dirs: BTreeSet<PathBuf> = entries
                .iter()
                .filter(|e| e.class.kind == FileKind::Log)
                .map(Entry::dir)
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
            dirs.into_iter().next()
        }
    };
    let in_log_dir = |e: &Entry| log_dir.as_ref().is_some_and(|d| e.dir() == *d);
    let stream_entries: Vec<StreamEntry> = entries
        .iter()
        .filter(|e| e.is_log_stream_file() && in_log_dir(e))
        .map(|e| StreamEntry {
            path: e.path.clone(),
            name: e.path.file_name().map(|n| n.to_os_string()).unwrap_or_default(),
            regular: e.regular,
        })
        .collect();
    // Progress over every byte the run will check: the stream's logs, the databases, flush maps
    // and checkpoints.
    let progress = opts.progress.map(Progress::new);
    if let Some(p) = &progress {
        let others = entries.iter().filter(|e| {
            !e.is_log_stream_file()
                && matches!(
                    e.class.kind,
                    FileKind::Database | FileKind::FlushMap | FileKind::Checkpoint
                )
        });
        let (n, bytes) = total_size(
            stream_entries
                .iter()
                .map(|e| e.path.as_path())
                .chain(others.map(|e| e.path.as_path())),
        );
        p.set_total(n, bytes);
    }
    let mut handled: BTreeSet<PathBuf> = stream_entries.iter().map(|e| e.path.clone()).collect();
    let mut set_problems: Vec<Problem> = Vec::new();
    let stream = match &log_dir {
        Some(d) if !stream_entries.is_empty() => {
            let s = check_stream_entries(
                d,
                stream_entries,
                opts.base.as_deref(),
                expected,
                progress.as_ref(),
                opts.crc_block_size,
            )?;
            ignored.extend(s.ignored.iter().cloned());
            if s.files.is_empty() {
                // No stream, but a wiped log is still a damaged member of the set.
                set_problems.extend(
                    s.problems
                        .iter()
                        .filter(|p| p.is_error() && p.code != Some(JetErr::FileNotFound))
                        .cloned(),
                );
            }
            (!s.files.is_empty()).then_some(s)
        }
        _ => None,
    };
    let base = stream.as_ref().and_then(|s| s.base.clone()).or(opts.base.clone());

    let mut db_checks = Vec::new();
    let mut db_problems = std::mem::take(&mut set_problems);
    // Every file checked, with its identity when opened: re-checked before the verdict.
    let mut stamps: Vec<(PathBuf, Stamp)> = Vec::new();
    let mut checkpoints = Vec::new();
    let mut flush_maps = Vec::new();
    // CRCs hashed by the scans, by path (`--manifest`).
    let mut crcs: BTreeMap<PathBuf, crate::scan::crc::FileCrc> = BTreeMap::new();
    // The databases, as parallel tasks (each also parallel inside): one file's last chunks and
    // its open and unmap no longer leave the workers idle (issue 12). Results in path order.
    let databases: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.class.kind == FileKind::Database && !handled.contains(&e.path))
        .collect();
    let checked: Vec<Result<DbOutcome, CheckError>> = {
        use rayon::prelude::*;
        databases
            .par_iter()
            .map(|e| {
                let r = check_one_database(e, progress.as_ref(), opts.crc_block_size);
                if let Some(p) = &progress {
                    p.file_finished(&e.path);
                }
                r
            })
            .collect()
    };
    for (e, r) in databases.iter().zip(checked) {
        let (stamp, outcome, crc) = r?;
        stamps.push((e.path.clone(), stamp));
        if let Some(c) = crc {
            crcs.insert(e.path.clone(), c);
        }
        match outcome {
            DbResult::Checked(c) => db_checks.push(*c),
            DbResult::Temporary(i) => ignored.push(i),
            DbResult::Damaged(p) => db_problems.push(p),
        }
    }
    for e in &entries {
        if handled.contains(&e.path) {
            continue;
        }
        let shown = e.path.display().to_string();
        match e.class.kind {
            // Checked below, all at once.
            FileKind::Database => {}
            FileKind::Checkpoint => checkpoints.push(e.path.clone()),
            FileKind::FlushMap => {
                let input = Input::open(&e.path)?;
                stamps.push((e.path.clone(), input.stamp()));
                if let Some(p) = &progress {
                    p.file_started(&e.path);
                    p.inc(input.bytes().len() as u64);
                    p.file_finished(&e.path);
                }
                let collector = opts.crc_block_size.map(crate::scan::crc::FileCrcs::new);
                flush_maps.push(check_flush_map_with(
                    input.bytes(),
                    &shown,
                    &FlushMapOptions {
                        release: Some(&|offset, len| input.release(offset, len)),
                        holes: input.holes(),
                        crc: collector.as_ref(),
                    },
                ));
                if let Some(c) = collector {
                    crcs.insert(e.path.clone(), c.finish(input.bytes(), input.holes()));
                }
            }
            FileKind::Log => ignored.push(Ignored::new(
                shown,
                IgnoreKind::OutsideLogDirectory,
                match &log_dir {
                    Some(d) => format!("log outside the log directory {}", d.display()),
                    None => "log outside the log directory".to_string(),
                },
            )),
            FileKind::Reserve => {
                let note = Input::open(&e.path)
                    .map(|i| reserve_note(i.bytes()))
                    .unwrap_or("reserve / next-generation file, not verified");
                ignored.push(Ignored::new(shown, IgnoreKind::Reserve, note));
            }
            FileKind::Unknown => ignored.push(Ignored::new(shown, IgnoreKind::NotEse, "not an ESE file")),
        }
        handled.insert(e.path.clone());
    }

    // The checkpoint: `<base>.chk` of the stream (or of --base); with no base known, the only
    // one. A checkpoint of another base is never the set's.
    let chosen_chk = pick_checkpoint(&checkpoints, base.as_deref());
    for c in &checkpoints {
        if Some(c) != chosen_chk.as_ref() {
            let of = c
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(parse_log_name)
                .map(|n| format!(" (base {})", n.base))
                .unwrap_or_default();
            ignored.push(Ignored::new(
                c.display().to_string(),
                IgnoreKind::OtherCheckpoint,
                format!("checkpoint of another stream{of}"),
            ));
        }
    }

    // The set is what the user named: a file named on the command line that ended up in no part
    // of it was named by mistake (or the set was assembled wrongly).
    for e in entries.iter().filter(|e| e.named) {
        let shown = e.path.display().to_string();
        if let Some(i) = ignored
            .iter()
            .find(|i| i.path == shown && !i.kind.belongs_with_the_set())
        {
            return Err(CheckError::new(
                &e.path,
                format!("named on the command line but not part of the set: {}", i.why),
            ));
        }
    }
    if db_checks.is_empty() && db_problems.is_empty() {
        let where_ = paths.first().map(|p| p.display().to_string()).unwrap_or_default();
        return Err(CheckError::new(where_, "no database found"));
    }

    let mut chk_problems = Vec::new();
    let checkpoint = match &chosen_chk {
        Some(p) => {
            let shown = p.display().to_string();
            let input = Input::open(p)?;
            stamps.push((p.clone(), input.stamp()));
            if let Some(pr) = &progress {
                pr.file_started(p);
                pr.inc(input.bytes().len() as u64);
                pr.file_finished(p);
            }
            let bytes = input.bytes();
            if let Some(b) = opts.crc_block_size {
                crcs.insert(p.clone(), crate::scan::crc::crc_of_bytes(bytes, input.holes(), b));
            }
            let by_header = entries.iter().any(|e| &e.path == p && e.class.by_header);
            if !by_header && is_all_zeros(bytes) {
                chk_problems.push(damaged_member_problem(FileKind::Checkpoint, bytes, &shown, ""));
                None
            } else {
                match check_checkpoint(bytes, &shown) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        // A checkpoint of the set that cannot be read is damage to the set.
                        chk_problems.push(Problem::error(Some(JetErr::CheckpointCorrupt), &shown, e.message));
                        None
                    }
                }
            }
        }
        None => None,
    };
    db_problems.extend(chk_problems);

    // A file that changed while it was checked (a broken snapshot provider, a live database):
    // its verdict is about bytes that are no longer there. Files merely listed as ignored are
    // not part of this (a backup agent's own log in the folder changes nothing).
    if let Some(hook) = opts.before_recheck {
        hook();
    }
    recheck_all(stamps.iter().map(|(p, s)| (p.as_path(), s)))?;
    if let Some(s) = &stream {
        s.recheck()?;
    }

    ignored.sort_by(|a, b| a.path.cmp(&b.path));
    ignored.dedup_by(|a, b| a.path == b.path);
    if let Some(s) = &stream {
        for f in &s.files {
            if let (Some((p, _)), Some(c)) = (&f.opened, &f.crc) {
                crcs.insert(p.clone(), c.clone());
            }
        }
    }
    let files = match opts.crc_block_size {
        Some(b) => set_files(&entries, &ignored, crcs, b)?,
        None => Vec::new(),
    };
    Ok(SetScan {
        files,
        root: deepest_common_dir(&all),
        db_checks,
        stream,
        checkpoint,
        flush_maps,
        ignored,
        problems: db_problems,
        named_file_by_file: named_member && !named_dir,
        logs_looked_for_in: looked_beside,
    })
}

/// What checking one database of the set gave.
enum DbResult {
    /// A database of the set, checked.
    Checked(Box<DbCheck>),
    /// A temporary database: not part of the set.
    Temporary(Ignored),
    /// Named like a database, with no ESE structure.
    Damaged(Problem),
}

/// The file's identity when opened, what its check gave, and its CRCs when asked for.
type DbOutcome = (Stamp, DbResult, Option<crate::scan::crc::FileCrc>);

/// Every regular file of the set with its CRCs: those the scans hashed, the rest (files set
/// aside, members that could not be checked) hashed now. The type is the file's part in the set.
fn set_files(
    entries: &[Entry],
    ignored: &[Ignored],
    mut crcs: BTreeMap<PathBuf, crate::scan::crc::FileCrc>,
    block_size: u64,
) -> Result<Vec<SetFile>, CheckError> {
    use rayon::prelude::*;
    let ignored_paths: BTreeSet<&str> = ignored.iter().map(|i| i.path.as_str()).collect();
    let mut out: Vec<(PathBuf, MemberType, Option<crate::scan::crc::FileCrc>)> = entries
        .iter()
        .filter(|e| e.regular)
        .map(|e| {
            let shown = e.path.display().to_string();
            let kind = if ignored_paths.contains(shown.as_str()) {
                MemberType::Ignored
            } else {
                match e.class.kind {
                    FileKind::Database => MemberType::Database,
                    FileKind::Log => MemberType::Log,
                    FileKind::Checkpoint => MemberType::Checkpoint,
                    FileKind::FlushMap => MemberType::Flushmap,
                    FileKind::Reserve | FileKind::Unknown => MemberType::Ignored,
                }
            };
            (e.path.clone(), kind, crcs.remove(&e.path))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out.into_par_iter()
        .map(|(path, kind, crc)| {
            let crc = match crc {
                Some(c) => c,
                None => crate::scan::crc::crc_file(&path, block_size)?,
            };
            Ok(SetFile { path, kind, crc })
        })
        .collect()
}

/// The deepest directory holding every path (a directory holds itself; a file, its directory),
/// each made canonical; `.` made canonical when there is none.
pub fn deepest_common_dir(paths: &[PathBuf]) -> PathBuf {
    let dirs: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            if p.is_dir() {
                canonical(p)
            } else {
                canonical(&parent_dir(p))
            }
        })
        .collect();
    let Some(first) = dirs.first() else {
        return canonical(Path::new("."));
    };
    let mut common: Vec<std::path::Component<'_>> = first.components().collect();
    for d in &dirs[1..] {
        let n = common.iter().zip(d.components()).take_while(|(a, b)| **a == *b).count();
        common.truncate(n);
    }
    common.iter().collect()
}

/// `path` relative to `root`, `/`-separated (both made canonical, the file name kept as it is
/// so a link keeps its own name); `None` when it is not under `root`.
pub fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let full = canonical_file(path);
    let rel = full.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The canonical path of a file's directory joined with its name: what a file (existing or not,
/// a link or not) is called wherever its directory is reached from.
pub fn canonical_file(path: &Path) -> PathBuf {
    match path.file_name() {
        Some(name) => canonical(&parent_dir(path)).join(name),
        None => canonical(path),
    }
}

/// Checks one database of the set (CLI.md Decisions 1 and 7). `Err` when it cannot be checked.
fn check_one_database(
    e: &Entry,
    progress: Option<&Progress<'_>>,
    crc_block_size: Option<u64>,
) -> Result<DbOutcome, CheckError> {
    let shown = e.path.display().to_string();
    if let Some(p) = progress {
        p.file_started(&e.path);
    }
    let input = Input::open(&e.path)?;
    let stamp = input.stamp();
    let bytes = input.bytes();
    if !e.class.by_header && is_all_zeros(bytes) {
        return Ok((
            stamp,
            DbResult::Damaged(damaged_member_problem(FileKind::Database, bytes, &shown, "")),
            None,
        ));
    }
    let collector = crc_block_size.map(crate::scan::crc::FileCrcs::new);
    let result = check_database(
        bytes,
        &shown,
        &DbOptions {
            progress: progress.map(Progress::bar),
            release: Some(&|offset, len| input.release(offset, len)),
            holes: input.holes(),
            crc: collector.as_ref(),
        },
    );
    let crc = collector.map(|c| c.finish(bytes, input.holes()));
    let r = match result {
        Ok(c) if c.chosen_header().is_some_and(looks_temporary) => DbResult::Temporary(Ignored::new(
            shown,
            IgnoreKind::TemporaryDatabase,
            "temporary database (temp.edb): not part of the set",
        )),
        Ok(c) => DbResult::Checked(Box::new(c)),
        Err(err) if e.class.by_header => return Err(err),
        Err(err) => DbResult::Damaged(damaged_member_problem(FileKind::Database, bytes, &shown, &err.message)),
    };
    Ok((stamp, r, crc))
}

/// The canonical path of `p` (symbolic links and `.` resolved), or `p` when that fails.
pub fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

fn pick_checkpoint(cands: &[PathBuf], base: Option<&str>) -> Option<PathBuf> {
    if let Some(b) = base {
        let b = b.to_ascii_lowercase();
        return cands
            .iter()
            .find(|p| {
                p.file_name()
                    .map(|n| n.to_string_lossy().to_ascii_lowercase())
                    .is_some_and(|n| n == format!("{b}.chk") || n == format!("{b}.jcp"))
            })
            .cloned();
    }
    (cands.len() == 1).then(|| cands[0].clone())
}
