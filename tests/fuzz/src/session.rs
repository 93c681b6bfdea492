//! Invariants of the STOMP session on arbitrary input, shared by the libFuzzer target
//! (`fuzz_targets/session.rs`), the stable property tests below and `tests/session_memory.rs`.
//!
//! An input is three configuration bytes, then operations of four bytes each
//! (`code a b c`), interpreted like a shell that drives a [`Session`]: broker bytes (raw, or
//! frames made from a template that names the session's own receipt and subscription ids,
//! repeated up to 4096 times), caller calls (SEND with and without receipt, SUBSCRIBE,
//! UNSUBSCRIBE, ACK/NACK, BEGIN/COMMIT/ABORT, DISCONNECT, `expect_receipt`,
//! `set_receipt_deadline`, `shut_down`), the transport closing, a new connection, and the clock
//! advancing. After every operation the harness drains output as a shell does and closes the
//! transport when the session asks (unless the configuration delays that).
//!
//! | config byte | bits | meaning |
//! |---|---|---|
//! | 0 | 0–2 | versions offered (0: all three) |
//! | 0 | 3, 4, 5, 6 | `use_stomp_command`; not `resend_unreceipted`; not `replay_subscriptions`; not `close_on_heartbeat_timeout` |
//! | 0 | 7 | the harness closes the transport only on a `close` operation |
//! | 1 | 0–1, 2–3 | heart-beat out, in: 0, 1, 10, 1000 ms |
//! | 1 | 4–5, 6–7 | CONNECTED timeout: none, 1, 10, 30000 ms; receipt timeout: none, 5, 100, 5000 ms |
//! | 2 | 0–1 | limits: small, tiny, 64 KiB, 64 KiB |
//! | 2 | 2–3, 4–5 | DISCONNECT timeout: 0, 5, 100, 10000 ms; heart-beat receive scale 1.5, 1, 0, 4 |
//!
//! Operation codes (`code % 16`) are the constants `OP_*` below; `a`, `b`, `c` are its
//! parameters (`OP_FEED` reads `a % 64` more bytes: the raw broker bytes).
//!
//! Checked for every input:
//! - nothing panics;
//! - every receipt the session takes on (a frame sent with a `receipt` header, an
//!   `expect_receipt`) has exactly one final outcome (`Confirmed`, `TimedOut`, `Lost`), and
//!   none comes for an id not pending; `Resent` only for a pending id, right after the
//!   `Connected` that names it; an `UnexpectedReceipt` never for a pending id; after the last
//!   operation, a close and `shut_down` leave none pending;
//! - `pending_receipts()` and `is_receipt_pending` agree with that count at every step;
//! - broker input never adds a receipt, a subscription or a transaction, produces at most one
//!   event per byte (plus CONNECTED's replay) and writes nothing but CONNECTED's replay;
//! - a refused caller call changes nothing: no bytes, no events, no receipt;
//! - `handle_bytes` failing leaves the session asking for the close; `Disconnected` names
//!   exactly the transactions that were open;
//! - after `handle_timeout(now)`, `poll_timeout()` is later than `now` (no busy loop);
//! - with a memory probe (a counting allocator): after draining, the live heap stays within a
//!   bound set by the limits and by what the caller sent, whatever the broker sent.

use std::collections::{BTreeSet, VecDeque};

use stompwire::frame::{Frame, Headers, Limits, Version};
use stompwire::session::{AckMode, Config, Event, HeartBeat, Session, State};

/// Raw broker bytes: `a % 64` bytes follow.
pub const OP_FEED: u8 = 0;
/// A broker frame from a template (`a`: kind, `b`: parameter), repeated (`c % 8`: 1, 1, 2, 3,
/// 8, 64, 512, 4096 times).
pub const OP_FRAME: u8 = 1;
/// SEND (`a`: receipt kind, `b`: transaction kind, `c`: body length).
pub const OP_SEND: u8 = 2;
/// SUBSCRIBE (`a`: ack mode, `b`: id kind, `c`: receipt kind).
pub const OP_SUBSCRIBE: u8 = 3;
/// UNSUBSCRIBE (`a`: which subscription, `b`: receipt kind).
pub const OP_UNSUBSCRIBE: u8 = 4;
/// ACK or NACK of a received MESSAGE (`a`: which, `b`: receipt kind, `c`: NACK, by id,
/// in a transaction).
pub const OP_ACK: u8 = 5;
/// BEGIN (`a`: id kind, `b`: receipt kind).
pub const OP_BEGIN: u8 = 6;
/// COMMIT or ABORT (`a`: which transaction, `b`: receipt kind, `c`: abort).
pub const OP_COMMIT: u8 = 7;
/// DISCONNECT (`a`: receipt kind).
pub const OP_DISCONNECT: u8 = 8;
/// A new connection: closes the transport when there is one, then `connect`.
pub const OP_CONNECT: u8 = 9;
/// The transport closes (`handle_close`).
pub const OP_CLOSE: u8 = 10;
/// The clock advances (`a`: by how much, `b` & 1: call `handle_timeout` even when nothing is
/// due).
pub const OP_TIME: u8 = 11;
/// `expect_receipt` (`a`: id kind, `b`: deadline kind).
pub const OP_EXPECT: u8 = 12;
/// `set_receipt_deadline` (`a`: which pending receipt, `b`: deadline kind).
pub const OP_DEADLINE: u8 = 13;
/// `shut_down`.
pub const OP_SHUT_DOWN: u8 = 14;
/// `connect` when disconnected, else raw broker bytes as `OP_FEED`.
pub const OP_CONNECT_OR_FEED: u8 = 15;

/// Operations that are followed by raw bytes (`a % 64` of them).
pub fn takes_bytes(code: u8) -> bool {
    matches!(code % 16, OP_FEED | OP_CONNECT_OR_FEED)
}

const SMALL: Limits = Limits::DEFAULT
    .with_max_frame_size(512)
    .with_max_body_size(128)
    .with_max_headers(8)
    .with_max_header_line(96)
    .with_max_command_len(12)
    .with_trim_header_whitespace(false);

const TINY: Limits = Limits::DEFAULT
    .with_max_frame_size(64)
    .with_max_body_size(8)
    .with_max_headers(3)
    .with_max_header_line(40)
    .with_max_command_len(11)
    .with_trim_header_whitespace(false);

const MEDIUM: Limits = Limits::DEFAULT
    .with_max_frame_size(64 * 1024)
    .with_max_body_size(32 * 1024)
    .with_max_headers(64)
    .with_max_header_line(4096)
    .with_max_command_len(32)
    .with_trim_header_whitespace(true);

/// The session configuration and harness settings that the first three bytes choose.
pub fn config(b0: u8, b1: u8, b2: u8) -> (Config, bool) {
    use Version::{V1_0, V1_1, V1_2};
    let versions = match b0 & 7 {
        0 => vec![V1_0, V1_1, V1_2],
        1 => vec![V1_0],
        2 => vec![V1_1],
        3 => vec![V1_2],
        4 => vec![V1_0, V1_1],
        5 => vec![V1_1, V1_2],
        6 => vec![V1_2, V1_0],
        _ => vec![V1_2, V1_0, V1_1],
    };
    let ms = [0, 1, 10, 1000];
    let mut config = Config::default();
    config.versions = versions;
    config.host = (b2 & 0x80 != 0).then(|| "/".into());
    config.login = (b2 & 0x40 != 0).then(|| "guest".into());
    config.passcode = (b2 & 0x40 != 0).then(|| "guest".into());
    config.use_stomp_command = b0 & 0x08 != 0;
    config.resend_unreceipted = b0 & 0x10 == 0;
    config.replay_subscriptions = b0 & 0x20 == 0;
    config.close_on_heartbeat_timeout = b0 & 0x40 == 0;
    config.heart_beat = HeartBeat {
        outgoing_ms: ms[usize::from(b1 & 3)],
        incoming_ms: ms[usize::from((b1 >> 2) & 3)],
    };
    config.connect_timeout_ms = [None, Some(1), Some(10), Some(30_000)][usize::from((b1 >> 4) & 3)];
    config.receipt_timeout_ms = [None, Some(5), Some(100), Some(5000)][usize::from(b1 >> 6)];
    config.limits = [SMALL, TINY, MEDIUM, MEDIUM][usize::from(b2 & 3)];
    config.disconnect_timeout_ms = [0, 5, 100, 10_000][usize::from((b2 >> 2) & 3)];
    config.heart_beat_receive_scale = [1.5, 1.0, 0.0, 4.0][usize::from((b2 >> 4) & 3)];
    (config, b0 & 0x80 != 0)
}

/// Reads an input, zero bytes past its end.
struct Reader<'a> {
    data: &'a [u8],
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }
}

/// The live heap, in bytes, when the caller has a counting allocator.
pub type Probe<'a> = &'a dyn Fn() -> usize;

/// The MESSAGE frames kept for acknowledging.
const KEPT_MESSAGES: usize = 8;

struct Harness<'p> {
    session: Session,
    now: u64,
    lazy_close: bool,
    /// Receipts the session owes a final outcome, by the caller's account.
    outstanding: BTreeSet<String>,
    /// MESSAGE frames received, for ACK and NACK.
    messages: VecDeque<Frame>,
    /// Open transactions before the current operation, for `Disconnected`.
    transactions_before: BTreeSet<String>,
    /// Bytes of everything the caller passed, and the number of calls.
    caller_bytes: usize,
    caller_calls: usize,
    probe: Option<Probe<'p>>,
    base: usize,
    counter: u64,
}

/// A pool of ids the caller may choose; some collide with generated ones.
fn pick_id(pool: &[&str], kind: u8) -> String {
    pool[usize::from(kind) % pool.len()].to_string()
}

impl Harness<'_> {
    fn pending_snapshot(&self) -> (usize, usize, usize) {
        (
            self.session.pending_receipts(),
            self.session.subscriptions().count(),
            self.session.transactions().count(),
        )
    }

    /// Adds a `receipt` header as `kind` says: none, a generated id, or one from a small pool.
    fn receipt(&mut self, headers: &mut Headers, kind: u8) -> Option<String> {
        match kind % 4 {
            0 => None,
            1 => Some(self.session.add_receipt(headers)),
            _ => {
                let id = pick_id(&["r0", "r1", "rcpt-0", "rcpt-1", "sub-0"], kind / 4);
                headers.push("receipt", &id);
                Some(id)
            }
        }
    }

    fn deadline(&self, kind: u8) -> Option<u64> {
        match kind % 5 {
            0 => None,
            1 => Some(self.now),
            2 => Some(self.now.saturating_sub(1)),
            3 => Some(self.now + 7),
            _ => Some(self.now + 3000),
        }
    }

    /// Runs a caller call. `receipt` is the id its frame asks for; `sends` is whether an `Ok`
    /// writes a frame carrying it. A refusal must change nothing; an accepted frame with a
    /// receipt makes it pending.
    fn call<T>(
        &mut self,
        receipt: Option<String>,
        sends: bool,
        bytes: usize,
        f: impl FnOnce(&mut Session, u64) -> Result<T, stompwire::session::SessionError>,
    ) {
        self.caller_calls += 1;
        self.caller_bytes += bytes;
        let before = self.pending_snapshot();
        let state = self.session.state();
        let now = self.now;
        match f(&mut self.session, now) {
            Ok(_) => {
                if let Some(id) = receipt.filter(|_| sends) {
                    assert!(
                        self.session.is_receipt_pending(&id),
                        "a frame sent with receipt {id} in state {state} is not pending"
                    );
                    self.outstanding.insert(id);
                }
            }
            Err(e) => {
                assert_eq!(
                    self.pending_snapshot(),
                    before,
                    "refused call ({e}) changed the tables"
                );
                assert!(
                    self.session.poll_transmit().is_none(),
                    "refused call ({e}) wrote bytes"
                );
                assert!(
                    self.session.poll_event().is_none(),
                    "refused call ({e}) made an event"
                );
                assert_eq!(
                    self.session.state(),
                    state,
                    "refused call ({e}) changed the state"
                );
            }
        }
    }

    /// Feeds broker bytes in pieces of at most 4096, draining after each, and checks that
    /// broker input adds nothing to the tables.
    fn feed(&mut self, bytes: &[u8]) {
        for piece in bytes.chunks(4096) {
            let (pending, subs, txs) = self.pending_snapshot();
            let state = self.session.state();
            let result = self.session.handle_bytes(piece, self.now);
            match &result {
                Err(stompwire::session::SessionError::NotConnected { .. }) => {
                    assert_eq!(state, State::Disconnected);
                    assert!(self.session.poll_event().is_none());
                }
                Err(e) => assert!(
                    self.session.wants_close(),
                    "handle_bytes failed ({e}) without asking for the close"
                ),
                Ok(()) => {}
            }
            let (events, transmits) = self.drain_once();
            let after = self.pending_snapshot();
            assert!(after.0 <= pending, "broker input added a pending receipt");
            assert!(after.1 <= subs, "broker input added a subscription");
            assert!(after.2 <= txs, "broker input added a transaction");
            assert!(
                events <= piece.len() + pending + 2,
                "{events} events from {} bytes",
                piece.len()
            );
            assert!(
                transmits <= subs + pending + 1,
                "{transmits} frames written on {} broker bytes",
                piece.len()
            );
            self.settle();
        }
    }

    /// Takes the output of the last input or call once (no close): returns the number of
    /// events and transmits.
    fn drain_once(&mut self) -> (usize, usize) {
        let mut transmits = 0;
        while let Some(buf) = self.session.poll_transmit() {
            assert!(!buf.is_empty(), "empty transmit");
            transmits += 1;
            self.session.recycle(buf);
        }
        let events: Vec<Event> = std::iter::from_fn(|| self.session.poll_event()).collect();
        let n = events.len();
        self.check_events(events);
        (n, transmits)
    }

    fn check_events(&mut self, events: Vec<Event>) {
        let mut announced: VecDeque<String> = VecDeque::new();
        for event in events {
            match event {
                Event::Connected(c) => {
                    assert!(announced.is_empty(), "Resent events missing before {c:?}");
                    for id in &c.resent {
                        assert!(self.outstanding.contains(id), "resent {id} is not pending");
                    }
                    announced = c.resent.into();
                }
                Event::Receipt(outcome) => {
                    let id = outcome.id().to_string();
                    assert!(
                        self.outstanding.contains(&id),
                        "{outcome:?} for an id that is not pending (reported twice, or never asked)"
                    );
                    if outcome.is_final() {
                        assert!(!announced.contains(&id), "{outcome:?} before its Resent");
                        self.outstanding.remove(&id);
                    } else {
                        assert_eq!(
                            announced.pop_front().as_deref(),
                            Some(id.as_str()),
                            "Resent not announced by Connected, or out of order"
                        );
                    }
                }
                Event::UnexpectedReceipt { id, .. } => assert!(
                    !self.outstanding.contains(&id),
                    "pending receipt {id} reported as unexpected"
                ),
                Event::Message { frame, .. } => {
                    if self.messages.len() == KEPT_MESSAGES {
                        self.messages.pop_front();
                    }
                    self.messages.push_back(frame);
                }
                Event::Disconnected(d) => {
                    assert!(announced.is_empty(), "Resent events missing");
                    let lost: BTreeSet<String> = d.lost_transactions.iter().cloned().collect();
                    assert_eq!(
                        lost, self.transactions_before,
                        "Disconnected names other transactions than those open"
                    );
                    assert_eq!(lost.len(), d.lost_transactions.len());
                    self.transactions_before.clear();
                    self.messages.clear();
                }
                _ => {}
            }
        }
        assert!(
            announced.is_empty(),
            "Connected named resent ids without Resent events"
        );
    }

    /// Drains, closes the transport when the session asks (unless closing is lazy), and
    /// checks the tables.
    fn settle(&mut self) {
        loop {
            self.drain_once();
            if self.session.wants_close() && !self.lazy_close {
                self.session.handle_close(self.now);
                assert_eq!(self.session.state(), State::Disconnected);
                continue;
            }
            break;
        }
        self.check_tables();
    }

    fn check_tables(&mut self) {
        assert_eq!(
            self.session.pending_receipts(),
            self.outstanding.len(),
            "pending receipts {} but {} owed: {:?}",
            self.session.pending_receipts(),
            self.outstanding.len(),
            self.outstanding
        );
        for id in &self.outstanding {
            assert!(
                self.session.is_receipt_pending(id),
                "{id} no longer pending, unreported"
            );
        }
        assert_eq!(
            self.session.wants_close(),
            self.session.state() == State::Closing
        );
        if self.session.state() == State::Disconnected {
            assert_eq!(self.session.transactions().count(), 0);
        }
        self.transactions_before = self.session.transactions().map(String::from).collect();
        if let Some(probe) = self.probe {
            let live = probe().saturating_sub(self.base);
            let limits = self.session.config().limits;
            // The decoder holds at most one frame; kept MESSAGE frames; what the caller
            // passed (frames kept to send again, subscriptions, recycled buffers, ids).
            let bound = 64 * 1024
                + 4 * limits.max_frame_size
                + KEPT_MESSAGES * 2 * limits.max_frame_size
                + 16 * self.caller_bytes
                + 1024 * self.caller_calls;
            assert!(
                live <= bound,
                "live heap {live} bytes over the bound {bound} ({} caller bytes, {} calls)",
                self.caller_bytes,
                self.caller_calls
            );
        }
    }

    fn broker_frame(&mut self, kind: u8, param: u8) -> Vec<u8> {
        self.counter += 1;
        let n = self.counter;
        let pending: Vec<&String> = self.outstanding.iter().collect();
        let receipt = pending
            .get(usize::from(param) % pending.len().max(1))
            .map(|s| s.to_string())
            .unwrap_or_else(|| "rcpt-0".into());
        let subs: Vec<(String, String)> = self
            .session
            .subscriptions()
            .map(|s| (s.id.to_string(), s.destination.clone()))
            .collect();
        let text = match kind % 10 {
            0 => {
                let version = [
                    "",
                    "version:1.0\n",
                    "version:1.1\n",
                    "version:1.2\n",
                    "version:2.0\n",
                ][usize::from(param % 5)];
                let hb = [
                    "",
                    "heart-beat:0,0\n",
                    "heart-beat:1,1\n",
                    "heart-beat:10,10\n",
                    "heart-beat:1000,0\n",
                    "heart-beat:4294967295,4294967295\n",
                    "heart-beat:x\n",
                ][usize::from(param / 5 % 7)];
                format!("CONNECTED\n{version}{hb}server:fuzz\nsession:s{n}\n\n\0")
            }
            1 => {
                let (sub, dest) = match subs.get(usize::from(param) % (subs.len() + 1)) {
                    Some((id, dest)) => (format!("subscription:{id}\n"), dest.clone()),
                    None if param & 0x80 != 0 => (String::new(), "/queue/fuzz".into()),
                    None => ("subscription:nope\n".into(), "/queue/fuzz".into()),
                };
                let ack = if param & 0x40 != 0 { "" } else { "ack:a\n" };
                format!("MESSAGE\n{sub}destination:{dest}\nmessage-id:m{n}\n{ack}\nbody{n}\0")
            }
            2 => format!("RECEIPT\nreceipt-id:{receipt}\n\n\0"),
            3 if param & 1 == 0 => "RECEIPT\nreceipt-id:stray\n\n\0".into(),
            3 => "RECEIPT\n\n\0".into(),
            4 => format!("ERROR\nreceipt-id:{receipt}\nmessage:refused\n\n\0"),
            5 => "ERROR\nmessage:bad\ncontent-length:3\n\nb\0d\0".into(),
            6 => if param & 1 == 0 { "\n" } else { "\r\n" }.into(),
            7 => "SEND\ndestination:/queue/x\n\n\0".into(),
            8 => "MESSAGE\ncontent-length:99999\n\n".into(),
            _ => format!("MESSAGE\nsubscription:{}\n\n\0", receipt),
        };
        text.into_bytes()
    }

    fn op(&mut self, r: &mut Reader<'_>) {
        let code = r.byte() % 16;
        let (a, b, c) = (r.byte(), r.byte(), r.byte());
        let raw = if takes_bytes(code) {
            r.bytes(usize::from(a % 64)).to_vec()
        } else {
            Vec::new()
        };
        let now = self.now;
        match code {
            OP_FEED => self.feed(&raw),
            OP_CONNECT_OR_FEED if self.session.state() != State::Disconnected => self.feed(&raw),
            OP_FRAME => {
                let one = self.broker_frame(a, b);
                let times = [1, 1, 2, 3, 8, 64, 512, 4096][usize::from(c % 8)];
                // In pieces of whole copies, so that the harness holds no more than 4 KiB.
                let per_piece = (4096 / one.len().max(1)).max(1);
                let mut left = times;
                while left > 0 {
                    let n = left.min(per_piece);
                    self.feed(&one.repeat(n));
                    left -= n;
                }
            }
            OP_SEND => {
                let mut headers = Headers::new();
                let receipt = self.receipt(&mut headers, a);
                match b % 4 {
                    0 | 1 => {}
                    2 => {
                        if let Some(tx) = self.session.transactions().next().map(String::from) {
                            headers.push("transaction", &tx);
                        }
                    }
                    _ => headers.push("transaction", "no-such-tx"),
                }
                if b & 0x10 != 0 {
                    headers.push("x-bad", "line\nbreak\r");
                }
                let body = vec![b'x'; usize::from(c)];
                let dest = if b & 0x20 != 0 { "" } else { "/queue/fuzz" };
                let len = body.len() + 64;
                self.call(receipt, true, len, |s, now| {
                    s.send(dest, headers, body, now)
                });
            }
            OP_SUBSCRIBE => {
                let ack =
                    [AckMode::Auto, AckMode::Client, AckMode::ClientIndividual][usize::from(a % 3)];
                let mut headers = Headers::new();
                if b % 3 != 0 {
                    headers.push("id", &pick_id(&["s0", "s1", "sub-0", "sub-1"], b / 3));
                }
                let receipt = self.receipt(&mut headers, c);
                let dest = ["/queue/fuzz", "/topic/t", "/queue/q:1"][usize::from(a / 3 % 3)];
                self.call(receipt, true, 96, |s, now| {
                    s.subscribe(dest, ack, headers, now)
                });
            }
            OP_UNSUBSCRIBE => {
                let subs: Vec<String> = self
                    .session
                    .subscriptions()
                    .map(|s| s.id.to_string())
                    .collect();
                let id = subs
                    .get(usize::from(a) % (subs.len() + 1))
                    .cloned()
                    .unwrap_or_else(|| "nope".into());
                let mut headers = Headers::new();
                let receipt = self.receipt(&mut headers, b);
                // Without an open session the subscription is only forgotten: nothing is sent.
                let sends = self.session.is_connected();
                self.call(receipt, sends, 64, |s, now| {
                    s.unsubscribe(&id, headers, now)
                });
            }
            OP_ACK => {
                let mut headers = Headers::new();
                let receipt = self.receipt(&mut headers, b);
                if c & 4 != 0
                    && let Some(tx) = self.session.transactions().next().map(String::from)
                {
                    headers.push("transaction", &tx);
                }
                let message = self
                    .messages
                    .get(usize::from(a) % self.messages.len().max(1))
                    .cloned()
                    .unwrap_or_else(|| {
                        Frame::new(stompwire::frame::Command::Message)
                            .with_header("message-id", "m-none")
                    });
                let nack = c & 1 != 0;
                let by_id = c & 2 != 0;
                self.call(receipt, true, 128, |s, now| {
                    let id = message
                        .ack()
                        .or(message.message_id())
                        .unwrap_or("m-none")
                        .to_string();
                    let sub = message.subscription().map(String::from);
                    match (nack, by_id) {
                        (false, false) => s.ack(&message, headers, now),
                        (true, false) => s.nack(&message, headers, now),
                        (false, true) => s.ack_id(&id, sub.as_deref(), headers, now),
                        (true, true) => s.nack_id(&id, sub.as_deref(), headers, now),
                    }
                });
            }
            OP_BEGIN => {
                let id = (a % 3 != 0).then(|| pick_id(&["t0", "t1", "tx-0"], a / 3));
                let mut headers = Headers::new();
                let receipt = self.receipt(&mut headers, b);
                self.call(receipt, true, 64, |s, now| {
                    s.begin(id.as_deref(), headers, now)
                });
            }
            OP_COMMIT => {
                let txs: Vec<String> = self.session.transactions().map(String::from).collect();
                let id = txs
                    .get(usize::from(a) % (txs.len() + 1))
                    .cloned()
                    .unwrap_or_else(|| "no-such-tx".into());
                let mut headers = Headers::new();
                let receipt = self.receipt(&mut headers, b);
                let abort = c & 1 != 0;
                self.call(receipt, true, 64, |s, now| {
                    if abort {
                        s.abort(&id, headers, now)
                    } else {
                        s.commit(&id, headers, now)
                    }
                });
            }
            OP_DISCONNECT => {
                let mut headers = Headers::new();
                let receipt = self.receipt(&mut headers, a);
                // Only an open session writes DISCONNECT (and so tracks its receipt).
                let sends = self.session.state() == State::Connected;
                self.call(receipt, sends, 32, |s, now| s.disconnect(headers, now));
            }
            OP_CONNECT | OP_CONNECT_OR_FEED => {
                if self.session.state() != State::Disconnected {
                    self.session.handle_close(now);
                    self.drain_once();
                }
                self.call(None, false, 0, |s, now| s.connect(now));
            }
            OP_CLOSE => self.session.handle_close(now),
            OP_TIME => {
                let due = self.session.poll_timeout();
                self.now = match a % 10 {
                    0 => now,
                    1 => now + 1,
                    2 => now + 5,
                    3 => now + 10,
                    4 => now + 100,
                    5 => now + 1000,
                    6 => now + 15_000,
                    7 => due.unwrap_or(now).max(now),
                    8 => due.unwrap_or(now).saturating_sub(1).max(now),
                    _ => now + (1 << 40),
                };
                if b & 1 != 0 || due.is_some_and(|d| d <= self.now) {
                    self.session.handle_timeout(self.now);
                    if let Some(next) = self.session.poll_timeout() {
                        assert!(
                            next > self.now,
                            "after handle_timeout({}) the next deadline is {next}",
                            self.now
                        );
                    }
                }
            }
            OP_EXPECT => {
                let id = pick_id(&["r0", "r1", "rcpt-0", "e0"], a);
                let deadline = self.deadline(b);
                self.caller_calls += 1;
                self.session.expect_receipt(&id, deadline);
                assert!(self.session.is_receipt_pending(&id));
                self.outstanding.insert(id);
            }
            OP_DEADLINE => {
                let ids: Vec<String> = self.outstanding.iter().cloned().collect();
                let id = ids
                    .get(usize::from(a) % (ids.len() + 1))
                    .cloned()
                    .unwrap_or_else(|| "nope".into());
                let deadline = self.deadline(b);
                let known = self.session.set_receipt_deadline(&id, deadline);
                assert_eq!(known, self.outstanding.contains(&id));
            }
            _ => {
                debug_assert_eq!(code, OP_SHUT_DOWN);
                self.session.shut_down();
            }
        }
        self.settle();
    }
}

/// Checks every invariant on one input. Panics on a violation. With `probe` (the live heap,
/// from a counting allocator), also bounds memory.
pub fn check(data: &[u8], probe: Option<Probe<'_>>) {
    let mut r = Reader { data };
    let (config, lazy_close) = config(r.byte(), r.byte(), r.byte());
    let mut h = Harness {
        session: Session::new(config),
        now: 0,
        lazy_close,
        outstanding: BTreeSet::new(),
        messages: VecDeque::with_capacity(KEPT_MESSAGES),
        transactions_before: BTreeSet::new(),
        caller_bytes: 0,
        caller_calls: 0,
        probe,
        base: 0,
        counter: 0,
    };
    h.base = probe.map_or(0, |p| p());
    h.session.connect(0).expect("a new session connects");
    h.settle();
    let mut ops = 0;
    while !r.data.is_empty() && ops < 512 {
        h.op(&mut r);
        ops += 1;
    }
    // The shell stops: every receipt still pending is reported, once.
    h.session.handle_close(h.now);
    h.session.shut_down();
    h.settle();
    assert!(
        h.outstanding.is_empty(),
        "never reported: {:?}",
        h.outstanding
    );
    assert_eq!(h.session.pending_receipts(), 0);
}

/// One operation, as bytes: `code a b c`, then `raw` for `OP_FEED` and `OP_CONNECT_OR_FEED`
/// (its length replaces `a`).
pub fn encode_op(code: u8, a: u8, b: u8, c: u8, raw: &[u8], out: &mut Vec<u8>) {
    if takes_bytes(code) {
        let raw = &raw[..raw.len().min(63)];
        out.extend_from_slice(&[code, raw.len() as u8, b, c]);
        out.extend_from_slice(raw);
    } else {
        out.extend_from_slice(&[code, a, b, c]);
    }
}

/// The seed corpus (`corpus/session/`), by name: each file is written from here (see the test
/// `corpus_matches_seeds`), so that a seed says what it does.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    type Op<'a> = (u8, u8, u8, u8, &'a [u8]);
    // CONNECTED templates: parameter = version index (0 none, 1 "1.0", 2 "1.1", 3 "1.2")
    // + 5 × heart-beat index (3: "10,10").
    const CONNECTED_1_2: Op<'_> = (OP_FRAME, 0, 3, 0, b"");
    const CONNECTED_1_0: Op<'_> = (OP_FRAME, 0, 1, 0, b"");
    const CONNECTED_HB: Op<'_> = (OP_FRAME, 0, 18, 0, b"");
    const SEND_RECEIPT: Op<'_> = (OP_SEND, 1, 0, 5, b"");
    const SEND_PLAIN: Op<'_> = (OP_SEND, 0, 0, 5, b"");
    const RECEIPT_FIRST: Op<'_> = (OP_FRAME, 2, 0, 0, b"");
    const RECEIPT_SECOND: Op<'_> = (OP_FRAME, 2, 1, 0, b"");
    const CLOSE: Op<'_> = (OP_CLOSE, 0, 0, 0, b"");
    const CONNECT: Op<'_> = (OP_CONNECT, 0, 0, 0, b"");
    let list: Vec<(&str, [u8; 3], Vec<Op<'_>>)> = vec![
        (
            "send-confirmed",
            [0, 0, 0],
            vec![CONNECTED_1_2, SEND_RECEIPT, RECEIPT_FIRST, SEND_PLAIN],
        ),
        (
            "resend-after-drop",
            [0, 0, 0],
            vec![
                CONNECTED_1_2,
                SEND_RECEIPT,
                SEND_RECEIPT,
                (OP_SEND, 2, 0, 1, b""),
                CLOSE,
                CONNECT,
                CONNECTED_1_2,
                RECEIPT_SECOND,
                RECEIPT_FIRST,
            ],
        ),
        (
            "client-individual-ack",
            [0, 0, 0],
            vec![
                CONNECTED_1_2,
                (OP_SUBSCRIBE, 2, 0, 1, b""),
                RECEIPT_FIRST,
                (OP_FRAME, 1, 0, 2, b""),
                (OP_ACK, 0, 1, 0, b""),
                (OP_ACK, 1, 1, 1, b""),
                RECEIPT_FIRST,
                CLOSE,
                CONNECT,
                CONNECTED_1_2,
                (OP_FRAME, 1, 0, 0, b""),
            ],
        ),
        (
            "transaction-lost",
            [0, 0, 0],
            vec![
                CONNECTED_1_2,
                (OP_BEGIN, 1, 1, 0, b""),
                (OP_SEND, 1, 2, 3, b""),
                (OP_ACK, 0, 1, 4, b""),
                (OP_BEGIN, 0, 0, 0, b""),
                (OP_COMMIT, 0, 1, 0, b""),
                CLOSE,
            ],
        ),
        (
            "disconnect-graceful",
            [0, 0, 0],
            vec![
                CONNECTED_1_2,
                SEND_RECEIPT,
                (OP_DISCONNECT, 1, 0, 0, b""),
                RECEIPT_SECOND,
                RECEIPT_FIRST,
            ],
        ),
        (
            "disconnect-timeout",
            [0, 0, 0x08],
            vec![
                CONNECTED_1_2,
                SEND_RECEIPT,
                (OP_DISCONNECT, 2, 0, 0, b""),
                (OP_TIME, 5, 0, 0, b""),
            ],
        ),
        (
            "heartbeat-timeout-resend",
            [0, 0x0a, 0],
            vec![
                CONNECTED_HB,
                SEND_RECEIPT,
                (OP_TIME, 3, 0, 0, b""),
                (OP_TIME, 7, 0, 0, b""),
                (OP_TIME, 5, 0, 0, b""),
                CONNECT,
                CONNECTED_HB,
                RECEIPT_FIRST,
            ],
        ),
        (
            "error-names-receipt",
            [0, 0, 0],
            vec![
                CONNECTED_1_2,
                SEND_RECEIPT,
                SEND_RECEIPT,
                (OP_FRAME, 4, 1, 0, b""),
            ],
        ),
        (
            "receipt-timeout",
            [0, 0x40, 0],
            vec![
                CONNECTED_1_2,
                SEND_RECEIPT,
                (OP_TIME, 4, 0, 0, b""),
                (OP_FRAME, 2, 0, 0, b""),
                (OP_FRAME, 3, 0, 0, b""),
            ],
        ),
        (
            "flood",
            [0, 0, 0],
            vec![
                CONNECTED_1_2,
                (OP_SUBSCRIBE, 0, 0, 0, b""),
                SEND_RECEIPT,
                (OP_FRAME, 1, 0, 7, b""),
                (OP_FRAME, 6, 0, 7, b""),
                (OP_FRAME, 3, 0, 7, b""),
                (OP_FRAME, 8, 0, 7, b""),
            ],
        ),
        (
            "connect-refused",
            [0, 0, 0],
            vec![
                SEND_RECEIPT,
                (OP_FRAME, 5, 0, 0, b""),
                CONNECT,
                (OP_FRAME, 5, 0, 0, b""),
            ],
        ),
        (
            "connect-timeout",
            [0, 0x10, 0],
            vec![
                (OP_EXPECT, 0, 4, 0, b""),
                (OP_TIME, 2, 0, 0, b""),
                CONNECT,
                CONNECTED_1_2,
                RECEIPT_FIRST,
            ],
        ),
        (
            "raw-bytes",
            [0, 0, 0],
            vec![
                (OP_FEED, 0, 0, 0, b"CONNECTED\nversion:1.2\n\n\0\n"),
                (
                    OP_FEED,
                    0,
                    0,
                    0,
                    b"RECEIPT\nreceipt-id:r0\n\n\0MESSAGE\ncontent-le",
                ),
                (OP_FEED, 0, 0, 0, b"ngth:3\n\nab"),
                (OP_FEED, 0, 0, 0, b"\xff\0\n"),
            ],
        ),
        (
            "expect-deadline-shut-down",
            [0, 0, 0x80],
            vec![
                CONNECTED_1_2,
                (OP_EXPECT, 3, 3, 0, b""),
                (OP_DEADLINE, 0, 4, 0, b""),
                (OP_SUBSCRIBE, 1, 1, 2, b""),
                (OP_TIME, 3, 0, 0, b""),
                (OP_SHUT_DOWN, 0, 0, 0, b""),
                SEND_RECEIPT,
                CLOSE,
                (OP_SHUT_DOWN, 0, 0, 0, b""),
            ],
        ),
        (
            "stomp-1.0",
            [1, 0, 0],
            vec![
                CONNECTED_1_0,
                (OP_SUBSCRIBE, 2, 0, 1, b""),
                (OP_SUBSCRIBE, 1, 0, 1, b""),
                (OP_FRAME, 1, 0x80, 0, b""),
                (OP_ACK, 0, 1, 1, b""),
                (OP_ACK, 0, 1, 0, b""),
                (OP_FRAME, 7, 0, 0, b""),
            ],
        ),
    ];
    list.into_iter()
        .map(|(name, config, ops)| {
            let mut data = config.to_vec();
            for (code, a, b, c, raw) in ops {
                encode_op(code, a, b, c, raw, &mut data);
            }
            (name, data)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::PathBuf;

    pub(crate) fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
        crate::seed_corpus("session", 10)
    }

    /// The committed corpus is what [`seeds`] makes (`STOMPWIRE_WRITE_SEEDS=1` writes it).
    #[test]
    fn corpus_matches_seeds() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/session");
        for (name, data) in seeds() {
            let path = dir.join(name);
            if std::env::var_os("STOMPWIRE_WRITE_SEEDS").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &data).unwrap();
            }
            let stored = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(stored, data, "{} differs from seeds()", path.display());
            check(&data, None);
        }
    }

    #[test]
    fn corpus_under_many_configurations() {
        for (path, bytes) in corpus() {
            for b0 in [0u8, 1, 3, 5, 0x10, 0x20, 0x40, 0x80, 0xd8] {
                for b1 in [0u8, 0x05, 0x0f, 0x1a, 0x50, 0x65, 0xff] {
                    for b2 in [0u8, 1, 2, 0xc4, 0x38] {
                        let mut input = vec![b0, b1, b2];
                        input.extend_from_slice(bytes.get(3..).unwrap_or(&[]));
                        let result = std::panic::catch_unwind(|| check(&input, None));
                        assert!(
                            result.is_ok(),
                            "{} with config bytes {b0:#04x} {b1:#04x} {b2:#04x}",
                            path.display()
                        );
                    }
                }
            }
        }
    }

    /// The harness sees what it is meant to: a seed that confirms receipts confirms them.
    #[test]
    fn harness_tracks_receipts() {
        let mut input = vec![0x00, 0x00, 0x00];
        // CONNECTED 1.2, SEND with receipt, RECEIPT for it, then a SEND whose receipt never
        // comes (reported at shut-down).
        encode_op(OP_FRAME, 0, 3, 0, &[], &mut input);
        encode_op(OP_SEND, 1, 0, 3, &[], &mut input);
        encode_op(OP_FRAME, 2, 0, 0, &[], &mut input);
        encode_op(OP_SEND, 1, 0, 3, &[], &mut input);
        check(&input, None);
        // A harness that double-counts would panic: show that a forged outcome is caught.
        let mut h = Harness {
            session: Session::new(Config::default()),
            now: 0,
            lazy_close: false,
            outstanding: BTreeSet::new(),
            messages: VecDeque::new(),
            transactions_before: BTreeSet::new(),
            caller_bytes: 0,
            caller_calls: 0,
            probe: None,
            base: 0,
            counter: 0,
        };
        let forged = vec![Event::Receipt(
            stompwire::session::ReceiptOutcome::TimedOut { id: "never".into() },
        )];
        let caught =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h.check_events(forged)));
        assert!(
            caught.is_err(),
            "an outcome for an id never asked was not caught"
        );
    }

    /// One operation with parameters and raw bytes, for the strategies.
    fn op() -> impl Strategy<Value = (u8, u8, u8, u8, Vec<u8>)> {
        let raw = prop_oneof![
            prop::sample::select(vec![
                &b"CONNECTED\nversion:1.2\nheart-beat:10,10\n\n\0"[..],
                b"CONNECTED\nversion:1.1\n\n\0",
                b"CONNECTED\n\n\0",
                b"RECEIPT\nreceipt-id:rcpt-0\n\n\0",
                b"RECEIPT\nreceipt-id:r0\n\n\0",
                b"ERROR\nreceipt-id:r1\n\n\0",
                b"MESSAGE\nsubscription:sub-0\nmessage-id:1\nack:1\n\n\0",
                b"MESSAGE\ndestination:/queue/fuzz\nmessage-id:2\n\nx\0",
                b"\n\n",
                b"MESSAGE\ncontent-length:",
                b"\xff\0",
            ])
            .prop_map(|t| t.to_vec()),
            prop::collection::vec(any::<u8>(), 0..24),
        ];
        (0u8..16, any::<u8>(), any::<u8>(), any::<u8>(), raw)
    }

    fn encode(ops: &[(u8, u8, u8, u8, Vec<u8>)], config: [u8; 3]) -> Vec<u8> {
        let mut data = config.to_vec();
        for (code, a, b, c, raw) in ops {
            encode_op(*code, *a, *b, *c, raw, &mut data);
        }
        data
    }

    proptest! {
            #[test]
        fn random_bytes(data in prop::collection::vec(any::<u8>(), 0..400)) {
            check(&data, None);
        }

        #[test]
        fn operation_sequences(
            config in any::<[u8; 3]>(),
            ops in prop::collection::vec(op(), 0..60),
        ) {
            check(&encode(&ops, config), None);
        }

        #[test]
        fn mutated_seeds(
            pick in any::<prop::sample::Index>(),
            config in any::<[u8; 3]>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..8),
        ) {
            let files = corpus();
            let mut data = files[pick.index(files.len())].1.clone();
            data[..3].copy_from_slice(&config);
            for (at, byte, kind) in edits {
                let i = 3 + at.index(data.len().saturating_sub(3).max(1));
                match kind {
                    0 => data.insert(i.min(data.len()), byte),
                    1 if i < data.len() => { data.remove(i); }
                    _ if i < data.len() => data[i] = byte,
                    _ => data.push(byte),
                }
            }
            check(&data, None);
        }
    }
}
