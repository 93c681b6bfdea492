//! [`TransportFailure`]: how a transport failed, as a shell reports it to the supervisor.

/// How a transport failed, for
/// [`Supervisor::handle_transport_failed`](super::Supervisor::handle_transport_failed).
///
/// The shell keeps its own error (the I/O error, the WebSocket event); this says only what the
/// supervisor needs to choose the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportFailure {
    /// The endpoint answered no: the name did not resolve, the connection was refused, the
    /// TLS or WebSocket handshake was rejected.
    Unreachable,
    /// The transport's own connect timeout expired: nothing answered at all (a host that is
    /// down, or frozen). The next attempt goes to another endpoint first.
    TimedOut,
    /// An I/O error on a transport that was open.
    Broken,
}
