//! The native shell (feature `native`): transports, the blocking client, listeners.
//!
//! - [`Client`]: the blocking client — connect, send, subscribe, ack/nack, transactions,
//!   receipts (blocking or as futures), graceful disconnect. It is a blocking face of the
//!   [async client](crate::client)'s one driver, which its receiver thread runs on a tokio
//!   runtime of its own: the driver opens transports when the
//!   [`Supervisor`](crate::reconnect::Supervisor) says so, moves bytes and time into the
//!   [`Session`](crate::session::Session) and the supervisor, and carries out what they ask;
//!   this shell adds the stomp.py listeners, blocking receipts and iterators, and the ACK of
//!   a frame by the connection it came on.
//!   Heart-beats, receipts, refusals, replay and resends are the session's rules; which
//!   endpoint to try, when, and when to give up, the supervisor's.
//! - [`listener`]: the stomp.py callback set and the stock listeners.
//! - [`transport`]: TCP, TLS, WebSocket and UDP multicast.
//! - [`ConnectorRuntime`]: the async client's tokio runtime opening its connections with a
//!   [`Connector`](transport::Connector), the program's own transports adapted to the one
//!   driver (the blocking client uses it for any connector but the standard sockets).
//!
//! Debug logging goes through the `log` facade; frames are logged in their `Debug` form, which
//! shows `passcode` and other credentials as `***`.

mod client;
mod config;
mod connector_runtime;
mod delivered;
mod dispatch;
mod error;
mod inner;
pub mod listener;
mod messages;
mod parking;
mod receipt;
mod receipts;
mod runner;
pub mod transport;

pub use client::Client;
pub use config::{ClientConfig, Spawner};
pub use connector_runtime::{ConnectorRuntime, OpeningTransport, READ_AHEAD, TransportConnection};
pub use error::{Error, Report, Waited};
pub use messages::Messages;
pub use receipt::Receipt;
