//! A raw Engine.IO chat client for the integration tests, and waiting for its events.

use std::time::Duration;

use huddle_bench::socket::SocketClient;
use serde_json::{json, Value};

use super::TestServer;

/// A socket in `/chat/{project}`, authenticated with `token`.
pub async fn connect(server: &TestServer, project: &str, token: &str) -> SocketClient {
    let auth = json!({ "token": token }).to_string();
    SocketClient::connect(
        &format!("http://{}", server.addr),
        &format!("/chat/{project}"),
        &auth,
    )
    .await
    .expect("connect")
}

/// Connects with `since_seq` and returns, as JSON text, every event replayed within a second.
pub async fn replay(server: &TestServer, project: &str, token: &str, since_seq: i64) -> String {
    let auth = json!({ "token": token, "since_seq": since_seq }).to_string();
    let mut client = SocketClient::connect(
        &format!("http://{}", server.addr),
        &format!("/chat/{project}"),
        &auth,
    )
    .await
    .expect("connect");
    let seen = drain(&mut client, Duration::from_secs(1)).await;
    serde_json::to_string(&seen).expect("json")
}

/// Reads events until one named `name` arrives (or the wait ends).
pub async fn wait_for(client: &mut SocketClient, name: &str, wait: Duration) -> Option<String> {
    let prefix = format!("[\"{name}\"");
    tokio::time::timeout(wait, async {
        loop {
            match client.next_event().await {
                Ok(Some(event)) if event.starts_with(&prefix) => return Some(event),
                Ok(Some(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .ok()
    .flatten()
}

/// Every event frame that arrives within `wait`, parsed as `[name, payload]`.
pub async fn drain(client: &mut SocketClient, wait: Duration) -> Vec<Value> {
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(wait, async {
        while let Ok(Some(event)) = client.next_event().await {
            seen.push(serde_json::from_str(&event).expect("event frame is JSON"));
        }
    })
    .await;
    seen
}

/// A request with an ack; returns the ack's first argument.
pub async fn request(client: &mut SocketClient, event: &str, payload: Value) -> Value {
    let ack = client
        .request(event, &payload.to_string())
        .await
        .expect("ack");
    let mut args: Vec<Value> = serde_json::from_str(&ack).expect("ack is JSON");
    args.swap_remove(0)
}
