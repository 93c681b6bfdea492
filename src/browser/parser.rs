//! The frame parser of stompjs's public API (`Parser`), over the codec's
//! [`AnyCommandDecoder`]: bytes in chunks of any split in, raw frames and heart-beats out. As
//! stompjs's, it reads frames of any command word (a client's own receive path refuses them).
//!
//! The package's JavaScript `Parser` wraps this type and calls the callbacks; here each chunk
//! is decoded and what it completed is handed back in one array, so a chunk costs one crossing.
//! By default header values come out as they were on the wire (STOMP 1.0 decoding: no
//! unescaping), as stompjs's `Parser` yields them; on request STOMP 1.2's unescaping applies.
//!
//! Two rules of stompjs's parser that the codec leaves to its caller apply here: every EOL
//! between frames is a heart-beat (the codec counts the first one after a frame's NUL as part
//! of the frame, as RabbitMQ writes `\0\n`), and NULs between frames are skipped.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::error;
use crate::frame::{AnyCommandDecoder, AnyItem, Limits, Version};
use crate::session::SessionError;

/// The decoder behind the package's `Parser` class.
#[wasm_bindgen(skip_typescript)]
pub struct FrameParser {
    decoder: AnyCommandDecoder,
}

#[wasm_bindgen]
impl FrameParser {
    /// A parser with the codec's default limits; `unescape` applies STOMP 1.2's header
    /// unescaping, else values are left as they were sent.
    #[wasm_bindgen(constructor)]
    pub fn new(unescape: bool) -> FrameParser {
        let mut decoder = AnyCommandDecoder::new(Limits::DEFAULT);
        if !unescape {
            decoder.set_version(Version::V1_0);
        }
        FrameParser { decoder }
    }

    /// Decodes `chunk`, then a NUL when `append_nul` is set and the chunk does not end in one
    /// (stompjs's `appendMissingNULLonIncoming`, for a transport that cuts each message at its
    /// first NUL; with it an EOL and that NUL after a counted body end the frame, see
    /// [`Decoder::set_cut_nul`](crate::frame::Decoder::set_cut_nul)). Returns what was
    /// completed, in order: per
    /// frame its command, its headers as a flat `[name, value, …]` array and its body; `null`
    /// per heart-beat; and, when the input is malformed, an `Error` naming the problem as the
    /// last element (the parser then refuses further input).
    pub fn feed(&mut self, chunk: &[u8], append_nul: bool) -> Array {
        let out = Array::new();
        self.decoder.set_cut_nul(append_nul);
        self.decode(chunk, &out);
        if append_nul && chunk.last() != Some(&0) {
            self.decode(&[0], &out);
        }
        out
    }
}

impl FrameParser {
    fn decode(&mut self, mut input: &[u8], out: &Array) {
        loop {
            if !self.decoder.in_frame() {
                let skip = input.iter().take_while(|&&b| b == 0).count();
                input = &input[skip..];
            }
            if input.is_empty() {
                return;
            }
            let (consumed, item) = match self.decoder.decode(input) {
                Ok(decoded) => decoded,
                Err(e) => {
                    out.push(&error::plain(&error::describe(&SessionError::Decode(e))));
                    return;
                }
            };
            input = &input[consumed..];
            match item {
                Some(AnyItem::Frame(frame)) => {
                    // Every EOL after this frame is a heart-beat, as stompjs counts them.
                    self.decoder.reset();
                    let headers = Array::new();
                    for (name, value) in frame.headers().iter() {
                        headers.push(&name.into());
                        headers.push(&value.into());
                    }
                    out.push(&frame.command().into());
                    out.push(&headers);
                    out.push(&Uint8Array::from(frame.body()));
                }
                Some(AnyItem::Heartbeat) => {
                    out.push(&JsValue::NULL);
                }
                None => {}
            }
        }
    }
}
