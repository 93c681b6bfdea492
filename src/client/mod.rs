//! An async STOMP client: one API on any async runtime — tokio natively (feature `tokio`),
//! and a small [`Runtime`] interface for others.
//!
//! It is a thin adapter: the [`Session`](crate::session::Session) owns the protocol rules and
//! the [`Supervisor`](crate::reconnect::Supervisor) the connection lifecycle (when and where
//! to reconnect, when to give up); the [`Driver`] feeds them bytes and time and carries out
//! what they ask — every frame that is ready goes out in one write, reads take what the
//! socket has, and one timer is armed for the earliest of their deadlines. On plain TCP a
//! frame sent while the driver is idle is written by the call itself, on the caller's task
//! or thread ([`Connection::direct_writer`]); frames sent back to back are left to the
//! driver, which writes them together.
//!
//! - [`Client`]: connect from a [`Config`] (a URL or `failover:(…)`), `send`,
//!   `send_with_receipt` (a [`Receipt`] future), `subscribe` (a [`Subscription`] stream of
//!   [`Message`]s with `ack`/`nack`, UNSUBSCRIBE on drop), [`Transaction`]s (dropped =
//!   aborted), [`Events`] (connected, reconnecting with the delay, disconnected, errors) and a
//!   graceful [`shutdown`](Client::shutdown).
//! - Backpressure: each subscription buffers at most [`Config::subscription_buffer`]
//!   messages; a slow consumer is handled as [`SlowConsumer`] says; `send` waits while
//!   [`Config::write_buffer`] bytes are queued. Memory never grows with a slow peer.
//!
//! ```no_run
//! # async fn run() -> Result<(), stompwire::client::Error> {
//! use stompwire::client::{Client, Config, ConnectionEvent};
//! use stompwire::frame::Headers;
//!
//! let client = Client::connect(Config::from_url("tcp://127.0.0.1:61613")?.vhost("/")).await?;
//! client.send_with_receipt("/queue/orders", Headers::new(), "order 1").await?;
//! let tx = client.begin()?;
//! tx.send("/queue/orders", Headers::new(), "order 2").await?;
//! tx.commit().await?;
//! client.shutdown(std::time::Duration::from_secs(5)).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

#[allow(clippy::module_inception)]
mod client;
mod config;
mod driver;
mod error;
mod events;
mod receipt;
pub(crate) mod shared;
mod subscription;
pub(crate) mod tap;
mod transaction;
mod transport;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(all(feature = "tokio", not(target_arch = "wasm32")))]
pub mod tokio;

pub use client::Client;
pub use config::{Config, SlowConsumer};
pub use driver::Driver;
pub use error::{Error, GaveUp};
pub use events::{ConnectionEvent, Events};
pub use receipt::Receipt;
pub use subscription::{Message, Subscription};
pub use transaction::Transaction;
pub use transport::{Connection, DirectWrite, OpenError, Refused, Runtime, Timer};
