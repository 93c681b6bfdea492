//! The driver's observer for the blocking client: what the one driver tapped, handed to the
//! listeners (the stomp.py callbacks), the receipt slots and the [`Messages`](super::Messages)
//! buffers, on the driver's thread with no lock held — a listener may call the client.

use std::sync::Arc;
use std::time::Duration;

use super::Error;
use super::Waited;
use super::inner::Inner;
use super::listener::Listener;
use super::receipt::Outcome;
use super::transport::TransportError;
use crate::client::shared::Delivery;
use crate::client::tap::{Observer, Tapped};
use crate::frame::{Decoder, Frame, Item, Limits};
use crate::session::{AckMode, CloseReason, Event, ReceiptOutcome, SharedId};

/// The observer of `inner`'s driver.
pub(crate) fn observer(inner: Arc<Inner>) -> Observer {
    let mut written = None;
    Box::new(move |batch| {
        // The listeners set when the batch is handed over hear all of it.
        let listeners = Each(inner.listeners.snapshot());
        // MESSAGEs that come one after another are handed out together (two locks for the
        // run, not two per message); everything else in order between them.
        let mut run = Vec::new();
        for tapped in batch {
            match tapped {
                Tapped::Event(
                    Event::Message {
                        subscription,
                        frame,
                    },
                    connection,
                ) => {
                    run.push((subscription, frame, connection));
                }
                other => {
                    messages(&inner, &listeners, &mut run);
                    dispatch(&inner, &listeners, other, &mut written);
                }
            }
        }
        messages(&inner, &listeners, &mut run);
    })
}

/// Hands a run of MESSAGEs (with their subscription ids and the connection each came on) to
/// the listeners, each in turn, then to the iterators' buffers. Which subscriptions are
/// acknowledged by the program and which have a buffer is read once for the run.
fn messages(inner: &Inner, listeners: &Each, run: &mut Vec<(Option<SharedId>, Frame, u64)>) {
    if run.is_empty() {
        return;
    }
    // Per message: (the program acknowledges it, its subscription has a buffer).
    let kinds: Vec<(bool, bool)> = {
        let shared = inner.shared();
        run.iter()
            .map(|(id, _, _)| match id {
                Some(id) => (
                    shared
                        .session
                        .subscription(id)
                        .is_some_and(|s| s.ack != AckMode::Auto),
                    shared.subscriptions.contains_key(id.as_str()),
                ),
                None => (false, false),
            })
            .collect()
    };
    let mut buffered = Vec::new();
    for ((id, mut frame, connection), (acked, buffer)) in run.drain(..).zip(kinds) {
        listeners.each(|l| l.on_before_message(&mut frame));
        let Some(id) = id else {
            listeners.each(|l| l.on_message(&frame));
            continue;
        };
        // Recorded as handed out (after `on_before_message`), before anyone can ack it.
        if acked {
            inner.state().delivered.record(&frame, &id, connection);
        }
        listeners.each(|l| l.on_message(&frame));
        if buffer {
            buffered.push((id, frame, connection));
        }
    }
    if buffered.is_empty() {
        return;
    }
    let deliveries: Vec<(SharedId, Delivery)> = {
        let mut shared = inner.shared();
        buffered
            .into_iter()
            .map(|(id, frame, connection)| {
                let delivery = shared.push_delivery(&id, frame, connection);
                (id, delivery)
            })
            .collect()
    };
    // Woken with the lock released.
    for (id, delivery) in deliveries {
        match delivery {
            Delivery::Buffered(Some(w)) => w.wake(),
            Delivery::Dropped { total } => listeners.each(|l| l.on_message_dropped(&id, total)),
            Delivery::Buffered(None) | Delivery::Ignored => {}
        }
    }
}

/// The listeners of one batch.
struct Each(Vec<Arc<dyn Listener>>);

impl Each {
    fn each(&self, mut f: impl FnMut(&dyn Listener)) {
        for listener in &self.0 {
            f(listener.as_ref());
        }
    }
}

/// Hands one tapped event to the listeners and waiters. `written` reads the bytes written
/// back into frames for `on_send` (they come as the connection took them: a frame may be
/// split between two writes).
fn dispatch(inner: &Inner, listeners: &Each, tapped: Tapped, written: &mut Option<Decoder>) {
    match tapped {
        Tapped::Opening { target } => {
            let endpoint = &inner.endpoints[target];
            log::debug!("connecting to {endpoint}");
            listeners.each(|l| l.on_connecting(&endpoint.host, endpoint.port));
        }
        Tapped::OpenFailed { target, error } => {
            let endpoint = &inner.endpoints[target];
            let source =
                TransportError::from_open(error, &format!("{}:{}", endpoint.host, endpoint.port));
            log::debug!("cannot connect to {endpoint}: {source}");
            let error = Error::ConnectFailed {
                endpoint: endpoint.to_string(),
                source,
            };
            listeners.each(|l| l.on_connect_failed(&endpoint.host, endpoint.port, &error));
            inner.state().last_error = Some(error);
        }
        Tapped::Scheduled { target, delay_ms } => {
            let endpoint = &inner.endpoints[target];
            log::debug!("next attempt to {endpoint} in {delay_ms} ms");
            let delay = Duration::from_millis(delay_ms);
            listeners.each(|l| l.on_reconnect_scheduled(&endpoint.host, endpoint.port, delay));
        }
        Tapped::GaveUp { attempts } => {
            log::debug!("gave up after {attempts} attempts");
            let mut state = inner.state();
            let last = state.last_error.take().map(Box::new);
            state.gave_up = Some(Error::GaveUp { attempts, last });
            inner.cond.notify_all();
        }
        Tapped::Written(bytes) => sent(inner, listeners, &bytes, written),
        Tapped::CopyStarts => *written = None,
        Tapped::Refused(refused) => {
            let error = TransportError::from_io(refused.error);
            log::warn!("the transport refused a frame: {error}");
            let receipt = refused.receipt.as_deref();
            listeners.each(|l| l.on_send_refused(receipt, &error));
        }
        Tapped::Event(event, connection) => {
            if matches!(event, Event::Disconnected(_)) {
                // A frame cut short by the close is not finished by the next connection.
                *written = None;
            }
            session_event(inner, listeners, event, connection);
        }
    }
}

/// Calls `on_send` with the frames in `bytes`.
fn sent(inner: &Inner, listeners: &Each, bytes: &[u8], written: &mut Option<Decoder>) {
    let version = inner.shared().session.version();
    let decoder = written.get_or_insert_with(|| {
        Decoder::new(Limits {
            max_frame_size: usize::MAX,
            max_body_size: usize::MAX,
            max_headers: usize::MAX,
            max_header_line: usize::MAX,
            ..Limits::default()
        })
    });
    decoder.set_version(version);
    let frames: Vec<_> = decoder
        .feed(bytes)
        .filter_map(|item| match item {
            Ok(Item::Frame(frame)) => Some(frame),
            _ => None,
        })
        .collect();
    for frame in frames {
        log::debug!("sent {frame:?}");
        listeners.each(|l| {
            if l.wants_on_send() {
                l.on_send(&frame)
            }
        });
    }
}

/// Hands one session event, which came on `connection`, to the waiters, buffers and
/// listeners.
fn session_event(inner: &Inner, listeners: &Each, event: Event, connection: u64) {
    match event {
        Event::Connected(c) => {
            {
                let mut state = inner.state();
                state.connections += 1;
                state.last_error = None;
            }
            log::debug!("connected: {:?}", c.frame);
            listeners.each(|l| l.on_connected(&c.frame));
            inner.state().announced = true;
            inner.cond.notify_all();
        }
        Event::Message {
            subscription,
            frame,
        } => {
            let mut run = vec![(subscription, frame, connection)];
            messages(inner, listeners, &mut run);
        }
        Event::Receipt(outcome) => {
            let (id, outcome) = match outcome {
                ReceiptOutcome::Confirmed { id, frame } => {
                    // Listeners first: a caller woken by the receipt finds them up to date.
                    listeners.each(|l| l.on_receipt(&frame));
                    (id, Outcome::Received(frame))
                }
                ReceiptOutcome::TimedOut { id } => (id, Outcome::TimedOut),
                ReceiptOutcome::Lost { id, reason } => (id, Outcome::Lost(reason)),
                other => {
                    log::debug!("receipt {other:?}");
                    return;
                }
            };
            let unclaimed = inner.state().receipts.complete(&id, outcome);
            if let Some(outcome) = unclaimed {
                log::debug!("receipt {id}: {outcome:?}, nobody waits for it");
            }
        }
        Event::UnexpectedReceipt { id, frame } => {
            log::debug!("unexpected receipt {id}");
            listeners.each(|l| l.on_receipt(&frame));
        }
        Event::Error(frame) => {
            log::debug!("ERROR frame: {frame:?}");
            listeners.each(|l| l.on_error(&frame));
        }
        Event::Heartbeat => listeners.each(|l| l.on_heartbeat()),
        Event::HeartbeatTimeout { .. } => {
            log::debug!("heart-beat timeout");
            listeners.each(|l| l.on_heartbeat_timeout());
        }
        Event::Disconnected(d) => {
            log::debug!("disconnected: {:?}", d.reason);
            {
                let mut state = inner.state();
                state.announced = false;
                match &d.reason {
                    CloseReason::ConnectRefused(frame) => {
                        state.last_error = Some(Error::Refused(frame.clone()));
                    }
                    CloseReason::Protocol(e) => state.last_error = Some(Error::Session(e.clone())),
                    CloseReason::ConnectTimeout => {
                        state.last_error = Some(Error::Timeout {
                            what: Waited::Connected,
                        });
                    }
                    _ => {}
                }
            }
            inner.cond.notify_all();
            listeners.each(|l| l.on_disconnected(&d));
        }
    }
}
