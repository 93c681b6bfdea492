//! Errors of the codec: what went wrong decoding or encoding, with the data to act on it.

use core::fmt;

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

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::LimitExceeded { limit, max, actual } => {
                write!(f, "frame exceeds {} ({actual} > {max})", limit.field())
            }
            DecodeError::UnknownCommand(s) => write!(f, "unknown command {s:?}"),
            DecodeError::MissingColon { line } => {
                write!(f, "header line {line} has no ':'")
            }
            DecodeError::EmptyHeaderName { line } => {
                write!(f, "header line {line} has an empty name")
            }
            DecodeError::NonUtf8Header { line } => {
                write!(f, "header line {line} is not valid UTF-8")
            }
            DecodeError::InvalidEscape { line, escape } => match escape {
                Some(b) => write!(
                    f,
                    "header line {line} has an undefined escape \\{}",
                    char::from(*b).escape_default()
                ),
                None => write!(f, "header line {line} ends with a lone '\\'"),
            },
            DecodeError::InvalidContentLength => {
                f.write_str("content-length is not a decimal byte count")
            }
            DecodeError::MissingBlankLine => f.write_str(
                "a NUL ended the headers without a blank line, but content-length announces a body",
            ),
            DecodeError::MissingNul { found } => write!(
                f,
                "expected NUL after content-length body, found byte 0x{found:02x}"
            ),
            DecodeError::Poisoned => f.write_str("decoder already failed; input refused"),
        }
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

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Unrepresentable {
                command,
                header,
                in_name,
                byte,
            } => write!(
                f,
                "{command} header {header} {} holds byte 0x{byte:02x}, which cannot be written in this version",
                if *in_name { "name" } else { "value" }
            ),
            EncodeError::EmptyHeaderName { header } => {
                write!(f, "header {header} has an empty name")
            }
            EncodeError::ContentLengthMismatch { header, body } => write!(
                f,
                "content-length header says {header} but the body has {body} bytes"
            ),
            EncodeError::InvalidContentLength => {
                f.write_str("content-length header is not a decimal byte count")
            }
        }
    }
}

impl core::error::Error for DecodeError {}
impl core::error::Error for EncodeError {}
