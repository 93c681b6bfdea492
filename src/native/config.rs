//! `ClientConfig`: where to connect, how to reconnect, the session and transport settings.

use std::fmt;
use std::sync::Arc;

use super::Error;
use super::transport::{Connector, Sockets, TransportConfig};
use crate::client::{Config, SlowConsumer};
use crate::frame::Version;
use crate::reconnect::{Endpoint, FailoverUri, Policy, SupervisorConfig};
use crate::session::{self, HeartBeat};

/// Starts a thread running the given closure (stomp.py's `override_threading`): lets a program
/// name, pool or instrument the client's receiver thread (the thread that runs the client's
/// driver and calls the listeners).
pub type Spawner = Arc<dyn Fn(Box<dyn FnOnce() + Send + 'static>) + Send + Sync>;

/// Everything a [`Client`](super::Client) needs.
///
/// Built with [`ClientConfig::new`] or [`ClientConfig::from_url`] and the setters; fields can
/// also be assigned. New fields may be added in later versions (`#[non_exhaustive]`).
///
/// **Timeouts of one connection attempt**, each its own:
///
/// | timeout | from | to | setting |
/// |---|---|---|---|
/// | socket connect | opening the socket | TCP connected | [`transport`](Self::transport)`.tcp.connect_timeout` (each address) |
/// | handshake | TCP connected | TLS / WebSocket done | `transport.tcp.handshake_timeout` |
/// | CONNECTED | transport open | CONNECTED | [`supervisor`](Self::supervisor)`.connected_timeout_ms` (default 5 s) |
/// | graceful disconnect | DISCONNECT sent | its RECEIPT | [`session`](Self::session)`.disconnect_timeout_ms` |
///
/// The CONNECTED timeout is the supervisor's: the client turns the session's own
/// (`session.connect_timeout_ms`) off, so that one rule decides. An attempt that runs out of
/// it is closed, and the next attempt goes to another endpoint first.
///
/// ```
/// use stompwire::native::ClientConfig;
/// use stompwire::reconnect::SupervisorConfig;
///
/// let config = ClientConfig::from_url("failover:(tcp://127.0.0.1:61613,tcp://127.0.0.1:61623)?maxReconnectAttempts=5")
///     .unwrap()
///     .credentials("guest", "guest")
///     .vhost("/")
///     .heart_beat(5_000, 5_000)
///     .with_supervisor(SupervisorConfig::default().with_connected_timeout_ms(Some(2_000)));
/// assert_eq!(config.endpoints.len(), 2);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The brokers, tried in the order the policy's host ordering gives.
    pub endpoints: Vec<Endpoint>,
    /// Backoff, attempt limits and host ordering (stomp.py's defaults: 3 attempts; a
    /// `failover:` URI brings its own).
    pub policy: Policy,
    /// The CONNECTED timeout, the attempt timeout and how refusals are retried (see the
    /// table above).
    pub supervisor: SupervisorConfig,
    /// The STOMP session: versions, credentials, heart-beats, receipt and disconnect
    /// timeouts, limits, replay. Its `connect_timeout_ms` is not used (the supervisor's
    /// CONNECTED timeout is).
    pub session: session::Config,
    /// Sockets, TLS, WebSocket and multicast settings.
    pub transport: TransportConfig,
    /// How transports are opened: [`Sockets`] by default.
    pub connector: Arc<dyn Connector>,
    /// How the receiver thread is started; `None` uses `std::thread::Builder`.
    pub spawner: Option<Spawner>,
    /// Messages each [`Messages`](super::Messages) iterator buffers before
    /// [`slow_consumer`](Self::slow_consumer) applies. Default 256; at least 1. Listeners
    /// take no buffer: they are called as messages arrive.
    pub subscription_buffer: usize,
    /// What a full [`Messages`](super::Messages) buffer does (default
    /// [`SlowConsumer::Block`]: reading stops until the program takes a message).
    pub slow_consumer: SlowConsumer,
    /// Bytes queued for writing beyond which a send waits for the connection to take them
    /// (a call made by a listener, on the receiver thread, never waits). Default 64 KiB.
    pub write_buffer: usize,
}

impl ClientConfig {
    /// A configuration for these endpoints with default settings.
    pub fn new(endpoints: Vec<Endpoint>) -> ClientConfig {
        ClientConfig {
            endpoints,
            policy: Policy::default(),
            supervisor: SupervisorConfig::default(),
            session: session::Config::default(),
            transport: TransportConfig::default(),
            connector: Arc::new(Sockets),
            spawner: None,
            subscription_buffer: 256,
            slow_consumer: SlowConsumer::Block,
            write_buffer: 64 << 10,
        }
    }

    /// The configuration the driver runs with.
    pub(crate) fn driver_config(&self) -> Config {
        let mut config = Config::new(self.endpoints.clone());
        config.policy = self.policy.clone();
        config.supervisor = self.supervisor;
        config.session = self.session.clone();
        config.subscription_buffer = self.subscription_buffer;
        config.slow_consumer = self.slow_consumer;
        config.write_buffer = self.write_buffer;
        config.tls = self.transport.tls.clone();
        // Each timeout of an attempt is the transport's own (`TcpConfig`); this bounds them
        // together.
        let tcp = &self.transport.tcp;
        let open = tcp
            .connect_timeout
            .unwrap_or(std::time::Duration::from_secs(3600))
            .saturating_add(
                tcp.handshake_timeout
                    .unwrap_or(std::time::Duration::from_secs(3600)),
            );
        config.open_timeout_ms = u64::try_from(open.as_millis()).unwrap_or(u64::MAX);
        config
    }

    /// Parses a broker URL (`tcp://`, `ssl://`, `ws://`, `wss://`, `multicast://`, a bare
    /// `host:port`) or a `failover:(url,url)?options` URI, whose options become the policy.
    pub fn from_url(url: &str) -> Result<ClientConfig, Error> {
        if url.trim_start().starts_with("failover:") {
            let uri = FailoverUri::parse(url)?;
            let mut config = ClientConfig::new(uri.endpoints.clone());
            config.policy = uri.policy();
            Ok(config)
        } else {
            Ok(ClientConfig::new(vec![Endpoint::parse(url)?]))
        }
    }

    /// Sets `login` and `passcode`.
    #[must_use]
    pub fn credentials(mut self, login: &str, passcode: &str) -> ClientConfig {
        self.session.login = Some(login.to_owned());
        self.session.passcode = Some(passcode.to_owned());
        self
    }

    /// Sets the `host` header (the virtual host; RabbitMQ's default is `/`).
    #[must_use]
    pub fn vhost(mut self, host: &str) -> ClientConfig {
        self.session.host = Some(host.to_owned());
        self
    }

    /// Sets the heart-beats asked for, in milliseconds (0: none).
    #[must_use]
    pub fn heart_beat(mut self, outgoing_ms: u32, incoming_ms: u32) -> ClientConfig {
        self.session.heart_beat = HeartBeat {
            outgoing_ms,
            incoming_ms,
        };
        self
    }

    /// Sets the versions offered.
    #[must_use]
    pub fn versions(mut self, versions: &[Version]) -> ClientConfig {
        self.session.versions = versions.to_vec();
        self
    }

    /// Sets the receiver thread's spawner.
    #[must_use]
    pub fn with_spawner(mut self, spawner: Spawner) -> ClientConfig {
        self.spawner = Some(spawner);
        self
    }
}

crate::net::setters::setters!(ClientConfig {
    with_endpoints => endpoints: Vec<Endpoint>,
    with_policy => policy: Policy,
    with_supervisor => supervisor: SupervisorConfig,
    with_session => session: session::Config,
    with_transport => transport: TransportConfig,
    with_connector => connector: Arc<dyn Connector>,
    with_subscription_buffer => subscription_buffer: usize,
    with_slow_consumer => slow_consumer: SlowConsumer,
    with_write_buffer => write_buffer: usize,
});

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("endpoints", &self.endpoints)
            .field("policy", &self.policy)
            .field("supervisor", &self.supervisor)
            .field("session", &self.session)
            .field("transport", &self.transport)
            .field("spawner", &self.spawner.as_ref().map(|_| "custom"))
            .finish_non_exhaustive()
    }
}
