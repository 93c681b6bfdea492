//! The group's wire form, as stomp.py's `MulticastConnection` speaks it: one frame per
//! datagram, SEND frames from publishers, RECEIPT frames from the members that delivered a
//! SEND with `receipt`.
//!
//! stomp.py writes header values as they are (no escaping, so `a:b` travels as `a:b`) and
//! reads them with the STOMP 1.2 escapes undone where they are known (`\\`, `\n`, `\r`, `\c`)
//! and other backslashes kept. This module reads datagrams the same way, so every member of a
//! group, stomp.py or stompwire, sees the same value, and writes with the 1.2 escapes, which
//! that reading turns back into exactly the value given.

use std::prelude::rust_2024::*;

use crate::frame::{
    Command, DecodeError, Decoder, EncodeError, Frame, Headers, Item, Limits, Version, encode,
};

/// Encodes `frame` as one datagram (STOMP 1.2 escapes, `content-length` for a non-empty body).
pub(crate) fn write(frame: &Frame) -> Result<Vec<u8>, EncodeError> {
    let mut datagram = Vec::new();
    encode(frame, Version::V1_2, &mut datagram)?;
    Ok(datagram)
}

/// The RECEIPT a member sends to the group for a delivered frame with `receipt:id`.
pub(crate) fn receipt(id: &str) -> Result<Vec<u8>, EncodeError> {
    write(&Frame::new(Command::Receipt).with_header("receipt-id", id))
}

/// What ends a datagram's frames early: the rest of the datagram is not read.
#[derive(Debug)]
pub(crate) enum Unread {
    /// Bytes that are not a STOMP frame.
    Invalid(DecodeError),
    /// A frame cut off by the end of the datagram (nothing is joined across datagrams).
    Cut,
}

impl core::fmt::Display for Unread {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Unread::Invalid(e) => write!(f, "{e}"),
            Unread::Cut => f.write_str("the datagram ends inside a frame"),
        }
    }
}

/// The frames of one datagram, as a stomp.py member reads them, up to the first that does not
/// decode or is cut off by the end of the datagram (which is then named).
pub(crate) fn read(datagram: &[u8]) -> (Vec<Frame>, Option<Unread>) {
    let mut decoder = Decoder::new(Limits::default());
    // 1.0 takes header bytes as they are; the escapes are undone below, stomp.py's way.
    decoder.set_version(Version::V1_0);
    let mut frames = Vec::new();
    for item in decoder.feed(datagram) {
        match item {
            Ok(Item::Frame(frame)) => frames.push(unescape_headers(frame)),
            Ok(Item::Heartbeat) => {}
            Err(e) => return (frames, Some(Unread::Invalid(e))),
        }
    }
    let cut = decoder.in_frame().then_some(Unread::Cut);
    (frames, cut)
}

fn unescape_headers(frame: Frame) -> Frame {
    if !frame
        .headers
        .iter()
        .any(|(n, v)| n.contains('\\') || v.contains('\\'))
    {
        return frame;
    }
    let mut headers = Headers::with_capacity(frame.headers.len(), 64);
    for (name, value) in &frame.headers {
        headers.push(&unescape(name), &unescape(value));
    }
    Frame::from_parts(frame.command, headers, frame.body)
}

/// Undoes the known 1.2 escapes; a backslash before anything else stays, with what follows.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('c') => out.push(':'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::format;

    use super::*;

    fn one(datagram: &[u8]) -> Frame {
        let (mut frames, error) = read(datagram);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(frames.len(), 1);
        frames.remove(0)
    }

    #[test]
    fn values_are_read_as_stomp_py_reads_them() {
        let frame = one(
            b"SEND\ndestination:/topic/a:b\nx-path:C:\\temp\\new\nx-esc:a\\cb\\\\c\\rd\nx-end:e\\\n\n\0",
        );
        assert_eq!(frame.destination(), Some("/topic/a:b"));
        // `\t` is no escape and stays; `\n` is one.
        assert_eq!(frame.header("x-path"), Some("C:\\temp\new"));
        assert_eq!(frame.header("x-esc"), Some("a:b\\c\rd"));
        assert_eq!(frame.header("x-end"), Some("e\\"));
    }

    #[test]
    fn what_is_written_reads_back_exactly() {
        let values = [
            "a:b:c",
            "back\\slash",
            "line\nbreak",
            "cr\r",
            "\\c",
            "ünï ✓ 🚀",
        ];
        let mut frame = Frame::new(Command::Send).with_header("destination", "/topic/t");
        for (i, v) in values.iter().enumerate() {
            frame.headers.push(&format!("x-{i}"), v);
        }
        let back = one(&write(&frame.with_body("body")).unwrap());
        for (i, v) in values.iter().enumerate() {
            assert_eq!(back.header(&format!("x-{i}")), Some(*v));
        }
        assert_eq!(back.body(), b"body");
    }

    #[test]
    fn every_whole_frame_of_a_datagram_is_read_and_a_cut_one_is_not() {
        let (frames, error) =
            read(b"SEND\ndestination:/a\n\n1\0\nSEND\ndestination:/b\n\n2\0SEND\ndest");
        assert!(matches!(error, Some(Unread::Cut)), "{error:?}");
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].body(), b"2");
        let (frames, error) = read(b"SEND\ndestination:/a\n\n1\0BOGUS\n\n\0");
        assert_eq!(frames.len(), 1);
        assert!(matches!(error, Some(Unread::Invalid(_))), "{error:?}");
    }

    #[test]
    fn a_receipt_names_its_id() {
        let frame = one(&receipt("r:1").unwrap());
        assert_eq!(frame.command, Command::Receipt);
        assert_eq!(frame.receipt_id(), Some("r:1"));
    }
}
