//! The reconnect [`Policy`] and its one question: given attempt `n`, which host and how long to
//! wait first — or give up.

use super::{Backoff, HostOrder, MaxAttempts, Random};

/// When the backoff wait happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pacing {
    /// Before each pass over the hosts but the first; the hosts of a pass follow one another
    /// without waiting (stomp.py).
    PerPass,
    /// Before each attempt but the first (stompest, ActiveMQ failover, stompjs).
    PerAttempt,
}

/// Whether the client has been connected before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::exhaustive_enums)] // closed: before or after the first connection
pub enum Phase {
    /// No connection has succeeded yet.
    Startup,
    /// A connection succeeded and was lost; counting restarted at the loss.
    Reconnect,
}

/// What attempt `number` does: connect to entry `index` of pass `pass`, after waiting
/// `delay_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Attempt {
    /// The attempt's number, from 0.
    pub number: u32,
    /// The pass it belongs to, from 0.
    pub pass: u32,
    /// Which entry of the pass's host order to connect to.
    pub index: usize,
    /// How long to wait before connecting, in milliseconds.
    pub delay_ms: u64,
}

/// Everything that decides when and where to reconnect. The default is stomp.py's.
///
/// [`Policy::attempt`] answers, for attempt `n`, which host and how long to wait first — or
/// to give up.
///
/// Attempts are numbered from 0 since the last successful connection (or since the start).
/// They walk through a *pass* — the endpoints in [`HostOrder`] order — and then start another:
/// attempt `n` is entry `n mod len` of pass `⌊n / len⌋`.
///
/// **Waits.** With [`Pacing::PerPass`] (stomp.py) the hosts of a pass are tried back to back
/// and the wait comes before each pass but the first; with [`Pacing::PerAttempt`] (stompest,
/// ActiveMQ, stompjs) every attempt but the first waits. The `k`-th wait lasts
/// [`Backoff::delay_ms`]`(k)`. With [`Policy::wait_before_first_reconnect`] (stompjs), after a
/// connection was lost even the first attempt waits, and every wait moves one step up the
/// backoff.
///
/// **Giving up.** [`MaxAttempts`] counts attempts. With [`Pacing::PerPass`] the cap is checked
/// when a pass begins and a begun pass is finished, as stomp.py's `while connect_count < max`
/// around its `for` over the hosts does: three attempts over two hosts make two passes, four
/// attempts. With [`Pacing::PerAttempt`] it is checked before every attempt. A
/// [`Phase::Startup`] may have its own cap (stompest's `startupMaxReconnectAttempts`).
///
/// stomp.py also sleeps once more after its last failed pass before it raises; a policy that
/// gives up says so at once.
///
/// ```
/// use stompwire::reconnect::{Phase, Policy};
///
/// let policy = Policy::default(); // stomp.py: 3 attempts, 0.1 s growing by 50 %, 10 % jitter
/// let no_jitter = &mut || 0;
/// // One host: try, wait 100 ms, try, wait 150 ms, try, give up.
/// let plan: Vec<_> = (0..4)
///     .map(|n| policy.attempt(n, 1, Phase::Startup, no_jitter).map(|a| a.delay_ms))
///     .collect();
/// assert_eq!(plan, [Some(0), Some(100), Some(150), None]);
///
/// // Two hosts: passes are tried back to back, the wait comes between passes.
/// let a = policy.attempt(2, 2, Phase::Startup, no_jitter).unwrap();
/// assert_eq!((a.pass, a.index, a.delay_ms), (1, 0, 100));
/// let b = policy.attempt(3, 2, Phase::Startup, no_jitter).unwrap();
/// assert_eq!((b.pass, b.index, b.delay_ms), (1, 1, 0));
/// ```
///
/// The struct is `#[non_exhaustive]`: outside this crate, start from [`Policy::default`] (or
/// [`Policy::stompjs`], [`FailoverUri::policy`](super::FailoverUri::policy)) and set what
/// differs:
///
/// ```
/// use stompwire::reconnect::{Backoff, MaxAttempts, Pacing, Policy};
///
/// let policy = Policy::default()
///     .with_backoff(Backoff::fixed(1_000))
///     .with_pacing(Pacing::PerAttempt)
///     .with_max_attempts(MaxAttempts::Forever);
/// assert_eq!(policy.hosts, Policy::default().hosts);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Policy {
    /// How long the waits are.
    pub backoff: Backoff,
    /// When the waits happen.
    pub pacing: Pacing,
    /// When to give up (in [`Phase::Reconnect`], and in [`Phase::Startup`] unless
    /// [`startup_max_attempts`](Self::startup_max_attempts) says otherwise).
    pub max_attempts: MaxAttempts,
    /// A different cap before the first successful connection.
    pub startup_max_attempts: Option<MaxAttempts>,
    /// After a lost connection, wait before the first attempt too (stompjs).
    pub wait_before_first_reconnect: bool,
    /// How each pass orders the endpoints.
    pub hosts: HostOrder,
}

impl Default for Policy {
    /// stomp.py's defaults: [`Backoff::default`], [`Pacing::PerPass`], 3 attempts,
    /// [`HostOrder::default`] (prefer localhost, try loopback).
    fn default() -> Policy {
        Policy {
            backoff: Backoff::default(),
            pacing: Pacing::PerPass,
            max_attempts: MaxAttempts::Total(3),
            startup_max_attempts: None,
            wait_before_first_reconnect: false,
            hosts: HostOrder::default(),
        }
    }
}

impl Policy {
    /// Sets [`backoff`](Self::backoff).
    #[must_use]
    pub fn with_backoff(mut self, backoff: Backoff) -> Policy {
        self.backoff = backoff;
        self
    }

    /// Sets [`pacing`](Self::pacing).
    #[must_use]
    pub fn with_pacing(mut self, pacing: Pacing) -> Policy {
        self.pacing = pacing;
        self
    }

    /// Sets [`max_attempts`](Self::max_attempts).
    #[must_use]
    pub fn with_max_attempts(mut self, max: MaxAttempts) -> Policy {
        self.max_attempts = max;
        self
    }

    /// Sets [`startup_max_attempts`](Self::startup_max_attempts).
    #[must_use]
    pub fn with_startup_max_attempts(mut self, max: Option<MaxAttempts>) -> Policy {
        self.startup_max_attempts = max;
        self
    }

    /// Sets [`wait_before_first_reconnect`](Self::wait_before_first_reconnect).
    #[must_use]
    pub fn with_wait_before_first_reconnect(mut self, on: bool) -> Policy {
        self.wait_before_first_reconnect = on;
        self
    }

    /// Sets [`hosts`](Self::hosts).
    #[must_use]
    pub fn with_hosts(mut self, hosts: HostOrder) -> Policy {
        self.hosts = hosts;
        self
    }

    /// The cap in force in `phase`.
    pub fn limit(&self, phase: Phase) -> MaxAttempts {
        match phase {
            Phase::Startup => self.startup_max_attempts.unwrap_or(self.max_attempts),
            Phase::Reconnect => self.max_attempts,
        }
    }

    /// Attempt `n` (from 0) when a pass has `pass_len` entries: which entry, after how long —
    /// or `None` to give up (also when `pass_len` is 0). Draws once from `random` when the
    /// attempt waits and the backoff has jitter; otherwise never.
    pub fn attempt<R: Random + ?Sized>(
        &self,
        n: u32,
        pass_len: usize,
        phase: Phase,
        random: &mut R,
    ) -> Option<Attempt> {
        if pass_len == 0 {
            return None;
        }
        let len = pass_len as u64;
        let pass = u64::from(n) / len;
        let index = (u64::from(n) % len) as usize;
        let allowed = match self.pacing {
            Pacing::PerPass => self.limit(phase).allows(pass * len + 1),
            Pacing::PerAttempt => self.limit(phase).allows(u64::from(n) + 1),
        };
        if !allowed {
            return None;
        }
        let delay_ms = match self.step(n, pass_len, phase) {
            None => 0,
            Some(k) => self.backoff.delay_ms(k, random),
        };
        Some(Attempt {
            number: n,
            pass: pass as u32,
            index,
            delay_ms,
        })
    }

    /// Which wait of the backoff (its `k`, from 0) comes before attempt `n`, or `None` when
    /// the attempt does not wait. Whether the attempt is allowed is [`attempt`](Self::attempt)'s
    /// question.
    pub(crate) fn step(&self, n: u32, pass_len: usize, phase: Phase) -> Option<u32> {
        let len = pass_len.max(1) as u64;
        let pass = u64::from(n) / len;
        let index = u64::from(n) % len;
        let shift = u64::from(phase == Phase::Reconnect && self.wait_before_first_reconnect);
        let waits_before = match self.pacing {
            Pacing::PerPass if index != 0 => return None,
            Pacing::PerPass => pass + shift,
            Pacing::PerAttempt => u64::from(n) + shift,
        };
        let k = waits_before.checked_sub(1)?;
        Some(u32::try_from(k).unwrap_or(u32::MAX))
    }
}
