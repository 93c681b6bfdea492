//! The core as the package's JavaScript layer drives it: [`Core`], the [`Lifecycle`] (session
//! and supervisor) behind a narrow interface of numbers, strings and byte arrays.
//!
//! The JavaScript layer owns the WebSocket, the timers, the callbacks, the promises and the
//! option objects. It tells the core what happened (a socket opened, bytes arrived, time
//! passed, the user called `publish`) and carries out what each call returns: one byte array
//! of records (`packed.rs`) — the messages to write, the session's events (frames with their
//! headers and body, for the layer to materialise when first read), the lifecycle's next step
//! and the next deadline. So a WebSocket message costs one crossing in and one out, whatever
//! it holds.
//!
//! A call that carries out the lifecycle (`start`, `opened`, `feed*`, `tick`, `closed`,
//! `poll`…) returns the events it has and stops after the first other step: the layer carries
//! that step out, then calls [`Core::poll`] for what comes next, so every step is decided
//! with what the previous one changed. A user call (`send*`, `subscribe`…) returns only what it
//! writes, its value or its error, and the deadline.
//!
//! Headers cross as one string: each name and value followed by a NUL.
//!
//! JavaScript sees six exports besides the constructor: `start`, `prepare`, and three that
//! take the call by number — [`step`](Core::step) (the lifecycle calls with only the time),
//! [`input`](Core::input) (bytes: a WebSocket message, a SEND's body) and
//! [`call`](Core::call) (the user calls with strings). Each export costs its own borrow check
//! and argument and answer handling in the module (about 200 B gzip apiece, measured), so the
//! calls behind them are plain Rust methods, named, for Rust callers and tests.

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::prelude::*;

use super::error;
use super::lifecycle::{CloseCause, Lifecycle, Step};
use super::log;
use super::packed::{Lost, Out, tag};
use super::settings::{self, Connect, Reconnect};
use crate::frame::scan::pieces;
use crate::frame::{Command, ContentLength, Frame, Headers, Limits, Version};
use crate::reconnect::Random;
use crate::session::{AckMode, CloseReason, Event, LostReason, ReceiptOutcome, SessionError};

/// Reconnect jitter's randomness: xorshift32 seeded by the JavaScript layer.
pub(crate) struct Seeded(u32);

impl Random for Seeded {
    fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// Time from JavaScript (`performance.now()`), in whole milliseconds.
fn ms(now: f64) -> u64 {
    settings::ms(now)
}

/// Headers from their packed form (`name\0value\0…`).
fn unpack(packed: &str) -> Headers {
    let mut headers = Headers::new();
    let mut parts = pieces(packed, 0);
    while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
        headers.push(name, value);
    }
    headers
}

/// The session and supervisor of one client of the package.
#[wasm_bindgen(skip_typescript)]
pub struct Core {
    link: Lifecycle<Seeded>,
    out: Out,
    /// MESSAGE frames whose bodies the last answer handed over by reference: kept until the
    /// next answer with events.
    held: Vec<Frame>,
    debug: bool,
    raw: bool,
    /// The reconnect settings given to [`start`](Core::start).
    activated: Reconnect,
    /// While [`elide`](Core::elide) answers: the body the session did not read, as its place
    /// (offset, length) in the WebSocket message.
    elided: Option<(u32, u32)>,
}

/// How many session settings `prepare` takes before the time and the reconnect settings.
const SESSION_SETTINGS: usize = 11;

/// The reconnect settings in the order `start` and `prepare` take them.
fn reconnect(s: &[f64]) -> Reconnect {
    let at = |i: usize| s.get(i).copied().unwrap_or(0.0);
    Reconnect {
        delay_ms: at(0),
        exponential: at(1) == 1.0,
        max_delay_ms: at(2),
        jitter: at(3),
        max_attempts: at(4),
        targets: at(5) as usize,
        connection_timeout_ms: at(6),
        connected_timeout_ms: at(7),
    }
}

impl Core {
    /// Writes what the session queued, then the deadline: the end of every call.
    #[inline(never)]
    fn finish(&mut self) -> Vec<u8> {
        self.write_pending();
        let deadline = self.link.deadline().map_or(-1.0, |d| d as f64);
        let open = self.link.session.is_connected();
        self.out
            .tag(tag::DEADLINE)
            .f64(deadline)
            .byte(u8::from(open));
        self.out.take()
    }

    /// The messages the session queued, as write records.
    #[inline(never)]
    fn write_pending(&mut self) {
        while let Some(bytes) = self.link.session.poll_transmit() {
            if self.debug {
                let line = log::outgoing(&bytes, self.raw);
                self.out.tag(tag::DEBUG).str(&line);
            }
            let text = core::str::from_utf8(&bytes).is_ok();
            self.out
                .tag(if text {
                    tag::WRITE_TEXT
                } else {
                    tag::WRITE_BINARY
                })
                .bytes(&bytes);
            self.link.session.recycle(bytes);
        }
    }

    /// The lifecycle's events, up to and with the first other step; then [`finish`].
    #[inline(never)]
    fn steps(&mut self, now: u64) -> Vec<u8> {
        self.steps_over(now, &[])
    }

    /// [`steps`](Self::steps) after `input` (the WebSocket message just fed): a large MESSAGE
    /// body that `input` ends with is handed over as its place in `input`.
    #[inline(never)]
    fn steps_over(&mut self, now: u64, input: &[u8]) -> Vec<u8> {
        // Writes come first: they were made before any of these steps.
        self.write_pending();
        // The layer has copied out what the previous answer referenced.
        self.held.clear();
        while let Some(step) = self.link.poll(now) {
            match step {
                Step::Event(event) => self.event(event, input),
                Step::Open { target } => {
                    self.out
                        .tag(tag::OPEN)
                        .u32(u32::try_from(target).unwrap_or(0));
                    break;
                }
                Step::Close {
                    cause,
                    comm_failure,
                } => {
                    self.out
                        .tag(tag::CLOSE)
                        .byte(u8::from(cause == CloseCause::Timeout))
                        .byte(u8::from(comm_failure));
                    break;
                }
                Step::Scheduled { delay_ms } => {
                    self.out.tag(tag::SCHEDULED).f64(delay_ms as f64);
                    break;
                }
                Step::GaveUp { attempts } => {
                    self.out.tag(tag::GAVE_UP).u32(attempts);
                    break;
                }
            }
        }
        self.finish()
    }

    fn log_frame(&mut self, frame: &Frame) {
        if self.debug && !self.raw {
            let line = log::incoming(frame);
            self.out.tag(tag::DEBUG).str(&line);
        }
    }

    #[inline(never)]
    fn event(&mut self, event: Event, input: &[u8]) {
        match event {
            Event::Connected(connected) => {
                self.log_frame(&connected.frame);
                self.out
                    .tag(tag::CONNECTED)
                    .str(connected.version.as_str())
                    .frame(&connected.frame);
            }
            Event::Message {
                subscription,
                frame,
            } => {
                self.log_frame(&frame);
                let id = if self.link.session.version() == Version::V1_2 {
                    frame.ack()
                } else {
                    frame.message_id()
                };
                let routed = subscription.as_deref().map(String::as_str);
                let acked = frame.subscription().or(routed);
                self.out.tag(tag::MESSAGE).opt(routed).opt(id).opt(acked);
                let elided = self.elided.filter(|&(_, n)| {
                    frame.body.is_empty() && frame.content_length() == Some(n as usize)
                });
                if let Some((at, n)) = elided {
                    self.elided = None;
                    self.out.frame_at(&frame, at, n);
                } else if self.out.frame_by_reference(&frame, input) {
                    self.held.push(frame);
                }
            }
            Event::Receipt(ReceiptOutcome::Confirmed { id, frame })
            | Event::UnexpectedReceipt { id, frame } => {
                self.log_frame(&frame);
                self.out.tag(tag::RECEIPT).str(&id).frame(&frame);
            }
            Event::Receipt(outcome) => self.receipt_failed(outcome),
            Event::Error(frame) => {
                self.log_frame(&frame);
                self.out.tag(tag::ERROR).frame(&frame);
            }
            Event::Heartbeat => {
                self.out.tag(tag::HEARTBEAT);
            }
            Event::HeartbeatTimeout {
                last_received,
                deadline,
            } => {
                self.out
                    .tag(tag::HEARTBEAT_LOST)
                    .f64(deadline.saturating_sub(last_received) as f64);
            }
            Event::Disconnected(d) => {
                self.out.tag(tag::DISCONNECTED);
                match &d.reason {
                    CloseReason::ConnectRefused(frame) => self.out.byte(1).frame(frame),
                    _ => self.out.byte(0),
                };
                match &d.receipt {
                    Some(frame) => self.out.byte(1).frame(frame),
                    None => self.out.byte(0),
                };
                let session = &self.link.session;
                let kept = session.subscriptions().count();
                self.out.u32(u32::try_from(kept).unwrap_or(0));
                for s in session.subscriptions() {
                    self.out.str(&s.id);
                }
            }
        }
    }

    #[inline(never)]
    fn receipt_failed(&mut self, outcome: ReceiptOutcome) {
        if !outcome.is_final() {
            return; // Sent again: still pending.
        }
        match outcome {
            ReceiptOutcome::Lost { id, reason } => match reason {
                LostReason::Error(frame) => {
                    self.out
                        .tag(tag::RECEIPT_FAILED)
                        .byte(Lost::Error as u8)
                        .str(&id)
                        .frame(&frame);
                }
                LostReason::ShutDown => {
                    self.out
                        .tag(tag::RECEIPT_FAILED)
                        .byte(Lost::ShutDown as u8)
                        .str(&id);
                }
                LostReason::Unencodable(e) => {
                    let message = error::describe(&SessionError::Encode(e));
                    self.out
                        .tag(tag::RECEIPT_FAILED)
                        .byte(Lost::Unencodable as u8)
                        .str(&id)
                        .str(&message);
                }
                _ => {
                    self.out
                        .tag(tag::RECEIPT_FAILED)
                        .byte(Lost::Closed as u8)
                        .str(&id);
                }
            },
            other => {
                self.out
                    .tag(tag::RECEIPT_FAILED)
                    .byte(Lost::TimedOut as u8)
                    .str(other.id());
            }
        }
    }

    /// A user call's outcome: its error as a record, else its value (if any).
    #[inline(never)]
    fn outcome(&mut self, result: Result<Option<String>, SessionError>) -> Vec<u8> {
        match result {
            Ok(Some(value)) => {
                self.out.tag(tag::VALUE).str(&value);
            }
            Ok(None) => {}
            Err(e) => self.throw(&e),
        }
        self.finish()
    }

    #[inline(never)]
    fn throw(&mut self, e: &SessionError) {
        match e {
            SessionError::NotConnected { .. } => {
                self.out
                    .tag(tag::THROW)
                    .byte(1)
                    .str("There is no underlying STOMP connection");
            }
            other => {
                let message = error::describe(other);
                self.out.tag(tag::THROW).byte(0).str(&message);
            }
        }
    }
}

#[wasm_bindgen]
impl Core {
    /// An inactive core.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Core {
        Core {
            link: Lifecycle::new(),
            out: Out::default(),
            held: Vec::new(),
            debug: false,
            raw: false,
            activated: Reconnect::default(),
            elided: None,
        }
    }

    /// A WebSocket message of one large MESSAGE, given as its `head` (up to and with the first
    /// blank line), the length of its body, and its `end` (the NUL and any EOLs): the body is
    /// not copied into the core at all — the session takes it as read
    /// ([`Session::elide_body`]), and the MESSAGE record hands it over as its place in the
    /// message. When the head does not end that way (heart-beats or another frame first, no
    /// `content-length`, raw logging on), the head is read as usual and the answer starts with
    /// a value, `"rest"`: the layer feeds the rest of the message after it.
    ///
    /// [`Session::elide_body`]: crate::session::Session::elide_body
    pub fn elide(&mut self, head: &[u8], body: u32, end: &[u8], now: f64) -> Vec<u8> {
        // Raw logging shows the bytes as they came, and a place's length has 30 bits in a
        // record: the head is read as usual, and the rest follows.
        if (self.debug && self.raw) || body >= 0x4000_0000 {
            self.out.tag(tag::VALUE).str("rest");
            return self.feed(head, now, false);
        }
        let t = ms(now);
        let fed = self.link.socket_message(head, t, false);
        if fed.is_ok() && self.link.session.elide_body(body as usize) {
            self.elided = Some((u32::try_from(head.len()).unwrap_or(0), body));
            let answer = self.feed(end, now, false);
            self.elided = None;
            return answer;
        }
        if fed.is_ok() {
            self.out.tag(tag::VALUE).str("rest");
        }
        self.fed(fed, t, head)
    }

    /// Starts connecting. `s`: `reconnectDelay`, 1 for `EXPONENTIAL`, `maxReconnectDelay`,
    /// `reconnectJitter`, `maxReconnectAttempts`, the broker list's length,
    /// `connectionTimeout`, `connectedTimeout`; `seed` seeds the jitter.
    pub fn start(&mut self, now: f64, s: &[f64], seed: u32) -> Vec<u8> {
        self.activated = reconnect(s);
        self.link
            .start(ms(now), self.activated.plan(), Seeded(seed | 1));
        self.steps(ms(now))
    }

    /// A lifecycle step without other input, by number (one export instead of nine): 0
    /// [`opened`](Core::opened), 1 [`failed`](Core::failed), 2 [`closing`](Core::closing), 3
    /// [`closed`](Core::closed), 4 [`transport_closed`](Core::transport_closed), 5
    /// [`tick`](Core::tick), 6 [`shut_down`](Core::shut_down), 7 [`stop`](Core::stop) and 9
    /// [`logging`](Core::logging), with `now` 1 for `debug` plus 2 for `raw` (both answer with
    /// nothing); anything else [`poll`](Core::poll).
    pub fn step(&mut self, op: u32, now: f64) -> Vec<u8> {
        match op {
            0 => self.opened(now),
            1 => self.failed(now),
            2 => self.closing(now),
            3 => self.closed(now),
            4 => self.transport_closed(now),
            5 => self.tick(now),
            6 => self.shut_down(now),
            7 => {
                self.stop();
                Vec::new()
            }
            9 => {
                let flags = now as u32;
                self.logging(flags & 1 == 1, flags & 2 == 2);
                Vec::new()
            }
            _ => self.poll(now),
        }
    }

    /// The session settings of the next connection. `s`: `heartbeatOutgoing`,
    /// `heartbeatIncoming`, `heartbeatToleranceMultiplier`, then `limits`' `maxFrameSize`,
    /// `maxBodySize`, `maxHeaders`, `maxHeaderLine`, `maxCommandLength` (NaN: the default),
    /// `trimHeaderWhitespace`, then `replaySubscriptions`, `resendUnreceipted` (0 or 1);
    /// Then, once `beforeConnect` is over, the time the socket is made (the attempt's
    /// `connectionTimeout` runs from here) and the reconnect settings as this attempt reads
    /// them, in `start`'s order (`reconnectTimeMode`, `maxReconnectDelay`… as they were when
    /// the attempt began, `connectionTimeout` and `connectedTimeout` as they are now); without
    /// them the attempt's time runs from the socket's `open`.
    /// `versions`: `stompVersions` joined by commas; `headers`: `connectHeaders`, packed.
    /// Returns the WebSocket subprotocols to offer, joined by commas.
    pub fn prepare(&mut self, s: &[f64], versions: &str, headers: &str) -> String {
        if let (Some(&now), Some(r)) = (s.get(SESSION_SETTINGS), s.get(SESSION_SETTINGS + 1..)) {
            if !r.is_empty() {
                let plan = reconnect(r).while_active(&self.activated).plan();
                self.link.opening(ms(now), plan);
            }
        }
        let at = |i: usize| s.get(i).copied().unwrap_or(f64::NAN);
        let d = Limits::DEFAULT;
        let offered = Connect::offered(pieces(versions, b',').filter_map(Version::parse).collect());
        let mut protocols = String::new();
        for v in &offered {
            if !protocols.is_empty() {
                protocols.push(',');
            }
            protocols.push_str(v.subprotocol());
        }
        let connect = Connect {
            versions: offered,
            headers: unpack(headers),
            heartbeat_outgoing_ms: at(0),
            heartbeat_incoming_ms: at(1),
            tolerance: at(2),
            limits: Limits {
                max_frame_size: settings::limit(Some(at(3)), d.max_frame_size),
                max_body_size: settings::limit(Some(at(4)), d.max_body_size),
                max_headers: settings::limit(Some(at(5)), d.max_headers),
                max_header_line: settings::limit(Some(at(6)), d.max_header_line),
                max_command_len: settings::limit(Some(at(7)), d.max_command_len),
                trim_header_whitespace: at(8) == 1.0,
            },
            replay_subscriptions: at(9) == 1.0,
            resend_unreceipted: at(10) == 1.0,
        };
        connect.apply(self.link.session.config_mut());
        protocols
    }

    /// Bytes in, by number (one export instead of two): 0 [`feed`](Core::feed), 1 the same with
    /// `append_nul`; 2 to 5 [`send`](Core::send) with `headers`, plus 1 for
    /// `skip_content_length` and 2 for `receipt`.
    pub fn input(&mut self, op: u32, headers: &str, bytes: &[u8], now: f64) -> Vec<u8> {
        if op < 2 {
            self.feed(bytes, now, op == 1)
        } else {
            let flags = op - 2;
            self.send(headers, bytes, flags & 1 == 1, flags & 2 == 2, now)
        }
    }

    /// A user call with strings, by number (one export instead of seven): 0
    /// [`subscribe`](Core::subscribe) (`a` destination, `b` headers, `x` 1 for a receipt), 1
    /// [`unsubscribe`](Core::unsubscribe) (`a` id, `b` headers), 2 [`begin`](Core::begin) (`a`
    /// the id when `x` is 1, else one is generated), 3 commit and 4 abort ([`end`](Core::end),
    /// `a` id), 5 [`expect`](Core::expect) (`a` id, `x` limit), 6
    /// [`disconnect`](Core::disconnect) (`b` headers), 7 ACK and 8 NACK ([`ack`](Core::ack):
    /// `a` id, `b` subscription, `c` headers, `x` the connection).
    pub fn call(&mut self, op: u32, a: &str, b: &str, c: &str, x: f64, now: f64) -> Vec<u8> {
        match op {
            0 => self.subscribe(a, b, x == 1.0, now),
            1 => self.unsubscribe(a, b, now),
            2 => self.begin((x == 1.0).then_some(a), now),
            3 | 4 => self.end(a, op == 3, now),
            5 => self.expect(a, x, now),
            6 => self.disconnect(b, now),
            _ => self.ack(a, b, c, op == 8, x, now),
        }
    }
}

/// The calls [`Core::step`], [`Core::input`] and [`Core::call`] carry out by number (Rust callers name them).
impl Core {
    /// Stops connecting (the socket, if any, is the layer's to close).
    pub fn stop(&mut self) {
        self.link.stop();
    }

    /// Goes inactive: no more attempts, and every receipt still awaited is lost (records).
    pub fn shut_down(&mut self, now: f64) -> Vec<u8> {
        self.link.stop();
        self.link.session.shut_down();
        self.steps(ms(now))
    }

    /// The socket of the current attempt opened: CONNECT goes out.
    pub fn opened(&mut self, now: f64) -> Vec<u8> {
        if let Err(e) = self.link.socket_opened(ms(now)) {
            if self.debug {
                let line = error::describe(&e);
                self.out.tag(tag::DEBUG).str(&line);
            }
        }
        self.steps(ms(now))
    }

    /// No socket could be made for the current attempt.
    pub fn failed(&mut self, now: f64) -> Vec<u8> {
        self.link.socket_failed(ms(now));
        self.steps(ms(now))
    }

    /// The layer is closing the socket: the session ends now.
    pub fn closing(&mut self, now: f64) -> Vec<u8> {
        self.link.closing(ms(now));
        self.steps(ms(now))
    }

    /// The socket closed: the session ends if it had not (its events, not yet the next
    /// attempt: call [`transport_closed`](Self::transport_closed) after `onWebSocketClose`).
    pub fn closed(&mut self, now: f64) -> Vec<u8> {
        self.link.socket_closed(ms(now));
        self.steps(ms(now))
    }

    /// The supervisor is to plan the next attempt.
    pub fn transport_closed(&mut self, now: f64) -> Vec<u8> {
        self.link.transport_closed();
        self.steps(ms(now))
    }

    /// Time has reached `now`.
    pub fn tick(&mut self, now: f64) -> Vec<u8> {
        self.link.tick(ms(now));
        self.steps(ms(now))
    }

    /// What comes next.
    pub fn poll(&mut self, now: f64) -> Vec<u8> {
        self.steps(ms(now))
    }

    /// `subscribe`: the value is the subscription id, then (with `receipt`) a second value,
    /// the receipt id.
    pub fn subscribe(
        &mut self,
        destination: &str,
        headers: &str,
        receipt: bool,
        now: f64,
    ) -> Vec<u8> {
        let mut headers = unpack(headers);
        let ack = match headers.get("ack") {
            None => AckMode::Auto,
            Some(mode) => match AckMode::parse(mode) {
                Some(ack) => ack,
                None => {
                    self.out
                        .tag(tag::THROW)
                        .byte(1)
                        .str("ack must be auto, client or client-individual");
                    return self.finish();
                }
            },
        };
        let session = &mut self.link.session;
        let receipt = receipt.then(|| session.add_receipt(&mut headers));
        let result = session.subscribe(destination, ack, headers, ms(now));
        if let (Ok(id), Some(r)) = (&result, &receipt) {
            // The subscription id first.
            self.out.tag(tag::VALUE).str(id);
            self.out.tag(tag::VALUE).str(r);
            return self.finish();
        }
        self.outcome(result.map(Some))
    }

    /// `unsubscribe`; an id the session no longer knows is forgotten silently (stompjs).
    pub fn unsubscribe(&mut self, id: &str, headers: &str, now: f64) -> Vec<u8> {
        let result = self.link.session.unsubscribe(id, unpack(headers), ms(now));
        let result = match result {
            Err(SessionError::UnknownSubscription(_)) => Ok(None),
            other => other.map(|()| None),
        };
        self.outcome(result)
    }

    /// `begin`: the value is the transaction id (`id`, or a generated one).
    pub fn begin(&mut self, id: Option<&str>, now: f64) -> Vec<u8> {
        let result = self.link.session.begin(id, Headers::new(), ms(now));
        self.outcome(result.map(Some))
    }

    /// `commit` (or, with `commit` false, `abort`) of transaction `id`.
    pub fn end(&mut self, id: &str, commit: bool, now: f64) -> Vec<u8> {
        let session = &mut self.link.session;
        let result = if commit {
            session.commit(id, Headers::new(), ms(now))
        } else {
            session.abort(id, Headers::new(), ms(now))
        };
        self.outcome(result.map(|()| None))
    }

    /// ACK (or, with `nack`, NACK) of message `id` of `subscription` (empty: none). `on`: the
    /// connection the MESSAGE came on — how many CONNECTED records this core had handed out
    /// before its record, which is the session's [`connection`](crate::session::Session::connection)
    /// then (each `Connected` event polled is one such record) — or negative for the id form
    /// (`client.ack(messageId, …)`), which is not checked. A message of an earlier connection
    /// is refused (`THROW` kind 2, a `StaleMessageError`) and nothing is sent: its id means
    /// nothing on this connection (RabbitMQ closes the connection over an unknown delivery
    /// tag), and the broker redelivers it.
    pub fn ack(
        &mut self,
        id: &str,
        subscription: &str,
        headers: &str,
        nack: bool,
        on: f64,
        now: f64,
    ) -> Vec<u8> {
        let subscription = Some(subscription).filter(|s| !s.is_empty());
        let session = &mut self.link.session;
        let headers = unpack(headers);
        let result = if on >= 0.0 {
            // The MESSAGE as far as the session reads it to acknowledge it.
            let mut message = Headers::new();
            let key = if session.version() == Version::V1_2 {
                "ack"
            } else {
                "message-id"
            };
            message.push(key, id);
            if let Some(s) = subscription {
                message.push("subscription", s);
            }
            let message = Frame::from_parts(Command::Message, message, Vec::new());
            let on = on as u64;
            if nack {
                session.nack_from(&message, on, headers, ms(now))
            } else {
                session.ack_from(&message, on, headers, ms(now))
            }
        } else if nack {
            session.nack_id(id, subscription, headers, ms(now))
        } else {
            session.ack_id(id, subscription, headers, ms(now))
        };
        if let Err(SessionError::StaleMessage) = result {
            let message = log::concat(&[
                "MESSAGE ",
                id,
                ": ",
                &error::describe(&SessionError::StaleMessage),
            ]);
            self.out.tag(tag::THROW).byte(2).str(&message);
            return self.finish();
        }
        self.outcome(result.map(|()| None))
    }

    /// A promise waits for receipt `id` within `limit_ms` (0: no limit): the session keeps
    /// the deadline, across reconnects.
    pub fn expect(&mut self, id: &str, limit_ms: f64, now: f64) -> Vec<u8> {
        let limit = ms(limit_ms);
        let deadline = (limit > 0).then(|| ms(now).saturating_add(limit));
        self.link.session.expect_receipt(id, deadline);
        self.finish()
    }

    /// DISCONNECT with a receipt; the value is the receipt id. The layer then calls
    /// [`poll`](Self::poll) (the session may ask for the close).
    pub fn disconnect(&mut self, headers: &str, now: f64) -> Vec<u8> {
        let mut headers = unpack(headers);
        let session = &mut self.link.session;
        let id = session.add_receipt(&mut headers);
        if let Err(e) = session.disconnect(headers, ms(now)) {
            if self.debug {
                let line =
                    log::concat(&["Ignoring error during disconnect: ", &error::describe(&e)]);
                self.out.tag(tag::DEBUG).str(&line);
            }
        }
        self.out.tag(tag::VALUE).str(&id);
        self.finish()
    }

    /// Whether debug lines are wanted, and with the raw bytes (`logRawCommunication`).
    pub fn logging(&mut self, debug: bool, raw: bool) {
        self.debug = debug;
        self.raw = raw;
    }

    /// A WebSocket message arrived (a text message as its UTF-8); with `append_nul`, a NUL is
    /// added when it does not end in one (`appendMissingNULLonIncoming`).
    pub fn feed(&mut self, bytes: &[u8], now: f64, append_nul: bool) -> Vec<u8> {
        let now = ms(now);
        if self.debug && self.raw {
            let line = log::incoming_raw(bytes);
            self.out.tag(tag::DEBUG).str(&line);
        }
        let fed = self.link.socket_message(bytes, now, append_nul);
        self.fed(fed, now, bytes)
    }

    /// After a WebSocket message was fed: a protocol error said, then the steps.
    fn fed(&mut self, fed: Result<(), SessionError>, now: u64, bytes: &[u8]) -> Vec<u8> {
        if let Err(e) = fed {
            let message = error::describe(&e);
            let command = match &e {
                SessionError::UnexpectedFrame { command, .. } => Some(command.as_str()),
                _ => None,
            };
            self.out.tag(tag::PROTOCOL_ERROR).str(&message).opt(command);
        }
        self.steps_over(now, bytes)
    }

    /// `publish` (`headers` packed, `destination` first): `content-length` is written unless
    /// `skip_content_length` (the layer never skips it for a binary body, as stompjs); with
    /// `receipt`, a `receipt` header is added and its id is the value.
    pub fn send(
        &mut self,
        headers: &str,
        body: &[u8],
        skip_content_length: bool,
        receipt: bool,
        now: f64,
    ) -> Vec<u8> {
        let content_length = if skip_content_length {
            ContentLength::Skip
        } else {
            ContentLength::Auto
        };
        let mut headers = unpack(headers);
        let session = &mut self.link.session;
        let receipt = receipt.then(|| session.add_receipt(&mut headers));
        let frame = Frame::from_parts(Command::Send, headers, body.to_vec());
        let result = session.send_frame(frame, content_length, ms(now));
        self.outcome(result.map(|()| receipt))
    }
}

impl Default for Core {
    fn default() -> Core {
        Core::new()
    }
}
