//! The native shell (feature `native`): transports, the threaded driver, listeners.
//!
//! - [`Client`]: the blocking client — connect, send, subscribe, ack/nack, transactions,
//!   receipts (blocking or as futures), graceful disconnect — with a receiver thread that
//!   adapts the core to the world: it opens transports when the
//!   [`Supervisor`](crate::reconnect::Supervisor) says so, moves bytes and time into the
//!   [`Session`](crate::session::Session) and the supervisor, and carries out what they ask.
//!   Heart-beats, receipts, refusals, replay and resends are the session's rules; which
//!   endpoint to try, when, and when to give up, the supervisor's.
//! - [`listener`]: the stomp.py callback set and the stock listeners.
//! - [`transport`]: TCP, TLS, WebSocket and UDP multicast.
//! - `ConnectorRuntime` (with the `tokio` feature): the async client's tokio runtime opening
//!   its connections with a [`Connector`](transport::Connector), the program's own transports
//!   adapted to the async driver.
//!
//! Debug logging goes through the `log` facade; frames are logged in their `Debug` form, which
//! shows `passcode` and other credentials as `***`.

mod client;
mod config;
#[cfg(feature = "tokio")]
mod connector_runtime;
mod delivered;
mod driver;
mod error;
pub mod listener;
mod messages;
mod outgoing;
mod receipt;
mod shared;
pub mod transport;

pub use client::Client;
pub use config::{ClientConfig, Spawner};
#[cfg(feature = "tokio")]
pub use connector_runtime::{ConnectorRuntime, OpeningTransport, READ_AHEAD, TransportConnection};
pub use error::{Error, Report, Waited};
pub use messages::Messages;
pub use receipt::Receipt;
