//! A raw Engine.IO client for the integration tests, and waiting for its events. Every helper
//! here is bounded by [`wait`](super::wait): a lost ack or event fails the test, never hangs it.

use huddle_bench::socket::SocketClient;
use serde_json::{json, Value};

use super::{wait, TestServer};

/// A socket in `namespace` (`/chat/{project}`, `/portal`) with `auth` (JSON).
pub async fn connect_to(server: &TestServer, namespace: &str, auth: &Value) -> SocketClient {
    try_connect_to(server, namespace, auth)
        .await
        .unwrap_or_else(|e| panic!("connect to {namespace}: {e}"))
}

/// As [`connect_to`], for tests that expect the server to refuse.
pub async fn try_connect_to(
    server: &TestServer,
    namespace: &str,
    auth: &Value,
) -> anyhow::Result<SocketClient> {
    let base = format!("http://{}", server.addr);
    tokio::time::timeout(
        wait(),
        SocketClient::connect(&base, namespace, &auth.to_string()),
    )
    .await
    .map_err(|_| anyhow::anyhow!("no answer to the connect within {:?}", wait()))?
}

/// A socket in `/chat/{project}`, authenticated with `token`.
pub async fn connect(server: &TestServer, project: &str, token: &str) -> SocketClient {
    connect_to(
        server,
        &format!("/chat/{project}"),
        &json!({ "token": token }),
    )
    .await
}

/// Connects with `since_seq` and returns, as JSON text, every event replayed up to and including
/// the first one that mentions `until` (a message sent last, so the whole replay is before it).
pub async fn replay(
    server: &TestServer,
    project: &str,
    token: &str,
    since_seq: i64,
    until: &str,
) -> String {
    let auth = json!({ "token": token, "since_seq": since_seq });
    let mut client = connect_to(server, &format!("/chat/{project}"), &auth).await;
    let seen = read_until(&mut client, until).await;
    serde_json::to_string(&seen).expect("json")
}

/// Reads events until one named `name` arrives; `None` if the wait ends or the socket closes.
pub async fn wait_for(
    client: &mut SocketClient,
    name: &str,
    wait: std::time::Duration,
) -> Option<String> {
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

/// Every event frame, parsed as `[name, payload]`, up to and including the first whose text
/// contains `marker`. The barrier for "nothing else arrived": delivery to one socket is in `seq`
/// order, so whatever was sent before the marker arrives before it. Panics if the marker does not
/// come within the wait.
pub async fn read_until(client: &mut SocketClient, marker: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    let found = tokio::time::timeout(wait(), async {
        while let Ok(Some(event)) = client.next_event().await {
            let done = event.contains(marker);
            seen.push(serde_json::from_str(&event).expect("event frame is JSON"));
            if done {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(
        found,
        "{marker:?} did not arrive within {:?}; before it: {}",
        wait(),
        serde_json::to_string(&seen).unwrap_or_default()
    );
    seen
}

/// A request with an ack; returns the ack's first argument.
pub async fn request(client: &mut SocketClient, event: &str, payload: Value) -> Value {
    let ack = tokio::time::timeout(wait(), client.request(event, &payload.to_string()))
        .await
        .unwrap_or_else(|_| panic!("no ack to {event} within {:?}", wait()))
        .unwrap_or_else(|e| panic!("{event}: {e}"));
    let mut args: Vec<Value> = serde_json::from_str(&ack).expect("ack is JSON");
    args.swap_remove(0)
}
