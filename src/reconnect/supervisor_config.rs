//! [`SupervisorConfig`]: the supervisor's own limits — the CONNECTED timeout, the attempt
//! timeout, and how a refused connection (or one ended by a server ERROR) is retried.

use super::MaxAttempts;

/// The supervisor's timeouts and refusal rules; the waits between attempts are the
/// [`Policy`](super::Policy)'s.
///
/// Three timeouts bound one attempt, each its own (as stompest has them):
///
/// | timeout | from | to | owner |
/// |---|---|---|---|
/// | socket connect | opening the transport | transport open | the shell's transport (TCP connect timeout) |
/// | [`connected_timeout_ms`](Self::connected_timeout_ms) | transport open | CONNECTED | this supervisor |
/// | graceful disconnect | DISCONNECT sent | its RECEIPT | the session (`disconnect_timeout_ms`) |
///
/// and [`attempt_timeout_ms`](Self::attempt_timeout_ms), off by default, bounds the whole
/// attempt from "open" to CONNECTED (stompjs's `connectionTimeout`, for a transport that has
/// no connect timeout of its own, such as a browser WebSocket).
///
/// **ERROR frames.** An ERROR before CONNECTED is a refusal (bad credentials, unknown
/// virtual host). It counts as a failed attempt, so the backoff goes on growing, and in
/// addition: the next attempt waits at least [`error_delay_ms`](Self::error_delay_ms), even
/// where the policy would not wait at all (the next host of a stomp.py pass, the first
/// reconnect); and after [`max_refusals`](Self::max_refusals) refusals since the last
/// successful connection, the supervisor gives up with [`Reason::Refused`](super::Reason).
/// An ERROR that ends an open session (a subscription the broker rejects, say) waits as
/// long, so the same floor keeps a broker that accepts and then rejects from being
/// reconnected to in a tight loop.
///
/// **Stable connections.** A connection counts as a success, resetting the attempt count,
/// the backoff and the refusal count, only once it has stayed up
/// [`stable_after_ms`](Self::stable_after_ms) after CONNECTED. stompjs resets its reconnect
/// delay at every CONNECTED, and ActiveMQ's failover transport and stomp.py reset their
/// counts as soon as the socket connects; against a broker that answers CONNECTED and then
/// drops the connection (a full disk, a plugin that fails, a proxy that cuts idle-looking
/// sessions) they retry for ever at the first step of the backoff. Set it to 0 for their
/// behaviour. The first CONNECTED since the start is the one exception: it ends the startup
/// phase and restarts counting at once, so a client whose broker fails seconds after it
/// connected is held to the reconnect limit, not to the startup limit (as ActiveMQ's
/// `startupMaxReconnectAttempts` applies only before the first connection).
///
/// ```
/// use stompwire::reconnect::{MaxAttempts, SupervisorConfig};
///
/// let config = SupervisorConfig::default()
///     .with_connected_timeout_ms(Some(2_000))
///     .with_max_refusals(MaxAttempts::Total(1));
/// assert_eq!(config.connected_timeout_ms, Some(2_000));
/// assert_eq!(config.error_delay_ms, 1_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SupervisorConfig {
    /// How long to wait for CONNECTED once the transport is open, in milliseconds; `None`
    /// waits for ever. Default 5 000: a broker that accepted the socket and says nothing for
    /// that long is treated as gone, and the next attempt goes to another endpoint first.
    pub connected_timeout_ms: Option<u64>,
    /// How long the whole attempt may take, from "open" to CONNECTED, in milliseconds;
    /// `None` (the default) sets no such bound.
    pub attempt_timeout_ms: Option<u64>,
    /// The shortest wait after the server ended an attempt or a connection with an ERROR
    /// frame, in milliseconds. Default 1 000.
    pub error_delay_ms: u64,
    /// How many refusals since the last successful connection end the attempts. Default
    /// [`MaxAttempts::Forever`]: the policy's own limit decides.
    pub max_refusals: MaxAttempts,
    /// How long a connection must stay up after CONNECTED before it counts as a success, in
    /// milliseconds; a connection lost sooner leaves the attempt count and the backoff where
    /// they were, as a failed attempt does. 0: every CONNECTED counts at once. Default 5 000,
    /// as long as the default CONNECTED timeout.
    pub stable_after_ms: u64,
    /// The shell does work of its own between [`Action::Open`](super::Action::Open) and
    /// opening the transport (stompjs's `beforeConnect`, which may take as long as it likes)
    /// and reports the moment it opens it with
    /// [`Supervisor::handle_transport_opening`](super::Supervisor::handle_transport_opening):
    /// the attempt timeout runs from then, as stompjs starts its `connectionTimeout` after
    /// `beforeConnect`. Default `false`: it runs from `Action::Open`.
    pub await_opening: bool,
}

impl Default for SupervisorConfig {
    fn default() -> SupervisorConfig {
        SupervisorConfig {
            connected_timeout_ms: Some(5_000),
            attempt_timeout_ms: None,
            error_delay_ms: 1_000,
            max_refusals: MaxAttempts::Forever,
            stable_after_ms: 5_000,
            await_opening: false,
        }
    }
}

impl SupervisorConfig {
    /// Sets [`connected_timeout_ms`](Self::connected_timeout_ms).
    #[must_use]
    pub fn with_connected_timeout_ms(mut self, ms: Option<u64>) -> SupervisorConfig {
        self.connected_timeout_ms = ms;
        self
    }

    /// Sets [`attempt_timeout_ms`](Self::attempt_timeout_ms).
    #[must_use]
    pub fn with_attempt_timeout_ms(mut self, ms: Option<u64>) -> SupervisorConfig {
        self.attempt_timeout_ms = ms;
        self
    }

    /// Sets [`error_delay_ms`](Self::error_delay_ms).
    #[must_use]
    pub fn with_error_delay_ms(mut self, ms: u64) -> SupervisorConfig {
        self.error_delay_ms = ms;
        self
    }

    /// Sets [`stable_after_ms`](Self::stable_after_ms).
    #[must_use]
    pub fn with_stable_after_ms(mut self, ms: u64) -> SupervisorConfig {
        self.stable_after_ms = ms;
        self
    }

    /// Sets [`await_opening`](Self::await_opening).
    #[must_use]
    pub fn with_await_opening(mut self, on: bool) -> SupervisorConfig {
        self.await_opening = on;
        self
    }

    /// Sets [`max_refusals`](Self::max_refusals).
    #[must_use]
    pub fn with_max_refusals(mut self, max: MaxAttempts) -> SupervisorConfig {
        self.max_refusals = max;
        self
    }
}
