//! Uploads and downloads against a real server: allowed types, magic bytes, sizes, access.

use crate::common;

use std::io::Cursor;

use common::{token_of, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::new(width, height)
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .expect("encode");
    bytes
}

async fn upload(
    server: &TestServer,
    token: &str,
    files: Vec<(&str, Vec<u8>)>,
) -> (StatusCode, Value) {
    let mut form = Form::new();
    for (name, bytes) in files {
        form = form.part("file", Part::bytes(bytes).file_name(name.to_owned()));
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
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn setup(server: &TestServer) -> String {
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    admin
}

#[tokio::test]
async fn images_and_text_upload_with_thumbnails_and_safe_downloads() {
    let server = TestServer::start().await;
    let admin = setup(&server).await;
    let (status, body) = upload(
        &server,
        &admin,
        vec![
            ("../shot.png", png(640, 480)),
            ("notes.md", b"# hi".to_vec()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let image = &body["attachments"][0];
    assert_eq!(
        (
            image["file_name"].as_str(),
            image["width"].as_i64(),
            image["height"].as_i64()
        ),
        (Some("shot.png"), Some(640), Some(480))
    );
    let url = image["url"].as_str().expect("url");
    let res = server
        .http
        .get(server.url(url))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .starts_with("inline; filename=\"shot.png\""));
    let thumb_url = image["thumbnail_url"].as_str().expect("thumbnail");
    let thumb = server
        .http
        .get(server.url(&format!("{thumb_url}?token={admin}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        thumb.status(),
        StatusCode::OK,
        "token in the query works for links"
    );
    let decoded = image::load_from_memory(&thumb.bytes().await.expect("bytes")).expect("png");
    assert_eq!((decoded.width(), decoded.height()), (320, 240));

    let text_url = body["attachments"][1]["url"].as_str().expect("url");
    let res = server
        .http
        .get(server.url(text_url))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .starts_with("attachment;"));
    assert!(res.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .contains("sandbox"));
}

#[tokio::test]
async fn forbidden_types_disguises_and_oversized_files_are_refused() {
    let server = TestServer::start().await;
    let admin = setup(&server).await;
    for (name, bytes) in [
        ("evil.html", b"<script>alert(1)</script>".to_vec()),
        ("evil.svg", b"<svg onload=alert(1)>".to_vec()),
        ("fake.png", b"GIF89a not a png".to_vec()),
        ("broken.png", b"\x89PNG\r\n\x1a\nnot really".to_vec()),
        ("binary.txt", vec![0, 159, 146, 150]),
    ] {
        let (status, body) = upload(&server, &admin, vec![(name, bytes)]).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_attachment")),
            "{name}"
        );
    }
    let (status, body) = upload(
        &server,
        &admin,
        vec![("big.txt", vec![b'a'; 10 * 1024 * 1024 + 1])],
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let six = (0..6)
        .map(|i| {
            if i == 0 {
                ("a.txt", b"a".to_vec())
            } else {
                ("b.txt", b"b".to_vec())
            }
        })
        .collect();
    let (status, _) = upload(&server, &admin, six).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "at most 5 files");
    let (status, _) = upload(&server, &admin, vec![]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn only_members_upload_and_unposted_files_are_private() {
    let server = TestServer::start().await;
    let admin = setup(&server).await;
    server.add_user("bob", "bob-password").await;
    server.add_user("carol", "carol-password").await;
    server
        .add_member(&admin, "alpha", "bob", "contributor")
        .await;
    let bob = token_of(&server.login("bob", "bob-password").await);
    let carol = token_of(&server.login("carol", "carol-password").await);
    let (status, _) = upload(&server, &carol, vec![("a.txt", b"hi".to_vec())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = upload(&server, &bob, vec![("a.txt", b"hi".to_vec())]).await;
    assert_eq!(status, StatusCode::CREATED);
    let url = body["attachments"][0]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let get = |token: String| server.http.get(server.url(&url)).bearer_auth(token).send();
    assert_eq!(
        get(bob.clone()).await.expect("sent").status(),
        StatusCode::OK
    );
    assert_eq!(
        get(admin.clone()).await.expect("sent").status(),
        StatusCode::NOT_FOUND,
        "not posted yet"
    );
    assert_eq!(
        get(carol).await.expect("sent").status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        server
            .http
            .get(server.url(&url))
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, _, _) = server
        .call(
            Method::GET,
            "/api/attachments/..%2F..%2Fjwt-secret",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
