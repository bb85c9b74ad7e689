//! Authentication over HTTP against a real server: login, throttling, refresh rotation, logout
//! and every kind of bad credential.

use crate::common;

use common::{token_of, TestServer, ADMIN_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn login_returns_a_token_pair_and_me_works() {
    let server = TestServer::start().await;
    let login = server.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(login["token_type"], "Bearer");
    assert_eq!(login["expires_in"], 3600);
    assert_eq!(login["user"]["username"], "admin");
    assert!(login.get("password_hash").is_none() && login["user"].get("password_hash").is_none());
    let (status, _, me) = server
        .call(Method::GET, "/api/me", Some(&token_of(&login)), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["is_admin"], true);
    assert!(me["permissions"]
        .as_array()
        .expect("list")
        .contains(&json!("projects:create")));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let server = TestServer::start().await;
    for (user, pass) in [
        ("admin", "nope-nope"),
        ("ghost", "whatever1"),
        ("", ""),
        (&*"x".repeat(500), "p"),
    ] {
        let (status, _, body) = server
            .call(
                Method::POST,
                "/auth/login",
                None,
                Some(json!({"username": user, "password": pass})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{user}");
        assert_eq!(body["error"]["code"], "invalid_credentials");
    }
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let server = TestServer::start_with(|c| c.auth.max_failures_per_user = 3).await;
    let bad = json!({"username": "admin", "password": "wrong-password"});
    for _ in 0..3 {
        let (status, _, _) = server
            .call(Method::POST, "/auth/login", None, Some(bad.clone()))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let good = json!({"username": "admin", "password": ADMIN_PASSWORD});
    let (status, headers, body) = server
        .call(Method::POST, "/auth/login", None, Some(good))
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits: {body}"
    );
    assert_eq!(body["error"]["code"], "too_many_attempts");
    let retry: u64 = headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry > 0 && retry <= 900, "{retry}");
}

#[tokio::test]
async fn too_many_attempts_from_one_address_are_throttled() {
    let server = TestServer::start_with(|c| c.auth.max_attempts_per_ip = 4).await;
    for i in 0..4 {
        let body = json!({"username": format!("user{i}"), "password": "wrong-password"});
        let (status, _, _) = server
            .call(Method::POST, "/auth/login", None, Some(body))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let body = json!({"username": "admin", "password": ADMIN_PASSWORD});
    let (status, headers, _) = server
        .call(Method::POST, "/auth/login", None, Some(body))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test]
async fn refresh_rotates_and_a_replay_revokes_the_session() {
    // A replay later than the grace period for two tabs refreshing at once (0 s here).
    let server = TestServer::start_with(|c| c.auth.refresh_grace_secs = 0).await;
    let login = server.login("admin", ADMIN_PASSWORD).await;
    let first = login["refresh_token"].clone();
    let (status, _, rotated) = server
        .call(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({"refresh_token": first})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(rotated["refresh_token"], first);
    let (status, _, me) = server
        .call(Method::GET, "/api/me", Some(&token_of(&rotated)), None)
        .await;
    assert_eq!(
        (status, me["user"]["username"].as_str()),
        (StatusCode::OK, Some("admin"))
    );

    let (status, _, body) = server
        .call(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({"refresh_token": first})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "replay refused: {body}");
    let second = rotated["refresh_token"].clone();
    let (status, _, _) = server
        .call(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({"refresh_token": second})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the family is revoked, so the newer token is dead too"
    );
}

#[tokio::test]
async fn logout_ends_the_refresh_token() {
    let server = TestServer::start().await;
    let login = server.login("admin", ADMIN_PASSWORD).await;
    let refresh = json!({"refresh_token": login["refresh_token"]});
    let (status, _, _) = server
        .call(Method::POST, "/auth/logout", None, Some(refresh.clone()))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = server
        .call(Method::POST, "/auth/refresh", None, Some(refresh))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn missing_malformed_forged_and_expired_tokens_are_refused() {
    let server = TestServer::start().await;
    let forged = huddle_server::auth::JwtKeys::new(b"some-other-secret-some-other-secret", 3600)
        .issue("someone", "admin", true, false, "some-session")
        .expect("issue");
    let secret = std::fs::read(server.data_dir().join("jwt-secret")).expect("secret");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = huddle_server::auth::Claims {
        sub: "someone".into(),
        name: "admin".into(),
        adm: true,
        agt: false,
        sid: "some-session".into(),
        iat: now - 7200,
        exp: now - 3600,
    };
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&secret),
    )
    .expect("encode");
    let (status, _, body) = server.call(Method::GET, "/api/me", None, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    for token in ["garbage", forged.as_str(), expired.as_str()] {
        let (status, _, _) = server.call(Method::GET, "/api/me", Some(token), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token}");
    }
    let valid = server.admin_token().await;
    let res = server
        .http
        .get(server.url("/api/me"))
        .header("authorization", format!("Token {valid}"))
        .send()
        .await;
    assert_eq!(
        res.expect("sent").status(),
        StatusCode::UNAUTHORIZED,
        "only the Bearer scheme"
    );
}

#[tokio::test]
async fn bad_bodies_get_json_errors_and_the_server_keeps_serving() {
    let server = TestServer::start().await;
    let send = |body: String, ctype: &'static str| {
        let req = server
            .http
            .post(server.url("/auth/login"))
            .header("content-type", ctype)
            .body(body);
        async move {
            let res = req.send().await.expect("sent");
            let status = res.status();
            let json: serde_json::Value = res.json().await.expect("json error body");
            (
                status,
                json["error"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        }
    };
    assert_eq!(
        send("{\"username\":".into(), "application/json").await,
        (StatusCode::BAD_REQUEST, "invalid_json".into())
    );
    assert_eq!(
        send(
            json!({"username":"a","password":"b","admin":true}).to_string(),
            "application/json"
        )
        .await,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request".into())
    );
    assert_eq!(
        send("username=a".into(), "application/x-www-form-urlencoded").await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type".into()
        )
    );
    let huge = format!(
        "{{\"username\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(200_000)
    );
    assert_eq!(
        send(huge, "application/json").await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );
    server.login("admin", ADMIN_PASSWORD).await;
}
