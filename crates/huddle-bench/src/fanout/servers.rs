//! The three servers `fanout` compares, each started as its own process so its CPU time and
//! memory can be read from /proc: the bare socketioxide server built into this binary, the
//! Node socket.io server beside this crate, and the real Huddle binary.

use std::path::Path;
use std::process::Stdio;

use anyhow::{bail, Context};
use serde_json::json;
use tokio::process::Command;

use crate::chat_load::setup;
use crate::process::ServerProcess;

/// The namespace every server serves; Huddle's chat of project `bench`.
pub const NAMESPACE: &str = "/chat/bench";

/// Where the Node server lives unless `--node-dir` says otherwise.
pub const NODE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/node");

pub struct Target {
    pub name: &'static str,
    pub process: ServerProcess,
    /// The Socket.IO auth payload (JSON text).
    pub auth: String,
}

/// `huddle-bench bare-server` with the same per-socket buffer as Huddle.
pub async fn bare(socket_buffer: usize) -> anyhow::Result<Target> {
    let exe = std::env::current_exe().context("finding this binary")?;
    let mut command = Command::new(exe);
    command.args(["bare-server", "--socket-buffer", &socket_buffer.to_string()]);
    let process = ServerProcess::spawn_command(command)
        .await
        .context("starting the bare server")?;
    Ok(Target {
        name: "bare",
        process,
        auth: "{}".to_owned(),
    })
}

/// Whether `node` runs at all; without it the Node comparison is skipped.
pub async fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .is_ok_and(|status| status.success())
}

/// `node server.js` in `dir`, installing socket.io there first if it is not yet.
pub async fn node(dir: &Path) -> anyhow::Result<Target> {
    if !dir.join("node_modules").join("socket.io").is_dir() {
        eprintln!("installing socket.io into {}", dir.display());
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(dir)
            // npm's chatter goes to stderr with the rest of the progress, not into the results.
            .stdout(Stdio::from(std::io::stderr()))
            .status()
            .await
            .context("running npm")?;
        if !status.success() {
            bail!("npm install failed in {}: {status}", dir.display());
        }
    }
    let mut command = Command::new("node");
    command.arg("server.js").current_dir(dir);
    let process = ServerProcess::spawn_command(command)
        .await
        .context("starting the node server")?;
    Ok(Target {
        name: "node",
        process,
        auth: "{}".to_owned(),
    })
}

/// The real server, with the per-user limits lifted so they do not set the pace: everything
/// else (auth, validation, Markdown, the durable write and the event log) runs as usual.
pub async fn huddle(bin: &str, connections: usize) -> anyhow::Result<Target> {
    let unlimited = [
        (
            "HUDDLE_REALTIME__CONNECTIONS_PER_USER",
            (connections + 10).to_string(),
        ),
        ("HUDDLE_REALTIME__EVENTS_PER_SECOND", "10000000".to_owned()),
        (
            "HUDDLE_REALTIME__EVENTS_PER_MINUTE",
            "1000000000".to_owned(),
        ),
    ];
    let process = ServerProcess::spawn_with(bin, &unlimited).await?;
    let token = setup(&process.base).await?;
    Ok(Target {
        name: "huddle",
        process,
        auth: json!({ "token": token }).to_string(),
    })
}
