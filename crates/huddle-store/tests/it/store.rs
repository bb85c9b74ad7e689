//! One behaviour suite for every backend. SQLite always runs; PostgreSQL runs when
//! `HUDDLE_TEST_POSTGRES_URL` is set (CI sets it, and then an unreachable server fails the run).

use std::sync::Arc;

use chrono::Duration;
use huddle_core::Role;
use huddle_store::{
    connect, ConnectOptions, NewRefreshToken, NewUser, RefreshRotation, Store, StoreError, User,
};

use crate::backends;
use backends::Backend;

backend_suite!(
    users_are_unique_and_listed,
    password_change_needs_an_existing_user,
    password_change_ends_every_login,
    refresh_rotation_detects_replay,
    expired_refresh_token_is_refused,
    logout_revokes_the_family,
    a_token_used_twice_at_once_keeps_the_session,
    a_session_is_live_until_revoked_or_expired,
    project_creation_records_the_first_event,
    duplicate_project_is_a_conflict,
    members_are_added_changed_and_removed,
    the_only_admin_is_never_demoted_or_removed,
    listing_shows_only_own_projects,
    events_page_in_order,
    concurrent_writers_get_gap_free_sequences,
    reopening_keeps_data_and_migrations_are_idempotent,
);

async fn user(store: &dyn Store, name: &str, admin: bool) -> User {
    store
        .create_user(NewUser {
            username: name.into(),
            password_hash: "h".into(),
            is_admin: admin,
            agent_role: None,
        })
        .await
        .expect("user created")
}

const NO_GRACE: Duration = Duration::zero();

fn token(hash: &str, family: &str, user_id: &str, valid_for: Duration) -> NewRefreshToken {
    NewRefreshToken {
        token_hash: hash.into(),
        family_id: family.into(),
        user_id: user_id.into(),
        expires_at: huddle_store::now() + valid_for,
    }
}

async fn users_are_unique_and_listed(b: Backend) {
    let s = b.store();
    let alice = user(s, "alice", false).await;
    user(s, "bob", true).await;
    let again = s
        .create_user(NewUser {
            username: "alice".into(),
            password_hash: "x".into(),
            is_admin: false,
            agent_role: None,
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let names: Vec<_> = s
        .list_users()
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(
        s.user_by_id(&alice.id).await.expect("get"),
        Some(alice.clone())
    );
    let creds = s
        .user_credentials("alice")
        .await
        .expect("creds")
        .expect("exists");
    assert_eq!(creds.password_hash, "h");
    assert!(
        !format!("{creds:?}").contains("\"h\""),
        "hash must not be printed"
    );
    assert!(s.user_by_name("carol").await.expect("get").is_none());
}

async fn password_change_needs_an_existing_user(b: Backend) {
    let s = b.store();
    user(s, "alice", false).await;
    s.set_password("alice", "new").await.expect("set");
    assert_eq!(
        s.user_credentials("alice")
            .await
            .expect("c")
            .expect("u")
            .password_hash,
        "new"
    );
    assert!(matches!(
        s.set_password("ghost", "x").await,
        Err(StoreError::NotFound(_))
    ));
}

async fn password_change_ends_every_login(b: Backend) {
    let s = b.store();
    let alice = user(s, "alice", false).await;
    let bob = user(s, "bob", false).await;
    for (hash, family, owner) in [
        ("a1", "fa", &alice),
        ("a2", "fb", &alice),
        ("b1", "fc", &bob),
    ] {
        s.insert_refresh_token(token(hash, family, &owner.id, Duration::days(1)))
            .await
            .expect("insert");
    }
    s.set_password("alice", "new").await.expect("set");
    for hash in ["a1", "a2"] {
        let r = s
            .rotate_refresh_token(
                hash,
                token(&format!("{hash}x"), "", "", Duration::days(1)),
                NO_GRACE,
            )
            .await;
        assert!(
            matches!(r.expect("rotate"), RefreshRotation::Reused { .. }),
            "{hash}"
        );
    }
    let other = s
        .rotate_refresh_token("b1", token("b2", "", "", Duration::days(1)), NO_GRACE)
        .await;
    assert_eq!(
        other.expect("rotate"),
        RefreshRotation::Rotated {
            user_id: bob.id,
            family_id: "fc".into()
        },
        "someone else's login is untouched"
    );
}

async fn refresh_rotation_detects_replay(b: Backend) {
    let s = b.store();
    let u = user(s, "alice", false).await;
    s.insert_refresh_token(token("t1", "fam", &u.id, Duration::days(30)))
        .await
        .expect("insert");
    let first = s
        .rotate_refresh_token("t1", token("t2", "", "", Duration::days(30)), NO_GRACE)
        .await;
    assert_eq!(
        first.expect("rotate"),
        RefreshRotation::Rotated {
            user_id: u.id.clone(),
            family_id: "fam".into()
        }
    );
    // Replaying t1 revokes the family, so t2 is dead too.
    let replay = s
        .rotate_refresh_token("t1", token("t3", "", "", Duration::days(30)), NO_GRACE)
        .await;
    assert_eq!(
        replay.expect("replay"),
        RefreshRotation::Reused {
            family_id: "fam".into()
        }
    );
    let after = s
        .rotate_refresh_token("t2", token("t4", "", "", Duration::days(30)), NO_GRACE)
        .await;
    assert!(matches!(after.expect("t2"), RefreshRotation::Reused { .. }));
    let unknown = s
        .rotate_refresh_token("nope", token("t5", "", "", Duration::days(30)), NO_GRACE)
        .await;
    assert_eq!(unknown.expect("unknown"), RefreshRotation::Unknown);
}

async fn expired_refresh_token_is_refused(b: Backend) {
    let s = b.store();
    let u = user(s, "alice", false).await;
    s.insert_refresh_token(token("old", "fam", &u.id, Duration::seconds(-1)))
        .await
        .expect("insert");
    let r = s
        .rotate_refresh_token("old", token("n", "", "", Duration::days(1)), NO_GRACE)
        .await;
    assert_eq!(r.expect("rotate"), RefreshRotation::Expired);
}

async fn logout_revokes_the_family(b: Backend) {
    let s = b.store();
    let u = user(s, "alice", false).await;
    s.insert_refresh_token(token("a", "fam", &u.id, Duration::days(1)))
        .await
        .expect("insert");
    assert_eq!(
        s.revoke_refresh_token("a")
            .await
            .expect("revoke")
            .as_deref(),
        Some("fam")
    );
    assert_eq!(
        s.revoke_refresh_token("never-issued")
            .await
            .expect("unknown token is fine"),
        None
    );
    let r = s
        .rotate_refresh_token("a", token("b", "", "", Duration::days(1)), NO_GRACE)
        .await;
    assert!(matches!(r.expect("rotate"), RefreshRotation::Reused { .. }));
}

async fn a_token_used_twice_at_once_keeps_the_session(b: Backend) {
    let s = b.store();
    let u = user(s, "alice", false).await;
    s.insert_refresh_token(token("t1", "fam", &u.id, Duration::days(1)))
        .await
        .expect("insert");
    let grace = Duration::seconds(10);
    for next in ["t2", "t2b"] {
        let r = s
            .rotate_refresh_token("t1", token(next, "", "", Duration::days(1)), grace)
            .await;
        assert!(
            matches!(r.expect("rotate"), RefreshRotation::Rotated { .. }),
            "{next}: within the grace period both tabs get a token"
        );
    }
    for live in ["t2", "t2b"] {
        let r = s
            .rotate_refresh_token(
                live,
                token(&format!("{live}x"), "", "", Duration::days(1)),
                grace,
            )
            .await;
        assert!(
            matches!(r.expect("rotate"), RefreshRotation::Rotated { .. }),
            "{live}"
        );
    }
    // Outside the grace period (zero here) the same replay is reuse and ends the session.
    let late = s
        .rotate_refresh_token("t1", token("t9", "", "", Duration::days(1)), NO_GRACE)
        .await;
    assert_eq!(
        late.expect("replay"),
        RefreshRotation::Reused {
            family_id: "fam".into()
        }
    );
    assert_eq!(s.session_user("fam").await.expect("session"), None);
}

async fn a_session_is_live_until_revoked_or_expired(b: Backend) {
    let s = b.store();
    let u = user(s, "alice", true).await;
    s.insert_refresh_token(token("a", "live", &u.id, Duration::days(1)))
        .await
        .expect("insert");
    s.insert_refresh_token(token("b", "old", &u.id, Duration::seconds(-1)))
        .await
        .expect("insert");
    let found = s
        .session_user("live")
        .await
        .expect("session")
        .expect("live");
    assert_eq!((found.id.as_str(), found.is_admin), (u.id.as_str(), true));
    assert_eq!(s.session_user("old").await.expect("expired"), None);
    assert_eq!(s.session_user("nobody").await.expect("unknown"), None);
    s.revoke_refresh_token("a").await.expect("logout");
    assert_eq!(s.session_user("live").await.expect("revoked"), None);
}

async fn project_creation_records_the_first_event(b: Backend) {
    let s = b.store();
    let admin = user(s, "root", true).await;
    let (project, event) = s
        .create_project("alpha", "first", &admin)
        .await
        .expect("create");
    assert_eq!((project.last_seq, event.seq), (1, 1));
    assert_eq!(event.kind, "project_created");
    assert_eq!(event.actor.as_deref(), Some("root"));
    assert_eq!(event.payload["name"], "alpha");
    assert_eq!(event.payload["owner"]["username"], "root");
    assert_eq!(
        s.member_role(&project.id, &admin.id).await.expect("role"),
        Some(Role::Admin),
        "the creator owns the project"
    );
    let stored = s.project("alpha").await.expect("get").expect("exists");
    assert_eq!(stored.state, "IDLE");
    assert_eq!(stored.description, "first");
    assert_eq!(s.last_seq(&project.id).await.expect("seq"), 1);
    assert!(s.project("beta").await.expect("get").is_none());
}

async fn duplicate_project_is_a_conflict(b: Backend) {
    let s = b.store();
    let admin = user(s, "root", true).await;
    s.create_project("alpha", "", &admin).await.expect("create");
    let again = s.create_project("alpha", "", &admin).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

async fn members_are_added_changed_and_removed(b: Backend) {
    let s = b.store();
    let admin = user(s, "root", true).await;
    let alice = user(s, "alice", false).await;
    let (p, _) = s.create_project("alpha", "", &admin).await.expect("create");
    let (m, e) = s
        .put_member(&p, &alice, Role::Viewer, &admin)
        .await
        .expect("add");
    assert_eq!(
        (m.role, e.kind.as_str(), e.seq),
        (Role::Viewer, "member_added", 2)
    );
    let same = s.put_member(&p, &alice, Role::Viewer, &admin).await;
    assert!(matches!(same, Err(StoreError::Conflict(_))));
    let (_, e) = s
        .put_member(&p, &alice, Role::Maintainer, &admin)
        .await
        .expect("change");
    assert_eq!((e.kind.as_str(), e.seq), ("member_role_changed", 3));
    assert_eq!(e.payload["previous_role"], "viewer");
    assert_eq!(
        s.member_role(&p.id, &alice.id).await.expect("role"),
        Some(Role::Maintainer)
    );
    let listed = s.list_members(&p.id).await.expect("list");
    let names: Vec<_> = listed
        .iter()
        .map(|m| (m.username.as_str(), m.role))
        .collect();
    assert_eq!(names, [("alice", Role::Maintainer), ("root", Role::Admin)]);
    let e = s.remove_member(&p, &alice, &admin).await.expect("remove");
    assert_eq!((e.kind.as_str(), e.seq), ("member_removed", 4));
    assert!(matches!(
        s.remove_member(&p, &alice, &admin).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(s.member_role(&p.id, &alice.id).await.expect("role"), None);
    assert_eq!(
        s.last_seq(&p.id).await.expect("seq"),
        4,
        "a failed change takes no number"
    );
}

async fn the_only_admin_is_never_demoted_or_removed(b: Backend) {
    let s = b.store();
    let root = user(s, "root", true).await;
    let alice = user(s, "alice", false).await;
    let (p, _) = s.create_project("alpha", "", &root).await.expect("create");
    let demoted = s.put_member(&p, &root, Role::Maintainer, &root).await;
    assert!(
        matches!(demoted, Err(StoreError::Conflict(_))),
        "{demoted:?}"
    );
    let removed = s.remove_member(&p, &root, &root).await;
    assert!(
        matches!(removed, Err(StoreError::Conflict(_))),
        "{removed:?}"
    );
    assert_eq!(s.last_seq(&p.id).await.expect("seq"), 1, "nothing recorded");

    s.put_member(&p, &alice, Role::Admin, &root)
        .await
        .expect("second admin");
    s.put_member(&p, &root, Role::Viewer, &root)
        .await
        .expect("now root may step down");
    let last = s.remove_member(&p, &alice, &root).await;
    assert!(matches!(last, Err(StoreError::Conflict(_))), "{last:?}");
    assert_eq!(
        s.member_role(&p.id, &alice.id).await.expect("role"),
        Some(Role::Admin)
    );
}

async fn listing_shows_only_own_projects(b: Backend) {
    let s = b.store();
    let admin = user(s, "root", true).await;
    let alice = user(s, "alice", false).await;
    let (a, _) = s.create_project("alpha", "", &admin).await.expect("a");
    s.create_project("beta", "", &admin).await.expect("b");
    s.put_member(&a, &alice, Role::Contributor, &admin)
        .await
        .expect("member");
    let mine = s.list_projects(Some(&alice.id)).await.expect("mine");
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].project.name.as_str(), mine[0].role),
        ("alpha", Some(Role::Contributor))
    );
    let all = s.list_projects(None).await.expect("all");
    let names: Vec<_> = all.iter().map(|p| p.project.name.as_str()).collect();
    assert_eq!(names, ["alpha", "beta"]);
}

async fn events_page_in_order(b: Backend) {
    let s = b.store();
    let admin = user(s, "root", true).await;
    let (p, _) = s.create_project("alpha", "", &admin).await.expect("create");
    for i in 0..9 {
        let payload = serde_json::json!({ "i": i });
        s.append_event(&p, "note", payload, Some("root"))
            .await
            .expect("append");
    }
    let page = s.events_after(&p, 3, 4).await.expect("page");
    let seqs: Vec<_> = page.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [4, 5, 6, 7]);
    assert_eq!(page[0].payload["i"], 2);
    assert_eq!(page[0].project_name, "alpha");
    assert!(s.events_after(&p, 10, 10).await.expect("end").is_empty());
}

async fn concurrent_writers_get_gap_free_sequences(b: Backend) {
    let store = b.arc();
    let admin = user(store.as_ref(), "root", true).await;
    let (p, _) = store
        .create_project("alpha", "", &admin)
        .await
        .expect("create");
    let (writers, each) = (16, 25);
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let (store, p) = (Arc::clone(&store), p.clone());
            tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in 0..each {
                    let payload = serde_json::json!({ "w": w, "i": i });
                    seqs.push(
                        store
                            .append_event(&p, "note", payload, None)
                            .await
                            .expect("append")
                            .seq,
                    );
                }
                seqs
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        let seqs = t.await.expect("writer finished");
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "one writer's seqs increase"
        );
        all.extend(seqs);
    }
    all.sort_unstable();
    let expected: Vec<i64> = (2..2 + (writers * each) as i64).collect();
    assert_eq!(
        all, expected,
        "unique and gap-free after project_created (seq 1)"
    );
    let stored = store.events_after(&p, 0, 1000).await.expect("all events");
    assert_eq!(stored.len(), writers * each + 1);
}

async fn reopening_keeps_data_and_migrations_are_idempotent(b: Backend) {
    user(b.store(), "alice", false).await;
    let again = connect(&ConnectOptions {
        url: b.url.clone(),
        max_connections: 2,
        migrate: true,
    })
    .await
    .expect("reopen and migrate again");
    assert!(again.user_by_name("alice").await.expect("get").is_some());
    again.ping().await.expect("ping");
}
