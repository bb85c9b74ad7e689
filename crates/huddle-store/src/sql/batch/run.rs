//! A run of checked posts that are not thread replies, written together: their message rows in
//! multi-row inserts that also set their channels' `last_message_at`, their uploads claimed,
//! and their `message_received` events appended with one sequence bump per project (per 16
//! events). A thread reply is written on its own (its events depend on its root), so the batch
//! writes the run before it.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use super::super::attachments;
use super::super::events::{self, NewEvent};
use super::super::messages::{self, insert};
use crate::chat::{Channel, NewMessage, Posted};
use crate::model::Project;
use crate::time::now;
use crate::StoreResult;

struct Pending<'a> {
    /// The post's place in its batch.
    slot: usize,
    project: &'a Project,
    channel: &'a Channel,
    new: &'a NewMessage,
    id: String,
    at: DateTime<Utc>,
}

#[derive(Default)]
pub(super) struct Run<'a> {
    posts: Vec<Pending<'a>>,
}

impl<'a> Run<'a> {
    /// Adds a post that passed [`messages::check`]; it gets its id and time now, in the order
    /// the writer took it, and is written by the next [`Run::write`].
    pub(super) fn push(
        &mut self,
        slot: usize,
        project: &'a Project,
        channel: &'a Channel,
        new: &'a NewMessage,
    ) {
        self.posts.push(Pending {
            slot,
            project,
            channel,
            new,
            id: uuid::Uuid::now_v7().to_string(),
            at: now(),
        });
    }

    /// Whether checking `new` would need a post of this run to be written already: it repeats
    /// the run's `client_id` of the same author, or answers one of its messages.
    pub(super) fn is_named_by(&self, new: &NewMessage) -> bool {
        self.posts.iter().any(|p| {
            let answers = [&new.thread_id, &new.reply_to]
                .into_iter()
                .any(|named| named.as_deref() == Some(p.id.as_str()));
            let repeats = new.client_id.is_some()
                && p.new.client_id == new.client_id
                && p.new.author_id == new.author_id;
            answers || repeats
        })
    }

    /// Writes the run into `tx` and empties it; returns each post's result with its slot.
    /// Any failure leaves `tx` half-written: the caller rolls it back.
    pub(super) async fn write(
        &mut self,
        tx: &mut AnyConnection,
    ) -> StoreResult<Vec<(usize, Posted)>> {
        let posts = std::mem::take(&mut self.posts);
        if posts.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<insert::NewRow<'_>> = posts
            .iter()
            .map(|p| insert::NewRow {
                id: &p.id,
                project: p.project,
                channel: p.channel,
                new: p.new,
                at: p.at,
            })
            .collect();
        // The events go in first when nothing needs the rows already written (uploads do: their
        // message must exist to be claimed, and the events list them). The search index then
        // takes the run's words once, at commit, rather than inside the events' statement,
        // whose savepoint would make it flush and merge there, under a statement journal.
        let uploads_first = posts.iter().any(|p| !p.new.attachments.is_empty());
        if uploads_first {
            insert::rows_touching(tx, &rows).await?;
        }
        let mut claimed = Vec::new();
        for p in posts.iter().filter(|p| !p.new.attachments.is_empty()) {
            attachments::claim(
                tx,
                &p.new.attachments,
                &p.id,
                &p.project.id,
                &p.new.author_id,
            )
            .await?;
            claimed.push(p.id.as_str());
        }
        let mut uploads = attachments::of_messages(tx, &claimed).await?;
        let messages: Vec<_> = posts
            .iter()
            .map(|p| {
                let uploads = uploads.remove(&p.id).unwrap_or_default();
                messages::created(p.id.clone(), p.at, p.project, p.channel, p.new, uploads)
            })
            .collect();

        // Each project's events in the run's order; a run usually holds one project.
        let mut events = Vec::with_capacity(posts.len());
        events.resize_with(posts.len(), || None);
        let mut left: Vec<usize> = (0..posts.len()).collect();
        while let Some(&lead) = left.first() {
            let project = posts[lead].project;
            let (mine, rest): (Vec<usize>, Vec<usize>) = left
                .into_iter()
                .partition(|&i| posts[i].project.id == project.id);
            left = rest;
            let new_events = mine
                .iter()
                .map(|&i| {
                    Ok(NewEvent {
                        kind: "message_received",
                        payload: serde_json::to_value(&messages[i])?,
                        actor: Some(posts[i].new.author_name.as_str()),
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            let stored = events::append_many(tx, project, new_events).await?;
            for (i, event) in mine.into_iter().zip(stored) {
                events[i] = Some(event);
            }
        }
        if !uploads_first {
            insert::rows_touching(tx, &rows).await?;
        }
        Ok(posts
            .iter()
            .zip(messages)
            .zip(events)
            .map(|((p, message), event)| {
                let event = event.expect("every post's project had its events appended");
                let posted = Posted::Created {
                    message,
                    events: vec![event],
                };
                (p.slot, posted)
            })
            .collect())
    }
}
