//! The async client in the browser (wasm32): WebSocket connections (`web-sys`), timers
//! (`gloo-timers`), the clock `performance.now()`, and the driver spawned with
//! `wasm-bindgen-futures`. Only `ws://` and `wss://` endpoints can be opened here; TLS is the
//! browser's.

mod connection;

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::io;
use std::prelude::rust_2024::*;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;

use crate::frame::Version;
use crate::reconnect::{Endpoint, Scheme};

pub use connection::{BrowserConnection, Opening};

use super::transport::{OpenError, Runtime, Timer};
use super::{Config, Driver};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// The browser runtime of the async client.
#[derive(Clone, Debug)]
pub struct BrowserRuntime {
    subprotocols: Vec<&'static str>,
    open_timeout_ms: u32,
    /// Bytes a socket holds while the driver is not reading.
    receive_limit: usize,
}

impl BrowserRuntime {
    /// The runtime for `config` (its WebSocket subprotocols come from the versions offered).
    pub fn new(config: &Config) -> BrowserRuntime {
        let mut versions: Vec<Version> = config.session.versions.clone();
        versions.sort();
        versions.dedup();
        BrowserRuntime {
            subprotocols: versions
                .iter()
                .rev()
                .map(|v| match v {
                    Version::V1_0 => "v10.stomp",
                    Version::V1_1 => "v11.stomp",
                    _ => "v12.stomp",
                })
                .collect(),
            open_timeout_ms: u32::try_from(config.open_timeout_ms).unwrap_or(u32::MAX),
            receive_limit: config
                .receive_buffer
                .max(config.session.limits.max_frame_size),
        }
    }
}

/// The browser timer.
#[derive(Debug, Default)]
pub struct BrowserTimer {
    sleep: Option<(u64, TimeoutFuture)>,
}

impl Timer for BrowserTimer {
    fn poll_until(&mut self, cx: &mut Context<'_>, deadline_ms: u64) -> Poll<()> {
        if self.sleep.as_ref().is_none_or(|(at, _)| *at != deadline_ms) {
            let wait = deadline_ms.saturating_sub(BrowserRuntime::now_ms());
            // setTimeout takes a signed 32-bit delay: a longer wait is made of several.
            let wait = u32::try_from(wait.min(i32::MAX as u64)).unwrap_or(0);
            self.sleep = Some((deadline_ms, TimeoutFuture::new(wait)));
        }
        let (_, sleep) = self.sleep.as_mut().expect("armed");
        if Pin::new(sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        // A fired timeout is never polled again; when it was one part of a longer wait, the
        // next poll arms the next part.
        self.sleep = None;
        if BrowserRuntime::now_ms() < deadline_ms {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(())
    }
}

impl Runtime for BrowserRuntime {
    type Connection = BrowserConnection;
    type Open = Opening;
    type Timer = BrowserTimer;

    fn open(&self, endpoint: &Endpoint) -> Opening {
        if !matches!(endpoint.scheme, Scheme::Ws | Scheme::Wss) {
            return Opening::failed(OpenError::unreachable(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "{}:// endpoints cannot be opened in a browser (WebSocket only)",
                    endpoint.scheme.as_str()
                ),
            )));
        }
        let url = format!(
            "{}://{}{}",
            endpoint.scheme.as_str(),
            endpoint.authority(),
            if endpoint.path.is_empty() {
                "/"
            } else {
                &endpoint.path
            }
        );
        Opening::start(
            &url,
            &self.subprotocols,
            self.open_timeout_ms,
            self.receive_limit,
        )
    }

    fn timer(&self) -> BrowserTimer {
        BrowserTimer::default()
    }

    fn now_ms() -> u64 {
        performance_now() as u64
    }

    fn random(&self) -> u32 {
        (js_sys::Math::random() * 4_294_967_296.0) as u32
    }

    fn spawn(driver: Driver<BrowserRuntime>) {
        wasm_bindgen_futures::spawn_local(driver);
    }
}
