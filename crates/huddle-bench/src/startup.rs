//! `huddle-bench startup`: spawn → `/ready` answered, idle RSS after a second, SIGTERM → exit.

use std::time::Duration;

use crate::process::ServerProcess;
use crate::stats::summary;

pub async fn run(bin: &str, runs: usize) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let (mut ready, mut stop, mut rss) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let server = ServerProcess::spawn(bin).await?;
        loop {
            let ok = http
                .get(format!("{}/ready", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                break;
            }
            if server.started.elapsed() > Duration::from_secs(30) {
                anyhow::bail!("server not ready after 30 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        ready.push(server.started.elapsed());
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss.push(server.rss_kib().unwrap_or(0));
        stop.push(server.terminate().await?);
        eprintln!("run {}/{runs} done", run + 1);
    }
    println!(
        "{}",
        summary(
            "ready (spawn to /ready 200, first start: migrations + admin)",
            &mut ready
        )
    );
    println!("{}", summary("shutdown (SIGTERM to exit)", &mut stop));
    rss.sort_unstable();
    println!(
        "idle RSS: min={} KiB median={} KiB max={} KiB",
        rss[0],
        rss[rss.len() / 2],
        rss[rss.len() - 1]
    );
    Ok(())
}
