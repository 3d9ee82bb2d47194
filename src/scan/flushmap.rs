//! Flush maps (`.jfm`, ESE-FORMAT.md §8; CLI.md Decision 8): the file scan that feeds the
//! [`FlushMapChecker`] of the scan core, where the rules live
//! (`crate::scan::core::flushmap`): 4 MiB chunks in parallel, holes declared unread, each chunk
//! hashed for a manifest and released once checked. Works on bytes the caller mapped; opens
//! nothing.

use crate::error::CheckError;
use crate::problem::Problem;
use crate::scan::core::flushmap::{header_page, FlushMapChecker};
use crate::scan::core::FeedError;
use crate::verdict::Verdict;

pub(crate) use crate::scan::core::flushmap::{FlushMapCheck, FlushMapHeaderCheck, FM_PAGE};

/// Checks the header page (file page 0) of a flush map held in `bytes` (the whole file, or at
/// least its first 8192 bytes when it has them). Every finding is a warning: the caller decides
/// what a bad header means (`checksum`: a warning, Decision 8; `header`: a failure, as /MH fails
/// a database whose header is unusable).
pub(crate) fn check_flush_map_header(bytes: &[u8], path: &str) -> FlushMapHeaderCheck {
    header_page(path, &bytes[..bytes.len().min(FM_PAGE)], bytes.len() as u64)
}

/// `<dir>/<stem>.jfm` of the database `db_path`, its name compared without case
/// (flushmap.cxx `ErrGetFmPathFromDbPath`: the database's folder and name without its extension,
/// then `.jfm`); `None` when there is none.
pub(crate) fn flush_map_beside(db_path: &std::path::Path) -> Option<std::path::PathBuf> {
    let stem = db_path.file_stem()?.to_str()?;
    let want = format!("{stem}.jfm");
    let dir = match db_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::read_dir(&dir).ok()?.flatten().find_map(|e| {
        let name = e.file_name();
        let is_file = e.file_type().is_ok_and(|t| t.is_file());
        (is_file && name.to_str().is_some_and(|n| n.eq_ignore_ascii_case(&want))).then(|| e.path())
    })
}

/// Issue 22 rule 3 for the database `check` read from `db_path`: the flush map beside it
/// ([`flush_map_beside`]), opened, stamped and re-checked like any input, compared with the
/// pages when the engine would use it
/// ([`persisted_flush_map`](crate::scan::core::lost_flush::persisted_flush_map)). A map that
/// cannot be read, or whose header page is damaged, is a warning and the rule is skipped; a map
/// the engine would not use in this state is skipped silently.
///
/// Loaded before the database's pages are scanned ([`DbOptions::flush_map`]), so the lost writes
/// it finds are named by table like every other damaged page (the walk runs after them).
///
/// [`DbOptions::flush_map`]: crate::scan::database::DbOptions::flush_map
pub(crate) fn load_flush_map_beside(db_bytes: &[u8], db_path: &std::path::Path, db_shown: &str) -> FlushMapLoad {
    use crate::scan::core::lost_flush::{persisted_flush_map, MapUnused};
    let Some(map_path) = flush_map_beside(db_path) else {
        return FlushMapLoad::None;
    };
    let header = crate::scan::header_copies::read_shadowed_header(db_bytes);
    let Some(header) = header.chosen() else {
        return FlushMapLoad::None;
    };
    let shown = map_path.display().to_string();
    let skipped = |why: &str| {
        FlushMapLoad::Skipped(Problem::warning(
            None,
            db_shown,
            format!("flush map {shown} not used: {why}; lost writes it records are not checked"),
        ))
    };
    let input = match crate::scan::file::Input::open(&map_path) {
        Ok(i) => i,
        Err(e) => return skipped(&e.message),
    };
    let map = persisted_flush_map(input.bytes(), header);
    if let Err(e) = input.stamp().recheck(&map_path) {
        return skipped(&e.message);
    }
    match map {
        Ok(map) => FlushMapLoad::Use { shown, map },
        Err(MapUnused::Damaged(why)) => skipped(&why),
        Err(MapUnused::NotApplicable(_)) => FlushMapLoad::None,
    }
}

/// What [`load_flush_map_beside`] found.
pub(crate) enum FlushMapLoad {
    /// No map, or one the engine would not use in the database's state.
    None,
    /// A map that cannot be used: the warning to add.
    Skipped(Problem),
    /// The map to compare the pages with, and its path as shown.
    Use {
        /// The path as problems show it.
        shown: String,
        /// The map.
        map: crate::scan::core::lost_flush::PersistedFlushMap,
    },
}

impl FlushMapLoad {
    /// The map and its path, when one is used.
    pub(crate) fn used(&self) -> Option<(&str, &crate::scan::core::lost_flush::PersistedFlushMap)> {
        match self {
            FlushMapLoad::Use { shown, map } => Some((shown.as_str(), map)),
            _ => None,
        }
    }

    /// Adds the warning of a map that could not be used to `check`.
    pub(crate) fn note(self, check: &mut crate::scan::database::DbCheck) {
        if let FlushMapLoad::Skipped(p) = self {
            check.problems.push(p);
        }
    }
}

/// How a flush map is scanned; the default reads every page and releases nothing.
#[derive(Default, Clone, Copy)]
pub struct FlushMapOptions<'a> {
    /// Called from any thread with `(offset, len)` of each range the scan has finished with, as
    /// for databases ([`crate::scan::database::DbOptions::release`]): a 16 GiB flush map stays at
    /// the chunks in flight, not its size, in the resident set (docs/PERFORMANCE.md).
    pub release: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// Byte ranges known to read as zeros ([`crate::scan::file::Input::holes`]): an all-zero
    /// data page is neither damaged nor counted, so pages wholly inside are skipped unread.
    pub holes: &'a [std::ops::Range<usize>],
    /// When set, every data page read is also hashed into this collector, and every page of a
    /// hole gets the CRC of zeros (`verify --manifest`, CLI.md "Manifest"), as for databases.
    pub crc: Option<&'a crate::scan::crc::FileCrcs>,
}

/// Data pages checked per task: 4 MiB, as for databases.
const PAGES_PER_CHUNK: usize = (4 << 20) / FM_PAGE;

/// Checks a flush map held in `bytes`, reading every page.
pub fn check_flush_map(bytes: &[u8], path: &str) -> FlushMapCheck {
    check_flush_map_with(bytes, path, &FlushMapOptions::default())
}

/// Checks a flush map held in `bytes`, with the scan's hints (`opts`).
pub fn check_flush_map_with(bytes: &[u8], path: &str, opts: &FlushMapOptions<'_>) -> FlushMapCheck {
    let checked = FlushMapChecker::new(path, bytes.len() as u64, &bytes[..bytes.len().min(FM_PAGE)]).and_then(|c| {
        feed_pages(&c, bytes, opts).map_err(|e| CheckError::new(path, e.to_string()))?;
        c.finish()
    });
    // The pages are fed exactly once above, so the checker has nothing to refuse; were it to,
    // the flush map is reported as not checked rather than passed.
    checked.unwrap_or_else(|e| FlushMapCheck {
        path: path.into(),
        kind: crate::scan::classify::FileKind::FlushMap,
        verdict: Verdict::Error,
        pages_seen: 0,
        bad_checksums: 0,
        correctable_checksums: 0,
        bad_pages: Vec::new(),
        correctable_pages: Vec::new(),
        problems: vec![Problem::error(None, path, e.message)],
    })
}

/// Feeds the data pages of `bytes` (after the header page) in parallel over 4 MiB chunks: pages
/// wholly inside a hole declared unread (and hashed as zeros), the others fed in runs and hashed
/// after their checks, each chunk released once done.
fn feed_pages(checker: &FlushMapChecker, bytes: &[u8], opts: &FlushMapOptions<'_>) -> Result<(), FeedError> {
    use crate::scan::file::first_hole_after;
    use rayon::prelude::*;
    let range = checker.data_range();
    let data = &bytes[range.start as usize..range.end as usize];
    let per_chunk = PAGES_PER_CHUNK * FM_PAGE;
    data.par_chunks(per_chunk).enumerate().try_for_each(|(ci, chunk)| {
        let chunk_offset = FM_PAGE + ci * per_chunk;
        let mut hole = first_hole_after(opts.holes, chunk_offset);
        let mut crc = opts.crc.map(|c| c.range(chunk_offset as u64));
        crate::scan::database::feed_chunk(
            chunk,
            chunk_offset,
            FM_PAGE,
            opts.holes,
            &mut hole,
            crc.as_mut(),
            |at, b| checker.feed(at, b),
            |r| checker.hole(r),
        )
        .map(drop)?;
        if let Some(h) = crc {
            h.done();
        }
        if let Some(release) = opts.release {
            release(chunk_offset, chunk.len());
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 22 rule 3 on copies of real databases with their flush maps (testdata/README.md):
    /// the database and its `.jfm` copied to a temporary directory, `edit` applied to the
    /// database's bytes, then `checksum` on the database alone.
    fn checked_copy(dir: &str, db: &str, edit: impl FnOnce(&mut Vec<u8>, &[u8])) -> crate::scan::database::DbCheck {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(dir);
        let tmp = tempfile::tempdir().unwrap();
        let jfm = std::fs::read(src.join("SRUDB.jfm")).unwrap();
        let mut bytes = std::fs::read(src.join(db)).unwrap();
        edit(&mut bytes, &jfm);
        std::fs::write(tmp.path().join(db), &bytes).unwrap();
        std::fs::write(tmp.path().join("srudb.JFM"), &jfm).unwrap();
        match crate::scan::file_check::check_file(&tmp.path().join(db)) {
            crate::scan::file_check::FileReport::Database(c) => *c,
            _ => panic!("not checked as a database"),
        }
    }

    /// The map's 2-bit state of database page `pgno`, read from the `.jfm` bytes as
    /// flushmap.cxx lays them out (data page `pgno / 32512`, byte `64 + i / 4`, high bits first).
    fn map_state(jfm: &[u8], pgno: usize) -> u8 {
        let (k, i) = (pgno / 32512, pgno % 32512);
        (jfm[(k + 1) * FM_PAGE + 64 + i / 4] >> (6 - 2 * (i % 4))) & 3
    }

    /// The first page of a 4 KiB database whose own flush type (fFlags bits 15-16) and the
    /// map's state are both non-zero.
    fn known_page(db: &[u8], jfm: &[u8]) -> usize {
        (3..db.len() / 4096 - 2)
            .find(|&p| {
                let off = (p + 1) * 4096;
                let flags = u32::from_le_bytes(db[off + 36..off + 40].try_into().unwrap());
                (flags >> 15) & 3 != 0 && map_state(jfm, p) != 0
            })
            .expect("a page with a known flush state")
    }

    fn lost(c: &crate::scan::database::DbCheck) -> Vec<i64> {
        c.problems
            .iter()
            .filter(|p| p.code == Some(crate::codes::JetErr::ReadLostFlushVerifyFailure))
            .map(|p| p.page.unwrap())
            .collect()
    }

    const CLEAN: &str = "museum-srum-server2022-aptsimulator/snapshot1/SRU";

    #[test]
    fn a_clean_real_database_passes_with_its_flush_map_used() {
        let c = checked_copy(CLEAN, "SRUDB.dat", |_, _| {});
        assert!(c.flush_map_used.is_some(), "the map beside it, named in another case");
        assert!(lost(&c).is_empty() && c.verdict == Verdict::Pass, "{:?}", c.problems);
    }

    #[test]
    fn a_page_with_another_flush_type_than_the_map_records_is_a_lost_write() {
        let mut page_no = 0;
        let c = checked_copy(CLEAN, "SRUDB.dat", |db, jfm| {
            let p = known_page(db, jfm);
            page_no = p;
            let off = (p + 1) * 4096;
            let want = map_state(jfm, p);
            let other = if want == 1 { 2u32 } else { 1 };
            let mut flags = u32::from_le_bytes(db[off + 36..off + 40].try_into().unwrap());
            flags = (flags & !0x18000) | (other << 15);
            db[off + 36..off + 40].copy_from_slice(&flags.to_le_bytes());
            crate::testkit::seal_page(&mut db[off..off + 4096], p as u32);
        });
        assert_eq!(lost(&c), vec![page_no as i64]);
        assert_eq!(c.verdict, Verdict::Fail);
        assert_eq!(c.bad_checksums, 0, "the page was re-sealed: only the map sees it");
    }

    #[test]
    fn a_blank_page_the_map_knows_is_a_lost_write() {
        let mut page_no = 0;
        let c = checked_copy(CLEAN, "SRUDB.dat", |db, jfm| {
            // The last page the map knows (rule 2 names the fixed pages; this one is not).
            let p = (3..db.len() / 4096 - 2)
                .rev()
                .find(|&p| map_state(jfm, p) != 0)
                .unwrap();
            page_no = p;
            db[(p + 1) * 4096..(p + 2) * 4096].fill(0);
        });
        assert!(lost(&c).contains(&(page_no as i64)), "{:?}", c.problems);
        assert_eq!(c.verdict, Verdict::Fail);
    }

    #[test]
    fn a_blank_fixed_page_the_map_knows_is_one_problem_the_lost_write() {
        // Page 4, the catalog root: rule 2 would call it −1019; the map knows its state, so it is
        // −1119 alone (one problem per page).
        let c = checked_copy(CLEAN, "SRUDB.dat", |db, jfm| {
            assert_ne!(map_state(jfm, 4), 0, "the map knows page 4");
            db[5 * 4096..6 * 4096].fill(0);
        });
        let at4: Vec<_> = c
            .problems
            .iter()
            .filter(|p| p.page == Some(4))
            .map(|p| p.code)
            .collect();
        assert_eq!(
            at4,
            vec![Some(crate::codes::JetErr::ReadLostFlushVerifyFailure)],
            "{:?}",
            c.problems
        );
        assert_eq!(c.verdict, Verdict::Fail);
    }

    #[test]
    fn a_map_whose_header_fails_warns_and_the_rule_is_skipped() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(CLEAN);
        let tmp = tempfile::tempdir().unwrap();
        let mut db = std::fs::read(src.join("SRUDB.dat")).unwrap();
        let mut jfm = std::fs::read(src.join("SRUDB.jfm")).unwrap();
        let p = known_page(&db, &jfm);
        db[(p + 1) * 4096..(p + 2) * 4096].fill(0);
        jfm[500] ^= 1;
        std::fs::write(tmp.path().join("SRUDB.dat"), &db).unwrap();
        std::fs::write(tmp.path().join("SRUDB.jfm"), &jfm).unwrap();
        let crate::scan::file_check::FileReport::Database(c) =
            crate::scan::file_check::check_file(&tmp.path().join("SRUDB.dat"))
        else {
            panic!("not a database")
        };
        assert!(lost(&c).is_empty() && c.flush_map_used.is_none());
        assert!(c
            .problems
            .iter()
            .any(|q| !q.is_error() && q.message.contains("not used")));
    }

    #[test]
    fn the_same_edit_on_a_dirty_database_is_not_a_lost_write() {
        let c = checked_copy("museum-srum-win11-rathbunvm/Dirty", "SRUDB.dat", |db, jfm| {
            let p = known_page(db, jfm);
            let off = (p + 1) * 4096;
            let flags = u32::from_le_bytes(db[off + 36..off + 40].try_into().unwrap()) ^ 0x18000;
            db[off + 36..off + 40].copy_from_slice(&flags.to_le_bytes());
            crate::testkit::seal_page(&mut db[off..off + 4096], p as u32);
            db[(p + 2) * 4096..(p + 3) * 4096].fill(0);
        });
        assert!(lost(&c).is_empty() && c.flush_map_used.is_none(), "{:?}", c.problems);
    }
    use crate::checksum::ecc::ecc_block;
    use crate::checksum::legacy_checksum;

    /// A flush map of a header page and `data` data pages, each sealed as the engine seals it.
    fn flush_map(data: usize) -> Vec<u8> {
        let mut b = vec![0u8; (1 + data) * FM_PAGE];
        b[4] = 3;
        b[667] = 7;
        let ck = legacy_checksum(&b[..FM_PAGE]);
        b[..4].copy_from_slice(&ck.to_le_bytes());
        for k in 1..=data {
            let page = &mut b[k * FM_PAGE..(k + 1) * FM_PAGE];
            page[8] = 0x40 + k as u8;
            page[16..20].copy_from_slice(&((k - 1) as u32).to_le_bytes());
            page[37] = 0x20;
            page[100 + k] = 0x5A;
            let ck = ecc_block(page, (k - 1) as u32, true);
            page[..8].copy_from_slice(&ck.to_le_bytes());
        }
        b
    }

    #[test]
    fn sound_flush_map_passes_with_no_problem() {
        let c = check_flush_map(&flush_map(2), "x.jfm");
        assert_eq!((c.verdict, c.pages_seen, c.bad_checksums), (Verdict::Pass, 3, 0));
        assert!(c.problems.is_empty() && c.bad_pages.is_empty() && c.correctable_pages.is_empty());
    }

    #[test]
    fn flush_map_single_bit_error_is_counted_correctable() {
        let mut b = flush_map(2);
        b[2 * FM_PAGE + 3000] ^= 0x04; // file page 2 = fmpgno 1
        let c = check_flush_map(&b, "x.jfm");
        assert_eq!((c.correctable_checksums, c.bad_checksums), (1, 0));
        assert_eq!(c.correctable_pages, vec![1]);
        assert_eq!(c.verdict, Verdict::Pass, "Decision 8: a warning");
        assert_eq!(c.problems.len(), 1);
        assert!(!c.problems[0].is_error());
        assert_eq!(c.problems[0].page, Some(1));
        assert!(c.problems[0].message.contains("bit 24002"), "{}", c.problems[0].message);
        assert_eq!(c.verdict.under_strict(&c.problems, true), Verdict::Fail, "--strict");
    }

    #[test]
    fn flush_map_bad_pages_are_counted_in_ascending_fmpgno_order() {
        let mut b = flush_map(3);
        b[3 * FM_PAGE + 200] ^= 0xFF; // fmpgno 2
        b[FM_PAGE + 300] ^= 0x81; // fmpgno 0
        b[500] ^= 1; // header, fmpgno -1
        let c = check_flush_map(&b, "x.jfm");
        assert_eq!(c.bad_checksums, 3);
        assert_eq!(c.bad_pages, vec![-1, 0, 2]);
        assert_eq!(c.verdict, Verdict::Pass);
        assert!(c.problems.iter().all(|p| !p.is_error()));
        assert_eq!(c.verdict.under_strict(&c.problems, true), Verdict::Fail);
    }

    #[test]
    fn flush_map_cut_inside_its_header_warns_without_counting_a_page() {
        let b = flush_map(1);
        let c = check_flush_map(&b[..5000], "x.jfm");
        assert_eq!((c.pages_seen, c.bad_checksums), (0, 0));
        assert_eq!(c.verdict, Verdict::Pass);
        assert_eq!(c.problems.len(), 2, "{:?}", c.problems);
        let h = check_flush_map_header(&b[..5000], "x.jfm");
        assert!(!h.header_ok && h.header.is_some());
        assert!(!check_flush_map_header(&b[..100], "x.jfm").header_ok);
    }
}
