//! The receiver thread: an adapter between the core and the world. It carries out the
//! supervisor's actions (open a transport, close it, give up, stop), moves bytes and time
//! into the session and the supervisor, writes what the session produces, and hands events to
//! listeners and waiters. Which endpoint to open, when, and when to give up is the
//! supervisor's to say; every protocol rule is the session's.
//!
//! The thread owns no timer of its own: it waits — in [`Transport::recv`] while a transport
//! is open, on the condition variable between attempts — until the earlier of the session's
//! and the supervisor's deadlines ([`earliest`]), then calls both `handle_timeout`s. A user
//! call can set a deadline while the thread waits (a receipt's, a DISCONNECT's), so no wait
//! is longer than the shortest such timeout of the configuration: the thread is then awake
//! again before that deadline can pass.

use std::sync::Arc;
use std::time::Duration;

use super::Error;
use super::Waited;
use super::receipt::Outcome;
use super::shared::{Inner, Shared};
use super::transport::{Recv, Transport};
use crate::reconnect::{Action, TransportFailure, earliest};
use crate::session::{AckMode, CloseReason, Event, ReceiptOutcome};

/// The receiver thread's body: until the supervisor gives up or stops, the next action.
pub(crate) fn run(inner: Arc<Inner>) {
    let mut conn: Option<Arc<dyn Transport>> = None;
    let mut buf = Vec::with_capacity(64 * 1024);
    // Why the last attempt failed, in this shell's detail, for `Error::GaveUp`.
    let mut last_error: Option<Error> = None;
    loop {
        let action = next_action(&inner, &mut conn, &mut buf, &mut last_error);
        match action {
            Action::Open { target, attempt } => {
                conn = open(&inner, target, attempt, &mut last_error);
            }
            Action::Close { reason } => {
                if let Some(transport) = conn.take() {
                    let mut shared = inner.lock();
                    if !shared.closing {
                        last_error = Some(Error::Timeout {
                            what: Waited::Connected,
                        });
                    }
                    let now = inner.now();
                    let mut events =
                        end_connection(&inner, &mut shared, &*transport, now, &mut last_error);
                    drop(shared);
                    // The session saw only its transport close; a timeout of the supervisor's
                    // is why.
                    if let Some(why) = reason.close_reason().filter(|_| reason.is_silent()) {
                        for (event, _) in &mut events {
                            if let Event::Disconnected(d) = event {
                                if matches!(d.reason, CloseReason::TransportClosed { .. }) {
                                    d.reason = why.clone();
                                }
                            }
                        }
                    }
                    dispatch_all(&inner, events);
                }
            }
            Action::Scheduled {
                attempt,
                target,
                delay_ms,
            } => {
                let endpoint = &inner.endpoints[target];
                log::debug!("attempt {attempt} to {endpoint} in {delay_ms} ms");
                let delay = Duration::from_millis(delay_ms);
                inner
                    .listeners
                    .each(|l| l.on_reconnect_scheduled(&endpoint.host, endpoint.port, delay));
            }
            Action::GaveUp { attempts, last } => {
                log::debug!("gave up after {attempts} attempts (last: {last:?})");
                let mut shared = inner.lock();
                shared.gave_up = Some(Error::GaveUp {
                    attempts,
                    last: last_error.take().map(Box::new),
                });
                inner.cond.notify_all();
                break;
            }
            Action::Stopped => {
                // `start` while stopping starts again at once.
                if inner.lock().supervisor.is_idle() {
                    break;
                }
            }
        }
    }
    let events = {
        let mut shared = inner.lock();
        let now = inner.now();
        let mut events = Vec::new();
        if let Some(transport) = conn.take() {
            events = end_connection(&inner, &mut shared, &*transport, now, &mut last_error);
        }
        shared.running = false;
        shared.transport = None;
        shared.streams.clear();
        shared.delivered.clear();
        // No more connections: the receipts still pending will not come.
        shared.session.shut_down();
        events.extend(std::iter::from_fn(|| poll(&mut shared)));
        inner.cond.notify_all();
        events
    };
    dispatch_all(&inner, events);
    inner.listeners.each(|l| l.on_receiver_loop_completed());
}

/// Reads, waits and handles time until the supervisor has an action.
fn next_action(
    inner: &Inner,
    conn: &mut Option<Arc<dyn Transport>>,
    buf: &mut Vec<u8>,
    last_error: &mut Option<Error>,
) -> Action {
    loop {
        match conn {
            Some(transport) => {
                if let Some(action) = inner.lock().supervisor.poll_action() {
                    return action;
                }
                if receive(inner, transport.as_ref(), buf, last_error) {
                    *conn = None;
                }
            }
            None => {
                if let Some(action) = wait_idle(inner) {
                    return action;
                }
            }
        }
    }
}

/// How long to wait at `now`: until the earlier deadline of the session and the supervisor,
/// and never longer than a user call's new deadline could be away (see the module docs).
fn wait_time(shared: &Shared, now: u64) -> Option<Duration> {
    let deadline = earliest(
        shared.session.poll_timeout(),
        shared.supervisor.poll_timeout(),
    );
    let config = shared.session.config();
    let bound = earliest(
        config.receipt_timeout_ms,
        Some(config.disconnect_timeout_ms),
    );
    earliest(deadline.map(|d| d.saturating_sub(now)), bound).map(Duration::from_millis)
}

/// With no transport open: returns the supervisor's next action, or waits for one (or for a
/// deadline, which it then hands to the supervisor and the session: receipt deadlines run
/// between attempts too).
fn wait_idle(inner: &Inner) -> Option<Action> {
    let mut shared = inner.lock();
    if let Some(action) = shared.supervisor.poll_action() {
        return Some(action);
    }
    let now = inner.now();
    let deadline = earliest(
        shared.session.poll_timeout(),
        shared.supervisor.poll_timeout(),
    );
    if deadline.is_some_and(|d| d <= now) {
        shared.supervisor.handle_timeout(now);
        shared.session.handle_timeout(now);
        let events: Vec<Polled> = std::iter::from_fn(|| poll(&mut shared)).collect();
        drop(shared);
        dispatch_all(inner, events);
        return None;
    }
    let wait = wait_time(&shared, now).unwrap_or(Duration::from_secs(3600));
    drop(
        inner
            .cond
            .wait_timeout(shared, wait)
            .unwrap_or_else(|e| e.into_inner()),
    );
    None
}

/// Opens entry `target` for [`Action::Open`], reports the result to the supervisor and, once
/// open, starts the session. Returns the open transport.
fn open(
    inner: &Inner,
    target: usize,
    attempt: u32,
    last_error: &mut Option<Error>,
) -> Option<Arc<dyn Transport>> {
    let endpoint = &inner.endpoints[target];
    log::debug!("connecting to {endpoint} (attempt {attempt})");
    inner
        .listeners
        .each(|l| l.on_connecting(&endpoint.host, endpoint.port));
    let opened = inner
        .config
        .connector
        .connect(endpoint, &inner.config.transport);
    let mut shared = inner.lock();
    let now = inner.now();
    let transport: Arc<dyn Transport> = match opened {
        Ok(t) => Arc::from(t),
        Err(source) => {
            log::debug!("cannot connect to {endpoint}: {source}");
            let failure = if source.is_timeout() {
                TransportFailure::TimedOut
            } else {
                TransportFailure::Unreachable
            };
            shared.supervisor.handle_transport_failed(now, failure);
            drop(shared);
            let error = Error::ConnectFailed {
                endpoint: endpoint.to_string(),
                source,
            };
            inner
                .listeners
                .each(|l| l.on_connect_failed(&endpoint.host, endpoint.port, &error));
            *last_error = Some(error);
            return None;
        }
    };
    if shared.closing {
        // Stopped while opening: the supervisor waits for this close.
        transport.close();
        shared.supervisor.handle_transport_closed(now);
        return None;
    }
    shared.supervisor.handle_transport_opened(now);
    shared.transport = Some(transport.clone());
    shared.announced = false;
    if let Err(e) = shared.session.connect(now) {
        log::debug!("cannot start session: {e}");
    }
    let sent = inner.flush(&mut shared);
    drop(shared);
    inner.sent(sent);
    Some(transport)
}

/// Reads once (until bytes, a close, or the next deadline) and hands what happened to the
/// session and the supervisor. Returns whether the connection is over.
fn receive(
    inner: &Inner,
    transport: &dyn Transport,
    buf: &mut Vec<u8>,
    last_error: &mut Option<Error>,
) -> bool {
    let timeout = {
        let shared = inner.lock();
        wait_time(&shared, inner.now())
    };
    buf.clear();
    let received = transport.recv(buf, timeout);
    let (events, sent, over) = {
        let mut shared = inner.lock();
        let now = inner.now();
        let mut over = false;
        match received {
            Ok(Recv::Data(_)) => {
                if let Err(e) = shared.session.handle_bytes(buf, now) {
                    log::debug!("input rejected: {e}");
                }
            }
            Ok(Recv::Timeout) => {}
            Ok(Recv::Closed) => over = true,
            Err(e) => {
                log::debug!("read failed: {e}");
                over = true;
            }
        }
        // Deadlines that passed, also while input keeps coming.
        let deadline = earliest(
            shared.session.poll_timeout(),
            shared.supervisor.poll_timeout(),
        );
        if !over && deadline.is_some_and(|d| d <= now) {
            shared.session.handle_timeout(now);
            shared.supervisor.handle_timeout(now);
        }
        let sent = if over {
            Vec::new()
        } else {
            inner.flush(&mut shared)
        };
        if shared.session.wants_close() {
            over = true;
        }
        let events = if over {
            end_connection(inner, &mut shared, transport, now, last_error)
        } else {
            take_events(&mut shared, now, last_error)
        };
        (events, sent, over)
    };
    inner.sent(sent);
    dispatch_all(inner, events);
    over
}

/// An event, with the connection it came on ([`Session::connection`] right after it was
/// polled), which a MESSAGE keeps for its ACK.
///
/// [`Session::connection`]: crate::session::Session::connection
type Polled = (Event, u64);

/// The session's next event, with its connection.
fn poll(shared: &mut Shared) -> Option<Polled> {
    let event = shared.session.poll_event()?;
    Some((event, shared.session.connection()))
}

/// Closes `transport` and reports the close: to the session first, then its reason to the
/// supervisor, then the transport's close (the supervisor's documented order). Returns the
/// events to dispatch.
fn end_connection(
    inner: &Inner,
    shared: &mut Shared,
    transport: &dyn Transport,
    now: u64,
    last_error: &mut Option<Error>,
) -> Vec<Polled> {
    transport.close();
    shared.transport = None;
    shared.session.handle_close(now);
    let events = take_events(shared, now, last_error);
    shared.supervisor.handle_transport_closed(now);
    inner.cond.notify_all();
    events
}

/// Drains the session's events, telling the supervisor of CONNECTED and of the session's
/// end (with its reason), and keeping the detail of a failed attempt.
fn take_events(shared: &mut Shared, now: u64, last_error: &mut Option<Error>) -> Vec<Polled> {
    let mut events = Vec::new();
    while let Some((event, connection)) = poll(shared) {
        match &event {
            Event::Connected(_) => {
                shared.supervisor.handle_connected(now);
                *last_error = None;
            }
            Event::Disconnected(d) => {
                shared.supervisor.handle_session_closed(now, &d.reason);
                match &d.reason {
                    CloseReason::ConnectRefused(frame) => {
                        *last_error = Some(Error::Refused(frame.clone()));
                    }
                    CloseReason::Protocol(e) => *last_error = Some(Error::Session(e.clone())),
                    _ => {}
                }
            }
            _ => {}
        }
        events.push((event, connection));
    }
    events
}

fn dispatch_all(inner: &Inner, events: Vec<Polled>) {
    for (event, connection) in events {
        dispatch(inner, event, connection);
    }
}

/// Hands one event, which came on `connection`, to the waiters, streams and listeners.
fn dispatch(inner: &Inner, event: Event, connection: u64) {
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
            // Recorded as handed out (after `on_before_message`), before anyone can ack it.
            if let Some(id) = &subscription {
                let mut shared = inner.lock();
                let acked = shared
                    .session
                    .subscription(id)
                    .is_some_and(|s| s.ack != AckMode::Auto);
                if acked {
                    shared.delivered.record(&frame, id, connection);
                }
            }
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
            match slot {
                Some(slot) => slot.complete(outcome),
                None => log::debug!("receipt {id}: {outcome:?}, nobody waits for it"),
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
