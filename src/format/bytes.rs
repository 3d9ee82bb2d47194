//! Bounds-checked little-endian reads over a byte slice (byteorder's `LittleEndian` over a slice
//! whose bounds were checked first).
//!
//! Every parser in `format/` reads through these helpers, so a short or hostile buffer yields a
//! [`FormatError`] naming the structure and field instead of a panic. No I/O here.

use byteorder::{ByteOrder, LittleEndian};
use std::fmt;

/// A structure could not be read: a field lies outside the bytes that were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The on-disk structure being read (e.g. `"DBFILEHDR"`).
    pub structure: &'static str,
    /// The field, in the format's own name (e.g. `"le_cbPageSize"`).
    pub field: &'static str,
    /// Offset of the field inside the structure.
    pub offset: usize,
    /// Bytes that were available.
    pub available: usize,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{} at offset {} lies beyond the {} bytes available",
            self.structure, self.field, self.offset, self.available
        )
    }
}

impl std::error::Error for FormatError {}

/// A cursor-free reader over one on-disk structure: every read names the field it reads.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    structure: &'static str,
}

impl<'a> Reader<'a> {
    /// Wraps `buf`, which holds the structure called `structure`.
    pub(crate) fn new(buf: &'a [u8], structure: &'static str) -> Self {
        Reader { buf, structure }
    }

    fn err(&self, field: &'static str, offset: usize) -> FormatError {
        FormatError {
            structure: self.structure,
            field,
            offset,
            available: self.buf.len(),
        }
    }

    /// `len` bytes at `offset`.
    pub(crate) fn bytes(&self, offset: usize, len: usize, field: &'static str) -> Result<&'a [u8], FormatError> {
        offset
            .checked_add(len)
            .and_then(|end| self.buf.get(offset..end))
            .ok_or_else(|| self.err(field, offset))
    }

    /// A fixed-size array at `offset`.
    pub(crate) fn array<const N: usize>(&self, offset: usize, field: &'static str) -> Result<[u8; N], FormatError> {
        let b = self.bytes(offset, N, field)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    /// One byte.
    pub(crate) fn u8(&self, offset: usize, field: &'static str) -> Result<u8, FormatError> {
        self.buf.get(offset).copied().ok_or_else(|| self.err(field, offset))
    }

    /// Little-endian u16.
    pub(crate) fn u16(&self, offset: usize, field: &'static str) -> Result<u16, FormatError> {
        Ok(LittleEndian::read_u16(self.bytes(offset, 2, field)?))
    }

    /// Little-endian u32.
    pub(crate) fn u32(&self, offset: usize, field: &'static str) -> Result<u32, FormatError> {
        Ok(LittleEndian::read_u32(self.bytes(offset, 4, field)?))
    }

    /// Little-endian i32.
    pub(crate) fn i32(&self, offset: usize, field: &'static str) -> Result<i32, FormatError> {
        Ok(LittleEndian::read_i32(self.bytes(offset, 4, field)?))
    }

    /// Little-endian u64.
    pub(crate) fn u64(&self, offset: usize, field: &'static str) -> Result<u64, FormatError> {
        Ok(LittleEndian::read_u64(self.bytes(offset, 8, field)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_fields() {
        let buf = [0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff];
        let r = Reader::new(&buf, "T");
        assert_eq!(r.u32(0, "a").unwrap(), 0x1234_5678);
        assert_eq!(r.u16(0, "a").unwrap(), 0x5678);
        assert_eq!(r.i32(4, "b").unwrap(), -1);
        assert_eq!(r.u64(0, "c").unwrap(), 0xffff_ffff_1234_5678);
    }

    #[test]
    fn out_of_bounds_read_is_an_error_naming_the_field() {
        let buf = [0u8; 6];
        let r = Reader::new(&buf, "LGFILEHDR");
        let e = r.u32(4, "le_cbSec").unwrap_err();
        assert_eq!(e.field, "le_cbSec");
        assert_eq!(e.structure, "LGFILEHDR");
        assert!(r.bytes(usize::MAX, 2, "x").is_err());
    }
}
