//! Errors of the reconnect layer: what in a broker URL or a failover URI is malformed.

use alloc::string::String;
use core::fmt;

use super::{FailoverOption, Scheme};
use crate::frame::describe::{push_quoted, push_quoted_char, push_usize};

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

impl EndpointError {
    /// Appends this error's description to `out`: the text its `Display` prints, written
    /// without `core::fmt`.
    pub fn describe_into(&self, out: &mut String) {
        let scheme_url = |out: &mut String, scheme: &Scheme| {
            out.push_str(scheme.as_str());
            out.push_str(":// URL");
        };
        match self {
            EndpointError::Empty => out.push_str("empty broker URL"),
            EndpointError::UnknownScheme { scheme } => {
                out.push_str("unknown scheme ");
                push_quoted(out, scheme);
                out.push_str(" (expected tcp, stomp, ssl, stomp+ssl, ws, wss or multicast)");
            }
            EndpointError::MissingHost { scheme } => {
                scheme_url(out, scheme);
                out.push_str(" has no host");
            }
            EndpointError::InvalidHost { host } => {
                out.push_str("invalid host ");
                push_quoted(out, host);
            }
            EndpointError::Ipv6WithoutBrackets { authority } => {
                out.push_str("IPv6 address must be in brackets, as in [::1]:61613 (got ");
                push_quoted(out, authority);
                out.push(')');
            }
            EndpointError::InvalidIpv6 { address } => {
                out.push_str("invalid bracketed IPv6 address ");
                push_quoted(out, address);
            }
            EndpointError::InvalidPort { port } => {
                out.push_str("invalid port ");
                push_quoted(out, port);
                out.push_str(" (expected 1 to 65535)");
            }
            EndpointError::UserInfo { scheme } => {
                scheme_url(out, scheme);
                out.push_str(" carries credentials; pass them as login/passcode instead");
            }
            EndpointError::PathNotAllowed { scheme, path } => {
                scheme_url(out, scheme);
                out.push_str(" cannot have a path (got ");
                push_quoted(out, path);
                out.push_str("); only ws:// and wss:// do");
            }
            EndpointError::UnexpectedCharacter { character, offset } => {
                out.push_str("unexpected character ");
                push_quoted_char(out, *character);
                out.push_str(" at byte ");
                push_usize(out, *offset);
                out.push_str(" of broker URL");
            }
            EndpointError::NotMulticast { group } => {
                push_quoted(out, group);
                out.push_str(" is not a multicast group address");
            }
        }
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.describe_into(&mut text);
        f.write_str(&text)
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

impl FailoverError {
    /// Appends this error's description to `out`: the text its `Display` prints, written
    /// without `core::fmt`. [`Endpoint`](FailoverError::Endpoint) describes itself only; the
    /// [`EndpointError`] it wraps, the [`source`](core::error::Error::source), has its own
    /// description.
    pub fn describe_into(&self, out: &mut String) {
        let numbered = |out: &mut String, before: &str, index: usize, after: &str| {
            out.push_str(before);
            push_usize(out, index);
            out.push_str(after);
        };
        let option_is = |out: &mut String, option: &FailoverOption, after: &str| {
            out.push_str("failover option ");
            out.push_str(option.as_str());
            out.push_str(after);
        };
        match self {
            FailoverError::EmptyList => out.push_str("failover URI lists no broker"),
            FailoverError::EmptyEntry { index } => {
                numbered(out, "failover broker #", *index, " is empty")
            }
            FailoverError::Endpoint { index, .. } => numbered(
                out,
                "failover broker #",
                *index,
                " is not a valid broker URL",
            ),
            FailoverError::UnclosedParenthesis => {
                out.push_str("failover broker list opens '(' but never closes it")
            }
            FailoverError::TrailingText { text } => {
                out.push_str("unexpected ");
                push_quoted(out, text);
                out.push_str(" after failover broker list (options start with '?')");
            }
            FailoverError::UnknownOption { name } => {
                out.push_str("unknown failover option ");
                push_quoted(out, name);
            }
            FailoverError::MissingValue { option } => option_is(out, option, " has no value"),
            FailoverError::InvalidValue { option, value } => {
                option_is(out, option, "=");
                push_quoted(out, value);
                out.push_str(" is invalid: expected ");
                out.push_str(option.expected());
            }
            FailoverError::DuplicateOption { option } => option_is(out, option, " is given twice"),
            FailoverError::EmptyOption { index } => {
                numbered(out, "failover option #", *index, " is empty")
            }
        }
    }
}

impl fmt::Display for FailoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.describe_into(&mut text);
        f.write_str(&text)
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
