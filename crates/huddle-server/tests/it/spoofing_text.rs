//! Invisible and spoofing text against a real server: messages that show nothing are empty,
//! reactions must show something, NUL is refused in every text field, and file names lose the
//! bidi controls that would make them read backwards.

use crate::common;

use common::chat_socket::{connect, request};
use common::TestServer;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn setup(server: &TestServer) -> String {
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    admin
}

fn code(ack: &Value) -> &str {
    ack["error"]["code"].as_str().unwrap_or("ok")
}

#[tokio::test]
async fn messages_that_show_nothing_are_refused_like_empty_ones() {
    let server = TestServer::start().await;
    let admin = setup(&server).await;
    let mut socket = connect(&server, "alpha", &admin).await;
    let empty = request(&mut socket, "send_message", json!({"content": "   "})).await;
    assert_eq!(code(&empty), "invalid_message");
    for invisible in [
        "\u{200B}",
        "\u{200B}\u{200C}\u{200D} \u{2060}\u{FEFF}",
        "\u{202E}\u{2066}\u{2069}",
        "\u{00AD}\u{180E}\n\u{3164}",
    ] {
        let ack = request(&mut socket, "send_message", json!({"content": invisible})).await;
        assert_eq!(ack["ok"], false, "{invisible:?}: {ack}");
        assert_eq!(
            ack["error"], empty["error"],
            "{invisible:?} is refused exactly like an empty message"
        );
    }
    let sent = request(
        &mut socket,
        "send_message",
        json!({"content": "hi\u{200B}"}),
    )
    .await;
    assert_eq!(sent["ok"], true, "{sent}");
    let id = sent["message"]["message_id"].clone();
    let edit = request(
        &mut socket,
        "edit_message",
        json!({"message_id": id, "content": "\u{200B}\u{200D}"}),
    )
    .await;
    assert_eq!(code(&edit), "invalid_message", "edits follow the same rule");
}

#[tokio::test]
async fn reactions_must_show_something() {
    let server = TestServer::start().await;
    let admin = setup(&server).await;
    let mut socket = connect(&server, "alpha", &admin).await;
    let sent = request(
        &mut socket,
        "send_message",
        json!({"content": "react here"}),
    )
    .await;
    let id = sent["message"]["message_id"].clone();
    for invisible in ["\u{200B}", "\u{FE0F}", "\u{200D}\u{2060}", "\u{202E}"] {
        let ack = request(
            &mut socket,
            "add_reaction",
            json!({"message_id": id, "emoji": invisible}),
        )
        .await;
        assert_eq!(code(&ack), "invalid_reaction", "{invisible:?}: {ack}");
    }
    let ack = request(
        &mut socket,
        "add_reaction",
        json!({"message_id": id, "emoji": "👍"}),
    )
    .await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(ack["reactions"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn nul_is_refused_in_every_text_field() {
    let server = TestServer::start().await;
    let admin = setup(&server).await;
    let mut socket = connect(&server, "alpha", &admin).await;
    let ack = request(&mut socket, "send_message", json!({"content": "a\u{0}b"})).await;
    assert_eq!(code(&ack), "invalid_payload", "{ack}");
    assert!(ack["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("NUL")));
    let ack = request(
        &mut socket,
        "send_message",
        json!({"content": "fine", "client_id": "c\u{0}"}),
    )
    .await;
    assert_eq!(code(&ack), "invalid_payload", "{ack}");
    let sent = request(&mut socket, "send_message", json!({"content": "fine"})).await;
    let id = sent["message"]["message_id"].clone();
    let ack = request(
        &mut socket,
        "add_reaction",
        json!({"message_id": id, "emoji": "👍\u{0}"}),
    )
    .await;
    assert_eq!(code(&ack), "invalid_payload", "{ack}");
    let ack = request(
        &mut socket,
        "edit_message",
        json!({"message_id": id, "content": "x\u{0}"}),
    )
    .await;
    assert_eq!(code(&ack), "invalid_payload", "{ack}");
    let ack = request(
        &mut socket,
        "create_channel",
        json!({"name": "ok-name", "description": "d\u{0}"}),
    )
    .await;
    assert_eq!(code(&ack), "invalid_payload", "{ack}");
    let (status, _, body) = server
        .call(
            Method::POST,
            "/api/projects/alpha/channels",
            Some(&admin),
            Some(json!({"name": "n\u{0}x"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_payload", "{body}");
    let (status, _, body) = server
        .call(
            Method::PATCH,
            "/api/projects/alpha/channels/general",
            Some(&admin),
            Some(json!({"description": "\u{0}"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_payload", "{body}");
}

async fn upload(server: &TestServer, token: &str, name: &str) -> (StatusCode, Value) {
    let form = Form::new().part(
        "file",
        Part::bytes(b"plain text".to_vec()).file_name(name.to_owned()),
    );
    let res = server
        .http
        .post(server.url("/api/projects/alpha/attachments"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn file_names_lose_bidi_controls_and_refuse_nul() {
    let server = TestServer::start().await;
    let admin = setup(&server).await;
    let (status, body) = upload(&server, &admin, "\u{202E}gnp.txt").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let file = &body["attachments"][0];
    assert_eq!(file["file_name"], "gnp.txt", "never shown as txt.png");
    let res = server
        .http
        .get(server.url(file["url"].as_str().expect("url")))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.contains("filename=\"gnp.txt\"")
            && disposition.ends_with("filename*=UTF-8''gnp.txt"),
        "{disposition}"
    );
    let (status, body) = upload(&server, &admin, "notes\u{2067}.md\u{2069}.txt").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["attachments"][0]["file_name"], "notes.md.txt");
    // A multipart part header cannot carry NUL: the form parser refuses it before our own
    // check of the name (`invalid_payload`) would.
    let (status, body) = upload(&server, &admin, "a\u{0}.txt").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_upload", "{body}");
}
