//! Projects, members and the event log over HTTP, with membership checks.

use crate::common;

use common::{token_of, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn create(server: &TestServer, token: &str, name: &str) -> (StatusCode, serde_json::Value) {
    let (status, _, body) = server
        .call(
            Method::POST,
            "/api/projects",
            Some(token),
            Some(json!({"name": name, "description": "d"})),
        )
        .await;
    (status, body)
}

#[tokio::test]
async fn admins_create_projects_and_names_are_checked() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    let (status, project) = create(&server, &admin, "alpha").await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    assert_eq!(
        (project["state"].as_str(), project["last_seq"].as_i64()),
        (Some("IDLE"), Some(1))
    );
    assert_eq!(
        create(&server, &admin, "alpha").await.0,
        StatusCode::CONFLICT
    );
    let (status, body) = create(&server, &admin, "../Bad Name").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_name"))
    );

    server.add_user("alice", "alice-password").await;
    let alice = token_of(&server.login("alice", "alice-password").await);
    assert_eq!(
        create(&server, &alice, "beta").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, _, list) = server
        .call(Method::GET, "/api/projects", Some(&admin), None)
        .await;
    assert_eq!(
        (list["total"].as_i64(), list["projects"][0]["name"].as_str()),
        (Some(1), Some("alpha"))
    );
}

#[tokio::test]
async fn non_members_are_refused_and_members_see_their_projects() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    create(&server, &admin, "alpha").await;
    create(&server, &admin, "beta").await;
    server.add_user("alice", "alice-password").await;
    let alice = token_of(&server.login("alice", "alice-password").await);

    let (status, _, body) = server
        .call(Method::GET, "/api/projects/alpha", Some(&alice), None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    assert!(body["error"]["hint"].is_string());
    for path in ["/api/projects/alpha/members", "/api/projects/alpha/events"] {
        assert_eq!(
            server.call(Method::GET, path, Some(&alice), None).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let (status, _, _) = server
        .call(Method::GET, "/api/projects/nope", Some(&alice), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let add = json!({"username": "alice", "role": "viewer"});
    let (status, _, member) = server
        .call(
            Method::POST,
            "/api/projects/alpha/members",
            Some(&admin),
            Some(add),
        )
        .await;
    assert_eq!(
        (status, member["role"].as_str()),
        (StatusCode::CREATED, Some("viewer"))
    );
    let (_, _, list) = server
        .call(Method::GET, "/api/projects", Some(&alice), None)
        .await;
    assert_eq!(list["total"], 1, "alice sees only alpha: {list}");
    assert_eq!(list["projects"][0]["role"], "viewer");
    let (_, _, me) = server
        .call(Method::GET, "/api/me", Some(&alice), None)
        .await;
    assert_eq!(me["projects"], json!([{"name": "alpha", "role": "viewer"}]));
}

#[tokio::test]
async fn only_maintainers_manage_members_and_only_admins_grant_admin() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    create(&server, &admin, "alpha").await;
    for name in ["alice", "bob", "carol"] {
        server.add_user(name, &format!("{name}-password")).await;
    }
    let put = |user: &str, role: &str| json!({"username": user, "role": role});
    let members = "/api/projects/alpha/members";
    server
        .call(
            Method::POST,
            members,
            Some(&admin),
            Some(put("alice", "contributor")),
        )
        .await;
    server
        .call(
            Method::POST,
            members,
            Some(&admin),
            Some(put("bob", "maintainer")),
        )
        .await;
    let alice = token_of(&server.login("alice", "alice-password").await);
    let bob = token_of(&server.login("bob", "bob-password").await);

    assert_eq!(
        server
            .call(
                Method::POST,
                members,
                Some(&alice),
                Some(put("carol", "viewer"))
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        server
            .call(
                Method::POST,
                members,
                Some(&bob),
                Some(put("carol", "admin"))
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        server
            .call(
                Method::POST,
                members,
                Some(&bob),
                Some(put("carol", "viewer"))
            )
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        server
            .call(
                Method::POST,
                members,
                Some(&bob),
                Some(put("carol", "viewer"))
            )
            .await
            .0,
        StatusCode::CONFLICT
    );
    let (status, _, body) = server
        .call(
            Method::POST,
            members,
            Some(&bob),
            Some(put("carol", "owner")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        server
            .call(
                Method::POST,
                members,
                Some(&bob),
                Some(put("nobody", "viewer"))
            )
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let (status, _, _) = server
        .call(
            Method::DELETE,
            "/api/projects/alpha/members/carol",
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = server
        .call(
            Method::DELETE,
            "/api/projects/alpha/members/carol",
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = server
        .call(
            Method::DELETE,
            "/api/projects/alpha/members/carol",
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, list) = server.call(Method::GET, members, Some(&alice), None).await;
    let names: Vec<_> = list["members"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["username"].clone())
        .collect();
    assert_eq!(
        names,
        [json!("admin"), json!("alice"), json!("bob")],
        "the creator is a member too"
    );
}

#[tokio::test]
async fn the_event_log_pages_in_order_and_validates_its_query() {
    let server = TestServer::start().await;
    let admin = server.admin_token().await;
    create(&server, &admin, "alpha").await;
    server.add_user("alice", "alice-password").await;
    for role in ["viewer", "contributor", "maintainer"] {
        let body = json!({"username": "alice", "role": role});
        server
            .call(
                Method::POST,
                "/api/projects/alpha/members",
                Some(&admin),
                Some(body),
            )
            .await;
    }
    let (status, _, page) = server
        .call(
            Method::GET,
            "/api/projects/alpha/events?after_seq=1&limit=2",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<_> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["seq"].clone(), e["kind"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (json!(2), json!("member_added")),
            (json!(3), json!("member_role_changed"))
        ]
    );
    assert_eq!(
        (page["last_seq"].as_i64(), page["has_more"].as_bool()),
        (Some(4), Some(true))
    );
    assert_eq!(page["events"][0]["payload"]["username"], "alice");
    assert_eq!(page["events"][0]["actor"], "admin");

    for bad in [
        "limit=0",
        "limit=5000",
        "after_seq=-1",
        "after_seq=abc",
        "limit=1&extra=1",
    ] {
        let (status, _, body) = server
            .call(
                Method::GET,
                &format!("/api/projects/alpha/events?{bad}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_query")),
            "{bad}"
        );
    }
}
