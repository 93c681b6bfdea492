//! The record format of what the core hands the package's JavaScript layer: one byte array
//! per call, read in order (`pkg-template/src/records.js` reads it).
//!
//! Numbers are little-endian: `u8`, `u32`, `f64`. A string is a `u32` byte length and its UTF-8
//! (`u32::MAX` and nothing else: none). A frame is its command (a string), the byte length of
//! its header block, the block — a `u32` count, then each name and value as strings — and its
//! body (a `u32` length and the bytes). The block's length lets the reader skip it and decode
//! the headers only when they are first read. A MESSAGE body of [`BY_REFERENCE`] bytes or more
//! is not copied into the array: its length has the top bit set and a `u32` follows — with the
//! next bit also set, the body's offset in the WebSocket message just fed (which ends with it);
//! else its address in WebAssembly memory, for the reader to copy out before its next call.
//!
//! The connection a MESSAGE came on is the number of CONNECTED records before it (in all the
//! core's answers): the reader counts them and gives that number back to `Core::ack`.
//!
//! | tag | record | fields |
//! |---|---|---|
//! | 1 | write a text message | `u32` length, bytes (UTF-8) |
//! | 2 | write a binary message | `u32` length, bytes |
//! | 3 | a debug line | string |
//! | 4 | the call's value | string |
//! | 5 | the call failed | `u8` 1 for a `TypeError`, 2 for a `StaleMessageError` (else `Error`), message |
//! | 6 | the end: the next deadline, and whether the session is open | `f64` ms (`-1`: none), `u8` 1 when open |
//! | 10 | CONNECTED | version, frame |
//! | 11 | MESSAGE | subscription id?, id to acknowledge?, its subscription?, frame |
//! | 12 | RECEIPT | receipt id, frame |
//! | 13 | a receipt that will not come | `u8` kind ([`Lost`]), id, then a frame (kind 1) or a message (kind 3) |
//! | 14 | ERROR | frame |
//! | 15 | heart-beat received | |
//! | 16 | heart-beats lost | `f64` ms of silence |
//! | 17 | the session ended | `u8` refused + its ERROR frame, `u8` receipt + DISCONNECT's RECEIPT, `u32` n and n subscription ids still kept |
//! | 18 | the broker broke the protocol | message, command? (a frame sent at the wrong time) |
//! | 20 | open a socket | `u32` broker list entry |
//! | 21 | close the socket | `u8` 1 for a timeout (else the session is over), `u8` heart-beats stopped |
//! | 22 | a reconnect is scheduled | `f64` ms |
//! | 23 | no more attempts | `u32` attempts made |
//!
//! The compatibility `Parser`'s decoder (`parser.rs`) answers each chunk with records too:
//!
//! | tag | record | fields |
//! |---|---|---|
//! | 30 | a frame | command, header block (as in a frame), body (`u32` length, bytes) |
//! | 31 | a heart-beat | |
//! | 32 | the stream is malformed (the last record; further input is refused) | message |

use alloc::vec::Vec;

use crate::frame::{Frame, Headers};

/// Record tags.
pub(crate) mod tag {
    pub(crate) const WRITE_TEXT: u8 = 1;
    pub(crate) const WRITE_BINARY: u8 = 2;
    pub(crate) const DEBUG: u8 = 3;
    pub(crate) const VALUE: u8 = 4;
    pub(crate) const THROW: u8 = 5;
    pub(crate) const DEADLINE: u8 = 6;
    pub(crate) const CONNECTED: u8 = 10;
    pub(crate) const MESSAGE: u8 = 11;
    pub(crate) const RECEIPT: u8 = 12;
    pub(crate) const RECEIPT_FAILED: u8 = 13;
    pub(crate) const ERROR: u8 = 14;
    pub(crate) const HEARTBEAT: u8 = 15;
    pub(crate) const HEARTBEAT_LOST: u8 = 16;
    pub(crate) const DISCONNECTED: u8 = 17;
    pub(crate) const PROTOCOL_ERROR: u8 = 18;
    pub(crate) const OPEN: u8 = 20;
    pub(crate) const CLOSE: u8 = 21;
    pub(crate) const SCHEDULED: u8 = 22;
    pub(crate) const GAVE_UP: u8 = 23;
    pub(crate) const PARSED_FRAME: u8 = 30;
    pub(crate) const PARSED_HEARTBEAT: u8 = 31;
    pub(crate) const PARSE_ERROR: u8 = 32;
}

/// Why a receipt will not come (record 13).
#[derive(Clone, Copy)]
#[repr(u8)]
pub(crate) enum Lost {
    /// Its deadline passed.
    TimedOut = 0,
    /// The broker answered with ERROR (the frame follows).
    Error = 1,
    /// The client stopped.
    ShutDown = 2,
    /// The frame to send again could not be encoded (the message follows).
    Unencodable = 3,
    /// The connection closed first.
    Closed = 4,
}

/// A byte array of records being written.
#[derive(Default)]
pub(crate) struct Out {
    bytes: Vec<u8>,
}

impl Out {
    /// Takes what was written, leaving the array empty.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.bytes)
    }

    /// A tag. (Not inlined, nor is `byte`: a call is smaller than a push at every record.)
    #[inline(never)]
    pub(crate) fn tag(&mut self, tag: u8) -> &mut Out {
        self.bytes.push(tag);
        self
    }

    /// A `u8`.
    #[inline(never)]
    pub(crate) fn byte(&mut self, b: u8) -> &mut Out {
        self.bytes.push(b);
        self
    }

    /// A `u32`.
    pub(crate) fn u32(&mut self, n: u32) -> &mut Out {
        self.bytes.extend_from_slice(&n.to_le_bytes());
        self
    }

    /// An `f64`.
    pub(crate) fn f64(&mut self, n: f64) -> &mut Out {
        self.bytes.extend_from_slice(&n.to_le_bytes());
        self
    }

    /// Bytes with their `u32` length.
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Out {
        self.u32(len(b.len()));
        self.bytes.extend_from_slice(b);
        self
    }

    /// A string.
    pub(crate) fn str(&mut self, s: &str) -> &mut Out {
        self.bytes(s.as_bytes())
    }

    /// A string or none.
    pub(crate) fn opt(&mut self, s: Option<&str>) -> &mut Out {
        match s {
            Some(s) => self.str(s),
            None => self.u32(u32::MAX),
        }
    }

    /// A frame: command, header block (with its length), body.
    pub(crate) fn frame(&mut self, frame: &Frame) -> &mut Out {
        self.head(frame);
        self.bytes(&frame.body)
    }

    /// A frame whose body, when it is at least [`BY_REFERENCE`] bytes, is not copied in: its
    /// length with the top bit set, then where it is — with the next bit set, its offset in
    /// `input` (the WebSocket message the reader fed, when that message ends with this body
    /// and its NUL: the reader makes a view of its own bytes, no copy at all); else its address
    /// in WebAssembly memory, for the reader to copy out before its next call (the caller then
    /// keeps `frame` alive until that call). Returns whether the caller must keep `frame`.
    pub(crate) fn frame_by_reference(&mut self, frame: &Frame, input: &[u8]) -> bool {
        self.head(frame);
        let body = &frame.body;
        if body.len() < BY_REFERENCE {
            self.bytes(body);
            return false;
        }
        // After the body: its NUL, then any EOLs.
        let mut end = input.len();
        while end > 0 && matches!(input[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        if end > 0 && input[end - 1] == 0 {
            end -= 1;
            if let Some(start) = end.checked_sub(body.len()) {
                if input.get(start..end).is_some_and(|place| same(place, body)) {
                    self.u32(len(body.len()) | 0xC000_0000).u32(len(start));
                    return false;
                }
            }
        }
        // A pointer on wasm32 fits in a u32.
        let at = u32::try_from(body.as_ptr() as usize).unwrap_or(0);
        self.u32(len(body.len()) | 0x8000_0000).u32(at);
        true
    }

    /// A frame whose body the session never read: `n` bytes at `at` in the WebSocket message
    /// (a body by reference, as [`frame_by_reference`](Self::frame_by_reference) gives one).
    pub(crate) fn frame_at(&mut self, frame: &Frame, at: u32, n: u32) {
        self.head(frame);
        self.u32(n | 0xC000_0000).u32(at);
    }

    fn head(&mut self, frame: &Frame) {
        self.str(frame.command.as_str());
        self.headers(&frame.headers);
    }

    /// A header block: its byte length, a `u32` count, then each name and value.
    pub(crate) fn headers(&mut self, headers: &Headers) -> &mut Out {
        let at = self.bytes.len();
        self.u32(0);
        self.u32(len(headers.len()));
        for (name, value) in headers.iter() {
            self.str(name);
            self.str(value);
        }
        let block = len(self.bytes.len() - at - 4);
        self.bytes[at..at + 4].copy_from_slice(&block.to_le_bytes());
        self
    }
}

/// The body size from which a MESSAGE's body is handed over by reference (one copy, made by the
/// reader, instead of two).
pub(crate) const BY_REFERENCE: usize = 8 * 1024;

/// Whether `a` and `b` hold the same bytes, eight at a time (the byte loop slice equality
/// compiles to on wasm32 takes half a millisecond for 1 MiB).
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (x, y) = (a.chunks_exact(8), b.chunks_exact(8));
    let tails = x.remainder() == y.remainder();
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
    tails && x.zip(y).all(|(p, q)| word(p) == word(q))
}

/// A length as `u32` (wasm32 lengths always fit).
fn len(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
