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
pub fn escape_controls(s: &str) -> Cow<'_, str> {
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
pub struct Shown<'a>(pub &'a str);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&escape_controls(self.0))
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
}
