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
use std::prelude::rust_2024::*;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::frame::Version;
use crate::reconnect::{Endpoint, Scheme};

pub use crate::net::{ClientIdentity, TlsConfig};
use connection::Stream;
pub use connection::TokioConnection;
pub use multicast::MulticastConnection;
pub use tls::TlsOptions;

use super::transport::{OpenError, Runtime, Timer};
use super::{Config, Driver, Error};
use crate::net::multicast::MulticastConfig;

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
    subprotocols: String,
    multicast: MulticastConfig,
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
        let subprotocols = versions
            .iter()
            .rev()
            .map(|v| ws_subprotocol(*v))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(TokioRuntime {
            inner: Arc::new(Inner {
                tls,
                tls_options: config.tls.clone(),
                open_timeout: Duration::from_millis(config.open_timeout_ms),
                subprotocols,
                multicast: MulticastConfig::default(),
            }),
        })
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

/// The WebSocket subprotocol of a STOMP version (`v12.stomp`…).
fn ws_subprotocol(version: Version) -> &'static str {
    match version {
        Version::V1_0 => "v10.stomp",
        Version::V1_1 => "v11.stomp",
        _ => "v12.stomp",
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
    let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
        .await
        .map_err(unreachable)?;
    tcp.set_nodelay(true).map_err(unreachable)?;
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
            if !inner.subprotocols.is_empty() {
                let value = HeaderValue::from_str(&inner.subprotocols)
                    .map_err(|e| unreachable(io::Error::other(e)))?;
                request
                    .headers_mut()
                    .insert("Sec-WebSocket-Protocol", value);
            }
            let (ws, _response) = tokio_tungstenite::client_async(request, stream)
                .await
                .map_err(|e| unreachable(io::Error::other(e)))?;
            Ok(TokioConnection::websocket(ws))
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
