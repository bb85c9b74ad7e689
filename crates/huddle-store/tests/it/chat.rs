//! Chat behaviour on every backend: channels, posting, threads, history, reactions, read marks.

use huddle_store::{ChannelChange, NewMessage, NewUser, Posted, Project, Store, StoreError, User};

use crate::backends;
use backends::Backend;

backend_suite!(
    projects_start_with_the_default_channels,
    history_pages_newest_first_without_overlap,
    a_retried_send_creates_nothing,
    thread_replies_update_their_root,
    edits_and_tombstones,
    reactions_are_unique_per_user_and_emoji,
    unread_and_mentions_follow_the_read_mark,
    channels_are_created_renamed_and_archived,
    replies_must_stay_in_their_channel,
    search_finds_words_with_filters_and_marks,
    attachments_belong_to_one_message_of_their_uploader,
    pending_uploads_stay_within_the_quota_even_when_concurrent,
    concurrent_posts_keep_order_and_fail_alone,
    many_writers_get_contiguous_seqs_in_the_order_they_posted,
);

async fn setup(s: &dyn Store) -> (User, User, Project) {
    let mk = |name: &str| NewUser {
        username: name.into(),
        password_hash: "h".into(),
        is_admin: false,
        agent_role: None,
    };
    let alice = s.create_user(mk("alice")).await.expect("alice");
    let bob = s.create_user(mk("bob")).await.expect("bob");
    let (project, _) = s
        .create_project("alpha", "", &alice)
        .await
        .expect("project");
    (alice, bob, project)
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

async fn post(
    s: &dyn Store,
    p: &Project,
    channel: &str,
    m: NewMessage,
) -> (huddle_store::Message, Vec<huddle_store::StoredEvent>) {
    let channel = s
        .channel(p, channel)
        .await
        .expect("channel")
        .expect("exists");
    match s.post_message(p, &channel, m).await.expect("post") {
        Posted::Created { message, events } => (message, events),
        Posted::Duplicate(m) => panic!("unexpected duplicate {m:?}"),
    }
}

async fn projects_start_with_the_default_channels(b: Backend) {
    let s = b.store();
    let (alice, _, p) = setup(s).await;
    let channels = s
        .list_channels(&p, &alice.id, &alice.username)
        .await
        .expect("list");
    let names: Vec<_> = channels
        .iter()
        .map(|c| (c.name.as_str(), c.kind.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("general", "general"),
            ("workflow", "workflow"),
            ("agents", "agent"),
            ("errors", "error")
        ]
    );
    assert!(channels.iter().all(|c| c.unread_count == 0 && !c.archived));
}

async fn history_pages_newest_first_without_overlap(b: Backend) {
    let s = b.store();
    let (alice, _, p) = setup(s).await;
    for i in 0..7 {
        post(s, &p, "general", text(&alice, &format!("m{i}"))).await;
    }
    post(s, &p, "workflow", text(&alice, "elsewhere")).await;
    let general = s.channel(&p, "general").await.expect("c").expect("c");
    let first = s
        .history(&p, &general, None, None, 3)
        .await
        .expect("page 1");
    let contents: Vec<_> = first.messages.iter().map(|m| m.content.as_str()).collect();
    assert_eq!((contents, first.has_more), (vec!["m6", "m5", "m4"], true));
    let before = first.messages.last().map(|m| m.message_id.clone());
    let second = s
        .history(&p, &general, None, before.as_deref(), 3)
        .await
        .expect("page 2");
    let contents: Vec<_> = second.messages.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["m3", "m2", "m1"]);
    let before = second.messages.last().map(|m| m.message_id.clone());
    let last = s
        .history(&p, &general, None, before.as_deref(), 3)
        .await
        .expect("page 3");
    assert_eq!((last.messages.len(), last.has_more), (1, false));
    assert_eq!(last.messages[0].channel, "general");
    assert_eq!(last.messages[0].project_name, "alpha");
}

async fn a_retried_send_creates_nothing(b: Backend) {
    let s = b.store();
    let (alice, bob, p) = setup(s).await;
    let general = s.channel(&p, "general").await.expect("c").expect("c");
    let with_id = |u: &User| NewMessage {
        client_id: Some("c-1".into()),
        ..text(u, "once")
    };
    let first = s
        .post_message(&p, &general, with_id(&alice))
        .await
        .expect("first");
    let Posted::Created { message, events } = first else {
        panic!("first send creates")
    };
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "message_received");
    let again = s
        .post_message(&p, &general, with_id(&alice))
        .await
        .expect("again");
    assert!(matches!(again, Posted::Duplicate(ref m) if m.message_id == message.message_id));
    let seq = s.last_seq(&p.id).await.expect("seq");
    assert!(
        matches!(
            s.post_message(&p, &general, with_id(&bob))
                .await
                .expect("bob"),
            Posted::Created { .. }
        ),
        "ids are per author"
    );
    assert_eq!(s.last_seq(&p.id).await.expect("seq"), seq + 1);
}

async fn thread_replies_update_their_root(b: Backend) {
    let s = b.store();
    let (alice, bob, p) = setup(s).await;
    let (root, _) = post(s, &p, "general", text(&alice, "root")).await;
    let reply = |u: &User, c: &str| NewMessage {
        thread_id: Some(root.message_id.clone()),
        kind: "thread_reply".into(),
        ..text(u, c)
    };
    let (_, events) = post(s, &p, "general", reply(&bob, "r1")).await;
    let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["message_received", "thread_created", "thread_updated"]
    );
    let (_, events) = post(s, &p, "general", reply(&alice, "r2")).await;
    let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["message_received", "thread_updated"]);
    assert_eq!(events[1].payload["message_count"], 2);
    assert_eq!(
        events[1].payload["participants"],
        serde_json::json!(["alice", "bob"])
    );
    let general = s.channel(&p, "general").await.expect("c").expect("c");
    let main = s.history(&p, &general, None, None, 10).await.expect("main");
    assert_eq!(
        main.messages.len(),
        1,
        "replies stay out of the channel page"
    );
    let thread = main.messages[0].thread.clone().expect("summary");
    assert_eq!((thread.reply_count, thread.participants.len()), (2, 2));
    let replies = s
        .history(&p, &general, Some(&root.message_id), None, 10)
        .await
        .expect("thread");
    let contents: Vec<_> = replies
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(contents, ["r2", "r1"]);
}

async fn edits_and_tombstones(b: Backend) {
    let s = b.store();
    let (alice, _, p) = setup(s).await;
    let (m, _) = post(s, &p, "general", text(&alice, "draft")).await;
    let (edited, event) = s
        .edit_message(
            &p,
            &m.message_id,
            "final",
            "<p>final</p>",
            &["bob".into()],
            "alice",
        )
        .await
        .expect("edit");
    assert_eq!(
        (edited.content.as_str(), event.kind.as_str()),
        ("final", "message_updated")
    );
    assert!(edited.edited_at.is_some());
    assert_eq!(edited.mentions, ["bob"]);
    let (gone, events) = s
        .delete_message(&p, &m.message_id, "alice")
        .await
        .expect("delete");
    assert!(gone.deleted && gone.content.is_empty() && gone.content_html.is_empty());
    assert_eq!(events[0].kind, "message_deleted");
    assert!(matches!(
        s.delete_message(&p, &m.message_id, "alice").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.edit_message(&p, &m.message_id, "x", "x", &[], "alice")
            .await,
        Err(StoreError::NotFound(_))
    ));
    let kept = s
        .message(&p, &m.message_id)
        .await
        .expect("load")
        .expect("tombstone kept");
    assert!(kept.deleted);
}

async fn reactions_are_unique_per_user_and_emoji(b: Backend) {
    let s = b.store();
    let (alice, bob, p) = setup(s).await;
    let (m, _) = post(s, &p, "general", text(&alice, "hi")).await;
    let (after, event) = s
        .react(&p, &m.message_id, &alice, "👍", true)
        .await
        .expect("add");
    assert!(event.is_some());
    assert_eq!(after.reactions[0].count, 1);
    let (_, event) = s
        .react(&p, &m.message_id, &alice, "👍", true)
        .await
        .expect("again");
    assert!(event.is_none(), "the same reaction twice changes nothing");
    let (after, _) = s
        .react(&p, &m.message_id, &bob, "👍", true)
        .await
        .expect("bob");
    assert_eq!(
        (after.reactions[0].count, after.reactions[0].users.clone()),
        (2, vec!["alice".to_owned(), "bob".to_owned()])
    );
    let (after, event) = s
        .react(&p, &m.message_id, &alice, "👍", false)
        .await
        .expect("remove");
    assert_eq!(event.expect("changed").payload["reactions"][0]["count"], 1);
    assert_eq!(after.reactions[0].users, ["bob"]);
    assert!(s
        .react(&p, &m.message_id, &alice, "👍", false)
        .await
        .expect("noop")
        .1
        .is_none());
}

async fn unread_and_mentions_follow_the_read_mark(b: Backend) {
    let s = b.store();
    let (alice, bob, p) = setup(s).await;
    post(s, &p, "general", text(&alice, "one")).await;
    let mention = NewMessage {
        mentions: vec!["bob".into()],
        ..text(&alice, "@bob two")
    };
    let (second, _) = post(s, &p, "general", mention).await;
    let (third, _) = post(s, &p, "general", text(&alice, "three")).await;
    post(s, &p, "general", text(&bob, "bob's own")).await;
    let general = s.channel(&p, "general").await.expect("c").expect("c");
    let unread = s.unread(&general, &bob).await.expect("unread");
    assert_eq!((unread.unread_count, unread.mention_count), (3, 1));
    let after = s
        .mark_read(&general, &bob, &second.message_id)
        .await
        .expect("mark");
    assert_eq!((after.unread_count, after.mention_count), (1, 0));
    let back = s
        .mark_read(&general, &bob, &general_first(s, &p).await)
        .await
        .expect("older mark");
    assert_eq!(back.unread_count, 1, "the mark never moves back");
    s.mark_read(&general, &bob, &third.message_id)
        .await
        .expect("mark");
    let listed = s
        .list_channels(&p, &bob.id, &bob.username)
        .await
        .expect("list");
    assert_eq!(listed[0].unread_count, 0);
    let alice_view = s
        .list_channels(&p, &alice.id, &alice.username)
        .await
        .expect("list");
    assert_eq!(
        alice_view[0].unread_count, 1,
        "alice has not read bob's message"
    );
}

async fn general_first(s: &dyn Store, p: &Project) -> String {
    let general = s.channel(p, "general").await.expect("c").expect("c");
    let page = s.history(p, &general, None, None, 100).await.expect("page");
    page.messages.last().expect("some").message_id.clone()
}

async fn channels_are_created_renamed_and_archived(b: Backend) {
    let s = b.store();
    let (alice, _, p) = setup(s).await;
    let (c, event) = s
        .create_channel(&p, "design", "general", "UI talk", "alice")
        .await
        .expect("create");
    assert_eq!(
        (event.kind.as_str(), event.payload["name"].as_str()),
        ("channel_created", Some("design"))
    );
    assert!(matches!(
        s.create_channel(&p, "design", "general", "", "alice").await,
        Err(StoreError::Conflict(_))
    ));
    let change = ChannelChange {
        name: Some("ux".into()),
        description: None,
        archived: Some(true),
    };
    let (updated, event) = s
        .update_channel(&p, &c, change, "alice")
        .await
        .expect("update");
    assert_eq!(
        (
            updated.name.as_str(),
            updated.description.as_str(),
            updated.archived
        ),
        ("ux", "UI talk", true)
    );
    assert_eq!(event.kind, "channel_updated");
    let clash = ChannelChange {
        name: Some("general".into()),
        ..ChannelChange::default()
    };
    assert!(matches!(
        s.update_channel(&p, &updated, clash, "alice").await,
        Err(StoreError::Conflict(_))
    ));
    let listed = s
        .list_channels(&p, &alice.id, &alice.username)
        .await
        .expect("list");
    assert_eq!(listed.len(), 5);
}

async fn replies_must_stay_in_their_channel(b: Backend) {
    let s = b.store();
    let (alice, _, p) = setup(s).await;
    let (root, _) = post(s, &p, "general", text(&alice, "root")).await;
    let workflow = s.channel(&p, "workflow").await.expect("c").expect("c");
    let elsewhere = NewMessage {
        thread_id: Some(root.message_id.clone()),
        ..text(&alice, "x")
    };
    let err = s.post_message(&p, &workflow, elsewhere).await;
    assert!(
        matches!(
            err,
            Err(StoreError::Rejected {
                code: "invalid_thread",
                ..
            })
        ),
        "{err:?}"
    );
    let reply_to = NewMessage {
        reply_to: Some("no-such-id".into()),
        ..text(&alice, "x")
    };
    let general = s.channel(&p, "general").await.expect("c").expect("c");
    assert!(matches!(
        s.post_message(&p, &general, reply_to).await,
        Err(StoreError::Rejected {
            code: "invalid_reply",
            ..
        })
    ));
    let seq = s.last_seq(&p.id).await.expect("seq");
    assert_eq!(seq, 2, "rejected posts record nothing");
}

async fn search_finds_words_with_filters_and_marks(b: Backend) {
    let s = b.store();
    let (alice, bob, p) = setup(s).await;
    post(
        s,
        &p,
        "general",
        text(&alice, "Deploy the billing service tonight"),
    )
    .await;
    post(
        s,
        &p,
        "general",
        text(&bob, "billing tests are failing <script>x</script>"),
    )
    .await;
    post(
        s,
        &p,
        "workflow",
        text(&alice, "deployment checklist for billing"),
    )
    .await;
    let (gone, _) = post(s, &p, "general", text(&alice, "billing secret to delete")).await;
    s.delete_message(&p, &gone.message_id, "alice")
        .await
        .expect("delete");
    let q = |text: &str| huddle_store::SearchQuery {
        text: text.into(),
        viewer_id: alice.id.clone(),
        channel: None,
        author: None,
        from: None,
        to: None,
        limit: 20,
    };
    let hits = s.search(&p, &q("billing")).await.expect("search");
    assert_eq!(hits.len(), 3, "deleted messages are not found");
    let hits = s.search(&p, &q("deploy billing")).await.expect("prefix");
    let found: Vec<_> = hits.iter().map(|h| h.message.content.as_str()).collect();
    assert_eq!(
        found,
        ["Deploy the billing service tonight"],
        "only the last word is a prefix"
    );
    let last_prefix = s.search(&p, &q("billing depl")).await.expect("prefix last");
    assert_eq!(last_prefix.len(), 2);
    let in_general = huddle_store::SearchQuery {
        channel: Some("general".into()),
        ..q("billing")
    };
    assert_eq!(s.search(&p, &in_general).await.expect("channel").len(), 2);
    let by_bob = huddle_store::SearchQuery {
        author: Some("bob".into()),
        ..q("billing")
    };
    let hits = s.search(&p, &by_bob).await.expect("author");
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0].snippet.contains(&format!(
            "{}billing{}",
            huddle_store::MARK_START,
            huddle_store::MARK_END
        )),
        "{:?}",
        hits[0].snippet
    );
    let future = huddle_store::SearchQuery {
        from: Some(huddle_store::now() + chrono::Duration::hours(1)),
        ..q("billing")
    };
    assert!(s.search(&p, &future).await.expect("dates").is_empty());
    assert!(s
        .search(&p, &q("\" OR * NEAR("))
        .await
        .expect("syntax is literal")
        .is_empty());
    let (other, _) = s.create_project("beta", "", &alice).await.expect("beta");
    assert!(s
        .search(&other, &q("billing"))
        .await
        .expect("other project")
        .is_empty());
}

async fn attachments_belong_to_one_message_of_their_uploader(b: Backend) {
    let s = b.store();
    let (alice, bob, p) = setup(s).await;
    let upload = |id: &str, who: &User| huddle_store::NewAttachment {
        id: id.into(),
        project_id: p.id.clone(),
        uploader_id: who.id.clone(),
        file_name: "shot.png".into(),
        content_type: "image/png".into(),
        size: 1234,
        width: Some(10),
        height: Some(20),
        has_thumbnail: true,
    };
    let stored = s
        .insert_attachment(upload("a1", &alice))
        .await
        .expect("insert");
    assert_eq!(stored.url, "/api/attachments/a1");
    assert_eq!(
        stored.thumbnail_url.as_deref(),
        Some("/api/attachments/a1/thumbnail")
    );
    s.insert_attachment(upload("b1", &bob))
        .await
        .expect("insert bob's");
    let general = s.channel(&p, "general").await.expect("c").expect("c");
    let with = |ids: &[&str]| NewMessage {
        attachments: ids.iter().map(|i| i.to_string()).collect(),
        ..text(&alice, "see")
    };
    let err = s.post_message(&p, &general, with(&["b1"])).await;
    assert!(
        matches!(
            err,
            Err(StoreError::Rejected {
                code: "invalid_attachment",
                ..
            })
        ),
        "not alice's upload"
    );
    let Posted::Created { message, .. } = s
        .post_message(&p, &general, with(&["a1"]))
        .await
        .expect("post")
    else {
        panic!("created")
    };
    assert_eq!(message.attachments.len(), 1);
    assert_eq!(message.attachments[0].width, Some(10));
    let err = s.post_message(&p, &general, with(&["a1"])).await;
    assert!(
        matches!(err, Err(StoreError::Rejected { .. })),
        "an upload is used once"
    );
    let found = s.attachment("a1").await.expect("get").expect("exists");
    assert_eq!(
        (found.project_name.as_str(), found.message_id.as_deref()),
        ("alpha", Some(message.message_id.as_str()))
    );
    let page = s
        .history(&p, &general, None, None, 10)
        .await
        .expect("history");
    assert_eq!(page.messages[0].attachments[0].attachment_id, "a1");
}

fn pending(id: &str, p: &Project, who: &User, size: i64) -> huddle_store::NewAttachment {
    huddle_store::NewAttachment {
        id: id.into(),
        project_id: p.id.clone(),
        uploader_id: who.id.clone(),
        file_name: format!("{id}.txt"),
        content_type: "text/plain".into(),
        size,
        width: None,
        height: None,
        has_thumbnail: false,
    }
}

async fn pending_uploads_stay_within_the_quota_even_when_concurrent(b: Backend) {
    use huddle_store::StoredUploads;
    let store = b.arc();
    let s = store.as_ref();
    let (alice, bob, p) = setup(s).await;
    let stored = s
        .insert_attachments(vec![pending("a1", &p, &alice, 600)], 1000)
        .await
        .expect("within the quota");
    assert!(
        matches!(&stored, StoredUploads::Stored(list) if list.len() == 1 && list[0].size == 600)
    );
    let over = s
        .insert_attachments(
            vec![
                pending("a2", &p, &alice, 300),
                pending("a3", &p, &alice, 300),
            ],
            1000,
        )
        .await
        .expect("answered");
    assert_eq!(over, StoredUploads::OverQuota { pending_bytes: 600 });
    assert!(
        s.attachment("a2").await.expect("get").is_none(),
        "a refused batch stores nothing of itself"
    );
    s.insert_attachments(vec![pending("a2", &p, &alice, 300)], 1000)
        .await
        .expect("900 of 1000");
    assert!(
        matches!(
            s.insert_attachments(vec![pending("b1", &p, &bob, 1000)], 1000)
                .await
                .expect("bob"),
            StoredUploads::Stored(_)
        ),
        "each uploader has a quota of their own"
    );

    let general = s.channel(&p, "general").await.expect("c").expect("c");
    let with_a1 = NewMessage {
        attachments: vec!["a1".into()],
        ..text(&alice, "sent")
    };
    s.post_message(&p, &general, with_a1).await.expect("post");
    assert!(
        matches!(
            s.insert_attachments(vec![pending("a4", &p, &alice, 700)], 1000)
                .await
                .expect("answered"),
            StoredUploads::Stored(_)
        ),
        "sent files no longer count"
    );
    assert!(!s
        .delete_pending_attachment("a1", &alice.id)
        .await
        .expect("sent one"));
    assert!(!s
        .delete_pending_attachment("a2", &bob.id)
        .await
        .expect("not bob's"));
    assert!(s
        .delete_pending_attachment("a2", &alice.id)
        .await
        .expect("pending"));
    assert!(s.attachment("a2").await.expect("get").is_none());

    // Many batches at once: exactly as many as fit are stored.
    let carol = s
        .create_user(NewUser {
            username: "carol".into(),
            password_hash: "h".into(),
            is_admin: false,
            agent_role: None,
        })
        .await
        .expect("carol");
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (store, batch) = (
                store.clone(),
                vec![pending(&format!("c{i}"), &p, &carol, 100)],
            );
            tokio::spawn(async move { store.insert_attachments(batch, 1000).await })
        })
        .collect();
    let mut kept = 0;
    for task in tasks {
        if let StoredUploads::Stored(_) = task.await.expect("joined").expect("answered") {
            kept += 1;
        }
    }
    assert_eq!(kept, 10, "1000 bytes hold ten uploads of 100");
}

async fn concurrent_posts_keep_order_and_fail_alone(b: Backend) {
    let store = b.arc();
    let (alice, _, p) = setup(store.as_ref()).await;
    let general = store.channel(&p, "general").await.expect("c").expect("c");
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (store, p, general, alice) =
                (store.clone(), p.clone(), general.clone(), alice.clone());
            tokio::spawn(async move {
                let mut new = text(&alice, &format!("m{i}"));
                if i % 10 == 3 {
                    new.thread_id = Some("no-such-root".into());
                }
                store.post_message(&p, &general, new).await
            })
        })
        .collect();
    let (mut ok, mut failed, mut seqs) = (0, 0, Vec::new());
    for t in tasks {
        match t.await.expect("task") {
            Ok(Posted::Created { events, .. }) => {
                ok += 1;
                seqs.extend(events.iter().map(|e| e.seq));
            }
            Ok(Posted::Duplicate(_)) => panic!("no client ids here"),
            Err(StoreError::Rejected {
                code: "invalid_thread",
                ..
            }) => failed += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, failed), (36, 4));
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (2..38).collect::<Vec<i64>>(),
        "failed posts take no sequence number"
    );
    let page = store
        .history(&p, &general, None, None, 100)
        .await
        .expect("history");
    assert_eq!(page.messages.len(), 36);
}

async fn many_writers_get_contiguous_seqs_in_the_order_they_posted(b: Backend) {
    let store = b.arc();
    let (alice, _, p) = setup(store.as_ref()).await;
    let general = store.channel(&p, "general").await.expect("c").expect("c");
    let before = store.last_seq(&p.id).await.expect("seq");
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let (store, p, general, alice) =
                (store.clone(), p.clone(), general.clone(), alice.clone());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                for i in 0..25 {
                    let mut new = text(&alice, &format!("writer{w} post{i}"));
                    if (w + i) % 9 == 4 {
                        new.reply_to = Some("no-such-message".into());
                    }
                    mine.push(store.post_message(&p, &general, new).await);
                }
                mine
            })
        })
        .collect();
    let mut answered = Vec::new();
    let mut refused = 0;
    for writer in writers {
        let mut last = before;
        for result in writer.await.expect("writer") {
            match result {
                Ok(Posted::Created { message, events }) => {
                    assert_eq!(events.len(), 1);
                    assert!(
                        events[0].seq > last,
                        "a writer's posts are numbered in its order"
                    );
                    last = events[0].seq;
                    answered.push((events[0].seq, message.message_id));
                }
                Err(StoreError::Rejected {
                    code: "invalid_reply",
                    ..
                }) => refused += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert!(refused > 0);
    assert_eq!(answered.len() + refused, 16 * 25);
    answered.sort_unstable();
    let seqs: Vec<i64> = answered.iter().map(|(seq, _)| *seq).collect();
    let count = answered.len() as i64;
    assert_eq!(seqs, (before + 1..=before + count).collect::<Vec<_>>());
    let log = store.events_after(&p, before, 1000).await.expect("events");
    let logged: Vec<(i64, String)> = log
        .iter()
        .map(|e| {
            assert_eq!(e.kind, "message_received");
            let id = e.payload["message_id"].as_str().expect("message id");
            (e.seq, id.to_owned())
        })
        .collect();
    assert_eq!(
        logged, answered,
        "the log holds what each writer was answered"
    );
    assert_eq!(store.last_seq(&p.id).await.expect("seq"), before + count);
}
