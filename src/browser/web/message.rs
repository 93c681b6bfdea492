//! Frames and messages as JavaScript sees them: stompjs's `FrameImpl` (`IFrame`), with
//! `ack()`/`nack()` on a MESSAGE (`IMessage`).
//!
//! The Rust frame moves in as decoded; `headers`, `body` and `binaryBody` are built on first
//! access and kept, so the body is copied out of WebAssembly memory once, and not at all for a
//! callback that never reads it.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;

use js_sys::{Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::engine::Inner;
use super::headers;
use crate::frame::{Command, Frame, Version};

#[wasm_bindgen]
extern "C" {
    /// The platform's UTF-8 decoder (replaces malformed bytes with U+FFFD).
    type TextDecoder;

    #[wasm_bindgen(constructor)]
    fn new() -> TextDecoder;

    #[wasm_bindgen(method)]
    fn decode(this: &TextDecoder, input: &Uint8Array) -> JsValue;
}

/// Values built from the frame on first access.
#[derive(Default)]
struct Built {
    headers: Option<Object>,
    body: Option<JsValue>,
    binary_body: Option<Uint8Array>,
}

/// What `ack()` and `nack()` of a MESSAGE need.
struct AckTarget {
    inner: Rc<Inner>,
    /// The id to acknowledge: the `ack` header in 1.2, `message-id` before.
    id: Option<String>,
    /// The connection it came on ([`Session::connection`](crate::session::Session::connection)):
    /// one since dropped cannot be acknowledged.
    connection: u64,
}

/// A STOMP frame the broker sent: stompjs's `FrameImpl`. A MESSAGE also has `ack()` and
/// `nack()` (stompjs's `IMessage`).
#[wasm_bindgen(skip_typescript)]
pub struct FrameImpl {
    frame: Frame,
    built: RefCell<Built>,
    ack: Option<AckTarget>,
}

impl FrameImpl {
    /// A frame without acknowledgement (CONNECTED, RECEIPT, ERROR).
    pub(crate) fn new(frame: Frame) -> FrameImpl {
        FrameImpl {
            frame,
            built: RefCell::default(),
            ack: None,
        }
    }

    /// A MESSAGE, negotiated `version`, that came on `connection`, acknowledged through
    /// `inner` (the session finds its subscription).
    pub(crate) fn message(
        frame: Frame,
        version: Version,
        connection: u64,
        inner: Rc<Inner>,
    ) -> FrameImpl {
        let id = if version == Version::V1_2 {
            frame.ack()
        } else {
            frame.message_id()
        };
        let ack = AckTarget {
            inner,
            id: id.map(String::from),
            connection,
        };
        FrameImpl {
            ack: Some(ack),
            ..FrameImpl::new(frame)
        }
    }

    /// The frame as decoded.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    fn acknowledge(&self, command: Command, headers: &JsValue) -> Result<(), JsValue> {
        let Some(target) = &self.ack else {
            return Err(super::super::error::type_error(
                "only a MESSAGE can be acknowledged",
            ));
        };
        let Some(id) = &target.id else {
            return Err(super::super::error::type_error(
                "the MESSAGE has no ack or message-id header",
            ));
        };
        target.inner.acknowledge_message(
            command,
            &self.frame,
            id,
            target.connection,
            headers::from_js(headers),
        )
    }
}

#[wasm_bindgen]
impl FrameImpl {
    /// The command (`"MESSAGE"`, `"RECEIPT"`…).
    #[wasm_bindgen(getter)]
    pub fn command(&self) -> String {
        String::from(self.frame.command.as_str())
    }

    /// The headers, as a plain object; for a repeated header, its first value.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> Object {
        self.built
            .borrow_mut()
            .headers
            .get_or_insert_with(|| headers::to_js(&self.frame.headers))
            .clone()
    }

    /// The body as text (bytes that are not UTF-8 become U+FFFD), decoded by the platform's
    /// `TextDecoder` from `binaryBody`.
    #[wasm_bindgen(getter)]
    pub fn body(&self) -> JsValue {
        if let Some(body) = &self.built.borrow().body {
            return body.clone();
        }
        let body = TextDecoder::new().decode(&self.binary_body());
        self.built.borrow_mut().body = Some(body.clone());
        body
    }

    /// The body as bytes.
    #[wasm_bindgen(getter = binaryBody)]
    pub fn binary_body(&self) -> Uint8Array {
        self.built
            .borrow_mut()
            .binary_body
            .get_or_insert_with(|| Uint8Array::from(self.frame.body.as_slice()))
            .clone()
    }

    /// `true`: a received frame's body arrives as bytes (`body` decodes them), as in stompjs.
    #[wasm_bindgen(getter = isBinaryBody)]
    pub fn is_binary_body(&self) -> bool {
        true
    }

    /// Acknowledges this MESSAGE (ACK), with extra `headers` (e.g. `transaction`).
    pub fn ack(&self, headers: JsValue) -> Result<(), JsValue> {
        self.acknowledge(Command::Ack, &headers)
    }

    /// Refuses this MESSAGE (NACK; STOMP 1.1 and later), with extra `headers`.
    pub fn nack(&self, headers: JsValue) -> Result<(), JsValue> {
        self.acknowledge(Command::Nack, &headers)
    }
}
