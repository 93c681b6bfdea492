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
//!
//! The rules above are the ones the async client's tokio runtime runs too: they live, without
//! I/O, in [`crate::net::multicast`], as does [`MulticastConfig`].

use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddrV4, UdpSocket};
use std::prelude::rust_2024::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use std::{fmt, format, vec};

use super::{Recv, SocketOption, Transport, TransportError, is_timeout, lock, remaining};
use crate::net::multicast::broker::LocalBroker;
pub use crate::net::multicast::{MulticastConfig, STOMP_PY_DATAGRAM_SIZE, SendReceipts};
use crate::net::multicast::{RECEIVE_BUFFER, receiver_socket, sender_socket, session_id};

/// How often the receiver thread looks whether the transport was closed.
const POLL: Duration = Duration::from_millis(100);
/// Items handed to the client per `recv` at most (keeps one `recv` bounded).
const BATCH: usize = 64;

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
        let group = config.group_address()?;
        let receiver = receiver_socket(config)?;
        receiver
            .set_read_timeout(Some(POLL))
            .map_err(|source| TransportError::Socket {
                option: SocketOption::SoRcvTimeo,
                source,
            })?;
        let sender: UdpSocket = sender_socket(config)?.into();
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

/// Moves datagrams into the inbox until the transport closes.
fn receive_loop(socket: socket2::Socket, shared: &Shared) {
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
        // One frame per send from the client: the first refusal is this send's error.
        match outcome.refused.into_iter().next() {
            Some(refusal) => Err(TransportError::DatagramTooLarge {
                size: refusal.size,
                max: refusal.max,
            }),
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
