//! Issue 22 rule 2: the pages every database uses are never blank. The engine creates every
//! database with the same first pages and never moves them (dbshrink.cxx:185–186 refuses to move
//! `FCATBaseSystemFDP` pages and the root's space trees; cat.hxx:159–169, 186–197): the database
//! root (page 1) and its owned- and available-space trees (2, 3), the catalog MSysObjects (4),
//! its Name and RootObjects indexes (7, 10) and the shadow catalog MSysObjectsShadow (24, unless
//! the header says shadowing is disabled, daedef.hxx `fDbShadowingDisabled`). The catalog, its
//! indexes and the shadow name the roots of their own space trees in their space headers
//! (space.hxx `SPACE_HEADER`: `pgnoOE`, and `PgnoAE` = `pgnoOE` + 1).
//!
//! What the scan gathers in its one pass, in any order: which pages were blank ([`BlankPages`])
//! and the space headers of pages 4, 7, 10 and 24 ([`read_space_header`]); the rule
//! ([`fixed_pages_blank`]) runs at `finish`.

use crate::codes::JetErr;
use crate::format::node::NodePage;
use crate::problem::Problem;
use std::collections::BTreeMap;
use std::ops::Range;

/// `fDbShadowingDisabled` in `m_ulDbFlags` (daedef.hxx:2767, header offset 208).
pub(crate) const DB_SHADOWING_DISABLED: u32 = 0x01;

/// The shadow catalog's root, `pgnoFDPMSOShadow` (cat.hxx:169).
const PGNO_SHADOW: u32 = 24;

/// The pages the engine never moves (cat.hxx:159–169 `pgnoFDPMSO…`, `pgnoSystemRoot` and its
/// space trees `pgnoSystemRoot + 1`, `+ 2`), with what each holds.
const FIXED: [(u32, &str); 7] = [
    (1, "database root"),
    (2, "owned-space tree of the database root"),
    (3, "available-space tree of the database root"),
    (4, "catalog root (MSysObjects)"),
    (7, "Name index of the catalog"),
    (10, "RootObjects index of the catalog"),
    (PGNO_SHADOW, "shadow catalog root (MSysObjectsShadow)"),
];

/// The FDP roots whose space headers name space-tree roots every database uses, with the name of
/// the tree they hold.
pub(crate) const FDP_ROOTS: [(u32, &str); 4] = [
    (4, "catalog"),
    (7, "Name index of the catalog"),
    (10, "RootObjects index of the catalog"),
    (PGNO_SHADOW, "shadow catalog"),
];

/// What a verifying FDP root's space header says about its space trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpaceHeader {
    /// Single extent (`fSPHMultipleExtent` clear): no space-tree pages.
    SingleExtent,
    /// Multiple extents: the owned-space tree's root (the available-space tree's is the next).
    MultipleExtent { pgno_oe: u32 },
}

/// space.hxx `SPACE_HEADER` (16 bytes: `m_cpgPrimary`, `m_pgnoParent`, flags, `m_pgnoOE`) in
/// tag 0 of a root page, as node.cxx:2283–2330 `NDGetPtrExternalHeader` finds it: the whole
/// external header when it is 16 bytes, else after a flag byte whose bit 0x1 says it is there.
/// `None` when `page` is not a root page or holds no space header.
pub(crate) fn read_space_header(page: &[u8]) -> Option<SpaceHeader> {
    let p = NodePage::parse(page).ok()?;
    if !p.is_root() {
        return None;
    }
    let ext = p.external_header().ok()?;
    let sph = match ext.len() {
        16 => ext,
        n if n > 16 && ext[0] & 0x1 != 0 => &ext[1..17],
        _ => return None,
    };
    let u32_at = |at: usize| u32::from_le_bytes([sph[at], sph[at + 1], sph[at + 2], sph[at + 3]]);
    Some(if sph[8] & 0x01 == 0 {
        SpaceHeader::SingleExtent
    } else {
        SpaceHeader::MultipleExtent { pgno_oe: u32_at(12) }
    })
}

/// The blank (all-zero) data pages seen, fed or inside a hole, as runs of page numbers; merged
/// across threads, sorted when asked.
#[derive(Debug, Default, Clone)]
pub(crate) struct BlankPages {
    runs: Vec<Range<u32>>,
    sorted: bool,
}

impl BlankPages {
    /// Notes blank page `pgno` (pages of one buffer come ascending and join one run).
    pub(crate) fn page(&mut self, pgno: u32) {
        match self.runs.last_mut() {
            Some(r) if r.end == pgno => r.end = pgno + 1,
            _ => self.range(pgno..pgno.saturating_add(1)),
        }
    }

    /// Notes blank pages `pgnos`.
    pub(crate) fn range(&mut self, pgnos: Range<u32>) {
        if !pgnos.is_empty() {
            self.runs.push(pgnos);
            self.sorted = false;
        }
    }

    pub(crate) fn merge(&mut self, other: BlankPages) {
        self.runs.extend(other.runs);
        self.sorted = false;
    }

    /// Sorts the runs, once, before [`BlankPages::contains`].
    pub(crate) fn sort(&mut self) {
        if !self.sorted {
            self.runs.sort_unstable_by_key(|r| r.start);
            self.sorted = true;
        }
    }

    /// True when `pgno` was seen blank (after [`BlankPages::sort`]).
    pub(crate) fn contains(&self, pgno: u32) -> bool {
        debug_assert!(self.sorted || self.runs.len() <= 1);
        let i = self.runs.partition_point(|r| r.start <= pgno);
        i > 0 && self.runs[i - 1].contains(&pgno)
    }
}

/// The pages every database uses, with what each holds, in page order: the fixed pages
/// ([`FIXED`], 24 only when `shadowing_disabled` is false) and the space-tree roots the space
/// headers of pages 4, 7, 10 and 24 name (`headers`, those that were read). A page named twice
/// keeps its first words.
pub(crate) fn pages_in_use(shadowing_disabled: bool, headers: &BTreeMap<u32, SpaceHeader>) -> BTreeMap<u32, String> {
    let mut out = BTreeMap::new();
    for (pgno, what) in FIXED {
        if pgno == PGNO_SHADOW && shadowing_disabled {
            continue;
        }
        out.entry(pgno).or_insert_with(|| what.to_string());
    }
    for (fdp, tree) in FDP_ROOTS {
        if fdp == PGNO_SHADOW && shadowing_disabled {
            continue;
        }
        if let Some(SpaceHeader::MultipleExtent { pgno_oe }) = headers.get(&fdp) {
            // space.hxx `PgnoAE`: the available-space tree's root is the page after the OE's.
            if *pgno_oe == 0 || *pgno_oe == fdp || pgno_oe.checked_add(1).is_none() {
                continue;
            }
            let named = format!("(named by the space header of page {fdp})");
            out.entry(*pgno_oe)
                .or_insert_with(|| format!("owned-space tree of the {tree} {named}"));
            out.entry(pgno_oe + 1)
                .or_insert_with(|| format!("available-space tree of the {tree} {named}"));
        }
    }
    out
}

/// Issue 22 rule 2 (dbshrink.cxx:185–186, cat.hxx:186–197 `FCATBaseSystemFDP`; space.hxx
/// `SPACE_HEADER`): a blank page among [`pages_in_use`] is −1019 `JET_errPageNotInitialized`,
/// an error in every state, one problem per page naming what it holds. A page the file does not
/// reach (`max_pgno`) is not blank (a cut copy is rule 1's). A temporary database is exempt (its
/// caller does not call this).
pub(crate) fn fixed_pages_blank(
    path: &str,
    page_size: usize,
    max_pgno: u32,
    in_use: &BTreeMap<u32, String>,
    blank: &BlankPages,
) -> Vec<Problem> {
    in_use
        .iter()
        .filter(|(pgno, _)| **pgno <= max_pgno && blank.contains(**pgno))
        .map(|(pgno, what)| {
            Problem::error(
                Some(JetErr::PageNotInitialized),
                path,
                format!(
                    "page {pgno} is blank (all zero) but holds the {what}: every database uses this page, and the engine never leaves it uninitialized"
                ),
            )
            .at_page(i64::from(*pgno))
            .at_offset((u64::from(*pgno) + 1) * page_size as u64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::db::DbBuilder;

    fn page_of(file: &[u8], ps: usize, pgno: u32) -> &[u8] {
        let at = (pgno as usize + 1) * ps;
        &file[at..at + ps]
    }

    #[test]
    fn the_space_headers_of_the_catalog_and_its_indexes_name_their_space_trees() {
        // The testkit mirrors the real server2022 SRUDB.dat: OE 5, 8, 11, 25 (MANIFEST.md).
        for ps in [4096, 8192, 16384, 32768] {
            let f = DbBuilder::new(ps).build();
            let got: Vec<_> = [4, 7, 10, 24]
                .iter()
                .map(|p| read_space_header(page_of(&f, ps, *p)))
                .collect();
            let want = [5, 8, 11, 25].map(|oe| Some(SpaceHeader::MultipleExtent { pgno_oe: oe }));
            assert_eq!(got, want, "{ps}");
            // A leaf that is no root holds no space header.
            assert_eq!(read_space_header(page_of(&f, ps, 13)), None, "{ps}");
            assert_eq!(read_space_header(&vec![0; ps]), None, "{ps}");
        }
    }

    #[test]
    fn the_pages_in_use_are_the_fixed_ones_and_those_the_headers_name() {
        let headers: BTreeMap<u32, SpaceHeader> = [(4, 5), (7, 8), (10, 11), (24, 25)]
            .map(|(f, oe)| (f, SpaceHeader::MultipleExtent { pgno_oe: oe }))
            .into();
        let pages: Vec<u32> = pages_in_use(false, &headers).into_keys().collect();
        assert_eq!(pages, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 24, 25, 26]);
        let pages: Vec<u32> = pages_in_use(true, &headers).into_keys().collect();
        assert_eq!(pages, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "shadowing disabled");
        // A header that was not read names nothing; a single-extent one neither.
        let headers = [(4, SpaceHeader::SingleExtent)].into();
        let pages: Vec<u32> = pages_in_use(false, &headers).into_keys().collect();
        assert_eq!(pages, [1, 2, 3, 4, 7, 10, 24]);
    }

    #[test]
    fn a_blank_page_in_use_is_1019_naming_what_it_holds() {
        let headers = [(4, SpaceHeader::MultipleExtent { pgno_oe: 5 })].into();
        let in_use = pages_in_use(false, &headers);
        let mut blank = BlankPages::default();
        blank.range(20..30);
        blank.page(6);
        blank.page(1);
        blank.sort();
        let got = fixed_pages_blank("t.edb", 4096, 25, &in_use, &blank);
        let pages: Vec<_> = got
            .iter()
            .map(|p| (p.page, p.code.map(|c| c.code()), p.is_error()))
            .collect();
        assert_eq!(
            pages,
            [
                (Some(1), Some(-1019), true),
                (Some(6), Some(-1019), true),
                (Some(24), Some(-1019), true)
            ]
        );
        assert!(got[1]
            .message
            .contains("available-space tree of the catalog (named by the space header of page 4)"));
        assert!(got[2].message.contains("shadow catalog root"));
        // Past the end of the file a page is missing, not blank.
        assert_eq!(fixed_pages_blank("t.edb", 4096, 23, &in_use, &blank).len(), 2);
    }

    #[test]
    fn blank_runs_answer_in_any_order() {
        let mut a = BlankPages::default();
        a.range(40..50);
        let mut b = BlankPages::default();
        for p in [3, 4, 5, 9] {
            b.page(p);
        }
        a.merge(b);
        a.sort();
        let got: Vec<u32> = (0..60).filter(|p| a.contains(*p)).collect();
        let want: Vec<u32> = [3, 4, 5, 9].into_iter().chain(40..50).collect();
        assert_eq!(got, want);
    }
}
