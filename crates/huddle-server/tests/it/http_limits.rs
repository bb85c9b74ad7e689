//! Connection limits against a real server over raw TCP: a header trickled too slowly is cut
//! off, and one address cannot hold more than its share of connections.

use crate::common;

use std::time::Duration;

use common::{wait, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; true when it does within `wait`.
async fn closed_within(tcp: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 1024];
    tokio::time::timeout(wait, async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await
    .is_ok()
}

async fn health(server: &TestServer) -> Option<String> {
    let mut tcp = TcpStream::connect(server.addr).await.ok()?;
    tcp.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .ok()?;
    let mut answer = String::new();
    tokio::time::timeout(wait(), tcp.read_to_string(&mut answer))
        .await
        .ok()?
        .ok()?;
    (!answer.is_empty()).then_some(answer)
}

/// A connection the server has accepted and served once, kept open (HTTP/1.1 keep-alive).
async fn served_connection(server: &TestServer) -> TcpStream {
    let mut tcp = TcpStream::connect(server.addr).await.expect("connect");
    tcp.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(wait(), tcp.read(&mut buf))
        .await
        .expect("an answer in time")
        .expect("read");
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    tcp
}

#[tokio::test]
async fn a_trickled_header_is_cut_off() {
    let server = TestServer::start_with(|c| c.http.header_read_timeout_secs = 1).await;
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n")
        .await
        .expect("write");
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = slow.write_all(b"X-Trickle: 1\r\n").await;
    }
    assert!(
        closed_within(&mut slow, wait()).await,
        "a header still incomplete after the timeout ends the connection"
    );
    assert!(
        closed_within(&mut silent, wait()).await,
        "so does a connection that never sends a byte"
    );
    let answer = health(&server).await.expect("a prompt client is served");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn one_address_holds_only_its_share_of_connections() {
    let server = TestServer::start_with(|c| c.http.max_connections_per_address = 3).await;
    let mut held = Vec::new();
    // Each served once, so the server has surely accepted all three before the next one knocks.
    for _ in 0..3 {
        held.push(served_connection(&server).await);
    }
    let mut fourth = TcpStream::connect(server.addr).await.expect("tcp accepts");
    assert!(
        closed_within(&mut fourth, wait()).await,
        "the fourth connection from the same address is closed at once"
    );
    assert_eq!(
        health(&server).await,
        None,
        "and no request gets through it"
    );
    held.pop();
    // The server notices the close on its own time: ask until the slot is free.
    let started = tokio::time::Instant::now();
    let answer = loop {
        if let Some(answer) = health(&server).await {
            break answer;
        }
        assert!(started.elapsed() < wait(), "a freed slot serves again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn websockets_count_against_their_address_for_as_long_as_they_live() {
    let server = TestServer::start_with(|c| c.http.max_connections_per_address = 3).await;
    let base = format!("http://{}", server.addr);
    // Upgraded to websockets: the HTTP connection they came on has ended, the TCP one has not.
    let mut sockets = Vec::new();
    for _ in 0..3 {
        let socket = huddle_bench::socket::EngineConnection::open(&base)
            .await
            .expect("websocket");
        sockets.push(socket);
    }
    let mut fourth = TcpStream::connect(server.addr).await.expect("tcp accepts");
    assert!(
        closed_within(&mut fourth, wait()).await,
        "three websockets fill the address's share"
    );
    assert_eq!(health(&server).await, None, "and no request gets through");
    sockets.pop();
    let started = tokio::time::Instant::now();
    while health(&server).await.is_none() {
        assert!(
            started.elapsed() < wait(),
            "a closed websocket frees its slot"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
