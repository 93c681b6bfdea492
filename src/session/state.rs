//! The session states and the transitions between them.

/// Where a [`Session`](super::Session) is in its life.
///
/// ```text
///                connect()                 CONNECTED
///  Disconnected ───────────▶ Connecting ───────────────▶ Connected
///       ▲                        │                          │
///       │                        │ ERROR / timeout /        │ disconnect() with receipt
///       │                        │ protocol error           ▼
///       │                        │                    Disconnecting
///       │                        ▼                          │ RECEIPT / ERROR / timeout
///       │                     Closing ◀─────────────────────┘
///       │                        │         ◀── disconnect() without receipt, ERROR,
///       │   handle_close()       │             heart-beat timeout, protocol error
///       └────────────────────────┘
/// ```
///
/// `Closing` means the session wants the transport closed ([`Session::wants_close`]); the
/// shell closes it and reports that with [`Session::handle_close`], which leads to
/// `Disconnected`. A transport that drops by itself leads there from any state, through the
/// same call.
///
/// [`Session::wants_close`]: super::Session::wants_close
/// [`Session::handle_close`]: super::Session::handle_close
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::exhaustive_enums)] // closed: the states of the diagram above
pub enum State {
    /// No connection. [`connect`](super::Session::connect) starts one.
    Disconnected,
    /// CONNECT (or STOMP) written; waiting for CONNECTED.
    Connecting,
    /// The session is open: frames may be sent.
    Connected,
    /// DISCONNECT with a receipt written; waiting for the RECEIPT.
    Disconnecting,
    /// The session is over; the transport should be closed.
    Closing,
}

impl State {
    /// The state's name, for messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Disconnected => "disconnected",
            State::Connecting => "connecting",
            State::Connected => "connected",
            State::Disconnecting => "disconnecting",
            State::Closing => "closing",
        }
    }
}

impl core::fmt::Display for State {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
