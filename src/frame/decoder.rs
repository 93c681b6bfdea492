//! The incremental decoder: bytes in arbitrary chunks → frames and heart-beats.

use alloc::vec::Vec;

use super::escape::{Escaping, unescape_into};
use super::{Command, DecodeError, Frame, Headers, Limit, Limits, Snippet, Version};

/// What the decoder produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A complete frame.
    Frame(Frame),
    /// A heart-beat: an EOL (LF or CRLF) between frames.
    Heartbeat,
}

/// The result of one [`Decoder::decode`] call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "`consumed` says how much input was taken; unconsumed input must be passed again"]
pub struct Decoded {
    /// How many bytes of the input were taken. When `item` is `None` this is the whole input.
    pub consumed: usize,
    /// The item completed by those bytes, if any.
    pub item: Option<Item>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between frames.
    Idle,
    /// Between frames, after a CR.
    IdleCr,
    /// Reading the command line.
    Command,
    /// Reading header lines.
    Headers,
    /// Reading the body.
    Body,
    /// After a `content-length` body: expecting NUL.
    Nul,
    /// An error happened; input is refused.
    Failed,
}

/// An incremental STOMP decoder.
///
/// Feed it bytes as they arrive, in chunks of any size; it yields exactly the same
/// [`Item`]s for any split of the same stream, one byte at a time included. Each body byte is
/// copied once, from the input into the frame's body; headers are unescaped once into the
/// frame's header text.
///
/// ```
/// use stompwire::frame::{Decoder, Item, Limits, Version};
///
/// let mut decoder = Decoder::new(Limits::default());
/// decoder.set_version(Version::V1_2);
/// let stream = b"MESSAGE\r\ndestination:/topic/a\\cb\r\ncontent-length:3\r\n\r\na\0b\0\n\n";
/// let items: Vec<Item> = stream
///     .chunks(5)
///     .flat_map(|chunk| decoder.feed(chunk).collect::<Result<Vec<_>, _>>().unwrap())
///     .collect();
/// let Item::Frame(frame) = &items[0] else { panic!() };
/// assert_eq!(frame.destination(), Some("/topic/a:b"));
/// assert_eq!(frame.body(), b"a\0b");
/// assert_eq!(items[1], Item::Heartbeat);
/// ```
#[derive(Debug)]
pub struct Decoder {
    limits: Limits,
    version: Version,
    state: State,
    /// One EOL after a frame's NUL belongs to the frame.
    after_frame: bool,
    /// Bytes of the current frame seen so far.
    frame_size: usize,
    /// A line split across inputs.
    line: Vec<u8>,
    command: Command,
    headers: Headers,
    body: Vec<u8>,
    content_length: Option<usize>,
}

impl Decoder {
    /// A decoder with these limits, for STOMP 1.2 until told otherwise.
    pub fn new(limits: Limits) -> Decoder {
        Decoder {
            limits,
            version: Version::V1_2,
            state: State::Idle,
            after_frame: false,
            frame_size: 0,
            line: Vec::new(),
            command: Command::Error,
            headers: Headers::new(),
            body: Vec::new(),
            content_length: None,
        }
    }

    /// Sets the version whose escaping applies to the frames that follow (the session calls
    /// this once CONNECTED names the version).
    pub fn set_version(&mut self, version: Version) {
        self.version = version;
    }

    /// The version whose escaping applies.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Forgets any partial frame and a past error, keeping limits and version (for a new
    /// connection).
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.after_frame = false;
        self.clear_frame();
    }

    /// Whether the decoder holds part of a frame (a connection closing now cut a frame short).
    pub fn in_frame(&self) -> bool {
        !matches!(self.state, State::Idle | State::Failed)
    }

    /// Whether an error has stopped this decoder (until [`Decoder::reset`]).
    pub fn has_failed(&self) -> bool {
        self.state == State::Failed
    }

    /// Decodes the items `input` holds, as an iterator. Stops after the first error.
    ///
    /// Dropping the iterator early loses no input that was not yet decoded only if the caller
    /// keeps the rest: prefer consuming it to the end, or use [`Decoder::decode`].
    pub fn feed<'d, 'b>(&'d mut self, input: &'b [u8]) -> Feed<'d, 'b> {
        Feed {
            decoder: self,
            input,
            done: false,
        }
    }

    /// Takes bytes from `input` until one item is complete or the input is used up.
    ///
    /// When the result has no item, all of `input` was taken. On error the decoder stops
    /// (see [`Decoder::has_failed`]); items returned earlier stay valid.
    pub fn decode(&mut self, input: &[u8]) -> Result<Decoded, DecodeError> {
        let result = self.step(input);
        if result.is_err() {
            self.state = State::Failed;
            self.clear_frame();
        }
        result
    }

    fn step(&mut self, input: &[u8]) -> Result<Decoded, DecodeError> {
        let mut pos = 0;
        loop {
            let rest = &input[pos..];
            match self.state {
                State::Failed => return Err(DecodeError::Poisoned),
                State::Idle | State::IdleCr => {
                    let Some(&b) = rest.first() else {
                        return Ok(none(pos));
                    };
                    match (self.state, b) {
                        (_, b'\n') => {
                            pos += 1;
                            self.state = State::Idle;
                            if !core::mem::take(&mut self.after_frame) {
                                return Ok(Decoded {
                                    consumed: pos,
                                    item: Some(Item::Heartbeat),
                                });
                            }
                        }
                        (State::Idle, b'\r') => {
                            pos += 1;
                            self.state = State::IdleCr;
                        }
                        (State::IdleCr, _) => {
                            return Err(DecodeError::UnknownCommand(Snippet::new(b"\r")));
                        }
                        _ => {
                            self.after_frame = false;
                            self.frame_size = 0;
                            self.state = State::Command;
                        }
                    }
                }
                State::Command | State::Headers => {
                    let max = if self.state == State::Command {
                        self.limits.max_command_len
                    } else {
                        self.limits.max_header_line
                    };
                    match memchr::memchr(b'\n', rest) {
                        Some(i) => {
                            self.grow_frame(i + 1)?;
                            pos += i + 1;
                            if self.line.is_empty() {
                                self.line_complete(&rest[..i], max)?;
                            } else {
                                let mut line = core::mem::take(&mut self.line);
                                line.extend_from_slice(&rest[..i]);
                                let r = self.line_complete(&line, max);
                                line.clear();
                                self.line = line;
                                r?;
                            }
                        }
                        None => {
                            // Room for a CR that may precede the LF.
                            let held = self.line.len() + rest.len();
                            if held > max + 1 {
                                return Err(self.line_limit(held));
                            }
                            self.grow_frame(rest.len())?;
                            self.line.extend_from_slice(rest);
                            return Ok(none(input.len()));
                        }
                    }
                }
                State::Body => match self.content_length {
                    Some(n) => {
                        let take = (n - self.body.len()).min(rest.len());
                        self.grow_frame(take)?;
                        self.body.extend_from_slice(&rest[..take]);
                        pos += take;
                        if self.body.len() < n {
                            return Ok(none(pos));
                        }
                        self.state = State::Nul;
                    }
                    None => {
                        let (take, done) = match memchr::memchr(0, rest) {
                            Some(i) => (i, true),
                            None => (rest.len(), false),
                        };
                        let body = self.body.len() + take;
                        if body > self.limits.max_body_size {
                            return Err(limit(Limit::BodySize, self.limits.max_body_size, body));
                        }
                        self.grow_frame(take + usize::from(done))?;
                        self.body.extend_from_slice(&rest[..take]);
                        pos += take;
                        if !done {
                            return Ok(none(pos));
                        }
                        return Ok(self.finish(pos + 1));
                    }
                },
                State::Nul => {
                    let Some(&b) = rest.first() else {
                        return Ok(none(pos));
                    };
                    if b != 0 {
                        return Err(DecodeError::MissingNul { found: b });
                    }
                    self.grow_frame(1)?;
                    return Ok(self.finish(pos + 1));
                }
            }
        }
    }

    /// Counts `n` more bytes against `max_frame_size`.
    fn grow_frame(&mut self, n: usize) -> Result<(), DecodeError> {
        self.frame_size += n;
        if self.frame_size > self.limits.max_frame_size {
            return Err(limit(
                Limit::FrameSize,
                self.limits.max_frame_size,
                self.frame_size,
            ));
        }
        Ok(())
    }

    fn line_limit(&self, actual: usize) -> DecodeError {
        if self.state == State::Command {
            limit(Limit::CommandLength, self.limits.max_command_len, actual)
        } else {
            limit(Limit::HeaderLine, self.limits.max_header_line, actual)
        }
    }

    /// Handles one complete line (without its LF) of the command or header block.
    fn line_complete(&mut self, line: &[u8], max: usize) -> Result<(), DecodeError> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > max {
            return Err(self.line_limit(line.len()));
        }
        if self.state == State::Command {
            self.command = Command::from_bytes(line)
                .ok_or_else(|| DecodeError::UnknownCommand(Snippet::new(line)))?;
            self.headers = Headers::with_capacity(8, 128);
            self.state = State::Headers;
            Ok(())
        } else if line.is_empty() {
            self.start_body()
        } else {
            self.header_line(line)
        }
    }

    fn header_line(&mut self, line: &[u8]) -> Result<(), DecodeError> {
        let index = self.headers.len();
        if index >= self.limits.max_headers {
            return Err(limit(Limit::Headers, self.limits.max_headers, index + 1));
        }
        let colon = memchr::memchr(b':', line).ok_or(DecodeError::MissingColon { line: index })?;
        let (mut name, mut value) = (&line[..colon], &line[colon + 1..]);
        if self.limits.trim_header_whitespace {
            name = name.trim_ascii();
            value = value.trim_ascii();
        }
        if name.is_empty() {
            return Err(DecodeError::EmptyHeaderName { line: index });
        }
        let escaping = Escaping::of(self.command, self.version);
        let text = self.headers.text_mut();
        let name_start = text.len();
        unescape_into(text, name, escaping, index)?;
        let name_end = text.len();
        unescape_into(text, value, escaping, index)?;
        let value_end = text.len();
        self.headers
            .push_span(name_start, name_end, name_end, value_end);
        Ok(())
    }

    fn start_body(&mut self) -> Result<(), DecodeError> {
        self.state = State::Body;
        self.content_length = None;
        let Some(v) = self.headers.get("content-length") else {
            return Ok(());
        };
        let v = if self.limits.trim_header_whitespace {
            v.trim_ascii()
        } else {
            v
        };
        let n = parse_length(v)?;
        if n > self.limits.max_body_size {
            return Err(limit(Limit::BodySize, self.limits.max_body_size, n));
        }
        let total = self.frame_size.saturating_add(n).saturating_add(1);
        if total > self.limits.max_frame_size {
            return Err(limit(Limit::FrameSize, self.limits.max_frame_size, total));
        }
        self.content_length = Some(n);
        self.body = Vec::with_capacity(n);
        Ok(())
    }

    /// Hands out the completed frame; `consumed` includes its NUL.
    fn finish(&mut self, consumed: usize) -> Decoded {
        let frame = Frame {
            command: self.command,
            headers: core::mem::take(&mut self.headers),
            body: core::mem::take(&mut self.body),
        };
        self.clear_frame();
        self.state = State::Idle;
        self.after_frame = true;
        Decoded {
            consumed,
            item: Some(Item::Frame(frame)),
        }
    }

    fn clear_frame(&mut self) {
        self.frame_size = 0;
        self.line.clear();
        self.headers = Headers::new();
        self.body = Vec::new();
        self.content_length = None;
    }
}

impl Default for Decoder {
    fn default() -> Decoder {
        Decoder::new(Limits::default())
    }
}

fn none(consumed: usize) -> Decoded {
    Decoded {
        consumed,
        item: None,
    }
}

fn limit(limit: Limit, max: usize, actual: usize) -> DecodeError {
    DecodeError::LimitExceeded { limit, max, actual }
}

/// Parses a `content-length` value: ASCII digits only, no sign, no overflow.
fn parse_length(v: &str) -> Result<usize, DecodeError> {
    if v.is_empty() || v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecodeError::InvalidContentLength);
    }
    v.bytes().try_fold(0usize, |n, b| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(usize::from(b - b'0')))
            .ok_or(DecodeError::InvalidContentLength)
    })
}

/// Iterator over the items of one input chunk; see [`Decoder::feed`].
#[must_use = "the iterator does the decoding"]
pub struct Feed<'d, 'b> {
    decoder: &'d mut Decoder,
    input: &'b [u8],
    done: bool,
}

impl Feed<'_, '_> {
    /// The part of the input not decoded yet (empty once the iterator is exhausted without
    /// error).
    pub fn remaining(&self) -> &[u8] {
        self.input
    }
}

impl Iterator for Feed<'_, '_> {
    type Item = Result<Item, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.input.is_empty() {
            return None;
        }
        match self.decoder.decode(self.input) {
            Ok(Decoded { consumed, item }) => {
                self.input = &self.input[consumed..];
                if item.is_none() {
                    self.done = true;
                }
                item.map(Ok)
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
