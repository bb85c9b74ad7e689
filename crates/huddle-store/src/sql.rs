//! The SQL implementation of [`Store`] shared by SQLite and PostgreSQL.

mod attachments;
mod batch;
mod channels;
mod connect;
mod events;
mod messages;
mod projects;
mod reads;
mod rows;
mod search;
mod tokens;
mod users;
mod values;

use async_trait::async_trait;
use huddle_core::Role;
use sqlx::AnyPool;

pub use connect::{connect, ConnectOptions};
pub use search::{MARK_END, MARK_START};

use crate::chat::*;
use crate::model::*;
use crate::{Store, StoreResult};

/// Pools for one database. SQLite allows one writer at a time, so writes go through a pool of
/// one connection (no `SQLITE_BUSY` between our own writers) while reads use several; on
/// PostgreSQL both are the same pool.
pub struct SqlStore {
    backend: Backend,
    write: AnyPool,
    read: AnyPool,
    /// Group commit of posts; SQLite only (PostgreSQL takes concurrent writers as they come).
    posts: Option<batch::PostBatcher>,
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        users::create(&self.write, user).await
    }

    async fn user_credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>> {
        users::credentials(&self.read, username).await
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        users::by_column(&self.read, "id", id).await
    }

    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        users::by_column(&self.read, "username", username).await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        users::list(&self.read).await
    }

    async fn set_password(&self, username: &str, password_hash: &str) -> StoreResult<()> {
        users::set_password(&self.write, username, password_hash).await
    }

    async fn insert_refresh_token(&self, token: NewRefreshToken) -> StoreResult<()> {
        tokens::insert(&self.write, token).await
    }

    async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        next: NewRefreshToken,
        grace: chrono::Duration,
    ) -> StoreResult<RefreshRotation> {
        tokens::rotate(&self.write, presented_hash, next, grace).await
    }

    async fn revoke_refresh_token(&self, token_hash: &str) -> StoreResult<Option<String>> {
        tokens::revoke_family_of(&self.write, token_hash).await
    }

    async fn session_user(&self, family_id: &str) -> StoreResult<Option<User>> {
        tokens::session_user(&self.read, family_id).await
    }

    async fn create_project(
        &self,
        name: &str,
        description: &str,
        owner: &User,
    ) -> StoreResult<(Project, StoredEvent)> {
        projects::create(&self.write, name, description, owner).await
    }

    async fn project(&self, name: &str) -> StoreResult<Option<Project>> {
        projects::by_name(&self.read, name).await
    }

    async fn list_projects(&self, member: Option<&str>) -> StoreResult<Vec<ProjectSummary>> {
        projects::list(&self.read, member).await
    }

    async fn member_role(&self, project_id: &str, user_id: &str) -> StoreResult<Option<Role>> {
        projects::member_role(&self.read, project_id, user_id).await
    }

    async fn list_members(&self, project_id: &str) -> StoreResult<Vec<Member>> {
        projects::members(&self.read, project_id).await
    }

    async fn put_member(
        &self,
        project: &Project,
        user: &User,
        role: Role,
        actor: &User,
    ) -> StoreResult<(Member, StoredEvent)> {
        projects::put_member(&self.write, project, user, role, actor).await
    }

    async fn remove_member(
        &self,
        project: &Project,
        user: &User,
        actor: &User,
    ) -> StoreResult<StoredEvent> {
        projects::remove_member(&self.write, project, user, actor).await
    }

    async fn append_event(
        &self,
        project: &Project,
        kind: &str,
        payload: serde_json::Value,
        actor: Option<&str>,
    ) -> StoreResult<StoredEvent> {
        let mut tx = self.write.begin().await?;
        let event = events::append(&mut tx, project, kind, payload, actor).await?;
        tx.commit().await?;
        Ok(event)
    }

    async fn events_after(
        &self,
        project: &Project,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredEvent>> {
        events::after(&self.read, project, after_seq, limit).await
    }

    async fn last_seq(&self, project_id: &str) -> StoreResult<i64> {
        events::last_seq(&self.read, project_id).await
    }

    async fn list_channels(
        &self,
        project: &Project,
        user_id: &str,
        username: &str,
    ) -> StoreResult<Vec<Channel>> {
        channels::list(&self.read, project, user_id, username).await
    }

    async fn channel(&self, project: &Project, name: &str) -> StoreResult<Option<Channel>> {
        let mut conn = self.read.acquire().await?;
        channels::by_name(&mut conn, &project.id, name).await
    }

    async fn create_channel(
        &self,
        project: &Project,
        name: &str,
        kind: &str,
        description: &str,
        actor: &str,
    ) -> StoreResult<(Channel, StoredEvent)> {
        channels::create(&self.write, project, name, kind, description, actor).await
    }

    async fn open_direct(
        &self,
        project: &Project,
        agent: &User,
        user: &User,
        actor: &str,
    ) -> StoreResult<(Channel, Option<StoredEvent>)> {
        channels::open_direct(&self.write, project, agent, user, actor).await
    }

    async fn update_channel(
        &self,
        project: &Project,
        channel: &Channel,
        change: ChannelChange,
        actor: &str,
    ) -> StoreResult<(Channel, StoredEvent)> {
        channels::update(&self.write, project, channel, change, actor).await
    }

    async fn post_message(
        &self,
        project: &Project,
        channel: &Channel,
        message: NewMessage,
    ) -> StoreResult<Posted> {
        match &self.posts {
            Some(batcher) => batcher.post(project, channel, message).await,
            None => messages::post(&self.write, project, channel, message).await,
        }
    }

    async fn message(&self, project: &Project, message_id: &str) -> StoreResult<Option<Message>> {
        let mut conn = self.read.acquire().await?;
        messages::load(&mut conn, project, message_id).await
    }

    async fn edit_message(
        &self,
        project: &Project,
        message_id: &str,
        content: &str,
        content_html: &str,
        mentions: &[String],
        actor: &str,
    ) -> StoreResult<(Message, StoredEvent)> {
        messages::edit(
            &self.write,
            project,
            message_id,
            content,
            content_html,
            mentions,
            actor,
        )
        .await
    }

    async fn delete_message(
        &self,
        project: &Project,
        message_id: &str,
        actor: &str,
    ) -> StoreResult<(Message, Vec<StoredEvent>)> {
        messages::delete(&self.write, project, message_id, actor).await
    }

    async fn set_pinned(
        &self,
        project: &Project,
        message_id: &str,
        pinned: bool,
        actor: &str,
    ) -> StoreResult<(Message, StoredEvent)> {
        messages::set_pinned(&self.write, project, message_id, pinned, actor).await
    }

    async fn react(
        &self,
        project: &Project,
        message_id: &str,
        user: &User,
        emoji: &str,
        add: bool,
    ) -> StoreResult<(Message, Option<StoredEvent>)> {
        messages::react(
            &self.write,
            project,
            message_id,
            &user.id,
            &user.username,
            emoji,
            add,
        )
        .await
    }

    async fn history(
        &self,
        project: &Project,
        channel: &Channel,
        thread_id: Option<&str>,
        before: Option<&str>,
        limit: i64,
    ) -> StoreResult<HistoryPage> {
        messages::history(&self.read, project, channel, thread_id, before, limit).await
    }

    async fn mark_read(
        &self,
        channel: &Channel,
        user: &User,
        message_id: &str,
    ) -> StoreResult<Unread> {
        reads::mark(&self.write, channel, &user.id, &user.username, message_id).await
    }

    async fn unread(&self, channel: &Channel, user: &User) -> StoreResult<Unread> {
        reads::unread(&self.read, channel, &user.id, &user.username).await
    }

    async fn search(&self, project: &Project, query: &SearchQuery) -> StoreResult<Vec<SearchHit>> {
        search::search(&self.read, self.backend, project, query).await
    }

    async fn insert_attachment(&self, attachment: NewAttachment) -> StoreResult<Attachment> {
        attachments::insert(&self.write, attachment).await
    }

    async fn insert_attachments(
        &self,
        batch: Vec<NewAttachment>,
        max_pending_bytes: i64,
    ) -> StoreResult<StoredUploads> {
        attachments::insert_within_quota(&self.write, self.backend, batch, max_pending_bytes).await
    }

    async fn delete_pending_attachment(&self, id: &str, uploader_id: &str) -> StoreResult<bool> {
        attachments::delete_pending(&self.write, id, uploader_id).await
    }

    async fn attachment(&self, id: &str) -> StoreResult<Option<StoredAttachment>> {
        attachments::by_id(&self.read, id).await
    }

    async fn delete_unclaimed_attachments(
        &self,
        older_than: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<String>> {
        attachments::delete_unclaimed(&self.write, older_than).await
    }
}
