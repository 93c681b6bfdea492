//! Connection events: [`ConnectionEvent`], and [`Events`], a stream of them.

use core::pin::Pin;
use core::task::{Context, Poll};
use std::collections::VecDeque;
use std::io;
use std::prelude::rust_2024::*;
use std::sync::{Arc, Mutex};

use futures_core::Stream;

use crate::frame::{Frame, Version};
use crate::reconnect::Reason;
use crate::session::CloseReason;

use super::shared::{Shared, lock, set_waker};

/// Something that happened to the client's connection.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ConnectionEvent {
    /// CONNECTED came.
    Connected {
        /// The endpoint (URL).
        endpoint: String,
        /// The negotiated version.
        version: Version,
        /// The broker's `server` header.
        server: Option<String>,
    },
    /// The next attempt is planned.
    Reconnecting {
        /// The attempt's number since the last successful connection, from 0.
        attempt: u32,
        /// The endpoint it goes to.
        endpoint: String,
        /// How long it waits first, in milliseconds.
        delay_ms: u64,
    },
    /// The connection ended.
    Disconnected {
        /// Why.
        reason: CloseReason,
    },
    /// A transport could not be opened, or failed.
    TransportError {
        /// The endpoint.
        endpoint: String,
        /// The error.
        error: Arc<io::Error>,
    },
    /// The broker sent an ERROR frame.
    Error(Frame),
    /// The connection refused a frame and sent nothing of it; it stays open (a multicast
    /// frame larger than a datagram). The frame's receipt, if it asked for one, fails with
    /// [`Error::ReceiptLost`](super::Error::ReceiptLost).
    Refused {
        /// The endpoint.
        endpoint: String,
        /// The frame's `receipt` header.
        receipt: Option<String>,
        /// Why.
        error: Arc<io::Error>,
    },
    /// A subscription's buffer was full and a message was dropped
    /// ([`SlowConsumer::Drop`](super::SlowConsumer::Drop)).
    Dropped {
        /// The subscription id.
        subscription: String,
        /// How many it has dropped in all.
        total: u64,
    },
    /// The supervisor gave up connecting; the client has stopped.
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// Why the last one ended.
        last: Option<Reason>,
    },
}

/// One listener's queue.
#[derive(Debug)]
pub(crate) struct Listener {
    pub(crate) queue: VecDeque<ConnectionEvent>,
    pub(crate) capacity: usize,
    pub(crate) waker: Option<core::task::Waker>,
    pub(crate) closed: bool,
    pub(crate) gone: bool,
}

impl Listener {
    pub(crate) fn push(&mut self, event: ConnectionEvent) {
        if self.queue.len() >= self.capacity {
            self.queue.pop_front();
        }
        self.queue.push_back(event);
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }
}

/// The client's connection events, as a [`Stream`]; it ends when the client has stopped. It
/// sees the events from its creation on, buffering [`Config::event_buffer`](super::Config)
/// of them (the oldest are dropped when it falls behind).
#[derive(Debug)]
pub struct Events {
    pub(crate) shared: Arc<Mutex<Shared>>,
    pub(crate) index: usize,
}

impl Stream for Events {
    type Item = ConnectionEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ConnectionEvent>> {
        let mut shared = lock(&self.shared);
        let listener = &mut shared.listeners[self.index];
        if let Some(event) = listener.queue.pop_front() {
            return Poll::Ready(Some(event));
        }
        if listener.closed {
            return Poll::Ready(None);
        }
        set_waker(&mut listener.waker, cx.waker());
        Poll::Pending
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        let mut shared = lock(&self.shared);
        let listener = &mut shared.listeners[self.index];
        listener.gone = true;
        listener.queue.clear();
        listener.waker = None;
    }
}
