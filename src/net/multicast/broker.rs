//! The broker's part, played locally for one multicast client: client frames in; replies,
//! datagrams and delivered messages out. No I/O.

use std::collections::VecDeque;
use std::format;
use std::prelude::rust_2024::*;

use crate::frame::{Command, Decoder, Frame, Headers, Item, Limits, Version, encode};

use super::{Refusal, SendReceipts, wire};

/// SEND receipts awaited from the group at most ([`SendReceipts::Delivered`]); beyond this the
/// oldest is forgotten (its client's receipt timeout has long told it).
const MAX_AWAITED: usize = 4096;

/// Headers of a client's SEND that do not go to the group: they are about this session
/// (`transaction`), belong to MESSAGE frames, or are set again (`content-length`). `receipt`
/// does go: the members that deliver the SEND answer it with a RECEIPT to the group.
const NOT_SENT: [&str; 5] = [
    "transaction",
    "content-length",
    "message-id",
    "subscription",
    "ack",
];

/// Headers of a frame from the group that its MESSAGE frames do not carry: they are set for
/// the subscription (`destination`, `message-id`, `subscription`, `ack`), are about the
/// sender's SEND (`receipt`, `transaction`), or are set again (`content-length`).
const NOT_DELIVERED: [&str; 7] = [
    "destination",
    "message-id",
    "receipt",
    "transaction",
    "content-length",
    "subscription",
    "ack",
];

/// The server name in CONNECTED.
const SERVER: &str = concat!("stompwire-multicast/", env!("CARGO_PKG_VERSION"));

#[derive(Debug)]
struct Subscription {
    id: String,
    destination: String,
    /// `ack:client` or `ack:client-individual`: 1.2 MESSAGE frames then carry an `ack` header.
    client_ack: bool,
}

/// What handling some client bytes produced.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Encoded frames for the client (CONNECTED, RECEIPT, ERROR), in order.
    pub(crate) replies: Vec<u8>,
    /// Datagrams for the group, in order.
    pub(crate) datagrams: Vec<Vec<u8>>,
    /// The session is over once `replies` are delivered (after DISCONNECT or ERROR).
    pub(crate) end: bool,
    /// Frames refused because they would not fit in a datagram: nothing of them was sent,
    /// and the frames after them were handled as usual.
    pub(crate) refused: Vec<Refusal>,
}

/// One client's session with the group: version, subscriptions, open transactions.
#[derive(Debug)]
pub(crate) struct LocalBroker {
    decoder: Decoder,
    version: Version,
    connected: bool,
    ended: bool,
    session: String,
    subscriptions: Vec<Subscription>,
    /// Open transactions with the datagrams their SENDs produced.
    transactions: Vec<(String, Vec<Vec<u8>>)>,
    transaction_bytes: usize,
    next_message: u64,
    max_datagram_size: usize,
    max_transaction_bytes: usize,
    ignored: u64,
    send_receipts: SendReceipts,
    /// With [`SendReceipts::Delivered`]: the receipts of SENDs sent, as (id on the wire, the
    /// client's id), oldest first.
    awaited: VecDeque<(String, String)>,
}

impl LocalBroker {
    pub(crate) fn new(
        session: String,
        max_datagram_size: usize,
        max_transaction_bytes: usize,
    ) -> LocalBroker {
        LocalBroker {
            decoder: Decoder::new(Limits::default()),
            version: Version::V1_0,
            connected: false,
            ended: false,
            session,
            subscriptions: Vec::new(),
            transactions: Vec::new(),
            transaction_bytes: 0,
            next_message: 0,
            max_datagram_size,
            max_transaction_bytes,
            ignored: 0,
            send_receipts: SendReceipts::Sent,
            awaited: VecDeque::new(),
        }
    }

    /// Sets what the RECEIPT of a client's SEND means.
    pub(crate) fn with_send_receipts(mut self, send_receipts: SendReceipts) -> LocalBroker {
        self.send_receipts = send_receipts;
        self
    }

    /// Whether CONNECT was answered and the session has not ended.
    pub(crate) fn is_connected(&self) -> bool {
        self.connected && !self.ended
    }

    /// Whether DISCONNECT or an ERROR ended the session.
    pub(crate) fn has_ended(&self) -> bool {
        self.ended
    }

    /// Handles bytes the client sent (any split of its frame stream).
    pub(crate) fn handle_client(&mut self, bytes: &[u8]) -> Outcome {
        let mut outcome = Outcome::default();
        if self.ended {
            return outcome;
        }
        let mut frames = Vec::new();
        let mut malformed = None;
        for item in self.decoder.feed(bytes) {
            match item {
                Ok(Item::Frame(frame)) => frames.push(frame),
                Ok(Item::Heartbeat) => {}
                Err(e) => malformed = Some(e),
            }
        }
        for frame in frames {
            self.handle_frame(&frame, &mut outcome);
            if outcome.end {
                return outcome;
            }
        }
        if let Some(e) = malformed {
            self.error(&mut outcome, None, "malformed frame", &format!("{e}"));
        }
        outcome
    }

    fn handle_frame(&mut self, frame: &Frame, outcome: &mut Outcome) {
        let receipt = frame.receipt();
        if frame.command.is_server() {
            let detail = format!("{} is a server frame", frame.command);
            return self.error(outcome, receipt, "unexpected frame", &detail);
        }
        let connecting = matches!(frame.command, Command::Connect | Command::Stomp);
        if connecting == self.connected {
            let (message, detail) = if connecting {
                (
                    "already connected",
                    format!("{} on a connected session", frame.command),
                )
            } else {
                ("not connected", format!("{} before CONNECT", frame.command))
            };
            return self.error(outcome, receipt, message, &detail);
        }
        let handled = match frame.command {
            Command::Connect | Command::Stomp => self.connect(frame, outcome),
            Command::Send => self.send(frame, outcome),
            Command::Subscribe => self.subscribe(frame),
            Command::Unsubscribe => self.unsubscribe(frame),
            // Delivery is at most once and nothing is redelivered: acknowledging is a no-op.
            Command::Ack | Command::Nack => Ok(()),
            Command::Begin => self.begin(frame),
            Command::Commit => self.commit(frame, outcome),
            Command::Abort => self.abort(frame),
            Command::Disconnect => {
                self.ended = true;
                outcome.end = true;
                Ok(())
            }
            Command::Connected | Command::Message | Command::Receipt | Command::Error => Ok(()),
        };
        match handled {
            Err(Problem::Error { message, detail }) => {
                self.error(outcome, receipt, message, &detail);
            }
            Err(Problem::TooLarge { size }) => {
                log::warn!(
                    "multicast: a {} of {size} bytes exceeds max_datagram_size ({}); not sent",
                    frame.command,
                    self.max_datagram_size
                );
                outcome.refused.push(Refusal {
                    size,
                    max: self.max_datagram_size,
                    receipt: receipt.map(str::to_owned),
                });
            }
            Ok(()) => {
                // A SEND's receipt may be the group's to give (see `send`).
                let from_group =
                    frame.command == Command::Send && self.send_receipts == SendReceipts::Delivered;
                if let (Some(id), false, false) = (receipt, connecting, from_group) {
                    let reply = Frame::new(Command::Receipt).with_header("receipt-id", id);
                    self.reply(outcome, &reply);
                }
            }
        }
    }

    fn connect(&mut self, frame: &Frame, outcome: &mut Outcome) -> Result<(), Problem> {
        let version = match frame.header("accept-version") {
            None => Some(Version::V1_0),
            Some(accepted) => accepted
                .split(',')
                .filter_map(|v| Version::parse(v.trim()))
                .max(),
        };
        let Some(version) = version else {
            let error = Frame::new(Command::Error)
                .with_header("version", "1.0,1.1,1.2")
                .with_header("content-type", "text/plain")
                .with_header("message", "Supported protocol versions are 1.0,1.1,1.2")
                .with_body(format!(
                    "accept-version:{} names no supported version",
                    frame.header("accept-version").unwrap_or_default()
                ));
            self.reply(outcome, &error);
            self.ended = true;
            outcome.end = true;
            return Ok(());
        };
        self.version = version;
        self.decoder.set_version(version);
        self.connected = true;
        let mut connected = Frame::new(Command::Connected);
        if version > Version::V1_0 {
            connected = connected
                .with_header("version", version.as_str())
                .with_header("heart-beat", "0,0");
        }
        let connected = connected
            .with_header("session", &self.session)
            .with_header("server", SERVER);
        self.reply(outcome, &connected);
        Ok(())
    }

    fn send(&mut self, frame: &Frame, outcome: &mut Outcome) -> Result<(), Problem> {
        let destination = required(frame, "destination")?;
        // The group gets a SEND, as stomp.py sends it: its members filter it by destination
        // and answer its `receipt`.
        let mut send = Frame::new(Command::Send).with_header("destination", destination);
        // Awaited from the group, a receipt travels under an id of this session's, so that
        // another member's receipt of the same name is not taken for it.
        let awaited = match (frame.receipt(), self.send_receipts) {
            (Some(id), SendReceipts::Delivered) => {
                self.next_message += 1;
                Some((format!("{}-r{}-{id}", self.session, self.next_message), id))
            }
            _ => None,
        };
        for (name, value) in &frame.headers {
            match (name, &awaited) {
                ("receipt", Some((wire_id, _))) => send.headers.push(name, wire_id),
                _ if name != "destination" && !NOT_SENT.contains(&name) => {
                    send.headers.push(name, value);
                }
                _ => {}
            }
        }
        send.body.clone_from(&frame.body);
        let datagram = wire::write(&send).map_err(|e| Problem::Error {
            message: "cannot encode message",
            detail: format!("{e}"),
        })?;
        if datagram.len() > self.max_datagram_size {
            return Err(Problem::TooLarge {
                size: datagram.len(),
            });
        }
        match frame.transaction() {
            None => outcome.datagrams.push(datagram),
            Some(tx) => {
                if self.transaction_bytes + datagram.len() > self.max_transaction_bytes {
                    return Err(Problem::Error {
                        message: "transaction too large",
                        detail: format!(
                            "open transactions would hold more than max_transaction_bytes ({})",
                            self.max_transaction_bytes
                        ),
                    });
                }
                let Some((_, pending)) = self.transactions.iter_mut().find(|(id, _)| id == tx)
                else {
                    return Err(unknown_transaction(tx));
                };
                self.transaction_bytes += datagram.len();
                pending.push(datagram);
            }
        }
        if let Some((wire_id, id)) = awaited {
            if self.awaited.len() >= MAX_AWAITED {
                self.awaited.pop_front();
            }
            self.awaited.push_back((wire_id, id.to_string()));
        }
        Ok(())
    }

    fn subscribe(&mut self, frame: &Frame) -> Result<(), Problem> {
        let destination = required(frame, "destination")?;
        let id = match (frame.id(), self.version) {
            (Some(id), _) => id,
            // 1.0 makes the id optional; the destination then names the subscription.
            (None, Version::V1_0) => destination,
            (None, _) => required(frame, "id")?,
        };
        if self.subscriptions.iter().any(|s| s.id == id) {
            return Err(Problem::Error {
                message: "duplicate subscription id",
                detail: format!("subscription {id:?} already exists"),
            });
        }
        self.subscriptions.push(Subscription {
            id: id.to_string(),
            destination: destination.to_string(),
            client_ack: matches!(frame.ack(), Some("client" | "client-individual")),
        });
        Ok(())
    }

    fn unsubscribe(&mut self, frame: &Frame) -> Result<(), Problem> {
        let id = match (frame.id(), self.version) {
            (Some(id), _) => id,
            (None, Version::V1_0) => required(frame, "destination")?,
            (None, _) => required(frame, "id")?,
        };
        // Unknown ids are ignored, as brokers do.
        self.subscriptions.retain(|s| s.id != id);
        Ok(())
    }

    fn begin(&mut self, frame: &Frame) -> Result<(), Problem> {
        let tx = required(frame, "transaction")?;
        if self.transactions.iter().any(|(id, _)| id == tx) {
            return Err(Problem::Error {
                message: "transaction already started",
                detail: format!("transaction {tx:?} is already open"),
            });
        }
        self.transactions.push((tx.to_string(), Vec::new()));
        Ok(())
    }

    fn commit(&mut self, frame: &Frame, outcome: &mut Outcome) -> Result<(), Problem> {
        let pending = self.take_transaction(required(frame, "transaction")?)?;
        outcome.datagrams.extend(pending);
        Ok(())
    }

    fn abort(&mut self, frame: &Frame) -> Result<(), Problem> {
        self.take_transaction(required(frame, "transaction")?)?;
        Ok(())
    }

    fn take_transaction(&mut self, tx: &str) -> Result<Vec<Vec<u8>>, Problem> {
        let at = self
            .transactions
            .iter()
            .position(|(id, _)| id == tx)
            .ok_or_else(|| unknown_transaction(tx))?;
        let (_, pending) = self.transactions.swap_remove(at);
        self.transaction_bytes -= pending.iter().map(Vec::len).sum::<usize>();
        Ok(pending)
    }

    fn reply(&self, outcome: &mut Outcome, frame: &Frame) {
        if let Err(e) = encode(frame, self.version, &mut outcome.replies) {
            log::warn!(
                "multicast: cannot encode {} for the client: {e}",
                frame.command
            );
        }
    }

    /// Answers with ERROR, as a broker would, and ends the session.
    fn error(&mut self, outcome: &mut Outcome, receipt: Option<&str>, message: &str, detail: &str) {
        let mut error = Frame::new(Command::Error)
            .with_header("message", message)
            .with_header("content-type", "text/plain");
        if let Some(id) = receipt {
            error.headers.push("receipt-id", id);
        }
        let error = error.with_body(detail);
        self.reply(outcome, &error);
        self.ended = true;
        outcome.end = true;
    }

    /// Turns a datagram from the group into MESSAGE frames for the client's subscriptions
    /// to its destination, appended to `out`. Each SEND (or MESSAGE) frame in it with a
    /// destination is delivered to every subscription to exactly that destination; other
    /// frames (RECEIPT from other members, anything else) and datagrams that do not decode
    /// are ignored (and counted, see [`LocalBroker::ignored`]).
    pub(crate) fn deliver(&mut self, datagram: &[u8], out: &mut Vec<u8>) -> Delivery {
        let mut delivery = Delivery::default();
        if !self.is_connected() {
            return delivery;
        }
        let (frames, error) = wire::read(datagram);
        if let Some(e) = error {
            self.ignored += 1;
            log::debug!("multicast: ignoring the rest of a datagram: {e}");
        }
        for frame in frames {
            if frame.command == Command::Receipt {
                self.receipt_from_group(&frame, out);
                continue;
            }
            if !matches!(frame.command, Command::Message | Command::Send) {
                continue;
            }
            let Some(destination) = frame.destination() else {
                self.ignored += 1;
                continue;
            };
            let message_id = match frame.message_id() {
                Some(id) => id.to_string(),
                None => {
                    self.next_message += 1;
                    format!("{}-in-{}", self.session, self.next_message)
                }
            };
            let before = delivery.frames;
            for subscription in self
                .subscriptions
                .iter()
                .filter(|s| s.destination == destination)
            {
                let mut headers = Headers::with_capacity(frame.headers.len() + 3, 64);
                headers.push("destination", destination);
                headers.push("message-id", &message_id);
                headers.push("subscription", &subscription.id);
                if self.version == Version::V1_2 && subscription.client_ack {
                    headers.push("ack", &message_id);
                }
                for (name, value) in &frame.headers {
                    if !NOT_DELIVERED.contains(&name) {
                        headers.push(name, value);
                    }
                }
                let message = Frame::from_parts(Command::Message, headers, frame.body.clone());
                match encode(&message, self.version, out) {
                    Ok(()) => delivery.frames += 1,
                    Err(e) => {
                        log::warn!(
                            "multicast: a message to {destination} cannot be delivered to \
                             subscription {} in STOMP {}: {e}",
                            subscription.id,
                            self.version.as_str()
                        );
                    }
                }
            }
            // Delivered: answer its receipt to the group, as stomp.py does.
            if let (true, Some(id)) = (delivery.frames > before, frame.receipt()) {
                match wire::receipt(id) {
                    Ok(receipt) if receipt.len() <= self.max_datagram_size => {
                        delivery.receipts.push(receipt);
                    }
                    Ok(receipt) => log::warn!(
                        "multicast: the RECEIPT for {id:?} would be {} bytes, over \
                         max_datagram_size ({}); not sent",
                        receipt.len(),
                        self.max_datagram_size
                    ),
                    Err(e) => log::warn!("multicast: cannot encode the RECEIPT for {id:?}: {e}"),
                }
            }
        }
        delivery
    }

    /// Passes on a member's RECEIPT for one of this client's SENDs, the first time it comes
    /// ([`SendReceipts::Delivered`]); others' receipts and later copies are dropped.
    fn receipt_from_group(&mut self, frame: &Frame, out: &mut Vec<u8>) {
        let Some(wire_id) = frame.receipt_id() else {
            return;
        };
        let Some(at) = self.awaited.iter().position(|(w, _)| w == wire_id) else {
            return;
        };
        if let Some((_, id)) = self.awaited.remove(at) {
            let receipt = Frame::new(Command::Receipt).with_header("receipt-id", &id);
            if let Err(e) = encode(&receipt, self.version, out) {
                log::warn!("multicast: cannot pass on the RECEIPT for {id:?}: {e}");
            }
        }
    }

    /// Datagrams from the group that did not decode (or not to their end), and frames without
    /// a destination, so far.
    pub(crate) fn ignored(&self) -> u64 {
        self.ignored
    }
}

/// What one datagram from the group produced.
#[derive(Debug, Default)]
pub(crate) struct Delivery {
    /// MESSAGE frames appended for the client.
    pub(crate) frames: usize,
    /// RECEIPT datagrams to send to the group, one per delivered frame with `receipt`.
    pub(crate) receipts: Vec<Vec<u8>>,
}

enum Problem {
    /// Answer with ERROR and end the session.
    Error {
        message: &'static str,
        detail: String,
    },
    /// The datagram would be too large: fail the send, keep the session.
    TooLarge { size: usize },
}

fn required<'f>(frame: &'f Frame, header: &'static str) -> Result<&'f str, Problem> {
    frame.header(header).ok_or_else(|| Problem::Error {
        message: "missing header",
        detail: format!("{} needs a {header} header", frame.command),
    })
}

fn unknown_transaction(tx: &str) -> Problem {
    Problem::Error {
        message: "unknown transaction",
        detail: format!("transaction {tx:?} was not begun"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broker() -> LocalBroker {
        LocalBroker::new("s".into(), 1000, 10_000)
    }

    fn frames(bytes: &[u8]) -> Vec<Frame> {
        Decoder::new(Limits::default())
            .feed(bytes)
            .filter_map(|item| match item.unwrap() {
                Item::Frame(f) => Some(f),
                Item::Heartbeat => None,
            })
            .collect()
    }

    fn connected() -> LocalBroker {
        let mut b = broker();
        let out = b.handle_client(b"CONNECT\naccept-version:1.1,1.2\nhost:/\n\n\0");
        assert!(!out.end);
        b
    }

    #[test]
    fn connect_answers_connected_with_the_highest_common_version() {
        let mut b = broker();
        let out = b.handle_client(b"STOMP\naccept-version:1.0,1.1\nhost:/\n\n\0");
        let reply = &frames(&out.replies)[0];
        assert_eq!(reply.command, Command::Connected);
        assert_eq!(reply.version(), Some("1.1"));
        assert_eq!(reply.session(), Some("s"));
        assert_eq!(reply.heart_beat(), Some((0, 0)));
    }

    #[test]
    fn connect_without_accept_version_is_stomp_1_0() {
        let mut b = broker();
        let out = b.handle_client(b"CONNECT\n\n\0");
        let reply = &frames(&out.replies)[0];
        assert_eq!(reply.command, Command::Connected);
        assert_eq!(reply.version(), None);
    }

    #[test]
    fn connect_with_no_supported_version_is_an_error() {
        let mut b = broker();
        let out = b.handle_client(b"CONNECT\naccept-version:2.0\n\n\0");
        let reply = &frames(&out.replies)[0];
        assert_eq!(reply.command, Command::Error);
        assert_eq!(reply.version(), Some("1.0,1.1,1.2"));
        assert!(out.end);
    }

    #[test]
    fn frames_before_connect_are_an_error() {
        let mut b = broker();
        let out = b.handle_client(b"SEND\ndestination:/topic/a\nreceipt:r\n\nx\0");
        let reply = &frames(&out.replies)[0];
        assert_eq!(reply.command, Command::Error);
        assert_eq!(reply.receipt_id(), Some("r"));
        assert!(out.end && out.datagrams.is_empty());
    }

    #[test]
    fn send_goes_to_the_group_as_a_send_with_its_receipt() {
        let mut b = connected();
        let out = b.handle_client(
            b"SEND\ndestination:/topic/a\nreceipt:r1\ncolour:blue\ncontent-length:3\n\na\0b\0",
        );
        assert_eq!(out.datagrams.len(), 1);
        let send = &frames(&out.datagrams[0])[0];
        assert_eq!(send.command, Command::Send);
        assert_eq!(send.destination(), Some("/topic/a"));
        assert_eq!(send.message_id(), None);
        assert_eq!(send.header("colour"), Some("blue"));
        assert_eq!(send.receipt(), Some("r1"));
        assert_eq!(send.body(), b"a\0b");
        let reply = &frames(&out.replies)[0];
        assert_eq!(reply.command, Command::Receipt);
        assert_eq!(reply.receipt_id(), Some("r1"));
    }

    #[test]
    fn datagrams_reach_only_matching_subscriptions() {
        let mut b = connected();
        let _ = b.handle_client(b"SUBSCRIBE\nid:1\ndestination:/topic/a\n\n\0");
        let _ = b.handle_client(b"SUBSCRIBE\nid:2\ndestination:/topic/a\nack:client\n\n\0");
        let _ = b.handle_client(b"SUBSCRIBE\nid:3\ndestination:/topic/b\n\n\0");
        let mut out = Vec::new();
        let delivery = b.deliver(
            b"MESSAGE\ndestination:/topic/a\nmessage-id:m\n\nhi\0",
            &mut out,
        );
        assert_eq!(delivery.frames, 2);
        let delivered = frames(&out);
        assert_eq!(delivered[0].subscription(), Some("1"));
        assert_eq!(delivered[0].ack(), None);
        assert_eq!(delivered[1].subscription(), Some("2"));
        assert_eq!(delivered[1].ack(), Some("m"));
        assert_eq!(delivered[1].body(), b"hi");
        let _ = b.handle_client(b"UNSUBSCRIBE\nid:1\n\n\0");
        out.clear();
        assert_eq!(
            b.deliver(b"SEND\ndestination:/topic/a\n\nx\0", &mut out)
                .frames,
            1
        );
        assert_eq!(
            b.deliver(b"SEND\ndestination:/topic/c\n\nx\0", &mut out)
                .frames,
            0
        );
        assert_eq!(b.ignored(), 0);
        assert_eq!(b.deliver(b"garbage", &mut out).frames, 0);
        assert_eq!(b.deliver(b"SEND\n\nno destination\0", &mut out).frames, 0);
        assert_eq!(b.ignored(), 2);
    }

    #[test]
    fn a_delivered_send_with_receipt_is_answered_to_the_group_once() {
        let mut b = connected();
        let _ = b.handle_client(b"SUBSCRIBE\nid:1\ndestination:/topic/a\n\n\0");
        let _ = b.handle_client(b"SUBSCRIBE\nid:2\ndestination:/topic/a\n\n\0");
        let mut out = Vec::new();
        let delivery = b.deliver(b"SEND\ndestination:/topic/a\nreceipt:r:1\n\nx\0", &mut out);
        assert_eq!(delivery.frames, 2);
        assert_eq!(delivery.receipts.len(), 1);
        let receipt = &frames(&delivery.receipts[0])[0];
        assert_eq!(receipt.command, Command::Receipt);
        assert_eq!(receipt.receipt_id(), Some("r:1"));
        // The MESSAGE frames do not carry the sender's receipt.
        assert!(frames(&out).iter().all(|f| f.receipt().is_none()));
        // Not delivered here, not answered here.
        let delivery = b.deliver(b"SEND\ndestination:/topic/z\nreceipt:r2\n\nx\0", &mut out);
        assert!(delivery.receipts.is_empty());
        // Another member's RECEIPT is no message and gets no answer.
        let delivery = b.deliver(b"RECEIPT\nreceipt-id:r:1\nreceipt:loop\n\n\0", &mut out);
        assert_eq!(delivery.frames, 0);
        assert!(delivery.receipts.is_empty());
    }

    #[test]
    fn delivered_receipts_wait_for_the_first_member_that_answers() {
        let mut b = connected().with_send_receipts(SendReceipts::Delivered);
        let out = b.handle_client(b"SEND\ndestination:/topic/a\nreceipt:r1\n\nx\0");
        assert!(out.replies.is_empty(), "no receipt before a member answers");
        let send = &frames(&out.datagrams[0])[0];
        let wire_id = send.receipt().unwrap().to_string();
        assert!(
            wire_id.starts_with("s-") && wire_id.ends_with("-r1"),
            "{wire_id}"
        );
        let mut out = Vec::new();
        // Another member's receipt of the client's name is not this one.
        let _ = b.deliver(b"RECEIPT\nreceipt-id:r1\n\n\0", &mut out);
        assert!(out.is_empty());
        let answer = wire::receipt(&wire_id).unwrap();
        let _ = b.deliver(&answer, &mut out);
        let passed = frames(&out);
        assert_eq!(passed.len(), 1);
        assert_eq!(passed[0].command, Command::Receipt);
        assert_eq!(passed[0].receipt_id(), Some("r1"));
        // A second member's answer is dropped.
        out.clear();
        let _ = b.deliver(&answer, &mut out);
        assert!(out.is_empty());
        // Other frames' receipts are still answered at once.
        let out = b.handle_client(b"SUBSCRIBE\nid:1\ndestination:/q\nreceipt:s1\n\n\0");
        assert_eq!(frames(&out.replies)[0].receipt_id(), Some("s1"));
    }

    #[test]
    fn awaited_receipts_are_bounded() {
        let mut b = connected().with_send_receipts(SendReceipts::Delivered);
        for i in 0..MAX_AWAITED + 10 {
            let send = format!("SEND\ndestination:/q\nreceipt:r{i}\n\n\0");
            assert!(b.handle_client(send.as_bytes()).refused.is_empty());
        }
        assert_eq!(b.awaited.len(), MAX_AWAITED);
        assert!(b.awaited.front().unwrap().1 == "r10");
    }

    #[test]
    fn values_from_the_group_are_read_as_stomp_py_sent_them() {
        let mut b = connected();
        let _ = b.handle_client(b"SUBSCRIBE\nid:1\ndestination:/topic/a:b\n\n\0");
        let mut out = Vec::new();
        let delivery = b.deliver(
            "SEND\ndestination:/topic/a:b\nx-time:12:30:00\nx-name:caf\u{e9}\n\n\u{1f680}\0"
                .as_bytes(),
            &mut out,
        );
        assert_eq!(delivery.frames, 1);
        let message = &frames(&out)[0];
        assert_eq!(message.destination(), Some("/topic/a:b"));
        assert_eq!(message.header("x-time"), Some("12:30:00"));
        assert_eq!(message.header("x-name"), Some("caf\u{e9}"));
        assert_eq!(message.body_str(), Some("\u{1f680}"));
    }

    #[test]
    fn transactions_hold_sends_until_commit_and_drop_them_on_abort() {
        let mut b = connected();
        let out = b.handle_client(
            b"BEGIN\ntransaction:t\n\n\0SEND\ndestination:/q\ntransaction:t\n\n1\0SEND\ndestination:/q\ntransaction:t\n\n2\0",
        );
        assert!(out.datagrams.is_empty());
        let out = b.handle_client(b"COMMIT\ntransaction:t\nreceipt:c\n\n\0");
        assert_eq!(out.datagrams.len(), 2);
        assert_eq!(frames(&out.replies)[0].receipt_id(), Some("c"));
        let out = b.handle_client(
            b"BEGIN\ntransaction:u\n\n\0SEND\ndestination:/q\ntransaction:u\n\n1\0ABORT\ntransaction:u\n\n\0",
        );
        assert!(out.datagrams.is_empty() && !out.end);
        let out = b.handle_client(b"COMMIT\ntransaction:u\n\n\0");
        assert_eq!(frames(&out.replies)[0].command, Command::Error);
        assert!(out.end);
    }

    #[test]
    fn a_send_too_large_for_a_datagram_is_refused_and_the_frames_after_it_go() {
        let mut b = connected();
        let mut chunk = b"SEND\ndestination:/q\nreceipt:r\n\n".to_vec();
        chunk.extend(core::iter::repeat_n(b'x', 2000));
        chunk.push(0);
        chunk.extend_from_slice(b"SEND\ndestination:/q\nreceipt:s\n\nsmall\0");
        let out = b.handle_client(&chunk);
        assert!(!out.end);
        assert_eq!(out.refused.len(), 1);
        let refusal = &out.refused[0];
        assert_eq!((refusal.max, refusal.receipt.as_deref()), (1000, Some("r")));
        assert!(refusal.size > 2000);
        // No RECEIPT for the refused frame; the next one is sent and answered.
        assert_eq!(out.datagrams.len(), 1);
        let replies = frames(&out.replies);
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0].receipt_id(), Some("s"));
    }

    #[test]
    fn disconnect_answers_its_receipt_and_ends() {
        let mut b = connected();
        let out = b.handle_client(b"DISCONNECT\nreceipt:bye\n\n\0");
        assert_eq!(frames(&out.replies)[0].receipt_id(), Some("bye"));
        assert!(out.end);
        assert!(!b.is_connected());
    }

    #[test]
    fn ack_and_nack_are_accepted() {
        let mut b = connected();
        let out = b.handle_client(b"ACK\nid:x\nreceipt:a\n\n\0NACK\nid:y\n\n\0");
        assert_eq!(frames(&out.replies)[0].receipt_id(), Some("a"));
        assert!(!out.end);
    }
}
