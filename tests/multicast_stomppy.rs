//! Wire compatibility with stomp.py's `MulticastConnection`, both directions, against stomp.py
//! itself: a Python process (`tests/multicast_stomppy/peer.py`) joins the same group as a
//! [`MulticastTransport`] (or the `stompwire` command), and a raw socket in the group watches
//! the datagrams.
//!
//! Multicast must not leave the machine, so these tests are ignored by default and run only
//! through `scripts/netns-test.sh`, inside a private network namespace, with
//! `STOMPWIRE_NETNS=1` and `STOMPWIRE_STOMPPY_PYTHON` (a Python with the pinned stomp.py, which
//! the script installs). Each test uses a port of its own, so they do not hear each other.
#![cfg(feature = "cli")]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::process::{Child, ChildStdin, Command as Process, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use socket2::{Domain, Protocol, Socket, Type};
use stompwire::frame::{Command, Decoder, Frame, Item, Limits, Version, encode};
use stompwire::native::transport::multicast::SendReceipts;
use stompwire::native::transport::{
    MulticastConfig, MulticastTransport, Recv, Transport, TransportError,
};

/// Upper bound for anything a test waits for.
const PATIENCE: Duration = Duration::from_secs(10);
/// How long "nothing else arrives" is watched for.
const QUIET: Duration = Duration::from_millis(600);
/// stomp.py's own group (its `MCAST_GRP`); the ports differ per test.
const GROUP: Ipv4Addr = Ipv4Addr::new(224, 1, 1, 1);

/// Fails the test outside the namespace or without stomp.py: multicast must not be used here,
/// and a test that did not run must not pass.
fn require_private_netns() {
    assert!(
        std::env::var("STOMPWIRE_NETNS").as_deref() == Ok("1"),
        "multicast must not leave the machine: run scripts/netns-test.sh, which runs these tests \
         in a private network namespace with STOMPWIRE_NETNS=1"
    );
    assert!(
        std::env::var_os("STOMPWIRE_STOMPPY_PYTHON").is_some(),
        "STOMPWIRE_STOMPPY_PYTHON must name a Python with stomp.py (scripts/netns-test.sh sets it)"
    );
}

// ---------------------------------------------------------------------------------------------
// stomp.py, in a process of its own

/// A stomp.py `MulticastConnection` driven through `peer.py`.
struct Peer {
    child: Child,
    stdin: ChildStdin,
    events: Receiver<Value>,
    /// Events read while waiting for something else.
    backlog: VecDeque<Value>,
}

impl Peer {
    fn start(port: u16) -> Peer {
        let python = std::env::var_os("STOMPWIRE_STOMPPY_PYTHON").unwrap();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/multicast_stomppy/peer.py"
        );
        let mut child = Process::new(python)
            .args([
                script,
                "--group",
                &GROUP.to_string(),
                "--port",
                &port.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start peer.py");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, events) = channel();
        thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                let event: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("peer.py wrote {line:?}: {e}"));
                if tx.send(event).is_err() {
                    break;
                }
            }
        });
        let mut peer = Peer {
            child,
            stdin,
            events,
            backlog: VecDeque::new(),
        };
        let ready = peer.next("ready", PATIENCE).expect("peer.py ready");
        assert_eq!(ready["stomp"], "9.0.0", "the pinned stomp.py: {ready}");
        assert_eq!(ready["port"], port);
        peer
    }

    /// Runs one command and waits for peer.py to have done it.
    fn op(&mut self, command: Value) {
        let op = command["op"].clone();
        writeln!(self.stdin, "{command}").unwrap();
        self.stdin.flush().unwrap();
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) if event["event"] == "done" && event["op"] == op => return,
                Ok(event) if event["event"] == "error" => panic!("peer.py: {event}"),
                Ok(event) => self.backlog.push_back(event),
                Err(e) => panic!("peer.py did not do {command}: {e:?}"),
            }
        }
    }

    fn subscribe(&mut self, destination: &str, id: &str) {
        self.op(json!({"op": "subscribe", "destination": destination, "id": id}));
    }

    fn send(&mut self, destination: &str, body: &str, headers: Value) {
        self.op(
            json!({"op": "send", "destination": destination, "body": body, "headers": headers}),
        );
    }

    /// The next event of this kind (`message`, `receipt`, ...) within `within`.
    fn next(&mut self, kind: &str, within: Duration) -> Option<Value> {
        if let Some(at) = self.backlog.iter().position(|e| e["event"] == kind) {
            return self.backlog.remove(at);
        }
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) if event["event"] == kind => return Some(event),
                Ok(event) if event["event"] == "error" => panic!("peer.py: {event}"),
                Ok(event) => self.backlog.push_back(event),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!("peer.py exited"),
            }
        }
    }

    fn message(&mut self) -> Value {
        self.next("message", PATIENCE)
            .expect("stomp.py received a message")
    }

    fn quit(mut self) {
        self.op(json!({"op": "quit"}));
        let deadline = Instant::now() + PATIENCE;
        while self.child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// stompwire's side

/// A [`MulticastTransport`] with a STOMP 1.2 session on it.
struct Member {
    transport: MulticastTransport,
    decoder: Decoder,
    frames: VecDeque<Frame>,
    buf: Vec<u8>,
}

impl Member {
    fn join(port: u16) -> Member {
        Member::join_with(MulticastConfig::default().with_group(GROUP).with_port(port))
    }

    fn join_with(config: MulticastConfig) -> Member {
        let mut member = Member {
            transport: MulticastTransport::open(&config).unwrap(),
            decoder: Decoder::new(Limits::default()),
            frames: VecDeque::new(),
            buf: Vec::new(),
        };
        member
            .send(&Frame::new(Command::Connect).with_header("accept-version", "1.2"))
            .unwrap();
        assert_eq!(member.expect(Command::Connected).version(), Some("1.2"));
        member
    }

    fn send(&self, frame: &Frame) -> Result<(), TransportError> {
        let mut bytes = Vec::new();
        encode(frame, Version::V1_2, &mut bytes).unwrap();
        self.transport.send(&bytes)
    }

    fn subscribe(&mut self, destination: &str, id: &str) {
        let frame = Frame::new(Command::Subscribe)
            .with_header("destination", destination)
            .with_header("id", id)
            .with_header("receipt", &format!("sub-{id}"));
        self.send(&frame).unwrap();
        assert_eq!(
            self.expect(Command::Receipt).receipt_id(),
            Some(format!("sub-{id}").as_str())
        );
    }

    fn next(&mut self, within: Duration) -> Option<Frame> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(frame) = self.frames.pop_front() {
                return Some(frame);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.buf.clear();
            if self.transport.recv(&mut self.buf, Some(left)).unwrap() == Recv::Closed {
                return None;
            }
            for item in self.decoder.feed(&self.buf) {
                if let Item::Frame(frame) = item.unwrap() {
                    self.frames.push_back(frame);
                }
            }
        }
    }

    fn expect(&mut self, command: Command) -> Frame {
        let frame = self
            .next(PATIENCE)
            .unwrap_or_else(|| panic!("no {command} within {PATIENCE:?}"));
        assert_eq!(frame.command, command, "{frame:?}");
        frame
    }
}

/// A socket in the group that sees every datagram, as they are on the wire.
struct Wire(UdpSocket);

impl Wire {
    fn watch(port: u16) -> Wire {
        let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap();
        socket.set_reuse_address(true).unwrap();
        socket.set_reuse_port(true).unwrap();
        socket.bind(&SocketAddrV4::new(GROUP, port).into()).unwrap();
        socket
            .join_multicast_v4(&GROUP, &Ipv4Addr::UNSPECIFIED)
            .unwrap();
        Wire(socket.into())
    }

    /// The next datagram within `within`, with its sender.
    fn next(&self, within: Duration) -> Option<(Vec<u8>, SocketAddr)> {
        self.0.set_read_timeout(Some(within)).unwrap();
        let mut data = vec![0; 65_536];
        match self.0.recv_from(&mut data) {
            Ok((n, from)) => Some((data[..n].to_vec(), from)),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(e) => panic!("watching the group: {e}"),
        }
    }

    /// The next datagram that decodes to a frame with this command.
    fn next_frame(&self, command: Command, within: Duration) -> Option<(Vec<u8>, Frame)> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (data, _) = self.next(left)?;
            let mut decoder = Decoder::new(Limits::default());
            decoder.set_version(Version::V1_0);
            if let Some(Ok(Item::Frame(frame))) = decoder.feed(&data).next()
                && frame.command == command
            {
                return Some((data, frame));
            }
        }
    }
}

fn header<'v>(message: &'v Value, name: &str) -> Option<&'v str> {
    message["headers"][name].as_str()
}

fn send_frame(destination: &str, body: &str) -> Frame {
    Frame::new(Command::Send)
        .with_header("destination", destination)
        .with_body(body.to_string())
}

// ---------------------------------------------------------------------------------------------
// The cases

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn our_send_is_a_send_on_the_wire_and_stomp_py_filters_it_by_destination() {
    require_private_netns();
    let port = 47101;
    let wire = Wire::watch(port);
    let mut peer = Peer::start(port);
    peer.subscribe("/topic/py", "1");
    let member = Member::join(port);
    member
        .send(&send_frame("/topic/elsewhere", "not for stomp.py"))
        .unwrap();
    member
        .send(&send_frame("/topic/py", "for stomp.py").with_header("colour", "blue"))
        .unwrap();

    for expected in ["/topic/elsewhere", "/topic/py"] {
        let (data, _) = wire.next(PATIENCE).expect("a datagram on the wire");
        let start = format!("SEND\ndestination:{expected}\n");
        assert!(
            data.starts_with(start.as_bytes()),
            "on the wire: {:?}",
            String::from_utf8_lossy(&data)
        );
        assert!(data.len() <= 1024 && data.ends_with(b"\0"));
    }
    let message = peer.message();
    assert_eq!(header(&message, "destination"), Some("/topic/py"));
    assert_eq!(header(&message, "colour"), Some("blue"));
    assert_eq!(message["body"], "for stomp.py");
    assert!(
        peer.next("message", QUIET).is_none(),
        "stomp.py got a message for a destination it did not subscribe to"
    );
    peer.quit();
}

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn stomp_py_send_is_filtered_by_destination_and_delivered_here() {
    require_private_netns();
    let port = 47102;
    let mut member = Member::join(port);
    member.subscribe("/topic/rs", "rs");
    let mut peer = Peer::start(port);
    peer.send("/topic/other", "not for stompwire", json!({}));
    peer.send("/topic/rs", "for stompwire", json!({"colour": "green"}));
    let message = member.expect(Command::Message);
    assert_eq!(message.destination(), Some("/topic/rs"));
    assert_eq!(message.subscription(), Some("rs"));
    assert!(message.message_id().is_some());
    assert_eq!(message.header("colour"), Some("green"));
    assert_eq!(message.body(), b"for stompwire");
    assert!(
        member.next(QUIET).is_none(),
        "a message for another destination"
    );
    peer.quit();
}

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn stomp_py_answers_the_receipt_of_our_send_to_the_group() {
    require_private_netns();
    let port = 47103;
    let wire = Wire::watch(port);
    let mut peer = Peer::start(port);
    peer.subscribe("/topic/receipts", "1");
    let mut member = Member::join(port);
    member
        .send(&send_frame("/topic/receipts", "receipted").with_header("receipt", "rs-1"))
        .unwrap();
    // Our client's receipt: the SEND went to the group.
    assert_eq!(member.expect(Command::Receipt).receipt_id(), Some("rs-1"));
    let (_, send) = wire.next_frame(Command::Send, PATIENCE).expect("the SEND");
    assert_eq!(send.receipt(), Some("rs-1"), "the SEND carries its receipt");
    // stomp.py delivered it and answered to the group (we do not subscribe: only it can).
    let message = peer.message();
    assert_eq!(message["body"], "receipted");
    let (_, receipt) = wire
        .next_frame(Command::Receipt, PATIENCE)
        .expect("stomp.py's RECEIPT on the wire");
    assert_eq!(receipt.receipt_id(), Some("rs-1"));
    // The group's RECEIPT is not passed on: our client has its one receipt.
    assert!(member.next(QUIET).is_none());

    // A SEND that nobody delivers gets no RECEIPT from the group.
    member
        .send(&send_frame("/topic/nobody", "unreceipted").with_header("receipt", "rs-2"))
        .unwrap();
    assert_eq!(member.expect(Command::Receipt).receipt_id(), Some("rs-2"));
    assert!(wire.next_frame(Command::Receipt, QUIET).is_none());
    peer.quit();
}

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn we_answer_the_receipt_of_a_stomp_py_send_to_the_group() {
    require_private_netns();
    let port = 47104;
    let wire = Wire::watch(port);
    let mut member = Member::join(port);
    member.subscribe("/topic/receipts", "r");
    let mut peer = Peer::start(port);
    // stomp.py does not subscribe: the RECEIPT it gets can only be ours.
    peer.send(
        "/topic/receipts",
        "please confirm",
        json!({"receipt": "py-1"}),
    );
    let message = member.expect(Command::Message);
    assert_eq!(message.body(), b"please confirm");
    assert_eq!(
        message.receipt(),
        None,
        "the sender's receipt is not the client's"
    );
    let receipt = peer
        .next("receipt", PATIENCE)
        .expect("stomp.py got our RECEIPT");
    assert_eq!(header(&receipt, "receipt-id"), Some("py-1"));
    let (data, _) = wire
        .next_frame(Command::Receipt, PATIENCE)
        .expect("our RECEIPT on the wire");
    assert_eq!(data, b"RECEIPT\nreceipt-id:py-1\n\n\0");

    // Not delivered here: not answered.
    peer.send(
        "/topic/unheard",
        "nobody listens",
        json!({"receipt": "py-2"}),
    );
    assert!(peer.next("receipt", QUIET).is_none());
    peer.quit();
}

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn delivered_receipts_come_from_the_first_member_that_delivers_the_send() {
    require_private_netns();
    let port = 47111;
    let wire = Wire::watch(port);
    let mut peer = Peer::start(port);
    peer.subscribe("/topic/delivered", "1");
    let mut other = Member::join(port);
    other.subscribe("/topic/delivered", "o");
    let mut member = Member::join_with(
        MulticastConfig::default()
            .with_group(GROUP)
            .with_port(port)
            .with_send_receipts(SendReceipts::Delivered),
    );
    member
        .send(&send_frame("/topic/delivered", "confirm me").with_header("receipt", "d-1"))
        .unwrap();
    assert_eq!(member.expect(Command::Receipt).receipt_id(), Some("d-1"));
    // A member answers when its client takes the message.
    assert_eq!(other.expect(Command::Message).body(), b"confirm me");
    assert_eq!(peer.message()["body"], "confirm me");
    // stomp.py and the other member both answered, under the id the SEND carried.
    let (_, send) = wire.next_frame(Command::Send, PATIENCE).expect("the SEND");
    let wire_id = send.receipt().unwrap().to_string();
    assert!(wire_id != "d-1" && wire_id.ends_with("-d-1"), "{wire_id}");
    for _ in 0..2 {
        let (_, receipt) = wire
            .next_frame(Command::Receipt, PATIENCE)
            .expect("two RECEIPTs on the wire");
        assert_eq!(receipt.receipt_id(), Some(wire_id.as_str()));
    }
    // The second answer is not passed on.
    assert!(member.next(QUIET).is_none());

    // Nobody delivers it: no receipt.
    member
        .send(&send_frame("/topic/nobody", "unconfirmed").with_header("receipt", "d-2"))
        .unwrap();
    assert!(member.next(QUIET).is_none(), "a receipt nobody gave");
    peer.quit();
}

const UNICODE: &str = "héllo wörld ✓ 日本語 Ελληνικά 🚀";

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn unicode_bodies_and_values_cross_both_ways() {
    require_private_netns();
    let port = 47105;
    let mut member = Member::join(port);
    member.subscribe("/topic/ünï", "u");
    let mut peer = Peer::start(port);
    peer.subscribe("/topic/ünï-py", "1");

    member
        .send(&send_frame("/topic/ünï-py", UNICODE).with_header("x-greeting", "grüße 🚀"))
        .unwrap();
    let message = peer.message();
    assert_eq!(message["body"], UNICODE);
    assert_eq!(header(&message, "x-greeting"), Some("grüße 🚀"));
    assert_eq!(
        header(&message, "content-length"),
        Some(UNICODE.len().to_string().as_str()),
        "content-length counts bytes"
    );

    peer.send("/topic/ünï", UNICODE, json!({"x-greeting": "grüße 🚀"}));
    let message = member.expect(Command::Message);
    assert_eq!(message.body_str(), Some(UNICODE));
    assert_eq!(message.header("x-greeting"), Some("grüße 🚀"));
    peer.quit();
}

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn colons_and_escapes_in_values_read_the_same_by_every_member() {
    require_private_netns();
    let port = 47106;
    let wire = Wire::watch(port);
    let mut member = Member::join(port);
    member.subscribe("/topic/a:b", "c");
    let mut peer = Peer::start(port);
    peer.subscribe("/topic/a:b", "1");

    // stomp.py → both: values travel unescaped; stomp.py and we read them alike.
    let sent = json!({
        "x-time": "12:30:00",
        "x-urn": "urn:isbn:0451450523",
        "x-path": "C:\\temp\\new",
        "x-escaped": "a\\cb\\\\c",
    });
    peer.send("/topic/a:b", "from stomp.py", sent.clone());
    let (raw, _) = wire
        .next_frame(Command::Send, PATIENCE)
        .expect("stomp.py's SEND");
    let raw = String::from_utf8(raw).unwrap();
    assert!(
        raw.contains("\nx-time:12:30:00\n"),
        "unescaped on the wire: {raw:?}"
    );
    assert!(raw.contains("\ndestination:/topic/a:b\n"), "{raw:?}");
    let theirs = peer.message();
    let ours = member.expect(Command::Message);
    assert_eq!(ours.body(), b"from stomp.py");
    assert_eq!(ours.destination(), Some("/topic/a:b"));
    for name in ["x-time", "x-urn", "x-path", "x-escaped"] {
        assert_eq!(
            ours.header(name),
            header(&theirs, name),
            "{name}: stompwire and stomp.py read different values"
        );
    }
    assert_eq!(ours.header("x-time"), Some("12:30:00"));
    assert_eq!(ours.header("x-urn"), Some("urn:isbn:0451450523"));
    // stomp.py's own reading of what it sent: `\t` stays, `\n` becomes a line feed.
    assert_eq!(ours.header("x-path"), Some("C:\\temp\new"));
    assert_eq!(ours.header("x-escaped"), Some("a:b\\c"));

    // stompwire → both: every value arrives exactly as given.
    let values = [
        ("x-time", "12:30:00"),
        ("x-path", "C:\\temp\\new"),
        ("x-lines", "one\ntwo"),
        ("x-backslash-c", "\\c"),
    ];
    let mut frame = send_frame("/topic/a:b", "from stompwire");
    for (name, value) in values {
        frame.headers.push(name, value);
    }
    member.send(&frame).unwrap();
    let theirs = peer.message();
    assert_eq!(theirs["body"], "from stompwire");
    assert_eq!(header(&theirs, "destination"), Some("/topic/a:b"));
    let ours = member.expect(Command::Message);
    for (name, value) in values {
        assert_eq!(header(&theirs, name), Some(value), "{name} at stomp.py");
        assert_eq!(ours.header(name), Some(value), "{name} here");
    }
    peer.quit();
}

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn transactions_hold_sends_until_commit_both_ways() {
    require_private_netns();
    let port = 47110;
    let mut member = Member::join(port);
    member.subscribe("/topic/tx-rs", "t");
    let mut peer = Peer::start(port);
    peer.subscribe("/topic/tx-py", "1");

    // stomp.py's transaction: its SENDs go out on COMMIT, none on ABORT.
    peer.op(json!({"op": "begin", "transaction": "py-tx"}));
    for body in ["one", "two"] {
        peer.send("/topic/tx-rs", body, json!({"transaction": "py-tx"}));
    }
    assert!(member.next(QUIET).is_none(), "a SEND left before COMMIT");
    peer.op(json!({"op": "commit", "transaction": "py-tx"}));
    for body in ["one", "two"] {
        let message = member.expect(Command::Message);
        assert_eq!(message.body(), body.as_bytes());
        assert_eq!(message.transaction(), None);
    }
    peer.op(json!({"op": "begin", "transaction": "py-tx-2"}));
    peer.send("/topic/tx-rs", "aborted", json!({"transaction": "py-tx-2"}));
    peer.op(json!({"op": "abort", "transaction": "py-tx-2"}));
    assert!(member.next(QUIET).is_none(), "an aborted SEND left");

    // Ours: the same to stomp.py.
    member
        .send(&Frame::new(Command::Begin).with_header("transaction", "rs-tx"))
        .unwrap();
    for body in ["three", "four"] {
        member
            .send(&send_frame("/topic/tx-py", body).with_header("transaction", "rs-tx"))
            .unwrap();
    }
    assert!(
        peer.next("message", QUIET).is_none(),
        "a SEND left before COMMIT"
    );
    member
        .send(&Frame::new(Command::Commit).with_header("transaction", "rs-tx"))
        .unwrap();
    for body in ["three", "four"] {
        let message = peer.message();
        assert_eq!(message["body"], body);
        assert_eq!(header(&message, "transaction"), None);
    }
    peer.quit();
}

/// A body that makes the SEND datagram to `destination` exactly `size` bytes.
fn body_for_datagram_of(destination: &str, size: usize) -> String {
    let mut body = String::new();
    loop {
        let mut datagram = Vec::new();
        encode(
            &send_frame(destination, &body),
            Version::V1_2,
            &mut datagram,
        )
        .unwrap();
        match datagram.len().cmp(&size) {
            std::cmp::Ordering::Less => body.push('x'),
            std::cmp::Ordering::Equal => return body,
            // content-length grew a digit: one byte fewer of body.
            std::cmp::Ordering::Greater => {
                body.pop();
                return body;
            }
        }
    }
}

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn a_frame_larger_than_stomp_py_reads_is_refused_whole_and_the_largest_it_reads_arrives() {
    require_private_netns();
    let port = 47107;
    let wire = Wire::watch(port);
    let mut peer = Peer::start(port);
    peer.subscribe("/topic/big", "1");
    let member = Member::join(port);
    assert_eq!(MulticastConfig::default().max_datagram_size, 1024);

    let largest = body_for_datagram_of("/topic/big", 1024);
    let mut too_large = largest.clone();
    too_large.push('y');
    let err = member
        .send(&send_frame("/topic/big", &too_large))
        .unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::DatagramTooLarge {
                size: 1025,
                max: 1024
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("1025") && err.to_string().contains("1024"),
        "{err}"
    );
    assert!(wire.next(QUIET).is_none(), "something reached the wire");

    member.send(&send_frame("/topic/big", &largest)).unwrap();
    let (data, _) = wire.next(PATIENCE).expect("the 1024-byte datagram");
    assert_eq!(data.len(), 1024);
    member.send(&send_frame("/topic/big", "after")).unwrap();
    let message = peer.message();
    assert_eq!(message["body"].as_str().map(str::len), Some(largest.len()));
    assert_eq!(message["body"], largest.as_str());
    // Nothing was cut, so the frame after it is whole too.
    assert_eq!(peer.message()["body"], "after");
    peer.quit();
}

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn a_stomp_py_frame_larger_than_it_reads_itself_is_read_whole_here() {
    require_private_netns();
    let port = 47108;
    let mut member = Member::join(port);
    member.subscribe("/topic/large", "l");
    let mut peer = Peer::start(port);
    let body = "z".repeat(3000);
    peer.send("/topic/large", &body, json!({}));
    let message = member.expect(Command::Message);
    assert_eq!(message.body(), body.as_bytes());
    // stomp.py's own reader has now lost the rest of that datagram (it reads 1024 bytes), so
    // this peer is not used further.
}

// ---------------------------------------------------------------------------------------------
// The command-line tool and stomp.py

fn cli() -> Process {
    Process::new(env!("CARGO_BIN_EXE_stompwire"))
}

#[test]
#[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
fn the_command_line_tool_and_stomp_py_exchange_messages() {
    require_private_netns();
    let port = 47109;
    let url = format!("multicast://{GROUP}:{port}");
    let mut peer = Peer::start(port);
    peer.subscribe("/topic/cli-py", "1");

    // stompwire send → stomp.py, with a receipt.
    let out = cli()
        .args([
            "send",
            &url,
            "/topic/cli-py",
            UNICODE,
            "--receipt",
            "-H",
            "x-time:12:30",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let message = peer.message();
    assert_eq!(message["body"], UNICODE);
    assert_eq!(header(&message, "x-time"), Some("12:30"));

    // A body too large for stomp.py is refused (exit status and a line naming the size) and
    // never reaches the group, whole or cut.
    let out = cli()
        .args(["send", &url, "/topic/cli-py", &"x".repeat(2000)])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("1024"),
        "a body too large for a datagram must fail and name the size: {:?}, stderr {stderr:?}",
        out.status
    );
    assert!(
        peer.next("message", QUIET).is_none(),
        "stomp.py got part of it"
    );

    // stomp.py → stompwire subscribe.
    let mut subscriber = cli()
        .args([
            "subscribe",
            &url,
            "/topic/cli-rs",
            "--count",
            "1",
            "--json",
            "--timeout",
            "8s",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = subscriber.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "subscribe did not end");
        // The subscriber joins when it is ready; send until it has its message.
        peer.send("/topic/cli-rs-not", "wrong destination", json!({}));
        peer.send("/topic/cli-rs", UNICODE, json!({"x-time": "12:30"}));
        thread::sleep(Duration::from_millis(200));
    };
    let mut out = String::new();
    std::io::Read::read_to_string(&mut subscriber.stdout.take().unwrap(), &mut out).unwrap();
    assert!(status.success(), "subscribe: {status:?}, {out}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert_eq!(lines[0]["body"], UNICODE, "{out}");
    assert!(out.contains(r#"["destination","/topic/cli-rs"]"#), "{out}");
    assert!(out.contains(r#"["x-time","12:30"]"#), "{out}");
    peer.quit();
}

// ---------------------------------------------------------------------------------------------
// The async client (`stompwire::client`) on tokio, over the same group

/// The async client's side: a `stompwire::client::Client` on a tokio runtime of its own.
#[cfg(feature = "tokio")]
mod async_client {
    use std::future::{Future, poll_fn};
    use std::pin::Pin;

    use futures_core::Stream;
    use stompwire::client::tokio::TokioRuntime;
    use stompwire::client::{Client, Config, ConnectionEvent, Error};
    use stompwire::frame::Headers;
    use stompwire::session::{AckMode, LostReason};

    use super::*;

    /// Runs `body` on a single-threaded tokio runtime, bounded in time.
    fn run<F: Future<Output = ()>>(body: F) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            tokio::time::timeout(PATIENCE * 3, body)
                .await
                .expect("the test ran out of time");
        });
    }

    async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
        tokio::time::timeout(PATIENCE, poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)))
            .await
            .expect("nothing came in time")
    }

    async fn join(port: u16) -> Client {
        let config = Config::from_url(&format!("multicast://{GROUP}:{port}")).unwrap();
        let runtime = TokioRuntime::new(&config).unwrap();
        Client::connect_with(runtime, config)
            .await
            .expect("the async client joins the group")
    }

    /// Waits until the client has written everything before this call (the local broker
    /// answers a receipt once it handled the frame, so a SUBSCRIBE before it is in place).
    async fn barrier(client: &Client) {
        client
            .send_with_receipt("/topic/barrier", Headers::new(), "")
            .await
            .expect("the barrier's receipt");
    }

    #[test]
    #[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
    fn the_async_client_and_stomp_py_exchange_messages_and_receipts_over_the_group() {
        require_private_netns();
        let port = 47120;
        let wire = Wire::watch(port);
        let mut peer = Peer::start(port);
        peer.subscribe("/topic/async-py", "1");
        run(async {
            let client = join(port).await;
            let mut messages = client.subscribe("/topic/async-rs", AckMode::Auto).unwrap();
            barrier(&client).await;
            let (_, barrier_send) = wire.next_frame(Command::Send, PATIENCE).unwrap();
            assert_eq!(barrier_send.destination(), Some("/topic/barrier"));

            // Ours → stomp.py: a SEND on the wire, with its headers and receipt; the receipt
            // resolves once the datagram is out (SendReceipts::Sent).
            let mut headers = Headers::new();
            headers.push("colour", "blue");
            client
                .send_with_receipt("/topic/async-py", headers, UNICODE)
                .await
                .unwrap();
            let (data, send) = wire.next_frame(Command::Send, PATIENCE).expect("the SEND");
            assert!(data.len() <= 1024, "one datagram stomp.py reads whole");
            assert_eq!(send.destination(), Some("/topic/async-py"));
            assert!(send.receipt().is_some(), "the SEND carries its receipt");
            let message = peer.message();
            assert_eq!(message["body"], UNICODE);
            assert_eq!(header(&message, "colour"), Some("blue"));
            let (_, receipt) = wire
                .next_frame(Command::Receipt, PATIENCE)
                .expect("stomp.py answers the receipt to the group");
            assert_eq!(receipt.receipt_id(), send.receipt());

            // stomp.py → ours: filtered by destination, delivered to the subscription, and
            // its receipt answered to the group.
            peer.send("/topic/async-other", "not for us", json!({}));
            peer.send(
                "/topic/async-rs",
                "for the async client",
                json!({"x-time": "12:30", "receipt": "py-async-1"}),
            );
            let message = next(&mut messages).await.expect("a MESSAGE");
            assert_eq!(message.body(), b"for the async client");
            assert_eq!(message.header("destination"), Some("/topic/async-rs"));
            assert_eq!(message.header("x-time"), Some("12:30"));
            // stomp.py hears every RECEIPT on the group (its own answer to our SEND too).
            let ours = std::iter::from_fn(|| peer.next("receipt", PATIENCE))
                .find(|r| header(r, "receipt-id") == Some("py-async-1"));
            assert!(ours.is_some(), "stomp.py got our RECEIPT");
            let quiet =
                tokio::time::timeout(QUIET, poll_fn(|cx| Pin::new(&mut messages).poll_next(cx)))
                    .await;
            assert!(quiet.is_err(), "a message for another destination arrived");

            client.shutdown(PATIENCE).await.unwrap();
        });
        peer.quit();
    }

    #[test]
    #[ignore = "needs a private network namespace and stomp.py: scripts/netns-test.sh"]
    fn the_async_client_refuses_a_frame_larger_than_a_datagram_and_stays_connected() {
        require_private_netns();
        let port = 47121;
        let wire = Wire::watch(port);
        let mut peer = Peer::start(port);
        peer.subscribe("/topic/async-big", "1");
        run(async {
            let client = join(port).await;
            let mut events = client.events();
            let too_large = body_for_datagram_of("/topic/async-big", 1024) + "yy";
            let err = client
                .send_with_receipt("/topic/async-big", Headers::new(), too_large)
                .await
                .unwrap_err();
            assert!(
                matches!(
                    &err,
                    Error::ReceiptLost {
                        reason: LostReason::NotSent,
                        ..
                    }
                ),
                "{err:?}"
            );
            let refused = loop {
                match next(&mut events).await.expect("an event") {
                    ConnectionEvent::Refused { error, receipt, .. } => break (error, receipt),
                    ConnectionEvent::Disconnected { reason } => {
                        panic!("the connection closed: {reason:?}")
                    }
                    _ => {}
                }
            };
            let text = refused.0.to_string();
            assert!(text.contains("1024"), "the refusal names the limit: {text}");
            assert!(refused.1.is_some(), "the refusal names the receipt");
            assert!(wire.next(QUIET).is_none(), "something reached the wire");

            // Still connected: the next frame goes.
            assert!(client.is_connected());
            client
                .send_with_receipt("/topic/async-big", Headers::new(), "small")
                .await
                .unwrap();
            assert_eq!(peer.message()["body"], "small");
            client.shutdown(PATIENCE).await.unwrap();
        });
        peer.quit();
    }
}
