//! `esecheck header FILE...` (eseutil /MH, /ML, /MK): wiring only. The file is opened and
//! classified in `scan`; what its header says, and whether that fails, is `report::header`'s.

use crate::report::header::{write_header, write_headers_json};
use crate::report::output::{could_not_check, Options, Sinks};
use crate::scan::{classify, Input};
use crate::verdict::Verdict;
use std::io;
use std::path::{Path, PathBuf};

/// `esecheck header FILE...`: [`header`] for each file. With one file the output is that file's;
/// with several, text dumps follow each other and `--json` prints one document whose `files`
/// holds each file's document (CLI.md "JSON"). The verdict combines the files' (Decision 2).
pub fn headers(paths: &[PathBuf], opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    if let [one] = paths {
        return header(one, opts, sinks);
    }
    let mut verdict = Verdict::Pass;
    let mut docs = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        if opts.json {
            let mut buf = Vec::new();
            let v = header(
                p,
                opts,
                &mut Sinks {
                    out: &mut buf,
                    err: &mut *sinks.err,
                },
            )?;
            verdict = verdict.combine(v);
            docs.push(serde_json::from_slice(&buf).map_err(io::Error::other)?);
        } else {
            if i > 0 && !opts.quiet {
                writeln!(sinks.out)?;
            }
            verdict = verdict.combine(header(p, opts, sinks)?);
        }
    }
    if opts.json {
        write_headers_json(docs, verdict, sinks)?;
    }
    Ok(verdict)
}

/// `esecheck header FILE` (eseutil /MH, /ML, /MK): dumps the header. For a database one bad copy
/// is a warning and both bad is a failure (CLI.md Decision 4).
pub fn header(path: &Path, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    let input = match Input::open(path) {
        Ok(i) => i,
        Err(e) => return could_not_check("header", &e, opts, sinks),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let class = classify(input.bytes(), &name);
    write_header(input.bytes(), &path.display().to_string(), class, opts, sinks)
}
