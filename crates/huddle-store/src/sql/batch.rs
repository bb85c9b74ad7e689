//! Group commit for posts on SQLite. SQLite has one writer, so posts queue anyway; a writer
//! task takes every post waiting at that moment (up to a limit) and commits them in one
//! transaction, each inside its own savepoint so one bad post fails alone. Each post still gets
//! its own result and its own events, in order.

use sqlx::{AnyPool, Connection};
use tokio::sync::{mpsc, oneshot};

use super::messages;
use crate::chat::{Channel, NewMessage, Posted};
use crate::model::Project;
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

/// Runs the batch in one transaction; if the commit itself fails, every post fails with it.
async fn commit(
    pool: &AnyPool,
    batch: Vec<Job>,
) -> (
    Vec<oneshot::Sender<StoreResult<Posted>>>,
    Vec<StoreResult<Posted>>,
) {
    let count = batch.len();
    let mut replies = Vec::with_capacity(count);
    let mut results = Vec::with_capacity(count);
    let outcome: Result<(), sqlx::Error> = async {
        let mut tx = pool.begin().await?;
        for job in batch {
            replies.push(job.reply);
            let mut savepoint = (*tx).begin().await?;
            match messages::post_in(&mut savepoint, &job.project, &job.channel, job.new).await {
                Ok(posted) => {
                    savepoint.commit().await?;
                    results.push(Ok(posted));
                }
                Err(e) => {
                    savepoint.rollback().await?;
                    results.push(Err(e));
                }
            }
        }
        tx.commit().await
    }
    .await;
    if let Err(e) = outcome {
        tracing::error!(error = %e, posts = count, "a batch of posts failed to commit");
        results = (0..replies.len())
            .map(|_| Err(StoreError::Unavailable(format!("commit failed: {e}"))))
            .collect();
    }
    (replies, results)
}
