//! The receiver thread: it runs the client's one driver (the async client's) on a tokio
//! runtime of its own, and the listeners with it.
//!
//! The standard sockets ([`Sockets`](super::transport::Sockets)) are opened natively on that
//! runtime ([`TokioRuntime`], with the configuration's TCP, TLS, WebSocket and multicast
//! settings); any other [`Connector`](super::transport::Connector) through
//! [`ConnectorRuntime`].

use std::sync::Arc;

use super::Error;
use super::connector_runtime::ConnectorRuntime;
use super::dispatch::observer;
use super::inner::Inner;
use super::parking;
use super::receipt::Outcome;
use super::transport::TransportError;
use crate::client::tokio::TokioRuntime;
use crate::client::{self, Driver, Runtime};
use crate::reconnect::Scheme;

/// Starts the receiver thread with a new driver. On failure nothing runs.
pub(crate) fn start(inner: &Arc<Inner>) -> Result<(), Error> {
    let transport = &inner.config.transport;
    let needs_tls = inner
        .config
        .endpoints
        .iter()
        .any(|e| matches!(e.scheme, Scheme::Ssl | Scheme::StompSsl | Scheme::Wss));
    let tokio = match TokioRuntime::new(&inner.driver_config) {
        Ok(runtime) => runtime
            .with_tcp(transport.tcp.clone())
            .with_ws(transport.ws.clone())
            .with_multicast(transport.multicast.clone()),
        Err(e) => {
            // The TLS files: said as the transport says them.
            let source = match transport.tls.client_config() {
                Err(setup) if needs_tls => TransportError::from(setup),
                _ => TransportError::from_io(std::io::Error::other(e.to_string())),
            };
            let endpoint = inner
                .config
                .endpoints
                .iter()
                .find(|e| matches!(e.scheme, Scheme::Ssl | Scheme::StompSsl | Scheme::Wss))
                .map(|e| e.to_string())
                .unwrap_or_default();
            return Err(Error::ConnectFailed { endpoint, source });
        }
    };
    let body: Box<dyn FnOnce() + Send> = if inner.config.connector.standard_sockets() {
        let inner = inner.clone();
        Box::new(move || run(tokio, inner))
    } else {
        let runtime =
            ConnectorRuntime::new(tokio, inner.config.connector.clone(), transport.clone());
        let inner = inner.clone();
        Box::new(move || run(runtime, inner))
    };
    match &inner.config.spawner {
        Some(spawn) => spawn(body),
        None => {
            std::thread::Builder::new()
                .name("stompwire-receiver".into())
                .spawn(body)
                .map_err(|e| Error::Transport(TransportError::Io(e)))?;
        }
    }
    Ok(())
}

/// A driver on `runtime` for `inner`, its events going to the listeners.
fn driver<R: Runtime>(inner: &Arc<Inner>, runtime: R) -> Driver<R> {
    client::Client::driver(runtime, &inner.driver_config, inner.shared.clone())
        .with_observer(observer(inner.clone()))
}

/// The receiver thread's body: a driver on `runtime` until it ends, then the end is told.
fn run<R: Runtime>(runtime: R, inner: Arc<Inner>) {
    parking::mark_driver_thread(true);
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(tokio) => {
            // The driver's timer belongs to this runtime.
            let driver = {
                let _context = tokio.enter();
                driver(&inner, runtime)
            };
            tokio.block_on(driver)
        }
        Err(e) => {
            log::warn!("cannot start the receiver thread's runtime: {e}");
            inner.shared().finish(None);
            let mut state = inner.state();
            state.gave_up = Some(Error::Transport(TransportError::Io(e)));
        }
    }
    // The listeners have heard of the end (the driver's last run handed them all): the
    // iterators end now.
    inner.shared().end_subscriptions();
    {
        let mut state = inner.state();
        state.running = false;
        state.announced = false;
        state.delivered.clear();
        // Receipts still awaited (a watched id no frame carried) will not come.
        state.receipts.complete_all(Outcome::Interrupted);
        inner.cond.notify_all();
    }
    parking::mark_driver_thread(false);
    inner.listeners.each(|l| l.on_receiver_loop_completed());
}
