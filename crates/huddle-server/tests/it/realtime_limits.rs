//! Socket limits against a real server, with raw Engine.IO clients: the per-user connection cap
//! and typing indicators that end on their own.

use crate::common;

use std::time::Duration;

use common::chat_socket::{self, wait_for};
use common::{token_of, wait, TestServer, SMALL_BUFFER_BYTES};
use huddle_bench::socket::{EngineConnection, SocketClient};
use reqwest::Method;
use serde_json::json;

async fn project(server: &TestServer) -> String {
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    admin
}

async fn connect(server: &TestServer, token: &str) -> SocketClient {
    chat_socket::connect(server, "alpha", token).await
}

/// True when the server ends this socket's namespace connection within `wait`.
async fn closed(client: &mut SocketClient, wait: Duration) -> bool {
    tokio::time::timeout(wait, async {
        loop {
            match client.next_event().await {
                Ok(Some(_)) => continue,
                _ => return true,
            }
        }
    })
    .await
    .unwrap_or(false)
}

#[tokio::test]
async fn a_sixth_connection_closes_the_oldest() {
    let server = TestServer::start_with(|c| c.realtime.connections_per_user = 5).await;
    let token = project(&server).await;
    let mut first = connect(&server, &token).await;
    wait_for(&mut first, "chat_ready", wait())
        .await
        .expect("ready");
    let mut others = Vec::new();
    for _ in 0..4 {
        others.push(connect(&server, &token).await);
    }
    // The barrier: the oldest still answers after the other four were let in.
    let history = json!({"channel": "general"});
    let ack = chat_socket::request(&mut first, "request_message_history", history).await;
    assert_eq!(ack["ok"], true, "five are allowed: {ack}");
    let mut sixth = connect(&server, &token).await;
    let notice = wait_for(&mut first, "connection_closed", wait())
        .await
        .expect("the oldest is told why");
    assert!(notice.contains("connection_limit"), "{notice}");
    assert!(closed(&mut first, wait()).await, "and then dropped");
    assert!(
        wait_for(&mut sixth, "chat_ready", wait()).await.is_some(),
        "the newest works"
    );
}

/// A watcher (the admin) and a typist (bob) in `alpha`, on a server whose typing indicators
/// expire after `expiry_secs`.
async fn typing_pair(expiry_secs: u64) -> (TestServer, SocketClient, SocketClient) {
    let server = TestServer::start_with(|c| c.realtime.typing_expiry_secs = expiry_secs).await;
    let admin = project(&server).await;
    server.add_user("bob", "bob-password").await;
    server
        .add_member(&admin, "alpha", "bob", "contributor")
        .await;
    let bob = token_of(&server.login("bob", "bob-password").await);
    let mut watcher = connect(&server, &admin).await;
    wait_for(&mut watcher, "chat_ready", wait())
        .await
        .expect("ready");
    let typist = connect(&server, &bob).await;
    (server, watcher, typist)
}

#[tokio::test]
async fn typing_ends_by_itself_after_the_expiry() {
    let (_server, mut watcher, mut typist) = typing_pair(1).await;
    // The server cannot start its timer before the emit, so timing from here is a sound bound.
    let emitted = tokio::time::Instant::now();
    typist
        .emit("typing_start", &json!({"channel": "general"}).to_string())
        .await
        .expect("emit");
    let started = wait_for(&mut watcher, "typing_start", wait())
        .await
        .expect("typing_start");
    assert!(started.contains("\"username\":\"bob\""), "{started}");
    wait_for(&mut watcher, "typing_stop", wait())
        .await
        .expect("expires");
    assert!(
        emitted.elapsed() >= Duration::from_secs(1),
        "not before the expiry"
    );
}

#[tokio::test]
async fn a_typist_who_disconnects_stops_typing_at_once() {
    // An expiry far beyond the wait: a typing_stop can only come from the disconnect.
    let (_server, mut watcher, mut typist) = typing_pair(600).await;
    typist
        .emit("typing_start", &json!({"channel": "general"}).to_string())
        .await
        .expect("emit");
    wait_for(&mut watcher, "typing_start", wait())
        .await
        .expect("typing_start");
    drop(typist);
    let gone = wait_for(&mut watcher, "typing_stop", wait()).await;
    assert!(
        gone.is_some(),
        "a typist who disconnects stops typing at once, not after the expiry"
    );
}

#[tokio::test]
async fn the_composer_preview_renders_without_storing() {
    let server = TestServer::start().await;
    let token = project(&server).await;
    let mut client = connect(&server, &token).await;
    wait_for(&mut client, "chat_ready", wait())
        .await
        .expect("ready");
    let payload = json!({"content": "**hi** @admin <script>x</script>"}).to_string();
    let ack = client
        .request("preview_markdown", &payload)
        .await
        .expect("ack");
    let ack: serde_json::Value = serde_json::from_str(&ack).expect("json");
    assert_eq!(ack[0]["ok"], true, "{ack}");
    let html = ack[0]["content_html"].as_str().expect("html");
    assert!(
        html.contains("<strong>hi</strong>") && html.contains("data-mention=\"admin\""),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;"), "{html}");
    let empty = client
        .request("preview_markdown", &json!({"content": " "}).to_string())
        .await
        .expect("ack");
    assert!(empty.contains("invalid_message"), "{empty}");
    let (_, _, events) = server
        .call(
            Method::GET,
            "/api/projects/alpha/events?after_seq=0",
            Some(&token),
            None,
        )
        .await;
    assert!(
        !events["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "message_received"),
        "a preview stores nothing"
    );
}

/// `message_received` sequence numbers in the events read until the socket ends or `wait` passes.
async fn message_seqs(client: &mut SocketClient, wait: Duration, want: usize) -> (Vec<i64>, bool) {
    let mut seqs = Vec::new();
    let ended = tokio::time::timeout(wait, async {
        loop {
            match client.next_event().await {
                Ok(Some(event)) => {
                    if let Some(seq) = event_seq(&event, "message_received") {
                        seqs.push(seq);
                        if seqs.len() == want {
                            return false;
                        }
                    }
                }
                _ => return true,
            }
        }
    })
    .await
    .unwrap_or(false);
    (seqs, ended)
}

fn event_seq(event: &str, name: &str) -> Option<i64> {
    let value: serde_json::Value = serde_json::from_str(event).ok()?;
    (value[0] == name)
        .then(|| value[1]["seq"].as_i64())
        .flatten()
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_and_resumes_without_loss() {
    // Small kernel buffers on both ends, so the slow client holds the server back after a few
    // hundred KB on any host (loopback buffers autotune to many MB otherwise).
    let server = TestServer::start_with_small_send_buffers(|c| {
        c.realtime.socket_buffer = 16;
        c.realtime.replay_limit = 100_000;
        c.realtime.events_per_second = 1_000_000;
        c.realtime.events_per_minute = 1_000_000;
    })
    .await;
    let token = project(&server).await;
    let base = format!("http://{}", server.addr);
    let auth = json!({ "token": token }).to_string();
    let mut slow = EngineConnection::open_with_receive_buffer(&base, Some(SMALL_BUFFER_BYTES))
        .await
        .expect("open")
        .join("/chat/alpha", &auth)
        .await
        .expect("join");
    let ready = wait_for(&mut slow, "chat_ready", wait())
        .await
        .expect("ready");
    let start_seq = serde_json::from_str::<serde_json::Value>(&ready).expect("json")[1]["last_seq"]
        .as_i64()
        .expect("last_seq");
    let mut fast = connect(&server, &token).await;
    wait_for(&mut fast, "chat_ready", wait())
        .await
        .expect("ready");
    // ~1 MB in all: several times what both kernel buffers and the 16 queued packets hold.
    let total = 500;
    let fast_reader = tokio::spawn(async move { message_seqs(&mut fast, wait() * 4, total).await });

    // The slow client reads nothing while big messages flow.
    let mut sender = connect(&server, &token).await;
    let body = "x".repeat(1990);
    for i in 0..total {
        let ack = chat_socket::request(
            &mut sender,
            "send_message",
            json!({"content": format!("{body} {i}")}),
        )
        .await;
        assert_eq!(ack["ok"], true, "{ack}");
    }
    let (fast_seqs, _) = fast_reader.await.expect("reader");
    let expected: Vec<i64> = (start_seq + 1..=start_seq + total as i64).collect();
    assert_eq!(
        fast_seqs, expected,
        "a reading client gets everything, in order, whatever the slow one does"
    );

    let (seen, ended) = message_seqs(&mut slow, wait(), total).await;
    assert!(
        ended && seen.len() < total,
        "the slow client was dropped (saw {} of {total})",
        seen.len()
    );
    assert_eq!(
        seen[..],
        expected[..seen.len()],
        "what it got before the drop was in order"
    );

    // Resuming: replayed on the socket when few were missed; here more than the socket's
    // buffer allows, so the server says resync_required and the rest comes from the log.
    let resume_from = seen.last().copied().unwrap_or(start_seq);
    let auth = json!({ "token": token, "since_seq": resume_from });
    let mut again = chat_socket::connect_to(&server, "/chat/alpha", &auth).await;
    wait_for(&mut again, "resync_required", wait())
        .await
        .expect("told to resync");
    let mut rest = Vec::new();
    let mut after = resume_from;
    loop {
        let path = format!("/api/projects/alpha/events?after_seq={after}&limit=1000");
        let (_, _, page) = server.call(Method::GET, &path, Some(&token), None).await;
        let events = page["events"].as_array().expect("events").clone();
        rest.extend(
            events
                .iter()
                .filter(|e| e["kind"] == "message_received")
                .map(|e| e["seq"].as_i64().expect("seq")),
        );
        after = events
            .last()
            .map_or(after, |e| e["seq"].as_i64().expect("seq"));
        if page["has_more"] != true {
            break;
        }
    }
    assert_eq!(
        [seen, rest].concat(),
        expected,
        "nothing is missing and nothing repeats"
    );
}

#[tokio::test]
async fn a_removed_member_is_cut_off_at_once() {
    let server = TestServer::start().await;
    let admin = project(&server).await;
    server.add_user("bob", "bob-password").await;
    server
        .add_member(&admin, "alpha", "bob", "contributor")
        .await;
    let bob = token_of(&server.login("bob", "bob-password").await);
    let mut bob_chat = connect(&server, &bob).await;
    wait_for(&mut bob_chat, "chat_ready", wait())
        .await
        .expect("ready");
    let mut bob_portal =
        chat_socket::connect_to(&server, "/portal", &json!({ "token": bob })).await;
    let joined = bob_portal
        .request(
            "join_project",
            &json!({"project_name": "alpha"}).to_string(),
        )
        .await
        .expect("ack");
    assert!(joined.contains("\"ok\":true"), "{joined}");

    let (status, _, _) = server
        .call(
            Method::DELETE,
            "/api/projects/alpha/members/bob",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::NO_CONTENT);
    let told = wait_for(&mut bob_chat, "removed_from_project", wait())
        .await
        .expect("told");
    assert!(told.contains("\"project_name\":\"alpha\""), "{told}");
    assert!(
        closed(&mut bob_chat, wait()).await,
        "the chat socket is closed"
    );
    wait_for(&mut bob_portal, "removed_from_project", wait())
        .await
        .expect("portal told");

    let mut admin_chat = connect(&server, &admin).await;
    wait_for(&mut admin_chat, "chat_ready", wait())
        .await
        .expect("ready");
    let ack = admin_chat
        .request(
            "send_message",
            &json!({"content": "after bob left"}).to_string(),
        )
        .await
        .expect("ack");
    assert!(ack.contains("\"ok\":true"), "{ack}");
    assert!(
        wait_for(
            &mut bob_portal,
            "message_received",
            Duration::from_millis(800)
        )
        .await
        .is_none(),
        "nothing more reaches the removed member"
    );
}

#[tokio::test]
async fn reconnecting_does_not_refill_the_budget() {
    let server = TestServer::start_with(|c| {
        c.realtime.events_per_second = 1000;
        c.realtime.events_per_minute = 10;
        c.realtime.connections_per_user = 50;
    })
    .await;
    let token = project(&server).await;
    let mut accepted = 0;
    for round in 0..4 {
        // A fresh socket each round, as a client reconnecting to dodge the limit would.
        let mut client = connect(&server, &token).await;
        wait_for(&mut client, "chat_ready", wait())
            .await
            .expect("ready");
        for i in 0..5 {
            let content = json!({"channel": "general", "content": format!("r{round} m{i}")});
            let ack = client
                .request("send_message", &content.to_string())
                .await
                .expect("ack");
            if ack.contains("\"ok\":true") {
                accepted += 1;
            } else {
                assert!(ack.contains("rate_limited"), "{ack}");
            }
        }
    }
    assert_eq!(
        accepted, 10,
        "the user's budget is 10 a minute however many sockets"
    );
}

#[tokio::test]
async fn an_oversized_websocket_message_closes_the_connection_unread() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let server = TestServer::start_with(|c| c.realtime.max_payload_bytes = 64 * 1024).await;
    let url = format!("ws://{}/socket.io/?EIO=4&transport=websocket", server.addr);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    let open = ws.next().await.expect("open").expect("frame");
    assert!(open.to_text().expect("text").starts_with('0'), "{open:?}");
    // No token needed to try this: a 1 MiB connect packet, far over the 64 KiB payload limit.
    let huge = format!("40/portal,{{\"token\":\"{}\"}}", "x".repeat(1 << 20));
    let _ = ws.send(Message::text(huge)).await;
    let answer = tokio::time::timeout(wait(), async {
        while let Some(frame) = ws.next().await {
            match frame {
                Ok(Message::Text(text)) if text.as_str().starts_with("44/portal") => {
                    return Some(text.as_str().to_owned())
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
        None
    })
    .await
    .expect("the server answers within 5 s");
    assert_eq!(answer, None, "the message must not be parsed at all");
}

#[tokio::test]
async fn a_portal_connection_over_the_cap_closes_the_oldest() {
    let server = TestServer::start_with(|c| c.realtime.portal_connections_per_user = 2).await;
    let token = server.admin_token().await;
    let auth = json!({ "token": token });
    let mut first = chat_socket::connect_to(&server, "/portal", &auth).await;
    let _second = chat_socket::connect_to(&server, "/portal", &auth).await;
    // The barrier: the oldest still answers after the second was let in.
    let subscribe = json!({"events": ["member_added"]});
    let ack = chat_socket::request(&mut first, "subscribe_to_events", subscribe).await;
    assert_eq!(ack["ok"], true, "two are allowed: {ack}");
    let _third = chat_socket::connect_to(&server, "/portal", &auth).await;
    let notice = wait_for(&mut first, "connection_closed", wait())
        .await
        .expect("the oldest is told why");
    assert!(notice.contains("connection_limit"), "{notice}");
    assert!(closed(&mut first, wait()).await, "and dropped");
}

#[tokio::test]
async fn a_connection_that_leaves_its_namespace_is_closed_after_the_connect_deadline() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let server = TestServer::start_with(|c| c.realtime.connect_timeout_secs = 1).await;
    let token = server.admin_token().await;
    let mut portal = chat_socket::connect_to(&server, "/portal", &json!({ "token": token })).await;
    // Leaves /portal and stays connected, answering pings: only the deadline can close it.
    portal
        .writer
        .send(Message::text("41/portal,"))
        .await
        .expect("leave");
    let ended = tokio::time::timeout(wait(), async {
        while let Some(Ok(frame)) = portal.reader.next().await {
            match frame {
                Message::Text(text) if text.as_str() == "2" => {
                    let _ = portal.writer.send(Message::text("3")).await;
                }
                Message::Close(_) => return,
                _ => {}
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "a connection in no namespace is closed like a new one that never joins"
    );
}
