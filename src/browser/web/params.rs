//! The arguments of `publish` and `subscribe`, read from JavaScript into Rust types: a
//! message to send ([`Outgoing`]), and a subscription's headers with its ack mode.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::super::error;
use super::globals::js_string;
use super::headers;
use crate::frame::{ContentLength, Headers};
use crate::session::AckMode;

/// A message to send, from `publish`'s `{ destination, headers, body, binaryBody,
/// skipContentLengthHeader }`.
pub(crate) struct Outgoing {
    /// `destination` first, then the caller's headers.
    pub(crate) headers: Headers,
    /// The body's bytes.
    pub(crate) body: Vec<u8>,
    /// Whether `content-length` is written.
    pub(crate) content_length: ContentLength,
}

/// Reads `publish`'s parameters; a missing `destination` is a `TypeError`.
pub(crate) fn outgoing(params: &JsValue) -> Result<Outgoing, JsValue> {
    let get =
        |name: &str| Reflect::get(params, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let Some(destination) = get("destination").as_string() else {
        return Err(error::type_error("publish needs a destination"));
    };
    let mut headers = Headers::new();
    headers.push("destination", &destination);
    headers::extend(&mut headers, &get("headers"), &["destination"]);
    let (body, content_length) = match get("binaryBody").dyn_into::<Uint8Array>() {
        // stompjs always writes content-length for a binary body.
        Ok(bytes) => (bytes.to_vec(), ContentLength::Auto),
        Err(_) => {
            let body = get("body");
            let text = if body.is_undefined() || body.is_null() {
                String::new()
            } else {
                body.as_string().unwrap_or_else(|| js_string(&body))
            };
            let cl = if get("skipContentLengthHeader").is_truthy() {
                ContentLength::Skip
            } else {
                ContentLength::Auto
            };
            (text.into_bytes(), cl)
        }
    };
    Ok(Outgoing {
        headers,
        body,
        content_length,
    })
}

/// Reads `subscribe`'s headers and the ack mode they ask for (`auto` when none); another
/// mode is a `TypeError`.
pub(crate) fn subscription(value: &JsValue) -> Result<(Headers, AckMode), JsValue> {
    let headers = headers::from_js(value);
    let ack = match headers.get("ack") {
        None => AckMode::Auto,
        Some(mode) => AckMode::parse(mode)
            .ok_or_else(|| error::type_error("ack must be auto, client or client-individual"))?,
    };
    Ok((headers, ack))
}
