//! The native shell (feature `native`): transports, the threaded driver, listeners.
//!
//! - [`Client`]: the blocking client — connect, send, subscribe, ack/nack, transactions,
//!   receipts (blocking or as futures), graceful disconnect — with a receiver thread that runs
//!   heart-beats and reconnects by the [`reconnect`](crate::reconnect) policy, replaying
//!   subscriptions.
//! - [`listener`]: the stomp.py callback set and the stock listeners.
//! - [`transport`]: TCP, TLS, WebSocket and UDP multicast.
//!
//! Debug logging goes through the `log` facade; frames are logged in their `Debug` form, which
//! shows `passcode` and other credentials as `***`.

mod client;
mod config;
mod driver;
mod error;
pub mod listener;
mod messages;
mod receipt;
pub mod transport;

pub use client::Client;
pub use config::{ClientConfig, Spawner};
pub use error::Error;
pub use messages::Messages;
pub use receipt::Receipt;
