//! The state the client's handles and its driver share: the session, the subscription
//! buffers, the receipt waiters, the event listeners and the lifecycle, behind one mutex that
//! is held only for CPU work and non-blocking socket calls.

use core::task::Waker;
use std::collections::{HashMap, VecDeque};
use std::io;
use std::prelude::rust_2024::*;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::frame::{Frame, Headers};
use crate::reconnect::Reason;
use crate::session::{AckMode, Event, ReceiptOutcome, Session};

use super::events::{ConnectionEvent, Listener};
use super::tap::{Tap, Tapped};
use super::transport::DirectWrite;
use super::{Error, SlowConsumer};

/// Locks, ignoring poisoning: a panic in a user's task must not take the client down.
pub(crate) fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where the client is in its life.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lifecycle {
    /// Connecting or connected, taking work.
    Running,
    /// A shutdown is letting buffered messages and receipts finish, until `deadline`.
    Draining { deadline: u64 },
    /// DISCONNECT is under way (or the supervisor is stopping).
    Stopping,
    /// Stopped; the driver has ended.
    Finished,
}

/// Adds `waker` to `list` unless a waker there wakes the same task: a future polled many
/// times is woken once, and the list grows with the tasks waiting, not with the polls.
pub(crate) fn register(list: &mut Vec<Waker>, waker: &Waker) {
    if !list.iter().any(|w| w.will_wake(waker)) {
        list.push(waker.clone());
    }
}

/// Sets `slot` to `waker` unless it already wakes the same task.
pub(crate) fn set_waker(slot: &mut Option<Waker>, waker: &Waker) {
    if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
        *slot = Some(waker.clone());
    }
}

/// A MESSAGE in a subscription's buffer, with the connection it came on
/// ([`Session::connection`]).
pub(crate) type Delivered = (u64, Frame);

/// A subscription's buffer.
#[derive(Debug)]
pub(crate) struct SubQueue {
    pub(crate) queue: VecDeque<Delivered>,
    pub(crate) capacity: usize,
    pub(crate) ack: AckMode,
    pub(crate) waker: Option<Waker>,
    /// Other threads waiting on the same buffer (a blocking iterator shared by reference):
    /// woken with `waker`, so none sleeps through a message or the end.
    pub(crate) more_wakers: Vec<Waker>,
    pub(crate) dropped: u64,
    /// No more messages will come (unsubscribed, or the client stopped).
    pub(crate) ended: bool,
}

impl SubQueue {
    /// Registers `waker` for the next message: the first waiter's slot, or beside it for
    /// another task or thread.
    // Only the native shell's iterator is waited on by several threads.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn add_waker(&mut self, waker: &Waker) {
        match &self.waker {
            Some(w) if !w.will_wake(waker) => register(&mut self.more_wakers, waker),
            _ => set_waker(&mut self.waker, waker),
        }
    }

    /// Wakes every waiter but the first, and gives the first's waker to the caller (to wake
    /// once its lock is released).
    fn take_wakers(&mut self) -> Option<Waker> {
        self.more_wakers.drain(..).for_each(Waker::wake);
        self.waker.take()
    }

    /// Wakes every waiter.
    pub(crate) fn wake(&mut self) {
        if let Some(w) = self.take_wakers() {
            w.wake();
        }
    }
}

/// What became of a MESSAGE given to a subscription's buffer.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// Buffered; the consumer's waker, to wake.
    Buffered(Option<Waker>),
    /// The buffer was full and the slow-consumer policy dropped it: the subscription's
    /// `total` drops so far.
    // The async client tells its events instead; the native shell reads it.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    Dropped { total: u64 },
    /// The subscription has no buffer (or it ended).
    Ignored,
}

/// A receipt someone waits for: the [`Receipt`](super::Receipt) future with this slot's key.
#[derive(Debug, Default)]
pub(crate) struct ReceiptSlot {
    pub(crate) result: Option<Result<(), Error>>,
    pub(crate) waker: Option<Waker>,
}

/// The first connection's outcome, for `connect`.
#[derive(Debug)]
pub(crate) enum FirstConnect {
    Pending(Vec<Waker>),
    Done(Result<(), Error>),
}

/// Everything shared between the handles and the driver.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) session: Session,
    /// The clock: milliseconds, as the runtime counts them.
    pub(crate) now: fn() -> u64,
    pub(crate) lifecycle: Lifecycle,
    /// The chunk of output being written, as the session encoded it (every frame that was
    /// ready, in one buffer: the session coalesces), written up to `out_written`. The next
    /// chunk stays in the session until this one is done, so no byte is copied on the way.
    pub(crate) out: Vec<u8>,
    pub(crate) out_written: usize,
    /// Above this many bytes in `out`, senders wait.
    pub(crate) write_buffer: usize,
    pub(crate) send_waiters: Vec<Waker>,
    pub(crate) driver: Option<Waker>,
    /// The driver has been woken and has not run since.
    pub(crate) notified: bool,
    pub(crate) subscriptions: HashMap<String, SubQueue>,
    pub(crate) subscription_buffer: usize,
    pub(crate) slow_consumer: SlowConsumer,
    /// Reading stops while a subscription buffer is full ([`SlowConsumer::Block`]).
    pub(crate) read_blocked: bool,
    /// Receipt ids the session awaits for a [`Receipt`](super::Receipt) future, and its key
    /// in `receipt_slots`.
    pub(crate) receipts: HashMap<String, u64>,
    /// The futures' slots, by key: a slot outlives its id's wait until its future takes the
    /// result, so one id may be asked for again meanwhile without replacing it.
    pub(crate) receipt_slots: HashMap<u64, ReceiptSlot>,
    pub(crate) next_receipt_key: u64,
    /// Messages of `client`/`client-individual` subscriptions taken and not yet acknowledged:
    /// a shutdown waits for them.
    pub(crate) in_flight: usize,
    pub(crate) listeners: Vec<Listener>,
    pub(crate) event_buffer: usize,
    pub(crate) first_connect: FirstConnect,
    pub(crate) finish_waiters: Vec<Waker>,
    /// Client handles alive; at 0 the driver stops.
    pub(crate) handles: usize,
    pub(crate) last_error_frame: Option<Frame>,
    pub(crate) last_transport_error: Option<Arc<io::Error>>,
    /// Why the client stopped, when it stopped on its own (gave up).
    pub(crate) stop_error: Option<Error>,
    /// Everything that happens, for a shell's observer (`None`: the async client's own
    /// routing only).
    pub(crate) tap: Option<Tap>,
    /// Stop at once: close the connection without DISCONNECT and stop reconnecting.
    pub(crate) close_now: bool,
    /// The open connection's [`DirectWrite`], if it has one: frames sent while the driver
    /// is idle go out on the sender's thread ([`flush_session`](Self::flush_session)).
    pub(crate) direct: Option<Arc<dyn DirectWrite>>,
    /// A direct write failed: the driver closes the connection with this error.
    pub(crate) direct_failed: Option<io::Error>,
    /// The driver is running (it holds the lock for its whole run): it writes itself.
    pub(crate) in_run: bool,
    /// The clock's millisecond of the last write, by the driver or direct.
    pub(crate) last_write_ms: u64,
    /// The session's deadline as the driver last armed its timer for it.
    pub(crate) session_deadline: Option<u64>,
}

impl core::fmt::Debug for dyn DirectWrite {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("DirectWrite")
    }
}

impl Shared {
    pub(crate) fn new(session: Session, now: fn() -> u64, config: &super::Config) -> Shared {
        Shared {
            session,
            now,
            lifecycle: Lifecycle::Running,
            out: Vec::new(),
            out_written: 0,
            write_buffer: config.write_buffer.max(1),
            send_waiters: Vec::new(),
            driver: None,
            notified: false,
            subscriptions: HashMap::new(),
            subscription_buffer: config.subscription_buffer.max(1),
            slow_consumer: config.slow_consumer,
            read_blocked: false,
            receipts: HashMap::new(),
            receipt_slots: HashMap::new(),
            next_receipt_key: 0,
            in_flight: 0,
            listeners: Vec::new(),
            event_buffer: config.event_buffer.max(1),
            first_connect: FirstConnect::Pending(Vec::new()),
            finish_waiters: Vec::new(),
            handles: 1,
            last_error_frame: None,
            last_transport_error: None,
            stop_error: None,
            tap: None,
            close_now: false,
            direct: None,
            direct_failed: None,
            in_run: false,
            last_write_ms: 0,
            session_deadline: None,
        }
    }

    /// Taps what happens for an observer (see [`Tapped`]): session events go there instead
    /// of to the async client's routing, and a subscription buffer is filled by the observer
    /// ([`deliver_from`](Self::deliver_from)).
    // Only the native shell taps the driver.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn set_tap(&mut self, written: bool) {
        self.tap.get_or_insert_with(Tap::default).written = written;
    }

    /// Whether the bytes of the write about to be made (of the chunk
    /// [`next_out`](Self::next_out) gave) are copied for the observer: once it asks for them,
    /// from the start of a chunk — a frame's start, so that what it decodes is whole frames —
    /// until it no longer asks.
    pub(crate) fn copy_write(&mut self) -> bool {
        let at_start = self.out_written == 0;
        let Some(tap) = &mut self.tap else {
            return false;
        };
        if !tap.written {
            tap.copying = false;
        } else if !tap.copying && at_start {
            tap.copying = true;
            tap.events.push(Tapped::CopyStarts);
        }
        tap.copying
    }

    /// Records `tapped` for the observer, if there is one.
    pub(crate) fn push_tap(&mut self, tapped: impl FnOnce() -> Tapped) {
        if let Some(tap) = &mut self.tap {
            tap.events.push(tapped());
        }
    }

    /// Ready to run a new driver after the last one finished: taking work again, waiting for
    /// a first CONNECTED again.
    // Only the native shell taps the driver.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn restart(&mut self) {
        self.lifecycle = Lifecycle::Running;
        self.first_connect = FirstConnect::Pending(Vec::new());
        self.stop_error = None;
        self.close_now = false;
        self.notified = false;
        self.read_blocked = false;
        self.subscriptions.retain(|_, s| !s.ended);
        if let Some(tap) = &mut self.tap {
            tap.events.clear();
        }
        self.clear_out();
    }

    /// The time now.
    pub(crate) fn now(&self) -> u64 {
        (self.now)()
    }

    /// Wakes the driver, once per run of it.
    pub(crate) fn wake_driver(&mut self) {
        if !self.notified {
            self.notified = true;
            if let Some(w) = &self.driver {
                w.wake_by_ref();
            }
        }
    }

    /// Gets what the session has to send written, after a call of the program's (or of
    /// the driver's own): on the caller's thread when the connection can be written from
    /// there and the driver is idle ([`write_direct`](Self::write_direct)), else by the
    /// driver, woken for it. The driver is woken as well when the call left it something
    /// else to do: a deadline earlier than the one it waits for (a receipt), events, or a
    /// connection to close.
    pub(crate) fn flush_session(&mut self) {
        if self.session.transmit_len() == 0 {
            return;
        }
        if self.in_run || !self.write_direct() || self.driver_has_work() {
            self.wake_driver();
        }
    }

    /// Whether the session now needs the driver for more than writing.
    fn driver_has_work(&self) -> bool {
        let earlier = match (self.session.poll_timeout(), self.session_deadline) {
            (Some(t), Some(known)) => t < known,
            (Some(_), None) => true,
            (None, _) => false,
        };
        earlier || self.session.wants_close() || self.session.has_events()
    }

    /// Writes the session's output now, on this thread, if the connection has a
    /// [`DirectWrite`] and nothing else is under way: the driver is neither running nor
    /// woken, no earlier chunk is half written, no observer copies what is written, and
    /// nothing was written yet in this millisecond of the clock — frames sent back to back
    /// (a flood) are left to the driver, which writes them together. Returns whether all of
    /// it was written; what is left (the socket was full) the driver writes, and a failed
    /// write it handles as its own.
    fn write_direct(&mut self) -> bool {
        let Some(direct) = &self.direct else {
            return false;
        };
        if self.in_run
            || self.notified
            || self.out_written < self.out.len()
            || self.tap.as_ref().is_some_and(|t| t.written)
        {
            return false;
        }
        let now = self.now();
        if now == self.last_write_ms {
            return false;
        }
        let direct = direct.clone();
        self.last_write_ms = now;
        while let Some(bytes) = self.next_out() {
            match direct.try_write(bytes) {
                Ok(0) => {
                    self.direct_failed = Some(io::Error::from(io::ErrorKind::WriteZero));
                    return false;
                }
                Ok(n) => self.out_written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return false,
                Err(e) => {
                    self.direct_failed = Some(e);
                    return false;
                }
            }
        }
        if !self.send_waiters.is_empty() && self.queued() < self.write_buffer / 2 {
            self.send_waiters.drain(..).for_each(Waker::wake);
        }
        true
    }

    /// Bytes encoded and not yet written.
    pub(crate) fn queued(&self) -> usize {
        self.out.len() - self.out_written + self.session.transmit_len()
    }

    /// The bytes to write next: the rest of the chunk being written, or once it is done the
    /// session's next chunk (the written one goes back to the session for reuse).
    pub(crate) fn next_out(&mut self) -> Option<&[u8]> {
        if self.out_written >= self.out.len() {
            let next = self.session.poll_transmit()?;
            let done = core::mem::replace(&mut self.out, next);
            self.session.recycle(done);
            self.out_written = 0;
        }
        Some(&self.out[self.out_written..])
    }

    /// Forgets the chunk being written (its connection is gone).
    pub(crate) fn clear_out(&mut self) {
        self.out.clear();
        self.out_written = 0;
    }

    /// Fails with the reason new work is refused, if it is.
    pub(crate) fn check_running(&self) -> Result<(), Error> {
        match self.lifecycle {
            Lifecycle::Running => Ok(()),
            Lifecycle::Draining { .. } | Lifecycle::Stopping => Err(Error::ShuttingDown),
            Lifecycle::Finished => Err(Error::Closed),
        }
    }

    /// Tells every listener.
    pub(crate) fn emit(&mut self, event: ConnectionEvent) {
        let mut listeners = self.listeners.iter_mut().filter(|l| !l.gone).peekable();
        while let Some(listener) = listeners.next() {
            if listeners.peek().is_none() {
                listener.push(event);
                return;
            }
            listener.push(event.clone());
        }
    }

    /// Registers a listener; returns its index.
    pub(crate) fn add_listener(&mut self) -> usize {
        let listener = Listener {
            queue: VecDeque::new(),
            capacity: self.event_buffer,
            waker: None,
            closed: self.lifecycle == Lifecycle::Finished,
            gone: false,
        };
        match self.listeners.iter().position(|l| l.gone) {
            Some(i) => {
                self.listeners[i] = listener;
                i
            }
            None => {
                self.listeners.push(listener);
                self.listeners.len() - 1
            }
        }
    }

    /// Routes one session event to its waiters. Returns the events the driver itself must act
    /// on (CONNECTED, the close), which it gets back unchanged.
    pub(crate) fn route(&mut self, event: Event) -> Option<Event> {
        if let Some(tap) = &mut self.tap {
            let connection = self.session.connection();
            return match event {
                Event::Connected(_) | Event::Disconnected(_) => {
                    tap.events.push(Tapped::Event(event.clone(), connection));
                    Some(event)
                }
                other => {
                    tap.events.push(Tapped::Event(other, connection));
                    None
                }
            };
        }
        match event {
            Event::Message {
                subscription,
                frame,
            } => {
                if let Some(id) = subscription {
                    let connection = self.session.connection();
                    self.deliver_from(&id, frame, connection);
                }
                None
            }
            Event::Receipt(outcome) => {
                let (id, result) = match outcome {
                    ReceiptOutcome::Confirmed { id, .. } => (id, Ok(())),
                    ReceiptOutcome::TimedOut { id } => {
                        let e = Error::ReceiptTimedOut { id: id.clone() };
                        (id, Err(e))
                    }
                    ReceiptOutcome::Lost { id, reason } => {
                        let e = Error::ReceiptLost {
                            id: id.clone(),
                            reason,
                        };
                        (id, Err(e))
                    }
                    _ => return None,
                };
                if let Some(slot) = self
                    .receipts
                    .remove(&id)
                    .and_then(|key| self.receipt_slots.get_mut(&key))
                {
                    slot.result = Some(result);
                    if let Some(w) = slot.waker.take() {
                        w.wake();
                    }
                }
                None
            }
            Event::Error(frame) => {
                self.last_error_frame = Some(frame.clone());
                self.emit(ConnectionEvent::Error(frame));
                None
            }
            Event::Connected(_) | Event::Disconnected(_) => Some(event),
            _ => None,
        }
    }

    /// Puts a MESSAGE in its subscription's buffer, as the slow-consumer policy says; it came
    /// on `connection` ([`Session::connection`]). A subscription without a buffer takes none.
    pub(crate) fn deliver_from(&mut self, id: &str, frame: Frame, connection: u64) {
        if let Delivery::Buffered(Some(w)) = self.push_delivery(id, frame, connection) {
            w.wake();
        }
    }

    /// [`deliver_from`](Self::deliver_from), but the consumer's waker, if it must be woken,
    /// is returned instead (woken once the lock is released, a consumer on another thread
    /// does not wake only to wait for the lock), and so is a drop.
    pub(crate) fn push_delivery(&mut self, id: &str, frame: Frame, connection: u64) -> Delivery {
        let Some(sub) = self.subscriptions.get_mut(id) else {
            return Delivery::Ignored;
        };
        if sub.ended {
            return Delivery::Ignored;
        }
        // In `client` mode an ACK acknowledges every earlier message too, so a dropped one
        // would be acknowledged with the next: such subscriptions are held back instead.
        let drop = self.slow_consumer == SlowConsumer::Drop && sub.ack != AckMode::Client;
        if sub.queue.len() >= sub.capacity && drop {
            sub.dropped += 1;
            let total = sub.dropped;
            let nack = sub.ack == AckMode::ClientIndividual;
            if nack {
                let now = (self.now)();
                // A NACK the session refuses (1.0) leaves the message to the broker's
                // redelivery at the next connection.
                let _ = self
                    .session
                    .nack_from(&frame, connection, Headers::new(), now);
                self.flush_session();
            }
            self.emit(ConnectionEvent::Dropped {
                subscription: id.to_owned(),
                total,
            });
            return Delivery::Dropped { total };
        }
        sub.queue.push_back((connection, frame));
        if sub.queue.len() >= sub.capacity && !drop {
            self.read_blocked = true;
        }
        Delivery::Buffered(sub.take_wakers())
    }

    /// After a consumer took a message: reading resumes once no buffer is full.
    pub(crate) fn taken(&mut self) {
        if self.read_blocked
            && self
                .subscriptions
                .values()
                .all(|s| s.ended || s.queue.len() < s.capacity)
        {
            self.read_blocked = false;
            self.wake_driver();
        }
    }

    /// Whether a shutdown has nothing left to wait for: no buffered or unacknowledged
    /// message, no receipt.
    pub(crate) fn drained(&self) -> bool {
        self.in_flight == 0
            && self.session.pending_receipts() == 0
            && self.subscriptions.values().all(|s| s.queue.is_empty())
    }

    /// The client has stopped: every waiter learns it, every stream ends.
    pub(crate) fn finish(&mut self, error: Option<Error>) {
        self.lifecycle = Lifecycle::Finished;
        self.direct = None;
        // Receipts still pending will not come.
        self.session.shut_down();
        while let Some(event) = self.session.poll_event() {
            let _ = self.route(event);
        }
        self.receipts.clear();
        for slot in self.receipt_slots.values_mut() {
            if slot.result.is_none() {
                slot.result = Some(Err(Error::Closed));
            }
            if let Some(w) = slot.waker.take() {
                w.wake();
            }
        }
        // With a tap, the observer hears of the end first; its shell ends the buffers after.
        if self.tap.is_none() {
            self.end_subscriptions();
        }
        for listener in &mut self.listeners {
            listener.closed = true;
            if let Some(w) = listener.waker.take() {
                w.wake();
            }
        }
        let result = match &error {
            Some(e) => Err(e.clone()),
            None => Err(Error::Closed),
        };
        if let FirstConnect::Pending(wakers) =
            core::mem::replace(&mut self.first_connect, FirstConnect::Done(result))
        {
            wakers.into_iter().for_each(Waker::wake);
        }
        self.stop_error = error;
        self.send_waiters.drain(..).for_each(Waker::wake);
        self.finish_waiters.drain(..).for_each(Waker::wake);
    }

    /// Gives the subscription `id` a buffer of `subscription_buffer` messages.
    pub(crate) fn add_buffer(&mut self, id: String, ack: AckMode) {
        let buffer = SubQueue {
            queue: VecDeque::new(),
            capacity: self.subscription_buffer,
            ack,
            waker: None,
            more_wakers: Vec::new(),
            dropped: 0,
            ended: false,
        };
        self.subscriptions.insert(id, buffer);
    }

    /// Every subscription buffer ends: its stream ends after what it holds.
    pub(crate) fn end_subscriptions(&mut self) {
        for sub in self.subscriptions.values_mut() {
            sub.ended = true;
            sub.wake();
        }
    }

    /// The error for a supervisor that gave up.
    pub(crate) fn gave_up(&self, attempts: u32, last: Option<Reason>) -> Error {
        Error::GaveUp(Box::new(super::error::GaveUp {
            attempts,
            last,
            error_frame: self.last_error_frame.clone(),
            transport: self.last_transport_error.clone(),
        }))
    }
}
