//! One member of a UDP multicast group (`multicast://group:port`): its configuration
//! ([`MulticastConfig`]), its sockets, and — in `broker` and `wire`, without I/O — the broker's
//! part it plays for its own client and the group's wire form (stomp.py's
//! `MulticastConnection`). The native shell's `MulticastTransport` and the tokio runtime's
//! multicast connection run these same rules; the native shell's `transport::multicast`
//! module documents them.

pub(crate) mod broker;
mod too_large;
pub(crate) mod wire;

pub use too_large::TooLarge;

use std::format;
use std::hash::{BuildHasher, Hasher};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::prelude::rust_2024::*;

use socket2::{Domain, Protocol, Socket, Type};

use super::{SetupError, SocketOption};

/// Larger than any IPv4 UDP payload, so nothing is ever truncated on receipt.
pub(crate) const RECEIVE_BUFFER: usize = 65_536;
/// The default [`MulticastConfig::max_datagram_size`]: the most of a datagram stomp.py reads.
pub const STOMP_PY_DATAGRAM_SIZE: usize = 1024;

/// Multicast group membership and limits.
///
/// ```
/// use std::net::Ipv4Addr;
/// use stompwire::net::multicast::MulticastConfig;
///
/// let config = MulticastConfig::default()
///     .with_group(Ipv4Addr::new(239, 1, 2, 3))
///     .with_ttl(2);
/// assert_eq!(config.port, 61616);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MulticastConfig {
    /// The group (an IPv4 multicast address, `224.0.0.0/4`). Default `224.1.2.3`.
    pub group: Ipv4Addr,
    /// The UDP port every member binds and sends to. Default 61616.
    pub port: u16,
    /// Hops a datagram may travel (`IP_MULTICAST_TTL`). Default 1: the local network only.
    pub ttl: u32,
    /// The interface to join on and send from, by its address. Default unspecified
    /// (`0.0.0.0`): the system's choice, by its routes.
    pub interface: Ipv4Addr,
    /// Whether this host's own members (this transport included) receive what it sends
    /// (`IP_MULTICAST_LOOP`). Default on.
    pub loopback: bool,
    /// The largest datagram sent, in bytes: a frame that would encode larger is refused and
    /// nothing of it is sent (the native shell's `send` fails with
    /// `TransportError::DatagramTooLarge`; the async client reports it and fails its receipt).
    /// Default 1024, the most stomp.py's `MulticastConnection` reads of a datagram. Raise it (up to 65,507, what an IPv4 UDP
    /// datagram can carry) for groups whose members all read more. Datagrams received are read
    /// whole whatever this says.
    pub max_datagram_size: usize,
    /// The most bytes that open transactions may hold before COMMIT. Default 16 MiB.
    pub max_transaction_bytes: usize,
    /// Datagrams received but not yet taken by the native shell's `recv`; beyond this, new
    /// ones are dropped. Default 4096. (The tokio runtime queues nothing of its own: datagrams
    /// wait in the socket's kernel buffer, which drops what does not fit.)
    pub receive_queue: usize,
    /// What the RECEIPT of a SEND with `receipt` means. Default [`SendReceipts::Sent`].
    pub send_receipts: SendReceipts,
}

/// What the RECEIPT of a client's SEND with `receipt` means on a multicast group.
///
/// Either way the SEND goes to the group with a `receipt` header, and every member that
/// delivers it (stomp.py's, and this transport) answers with a RECEIPT to the group.
///
/// ```
/// use stompwire::net::multicast::MulticastConfig;
/// use stompwire::net::multicast::SendReceipts;
///
/// let config = MulticastConfig::default().with_send_receipts(SendReceipts::Delivered);
/// assert_eq!(config.send_receipts, SendReceipts::Delivered);
/// assert_eq!(MulticastConfig::default().send_receipts, SendReceipts::Sent);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SendReceipts {
    /// The datagram was sent to the group: the RECEIPT comes at once, whether or not any
    /// member received it.
    #[default]
    Sent,
    /// A member delivered it: the RECEIPT is the first one a member answers to the group
    /// (later ones are dropped). With no member subscribed to the destination none comes, and
    /// the client's receipt timeout tells. The SEND's `receipt` travels under an id of this
    /// session's, so that another member's receipt of the same name is not taken for it; at
    /// most 4096 are awaited at once (beyond that the oldest is forgotten).
    Delivered,
}

impl Default for MulticastConfig {
    fn default() -> MulticastConfig {
        MulticastConfig {
            group: Ipv4Addr::new(224, 1, 2, 3),
            port: 61616,
            ttl: 1,
            interface: Ipv4Addr::UNSPECIFIED,
            loopback: true,
            max_datagram_size: STOMP_PY_DATAGRAM_SIZE,
            max_transaction_bytes: 16 << 20,
            receive_queue: 4096,
            send_receipts: SendReceipts::Sent,
        }
    }
}

crate::net::setters::setters!(MulticastConfig {
    with_group => group: Ipv4Addr,
    with_port => port: u16,
    with_ttl => ttl: u32,
    with_interface => interface: Ipv4Addr,
    with_loopback => loopback: bool,
    with_max_datagram_size => max_datagram_size: usize,
    with_max_transaction_bytes => max_transaction_bytes: usize,
    with_receive_queue => receive_queue: usize,
    with_send_receipts => send_receipts: SendReceipts,
});

/// A frame the member refused to send to the group, because it would not fit in one datagram
/// ([`MulticastConfig::max_datagram_size`]). Nothing of it was sent; the session goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The encoded size.
    pub(crate) size: usize,
    /// The limit.
    pub(crate) max: usize,
    /// The frame's `receipt` header, when it asked for one.
    pub(crate) receipt: Option<String>,
}

impl MulticastConfig {
    /// The group and port as a socket address, after checking that the group is an IPv4
    /// multicast address.
    pub(crate) fn group_address(&self) -> Result<SocketAddrV4, SetupError> {
        if !self.group.is_multicast() {
            return Err(SetupError::InvalidTarget {
                reason: format!("{} is not an IPv4 multicast address", self.group),
            });
        }
        Ok(SocketAddrV4::new(self.group, self.port))
    }
}

/// A session id unlikely to repeat across processes and transports: the process id and
/// randomly keyed hash of the time.
pub(crate) fn session_id() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:x}-{:08x}", std::process::id(), hasher.finish() as u32)
}

/// The socket a member receives the group's datagrams on: bound to the group's port (shared
/// with the host's other members), joined to the group. Blocking; a runtime changes that.
pub(crate) fn receiver_socket(config: &MulticastConfig) -> Result<Socket, SetupError> {
    let option = |option: SocketOption| move |source| SetupError::Socket { option, source };
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))
        .map_err(option(SocketOption::Create))?;
    socket
        .set_reuse_address(true)
        .map_err(option(SocketOption::SoReuseAddr))?;
    #[cfg(all(
        unix,
        not(any(target_os = "solaris", target_os = "illumos", target_os = "cygwin"))
    ))]
    socket
        .set_reuse_port(true)
        .map_err(option(SocketOption::SoReusePort))?;
    // Binding to the group address (where the system allows it) keeps out datagrams of
    // other groups on the same port.
    let bind = if cfg!(unix) {
        config.group
    } else {
        Ipv4Addr::UNSPECIFIED
    };
    socket
        .bind(&SocketAddrV4::new(bind, config.port).into())
        .map_err(option(SocketOption::Bind))?;
    socket
        .join_multicast_v4(&config.group, &config.interface)
        .map_err(option(SocketOption::IpAddMembership))?;
    Ok(socket)
}

/// The socket a member sends to the group from: the TTL, loopback and interface of `config`.
pub(crate) fn sender_socket(config: &MulticastConfig) -> Result<Socket, SetupError> {
    let option = |option: SocketOption| move |source| SetupError::Socket { option, source };
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))
        .map_err(option(SocketOption::Create))?;
    socket
        .set_multicast_ttl_v4(config.ttl)
        .map_err(option(SocketOption::IpMulticastTtl))?;
    socket
        .set_multicast_loop_v4(config.loopback)
        .map_err(option(SocketOption::IpMulticastLoop))?;
    if !config.interface.is_unspecified() {
        socket
            .set_multicast_if_v4(&config.interface)
            .map_err(option(SocketOption::IpMulticastIf))?;
    }
    socket
        .bind(&SocketAddrV4::new(config.interface, 0).into())
        .map_err(option(SocketOption::Bind))?;
    Ok(socket)
}
