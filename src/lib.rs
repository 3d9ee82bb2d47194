//! esecheck: verify Microsoft ESE ("JET Blue") databases, transaction logs and checkpoints, as
//! `eseutil /K /MH /ML /MK` and Exchange's CHKSGFILES do, with a verdict a pipeline can act on.
//!
//! Layout: [`mod@format`] parses on-disk structures (no I/O), [`checksum`] holds the algorithms,
//! [`scan`] does I/O and parallel work, [`report`] turns findings into verdicts and output.

pub mod checksum;
pub mod codes;
pub mod commands;
pub mod error;
pub mod escape;
pub mod format;
pub mod problem;
pub mod report;
pub mod scan;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod verdict;
