//! The native client's errors: one typed enum, wrapping (never stringifying) the layers'.

use std::fmt;

use super::transport::TransportError;
use crate::frame::Frame;
use crate::reconnect::{EndpointError, FailoverError};
use crate::session::SessionError;

/// What went wrong in a [`Client`](super::Client) call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A broker URL could not be parsed.
    Endpoint(EndpointError),
    /// A `failover:(…)` URI could not be parsed.
    Failover(FailoverError),
    /// One connection attempt failed: the transport could not be opened (refused, DNS, TLS
    /// verification, WebSocket upgrade…).
    ConnectFailed {
        /// The endpoint tried, as a URL.
        endpoint: String,
        /// Why.
        source: TransportError,
    },
    /// The server answered CONNECT with this ERROR frame (bad credentials, unknown vhost…).
    Refused(Frame),
    /// The reconnect policy allows no more attempts; `last` is why the last one failed.
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
    /// Nothing happened within the time the call allowed.
    Timeout {
        /// What was waited for: `"connection"`, `"receipt"`, `"disconnect"`.
        what: &'static str,
    },
    /// The server answered a frame that asked for a receipt with this ERROR frame.
    ErrorFrame(Frame),
    /// The session refused the call (wrong state, version rules, unknown subscription or
    /// transaction, a header the version cannot write), or the server broke the protocol or a
    /// decoder limit.
    Session(SessionError),
    /// Reading or writing the transport failed (I/O, TLS, WebSocket).
    Transport(TransportError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Endpoint(e) => write!(f, "invalid broker URL: {e}"),
            Error::Failover(e) => write!(f, "invalid failover URI: {e}"),
            Error::ConnectFailed { endpoint, source } => {
                write!(f, "cannot connect to {endpoint}: {source}")
            }
            Error::Refused(frame) => write!(
                f,
                "server refused the connection: {}",
                frame.message().unwrap_or("ERROR without message")
            ),
            Error::GaveUp { attempts, last } => {
                write!(f, "gave up after {attempts} connection attempts")?;
                if let Some(last) = last {
                    write!(f, "; last: {last}")?;
                }
                Ok(())
            }
            Error::NotConnected => f.write_str("not connected"),
            Error::ConnectionClosed => {
                f.write_str("connection closed before the operation completed")
            }
            Error::Interrupted => f.write_str("client closed while waiting"),
            Error::Timeout { what } => write!(f, "timed out waiting for {what}"),
            Error::ErrorFrame(frame) => write!(
                f,
                "server answered with ERROR: {}",
                frame.message().unwrap_or("(no message header)")
            ),
            Error::Session(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Endpoint(e) => Some(e),
            Error::Failover(e) => Some(e),
            Error::ConnectFailed { source, .. } => Some(source),
            Error::GaveUp { last: Some(e), .. } => Some(e.as_ref()),
            Error::Session(e) => Some(e),
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SessionError> for Error {
    fn from(e: SessionError) -> Error {
        match e {
            SessionError::NotConnected { .. } => Error::NotConnected,
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
