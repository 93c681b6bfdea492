//! [`TooLarge`]: the error of a frame that does not fit in one datagram.

use std::fmt;

/// A frame the multicast member refused to send: its encoding is larger than
/// [`MulticastConfig::max_datagram_size`](super::MulticastConfig::max_datagram_size). Nothing
/// of it was sent (a frame is never truncated or split) and the session goes on. It travels
/// as the inner error of the `io::Error` a connection reports.
///
/// ```
/// use stompwire::net::multicast::TooLarge;
///
/// let error = std::io::Error::new(std::io::ErrorKind::InvalidInput, TooLarge { size: 2000, max: 1024 });
/// let inner = error.get_ref().and_then(|e| e.downcast_ref::<TooLarge>()).unwrap();
/// assert_eq!((inner.size, inner.max), (2000, 1024));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge {
    /// The encoded size of the frame, in bytes.
    pub size: usize,
    /// The largest datagram allowed.
    pub max: usize,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "frame of {} bytes exceeds max_datagram_size ({}); nothing was sent",
            self.size, self.max
        )
    }
}

impl std::error::Error for TooLarge {}
