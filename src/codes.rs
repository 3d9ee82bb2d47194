//! ESE error codes (ESE-FORMAT.md §9.6) attached to every problem, so results compare with
//! eseutil and CHKSGFILES.

use serde::Serialize;

/// An ESE (`JET_err…`) error this tool reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JetErr {
    /// −327: a leaf's sibling links disagree with the leaves in key order (issue 22 T9).
    BadPageLink,
    /// −338: a tree's internal structure is wrong: a page reached twice, a bad child pointer or level (T6–T8).
    BadParentPageLink,
    /// −341: a page a tree uses is listed as free, or the available-extent trees conflict (T4, S5, S7).
    SPAvailExtCorrupted,
    /// −343: the database's owned-space tree cannot be read: a page of it verifies but is not
    /// the space-tree page it must be (`JET_errSPOwnExtCorrupted`, "OwnExt space tree is corrupt").
    SPOwnExtCorrupted,
    /// −344: a page's dbtime is above the database header's (D1).
    DbTimeCorrupted,
    /// −351: a leaf that is not a root holds no node (T10).
    BadEmptyPage,
    /// −357: a page's header or tag array cannot be read (P1–P4).
    PageTagCorrupted,
    /// −358: a node's lengths run past its tag (P4).
    NodeCorrupted,
    /// −501: log header checksum, segment or LRCHECKSUM damage, v8 cbSec ≠ 4096.
    LogFileCorrupt,
    /// −509: the checkpoint's generation is not on disk.
    MissingPreviousLogFile,
    /// −513: file-name generation ≠ header generation.
    LogGenerationMismatch,
    /// −514: unsupported log version.
    BadLogVersion,
    /// −515: tmPrevGen ≠ the previous generation's tmCreate.
    InvalidLogSequence,
    /// −528: a gap in the log stream, or the current log is not last+1.
    MissingLogFile,
    /// −530: log signature differs.
    BadLogSignature,
    /// −532: checkpoint signature ≠ the logs'.
    BadCheckpointSignature,
    /// −533: both checkpoint copies bad.
    CheckpointCorrupt,
    /// −541: file size ≠ csecLGFile × cbSec.
    LogFileSizeMismatch,
    /// −543: a required log generation is missing.
    RequiredLogFilesMissing,
    /// −550: a dirty database that cannot be recovered (`JET_errDatabaseInconsistent` is the
    /// same code); also JustCreated and ForceDetach, which the engine will not attach.
    DatabaseDirtyShutdown,
    /// −563: the database's format conversion never finished (state BeingConverted).
    DatabaseIncompleteUpgrade,
    /// −582: a committed log generation is missing.
    CommittedLogFilesMissing,
    /// −590: accumulated segment checksum mismatch.
    LogSequenceChecksumMismatch,
    /// −1018: bad page or header checksum.
    ReadVerifyFailure,
    /// −1019: a page the database uses is blank (all zero), as the engine reads an uninitialized
    /// page (`JET_errPageNotInitialized`).
    PageNotInitialized,
    /// −1032: the file cannot be opened (permission denied).
    FileAccessDenied,
    /// −1118: large page with a wrong stored page number.
    ReadPgnoVerifyFailure,
    /// −1119: a page is not the version the persisted flush map recorded as last written (a
    /// lost write; cpage.cxx lost-flush validation, `JET_errReadLostFlushVerifyFailure`).
    ReadLostFlushVerifyFailure,
    /// −1206: eseutil /K or /MH verdict on a bad database.
    DatabaseCorrupted,
    /// −1209: bad magic or unknown database version.
    InvalidDatabaseVersion,
    /// −1213: page size mismatch.
    PageSizeMismatch,
    /// −1220: neither MSysObjects nor its shadow can be read (C1).
    CatalogCorrupted,
    /// −1226: an incremental reseed was in progress (state IncrementalReseedInProgress).
    DatabaseIncompleteIncrementalReseed,
    /// −1935: a revert was in progress (state RevertInProgress).
    DatabaseIncompleteRevert,
    /// −1811: file not found.
    FileNotFound,
    /// −1812: wrong `le_filetype`.
    FileInvalidType,
}

impl JetErr {
    /// Every error, in the order of the enum (the JSON Schema's list of `code` and `name`
    /// values, docs/schema/).
    pub(crate) const ALL: [JetErr; 36] = {
        use JetErr::*;
        [
            BadPageLink,
            BadParentPageLink,
            SPAvailExtCorrupted,
            SPOwnExtCorrupted,
            DbTimeCorrupted,
            BadEmptyPage,
            PageTagCorrupted,
            NodeCorrupted,
            LogFileCorrupt,
            MissingPreviousLogFile,
            LogGenerationMismatch,
            BadLogVersion,
            InvalidLogSequence,
            MissingLogFile,
            BadLogSignature,
            BadCheckpointSignature,
            CheckpointCorrupt,
            LogFileSizeMismatch,
            RequiredLogFilesMissing,
            DatabaseDirtyShutdown,
            DatabaseIncompleteUpgrade,
            CommittedLogFilesMissing,
            LogSequenceChecksumMismatch,
            ReadVerifyFailure,
            PageNotInitialized,
            FileAccessDenied,
            ReadPgnoVerifyFailure,
            ReadLostFlushVerifyFailure,
            DatabaseCorrupted,
            InvalidDatabaseVersion,
            PageSizeMismatch,
            CatalogCorrupted,
            DatabaseIncompleteIncrementalReseed,
            DatabaseIncompleteRevert,
            FileNotFound,
            FileInvalidType,
        ]
    };

    /// The error whose numeric code is `code`, if this tool reports it.
    pub fn from_code(code: i32) -> Option<JetErr> {
        JetErr::ALL.into_iter().find(|e| e.code() == code)
    }

    /// The numeric code (negative).
    pub fn code(self) -> i32 {
        use JetErr::*;
        match self {
            BadPageLink => -327,
            BadParentPageLink => -338,
            SPAvailExtCorrupted => -341,
            DbTimeCorrupted => -344,
            BadEmptyPage => -351,
            PageTagCorrupted => -357,
            NodeCorrupted => -358,
            CatalogCorrupted => -1220,
            SPOwnExtCorrupted => -343,
            LogFileCorrupt => -501,
            MissingPreviousLogFile => -509,
            LogGenerationMismatch => -513,
            BadLogVersion => -514,
            InvalidLogSequence => -515,
            MissingLogFile => -528,
            BadLogSignature => -530,
            BadCheckpointSignature => -532,
            CheckpointCorrupt => -533,
            LogFileSizeMismatch => -541,
            RequiredLogFilesMissing => -543,
            DatabaseDirtyShutdown => -550,
            DatabaseIncompleteUpgrade => -563,
            CommittedLogFilesMissing => -582,
            LogSequenceChecksumMismatch => -590,
            ReadVerifyFailure => -1018,
            PageNotInitialized => -1019,
            FileAccessDenied => -1032,
            ReadPgnoVerifyFailure => -1118,
            ReadLostFlushVerifyFailure => -1119,
            DatabaseCorrupted => -1206,
            InvalidDatabaseVersion => -1209,
            PageSizeMismatch => -1213,
            DatabaseIncompleteIncrementalReseed => -1226,
            DatabaseIncompleteRevert => -1935,
            FileNotFound => -1811,
            FileInvalidType => -1812,
        }
    }

    /// The engine's name, e.g. `JET_errReadVerifyFailure`.
    pub(crate) fn name(self) -> &'static str {
        use JetErr::*;
        match self {
            BadPageLink => "JET_errBadPageLink",
            BadParentPageLink => "JET_errBadParentPageLink",
            SPAvailExtCorrupted => "JET_errSPAvailExtCorrupted",
            DbTimeCorrupted => "JET_errDbTimeCorrupted",
            BadEmptyPage => "JET_errBadEmptyPage",
            PageTagCorrupted => "JET_errPageTagCorrupted",
            NodeCorrupted => "JET_errNodeCorrupted",
            CatalogCorrupted => "JET_errCatalogCorrupted",
            SPOwnExtCorrupted => "JET_errSPOwnExtCorrupted",
            LogFileCorrupt => "JET_errLogFileCorrupt",
            MissingPreviousLogFile => "JET_errMissingPreviousLogFile",
            LogGenerationMismatch => "JET_errLogGenerationMismatch",
            BadLogVersion => "JET_errBadLogVersion",
            InvalidLogSequence => "JET_errInvalidLogSequence",
            MissingLogFile => "JET_errMissingLogFile",
            BadLogSignature => "JET_errBadLogSignature",
            BadCheckpointSignature => "JET_errBadCheckpointSignature",
            CheckpointCorrupt => "JET_errCheckpointCorrupt",
            LogFileSizeMismatch => "JET_errLogFileSizeMismatch",
            RequiredLogFilesMissing => "JET_errRequiredLogFilesMissing",
            DatabaseDirtyShutdown => "JET_errDatabaseDirtyShutdown",
            DatabaseIncompleteUpgrade => "JET_errDatabaseIncompleteUpgrade",
            CommittedLogFilesMissing => "JET_errCommittedLogFilesMissing",
            LogSequenceChecksumMismatch => "JET_errLogSequenceChecksumMismatch",
            ReadVerifyFailure => "JET_errReadVerifyFailure",
            PageNotInitialized => "JET_errPageNotInitialized",
            FileAccessDenied => "JET_errFileAccessDenied",
            ReadPgnoVerifyFailure => "JET_errReadPgnoVerifyFailure",
            ReadLostFlushVerifyFailure => "JET_errReadLostFlushVerifyFailure",
            DatabaseCorrupted => "JET_errDatabaseCorrupted",
            InvalidDatabaseVersion => "JET_errInvalidDatabaseVersion",
            PageSizeMismatch => "JET_errPageSizeMismatch",
            DatabaseIncompleteIncrementalReseed => "JET_errDatabaseIncompleteIncrementalReseed",
            DatabaseIncompleteRevert => "JET_errDatabaseIncompleteRevert",
            FileNotFound => "JET_errFileNotFound",
            FileInvalidType => "JET_errFileInvalidType",
        }
    }
}

impl Serialize for JetErr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_error_once_in_the_order_of_the_enum() {
        // In order, none twice, none skipped up to ALL's last…
        for (i, e) in JetErr::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i, "{e:?}");
        }
        // …and ALL's last is the enum's last. No wildcard: a new error does not compile here
        // until it is named, and naming it the last makes this fail until ALL has it.
        fn is_last(e: JetErr) -> bool {
            use JetErr::*;
            match e {
                FileInvalidType => true,
                SPOwnExtCorrupted
                | BadPageLink
                | BadParentPageLink
                | SPAvailExtCorrupted
                | DbTimeCorrupted
                | BadEmptyPage
                | PageTagCorrupted
                | NodeCorrupted
                | CatalogCorrupted
                | LogFileCorrupt
                | MissingPreviousLogFile
                | LogGenerationMismatch
                | BadLogVersion
                | InvalidLogSequence
                | MissingLogFile
                | BadLogSignature
                | BadCheckpointSignature
                | CheckpointCorrupt
                | LogFileSizeMismatch
                | RequiredLogFilesMissing
                | DatabaseDirtyShutdown
                | DatabaseIncompleteUpgrade
                | CommittedLogFilesMissing
                | LogSequenceChecksumMismatch
                | ReadVerifyFailure
                | PageNotInitialized
                | FileAccessDenied
                | ReadPgnoVerifyFailure
                | ReadLostFlushVerifyFailure
                | DatabaseCorrupted
                | InvalidDatabaseVersion
                | PageSizeMismatch
                | DatabaseIncompleteIncrementalReseed
                | DatabaseIncompleteRevert
                | FileNotFound => false,
            }
        }
        assert!(is_last(JetErr::ALL[JetErr::ALL.len() - 1]));
    }

    #[test]
    fn codes_match_the_engine_header() {
        assert_eq!(JetErr::ReadVerifyFailure.code(), -1018);
        assert_eq!(JetErr::RequiredLogFilesMissing.code(), -543);
        // jethdr.w:6062 and 6309.
        assert_eq!(JetErr::SPOwnExtCorrupted.code(), -343);
        assert_eq!(JetErr::SPOwnExtCorrupted.name(), "JET_errSPOwnExtCorrupted");
        assert_eq!(JetErr::PageNotInitialized.code(), -1019);
        assert_eq!(
            JetErr::LogSequenceChecksumMismatch.name(),
            "JET_errLogSequenceChecksumMismatch"
        );
    }
}
