//! [`Client`]: the async client's handle — connect, send, subscribe, transactions, events,
//! shutdown.

use core::future::poll_fn;
use core::task::Poll;
use core::time::Duration;
use std::fmt;
use std::prelude::rust_2024::*;
use std::sync::{Arc, Mutex};

use crate::frame::Headers;
use crate::reconnect::{HostOrder, Supervisor, Targets};
use crate::session::{AckMode, Session};

use super::driver::Driver;
use super::events::Events;
use super::receipt::Receipt;
use super::shared::{FirstConnect, Lifecycle, Shared, lock, register};
use super::transport::Runtime;
use super::{Config, Error, Subscription, Transaction};

/// A STOMP client on an async runtime. Cheap to clone: every clone is a handle to the same
/// connection, which runs in the background (reconnecting as the [`Config`]'s policy says)
/// until [`shutdown`](Self::shutdown), or until the last handle is dropped (then DISCONNECT
/// goes at once).
///
/// ```no_run
/// # async fn run() -> Result<(), stompwire::client::Error> {
/// use futures_core::Stream;
/// use stompwire::client::{Client, Config};
/// use stompwire::frame::Headers;
/// use stompwire::session::AckMode;
///
/// let config = Config::from_url("tcp://127.0.0.1:61613")?
///     .credentials("guest", "guest")
///     .vhost("/");
/// let client = Client::connect(config).await?;
/// let mut messages = client.subscribe("/queue/a", AckMode::ClientIndividual)?;
/// client.send_with_receipt("/queue/a", Headers::new(), "hello").await?;
/// let message = std::future::poll_fn(|cx| std::pin::Pin::new(&mut messages).poll_next(cx))
///     .await
///     .expect("a message");
/// message.ack()?;
/// client.shutdown(std::time::Duration::from_secs(5)).await?;
/// # Ok(()) }
/// ```
pub struct Client {
    shared: Arc<Mutex<Shared>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("connected", &self.is_connected())
            .finish()
    }
}

impl Clone for Client {
    fn clone(&self) -> Client {
        lock(&self.shared).handles += 1;
        Client {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let mut shared = lock(&self.shared);
        shared.handles -= 1;
        if shared.handles == 0 {
            shared.wake_driver();
        }
    }
}

impl Client {
    /// Connects with the runtime of this target (tokio natively, the browser on wasm32) and
    /// waits for the first CONNECTED; fails when the reconnect policy gives up first.
    #[cfg(all(feature = "tokio", not(target_arch = "wasm32")))]
    pub async fn connect(config: Config) -> Result<Client, Error> {
        let runtime = super::tokio::TokioRuntime::new(&config)?;
        Client::connect_with(runtime, config).await
    }

    /// Connects with the runtime of this target (the browser's WebSocket on wasm32) and
    /// waits for the first CONNECTED; fails when the reconnect policy gives up first.
    #[cfg(target_arch = "wasm32")]
    pub async fn connect(config: Config) -> Result<Client, Error> {
        let runtime = super::browser::BrowserRuntime::new(&config);
        Client::connect_with(runtime, config).await
    }

    /// Connects with `runtime` and waits for the first CONNECTED.
    pub async fn connect_with<R: Runtime>(runtime: R, config: Config) -> Result<Client, Error> {
        let client = Client::start(runtime, config);
        client.connected().await?;
        Ok(client)
    }

    /// Starts connecting with `runtime`, without waiting: calls before the first CONNECTED
    /// fail with [`Error::NotConnected`]; [`connected`](Self::connected) waits for it.
    pub fn start<R: Runtime>(runtime: R, config: Config) -> Client {
        let shared = Client::shared::<R>(&config);
        let driver = Client::driver(runtime, &config, shared.clone());
        let client = Client { shared };
        // It registers its waker on its first run.
        R::spawn(driver);
        client
    }

    /// The state a client's handles and its driver share, for `config` on runtime `R`.
    pub(crate) fn shared<R: Runtime>(config: &Config) -> Arc<Mutex<Shared>> {
        // The supervisor's CONNECTED timeout bounds the handshake: the session keeps none of
        // its own, so that one rule decides (and reports) it.
        let mut session_config = config.session.clone();
        session_config.connect_timeout_ms = None;
        let mut session = Session::new(session_config);
        // Every frame ready goes out in one write, encoded once into the buffer written.
        session.set_coalesce_transmits(true);
        Arc::new(Mutex::new(Shared::new(session, R::now_ms, config)))
    }

    /// A driver for `shared`, with a new supervisor for `config`'s endpoints and policy.
    pub(crate) fn driver<R: Runtime>(
        runtime: R,
        config: &Config,
        shared: Arc<Mutex<Shared>>,
    ) -> Driver<R> {
        let order: &HostOrder = &config.policy.hosts;
        let (targets, endpoints) = Targets::of(order, &config.endpoints);
        let seed = runtime.random() | 1;
        let mut state = seed;
        let random: Box<dyn FnMut() -> u32 + Send> = Box::new(move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        });
        let supervisor = Supervisor::new(config.policy.clone(), targets, config.supervisor, random);
        Driver::new(runtime, shared, supervisor, endpoints)
    }

    /// Waits for the first CONNECTED (at once if it came); fails if the client stopped first.
    pub async fn connected(&self) -> Result<(), Error> {
        poll_fn(|cx| {
            let mut shared = lock(&self.shared);
            match &mut shared.first_connect {
                FirstConnect::Done(result) => Poll::Ready(result.clone()),
                FirstConnect::Pending(wakers) => {
                    register(wakers, cx.waker());
                    Poll::Pending
                }
            }
        })
        .await
    }

    /// Whether a connection is open now.
    pub fn is_connected(&self) -> bool {
        lock(&self.shared).session.is_connected()
    }

    /// Sends `body` to `destination`. Waits only while more than
    /// [`Config::write_buffer`] bytes are queued; fails at once with [`Error::NotConnected`]
    /// while reconnecting.
    pub async fn send(&self, destination: &str, body: impl Into<Vec<u8>>) -> Result<(), Error> {
        self.send_with(destination, Headers::new(), body).await
    }

    /// Sends `body` to `destination` with `headers` (`content-type`, `transaction`, custom
    /// ones…).
    pub async fn send_with(
        &self,
        destination: &str,
        headers: Headers,
        body: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        let mut parts = Some((headers, body.into()));
        poll_fn(|cx| {
            let mut guard = lock(&self.shared);
            let shared = &mut *guard;
            if let Err(e) = shared.check_running() {
                return Poll::Ready(Err(e));
            }
            if !shared.session.is_connected() {
                return Poll::Ready(Err(Error::NotConnected));
            }
            if shared.queued() > shared.write_buffer {
                register(&mut shared.send_waiters, cx.waker());
                return Poll::Pending;
            }
            let (headers, body) = parts.take().expect("polled after completion");
            let now = shared.now();
            let result = shared.session.send(destination, headers, body, now);
            shared.flush_session();
            Poll::Ready(result.map_err(Error::from))
        })
        .await
    }

    /// Sends with a `receipt` header and waits for the broker's RECEIPT: `Ok(())` once the
    /// broker has the message. A connection lost before it sends the frame again on the next
    /// connection (same receipt id), so the future resolves once a broker confirmed it; it
    /// fails with [`Error::ReceiptTimedOut`] ([`Config::receipt_timeout_ms`]) or
    /// [`Error::ReceiptLost`].
    pub async fn send_with_receipt(
        &self,
        destination: &str,
        headers: Headers,
        body: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        let mut parts = Some((headers, body.into()));
        let receipt = poll_fn(|cx| {
            let mut guard = lock(&self.shared);
            let shared = &mut *guard;
            if let Err(e) = shared.check_running() {
                return Poll::Ready(Err(e));
            }
            if !shared.session.is_connected() {
                return Poll::Ready(Err(Error::NotConnected));
            }
            if shared.queued() > shared.write_buffer {
                register(&mut shared.send_waiters, cx.waker());
                return Poll::Pending;
            }
            let (mut headers, body) = parts.take().expect("polled after completion");
            let id = shared.session.add_receipt(&mut headers);
            let now = shared.now();
            if let Err(e) = shared.session.send(destination, headers, body, now) {
                return Poll::Ready(Err(Error::from(e)));
            }
            let receipt = Receipt::register(&self.shared, shared, id);
            shared.flush_session();
            Poll::Ready(Ok(receipt))
        })
        .await?;
        receipt.await
    }

    /// Subscribes to `destination`. In `client` and `client-individual` modes the broker is
    /// asked to hold back past the buffer size (`prefetch-count`, `activemq.prefetchSize`).
    pub fn subscribe(&self, destination: &str, ack: AckMode) -> Result<Subscription, Error> {
        self.subscribe_with(destination, ack, Headers::new())
    }

    /// Subscribes with extra SUBSCRIBE headers (`id`, `selector`, `durable`…).
    pub fn subscribe_with(
        &self,
        destination: &str,
        ack: AckMode,
        headers: Headers,
    ) -> Result<Subscription, Error> {
        let mut guard = lock(&self.shared);
        let shared = &mut *guard;
        shared.check_running()?;
        let mut headers = headers;
        let capacity = shared.subscription_buffer;
        if ack != AckMode::Auto {
            let prefetch = capacity.to_string();
            for name in ["prefetch-count", "activemq.prefetchSize"] {
                if !headers.contains(name) {
                    headers.push(name, &prefetch);
                }
            }
        }
        let now = shared.now();
        let id = shared.session.subscribe(destination, ack, headers, now)?;
        shared.add_buffer(id.clone(), ack);
        shared.flush_session();
        Ok(Subscription::new(self.shared.clone(), id, ack))
    }

    /// Begins a transaction.
    pub fn begin(&self) -> Result<Transaction, Error> {
        let mut shared = lock(&self.shared);
        shared.check_running()?;
        let now = shared.now();
        let id = shared.session.begin(None, Headers::new(), now)?;
        shared.flush_session();
        drop(shared);
        Ok(Transaction::new(self.clone(), id))
    }

    /// COMMIT or ABORT with a receipt.
    pub(crate) fn end_transaction(&self, id: &str, commit: bool) -> Result<Receipt, Error> {
        let mut guard = lock(&self.shared);
        let shared = &mut *guard;
        if shared.lifecycle == Lifecycle::Finished {
            return Err(Error::Closed);
        }
        let mut headers = Headers::new();
        let receipt = shared.session.add_receipt(&mut headers);
        let now = shared.now();
        if commit {
            shared.session.commit(id, headers, now)?;
        } else {
            shared.session.abort(id, headers, now)?;
        }
        let receipt = Receipt::register(&self.shared, shared, receipt);
        shared.flush_session();
        Ok(receipt)
    }

    /// ABORT without waiting, for a transaction dropped unfinished.
    pub(crate) fn abort_quietly(&self, id: &str) {
        let mut shared = lock(&self.shared);
        if shared.session.is_connected() && shared.session.transactions().any(|t| t == id) {
            let now = shared.now();
            let _ = shared.session.abort(id, Headers::new(), now);
            shared.flush_session();
        }
    }

    /// The connection events from now on.
    pub fn events(&self) -> Events {
        let index = lock(&self.shared).add_listener();
        Events {
            shared: self.shared.clone(),
            index,
        }
    }

    /// Shuts down gracefully, in stompest's manner: takes no more work and stops taking
    /// messages (`auto` subscriptions are unsubscribed; the messages already buffered can still
    /// be taken, and acknowledged, and streams end after them); waits,
    /// up to `grace`, until every buffer is empty, every message in flight is acknowledged
    /// and every pending receipt has come; then
    /// sends DISCONNECT, waits for its RECEIPT (the session's `disconnect_timeout_ms`) and
    /// closes. Receipts still pending then fail with [`Error::ReceiptLost`]. Returns the error
    /// the client stopped with, if it stopped on its own (it gave up) first.
    pub async fn shutdown(self, grace: Duration) -> Result<(), Error> {
        {
            let mut guard = lock(&self.shared);
            let shared = &mut *guard;
            if shared.lifecycle == Lifecycle::Running {
                let now = shared.now();
                let grace_ms = u64::try_from(grace.as_millis()).unwrap_or(u64::MAX);
                shared.lifecycle = Lifecycle::Draining {
                    deadline: now.saturating_add(grace_ms),
                };
                let ids: Vec<String> = shared.subscriptions.keys().cloned().collect();
                for id in ids {
                    let Some(sub) = shared.subscriptions.get_mut(&id) else {
                        continue;
                    };
                    sub.ended = true;
                    if let Some(w) = sub.waker.take() {
                        w.wake();
                    }
                    // An `auto` subscription ends now. One that acknowledges stays until the
                    // DISCONNECT: a broker may void the acknowledgement ids of a subscription
                    // that ends (RabbitMQ does), and messages arriving meanwhile are not
                    // handed out — unacknowledged, the broker delivers them again later.
                    // While reconnecting, the session forgets it at once (no replay).
                    if sub.ack == AckMode::Auto {
                        let _ = shared.session.unsubscribe(&id, Headers::new(), now);
                    }
                }
                shared.flush_session();
                shared.wake_driver();
            }
        }
        poll_fn(|cx| {
            let mut shared = lock(&self.shared);
            if shared.lifecycle == Lifecycle::Finished {
                return Poll::Ready(match &shared.stop_error {
                    Some(e) => Err(e.clone()),
                    None => Ok(()),
                });
            }
            register(&mut shared.finish_waiters, cx.waker());
            Poll::Pending
        })
        .await
    }
}
