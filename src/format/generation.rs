//! The one notation of a log generation in text and in problem messages (CLI.md Decision 18):
//! decimal, then its hex in parentheses — `81 (0x51)`, a range `78-82 (0x4E-0x52)`, runs
//! `3-4 (0x3-0x4), 6 (0x6)`. The hex is what eseutil and the log file names show, the decimal
//! what JSON numbers hold, so a reader can match either. JSON numbers stay numbers.

use std::fmt;

/// The hex digits of a generation: a negative value (a header field read as signed 32-bit) is
/// shown as the 32 bits the file holds (`-1 (0xFFFFFFFF)`).
fn hex(g: i64) -> u64 {
    if (i64::from(i32::MIN)..0).contains(&g) {
        u64::from(g as i32 as u32)
    } else {
        g as u64
    }
}

/// One generation: `81 (0x51)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Generation(pub i64);

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:X})", self.0, hex(self.0))
    }
}

/// A range of generations, both ends shown even when equal (`81-81 (0x51-0x51)`, as eseutil
/// shows Log Required): `78-82 (0x4E-0x52)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GenerationRange(pub i64, pub i64);

impl fmt::Display for GenerationRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{} (0x{:X}-0x{:X})", self.0, self.1, hex(self.0), hex(self.1))
    }
}

/// Ascending generations as runs, each in its own notation: `3-4 (0x3-0x4), 6 (0x6)`. A run of
/// one is a [`Generation`], a longer run a [`GenerationRange`]; runs are separated by `, `.
/// Nothing for an empty list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GenerationRuns<'a>(pub &'a [i32]);

impl fmt::Display for GenerationRuns<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let mut i = 0;
        while i < v.len() {
            let mut j = i;
            while j + 1 < v.len() && i64::from(v[j + 1]) == i64::from(v[j]) + 1 {
                j += 1;
            }
            if i > 0 {
                f.write_str(", ")?;
            }
            if i == j {
                write!(f, "{}", Generation(v[i].into()))?;
            } else {
                write!(f, "{}", GenerationRange(v[i].into(), v[j].into()))?;
            }
            i = j + 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generation_is_decimal_with_its_hex() {
        assert_eq!(Generation(81).to_string(), "81 (0x51)");
        assert_eq!(Generation(0).to_string(), "0 (0x0)");
        assert_eq!(Generation(0x7FFF_FA00).to_string(), "2147482112 (0x7FFFFA00)");
        assert_eq!(Generation(-1).to_string(), "-1 (0xFFFFFFFF)");
        assert_eq!(Generation(-5).to_string(), "-5 (0xFFFFFFFB)");
    }

    #[test]
    fn a_range_shows_both_ends_twice() {
        assert_eq!(GenerationRange(78, 82).to_string(), "78-82 (0x4E-0x52)");
        assert_eq!(GenerationRange(81, 81).to_string(), "81-81 (0x51-0x51)");
    }

    #[test]
    fn runs_join_consecutive_generations() {
        assert_eq!(GenerationRuns(&[3, 4, 6]).to_string(), "3-4 (0x3-0x4), 6 (0x6)");
        assert_eq!(GenerationRuns(&[5]).to_string(), "5 (0x5)");
        assert_eq!(GenerationRuns(&[]).to_string(), "");
        assert_eq!(
            GenerationRuns(&[1, 2, 3, 10, 12, 13]).to_string(),
            "1-3 (0x1-0x3), 10 (0xA), 12-13 (0xC-0xD)"
        );
        assert_eq!(GenerationRuns(&[i32::MAX]).to_string(), "2147483647 (0x7FFFFFFF)");
    }
}
