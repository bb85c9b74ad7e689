//! History paging refuses a cursor that is not a message id, over REST and the socket, instead
//! of answering with the newest page as if no cursor had been given.

use crate::common;

use common::chat_socket::{connect, request};
use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_malformed_cursor_is_a_bad_request_not_page_one() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    let mut socket = connect(&server, "alpha", &admin).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let sent = request(
            &mut socket,
            "send_message",
            json!({"content": format!("m{i}")}),
        )
        .await;
        ids.push(
            sent["message"]["message_id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let page = |query: String| {
        let (server, admin) = (&server, &admin);
        async move {
            let path = format!("/api/projects/alpha/channels/general/messages?{query}");
            let (status, _, body) = server.call(Method::GET, &path, Some(admin), None).await;
            (status, body)
        }
    };
    let (status, body) = page(format!("before={}", ids[2])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["messages"].as_array().map(Vec::len), Some(2));
    let upper = ids[2].to_uppercase();
    for bad in [
        "garbage",
        "",
        "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        upper.as_str(),
        "%00",
    ] {
        let (status, body) = page(format!("before={bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "before={bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_query");
        assert!(body["error"]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("message_id")));
    }
    let (status, body) = page("thread_id=nope".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_query");

    let ack = request(
        &mut socket,
        "request_message_history",
        json!({"channel": "general", "before": "garbage"}),
    )
    .await;
    assert_eq!(ack["ok"], false, "{ack}");
    assert_eq!(ack["error"]["code"], "invalid_query");
    assert!(ack["error"]["hint"].as_str().is_some());
    let ack = request(
        &mut socket,
        "request_message_history",
        json!({"channel": "general", "before": ids[1]}),
    )
    .await;
    assert_eq!(ack["messages"].as_array().map(Vec::len), Some(1), "{ack}");
}
