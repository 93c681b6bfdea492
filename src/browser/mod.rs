//! The browser shell: the core as the npm package's JavaScript layer drives it ([`Core`]), and
//! the `Client` class of the `--target web` build (feature `web-client`). Both drive the same
//! lifecycle (`lifecycle.rs`) — the sans-I/O [`Session`](crate::session::Session) and the
//! reconnect [`Supervisor`](crate::reconnect::Supervisor) — and read their settings through the
//! same `settings.rs`; neither holds a second copy of a protocol or lifecycle rule.
//!
//! **The npm package** (`pkg-template/src/`): its WebAssembly is this crate built without
//! `web-client`: [`Core`] (codec, session, supervisor) and [`FrameParser`] (the decoder of the
//! compatibility `Parser`), with no web-sys and no js-sys: both answer with byte arrays of
//! records, and build no JavaScript object. The JavaScript layer owns the WebSocket (or the `webSocketFactory`'s socket), the
//! timers (page or Worker), the callbacks, the promises and the option objects, and carries out
//! the steps the core returns. One crossing per WebSocket message: the bytes go in, one byte
//! array of records comes out (`packed.rs`: the messages to write, the events with their frames,
//! the next step, the next deadline); headers and body are decoded in JavaScript when first read.
//!
//! **The `--target web` build** ([`Client`], feature `web-client`, on by default): Rust owns
//! everything that moves — the WebSocket (`binaryType = "arraybuffer"`; text and binary messages
//! accepted; frames sent as text when they are UTF-8, else as binary), the timers, the
//! callbacks — through web-sys; the demo (`www/`) and the wasm-bindgen tests use it.
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
//! Beyond stompjs (both shells): promise forms (`whenConnected`, `publishWithReceipt`,
//! `subscribeWithReceipt`, `waitForReceipt`), several brokers (`brokerURLs`) with jittered
//! backoff and a cap on attempts, optional subscription replay after a reconnect, codec limits
//! (`limits`) against a hostile broker, and a Worker-driven clock (`heartbeatStrategy:
//! TickerStrategy.Worker`) that keeps heart-beats going both ways in a background tab.
//!
//! Several brokers are given as `brokerURLs: [...]`; the ActiveMQ `failover:(…)?…` form of
//! [`FailoverUri`](crate::reconnect::FailoverUri) is not read here: its parser (URL grammar,
//! number parsing, error texts) adds about 22 KB gzip to the package, a third of its budget.
//!
//! ## Decisions
//!
//! - The npm package ships the core alone (measured with twiggy, gzip -9 of the minimal app:
//!   63.6 KiB with the web-sys engine, 49.6 KiB with the core and the JavaScript layer). What is
//!   only API surface or I/O is JavaScript; what decides is Rust.
//! - The npm core is built on the pinned nightly with std rebuilt for it (`-Zbuild-std`,
//!   `panic=immediate-abort`, no source locations: no panic messages or formatting machinery),
//!   has six exports (calls by number behind three of them), and neither of its classes builds
//!   a JavaScript object (was 51.7 KiB for the minimal app). 42.8 KiB (43,836 B) once the
//!   layer instantiated the core itself with the glue's imports (the glue's fetch/streaming
//!   loader is not shipped; `scripts/build-pkg.sh` reshapes the glue, checked), its own
//!   properties were mangled, and the core was trimmed (receipts in a `Vec`, smaller record
//!   writes, strings cut without the `char` searcher, `wasm-opt --low-memory-unused`): 45.2 KiB
//!   before.
//! - The core is inlined as an LZMA stream, unpacked by the layer's own decoder (`lzma.js`,
//!   about 1 KB of gzip) and compiled synchronously where the platform allows (everywhere but
//!   the main thread of Chromium before 114), its bytes first in the bundle (so that gzip
//!   reads the layer's code in one stretch: 784 B less): 39.6 KiB (40,532 B) for the minimal
//!   app, about 30 KiB of it the core, against 43,966 B with a zopfli zlib stream and
//!   `DecompressionStream`. The price is unpacking at import: about 12–15 ms of CPU once in
//!   Node 20 here (the import ready about 10 ms later in headless Chromium), where inflating
//!   took under 1 ms.
//! - No serde, no `gloo-timers` in the package: settings cross as a `Float64Array` of numbers
//!   and strings, headers as one NUL-separated string (a NUL in a header is a `TypeError`),
//!   events as records; timers are the layer's `setTimeout` or Worker. (`serde-wasm-bindgen`
//!   measured +19–23 KB gzip for header maps and config; `gloo-timers` +0.4 KB.)
//! - A call made from inside a callback only writes; the pump that called the callback carries
//!   out the rest, in order. After each step other than an event the layer asks the core what
//!   comes next ([`Core::poll`]), so each step is decided with what the previous one changed.
//! - Options and their defaults live once per shell: in the package's JavaScript layer (the
//!   core receives numbers when it needs them: at `activate` and at each socket), in
//!   `options.rs` for the web build. Reconnect settings are read at `activate`; the session's
//!   when each socket is made (after `beforeConnect`, which may change them, and may set the
//!   broker: the package's `activate()` needs none yet).
//! - A `beforeConnect` that throws or rejects fails that attempt (reported through `debug`; the
//!   reconnect policy decides what comes next), as stompjs does not connect then either.
//! - A received frame's `binaryBody` is a view of the record array the core returned (the
//!   layer's own copy, one range per frame), not a second copy.
//! - An inactive package client holds nothing global: it is garbage-collected, and the
//!   wasm-bindgen finaliser frees its core. An active one is held by its socket and timer.
//! - An exception thrown by a user callback is reported with `console.error` and does not stop
//!   the client.
//! - When the reconnect policy gives up (`reconnectDelay: 0` after a lost connection, or
//!   `maxReconnectAttempts` used up) the client goes `INACTIVE`, where stompjs stays `ACTIVE`
//!   without trying: `active` then says whether anything more will happen.
//! - Subscription replay is off by default (`replaySubscriptions`): stompjs applications
//!   subscribe again in `onConnect`, and replaying as well would subscribe twice.
//! - Web build only: state lives in `RefCell`s behind an `Rc`, no borrow held while a user
//!   callback runs; the `StompConfig` properties of `Client` are accessors that the first
//!   `new Client()` defines on `Client.prototype` over two exports (`__option`, `__setOption`);
//!   `activate()` throws when no broker is configured.

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
mod web;

#[cfg(feature = "web-client")]
pub use web::{
    ActivationState, Client, FrameImpl, ReconnectionTimeMode, StompSocketState, StompSubscription,
    TickerStrategy, Transaction, Versions,
};

/// talc in place of the standard allocator (dlmalloc): smaller code, same behaviour. The
/// page is single-threaded (no `atomics` target feature), which talc's wasm allocator needs.
#[cfg(all(feature = "small-alloc", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
