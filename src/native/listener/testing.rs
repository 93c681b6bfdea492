//! `TestListener`: counts, waits, and keeps the messages it saw — for tests and tools.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use super::{Listener, Stats, StatsListener};
use crate::frame::Frame;
use crate::session::Disconnected;

#[derive(Debug, Default)]
struct Seen {
    messages: VecDeque<Frame>,
    receipts: Vec<String>,
    errors: Vec<Frame>,
    heartbeats: u64,
    connected: u64,
    disconnected: u64,
}

/// [`StatsListener`] plus waiting plus the captured messages (stomp.py's `TestListener`).
///
/// ```
/// use std::time::Duration;
/// use stompwire::frame::{Command, Frame};
/// use stompwire::native::listener::{Listener, TestListener};
///
/// let listener = TestListener::new();
/// // A client's receiver thread calls this; here it is called by hand.
/// listener.on_message(&Frame::new(Command::Message).with_body(&b"hi"[..]));
/// let message = listener.wait_for_message(Duration::from_secs(1)).unwrap();
/// assert_eq!(message.body(), b"hi");
/// assert_eq!(listener.stats().messages, 1);
/// assert!(listener.wait_for_message(Duration::from_millis(10)).is_none());
/// ```
#[derive(Debug, Default)]
pub struct TestListener {
    stats: StatsListener,
    seen: Mutex<Seen>,
    cond: Condvar,
}

impl TestListener {
    /// An empty listener.
    pub fn new() -> TestListener {
        TestListener::default()
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        self.stats.stats()
    }

    fn update(&self, f: impl FnOnce(&mut Seen)) {
        f(&mut self.seen.lock().unwrap_or_else(|e| e.into_inner()));
        self.cond.notify_all();
    }

    fn wait<T>(
        &self,
        timeout: Duration,
        mut take: impl FnMut(&mut Seen) -> Option<T>,
    ) -> Option<T> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(t) = take(&mut seen) {
                return Some(t);
            }
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            seen = self
                .cond
                .wait_timeout(seen, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Takes the oldest message not taken yet, waiting up to `timeout` for one.
    pub fn wait_for_message(&self, timeout: Duration) -> Option<Frame> {
        self.wait(timeout, |s| s.messages.pop_front())
    }

    /// Waits until at least one heart-beat has arrived; returns whether one did.
    pub fn wait_for_heartbeat(&self, timeout: Duration) -> bool {
        self.wait(timeout, |s| (s.heartbeats > 0).then_some(()))
            .is_some()
    }

    /// Waits for the RECEIPT `id`; returns whether it arrived.
    pub fn wait_for_receipt(&self, id: &str, timeout: Duration) -> bool {
        self.wait(timeout, |s| {
            s.receipts.iter().any(|r| r == id).then_some(())
        })
        .is_some()
    }

    /// Waits until `count` CONNECTED frames have arrived in all; returns whether they did.
    pub fn wait_for_connections(&self, count: u64, timeout: Duration) -> bool {
        self.wait(timeout, |s| (s.connected >= count).then_some(()))
            .is_some()
    }

    /// Waits until `count` disconnects have happened in all; returns whether they did.
    pub fn wait_for_disconnects(&self, count: u64, timeout: Duration) -> bool {
        self.wait(timeout, |s| (s.disconnected >= count).then_some(()))
            .is_some()
    }

    /// The ERROR frames seen so far.
    pub fn errors(&self) -> Vec<Frame> {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .errors
            .clone()
    }
}

impl Listener for TestListener {
    fn on_connecting(&self, host: &str, port: u16) {
        self.stats.on_connecting(host, port);
    }
    fn on_connected(&self, frame: &Frame) {
        self.stats.on_connected(frame);
        self.update(|s| s.connected += 1);
    }
    fn on_message(&self, frame: &Frame) {
        self.stats.on_message(frame);
        self.update(|s| s.messages.push_back(frame.clone()));
    }
    fn on_receipt(&self, frame: &Frame) {
        self.stats.on_receipt(frame);
        if let Some(id) = frame.receipt_id() {
            let id = id.to_owned();
            self.update(|s| s.receipts.push(id));
        }
    }
    fn on_error(&self, frame: &Frame) {
        self.stats.on_error(frame);
        self.update(|s| s.errors.push(frame.clone()));
    }
    fn on_heartbeat(&self) {
        self.stats.on_heartbeat();
        self.update(|s| s.heartbeats += 1);
    }
    fn on_heartbeat_timeout(&self) {
        self.stats.on_heartbeat_timeout();
    }
    fn on_disconnected(&self, info: &Disconnected) {
        self.stats.on_disconnected(info);
        self.update(|s| s.disconnected += 1);
    }
    fn wants_on_send(&self) -> bool {
        true
    }
    fn on_send(&self, frame: &Frame) {
        self.stats.on_send(frame);
    }
}
