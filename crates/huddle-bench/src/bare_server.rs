//! `huddle-bench bare-server` (hidden): the least a socketioxide + axum server must do to relay
//! chat messages, as `fanout`'s baseline. Same socketioxide, axum and per-socket buffer as
//! Huddle and a payload of the same shape, but no auth, checks, Markdown or storage: what is
//! left is the cost of Socket.IO fan-out itself.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::routing::get;
use axum::serve::ListenerExt;
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};
use socketioxide::extract::{AckSender, SocketRef, TryData};
use socketioxide::SocketIo;
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

const NAMESPACE: &str = "/chat/bench";
const ROOM: &str = "bench";

/// Messages relayed so far: the `seq` of the next one, as Huddle's event log would give.
static SEQ: AtomicU64 = AtomicU64::new(0);

/// Serves on 127.0.0.1 (any port) until SIGTERM; prints `listening on http://…` like Huddle.
pub async fn run(socket_buffer: usize) -> anyhow::Result<()> {
    let (layer, io) = SocketIo::builder()
        .max_buffer_size(socket_buffer)
        .build_layer();
    io.ns(NAMESPACE, on_connect);
    let app = axum::Router::new()
        .route("/", get(|| async { "bare socketioxide server" }))
        .layer(layer);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // Like Huddle's listener: small frames go out at once instead of waiting for Nagle.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            eprintln!("cannot set TCP_NODELAY: {e}");
        }
    });
    println!("listening on http://{addr}");
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        served = axum::serve(listener, app) => served?,
        _ = terminate.recv() => {}
    }
    Ok(())
}

/// Handlers are registered on connect, as Huddle does once a socket is admitted.
async fn on_connect(socket: SocketRef) {
    socket.join(ROOM);
    socket.on("send_message", send_message);
}

async fn send_message(socket: SocketRef, TryData(request): TryData<Value>, ack: AckSender) {
    let content = request
        .ok()
        .and_then(|r| r.get("content")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    let message = message(&content, SEQ.fetch_add(1, Ordering::Relaxed) + 1);
    // A socket whose buffer is full misses this one: the receivers count it as lost.
    let _ = socket.within(ROOM).emit("message_received", &message).await;
    let _ = ack.send(&json!({ "ok": true, "message": message }));
}

/// A message with the fields of Huddle's `message_received`, so both send as many bytes. The
/// HTML is the content in a paragraph, not rendered: rendering is part of what Huddle adds.
fn message(content: &str, seq: u64) -> Value {
    json!({
        "message_id": format!("bare-{seq}"),
        "project_name": "bench",
        "channel": "general",
        "author_type": "user",
        "author_id": "bench",
        "author_name": "admin",
        "content": content,
        "content_html": format!("<p>{content}</p>"),
        "type": "message",
        "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "edited_at": null,
        "deleted": false,
        "thread_id": null,
        "reply_to": null,
        "client_id": null,
        "attachments": [],
        "reactions": [],
        "mentions": [],
        "pinned": false,
        "thread": null,
        "metadata": {},
        "seq": seq,
        "kind": "message_received",
        "actor": "admin",
    })
}
