//! The database checker: `eseutil /K` on a database whose bytes its caller holds (ESE-FORMAT.md
//! §2–§5, §9.1; CLI.md Decisions 2, 4–7, 18, 22). The caller gives the file size and the first
//! bytes (both header copies), then the data pages in buffers of any size, in any order, from
//! any number of threads, and the ranges it knows to be zero; [`DatabaseChecker::finish`] returns
//! the [`DbCheck`].
//!
//! The rules are the functions below, in the order `new`, `feed` and `finish` apply them: the
//! header rules (`file_too_short` … `temporary_database_note`) when the checker is made, the page
//! rules (`is_trailer_page`, `trailer_checksum`, `page_checksum`, `space_tree_page`) on every page
//! fed, and the file rules (`page_problems`, `fixed_pages_blank` in [`super::fixed_pages`],
//! `owned_space`, `owned_space_too_small`, `owned_space_unreadable`, `mark_beyond_owned_space`,
//! `no_whole_page`) at the end.

use crate::checksum::legacy::{legacy_checksum, stored_legacy_checksum};
use crate::checksum::page::{is_all_zero, verify_page, PageCheck, PageStatus};
use crate::codes::JetErr;
use crate::error::CheckError;
use crate::format::db_header::{DbFileHeader, DB_MAGIC, DB_VERSION};
use crate::format::page::flags as page_flags;
use crate::format::space::{TreePage, OBJID_SYSTEM_ROOT, PGNO_DB_OWNED_SPACE};
use crate::format::Generation;
use crate::problem::Problem;
use crate::scan::classify::{has_database_magic, FileKind};
use crate::scan::core::fixed_pages::{
    fixed_pages_blank, pages_in_use, read_space_header, BlankPages, SpaceHeader, DB_SHADOWING_DISABLED, FDP_ROOTS,
};
use crate::scan::core::lost_flush::{lost_flushes, FlushFacts, PersistedFlushMap};
use crate::scan::core::page_facts::{FactBatch, PageFactStore};
use crate::scan::core::{never_fed, Coverage, FeedError};
use crate::scan::header_copies::{read_shadowed_header, CopyState, HeaderCopy, ShadowedHeader};
use crate::verdict::Verdict;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{Mutex, MutexGuard};

/// The highest log generation ESE uses (`lGenerationMaxDuringRecovery`, ESE-FORMAT.md §6.1).
pub const MAX_GENERATION: i32 = 0x7FFF_FA00;
/// The smallest file esecheck will look at (CLI.md Decision 2).
pub const MIN_FILE_LEN: usize = 4096;
/// At most this many bad or correctable pages are described one by one in `problems`; the page
/// lists `bad_pages` and `correctable_pages` stay complete.
pub const MAX_PAGE_PROBLEMS: usize = 1000;
/// The bytes at the start of a database that hold both header copies at every page size ESE uses
/// (two 32 KiB pages): what [`DatabaseChecker::new`] reads the header from.
pub(crate) const HEAD_LEN: usize = 2 * 32768;

/// The result of checking one database file: eseutil /K's counters and every problem found.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DbCheck {
    /// The file.
    pub path: crate::escape::ShownPath,
    /// Always [`FileKind::Database`] (`"database"` in JSON).
    #[serde(rename = "type")]
    #[schemars(schema_with = "crate::scan::classify::always::database")]
    pub kind: FileKind,
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
    #[schemars(schema_with = "crate::format::db_header::opt_state_name_schema")]
    pub state: Option<&'static str>,
    /// The file looks like a temporary database (CLI.md Decision 7).
    pub temporary: bool,
    /// The persisted flush map the pages were compared with (issue 22 rule 3), `None` when no
    /// map beside the database was used.
    pub flush_map_used: Option<crate::escape::ShownPath>,
    /// Every table of the catalog with its trees, pages, damage and records (issue 22, CLI.md
    /// Decision 23); `None` when the walk did not run (`--no-logical`, a temporary database, no
    /// valid header copy, a catalog that cannot be read).
    pub tables: Option<Vec<super::logical::TableSummary>>,
    /// Every problem, errors and warnings.
    pub problems: Vec<Problem>,
    /// The header copies as read.
    #[serde(skip)]
    pub header: ShadowedHeader,
}

/// Issue 22 rule 3 ([`lost_flushes`]): compares the pages with the persisted flush map `map`,
/// adding a −1119 error per lost page to `problems`. One problem per page: a blank fixed page the
/// map knows is −1119 here, not also rule 2's −1019.
fn apply_flush_map(
    problems: &mut Vec<Problem>,
    path: &str,
    page_size: usize,
    max_pgno: u32,
    facts: &FlushFacts,
    blank: &BlankPages,
    map: &PersistedFlushMap,
) {
    let lost = lost_flushes(path, page_size, max_pgno, facts, blank, map);
    let lost_pages: std::collections::BTreeSet<i64> = lost.iter().filter_map(|p| p.page).collect();
    problems
        .retain(|p| !(p.code == Some(JetErr::PageNotInitialized) && p.page.is_some_and(|g| lost_pages.contains(&g))));
    problems.extend(lost);
}

impl DbCheck {
    /// The header copy in use, if either is valid.
    pub fn chosen_header(&self) -> Option<&DbFileHeader> {
        self.header.chosen()
    }
}

/// Checks a database whose bytes the caller feeds: made from the file size and the first
/// [`DatabaseChecker::head_len`] bytes, then fed every data page once, as bytes
/// ([`feed`](Self::feed)) or as a range known to be zero ([`hole`](Self::hole)), in any order and
/// from any number of threads (`&self`; the checker is `Sync`), then
/// [`finish`](Self::finish)ed.
///
/// - **Page buffers** start on a page boundary and hold whole pages; the last one may run to the
///   end of the file (a trailing partial page, which is a warning and is not checked). Bytes of
///   the two header pages may be fed too and are ignored: the header was read from the head.
/// - **A page fed twice** (as bytes or inside a hole): the repeating call is refused with
///   [`FeedError::AlreadyFed`] and changes nothing, so the result is that of the first feed.
/// - **A page never fed**: `finish` fails with a [`CheckError`] naming the bytes (could not
///   check, exit 2); it never guesses what they hold.
/// - **Memory** does not grow with the file: the checker keeps counters, the damaged pages (as
///   the result lists them), the merged ranges fed so far, and a few words for each page of the
///   database's own space trees (the owned-space walk needs them whatever the
///   order they came in).
///
/// ```
/// use esecheck::scan::core::DatabaseChecker;
/// use esecheck::scan::{check_database, DbOptions};
///
/// // A database of 4 KiB pages: two header copies and 40 data pages, page 7 damaged.
/// let mut file = esecheck::testkit::DbBuilder::new(4096).pages(40).build();
/// file[8 * 4096 + 100] ^= 0xFF;
///
/// let size = file.len() as u64;
/// let checker = DatabaseChecker::new("x.edb", size, &file[..DatabaseChecker::head_len(size)], false)?;
/// // Pages 21..=40 first, then pages 1..=20 (page p lies at (p + 1) × 4096), then the whole file
/// // again, which is refused and changes nothing.
/// checker.feed(22 * 4096, &file[22 * 4096..]).unwrap();
/// checker.feed(0, &file[..22 * 4096]).unwrap();
/// assert!(checker.feed(0, &file).is_err());
/// // The tree walk reads pages again (page p at (p + 1) × 4096).
/// let page = |p: u32| file.get((p as usize + 1) * 4096..(p as usize + 2) * 4096);
/// let streamed = checker.finish_reading(&page)?;
///
/// assert_eq!(streamed.bad_pages, vec![7]);
/// let scanned = check_database(&file, "x.edb", &DbOptions::default())?;
/// assert_eq!(serde_json::to_string(&streamed)?, serde_json::to_string(&scanned)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DatabaseChecker<'m> {
    path: String,
    file_size: u64,
    header: ShadowedHeader,
    page_size: usize,
    temporary: bool,
    /// What the header copies say, found when the checker was made: problems in order, then the
    /// counters of the header pages.
    head: HeadFindings,
    /// What the pages fed so far say, merged from every thread.
    acc: Mutex<Accumulated>,
    /// Run the catalog, space and tree checks at [`finish_reading`](Self::finish_reading).
    logical: bool,
    /// The persisted flush map to compare the pages with (issue 22 rule 3), and its path.
    flush_map: Option<(String, &'m PersistedFlushMap)>,
}

/// The problems and counters of the two header pages.
#[derive(Debug, Default)]
struct HeadFindings {
    problems: Vec<Problem>,
    bad: u64,
    uninitialized: u64,
    bad_pages: Vec<i64>,
}

#[derive(Default)]
struct Accumulated {
    tally: Tally,
    coverage: Coverage,
    /// The walk's facts of every page fed (issue 22 rule 7), when the walk runs.
    facts: Option<PageFactStore>,
}

/// What every page rule may read: where the page is and what the file and its header say. Every
/// rule gets the whole context; the page size and the header are there for the rules that read
/// them (none of today's page rules does, so the compiler would call them unread).
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)]
pub(crate) struct PageContext<'a> {
    /// The database page size.
    pub page_size: usize,
    /// The highest logical page number in the file (a page that verifies at another number up
    /// to this one has a wrong page number, Decision 6).
    pub max_pgno: u32,
    /// The header copy in use, when either is valid.
    pub header: Option<&'a DbFileHeader>,
}

impl<'m> DatabaseChecker<'m> {
    /// How many bytes from the start of a file of `file_size` bytes [`DatabaseChecker::new`]
    /// wants: `HEAD_LEN`, or the whole file when it is shorter.
    pub fn head_len(file_size: u64) -> usize {
        usize::try_from(file_size).map_or(HEAD_LEN, |n| n.min(HEAD_LEN))
    }

    /// A checker for the database `path` (named so in every problem) of `file_size` bytes whose
    /// first bytes are `head` (exactly [`DatabaseChecker::head_len`] of them): the header rules
    /// run now. `in_set`: checked as a member of a backup set (`verify`; see
    /// [`crate::scan::database::DbOptions::in_set`]).
    ///
    /// `Err` when the file cannot be checked (exit 2, CLI.md Decision 2): shorter than 4096
    /// bytes, no database magic, header values outside the sets ESE uses — or a `head` of the
    /// wrong length.
    pub fn new(path: &str, file_size: u64, head: &[u8], in_set: bool) -> Result<DatabaseChecker<'m>, CheckError> {
        if head.len() != Self::head_len(file_size) {
            return Err(CheckError::new(
                path,
                format!(
                    "the check was given {} bytes of the file's start, not the {} that hold its header copies",
                    head.len(),
                    Self::head_len(file_size)
                ),
            ));
        }
        file_too_short(path, file_size)?;
        no_database_magic(path, head)?;
        let header = read_shadowed_header(head);
        unsupported_page_size(path, &header)?;
        let mut head_findings = HeadFindings::default();
        if let Some(h) = header.chosen() {
            head_findings.problems.extend(header_values(h, path, in_set)?);
        }
        let page_size = header.read_size;
        let temporary = header.chosen().is_some_and(looks_temporary);
        let ctx = DbContext {
            path,
            file_size,
            header: &header,
            page_size,
            temporary,
        };
        head_findings.problems.extend(neither_header_copy_valid(&ctx));
        for which in [Copy::Primary, Copy::Shadow] {
            if let Some((counted, problem)) = header_copy(&ctx, which) {
                match counted {
                    Counted::Uninitialized => head_findings.uninitialized += 1,
                    Counted::Bad => {
                        head_findings.bad += 1;
                        head_findings.bad_pages.push(which.page());
                    }
                }
                head_findings.problems.extend(problem);
            }
        }
        head_findings.problems.extend(header_copies_differ(&ctx));
        head_findings.problems.extend(trailing_partial_page(&ctx));
        head_findings.problems.extend(temporary_database_note(&ctx));
        Ok(DatabaseChecker {
            path: path.into(),
            file_size,
            header,
            page_size,
            temporary,
            head: head_findings,
            acc: Mutex::new(Accumulated::default()),
            logical: true,
            flush_map: None,
        })
    }

    /// Compares the pages with the persisted flush map `map` read from `map_path` at `finish`
    /// (issue 22 rule 3, before the walk, which names the pages it finds).
    pub(crate) fn with_flush_map(mut self, map_path: &str, map: &'m PersistedFlushMap) -> Self {
        self.flush_map = Some((map_path.to_string(), map));
        self
    }

    /// Skips the catalog, space and tree checks (`--no-logical`, CLI.md Decision 23).
    pub fn without_logical(mut self) -> Self {
        self.logical = false;
        self
    }

    /// The page size the pages are checked at (detected from a valid header copy, or the one a
    /// damaged header claims).
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// The bytes of the data pages, every one of which must be fed or declared a hole: from the
    /// end of the shadow header to the last whole page (empty when the file holds no data page).
    pub fn data_range(&self) -> Range<u64> {
        let ps = self.page_size as u64;
        let end = self.file_size / ps * ps;
        (2 * ps).min(end)..end
    }

    fn ctx(&self) -> DbContext<'_> {
        DbContext {
            path: &self.path,
            file_size: self.file_size,
            header: &self.header,
            page_size: self.page_size,
            temporary: self.temporary,
        }
    }

    fn page_context(&self) -> PageContext<'_> {
        PageContext {
            page_size: self.page_size,
            max_pgno: self.ctx().max_pgno(),
            header: self.header.chosen(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Accumulated> {
        // A thread that panicked while holding the lock left whole counts behind (merging is
        // the last step): what it had checked is simply not counted, and `finish` says which
        // bytes were never given.
        self.acc.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks the pages of `bytes`, which hold the file from byte `offset` on (see the type's
    /// documentation for alignment, repeats and the header pages). Safe to call from several
    /// threads at once.
    pub fn feed(&self, offset: u64, bytes: &[u8]) -> Result<(), FeedError> {
        let ps = self.page_size as u64;
        let end = offset.saturating_add(bytes.len() as u64);
        if end > self.file_size {
            return Err(FeedError::PastEnd {
                start: offset,
                end,
                file_size: self.file_size,
            });
        }
        if offset % ps != 0 || (end % ps != 0 && end != self.file_size) {
            return Err(FeedError::Unaligned {
                start: offset,
                end,
                page_size: self.page_size,
            });
        }
        let data = self.data_range();
        let start = offset.max(data.start);
        let stop = end.min(data.end);
        if start >= stop {
            return Ok(());
        }
        let pages = &bytes[(start - offset) as usize..(stop - offset) as usize];
        let ctx = self.page_context();
        let mut t = Tally::default();
        let first_pgno = start / ps - 1;
        let n = pages.len() / self.page_size;
        let mut facts = self
            .logical
            .then(|| FactBatch::new(u32::try_from(first_pgno).unwrap_or(u32::MAX), n));
        let dbtime_max = self.header.chosen().map_or(u64::MAX, |h| h.dbtime_dirtied);
        for (i, page) in pages.chunks_exact(self.page_size).enumerate() {
            let pgno = u32::try_from(first_pgno + i as u64).unwrap_or(u32::MAX);
            let f = check_page(&ctx, pgno, page);
            let good = f.check.status == PageStatus::Good && !f.trailer;
            if let Some(batch) = facts.as_mut() {
                match f.check.status {
                    _ if f.trailer => batch.page(None, dbtime_max),
                    PageStatus::Uninitialized => batch.blank_page(),
                    PageStatus::Good => batch.page(Some(page), dbtime_max),
                    // Read as the engine reads it: corrected (Decision 12).
                    PageStatus::Correctable => {
                        let corrected = corrected_page(page, &f.check);
                        batch.page(corrected.as_deref(), dbtime_max)
                    }
                    _ => batch.page(None, dbtime_max),
                }
            }
            t.flush.page(first_pgno as u32, pgno, good, page, f.check.dbtime);
            t.count(pgno, f);
        }
        let max_pgno = ctx.max_pgno;
        let mut acc = self.lock();
        acc.coverage.claim(start..stop)?;
        acc.tally.merge(t);
        if let Some(batch) = facts {
            acc.facts
                .get_or_insert_with(|| PageFactStore::new(max_pgno))
                .merge(batch);
        }
        Ok(())
    }

    /// Declares the bytes `range` zero without giving them (a hole of a sparse file): every
    /// whole data page inside counts as uninitialized, exactly as reading its zeros would count
    /// it; the pages it covers only in part are not covered and must be fed as bytes. Safe to
    /// call from several threads at once.
    pub fn hole(&self, range: Range<u64>) -> Result<(), FeedError> {
        if range.end > self.file_size {
            return Err(FeedError::PastEnd {
                start: range.start,
                end: range.end,
                file_size: self.file_size,
            });
        }
        let ps = self.page_size as u64;
        let data = self.data_range();
        let start = range.start.div_ceil(ps).saturating_mul(ps).max(data.start);
        let stop = (range.end / ps * ps).min(data.end);
        if start >= stop {
            return Ok(());
        }
        let mut acc = self.lock();
        acc.coverage.claim(start..stop)?;
        acc.tally.uninitialized += (stop - start) / ps;
        let pgno = |at: u64| u32::try_from(at / ps - 1).unwrap_or(u32::MAX);
        acc.tally.blank.range(pgno(start)..pgno(stop));
        if self.logical {
            let max_pgno = self.page_context().max_pgno;
            acc.facts
                .get_or_insert_with(|| PageFactStore::new(max_pgno))
                .blank(pgno(start)..pgno(stop));
        }
        Ok(())
    }

    /// The result, once every data page was fed or declared a hole: the counters, every problem
    /// in the order of the file scan (header, pages ascending, owned space), and the verdict.
    ///
    /// `Err` when some data page never reached the checker (could not check).
    pub fn finish(self) -> Result<DbCheck, CheckError> {
        self.finish_inner(None)
    }

    /// [`finish`](Self::finish), then the catalog, space and tree checks (issue 22 rules 5–11,
    /// CLI.md Decision 23), which read the catalog's and the space trees' pages again, and the
    /// pages of every tree, through `page(pgno)`: the bytes of data page `pgno` as in the file
    /// (`None` past its end). A page that failed its checksum is never trusted.
    pub fn finish_reading<'a>(self, page: &dyn Fn(u32) -> Option<&'a [u8]>) -> Result<DbCheck, CheckError> {
        self.finish_inner(Some(page))
    }

    fn finish_inner<'a>(self, read: Option<&dyn Fn(u32) -> Option<&'a [u8]>>) -> Result<DbCheck, CheckError> {
        let mut acc = self.acc.into_inner().unwrap_or_else(|e| e.into_inner());
        let acc_facts = acc.facts.take();
        let data = {
            let ps = self.page_size as u64;
            let end = self.file_size / ps * ps;
            (2 * ps).min(end)..end
        };
        if let Some(gap) = acc.coverage.first_gap(data) {
            return Err(never_fed(&self.path, gap));
        }
        let ctx = DbContext {
            path: &self.path,
            file_size: self.file_size,
            header: &self.header,
            page_size: self.page_size,
            temporary: self.temporary,
        };
        let mut tally = acc.tally;
        tally.blank.sort();
        tally.flush.sort();
        let mut problems = self.head.problems;
        // The catalog and space readers read a correctable page as the engine does: corrected
        // (Decision 12).
        let corrected: BTreeMap<u32, Vec<u8>> = match read {
            Some(raw) if self.logical => tally
                .findings
                .iter()
                .filter(|(_, c, _)| c.status == PageStatus::Correctable)
                .filter_map(|(pgno, c, _)| Some((*pgno, corrected_page(raw(*pgno)?, c)?)))
                .collect(),
            _ => BTreeMap::new(),
        };
        let found = page_problems(ctx.path, ctx.page_size, tally.findings);
        problems.extend(found.problems);
        let mut bad_pages = self.head.bad_pages;
        bad_pages.extend(found.bad_pages);
        bad_pages.sort_unstable();
        if !ctx.temporary {
            let shadowing_disabled = self
                .header
                .chosen()
                .is_some_and(|h| h.db_flags & DB_SHADOWING_DISABLED != 0);
            let headers: BTreeMap<u32, SpaceHeader> = tally.space_headers.into_iter().collect();
            let in_use = pages_in_use(shadowing_disabled, &headers);
            problems.extend(fixed_pages_blank(
                ctx.path,
                ctx.page_size,
                ctx.max_pgno(),
                &in_use,
                &tally.blank,
            ));
        }
        let owned = if ctx.temporary {
            None
        } else {
            let space: BTreeMap<u32, SpaceTreePage> = tally.space.into_iter().collect();
            owned_space(&space, ctx.data_pages())
        };
        problems.extend(owned.and_then(|o| owned_space_too_small(&ctx, o)));
        if let Some(o) = owned {
            owned_space_unreadable(&ctx, o, &mut problems, &bad_pages, &tally.blank);
        }
        let owned_pages = match owned {
            Some(OwnedSpace::LastPage(last)) => Some(last),
            _ => None,
        };
        if let Some(last) = owned_pages {
            mark_beyond_owned_space(&mut problems, last);
        }
        let max_pgno = ctx.max_pgno();
        let flush_map_used = self.flush_map.map(|(map_path, map)| {
            apply_flush_map(
                &mut problems,
                ctx.path,
                ctx.page_size,
                max_pgno,
                &tally.flush,
                &tally.blank,
                map,
            );
            map_path
        });
        let mut tables = None;
        if let (Some(raw), Some(header), true, false) = (read, self.header.chosen(), self.logical, ctx.temporary) {
            // A page known blank (read as zeros, or a hole never read) is zeros to the walk too.
            let zeros = vec![0u8; self.page_size];
            let blank = &tally.blank;
            let as_scanned = |pgno: u32| {
                if blank.contains(pgno) {
                    Some(&zeros[..])
                } else if let Some(page) = corrected.get(&pgno) {
                    Some(&page[..])
                } else {
                    raw(pgno)
                }
            };
            let verified = |pgno: u32| {
                if bad_pages.binary_search(&i64::from(pgno)).is_ok() {
                    None
                } else {
                    as_scanned(pgno)
                }
            };
            let input = super::logical::LogicalInput {
                path: ctx.path,
                header,
                last_pgno: ctx.max_pgno(),
            };
            let store = acc_facts.unwrap_or_default();
            let facts = |pgno: u32| store.facts(pgno);
            tables = super::logical::check_logical(&input, &verified, &as_scanned, &facts, &mut problems).tables;
        }
        problems.extend(no_whole_page(&ctx));
        Ok(DbCheck {
            path: self.path.as_str().into(),
            kind: FileKind::Database,
            verdict: Verdict::from_problems(&problems, false),
            page_size: self.page_size,
            page_size_detected: self.header.page_size.is_some(),
            pages_seen: ctx.pages_seen(),
            bad_checksums: self.head.bad + tally.bad,
            correctable_checksums: tally.correctable,
            uninitialized_pages: self.head.uninitialized + tally.uninitialized,
            wrong_page_numbers: tally.wrong_pgno,
            highest_dbtime: tally.highest_dbtime,
            highest_dbtime_page: tally.highest_dbtime_pgno.map(i64::from),
            owned_pages,
            bad_pages,
            correctable_pages: found.correctable_pages,
            state: self.header.chosen().map(|h| h.state_name()),
            temporary: self.temporary,
            flush_map_used: flush_map_used.map(|p| p.as_str().into()),
            tables,
            problems,
            header: self.header,
        })
    }
}

/// The page `page` with the bits its check found flipped set right, as the engine corrects a
/// correctable page (Decision 12); `None` when a bit lies outside it.
fn corrected_page(page: &[u8], c: &PageCheck) -> Option<Vec<u8>> {
    let mut page = page.to_vec();
    for &bit in &c.corrected_bits[..usize::from(c.corrected_len)] {
        let byte = page.get_mut((bit / 8) as usize)?;
        *byte ^= 1 << (bit % 8);
    }
    Some(page)
}

/// What the file-level rules read: the file, its size and its header copies.
struct DbContext<'a> {
    path: &'a str,
    file_size: u64,
    header: &'a ShadowedHeader,
    /// The page size the pages are read at ([`ShadowedHeader::read_size`]).
    page_size: usize,
    /// [`looks_temporary`] of the copy in use.
    temporary: bool,
}

impl DbContext<'_> {
    /// `floor(file size / page size)` (Decision 5).
    fn pages_seen(&self) -> u64 {
        self.file_size / self.page_size as u64
    }

    /// The data pages (after both header pages).
    fn data_pages(&self) -> u64 {
        self.pages_seen().saturating_sub(2)
    }

    fn max_pgno(&self) -> u32 {
        u32::try_from(self.data_pages()).unwrap_or(u32::MAX)
    }
}

// --- header rules, in the order `new` applies them ---------------------------------------------

/// CLI.md Decision 2: a file shorter than the smallest ESE header cannot be checked.
fn file_too_short(path: &str, file_size: u64) -> Result<(), CheckError> {
    if file_size < MIN_FILE_LEN as u64 {
        return Err(CheckError::new(
            path,
            format!("file is {file_size} bytes, shorter than the smallest ESE header (4096 bytes)"),
        ));
    }
    Ok(())
}

/// CLI.md Decision 1: a database has the magic at offset 4 of a header copy
/// ([`has_database_magic`]); without it the file is no database to check.
fn no_database_magic(path: &str, head: &[u8]) -> Result<(), CheckError> {
    if !has_database_magic(head) {
        return Err(CheckError::new(
            path,
            "not an ESE database (no magic 0x89ABCDEF at offset 4 of either header copy)",
        ));
    }
    Ok(())
}

/// CLI.md Decision 2: a header copy whose checksum verifies but whose `le_cbPageSize` is no size
/// ESE writes is a foreign or hostile header that cannot be checked.
fn unsupported_page_size(path: &str, header: &ShadowedHeader) -> Result<(), CheckError> {
    match (header.page_size, header.unsupported_page_size) {
        (None, Some(v)) => Err(CheckError::new(
            path,
            format!("header le_cbPageSize = {v} is not a page size ESE uses (2048, 4096, 8192, 16384, 32768)"),
        )),
        _ => Ok(()),
    }
}

/// CLI.md Decision 2 for a database checked alone (`checksum`, `header`): a `le_filetype` that is
/// no database's (0, 1, 5) or a `le_dbstate` outside 1-8 is a header value outside the sets ESE
/// writes — the file cannot be checked (exit 2). In a set it is the engine's refusal instead
/// ([`attach_refusal`], −1206).
pub fn state_or_type_never_written(h: &DbFileHeader, path: &str) -> Option<CheckError> {
    use crate::format::common::filetype;
    if !matches!(
        h.file_type,
        filetype::UNKNOWN | filetype::DATABASE | filetype::TEMP_DATABASE
    ) {
        return Some(CheckError::new(
            path,
            format!(
                "header le_filetype = {} is not a database (JET_errFileInvalidType, -1812)",
                h.file_type
            ),
        ));
    }
    if !(1..=8).contains(&h.db_state) {
        return Some(CheckError::new(
            path,
            format!(
                "header le_dbstate = {} is not a database state ESE writes (1-8)",
                h.db_state
            ),
        ));
    }
    None
}

/// Refuses header values outside the sets ESE uses (exit 2, CLI.md Decision 2), flags a valid
/// copy whose magic is wrong (−1209), and a header the engine refuses ([`refusal_problem`],
/// Decision 22). `in_set` (`verify`): an unknown state or file type is that refusal (−1206,
/// exit 1), not a value that cannot be checked.
fn header_values(h: &DbFileHeader, path: &str, in_set: bool) -> Result<Vec<Problem>, CheckError> {
    if !in_set {
        if let Some(e) = state_or_type_never_written(h, path) {
            return Err(e);
        }
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
                format!(
                    "header {name} = {} is outside the log generations ESE uses (0..=0x{MAX_GENERATION:X})",
                    Generation(g.into())
                ),
            ));
        }
    }
    let mut problems: Vec<Problem> = refusal_problem(h, path, in_set).into_iter().collect();
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
    Ok(problems)
}

/// CLI.md Decisions 4 and 5: with neither copy valid at any page size the database fails
/// (−1206), and its pages are read at the size a copy claims.
fn neither_header_copy_valid(ctx: &DbContext<'_>) -> Option<Problem> {
    let h = ctx.header;
    h.page_size.is_none().then(|| {
        Problem::error(
            Some(JetErr::DatabaseCorrupted),
            ctx.path,
            format!(
                "neither header copy is valid (primary: {}, shadow: {}); pages checked at the {}-byte page size the header claims",
                copy_words(&h.primary),
                copy_words(&h.shadow),
                ctx.page_size
            ),
        )
    })
}

/// The two header copies: the primary at offset 0 (page −1), the shadow one page later (page 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Copy {
    Primary,
    Shadow,
}

impl Copy {
    fn page(self) -> i64 {
        match self {
            Copy::Primary => -1,
            Copy::Shadow => 0,
        }
    }
}

/// How a header page counts in eseutil /K's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    /// All zero: an uninitialized page.
    Uninitialized,
    /// A bad checksum (and a bad page).
    Bad,
}

/// CLI.md Decision 4 (eseutil /K, `FChecksumFile`): a header copy that fails its checksum, or
/// that the file ends before, counts as a bad checksum at page −1 or 0 and fails the file (−1018:
/// the engine cannot fall back to it); an all-zero copy is an uninitialized page. `None` for a
/// valid copy.
fn header_copy(ctx: &DbContext<'_>, which: Copy) -> Option<(Counted, Option<Problem>)> {
    let (c, name, offset) = match which {
        Copy::Primary => (&ctx.header.primary, "primary header (page -1)", 0),
        Copy::Shadow => (&ctx.header.shadow, "shadow header (page 0)", ctx.page_size as u64),
    };
    match c.state {
        CopyState::Valid => None,
        CopyState::Zeroed => Some((Counted::Uninitialized, None)),
        CopyState::Missing | CopyState::BadChecksum | CopyState::PageSizeMismatch => {
            let message = if c.state == CopyState::Missing {
                format!("{name} is missing: the file ends before it (counted as a bad checksum)")
            } else {
                format!("{name} checksum failed: {}", copy_words(c))
            };
            let p = Problem::error(Some(JetErr::ReadVerifyFailure), ctx.path, message)
                .at_page(which.page())
                .at_offset(offset);
            Some((Counted::Bad, Some(p)))
        }
    }
}

/// ESE-FORMAT.md §2 and CLI.md Decision 5: both copies valid but different is a warning; the
/// primary is the one used.
fn header_copies_differ(ctx: &DbContext<'_>) -> Option<Problem> {
    let h = ctx.header;
    (h.primary.state == CopyState::Valid && h.shadow.state == CopyState::Valid && !h.identical).then(|| {
        Problem::warning(
            None,
            ctx.path,
            "primary and shadow headers are both valid but not identical; the primary is used",
        )
    })
}

/// CLI.md Decision 5: a file that ends with part of a page warns; the part is not checked.
fn trailing_partial_page(ctx: &DbContext<'_>) -> Option<Problem> {
    let rest = ctx.file_size % ctx.page_size as u64;
    (rest != 0).then(|| {
        let at = ctx.file_size - rest;
        Problem::warning(
            None,
            ctx.path,
            format!("file ends with a partial page of {rest} bytes at offset {at}; not checked"),
        )
        .at_offset(at)
    })
}

/// CLI.md Decision 7: a temporary database is checked like any other, with a note that the
/// engine does not maintain its page checksums.
fn temporary_database_note(ctx: &DbContext<'_>) -> Option<Problem> {
    ctx.temporary.then(|| {
        Problem::warning(
            None,
            ctx.path,
            "looks like a temporary database (file type 5, or JustCreated with no log signature): the engine does not maintain its page checksums",
        )
    })
}

// --- page rules, on every page fed ---------------------------------------------------------------

/// What the page rules found on one data page.
#[derive(Debug, Clone, Copy)]
struct PageFinding {
    check: PageCheck,
    /// Checked as eseutil's trailer page ([`is_trailer_page`]).
    trailer: bool,
    /// The facts of a page of the database's own space trees ([`space_tree_page`]).
    space: Option<SpaceTreePage>,
    /// The space header of a verifying catalog root, catalog index root or shadow root
    /// ([`fdp_space_header`]).
    space_header: Option<SpaceHeader>,
}

/// The page rules of one data page, in order.
fn check_page(ctx: &PageContext<'_>, pgno: u32, page: &[u8]) -> PageFinding {
    let trailer = is_trailer_page(ctx, pgno, page);
    let check = if trailer {
        trailer_checksum(page)
    } else {
        page_checksum(ctx, pgno, page)
    };
    let space = space_tree_page(ctx, pgno, page, &check, trailer);
    let space_header = fdp_space_header(pgno, page, &check, trailer);
    PageFinding {
        check,
        trailer,
        space,
        space_header,
    }
}

/// Issue 22 rule 2 (space.hxx `SPACE_HEADER`): the space header of page 4, 7, 10 or 24 when the
/// page verifies at its own number, kept for [`super::fixed_pages::pages_in_use`], which names
/// the space-tree roots it points at (the page may arrive before or after them).
fn fdp_space_header(pgno: u32, page: &[u8], check: &PageCheck, trailer: bool) -> Option<SpaceHeader> {
    if trailer || check.status != PageStatus::Good || !FDP_ROOTS.iter().any(|(p, _)| *p == pgno) {
        return None;
    }
    read_space_header(page)
}

/// ESE-FORMAT.md §3.6: the last page of the file may be an eseutil "trailer" page, dwords 1, 2, 3
/// and 6 zero, checked with the legacy XOR instead of the page checksum (`FChecksumFile`).
fn is_trailer_page(ctx: &PageContext<'_>, pgno: u32, page: &[u8]) -> bool {
    pgno == ctx.max_pgno
        && !is_all_zero(page)
        && crate::format::PageHeader::parse(page).is_ok_and(|h| h.is_trailer_shape())
}

/// ESE-FORMAT.md §3.6, §4.1: a trailer page verifies when its legacy XOR does.
fn trailer_checksum(page: &[u8]) -> PageCheck {
    let mut c = verify_page(page, 0, 0);
    let ok = stored_legacy_checksum(page) == legacy_checksum(page);
    c.status = if ok { PageStatus::Good } else { PageStatus::Bad };
    c.verifies_as = None;
    c.stored_pgno = None;
    c
}

/// ESE-FORMAT.md §3.4–§4.4 and CLI.md Decisions 4–6 (`ErrChecksumPage` as eseutil /K calls it):
/// all zero is uninitialized, else the page's checksums at its own page number — good,
/// correctable by one bit per block, or bad, possibly verifying at another page number up to
/// `max_pgno`.
fn page_checksum(ctx: &PageContext<'_>, pgno: u32, page: &[u8]) -> PageCheck {
    verify_page(page, pgno, ctx.max_pgno)
}

/// What the owned-space walk needs of a page of the database root's space trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SpaceTreePage {
    /// `fFlags`: root, leaf, parent.
    flags: u32,
    /// The page's last node, when it has one that reads.
    last: Option<LastNode>,
}

/// Key and data of the last node of a space-tree page, as u32s when they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LastNode {
    /// The key as a big-endian u32 (the last page of an extent).
    key: Option<u32>,
    /// The data as a little-endian u32 (a page count, or a child page).
    data: Option<u32>,
}

/// ESE-FORMAT.md §3.7: a page whose checksum verifies (good, at its own page number) and that
/// belongs to a space tree of the database root (`objidFDP` 1, `fPageSpaceTree`) is kept, as a
/// few words, for the owned-space walk ([`owned_space`]), which may need it after it was fed.
/// Two reads of the page header decide it for every other page.
fn space_tree_page(
    ctx: &PageContext<'_>,
    pgno: u32,
    page: &[u8],
    check: &PageCheck,
    trailer: bool,
) -> Option<SpaceTreePage> {
    let word = |at: usize| {
        page.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if word(24)? != OBJID_SYSTEM_ROOT || word(36)? & page_flags::SPACE_TREE == 0 {
        return None;
    }
    // The walk reads a page as a page, whatever the scan took it for.
    let good = if trailer {
        page_checksum(ctx, pgno, page).status
    } else {
        check.status
    };
    if good != PageStatus::Good {
        return None;
    }
    let t = TreePage::parse(page).ok()?;
    let last = t.last_node().ok().flatten().map(|n| LastNode {
        key: n.key_u32_be(),
        data: n.data_u32(),
    });
    Some(SpaceTreePage { flags: t.flags, last })
}

/// Counters and findings of the pages fed; merged across threads.
#[derive(Default)]
struct Tally {
    bad: u64,
    correctable: u64,
    uninitialized: u64,
    wrong_pgno: u64,
    highest_dbtime: u64,
    highest_dbtime_pgno: Option<u32>,
    findings: Vec<(u32, PageCheck, bool)>,
    space: Vec<(u32, SpaceTreePage)>,
    /// Blank pages, fed or in a hole (issue 22 rule 2).
    blank: BlankPages,
    /// Space headers of pages 4, 7, 10 and 24 (issue 22 rule 2).
    space_headers: Vec<(u32, SpaceHeader)>,
    /// Each page's own flush type (issue 22 rule 3).
    flush: FlushFacts,
}

impl Tally {
    /// eseutil /K's counters (ESE-FORMAT.md §5): a good page's `dbtimeDirtied` (not a
    /// trailer's) and a correctable page's count toward the highest dbtime; bad and correctable
    /// pages are listed.
    fn count(&mut self, pgno: u32, f: PageFinding) {
        if let Some(s) = f.space {
            self.space.push((pgno, s));
        }
        if let Some(h) = f.space_header {
            self.space_headers.push((pgno, h));
        }
        let c = f.check;
        match c.status {
            PageStatus::Good => {
                if !f.trailer {
                    self.note_dbtime(c.dbtime, pgno);
                }
            }
            PageStatus::Uninitialized => {
                self.uninitialized += 1;
                self.blank.page(pgno);
            }
            PageStatus::Correctable => {
                self.correctable += 1;
                self.note_dbtime(c.dbtime, pgno);
                self.findings.push((pgno, c, f.trailer));
            }
            PageStatus::Bad => {
                self.bad += 1;
                self.findings.push((pgno, c, f.trailer));
            }
            PageStatus::WrongPageNumber => {
                self.wrong_pgno += 1;
                self.findings.push((pgno, c, f.trailer));
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.bad += other.bad;
        self.correctable += other.correctable;
        self.uninitialized += other.uninitialized;
        self.wrong_pgno += other.wrong_pgno;
        if let Some(pgno) = other.highest_dbtime_pgno {
            self.note_dbtime(other.highest_dbtime, pgno);
        }
        self.findings.extend(other.findings);
        self.space.extend(other.space);
        self.blank.merge(other.blank);
        self.space_headers.extend(other.space_headers);
        self.flush.merge(other.flush);
    }

    /// The highest dbtime, the lowest page number among equals: the same whatever order the
    /// pages came in.
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

// --- file rules, at the end ----------------------------------------------------------------------

/// The damaged data pages, listed and described.
struct PageProblems {
    problems: Vec<Problem>,
    bad_pages: Vec<i64>,
    correctable_pages: Vec<i64>,
}

/// CLI.md Decision 18: the damaged pages in ascending order, every one in `bad_pages` or
/// `correctable_pages`, the first [`MAX_PAGE_PROBLEMS`] described one by one ([`page_problem`])
/// and the rest counted in one more problem.
fn page_problems(path: &str, page_size: usize, mut findings: Vec<(u32, PageCheck, bool)>) -> PageProblems {
    findings.sort_by_key(|f| f.0);
    let mut out = PageProblems {
        problems: Vec::new(),
        bad_pages: Vec::new(),
        correctable_pages: Vec::new(),
    };
    let mut described = 0usize;
    for (pgno, c, trailer) in &findings {
        let offset = (u64::from(*pgno) + 1) * page_size as u64;
        match c.status {
            PageStatus::Correctable => out.correctable_pages.push(i64::from(*pgno)),
            PageStatus::Bad | PageStatus::WrongPageNumber => out.bad_pages.push(i64::from(*pgno)),
            _ => continue,
        }
        if described < MAX_PAGE_PROBLEMS {
            out.problems.push(page_problem(path, *pgno, c, *trailer, offset));
        }
        described += 1;
    }
    if described > MAX_PAGE_PROBLEMS {
        out.problems.push(Problem::error(
            Some(JetErr::ReadVerifyFailure),
            path,
            format!(
                "{} more damaged pages not described one by one (see bad_pages and correctable_pages)",
                described - MAX_PAGE_PROBLEMS
            ),
        ));
    }
    out
}

/// One damaged page in words: a correctable page is a warning naming the bits (Decision 12); a
/// page whose checksum verifies but whose PGHDR2 names another page is −1118 naming the number
/// it stores ([`wrong_page_number`]); a bad one is −1018, with the page number it would verify
/// at as a hint when there is one (Decision 6).
fn page_problem(path: &str, pgno: u32, c: &PageCheck, trailer: bool, offset: u64) -> Problem {
    let what = if trailer { "trailer page" } else { "page" };
    let p = match c.status {
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
        }
        PageStatus::WrongPageNumber => wrong_page_number(path, pgno, c),
        _ => {
            let fmt = if c.new_format || c.stored.len == 4 {
                ""
            } else {
                " (old checksum format)"
            };
            let mut p = Problem::error(
                Some(JetErr::ReadVerifyFailure),
                path,
                format!(
                    "{what} {pgno} checksum mismatch{fmt} (stored {}, computed {}){}",
                    c.stored,
                    c.computed,
                    c.verifies_as.map(|n| verifies_as_hint(c, n)).unwrap_or_default()
                ),
            );
            p.verifies_as = c.verifies_as;
            p
        }
    };
    p.at_page(i64::from(pgno)).at_offset(offset)
}

/// CLI.md Decision 6, cpage.cxx:4340–4353 (`CPAGE::ErrValidatePage`): a large page whose
/// checksum verifies at its own place but whose PGHDR2 stores another page number is
/// `JET_errReadPgnoVerifyFailure` (−1118). It is counted in `wrong_page_numbers` and
/// `bad_pages`, never as a checksum mismatch (there is none), and names the stored number.
fn wrong_page_number(path: &str, pgno: u32, c: &PageCheck) -> Problem {
    let stored = c.stored_pgno.unwrap_or_default();
    let mut p = Problem::error(
        Some(JetErr::ReadPgnoVerifyFailure),
        path,
        format!(
            "stored page number {stored} at page {pgno}: its checksum verifies, but its page header (PGHDR2) names page {stored}"
        ),
    );
    p.stored_pgno = c.stored_pgno;
    p
}

/// The words of a [`PageCheck::verifies_as`] hint, as eseutil's page dump words it for small
/// pages ("ECC checksums match. perhaps this is actually page N?", checksumu.cxx:624): a hint,
/// since on a small page one changed byte can produce the same pattern.
fn verifies_as_hint(c: &PageCheck, n: u32) -> String {
    let why = if c.stored.len == 4 {
        "every block verifies there and its PGHDR2 page number says so"
    } else if c.new_format {
        "ECC checksums match"
    } else {
        "the XOR checksum matches and the page stores that number"
    };
    format!("; {why}: perhaps this is actually page {n}")
}

/// Where the owned-space tree of the database ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OwnedSpace {
    /// The last page of the last owned extent.
    LastPage(u32),
    /// A page of the tree itself lies beyond the end of the file.
    TreePageMissing(u32),
    /// A page of the tree cannot be read as the tree's page: `pgno`, reached at `depth` (0 for
    /// the root, page 2); `shape` says what is wrong with a verifying space-tree page of the
    /// database root, `None` when the page was not one ([`space_tree_page`] did not keep it).
    Unreadable {
        pgno: u32,
        depth: usize,
        shape: Option<&'static str>,
    },
}

/// Deepest owned-space tree followed; a real one has two or three levels.
const MAX_SPACE_TREE_DEPTH: usize = 8;

/// ESE-FORMAT.md §3.7 (`esentutl /g`'s space check): follows the database's owned-space tree from
/// its root (page 2) down its last nodes to the highest owned extent, over the space-tree pages
/// kept while the pages were fed ([`space_tree_page`]). Every page followed must have been kept
/// (verified, a space-tree page of the database root), be the root at the top and only there,
/// and be a leaf or a parent; anything else is [`OwnedSpace::Unreadable`] at that page. `None`
/// only for a file of more pages than a page number counts, or a tree deeper than any real one.
fn owned_space(space: &BTreeMap<u32, SpaceTreePage>, data_pages: u64) -> Option<OwnedSpace> {
    let data_pages = u32::try_from(data_pages).ok()?;
    let mut pgno = PGNO_DB_OWNED_SPACE;
    for depth in 0..MAX_SPACE_TREE_DEPTH {
        let unreadable = |shape| Some(OwnedSpace::Unreadable { pgno, depth, shape });
        if pgno > data_pages {
            return Some(OwnedSpace::TreePageMissing(pgno));
        }
        let Some(t) = space.get(&pgno) else {
            return unreadable(None);
        };
        if (depth == 0) != (t.flags & page_flags::ROOT != 0) {
            return unreadable(Some(if depth == 0 {
                "it is not flagged as the root of its tree"
            } else {
                "it is flagged as a root below the top of the tree"
            }));
        }
        let Some(last) = t.last else {
            return unreadable(Some("its last node cannot be read"));
        };
        if t.flags & page_flags::LEAF != 0 {
            // An extent of `count` pages ending at `end`: 1 ≤ count ≤ end.
            return match (last.key, last.data) {
                (Some(end), Some(count)) if (1..=end).contains(&count) => Some(OwnedSpace::LastPage(end)),
                _ => unreadable(Some(
                    "its last node is not an extent (a 4-byte last page, a page count from 1 up to it)",
                )),
            };
        }
        if t.flags & page_flags::PARENT == 0 {
            return unreadable(Some("it is neither a leaf nor a parent page"));
        }
        match last.data {
            Some(child) if child > PGNO_DB_OWNED_SPACE && child != pgno => pgno = child,
            _ => return unreadable(Some("its last node does not name a child page")),
        }
    }
    None
}

/// `esentutl /g`'s "Database file is too small (expected N pages, file is M pages)"
/// (repair.cxx:1565–1570, `ErrDBUTLRepair`: the physical size below the last page of the owned
/// extents marks the global space tree corrupt), as an error: −1206, whatever the database's
/// state. ESE extends the file before it records a new extent in the owned-space tree
/// (space.cxx:12024, `ErrSPIExtendDB` resizes with `ErrSPINewSize` and only then returns the
/// extent its caller inserts), so no clean or dirty database is shorter than the space it owns:
/// such a file is an incomplete copy, whose last pages no page checksum can miss (ESE-FORMAT.md
/// §2: the header holds no page count; §3.7). A page of the tree itself beyond the end of the
/// file is the same: the tree names it as owned.
fn owned_space_too_small(ctx: &DbContext<'_>, owned: OwnedSpace) -> Option<Problem> {
    let data_pages = ctx.data_pages();
    let too_small = |message: String| Problem::error(Some(JetErr::DatabaseCorrupted), ctx.path, message);
    match owned {
        OwnedSpace::LastPage(last) if u64::from(last) > data_pages => Some(too_small(format!(
            "database file is too small (expected {last} pages, file is {data_pages} pages): the database owns pages 1-{last} (owned-space tree, page 2) but the file ends after page {data_pages}; pages {}-{last} are missing (an incomplete copy?)",
            data_pages + 1
        ))),
        OwnedSpace::LastPage(_) | OwnedSpace::Unreadable { .. } => None,
        OwnedSpace::TreePageMissing(pgno) => Some(too_small(format!(
            "database file is too small: page {pgno} of the owned-space tree lies beyond the end of the file, which ends after page {data_pages} (an incomplete copy?)"
        ))),
    }
}

/// Issue 22 rule 1, second half: when the owned-space walk stops at a page it cannot read, say
/// so for that page, one problem: a page already described as bad (−1018, −1118) or blank
/// (−1019, rule 2) gets the words added to its problem; a blank one not yet described is −1019
/// `JET_errPageNotInitialized`; a page that verifies but is not the space-tree page of the
/// database root it must be (repair.cxx's owned-space checks, `ErrREPAIRCheckSPLV`; jethdr.w:6062
/// "OwnExt space tree is corrupt") is −343 `JET_errSPOwnExtCorrupted`. A page beyond the end of
/// the file is [`owned_space_too_small`]'s −1206.
fn owned_space_unreadable(
    ctx: &DbContext<'_>,
    owned: OwnedSpace,
    problems: &mut Vec<Problem>,
    bad_pages: &[i64],
    blank: &BlankPages,
) {
    let OwnedSpace::Unreadable { pgno, depth, shape } = owned else {
        return;
    };
    let role = if depth == 0 {
        "the root of the database's owned-space tree".to_string()
    } else {
        format!("page {pgno} of the database's owned-space tree (level {depth} below page 2)")
    };
    let note = format!("; it is {role}, so the space the database owns cannot be read");
    let described = problems.iter_mut().find(|p| {
        p.page == Some(i64::from(pgno))
            && matches!(
                p.code,
                Some(JetErr::ReadVerifyFailure | JetErr::ReadPgnoVerifyFailure | JetErr::PageNotInitialized)
            )
    });
    if let Some(p) = described {
        p.message.push_str(&note);
        return;
    }
    let at = |p: Problem| {
        p.at_page(i64::from(pgno))
            .at_offset((u64::from(pgno) + 1) * ctx.page_size as u64)
    };
    if shape.is_none() && bad_pages.contains(&i64::from(pgno)) {
        // Bad, but past MAX_PAGE_PROBLEMS: counted, not described; it gets no second problem.
        return;
    }
    if shape.is_none() && blank.contains(pgno) {
        problems.push(at(Problem::error(
            Some(JetErr::PageNotInitialized),
            ctx.path,
            format!("page {pgno} is blank (all zero) but is {role}, so the space the database owns cannot be read"),
        )));
        return;
    }
    let why =
        shape.unwrap_or("it verifies but is not a space-tree page of the database root (objidFDP 1, space-tree flag)");
    problems.push(at(Problem::error(
        Some(JetErr::SPOwnExtCorrupted),
        ctx.path,
        format!(
            "the owned-space tree is corrupt at page {pgno}, {role}: {why}; the space the database owns cannot be read"
        ),
    )));
}

/// ESE-FORMAT.md §3.7: eseutil /K checks every page of the file, owned or not, and so does the
/// verdict; each data-page problem says whether the page lies beyond the owned space, which
/// ends at `owned`, so an examiner knows the damage is where the database keeps no data.
fn mark_beyond_owned_space(problems: &mut [Problem], owned: u32) {
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

/// CLI.md Decision 5: a file with no whole page at the page size read holds no database.
fn no_whole_page(ctx: &DbContext<'_>) -> Option<Problem> {
    (ctx.pages_seen() == 0)
        .then(|| Problem::error(Some(JetErr::DatabaseCorrupted), ctx.path, "no whole page in the file"))
}

// --- the engine's view of a header -------------------------------------------------------------

/// Why the engine will not bring a database into use from its header, with the ESE error it
/// returns (CLI.md Decision 22). db.cxx `ErrDBReadHeaderCheckConsistency` attaches only a
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

/// CLI.md Decision 7: a temporary database is one in which nothing belongs to a logged database:
/// file type 5 or state JustCreated, **and** an all-zero log signature, Log Required 0-0 and Log
/// Committed 0. Anything else with database magic is a database of the set (a dirty, logged
/// database whose file type says "temporary" is still checked).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Signature;
    use crate::testkit::damage::{break_header_copy, flip_page_bit, page_mut, swap_pages};
    use crate::testkit::DbBuilder;

    fn hdr(b: DbBuilder) -> DbFileHeader {
        DbFileHeader::parse(&b.header()).unwrap()
    }

    fn checker(file: &[u8], in_set: bool) -> Result<DatabaseChecker<'static>, CheckError> {
        let size = file.len() as u64;
        DatabaseChecker::new("t.edb", size, &file[..DatabaseChecker::head_len(size)], in_set)
    }

    /// The whole file fed in one buffer.
    fn check(file: &[u8]) -> DbCheck {
        let c = checker(file, false).unwrap();
        c.feed(0, file).unwrap();
        c.finish().unwrap()
    }

    fn json(c: &DbCheck) -> String {
        serde_json::to_string(c).unwrap()
    }

    fn ctx_of<'a>(path: &'a str, size: u64, header: &'a ShadowedHeader) -> DbContext<'a> {
        DbContext {
            path,
            file_size: size,
            header,
            page_size: header.read_size,
            temporary: false,
        }
    }

    #[test]
    fn the_engine_attaches_clean_and_recovers_dirty_databases_only() {
        // Decision 22, db.cxx ErrDBReadHeaderCheckConsistency and logredo.cxx's redo of an
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
    }

    #[test]
    fn temporary_means_nothing_in_it_belongs_to_a_logged_database() {
        // CLI.md Decision 7.
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
        // The note says so.
        let h = read_shadowed_header(&temp().build());
        let mut ctx = ctx_of("t.edb", 8192 * 4, &h);
        assert!(temporary_database_note(&ctx).is_none());
        ctx.temporary = true;
        assert!(temporary_database_note(&ctx)
            .unwrap()
            .message
            .contains("temporary database"));
    }

    #[test]
    fn a_file_shorter_than_a_header_or_without_magic_cannot_be_checked() {
        assert!(file_too_short("t.edb", 4095)
            .unwrap_err()
            .message
            .contains("4095 bytes"));
        assert!(file_too_short("t.edb", 4096).is_ok());
        assert!(no_database_magic("t.edb", &[0u8; 8192]).is_err());
        assert!(no_database_magic("t.edb", &DbBuilder::new(4096).build()).is_ok());
        // The checker refuses a head of the wrong length rather than read a copy that is there
        // as missing.
        let file = DbBuilder::new(4096).pages(20).build();
        assert!(DatabaseChecker::new("t.edb", file.len() as u64, &file[..4096], false).is_err());
    }

    #[test]
    fn a_verifying_header_with_a_foreign_page_size_cannot_be_checked() {
        let file = DbBuilder::new(4096).page_size_field(3000).build();
        let e = checker(&file, false).err().unwrap();
        assert!(e.message.contains("le_cbPageSize = 3000"), "{}", e.message);
    }

    #[test]
    fn header_values_outside_the_sets_ese_uses_are_exit_2_alone_and_refusals_in_a_set() {
        let h = hdr(DbBuilder::new(4096).state(9));
        assert!(header_values(&h, "t.edb", false).is_err());
        let p = header_values(&h, "t.edb", true).unwrap();
        assert_eq!(p[0].code, Some(JetErr::DatabaseCorrupted));
        let h = hdr(DbBuilder::new(4096).log_required(-1, 3));
        assert!(header_values(&h, "t.edb", true)
            .unwrap_err()
            .message
            .contains("le_lGenMinRequired"));
        let h = hdr(DbBuilder::new(4096).format_version(0x623, 20, 0));
        assert!(header_values(&h, "t.edb", false).unwrap_err().message.contains("0x623"));
        assert!(header_values(&hdr(DbBuilder::new(4096)), "t.edb", false)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_bad_header_copy_is_a_bad_checksum_at_page_minus_1_or_0_and_a_zero_one_uninitialized() {
        let mut file = DbBuilder::new(4096).pages(4).build();
        break_header_copy(&mut file, 4096, false);
        let h = read_shadowed_header(&file);
        let ctx = ctx_of("t.edb", file.len() as u64, &h);
        assert_eq!(header_copy(&ctx, Copy::Primary), None);
        let (counted, p) = header_copy(&ctx, Copy::Shadow).unwrap();
        let p = p.unwrap();
        assert_eq!((counted, p.page, p.offset), (Counted::Bad, Some(0), Some(4096)));
        assert!(
            p.message.starts_with("shadow header (page 0) checksum failed"),
            "{}",
            p.message
        );
        file[4096..8192].fill(0);
        let h = read_shadowed_header(&file);
        let ctx = ctx_of("t.edb", file.len() as u64, &h);
        assert_eq!(header_copy(&ctx, Copy::Shadow), Some((Counted::Uninitialized, None)));
        // A copy the file ends before (Decision 4).
        let h = read_shadowed_header(&file[..4096]);
        let ctx = ctx_of("t.edb", 4096, &h);
        let (counted, p) = header_copy(&ctx, Copy::Shadow).unwrap();
        assert_eq!(counted, Counted::Bad);
        assert!(p.unwrap().message.contains("missing"));
    }

    #[test]
    fn neither_copy_valid_fails_and_names_the_size_read() {
        let mut file = DbBuilder::new(8192).pages(4).build();
        break_header_copy(&mut file, 8192, true);
        break_header_copy(&mut file, 8192, false);
        let h = read_shadowed_header(&file);
        let ctx = ctx_of("t.edb", file.len() as u64, &h);
        let p = neither_header_copy_valid(&ctx).unwrap();
        assert_eq!(p.code, Some(JetErr::DatabaseCorrupted));
        assert!(p.message.contains("8192-byte page size"), "{}", p.message);
        let h = read_shadowed_header(&DbBuilder::new(8192).build());
        assert!(neither_header_copy_valid(&ctx_of("t.edb", 8192 * 4, &h)).is_none());
    }

    #[test]
    fn header_copies_that_both_verify_but_differ_warn() {
        let mut file = DbBuilder::new(4096).pages(2).build();
        file[4096 + 2000] = 1;
        crate::testkit::db::seal_db_header(&mut file[4096..8192]);
        let h = read_shadowed_header(&file);
        let p = header_copies_differ(&ctx_of("t.edb", file.len() as u64, &h)).unwrap();
        assert!(!p.is_error());
        let h = read_shadowed_header(&DbBuilder::new(4096).pages(2).build());
        assert!(header_copies_differ(&ctx_of("t.edb", 4096 * 4, &h)).is_none());
    }

    #[test]
    fn a_trailing_partial_page_warns_at_its_offset_and_no_whole_page_fails() {
        let h = read_shadowed_header(&DbBuilder::new(4096).build());
        let p = trailing_partial_page(&ctx_of("t.edb", 3 * 4096 + 10, &h)).unwrap();
        assert_eq!(p.offset, Some(3 * 4096));
        assert!(p.message.contains("partial page of 10 bytes"));
        assert!(trailing_partial_page(&ctx_of("t.edb", 3 * 4096, &h)).is_none());
        assert!(no_whole_page(&ctx_of("t.edb", 4095, &h)).is_some());
        assert!(no_whole_page(&ctx_of("t.edb", 4096, &h)).is_none());
    }

    fn page_ctx(max_pgno: u32) -> PageContext<'static> {
        PageContext {
            page_size: 4096,
            max_pgno,
            header: None,
        }
    }

    #[test]
    fn only_the_last_page_can_be_a_trailer_and_it_verifies_with_the_legacy_xor() {
        // ESE-FORMAT §3.6: dwords 1, 2, 3 and 6 zero, the legacy XOR in dword 0.
        let mut page = vec![0u8; 4096];
        page[100] = 7;
        let ck = legacy_checksum(&page);
        page[..4].copy_from_slice(&ck.to_le_bytes());
        assert!(is_trailer_page(&page_ctx(9), 9, &page));
        assert!(!is_trailer_page(&page_ctx(9), 8, &page));
        assert!(!is_trailer_page(&page_ctx(9), 9, &[0u8; 4096]));
        assert_eq!(trailer_checksum(&page).status, PageStatus::Good);
        page[101] = 1;
        assert_eq!(trailer_checksum(&page).status, PageStatus::Bad);
    }

    #[test]
    fn a_page_verifies_at_its_own_number_or_hints_at_the_one_it_holds() {
        let b = DbBuilder::new(4096).pages(10);
        let page = b.page(4);
        assert_eq!(page_checksum(&page_ctx(10), 4, &page).status, PageStatus::Good);
        let c = page_checksum(&page_ctx(10), 5, &page);
        assert_eq!((c.status, c.verifies_as), (PageStatus::Bad, Some(4)));
        assert_eq!(
            page_checksum(&page_ctx(10), 5, &[0u8; 4096]).status,
            PageStatus::Uninitialized
        );
    }

    #[test]
    fn only_verified_pages_of_the_root_space_trees_are_kept_for_the_owned_space_walk() {
        let b = DbBuilder::new(4096).pages(30).owned_pages(30);
        let ctx = page_ctx(30);
        let root = b.page(2);
        let c = page_checksum(&ctx, 2, &root);
        let kept = space_tree_page(&ctx, 2, &root, &c, false).unwrap();
        assert_ne!(kept.flags & page_flags::ROOT, 0);
        assert!(kept.last.is_some());
        // An ordinary page, and the root page once damaged, are not kept.
        let plain = b.page(9);
        assert!(space_tree_page(&ctx, 9, &plain, &page_checksum(&ctx, 9, &plain), false).is_none());
        let mut bad = root.clone();
        bad[500] ^= 0xFF;
        assert!(space_tree_page(&ctx, 2, &bad, &page_checksum(&ctx, 2, &bad), false).is_none());
    }

    fn leaf(last: u32, count: u32) -> SpaceTreePage {
        SpaceTreePage {
            flags: page_flags::LEAF,
            last: Some(LastNode {
                key: Some(last),
                data: Some(count),
            }),
        }
    }

    #[test]
    fn the_owned_space_walk_follows_last_nodes_from_page_2() {
        let root_leaf = SpaceTreePage {
            flags: page_flags::ROOT | page_flags::LEAF,
            ..leaf(40, 8)
        };
        let one: BTreeMap<u32, SpaceTreePage> = [(2, root_leaf)].into();
        assert_eq!(owned_space(&one, 50), Some(OwnedSpace::LastPage(40)));
        // Page 2 beyond the file, or not kept (damaged, not a space-tree page).
        assert_eq!(owned_space(&one, 1), Some(OwnedSpace::TreePageMissing(2)));
        let unreadable = |pgno, depth, shape| Some(OwnedSpace::Unreadable { pgno, depth, shape });
        assert_eq!(owned_space(&BTreeMap::new(), 50), unreadable(2, 0, None));
        // A root parent whose last child is page 20, a leaf ending at 90.
        let parent = SpaceTreePage {
            flags: page_flags::ROOT | page_flags::PARENT,
            last: Some(LastNode {
                key: None,
                data: Some(20),
            }),
        };
        let two: BTreeMap<u32, SpaceTreePage> = [(2, parent), (20, leaf(90, 10))].into();
        assert_eq!(owned_space(&two, 100), Some(OwnedSpace::LastPage(90)));
        assert_eq!(owned_space(&two, 19), Some(OwnedSpace::TreePageMissing(20)));
        // A child not kept, a root flag below the top or missing at it, a count of 0 or above
        // the last page: unreadable at that page, saying why.
        assert_eq!(owned_space(&[(2, parent)].into(), 100), unreadable(20, 1, None));
        let three: BTreeMap<u32, SpaceTreePage> = [(2, parent), (20, root_leaf)].into();
        let below = "it is flagged as a root below the top of the tree";
        assert_eq!(owned_space(&three, 100), unreadable(20, 1, Some(below)));
        let not_root: BTreeMap<u32, SpaceTreePage> = [(2, leaf(40, 8))].into();
        let top = "it is not flagged as the root of its tree";
        assert_eq!(owned_space(&not_root, 100), unreadable(2, 0, Some(top)));
        let extent = "its last node is not an extent (a 4-byte last page, a page count from 1 up to it)";
        let four: BTreeMap<u32, SpaceTreePage> = [(2, parent), (20, leaf(90, 0))].into();
        assert_eq!(owned_space(&four, 100), unreadable(20, 1, Some(extent)));
        let five: BTreeMap<u32, SpaceTreePage> = [(2, parent), (20, leaf(9, 10))].into();
        assert_eq!(owned_space(&five, 100), unreadable(20, 1, Some(extent)));
    }

    #[test]
    fn owned_space_beyond_the_file_fails_1206_and_marks_pages_beyond_it() {
        let h = read_shadowed_header(&DbBuilder::new(4096).build());
        let ctx = ctx_of("t.edb", 12 * 4096, &h);
        let p = owned_space_too_small(&ctx, OwnedSpace::LastPage(40)).unwrap();
        assert_eq!((p.is_error(), p.code), (true, Some(JetErr::DatabaseCorrupted)));
        assert!(
            p.message
                .starts_with("database file is too small (expected 40 pages, file is 10 pages)"),
            "{}",
            p.message
        );
        assert!(p.message.contains("pages 11-40 are missing"), "{}", p.message);
        assert!(owned_space_too_small(&ctx, OwnedSpace::LastPage(10)).is_none());
        let p = owned_space_too_small(&ctx, OwnedSpace::TreePageMissing(12)).unwrap();
        assert_eq!((p.is_error(), p.code), (true, Some(JetErr::DatabaseCorrupted)));
        assert!(p.message.contains("page 12 of the owned-space tree"), "{}", p.message);
        let mut problems = vec![
            Problem::error(None, "t.edb", "p3").at_page(3),
            Problem::error(None, "t.edb", "p9").at_page(9),
            Problem::error(None, "t.edb", "shadow").at_page(0),
        ];
        mark_beyond_owned_space(&mut problems, 5);
        assert_eq!(problems[0].beyond_owned_space, Some(false));
        assert_eq!(problems[1].beyond_owned_space, Some(true));
        assert!(problems[1].message.contains("ends at page 5"));
        assert_eq!(problems[2].beyond_owned_space, None);
    }

    #[test]
    fn a_wrong_page_number_counts_apart_from_bad_checksums_and_names_the_stored_number() {
        // A 16 KiB page sealed at page 13 (a catalog leaf of the testkit's layout) whose PGHDR2 (@64) says 4: cpage.cxx:4340–4353.
        let mut page = DbBuilder::new(16384).pages(20).page(13);
        page[64..68].copy_from_slice(&4u32.to_le_bytes());
        crate::testkit::db::seal_page(&mut page, 13);
        let c = page_checksum(&page_ctx(20), 13, &page);
        assert_eq!((c.status, c.stored_pgno), (PageStatus::WrongPageNumber, Some(4)));
        let mut t = Tally::default();
        t.count(
            13,
            PageFinding {
                check: c,
                trailer: false,
                space: None,
                space_header: None,
            },
        );
        assert_eq!((t.bad, t.wrong_pgno, t.findings.len()), (0, 1, 1));
        let out = page_problems("t.edb", 16384, t.findings);
        assert_eq!(out.bad_pages, vec![13]);
        let p = &out.problems[0];
        assert_eq!(
            (p.code, p.stored_pgno, p.verifies_as, p.page),
            (Some(JetErr::ReadPgnoVerifyFailure), Some(4), None, Some(13))
        );
        assert_eq!(
            p.message,
            "stored page number 4 at page 13: its checksum verifies, but its page header (PGHDR2) names page 4"
        );
    }

    #[test]
    fn a_bad_checksum_that_would_verify_elsewhere_is_a_bad_checksum_with_a_hint() {
        let page = DbBuilder::new(4096).pages(10).page(4);
        let c = page_checksum(&page_ctx(10), 7, &page);
        let mut t = Tally::default();
        t.count(
            7,
            PageFinding {
                check: c,
                trailer: false,
                space: None,
                space_header: None,
            },
        );
        assert_eq!((t.bad, t.wrong_pgno), (1, 0));
        let p = page_problem("t.edb", 7, &c, false, 9 * 4096);
        assert_eq!(
            (p.code, p.verifies_as, p.stored_pgno),
            (Some(JetErr::ReadVerifyFailure), Some(4), None)
        );
        assert!(
            p.message
                .ends_with("; ECC checksums match: perhaps this is actually page 4"),
            "{}",
            p.message
        );
    }

    #[test]
    fn damaged_pages_are_listed_ascending_and_described_up_to_the_cap() {
        let bad = PageCheck {
            status: PageStatus::Bad,
            ..verify_page(&[0u8; 4096], 1, 1)
        };
        let many: Vec<(u32, PageCheck, bool)> = (0..MAX_PAGE_PROBLEMS as u32 + 5)
            .rev()
            .map(|p| (p + 1, bad, false))
            .collect();
        let out = page_problems("t.edb", 4096, many);
        assert_eq!(out.bad_pages.len(), MAX_PAGE_PROBLEMS + 5);
        assert!(out.bad_pages.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(out.problems.len(), MAX_PAGE_PROBLEMS + 1);
        assert!(out.problems[MAX_PAGE_PROBLEMS]
            .message
            .starts_with("5 more damaged pages"));
        assert_eq!(out.problems[0].offset, Some(2 * 4096));
    }

    #[test]
    fn the_highest_dbtime_is_the_same_whatever_the_order_pages_come_in() {
        let mut a = Tally::default();
        a.note_dbtime(7, 9);
        a.note_dbtime(7, 3);
        a.note_dbtime(5, 1);
        let mut b = Tally::default();
        b.note_dbtime(5, 1);
        b.note_dbtime(7, 3);
        b.note_dbtime(7, 9);
        assert_eq!((a.highest_dbtime, a.highest_dbtime_pgno), (7, Some(3)));
        assert_eq!((b.highest_dbtime, b.highest_dbtime_pgno), (7, Some(3)));
    }

    /// A database with damage of every kind the page rules know: a bit flip, a swapped pair
    /// (wrong page numbers), a zeroed page, a broken shadow header and a trailing partial page.
    fn damaged(ps: usize) -> Vec<u8> {
        let mut f = DbBuilder::new(ps).pages(300).owned_pages(280).build();
        flip_page_bit(&mut f, ps, 17, 8 * 200 + 3);
        swap_pages(&mut f, ps, 40, 41);
        page_mut(&mut f, ps, 90).fill(0);
        page_mut(&mut f, ps, 123)[77] ^= 0xFF;
        break_header_copy(&mut f, ps, false);
        f.extend_from_slice(&[1u8; 100]);
        f
    }

    #[test]
    fn pages_fed_reversed_or_in_random_buffers_from_threads_give_the_one_buffer_result() {
        for ps in [4096, 32768] {
            let file = damaged(ps);
            let whole = json(&check(&file));
            // One page at a time, last page first.
            let c = checker(&file, false).unwrap();
            let n = file.len() / ps;
            for p in (0..n).rev() {
                c.feed((p * ps) as u64, &file[p * ps..(p + 1) * ps]).unwrap();
            }
            c.feed((n * ps) as u64, &file[n * ps..]).unwrap();
            assert_eq!(json(&c.finish().unwrap()), whole, "{ps}: reversed");
            // Buffers of 1-9 pages, fed from four threads in a scrambled order.
            let mut bufs = Vec::new();
            let (mut at, mut seed) = (0usize, 12345u64);
            while at < file.len() {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let len = ((seed >> 33) as usize % 9 + 1) * ps;
                let end = (at + len).min(file.len());
                bufs.push(at..end);
                at = end;
            }
            bufs.sort_by_key(|r| (r.start * 7919) % 1009);
            let c = checker(&file, false).unwrap();
            std::thread::scope(|s| {
                for part in bufs.chunks(bufs.len().div_ceil(4)) {
                    let (c, file) = (&c, &file);
                    s.spawn(move || {
                        for r in part {
                            c.feed(r.start as u64, &file[r.clone()]).unwrap();
                        }
                    });
                }
            });
            assert_eq!(json(&c.finish().unwrap()), whole, "{ps}: random buffers");
        }
    }

    #[test]
    fn a_page_fed_twice_is_refused_and_a_page_never_fed_cannot_be_checked() {
        let file = damaged(4096);
        let whole = json(&check(&file));
        let c = checker(&file, false).unwrap();
        c.feed(0, &file[..20 * 4096]).unwrap();
        let again = c.feed(10 * 4096, &file[10 * 4096..30 * 4096]);
        assert_eq!(
            again,
            Err(FeedError::AlreadyFed {
                start: 10 * 4096,
                end: 30 * 4096
            })
        );
        assert!(matches!(
            c.hole(15 * 4096..16 * 4096),
            Err(FeedError::AlreadyFed { .. })
        ));
        c.feed(20 * 4096, &file[20 * 4096..]).unwrap();
        assert_eq!(json(&c.finish().unwrap()), whole);
        // Never fed: pages 5-6 (bytes 24576..32768).
        let c = checker(&file, false).unwrap();
        c.feed(0, &file[..6 * 4096]).unwrap();
        c.feed(8 * 4096, &file[8 * 4096..]).unwrap();
        let e = c.finish().err().unwrap();
        assert!(
            e.message.starts_with("bytes 24576..32768 of the file were never given"),
            "{}",
            e.message
        );
        // Misfed buffers change nothing.
        let c = checker(&file, false).unwrap();
        assert!(matches!(
            c.feed(100, &file[100..4196]),
            Err(FeedError::Unaligned { .. })
        ));
        assert!(matches!(
            c.feed(4096, &file[4096..4096 + 10]),
            Err(FeedError::Unaligned { .. })
        ));
        assert!(matches!(c.feed(4096, &file), Err(FeedError::PastEnd { .. })));
        c.feed(0, &file).unwrap();
        assert_eq!(json(&c.finish().unwrap()), whole);
    }

    #[test]
    fn a_hole_counts_its_whole_pages_as_uninitialized_without_bytes() {
        let mut b = DbBuilder::new(4096).pages(40);
        for p in 10..=20 {
            b = b.uninitialized(p);
        }
        let file = b.build();
        let whole = json(&check(&file));
        let c = checker(&file, false).unwrap();
        // Pages 10-20 lie at 11..22 × 4096; the hole reaches into pages 9 and 21, which are fed.
        c.hole(11 * 4096 - 100..22 * 4096 + 100).unwrap();
        c.feed(0, &file[..11 * 4096]).unwrap();
        c.feed(22 * 4096, &file[22 * 4096..]).unwrap();
        let got = c.finish().unwrap();
        assert_eq!(json(&got), whole);
        // The hole's 11 pages, and the 5 free pages of the default database below page 40
        // (21-23 of the catalog, 29-30 of the root: testkit::minimal).
        assert_eq!(got.uninitialized_pages, 11 + 5);
        // Page 10 (the catalog's RootObjects index, never moved) lies in the hole: declared, not
        // fed, it is blank all the same (issue 22 rule 2); its space trees (11, 12) cannot be
        // named once the page that names them is blank.
        let blank: Vec<_> = got
            .problems
            .iter()
            .filter(|p| p.code == Some(JetErr::PageNotInitialized))
            .map(|p| p.page)
            .collect();
        assert_eq!(blank, [Some(10)]);
    }
}
