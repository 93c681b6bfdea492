//! The frame model: a command, its headers and its body.

use alloc::vec::Vec;
use core::fmt;

use super::{Command, Headers};

/// One STOMP frame.
///
/// ```
/// use stompwire::frame::{Command, Frame};
///
/// let frame = Frame::new(Command::Send)
///     .with_header("destination", "/queue/a")
///     .with_header("content-type", "text/plain")
///     .with_body("hello");
/// assert_eq!(frame.destination(), Some("/queue/a"));
/// assert_eq!(frame.body_str(), Some("hello"));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[allow(clippy::exhaustive_structs)] // closed: a frame is a command, headers and a body
pub struct Frame {
    /// The command.
    pub command: Command,
    /// The headers, in wire order.
    pub headers: Headers,
    /// The body bytes (empty when there is none).
    pub body: Vec<u8>,
}

impl Frame {
    /// A frame with no headers and no body.
    pub fn new(command: Command) -> Frame {
        Frame {
            command,
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// A frame from its parts.
    pub fn from_parts(command: Command, headers: Headers, body: Vec<u8>) -> Frame {
        Frame {
            command,
            headers,
            body,
        }
    }

    /// Appends a header and returns the frame (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> Frame {
        self.headers.push(name, value);
        self
    }

    /// Replaces the body and returns the frame (builder style).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Frame {
        self.body = body.into();
        self
    }

    /// The value of the first header named `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text, when it is valid UTF-8.
    pub fn body_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.body).ok()
    }

    /// `destination` (SEND, SUBSCRIBE, MESSAGE).
    pub fn destination(&self) -> Option<&str> {
        self.header("destination")
    }
    /// `id` (SUBSCRIBE, UNSUBSCRIBE; ACK/NACK in 1.2).
    pub fn id(&self) -> Option<&str> {
        self.header("id")
    }
    /// `receipt`: the id the client asks the server to confirm.
    pub fn receipt(&self) -> Option<&str> {
        self.header("receipt")
    }
    /// `receipt-id` (RECEIPT; ERROR for a frame that asked for a receipt).
    pub fn receipt_id(&self) -> Option<&str> {
        self.header("receipt-id")
    }
    /// `content-type`.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
    /// `content-length`, when present and a valid byte count (ASCII digits only, as the
    /// decoder requires).
    pub fn content_length(&self) -> Option<usize> {
        self.header("content-length")
            .and_then(|v| parse_content_length(v.as_bytes()))
    }
    /// `subscription` (MESSAGE; ACK/NACK in 1.1).
    pub fn subscription(&self) -> Option<&str> {
        self.header("subscription")
    }
    /// `message-id` (MESSAGE; ACK/NACK in 1.0 and 1.1).
    pub fn message_id(&self) -> Option<&str> {
        self.header("message-id")
    }
    /// `ack`: the ack mode of a SUBSCRIBE, or the ack id of a 1.2 MESSAGE.
    pub fn ack(&self) -> Option<&str> {
        self.header("ack")
    }
    /// `transaction` (SEND, ACK, NACK, BEGIN, COMMIT, ABORT).
    pub fn transaction(&self) -> Option<&str> {
        self.header("transaction")
    }
    /// `version` (CONNECTED).
    pub fn version(&self) -> Option<&str> {
        self.header("version")
    }
    /// `session` (CONNECTED).
    pub fn session(&self) -> Option<&str> {
        self.header("session")
    }
    /// `server` (CONNECTED).
    pub fn server(&self) -> Option<&str> {
        self.header("server")
    }
    /// `message`: the short description of an ERROR.
    pub fn message(&self) -> Option<&str> {
        self.header("message")
    }
    /// `heart-beat` as `(cx, cy)` milliseconds, when present and well formed.
    pub fn heart_beat(&self) -> Option<(u32, u32)> {
        let v = self.header("heart-beat")?;
        let (a, b) = super::scan::cut(v, b',')?;
        // ASCII whitespace only, as the header's grammar allows: Unicode `trim` costs code.
        Some((a.trim_ascii().parse().ok()?, b.trim_ascii().parse().ok()?))
    }
}

/// Parses a `content-length` value: one or more ASCII digits, nothing else (no sign, no
/// spaces), without overflow.
pub(crate) fn parse_content_length(v: &[u8]) -> Option<usize> {
    if v.is_empty() {
        return None;
    }
    v.iter().try_fold(0usize, |n, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(usize::from(b - b'0'))
    })
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("command", &self.command)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}
