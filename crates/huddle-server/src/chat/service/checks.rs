//! The shape of chat input before anything is looked up: text that shows nothing is empty,
//! NUL is refused in every text field, and ids and cursors must look like message ids.

use huddle_core::text;

use super::MAX_CONTENT_CHARS;
use crate::error::ApiError;

const MAX_EMOJI_BYTES: usize = 32;
const MAX_DESCRIPTION_CHARS: usize = 500;

fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::bad_request(code, message)
}

/// Refuses text holding a NUL character: nobody types one, and PostgreSQL cannot store it.
pub(crate) fn no_nul(what: &str, value: &str) -> Result<(), ApiError> {
    if text::has_nul(value) {
        return Err(invalid(
            "invalid_payload",
            format!("{what} contains a NUL character (U+0000)"),
        )
        .with_hint("Remove the NUL character; no text field may hold one."));
    }
    Ok(())
}

/// Whether `id` has the shape of a message id (a lowercase hyphenated UUID), so that paging
/// and lookups never compare against arbitrary text.
pub(super) fn is_message_id(id: &str) -> bool {
    uuid::Uuid::try_parse(id).is_ok_and(|u| u.hyphenated().to_string() == id)
}

/// A history cursor (`before`, `thread_id`) must name a message; anything else is refused
/// rather than silently read as "from the newest".
pub(super) fn check_cursor(field: &str, value: Option<&str>) -> Result<(), ApiError> {
    match value {
        Some(id) if !is_message_id(id) => Err(invalid(
            "invalid_query",
            format!("{field} must be a message_id"),
        )
        .with_hint(if field == "before" {
            "Pass the message_id of the oldest message you have, or leave `before` out for the \
             newest page."
        } else {
            "Pass the message_id of the thread's root message."
        })),
        _ => Ok(()),
    }
}

/// Content that shows nothing (whitespace, zero-width and other format characters) is empty.
pub(super) fn check_content(content: &str) -> Result<(), ApiError> {
    no_nul("the message", content)?;
    if text::is_blank(content) {
        return Err(invalid("invalid_message", "the message is empty"));
    }
    let chars = content.chars().count();
    if chars > MAX_CONTENT_CHARS {
        return Err(invalid(
            "invalid_message",
            format!("the message has {chars} characters; the limit is {MAX_CONTENT_CHARS}"),
        )
        .with_hint("Split it into several messages or attach it as a file."));
    }
    Ok(())
}

/// A reaction as stored: trimmed, something visible, no reordering controls, short.
pub(super) fn reaction(emoji: &str) -> Result<&str, ApiError> {
    no_nul("the reaction", emoji)?;
    let emoji = emoji.trim();
    if text::is_blank(emoji)
        || text::has_bidi_control(emoji)
        || emoji.len() > MAX_EMOJI_BYTES
        || emoji.chars().any(char::is_whitespace)
    {
        return Err(invalid(
            "invalid_reaction",
            "a reaction is one emoji or a short :name:",
        ));
    }
    Ok(emoji)
}

pub(super) fn check_description(description: &str) -> Result<(), ApiError> {
    no_nul("the description", description)?;
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(invalid(
            "invalid_channel",
            format!("the description is longer than {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<impl Sized, ApiError>) -> &'static str {
        result.err().map_or("ok", |e| e.body.code)
    }

    #[test]
    fn content_that_shows_nothing_is_empty() {
        for blank in [
            "",
            "  \n",
            "\u{200B}",
            "\u{200B}\u{200D} \u{FEFF}",
            "\u{202E}\u{2066}",
        ] {
            assert_eq!(code(check_content(blank)), "invalid_message", "{blank:?}");
        }
        assert_eq!(code(check_content("hi\u{200B}")), "ok");
        assert_eq!(code(check_content("a\0b")), "invalid_payload");
    }

    #[test]
    fn reactions_must_show_something_and_keep_their_order() {
        assert_eq!(reaction(" 👍 ").ok(), Some("👍"));
        assert_eq!(reaction(":tada:").ok(), Some(":tada:"));
        assert_eq!(code(reaction("👨\u{200D}👩\u{200D}👧")), "ok");
        for bad in ["\u{200B}", "\u{FE0F}\u{200D}", ":a\u{202E}b:", "a b", ""] {
            assert_eq!(code(reaction(bad)), "invalid_reaction", "{bad:?}");
        }
        assert_eq!(code(reaction("👍\0")), "invalid_payload");
    }

    #[test]
    fn cursors_must_be_message_ids() {
        let id = uuid::Uuid::now_v7().to_string();
        assert!(check_cursor("before", Some(&id)).is_ok());
        assert!(check_cursor("before", None).is_ok());
        for bad in [
            "",
            "garbage",
            "zzzz",
            &id.to_uppercase(),
            &id.replace('-', ""),
        ] {
            assert_eq!(
                code(check_cursor("before", Some(bad))),
                "invalid_query",
                "{bad}"
            );
        }
    }

    #[test]
    fn descriptions_refuse_nul() {
        assert_eq!(code(check_description("fine")), "ok");
        assert_eq!(code(check_description("a\0")), "invalid_payload");
    }
}
