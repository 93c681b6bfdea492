//! # stompwire
//!
//! A STOMP 1.0/1.1/1.2 client. One core — a frame codec ([`frame`]), a sans-I/O protocol state
//! machine ([`session`]) and a reconnect policy ([`reconnect`]) — does no I/O and needs no
//! `std`; shells for the browser (wasm) and for native programs drive it.
//!
//! The layers, bottom up (each depends only on those below it):
//!
//! | module | owns |
//! |---|---|
//! | [`frame`] | [`frame::Frame`], the incremental [`frame::Decoder`], [`frame::encode`], escaping, limits |
//! | [`session`] | the STOMP session state machine: bytes and time in; bytes, events and deadlines out |
//! | [`reconnect`] | backoff policy, host lists and `failover:(…)` URIs |
//!
//! ```
//! use stompwire::frame::{Decoder, Item, Limits};
//!
//! let mut decoder = Decoder::new(Limits::default());
//! let mut frames = Vec::new();
//! for item in decoder.feed(b"MESSAGE\ndestination:/queue/a\n\nhello\0\n") {
//!     if let Item::Frame(frame) = item.unwrap() {
//!         frames.push(frame);
//!     }
//! }
//! assert_eq!(frames[0].destination(), Some("/queue/a"));
//! assert_eq!(frames[0].body(), b"hello");
//! ```
// The core (frame, session, reconnect) uses only `core` and `alloc`; building with
// `--no-default-features` for a target without `std` proves it. The shells need `std`.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod frame;
pub mod reconnect;
pub mod session;

#[cfg(target_arch = "wasm32")]
pub mod browser;
/// The browser shell's connection lifecycle holds no JavaScript: it is built on the host as
/// well, for its in-memory tests.
#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "browser/lifecycle.rs"]
mod browser_lifecycle;
#[cfg(feature = "client")]
pub mod client;
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub mod native;
#[cfg(all(
    any(feature = "native", feature = "tokio"),
    not(target_arch = "wasm32")
))]
pub mod net;

/// The README's examples, compiled and run as doc tests.
#[cfg(all(doctest, feature = "native", feature = "tokio"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
