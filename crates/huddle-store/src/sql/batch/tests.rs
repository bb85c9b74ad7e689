//! The batch writer driven directly with batches of known content and order (the store's own
//! writer task stays idle), so each test knows which posts shared a transaction.

use sqlx::Row;

use super::*;
use crate::chat::{Message, NewAttachment};
use crate::model::{NewUser, StoredEvent, User};
use crate::sql::connect::{open, ConnectOptions};
use crate::sql::values::ROWS_PER_STATEMENT;
use crate::sql::SqlStore;
use crate::Store;

struct Fixture {
    store: SqlStore,
    alice: User,
    bob: User,
    project: Project,
    general: Channel,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("huddle.db").display());
    let store = open(&ConnectOptions {
        url,
        max_connections: 2,
        migrate: true,
    })
    .await
    .expect("open store");
    let user = |name: &str| NewUser {
        username: name.into(),
        password_hash: "h".into(),
        is_admin: false,
        agent_role: None,
    };
    let alice = store.create_user(user("alice")).await.expect("alice");
    let bob = store.create_user(user("bob")).await.expect("bob");
    let (project, _) = store
        .create_project("alpha", "", &alice)
        .await
        .expect("project");
    let general = store
        .channel(&project, "general")
        .await
        .expect("channel")
        .expect("general exists");
    Fixture {
        store,
        alice,
        bob,
        project,
        general,
        _dir: dir,
    }
}

fn text(author: &User, content: &str) -> NewMessage {
    NewMessage {
        author_type: "user",
        author_id: author.id.clone(),
        author_name: author.username.clone(),
        kind: "message".into(),
        content: content.into(),
        content_html: format!("<p>{content}</p>"),
        mentions: vec![],
        thread_id: None,
        reply_to: None,
        client_id: None,
        attachments: vec![],
        metadata: serde_json::json!({}),
    }
}

impl Fixture {
    fn jobs(&self, count: usize) -> Vec<(Project, Channel, NewMessage)> {
        (0..count)
            .map(|i| {
                let new = text(&self.alice, &format!("batched post number{i}"));
                (self.project.clone(), self.general.clone(), new)
            })
            .collect()
    }

    async fn last_seq(&self) -> i64 {
        self.store
            .last_seq(&self.project.id)
            .await
            .expect("last seq")
    }

    async fn upload(&self, id: &str, who: &User) {
        self.store
            .insert_attachment(NewAttachment {
                id: id.into(),
                project_id: self.project.id.clone(),
                uploader_id: who.id.clone(),
                file_name: format!("{id}.png"),
                content_type: "image/png".into(),
                size: 10,
                width: Some(4),
                height: Some(3),
                has_thumbnail: false,
            })
            .await
            .expect("upload");
    }

    /// Fails unless the search index holds exactly the rows of `messages`.
    async fn search_index_is_in_step(&self) {
        sqlx::query("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")
            .execute(&self.store.write)
            .await
            .expect("the search index matches the messages");
    }

    async fn stored_messages(&self) -> i64 {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM messages")
            .fetch_one(&self.store.read)
            .await
            .expect("count");
        row.try_get("n").expect("n")
    }
}

fn created(result: &StoreResult<Posted>) -> (&Message, &[StoredEvent]) {
    match result {
        Ok(Posted::Created { message, events }) => (message, events),
        other => panic!("expected a new message, got {other:?}"),
    }
}

/// The events of all results in the batch's order.
fn all_events(results: &[StoreResult<Posted>]) -> Vec<StoredEvent> {
    results
        .iter()
        .filter_map(|r| match r {
            Ok(Posted::Created { events, .. }) => Some(events.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn refused(result: &StoreResult<Posted>) -> (&'static str, String) {
    match result {
        Err(StoreError::Rejected { code, message }) => (code, message.clone()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_post_fails_alone_in_its_batch_and_takes_no_seq() {
    let f = fixture().await;
    let before = f.last_seq().await;
    let mut jobs = f.jobs(6);
    jobs[2].2.thread_id = Some("no-such-root".into());
    jobs[4].2.reply_to = Some("no-such-message".into());
    let results = together(&f.store.write, &jobs)
        .await
        .expect("refusals found by the checks need no redo");

    // The same refusals as a post of its own gets.
    for bad in [2, 4] {
        let (project, channel, new) = jobs[bad].clone();
        let alone = messages::post(&f.store.write, &project, &channel, new).await;
        assert_eq!(refused(&results[bad]), refused(&alone));
    }
    assert_eq!(refused(&results[2]).0, "invalid_thread");
    assert_eq!(refused(&results[4]).0, "invalid_reply");

    let seqs: Vec<i64> = all_events(&results).iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (before + 1..=before + 4).collect::<Vec<_>>());
    for good in [0, 1, 3, 5] {
        assert_eq!(created(&results[good]).1.len(), 1);
    }
    assert_eq!(
        f.last_seq().await,
        before + 4,
        "no gap for the refused posts"
    );
    assert_eq!(f.stored_messages().await, 4);
}

#[tokio::test]
async fn a_post_failing_after_its_writes_makes_the_batch_redo_one_by_one() {
    let f = fixture().await;
    f.upload("mine", &f.alice).await;
    f.upload("bobs", &f.bob).await;
    let before = f.last_seq().await;
    let mut jobs = f.jobs(5);
    jobs[1].2.attachments = vec!["mine".into()];
    jobs[3].2.attachments = vec!["bobs".into()];

    // Alone in one transaction the batch fails as a whole and leaves nothing behind.
    let failed = together(&f.store.write, &jobs).await;
    assert!(matches!(
        failed,
        Err(StoreError::Rejected {
            code: "invalid_attachment",
            ..
        })
    ));
    assert_eq!(
        f.last_seq().await,
        before,
        "the rollback gives the seqs back"
    );
    assert_eq!(f.stored_messages().await, 0);

    let results = commit(&f.store.write, jobs.clone()).await;
    let (project, channel, new) = jobs[3].clone();
    let alone = messages::post(&f.store.write, &project, &channel, new).await;
    assert_eq!(refused(&results[3]), refused(&alone));
    let seqs: Vec<i64> = all_events(&results).iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (before + 1..=before + 4).collect::<Vec<_>>());
    let (with_upload, _) = created(&results[1]);
    assert_eq!(with_upload.attachments.len(), 1);
    assert_eq!(with_upload.attachments[0].attachment_id, "mine");
    let claimed = f
        .store
        .attachment("mine")
        .await
        .expect("get")
        .expect("kept");
    assert_eq!(
        claimed.message_id.as_deref(),
        Some(with_upload.message_id.as_str())
    );
}

#[tokio::test]
async fn a_mixed_batch_is_written_in_the_order_it_was_taken() {
    let f = fixture().await;
    let root = commit(&f.store.write, f.jobs(1)).await.remove(0);
    let root_id = created(&root).0.message_id.clone();
    f.upload("pic", &f.alice).await;
    let before = f.last_seq().await;

    // Longer than two multi-row statements, with everything that leaves the plain path.
    let mut jobs = f.jobs(2 * ROWS_PER_STATEMENT + 8);
    jobs[3].2.mentions = vec!["bob".into()];
    jobs[10].2.thread_id = Some(root_id.clone());
    jobs[20].2.client_id = Some("c1".into());
    jobs[25].2.attachments = vec!["pic".into()];
    jobs[30].2.client_id = Some("c1".into());
    jobs[33].2.reply_to = Some(root_id.clone());
    let results = together(&f.store.write, &jobs).await.expect("batch");

    let Ok(Posted::Duplicate(repeat)) = &results[30] else {
        panic!(
            "a repeated client id returns the first message: {:?}",
            results[30]
        );
    };
    assert_eq!(repeat.message_id, created(&results[20]).0.message_id);
    let kinds: Vec<&str> = created(&results[10])
        .1
        .iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        ["message_received", "thread_created", "thread_updated"]
    );
    assert_eq!(created(&results[3]).0.mentions, ["bob"]);
    assert_eq!(created(&results[25]).0.attachments[0].attachment_id, "pic");
    assert_eq!(
        created(&results[33]).0.reply_to.as_deref(),
        Some(root_id.as_str())
    );

    // Seqs contiguous in the batch's order, message ids (time-ordered) in the same order.
    let events = all_events(&results);
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (before + 1..=before + events.len() as i64).collect::<Vec<_>>()
    );
    let ids: Vec<&str> = results
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 30)
        .map(|(_, r)| created(r).0.message_id.as_str())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids follow the batch");

    // What was answered is what was stored.
    let log = f
        .store
        .events_after(&f.project, before, 1000)
        .await
        .expect("events");
    assert_eq!(log, events);
    for (i, result) in results.iter().enumerate().filter(|(i, _)| *i != 30) {
        let (message, events) = created(result);
        assert_eq!(
            events[0].payload,
            serde_json::to_value(message).expect("json"),
            "post {i}"
        );
        let stored = f
            .store
            .message(&f.project, &message.message_id)
            .await
            .expect("load")
            .expect("stored");
        assert_eq!(
            (&stored.content, &stored.attachments),
            (&message.content, &message.attachments)
        );
    }
    let root = f
        .store
        .message(&f.project, &root_id)
        .await
        .expect("load")
        .expect("root");
    assert_eq!(root.thread.map(|t| t.reply_count), Some(1));
    f.search_index_is_in_step().await;
    let general = f
        .store
        .channel(&f.project, "general")
        .await
        .expect("channel")
        .expect("general");
    assert!(general.last_message_at >= Some(created(&results[38]).0.timestamp));
}

#[tokio::test]
async fn every_row_count_around_a_statement_boundary_is_written() {
    let f = fixture().await;
    let mut stored = 0;
    for count in [
        1,
        ROWS_PER_STATEMENT - 1,
        ROWS_PER_STATEMENT,
        ROWS_PER_STATEMENT + 1,
        2 * ROWS_PER_STATEMENT,
        2 * ROWS_PER_STATEMENT + 1,
        MAX_BATCH,
    ] {
        let before = f.last_seq().await;
        let results = together(&f.store.write, &f.jobs(count))
            .await
            .expect("batch");
        let seqs: Vec<i64> = all_events(&results).iter().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (before + 1..=before + count as i64).collect::<Vec<_>>(),
            "{count} posts"
        );
        stored += count as i64;
        assert_eq!(f.stored_messages().await, stored, "{count} posts");
        assert_eq!(f.last_seq().await, before + count as i64);
    }
    f.search_index_is_in_step().await;
}

#[tokio::test]
async fn each_project_of_a_batch_numbers_its_own_events() {
    let f = fixture().await;
    let (beta, _) = f
        .store
        .create_project("beta", "", &f.alice)
        .await
        .expect("beta");
    let beta_general = f
        .store
        .channel(&beta, "general")
        .await
        .expect("channel")
        .expect("general");
    let (alpha_before, beta_before) = (f.last_seq().await, beta.last_seq);
    let jobs: Vec<_> = (0..10)
        .map(|i| {
            let new = text(&f.alice, &format!("post {i}"));
            if i % 3 == 0 {
                (beta.clone(), beta_general.clone(), new)
            } else {
                (f.project.clone(), f.general.clone(), new)
            }
        })
        .collect();
    let results = together(&f.store.write, &jobs).await.expect("batch");
    let seqs_of = |name: &str| -> Vec<i64> {
        all_events(&results)
            .iter()
            .filter(|e| e.project_name == name)
            .map(|e| e.seq)
            .collect()
    };
    assert_eq!(
        seqs_of("beta"),
        (beta_before + 1..=beta_before + 4).collect::<Vec<_>>()
    );
    assert_eq!(
        seqs_of("alpha"),
        (alpha_before + 1..=alpha_before + 6).collect::<Vec<_>>()
    );
    for (i, result) in results.iter().enumerate() {
        let (message, events) = created(result);
        assert_eq!(message.project_name, events[0].project_name);
        assert_eq!(
            message.project_name,
            if i % 3 == 0 { "beta" } else { "alpha" }
        );
    }
    for (project, newest) in [(&beta, 9), (&f.project, 8)] {
        let general = f
            .store
            .channel(project, "general")
            .await
            .expect("channel")
            .expect("general");
        assert_eq!(
            general.last_message_at,
            Some(created(&results[newest]).0.timestamp),
            "{}",
            project.name
        );
    }
}
