//! The encoder: a frame → wire bytes, into a caller-owned buffer.

use alloc::vec::Vec;

use super::escape::{Escaping, escape_into};
use super::frame::parse_content_length;
use super::{EncodeError, Frame, Version};

/// Whether [`encode_with`] adds a `content-length` header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentLength {
    /// Add one for every non-empty body that has none (the default).
    #[default]
    Auto,
    /// Add none, unless the body holds a NUL (the frame could not be read back without one).
    /// Some brokers treat a SEND without `content-length` as a text message (ActiveMQ).
    Skip,
}

/// Appends `frame`, encoded for `version`, to `out`; adds `content-length` for a non-empty
/// body. See [`encode_with`].
///
/// ```
/// use stompwire::frame::{encode, Command, Frame, Version};
///
/// let frame = Frame::new(Command::Send)
///     .with_header("destination", "/queue/a:b")
///     .with_body("hi");
/// let mut out = Vec::new();
/// encode(&frame, Version::V1_2, &mut out).unwrap();
/// assert_eq!(out, b"SEND\ndestination:/queue/a\\cb\ncontent-length:2\n\nhi\0");
/// ```
pub fn encode(frame: &Frame, version: Version, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    encode_with(frame, version, ContentLength::Auto, out)
}

/// Appends `frame`, encoded for `version`, to `out`.
///
/// Headers are escaped as `version` requires (never for CONNECT, STOMP and CONNECTED). A name
/// or value the version cannot represent is an error, never a silently broken header line. A
/// `content-length` header given by the caller must match the body. On error `out` is left as
/// it was.
pub fn encode_with(
    frame: &Frame,
    version: Version,
    content_length: ContentLength,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let start = out.len();
    let result = write_frame(frame, version, content_length, out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

fn write_frame(
    frame: &Frame,
    version: Version,
    content_length: ContentLength,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let body = frame.body.as_slice();
    let escaping = Escaping::of(frame.command, version);
    // Room for everything unless escapes lengthen the headers: the command line, each header
    // as `name:value` and its LF, a content-length line, the blank line, the body and NUL.
    out.reserve(
        frame.command.as_str().len()
            + frame.headers.text_len()
            + frame.headers.len()
            + body.len()
            + 48,
    );
    out.extend_from_slice(frame.command.as_str().as_bytes());
    out.push(b'\n');
    let mut has_length = false;
    for (index, (name, value)) in frame.headers.iter().enumerate() {
        if name.is_empty() {
            return Err(EncodeError::EmptyHeaderName { header: index });
        }
        if name == "content-length" && !has_length {
            has_length = true;
            let n =
                parse_content_length(value.as_bytes()).ok_or(EncodeError::InvalidContentLength)?;
            if n != body.len() {
                return Err(EncodeError::ContentLengthMismatch {
                    header: n,
                    body: body.len(),
                });
            }
        }
        let bad = |in_name, byte| EncodeError::Unrepresentable {
            command: frame.command,
            header: index,
            in_name,
            byte,
        };
        // A NUL where a header line starts ends a frame without a body (see the decoder).
        if name.as_bytes()[0] == 0 {
            return Err(bad(true, 0));
        }
        escape_into(out, name, escaping, true).map_err(|b| bad(true, b))?;
        out.push(b':');
        escape_into(out, value, escaping, false).map_err(|b| bad(false, b))?;
        out.push(b'\n');
    }
    let needs_length = match content_length {
        ContentLength::Auto => !body.is_empty(),
        ContentLength::Skip => memchr::memchr(0, body).is_some(),
    };
    if needs_length && !has_length {
        out.extend_from_slice(b"content-length:");
        out.extend_from_slice(super::decimal(body.len() as u64, &mut [0; 20]).as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out.push(0);
    Ok(())
}

/// Appends a heart-beat (one LF) to `out`.
pub fn encode_heartbeat(out: &mut Vec<u8>) {
    out.push(b'\n');
}
