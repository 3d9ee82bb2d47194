//! On-disk structures of ESE files, one plain struct per structure, parsed from `&[u8]` with every
//! read bounds-checked (ESE-FORMAT.md). No I/O here: callers hand in mapped or read bytes.

pub(crate) mod attach;
pub(crate) mod bytes;
pub mod catalog;
pub(crate) mod checkpoint;
pub mod common;
pub(crate) mod db_header;
pub(crate) mod flush_map;
pub(crate) mod generation;
pub mod log_header;
pub(crate) mod log_name;
pub mod log_record;
pub mod node;
pub mod page;
pub mod space;
pub mod space_map;
pub mod tree_walk;

pub use attach::{parse_attach_list, AttachInfo};
pub(crate) use bytes::{FormatError, Reader};
pub use checkpoint::CheckpointFile;
pub use common::{BkInfo, Lgpos, LogTime, Signature};
pub use db_header::DbFileHeader;
pub use flush_map::{FlushMapDataPageHeader, FlushMapFileHeader};
pub(crate) use generation::{Generation, GenerationRange, GenerationRuns};
pub use log_header::{DbmsParam, LogFileHeader, LogVersion};
pub use log_name::{parse_log_name, LogNameKind};
pub(crate) use page::PageHeader;
