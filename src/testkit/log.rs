//! Transaction log fixtures, current segment format 8.4000.x (ESE-FORMAT.md §6.2, §6.4, §6.5).
//!
//! A log is `csecLGFile` segments of 4096 bytes: segment 0 is the LGFILEHDR (legacy XOR over
//! 4096 bytes), segments `1..=data_segments` carry LGSEGHDR and records, the rest is zero (the
//! last segment is reserved for the shadow copy). [`LogStreamBuilder`] writes whole directories
//! with a consistent generation, `tmPrevGen` and accumulated-checksum chain.

use super::damage::reseal_legacy_header;
use super::db::default_log_signature;
use super::{attach_list, logtime_from_secs, put_lgpos, put_u16, put_u32, put_u64, AttachInfo, Rng};
use crate::checksum::ecc::ecc_block;
use crate::format::common::{filetype, Lgpos, LogTime, Signature, FILETYPE_OFFSET};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Size of a v8 log segment (and of the header).
pub const SEGMENT_SIZE: usize = 4096;
/// `fFlags` of LGSEGHDR @36: the checksum-format bit.
pub const SEGMENT_FLAGS: u32 = 0x2000;
/// Offset of `checksumPrevLogAllSegments` in LGFILEHDR (unaligned).
pub const CHECKSUM_PREV_OFFSET: usize = 653;

/// Callback that edits a data segment after the builder laid it out and before it is sealed:
/// `(isec, segment)`.
pub type SegmentFill = Box<dyn Fn(u32, &mut [u8]) + Send + Sync>;

/// Seals a log segment in place: `ecc_block(segment, pgno, true)` at offset 0. Use `pgno = isec`
/// for a segment at its own place, `isec - 1` for a leftover shadow copy (§6.4).
pub fn seal_segment(segment: &mut [u8], pgno: u32) {
    let c = ecc_block(segment, pgno, true);
    put_u64(segment, 0, c);
}

/// Reseals a log header (the first 4096 bytes of `header`) with the legacy XOR checksum.
pub fn seal_log_header(header: &mut [u8]) {
    reseal_legacy_header(&mut header[..SEGMENT_SIZE]);
}

/// File name of a generation: `<base>XXXXX.<ext>` (5 upper-case hex digits while
/// `generation <= 0xFFFFF`, else 8), §6.1.
pub fn log_file_name(base: &str, generation: i32, ext: &str) -> String {
    if generation as u32 <= 0xF_FFFF {
        format!("{base}{generation:05X}.{ext}")
    } else {
        format!("{base}{generation:08X}.{ext}")
    }
}

/// Builds one v8 (segment format) log file.
pub struct LogBuilder {
    generation: i32,
    csec: u16,
    data_segments: u16,
    leftover_shadow: bool,
    header: Vec<u8>,
    attach: Vec<AttachInfo>,
    fill: Option<SegmentFill>,
}

impl LogBuilder {
    /// Generation `generation` of a 16-segment (64 KiB) log with 4 data segments, version 8.4000.5.16, page
    /// size field 8192, the [`default_log_signature`], created 2020-01-01 00:01:00.
    pub fn new(generation: i32) -> Self {
        let mut header = vec![0u8; SEGMENT_SIZE];
        put_u16(&mut header, 8, SEGMENT_SIZE as u16);
        put_u16(&mut header, 10, 1);
        put_u16(&mut header, 14, 8192);
        header[16..24].copy_from_slice(&logtime_from_secs(60).raw);
        header[44..72].copy_from_slice(&default_log_signature().raw);
        put_u32(&mut header, FILETYPE_OFFSET, filetype::LOG);
        put_lgpos(
            &mut header,
            640,
            Lgpos {
                generation,
                isec: 1,
                ib: 0,
            },
        );
        header[652] = 1;
        put_u32(&mut header, 661, 9000);
        LogBuilder {
            generation,
            csec: 16,
            data_segments: 4,
            leftover_shadow: false,
            header,
            attach: Vec::new(),
            fill: None,
        }
        .version(8, 4000, 5, 16)
    }

    /// `le_lGeneration` @4 (also written into every LGSEGHDR).
    pub fn generation(mut self, generation: i32) -> Self {
        self.generation = generation;
        self
    }

    /// The generation.
    pub fn get_generation(&self) -> i32 {
        self.generation
    }

    /// `signLog` @44.
    pub fn log_signature(mut self, sign: Signature) -> Self {
        self.header[44..72].copy_from_slice(&sign.raw);
        self
    }

    /// `tmCreate` @16.
    pub fn tm_create(mut self, t: LogTime) -> Self {
        self.header[16..24].copy_from_slice(&t.raw);
        self
    }

    /// The creation time (`tmCreate`).
    pub fn get_tm_create(&self) -> LogTime {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&self.header[16..24]);
        LogTime { raw }
    }

    /// `tmPrevGen` @24.
    pub fn tm_prev_gen(mut self, t: LogTime) -> Self {
        self.header[24..32].copy_from_slice(&t.raw);
        self
    }

    /// `le_csecLGFile` @12 (and `lcsecLGFile` @615): the file is `csec * 4096` bytes.
    ///
    /// # Panics
    /// If `csec < 3` (header, one data segment, shadow).
    pub fn csec_lg_file(mut self, csec: u16) -> Self {
        assert!(csec >= 3, "a log needs at least 3 segments");
        self.csec = csec;
        self
    }

    /// `le_cbPageSize` @14: the database page size this log is for.
    pub fn page_size(self, page_size: u16) -> Self {
        self.header_u16(14, page_size)
    }

    /// `major.minor.updateMajor.updateMinor` (@32, @36, @40, @648).
    pub fn version(self, major: u32, minor: u32, update_major: u32, update_minor: u32) -> Self {
        self.header_u32(32, major)
            .header_u32(36, minor)
            .header_u32(40, update_major)
            .header_u32(648, update_minor)
    }

    /// Number of data segments written with records (isec 1..=n); the rest stays zero.
    ///
    /// # Panics
    /// At build time if `n > csec - 2` (the last segment is the shadow).
    pub fn data_segments(mut self, n: u16) -> Self {
        self.data_segments = n;
        self
    }

    /// Also write a leftover shadow copy of the last data segment right after it (it verifies with
    /// `pgno = isec - 1`, §6.4; real logs have one). Needs room before the reserved last segment.
    pub fn leftover_shadow(mut self, on: bool) -> Self {
        self.leftover_shadow = on;
        self
    }

    /// `checksumPrevLogAllSegments` @653.
    pub fn checksum_prev(mut self, v: u64) -> Self {
        put_u64(&mut self.header, CHECKSUM_PREV_OFFSET, v);
        self
    }

    /// `le_lgposCheckpoint` @640.
    pub fn lgpos_checkpoint(mut self, pos: Lgpos) -> Self {
        put_lgpos(&mut self.header, 640, pos);
        self
    }

    /// `le_filetype` @667 (3 log; 0 for pre-7.3704.5 logs; anything for hostile tests).
    pub fn file_type(self, file_type: u32) -> Self {
        self.header_u32(FILETYPE_OFFSET, file_type)
    }

    /// Any u16 header field (the checksum is computed after).
    pub fn header_u16(mut self, offset: usize, value: u16) -> Self {
        put_u16(&mut self.header, offset, value);
        self
    }

    /// Any u32 header field (the checksum is computed after).
    pub fn header_u32(mut self, offset: usize, value: u32) -> Self {
        put_u32(&mut self.header, offset, value);
        self
    }

    /// Raw header bytes at `offset` (the checksum is computed after).
    pub fn header_bytes(mut self, offset: usize, bytes: &[u8]) -> Self {
        self.header[offset..offset + bytes.len()].copy_from_slice(bytes);
        self
    }

    /// Adds a database to the attach list (`rgbAttach` @671). Without any, the area is left as
    /// set (zero by default).
    pub fn attach(mut self, info: AttachInfo) -> Self {
        self.attach.push(info);
        self
    }

    /// A callback that edits each data segment before sealing (see [`SegmentFill`]).
    pub fn segment_fill(mut self, fill: impl Fn(u32, &mut [u8]) + Send + Sync + 'static) -> Self {
        self.fill = Some(Box::new(fill));
        self
    }

    /// File size: `csec * 4096`.
    pub fn file_len(&self) -> usize {
        usize::from(self.csec) * SEGMENT_SIZE
    }

    /// The sealed 4096-byte header.
    pub fn header(&self) -> Vec<u8> {
        let mut h = self.header.clone();
        put_u32(&mut h, 4, self.generation as u32);
        put_u16(&mut h, 12, self.csec);
        put_u32(&mut h, 615, u32::from(self.csec));
        if !self.attach.is_empty() {
            let list = attach_list(&self.attach);
            h[671..671 + list.len()].copy_from_slice(&list);
        }
        seal_log_header(&mut h);
        h
    }

    /// Data segment `isec` (1-based), sealed.
    pub fn segment(&self, isec: u16) -> Vec<u8> {
        let mut s = vec![0u8; SEGMENT_SIZE];
        put_lgpos(
            &mut s,
            8,
            Lgpos {
                generation: self.generation,
                isec,
                ib: 0,
            },
        );
        put_u32(&mut s, 36, SEGMENT_FLAGS);
        let seed = (u64::from(self.generation as u32) << 16) | u64::from(isec);
        let len = 200 + (usize::from(isec) * 997) % 3000;
        Rng::new(seed).fill(&mut s[40..40 + len]);
        if let Some(fill) = &self.fill {
            fill(u32::from(isec), &mut s);
        }
        seal_segment(&mut s, u32::from(isec));
        s
    }

    /// §6.5: XOR of the stored checksums of the data segments this builder writes (what the next
    /// generation stores in `checksumPrevLogAllSegments`).
    pub fn accumulated_checksum(&self) -> u64 {
        (1..=self.data_segments).fold(0u64, |acc, isec| {
            let s = self.segment(isec);
            acc ^ u64::from_le_bytes(s[0..8].try_into().unwrap_or([0; 8]))
        })
    }

    /// Streams the log to `w`.
    ///
    /// # Panics
    /// If the data segments (plus a leftover shadow) do not fit before the reserved last segment.
    pub fn write_to<W: Write>(&self, w: &mut W) -> io::Result<()> {
        let used = self.data_segments + u16::from(self.leftover_shadow);
        assert!(
            used <= self.csec - 2,
            "{used} segments do not fit a log of {} segments",
            self.csec
        );
        w.write_all(&self.header())?;
        let mut last = None;
        for isec in 1..=self.data_segments {
            let s = self.segment(isec);
            w.write_all(&s)?;
            last = Some(s);
        }
        let mut written = self.data_segments;
        if let (true, Some(s)) = (self.leftover_shadow, last) {
            w.write_all(&s)?;
            written += 1;
        }
        let zero = [0u8; SEGMENT_SIZE];
        for _ in written + 1..self.csec {
            w.write_all(&zero)?;
        }
        Ok(())
    }

    /// The whole log in memory.
    pub fn build(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.file_len());
        // Writing into a Vec cannot fail.
        let _ = self.write_to(&mut v);
        v
    }

    /// Writes the log to `path`.
    pub fn write_file(&self, path: &Path) -> io::Result<()> {
        let mut w = BufWriter::new(std::fs::File::create(path)?);
        self.write_to(&mut w)?;
        w.flush()
    }
}

/// Callback that adjusts the builder of one generation of a stream: `(generation, builder)`.
pub type LogCustomize = Box<dyn Fn(i32, LogBuilder) -> LogBuilder + Send + Sync>;

/// Writes a directory of consecutive generations: `<base>XXXXX.log` for the archived ones and
/// `<base>.log` for the last (current) one.
///
/// Generation `g` is created at `logtime_from_secs(60 * g)`; `tmPrevGen(g) = tmCreate(g - 1)`
/// (zero for generation 1) and `checksumPrevLogAllSegments(g) = accumulated(g - 1)` (also for the
/// first generation written, as if its predecessor existed; 0 for generation 1).
pub struct LogStreamBuilder {
    base: String,
    first: i32,
    count: u32,
    ext: String,
    current: bool,
    template: Box<dyn Fn(i32) -> LogBuilder + Send + Sync>,
    customize: Option<LogCustomize>,
}

impl LogStreamBuilder {
    /// `count` generations starting at `first`, base name `base` (3 characters, e.g. `"edb"`),
    /// each a default [`LogBuilder`].
    pub fn new(base: &str, first: i32, count: u32) -> Self {
        LogStreamBuilder {
            base: base.to_string(),
            first,
            count,
            ext: "log".to_string(),
            current: true,
            template: Box::new(LogBuilder::new),
            customize: None,
        }
    }

    /// The file extension (`"log"` or `"jtx"`).
    pub fn extension(mut self, ext: &str) -> Self {
        self.ext = ext.to_string();
        self
    }

    /// When false, the last generation is also written under its numbered name (no current log).
    pub fn with_current(mut self, current: bool) -> Self {
        self.current = current;
        self
    }

    /// The per-generation starting builder (signature, size, version, segments…); the stream then
    /// sets generation, times and the checksum chain.
    pub fn template(mut self, f: impl Fn(i32) -> LogBuilder + Send + Sync + 'static) -> Self {
        self.template = Box::new(f);
        self
    }

    /// A final per-generation adjustment applied after the chain fields (to break the chain on
    /// purpose, for example).
    pub fn customize(mut self, f: impl Fn(i32, LogBuilder) -> LogBuilder + Send + Sync + 'static) -> Self {
        self.customize = Some(Box::new(f));
        self
    }

    /// The creation time the stream gives generation `g`.
    pub fn tm_create(g: i32) -> LogTime {
        logtime_from_secs(60 * u64::from(g.max(0) as u32))
    }

    /// The builder of generation `g` given the previous generation's accumulated checksum.
    fn log(&self, g: i32, prev_acc: u64) -> LogBuilder {
        let prev_tm = if g > 1 {
            Self::tm_create(g - 1)
        } else {
            LogTime::default()
        };
        let b = (self.template)(g)
            .generation(g)
            .tm_create(Self::tm_create(g))
            .tm_prev_gen(prev_tm)
            .checksum_prev(prev_acc)
            .lgpos_checkpoint(Lgpos {
                generation: g,
                isec: 1,
                ib: 0,
            });
        match &self.customize {
            Some(f) => f(g, b),
            None => b,
        }
    }

    /// The builders of every generation, in order, with the chain fields filled in.
    pub fn builders(&self) -> Vec<LogBuilder> {
        let mut out = Vec::with_capacity(self.count as usize);
        self.for_each(|b| {
            out.push(b);
            Ok(())
        })
        .map(|_| out)
        .unwrap_or_default()
    }

    fn for_each(&self, mut f: impl FnMut(LogBuilder) -> io::Result<()>) -> io::Result<()> {
        let mut prev_acc = if self.first > 1 {
            self.log(self.first - 1, 0).accumulated_checksum()
        } else {
            0
        };
        for i in 0..self.count {
            let g = self.first + i as i32;
            let b = self.log(g, prev_acc);
            prev_acc = b.accumulated_checksum();
            f(b)?;
        }
        Ok(())
    }

    /// File name of generation `g` (the last one is the current log unless `with_current(false)`).
    fn name(&self, g: i32) -> String {
        let last = self.first + self.count as i32 - 1;
        if self.current && g == last {
            format!("{}.{}", self.base, self.ext)
        } else {
            log_file_name(&self.base, g, &self.ext)
        }
    }

    /// Writes every generation into `dir` (which must exist) and returns the paths in generation
    /// order.
    pub fn write_to(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let mut paths = Vec::with_capacity(self.count as usize);
        self.for_each(|b| {
            let path = dir.join(self.name(b.get_generation()));
            b.write_file(&path)?;
            paths.push(path);
            Ok(())
        })?;
        Ok(paths)
    }
}
