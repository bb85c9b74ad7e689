//! The creator owns the project; admins are protected; accounts and passwords over REST; role
//! changes reach open sockets; reads have a budget of their own.

use crate::common;

use common::chat_socket::{self, request, wait_for};
use common::{token_of, wait, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post(server: &TestServer, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let (status, _, body) = server
        .call(Method::POST, path, Some(token), Some(body))
        .await;
    (status, body)
}

async fn members(server: &TestServer, token: &str, project: &str) -> Vec<(String, String)> {
    let (_, _, list) = server
        .call(
            Method::GET,
            &format!("/api/projects/{project}/members"),
            Some(token),
            None,
        )
        .await;
    list["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            (
                m["username"].as_str().unwrap_or_default().to_owned(),
                m["role"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn login_status(server: &TestServer, username: &str, password: &str) -> StatusCode {
    let body = json!({"username": username, "password": password});
    server
        .call(Method::POST, "/auth/login", None, Some(body))
        .await
        .0
}

async fn refresh_status(server: &TestServer, refresh_token: &Value) -> StatusCode {
    let body = json!({ "refresh_token": refresh_token });
    server
        .call(Method::POST, "/auth/refresh", None, Some(body))
        .await
        .0
}

#[tokio::test]
async fn the_creator_is_the_projects_admin_and_can_write_at_once() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (status, project) = post(
        &server,
        "/api/projects",
        &admin,
        json!({"name": "alpha", "description": "d"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    assert_eq!(project["role"], "admin");
    assert_eq!(
        members(&server, &admin, "alpha").await,
        [("admin".to_owned(), "admin".to_owned())]
    );
    let (_, _, events) = server
        .call(
            Method::GET,
            "/api/projects/alpha/events?after_seq=0",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(events["last_seq"], 1, "one event: {events}");
    assert_eq!(events["events"][0]["kind"], "project_created");
    assert_eq!(events["events"][0]["payload"]["owner"]["username"], "admin");

    let mut chat = chat_socket::connect(&server, "alpha", &admin).await;
    let ready = wait_for(&mut chat, "chat_ready", wait())
        .await
        .expect("ready");
    assert!(ready.contains(r#""role":"admin""#), "{ready}");
    let sent = request(
        &mut chat,
        "send_message",
        json!({"content": "first!", "channel": "general"}),
    )
    .await;
    assert_eq!(sent["ok"], true, "{sent}");
}

#[tokio::test]
async fn the_cli_makes_the_owner_admin_in_one_event() {
    let server = TestServer::start().await;
    server.add_user("alice", "alice-password").await;
    let store = huddle_server::bootstrap::open_store(&server.config)
        .await
        .expect("store");
    huddle_server::commands::project_add(store.as_ref(), "beta", "", Some("alice"))
        .await
        .expect("project add");
    let alice = token_of(&server.login("alice", "alice-password").await);
    assert_eq!(
        members(&server, &alice, "beta").await,
        [("alice".to_owned(), "admin".to_owned())]
    );
    let (_, _, project) = server
        .call(Method::GET, "/api/projects/beta", Some(&alice), None)
        .await;
    assert_eq!(
        (project["role"].as_str(), project["last_seq"].as_i64()),
        (Some("admin"), Some(1))
    );
}

#[tokio::test]
async fn the_last_admin_stays_and_only_admins_touch_admins() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    let members_path = "/api/projects/alpha/members";
    for (who, what) in [
        (json!({"username": "admin", "role": "maintainer"}), "demote"),
        (json!({"username": "admin", "role": "viewer"}), "demote"),
    ] {
        let (status, body) = post(&server, members_path, &admin, who).await;
        assert_eq!(status, StatusCode::CONFLICT, "{what}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("only admin")),
            "{body}"
        );
    }
    let (status, _, _) = server
        .call(
            Method::DELETE,
            "/api/projects/alpha/members/admin",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the only admin is not removed"
    );

    server.add_user("alice", "alice-password").await;
    server.add_user("mia", "mia-password").await;
    server.add_user("carl", "carl-password").await;
    server.add_member(&admin, "alpha", "alice", "admin").await;
    server
        .add_member(&admin, "alpha", "mia", "maintainer")
        .await;
    server
        .add_member(&admin, "alpha", "carl", "contributor")
        .await;
    let mia = token_of(&server.login("mia", "mia-password").await);

    let (status, body) = post(
        &server,
        members_path,
        &mia,
        json!({"username": "alice", "role": "viewer"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "maintainer demotes admin: {body}"
    );
    let (status, _, _) = server
        .call(
            Method::DELETE,
            "/api/projects/alpha/members/alice",
            Some(&mia),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "maintainer removes admin");
    let (status, body) = post(
        &server,
        members_path,
        &mia,
        json!({"username": "carl", "role": "viewer"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "maintainer manages others: {body}"
    );

    // With a second admin, the first may step down; the one left is then protected.
    let (status, body) = post(
        &server,
        members_path,
        &admin,
        json!({"username": "admin", "role": "maintainer"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let alice = token_of(&server.login("alice", "alice-password").await);
    let (status, _, _) = server
        .call(
            Method::DELETE,
            "/api/projects/alpha/members/alice",
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let roles = members(&server, &admin, "alpha").await;
    assert!(
        roles.contains(&("alice".to_owned(), "admin".to_owned())),
        "{roles:?}"
    );
}

#[tokio::test]
async fn server_admins_create_accounts_with_a_one_time_password() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (status, created) = post(&server, "/api/users", &admin, json!({"username": "dora"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        (
            created["user"]["kind"].as_str(),
            created["user"]["is_admin"].as_bool()
        ),
        (Some("human"), Some(false))
    );
    let password = created["password"].as_str().expect("one-time password");
    assert!(password.len() >= 20, "{password}");
    assert_eq!(
        login_status(&server, "dora", password).await,
        StatusCode::OK
    );

    let (status, agent) = post(
        &server,
        "/api/users",
        &admin,
        json!({"username": "coder", "kind": "agent", "agent_role": "code"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{agent}");
    assert_eq!(agent["user"]["agent_role"], "code");

    for (body, status, code) in [
        (
            json!({"username": "dora"}),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            json!({"username": "Bad Name"}),
            StatusCode::BAD_REQUEST,
            "invalid_username",
        ),
        (
            json!({"username": "bot", "kind": "agent"}),
            StatusCode::BAD_REQUEST,
            "invalid_agent_role",
        ),
        (
            json!({"username": "bot", "kind": "agent", "agent_role": "code", "is_admin": true}),
            StatusCode::BAD_REQUEST,
            "invalid_account",
        ),
        (
            json!({"username": "bot", "agent_role": "code"}),
            StatusCode::BAD_REQUEST,
            "invalid_account",
        ),
        (
            json!({"username": "bot", "password": "chosen-by-me"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
    ] {
        let (got, answer) = post(&server, "/api/users", &admin, body.clone()).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
    }

    let dora = token_of(&server.login("dora", password).await);
    let (status, _) = post(&server, "/api/users", &dora, json!({"username": "eve"})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "people do not create accounts"
    );
    let (status, _) = post(&server, "/api/users/admin/password", &dora, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nor reset passwords");
}

#[tokio::test]
async fn the_directory_is_for_those_who_add_members() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    server.add_user("mia", "mia-password").await;
    server.add_user("carl", "carl-password").await;
    server
        .add_member(&admin, "alpha", "mia", "maintainer")
        .await;
    server
        .add_member(&admin, "alpha", "carl", "contributor")
        .await;
    for (who, password, status) in [
        ("admin", common::ADMIN_PASSWORD, StatusCode::OK),
        ("mia", "mia-password", StatusCode::OK),
        ("carl", "carl-password", StatusCode::FORBIDDEN),
    ] {
        let token = token_of(&server.login(who, password).await);
        let (got, _, body) = server
            .call(Method::GET, "/api/users", Some(&token), None)
            .await;
        assert_eq!(got, status, "{who}: {body}");
        if got == StatusCode::OK {
            let names: Vec<_> = body["users"]
                .as_array()
                .expect("users")
                .iter()
                .map(|u| u["username"].as_str().unwrap_or_default().to_owned())
                .collect();
            assert_eq!(names, ["admin", "carl", "mia"], "{body}");
            assert!(!body.to_string().contains("argon2"), "no hashes");
        }
    }
}

#[tokio::test]
async fn changing_a_password_ends_every_other_session() {
    let server = TestServer::start().await;
    server.add_user("alice", "alice-password").await;
    let first = server.login("alice", "alice-password").await;
    let second = server.login("alice", "alice-password").await;
    let token = token_of(&second);

    for (body, status, code) in [
        (
            json!({"current_password": "wrong-password", "new_password": "brand-new-pass"}),
            StatusCode::FORBIDDEN,
            "wrong_password",
        ),
        (
            json!({"current_password": "alice-password", "new_password": "short"}),
            StatusCode::BAD_REQUEST,
            "invalid_password",
        ),
    ] {
        let (got, answer) = post(&server, "/api/me/password", &token, body).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{answer}"
        );
    }
    assert_eq!(
        login_status(&server, "alice", "alice-password").await,
        StatusCode::OK
    );

    let (status, fresh) = post(
        &server,
        "/api/me/password",
        &token,
        json!({"current_password": "alice-password", "new_password": "brand-new-pass"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(
        login_status(&server, "alice", "alice-password").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_status(&server, "alice", "brand-new-pass").await,
        StatusCode::OK
    );
    assert_eq!(
        refresh_status(&server, &first["refresh_token"]).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh_status(&server, &second["refresh_token"]).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh_status(&server, &fresh["refresh_token"]).await,
        StatusCode::OK
    );

    // An administrator's reset (and `huddle user passwd`, the same function) ends them too.
    let before = server.login("alice", "brand-new-pass").await;
    let admin = server.admin_token().await;
    let (status, reset) = post(&server, "/api/users/alice/password", &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    let one_time = reset["password"].as_str().expect("password");
    assert_eq!(
        login_status(&server, "alice", one_time).await,
        StatusCode::OK
    );
    assert_eq!(
        login_status(&server, "alice", "brand-new-pass").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh_status(&server, &before["refresh_token"]).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = post(&server, "/api/users/nobody/password", &admin, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_role_change_reaches_an_open_chat_socket_at_once() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    server.add_user("vera", "vera-password").await;
    server.add_member(&admin, "alpha", "vera", "viewer").await;
    let vera = token_of(&server.login("vera", "vera-password").await);
    let mut chat = chat_socket::connect(&server, "alpha", &vera).await;
    wait_for(&mut chat, "chat_ready", wait())
        .await
        .expect("ready");
    let say = json!({"content": "hello", "channel": "general"});
    let refused = request(&mut chat, "send_message", say.clone()).await;
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");

    server
        .add_member(&admin, "alpha", "vera", "contributor")
        .await;
    let changed = wait_for(&mut chat, "member_role_changed", wait())
        .await
        .expect("told of the change");
    assert!(changed.contains(r#""role":"contributor""#), "{changed}");
    let sent = request(&mut chat, "send_message", say.clone()).await;
    assert_eq!(sent["ok"], true, "no reconnect needed: {sent}");

    server.add_member(&admin, "alpha", "vera", "viewer").await;
    wait_for(&mut chat, "member_role_changed", wait())
        .await
        .expect("told of the demotion");
    let refused = request(&mut chat, "send_message", say).await;
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
}

#[tokio::test]
async fn a_person_added_to_a_project_is_told_on_the_portal() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    server.add_user("bob", "bob-password").await;
    let bob = token_of(&server.login("bob", "bob-password").await);
    let mut portal = chat_socket::connect_to(&server, "/portal", &json!({ "token": bob })).await;
    server
        .add_member(&admin, "alpha", "bob", "contributor")
        .await;
    let told = wait_for(&mut portal, "added_to_project", wait())
        .await
        .expect("added_to_project");
    assert!(
        told.contains(r#""project_name":"alpha""#) && told.contains(r#""role":"contributor""#),
        "{told}"
    );
}

#[tokio::test]
async fn history_reads_do_not_spend_the_send_budget() {
    let server = TestServer::start_with(|c| {
        c.realtime.events_per_second = 2;
        c.realtime.events_per_minute = 100;
    })
    .await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    let mut chat = chat_socket::connect(&server, "alpha", &admin).await;
    let ready = wait_for(&mut chat, "chat_ready", wait())
        .await
        .expect("ready");
    assert!(
        ready.contains(
            r#""limits":{"max_attachments":5,"max_file_bytes":10485760,"max_message_chars":2000}"#
        ),
        "{ready}"
    );
    for page in 0..15 {
        let history = request(
            &mut chat,
            "request_message_history",
            json!({"channel": "general", "limit": 10}),
        )
        .await;
        assert_eq!(history["ok"], true, "page {page}: {history}");
    }
    let sent = request(
        &mut chat,
        "send_message",
        json!({"content": "still allowed", "channel": "general"}),
    )
    .await;
    assert_eq!(sent["ok"], true, "{sent}");
    let mut limited = false;
    for _ in 0..10 {
        let history = request(
            &mut chat,
            "request_message_history",
            json!({"channel": "general"}),
        )
        .await;
        limited |= history["error"]["code"] == "rate_limited";
    }
    assert!(limited, "reads have a limit of their own");
}

#[tokio::test]
async fn channels_say_where_the_reader_stopped() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    let mut chat = chat_socket::connect(&server, "alpha", &admin).await;
    wait_for(&mut chat, "chat_ready", wait())
        .await
        .expect("ready");
    let sent = request(
        &mut chat,
        "send_message",
        json!({"content": "read me", "channel": "general"}),
    )
    .await;
    let id = sent["message"]["message_id"].clone();
    let marked = request(
        &mut chat,
        "mark_read",
        json!({"channel": "general", "message_id": id}),
    )
    .await;
    assert_eq!(marked["ok"], true, "{marked}");
    let (_, _, list) = server
        .call(
            Method::GET,
            "/api/projects/alpha/channels",
            Some(&admin),
            None,
        )
        .await;
    let general = list["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .find(|c| c["name"] == "general")
        .expect("general")
        .clone();
    assert_eq!(general["last_read_message_id"], id, "{general}");
    let workflow = list["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .find(|c| c["name"] == "workflow")
        .expect("workflow")
        .clone();
    assert_eq!(workflow["last_read_message_id"], Value::Null);
}
