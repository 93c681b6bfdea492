//! The `Client` class of the `--target web` build (feature `web-client`): the web-sys shell.
//! It drives the same [`Lifecycle`](super::lifecycle) as the npm package's core, from Rust:
//! the WebSocket, the timers, the callbacks and the promises are its own.

mod activation;
mod calls;
mod client;
mod connecting;
mod dispatch;
mod engine;
mod enums;
mod globals;
mod headers;
mod message;
mod options;
mod params;
mod receipts;
mod subscription;
mod ticker;
mod transaction;
mod transport;
mod typescript;
mod waiters;

pub use client::Client;
pub use enums::{
    ActivationState, ReconnectionTimeMode, StompSocketState, TickerStrategy, Versions,
};
pub use message::FrameImpl;
pub use subscription::StompSubscription;
pub use transaction::Transaction;
