//! Errors of the codec: what went wrong decoding or encoding, with the data to act on it.

use alloc::string::String;
use core::fmt;

use super::describe::{push_escape_default, push_hex_byte, push_quoted_bytes, push_usize};
use super::{Command, Snippet};

/// A bound of [`Limits`](super::Limits) that input exceeded. Grows with [`Limits`](super::Limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// `max_frame_size`.
    FrameSize,
    /// `max_body_size`.
    BodySize,
    /// `max_headers`.
    Headers,
    /// `max_header_line`.
    HeaderLine,
    /// `max_command_len`.
    CommandLength,
}

impl Limit {
    /// The name of the [`Limits`](super::Limits) field.
    pub const fn field(self) -> &'static str {
        match self {
            Limit::FrameSize => "max_frame_size",
            Limit::BodySize => "max_body_size",
            Limit::Headers => "max_headers",
            Limit::HeaderLine => "max_header_line",
            Limit::CommandLength => "max_command_len",
        }
    }
}

/// Why a byte stream could not be decoded. Decoding errors are fatal for the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A bound of [`Limits`](super::Limits) was exceeded.
    ///
    /// Limits are checked as bytes arrive, so the error comes at the first byte beyond the
    /// limit and is the same for every split of the input.
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// The configured maximum.
        max: usize,
        /// The size counted up to the first byte over the limit (so `max + 1`), or, when a
        /// `content-length` announced more than the limits allow, the announced size (of the
        /// body for [`Limit::BodySize`], of the whole frame for [`Limit::FrameSize`]).
        actual: usize,
    },
    /// The command line is not a STOMP command. Holds up to 32 bytes of it.
    UnknownCommand(Snippet),
    /// A header line has no `:`.
    MissingColon {
        /// 0-based index of the header line in the frame.
        line: usize,
    },
    /// A header line has an empty name.
    EmptyHeaderName {
        /// 0-based index of the header line in the frame.
        line: usize,
    },
    /// A header holds bytes that are not UTF-8.
    NonUtf8Header {
        /// 0-based index of the header line in the frame.
        line: usize,
    },
    /// A backslash escape the frame's version does not define (`\t`, `\r` in 1.1, a trailing
    /// `\`). `escape` is the byte after the backslash, or `None` at the end of the text.
    InvalidEscape {
        /// 0-based index of the header line in the frame.
        line: usize,
        /// The byte after `\`, if any.
        escape: Option<u8>,
    },
    /// `content-length` is not a decimal number of bytes.
    InvalidContentLength,
    /// A NUL ended the header block where the blank line before the body belongs, and the
    /// frame's `content-length` announces a body. (Without one, or with `content-length:0`,
    /// such a frame is accepted as a frame without a body: the specification's own DISCONNECT
    /// and RECEIPT examples are written that way.)
    MissingBlankLine,
    /// The byte after a `content-length` body is not NUL.
    MissingNul {
        /// The byte found instead.
        found: u8,
    },
    /// A decoder that already failed was fed more input.
    Poisoned,
}

impl DecodeError {
    /// Appends this error's description to `out`: the text its `Display` prints, written
    /// without `core::fmt` (the browser shell shows it as is).
    ///
    /// ```
    /// use stompwire::frame::{DecodeError, Limit};
    ///
    /// let error = DecodeError::LimitExceeded { limit: Limit::BodySize, max: 8, actual: 15 };
    /// let mut text = String::new();
    /// error.describe_into(&mut text);
    /// assert_eq!(text, "frame exceeds max_body_size (15 > 8)");
    /// assert_eq!(text, error.to_string());
    /// ```
    pub fn describe_into(&self, out: &mut String) {
        let line = |out: &mut String, line: usize, what: &str| {
            out.push_str("header line ");
            push_usize(out, line);
            out.push_str(what);
        };
        match self {
            DecodeError::LimitExceeded { limit, max, actual } => {
                out.push_str("frame exceeds ");
                out.push_str(limit.field());
                out.push_str(" (");
                push_usize(out, *actual);
                out.push_str(" > ");
                push_usize(out, *max);
                out.push(')');
            }
            DecodeError::UnknownCommand(s) => {
                out.push_str("unknown command ");
                push_quoted_bytes(out, s.as_bytes());
            }
            DecodeError::MissingColon { line: n } => line(out, *n, " has no ':'"),
            DecodeError::EmptyHeaderName { line: n } => line(out, *n, " has an empty name"),
            DecodeError::NonUtf8Header { line: n } => line(out, *n, " is not valid UTF-8"),
            DecodeError::InvalidEscape { line: n, escape } => match escape {
                Some(b) => {
                    line(out, *n, " has an undefined escape \\");
                    push_escape_default(out, *b);
                }
                None => line(out, *n, " ends with a lone '\\'"),
            },
            DecodeError::InvalidContentLength => {
                out.push_str("content-length is not a decimal byte count")
            }
            DecodeError::MissingBlankLine => out.push_str(
                "a NUL ended the headers without a blank line, but content-length announces a body",
            ),
            DecodeError::MissingNul { found } => {
                out.push_str("expected NUL after content-length body, found byte ");
                push_hex_byte(out, *found);
            }
            DecodeError::Poisoned => out.push_str("decoder already failed; input refused"),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.describe_into(&mut text);
        f.write_str(&text)
    }
}

/// Why a frame could not be encoded. Nothing is written to the buffer on error.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// A header name or value holds a byte the version cannot represent: LF or CR where
    /// nothing is escaped (1.0, CONNECT, STOMP, CONNECTED), CR in 1.1, `:` in a name where
    /// nothing is escaped, or NUL as a name's first byte (which would end the frame).
    Unrepresentable {
        /// The frame's command.
        command: Command,
        /// 0-based index of the header.
        header: usize,
        /// Whether the byte is in the name (else in the value).
        in_name: bool,
        /// The byte.
        byte: u8,
    },
    /// A header has an empty name.
    EmptyHeaderName {
        /// 0-based index of the header.
        header: usize,
    },
    /// A `content-length` header disagrees with the body's length.
    ContentLengthMismatch {
        /// What the header says.
        header: usize,
        /// The body's length.
        body: usize,
    },
    /// The content-length header is not a decimal byte count.
    InvalidContentLength,
}

impl EncodeError {
    /// Appends this error's description to `out`: the text its `Display` prints, written
    /// without `core::fmt` (the browser shell shows it as is).
    pub fn describe_into(&self, out: &mut String) {
        match self {
            EncodeError::Unrepresentable {
                command,
                header,
                in_name,
                byte,
            } => {
                out.push_str(command.as_str());
                out.push_str(" header ");
                push_usize(out, *header);
                out.push_str(if *in_name { " name" } else { " value" });
                out.push_str(" holds byte ");
                push_hex_byte(out, *byte);
                out.push_str(", which cannot be written in this version");
            }
            EncodeError::EmptyHeaderName { header } => {
                out.push_str("header ");
                push_usize(out, *header);
                out.push_str(" has an empty name");
            }
            EncodeError::ContentLengthMismatch { header, body } => {
                out.push_str("content-length header says ");
                push_usize(out, *header);
                out.push_str(" but the body has ");
                push_usize(out, *body);
                out.push_str(" bytes");
            }
            EncodeError::InvalidContentLength => {
                out.push_str("content-length header is not a decimal byte count")
            }
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.describe_into(&mut text);
        f.write_str(&text)
    }
}

impl core::error::Error for DecodeError {}
impl core::error::Error for EncodeError {}
