//! [`Action`]: what the supervisor asks its shell to do.

use super::Reason;

/// What the shell must do next, taken with
/// [`Supervisor::poll_action`](super::Supervisor::poll_action).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// Open a transport to entry `target` of the [`Targets`](super::Targets), now. Report the
    /// result with `handle_transport_opened` or `handle_transport_failed`; once it is open,
    /// start the session (CONNECT).
    Open {
        /// Which entry.
        target: usize,
        /// The attempt's number since the start or the last successful connection, from 0.
        attempt: u32,
    },
    /// The next attempt is planned: entry `target`, after `delay_ms` (stompjs's
    /// `onReconnectScheduled`). An [`Action::Open`] follows when the wait is over, as
    /// [`poll_timeout`](super::Supervisor::poll_timeout) says. Not reported for the first
    /// attempt after [`start`](super::Supervisor::start).
    Scheduled {
        /// The attempt's number since the start or the last successful connection, from 0.
        attempt: u32,
        /// Which entry it goes to.
        target: usize,
        /// How long it waits, in milliseconds.
        delay_ms: u64,
    },
    /// Close the transport (a timeout, or a stop while connecting), then report it closed.
    /// Closing a transport that is closing already must be harmless.
    Close {
        /// Why: [`Reason::ConnectedTimeout`] or [`Reason::AttemptTimeout`] when a timeout
        /// fired (the session, told only that its transport closed, would say
        /// `TransportClosed`; [`Reason::close_reason`] is what to report instead), or
        /// `Reason::Session(CloseReason::Immediate)` for a [`stop`](super::Supervisor::stop).
        reason: Reason,
    },
    /// No more attempts: `attempts` were made since the start or the last successful
    /// connection, and `last` is why the last one ended (`None` if none was made).
    GaveUp {
        /// The attempts made.
        attempts: u32,
        /// Why the last attempt ended.
        last: Option<Reason>,
    },
    /// Stopped, as asked (or after the user's DISCONNECT): nothing is open and nothing is
    /// planned.
    Stopped,
}
