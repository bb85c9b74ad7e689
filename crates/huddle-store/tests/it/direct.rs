//! Agent accounts and direct messages on every backend: who may see a direct message, in
//! listings and in search, and that opening one twice (or at once) makes one channel.

use huddle_core::{AgentRole, Role, UserKind};
use huddle_store::{DirectPair, NewMessage, NewUser, Posted, Project, Store, User};

use crate::backends;
use backends::Backend;

backend_suite!(
    agents_are_users_with_a_role,
    a_direct_message_is_opened_once,
    concurrent_opens_make_one_channel,
    direct_messages_are_listed_and_found_only_by_their_two,
);

async fn user(s: &dyn Store, name: &str, agent_role: Option<AgentRole>) -> User {
    s.create_user(NewUser {
        username: name.into(),
        password_hash: "h".into(),
        is_admin: false,
        agent_role,
    })
    .await
    .expect("user")
}

struct Cast {
    alice: User,
    carol: User,
    code: User,
    project: Project,
}

async fn setup(s: &dyn Store) -> Cast {
    let alice = user(s, "alice", None).await;
    let carol = user(s, "carol", None).await;
    let code = user(s, "code", Some(AgentRole::Code)).await;
    let (project, _) = s
        .create_project("alpha", "", &alice)
        .await
        .expect("project");
    // alice created the project, so she is already its admin.
    for member in [&carol, &code] {
        s.put_member(&project, member, Role::Contributor, &alice)
            .await
            .expect("member");
    }
    Cast {
        alice,
        carol,
        code,
        project,
    }
}

fn text(author: &User, content: &str) -> NewMessage {
    NewMessage {
        author_type: if author.is_agent() { "agent" } else { "user" },
        author_id: author.id.clone(),
        author_name: author.username.clone(),
        kind: "message".into(),
        content: content.into(),
        content_html: format!("<p>{content}</p>"),
        mentions: vec![],
        thread_id: None,
        reply_to: None,
        client_id: None,
        attachments: vec![],
        metadata: serde_json::json!({}),
    }
}

async fn agents_are_users_with_a_role(b: Backend) {
    let s = b.store();
    let c = setup(s).await;
    assert_eq!(c.code.kind, UserKind::Agent);
    assert_eq!(c.code.agent_role, Some(AgentRole::Code));
    assert_eq!(c.alice.kind, UserKind::Human);
    let found = s.user_by_name("code").await.expect("load").expect("exists");
    assert_eq!(found, c.code);
    let members = s.list_members(&c.project.id).await.expect("members");
    let kinds: Vec<_> = members
        .iter()
        .map(|m| (m.username.as_str(), m.kind, m.agent_role))
        .collect();
    assert_eq!(
        kinds,
        [
            ("alice", UserKind::Human, None),
            ("carol", UserKind::Human, None),
            ("code", UserKind::Agent, Some(AgentRole::Code)),
        ]
    );
}

async fn a_direct_message_is_opened_once(b: Backend) {
    let s = b.store();
    let c = setup(s).await;
    let (dm, event) = s
        .open_direct(&c.project, &c.code, &c.alice, "alice")
        .await
        .expect("open");
    assert_eq!(dm.name, "dm:code:alice");
    assert_eq!(dm.kind, "agent");
    assert_eq!(
        dm.direct,
        Some(DirectPair {
            agent: "code".into(),
            user: "alice".into()
        })
    );
    let event = event.expect("a new direct message is recorded");
    assert_eq!(event.kind, "channel_created");
    assert_eq!(event.payload["name"], "dm:code:alice");
    let (again, event) = s
        .open_direct(&c.project, &c.code, &c.alice, "code")
        .await
        .expect("reopen");
    assert_eq!(again.channel_id, dm.channel_id);
    assert!(event.is_none(), "reopening records nothing");
    let general = s
        .channel(&c.project, "general")
        .await
        .expect("general")
        .expect("exists");
    assert_eq!(general.direct, None);
}

async fn concurrent_opens_make_one_channel(b: Backend) {
    let s = b.arc();
    let c = setup(s.as_ref()).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (s, p, code, alice) = (
            s.clone(),
            c.project.clone(),
            c.code.clone(),
            c.alice.clone(),
        );
        tasks.push(tokio::spawn(async move {
            s.open_direct(&p, &code, &alice, "alice").await
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    let mut created = 0;
    for task in tasks {
        let (channel, event) = task.await.expect("join").expect("open");
        ids.insert(channel.channel_id);
        created += usize::from(event.is_some());
    }
    assert_eq!(ids.len(), 1, "one channel");
    assert_eq!(created, 1, "one channel_created");
}

async fn direct_messages_are_listed_and_found_only_by_their_two(b: Backend) {
    let s = b.store();
    let c = setup(s).await;
    let (dm, _) = s
        .open_direct(&c.project, &c.code, &c.alice, "alice")
        .await
        .expect("open");
    for (author, words) in [
        (&c.alice, "secret rollout plan"),
        (&c.code, "rollout plan noted"),
    ] {
        match s
            .post_message(&c.project, &dm, text(author, words))
            .await
            .expect("post")
        {
            Posted::Created { .. } => {}
            Posted::Duplicate(m) => panic!("unexpected duplicate {m:?}"),
        }
    }
    let names = |channels: Vec<huddle_store::Channel>| -> Vec<String> {
        channels.into_iter().map(|c| c.name).collect()
    };
    for who in [&c.alice, &c.code] {
        let listed = s
            .list_channels(&c.project, &who.id, &who.username)
            .await
            .expect("list");
        let dm_listed = listed.iter().find(|ch| ch.name == "dm:code:alice");
        assert!(dm_listed.is_some(), "{} sees the DM", who.username);
    }
    let code_view = s
        .list_channels(&c.project, &c.code.id, &c.code.username)
        .await
        .expect("list");
    let unread = code_view
        .iter()
        .find(|ch| ch.name == "dm:code:alice")
        .expect("listed")
        .unread_count;
    assert_eq!(unread, 1, "the agent has alice's message to read");
    let carol_view = s
        .list_channels(&c.project, &c.carol.id, &c.carol.username)
        .await
        .expect("list");
    assert_eq!(
        names(carol_view),
        ["general", "workflow", "agents", "errors"]
    );
    let search = |viewer: &User| huddle_store::SearchQuery {
        text: "rollout".into(),
        viewer_id: viewer.id.clone(),
        channel: None,
        author: None,
        from: None,
        to: None,
        limit: 20,
    };
    assert_eq!(
        s.search(&c.project, &search(&c.alice))
            .await
            .expect("alice")
            .len(),
        2
    );
    assert_eq!(
        s.search(&c.project, &search(&c.code))
            .await
            .expect("code")
            .len(),
        2
    );
    assert!(
        s.search(&c.project, &search(&c.carol))
            .await
            .expect("carol")
            .is_empty(),
        "nobody else finds a direct message"
    );
}
