//! `WaitingListener`: block until a given receipt, or the disconnect, arrives.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use super::Listener;
use crate::frame::Frame;
use crate::session::Disconnected;

#[derive(Debug, Default)]
struct Seen {
    receipt: bool,
    disconnected: bool,
}

/// Waits for the RECEIPT with one id, or for the end of the connection (stomp.py's
/// `WaitingListener`).
///
/// ```
/// use std::time::Duration;
/// use stompwire::frame::{Command, Frame};
/// use stompwire::native::listener::{Listener, WaitingListener};
///
/// let waiting = WaitingListener::new("rcpt-7");
/// // Set it on a client and send a frame with `receipt:rcpt-7`; here the RECEIPT is handed
/// // over by hand.
/// waiting.on_receipt(&Frame::new(Command::Receipt).with_header("receipt-id", "rcpt-7"));
/// assert!(waiting.wait_on_receipt(Duration::from_secs(1)));
/// ```
#[derive(Debug)]
pub struct WaitingListener {
    receipt: String,
    seen: Mutex<Seen>,
    cond: Condvar,
}

impl WaitingListener {
    /// A listener waiting for the receipt `receipt`.
    pub fn new(receipt: &str) -> WaitingListener {
        WaitingListener {
            receipt: receipt.to_owned(),
            seen: Mutex::new(Seen::default()),
            cond: Condvar::new(),
        }
    }

    fn wait(&self, timeout: Duration, done: impl Fn(&Seen) -> bool) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (seen, _) = self
            .cond
            .wait_timeout_while(seen, timeout, |s| !done(s))
            .unwrap_or_else(|e| e.into_inner());
        done(&seen)
    }

    /// Blocks until the receipt arrived or `timeout` passed; returns whether it arrived.
    pub fn wait_on_receipt(&self, timeout: Duration) -> bool {
        self.wait(timeout, |s| s.receipt)
    }

    /// Blocks until the connection ended or `timeout` passed; returns whether it ended.
    pub fn wait_on_disconnected(&self, timeout: Duration) -> bool {
        self.wait(timeout, |s| s.disconnected)
    }

    fn update(&self, f: impl FnOnce(&mut Seen)) {
        f(&mut self.seen.lock().unwrap_or_else(|e| e.into_inner()));
        self.cond.notify_all();
    }
}

impl Listener for WaitingListener {
    fn on_receipt(&self, frame: &Frame) {
        if frame.receipt_id() == Some(self.receipt.as_str()) {
            self.update(|s| s.receipt = true);
        }
    }
    fn on_disconnected(&self, _info: &Disconnected) {
        self.update(|s| s.disconnected = true);
    }
}
