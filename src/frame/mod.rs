//! The STOMP frame codec: the frame model, an incremental decoder and an encoder.
//!
//! This layer knows bytes and frames, nothing of sessions. It is `no_std` + `alloc` and has no
//! `unsafe` code.
//!
//! - [`Frame`]: a [`Command`], [`Headers`] in wire order (repeats allowed; a lookup returns the
//!   first occurrence, as the specification says) and a body of bytes.
//! - [`Decoder`]: push bytes in arbitrary chunks, get [`Item`]s out — frames and heart-beats.
//!   Every split of a stream yields the same items.
//! - [`encode`] / [`encode_with`]: write a frame into a caller-owned, reusable buffer.
//! - [`Version`]: which escaping rules apply (1.0 none; 1.1 `\n \c \\`; 1.2 adds `\r`;
//!   CONNECT, STOMP and CONNECTED are never escaped).
//! - [`Limits`]: every bound on hostile input, with safe defaults, in one place.
//! - [`AnyCommandDecoder`]: the decoder for tools that read any command word (stompjs's
//!   `Parser` does); sessions never use it.
//!
//! ## Decisions
//!
//! - Line ends: LF, or CRLF (the 1.2 form), are accepted in every version. The encoder writes
//!   LF. A CR in a header is representable only in 1.2 (as `\r`); the encoder refuses it
//!   elsewhere, so what it writes always decodes to what it was given.
//! - After a frame's NUL one EOL is part of the frame (RabbitMQ writes `\0\n`); further EOLs are
//!   heart-beats.
//! - The specification exempts CONNECT and CONNECTED from escaping; STOMP is CONNECT under
//!   another name and is exempt too.
//! - Header names and values are UTF-8 (a line that is not is an error naming it); bodies are
//!   octets.
//! - A header value may contain `:` (brokers put them in message ids); the name ends at the
//!   first `:`.
//! - A NUL where a header line would start ends a frame without a body, when no
//!   `content-length` announces one. The grammar wants a blank line first, but the
//!   specification's own DISCONNECT and RECEIPT examples omit it. The encoder therefore refuses
//!   a header name that starts with NUL.
//! - Limits are checked as bytes arrive and reported at the first byte beyond them, so a bad
//!   stream fails with the same error at the same place however it is split, and no buffer
//!   outgrows its limit.
//! - A frame's escaping is fixed when its command line is read: [`Decoder::set_version`] applies
//!   from the next frame on.
//! - A decoding error is fatal for the stream: framing is lost, so the decoder refuses further
//!   input. Items decoded before the error have already been handed out.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![warn(clippy::exhaustive_enums, clippy::exhaustive_structs)]

mod any_command;
mod command;
mod decimal;
mod decoder;
pub(crate) mod describe;
mod encoder;
mod error;
mod escape;
#[allow(clippy::module_inception)]
mod frame;
mod headers;
mod limits;
pub(crate) mod scan;
mod snippet;
mod version;

pub use any_command::{AnyCommandDecoder, AnyFrame, AnyItem};
pub use command::Command;
pub use decimal::decimal;
pub use decoder::{Decoded, Decoder, Feed, Item};
pub use encoder::{ContentLength, encode, encode_heartbeat, encode_with};
pub use error::{DecodeError, EncodeError, Limit};
pub use frame::Frame;
pub use headers::{Headers, Iter as HeadersIter, is_secret_header};
pub use limits::Limits;
pub use snippet::Snippet;
pub use version::Version;
