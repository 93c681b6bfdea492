//! Why a connection attempt, or a connection, ended: [`Reason`], as the supervisor classifies
//! it to decide what comes next.

use crate::session::CloseReason;

/// Why a connection attempt (or an open connection) ended, as far as deciding the next
/// attempt goes.
///
/// The shell keeps its own, detailed error (an I/O error, the ERROR frame); this is the core's
/// classification of it, reported with [`Action::GaveUp`](super::Action::GaveUp).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Reason {
    /// The transport could not be opened (name resolution, a refused TCP connection, TLS,
    /// the WebSocket handshake), or it closed before it opened.
    Unreachable,
    /// The transport's own connect timeout expired ([`TransportFailure::TimedOut`](super::TransportFailure)).
    OpenTimeout,
    /// The transport did not open, or CONNECTED did not come, within
    /// [`SupervisorConfig::attempt_timeout_ms`](super::SupervisorConfig::attempt_timeout_ms).
    AttemptTimeout,
    /// The transport opened but CONNECTED did not come within
    /// [`SupervisorConfig::connected_timeout_ms`](super::SupervisorConfig::connected_timeout_ms)
    /// (or the session's own CONNECT timeout).
    ConnectedTimeout,
    /// The server answered CONNECT with ERROR.
    Refused,
    /// The server's heart-beats stopped.
    HeartbeatTimeout,
    /// The transport closed, and the session named no other reason.
    Closed,
    /// The session ended for another reason (a server ERROR on an open session, a protocol
    /// violation, the transport cut mid-frame…).
    Session(CloseReason),
}

impl Reason {
    /// The session's close reason, classified. A close the user asked for
    /// ([`CloseReason::Graceful`], [`CloseReason::Immediate`], [`CloseReason::DisconnectTimeout`])
    /// is kept as [`Reason::Session`]; [`Reason::is_user_close`] tells it.
    // The braces on `ConnectRefused` match it whether or not it carries the ERROR frame.
    #[allow(clippy::unneeded_struct_pattern)]
    pub fn from_close(reason: &CloseReason) -> Reason {
        match reason {
            CloseReason::ConnectRefused { .. } => Reason::Refused,
            CloseReason::ConnectTimeout => Reason::ConnectedTimeout,
            CloseReason::HeartbeatTimeout => Reason::HeartbeatTimeout,
            CloseReason::TransportClosed { mid_frame: false } => Reason::Closed,
            other => Reason::Session(other.clone()),
        }
    }

    /// Whether the endpoint went silent — the transport may still look open (a frozen node: no
    /// FIN, the kernel still accepts), so the next attempt goes elsewhere first.
    pub fn is_silent(&self) -> bool {
        matches!(
            self,
            Reason::OpenTimeout
                | Reason::AttemptTimeout
                | Reason::ConnectedTimeout
                | Reason::HeartbeatTimeout
        )
    }

    /// Whether the server ended it with an ERROR frame: a refusal, or an ERROR on an open
    /// session. The next attempt then waits at least
    /// [`SupervisorConfig::error_delay_ms`](super::SupervisorConfig::error_delay_ms).
    pub fn is_server_error(&self) -> bool {
        matches!(
            self,
            Reason::Refused | Reason::Session(CloseReason::ServerError)
        )
    }

    /// What a session that ended this way reports as its close reason, where the session
    /// cannot know it itself: the supervisor's CONNECTED and attempt timeouts are
    /// [`CloseReason::ConnectTimeout`]. `None` for a reason that carries no close reason of
    /// its own (a transport that never opened, a refusal whose ERROR frame is the session's).
    pub fn close_reason(&self) -> Option<CloseReason> {
        match self {
            Reason::ConnectedTimeout | Reason::AttemptTimeout => Some(CloseReason::ConnectTimeout),
            Reason::HeartbeatTimeout => Some(CloseReason::HeartbeatTimeout),
            Reason::Closed => Some(CloseReason::TransportClosed { mid_frame: false }),
            Reason::Session(reason) => Some(reason.clone()),
            Reason::Unreachable | Reason::OpenTimeout | Reason::Refused => None,
        }
    }

    /// Whether the user ended the connection (DISCONNECT): nothing is reconnected.
    pub fn is_user_close(&self) -> bool {
        matches!(
            self,
            Reason::Session(
                CloseReason::Graceful | CloseReason::Immediate | CloseReason::DisconnectTimeout
            )
        )
    }
}
