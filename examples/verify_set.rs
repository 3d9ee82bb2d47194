//! esecheck as a library: the backup-set verdict of `esecheck verify`, for a backup program that
//! wants it without running the binary. Prints the verdict, where logs may be truncated, and
//! every problem; exits with the CLI's status (0 verified, 1 integrity problem, 2 could not check).
//!
//! ```text
//! cargo run --example verify_set -- testdata/museum-srum-win10-belkasoftctf/Dirty
//! cargo run --example verify_set -- /mnt/snap/MailboxDB /mnt/snap/Logs
//! ```

use esecheck::report::set::{verify_set, VerifyOptions};
use esecheck::verdict::Verdict;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: verify_set PATH... (backup directories or files)");
        return ExitCode::from(2);
    }
    // The defaults are `esecheck verify`'s: warnings pass, the base name comes from the logs
    // found, the logs are looked for among the paths (or beside a database named alone).
    let opts = VerifyOptions::default();
    let report = match verify_set(&paths, &opts) {
        Ok(r) => r,
        // Missing or unreadable input, several log streams without a base: could not check.
        Err(e) => {
            eprintln!("could not check: {e}");
            return ExitCode::from(2);
        }
    };
    let decision = &report.decision;
    match (decision.verdict, decision.truncate_below) {
        (Verdict::Pass, Some(g)) => println!("verified: logs below generation {g} may be truncated"),
        (Verdict::Pass, None) => println!("verified"),
        (Verdict::Fail, _) => println!("integrity problem: do not truncate"),
        (Verdict::Error, _) => println!("could not check: do not truncate"),
    }
    for p in &decision.problems {
        println!("  {:?}: {}: {}", p.severity, p.file, p.message);
    }
    ExitCode::from(decision.verdict.exit_code() as u8)
}
