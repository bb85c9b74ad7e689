//! `huddle-bench chat`: N clients in one project's chat, M messages per second from a few
//! senders, every message persisted and fanned out by the real server. Reports send→receive
//! latency over all deliveries and the delivered rate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{json, Value};

use crate::process::{ServerProcess, ADMIN_PASSWORD};
use crate::stats::summary;
use huddle_bench::socket::SocketClient;

pub struct ChatLoad {
    pub clients: usize,
    pub rate: u64,
    pub seconds: u64,
    pub senders: usize,
}

pub async fn run(bin: &str, load: ChatLoad) -> anyhow::Result<()> {
    let unlimited = [
        (
            "HUDDLE_REALTIME__CONNECTIONS_PER_USER",
            (load.clients + 10).to_string(),
        ),
        ("HUDDLE_REALTIME__EVENTS_PER_SECOND", "100000".to_owned()),
        ("HUDDLE_REALTIME__EVENTS_PER_MINUTE", "1000000".to_owned()),
    ];
    let server = ServerProcess::spawn_with(bin, &unlimited).await?;
    let token = setup(&server.base).await?;
    let auth = json!({ "token": token }).to_string();
    let base_instant = Arc::new(Instant::now());

    eprintln!("connecting {} clients", load.clients);
    let mut receivers = Vec::new();
    for i in 0..load.clients {
        let mut client = SocketClient::connect(&server.base, "/chat/bench", &auth)
            .await
            .with_context(|| format!("client {i}"))?;
        let base = base_instant.clone();
        receivers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(3600);
            while Instant::now() < deadline {
                let Ok(Some(event)) = client.next_event().await else {
                    break;
                };
                if let Some(sent_ns) = sent_at(&event) {
                    let now_ns = base.elapsed().as_nanos() as u64;
                    latencies.push(Duration::from_nanos(now_ns.saturating_sub(sent_ns)));
                }
            }
            latencies
        }));
    }
    let rss_connected = server.rss_kib().unwrap_or(0);
    eprintln!(
        "all connected; RSS {rss_connected} KiB; sending {} msg/s for {} s",
        load.rate, load.seconds
    );

    let mut senders = Vec::new();
    for _ in 0..load.senders.max(1) {
        let client = SocketClient::connect(&server.base, "/chat/bench", &auth).await?;
        // Senders are in the room too: keep reading, or the server drops them as too slow.
        // (Runs are shorter than the ping timeout, so their pings need no answer.)
        let mut reader = client.reader;
        tokio::spawn(async move {
            while let Some(Ok(_)) = futures::StreamExt::next(&mut reader).await {}
        });
        senders.push((client.namespace, client.writer));
    }
    let interval = Duration::from_secs_f64(1.0 / load.rate as f64);
    let total = load.rate * load.seconds;
    let started = Instant::now();
    let mut ticker = tokio::time::interval(interval);
    for n in 0..total {
        ticker.tick().await;
        let sent_ns = base_instant.elapsed().as_nanos() as u64;
        let count = senders.len();
        let (namespace, writer) = &mut senders[(n as usize) % count];
        let payload = json!({ "content": format!("bench {sent_ns}") });
        let frame = format!("42{namespace},[\"send_message\",{payload}]");
        futures::SinkExt::send(writer, tokio_tungstenite::tungstenite::Message::text(frame))
            .await?;
    }
    let send_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after = server.rss_kib().unwrap_or(0);
    server.terminate().await?;
    let mut all = Vec::new();
    for r in receivers {
        all.extend(r.await?);
    }
    let expected = total as usize * load.clients;
    println!(
        "clients={} rate={}/s seconds={} sent={} in {:.1} s; delivered {}/{} ({:.2}%), {:.0} deliveries/s",
        load.clients,
        load.rate,
        load.seconds,
        total,
        send_secs,
        all.len(),
        expected,
        100.0 * all.len() as f64 / expected.max(1) as f64,
        all.len() as f64 / send_secs
    );
    println!("{}", summary("send→receive latency", &mut all));
    println!("server RSS: {rss_connected} KiB connected idle, {rss_after} KiB after the run");
    Ok(())
}

/// Logs in as the benchmark server's admin; returns the access token.
pub async fn login(base: &str) -> anyhow::Result<String> {
    let login: Value = reqwest::Client::new()
        .post(format!("{base}/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    Ok(login["access_token"]
        .as_str()
        .context("login failed")?
        .to_owned())
}

/// Logs in as admin, creates the `bench` project and joins it (unless creating it did); returns
/// the access token.
pub(crate) async fn setup(base: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let token = login(base).await?;
    http.post(format!("{base}/api/projects"))
        .bearer_auth(&token)
        .json(&json!({"name": "bench"}))
        .send()
        .await?
        .error_for_status()?;
    let joined = http
        .post(format!("{base}/api/projects/bench/members"))
        .bearer_auth(&token)
        .json(&json!({"username": "admin", "role": "admin"}))
        .send()
        .await?;
    // Servers that make the creator an admin answer 409: admin is a member already.
    if joined.status() != reqwest::StatusCode::CONFLICT {
        joined.error_for_status()?;
    }
    Ok(token)
}

/// The send time carried in a `message_received` frame (`"content":"bench <ns>"`).
fn sent_at(event: &str) -> Option<u64> {
    if !event.starts_with("[\"message_received\"") {
        return None;
    }
    let start = event.find("\"content\":\"bench ")? + "\"content\":\"bench ".len();
    let digits = &event[start..];
    let end = digits.find('"')?;
    digits[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_time_is_read_from_message_frames_only() {
        assert_eq!(
            sent_at(r#"["message_received",{"content":"bench 12345","seq":3}]"#),
            Some(12345)
        );
        assert_eq!(
            sent_at(r#"["message_updated",{"content":"bench 12345"}]"#),
            None
        );
        assert_eq!(sent_at(r#"["message_received",{"content":"hello"}]"#), None);
    }
}
