//! What a character of user text shows: the one classification behind "this message is empty",
//! "this reaction is nothing" and "this file name reads backwards".
//!
//! Text can look empty while it is not (zero-width spaces, joiners, format characters) and can
//! display in another order than it is stored (bidi controls: `"\u{202e}gnp.txt"` shows as
//! `txt.png`). NUL is refused everywhere: PostgreSQL cannot store it and no user means it.

/// How a character of user text appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    /// U+0000.
    Nul,
    /// Changes the display order of what follows (U+202A–U+202E, U+2066–U+2069, U+200E,
    /// U+200F, U+061C); shows nothing itself.
    BidiControl,
    /// Shows nothing: whitespace, control characters, format characters (Unicode category
    /// Cf), default-ignorable code points (variation selectors, fillers, tags) and the blank
    /// braille pattern that people use as an "empty" character.
    Invisible,
    Visible,
}

/// Unicode category Cf (format characters) and the default-ignorable code points, as of
/// Unicode 15.1, sorted. Bidi controls are among them but are classified first.
const INVISIBLE: [(u32, u32); 26] = [
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// The class of `c`; every rule about invisible or reordering text asks this.
pub fn char_class(c: char) -> CharClass {
    let code = u32::from(c);
    match c {
        '\0' => CharClass::Nul,
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}' => CharClass::BidiControl,
        _ if c.is_whitespace() || c.is_control() => CharClass::Invisible,
        _ if INVISIBLE
            .binary_search_by(|&(start, end)| {
                if end < code {
                    std::cmp::Ordering::Less
                } else if start > code {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok() =>
        {
            CharClass::Invisible
        }
        _ => CharClass::Visible,
    }
}

/// True when `text` shows nothing at all (also for `""`).
pub fn is_blank(text: &str) -> bool {
    !text.chars().any(|c| char_class(c) == CharClass::Visible)
}

pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

pub fn has_bidi_control(text: &str) -> bool {
    text.chars()
        .any(|c| char_class(c) == CharClass::BidiControl)
}

/// `text` without its bidi controls, so it displays in the order it is stored.
pub fn strip_bidi_controls(text: &str) -> String {
    text.chars()
        .filter(|&c| char_class(c) != CharClass::BidiControl)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_disjoint() {
        for pair in INVISIBLE.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:x?}");
        }
    }

    #[test]
    fn every_bidi_control_is_one() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            assert_eq!(
                char_class(c),
                CharClass::BidiControl,
                "{:04X}",
                u32::from(c)
            );
        }
        assert_eq!(char_class('\u{2065}'), CharClass::Invisible);
        assert_eq!(char_class('\u{2070}'), CharClass::Visible);
    }

    #[test]
    fn zero_width_format_and_filler_characters_are_invisible() {
        for c in [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{180E}',
            '\u{034F}',
            '\u{FE0F}',
            '\u{3164}',
            '\u{115F}',
            '\u{2800}',
            '\u{E0041}',
            '\u{1D173}',
            '\u{0007}',
            '\u{0085}',
            ' ',
            '\t',
            '\n',
            '\u{00A0}',
            '\u{3000}',
            '\u{2028}',
        ] {
            assert_eq!(char_class(c), CharClass::Invisible, "{:04X}", u32::from(c));
        }
    }

    #[test]
    fn letters_digits_marks_and_emoji_are_visible() {
        for c in [
            'a', 'Z', '7', 'é', 'ß', 'ж', 'م', '中', '😀', '👍', '\u{0301}', '#', ':',
        ] {
            assert_eq!(char_class(c), CharClass::Visible, "{c}");
        }
        assert_eq!(char_class('\0'), CharClass::Nul);
    }

    #[test]
    fn blank_means_nothing_to_see() {
        for blank in [
            "",
            "   ",
            "\u{200B}",
            " \u{200B}\u{200D}\n",
            "\u{202E}\u{2066}",
            "\u{FE0F}",
        ] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for text in [
            "a",
            " \u{200B}x",
            "👨\u{200D}👩\u{200D}👧",
            "❤\u{FE0F}",
            "🇫🇷",
        ] {
            assert!(!is_blank(text), "{text:?}");
        }
    }

    #[test]
    fn bidi_controls_are_stripped_and_nul_is_found() {
        assert_eq!(strip_bidi_controls("\u{202E}gnp.txt"), "gnp.txt");
        assert_eq!(strip_bidi_controls("a\u{2066}b\u{2069}\u{200F}c"), "abc");
        assert_eq!(strip_bidi_controls("مرحبا.txt"), "مرحبا.txt");
        assert!(has_bidi_control(":x\u{202E}:") && !has_bidi_control(":x:"));
        assert!(has_nul("a\0b") && !has_nul("ab"));
    }
}
