//! [`FailoverOption`]: the options a `failover:(…)?…` URI may set, by name.

use core::fmt;

/// One option of a failover URI ([`FailoverOptions`](super::FailoverOptions) holds their
/// values). Names are case-sensitive, as in ActiveMQ.
///
/// ```
/// use stompwire::reconnect::FailoverOption;
///
/// let option = FailoverOption::from_name("maxReconnectDelay").unwrap();
/// assert_eq!(option, FailoverOption::MaxReconnectDelay);
/// assert_eq!(option.as_str(), "maxReconnectDelay");
/// assert_eq!(option.expected(), "a whole number of milliseconds");
/// assert_eq!(FailoverOption::from_name("maxreconnectdelay"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailoverOption {
    /// `initialReconnectDelay`.
    InitialReconnectDelay,
    /// `maxReconnectDelay`.
    MaxReconnectDelay,
    /// `useExponentialBackOff`.
    UseExponentialBackOff,
    /// `backOffMultiplier`.
    BackOffMultiplier,
    /// `maxReconnectAttempts`.
    MaxReconnectAttempts,
    /// `startupMaxReconnectAttempts`.
    StartupMaxReconnectAttempts,
    /// `reconnectDelayJitter`.
    ReconnectDelayJitter,
    /// `randomize`.
    Randomize,
    /// `priorityBackup`.
    PriorityBackup,
}

impl FailoverOption {
    /// Every option, in the order a failover URI is written back in.
    pub const ALL: [FailoverOption; 9] = [
        FailoverOption::InitialReconnectDelay,
        FailoverOption::MaxReconnectDelay,
        FailoverOption::UseExponentialBackOff,
        FailoverOption::BackOffMultiplier,
        FailoverOption::MaxReconnectAttempts,
        FailoverOption::StartupMaxReconnectAttempts,
        FailoverOption::ReconnectDelayJitter,
        FailoverOption::Randomize,
        FailoverOption::PriorityBackup,
    ];

    /// The option's name in a URI (`"initialReconnectDelay"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            FailoverOption::InitialReconnectDelay => "initialReconnectDelay",
            FailoverOption::MaxReconnectDelay => "maxReconnectDelay",
            FailoverOption::UseExponentialBackOff => "useExponentialBackOff",
            FailoverOption::BackOffMultiplier => "backOffMultiplier",
            FailoverOption::MaxReconnectAttempts => "maxReconnectAttempts",
            FailoverOption::StartupMaxReconnectAttempts => "startupMaxReconnectAttempts",
            FailoverOption::ReconnectDelayJitter => "reconnectDelayJitter",
            FailoverOption::Randomize => "randomize",
            FailoverOption::PriorityBackup => "priorityBackup",
        }
    }

    /// The option named `name`, compared case-sensitively.
    pub fn from_name(name: &str) -> Option<FailoverOption> {
        FailoverOption::ALL
            .into_iter()
            .find(|option| option.as_str() == name)
    }

    /// What the option's value must be, in words (for error messages).
    pub const fn expected(self) -> &'static str {
        match self {
            FailoverOption::InitialReconnectDelay
            | FailoverOption::MaxReconnectDelay
            | FailoverOption::ReconnectDelayJitter => "a whole number of milliseconds",
            FailoverOption::UseExponentialBackOff
            | FailoverOption::Randomize
            | FailoverOption::PriorityBackup => "true or false",
            FailoverOption::BackOffMultiplier => "a number of at least 1",
            FailoverOption::MaxReconnectAttempts | FailoverOption::StartupMaxReconnectAttempts => {
                "-1 (forever) or a number of retries"
            }
        }
    }
}

impl fmt::Display for FailoverOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
