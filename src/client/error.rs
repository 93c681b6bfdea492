//! [`Error`]: why an async client call failed.

use std::fmt;
use std::io;
use std::prelude::rust_2024::*;
use std::sync::Arc;

use crate::frame::Frame;
use crate::reconnect::{EndpointError, FailoverError, Reason};
use crate::session::{LostReason, SessionError};

/// Why a call of the async client failed. Cheap to clone (the I/O error is shared), so every
/// waiter of one failure gets it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Error {
    /// A broker URL could not be read.
    Endpoint(EndpointError),
    /// A `failover:(…)` URI could not be read.
    Failover(FailoverError),
    /// The TLS configuration could not be built (a CA file, a client key, no trust roots).
    Tls(Arc<io::Error>),
    /// No connection is open right now (the client is reconnecting): nothing was sent.
    NotConnected,
    /// The client is shutting down and takes no more work.
    ShuttingDown,
    /// The client has stopped (shut down, or given up): nothing more can be done with it.
    Closed,
    /// The session refused the call (an unknown transaction, NACK in STOMP 1.0…).
    Session(SessionError),
    /// The frame asked for a receipt id (a `receipt` header of the caller's) that an earlier
    /// frame's receipt still waits for; nothing was sent.
    DuplicateReceipt {
        /// The receipt id.
        id: String,
    },
    /// The receipt did not come in time.
    ReceiptTimedOut {
        /// The receipt id.
        id: String,
    },
    /// The receipt will not come: the frame may or may not have been processed.
    ReceiptLost {
        /// The receipt id.
        id: String,
        /// Why (an ERROR frame naming it, a close, a shutdown).
        reason: LostReason,
    },
    /// The message belongs to an earlier connection, whose acknowledgement ids are void: the
    /// broker redelivers it.
    StaleMessage,
    /// The supervisor gave up connecting.
    GaveUp(Box<GaveUp>),
}

/// What [`Error::GaveUp`] knows of the attempts.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GaveUp {
    /// Attempts made since the start or the last successful connection.
    pub attempts: u32,
    /// Why the last attempt ended.
    pub last: Option<Reason>,
    /// The last ERROR frame the broker sent, if any (a refusal: bad credentials…).
    pub error_frame: Option<Frame>,
    /// The last transport error, if any.
    pub transport: Option<Arc<io::Error>>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Endpoint(e) => write!(f, "bad broker URL: {e}"),
            Error::Failover(e) => write!(f, "bad failover URI: {e}"),
            Error::Tls(e) => write!(f, "TLS configuration: {e}"),
            Error::NotConnected => f.write_str("not connected (reconnecting)"),
            Error::ShuttingDown => f.write_str("the client is shutting down"),
            Error::Closed => f.write_str("the client has stopped"),
            Error::Session(e) => write!(f, "{e}"),
            Error::DuplicateReceipt { id } => {
                write!(f, "receipt {id} is already awaited for another frame")
            }
            Error::ReceiptTimedOut { id } => write!(f, "receipt {id} timed out"),
            Error::ReceiptLost { id, reason } => write!(f, "receipt {id} lost: {reason:?}"),
            Error::StaleMessage => {
                f.write_str("the message came on an earlier connection; it will be redelivered")
            }
            Error::GaveUp(gave_up) => {
                let GaveUp {
                    attempts,
                    last,
                    error_frame,
                    transport,
                } = &**gave_up;
                write!(f, "gave up connecting after {attempts} attempts")?;
                if let Some(last) = last {
                    write!(f, " (last: {last:?})")?;
                }
                if let Some(frame) = error_frame {
                    write!(f, "; broker said: {}", frame.message().unwrap_or("ERROR"))?;
                }
                if let Some(e) = transport {
                    write!(f, "; transport: {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Endpoint(e) => Some(e),
            Error::Failover(e) => Some(e),
            Error::Tls(e) => Some(&**e),
            Error::Session(e) => Some(e),
            Error::GaveUp(gave_up) => gave_up
                .transport
                .as_deref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
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
            other => Error::Session(other),
        }
    }
}
