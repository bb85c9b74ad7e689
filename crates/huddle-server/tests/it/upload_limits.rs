//! Upload limits against a real server (small limits set through the test config): files and
//! bytes per minute per user (`429` with `Retry-After` and a hint) and a quota of bytes
//! uploaded but not yet sent (`413 upload_quota_exceeded`), which holds when uploads race and
//! frees up when files are sent or removed.

use crate::common;

use common::chat_socket::{connect, request};
use common::{token_of, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn upload(server: &TestServer, token: &str, sizes: &[usize]) -> (StatusCode, String, Value) {
    let mut form = Form::new();
    for (i, size) in sizes.iter().enumerate() {
        form = form.part(
            "file",
            Part::bytes(vec![b'x'; *size]).file_name(format!("f{i}.txt")),
        );
    }
    let res = server
        .http
        .post(server.url("/api/projects/alpha/attachments"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    (status, retry, res.json().await.unwrap_or(Value::Null))
}

fn ids(body: &Value) -> Vec<String> {
    body["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .map(|a| a["attachment_id"].as_str().expect("id").to_owned())
        .collect()
}

/// Project alpha with bob as a contributor; tokens of admin and bob.
async fn setup(server: &TestServer) -> (String, String) {
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    server.add_user("bob", "bob-password").await;
    server
        .add_member(&admin, "alpha", "bob", "contributor")
        .await;
    let bob = token_of(&server.login("bob", "bob-password").await);
    (admin, bob)
}

#[tokio::test]
async fn files_per_minute_are_limited_per_user() {
    let server = TestServer::start_with(|c| c.attachments.uploads_per_minute = 3).await;
    let (admin, bob) = setup(&server).await;
    let (status, _, body) = upload(&server, &admin, &[10, 10]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, body) = upload(&server, &admin, &[10]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, retry, body) = upload(&server, &admin, &[10]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["hint"]
        .as_str()
        .is_some_and(|h| h.contains("3 files")));
    let retry: u64 = retry.parse().expect("Retry-After in seconds");
    assert!((1..=20).contains(&retry), "one file per 20 s: {retry}");
    let (status, _, body) = upload(&server, &bob, &[10, 10, 10]).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "bob has a budget of his own: {body}"
    );
}

#[tokio::test]
async fn bytes_per_minute_are_limited_per_user() {
    let server = TestServer::start_with(|c| c.attachments.upload_bytes_per_minute = 1000).await;
    let (admin, _) = setup(&server).await;
    let (status, _, body) = upload(&server, &admin, &[800]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, retry, body) = upload(&server, &admin, &[400]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(retry.parse::<u64>().is_ok_and(|s| s >= 1), "{retry}");
    let (status, _, body) = upload(&server, &admin, &[150]).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "what is left of the budget: {body}"
    );
}

#[tokio::test]
async fn unsent_bytes_have_a_quota_that_sending_or_removing_frees() {
    let server = TestServer::start_with(|c| c.attachments.max_pending_bytes = 1000).await;
    let (admin, bob) = setup(&server).await;
    let (status, _, first) = upload(&server, &admin, &[600]).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, _, body) = upload(&server, &admin, &[300, 300]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "upload_quota_exceeded");
    assert_eq!(
        body["error"]["hint"],
        "Send or remove your pending files first."
    );
    let (status, _, body) = upload(&server, &bob, &[1000]).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "bob's quota is his own: {body}"
    );

    let mut socket = connect(&server, "alpha", &admin).await;
    let sent = request(
        &mut socket,
        "send_message",
        json!({"content": "", "attachments": ids(&first)}),
    )
    .await;
    assert_eq!(sent["ok"], true, "{sent}");
    let (status, _, second) = upload(&server, &admin, &[300, 300]).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "sent files no longer count: {second}"
    );
    let (status, _, body) = upload(&server, &admin, &[500]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");

    let pending = ids(&second);
    let path = format!("/api/attachments/{}", pending[0]);
    let (status, _, body) = server.call(Method::DELETE, &path, Some(&bob), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not bob's: {body}");
    let (status, _, _) = server.call(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = server.call(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "removed");
    let (status, _, body) = upload(&server, &admin, &[500]).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "removing freed the quota: {body}"
    );
    let sent_id = ids(&first)[0].clone();
    let (status, _, body) = server
        .call(
            Method::DELETE,
            &format!("/api/attachments/{sent_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a sent file stays: {body}");
}

#[tokio::test]
async fn the_quota_holds_when_uploads_race() {
    let server = TestServer::start_with(|c| c.attachments.max_pending_bytes = 1000).await;
    let (admin, _) = setup(&server).await;
    let races: Vec<_> = (0..12).map(|_| upload(&server, &admin, &[100])).collect();
    let answers = futures::future::join_all(races).await;
    let created = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::CREATED)
        .count();
    let refused = answers
        .iter()
        .filter(|(status, _, body)| {
            *status == StatusCode::PAYLOAD_TOO_LARGE
                && body["error"]["code"] == "upload_quota_exceeded"
        })
        .count();
    assert_eq!((created, refused), (10, 2), "{answers:?}");
}
