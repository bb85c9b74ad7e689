//! Group commit for posts on SQLite. SQLite has one writer, so posts queue anyway; a writer
//! task takes every post waiting at that moment (up to a limit) and commits them in one
//! transaction; a bad post fails alone (see [`commit`]). Each post still gets its own result
//! and its own events, in order, and nothing is answered before its batch commits.

mod run;
#[cfg(test)]
mod tests;

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::messages;
use crate::chat::{Channel, NewMessage, Posted};
use crate::model::Project;
use crate::{StoreError, StoreResult};
use run::Run;

/// Most posts folded into one transaction.
const MAX_BATCH: usize = 64;

struct Job {
    project: Project,
    channel: Channel,
    new: NewMessage,
    reply: oneshot::Sender<StoreResult<Posted>>,
}

pub(super) struct PostBatcher {
    jobs: mpsc::Sender<Job>,
}

impl PostBatcher {
    /// Starts the writer task on the current runtime; it ends when the batcher is dropped.
    pub(super) fn start(pool: AnyPool) -> PostBatcher {
        let (jobs, queue) = mpsc::channel(MAX_BATCH * 16);
        tokio::spawn(run(pool, queue));
        PostBatcher { jobs }
    }

    pub(super) async fn post(
        &self,
        project: &Project,
        channel: &Channel,
        new: NewMessage,
    ) -> StoreResult<Posted> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            project: project.clone(),
            channel: channel.clone(),
            new,
            reply,
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Unavailable("the message writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the message writer has stopped".into()))?
    }
}

async fn run(pool: AnyPool, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        // Callers just answered are usually about to post again: letting them run first
        // fills this batch instead of leaving them for the next one.
        tokio::task::yield_now().await;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (jobs, replies): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .map(|j| ((j.project, j.channel, j.new), j.reply))
            .unzip();
        for (reply, result) in replies.into_iter().zip(commit(&pool, jobs).await) {
            let _ = reply.send(result);
        }
    }
}

/// Runs the batch in one transaction. A post that [`messages::check`] refuses has written
/// nothing and fails alone at once. Other failures are rare (a foreign upload, a database
/// error), so no savepoints are spent on them: the transaction is rolled back and the batch is
/// redone one post per transaction, so that only the bad post fails.
async fn commit(
    pool: &AnyPool,
    jobs: Vec<(Project, Channel, NewMessage)>,
) -> Vec<StoreResult<Posted>> {
    match together(pool, &jobs).await {
        Ok(results) => results,
        Err(e) if jobs.len() > 1 => {
            tracing::debug!(error = %e, posts = jobs.len(), "batch failed, posting one by one");
            let mut one_by_one = Vec::with_capacity(jobs.len());
            for (project, channel, new) in jobs {
                one_by_one.push(messages::post(pool, &project, &channel, new).await);
            }
            one_by_one
        }
        Err(e) => vec![Err(e)],
    }
}

/// The batch as one transaction: plain posts gather in a [`Run`] that is written with a few
/// multi-row statements; a thread reply, or a post that names one of the run's messages,
/// first has the run written, so everything is written in the order the writer took it.
async fn together(
    pool: &AnyPool,
    jobs: &[(Project, Channel, NewMessage)],
) -> StoreResult<Vec<StoreResult<Posted>>> {
    let mut tx = pool.begin().await?;
    let mut results: Vec<Option<StoreResult<Posted>>> = jobs.iter().map(|_| None).collect();
    let mut run = Run::default();
    for (slot, (project, channel, new)) in jobs.iter().enumerate() {
        if new.thread_id.is_some() || run.is_named_by(new) {
            for (done, posted) in run.write(&mut tx).await? {
                results[done] = Some(Ok(posted));
            }
        }
        results[slot] = match messages::check(&mut tx, project, channel, new).await {
            Ok(Some(found)) => Some(Ok(Posted::Duplicate(found))),
            Ok(None) if new.thread_id.is_some() => {
                let posted = messages::write(&mut tx, project, channel, new.clone()).await?;
                Some(Ok(posted))
            }
            Ok(None) => {
                run.push(slot, project, channel, new);
                None
            }
            Err(refused @ StoreError::Rejected { .. }) => Some(Err(refused)),
            Err(e) => return Err(e),
        };
    }
    for (done, posted) in run.write(&mut tx).await? {
        results[done] = Some(Ok(posted));
    }
    tx.commit().await?;
    Ok(results
        .into_iter()
        .map(|result| result.expect("every post of the batch was checked and written"))
        .collect())
}
