//! The WebSocket: opening it, reading its messages into bytes, writing frames as text or binary
//! (split into chunks when asked, or several in one message when batching), closing or
//! discarding it.

use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, MessageEvent, WebSocket};

#[wasm_bindgen]
extern "C" {
    /// `queueMicrotask(callback)`: runs `callback` when the current task ends (pages, workers
    /// and Node alike).
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(callback: &Function);
}

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
/// `forceBinaryWSFrames`, and `batchFrames`, fixed when the socket opens.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sending {
    /// Split text frames into messages of at most `chunk` bytes.
    pub(crate) split: bool,
    /// The largest chunk, in bytes.
    pub(crate) chunk: usize,
    /// Send every frame as a binary message.
    pub(crate) force_binary: bool,
    /// Put the frames written in one event-loop turn into one message (at most `chunk` bytes;
    /// a larger frame goes alone, as without batching).
    pub(crate) batch: bool,
}

/// One socket with its handlers attached.
pub(crate) struct Transport {
    socket: WebSocket,
    sending: Sending,
    /// The frames of this turn not written yet (batching only).
    outbox: Rc<Outbox>,
    /// Writes the outbox at the end of the turn (a microtask; holds the outbox weakly, so a
    /// socket let go of meanwhile gets nothing).
    flush: Function,
    _handlers: Handlers,
}

/// The frames of one turn: their bytes back to back, all text or all binary.
struct Outbox {
    socket: WebSocket,
    bytes: RefCell<Vec<u8>>,
    binary: Cell<bool>,
    scheduled: Cell<bool>,
}

impl Outbox {
    /// Writes what is queued as one message.
    fn flush(&self) -> Result<(), JsValue> {
        self.scheduled.set(false);
        let bytes = core::mem::take(&mut *self.bytes.borrow_mut());
        if bytes.is_empty() {
            return Ok(());
        }
        let result = if self.binary.get() {
            self.socket.send_with_u8_array(&bytes)
        } else {
            // Frames are queued as text only when they are UTF-8, so this always holds.
            match core::str::from_utf8(&bytes) {
                Ok(text) => self.socket.send_with_str(text),
                Err(_) => self.socket.send_with_u8_array(&bytes),
            }
        };
        // Keep the allocation for the next turn.
        let mut bytes = bytes;
        bytes.clear();
        let mut slot = self.bytes.borrow_mut();
        if slot.is_empty() {
            *slot = bytes;
        }
        result
    }
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
        let outbox = Rc::new(Outbox {
            socket: socket.clone(),
            bytes: RefCell::new(Vec::new()),
            binary: Cell::new(false),
            scheduled: Cell::new(false),
        });
        let weak: Weak<Outbox> = Rc::downgrade(&outbox);
        let flush = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            if let Some(outbox) = weak.upgrade() {
                // A refusal here can only come from a socket that is closing: its `close`
                // event reports the end of the connection.
                let _ = outbox.flush();
            }
        })
        .into_js_value()
        .unchecked_into::<Function>();
        Transport {
            socket,
            sending,
            outbox,
            flush,
            _handlers: handlers,
        }
    }

    /// The socket.
    pub(crate) fn socket(&self) -> &WebSocket {
        &self.socket
    }

    /// Writes one frame (or heart-beat): as text when it is UTF-8 and binary frames are not
    /// forced, split into chunks when asked; else as one binary message. When batching, a
    /// frame of at most `chunk` bytes joins the others of this turn instead, written as one
    /// message when the turn ends (or before a frame that does not fit, or before closing).
    pub(crate) fn send(&self, bytes: &[u8]) -> Result<(), JsValue> {
        if !self.sending.batch {
            return self.send_now(bytes);
        }
        let chunk = self.sending.chunk.max(4);
        let binary = self.sending.force_binary || core::str::from_utf8(bytes).is_err();
        let outbox = &self.outbox;
        let fits = {
            let queued = outbox.bytes.borrow();
            queued.is_empty()
                || (outbox.binary.get() == binary && queued.len() + bytes.len() <= chunk)
        };
        if !fits {
            outbox.flush()?;
        }
        if bytes.len() > chunk {
            return self.send_now(bytes);
        }
        outbox.bytes.borrow_mut().extend_from_slice(bytes);
        outbox.binary.set(binary);
        if !outbox.scheduled.replace(true) {
            queue_microtask(&self.flush);
        }
        Ok(())
    }

    /// Writes what is queued for this turn now.
    fn send_queued(&self) {
        let _ = self.outbox.flush();
    }

    fn send_now(&self, bytes: &[u8]) -> Result<(), JsValue> {
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
        self.send_queued();
        self.socket.set_onmessage(None);
        let _ = self.socket.close();
    }

    /// Lets go of the socket at once: every handler detached, the socket asked to close. No
    /// event comes from it any more.
    pub(crate) fn discard(&self) {
        self.outbox.bytes.borrow_mut().clear();
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
