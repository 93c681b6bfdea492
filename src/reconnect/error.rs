//! Errors of the reconnect layer: what in a broker URL or a failover URI is malformed.

use alloc::string::String;
use core::fmt;

use super::{FailoverOption, Scheme};

/// Why a broker URL could not be read as an [`Endpoint`](super::Endpoint).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// The URL is the empty string.
    Empty,
    /// The text before `://` is not a scheme this client speaks.
    UnknownScheme {
        /// The scheme as written.
        scheme: String,
    },
    /// There is no host between `://` and the port or path.
    MissingHost {
        /// The URL's scheme.
        scheme: Scheme,
    },
    /// The host holds a character a host name cannot (names are letters, digits, `-`, `.`, `_`).
    InvalidHost {
        /// The host as written.
        host: String,
    },
    /// An IPv6 address was written without brackets (`::1:61613` instead of `[::1]:61613`).
    Ipv6WithoutBrackets {
        /// The authority as written.
        authority: String,
    },
    /// A `[` is not closed by `]`, or what is inside the brackets is not an IPv6 address.
    InvalidIpv6 {
        /// The text inside (or after) the `[`.
        address: String,
    },
    /// The port is not a number from 1 to 65535.
    InvalidPort {
        /// The port as written.
        port: String,
    },
    /// The URL carries `user:password@`; credentials belong in the CONNECT frame, never in a
    /// URL that ends up in logs. The credentials themselves are not kept.
    UserInfo {
        /// The URL's scheme.
        scheme: Scheme,
    },
    /// A path (or query) was given for a scheme that has none: only `ws://` and `wss://` do.
    PathNotAllowed {
        /// The URL's scheme.
        scheme: Scheme,
        /// The path as written.
        path: String,
    },
    /// A character no broker URL may hold here: whitespace, a control character, or `#`.
    UnexpectedCharacter {
        /// The character.
        character: char,
        /// Its byte offset in the URL.
        offset: usize,
    },
    /// A `multicast://` group is an IP address outside the multicast ranges
    /// (`224.0.0.0/4`, `ff00::/8`).
    NotMulticast {
        /// The group as written.
        group: String,
    },
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::Empty => f.write_str("empty broker URL"),
            EndpointError::UnknownScheme { scheme } => write!(
                f,
                "unknown scheme {scheme:?} (expected tcp, stomp, ssl, stomp+ssl, ws, wss or multicast)"
            ),
            EndpointError::MissingHost { scheme } => {
                write!(f, "{}:// URL has no host", scheme.as_str())
            }
            EndpointError::InvalidHost { host } => write!(f, "invalid host {host:?}"),
            EndpointError::Ipv6WithoutBrackets { authority } => write!(
                f,
                "IPv6 address must be in brackets, as in [::1]:61613 (got {authority:?})"
            ),
            EndpointError::InvalidIpv6 { address } => {
                write!(f, "invalid bracketed IPv6 address {address:?}")
            }
            EndpointError::InvalidPort { port } => {
                write!(f, "invalid port {port:?} (expected 1 to 65535)")
            }
            EndpointError::UserInfo { scheme } => write!(
                f,
                "{}:// URL carries credentials; pass them as login/passcode instead",
                scheme.as_str()
            ),
            EndpointError::PathNotAllowed { scheme, path } => write!(
                f,
                "{}:// URL cannot have a path (got {path:?}); only ws:// and wss:// do",
                scheme.as_str()
            ),
            EndpointError::UnexpectedCharacter { character, offset } => write!(
                f,
                "unexpected character {character:?} at byte {offset} of broker URL"
            ),
            EndpointError::NotMulticast { group } => {
                write!(f, "{group:?} is not a multicast group address")
            }
        }
    }
}

/// Why a `failover:(…)?…` URI could not be read as a [`FailoverUri`](super::FailoverUri).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailoverError {
    /// The URI names no broker (`failover:`, `failover:()`).
    EmptyList,
    /// An entry of the broker list is empty (`failover:(a,,b)`, a trailing comma).
    EmptyEntry {
        /// 0-based position in the list.
        index: usize,
    },
    /// An entry of the broker list is not a valid broker URL.
    Endpoint {
        /// 0-based position in the list.
        index: usize,
        /// What is wrong with it (also the [`source`](core::error::Error::source)).
        error: EndpointError,
    },
    /// `failover:(` is not closed by `)`.
    UnclosedParenthesis,
    /// Text follows the closing `)` that is not a `?` starting the options.
    TrailingText {
        /// The text after `)`.
        text: String,
    },
    /// An option name this client does not know (names are case-sensitive, as in ActiveMQ).
    UnknownOption {
        /// The name as written.
        name: String,
    },
    /// An option has no `=value`.
    MissingValue {
        /// The option.
        option: FailoverOption,
    },
    /// An option's value does not parse as what the option takes
    /// ([`FailoverOption::expected`]).
    InvalidValue {
        /// The option.
        option: FailoverOption,
        /// The value as written.
        value: String,
    },
    /// An option is given twice.
    DuplicateOption {
        /// The option.
        option: FailoverOption,
    },
    /// The option list has an empty item (`?a=1&&b=2`, a trailing `&`).
    EmptyOption {
        /// 0-based position of the empty item among the options.
        index: usize,
    },
}

impl fmt::Display for FailoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailoverError::EmptyList => f.write_str("failover URI lists no broker"),
            FailoverError::EmptyEntry { index } => {
                write!(f, "failover broker #{index} is empty")
            }
            FailoverError::Endpoint { index, .. } => {
                write!(f, "failover broker #{index} is not a valid broker URL")
            }
            FailoverError::UnclosedParenthesis => {
                f.write_str("failover broker list opens '(' but never closes it")
            }
            FailoverError::TrailingText { text } => write!(
                f,
                "unexpected {text:?} after failover broker list (options start with '?')"
            ),
            FailoverError::UnknownOption { name } => {
                write!(f, "unknown failover option {name:?}")
            }
            FailoverError::MissingValue { option } => {
                write!(f, "failover option {option} has no value")
            }
            FailoverError::InvalidValue { option, value } => write!(
                f,
                "failover option {option}={value:?} is invalid: expected {}",
                option.expected()
            ),
            FailoverError::DuplicateOption { option } => {
                write!(f, "failover option {option} is given twice")
            }
            FailoverError::EmptyOption { index } => {
                write!(f, "failover option #{index} is empty")
            }
        }
    }
}

impl core::error::Error for EndpointError {}

impl core::error::Error for FailoverError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            FailoverError::Endpoint { error, .. } => Some(error),
            _ => None,
        }
    }
}
