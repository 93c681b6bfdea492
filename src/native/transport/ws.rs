//! WebSocket (`ws://`, `wss://`) with tungstenite, over the TCP or TLS transport.
//!
//! tungstenite runs on in-memory buffers here. During the upgrade its stream reads from and
//! writes to the transport underneath, with the handshake deadline. Afterwards the reader
//! moves bytes from the transport into tungstenite's input and takes complete messages out;
//! writers frame their bytes themselves (one masked message per send) and hand them to the
//! transport, which writes each send whole. So the reader's parser state is never locked by
//! a writer, and a writer never waits for a reader.

use std::io::{self, Read, Write};
use std::prelude::rust_2024::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use std::{fmt, format};

use rustls::crypto::SecureRandom;
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::http::{HeaderName, HeaderValue};
use tungstenite::protocol::frame::FrameHeader;
use tungstenite::protocol::frame::coding::{CloseCode, Data as DataCode, OpCode};
use tungstenite::protocol::{Message, WebSocket, WebSocketConfig};

use super::tcp::connect_stream;
use super::{
    Handshake, Recv, TcpConfig, TcpTransport, TlsConfig, TlsTransport, Transport, TransportError,
    WsConfig, lock, peer_name, remaining,
};
use crate::frame::Version;

/// The connection under the WebSocket.
#[derive(Debug)]
enum Inner {
    Tcp(TcpTransport),
    Tls(Box<TlsTransport>),
}

impl Inner {
    fn transport(&self) -> &dyn Transport {
        match self {
            Inner::Tcp(t) => t,
            Inner::Tls(t) => &**t,
        }
    }

    fn close_with(&self, goodbye: &[u8]) {
        match self {
            Inner::Tcp(t) => t.close_with(goodbye),
            Inner::Tls(t) => t.close_with(goodbye),
        }
    }
}

/// tungstenite's stream: in-memory buffers, or the transport itself during the upgrade.
struct Buffers {
    input: Vec<u8>,
    /// How much of `input` tungstenite has taken.
    taken: usize,
    output: Vec<u8>,
    /// Set during the upgrade: read from and write to this transport, until the deadline.
    upgrade: Option<(Arc<Inner>, Option<Instant>)>,
}

impl Read for Buffers {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.taken == self.input.len() {
            self.input.clear();
            self.taken = 0;
            let Some((inner, deadline)) = &self.upgrade else {
                return Err(io::ErrorKind::WouldBlock.into());
            };
            match inner
                .transport()
                .recv(&mut self.input, remaining(*deadline))
                .map_err(io::Error::other)?
            {
                Recv::Data(_) => {}
                Recv::Timeout => return Err(io::ErrorKind::TimedOut.into()),
                Recv::Closed => return Ok(0),
            }
        }
        let n = out.len().min(self.input.len() - self.taken);
        out[..n].copy_from_slice(&self.input[self.taken..self.taken + n]);
        self.taken += n;
        Ok(n)
    }
}

impl Write for Buffers {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match &self.upgrade {
            Some((inner, _)) => inner.transport().send(bytes).map_err(io::Error::other)?,
            None => self.output.extend_from_slice(bytes),
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Reader {
    ws: WebSocket<Buffers>,
    /// The server sent Close or the connection ended.
    peer_closed: bool,
}

/// A STOMP connection over a WebSocket (RabbitMQ Web-STOMP, ActiveMQ, Artemis, Spring).
///
/// Each [`send`](Transport::send) is one WebSocket message — text when the bytes are UTF-8,
/// binary otherwise (see [`WsConfig::always_binary`]); both kinds are accepted on receive.
/// Pings are answered; a Close from the server ends the connection ([`Recv::Closed`]).
///
/// ```no_run
/// use stompwire::native::transport::{TcpConfig, WsConfig, WsTransport, Transport};
///
/// let ws = WsTransport::connect("127.0.0.1", 15674, "/ws", &TcpConfig::default(), None, &WsConfig::default())?;
/// println!("subprotocol: {:?}", ws.subprotocol());
/// ws.send(b"CONNECT\naccept-version:1.2\nhost:/\n\n\0")?;
/// # Ok::<(), stompwire::native::transport::TransportError>(())
/// ```
pub struct WsTransport {
    peer: String,
    inner: Arc<Inner>,
    reader: Mutex<Reader>,
    subprotocol: Option<String>,
    closing: AtomicBool,
    always_binary: bool,
    max_chunk_size: Option<usize>,
    random: &'static dyn SecureRandom,
}

impl fmt::Debug for WsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsTransport")
            .field("peer", &self.peer)
            .field("inner", &self.inner)
            .field("subprotocol", &self.subprotocol)
            .finish()
    }
}

impl WsTransport {
    /// Connects to `host:port` (over TLS when `tls` is given, that is for `wss://`) and
    /// upgrades `path` to a WebSocket, all within the timeouts of `tcp`.
    pub fn connect(
        host: &str,
        port: u16,
        path: &str,
        tcp: &TcpConfig,
        tls: Option<&TlsConfig>,
        ws: &WsConfig,
    ) -> Result<WsTransport, TransportError> {
        let peer = peer_name(host, port);
        let inner = match tls {
            Some(tls) => {
                let client_config = tls.client_config()?;
                let server_name = tls.server_name_for(host)?;
                let stream = connect_stream(host, port, tcp)?;
                Inner::Tls(Box::new(TlsTransport::handshake(
                    stream,
                    peer.clone(),
                    client_config,
                    server_name,
                    tcp,
                )?))
            }
            None => Inner::Tcp(TcpTransport::connect(host, port, tcp)?),
        };
        let scheme = if tls.is_some() { "wss" } else { "ws" };
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        let url = format!("{scheme}://{peer}{path}");
        let deadline = tcp.handshake_timeout.map(|t| Instant::now() + t);
        WsTransport::upgrade(Arc::new(inner), peer, &url, ws, deadline)
    }

    fn upgrade(
        inner: Arc<Inner>,
        peer: String,
        url: &str,
        config: &WsConfig,
        deadline: Option<Instant>,
    ) -> Result<WsTransport, TransportError> {
        let mut request = url
            .into_client_request()
            .map_err(TransportError::WebSocket)?;
        let offered: Vec<&str> = config
            .subprotocols
            .iter()
            .map(|v| v.subprotocol())
            .collect();
        if !offered.is_empty() {
            let value = HeaderValue::from_str(&offered.join(", ")).map_err(|_| {
                TransportError::InvalidHeader {
                    name: "Sec-WebSocket-Protocol".to_string(),
                }
            })?;
            request
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", value);
        }
        for (name, value) in &config.headers {
            let invalid = || TransportError::InvalidHeader { name: name.clone() };
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
            let value = HeaderValue::from_str(value).map_err(|_| invalid())?;
            request.headers_mut().append(name, value);
        }
        let ws_config = WebSocketConfig::default()
            .max_message_size(config.max_message_size)
            .max_frame_size(config.max_frame_size);
        let buffers = Buffers {
            input: Vec::new(),
            taken: 0,
            output: Vec::new(),
            upgrade: Some((inner.clone(), deadline)),
        };
        let (mut ws, response) =
            match tungstenite::client::client_with_config(request, buffers, Some(ws_config)) {
                Ok(done) => done,
                Err(e) => {
                    inner.close_with(&[]);
                    return Err(upgrade_error(e, &peer));
                }
            };
        ws.get_mut().upgrade = None;
        let subprotocol = response
            .headers()
            .get("Sec-WebSocket-Protocol")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string());
        log::debug!("WebSocket with {peer}: subprotocol {subprotocol:?}");
        Ok(WsTransport {
            peer,
            inner,
            reader: Mutex::new(Reader {
                ws,
                peer_closed: false,
            }),
            subprotocol,
            closing: AtomicBool::new(false),
            always_binary: config.always_binary,
            max_chunk_size: config.max_chunk_size.filter(|&n| n > 0),
            random: rustls::crypto::ring::default_provider().secure_random,
        })
    }

    /// The subprotocol the server chose (`"v12.stomp"`), if it named one.
    pub fn subprotocol(&self) -> Option<&str> {
        self.subprotocol.as_deref()
    }

    /// The STOMP version the chosen subprotocol stands for.
    pub fn subprotocol_version(&self) -> Option<Version> {
        let chosen = self.subprotocol()?;
        Version::ALL
            .into_iter()
            .find(|v| v.subprotocol().eq_ignore_ascii_case(chosen))
    }

    /// Appends one masked client frame carrying `payload` to `out`.
    fn frame_into(
        &self,
        out: &mut Vec<u8>,
        opcode: OpCode,
        payload: &[u8],
    ) -> Result<(), TransportError> {
        let mut mask = [0u8; 4];
        self.random.fill(&mut mask).map_err(|_| {
            TransportError::Io(io::Error::other("no randomness for the WebSocket mask"))
        })?;
        let header = FrameHeader {
            opcode,
            mask: Some(mask),
            ..FrameHeader::default()
        };
        header
            .format(payload.len() as u64, out)
            .map_err(TransportError::WebSocket)?;
        let at = out.len();
        out.extend_from_slice(payload);
        apply_mask(&mut out[at..], mask);
        Ok(())
    }
}

fn upgrade_error(
    e: HandshakeError<tungstenite::ClientHandshake<Buffers>>,
    peer: &str,
) -> TransportError {
    let e = match e {
        HandshakeError::Failure(e) => e,
        // The stream never reports WouldBlock during the upgrade.
        HandshakeError::Interrupted(_) => {
            return TransportError::Io(io::Error::other("WebSocket upgrade interrupted"));
        }
    };
    match e {
        tungstenite::Error::Http(response) => TransportError::WebSocketRejected {
            status: response.status().as_u16(),
            body: response
                .body()
                .as_ref()
                .filter(|b| !b.is_empty())
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(256)]).into_owned()),
        },
        tungstenite::Error::Io(io) if io.kind() == io::ErrorKind::TimedOut => {
            TransportError::HandshakeTimeout {
                during: Handshake::WebSocket,
                peer: peer.to_string(),
            }
        }
        tungstenite::Error::Io(io) => match io.into_inner() {
            Some(inner) => match inner.downcast::<TransportError>() {
                Ok(e) => *e,
                Err(other) => TransportError::Io(io::Error::other(other)),
            },
            None => TransportError::Io(io::Error::other("WebSocket upgrade failed")),
        },
        e => TransportError::WebSocket(e),
    }
}

/// XORs `data` with the repeating 4-byte `mask` (RFC 6455, 5.3).
fn apply_mask(data: &mut [u8], mask: [u8; 4]) {
    let word = u32::from_ne_bytes(mask);
    let mut words = data.chunks_exact_mut(4);
    for w in &mut words {
        let v = u32::from_ne_bytes([w[0], w[1], w[2], w[3]]) ^ word;
        w.copy_from_slice(&v.to_ne_bytes());
    }
    for (b, m) in words.into_remainder().iter_mut().zip(mask) {
        *b ^= m;
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary
/// (at least one character, so that splitting always advances).
fn utf8_prefix_len(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    if end == 0 {
        text.chars().next().map_or(0, char::len_utf8)
    } else {
        end
    }
}

impl Transport for WsTransport {
    fn recv(&self, buf: &mut Vec<u8>, timeout: Option<Duration>) -> Result<Recv, TransportError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut reader = lock(&self.reader);
        let start = buf.len();
        loop {
            if reader.peer_closed || self.closing.load(Ordering::Acquire) {
                return Ok(Recv::Closed);
            }
            let mut ended = false;
            loop {
                match reader.ws.read() {
                    Ok(Message::Text(text)) => buf.extend_from_slice(text.as_bytes()),
                    Ok(Message::Binary(bytes)) => buf.extend_from_slice(&bytes),
                    Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
                    Ok(Message::Close(frame)) => {
                        log::debug!("WebSocket Close from {}: {frame:?}", self.peer);
                        ended = true;
                        break;
                    }
                    Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                        break;
                    }
                    Err(
                        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed,
                    ) => {
                        ended = true;
                        break;
                    }
                    Err(e) => {
                        self.inner.close_with(&[]);
                        return Err(TransportError::WebSocket(e));
                    }
                }
            }
            // Pongs and the reply to a Close, queued by tungstenite while reading.
            let _ = reader.ws.flush();
            let replies = core::mem::take(&mut reader.ws.get_mut().output);
            if !replies.is_empty() {
                if let Err(e) = self.inner.transport().send(&replies) {
                    if buf.len() == start && !ended {
                        return Err(e);
                    }
                }
            }
            if ended {
                reader.peer_closed = true;
                self.inner.close_with(&[]);
            }
            if buf.len() > start {
                return Ok(Recv::Data(buf.len() - start));
            }
            if reader.peer_closed {
                return Ok(Recv::Closed);
            }
            let input = &mut reader.ws.get_mut().input;
            match self.inner.transport().recv(input, remaining(deadline))? {
                Recv::Data(_) => {}
                Recv::Timeout => return Ok(Recv::Timeout),
                Recv::Closed => {
                    reader.peer_closed = true;
                    return Ok(Recv::Closed);
                }
            }
        }
    }

    fn send(&self, bytes: &[u8]) -> Result<(), TransportError> {
        if self.closing.load(Ordering::Acquire) {
            return Err(TransportError::Closed);
        }
        let text = if self.always_binary {
            None
        } else {
            core::str::from_utf8(bytes).ok()
        };
        let mut out = Vec::with_capacity(bytes.len() + 14);
        match (text, self.max_chunk_size) {
            (Some(text), Some(max)) => {
                let mut rest = text;
                while !rest.is_empty() {
                    let (chunk, tail) = rest.split_at(utf8_prefix_len(rest, max));
                    self.frame_into(&mut out, OpCode::Data(DataCode::Text), chunk.as_bytes())?;
                    rest = tail;
                }
            }
            (Some(text), None) => {
                self.frame_into(&mut out, OpCode::Data(DataCode::Text), text.as_bytes())?;
            }
            (None, Some(max)) => {
                for chunk in bytes.chunks(max) {
                    self.frame_into(&mut out, OpCode::Data(DataCode::Binary), chunk)?;
                }
            }
            (None, None) => self.frame_into(&mut out, OpCode::Data(DataCode::Binary), bytes)?,
        }
        self.inner.transport().send(&out)
    }

    fn close(&self) {
        if self.closing.swap(true, Ordering::AcqRel) {
            return;
        }
        let mut goodbye = Vec::new();
        let code: u16 = CloseCode::Normal.into();
        if self
            .frame_into(
                &mut goodbye,
                OpCode::Control(tungstenite::protocol::frame::coding::Control::Close),
                &code.to_be_bytes(),
            )
            .is_err()
        {
            goodbye.clear();
        }
        self.inner.close_with(&goodbye);
    }

    fn peer(&self) -> &str {
        &self.peer
    }
}

impl Drop for WsTransport {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_twice_restores_the_payload() {
        for len in 0..11 {
            let original: Vec<u8> = (0..len as u8).collect();
            let mut data = original.clone();
            apply_mask(&mut data, [1, 2, 3, 4]);
            if len > 0 {
                assert_ne!(data, original);
                assert_eq!(data[0], 1);
            }
            if len > 5 {
                assert_eq!(data[5], 5 ^ 2);
            }
            apply_mask(&mut data, [1, 2, 3, 4]);
            assert_eq!(data, original);
        }
    }

    #[test]
    fn text_chunks_end_on_character_boundaries() {
        let text = "aé€😀";
        assert_eq!(utf8_prefix_len(text, 100), text.len());
        assert_eq!(utf8_prefix_len(text, 2), 1);
        assert_eq!(utf8_prefix_len(text, 3), 3);
        assert_eq!(utf8_prefix_len("😀", 1), 4);
    }

    #[test]
    fn debug_output_hides_header_values() {
        let ws = WsConfig {
            headers: vec![("Cookie".into(), "session=hunter2".into())],
            ..WsConfig::default()
        };
        let text = format!("{ws:?}");
        assert!(text.contains("Cookie"));
        assert!(!text.contains("hunter2"));
    }
}
