//! What a `fanout` message carries in its 64-byte content: the phase it belongs to, who sent
//! it, that sender's running counter and the send time. Receivers read it back from each
//! `message_received` frame, so no per-message state is shared between the load tasks.

/// A part of a run. Deliveries are counted against the phase written in the message, so a
/// late delivery still counts for the phase it was sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Warmup,
    Closed,
    Paced,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Warmup, Phase::Closed, Phase::Paced];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Phase::Warmup => "warmup",
            Phase::Closed => "closed",
            Phase::Paced => "paced",
        }
    }

    fn tag(self) -> &'static str {
        &self.name()[..1]
    }

    fn from_tag(tag: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.tag() == tag)
    }
}

/// Contents are padded to this many bytes, whatever the numbers in them.
pub const CONTENT_BYTES: usize = 64;

/// Where one message came from and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub phase: Phase,
    pub sender: usize,
    /// Counts up by one per message of this sender, across phases: receivers check the order.
    pub counter: u64,
    /// Nanoseconds since the run's base instant.
    pub sent_ns: u64,
}

/// `fanout c 3 1207 981234567 xxxx…`: plain words and digits, so Markdown, the text checks and
/// JSON escaping leave it as it is on every server.
pub fn content(stamp: &Stamp) -> String {
    let mut text = format!(
        "fanout {} {} {} {} ",
        stamp.phase.tag(),
        stamp.sender,
        stamp.counter,
        stamp.sent_ns
    );
    while text.len() < CONTENT_BYTES {
        text.push('x');
    }
    text
}

pub fn parse_content(content: &str) -> Option<Stamp> {
    let mut words = content.split(' ');
    if words.next()? != "fanout" {
        return None;
    }
    Some(Stamp {
        phase: Phase::from_tag(words.next()?)?,
        sender: words.next()?.parse().ok()?,
        counter: words.next()?.parse().ok()?,
        sent_ns: words.next()?.parse().ok()?,
    })
}

/// The stamp of a `message_received` event (`["message_received",{..."content":"fanout …"}]`);
/// `None` for every other event. Searches the text rather than parsing the JSON: receivers do
/// this for every delivery and share the cores with the server under test.
pub fn stamp_of(event: &str) -> Option<Stamp> {
    const KEY: &str = "\"content\":\"";
    if !event.starts_with("[\"message_received\"") {
        return None;
    }
    let start = event.find(KEY)? + KEY.len();
    let value = &event[start..];
    parse_content(&value[..value.find('"')?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_padded_and_reads_back() {
        let stamp = Stamp {
            phase: Phase::Paced,
            sender: 4,
            counter: 123_456,
            sent_ns: u64::MAX,
        };
        let text = content(&stamp);
        assert_eq!(text.len(), CONTENT_BYTES);
        assert_eq!(parse_content(&text), Some(stamp));
        assert_eq!(parse_content("fanout q 1 2 3 x"), None);
        assert_eq!(parse_content("hello 1 2 3"), None);
    }

    #[test]
    fn stamps_come_from_message_frames_only() {
        let text = content(&Stamp {
            phase: Phase::Closed,
            sender: 0,
            counter: 7,
            sent_ns: 99,
        });
        let frame = format!(
            r#"["message_received",{{"channel":"general","content":"{text}","content_html":"<p>{text}</p>","seq":3}}]"#
        );
        let stamp = stamp_of(&frame).map(|s| (s.phase, s.counter, s.sent_ns));
        assert_eq!(stamp, Some((Phase::Closed, 7, 99)));
        let edited = frame.replacen("message_received", "message_updated", 1);
        assert_eq!(stamp_of(&edited), None);
    }
}
