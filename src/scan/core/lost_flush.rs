//! Issue 22 rule 3: lost writes the persisted flush map records (cpage.cxx
//! `CPAGE::ErrValidatePage`'s lost-flush validation, flushmap.cxx `CFlushMap`). The database
//! scan keeps two bits per page (the page's own flush type, from its header flags) and, per
//! flush-map page, the highest dbtime of the pages it covers; the map is read apart
//! ([`persisted_flush_map`]) and compared at the end ([`lost_flushes`]).

use crate::checksum::legacy::legacy_checksum_ok;
use crate::checksum::page::{verify_segment, PageStatus};
use crate::codes::JetErr;
use crate::format::db_header::{dbstate, DbFileHeader};
use crate::format::flush_map::{FlushMapDataPageHeader, FlushMapFileHeader, FM_DATA_PAGE_HEADER_SIZE, FM_PAGE_SIZE};
use crate::problem::Problem;
use std::collections::BTreeMap;

/// Database pages one flush-map data page covers at 2 bits each (flushmap.cxx
/// `m_cDbPagesPerFlushMapPage`: the bits after the 64-byte data page header).
pub(crate) const DB_PAGES_PER_FM_PAGE: u32 = ((FM_PAGE_SIZE - FM_DATA_PAGE_HEADER_SIZE) * 8 / 2) as u32;
/// cpage.hxx `maskFlushType`: the page's flush type in `fFlags`, bits 15-16.
const PAGE_FLUSH_TYPE_MASK: u32 = 0x18000;
/// daedef.hxx `dbtimeNil`: a map page whose `dbtimeMax` is this has no dbtime to compare.
const DBTIME_NIL: u64 = u64::MAX;

/// A page's own flush type (cpage.hxx `CPAGE::Pgft`): bits 15-16 of `fFlags` @36.
pub(crate) fn page_flush_type(page: &[u8]) -> u8 {
    page.get(36..40).map_or(0, |b| {
        let flags = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        ((flags & PAGE_FLUSH_TYPE_MASK) >> 15) as u8
    })
}

/// The flush facts of pages fed together: 2 bits per page from `first` on (the page's own
/// flush type when its checksum verifies, else 0), and the highest dbtime of those pages with a
/// non-zero flush type per flush-map page.
#[derive(Debug, Default, Clone)]
pub(crate) struct FlushFacts {
    runs: Vec<(u32, Vec<u8>)>,
    dbtime: BTreeMap<u32, u64>,
}

impl FlushFacts {
    /// Notes page `pgno` (pages of one buffer come ascending, from `first`).
    pub(crate) fn page(&mut self, first: u32, pgno: u32, good: bool, page: &[u8], dbtime: u64) {
        if self.runs.last().is_none_or(|r| r.0 != first) {
            self.runs.push((first, Vec::new()));
        }
        let run = &mut self.runs.last_mut().expect("pushed").1;
        let i = (pgno - first) as usize;
        if run.len() <= i / 4 {
            run.resize(i / 4 + 1, 0);
        }
        let pgft = if good { page_flush_type(page) } else { 0 };
        run[i / 4] |= pgft << (6 - 2 * (i % 4));
        if pgft != 0 {
            let m = self.dbtime.entry(pgno / DB_PAGES_PER_FM_PAGE).or_insert(0);
            *m = (*m).max(dbtime);
        }
    }

    pub(crate) fn merge(&mut self, other: FlushFacts) {
        self.runs.extend(other.runs);
        for (k, v) in other.dbtime {
            let m = self.dbtime.entry(k).or_insert(0);
            *m = (*m).max(v);
        }
    }

    /// The flush type page `pgno` carries (0: none, or the page did not verify).
    fn flush_type(&self, pgno: u32) -> u8 {
        let i = self.runs.partition_point(|r| r.0 <= pgno);
        if i == 0 {
            return 0;
        }
        let (first, bits) = &self.runs[i - 1];
        let k = (pgno - first) as usize;
        bits.get(k / 4).map_or(0, |b| (b >> (6 - 2 * (k % 4))) & 3)
    }

    /// Sorts the runs by first page, once, before lookups.
    pub(crate) fn sort(&mut self) {
        self.runs.sort_unstable_by_key(|r| r.0);
    }
}

/// What the engine would take from a persisted flush map: the data pages that verify, each
/// with its `dbtimeMax` and its 2-bit states.
#[derive(Debug, Clone)]
pub struct PersistedFlushMap {
    pages: BTreeMap<u32, (u64, Vec<u8>)>,
}

impl PersistedFlushMap {
    /// The state the map records for database page `pgno` (0 unknown), with its map page's
    /// `dbtimeMax` (flushmap.cxx `PgftGetFlushType_`, `IGetStateFromBitmap_`: page `i` of a
    /// map page is bits `7 - 2(i mod 4)`, `6 - 2(i mod 4)` of byte `64 + i / 4`).
    fn state(&self, pgno: u32) -> Option<(u8, u64)> {
        let (dbtime_max, bits) = self.pages.get(&(pgno / DB_PAGES_PER_FM_PAGE))?;
        let i = (pgno % DB_PAGES_PER_FM_PAGE) as usize;
        let b = bits.get(FM_DATA_PAGE_HEADER_SIZE + i / 4)?;
        Some(((b >> (6 - 2 * (i % 4))) & 3, *dbtime_max))
    }
}

/// Why a flush map is not used for rule 3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MapUnused {
    /// The header page is cut short or fails its checksum (a warning: damage).
    Damaged(String),
    /// A state in which the engine does not use the persisted map (no warning).
    NotApplicable(String),
}

/// flushmap.cxx `CFlushMap::ErrValidateFmHdr_` and `FCheckForDbFmConsistency_`, with the
/// database state in which the engine checks pages against the persisted map (bf.cxx: not while
/// replaying the required range, `pgvfDoNotCheckForLostFlushIfNotRuntime`): the database is
/// clean and needs no logs; the header page verifies, is of the flush-map file type and of a
/// version the engine reads (major 3, update major ≤ 0); one of its two signatures equals the
/// database header's and is set; the map is clean (`fClean`: a clean database has no Log
/// Required for a dirty map to be recoverable to). Then every data page that verifies at its
/// flush-map page number is kept (`ErrValidateFmDataPage_`; one that does not is unknown).
pub(crate) fn persisted_flush_map(bytes: &[u8], db: &DbFileHeader) -> Result<PersistedFlushMap, MapUnused> {
    if db.db_state != dbstate::CLEAN_SHUTDOWN || db.needs_logs() {
        return Err(MapUnused::NotApplicable(format!(
            "the database is {}: the engine does not use the persisted map while replaying logs",
            db.state_name()
        )));
    }
    let head = bytes
        .get(..FM_PAGE_SIZE)
        .ok_or_else(|| MapUnused::Damaged(format!("it ends at {} bytes, inside its header page", bytes.len())))?;
    if !legacy_checksum_ok(head) {
        return Err(MapUnused::Damaged("its header page checksum fails".into()));
    }
    let h = FlushMapFileHeader::parse(head).map_err(|e| MapUnused::Damaged(e.to_string()))?;
    if h.filetype != crate::format::common::filetype::FLUSH_MAP {
        return Err(MapUnused::Damaged(format!("its file type is {}, not 7", h.filetype)));
    }
    if h.version_major != 3 || h.version_update_major > 0 {
        return Err(MapUnused::NotApplicable(format!(
            "its version {} is not one the engine reads",
            h.version()
        )));
    }
    let set = |s: &crate::format::common::Signature| !s.is_zero();
    let consistent = (db.sign_db_hdr_flush == h.sign_db_hdr_flush && set(&db.sign_db_hdr_flush))
        || (db.sign_flush_map_hdr_flush == h.sign_flush_map_hdr_flush && set(&db.sign_flush_map_hdr_flush));
    if !consistent {
        return Err(MapUnused::NotApplicable(
            "its flush signatures are not the database header's".into(),
        ));
    }
    if !h.is_clean() {
        return Err(MapUnused::NotApplicable("it was not closed cleanly".into()));
    }
    let mut pages = BTreeMap::new();
    for (k, page) in bytes[FM_PAGE_SIZE..].chunks_exact(FM_PAGE_SIZE).enumerate() {
        let Ok(fmpgno) = u32::try_from(k) else { break };
        if verify_segment(page, fmpgno).status == PageStatus::Good {
            if let Ok(p) = FlushMapDataPageHeader::parse(page) {
                pages.insert(fmpgno, (p.dbtime_max, page.to_vec()));
            }
        }
    }
    Ok(PersistedFlushMap { pages })
}

/// cpage.cxx `CPAGE::ErrValidatePage`, lost-flush validation against the persisted map
/// (flushmap.cxx `PgftGetPgnoFlushType`), for pages `1..=max_pgno`: a page whose state the map
/// knows is lost when it is blank (`JET_errPageNotInitialized` with a known state), or when it
/// verifies, carries a non-zero flush type of its own and another one than the map's. A map
/// page whose `dbtimeMax` is below the dbtime of a page it covers is inconsistent: the engine
/// forgets it when it reads that page, so none of its pages is judged here (whatever order the
/// engine would read them in). −1119, one error per page.
pub(crate) fn lost_flushes(
    path: &str,
    page_size: usize,
    max_pgno: u32,
    facts: &FlushFacts,
    blank: &super::fixed_pages::BlankPages,
    map: &PersistedFlushMap,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (&fmpgno, (dbtime_max, _)) in &map.pages {
        if *dbtime_max != DBTIME_NIL && facts.dbtime.get(&fmpgno).is_some_and(|d| d > dbtime_max) {
            continue;
        }
        let first = fmpgno.saturating_mul(DB_PAGES_PER_FM_PAGE).max(1);
        let last = fmpgno
            .saturating_mul(DB_PAGES_PER_FM_PAGE)
            .saturating_add(DB_PAGES_PER_FM_PAGE - 1)
            .min(max_pgno);
        for pgno in first..=last {
            let Some((expected, _)) = map.state(pgno).filter(|s| s.0 != 0) else {
                continue;
            };
            let own = facts.flush_type(pgno);
            let message = if blank.contains(pgno) {
                format!(
                    "page {pgno} is all zero but the flush map (page {fmpgno}) records it as written (flush type {expected}): a lost write"
                )
            } else if own != 0 && own != expected {
                format!(
                    "page {pgno} carries flush type {own} but the flush map (page {fmpgno}) records {expected}: an older copy of the page, a lost write"
                )
            } else {
                continue;
            };
            out.push(
                Problem::error(Some(JetErr::ReadLostFlushVerifyFailure), path, message)
                    .at_page(i64::from(pgno))
                    .at_offset((u64::from(pgno) + 1) * page_size as u64),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pages_flush_type_is_bits_15_and_16_of_its_flags() {
        let mut page = vec![0u8; 64];
        page[36..40].copy_from_slice(&0x0001_8000u32.to_le_bytes());
        assert_eq!(page_flush_type(&page), 3);
        page[36..40].copy_from_slice(&0x0000_8000u32.to_le_bytes());
        assert_eq!(page_flush_type(&page), 1);
        page[36..40].copy_from_slice(&0x0001_0000u32.to_le_bytes());
        assert_eq!(page_flush_type(&page), 2);
    }

    #[test]
    fn a_map_page_covers_32512_database_pages_at_two_bits_from_the_high_bits() {
        assert_eq!(DB_PAGES_PER_FM_PAGE, 32512);
        let mut page = vec![0u8; FM_PAGE_SIZE];
        page[64] = 0b01_10_11_00; // pages 0..4 of map page 0
        let map = PersistedFlushMap {
            pages: BTreeMap::from([(0, (5, page))]),
        };
        let states: Vec<u8> = (0..4).map(|p| map.state(p).unwrap().0).collect();
        assert_eq!(states, vec![1, 2, 3, 0]);
        assert!(map.state(DB_PAGES_PER_FM_PAGE).is_none(), "map page 1 is not there");
    }

    #[test]
    fn facts_fed_in_any_order_read_back_per_page() {
        let mut page = vec![0u8; 64];
        page[36..40].copy_from_slice(&0x0001_0000u32.to_le_bytes());
        let mut a = FlushFacts::default();
        a.page(10, 10, true, &page, 7);
        a.page(10, 11, false, &page, 9);
        let mut b = FlushFacts::default();
        b.page(1, 1, true, &page, 3);
        b.merge(a);
        b.sort();
        assert_eq!(
            (b.flush_type(1), b.flush_type(10), b.flush_type(11), b.flush_type(5)),
            (2, 2, 0, 0)
        );
        assert_eq!(b.dbtime.get(&0), Some(&7), "a page that does not verify is not counted");
    }
}
