//! A minimal Socket.IO v5 (Engine.IO v4) client over websocket, enough to drive load: connect to
//! a namespace with an auth payload, answer pings, emit events, and hand back event frames.
//! Benchmarks need thousands of cheap clients, which a full client library would not give.

use std::collections::VecDeque;

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
    /// Events that arrived while [`SocketClient::request`] waited for its ack, handed out by
    /// [`SocketClient::next_event`] before anything newer.
    early: VecDeque<String>,
    pub writer: SplitSink<Ws, Message>,
    pub reader: SplitStream<Ws>,
}

/// An Engine.IO connection that has not joined a namespace yet: opening many, then joining them
/// all at once, is how every tab arrives at a server that just restarted.
pub struct EngineConnection {
    writer: SplitSink<Ws, Message>,
    reader: SplitStream<Ws>,
}

impl EngineConnection {
    /// Opens a websocket to `base` (`http://host:port`) and reads the Engine.IO open packet.
    pub async fn open(base: &str) -> anyhow::Result<EngineConnection> {
        EngineConnection::open_with_receive_buffer(base, None).await
    }

    /// As [`EngineConnection::open`], with `bytes` of kernel receive buffer if given: a client
    /// that stops reading then holds back the server after that much, on any host.
    pub async fn open_with_receive_buffer(
        base: &str,
        bytes: Option<u32>,
    ) -> anyhow::Result<EngineConnection> {
        let url = format!(
            "{}/socket.io/?EIO=4&transport=websocket",
            base.replacen("http://", "ws://", 1)
        );
        let addr = tokio::net::lookup_host(base.trim_start_matches("http://"))
            .await
            .context("resolve")?
            .next()
            .context("no address")?;
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        if let Some(bytes) = bytes {
            socket.set_recv_buffer_size(bytes)?;
        }
        let stream = socket.connect(addr).await.context("tcp connect")?;
        let (ws, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream))
            .await
            .context("websocket connect")?;
        let (writer, mut reader) = ws.split();
        let open = next_text(&mut reader).await?;
        if !open.starts_with('0') {
            bail!("expected the Engine.IO open packet, got {open}");
        }
        Ok(EngineConnection { writer, reader })
    }

    /// Joins `namespace` with `auth` (JSON text) and waits for the namespace to accept.
    pub async fn join(self, namespace: &str, auth: &str) -> anyhow::Result<SocketClient> {
        let EngineConnection {
            mut writer,
            mut reader,
        } = self;
        writer
            .send(Message::text(format!("40{namespace},{auth}")))
            .await?;
        loop {
            let frame = next_text(&mut reader).await?;
            // socketioxide pings right after the open packet, possibly before the namespace
            // answers: unanswered, that ping closes the connection a ping timeout later.
            if frame == "2" {
                writer.send(Message::text("3")).await?;
            } else if frame.starts_with(&format!("40{namespace},")) {
                break;
            }
            if frame.starts_with(&format!("44{namespace},")) {
                bail!("connection refused: {frame}");
            }
        }
        Ok(SocketClient {
            namespace: namespace.to_owned(),
            acks: 0,
            early: VecDeque::new(),
            writer,
            reader,
        })
    }
}

impl SocketClient {
    /// Connects `base` (`http://host:port`) to `namespace` with `auth` (JSON text).
    pub async fn connect(base: &str, namespace: &str, auth: &str) -> anyhow::Result<SocketClient> {
        EngineConnection::open(base)
            .await?
            .join(namespace, auth)
            .await
    }

    /// Emits `event` with a JSON `payload` (text), without an ack.
    pub async fn emit(&mut self, event: &str, payload: &str) -> anyhow::Result<()> {
        let frame = format!("42{},[\"{event}\",{payload}]", self.namespace);
        self.writer.send(Message::text(frame)).await?;
        Ok(())
    }

    /// Emits `event` with a fresh ack id and returns the id without waiting for the ack, so a
    /// load loop can keep several requests in flight and match the acks as [`Frame::Ack`]s.
    pub async fn send_request(&mut self, event: &str, payload: &str) -> anyhow::Result<u64> {
        self.acks += 1;
        let id = self.acks;
        let frame = format!("42{},{id}[\"{event}\",{payload}]", self.namespace);
        self.writer.send(Message::text(frame)).await?;
        Ok(id)
    }

    /// Answers an Engine.IO ping (see [`Frame::Ping`]).
    pub async fn pong(&mut self) -> anyhow::Result<()> {
        self.writer.send(Message::text("3")).await?;
        Ok(())
    }

    /// What a text frame read from [`SocketClient::reader`] is, for loops that read and write
    /// on one task (they must answer pings themselves).
    pub fn classify<'a>(&self, text: &'a str) -> Frame<'a> {
        classify_frame(&self.namespace, text)
    }

    /// Emits `event` with an ack id and returns the ack's JSON array (text). Events that arrive
    /// before the ack (the server may deliver an event the request caused ahead of its ack) are
    /// kept for [`SocketClient::next_event`].
    pub async fn request(&mut self, event: &str, payload: &str) -> anyhow::Result<String> {
        let id = self.send_request(event, payload).await?;
        let prefix = format!("43{},{id}", self.namespace);
        let events = format!("42{},", self.namespace);
        // What ended the connection, for the error: a namespace disconnect, an Engine.IO close
        // or the websocket's close frame.
        let mut ending = Vec::new();
        while let Some(frame) = self.reader.next().await {
            let text = match frame? {
                Message::Text(text) => text,
                Message::Close(close) => {
                    ending.push(format!("close frame {close:?}"));
                    continue;
                }
                _ => continue,
            };
            if text.as_str() == "2" {
                self.writer.send(Message::text("3")).await?;
            } else if let Some(body) = text.as_str().strip_prefix(&prefix) {
                return Ok(body.to_owned());
            } else if let Some(body) = text.as_str().strip_prefix(&events) {
                self.early.push_back(body.to_owned());
            } else {
                ending.push(format!("packet {text}"));
            }
        }
        bail!(
            "connection closed before the ack of {event} (after {})",
            if ending.is_empty() {
                "nothing".to_owned()
            } else {
                ending.join(", ")
            }
        )
    }

    /// The next event frame of the namespace (`42/ns,[...]`, returned without the prefix);
    /// pings are answered on the way. `None` when the connection or the namespace ends.
    pub async fn next_event(&mut self) -> anyhow::Result<Option<String>> {
        if let Some(event) = self.early.pop_front() {
            return Ok(Some(event));
        }
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

/// One Socket.IO text frame of a namespace, borrowed from the frame's text.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// An Engine.IO ping: answer with [`SocketClient::pong`] or the server closes the socket.
    Ping,
    /// An event (`42/ns,[...]`), without the prefix.
    Event(&'a str),
    /// The ack of request `id` (`43/ns,ID[...]`): its JSON array.
    Ack { id: u64, body: &'a str },
    /// The namespace or the connection ended.
    End,
    /// Anything else (another namespace, a pong, ...).
    Other,
}

/// Classifies `text` as seen by a client of `namespace`, without allocating: load loops call
/// this for every frame.
pub fn classify_frame<'a>(namespace: &str, text: &'a str) -> Frame<'a> {
    if text == "2" {
        return Frame::Ping;
    }
    if text == "1" {
        return Frame::End;
    }
    let Some((kind, rest)) = text.split_at_checked(2) else {
        return Frame::Other;
    };
    let rest = match namespace {
        "/" => Some(rest),
        ns => rest.strip_prefix(ns).and_then(|r| r.strip_prefix(',')),
    };
    let Some(rest) = rest else {
        // `41/ns` carries no comma after the namespace.
        return if kind == "41" && text[2..] == *namespace {
            Frame::End
        } else {
            Frame::Other
        };
    };
    match kind {
        "42" => Frame::Event(rest),
        "43" => {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            match rest[..digits].parse() {
                Ok(id) => Frame::Ack {
                    id,
                    body: &rest[digits..],
                },
                Err(_) => Frame::Other,
            }
        }
        "41" => Frame::End,
        _ => Frame::Other,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_of_the_namespace_are_told_apart() {
        let ns = "/chat/bench";
        assert_eq!(classify_frame(ns, "2"), Frame::Ping);
        assert_eq!(
            classify_frame(ns, r#"42/chat/bench,["message_received",{}]"#),
            Frame::Event(r#"["message_received",{}]"#)
        );
        assert_eq!(
            classify_frame(ns, r#"43/chat/bench,17[{"ok":true}]"#),
            Frame::Ack {
                id: 17,
                body: r#"[{"ok":true}]"#
            }
        );
        assert_eq!(classify_frame(ns, "41/chat/bench"), Frame::End);
        assert_eq!(classify_frame(ns, "41/chat/bench,"), Frame::End);
        assert_eq!(classify_frame(ns, r#"42/portal,["x"]"#), Frame::Other);
        assert_eq!(classify_frame(ns, "43/chat/bench,[1]"), Frame::Other);
        assert_eq!(classify_frame("/", r#"42["x"]"#), Frame::Event(r#"["x"]"#));
    }
}
