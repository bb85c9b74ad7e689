//! `huddle-bench http`: concurrent clients in a closed loop on `GET /api/projects/{name}/events`,
//! an authenticated route that checks membership and reads the event log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{json, Value};

use crate::process::{ServerProcess, ADMIN_PASSWORD};
use crate::stats::summary;

pub async fn run(bin: &str, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let server = ServerProcess::spawn(bin).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let base = server.base.clone();
    let login: Value = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .context("login failed")?
        .to_owned();
    http.post(format!("{base}/api/projects"))
        .bearer_auth(&token)
        .json(&json!({"name": "bench"}))
        .send()
        .await?
        .error_for_status()?;
    let url = Arc::new(format!(
        "{base}/api/projects/bench/events?after_seq=0&limit=50"
    ));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while Instant::now() < deadline {
                    let start = Instant::now();
                    let ok = http
                        .get(url.as_str())
                        .bearer_auth(&token)
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success());
                    if ok {
                        samples.push(start.elapsed());
                    }
                }
                samples
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    println!("requests/s: {:.0}", all.len() as f64 / seconds as f64);
    println!(
        "{}",
        summary(&format!("GET events page, {clients} clients"), &mut all)
    );
    println!(
        "server RSS after load: {} KiB",
        server.rss_kib().unwrap_or(0)
    );
    server.terminate().await?;
    Ok(())
}
