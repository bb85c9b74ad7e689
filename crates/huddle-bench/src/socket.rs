//! A minimal Socket.IO v5 (Engine.IO v4) client over websocket, enough to drive load: connect to
//! a namespace with an auth payload, answer pings, emit events, and hand back event frames.
//! Benchmarks need thousands of cheap clients, which a full client library would not give.

use anyhow::{bail, Context};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct SocketClient {
    pub namespace: String,
    acks: u64,
    pub writer: SplitSink<Ws, Message>,
    pub reader: SplitStream<Ws>,
}

impl SocketClient {
    /// Connects `base` (`http://host:port`) to `namespace` with `auth` (JSON text).
    pub async fn connect(base: &str, namespace: &str, auth: &str) -> anyhow::Result<SocketClient> {
        let url = format!(
            "{}/socket.io/?EIO=4&transport=websocket",
            base.replacen("http://", "ws://", 1)
        );
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .context("websocket connect")?;
        let (mut writer, mut reader) = ws.split();
        let open = next_text(&mut reader).await?;
        if !open.starts_with('0') {
            bail!("expected the Engine.IO open packet, got {open}");
        }
        writer
            .send(Message::text(format!("40{namespace},{auth}")))
            .await?;
        loop {
            let frame = next_text(&mut reader).await?;
            if frame.starts_with(&format!("40{namespace},")) {
                break;
            }
            if frame.starts_with(&format!("44{namespace},")) {
                bail!("connection refused: {frame}");
            }
        }
        Ok(SocketClient {
            namespace: namespace.to_owned(),
            acks: 0,
            writer,
            reader,
        })
    }

    /// Emits `event` with a JSON `payload` (text), without an ack.
    pub async fn emit(&mut self, event: &str, payload: &str) -> anyhow::Result<()> {
        let frame = format!("42{},[\"{event}\",{payload}]", self.namespace);
        self.writer.send(Message::text(frame)).await?;
        Ok(())
    }

    /// Emits `event` with an ack id and returns the ack's JSON array (text), skipping other
    /// frames that arrive meanwhile.
    pub async fn request(&mut self, event: &str, payload: &str) -> anyhow::Result<String> {
        self.acks += 1;
        let id = self.acks;
        let frame = format!("42{},{id}[\"{event}\",{payload}]", self.namespace);
        self.writer.send(Message::text(frame)).await?;
        let prefix = format!("43{},{id}", self.namespace);
        while let Some(frame) = self.reader.next().await {
            let Message::Text(text) = frame? else {
                continue;
            };
            if text.as_str() == "2" {
                self.writer.send(Message::text("3")).await?;
            } else if let Some(body) = text.as_str().strip_prefix(&prefix) {
                return Ok(body.to_owned());
            }
        }
        bail!("connection closed before the ack of {event}")
    }

    /// The next event frame of the namespace (`42/ns,[...]`, returned without the prefix);
    /// pings are answered on the way. `None` when the connection or the namespace ends.
    pub async fn next_event(&mut self) -> anyhow::Result<Option<String>> {
        let prefix = format!("42{},", self.namespace);
        let disconnect = format!("41{}", self.namespace);
        while let Some(frame) = self.reader.next().await {
            let Message::Text(text) = frame? else {
                continue;
            };
            if text.as_str() == "2" {
                self.writer.send(Message::text("3")).await?;
            } else if let Some(body) = text.as_str().strip_prefix(&prefix) {
                return Ok(Some(body.to_owned()));
            } else if text.as_str().starts_with(&disconnect) || text.as_str() == "1" {
                return Ok(None);
            }
        }
        Ok(None)
    }
}

async fn next_text(reader: &mut SplitStream<Ws>) -> anyhow::Result<String> {
    while let Some(frame) = reader.next().await {
        if let Message::Text(text) = frame? {
            return Ok(text.as_str().to_owned());
        }
    }
    bail!("connection closed during the handshake")
}
