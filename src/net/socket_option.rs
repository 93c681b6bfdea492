//! `SocketOption`: which socket step a setup error
//! ([`SetupError::Socket`](super::SetupError::Socket), and the native shell's
//! `TransportError::Socket`) failed in.

use std::fmt;

/// A socket option a transport sets, or one of the socket calls around them; what a
/// [`SetupError::Socket`](super::SetupError::Socket) (and the native shell's
/// `TransportError::Socket`) failed to apply.
///
/// Each option displays as its name on the wire (the C constant): `IP_MULTICAST_TTL`,
/// `SO_KEEPALIVE`, …
///
/// ```
/// use stompwire::native::transport::SocketOption;
///
/// assert_eq!(SocketOption::IpMulticastTtl.to_string(), "IP_MULTICAST_TTL");
/// assert!(SocketOption::SoKeepalive.is_option());
/// assert!(!SocketOption::Bind.is_option());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocketOption {
    /// Creating the socket (`socket()`), before any option.
    Create,
    /// Binding the socket to a local address (`bind()`): the native shell's
    /// `TcpConfig::local_address`, or a multicast group's port.
    Bind,
    /// Duplicating the socket handle (`dup()`), to read and write it from separate threads.
    Duplicate,
    /// `TCP_NODELAY`.
    TcpNodelay,
    /// `SO_KEEPALIVE`, with the keepalive timings.
    SoKeepalive,
    /// `SO_REUSEADDR`.
    SoReuseAddr,
    /// `SO_REUSEPORT`.
    SoReusePort,
    /// `SO_RCVTIMEO`.
    SoRcvTimeo,
    /// `SO_SNDTIMEO`.
    SoSndTimeo,
    /// `IP_ADD_MEMBERSHIP`: joining a multicast group.
    IpAddMembership,
    /// `IP_MULTICAST_TTL`.
    IpMulticastTtl,
    /// `IP_MULTICAST_LOOP`.
    IpMulticastLoop,
    /// `IP_MULTICAST_IF`.
    IpMulticastIf,
}

impl SocketOption {
    /// The name on the wire: the option's C constant (`IP_MULTICAST_TTL`), or the socket call
    /// (`socket`, `bind`, `dup`).
    pub fn name(self) -> &'static str {
        match self {
            SocketOption::Create => "socket",
            SocketOption::Bind => "bind",
            SocketOption::Duplicate => "dup",
            SocketOption::TcpNodelay => "TCP_NODELAY",
            SocketOption::SoKeepalive => "SO_KEEPALIVE",
            SocketOption::SoReuseAddr => "SO_REUSEADDR",
            SocketOption::SoReusePort => "SO_REUSEPORT",
            SocketOption::SoRcvTimeo => "SO_RCVTIMEO",
            SocketOption::SoSndTimeo => "SO_SNDTIMEO",
            SocketOption::IpAddMembership => "IP_ADD_MEMBERSHIP",
            SocketOption::IpMulticastTtl => "IP_MULTICAST_TTL",
            SocketOption::IpMulticastLoop => "IP_MULTICAST_LOOP",
            SocketOption::IpMulticastIf => "IP_MULTICAST_IF",
        }
    }

    /// Whether this is a socket option (`setsockopt`), not one of the calls around them
    /// ([`Create`](Self::Create), [`Bind`](Self::Bind), [`Duplicate`](Self::Duplicate)).
    pub fn is_option(self) -> bool {
        !matches!(
            self,
            SocketOption::Create | SocketOption::Bind | SocketOption::Duplicate
        )
    }
}

impl fmt::Display for SocketOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
