//! `PrintingListener`: every callback to the `log` facade.

use super::Listener;
use crate::frame::Frame;
use crate::session::Disconnected;

/// Logs every callback at `info` level (frames through their `Debug` form, which hides
/// credentials and shows body sizes, not bodies) — stomp.py's `PrintingListener`.
///
/// ```no_run
/// use std::sync::Arc;
/// use stompwire::native::listener::PrintingListener;
/// use stompwire::native::{Client, ClientConfig};
///
/// // With a logger installed (env_logger, …), every callback becomes one `info` line.
/// let client = Client::new(ClientConfig::from_url("tcp://127.0.0.1:61613")?);
/// client.set_listener("print", Arc::new(PrintingListener));
/// client.connect(std::time::Duration::from_secs(10))?;
/// # Ok::<(), stompwire::native::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct PrintingListener;

impl Listener for PrintingListener {
    fn on_connecting(&self, host: &str, port: u16) {
        log::info!("on_connecting {host}:{port}");
    }
    fn on_connected(&self, frame: &Frame) {
        log::info!("on_connected {frame:?}");
    }
    fn on_message(&self, frame: &Frame) {
        log::info!("on_message {frame:?}");
    }
    fn on_receipt(&self, frame: &Frame) {
        log::info!("on_receipt {frame:?}");
    }
    fn on_error(&self, frame: &Frame) {
        log::info!("on_error {frame:?}");
    }
    fn on_heartbeat(&self) {
        log::info!("on_heartbeat");
    }
    fn on_heartbeat_timeout(&self) {
        log::info!("on_heartbeat_timeout");
    }
    fn on_disconnecting(&self) {
        log::info!("on_disconnecting");
    }
    fn on_disconnected(&self, info: &Disconnected) {
        log::info!("on_disconnected {:?}", info.reason);
    }
    fn wants_on_send(&self) -> bool {
        true
    }
    fn on_send(&self, frame: &Frame) {
        log::info!("on_send {frame:?}");
    }
    fn on_message_dropped(&self, subscription: &str, total: u64) {
        log::info!("on_message_dropped {subscription} (total {total})");
    }
    fn on_receiver_loop_completed(&self) {
        log::info!("on_receiver_loop_completed");
    }
}
