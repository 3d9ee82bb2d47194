//! Checksum algorithms of ESE (ESE-FORMAT.md §4, §6.6): pure functions over bytes, no I/O.

pub mod crc32;
pub mod ecc;
pub mod legacy;
pub mod legacy_log;
pub mod page;

pub use legacy::{legacy_checksum, legacy_checksum_ok, xor32};
pub use page::{verify_page, verify_segment, PageCheck, PageStatus};
