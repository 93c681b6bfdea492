//! How many connection attempts a policy makes before giving up: [`MaxAttempts`].

use core::fmt;

/// A cap on connection attempts since the last successful connection.
///
/// Counts are of *all* attempts, the first included, across every host. Each library counts
/// its own way, so each has a constructor that converts:
///
/// | library | setting | forever | `n` means |
/// |---|---|---|---|
/// | stomp.py | `reconnect_attempts_max` | `-1` | `n` attempts ([`MaxAttempts::from_stomp_py`]) |
/// | stompest / ActiveMQ | `maxReconnectAttempts`, `startupMaxReconnectAttempts` | `-1` | `n` retries after the first attempt ([`MaxAttempts::from_retries`]) |
/// | stompjs | — | always, while `reconnectDelay > 0` | — |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::exhaustive_enums)] // closed: a count, or none
pub enum MaxAttempts {
    /// Never give up.
    Forever,
    /// Give up after this many attempts in all, the first included. `Total(0)` makes none.
    Total(u32),
}

impl MaxAttempts {
    /// stomp.py's `reconnect_attempts_max`: `-1` is forever, `n ≥ 0` is `n` attempts, and
    /// any other negative number, which stomp.py's loop condition never satisfies, is none.
    ///
    /// ```
    /// use stompwire::reconnect::MaxAttempts;
    ///
    /// assert_eq!(MaxAttempts::from_stomp_py(3), MaxAttempts::Total(3));
    /// assert_eq!(MaxAttempts::from_stomp_py(-1), MaxAttempts::Forever);
    /// ```
    pub fn from_stomp_py(n: i64) -> MaxAttempts {
        match n {
            -1 => MaxAttempts::Forever,
            n if n < 0 => MaxAttempts::Total(0),
            n => MaxAttempts::Total(u32::try_from(n).unwrap_or(u32::MAX)),
        }
    }

    /// A count of *retries* after the first attempt, as stompest and ActiveMQ count
    /// (`maxReconnectAttempts`): `-1` is forever, `n ≥ 0` is `n + 1` attempts, and any other
    /// negative number allows the first attempt only (stompest makes it before checking).
    ///
    /// ```
    /// use stompwire::reconnect::MaxAttempts;
    ///
    /// assert_eq!(MaxAttempts::from_retries(0), MaxAttempts::Total(1));
    /// assert_eq!(MaxAttempts::from_retries(-1), MaxAttempts::Forever);
    /// ```
    pub fn from_retries(n: i64) -> MaxAttempts {
        match n {
            -1 => MaxAttempts::Forever,
            n if n < 0 => MaxAttempts::Total(1),
            n => MaxAttempts::Total(u32::try_from(n).unwrap_or(u32::MAX).saturating_add(1)),
        }
    }

    /// Whether a total of `made` attempts stays within the cap.
    pub fn allows(self, made: u64) -> bool {
        match self {
            MaxAttempts::Forever => true,
            MaxAttempts::Total(total) => made <= u64::from(total),
        }
    }
}

impl fmt::Display for MaxAttempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaxAttempts::Forever => f.write_str("forever"),
            MaxAttempts::Total(1) => f.write_str("1 attempt"),
            MaxAttempts::Total(n) => write!(f, "{n} attempts"),
        }
    }
}
