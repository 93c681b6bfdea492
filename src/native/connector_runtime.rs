//! [`ConnectorRuntime`]: the async client on tokio with its connections opened by a
//! [`Connector`] — the program's own transports (a proxy, a Unix socket, an in-process peer)
//! under the one async driver (features `native` and `tokio`).

use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::prelude::rust_2024::*;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;

use super::transport::{Connector, Recv, Transport, TransportConfig, TransportError};
use crate::client::tokio::{TokioRuntime, TokioTimer};
use crate::client::{Connection, Driver, OpenError, Refused, Runtime};
use crate::frame::{Decoder, Item, Limits, Version};
use crate::reconnect::Endpoint;

/// Bytes a connection's reading thread takes from its transport ahead of the driver.
pub const READ_AHEAD: usize = 256 << 10;

/// The tokio runtime of the async client, opening connections with a [`Connector`].
///
/// A [`Connector`] gives blocking [`Transport`]s, so each connection is adapted:
///
/// - opening runs [`Connector::connect`] on tokio's blocking pool (it may block for its
///   connect and handshake timeouts); its [`TransportError`] travels inside the `io::Error`
///   the driver reports (`get_ref` / `downcast` give it back), and a timeout counts as one for
///   the reconnect policy ([`TransportError::is_timeout`]);
/// - reading is a thread per connection that waits in [`Transport::recv`] and hands what
///   arrives to the driver, at most [`READ_AHEAD`] bytes ahead of it (then it waits: a slow
///   consumer holds the transport back, memory does not grow);
/// - writing sends one frame per [`Transport::send`], as the native client does, so that a
///   frame the transport refuses ([`TransportError::refuses_frame`]: a multicast frame over the
///   datagram size) is named: its receipt fails and
///   [`ConnectionEvent::Refused`](crate::client::ConnectionEvent::Refused) tells the program,
///   the connection stays open. A send blocks the runtime's thread while the transport's
///   socket is full; give such a client a runtime of its own.
///
/// The default connector ([`Sockets`](super::transport::Sockets)) needs none of this: the
/// tokio runtime opens the same TCP, TLS, WebSocket and multicast connections natively, with
/// the same [`TcpConfig`](crate::net::TcpConfig), [`TlsConfig`](crate::net::TlsConfig) and
/// [`MulticastConfig`](crate::net::multicast::MulticastConfig).
///
/// ```no_run
/// # async fn run() -> Result<(), stompwire::client::Error> {
/// use std::sync::Arc;
/// use stompwire::client::{Client, Config};
/// use stompwire::client::tokio::TokioRuntime;
/// use stompwire::native::ConnectorRuntime;
/// use stompwire::native::transport::{open, Endpoint, TransportConfig};
///
/// let config = Config::from_url("tcp://127.0.0.1:61613")?.vhost("/");
/// let logged = |endpoint: &Endpoint, transport: &TransportConfig| {
///     eprintln!("opening {endpoint}");
///     open(endpoint, transport)
/// };
/// let runtime = ConnectorRuntime::new(
///     TokioRuntime::new(&config)?,
///     Arc::new(logged),
///     TransportConfig::default(),
/// );
/// let client = Client::connect_with(runtime, config).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ConnectorRuntime {
    tokio: TokioRuntime,
    connector: Arc<dyn Connector>,
    transport: Arc<TransportConfig>,
}

impl std::fmt::Debug for ConnectorRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorRuntime")
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl ConnectorRuntime {
    /// Connections from `connector`, configured by `transport`; timers, the clock and the
    /// driver's task from `tokio`.
    pub fn new(
        tokio: TokioRuntime,
        connector: Arc<dyn Connector>,
        transport: TransportConfig,
    ) -> ConnectorRuntime {
        ConnectorRuntime {
            tokio,
            connector,
            transport: Arc::new(transport),
        }
    }
}

/// Opening a connection with the connector.
pub struct OpeningTransport(
    Pin<Box<dyn Future<Output = Result<TransportConnection, OpenError>> + Send>>,
);

impl std::fmt::Debug for OpeningTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpeningTransport")
    }
}

impl Future for OpeningTransport {
    type Output = Result<TransportConnection, OpenError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

/// A [`TransportError`] as the `io::Error` the driver reports; the transport error is its
/// inner error.
fn io_error(error: TransportError) -> io::Error {
    let kind = match &error {
        TransportError::Io(e) | TransportError::Connect { source: e, .. } => e.kind(),
        e if e.is_timeout() => io::ErrorKind::TimedOut,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, error)
}

impl Runtime for ConnectorRuntime {
    type Connection = TransportConnection;
    type Open = OpeningTransport;
    type Timer = TokioTimer;

    fn open(&self, endpoint: &Endpoint) -> OpeningTransport {
        let connector = self.connector.clone();
        let config = self.transport.clone();
        let endpoint = endpoint.clone();
        OpeningTransport(Box::pin(async move {
            let opened =
                tokio::task::spawn_blocking(move || connector.connect(&endpoint, &config)).await;
            match opened {
                Ok(Ok(transport)) => TransportConnection::start(Arc::from(transport))
                    .map_err(|e| OpenError::unreachable(io_error(e))),
                Ok(Err(e)) if e.is_timeout() => Err(OpenError::timed_out(io_error(e))),
                Ok(Err(e)) => Err(OpenError::unreachable(io_error(e))),
                Err(join) => Err(OpenError::unreachable(io::Error::other(join))),
            }
        }))
    }

    fn timer(&self) -> TokioTimer {
        self.tokio.timer()
    }

    fn now_ms() -> u64 {
        TokioRuntime::now_ms()
    }

    fn random(&self) -> u32 {
        self.tokio.random()
    }

    fn spawn(driver: Driver<ConnectorRuntime>) {
        tokio::spawn(driver);
    }
}

/// What the reading thread hands the driver.
#[derive(Default)]
struct Inbox {
    data: Vec<u8>,
    at: usize,
    /// The transport closed (`Ok`) or failed; after the data.
    end: Option<io::Result<()>>,
    waker: Option<Waker>,
    /// The connection is gone: the reading thread stops.
    dropped: bool,
}

struct Shared {
    inbox: Mutex<Inbox>,
    /// The reading thread waits here while the driver is [`READ_AHEAD`] behind.
    room: Condvar,
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Inbox> {
    shared.inbox.lock().unwrap_or_else(|e| e.into_inner())
}

/// A connector's [`Transport`] as the driver's [`Connection`]; see [`ConnectorRuntime`].
pub struct TransportConnection {
    transport: Arc<dyn Transport>,
    shared: Arc<Shared>,
    /// Finds where each frame written ends, and its receipt.
    frames: Decoder,
    refused: VecDeque<Refused>,
}

impl std::fmt::Debug for TransportConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportConnection")
            .field("peer", &self.transport.peer())
            .finish_non_exhaustive()
    }
}

impl TransportConnection {
    /// Starts the reading thread of `transport`.
    fn start(transport: Arc<dyn Transport>) -> Result<TransportConnection, TransportError> {
        let shared = Arc::new(Shared {
            inbox: Mutex::new(Inbox::default()),
            room: Condvar::new(),
        });
        let reading = (transport.clone(), shared.clone());
        thread::Builder::new()
            .name(format!("stompwire-read {}", transport.peer()))
            .spawn(move || read_loop(&*reading.0, &reading.1))
            .map_err(TransportError::Io)?;
        let mut frames = Decoder::new(Limits {
            max_frame_size: usize::MAX,
            max_body_size: usize::MAX,
            max_headers: usize::MAX,
            max_header_line: usize::MAX,
            ..Limits::default()
        });
        // 1.0 reads header bytes as they are: only where a frame ends and its receipt matter.
        frames.set_version(Version::V1_0);
        Ok(TransportConnection {
            transport,
            shared,
            frames,
            refused: VecDeque::new(),
        })
    }
}

/// The reading thread: what the transport receives, to the inbox, until it ends.
fn read_loop(transport: &dyn Transport, shared: &Shared) {
    let mut buf = Vec::with_capacity(64 << 10);
    loop {
        {
            let mut inbox = lock(shared);
            while inbox.data.len() - inbox.at >= READ_AHEAD && !inbox.dropped {
                inbox = shared.room.wait(inbox).unwrap_or_else(|e| e.into_inner());
            }
            if inbox.dropped {
                return;
            }
        }
        buf.clear();
        let received = transport.recv(&mut buf, None);
        let mut inbox = lock(shared);
        let over = match received {
            Ok(Recv::Data(_)) => {
                let at = inbox.at;
                inbox.data.drain(..at);
                inbox.at = 0;
                inbox.data.extend_from_slice(&buf);
                false
            }
            Ok(Recv::Timeout) => false,
            Ok(Recv::Closed) => {
                inbox.end = Some(Ok(()));
                true
            }
            Err(e) => {
                inbox.end = Some(Err(io_error(e)));
                true
            }
        };
        if let Some(w) = inbox.waker.take() {
            w.wake();
        }
        if over {
            return;
        }
    }
}

impl Connection for TransportConnection {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut inbox = lock(&self.shared);
        let waiting = inbox.data.len() - inbox.at;
        if waiting > 0 {
            let n = waiting.min(buf.len());
            let at = inbox.at;
            buf[..n].copy_from_slice(&inbox.data[at..at + n]);
            inbox.at += n;
            if inbox.at == inbox.data.len() {
                inbox.data.clear();
                inbox.at = 0;
            }
            if waiting >= READ_AHEAD && waiting - n < READ_AHEAD {
                self.shared.room.notify_all();
            }
            return Poll::Ready(Ok(n));
        }
        match inbox.end.take() {
            Some(Ok(())) => Poll::Ready(Ok(0)),
            Some(Err(e)) => {
                inbox.end = Some(Ok(()));
                Poll::Ready(Err(e))
            }
            None => {
                inbox.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    fn poll_write(&mut self, _cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        // One frame per send (a heart-beat EOL is one too).
        self.frames.reset();
        let (len, receipt) = match self.frames.decode(bytes) {
            Ok(decoded) => {
                let receipt = match &decoded.item {
                    Some(Item::Frame(frame)) => frame.receipt().map(str::to_owned),
                    _ => None,
                };
                (decoded.consumed.max(1), receipt)
            }
            // Not a frame of ours: written as it is.
            Err(_) => (bytes.len(), None),
        };
        match self.transport.send(&bytes[..len]) {
            Ok(()) => Poll::Ready(Ok(len)),
            Err(e) if e.refuses_frame() => {
                self.refused.push_back(Refused {
                    receipt,
                    error: io_error(e),
                });
                Poll::Ready(Ok(len))
            }
            Err(e) => Poll::Ready(Err(io_error(e))),
        }
    }

    fn poll_flush(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.transport.close();
        Poll::Ready(Ok(()))
    }

    fn take_refused(&mut self) -> Option<Refused> {
        self.refused.pop_front()
    }
}

impl Drop for TransportConnection {
    fn drop(&mut self) {
        self.transport.close();
        lock(&self.shared).dropped = true;
        self.shared.room.notify_all();
    }
}
