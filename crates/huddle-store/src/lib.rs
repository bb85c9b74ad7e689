//! Persistence for Huddle: one [`Store`] trait, backed by SQLite (the embedded default) or
//! PostgreSQL, chosen once from the database URL.
//!
//! Both backends run the same SQL through sqlx's `Any` driver; the few places where dialects
//! differ are isolated in [`sql`]. Every change that other people should see is written together
//! with an entry in the project's event log, in one transaction, so the event's `seq` is assigned
//! exactly when the change commits.

pub mod chat;
mod error;
mod model;
mod sql;
mod time;

use async_trait::async_trait;
use huddle_core::Role;

pub use chat::{
    Attachment, Channel, ChannelChange, DirectPair, HistoryPage, Message, NewAttachment,
    NewMessage, Posted, Reaction, SearchHit, SearchQuery, StoredAttachment, StoredUploads, Unread,
};
pub use error::{StoreError, StoreResult};
pub use model::{
    Backend, Member, NewRefreshToken, NewUser, Project, ProjectSummary, RefreshRotation,
    StoredEvent, User, UserCredentials,
};
pub use sql::{connect, ConnectOptions, MARK_END, MARK_START};
pub use time::{format_time, now};

/// Everything the server persists. Implementations must behave identically; the suite in
/// `tests/store.rs` runs against each.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Round trip to the database, for readiness checks.
    async fn ping(&self) -> StoreResult<()>;

    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>>;
    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Sets a new password hash and revokes every refresh token of the user.
    async fn set_password(&self, username: &str, password_hash: &str) -> StoreResult<()>;

    async fn insert_refresh_token(&self, token: NewRefreshToken) -> StoreResult<()>;
    /// Exchanges a live refresh token for `next` (same family). A token that was already rotated
    /// or revoked is a replay: its whole family is revoked — except a token rotated less than
    /// `grace` ago in a live family (two tabs refreshing at once), which is exchanged again.
    async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        next: NewRefreshToken,
        grace: chrono::Duration,
    ) -> StoreResult<RefreshRotation>;
    /// Revokes the token's family (logout) and returns the family's id. Unknown tokens are
    /// ignored (`None`).
    async fn revoke_refresh_token(&self, token_hash: &str) -> StoreResult<Option<String>>;
    /// The user of a session (refresh-token family) that is still live: not revoked, not
    /// expired, and its user still exists.
    async fn session_user(&self, family_id: &str) -> StoreResult<Option<User>>;

    /// Creates a project with `owner` as its admin member and records `project_created` (which
    /// names the owner) as its first event.
    async fn create_project(
        &self,
        name: &str,
        description: &str,
        owner: &User,
    ) -> StoreResult<(Project, StoredEvent)>;
    async fn project(&self, name: &str) -> StoreResult<Option<Project>>;
    /// Projects `user` is a member of, or all projects when `user` is `None`, with the given
    /// user's role where there is one.
    async fn list_projects(&self, member: Option<&str>) -> StoreResult<Vec<ProjectSummary>>;

    async fn member_role(&self, project_id: &str, user_id: &str) -> StoreResult<Option<Role>>;
    async fn list_members(&self, project_id: &str) -> StoreResult<Vec<Member>>;
    /// Adds a member, or changes the role of an existing one (`member_role_changed`). Demoting
    /// the project's only admin is a `Conflict`.
    async fn put_member(
        &self,
        project: &Project,
        user: &User,
        role: Role,
        actor: &User,
    ) -> StoreResult<(Member, StoredEvent)>;
    /// Removing the project's only admin is a `Conflict`.
    async fn remove_member(
        &self,
        project: &Project,
        user: &User,
        actor: &User,
    ) -> StoreResult<StoredEvent>;

    /// Appends one event with the project's next sequence number.
    async fn append_event(
        &self,
        project: &Project,
        kind: &str,
        payload: serde_json::Value,
        actor: Option<&str>,
    ) -> StoreResult<StoredEvent>;
    /// Events with `seq > after_seq`, oldest first.
    async fn events_after(
        &self,
        project: &Project,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredEvent>>;
    async fn last_seq(&self, project_id: &str) -> StoreResult<i64>;

    /// Channels of the project with `user`'s unread and mention counts.
    async fn list_channels(
        &self,
        project: &Project,
        user_id: &str,
        username: &str,
    ) -> StoreResult<Vec<Channel>>;
    async fn channel(&self, project: &Project, name: &str) -> StoreResult<Option<Channel>>;
    async fn create_channel(
        &self,
        project: &Project,
        name: &str,
        kind: &str,
        description: &str,
        actor: &str,
    ) -> StoreResult<(Channel, StoredEvent)>;
    /// The direct message between an agent and a person in the project, created on first use
    /// (then with its `channel_created` event). Both must be users; the caller checks that one
    /// is an agent and both are members.
    async fn open_direct(
        &self,
        project: &Project,
        agent: &User,
        user: &User,
        actor: &str,
    ) -> StoreResult<(Channel, Option<StoredEvent>)>;
    async fn update_channel(
        &self,
        project: &Project,
        channel: &Channel,
        change: ChannelChange,
        actor: &str,
    ) -> StoreResult<(Channel, StoredEvent)>;

    /// Stores a message with `message_received` (and `thread_created`/`thread_updated` for
    /// thread replies). A repeated `client_id` of the same author returns the first message.
    async fn post_message(
        &self,
        project: &Project,
        channel: &Channel,
        message: NewMessage,
    ) -> StoreResult<Posted>;
    async fn message(&self, project: &Project, message_id: &str) -> StoreResult<Option<Message>>;
    async fn edit_message(
        &self,
        project: &Project,
        message_id: &str,
        content: &str,
        content_html: &str,
        mentions: &[String],
        actor: &str,
    ) -> StoreResult<(Message, StoredEvent)>;
    /// Leaves a tombstone; a thread reply also updates its thread.
    async fn delete_message(
        &self,
        project: &Project,
        message_id: &str,
        actor: &str,
    ) -> StoreResult<(Message, Vec<StoredEvent>)>;
    async fn set_pinned(
        &self,
        project: &Project,
        message_id: &str,
        pinned: bool,
        actor: &str,
    ) -> StoreResult<(Message, StoredEvent)>;
    /// Adds or removes a reaction; `None` when nothing changed.
    async fn react(
        &self,
        project: &Project,
        message_id: &str,
        user: &User,
        emoji: &str,
        add: bool,
    ) -> StoreResult<(Message, Option<StoredEvent>)>;
    async fn history(
        &self,
        project: &Project,
        channel: &Channel,
        thread_id: Option<&str>,
        before: Option<&str>,
        limit: i64,
    ) -> StoreResult<HistoryPage>;
    async fn mark_read(
        &self,
        channel: &Channel,
        user: &User,
        message_id: &str,
    ) -> StoreResult<Unread>;
    async fn unread(&self, channel: &Channel, user: &User) -> StoreResult<Unread>;
    /// Messages of the project matching all words of the query (the last as a prefix).
    async fn search(&self, project: &Project, query: &SearchQuery) -> StoreResult<Vec<SearchHit>>;
    async fn insert_attachment(&self, attachment: NewAttachment) -> StoreResult<Attachment>;
    /// Stores one uploader's batch of uploads in one transaction, or none of it when the bytes
    /// of their unclaimed uploads would then pass `max_pending_bytes`. The check holds under
    /// concurrent batches of the same uploader.
    async fn insert_attachments(
        &self,
        batch: Vec<NewAttachment>,
        max_pending_bytes: i64,
    ) -> StoreResult<StoredUploads>;
    /// Forgets an upload of `uploader_id` no message uses yet; false when there is none.
    async fn delete_pending_attachment(&self, id: &str, uploader_id: &str) -> StoreResult<bool>;
    async fn attachment(&self, id: &str) -> StoreResult<Option<StoredAttachment>>;
    /// Forgets uploads no message claimed before `older_than`; returns their ids.
    async fn delete_unclaimed_attachments(
        &self,
        older_than: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<String>>;
}
