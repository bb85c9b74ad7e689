//! Caching headers against a real server: API answers are never stored, attachment downloads
//! only privately (and not at all when the token is in the URL), and the CSP lets the page
//! connect to its own origin only.

use crate::common;

use common::TestServer;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn cache_control(headers: &reqwest::header::HeaderMap) -> &str {
    headers
        .get("cache-control")
        .map_or("", |v| v.to_str().expect("ascii"))
}

#[tokio::test]
async fn api_answers_are_never_stored() {
    let server = TestServer::start().await;
    let (status, headers, _) = server
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"username": "admin", "password": common::ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache_control(&headers), "no-store", "tokens in the body");
    let admin = server.admin_token().await;
    for (path, expected) in [
        ("/api/me", StatusCode::OK),
        ("/api/projects", StatusCode::OK),
        ("/api/no-such-route", StatusCode::NOT_FOUND),
    ] {
        let (status, headers, _) = server.call(Method::GET, path, Some(&admin), None).await;
        assert_eq!(status, expected, "{path}");
        assert_eq!(cache_control(&headers), "no-store", "{path}");
    }
    let (status, headers, _) = server.call(Method::GET, "/api/me", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(cache_control(&headers), "no-store");
}

#[tokio::test]
async fn downloads_are_cached_privately_and_not_at_all_by_token_link() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    let form = Form::new().part("file", Part::bytes(b"hello".to_vec()).file_name("a.txt"));
    let res = server
        .http
        .post(server.url("/api/projects/alpha/attachments"))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.expect("json");
    let url = body["attachments"][0]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let by_header = server
        .http
        .get(server.url(&url))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(by_header.status(), StatusCode::OK);
    assert_eq!(cache_control(by_header.headers()), "private, max-age=3600");
    let by_link = server
        .http
        .get(server.url(&format!("{url}?token={admin}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(by_link.status(), StatusCode::OK);
    assert_eq!(cache_control(by_link.headers()), "private, no-store");
}

#[tokio::test]
async fn the_page_may_connect_to_its_own_origin_only() {
    let server = TestServer::start().await;
    let res = server.http.get(server.url("/")).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("connect-src 'self';"), "{csp}");
    assert!(!csp.contains("ws:") && !csp.contains("wss:"), "{csp}");
    assert_ne!(
        cache_control(res.headers()),
        "no-store",
        "the page is not an API answer"
    );
}
