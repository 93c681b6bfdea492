//! Merging deadlines: [`earliest`], for a shell that arms one timer for the supervisor and
//! the session.

/// The earlier of two deadlines, either of which may be absent: how a shell merges the
/// supervisor's [`poll_timeout`](super::Supervisor::poll_timeout) with the session's.
///
/// ```
/// use stompwire::reconnect::earliest;
///
/// assert_eq!(earliest(Some(5), Some(3)), Some(3));
/// assert_eq!(earliest(None, Some(3)), Some(3));
/// assert_eq!(earliest(None, None), None);
/// ```
#[must_use]
pub fn earliest(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}
