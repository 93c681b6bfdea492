//! The runtime interface the driver is written against: open a connection, read and write
//! bytes on it, wait for a deadline, read the clock. A runtime (tokio natively, the browser on
//! wasm32) implements [`Runtime`] and [`Connection`]; the protocol and lifecycle rules stay in
//! the session and the supervisor.

use core::future::Future;
use core::task::{Context, Poll};
use std::io;
use std::prelude::rust_2024::*;
use std::sync::Arc;

use crate::reconnect::{Endpoint, TransportFailure};

use super::Driver;

/// One open byte stream to a broker (a TCP or TLS socket, a WebSocket), in the style of
/// `AsyncRead`/`AsyncWrite`: every method registers the task's waker when it returns
/// [`Poll::Pending`].
pub trait Connection: Unpin {
    /// Copies what the transport has received (at least one byte) into `buf`, and says how
    /// many; `Ok(0)` when the peer closed. Never waits when bytes are there.
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;

    /// Writes a prefix of `bytes` (a message transport takes them all, as one message) and
    /// says how many bytes it took.
    fn poll_write(&mut self, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>>;

    /// Pushes written bytes to the peer.
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// Closes the connection (a WebSocket close, a TLS close_notify, a TCP FIN).
    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// A frame this connection took with [`poll_write`](Connection::poll_write) but would not
    /// carry, having sent nothing of it — its own limit (a multicast frame larger than a
    /// datagram), not a failure: the connection stays open. The driver asks after its
    /// writes; the frame's receipt fails ([`LostReason::NotSent`](crate::session::LostReason))
    /// and [`ConnectionEvent::Refused`](super::ConnectionEvent::Refused) tells the program.
    /// Connections that carry every frame keep the default, `None`.
    fn take_refused(&mut self) -> Option<Refused> {
        None
    }

    /// A handle that writes to this connection from any thread without the driver, for a
    /// connection whose writes need no state of its own (plain TCP: the kernel's socket
    /// buffer is the only one). A frame a program sends on an idle connection then goes out
    /// on the program's thread instead of waking the driver for it. Connections that buffer
    /// or frame what they write (TLS, WebSocket, datagrams) keep the default, `None`.
    fn direct_writer(&self) -> Option<Arc<dyn DirectWrite>> {
        None
    }
}

/// Writes without waiting, from any thread; see [`Connection::direct_writer`].
pub trait DirectWrite: Send + Sync {
    /// Writes a prefix of `bytes` if the socket takes it now, and says how many bytes it
    /// took; [`io::ErrorKind::WouldBlock`] when it takes none now (the driver writes the rest
    /// once it can). Never waits, never registers a waker.
    fn try_write(&self, bytes: &[u8]) -> io::Result<usize>;
}

/// A frame a [`Connection`] refused; see [`Connection::take_refused`].
#[derive(Debug)]
pub struct Refused {
    /// The frame's `receipt` header, when it asked for one.
    pub receipt: Option<String>,
    /// Why (for a multicast frame, an `InvalidInput` error naming its size and the limit).
    pub error: io::Error,
}

/// Why a connection could not be opened: the error, and how the supervisor should count it.
#[derive(Debug)]
pub struct OpenError {
    /// What failed to connect.
    pub failure: TransportFailure,
    /// The transport's own error.
    pub error: io::Error,
}

impl OpenError {
    /// The endpoint refused, or a handshake failed.
    pub fn unreachable(error: io::Error) -> OpenError {
        OpenError {
            failure: TransportFailure::Unreachable,
            error,
        }
    }

    /// The transport's connect timeout expired.
    pub fn timed_out(error: io::Error) -> OpenError {
        OpenError {
            failure: TransportFailure::TimedOut,
            error,
        }
    }
}

/// A one-shot timer the driver re-arms: it becomes ready once the runtime's clock reaches
/// the deadline last given.
pub trait Timer: Unpin {
    /// Ready once [`Runtime::now_ms`] is at or past `deadline_ms`; otherwise registers the
    /// waker to be woken then. A new deadline replaces the old one.
    fn poll_until(&mut self, cx: &mut Context<'_>, deadline_ms: u64) -> Poll<()>;
}

/// What a runtime gives the driver: connections, a timer, a clock, randomness and a way to
/// run the driver in the background.
pub trait Runtime: Sized + 'static {
    /// The connection type.
    type Connection: Connection;
    /// Opening a connection.
    type Open: Future<Output = Result<Self::Connection, OpenError>> + Unpin;
    /// The timer.
    type Timer: Timer;

    /// Starts opening a connection to `endpoint` (its own connect timeout included).
    fn open(&self, endpoint: &Endpoint) -> Self::Open;

    /// A timer on this runtime's clock.
    fn timer(&self) -> Self::Timer;

    /// Milliseconds on a monotonic clock (any origin, the same for every call).
    fn now_ms() -> u64;

    /// A random number, for the reconnect policy's jitter and shuffling.
    fn random(&self) -> u32;

    /// Runs `driver` to completion in the background.
    fn spawn(driver: Driver<Self>);
}
