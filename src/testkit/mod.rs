//! Fixture writer (test support, feature `testkit`): builds valid ESE files from parameters and
//! damages them on purpose.
//!
//! * [`db`]: databases ([`DbBuilder`]) and the page sealer ([`seal_page`]).
//! * [`minimal`]: the minimal valid database a [`DbBuilder`] lays out by default, page by page
//!   after real Windows-created databases.
//! * [`log`]: current-format (8.4000.x) logs ([`LogBuilder`]) and whole log directories
//!   ([`LogStreamBuilder`]).
//! * [`checkpoint`]: checkpoint files ([`CheckpointBuilder`]).
//! * [`flushmap`]: flush maps ([`FlushMapBuilder`]) and their page sealer ([`seal_flush_map`]).
//! * [`AttachInfo`] / [`attach_list`]: attached-database lists of log headers and checkpoints.
//! * [`damage`]: bit flips, overwrites, zeroed and swapped pages, broken header copies,
//!   truncation and resealing.
//!
//! Every checksum is computed with the crate's own [`crate::checksum`] functions, so a fixture is
//! exactly as valid as the checker believes valid files are; the tests in `tests/testkit.rs`
//! tie both to real files by rebuilding real pages, headers, logs, checkpoints and flush maps byte
//! for byte.
//!
//! Everything here is deterministic: the same parameters give the same bytes.

pub mod checkpoint;
pub mod damage;
pub mod db;
pub mod flushmap;
pub mod log;
pub mod minimal;

pub use checkpoint::{seal_checkpoint, CheckpointBuilder};
pub use db::{seal_db_header, seal_page, DbBuilder, PageFill};
pub use flushmap::{seal_flush_map, FlushMapBuilder};
pub use log::{log_file_name, seal_log_header, seal_segment, LogBuilder, LogStreamBuilder};

use crate::format::common::{Lgpos, LogTime, Signature};

/// A LOGTIME for a calendar time (`month` 1–12, as real files store it), UTC flag set, 0 ms.
pub fn logtime(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> LogTime {
    let y = year.saturating_sub(1900).min(255) as u8;
    LogTime {
        raw: [second, minute, hour, day, month, y, 1, 0],
    }
}

/// The LOGTIME `secs` seconds after 2020-01-01 00:00:00 UTC (handy for chains of generations).
pub fn logtime_from_secs(secs: u64) -> LogTime {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to civil date (Howard Hinnant's algorithm); 2020-01-01 is day 18262.
    let z = days as i64 + 18_262 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    logtime(
        year,
        month,
        day,
        (rem / 3600) as u8,
        (rem / 60 % 60) as u8,
        (rem % 60) as u8,
    )
}

/// A SIGNATURE with the given random value and creation time and an empty computer name.
pub fn signature(random: u32, created: LogTime) -> Signature {
    let mut raw = [0u8; 28];
    raw[0..4].copy_from_slice(&random.to_le_bytes());
    raw[4..12].copy_from_slice(&created.raw);
    Signature { raw }
}

/// An LGPOS `(generation, isec, ib)`.
pub fn lgpos(generation: i32, isec: u16, ib: u16) -> Lgpos {
    Lgpos { generation, isec, ib }
}

/// ATTACHINFO flag: the database path is UTF-16LE.
pub const ATTACH_UNICODE_NAMES: u8 = 0x20;

/// One ATTACHINFO record (ESE-FORMAT.md §6.3) of the attached-database list in log headers
/// (`rgbAttach` @671) and checkpoints (@679).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachInfo {
    /// @0 dbid (never 0: a 0 dbid ends the list).
    pub dbid: u8,
    /// @1 flags: [`ATTACH_UNICODE_NAMES`] (0x20), 0x40 sparse file.
    pub flags: u8,
    /// @4 dbtime.
    pub dbtime: u64,
    /// @12 objidLast.
    pub objid_last: u32,
    /// @16 cpgDatabaseSizeMax.
    pub cpg_database_size_max: u32,
    /// @20 lgposAttach.
    pub lgpos_attach: Lgpos,
    /// @28 lgposConsistent.
    pub lgpos_consistent: Lgpos,
    /// @36 signDb.
    pub sign_db: Signature,
    /// The database path, stored NUL-terminated after the 64-byte fixed part (UTF-16LE when
    /// `flags` has [`ATTACH_UNICODE_NAMES`], else one byte per char).
    pub path: String,
}

impl AttachInfo {
    /// Database `dbid` at `path`, UTF-16 names, everything else zero.
    pub fn new(dbid: u8, path: &str) -> Self {
        AttachInfo {
            dbid,
            flags: ATTACH_UNICODE_NAMES,
            dbtime: 0,
            objid_last: 0,
            cpg_database_size_max: 0,
            lgpos_attach: Lgpos::default(),
            lgpos_consistent: Lgpos::default(),
            sign_db: Signature { raw: [0; 28] },
            path: path.to_string(),
        }
    }

    /// The record's bytes: 64-byte fixed part, then `cbNames` bytes of path.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut names = Vec::new();
        if self.flags & ATTACH_UNICODE_NAMES != 0 {
            for u in self.path.encode_utf16().chain(std::iter::once(0)) {
                names.extend_from_slice(&u.to_le_bytes());
            }
        } else {
            names.extend(self.path.chars().map(|c| c as u8));
            names.push(0);
        }
        let mut b = vec![0u8; 64];
        b[0] = self.dbid;
        b[1] = self.flags;
        put_u16(&mut b, 2, names.len() as u16);
        put_u64(&mut b, 4, self.dbtime);
        put_u32(&mut b, 12, self.objid_last);
        put_u32(&mut b, 16, self.cpg_database_size_max);
        put_lgpos(&mut b, 20, self.lgpos_attach);
        put_lgpos(&mut b, 28, self.lgpos_consistent);
        b[36..64].copy_from_slice(&self.sign_db.raw);
        b.extend_from_slice(&names);
        b
    }
}

/// The bytes of an attach list: the records back to back, then a zero byte ending the list.
///
/// # Panics
/// If the list does not fit the 2048-byte `rgbAttach` area.
pub fn attach_list(list: &[AttachInfo]) -> Vec<u8> {
    let mut out: Vec<u8> = list.iter().flat_map(AttachInfo::to_bytes).collect();
    out.push(0);
    assert!(out.len() <= 2048, "attach list of {} bytes", out.len());
    out
}

/// Writes `v` little-endian at `off`.
pub(crate) fn put_u16(buf: &mut [u8], off: usize, v: u16) {
    buf[off..off + 2].copy_from_slice(&v.to_le_bytes());
}

/// Writes `v` little-endian at `off`.
pub(crate) fn put_u32(buf: &mut [u8], off: usize, v: u32) {
    buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

/// Writes `v` little-endian at `off`.
pub(crate) fn put_u64(buf: &mut [u8], off: usize, v: u64) {
    buf[off..off + 8].copy_from_slice(&v.to_le_bytes());
}

/// Writes an LGPOS (ib u16, isec u16, generation i32) at `off`.
pub(crate) fn put_lgpos(buf: &mut [u8], off: usize, l: Lgpos) {
    put_u16(buf, off, l.ib);
    put_u16(buf, off + 2, l.isec);
    buf[off + 4..off + 8].copy_from_slice(&l.generation.to_le_bytes());
}

/// A small deterministic generator (xorshift64*) for plausible page and record bodies.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// Seeded generator; any seed (including 0) gives a non-degenerate stream.
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Fills `buf` with random bytes.
    pub(crate) fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let tail = chunks.into_remainder();
        let v = self.next_u64().to_le_bytes();
        let n = tail.len();
        tail.copy_from_slice(&v[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logtime_from_secs_walks_the_calendar() {
        assert_eq!(logtime_from_secs(0), logtime(2020, 1, 1, 0, 0, 0));
        // 2020 is a leap year: day 59 is Feb 29, day 366 is 2021-01-01.
        assert_eq!(logtime_from_secs(59 * 86_400), logtime(2020, 2, 29, 0, 0, 0));
        assert_eq!(logtime_from_secs(366 * 86_400 + 3661), logtime(2021, 1, 1, 1, 1, 1));
    }
}
