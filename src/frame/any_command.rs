//! A decoder that reads frames of any command word, for tools that show what a peer sent.

use alloc::string::String;

use super::{DecodeError, Decoder, Frame, Headers, Item, Limits, Version};

/// What an [`AnyCommandDecoder`] produced.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::exhaustive_enums)] // closed: a stream holds frames and heart-beats
pub enum AnyItem {
    /// A complete frame.
    Frame(AnyFrame),
    /// A heart-beat: an EOL (LF or CRLF) between frames.
    Heartbeat,
}

/// A frame whose command is a STOMP command or another word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnyFrame {
    frame: Frame,
    /// The command line when it named no STOMP command, else empty.
    other: String,
}

impl AnyFrame {
    /// The command as sent (`"MESSAGE"`, `"RECEIVE"`).
    #[inline]
    pub fn command(&self) -> &str {
        if self.other.is_empty() {
            self.frame.command.as_str()
        } else {
            &self.other
        }
    }

    /// The frame, when its command is a STOMP command.
    pub fn frame(&self) -> Option<&Frame> {
        self.other.is_empty().then_some(&self.frame)
    }

    /// The headers, in wire order.
    pub fn headers(&self) -> &Headers {
        &self.frame.headers
    }

    /// The body bytes (empty when there is none).
    pub fn body(&self) -> &[u8] {
        &self.frame.body
    }
}

/// A [`Decoder`] that also reads frames whose command line names no STOMP command, as
/// stompjs's `Parser` does (its spec suite feeds it a `RECEIVE` frame).
///
/// Such a command line must be a word of printable ASCII (no spaces, no control characters),
/// bounded by [`Limits::max_command_len`] like any other; the frame's headers are escaped as a
/// MESSAGE's (the escaping of every command but CONNECT, STOMP and CONNECTED) and its body is
/// read by the same rules. Everything else is [`Decoder`]'s, errors included. A session never
/// uses this type: a client refuses a frame it cannot act on.
///
/// ```
/// use stompwire::frame::{AnyCommandDecoder, AnyItem, Command, Limits};
///
/// let mut decoder = AnyCommandDecoder::new(Limits::default());
/// let stream = b"RECEIVE\nfoo:abc\n\nhello\0MESSAGE\n\n\0";
/// let mut items = Vec::new();
/// let mut input = &stream[..];
/// while !input.is_empty() {
///     let (consumed, item) = decoder.decode(input).unwrap();
///     input = &input[consumed..];
///     items.extend(item);
/// }
/// let [AnyItem::Frame(receive), AnyItem::Frame(message)] = &items[..] else { panic!() };
/// assert_eq!(receive.command(), "RECEIVE");
/// assert_eq!(receive.frame(), None);
/// assert_eq!(receive.headers().get("foo"), Some("abc"));
/// assert_eq!(receive.body(), b"hello");
/// assert_eq!(message.frame().map(|f| f.command), Some(Command::Message));
/// ```
#[derive(Debug)]
pub struct AnyCommandDecoder {
    decoder: Decoder,
}

impl AnyCommandDecoder {
    /// A decoder with these limits, for STOMP 1.2 until told otherwise.
    pub fn new(limits: Limits) -> AnyCommandDecoder {
        let mut decoder = Decoder::new(limits);
        decoder.any_command = true;
        AnyCommandDecoder { decoder }
    }

    /// Takes bytes from `input` until one item is complete or the input is used up; returns
    /// how many bytes it took (all of them when there is no item) and the item. As
    /// [`Decoder::decode`], errors included.
    #[inline]
    pub fn decode(&mut self, input: &[u8]) -> Result<(usize, Option<AnyItem>), DecodeError> {
        let decoded = self.decoder.decode(input)?;
        let item = decoded.item.map(|item| match item {
            Item::Heartbeat => AnyItem::Heartbeat,
            Item::Frame(frame) => AnyItem::Frame(AnyFrame {
                frame,
                other: core::mem::take(&mut self.decoder.other_command),
            }),
        });
        Ok((decoded.consumed, item))
    }

    /// Sets the version whose escaping applies to the frames that follow; see
    /// [`Decoder::set_version`].
    pub fn set_version(&mut self, version: Version) {
        self.decoder.set_version(version);
    }

    /// See [`Decoder::set_cut_nul`].
    pub fn set_cut_nul(&mut self, on: bool) {
        self.decoder.set_cut_nul(on);
    }

    /// See [`Decoder::reset`].
    pub fn reset(&mut self) {
        self.decoder.reset();
    }

    /// See [`Decoder::in_frame`].
    pub fn in_frame(&self) -> bool {
        self.decoder.in_frame()
    }

    /// See [`Decoder::has_failed`].
    pub fn has_failed(&self) -> bool {
        self.decoder.has_failed()
    }
}

impl Default for AnyCommandDecoder {
    fn default() -> AnyCommandDecoder {
        AnyCommandDecoder::new(Limits::default())
    }
}
