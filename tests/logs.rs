//! Logs, checkpoints and log streams against the real files in `testdata/`, and damaged copies of
//! them made in temporary directories (testdata is never modified). Expected values come from
//! ESE-FORMAT.md's worked examples and the corpus MANIFEST.

use esecheck::codes::JetErr;
use esecheck::report::Verdict;
use esecheck::scan::log::check_log;
use std::path::{Path, PathBuf};

fn td(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(td(rel)).expect("testdata file")
}

const BELKA_DIRTY: &str = "museum-srum-win10-belkasoftctf/Dirty";

fn codes(problems: &[esecheck::report::Problem]) -> Vec<(i32, bool)> {
    problems
        .iter()
        .map(|p| (p.code.map_or(0, JetErr::code), p.is_error()))
        .collect()
}

#[test]
fn sru00051_header_segment_and_accumulated_values_match_the_spec() {
    let bytes = read(&format!("{BELKA_DIRTY}/SRU00051.log"));
    // §4.1: stored = computed = 0x24D79820.
    assert_eq!(
        esecheck::checksum::legacy_checksum(&bytes[..4096]),
        0x24D7_9820
    );
    assert_eq!(
        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        0x24D7_9820
    );
    // §4.2: segment 1 stored = computed = 0x5B3324CC94C11809.
    let seg = esecheck::checksum::verify_segment(&bytes[4096..8192], 1);
    assert_eq!(seg.stored.values[0], 0x5B33_24CC_94C1_1809);
    assert_eq!(seg.computed.values[0], 0x5B33_24CC_94C1_1809);

    let c = check_log(&bytes, "SRU00051.log").unwrap();
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
    assert_eq!(c.generation, Some(0x51));
    assert_eq!(c.sectors_seen, 14);
    assert_eq!(c.format.unwrap().to_string(), "8.4000.5.16");
    // §6.5: accumulated(0x51) is stored in SRU.log (gen 0x52).
    assert_eq!(c.accumulated_checksum, Some(0x7CFF_0300_EB06_2198));
    let cur = check_log(&read(&format!("{BELKA_DIRTY}/SRU.log")), "SRU.log").unwrap();
    assert_eq!(cur.generation, Some(0x52));
    assert_eq!(cur.format.unwrap().to_string(), "8.4000.60.140");
    let h = cur.header.as_ref().unwrap();
    assert_eq!(h.checksum_prev_log_all_segments, 0x7CFF_0300_EB06_2198);
    // Real files differ: SRU.log (gen 0x52) has an empty attach list, SRU00051.log lists SRUDB.dat.
    assert!(h.attach.is_empty());
    let h51 = c.header.as_ref().unwrap();
    assert_eq!(h51.attach.len(), 1);
    assert_eq!(h51.attach[0].path, r"C:\Windows\system32\SRU\SRUDB.dat");
}

/// Every real log in testdata (excluding tmp and reserve files): pass, generation from MANIFEST.
#[test]
fn every_real_log_passes_with_its_manifest_generation() {
    let cases: &[(&str, &[(&str, i32)])] = &[
        (
            "museum-srum-win10-belkasoftctf/Dirty",
            &[
                ("SRU0004E.log", 78),
                ("SRU0004F.log", 79),
                ("SRU00050.log", 80),
                ("SRU00051.log", 81),
                ("SRU.log", 82),
            ],
        ),
        (
            "museum-srum-win10-belkasoftctf/Clean",
            &[
                ("SRU0004E.log", 78),
                ("SRU0004F.log", 79),
                ("SRU00050.log", 80),
                ("SRU00051.log", 81),
                ("SRU.log", 82),
            ],
        ),
        (
            "museum-srum-win11-rathbunvm/Dirty",
            &[
                ("SRU00059.log", 89),
                ("SRU0005A.log", 90),
                ("SRU0005B.log", 91),
                ("SRU.log", 92),
                ("SRUtmp.log", 80),
            ],
        ),
        (
            "museum-srum-win11-rathbunvm/Clean",
            &[
                ("SRU00059.log", 89),
                ("SRU0005A.log", 90),
                ("SRU0005B.log", 91),
                ("SRU.log", 92),
                ("SRUtmp.log", 80),
            ],
        ),
        (
            "museum-srum-win10-rathbunvm/Clean",
            &[
                ("SRU00003.log", 3),
                ("SRU00004.log", 4),
                ("SRU00005.log", 5),
                ("SRU00006.log", 6),
                ("SRU00007.log", 7),
                ("SRU00008.log", 8),
                ("SRU.log", 9),
            ],
        ),
        (
            "museum-srum-server2022-aptsimulator/snapshot1/SRU",
            &[("SRU00001.log", 1), ("SRU.log", 2)],
        ),
        (
            "museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU",
            &[
                ("SRU00003.log", 3),
                ("SRU00004.log", 4),
                ("SRU.log", 5),
                ("SRUtmp.log", 2),
            ],
        ),
    ];
    for (dir, logs) in cases {
        for (name, gen) in *logs {
            let rel = format!("{dir}/{name}");
            let c = check_log(&read(&rel), &rel).unwrap();
            assert_eq!(c.verdict, Verdict::Pass, "{rel}: {:?}", c.problems);
            assert_eq!(c.generation, Some(*gen), "{rel}");
            assert_eq!(c.bad_sectors, 0, "{rel}");
            assert!(c.accumulated_checksum.is_some());
        }
    }
}

#[test]
fn zero_tmp_and_garbage_reserve_logs_are_not_crashes() {
    // Zero-filled tmp log: recognised by name, header checksum fails -> -501, no panic.
    let c = check_log(&read(&format!("{BELKA_DIRTY}/SRUtmp.log")), "SRUtmp.log").unwrap();
    assert_eq!(codes(&c.problems), vec![(-501, true)]);
    // Garbage .jrs: not a log by name or header -> could not check.
    let e = check_log(
        &read("museum-srum-win10-rathbunvm/Clean/srures00002.jrs"),
        "srures00002.jrs",
    )
    .unwrap_err();
    assert!(e.message.contains("not recognisable"), "{}", e.message);
    // Too short.
    assert!(check_log(&[0u8; 100], "x.log").is_err());
}

#[test]
fn every_real_checkpoint_passes_with_its_manifest_generation() {
    use esecheck::scan::checkpoint::check_checkpoint;
    for (rel, gen) in [
        ("museum-srum-win10-belkasoftctf/Dirty/SRU.chk", 81),
        ("museum-srum-win10-belkasoftctf/Clean/SRU.chk", 81),
        ("museum-srum-win11-rathbunvm/Dirty/SRU.chk", 92),
        ("museum-srum-win11-rathbunvm/Clean/SRU.chk", 92),
        ("museum-srum-win10-rathbunvm/Clean/SRU.chk", 9),
        (
            "museum-srum-server2022-aptsimulator/snapshot1/SRU/SRU.chk",
            2,
        ),
        (
            "museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU/SRU.chk",
            5,
        ),
        ("museum-ntds-server2012r2-stolenszechuan-partial/edb.chk", 3),
    ] {
        let c = check_checkpoint(&read(rel), rel).unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{rel}: {:?}", c.problems);
        assert!(c.primary_ok && c.shadow_ok, "{rel}");
        assert_eq!(c.generation, Some(gen), "{rel}");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["type"], "checkpoint");
        assert_eq!(v["generation"], gen);
        let mut text = Vec::new();
        c.write_header_text(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("Checkpoint: (0x"), "{text}");
    }
}
