//! `huddle-bench store`: the store alone, in process, on SQLite (or `--database-url`):
//! durable message posts per second from concurrent writers, then history-page and search
//! latency over everything stored.

use std::sync::Arc;
use std::time::Instant;

use huddle_store::{connect, ConnectOptions, NewMessage, NewUser, SearchQuery};

use crate::stats::summary;

const WORDS: [&str; 16] = [
    "deploy", "billing", "sprint", "review", "agent", "tests", "failing", "green", "refactor",
    "commit", "backlog", "story", "design", "database", "socket", "latency",
];

pub async fn run(
    messages: usize,
    writers: usize,
    database_url: Option<String>,
) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("huddle-bench-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = database_url.unwrap_or_else(|| format!("sqlite:{}", dir.join("bench.db").display()));
    let store = connect(&ConnectOptions {
        url,
        max_connections: 8,
        migrate: true,
    })
    .await?;
    let user = store
        .create_user(NewUser {
            username: format!("bench{}", std::process::id()),
            password_hash: "x".into(),
            is_admin: true,
            agent_role: None,
        })
        .await?;
    let (project, _) = store
        .create_project(&format!("bench-{}", std::process::id()), "", &user)
        .await?;
    let channel = store
        .channel(&project, "general")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no general channel"))?;

    let started = Instant::now();
    let per_writer = messages / writers.max(1);
    let mut tasks = Vec::new();
    for w in 0..writers.max(1) {
        let (store, project, channel, user) = (
            Arc::clone(&store),
            project.clone(),
            channel.clone(),
            user.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_writer);
            for i in 0..per_writer {
                let content = format!(
                    "{} {} {} message {w}-{i}",
                    WORDS[i % 16],
                    WORDS[(i / 16 + w) % 16],
                    WORDS[(i / 256) % 16]
                );
                let new = NewMessage {
                    author_type: "user",
                    author_id: user.id.clone(),
                    author_name: user.username.clone(),
                    kind: "message".into(),
                    content_html: format!("<p>{content}</p>"),
                    content,
                    mentions: vec![],
                    thread_id: None,
                    reply_to: None,
                    client_id: None,
                    attachments: vec![],
                    metadata: serde_json::json!({}),
                };
                let t = Instant::now();
                store.post_message(&project, &channel, new).await?;
                latencies.push(t.elapsed());
                if w == 0 && (i + 1) % 10_000 == 0 {
                    eprintln!("{} posted", (i + 1) * writers);
                }
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut posts = Vec::new();
    for t in tasks {
        posts.extend(t.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "posts: {} in {secs:.1} s = {:.0}/s with {writers} writers",
        posts.len(),
        posts.len() as f64 / secs
    );
    println!("{}", summary("post (transaction with event)", &mut posts));

    let mut pages = Vec::new();
    let mut before: Option<String> = None;
    for _ in 0..500 {
        let t = Instant::now();
        let page = store
            .history(&project, &channel, None, before.as_deref(), 50)
            .await?;
        pages.push(t.elapsed());
        before = if page.has_more {
            page.messages.last().map(|m| m.message_id.clone())
        } else {
            None
        };
    }
    println!(
        "{}",
        summary("history page of 50 (walking back from newest)", &mut pages)
    );

    let mut searches = Vec::new();
    for i in 0..200 {
        let text = format!("{} {}", WORDS[i % 16], &WORDS[(i * 7) % 16][..4]);
        let query = SearchQuery {
            text,
            viewer_id: user.id.clone(),
            channel: None,
            author: None,
            from: None,
            to: None,
            limit: 20,
        };
        let t = Instant::now();
        store.search(&project, &query).await?;
        searches.push(t.elapsed());
    }
    println!("{}", summary("search, 2 words, top 20", &mut searches));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
