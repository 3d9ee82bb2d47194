//! On-disk structures of ESE files, one plain struct per structure, parsed from `&[u8]` with every
//! read bounds-checked (ESE-FORMAT.md). No I/O here: callers hand in mapped or read bytes.

pub mod bytes;
pub mod common;

pub use bytes::{FormatError, Reader};
pub use common::{BkInfo, Lgpos, LogTime, Signature};
pub mod db_header;

pub use db_header::{read_shadowed_header, DbFileHeader, ShadowedHeader};
