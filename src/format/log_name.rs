//! Log-stream file names (ESE-FORMAT.md §6.1): `<base>XXXXX.log`, `<base>XXXXXXXX.log`, `.jtx`,
//! the current `<base>.log`, `<base>tmp.log`, reserve logs `*.jrs`, checkpoints `.chk`/`.jcp`.
//!
//! Pure string parsing: no I/O, and names never decide integrity on their own (callers read the
//! headers). The base name is exactly 3 characters; matching is case-insensitive.

/// What a file name says a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogNameKind {
    /// An archived generation, `<base>` + 5 or 8 hex digits.
    Archived {
        /// The generation the name carries.
        generation: u32,
        /// 5 or 8.
        digits: u8,
    },
    /// The current (newest) log, `<base>.log` / `<base>.jtx`.
    Current,
    /// `<base>tmp.log|jtx`: the next generation being prepared, not part of the stream.
    Temp,
    /// `<base>resNNNNN.jrs` (or any `.jrs`): a reserve log, never verified.
    Reserve,
    /// `<base>.chk` / `<base>.jcp`.
    Checkpoint,
}

/// A parsed log-stream file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogName {
    /// The 3-character base as written in the name (case kept).
    pub base: String,
    /// What the name says.
    pub kind: LogNameKind,
    /// The extension, lower case (`log`, `jtx`, `jrs`, `chk`, `jcp`).
    pub ext: String,
}

impl LogName {
    /// The generation of an archived name.
    pub fn generation(&self) -> Option<u32> {
        match self.kind {
            LogNameKind::Archived { generation, .. } => Some(generation),
            _ => None,
        }
    }
}

/// Parses the last path component `file_name`; `None` when it is not a log-stream name.
pub fn parse_log_name(file_name: &str) -> Option<LogName> {
    let (stem, ext) = file_name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    if !stem.is_ascii() || stem.len() < 3 {
        return None;
    }
    let (base, rest) = stem.split_at(3);
    let kind = match ext.as_str() {
        "log" | "jtx" => {
            if rest.is_empty() {
                LogNameKind::Current
            } else if rest.eq_ignore_ascii_case("tmp") {
                LogNameKind::Temp
            } else if (rest.len() == 5 || rest.len() == 8) && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
                let generation = u32::from_str_radix(rest, 16).ok()?;
                LogNameKind::Archived {
                    generation,
                    digits: rest.len() as u8,
                }
            } else {
                return None;
            }
        }
        "jrs" => LogNameKind::Reserve,
        "chk" | "jcp" if rest.is_empty() => LogNameKind::Checkpoint,
        _ => return None,
    };
    Some(LogName {
        base: base.to_string(),
        kind,
        ext,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(n: &str) -> Option<LogNameKind> {
        parse_log_name(n).map(|l| l.kind)
    }

    #[test]
    fn five_and_eight_hex_names_carry_the_generation() {
        assert_eq!(
            kind("SRU0005B.log"),
            Some(LogNameKind::Archived {
                generation: 0x5B,
                digits: 5
            })
        );
        assert_eq!(
            kind("E0000000001.LOG"),
            Some(LogNameKind::Archived {
                generation: 1,
                digits: 8
            })
        );
        assert_eq!(parse_log_name("uss00040.jtx").unwrap().base, "uss");
        assert!(matches!(
            parse_log_name("SRU0005b.log").unwrap().kind,
            LogNameKind::Archived { generation: 0x5B, .. }
        ));
    }

    #[test]
    fn current_tmp_reserve_and_checkpoint_names() {
        assert_eq!(kind("SRU.log"), Some(LogNameKind::Current));
        assert_eq!(kind("edb.JTX"), Some(LogNameKind::Current));
        assert_eq!(kind("SRUtmp.log"), Some(LogNameKind::Temp));
        assert_eq!(kind("srures00002.jrs"), Some(LogNameKind::Reserve));
        assert_eq!(kind("SRU.chk"), Some(LogNameKind::Checkpoint));
        assert_eq!(kind("edb.jcp"), Some(LogNameKind::Checkpoint));
    }

    #[test]
    fn other_names_are_not_log_names() {
        for n in [
            "SRUDB.dat",
            "SRU0005G.log",
            "SRU005B.log",
            "ab.log",
            "log",
            "SRUDB.jfm",
            "SRUDB.chk",
            "é€x.log",
        ] {
            assert_eq!(kind(n), None, "{n}");
        }
    }
}
