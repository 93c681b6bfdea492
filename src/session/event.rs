//! What a session tells its shell: events, and why a connection ended.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Negotiated, SessionError};
use crate::frame::{Frame, Version};

/// Something that happened, for the shell to hand to the user. Drained with
/// [`Session::poll_event`](super::Session::poll_event).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// CONNECTED arrived: the session is open.
    Connected(Connected),
    /// A MESSAGE arrived.
    Message {
        /// The id of the registered subscription it belongs to (from its `subscription`
        /// header, or for 1.0 by destination); `None` when no registered subscription matches.
        subscription: Option<String>,
        /// The MESSAGE frame.
        frame: Frame,
    },
    /// A RECEIPT arrived.
    Receipt {
        /// Its `receipt-id`.
        id: String,
        /// Whether a frame of this session asked for that id (stompjs's "unhandled receipt"
        /// when `false`).
        expected: bool,
        /// The RECEIPT frame.
        frame: Frame,
    },
    /// A receipt did not arrive within [`Config::receipt_timeout_ms`](super::Config).
    ReceiptTimeout {
        /// The receipt id.
        id: String,
    },
    /// An ERROR frame arrived. If it names a pending receipt (`receipt-id`), that receipt will
    /// not come. The server closes the connection after an ERROR, so the session asks for the
    /// close as well ([`CloseReason::ConnectRefused`] while connecting,
    /// [`CloseReason::ServerError`] after).
    Error(Frame),
    /// A heart-beat (an EOL between frames) arrived.
    Heartbeat,
    /// The server was silent past the heart-beat deadline.
    HeartbeatTimeout {
        /// When bytes last arrived (ms, the session's clock).
        last_received: u64,
        /// The deadline that passed.
        deadline: u64,
    },
    /// The connection ended (after [`Session::handle_close`](super::Session::handle_close)).
    Disconnected(Disconnected),
}

/// What CONNECTED said.
#[derive(Clone, Debug, PartialEq)]
pub struct Connected {
    /// The negotiated version (`version` header; 1.0 when absent).
    pub version: Version,
    /// The `server` header.
    pub server: Option<String>,
    /// The `session` header.
    pub session: Option<String>,
    /// The heart-beat intervals in force.
    pub heart_beat: Negotiated,
    /// The CONNECTED frame.
    pub frame: Frame,
    /// Subscriptions sent again on this connection (ids).
    pub replayed: Vec<String>,
    /// Receipts whose SEND frames were sent again on this connection (ids).
    pub resent: Vec<String>,
}

/// How a connection ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Disconnected {
    /// Why.
    pub reason: CloseReason,
    /// Transactions that were open: they are lost (the broker aborts them).
    pub lost_transactions: Vec<String>,
    /// Receipts that never came. Those of SEND frames outside a transaction are sent again on
    /// the next connection when [`Config::resend_unreceipted`](super::Config) is set.
    pub unconfirmed_receipts: Vec<String>,
}

/// Why a connection ended or should end.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CloseReason {
    /// DISCONNECT was confirmed by its RECEIPT.
    Graceful,
    /// DISCONNECT was sent without a receipt.
    Immediate,
    /// The RECEIPT of DISCONNECT did not come in time.
    DisconnectTimeout,
    /// The server answered CONNECT with ERROR (bad credentials, unknown vhost…).
    ConnectRefused,
    /// The server sent ERROR on an open session; the specification has it close the
    /// connection right after, so the session asks for the close too.
    ServerError,
    /// CONNECTED did not come in time.
    ConnectTimeout,
    /// The server's heart-beats stopped.
    HeartbeatTimeout,
    /// The server broke the protocol, or sent bytes that could not be decoded.
    Protocol(SessionError),
    /// The transport closed without the session asking (peer close, I/O error).
    TransportClosed {
        /// Whether it cut a frame short.
        mid_frame: bool,
    },
}
