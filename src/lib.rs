//! esecheck: verify Microsoft ESE ("JET Blue") databases, transaction logs and checkpoints, as
//! `eseutil /K /MH /ML /MK` and Exchange's CHKSGFILES do, with a verdict a pipeline can act on.
//!
//! Layout: [`mod@format`] parses on-disk structures (no I/O), [`checksum`] holds the algorithms,
//! [`scan`] does I/O and parallel work, [`report`] turns findings into verdicts and output,
//! [`commands`] wires each command and [`cli`] defines the command line (options, help, man page,
//! completions).

#![warn(missing_docs)]

pub mod checksum;
pub mod cli;
pub mod codes;
pub mod command_kind;
pub mod commands;
pub mod error;
pub mod escape;
pub mod format;
pub mod problem;
pub mod report;
pub mod scan;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod verdict;

/// The layers of docs/ARCHITECTURE.md, checked against the source: no module of the product
/// names a module of a layer above its own (test modules and comments aside).
#[cfg(test)]
mod layers {
    use std::path::Path;

    /// The layer of a top-level module, bottom up; `None` for the fixture writer, which may use
    /// anything and which nothing in the product uses.
    fn rank(module: &str) -> Option<u8> {
        Some(match module {
            "codes" | "command_kind" | "problem" | "verdict" | "escape" | "error" => 0,
            "format" => 1,
            "checksum" => 2,
            "scan" => 3,
            "report" => 4,
            "cli" | "commands" => 5,
            _ => return None,
        })
    }

    /// The product part of a source file: up to its first `#[cfg(test)]` module, without
    /// comment lines.
    fn product_lines(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            let t = line.trim_start();
            if t.starts_with("#[cfg(test)]") && lines.peek().is_some_and(|n| n.trim_start().starts_with("mod ")) {
                break;
            }
            if !t.starts_with("//") {
                out.push(line);
            }
        }
        out
    }

    /// Every `crate::<module>` a line names, `crate::{a, b::c}` included.
    fn named_modules(line: &str) -> Vec<&str> {
        fn ident(s: &str) -> &str {
            &s[..s
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(s.len())]
        }
        let mut out = Vec::new();
        for (i, m) in line.match_indices("crate::") {
            let rest = &line[i + m.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                out.extend(group.split(',').map(|g| ident(g.trim())).filter(|g| !g.is_empty()));
            } else {
                out.push(ident(rest));
            }
        }
        out
    }

    fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                visit(&p, files);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }

    #[test]
    fn no_module_names_a_layer_above_its_own() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        visit(&src, &mut files);
        let mut upward = Vec::new();
        let mut checked = 0;
        for f in &files {
            let rel = f.strip_prefix(&src).unwrap();
            let top = rel.components().next().unwrap().as_os_str().to_str().unwrap();
            let Some(own) = rank(top.trim_end_matches(".rs")) else {
                continue;
            };
            checked += 1;
            let text = std::fs::read_to_string(f).unwrap();
            for line in product_lines(&text) {
                for m in named_modules(line) {
                    if m == "testkit" || rank(m).is_some_and(|r| r > own) {
                        upward.push(format!("{}: {m}: {}", rel.display(), line.trim()));
                    }
                }
            }
        }
        assert!(checked > 40, "only {checked} files checked");
        assert!(upward.is_empty(), "imports from a layer above:\n{}", upward.join("\n"));
    }

    /// What renders output: a `write!`/`writeln!`, a JSON document or serializer, a print.
    fn renders(line: &str) -> bool {
        [
            "writeln!",
            "write!",
            "json::",
            "serde_json",
            "print!",
            "println!",
            "eprint",
        ]
        .iter()
        .any(|m| line.contains(m))
    }

    /// docs/ARCHITECTURE.md: `commands/` only wires; every line of text and JSON is rendered in
    /// `report/`.
    #[test]
    fn no_file_under_commands_renders_text_or_json() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
        let mut files = Vec::new();
        visit(&dir, &mut files);
        assert!(files.len() >= 6, "{files:?}");
        let mut found = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            for line in product_lines(&text).into_iter().filter(|l| renders(l)) {
                found.push(format!("{}: {}", f.display(), line.trim()));
            }
        }
        assert!(found.is_empty(), "rendering under src/commands:\n{}", found.join("\n"));
        assert!(renders("    writeln!(sinks.out)?;") && !renders("use crate::report::header;"));
    }

    #[test]
    fn the_check_sees_an_upward_import() {
        let text = "use crate::format::Reader;\n// crate::report in a comment\nuse crate::scan::x;\nuse crate::{codes, report::set};\n#[cfg(test)]\nmod tests {\n use crate::testkit;\n}\n";
        let names: Vec<&str> = product_lines(text).into_iter().flat_map(named_modules).collect();
        assert_eq!(names, ["format", "scan", "codes", "report"]);
    }
}
