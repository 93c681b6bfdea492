//! `Client`: the blocking native STOMP client.

use std::sync::{Arc, MutexGuard};
use std::task::Poll;
use std::time::{Duration, Instant};

use super::inner::{Inner, State};
use super::listener::Listener;
use super::receipt::Outcome;
use super::{ClientConfig, Error, Messages, Receipt, Waited, parking, runner};
use crate::client::shared::{Lifecycle, Shared, register};
use crate::frame::{ContentLength, Frame, Headers, Version};
use crate::session::{AckMode, Negotiated, SessionError};

/// A STOMP client over TCP, TLS, WebSocket or UDP multicast, driven by a receiver thread that
/// runs heart-beats and reconnects without the caller.
///
/// It is a blocking face of the [async client](crate::client)'s one driver: the receiver
/// thread runs that driver on a tokio runtime of its own (every frame that is ready goes out
/// in one write, reads take what the socket has), and calls the listeners. A call queues its
/// frame with the session and returns; it waits only while more than
/// [`ClientConfig::write_buffer`] bytes are queued. On plain TCP a frame sent while the
/// receiver thread is idle is written by the call, on the caller's thread (no hand-off to
/// the receiver thread); frames sent back to back go to the receiver thread, which writes
/// them together. Messages taken by a listener cost no hand-off either (listeners run on the
/// receiver thread); a [`Messages`](super::Messages) iterator on another thread costs one
/// wake of that thread per message it waited for.
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
        self.tap_written();
    }

    /// The listener called `name`.
    pub fn get_listener(&self, name: &str) -> Option<Arc<dyn Listener>> {
        self.inner.listeners.get(name)
    }

    /// Removes the listener called `name`.
    pub fn remove_listener(&self, name: &str) -> Option<Arc<dyn Listener>> {
        let removed = self.inner.listeners.remove(name);
        self.tap_written();
        removed
    }

    /// The driver copies what it writes only while a listener wants `on_send`.
    fn tap_written(&self) {
        let wants = self.inner.listeners.wants_on_send();
        self.inner.shared().set_tap(wants);
    }

    /// Starts connecting and returns at once: the receiver thread opens the first endpoint,
    /// and goes on (re)connecting by the policy until [`disconnect`](Client::disconnect),
    /// [`close`](Client::close) or the policy gives up. A no-op while started (while a
    /// disconnect is under way, it waits for that to end first). Calls made before the
    /// session is open fail with [`Error::NotConnected`] (except
    /// [`unsubscribe`](Client::unsubscribe), which forgets the subscription, and
    /// [`ack`](Client::ack), whose message is [stale](Error::StaleMessage)); wait for it with
    /// [`wait_for_connection`](Client::wait_for_connection), or use
    /// [`connect`](Client::connect).
    pub fn start(&self) -> Result<(), Error> {
        let running = self.inner.state().running;
        if running {
            let stopping = {
                let shared = self.inner.shared();
                shared.lifecycle != Lifecycle::Running || shared.close_now
            };
            if !stopping {
                return Ok(());
            }
            if parking::on_driver_thread() {
                // The receiver thread ends the old run only once this callback returns.
                return Err(Error::Interrupted);
            }
            self.wait_stopped(self.stop_limit())?;
        }
        let mut shared = self.inner.shared();
        let mut state = self.inner.state();
        if state.running {
            return Ok(());
        }
        // What a stop left (or a disconnect or close before any start) is not for this run.
        shared.restart();
        state.running = true;
        state.gave_up = None;
        state.last_error = None;
        drop(state);
        drop(shared);
        if let Err(e) = runner::start(&self.inner) {
            self.inner.state().running = false;
            self.inner.cond.notify_all();
            return Err(e);
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
        loop {
            // The session may have closed already, in the batch that announced it: the
            // listeners hear of that next, and wake this wait again.
            let shared = self.inner.shared();
            let mut state = self.inner.state();
            let connected = shared.session.is_connected();
            drop(shared);
            if state.announced && connected {
                return Ok(());
            }
            if let Some(e) = state.gave_up.take() {
                return Err(e);
            }
            if !state.running {
                return Err(Error::Interrupted);
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Err(Error::Timeout {
                    what: Waited::Connection,
                });
            };
            drop(
                self.inner
                    .cond
                    .wait_timeout(state, left)
                    .unwrap_or_else(|e| e.into_inner()),
            );
        }
    }

    /// Whether the session is open now.
    pub fn is_connected(&self) -> bool {
        self.inner.shared().session.is_connected()
    }

    /// The version negotiated with the server, while the session is open.
    pub fn version(&self) -> Option<Version> {
        let shared = self.inner.shared();
        shared
            .session
            .is_connected()
            .then(|| shared.session.version())
    }

    /// The heart-beat intervals in force, while the session is open
    /// ([`Negotiated::NONE`] when either side asked for none, and always in STOMP 1.0).
    pub fn heart_beat(&self) -> Option<Negotiated> {
        let shared = self.inner.shared();
        shared
            .session
            .is_connected()
            .then(|| shared.session.heart_beat())
    }

    /// How many times CONNECTED has arrived (1 after the first connection; more after
    /// reconnects).
    pub fn connections(&self) -> u64 {
        self.inner.state().connections
    }

    /// The shared state for a send: locked once no more than the write buffer is queued
    /// (waiting for room unlocked), or at once on the receiver thread, which writes what is
    /// queued and so never waits.
    fn shared_for_send(&self) -> MutexGuard<'_, Shared> {
        if parking::on_driver_thread() {
            self.inner.shared()
        } else {
            self.shared_with_room()
        }
    }

    /// The shared state, locked once the write buffer has room (waiting for it unlocked).
    fn shared_with_room(&self) -> MutexGuard<'_, Shared> {
        parking::block(|waker| {
            let mut shared = self.inner.shared();
            if no_room(&shared) {
                register(&mut shared.send_waiters, waker);
                Poll::Pending
            } else {
                Poll::Ready(shared)
            }
        })
    }

    /// [`call_session`](Self::call_session) once there is room in the write buffer, in the
    /// same hold of the lock as the check (a send takes it once).
    fn call_session_with_room<T>(
        &self,
        f: impl FnOnce(&mut Shared, u64) -> Result<T, SessionError>,
    ) -> Result<T, Error> {
        run_session(self.shared_for_send(), f)
    }

    /// Runs a session call; what it produced is written on this thread when the driver is
    /// idle ([`Shared::flush_session`]), else by the driver.
    fn call<T>(
        &self,
        f: impl FnOnce(&mut Shared, &mut State, u64) -> Result<T, SessionError>,
    ) -> Result<T, Error> {
        self.call_locked(self.inner.shared(), f)
    }

    /// [`call`](Self::call) on the shared state the caller locked.
    fn call_locked<T>(
        &self,
        mut shared: MutexGuard<'_, Shared>,
        f: impl FnOnce(&mut Shared, &mut State, u64) -> Result<T, SessionError>,
    ) -> Result<T, Error> {
        let now = shared.now();
        let mut state = self.inner.state();
        let result = f(&mut shared, &mut state, now);
        drop(state);
        shared.flush_session();
        result.map_err(Error::from)
    }

    /// [`call`](Self::call) for a session call that needs none of this shell's own state:
    /// one lock fewer (a SEND in a flood takes no more than the session's).
    fn call_session<T>(
        &self,
        f: impl FnOnce(&mut Shared, u64) -> Result<T, SessionError>,
    ) -> Result<T, Error> {
        run_session(self.inner.shared(), f)
    }

    /// On `shared`, which the caller locked: makes `headers` ask for a receipt (the session's
    /// rule: their `receipt` header, or a generated one), runs `f` with them, and once the
    /// session has taken the frame registers a slot for the receipt (the one
    /// [`watch_receipt`](Client::watch_receipt) made, if it did). A receipt id another frame
    /// still waits for is refused by the session ([`Error::DuplicateReceipt`]) and leaves that
    /// frame's slot alone.
    fn with_receipt(
        &self,
        shared: MutexGuard<'_, Shared>,
        mut headers: Headers,
        f: impl FnOnce(&mut Shared, u64, Headers) -> Result<(), SessionError>,
    ) -> Result<Receipt, Error> {
        self.call_locked(shared, |shared, state, now| {
            let id = shared.session.add_receipt(&mut headers);
            f(shared, now, headers)?;
            let slot = state.receipts.bind(&id);
            Ok(Receipt::new(id, slot))
        })
    }

    /// Sends `body` to `destination`. `headers` may carry `content-type`, `transaction`,
    /// `receipt` and any others.
    ///
    /// Returns once the session has queued the frame (or, on an idle plain TCP connection,
    /// written it); the receiver thread writes the rest, with every other frame that is
    /// ready, in one write. What happens to it afterwards is told
    /// as for any frame without a receipt: a connection that fails is reported to the
    /// listeners ([`on_disconnected`](super::listener::Listener::on_disconnected)) and
    /// reconnected, and a frame the transport refuses (a multicast frame over the datagram
    /// size) is reported with
    /// [`on_send_refused`](super::listener::Listener::on_send_refused) — the connection stays
    /// open and the frame is not sent again. To know the broker has it, use
    /// [`send_with_receipt`](Client::send_with_receipt).
    pub fn send(
        &self,
        destination: &str,
        body: impl Into<Vec<u8>>,
        headers: Headers,
    ) -> Result<(), Error> {
        let body = body.into();
        self.call_session_with_room(|s, now| s.session.send(destination, headers, body, now))
    }

    /// Sends a SEND frame built by the caller (`content_length` decides whether the header is
    /// added; ActiveMQ reads a SEND without it as a text message).
    pub fn send_frame(&self, frame: Frame, content_length: ContentLength) -> Result<(), Error> {
        self.call_session_with_room(|s, now| s.session.send_frame(frame, content_length, now))
    }

    /// Sends with a `receipt` header (the one in `headers`, else a generated one); the
    /// [`Receipt`] completes when the server confirms. Outside a transaction, a SEND whose
    /// receipt has not come when the connection drops is sent again after the reconnect (with
    /// the same receipt id). A frame the transport refuses fails its receipt with
    /// [`Error::NotSent`] (and is not sent again).
    pub fn send_with_receipt(
        &self,
        destination: &str,
        body: impl Into<Vec<u8>>,
        headers: Headers,
    ) -> Result<Receipt, Error> {
        let body = body.into();
        // The room check and the send in one hold of the lock, as for `send`.
        self.with_receipt(self.shared_for_send(), headers, |s, now, headers| {
            s.session.send(destination, headers, body, now)
        })
    }

    /// Waits for a receipt whose id the caller put in a frame's `receipt` header (stompjs's
    /// `watchForReceipt`). Call it before sending the frame: the session tracks the id from
    /// now, so a connection that closes before any frame carried it ends the wait
    /// ([`Error::ConnectionClosed`]).
    pub fn watch_receipt(&self, id: &str) -> Receipt {
        let mut shared = self.inner.shared();
        shared.session.expect_receipt(id, None);
        let slot = self.inner.state().receipts.watch(id);
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
        self.call_session(|s, now| s.session.subscribe(destination, ack, headers, now))
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
        let receipt = self.with_receipt(self.inner.shared(), headers, |s, now, headers| {
            sub = s.session.subscribe(destination, ack, headers, now)?;
            Ok(())
        })?;
        Ok((sub, receipt))
    }

    /// Subscribes and returns the subscription's messages as a blocking iterator (listeners
    /// see them too), which buffers at most [`ClientConfig::subscription_buffer`] of them.
    pub fn subscribe_messages(
        &self,
        destination: &str,
        ack: AckMode,
        headers: Headers,
    ) -> Result<Messages, Error> {
        let id = self.call(|s, _, now| {
            let id = s.session.subscribe(destination, ack, headers, now)?;
            s.add_buffer(id.clone(), ack);
            Ok(id)
        })?;
        Ok(Messages::new(id, self.inner.shared.clone()))
    }

    /// Ends the subscription `id`: sends UNSUBSCRIBE and ends its
    /// [`Messages`] iterator. While the client is reconnecting (or connecting) it succeeds
    /// too: the broker ended the subscription with the connection, so nothing is sent, and it
    /// is forgotten at once — not replayed on the next connection.
    pub fn unsubscribe(&self, id: &str, headers: Headers) -> Result<(), Error> {
        self.call(|s, state, now| {
            s.session.unsubscribe(id, headers, now)?;
            if let Some(sub) = s.subscriptions.get_mut(id) {
                sub.ended = true;
                sub.queue.clear();
                sub.wake();
                s.taken();
            }
            state.delivered.forget_subscription(id);
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
        self.call(|s, state, now| acknowledge(s, state, message, true, headers, now))
    }

    /// Negatively acknowledges a MESSAGE (1.1+; refused with [`SessionError::Unsupported`] in
    /// 1.0, with [`SessionError::AckInAutoMode`] for an `auto` subscription, and with
    /// [`Error::StaleMessage`] for a message of an earlier connection, as in
    /// [`ack`](Client::ack)).
    pub fn nack(&self, message: &Frame, headers: Headers) -> Result<(), Error> {
        self.call(|s, state, now| acknowledge(s, state, message, false, headers, now))
    }

    /// Acknowledges by id (the stomp.py form): the 1.2 `ack` header, or the `message-id`.
    pub fn ack_id(&self, id: &str, subscription: Option<&str>) -> Result<(), Error> {
        self.call_session(|s, now| s.session.ack_id(id, subscription, Headers::new(), now))
    }

    /// Negatively acknowledges by id (1.1+).
    pub fn nack_id(&self, id: &str, subscription: Option<&str>) -> Result<(), Error> {
        self.call_session(|s, now| s.session.nack_id(id, subscription, Headers::new(), now))
    }

    /// Begins a transaction; returns its id (`id`, or a generated one).
    pub fn begin(&self, id: Option<&str>) -> Result<String, Error> {
        self.call_session(|s, now| s.session.begin(id, Headers::new(), now))
    }

    /// Commits a transaction.
    pub fn commit(&self, id: &str) -> Result<(), Error> {
        self.call_session(|s, now| s.session.commit(id, Headers::new(), now))
    }

    /// Aborts a transaction.
    pub fn abort(&self, id: &str) -> Result<(), Error> {
        self.call_session(|s, now| s.session.abort(id, Headers::new(), now))
    }

    /// How long a stop may take: the session's disconnect timeout, and a margin.
    fn stop_limit(&self) -> Duration {
        Duration::from_millis(self.inner.config.session.disconnect_timeout_ms)
            + Duration::from_secs(2)
    }

    /// Ends the session gracefully: DISCONNECT with a receipt, then waits for the receiver
    /// thread to stop (bounded by the session's disconnect timeout). Reconnecting stops.
    /// Called by a listener (on the receiver thread) it starts the same and returns at once.
    pub fn disconnect(&self) -> Result<(), Error> {
        self.inner.listeners.each(|l| l.on_disconnecting());
        if !self.inner.state().running {
            return Ok(());
        }
        {
            let mut shared = self.inner.shared();
            if shared.lifecycle == Lifecycle::Running {
                let now = shared.now();
                shared.lifecycle = Lifecycle::Draining { deadline: now };
                shared.wake_driver();
            }
        }
        if parking::on_driver_thread() {
            return Ok(());
        }
        self.wait_stopped(self.stop_limit())
    }

    /// Closes the connection at once, without DISCONNECT, and stops reconnecting.
    pub fn close(&self) {
        let mut shared = self.inner.shared();
        if shared.lifecycle != Lifecycle::Finished {
            shared.close_now = true;
            shared.wake_driver();
        }
    }

    fn wait_stopped(&self, limit: Duration) -> Result<(), Error> {
        let state = self.inner.state();
        let (state, _) = self
            .inner
            .cond
            .wait_timeout_while(state, limit, |s| s.running)
            .unwrap_or_else(|e| e.into_inner());
        if state.running {
            drop(state);
            self.close();
            return Err(Error::Timeout {
                what: Waited::Disconnect,
            });
        }
        Ok(())
    }
}

/// ACK (`ack`) or NACK of `message` on the connection it came on (as the receiver thread
/// recorded it; the open one for a frame it did not record): the session refuses one of an
/// earlier connection, and one of an `auto` subscription before that. Forgets the message
/// once acknowledged; one refused as stale is kept, so that it stays refused.
fn acknowledge(
    shared: &mut Shared,
    state: &mut State,
    message: &Frame,
    ack: bool,
    headers: Headers,
    now: u64,
) -> Result<(), SessionError> {
    let recorded = state.delivered.get(message);
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
        state.delivered.settle(message, cumulative);
    }
    result
}

impl Drop for Client {
    /// Closes the connection (without DISCONNECT) and lets the receiver thread end.
    fn drop(&mut self) {
        self.close();
        self.inner
            .state()
            .receipts
            .complete_all(Outcome::Interrupted);
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.inner.shared().session.state();
        f.debug_struct("Client")
            .field("endpoints", &self.inner.config.endpoints)
            .field("state", &state)
            .field("listeners", &self.inner.listeners)
            .finish()
    }
}

/// Whether a send waits: more than the write buffer is queued on a live connection.
fn no_room(shared: &Shared) -> bool {
    shared.queued() > shared.write_buffer
        && shared.session.is_connected()
        && shared.lifecycle != Lifecycle::Finished
}

/// Runs a session call on the locked state and gets what it produced written.
fn run_session<T>(
    mut shared: MutexGuard<'_, Shared>,
    f: impl FnOnce(&mut Shared, u64) -> Result<T, SessionError>,
) -> Result<T, Error> {
    let now = shared.now();
    let result = f(&mut shared, now);
    shared.flush_session();
    result.map_err(Error::from)
}
