//! Opening an input read-only and reading or mapping its bytes.
//!
//! esecheck never writes to what it verifies: files are opened with read access only
//! (`O_RDONLY | O_NONBLOCK | O_NOCTTY`, plus `O_NOATIME` on Linux when the caller may use it, so a
//! forensic copy keeps its access times), and maps are read-only. Anything that is not a regular
//! file (a directory, a device, a FIFO, a socket) is refused with a could-not-check error naming
//! the path, both before the open (so a device is never opened) and again on the opened
//! descriptor (so a path swapped in between is caught).
//!
//! # A file that changes while it is read (CLI.md "Exit status")
//!
//! A memory map gives no consistent snapshot: if another process truncates the file, touching a
//! page past the new end raises SIGBUS, and so does a disk read error under the map. Advisory
//! locks (`flock`, `fcntl`) do not stop a truncation and Linux no longer has mandatory locks, so
//! no lock can prevent it. esecheck therefore:
//!
//! * reads files up to `HEAP_LIMIT` (every log, checkpoint and flush map, and small databases)
//!   into a heap buffer with plain `read`s. A truncation then shows up as a short read and a read
//!   error as an `EIO`: both end as a could-not-check error (exit 2) naming the file. A file whose
//!   size changed between `fstat` and the end of the read is refused the same way.
//! * maps larger files (the page kernels want the whole file as one slice and the map is what
//!   makes multi-gigabyte databases fast). Each live map is registered, with its path, in a
//!   fixed table read by a SIGBUS handler. The handler does not try to recover: it writes
//!   `esecheck: PATH: ...` to stderr with `write(2)` and ends the process with `_exit(2)`, both
//!   async-signal-safe. A fault outside every registered map (which would be a bug) ends the same
//!   way with a generic message. So the process never dies by SIGBUS; it exits 2, "could not
//!   check", which blocks truncation.
//!
//! Limits, honestly: a file rewritten in place without changing its size is read as it is found
//! (a mix of old and new bytes for a mapped file); the verdict is then about those bytes. When the
//! SIGBUS path is taken, stdout output buffered so far is lost (stderr has the reason, the status
//! is 2). On Windows a mapped file cannot be truncated by another process, so no handler is
//! needed there.

use crate::error::CheckError;
use memmap2::Mmap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Files up to this size are read into memory; larger ones are mapped. Small enough that a few
/// workers reading at once stay far below the 64 MiB anonymous-memory budget (docs/PERFORMANCE.md), large
/// enough for every Exchange (1 MiB) and SRUM (64 KiB) log.
pub const HEAP_LIMIT: u64 = 8 << 20;

/// Files opened by [`Input::open`] and [`read_head`] in this process so far.
static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many times this process has opened an input through [`Input::open`] or `read_head`: a
/// count, not a timing, with which a test proves that each file of a large set is opened a
/// bounded number of times (docs/PERFORMANCE.md).
pub fn inputs_opened() -> u64 {
    OPENED.load(std::sync::atomic::Ordering::Relaxed)
}

fn note_opened() {
    OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// Opens `path` for reading only, without blocking on a FIFO, without becoming a controlling
/// terminal and, on Linux, without updating the access time when the kernel allows it. On
/// Windows: read access, sharing read, write and delete with every other handle.
pub(crate) fn open_read_only(path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let base = libc::O_NONBLOCK | libc::O_NOCTTY;
        #[cfg(target_os = "linux")]
        {
            // O_NOATIME needs the file's owner (or CAP_FOWNER): fall back when refused.
            match std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(base | libc::O_NOATIME)
                .open(path)
            {
                Err(e) if e.raw_os_error() == Some(libc::EPERM) => {}
                r => return r,
            }
        }
        std::fs::OpenOptions::new().read(true).custom_flags(base).open(path)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE: another process (the ESE
        // engine, a backup agent, an antivirus scanner) may hold the file open for writing or
        // deleting, and esecheck must neither be refused by it nor lock it out while it reads.
        // Read access only: a handle with no write access cannot change the file.
        const SHARE_ALL: u32 = 0x1 | 0x2 | 0x4;
        std::fs::OpenOptions::new().read(true).share_mode(SHARE_ALL).open(path)
    }
    #[cfg(not(any(unix, windows)))]
    {
        File::open(path)
    }
}

enum Backing {
    Empty,
    Heap(Vec<u8>),
    // Field order matters: the guard leaves the SIGBUS table before the map is unmapped.
    Map {
        #[cfg(unix)]
        _guard: sigbus::Registration,
        map: Mmap,
    },
}

/// What identifies a file's contents without reading them: device, inode, size and mtime, from
/// the descriptor at open, and the file's birth time where the platform gives one ([`FileId`]).
/// Compared with a fresh `stat` by path after the scan (CLI.md "Exit status"): any difference means the file
/// changed (or was replaced, if need be by a new file that got the old inode number back) while
/// it was checked. atime and ctime are not compared (reading may change the first; metadata-only
/// changes the second).
///
/// On Windows the identity is the volume serial number and file index, and the NTFS change time
/// is compared as well: Windows' CopyFile keeps the source's last-write time, so a file copied
/// over a member with the same size would otherwise look unchanged (the change time cannot be
/// set back; it also moves on an attribute change, which is then a could-not-check, never a
/// pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    /// The file's creation time, where the platform gives one ([`FileId::birth_time`]).
    birth: Option<i64>,
    len: u64,
    mtime: Option<std::time::SystemTime>,
    /// Windows only: FILE_BASIC_INFO.ChangeTime.
    changed: Option<i64>,
}

/// Which file this is on its machine, whatever path reaches it: device and inode (on Windows the
/// volume serial number and the 64-bit file index), and its creation time where the platform
/// gives one. A fact, taken from the descriptor the file was read through; what two of them mean
/// together is `report::manifest`'s decision (CLI.md "Manifest", file identities).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    /// `st_dev`; on Windows the volume serial number. With `inode`, 0 and 0 mean unknown.
    pub device: u64,
    /// `st_ino`; on Windows the file index (`nFileIndexHigh:nFileIndexLow`).
    pub inode: u64,
    /// When the file was created, in nanoseconds since the Unix epoch (statx `btime` on Linux,
    /// `CreationTime` on Windows), or `None` when the platform or the file system gives none.
    /// A file deleted and written anew may get its inode number back; it never gets its birth
    /// time back, so this tells the two apart.
    pub birth_time: Option<i64>,
}

/// `t` in nanoseconds since the Unix epoch (negative before it); `None` beyond what an `i64`
/// holds (before 1677 or after 2262).
fn nanos_since_epoch(t: std::time::SystemTime) -> Option<i64> {
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).ok(),
        Err(e) => i64::try_from(e.duration().as_nanos()).ok().map(|n| -n),
    }
}

impl Stamp {
    /// The stamp of `meta`.
    pub(crate) fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let (dev, ino) = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let (dev, ino) = (0, 0);
        Stamp {
            dev,
            ino,
            birth: meta.created().ok().and_then(nanos_since_epoch),
            len: meta.len(),
            mtime: meta.modified().ok(),
            changed: None,
        }
    }

    /// The stamp of the open `file`, whose metadata is `meta`: on Windows with the identity and
    /// change time only a handle gives.
    fn of_open(file: &File, meta: &std::fs::Metadata) -> Stamp {
        #[cfg(windows)]
        if let Some(id) = windows_id::of(file) {
            return Stamp {
                dev: id.volume,
                ino: id.index,
                changed: Some(id.changed),
                ..Stamp::of(meta)
            };
        }
        let _ = file;
        Stamp::of(meta)
    }

    /// The stamp of what `path` names now.
    fn now(path: &Path) -> std::io::Result<Stamp> {
        #[cfg(windows)]
        {
            let file = windows_id::open_for_stamp(path)?;
            let meta = file.metadata()?;
            Ok(Stamp::of_open(&file, &meta))
        }
        #[cfg(not(windows))]
        std::fs::metadata(path).map(|m| Stamp::of(&m))
    }

    /// The file's identity: device, inode and birth time.
    pub fn id(&self) -> FileId {
        FileId {
            device: self.dev,
            inode: self.ino,
            birth_time: self.birth,
        }
    }

    /// Checks that `path` still names the file this stamp was taken of, unchanged: `Err` (could
    /// not check, exit 2) naming the file when it changed, was replaced, or is gone.
    pub(crate) fn recheck(&self, path: &Path) -> Result<(), CheckError> {
        let now = Stamp::now(path);
        match now {
            Ok(now) if now == *self => Ok(()),
            Ok(now) => {
                // Device and inode first, then size and times; a birth time that alone differs
                // is a new file on a reused inode. (Wine reports the modification time as the
                // creation time, so a file written to there changes both: it was modified.)
                let what = if (now.dev, now.ino) != (self.dev, self.ino) {
                    "was replaced by another file".to_string()
                } else if now.len != self.len {
                    format!("changed size from {} to {} bytes", self.len, now.len)
                } else if (now.mtime, now.changed) != (self.mtime, self.changed) {
                    "was modified".to_string()
                } else {
                    "was replaced by another file".to_string()
                };
                Err(CheckError::new(path, changed_message(&what)))
            }
            Err(_) => Err(CheckError::new(path, changed_message("was removed"))),
        }
    }
}

/// The words of a file that changed while it was checked.
fn changed_message(what: &str) -> String {
    format!("changed while being checked ({what}); verify a quiescent copy (a snapshot)")
}

/// Re-checks every `(path, stamp)`: the first file that changed, as a could-not-check error.
pub(crate) fn recheck_all<'a>(files: impl IntoIterator<Item = (&'a Path, &'a Stamp)>) -> Result<(), CheckError> {
    for (path, stamp) in files {
        stamp.recheck(path)?;
    }
    Ok(())
}

/// A regular file opened read-only, its bytes read or mapped.
pub struct Input {
    backing: Backing,
    stamp: Stamp,
    /// Byte ranges the file system says are holes, trusted ([`trusted_holes`]); mapped files
    /// only.
    holes: Vec<std::ops::Range<usize>>,
}

impl Input {
    /// Opens `path` read-only and reads or maps it. Empty files are allowed (they have no bytes).
    pub fn open(path: &Path) -> Result<Input, CheckError> {
        let meta = std::fs::metadata(path).map_err(|e| CheckError::io(path, &e))?;
        check_regular(path, &meta)?;
        let mut file = open_read_only(path).map_err(|e| CheckError::io(path, &e))?;
        note_opened();
        // The descriptor's own metadata: the path may have been swapped since.
        let meta = file.metadata().map_err(|e| CheckError::io(path, &e))?;
        check_regular(path, &meta)?;
        let stamp = Stamp::of_open(&file, &meta);
        let len = meta.len();
        let mut holes = Vec::new();
        let backing = if len == 0 {
            Backing::Empty
        } else if len <= HEAP_LIMIT {
            Backing::Heap(read_exactly(&mut file, path, len)?)
        } else {
            #[cfg(unix)]
            let guard = sigbus::Registration::new(path);
            // SAFETY: the map is read-only and private to this process. A truncation by another
            // process while we read it raises SIGBUS, which the handler registered above turns
            // into exit status 2 naming the file (see the module comment).
            let map = unsafe { Mmap::map(&file) }.map_err(|e| CheckError::new(path, map_failed(len, &e)))?;
            #[cfg(unix)]
            {
                let _ = map.advise(memmap2::Advice::Sequential);
            }
            #[cfg(unix)]
            let guard = guard.covering(&map);
            holes = trusted_holes(&file, &meta);
            Backing::Map {
                #[cfg(unix)]
                _guard: guard,
                map,
            }
        };
        Ok(Input { backing, stamp, holes })
    }

    /// Byte ranges of [`bytes`](Self::bytes) that are holes of a sparse file: they read as zeros,
    /// and a scan may count the pages wholly inside them as uninitialized without touching them
    /// (docs/PERFORMANCE.md). Sorted, disjoint, never empty ranges; empty for files read into memory, on
    /// systems without `SEEK_HOLE`, and when the file system's answer is not consistent with the
    /// space the file has allocated (`trusted_holes`).
    pub fn holes(&self) -> &[std::ops::Range<usize>] {
        &self.holes
    }

    /// The file's identity at open, to re-check after the scan (`Stamp::recheck`).
    pub fn stamp(&self) -> Stamp {
        self.stamp
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.backing {
            Backing::Empty => &[],
            Backing::Heap(v) => v,
            Backing::Map { map, .. } => map,
        }
    }

    /// Tells the kernel this process is done, for now, with `bytes()[offset..offset + len]`: the
    /// whole 4 KiB pages inside the range are unmapped from the process (they stay in the page
    /// cache), so a scan's resident set stays at the chunks in flight instead of growing to the
    /// file size (docs/PERFORMANCE.md). Reading the range again is allowed and sees the same bytes. Ranges
    /// outside the file and errors are ignored: this is only a hint. A no-op off Unix.
    pub fn release(&self, offset: usize, len: usize) {
        #[cfg(unix)]
        if let Backing::Map { map: m, .. } = &self.backing {
            const PAGE: usize = 4096;
            let end = offset.saturating_add(len).min(m.len()) / PAGE * PAGE;
            let start = offset.div_ceil(PAGE) * PAGE;
            if start < end {
                // SAFETY: `m` is a read-only MAP_SHARED mapping of a regular file (Mmap::map).
                // MADV_DONTNEED on such a mapping only drops page-table entries: the next access
                // faults the same page back in from the page cache, so bytes behind any live
                // `&[u8]` into the map still read as the file's contents (with the same caveat
                // as the map itself: another process rewriting the file). It would zero private
                // or anonymous memory, which this never is.
                let _ = unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
            }
        }
        #[cfg(not(unix))]
        let _ = (offset, len);
    }
}

/// How much of a file classification and a database's header copies need: both copies at the
/// largest page size, and the magic's 4 bytes past the second one.
pub(crate) const CLASSIFY_LEN: usize = 2 * 32768 + 8;

/// The part of the head of a file that holds every header copy of a log, checkpoint or flush map
/// (two 4 KiB copies) and the database magic of the shadow copy at 2 and 4 KiB pages.
const SNIFF_LEN: usize = 8192 + 8;

/// Reads what [`crate::scan::classify::classify`] and, for a database, the header copies need,
/// without reading the rest: classifying the returned bytes gives the same answer as classifying
/// the first [`CLASSIFY_LEN`] bytes of the file (docs/PERFORMANCE.md: a 64 KiB log was read whole here and
/// again when it was checked).
///
/// The first 8 KiB decide everything but the magic of a shadow copy at 16 or 32 KiB pages; those
/// two 4-byte words are read on their own. Only a database (magic anywhere) is read to
/// [`CLASSIFY_LEN`], for its header copies.
pub(crate) fn read_head(path: &Path) -> Result<Vec<u8>, CheckError> {
    use std::io::{Seek, SeekFrom};
    let io = |e: std::io::Error| CheckError::io(path, &e);
    let mut f = open_read_only(path).map_err(io)?;
    note_opened();
    let mut buf = Vec::with_capacity(SNIFF_LEN);
    (&mut f).take(SNIFF_LEN as u64).read_to_end(&mut buf).map_err(io)?;
    if buf.len() < SNIFF_LEN {
        return Ok(buf);
    }
    let mut database = crate::scan::classify::has_database_magic(&buf);
    for cb in [16384u64, 32768] {
        if database {
            break;
        }
        f.seek(SeekFrom::Start(cb + 4)).map_err(io)?;
        let mut word = Vec::with_capacity(4);
        (&mut f).take(4).read_to_end(&mut word).map_err(io)?;
        database = word == crate::format::db_header::DB_MAGIC.to_le_bytes();
    }
    if database {
        f.seek(SeekFrom::Start(SNIFF_LEN as u64)).map_err(io)?;
        (&mut f)
            .take((CLASSIFY_LEN - SNIFF_LEN) as u64)
            .read_to_end(&mut buf)
            .map_err(io)?;
    }
    Ok(buf)
}

/// The most holes recorded for one file; a file more fragmented than this (a hostile one: a
/// hole every other 4 KiB) is read whole instead, so the list stays under 2 MiB.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))] // holes are looked for on Linux only
const MAX_HOLES: usize = 1 << 16;

/// The holes of `file` (SEEK_DATA / SEEK_HOLE), when the answer can be trusted: the data extents
/// the file system reports must account for the blocks it says the file has allocated
/// (`st_blocks`), up to 1 MiB plus 1/64 of the data for metadata blocks. A file system that
/// reports a hole over allocated blocks (or does not support the calls, or fails one) gets no
/// holes: every page is read. A hole reads as zeros, so treating its pages as all-zero pages is
/// what reading them would find.
#[cfg(target_os = "linux")]
fn trusted_holes(file: &File, meta: &std::fs::Metadata) -> Vec<std::ops::Range<usize>> {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::AsRawFd;
    let len = meta.len();
    let fd = file.as_raw_fd();
    let seek = |pos: u64, whence: libc::c_int| -> Option<u64> {
        let pos = libc::off_t::try_from(pos).ok()?;
        // SAFETY: lseek on a descriptor this Input owns; it only moves the descriptor's offset,
        // which nothing else uses (a mapped file is read through its map).
        let r = unsafe { libc::lseek(fd, pos, whence) };
        if r >= 0 {
            return u64::try_from(r).ok().map(|r| r.min(len));
        }
        // ENXIO from SEEK_DATA: no data at or after `pos`, the rest is a hole.
        (whence == libc::SEEK_DATA && std::io::Error::last_os_error().raw_os_error() == Some(libc::ENXIO))
            .then_some(len)
    };
    let mut holes = Vec::new();
    let mut data = 0u64;
    let mut pos = 0u64;
    while pos < len {
        if holes.len() >= MAX_HOLES {
            return Vec::new();
        }
        let Some(start) = seek(pos, libc::SEEK_DATA) else {
            return Vec::new();
        };
        if start < pos {
            return Vec::new();
        }
        if start > pos {
            holes.push(pos..start);
        }
        if start >= len {
            break;
        }
        let Some(end) = seek(start, libc::SEEK_HOLE) else {
            return Vec::new();
        };
        if end <= start {
            return Vec::new();
        }
        data += end - start;
        pos = end;
    }
    if !holes_are_trusted(data, meta.blocks().saturating_mul(512)) {
        return Vec::new();
    }
    holes
        .into_iter()
        .filter_map(|h| Some(usize::try_from(h.start).ok()?..usize::try_from(h.end).ok()?))
        .collect()
}

/// True when `allocated` bytes (`st_blocks` × 512) are accounted for by the `data` bytes the file
/// system reported outside its holes, allowing 1 MiB plus 1/64 of the data for the file's own
/// metadata blocks (extent trees). More allocated than that means some "hole" holds blocks: the
/// answer is not trusted. Less (compression, inline data) is fine: a hole is still a hole.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))] // holes are looked for on Linux only
fn holes_are_trusted(data: u64, allocated: u64) -> bool {
    allocated <= data.saturating_add((1 << 20) + data / 64)
}

#[cfg(not(target_os = "linux"))]
fn trusted_holes(_file: &File, _meta: &std::fs::Metadata) -> Vec<std::ops::Range<usize>> {
    Vec::new()
}

/// True when `start..end` lies wholly inside one of `holes` (sorted and disjoint), starting the
/// search at `*cursor` and leaving it at the first hole that ends after `start`: callers that
/// walk a file forward pay one step per hole, not a search per page.
pub(crate) fn in_hole(holes: &[std::ops::Range<usize>], cursor: &mut usize, start: usize, end: usize) -> bool {
    while holes.get(*cursor).is_some_and(|h| h.end <= start) {
        *cursor += 1;
    }
    holes.get(*cursor).is_some_and(|h| h.start <= start && end <= h.end)
}

/// The index of the first of `holes` that ends after `offset` (a starting cursor for [`in_hole`]).
pub(crate) fn first_hole_after(holes: &[std::ops::Range<usize>], offset: usize) -> usize {
    holes.partition_point(|h| h.end <= offset)
}

/// An OS error in words, without Rust's ` (os error N)` suffix: `No space left on device`.
pub(crate) fn io_words(e: &std::io::Error) -> String {
    let s = e.to_string();
    match e.raw_os_error() {
        Some(code) => s
            .strip_suffix(&format!(" (os error {code})"))
            .map_or_else(|| s.clone(), str::to_string),
        None => s,
    }
}

/// Why a file could not be mapped, with the size: `cannot map 2147483648 bytes: Cannot allocate
/// memory` (typically `ENOMEM` under `ulimit -v`).
fn map_failed(len: u64, e: &std::io::Error) -> String {
    format!("cannot map {len} bytes: {}", io_words(e))
}

/// Why a file could not be read into memory, with the size.
fn alloc_failed(len: u64) -> String {
    format!("cannot allocate {len} bytes to read the file into memory")
}

fn check_regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), CheckError> {
    if meta.is_dir() {
        return Err(CheckError::new(path, "is a directory, not a file"));
    }
    if !meta.is_file() {
        return Err(CheckError::new(path, "is not a regular file (device, pipe or socket)"));
    }
    Ok(())
}

/// Reads the whole file, which `fstat` said is `len` bytes; a different size means it changed.
fn read_exactly(file: &mut impl Read, path: &Path, len: u64) -> Result<Vec<u8>, CheckError> {
    let cap = usize::try_from(len).map_err(|_| CheckError::new(path, "file is too large for this platform"))?;
    let mut buf = Vec::new();
    // An allocation that fails (`ulimit -v`, a container's memory limit) is could-not-check
    // naming the size, not an abort.
    buf.try_reserve_exact(cap)
        .map_err(|_| CheckError::new(path, alloc_failed(len)))?;
    file.take(len.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| CheckError::io(path, &e))?;
    if buf.len() as u64 != len {
        return Err(CheckError::new(
            path,
            format!(
                "file changed size while being read ({len} bytes expected, {} read)",
                buf.len()
            ),
        ));
    }
    Ok(buf)
}

#[cfg(windows)]
mod windows_id {
    //! A file's identity and change time from its handle (no stable std API gives them).

    use std::fs::File;
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    use std::path::Path;

    /// BY_HANDLE_FILE_INFORMATION (fileapi.h).
    #[repr(C)]
    #[derive(Default)]
    struct ByHandleFileInformation {
        file_attributes: u32,
        creation_time: [u32; 2],
        last_access_time: [u32; 2],
        last_write_time: [u32; 2],
        volume_serial_number: u32,
        file_size_high: u32,
        file_size_low: u32,
        number_of_links: u32,
        file_index_high: u32,
        file_index_low: u32,
    }

    /// FILE_BASIC_INFO (winbase.h).
    #[repr(C)]
    #[derive(Default)]
    struct FileBasicInfo {
        creation_time: i64,
        last_access_time: i64,
        last_write_time: i64,
        change_time: i64,
        file_attributes: u32,
    }

    /// FILE_INFO_BY_HANDLE_CLASS::FileBasicInfo.
    const FILE_BASIC_INFO_CLASS: i32 = 0;
    /// Lets a directory be opened, so a directory renamed over a member is seen as replacing it.
    const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;

    #[link(name = "kernel32")]
    extern "system" {
        fn GetFileInformationByHandle(file: *mut core::ffi::c_void, info: *mut ByHandleFileInformation) -> i32;
        fn GetFileInformationByHandleEx(
            file: *mut core::ffi::c_void,
            class: i32,
            info: *mut core::ffi::c_void,
            size: u32,
        ) -> i32;
    }

    pub(crate) struct Identity {
        pub volume: u64,
        pub index: u64,
        pub changed: i64,
    }

    /// `None` when the file system gives no such information (then size and mtime alone count).
    pub(crate) fn of(file: &File) -> Option<Identity> {
        let h = file.as_raw_handle();
        let mut id = ByHandleFileInformation::default();
        let mut basic = FileBasicInfo::default();
        // SAFETY: `h` is a valid open handle for the call; each output points to a writable
        // struct of the layout and size the function expects.
        let ok = unsafe {
            GetFileInformationByHandle(h, &mut id) != 0
                && GetFileInformationByHandleEx(
                    h,
                    FILE_BASIC_INFO_CLASS,
                    (&mut basic as *mut FileBasicInfo).cast(),
                    std::mem::size_of::<FileBasicInfo>() as u32,
                ) != 0
        };
        ok.then(|| Identity {
            volume: u64::from(id.volume_serial_number),
            index: (u64::from(id.file_index_high) << 32) | u64::from(id.file_index_low),
            changed: basic.change_time,
        })
    }

    /// Opens `path` to read its attributes only: no read or write access, so no other handle's
    /// share mode can refuse it and it locks nobody out.
    pub(crate) fn open_for_stamp(path: &Path) -> std::io::Result<File> {
        std::fs::OpenOptions::new()
            .access_mode(0)
            .share_mode(0x1 | 0x2 | 0x4)
            .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
            .open(path)
    }
}

#[cfg(unix)]
mod sigbus {
    //! The table of live maps and the SIGBUS handler that reads it (see the module comment).

    use std::path::Path;
    use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
    use std::sync::Once;

    const SLOTS: usize = 256;

    struct Slot {
        used: AtomicBool,
        start: AtomicUsize,
        end: AtomicUsize,
        name: AtomicPtr<u8>,
        name_len: AtomicUsize,
    }

    #[allow(clippy::declare_interior_mutable_const)]
    const EMPTY: Slot = Slot {
        used: AtomicBool::new(false),
        start: AtomicUsize::new(0),
        end: AtomicUsize::new(0),
        name: AtomicPtr::new(std::ptr::null_mut()),
        name_len: AtomicUsize::new(0),
    };
    static TABLE: [Slot; SLOTS] = [EMPTY; SLOTS];
    static INSTALL: Once = Once::new();

    /// A map's entry in the table; leaves it on drop. `None` when the table is full (the
    /// handler then prints a message without the path).
    pub(crate) struct Registration {
        slot: Option<usize>,
    }

    impl Registration {
        /// Installs the handler (once) and claims a slot holding `path`; the address range is
        /// set by [`covering`](Self::covering) once the map exists.
        pub(crate) fn new(path: &Path) -> Registration {
            INSTALL.call_once(install);
            let Some(i) = (0..SLOTS).find(|&i| {
                TABLE[i]
                    .used
                    .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
            }) else {
                return Registration { slot: None };
            };
            // Escaped like every path esecheck prints: the handler writes it to stderr verbatim.
            let shown = crate::escape::escape_controls(&path.display().to_string()).into_owned();
            let name: Box<[u8]> = shown.into_bytes().into_boxed_slice();
            let len = name.len();
            let ptr = Box::into_raw(name) as *mut u8;
            TABLE[i].name_len.store(len, Ordering::Relaxed);
            TABLE[i].name.store(ptr, Ordering::Release);
            Registration { slot: Some(i) }
        }

        /// Records the map's address range; from here a fault in it names the file.
        pub(crate) fn covering(self, map: &[u8]) -> Registration {
            if let Some(i) = self.slot {
                let start = map.as_ptr() as usize;
                TABLE[i].end.store(start.saturating_add(map.len()), Ordering::Relaxed);
                TABLE[i].start.store(start, Ordering::Release);
            }
            self
        }
    }

    impl Drop for Registration {
        fn drop(&mut self) {
            let Some(i) = self.slot else { return };
            TABLE[i].start.store(0, Ordering::Release);
            TABLE[i].end.store(0, Ordering::Relaxed);
            let ptr = TABLE[i].name.swap(std::ptr::null_mut(), Ordering::AcqRel);
            let len = TABLE[i].name_len.swap(0, Ordering::Relaxed);
            if !ptr.is_null() {
                // SAFETY: `ptr`/`len` came from `Box::into_raw` of a `Box<[u8]>` of that length in
                // `new`, and the swap above makes this the only place that frees it.
                drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) });
            }
            TABLE[i].used.store(false, Ordering::Release);
        }
    }

    fn install() {
        // SAFETY: a zeroed sigaction is a valid starting value; the handler only calls
        // async-signal-safe functions (write, _exit) and reads atomics.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as *const () as libc::sighandler_t;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
        }
    }

    fn put(bytes: &[u8]) {
        // SAFETY: write(2) on stderr with a valid buffer; the result is deliberately ignored.
        unsafe {
            libc::write(2, bytes.as_ptr().cast(), bytes.len());
        }
    }

    extern "C" fn handler(_sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
        let addr = if info.is_null() {
            0
        } else {
            (unsafe { (*info).si_addr() }) as usize
        };
        put(b"esecheck: ");
        let mut named = false;
        for slot in TABLE.iter() {
            let start = slot.start.load(Ordering::Acquire);
            if start != 0 && addr >= start && addr < slot.end.load(Ordering::Relaxed) {
                let ptr = slot.name.load(Ordering::Acquire);
                let len = slot.name_len.load(Ordering::Relaxed);
                if !ptr.is_null() {
                    // SAFETY: the slot is live (its map is being read by the faulting thread),
                    // so the name is not freed while we read it.
                    put(unsafe { std::slice::from_raw_parts(ptr, len) });
                    put(b": the file shrank or could not be read while it was being checked (SIGBUS); could not check\n");
                    named = true;
                }
                break;
            }
        }
        if !named {
            put(b"bus error (SIGBUS) while reading an input; could not check\n");
        }
        // SAFETY: _exit is async-signal-safe and ends the process at once with status 2.
        unsafe { libc::_exit(2) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let e = Input::open(dir.path()).err().unwrap();
        assert!(e.message.contains("directory"));
        assert_eq!(e.path, dir.path().display().to_string());
    }

    #[test]
    fn a_missing_file_is_refused_by_name() {
        let e = Input::open(Path::new("/nonexistent/x.edb")).err().unwrap();
        assert_eq!(e.to_string(), "/nonexistent/x.edb: no such file or directory");
    }

    #[test]
    fn birth_times_are_nanoseconds_since_the_epoch_either_side_of_it() {
        use std::time::{Duration, UNIX_EPOCH};
        assert_eq!(nanos_since_epoch(UNIX_EPOCH), Some(0));
        // 100 ns steps: the resolution of Windows file times.
        assert_eq!(
            nanos_since_epoch(UNIX_EPOCH + Duration::new(2, 500)),
            Some(2_000_000_500)
        );
        assert_eq!(
            nanos_since_epoch(UNIX_EPOCH - Duration::new(1, 0)),
            Some(-1_000_000_000)
        );
        assert_eq!(
            nanos_since_epoch(UNIX_EPOCH + Duration::from_secs(300 * 365 * 86_400)),
            None
        );
    }

    #[test]
    fn a_file_opened_twice_has_one_identity_and_a_copy_another() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.edb");
        std::fs::write(&a, b"bytes").unwrap();
        let id = Input::open(&a).unwrap().stamp().id();
        assert_eq!(Input::open(&a).unwrap().stamp().id(), id);
        let b = dir.path().join("b.edb");
        std::fs::copy(&a, &b).unwrap();
        let copy = Input::open(&b).unwrap().stamp().id();
        assert_ne!((copy.device, copy.inode), (id.device, id.inode));
    }

    #[test]
    fn an_empty_file_has_no_bytes() {
        let f = tempfile::NamedTempFile::new().unwrap();
        assert!(Input::open(f.path()).unwrap().bytes().is_empty());
    }

    #[test]
    fn released_ranges_read_back_the_same_bytes() {
        use std::io::Write;
        let data: Vec<u8> = (0..(1usize << 20)).map(|i| (i * 7 % 251) as u8).collect();
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&data).unwrap();
        f.flush().unwrap();
        let input = Input::open(f.path()).unwrap();
        assert_eq!(input.bytes(), &data[..]);
        input.release(4096, 512 << 10);
        input.release(100, 5000); // unaligned: only whole pages inside are dropped
        input.release(1 << 20, 4096); // past the end: ignored
        input.release(0, usize::MAX);
        assert_eq!(input.bytes(), &data[..]);
    }

    #[test]
    fn small_files_are_read_and_large_ones_mapped_with_the_same_bytes() {
        use std::io::Write;
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"0123456789").unwrap();
        assert_eq!(Input::open(f.path()).unwrap().bytes(), b"0123456789");
        f.as_file().set_len(HEAP_LIMIT + 4096).unwrap();
        let input = Input::open(f.path()).unwrap();
        assert!(matches!(input.backing, Backing::Map { .. }));
        assert_eq!(input.bytes().len() as u64, HEAP_LIMIT + 4096);
        assert_eq!(&input.bytes()[..10], b"0123456789");
        assert!(input.bytes()[10..].iter().all(|&b| b == 0));
    }

    /// The error a read of a bad sector gets: `EIO` on Unix, `ERROR_CRC` (23, "Data error
    /// (cyclic redundancy check)") on Windows, where 5 would be access denied.
    #[cfg(unix)]
    const BAD_SECTOR: i32 = libc::EIO;
    #[cfg(windows)]
    const BAD_SECTOR: i32 = 23;

    /// Yields `data`, then fails like a disk with a bad sector.
    struct FailsAfter<'a>(&'a [u8]);

    impl Read for FailsAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::from_raw_os_error(BAD_SECTOR));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_in_the_middle_is_a_could_not_check_error_naming_the_file() {
        let e = read_exactly(&mut FailsAfter(&[1; 8192]), Path::new("x.edb"), 16384)
            .err()
            .unwrap();
        assert_eq!(e.path, "x.edb");
        #[cfg(unix)]
        assert!(e.message.contains("Input/output error"), "{e}");
        let words = io_words(&std::io::Error::from_raw_os_error(BAD_SECTOR));
        assert!(e.message.contains(&words), "{e}");
    }

    #[test]
    fn a_file_that_shrank_or_grew_while_read_is_refused() {
        let data = [7u8; 100];
        let e = read_exactly(&mut &data[..], Path::new("x.log"), 200).err().unwrap();
        assert_eq!(
            e.message,
            "file changed size while being read (200 bytes expected, 100 read)"
        );
        let e = read_exactly(&mut &data[..], Path::new("x.log"), 50).err().unwrap();
        assert!(e.message.contains("50 bytes expected, 51 read"), "{e}");
        assert_eq!(
            read_exactly(&mut &data[..], Path::new("x.log"), 100).unwrap().len(),
            100
        );
    }

    /// Linux only: the words are glibc's for ENOMEM; Windows has its own for its own codes.
    #[test]
    #[cfg(target_os = "linux")]
    fn a_mapping_failure_names_the_size_and_the_reason() {
        let e = std::io::Error::from_raw_os_error(libc::ENOMEM);
        assert_eq!(
            map_failed(2147483648, &e),
            "cannot map 2147483648 bytes: Cannot allocate memory"
        );
        assert_eq!(
            alloc_failed(8388608),
            "cannot allocate 8388608 bytes to read the file into memory"
        );
        // Not an OS error: the message as it is.
        let other = std::io::Error::other("mapping refused");
        assert_eq!(map_failed(1, &other), "cannot map 1 bytes: mapping refused");
    }

    #[test]
    fn the_head_read_classifies_every_file_as_its_first_64_kib_do() {
        use crate::format::db_header::DB_MAGIC;
        use crate::scan::classify::classify;
        use std::io::Write;
        let magic_at = |len: usize, at: usize| {
            let mut b: Vec<u8> = (0..len).map(|i| (i * 13 % 251) as u8 | 1).collect();
            b[at..at + 4].copy_from_slice(&DB_MAGIC.to_le_bytes());
            b
        };
        let mut log = vec![0u8; 3 * 4096];
        log[crate::format::common::FILETYPE_OFFSET] = 3;
        let cases = [
            magic_at(100_000, 4),           // a primary header
            magic_at(100_000, 16384 + 4),   // only the shadow copy of 16 KiB pages
            magic_at(100_000, 32768 + 4),   // only the shadow copy of 32 KiB pages
            magic_at(32768 + 8, 32768 + 4), // the file ends right after it
            magic_at(20_000, 16384 + 4),
            log,
            vec![7u8; 8200],
            vec![7u8; 16390], // ends inside the probed word
            vec![7u8; 100],
            Vec::new(),
        ];
        for (i, bytes) in cases.iter().enumerate() {
            let mut f = tempfile::NamedTempFile::new().unwrap();
            f.write_all(bytes).unwrap();
            f.flush().unwrap();
            let head = read_head(f.path()).unwrap();
            let first = &bytes[..bytes.len().min(CLASSIFY_LEN)];
            assert_eq!(classify(&head, "x"), classify(first, "x"), "case {i}");
            assert!(first.starts_with(&head), "case {i}");
            if classify(first, "x").kind == crate::scan::FileKind::Database {
                assert_eq!(head, first, "case {i}: a database's header copies are read whole");
            }
        }
    }

    #[test]
    fn holes_are_trusted_only_when_the_data_accounts_for_the_allocated_blocks() {
        assert!(holes_are_trusted(1 << 30, 1 << 30));
        assert!(holes_are_trusted(1 << 30, (1 << 30) + (1 << 20)), "extent-tree blocks");
        assert!(holes_are_trusted(1 << 30, 1 << 20), "compressed data");
        assert!(holes_are_trusted(0, 4096), "an empty sparse file's metadata block");
        // The file system says 1 GiB of data, but 2 GiB are allocated: some hole is not one.
        assert!(!holes_are_trusted(1 << 30, 2 << 30));
        assert!(!holes_are_trusted(0, 64 << 20));
    }

    #[test]
    fn in_hole_needs_the_whole_range_inside_one_hole() {
        let holes = [8192..65536, 65536..70000, 100_000..200_000];
        let mut c = first_hole_after(&holes, 0);
        assert!(!in_hole(&holes, &mut c, 0, 8192));
        assert!(in_hole(&holes, &mut c, 8192, 16384));
        assert!(
            !in_hole(&holes, &mut c, 61440, 69632),
            "two adjacent holes are not merged"
        );
        assert!(!in_hole(&holes, &mut c, 98304, 106496), "starts before the hole");
        assert!(in_hole(&holes, &mut c, 106496, 114688));
        assert!(!in_hole(&holes, &mut c, 196608, 204800), "ends after the hole");
        assert!(!in_hole(&holes, &mut c, 300_000, 308_192));
        assert_eq!(first_hole_after(&holes, 65536), 1);
        assert!(!in_hole(&[], &mut 0, 0, 1));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_sparse_mapped_file_reports_its_holes_and_a_dense_one_none() {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&[1u8; 1 << 20]).unwrap();
        f.seek(SeekFrom::Start(32 << 20)).unwrap();
        f.write_all(&[2u8; 1 << 20]).unwrap();
        f.as_file().set_len(64 << 20).unwrap();
        f.flush().unwrap();
        let input = Input::open(f.path()).unwrap();
        let holes = input.holes();
        assert!(!holes.is_empty(), "this file system reports no holes");
        assert!(holes.iter().all(|h| input.bytes()[h.clone()].iter().all(|&b| b == 0)));
        assert!(holes.windows(2).all(|w| w[0].end <= w[1].start));
        assert!(holes
            .iter()
            .all(|h| h.start >= 1 << 20 && (h.end <= 32 << 20 || h.start >= 33 << 20)));
        assert_eq!(holes.last().unwrap().end, 64 << 20);

        let mut dense = tempfile::NamedTempFile::new().unwrap();
        dense.write_all(&vec![3u8; 9 << 20]).unwrap();
        dense.flush().unwrap();
        assert!(Input::open(dense.path()).unwrap().holes().is_empty());
    }

    #[test]
    #[cfg(unix)]
    fn dev_null_and_dev_zero_are_refused() {
        for p in ["/dev/null", "/dev/zero"] {
            let e = Input::open(Path::new(p)).err().unwrap();
            assert!(e.message.contains("not a regular file"), "{p}: {e}");
        }
    }

    /// Windows' counterpart of /dev/null: the NUL device, under both its names, is refused (by
    /// the regular-file check, or by the OS when it has no file information to give) and named.
    #[test]
    #[cfg(windows)]
    fn the_nul_device_is_refused() {
        for p in ["NUL", r"\\.\NUL"] {
            let e = Input::open(Path::new(p)).err().unwrap();
            assert_eq!(e.path, p, "{e}");
        }
    }

    /// The share modes that let esecheck read a file another process holds open for writing and
    /// deleting (the ESE engine, a backup agent): opening it must not be refused.
    #[test]
    #[cfg(windows)]
    fn a_file_held_open_for_writing_and_deleting_by_another_handle_is_opened() {
        use std::os::windows::fs::OpenOptionsExt;
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), b"0123456789").unwrap();
        const DELETE: u32 = 0x0001_0000;
        const GENERIC_READ: u32 = 0x8000_0000;
        const GENERIC_WRITE: u32 = 0x4000_0000;
        let _holder = std::fs::OpenOptions::new()
            .access_mode(GENERIC_READ | GENERIC_WRITE | DELETE)
            .share_mode(0x1 | 0x2 | 0x4)
            .open(f.path())
            .unwrap();
        assert_eq!(Input::open(f.path()).unwrap().bytes(), b"0123456789");
    }
}
