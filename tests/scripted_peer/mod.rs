//! A scripted peer for the CLI tests: a TCP listener on 127.0.0.1 that plays a broker only as
//! far as a test needs — it reads CONNECT, then answers with what no real broker sends
//! (hostile frames, a refusal on demand) so that the `stompwire` binary's reports can be
//! checked. It counts the connections it accepts. Everything is bounded: at most
//! [`MAX_CONNECTIONS`] connections, [`MAX_STREAM`] bytes of an endless stream, and socket
//! timeouts on every read and write.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Connections accepted before the peer stops listening.
pub const MAX_CONNECTIONS: usize = 200;
/// The most an endless stream writes.
pub const MAX_STREAM: usize = 64 << 20;

/// How long the peer waits after CONNECTED before it misbehaves: the client has subscribed
/// by then, so the hostile bytes meet an open session, as they would from a broker.
pub const PAUSE: Duration = Duration::from_millis(200);

/// CONNECTED for STOMP 1.2, no heart-beats.
pub const CONNECTED: &[u8] = b"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0";

/// What the peer does once CONNECT has arrived.
#[derive(Clone, Debug)]
pub enum Script {
    /// CONNECTED, then these bytes, then the socket stays open until the client closes it.
    Then(Vec<u8>),
    /// CONNECTED, then these bytes, then the peer closes.
    ThenClose(Vec<u8>),
    /// CONNECTED, then `head`, then `fill` repeated without end (up to [`MAX_STREAM`]).
    Endless { head: Vec<u8>, fill: u8 },
    /// ERROR instead of CONNECTED, then close.
    Refuse(Vec<u8>),
    /// CONNECTED and these bytes in one write (no pause), then the peer closes.
    Burst(Vec<u8>),
    /// This CONNECTED frame (e.g. promising heart-beats), then silence until the client closes.
    Silent(Vec<u8>),
}

/// A running scripted peer.
pub struct ScriptedPeer {
    /// `tcp://127.0.0.1:PORT`.
    pub url: String,
    /// The port.
    pub port: u16,
    connections: Arc<AtomicUsize>,
}

impl ScriptedPeer {
    /// Starts a peer that plays `script` on every connection.
    pub fn start(script: Script) -> ScriptedPeer {
        ScriptedPeer::start_limited(script, MAX_CONNECTIONS)
    }

    /// Starts a peer that accepts `max` connections, then closes its listening socket (later
    /// connection attempts are refused by the kernel).
    pub fn start_limited(script: Script, max: usize) -> ScriptedPeer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(max.min(MAX_CONNECTIONS)) {
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let script = script.clone();
                std::thread::spawn(move || {
                    let _ = play(stream, &script);
                });
            }
            drop(listener);
        });
        ScriptedPeer {
            url: format!("tcp://127.0.0.1:{port}"),
            port,
            connections,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads up to and including the NUL that ends the client's first frame.
fn read_connect(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut frame = Vec::new();
    let mut byte = [0u8; 1];
    while frame.len() < 64 * 1024 {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        if byte[0] == 0 {
            return Ok(frame);
        }
        frame.push(byte[0]);
    }
    Err(std::io::Error::other("no CONNECT frame"))
}

/// Reads and drops input until the client closes (or the read timeout).
fn drain(stream: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
}

fn play(mut stream: TcpStream, script: &Script) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.set_write_timeout(Some(Duration::from_secs(20)))?;
    read_connect(&mut stream)?;
    match script {
        Script::Refuse(error) => {
            stream.write_all(error)?;
            stream.shutdown(Shutdown::Both)?;
        }
        Script::Burst(bytes) => {
            stream.write_all(&[CONNECTED, bytes.as_slice()].concat())?;
            stream.shutdown(Shutdown::Both)?;
        }
        Script::Silent(connected) => {
            stream.write_all(connected)?;
            drain(&mut stream);
        }
        Script::Then(bytes) => {
            stream.write_all(CONNECTED)?;
            std::thread::sleep(PAUSE);
            stream.write_all(bytes)?;
            drain(&mut stream);
        }
        Script::ThenClose(bytes) => {
            stream.write_all(CONNECTED)?;
            std::thread::sleep(PAUSE);
            stream.write_all(bytes)?;
            stream.shutdown(Shutdown::Both)?;
        }
        Script::Endless { head, fill } => {
            stream.write_all(CONNECTED)?;
            std::thread::sleep(PAUSE);
            stream.write_all(head)?;
            let chunk = vec![*fill; 64 * 1024];
            let mut written = 0;
            while written < MAX_STREAM {
                stream.write_all(&chunk)?;
                written += chunk.len();
            }
        }
    }
    Ok(())
}
