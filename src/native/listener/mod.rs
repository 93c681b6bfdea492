//! Listeners: the stomp.py callback set, a named registry, and the stock listeners.
//!
//! Every callback has an empty default, so a listener implements only what it needs. Callbacks
//! run on the client's receiver thread, the one that runs its driver; they may call the
//! client (a call made there never waits for the connection to take bytes), but must not
//! block on what only that thread brings (a receipt, a message, a connection).

mod printing;
mod registry;
mod stats;
mod testing;
mod waiting;

pub use printing::PrintingListener;
pub use registry::Listeners;
pub use stats::{Stats, StatsListener};
pub use testing::TestListener;
pub use waiting::WaitingListener;

use std::time::Duration;

use super::Error;
use super::transport::TransportError;
use crate::frame::Frame;
use crate::session::Disconnected;

/// Callbacks for what happens on a connection, named as in stomp.py.
///
/// ```
/// use stompwire::frame::Frame;
/// use stompwire::native::listener::Listener;
///
/// struct Print;
/// impl Listener for Print {
///     fn on_message(&self, frame: &Frame) {
///         println!("{}", String::from_utf8_lossy(frame.body()));
///     }
/// }
/// ```
pub trait Listener: Send + Sync {
    /// A transport connection to `host`:`port` is being opened.
    fn on_connecting(&self, host: &str, port: u16) {
        let _ = (host, port);
    }
    /// The transport connection to `host`:`port` could not be opened: `error` is an
    /// [`Error::ConnectFailed`] with the transport's error (refused, unreachable, a timeout,
    /// DNS, TLS verification, the WebSocket upgrade…). Called once per failed attempt, after
    /// the attempt's [`on_connecting`](Listener::on_connecting); the next attempt, if any,
    /// follows as the reconnect policy says.
    fn on_connect_failed(&self, host: &str, port: u16, error: &Error) {
        let _ = (host, port, error);
    }
    /// The connection attempt to `host`:`port` is planned in `delay` (after a failed attempt
    /// or a lost connection), as stompjs's `onReconnectScheduled`. Not called for the first
    /// attempt after [`Client::start`](crate::native::Client::start).
    fn on_reconnect_scheduled(&self, host: &str, port: u16, delay: Duration) {
        let _ = (host, port, delay);
    }
    /// CONNECTED arrived.
    fn on_connected(&self, frame: &Frame) {
        let _ = frame;
    }
    /// A MESSAGE arrived; runs before `on_message` of every listener and may rewrite the
    /// frame's headers and body.
    fn on_before_message(&self, frame: &mut Frame) {
        let _ = frame;
    }
    /// A MESSAGE arrived.
    fn on_message(&self, frame: &Frame) {
        let _ = frame;
    }
    /// A RECEIPT arrived.
    fn on_receipt(&self, frame: &Frame) {
        let _ = frame;
    }
    /// An ERROR arrived.
    fn on_error(&self, frame: &Frame) {
        let _ = frame;
    }
    /// A heart-beat arrived.
    fn on_heartbeat(&self) {}
    /// The server's heart-beats stopped.
    fn on_heartbeat_timeout(&self) {}
    /// DISCONNECT is about to be sent.
    fn on_disconnecting(&self) {}
    /// The connection ended; `info` says why and what was lost.
    fn on_disconnected(&self, info: &Disconnected) {
        let _ = info;
    }
    /// A frame was written. Called only for listeners whose
    /// [`wants_on_send`](Listener::wants_on_send) is `true`.
    fn on_send(&self, frame: &Frame) {
        let _ = frame;
    }
    /// The transport refused a frame and sent nothing of it (a multicast frame larger than a
    /// datagram: [`TransportError::DatagramTooLarge`]); the connection stays open and the
    /// frame is not sent again. `receipt` is the frame's `receipt` header, whose
    /// [`Receipt`](crate::native::Receipt) fails with [`Error::NotSent`].
    ///
    /// [`TransportError::DatagramTooLarge`]: crate::native::transport::TransportError::DatagramTooLarge
    fn on_send_refused(&self, receipt: Option<&str>, error: &TransportError) {
        let _ = (receipt, error);
    }
    /// Whether this listener implements [`on_send`](Listener::on_send). The client reads the
    /// frames it writes back only when some listener says yes, so the send path costs nothing
    /// extra otherwise. Default `false`.
    fn wants_on_send(&self) -> bool {
        false
    }
    /// A MESSAGE of `subscription` found its [`Messages`](crate::native::Messages) buffer
    /// full and was dropped, as [`SlowConsumer::Drop`](crate::client::SlowConsumer::Drop)
    /// says (in `client-individual` mode it was NACKed, so the broker can redeliver it; in
    /// `auto` mode it is lost). `total` counts the subscription's drops so far. The
    /// listeners had it in [`on_message`](Listener::on_message) first.
    fn on_message_dropped(&self, subscription: &str, total: u64) {
        let _ = (subscription, total);
    }
    /// The receiver thread has stopped (until the client is started again).
    fn on_receiver_loop_completed(&self) {}
}
