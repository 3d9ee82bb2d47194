//! The manifest of a verified set (CLI.md "Manifest", CLI.md "Manifest"): its format, written by
//! `verify --manifest` and read back by `compare`, with its own CRC so that a damaged or edited
//! manifest is refused rather than taken for a difference; and the decision of `compare`: what
//! each difference between a copy and the manifest means. No I/O here: the bytes come from and go
//! to the command.

use crate::checksum::crc32::crc_of;
use crate::codes::JetErr;
use crate::error::CheckError;
use crate::problem::Problem;
use crate::report::set::SetReport;
use crate::scan::classify::FileKind;
use crate::scan::copy::{join_rel, CopyScan, Found};
use crate::scan::crc::{FileCrc, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};
use crate::scan::file::FileId;
use crate::scan::set::member_type;
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The value of `format`: what tells a manifest from any other JSON document.
pub(crate) const FORMAT: &str = "esecheck-manifest";
/// The manifest schema this esecheck writes, and the newest it reads.
pub(crate) const MANIFEST_SCHEMA_VERSION: u64 = 1;
/// A manifest larger than this is refused before it is parsed (about 20 million blocks: 20 TiB
/// at 1 MiB blocks).
pub(crate) const MAX_MANIFEST_BYTES: u64 = 256 << 20;
/// At most this many files in a manifest.
pub(crate) const MAX_FILES: usize = 10_000_000;
/// At most this many differing blocks of one file are described one by one.
pub(crate) const MAX_BLOCKS_DESCRIBED: usize = 1000;

/// A manifest, in the order of its keys (`manifest_crc32` follows them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The shape of this document ([`MANIFEST_SCHEMA_VERSION`]).
    pub schema_version: u64,
    /// The esecheck that wrote it.
    pub esecheck_version: String,
    /// The verdict of `verify` on the set: `pass`, `fail` or `error`.
    pub verdict: Verdict,
    /// Size of the blocks each file's `blocks` CRCs cover.
    pub block_size: u64,
    /// The directory the paths are relative to, as it was when verified (for people).
    pub root: String,
    /// The set's identity.
    pub set: SetIdentity,
    /// Every file of the set, in path order.
    pub files: Vec<ManifestFile>,
}

/// What the verified set was: its databases, its log stream, `truncate_below`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct SetIdentity {
    /// The databases with their signatures.
    pub databases: Vec<DbIdentity>,
    /// The log stream's base name.
    pub log_base: Option<String>,
    /// The log stream's log signature.
    pub log_signature: Option<String>,
    /// The generations of the logs present, first and last.
    pub generations: Option<[i32; 2]>,
    /// The union of the databases' Log Required ranges.
    pub required_range: Option<[i32; 2]>,
    /// `verify`'s `truncate_below` (`null` unless the verdict was pass).
    pub truncate_below: Option<i32>,
    /// The checkpoint's generation.
    pub checkpoint_generation: Option<i32>,
}

/// A database of the set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct DbIdentity {
    /// Its path, as in `files`.
    pub path: String,
    /// `signDb`.
    pub db_signature: Option<String>,
    /// `signLog`.
    pub log_signature: Option<String>,
    /// `le_dbstate`.
    #[schemars(schema_with = "crate::format::db_header::opt_state_name_schema")]
    pub state: Option<String>,
}

/// One file of the set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct ManifestFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    /// Its part in the set: `database`, `log`, `checkpoint`, `flushmap`, or `ignored` for a file
    /// set aside (`None` in Rust).
    #[serde(rename = "type", with = "member_type")]
    #[schemars(schema_with = "member_type::schema")]
    pub kind: Option<FileKind>,
    /// Size in bytes.
    pub size: u64,
    /// CRC-32 of the whole file, 8 lower-case hex digits.
    pub crc32: String,
    /// CRC-32 of each block, in order.
    pub blocks: Vec<String>,
    /// A database's page size (to say which pages a block holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u64>,
    /// A log's generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<i32>,
    /// A log's segment size (4096 in the segment format, else the sector size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_size: Option<u64>,
    /// The device of the file verified ([`FileId::device`]); `None` in a manifest written
    /// before CLI.md "Manifest", file identities, which records no identities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<u64>,
    /// The inode of the file verified ([`FileId::inode`]); `None` as for `device`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inode: Option<u64>,
    /// The birth time of the file verified ([`FileId::birth_time`]), written as `null` when the
    /// platform gave none.
    #[serde(default)]
    pub birth_time: Option<i64>,
}

impl ManifestFile {
    /// The identity recorded for the file verified: `None` in a manifest that records none.
    pub(crate) fn recorded_id(&self) -> Option<FileId> {
        Some(FileId {
            device: self.device?,
            inode: self.inode?,
            birth_time: self.birth_time,
        })
    }
}

/// `c` as 8 lower-case hex digits (`format!("{c:08x}")`, without the formatting machinery: a
/// manifest holds one per block).
fn hex(c: u32) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(8);
    for i in (0..8).rev() {
        s.push(char::from(DIGITS[(c >> (4 * i)) as usize & 0xf]));
    }
    s
}

fn parse_hex(s: &str) -> Option<u32> {
    (s.len() == 8 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u32::from_str_radix(s, 16).ok())
        .flatten()
}

/// Paths relative to a root, `/`-separated, with one canonical lookup and one relative prefix
/// per directory (a set of 100,000 logs in one directory asks once).
struct RelPaths<'a> {
    root: &'a std::path::Path,
    /// The last directory asked about and its relative prefix (`Some("")` for the root itself,
    /// `Some("logs/")` below it, `None` outside it): files come directory by directory.
    last: Option<(std::path::PathBuf, Option<String>)>,
    dirs: std::collections::HashMap<std::path::PathBuf, Option<String>>,
}

impl<'a> RelPaths<'a> {
    fn new(root: &'a std::path::Path) -> Self {
        RelPaths {
            root,
            last: None,
            dirs: std::collections::HashMap::new(),
        }
    }

    /// The relative prefix of directory `dir` (as given, not yet canonical).
    fn prefix_of(&mut self, dir: &std::path::Path) -> Option<String> {
        if let Some((d, prefix)) = &self.last {
            if d.as_os_str() == dir.as_os_str() {
                return prefix.clone();
            }
        }
        let root = self.root;
        let prefix = self
            .dirs
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let canon = crate::scan::set::canonical(dir);
                canon.strip_prefix(root).ok().map(|r| {
                    let mut s = String::new();
                    for c in r.components() {
                        s.push_str(&c.as_os_str().to_string_lossy());
                        s.push('/');
                    }
                    s
                })
            })
            .clone();
        self.last = Some((dir.to_path_buf(), prefix.clone()));
        prefix
    }

    /// `p` relative to the root (its directory made canonical, its name kept), or `p` as shown
    /// when it is not under the root.
    fn rel(&mut self, p: &std::path::Path) -> String {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        let Some(name) = p.file_name() else {
            // No name of its own (`..`): the directory it names.
            return match self.prefix_of(parent) {
                Some(prefix) if !prefix.is_empty() => prefix.trim_end_matches('/').to_string(),
                _ => p.display().to_string(),
            };
        };
        match self.prefix_of(parent) {
            Some(mut prefix) => {
                prefix.push_str(&name.to_string_lossy());
                prefix
            }
            None => p.display().to_string(),
        }
    }
}

/// The manifest of a verified set: `report.files` (hashed by the scan) with their paths relative
/// to `report.root`, and the set's identity from the decision.
pub(crate) fn build(report: &SetReport, block_size: u64) -> Manifest {
    use std::collections::HashMap;
    let pages: HashMap<&str, u64> = report
        .db_checks
        .iter()
        .map(|c| (c.path.unescaped(), c.page_size as u64))
        .collect();
    // Sized up front: growing a map of 100,000 logs rehashes it about 17 times.
    let n_logs = report.stream.as_ref().map_or(0, |s| s.files.len());
    let mut logs: HashMap<&str, &crate::scan::log::LogCheck> = HashMap::with_capacity(n_logs);
    logs.extend(
        report
            .stream
            .iter()
            .flat_map(|s| s.files.iter())
            .map(|l| (l.path.unescaped(), l)),
    );
    let file = |paths: &mut RelPaths<'_>, f: &crate::scan::set::SetFile| {
        let shown = f.path.display().to_string();
        let page_size = pages.get(shown.as_str()).copied();
        let log = logs.get(shown.as_str()).copied();
        let segment_size = log.and_then(|l| {
            let h = l.header.as_ref()?;
            Some(if l.format.is_some_and(|v| v.is_segment_format()) {
                crate::scan::log::SEGMENT_SIZE as u64
            } else {
                u64::from(h.cb_sec)
            })
        });
        ManifestFile {
            path: paths.rel(&f.path),
            kind: f.kind,
            size: f.crc.size,
            crc32: hex(f.crc.crc32),
            blocks: f.crc.blocks.iter().map(|&b| hex(b)).collect(),
            page_size: if f.kind == Some(FileKind::Database) {
                page_size
            } else {
                None
            },
            generation: if f.kind == Some(FileKind::Log) {
                log.and_then(|l| l.generation)
            } else {
                None
            },
            segment_size: if f.kind == Some(FileKind::Log) {
                segment_size
            } else {
                None
            },
            device: Some(f.id.device),
            inode: Some(f.id.inode),
            birth_time: f.id.birth_time,
        }
    };
    let mut paths = RelPaths::new(&report.root);
    let mut files: Vec<ManifestFile> = report.files.iter().map(|f| file(&mut paths, f)).collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut rel = |p: &std::path::Path| paths.rel(p);
    let d = &report.decision;
    Manifest {
        format: FORMAT.to_string(),
        schema_version: MANIFEST_SCHEMA_VERSION,
        esecheck_version: env!("CARGO_PKG_VERSION").to_string(),
        verdict: d.verdict,
        block_size,
        root: report.root.display().to_string(),
        set: SetIdentity {
            databases: report
                .db_checks
                .iter()
                .map(|c| DbIdentity {
                    path: rel(std::path::Path::new(c.path.unescaped())),
                    db_signature: c.chosen_header().map(|h| h.sign_db.to_string()),
                    log_signature: c.chosen_header().map(|h| h.sign_log.to_string()),
                    state: c.state.map(str::to_string),
                })
                .collect(),
            log_base: d.logs.as_ref().map(|l| l.base.clone()),
            log_signature: report
                .stream
                .as_ref()
                .and_then(|s| s.log_signature)
                .map(|s| s.to_string()),
            generations: d.logs.as_ref().and_then(|l| Some([l.first?, l.last?])),
            required_range: d.required_range,
            truncate_below: d.truncate_below,
            checkpoint_generation: d.checkpoint.as_ref().and_then(|c| c.generation),
        },
        files,
    }
}

/// The CRC of a manifest's canonical form: its keys but `manifest_crc32`, in document order,
/// serialized compactly. Whitespace does not change it; any value, key or order does.
fn canonical_crc(rest: &impl Serialize) -> u32 {
    // Hashed as it is serialized, through a buffer so crc32fast sees 64 KiB at a time: the
    // compact form (as large as the manifest) is never held.
    let mut w = std::io::BufWriter::with_capacity(64 << 10, CrcWriter(crc32fast::Hasher::new()));
    if serde_json::to_writer(&mut w, rest).is_err() {
        return crc_of(&[]);
    }
    match w.into_inner() {
        Ok(CrcWriter(h)) => h.finalize(),
        Err(_) => crc_of(&[]),
    }
}

/// A writer that only hashes.
struct CrcWriter(crc32fast::Hasher);

impl std::io::Write for CrcWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The manifest as written: pretty JSON with `manifest_crc32` last, and a newline. The struct
/// serializes its keys in the order a parsed document keeps them, so the compact form of the
/// struct is the canonical form of the document. The two serializations run side by side (the
/// scan's workers are idle by now).
pub(crate) fn to_bytes(m: &Manifest) -> Vec<u8> {
    let blocks: usize = m.files.iter().map(|f| f.blocks.len()).sum();
    let (crc, mut out) = rayon::join(
        || canonical_crc(m),
        || {
            // About 16 bytes a block and 250 a file, pretty-printed.
            let mut out = Vec::with_capacity(16 * blocks + 256 * m.files.len() + 1024);
            if serde_json::to_writer_pretty(&mut out, m).is_err() {
                out.clear();
            }
            out
        },
    );
    // `{…\n}` becomes `{…,\n  "manifest_crc32": "…"\n}`.
    if out.last() == Some(&b'}') {
        out.pop();
        while out.last().is_some_and(|b| b.is_ascii_whitespace()) {
            out.pop();
        }
        out.extend_from_slice(format!(",\n  \"manifest_crc32\": \"{}\"\n}}", hex(crc)).as_bytes());
    }
    out.push(b'\n');
    out
}

/// True when `head` (the first bytes of a file) starts like a manifest esecheck wrote: only such
/// a file may be replaced by a new manifest.
pub(crate) fn looks_like_manifest(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start();
    t.starts_with('{')
        && t.chars()
            .take(200)
            .collect::<String>()
            .contains(&format!("\"{FORMAT}\""))
}

/// Why a manifest cannot be used (exit 2): one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManifestError(pub String);

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn bad(msg: impl Into<String>) -> ManifestError {
    ManifestError(msg.into())
}

/// Reads a manifest: JSON, `format` [`FORMAT`], a `schema_version` this esecheck knows, its own
/// `manifest_crc32` matching, then every value within bounds (paths that stay under the root,
/// block counts that match the sizes, CRCs of 8 hex digits, no path twice).
pub(crate) fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(bad(format!(
            "{} bytes: larger than any manifest ({MAX_MANIFEST_BYTES} bytes at most)",
            bytes.len()
        )));
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| bad(format!("not a manifest: not JSON ({e})")))?;
    let Value::Object(mut obj) = doc else {
        return Err(bad("not a manifest: not a JSON object"));
    };
    if obj.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(bad(format!(
            "not a manifest: no \"format\": \"{FORMAT}\" (write one with esecheck verify --manifest)"
        )));
    }
    match obj.get("schema_version").and_then(Value::as_u64) {
        Some(v) if (1..=MANIFEST_SCHEMA_VERSION).contains(&v) => {}
        Some(v) => {
            return Err(bad(format!(
                "manifest schema_version {v} is not one this esecheck reads (1-{MANIFEST_SCHEMA_VERSION}); use a newer esecheck"
            )))
        }
        None => return Err(bad("not a manifest: no schema_version")),
    }
    let stored = obj
        .shift_remove("manifest_crc32")
        .as_ref()
        .and_then(Value::as_str)
        .and_then(parse_hex)
        .ok_or_else(|| bad("manifest is damaged: no manifest_crc32 of 8 hex digits"))?;
    let computed = canonical_crc(&obj);
    if stored != computed {
        return Err(bad(format!(
            "manifest is damaged or was edited: manifest_crc32 is {}, its content gives {}; it cannot vouch for any copy",
            hex(stored),
            hex(computed)
        )));
    }
    let m: Manifest =
        serde_json::from_value(Value::Object(obj)).map_err(|e| bad(format!("manifest is not valid: {e}")))?;
    validate(&m)?;
    Ok(m)
}

/// The bounds every value of a manifest must keep, so a hostile one cannot make `compare` read
/// outside the copy or allocate without limit.
fn validate(m: &Manifest) -> Result<(), ManifestError> {
    if !(MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&m.block_size) {
        return Err(bad(format!(
            "manifest is not valid: block_size {} is outside {MIN_BLOCK_SIZE}-{MAX_BLOCK_SIZE}",
            m.block_size
        )));
    }
    if m.files.len() > MAX_FILES {
        return Err(bad(format!("manifest is not valid: more than {MAX_FILES} files")));
    }
    let mut seen = std::collections::BTreeSet::new();
    for f in &m.files {
        let parts: Vec<&str> = f.path.split('/').collect();
        let safe = !f.path.is_empty()
            && parts.iter().all(|p| {
                // On Windows `\` separates and `C:` names a drive: a component holding either
                // could leave the root. Elsewhere they are ordinary characters of a name.
                let foreign = cfg!(windows) && p.contains(['\\', ':']);
                !p.is_empty() && *p != "." && *p != ".." && !p.contains('\0') && !foreign
            });
        if !safe {
            return Err(bad(format!(
                "manifest is not valid: path {:?} is not a relative path under the root",
                f.path
            )));
        }
        if !seen.insert(f.path.to_ascii_lowercase()) {
            return Err(bad(format!("manifest is not valid: {:?} is listed twice", f.path)));
        }
        if parse_hex(&f.crc32).is_none() || f.blocks.iter().any(|b| parse_hex(b).is_none()) {
            return Err(bad(format!(
                "manifest is not valid: {:?} has a CRC that is not 8 hex digits",
                f.path
            )));
        }
        if f.blocks.len() as u64 != f.size.div_ceil(m.block_size) {
            return Err(bad(format!(
                "manifest is not valid: {:?} is {} bytes but has {} blocks of {}",
                f.path,
                f.size,
                f.blocks.len(),
                m.block_size
            )));
        }
        if f.page_size.is_some_and(|p| !(512..=65536).contains(&p))
            || f.segment_size.is_some_and(|s| !(512..=65536).contains(&s))
        {
            return Err(bad(format!(
                "manifest is not valid: {:?} has a page or segment size out of range",
                f.path
            )));
        }
    }
    Ok(())
}

/// How one file of the manifest compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// Same size, same CRCs.
    Identical,
    /// Present, not the same bytes.
    Differs,
    /// Not in the copy.
    Missing,
    /// In the copy, not in the manifest.
    Extra,
}

/// One block that differs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct DifferingBlock {
    /// Block number (from 0).
    pub block: u64,
    /// Its byte offset.
    pub offset: u64,
    /// Its length.
    pub len: u64,
    /// What it holds, in words ("pages 767-1022").
    pub covers: String,
}

/// `compare --json`'s `type`: the manifest's word for a listed file, `null` for an extra one.
fn listed_part<S: serde::Serializer>(kind: &Option<Option<FileKind>>, s: S) -> Result<S::Ok, S::Error> {
    match kind {
        Some(k) => member_type::serialize(k, s),
        None => s.serialize_none(),
    }
}

/// The schema of [`listed_part`]: the manifest's word, or null.
fn listed_part_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut words = member_type::schema(g);
    words.insert("type".into(), serde_json::json!(["string", "null"]));
    if let Some(serde_json::Value::Array(e)) = words.get_mut("enum") {
        e.push(serde_json::Value::Null);
    }
    words
}

/// One file, as `compare --json` lists it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct FileComparison {
    /// Relative to the root, `/`-separated.
    pub path: String,
    /// Its part in the set, as the manifest says it (`ignored` for a file set aside); `null` for
    /// an extra file, which the manifest does not list.
    #[serde(rename = "type", serialize_with = "listed_part")]
    #[schemars(schema_with = "listed_part_schema")]
    pub kind: Option<Option<FileKind>>,
    /// identical / differs / missing / extra.
    pub status: Status,
    /// The size in the copy (`null` when missing).
    pub size: Option<u64>,
    /// The size the manifest records (`null` for an extra file).
    pub expected_size: Option<u64>,
    /// The CRC in the copy.
    pub crc32: Option<String>,
    /// The CRC the manifest records.
    pub expected_crc32: Option<String>,
    /// The blocks that differ (at most [`MAX_BLOCKS_DESCRIBED`]).
    pub differing_blocks: Vec<DifferingBlock>,
}

/// What `compare` decided.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Comparison {
    /// pass / fail.
    pub verdict: Verdict,
    /// The manifest file.
    pub manifest: String,
    /// The copy's root.
    pub root: String,
    /// The verdict the manifest records for the set.
    pub recorded_verdict: Verdict,
    /// Files of the manifest, in its order, then extras.
    pub files: Vec<FileComparison>,
    /// Counts: identical, differing, missing, extra.
    pub identical: usize,
    /// Files that differ.
    pub differing: usize,
    /// Files missing.
    pub missing: usize,
    /// Extra files.
    pub extra: usize,
    /// What the reader should know that changes no verdict (`--strict` included): a manifest
    /// that records no file identities.
    pub notes: Vec<String>,
    /// Every difference, errors (member files) and warnings (ignored files).
    pub problems: Vec<Problem>,
}

/// What a byte range of a file holds, for a person: database pages (−1 and 0 the header
/// copies), log segments with the generation, else bytes.
pub(crate) fn covers(f: &ManifestFile, offset: u64, len: u64) -> String {
    let last = offset + len.max(1) - 1;
    match (f.kind, f.page_size, f.segment_size) {
        (Some(FileKind::Database), Some(ps), _) => {
            let first = (offset / ps) as i64 - 1;
            let end = (last / ps) as i64 - 1;
            let mut parts = Vec::new();
            if first <= -1 {
                parts.push(if end >= 0 {
                    "the header copies (pages -1 and 0)".to_string()
                } else {
                    "the primary header (page -1)".to_string()
                });
            } else if first == 0 {
                parts.push("the shadow header (page 0)".to_string());
            }
            let from = first.max(1);
            if end >= from {
                parts.push(if end == from {
                    format!("page {from}")
                } else {
                    format!("pages {from}-{end}")
                });
            }
            parts.join(" and ")
        }
        (Some(FileKind::Log), _, Some(ss)) => {
            let (a, b) = (offset / ss, last / ss);
            let g = f
                .generation
                .map(|g| format!("generation {}, ", crate::format::Generation(g.into())))
                .unwrap_or_default();
            let segs = if a == b {
                format!("segment {a}")
            } else {
                format!("segments {a}-{b}")
            };
            let head = if a == 0 { " (segment 0 is the header)" } else { "" };
            format!("{g}{segs}{head}")
        }
        _ => format!("bytes {offset}-{last}"),
    }
}

/// CLI.md "Manifest", file identities ("`compare` compares a copy"): whether `seen`, the file `compare` read, is
/// `recorded`, the very file `verify` read — not a copy of it but the same file reached again
/// through a hard link, a symbolic link, or the verified directory named as the copy.
///
/// Two files are the same file when their device and inode are equal and, when both carry a
/// birth time, their birth times are equal too. The birth time guards against inode reuse: ext4
/// and others give a freed inode number to the next file created, so a restore that deletes the
/// original and writes it anew at the same path may get the same device and inode back. It never
/// gets the old birth time back, and calling it "the set itself" would block a good backup. A
/// hard link and a symbolic link reach the same inode, birth time included, so they are still
/// caught. Device 0 with inode 0 is no identity (a platform that gives none): never the same
/// file. Paths play no part: a restore to the original path is a new file.
pub fn is_the_same_file(recorded: &FileId, seen: &FileId) -> bool {
    let known = (recorded.device, recorded.inode) != (0, 0);
    let births_agree = match (recorded.birth_time, seen.birth_time) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    known && (recorded.device, recorded.inode) == (seen.device, seen.inode) && births_agree
}

/// CLI.md "Manifest", file identities: the first file of the manifest that the copy holds as the very file verified
/// ([`is_the_same_file`]), as a could-not-compare error (exit 2) naming the PATH given that leads
/// to it and the file. A copy that is the set itself proves nothing about any copy, whatever
/// else differs.
fn the_verified_set_itself(m: &Manifest, copy: &CopyScan) -> Option<CheckError> {
    let rel = m.files.iter().zip(&copy.found).find_map(|(f, found)| match found {
        Found::Hashed { id, .. } if f.recorded_id().is_some_and(|r| is_the_same_file(&r, id)) => Some(&f.path),
        _ => None,
    })?;
    let file = join_rel(&copy.root, rel);
    let given = copy
        .named
        .iter()
        .find(|(_, to)| file.starts_with(to))
        .map_or_else(|| copy.root.clone(), |(given, _)| given.clone());
    Some(CheckError::new(
        given,
        format!("is the verified set itself, not a copy: {rel} is the file verified (same device and inode)"),
    ))
}

/// The note of a manifest that records no file identities (written before CLI.md "Manifest", file identities):
/// such a manifest still compares, but cannot tell the set itself from a copy.
pub(crate) const NO_IDENTITIES_NOTE: &str = "the manifest records no file identities (it was written by an older esecheck), so a copy that is the verified set itself (the same directory, or links to its files) cannot be told from a real copy";

/// CLI.md "Manifest", file identities: a manifest written before the rule records no file identities. It still
/// compares, exactly as before, with [`NO_IDENTITIES_NOTE`].
fn records_no_identities(m: &Manifest) -> bool {
    m.files.iter().all(|f| f.recorded_id().is_none())
}

/// Compares the copy with the manifest (CLI.md `compare`): each member file identical in size
/// and CRCs, none missing, no extra log or database; a difference in an ignored file is a
/// warning. An identical copy of a set whose recorded verdict was not pass fails too.
///
/// `Err` (could not compare, exit 2) when the copy is the verified set itself
/// ([`is_the_same_file`], CLI.md "Manifest", file identities): that wins over every difference.
pub(crate) fn decide_compare(
    m: &Manifest,
    manifest_path: &str,
    copy: &CopyScan,
    strict: bool,
) -> Result<Comparison, CheckError> {
    if let Some(e) = the_verified_set_itself(m, copy) {
        return Err(e);
    }
    let notes = if records_no_identities(m) {
        vec![NO_IDENTITIES_NOTE.to_string()]
    } else {
        Vec::new()
    };
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let (mut identical, mut differing, mut missing) = (0, 0, 0);
    let problem = difference;
    for (f, found) in m.files.iter().zip(&copy.found) {
        let member = f.kind.is_some();
        let mut fc = FileComparison {
            path: f.path.clone(),
            kind: Some(f.kind),
            status: Status::Identical,
            size: None,
            expected_size: Some(f.size),
            crc32: None,
            expected_crc32: Some(f.crc32.clone()),
            differing_blocks: Vec::new(),
        };
        match found {
            Found::Missing => {
                fc.status = Status::Missing;
                missing += 1;
                let renamed = copy.extras.iter().find(|x| {
                    x.crc
                        .as_ref()
                        .is_some_and(|c| c.size == f.size && hex(c.crc32) == f.crc32)
                });
                let msg = match renamed {
                    Some(x) => format!("missing from the copy; {} holds its bytes (renamed?)", x.rel),
                    None => "missing from the copy".to_string(),
                };
                problems.push(problem(member, &f.path, Some(JetErr::FileNotFound), msg));
            }
            Found::Hashed { crc: c, .. } => {
                fc.size = Some(c.size);
                fc.crc32 = Some(hex(c.crc32));
                let same = c.size == f.size && hex(c.crc32) == f.crc32;
                if same {
                    identical += 1;
                } else {
                    fc.status = Status::Differs;
                    differing += 1;
                    compare_blocks(m, f, c, member, &mut fc, &mut problems);
                }
            }
        }
        files.push(fc);
    }
    let extra = copy.extras.len();
    for x in &copy.extras {
        let member = matches!(
            x.kind,
            FileKind::Database | FileKind::Log | FileKind::Checkpoint | FileKind::FlushMap
        );
        let what = match x.kind {
            FileKind::Database => "a database",
            FileKind::Log => "a log",
            FileKind::Checkpoint => "a checkpoint",
            FileKind::FlushMap => "a flush map",
            FileKind::Reserve => "a reserve log",
            FileKind::Unknown => "a file",
        };
        let msg = format!("in the copy but not in the manifest: {what} the verified set did not hold");
        problems.push(if member {
            Problem::error(None, &x.rel, msg)
        } else {
            Problem::warning(None, &x.rel, msg)
        });
        files.push(FileComparison {
            path: x.rel.clone(),
            kind: None,
            status: Status::Extra,
            size: Some(x.size),
            expected_size: None,
            crc32: x.crc.as_ref().map(|c| hex(c.crc32)),
            expected_crc32: None,
            differing_blocks: Vec::new(),
        });
    }
    if m.verdict != Verdict::Pass && !problems.iter().any(Problem::is_error) {
        problems.push(Problem::error(
            None,
            manifest_path,
            format!(
                "the copy is identical to a set that {} verification (recorded verdict {}): it is a faithful copy of a set that must not be relied on",
                if m.verdict == Verdict::Fail { "FAILED" } else { "could not pass" },
                serde_json::to_value(m.verdict).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
            ),
        ));
    }
    let verdict = Verdict::from_problems(&problems, strict);
    Ok(Comparison {
        verdict,
        manifest: manifest_path.to_string(),
        root: copy.root.display().to_string(),
        recorded_verdict: m.verdict,
        files,
        identical,
        differing,
        missing,
        extra,
        notes,
        problems,
    })
}

/// A difference in a member of the set is an error; in an ignored file, a warning.
fn difference(member: bool, file: &str, code: Option<JetErr>, msg: String) -> Problem {
    if member {
        Problem::error(code, file, msg)
    } else {
        Problem::warning(code, file, format!("{msg} (an ignored file of the set)"))
    }
}

/// The size and block differences of one file.
fn compare_blocks(
    m: &Manifest,
    f: &ManifestFile,
    c: &FileCrc,
    member: bool,
    fc: &mut FileComparison,
    problems: &mut Vec<Problem>,
) {
    let problem = difference;
    let bs = m.block_size;
    if c.size != f.size {
        let (lo, hi) = (c.size.min(f.size), c.size.max(f.size));
        let how = if c.size < f.size {
            format!("cut short by {} bytes: {} missing", hi - lo, covers(f, lo, hi - lo))
        } else {
            format!("longer by {} bytes", hi - lo)
        };
        problems.push(problem(
            member,
            &f.path,
            None,
            format!("{} bytes in the copy, {} in the manifest: {how}", c.size, f.size),
        ));
    }
    let mut described = 0usize;
    let mut more = 0usize;
    for (i, (want, got)) in f.blocks.iter().zip(&c.blocks).enumerate() {
        let offset = i as u64 * bs;
        let len_want = (f.size - offset).min(bs);
        let len_got = (c.size - offset.min(c.size)).min(bs);
        // A block the copy holds only part of is the size difference above, not a second one.
        if len_want != len_got || parse_hex(want) == Some(*got) {
            continue;
        }
        if described >= MAX_BLOCKS_DESCRIBED {
            more += 1;
            continue;
        }
        described += 1;
        let what = covers(f, offset, len_want);
        problems.push(problem(member, &f.path, None, format!("block {i} differs: {what}")).at_offset(offset));
        fc.differing_blocks.push(DifferingBlock {
            block: i as u64,
            offset,
            len: len_want,
            covers: what,
        });
    }
    if more > 0 {
        problems.push(problem(member, &f.path, None, format!("{more} more blocks differ")));
    }
    if c.size == f.size && described == 0 && more == 0 {
        // Every block matches but the whole does not: the manifest's own numbers disagree.
        problems.push(problem(
            member,
            &f.path,
            None,
            "whole-file CRC differs while every block matches".to_string(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            format: FORMAT.into(),
            schema_version: 1,
            esecheck_version: "0.1.0".into(),
            verdict: Verdict::Pass,
            block_size: 1 << 20,
            root: "/snap".into(),
            set: SetIdentity {
                databases: vec![],
                log_base: Some("SRU".into()),
                log_signature: None,
                generations: Some([78, 82]),
                required_range: Some([81, 81]),
                truncate_below: Some(81),
                checkpoint_generation: Some(81),
            },
            files: vec![ManifestFile {
                path: "SRUDB.dat".into(),
                kind: Some(FileKind::Database),
                size: 4 << 20,
                crc32: "01234567".into(),
                blocks: vec!["00000000".into(); 4],
                page_size: Some(4096),
                generation: None,
                segment_size: None,
                device: Some(2049),
                inode: Some(131_075),
                birth_time: Some(1_596_318_490_525_000_000),
            }],
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let m = sample();
        assert_eq!(parse(&to_bytes(&m)), Ok(m));
    }

    #[test]
    fn the_bytes_written_are_serde_jsons_pretty_form_with_the_crc_of_its_compact_form() {
        // As written before the two serializations ran side by side and the compact one was
        // hashed as it streamed: to_vec_pretty, and crc_of(to_vec) appended.
        let mut m = sample();
        m.root = "/snap/\"quoted\" \u{e9}\u{1}".into();
        m.files[0].blocks = (0..3000u32).map(|i| hex(i.wrapping_mul(2_654_435_761))).collect();
        let pretty = String::from_utf8(serde_json::to_vec_pretty(&m).unwrap()).unwrap();
        let crc = crc_of(&serde_json::to_vec(&m).unwrap());
        let want = format!(
            "{},\n  \"manifest_crc32\": \"{crc:08x}\"\n}}\n",
            pretty.strip_suffix("\n}").unwrap()
        );
        assert_eq!(String::from_utf8(to_bytes(&m)).unwrap(), want);
    }

    #[test]
    fn hex_is_eight_lower_case_digits() {
        for c in [0, 1, 0xf, 0x1234_abcd, 0xdead_beef, u32::MAX] {
            assert_eq!(hex(c), format!("{c:08x}"));
            assert_eq!(parse_hex(&hex(c)), Some(c));
        }
    }

    #[test]
    fn paths_are_relative_to_the_root_with_the_directory_made_canonical_once() {
        let tmp = tempfile::tempdir().unwrap();
        let root = crate::scan::set::canonical(tmp.path());
        std::fs::create_dir_all(root.join("logs/sub")).unwrap();
        let mut r = RelPaths::new(&root);
        assert_eq!(r.rel(&tmp.path().join("db.edb")), "db.edb");
        assert_eq!(r.rel(&tmp.path().join("logs/E00.log")), "logs/E00.log");
        assert_eq!(r.rel(&tmp.path().join("logs/E01.log")), "logs/E01.log");
        // Reached another way, the same directory gives the same path.
        assert_eq!(r.rel(&tmp.path().join("logs/sub/../E02.log")), "logs/E02.log");
        assert_eq!(r.rel(&tmp.path().join("logs/sub/x.chk")), "logs/sub/x.chk");
        assert_eq!(r.rel(&tmp.path().join("db.edb")), "db.edb", "back to a directory seen");
        // Outside the root, or no name of its own: the path as shown.
        let outside = std::env::temp_dir().join("esecheck-not-under-the-root.edb");
        assert_eq!(r.rel(&outside), outside.display().to_string());
        assert_eq!(r.rel(&tmp.path().join("logs/sub/..")), "logs/sub");
    }

    #[test]
    fn an_edited_manifest_is_damaged_not_a_difference() {
        let text = String::from_utf8(to_bytes(&sample())).unwrap();
        let edited = text.replace("\"01234567\"", "\"01234568\"");
        let e = parse(edited.as_bytes()).unwrap_err();
        assert!(e.0.contains("damaged or was edited"), "{e}");
        // Whitespace alone changes nothing.
        let reflowed = text.replace("\n  ", "\n    ");
        assert!(parse(reflowed.as_bytes()).is_ok());
    }

    #[test]
    fn a_newer_schema_and_other_json_are_refused_by_name() {
        let text = String::from_utf8(to_bytes(&sample())).unwrap();
        let newer = text.replace("\"schema_version\": 1", "\"schema_version\": 2");
        assert!(parse(newer.as_bytes()).unwrap_err().0.contains("schema_version 2"));
        assert!(parse(b"{\"command\": \"verify\"}")
            .unwrap_err()
            .0
            .contains("not a manifest"));
        assert!(parse(b"\xff\xfe").unwrap_err().0.contains("not JSON"));
    }

    #[test]
    fn a_path_that_leaves_the_root_is_refused() {
        let mut hostile = vec!["../etc/passwd", "/etc/passwd", "a//b", "a/./b", "nul\0", ""];
        if cfg!(windows) {
            hostile.extend(["C:x", "a\\..\\..\\x"]);
        }
        for p in hostile {
            let mut m = sample();
            m.files[0].path = p.into();
            assert!(parse(&to_bytes(&m)).is_err(), "{p}");
        }
        let mut m = sample();
        m.files[0].blocks.pop();
        assert!(parse(&to_bytes(&m)).unwrap_err().0.contains("blocks"));
    }

    fn id(device: u64, inode: u64, birth_time: Option<i64>) -> FileId {
        FileId {
            device,
            inode,
            birth_time,
        }
    }

    #[test]
    fn the_same_file_is_the_same_device_and_inode_and_birth_time_when_both_have_one() {
        let recorded = id(2049, 77, Some(1_000));
        assert!(is_the_same_file(&recorded, &id(2049, 77, Some(1_000))));
        assert!(
            !is_the_same_file(&recorded, &id(2050, 77, Some(1_000))),
            "another device"
        );
        assert!(
            !is_the_same_file(&recorded, &id(2049, 78, Some(1_000))),
            "another inode"
        );
        // The inode number given back to a file written anew: another file.
        assert!(
            !is_the_same_file(&recorded, &id(2049, 77, Some(1_001))),
            "another birth"
        );
        // A side without a birth time cannot tell: device and inode decide.
        assert!(is_the_same_file(&recorded, &id(2049, 77, None)));
        assert!(is_the_same_file(&id(2049, 77, None), &id(2049, 77, Some(1_000))));
        assert!(is_the_same_file(&id(2049, 77, None), &id(2049, 77, None)));
        // No identity (a platform that gives none) never matches, not even itself.
        assert!(!is_the_same_file(&id(0, 0, None), &id(0, 0, None)));
        assert!(!is_the_same_file(&id(0, 0, Some(5)), &id(0, 0, Some(5))));
        assert!(
            is_the_same_file(&id(0, 9, None), &id(0, 9, None)),
            "only both zero is unknown"
        );
    }

    /// A copy of `sample()`'s one file, found identical, read through a file whose identity is
    /// `seen`, under the copy root `/copy` named as `named`.
    fn copy_of_sample(seen: FileId, named: &str) -> CopyScan {
        let f = &sample().files[0];
        CopyScan {
            root: std::path::PathBuf::from("/copy"),
            found: vec![Found::Hashed {
                crc: FileCrc {
                    size: f.size,
                    crc32: parse_hex(&f.crc32).unwrap(),
                    blocks: vec![0; 4],
                },
                id: seen,
            }],
            extras: Vec::new(),
            named: vec![(named.into(), "/copy".into())],
        }
    }

    #[test]
    fn a_copy_holding_the_file_verified_is_could_not_compare_naming_the_path_given_and_the_file() {
        let m = sample();
        let recorded = m.files[0].recorded_id().unwrap();
        let e = decide_compare(&m, "m.json", &copy_of_sample(recorded, "snap/"), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "snap/: is the verified set itself, not a copy: SRUDB.dat is the file verified (same device and inode)"
        );
        assert_eq!(e.code, None, "no ESE error says this");
        // A real copy (another inode) compares as before, with no note.
        let other = FileId {
            inode: recorded.inode + 1,
            ..recorded
        };
        let c = decide_compare(&m, "m.json", &copy_of_sample(other, "copy"), false).unwrap();
        assert_eq!((c.verdict, c.identical), (Verdict::Pass, 1));
        assert!(c.notes.is_empty());
    }

    #[test]
    fn the_set_itself_wins_over_any_difference() {
        let m = sample();
        let mut copy = copy_of_sample(m.files[0].recorded_id().unwrap(), "copy");
        if let Found::Hashed { crc, .. } = &mut copy.found[0] {
            crc.crc32 ^= 1;
            crc.blocks[2] ^= 1;
        }
        copy.extras.push(crate::scan::copy::Extra {
            rel: "SRU00099.log".into(),
            kind: FileKind::Log,
            size: 65536,
            crc: None,
        });
        assert!(decide_compare(&m, "m.json", &copy, true).is_err());
    }

    #[test]
    fn a_manifest_without_identities_still_compares_with_a_note() {
        // As written before CLI.md "Manifest", file identities: no device, inode or birth_time, and its CRC over
        // what it holds.
        let mut doc: Value = serde_json::from_slice(&to_bytes(&sample())).unwrap();
        for f in doc["files"].as_array_mut().unwrap() {
            let f = f.as_object_mut().unwrap();
            for k in ["device", "inode", "birth_time"] {
                f.shift_remove(k).unwrap();
            }
        }
        let obj = doc.as_object_mut().unwrap();
        obj.shift_remove("manifest_crc32");
        let crc = hex(canonical_crc(obj));
        obj.insert("manifest_crc32".into(), Value::String(crc));
        let old = parse(&serde_json::to_vec(&doc).unwrap()).unwrap();
        assert_eq!(old.files[0].recorded_id(), None);
        // Even the very file verified: nothing to tell it by.
        let seen = sample().files[0].recorded_id().unwrap();
        let c = decide_compare(&old, "m.json", &copy_of_sample(seen, "snap"), true).unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "a note changes no verdict, --strict included");
        assert_eq!(c.notes, vec![NO_IDENTITIES_NOTE.to_string()]);
        assert!(c.problems.is_empty());
    }

    #[test]
    fn a_birth_time_the_platform_did_not_give_is_written_as_null() {
        let mut m = sample();
        m.files[0].birth_time = None;
        let doc: Value = serde_json::from_slice(&to_bytes(&m)).unwrap();
        assert_eq!(doc["files"][0]["birth_time"], Value::Null);
        assert_eq!(doc["files"][0]["device"], 2049);
        assert_eq!(doc["files"][0]["inode"], 131_075);
        assert_eq!(parse(&to_bytes(&m)), Ok(m));
    }

    #[test]
    fn a_database_block_is_named_by_its_pages_with_the_header_copies_apart() {
        let f = &sample().files[0];
        assert_eq!(covers(f, 3 << 20, 1 << 20), "pages 767-1022");
        assert_eq!(
            covers(f, 0, 1 << 20),
            "the header copies (pages -1 and 0) and pages 1-254"
        );
        let mut log = f.clone();
        log.kind = Some(FileKind::Log);
        log.generation = Some(81);
        log.segment_size = Some(4096);
        assert_eq!(
            covers(&log, 0, 1 << 20),
            "generation 81 (0x51), segments 0-255 (segment 0 is the header)"
        );
    }
}
