//! Making strings from files and file names safe to print as part of one line of text (CLI.md "Text output"):
//! the one escaping function every text writer uses. Pure; no I/O.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for the characters [`escape_controls`] rewrites: C0 controls, DEL, C1 controls, and the
/// Unicode line/paragraph separators and bidirectional overrides, any of which could make one
/// name look like several lines or like other text.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A string (a file name, a problem message, a string from a file's header) made safe to print as
/// part of one line of text, the way `ls -b` shows names: newline, carriage return, tab and escape
/// become `\n`, `\r`, `\t`, `\e`; other C0 controls and DEL become `\xNN`; C1 controls and the
/// line-breaking or bidirectional Unicode marks become `\u{NNNN}`. A backslash is left as it is, so
/// Windows paths keep their separators. A name can then never start a line of its own (a forged
/// `PASS:` line). Strings with nothing to escape are returned as they are.
pub(crate) fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A string from a file or a file name, shown through `Display` exactly as [`escape_controls`]
/// makes it (ripgrep's `PrinterPath` is the model): `format!("{}", Shown(&path))` can never print a
/// control character of the name. Text renderers take paths as `Shown`, not as `&str`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shown<'a>(pub &'a str);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&escape_controls(self.0))
    }
}

/// A file's path as esecheck names it in its results (a scan result's `path`, a problem's
/// `file`): a `String` whose [`Display`](std::fmt::Display) escapes control characters
/// (`escape_controls`), so that any text output that formats it is safe, and printing it
/// unescaped has to be asked for by name ([`ShownPath::unescaped`], for JSON, comparisons and
/// opening the file). Serialised as the plain string (JSON escapes on its own).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ShownPath(String);

impl ShownPath {
    /// The path as given, unescaped: for JSON, for comparing and for opening the file; never for
    /// a line of text.
    pub fn unescaped(&self) -> &str {
        &self.0
    }
}

/// In a JSON Schema a path is the plain string it is written as.
impl schemars::JsonSchema for ShownPath {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        String::schema_name()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

impl std::fmt::Display for ShownPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&escape_controls(&self.0))
    }
}

impl From<String> for ShownPath {
    fn from(s: String) -> Self {
        ShownPath(s)
    }
}

impl From<&String> for ShownPath {
    fn from(s: &String) -> Self {
        ShownPath(s.clone())
    }
}

impl From<&str> for ShownPath {
    fn from(s: &str) -> Self {
        ShownPath(s.to_string())
    }
}

impl From<&ShownPath> for ShownPath {
    fn from(s: &ShownPath) -> Self {
        s.clone()
    }
}

impl From<&std::path::Path> for ShownPath {
    fn from(p: &std::path::Path) -> Self {
        ShownPath(p.display().to_string())
    }
}

impl From<&std::path::PathBuf> for ShownPath {
    fn from(p: &std::path::PathBuf) -> Self {
        ShownPath(p.display().to_string())
    }
}

impl PartialEq<str> for ShownPath {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ShownPath {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for ShownPath {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

#[cfg(test)]
mod shown_tests {
    use super::*;

    #[test]
    fn shown_escapes_through_display() {
        let forged = "bad\nPASS: ok\x1b[2K";
        assert_eq!(format!("{}", Shown(forged)), "bad\\nPASS: ok\\e[2K");
        assert_eq!(Shown("C:\\Logs\\E00.log").to_string(), "C:\\Logs\\E00.log");
    }

    #[test]
    fn a_shown_path_escapes_when_formatted_and_serialises_as_it_is() {
        let p = ShownPath::from("bad\nPASS: ok.edb");
        assert_eq!(p.to_string(), "bad\\nPASS: ok.edb");
        assert_eq!(format!("{p}: checked"), "bad\\nPASS: ok.edb: checked");
        assert_eq!(p.unescaped(), "bad\nPASS: ok.edb");
        assert_eq!(serde_json::to_string(&p).unwrap(), r#""bad\nPASS: ok.edb""#);
        assert_eq!(p, "bad\nPASS: ok.edb");
    }
}
