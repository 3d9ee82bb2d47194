//! `esecheck header FILE...` (eseutil /MH, /ML, /MK): wiring only. The file is opened and
//! classified in `scan`; what its header says, and whether that fails, is `report::header`'s.

use crate::report::header::{could_not_open, write_between_files, write_documents, write_header, HeaderOutcome};
use crate::report::output::{Options, Sinks};
use crate::scan::{classify, Input};
use crate::verdict::Verdict;
use std::io;
use std::path::{Path, PathBuf};

/// `esecheck header FILE...`: [`header`] for each file. With one file the output is that file's;
/// with several, text dumps follow each other and `--json` prints one document whose `files`
/// holds each file's document (CLI.md "JSON"). The verdict combines the files' (Decision 2).
pub(crate) fn headers(paths: &[PathBuf], opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    let mut verdict = Verdict::Pass;
    let mut docs = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        if i > 0 {
            write_between_files(opts, sinks)?;
        }
        let o = header_of(p, opts, sinks)?;
        verdict = verdict.combine(o.verdict);
        docs.extend(o.document);
    }
    if opts.json {
        write_documents(docs, verdict, sinks)?;
    }
    Ok(verdict)
}

/// One file's header: written in text, or its document returned.
fn header_of(path: &Path, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<HeaderOutcome> {
    let input = match Input::open(path) {
        Ok(i) => i,
        Err(e) => return could_not_open(&e, opts, sinks),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let class = classify(input.bytes(), &name);
    write_header(input.bytes(), &path.into(), class, opts, sinks)
}
