//! A real server on port 0 with its own data dir, and a small HTTP client for it.

#![allow(dead_code)]

pub mod chat_socket;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use huddle_core::AgentRole;
use huddle_server::commands::Account;
use huddle_server::config::{Config, Secret};
use huddle_server::{bootstrap, commands, Server};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// How long a test waits for something that must happen: `HUDDLE_TEST_WAIT_SECS`, 15 s unless
/// set. Generous, because two tests share two cores and every login hashes a password; a test
/// that passes only waits as long as the event takes.
pub fn wait() -> Duration {
    let secs = std::env::var("HUDDLE_TEST_WAIT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    Duration::from_secs(secs)
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub config: Config,
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    pub handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        TestServer::start_listening(listener(None), adjust).await
    }

    /// As [`TestServer::start_with`], with a small kernel send buffer on every accepted socket
    /// (Linux copies the listener's, and a set size turns autotuning off): a client that stops
    /// reading fills it after a few hundred KB, whatever the host's TCP settings.
    pub async fn start_with_small_send_buffers(adjust: impl FnOnce(&mut Config)) -> TestServer {
        TestServer::start_listening(listener(Some(SMALL_BUFFER_BYTES)), adjust).await
    }

    async fn start_listening(
        listener: tokio::net::TcpListener,
        adjust: impl FnOnce(&mut Config),
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            admin_password: Some(Secret::new(ADMIN_PASSWORD.into())),
            ..Config::default()
        };
        adjust(&mut config);
        let addr = listener.local_addr().expect("addr");
        let server = Server::prepare(config.clone()).await.expect("prepare");
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            config,
            http: reqwest::Client::new(),
            stop: Some(stop),
            handle: Some(handle),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.config.data_dir.clone()
    }

    /// Sends a request; returns status, headers and the JSON body (Null when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, headers, json)
    }

    pub async fn login(&self, username: &str, password: &str) -> Value {
        let (status, _, body) = self
            .call(
                Method::POST,
                "/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        body
    }

    pub async fn admin_token(&self) -> String {
        token_of(&self.login("admin", ADMIN_PASSWORD).await)
    }

    /// Creates project `name` with `admin` (a server admin's token).
    pub async fn create_project(&self, admin: &str, name: &str) {
        let (status, _, body) = self
            .call(
                Method::POST,
                "/api/projects",
                Some(admin),
                Some(json!({"name": name})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "create {name}: {body}");
    }

    /// Adds `username` to `project` with `role`, or changes their role.
    pub async fn add_member(&self, admin: &str, project: &str, username: &str, role: &str) {
        let (status, _, body) = self
            .call(
                Method::POST,
                &format!("/api/projects/{project}/members"),
                Some(admin),
                Some(json!({"username": username, "role": role})),
            )
            .await;
        assert!(status.is_success(), "add {username} to {project}: {body}");
    }

    /// Creates a user the way `huddle user add` does, on the same data.
    pub async fn add_user(&self, name: &str, password: &str) {
        let store = bootstrap::open_store(&self.config).await.expect("store");
        commands::user_add(
            store.as_ref(),
            name,
            password.into(),
            Account::Person { admin: false },
        )
        .await
        .expect("user add");
    }

    /// Creates an agent the way `huddle agent add` does.
    pub async fn add_agent(&self, name: &str, role: AgentRole, password: &str) {
        let store = bootstrap::open_store(&self.config).await.expect("store");
        commands::user_add(store.as_ref(), name, password.into(), Account::Agent(role))
            .await
            .expect("agent add");
    }

    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.handle.take() {
            Some(handle) => handle.await.expect("server task"),
            None => Ok(()),
        }
    }
}

/// Kernel socket buffer size for tests that need a full buffer soon (see
/// [`TestServer::start_with_small_send_buffers`]).
pub const SMALL_BUFFER_BYTES: u32 = 64 * 1024;

/// A listener on 127.0.0.1, port 0, with `send_buffer` bytes of kernel send buffer if given.
fn listener(send_buffer: Option<u32>) -> tokio::net::TcpListener {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    if let Some(bytes) = send_buffer {
        socket.set_send_buffer_size(bytes).expect("SO_SNDBUF");
    }
    socket
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("bind");
    socket.listen(1024).expect("listen")
}

pub fn token_of(login: &Value) -> String {
    login["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}
