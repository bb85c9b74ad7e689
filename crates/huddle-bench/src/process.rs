//! A server process started for a benchmark, on port 0 (Huddle with a fresh data directory),
//! and what /proc tells about it: resident memory and CPU time.

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
    _dir: Option<TempDir>,
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
        let mut command = Command::new(bin);
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&dir)
            .env("HUDDLE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            // Every load client comes from 127.0.0.1: lift the per-address connection cap.
            .env("HUDDLE_HTTP__MAX_CONNECTIONS_PER_ADDRESS", "1000000")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        ServerProcess::start(command, Some(TempDir(dir)))
            .await
            .with_context(|| format!("starting {bin}"))
    }

    /// Starts another server that, like Huddle, prints `listening on http://…` to stdout (the
    /// comparison servers of `fanout`).
    pub async fn spawn_command(command: Command) -> anyhow::Result<ServerProcess> {
        ServerProcess::start(command, None).await
    }

    async fn start(mut command: Command, dir: Option<TempDir>) -> anyhow::Result<ServerProcess> {
        let started = Instant::now();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
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
            _dir: dir,
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

    /// CPU time used so far (user + system, all threads), in clock ticks: see
    /// [`clock_ticks_per_second`].
    pub fn cpu_ticks(&self) -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()?)).ok()?;
        cpu_ticks_of(&stat)
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

/// `utime + stime` of a `/proc/PID/stat` line. The command name (field 2) is in parentheses and
/// may itself hold spaces or parentheses, so fields are counted from the last `)`.
pub fn cpu_ticks_of(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second of `/proc` CPU times (`getconf CLK_TCK`); 100, its value on Linux
/// nearly everywhere, when `getconf` cannot say. Avoids a libc dependency for one number.
pub fn clock_ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_user_plus_system_time() {
        let stat = "4242 (huddle (x) y) S 1 4242 4242 0 -1 4194560 1234 0 0 0 \
                    250 75 0 0 20 0 9 0 123456 987654321 4321 18446744073709551615";
        assert_eq!(cpu_ticks_of(stat), Some(325));
        assert_eq!(cpu_ticks_of("4242 (huddle) S 1 2"), None);
        assert_eq!(cpu_ticks_of("no parentheses"), None);
    }
}
