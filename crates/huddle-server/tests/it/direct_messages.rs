//! Agents and direct messages against a real server: the agent list with live status, and a
//! direct message that reaches its two participants and no one else, by any route.

use crate::common;

use common::chat_socket::{connect, read_until, replay, request, wait_for};
use common::{token_of, wait, TestServer};
use huddle_core::AgentRole;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

struct Team {
    alice: String,
    carol: String,
    code: String,
    admin: String,
}

/// Project alpha with people alice and carol and the agent `code`, all contributors.
async fn team(server: &TestServer) -> Team {
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    server.add_user("alice", "alice-password").await;
    server.add_user("carol", "carol-password").await;
    server
        .add_agent("code", AgentRole::Code, "code-password")
        .await;
    for name in ["alice", "carol", "code"] {
        server
            .add_member(&admin, "alpha", name, "contributor")
            .await;
    }
    let token = |name: &'static str| async move {
        token_of(&server.login(name, &format!("{name}-password")).await)
    };
    Team {
        alice: token("alice").await,
        carol: token("carol").await,
        code: token("code").await,
        admin,
    }
}

async fn get(server: &TestServer, path: &str, token: &str) -> (StatusCode, Value) {
    let (status, _, body) = server.call(Method::GET, path, Some(token), None).await;
    (status, body)
}

async fn open_dm(server: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    let (status, _, body) = server
        .call(
            Method::POST,
            "/api/projects/alpha/direct-messages",
            Some(token),
            Some(body),
        )
        .await;
    (status, body)
}

#[tokio::test]
async fn agents_are_members_with_a_live_status() {
    let server = TestServer::start().await;
    let team = team(&server).await;
    let (_, members) = get(&server, "/api/projects/alpha/members", &team.alice).await;
    let code = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["username"] == "code")
        .expect("code is a member")
        .clone();
    assert_eq!(
        (code["kind"].as_str(), code["agent_role"].as_str()),
        (Some("agent"), Some("code"))
    );
    let (_, me) = get(&server, "/api/me", &team.alice).await;
    assert_eq!(me["user"]["kind"], "human");

    let (status, agents) = get(&server, "/api/agents", &team.alice).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(agents["total_agents"], 1);
    assert_eq!(agents["active_agents"], 0);
    assert_eq!(agents["agents"][0]["username"], "code");
    assert_eq!(agents["agents"][0]["status"], "offline");
    assert_eq!(agents["agents"][0]["projects"], json!(["alpha"]));

    let mut agent = connect(&server, "alpha", &team.code).await;
    let ready = wait_for(&mut agent, "chat_ready", wait())
        .await
        .expect("ready");
    assert!(ready.contains(r#""kind":"agent""#), "{ready}");
    let (_, agents) = get(&server, "/api/agents", &team.alice).await;
    assert_eq!(agents["agents"][0]["status"], "online");
    assert_eq!(agents["active_agents"], 1);
    request(&mut agent, "set_presence", json!({"status": "idle"})).await;
    let (_, agents) = get(&server, "/api/agents", &team.alice).await;
    assert_eq!(agents["agents"][0]["status"], "idle");

    server.add_user("dave", "dave-password").await;
    let dave = token_of(&server.login("dave", "dave-password").await);
    let (_, agents) = get(&server, "/api/agents", &dave).await;
    assert_eq!(
        agents["total_agents"], 0,
        "no shared project, no agents: {agents}"
    );
}

#[tokio::test]
async fn a_direct_message_reaches_only_its_two_participants() {
    let server = TestServer::start().await;
    let team = team(&server).await;
    let mut alice = connect(&server, "alpha", &team.alice).await;
    let mut code = connect(&server, "alpha", &team.code).await;
    let mut carol = connect(&server, "alpha", &team.carol).await;
    for socket in [&mut alice, &mut code, &mut carol] {
        wait_for(socket, "chat_ready", wait()).await.expect("ready");
    }

    let opened = request(&mut alice, "open_direct_message", json!({"agent": "code"})).await;
    assert_eq!(opened["ok"], true, "{opened}");
    assert_eq!(opened["channel"]["name"], "dm:code:alice");
    assert_eq!(
        opened["channel"]["direct"],
        json!({"agent": "code", "user": "alice"})
    );
    let created = wait_for(&mut code, "channel_created", wait())
        .await
        .expect("agent told");
    assert!(created.contains("dm:code:alice"));
    let (status, again) = open_dm(&server, &team.code, json!({"user": "alice"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        again["channel_id"], opened["channel"]["channel_id"],
        "one channel"
    );

    let sent = request(
        &mut alice,
        "send_message",
        json!({"channel": "dm:code:alice", "content": "secret rollout plan"}),
    )
    .await;
    assert_eq!(sent["ok"], true, "{sent}");
    let received = wait_for(&mut code, "message_received", wait())
        .await
        .expect("agent gets it");
    assert!(received.contains("secret rollout plan"));
    let reply = request(
        &mut code,
        "send_message",
        json!({"channel": "dm:code:alice", "content": "rollout plan noted"}),
    )
    .await;
    assert_eq!(reply["message"]["author_type"], "agent", "{reply}");
    request(
        &mut alice,
        "typing_start",
        json!({"channel": "dm:code:alice"}),
    )
    .await;
    request(
        &mut alice,
        "send_message",
        json!({"channel": "general", "content": "marker"}),
    )
    .await;

    // carol saw the marker and nothing of the direct message before it.
    let seen = read_until(&mut carol, "marker").await;
    let text = serde_json::to_string(&seen).expect("json");
    assert!(text.contains("marker"), "{text}");
    assert!(
        !text.contains("dm:code:alice") && !text.contains("rollout"),
        "{text}"
    );

    // Nor through the event log, history, search, the channel list or a message id.
    let (_, events) = get(
        &server,
        "/api/projects/alpha/events?after_seq=0",
        &team.carol,
    )
    .await;
    let events = events.to_string();
    assert!(
        events.contains("marker") && !events.contains("rollout"),
        "{events}"
    );
    let (_, own_events) = get(
        &server,
        "/api/projects/alpha/events?after_seq=0",
        &team.alice,
    )
    .await;
    assert!(
        own_events.to_string().contains("rollout"),
        "alice sees her own"
    );
    let (status, _) = get(
        &server,
        "/api/projects/alpha/channels/dm:code:alice/messages",
        &team.carol,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = get(
        &server,
        "/api/projects/alpha/channels/dm:code:alice/messages",
        &team.alice,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["messages"].as_array().map(Vec::len), Some(2));
    let (_, found) = get(&server, "/api/projects/alpha/search?q=rollout", &team.carol).await;
    assert_eq!(found["results"], json!([]), "{found}");
    let (_, found) = get(&server, "/api/projects/alpha/search?q=rollout", &team.code).await;
    assert_eq!(found["results"].as_array().map(Vec::len), Some(2));
    let (_, channels) = get(&server, "/api/projects/alpha/channels", &team.carol).await;
    assert!(!channels.to_string().contains("dm:"), "{channels}");
    let (_, channels) = get(&server, "/api/projects/alpha/channels", &team.admin).await;
    assert!(
        !channels.to_string().contains("dm:"),
        "not even an admin lists it"
    );

    let id = sent["message"]["message_id"].clone();
    for (event, body) in [
        ("add_reaction", json!({"message_id": id, "emoji": "👀"})),
        ("delete_message", json!({"message_id": id})),
        (
            "send_message",
            json!({"channel": "dm:code:alice", "content": "let me in"}),
        ),
        (
            "mark_read",
            json!({"channel": "dm:code:alice", "message_id": id}),
        ),
        ("typing_start", json!({"channel": "dm:code:alice"})),
    ] {
        let ack = request(&mut carol, event, body).await;
        assert_eq!(ack["error"]["code"], "not_found", "{event}: {ack}");
    }
}

#[tokio::test]
async fn a_reconnecting_outsider_replays_nothing_private() {
    let server = TestServer::start().await;
    let team = team(&server).await;
    let mut alice = connect(&server, "alpha", &team.alice).await;
    wait_for(&mut alice, "chat_ready", wait())
        .await
        .expect("ready");
    request(&mut alice, "open_direct_message", json!({"agent": "code"})).await;
    for content in ["private one", "private two"] {
        request(
            &mut alice,
            "send_message",
            json!({"channel": "dm:code:alice", "content": content}),
        )
        .await;
    }
    request(
        &mut alice,
        "send_message",
        json!({"channel": "general", "content": "public"}),
    )
    .await;
    let seen = replay(&server, "alpha", &team.carol, 0, "public").await;
    assert!(seen.contains("public"), "{seen}");
    assert!(
        !seen.contains("private") && !seen.contains("dm:code"),
        "{seen}"
    );
    let seen = replay(&server, "alpha", &team.code, 0, "public").await;
    assert!(
        seen.contains("private one") && seen.contains("private two"),
        "{seen}"
    );
}

#[tokio::test]
async fn direct_messages_are_between_a_person_and_an_agent_of_the_project() {
    let server = TestServer::start().await;
    let team = team(&server).await;
    let (status, body) = open_dm(&server, &team.alice, json!({"agent": "carol"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_direct_message");
    server.add_agent("qa", AgentRole::Qa, "qa-password").await;
    let (status, body) = open_dm(&server, &team.alice, json!({"agent": "qa"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a member: {body}");
    let (status, _) = open_dm(
        &server,
        &team.alice,
        json!({"agent": "code", "user": "carol"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = open_dm(&server, &team.alice, json!({"with": "code"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
    let (status, dm) = open_dm(&server, &team.alice, json!({"agent": "code"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dm["type"], "agent");
    let (status, _, body) = server
        .call(
            Method::PATCH,
            "/api/projects/alpha/channels/dm:code:alice",
            Some(&team.admin),
            Some(json!({"archived": true})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an admin is not in it: {body}"
    );
    let (status, _, body) = server
        .call(
            Method::POST,
            "/api/projects/alpha/channels",
            Some(&team.admin),
            Some(json!({"name": "dm:code:carol"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
