//! `ClientConfig`: where to connect, how to reconnect, the session and transport settings.

use std::fmt;
use std::sync::Arc;

use super::Error;
use super::transport::TransportConfig;
use crate::frame::Version;
use crate::reconnect::{Endpoint, FailoverUri, Policy};
use crate::session::{self, HeartBeat};

/// Starts a thread running the given closure (stomp.py's `override_threading`): lets a program
/// name, pool or instrument the client's receiver thread.
pub type Spawner = Arc<dyn Fn(Box<dyn FnOnce() + Send + 'static>) + Send + Sync>;

/// Everything a [`Client`](super::Client) needs.
///
/// ```
/// use stompwire::native::ClientConfig;
///
/// let config = ClientConfig::from_url("failover:(tcp://127.0.0.1:61613,tcp://127.0.0.1:61623)?maxReconnectAttempts=5")
///     .unwrap()
///     .credentials("guest", "guest")
///     .vhost("/")
///     .heart_beat(5_000, 5_000);
/// assert_eq!(config.endpoints.len(), 2);
/// ```
#[derive(Clone)]
pub struct ClientConfig {
    /// The brokers, tried in the order the policy's host ordering gives.
    pub endpoints: Vec<Endpoint>,
    /// Backoff, attempt limits and host ordering (stomp.py's defaults: 3 attempts; a
    /// `failover:` URI brings its own).
    pub policy: Policy,
    /// The STOMP session: versions, credentials, heart-beats, timeouts, limits, replay.
    pub session: session::Config,
    /// Sockets, TLS, WebSocket and multicast settings.
    pub transport: TransportConfig,
    /// How the receiver thread is started; `None` uses `std::thread::Builder`.
    pub spawner: Option<Spawner>,
}

impl ClientConfig {
    /// A configuration for these endpoints with default settings.
    pub fn new(endpoints: Vec<Endpoint>) -> ClientConfig {
        ClientConfig {
            endpoints,
            policy: Policy::default(),
            session: session::Config::default(),
            transport: TransportConfig::default(),
            spawner: None,
        }
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
    pub fn credentials(mut self, login: &str, passcode: &str) -> ClientConfig {
        self.session.login = Some(login.to_owned());
        self.session.passcode = Some(passcode.to_owned());
        self
    }

    /// Sets the `host` header (the virtual host; RabbitMQ's default is `/`).
    pub fn vhost(mut self, host: &str) -> ClientConfig {
        self.session.host = Some(host.to_owned());
        self
    }

    /// Sets the heart-beats asked for, in milliseconds (0: none).
    pub fn heart_beat(mut self, outgoing_ms: u32, incoming_ms: u32) -> ClientConfig {
        self.session.heart_beat = HeartBeat {
            outgoing_ms,
            incoming_ms,
        };
        self
    }

    /// Sets the versions offered.
    pub fn versions(mut self, versions: &[Version]) -> ClientConfig {
        self.session.versions = versions.to_vec();
        self
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("endpoints", &self.endpoints)
            .field("policy", &self.policy)
            .field("session", &self.session)
            .field("transport", &self.transport)
            .field("spawner", &self.spawner.as_ref().map(|_| "custom"))
            .finish()
    }
}
