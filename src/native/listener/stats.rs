//! `StatsListener`: counts what happened.

use std::sync::atomic::{AtomicU64, Ordering};

use super::Listener;
use crate::frame::Frame;
use crate::session::Disconnected;

/// Counters kept by a [`StatsListener`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Transport connections attempted.
    pub connecting: u64,
    /// CONNECTED frames.
    pub connections: u64,
    /// Ends of connections.
    pub disconnects: u64,
    /// MESSAGE frames.
    pub messages: u64,
    /// Frames written.
    pub messages_sent: u64,
    /// RECEIPT frames.
    pub receipts: u64,
    /// ERROR frames.
    pub errors: u64,
    /// Heart-beats received.
    pub heartbeats: u64,
    /// Heart-beat timeouts.
    pub heartbeat_timeouts: u64,
}

/// Counts connections, messages, errors and heart-beats (stomp.py's `StatsListener`).
///
/// ```
/// use stompwire::frame::{Command, Frame};
/// use stompwire::native::listener::{Listener, StatsListener};
///
/// let stats = StatsListener::new();
/// // Set on a client with `client.set_listener("stats", Arc::new(…))`; here called by hand.
/// stats.on_message(&Frame::new(Command::Message));
/// stats.on_heartbeat();
/// let now = stats.stats();
/// assert_eq!((now.messages, now.heartbeats, now.errors), (1, 1, 0));
/// ```
#[derive(Debug, Default)]
pub struct StatsListener {
    connecting: AtomicU64,
    connections: AtomicU64,
    disconnects: AtomicU64,
    messages: AtomicU64,
    messages_sent: AtomicU64,
    receipts: AtomicU64,
    errors: AtomicU64,
    heartbeats: AtomicU64,
    heartbeat_timeouts: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl StatsListener {
    /// All counters at zero.
    pub fn new() -> StatsListener {
        StatsListener::default()
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            connecting: get(&self.connecting),
            connections: get(&self.connections),
            disconnects: get(&self.disconnects),
            messages: get(&self.messages),
            messages_sent: get(&self.messages_sent),
            receipts: get(&self.receipts),
            errors: get(&self.errors),
            heartbeats: get(&self.heartbeats),
            heartbeat_timeouts: get(&self.heartbeat_timeouts),
        }
    }
}

impl Listener for StatsListener {
    fn on_connecting(&self, _host: &str, _port: u16) {
        bump(&self.connecting);
    }
    fn on_connected(&self, _frame: &Frame) {
        bump(&self.connections);
    }
    fn on_message(&self, _frame: &Frame) {
        bump(&self.messages);
    }
    fn on_receipt(&self, _frame: &Frame) {
        bump(&self.receipts);
    }
    fn on_error(&self, _frame: &Frame) {
        bump(&self.errors);
    }
    fn on_heartbeat(&self) {
        bump(&self.heartbeats);
    }
    fn on_heartbeat_timeout(&self) {
        bump(&self.heartbeat_timeouts);
    }
    fn on_disconnected(&self, _info: &Disconnected) {
        bump(&self.disconnects);
    }
    fn wants_on_send(&self) -> bool {
        true
    }
    fn on_send(&self, _frame: &Frame) {
        bump(&self.messages_sent);
    }
}
