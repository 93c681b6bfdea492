//! `Messages`: the messages of one subscription as a blocking iterator.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use crate::frame::Frame;

/// The MESSAGE frames of one subscription, in arrival order, from
/// [`Client::subscribe_messages`](super::Client::subscribe_messages).
///
/// Iterating blocks until the next message; the iterator ends when the subscription ends
/// (unsubscribe) or the client closes. Messages keep arriving across reconnects when the
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
#[derive(Debug)]
pub struct Messages {
    id: String,
    rx: Receiver<Frame>,
}

impl Messages {
    pub(crate) fn new(id: String, rx: Receiver<Frame>) -> Messages {
        Messages { id, rx }
    }

    /// The subscription id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The next message, waiting up to `timeout`. `Ok(None)` when the time passed; `Err(())`
    /// when the subscription or client ended.
    #[allow(clippy::result_unit_err)]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<Frame>, ()> {
        match self.rx.recv_timeout(timeout) {
            Ok(f) => Ok(Some(f)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(()),
        }
    }

    /// The next message if one is waiting.
    pub fn try_next(&self) -> Option<Frame> {
        self.rx.try_recv().ok()
    }
}

impl Iterator for Messages {
    type Item = Frame;

    fn next(&mut self) -> Option<Frame> {
        self.rx.recv().ok()
    }
}
