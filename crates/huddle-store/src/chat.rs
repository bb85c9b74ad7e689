//! Chat rows as the rest of the server sees them. `Message` serialises to the wire shape of
//! `docs/chat-api.md`, so the store, the event log and the sockets agree on one form.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The channels every new project gets: name, kind, description.
pub const DEFAULT_CHANNELS: [(&str, &str, &str); 4] = [
    ("general", "general", "Talk about anything in this project"),
    ("workflow", "workflow", "Commands and workflow updates"),
    ("agents", "agent", "What the agents are doing"),
    ("errors", "error", "Failures that need a look"),
];

pub const CHANNEL_KINDS: [&str; 4] = ["general", "workflow", "agent", "error"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    pub channel_id: String,
    #[serde(skip)]
    pub project_id: String,
    pub name: String,
    /// `general`, `workflow`, `agent` or `error` (the seeds' channel `type`).
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub last_message_at: Option<DateTime<Utc>>,
    /// For the user who asked; 0 in events.
    pub unread_count: i64,
    pub mention_count: i64,
    /// The last message the user who asked has read here (message ids sort by time), so a
    /// client can draw its "new" divider; `None` in events and before the first read mark.
    pub last_read_message_id: Option<String>,
    /// The two participants of a direct message; `None` for every other channel.
    pub direct: Option<DirectPair>,
}

/// Who a direct message is between, by username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectPair {
    pub agent: String,
    pub user: String,
}

impl DirectPair {
    /// The pair named by a `dm:{agent}:{user}` channel name.
    pub fn of(channel: &str) -> Option<Self> {
        huddle_core::direct::participants(channel).map(|p| DirectPair {
            agent: p.agent.to_owned(),
            user: p.user.to_owned(),
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct ChannelChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub archived: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub count: i64,
    pub users: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    pub reply_count: i64,
    pub last_reply_at: Option<DateTime<Utc>>,
    pub participants: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub message_id: String,
    pub project_name: String,
    pub channel: String,
    pub author_type: String,
    pub author_id: String,
    pub author_name: String,
    pub content: String,
    pub content_html: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub timestamp: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub thread_id: Option<String>,
    pub reply_to: Option<String>,
    pub client_id: Option<String>,
    pub attachments: Vec<Attachment>,
    pub reactions: Vec<Reaction>,
    pub mentions: Vec<String>,
    pub pinned: bool,
    pub thread: Option<ThreadSummary>,
    pub metadata: serde_json::Value,
}

/// An uploaded file as clients see it; `url` and `thumbnail_url` need the caller's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub attachment_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub url: String,
    pub thumbnail_url: Option<String>,
}

/// A stored upload with what access checks need.
#[derive(Debug, Clone)]
pub struct StoredAttachment {
    pub attachment: Attachment,
    pub project_name: String,
    pub uploader_id: String,
    pub message_id: Option<String>,
}

/// What became of a batch of uploads checked against the uploader's quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredUploads {
    Stored(Vec<Attachment>),
    /// Nothing was stored: the uploader's unclaimed uploads hold `pending_bytes` already, and
    /// the batch would take them past the quota.
    OverQuota {
        pending_bytes: i64,
    },
}

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: String,
    pub project_id: String,
    pub uploader_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub has_thumbnail: bool,
}

/// A message to store. Content is already validated and rendered by the caller.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub author_type: &'static str,
    pub author_id: String,
    pub author_name: String,
    pub kind: String,
    pub content: String,
    pub content_html: String,
    pub mentions: Vec<String>,
    pub thread_id: Option<String>,
    pub reply_to: Option<String>,
    pub client_id: Option<String>,
    /// Uploads of the same author in this project, not yet part of a message.
    pub attachments: Vec<String>,
    pub metadata: serde_json::Value,
}

/// The result of posting: a new message with the events it caused, or the message an earlier
/// send with the same `client_id` created.
#[derive(Debug, Clone)]
pub enum Posted {
    Created {
        message: Message,
        events: Vec<crate::StoredEvent>,
    },
    Duplicate(Message),
}

/// A page of history, newest first.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    pub has_more: bool,
}

/// Unread figures of one channel for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Unread {
    pub unread_count: i64,
    pub mention_count: i64,
}

/// A full-text search within one project.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub text: String,
    /// The user searching: direct messages they are not in are left out.
    pub viewer_id: String,
    pub channel: Option<String>,
    pub author: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// A message that matched, with a snippet whose hits are wrapped in
/// [`MARK_START`](crate::MARK_START) / [`MARK_END`](crate::MARK_END).
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub message: Message,
    pub snippet: String,
}
