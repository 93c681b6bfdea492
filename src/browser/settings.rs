//! stompjs's settings, as plain numbers, turned into what the core runs on: the reconnect
//! [`Plan`] and the session's [`Config`]. Both shells (the package's JavaScript layer through
//! `core_api.rs`, and the `Client` of the `web-client` build through `options.rs`) read their
//! settings into these two structs, so the meaning of each setting is written once.
//!
//! Nothing here touches JavaScript.

use alloc::vec::Vec;

use super::lifecycle::Plan;
use crate::frame::{Headers, Limits, Version};
use crate::reconnect::{Jitter, MaxAttempts, Policy, ReconnectTimeMode};
use crate::session::{Config, HeartBeat};

/// The reconnect settings of stompjs (`reconnectDelay`, `reconnectTimeMode`,
/// `maxReconnectDelay`), plus `reconnectJitter`, `maxReconnectAttempts`, the broker list's
/// length, `connectionTimeout` and `connectedTimeout` (ms; 0 or less: no limit).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Reconnect {
    /// `reconnectDelay`, ms.
    pub(crate) delay_ms: f64,
    /// `reconnectTimeMode` is `EXPONENTIAL`.
    pub(crate) exponential: bool,
    /// `maxReconnectDelay`, ms.
    pub(crate) max_delay_ms: f64,
    /// `reconnectJitter`: a fraction of each wait.
    pub(crate) jitter: f64,
    /// `maxReconnectAttempts`: `n ≥ 0` reconnection attempts after a lost connection, and
    /// the first connection plus `n` retries at the start; `-1` tries for ever.
    pub(crate) max_attempts: f64,
    /// How many entries the broker list has.
    pub(crate) targets: usize,
    /// `connectionTimeout`, ms.
    pub(crate) connection_timeout_ms: f64,
    /// `connectedTimeout`, ms.
    pub(crate) connected_timeout_ms: f64,
}

/// Whole milliseconds; negative or not a number is 0 (`as` saturates and maps NaN to 0).
pub(crate) fn ms(n: f64) -> u64 {
    n as u64
}

impl Reconnect {
    /// The reconnect policy these settings describe.
    pub(crate) fn policy(&self) -> Policy {
        let mode = if self.exponential {
            ReconnectTimeMode::Exponential
        } else {
            ReconnectTimeMode::Linear
        };
        let delay = ms(self.delay_ms);
        let mut policy = Policy::stompjs(delay, mode, ms(self.max_delay_ms));
        if self.jitter > 0.0 {
            policy.backoff.jitter = Jitter::Fraction(self.jitter);
        }
        if delay > 0 && self.max_attempts >= 0.0 {
            let n = self.max_attempts as u32;
            policy.max_attempts = MaxAttempts::Total(n);
            policy.startup_max_attempts = Some(MaxAttempts::Total(n.saturating_add(1)));
        }
        policy
    }

    /// The settings a later attempt of a client activated with `activated` runs on: these,
    /// but `reconnectDelay` as it was at `activate()`. stompjs 7.1 copies `reconnectDelay`
    /// into the delay it doubles at `activate()` and reads only `reconnectTimeMode` and
    /// `maxReconnectDelay` when a reconnect is due (and `connectionTimeout` per attempt), so
    /// a `reconnectDelay` written while active waits for the next `activate()`.
    pub(crate) fn while_active(self, activated: &Reconnect) -> Reconnect {
        Reconnect {
            delay_ms: activated.delay_ms,
            targets: activated.targets,
            ..self
        }
    }

    /// The plan the lifecycle starts with.
    pub(crate) fn plan(&self) -> Plan {
        let limit = |n: f64| Some(ms(n)).filter(|ms| *ms > 0);
        Plan {
            policy: self.policy(),
            targets: self.targets.max(1),
            attempt_timeout_ms: limit(self.connection_timeout_ms),
            connected_timeout_ms: limit(self.connected_timeout_ms),
        }
    }
}

/// What the session reads when a socket is made: stompjs's heart-beat settings, the
/// versions, the CONNECT headers, the codec limits and this package's additions.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Connect {
    /// The versions offered, most preferred first (none: all three).
    pub(crate) versions: Vec<Version>,
    /// `connectHeaders`.
    pub(crate) headers: Headers,
    /// `heartbeatOutgoing`, ms.
    pub(crate) heartbeat_outgoing_ms: f64,
    /// `heartbeatIncoming`, ms.
    pub(crate) heartbeat_incoming_ms: f64,
    /// `heartbeatToleranceMultiplier` (below 1: 1).
    pub(crate) tolerance: f64,
    /// `limits`: the codec limits.
    pub(crate) limits: Limits,
    /// `replaySubscriptions`.
    pub(crate) replay_subscriptions: bool,
    /// `resendUnreceipted`.
    pub(crate) resend_unreceipted: bool,
}

/// A limit from `limits` (`None`, negative or not a number: the default).
pub(crate) fn limit(given: Option<f64>, default: usize) -> usize {
    match given {
        Some(n) if n >= 0.0 => n as usize,
        _ => default,
    }
}

impl Connect {
    /// The versions to offer: those given, or all three, most preferred first.
    pub(crate) fn offered(versions: Vec<Version>) -> Vec<Version> {
        if versions.is_empty() {
            Version::ALL.iter().rev().copied().collect()
        } else {
            versions
        }
    }

    /// Writes these settings into `config`.
    pub(crate) fn apply(self, config: &mut Config) {
        config.versions = Connect::offered(self.versions);
        config.host = None;
        config.login = None;
        config.passcode = None;
        config.connect_headers = self.headers;
        let clamp = |n: f64| u32::try_from(ms(n)).unwrap_or(u32::MAX);
        config.heart_beat = HeartBeat {
            outgoing_ms: clamp(self.heartbeat_outgoing_ms),
            incoming_ms: clamp(self.heartbeat_incoming_ms),
        };
        config.heart_beat_receive_scale = if self.tolerance >= 1.0 {
            self.tolerance
        } else {
            1.0
        };
        // The supervisor times the attempt (`connectionTimeout`) and CONNECTED
        // (`connectedTimeout`).
        config.connect_timeout_ms = None;
        // No receipt times out by default (stompjs has no such limit); a promise form gives its
        // own receipt a deadline in the session (`receiptTimeout`, or the call's).
        config.receipt_timeout_ms = None;
        config.limits = self.limits;
        config.replay_subscriptions = self.replay_subscriptions;
        config.resend_unreceipted = self.resend_unreceipted;
        config.close_on_heartbeat_timeout = true;
    }
}
