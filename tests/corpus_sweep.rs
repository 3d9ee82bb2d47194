//! Sweeps the whole shared corpus (`../shared/corpus`) when it exists (CI has it); skips with a
//! note otherwise. Expected verdicts come from the corpus MANIFEST: every database verifies except
//! the genuinely corrupt `dissect-esedb-srum/SRUDB.dat` (16 bad pages) and the temporary
//! `temp.edb`, whose pages carry no checksums.

use crate::util::{corpus, files_under, rel_name};
use esecheck::report::Verdict;
use esecheck::scan::database::{check_database, DbOptions};
use esecheck::scan::{classify, FileKind};

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
    assert!(n >= 30, "expected the corpus's 30+ databases, found {n}");
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
    // MANIFEST: 9 sets with logs and checkpoints (+ the NTDS checkpoint).
    assert!(logs >= 50 && chks >= 10, "logs {logs}, checkpoints {chks}");
}

#[test]
fn every_corpus_set_with_logs_gets_the_manifest_verdict() {
    use esecheck::report::set::{verify_set, VerifyOptions};
    let Some(root) = corpus() else {
        eprintln!("note: ../shared/corpus not present; corpus sweep skipped");
        return;
    };
    // (set, required range, truncate_below) from the MANIFEST's sets table: dirty sets need their
    // Log Required; clean ones need none and truncate at the checkpoint of their stream.
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
        assert!(
            d.truncate_below.is_some_and(|t| t <= truncate),
            "{set}: {:?}",
            d.truncate_below
        );
    }
}
