//! On-disk structures of ESE files, one plain struct per structure, parsed from `&[u8]` with every
//! read bounds-checked (ESE-FORMAT.md). No I/O here: callers hand in mapped or read bytes.

pub mod attach;
pub mod bytes;
pub mod checkpoint;
pub mod common;
pub mod db_header;
pub mod flush_map;
pub mod generation;
pub mod log_header;
pub mod log_name;
pub mod log_record;
pub mod page;
pub mod space;

pub use attach::{parse_attach_list, AttachInfo};
pub use bytes::{FormatError, Reader};
pub use checkpoint::CheckpointFile;
pub use common::{BkInfo, Lgpos, LogTime, Signature};
pub use db_header::DbFileHeader;
pub use flush_map::{FlushMapDataPageHeader, FlushMapFileHeader};
pub use generation::{Generation, GenerationRange, GenerationRuns};
pub use log_header::{DbmsParam, LogFileHeader, LogVersion};
pub use log_name::{parse_log_name, LogName, LogNameKind};
pub use log_record::LrChecksum;
pub use page::PageHeader;
