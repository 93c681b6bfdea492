//! [`Connector`]: how the client opens a transport for an endpoint — [`open`](super::open)
//! by default, or the program's own.

use std::prelude::rust_2024::*;

use super::{Endpoint, Transport, TransportConfig, TransportError};

/// Opens a transport for an endpoint. The client calls it for every connection attempt, on
/// its receiver thread; the call may block (a TCP connect, a TLS handshake) and should give
/// up within the configuration's timeouts.
///
/// The default, [`Sockets`], is [`open`](super::open). A program supplies its own to reach a
/// broker some other way (a proxy, a Unix socket, an in-process peer), and every closure of
/// the right shape is one.
///
/// ```
/// use std::sync::Arc;
/// use stompwire::native::ClientConfig;
/// use stompwire::native::transport::{open, Endpoint, Transport, TransportConfig, TransportError};
///
/// let logged = |endpoint: &Endpoint, config: &TransportConfig| {
///     eprintln!("opening {endpoint}");
///     open(endpoint, config)
/// };
/// let config = ClientConfig::from_url("tcp://127.0.0.1:61613")
///     .unwrap()
///     .with_connector(Arc::new(logged));
/// # let _ = config;
/// ```
pub trait Connector: Send + Sync {
    /// Opens a transport to `endpoint`, configured by `config`.
    fn connect(
        &self,
        endpoint: &Endpoint,
        config: &TransportConfig,
    ) -> Result<Box<dyn Transport>, TransportError>;

    /// Whether this connector opens the standard sockets ([`Sockets`]): the
    /// [`Client`](crate::native::Client) then opens the same connections natively on its
    /// async runtime (with the same [`TransportConfig`]) instead of through
    /// [`connect`](Connector::connect). Default `false`.
    fn standard_sockets(&self) -> bool {
        false
    }
}

/// The default [`Connector`]: TCP, TLS, WebSocket and multicast sockets, by
/// [`open`](super::open).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sockets;

impl Connector for Sockets {
    fn standard_sockets(&self) -> bool {
        true
    }

    fn connect(
        &self,
        endpoint: &Endpoint,
        config: &TransportConfig,
    ) -> Result<Box<dyn Transport>, TransportError> {
        super::open(endpoint, config)
    }
}

impl<F> Connector for F
where
    F: Fn(&Endpoint, &TransportConfig) -> Result<Box<dyn Transport>, TransportError> + Send + Sync,
{
    fn connect(
        &self,
        endpoint: &Endpoint,
        config: &TransportConfig,
    ) -> Result<Box<dyn Transport>, TransportError> {
        self(endpoint, config)
    }
}
