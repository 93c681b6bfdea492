//! `Client`: the blocking native STOMP client.

use std::sync::mpsc::channel;
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use super::driver::run;
use super::listener::Listener;
use super::receipt::{Outcome, Slot};
use super::shared::{Inner, Shared};
use super::{ClientConfig, Error, Messages, Receipt, Waited};
use crate::frame::{ContentLength, Frame, Headers, Version};
use crate::session::{AckMode, Negotiated, SessionError, State};

/// A STOMP client over TCP, TLS, WebSocket or UDP multicast, driven by a receiver thread that
/// runs heart-beats and reconnects without the caller.
///
/// Methods take `&self` and may be called from any thread. Messages reach the program through
/// [listeners](Client::set_listener) (the stomp.py callback set) and as a blocking iterator
/// per subscription ([`subscribe_messages`](Client::subscribe_messages)).
///
/// ```no_run
/// use std::time::Duration;
/// use stompwire::frame::Headers;
/// use stompwire::native::{Client, ClientConfig};
/// use stompwire::session::AckMode;
///
/// let config = ClientConfig::from_url("tcp://127.0.0.1:61613")?
///     .credentials("guest", "guest")
///     .vhost("/");
/// let client = Client::new(config);
/// client.connect(Duration::from_secs(10))?;
///
/// let messages = client.subscribe_messages("/queue/demo", AckMode::Client, Headers::new())?;
/// client
///     .send_with_receipt("/queue/demo", "hello", Headers::new())?
///     .wait(Duration::from_secs(5))?;
/// let message = messages.recv_timeout(Duration::from_secs(5)).unwrap().unwrap();
/// assert_eq!(message.body(), b"hello");
/// client.ack(&message, Headers::new())?;
/// client.disconnect()?;
/// # Ok::<(), stompwire::native::Error>(())
/// ```
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// A client that is not connected yet.
    pub fn new(config: ClientConfig) -> Client {
        Client {
            inner: Arc::new(Inner::new(config)),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Sets the listener called `name` (replacing one of that name).
    pub fn set_listener(&self, name: &str, listener: Arc<dyn Listener>) {
        self.inner.listeners.set(name, listener);
    }

    /// The listener called `name`.
    pub fn get_listener(&self, name: &str) -> Option<Arc<dyn Listener>> {
        self.inner.listeners.get(name)
    }

    /// Removes the listener called `name`.
    pub fn remove_listener(&self, name: &str) -> Option<Arc<dyn Listener>> {
        self.inner.listeners.remove(name)
    }

    /// Starts connecting and returns at once: the receiver thread opens the first endpoint,
    /// and goes on (re)connecting by the policy until [`disconnect`](Client::disconnect),
    /// [`close`](Client::close) or the policy gives up. A no-op while started. Calls made
    /// before the session is open fail with [`Error::NotConnected`] (except
    /// [`unsubscribe`](Client::unsubscribe), which forgets the subscription, and
    /// [`ack`](Client::ack), whose message is [stale](Error::StaleMessage)); wait for it with
    /// [`wait_for_connection`](Client::wait_for_connection), or use
    /// [`connect`](Client::connect).
    pub fn start(&self) -> Result<(), Error> {
        let mut shared = self.inner.lock();
        let now = self.inner.now();
        if shared.running {
            if shared.closing {
                // Stopping: the supervisor starts again once the transport has closed.
                shared.closing = false;
                shared.supervisor.start(now);
                self.inner.cond.notify_all();
            }
            return Ok(());
        }
        shared.running = true;
        shared.closing = false;
        shared.gave_up = None;
        shared.supervisor.start(now);
        let inner = self.inner.clone();
        let body: Box<dyn FnOnce() + Send> = Box::new(move || run(inner));
        match &self.inner.config.spawner {
            Some(spawn) => spawn(body),
            None => {
                let spawned = std::thread::Builder::new()
                    .name("stompwire-receiver".into())
                    .spawn(body);
                if let Err(e) = spawned {
                    shared.running = false;
                    shared.supervisor.stop(now);
                    shared.supervisor.handle_transport_closed(now);
                    while shared.supervisor.poll_action().is_some() {}
                    return Err(Error::Transport(super::transport::TransportError::Io(e)));
                }
            }
        }
        Ok(())
    }

    /// [`start`](Client::start)s, then blocks until the session is open, the client gives
    /// up (the error of the last attempt), or `timeout` passes
    /// ([`Error::Timeout`] with [`Waited::Connection`]; the client goes on trying — call
    /// [`close`](Client::close) to stop it). The time one attempt may take is the
    /// configuration's (see [`ClientConfig`]); `timeout` only bounds this wait.
    pub fn connect(&self, timeout: Duration) -> Result<(), Error> {
        self.start()?;
        self.wait_for_connection(timeout)
    }

    /// Blocks until the session is open and every listener's `on_connected` has returned, the
    /// client gives up (the error of the last attempt), or `timeout` passes.
    pub fn wait_for_connection(&self, timeout: Duration) -> Result<(), Error> {
        let deadline = Instant::now() + timeout;
        let mut shared = self.inner.lock();
        loop {
            if shared.session.is_connected() && shared.announced {
                return Ok(());
            }
            if let Some(e) = shared.gave_up.take() {
                return Err(e);
            }
            if !shared.running {
                return Err(Error::Interrupted);
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Err(Error::Timeout {
                    what: Waited::Connection,
                });
            };
            shared = self
                .inner
                .cond
                .wait_timeout(shared, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Whether the session is open now.
    pub fn is_connected(&self) -> bool {
        self.inner.lock().session.is_connected()
    }

    /// The version negotiated with the server, while the session is open.
    pub fn version(&self) -> Option<Version> {
        let shared = self.inner.lock();
        shared
            .session
            .is_connected()
            .then(|| shared.session.version())
    }

    /// The heart-beat intervals in force, while the session is open
    /// ([`Negotiated::NONE`] when either side asked for none, and always in STOMP 1.0).
    pub fn heart_beat(&self) -> Option<Negotiated> {
        let shared = self.inner.lock();
        shared
            .session
            .is_connected()
            .then(|| shared.session.heart_beat())
    }

    /// How many times CONNECTED has arrived (1 after the first connection; more after
    /// reconnects).
    pub fn connections(&self) -> u64 {
        self.inner.lock().connections
    }

    /// Runs a session call and writes what it produced. A frame the transport refused is
    /// the call's error; so is a failed write when `report_broken` (the frame is lost: the
    /// session keeps no copy of it to send again).
    fn call<T>(
        &self,
        report_broken: bool,
        f: impl FnOnce(&mut Shared, u64) -> Result<T, SessionError>,
    ) -> Result<T, Error> {
        let (result, out) = {
            let mut shared = self.inner.lock();
            let now = self.inner.now();
            let result = f(&mut shared, now);
            (result, self.inner.take_outgoing(&mut shared))
        };
        let written = out.write();
        let result = result.map_err(Error::from);
        let settled = self.inner.settle(written, report_broken);
        let result = result?;
        settled?;
        Ok(result)
    }

    /// Makes `headers` ask for a receipt (the session's rule: their `receipt` header, or a
    /// generated one), runs `f` with them, and once the session has taken the frame registers
    /// a slot for the receipt (the one [`watch_receipt`](Client::watch_receipt) made, if it
    /// did). A receipt id another frame still waits for is refused by the session
    /// ([`Error::DuplicateReceipt`]) and leaves that frame's slot alone.
    fn with_receipt(
        &self,
        mut headers: Headers,
        f: impl FnOnce(&mut Shared, u64, Headers) -> Result<(), SessionError>,
    ) -> Result<Receipt, Error> {
        let (result, out) = {
            let mut shared = self.inner.lock();
            let now = self.inner.now();
            let id = shared.session.add_receipt(&mut headers);
            let result = f(&mut shared, now, headers).map(|()| {
                let slot = shared.receipts.entry(id.clone()).or_default().clone();
                Receipt::new(id, slot)
            });
            (result, self.inner.take_outgoing(&mut shared))
        };
        let written = out.write();
        let settled = self.inner.settle(written, false);
        let receipt = result.map_err(Error::from)?;
        if let Err(e) = settled {
            self.inner.lock().receipts.remove(receipt.id());
            return Err(e);
        }
        Ok(receipt)
    }

    /// Sends `body` to `destination`. `headers` may carry `content-type`, `transaction`,
    /// `receipt` and any others.
    ///
    /// Fails with [`Error::Transport`] when the frame was not written: the transport refused
    /// it ([`TransportError::refuses_frame`](super::transport::TransportError::refuses_frame),
    /// a multicast frame over the datagram size — nothing was sent, the connection stays
    /// open, and the frame is not sent again), or the write failed (the connection closes and
    /// the client reconnects).
    pub fn send(
        &self,
        destination: &str,
        body: impl Into<Vec<u8>>,
        headers: Headers,
    ) -> Result<(), Error> {
        let body = body.into();
        self.call(true, |s, now| {
            s.session.send(destination, headers, body, now)
        })
    }

    /// Sends a SEND frame built by the caller (`content_length` decides whether the header is
    /// added; ActiveMQ reads a SEND without it as a text message).
    pub fn send_frame(&self, frame: Frame, content_length: ContentLength) -> Result<(), Error> {
        self.call(true, |s, now| {
            s.session.send_frame(frame, content_length, now)
        })
    }

    /// Sends with a `receipt` header (the one in `headers`, else a generated one); the
    /// [`Receipt`] completes when the server confirms. Outside a transaction, a SEND whose
    /// receipt has not come when the connection drops is sent again after the reconnect (with
    /// the same receipt id). A frame the transport refuses fails the call, as in
    /// [`send`](Client::send), and its receipt is forgotten; a failed write does not (the
    /// frame goes again after the reconnect, and the receipt says how that ends).
    pub fn send_with_receipt(
        &self,
        destination: &str,
        body: impl Into<Vec<u8>>,
        headers: Headers,
    ) -> Result<Receipt, Error> {
        let body = body.into();
        self.with_receipt(headers, |s, now, headers| {
            s.session.send(destination, headers, body, now)
        })
    }

    /// Waits for a receipt whose id the caller put in a frame's `receipt` header (stompjs's
    /// `watchForReceipt`). Call it before sending the frame: the session tracks the id from
    /// now, so a connection that closes before any frame carried it ends the wait
    /// ([`Error::ConnectionClosed`]).
    pub fn watch_receipt(&self, id: &str) -> Receipt {
        let slot = Arc::new(Slot::default());
        let mut shared = self.inner.lock();
        shared.session.expect_receipt(id, None);
        shared.receipts.insert(id.to_owned(), slot.clone());
        Receipt::new(id.to_owned(), slot)
    }

    /// Subscribes; returns the subscription id (`headers`' `id`, or a generated one). Messages
    /// go to the listeners.
    pub fn subscribe(
        &self,
        destination: &str,
        ack: AckMode,
        headers: Headers,
    ) -> Result<String, Error> {
        self.call(false, |s, now| {
            s.session.subscribe(destination, ack, headers, now)
        })
    }

    /// Subscribes with a receipt (the `receipt` header in `headers`, else a generated one):
    /// the [`Receipt`] completes when the broker confirms the subscription. Returns the
    /// subscription id too.
    pub fn subscribe_with_receipt(
        &self,
        destination: &str,
        ack: AckMode,
        headers: Headers,
    ) -> Result<(String, Receipt), Error> {
        let mut sub = String::new();
        let receipt = self.with_receipt(headers, |s, now, headers| {
            sub = s.session.subscribe(destination, ack, headers, now)?;
            Ok(())
        })?;
        Ok((sub, receipt))
    }

    /// Subscribes and returns the subscription's messages as a blocking iterator (listeners
    /// see them too).
    pub fn subscribe_messages(
        &self,
        destination: &str,
        ack: AckMode,
        headers: Headers,
    ) -> Result<Messages, Error> {
        let (tx, rx) = channel();
        let id = self.call(false, |s, now| {
            let id = s.session.subscribe(destination, ack, headers, now)?;
            s.streams.insert(id.clone(), tx);
            Ok(id)
        })?;
        Ok(Messages::new(id, rx))
    }

    /// Ends the subscription `id`: sends UNSUBSCRIBE and ends its
    /// [`Messages`] iterator. While the client is reconnecting (or connecting) it succeeds
    /// too: the broker ended the subscription with the connection, so nothing is sent, and it
    /// is forgotten at once — not replayed on the next connection.
    pub fn unsubscribe(&self, id: &str, headers: Headers) -> Result<(), Error> {
        self.call(false, |s, now| {
            s.session.unsubscribe(id, headers, now)?;
            s.streams.remove(id);
            s.delivered.forget_subscription(id);
            Ok(())
        })
    }

    /// Acknowledges a MESSAGE this client delivered (by the negotiated version's rules;
    /// cumulative in `client` mode).
    ///
    /// A MESSAGE of an `auto` subscription is refused with
    /// [`SessionError::AckInAutoMode`], whatever headers it lacks. A MESSAGE that came on an
    /// earlier connection is refused with [`Error::StaleMessage`] and nothing is sent: its
    /// acknowledgement id is void on the connection open now, and the broker delivers it
    /// again (acknowledge that copy). While no connection is open every message is stale.
    pub fn ack(&self, message: &Frame, headers: Headers) -> Result<(), Error> {
        self.call(false, |s, now| acknowledge(s, message, true, headers, now))
    }

    /// Negatively acknowledges a MESSAGE (1.1+; refused with [`SessionError::Unsupported`] in
    /// 1.0, with [`SessionError::AckInAutoMode`] for an `auto` subscription, and with
    /// [`Error::StaleMessage`] for a message of an earlier connection, as in
    /// [`ack`](Client::ack)).
    pub fn nack(&self, message: &Frame, headers: Headers) -> Result<(), Error> {
        self.call(false, |s, now| acknowledge(s, message, false, headers, now))
    }

    /// Acknowledges by id (the stomp.py form): the 1.2 `ack` header, or the `message-id`.
    pub fn ack_id(&self, id: &str, subscription: Option<&str>) -> Result<(), Error> {
        self.call(false, |s, now| {
            s.session.ack_id(id, subscription, Headers::new(), now)
        })
    }

    /// Negatively acknowledges by id (1.1+).
    pub fn nack_id(&self, id: &str, subscription: Option<&str>) -> Result<(), Error> {
        self.call(false, |s, now| {
            s.session.nack_id(id, subscription, Headers::new(), now)
        })
    }

    /// Begins a transaction; returns its id (`id`, or a generated one).
    pub fn begin(&self, id: Option<&str>) -> Result<String, Error> {
        self.call(false, |s, now| s.session.begin(id, Headers::new(), now))
    }

    /// Commits a transaction.
    pub fn commit(&self, id: &str) -> Result<(), Error> {
        self.call(false, |s, now| s.session.commit(id, Headers::new(), now))
    }

    /// Aborts a transaction.
    pub fn abort(&self, id: &str) -> Result<(), Error> {
        self.call(false, |s, now| s.session.abort(id, Headers::new(), now))
    }

    /// Ends the session gracefully: DISCONNECT with a receipt, then waits for the receiver
    /// thread to stop (bounded by the session's disconnect timeout). Reconnecting stops.
    pub fn disconnect(&self) -> Result<(), Error> {
        self.inner.listeners.each(|l| l.on_disconnecting());
        let out = {
            let mut shared = self.inner.lock();
            let now = self.inner.now();
            shared.closing = true;
            shared.supervisor.stop(now);
            self.inner.cond.notify_all();
            if shared.session.state() == State::Connected {
                let mut headers = Headers::new();
                shared.session.add_receipt(&mut headers);
                let _ = shared.session.disconnect(headers, now);
            } else if let Some(t) = &shared.transport {
                t.close();
            }
            self.inner.take_outgoing(&mut shared)
        };
        let _ = self.inner.settle(out.write(), false);
        let limit = Duration::from_millis(self.inner.config.session.disconnect_timeout_ms)
            + Duration::from_secs(2);
        self.wait_stopped(limit)
    }

    /// Closes the connection at once, without DISCONNECT, and stops reconnecting.
    pub fn close(&self) {
        let mut shared = self.inner.lock();
        let now = self.inner.now();
        shared.closing = true;
        shared.supervisor.stop(now);
        if let Some(t) = &shared.transport {
            t.close();
        }
        self.inner.cond.notify_all();
    }

    fn wait_stopped(&self, limit: Duration) -> Result<(), Error> {
        let shared: MutexGuard<'_, Shared> = self.inner.lock();
        let (shared, _) = self
            .inner
            .cond
            .wait_timeout_while(shared, limit, |s| s.running)
            .unwrap_or_else(|e| e.into_inner());
        if shared.running {
            if let Some(t) = &shared.transport {
                t.close();
            }
            return Err(Error::Timeout {
                what: Waited::Disconnect,
            });
        }
        Ok(())
    }
}

/// ACK (`ack`) or NACK of `message` on the connection it came on (as the driver recorded
/// it; the open one for a frame it did not record): the session refuses one of an earlier
/// connection, and one of an `auto` subscription before that. Forgets the message once
/// acknowledged; one refused as stale is kept, so that it stays refused.
fn acknowledge(
    shared: &mut Shared,
    message: &Frame,
    ack: bool,
    headers: Headers,
    now: u64,
) -> Result<(), SessionError> {
    let recorded = shared.delivered.get(message);
    let connection = recorded.map_or(shared.session.connection(), |(c, _)| c);
    let cumulative = recorded
        .and_then(|(_, sub)| shared.session.subscription(sub))
        .is_some_and(|sub| sub.ack == AckMode::Client);
    let session = &mut shared.session;
    let result = if ack {
        session.ack_from(message, connection, headers, now)
    } else {
        session.nack_from(message, connection, headers, now)
    };
    if result.is_ok() {
        shared.delivered.settle(message, cumulative);
    }
    result
}

impl Drop for Client {
    /// Closes the connection (without DISCONNECT) and lets the receiver thread end.
    fn drop(&mut self) {
        self.close();
        let mut shared = self.inner.lock();
        for (_, slot) in shared.receipts.drain() {
            slot.complete(Outcome::Interrupted);
        }
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shared = self.inner.lock();
        f.debug_struct("Client")
            .field("endpoints", &self.inner.config.endpoints)
            .field("state", &shared.session.state())
            .field("listeners", &self.inner.listeners)
            .finish()
    }
}
