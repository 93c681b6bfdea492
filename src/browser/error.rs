//! The errors JavaScript sees: a `TypeError` where stompjs throws one, plain `Error`s for calls
//! the session refuses, and named `Error`s for the promise forms.
//!
//! | `name` | when | extra |
//! |---|---|---|
//! | `TimeoutError` | a receipt or the connection did not come within the time given | |
//! | `StompError` | the broker answered with an ERROR frame | `frame`: the ERROR |
//! | `ConnectionClosedError` | the connection ended before the receipt came | |
//! | `DeactivatedError` | the client was deactivated while the promise waited | |
//! | `GaveUpError` | the reconnect policy ran out of attempts | |
//!
//! Messages are put together without `core::fmt`, which would cost more download than every
//! other error path together. A core error reads as the core describes it (`describe_into`, the
//! text its `Display` prints natively), so both shells say the same thing.

use alloc::string::String;

#[cfg(feature = "web-client")]
use js_sys::{Error, Reflect, TypeError};
#[cfg(feature = "web-client")]
use wasm_bindgen::JsValue;

#[cfg(feature = "web-client")]
use super::log::{concat, with_number};
use crate::session::SessionError;

/// The `TypeError` stompjs throws from a method that needs a connection.
#[cfg(feature = "web-client")]
pub(crate) fn no_connection() -> JsValue {
    type_error("There is no underlying STOMP connection")
}

/// A `TypeError` with this message.
#[cfg(feature = "web-client")]
pub(crate) fn type_error(message: &str) -> JsValue {
    TypeError::new(message).into()
}

/// A plain `Error` with this message.
#[cfg(feature = "web-client")]
pub(crate) fn plain(message: &str) -> JsValue {
    Error::new(message).into()
}

/// An `Error` whose `name` is `name`.
#[cfg(feature = "web-client")]
pub(crate) fn named(name: &str, message: &str) -> JsValue {
    let error = Error::new(message);
    error.set_name(name);
    error.into()
}

/// A `StompError` for an ERROR frame: its `message` header as the message, the frame attached.
#[cfg(feature = "web-client")]
pub(crate) fn stomp_error(message: Option<&str>, frame: &JsValue) -> JsValue {
    let error = named(
        "StompError",
        message.unwrap_or("the broker sent an ERROR frame"),
    );
    let _ = Reflect::set(&error, &JsValue::from_str("frame"), frame);
    error
}

/// A `TimeoutError`: `what`, the limit, " ms".
#[cfg(feature = "web-client")]
pub(crate) fn timeout(what: &str, limit_ms: u64) -> JsValue {
    named("TimeoutError", &with_number(what, limit_ms, " ms"))
}

/// The `DeactivatedError` of a promise the client stopped waiting for.
#[cfg(feature = "web-client")]
pub(crate) fn deactivated() -> JsValue {
    named("DeactivatedError", "the client is inactive")
}

/// The `ConnectionClosedError` of a receipt the connection's end took away.
#[cfg(feature = "web-client")]
pub(crate) fn closed(id: &str) -> JsValue {
    named(
        "ConnectionClosedError",
        &concat(&["the connection closed before the RECEIPT for ", id, " came"]),
    )
}

/// The `GaveUpError` of the connection promises when the attempts run out.
#[cfg(feature = "web-client")]
pub(crate) fn gave_up(attempts: u32) -> JsValue {
    named(
        "GaveUpError",
        &with_number(
            "gave up after ",
            u64::from(attempts),
            " connection attempts",
        ),
    )
}

/// What a refused session call throws: the stompjs `TypeError` when there is no connection,
/// else an `Error` saying what the session refused.
#[cfg(feature = "web-client")]
pub(crate) fn session(error: &SessionError) -> JsValue {
    match error {
        SessionError::NotConnected { .. } => no_connection(),
        other => plain(&describe(other)),
    }
}

/// A session error in words: the core's description, then, for one that wraps another (a frame
/// that cannot be encoded, input that cannot be decoded), the inner error's after a colon, as
/// JavaScript has no `source` chain.
pub(crate) fn describe(error: &SessionError) -> String {
    let mut out = String::new();
    error.describe_into(&mut out);
    match error {
        SessionError::Encode(inner) => {
            out.push_str(": ");
            inner.describe_into(&mut out);
        }
        SessionError::Decode(inner) => {
            out.push_str(": ");
            inner.describe_into(&mut out);
        }
        _ => {}
    }
    out
}
