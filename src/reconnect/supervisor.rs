//! [`Supervisor`]: the connection lifecycle as a sans-I/O state machine — which entry to open
//! next, when, when to close a silent attempt, and when to give up.

use alloc::vec::Vec;

use super::random::NoDraws;
use super::{Action, Phase, Policy, Random, Reason, SupervisorConfig, Targets, TransportFailure};
use crate::session::CloseReason;

/// Where the supervisor is in the lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not started, stopped, or given up.
    Idle,
    /// An attempt is planned for `at`.
    Waiting {
        at: u64,
        target: usize,
        attempt: u32,
    },
    /// [`Action::Open`] was issued; the transport is not open yet. The attempt timeout runs
    /// from `since` (`None`: the shell has not reported opening it yet,
    /// [`SupervisorConfig::await_opening`]).
    Opening { target: usize, since: Option<u64> },
    /// The transport opened at `opened`; CONNECTED has not come.
    Handshake {
        target: usize,
        since: u64,
        opened: u64,
    },
    /// CONNECTED came. Until `stable_at` (`None`: passed) the connection has not yet counted
    /// as a success.
    Connected {
        target: usize,
        stable_at: Option<u64>,
    },
    /// [`Action::Close`] was issued because of `reason`; waiting for the transport to close.
    Closing { target: usize },
    /// Stopped with a transport open or opening; waiting for it to close.
    Stopping,
}

/// The connection lifecycle of one client: which entry to open next and when, when an
/// attempt has taken too long, when to give up — with no I/O, no clock and no randomness of
/// its own.
///
/// Inputs are `handle_*` calls (the shell's transport and session events, and the time);
/// outputs are [`Action`]s taken with [`poll_action`](Self::poll_action), and the next
/// deadline, [`poll_timeout`](Self::poll_timeout). It knows entries by index only
/// ([`Targets`]), so it needs no URL parser; the waits are the [`Policy`]'s, the timeouts and
/// refusal rules the [`SupervisorConfig`]'s. Time is a millisecond count of the shell's
/// choosing.
///
/// **Rules.**
/// - Attempts go through passes over the targets in [`HostOrder`](super::HostOrder) order,
///   waiting as [`Policy::attempt`] says. A connection counts as a success once it has
///   stayed up [`stable_after_ms`](SupervisorConfig::stable_after_ms) after CONNECTED: then
///   the count (and so the backoff) restarts, as does the refusal count, and the policy
///   switches to its [`Phase::Reconnect`] limit (the first CONNECTED since the start does
///   this at once). A later connection lost before that leaves them as they were, so a broker that answers CONNECTED and then breaks every connection is
///   retried with a growing wait, and given up on under the policy's limit.
/// - After [`Policy::attempt`] says no more, [`Action::GaveUp`] with the number of attempts.
/// - An attempt whose endpoint went silent ([`Reason::is_silent`]: a heart-beat timeout, a
///   CONNECTED timeout, an attempt timeout) is followed by an attempt at *another* entry
///   first, when there is one: a pass that would begin with it has it moved to the end. (A
///   loopback copy that [`Targets::of`] adds is an entry of its own.)
/// - CONNECTED not there [`connected_timeout_ms`](SupervisorConfig::connected_timeout_ms)
///   after the transport opened: [`Action::Close`], and the next attempt goes to the next
///   entry.
/// - A refusal (ERROR before CONNECTED) waits at least
///   [`error_delay_ms`](SupervisorConfig::error_delay_ms) before the next attempt and
///   counts towards [`max_refusals`](SupervisorConfig::max_refusals). A connection that a
///   server ERROR ended waits as long before the next attempt.
/// - A close the user asked for (the session's DISCONNECT) and [`stop`](Self::stop) end the
///   lifecycle: [`Action::Stopped`], nothing more is planned.
///
/// **Order of reports.** When a transport closes, tell the session first
/// (`Session::handle_close`), hand its `Disconnected` reason to
/// [`handle_session_closed`](Self::handle_session_closed), then call
/// [`handle_transport_closed`](Self::handle_transport_closed): the session's reason decides
/// where the next attempt goes. After every `handle_*` call, drain
/// [`poll_action`](Self::poll_action) and re-arm the timer with
/// [`poll_timeout`](Self::poll_timeout) merged with the session's ([`earliest`](super::earliest)).
///
/// ```
/// use stompwire::reconnect::{Action, Policy, Supervisor, SupervisorConfig, Targets, earliest};
/// use stompwire::session::CloseReason;
///
/// // Two brokers; a shell's transport, reduced to what it reports.
/// let mut supervisor = Supervisor::new(
///     Policy::default(),
///     Targets::new(2),
///     SupervisorConfig::default(),
///     || 0u32, // a real random source in a shell
/// );
/// let mut now = 0;
/// supervisor.start(now);
/// let mut opened = Vec::new();
/// for _ in 0..8 {
///     while let Some(action) = supervisor.poll_action() {
///         match action {
///             Action::Open { target, .. } => {
///                 opened.push((now, target));
///                 // Broker 0 accepts the socket and never answers; broker 1 works.
///                 supervisor.handle_transport_opened(now);
///                 if target == 1 {
///                     supervisor.handle_connected(now + 5);
///                 }
///             }
///             Action::Close { .. } => {
///                 // The shell closes the socket, tells the session, then the supervisor.
///                 supervisor.handle_session_closed(now, &CloseReason::TransportClosed {
///                     mid_frame: false,
///                 });
///                 supervisor.handle_transport_closed(now);
///             }
///             _ => {}
///         }
///     }
///     let session_deadline = None; // `session.poll_timeout()` in a shell
///     match earliest(supervisor.poll_timeout(), session_deadline) {
///         Some(deadline) => {
///             now = deadline; // sleep until then (or until input arrives)
///             supervisor.handle_timeout(now);
///         }
///         None => break,
///     }
/// }
/// // Broker 0 was given the CONNECTED timeout (5 s), then broker 1 was tried at once.
/// assert_eq!(opened, [(0, 0), (5_000, 1)]);
/// assert!(supervisor.is_connected());
/// ```
#[derive(Clone, Debug)]
pub struct Supervisor<R> {
    policy: Policy,
    config: SupervisorConfig,
    targets: Targets,
    random: R,
    /// The current pass: target indices in the order they are tried.
    pass: Vec<usize>,
    /// Attempts made since the start or the last stable connection.
    made: u32,
    /// Refusals since the start or the last stable connection.
    refusals: u32,
    phase: Phase,
    state: State,
    /// The session's reason for the end of the current connection, reported before the
    /// transport's close.
    ending: Option<Reason>,
    /// Why the last attempt ended.
    last: Option<Reason>,
    /// The entry the next pass must not begin with.
    avoid: Option<usize>,
    /// [`start`](Self::start) was called while stopping: start again once stopped.
    restart: bool,
    /// The backoff step (`k`) and base (before jitter) of the last wait planned.
    last_wait: Option<(u32, u64)>,
    /// Where the policy set by [`set_policy`](Self::set_policy) takes the backoff on from:
    /// the step and base of the wait planned last before it was set.
    rebase: Option<(u32, u64)>,
    /// What to do next, in order (a few at most: a Vec is enough).
    actions: Vec<Action>,
}

impl<R: Random> Supervisor<R> {
    /// A supervisor that has not started. `random` feeds the policy's jitter and shuffling.
    pub fn new(
        policy: Policy,
        targets: Targets,
        config: SupervisorConfig,
        random: R,
    ) -> Supervisor<R> {
        Supervisor {
            policy,
            config,
            targets,
            random,
            pass: Vec::new(),
            made: 0,
            refusals: 0,
            phase: Phase::Startup,
            state: State::Idle,
            ending: None,
            last: None,
            avoid: None,
            restart: false,
            last_wait: None,
            rebase: None,
            actions: Vec::new(),
        }
    }

    /// Starts connecting: the first attempt opens at once (or [`Action::GaveUp`] if the policy
    /// allows none). Counting starts afresh in [`Phase::Startup`]. Ignored while already
    /// started; while stopping, starts again once the transport has closed.
    pub fn start(&mut self, now: u64) {
        match self.state {
            State::Idle => {
                self.made = 0;
                self.refusals = 0;
                self.phase = Phase::Startup;
                self.pass.clear();
                self.ending = None;
                self.last = None;
                self.avoid = None;
                self.last_wait = None;
                self.rebase = None;
                self.plan(now, true);
            }
            State::Stopping => self.restart = true,
            _ => {}
        }
    }

    /// Stops: cancels a planned attempt, closes a transport that is opening or waiting for
    /// CONNECTED ([`Action::Close`]), and plans nothing more. An open session is left for the
    /// shell to end gracefully (DISCONNECT); once its transport closes, [`Action::Stopped`].
    pub fn stop(&mut self, now: u64) {
        self.restart = false;
        match self.state {
            State::Idle | State::Stopping => {}
            State::Waiting { .. } => self.stopped(now),
            State::Opening { .. } | State::Handshake { .. } => {
                self.actions.push(Action::Close {
                    reason: Reason::Session(CloseReason::Immediate),
                });
                self.state = State::Stopping;
            }
            State::Connected { .. } | State::Closing { .. } => self.state = State::Stopping,
        }
    }

    /// The shell opens the transport asked for by [`Action::Open`] now, after work of its own
    /// (stompjs's `beforeConnect`): the attempt timeout
    /// ([`attempt_timeout_ms`](SupervisorConfig::attempt_timeout_ms)) runs from here. Needed
    /// only with [`await_opening`](SupervisorConfig::await_opening); otherwise it restarts the
    /// attempt timeout. Ignored when no attempt is opening.
    pub fn handle_transport_opening(&mut self, now: u64) {
        if let State::Opening { target, .. } = self.state {
            self.state = State::Opening {
                target,
                since: Some(now),
            };
        }
    }

    /// The transport asked for by [`Action::Open`] is open: start the session now. The
    /// CONNECTED timeout runs from here (and the attempt timeout too, if the shell did not
    /// report [`handle_transport_opening`](Self::handle_transport_opening)).
    pub fn handle_transport_opened(&mut self, now: u64) {
        if let State::Opening { target, since, .. } = self.state {
            self.state = State::Handshake {
                target,
                since: since.unwrap_or(now),
                opened: now,
            };
        }
    }

    /// Replaces the policy while running (stompjs reads its reconnect settings when a
    /// reconnect is due, so a program may change them while the client is active).
    ///
    /// What is under way is kept: a wait already planned ends when it was to, an attempt
    /// opening or open goes on, and the attempt count, the phase and the current pass stay, so
    /// the new [`max_attempts`](Policy::max_attempts) counts the attempts already made and the
    /// new [`hosts`](Policy::hosts) order applies from the next pass. The next wait planned
    /// follows the new policy. When its [`backoff`](Policy::backoff) differs, that goes on
    /// from the last wait planned, as stompjs's `_nextReconnectDelay` does: if that wait was
    /// step `k` with base `b`, step `k + j` waits `min(max_ms, b · multiplierʲ)` (with the new
    /// jitter), so switching stompjs's mode to `EXPONENTIAL` doubles from the current wait and
    /// switching to `LINEAR` keeps it. The new [`initial_ms`](super::Backoff::initial_ms)
    /// applies once the count restarts (a stable connection, or [`start`](Self::start));
    /// before any wait was planned it applies at once. Setting the policy in force again
    /// changes nothing.
    ///
    /// ```
    /// use stompwire::reconnect::{
    ///     Action, Policy, ReconnectTimeMode, Supervisor, SupervisorConfig, Targets,
    /// };
    ///
    /// let linear = Policy::stompjs(1_000, ReconnectTimeMode::Linear, 0);
    /// let mut sup = Supervisor::new(linear, Targets::new(1), SupervisorConfig::default(), || 0);
    /// sup.start(0);
    /// let mut waits = Vec::new();
    /// let mut now = 0;
    /// for n in 0..5 {
    ///     if n == 2 {
    ///         // During the second wait: from then on the wait doubles, up to 3 s.
    ///         sup.set_policy(Policy::stompjs(1_000, ReconnectTimeMode::Exponential, 3_000));
    ///     }
    ///     while let Some(action) = sup.poll_action() {
    ///         if let Action::Scheduled { delay_ms, .. } = action {
    ///             waits.push(delay_ms);
    ///         }
    ///     }
    ///     now = sup.poll_timeout().unwrap_or(now);
    ///     sup.handle_timeout(now); // the wait is over: Open
    ///     let _ = sup.poll_action();
    ///     sup.handle_transport_closed(now); // the broker is down
    /// }
    /// assert_eq!(waits, [1_000, 1_000, 2_000, 3_000]);
    /// assert_eq!(sup.attempts_made(), 6);
    /// ```
    pub fn set_policy(&mut self, policy: Policy) {
        if policy.backoff != self.policy.backoff {
            self.rebase = self.last_wait;
        }
        self.policy = policy;
    }

    /// Replaces the timeouts and refusal rules while running. A timeout already running is
    /// measured against the new value from where it started.
    pub fn set_config(&mut self, config: SupervisorConfig) {
        self.config = config;
    }

    /// The transport could not be opened, or failed once open: the same as
    /// [`handle_transport_closed`](Self::handle_transport_closed), except that a transport
    /// that never opened ends its attempt as [`Reason::Unreachable`] — or, when its own
    /// connect timeout expired, [`Reason::OpenTimeout`], and the next attempt goes to another
    /// endpoint first.
    pub fn handle_transport_failed(&mut self, now: u64, failure: TransportFailure) {
        match (self.state, failure) {
            (State::Opening { target, .. }, TransportFailure::TimedOut) => {
                self.ending = None;
                self.ended(now, target, Reason::OpenTimeout);
            }
            _ => self.handle_transport_closed(now),
        }
    }

    /// The transport closed. Report the session's reason first
    /// ([`handle_session_closed`](Self::handle_session_closed)).
    pub fn handle_transport_closed(&mut self, now: u64) {
        let ending = self.ending.take();
        match self.state {
            State::Idle | State::Waiting { .. } => {}
            State::Opening { target, .. } => self.ended(now, target, Reason::Unreachable),
            State::Handshake { target, .. } => {
                self.ended(now, target, ending.unwrap_or(Reason::Closed));
            }
            State::Connected { target, stable_at } => {
                if expired(stable_at, now) {
                    self.stable();
                }
                self.ended(now, target, ending.unwrap_or(Reason::Closed));
            }
            State::Closing { target } => {
                let reason = self.last.take().unwrap_or(Reason::Closed);
                self.ended(now, target, reason);
            }
            State::Stopping => self.stopped(now),
        }
    }

    /// CONNECTED came: the attempt succeeded. The first CONNECTED since the start ends the
    /// startup phase (the startup limit is for reaching a broker at all): counting restarts
    /// under the policy's [`Phase::Reconnect`] limit. After that, counting and the backoff
    /// restart only once a connection has stayed up
    /// [`stable_after_ms`](SupervisorConfig::stable_after_ms) (at once when that is 0);
    /// [`poll_timeout`](Self::poll_timeout) asks for a [`handle_timeout`](Self::handle_timeout)
    /// then.
    pub fn handle_connected(&mut self, now: u64) {
        if let State::Handshake { target, .. } = self.state {
            let stable_at = match self.config.stable_after_ms {
                0 => None,
                ms => Some(now.saturating_add(ms)),
            };
            self.state = State::Connected { target, stable_at };
            if self.phase == Phase::Startup {
                // The first CONNECTED ends the startup phase at once: counting restarts under
                // the reconnect limit. Later connections restart it only once stable.
                self.stable();
            }
            if stable_at.is_none() {
                self.stable();
            }
            self.last = None;
            self.avoid = None;
        }
    }

    /// The session ended (its `Disconnected` event), for `reason`. Nothing happens until the
    /// transport's close is reported: this only says why.
    pub fn handle_session_closed(&mut self, _now: u64, reason: &CloseReason) {
        if matches!(
            self.state,
            State::Handshake { .. } | State::Connected { .. } | State::Opening { .. }
        ) {
            self.ending = Some(Reason::from_close(reason));
        }
    }

    /// Time has reached `now`: opens a planned attempt whose wait is over, closes one that
    /// took too long.
    pub fn handle_timeout(&mut self, now: u64) {
        match self.state {
            State::Waiting {
                at,
                target,
                attempt,
            } if at <= now => self.open(now, target, attempt),
            State::Opening {
                target,
                since: Some(since),
            } if expired(self.attempt_deadline(since), now) => {
                self.close(target, Reason::AttemptTimeout);
            }
            State::Handshake {
                target,
                since,
                opened,
            } => {
                if expired(self.attempt_deadline(since), now) {
                    self.close(target, Reason::AttemptTimeout);
                } else if expired(self.connected_deadline(opened), now) {
                    self.close(target, Reason::ConnectedTimeout);
                }
            }
            State::Connected {
                target,
                stable_at: Some(at),
            } if at <= now => {
                self.state = State::Connected {
                    target,
                    stable_at: None,
                };
                self.stable();
            }
            _ => {}
        }
    }

    /// The next thing to do, if any. Call after every `handle_*` call, [`start`](Self::start)
    /// and [`stop`](Self::stop), until it returns `None`.
    #[must_use = "an action the shell does not carry out leaves the client stuck"]
    pub fn poll_action(&mut self) -> Option<Action> {
        (!self.actions.is_empty()).then(|| self.actions.remove(0))
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, if ever: the end of
    /// a wait, the CONNECTED or attempt timeout, or the moment a connection becomes stable.
    /// Merge it with the session's
    /// `poll_timeout` ([`earliest`](super::earliest)).
    #[must_use = "the supervisor only acts on time when handle_timeout is called"]
    pub fn poll_timeout(&self) -> Option<u64> {
        match self.state {
            State::Waiting { at, .. } => Some(at),
            State::Opening { since, .. } => since.and_then(|since| self.attempt_deadline(since)),
            State::Handshake { since, opened, .. } => super::earliest(
                self.attempt_deadline(since),
                self.connected_deadline(opened),
            ),
            State::Connected { stable_at, .. } => stable_at,
            _ => None,
        }
    }

    /// Whether CONNECTED came on the current transport.
    pub fn is_connected(&self) -> bool {
        matches!(self.state, State::Connected { .. })
    }

    /// Whether nothing is open, opening or planned (not started, stopped, or given up).
    pub fn is_idle(&self) -> bool {
        self.state == State::Idle
    }

    /// The entry opening, open or planned next, if any.
    pub fn target(&self) -> Option<usize> {
        match self.state {
            State::Waiting { target, .. }
            | State::Opening { target, .. }
            | State::Handshake { target, .. }
            | State::Connected { target, .. }
            | State::Closing { target } => Some(target),
            State::Idle | State::Stopping => None,
        }
    }

    /// Attempts made since the start or the last stable connection.
    pub fn attempts_made(&self) -> u32 {
        self.made
    }

    /// Whether CONNECTED has come since the start: [`Phase::Reconnect`] from then on.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The timeouts and refusal rules in force.
    pub fn config(&self) -> &SupervisorConfig {
        &self.config
    }

    /// The entries, by index.
    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    fn attempt_deadline(&self, since: u64) -> Option<u64> {
        self.config
            .attempt_timeout_ms
            .map(|ms| since.saturating_add(ms))
    }

    fn connected_deadline(&self, opened: u64) -> Option<u64> {
        self.config
            .connected_timeout_ms
            .map(|ms| opened.saturating_add(ms))
    }

    /// Asks for the transport to be closed; the attempt ends, for `reason`, when it has.
    fn close(&mut self, target: usize, reason: Reason) {
        self.last = Some(reason.clone());
        self.ending = None;
        self.state = State::Closing { target };
        self.actions.push(Action::Close { reason });
    }

    /// The connection has stayed up long enough to count as a success: counting restarts.
    fn stable(&mut self) {
        self.last_wait = None;
        self.rebase = None;
        self.made = 0;
        self.refusals = 0;
        self.phase = Phase::Reconnect;
    }

    fn stopped(&mut self, now: u64) {
        self.state = State::Idle;
        self.actions.push(Action::Stopped);
        if core::mem::take(&mut self.restart) {
            self.start(now);
        }
    }

    /// The attempt (or connection) at `target` ended for `reason`: plan the next one.
    fn ended(&mut self, now: u64, target: usize, reason: Reason) {
        if reason.is_user_close() {
            self.last = Some(reason);
            self.stopped(now);
            return;
        }
        if reason.is_silent() {
            self.avoid = Some(target);
        }
        if reason == Reason::Refused {
            self.refusals = self.refusals.saturating_add(1);
        }
        self.last = Some(reason);
        self.plan(now, false);
    }

    /// Plans the next attempt: opens it now, or schedules it, or gives up.
    fn plan(&mut self, now: u64, first: bool) {
        let refused = self.last == Some(Reason::Refused);
        let after_error = self.last.as_ref().is_some_and(Reason::is_server_error);
        if refused
            && !self
                .config
                .max_refusals
                .allows(u64::from(self.refusals) + 1)
        {
            return self.give_up();
        }
        let len = self.targets.len();
        // First only the shape (allowed? which entry?), so the shuffle draws before the jitter.
        let Some(shape) = self
            .policy
            .attempt(self.made, len, self.phase, &mut NoDraws)
        else {
            return self.give_up();
        };
        if shape.index == 0 || self.pass.len() != len {
            self.pass = self.targets.pass(&self.policy.hosts, &mut self.random);
            if let Some(avoid) = self.avoid {
                if self.pass.len() > 1 && self.pass[0] == avoid {
                    self.pass.remove(0);
                    self.pass.push(avoid);
                }
            }
        }
        self.avoid = None;
        let attempt = shape;
        let mut delay_ms = match self.policy.step(self.made, len, self.phase) {
            None => 0,
            Some(k) => {
                // The backoff from where a policy set while running takes it on.
                let (backoff, j) = match self.rebase {
                    Some((from, base)) if k > from => {
                        (self.policy.backoff.with_initial_ms(base), k - from)
                    }
                    _ => (self.policy.backoff, k),
                };
                self.last_wait = Some((k, backoff.base_ms(j)));
                backoff.delay_ms(j, &mut self.random)
            }
        };
        if after_error {
            delay_ms = delay_ms.max(self.config.error_delay_ms);
        }
        let target = self.pass[attempt.index];
        self.made = self.made.saturating_add(1);
        if first && delay_ms == 0 {
            return self.open(now, target, attempt.number);
        }
        self.actions.push(Action::Scheduled {
            attempt: attempt.number,
            target,
            delay_ms,
        });
        self.state = State::Waiting {
            at: now.saturating_add(delay_ms),
            target,
            attempt: attempt.number,
        };
        if delay_ms == 0 {
            self.open(now, target, attempt.number);
        }
    }

    fn open(&mut self, now: u64, target: usize, attempt: u32) {
        let since = (!self.config.await_opening).then_some(now);
        self.state = State::Opening { target, since };
        self.ending = None;
        self.actions.push(Action::Open { target, attempt });
    }

    fn give_up(&mut self) {
        self.state = State::Idle;
        self.actions.push(Action::GaveUp {
            attempts: self.made,
            last: self.last.clone(),
        });
    }
}

/// Whether `deadline` has passed at `now`.
fn expired(deadline: Option<u64>, now: u64) -> bool {
    deadline.is_some_and(|d| d <= now)
}
