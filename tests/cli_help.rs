//! Help and packaging as users expect (issue 13 item 12): every command's help has an example
//! and the exit status, options a command ignores are hidden from its help yet still accepted
//! before and after its name, and `man` and `completions` print something usable with exit 0.

use crate::util::{esecheck, esecheck_bin, td, BELKA_DIRTY};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const COMMANDS: [&str; 6] = ["checksum", "header", "logs", "verify", "man", "completions"];
const CHECKING: [&str; 4] = ["checksum", "header", "logs", "verify"];

fn dirty_set() -> PathBuf {
    td(BELKA_DIRTY)
}

fn stdout_of(args: &[&str]) -> String {
    let out = esecheck().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "esecheck {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The option lines of a help text (what follows "Options:" up to the first blank line).
fn option_lines(help: &str) -> String {
    help.split("Options:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_command_help_has_an_example_and_the_exit_status() {
    for cmd in COMMANDS {
        for flag in ["--help", "-h"] {
            let help = stdout_of(&[cmd, flag]);
            assert!(help.contains("Examples:\n  esecheck "), "{cmd} {flag}: {help}");
            assert!(
                help.contains(&format!("esecheck {cmd}")),
                "{cmd} {flag}: example of another command"
            );
            assert!(help.contains("Exit status:\n  0  "), "{cmd} {flag}: {help}");
            assert!(help.contains("\n  2  "), "{cmd} {flag}: {help}");
        }
    }
}

#[test]
fn checking_commands_help_gives_the_0_1_2_contract() {
    for cmd in CHECKING {
        let help = stdout_of(&[cmd, "--help"]);
        assert!(help.contains("  0  verified"), "{cmd}: {help}");
        assert!(help.contains("  1  integrity problem"), "{cmd}: {help}");
        assert!(help.contains("  2  could not check"), "{cmd}: {help}");
    }
    let top = stdout_of(&["--help"]);
    assert!(top.contains("  1  integrity problem"), "{top}");
}

#[test]
fn help_hides_the_options_a_command_ignores() {
    let header = option_lines(&stdout_of(&["header", "--help"]));
    assert!(
        !header.contains("--threads") && !header.contains("--no-progress"),
        "{header}"
    );
    assert!(header.contains("--json") && header.contains("--quiet") && header.contains("--strict"));

    let logs = option_lines(&stdout_of(&["logs", "--help"]));
    assert!(!logs.contains("--no-progress"), "{logs}");
    assert!(logs.contains("--threads") && logs.contains("--base"), "{logs}");

    for cmd in ["checksum", "verify"] {
        let opts = option_lines(&stdout_of(&[cmd, "--help"]));
        for o in ["--json", "--quiet", "--strict", "--threads", "--no-progress"] {
            assert!(opts.contains(o), "{cmd} help lacks {o}: {opts}");
        }
    }
    for cmd in ["man", "completions"] {
        let opts = option_lines(&stdout_of(&[cmd, "--help"]));
        assert!(!opts.contains("--json") && !opts.contains("--threads"), "{cmd}: {opts}");
    }
}

#[test]
fn json_is_accepted_before_and_after_the_command_name() {
    for args in [
        vec!["--json", "verify", "--no-progress"],
        vec!["verify", "--json", "--no-progress"],
    ] {
        let out = esecheck().args(&args).arg(dirty_set()).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
        assert_eq!(v["verdict"], "pass", "{args:?}");
        assert_eq!(v["truncate_below"], 81, "{args:?}");
    }
}

#[test]
fn every_common_option_is_accepted_before_and_after_the_command_name() {
    let chk = dirty_set().join("SRU.chk");
    let common = ["--quiet", "--strict", "--threads", "1", "--no-progress"];
    for (cmd, target) in [
        ("checksum", &chk),
        ("header", &chk),
        ("logs", &dirty_set()),
        ("verify", &dirty_set()),
    ] {
        let before = esecheck().args(common).arg(cmd).arg(target).output().unwrap();
        let after = esecheck().arg(cmd).args(common).arg(target).output().unwrap();
        assert_eq!(
            before.status.code(),
            Some(0),
            "{cmd}: {}",
            String::from_utf8_lossy(&before.stderr)
        );
        assert_eq!(
            after.status.code(),
            Some(0),
            "{cmd}: {}",
            String::from_utf8_lossy(&after.stderr)
        );
        assert_eq!(before.stdout, after.stdout, "{cmd}: --quiet applies in both places");
        let line = String::from_utf8_lossy(&after.stdout).into_owned();
        assert_eq!(
            line.lines().count(),
            1,
            "{cmd}: quiet prints the verdict line only: {line}"
        );
    }
}

#[test]
fn hidden_options_still_reach_the_command() {
    // --threads is hidden from header's help but still parsed and validated.
    esecheck()
        .args(["header", "--threads", "0"])
        .arg(dirty_set().join("SRU.chk"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--threads must be at least 1"));
}

#[test]
fn man_prints_a_roff_page_naming_every_command() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH esecheck 1"), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH COMMANDS",
        ".SH EXAMPLES",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    for cmd in COMMANDS {
        assert!(
            page.contains(&format!(".SS \"esecheck {cmd}\"")),
            "no section for {cmd}"
        );
    }
    assert!(page.contains("\\-\\-no\\-progress"), "common options listed");
    assert!(page.contains("\\-\\-logs"), "verify's own options listed");
}

#[test]
fn completions_print_a_script_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _esecheck"),
        ("zsh", "#compdef esecheck"),
        ("fish", "complete -c esecheck"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("esecheck"), "{shell}");
        assert!(script.contains(marker), "{shell}: no {marker}");
        assert!(
            script.contains("verify") && script.contains("base"),
            "{shell}: commands and options"
        );
    }
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    esecheck()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("possible values"));
}

#[test]
fn man_to_a_full_disk_is_exit_2() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = std::process::Command::new(esecheck_bin())
        .arg("man")
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("esecheck: writing to stdout failed"));
}
