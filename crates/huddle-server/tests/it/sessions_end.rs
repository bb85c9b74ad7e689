//! Sessions that really end: logout, a replayed refresh token and a password change end the
//! session's access tokens and close its sockets; an expired token closes its socket; rights
//! come from the store, not from the token.

use crate::common;

use std::time::Duration;

use common::chat_socket::{self, wait_for};
use common::{token_of, wait, TestServer, ADMIN_PASSWORD};
use huddle_bench::socket::SocketClient;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn me(server: &TestServer, token: &str) -> (StatusCode, Value) {
    let (status, _, body) = server.call(Method::GET, "/api/me", Some(token), None).await;
    (status, body)
}

fn refresh_of(login: &Value) -> String {
    login["refresh_token"].as_str().expect("refresh").to_owned()
}

/// A socket in the project's chat, once it is ready.
async fn chat(server: &TestServer, token: &str) -> SocketClient {
    let mut socket = chat_socket::connect(server, "alpha", token).await;
    wait_for(&mut socket, "chat_ready", wait())
        .await
        .expect("chat_ready");
    socket
}

/// The `session_ended` notice the socket gets, and whether the socket is closed after it.
async fn ended(socket: &mut SocketClient, within: Duration) -> (String, bool) {
    let notice = wait_for(socket, "session_ended", within)
        .await
        .expect("session_ended arrives");
    let closed = tokio::time::timeout(wait(), async {
        while let Ok(Some(_)) = socket.next_event().await {}
    })
    .await
    .is_ok();
    (notice, closed)
}

async fn cannot_connect(server: &TestServer, token: &str) -> bool {
    chat_socket::try_connect_to(server, "/chat/alpha", &json!({ "token": token }))
        .await
        .is_err()
}

#[tokio::test]
async fn logout_ends_the_access_token_and_closes_the_sessions_sockets() {
    let server = TestServer::start().await;
    let login = server.login("admin", ADMIN_PASSWORD).await;
    let token = token_of(&login);
    server.create_project(&token, "alpha").await;
    let other = token_of(&server.login("admin", ADMIN_PASSWORD).await);
    let mut socket = chat(&server, &token).await;
    let mut bystander = chat(&server, &other).await;

    let (status, _, _) = server
        .call(
            Method::POST,
            "/auth/logout",
            None,
            Some(json!({ "refresh_token": refresh_of(&login) })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (status, body) = me(&server, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "session_ended", "{body}");
    let (notice, closed) = ended(&mut socket, wait()).await;
    assert!(notice.contains("\"reason\":\"ended\""), "{notice}");
    assert!(closed, "the socket is closed after the notice");
    assert!(
        cannot_connect(&server, &token).await,
        "nor can it come back"
    );

    assert_eq!(
        me(&server, &other).await.0,
        StatusCode::OK,
        "another login lives on"
    );
    let ack = bystander
        .request(
            "send_message",
            &json!({"channel": "general", "content": "still here"}).to_string(),
        )
        .await
        .expect("ack");
    assert!(ack.contains("\"ok\":true"), "{ack}");
}

#[tokio::test]
async fn a_replayed_refresh_token_ends_the_session_everywhere() {
    let server = TestServer::start_with(|c| c.auth.refresh_grace_secs = 0).await;
    let login = server.login("admin", ADMIN_PASSWORD).await;
    server.create_project(&token_of(&login), "alpha").await;
    let stolen = refresh_of(&login);
    let (status, _, rotated) = server
        .call(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({ "refresh_token": stolen })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let current = token_of(&rotated);
    let mut socket = chat(&server, &current).await;

    let (status, _, _) = server
        .call(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({ "refresh_token": stolen })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a replay is refused");
    assert_eq!(
        me(&server, &current).await.0,
        StatusCode::UNAUTHORIZED,
        "and the session's newest access token dies with it"
    );
    let (notice, closed) = ended(&mut socket, wait()).await;
    assert!(notice.contains("\"reason\":\"ended\""), "{notice}");
    assert!(closed);
    assert!(cannot_connect(&server, &current).await);
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_both_keep_the_session() {
    let server = TestServer::start().await;
    let login = server.login("admin", ADMIN_PASSWORD).await;
    let body = json!({ "refresh_token": refresh_of(&login) });
    let (a, b) = tokio::join!(
        server.call(Method::POST, "/auth/refresh", None, Some(body.clone())),
        server.call(Method::POST, "/auth/refresh", None, Some(body)),
    );
    assert_eq!(
        (a.0, b.0),
        (StatusCode::OK, StatusCode::OK),
        "{} / {}",
        a.2,
        b.2
    );
    for pair in [&a.2, &b.2] {
        assert_eq!(me(&server, &token_of(pair)).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_its_sockets() {
    let server = TestServer::start().await;
    let first = token_of(&server.login("admin", ADMIN_PASSWORD).await);
    server.create_project(&first, "alpha").await;
    let second = token_of(&server.login("admin", ADMIN_PASSWORD).await);
    let mut socket = chat(&server, &first).await;

    let (status, _, fresh) = server
        .call(
            Method::POST,
            "/api/me/password",
            Some(&second),
            Some(json!({ "current_password": ADMIN_PASSWORD, "new_password": "a-new-password" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    let (notice, closed) = ended(&mut socket, wait()).await;
    assert!(notice.contains("password_changed"), "{notice}");
    assert!(closed);
    for old in [&first, &second] {
        assert_eq!(me(&server, old).await.0, StatusCode::UNAUTHORIZED);
    }
    let fresh = token_of(&fresh);
    assert_eq!(
        me(&server, &fresh).await.0,
        StatusCode::OK,
        "the tab that asked goes on"
    );
    let _kept = chat(&server, &fresh).await;
}

#[tokio::test]
async fn a_password_changed_from_the_cli_closes_sockets_within_the_check_interval() {
    let server = TestServer::start_with(|c| {
        c.auth.session_check_secs = 1;
        c.realtime.session_recheck_secs = 1;
    })
    .await;
    let token = token_of(&server.login("admin", ADMIN_PASSWORD).await);
    server.create_project(&token, "alpha").await;
    let mut socket = chat(&server, &token).await;
    // The CLI is another process: it changes the store only.
    let store = huddle_server::bootstrap::open_store(&server.config)
        .await
        .expect("store");
    huddle_server::commands::user_passwd(store.as_ref(), "admin", "cli-new-password".into())
        .await
        .expect("passwd");
    let (notice, closed) = ended(&mut socket, wait()).await;
    assert!(notice.contains("\"reason\":\"ended\""), "{notice}");
    assert!(closed);
    assert_eq!(me(&server, &token).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_socket_stops_posting_once_the_cli_ends_its_session_without_waiting_for_the_sweep() {
    // The sweep never comes within this test: only the per-event check can refuse.
    let server = TestServer::start_with(|c| {
        c.auth.session_check_secs = 1;
        c.realtime.session_recheck_secs = 3600;
        c.realtime.events_per_second = 1000;
        c.realtime.events_per_minute = 100_000;
    })
    .await;
    let token = token_of(&server.login("admin", ADMIN_PASSWORD).await);
    server.create_project(&token, "alpha").await;
    let mut socket = chat(&server, &token).await;
    let store = huddle_server::bootstrap::open_store(&server.config)
        .await
        .expect("store");
    huddle_server::commands::user_passwd(store.as_ref(), "admin", "cli-new-password".into())
        .await
        .expect("passwd");
    // Sends keep being accepted until the cached answer (1 s) runs out, then are refused.
    let started = tokio::time::Instant::now();
    let refused = loop {
        let ack = chat_socket::request(
            &mut socket,
            "send_message",
            json!({"channel": "general", "content": "still here?"}),
        )
        .await;
        if ack["ok"] != true {
            break ack;
        }
        assert!(
            started.elapsed() < wait(),
            "still posting after {:?}",
            wait()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(refused["error"]["code"], "session_ended", "{refused}");
    let (notice, closed) = ended(&mut socket, wait()).await;
    assert!(notice.contains("\"reason\":\"ended\""), "{notice}");
    assert!(closed);
}

#[tokio::test]
async fn a_socket_closes_when_its_access_token_expires() {
    let server = TestServer::start_with(|c| {
        c.auth.access_token_ttl_secs = 2;
        c.realtime.session_recheck_secs = 1;
    })
    .await;
    let token = token_of(&server.login("admin", ADMIN_PASSWORD).await);
    server.create_project(&token, "alpha").await;
    let mut socket = chat(&server, &token).await;
    let (notice, closed) = ended(&mut socket, wait()).await;
    assert!(notice.contains("\"reason\":\"expired\""), "{notice}");
    assert!(closed, "an expired socket does not keep posting");
}

#[tokio::test]
async fn rights_come_from_the_store_not_from_the_token() {
    let server = TestServer::start().await;
    server.add_user("bob", "bob-password-1").await;
    let bob = token_of(&server.login("bob", "bob-password-1").await);
    // Bob's own token, re-signed with the server's secret and the admin claim set.
    let secret = std::fs::read(server.data_dir().join("jwt-secret")).expect("secret");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.insecure_disable_signature_validation();
    let mut claims = jsonwebtoken::decode::<huddle_server::auth::Claims>(
        &bob,
        &jsonwebtoken::DecodingKey::from_secret(b"unused"),
        &validation,
    )
    .expect("decode")
    .claims;
    claims.adm = true;
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&secret),
    )
    .expect("encode");
    let (status, _, body) = server
        .call(
            Method::POST,
            "/api/projects",
            Some(&forged),
            Some(json!({ "name": "mine" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, me) = me(&server, &forged).await;
    assert_eq!(me["user"]["is_admin"], false, "{me}");
}

#[tokio::test]
async fn an_unknown_event_is_answered() {
    let server = TestServer::start().await;
    let token = token_of(&server.login("admin", ADMIN_PASSWORD).await);
    server.create_project(&token, "alpha").await;
    let mut socket = chat(&server, &token).await;
    let ack = tokio::time::timeout(wait(), socket.request("no_such_thing", "{}"))
        .await
        .expect("answered at once")
        .expect("ack");
    assert!(ack.contains("unknown_event"), "{ack}");
}
