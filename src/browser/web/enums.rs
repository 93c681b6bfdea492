//! The enums and constants of stompjs, with stompjs's values: [`ActivationState`],
//! [`StompSocketState`], [`ReconnectionTimeMode`], [`TickerStrategy`] and [`Versions`].

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::frame::Version;

/// Whether a client is active: connected or trying to be (`ACTIVE`), closing down
/// (`DEACTIVATING`), or idle (`INACTIVE`). stompjs's `ActivationState`.
#[wasm_bindgen]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivationState {
    /// Connected, connecting, or waiting to reconnect.
    ACTIVE = 0,
    /// `deactivate()` was called; the WebSocket is closing.
    DEACTIVATING = 1,
    /// Not connected and not trying to be.
    INACTIVE = 2,
}

/// The `readyState` of a WebSocket. stompjs's `StompSocketState`.
#[wasm_bindgen]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StompSocketState {
    /// Opening.
    CONNECTING = 0,
    /// Open.
    OPEN = 1,
    /// Closing.
    CLOSING = 2,
    /// Closed.
    CLOSED = 3,
}

/// How the wait between reconnection attempts grows. stompjs's `ReconnectionTimeMode`.
#[wasm_bindgen]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReconnectionTimeMode {
    /// `reconnectDelay` every time.
    LINEAR = 0,
    /// `reconnectDelay`, doubled after each wait, up to `maxReconnectDelay`.
    EXPONENTIAL = 1,
}

/// Where the client's clock ticks. stompjs's `TickerStrategy`: `TickerStrategy.Interval` is
/// `"interval"` (the page's timers), `TickerStrategy.Worker` is `"worker"` (a Worker's
/// timers, which a background tab does not slow down).
///
/// A class with static properties, because a string enum has no value of its own in the
/// generated JavaScript.
#[wasm_bindgen(skip_typescript)]
pub struct TickerStrategy {
    _none: (),
}

#[wasm_bindgen]
impl TickerStrategy {
    /// `"interval"`: timers of the page (or of the Worker the client runs in).
    #[wasm_bindgen(getter = Interval)]
    pub fn interval() -> String {
        String::from(INTERVAL)
    }

    /// `"worker"`: timers of a dedicated Worker started from a Blob URL.
    #[wasm_bindgen(getter = Worker)]
    pub fn worker() -> String {
        String::from(WORKER)
    }
}

/// The value of `TickerStrategy.Interval`.
pub(crate) const INTERVAL: &str = "interval";
/// The value of `TickerStrategy.Worker`.
pub(crate) const WORKER: &str = "worker";

/// The STOMP versions offered in CONNECT, as stompjs's `Versions` class:
/// `new Versions(["1.2", "1.1"])`, `Versions.V1_2`, `Versions.default`.
#[wasm_bindgen(skip_typescript)]
#[derive(Clone, Debug)]
pub struct Versions {
    /// The array given to the constructor.
    versions: Array,
}

#[wasm_bindgen]
impl Versions {
    /// Versions to offer, e.g. `["1.2", "1.1"]`, most preferred first.
    #[wasm_bindgen(constructor)]
    pub fn new(versions: Array) -> Versions {
        Versions { versions }
    }

    /// `"1.0"`.
    #[wasm_bindgen(getter = V1_0)]
    pub fn v1_0() -> String {
        String::from(Version::V1_0.as_str())
    }

    /// `"1.1"`.
    #[wasm_bindgen(getter = V1_1)]
    pub fn v1_1() -> String {
        String::from(Version::V1_1.as_str())
    }

    /// `"1.2"`.
    #[wasm_bindgen(getter = V1_2)]
    pub fn v1_2() -> String {
        String::from(Version::V1_2.as_str())
    }

    /// 1.2, 1.1 and 1.0: what a client offers unless told otherwise.
    #[wasm_bindgen(getter = default)]
    pub fn default_versions() -> Versions {
        let versions = Array::new();
        for v in Version::ALL.iter().rev() {
            versions.push(&JsValue::from_str(v.as_str()));
        }
        Versions { versions }
    }

    /// The versions, as given.
    #[wasm_bindgen(getter)]
    pub fn versions(&self) -> Array {
        self.versions.clone()
    }

    /// The `accept-version` value: the versions joined by commas.
    #[wasm_bindgen(js_name = supportedVersions)]
    pub fn supported_versions(&self) -> String {
        self.versions.join(",").into()
    }

    /// The WebSocket subprotocols: `v12.stomp`, `v11.stomp`, `v10.stomp` for the versions.
    #[wasm_bindgen(js_name = protocolVersions)]
    pub fn protocol_versions(&self) -> Array {
        let protocols = Array::new();
        for v in parse(&self.versions) {
            protocols.push(&JsValue::from_str(v.subprotocol()));
        }
        protocols
    }
}

/// The versions named in `list` (strings such as `"1.2"`), in its order; others are left out.
pub(crate) fn parse(list: &Array) -> Vec<Version> {
    list.iter()
        .filter_map(|v| v.as_string().and_then(|s| Version::parse(&s)))
        .collect()
}
