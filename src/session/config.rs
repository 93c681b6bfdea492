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
/// let config = Config {
///     host: Some("/".into()),
///     login: Some("guest".into()),
///     passcode: Some("guest".into()),
///     heart_beat: HeartBeat { outgoing_ms: 5_000, incoming_ms: 5_000 },
///     ..Config::default()
/// };
/// assert_eq!(config.versions, [Version::V1_0, Version::V1_1, Version::V1_2]);
/// ```
#[derive(Clone)]
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
