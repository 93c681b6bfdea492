//! The native client's errors: one typed enum, wrapping (never stringifying) the layers'.

use std::error::Error as _;
use std::fmt;

use super::transport::TransportError;
use crate::frame::Frame;
use crate::reconnect::{EndpointError, FailoverError};
use crate::session::SessionError;

/// What went wrong in a [`Client`](super::Client) call.
///
/// A variant that wraps another error says only what *this* layer was doing; the wrapped
/// error is its [`source`](std::error::Error::source), not repeated in the message. To print
/// the whole story on one line (as a command-line tool does), use [`Error::report`].
///
/// ```
/// use stompwire::native::{Error, Waited};
///
/// let err = Error::Timeout { what: Waited::Receipt };
/// assert_eq!(err.to_string(), "timed out waiting for the receipt");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A broker URL could not be parsed. Shown as the parser's error itself.
    Endpoint(EndpointError),
    /// A `failover:(…)` URI could not be parsed. Shown as the parser's error itself.
    Failover(FailoverError),
    /// One connection attempt failed: the transport could not be opened (refused, DNS, TLS
    /// verification, WebSocket upgrade…). The transport's error is the source.
    ConnectFailed {
        /// The endpoint tried, as a URL.
        endpoint: String,
        /// Why.
        source: TransportError,
    },
    /// The server answered CONNECT with this ERROR frame (bad credentials, unknown vhost…).
    Refused(Frame),
    /// The reconnect policy allows no more attempts; `last` (the source) is why the last one
    /// failed.
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// The last attempt's error.
        last: Option<Box<Error>>,
    },
    /// The call needs an open session and there is none (not yet connected, or between a drop
    /// and the reconnect).
    NotConnected,
    /// The connection ended before the operation completed (a receipt that never came).
    ConnectionClosed,
    /// The client was closed while the call was waiting.
    Interrupted,
    /// The frame the receipt was for was never sent: the transport refused it
    /// ([`TransportError::refuses_frame`]), and it is not sent again.
    NotSent,
    /// Nothing happened within the time the call, or the configuration, allowed.
    Timeout {
        /// What was waited for.
        what: Waited,
    },
    /// The server answered a frame that asked for a receipt with this ERROR frame.
    ErrorFrame(Frame),
    /// The frame asked for a receipt id (a `receipt` header of the caller's) that an earlier
    /// frame's receipt still waits for: two frames cannot share one RECEIPT. Nothing was
    /// sent, and the earlier frame's [`Receipt`](super::Receipt) still completes.
    DuplicateReceipt {
        /// The receipt id.
        id: String,
    },
    /// ACK or NACK of a MESSAGE that came on an earlier connection: its acknowledgement id
    /// is void on the connection open now, so nothing was sent. The broker delivers the
    /// message again (on a replayed subscription); acknowledge that copy.
    StaleMessage,
    /// The session refused the call (wrong state, version rules, unknown subscription or
    /// transaction, a header the version cannot write), or the server broke the protocol or a
    /// decoder limit. Shown as the session's error itself.
    Session(SessionError),
    /// A transport error outside a connection attempt (the receiver thread could not be
    /// started). Errors of an open connection are told to the listeners
    /// ([`on_disconnected`](super::listener::Listener::on_disconnected),
    /// [`on_send_refused`](super::listener::Listener::on_send_refused)) and to the receipts
    /// they end. Shown as the transport's error itself.
    Transport(TransportError),
}

/// What an [`Error::Timeout`] waited for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Waited {
    /// An open session: [`Client::connect`](super::Client::connect) or
    /// [`Client::wait_for_connection`](super::Client::wait_for_connection).
    Connection,
    /// CONNECTED, once the transport was open
    /// ([`SupervisorConfig::connected_timeout_ms`](crate::reconnect::SupervisorConfig)).
    Connected,
    /// A receipt ([`Receipt::wait`](super::Receipt::wait), or the session's receipt timeout).
    Receipt,
    /// The receiver thread to stop after [`Client::disconnect`](super::Client::disconnect).
    Disconnect,
}

impl fmt::Display for Waited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Waited::Connection => "the connection",
            Waited::Connected => "CONNECTED",
            Waited::Receipt => "the receipt",
            Waited::Disconnect => "the disconnect",
        })
    }
}

impl Error {
    /// The error and its sources on one line, each separated by `: ` — for a log line or a
    /// command-line tool's message.
    ///
    /// ```
    /// use stompwire::native::{Client, ClientConfig};
    /// use stompwire::reconnect::MaxAttempts;
    ///
    /// // Nothing listens on port 1 of the loopback address.
    /// let mut config = ClientConfig::from_url("tcp://127.0.0.1:1").unwrap();
    /// config.policy.max_attempts = MaxAttempts::Total(1);
    /// let err = Client::new(config)
    ///     .connect(std::time::Duration::from_secs(5))
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "gave up after 1 connection attempt");
    /// let line = err.report().to_string();
    /// assert!(line.starts_with(
    ///     "gave up after 1 connection attempt: cannot connect to tcp://127.0.0.1:1: \
    ///      cannot connect to 127.0.0.1:1: "
    /// ), "{line}");
    /// ```
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }
}

/// [`Error::report`]: an error and its sources, displayed on one line.
#[derive(Debug)]
pub struct Report<'a>(&'a Error);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(e) = source {
            write!(f, ": {e}")?;
            source = e.source();
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Transparent: the wrapped error is the message, and its source is the source.
            Error::Endpoint(e) => e.fmt(f),
            Error::Failover(e) => e.fmt(f),
            Error::ConnectFailed { endpoint, .. } => write!(f, "cannot connect to {endpoint}"),
            Error::Refused(frame) => write!(
                f,
                "server refused the connection: {}",
                frame.message().unwrap_or("ERROR without message")
            ),
            Error::GaveUp { attempts: 1, .. } => f.write_str("gave up after 1 connection attempt"),
            Error::GaveUp { attempts, .. } => {
                write!(f, "gave up after {attempts} connection attempts")
            }
            Error::NotConnected => f.write_str("not connected"),
            Error::ConnectionClosed => {
                f.write_str("connection closed before the operation completed")
            }
            Error::Interrupted => f.write_str("client closed while waiting"),
            Error::NotSent => f.write_str("the transport refused the frame; it was not sent"),
            Error::Timeout { what } => write!(f, "timed out waiting for {what}"),
            Error::ErrorFrame(frame) => write!(
                f,
                "server answered with ERROR: {}",
                frame.message().unwrap_or("(no message header)")
            ),
            Error::DuplicateReceipt { id } => {
                write!(
                    f,
                    "receipt {id} is already awaited for another frame; nothing was sent"
                )
            }
            Error::StaleMessage => f.write_str(
                "the message came on an earlier connection: it cannot be acknowledged on this \
                 one (the broker delivers it again); nothing was sent",
            ),
            Error::Session(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Endpoint(e) => e.source(),
            Error::Failover(e) => e.source(),
            Error::ConnectFailed { source, .. } => Some(source),
            Error::GaveUp { last: Some(e), .. } => Some(e.as_ref()),
            Error::Session(e) => e.source(),
            Error::Transport(e) => e.source(),
            _ => None,
        }
    }
}

impl From<SessionError> for Error {
    fn from(e: SessionError) -> Error {
        match e {
            SessionError::NotConnected { .. } => Error::NotConnected,
            SessionError::DuplicateReceipt(id) => Error::DuplicateReceipt { id },
            SessionError::StaleMessage => Error::StaleMessage,
            e => Error::Session(e),
        }
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Error {
        Error::Transport(e)
    }
}

impl From<EndpointError> for Error {
    fn from(e: EndpointError) -> Error {
        Error::Endpoint(e)
    }
}

impl From<FailoverError> for Error {
    fn from(e: FailoverError) -> Error {
        Error::Failover(e)
    }
}
