//! Health, readiness, security headers, CORS, the web UI and graceful shutdown.

use crate::common;

use common::TestServer;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn health_and_ready_answer() {
    let server = TestServer::start().await;
    let (status, _, body) = server.call(Method::GET, "/health", None, None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, _, body) = server.call(Method::GET, "/ready", None, None).await;
    assert_eq!(
        (status, body["database"].as_str()),
        (StatusCode::OK, Some("sqlite"))
    );
}

#[tokio::test]
async fn every_response_carries_strict_security_headers_and_no_cors() {
    let server = TestServer::start().await;
    for path in ["/", "/health", "/api/nothing-here"] {
        let res = server
            .http
            .get(server.url(path))
            .header("origin", "https://evil.example")
            .send()
            .await
            .expect("sent");
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().expect("ascii");
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(h.contains_key("x-request-id"));
        assert!(
            !h.contains_key("access-control-allow-origin"),
            "CORS is closed by default on {path}"
        );
    }
}

#[tokio::test]
async fn configured_origins_get_cors() {
    let server =
        TestServer::start_with(|c| c.http.cors_origins = vec!["https://ok.example".into()]).await;
    let res = server
        .http
        .get(server.url("/health"))
        .header("origin", "https://ok.example")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://ok.example"
    );
    let res = server
        .http
        .get(server.url("/health"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("sent");
    assert!(!res.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn the_ui_is_served_and_unknown_api_routes_are_json_404() {
    let server = TestServer::start().await;
    let res = server.http.get(server.url("/")).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(
        html.contains("<script type=\"importmap\">"),
        "index.html with an import map"
    );
    let res = server
        .http
        .get(server.url("/projects/alpha"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "client-side routes get the app"
    );
    let res = server
        .http
        .get(server.url("/missing.js"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, _, body) = server
        .call(Method::GET, "/api/nothing-here", None, None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn shutdown_stops_the_server_cleanly() {
    let mut server = TestServer::start().await;
    server.stop().await.expect("clean stop");
    assert!(
        server.http.get(server.url("/health")).send().await.is_err(),
        "no longer listening"
    );
}
