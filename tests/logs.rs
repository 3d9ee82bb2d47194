//! Logs, checkpoints and log streams against the real files in `testdata/`, and damaged copies of
//! them made in temporary directories (testdata is never modified). Expected values come from
//! ESE-FORMAT.md's worked examples and the corpus MANIFEST.

use crate::util::Run;
use crate::util::{copy_set, read_td, td, BELKA_DIRTY};
use esecheck::codes::JetErr;
use esecheck::scan::log::check_log;
use esecheck::verdict::Verdict;
use std::path::Path;

fn codes(problems: &[esecheck::problem::Problem]) -> Vec<(i32, bool)> {
    problems
        .iter()
        .map(|p| (p.code.map_or(0, JetErr::code), p.is_error()))
        .collect()
}

#[test]
fn sru00051_header_segment_and_accumulated_values_match_the_spec() {
    let bytes = read_td(&format!("{BELKA_DIRTY}/SRU00051.log"));
    // §4.1: stored = computed = 0x24D79820.
    assert_eq!(esecheck::checksum::legacy_checksum(&bytes[..4096]), 0x24D7_9820);
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
    let cur = check_log(&read_td(&format!("{BELKA_DIRTY}/SRU.log")), "SRU.log").unwrap();
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
            let c = check_log(&read_td(&rel), &rel).unwrap();
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
    let c = check_log(&read_td(&format!("{BELKA_DIRTY}/SRUtmp.log")), "SRUtmp.log").unwrap();
    assert_eq!(codes(&c.problems), vec![(-501, true)]);
    // Garbage .jrs: not a log by name or header -> could not check.
    let e = check_log(
        &read_td("museum-srum-win10-rathbunvm/Clean/srures00002.jrs"),
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
        ("museum-srum-server2022-aptsimulator/snapshot1/SRU/SRU.chk", 2),
        ("museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU/SRU.chk", 5),
        ("museum-ntds-server2012r2-stolenszechuan-partial/edb.chk", 3),
    ] {
        let c = check_checkpoint(&read_td(rel), rel).unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{rel}: {:?}", c.problems);
        assert!(c.primary_ok && c.shadow_ok, "{rel}");
        assert_eq!(c.generation, Some(gen), "{rel}");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["type"], "checkpoint");
        assert_eq!(v["generation"], gen);
        let mut text = Vec::new();
        esecheck::report::log_text::write_checkpoint_header_dump(&mut text, &c).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("Checkpoint: (0x"), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Streams

use esecheck::scan::stream::check_stream;

const COMPLETE_SETS: &[(&str, i32, i32)] = &[
    ("museum-srum-win10-belkasoftctf/Dirty", 0x4E, 0x52),
    ("museum-srum-win10-belkasoftctf/Clean", 0x4E, 0x52),
    ("museum-srum-win11-rathbunvm/Dirty", 89, 92),
    ("museum-srum-win11-rathbunvm/Clean", 89, 92),
    ("museum-srum-win10-rathbunvm/Clean", 3, 9),
    ("museum-srum-server2022-aptsimulator/snapshot1/SRU", 1, 2),
    ("museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU", 3, 5),
];

#[test]
fn every_complete_real_set_passes_check_stream() {
    for (dir, first, last) in COMPLETE_SETS {
        let s = check_stream(&td(dir), None).unwrap();
        assert_eq!(
            s.verdict,
            Verdict::Pass,
            "{dir}: {:?} {:?}",
            s.problems,
            s.files.iter().map(|f| &f.problems).collect::<Vec<_>>()
        );
        assert!(s.problems.iter().all(|p| !p.is_error()), "{dir}");
        assert_eq!(s.base.as_deref(), Some("SRU"));
        assert_eq!((s.first, s.last), (Some(*first), Some(*last)), "{dir}");
        assert_eq!(s.files.len() as i32, last - first + 1);
        for g in *first..=*last {
            assert!(s.is_intact(g), "{dir} gen {g}");
        }
        assert!(s.signature().is_some());
        // tmp and reserve logs are ignored with a reason, never problems.
        for i in &s.ignored {
            assert!(!i.why.is_empty());
        }
        let ignored: Vec<String> = s
            .ignored
            .iter()
            .map(|i| {
                Path::new(i.path.unescaped())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_lowercase()
            })
            .collect();
        assert!(ignored.iter().any(|n| n.ends_with(".jrs")), "{dir}: {ignored:?}");
        assert!(ignored.iter().any(|n| n == "srudb.dat"));
        let v = serde_json::to_value(&s).unwrap();
        for k in [
            "verdict",
            "base",
            "directory",
            "first",
            "last",
            "files",
            "ignored",
            "problems",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["files"][0]["type"], "log");
        let mut text = Vec::new();
        esecheck::report::log_text::write_stream(&mut text, &s, s.verdict).unwrap();
        assert!(String::from_utf8(text)
            .unwrap()
            .contains("No damaged log files were found."));
    }
}

#[test]
fn stale_tmp_and_garbage_reserve_logs_are_ignored() {
    let s = check_stream(&td("museum-srum-win10-rathbunvm/Clean"), None).unwrap();
    assert!(s
        .ignored
        .iter()
        .any(|i| i.path.unescaped().ends_with("srures00002.jrs")));
    let s = check_stream(&td("museum-srum-win11-rathbunvm/Dirty"), None).unwrap();
    let tmp = s
        .ignored
        .iter()
        .find(|i| i.path.unescaped().ends_with("SRUtmp.log"))
        .unwrap();
    assert!(tmp.why.contains("next-generation"));
    // The stale tmp log (gen 80) is not in the stream 89..92.
    assert!(s.generation(80).is_none());
}

fn edit(dir: &Path, name: &str, f: impl FnOnce(&mut Vec<u8>)) {
    let p = dir.join(name);
    let mut b = std::fs::read(&p).unwrap();
    f(&mut b);
    std::fs::write(&p, b).unwrap();
}

/// Recomputes the header checksum after an edit, so only the intended rule is broken.
fn reseal(b: &mut [u8]) {
    let ck = esecheck::checksum::legacy_checksum(&b[..4096]);
    b[0..4].copy_from_slice(&ck.to_le_bytes());
}

fn stream_codes(s: &esecheck::scan::StreamCheck) -> Vec<i32> {
    let mut v: Vec<i32> = s
        .problems
        .iter()
        .chain(s.files.iter().flat_map(|f| f.problems.iter()))
        .filter(|p| p.is_error())
        .map(|p| p.code.map_or(0, JetErr::code))
        .collect();
    v.sort();
    v
}

#[test]
fn stream_failures_from_damaged_copies() {
    // -513: header generation differs from the name.
    let t = copy_set(BELKA_DIRTY);
    edit(t.path(), "SRU00050.log", |b| {
        b[4..8].copy_from_slice(&0x60i32.to_le_bytes());
        reseal(b);
    });
    let s = check_stream(t.path(), None).unwrap();
    assert_eq!(s.verdict, Verdict::Fail);
    assert!(stream_codes(&s).contains(&-513), "{:?}", stream_codes(&s));

    // -528: a gap, and the current log not last archived + 1.
    let t = copy_set(BELKA_DIRTY);
    std::fs::remove_file(t.path().join("SRU00050.log")).unwrap();
    let s = check_stream(t.path(), None).unwrap();
    assert_eq!(stream_codes(&s), vec![-528]);
    assert!(!s.is_intact(0x50) && s.is_intact(0x51));
    std::fs::remove_file(t.path().join("SRU00051.log")).unwrap();
    let s = check_stream(t.path(), None).unwrap();
    // Archived 4E, 4F have no gap between them; the current log 0x52 is not 0x4F + 1.
    assert_eq!(stream_codes(&s), vec![-528]);

    // -530: one log of another stream.
    let t = copy_set(BELKA_DIRTY);
    edit(t.path(), "SRU0004E.log", |b| {
        b[44] ^= 0xFF;
        reseal(b);
    });
    let s = check_stream(t.path(), None).unwrap();
    assert_eq!(stream_codes(&s), vec![-530]);
    assert!(!s.is_intact(0x4E));

    // -515: tmPrevGen does not match the previous tmCreate.
    let t = copy_set(BELKA_DIRTY);
    edit(t.path(), "SRU00050.log", |b| {
        b[24] ^= 1;
        reseal(b);
    });
    let s = check_stream(t.path(), None).unwrap();
    assert_eq!(stream_codes(&s), vec![-515]);
    assert!(!s.is_intact(0x50));

    // -590: checksumPrevLogAllSegments of SRU.log no longer matches gen 0x51.
    let t = copy_set(BELKA_DIRTY);
    edit(t.path(), "SRU.log", |b| {
        b[653] ^= 1;
        reseal(b);
    });
    let s = check_stream(t.path(), None).unwrap();
    assert_eq!(stream_codes(&s), vec![-590]);
    assert!(!s.is_intact(0x52));

    // A damaged segment in gen 0x51: -501 there and the follow-on -590 in gen 0x52.
    let t = copy_set(BELKA_DIRTY);
    edit(t.path(), "SRU00051.log", |b| {
        for i in 0..16 {
            // Varied deltas: equal even-popcount word deltas are invisible, and 01..10 aliases a
            // single-bit error (§4.4).
            b[4096 + 200 + i] ^= (i as u8).wrapping_mul(37).wrapping_add(3);
        }
    });
    let s = check_stream(t.path(), None).unwrap();
    assert_eq!(stream_codes(&s), vec![-590, -501]);
}

#[test]
fn no_logs_is_1811_and_several_bases_need_base() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("notes.txt"), b"hello").unwrap();
    let s = check_stream(t.path(), None).unwrap();
    assert_eq!(s.verdict, Verdict::Error);
    assert_eq!(s.problems[0].code, Some(JetErr::FileNotFound));
    assert_eq!(s.ignored.len(), 1);

    let t = copy_set(BELKA_DIRTY);
    std::fs::copy(
        td("museum-srum-server2022-aptsimulator/snapshot1/SRU/SRU00001.log"),
        t.path().join("edb00001.log"),
    )
    .unwrap();
    let e = check_stream(t.path(), None).unwrap_err();
    assert!(e.message.contains("SRU") && e.message.contains("edb"), "{}", e.message);
    let s = check_stream(t.path(), Some("sru")).unwrap();
    assert_eq!(s.verdict, Verdict::Pass, "{:?}", s.problems);
    assert!(s.ignored.iter().any(|i| i.why == "other log stream (base edb)"));
    let s = check_stream(t.path(), Some("edb")).unwrap();
    assert_eq!(s.files.len(), 1);
    // A stray text file with a 3-character stem is not a stream.
    let t = copy_set(BELKA_DIRTY);
    std::fs::write(t.path().join("abc.log"), b"plain text log").unwrap();
    let s = check_stream(t.path(), None).unwrap();
    assert_eq!(s.verdict, Verdict::Pass);
    assert!(s.ignored.iter().any(|i| i.path.unescaped().ends_with("abc.log")));
}

// ---------------------------------------------------------------------------------------------
// Per-file failures on damaged copies, and hostile headers

fn belka_51() -> Vec<u8> {
    read_td(&format!("{BELKA_DIRTY}/SRU00051.log"))
}

fn error_codes(b: &[u8]) -> Vec<i32> {
    let c = check_log(b, "SRU00051.log").unwrap();
    codes(&c.problems)
        .into_iter()
        .filter(|(_, e)| *e)
        .map(|(c, _)| c)
        .collect()
}

#[test]
fn per_file_failures_from_damaged_copies() {
    // -501 header checksum.
    let mut b = belka_51();
    b[100] ^= 1;
    assert_eq!(error_codes(&b), vec![-501]);
    // -501 segment (multi-bit damage in segment 3).
    let mut b = belka_51();
    for i in 0..8 {
        b[3 * 4096 + 300 + i] ^= (i as u8) + 1;
    }
    let c = check_log(&b, "SRU00051.log").unwrap();
    assert_eq!(codes(&c.problems), vec![(-501, true)]);
    assert_eq!((c.bad_sectors, c.problems[0].sector), (1, Some(3)));
    assert_eq!(c.verdict, Verdict::Fail);
    // -541 size.
    let b = belka_51();
    assert_eq!(error_codes(&b[..61440]), vec![-541]);
    // -514 version.
    let mut b = belka_51();
    b[32] = 9;
    reseal(&mut b);
    assert_eq!(error_codes(&b), vec![-514]);
    // -1812 type.
    let mut b = belka_51();
    b[667] = 4;
    reseal(&mut b);
    assert_eq!(error_codes(&b), vec![-1812]);
    // -501 v8 with 512-byte sectors.
    let mut b = belka_51();
    b[8..10].copy_from_slice(&512u16.to_le_bytes());
    b[10..12].copy_from_slice(&8u16.to_le_bytes());
    reseal(&mut b);
    assert_eq!(error_codes(&b), vec![-501]);
}

#[test]
fn a_single_bit_flip_in_a_segment_is_a_correctable_warning() {
    let mut b = belka_51();
    b[2 * 4096 + 1000] ^= 0x10;
    let c = check_log(&b, "SRU00051.log").unwrap();
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
    assert_eq!(c.correctable_sectors, 1);
    assert_eq!(codes(&c.problems), vec![(-501, false)]);
    // The accumulated checksum is unchanged: the stored checksums were not touched.
    assert_eq!(c.accumulated_checksum, Some(0x7CFF_0300_EB06_2198));
}

#[test]
fn hostile_headers_never_panic() {
    let base = belka_51();
    type Edit = Box<dyn Fn(&mut Vec<u8>)>;
    let variants: Vec<Edit> = vec![
        Box::new(|b| b[12..14].copy_from_slice(&0xFFFFu16.to_le_bytes())),
        Box::new(|b| b[12..14].copy_from_slice(&0u16.to_le_bytes())),
        Box::new(|b| b[10..12].copy_from_slice(&0u16.to_le_bytes())),
        Box::new(|b| b[10..12].copy_from_slice(&0xFFFFu16.to_le_bytes())),
        Box::new(|b| b[8..10].copy_from_slice(&0u16.to_le_bytes())),
        Box::new(|b| b[8..10].copy_from_slice(&1000u16.to_le_bytes())),
        Box::new(|b| b[667..671].copy_from_slice(&u32::MAX.to_le_bytes())),
        Box::new(|b| {
            b[671] = 1;
            b[673..675].copy_from_slice(&0xFFFFu16.to_le_bytes());
        }),
        Box::new(|b| b[36..40].copy_from_slice(&u32::MAX.to_le_bytes())),
        Box::new(|b| b.truncate(4096)),
        Box::new(|b| b.extend_from_slice(&[0xFF; 12345])),
    ];
    for (k, v) in variants.iter().enumerate() {
        let mut b = base.clone();
        v(&mut b);
        reseal(&mut b);
        // Either result is acceptable; it must not panic, and errors must name the file. Only
        // the attach-list damage (variant 7) may pass, with a warning.
        match check_log(&b, "h.log") {
            Ok(c) if k == 7 => assert!(!c.problems.is_empty(), "variant {k}"),
            Ok(c) => assert_ne!(c.verdict, Verdict::Pass, "variant {k} passed"),
            Err(e) => assert_eq!(e.path, "h.log"),
        }
    }
}

/// A synthetic v7 (7.3704) log: 512-byte sectors, 8 header sectors, one LRCHECKSUM chain.
fn v7_log(cb_next_override: Option<u32>) -> Vec<u8> {
    use esecheck::checksum::legacy_log::range_checksum;
    use esecheck::format::log_record::LrChecksum;
    let mut b = vec![0u8; 16 * 512];
    b[4..8].copy_from_slice(&1i32.to_le_bytes());
    b[8..10].copy_from_slice(&512u16.to_le_bytes());
    b[10..12].copy_from_slice(&8u16.to_le_bytes());
    b[12..14].copy_from_slice(&16u16.to_le_bytes());
    b[32..36].copy_from_slice(&7u32.to_le_bytes());
    b[36..40].copy_from_slice(&3704u32.to_le_bytes());
    b[40..44].copy_from_slice(&15u32.to_le_bytes());
    b[667..671].copy_from_slice(&3u32.to_le_bytes());
    reseal(&mut b);
    // Record 1 at 4096 covers 100 bytes after it and points to record 2 right after them.
    let put = |pos: usize, fwd: u32, next: u32, b: &mut Vec<u8>| {
        for i in 0..fwd as usize {
            b[pos + 22 + i] = (i * 13 + 1) as u8;
        }
        b[pos] = 42;
        b[pos + 1..pos + 5].copy_from_slice(&((pos % 512) as u32).to_le_bytes());
        b[pos + 5..pos + 9].copy_from_slice(&fwd.to_le_bytes());
        b[pos + 9..pos + 13].copy_from_slice(&next.to_le_bytes());
        b[pos + 21] = 0xD1;
        let rec = LrChecksum::read(b, pos).unwrap();
        let ck = range_checksum(b, pos, &rec, 1).unwrap();
        b[pos + 13..pos + 17].copy_from_slice(&ck.to_le_bytes());
    };
    put(4096, 100, 100, &mut b);
    put(4096 + 122, 50, cb_next_override.unwrap_or(0), &mut b);
    b
}

#[test]
fn v7_lrchecksum_chain_walks_and_survives_hostile_cbnext() {
    let b = v7_log(None);
    let c = check_log(&b, "edb00001.log").unwrap();
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
    assert_eq!(c.sectors_seen, 1);
    assert!(c.accumulated_checksum.is_none());
    // Damage inside the covered range.
    let mut d = b.clone();
    d[4096 + 30] ^= 1;
    assert_eq!(codes(&check_log(&d, "x.log").unwrap().problems), vec![(-501, true)]);
    // cbNext pointing far past the end, or back onto itself (wraps), never loops or panics.
    for next in [u32::MAX, 0xFFFF_FFEA, 7000] {
        let c = check_log(&v7_log(Some(next)), "x.log").unwrap();
        assert_eq!(c.verdict, Verdict::Fail, "cbNext {next}");
    }
}

/// CLI.md Decision 11 in the legacy format: a numbered v7 log with no LRCHECKSUM record of its own
/// generation already fails (−501), before and after the rule, because the walk starts at the
/// first record and its range checksum covers the generation (ESE-FORMAT §6.6).
#[test]
fn a_v7_numbered_log_with_no_record_of_its_own_generation_fails_501() {
    let b = v7_log(None);
    let c = check_log(&b, "edb00001.log").unwrap();
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.problems);
    // Data wiped, header and size kept.
    let mut wiped = b.clone();
    wiped[4096..].fill(0);
    let c = check_log(&wiped, "edb00001.log").unwrap();
    assert_eq!(codes(&c.problems), vec![(-501, true)]);
    assert!(
        c.problems[0].message.contains("lrtyp is 0, not 42"),
        "{}",
        c.problems[0].message
    );
    // The same records under generation 2: none verifies for it.
    let mut other = b.clone();
    other[4..8].copy_from_slice(&2i32.to_le_bytes());
    reseal(&mut other);
    let c = check_log(&other, "edb00002.log").unwrap();
    assert_eq!(codes(&c.problems), vec![(-501, true)]);
    assert!(
        c.problems[0].message.contains("range checksum mismatch"),
        "{}",
        c.problems[0].message
    );
}

/// The production rule (report::set, CLI.md Decision 16): the set's own checkpoint
/// relates to its stream; another machine's checkpoint in its place carries another log
/// signature (win11-rathbunvm's, 25894c02): -532.
#[test]
fn checkpoint_is_related_to_its_stream() {
    use esecheck::report::set::{verify_set, VerifyOptions};
    let t = copy_set(BELKA_DIRTY);
    let r = verify_set(&[t.path().to_path_buf()], &VerifyOptions::default()).unwrap();
    assert!(r
        .decision
        .problems
        .iter()
        .all(|p| p.code.is_none_or(|c| c.code() != -532 && c.code() != -509)));
    std::fs::copy(
        td("museum-srum-win11-rathbunvm/Dirty/SRU.chk"),
        t.path().join("SRU.chk"),
    )
    .unwrap();
    let r = verify_set(&[t.path().to_path_buf()], &VerifyOptions::default()).unwrap();
    assert!(
        r.decision
            .problems
            .iter()
            .any(|p| p.is_error() && p.code.is_some_and(|c| c.code() == -532)),
        "{:?}",
        r.decision.problems
    );
}

#[test]
fn names_are_case_insensitive_and_eight_hex_and_jtx_work() {
    let t = copy_set(BELKA_DIRTY);
    let p = t.path();
    std::fs::rename(p.join("SRU0004E.log"), p.join("sru0000004e.LOG")).unwrap();
    std::fs::rename(p.join("SRU0004F.log"), p.join("SRU0004F.jtx")).unwrap();
    let s = check_stream(p, None).unwrap();
    assert_eq!(s.verdict, Verdict::Pass, "{:?}", s.problems);
    assert_eq!((s.first, s.last), (Some(0x4E), Some(0x52)));
    assert_eq!(s.files.len(), 5);
}

#[test]
fn empty_and_short_numbered_logs_fail_the_stream_without_crashing() {
    let t = copy_set(BELKA_DIRTY);
    std::fs::write(t.path().join("SRU00053.log"), b"").unwrap();
    std::fs::write(t.path().join("SRU00054.log"), [0u8; 100]).unwrap();
    let s = check_stream(t.path(), None).unwrap();
    assert_ne!(s.verdict, Verdict::Pass);
    let bad: Vec<&esecheck::scan::LogCheck> = s.files.iter().filter(|f| f.verdict == Verdict::Error).collect();
    assert_eq!(bad.len(), 2);
    // The current log (0x52) is no longer last archived + 1.
    assert!(stream_codes(&s).contains(&-528));
}

#[test]
fn a_stream_of_only_zeroed_logs_is_still_checked_and_fails() {
    let t = tempfile::tempdir().unwrap();
    for n in ["SRU00001.log", "SRU00002.log", "SRU.log"] {
        std::fs::write(t.path().join(n), vec![0u8; 65536]).unwrap();
    }
    let s = check_stream(t.path(), None).unwrap();
    assert_eq!(s.verdict, Verdict::Fail);
    assert_eq!(s.files.len(), 3);
    assert!(s.files.iter().all(|f| codes(&f.problems) == vec![(-501, true)]));
}

#[test]
fn header_json_uses_the_format_names() {
    let c = check_log(&belka_51(), "SRU00051.log").unwrap();
    let v = serde_json::to_value(c.header.as_ref().unwrap()).unwrap();
    assert_eq!(v["le_lGeneration"], 0x51);
    assert_eq!(v["le_cbSec"], 4096);
    assert_eq!(v["le_filetype"], 3);
    assert_eq!(v["version"], "8.4000.5.16");
    assert_eq!(v["dbms_param"]["le_lcsecLGFile"], v["le_csecLGFile"]);
    assert_eq!(v["rgbAttach"][0]["szNames"], r"C:\Windows\system32\SRU\SRUDB.dat");
    assert!(v["le_lgposCheckpoint"].is_string());
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Random edits of a real log (header resealed or not, any length) never panic.
        #[test]
        fn edited_logs_never_panic(
            edits in proptest::collection::vec((0usize..65536, any::<u8>()), 1..24),
            reseal_header in any::<bool>(),
            len in 0usize..70000,
        ) {
            let mut b = belka_51();
            for (at, v) in edits {
                b[at] = v;
            }
            if reseal_header {
                reseal(&mut b);
            }
            b.resize(len, 0xDA);
            let _ = check_log(&b, "f.log");
            let _ = esecheck::scan::checkpoint::check_checkpoint(&b, "f.chk");
        }

        /// Arbitrary bytes as a v7 log body (hostile cbNext/cbForwards/cbBackwards) never panic.
        #[test]
        fn hostile_v7_bodies_never_panic(
            mut body in proptest::collection::vec(any::<u8>(), 22..4096),
            short in any::<bool>(),
        ) {
            // A plausible first record (type, cbBackwards 0, flag) with random sizes and cbNext.
            body[0] = 42;
            body[1..5].fill(0);
            body[21] = if short { 0x9A } else { 0xD1 };
            let mut b = v7_log(None);
            b[4096..4096 + body.len()].copy_from_slice(&body);
            if let Ok(c) = check_log(&b, "f.log") {
                prop_assert!(c.sectors_seen <= 8);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text rendering of one log (report::log_text)

fn built_log() -> esecheck::scan::log::LogCheck {
    let b = esecheck::testkit::log::LogBuilder::new(32).data_segments(1).build();
    check_log(&b, "t.log").unwrap()
}

#[test]
fn log_text_uses_eseutil_words() {
    let c = built_log();
    let mut out = Vec::new();
    esecheck::report::log_text::write_log_header_dump(&mut out, &c).unwrap();
    let t = String::from_utf8(out).unwrap();
    for w in [
        "lGeneration: 32 (0x20)",
        "Format LGVersion: (8.4000.",
        "Last Lgpos: (0x20,2,0)",
        "Accumulated segment checksum: 0x",
        "Log file: t.log - OK",
    ] {
        assert!(t.contains(w), "{w} in {t}");
    }
}

#[test]
fn strings_read_from_a_log_header_are_escaped_in_text() {
    let mut c = built_log();
    if let Some(h) = c.header.as_mut() {
        h.dbms_param.system_path = "C:\\Logs\\\nPASS: forged".into();
        h.dbms_param.log_file_path = "\u{1b}[2J".into();
    }
    let mut out = Vec::new();
    esecheck::report::log_text::write_log_header_dump(&mut out, &c).unwrap();
    let t = String::from_utf8(out).unwrap();
    assert!(t.contains("Env SystemPath: C:\\Logs\\\\nPASS: forged"), "{t}");
    assert!(t.contains("Env LogFilePath: \\e[2J"), "{t}");
    assert!(!t.lines().any(|l| l.starts_with("PASS")), "{t}");
}

#[test]
fn log_text_escapes_the_name_and_caps_the_problem_list() {
    use esecheck::problem::Problem;
    let err = esecheck::error::CheckError::new("E00\nPASS.log", "could not be read");
    let mut c = esecheck::scan::log::LogCheck::not_checked(&err);
    for i in 0..70 {
        let mut p = Problem::error(
            Some(JetErr::LogFileCorrupt),
            "E00\nPASS.log",
            format!("segment {i} bad"),
        );
        p.sector = Some(i);
        c.problems.push(p);
    }
    let mut out = Vec::new();
    esecheck::report::log_text::write_log_check(&mut out, &c).unwrap();
    let t = String::from_utf8(out).unwrap();
    assert!(t.contains("Log file: E00\\nPASS.log - could not be checked"), "{t}");
    assert!(!t.lines().any(|l| l.starts_with("PASS")), "{t}");
    // The file-level problem first, then 49 of the 70 segment problems.
    assert_eq!(t.lines().filter(|l| l.starts_with("ERROR: ")).count(), 50, "{t}");
    assert!(t.contains("ERROR: could not be read"), "{t}");
    assert!(t.contains("segment 48 bad") && !t.contains("segment 49 bad"), "{t}");
    assert!(t.contains("… and 21 more problems; --json lists them all"), "{t}");
}

/// LGSEGHDR (ESE-FORMAT.md §6.4) read from a real log: belkasoft's SRU00051.log (generation
/// 0x51), data segment 1 at offset 4096 says `le_lgposSegment` = (ib 0, isec 1, generation 0x51)
/// and carries the checksum-format flag 0x2000.
#[test]
fn a_real_segment_header_names_its_own_position() {
    use esecheck::format::log_header::LogSegmentHeader;
    let b = read_td(&format!("{BELKA_DIRTY}/SRU00051.log"));
    let h = LogSegmentHeader::parse(&b[4096..8192]).unwrap();
    assert_eq!(
        (h.lgpos_segment.generation, h.lgpos_segment.isec, h.lgpos_segment.ib),
        (0x51, 1, 0)
    );
    assert_eq!(h.flags & 0x2000, 0x2000);
    assert!(LogSegmentHeader::parse(&b[4096..4096 + 20]).is_err());
}

/// `logs` never contradicts itself (issue 21 item 7): no pass wording before a FAIL, `-q` names
/// the root problem (the damaged log, not the −590 it causes in the next), every problem line
/// names its file, and `--strict` names the warning that failed the stream.
#[test]
fn logs_text_never_contradicts_its_verdict() {
    use crate::util::{copy_set, esecheck_no_progress, BELKA_DIRTY};
    let run = |args: &[&str], dir: &std::path::Path, code: i32| {
        let out = esecheck_no_progress().arg("logs").args(args).arg(dir).run();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "");
        String::from_utf8(out.stdout).unwrap()
    };
    // A gap: every log verifies, the stream does not.
    let gap = copy_set(BELKA_DIRTY);
    std::fs::remove_file(gap.path().join("SRU0004F.log")).unwrap();
    let d = gap.path().display();
    let out = run(&[], gap.path(), 1);
    let tail: Vec<&str> = out.lines().rev().take(5).collect();
    assert_eq!(
        tail,
        [
            format!("FAIL: {d}: Missing log file(s): generation 79 (0x4F)").as_str(),
            "Generations: 78-82 (0x4E-0x52)",
            "Every log file verifies, but the stream is broken (see above).",
            "",
            format!("ERROR: {d}: Missing log file(s): generation 79 (0x4F) [-528 JET_errMissingLogFile]").as_str(),
        ],
        "{out}"
    );
    assert!(!out.contains("No damaged log files were found"), "{out}");
    // Generation 80 damaged: -q names it, not the -590 of 81 that follows from it; the -590's
    // line names SRU00051.log.
    let damaged = copy_set(BELKA_DIRTY);
    let f = damaged.path().join("SRU00050.log");
    let mut b = std::fs::read(&f).unwrap();
    b[4096 * 3 + 100] ^= 0xFF;
    std::fs::write(&f, b).unwrap();
    assert_eq!(
        run(&["-q"], damaged.path(), 1),
        format!(
            "FAIL: {}: segment 3: checksum mismatch (stored 0x6C1113EEF70114FB, computed 0x6C1113EEF7011404)\n",
            f.display()
        )
    );
    let out = run(&[], damaged.path(), 1);
    assert!(
        out.lines().any(|l| l
            == format!(
                "  ↳ ERROR: {}: prev gen accumulated segment checksum 0x2EE22EE2FCFA1147 differs from 0x4296429648EA0A26, that of the segments of generation 80 (0x50) (follow-on: generation 80 (0x50) is itself damaged) [-590 JET_errLogSequenceChecksumMismatch]",
                damaged.path().join("SRU00051.log").display()
            )),
        "{out}"
    );
    assert!(out.lines().any(|l| l == "Damaged log files were found."), "{out}");
    // Only a warning (no current log): a pass, and with --strict a FAIL naming it.
    let warned = copy_set(BELKA_DIRTY);
    std::fs::remove_file(warned.path().join("SRU.log")).unwrap();
    let d = warned.path().display();
    let warning = format!("{d}: no current log SRU.log (or .jtx): the newest generation may be missing");
    assert_eq!(
        run(&["-q", "--strict"], warned.path(), 1),
        format!("FAIL: with --strict, a warning: {warning}\n")
    );
    let out = run(&["--strict"], warned.path(), 1);
    assert!(
        out.lines()
            .any(|l| l == "Every log file verifies, but warnings fail the stream with --strict."),
        "{out}"
    );
    assert!(!out.contains("No damaged log files were found"), "{out}");
    assert_eq!(
        run(&["-q"], warned.path(), 0),
        format!("PASS: {d}: stream SRU generations 78-81 (0x4E-0x51), 4 logs: no damaged log files were found.\n")
    );
}
