//! `Messages`: the messages of one subscription as a blocking iterator.

use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use super::parking;
use crate::client::shared::{Shared, lock};
use crate::frame::Frame;

/// The MESSAGE frames of one subscription, in arrival order, from
/// [`Client::subscribe_messages`](super::Client::subscribe_messages).
///
/// Iterating blocks until the next message; the iterator ends when the subscription ends
/// (unsubscribe) or the client closes. It buffers
/// [`ClientConfig::subscription_buffer`](super::ClientConfig::subscription_buffer) messages,
/// and past that at most what the receiver thread read in its last run (32 socket reads of
/// 64 KiB: listeners hear each batch before it is buffered); when it is full the client does what
/// [`ClientConfig::slow_consumer`](super::ClientConfig::slow_consumer) says (by default it
/// stops reading the connection until a message is taken), so memory never grows with a slow
/// consumer. Dropping it stops the buffering (the subscription itself stays, and its
/// messages still reach the listeners). Messages keep arriving across reconnects when the
/// subscription is replayed; one taken after a reconnect that came before it cannot be
/// acknowledged ([`Error::StaleMessage`](super::Error::StaleMessage)): the broker delivers
/// it again.
///
/// ```no_run
/// use std::time::Duration;
/// use stompwire::frame::Headers;
/// use stompwire::native::{Client, ClientConfig};
/// use stompwire::session::AckMode;
///
/// let client = Client::new(ClientConfig::from_url("tcp://127.0.0.1:61613")?.vhost("/"));
/// client.connect(std::time::Duration::from_secs(10))?;
/// let messages = client.subscribe_messages("/queue/a", AckMode::Client, Headers::new())?;
/// // Wait a bounded time for each message…
/// while let Ok(Some(message)) = messages.recv_timeout(Duration::from_secs(5)) {
///     println!("{}", String::from_utf8_lossy(message.body()));
///     client.ack(&message, Headers::new())?;
/// }
/// // …or iterate, blocking until the subscription or the client ends.
/// for message in messages.take(10) {
///     client.ack(&message, Headers::new())?;
/// }
/// # Ok::<(), stompwire::native::Error>(())
/// ```
pub struct Messages {
    id: String,
    shared: Arc<Mutex<Shared>>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages").field("id", &self.id).finish()
    }
}

impl Messages {
    pub(crate) fn new(id: String, shared: Arc<Mutex<Shared>>) -> Messages {
        Messages { id, shared }
    }

    /// The subscription id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Takes the next message, or registers `waker` for it. `Ready(None)` once the
    /// subscription or the client ended.
    fn poll_take(&self, waker: &Waker) -> Poll<Option<Frame>> {
        let mut guard = lock(&self.shared);
        let shared = &mut *guard;
        let Some(sub) = shared.subscriptions.get_mut(&self.id) else {
            return Poll::Ready(None);
        };
        if let Some((_, frame)) = sub.queue.pop_front() {
            shared.taken();
            return Poll::Ready(Some(frame));
        }
        if sub.ended {
            return Poll::Ready(None);
        }
        sub.add_waker(waker);
        Poll::Pending
    }

    /// The next message, waiting up to `timeout`. `Ok(None)` when the time passed; `Err(())`
    /// when the subscription or client ended.
    #[allow(clippy::result_unit_err)]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<Frame>, ()> {
        match parking::wait(timeout, |waker| self.poll_take(waker)) {
            Some(Some(frame)) => Ok(Some(frame)),
            Some(None) => Err(()),
            None => Ok(None),
        }
    }

    /// The next message if one is waiting.
    pub fn try_next(&self) -> Option<Frame> {
        match self.poll_take(Waker::noop()) {
            Poll::Ready(frame) => frame,
            Poll::Pending => None,
        }
    }
}

impl Iterator for Messages {
    type Item = Frame;

    fn next(&mut self) -> Option<Frame> {
        parking::block(|waker| self.poll_take(waker))
    }
}

impl Drop for Messages {
    /// Stops buffering this subscription's messages (a full buffer no longer holds reading).
    fn drop(&mut self) {
        let mut shared = lock(&self.shared);
        if shared.subscriptions.remove(&self.id).is_some() {
            shared.taken();
        }
    }
}
