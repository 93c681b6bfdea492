//! Session configuration: versions, credentials, heart-beats, timeouts, limits, replay.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::frame::{Headers, Limits, Version};

/// Heart-beat intervals this client asks for, in milliseconds; 0 means "none".
///
/// Written as `heart-beat:outgoing,incoming` on CONNECT. The intervals in force are negotiated
/// with the server's CONNECTED (see [`Negotiated`](super::Negotiated)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::exhaustive_structs)] // closed: the two numbers of the `heart-beat` header
pub struct HeartBeat {
    /// The smallest interval at which this client can send heart-beats (`cx`).
    pub outgoing_ms: u32,
    /// The interval at which this client wants to receive heart-beats (`cy`).
    pub incoming_ms: u32,
}

impl HeartBeat {
    /// No heart-beats either way.
    pub const NONE: HeartBeat = HeartBeat {
        outgoing_ms: 0,
        incoming_ms: 0,
    };
}

impl Default for HeartBeat {
    /// 10 s each way, as `@stomp/stompjs`.
    fn default() -> HeartBeat {
        HeartBeat {
            outgoing_ms: 10_000,
            incoming_ms: 10_000,
        }
    }
}

/// Everything a [`Session`](super::Session) needs to know before it connects.
///
/// ```
/// use stompwire::session::{Config, HeartBeat};
/// use stompwire::frame::Version;
///
/// let config = Config::default()
///     .with_host("/")
///     .with_login("guest")
///     .with_passcode("guest")
///     .with_heart_beat(HeartBeat { outgoing_ms: 5_000, incoming_ms: 5_000 });
/// assert_eq!(config.host.as_deref(), Some("/"));
/// assert_eq!(config.versions, [Version::V1_0, Version::V1_1, Version::V1_2]);
/// ```
///
/// The struct is `#[non_exhaustive]`, so that settings can be added without breaking users:
/// outside this crate, start from [`Config::default`] and use the `with_*` setters (or assign
/// the public fields of a mutable value).
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Versions offered in `accept-version`, any order. Default: 1.0, 1.1, 1.2. With only
    /// 1.0, no `accept-version` header is written.
    pub versions: Vec<Version>,
    /// The `host` header: the virtual host (RabbitMQ reads it as the vhost, e.g. `/`). Written
    /// when set. STOMP 1.2 requires it; brokers accept its absence.
    pub host: Option<String>,
    /// `login`.
    pub login: Option<String>,
    /// `passcode`. Never shown in debug output.
    pub passcode: Option<String>,
    /// Extra CONNECT headers (after the ones above).
    pub connect_headers: Headers,
    /// Send `STOMP` instead of `CONNECT` (1.1+; ignored when only 1.0 is offered).
    pub use_stomp_command: bool,
    /// Heart-beats asked for.
    pub heart_beat: HeartBeat,
    /// The incoming deadline is the negotiated interval times this scale (stomp.py's
    /// `heart_beat_receive_scale`). Default 1.5.
    pub heart_beat_receive_scale: f64,
    /// Time allowed from [`connect`](super::Session::connect) to CONNECTED. Default 30 s;
    /// `None` waits for ever.
    pub connect_timeout_ms: Option<u64>,
    /// Time allowed for any receipt, measured from the frame that asked for it. Default `None`.
    /// One receipt's deadline can be changed with
    /// [`Session::set_receipt_deadline`](super::Session::set_receipt_deadline).
    pub receipt_timeout_ms: Option<u64>,
    /// Time allowed for the receipt of a graceful DISCONNECT before the session closes anyway.
    /// Default 10 s.
    pub disconnect_timeout_ms: u64,
    /// Codec limits against a hostile peer.
    pub limits: Limits,
    /// After a reconnect, send SUBSCRIBE again for every subscription still registered, with the
    /// same ids. Default `true`. When `false`, subscriptions end with the connection.
    pub replay_subscriptions: bool,
    /// After a reconnect, send again the SEND frames (outside transactions) whose receipt had
    /// not arrived when the connection dropped, with the same receipt ids: at-least-once
    /// delivery for frames sent with a receipt. Default `true`.
    pub resend_unreceipted: bool,
    /// Ask the transport to close when incoming heart-beats stop. Default `true`.
    pub close_on_heartbeat_timeout: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            versions: vec![Version::V1_0, Version::V1_1, Version::V1_2],
            host: None,
            login: None,
            passcode: None,
            connect_headers: Headers::new(),
            use_stomp_command: false,
            heart_beat: HeartBeat::default(),
            heart_beat_receive_scale: 1.5,
            connect_timeout_ms: Some(30_000),
            receipt_timeout_ms: None,
            disconnect_timeout_ms: 10_000,
            limits: Limits::default(),
            replay_subscriptions: true,
            resend_unreceipted: true,
            close_on_heartbeat_timeout: true,
        }
    }
}

impl Config {
    /// Sets [`versions`](Self::versions): an array, a slice or a `Vec`.
    #[must_use]
    pub fn with_versions(mut self, versions: impl Into<Vec<Version>>) -> Config {
        self.versions = versions.into();
        self
    }

    /// Sets [`host`](Self::host) to `Some(host)`.
    #[must_use]
    pub fn with_host(mut self, host: impl Into<String>) -> Config {
        self.host = Some(host.into());
        self
    }

    /// Sets [`login`](Self::login) to `Some(login)`.
    #[must_use]
    pub fn with_login(mut self, login: impl Into<String>) -> Config {
        self.login = Some(login.into());
        self
    }

    /// Sets [`passcode`](Self::passcode) to `Some(passcode)`.
    #[must_use]
    pub fn with_passcode(mut self, passcode: impl Into<String>) -> Config {
        self.passcode = Some(passcode.into());
        self
    }

    /// Sets [`connect_headers`](Self::connect_headers).
    #[must_use]
    pub fn with_connect_headers(mut self, headers: Headers) -> Config {
        self.connect_headers = headers;
        self
    }

    /// Sets [`use_stomp_command`](Self::use_stomp_command).
    #[must_use]
    pub fn with_use_stomp_command(mut self, on: bool) -> Config {
        self.use_stomp_command = on;
        self
    }

    /// Sets [`heart_beat`](Self::heart_beat).
    #[must_use]
    pub fn with_heart_beat(mut self, heart_beat: HeartBeat) -> Config {
        self.heart_beat = heart_beat;
        self
    }

    /// Sets [`heart_beat_receive_scale`](Self::heart_beat_receive_scale).
    #[must_use]
    pub fn with_heart_beat_receive_scale(mut self, scale: f64) -> Config {
        self.heart_beat_receive_scale = scale;
        self
    }

    /// Sets [`connect_timeout_ms`](Self::connect_timeout_ms).
    #[must_use]
    pub fn with_connect_timeout_ms(mut self, ms: Option<u64>) -> Config {
        self.connect_timeout_ms = ms;
        self
    }

    /// Sets [`receipt_timeout_ms`](Self::receipt_timeout_ms).
    #[must_use]
    pub fn with_receipt_timeout_ms(mut self, ms: Option<u64>) -> Config {
        self.receipt_timeout_ms = ms;
        self
    }

    /// Sets [`disconnect_timeout_ms`](Self::disconnect_timeout_ms).
    #[must_use]
    pub fn with_disconnect_timeout_ms(mut self, ms: u64) -> Config {
        self.disconnect_timeout_ms = ms;
        self
    }

    /// Sets [`limits`](Self::limits).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Config {
        self.limits = limits;
        self
    }

    /// Sets [`replay_subscriptions`](Self::replay_subscriptions).
    #[must_use]
    pub fn with_replay_subscriptions(mut self, on: bool) -> Config {
        self.replay_subscriptions = on;
        self
    }

    /// Sets [`resend_unreceipted`](Self::resend_unreceipted).
    #[must_use]
    pub fn with_resend_unreceipted(mut self, on: bool) -> Config {
        self.resend_unreceipted = on;
        self
    }

    /// Sets [`close_on_heartbeat_timeout`](Self::close_on_heartbeat_timeout).
    #[must_use]
    pub fn with_close_on_heartbeat_timeout(mut self, on: bool) -> Config {
        self.close_on_heartbeat_timeout = on;
        self
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("versions", &self.versions)
            .field("host", &self.host)
            .field("login", &self.login)
            .field("passcode", &self.passcode.as_ref().map(|_| "***"))
            .field("connect_headers", &self.connect_headers)
            .field("use_stomp_command", &self.use_stomp_command)
            .field("heart_beat", &self.heart_beat)
            .field("heart_beat_receive_scale", &self.heart_beat_receive_scale)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("receipt_timeout_ms", &self.receipt_timeout_ms)
            .field("disconnect_timeout_ms", &self.disconnect_timeout_ms)
            .field("limits", &self.limits)
            .field("replay_subscriptions", &self.replay_subscriptions)
            .field("resend_unreceipted", &self.resend_unreceipted)
            .field(
                "close_on_heartbeat_timeout",
                &self.close_on_heartbeat_timeout,
            )
            .finish()
    }
}
