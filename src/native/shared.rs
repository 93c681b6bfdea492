//! What the client's threads share: the session, the supervisor, the transport and the
//! waiters, under one lock.

use std::collections::HashMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use super::delivered::Delivered;
use super::listener::Listeners;
use super::receipt::Slot;
use super::transport::{Endpoint, Transport};
use super::{ClientConfig, Error};
use crate::frame::Frame;
use crate::reconnect::{Random, Supervisor, Targets};
use crate::session::Session;

/// What the client's threads share, under one lock.
pub(crate) struct Shared {
    pub(crate) session: Session,
    /// The connection lifecycle: which endpoint to open, when, when to give up. Stopped by
    /// [`Client::disconnect`](super::Client::disconnect) under this lock.
    pub(crate) supervisor: Supervisor<Xorshift>,
    pub(crate) transport: Option<Arc<dyn Transport>>,
    /// Receipts a caller waits for, by id; the session says when each one ends.
    pub(crate) receipts: HashMap<String, Arc<Slot>>,
    /// Per-subscription message streams.
    pub(crate) streams: HashMap<String, Sender<Frame>>,
    /// The connection each unacknowledged MESSAGE handed out came on.
    pub(crate) delivered: Delivered,
    /// `disconnect`, `close` or drop: the user stopped the client.
    pub(crate) closing: bool,
    /// The receiver thread is running.
    pub(crate) running: bool,
    /// Why the receiver thread stopped trying, when it gave up.
    pub(crate) gave_up: Option<Error>,
    /// CONNECTED frames seen, so waiters can tell a new connection.
    pub(crate) connections: u64,
    /// The listeners have been told of the current connection (`on_connected` returned):
    /// [`Client::wait_for_connection`](super::Client::wait_for_connection) returns only then,
    /// so what a listener sets up on connecting is in place when the caller goes on.
    pub(crate) announced: bool,
}

/// The client's state, shared by the handle and the receiver thread.
pub(crate) struct Inner {
    pub(crate) shared: Mutex<Shared>,
    /// Written buffers for reuse; its lock orders writes (see [`Inner::take_outgoing`]).
    pub(crate) written: Mutex<Vec<Vec<u8>>>,
    pub(crate) cond: Condvar,
    pub(crate) listeners: Listeners,
    pub(crate) config: ClientConfig,
    /// The entries the supervisor opens by index: the configured endpoints, then the loopback
    /// copies the host order adds.
    pub(crate) endpoints: Vec<Endpoint>,
    start: Instant,
}

impl Inner {
    pub(crate) fn new(config: ClientConfig) -> Inner {
        let (targets, endpoints) = Targets::of(&config.policy.hosts, &config.endpoints);
        // One CONNECTED timeout: the supervisor's (see `ClientConfig`).
        let mut session = config.session.clone();
        session.connect_timeout_ms = None;
        let supervisor = Supervisor::new(
            config.policy.clone(),
            targets,
            config.supervisor,
            Xorshift::seeded(),
        );
        Inner {
            shared: Mutex::new(Shared {
                session: Session::new(session),
                supervisor,
                transport: None,
                receipts: HashMap::new(),
                streams: HashMap::new(),
                delivered: Delivered::default(),
                closing: false,
                running: false,
                gave_up: None,
                connections: 0,
                announced: false,
            }),
            written: Mutex::new(Vec::new()),
            cond: Condvar::new(),
            listeners: Listeners::new(),
            config,
            endpoints,
            start: Instant::now(),
        }
    }

    /// Milliseconds since the client was made: the core's clock.
    pub(crate) fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A small xorshift generator for reconnect jitter and host shuffling.
pub(crate) struct Xorshift(u64);

impl Xorshift {
    fn seeded() -> Xorshift {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        Xorshift(seed | 1)
    }
}

impl Random for Xorshift {
    fn next_u32(&mut self) -> u32 {
        let mut state = self.0;
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        self.0 = state;
        (state >> 32) as u32
    }
}

impl std::fmt::Debug for Xorshift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Xorshift")
    }
}
