//! Transports: connected byte pipes to a STOMP peer — TCP, TLS, WebSocket and UDP multicast.
//!
//! A [`Transport`] carries encoded STOMP bytes and nothing else: it does not parse frames (the
//! multicast transport is the one exception, see below), it does not know sessions. The driver
//! owns one transport per connection, feeds what [`Transport::recv`] returns to the frame
//! decoder, and writes what the session produces with [`Transport::send`].
//!
//! | scheme | type | what it is |
//! |---|---|---|
//! | `tcp://host:port` | [`TcpTransport`] | a TCP connection ([`TcpConfig`]: connect timeout, keepalive, `TCP_NODELAY`, local bind) |
//! | `ssl://host:port` | [`TlsTransport`] | TLS over TCP with rustls ([`TlsConfig`]: trust roots, client certificate, verifier) |
//! | `ws://host:port/path`, `wss://…` | [`WsTransport`] | a WebSocket over TCP or TLS with tungstenite ([`WsConfig`]) |
//! | `multicast://group:port` | [`MulticastTransport`] | broker-less UDP multicast that answers STOMP locally ([`MulticastConfig`]) |
//!
//! [`open`] picks the transport for an [`Endpoint`] (parsed from a URL by the
//! [`reconnect`](crate::reconnect) layer). The client opens its transports through a
//! [`Connector`]: [`Sockets`] (that is, [`open`]) unless the program gives its own.
//!
//! ```no_run
//! use std::time::Duration;
//! use stompwire::native::transport::{open, Endpoint, Recv, TransportConfig};
//!
//! let endpoint = Endpoint::parse("tcp://127.0.0.1:61613").unwrap();
//! let transport = open(&endpoint, &TransportConfig::default())?;
//! transport.send(b"CONNECT\naccept-version:1.2\nhost:/\n\n\0")?;
//! let mut buf = Vec::new();
//! match transport.recv(&mut buf, Some(Duration::from_secs(5)))? {
//!     Recv::Data(n) => println!("{n} bytes: {:?}", String::from_utf8_lossy(&buf)),
//!     Recv::Timeout => println!("nothing yet"),
//!     Recv::Closed => println!("the broker hung up"),
//! }
//! # Ok::<(), stompwire::native::transport::TransportError>(())
//! ```
//!
//! # One reader, many writers
//!
//! Every transport is `Send + Sync` and is used through `&self` from several threads at once:
//! one thread (the driver) blocks in [`Transport::recv`] with a timeout — the next heart-beat
//! deadline — while any number of user threads call [`Transport::send`]. A blocked `recv`
//! never holds a lock a `send` needs, and [`Transport::close`] from any thread wakes both.
//!
//! - **TCP**: the socket is cloned (`try_clone`) into a read half and a write half, each
//!   behind its own mutex. `recv` sets the socket read timeout and reads; a `send` writes the
//!   whole chunk under the write mutex, so chunks from different threads never interleave.
//! - **TLS**: rustls's [`ClientConnection`](rustls::ClientConnection) is used *sans-I/O*: the
//!   reader waits for ciphertext on its own clone of the socket **without** holding any lock,
//!   then locks the connection state only to decrypt what arrived. A writer locks the state,
//!   encrypts into a buffer and draws a ticket, releases the state, and writes when its ticket
//!   is served: records reach the wire in the order they were sealed, and neither side ever
//!   blocks on the socket while holding the connection state.
//! - **WebSocket**: tungstenite parses incoming frames from an in-memory buffer that the
//!   reader fills from the TCP or TLS transport underneath; the reader alone owns that state.
//!   Outgoing STOMP bytes are framed (masked, one WebSocket message per `send`) without
//!   touching it, and handed to the underlying transport's atomic `send`. Pongs and the reply
//!   to a Close frame, which tungstenite queues while reading, are sent by the reader.
//! - **Multicast**: a receiver thread moves datagrams into a queue; `recv` waits on a condition
//!   variable, so frames answered locally (CONNECTED, RECEIPT) wake it at once.
//!
//! A failed write closes a TCP, TLS or WebSocket transport: part of a frame (or of a TLS
//! record, or of a WebSocket frame) may have reached the wire, and nothing sent after it could
//! be read by the peer.
//!
//! # Multicast speaks STOMP itself
//!
//! There is no broker on a multicast group, so [`MulticastTransport`] plays the broker's part
//! for its own client, like stomp.py's `MulticastConnection`: it decodes what the client
//! sends, answers CONNECT with CONNECTED and `receipt` headers with RECEIPT, keeps the
//! subscription table, and sends each SEND to the group as one datagram, in stomp.py's wire
//! form. SEND frames from the group become MESSAGE frames for the client's matching
//! subscriptions, and their receipts are answered to the group. See the
//! [`multicast`] module for the rules.

use std::format;
use std::prelude::rust_2024::*;
use std::time::{Duration, Instant};

mod connector;
mod error;
pub mod multicast;
mod tcp;
mod tls;
mod ws;

/// The rustls this module is built with, for [`TlsConfig::verifier`] and
/// [`TlsConfig::client_config`].
pub use rustls;

pub use crate::net::{
    ClientIdentity, Keepalive, SetupError, SocketOption, TcpConfig, TlsConfig, WsConfig,
};
pub use connector::{Connector, Sockets};
pub use error::{Handshake, PemContents, TransportError};
pub use multicast::{MulticastConfig, MulticastTransport};
pub use tcp::TcpTransport;
pub use tls::TlsTransport;
pub use ws::WsTransport;

pub use crate::reconnect::{Endpoint, Scheme};

/// A connected byte pipe to a STOMP peer, shared by one reader and any number of writers.
///
/// Implementations are thread-safe through `&self`; see the [module docs](self) for how each
/// keeps a blocked reader from stalling writers.
pub trait Transport: Send + Sync {
    /// Waits until bytes arrive, the peer closes, or `timeout` passes (`None`: no limit), and
    /// appends what arrived to `buf`.
    ///
    /// Returns [`Recv::Data`] with the number of bytes appended (never 0), [`Recv::Timeout`]
    /// when nothing arrived in time, or [`Recv::Closed`] once the connection is over — closed
    /// by the peer, or by [`Transport::close`]. Timeouts shorter than a millisecond are
    /// rounded up to one. Only one thread should call `recv` at a time; a second one waits for
    /// the first.
    fn recv(&self, buf: &mut Vec<u8>, timeout: Option<Duration>) -> Result<Recv, TransportError>;

    /// Writes one chunk of encoded frames, whole: concurrent sends never interleave.
    ///
    /// For WebSocket transports one chunk is one message: a text message when the bytes are
    /// UTF-8, a binary one otherwise. For multicast, see [`MulticastTransport`].
    fn send(&self, bytes: &[u8]) -> Result<(), TransportError>;

    /// Closes the connection: says goodbye where the protocol has a way to (TLS
    /// `close_notify`, a WebSocket Close frame) if that can be written without waiting long,
    /// then shuts the socket down. A `recv` blocked in another thread returns
    /// [`Recv::Closed`]; later sends fail with [`TransportError::Closed`]. Idempotent.
    fn close(&self);

    /// The peer as `host:port` (as given, not resolved; for multicast `group:port`), for
    /// logs and listeners.
    fn peer(&self) -> &str;
}

/// What [`Transport::recv`] got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "Recv::Closed ends the connection; Recv::Data says how many bytes were appended"]
pub enum Recv {
    /// This many bytes (at least one) were appended to the buffer.
    Data(usize),
    /// The timeout passed before anything arrived.
    Timeout,
    /// The connection is over: the peer closed it, or [`Transport::close`] was called.
    Closed,
}

/// Every transport's configuration, in one place; each part has safe defaults.
///
/// ```
/// use std::time::Duration;
/// use stompwire::native::transport::{TcpConfig, TransportConfig};
///
/// let config = TransportConfig::default()
///     .with_tcp(TcpConfig::default().with_connect_timeout(Some(Duration::from_secs(2))));
/// assert_eq!(config.tcp.connect_timeout, Some(Duration::from_secs(2)));
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Sockets, timeouts and keepalive: used by TCP, TLS and WebSocket.
    pub tcp: TcpConfig,
    /// Trust and identity: used by `ssl://` and `wss://`.
    pub tls: TlsConfig,
    /// WebSocket limits, subprotocols and headers: used by `ws://` and `wss://`.
    pub ws: WsConfig,
    /// Multicast options: used by `multicast://`. The target's host and port replace
    /// `group` and `port`.
    pub multicast: MulticastConfig,
}

crate::net::setters::setters!(TransportConfig {
    with_tcp => tcp: TcpConfig,
    with_tls => tls: TlsConfig,
    with_ws => ws: WsConfig,
    with_multicast => multicast: MulticastConfig,
});

/// Opens the transport `endpoint` names, configured by `config`.
///
/// For TCP-based schemes this resolves the host, connects (each address in turn, within
/// [`TcpConfig::connect_timeout`]) and completes the TLS and WebSocket handshakes (within
/// [`TcpConfig::handshake_timeout`]). For multicast it joins the group.
///
/// ```no_run
/// use stompwire::native::transport::{open, Endpoint, TransportConfig};
///
/// let mut config = TransportConfig::default();
/// config.tls.ca_file = Some("/etc/stomp/ca.pem".into());
/// let endpoint = Endpoint::parse("wss://broker.example:15673/ws").unwrap();
/// let transport = open(&endpoint, &config)?;
/// println!("connected to {}", transport.peer());
/// # Ok::<(), stompwire::native::transport::TransportError>(())
/// ```
pub fn open(
    endpoint: &Endpoint,
    config: &TransportConfig,
) -> Result<Box<dyn Transport>, TransportError> {
    if endpoint.host.is_empty() {
        return Err(TransportError::InvalidTarget {
            reason: "empty host".to_string(),
        });
    }
    Ok(match endpoint.scheme {
        Scheme::Tcp | Scheme::Stomp => Box::new(TcpTransport::connect(
            &endpoint.host,
            endpoint.port,
            &config.tcp,
        )?),
        Scheme::Ssl | Scheme::StompSsl => Box::new(TlsTransport::connect(
            &endpoint.host,
            endpoint.port,
            &config.tcp,
            &config.tls,
        )?),
        Scheme::Ws | Scheme::Wss => {
            let tls = (endpoint.scheme == Scheme::Wss).then_some(&config.tls);
            Box::new(WsTransport::connect(
                &endpoint.host,
                endpoint.port,
                &endpoint.path,
                &config.tcp,
                tls,
                &config.ws,
            )?)
        }
        Scheme::Multicast => {
            let group = endpoint
                .host
                .parse()
                .map_err(|_| TransportError::InvalidTarget {
                    reason: format!("multicast group {:?} is not an IPv4 address", endpoint.host),
                })?;
            let config = config
                .multicast
                .clone()
                .with_group(group)
                .with_port(endpoint.port);
            Box::new(MulticastTransport::open(&config)?)
        }
    })
}

/// `host:port`, with brackets around an IPv6 address.
fn peer_name(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The time left until `deadline`: `None` for no deadline, `Some(ZERO)` once it passed.
fn remaining(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}

/// A socket timeout for `remaining` time: the OS refuses zero, so at least one millisecond.
fn socket_timeout(remaining: Option<Duration>) -> Option<Duration> {
    remaining.map(|d| d.max(Duration::from_millis(1)))
}

/// Whether an I/O error is a read or write timeout (`WouldBlock` on Unix, `TimedOut` on
/// Windows).
fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Locks `mutex`, taking the data even if a thread panicked while holding it (every critical
/// section here leaves the data consistent between statements that can panic).
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
