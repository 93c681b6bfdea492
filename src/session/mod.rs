//! The STOMP session state machine, without I/O: bytes and time in; bytes, events and the
//! next deadline out (the style of `quinn-proto` and `str0m`).
//!
//! [`Session`] owns version negotiation, CONNECT/STOMP, heart-beat negotiation and deadlines,
//! the subscription registry (kept for replay after a reconnect), pending receipts, open
//! transactions, the ack/nack rules of each version, ERROR handling and graceful DISCONNECT.
//! It reads no clock: every call that needs the time takes `now` in milliseconds.
//!
//! A shell's run loop, in outline:
//!
//! ```no_run
//! # use stompwire::session::{Config, Event, Session};
//! # fn read_with_timeout(_: Option<u64>) -> Option<Vec<u8>> { None }
//! # fn write(_: &[u8]) {}
//! # fn close_transport() {}
//! # fn now() -> u64 { 0 }
//! let mut session = Session::new(Config::default());
//! session.connect(now()).unwrap();
//! loop {
//!     while let Some(bytes) = session.poll_transmit() {
//!         write(&bytes);
//!         session.recycle(bytes);
//!     }
//!     while let Some(event) = session.poll_event() {
//!         match event {
//!             Event::Message { frame, .. } => println!("{:?}", frame.body_str()),
//!             Event::Disconnected(_) => return,
//!             _ => {}
//!         }
//!     }
//!     if session.wants_close() {
//!         close_transport();
//!         session.handle_close(now());
//!         continue;
//!     }
//!     match read_with_timeout(session.poll_timeout()) {
//!         Some(bytes) => { let _ = session.handle_bytes(&bytes, now()); }
//!         None => session.handle_timeout(now()),
//!     }
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![warn(clippy::exhaustive_enums, clippy::exhaustive_structs)]

mod config;
mod error;
mod event;
mod heartbeat;
mod ids;
mod receipts;
#[allow(clippy::module_inception)]
mod session;
mod state;
mod subscriptions;

pub use config::{Config, HeartBeat};
pub use error::{RequiredHeader, SessionError};
pub use event::{
    CloseReason, Connected, Disconnected, Event, LostReason, NotResent, ReceiptOutcome,
};
pub use heartbeat::Negotiated;
pub use session::Session;
pub use state::State;
pub use subscriptions::{AckMode, SharedId, Subscription};
