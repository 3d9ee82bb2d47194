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
use crate::scan::file::{recheck_all, FileId, Stamp};
use crate::scan::flushmap::{check_flush_map_with, FlushMapCheck, FlushMapOptions};
use crate::scan::progress::{total_size, Progress};
use crate::scan::stream::{check_stream_entries, list_entries, IgnoreKind, Ignored, StreamCheck, StreamEntry};
use crate::scan::Input;
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// of this many bytes) for a manifest, in the workers that check it (`SetScan::files`).
    pub crc_block_size: Option<u64>,
    /// A file that is never part of the set though it lies in a directory named (the manifest
    /// being written, `verify --manifest`).
    pub exclude: Option<PathBuf>,
    /// Skip the catalog, space and tree checks of the databases (`--no-logical`).
    pub no_logical: bool,
}

/// A file's part in a set, as a manifest writes it (`type`): its [`FileKind`] when it is a member
/// (a database, a log of the stream, the checkpoint, a flush map), `None` when it is set aside
/// (listed under `ignored`), written `"ignored"`. A kind that is never a member (`reserve`,
/// `unknown`) is refused when a manifest is read. For `#[serde(with = "member_type")]`.
pub mod member_type {
    use crate::scan::classify::FileKind;
    use serde::{Deserialize, Deserializer, Serializer};

    /// The word a manifest writes for `kind`.
    pub fn word(kind: Option<FileKind>) -> &'static str {
        match kind {
            Some(FileKind::Database) => "database",
            Some(FileKind::Log) => "log",
            Some(FileKind::Checkpoint) => "checkpoint",
            Some(FileKind::FlushMap) => "flushmap",
            // Never a member: classification sets them aside (CLI.md Decision 9).
            Some(FileKind::Reserve | FileKind::Unknown) | None => "ignored",
        }
    }

    /// Writes the part as its word.
    pub fn serialize<S: Serializer>(kind: &Option<FileKind>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(word(*kind))
    }

    /// Reads a part; any word but the five is an error naming it.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<FileKind>, D::Error> {
        let w = String::deserialize(d)?;
        Ok(Some(match w.as_str() {
            "database" => FileKind::Database,
            "log" => FileKind::Log,
            "checkpoint" => FileKind::Checkpoint,
            "flushmap" => FileKind::FlushMap,
            "ignored" => return Ok(None),
            other => {
                return Err(serde::de::Error::unknown_variant(
                    other,
                    &["database", "log", "checkpoint", "flushmap", "ignored"],
                ))
            }
        }))
    }

    /// Its JSON Schema: one of the five words.
    pub fn schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The file's part in the set: its kind when it is a member, `ignored` when it is set aside.",
            "type": "string",
            "enum": ["database", "log", "checkpoint", "flushmap", "ignored"]
        })
    }
}

/// One regular file of the set, with its CRCs.
#[derive(Debug, Clone)]
pub struct SetFile {
    /// The path as shown.
    pub path: PathBuf,
    /// Its part in the set: its kind, or `None` when it is set aside ([`member_type`]).
    pub kind: Option<FileKind>,
    /// Its CRCs.
    pub crc: crate::scan::crc::FileCrc,
    /// Which file it is (device, inode, birth time), from the open its CRCs were hashed through
    /// (CLI.md "Manifest", file identities: `compare` tells the set itself from a copy by it).
    pub id: crate::scan::file::FileId,
}

/// Everything the scan of a backup set found, before any decision: the checks of each member,
/// the files set aside, and the problems of members that could not be checked as what their name
/// promises.
#[derive(Debug, Clone)]
pub(crate) struct SetScan {
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
    /// The path under which a verified attach list of the stream's logs or checkpoint names
    /// this file as an attached database (CLI.md Decision 1, members by the attach list), when it was not a database by its
    /// bytes.
    attached_as: Option<String>,
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
                    // without it (CLI.md "Exit status", special entries). Anything else that is not a regular file is set
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
                attached_as: None,
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
pub(crate) fn scan_set(paths: &[PathBuf], opts: &ScanOptions<'_>) -> Result<SetScan, CheckError> {
    let mut named: BTreeMap<PathBuf, bool> = BTreeMap::new();
    let mut g = Gathered::default();
    let mut all: Vec<PathBuf> = paths.to_vec();
    all.extend(opts.logs_dir.iter().cloned());
    expand(&all, opts.exclude.as_deref(), &mut named, &mut g.ignored)?;
    let mut entries = classify_all(named)?;

    let named_dir = paths.iter().any(|p| p.is_dir()) || opts.logs_dir.is_some();
    let named_member = names_a_stream_member(&entries);
    let looked_beside = if !named_dir && !named_member {
        look_beside_databases(&mut entries, opts.exclude.as_deref())?
    } else {
        None
    };

    let db_logs: Vec<(Signature, bool)> = entries.iter().filter_map(|e| e.db_log).collect();
    let expected = databases_log_signature(&db_logs);
    let log_dir = log_directory(&entries, opts.logs_dir.as_ref())?;
    let stream_entries = stream_entries_of(&entries, log_dir.as_deref());
    let progress = opts.progress.map(Progress::new);
    if let Some(p) = &progress {
        set_progress_total(p, &stream_entries, &entries);
    }
    let mut handled: BTreeSet<PathBuf> = stream_entries.iter().map(|e| e.path.clone()).collect();
    let mut stream = match &log_dir {
        Some(d) if !stream_entries.is_empty() => {
            check_set_stream(&mut g, d, stream_entries, opts, expected, progress.as_ref())?
        }
        _ => None,
    };
    let base = stream.as_ref().and_then(|s| s.base.clone()).or(opts.base.clone());

    // The checkpoint: `<base>.chk` of the stream (or of --base), `.jcp` for a `.jtx` stream;
    // with no base known, the only one. A checkpoint of another base is never the set's. It is
    // checked before the databases: its attach list, like the logs', names them.
    let naming = stream.as_ref().and_then(stream_naming);
    let candidates: Vec<PathBuf> = entries
        .iter()
        .filter(|e| e.class.kind == FileKind::Checkpoint && !handled.contains(&e.path))
        .map(|e| e.path.clone())
        .collect();
    let chosen_chk = pick_checkpoint(&candidates, base.as_deref(), naming);
    let before_chk = g.problems.len();
    let checkpoint = match &chosen_chk {
        Some(p) => check_set_checkpoint(&mut g, p, &entries, progress.as_ref(), opts.crc_block_size)?,
        None => None,
    };
    // The checkpoint's own problems are listed after the databases' (and are no database).
    let checkpoint_problems: Vec<Problem> = g.problems.drain(before_chk..).collect();
    promote_attached_databases(
        &mut entries,
        &attached_database_names(stream.as_ref(), checkpoint.as_ref()),
    );

    check_databases(
        &mut g,
        &entries,
        &handled,
        progress.as_ref(),
        opts.crc_block_size,
        opts.no_logical,
    )?;
    for e in &entries {
        if handled.contains(&e.path) {
            continue;
        }
        check_or_set_aside(&mut g, e, log_dir.as_deref(), progress.as_ref(), opts.crc_block_size)?;
        handled.insert(e.path.clone());
    }
    g.ignored
        .extend(other_checkpoints(&g.checkpoints, chosen_chk.as_ref(), base.as_deref()));

    named_but_not_part_of_set(&entries, &g.ignored)?;
    if g.db_checks.is_empty() && g.problems.is_empty() {
        let where_ = paths.first().map(|p| p.display().to_string()).unwrap_or_default();
        return Err(CheckError::new(where_, "no database found"));
    }
    g.problems.extend(checkpoint_problems);

    if let Some(hook) = opts.before_recheck {
        hook();
    }
    recheck_members(&g.stamps, stream.as_ref())?;

    let mut ignored = g.ignored;
    ignored.sort_by(|a, b| a.path.cmp(&b.path));
    ignored.dedup_by(|a, b| a.path == b.path);
    let mut crcs = g.crcs;
    if let Some(s) = &mut stream {
        // Moved, not copied: the manifest is their one reader (5,000 logs' block lists).
        for f in &mut s.files {
            if let (Some((p, stamp)), Some(c)) = (&f.opened, f.crc.take()) {
                crcs.insert(p.clone(), (c, stamp.id()));
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
        db_checks: g.db_checks,
        stream,
        checkpoint,
        flush_maps: g.flush_maps,
        ignored,
        problems: g.problems,
        named_file_by_file: named_member && !named_dir,
        logs_looked_for_in: looked_beside,
    })
}

/// What the scan of the set's members has gathered so far.
#[derive(Default)]
struct Gathered {
    /// The databases checked.
    db_checks: Vec<DbCheck>,
    /// The flush maps checked.
    flush_maps: Vec<FlushMapCheck>,
    /// Every checkpoint found; the set's is picked from them.
    checkpoints: Vec<PathBuf>,
    /// Files set aside, in the order they were met (the first naming a file is the one a
    /// refusal quotes).
    ignored: Vec<Ignored>,
    /// Problems of members that belong to no check: a wiped log of no stream, damaged databases,
    /// then the checkpoint's.
    problems: Vec<Problem>,
    /// Every file checked, with its identity when opened: re-checked before the verdict.
    stamps: Vec<(PathBuf, Stamp)>,
    /// CRCs hashed by the scans, by path, with the identity of the file they were hashed
    /// through (`--manifest`).
    crcs: HashMap<PathBuf, Hashed>,
}

/// A file's CRCs and the identity of the open they were hashed through.
type Hashed = (crate::scan::crc::FileCrc, FileId);

/// CLI.md Decision 20: the user named a log-stream file or a checkpoint as a file; the set is
/// then exactly what was named (nothing is looked for beside a database), and the logs were named
/// file by file when no directory was named (Decision 16's checkpoint warning).
fn names_a_stream_member(entries: &[Entry]) -> bool {
    entries
        .iter()
        .any(|e| e.named && (e.is_log_stream_file() || e.class.kind == FileKind::Checkpoint))
}

/// CLI.md Decision 20: of the directory beside a database named alone, only the log stream (a
/// log, next-generation or reserve log) and the checkpoint are looked at.
fn wanted_beside_a_database(name: &str) -> bool {
    names_a_log_stream_file(name) || name_kind(name) == Some(FileKind::Checkpoint)
}

/// CLI.md Decision 20: a database named alone has its logs and checkpoint looked for beside it
/// (as Exchange and Windows keep them by default). So has a named file that is nothing by its
/// bytes: the stream beside it may name it as its attached database, wiped (CLI.md Decision 1, members by the attach list),
/// and it is then that damaged database rather than "not part of the set". Adds them to
/// `entries` (not those already named, nor the excluded manifest) and returns the directory
/// searched.
fn look_beside_databases(entries: &mut Vec<Entry>, exclude: Option<&Path>) -> Result<Option<PathBuf>, CheckError> {
    let dirs: BTreeSet<PathBuf> = entries
        .iter()
        .filter(|e| e.named && matches!(e.class.kind, FileKind::Database | FileKind::Unknown))
        .map(Entry::dir)
        .collect();
    let mut extra: BTreeMap<PathBuf, bool> = BTreeMap::new();
    // The files already named, by canonical path: one lookup per directory entry.
    let known: BTreeSet<PathBuf> = entries.iter().map(|x| canonical(&x.path)).collect();
    for d in &dirs {
        let dir_canon = canonical(d);
        for e in list_entries(d, false)? {
            let name = e.name.to_str().unwrap_or_default();
            let path_canon = dir_canon.join(&e.name);
            let excluded = exclude.map(canonical_file) == Some(path_canon.clone());
            if wanted_beside_a_database(name) && !excluded && !known.contains(&path_canon) {
                extra.insert(e.path, false);
            }
        }
    }
    entries.extend(classify_all(extra)?.into_iter().filter(|e| {
        // Of the directory beside the database: only the log stream and the checkpoint.
        e.is_log_stream_file() || e.class.kind == FileKind::Checkpoint
    }));
    Ok(dirs.into_iter().next())
}

/// The databases' log signature (CLI.md Decisions 15 and 21), from `(signature, needs logs)` of
/// each database's usable header: the one signature of those that need logs; when none needs
/// logs, the one signature of all. Several: none (no stream can carry them all).
fn databases_log_signature(db_logs: &[(Signature, bool)]) -> Option<Signature> {
    let distinct = |needs_only: bool| {
        let mut v: Vec<Signature> = Vec::new();
        for &(s, needs) in db_logs {
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
}

/// The log directory (CLI.md Decision 20): `--logs`, else the one directory holding log files.
/// Logs in several directories without `--logs` cannot be checked (exit 2): which is the
/// stream's is not guessed.
fn log_directory(entries: &[Entry], logs_dir: Option<&PathBuf>) -> Result<Option<PathBuf>, CheckError> {
    if let Some(d) = logs_dir {
        return Ok(Some(d.clone()));
    }
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
    Ok(dirs.into_iter().next())
}

/// What the stream is made of (CLI.md Decisions 9 and 20): every log-stream file of the set in
/// the log directory (a log by its header or its name, a next-generation or reserve log).
fn stream_entries_of(entries: &[Entry], log_dir: Option<&Path>) -> Vec<StreamEntry> {
    entries
        .iter()
        .filter(|e| e.is_log_stream_file() && log_dir.is_some_and(|d| e.dir() == d))
        .map(|e| StreamEntry {
            path: e.path.clone(),
            name: e.path.file_name().map(|n| n.to_os_string()).unwrap_or_default(),
            regular: e.regular,
        })
        .collect()
}

/// Progress over every byte the run will check: the stream's logs, the databases, flush maps
/// and checkpoints.
fn set_progress_total(p: &Progress<'_>, stream_entries: &[StreamEntry], entries: &[Entry]) {
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

/// The file names (lower case, last path component) of the databases attached to the stream, by
/// the attach lists (`rgbAttach`) of every log header and of the checkpoint copy in use whose
/// checksum verifies, with the path as the list has it (CLI.md Decision 1, members by the attach list).
fn attached_database_names(
    stream: Option<&StreamCheck>,
    checkpoint: Option<&CheckpointCheck>,
) -> BTreeMap<String, String> {
    let logs = stream.into_iter().flat_map(|s| s.attached_databases.iter());
    let chk = checkpoint
        .and_then(|c| c.header.as_ref())
        .into_iter()
        .flat_map(|h| h.attach.iter().map(|a| &a.path));
    logs.chain(chk)
        .filter_map(|path| {
            let name = path.rsplit(['\\', '/']).next()?.to_ascii_lowercase();
            (!name.is_empty()).then(|| (name, path.clone()))
        })
        .collect()
}

/// CLI.md Decision 1 (members by the attach list), "a member is a member, even wiped": a file of the set whose name (compared
/// case-insensitively) is that of a database the stream's logs or checkpoint name as attached
/// ([`attached_database_names`]) is a database of the set by name (CLI.md Decision 1), whatever
/// its bytes: destroyed headers, empty, short or all zeros, it is a damaged database (exit 1),
/// never "not an ESE file", "shorter than the smallest ESE header" or "no database found" (exit
/// 2). Files that are a log, checkpoint or flush map by their bytes are left as they are.
fn promote_attached_databases(entries: &mut [Entry], attached: &BTreeMap<String, String>) {
    for e in entries.iter_mut().filter(|e| e.regular) {
        let Some(full) = attached.get(&e.name().to_ascii_lowercase()) else {
            continue;
        };
        match e.class.kind {
            FileKind::Unknown => {
                e.class = Classification {
                    kind: FileKind::Database,
                    by_header: false,
                };
            }
            // A database by its magic that turns out too short to check is still this member.
            FileKind::Database => {}
            _ => continue,
        }
        e.attached_as = Some(full.clone());
    }
}

/// Checks the set's log stream in `dir` (CLI.md Decisions 9, 15 and 21). Its files set aside
/// join the set's; a stream left with no log is no stream, but its wiped logs are still
/// problems of the set ([`wiped_logs_of_no_stream`]).
fn check_set_stream(
    g: &mut Gathered,
    dir: &Path,
    stream_entries: Vec<StreamEntry>,
    opts: &ScanOptions<'_>,
    expected: Option<Signature>,
    progress: Option<&Progress<'_>>,
) -> Result<Option<StreamCheck>, CheckError> {
    let s = check_stream_entries(
        dir,
        stream_entries,
        opts.base.as_deref(),
        expected,
        progress,
        opts.crc_block_size,
    )?;
    g.ignored.extend(s.ignored.iter().cloned());
    if s.files.is_empty() {
        g.problems.extend(wiped_logs_of_no_stream(&s));
    }
    Ok((!s.files.is_empty()).then_some(s))
}

/// CLI.md "A file that changes while it is checked is never a pass": every member checked
/// (`stamps`, then the stream's logs) must still be what was read, else exit 2 naming it. Its
/// verdict would be about bytes that are no longer there. Files merely listed as ignored are not
/// part of this (a backup agent's own log in the folder changes nothing).
fn recheck_members(stamps: &[(PathBuf, Stamp)], stream: Option<&StreamCheck>) -> Result<(), CheckError> {
    recheck_all(stamps.iter().map(|(p, s)| (p.as_path(), s)))?;
    match stream {
        Some(s) => s.recheck(),
        None => Ok(()),
    }
}

/// CLI.md Decision 1: a stream with no log left (only wiped logs of no stream): no stream, but
/// each wiped log is still a damaged member of the set. "No logs found" (−1811) is not a problem
/// of the set: Decisions 16 and 14 decide what the databases need.
fn wiped_logs_of_no_stream(s: &StreamCheck) -> Vec<Problem> {
    s.problems
        .iter()
        .filter(|p| p.is_error() && p.code != Some(JetErr::FileNotFound))
        .cloned()
        .collect()
}

/// Checks the databases (those not part of the stream) as parallel tasks, each also parallel
/// inside: one file's last chunks and its open and unmap no longer leave the workers idle (issue
/// 12). Results are taken in path order; the first that could not be checked is the error.
fn check_databases(
    g: &mut Gathered,
    entries: &[Entry],
    handled: &BTreeSet<PathBuf>,
    progress: Option<&Progress<'_>>,
    crc_block_size: Option<u64>,
    no_logical: bool,
) -> Result<(), CheckError> {
    use rayon::prelude::*;
    let databases: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.class.kind == FileKind::Database && !handled.contains(&e.path))
        .collect();
    let checked: Vec<Result<DbOutcome, CheckError>> = databases
        .par_iter()
        .map(|e| {
            let r = check_one_database(e, progress, crc_block_size, no_logical);
            if let Some(p) = progress {
                p.file_finished(&e.path);
            }
            r
        })
        .collect();
    for (e, r) in databases.iter().zip(checked) {
        let (stamp, outcome, crc) = r?;
        g.stamps.push((e.path.clone(), stamp));
        if let Some(c) = crc {
            g.crcs.insert(e.path.clone(), (c, stamp.id()));
        }
        match outcome {
            DbResult::Checked(c) => g.db_checks.push(*c),
            DbResult::Temporary(i) => g.ignored.push(i),
            DbResult::Damaged(p) => g.problems.push(p),
        }
    }
    Ok(())
}

/// A member that is not of the stream nor a database (those are checked already): a flush map
/// is checked (Decision 8), a checkpoint kept for [`pick_checkpoint`], anything else set aside
/// ([`set_aside`]).
fn check_or_set_aside(
    g: &mut Gathered,
    e: &Entry,
    log_dir: Option<&Path>,
    progress: Option<&Progress<'_>>,
    crc_block_size: Option<u64>,
) -> Result<(), CheckError> {
    match e.class.kind {
        FileKind::Database => {}
        FileKind::Checkpoint => g.checkpoints.push(e.path.clone()),
        FileKind::FlushMap => {
            let shown = e.path.display().to_string();
            let input = Input::open(&e.path)?;
            g.stamps.push((e.path.clone(), input.stamp()));
            if let Some(p) = progress {
                p.file_started(&e.path);
                crate::scan::progress::file_checked(p.bar(), input.bytes().len() as u64, input.holes());
                p.file_finished(&e.path);
            }
            let collector = crc_block_size.map(crate::scan::crc::FileCrcs::new);
            g.flush_maps.push(check_flush_map_with(
                input.bytes(),
                &shown,
                &FlushMapOptions {
                    release: Some(&|offset, len| input.release(offset, len)),
                    holes: input.holes(),
                    crc: collector.as_ref(),
                },
            ));
            if let Some(c) = collector {
                g.crcs.insert(
                    e.path.clone(),
                    (c.finish(input.bytes(), input.holes()), input.stamp().id()),
                );
            }
        }
        FileKind::Log | FileKind::Reserve | FileKind::Unknown => g.ignored.extend(set_aside(e, log_dir)),
    }
    Ok(())
}

/// Why a file of the set is not checked (CLI.md Decisions 1, 9 and 20): a log outside the log
/// directory, a reserve or next-generation log (never verified, its words from its bytes), a file
/// that is not ESE. `None` for the kinds that are checked.
fn set_aside(e: &Entry, log_dir: Option<&Path>) -> Option<Ignored> {
    let shown = e.path.display().to_string();
    match e.class.kind {
        FileKind::Log => Some(Ignored::new(
            shown,
            IgnoreKind::OutsideLogDirectory,
            match log_dir {
                Some(d) => format!("log outside the log directory {}", d.display()),
                None => "log outside the log directory".to_string(),
            },
        )),
        FileKind::Reserve => {
            let note = Input::open(&e.path)
                .map(|i| reserve_note(i.bytes()))
                .unwrap_or("reserve / next-generation file, not verified");
            Some(Ignored::new(shown, IgnoreKind::Reserve, note))
        }
        FileKind::Unknown => Some(Ignored::new(shown, IgnoreKind::NotEse, "not an ESE file")),
        FileKind::Database | FileKind::Checkpoint | FileKind::FlushMap => None,
    }
}

/// The file naming of a log stream (log.cxx, the extension choice: the legacy names `.log` and
/// `.chk` go together, the new ones `.jtx` and `.jcp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Naming {
    /// `.log` logs, `.chk` checkpoint.
    Legacy,
    /// `.jtx` logs, `.jcp` checkpoint.
    New,
}

impl Naming {
    /// The checkpoint extension of this naming, lower case, without the dot.
    fn checkpoint_ext(self) -> &'static str {
        match self {
            Naming::Legacy => "chk",
            Naming::New => "jcp",
        }
    }
}

/// The naming of the stream's logs (CLI.md Decision 21): `None` when its logs carry both
/// extensions or neither (then either checkpoint extension is taken, as the engine tries both
/// before a stream has settled one, log.cxx `ErrLGICheckpointInit`).
fn stream_naming(s: &StreamCheck) -> Option<Naming> {
    let ext = |f: &crate::scan::log::LogCheck| {
        let name = f.file_name().to_ascii_lowercase();
        if name.ends_with(".log") {
            Some(Naming::Legacy)
        } else if name.ends_with(".jtx") {
            Some(Naming::New)
        } else {
            None
        }
    };
    let found: BTreeSet<Naming> = s.files.iter().filter_map(ext).collect();
    match (found.len(), found.first()) {
        (1, Some(&n)) => Some(n),
        _ => None,
    }
}

/// CLI.md Decision 21 and CLI.md Decision 21: every checkpoint but the set's is set aside. The
/// stream's base with the other naming's extension is "checkpoint of the other naming (not
/// used)"; any other is "checkpoint of another stream", naming its base when its name has one.
fn other_checkpoints(checkpoints: &[PathBuf], chosen: Option<&PathBuf>, base: Option<&str>) -> Vec<Ignored> {
    checkpoints
        .iter()
        .filter(|c| Some(*c) != chosen)
        .map(|c| {
            let name = c.file_name().and_then(|n| n.to_str()).and_then(parse_log_name);
            if let (Some(n), Some(b)) = (&name, base) {
                if n.base.eq_ignore_ascii_case(b) {
                    return Ignored::new(
                        c.display().to_string(),
                        IgnoreKind::OtherNamingCheckpoint,
                        "checkpoint of the other naming (not used)",
                    );
                }
            }
            let of = name.map(|n| format!(" (base {})", n.base)).unwrap_or_default();
            Ignored::new(
                c.display().to_string(),
                IgnoreKind::OtherCheckpoint,
                format!("checkpoint of another stream{of}"),
            )
        })
        .collect()
}

/// CLI.md Decision 20: the set is what the user named, so a file named on the command line that
/// ended up in no part of it (set aside for a reason that does not belong with the set) was named
/// by mistake, or the set was assembled wrongly: exit 2 naming it and the reason.
fn named_but_not_part_of_set(entries: &[Entry], ignored: &[Ignored]) -> Result<(), CheckError> {
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
    Ok(())
}

/// Checks the set's checkpoint `p` (CLI.md Decisions 1, 3 and 19). Named like one but all zeros
/// and not recognised by its header: a damaged member. One that cannot be read as a checkpoint is
/// damage to the set (−533), not "could not check": the set it belongs to is known. `Err` only
/// when the file cannot be opened.
fn check_set_checkpoint(
    g: &mut Gathered,
    p: &PathBuf,
    entries: &[Entry],
    progress: Option<&Progress<'_>>,
    crc_block_size: Option<u64>,
) -> Result<Option<CheckpointCheck>, CheckError> {
    let shown = p.display().to_string();
    let input = Input::open(p)?;
    g.stamps.push((p.clone(), input.stamp()));
    if let Some(pr) = progress {
        pr.file_started(p);
        crate::scan::progress::file_checked(pr.bar(), input.bytes().len() as u64, input.holes());
        pr.file_finished(p);
    }
    let bytes = input.bytes();
    if let Some(b) = crc_block_size {
        g.crcs.insert(
            p.clone(),
            (
                crate::scan::crc::crc_of_bytes(bytes, input.holes(), b),
                input.stamp().id(),
            ),
        );
    }
    let by_header = entries.iter().any(|e| &e.path == p && e.class.by_header);
    if !by_header && is_all_zeros(bytes) {
        g.problems
            .push(damaged_member_problem(FileKind::Checkpoint, bytes, &shown, ""));
        return Ok(None);
    }
    match check_checkpoint(bytes, &shown) {
        Ok(c) => Ok(Some(c)),
        Err(e) => {
            g.problems.push(unreadable_checkpoint(&shown, e));
            Ok(None)
        }
    }
}

/// CLI.md Decision 3: a checkpoint of the set that cannot be checked (a header value outside the
/// allowed sets) is a damaged member, −533, failing the set rather than exit 2.
fn unreadable_checkpoint(shown: &str, e: CheckError) -> Problem {
    Problem::error(Some(JetErr::CheckpointCorrupt), shown, e.message)
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

/// Every regular file of the set with its CRCs and identity: those the scans hashed, with the
/// identity of the open they were hashed through; the rest (files set aside, members that could
/// not be checked) opened and hashed now. The type is the file's part in the set.
fn set_files(
    entries: &[Entry],
    ignored: &[Ignored],
    mut crcs: HashMap<PathBuf, Hashed>,
    block_size: u64,
) -> Result<Vec<SetFile>, CheckError> {
    use rayon::prelude::*;
    let ignored_paths: BTreeSet<&str> = ignored.iter().map(|i| i.path.unescaped()).collect();
    let mut out: Vec<(PathBuf, Option<FileKind>, Option<Hashed>)> = entries
        .iter()
        .filter(|e| e.regular)
        .map(|e| {
            let shown = e.path.display().to_string();
            let kind = match e.class.kind {
                _ if ignored_paths.contains(shown.as_str()) => None,
                FileKind::Reserve | FileKind::Unknown => None,
                k => Some(k),
            };
            (e.path.clone(), kind, crcs.remove(&e.path))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out.into_par_iter()
        .map(|(path, kind, crc)| {
            let (crc, id) = match crc {
                Some(hashed) => hashed,
                None => {
                    let input = Input::open(&path)?;
                    (
                        crate::scan::crc::crc_input(&input, block_size, None),
                        input.stamp().id(),
                    )
                }
            };
            Ok(SetFile { path, kind, crc, id })
        })
        .collect()
}

/// The deepest directory holding every path (a directory holds itself; a file, its directory),
/// each made canonical; `.` made canonical when there is none.
pub(crate) fn deepest_common_dir(paths: &[PathBuf]) -> PathBuf {
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
pub(crate) fn relative_to(root: &Path, path: &Path) -> Option<String> {
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
pub(crate) fn canonical_file(path: &Path) -> PathBuf {
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
    no_logical: bool,
) -> Result<DbOutcome, CheckError> {
    let shown = e.path.display().to_string();
    if let Some(p) = progress {
        p.file_started(&e.path);
    }
    let input = Input::open(&e.path)?;
    let stamp = input.stamp();
    let bytes = input.bytes();
    if !e.class.by_header && is_all_zeros(bytes) {
        return Ok((stamp, DbResult::Damaged(damaged_database(e, bytes, &shown, "")), None));
    }
    let map = crate::scan::flushmap::load_flush_map_beside(bytes, &e.path, &shown);
    let collector = crc_block_size.map(crate::scan::crc::FileCrcs::new);
    let result = check_database(
        bytes,
        &shown,
        &DbOptions {
            progress: progress.map(Progress::bar),
            release: Some(&|offset, len| input.release(offset, len)),
            holes: input.holes(),
            crc: collector.as_ref(),
            in_set: true,
            no_logical,
            flush_map: map.used(),
        },
    );
    let crc = collector.map(|c| c.finish(bytes, input.holes()));
    let r = match result {
        Ok(c) if c.chosen_header().is_some_and(looks_temporary) => DbResult::Temporary(Ignored::new(
            shown,
            IgnoreKind::TemporaryDatabase,
            "temporary database (temp.edb): not part of the set",
        )),
        Ok(mut c) => {
            map.note(&mut c);
            DbResult::Checked(Box::new(c))
        }
        // Known by its magic alone, a file that cannot be checked is exit 2 (Decision 2); one the
        // stream names as attached is a damaged member of the set (CLI.md Decision 1, members by the attach list).
        Err(err) if e.class.by_header && e.attached_as.is_none() => return Err(err),
        Err(err) => DbResult::Damaged(damaged_database(e, bytes, &shown, &err.message)),
    };
    Ok((stamp, r, crc))
}

/// A database of the set by its name, or by the stream's attach list, whose bytes hold no
/// usable database (CLI.md Decision 1, CLI.md Decision 1, members by the attach list): the damaged member's problem, saying
/// which attach list entry names it.
fn damaged_database(e: &Entry, bytes: &[u8], shown: &str, detail: &str) -> Problem {
    let mut p = damaged_member_problem(FileKind::Database, bytes, shown, detail);
    if let Some(full) = &e.attached_as {
        p.message = format!(
            "{}; the log stream names it as an attached database ({})",
            p.message, full
        );
    }
    p
}

/// The canonical path of `p` (symbolic links and `.` resolved), or `p` when that fails.
pub(crate) fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The set's checkpoint among `cands` (CLI.md Decision 21, CLI.md Decision 21): `<base>.chk` for a
/// `.log` stream, `<base>.jcp` for a `.jtx` one, either when the naming is not known; with no
/// base known, the only candidate.
fn pick_checkpoint(cands: &[PathBuf], base: Option<&str>, naming: Option<Naming>) -> Option<PathBuf> {
    if let Some(b) = base {
        let b = b.to_ascii_lowercase();
        let exts: &[&str] = match naming {
            Some(n) => &[n.checkpoint_ext()],
            None => &["chk", "jcp"],
        };
        return cands
            .iter()
            .find(|p| {
                p.file_name()
                    .map(|n| n.to_string_lossy().to_ascii_lowercase())
                    .is_some_and(|n| exts.iter().any(|e| n == format!("{b}.{e}")))
            })
            .cloned();
    }
    (cands.len() == 1).then(|| cands[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_writes_a_members_kind_or_ignored_and_reads_back_only_those_words() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct F {
            #[serde(with = "member_type")]
            t: Option<FileKind>,
        }
        for (kind, word) in [
            (Some(FileKind::Database), "database"),
            (Some(FileKind::Log), "log"),
            (Some(FileKind::Checkpoint), "checkpoint"),
            (Some(FileKind::FlushMap), "flushmap"),
            (None, "ignored"),
        ] {
            let json = format!(r#"{{"t":"{word}"}}"#);
            assert_eq!(serde_json::to_string(&F { t: kind }).unwrap(), json);
            assert_eq!(serde_json::from_str::<F>(&json).unwrap(), F { t: kind });
        }
        // Never members: written as set aside, and refused as a manifest's word.
        assert_eq!(member_type::word(Some(FileKind::Reserve)), "ignored");
        for w in ["reserve", "unknown", "Database", ""] {
            assert!(serde_json::from_str::<F>(&format!(r#"{{"t":"{w}"}}"#)).is_err(), "{w}");
        }
    }
    use crate::problem::Severity;
    use crate::testkit::{lgpos, logtime_from_secs, signature, CheckpointBuilder, DbBuilder, LogBuilder};

    fn entry(path: &str, named: bool, kind: FileKind) -> Entry {
        Entry {
            path: PathBuf::from(path),
            named,
            regular: true,
            class: Classification { kind, by_header: true },
            db_log: None,
            attached_as: None,
        }
    }

    fn sig(n: u32) -> Signature {
        signature(n, logtime_from_secs(u64::from(n)))
    }

    #[test]
    fn a_log_or_checkpoint_named_as_a_file_makes_the_set_exactly_what_was_named() {
        let db = entry("d/x.edb", true, FileKind::Database);
        assert!(!names_a_stream_member(std::slice::from_ref(&db)));
        assert!(!names_a_stream_member(&[
            db.clone(),
            entry("d/E00.log", false, FileKind::Log)
        ]));
        assert!(names_a_stream_member(&[
            db.clone(),
            entry("d/E00.log", true, FileKind::Log)
        ]));
        assert!(names_a_stream_member(&[
            db.clone(),
            entry("d/E00.chk", true, FileKind::Checkpoint)
        ]));
        // A reserve log named as a file is part of the stream too.
        assert!(names_a_stream_member(&[
            db,
            entry("d/E00tmp.log", true, FileKind::Reserve)
        ]));
    }

    #[test]
    fn beside_a_database_only_the_log_stream_and_the_checkpoint_are_looked_at() {
        for name in [
            "E00.log",
            "E0000001.log",
            "e00.JTX",
            "E00tmp.log",
            "E00res00001.jrs",
            "E00.chk",
            "x.jcp",
        ] {
            assert!(wanted_beside_a_database(name), "{name}");
        }
        for name in ["other.edb", "notes.txt", "SRUDB.jfm", "SRUDB.dat"] {
            assert!(!wanted_beside_a_database(name), "{name}");
        }
    }

    #[test]
    fn a_database_named_alone_has_its_logs_and_checkpoint_looked_for_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        DbBuilder::new(8192)
            .state(2)
            .log_required(1, 1)
            .write_file(&d.join("x.edb"))
            .unwrap();
        DbBuilder::new(8192).write_file(&d.join("other.edb")).unwrap();
        LogBuilder::new(1).write_file(&d.join("E00.log")).unwrap();
        CheckpointBuilder::new().write_file(&d.join("E00.chk")).unwrap();
        std::fs::write(d.join("notes.txt"), "not part of it").unwrap();
        let named: BTreeMap<PathBuf, bool> = [(d.join("x.edb"), true)].into_iter().collect();
        let mut entries = classify_all(named).unwrap();
        let looked = look_beside_databases(&mut entries, None).unwrap();
        assert_eq!(looked.as_deref(), Some(d));
        let mut got: Vec<(String, FileKind)> = entries.iter().map(|e| (e.name(), e.class.kind)).collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            vec![
                ("E00.chk".to_string(), FileKind::Checkpoint),
                ("E00.log".to_string(), FileKind::Log),
                ("x.edb".to_string(), FileKind::Database),
            ]
        );
        // The manifest being written is never part of the set.
        let named: BTreeMap<PathBuf, bool> = [(d.join("x.edb"), true)].into_iter().collect();
        let mut entries = classify_all(named).unwrap();
        look_beside_databases(&mut entries, Some(&d.join("E00.chk"))).unwrap();
        assert!(entries.iter().all(|e| e.name() != "E00.chk"));
    }

    #[test]
    fn the_databases_signature_is_that_of_the_ones_that_need_logs_else_of_all() {
        let (a, b) = (sig(1), sig(2));
        assert_eq!(databases_log_signature(&[(a, true), (b, false)]), Some(a));
        assert_eq!(databases_log_signature(&[(a, true), (a, true), (b, false)]), Some(a));
        assert_eq!(databases_log_signature(&[(b, false)]), Some(b));
        // Two that need logs disagree, or two clean ones do: no stream can be named by it.
        assert_eq!(databases_log_signature(&[(a, true), (b, true)]), None);
        assert_eq!(databases_log_signature(&[(a, false), (b, false)]), None);
        assert_eq!(databases_log_signature(&[]), None);
    }

    #[test]
    fn logs_in_two_directories_without_logs_option_cannot_be_checked() {
        let entries = vec![
            entry("d1/E00.log", false, FileKind::Log),
            entry("d2/E0000001.log", false, FileKind::Log),
            entry("d3/x.edb", true, FileKind::Database),
        ];
        let e = log_directory(&entries, None).unwrap_err();
        assert_eq!(
            e.message,
            "log files found in several directories (d1, d2); name the stream's with --logs"
        );
        let logs = PathBuf::from("d2");
        assert_eq!(log_directory(&entries, Some(&logs)).unwrap(), Some(logs));
        assert_eq!(log_directory(&entries[1..], None).unwrap(), Some(PathBuf::from("d2")));
        // A bare file name is in `.`.
        assert_eq!(
            log_directory(&[entry("E00.log", true, FileKind::Log)], None).unwrap(),
            Some(PathBuf::from("."))
        );
        assert_eq!(log_directory(&entries[2..], None).unwrap(), None);
    }

    #[test]
    fn the_stream_is_the_log_stream_files_of_the_log_directory() {
        let entries = vec![
            entry("d/E00.log", false, FileKind::Log),
            entry("d/E00tmp.log", false, FileKind::Reserve),
            entry("d/E00.chk", false, FileKind::Checkpoint),
            entry("d/x.edb", false, FileKind::Database),
            entry("e/E0000001.log", false, FileKind::Log),
        ];
        let got: Vec<PathBuf> = stream_entries_of(&entries, Some(Path::new("d")))
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(got, vec![PathBuf::from("d/E00.log"), PathBuf::from("d/E00tmp.log")]);
        assert!(stream_entries_of(&entries, None).is_empty());
    }

    #[test]
    fn a_wiped_log_of_no_stream_is_still_a_damaged_member_no_logs_is_not() {
        let wiped = Problem::error(Some(JetErr::LogFileCorrupt), "d/X0000001.log", "zeros").of_zeros();
        let s = StreamCheck {
            verdict: crate::verdict::Verdict::Fail,
            base: None,
            directory: "d".into(),
            first: None,
            last: None,
            files: Vec::new(),
            ignored: Vec::new(),
            problems: vec![
                wiped.clone(),
                Problem::error(Some(JetErr::FileNotFound), "d", "no log files (.log or .jtx) found"),
                Problem::warning(None, "d", "w"),
            ],
            log_signature: None,
            attached_databases: Default::default(),
        };
        assert_eq!(wiped_logs_of_no_stream(&s), vec![wiped]);
    }

    #[test]
    fn a_file_the_attach_list_names_is_a_database_of_the_set_whatever_its_bytes() {
        // CLI.md Decision 1 (members by the attach list): names compared case-insensitively, by the last path component of
        // either separator; only files that are nothing else by their bytes are promoted.
        let mut s = stream_of(&[]);
        s.attached_databases = [
            "C:\\Windows\\system32\\SRU\\SRUDB.dat".to_string(),
            "/srv/db/Other.EDB".to_string(),
        ]
        .into_iter()
        .collect();
        let names = attached_database_names(Some(&s), None);
        assert_eq!(
            names.keys().map(String::as_str).collect::<Vec<_>>(),
            vec!["other.edb", "srudb.dat"]
        );
        let mut entries = vec![
            entry("d/srudb.DAT", false, FileKind::Unknown),
            entry("e/other.edb", false, FileKind::Unknown),
            entry("d/notes.txt", false, FileKind::Unknown),
            entry("d/SRUDB.dat.jfm", false, FileKind::FlushMap),
            entry("f/SRUDB.dat", false, FileKind::Database),
            entry("g/other.edb", false, FileKind::Log),
        ];
        promote_attached_databases(&mut entries, &names);
        let kinds: Vec<(FileKind, bool, Option<&str>)> = entries
            .iter()
            .map(|e| (e.class.kind, e.class.by_header, e.attached_as.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (FileKind::Database, false, Some("C:\\Windows\\system32\\SRU\\SRUDB.dat")),
                (FileKind::Database, false, Some("/srv/db/Other.EDB")),
                (FileKind::Unknown, true, None),
                (FileKind::FlushMap, true, None),
                // A database by its magic keeps it, and is known to be the member.
                (FileKind::Database, true, Some("C:\\Windows\\system32\\SRU\\SRUDB.dat")),
                (FileKind::Log, true, None),
            ]
        );
        // Without the rule's list, nothing changes.
        let mut plain = vec![entry("d/srudb.dat", false, FileKind::Unknown)];
        promote_attached_databases(&mut plain, &BTreeMap::new());
        assert_eq!(plain[0].class.kind, FileKind::Unknown);
        // Its damage names the attach list entry.
        let p = damaged_database(&entries[0], &[0u8; 8192], "d/srudb.DAT", "");
        assert_eq!(p.code, Some(JetErr::DatabaseCorrupted));
        assert!(
            p.message
                .ends_with("the log stream names it as an attached database (C:\\Windows\\system32\\SRU\\SRUDB.dat)"),
            "{}",
            p.message
        );
    }

    #[test]
    fn files_not_checked_are_set_aside_with_their_reason() {
        let dir = tempfile::tempdir().unwrap();
        let log = entry("e/E0000001.log", false, FileKind::Log);
        let i = set_aside(&log, Some(Path::new("d"))).unwrap();
        assert_eq!(
            (i.kind, i.why.as_str()),
            (IgnoreKind::OutsideLogDirectory, "log outside the log directory d")
        );
        assert_eq!(set_aside(&log, None).unwrap().why, "log outside the log directory");
        let i = set_aside(&entry("d/notes.txt", false, FileKind::Unknown), None).unwrap();
        assert_eq!((i.kind, i.why.as_str()), (IgnoreKind::NotEse, "not an ESE file"));
        let reserve = dir.path().join("E00res00001.jrs");
        std::fs::write(&reserve, vec![0u8; 8192]).unwrap();
        let i = set_aside(&entry(reserve.to_str().unwrap(), false, FileKind::Reserve), None).unwrap();
        assert_eq!(
            (i.kind, i.why.as_str()),
            (IgnoreKind::Reserve, "pre-allocated, never written")
        );
        std::fs::write(&reserve, vec![7u8; 8192]).unwrap();
        let i = set_aside(&entry(reserve.to_str().unwrap(), false, FileKind::Reserve), None).unwrap();
        assert_eq!(i.why, "reserve / next-generation file, not verified");
        for kind in [FileKind::Database, FileKind::Checkpoint, FileKind::FlushMap] {
            assert!(set_aside(&entry("d/x", false, kind), None).is_none(), "{kind:?}");
        }
    }

    #[test]
    fn every_checkpoint_but_the_sets_is_of_another_stream() {
        let cands = vec![
            PathBuf::from("d/E00.chk"),
            PathBuf::from("d/SRU.jcp"),
            PathBuf::from("d/weird.chk"),
        ];
        let got = other_checkpoints(&cands, Some(&cands[0]), Some("E00"));
        let whys: Vec<(&str, &str)> = got.iter().map(|i| (i.path.unescaped(), i.why.as_str())).collect();
        assert_eq!(
            whys,
            vec![
                ("d/SRU.jcp", "checkpoint of another stream (base SRU)"),
                ("d/weird.chk", "checkpoint of another stream"),
            ]
        );
        assert!(got.iter().all(|i| i.kind == IgnoreKind::OtherCheckpoint));
        assert_eq!(other_checkpoints(&cands, None, None).len(), 3);
    }

    #[test]
    fn the_checkpoint_follows_the_log_naming() {
        // CLI.md Decision 21 (log.cxx: .log goes with .chk, .jtx with .jcp).
        let cands = vec![PathBuf::from("d/SRU.jcp"), PathBuf::from("d/SRU.chk")];
        assert_eq!(
            pick_checkpoint(&cands, Some("SRU"), Some(Naming::Legacy)),
            Some(PathBuf::from("d/SRU.chk"))
        );
        assert_eq!(
            pick_checkpoint(&cands, Some("sru"), Some(Naming::New)),
            Some(PathBuf::from("d/SRU.jcp"))
        );
        // Naming unknown (no stream, or both extensions): either, the first found.
        assert_eq!(
            pick_checkpoint(&cands, Some("SRU"), None),
            Some(PathBuf::from("d/SRU.jcp"))
        );
        // Only the other naming present: no checkpoint for the stream.
        assert_eq!(pick_checkpoint(&cands[..1], Some("SRU"), Some(Naming::Legacy)), None);
        let got = other_checkpoints(&cands, Some(&cands[1]), Some("SRU"));
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].path.unescaped(), got[0].why.as_str(), got[0].kind),
            (
                "d/SRU.jcp",
                "checkpoint of the other naming (not used)",
                IgnoreKind::OtherNamingCheckpoint
            )
        );
        assert!(IgnoreKind::OtherNamingCheckpoint.belongs_with_the_set());
    }

    /// A stream of the log files `names`, none checked (enough for rules on names and lists).
    fn stream_of(names: &[&str]) -> StreamCheck {
        StreamCheck {
            files: names
                .iter()
                .map(|n| {
                    let mut c = crate::scan::log::LogCheck::not_checked(&CheckError::new(*n, "x"));
                    c.path = (*n).into();
                    c
                })
                .collect(),
            verdict: crate::verdict::Verdict::Pass,
            base: None,
            directory: "d".into(),
            first: None,
            last: None,
            ignored: Vec::new(),
            problems: Vec::new(),
            log_signature: None,
            attached_databases: Default::default(),
        }
    }

    #[test]
    fn a_streams_naming_is_that_of_its_log_files() {
        let stream = stream_of;
        assert_eq!(
            stream_naming(&stream(&["d/SRU00051.log", "d/SRU.log"])),
            Some(Naming::Legacy)
        );
        assert_eq!(stream_naming(&stream(&["d/E0000000001.JTX"])), Some(Naming::New));
        assert_eq!(stream_naming(&stream(&["d/E00.log", "d/E00.jtx"])), None);
    }

    #[test]
    fn a_named_file_that_is_no_part_of_the_set_is_refused_naming_why() {
        let entries = vec![
            entry("d/SRU.log", true, FileKind::Log),
            entry("d/E00tmp.log", true, FileKind::Reserve),
            entry("d/other.log", false, FileKind::Log),
        ];
        let other = Ignored::new("d/SRU.log", IgnoreKind::OtherStream, "other log stream (base SRU)");
        let reserve = Ignored::new("d/E00tmp.log", IgnoreKind::Reserve, "pre-allocated, never written");
        let unnamed = Ignored::new("d/other.log", IgnoreKind::NotLog, "not an ESE log");
        let e = named_but_not_part_of_set(&entries, &[reserve.clone(), other]).unwrap_err();
        assert_eq!(e.path, "d/SRU.log");
        assert_eq!(
            e.message,
            "named on the command line but not part of the set: other log stream (base SRU)"
        );
        // A reserve log named with the set belongs with it; a file not named is only listed.
        assert!(named_but_not_part_of_set(&entries, &[reserve, unnamed]).is_ok());
    }

    #[test]
    fn the_sets_checkpoint_of_zeros_or_unreadable_is_damage_533_not_exit_2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("E00.chk");
        let chk = |g: &mut Gathered, by_header: bool| {
            let entries = vec![Entry {
                class: Classification {
                    kind: FileKind::Checkpoint,
                    by_header,
                },
                ..entry(path.to_str().unwrap(), true, FileKind::Checkpoint)
            }];
            check_set_checkpoint(g, &path, &entries, None, None)
        };
        std::fs::write(&path, vec![0u8; 8192]).unwrap();
        let mut g = Gathered::default();
        assert!(chk(&mut g, false).unwrap().is_none());
        assert_eq!(g.problems.len(), 1);
        let p = &g.problems[0];
        assert_eq!(
            (p.severity, p.code.map(JetErr::code), p.all_zeros),
            (Severity::Error, Some(-533), true)
        );
        assert_eq!(g.stamps.len(), 1, "re-checked before the verdict");

        // A checkpoint generation outside 1..=0x7FFFFA00 cannot be checked: −533 for the set.
        CheckpointBuilder::new()
            .lgpos_checkpoint(lgpos(0, 0, 0))
            .write_file(&path)
            .unwrap();
        let mut g = Gathered::default();
        assert!(chk(&mut g, true).unwrap().is_none());
        assert_eq!(
            g.problems.iter().map(|p| p.code.map(JetErr::code)).collect::<Vec<_>>(),
            vec![Some(-533)]
        );

        CheckpointBuilder::new().write_file(&path).unwrap();
        let mut g = Gathered::default();
        assert!(chk(&mut g, true).unwrap().is_some());
        assert!(g.problems.is_empty());

        // Missing: could not check.
        std::fs::remove_file(&path).unwrap();
        assert!(chk(&mut Gathered::default(), true).is_err());
    }

    #[test]
    fn a_member_that_changed_since_it_was_read_makes_the_set_uncheckable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.edb");
        std::fs::write(&path, vec![1u8; 8192]).unwrap();
        let stamps = vec![(path.clone(), Input::open(&path).unwrap().stamp())];
        assert!(recheck_members(&stamps, None).is_ok());
        std::fs::write(&path, vec![1u8; 4096]).unwrap();
        let e = recheck_members(&stamps, None).unwrap_err();
        assert!(e.message.contains("changed while being checked"), "{}", e.message);
    }

    #[test]
    fn a_stream_of_only_a_wiped_log_is_no_stream_but_fails_the_set() {
        let dir = tempfile::tempdir().unwrap();
        let wiped = dir.path().join("X0000001.log");
        std::fs::write(&wiped, vec![0u8; 8192]).unwrap();
        let entries = vec![StreamEntry {
            path: wiped.clone(),
            name: "X0000001.log".into(),
            regular: true,
        }];
        // `--base E00`: the file of base X is no log of the stream, and all zeros (Decision 1).
        let opts = ScanOptions {
            base: Some("E00".to_string()),
            ..ScanOptions::default()
        };
        let mut g = Gathered::default();
        let s = check_set_stream(&mut g, dir.path(), entries, &opts, None, None).unwrap();
        assert!(s.is_none());
        let got: Vec<_> = g
            .problems
            .iter()
            .map(|p| (p.code.map(JetErr::code), p.all_zeros))
            .collect();
        assert_eq!(got, vec![(Some(-501), true)]);
    }
}
