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
//! other error path together.

use alloc::string::String;

use js_sys::{Error, Reflect, TypeError};
use wasm_bindgen::JsValue;

use super::log::{concat, with_number};
use crate::frame::{DecodeError, EncodeError};
use crate::session::SessionError;

/// The `TypeError` stompjs throws from a method that needs a connection.
pub(crate) fn no_connection() -> JsValue {
    type_error("There is no underlying STOMP connection")
}

/// A `TypeError` with this message.
pub(crate) fn type_error(message: &str) -> JsValue {
    TypeError::new(message).into()
}

/// A plain `Error` with this message.
pub(crate) fn plain(message: &str) -> JsValue {
    Error::new(message).into()
}

/// An `Error` whose `name` is `name`.
pub(crate) fn named(name: &str, message: &str) -> JsValue {
    let error = Error::new(message);
    error.set_name(name);
    error.into()
}

/// A `StompError` for an ERROR frame: its `message` header as the message, the frame attached.
pub(crate) fn stomp_error(message: Option<&str>, frame: &JsValue) -> JsValue {
    let error = named(
        "StompError",
        message.unwrap_or("the broker sent an ERROR frame"),
    );
    let _ = Reflect::set(&error, &JsValue::from_str("frame"), frame);
    error
}

/// A `TimeoutError`: `what`, the limit, " ms".
pub(crate) fn timeout(what: &str, limit_ms: u64) -> JsValue {
    named("TimeoutError", &with_number(what, limit_ms, " ms"))
}

/// The `DeactivatedError` of a promise the client stopped waiting for.
pub(crate) fn deactivated() -> JsValue {
    named("DeactivatedError", "the client is inactive")
}

/// The `ConnectionClosedError` of a receipt the connection's end took away.
pub(crate) fn closed(id: &str) -> JsValue {
    named(
        "ConnectionClosedError",
        &concat(&["the connection closed before the RECEIPT for ", id, " came"]),
    )
}

/// The `GaveUpError` of the connection promises when the attempts run out.
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
pub(crate) fn session(error: &SessionError) -> JsValue {
    match error {
        SessionError::NotConnected { .. } => no_connection(),
        other => plain(&describe(other)),
    }
}

/// A session error in words.
pub(crate) fn describe(error: &SessionError) -> String {
    match error {
        SessionError::NotConnected { state } | SessionError::AlreadyConnected { state } => {
            concat(&["the session is ", state.as_str()])
        }
        SessionError::Unsupported { command, version } => {
            concat(&[command.as_str(), " is not part of STOMP ", version.as_str()])
        }
        SessionError::MissingHeader { command, header } => {
            concat(&[command.as_str(), " needs a '", header.as_str(), "' header"])
        }
        SessionError::UnknownSubscription(id) => concat(&["no subscription with id ", id]),
        SessionError::DuplicateSubscription(id) => {
            concat(&["a subscription with id ", id, " already exists"])
        }
        SessionError::UnknownTransaction(id) => concat(&["no open transaction ", id]),
        SessionError::DuplicateTransaction(id) => concat(&["transaction ", id, " is already open"]),
        SessionError::AckInAutoMode { subscription } => concat(&[
            "subscription ",
            subscription,
            " uses ack mode auto: nothing to acknowledge",
        ]),
        SessionError::AckModeUnsupported { .. } => {
            String::from("ack mode client-individual needs STOMP 1.1 or later")
        }
        SessionError::Encode(e) => concat(&["cannot encode the frame: ", encode(e)]),
        SessionError::Decode(e) => decode(e),
        SessionError::UnexpectedFrame { command, state } => concat(&[
            "the broker sent ",
            command.as_str(),
            " while the session is ",
            state.as_str(),
        ]),
        SessionError::VersionNotOffered(v) => {
            concat(&["the broker chose version ", v, ", which was not offered"])
        }
        SessionError::WrongCommand { command } => {
            concat(&[command.as_str(), " cannot be sent with this call"])
        }
    }
}

fn encode(error: &EncodeError) -> &'static str {
    match error {
        EncodeError::ContentLengthMismatch { .. } => "content-length does not match the body",
        EncodeError::InvalidContentLength => "content-length is not a byte count",
        EncodeError::EmptyHeaderName { .. } => "a header has an empty name",
        _ => "a header cannot be written in this STOMP version",
    }
}

fn decode(error: &DecodeError) -> String {
    match error {
        DecodeError::LimitExceeded { limit, max, .. } => with_number(
            &concat(&["a frame from the broker exceeds ", limit.field(), " ("]),
            *max as u64,
            ")",
        ),
        DecodeError::UnknownCommand(_) => String::from("the broker sent an unknown command"),
        _ => String::from("the broker sent a malformed frame"),
    }
}
