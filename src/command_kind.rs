//! The commands esecheck has, named once: the command line (`cli`), the dispatch (`commands`)
//! and every JSON document's `command` (`report::json`) use this enum. Their help is
//! `cli`'s (`CommandKind::help`).

use clap::ValueEnum;

/// The commands, without their arguments. `ValueEnum` is derived for its list of every variant
/// ([`CommandKind::all`]) and their names, which are clap's names of the command-line
/// subcommands (both kebab-case); nothing parses a `CommandKind` from the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum)]
pub enum CommandKind {
    /// `esecheck checksum`
    Checksum,
    /// `esecheck header`
    Header,
    /// `esecheck logs`
    Logs,
    /// `esecheck verify`
    Verify,
    /// `esecheck compare`
    Compare,
    /// `esecheck man`
    Man,
    /// `esecheck completions`
    Completions,
}

impl CommandKind {
    /// Every command, in the order of `esecheck --help`.
    pub fn all() -> &'static [CommandKind] {
        CommandKind::value_variants()
    }

    /// The command's name, as typed (and as a JSON document's `command` says it).
    pub fn name(self) -> &'static str {
        match self {
            CommandKind::Checksum => "checksum",
            CommandKind::Header => "header",
            CommandKind::Logs => "logs",
            CommandKind::Verify => "verify",
            CommandKind::Compare => "compare",
            CommandKind::Man => "man",
            CommandKind::Completions => "completions",
        }
    }
}

/// Written as its name (`"checksum"`).
impl serde::Serialize for CommandKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commands_name_is_clap_s_name_of_it() {
        for k in CommandKind::all() {
            assert_eq!(k.to_possible_value().unwrap().get_name(), k.name());
            assert_eq!(serde_json::to_string(k).unwrap(), format!("\"{}\"", k.name()));
        }
    }
}
