//! Group commit for posts on SQLite. SQLite has one writer, so posts queue anyway; a writer
//! task takes every post waiting at that moment (up to a limit) and commits them in one
//! transaction; a bad post fails alone (see [`commit`]). Each post still gets its own result
//! and its own events, in order.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::messages;
use crate::chat::{Channel, NewMessage, Posted};
use crate::model::Project;
use crate::time::{format_time, now};
use crate::{StoreError, StoreResult};

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
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (replies, results) = commit(&pool, batch).await;
        for (reply, result) in replies.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }
}

/// Runs the batch in one transaction. Posts rarely fail, so no savepoints are spent on them:
/// if one does, the transaction is rolled back and the batch is redone one post per
/// transaction, so that only the bad post fails.
async fn commit(
    pool: &AnyPool,
    batch: Vec<Job>,
) -> (
    Vec<oneshot::Sender<StoreResult<Posted>>>,
    Vec<StoreResult<Posted>>,
) {
    let (jobs, replies): (Vec<_>, Vec<_>) = batch
        .into_iter()
        .map(|j| ((j.project, j.channel, j.new), j.reply))
        .unzip();
    let together: StoreResult<Vec<Posted>> = async {
        let mut tx = pool.begin().await?;
        let mut posted = Vec::with_capacity(jobs.len());
        for (project, channel, new) in &jobs {
            posted.push(messages::post_in(&mut tx, project, channel, new.clone(), false).await?);
        }
        let stamp = format_time(now());
        let mut touched: Vec<&str> = jobs.iter().map(|(_, c, _)| c.channel_id.as_str()).collect();
        touched.sort_unstable();
        touched.dedup();
        for channel_id in touched {
            messages::touch(&mut tx, channel_id, &stamp).await?;
        }
        tx.commit().await?;
        Ok(posted)
    }
    .await;
    let results = match together {
        Ok(posted) => posted.into_iter().map(Ok).collect(),
        Err(_) if jobs.len() > 1 => {
            let mut one_by_one = Vec::with_capacity(jobs.len());
            for (project, channel, new) in jobs {
                one_by_one.push(messages::post(pool, &project, &channel, new).await);
            }
            one_by_one
        }
        Err(e) => vec![Err(e)],
    };
    (replies, results)
}
