//! Shared input shaping for the fuzz targets: turn raw fuzz bytes into inputs that get past the
//! checksum gates (resealing headers, pages, segments and LRCHECKSUM records) so the fuzzer
//! reaches the walks behind them, and lay out several in-memory files in a directory.

use esecheck::checksum::legacy_log::{range_checksum, short_checksum};
use esecheck::format::log_record::{
    LrChecksum, LRCHECKSUM_SIZE, LRTYP_CHECKSUM, SHORT_ON,
};
use esecheck::testkit::checkpoint::seal_checkpoint;
use esecheck::testkit::damage::reseal_legacy_header;
use esecheck::testkit::db::seal_page;
use esecheck::testkit::log::seal_segment;
use std::path::Path;

const PAGE_SIZES: [usize; 5] = [2048, 4096, 8192, 16384, 32768];

fn u32_at(b: &[u8], o: usize) -> u32 {
    b.get(o..o + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Database image fix-ups. Flag bit 0: reseal the primary header (page size from @236, 0 = 4096)
/// and copy it over the shadow. Bit 1: seal every page for its logical page number.
pub fn seal_database(flags: u8, img: &mut [u8]) {
    let field = u32_at(img, 236) as usize;
    let ps = if field == 0 { 4096 } else { field };
    if !PAGE_SIZES.contains(&ps) || img.len() < 2 * ps {
        return;
    }
    if flags & 1 != 0 {
        reseal_legacy_header(&mut img[..ps]);
        let (a, b) = img.split_at_mut(ps);
        b[..ps].copy_from_slice(a);
    }
    if flags & 2 != 0 {
        for (i, page) in img.chunks_exact_mut(ps).enumerate().skip(2) {
            seal_page(page, (i - 1) as u32);
        }
    }
}

/// Checkpoint fix-up: reseal both 4096-byte copies.
pub fn seal_checkpoint_image(img: &mut [u8]) {
    if img.len() >= 8192 {
        seal_checkpoint(&mut img[..8192]);
    }
}

fn put_u16(b: &mut [u8], o: usize, v: u16) {
    b[o..o + 2].copy_from_slice(&v.to_le_bytes());
}
fn put_u32(b: &mut [u8], o: usize, v: u32) {
    b[o..o + 4].copy_from_slice(&v.to_le_bytes());
}

/// Builds a log image that passes `check_log`'s header gates, from fuzz bytes.
///
/// `data[0]` = mode: bit 0 v7 (7.3704, LRCHECKSUM walk) else v8 (8.4000, segment walk); bit 1
/// fix up checksums (v8: seal segments whose bit is set in the mask `data[2..4]`, writing their
/// expected lgpos; v7: recompute the LRCHECKSUM chain); bit 2 (v7) 4096-byte sectors instead of
/// 512; bit 3 keep the fuzzed le_filetype; v8 only: bit 4 keep the fuzzed segment lgpos (stale or
/// future segments), bit 5 seal as a shadow copy (`pgno = isec - 1`), bit 6 flip one bit after
/// sealing (the single-bit correction path); bit 7 keep the fuzzed `le_lGeneration` (else it is
/// folded into 1..=0x7FFFFA00, so the scan is reached past CLI.md Decision 2's generation gate
/// instead of stopping there half the time; a generation already in range is kept). `data[1]` picks the number of
/// sectors. The rest is the file image from offset 0, cut or zero-padded to the size the header
/// promises; version, sector size and counts are forced, the header checksum resealed.
pub fn build_log(data: &[u8]) -> Option<Vec<u8>> {
    let (&mode, rest) = data.split_first()?;
    let (&csec_b, rest) = rest.split_first()?;
    let (mask, body) = if rest.len() >= 2 {
        (u16::from_le_bytes([rest[0], rest[1]]), &rest[2..])
    } else {
        (0, rest)
    };
    let v7 = mode & 1 != 0;
    let cb_sec: usize = if v7 && mode & 4 == 0 { 512 } else { 4096 };
    let csec_header = 4096 / cb_sec;
    let extra = if cb_sec == 512 {
        usize::from(csec_b % 64)
    } else {
        usize::from(csec_b % 16)
    };
    let csec = csec_header + 1 + extra;
    let mut img = vec![0u8; csec * cb_sec];
    let n = body.len().min(img.len());
    img[..n].copy_from_slice(&body[..n]);
    put_u16(&mut img, 8, cb_sec as u16);
    put_u16(&mut img, 10, csec_header as u16);
    put_u16(&mut img, 12, csec as u16);
    if v7 {
        put_u32(&mut img, 32, 7);
        put_u32(&mut img, 36, 3704);
    } else {
        put_u32(&mut img, 32, 8);
        put_u32(&mut img, 36, 4000);
    }
    if mode & 8 == 0 {
        put_u32(&mut img, 667, 3);
    }
    let g = u32_at(&img, 4);
    if mode & 0x80 == 0 && !(1..=0x7FFF_FA00).contains(&g) {
        put_u32(&mut img, 4, g % 0x7FFF_FA00 + 1);
    }
    reseal_legacy_header(&mut img[..4096]);
    let gen = u32_at(&img, 4);
    if mode & 2 != 0 {
        if v7 {
            fix_lrchecksums(&mut img, csec_header * cb_sec, cb_sec, gen);
        } else {
            for isec in 1..csec {
                if mask & (1 << (isec % 16)) == 0 {
                    continue;
                }
                let seg = &mut img[isec * 4096..(isec + 1) * 4096];
                if mode & 0x10 == 0 {
                    put_u16(seg, 10, isec as u16);
                    put_u32(seg, 12, gen);
                }
                put_u32(seg, 36, u32_at(seg, 36) | 0x2000);
                let pgno = if mode & 0x20 != 0 { isec - 1 } else { isec };
                seal_segment(seg, pgno as u32);
                if mode & 0x40 != 0 {
                    let bit = (isec * 977 + usize::from(csec_b)) % (4096 * 8 - 64) + 64;
                    seg[bit / 8] ^= 1 << (bit % 8);
                }
            }
        }
    }
    Some(img)
}

/// Follows the cbNext chain from `start` and recomputes every record's range (and short)
/// checksum in chain order: a record's backward range (its sector so far) then sees the final
/// bytes of the records before it, as ESE writes them.
fn fix_lrchecksums(img: &mut [u8], start: usize, cb_sec: usize, gen: u32) {
    let mut chain = Vec::new();
    let mut pos = start;
    for _ in 0..img.len() / LRCHECKSUM_SIZE + 1 {
        let Some(rec) = LrChecksum::read(img, pos) else { break };
        if rec.lrtyp != LRTYP_CHECKSUM {
            break;
        }
        chain.push(pos);
        if rec.cb_next == 0 {
            break;
        }
        match (rec.cb_next as usize).checked_add(pos + LRCHECKSUM_SIZE) {
            Some(n) if n < img.len() && n > pos => pos = n,
            _ => break,
        }
    }
    for &pos in &chain {
        let Some(rec) = LrChecksum::read(img, pos) else {
            continue;
        };
        if rec.use_short == SHORT_ON {
            if let Some(s) = short_checksum(img, pos, &rec, gen, cb_sec) {
                put_u32(img, pos + 17, s);
            }
        }
        if let Some(c) = range_checksum(img, pos, &rec, gen) {
            put_u32(img, pos + 13, c);
        }
    }
}

/// File names the directory target can pick by index (the rest come inline).
pub const NAMES: [&str; 16] = [
    "E00.log",
    "E0000001.log",
    "E0000002.log",
    "E0000003.log",
    "E00tmp.log",
    "E00.chk",
    "E00res00001.jrs",
    "db.edb",
    "db.jfm",
    "SRU.log",
    "SRU00001.log",
    "SRU.chk",
    "SRUDB.dat",
    "E00FFFFF.log",
    "edb00001.log",
    "junk.txt",
];

/// Most files and bytes per file in one directory input.
pub const MAX_FILES: usize = 6;
pub const MAX_FILE: usize = 96 * 1024;

/// Splits fuzz bytes into files written to `dir` (which is emptied first). Each file:
/// `name_byte`, then if `name_byte & 0x10` an inline name (`len`, `len` bytes, kept to
/// `[A-Za-z0-9._-]`) else `NAMES[name_byte & 0x0F]`; a 3-byte little-endian length (capped);
/// the contents. `name_byte & 0x80` reseals a log header (first 4096 bytes), `& 0x40` both
/// checkpoint copies.
pub fn write_dir(data: &[u8], dir: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        std::fs::remove_file(e?.path())?;
    }
    let mut rest = data;
    for _ in 0..MAX_FILES {
        let Some((&nb, r)) = rest.split_first() else { break };
        rest = r;
        let name: String = if nb & 0x10 != 0 {
            let Some((&len, r)) = rest.split_first() else { break };
            let len = usize::from(len % 24).min(r.len());
            let raw = &r[..len];
            rest = &r[len..];
            raw.iter()
                .map(|&b| {
                    if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                        b as char
                    } else {
                        '_'
                    }
                })
                .collect()
        } else {
            NAMES[usize::from(nb & 0x0F)].to_string()
        };
        if name.is_empty() || name == "." || name == ".." {
            continue;
        }
        if rest.len() < 3 {
            break;
        }
        let len = (usize::from(rest[0]) | usize::from(rest[1]) << 8 | usize::from(rest[2]) << 16).min(MAX_FILE);
        rest = &rest[3..];
        let len = len.min(rest.len());
        let mut body = rest[..len].to_vec();
        rest = &rest[len..];
        if nb & 0x80 != 0 && body.len() >= 4096 {
            reseal_legacy_header(&mut body[..4096]);
        }
        if nb & 0x40 != 0 {
            seal_checkpoint_image(&mut body);
        }
        std::fs::write(dir.join(&name), &body)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use esecheck::verdict::Verdict;
    use esecheck::scan::check_log;

    fn lr(b: &mut [u8], pos: usize, fwd: u32, next: u32, short: bool) {
        b[pos] = 42;
        b[pos + 1..pos + 5].copy_from_slice(&((pos % 512) as u32).to_le_bytes());
        b[pos + 5..pos + 9].copy_from_slice(&fwd.to_le_bytes());
        b[pos + 9..pos + 13].copy_from_slice(&next.to_le_bytes());
        b[pos + 21] = if short { SHORT_ON } else { 0xD1 };
    }

    /// The structured log target reaches the end of a v7 LRCHECKSUM chain with garbage checksums.
    #[test]
    fn v7_chain_is_walked_after_fix_up() {
        let mut body = vec![0u8; 16 * 512];
        body[4] = 1;
        lr(&mut body, 4096, 100, 100, false);
        lr(&mut body, 4096 + 122, 50, 0, false);
        let mut input = vec![0x03, 7, 0, 0];
        input.extend_from_slice(&body);
        let img = build_log(&input).unwrap();
        let c = check_log(&img, "f.log").unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        assert!(c.sectors_seen >= 1);
    }

    /// ... and through every sealed v8 segment.
    #[test]
    fn v8_segments_are_walked_after_fix_up() {
        let mut body = vec![0u8; 4096];
        body[4] = 5;
        body[40] = 5; // update major >= 2: zero segments are empty
        let input: Vec<u8> = [&[0x02u8, 6, 0xFE, 0x00][..], &body].concat();
        let img = build_log(&input).unwrap();
        let c = check_log(&img, "f.log").unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
        assert_eq!(c.last_lgpos.map(|l| l.isec), Some(7));
    }
}
