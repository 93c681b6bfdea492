//! The WebSocket: opening it, reading its messages into bytes, writing frames as text or binary
//! (split into chunks when asked), closing or discarding it.

use alloc::vec::Vec;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, MessageEvent, WebSocket};

/// The four event handlers of one socket.
pub(crate) struct Handlers {
    /// `open`.
    pub(crate) open: Closure<dyn FnMut(JsValue)>,
    /// `message`.
    pub(crate) message: Closure<dyn FnMut(JsValue)>,
    /// `close`.
    pub(crate) close: Closure<dyn FnMut(JsValue)>,
    /// `error`.
    pub(crate) error: Closure<dyn FnMut(JsValue)>,
}

/// How frames are written: stompjs's `splitLargeFrames`, `maxWebSocketChunkSize` and
/// `forceBinaryWSFrames`, fixed when the socket opens.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sending {
    /// Split text frames into messages of at most `chunk` bytes.
    pub(crate) split: bool,
    /// The largest chunk, in bytes.
    pub(crate) chunk: usize,
    /// Send every frame as a binary message.
    pub(crate) force_binary: bool,
}

/// One socket with its handlers attached.
pub(crate) struct Transport {
    socket: WebSocket,
    sending: Sending,
    _handlers: Handlers,
}

/// Opens a WebSocket to `url` offering `protocols`.
pub(crate) fn open(url: &str, protocols: &[&str]) -> Result<WebSocket, JsValue> {
    let list = Array::new();
    for p in protocols {
        list.push(&JsValue::from_str(p));
    }
    WebSocket::new_with_str_sequence(url, &list)
}

impl Transport {
    /// Takes `socket` over: `binaryType = "arraybuffer"`, the handlers attached.
    pub(crate) fn attach(socket: WebSocket, handlers: Handlers, sending: Sending) -> Transport {
        socket.set_binary_type(BinaryType::Arraybuffer);
        socket.set_onopen(Some(handlers.open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(handlers.message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(handlers.close.as_ref().unchecked_ref()));
        socket.set_onerror(Some(handlers.error.as_ref().unchecked_ref()));
        Transport {
            socket,
            sending,
            _handlers: handlers,
        }
    }

    /// The socket.
    pub(crate) fn socket(&self) -> &WebSocket {
        &self.socket
    }

    /// Writes one frame (or heart-beat): as text when it is UTF-8 and binary frames are not
    /// forced, split into chunks when asked; else as one binary message.
    pub(crate) fn send(&self, bytes: &[u8]) -> Result<(), JsValue> {
        let text = if self.sending.force_binary {
            None
        } else {
            core::str::from_utf8(bytes).ok()
        };
        let Some(mut text) = text else {
            return self.socket.send_with_u8_array(bytes);
        };
        if !self.sending.split {
            return self.socket.send_with_str(text);
        }
        // A chunk ends on a character boundary, so each message is valid UTF-8.
        let chunk = self.sending.chunk.max(4);
        while text.len() > chunk {
            let mut end = chunk;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            // Checked split: no panic path (and its formatting code) for a boundary that is
            // always there.
            let Some((head, rest)) = text.split_at_checked(end) else {
                break;
            };
            self.socket.send_with_str(head)?;
            text = rest;
        }
        self.socket.send_with_str(text)
    }

    /// Closes the socket, ignoring what arrives meanwhile; the `close` event still comes.
    pub(crate) fn close(&self) {
        self.socket.set_onmessage(None);
        let _ = self.socket.close();
    }

    /// Lets go of the socket at once: every handler detached, the socket asked to close. No
    /// event comes from it any more.
    pub(crate) fn discard(&self) {
        self.detach();
        let _ = self.socket.close();
    }

    fn detach(&self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        self.socket.set_onerror(None);
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        self.detach();
    }
}

/// The bytes of a `message` event: a text message's UTF-8, or an `ArrayBuffer`'s bytes copied
/// into `scratch` (reused from message to message). `None` for anything else.
pub(crate) fn incoming<'a>(event: &JsValue, scratch: &'a mut Vec<u8>) -> Option<&'a [u8]> {
    let data = event.unchecked_ref::<MessageEvent>().data();
    if let Some(text) = data.as_string() {
        *scratch = text.into_bytes();
        return Some(scratch.as_slice());
    }
    if !data.is_instance_of::<js_sys::ArrayBuffer>() {
        return None;
    }
    let view = Uint8Array::new(&data);
    let len = view.length() as usize;
    scratch.clear();
    scratch.reserve(len);
    Some(view.copy_to_uninit(&mut scratch.spare_capacity_mut()[..len]))
}

/// The `close` event reported for a discarded socket: code 4001 and a reason, as stompjs
/// reports it (a plain object: the socket itself never says it closed).
pub(crate) fn discarded_close_event() -> JsValue {
    let event = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&event, &JsValue::from_str(k), &v);
    };
    set("type", JsValue::from_str("close"));
    set("code", JsValue::from_f64(4001.0));
    set(
        "reason",
        JsValue::from_str("Connection discarded by the client"),
    );
    set("wasClean", JsValue::FALSE);
    event.into()
}
