//! `header` prints eseutil's dumps (CLI.md Decision 18): for two real databases, a log and a
//! checkpoint, the expected text is built here from the engine's own printf format strings,
//! transcribed from Microsoft's ESE source (MIT) in the order the engine calls them —
//! dbdump.cxx `ErrDUMPHeader`/`ErrDUMPHeaderStandard`/`DUMPPrintBkinfo`/`DUMPPrintLogTime`,
//! daedef.hxx `SigToSz`, logdump.cxx `ErrLGDumpLog`/`ErrLGDumpCheckpoint`/`DUMPIAttachInfo`,
//! eseutil.cxx's `Database:`/`Checkpoint file:` lines — applied by a small printf to values
//! read straight from the files' bytes at the offsets of ESE-FORMAT.md §2.1, §6.1 and §7.
//! Nothing here comes from esecheck's own output or code.
//!
//! Not transcribed, as esecheck leaves them out (CLI.md Decision 18): `Engine ulMagic`,
//! `Engine ulVersion` and `Engine LGVersion` (eseutil's binary, not the file); the patch file's
//! lines (a second file); the checkpoint attach line's `LogOn VerOn RW` (eseutil's instance).

use crate::util::Run;
use crate::util::{esecheck, read_td, td};

/// One printf argument: an integer (cast as C casts it for the conversion) or a string.
#[derive(Clone)]
enum A {
    I(i64),
    S(String),
}

fn s(v: impl Into<String>) -> A {
    A::S(v.into())
}

/// C's printf, for the conversions the engine's dumps use: `%d %u %x %X %s` with the flags `0`
/// and `#`, a width, a precision, and the length modifiers `l` and `I64` (64-bit).
fn printf(fmt: &str, args: &[A]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut it = fmt.chars().peekable();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut zero, mut alt) = (false, false);
        while let Some(&f) = it.peek() {
            match f {
                '0' => zero = true,
                '#' => alt = true,
                _ => break,
            }
            it.next();
        }
        let mut width = 0usize;
        while let Some(d) = it.peek().and_then(|c| c.to_digit(10)) {
            width = width * 10 + d as usize;
            it.next();
        }
        let mut precision = None;
        if it.peek() == Some(&'.') {
            it.next();
            let mut p = 0usize;
            while let Some(d) = it.peek().and_then(|c| c.to_digit(10)) {
                p = p * 10 + d as usize;
                it.next();
            }
            precision = Some(p);
        }
        let mut wide = false;
        loop {
            match it.peek() {
                Some('l') | Some('h') | Some('w') => {
                    it.next();
                }
                Some('I') => {
                    let six: String = it.by_ref().take(3).collect();
                    assert_eq!(six, "I64");
                    wide = true;
                }
                _ => break,
            }
        }
        let conv = it.next().expect("conversion");
        let arg = args.next().cloned().expect("an argument per conversion");
        let body = match (conv, arg) {
            ('s', A::S(v)) => v,
            ('d', A::I(v)) => (if wide { v } else { i64::from(v as i32) }).to_string(),
            ('u', A::I(v)) => (if wide { v as u64 } else { u64::from(v as u32) }).to_string(),
            ('x', A::I(v)) | ('X', A::I(v)) => {
                let n = if wide { v as u64 } else { u64::from(v as u32) };
                let h = if conv == 'x' {
                    format!("{n:x}")
                } else {
                    format!("{n:X}")
                };
                if alt && n != 0 {
                    format!("0x{h}")
                } else {
                    h
                }
            }
            (c, _) => panic!("%{c} with the wrong argument"),
        };
        let body = match precision {
            Some(p) if conv != 's' && body.len() < p => format!("{}{body}", "0".repeat(p - body.len())),
            _ => body,
        };
        let pad = width.saturating_sub(body.len());
        if zero && precision.is_none() && conv != 's' {
            out.push_str(&"0".repeat(pad));
        } else {
            out.push_str(&" ".repeat(pad));
        }
        out.push_str(&body);
    }
    assert!(args.next().is_none(), "more arguments than conversions in {fmt:?}");
    out
}

// ---- the bytes, at their documented offsets --------------------------------------------------

fn u8_(b: &[u8], o: usize) -> i64 {
    i64::from(b[o])
}
fn u16_(b: &[u8], o: usize) -> i64 {
    i64::from(u16::from_le_bytes([b[o], b[o + 1]]))
}
fn u32_(b: &[u8], o: usize) -> i64 {
    i64::from(u32::from_le_bytes(b[o..o + 4].try_into().unwrap()))
}
fn u64_(b: &[u8], o: usize) -> i64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap()) as i64
}
fn i(v: i64) -> A {
    A::I(v)
}

/// ESE's legacy header checksum: 0x89ABCDEF XOR every little-endian u32 of the page but the first.
fn legacy_checksum(page: &[u8]) -> i64 {
    let x = page[4..]
        .chunks_exact(4)
        .fold(0x89AB_CDEFu32, |a, w| a ^ u32::from_le_bytes(w.try_into().unwrap()));
    i64::from(x)
}

/// LOGTIME @o: bSeconds, bMinutes, bHours, bDay, bMonth, bYear, fTimeIsUTC:1|msLow:7,
/// fReserved:1|msHigh:3 — printed as dbdump.cxx `DUMPPrintLogTime`.
fn logtime(b: &[u8], o: usize) -> String {
    let ms = (u8_(b, o + 6) >> 1) | (((u8_(b, o + 7) >> 1) & 7) << 7);
    printf(
        "%02d/%02d/%04d %02d:%02d:%02d.%3.3d %s",
        &[
            i(u8_(b, o + 4)),
            i(u8_(b, o + 3)),
            i(u8_(b, o + 5) + 1900),
            i(u8_(b, o + 2)),
            i(u8_(b, o + 1)),
            i(u8_(b, o)),
            i(ms),
            s(if b[o + 6] & 1 == 1 { "UTC" } else { "LOC" }),
        ],
    )
}

/// SIGNATURE @o: ulRandom @0, logtimeCreate @4, szComputerName @12 (16 bytes) — printed as
/// daedef.hxx `SigToSz` (as `DUMPPrintSig`, with its newline).
fn sig(b: &[u8], o: usize) -> String {
    let t = o + 4;
    let ms = (u8_(b, t + 6) >> 1) | (((u8_(b, t + 7) >> 1) & 7) << 7);
    let name = &b[o + 12..o + 28];
    let name = String::from_utf8_lossy(&name[..name.iter().position(|&c| c == 0).unwrap_or(16)]).into_owned();
    printf(
        "Create time:%02d/%02d/%04d %02d:%02d:%02d.%3.3d Rand:%lu Computer:%s",
        &[
            i(u8_(b, t + 4)),
            i(u8_(b, t + 3)),
            i(u8_(b, t + 5) + 1900),
            i(u8_(b, t + 2)),
            i(u8_(b, t + 1)),
            i(u8_(b, t)),
            i(ms),
            i(u32_(b, o)),
            s(name),
        ],
    ) + "\n"
}

/// LGPOS @o: ib @0 (u16), isec @2 (u16), lGeneration @4 — the three arguments, generation first.
fn lgpos(b: &[u8], o: usize) -> [A; 3] {
    [i(u32_(b, o + 4)), i(u16_(b, o + 2)), i(u16_(b, o))]
}

// ---- dbdump.cxx ------------------------------------------------------------------------------

/// `DUMPPrintBkinfo` of the BKINFO @o (lgposMark @0, logtimeMark @8, genLow @16, genHigh @20).
fn bkinfo(e: &mut String, b: &[u8], o: usize, kind: i64) {
    let (lo, hi) = (i(u32_(b, o + 16)), i(u32_(b, o + 20)));
    let args = [lo.clone(), hi.clone(), lo, hi];
    e.push_str(&match kind {
        0 => printf("        Log Gen: %u-%u (0x%x-0x%x)\n", &args),
        1 => printf("        Log Gen: %u-%u (0x%x-0x%x) - OSSnapshot\n", &args),
        2 => printf("        Log Gen: %u-%u (0x%x-0x%x) - Snapshot\n", &args),
        _ => printf("        Log Gen: %u-%u (0x%x-0x%x) - UNKNOWN\n", &args),
    });
    e.push_str(&printf("           Mark: (0x%X,%X,%X)\n", &lgpos(b, o)));
    e.push_str("           Mark: ");
    e.push_str(&logtime(b, o + 8));
    e.push('\n');
}

/// What eseutil /MH prints for a database whose primary header verifies, up to its warnings.
fn expected_mh(shown: &str, b: &[u8]) -> String {
    let page = &b[..u32_(b, 236) as usize];
    assert_eq!(legacy_checksum(page), u32_(b, 0), "the primary header verifies");
    let mut e = String::new();
    let p = |e: &mut String, f: &str, a: &[A]| e.push_str(&printf(f, a));
    // eseutil.cxx, opDBUTILDumpHeader.
    p(&mut e, "         Database: %s\n", &[s(shown)]);
    // ErrDUMPHeader, then ErrDUMPHeaderFormat.
    e.push_str("\nDATABASE HEADER:\n");
    e.push_str("Checksum Information:\n");
    p(&mut e, "Expected Checksum: 0x%08I64x\n", &[i(legacy_checksum(page))]);
    p(&mut e, "  Actual Checksum: 0x%08I64x\n", &[i(u32_(b, 0))]);
    // ErrDUMPHeaderStandard.
    e.push_str("\nFields:\n");
    let attrib = u32_(b, 12);
    p(
        &mut e,
        "        File Type: %s\n",
        &[s(if attrib == 0 { "Database" } else { "UNKNOWN" })],
    );
    p(&mut e, "         Checksum: 0x%lx\n", &[i(u32_(b, 0))]);
    p(&mut e, "   Format ulMagic: 0x%lx\n", &[i(u32_(b, 4))]);
    p(
        &mut e,
        " Format ulVersion: 0x%lx,%d,%d  (attached by %d)\n",
        &[i(u32_(b, 8)), i(u32_(b, 232)), i(u32_(b, 644)), i(u32_(b, 648))],
    );
    p(
        &mut e,
        "Created ulVersion: 0x%lx,%d\n",
        &[i(u32_(b, 340)), i(u32_(b, 344) as i16 as i64)],
    );
    e.push_str("     DB Signature: ");
    e.push_str(&sig(b, 24));
    p(&mut e, "         cbDbPage: %d\n", &[i(u32_(b, 236))]);
    p(
        &mut e,
        "           dbtime: %I64u (0x%I64x)\n",
        &[i(u64_(b, 16)), i(u64_(b, 16))],
    );
    let states = [
        "Illegal",
        "Just Created",
        "Dirty Shutdown",
        "Clean Shutdown",
        "Being Converted",
        "Force Detach Replay Error",
        "Incremental Reseed In Progress",
        "Dirty and Patched Shutdown",
        "Database Revert in Progress",
    ];
    // SzFromState: ForceDetach (5) and unknown states are "Illegal".
    let st = u32_(b, 52) as usize;
    let state = if st < states.len() && st != 0 && st != 5 {
        states[st]
    } else {
        states[0]
    };
    p(&mut e, "            State: %s\n", &[s(state)]);
    let (min, max, pre) = (i(u32_(b, 296)), i(u32_(b, 300)), i(u32_(b, 684)));
    p(
        &mut e,
        "     Log Required: %u-%u (0x%x-0x%x) [Min. Req. Pre-Redo: %u (0x%x)]\n",
        &[min.clone(), max.clone(), min, max, pre.clone(), pre],
    );
    e.push_str("Gen. Max. Req. Creation Time: ");
    e.push_str(&logtime(b, 672));
    e.push('\n');
    let com = i(u32_(b, 416));
    p(
        &mut e,
        "    Log Committed: %u-%u (0x%x-0x%x)\n",
        &[i(0), com.clone(), i(0), com],
    );
    e.push_str("Gen. Max. Com. Creation Time: ");
    e.push_str(&logtime(b, 348));
    e.push('\n');
    let (con, pre) = (i(u32_(b, 640)), i(u32_(b, 680)));
    p(
        &mut e,
        "   Log Consistent: %u (0x%x) [Pre-Redo: %u (0x%x)]\n",
        &[con.clone(), con, pre.clone(), pre],
    );
    let rec = i(u32_(b, 536));
    p(&mut e, "   Log Recovering: %u (0x%x)\n", &[rec.clone(), rec]);
    p(
        &mut e,
        "         Shadowed: %s\n",
        &[s(if b[208] & 1 != 0 { "No" } else { "Yes" })],
    );
    p(&mut e, "       Last Objid: %u\n", &[i(u32_(b, 212))]);
    p(
        &mut e,
        "     Scrub Dbtime: %I64u (0x%I64x)\n",
        &[i(u64_(b, 280)), i(u64_(b, 280))],
    );
    e.push_str("       Scrub Date: ");
    e.push_str(&logtime(b, 288));
    p(&mut e, "\n     Repair Count: %u\n", &[i(u32_(b, 240))]);
    e.push_str("      Repair Date: ");
    e.push_str(&logtime(b, 244));
    e.push('\n');
    p(&mut e, " Old Repair Count: %u\n", &[i(u32_(b, 364))]);
    for (label, lg, t) in [
        ("  Last Consistent: (0x%X,%X,%X)  ", 56, 64),
        ("      Last Attach: (0x%X,%X,%X)  ", 80, 72),
        ("      Last Detach: (0x%X,%X,%X)  ", 96, 88),
        ("    Last ReAttach: (0x%X,%X,%X)  ", 572, 564),
    ] {
        p(&mut e, label, &lgpos(b, lg));
        e.push_str(&logtime(b, t));
        e.push('\n');
    }
    p(&mut e, "             Dbid: %d\n", &[i(u32_(b, 104) as i16 as i64)]);
    e.push_str("    Log Signature: ");
    e.push_str(&sig(b, 108));
    let sort = u64_(b, 508) as u64;
    p(
        &mut e,
        "       OS Version: (%u.%u.%u SP %u NLS %x.%x)\n",
        &[
            i(u32_(b, 216)),
            i(u32_(b, 220)),
            i(u32_(b, 224)),
            i(u32_(b, 228)),
            i((sort >> 32) as i64),
            i((sort & 0xFFFF_FFFF) as i64),
        ],
    );
    if u32_(b, 476) != 0 || u32_(b, 488) != 0 || u32_(b, 492) != 0 || u32_(b, 504) != 0 {
        p(&mut e, "     Reseed Count: %u\n", &[i(u32_(b, 476))]);
        e.push_str("      Reseed Date: ");
        e.push_str(&logtime(b, 480));
        e.push('\n');
        p(&mut e, " Old Reseed Count: %u\n", &[i(u32_(b, 488))]);
        p(&mut e, "      Patch Count: %u\n", &[i(u32_(b, 492))]);
        e.push_str("       Patch Date: ");
        e.push_str(&logtime(b, 496));
        e.push('\n');
        p(&mut e, "  Old Patch Count: %u\n", &[i(u32_(b, 504))]);
    }
    for (title, o, kind) in [
        ("\nPrevious Full Backup:\n", 136, u32_(b, 356)),
        ("\nPrevious Incremental Backup:\n", 160, u32_(b, 360)),
        ("\nPrevious Copy Backup:\n", 420, u32_(b, 468)),
        ("\nPrevious Differential Backup:\n", 444, u32_(b, 472)),
        ("\nCurrent Full Backup:\n", 184, 0),
        ("\nCurrent Shadow copy backup:\n", 316, 0),
    ] {
        e.push_str(title);
        bkinfo(&mut e, b, o, kind);
    }
    e.push('\n');
    p(&mut e, "     cpgUpgrade55Format: %d\n", &[i(u32_(b, 304))]);
    p(&mut e, "    cpgUpgradeFreePages: %d\n", &[i(u32_(b, 308))]);
    p(&mut e, "cpgUpgradeSpaceMapPages: %d\n", &[i(u32_(b, 312))]);
    e.push('\n');
    p(&mut e, "      Last Resize: (0x%X,%X,%X)  ", &lgpos(b, 656));
    if b[656..664] == b[80..88] {
        e.push_str("(Matches \"Last Attach\", no subsequent resize)");
    } else if b[656..664] == b[56..64] {
        e.push_str("(Matches \"Last Consistent\", no subsequent resize)");
    }
    e.push('\n');
    e.push('\n');
    p(&mut e, "     Extend Count: %u\n", &[i(u32_(b, 540))]);
    e.push_str("      Extend Date: ");
    e.push_str(&logtime(b, 544));
    e.push('\n');
    e.push('\n');
    p(&mut e, "     Shrink Count: %u\n", &[i(u32_(b, 552))]);
    e.push_str("      Shrink Date: ");
    e.push_str(&logtime(b, 556));
    e.push('\n');
    e.push('\n');
    p(&mut e, "       Trim Count: %u\n", &[i(u32_(b, 580))]);
    if u32_(b, 667) == 1 {
        e.push('\n');
        for (n, count, date, t) in [
            (
                368,
                "       ECC Fix Success Count: ",
                Some("   Last ECC Fix Success Date: "),
                372,
            ),
            (380, "   Old ECC Fix Success Count: ", None, 0),
            (
                384,
                "         ECC Fix Error Count: ",
                Some("     Last ECC Fix Error Date: "),
                388,
            ),
            (396, "     Old ECC Fix Error Count: ", None, 0),
            (
                400,
                "    Bad Checksum Error Count: ",
                Some("Last Bad Checksum Error Date: "),
                404,
            ),
            (412, "Old bad Checksum Error Count: ", None, 0),
        ] {
            if u32_(b, n) != 0 {
                p(&mut e, &format!("{count}found (%u)\n"), &[i(u32_(b, n))]);
                if let Some(d) = date {
                    e.push_str(d);
                    e.push_str(&logtime(b, t));
                    e.push('\n');
                }
            } else {
                e.push_str(count);
                e.push_str("none\n");
            }
        }
        e.push('\n');
        e.push_str("  Last Database Maintenance Finish Date: ");
        e.push_str(&logtime(b, 516));
        e.push('\n');
        e.push_str("Current Database Maintenance Start Date: ");
        e.push_str(&logtime(b, 524));
        e.push('\n');
        p(
            &mut e,
            "      Highest Continuous Database Maintenance Page: %u\n",
            &[i(u32_(b, 532))],
        );
        p(
            &mut e,
            "      Highest Database Maintenance Page: %u\n",
            &[i(u32_(b, 652))],
        );
    }
    // The patch-file block needs bkinfoFullCur.genLow set and genHigh zero: not these files.
    assert!(!(u32_(b, 184 + 16) != 0 && u32_(b, 184 + 20) == 0));
    e.push('\n');
    e.push_str("  Database Header Flush Signature: ");
    e.push_str(&sig(b, 584));
    e.push_str(" Flush Map Header Flush Signature: ");
    e.push_str(&sig(b, 612));
    e.push_str("       RBS Header Flush Signature: ");
    e.push_str(&sig(b, 688));
    if u32_(b, 716) > 0 || u32_(b, 736) > 0 {
        e.push('\n');
        p(&mut e, "     Revert Count: %u\n", &[i(u32_(b, 716))]);
        e.push_str(" Revert From Date: ");
        e.push_str(&logtime(b, 720));
        e.push('\n');
        e.push_str("   Revert To Date: ");
        e.push_str(&logtime(b, 728));
        e.push('\n');
        p(&mut e, "Revert Page Count: %u\n", &[i(u32_(b, 736))]);
        p(&mut e, "Last Commit Before Revert: (0x%X,%X,%X)  ", &lgpos(b, 740));
        e.push('\n');
    }
    // ErrDUMPHeader's HandleError: the newline before its warnings.
    e.push('\n');
    e
}

fn header_text(rel: &str) -> (String, String) {
    let f = td(rel);
    let out = esecheck().arg("header").arg(&f).run();
    (f.display().to_string(), String::from_utf8(out.stdout).unwrap())
}

/// esecheck's dump is eseutil's block, then its own lines (`esecheck: …`, problems, verdict).
fn assert_block(rel: &str, expected: &str, got: &str, after: &str) {
    let (block, rest) = got.split_at(got.len().min(expected.len()));
    if block != expected {
        for (n, (e, g)) in expected.lines().zip(block.lines()).enumerate() {
            assert_eq!(g, e, "{rel}: line {} differs from eseutil's\n{got}", n + 1);
        }
        assert_eq!(block, expected, "{rel}\n{got}");
    }
    assert!(rest.starts_with(after), "{rel}: after eseutil's block:\n{rest}");
}

#[test]
fn database_header_is_eseutil_mh_for_a_win10_and_a_win11_database() {
    for rel in [
        "museum-srum-win10-belkasoftctf/Dirty/SRUDB.dat",
        "museum-srum-win11-rathbunvm/Dirty/SRUDB.dat",
    ] {
        let (shown, got) = header_text(rel);
        let expected = expected_mh(&shown, &read_td(rel));
        assert_block(rel, &expected, &got, "esecheck: primary header: OK (checksum 0x");
        // What JSON has and eseutil prints only with a count: in esecheck's lines, never lost.
        let b = read_td(rel);
        for (label, o) in [
            ("Last ECC Fix Success Date", 372),
            ("Last ECC Fix Error Date", 388),
            ("Last Bad Checksum Error Date", 404),
            ("Reseed Date", 480),
            ("Patch Date", 496),
            ("Revert From Date", 720),
            ("Revert To Date", 728),
        ] {
            let line = format!("\nesecheck: {label}: {}\n", logtime(&b, o));
            assert!(got.contains(&line), "{rel}: {line:?} in\n{got}");
        }
    }
}

/// What eseutil /ML prints for a log's header (logdump.cxx `ErrDUMPLog`, `ErrLGDumpLog` with
/// `fPrint`, no checkpoint file read), up to its attachments and their newline.
fn expected_ml(shown: &str, name: &str, b: &[u8]) -> String {
    assert_eq!(legacy_checksum(&b[..4096]), u32_(b, 0), "the log header verifies");
    let mut e = String::new();
    let p = |e: &mut String, f: &str, a: &[A]| e.push_str(&printf(f, a));
    p(&mut e, "      Base name: %ws\n", &[s(&name[..3])]);
    p(&mut e, "      Log file: %ws", &[s(shown)]);
    let g = i(u32_(b, 4));
    p(&mut e, "\n      lGeneration: %u (0x%X)\n", &[g.clone(), g]);
    e.push_str("      Checkpoint: NOT AVAILABLE\n");
    e.push_str("      creation time: ");
    e.push_str(&logtime(b, 16));
    e.push('\n');
    e.push_str("      prev gen time: ");
    e.push_str(&logtime(b, 24));
    e.push('\n');
    p(
        &mut e,
        "      prev gen accumulated segment checksum: 0x%016I64x\n",
        &[i(u64_(b, 653))],
    );
    p(
        &mut e,
        "      Format LGVersion: (%d.%d.%d.%d) (generated by %d)\n",
        &[
            i(u32_(b, 32)),
            i(u32_(b, 36)),
            i(u32_(b, 40)),
            i(u32_(b, 648)),
            i(u32_(b, 661)),
        ],
    );
    e.push_str("      Signature: ");
    e.push_str(&sig(b, 44));
    let cstr = |o: usize, n: usize| {
        let v = &b[o..o + n];
        String::from_utf8_lossy(&v[..v.iter().position(|&c| c == 0).unwrap_or(n)]).into_owned()
    };
    // DBMS_PARAM @72: szSystemPath (261), szLogFilePath (261), flags, then the u32 settings.
    p(&mut e, "      Env SystemPath: %s\n", &[s(cstr(72, 261))]);
    p(&mut e, "      Env LogFilePath: %s\n", &[s(cstr(72 + 261, 261))]);
    let note = match b[652] {
        0 => " (legacy, unknown actual)",
        1 => " (matches)",
        2 => " (actual @ log gen 512)",
        3 => " (actual @ log gen 1024)",
        4 => " (actual @ log gen 2048)",
        5 => " (actual @ log gen 4096)",
        255 => " (actual @ log gen NON-STANDARD)",
        _ => " (Unknown ENUM!)",
    };
    p(&mut e, "      Env Log Sec size: %d%hs\n", &[i(u16_(b, 8)), s(note)]);
    env_tuple(&mut e, b, 72);
    let flags = b[639];
    p(
        &mut e,
        "      Using Reserved Log File: %s\n",
        &[s(if flags & 1 != 0 { "true" } else { "false" })],
    );
    p(
        &mut e,
        "      Circular Logging Flag (current file): %s\n",
        &[s(if flags & 2 != 0 { "on" } else { "off" })],
    );
    p(
        &mut e,
        "      Circular Logging Flag (past files): %s\n",
        &[s(if flags & 4 != 0 { "on" } else { "off" })],
    );
    p(
        &mut e,
        "      Checkpoint at log creation time: (0x%X,%X,%X)\n",
        &lgpos(b, 640),
    );
    // rgbAttach @671: ATTACHINFO records (dbid @0, flags @1, cbNames @2, dbtime @4, objidLast
    // @12, cpgDatabaseSizeMax @16, lgposAttach @20, lgposConsistent @28, signDb @36, names @64).
    let mut o = 671;
    while b[o] != 0 {
        let cb = u16_(b, o + 2) as usize;
        let units: Vec<u16> = b[o + 64..o + 64 + cb]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        assert!(b[o + 1] & 0x20 != 0, "Unicode names in these files");
        let sparse = if b[o + 1] & 0x40 != 0 { " (sparse)" } else { "" };
        p(
            &mut e,
            "      %d %ws%ws\n",
            &[i(u8_(b, o)), s(String::from_utf16_lossy(&units)), s(sparse)],
        );
        attach_info(&mut e, b, o, "\t\t ");
        o += 64 + cb;
    }
    e.push('\n');
    e
}

/// `DUMPIAttachInfo`, whose lines start with two tabs and a space (log) or eight spaces
/// (checkpoint).
fn attach_info(e: &mut String, b: &[u8], o: usize, indent: &str) {
    let dbtime = u64_(b, o + 4) as u64;
    let p = |e: &mut String, f: &str, a: &[A]| e.push_str(&printf(&format!("{indent}{f}"), a));
    p(
        e,
        "dbtime: %I64u (%u-%u)\n",
        &[
            i(dbtime as i64),
            i((dbtime >> 32) as i64),
            i((dbtime & 0xFFFF_FFFF) as i64),
        ],
    );
    p(e, "objidLast: %u\n", &[i(u32_(b, o + 12))]);
    e.push_str(indent);
    e.push_str("Signature: ");
    e.push_str(&sig(b, o + 36));
    p(e, "MaxDbSize: %u pages\n", &[i(u32_(b, o + 16))]);
    p(e, "Last Attach: (0x%X,%X,%X)\n", &lgpos(b, o + 20));
    p(e, "Last Consistent: (0x%X,%X,%X)\n", &lgpos(b, o + 28));
}

/// The DBMS_PARAM tuple at `base` (flags @522, then seven u32 from @523).
fn env_tuple(e: &mut String, b: &[u8], base: usize) {
    e.push_str("      Env (CircLog,Session,Opentbl,VerPage,Cursors,LogBufs,LogFile,Buffers)\n");
    let mut args = vec![s(if b[base + 522] & 1 != 0 { "     on" } else { "    off" })];
    args.extend((0..7).map(|k| i(u32_(b, base + 523 + 4 * k))));
    e.push_str(&printf("          (%s,%7lu,%7lu,%7lu,%7lu,%7lu,%7lu,%7lu)\n", &args));
}

#[test]
fn log_header_is_eseutil_ml() {
    let rel = "museum-srum-win10-belkasoftctf/Dirty/SRU00051.log";
    let (shown, got) = header_text(rel);
    let b = read_td(rel);
    let expected = expected_ml(&shown, "SRU00051.log", &b);
    // Then the scan's two lines: `Last Lgpos: (0x%x,%X,%X)` in this generation and
    // `Accumulated segment checksum: 0x%016I64x`.
    let after = printf("      Last Lgpos: (0x%x,", &[i(u32_(&b, 4))]);
    assert_block(rel, &expected, &got, &after);
    let acc = got
        .lines()
        .find_map(|l| l.strip_prefix("      Accumulated segment checksum: 0x"))
        .unwrap_or_else(|| panic!("{got}"));
    assert!(
        acc.len() == 16 && acc.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "%016I64x: {acc}"
    );
}

#[test]
fn checkpoint_is_eseutil_mk() {
    for rel in [
        "museum-srum-win10-belkasoftctf/Dirty/SRU.chk",
        "museum-srum-win11-rathbunvm/Dirty/SRU.chk",
    ] {
        let (shown, got) = header_text(rel);
        let b = read_td(rel);
        assert_eq!(legacy_checksum(&b[..4096]), u32_(&b, 0), "the primary copy verifies");
        let mut e = printf("      Checkpoint file: %s\n", &[s(shown)]);
        // CHECKPOINT: lgposLastFullBackupCheckpoint @4, lgposCheckpoint @12, signLog @20,
        // dbms_param @48, lgposFullBackup @615, logtimeFullBackup @623, lgposIncBackup @631,
        // logtimeIncBackup @639, lgposDbConsistency @648, rgbAttach @679.
        let p = |e: &mut String, f: &str, a: &[A]| e.push_str(&printf(f, a));
        p(&mut e, "      LastFullBackupCheckpoint: (0x%X,%X,%X)\n", &lgpos(&b, 4));
        p(&mut e, "      Checkpoint: (0x%X,%X,%X)\n", &lgpos(&b, 12));
        // An all-zero DbConsistency is read as the checkpoint (ESE-FORMAT §7).
        let dbc = if b[648..656] == [0; 8] { 12 } else { 648 };
        p(&mut e, "      DbConsistency: (0x%X,%X,%X)\n", &lgpos(&b, dbc));
        p(&mut e, "      FullBackup: (0x%X,%X,%X)\n", &lgpos(&b, 615));
        e.push_str("      FullBackup time: ");
        e.push_str(&logtime(&b, 623));
        e.push('\n');
        p(&mut e, "      IncBackup: (0x%X,%X,%X)\n", &lgpos(&b, 631));
        e.push_str("      IncBackup time: ");
        e.push_str(&logtime(&b, 639));
        e.push('\n');
        e.push_str("      Signature: ");
        e.push_str(&sig(&b, 20));
        env_tuple(&mut e, &b, 48);
        let mut o = 679;
        while b[o] != 0 {
            let cb = u16_(&b, o + 2) as usize;
            let units: Vec<u16> = b[o + 64..o + 64 + cb]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|&u| u != 0)
                .collect();
            // "%7d %ws %s %s %s": the three FMP words are eseutil's instance, left out.
            p(
                &mut e,
                "%7d %ws\n",
                &[i(u8_(&b, o)), s(String::from_utf16_lossy(&units))],
            );
            attach_info(&mut e, &b, o, "        ");
            o += 64 + cb;
        }
        e.push('\n');
        assert_block(rel, &e, &got, "esecheck: primary copy: OK, shadow copy: OK\n");
    }
}

#[test]
fn the_printf_here_is_c_printf() {
    // Checked against C's printf by hand: width, zero flag, precision, length, hex case.
    assert_eq!(printf("%02d/%04d %3.3d", &[i(2), i(121), i(7)]), "02/0121 007");
    assert_eq!(
        printf("0x%08I64x|0x%lx|%X", &[i(0xA8), i(0x89AB_CDEF), i(0x51)]),
        "0x000000a8|0x89abcdef|51"
    );
    assert_eq!(printf("(%s,%7lu)", &[s("     on"), i(30000)]), "(     on,  30000)");
    assert_eq!(printf("%u %d", &[i(-1), i(0xFFFF_FFFF)]), "4294967295 -1");
    assert_eq!(printf("0x%016I64x", &[i(0x2ee2)]), "0x0000000000002ee2");
}
