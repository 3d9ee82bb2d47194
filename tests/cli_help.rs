//! Help and packaging as users expect (README "Install"): every command's help has an example
//! and the exit status, options a command ignores are hidden from its help yet still accepted
//! before and after its name, and `man` and `completions` print something usable with exit 0.
//! The list of commands is clap's own (`esecheck::cli::command()`), so a command added without
//! its help, examples or exit status fails here.

use crate::util::Run;
use crate::util::{esecheck, esecheck_bin, td, BELKA_DIRTY};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// The checking commands, whose exit status is CLI.md's 0/1/2 contract.
const CHECKING: [&str; 4] = ["checksum", "header", "logs", "verify"];

/// Every command clap knows, in the order of `esecheck --help` (without the `help` clap adds).
fn commands() -> Vec<String> {
    let names: Vec<String> = esecheck::cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    assert!(names.len() >= 7, "{names:?}");
    names
}

fn dirty_set() -> PathBuf {
    td(BELKA_DIRTY)
}

fn stdout_of(args: &[&str]) -> String {
    let out = esecheck().args(args).run();
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

/// The rows of an exit-status table, as (status, meaning).
type ExitRows = Vec<(u8, String)>;

/// The rows of a help text's "Exit status:" table.
fn exit_rows(help: &str) -> ExitRows {
    let table = help.split("Exit status:\n").nth(1).unwrap_or_default();
    table
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let (code, meaning) = l.trim_start().split_once("  ").expect("status  meaning");
            (code.parse().expect("a status"), meaning.to_string())
        })
        .collect()
}

#[test]
fn every_command_help_has_an_example_and_the_exit_status() {
    for cmd in commands() {
        let cmd = cmd.as_str();
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

/// CLI.md, "Exit status of `compare`": 0 the copy is the verified set, 1 it is not (or copies a
/// set that did not pass), 2 it could not be compared.
#[test]
fn compare_help_gives_its_own_0_1_2_contract() {
    let rows = exit_rows(&stdout_of(&["compare", "--help"]));
    let codes: Vec<u8> = rows.iter().map(|r| r.0).collect();
    assert_eq!(codes, [0, 1, 2], "{rows:?}");
    assert!(
        rows[0].1.starts_with("the copy is identical to the verified set"),
        "{rows:?}"
    );
    assert!(
        rows[1].1.contains("differs") && rows[1].1.contains("did not pass"),
        "{rows:?}"
    );
    assert!(rows[2].1.starts_with("could not compare"), "{rows:?}");
    assert!(rows[2].1.contains("the verified set itself"), "{rows:?}");
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
        let out = esecheck().args(&args).arg(dirty_set()).run();
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
        let before = esecheck().args(common).arg(cmd).arg(target).run();
        let after = esecheck().arg(cmd).args(common).arg(target).run();
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
    for cmd in commands() {
        assert!(
            page.contains(&format!(".SS \"esecheck {cmd}\"")),
            "no section for {cmd}"
        );
    }
    assert!(page.contains("\\-\\-no\\-progress"), "common options listed");
    assert!(page.contains("\\-\\-logs"), "verify's own options listed");
}

/// roff text as it reads: `\-` is a hyphen, `\*(Aq` an apostrophe, fonts dropped.
fn unroff(line: &str) -> String {
    line.replace("\\-", "-")
        .replace("\\*(Aq", "'")
        .replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
}

/// The man page's EXIT STATUS: each group's commands ("checksum, header, logs and verify:")
/// with its rows.
fn man_exit_status(page: &str) -> Vec<(Vec<String>, ExitRows)> {
    let section = page.split(".SH \"EXIT STATUS\"\n").nth(1).expect("EXIT STATUS");
    let mut groups: Vec<(Vec<String>, ExitRows)> = Vec::new();
    let mut lines = section
        .lines()
        .take_while(|l| !l.starts_with(".SH") && !l.starts_with(".ie "));
    while let Some(line) = lines.next() {
        match line {
            ".PP" => {}
            ".TP" => {
                let code = unroff(lines.next().expect("a status")).parse().expect("a status");
                let meaning = unroff(lines.next().expect("a meaning"));
                groups
                    .last_mut()
                    .expect("a group before its rows")
                    .1
                    .push((code, meaning));
            }
            label => {
                let label = label
                    .strip_suffix(':')
                    .unwrap_or_else(|| panic!("not a label: {label}"));
                let names = label.replace(" and ", ", ");
                groups.push((names.split(", ").map(str::to_string).collect(), Vec::new()));
            }
        }
    }
    groups
}

#[test]
fn man_exit_status_gives_every_command_the_table_of_its_help() {
    let groups = man_exit_status(&stdout_of(&["man"]));
    for cmd in commands() {
        let in_man: Vec<_> = groups.iter().filter(|(names, _)| names.contains(&cmd)).collect();
        assert_eq!(
            in_man.len(),
            1,
            "{cmd} is in {} groups of EXIT STATUS: {groups:?}",
            in_man.len()
        );
        let help = stdout_of(&[cmd.as_str(), "--help"]);
        assert_eq!(in_man[0].1, exit_rows(&help), "{cmd}: man and --help differ");
    }
    let compare = groups
        .iter()
        .find(|(names, _)| names == &["compare"])
        .expect("compare's own table");
    assert_eq!(compare.1.len(), 3, "{compare:?}");
}

/// SYNOPSIS shows each option with its value, as CLI.md writes them (`--threads N`,
/// `--base NAME`, `--logs DIR`, `--manifest FILE`), and `--block-size` with the value name its
/// help gives.
#[test]
fn man_synopsis_shows_option_values() {
    let page = stdout_of(&["man"]);
    let synopsis: Vec<String> = page
        .lines()
        .filter(|l| l.starts_with("\\fBesecheck"))
        .map(unroff)
        .collect();
    let line = |prefix: &str| {
        synopsis
            .iter()
            .find(|l| l.starts_with(&format!("{prefix} ")))
            .unwrap_or_else(|| panic!("no synopsis of {prefix}: {synopsis:?}"))
            .clone()
    };
    assert!(line("esecheck").contains("[--threads N]"), "{synopsis:?}");
    assert!(line("esecheck logs").contains("[--base NAME] <DIR>"), "{synopsis:?}");
    let verify = line("esecheck verify");
    for shown in ["[--base NAME]", "[--logs DIR]", "[--manifest FILE]", "<PATHS>..."] {
        assert!(verify.contains(shown), "{shown} not in {verify}");
    }
    let block_size = option_lines(&stdout_of(&["verify", "--help"]))
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("--block-size <")?
                .split_once('>')
                .map(|(v, _)| v.to_string())
        })
        .expect("--block-size in verify's help");
    assert!(verify.contains(&format!("[--block-size {block_size}]")), "{verify}");
    for cmd in commands() {
        line(&format!("esecheck {cmd}"));
    }
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
    let out = std::process::Command::new(esecheck_bin()).arg("man").stdout(full).run();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("esecheck: writing to stdout failed"));
}
