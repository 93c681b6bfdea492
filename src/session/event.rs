//! What a session tells its shell: events, and why a connection ended.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Negotiated, SessionError, SharedId};
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
        /// The registry's own id, shared ([`SharedId`]): no copy per message.
        subscription: Option<SharedId>,
        /// The MESSAGE frame.
        frame: Frame,
    },
    /// What became of a receipt this session waits for: see [`ReceiptOutcome`]. Every
    /// pending receipt ends in exactly one of [`Confirmed`](ReceiptOutcome::Confirmed),
    /// [`TimedOut`](ReceiptOutcome::TimedOut) and [`Lost`](ReceiptOutcome::Lost);
    /// [`Resent`](ReceiptOutcome::Resent) comes before that, once per reconnect that sends its
    /// frame again.
    Receipt(ReceiptOutcome),
    /// A RECEIPT arrived that no pending receipt asked for (stompjs's "unhandled receipt"):
    /// a stray id, or one that timed out before it came.
    UnexpectedReceipt {
        /// Its `receipt-id`.
        id: String,
        /// The RECEIPT frame.
        frame: Frame,
    },
    /// An ERROR frame arrived. If it names a pending receipt (`receipt-id`), that receipt is
    /// reported [lost](LostReason::Error) just before. The server closes the connection after an ERROR, so the session asks for the
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
#[non_exhaustive]
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
    /// Receipts whose SEND frames were sent again on this connection (ids, in sending order;
    /// each is also an [`Event::Receipt`] with [`ReceiptOutcome::Resent`]).
    pub resent: Vec<String>,
}

/// How a connection ended. The receipts it ends are reported just before, each as an
/// [`Event::Receipt`] with [`ReceiptOutcome::Lost`]; those whose SEND goes again on the next
/// connection stay pending, with their deadlines.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Disconnected {
    /// Why.
    pub reason: CloseReason,
    /// Transactions that were open: they are lost (the broker aborts them).
    pub lost_transactions: Vec<String>,
    /// The RECEIPT that confirmed DISCONNECT, when the close is [`CloseReason::Graceful`]
    /// (stompjs hands it to `onDisconnect`). It was reported as an [`Event::Receipt`] too.
    pub receipt: Option<Frame>,
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
    /// The server answered CONNECT with this ERROR frame (bad credentials, unknown vhost…).
    ConnectRefused(Frame),
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

/// What became of one receipt ([`Event::Receipt`]).
///
/// ```
/// use stompwire::session::{AckMode, Config, Event, HeartBeat, LostReason, ReceiptOutcome, Session};
/// use stompwire::frame::Headers;
///
/// let mut session = Session::new(Config::default().with_heart_beat(HeartBeat::NONE));
/// session.connect(0).unwrap();
/// session.handle_bytes(b"CONNECTED\nversion:1.2\n\n\0", 1).unwrap();
/// let mut headers = Headers::new();
/// let id = session.add_receipt(&mut headers);
/// session.subscribe("/queue/a", AckMode::Auto, headers, 2).unwrap();
/// session.handle_close(3); // the SUBSCRIBE's receipt will not come
/// let lost = core::iter::from_fn(|| session.poll_event()).find_map(|e| match e {
///     Event::Receipt(ReceiptOutcome::Lost { id, reason }) => Some((id, reason)),
///     _ => None,
/// });
/// assert!(matches!(lost, Some((i, LostReason::Closed(_))) if i == id));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ReceiptOutcome {
    /// The RECEIPT came. Final.
    Confirmed {
        /// The receipt id.
        id: String,
        /// The RECEIPT frame.
        frame: Frame,
    },
    /// Its deadline passed ([`Config::receipt_timeout_ms`](super::Config), or one set with
    /// [`Session::set_receipt_deadline`](super::Session::set_receipt_deadline) or
    /// [`Session::expect_receipt`](super::Session::expect_receipt)). Deadlines hold across a
    /// reconnect and run while disconnected. Final: a RECEIPT that comes later is an
    /// [`Event::UnexpectedReceipt`], and a frame waiting to go again is not sent.
    TimedOut {
        /// The receipt id.
        id: String,
    },
    /// Its SEND frame was sent again, with the same receipt id, on the connection that just
    /// opened (see [`Config::resend_unreceipted`](super::Config)). Not final: the receipt is
    /// still pending, with the deadline it had.
    Resent {
        /// The receipt id.
        id: String,
    },
    /// It will not come. Final.
    Lost {
        /// The receipt id.
        id: String,
        /// Why.
        reason: LostReason,
    },
}

impl ReceiptOutcome {
    /// The receipt id.
    pub fn id(&self) -> &str {
        match self {
            ReceiptOutcome::Confirmed { id, .. }
            | ReceiptOutcome::TimedOut { id }
            | ReceiptOutcome::Resent { id }
            | ReceiptOutcome::Lost { id, .. } => id,
        }
    }

    /// Whether this is the receipt's last outcome (all but [`ReceiptOutcome::Resent`]).
    pub fn is_final(&self) -> bool {
        !matches!(self, ReceiptOutcome::Resent { .. })
    }
}

/// Why a receipt will not come ([`ReceiptOutcome::Lost`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LostReason {
    /// The server sent this ERROR frame naming the receipt (its `receipt-id`): it refused the
    /// frame. The same frame follows as an [`Event::Error`].
    Error(Frame),
    /// The connection closed, and the frame is not sent again, for this reason.
    Closed(NotResent),
    /// The frame kept to send again could not be written in the version the new connection
    /// negotiated (a header a STOMP 1.0 frame cannot hold).
    Unencodable(crate::frame::EncodeError),
    /// [`Session::shut_down`](super::Session::shut_down): the shell stopped connecting (the
    /// user closed the client, or the reconnect policy gave up).
    ShutDown,
    /// The frame was never sent: the shell's transport refused it (a multicast frame larger
    /// than a datagram) and reported it with
    /// [`Session::abandon_receipt`](super::Session::abandon_receipt). No copy is kept to send
    /// again.
    NotSent,
}

/// Why the frame of a receipt lost at a close is not sent again ([`LostReason::Closed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotResent {
    /// It is a SEND inside a transaction, which the broker aborts with the connection.
    InTransaction,
    /// Only SEND frames go again: it was another frame (SUBSCRIBE, ACK, DISCONNECT…), or an id
    /// expected with [`Session::expect_receipt`](super::Session::expect_receipt) that no frame
    /// of this session carried.
    NotASend,
    /// [`Config::resend_unreceipted`](super::Config) is off.
    ResendDisabled,
    /// The user ended the session ([`Session::disconnect`](super::Session::disconnect)):
    /// nothing is sent again.
    ClosedByUser,
}
