//! The command hook: a message starting with `/` is answered here. The workflow engine plugs its
//! commands into this router; the catalogue in `huddle_core::command` says what exists.

use huddle_core::command::{self, Parsed, CATALOGUE};
use serde_json::{json, Value};

/// What `command_result` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub command: String,
    pub success: bool,
    pub result: Option<Value>,
    pub error: Option<String>,
    pub hint: Option<String>,
}

/// Runs the command in `line`, or `None` when the line is not a command.
pub fn run(line: &str) -> Option<Outcome> {
    Some(match command::parse(line)? {
        Parsed::Unknown { name } => Outcome {
            command: name.to_owned(),
            success: false,
            result: None,
            error: Some(format!("Unknown command: {name}")),
            hint: Some(suggestion(name)),
        },
        Parsed::Known { spec, args } => match spec.name {
            "/help" => help(args),
            other => Outcome {
                command: other.to_owned(),
                success: false,
                result: None,
                error: Some(format!("{other} has no handler on this server")),
                hint: Some("Type /help for available commands.".into()),
            },
        },
    })
}

fn help(args: &str) -> Outcome {
    let outcome = |result: Value| Outcome {
        command: "/help".into(),
        success: true,
        result: Some(result),
        error: None,
        hint: None,
    };
    if args.is_empty() {
        let lines: Vec<String> = CATALOGUE
            .iter()
            .map(|c| format!("`{}` — {}", c.usage, c.description))
            .collect();
        return outcome(json!({ "commands": CATALOGUE, "text": lines.join("\n") }));
    }
    match command::find(args.split_whitespace().next().unwrap_or(args)) {
        Some(spec) => outcome(
            json!({ "commands": [spec], "text": format!("`{}` — {}", spec.usage, spec.description) }),
        ),
        None => Outcome {
            command: "/help".into(),
            success: false,
            result: None,
            error: Some(format!("Unknown command: {args}")),
            hint: Some("Type /help for available commands.".into()),
        },
    }
}

/// The prototype's hint, with the closest known command when one is near.
fn suggestion(name: &str) -> String {
    let close = CATALOGUE
        .iter()
        .find(|c| c.name.starts_with(name) || name.starts_with(c.name));
    match close {
        Some(c) => format!(
            "Type /help for available commands. Did you mean {}?",
            c.name
        ),
        None => "Type /help for available commands.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_the_catalogue() {
        let out = run("/help").expect("a command");
        assert!(out.success);
        assert_eq!(out.result.expect("result")["commands"][0]["name"], "/help");
    }

    #[test]
    fn help_for_one_command_and_for_nonsense() {
        assert!(run("/help help").expect("command").success);
        let out = run("/help nope").expect("command");
        assert_eq!(
            (out.success, out.error.as_deref()),
            (false, Some("Unknown command: nope"))
        );
    }

    #[test]
    fn unknown_commands_use_the_prototype_wording() {
        let out = run("/nope now").expect("command");
        assert_eq!(out.error.as_deref(), Some("Unknown command: /nope"));
        assert_eq!(
            out.hint.as_deref(),
            Some("Type /help for available commands.")
        );
        assert!(run("/hel")
            .expect("command")
            .hint
            .expect("hint")
            .contains("Did you mean /help?"));
        assert!(run("just text").is_none());
    }
}
