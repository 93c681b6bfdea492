//! Headers across the boundary: a plain JavaScript object (`StompHeaders`) ↔ [`Headers`].
//!
//! No serde: an object's own enumerable properties are read with `Object.entries`, in their
//! order; a value that is not a string is written with `String(value)`; `undefined` and `null`
//! values are left out. The other way, one `Reflect.set` per header; when a name repeats, the
//! first occurrence is the value (as the STOMP specification and stompjs read it).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::globals::js_string;
use crate::frame::Headers;

/// The headers of a `StompHeaders` object; `undefined` or `null` give none.
pub(crate) fn from_js(value: &JsValue) -> Headers {
    let mut headers = Headers::new();
    extend(&mut headers, value, &[]);
    headers
}

/// Appends the headers of `value`, leaving out the names in `skip`.
pub(crate) fn extend(headers: &mut Headers, value: &JsValue, skip: &[&str]) {
    let Some(object) = value.dyn_ref::<Object>() else {
        return;
    };
    for entry in Object::entries(object) {
        let pair: Array = entry.unchecked_into();
        let Some(name) = pair.get(0).as_string() else {
            continue;
        };
        let value = pair.get(1);
        if value.is_undefined() || value.is_null() || skip.contains(&name.as_str()) {
            continue;
        }
        match value.as_string() {
            Some(text) => headers.push(&name, &text),
            None => headers.push(&name, &js_string(&value)),
        }
    }
}

/// A plain object with one property per header name.
pub(crate) fn to_js(headers: &Headers) -> Object {
    let object = Object::new();
    // Backwards, so that the first occurrence of a repeated name is the one left.
    for (name, value) in headers.iter().rev() {
        let _ = Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    object
}
