//! `huddle_core::command::{parse, find}`: a line is a command exactly when it starts with `/`
//! after trimming; a known command is the longest catalogue name followed by the end or
//! whitespace, with trimmed arguments from the same line; an unknown one carries its first word,
//! which names no catalogue entry.

#![no_main]

use huddle_core::command::{find, parse, Parsed, CATALOGUE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let trimmed = line.trim();
    let parsed = parse(&line);
    assert_eq!(parsed, parse(trimmed), "surrounding whitespace changed {line:?}");
    match parsed {
        None => assert!(!trimmed.starts_with('/'), "{line:?} is a command"),
        Some(Parsed::Known { spec, args }) => {
            assert!(CATALOGUE.contains(spec));
            let rest = trimmed
                .strip_prefix(spec.name)
                .unwrap_or_else(|| panic!("{line:?} does not start with {}", spec.name));
            assert!(
                rest.is_empty() || rest.starts_with(char::is_whitespace),
                "{line:?} runs on after {}",
                spec.name
            );
            assert_eq!(args, rest.trim(), "{line:?}");
            assert!(
                CATALOGUE
                    .iter()
                    .filter(|s| s.name.len() > spec.name.len())
                    .all(|s| !trimmed.starts_with(s.name)
                        || !trimmed[s.name.len()..]
                            .chars()
                            .next()
                            .is_none_or(char::is_whitespace)),
                "a longer command matches {line:?}"
            );
            assert_eq!(find(spec.name), Some(spec));
            assert_eq!(find(&spec.name[1..]), Some(spec));
        }
        Some(Parsed::Unknown { name }) => {
            assert!(trimmed.starts_with('/'), "{line:?}");
            assert!(trimmed.starts_with(name), "{name:?} is not the start of {line:?}");
            assert!(!name.contains(char::is_whitespace), "{name:?}");
            assert!(find(name).is_none(), "{name:?} is known but parsed as unknown");
        }
    }
    match find(trimmed) {
        Some(spec) => assert!(
            spec.name == trimmed || spec.name.strip_prefix('/') == Some(trimmed),
            "{trimmed:?} found {}",
            spec.name
        ),
        None => assert!(
            CATALOGUE
                .iter()
                .all(|s| s.name != trimmed && s.name.strip_prefix('/') != Some(trimmed)),
            "{trimmed:?} not found"
        ),
    }
});
