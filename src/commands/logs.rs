//! `esecheck logs DIR [--base NAME]` (eseutil /ML `<base>`): wiring only. The stream is
//! checked in `scan::stream`, decided and rendered in `report::logs`.

use crate::report::logs::LogsBody;
use crate::report::output::{could_not_check, Options, Sinks};
use crate::verdict::Verdict;
use std::io;
use std::path::Path;

/// `esecheck logs DIR [--base NAME]` (eseutil /ML `<base>`): every log of one stream and the
/// stream itself.
pub(crate) fn logs(dir: &Path, base: Option<&str>, opts: &Options, sinks: &mut Sinks<'_>) -> io::Result<Verdict> {
    match crate::scan::check_stream(dir, base).and_then(|s| s.recheck().map(|()| s)) {
        Ok(s) => crate::report::logs::render(&s, opts, sinks),
        Err(e) => could_not_check::<LogsBody>(&e, " the log stream", "; do not truncate", opts, sinks),
    }
}
