//! The incremental decoder: bytes in arbitrary chunks → frames and heart-beats.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::escape::{Escaping, unescape_into};
use super::frame::parse_content_length;
use super::headers::Ends;
use super::scan::{find, find_any};
use super::{Command, DecodeError, Frame, Headers, Limit, Limits, Snippet, Version};

/// What the decoder produced.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::exhaustive_enums)] // closed: a STOMP stream holds frames and heart-beats
pub enum Item {
    /// A complete frame.
    Frame(Frame),
    /// A heart-beat: an EOL (LF or CRLF) between frames.
    Heartbeat,
}

/// The result of one [`Decoder::decode`] call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "`consumed` says how much input was taken; unconsumed input must be passed again"]
#[allow(clippy::exhaustive_structs)] // closed: input taken, item completed
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
    /// After a `content-length` body, an LF where the NUL belongs (only with
    /// [`Decoder::set_cut_nul`]): expecting the NUL the caller appended.
    CutNul,
    /// An error happened; input is refused.
    Failed,
}

/// Header count and text capacity a new frame starts with at most, whatever the previous
/// frame had (the previous frame's sizes are the guess, so a stream of similar frames
/// allocates each header list once, at its final size).
const HINT_MAX: (usize, usize) = (64, 4096);
/// ... and at least.
const HINT_MIN: (usize, usize) = (4, 64);

/// An incremental STOMP decoder.
///
/// Feed it bytes as they arrive, in chunks of any size; it yields exactly the same
/// [`Item`]s for any split of the same stream, one byte at a time included — and, when the
/// stream is bad, the same error at the same frame. Each body byte is copied once, from the
/// input into the frame's body; header lines are copied once into the frame's header text,
/// which is checked for UTF-8 and unescaped (only if it holds a backslash) once per frame.
///
/// Every bound of [`Limits`] is checked as bytes arrive: a limit is reported at the first byte
/// that exceeds it, and no buffer grows past it (a `content-length` beyond a limit is refused
/// before anything is allocated for it). What the decoder holds is therefore bounded by the
/// limits, whatever the input.
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
pub struct Decoder {
    limits: Limits,
    version: Version,
    state: State,
    /// One EOL after a frame's NUL belongs to the frame.
    after_frame: bool,
    /// See [`Decoder::set_cut_nul`].
    cut_nul: bool,
    /// Set only by [`AnyCommandDecoder`](super::AnyCommandDecoder): a command line that
    /// names no STOMP command is read as a frame, its text kept in `other_command`.
    pub(super) any_command: bool,
    /// The command line of the frame being read (or last handed out) when it named no STOMP
    /// command, else empty; that frame's `command` is then a stand-in nobody sees.
    pub(super) other_command: String,
    /// Bytes of the current frame seen so far (never more than `max_frame_size`).
    frame_size: usize,
    /// A line split across inputs (never more than its limit plus a CR).
    line: Vec<u8>,
    command: Command,
    /// The escaping of the current frame, fixed when its command is read.
    escaping: Escaping,
    /// The header lines read so far, as `name:value` pieces, still escaped and unchecked.
    text: Vec<u8>,
    /// Where each of those names and values ends in `text`.
    ends: Vec<Ends>,
    /// The checked, unescaped headers, once the header block is complete.
    headers: Headers,
    body: Vec<u8>,
    /// The first `content-length` of the current frame, once read.
    content_length: Option<usize>,
    /// Header count and text size to allocate for the next frame.
    hint: (usize, usize),
}

impl Decoder {
    /// A decoder with these limits, for STOMP 1.2 until told otherwise.
    pub fn new(limits: Limits) -> Decoder {
        Decoder {
            limits,
            version: Version::V1_2,
            state: State::Idle,
            after_frame: false,
            cut_nul: false,
            any_command: false,
            other_command: String::new(),
            frame_size: 0,
            line: Vec::new(),
            command: Command::Error,
            escaping: Escaping::V1_2,
            text: Vec::new(),
            ends: Vec::new(),
            headers: Headers::new(),
            body: Vec::new(),
            content_length: None,
            hint: HINT_MIN,
        }
    }

    /// Sets the version whose escaping applies to the frames that follow (the session calls
    /// this once CONNECTED names the version). A frame whose command line was already read
    /// keeps the escaping it started with.
    pub fn set_version(&mut self, version: Version) {
        self.version = version;
    }

    /// The version whose escaping applies.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Tolerates the damage of a transport that cuts each message at its first NUL, for a
    /// caller that appends the lost NUL to each message that does not end in one (stompjs's
    /// `appendMissingNULLonIncoming`, a workaround for React Native's WebSocket): after a
    /// `content-length` body, an LF followed by NUL is taken as the frame's end. That is what
    /// such a transport leaves of the `NUL LF` that ends a frame (as RabbitMQ and ActiveMQ
    /// write it) once the NUL is appended.
    ///
    /// Off by default: the LF is then [`DecodeError::MissingNul`]. A body without
    /// `content-length` needs no leniency (the appended NUL ends it). The setting applies from
    /// the next byte on and survives [`Decoder::reset`].
    ///
    /// ```
    /// use stompwire::frame::{Decoder, Item, Limits};
    ///
    /// // The broker wrote `...hi\0\n`; the transport dropped the NUL; the caller appended one.
    /// let message = b"MESSAGE\ncontent-length:2\n\nhi\n\0";
    /// let mut decoder = Decoder::new(Limits::default());
    /// assert!(decoder.feed(message).any(|item| item.is_err()));
    ///
    /// let mut decoder = Decoder::new(Limits::default());
    /// decoder.set_cut_nul(true);
    /// let items: Vec<Item> = decoder.feed(message).collect::<Result<_, _>>().unwrap();
    /// let [Item::Frame(frame)] = &items[..] else { panic!("{items:?}") };
    /// assert_eq!(frame.body(), b"hi");
    /// ```
    ///
    /// [`DecodeError::MissingNul`]: super::DecodeError::MissingNul
    pub fn set_cut_nul(&mut self, on: bool) {
        self.cut_nul = on;
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
        self.other_command.clear();
        self.clear_frame();
    }

    /// Takes the whole counted body of the MESSAGE being read — `n` bytes, none of which has
    /// arrived yet — as read, without storing it: the caller holds those bytes (a WebSocket
    /// message the frame ends), and the frame comes out with an empty body. Every limit still
    /// counts the `n` bytes. Next comes the NUL, as after any counted body.
    ///
    /// Returns `false`, and changes nothing, unless the decoder has just read the blank line of
    /// a MESSAGE whose `content-length` is `n`.
    ///
    /// ```
    /// use stompwire::frame::{Decoder, Item, Limits};
    ///
    /// let mut decoder = Decoder::new(Limits::default());
    /// let head = b"MESSAGE\ndestination:/queue/a\nmessage-id:1\nsubscription:0\ncontent-length:5\n\n";
    /// assert!(decoder.feed(head).next().is_none());
    /// assert!(!decoder.elide_body(4), "not the body's length");
    /// assert!(decoder.elide_body(5));
    /// let Some(Ok(Item::Frame(frame))) = decoder.feed(b"\0").next() else { panic!() };
    /// assert_eq!(frame.content_length(), Some(5));
    /// assert!(frame.body().is_empty(), "the caller holds the body");
    /// ```
    pub fn elide_body(&mut self, n: usize) -> bool {
        let fresh = self.state == State::Body && self.body.is_empty();
        let message = self.command == Command::Message && self.other_command.is_empty();
        if !fresh || !message || self.content_length != Some(n) {
            return false;
        }
        // Within the limits: `start_body` checked the length against them.
        if self.grow_frame(n).is_err() {
            return false;
        }
        self.state = State::Nul;
        true
    }

    /// Whether the decoder holds part of a frame (a connection closing now cut a frame short).
    pub fn in_frame(&self) -> bool {
        matches!(
            self.state,
            State::Command | State::Headers | State::Body | State::Nul | State::CutNul
        )
    }

    /// Whether an error has stopped this decoder (until [`Decoder::reset`]).
    pub fn has_failed(&self) -> bool {
        self.state == State::Failed
    }

    /// Decodes the items `input` holds, as an iterator. Stops after the first error.
    ///
    /// Consume the iterator to the end: input it has not reached yet is not decoded (see
    /// [`Feed::remaining`]). [`Decoder::decode`] is the one-item-at-a-time form.
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
    /// (see [`Decoder::has_failed`]) and lets go of the partial frame; items returned earlier
    /// stay valid.
    pub fn decode(&mut self, input: &[u8]) -> Result<Decoded, DecodeError> {
        let result = self.step(input);
        if result.is_err() {
            self.state = State::Failed;
            self.clear_frame();
            self.line = Vec::new();
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
                            return Err(DecodeError::UnknownCommand(Snippet::new(&[b'\r', b])));
                        }
                        _ => {
                            self.after_frame = false;
                            self.frame_size = 0;
                            self.state = State::Command;
                        }
                    }
                }
                State::Command | State::Headers => {
                    if self.state == State::Headers
                        && self.line.is_empty()
                        && rest.first() == Some(&0)
                    {
                        // The header block ends at a NUL with no blank line before it, as in the
                        // specification's own DISCONNECT and RECEIPT examples: a frame without
                        // a body.
                        self.grow_frame(1)?;
                        if self.content_length.is_some_and(|n| n > 0) {
                            return Err(DecodeError::MissingBlankLine);
                        }
                        self.end_headers()?;
                        return Ok(self.finish(pos + 1));
                    }
                    if self.state == State::Headers && self.line.is_empty() {
                        let next = self.header_lines(input, pos)?;
                        if next != pos {
                            pos = next;
                            continue;
                        }
                    }
                    let max = self.line_max();
                    let held = self.line.len();
                    // Look no further than the first byte that would prove a limit exceeded:
                    // the line's (its text, a CR and the LF), or the frame's.
                    let window = rest
                        .len()
                        .min(max.saturating_add(2) - held)
                        .min(self.frame_room());
                    let w = &rest[..window];
                    match find(w, b'\n') {
                        Some(i) => {
                            self.grow_frame(i + 1)?;
                            pos += i + 1;
                            if held == 0 {
                                self.line_complete(&w[..i])?;
                            } else {
                                let mut line = core::mem::take(&mut self.line);
                                line.extend_from_slice(&w[..i]);
                                let r = self.line_complete(&line);
                                line.clear();
                                self.line = line;
                                r?;
                            }
                        }
                        None => {
                            self.grow_frame(window)?;
                            if held + window > max.saturating_add(1) {
                                return Err(self.line_limit(held + window - 1));
                            }
                            reserve_bounded(&mut self.line, window, max.saturating_add(1));
                            self.line.extend_from_slice(w);
                            return Ok(none(pos + window));
                        }
                    }
                }
                State::Body => match self.content_length {
                    Some(n) => {
                        let take = (n - self.body.len()).min(rest.len());
                        self.grow_frame(take)?;
                        if self.body.is_empty() {
                            // Allocated once the body arrives (it may be elided instead).
                            self.body.reserve_exact(n);
                        }
                        self.body.extend_from_slice(&rest[..take]);
                        pos += take;
                        if self.body.len() < n {
                            return Ok(none(pos));
                        }
                        self.state = State::Nul;
                    }
                    None => {
                        let max = self.limits.max_body_size;
                        let window = rest
                            .len()
                            .min((max - self.body.len()).saturating_add(1))
                            .min(self.frame_room());
                        let (take, done) = match memchr::memchr(0, &rest[..window]) {
                            Some(i) => (i, true),
                            None => (window, false),
                        };
                        self.grow_frame(take + usize::from(done))?;
                        let body = self.body.len() + take;
                        if body > max {
                            return Err(limit(Limit::BodySize, max, body));
                        }
                        reserve_bounded(&mut self.body, take, max);
                        self.body.extend_from_slice(&rest[..take]);
                        if !done {
                            return Ok(none(pos + take));
                        }
                        return Ok(self.finish(pos + take + 1));
                    }
                },
                State::Nul | State::CutNul => {
                    let Some(&b) = rest.first() else {
                        return Ok(none(pos));
                    };
                    self.grow_frame(1)?;
                    let cut = self.state == State::CutNul;
                    if b == 0 {
                        let done = self.finish(pos + 1);
                        // After a cut NUL, the EOL that follows a frame came before its NUL.
                        self.after_frame = !cut;
                        return Ok(done);
                    }
                    if cut || b != b'\n' || !self.cut_nul {
                        // The byte where the NUL belongs.
                        let found = if cut { b'\n' } else { b };
                        return Err(DecodeError::MissingNul { found });
                    }
                    pos += 1;
                    self.state = State::CutNul;
                }
            }
        }
    }

    /// How many more bytes the frame may take before the one that exceeds `max_frame_size`,
    /// that one included.
    fn frame_room(&self) -> usize {
        (self.limits.max_frame_size - self.frame_size).saturating_add(1)
    }

    /// Counts `n` more bytes against `max_frame_size`.
    fn grow_frame(&mut self, n: usize) -> Result<(), DecodeError> {
        let size = self.frame_size.saturating_add(n);
        if size > self.limits.max_frame_size {
            return Err(limit(Limit::FrameSize, self.limits.max_frame_size, size));
        }
        self.frame_size = size;
        Ok(())
    }

    /// The length limit of the line being read.
    fn line_max(&self) -> usize {
        if self.state == State::Command {
            self.limits.max_command_len
        } else {
            self.limits.max_header_line
        }
    }

    fn line_limit(&self, actual: usize) -> DecodeError {
        if self.state == State::Command {
            limit(Limit::CommandLength, self.limits.max_command_len, actual)
        } else {
            limit(Limit::HeaderLine, self.limits.max_header_line, actual)
        }
    }

    /// Reads the header lines that lie whole in `input` from `pos` on, the common case, with
    /// one scan per line for its LF and any backslash. Returns where it stopped: at the end of
    /// the input, at a line that does not end in it or starts with NUL (both left to the
    /// general path), or after the blank line that starts the body.
    fn header_lines(&mut self, input: &[u8], mut pos: usize) -> Result<usize, DecodeError> {
        let max = self.limits.max_header_line;
        while let Some(rest) = input
            .get(pos..)
            .filter(|r| r.first().is_some_and(|&b| b != 0))
        {
            // As in the general path: no further than the first byte over a limit.
            let w = &rest[..rest.len().min(max.saturating_add(2)).min(self.frame_room())];
            let (lf, backslash) = match find_any(w, [b'\n', b'\\']) {
                Some(i) if w[i] == b'\n' => (i, false),
                Some(i) => match find(&w[i..], b'\n') {
                    Some(n) => (i + n, true),
                    None => break,
                },
                None => break,
            };
            self.grow_frame(lf + 1)?;
            pos += lf + 1;
            let line = w[..lf].strip_suffix(b"\r").unwrap_or(&w[..lf]);
            if line.len() > max {
                return Err(limit(Limit::HeaderLine, max, line.len()));
            }
            if line.is_empty() {
                self.end_headers()?;
                self.start_body()?;
                break;
            }
            self.header_line(line, find(line, b':'), backslash)?;
        }
        Ok(pos)
    }

    /// Handles one complete line (without its LF) of the command or header block.
    fn line_complete(&mut self, line: &[u8]) -> Result<(), DecodeError> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > self.line_max() {
            return Err(self.line_limit(line.len()));
        }
        if self.state == State::Command {
            self.other_command.clear();
            self.command = match Command::from_bytes(line) {
                Some(command) => command,
                None => match core::str::from_utf8(line) {
                    // A word of printable ASCII, for AnyCommandDecoder.
                    Ok(text) if self.any_command && line.iter().all(u8::is_ascii_graphic) => {
                        self.other_command.push_str(text);
                        // A stand-in, never handed out as such: its headers are escaped as a
                        // MESSAGE's (any command but CONNECT, STOMP and CONNECTED).
                        Command::Message
                    }
                    _ => return Err(DecodeError::UnknownCommand(Snippet::new(line))),
                },
            };
            self.escaping = Escaping::of(self.command, self.version);
            self.text = Vec::with_capacity(self.hint.1);
            self.ends = Vec::with_capacity(self.hint.0);
            self.content_length = None;
            self.state = State::Headers;
            Ok(())
        } else if line.is_empty() {
            self.end_headers()?;
            self.start_body()
        } else {
            let colon = find(line, b':');
            let backslash = find(line, b'\\').is_some();
            self.header_line(line, colon, backslash)
        }
    }

    /// Takes one header line (without its EOL), whose first colon is at `colon` and which
    /// holds a backslash if `backslash`: its name and value are appended to the header text
    /// as `name:value`, unescaped if need be. The UTF-8 check waits for the end of the block
    /// (escapes are ASCII, so unescaping neither makes nor breaks UTF-8).
    #[inline(always)]
    fn header_line(
        &mut self,
        line: &[u8],
        colon: Option<usize>,
        backslash: bool,
    ) -> Result<(), DecodeError> {
        let index = self.ends.len();
        if index >= self.limits.max_headers {
            return Err(limit(Limit::Headers, self.limits.max_headers, index + 1));
        }
        let colon = colon.ok_or(DecodeError::MissingColon { line: index })?;
        let (name, value) = if self.limits.trim_header_whitespace {
            (line[..colon].trim_ascii(), line[colon + 1..].trim_ascii())
        } else {
            (&line[..colon], &line[colon + 1..])
        };
        if name.is_empty() {
            return Err(DecodeError::EmptyHeaderName { line: index });
        }
        if self.content_length.is_none() && name == b"content-length" {
            // Digits need no unescaping; a backslash makes the value invalid either way.
            self.content_length =
                Some(parse_content_length(value).ok_or(DecodeError::InvalidContentLength)?);
        }
        let name_end;
        if backslash && self.escaping != Escaping::None {
            unescape_into(&mut self.text, name, self.escaping, index)?;
            name_end = self.text.len();
            self.text.push(b':');
            unescape_into(&mut self.text, value, self.escaping, index)?;
        } else if name.len() + 1 + value.len() == line.len() {
            name_end = self.text.len() + name.len();
            self.text.extend_from_slice(line);
        } else {
            self.text.extend_from_slice(name);
            name_end = self.text.len();
            self.text.push(b':');
            self.text.extend_from_slice(value);
        }
        self.ends.push(Ends {
            name: name_end,
            value: self.text.len(),
        });
        Ok(())
    }

    /// The header block is complete: checks its text is UTF-8 and makes it the frame's
    /// [`Headers`].
    fn end_headers(&mut self) -> Result<(), DecodeError> {
        let ends = core::mem::take(&mut self.ends);
        let (text, valid) = match String::from_utf8(core::mem::take(&mut self.text)) {
            Ok(text) => {
                let valid = text.len();
                (Ok(text), valid)
            }
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                (Err(e.into_bytes()), valid)
            }
        };
        let bytes = match &text {
            Ok(text) => text.as_bytes(),
            Err(bytes) => bytes.as_slice(),
        };
        // The first line that is not UTF-8 on its own: the one holding the first invalid byte,
        // or one ending inside a character. (The lines are joined without a separator, so the
        // next line can complete such a character and make the whole text valid.)
        let bad = ends
            .iter()
            .position(|e| e.value > valid || (e.value < valid && bytes[e.value] & 0xC0 == 0x80));
        match (text, bad) {
            (Ok(text), None) => {
                self.headers = Headers::from_parts(text, ends);
                Ok(())
            }
            (_, bad) => Err(DecodeError::NonUtf8Header {
                line: bad.unwrap_or(0),
            }),
        }
    }

    /// The blank line after the headers was read.
    fn start_body(&mut self) -> Result<(), DecodeError> {
        self.state = State::Body;
        let Some(n) = self.content_length else {
            return Ok(());
        };
        if n > self.limits.max_body_size {
            return Err(limit(Limit::BodySize, self.limits.max_body_size, n));
        }
        // The body and its NUL.
        let total = self.frame_size.saturating_add(n).saturating_add(1);
        if total > self.limits.max_frame_size {
            return Err(limit(Limit::FrameSize, self.limits.max_frame_size, total));
        }
        Ok(())
    }

    /// Hands out the completed frame; `consumed` includes its NUL.
    fn finish(&mut self, consumed: usize) -> Decoded {
        self.hint = (
            self.headers.len().clamp(HINT_MIN.0, HINT_MAX.0),
            self.headers.text_len().clamp(HINT_MIN.1, HINT_MAX.1),
        );
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
        self.text = Vec::new();
        self.ends = Vec::new();
        self.headers = Headers::new();
        self.body = Vec::new();
        self.content_length = None;
    }
}

/// Shows the state and sizes only: a partial frame may hold credentials.
impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("limits", &self.limits)
            .field("version", &self.version)
            .field("state", &self.state)
            .field("frame_size", &self.frame_size)
            .field("headers", &self.ends.len().max(self.headers.len()))
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
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

/// Makes room for `additional` more bytes in `buf`, growing geometrically as `Vec` does but
/// never past `max` (the caller has checked that `buf.len() + additional <= max`).
fn reserve_bounded(buf: &mut Vec<u8>, additional: usize, max: usize) {
    let needed = buf.len() + additional;
    if needed > buf.capacity() {
        let target = buf.capacity().saturating_mul(2).min(max).max(needed);
        buf.reserve_exact(target - buf.len());
    }
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
