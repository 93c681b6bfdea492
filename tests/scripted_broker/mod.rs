//! A scripted fake broker for the session tests.
//!
//! [`Pair`] holds a [`Session`] and plays a broker's part in a script the test writes: broker
//! frames go in as bytes ([`Pair::broker`]), and what the session writes back is decoded with
//! [`stompwire::frame::Decoder`] ([`Pair::sent`]), heart-beat EOLs counted apart
//! ([`Pair::heartbeats`]). Time is a fake clock ([`Pair::now`]) moved by [`Pair::advance`],
//! which stops at every [`Session::poll_timeout`] deadline on the way, in order, as a shell's
//! timer would. Nothing sleeps and nothing is random: a script gives the same result on every
//! run.
//!
//! Every chunk the session hands out must be exactly one frame or one EOL; the harness panics
//! otherwise, so every test checks that rule of [`Session::poll_transmit`] for free.
#![allow(dead_code)]

use stompwire::frame::{Command, Decoder, Frame, Headers, Item, Limits};
use stompwire::session::{CloseReason, Config, Connected, Disconnected, Event, Session};

/// How many deadlines [`Pair::advance`] handles at one instant before it decides that the
/// session keeps asking for a deadline it does not clear.
const MAX_STEPS_PER_INSTANT: usize = 16;

/// One item the session wrote.
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    /// A frame, decoded.
    Frame(Frame),
    /// A heart-beat EOL.
    Heartbeat,
}

/// A session and the scripted broker on the other end of its transport.
pub struct Pair {
    /// The session under test.
    pub session: Session,
    /// The fake clock, in milliseconds.
    pub now: u64,
    /// Decodes what the session writes.
    decoder: Decoder,
    /// Frames written and not yet taken by [`Pair::sent`].
    frames: Vec<Frame>,
    /// When each heart-beat was written, not yet taken by [`Pair::heartbeats`].
    heartbeat_times: Vec<u64>,
    /// Everything written, in order, with the time it was taken from the session.
    log: Vec<(u64, Out)>,
    /// The raw chunks written, in order.
    wire: Vec<Vec<u8>>,
    /// Events not yet taken by [`Pair::events`].
    events: Vec<Event>,
}

impl Pair {
    /// A disconnected session with `config`, at time 0.
    pub fn new(config: Config) -> Pair {
        Pair {
            session: Session::new(config),
            now: 0,
            decoder: Decoder::new(Limits::default()),
            frames: Vec::new(),
            heartbeat_times: Vec::new(),
            log: Vec::new(),
            wire: Vec::new(),
            events: Vec::new(),
        }
    }

    /// A session with heart-beats off (so that no deadline interferes unless asked for).
    pub fn quiet() -> Pair {
        Pair::new(Config::default().with_heart_beat(stompwire::session::HeartBeat::NONE))
    }

    /// Calls [`Session::connect`], and returns the CONNECT (or STOMP) frame it wrote.
    ///
    /// Frames written earlier must have been taken with [`Pair::sent`] (so that no test
    /// forgets to look at them).
    pub fn connect(&mut self) -> Frame {
        self.collect();
        assert!(
            self.frames.is_empty(),
            "frames written before connect were not looked at: {:?}",
            self.frames
        );
        self.session.connect(self.now).expect("connect");
        let mut sent = self.sent();
        assert_eq!(sent.len(), 1, "connect writes one frame: {sent:?}");
        sent.remove(0)
    }

    /// Connects and plays `connected` (the broker's CONNECTED bytes); returns what the
    /// [`Event::Connected`] said. Frames the session writes after CONNECTED (replayed
    /// subscriptions, frames sent again) are left for [`Pair::sent`]; other events for
    /// [`Pair::events`].
    pub fn connect_with(&mut self, connected: &[u8]) -> Connected {
        self.connect();
        self.broker(connected).expect("CONNECTED accepted");
        let position = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Connected(_)))
            .unwrap_or_else(|| panic!("no Connected event in {:?}", self.events));
        match self.events.remove(position) {
            Event::Connected(c) => c,
            _ => unreachable!(),
        }
    }

    /// Connects with a STOMP 1.2 CONNECTED without heart-beats.
    pub fn connect_1_2(&mut self) -> Connected {
        self.connect_with(&connected("1.2", "0,0"))
    }

    /// The broker writes `bytes`: hands them to the session in one piece, then collects what
    /// it wrote and reported.
    pub fn broker(&mut self, bytes: &[u8]) -> Result<(), stompwire::session::SessionError> {
        let result = self.session.handle_bytes(bytes, self.now);
        self.collect();
        result
    }

    /// Moves the clock `ms` forward, calling [`Session::handle_timeout`] at each deadline
    /// reached on the way, in order.
    pub fn advance(&mut self, ms: u64) {
        let target = self.now + ms;
        let mut steps_here = 0;
        loop {
            self.collect();
            match self.session.poll_timeout() {
                Some(deadline) if deadline <= target => {
                    let at = deadline.max(self.now);
                    if at == self.now {
                        steps_here += 1;
                        assert!(
                            steps_here <= MAX_STEPS_PER_INSTANT,
                            "deadline {deadline} is never cleared by handle_timeout at {at}"
                        );
                    } else {
                        steps_here = 1;
                    }
                    self.now = at;
                    self.session.handle_timeout(self.now);
                }
                _ => break,
            }
        }
        self.now = target;
    }

    /// The transport closes (by the peer, or because the session asked for it): what the
    /// session had queued is written first, as a shell's run loop does, then
    /// [`Session::handle_close`] is called.
    pub fn close_transport(&mut self) {
        self.collect();
        self.session.handle_close(self.now);
        self.collect();
    }

    /// Closes the transport and returns what the [`Event::Disconnected`] said.
    pub fn disconnected(&mut self) -> Disconnected {
        self.close_transport();
        let position = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Disconnected(_)))
            .unwrap_or_else(|| panic!("no Disconnected event in {:?}", self.events));
        match self.events.remove(position) {
            Event::Disconnected(d) => d,
            _ => unreachable!(),
        }
    }

    /// Closes the transport and returns why the connection ended.
    pub fn close_reason(&mut self) -> CloseReason {
        self.disconnected().reason
    }

    /// The frames the session wrote since the last call, decoded.
    pub fn sent(&mut self) -> Vec<Frame> {
        self.collect();
        std::mem::take(&mut self.frames)
    }

    /// The one frame the session wrote since the last call.
    pub fn sent_one(&mut self) -> Frame {
        let mut sent = self.sent();
        assert_eq!(sent.len(), 1, "expected one frame, got {sent:?}");
        sent.remove(0)
    }

    /// The times at which the session wrote heart-beat EOLs since the last call.
    pub fn heartbeats(&mut self) -> Vec<u64> {
        self.collect();
        std::mem::take(&mut self.heartbeat_times)
    }

    /// Everything the session wrote so far, in order, with the time it was written.
    pub fn log(&mut self) -> &[(u64, Out)] {
        self.collect();
        &self.log
    }

    /// The raw chunks the session wrote so far, in order.
    pub fn wire(&mut self) -> &[Vec<u8>] {
        self.collect();
        &self.wire
    }

    /// The events reported since the last call.
    pub fn events(&mut self) -> Vec<Event> {
        self.collect();
        std::mem::take(&mut self.events)
    }

    /// Drains the session's output into the harness.
    fn collect(&mut self) {
        self.decoder.set_version(self.session.version());
        while let Some(chunk) = self.session.poll_transmit() {
            let out = self.decode_chunk(&chunk);
            match &out {
                Out::Frame(frame) => self.frames.push(frame.clone()),
                Out::Heartbeat => self.heartbeat_times.push(self.now),
            }
            self.log.push((self.now, out));
            self.wire.push(chunk.clone());
            self.session.recycle(chunk);
        }
        while let Some(event) = self.session.poll_event() {
            self.events.push(event);
        }
    }

    /// Decodes one chunk of output, which must be exactly one item.
    fn decode_chunk(&mut self, chunk: &[u8]) -> Out {
        if chunk == b"\n" {
            return Out::Heartbeat;
        }
        self.decoder.reset();
        let decoded = self
            .decoder
            .decode(chunk)
            .unwrap_or_else(|e| panic!("the session wrote an undecodable chunk {chunk:?}: {e}"));
        assert_eq!(
            decoded.consumed,
            chunk.len(),
            "a chunk holds more than one item: {chunk:?}"
        );
        match decoded.item {
            Some(Item::Frame(frame)) => {
                assert!(
                    frame.command.is_client(),
                    "the session wrote a server command: {frame:?}"
                );
                Out::Frame(frame)
            }
            other => panic!("a chunk is not one frame: {chunk:?} gave {other:?}"),
        }
    }
}

/// CONNECTED bytes with this `version` and `heart-beat`.
pub fn connected(version: &str, heart_beat: &str) -> Vec<u8> {
    format!("CONNECTED\nversion:{version}\nheart-beat:{heart_beat}\nserver:scripted/1\nsession:s-1\n\n\0")
        .into_bytes()
}

/// CONNECTED bytes of a STOMP 1.0 broker: no `version`, no `heart-beat`.
pub fn connected_1_0() -> Vec<u8> {
    b"CONNECTED\nsession:s-1\n\n\0".to_vec()
}

/// MESSAGE bytes for subscription `sub`, with `message-id` and `ack` both `id`.
pub fn message(sub: &str, id: &str, destination: &str, body: &str) -> Vec<u8> {
    format!(
        "MESSAGE\nsubscription:{sub}\nmessage-id:{id}\nack:{id}\ndestination:{destination}\ncontent-length:{}\n\n{body}\0",
        body.len()
    )
    .into_bytes()
}

/// RECEIPT bytes for `id`.
pub fn receipt(id: &str) -> Vec<u8> {
    format!("RECEIPT\nreceipt-id:{id}\n\n\0").into_bytes()
}

/// ERROR bytes with this `message` header and, when given, `receipt-id`.
pub fn error(message: &str, receipt_id: Option<&str>) -> Vec<u8> {
    let mut s = format!("ERROR\nmessage:{message}\n");
    if let Some(id) = receipt_id {
        s.push_str(&format!("receipt-id:{id}\n"));
    }
    s.push_str("content-type:text/plain\n\ndetails\0");
    s.into_bytes()
}

/// Headers from name/value pairs.
pub fn headers(pairs: &[(&str, &str)]) -> Headers {
    pairs.iter().copied().collect()
}

/// The header names of `frame`, in order.
pub fn names(frame: &Frame) -> Vec<&str> {
    frame.headers.iter().map(|(n, _)| n).collect()
}

/// Asserts that `frame` has `command` and returns it, for chaining.
pub fn expect(frame: &Frame, command: Command) -> &Frame {
    assert_eq!(frame.command, command, "{frame:?}");
    frame
}
