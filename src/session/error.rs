//! Errors of the session layer: a call in the wrong state or against the version's rules, or
//! a server that broke the protocol.

use alloc::string::String;
use core::fmt;

use super::State;
use crate::frame::describe::push_quoted;
use crate::frame::{Command, DecodeError, EncodeError, Version};

/// Why a session call was refused, or why the server's input was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The call needs an open session; the session is in `state`.
    NotConnected {
        /// The state the session is in.
        state: State,
    },
    /// [`connect`](super::Session::connect) was called while not disconnected.
    AlreadyConnected {
        /// The state the session is in.
        state: State,
    },
    /// The negotiated version does not have this command (NACK in 1.0).
    Unsupported {
        /// The command.
        command: Command,
        /// The negotiated version.
        version: Version,
    },
    /// A frame lacks a header its command needs.
    MissingHeader {
        /// The frame's command.
        command: Command,
        /// The header.
        header: RequiredHeader,
    },
    /// No subscription has this id.
    UnknownSubscription(String),
    /// A subscription with this id already exists.
    DuplicateSubscription(String),
    /// No open transaction has this id.
    UnknownTransaction(String),
    /// A transaction with this id is already open.
    DuplicateTransaction(String),
    /// A frame asked for a receipt whose id a frame sent earlier is still waiting for: two
    /// frames cannot share one RECEIPT. Nothing was sent.
    DuplicateReceipt(String),
    /// ACK or NACK for a message that came on an earlier connection: its acknowledgement id
    /// is void on this one (the broker redelivers the message). Nothing was sent.
    StaleMessage,
    /// ACK or NACK for a message of a subscription in `auto` mode.
    AckInAutoMode {
        /// The subscription id.
        subscription: String,
    },
    /// `client-individual` needs STOMP 1.1 or later.
    AckModeUnsupported {
        /// The negotiated version.
        version: Version,
    },
    /// A frame could not be encoded; the [`EncodeError`] says why (and is the
    /// [`source`](core::error::Error::source)).
    Encode(EncodeError),
    /// The server's bytes could not be decoded; the [`DecodeError`] says why (and is the
    /// [`source`](core::error::Error::source)).
    Decode(DecodeError),
    /// The server sent a frame that is not allowed in this state (MESSAGE before CONNECTED, a
    /// client command…).
    UnexpectedFrame {
        /// The frame's command.
        command: Command,
        /// The session's state when it arrived.
        state: State,
    },
    /// CONNECTED named a version that was not offered, or one that is not a STOMP version.
    VersionNotOffered(String),
    /// The client passed a frame whose command this call does not send.
    WrongCommand {
        /// The command given.
        command: Command,
    },
}

impl SessionError {
    /// Appends this error's description to `out`: the text its `Display` prints, written
    /// without `core::fmt` (the browser shell shows it as is). A wrapping variant
    /// ([`Encode`](SessionError::Encode), [`Decode`](SessionError::Decode)) describes itself
    /// only; its inner error, the [`source`](core::error::Error::source), has its own
    /// description.
    ///
    /// ```
    /// use stompwire::session::SessionError;
    ///
    /// let error = SessionError::UnknownSubscription("sub-1".into());
    /// let mut text = String::new();
    /// error.describe_into(&mut text);
    /// assert_eq!(text, "no subscription with id \"sub-1\"");
    /// assert_eq!(text, error.to_string());
    /// ```
    pub fn describe_into(&self, out: &mut String) {
        let quoted = |out: &mut String, before: &str, id: &str, after: &str| {
            out.push_str(before);
            push_quoted(out, id);
            out.push_str(after);
        };
        match self {
            SessionError::NotConnected { state } => {
                out.push_str("not connected (session is ");
                out.push_str(state.as_str());
                out.push(')');
            }
            SessionError::AlreadyConnected { state } => {
                out.push_str("cannot connect: session is ");
                out.push_str(state.as_str());
            }
            SessionError::Unsupported { command, version } => {
                out.push_str(command.as_str());
                out.push_str(" is not part of STOMP ");
                out.push_str(version.as_str());
            }
            SessionError::MissingHeader { command, header } => {
                out.push_str(command.as_str());
                out.push_str(" needs a '");
                out.push_str(header.as_str());
                out.push_str("' header");
            }
            SessionError::UnknownSubscription(id) => {
                quoted(out, "no subscription with id ", id, "")
            }
            SessionError::DuplicateSubscription(id) => {
                quoted(out, "a subscription with id ", id, " already exists")
            }
            SessionError::UnknownTransaction(id) => quoted(out, "no open transaction ", id, ""),
            SessionError::DuplicateTransaction(id) => {
                quoted(out, "transaction ", id, " is already open")
            }
            SessionError::DuplicateReceipt(id) => {
                quoted(out, "receipt ", id, " is already awaited for another frame")
            }
            SessionError::StaleMessage => out.push_str(
                "the message came on an earlier connection: it cannot be acknowledged on this one",
            ),
            SessionError::AckInAutoMode { subscription } => quoted(
                out,
                "subscription ",
                subscription,
                " uses ack mode auto: nothing to acknowledge",
            ),
            SessionError::AckModeUnsupported { version } => {
                out.push_str("ack mode client-individual needs STOMP 1.1 or later, session is ");
                out.push_str(version.as_str());
            }
            SessionError::Encode(_) => out.push_str("cannot encode frame"),
            SessionError::Decode(_) => out.push_str("cannot decode server input"),
            SessionError::UnexpectedFrame { command, state } => {
                out.push_str("the server sent ");
                out.push_str(command.as_str());
                out.push_str(" while the session is ");
                out.push_str(state.as_str());
            }
            SessionError::VersionNotOffered(v) => quoted(
                out,
                "the server chose version ",
                v,
                ", which was not offered",
            ),
            SessionError::WrongCommand { command } => {
                out.push_str(command.as_str());
                out.push_str(" cannot be sent with this call");
            }
        }
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.describe_into(&mut text);
        f.write_str(&text)
    }
}

impl From<EncodeError> for SessionError {
    fn from(e: EncodeError) -> SessionError {
        SessionError::Encode(e)
    }
}

impl From<DecodeError> for SessionError {
    fn from(e: DecodeError) -> SessionError {
        SessionError::Decode(e)
    }
}

impl core::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SessionError::Encode(e) => Some(e),
            SessionError::Decode(e) => Some(e),
            _ => None,
        }
    }
}

/// A header a frame needs and lacks ([`SessionError::MissingHeader`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequiredHeader {
    /// `destination` (SEND).
    Destination,
    /// `message-id` (a MESSAGE to acknowledge, STOMP 1.0 and 1.1).
    MessageId,
    /// `ack` (a MESSAGE to acknowledge, STOMP 1.2).
    Ack,
    /// `subscription` (ACK and NACK in STOMP 1.1).
    Subscription,
    /// `receipt-id` (RECEIPT).
    ReceiptId,
}

impl RequiredHeader {
    /// The header's name, as written on the wire (`"destination"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            RequiredHeader::Destination => "destination",
            RequiredHeader::MessageId => "message-id",
            RequiredHeader::Ack => "ack",
            RequiredHeader::Subscription => "subscription",
            RequiredHeader::ReceiptId => "receipt-id",
        }
    }
}

impl fmt::Display for RequiredHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
