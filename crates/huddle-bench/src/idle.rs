//! `huddle-bench idle`: many authenticated Socket.IO connections doing nothing but answering
//! pings; reports the server's RSS per connection.

use std::time::Duration;

use serde_json::json;

use crate::process::ServerProcess;
use huddle_bench::socket::SocketClient;

pub async fn run(bin: &str, connections: usize) -> anyhow::Result<()> {
    // Every connection is the admin's: lift the per-user cap, which would close all but ten.
    let cap = [(
        "HUDDLE_REALTIME__PORTAL_CONNECTIONS_PER_USER",
        (connections + 10).to_string(),
    )];
    let server = ServerProcess::spawn_with(bin, &cap).await?;
    let token = crate::chat_load::login(&server.base).await?;
    let auth = json!({ "token": token }).to_string();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.rss_kib().unwrap_or(0);
    let mut held = Vec::with_capacity(connections);
    for i in 0..connections {
        let mut client = SocketClient::connect(&server.base, "/portal", &auth).await?;
        held.push(tokio::spawn(async move {
            while let Ok(Some(_)) = client.next_event().await {}
        }));
        if (i + 1) % 1000 == 0 {
            eprintln!(
                "{} connected, RSS {} KiB",
                i + 1,
                server.rss_kib().unwrap_or(0)
            );
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.rss_kib().unwrap_or(0);
    let open = held.iter().filter(|h| !h.is_finished()).count();
    if open != connections {
        anyhow::bail!("only {open} of {connections} connections stayed open");
    }
    println!(
        "{connections} idle connections: RSS {before} KiB before, {after} KiB after ({:.1} KiB per connection)",
        (after.saturating_sub(before)) as f64 / connections as f64
    );
    server.terminate().await?;
    for h in held {
        h.abort();
    }
    Ok(())
}
