//! The broker endpoint URL model: [`Scheme`] and [`Endpoint`], parsed from and written back to
//! text.

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};
use core::str::FromStr;

use super::EndpointError;

/// The multicast group a `multicast://` URL without a host joins.
pub const DEFAULT_MULTICAST_GROUP: &str = "224.1.2.3";

/// How a client reaches a broker, as named by a URL's scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `tcp://`: STOMP over plain TCP.
    Tcp,
    /// `stomp://`: STOMP over plain TCP (ActiveMQ's connector spelling).
    Stomp,
    /// `ssl://`: STOMP over TLS.
    Ssl,
    /// `stomp+ssl://`: STOMP over TLS (ActiveMQ's connector spelling).
    StompSsl,
    /// `ws://`: STOMP over WebSocket.
    Ws,
    /// `wss://`: STOMP over WebSocket over TLS.
    Wss,
    /// `multicast://`: broker-less STOMP frames over UDP multicast.
    Multicast,
}

impl Scheme {
    /// Every scheme, in the order of the table above.
    pub const ALL: [Scheme; 7] = [
        Scheme::Tcp,
        Scheme::Stomp,
        Scheme::Ssl,
        Scheme::StompSsl,
        Scheme::Ws,
        Scheme::Wss,
        Scheme::Multicast,
    ];

    /// The scheme as written before `://`, in lower case.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Tcp => "tcp",
            Scheme::Stomp => "stomp",
            Scheme::Ssl => "ssl",
            Scheme::StompSsl => "stomp+ssl",
            Scheme::Ws => "ws",
            Scheme::Wss => "wss",
            Scheme::Multicast => "multicast",
        }
    }

    /// The scheme a name (case-insensitive, without `://`) stands for.
    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
    }

    /// The port used when the URL names none.
    pub const fn default_port(self) -> u16 {
        match self {
            Scheme::Tcp | Scheme::Stomp => 61613,
            Scheme::Ssl | Scheme::StompSsl => 61614,
            Scheme::Ws => 80,
            Scheme::Wss => 443,
            Scheme::Multicast => 61616,
        }
    }

    /// Whether the connection is wrapped in TLS (`ssl`, `stomp+ssl`, `wss`).
    pub const fn is_tls(self) -> bool {
        matches!(self, Scheme::Ssl | Scheme::StompSsl | Scheme::Wss)
    }

    /// Whether frames travel in WebSocket messages (`ws`, `wss`).
    pub const fn is_websocket(self) -> bool {
        matches!(self, Scheme::Ws | Scheme::Wss)
    }

    /// Whether the URL has a path (only WebSocket URLs do).
    pub const fn has_path(self) -> bool {
        self.is_websocket()
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a broker listens: scheme, host, port and (for WebSocket) path.
///
/// | written | scheme | transport | default port | path |
/// |---|---|---|---|---|
/// | `tcp://host:port`, `stomp://…`, bare `host:port` | [`Scheme::Tcp`], [`Scheme::Stomp`] | plain TCP | 61613 | none |
/// | `ssl://…`, `stomp+ssl://…` | [`Scheme::Ssl`], [`Scheme::StompSsl`] | TLS over TCP | 61614 | none |
/// | `ws://host:port/path` | [`Scheme::Ws`] | WebSocket | 80 | `/` |
/// | `wss://host:port/path` | [`Scheme::Wss`] | WebSocket over TLS | 443 | `/` |
/// | `multicast://group:port` | [`Scheme::Multicast`] | UDP multicast | 61616 (group 224.1.2.3) | none |
///
/// Schemes are case-insensitive. IPv6 addresses go in brackets (`tcp://[::1]:61613`) and are
/// stored without them. A WebSocket path may carry a query (`/ws?x=1`). What is refused, and
/// why, is listed on [`EndpointError`].
///
/// Parse one with [`Endpoint::parse`] or `str::parse`; [`Display`](fmt::Display) writes the URL
/// back with every default made explicit, and parsing that text gives the same value.
/// `Debug` leaves out a WebSocket query, which often carries an access token.
///
/// ```
/// use stompwire::reconnect::{Endpoint, Scheme};
///
/// let e = Endpoint::parse("wss://broker.example:15673/ws").unwrap();
/// assert_eq!((e.scheme, e.host.as_str(), e.port, e.path.as_str()),
///            (Scheme::Wss, "broker.example", 15673, "/ws"));
///
/// let bare: Endpoint = "localhost".parse().unwrap();
/// assert_eq!(bare.to_string(), "tcp://localhost:61613");
///
/// let v6: Endpoint = "ssl://[::1]".parse().unwrap();
/// assert_eq!((v6.host.as_str(), v6.port), ("::1", 61614));
/// assert_eq!(v6.to_string(), "ssl://[::1]:61614");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
#[allow(clippy::exhaustive_structs)] // closed: the parts of a broker URL
pub struct Endpoint {
    /// How to reach the broker.
    pub scheme: Scheme,
    /// Host name or IP address; an IPv6 address is stored without brackets.
    pub host: String,
    /// TCP or UDP port.
    pub port: u16,
    /// For WebSocket schemes, the request path (starting with `/`, possibly with a query);
    /// empty for the others.
    pub path: String,
}

impl Endpoint {
    /// An endpoint with the scheme's default path (`/` for WebSocket, empty otherwise).
    pub fn new(scheme: Scheme, host: impl Into<String>, port: u16) -> Endpoint {
        let path = if scheme.has_path() { "/" } else { "" };
        Endpoint {
            scheme,
            host: host.into(),
            port,
            path: path.to_string(),
        }
    }

    /// Replaces the path (builder style); meaningful for WebSocket endpoints.
    pub fn with_path(mut self, path: impl Into<String>) -> Endpoint {
        self.path = path.into();
        self
    }

    /// Reads a broker URL; see [`Endpoint`] for the accepted forms.
    pub fn parse(url: &str) -> Result<Endpoint, EndpointError> {
        if url.is_empty() {
            return Err(EndpointError::Empty);
        }
        if let Some((offset, character)) = url
            .char_indices()
            .find(|&(_, c)| c.is_whitespace() || c.is_control() || c == '#')
        {
            return Err(EndpointError::UnexpectedCharacter { character, offset });
        }
        let (scheme, rest) = match url.find("://") {
            Some(at) => {
                let name = &url[..at];
                let scheme =
                    Scheme::from_name(name).ok_or_else(|| EndpointError::UnknownScheme {
                        scheme: name.to_string(),
                    })?;
                (scheme, &url[at + 3..])
            }
            None => (Scheme::Tcp, url),
        };
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        if authority.contains('@') {
            return Err(EndpointError::UserInfo { scheme });
        }
        let (host, port) = split_authority(authority)?;
        let host = match (host, scheme) {
            ("", Scheme::Multicast) => DEFAULT_MULTICAST_GROUP,
            ("", _) => return Err(EndpointError::MissingHost { scheme }),
            (host, _) => host,
        };
        let port = match port {
            None => scheme.default_port(),
            Some(text) => parse_port(text)?,
        };
        let path = match (scheme.has_path(), path) {
            (true, "") => "/".to_string(),
            (true, p) if p.starts_with('?') => format!("/{p}"),
            (true, p) => p.to_string(),
            (false, "" | "/") => String::new(),
            (false, p) => {
                return Err(EndpointError::PathNotAllowed {
                    scheme,
                    path: p.to_string(),
                });
            }
        };
        if scheme == Scheme::Multicast && !may_be_multicast(host) {
            return Err(EndpointError::NotMulticast {
                group: host.to_string(),
            });
        }
        Ok(Endpoint {
            scheme,
            host: host.to_string(),
            port,
            path,
        })
    }

    /// `host:port`, with brackets around an IPv6 address: what goes after `://`.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Splits `host[:port]` or `[v6][:port]`; the port text is returned unparsed.
fn split_authority(authority: &str) -> Result<(&str, Option<&str>), EndpointError> {
    if let Some(inner) = authority.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err(EndpointError::InvalidIpv6 {
                address: inner.to_string(),
            });
        };
        let address = &inner[..close];
        if Ipv6Addr::from_str(address).is_err() {
            return Err(EndpointError::InvalidIpv6 {
                address: address.to_string(),
            });
        }
        return match &inner[close + 1..] {
            "" => Ok((address, None)),
            after => match after.strip_prefix(':') {
                Some(port) => Ok((address, Some(port))),
                None => Err(EndpointError::InvalidHost {
                    host: authority.to_string(),
                }),
            },
        };
    }
    let (host, port) = match authority.split_once(':') {
        Some((_, port)) if port.contains(':') => {
            return Err(EndpointError::Ipv6WithoutBrackets {
                authority: authority.to_string(),
            });
        }
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        return Err(EndpointError::InvalidHost {
            host: host.to_string(),
        });
    }
    Ok((host, port))
}

fn parse_port(text: &str) -> Result<u16, EndpointError> {
    let invalid = || EndpointError::InvalidPort {
        port: text.to_string(),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(invalid()),
        Ok(port) => Ok(port),
    }
}

/// A host name may resolve to a group; an address literal must be one.
fn may_be_multicast(host: &str) -> bool {
    if let Ok(v4) = Ipv4Addr::from_str(host) {
        v4.is_multicast()
    } else if let Ok(v6) = Ipv6Addr::from_str(host) {
        v6.is_multicast()
    } else {
        !host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    }
}

impl FromStr for Endpoint {
    type Err = EndpointError;

    fn from_str(url: &str) -> Result<Endpoint, EndpointError> {
        Endpoint::parse(url)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority(), self.path)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = match self.path.split_once('?') {
            Some((path, _)) => format!("{path}?…"),
            None => self.path.clone(),
        };
        f.debug_struct("Endpoint")
            .field("scheme", &self.scheme)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("path", &path)
            .finish()
    }
}
