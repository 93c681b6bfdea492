//! The receiver thread: opens transports as the reconnect schedule says, feeds the session,
//! runs its timers, writes what it produces, and hands events to listeners and waiters.

use std::collections::HashMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::listener::Listeners;
use super::receipt::{Outcome, Slot};
use super::transport::{Recv, Transport, open};
use super::{ClientConfig, Error};
use crate::frame::{Decoder, Frame, Item, Limits, Version};
use crate::reconnect::Schedule;
use crate::session::{CloseReason, Event, ReceiptOutcome, Session};

/// What the client's threads share, under one lock.
pub(crate) struct Shared {
    pub(crate) session: Session,
    pub(crate) transport: Option<Arc<dyn Transport>>,
    /// Receipts a caller waits for, by id; the session says when each one ends.
    pub(crate) receipts: HashMap<String, Arc<Slot>>,
    /// Per-subscription message streams.
    pub(crate) streams: HashMap<String, Sender<Frame>>,
    /// `disconnect` or drop: stop reconnecting.
    pub(crate) closing: bool,
    /// The receiver thread is running.
    pub(crate) running: bool,
    /// Why the receiver thread stopped trying, when it gave up.
    pub(crate) gave_up: Option<Error>,
    /// CONNECTED frames seen, so waiters can tell a new connection.
    pub(crate) connections: u64,
    /// The listeners have been told of the current connection (`on_connected` returned):
    /// [`Client::wait_for_connection`](super::Client::wait_for_connection) returns only then,
    /// so what a listener sets up on connecting is in place when the caller goes on.
    pub(crate) announced: bool,
}

/// The client's state, shared by the handle and the receiver thread.
pub(crate) struct Inner {
    pub(crate) shared: Mutex<Shared>,
    /// Written buffers for reuse; its lock orders writes (see [`Inner::take_outgoing`]).
    written: Mutex<Vec<Vec<u8>>>,
    pub(crate) cond: Condvar,
    pub(crate) listeners: Listeners,
    pub(crate) config: ClientConfig,
    start: Instant,
}

impl Inner {
    pub(crate) fn new(config: ClientConfig) -> Inner {
        Inner {
            shared: Mutex::new(Shared {
                session: Session::new(config.session.clone()),
                transport: None,
                receipts: HashMap::new(),
                streams: HashMap::new(),
                closing: false,
                running: false,
                gave_up: None,
                connections: 0,
                announced: false,
            }),
            written: Mutex::new(Vec::new()),
            cond: Condvar::new(),
            listeners: Listeners::new(),
            config,
            start: Instant::now(),
        }
    }

    /// Milliseconds since the client was made: the session's clock.
    pub(crate) fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes what the session queued, to be written with [`Outgoing::write`] after the shared
    /// lock is released: a thread blocked on a slow socket then never keeps the receiver thread
    /// from handling input. Write order is kept: the writes lock is taken before the shared
    /// lock is let go, and held until the writes are done.
    pub(crate) fn take_outgoing(&self, shared: &mut Shared) -> Outgoing<'_> {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        for buf in written.drain(..) {
            shared.session.recycle(buf);
        }
        let mut bufs = Vec::new();
        while let Some(buf) = shared.session.poll_transmit() {
            bufs.push(buf);
        }
        Outgoing {
            written,
            transport: shared.transport.clone(),
            bufs,
            version: shared.session.version(),
            want_frames: self.listeners.wants_on_send(),
            close: shared.session.wants_close(),
        }
    }

    /// Writes what the session queued, at once (for the receiver thread, which holds the
    /// shared lock anyway).
    pub(crate) fn flush(&self, shared: &mut Shared) -> Vec<Frame> {
        self.take_outgoing(shared).write()
    }

    /// Calls `on_send` for frames written by a user call.
    pub(crate) fn sent(&self, frames: Vec<Frame>) {
        for frame in frames {
            log::debug!("sent {frame:?}");
            self.listeners.each(|l| {
                if l.wants_on_send() {
                    l.on_send(&frame)
                }
            });
        }
    }
}

/// Frames taken from the session, to write in order; see [`Inner::take_outgoing`].
pub(crate) struct Outgoing<'a> {
    /// Buffers already written, given back to the session on the next take. Holding this
    /// lock keeps writes in the order they were taken.
    written: MutexGuard<'a, Vec<Vec<u8>>>,
    transport: Option<Arc<dyn Transport>>,
    bufs: Vec<Vec<u8>>,
    version: Version,
    want_frames: bool,
    close: bool,
}

impl Outgoing<'_> {
    /// Writes the frames, then closes the transport if the session wanted it closed. Returns
    /// the frames written, for `on_send`, when a listener wants them. A failed write closes
    /// the transport; the receiver thread then sees the close.
    pub(crate) fn write(mut self) -> Vec<Frame> {
        let mut frames = Vec::new();
        for buf in std::mem::take(&mut self.bufs) {
            if let Some(transport) = &self.transport {
                match transport.send(&buf) {
                    Ok(()) => {
                        if self.want_frames && buf.as_slice() != b"\n" {
                            frames.extend(decode_one(&buf, self.version));
                        }
                    }
                    Err(e) => {
                        log::debug!("write failed: {e}");
                        transport.close();
                    }
                }
            }
            self.written.push(buf);
        }
        if self.close {
            if let Some(t) = &self.transport {
                t.close();
            }
        }
        frames
    }
}

/// Decodes the one frame in `bytes` (what the session wrote), for `on_send`.
fn decode_one(bytes: &[u8], version: crate::frame::Version) -> Option<Frame> {
    let mut decoder = Decoder::new(Limits {
        max_frame_size: usize::MAX,
        max_body_size: usize::MAX,
        max_headers: usize::MAX,
        max_header_line: usize::MAX,
        ..Limits::default()
    });
    decoder.set_version(version);
    decoder.feed(bytes).find_map(|item| match item {
        Ok(Item::Frame(f)) => Some(f),
        _ => None,
    })
}

/// A small xorshift generator for reconnect jitter and host shuffling.
fn random_source() -> impl FnMut() -> u32 {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 32) as u32
    }
}

/// The receiver thread's body.
pub(crate) fn run(inner: Arc<Inner>) {
    let mut schedule = Schedule::new(inner.config.policy.clone(), inner.config.endpoints.clone());
    let mut random = random_source();
    let mut last_error: Option<Error> = None;
    loop {
        if inner.lock().closing {
            break;
        }
        let Some(planned) = schedule.next_attempt(&mut random) else {
            let attempts = schedule.attempts_made();
            let mut shared = inner.lock();
            shared.gave_up = Some(Error::GaveUp {
                attempts,
                last: last_error.take().map(Box::new),
            });
            inner.cond.notify_all();
            break;
        };
        let endpoint = planned.endpoint.clone();
        let delay = planned.attempt.delay_ms;
        if delay > 0 && sleep_unless_closing(&inner, Duration::from_millis(delay)) {
            break;
        }
        log::debug!(
            "connecting to {endpoint} (attempt {})",
            planned.attempt.number
        );
        inner
            .listeners
            .each(|l| l.on_connecting(&endpoint.host, endpoint.port));
        let transport: Arc<dyn Transport> = match open(&endpoint, &inner.config.transport) {
            Ok(t) => Arc::from(t),
            Err(source) => {
                log::debug!("cannot connect to {endpoint}: {source}");
                last_error = Some(Error::ConnectFailed {
                    endpoint: endpoint.to_string(),
                    source,
                });
                continue;
            }
        };
        let sent = {
            let mut shared = inner.lock();
            if shared.closing {
                transport.close();
                break;
            }
            shared.transport = Some(transport.clone());
            shared.announced = false;
            let now = inner.now();
            if let Err(e) = shared.session.connect(now) {
                log::debug!("cannot start session: {e}");
            }
            inner.flush(&mut shared)
        };
        inner.sent(sent);
        match receive(&inner, transport.as_ref(), &mut schedule) {
            Ended::Refused(frame) => last_error = Some(Error::Refused(frame)),
            Ended::Other(e) => last_error = e,
        }
    }
    let events = {
        let mut shared = inner.lock();
        shared.running = false;
        shared.transport = None;
        shared.streams.clear();
        // No more connections: the receipts still pending will not come.
        shared.session.shut_down();
        let mut events = Vec::new();
        while let Some(e) = shared.session.poll_event() {
            events.push(e);
        }
        inner.cond.notify_all();
        events
    };
    for event in events {
        dispatch(&inner, event);
    }
    inner.listeners.each(|l| l.on_receiver_loop_completed());
}

/// Sleeps for `delay` unless the client closes first; returns whether it closed.
fn sleep_unless_closing(inner: &Inner, delay: Duration) -> bool {
    let shared = inner.lock();
    let (shared, _) = inner
        .cond
        .wait_timeout_while(shared, delay, |s| !s.closing)
        .unwrap_or_else(|e| e.into_inner());
    shared.closing
}

/// How one connection ended.
enum Ended {
    /// CONNECT was answered with ERROR.
    Refused(Frame),
    /// Anything else; the error to report if the next attempts fail too.
    Other(Option<Error>),
}

/// Reads and handles input until the connection is over.
fn receive(inner: &Inner, transport: &dyn Transport, schedule: &mut Schedule) -> Ended {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut close_reason = None;
    loop {
        let timeout = {
            let shared = inner.lock();
            let now = inner.now();
            shared
                .session
                .poll_timeout()
                .map(|t| Duration::from_millis(t.saturating_sub(now)))
        };
        buf.clear();
        let received = transport.recv(&mut buf, timeout);
        let (events, sent, over) = {
            let mut shared = inner.lock();
            let now = inner.now();
            let mut over = false;
            match received {
                Ok(Recv::Data(_)) => {
                    if let Err(e) = shared.session.handle_bytes(&buf, now) {
                        log::debug!("input rejected: {e}");
                    }
                }
                Ok(Recv::Timeout) => shared.session.handle_timeout(now),
                Ok(Recv::Closed) => over = true,
                Err(e) => {
                    log::debug!("read failed: {e}");
                    over = true;
                }
            }
            let sent = if over {
                Vec::new()
            } else {
                inner.flush(&mut shared)
            };
            if shared.session.wants_close() {
                over = true;
            }
            if over {
                transport.close();
                shared.session.handle_close(now);
                shared.transport = None;
            }
            let mut events = Vec::new();
            while let Some(e) = shared.session.poll_event() {
                events.push(e);
            }
            (events, sent, over)
        };
        inner.sent(sent);
        for event in events {
            match &event {
                Event::Connected(_) => schedule.connected(),
                Event::Disconnected(d) => close_reason = Some(d.reason.clone()),
                _ => {}
            }
            dispatch(inner, event);
        }
        if over {
            return match close_reason {
                Some(CloseReason::ConnectRefused(frame)) => Ended::Refused(frame),
                Some(CloseReason::Protocol(e)) => Ended::Other(Some(Error::Session(e))),
                _ => Ended::Other(None),
            };
        }
    }
}

/// Hands one event to the waiters, streams and listeners.
fn dispatch(inner: &Inner, event: Event) {
    match event {
        Event::Connected(c) => {
            inner.lock().connections += 1;
            log::debug!("connected: {:?}", c.frame);
            inner.listeners.each(|l| l.on_connected(&c.frame));
            inner.lock().announced = true;
            inner.cond.notify_all();
        }
        Event::Message {
            subscription,
            mut frame,
        } => {
            inner.listeners.each(|l| l.on_before_message(&mut frame));
            inner.listeners.each(|l| l.on_message(&frame));
            if let Some(id) = subscription {
                let stream = inner.lock().streams.get(&id).cloned();
                if let Some(tx) = stream {
                    let _ = tx.send(frame);
                }
            }
        }
        Event::Receipt(outcome) => {
            let (id, outcome) = match outcome {
                ReceiptOutcome::Confirmed { id, frame } => {
                    // Listeners first: a caller woken by the receipt finds them up to date.
                    inner.listeners.each(|l| l.on_receipt(&frame));
                    (id, Outcome::Received(frame))
                }
                ReceiptOutcome::TimedOut { id } => (id, Outcome::TimedOut),
                ReceiptOutcome::Lost { id, reason } => (id, Outcome::Lost(reason)),
                other => {
                    log::debug!("receipt {other:?}");
                    return;
                }
            };
            let slot = inner.lock().receipts.remove(&id);
            if let Some(slot) = slot {
                slot.complete(outcome);
            }
        }
        Event::UnexpectedReceipt { id, frame } => {
            log::debug!("unexpected receipt {id}");
            inner.listeners.each(|l| l.on_receipt(&frame));
        }
        Event::Error(frame) => {
            log::debug!("ERROR frame: {frame:?}");
            inner.listeners.each(|l| l.on_error(&frame));
        }
        Event::Heartbeat => inner.listeners.each(|l| l.on_heartbeat()),
        Event::HeartbeatTimeout { .. } => {
            log::debug!("heart-beat timeout");
            inner.listeners.each(|l| l.on_heartbeat_timeout());
        }
        Event::Disconnected(d) => {
            log::debug!("disconnected: {:?}", d.reason);
            inner.cond.notify_all();
            inner.listeners.each(|l| l.on_disconnected(&d));
        }
    }
}
