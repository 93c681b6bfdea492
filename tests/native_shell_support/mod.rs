//! An in-memory network and a scripted broker for tests of the native shell (the client's
//! receiver thread) without a broker — the shell's counterpart of `tests/scripted_broker`.
//!
//! - [`Network`] is a [`Connector`]: each endpoint (`host:port`) is set to accept, refuse, or
//!   time out. An accepted connection is an in-memory pipe: the client's end is a
//!   [`Transport`], the broker's end ([`Peer`]) goes to the test, which plays the broker's
//!   part in a script (read the client's frames, write the broker's bytes, go silent, hang up).
//! - A pipe can refuse chunks over a size, as a multicast transport refuses a frame over its
//!   datagram size ([`TransportError::DatagramTooLarge`]), and stays open.
//!
//! Time is real (the shell's clock is `Instant`): scripts use short timeouts (tens of
//! milliseconds) and wait for conditions with generous bounds ([`PATIENCE`]), never for a
//! fixed time, so they hold on a loaded machine.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use stompwire::frame::{Command, Decoder, Frame, Item, Limits};
use stompwire::native::transport::{
    Connector, Endpoint, Recv, Transport, TransportConfig, TransportError,
};

/// Upper bound for anything a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// What an endpoint of the [`Network`] does with a connection attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Opens a pipe; its broker end waits in [`Network::accept`].
    Accept,
    /// Fails at once, as a closed port does (`ConnectionRefused`).
    Refuse,
    /// Fails as a connect timeout does (`TimedOut`).
    TimeOut,
}

#[derive(Default)]
struct NetworkState {
    behaviour: HashMap<String, Behaviour>,
    /// Per endpoint, the broker ends not yet taken.
    accepted: HashMap<String, VecDeque<Peer>>,
    /// Every attempt, in order: `host:port` and when.
    attempts: Vec<(String, Instant)>,
    /// Chunks over this size are refused (`None`: none are).
    refuse_over: Option<usize>,
}

/// In-memory endpoints, as a [`Connector`] for the client.
#[derive(Clone, Default)]
pub struct Network {
    state: Arc<(Mutex<NetworkState>, Condvar)>,
}

impl Network {
    /// A network where every endpoint accepts.
    pub fn new() -> Network {
        Network::default()
    }

    fn lock(&self) -> MutexGuard<'_, NetworkState> {
        self.state.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets what `host:port` does from now on (default [`Behaviour::Accept`]).
    pub fn set(&self, address: &str, behaviour: Behaviour) {
        self.lock().behaviour.insert(address.to_string(), behaviour);
    }

    /// Makes pipes opened from now on refuse chunks longer than `max` bytes.
    pub fn refuse_chunks_over(&self, max: usize) {
        self.lock().refuse_over = Some(max);
    }

    /// The attempts so far: `host:port` of each, in order.
    pub fn attempts(&self) -> Vec<String> {
        self.lock()
            .attempts
            .iter()
            .map(|(a, _)| a.clone())
            .collect()
    }

    /// When each attempt was made, in order.
    pub fn attempt_times(&self) -> Vec<Instant> {
        self.lock().attempts.iter().map(|(_, t)| *t).collect()
    }

    /// Waits until `count` attempts have been made; returns the attempts then.
    pub fn wait_for_attempts(&self, count: usize) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut state = self.lock();
        while state.attempts.len() < count {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("{count} attempts expected: {:?}", state.attempts));
            state = self.state.1.wait_timeout(state, left).unwrap().0;
        }
        state.attempts.iter().map(|(a, _)| a.clone()).collect()
    }

    /// The broker end of the next connection accepted at `address`, waiting for it.
    pub fn accept(&self, address: &str) -> Peer {
        let deadline = Instant::now() + PATIENCE;
        let mut state = self.lock();
        loop {
            if let Some(peer) = state
                .accepted
                .get_mut(address)
                .and_then(VecDeque::pop_front)
            {
                return peer;
            }
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| {
                    panic!("no connection to {address}; attempts: {:?}", state.attempts)
                });
            state = self.state.1.wait_timeout(state, left).unwrap().0;
        }
    }
}

impl Connector for Network {
    fn connect(
        &self,
        endpoint: &Endpoint,
        _config: &TransportConfig,
    ) -> Result<Box<dyn Transport>, TransportError> {
        let address = format!("{}:{}", endpoint.host, endpoint.port);
        let mut state = self.lock();
        state.attempts.push((address.clone(), Instant::now()));
        self.state.1.notify_all();
        let behaviour = state
            .behaviour
            .get(&address)
            .copied()
            .unwrap_or(Behaviour::Accept);
        let refused = |kind: io::ErrorKind| TransportError::Connect {
            peer: address.clone(),
            source: io::Error::from(kind),
        };
        match behaviour {
            Behaviour::Refuse => Err(refused(io::ErrorKind::ConnectionRefused)),
            Behaviour::TimeOut => Err(refused(io::ErrorKind::TimedOut)),
            Behaviour::Accept => {
                let pipe = Arc::new(Pipe::default());
                let client = ClientEnd {
                    pipe: pipe.clone(),
                    peer: address.clone(),
                    refuse_over: state.refuse_over,
                };
                let peer = Peer {
                    pipe,
                    decoder: Decoder::new(Limits::default()),
                    frames: VecDeque::new(),
                    heartbeats: 0,
                };
                state.accepted.entry(address).or_default().push_back(peer);
                self.state.1.notify_all();
                Ok(Box::new(client))
            }
        }
    }
}

#[derive(Default)]
struct PipeState {
    to_client: Vec<u8>,
    to_broker: VecDeque<Vec<u8>>,
    closed: bool,
}

/// The shared state of one in-memory connection.
#[derive(Default)]
struct Pipe {
    state: Mutex<PipeState>,
    cond: Condvar,
}

impl Pipe {
    fn lock(&self) -> MutexGuard<'_, PipeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn close(&self) {
        self.lock().closed = true;
        self.cond.notify_all();
    }
}

/// The client's end of a pipe.
struct ClientEnd {
    pipe: Arc<Pipe>,
    peer: String,
    refuse_over: Option<usize>,
}

impl Transport for ClientEnd {
    fn recv(&self, buf: &mut Vec<u8>, timeout: Option<Duration>) -> Result<Recv, TransportError> {
        let deadline = timeout.map(|t| Instant::now() + t.max(Duration::from_millis(1)));
        let mut state = self.pipe.lock();
        loop {
            if !state.to_client.is_empty() {
                let n = state.to_client.len();
                buf.append(&mut state.to_client);
                return Ok(Recv::Data(n));
            }
            if state.closed {
                return Ok(Recv::Closed);
            }
            state = match deadline {
                None => self.pipe.cond.wait(state).unwrap(),
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    None => return Ok(Recv::Timeout),
                    Some(left) => self.pipe.cond.wait_timeout(state, left).unwrap().0,
                },
            };
        }
    }

    fn send(&self, bytes: &[u8]) -> Result<(), TransportError> {
        let mut state = self.pipe.lock();
        if state.closed {
            return Err(TransportError::Closed);
        }
        if let Some(max) = self.refuse_over.filter(|max| bytes.len() > *max) {
            return Err(TransportError::DatagramTooLarge {
                size: bytes.len(),
                max,
            });
        }
        state.to_broker.push_back(bytes.to_vec());
        self.pipe.cond.notify_all();
        Ok(())
    }

    fn close(&self) {
        self.pipe.close();
    }

    fn peer(&self) -> &str {
        &self.peer
    }
}

/// The broker's end of a connection: the test reads the client's frames and writes the
/// broker's bytes.
pub struct Peer {
    pipe: Arc<Pipe>,
    decoder: Decoder,
    frames: VecDeque<Frame>,
    heartbeats: u64,
}

impl Peer {
    /// The next frame the client wrote (heart-beats counted apart), waiting up to
    /// [`PATIENCE`]; `None` when the client closed the connection first.
    pub fn next_frame(&mut self) -> Option<Frame> {
        self.next_frame_within(PATIENCE)
    }

    /// As [`Peer::next_frame`], waiting up to `timeout`; `None` also when the time passed.
    pub fn next_frame_within(&mut self, timeout: Duration) -> Option<Frame> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(frame) = self.frames.pop_front() {
                return Some(frame);
            }
            let chunk = {
                let mut state = self.pipe.lock();
                loop {
                    if let Some(chunk) = state.to_broker.pop_front() {
                        break chunk;
                    }
                    if state.closed {
                        return None;
                    }
                    let left = deadline.checked_duration_since(Instant::now())?;
                    state = self.pipe.cond.wait_timeout(state, left).unwrap().0;
                }
            };
            for item in self.decoder.feed(&chunk) {
                match item.expect("the client writes valid frames") {
                    Item::Frame(frame) => self.frames.push_back(frame),
                    Item::Heartbeat => self.heartbeats += 1,
                }
            }
        }
    }

    /// The next frame, which must be a `command`; panics otherwise.
    pub fn expect(&mut self, command: Command) -> Frame {
        match self.next_frame() {
            Some(frame) if frame.command == command => frame,
            other => panic!("expected {command}, got {other:?}"),
        }
    }

    /// Writes `bytes` to the client.
    pub fn write(&self, bytes: &[u8]) {
        let mut state = self.pipe.lock();
        state.to_client.extend_from_slice(bytes);
        self.pipe.cond.notify_all();
    }

    /// Reads CONNECT and answers CONNECTED (1.2) with `heart_beat` (`"sx,sy"`).
    pub fn handshake(&mut self, heart_beat: &str) -> Frame {
        let connect = self.expect(Command::Connect);
        self.write(&connected(heart_beat));
        connect
    }

    /// Hangs up.
    pub fn close(&self) {
        self.pipe.close();
    }

    /// Whether the connection is closed (by either side).
    pub fn is_closed(&self) -> bool {
        self.pipe.lock().closed
    }

    /// Waits until the client closes the connection; returns whether it did in time.
    pub fn wait_closed(&self) -> bool {
        let deadline = Instant::now() + PATIENCE;
        let mut state = self.pipe.lock();
        while !state.closed {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            state = self.pipe.cond.wait_timeout(state, left).unwrap().0;
        }
        true
    }

    /// Heart-beats the client wrote so far (of the chunks read).
    pub fn heartbeats(&self) -> u64 {
        self.heartbeats
    }
}

/// A STOMP 1.2 CONNECTED with `heart_beat` (`"sx,sy"`).
pub fn connected(heart_beat: &str) -> Vec<u8> {
    format!("CONNECTED\nversion:1.2\nheart-beat:{heart_beat}\n\n\0").into_bytes()
}

/// A RECEIPT for `id`.
pub fn receipt(id: &str) -> Vec<u8> {
    format!("RECEIPT\nreceipt-id:{id}\n\n\0").into_bytes()
}

/// An ERROR with `message`, naming `receipt_id` when given.
pub fn error(message: &str, receipt_id: Option<&str>) -> Vec<u8> {
    let mut frame = format!("ERROR\nmessage:{message}\n");
    if let Some(id) = receipt_id {
        frame.push_str(&format!("receipt-id:{id}\n"));
    }
    frame.push_str("\n\0");
    frame.into_bytes()
}

/// A MESSAGE for subscription `sub`.
pub fn message(sub: &str, id: &str, body: &str) -> Vec<u8> {
    format!(
        "MESSAGE\nsubscription:{sub}\nmessage-id:{id}\ndestination:/queue/a\ncontent-length:{}\n\n{body}\0",
        body.len()
    )
    .into_bytes()
}

/// Waits until `done` holds, checking whenever `wait` returns (it should block briefly on
/// something that changes), up to [`PATIENCE`]; returns whether it held.
pub fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}
