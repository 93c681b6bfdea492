//! `close()` over a WebSocket: the connection ends with a WebSocket close frame (the close
//! is finished, not cut short), against a scripted Web-STOMP peer — a tungstenite server on
//! 127.0.0.1 that answers CONNECT and records what the client sends after it (no broker
//! lets a test see the frames of a close).
#![cfg(feature = "native")]

use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use stompwire::frame::Version;
use stompwire::native::{Client, ClientConfig};
use tungstenite::Message;
use tungstenite::handshake::server::{Request, Response};

/// What the peer saw after CONNECTED: whether a close frame came before the socket ended.
// The upgrade callback's error type is tungstenite's (an HTTP response).
#[allow(clippy::result_large_err)]
fn serve_once(listener: TcpListener) -> bool {
    let (tcp, _) = listener.accept().expect("accept");
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // The client offers the STOMP subprotocols and requires one back.
    let choose = |request: &Request, mut response: Response| {
        let offered = request
            .headers()
            .get("Sec-WebSocket-Protocol")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if offered.split(',').any(|p| p.trim() == "v12.stomp") {
            response
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", "v12.stomp".parse().unwrap());
        }
        Ok(response)
    };
    let mut ws = tungstenite::accept_hdr(tcp, choose).expect("WebSocket handshake");
    loop {
        match ws.read() {
            Ok(Message::Text(text)) if text.starts_with("CONNECT") || text.starts_with("STOMP") => {
                ws.send(Message::text(
                    "CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0",
                ))
                .unwrap();
            }
            Ok(Message::Close(_)) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

#[test]
fn close_ends_a_websocket_connection_with_a_close_frame() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = thread::spawn(move || serve_once(listener));
    let config = ClientConfig::from_url(&format!("ws://127.0.0.1:{port}/ws"))
        .unwrap()
        .versions(&[Version::V1_2])
        .heart_beat(0, 0);
    let client = Client::new(config);
    client.connect(Duration::from_secs(10)).expect("connected");
    client.close();
    assert!(
        peer.join().unwrap(),
        "the peer got a close frame before the socket ended"
    );
}
