//! stompjs's reconnect settings mapped onto a [`Policy`]: `reconnectDelay`,
//! `reconnectTimeMode` and `maxReconnectDelay`.

use super::{Backoff, HostOrder, Jitter, MaxAttempts, Pacing, Policy};

/// stompjs's `ReconnectionTimeMode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReconnectTimeMode {
    /// The same `reconnectDelay` every time (stompjs's default).
    #[default]
    Linear,
    /// `reconnectDelay`, doubled after each wait, up to `maxReconnectDelay`.
    Exponential,
}

impl Policy {
    /// The policy of a stompjs client with these settings (times in milliseconds;
    /// stompjs's defaults are `5000`, [`ReconnectTimeMode::Linear`], `900000`).
    ///
    /// stompjs (`Client._schedule_reconnect`) waits `_nextReconnectDelay` after every close, and in
    /// `EXPONENTIAL` mode doubles it each time the wait ends, capped by `maxReconnectDelay` unless
    /// that is 0. The delay returns to `reconnectDelay` on every successful connection. A
    /// `reconnectDelay` of 0 turns reconnecting off. `configure` raises a `maxReconnectDelay` below
    /// `reconnectDelay` to `reconnectDelay`; so does this mapping.
    ///
    /// The policy has [`Pacing::PerAttempt`], no jitter, no host reordering, and
    /// [`wait_before_first_reconnect`](Policy::wait_before_first_reconnect): the first attempt
    /// after a lost connection waits `reconnectDelay`, where the very first connection does not.
    ///
    /// ```
    /// use stompwire::reconnect::{Phase, Policy, ReconnectTimeMode};
    ///
    /// let p = Policy::stompjs(1_000, ReconnectTimeMode::Exponential, 5_000);
    /// let waits: Vec<u64> = (0..5)
    ///     .map(|n| p.attempt(n, 1, Phase::Reconnect, &mut || 0).unwrap().delay_ms)
    ///     .collect();
    /// assert_eq!(waits, [1_000, 2_000, 4_000, 5_000, 5_000]);
    ///
    /// // Before the first connection, the first attempt is immediate.
    /// assert_eq!(p.attempt(0, 1, Phase::Startup, &mut || 0).unwrap().delay_ms, 0);
    ///
    /// // reconnectDelay = 0: connect once, never retry, never reconnect.
    /// let off = Policy::stompjs(0, ReconnectTimeMode::Linear, 0);
    /// assert!(off.attempt(0, 1, Phase::Startup, &mut || 0).is_some());
    /// assert!(off.attempt(1, 1, Phase::Startup, &mut || 0).is_none());
    /// assert!(off.attempt(0, 1, Phase::Reconnect, &mut || 0).is_none());
    /// ```
    pub fn stompjs(
        reconnect_delay_ms: u64,
        mode: ReconnectTimeMode,
        max_reconnect_delay_ms: u64,
    ) -> Policy {
        let (multiplier, max_ms) = match mode {
            // No cap: the wait stays where it is, as stompjs's does when the mode is switched
            // to LINEAR after it has grown (see `Supervisor::set_policy`).
            ReconnectTimeMode::Linear => (1.0, u64::MAX),
            ReconnectTimeMode::Exponential if max_reconnect_delay_ms == 0 => (2.0, u64::MAX),
            ReconnectTimeMode::Exponential => (2.0, max_reconnect_delay_ms.max(reconnect_delay_ms)),
        };
        Policy {
            backoff: Backoff {
                initial_ms: reconnect_delay_ms,
                multiplier,
                max_ms,
                jitter: Jitter::None,
            },
            pacing: Pacing::PerAttempt,
            max_attempts: if reconnect_delay_ms == 0 {
                MaxAttempts::Total(0)
            } else {
                MaxAttempts::Forever
            },
            startup_max_attempts: if reconnect_delay_ms == 0 {
                Some(MaxAttempts::Total(1))
            } else {
                None
            },
            wait_before_first_reconnect: true,
            hosts: HostOrder::as_given(),
        }
    }
}
