//! Issue 22 rule 7: the facts of every page the tree walk needs, kept from the scan's one pass so
//! the walk runs in memory and no page is read twice (the catalog's and the space trees' pages
//! aside, a few hundred).
//!
//! Memory: 18 bytes a page ([`Compact`]: `objidFDP`, the sibling links, the low 16 bits of
//! `fFlags`, the live-node count and the node count with the page's state), plus the child page
//! numbers of internal pages (4 bytes a child: about one child per page of a tree) and maps for
//! what is rare (a node that does not parse, keys out of order, a dbtime above the header's): the
//! issue's budget is 24 bytes a page. The pages are kept in segments of 4,096, each allocated
//! when a page of it is fed: the holes of a sparse file cost nothing (a 1 TiB sparse file of 4
//! KiB pages would otherwise take 4.5 GiB).

use crate::format::bytes::FormatError;
use crate::format::tree_walk::{summarize, PageFacts, PageSummary};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

/// The state a [`Compact`] records (its `meta`'s top 3 bits).
mod state {
    /// Never given as a verifying page (a bad checksum, a page never fed): unreadable.
    pub(super) const UNREAD: u16 = 0;
    /// All zero.
    pub(super) const BLANK: u16 = 1;
    /// Header and tag array read.
    pub(super) const PAGE: u16 = 2;
    /// Header or tag array that cannot be read.
    pub(super) const MALFORMED: u16 = 3;
}

/// Bits of `meta` that hold the node count (at most 8,172 tags on a 32 KiB page).
const NODES_MASK: u16 = (1 << 13) - 1;

/// One page's facts, packed: 18 bytes.
#[derive(Clone, Copy, Default)]
#[repr(C, packed(2))]
struct Compact {
    objid: u32,
    prev: u32,
    next: u32,
    /// The low 16 bits of `fFlags`: every flag the walk reads (root, leaf, parent of leaf, empty,
    /// space tree, index, long value) lies there.
    flags: u16,
    live: u16,
    /// Node count (13 bits) and state (3 bits).
    meta: u16,
}

/// Facts of a run of pages from one feed, merged into the store under its lock.
#[derive(Default)]
pub(crate) struct FactBatch {
    first: u32,
    facts: Vec<Compact>,
    rare: Rare,
}

/// What few pages have.
#[derive(Default)]
struct Rare {
    children: BTreeMap<u32, Box<[u32]>>,
    node_errors: BTreeMap<u32, FormatError>,
    key_order: BTreeMap<u32, u16>,
    dbtime: BTreeMap<u32, u64>,
    malformed: BTreeMap<u32, (FormatError, Option<(u32, u32)>)>,
}

impl Rare {
    fn merge(&mut self, other: Rare) {
        self.children.extend(other.children);
        self.node_errors.extend(other.node_errors);
        self.key_order.extend(other.key_order);
        self.dbtime.extend(other.dbtime);
        self.malformed.extend(other.malformed);
    }
}

impl FactBatch {
    /// A batch for the pages from `first` on.
    pub(crate) fn new(first: u32, pages: usize) -> Self {
        FactBatch {
            first,
            facts: Vec::with_capacity(pages),
            rare: Rare::default(),
        }
    }

    /// The next page, all zero (its check found it uninitialized: no need to look again).
    pub(crate) fn blank_page(&mut self) {
        self.facts.push(BLANK);
    }

    /// The next page: its bytes when it verified (corrected, if it was correctable), `None`
    /// when it did not. `dbtime_max`: the header's `dbtimeDirtied`; only a dbtime above it is
    /// kept (the walk reads no other).
    pub(crate) fn page(&mut self, bytes: Option<&[u8]>, dbtime_max: u64) {
        let pgno = self.first.saturating_add(self.facts.len() as u32);
        let c = match bytes.map(summarize) {
            None => Compact::default(),
            Some(PageFacts::Unreadable) => Compact::default(),
            Some(PageFacts::Blank) => Compact {
                meta: state::BLANK << 13,
                ..Compact::default()
            },
            Some(PageFacts::Malformed(e, header)) => {
                self.rare.malformed.insert(pgno, (e, header));
                Compact {
                    meta: state::MALFORMED << 13,
                    ..Compact::default()
                }
            }
            Some(PageFacts::Page(p)) => {
                if !p.children.is_empty() {
                    self.rare
                        .children
                        .insert(pgno, p.children.into_owned().into_boxed_slice());
                }
                if let Some(e) = p.node_error {
                    self.rare.node_errors.insert(pgno, e);
                }
                if let Some(itag) = p.key_order {
                    self.rare.key_order.insert(pgno, itag);
                }
                if p.dbtime > dbtime_max {
                    self.rare.dbtime.insert(pgno, p.dbtime);
                }
                Compact {
                    objid: p.objid_fdp,
                    prev: p.pgno_prev,
                    next: p.pgno_next,
                    flags: p.flags as u16,
                    live: p.live_nodes,
                    meta: (state::PAGE << 13) | (p.nodes.min(NODES_MASK)),
                }
            }
        };
        self.facts.push(c);
    }
}

/// Pages a segment of the store holds: a segment is allocated only once a page of it is fed, so
/// the holes of a sparse file (and a file never fed) cost no memory.
const SEGMENT: usize = 4096;

/// A segment of [`SEGMENT`] pages.
#[derive(Clone)]
enum Segment {
    /// No page of it fed: every page unread.
    Unread,
    /// Declared a hole, wholly: every page blank.
    Blank,
    /// Pages fed or declared in part.
    Pages(Box<[Compact]>),
}

/// Every data page's facts, by page number.
#[derive(Default)]
pub(crate) struct PageFactStore {
    /// Pages 1 to `pages`.
    pages: usize,
    /// Segment `i` holds pages `i × SEGMENT + 1` on.
    segments: Vec<Segment>,
    rare: Rare,
}

const BLANK: Compact = Compact {
    objid: 0,
    prev: 0,
    next: 0,
    flags: 0,
    live: 0,
    meta: state::BLANK << 13,
};

impl PageFactStore {
    /// The facts of page index `i` (`pgno - 1`), allocating its segment.
    fn slot(&mut self, i: usize) -> Option<&mut Compact> {
        if i >= self.pages {
            return None;
        }
        let seg = &mut self.segments[i / SEGMENT];
        let fill = match seg {
            Segment::Unread => Some(Compact::default()),
            Segment::Blank => Some(BLANK),
            Segment::Pages(_) => None,
        };
        if let Some(c) = fill {
            *seg = Segment::Pages(vec![c; SEGMENT].into_boxed_slice());
        }
        match seg {
            Segment::Pages(p) => p.get_mut(i % SEGMENT),
            _ => None,
        }
    }

    fn get(&self, i: usize) -> Option<Compact> {
        if i >= self.pages {
            return None;
        }
        match &self.segments[i / SEGMENT] {
            Segment::Unread => Some(Compact::default()),
            Segment::Blank => Some(BLANK),
            Segment::Pages(p) => p.get(i % SEGMENT).copied(),
        }
    }
}

impl PageFactStore {
    /// Room for pages 1 to `max_pgno`, every one unread until given.
    pub(crate) fn new(max_pgno: u32) -> Self {
        let pages = max_pgno as usize;
        PageFactStore {
            pages,
            segments: vec![Segment::Unread; pages.div_ceil(SEGMENT)],
            rare: Rare::default(),
        }
    }

    /// Keeps a batch's facts.
    pub(crate) fn merge(&mut self, batch: FactBatch) {
        let start = (batch.first as usize).saturating_sub(1);
        for (k, c) in batch.facts.iter().enumerate() {
            match self.slot(start + k) {
                Some(slot) => *slot = *c,
                None => break,
            }
        }
        self.rare.merge(batch.rare);
    }

    /// Pages `pgnos` are all zero (a hole of a sparse file, never read).
    pub(crate) fn blank(&mut self, pgnos: Range<u32>) {
        let start = (pgnos.start as usize).saturating_sub(1).min(self.pages);
        let end = (pgnos.end as usize).saturating_sub(1).min(self.pages);
        let mut i = start;
        while i < end {
            let seg = i / SEGMENT;
            let seg_end = ((seg + 1) * SEGMENT).min(self.pages);
            if i % SEGMENT == 0 && end >= seg_end && !matches!(self.segments[seg], Segment::Pages(_)) {
                // A whole segment never fed: blank without memory.
                self.segments[seg] = Segment::Blank;
                i = seg_end;
                continue;
            }
            if let Some(slot) = self.slot(i) {
                *slot = BLANK;
            }
            i += 1;
        }
    }

    /// The facts of page `pgno` as the walk reads them.
    pub(crate) fn facts(&self, pgno: u32) -> PageFacts<'_> {
        let Some(c) = (pgno as usize).checked_sub(1).and_then(|i| self.get(i)) else {
            return PageFacts::Unreadable;
        };
        let meta = c.meta;
        match meta >> 13 {
            state::BLANK => PageFacts::Blank,
            state::MALFORMED => match self.rare.malformed.get(&pgno) {
                Some((e, header)) => PageFacts::Malformed(e.clone(), *header),
                None => PageFacts::Unreadable,
            },
            state::PAGE => PageFacts::Page(PageSummary {
                objid_fdp: c.objid,
                flags: u32::from(c.flags),
                pgno_prev: c.prev,
                pgno_next: c.next,
                dbtime: self.rare.dbtime.get(&pgno).copied().unwrap_or(0),
                nodes: meta & NODES_MASK,
                live_nodes: c.live,
                children: self
                    .rare
                    .children
                    .get(&pgno)
                    .map_or(Cow::Borrowed(&[][..]), |c| Cow::Borrowed(&c[..])),
                node_error: self.rare.node_errors.get(&pgno).cloned(),
                key_order: self.rare.key_order.get(&pgno).copied(),
            }),
            _ => {
                let _ = state::UNREAD;
                PageFacts::Unreadable
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_kept_in_18_bytes_and_read_back_as_summarize_reads_it() {
        assert_eq!(std::mem::size_of::<Compact>(), 18);
        // The default database: every page's facts, kept and read back, equal summarize's
        // (dbtimes aside: only one above the header's is kept).
        let file = crate::testkit::DbBuilder::new(4096).pages(60).build();
        let pages: Vec<&[u8]> = file.chunks(4096).skip(2).collect();
        let mut store = PageFactStore::new(pages.len() as u32);
        let mut batch = FactBatch::new(1, pages.len());
        for p in &pages {
            batch.page(Some(p), u64::MAX);
        }
        store.merge(batch);
        for (i, p) in pages.iter().enumerate() {
            let pgno = i as u32 + 1;
            let mut want = summarize(p);
            if let PageFacts::Page(s) = &mut want {
                s.dbtime = 0;
            }
            assert_eq!(store.facts(pgno), want, "page {pgno}");
        }
        assert_eq!(store.facts(0), PageFacts::Unreadable);
        assert_eq!(store.facts(pages.len() as u32 + 1), PageFacts::Unreadable);
        // A page given as not verifying is unreadable; a hole is blank.
        let mut batch = FactBatch::new(5, 1);
        batch.page(None, u64::MAX);
        store.merge(batch);
        assert_eq!(store.facts(5), PageFacts::Unreadable);
        store.blank(6..8);
        assert_eq!((store.facts(6), store.facts(7)), (PageFacts::Blank, PageFacts::Blank));
    }

    #[test]
    fn a_store_for_a_huge_sparse_file_allocates_only_what_is_fed() {
        // 2^28 pages (1 TiB of 4 KiB pages): the holes are blank without a segment each, a fed
        // page allocates one segment, a page past the store is unreadable.
        let pages = 1u32 << 28;
        let mut store = PageFactStore::new(pages);
        store.blank(1..pages + 1);
        assert!(store.segments.iter().all(|s| matches!(s, Segment::Blank)));
        let mut batch = FactBatch::new(5000, 1);
        batch.page(None, u64::MAX);
        store.merge(batch);
        let allocated = store.segments.iter().filter(|s| matches!(s, Segment::Pages(_))).count();
        assert_eq!(allocated, 1);
        assert_eq!(store.facts(5000), PageFacts::Unreadable);
        assert_eq!(
            (store.facts(4999), store.facts(pages)),
            (PageFacts::Blank, PageFacts::Blank)
        );
        assert_eq!(store.facts(pages + 1), PageFacts::Unreadable);
        // A store never fed: every page unread.
        let fresh = PageFactStore::new(pages);
        assert_eq!(fresh.facts(123_456), PageFacts::Unreadable);
    }
}
