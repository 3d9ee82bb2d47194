//! Sweeps the whole shared corpus (`../shared/corpus`) when it exists (CI has it); skips with a
//! note otherwise. Expected verdicts come from the corpus MANIFEST: every database verifies except
//! the genuinely corrupt `dissect-esedb-srum/SRUDB.dat` (16 bad pages) and the temporary
//! `temp.edb`, whose pages carry no checksums.

use crate::util::{corpus, files_under, rel_name};
use esecheck::scan::database::{check_database, DbOptions};
use esecheck::scan::{classify, FileKind};
use esecheck::verdict::Verdict;

#[test]
fn every_corpus_database_gets_the_manifest_verdict() {
    let Some(root) = corpus() else {
        eprintln!("note: ../shared/corpus not present; corpus sweep skipped");
        return;
    };
    let mut n = 0;
    for p in files_under(&root) {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if classify(&bytes, &name).kind != FileKind::Database {
            continue;
        }
        let rel = rel_name(&p, &root);
        let c = check_database(&bytes, &rel, &DbOptions::default()).unwrap();
        let expect_fail = rel == "dissect-esedb-srum/SRUDB.dat" || rel.ends_with("temp.edb");
        let want = if expect_fail { Verdict::Fail } else { Verdict::Pass };
        assert_eq!(c.verdict, want, "{rel}: {:?}", c.problems.first());
        assert_eq!(c.pages_seen, (bytes.len() / c.page_size) as u64, "{rel}");
        if !expect_fail {
            assert_eq!(c.bad_checksums, 0, "{rel}");
        }
        // Every real database's owned-space tree reads, and no real file is shorter than it.
        if !c.temporary {
            let owned = c.owned_pages.unwrap_or_else(|| panic!("{rel}: owned space not read"));
            assert!(u64::from(owned) <= c.pages_seen - 2, "{rel}: owns {owned}");
        }
        n += 1;
    }
    // The MANIFEST's files table has 37 "db" rows (magic at offset 4, filetype 1), temp.edb among
    // them.
    assert_eq!(n, 37, "databases in the corpus");
}

#[test]
fn every_corpus_log_and_checkpoint_verifies() {
    let Some(root) = corpus() else {
        eprintln!("note: ../shared/corpus not present; corpus sweep skipped");
        return;
    };
    let (mut logs, mut chks) = (0, 0);
    for p in files_under(&root) {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let rel = rel_name(&p, &root);
        let class = classify(&bytes, &name);
        if !class.by_header {
            // Zero-filled pre-allocated `*tmp.log` files are logs by name only: not verifiable.
            continue;
        }
        match class.kind {
            FileKind::Log => {
                let c = esecheck::scan::check_log(&bytes, &rel).unwrap();
                assert_eq!(c.verdict, Verdict::Pass, "{rel}: {:?}", c.problems);
                logs += 1;
            }
            FileKind::Checkpoint => {
                let c = esecheck::scan::check_checkpoint(&bytes, &rel).unwrap();
                assert_eq!(c.verdict, Verdict::Pass, "{rel}: {:?}", c.problems);
                assert!(c.primary_ok && c.shadow_ok, "{rel}");
                chks += 1;
            }
            _ => {}
        }
    }
    // The MANIFEST's files table: 53 "log" rows (filetype 3; the 8 `*tmp.log` rows are
    // next-generation logs, set aside by name and never verified, CLI.md Decision 9) and 12 "chk"
    // rows (filetype 4: the 11 sets with logs and the NTDS checkpoint).
    assert_eq!((logs, chks), (53, 12), "logs, checkpoints in the corpus");
}

#[test]
fn every_corpus_set_with_logs_gets_the_manifest_verdict() {
    use esecheck::report::set::{verify_set, VerifyOptions};
    let Some(root) = corpus() else {
        eprintln!("note: ../shared/corpus not present; corpus sweep skipped");
        return;
    };
    // (set, required range, truncate_below) from the MANIFEST: dirty sets need their Log Required;
    // clean ones need none. truncate_below is CLI.md Decision 14's minimum of the checkpoint
    // generation (the MANIFEST's "checkpoint lgpos gen"; both copies hold the same one in every
    // set, `od -j 16` and `-j 4112`), both ends of a dirty database's Log Required range and a
    // clean database's Last Consistent generation ("lgposConsistent gen") when it is on the
    // stream. Every database here but belkasoft Clean's has an lgposConsistent equal to its
    // checkpoint's generation; that one was repaired (log signature 0, so not on the stream;
    // lgposConsistent 0), and its checkpoint alone gives 81.
    let sets: [(&str, Option<[i32; 2]>, i32); 9] = [
        ("museum-srum-server2022-aptsimulator/snapshot1/SRU", None, 2),
        ("museum-srum-server2022-aptsimulator/snapshot2-1daylater/SRU", None, 5),
        ("museum-srum-win10-aptsimulator/Clean", None, 32),
        ("museum-srum-win10-belkasoftctf/Clean", None, 81),
        ("museum-srum-win10-belkasoftctf/Dirty", Some([81, 81]), 81),
        ("museum-srum-win10-rathbunvm/Clean", None, 9),
        ("museum-srum-win10-rathbunvm/Dirty", None, 9),
        ("museum-srum-win11-2022-02-old/Clean", None, 12),
        ("museum-srum-win11-rathbunvm/Dirty", Some([92, 92]), 92),
    ];
    for (set, required, truncate) in sets {
        let r = verify_set(&[root.join(set)], &VerifyOptions::default()).unwrap();
        let d = &r.decision;
        assert_eq!(d.verdict, Verdict::Pass, "{set}: {:?}", d.problems);
        assert_eq!(d.required_range, required, "{set}");
        assert_eq!(d.truncate_below, Some(truncate), "{set}");
    }
}
