//! Login throttling against a real server: wrong passwords wait longer each time, the right
//! password gets in once the (small, configured) wait is over, and a stranger at another
//! address cannot keep the real user out.

use crate::common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::{TestServer, ADMIN_PASSWORD};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// One free failure per address and username, then 1 s, 2 s, 4 s … up to 4 s.
async fn server() -> TestServer {
    TestServer::start_with(|c| {
        c.auth.max_failures_per_user = 1;
        c.auth.login_delay_secs = 1;
        c.auth.max_login_delay_secs = 4;
    })
    .await
}

/// A login from `from` (a loopback address: Linux routes all of 127.0.0.0/8 to this host).
async fn login(
    server: &TestServer,
    from: IpAddr,
    password: &str,
) -> (StatusCode, HeaderMap, Value) {
    let client = reqwest::Client::builder()
        .local_address(from)
        .build()
        .expect("client");
    let res = client
        .post(server.url("/auth/login"))
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .await
        .expect("sent");
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.json().await.unwrap_or(Value::Null))
}

fn retry_after(headers: &HeaderMap) -> u64 {
    headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds")
}

const HOME: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const ELSEWHERE: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// Over HTTP, one wait: how waits grow with each failure is the throttle's unit tests' business
/// (explicit instants, no sleeping).
#[tokio::test]
async fn a_failure_makes_the_next_attempt_wait_and_the_right_password_gets_in_after_it() {
    let server = server().await;
    let (status, _, body) = login(&server, HOME, "wrong-password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, headers, body) = login(&server, HOME, ADMIN_PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "while a wait is pending even the right password is not checked: {body}"
    );
    assert_eq!(body["error"]["code"], "too_many_attempts");
    let wait = retry_after(&headers);
    assert_eq!(wait, 1, "the configured first wait, in whole seconds");
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let (status, _, body) = login(&server, HOME, ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "after the wait: {body}");
    let (status, _, _) = login(&server, HOME, "wrong-password").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a success clears the count: the next failure is free again"
    );
}

#[tokio::test]
async fn a_stranger_guessing_elsewhere_does_not_keep_the_real_user_out() {
    let server = server().await;
    let mut refused = 0;
    for _ in 0..10 {
        let (status, _, _) = login(&server, ELSEWHERE, "guess-password").await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(refused >= 5, "the guesser waits: {refused} of 10 refused");
    let (status, _, body) = login(&server, HOME, ADMIN_PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the real user gets in at once: {body}"
    );
    let (status, _, _) = login(&server, ELSEWHERE, "guess-password").await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "and the guesser still waits"
    );
}

#[tokio::test]
async fn changing_ones_password_is_throttled_the_same_way() {
    let server = server().await;
    let token = server.admin_token().await;
    let change = |current: &'static str| {
        let (server, token) = (&server, token.clone());
        async move {
            let res = server
                .http
                .post(server.url("/api/me/password"))
                .bearer_auth(token)
                .json(&json!({"current_password": current, "new_password": "new-password-1"}))
                .send()
                .await
                .expect("sent");
            let (status, headers) = (res.status(), res.headers().clone());
            (status, headers)
        }
    };
    assert_eq!(change("wrong-password").await.0, StatusCode::FORBIDDEN);
    let (status, headers) = change(ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&headers);
    assert_eq!(wait, 1);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(change(ADMIN_PASSWORD).await.0, StatusCode::OK);
}
