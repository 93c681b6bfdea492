//! [`Subscription`], a [`Stream`] of [`Message`]s that unsubscribes when dropped, and
//! [`Message`], which acknowledges itself.

use core::pin::Pin;
use core::task::{Context, Poll};
use std::fmt;
use std::prelude::rust_2024::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures_core::Stream;

use crate::frame::{Frame, Headers};
use crate::session::{AckMode, SessionError};

use super::Error;
use super::shared::{Lifecycle, Shared, lock, set_waker};

/// The messages of one subscription, as a [`Stream`]. Its buffer is bounded
/// ([`Config::subscription_buffer`](super::Config)); a slow consumer is handled as
/// [`SlowConsumer`](super::SlowConsumer) says. The stream ends when the client stops (or
/// shuts down: the messages already buffered come first). Dropping it sends UNSUBSCRIBE.
pub struct Subscription {
    shared: Arc<Mutex<Shared>>,
    /// Shared with every message it hands out.
    id: Arc<str>,
    ack: AckMode,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("ack", &self.ack)
            .finish()
    }
}

impl Subscription {
    pub(crate) fn new(shared: Arc<Mutex<Shared>>, id: String, ack: AckMode) -> Subscription {
        Subscription {
            shared,
            id: Arc::from(id),
            ack,
        }
    }

    /// The subscription id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The ack mode.
    pub fn ack_mode(&self) -> AckMode {
        self.ack
    }

    /// Messages dropped because the buffer was full ([`SlowConsumer::Drop`](super::SlowConsumer)).
    pub fn dropped(&self) -> u64 {
        lock(&self.shared)
            .subscriptions
            .get(&*self.id)
            .map_or(0, |s| s.dropped)
    }

    /// Messages waiting in the buffer.
    pub fn buffered(&self) -> usize {
        lock(&self.shared)
            .subscriptions
            .get(&*self.id)
            .map_or(0, |s| s.queue.len())
    }
}

impl Stream for Subscription {
    type Item = Message;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        let mut guard = lock(&self.shared);
        let shared = &mut *guard;
        let Some(sub) = shared.subscriptions.get_mut(&*self.id) else {
            return Poll::Ready(None);
        };
        match sub.queue.pop_front() {
            Some((connection, frame)) => {
                shared.taken();
                let settled = self.ack == AckMode::Auto;
                if !settled {
                    shared.in_flight += 1;
                }
                Poll::Ready(Some(Message {
                    frame,
                    subscription: self.id.clone(),
                    connection,
                    settled: AtomicBool::new(settled),
                    shared: self.shared.clone(),
                }))
            }
            None if sub.ended => Poll::Ready(None),
            None => {
                set_waker(&mut sub.waker, cx.waker());
                Poll::Pending
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut guard = lock(&self.shared);
        let shared = &mut *guard;
        let Some(sub) = shared.subscriptions.remove(&*self.id) else {
            return;
        };
        shared.taken();
        if sub.ended || shared.lifecycle == Lifecycle::Finished {
            return;
        }
        // While reconnecting the session forgets it at once: it is not replayed.
        let now = shared.now();
        let _ = shared.session.unsubscribe(&self.id, Headers::new(), now);
        shared.flush_session();
    }
}

/// A MESSAGE, with the means to acknowledge it.
///
/// A message of a `client` or `client-individual` subscription is *in flight* until it is
/// acknowledged, negatively acknowledged or dropped: a [`shutdown`](super::Client::shutdown)
/// waits for it (within its grace period).
pub struct Message {
    frame: Frame,
    subscription: Arc<str>,
    /// The connection it came on ([`Session::connection`](crate::session::Session::connection)).
    connection: u64,
    /// Acknowledged (or auto-acknowledged): no longer in flight.
    settled: AtomicBool,
    shared: Arc<Mutex<Shared>>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("subscription", &self.subscription)
            .field("frame", &self.frame)
            .finish()
    }
}

impl Message {
    /// The MESSAGE frame.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// The frame, taken out (the message is then no longer in flight: it can no longer be
    /// acknowledged through this handle).
    pub fn into_frame(mut self) -> Frame {
        core::mem::replace(&mut self.frame, Frame::new(crate::frame::Command::Message))
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        self.frame.body()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.frame.header(name)
    }

    /// The `destination` header.
    pub fn destination(&self) -> Option<&str> {
        self.frame.destination()
    }

    /// The subscription id.
    pub fn subscription(&self) -> &str {
        &self.subscription
    }

    /// Acknowledges the message (in `client` mode, every earlier one of its subscription
    /// too), by the rules of the negotiated version. Queued at once; an error in `auto` mode,
    /// and [`Error::StaleMessage`] when the connection it came on is gone.
    pub fn ack(&self) -> Result<(), Error> {
        self.acknowledge(true, None)
    }

    /// Negatively acknowledges the message (STOMP 1.1+).
    pub fn nack(&self) -> Result<(), Error> {
        self.acknowledge(false, None)
    }

    /// Acknowledges the message inside transaction `transaction`.
    pub fn ack_in(&self, transaction: &super::Transaction) -> Result<(), Error> {
        self.acknowledge(true, Some(transaction.id()))
    }

    fn acknowledge(&self, ack: bool, transaction: Option<&str>) -> Result<(), Error> {
        let mut guard = lock(&self.shared);
        let shared = &mut *guard;
        if shared.lifecycle == Lifecycle::Finished {
            self.settle(shared);
            return Err(Error::Closed);
        }
        let mut headers = Headers::new();
        if let Some(tx) = transaction {
            headers.push("transaction", tx);
        }
        let now = shared.now();
        let session = &mut shared.session;
        let result = if ack {
            session.ack_from(&self.frame, self.connection, headers, now)
        } else {
            session.nack_from(&self.frame, self.connection, headers, now)
        };
        match result {
            Ok(()) => {
                shared.flush_session();
                self.settle(shared);
                Ok(())
            }
            // Its connection is gone: the broker redelivers it, nothing is left in flight.
            Err(e @ SessionError::StaleMessage) => {
                self.settle(shared);
                Err(e.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// No longer in flight.
    fn settle(&self, shared: &mut Shared) {
        if !self.settled.swap(true, Ordering::Relaxed) {
            shared.in_flight -= 1;
            shared.wake_driver();
        }
    }
}

impl Drop for Message {
    fn drop(&mut self) {
        if !*self.settled.get_mut() {
            let mut shared = lock(&self.shared);
            shared.in_flight -= 1;
            shared.wake_driver();
        }
    }
}
