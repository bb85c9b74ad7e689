//! Crash recovery of the real binary on SQLite: three people post to `general` over their own
//! sockets while the server is killed with SIGKILL and restarted on the same data dir, twice.
//! Afterwards every acknowledged message is in the channel exactly once, no content is stored
//! twice (also not for retries with the same `client_id` across a crash), every message has
//! exactly one `message_received` event, and the event log's `seq` runs 1..=last_seq with no gap
//! or repeat.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use huddle_bench::socket::SocketClient;
use parking_lot::Mutex;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const ADMIN_PASSWORD: &str = "crash-admin-password";
const PROJECT: &str = "crash";
const WRITERS: usize = 3;
/// Server lifetimes: each but the last ends with SIGKILL.
const LIFETIMES: usize = 3;
/// Messages each writer gets acknowledged in a lifetime before the kill.
const ACKS_BEFORE_KILL: usize = 40;
/// Twice the suite's wait: each lifetime starts a process and three writers post 40 each.
fn wait() -> Duration {
    crate::common::wait() * 2
}

/// `huddle serve` on port 0 over `data_dir`, with limits raised so that the posting rate is the
/// server's, not the rate limiter's.
struct Server {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Server {
    async fn start(data_dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_huddle"))
            .arg("serve")
            .current_dir(data_dir)
            .env("HUDDLE_LISTEN", "127.0.0.1:0")
            .env("HUDDLE_DATA_DIR", data_dir)
            .env("HUDDLE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("HUDDLE_REALTIME__EVENTS_PER_SECOND", "1000")
            .env("HUDDLE_REALTIME__EVENTS_PER_MINUTE", "100000")
            .env("HUDDLE_REALTIME__READS_PER_SECOND", "1000")
            .env("HUDDLE_REALTIME__READS_PER_MINUTE", "100000")
            .env("RUST_LOG", "info")
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env_remove("HUDDLE_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start the huddle binary");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = tokio::time::timeout(wait(), async {
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    return addr.trim().to_owned();
                }
            }
            panic!("the server exited before printing its address");
        })
        .await
        .expect("the server starts within 30 s");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server {
            child,
            base,
            http: reqwest::Client::new(),
        }
    }

    /// SIGKILL: no shutdown hook, no flush, no goodbye to the sockets.
    async fn kill(&mut self) {
        self.child.kill().await.expect("SIGKILL the server");
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        body["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// A project with `WRITERS` contributors; returns their access tokens and an admin token.
    async fn set_up(&self) -> (String, Vec<String>) {
        let admin = self.login("admin", ADMIN_PASSWORD).await;
        let (status, body) = self
            .call(
                Method::POST,
                "/api/projects",
                Some(&admin),
                Some(json!({"name": PROJECT})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "create project: {body}");
        let mut tokens = Vec::new();
        for w in 0..WRITERS {
            let username = format!("writer{w}");
            let (status, body) = self
                .call(
                    Method::POST,
                    "/api/users",
                    Some(&admin),
                    Some(json!({"username": username})),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "create {username}: {body}");
            let password = body["password"].as_str().expect("generated password");
            let (status, body) = self
                .call(
                    Method::POST,
                    &format!("/api/projects/{PROJECT}/members"),
                    Some(&admin),
                    Some(json!({"username": username, "role": "contributor"})),
                )
                .await;
            assert!(status.is_success(), "add {username}: {body}");
            tokens.push(self.login(&username, password).await);
        }
        (admin, tokens)
    }

    /// Every root message of `channel`, newest first, paged with `before`.
    async fn history(&self, token: &str, channel: &str) -> Vec<Value> {
        let mut all: Vec<Value> = Vec::new();
        loop {
            let before = all
                .last()
                .map(|m| format!("&before={}", m["message_id"].as_str().expect("message_id")))
                .unwrap_or_default();
            let (status, body) = self
                .call(
                    Method::GET,
                    &format!(
                        "/api/projects/{PROJECT}/channels/{channel}/messages?limit=100{before}"
                    ),
                    Some(token),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "history: {body}");
            let page = body["messages"].as_array().expect("messages").clone();
            let more = body["has_more"].as_bool().expect("has_more");
            assert!(!(more && page.is_empty()), "has_more with an empty page");
            all.extend(page);
            if !more {
                return all;
            }
        }
    }

    /// The whole event log and the `last_seq` the server reports, paged with `after_seq`.
    async fn events(&self, token: &str) -> (Vec<Value>, i64) {
        let mut all: Vec<Value> = Vec::new();
        loop {
            let after = all.last().map_or(0, |e| e["seq"].as_i64().expect("seq"));
            let (status, body) = self
                .call(
                    Method::GET,
                    &format!("/api/projects/{PROJECT}/events?after_seq={after}&limit=1000"),
                    Some(token),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "events: {body}");
            let page = body["events"].as_array().expect("events").clone();
            let more = body["has_more"].as_bool().expect("has_more");
            let last_seq = body["last_seq"].as_i64().expect("last_seq");
            assert!(!(more && page.is_empty()), "has_more with an empty page");
            all.extend(page);
            if !more {
                return (all, last_seq);
            }
        }
    }
}

/// What all writers did, across lifetimes.
#[derive(Default)]
struct Ledger {
    /// Every content sent (each unique), acknowledged or not.
    sent: HashSet<String>,
    /// Contents whose ack said `ok: true`.
    acked: HashSet<String>,
    /// Contents retried with the same `client_id` after a crash.
    retried: Vec<String>,
}

/// One message in flight when its lifetime ended: content and `client_id`.
type InDoubt = (String, String);

/// `send_message` to `general`; the ack's first argument, or an error when the connection dies.
async fn send(client: &mut SocketClient, content: &str, client_id: &str) -> anyhow::Result<Value> {
    let payload = json!({"channel": "general", "content": content, "client_id": client_id});
    let ack = tokio::time::timeout(wait(), client.request("send_message", &payload.to_string()))
        .await
        .map_err(|_| anyhow::anyhow!("no ack within {:?}", wait()))??;
    let mut args: Vec<Value> = serde_json::from_str(&ack)?;
    Ok(args.swap_remove(0))
}

/// One writer in one server lifetime.
struct Writer {
    base: String,
    token: String,
    writer: usize,
    lifetime: usize,
    /// The message in flight when the previous lifetime ended, to send again.
    retry: Option<InDoubt>,
    ledger: Arc<Mutex<Ledger>>,
    acks: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Writer {
    /// Posts until `stop` or until the connection dies; returns the message that was in
    /// flight when it died. First retries `retry` with its `client_id`: that must succeed
    /// whether or not the crash let it commit, and must not store it twice.
    async fn run(self) -> Option<InDoubt> {
        let auth = json!({ "token": self.token }).to_string();
        let mut client = SocketClient::connect(&self.base, &format!("/chat/{PROJECT}"), &auth)
            .await
            .expect("connect a writer");
        if let Some((content, client_id)) = self.retry {
            let ack = send(&mut client, &content, &client_id)
                .await
                .expect("the retry is answered");
            assert_eq!(ack["ok"], true, "retry of {content} after a crash: {ack}");
            assert_eq!(ack["message"]["content"], content.as_str(), "{ack}");
            let mut ledger = self.ledger.lock();
            ledger.acked.insert(content.clone());
            ledger.retried.push(content);
        }
        for n in 0.. {
            if self.stop.load(Ordering::Relaxed) {
                return None;
            }
            let content = format!(
                "writer {} lifetime {} message {n}",
                self.writer, self.lifetime
            );
            let client_id = format!("w{}-l{}-m{n}", self.writer, self.lifetime);
            self.ledger.lock().sent.insert(content.clone());
            match send(&mut client, &content, &client_id).await {
                Ok(ack) if ack["ok"] == true => {
                    assert_eq!(ack["message"]["content"], content.as_str(), "{ack}");
                    self.ledger.lock().acked.insert(content);
                    self.acks.fetch_add(1, Ordering::Relaxed);
                }
                // Refused without a crash: neither retried nor expected.
                Ok(_) => {}
                Err(_) => return Some((content, client_id)),
            }
        }
        unreachable!("the loop ends by returning")
    }
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    tokio::time::timeout(wait(), async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting until {what}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_messages_survive_sigkill_once_and_the_log_stays_gap_free() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut server = Server::start(dir.path()).await;
    let (admin, tokens) = server.set_up().await;
    // Writer 2 never retries: its lost messages may or may not be stored, but never twice.
    let retries = |writer: usize| writer != 2;
    let mut in_doubt: Vec<Option<InDoubt>> = vec![None; WRITERS];

    for lifetime in 0..LIFETIMES {
        if lifetime > 0 {
            // Access tokens outlive the process: the JWT secret is in the data dir.
            server = Server::start(dir.path()).await;
        }
        let acks: Vec<Arc<AtomicUsize>> = (0..WRITERS).map(|_| Arc::default()).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                tokio::spawn(
                    Writer {
                        base: server.base.clone(),
                        token: tokens[w].clone(),
                        writer: w,
                        lifetime,
                        retry: in_doubt[w].take().filter(|_| retries(w)),
                        ledger: ledger.clone(),
                        acks: acks[w].clone(),
                        stop: stop.clone(),
                    }
                    .run(),
                )
            })
            .collect();
        wait_until("every writer has posted", || {
            acks.iter()
                .all(|a| a.load(Ordering::Relaxed) >= ACKS_BEFORE_KILL)
        })
        .await;
        let last = lifetime + 1 == LIFETIMES;
        if last {
            stop.store(true, Ordering::Relaxed);
        } else {
            server.kill().await;
        }
        for (w, writer) in writers.into_iter().enumerate() {
            let lost = tokio::time::timeout(wait(), writer)
                .await
                .expect("the writer ends")
                .expect("the writer task");
            assert_eq!(lost.is_some(), !last, "writer {w} in lifetime {lifetime}");
            in_doubt[w] = lost;
        }
    }

    let messages = server.history(&admin, "general").await;
    let (events, last_seq) = server.events(&admin).await;
    let ledger = std::mem::take(&mut *ledger.lock());
    let mut by_content: HashMap<&str, usize> = HashMap::new();
    let mut ids = HashSet::new();
    for m in &messages {
        let content = m["content"].as_str().expect("content");
        *by_content.entry(content).or_default() += 1;
        assert!(
            ids.insert(m["message_id"].as_str().expect("id")),
            "message {m} listed twice"
        );
        assert!(ledger.sent.contains(content), "a message nobody sent: {m}");
    }
    let twice: Vec<_> = by_content.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "stored more than once: {twice:?}");
    let missing: Vec<_> = ledger
        .acked
        .iter()
        .filter(|c| !by_content.contains_key(c.as_str()))
        .collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert_eq!(
        ledger.retried.len(),
        2 * (LIFETIMES - 1),
        "each crash leaves two messages to retry: {:?}",
        ledger.retried
    );

    let seqs: Vec<i64> = events
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    let expected: Vec<i64> = (1..=last_seq).collect();
    assert!(
        seqs == expected,
        "seq is not 1..={last_seq} without gaps: {}",
        describe_gaps(&seqs)
    );
    let mut received = HashMap::new();
    for e in events.iter().filter(|e| e["kind"] == "message_received") {
        let id = e["payload"]["message_id"].as_str().expect("message id");
        *received.entry(id).or_insert(0) += 1;
    }
    assert!(
        received.values().all(|n| *n == 1),
        "a message with more than one message_received event"
    );
    let logged: HashSet<&str> = received.keys().copied().collect();
    assert_eq!(logged, ids, "messages and their events disagree");
    server.kill().await;
}

/// Where a sequence that should be 1, 2, 3, … is not.
fn describe_gaps(seqs: &[i64]) -> String {
    let mut odd = Vec::new();
    let mut want = 1;
    for &s in seqs {
        if s != want {
            odd.push(format!("expected {want}, got {s}"));
        }
        want = s + 1;
    }
    format!("{} events; {}", seqs.len(), odd.join(", "))
}
