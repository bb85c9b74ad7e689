//! `huddle-bench login-storm`: many logins at once, most with wrong passwords (which cost the
//! server as much as right ones and need no account), with the login throttle's waits off so
//! every attempt reaches the password check. Reports the server's RSS before, at its peak and
//! after, and how long the storm took.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;

use crate::process::{ServerProcess, ADMIN_PASSWORD};

pub async fn run(bin: &str, logins: usize, concurrency: usize) -> anyhow::Result<()> {
    let server = ServerProcess::spawn_with(
        bin,
        &[
            ("HUDDLE_AUTH__LOGIN_DELAY_SECS", "0".to_owned()),
            ("HUDDLE_AUTH__MAX_ATTEMPTS_PER_IP", "1000000".to_owned()),
            ("HUDDLE_AUTH__MAX_FAILURES_PER_USER", "1000000".to_owned()),
        ],
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.rss_kib().unwrap_or(0);
    let peak = Arc::new(AtomicU64::new(before));
    let sampler = {
        let (peak, pid) = (peak.clone(), server.pid());
        tokio::spawn(async move {
            loop {
                if let Some(rss) = pid.and_then(rss_of) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let http = reqwest::Client::new();
    let start = Instant::now();
    let statuses: Vec<u16> = futures::stream::iter(0..logins)
        .map(|i| {
            let (http, base) = (http.clone(), server.base.clone());
            async move {
                // One in ten is the right password; the rest guess.
                let (user, password) = if i % 10 == 0 {
                    ("admin".to_owned(), ADMIN_PASSWORD.to_owned())
                } else {
                    (format!("user{i}"), format!("guess-{i}"))
                };
                http.post(format!("{base}/auth/login"))
                    .json(&json!({ "username": user, "password": password }))
                    .send()
                    .await
                    .map_or(0, |r| r.status().as_u16())
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let took = start.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    sampler.abort();
    let after = server.rss_kib().unwrap_or(0);
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 401).count();
    println!(
        "{logins} logins, {concurrency} at a time: {ok} accepted, {refused} refused, {} other, in {:.2} s ({:.1}/s)",
        logins - ok - refused,
        took.as_secs_f64(),
        logins as f64 / took.as_secs_f64()
    );
    println!(
        "RSS: {} MB before, {} MB at the peak, {} MB 2 s after",
        before / 1024,
        peak.load(Ordering::Relaxed) / 1024,
        after / 1024
    );
    server.terminate().await?;
    Ok(())
}

fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
