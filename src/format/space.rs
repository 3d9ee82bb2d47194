//! Just enough of the B-tree page format to read the database's owned-space tree: the page
//! header fields that describe nodes (PGHDR, ESE-FORMAT.md §3.1–§3.3), the tag array at the end
//! of the page, and the key/data split of a node. Used to find the last page the database owns,
//! which `esentutl /g` compares with the file size ("Database file is too small (expected N pages,
//! file is M pages)"); eseutil /K never looks, so a file cut at a page boundary passes /K.
//!
//! Layout (libesedb's "page values"; confirmed on every database of the corpus):
//!
//! * `itagMicFree` (the low 12 bits of `itagState`, u16 @34; PGHDR in `format::page`) tags, stored from the end of the page backwards: tag `i` is the
//!   4 bytes at `page_size − 4·(i+1)`: `cb` (u16) then `ib` (u16), `ib` counted from the end of
//!   the page header (40 bytes, 80 on 16/32 KiB pages). Small pages keep 13 bits of each and the
//!   tag flags in the top 3 bits of `ib`; large pages keep 15 bits and put the tag flags in the top
//!   3 bits of the node's first u16.
//! * Tag 0 is the page's external header; tags 1.. are nodes, in key order. A node flagged
//!   compressed (0x4) starts with the length of the key prefix it shares with tag 0's bytes; then
//!   the u16 length of its own key bytes, those bytes, and the node's data.
//! * Owned-space tree (page flag 0x20): leaf keys are the last page number of an extent, 4 bytes
//!   big-endian, and the data is its page count (u32); parent nodes hold the child page number
//!   (u32) as data, the last one covering everything above its neighbours.
//!
//! Every read is bounds-checked; a page that does not fit this shape yields an error and no
//! conclusion.

use crate::format::bytes::{FormatError, Reader};
use crate::format::page::{header_len, is_large_page, PageHeader};

/// Database root: `pgnoSystemRoot` (daeconst.hxx); its owned-space tree is rooted at the next
/// page, `pgnoSystemRoot + 1` (the fixed layout every database is created with).
pub(crate) const PGNO_SYSTEM_ROOT: u32 = 1;
/// Root page of the database's owned-space tree.
pub(crate) const PGNO_DB_OWNED_SPACE: u32 = PGNO_SYSTEM_ROOT + 1;
/// `objidFDP` of every page of the database root's trees.
pub(crate) const OBJID_SYSTEM_ROOT: u32 = 1;

/// Tag flag: the node's key shares a prefix with tag 0.
const TAG_COMPRESSED: u16 = 0x4;

/// The header fields of a B-tree page that describe its nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreePage<'a> {
    page: &'a [u8],
    /// `objidFDP` (u32 @24): the tree's owner.
    pub objid_fdp: u32,
    /// `itagMicFree` (low 12 bits of `itagState`, u16 @34): number of tags, tag 0 included.
    pub tags: u16,
    /// `fFlags` (u32 @36; bits in `format::page::flags`).
    pub flags: u32,
}

/// One node (tag ≥ 1) of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node<'a> {
    /// Key bytes shared with tag 0 (the page's prefix).
    pub prefix: &'a [u8],
    /// The node's own key bytes.
    pub suffix: &'a [u8],
    /// The node's data.
    pub data: &'a [u8],
}

impl Node<'_> {
    /// The whole key (prefix then suffix) as a big-endian u32, when it is exactly 4 bytes.
    pub fn key_u32_be(&self) -> Option<u32> {
        if self.prefix.len() + self.suffix.len() != 4 {
            return None;
        }
        let mut k = [0u8; 4];
        k[..self.prefix.len()].copy_from_slice(self.prefix);
        k[self.prefix.len()..].copy_from_slice(self.suffix);
        Some(u32::from_be_bytes(k))
    }

    /// The data as a little-endian u32, when it is at least 4 bytes.
    pub fn data_u32(&self) -> Option<u32> {
        self.data.get(..4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl<'a> TreePage<'a> {
    /// Reads the header fields of `page` (a whole database page).
    pub fn parse(page: &'a [u8]) -> Result<Self, FormatError> {
        let h = PageHeader::parse(page)?;
        Ok(TreePage {
            page,
            objid_fdp: h.objid_fdp,
            tags: h.itag_mic_free(),
            flags: h.flags,
        })
    }

    fn large(&self) -> bool {
        is_large_page(self.page.len())
    }

    fn header_len(&self) -> usize {
        header_len(self.page.len())
    }

    /// The bytes of tag `i` and its flags. The tag array is the last `4·tags` bytes of the page;
    /// every value must lie between the header and the tag array.
    fn tag(&self, i: u16) -> Result<(&'a [u8], u16), FormatError> {
        let page = Reader::new(self.page, "page");
        let array_len = 4 * usize::from(self.tags);
        let array_start = self.page.len().saturating_sub(array_len);
        let array = Reader::new(page.bytes(array_start, array_len, "rgtag")?, "TAG");
        let values = page.bytes(
            self.header_len(),
            array_start.saturating_sub(self.header_len()),
            "values",
        )?;
        // Tag 0 is the last entry of the array; an `i` past the array reads out of bounds.
        let at = usize::from(self.tags)
            .checked_sub(usize::from(i) + 1)
            .map_or(usize::MAX, |k| 4 * k);
        let cb = array.u16(at, "cb")?;
        let ib = array.u16(at.saturating_add(2), "ib")?;
        let (cb, ib, small_flags) = if self.large() {
            (cb & 0x7FFF, ib & 0x7FFF, None)
        } else {
            (cb & 0x1FFF, ib & 0x1FFF, Some(ib >> 13))
        };
        let value = Reader::new(values, "TAG value").bytes(usize::from(ib), usize::from(cb), "value")?;
        let flags = match small_flags {
            Some(f) => f,
            None => Reader::new(value, "node").u16(0, "flags")? >> 13,
        };
        Ok((value, flags))
    }

    /// Node `i` (1 ≤ i < `tags`).
    pub fn node(&self, i: u16) -> Result<Node<'a>, FormatError> {
        let (v, flags) = self.tag(i)?;
        let r = Reader::new(v, "node");
        // On large pages the first u16 of the node also carries the tag flags (top 3 bits).
        let mask = if self.large() { 0x1FFF } else { 0xFFFF };
        let (prefix_len, at) = if flags & TAG_COMPRESSED != 0 {
            (usize::from(r.u16(0, "cbPrefix")? & mask), 2)
        } else {
            (0, 0)
        };
        let mut suffix_len = r.u16(at, "cbSuffix")?;
        if at == 0 {
            suffix_len &= mask;
        }
        let suffix = r.bytes(at + 2, usize::from(suffix_len), "key")?;
        let data = &v[at + 2 + usize::from(suffix_len)..];
        let prefix = if prefix_len == 0 {
            &v[..0]
        } else {
            let (tag0, _) = self.tag(0)?;
            Reader::new(tag0, "page prefix").bytes(0, prefix_len, "prefix")?
        };
        Ok(Node { prefix, suffix, data })
    }

    /// The last node (the highest key), if the page has any.
    pub fn last_node(&self) -> Result<Option<Node<'a>>, FormatError> {
        if self.tags < 2 {
            return Ok(None);
        }
        self.node(self.tags - 1).map(Some)
    }
}

/// `SPACE_HEADER` flag `fSPHMultipleExtent` (space.hxx): the tree keeps its space in OE/AE trees.
pub const SPH_MULTIPLE_EXTENT: u32 = 0x1;
/// `SPACE_HEADER` flag `fSPHNonUnique`: the index allows duplicate keys.
pub const SPH_NON_UNIQUE: u32 = 0x2;
/// `sizeof(SPACE_HEADER)` (space.hxx, packed).
pub const SPACE_HEADER_LEN: usize = 16;
/// `cpgSmallSpaceAvailMost` (_space.hxx:175): the pages of a single extent the avail bitmap
/// describes; pages of the primary extent past these are always available (space.cxx:4560–4580).
pub const SMALL_SPACE_AVAIL_MOST: u32 = 32;
/// `sizeof(SPLIT_BUFFER)` (fcb.hxx): two `EXTENTINFO`s.
pub const SPLIT_BUFFER_LEN: usize = 16;
/// `SPEXTKEY::fSPAvailExtReservedPool` (space.cxx): the first byte of a 5-byte AE key.
const AVAIL_EXT_RESERVED_POOL: u8 = 0x80;
/// `SPEXTKEY::fSPPoolMask`.
const POOL_MASK: u8 = 0x07;
/// Persisted flag of the external header's space-header part (node.cxx
/// `BNDIGetPersistedNrfFlag(noderfSpaceHeader)`), when the header is longer than 16 bytes.
const NRF_SPACE_HEADER: u8 = 0x1;

/// Where a tree keeps its space (`SPACE_HEADER`'s last field, space.hxx:32–90).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extents {
    /// `FSingleExtent()`: the tree owns its primary extent; `rgbitAvail` bit *i* set = page
    /// pgnoFDP + 1 + *i* is free.
    Single {
        /// `m_rgbitAvail` (u32 @12, little-endian).
        avail_bitmap: u32,
    },
    /// `FMultipleExtent()`: owned extents in the OE tree at `pgno_oe`, available ones in the AE
    /// tree at `pgno_oe + 1` ("AE always next page after OE").
    Multiple {
        /// `m_pgnoOE` (u32 @12).
        pgno_oe: u32,
    },
}

/// `SPACE_HEADER` (space.hxx:32–90): the space of one tree, in tag 0 of its root page (FDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceHeader {
    /// `m_cpgPrimary` (u32 @0): pages of the primary extent (v2 headers: of the last allocation).
    pub cpg_primary: u32,
    /// `m_pgnoParent` (u32 @4): the parent FDP's root page (1 for a table, the table's for an
    /// index or long-value tree; 0 for the database root).
    pub pgno_parent: u32,
    /// `m_ulSPHFlags` (u32 @8): [`SPH_MULTIPLE_EXTENT`], [`SPH_NON_UNIQUE`], 0x4 v2.
    pub flags: u32,
    /// The last field (u32 @12) read as the flags say.
    pub extents: Extents,
}

impl SpaceHeader {
    /// Reads the space header from a root page's external header (tag 0): exactly 16 bytes, or a
    /// persisted-flags byte (0x1 space header, 0x2 auto-increment) followed by the parts present
    /// in that order (node.cxx:49–53 and `NDGetPtrExternalHeader`, node.cxx:2253–2330).
    pub fn from_external_header(tag0: &[u8]) -> Result<Self, FormatError> {
        let bytes = match tag0.len() {
            SPACE_HEADER_LEN => tag0,
            n if n > SPACE_HEADER_LEN && tag0[0] & NRF_SPACE_HEADER != 0 => &tag0[1..=SPACE_HEADER_LEN],
            n => {
                return Err(FormatError {
                    structure: "SPACE_HEADER",
                    field: "cbExternalHeader",
                    offset: 0,
                    available: n,
                })
            }
        };
        let r = Reader::new(bytes, "SPACE_HEADER");
        let flags = r.u32(8, "ulSPHFlags")?;
        let last = r.u32(12, "pgnoOE")?;
        Ok(SpaceHeader {
            cpg_primary: r.u32(0, "cpgPrimary")?,
            pgno_parent: r.u32(4, "pgnoParent")?,
            flags,
            extents: if flags & SPH_MULTIPLE_EXTENT != 0 {
                Extents::Multiple { pgno_oe: last }
            } else {
                Extents::Single { avail_bitmap: last }
            },
        })
    }

    /// `FNonUnique()`.
    pub fn is_non_unique(&self) -> bool {
        self.flags & SPH_NON_UNIQUE != 0
    }
}

/// A run of pages as the space trees store it: the last page and the count (`EXTENTINFO`,
/// fcb.hxx; an OE/AE leaf node: key = last page, data = count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Extent {
    /// `pgnoLastInExtent`.
    pub pgno_last: u32,
    /// `cpgExtent` (0 = an empty extent, which holds no page).
    pub cpg: u32,
}

impl Extent {
    /// The first page, when the extent holds any page and does not reach below page 1.
    pub fn pgno_first(&self) -> Option<u32> {
        if self.cpg == 0 {
            return None;
        }
        self.pgno_last.checked_sub(self.cpg - 1).filter(|&f| f >= 1)
    }
}

/// `SpacePool` (_space.hxx:8–23): which pool of an AE tree an extent is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pool {
    /// `AvailExtLegacyGeneralPool` (0): a 4-byte key.
    General,
    /// `ContinuousPool` (1): reserved for contiguous allocations.
    Continuous,
    /// `ShelvedPool` (2): available pages beyond the end of the file, which cannot be used.
    Shelved,
}

/// One leaf node of an OE or AE tree: its pool and extent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceNode {
    /// The pool (always [`Pool::General`] in an OE tree).
    pub pool: Pool,
    /// The extent.
    pub extent: Extent,
}

/// Reads a space-tree leaf node (`CSPExtentInfo`, space.cxx:1134–1271, validated as
/// `ErrSPIREPAIRValidateSpaceNode` does at space.cxx:2145): a 4-byte big-endian key (the last
/// page), or in an AE tree 5 bytes `0x80 | pool` then the last page; the data a u32 page count.
/// A pool byte with reserved bits, an unknown pool, another key length or a short data part is an
/// error.
pub fn parse_space_node(key: &[u8], data: &[u8], avail: bool) -> Result<SpaceNode, FormatError> {
    let bad = |field, n| FormatError {
        structure: if avail { "AE node" } else { "OE node" },
        field,
        offset: 0,
        available: n,
    };
    let (pool, pgno) = match key.len() {
        4 => (Pool::General, key),
        5 if avail && key[0] & !POOL_MASK == AVAIL_EXT_RESERVED_POOL => {
            let pool = match key[0] & POOL_MASK {
                1 => Pool::Continuous,
                2 => Pool::Shelved,
                _ => return Err(bad("pool", 5)),
            };
            (pool, &key[1..])
        }
        n => return Err(bad("cbKey", n)),
    };
    if data.len() != 4 {
        return Err(bad("cpgExtent", data.len()));
    }
    let cpg = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    if cpg > i32::MAX as u32 {
        return Err(bad("cpgExtent", 4));
    }
    Ok(SpaceNode {
        pool,
        extent: Extent {
            pgno_last: u32::from_be_bytes([pgno[0], pgno[1], pgno[2], pgno[3]]),
            cpg,
        },
    })
}

/// Reads the `SPLIT_BUFFER` of a space tree's root page (fcb.hxx:73–104, checked at
/// repair.cxx:6300–6360): tag 0 empty (no buffer) or 16 bytes, two (last page, count) pairs.
/// Buffers with a count of 0 hold nothing and are left out.
pub fn parse_split_buffer(tag0: &[u8]) -> Result<Vec<Extent>, FormatError> {
    match tag0.len() {
        0 => Ok(Vec::new()),
        SPLIT_BUFFER_LEN => {
            let r = Reader::new(tag0, "SPLIT_BUFFER");
            let mut out = Vec::new();
            for at in [0, 8] {
                let e = Extent {
                    pgno_last: r.u32(at, "pgnoLastInExtent")?,
                    cpg: r.u32(at + 4, "cpgExtent")?,
                };
                if e.cpg != 0 {
                    out.push(e);
                }
            }
            Ok(out)
        }
        n => Err(FormatError {
            structure: "SPLIT_BUFFER",
            field: "cb",
            offset: 0,
            available: n,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4 KiB space-tree leaf holding the given (last pgno, count) extents, laid out as ESE
    /// does: tag 0 empty, nodes packed after the 40-byte header.
    fn leaf(extents: &[(u32, u32)]) -> Vec<u8> {
        let mut p = vec![0u8; 4096];
        p[24..28].copy_from_slice(&1u32.to_le_bytes());
        p[34..36].copy_from_slice(&(extents.len() as u16 + 1).to_le_bytes());
        p[36..40].copy_from_slice(&0xA823u32.to_le_bytes());
        let mut ib = 0usize;
        for (i, (last, count)) in extents.iter().enumerate() {
            let node = [&4u16.to_le_bytes()[..], &last.to_be_bytes(), &count.to_le_bytes()].concat();
            p[40 + ib..40 + ib + node.len()].copy_from_slice(&node);
            let at = 4096 - 4 * (i + 2);
            p[at..at + 2].copy_from_slice(&(node.len() as u16).to_le_bytes());
            p[at + 2..at + 4].copy_from_slice(&(ib as u16).to_le_bytes());
            ib += node.len();
        }
        p
    }

    #[test]
    fn reads_the_last_extent_of_a_leaf() {
        let p = leaf(&[(0x6E, 0x10), (0x7E, 0x10), (0x8E, 0x10)]);
        let t = TreePage::parse(&p).unwrap();
        assert_eq!(t.tags, 4);
        let n = t.last_node().unwrap().unwrap();
        assert_eq!((n.key_u32_be(), n.data_u32()), (Some(0x8E), Some(0x10)));
    }

    #[test]
    fn reserved_tag_bits_of_itag_state_are_not_tags() {
        // ESE-FORMAT.md §3.1: itagState keeps itagMicFree in its low 12 bits, ctagReserved in
        // bits 12-14 (183 pages of the corpus have them set, none in the database root's trees).
        let mut p = leaf(&[(0x6E, 0x10), (0x8E, 0x10)]);
        p[34..36].copy_from_slice(&(0x3000u16 | 3).to_le_bytes());
        let t = TreePage::parse(&p).unwrap();
        assert_eq!(t.tags, 3);
        let n = t.last_node().unwrap().unwrap();
        assert_eq!((n.key_u32_be(), n.data_u32()), (Some(0x8E), Some(0x10)));
    }

    #[test]
    fn hostile_tags_are_errors_not_panics() {
        let mut p = leaf(&[(0xFE, 0xFE)]);
        // ib pointing past the tag array.
        p[4096 - 8 + 2..4096 - 8 + 4].copy_from_slice(&0x1FF0u16.to_le_bytes());
        assert!(TreePage::parse(&p).unwrap().last_node().is_err());
        // A tag count larger than the page can hold.
        let mut p = leaf(&[(0xFE, 0xFE)]);
        p[34..36].copy_from_slice(&0xFFFFu16.to_le_bytes());
        assert!(TreePage::parse(&p).unwrap().last_node().is_err());
        // Too short for a header.
        assert!(TreePage::parse(&p[..30]).is_err());
    }

    #[test]
    fn a_compressed_key_takes_its_prefix_from_tag_zero() {
        let mut p = vec![0u8; 4096];
        p[34..36].copy_from_slice(&2u16.to_le_bytes());
        // tag 0: 2 bytes of prefix at ib 0; tag 1: compressed node at ib 2.
        p[40..42].copy_from_slice(&[0x00, 0x00]);
        let node = [
            &2u16.to_le_bytes()[..],
            &2u16.to_le_bytes(),
            &[0x01, 0x2C],
            &7u32.to_le_bytes(),
        ]
        .concat();
        p[42..42 + node.len()].copy_from_slice(&node);
        p[4092..4094].copy_from_slice(&2u16.to_le_bytes());
        p[4088..4090].copy_from_slice(&(node.len() as u16).to_le_bytes());
        p[4090..4092].copy_from_slice(&(2u16 | (0x4 << 13)).to_le_bytes());
        let n = TreePage::parse(&p).unwrap().last_node().unwrap().unwrap();
        assert_eq!((n.key_u32_be(), n.data_u32()), (Some(300), Some(7)));
    }
}
