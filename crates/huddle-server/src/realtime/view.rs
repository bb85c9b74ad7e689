//! How events look on the wire: REST pages and socket payloads.

use chrono::{DateTime, Utc};
use huddle_core::direct;
use huddle_store::StoredEvent;
use serde::Serialize;
use serde_json::{Map, Value};

/// The channel an event is about, if it names one.
fn channel_of<'a>(kind: &str, payload: &'a Value) -> Option<&'a str> {
    let channel = match kind {
        "channel_created" | "channel_updated" => payload.get("name"),
        _ => payload.get("channel"),
    };
    channel.and_then(Value::as_str)
}

/// Whether only some members may receive an event: those about a direct message.
pub fn is_private(kind: &str, payload: &Value) -> bool {
    channel_of(kind, payload).is_some_and(direct::is_direct)
}

/// Whether `username` may receive an event: one about a direct message reaches its two
/// participants only; every other event reaches every member.
pub fn visible_to(kind: &str, payload: &Value, username: &str) -> bool {
    channel_of(kind, payload).is_none_or(|name| direct::may_see(name, username))
}

/// One event in a REST page.
#[derive(Debug, Serialize)]
pub struct EventView {
    pub seq: i64,
    pub kind: String,
    pub payload: Value,
    pub actor: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&StoredEvent> for EventView {
    fn from(e: &StoredEvent) -> EventView {
        EventView {
            seq: e.seq,
            kind: e.kind.clone(),
            payload: e.payload.clone(),
            actor: e.actor.clone(),
            created_at: e.created_at,
        }
    }
}

/// The socket payload of an event emitted under its kind's name: the event's own fields plus
/// `seq`, `kind`, `project_name` and `actor`, which always win over payload keys, and
/// `timestamp` unless the payload has its own (a message keeps the time it was written).
pub fn socket_payload(e: &StoredEvent) -> Value {
    let mut body = match &e.payload {
        Value::Object(map) => map.clone(),
        other => Map::from_iter([("data".to_owned(), other.clone())]),
    };
    body.insert("seq".into(), e.seq.into());
    body.insert("kind".into(), e.kind.clone().into());
    body.insert("project_name".into(), e.project_name.clone().into());
    body.insert("actor".into(), e.actor.clone().into());
    body.entry("timestamp")
        .or_insert_with(|| huddle_store::format_time(e.created_at).into());
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_about_a_direct_message_reach_its_two_only() {
        let message = serde_json::json!({ "channel": "dm:code:alice", "content": "hi" });
        let created = serde_json::json!({ "name": "dm:code:alice", "type": "agent" });
        for (kind, payload) in [
            ("message_received", &message),
            ("channel_created", &created),
        ] {
            assert!(is_private(kind, payload), "{kind}");
            assert!(visible_to(kind, payload, "alice") && visible_to(kind, payload, "code"));
            assert!(!visible_to(kind, payload, "carol"), "{kind}");
        }
        let public = serde_json::json!({ "channel": "general" });
        assert!(!is_private("message_received", &public));
        assert!(visible_to("message_received", &public, "carol"));
        let membership = serde_json::json!({ "username": "carol" });
        assert!(!is_private("member_added", &membership));
    }

    #[test]
    fn envelope_fields_cannot_be_overridden_by_the_payload() {
        let event = StoredEvent {
            project_id: "p".into(),
            project_name: "alpha".into(),
            seq: 7,
            kind: "member_added".into(),
            payload: serde_json::json!({ "seq": 999, "username": "bob", "timestamp": "then" }),
            actor: Some("root".into()),
            created_at: Utc::now(),
        };
        let body = socket_payload(&event);
        assert_eq!(body["seq"], 7);
        assert_eq!(body["username"], "bob");
        assert_eq!(body["project_name"], "alpha");
        assert_eq!(body["kind"], "member_added");
        assert_eq!(body["timestamp"], "then", "a payload's own time is kept");
    }
}
