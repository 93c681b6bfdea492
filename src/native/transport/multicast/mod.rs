//! Broker-less STOMP over UDP multicast (`multicast://group:port`), on the wire as stomp.py's
//! `MulticastConnection`.
//!
//! Every member of a group is a publisher and a subscriber; there is no broker to talk to, so
//! the transport answers its own client the way a broker would, as stomp.py's
//! `MulticastConnection` does:
//!
//! | the client sends | the transport |
//! |---|---|
//! | CONNECT / STOMP | answers CONNECTED: the highest version of `accept-version` it supports (1.0 without the header), `heart-beat:0,0`, a `session` id; ERROR when no version matches |
//! | SEND | sends one datagram to the group: the SEND with its `destination`, its `receipt` and its other headers (not `transaction`). A frame over [`MulticastConfig::max_datagram_size`] fails the `send` with [`TransportError::DatagramTooLarge`]; it is never truncated or split |
//! | SUBSCRIBE / UNSUBSCRIBE | updates the local subscription table (1.0 frames without `id` use the destination) |
//! | BEGIN / COMMIT / ABORT | holds the transaction's SENDs, sends them on COMMIT, drops them on ABORT |
//! | ACK / NACK | nothing (delivery is at most once; nothing is redelivered) |
//! | DISCONNECT | RECEIPT if asked, then [`Recv::Closed`] |
//! | any frame with `receipt` | RECEIPT, once the frame is handled; for a SEND, once its datagram is sent, or with [`SendReceipts::Delivered`] once a member of the group answers it |
//! | a frame out of place, a missing required header, an unknown transaction | ERROR, then [`Recv::Closed`] (as a broker would close) |
//!
//! A datagram from the group (this member's own included, when
//! [`loopback`](MulticastConfig::loopback) is on) is read frame by frame; each SEND (or
//! MESSAGE) frame becomes one MESSAGE per local subscription whose destination equals the
//! frame's, with that subscription's `subscription` header (and, in 1.2 with `ack:client` or
//! `client-individual`, an `ack` header). Destinations match exactly; there are no wildcards.
//! A frame so delivered that has a `receipt` header is answered with one
//! `RECEIPT receipt-id:…` datagram to the group, as stomp.py does, whatever the number of
//! local subscriptions, when `recv` hands it to the client. RECEIPT frames from the group are
//! passed on only with [`SendReceipts::Delivered`], once per receipt of the client's. Frames
//! that match nothing are dropped, as are datagrams that arrive before CONNECT; datagrams that
//! do not decode are counted ([`MulticastTransport::ignored`]).
//!
//! # stomp.py's wire form
//!
//! - One frame per datagram; a member reads it whole. stomp.py reads at most 1024 bytes of a
//!   datagram (the rest is lost, and what it read corrupts the frames after it), so
//!   [`MulticastConfig::max_datagram_size`] is 1024 by default. Datagrams received here are
//!   read whole whatever their size.
//! - stomp.py writes header values unescaped (`time:12:30`) and reads them with the known 1.2
//!   escapes (`\\`, `\n`, `\r`, `\c`) undone and any other backslash kept. Datagrams are
//!   read here the same way, so all members of a group see the same values; this transport
//!   writes the 1.2 escapes, which that reading undoes exactly. (A value that stomp.py sends
//!   with a backslash before `n`, `r`, `c` or another backslash, such as `C:\new`, is changed
//!   by that reading, for stomp.py's members and for this transport alike.)
//! - Bodies are bytes with `content-length`; stomp.py decodes them as UTF-8.
//!
//! UDP delivers at most once and may drop or reorder datagrams. Several processes on one host
//! can join the same group and port (`SO_REUSEADDR`, and `SO_REUSEPORT` where it exists).
//! Only IPv4 groups are supported.

mod broker;
mod wire;

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::prelude::rust_2024::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use std::{fmt, format, vec};

use socket2::{Domain, Protocol, Socket, Type};

use super::{Recv, SocketOption, Transport, TransportError, is_timeout, lock, remaining};
use broker::LocalBroker;

/// How often the receiver thread looks whether the transport was closed.
const POLL: Duration = Duration::from_millis(100);
/// Items handed to the client per `recv` at most (keeps one `recv` bounded).
const BATCH: usize = 64;
/// Larger than any IPv4 UDP payload, so nothing is ever truncated on receipt.
const RECEIVE_BUFFER: usize = 65_536;
/// The default [`MulticastConfig::max_datagram_size`]: the most of a datagram stomp.py reads.
pub const STOMP_PY_DATAGRAM_SIZE: usize = 1024;

/// Multicast group membership and limits.
///
/// ```
/// use std::net::Ipv4Addr;
/// use stompwire::native::transport::MulticastConfig;
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
    /// The largest datagram sent, in bytes: a frame that would encode larger fails its `send`
    /// with [`TransportError::DatagramTooLarge`]. Default 1024, the most stomp.py's
    /// `MulticastConnection` reads of a datagram. Raise it (up to 65,507, what an IPv4 UDP
    /// datagram can carry) for groups whose members all read more. Datagrams received are read
    /// whole whatever this says.
    pub max_datagram_size: usize,
    /// The most bytes that open transactions may hold before COMMIT. Default 16 MiB.
    pub max_transaction_bytes: usize,
    /// Datagrams received but not yet taken by `recv`; beyond this, new ones are dropped.
    /// Default 4096.
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
/// use stompwire::native::transport::MulticastConfig;
/// use stompwire::native::transport::multicast::SendReceipts;
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

crate::native::setters::setters!(MulticastConfig {
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

/// What waits for `recv`.
enum Inbound {
    /// Frames the transport answered itself.
    Local(Vec<u8>),
    /// A datagram from the group.
    Datagram(Vec<u8>),
    /// The session ended (DISCONNECT or ERROR) after the items before this one.
    End,
}

struct Inbox {
    items: VecDeque<Inbound>,
    datagrams: usize,
    dropped: u64,
}

struct Shared {
    inbox: Mutex<Inbox>,
    ready: Condvar,
    closed: AtomicBool,
    /// Whether datagrams are worth queueing (the client is connected).
    accepting: AtomicBool,
    capacity: usize,
}

/// A broker-less STOMP "connection" to a UDP multicast group.
///
/// ```no_run
/// use std::time::Duration;
/// use stompwire::native::transport::{MulticastConfig, MulticastTransport, Recv, Transport};
///
/// let group = MulticastTransport::open(&MulticastConfig::default())?;
/// group.send(b"CONNECT\naccept-version:1.2\n\n\0SUBSCRIBE\nid:0\ndestination:/topic/news\n\n\0")?;
/// group.send(b"SEND\ndestination:/topic/news\n\nhello\0")?;
/// let mut buf = Vec::new();
/// while let Recv::Data(_) = group.recv(&mut buf, Some(Duration::from_millis(500)))? {}
/// // buf holds CONNECTED, then the MESSAGE this member sent itself (loopback is on).
/// # Ok::<(), stompwire::native::transport::TransportError>(())
/// ```
pub struct MulticastTransport {
    peer: String,
    group: SocketAddrV4,
    sender: UdpSocket,
    broker: Mutex<LocalBroker>,
    shared: Arc<Shared>,
}

impl fmt::Debug for MulticastTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MulticastTransport")
            .field("group", &self.group)
            .field("closed", &self.shared.closed.load(Ordering::Relaxed))
            .finish()
    }
}

impl MulticastTransport {
    /// Joins the group and starts the receiver thread.
    pub fn open(config: &MulticastConfig) -> Result<MulticastTransport, TransportError> {
        if !config.group.is_multicast() {
            return Err(TransportError::InvalidTarget {
                reason: format!("{} is not an IPv4 multicast address", config.group),
            });
        }
        let group = SocketAddrV4::new(config.group, config.port);
        let receiver = receiver_socket(config)?;
        let sender = sender_socket(config)?;
        let shared = Arc::new(Shared {
            inbox: Mutex::new(Inbox {
                items: VecDeque::new(),
                datagrams: 0,
                dropped: 0,
            }),
            ready: Condvar::new(),
            closed: AtomicBool::new(false),
            accepting: AtomicBool::new(false),
            capacity: config.receive_queue.max(1),
        });
        let receiving = shared.clone();
        thread::Builder::new()
            .name(format!("stompwire multicast {group}"))
            .spawn(move || receive_loop(receiver, &receiving))
            .map_err(TransportError::Io)?;
        Ok(MulticastTransport {
            peer: group.to_string(),
            group,
            sender,
            broker: Mutex::new(
                LocalBroker::new(
                    session_id(),
                    config.max_datagram_size,
                    config.max_transaction_bytes,
                )
                .with_send_receipts(config.send_receipts),
            ),
            shared,
        })
    }

    /// Datagrams dropped so far because [`MulticastConfig::receive_queue`] was full.
    pub fn dropped(&self) -> u64 {
        lock(&self.shared.inbox).dropped
    }

    /// Datagrams from the group ignored so far, whole or in part, because they did not decode
    /// as STOMP frames to their end; and SEND or MESSAGE frames without `destination`.
    pub fn ignored(&self) -> u64 {
        lock(&self.broker).ignored()
    }

    /// Sends RECEIPT datagrams for delivered frames to the group. A failure loses only that
    /// RECEIPT (as UDP may lose any datagram); the client's messages are already delivered.
    fn answer(&self, receipts: &[Vec<u8>]) {
        for receipt in receipts {
            if let Err(e) = self.sender.send_to(receipt, self.group) {
                log::warn!("multicast: a RECEIPT to {} was not sent: {e}", self.group);
            }
        }
    }

    fn push(&self, items: impl IntoIterator<Item = Inbound>) {
        let mut inbox = lock(&self.shared.inbox);
        inbox.items.extend(items);
        self.shared.ready.notify_all();
    }
}

/// A session id unlikely to repeat across processes and transports: the process id and
/// randomly keyed hash of the time.
fn session_id() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:x}-{:08x}", std::process::id(), hasher.finish() as u32)
}

fn receiver_socket(config: &MulticastConfig) -> Result<Socket, TransportError> {
    let option = |option: SocketOption| move |source| TransportError::Socket { option, source };
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
    socket
        .set_read_timeout(Some(POLL))
        .map_err(option(SocketOption::SoRcvTimeo))?;
    Ok(socket)
}

fn sender_socket(config: &MulticastConfig) -> Result<UdpSocket, TransportError> {
    let option = |option: SocketOption| move |source| TransportError::Socket { option, source };
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
    Ok(socket.into())
}

/// Moves datagrams into the inbox until the transport closes.
fn receive_loop(socket: Socket, shared: &Shared) {
    let socket: UdpSocket = socket.into();
    let mut data = vec![0; RECEIVE_BUFFER];
    while !shared.closed.load(Ordering::Acquire) {
        let n = match socket.recv(&mut data) {
            Ok(n) => n,
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                log::debug!("multicast receive failed: {e}");
                thread::sleep(POLL);
                continue;
            }
        };
        if !shared.accepting.load(Ordering::Acquire) {
            continue;
        }
        let mut inbox = lock(&shared.inbox);
        if inbox.datagrams >= shared.capacity {
            inbox.dropped += 1;
            continue;
        }
        inbox.datagrams += 1;
        inbox.items.push_back(Inbound::Datagram(data[..n].to_vec()));
        shared.ready.notify_all();
    }
    log::debug!("multicast receiver stopped");
}

impl Transport for MulticastTransport {
    fn recv(&self, buf: &mut Vec<u8>, timeout: Option<Duration>) -> Result<Recv, TransportError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let start = buf.len();
        let mut inbox = lock(&self.shared.inbox);
        loop {
            if !inbox.items.is_empty() {
                let take = inbox.items.len().min(BATCH);
                let batch: Vec<Inbound> = inbox.items.drain(..take).collect();
                inbox.datagrams -= batch
                    .iter()
                    .filter(|i| matches!(i, Inbound::Datagram(_)))
                    .count();
                drop(inbox);
                let mut ended = false;
                let mut receipts = Vec::new();
                {
                    let mut broker = lock(&self.broker);
                    for item in batch {
                        match item {
                            Inbound::Local(bytes) => buf.extend_from_slice(&bytes),
                            Inbound::Datagram(datagram) => {
                                receipts.extend(broker.deliver(&datagram, buf).receipts);
                            }
                            Inbound::End => {
                                ended = true;
                                break;
                            }
                        }
                    }
                }
                self.answer(&receipts);
                if ended {
                    self.close();
                }
                if buf.len() > start {
                    return Ok(Recv::Data(buf.len() - start));
                }
                inbox = lock(&self.shared.inbox);
                continue;
            }
            if self.shared.closed.load(Ordering::Acquire) {
                return Ok(Recv::Closed);
            }
            inbox = match remaining(deadline) {
                None => self
                    .shared
                    .ready
                    .wait(inbox)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
                Some(left) if left.is_zero() => return Ok(Recv::Timeout),
                Some(left) => {
                    self.shared
                        .ready
                        .wait_timeout(inbox, left)
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    fn send(&self, bytes: &[u8]) -> Result<(), TransportError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(TransportError::Closed);
        }
        let mut broker = lock(&self.broker);
        if broker.has_ended() {
            return Err(TransportError::Closed);
        }
        let outcome = broker.handle_client(bytes);
        // Datagrams go out before replies are queued, so a RECEIPT means "sent".
        for datagram in &outcome.datagrams {
            self.sender
                .send_to(datagram, self.group)
                .map_err(TransportError::Io)?;
        }
        self.shared
            .accepting
            .store(broker.is_connected(), Ordering::Release);
        drop(broker);
        let mut items = Vec::new();
        if !outcome.replies.is_empty() {
            items.push(Inbound::Local(outcome.replies));
        }
        if outcome.end {
            items.push(Inbound::End);
        }
        if !items.is_empty() {
            self.push(items);
        }
        match outcome.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn close(&self) {
        if !self.shared.closed.swap(true, Ordering::AcqRel) {
            self.shared.accepting.store(false, Ordering::Release);
            let mut inbox = lock(&self.shared.inbox);
            inbox.items.clear();
            inbox.datagrams = 0;
            self.shared.ready.notify_all();
        }
    }

    fn peer(&self) -> &str {
        &self.peer
    }
}

impl Drop for MulticastTransport {
    fn drop(&mut self) {
        self.close();
    }
}
