//! The tag array and the nodes of a B-tree page (LOGICAL-INTEGRITY.md §3.2; the engine's
//! `CPAGE::TAG` in cpage.hxx and `NDILineToKeydataflags` / `NDIGetPrefix` in node.cxx). Pure
//! parsing over one page's bytes: whether the page verifies, and whether it belongs where a tree
//! says, is for the caller to decide.
//!
//! Layout:
//!
//! * The tags are stored from the end of the page backwards: tag `i` is the 4 bytes at
//!   `page_size − 4·(i+1)`, `cb` (u16) then `ib` (u16), `ib` counted from the end of the page
//!   header (PGHDR, 40 bytes; PGHDR2, 80 bytes on 16/32 KiB pages). `itagState` (u16 @34) holds
//!   `itagMicFree`, the number of tags, in its low 12 bits and `ctagReserved` in bits 12–14.
//! * Small pages (≤ 8 KiB) keep 13 bits of `cb` and `ib` and the node flags in the top 3 bits of
//!   `ib`; large pages (16/32 KiB) keep 15 bits of each and the node flags in the top 3 bits of the
//!   node's first u16 (`CPAGE::TAG::FFlags`).
//! * Tag 0 is the page's external header (on a tree's root page, its space header). Tags below
//!   `max(1, ctagReserved)` are reserved; the nodes are the tags from there to `itagMicFree − 1`,
//!   in key order (cpage.hxx: the engine forces `ctagReserved` to at least 1 for pages written
//!   before the count was stored).
//! * A node is `[cbPrefix u16 if fNDCompressed] cbSuffix u16, suffix bytes, data`; both lengths
//!   are masked with `usNDCbKeyMask` (0x1FFF), which also drops the flags a large page keeps there.
//!   The prefix is the first `cbPrefix` bytes of the page's prefix source: all of tag 0 on a page
//!   that is not a root, tag 0 after its 16-byte `SPLIT_BUFFER` on the root of a space tree, none
//!   on the root of any other tree.
//!
//! Every value must lie between the page header and the tag array; anything else is a
//! `FormatError` naming the tag field, never a panic.

use super::bytes::{FormatError, Reader};
use super::page::{flags as page_flags, header_len, is_large_page, PageHeader, PAGE_SIZES};

/// Node flags (node.hxx `fND…`), the top 3 bits of a tag (small pages) or of a node's first u16
/// (large pages).
pub mod node_flags {
    /// `fNDVersion`: the node has (or had) a version in the engine's version store. A stale hint
    /// in a file at rest, meaningless offline.
    pub const VERSION: u16 = 0x1;
    /// `fNDDeleted`: the node is deleted (flag-deleted, awaiting cleanup); it is not a record.
    pub const DELETED: u16 = 0x2;
    /// `fNDCompressed`: the node's key starts with a prefix shared with the page's prefix source.
    pub const COMPRESSED: u16 = 0x4;
}

/// `usNDCbKeyMask`: the bits of `cbPrefix` and `cbSuffix` that are a length.
const CB_KEY_MASK: u16 = 0x1FFF;
/// Small-page tags: 13-bit `cb` and `ib` (`mskSmallTagIbCb`).
const SMALL_TAG_MASK: u16 = 0x1FFF;
/// Large-page tags: 15-bit `cb` and `ib` (`mskLargeTagIbCb`).
const LARGE_TAG_MASK: u16 = 0x7FFF;
/// `PGHDR::CTAG_RESERVED_MASK` and its shift: `ctagReserved` in bits 12–14 of `itagState`.
const CTAG_RESERVED_MASK: u16 = 0x7000;
const CTAG_RESERVED_SHIFT: u16 = 12;
/// `sizeof(SPLIT_BUFFER)`, at the start of tag 0 on a space tree's root page.
const SPLIT_BUFFER_LEN: usize = 16;

/// One entry of the tag array (`CPAGE::TAG`), its fields masked for the page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    /// `cb_`: length of the tag's value.
    pub cb: u16,
    /// `ib_`: offset of the value, counted from the end of the page header.
    pub ib: u16,
    /// The node flags ([`node_flags`]), from the tag (small pages) or the value (large pages).
    pub flags: u16,
}

/// One node of a page (the engine's `KEYDATAFLAGS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDataFlags<'a> {
    /// The tag's index on the page.
    pub itag: u16,
    /// `fFlags` ([`node_flags`]).
    pub flags: u16,
    /// `key.prefix`: the key bytes shared with the page's prefix source (empty unless compressed).
    pub prefix: &'a [u8],
    /// `key.suffix`: the node's own key bytes.
    pub suffix: &'a [u8],
    /// `data`: the node's data (a record on a table's leaf, a child page number on an internal
    /// page).
    pub data: &'a [u8],
}

impl KeyDataFlags<'_> {
    /// `fNDDeleted`: the node is not a record.
    pub fn is_deleted(&self) -> bool {
        self.flags & node_flags::DELETED != 0
    }

    /// `fNDVersion`.
    pub fn is_versioned(&self) -> bool {
        self.flags & node_flags::VERSION != 0
    }

    /// `fNDCompressed`.
    pub fn is_compressed(&self) -> bool {
        self.flags & node_flags::COMPRESSED != 0
    }

    /// The whole key: prefix then suffix.
    pub fn key(&self) -> Vec<u8> {
        [self.prefix, self.suffix].concat()
    }
}

/// A B-tree page read for its tags and nodes: the header fields that describe them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePage<'a> {
    page: &'a [u8],
    /// `objidFDP` (u32 @24): the tree the page belongs to.
    pub objid_fdp: u32,
    /// `pgnoPrev` (u32 @16).
    pub pgno_prev: u32,
    /// `pgnoNext` (u32 @20).
    pub pgno_next: u32,
    /// `fFlags` (u32 @36).
    pub flags: u32,
    /// `itagMicFree`: the number of tags, tag 0 included.
    pub itag_mic_free: u16,
    /// `ctagReserved` as the engine uses it: at least 1.
    pub ctag_reserved: u16,
}

impl<'a> NodePage<'a> {
    /// Reads the header of `page`, a whole page of one of the sizes ESE writes.
    pub fn parse(page: &'a [u8]) -> Result<Self, FormatError> {
        if !PAGE_SIZES.contains(&page.len()) {
            return Err(FormatError {
                structure: "page",
                field: "cbPage",
                offset: 0,
                available: page.len(),
            });
        }
        let h = PageHeader::parse(page)?;
        let itag_mic_free = h.itag_mic_free();
        if 4 * usize::from(itag_mic_free) > page.len() - header_len(page.len()) {
            return Err(FormatError {
                structure: if is_large_page(page.len()) { "PGHDR2" } else { "PGHDR" },
                field: "itagState",
                offset: 34,
                available: page.len(),
            });
        }
        Ok(NodePage {
            page,
            objid_fdp: h.objid_fdp,
            pgno_prev: h.pgno_prev,
            pgno_next: h.pgno_next,
            flags: h.flags,
            itag_mic_free,
            ctag_reserved: ((h.itag_state & CTAG_RESERVED_MASK) >> CTAG_RESERVED_SHIFT).max(1),
        })
    }

    /// True on a 16 or 32 KiB page (15-bit tags, flags in the node).
    pub fn is_large(&self) -> bool {
        is_large_page(self.page.len())
    }

    /// `fPageRoot`.
    pub fn is_root(&self) -> bool {
        self.flags & page_flags::ROOT != 0
    }

    /// `fPageLeaf`.
    pub fn is_leaf(&self) -> bool {
        self.flags & page_flags::LEAF != 0
    }

    /// `fPageSpaceTree`.
    pub fn is_space_tree(&self) -> bool {
        self.flags & page_flags::SPACE_TREE != 0
    }

    /// The tags that are nodes: `max(1, ctagReserved)` up to `itagMicFree − 1`.
    pub fn node_tags(&self) -> std::ops::Range<u16> {
        self.ctag_reserved.min(self.itag_mic_free)..self.itag_mic_free
    }

    /// The bytes between the header and the tag array, where every value lies.
    fn values(&self) -> &'a [u8] {
        let start = header_len(self.page.len());
        let end = self.page.len() - 4 * usize::from(self.itag_mic_free);
        // `parse` checked that the tag array fits after the header.
        self.page.get(start..end).unwrap_or(&[])
    }

    /// Tag `itag` and its value.
    pub fn tag(&self, itag: u16) -> Result<(Tag, &'a [u8]), FormatError> {
        let page = Reader::new(self.page, "TAG");
        let available = self.page.len();
        if itag >= self.itag_mic_free {
            return Err(FormatError {
                structure: "TAG",
                field: "itag",
                offset: usize::from(itag),
                available: usize::from(self.itag_mic_free),
            });
        }
        let at = available - 4 * (usize::from(itag) + 1);
        let cb_raw = page.u16(at, "cb")?;
        let ib_raw = page.u16(at + 2, "ib")?;
        let mask = if self.is_large() {
            LARGE_TAG_MASK
        } else {
            SMALL_TAG_MASK
        };
        let (cb, ib) = (cb_raw & mask, ib_raw & mask);
        let value = Reader::new(self.values(), "TAG value").bytes(usize::from(ib), usize::from(cb), "ib")?;
        let flags = if self.is_large() {
            // CPAGE::TAG::FFlags: a value shorter than a u16 has no flags.
            value.get(..2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) >> 13)
        } else {
            ib_raw >> 13
        };
        Ok((Tag { cb, ib, flags }, value))
    }

    /// Tag 0, the external header: a root page's space header, a page's prefix source.
    pub fn external_header(&self) -> Result<&'a [u8], FormatError> {
        Ok(self.tag(0)?.1)
    }

    /// The bytes a compressed key's prefix is taken from (node.cxx `NDIGetPrefix`).
    fn prefix_source(&self) -> Result<&'a [u8], FormatError> {
        if !self.is_root() {
            self.external_header()
        } else if self.is_space_tree() {
            let tag0 = self.external_header()?;
            Ok(tag0.get(SPLIT_BUFFER_LEN..).unwrap_or(&[]))
        } else {
            Ok(&[])
        }
    }

    /// Node `itag`: its flags, key prefix and suffix, and data.
    pub fn node(&self, itag: u16) -> Result<KeyDataFlags<'a>, FormatError> {
        let (tag, v) = self.tag(itag)?;
        let r = Reader::new(v, "node");
        let compressed = tag.flags & node_flags::COMPRESSED != 0;
        let (cb_prefix, at) = if compressed {
            (usize::from(r.u16(0, "cbPrefix")? & CB_KEY_MASK), 2)
        } else {
            (0, 0)
        };
        let cb_suffix = usize::from(r.u16(at, "cbSuffix")? & CB_KEY_MASK);
        let suffix = r.bytes(at + 2, cb_suffix, "suffix")?;
        let data = r.bytes(at + 2 + cb_suffix, v.len() - (at + 2 + cb_suffix), "data")?;
        let prefix = if cb_prefix == 0 {
            &[][..]
        } else {
            Reader::new(self.prefix_source()?, "prefix source").bytes(0, cb_prefix, "cbPrefix")?
        };
        Ok(KeyDataFlags {
            itag,
            flags: tag.flags,
            prefix,
            suffix,
            data,
        })
    }

    /// Every node of the page, in tag order; the first node that cannot be read ends it with an
    /// error.
    pub fn nodes(&self) -> impl Iterator<Item = Result<KeyDataFlags<'a>, FormatError>> + '_ {
        self.node_tags().map(move |i| self.node(i))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A page of `size` bytes with the given header fields and tag values (tag 0 first), packed
    /// after the header as ESE packs them. `flags[i]` are the node flags of value `i`: in the tag
    /// on small pages, in the value's first u16 on large pages (the caller's bytes must hold them).
    pub(crate) fn build_page(size: usize, objid: u32, page_flags: u32, values: &[(&[u8], u16)]) -> Vec<u8> {
        let mut p = vec![0u8; size];
        let hl = header_len(size);
        p[24..28].copy_from_slice(&objid.to_le_bytes());
        p[34..36].copy_from_slice(&(values.len() as u16).to_le_bytes());
        p[36..40].copy_from_slice(&page_flags.to_le_bytes());
        let mut ib = 0usize;
        for (i, (v, flags)) in values.iter().enumerate() {
            let mut v = v.to_vec();
            if is_large_page(size) && v.len() >= 2 {
                v[1] |= (*flags as u8) << 5;
            }
            p[hl + ib..hl + ib + v.len()].copy_from_slice(&v);
            let at = size - 4 * (i + 1);
            p[at..at + 2].copy_from_slice(&(v.len() as u16).to_le_bytes());
            let ib_field = if is_large_page(size) {
                ib as u16
            } else {
                ib as u16 | (flags << 13)
            };
            p[at + 2..at + 4].copy_from_slice(&ib_field.to_le_bytes());
            ib += v.len();
        }
        p
    }

    /// A node's bytes: `[cbPrefix] cbSuffix suffix data`.
    pub(crate) fn node_bytes(prefix_len: Option<u16>, suffix: &[u8], data: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        if let Some(p) = prefix_len {
            v.extend_from_slice(&p.to_le_bytes());
        }
        v.extend_from_slice(&(suffix.len() as u16).to_le_bytes());
        v.extend_from_slice(suffix);
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn small_page_flags_are_in_the_tag() {
        let n1 = node_bytes(None, b"ab", b"DATA");
        let n2 = node_bytes(Some(3), b"z", b"D2");
        let p = build_page(
            4096,
            7,
            page_flags::LEAF,
            &[
                (b"PFXrest", 0),
                (&n1, node_flags::DELETED | node_flags::VERSION),
                (&n2, node_flags::COMPRESSED),
            ],
        );
        let page = NodePage::parse(&p).unwrap();
        assert_eq!((page.objid_fdp, page.itag_mic_free, page.ctag_reserved), (7, 3, 1));
        assert_eq!(page.external_header().unwrap(), b"PFXrest");
        let a = page.node(1).unwrap();
        assert!(a.is_deleted() && a.is_versioned() && !a.is_compressed());
        assert_eq!((a.prefix, a.suffix, a.data), (&b""[..], &b"ab"[..], &b"DATA"[..]));
        let b = page.node(2).unwrap();
        assert!(b.is_compressed() && !b.is_deleted());
        assert_eq!((b.prefix, b.suffix, b.data), (&b"PFX"[..], &b"z"[..], &b"D2"[..]));
        assert_eq!(b.key(), b"PFXz");
        assert_eq!(page.nodes().count(), 2);
    }

    #[test]
    fn large_page_flags_are_in_the_node_and_masked_off_its_length() {
        let n1 = node_bytes(Some(2), b"k", b"DATA");
        let p = build_page(
            32768,
            9,
            page_flags::LEAF,
            &[(b"XYZ", 0), (&n1, node_flags::COMPRESSED | node_flags::DELETED)],
        );
        let page = NodePage::parse(&p).unwrap();
        assert!(page.is_large());
        let a = page.node(1).unwrap();
        assert_eq!(a.flags, node_flags::COMPRESSED | node_flags::DELETED);
        assert_eq!((a.prefix, a.suffix, a.data), (&b"XY"[..], &b"k"[..], &b"DATA"[..]));
    }

    #[test]
    fn reserved_tags_are_not_nodes() {
        let n = node_bytes(None, b"k", b"d");
        let mut p = build_page(16384, 1, page_flags::LEAF, &[(b"", 0), (&n, 0), (&n, 0)]);
        // ctagReserved 2: tag 1 is reserved, tag 2 is the only node.
        p[34..36].copy_from_slice(&0x2003u16.to_le_bytes());
        let page = NodePage::parse(&p).unwrap();
        assert_eq!((page.itag_mic_free, page.ctag_reserved), (3, 2));
        assert_eq!(page.node_tags(), 2..3);
    }

    #[test]
    fn the_root_of_a_space_tree_takes_its_prefix_after_the_split_buffer() {
        let mut tag0 = vec![0xEEu8; SPLIT_BUFFER_LEN];
        tag0.extend_from_slice(b"AB");
        let n = node_bytes(Some(2), b"C", b"d");
        let p = build_page(
            4096,
            1,
            page_flags::ROOT | page_flags::SPACE_TREE | page_flags::LEAF,
            &[(&tag0, 0), (&n, node_flags::COMPRESSED)],
        );
        assert_eq!(NodePage::parse(&p).unwrap().node(1).unwrap().key(), b"ABC");
        // The root of an ordinary tree has no prefix source.
        let p = build_page(
            4096,
            1,
            page_flags::ROOT | page_flags::LEAF,
            &[(&tag0, 0), (&n, node_flags::COMPRESSED)],
        );
        assert_eq!(NodePage::parse(&p).unwrap().node(1).unwrap_err().field, "cbPrefix");
    }

    #[test]
    fn a_tag_pointing_past_the_values_is_an_error() {
        let n = node_bytes(None, b"k", b"d");
        let mut p = build_page(4096, 1, page_flags::LEAF, &[(b"", 0), (&n, 0)]);
        // ib of tag 1 = 0x1F00: past the end of the page.
        p[4096 - 8 + 2..4096 - 8 + 4].copy_from_slice(&0x1F00u16.to_le_bytes());
        let e = NodePage::parse(&p).unwrap().node(1).unwrap_err();
        assert_eq!((e.structure, e.field), ("TAG value", "ib"));
        // cb reaching into the tag array.
        let mut p = build_page(4096, 1, page_flags::LEAF, &[(b"", 0), (&n, 0)]);
        p[4096 - 8..4096 - 6].copy_from_slice(&0x1FFFu16.to_le_bytes());
        assert!(NodePage::parse(&p).unwrap().node(1).is_err());
    }

    #[test]
    fn hostile_lengths_are_errors() {
        // cbSuffix longer than the node.
        let mut n = node_bytes(None, b"k", b"d");
        n[0] = 0xFF;
        let p = build_page(8192, 1, page_flags::LEAF, &[(b"", 0), (&n, 0)]);
        assert_eq!(NodePage::parse(&p).unwrap().node(1).unwrap_err().field, "suffix");
        // A one-byte node has no cbSuffix.
        let p = build_page(8192, 1, page_flags::LEAF, &[(b"", 0), (b"x", 0)]);
        assert_eq!(NodePage::parse(&p).unwrap().node(1).unwrap_err().field, "cbSuffix");
        // More tags than the page can hold.
        let mut p = build_page(4096, 1, page_flags::LEAF, &[(b"", 0)]);
        p[34..36].copy_from_slice(&0x0FFFu16.to_le_bytes());
        assert_eq!(NodePage::parse(&p).unwrap_err().field, "itagState");
        // Not a page size.
        assert_eq!(NodePage::parse(&[0u8; 100]).unwrap_err().field, "cbPage");
        // A tag that does not exist.
        let p = build_page(4096, 1, page_flags::LEAF, &[(b"", 0)]);
        assert_eq!(NodePage::parse(&p).unwrap().tag(1).unwrap_err().field, "itag");
        let p = vec![0u8; 4096];
        assert!(NodePage::parse(&p).unwrap().external_header().is_err());
    }
}
