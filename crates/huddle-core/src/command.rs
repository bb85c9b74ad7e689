//! The slash-command catalogue and name matching, shared by `/help`, the UI's autocomplete and
//! the command router. The workflow engine adds its commands to the catalogue as it implements
//! them; only commands that actually run are listed.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommandSpec {
    pub name: &'static str,
    pub usage: &'static str,
    pub description: &'static str,
    pub category: &'static str,
}

pub const CATALOGUE: &[CommandSpec] = &[CommandSpec {
    name: "/help",
    usage: "/help [command]",
    description: "List the available commands, or explain one",
    category: "general",
}];

/// A command line split into the known command it names and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<'a> {
    Known {
        spec: &'static CommandSpec,
        args: &'a str,
    },
    /// Starts with `/` but names no known command; carries the first word.
    Unknown { name: &'a str },
}

/// Matches the longest known command name (so `/sprint plan` wins over `/sprint`), exactly and
/// case-sensitively, followed by the end or whitespace.
pub fn parse(line: &str) -> Option<Parsed<'_>> {
    let line = line.trim();
    if !line.starts_with('/') {
        return None;
    }
    let best = CATALOGUE
        .iter()
        .filter(|spec| {
            line.strip_prefix(spec.name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        })
        .max_by_key(|spec| spec.name.len());
    Some(match best {
        Some(spec) => Parsed::Known {
            spec,
            args: line[spec.name.len()..].trim(),
        },
        None => Parsed::Unknown {
            name: line.split_whitespace().next().unwrap_or(line),
        },
    })
}

pub fn find(name: &str) -> Option<&'static CommandSpec> {
    let name = if name.starts_with('/') {
        name.to_owned()
    } else {
        format!("/{name}")
    };
    CATALOGUE.iter().find(|spec| spec.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_commands_match_exactly() {
        assert!(
            matches!(parse("/help"), Some(Parsed::Known { spec, args: "" }) if spec.name == "/help")
        );
        assert!(matches!(
            parse("  /help  sprint "),
            Some(Parsed::Known { args: "sprint", .. })
        ));
        assert_eq!(parse("/HELP"), Some(Parsed::Unknown { name: "/HELP" }));
        assert_eq!(parse("/hel"), Some(Parsed::Unknown { name: "/hel" }));
        assert_eq!(
            parse("/helpme now"),
            Some(Parsed::Unknown { name: "/helpme" })
        );
        assert_eq!(parse("hello"), None);
    }

    #[test]
    fn lookup_accepts_names_with_or_without_slash() {
        assert_eq!(find("help").map(|s| s.name), Some("/help"));
        assert_eq!(find("/help").map(|s| s.name), Some("/help"));
        assert!(find("nope").is_none());
    }
}
