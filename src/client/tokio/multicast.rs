//! [`MulticastConnection`]: a UDP multicast group (`multicast://group:port`) as a connection of
//! the tokio runtime. No broker is on a group, so the connection plays the broker's part for
//! its own client by the rules of [`crate::net::multicast`] — the same ones, and the same wire
//! form (stomp.py's `MulticastConnection`), as the native shell's `MulticastTransport`:
//! CONNECTED and RECEIPT are answered locally, each SEND goes to the group as one datagram,
//! datagrams from the group become MESSAGE frames of the matching subscriptions.
//!
//! Order is kept as the blocking transport keeps it: the replies to what the client wrote
//! (a RECEIPT that says "sent") reach the client only once the datagrams written before them
//! are out. A frame too large for one datagram is refused
//! ([`Connection::take_refused`]); the connection stays open. Datagrams wait in the kernel's
//! socket buffer while the driver does not read (a full subscription buffer): UDP drops what
//! does not fit, as it may drop any datagram.

use core::task::{Context, Poll};
use std::collections::VecDeque;
use std::io;
use std::net::SocketAddrV4;
use std::prelude::rust_2024::*;
use std::vec;

use tokio::io::ReadBuf;
use tokio::net::UdpSocket;

use crate::client::transport::{Connection, Refused};
use crate::net::multicast::broker::LocalBroker;
use crate::net::multicast::{
    MulticastConfig, RECEIVE_BUFFER, Refusal, TooLarge, receiver_socket, sender_socket, session_id,
};

/// Datagrams read from the group per `poll_read` at most before it yields.
const DATAGRAMS_PER_READ: usize = 64;

/// A member of a multicast group, as the driver's connection.
pub struct MulticastConnection {
    group: SocketAddrV4,
    receiver: UdpSocket,
    sender: UdpSocket,
    broker: LocalBroker,
    /// Frames for the client not yet read, from `at`.
    inbound: Vec<u8>,
    at: usize,
    /// Datagrams for the group not yet sent, oldest first.
    outbound: VecDeque<Vec<u8>>,
    /// Replies for the client that wait until `outbound` is empty.
    held: Vec<u8>,
    /// The session ended (DISCONNECT, ERROR) once `held` and `inbound` are read.
    end_held: bool,
    ended: bool,
    refused: VecDeque<Refusal>,
    datagram: Box<[u8]>,
}

impl std::fmt::Debug for MulticastConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MulticastConnection")
            .field("group", &self.group)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl MulticastConnection {
    /// Joins the group of `config` (within a tokio runtime).
    pub(crate) fn open(config: &MulticastConfig) -> Result<MulticastConnection, io::Error> {
        let group = config.group_address()?;
        let socket = |s: socket2::Socket| -> io::Result<UdpSocket> {
            s.set_nonblocking(true)?;
            UdpSocket::from_std(s.into())
        };
        let receiver = socket(receiver_socket(config)?)?;
        let sender = socket(sender_socket(config)?)?;
        Ok(MulticastConnection {
            group,
            receiver,
            sender,
            broker: LocalBroker::new(
                session_id(),
                config.max_datagram_size,
                config.max_transaction_bytes,
            )
            .with_send_receipts(config.send_receipts),
            inbound: Vec::new(),
            at: 0,
            outbound: VecDeque::new(),
            held: Vec::new(),
            end_held: false,
            ended: false,
            refused: VecDeque::new(),
            datagram: vec![0; RECEIVE_BUFFER].into_boxed_slice(),
        })
    }

    /// Datagrams from the group ignored so far, whole or in part, because they did not decode
    /// as STOMP frames to their end; and SEND or MESSAGE frames without `destination`.
    pub fn ignored(&self) -> u64 {
        self.broker.ignored()
    }

    /// Sends what waits for the group; then hands the held replies to the client. Ready once
    /// nothing waits.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(datagram) = self.outbound.front() {
            match self.sender.poll_send_to(cx, datagram, self.group.into()) {
                Poll::Ready(Ok(_)) => {
                    self.outbound.pop_front();
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        if !self.held.is_empty() {
            if self.at == self.inbound.len() {
                self.inbound.clear();
                self.at = 0;
            }
            self.inbound.append(&mut self.held);
        }
        if self.end_held {
            self.end_held = false;
            self.ended = true;
        }
        Poll::Ready(Ok(()))
    }

    /// Copies what waits for the client into `buf`.
    fn take_inbound(&mut self, buf: &mut [u8]) -> usize {
        let n = (self.inbound.len() - self.at).min(buf.len());
        buf[..n].copy_from_slice(&self.inbound[self.at..self.at + n]);
        self.at += n;
        if self.at == self.inbound.len() {
            self.inbound.clear();
            self.at = 0;
        }
        n
    }
}

impl Connection for MulticastConnection {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if let Poll::Ready(Err(e)) = self.poll_send(cx) {
            return Poll::Ready(Err(e));
        }
        for _ in 0..DATAGRAMS_PER_READ {
            if self.at < self.inbound.len() {
                return Poll::Ready(Ok(self.take_inbound(buf)));
            }
            if self.ended {
                return Poll::Ready(Ok(0));
            }
            let mut read = ReadBuf::new(&mut self.datagram);
            match self.receiver.poll_recv(cx, &mut read) {
                Poll::Ready(Ok(())) => {
                    let n = read.filled().len();
                    let delivery = self.broker.deliver(&self.datagram[..n], &mut self.inbound);
                    // RECEIPTs of delivered frames go to the group; losing one loses only it.
                    self.outbound.extend(delivery.receipts);
                    if let Poll::Ready(Err(e)) = self.poll_send(cx) {
                        log::warn!("multicast: a RECEIPT to {} was not sent: {e}", self.group);
                        self.outbound.clear();
                    }
                }
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => {
                    // ICMP errors and the like: the group is still there.
                    log::debug!("multicast receive failed: {e}");
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        if self.at < self.inbound.len() {
            return Poll::Ready(Ok(self.take_inbound(buf)));
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        if self.ended || self.broker.has_ended() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the multicast session has ended",
            )));
        }
        // Earlier datagrams first: a full socket holds the writer back.
        match self.poll_send(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other.map(|r| r.map(|()| 0)),
        }
        let outcome = self.broker.handle_client(bytes);
        self.outbound.extend(outcome.datagrams);
        self.held.extend_from_slice(&outcome.replies);
        self.end_held |= outcome.end;
        self.refused.extend(outcome.refused);
        // What cannot go now goes on the next write, read or flush.
        if let Poll::Ready(Err(e)) = self.poll_send(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_send(cx)
    }

    fn poll_close(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Leaving the group is closing the sockets, when the connection is dropped.
        self.ended = true;
        self.outbound.clear();
        Poll::Ready(Ok(()))
    }

    fn take_refused(&mut self) -> Option<Refused> {
        self.refused.pop_front().map(|r| Refused {
            receipt: r.receipt,
            error: io::Error::new(
                io::ErrorKind::InvalidInput,
                TooLarge {
                    size: r.size,
                    max: r.max,
                },
            ),
        })
    }
}
