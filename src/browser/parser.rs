//! The frame parser of stompjs's public API (`Parser`), over the codec's
//! [`AnyCommandDecoder`]: bytes in chunks of any split in, raw frames and heart-beats out. As
//! stompjs's, it reads frames of any command word (a client's own receive path refuses them).
//!
//! The package's JavaScript `Parser` wraps this type and calls the callbacks; here each chunk
//! is decoded and what it completed is handed back as one byte array of records (`packed.rs`),
//! so a chunk costs one crossing and the core builds no JavaScript objects.
//! By default header values come out as they were on the wire (STOMP 1.0 decoding: no
//! unescaping), as stompjs's `Parser` yields them; on request STOMP 1.2's unescaping applies.
//!
//! Two rules of stompjs's parser that the codec leaves to its caller apply here: every EOL
//! between frames is a heart-beat (the codec counts the first one after a frame's NUL as part
//! of the frame, as RabbitMQ writes `\0\n`), and NULs between frames are skipped.

use alloc::vec::Vec;

use wasm_bindgen::prelude::*;

use super::error;
use super::packed::{Out, tag};
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
    /// completed, in order, as records (`packed.rs`): each frame (its command, its headers in
    /// order, as sent, and its body), each heart-beat, and, when the input is malformed, a last
    /// record naming the problem (the parser then refuses further input).
    pub fn feed(&mut self, chunk: &[u8], append_nul: bool) -> Vec<u8> {
        let mut out = Out::default();
        self.decoder.set_cut_nul(append_nul);
        self.decode(chunk, &mut out);
        if append_nul && chunk.last() != Some(&0) {
            self.decode(&[0], &mut out);
        }
        out.take()
    }
}

impl FrameParser {
    fn decode(&mut self, mut input: &[u8], out: &mut Out) {
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
                    let message = error::describe(&SessionError::Decode(e));
                    out.tag(tag::PARSE_ERROR).str(&message);
                    return;
                }
            };
            input = &input[consumed..];
            match item {
                Some(AnyItem::Frame(frame)) => {
                    // Every EOL after this frame is a heart-beat, as stompjs counts them.
                    self.decoder.reset();
                    out.tag(tag::PARSED_FRAME)
                        .str(frame.command())
                        .headers(frame.headers())
                        .bytes(frame.body());
                }
                Some(AnyItem::Heartbeat) => {
                    out.tag(tag::PARSED_HEARTBEAT);
                }
                None => {}
            }
        }
    }
}
