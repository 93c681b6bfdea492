//! The listener that tells the user what went wrong on a connection: every failed connect
//! attempt, ERROR frame, protocol violation, heart-beat loss and cut connection is one line
//! on stderr, even when the client goes on to reconnect (the same failure again is counted,
//! not printed); a refusal (ERROR answering CONNECT) stops the client at
//! once instead of being retried.

use std::sync::{Arc, Mutex, OnceLock, Weak};

use stompwire::frame::Frame;
use stompwire::native::listener::Listener;
use stompwire::native::transport::TransportError;
use stompwire::native::{Client, Error};
use stompwire::session::{CloseReason, Disconnected};

use crate::report;

/// What the watcher has seen.
#[derive(Debug, Default)]
struct Seen {
    /// CONNECTED arrived on the current connection.
    connected: bool,
    /// CONNECTED arrived on some connection.
    ever_connected: bool,
    /// Attempts begun since the first CONNECTED.
    since_first_connected: u32,
    /// The refusal, when the server answered CONNECT with ERROR.
    refused: Option<String>,
    /// The last failure printed, and how many times it came again unprinted.
    last: Option<String>,
    /// A failed connect attempt not printed yet, and how many times it came again: printed
    /// when something else happens (another failure, CONNECTED), else named by the last line.
    held: Option<String>,
    held_repeats: u64,
    repeats: u64,
    /// Failures seen in all.
    failures: u64,
    /// The program is closing the client itself: what follows is not a failure.
    closing: bool,
    /// The first frame the transport refused (too large for a datagram), said in full.
    refused_send: Option<String>,
    /// Connections lost after CONNECTED (not ended by the program).
    lost: u64,
    /// The program's DISCONNECT was not confirmed: its RECEIPT did not come in time.
    disconnect_unconfirmed: bool,
}

/// Reports failures; see the module.
#[derive(Debug, Default)]
pub struct Watch {
    seen: Mutex<Seen>,
    client: OnceLock<Weak<Client>>,
}

impl Watch {
    /// A watcher set on `client` (which it may close on a refusal).
    pub fn attach(client: &Arc<Client>) -> Arc<Watch> {
        let watch = Arc::new(Watch::default());
        let _ = watch.client.set(Arc::downgrade(client));
        client.set_listener("stompwire-watch", watch.clone());
        watch
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The first frame the transport refused, if one was: sending it failed.
    pub fn refused_send(&self) -> Option<String> {
        self.seen().refused_send.clone()
    }

    /// How many connections were lost after CONNECTED, not ended by the program: frames
    /// sent without a receipt may have gone with them.
    pub fn connections_lost(&self) -> u64 {
        self.seen().lost
    }

    /// Whether the broker left the program's DISCONNECT unconfirmed (no RECEIPT within the
    /// disconnect timeout): it may not have processed every frame before it.
    pub fn disconnect_unconfirmed(&self) -> bool {
        self.seen().disconnect_unconfirmed
    }

    /// The program is about to end the connection: a close from here on is expected.
    pub fn closing(&self) {
        self.seen().closing = true;
    }

    /// The refusal, if the server refused the connection.
    pub fn refused(&self) -> Option<String> {
        self.seen().refused.clone()
    }

    /// Whether some connection got as far as CONNECTED.
    pub fn ever_connected(&self) -> bool {
        self.seen().ever_connected
    }

    /// Attempts begun since the first CONNECTED: all of them reconnects.
    pub fn attempts_since_first_connected(&self) -> u32 {
        self.seen().since_first_connected
    }

    /// The last failure, printed or held, if any.
    pub fn last_failure(&self) -> Option<String> {
        let seen = self.seen();
        seen.held.clone().or_else(|| seen.last.clone())
    }

    /// The last failure printed, if any.
    pub fn printed_failure(&self) -> Option<String> {
        self.seen().last.clone()
    }

    /// Holds a failed connect attempt: the same again is counted; another one prints the one
    /// held. A run that ends while one is held names it in its last line (the give-up, or the
    /// time limit), so that a closed port costs one line, not one per attempt.
    fn connect_failure(&self, text: String) {
        let mut seen = self.seen();
        if seen.closing {
            return;
        }
        if seen.held.as_deref() == Some(text.as_str()) {
            seen.held_repeats += 1;
            return;
        }
        drop(seen);
        self.release_held();
        let mut seen = self.seen();
        seen.held = Some(text);
        seen.held_repeats = 0;
    }

    /// Prints the connect failure held, if any, with its repeats.
    fn release_held(&self) {
        let (held, repeats) = {
            let mut seen = self.seen();
            (seen.held.take(), std::mem::take(&mut seen.held_repeats))
        };
        if let Some(text) = held {
            for _ in 0..=repeats {
                self.print_failure(text.clone());
            }
        }
    }

    /// Prints a failure (after a held connect failure, if any), unless it is the same as the
    /// one before (a broker that fails every connection the same way would fill the screen);
    /// the count of repeats is kept.
    fn failure(&self, text: String) {
        self.release_held();
        self.print_failure(text);
    }

    fn print_failure(&self, text: String) {
        let mut seen = self.seen();
        if seen.closing {
            return;
        }
        seen.failures += 1;
        if seen.last.as_deref() == Some(text.as_str()) {
            seen.repeats += 1;
            return;
        }
        if seen.repeats > 0 {
            report::line(&format!(
                "(the failure above came {} more times)",
                seen.repeats
            ));
        }
        seen.repeats = 0;
        report::line(&text);
        seen.last = Some(text);
    }

    /// Prints the count of unprinted repeats, if any (at the end of the program).
    pub fn finish(&self) {
        let mut seen = self.seen();
        if seen.repeats > 0 {
            report::line(&format!(
                "(the failure above came {} more times)",
                seen.repeats
            ));
            seen.repeats = 0;
        }
    }

    fn refuse(&self, text: String) {
        {
            let mut seen = self.seen();
            if seen.refused.is_some() {
                return;
            }
            seen.refused = Some(text);
            seen.closing = true;
        }
        // Retrying would only be refused again (credentials, vhost): stop now.
        if let Some(client) = self.client.get().and_then(Weak::upgrade) {
            client.close();
        }
    }
}

/// `message` header and the first line of the body of an ERROR frame.
fn error_text(frame: &Frame) -> String {
    let message = frame.message().unwrap_or("(no message header)");
    let detail = frame
        .body_str()
        .and_then(|b| b.lines().map(str::trim).find(|l| !l.is_empty()))
        .filter(|l| *l != message);
    match detail {
        Some(d) => format!("{message}: {d}"),
        None => message.to_owned(),
    }
}

impl Listener for Watch {
    fn on_connecting(&self, _host: &str, _port: u16) {
        let mut seen = self.seen();
        if seen.ever_connected {
            seen.since_first_connected = seen.since_first_connected.saturating_add(1);
        }
    }

    fn on_connect_failed(&self, _host: &str, _port: u16, error: &Error) {
        // The error names the endpoint.
        self.connect_failure(report::redact(&error.report().to_string()));
    }

    fn on_connected(&self, _frame: &Frame) {
        // What failed before this connection is worth a line now.
        self.release_held();
        let mut seen = self.seen();
        seen.connected = true;
        seen.ever_connected = true;
    }

    fn on_error(&self, frame: &Frame) {
        let connected = self.seen().connected;
        if connected {
            self.failure(format!(
                "ERROR frame from the broker: {}",
                error_text(frame)
            ));
        } else {
            self.refuse(format!(
                "server refused the connection: {}",
                error_text(frame)
            ));
        }
    }

    fn on_send_refused(&self, _receipt: Option<&str>, error: &TransportError) {
        let text = format!("the transport refused a frame: {error}");
        {
            let mut seen = self.seen();
            if seen.refused_send.is_none() {
                seen.refused_send = Some(text.clone());
            }
        }
        self.failure(text);
    }

    fn on_heartbeat_timeout(&self) {
        self.failure("the broker's heart-beats stopped: connection lost".into());
    }

    fn on_disconnected(&self, info: &Disconnected) {
        {
            let mut seen = self.seen();
            let ended_here = matches!(
                info.reason,
                CloseReason::Graceful | CloseReason::Immediate | CloseReason::DisconnectTimeout
            );
            if seen.connected && !ended_here && !seen.closing {
                seen.lost += 1;
            }
            if seen.connected && info.reason == CloseReason::DisconnectTimeout {
                seen.disconnect_unconfirmed = true;
            }
            seen.connected = false;
        }
        let text = match &info.reason {
            CloseReason::ConnectRefused(_) => {
                self.refuse("server refused the connection".into());
                return;
            }
            CloseReason::Protocol(e) => {
                format!(
                    "protocol violation by the broker: {}",
                    crate::report::chain(e)
                )
            }
            CloseReason::ConnectTimeout => "no CONNECTED frame in time (--connect-timeout)".into(),
            CloseReason::TransportClosed { mid_frame: true } => {
                "the connection closed in the middle of a frame".into()
            }
            CloseReason::TransportClosed { mid_frame: false } => {
                "the broker closed the connection".into()
            }
            // Reported by on_error / on_heartbeat_timeout, or ended by the program.
            _ => return,
        };
        self.failure(text);
    }
}
