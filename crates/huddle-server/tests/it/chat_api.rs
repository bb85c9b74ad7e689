//! Channels and history over REST against a real server: roles, validation, paging.

use crate::common;

use common::{token_of, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn project_with_bob(server: &TestServer, bob_role: &str) -> (String, String) {
    let admin = server.admin_token().await;
    server.create_project(&admin, "alpha").await;
    server.add_user("bob", "bob-password").await;
    server.add_member(&admin, "alpha", "bob", bob_role).await;
    (admin, token_of(&server.login("bob", "bob-password").await))
}

#[tokio::test]
async fn channels_are_listed_and_managed_by_maintainers_only() {
    let server = TestServer::start().await;
    let (admin, bob) = project_with_bob(&server, "contributor").await;
    let (status, _, list) = server
        .call(
            Method::GET,
            "/api/projects/alpha/channels",
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<_> = list["channels"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(
        names,
        [
            json!("general"),
            json!("workflow"),
            json!("agents"),
            json!("errors")
        ]
    );

    let new = json!({"name": "design", "description": "UI"});
    let (status, _, _) = server
        .call(
            Method::POST,
            "/api/projects/alpha/channels",
            Some(&bob),
            Some(new.clone()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "contributors cannot create channels"
    );
    let (status, _, created) = server
        .call(
            Method::POST,
            "/api/projects/alpha/channels",
            Some(&admin),
            Some(new.clone()),
        )
        .await;
    assert_eq!(
        (status, created["type"].as_str()),
        (StatusCode::CREATED, Some("general"))
    );
    let (status, _, _) = server
        .call(
            Method::POST,
            "/api/projects/alpha/channels",
            Some(&admin),
            Some(new),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    for bad in [
        json!({"name": "Bad Name"}),
        json!({"name": "ok", "type": "voice"}),
    ] {
        let (status, _, body) = server
            .call(
                Method::POST,
                "/api/projects/alpha/channels",
                Some(&admin),
                Some(bad),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, _, archived) = server
        .call(
            Method::PATCH,
            "/api/projects/alpha/channels/design",
            Some(&admin),
            Some(json!({"archived": true})),
        )
        .await;
    assert_eq!(
        (status, archived["archived"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (status, _, _) = server
        .call(
            Method::PATCH,
            "/api/projects/alpha/channels/nope",
            Some(&admin),
            Some(json!({"archived": true})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn history_is_members_only_and_validated() {
    let server = TestServer::start().await;
    let (admin, _) = project_with_bob(&server, "viewer").await;
    server.add_user("carol", "carol-password").await;
    let carol = token_of(&server.login("carol", "carol-password").await);
    let path = "/api/projects/alpha/channels/general/messages";
    let (status, _, page) = server.call(Method::GET, path, Some(&admin), None).await;
    assert_eq!(
        (status, page["has_more"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    assert_eq!(
        server.call(Method::GET, path, Some(&carol), None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        server
            .call(Method::GET, &format!("{path}?limit=0"), Some(&admin), None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        server
            .call(Method::GET, &format!("{path}?page=2"), Some(&admin), None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let (status, _, _) = server
        .call(
            Method::GET,
            "/api/projects/alpha/channels/nope/messages",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, page) = server
        .call(
            Method::GET,
            "/api/messages/general?project=alpha&page=1&per_page=10",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (status, page["messages"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    let (status, _, _) = server
        .call(
            Method::GET,
            "/api/messages/general?project=alpha&page=99",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_is_validated_and_members_only() {
    let server = TestServer::start().await;
    let (admin, _) = project_with_bob(&server, "viewer").await;
    server.add_user("carol", "carol-password").await;
    let carol = token_of(&server.login("carol", "carol-password").await);
    let (status, _, found) = server
        .call(
            Method::GET,
            "/api/projects/alpha/search?q=billing",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (status, found["results"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    let (status, _, _) = server
        .call(
            Method::GET,
            "/api/projects/alpha/search?q=billing",
            Some(&carol),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for bad in ["q=", "q=x&limit=0", "q=x&from=yesterday", "q=x&extra=1"] {
        let (status, _, _) = server
            .call(
                Method::GET,
                &format!("/api/projects/alpha/search?{bad}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}
