//! The async client on tokio: TCP, TLS (rustls), WebSocket (tungstenite) and UDP multicast
//! connections, a tokio timer, and the driver spawned as a tokio task.
//!
//! TLS is set up by the one TLS configuration of the native transports ([`TlsConfig`], here
//! also named [`TlsOptions`]); a multicast group (`multicast://group:port`) is joined with the
//! options of [`TokioRuntime::with_multicast`] and answers the client by the same rules as the
//! native shell's multicast transport ([`crate::net::multicast`]).
//!
//! A [`Client`](super::Client) made with [`Client::connect`](super::Client::connect) must be
//! created inside a tokio runtime with its I/O and time drivers enabled
//! (`Builder::enable_all`).

mod connection;
mod multicast;
mod tls;

use core::pin::Pin;
use core::task::{Context, Poll};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::prelude::rust_2024::*;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::frame::Version;
use crate::reconnect::{Endpoint, Scheme, TransportFailure};

pub use crate::net::{ClientIdentity, TlsConfig};
use connection::Stream;
pub use connection::TokioConnection;
pub use multicast::MulticastConnection;
pub use tls::TlsOptions;

use super::transport::{OpenError, Runtime, Timer};
use super::{Config, Driver, Error};
use crate::net::multicast::MulticastConfig;
use crate::net::tcp::new_socket;
use crate::net::{TcpConfig, WsConfig};

/// The tokio runtime of the async client.
#[derive(Clone, Debug)]
pub struct TokioRuntime {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    tls: Option<Arc<rustls::ClientConfig>>,
    tls_options: TlsOptions,
    open_timeout: Duration,
    ws: WsConfig,
    multicast: MulticastConfig,
    tcp: TcpConfig,
}

impl TokioRuntime {
    /// The runtime for `config`: builds the TLS configuration when an endpoint needs it
    /// (reading the CA and key files now, so that a bad file fails here).
    pub fn new(config: &Config) -> Result<TokioRuntime, Error> {
        let needs_tls = config
            .endpoints
            .iter()
            .any(|e| matches!(e.scheme, Scheme::Ssl | Scheme::StompSsl | Scheme::Wss));
        let tls = if needs_tls {
            Some(
                config
                    .tls
                    .client_config()
                    .map_err(|e| Error::Tls(Arc::new(io::Error::from(e))))?,
            )
        } else {
            None
        };
        // Preferred first, as the session offers them.
        let mut versions: Vec<Version> = config.session.versions.clone();
        versions.sort();
        versions.dedup();
        versions.reverse();
        let ws = WsConfig::default().with_subprotocols(versions);
        Ok(TokioRuntime {
            inner: Arc::new(Inner {
                tls,
                tls_options: config.tls.clone(),
                open_timeout: Duration::from_millis(config.open_timeout_ms),
                ws,
                multicast: MulticastConfig::default(),
                tcp: TcpConfig::default(),
            }),
        })
    }

    /// Sets the WebSocket options of `ws://` and `wss://` endpoints — the same [`WsConfig`]
    /// as the native shell's: the subprotocols offered (by default the configuration's
    /// versions, preferred first), the limits on incoming messages and frames, extra HTTP
    /// headers for the upgrade, text or binary messages, and a largest message size to split
    /// writes into.
    ///
    /// ```
    /// use stompwire::client::Config;
    /// use stompwire::client::tokio::TokioRuntime;
    /// use stompwire::net::WsConfig;
    ///
    /// let config = Config::from_url("ws://127.0.0.1:15674/ws")?;
    /// let runtime = TokioRuntime::new(&config)?.with_ws(
    ///     WsConfig::default().with_headers(vec![("Origin".into(), "https://example.com".into())]),
    /// );
    /// # drop(runtime);
    /// # Ok::<(), stompwire::client::Error>(())
    /// ```
    #[must_use]
    pub fn with_ws(mut self, ws: WsConfig) -> TokioRuntime {
        Arc::make_mut(&mut self.inner).ws = ws;
        self
    }

    /// Sets the socket options and timeouts of TCP, TLS and WebSocket connections — the same
    /// [`TcpConfig`] as the native shell's: `TCP_NODELAY`, keepalive, a local address to bind,
    /// the connect timeout of each resolved address and the TLS and WebSocket handshake
    /// timeouts (all within the configuration's `open_timeout_ms`). Default
    /// [`TcpConfig::default`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use stompwire::client::Config;
    /// use stompwire::client::tokio::TokioRuntime;
    /// use stompwire::net::{Keepalive, TcpConfig};
    ///
    /// let config = Config::from_url("tcp://127.0.0.1:61613")?;
    /// let runtime = TokioRuntime::new(&config)?.with_tcp(
    ///     TcpConfig::default()
    ///         .with_keepalive(Some(Keepalive::default().with_idle(Some(Duration::from_secs(60))))),
    /// );
    /// # drop(runtime);
    /// # Ok::<(), stompwire::client::Error>(())
    /// ```
    #[must_use]
    pub fn with_tcp(mut self, tcp: TcpConfig) -> TokioRuntime {
        Arc::make_mut(&mut self.inner).tcp = tcp;
        self
    }

    /// Sets the options of `multicast://` endpoints (TTL, interface, loopback, datagram size,
    /// what a SEND's receipt means…); each endpoint's host and port replace `group` and
    /// `port`. Default [`MulticastConfig::default`].
    ///
    /// ```
    /// use stompwire::client::Config;
    /// use stompwire::client::tokio::TokioRuntime;
    /// use stompwire::net::multicast::{MulticastConfig, SendReceipts};
    ///
    /// let config = Config::from_url("multicast://224.1.2.3:61616")?;
    /// let runtime = TokioRuntime::new(&config)?.with_multicast(
    ///     MulticastConfig::default().with_send_receipts(SendReceipts::Delivered),
    /// );
    /// // Client::connect_with(runtime, config).await?
    /// # drop(runtime);
    /// # Ok::<(), stompwire::client::Error>(())
    /// ```
    #[must_use]
    pub fn with_multicast(mut self, multicast: MulticastConfig) -> TokioRuntime {
        Arc::make_mut(&mut self.inner).multicast = multicast;
        self
    }
}

async fn open(inner: Arc<Inner>, endpoint: Endpoint) -> Result<TokioConnection, OpenError> {
    let unreachable = OpenError::unreachable;
    if endpoint.scheme == Scheme::Multicast {
        let group = endpoint.host.parse().map_err(|_| {
            unreachable(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("multicast group {:?} is not an IPv4 address", endpoint.host),
            ))
        })?;
        let config = inner
            .multicast
            .clone()
            .with_group(group)
            .with_port(endpoint.port);
        let group = MulticastConnection::open(&config).map_err(unreachable)?;
        return Ok(TokioConnection::multicast(group));
    }
    let tcp = connect_tcp(&endpoint, &inner.tcp).await?;
    let handshake = inner.tcp.handshake_timeout;
    within(handshake, handshake_of(inner, endpoint, tcp)).await
}

/// Connects to the first address of `endpoint`'s host that accepts, with `config`'s socket
/// options, giving each address the connect timeout.
async fn connect_tcp(endpoint: &Endpoint, config: &TcpConfig) -> Result<TcpStream, OpenError> {
    let host = endpoint.host.as_str();
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, endpoint.port))
        .await
        .map_err(OpenError::unreachable)?
        .collect();
    let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{host} has no addresses"));
    let mut timed_out = false;
    for addr in addrs {
        if let Some(local) = config.local_address {
            if local.is_ipv4() != addr.is_ipv4() {
                last = io::Error::new(
                    io::ErrorKind::AddrNotAvailable,
                    format!("local address {local} is of another IP family than {addr}"),
                );
                continue;
            }
        }
        let socket = new_socket(addr, config).map_err(|e| OpenError::unreachable(e.into()))?;
        socket
            .set_nonblocking(true)
            .map_err(OpenError::unreachable)?;
        let socket = tokio::net::TcpSocket::from_std_stream(socket.into());
        match within(config.connect_timeout, async {
            socket.connect(addr).await.map_err(OpenError::unreachable)
        })
        .await
        {
            Ok(tcp) => return Ok(tcp),
            Err(e) => {
                timed_out = e.failure == TransportFailure::TimedOut;
                last = e.error;
            }
        }
    }
    Err(if timed_out {
        OpenError::timed_out(last)
    } else {
        OpenError::unreachable(last)
    })
}

/// `future`, failing as timed out after `limit` (`None`: no limit).
async fn within<T>(
    limit: Option<Duration>,
    future: impl Future<Output = Result<T, OpenError>>,
) -> Result<T, OpenError> {
    match limit {
        None => future.await,
        Some(limit) => tokio::time::timeout(limit, future)
            .await
            .unwrap_or_else(|_| {
                Err(OpenError::timed_out(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "timed out",
                )))
            }),
    }
}

/// The TLS and WebSocket handshakes over a connected `tcp`, as `endpoint` asks.
async fn handshake_of(
    inner: Arc<Inner>,
    endpoint: Endpoint,
    tcp: TcpStream,
) -> Result<TokioConnection, OpenError> {
    let unreachable = OpenError::unreachable;
    let stream = match endpoint.scheme {
        Scheme::Tcp | Scheme::Stomp | Scheme::Ws => Stream::Tcp(tcp),
        Scheme::Ssl | Scheme::StompSsl | Scheme::Wss => {
            let config = inner.tls.clone().ok_or_else(|| {
                unreachable(io::Error::other("no TLS configuration for this endpoint"))
            })?;
            let name = inner
                .tls_options
                .server_name_for(&endpoint.host)
                .map_err(|e| unreachable(io::Error::from(e)))?;
            let connector = tokio_rustls::TlsConnector::from(config);
            let tls = connector.connect(name, tcp).await.map_err(unreachable)?;
            Stream::Tls(Box::new(tls))
        }
        _ => {
            return Err(unreachable(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "{} endpoints are not supported by the async client",
                    endpoint.scheme.as_str()
                ),
            )));
        }
    };
    match endpoint.scheme {
        Scheme::Ws | Scheme::Wss => {
            let url = format!(
                "{}://{}{}",
                endpoint.scheme.as_str(),
                endpoint.authority(),
                if endpoint.path.is_empty() {
                    "/"
                } else {
                    &endpoint.path
                }
            );
            let mut request = url
                .into_client_request()
                .map_err(|e| unreachable(io::Error::other(e)))?;
            let invalid = |name: &str| {
                unreachable(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("invalid HTTP header {name:?} (name or value)"),
                ))
            };
            let ws = &inner.ws;
            if !ws.subprotocols.is_empty() {
                let offered: Vec<&str> = ws.subprotocols.iter().map(|v| v.subprotocol()).collect();
                let value = HeaderValue::from_str(&offered.join(", "))
                    .map_err(|_| invalid("Sec-WebSocket-Protocol"))?;
                request
                    .headers_mut()
                    .insert("Sec-WebSocket-Protocol", value);
            }
            for (name, value) in &ws.headers {
                let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid(name))?;
                let value = HeaderValue::from_str(value).map_err(|_| invalid(name))?;
                request.headers_mut().append(header, value);
            }
            let limits = WebSocketConfig::default()
                .max_message_size(ws.max_message_size)
                .max_frame_size(ws.max_frame_size);
            let (stream, _response) =
                tokio_tungstenite::client_async_with_config(request, stream, Some(limits))
                    .await
                    .map_err(|e| unreachable(io::Error::other(e)))?;
            Ok(TokioConnection::websocket(
                stream,
                ws.always_binary,
                ws.max_chunk_size,
            ))
        }
        _ => Ok(TokioConnection::stream(stream)),
    }
}

/// Opening a connection, bounded by the open timeout.
pub struct Opening(Pin<Box<dyn Future<Output = Result<TokioConnection, OpenError>> + Send>>);

impl std::fmt::Debug for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Opening")
    }
}

impl Future for Opening {
    type Output = Result<TokioConnection, OpenError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

/// The tokio timer.
#[derive(Debug)]
pub struct TokioTimer {
    sleep: Pin<Box<tokio::time::Sleep>>,
    armed: Option<u64>,
}

impl Timer for TokioTimer {
    fn poll_until(&mut self, cx: &mut Context<'_>, deadline_ms: u64) -> Poll<()> {
        if self.armed != Some(deadline_ms) {
            self.armed = Some(deadline_ms);
            let at = origin() + Duration::from_millis(deadline_ms);
            self.sleep
                .as_mut()
                .reset(tokio::time::Instant::from_std(at));
        }
        self.sleep.as_mut().poll(cx)
    }
}

fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

impl Runtime for TokioRuntime {
    type Connection = TokioConnection;
    type Open = Opening;
    type Timer = TokioTimer;

    fn open(&self, endpoint: &Endpoint) -> Opening {
        let inner = self.inner.clone();
        let endpoint = endpoint.clone();
        let timeout = inner.open_timeout;
        Opening(Box::pin(async move {
            match tokio::time::timeout(timeout, open(inner, endpoint)).await {
                Ok(result) => result,
                Err(_) => Err(OpenError::timed_out(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connect timed out",
                ))),
            }
        }))
    }

    fn timer(&self) -> TokioTimer {
        TokioTimer {
            sleep: Box::pin(tokio::time::sleep(Duration::ZERO)),
            armed: None,
        }
    }

    fn now_ms() -> u64 {
        u64::try_from(origin().elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn random(&self) -> u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        nanos ^ std::process::id().rotate_left(16)
    }

    fn spawn(driver: Driver<TokioRuntime>) {
        tokio::spawn(driver);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Keepalive;

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn runtime(tcp: TcpConfig) -> TokioRuntime {
        let config = Config::from_url("tcp://127.0.0.1:61613").unwrap();
        TokioRuntime::new(&config).unwrap().with_tcp(tcp)
    }

    #[test]
    fn the_tcp_options_apply_to_the_socket_of_a_connection() {
        block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let target = listener.local_addr().unwrap();
            // A port that was free a moment ago, to bind the client's end to.
            let local = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap();
            let tcp = TcpConfig::default()
                .with_nodelay(false)
                .with_local_address(Some(local))
                .with_keepalive(Some(
                    Keepalive::default().with_idle(Some(Duration::from_secs(30))),
                ));
            let endpoint = Endpoint::parse(&format!("tcp://{target}")).unwrap();
            let accepting = tokio::spawn(async move { listener.accept().await });
            let connection = runtime(tcp).open(&endpoint).await.unwrap();
            let (_server, peer) = accepting.await.unwrap().unwrap();
            assert_eq!(
                peer, local,
                "the client's end is bound to the local address"
            );
            let socket = connection.tcp().expect("a TCP connection");
            assert!(!socket.nodelay().unwrap());
            let socket = socket2::SockRef::from(socket);
            assert!(socket.keepalive().unwrap());
            #[cfg(target_os = "linux")]
            assert_eq!(
                socket.tcp_keepalive_time().unwrap(),
                Duration::from_secs(30)
            );
        });
    }

    #[test]
    // The upgrade callback's error type is tungstenite's (an HTTP response).
    #[allow(clippy::result_large_err)]
    fn the_ws_options_apply_to_the_upgrade_and_to_the_messages() {
        use crate::client::Connection;
        use std::sync::Mutex;
        use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
        use tokio_tungstenite::tungstenite::{Bytes, Message};

        block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let target = listener.local_addr().unwrap();
            let seen = Arc::new(Mutex::new(Vec::new()));
            let upgrade = seen.clone();
            let server = tokio::spawn(async move {
                let (tcp, _) = listener.accept().await.unwrap();
                let answer = move |request: &Request, mut response: Response| {
                    for name in ["x-token", "sec-websocket-protocol"] {
                        let value = request.headers().get(name).map(|v| v.to_str().unwrap());
                        upgrade.lock().unwrap().push(value.map(str::to_owned));
                    }
                    response.headers_mut().insert(
                        "sec-websocket-protocol",
                        HeaderValue::from_static("v11.stomp"),
                    );
                    Ok(response)
                };
                let mut ws = tokio_tungstenite::accept_hdr_async(tcp, answer)
                    .await
                    .unwrap();
                let mut messages = Vec::new();
                loop {
                    let next = std::future::poll_fn(|cx| {
                        futures_core::Stream::poll_next(Pin::new(&mut ws), cx)
                    });
                    let message = next.await.unwrap().unwrap();
                    let done = matches!(message, Message::Binary(_));
                    messages.push(message);
                    if done {
                        return messages;
                    }
                }
            });
            let config = Config::from_url(&format!("ws://{target}/ws")).unwrap();
            let ws = WsConfig::default()
                .with_subprotocols(vec![Version::V1_1])
                .with_headers(vec![("X-Token".into(), "t-1".into())])
                .with_max_chunk_size(Some(8));
            let endpoint = Endpoint::parse(&format!("ws://{target}/ws")).unwrap();
            let mut connection = TokioRuntime::new(&config)
                .unwrap()
                .with_ws(ws)
                .open(&endpoint)
                .await
                .unwrap();
            let text = "héllo wörld ✓ ok";
            for bytes in [text.as_bytes(), &[0xff, 0, 1][..]] {
                let mut at = 0;
                while at < bytes.len() {
                    let write = std::future::poll_fn(|cx| connection.poll_write(cx, &bytes[at..]));
                    at += write.await.unwrap();
                }
            }
            std::future::poll_fn(|cx| connection.poll_flush(cx))
                .await
                .unwrap();
            let messages = server.await.unwrap();
            assert_eq!(
                *seen.lock().unwrap(),
                [Some("t-1".to_owned()), Some("v11.stomp".to_owned())],
                "the extra header and the subprotocols offered"
            );
            let (last, texts) = messages.split_last().unwrap();
            assert_eq!(*last, Message::Binary(Bytes::from_static(&[0xff, 0, 1])));
            let mut joined = String::new();
            for message in texts {
                let Message::Text(part) = message else {
                    panic!("UTF-8 goes as text: {message:?}");
                };
                assert!(part.len() <= 8, "split at 8 bytes: {part:?}");
                joined.push_str(part);
            }
            assert_eq!(joined, text, "cut at character boundaries, nothing lost");
            assert!(texts.len() >= text.len() / 8);
        });
    }

    #[test]
    fn a_local_address_of_another_family_fails_the_open_and_names_both() {
        block_on(async {
            let tcp = TcpConfig::default().with_local_address(Some("[::1]:0".parse().unwrap()));
            let endpoint = Endpoint::parse("tcp://127.0.0.1:9").unwrap();
            let err = runtime(tcp).open(&endpoint).await.unwrap_err();
            assert_eq!(err.failure, TransportFailure::Unreachable);
            assert_eq!(err.error.kind(), io::ErrorKind::AddrNotAvailable);
            let text = err.error.to_string();
            assert!(
                text.contains("[::1]:0") && text.contains("127.0.0.1:9"),
                "{text}"
            );
        });
    }
}
