//! [`Schedule`]: the reconnect state a shell keeps — the endpoints, the current pass's order,
//! the attempt count and the phase — answering "what next?" one attempt at a time.

use alloc::vec::Vec;

use super::random::NoDraws;
use super::{Attempt, Endpoint, Phase, Policy, Random};

/// The next connection attempt: where, and how long to wait first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Planned<'a> {
    /// The broker to connect to.
    pub endpoint: &'a Endpoint,
    /// Its number, pass, position in the pass and delay.
    pub attempt: Attempt,
}

/// Reconnect bookkeeping for one client, driven by the shell: the endpoints, the current
/// pass's order, the attempt count and the phase.
///
/// It is [`Policy::attempt`] plus the one thing a pure function cannot hold: the order of the
/// current pass, shuffled once when the pass begins (with [`HostOrder::randomize`](super::HostOrder::randomize)) and kept
/// for all its attempts. No clock: the shell adds [`Attempt::delay_ms`] to its own `now`.
///
/// Call [`next_attempt`](Self::next_attempt) before each connection attempt, wait its delay,
/// connect; on success call [`connected`](Self::connected), on failure ask again. `None` means
/// give up.
///
/// ```
/// use stompwire::reconnect::{Endpoint, FailoverUri, Schedule};
///
/// let uri: FailoverUri = "failover:(tcp://a:61613,tcp://b:61613)\
///     ?randomize=false&startupMaxReconnectAttempts=2".parse().unwrap();
/// let mut schedule = Schedule::new(uri.policy(), uri.endpoints.clone());
/// let mut rng = || 0u32;
///
/// let mut tried = Vec::new();
/// while let Some(next) = schedule.next_attempt(&mut rng) {
///     tried.push((next.endpoint.host.clone(), next.attempt.delay_ms));
///     // …connect here; every attempt fails in this example…
/// }
/// assert_eq!(tried, [("a".into(), 0), ("b".into(), 10), ("a".into(), 20)]);
///
/// // After a success, counting restarts under the reconnect limit (forever, by default).
/// schedule.connected();
/// assert_eq!(schedule.next_attempt(&mut rng).unwrap().attempt.delay_ms, 0);
/// ```
#[derive(Clone, Debug)]
pub struct Schedule {
    policy: Policy,
    endpoints: Vec<Endpoint>,
    pass: Vec<Endpoint>,
    pass_len: usize,
    made: u32,
    phase: Phase,
}

impl Schedule {
    /// A schedule in [`Phase::Startup`] with no attempt made. With no endpoints it gives up at
    /// once.
    pub fn new(policy: Policy, endpoints: Vec<Endpoint>) -> Schedule {
        // Every pass has this length: shuffling does not change which hosts are local, so
        // neither does it change the loopback entries.
        let pass_len = policy.hosts.order(&endpoints, &mut NoDraws).len();
        Schedule {
            policy,
            endpoints,
            pass: Vec::new(),
            pass_len,
            made: 0,
            phase: Phase::Startup,
        }
    }

    /// The next attempt, or `None` to give up. Counts the attempt as made. At the start of a
    /// pass this orders the endpoints anew (drawing from `random` if they are shuffled); the
    /// delay then draws once more if it has jitter.
    #[must_use = "the attempt says where to connect and how long to wait first"]
    pub fn next_attempt<R: Random + ?Sized>(&mut self, random: &mut R) -> Option<Planned<'_>> {
        // First only the shape (allowed? which entry?), so the shuffle draws before the jitter.
        let shape = self
            .policy
            .attempt(self.made, self.pass_len, self.phase, &mut NoDraws)?;
        if shape.index == 0 || self.pass.len() != self.pass_len {
            self.pass = self.policy.hosts.order(&self.endpoints, random);
        }
        let attempt = self
            .policy
            .attempt(self.made, self.pass_len, self.phase, random)?;
        self.made = self.made.saturating_add(1);
        Some(Planned {
            endpoint: &self.pass[attempt.index],
            attempt,
        })
    }

    /// A connection succeeded: the next loss starts a fresh count in [`Phase::Reconnect`].
    pub fn connected(&mut self) {
        self.made = 0;
        self.phase = Phase::Reconnect;
    }

    /// Back to the state of [`Schedule::new`], as after the user closed the client.
    pub fn reset(&mut self) {
        self.made = 0;
        self.phase = Phase::Startup;
        self.pass.clear();
    }

    /// Attempts made since the start or the last success.
    pub fn attempts_made(&self) -> u32 {
        self.made
    }

    /// Whether a connection has succeeded before.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The endpoints as configured.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }
}
