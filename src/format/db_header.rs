//! DBFILEHDR, the database header (ESE-FORMAT.md §2.1). Pure parsing over `&[u8]`; no I/O and no
//! checksum verification here: which of the two header copies to trust, and at which page size,
//! is `scan::header_copies` (§2, CLI.md Decision 5).

use super::bytes::{FormatError, Reader};
use super::common::{BkInfo, Lgpos, LogTime, Signature, FILETYPE_OFFSET};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;

/// Bytes of DBFILEHDR that carry fields; the rest of the header page is zero.
pub(crate) const DB_HEADER_LEN: usize = 748;
/// `le_ulMagic`.
pub(crate) const DB_MAGIC: u32 = 0x89AB_CDEF;
/// `le_ulVersion` of every database since ESE97.
pub(crate) const DB_VERSION: u32 = 0x620;

/// The database header, field by field, in the order of the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DbFileHeader {
    /// @0 `le_ulChecksum`: legacy XOR checksum of the header page.
    #[serde(rename = "le_ulChecksum")]
    pub checksum: u32,
    /// @4 `le_ulMagic`: 0x89ABCDEF.
    #[serde(rename = "le_ulMagic")]
    pub magic: u32,
    /// @8 `le_ulVersion`: format major, 0x620.
    #[serde(rename = "le_ulVersion")]
    pub version: u32,
    /// @12 `le_attrib`: 0 = database.
    #[serde(rename = "le_attrib")]
    pub attrib: u32,
    /// @16 `le_dbtimeDirtied`.
    #[serde(rename = "le_dbtimeDirtied")]
    pub dbtime_dirtied: u64,
    /// @24 `signDb`.
    #[serde(rename = "signDb")]
    pub sign_db: Signature,
    /// @52 `le_dbstate`.
    #[serde(rename = "le_dbstate")]
    pub db_state: u32,
    /// @56 `le_lgposConsistent`.
    #[serde(rename = "le_lgposConsistent")]
    pub lgpos_consistent: Lgpos,
    /// @64 `logtimeConsistent`.
    #[serde(rename = "logtimeConsistent")]
    pub logtime_consistent: LogTime,
    /// @72 `logtimeAttach`.
    #[serde(rename = "logtimeAttach")]
    pub logtime_attach: LogTime,
    /// @80 `le_lgposAttach`.
    #[serde(rename = "le_lgposAttach")]
    pub lgpos_attach: Lgpos,
    /// @88 `logtimeDetach`.
    #[serde(rename = "logtimeDetach")]
    pub logtime_detach: LogTime,
    /// @96 `le_lgposDetach`.
    #[serde(rename = "le_lgposDetach")]
    pub lgpos_detach: Lgpos,
    /// @104 `le_dbid`.
    #[serde(rename = "le_dbid")]
    pub dbid: u32,
    /// @108 `signLog`: the log stream this database belongs to (zero if unlogged).
    #[serde(rename = "signLog")]
    pub sign_log: Signature,
    /// @136 `bkinfoFullPrev`.
    #[serde(rename = "bkinfoFullPrev")]
    pub bkinfo_full_prev: BkInfo,
    /// @160 `bkinfoIncPrev`.
    #[serde(rename = "bkinfoIncPrev")]
    pub bkinfo_inc_prev: BkInfo,
    /// @184 `bkinfoFullCur`.
    #[serde(rename = "bkinfoFullCur")]
    pub bkinfo_full_cur: BkInfo,
    /// @208 `m_ulDbFlags`.
    #[serde(rename = "m_ulDbFlags")]
    pub db_flags: u32,
    /// @212 `le_objidLast`.
    #[serde(rename = "le_objidLast")]
    pub objid_last: u32,
    /// @216 `le_dwMajorVersion`: OS version that last (re)built indexes.
    #[serde(rename = "le_dwMajorVersion")]
    pub os_major: u32,
    /// @220 `le_dwMinorVersion`.
    #[serde(rename = "le_dwMinorVersion")]
    pub os_minor: u32,
    /// @224 `le_dwBuildNumber`.
    #[serde(rename = "le_dwBuildNumber")]
    pub os_build: u32,
    /// @228 `le_lSPNumber`.
    #[serde(rename = "le_lSPNumber")]
    pub os_sp: u32,
    /// @232 `le_ulDaeUpdateMajor`.
    #[serde(rename = "le_ulDaeUpdateMajor")]
    pub dae_update_major: u32,
    /// @236 `le_cbPageSize`: 0 means 4096.
    #[serde(rename = "le_cbPageSize")]
    pub cb_page_size: u32,
    /// @240 `le_ulRepairCount`.
    #[serde(rename = "le_ulRepairCount")]
    pub repair_count: u32,
    /// @244 `logtimeRepair`.
    #[serde(rename = "logtimeRepair")]
    pub logtime_repair: LogTime,
    /// @280 `le_dbtimeLastScrub`.
    #[serde(rename = "le_dbtimeLastScrub")]
    pub dbtime_last_scrub: u64,
    /// @288 `logtimeScrub`.
    #[serde(rename = "logtimeScrub")]
    pub logtime_scrub: LogTime,
    /// @296 `le_lGenMinRequired`: "Log Required" low end.
    #[serde(rename = "le_lGenMinRequired")]
    pub gen_min_required: i32,
    /// @300 `le_lGenMaxRequired`: "Log Required" high end.
    #[serde(rename = "le_lGenMaxRequired")]
    pub gen_max_required: i32,
    /// @316 `bkinfoSnapshotCur`.
    #[serde(rename = "bkinfoSnapshotCur")]
    pub bkinfo_snapshot_cur: BkInfo,
    /// @340 `le_ulCreateVersion`.
    #[serde(rename = "le_ulCreateVersion")]
    pub create_version: u32,
    /// @344 `le_ulCreateUpdate`.
    #[serde(rename = "le_ulCreateUpdate")]
    pub create_update: u32,
    /// @348 `logtimeGenMaxCreate`: creation time of the log generation `lGenMaxCommitted` (the
    /// engine's `DBFILEHDR::SetDbstate` stamps it with the current log's time when it sets Log
    /// Required and Log Committed to that generation, and backup.cxx copies it as
    /// `logtimeGenMaxCommitted`). Equal to the creation time of `lGenMaxRequired` only when the
    /// two generations are equal.
    #[serde(rename = "logtimeGenMaxCreate")]
    pub logtime_gen_max_create: LogTime,
    /// @356 `bkinfoTypeFullPrev`.
    #[serde(rename = "bkinfoTypeFullPrev")]
    pub bkinfo_type_full_prev: u32,
    /// @360 `bkinfoTypeIncPrev`.
    #[serde(rename = "bkinfoTypeIncPrev")]
    pub bkinfo_type_inc_prev: u32,
    /// @364 `le_ulRepairCountOld`.
    #[serde(rename = "le_ulRepairCountOld")]
    pub repair_count_old: u32,
    /// @368 `le_ulECCFixSuccess`.
    #[serde(rename = "le_ulECCFixSuccess")]
    pub ecc_fix_success: u32,
    /// @372 `logtimeECCFixSuccess`.
    #[serde(rename = "logtimeECCFixSuccess")]
    pub logtime_ecc_fix_success: LogTime,
    /// @380 `le_ulECCFixSuccessOld`.
    #[serde(rename = "le_ulECCFixSuccessOld")]
    pub ecc_fix_success_old: u32,
    /// @384 `le_ulECCFixFail`.
    #[serde(rename = "le_ulECCFixFail")]
    pub ecc_fix_fail: u32,
    /// @388 `logtimeECCFixFail`.
    #[serde(rename = "logtimeECCFixFail")]
    pub logtime_ecc_fix_fail: LogTime,
    /// @396 `le_ulECCFixFailOld`.
    #[serde(rename = "le_ulECCFixFailOld")]
    pub ecc_fix_fail_old: u32,
    /// @400 `le_ulBadChecksum`.
    #[serde(rename = "le_ulBadChecksum")]
    pub bad_checksum: u32,
    /// @404 `logtimeBadChecksum`.
    #[serde(rename = "logtimeBadChecksum")]
    pub logtime_bad_checksum: LogTime,
    /// @412 `le_ulBadChecksumOld`.
    #[serde(rename = "le_ulBadChecksumOld")]
    pub bad_checksum_old: u32,
    /// @416 `le_lGenMaxCommitted`: "Log Committed".
    #[serde(rename = "le_lGenMaxCommitted")]
    pub gen_max_committed: i32,
    /// @420 `bkinfoCopyPrev`.
    #[serde(rename = "bkinfoCopyPrev")]
    pub bkinfo_copy_prev: BkInfo,
    /// @444 `bkinfoDiffPrev`.
    #[serde(rename = "bkinfoDiffPrev")]
    pub bkinfo_diff_prev: BkInfo,
    /// @468 `bkinfoTypeCopyPrev`.
    #[serde(rename = "bkinfoTypeCopyPrev")]
    pub bkinfo_type_copy_prev: u32,
    /// @472 `bkinfoTypeDiffPrev`.
    #[serde(rename = "bkinfoTypeDiffPrev")]
    pub bkinfo_type_diff_prev: u32,
    /// @476 `le_ulIncrementalReseedCount`.
    #[serde(rename = "le_ulIncrementalReseedCount")]
    pub incremental_reseed_count: u32,
    /// @480 `logtimeIncrementalReseed`.
    #[serde(rename = "logtimeIncrementalReseed")]
    pub logtime_incremental_reseed: LogTime,
    /// @492 `le_ulPagePatchCount`.
    #[serde(rename = "le_ulPagePatchCount")]
    pub page_patch_count: u32,
    /// @496 `logtimePagePatch`.
    #[serde(rename = "logtimePagePatch")]
    pub logtime_page_patch: LogTime,
    /// @508 `le_qwSortVersion` (unaligned).
    #[serde(rename = "le_qwSortVersion")]
    pub sort_version: u64,
    /// @516 `logtimeDbscanPrev`.
    #[serde(rename = "logtimeDbscanPrev")]
    pub logtime_dbscan_prev: LogTime,
    /// @524 `logtimeDbscanStart`.
    #[serde(rename = "logtimeDbscanStart")]
    pub logtime_dbscan_start: LogTime,
    /// @532 `le_pgnoDbscanHighestContinuous`.
    #[serde(rename = "le_pgnoDbscanHighestContinuous")]
    pub pgno_dbscan_highest_continuous: u32,
    /// @536 `le_lGenRecovering`: "Log Recovering".
    #[serde(rename = "le_lGenRecovering")]
    pub gen_recovering: i32,
    /// @540 `le_ulExtendCount`.
    #[serde(rename = "le_ulExtendCount")]
    pub extend_count: u32,
    /// @544 `logtimeLastExtend`.
    #[serde(rename = "logtimeLastExtend")]
    pub logtime_last_extend: LogTime,
    /// @552 `le_ulShrinkCount`.
    #[serde(rename = "le_ulShrinkCount")]
    pub shrink_count: u32,
    /// @556 `logtimeLastShrink`.
    #[serde(rename = "logtimeLastShrink")]
    pub logtime_last_shrink: LogTime,
    /// @564 `logtimeLastReAttach`.
    #[serde(rename = "logtimeLastReAttach")]
    pub logtime_last_reattach: LogTime,
    /// @572 `le_lgposLastReAttach`.
    #[serde(rename = "le_lgposLastReAttach")]
    pub lgpos_last_reattach: Lgpos,
    /// @580 `le_ulTrimCount`.
    #[serde(rename = "le_ulTrimCount")]
    pub trim_count: u32,
    /// @640 `le_lGenMinConsistent`: "Log Consistent".
    #[serde(rename = "le_lGenMinConsistent")]
    pub gen_min_consistent: i32,
    /// @644 `le_ulDaeUpdateMinor`.
    #[serde(rename = "le_ulDaeUpdateMinor")]
    pub dae_update_minor: u32,
    /// @648 `le_efvMaxBinAttachDiagnostic`.
    #[serde(rename = "le_efvMaxBinAttachDiagnostic")]
    pub efv_max_bin_attach: u32,
    /// @652 `le_pgnoDbscanHighest`.
    #[serde(rename = "le_pgnoDbscanHighest")]
    pub pgno_dbscan_highest: u32,
    /// @667 `le_filetype` (unaligned): 1 database, 5 temp database, 0 before the field existed.
    #[serde(rename = "le_filetype")]
    pub file_type: u32,
    /// @672 `logtimeGenMaxRequired`: creation time of the log generation `lGenMaxRequired`,
    /// written only by databases of format 0x620.150.320 and later
    /// (`LOGTIME_GEN_MAX_REQUIRED_FORMAT`); zero before.
    #[serde(rename = "logtimeGenMaxRequired")]
    pub logtime_gen_max_required: LogTime,
    /// @680 `le_lGenPreRedoMinConsistent`.
    #[serde(rename = "le_lGenPreRedoMinConsistent")]
    pub gen_pre_redo_min_consistent: i32,
    /// @684 `le_lGenPreRedoMinRequired`.
    #[serde(rename = "le_lGenPreRedoMinRequired")]
    pub gen_pre_redo_min_required: i32,
    /// @716 `le_ulRevertCount`.
    #[serde(rename = "le_ulRevertCount")]
    pub revert_count: u32,
    /// @304 `le_cpgUpgrade55Format`.
    #[serde(rename = "le_cpgUpgrade55Format")]
    pub cpg_upgrade_55_format: i32,
    /// @308 `le_cpgUpgradeFreePages`.
    #[serde(rename = "le_cpgUpgradeFreePages")]
    pub cpg_upgrade_free_pages: i32,
    /// @312 `le_cpgUpgradeSpaceMapPages`.
    #[serde(rename = "le_cpgUpgradeSpaceMapPages")]
    pub cpg_upgrade_space_map_pages: i32,
    /// @488 `le_ulIncrementalReseedCountOld`.
    #[serde(rename = "le_ulIncrementalReseedCountOld")]
    pub incremental_reseed_count_old: u32,
    /// @504 `le_ulPagePatchCountOld`.
    #[serde(rename = "le_ulPagePatchCountOld")]
    pub page_patch_count_old: u32,
    /// @584 `signDbHdrFlush`.
    #[serde(rename = "signDbHdrFlush")]
    pub sign_db_hdr_flush: Signature,
    /// @612 `signFlushMapHdrFlush`.
    #[serde(rename = "signFlushMapHdrFlush")]
    pub sign_flush_map_hdr_flush: Signature,
    /// @656 `le_lgposLastResize`.
    #[serde(rename = "le_lgposLastResize")]
    pub lgpos_last_resize: Lgpos,
    /// @688 `signRBSHdrFlush`.
    #[serde(rename = "signRBSHdrFlush")]
    pub sign_rbs_hdr_flush: Signature,
    /// @720 `logtimeRevertFrom`.
    #[serde(rename = "logtimeRevertFrom")]
    pub logtime_revert_from: LogTime,
    /// @728 `logtimeRevertTo`.
    #[serde(rename = "logtimeRevertTo")]
    pub logtime_revert_to: LogTime,
    /// @736 `le_ulRevertPageCount`.
    #[serde(rename = "le_ulRevertPageCount")]
    pub revert_page_count: u32,
    /// @740 `le_lgposCommitBeforeRevert`.
    #[serde(rename = "le_lgposCommitBeforeRevert")]
    pub lgpos_commit_before_revert: Lgpos,
}

/// The format version (`le_ulVersion`, `le_ulDaeUpdateMajor`, `le_ulDaeUpdateMinor`) from which
/// the engine writes `logtimeGenMaxRequired` (@672): `JET_efvLogtimeGenMaxRequired`, DB version
/// 1568.150.320 in sysver.cxx's format table (1568 = 0x620).
pub(crate) const LOGTIME_GEN_MAX_REQUIRED_FORMAT: (u32, u32, u32) = (0x620, 150, 320);

/// The values of `le_dbstate` (`JET_dbstate*`, ESE-FORMAT.md §1.6).
pub(crate) mod dbstate {
    /// `JET_dbstateJustCreated`.
    pub(crate) const JUST_CREATED: u32 = 1;
    /// `JET_dbstateDirtyShutdown`.
    pub(crate) const DIRTY_SHUTDOWN: u32 = 2;
    /// `JET_dbstateCleanShutdown`.
    pub(crate) const CLEAN_SHUTDOWN: u32 = 3;
    /// `JET_dbstateBeingConverted`.
    pub(crate) const BEING_CONVERTED: u32 = 4;
    /// `JET_dbstateForceDetach`.
    pub(crate) const FORCE_DETACH: u32 = 5;
    /// `JET_dbstateIncrementalReseedInProgress`.
    pub(crate) const INCREMENTAL_RESEED_IN_PROGRESS: u32 = 6;
    /// `JET_dbstateDirtyAndPatchedShutdown`.
    pub(crate) const DIRTY_AND_PATCHED_SHUTDOWN: u32 = 7;
    /// `JET_dbstateRevertInProgress`.
    pub(crate) const REVERT_IN_PROGRESS: u32 = 8;
}

/// `le_dbstate` in eseutil /MH's words (`Dirty Shutdown`), for text; [`state_name`] is the
/// engine's identifier, for JSON.
pub(crate) fn state_words(state: u32) -> &'static str {
    match state {
        1 => "Just Created",
        2 => "Dirty Shutdown",
        3 => "Clean Shutdown",
        4 => "Being Converted",
        5 => "Force Detach",
        6 => "Incremental Reseed In Progress",
        7 => "Dirty and Patched Shutdown",
        8 => "Revert In Progress",
        _ => "Unknown",
    }
}

/// Names of `le_dbstate` values (§1.6).
pub(crate) fn state_name(state: u32) -> &'static str {
    match state {
        1 => "JustCreated",
        2 => "DirtyShutdown",
        3 => "CleanShutdown",
        4 => "BeingConverted",
        5 => "ForceDetach",
        6 => "IncrementalReseedInProgress",
        7 => "DirtyAndPatchedShutdown",
        8 => "RevertInProgress",
        _ => "Unknown",
    }
}

/// The schema of a state's name as [`state_name`] gives it, or `null` (no header copy to read
/// it from): for `#[schemars(schema_with)]` on the fields that hold one.
pub(crate) fn opt_state_name_schema(_: &mut SchemaGenerator) -> Schema {
    // Every value `state_name` can give: 0 and anything above 8 are "Unknown".
    let mut names: Vec<serde_json::Value> = (1..=8).chain([0]).map(|s| state_name(s).into()).collect();
    names.push(serde_json::Value::Null);
    json_schema!({
        "description": "`le_dbstate` by its engine name (`CleanShutdown`, `DirtyShutdown`…); `null` when no header copy is usable.",
        "enum": names
    })
}

impl DbFileHeader {
    /// `ulVersion.ulDaeUpdateMajor.ulDaeUpdateMinor`, as /MH prints it (e.g. `0x620.20.0`).
    pub fn format_string(&self) -> String {
        format!(
            "0x{:x}.{}.{}",
            self.version, self.dae_update_major, self.dae_update_minor
        )
    }

    /// Parses a header copy. `buf` must hold at least `DB_HEADER_LEN` bytes.
    pub fn parse(buf: &[u8]) -> Result<Self, FormatError> {
        let r = Reader::new(buf, "DBFILEHDR");
        Ok(DbFileHeader {
            checksum: r.u32(0, "le_ulChecksum")?,
            magic: r.u32(4, "le_ulMagic")?,
            version: r.u32(8, "le_ulVersion")?,
            attrib: r.u32(12, "le_attrib")?,
            dbtime_dirtied: r.u64(16, "le_dbtimeDirtied")?,
            sign_db: Signature::read(&r, 24, "signDb")?,
            db_state: r.u32(52, "le_dbstate")?,
            lgpos_consistent: Lgpos::read(&r, 56, "le_lgposConsistent")?,
            logtime_consistent: LogTime::read(&r, 64, "logtimeConsistent")?,
            logtime_attach: LogTime::read(&r, 72, "logtimeAttach")?,
            lgpos_attach: Lgpos::read(&r, 80, "le_lgposAttach")?,
            logtime_detach: LogTime::read(&r, 88, "logtimeDetach")?,
            lgpos_detach: Lgpos::read(&r, 96, "le_lgposDetach")?,
            dbid: r.u32(104, "le_dbid")?,
            sign_log: Signature::read(&r, 108, "signLog")?,
            bkinfo_full_prev: BkInfo::read(&r, 136, "bkinfoFullPrev")?,
            bkinfo_inc_prev: BkInfo::read(&r, 160, "bkinfoIncPrev")?,
            bkinfo_full_cur: BkInfo::read(&r, 184, "bkinfoFullCur")?,
            db_flags: r.u32(208, "m_ulDbFlags")?,
            objid_last: r.u32(212, "le_objidLast")?,
            os_major: r.u32(216, "le_dwMajorVersion")?,
            os_minor: r.u32(220, "le_dwMinorVersion")?,
            os_build: r.u32(224, "le_dwBuildNumber")?,
            os_sp: r.u32(228, "le_lSPNumber")?,
            dae_update_major: r.u32(232, "le_ulDaeUpdateMajor")?,
            cb_page_size: r.u32(236, "le_cbPageSize")?,
            repair_count: r.u32(240, "le_ulRepairCount")?,
            logtime_repair: LogTime::read(&r, 244, "logtimeRepair")?,
            dbtime_last_scrub: r.u64(280, "le_dbtimeLastScrub")?,
            logtime_scrub: LogTime::read(&r, 288, "logtimeScrub")?,
            gen_min_required: r.i32(296, "le_lGenMinRequired")?,
            gen_max_required: r.i32(300, "le_lGenMaxRequired")?,
            bkinfo_snapshot_cur: BkInfo::read(&r, 316, "bkinfoSnapshotCur")?,
            create_version: r.u32(340, "le_ulCreateVersion")?,
            create_update: r.u32(344, "le_ulCreateUpdate")?,
            logtime_gen_max_create: LogTime::read(&r, 348, "logtimeGenMaxCreate")?,
            bkinfo_type_full_prev: r.u32(356, "bkinfoTypeFullPrev")?,
            bkinfo_type_inc_prev: r.u32(360, "bkinfoTypeIncPrev")?,
            repair_count_old: r.u32(364, "le_ulRepairCountOld")?,
            ecc_fix_success: r.u32(368, "le_ulECCFixSuccess")?,
            logtime_ecc_fix_success: LogTime::read(&r, 372, "logtimeECCFixSuccess")?,
            ecc_fix_success_old: r.u32(380, "le_ulECCFixSuccessOld")?,
            ecc_fix_fail: r.u32(384, "le_ulECCFixFail")?,
            logtime_ecc_fix_fail: LogTime::read(&r, 388, "logtimeECCFixFail")?,
            ecc_fix_fail_old: r.u32(396, "le_ulECCFixFailOld")?,
            bad_checksum: r.u32(400, "le_ulBadChecksum")?,
            logtime_bad_checksum: LogTime::read(&r, 404, "logtimeBadChecksum")?,
            bad_checksum_old: r.u32(412, "le_ulBadChecksumOld")?,
            gen_max_committed: r.i32(416, "le_lGenMaxCommitted")?,
            bkinfo_copy_prev: BkInfo::read(&r, 420, "bkinfoCopyPrev")?,
            bkinfo_diff_prev: BkInfo::read(&r, 444, "bkinfoDiffPrev")?,
            bkinfo_type_copy_prev: r.u32(468, "bkinfoTypeCopyPrev")?,
            bkinfo_type_diff_prev: r.u32(472, "bkinfoTypeDiffPrev")?,
            incremental_reseed_count: r.u32(476, "le_ulIncrementalReseedCount")?,
            logtime_incremental_reseed: LogTime::read(&r, 480, "logtimeIncrementalReseed")?,
            page_patch_count: r.u32(492, "le_ulPagePatchCount")?,
            logtime_page_patch: LogTime::read(&r, 496, "logtimePagePatch")?,
            sort_version: r.u64(508, "le_qwSortVersion")?,
            logtime_dbscan_prev: LogTime::read(&r, 516, "logtimeDbscanPrev")?,
            logtime_dbscan_start: LogTime::read(&r, 524, "logtimeDbscanStart")?,
            pgno_dbscan_highest_continuous: r.u32(532, "le_pgnoDbscanHighestContinuous")?,
            gen_recovering: r.i32(536, "le_lGenRecovering")?,
            extend_count: r.u32(540, "le_ulExtendCount")?,
            logtime_last_extend: LogTime::read(&r, 544, "logtimeLastExtend")?,
            shrink_count: r.u32(552, "le_ulShrinkCount")?,
            logtime_last_shrink: LogTime::read(&r, 556, "logtimeLastShrink")?,
            logtime_last_reattach: LogTime::read(&r, 564, "logtimeLastReAttach")?,
            lgpos_last_reattach: Lgpos::read(&r, 572, "le_lgposLastReAttach")?,
            trim_count: r.u32(580, "le_ulTrimCount")?,
            gen_min_consistent: r.i32(640, "le_lGenMinConsistent")?,
            dae_update_minor: r.u32(644, "le_ulDaeUpdateMinor")?,
            efv_max_bin_attach: r.u32(648, "le_efvMaxBinAttachDiagnostic")?,
            pgno_dbscan_highest: r.u32(652, "le_pgnoDbscanHighest")?,
            file_type: r.u32(FILETYPE_OFFSET, "le_filetype")?,
            logtime_gen_max_required: LogTime::read(&r, 672, "logtimeGenMaxRequired")?,
            gen_pre_redo_min_consistent: r.i32(680, "le_lGenPreRedoMinConsistent")?,
            gen_pre_redo_min_required: r.i32(684, "le_lGenPreRedoMinRequired")?,
            revert_count: r.u32(716, "le_ulRevertCount")?,
            cpg_upgrade_55_format: r.i32(304, "le_cpgUpgrade55Format")?,
            cpg_upgrade_free_pages: r.i32(308, "le_cpgUpgradeFreePages")?,
            cpg_upgrade_space_map_pages: r.i32(312, "le_cpgUpgradeSpaceMapPages")?,
            incremental_reseed_count_old: r.u32(488, "le_ulIncrementalReseedCountOld")?,
            page_patch_count_old: r.u32(504, "le_ulPagePatchCountOld")?,
            sign_db_hdr_flush: Signature::read(&r, 584, "signDbHdrFlush")?,
            sign_flush_map_hdr_flush: Signature::read(&r, 612, "signFlushMapHdrFlush")?,
            lgpos_last_resize: Lgpos::read(&r, 656, "le_lgposLastResize")?,
            sign_rbs_hdr_flush: Signature::read(&r, 688, "signRBSHdrFlush")?,
            logtime_revert_from: LogTime::read(&r, 720, "logtimeRevertFrom")?,
            logtime_revert_to: LogTime::read(&r, 728, "logtimeRevertTo")?,
            revert_page_count: r.u32(736, "le_ulRevertPageCount")?,
            lgpos_commit_before_revert: Lgpos::read(&r, 740, "le_lgposCommitBeforeRevert")?,
        })
    }

    /// The page size the header states (`le_cbPageSize`, 0 meaning 4096).
    pub fn page_size(&self) -> u32 {
        if self.cb_page_size == 0 {
            4096
        } else {
            self.cb_page_size
        }
    }

    /// The state's name (`CleanShutdown`, `DirtyShutdown`…).
    pub fn state_name(&self) -> &'static str {
        state_name(self.db_state)
    }

    /// True when the database needs log replay to become consistent (CLI.md Decision 13): its
    /// state is one recovery replays (DirtyShutdown, DirtyAndPatchedShutdown), or it is clean
    /// and either end of its Log Required range is set. A database in a state the engine
    /// refuses (JustCreated, BeingConverted, ForceDetach, IncrementalReseedInProgress,
    /// RevertInProgress, any unknown value) needs none: no replay makes it usable (CLI.md
    /// Decision 22).
    pub fn needs_logs(&self) -> bool {
        match self.db_state {
            dbstate::DIRTY_SHUTDOWN | dbstate::DIRTY_AND_PATCHED_SHUTDOWN => true,
            dbstate::CLEAN_SHUTDOWN => self.gen_min_required > 0 || self.gen_max_required > 0,
            _ => false,
        }
    }

    /// True when the header's format (`le_ulVersion.le_ulDaeUpdateMajor.le_ulDaeUpdateMinor`)
    /// is `v` or later, compared field by field as the engine's `CmpDbVer` does.
    pub(crate) fn format_at_least(&self, v: (u32, u32, u32)) -> bool {
        (self.version, self.dae_update_major, self.dae_update_minor) >= v
    }

    /// The creation time the engine expects of the log generation `lGenMaxRequired` when
    /// recovery reaches it (logredo.cxx, the check before `REDO_HIGH_LOG_MISMATCH_ERROR_ID`):
    /// `logtimeGenMaxRequired` when the format has it, else zero; a zero one with Log Required
    /// ending at Log Committed falls back to `logtimeGenMaxCreate` (the committed generation's
    /// time, which is then the same generation). `None` when no time is recorded: nothing to
    /// compare.
    pub(crate) fn expected_gen_max_required_time(&self) -> Option<LogTime> {
        let mut t = if self.format_at_least(LOGTIME_GEN_MAX_REQUIRED_FORMAT) {
            self.logtime_gen_max_required
        } else {
            LogTime { raw: [0; 8] }
        };
        if t.is_zero() && self.gen_max_required == self.gen_max_committed {
            t = self.logtime_gen_max_create;
        }
        (!t.is_zero()).then_some(t)
    }

    /// The Log Required range `lGenMinRequired-lGenMaxRequired` when it names logs that can be
    /// replayed: both ends set and in order. `None` for 0-0, 0-N and inverted ranges.
    pub(crate) fn usable_log_required(&self) -> Option<[i32; 2]> {
        let (lo, hi) = (self.gen_min_required, self.gen_max_required);
        (lo > 0 && hi >= lo).then_some([lo, hi])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<u8> {
        let mut h = vec![0u8; 4096];
        h[4..8].copy_from_slice(&DB_MAGIC.to_le_bytes());
        h[8..12].copy_from_slice(&DB_VERSION.to_le_bytes());
        h
    }

    #[test]
    fn reads_state_page_size_and_log_required_at_their_offsets() {
        // ESE-FORMAT.md §2.1: le_dbstate @52, le_cbPageSize @236, lGenMinRequired @296,
        // lGenMaxRequired @300.
        let mut h = header();
        h[52..56].copy_from_slice(&2u32.to_le_bytes());
        h[236..240].copy_from_slice(&8192u32.to_le_bytes());
        h[296..300].copy_from_slice(&0x4Ei32.to_le_bytes());
        h[300..304].copy_from_slice(&0x51i32.to_le_bytes());
        let d = DbFileHeader::parse(&h).unwrap();
        assert_eq!((d.magic, d.version), (0x89AB_CDEF, 0x620));
        assert_eq!(d.state_name(), "DirtyShutdown");
        assert_eq!(d.page_size(), 8192);
        assert!(d.needs_logs());
        assert_eq!(d.usable_log_required(), Some([0x4E, 0x51]));
    }

    #[test]
    fn only_a_set_and_ordered_range_is_usable() {
        // CLI.md Decision 13: 0-0, 0-N and inverted ranges name no logs that can be replayed.
        for (lo, hi, needs, usable) in [
            (0i32, 0i32, false, None),
            (0, 81, true, None),
            (82, 81, true, None),
            (5, 5, true, Some([5, 5])),
        ] {
            let mut h = header();
            h[52..56].copy_from_slice(&3u32.to_le_bytes());
            h[296..300].copy_from_slice(&lo.to_le_bytes());
            h[300..304].copy_from_slice(&hi.to_le_bytes());
            let d = DbFileHeader::parse(&h).unwrap();
            assert_eq!((d.needs_logs(), d.usable_log_required()), (needs, usable), "{lo}-{hi}");
        }
    }

    #[test]
    fn only_states_recovery_replays_need_logs() {
        // CLI.md Decision 22, the state: DirtyShutdown and DirtyAndPatchedShutdown are replayed; a clean
        // database needs logs only with a Log Required range set; every refused state needs none.
        for (state, needs) in [
            (1u32, false),
            (2, true),
            (3, false),
            (4, false),
            (5, false),
            (6, false),
            (7, true),
            (8, false),
            (9, false),
        ] {
            let mut h = header();
            h[52..56].copy_from_slice(&state.to_le_bytes());
            h[296..300].copy_from_slice(&5i32.to_le_bytes());
            h[300..304].copy_from_slice(&5i32.to_le_bytes());
            let d = DbFileHeader::parse(&h).unwrap();
            assert_eq!(d.needs_logs(), needs || state == 3, "state {state}");
            h[296..304].fill(0);
            let d = DbFileHeader::parse(&h).unwrap();
            assert_eq!(d.needs_logs(), needs, "state {state}, range 0-0");
        }
    }

    #[test]
    fn the_expected_time_of_lgen_max_required_follows_logredo() {
        // logredo.cxx: logtimeGenMaxRequired (@672) when the format is 0x620.150.320 or later,
        // else zero; zero and lGenMaxRequired == lGenMaxCommitted: logtimeGenMaxCreate (@348).
        let create = [1u8, 2, 3, 4, 5, 120, 0, 0];
        let required = [9u8, 9, 9, 4, 5, 120, 0, 0];
        let mut h = header();
        h[300..304].copy_from_slice(&81i32.to_le_bytes());
        h[416..420].copy_from_slice(&81i32.to_le_bytes());
        h[348..356].copy_from_slice(&create);
        h[672..680].copy_from_slice(&required);
        let at = |h: &[u8], upd_major: u32, upd_minor: u32| {
            let mut h = h.to_vec();
            h[232..236].copy_from_slice(&upd_major.to_le_bytes());
            h[644..648].copy_from_slice(&upd_minor.to_le_bytes());
            DbFileHeader::parse(&h)
                .unwrap()
                .expected_gen_max_required_time()
                .map(|t| t.raw)
        };
        assert_eq!(at(&h, 150, 320), Some(required));
        assert_eq!(at(&h, 200, 0), Some(required));
        // Older formats never wrote @672: the committed generation's time stands in.
        assert_eq!(at(&h, 150, 319), Some(create));
        assert_eq!(at(&h, 20, 0), Some(create));
        // Newer format with @672 zero: the same fallback.
        let mut z = h.clone();
        z[672..680].fill(0);
        assert_eq!(at(&z, 200, 440), Some(create));
        // Committed beyond required: logtimeGenMaxCreate is another generation's time.
        z[416..420].copy_from_slice(&82i32.to_le_bytes());
        assert_eq!(at(&z, 200, 440), None);
        assert_eq!(at(&z, 20, 0), None);
    }

    #[test]
    fn a_header_cut_short_is_an_error_naming_the_field() {
        let e = DbFileHeader::parse(&header()[..240]).unwrap_err();
        assert_eq!(e.structure, "DBFILEHDR");
        assert!(e.offset >= 240, "{e}");
    }
}
