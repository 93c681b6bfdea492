//! The browser shell: a `Client` class for JavaScript, shaped like `@stomp/stompjs`'s, driving
//! the sans-I/O [`Session`](crate::session::Session) over a `WebSocket`.
//!
//! Rust owns everything that moves: the WebSocket (`binaryType = "arraybuffer"`; text and
//! binary messages accepted; frames sent as text when they are UTF-8, else as binary), the
//! timers (one deadline at a time, on the page's `setTimeout` or in a Worker), the reconnect
//! supervisor ([`reconnect::Supervisor`](crate::reconnect::Supervisor)) and the session.
//! JavaScript sees classes: [`Client`], [`FrameImpl`] (frames and messages), [`StompSubscription`],
//! [`Transaction`], [`Versions`] and the enums of stompjs.
//!
//! ```js
//! import { Client } from "stompwire";
//!
//! const client = new Client({
//!   brokerURL: "ws://localhost:15674/ws",
//!   connectHeaders: { login: "guest", passcode: "guest", host: "/" },
//!   onConnect: () => {
//!     client.subscribe("/queue/demo", (message) => console.log(message.body));
//!     client.publish({ destination: "/queue/demo", body: "hello" });
//!   },
//! });
//! client.activate();
//! ```
//!
//! Beyond stompjs: promise forms ([`Client::when_connected`], [`Client::publish_with_receipt`],
//! [`Client::subscribe_with_receipt`], [`Client::wait_for_receipt`]), several brokers
//! (`brokerURLs`) with jittered backoff and a cap on attempts, optional
//! subscription replay after a reconnect, codec limits (`limits`) against a hostile broker, and a
//! Worker-driven clock (`heartbeatStrategy: TickerStrategy.Worker`) that keeps heart-beats going
//! both ways in a background tab.
//!
//! Several brokers are given as `brokerURLs: [...]`; the ActiveMQ `failover:(…)?…` form of
//! [`FailoverUri`](crate::reconnect::FailoverUri) is not read here: its parser (URL grammar,
//! number parsing, error texts) adds about 22 KB gzip to the package, a third of its budget.
//!
//! ## Decisions
//!
//! - Single-threaded: state lives in `RefCell`s behind an `Rc`; no borrow is held while a user
//!   callback runs, so callbacks may call back into the client. Events that arrive while a
//!   callback runs are delivered after it returns, in order.
//! - Callbacks and options are properties read when they are needed: reassigning
//!   `client.onConnect` after construction takes effect at the next connection, as in stompjs.
//!   Transport settings (`splitLargeFrames`, `forceBinaryWSFrames`…) apply from the next
//!   connection, as in stompjs.
//! - An active client keeps itself alive (its socket and timers hold it) even when the page drops
//!   every reference to it; it lets go once `INACTIVE`.
//! - The `StompConfig` properties of `Client` are accessors that the first `new Client()`
//!   defines on `Client.prototype`, over two exports (`__option`, `__setOption`): a getter and
//!   a setter export per property cost about 2 KB gzip of wasm and glue. Rust callers keep
//!   the named getters and setters.
//! - No serde: headers cross the boundary as plain objects built with `Reflect`. A message's
//!   `headers`, `body` and `binaryBody` are built on first access, once.
//! - An exception thrown by a user callback is reported with `console.error` and does not stop
//!   the client.
//! - When the reconnect policy gives up (`reconnectDelay: 0` after a lost connection, or
//!   `maxReconnectAttempts` used up) the client goes `INACTIVE`, where stompjs stays `ACTIVE`
//!   without trying: `active` then says whether anything more will happen.
//! - Subscription replay is off by default (`replaySubscriptions`): stompjs applications
//!   subscribe again in `onConnect`, and replaying as well would subscribe twice.

// The core the npm package's JavaScript layer drives: the lifecycle behind a narrow
// interface, the record format of its answers, the settings both shells read, and the
// compatibility `Parser`'s decoder.
mod core_api;
mod error;
mod lifecycle;
mod log;
mod packed;
mod parser;
mod settings;

pub use core_api::Core;
pub use parser::FrameParser;

// The `Client` class of the `--target web` build (feature `web-client`): the same lifecycle,
// driven from Rust over web-sys.
#[cfg(feature = "web-client")]
mod activation;
#[cfg(feature = "web-client")]
mod calls;
#[cfg(feature = "web-client")]
mod client;
#[cfg(feature = "web-client")]
mod connecting;
#[cfg(feature = "web-client")]
mod dispatch;
#[cfg(feature = "web-client")]
mod engine;
#[cfg(feature = "web-client")]
mod enums;
#[cfg(feature = "web-client")]
mod globals;
#[cfg(feature = "web-client")]
mod headers;
#[cfg(feature = "web-client")]
mod message;
#[cfg(feature = "web-client")]
mod options;
#[cfg(feature = "web-client")]
mod params;
#[cfg(feature = "web-client")]
mod receipts;
#[cfg(feature = "web-client")]
mod subscription;
#[cfg(feature = "web-client")]
mod ticker;
#[cfg(feature = "web-client")]
mod transaction;
#[cfg(feature = "web-client")]
mod transport;
#[cfg(feature = "web-client")]
mod typescript;
#[cfg(feature = "web-client")]
mod waiters;

#[cfg(feature = "web-client")]
pub use client::Client;
#[cfg(feature = "web-client")]
pub use enums::{
    ActivationState, ReconnectionTimeMode, StompSocketState, TickerStrategy, Versions,
};
#[cfg(feature = "web-client")]
pub use message::FrameImpl;
#[cfg(feature = "web-client")]
pub use subscription::StompSubscription;
#[cfg(feature = "web-client")]
pub use transaction::Transaction;

/// talc in place of the standard allocator (dlmalloc): smaller code, same behaviour. The
/// page is single-threaded (no `atomics` target feature), which talc's wasm allocator needs.
#[cfg(all(feature = "small-alloc", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
