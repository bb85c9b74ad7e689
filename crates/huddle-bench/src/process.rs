//! A server process started for a benchmark, on port 0 with a fresh data directory.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const ADMIN_PASSWORD: &str = "bench-admin-password";

pub struct ServerProcess {
    pub child: Child,
    pub base: String,
    pub started: Instant,
    _dir: TempDir,
}

/// A directory removed on drop (no extra dependency for one use).
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl ServerProcess {
    pub async fn spawn(bin: &str) -> anyhow::Result<ServerProcess> {
        ServerProcess::spawn_with(bin, &[]).await
    }

    /// Starts the server with extra environment, e.g. raised limits for load tests.
    pub async fn spawn_with(bin: &str, env: &[(&str, String)]) -> anyhow::Result<ServerProcess> {
        let dir = std::env::temp_dir().join(format!(
            "huddle-bench-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&dir)?;
        let started = Instant::now();
        let mut child = Command::new(bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&dir)
            .env("HUDDLE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            // Every load client comes from 127.0.0.1: lift the per-address connection cap.
            .env("HUDDLE_HTTP__MAX_CONNECTIONS_PER_ADDRESS", "1000000")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {bin}"))?;
        let stdout = child.stdout.take().context("stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let Some(line) =
                tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await??
            else {
                bail!("server exited before printing its address");
            };
            if let Some(addr) = line.strip_prefix("listening on ") {
                break addr.trim().to_owned();
            }
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(ServerProcess {
            child,
            base,
            started,
            _dir: TempDir(dir),
        })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Resident memory in KiB, from /proc.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// SIGTERM, then the time until the process has exited.
    pub async fn terminate(mut self) -> anyhow::Result<Duration> {
        let pid = self.pid().context("already exited")?;
        let start = Instant::now();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()?;
        if !status.success() {
            bail!("kill -TERM {pid} failed");
        }
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await??;
        if !exit.success() {
            bail!("server exited with {exit}");
        }
        Ok(start.elapsed())
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}
