//! What the blocking client's handle and its driver thread share: the async client's state
//! (the session and the buffers, which the one driver runs) and what only the blocking API
//! needs — receipt slots, the connection of each MESSAGE handed out, and what a waiting
//! caller is waiting for.
//!
//! Lock order: the async client's state first, then [`State`]; never the other way round.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::delivered::Delivered;
use super::listener::Listeners;
use super::receipts::Waits;
use super::transport::Endpoint;
use super::{ClientConfig, Error};
use crate::client::shared::{Shared, lock};
use crate::client::tokio::TokioRuntime;
use crate::client::{self, Config};
use crate::reconnect::Targets;

/// The blocking API's own state, under its own lock.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Receipts a caller waits for, by id; the session says when each one ends.
    pub(crate) receipts: Waits,
    /// The connection each unacknowledged MESSAGE handed out came on.
    pub(crate) delivered: Delivered,
    /// The driver thread is running.
    pub(crate) running: bool,
    /// Why the driver stopped trying, when it gave up.
    pub(crate) gave_up: Option<Error>,
    /// Why the last attempt failed, in this shell's detail, for [`Error::GaveUp`].
    pub(crate) last_error: Option<Error>,
    /// CONNECTED frames seen, so waiters can tell a new connection.
    pub(crate) connections: u64,
    /// The listeners have been told of the current connection (`on_connected` returned):
    /// [`Client::wait_for_connection`](super::Client::wait_for_connection) returns only then,
    /// so what a listener sets up on connecting is in place when the caller goes on.
    pub(crate) announced: bool,
}

/// The client's state, shared by the handle and the driver thread.
pub(crate) struct Inner {
    /// The async client's state: the session, subscription buffers, the write queue.
    pub(crate) shared: Arc<Mutex<Shared>>,
    pub(crate) state: Mutex<State>,
    /// Signalled when [`State`] changes.
    pub(crate) cond: Condvar,
    pub(crate) listeners: Listeners,
    pub(crate) config: ClientConfig,
    /// The same configuration, as the driver takes it.
    pub(crate) driver_config: Config,
    /// The entries the supervisor opens by index: the configured endpoints, then the loopback
    /// copies the host order adds.
    pub(crate) endpoints: Vec<Endpoint>,
}

impl Inner {
    pub(crate) fn new(config: ClientConfig) -> Inner {
        let (_, endpoints) = Targets::of(&config.policy.hosts, &config.endpoints);
        let driver_config = config.driver_config();
        let shared = client::Client::shared::<TokioRuntime>(&driver_config);
        lock(&shared).set_tap(false);
        Inner {
            shared,
            state: Mutex::new(State::default()),
            cond: Condvar::new(),
            listeners: Listeners::new(),
            config,
            driver_config,
            endpoints,
        }
    }

    /// The async client's state.
    pub(crate) fn shared(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }

    /// The blocking API's state (taken after [`shared`](Self::shared), never before).
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
