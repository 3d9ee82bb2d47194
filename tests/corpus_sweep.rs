//! Sweeps the whole shared corpus (`../shared/corpus`) when it exists (CI has it); skips with a
//! note otherwise. Expected verdicts come from the corpus MANIFEST: every database verifies except
//! the genuinely corrupt `dissect-esedb-srum/SRUDB.dat` (16 bad pages) and the temporary
//! `temp.edb`, whose pages carry no checksums.

use esecheck::report::Verdict;
use esecheck::scan::database::{check_database, DbOptions};
use esecheck::scan::{classify, FileKind};
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_database_gets_the_manifest_verdict() {
    let Some(root) = corpus() else {
        eprintln!("note: ../shared/corpus not present; corpus sweep skipped");
        return;
    };
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    let mut n = 0;
    for p in all {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if classify(&bytes, &name).kind != FileKind::Database {
            continue;
        }
        let rel = p.strip_prefix(&root).unwrap().display().to_string();
        let c = check_database(&bytes, &rel, &DbOptions::default()).unwrap();
        let expect_fail = rel == "dissect-esedb-srum/SRUDB.dat" || rel.ends_with("temp.edb");
        let want = if expect_fail { Verdict::Fail } else { Verdict::Pass };
        assert_eq!(c.verdict, want, "{rel}: {:?}", c.problems.first());
        assert_eq!(c.pages_seen, (bytes.len() / c.page_size) as u64, "{rel}");
        if !expect_fail {
            assert_eq!(c.bad_checksums, 0, "{rel}");
        }
        n += 1;
    }
    assert!(n >= 30, "expected the corpus's 30+ databases, found {n}");
}
