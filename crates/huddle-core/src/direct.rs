//! Direct messages: a private channel between one person and one agent in a project.
//!
//! The channel is named `dm:{agent}:{user}`. Usernames never contain `:` and never change, so the
//! name alone says who may see the channel and every event about it; no regular channel can take
//! such a name, because channel names may not contain `:` either.

use serde::Serialize;

const PREFIX: &str = "dm:";

/// The two people in a direct message, by username.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Participants<'a> {
    pub agent: &'a str,
    pub user: &'a str,
}

impl Participants<'_> {
    pub fn includes(&self, username: &str) -> bool {
        self.agent == username || self.user == username
    }
}

/// The channel name of the direct message between `agent` and `user`.
pub fn channel_name(agent: &str, user: &str) -> String {
    format!("{PREFIX}{agent}:{user}")
}

/// The participants, if `channel` names a direct message.
pub fn participants(channel: &str) -> Option<Participants<'_>> {
    let (agent, user) = channel.strip_prefix(PREFIX)?.split_once(':')?;
    (!agent.is_empty() && !user.is_empty() && !user.contains(':'))
        .then_some(Participants { agent, user })
}

/// Whether `channel` names a direct message at all (well formed or not).
pub fn is_direct(channel: &str) -> bool {
    channel.starts_with(PREFIX)
}

/// Whether `username` may see `channel`: every regular channel, and the direct messages they
/// take part in. A malformed `dm:` name is visible to no one.
pub fn may_see(channel: &str, username: &str) -> bool {
    if !is_direct(channel) {
        return true;
    }
    participants(channel).is_some_and(|p| p.includes(username))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let name = channel_name("code", "alice");
        assert_eq!(name, "dm:code:alice");
        assert_eq!(
            participants(&name),
            Some(Participants {
                agent: "code",
                user: "alice"
            })
        );
    }

    #[test]
    fn only_participants_see_a_direct_message() {
        assert!(may_see("dm:code:alice", "alice"));
        assert!(may_see("dm:code:alice", "code"));
        assert!(!may_see("dm:code:alice", "carol"));
        assert!(!may_see("dm:code:alice", "code:alice"));
        assert!(may_see("general", "carol"));
    }

    #[test]
    fn malformed_direct_names_are_visible_to_no_one() {
        for name in ["dm:", "dm:code", "dm::alice", "dm:code:", "dm:a:b:c"] {
            assert!(participants(name).is_none(), "{name}");
            assert!(!may_see(name, "a"), "{name}");
            assert!(!may_see(name, "code"), "{name}");
        }
    }
}
