//! Log lines as written: one event, one line, whatever the event carries. Usernames, project
//! names, error texts and the like come from outside; a newline, an escape sequence, a NUL or a
//! bidi control in one could forge a log line or repaint a terminal. Every such character is
//! written escaped (`\u{1b}`), so each field's text shows as it was sent and a line is never split.

use std::io::Write;

use tracing_subscriber::fmt::MakeWriter;

/// Writes formatted events to stderr with control characters escaped.
#[derive(Debug, Default, Clone, Copy)]
pub struct EscapedStderr;

impl<'a> MakeWriter<'a> for EscapedStderr {
    type Writer = EscapedWriter;

    fn make_writer(&'a self) -> EscapedWriter {
        EscapedWriter
    }
}

pub struct EscapedWriter;

impl Write for EscapedWriter {
    /// The formatter hands over one whole event per call.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stderr().write_all(escape_line(buf).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// `line` with every control and bidi-control character escaped, except one final newline.
pub fn escape_line(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let (body, newline) = match text.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (text.as_ref(), ""),
    };
    let mut out = String::with_capacity(body.len() + 1);
    for c in body.chars() {
        if (c.is_control() && c != '\t') || is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.push_str(newline);
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_line_stays_on_its_own_line() {
        let line = b"login failed user=bob\n2026-12-01 INFO login user=admin\x1b[2K\0\n";
        let escaped = escape_line(line);
        assert_eq!(escaped.matches('\n').count(), 1, "{escaped}");
        assert!(escaped.ends_with('\n'));
        assert!(escaped.contains(r"bob\u{a}2026"), "{escaped}");
        assert!(escaped.contains(r"\u{1b}[2K\u{0}"), "{escaped}");
    }

    #[test]
    fn ordinary_text_passes_unchanged() {
        let line = "INFO login user=zoë\tpeer=127.0.0.1 ✓\n";
        assert_eq!(escape_line(line.as_bytes()), line);
        assert_eq!(
            escape_line("x\u{202e}gnp.txt".as_bytes()),
            r"x\u{202e}gnp.txt"
        );
    }
}
