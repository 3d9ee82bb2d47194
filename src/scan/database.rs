//! `eseutil /K` on a database (ESE-FORMAT.md §5, §9.1; CLI.md Decisions 4–7): both header
//! copies, then every page, checked in parallel over the mapped file.
//!
//! Decisions about what a finding means live here; rendering lives in `report`.

use crate::checksum::legacy::{legacy_checksum, stored_legacy_checksum};
use crate::checksum::page::{is_all_zero, verify_page, PageCheck, PageStatus};
use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::db_header::{DbFileHeader, DB_MAGIC, DB_VERSION};
use crate::problem::Problem;
use crate::scan::file::{first_hole_after, in_hole};
use crate::scan::header_copies::{read_shadowed_header, CopyState, HeaderCopy, ShadowedHeader};
use crate::verdict::Verdict;
use rayon::prelude::*;
use serde::Serialize;

/// The highest log generation ESE uses (`lGenerationMaxDuringRecovery`, ESE-FORMAT.md §6.1).
pub const MAX_GENERATION: i32 = 0x7FFF_FA00;
/// The smallest file esecheck will look at (CLI.md Decision 2).
pub const MIN_FILE_LEN: usize = 4096;
/// At most this many bad or correctable pages are described one by one in `problems`; the page
/// lists `bad_pages` and `correctable_pages` stay complete.
pub const MAX_PAGE_PROBLEMS: usize = 1000;

/// Options for a database scan.
#[derive(Default, Clone)]
pub struct DbOptions<'a> {
    /// Advanced by the number of bytes checked, from any thread.
    pub progress: Option<&'a indicatif::ProgressBar>,
    /// Called from any thread with `(offset, len)` of each range of the input the page scan has
    /// finished with, so a caller holding a memory map can drop it from the resident set
    /// ([`crate::scan::file::Input::release`]); the scan never reads a released range again.
    pub release: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// Byte ranges of the input known to read as zeros (the holes of a sparse file,
    /// [`crate::scan::file::Input::holes`]): pages wholly inside one are counted as uninitialized
    /// without being read, exactly as reading their zeros would count them. Empty: every page is
    /// read.
    pub holes: &'a [std::ops::Range<usize>],
    /// When set, the page scan also hashes every page it reads (and gives each page of a hole
    /// the CRC of zeros) into this collector, in the same workers, while the page is in cache
    /// (`verify --manifest`, issue 16); the header pages and a trailing partial page are left to
    /// [`FileCrcs::finish`](crate::scan::crc::FileCrcs::finish).
    pub crc: Option<&'a crate::scan::crc::FileCrcs>,
    /// Checked as a member of a backup set (`verify`): a header the engine refuses to attach or
    /// recover ([`attach_refusal`], issue 20 rule 1) fails the file, an unknown state or file
    /// type included. Otherwise (`checksum`, eseutil /K) a refused state is a warning and an
    /// unknown state or file type cannot be checked (CLI.md Decision 2).
    pub in_set: bool,
}

/// The result of checking one database file: eseutil /K's counters and every problem found.
#[derive(Debug, Clone, Serialize)]
pub struct DbCheck {
    /// The file.
    pub path: String,
    /// Always `"database"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// pass / fail.
    pub verdict: Verdict,
    /// Page size used for the scan (detected, or claimed by a damaged header).
    pub page_size: usize,
    /// True when the page size came from a valid header copy.
    pub page_size_detected: bool,
    /// `floor(file size / page size)`, both header pages included.
    pub pages_seen: u64,
    /// Pages (header copies included) whose checksum does not verify.
    pub bad_checksums: u64,
    /// Pages with single-bit errors that the engine would correct.
    pub correctable_checksums: u64,
    /// All-zero pages.
    pub uninitialized_pages: u64,
    /// Pages that verify at another page number (also counted in `bad_checksums`).
    pub wrong_page_numbers: u64,
    /// Highest `dbtimeDirtied` of a good data page.
    pub highest_dbtime: u64,
    /// The page holding `highest_dbtime`.
    pub highest_dbtime_page: Option<i64>,
    /// The last page the database owns, from its owned-space tree (page 2): what `esentutl /g`
    /// calls the expected number of pages. `None` when the tree could not be read (a damaged or
    /// missing page 2, a shape this reader does not know, or a temporary database).
    pub owned_pages: Option<u32>,
    /// Logical numbers of bad pages, ascending (−1 primary header, 0 shadow header).
    pub bad_pages: Vec<i64>,
    /// Logical numbers of correctable pages, ascending.
    pub correctable_pages: Vec<i64>,
    /// `le_dbstate` name of the header copy in use.
    pub state: Option<&'static str>,
    /// The file looks like a temporary database (CLI.md Decision 7).
    pub temporary: bool,
    /// Every problem, errors and warnings.
    pub problems: Vec<Problem>,
    /// The header copies as read.
    #[serde(skip)]
    pub header: ShadowedHeader,
}

impl DbCheck {
    /// The header copy in use, if either is valid.
    pub fn chosen_header(&self) -> Option<&DbFileHeader> {
        self.header.chosen()
    }
}

/// Counters and findings of a run of pages; merged across threads.
#[derive(Default)]
struct Tally {
    bad: u64,
    correctable: u64,
    uninitialized: u64,
    wrong_pgno: u64,
    highest_dbtime: u64,
    highest_dbtime_pgno: Option<u32>,
    findings: Vec<(u32, PageCheck, bool)>,
}

impl Tally {
    fn merge(mut self, other: Tally) -> Tally {
        self.bad += other.bad;
        self.correctable += other.correctable;
        self.uninitialized += other.uninitialized;
        self.wrong_pgno += other.wrong_pgno;
        if let Some(pgno) = other.highest_dbtime_pgno {
            self.note_dbtime(other.highest_dbtime, pgno);
        }
        self.findings.extend(other.findings);
        self
    }

    fn note_dbtime(&mut self, dbtime: u64, pgno: u32) {
        let better = match self.highest_dbtime_pgno {
            None => true,
            Some(p) => dbtime > self.highest_dbtime || (dbtime == self.highest_dbtime && pgno < p),
        };
        if better {
            self.highest_dbtime = dbtime;
            self.highest_dbtime_pgno = Some(pgno);
        }
    }
}

/// True when the last page of the file is an eseutil "trailer" page: dwords 1, 2, 3 and 6 zero
/// (§3.6), checked with the legacy XOR instead of the page checksum.
fn is_trailer(page: &[u8]) -> bool {
    crate::format::PageHeader::parse(page).is_ok_and(|h| h.is_trailer_shape())
}

fn check_trailer(page: &[u8]) -> PageCheck {
    let mut c = verify_page(page, 0, 0);
    let ok = stored_legacy_checksum(page) == legacy_checksum(page);
    c.status = if ok { PageStatus::Good } else { PageStatus::Bad };
    c.wrong_pgno = None;
    c
}

/// Checks a database held in `bytes` (the whole file), named `path` in messages.
///
/// `Err` means the file could not be checked (exit 2): shorter than 4096 bytes, no database magic,
/// or header values outside the sets ESE uses. Integrity problems are in the returned
/// [`DbCheck`].
pub fn check_database(bytes: &[u8], path: &str, opts: &DbOptions<'_>) -> Result<DbCheck, CheckError> {
    if bytes.len() < MIN_FILE_LEN {
        return Err(CheckError::new(
            path,
            format!(
                "file is {} bytes, shorter than the smallest ESE header (4096 bytes)",
                bytes.len()
            ),
        ));
    }
    if !crate::scan::classify::has_database_magic(bytes) {
        return Err(CheckError::new(
            path,
            "not an ESE database (no magic 0x89ABCDEF at offset 4 of either header copy)",
        ));
    }
    let header = read_shadowed_header(bytes);
    if header.page_size.is_none() {
        if let Some(v) = header.unsupported_page_size {
            return Err(CheckError::new(
                path,
                format!("header le_cbPageSize = {v} is not a page size ESE uses (2048, 4096, 8192, 16384, 32768)"),
            ));
        }
    }
    let mut problems = Vec::new();
    if let Some(h) = header.chosen() {
        check_header_values(h, path, opts.in_set, &mut problems)?;
    }
    let page_size = header.read_size;
    let pages_seen = (bytes.len() / page_size) as u64;
    let mut check = DbCheck {
        path: path.to_string(),
        kind: "database",
        verdict: Verdict::Pass,
        page_size,
        page_size_detected: header.page_size.is_some(),
        pages_seen,
        bad_checksums: 0,
        correctable_checksums: 0,
        uninitialized_pages: 0,
        wrong_page_numbers: 0,
        highest_dbtime: 0,
        highest_dbtime_page: None,
        owned_pages: None,
        bad_pages: Vec::new(),
        correctable_pages: Vec::new(),
        state: header.chosen().map(|h| h.state_name()),
        temporary: header.chosen().is_some_and(looks_temporary),
        problems: Vec::new(),
        header: header.clone(),
    };
    if header.page_size.is_none() {
        problems.push(Problem::error(
            Some(JetErr::DatabaseCorrupted),
            path,
            format!(
                "neither header copy is valid (primary: {}, shadow: {}); pages checked at the {page_size}-byte page size the header claims",
                copy_words(&header.primary),
                copy_words(&header.shadow)
            ),
        ));
    }
    count_header_copy(&mut check, &header.primary, -1, 0, path, &mut problems);
    count_header_copy(&mut check, &header.shadow, 0, page_size as u64, path, &mut problems);
    if header.primary.state == CopyState::Valid && header.shadow.state == CopyState::Valid && !header.identical {
        problems.push(Problem::warning(
            None,
            path,
            "primary and shadow headers are both valid but not identical; the primary is used",
        ));
    }
    let rest = bytes.len() % page_size;
    if rest != 0 {
        problems.push(
            Problem::warning(
                None,
                path,
                format!(
                    "file ends with a partial page of {rest} bytes at offset {}; not checked",
                    bytes.len() - rest
                ),
            )
            .at_offset((bytes.len() - rest) as u64),
        );
    }
    if check.temporary {
        problems.push(Problem::warning(
            None,
            path,
            "looks like a temporary database (file type 5, or JustCreated with no log signature): the engine does not maintain its page checksums",
        ));
    }
    if let Some(p) = opts.progress {
        p.inc((2 * page_size).min(bytes.len()) as u64);
    }
    let tally = scan_pages(bytes, page_size, opts);
    check.bad_checksums += tally.bad;
    check.correctable_checksums += tally.correctable;
    check.uninitialized_pages += tally.uninitialized;
    check.wrong_page_numbers += tally.wrong_pgno;
    check.highest_dbtime = tally.highest_dbtime;
    check.highest_dbtime_page = tally.highest_dbtime_pgno.map(i64::from);
    let mut findings = tally.findings;
    findings.sort_by_key(|f| f.0);
    let mut described = 0usize;
    for (pgno, c, trailer) in &findings {
        let offset = (u64::from(*pgno) + 1) * page_size as u64;
        match c.status {
            PageStatus::Correctable => check.correctable_pages.push(i64::from(*pgno)),
            PageStatus::Bad => check.bad_pages.push(i64::from(*pgno)),
            _ => continue,
        }
        if described < MAX_PAGE_PROBLEMS {
            problems.push(page_problem(path, *pgno, c, *trailer, offset));
        }
        described += 1;
    }
    if described > MAX_PAGE_PROBLEMS {
        problems.push(Problem::error(
            Some(JetErr::ReadVerifyFailure),
            path,
            format!(
                "{} more damaged pages not described one by one (see bad_pages and correctable_pages)",
                described - MAX_PAGE_PROBLEMS
            ),
        ));
    }
    check.bad_pages.sort_unstable();
    check_owned_space(bytes, page_size, &mut check, &mut problems);
    if let Some(owned) = check.owned_pages {
        // eseutil /K checks every page of the file, owned or not, and so does the verdict; the
        // note tells an examiner the damage lies where the database keeps no data.
        for p in problems.iter_mut().filter(|p| p.page.is_some_and(|pg| pg >= 1)) {
            let beyond = p.page.is_some_and(|pg| pg > i64::from(owned));
            p.beyond_owned_space = Some(beyond);
            if beyond {
                p.message.push_str(&format!(
                    " (beyond the owned space, which ends at page {owned}: the database does not own this page)"
                ));
            }
        }
    }
    if pages_seen == 0 {
        problems.push(Problem::error(
            Some(JetErr::DatabaseCorrupted),
            path,
            "no whole page in the file",
        ));
    }
    check.verdict = Verdict::from_problems(&problems, false);
    check.problems = problems;
    Ok(check)
}

/// Where the owned-space tree of the database ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OwnedSpace {
    /// The last page of the last owned extent.
    LastPage(u32),
    /// A page of the tree itself lies beyond the end of the file.
    TreePageMissing(u32),
}

/// Deepest owned-space tree followed; a real one has two or three levels.
const MAX_SPACE_TREE_DEPTH: usize = 8;

/// Follows the database's owned-space tree from its root (page 2) down its last nodes to the
/// highest owned extent. Every page followed must verify (status good), be a space-tree page of
/// the database root (`objidFDP` 1), and be a leaf or a parent; anything else gives no answer.
fn owned_space(bytes: &[u8], page_size: usize) -> Option<OwnedSpace> {
    use crate::format::page::flags as page_flags;
    use crate::format::space::{TreePage, OBJID_SYSTEM_ROOT, PGNO_DB_OWNED_SPACE};
    let data_pages = u32::try_from((bytes.len() / page_size).saturating_sub(2)).ok()?;
    let mut pgno = PGNO_DB_OWNED_SPACE;
    for depth in 0..MAX_SPACE_TREE_DEPTH {
        if pgno > data_pages {
            return Some(OwnedSpace::TreePageMissing(pgno));
        }
        let off = (pgno as usize + 1) * page_size;
        let page = bytes.get(off..off + page_size)?;
        if verify_page(page, pgno, data_pages).status != PageStatus::Good {
            return None;
        }
        let t = TreePage::parse(page).ok()?;
        let root_ok = (depth == 0) == (t.flags & page_flags::ROOT != 0);
        if t.objid_fdp != OBJID_SYSTEM_ROOT || t.flags & page_flags::SPACE_TREE == 0 || !root_ok {
            return None;
        }
        let last = t.last_node().ok()??;
        if t.flags & page_flags::LEAF != 0 {
            let end = last.key_u32_be()?;
            let count = last.data_u32()?;
            // An extent of `count` pages ending at `end`: 1 ≤ count ≤ end.
            return (1..=end).contains(&count).then_some(OwnedSpace::LastPage(end));
        }
        if t.flags & page_flags::PARENT == 0 {
            return None;
        }
        let child = last.data_u32()?;
        if child <= PGNO_DB_OWNED_SPACE || child == pgno {
            return None;
        }
        pgno = child;
    }
    None
}

/// `esentutl /g`'s space check, as a warning: a file shorter than the space the database owns
/// has lost its last pages ("Database file is too small"), which no page checksum can show
/// (ESE-FORMAT §2: the header holds no page count).
fn check_owned_space(bytes: &[u8], page_size: usize, check: &mut DbCheck, problems: &mut Vec<Problem>) {
    if check.temporary {
        return;
    }
    let data_pages = (bytes.len() / page_size).saturating_sub(2) as u64;
    match owned_space(bytes, page_size) {
        Some(OwnedSpace::LastPage(last)) => {
            check.owned_pages = Some(last);
            if u64::from(last) > data_pages {
                problems.push(Problem::warning(
                    None,
                    &check.path,
                    format!(
                        "database file is too small: the database owns pages 1-{last} (owned-space tree, page 2) but the file ends after page {data_pages}; pages {}-{last} are missing (truncated?)",
                        data_pages + 1
                    ),
                ));
            }
        }
        Some(OwnedSpace::TreePageMissing(pgno)) => problems.push(Problem::warning(
            None,
            &check.path,
            format!(
                "database file is too small: page {pgno} of the owned-space tree lies beyond the end of the file (after page {data_pages}; truncated?)"
            ),
        )),
        None => {}
    }
}

/// Why the engine will not bring a database into use from its header, with the ESE error it
/// returns (issue 20 rule 1). db.cxx `ErrDBReadHeaderCheckConsistency` attaches only a
/// CleanShutdown database whose `le_attrib` is `attribDb` (0) and whose `le_filetype` is
/// unknown (0), database (1) or temporary database (5) (else `JET_errDatabaseCorrupted`), and
/// refuses BeingConverted (`JET_errDatabaseIncompleteUpgrade`), IncrementalReseedInProgress
/// (`…IncompleteIncrementalReseed`), RevertInProgress (`…IncompleteRevert`) and every other
/// unclean state (`JET_errDatabaseInconsistent`, −550); recovery (logredo.cxx, the redo of an
/// attach, `DBISetHeaderAfterAttach`) replays only DirtyShutdown and DirtyAndPatchedShutdown. A
/// state outside 1-8 is no state the engine writes: −1206.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachRefusal {
    /// The engine's error.
    pub code: JetErr,
    /// What it means for a backup, in words.
    pub message: String,
}

/// The [`AttachRefusal`] of header `h`, or `None` when the engine attaches (clean) or recovers
/// (dirty) a database in its state.
pub fn attach_refusal(h: &DbFileHeader) -> Option<AttachRefusal> {
    use crate::format::common::filetype;
    use crate::format::db_header::dbstate;
    let refuse = |code, message: String| Some(AttachRefusal { code, message });
    if h.attrib != 0 {
        return refuse(
            JetErr::DatabaseCorrupted,
            format!(
                "header le_attrib = {} is not a database's (0): the engine refuses to attach it",
                h.attrib
            ),
        );
    }
    if !matches!(
        h.file_type,
        filetype::UNKNOWN | filetype::DATABASE | filetype::TEMP_DATABASE
    ) {
        return refuse(
            JetErr::DatabaseCorrupted,
            format!(
                "header le_filetype = {} is not a database (0, 1 or 5): the engine refuses to attach it",
                h.file_type
            ),
        );
    }
    let what = match h.db_state {
        dbstate::DIRTY_SHUTDOWN | dbstate::CLEAN_SHUTDOWN | dbstate::DIRTY_AND_PATCHED_SHUTDOWN => return None,
        dbstate::JUST_CREATED => (
            JetErr::DatabaseDirtyShutdown,
            "the database was never completely created",
        ),
        dbstate::BEING_CONVERTED => (JetErr::DatabaseIncompleteUpgrade, "a format conversion never finished"),
        dbstate::FORCE_DETACH => (JetErr::DatabaseDirtyShutdown, "the database was force-detached"),
        dbstate::INCREMENTAL_RESEED_IN_PROGRESS => (
            JetErr::DatabaseIncompleteIncrementalReseed,
            "an incremental reseed was in progress",
        ),
        dbstate::REVERT_IN_PROGRESS => (JetErr::DatabaseIncompleteRevert, "a revert was in progress"),
        other => {
            return refuse(
                JetErr::DatabaseCorrupted,
                format!(
                "header le_dbstate = {other} is not a database state ESE writes (1-8): the engine refuses to attach it"
            ),
            )
        }
    };
    refuse(
        what.0,
        format!(
            "state {}: {}: the copy is not a usable database (the engine attaches only a Clean Shutdown database and recovers only Dirty Shutdown or Dirty and Patched Shutdown)",
            crate::format::db_header::state_words(h.db_state),
            what.1
        ),
    )
}

/// The problem an [`AttachRefusal`] is for a database checked `in_set` (an error: `verify`), or
/// alone (a warning: `checksum` and `header` follow eseutil /K and /MH, which check pages and
/// dump headers whatever the state). `None` for a temporary database checked alone
/// ([`looks_temporary`]): it is never attached, its state is its own business.
pub fn refusal_problem(h: &DbFileHeader, path: &str, in_set: bool) -> Option<Problem> {
    let r = attach_refusal(h)?;
    if in_set {
        Some(Problem::error(Some(r.code), path, r.message))
    } else if looks_temporary(h) {
        None
    } else {
        Some(Problem::warning(Some(r.code), path, r.message))
    }
}

/// Refuses header values outside the sets ESE uses (exit 2), flags a valid copy whose magic is
/// wrong, and a header the engine refuses ([`refusal_problem`]). `in_set` (`verify`): an unknown
/// state or file type is that refusal (−1206, exit 1), not a value that cannot be checked.
fn check_header_values(
    h: &DbFileHeader,
    path: &str,
    in_set: bool,
    problems: &mut Vec<Problem>,
) -> Result<(), CheckError> {
    use crate::format::common::filetype;
    if !in_set
        && !matches!(
            h.file_type,
            filetype::UNKNOWN | filetype::DATABASE | filetype::TEMP_DATABASE
        )
    {
        return Err(CheckError::new(
            path,
            format!(
                "header le_filetype = {} is not a database (JET_errFileInvalidType, -1812)",
                h.file_type
            ),
        ));
    }
    if !in_set && !(1..=8).contains(&h.db_state) {
        return Err(CheckError::new(
            path,
            format!(
                "header le_dbstate = {} is not a database state ESE writes (1-8)",
                h.db_state
            ),
        ));
    }
    for (name, g) in [
        ("le_lGenMinRequired", h.gen_min_required),
        ("le_lGenMaxRequired", h.gen_max_required),
        ("le_lGenMaxCommitted", h.gen_max_committed),
        ("le_lGenMinConsistent", h.gen_min_consistent),
        ("le_lGenRecovering", h.gen_recovering),
    ] {
        if !(0..=MAX_GENERATION).contains(&g) {
            return Err(CheckError::new(
                path,
                format!("header {name} = {g} is outside the log generations ESE uses (0-{MAX_GENERATION})"),
            ));
        }
    }
    problems.extend(refusal_problem(h, path, in_set));
    if h.magic != DB_MAGIC {
        problems.push(Problem::error(
            Some(JetErr::InvalidDatabaseVersion),
            path,
            format!("header copy in use has magic 0x{:08X}, not 0x89ABCDEF", h.magic),
        ));
    } else if h.version != DB_VERSION {
        return Err(CheckError::new(
            path,
            format!(
                "database format version 0x{:X} is not supported (only 0x620; JET_errInvalidDatabaseVersion, -1209)",
                h.version
            ),
        ));
    }
    Ok(())
}

/// CLI.md Decision 7 (issue 20 rule 2): a temporary database is one in which nothing belongs to
/// a logged database: file type 5 or state JustCreated, **and** an all-zero log signature, Log
/// Required 0-0 and Log Committed 0. Anything else with database magic is a database of the set
/// (a dirty, logged database whose file type says "temporary" is still checked).
pub fn looks_temporary(h: &DbFileHeader) -> bool {
    (h.file_type == crate::format::common::filetype::TEMP_DATABASE
        || h.db_state == crate::format::db_header::dbstate::JUST_CREATED)
        && h.sign_log.is_zero()
        && h.gen_min_required == 0
        && h.gen_max_required == 0
        && h.gen_max_committed == 0
}

fn copy_words(c: &HeaderCopy) -> String {
    match c.state {
        CopyState::Valid => "valid".into(),
        CopyState::Missing => "beyond end of file".into(),
        CopyState::Zeroed => "all zero".into(),
        CopyState::BadChecksum => format!(
            "checksum stored 0x{:08X}, computed 0x{:08X}",
            c.stored_checksum, c.computed_checksum
        ),
        CopyState::PageSizeMismatch => "checksum valid but le_cbPageSize disagrees".into(),
    }
}

fn count_header_copy(
    check: &mut DbCheck,
    c: &HeaderCopy,
    page: i64,
    offset: u64,
    path: &str,
    problems: &mut Vec<Problem>,
) {
    let which = if page < 0 {
        "primary header (page -1)"
    } else {
        "shadow header (page 0)"
    };
    match c.state {
        CopyState::Valid => {}
        CopyState::Zeroed => check.uninitialized_pages += 1,
        // A copy the file ends before (a database cut to its first page) counts like a damaged
        // one (CLI.md Decision 4): eseutil /K cannot read it and the engine cannot fall back to it.
        CopyState::Missing | CopyState::BadChecksum | CopyState::PageSizeMismatch => {
            let message = if c.state == CopyState::Missing {
                format!("{which} is missing: the file ends before it (counted as a bad checksum)")
            } else {
                format!("{which} checksum failed: {}", copy_words(c))
            };
            check.bad_checksums += 1;
            check.bad_pages.push(page);
            problems.push(
                Problem::error(Some(JetErr::ReadVerifyFailure), path, message)
                    .at_page(page)
                    .at_offset(offset),
            );
        }
    }
}

fn page_problem(path: &str, pgno: u32, c: &PageCheck, trailer: bool, offset: u64) -> Problem {
    let what = if trailer { "trailer page" } else { "page" };
    match c.status {
        PageStatus::Correctable => {
            let bits: Vec<String> = c.corrected_bits().iter().map(|b| b.to_string()).collect();
            Problem::warning(
                Some(JetErr::ReadVerifyFailure),
                path,
                format!(
                    "page {pgno} checksum verification failed but the corruption (bit {}) can be corrected (stored {}, computed {})",
                    bits.join(", bit "),
                    c.stored,
                    c.computed
                ),
            )
            .at_page(i64::from(pgno))
            .at_offset(offset)
        }
        _ => {
            let (code, extra) = match c.wrong_pgno {
                Some(other) if c.stored.len == 4 => (
                    JetErr::ReadPgnoVerifyFailure,
                    format!("; it holds page {other} (PGHDR2 pgno)"),
                ),
                Some(other) => (
                    JetErr::ReadVerifyFailure,
                    format!("; it verifies as page {other}, stored at the wrong place"),
                ),
                None => (JetErr::ReadVerifyFailure, String::new()),
            };
            let fmt = if c.new_format || c.stored.len == 4 {
                ""
            } else {
                " (old checksum format)"
            };
            Problem::error(
                Some(code),
                path,
                format!(
                    "{what} {pgno} checksum mismatch{fmt} (stored {}, computed {}){extra}",
                    c.stored, c.computed
                ),
            )
            .at_page(i64::from(pgno))
            .at_offset(offset)
        }
    }
}

/// Bytes of pages the scan checks before hashing them for a manifest (`DbOptions::crc`): a few
/// pages, which stay in the core's L2 between the check and the hash. Hashing each page right
/// after its check costs half as much again as hashing every 128 KiB (`cargo bench --bench
/// kernels -- manifest_scan`), probably because each switch between the two loops interrupts
/// the stream the prefetcher was following through memory.
const CRC_BATCH: usize = 128 << 10;

fn scan_pages(bytes: &[u8], page_size: usize, opts: &DbOptions<'_>) -> Tally {
    let n_pages = bytes.len() / page_size;
    if n_pages <= 2 {
        return Tally::default();
    }
    let data = &bytes[2 * page_size..n_pages * page_size];
    let max_pgno = u32::try_from(n_pages - 2).unwrap_or(u32::MAX);
    // Chunks of about 4 MiB amortise scheduling and keep each thread streaming through memory.
    let per_chunk = (4 << 20) / page_size.max(1);
    let last_pgno = max_pgno;
    let holes = opts.holes;
    data.par_chunks(per_chunk * page_size)
        .enumerate()
        .map(|(ci, chunk)| {
            let mut t = Tally::default();
            let chunk_offset = 2 * page_size + ci * per_chunk * page_size;
            let mut hole = first_hole_after(holes, chunk_offset);
            let mut crc = opts.crc.map(|c| c.range(chunk_offset as u64));
            if in_hole(holes, &mut hole, chunk_offset, chunk_offset + chunk.len()) {
                // Never read, never mapped: nothing to release either.
                t.uninitialized += (chunk.len() / page_size) as u64;
                if let Some(mut h) = crc {
                    h.zeros(chunk.len() as u64);
                    h.done();
                }
                if let Some(p) = opts.progress {
                    p.inc(chunk.len() as u64);
                }
                return t;
            }
            // Pages checked but not yet hashed: chunk[unhashed..].
            let mut unhashed = 0usize;
            for (i, page) in chunk.chunks_exact(page_size).enumerate() {
                let offset = chunk_offset + i * page_size;
                if in_hole(holes, &mut hole, offset, offset + page_size) {
                    t.uninitialized += 1;
                    if let Some(h) = crc.as_mut() {
                        h.update(&chunk[unhashed..i * page_size]);
                        h.zeros(page_size as u64);
                        unhashed = (i + 1) * page_size;
                    }
                    continue;
                }
                let pgno = u32::try_from(ci * per_chunk + i + 1).unwrap_or(u32::MAX);
                let trailer = pgno == last_pgno && !is_all_zero(page) && is_trailer(page);
                let c = if trailer {
                    check_trailer(page)
                } else {
                    verify_page(page, pgno, max_pgno)
                };
                // After the checks of CRC_BATCH bytes, while they are still in the core's cache.
                if let Some(h) = crc.as_mut() {
                    if (i + 1) * page_size - unhashed >= CRC_BATCH {
                        h.update(&chunk[unhashed..(i + 1) * page_size]);
                        unhashed = (i + 1) * page_size;
                    }
                }
                match c.status {
                    PageStatus::Good => {
                        if !trailer {
                            t.note_dbtime(c.dbtime, pgno);
                        }
                    }
                    PageStatus::Uninitialized => t.uninitialized += 1,
                    PageStatus::Correctable => {
                        t.correctable += 1;
                        t.note_dbtime(c.dbtime, pgno);
                        t.findings.push((pgno, c, trailer));
                    }
                    PageStatus::Bad => {
                        t.bad += 1;
                        if c.wrong_pgno.is_some() {
                            t.wrong_pgno += 1;
                        }
                        t.findings.push((pgno, c, trailer));
                    }
                }
            }
            if let Some(mut h) = crc {
                h.update(&chunk[unhashed..]);
                h.done();
            }
            if let Some(p) = opts.progress {
                p.inc(chunk.len() as u64);
            }
            if let Some(release) = opts.release {
                release(2 * page_size + ci * per_chunk * page_size, chunk.len());
            }
            t
        })
        .reduce(Tally::default, Tally::merge)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Signature;
    use crate::scan::crc::{FileCrc, FileCrcs};
    use crate::testkit::DbBuilder;

    /// The CRCs of `bytes` computed independently of the scan: crc32fast over the whole file
    /// and over each block.
    fn expected(bytes: &[u8], block: usize) -> FileCrc {
        FileCrc {
            size: bytes.len() as u64,
            crc32: crc32fast::hash(bytes),
            blocks: bytes.chunks(block).map(crc32fast::hash).collect(),
        }
    }

    fn hdr(b: DbBuilder) -> DbFileHeader {
        DbFileHeader::parse(&b.header()).unwrap()
    }

    #[test]
    fn the_engine_attaches_clean_and_recovers_dirty_databases_only() {
        // Issue 20 rule 1, db.cxx ErrDBReadHeaderCheckConsistency and logredo.cxx's redo of an
        // attach: each refused state has the engine's own error.
        for (state, code) in [
            (1, Some(-550)),
            (2, None),
            (3, None),
            (4, Some(-563)),
            (5, Some(-550)),
            (6, Some(-1226)),
            (7, None),
            (8, Some(-1935)),
            (0, Some(-1206)),
            (9, Some(-1206)),
        ] {
            let r = attach_refusal(&hdr(DbBuilder::new(4096).state(state)));
            assert_eq!(r.as_ref().map(|r| r.code.code()), code, "state {state}");
        }
        let r = attach_refusal(&hdr(DbBuilder::new(4096).state(6))).unwrap();
        assert_eq!(
            r.message,
            "state Incremental Reseed In Progress: an incremental reseed was in progress: the copy is not a usable database (the engine attaches only a Clean Shutdown database and recovers only Dirty Shutdown or Dirty and Patched Shutdown)"
        );
        // le_attrib must be attribDb (0); le_filetype 0, 1 or 5.
        let r = attach_refusal(&hdr(DbBuilder::new(4096).header_u32(12, 1))).unwrap();
        assert_eq!(r.code, JetErr::DatabaseCorrupted);
        assert!(r.message.contains("le_attrib = 1"), "{}", r.message);
        for ft in [0, 1, 5] {
            assert!(
                attach_refusal(&hdr(DbBuilder::new(4096).file_type(ft))).is_none(),
                "{ft}"
            );
        }
        let r = attach_refusal(&hdr(DbBuilder::new(4096).file_type(3))).unwrap();
        assert_eq!(r.code, JetErr::DatabaseCorrupted);
    }

    #[test]
    fn a_refused_state_fails_in_a_set_and_warns_alone() {
        use crate::problem::Severity;
        let reseed = hdr(DbBuilder::new(4096).state(6));
        let p = refusal_problem(&reseed, "a.edb", true).unwrap();
        assert_eq!((p.severity, p.code.map(JetErr::code)), (Severity::Error, Some(-1226)));
        let p = refusal_problem(&reseed, "a.edb", false).unwrap();
        assert_eq!((p.severity, p.code.map(JetErr::code)), (Severity::Warning, Some(-1226)));
        // A temporary database checked alone: no warning for its JustCreated state.
        let temp = hdr(DbBuilder::new(8192).state(1).log_signature(Signature { raw: [0; 28] }));
        assert!(refusal_problem(&temp, "temp.edb", false).is_none());
        // Through check_database: `checksum` passes with the warning, `verify` fails; an unknown
        // state cannot be checked alone (Decision 2) but fails a set (−1206).
        let file = DbBuilder::new(4096).state(8).build();
        let alone = check_database(&file, "a.edb", &DbOptions::default()).unwrap();
        assert_eq!(alone.verdict, Verdict::Pass, "{:?}", alone.problems);
        let set = DbOptions {
            in_set: true,
            ..DbOptions::default()
        };
        let member = check_database(&file, "a.edb", &set).unwrap();
        assert_eq!(member.verdict, Verdict::Fail);
        assert_eq!(member.problems[0].code, Some(JetErr::DatabaseIncompleteRevert));
        let unknown = DbBuilder::new(4096).state(9).build();
        assert!(check_database(&unknown, "a.edb", &DbOptions::default()).is_err());
        let member = check_database(&unknown, "a.edb", &set).unwrap();
        assert_eq!(member.problems[0].code, Some(JetErr::DatabaseCorrupted));
        let odd_type = DbBuilder::new(4096).file_type(3).build();
        assert!(check_database(&odd_type, "a.edb", &DbOptions::default()).is_err());
        assert_eq!(check_database(&odd_type, "a.edb", &set).unwrap().verdict, Verdict::Fail);
    }

    #[test]
    fn temporary_means_nothing_in_it_belongs_to_a_logged_database() {
        // Issue 20 rule 2 (CLI.md Decision 7).
        let zero = Signature { raw: [0; 28] };
        let temp = || DbBuilder::new(8192).file_type(5).log_signature(zero);
        assert!(looks_temporary(&hdr(temp())));
        assert!(looks_temporary(&hdr(DbBuilder::new(8192).state(1).log_signature(zero))));
        // Any trace of a logged database makes it one.
        assert!(!looks_temporary(&hdr(DbBuilder::new(8192).file_type(5))));
        assert!(!looks_temporary(&hdr(temp().state(2).log_required(5, 7))));
        assert!(!looks_temporary(&hdr(temp().log_required(0, 7))));
        assert!(!looks_temporary(&hdr(temp().log_committed(7))));
        // A clean database of type 1 with a zero signature (esentutl /p output) is no temp.
        assert!(!looks_temporary(&hdr(DbBuilder::new(8192).log_signature(zero))));
    }

    #[test]
    fn the_page_scan_hashes_every_byte_once_in_batches_with_holes_as_zeros_unread() {
        // 4 KiB pages: 1024 a 4 MiB chunk and 32 a CRC batch. Holes: three pages inside a batch,
        // a run across batch boundaries, and one covering the whole second chunk and parts of
        // the first and third.
        let ps = 4096;
        let hole_pages = [5..=7u32, 40..=80, 1020..=2050];
        let mut b = DbBuilder::new(ps).pages(2100);
        for r in &hole_pages {
            for pgno in r.clone() {
                b = b.uninitialized(pgno);
            }
        }
        let file = b.build();
        // Page p lies at (p + 1) * page size: the two header copies come first.
        let holes: Vec<std::ops::Range<usize>> = hole_pages
            .iter()
            .map(|r| (*r.start() as usize + 1) * ps..(*r.end() as usize + 2) * ps)
            .collect();
        // What the scan is given holds garbage where the holes are: proof it never reads them.
        let mut shown = file.clone();
        for h in &holes {
            shown[h.clone()].fill(0xAA);
        }
        for block in [3 * ps, 1 << 20] {
            let c = FileCrcs::new(block as u64);
            let check = check_database(
                &shown,
                "t.edb",
                &DbOptions {
                    holes: &holes,
                    crc: Some(&c),
                    ..DbOptions::default()
                },
            )
            .expect("checked");
            assert_eq!(check.verdict, Verdict::Pass, "{:?}", check.problems);
            assert_eq!(c.finish(&shown, &holes), expected(&file, block), "block {block}");
        }
        // Without holes every page is read and hashed.
        let c = FileCrcs::new(1 << 20);
        check_database(
            &file,
            "t.edb",
            &DbOptions {
                crc: Some(&c),
                ..DbOptions::default()
            },
        )
        .expect("checked");
        assert_eq!(c.finish(&file, &[]), expected(&file, 1 << 20));
    }
}
