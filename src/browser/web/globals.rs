//! The few global JavaScript functions the shell calls: timers, the clock, `String()`.
//!
//! Bound as globals rather than through `window`, so the shell also runs inside a Worker.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `setTimeout(handler, ms)`; the id's type differs between hosts, so it stays a `JsValue`.
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &Function, ms: f64) -> JsValue;

    /// `clearTimeout(id)`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(id: &JsValue);

    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    /// `String(value)`: how a header value that is not a string (`priority: 9`) is written.
    #[wasm_bindgen(js_name = String)]
    pub(crate) fn js_string(value: &JsValue) -> String;
}

/// Milliseconds on the monotonic clock (`performance.now()`): the session's time.
pub(crate) fn now() -> u64 {
    performance_now() as u64
}

/// A random 32-bit number for reconnect jitter (`Math.random()`).
pub(crate) fn random_u32() -> u32 {
    (js_sys::Math::random() * 4_294_967_296.0) as u32
}
