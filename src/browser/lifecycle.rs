//! The client's connection lifecycle in Rust types: the [`Session`] and the
//! [`Supervisor`], fed the socket's events and the time, and what the JavaScript side must do
//! next ([`Step`]).
//!
//! Nothing here touches JavaScript, so it builds for the host as well and is tested there on
//! an in-memory transport (`lifecycle_tests.rs`). The JavaScript side owns the socket, the
//! timer, the callbacks and the promises, and carries out each [`Step`].
//!
//! Order of reports, as the supervisor wants it: when the socket closes the session is told
//! first ([`Lifecycle::socket_closed`]) and its events, the `Disconnected` reason among them,
//! go to the supervisor as they are taken; the supervisor hears of the transport's close
//! ([`Lifecycle::transport_closed`]) only after the last of them.

use crate::reconnect::{
    Action, Policy, Random, Supervisor, SupervisorConfig, Targets, TransportFailure, earliest,
};
use crate::session::{Config, Event, Session, SessionError};

/// What to connect to and how long an attempt may take: given at activation, and again as
/// each attempt opens its socket ([`Lifecycle::opening`]).
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The waits between attempts and the limit on their number.
    pub(crate) policy: Policy,
    /// How many entries the broker list has (1 for a `webSocketFactory`).
    pub(crate) targets: usize,
    /// stompjs's `connectionTimeout`: from opening the socket to CONNECTED (`None`: no limit).
    pub(crate) attempt_timeout_ms: Option<u64>,
    /// From the socket's `open` to CONNECTED (`None`: no limit).
    pub(crate) connected_timeout_ms: Option<u64>,
}

/// Why the socket must be closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CloseCause {
    /// The session is over (an ERROR, a protocol violation, the DISCONNECT receipt, the
    /// broker's heart-beats stopped).
    Session,
    /// The attempt took too long (`connectionTimeout`, or CONNECTED did not come).
    Timeout,
}

/// What the JavaScript side must do next.
#[derive(Debug, PartialEq)]
pub(crate) enum Step {
    /// Hand a session event to the callbacks.
    Event(Event),
    /// Open a socket to broker list entry `target`: run `beforeConnect`, then call
    /// [`Lifecycle::opening`] and make the socket; report it with
    /// [`Lifecycle::socket_opened`] or [`Lifecycle::socket_failed`].
    Open {
        /// Which entry.
        target: usize,
    },
    /// Close the socket, then call [`Lifecycle::closing`]; with no socket, call
    /// [`Lifecycle::transport_closed`] at once.
    Close {
        /// Why.
        cause: CloseCause,
        /// The broker's heart-beats stopped on this connection (the socket may be discarded).
        comm_failure: bool,
    },
    /// The next attempt waits `delay_ms` (`onReconnectScheduled`).
    Scheduled {
        /// The wait, in milliseconds.
        delay_ms: u64,
    },
    /// No more attempts: `attempts` were made since the start or the last connection.
    GaveUp {
        /// The attempts made.
        attempts: u32,
    },
}

/// The session and the supervisor of one client, and the socket's state as they need it.
pub(crate) struct Lifecycle<R> {
    /// The STOMP session; user calls go to it directly.
    pub(crate) session: Session,
    /// Which attempt comes next: `Some` while the client is active.
    supervisor: Option<Supervisor<R>>,
    /// The socket closed and the supervisor is to hear of it once the session's events
    /// (its reason among them) are taken.
    transport_closed: bool,
    /// The broker's heart-beats stopped on this connection.
    comm_failure: bool,
}

impl<R: Random> Lifecycle<R> {
    /// An inactive lifecycle.
    pub(crate) fn new() -> Lifecycle<R> {
        Lifecycle {
            session: Session::new(Config::default()),
            supervisor: None,
            transport_closed: false,
            comm_failure: false,
        }
    }

    /// Starts connecting under `plan`: the first attempt is an [`Step::Open`] (or a
    /// [`Step::GaveUp`] if the policy allows none).
    pub(crate) fn start(&mut self, now: u64, plan: Plan, random: R) {
        let config = config(&plan);
        let mut supervisor =
            Supervisor::new(plan.policy, Targets::new(plan.targets), config, random);
        supervisor.start(now);
        self.supervisor = Some(supervisor);
    }

    /// `beforeConnect` is over and the socket of the current attempt is made now, under
    /// `plan` (the settings as they are now; its broker count is not read): the next waits
    /// follow its policy ([`Supervisor::set_policy`]), and `connectionTimeout` runs from here,
    /// as stompjs starts it after `beforeConnect`.
    pub(crate) fn opening(&mut self, now: u64, plan: Plan) {
        if let Some(s) = &mut self.supervisor {
            s.set_config(config(&plan));
            s.set_policy(plan.policy);
            s.handle_transport_opening(now);
        }
    }

    /// Stops connecting: no attempt is planned any more. The socket, if any, is the caller's
    /// to close.
    pub(crate) fn stop(&mut self) {
        self.supervisor = None;
        self.transport_closed = false;
    }

    /// The socket of the current attempt opened: CONNECT goes out.
    pub(crate) fn socket_opened(&mut self, now: u64) -> Result<(), SessionError> {
        if let Some(s) = &mut self.supervisor {
            s.handle_transport_opened(now);
        }
        self.comm_failure = false;
        self.session.connect(now)
    }

    /// No socket could be made for the current attempt (a bad URL, a factory that returned
    /// nothing, a `beforeConnect` that failed).
    pub(crate) fn socket_failed(&mut self, now: u64) {
        if let Some(s) = &mut self.supervisor {
            s.handle_transport_failed(now, TransportFailure::Unreachable);
        }
    }

    /// A WebSocket message arrived. With `append_nul` (stompjs's `appendMissingNULLonIncoming`,
    /// for a socket that cuts each message at its NUL) a NUL is added when the message does not
    /// end in one, and an LF where the NUL after a counted body belongs is taken as that end
    /// ([`Decoder::set_cut_nul`](crate::frame::Decoder::set_cut_nul)).
    pub(crate) fn socket_message(
        &mut self,
        bytes: &[u8],
        now: u64,
        append_nul: bool,
    ) -> Result<(), SessionError> {
        self.session.set_cut_nul(append_nul);
        self.session.handle_bytes(bytes, now)?;
        if append_nul && bytes.last() != Some(&0) {
            self.session.handle_bytes(b"\0", now)?;
        }
        Ok(())
    }

    /// The caller is closing the socket: the session ends now.
    pub(crate) fn closing(&mut self, now: u64) {
        self.session.handle_close(now);
    }

    /// The socket closed: the session ends if it had not. Call
    /// [`transport_closed`](Self::transport_closed) next.
    pub(crate) fn socket_closed(&mut self, now: u64) {
        self.session.handle_close(now);
    }

    /// The supervisor is to learn that the socket is gone and plan the next attempt: it does
    /// once the session's events, and so its reason for the end, have been taken with
    /// [`poll`](Self::poll).
    pub(crate) fn transport_closed(&mut self) {
        self.transport_closed = self.supervisor.is_some();
    }

    /// Time has reached `now`.
    pub(crate) fn tick(&mut self, now: u64) {
        self.session.handle_timeout(now);
        if let Some(s) = &mut self.supervisor {
            s.handle_timeout(now);
        }
    }

    /// When [`tick`](Self::tick) must be called next, if ever.
    pub(crate) fn deadline(&self) -> Option<u64> {
        earliest(
            self.session.poll_timeout(),
            self.supervisor.as_ref().and_then(Supervisor::poll_timeout),
        )
    }

    /// The next thing to do, if any: the session's events first, then the supervisor's
    /// actions, then a close the session asks for.
    pub(crate) fn poll(&mut self, now: u64) -> Option<Step> {
        if let Some(event) = self.session.poll_event() {
            self.observe(&event, now);
            return Some(Step::Event(event));
        }
        if core::mem::take(&mut self.transport_closed) {
            if let Some(s) = &mut self.supervisor {
                s.handle_transport_closed(now);
            }
        }
        while let Some(action) = self.supervisor.as_mut().and_then(Supervisor::poll_action) {
            let step = match action {
                Action::Open { target, .. } => Step::Open { target },
                Action::Scheduled { delay_ms, .. } => Step::Scheduled { delay_ms },
                Action::Close { .. } => Step::Close {
                    cause: CloseCause::Timeout,
                    comm_failure: self.comm_failure,
                },
                Action::GaveUp { attempts, .. } => Step::GaveUp { attempts },
                _ => continue,
            };
            return Some(step);
        }
        if self.session.wants_close() {
            return Some(Step::Close {
                cause: CloseCause::Session,
                comm_failure: self.comm_failure,
            });
        }
        None
    }

    /// What the supervisor learns from a session event.
    fn observe(&mut self, event: &Event, now: u64) {
        match event {
            Event::HeartbeatTimeout { .. } => self.comm_failure = true,
            Event::Connected(_) => {
                if let Some(s) = &mut self.supervisor {
                    s.handle_connected(now);
                }
            }
            Event::Disconnected(d) => {
                if let Some(s) = &mut self.supervisor {
                    s.handle_session_closed(now, &d.reason);
                }
            }
            _ => {}
        }
    }
}

/// The supervisor's timeouts under `plan`; the attempt timeout waits for
/// [`Lifecycle::opening`].
fn config(plan: &Plan) -> SupervisorConfig {
    SupervisorConfig::default()
        .with_attempt_timeout_ms(plan.attempt_timeout_ms)
        .with_connected_timeout_ms(plan.connected_timeout_ms)
        .with_await_opening(true)
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
