//! Fan-out against a real server: every socket gets each event once, in `seq` order and intact
//! (the payload is serialised once and shared by every socket), and a `/portal` socket that asked
//! for project events only gets no chat traffic, live or replayed.

use crate::common;

use common::chat_socket::{connect, connect_to, request, wait_for};
use common::{token_of, wait, TestServer};
use huddle_bench::socket::SocketClient;
use serde_json::{json, Value};

async fn portal(server: &TestServer, token: &str) -> SocketClient {
    connect_to(server, "/portal", &json!({ "token": token })).await
}

/// The next event frame as `(name, payload)`.
async fn next(client: &mut SocketClient) -> (String, Value) {
    let frame = tokio::time::timeout(wait(), client.next_event())
        .await
        .expect("an event in time")
        .expect("readable")
        .expect("still connected");
    let mut parts: Vec<Value> = serde_json::from_str(&frame).expect("event frame is JSON");
    let payload = parts.pop().expect("payload");
    (parts[0].as_str().expect("name").to_owned(), payload)
}

#[tokio::test]
async fn every_socket_gets_each_message_once_in_order_and_intact() {
    let mut server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    server.add_user("bob", "bob-password").await;
    server
        .add_member(&admin, "alpha", "bob", "contributor")
        .await;
    let bob = token_of(&server.login("bob", "bob-password").await);

    let mut receivers = Vec::new();
    for token in [&admin, &bob, &admin, &bob] {
        receivers.push(connect(&server, "alpha", token).await);
    }
    let mut senders = [
        connect(&server, "alpha", &admin).await,
        connect(&server, "alpha", &bob).await,
    ];
    const PER_SENDER: usize = 8;
    for n in 0..PER_SENDER {
        for (s, sender) in senders.iter_mut().enumerate() {
            let content = format!("sender {s} message {n} with `code` and **bold**");
            let ack = request(sender, "send_message", json!({ "content": content })).await;
            assert_eq!(ack["ok"], true, "{ack}");
        }
    }

    for receiver in &mut receivers {
        let mut last_seq = 0;
        let mut next_of_sender = [0usize; 2];
        while next_of_sender.iter().sum::<usize>() < 2 * PER_SENDER {
            let (name, payload) = next(receiver).await;
            if name != "message_received" {
                continue;
            }
            let seq = payload["seq"].as_i64().expect("seq");
            assert!(
                seq > last_seq,
                "seq {seq} after {last_seq}: a duplicate or out of order"
            );
            last_seq = seq;
            assert_eq!(payload["project_name"], "alpha");
            assert_eq!(payload["channel"], "general");
            let content = payload["content"].as_str().expect("content");
            let words: Vec<&str> = content.split(' ').collect();
            let s: usize = words[1].parse().expect("sender");
            let n: usize = words[3].parse().expect("count");
            assert_eq!(
                n, next_of_sender[s],
                "sender {s}'s messages in the order sent"
            );
            next_of_sender[s] += 1;
            let author = if s == 0 { "admin" } else { "bob" };
            assert_eq!(payload["author_name"], author, "{payload}");
            let html = payload["content_html"].as_str().expect("rendered html");
            assert!(html.contains("<code>code</code>") && html.contains("<strong>bold</strong>"));
        }
    }
    server.stop().await.expect("stop");
}

#[tokio::test]
async fn a_portal_socket_subscribed_to_project_events_gets_no_chat_traffic() {
    let mut server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    server.add_user("bob", "bob-password").await;
    server.add_user("carol", "carol-password").await;

    let mut tab = portal(&server, &admin).await;
    let events = json!({ "events": ["member_added", "member_removed"] });
    let ack = request(&mut tab, "subscribe_to_events", events).await;
    assert_eq!(ack["ok"], true, "{ack}");
    let ack = request(&mut tab, "join_project", json!({ "project_name": "alpha" })).await;
    assert_eq!(ack["ok"], true, "{ack}");
    let joined_at = ack["last_seq"].as_i64().expect("last_seq");

    let mut chat = connect(&server, "alpha", &admin).await;
    let ack = request(
        &mut chat,
        "send_message",
        json!({ "content": "not for the rail" }),
    )
    .await;
    assert_eq!(ack["ok"], true, "{ack}");
    server
        .add_member(&admin, "alpha", "bob", "contributor")
        .await;
    // The member added after the message is the sentinel: nothing of the chat came before it.
    loop {
        let (name, payload) = next(&mut tab).await;
        assert_ne!(
            name, "message_received",
            "chat traffic on a subscribed /portal socket"
        );
        if name == "member_added" {
            assert_eq!(payload["username"], "bob");
            break;
        }
    }

    // A second tab resuming from before all of it is replayed the subscribed kinds only.
    let mut resumed = portal(&server, &admin).await;
    request(&mut resumed, "subscribe_to_events", events_added()).await;
    // No ack asked: the replay comes right after `joined_project`, before any ack would.
    let join = json!({ "project_name": "alpha", "since_seq": joined_at });
    resumed
        .emit("join_project", &join.to_string())
        .await
        .expect("join");
    let (name, _) = next(&mut resumed).await;
    assert_eq!(name, "joined_project");
    server.add_member(&admin, "alpha", "carol", "viewer").await;
    let mut added = Vec::new();
    while added.len() < 2 {
        let (name, payload) = next(&mut resumed).await;
        assert_eq!(
            name, "member_added",
            "only the subscribed kind: {name} {payload}"
        );
        added.push(payload["username"].as_str().expect("username").to_owned());
    }
    assert_eq!(
        added,
        ["bob", "carol"],
        "bob replayed, carol live, in order"
    );

    // The chat socket still receives everything, each once.
    let message = wait_for(&mut chat, "message_received", wait()).await;
    assert!(message.is_some_and(|m| m.contains("not for the rail")));
    server.stop().await.expect("stop");
}

fn events_added() -> Value {
    json!({ "events": ["member_added"] })
}

#[tokio::test]
async fn an_event_that_never_comes_over_the_bus_is_read_from_the_store_in_its_place() {
    let mut server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    let mut receiver = connect(&server, "alpha", &admin).await;
    let mut sender = connect(&server, "alpha", &admin).await;

    // Written by another process on the same data: this server never publishes it.
    let store = huddle_server::bootstrap::open_store(&server.config)
        .await
        .expect("store");
    let project = store.project("alpha").await.expect("read").expect("alpha");
    let general = store
        .channel(&project, "general")
        .await
        .expect("read")
        .expect("general");
    let author = store
        .user_by_name("admin")
        .await
        .expect("read")
        .expect("admin");
    let outside = huddle_store::NewMessage {
        author_type: "user",
        author_id: author.id.clone(),
        author_name: author.username.clone(),
        kind: "message".into(),
        content: "from outside".into(),
        content_html: "<p>from outside</p>".into(),
        mentions: Vec::new(),
        thread_id: None,
        reply_to: None,
        client_id: None,
        attachments: Vec::new(),
        metadata: json!({}),
    };
    store
        .post_message(&project, &general, outside)
        .await
        .expect("post");
    let ack = request(
        &mut sender,
        "send_message",
        json!({ "content": "from here" }),
    )
    .await;
    assert_eq!(ack["ok"], true, "{ack}");

    let mut contents = Vec::new();
    let mut last_seq = 0;
    while contents.len() < 2 {
        let (name, payload) = next(&mut receiver).await;
        if name == "message_received" {
            let seq = payload["seq"].as_i64().expect("seq");
            assert!(seq > last_seq, "in order, once");
            last_seq = seq;
            contents.push(payload["content"].as_str().expect("content").to_owned());
        }
    }
    assert_eq!(contents, ["from outside", "from here"]);
    server.stop().await.expect("stop");
}
