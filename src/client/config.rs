//! [`Config`]: where the async client connects and how — endpoints and reconnect policy,
//! credentials, heart-beats, timeouts, limits, subscription buffers, and TLS natively.

use std::fmt;
use std::prelude::rust_2024::*;

use crate::frame::{Limits, Version};
use crate::reconnect::{Endpoint, FailoverUri, Policy, SupervisorConfig};
use crate::session::{self, HeartBeat};

use super::Error;
#[cfg(all(feature = "tokio", not(target_arch = "wasm32")))]
use super::tokio::TlsOptions;

/// What a subscription does when its consumer is slow and its buffer
/// ([`Config::subscription_buffer`]) is full.
///
/// Memory never grows past the buffers: at most `subscription_buffer` messages per
/// subscription, plus the frames of one socket read (64 KiB) when that read fills a buffer.
///
/// With [`AckMode::Client`](crate::session::AckMode) or `ClientIndividual` the client also
/// asks the broker to hold back: the SUBSCRIBE carries `prefetch-count` (RabbitMQ) and
/// `activemq.prefetchSize` (ActiveMQ) equal to the buffer size, unless the caller set them, so
/// a broker never has more unacknowledged messages in flight than the buffer holds and
/// neither policy has to act.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlowConsumer {
    /// Stop reading the connection until the consumer takes a message (the default). No
    /// message is lost; every subscription, receipt and heart-beat of the connection waits
    /// with it, and a consumer that stalls longer than the incoming heart-beat deadline ends
    /// the connection (heart-beat timeout; it is then reconnected, and unacknowledged
    /// messages are redelivered by the broker).
    #[default]
    Block,
    /// Keep reading and drop the message that does not fit, counting it
    /// ([`Subscription::dropped`](super::Subscription::dropped)) and reporting it
    /// ([`ConnectionEvent::Dropped`](super::ConnectionEvent::Dropped)). In
    /// `client-individual` mode the dropped message is NACKed, so the broker can redeliver
    /// it; in `auto` mode it is lost. Subscriptions in `client` mode are held back as with
    /// [`Block`](Self::Block) instead: there an ACK acknowledges every earlier message too,
    /// a dropped one included.
    Drop,
}

/// How the async client connects.
///
/// ```
/// use stompwire::client::Config;
///
/// let config = Config::from_url("failover:(tcp://127.0.0.1:61613,tcp://127.0.0.1:61633)")
///     .unwrap()
///     .credentials("guest", "guest")
///     .vhost("/")
///     .heart_beat(5_000, 5_000)
///     .subscription_buffer(64);
/// assert_eq!(config.endpoints.len(), 2);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// The brokers, tried as [`policy`](Self::policy) says.
    pub endpoints: Vec<Endpoint>,
    /// When and where to (re)connect, and when to give up.
    pub policy: Policy,
    /// The supervisor's timeouts (CONNECTED timeout, attempt timeout, refusals).
    pub supervisor: SupervisorConfig,
    /// The session: versions, credentials, vhost, heart-beats, receipt timeouts, limits,
    /// replay and resend after a reconnect. Its `connect_timeout_ms` is not used: the
    /// supervisor's [`connected_timeout_ms`](SupervisorConfig::connected_timeout_ms) bounds
    /// the wait for CONNECTED, so that one rule decides.
    pub session: session::Config,
    /// Messages each subscription buffers before [`slow_consumer`](Self::slow_consumer)
    /// applies. Default 256; at least 1.
    pub subscription_buffer: usize,
    /// What a full subscription buffer does.
    pub slow_consumer: SlowConsumer,
    /// Connection events each [`Events`](super::Events) stream buffers; the oldest is dropped
    /// when a listener falls behind. Default 64.
    pub event_buffer: usize,
    /// Bytes queued for writing beyond which `send` waits for the connection to take them.
    /// Default 64 KiB: a producer that runs ahead waits sooner, and the driver writes (and
    /// reads) in between — measured against 1 MiB on 50,000 × 128 B floods, more messages per
    /// second and less CPU per message on both brokers.
    pub write_buffer: usize,
    /// Bytes a connection that cannot be paused (the browser's WebSocket) holds for the
    /// client while reading is held back ([`SlowConsumer::Block`]); never less than one
    /// frame ([`Limits::max_frame_size`]). Past it the connection fails with an error that
    /// says so and is reconnected: what arrived before is still read, the broker redelivers
    /// unacknowledged messages, and an `auto` subscription loses what did not fit. Natively
    /// the socket itself is not read and the broker is held back by TCP. Default 4 MiB.
    pub receive_buffer: usize,
    /// The transport's own connect timeout (TCP connect, TLS and WebSocket handshakes), in
    /// milliseconds. Default 10 000.
    pub open_timeout_ms: u64,
    /// TLS for `ssl://`, `stomp+ssl://` and `wss://` endpoints.
    #[cfg(all(feature = "tokio", not(target_arch = "wasm32")))]
    pub tls: TlsOptions,
}

impl Config {
    /// Connects to `endpoints` with the default policy ([`Policy::default`]).
    pub fn new(endpoints: Vec<Endpoint>) -> Config {
        Config {
            endpoints,
            policy: Policy::default(),
            supervisor: SupervisorConfig::default(),
            session: session::Config::default(),
            subscription_buffer: 256,
            slow_consumer: SlowConsumer::Block,
            event_buffer: 64,
            write_buffer: 64 << 10,
            receive_buffer: 4 << 20,
            open_timeout_ms: 10_000,
            #[cfg(all(feature = "tokio", not(target_arch = "wasm32")))]
            tls: TlsOptions::default(),
        }
    }

    /// One broker URL (`tcp://`, `ssl://`, `ws://`, `wss://`, `host:port`…) or a
    /// `failover:(url,…)?options` URI, whose options become the policy.
    pub fn from_url(url: &str) -> Result<Config, Error> {
        if url.trim_start().starts_with("failover:") {
            let uri: FailoverUri = url.parse().map_err(Error::Failover)?;
            let mut config = Config::new(uri.endpoints.clone());
            config.policy = uri.policy();
            Ok(config)
        } else {
            Ok(Config::new(vec![
                Endpoint::parse(url).map_err(Error::Endpoint)?,
            ]))
        }
    }

    /// Sets `login` and `passcode`.
    #[must_use]
    pub fn credentials(mut self, login: &str, passcode: &str) -> Config {
        self.session.login = Some(login.to_owned());
        self.session.passcode = Some(passcode.to_owned());
        self
    }

    /// Sets the `host` header (the virtual host; RabbitMQ's default is `/`).
    #[must_use]
    pub fn vhost(mut self, host: &str) -> Config {
        self.session.host = Some(host.to_owned());
        self
    }

    /// Sets the heart-beats asked for, in milliseconds (0: none).
    #[must_use]
    pub fn heart_beat(mut self, outgoing_ms: u32, incoming_ms: u32) -> Config {
        self.session.heart_beat = HeartBeat {
            outgoing_ms,
            incoming_ms,
        };
        self
    }

    /// Sets the STOMP versions offered.
    #[must_use]
    pub fn versions(mut self, versions: &[Version]) -> Config {
        self.session.versions = versions.to_vec();
        self
    }

    /// Sets how long CONNECTED may take once the transport is open (the supervisor's
    /// [`connected_timeout_ms`](SupervisorConfig::connected_timeout_ms); default 5 s). An
    /// attempt that runs out of it is closed, reported as
    /// [`CloseReason::ConnectTimeout`](crate::session::CloseReason), and the next goes to
    /// another endpoint first.
    #[must_use]
    pub fn connect_timeout_ms(mut self, ms: u64) -> Config {
        self.supervisor = self.supervisor.with_connected_timeout_ms(Some(ms));
        self
    }

    /// Sets how long a receipt may take (`None`: for ever, the default).
    #[must_use]
    pub fn receipt_timeout_ms(mut self, ms: Option<u64>) -> Config {
        self.session.receipt_timeout_ms = ms;
        self
    }

    /// Sets the codec limits against a hostile broker.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Config {
        self.session.limits = limits;
        self
    }

    /// Sets the per-subscription buffer (at least 1).
    #[must_use]
    pub fn subscription_buffer(mut self, messages: usize) -> Config {
        self.subscription_buffer = messages.max(1);
        self
    }

    /// Sets what a full subscription buffer does.
    #[must_use]
    pub fn slow_consumer(mut self, policy: SlowConsumer) -> Config {
        self.slow_consumer = policy;
        self
    }

    /// Sets the `write_buffer` field: the bytes queued for writing beyond which `send`
    /// waits.
    #[must_use]
    pub fn write_buffer(mut self, bytes: usize) -> Config {
        self.write_buffer = bytes;
        self
    }

    /// Sets the reconnect policy.
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Config {
        self.policy = policy;
        self
    }

    /// Sets the TLS options.
    #[cfg(all(feature = "tokio", not(target_arch = "wasm32")))]
    #[must_use]
    pub fn tls(mut self, tls: TlsOptions) -> Config {
        self.tls = tls;
        self
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("endpoints", &self.endpoints)
            .field("policy", &self.policy)
            .field("supervisor", &self.supervisor)
            .field("session", &self.session)
            .field("subscription_buffer", &self.subscription_buffer)
            .field("slow_consumer", &self.slow_consumer)
            .field("event_buffer", &self.event_buffer)
            .field("write_buffer", &self.write_buffer)
            .field("receive_buffer", &self.receive_buffer)
            .field("open_timeout_ms", &self.open_timeout_ms)
            .finish_non_exhaustive()
    }
}
