//! The async client's driver over an in-memory runtime — a scripted peer standing in for the
//! broker, for what no real broker shows: how many writes the driver makes, how much one read
//! delivers, and what a hostile peer's bytes do. It also shows that a runtime is only the
//! [`Runtime`] and [`Connection`] traits: nothing of the protocol lives in it.
//! Allocations are counted per thread by a counting allocator (the runtime is single-threaded).
#![cfg(all(feature = "tokio", not(target_arch = "wasm32")))]
// A global allocator is an `unsafe impl`; the package denies `unsafe` everywhere else.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use std::collections::VecDeque;
use std::future::{Ready, poll_fn, ready};
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_core::Stream;
use stompwire::client::{
    Client, Config, Connection, ConnectionEvent, DirectWrite, Driver, Error, OpenError, Refused,
    Runtime, Timer,
};
use stompwire::frame::Headers;
use stompwire::reconnect::{Backoff, Endpoint, MaxAttempts, Pacing, Policy};
use stompwire::session::{AckMode, CloseReason, LostReason};

thread_local! {
    /// Allocations made on this thread while [`COUNTING`] is on.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

/// The system allocator, counting the allocations of a thread that asks for it. It reads only
/// constant-initialised thread-locals, which never allocate.
struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Turns the counting of this thread's allocations on or off; the count so far.
fn count_allocations(on: bool) -> usize {
    COUNTING.with(|c| c.set(on));
    ALLOCATIONS.with(Cell::get)
}

/// The allocations this thread makes in `f` (a reallocation counts as one).
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = count_allocations(true);
    let out = f();
    (out, count_allocations(false) - before)
}

/// The peer's side of every connection opened, newest last.
#[derive(Default)]
struct Wire {
    /// Bytes for the client to read, per read call as pushed.
    inbound: VecDeque<Vec<u8>>,
    /// Each write call's bytes.
    writes: Vec<Vec<u8>>,
    closed: bool,
    reader: Option<Waker>,
    /// Like TLS or WebSocket: written bytes wait in the connection until a flush.
    buffering: bool,
    buffered: Vec<u8>,
    /// A flush does not complete until [`Peer::finish_flush`]; the flusher waits here.
    flush_blocked: bool,
    flusher: Option<Waker>,
    /// Writes containing this are taken and refused, as a multicast group refuses a frame
    /// larger than a datagram; the refusal names this receipt.
    refuse: Option<(String, String)>,
    refused: VecDeque<Refused>,
    /// Writes made through the connection's [`DirectWrite`] (on a sender's thread).
    direct_writes: usize,
}

/// What the connections' [`DirectWrite`] does, as a plain TCP socket can.
#[derive(Clone, Copy, Debug, Default)]
enum Direct {
    /// The connection has none (as TLS, WebSocket).
    #[default]
    Off,
    /// It takes every write.
    Takes,
    /// It takes this many bytes, then would block (a full socket buffer).
    TakesPrefix(usize),
    /// It fails (a broken connection).
    Fails(io::ErrorKind),
}

#[derive(Clone, Default)]
struct Peer(Arc<Mutex<Vec<Arc<Mutex<Wire>>>>>, Arc<Mutex<Direct>>);

impl Peer {
    fn wire(&self, n: usize) -> Arc<Mutex<Wire>> {
        self.0.lock().unwrap()[n].clone()
    }
    fn connections(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    /// Sends `bytes` to the client on connection `n`, as one read.
    fn push(&self, n: usize, bytes: &[u8]) {
        let wire = self.wire(n);
        let mut wire = wire.lock().unwrap();
        wire.inbound.push_back(bytes.to_vec());
        if let Some(w) = wire.reader.take() {
            w.wake();
        }
    }
    fn writes(&self, n: usize) -> Vec<Vec<u8>> {
        self.wire(n).lock().unwrap().writes.clone()
    }
    /// The peer closes connection `n`.
    fn close(&self, n: usize) {
        let wire = self.wire(n);
        let mut wire = wire.lock().unwrap();
        wire.closed = true;
        if let Some(w) = wire.reader.take() {
            w.wake();
        }
    }
    /// Everything written on connection `n`, as text.
    fn text(&self, n: usize) -> String {
        self.writes(n)
            .iter()
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect()
    }
    /// Connection `n` holds writes until a flush, and its flushes wait.
    fn hold_writes(&self, n: usize) {
        let wire = self.wire(n);
        let mut wire = wire.lock().unwrap();
        wire.buffering = true;
        wire.flush_blocked = true;
    }
    /// The socket of connection `n` can take the held bytes: a waiting flush is woken.
    fn finish_flush(&self, n: usize) {
        let wire = self.wire(n);
        let mut wire = wire.lock().unwrap();
        wire.flush_blocked = false;
        if let Some(w) = wire.flusher.take() {
            w.wake();
        }
    }
}

struct MemoryConnection(Arc<Mutex<Wire>>, Direct);

/// The connection's [`DirectWrite`].
struct MemoryDirect(Arc<Mutex<Wire>>, Direct);

impl DirectWrite for MemoryDirect {
    fn try_write(&self, bytes: &[u8]) -> io::Result<usize> {
        let mut wire = self.0.lock().unwrap();
        let n = match self.1 {
            Direct::Off => unreachable!("no DirectWrite when off"),
            Direct::Takes => bytes.len(),
            Direct::TakesPrefix(n) if wire.direct_writes == 0 => n.min(bytes.len()),
            Direct::TakesPrefix(_) => return Err(io::ErrorKind::WouldBlock.into()),
            Direct::Fails(kind) => return Err(kind.into()),
        };
        wire.direct_writes += 1;
        wire.writes.push(bytes[..n].to_vec());
        Ok(n)
    }
}

impl Connection for MemoryConnection {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut wire = self.0.lock().unwrap();
        if let Some(mut chunk) = wire.inbound.pop_front() {
            let n = chunk.len().min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            if n < chunk.len() {
                wire.inbound.push_front(chunk.split_off(n));
            }
            return Poll::Ready(Ok(n));
        }
        if wire.closed {
            return Poll::Ready(Ok(0));
        }
        wire.reader = Some(cx.waker().clone());
        Poll::Pending
    }

    fn poll_write(&mut self, _: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        let mut wire = self.0.lock().unwrap();
        if let Some((marker, receipt)) = wire.refuse.clone() {
            if String::from_utf8_lossy(bytes).contains(&marker) {
                wire.refused.push_back(Refused {
                    receipt: Some(receipt),
                    error: io::Error::new(io::ErrorKind::InvalidInput, "too large"),
                });
                return Poll::Ready(Ok(bytes.len()));
            }
        }
        if wire.buffering {
            wire.buffered.extend_from_slice(bytes);
        } else {
            wire.writes.push(bytes.to_vec());
        }
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut wire = self.0.lock().unwrap();
        if wire.flush_blocked {
            wire.flusher = Some(cx.waker().clone());
            return Poll::Pending;
        }
        if !wire.buffered.is_empty() {
            let held = std::mem::take(&mut wire.buffered);
            wire.writes.push(held);
        }
        Poll::Ready(Ok(()))
    }

    fn poll_close(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.lock().unwrap().closed = true;
        Poll::Ready(Ok(()))
    }

    fn take_refused(&mut self) -> Option<Refused> {
        self.0.lock().unwrap().refused.pop_front()
    }

    fn direct_writer(&self) -> Option<Arc<dyn DirectWrite>> {
        match self.1 {
            Direct::Off => None,
            mode => Some(Arc::new(MemoryDirect(self.0.clone(), mode))),
        }
    }
}

struct TokioTimer(Pin<Box<tokio::time::Sleep>>, Option<u64>);

impl Timer for TokioTimer {
    fn poll_until(&mut self, cx: &mut Context<'_>, deadline_ms: u64) -> Poll<()> {
        if self.1 != Some(deadline_ms) {
            self.1 = Some(deadline_ms);
            let wait = deadline_ms.saturating_sub(MemoryRuntime::now_ms());
            self.0
                .as_mut()
                .reset(tokio::time::Instant::now() + Duration::from_millis(wait));
        }
        self.0.as_mut().poll(cx)
    }
}

struct MemoryRuntime(Peer);

impl Runtime for MemoryRuntime {
    type Connection = MemoryConnection;
    type Open = Ready<Result<MemoryConnection, OpenError>>;
    type Timer = TokioTimer;

    fn open(&self, _: &Endpoint) -> Self::Open {
        let wire = Arc::new(Mutex::new(Wire::default()));
        self.0.0.lock().unwrap().push(wire.clone());
        let direct = *self.0.1.lock().unwrap();
        ready(Ok(MemoryConnection(wire, direct)))
    }

    fn timer(&self) -> TokioTimer {
        TokioTimer(Box::pin(tokio::time::sleep(Duration::ZERO)), None)
    }

    fn now_ms() -> u64 {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_millis() as u64
    }

    fn random(&self) -> u32 {
        4
    }

    fn spawn(driver: Driver<MemoryRuntime>) {
        tokio::spawn(driver);
    }
}

fn run(body: impl Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(20), body)
                .await
                .expect("the test ran out of time")
        });
}

// Built from the default field by field: the policy may gain fields.
#[allow(clippy::field_reassign_with_default)]
fn config() -> Config {
    let mut policy = Policy::default();
    policy.backoff = Backoff::fixed(10);
    policy.pacing = Pacing::PerAttempt;
    policy.max_attempts = MaxAttempts::Total(5);
    let mut config = Config::from_url("tcp://broker.invalid:61613")
        .unwrap()
        .heart_beat(0, 0)
        .policy(policy);
    // Every connection counts as a success at once: these tests are about the driver, not
    // about the supervisor's stability window (tests/reconnect_supervisor.rs has those).
    config.supervisor.stable_after_ms = 0;
    config
}

/// Waits (bounded) until the peer's connection `n` has a write containing `what`.
async fn written(peer: &Peer, n: usize, what: &str) {
    for _ in 0..1000 {
        if peer.connections() > n
            && peer
                .writes(n)
                .iter()
                .any(|w| String::from_utf8_lossy(w).contains(what))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("{what:?} never written on connection {n}");
}

async fn connected(peer: &Peer) -> Client {
    let client = Client::start(MemoryRuntime(peer.clone()), config());
    written(peer, 0, "CONNECT").await;
    peer.push(0, b"CONNECTED\nversion:1.2\n\n\0");
    client.connected().await.unwrap();
    client
}

#[test]
fn frames_that_are_ready_together_go_out_in_one_write() {
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        let before = peer.writes(0).len();
        // Ten sends without yielding: the driver runs once, after them.
        for i in 0..10 {
            client.send("/queue/a", format!("m{i}")).await.unwrap();
        }
        written(&peer, 0, "m9").await;
        let writes = peer.writes(0);
        assert_eq!(
            writes.len(),
            before + 1,
            "one write for the ten SEND frames"
        );
        let last = String::from_utf8(writes[before].clone()).unwrap();
        assert_eq!(last.matches("SEND\n").count(), 10);
    });
}

/// Waits until the clock's millisecond has changed: a send then finds no write made "just now".
async fn next_millisecond() {
    let start = MemoryRuntime::now_ms();
    while MemoryRuntime::now_ms() == start {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A connected client whose connections have a [`DirectWrite`] that does as `direct` says.
async fn connected_direct(peer: &Peer, direct: Direct) -> Client {
    *peer.1.lock().unwrap() = direct;
    connected(peer).await
}

#[test]
fn a_send_on_an_idle_connection_is_written_at_once_and_a_burst_after_it_in_one_write() {
    run(async {
        let peer = Peer::default();
        let client = connected_direct(&peer, Direct::Takes).await;
        next_millisecond().await;
        let before = peer.writes(0).len();
        client.send("/queue/a", "alone").await.unwrap();
        // Written by the send itself: the driver has not run since (nothing yielded).
        let wire = peer.wire(0);
        assert_eq!(wire.lock().unwrap().direct_writes, 1, "the send wrote it");
        assert!(peer.text(0).contains("alone"));
        // Frames sent right after it, in the same millisecond, are the driver's to write
        // together (the driver runs once, when this task yields).
        let start = MemoryRuntime::now_ms();
        for i in 0..10 {
            client.send("/queue/a", format!("m{i}")).await.unwrap();
        }
        let same_millisecond = MemoryRuntime::now_ms() == start;
        written(&peer, 0, "m9").await;
        let writes = peer.writes(0);
        if same_millisecond {
            assert_eq!(
                writes.len(),
                before + 2,
                "the direct one, then one for the ten"
            );
            assert_eq!(wire.lock().unwrap().direct_writes, 1);
        }
        // Whoever wrote them: every frame once, in the order sent.
        let text = peer.text(0);
        let mut at = text.find("alone").unwrap();
        for i in 0..10 {
            let next = text[at..].find(&format!("\n\nm{i}\0")).expect("in order") + at;
            at = next;
        }
        assert_eq!(text.matches("SEND\n").count(), 11);
    });
}

#[test]
fn what_a_full_socket_did_not_take_of_a_direct_write_the_driver_writes() {
    run(async {
        let peer = Peer::default();
        let client = connected_direct(&peer, Direct::TakesPrefix(7)).await;
        next_millisecond().await;
        let before = peer.writes(0).len();
        client.send("/queue/a", "whole-body").await.unwrap();
        written(&peer, 0, "whole-body").await;
        let writes = peer.writes(0);
        let sent: Vec<u8> = writes[before..].concat();
        let sent = String::from_utf8(sent).unwrap();
        assert!(sent.starts_with("SEND\ndes"), "{sent:?}");
        assert_eq!(
            writes[before], b"SEND\nde",
            "the direct write's prefix first"
        );
        assert_eq!(sent.matches("whole-body\0").count(), 1, "{sent:?}");
        assert!(sent.ends_with("whole-body\0"), "{sent:?}");
        // The connection goes on.
        client.send("/queue/a", "next").await.unwrap();
        written(&peer, 0, "next").await;
    });
}

#[test]
fn a_failed_direct_write_ends_the_connection_with_its_error_and_it_reconnects() {
    run(async {
        let peer = Peer::default();
        let client = connected_direct(&peer, Direct::Fails(io::ErrorKind::BrokenPipe)).await;
        let mut events = client.events();
        next_millisecond().await;
        client.send("/queue/a", "lost").await.unwrap();
        let mut seen = Vec::new();
        loop {
            let event = poll_fn(|cx| Pin::new(&mut events).poll_next(cx))
                .await
                .unwrap();
            match event {
                ConnectionEvent::TransportError { error, .. } => {
                    seen.push(format!("transport {:?}", error.kind()))
                }
                ConnectionEvent::Disconnected { .. } => seen.push("disconnected".into()),
                ConnectionEvent::Reconnecting { .. } => break,
                _ => {}
            }
        }
        assert!(
            seen.contains(&"transport BrokenPipe".to_owned())
                && seen.contains(&"disconnected".to_owned()),
            "{seen:?}"
        );
        written(&peer, 1, "CONNECT").await;
    });
}

#[test]
fn a_receipt_sent_by_a_direct_write_still_times_out() {
    run(async {
        let peer = Peer::default();
        *peer.1.lock().unwrap() = Direct::Takes;
        let client = Client::start(
            MemoryRuntime(peer.clone()),
            config().receipt_timeout_ms(Some(50)),
        );
        written(&peer, 0, "CONNECT").await;
        peer.push(0, b"CONNECTED\nversion:1.2\n\n\0");
        client.connected().await.unwrap();
        next_millisecond().await;
        // 50 ms, not whenever the driver next wakes for something else.
        let err = tokio::time::timeout(
            Duration::from_secs(2),
            client.send_with_receipt("/queue/a", Headers::new(), "unconfirmed"),
        )
        .await
        .expect("the driver armed the receipt's deadline")
        .unwrap_err();
        assert!(
            peer.wire(0).lock().unwrap().direct_writes >= 1,
            "written by the send"
        );
        assert!(matches!(err, Error::ReceiptTimedOut { .. }), "{err:?}");
    });
}

#[test]
fn a_flush_that_has_to_wait_is_finished_when_the_socket_can_take_the_bytes() {
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        // As over TLS: the write is taken into the connection's buffer, the flush waits.
        peer.hold_writes(0);
        client.send("/queue/a", "held").await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !peer
                .writes(0)
                .iter()
                .any(|w| String::from_utf8_lossy(w).contains("held")),
            "nothing reaches the peer before the flush"
        );
        // Nothing more is written; the flush alone must still happen.
        peer.finish_flush(0);
        written(&peer, 0, "held").await;
    });
}

#[test]
fn a_frame_the_connection_refuses_fails_its_receipt_and_the_connection_stays_open() {
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        let mut events = client.events();
        peer.wire(0).lock().unwrap().refuse = Some(("too-large".into(), "r-big".into()));
        let mut headers = Headers::new();
        headers.push("receipt", "r-big");
        let err = client
            .send_with_receipt("/queue/a", headers, "too-large")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::ReceiptLost { id, reason: LostReason::NotSent } if id == "r-big"),
            "{err:?}"
        );
        let event = poll_fn(|cx| Pin::new(&mut events).poll_next(cx)).await;
        match event {
            Some(ConnectionEvent::Refused { receipt, error, .. }) => {
                assert_eq!(receipt.as_deref(), Some("r-big"));
                assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
            }
            other => panic!("expected Refused, got {other:?}"),
        }
        // The same connection carries the next frame.
        assert!(client.is_connected());
        client.send("/queue/a", "small").await.unwrap();
        written(&peer, 0, "small").await;
        assert_eq!(peer.connections(), 1, "no reconnect");
    });
}

#[test]
fn one_read_delivers_every_frame_it_holds() {
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        let mut messages = client.subscribe("/queue/a", AckMode::Auto).unwrap();
        written(&peer, 0, "SUBSCRIBE").await;
        let mut chunk = Vec::new();
        for i in 0..100 {
            chunk.extend_from_slice(
                format!(
                    "MESSAGE\nsubscription:sub-0\ndestination:/queue/a\nmessage-id:{i}\n\nm{i}\0"
                )
                .as_bytes(),
            );
        }
        peer.push(0, &chunk);
        for i in 0..100 {
            let m = poll_fn(|cx| Pin::new(&mut messages).poll_next(cx))
                .await
                .unwrap();
            assert_eq!(m.body(), format!("m{i}").as_bytes());
        }
    });
}

#[test]
fn undecodable_bytes_end_the_connection_with_the_reason_and_it_reconnects() {
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        let mut events = client.events();
        peer.push(0, b"MESSAGE\nbad header line without colon\n\n\0");
        let mut reasons = Vec::new();
        loop {
            let event = poll_fn(|cx| Pin::new(&mut events).poll_next(cx))
                .await
                .unwrap();
            match event {
                ConnectionEvent::Disconnected { reason } => reasons.push(reason),
                ConnectionEvent::Reconnecting { attempt, .. } => {
                    assert_eq!(attempt, 0, "the first attempt since the connection");
                    break;
                }
                _ => {}
            }
        }
        assert!(
            matches!(reasons[..], [CloseReason::Protocol(_)]),
            "{reasons:?}"
        );
        // The next connection opens and CONNECTs again; sends fail fast until CONNECTED.
        written(&peer, 1, "CONNECT").await;
        assert!(matches!(
            client.send("/queue/a", "x").await,
            Err(stompwire::client::Error::NotConnected)
        ));
        peer.push(1, b"CONNECTED\nversion:1.2\n\n\0");
        client.connected().await.unwrap();
        for _ in 0..100 {
            if client.is_connected() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        client.send("/queue/a", "after").await.unwrap();
        written(&peer, 1, "after").await;
    });
}

#[test]
fn a_receipt_the_session_gives_up_on_fails_the_future_with_its_outcome() {
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        let sender = client.clone();
        let pending = tokio::spawn(async move {
            sender
                .send_with_receipt("/queue/a", Headers::new(), "x")
                .await
        });
        written(&peer, 0, "receipt:").await;
        // The broker refuses the frame: an ERROR naming the receipt.
        peer.push(0, b"ERROR\nreceipt-id:rcpt-0\nmessage:no\n\n\0");
        match pending.await.unwrap() {
            Err(stompwire::client::Error::ReceiptLost { id, .. }) => assert_eq!(id, "rcpt-0"),
            other => panic!("expected a lost receipt, got {other:?}"),
        }
    });
}

#[test]
fn heart_beats_go_out_on_time_and_a_silent_server_is_closed_and_reconnected() {
    run(async {
        let peer = Peer::default();
        // Sends every 50 ms at best, wants the server's every 100 ms.
        let client = Client::start(MemoryRuntime(peer.clone()), config().heart_beat(50, 100));
        let mut events = client.events();
        written(&peer, 0, "CONNECT").await;
        // The server sends every 100 ms at best and wants the client's every 100 ms: both
        // ways 100 ms; the server then says nothing at all.
        let opened = std::time::Instant::now();
        peer.push(0, b"CONNECTED\nversion:1.2\nheart-beat:100,100\n\n\0");
        client.connected().await.unwrap();
        let reason = loop {
            match poll_fn(|cx| Pin::new(&mut events).poll_next(cx))
                .await
                .unwrap()
            {
                ConnectionEvent::Disconnected { reason } => break reason,
                _ => continue,
            }
        };
        assert_eq!(reason, CloseReason::HeartbeatTimeout);
        // The session's deadline (the interval times 1.5) came from the driver's timer.
        assert!(
            opened.elapsed() >= Duration::from_millis(150),
            "{:?}",
            opened.elapsed()
        );
        let beats = peer
            .writes(0)
            .iter()
            .filter(|w| w.as_slice() == b"\n")
            .count();
        assert!(beats >= 1, "the client sent heart-beats while it waited");
        written(&peer, 1, "CONNECT").await;
    });
}

/// The next message of `messages`.
async fn next_message(
    messages: &mut stompwire::client::Subscription,
) -> stompwire::client::Message {
    poll_fn(|cx| Pin::new(&mut *messages).poll_next(cx))
        .await
        .expect("a message")
}

/// Waits (bounded) for the next `Disconnected` event and its reason.
async fn disconnected(events: &mut stompwire::client::Events) -> CloseReason {
    loop {
        match poll_fn(|cx| Pin::new(&mut *events).poll_next(cx)).await {
            Some(ConnectionEvent::Disconnected { reason }) => return reason,
            Some(_) => continue,
            None => panic!("the events ended"),
        }
    }
}

#[test]
fn a_subscription_dropped_while_reconnecting_is_not_replayed() {
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        let gone = client.subscribe("/queue/gone", AckMode::Auto).unwrap();
        let kept = client.subscribe("/queue/kept", AckMode::Auto).unwrap();
        written(&peer, 0, "/queue/kept").await;
        let (gone_id, kept_id) = (gone.id().to_owned(), kept.id().to_owned());
        peer.close(0);
        // The next connection is open and CONNECT sent: no session is open.
        written(&peer, 1, "CONNECT").await;
        drop(gone);
        peer.push(1, b"CONNECTED\nversion:1.2\n\n\0");
        written(&peer, 1, "SUBSCRIBE").await;
        client.send("/queue/kept", "after").await.unwrap();
        written(&peer, 1, "after").await;
        let text = peer.text(1);
        assert!(text.contains(&format!("id:{kept_id}\n")), "{text}");
        assert!(
            !text.contains(&format!("id:{gone_id}\n")),
            "the dropped subscription is neither replayed nor unsubscribed: {text}"
        );
        assert!(!text.contains("UNSUBSCRIBE"), "{text}");
    });
}

#[test]
fn a_receipt_id_already_awaited_fails_with_its_typed_error() {
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        let mine = || {
            let mut h = Headers::new();
            h.push("receipt", "mine");
            h
        };
        let sender = client.clone();
        let first =
            tokio::spawn(async move { sender.send_with_receipt("/queue/a", mine(), "one").await });
        written(&peer, 0, "receipt:mine").await;
        match client.send_with_receipt("/queue/a", mine(), "two").await {
            Err(stompwire::client::Error::DuplicateReceipt { id }) => assert_eq!(id, "mine"),
            other => panic!("expected DuplicateReceipt, got {other:?}"),
        }
        client.send("/queue/a", "marker").await.unwrap();
        written(&peer, 0, "marker").await;
        assert!(
            !peer.text(0).contains("two"),
            "the refused frame is not sent"
        );
        // The first waiter still gets its receipt.
        peer.push(0, b"RECEIPT\nreceipt-id:mine\n\n\0");
        first.await.unwrap().unwrap();
    });
}

#[test]
fn a_message_taken_after_a_reconnect_is_not_acknowledged_on_the_new_connection() {
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        let mut messages = client
            .subscribe("/queue/a", AckMode::ClientIndividual)
            .unwrap();
        written(&peer, 0, "SUBSCRIBE").await;
        peer.push(
            0,
            b"MESSAGE\nsubscription:sub-0\ndestination:/queue/a\nmessage-id:1\nack:old-1\n\nold\0",
        );
        // The message waits in the buffer while the connection drops and comes back.
        while messages.buffered() == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        peer.close(0);
        written(&peer, 1, "CONNECT").await;
        peer.push(1, b"CONNECTED\nversion:1.2\n\n\0");
        written(&peer, 1, "SUBSCRIBE").await;
        let old = next_message(&mut messages).await;
        assert_eq!(old.body(), b"old");
        assert!(matches!(
            old.ack(),
            Err(stompwire::client::Error::StaleMessage)
        ));
        // One from this connection is acknowledged.
        peer.push(
            1,
            b"MESSAGE\nsubscription:sub-0\ndestination:/queue/a\nmessage-id:2\nack:new-2\n\nnew\0",
        );
        next_message(&mut messages).await.ack().unwrap();
        written(&peer, 1, "id:new-2").await;
        assert!(!peer.text(1).contains("old-1"), "{}", peer.text(1));
    });
}

#[test]
fn only_the_supervisor_times_out_a_missing_connected() {
    run(async {
        let peer = Peer::default();
        let mut config = config().connect_timeout_ms(300);
        // A session timeout of its own would close the attempt first.
        config.session.connect_timeout_ms = Some(20);
        let client = Client::start(MemoryRuntime(peer.clone()), config);
        let mut events = client.events();
        written(&peer, 0, "CONNECT").await;
        let opened = std::time::Instant::now();
        assert_eq!(disconnected(&mut events).await, CloseReason::ConnectTimeout);
        assert!(
            opened.elapsed() >= Duration::from_millis(250),
            "closed after {:?}: not the supervisor's 300 ms",
            opened.elapsed()
        );
        written(&peer, 1, "CONNECT").await;
    });
}

/// A waker that counts its clones: every clone holds the `Arc`.
struct Counted;
impl std::task::Wake for Counted {
    fn wake(self: Arc<Self>) {}
}

#[test]
fn a_future_polled_many_times_keeps_one_waker() {
    run(async {
        let peer = Peer::default();
        let client = Client::start(MemoryRuntime(peer.clone()), config());
        written(&peer, 0, "CONNECT").await;
        let counted = Arc::new(Counted);
        let waker = Waker::from(counted.clone());
        let mut cx = Context::from_waker(&waker);
        {
            let mut connecting = std::pin::pin!(client.connected());
            for _ in 0..1000 {
                assert!(connecting.as_mut().poll(&mut cx).is_pending());
            }
            assert!(
                Arc::strong_count(&counted) <= 3,
                "{} wakers kept for one waiting task",
                Arc::strong_count(&counted)
            );
        }
        peer.push(0, b"CONNECTED\nversion:1.2\n\n\0");
        client.connected().await.unwrap();
        // A shutdown that waits for a message in flight, polled over and over.
        let mut messages = client
            .subscribe("/queue/a", AckMode::ClientIndividual)
            .unwrap();
        written(&peer, 0, "SUBSCRIBE").await;
        peer.push(
            0,
            b"MESSAGE\nsubscription:sub-0\ndestination:/queue/a\nmessage-id:1\nack:1\n\nx\0",
        );
        let message = next_message(&mut messages).await;
        let before = Arc::strong_count(&counted);
        let mut stopping = std::pin::pin!(client.clone().shutdown(Duration::from_secs(10)));
        for _ in 0..1000 {
            assert!(stopping.as_mut().poll(&mut cx).is_pending());
        }
        assert!(
            Arc::strong_count(&counted) <= before + 2,
            "{} wakers kept for one waiting task",
            Arc::strong_count(&counted) - before
        );
        message.ack().unwrap();
        // The broker confirms the DISCONNECT.
        let broker = peer.clone();
        tokio::spawn(async move {
            written(&broker, 0, "DISCONNECT").await;
            let text = broker.text(0);
            let at = text
                .rfind("DISCONNECT\nreceipt:")
                .expect("a DISCONNECT receipt")
                + 19;
            let id = &text[at..at + text[at..].find('\n').unwrap()];
            broker.push(0, format!("RECEIPT\nreceipt-id:{id}\n\n\0").as_bytes());
        });
        stopping.await.unwrap();
    });
}

/// `n` MESSAGE frames of subscription `sub-0`, numbered from `from`, as one read.
fn messages_chunk(from: usize, n: usize) -> Vec<u8> {
    let mut chunk = Vec::new();
    for i in from..from + n {
        chunk.extend_from_slice(
            format!(
                "MESSAGE\nsubscription:sub-0\ndestination:/queue/a\nmessage-id:{i}\ncontent-length:4\n\nbody\0"
            )
            .as_bytes(),
        );
    }
    chunk
}

#[test]
fn a_message_on_its_way_to_the_stream_allocates_no_more_than_its_frame() {
    const N: usize = 500;
    // What the frames themselves cost: the decoder alone, on the same bytes.
    let chunk = messages_chunk(0, N);
    let mut decoder = stompwire::frame::Decoder::new(stompwire::frame::Limits::default());
    let (frames, frames_alone) = allocations(|| {
        decoder
            .feed(&chunk)
            .try_fold(0, |n, item| item.map(|_| n + 1))
    });
    assert_eq!(frames, Ok(N));
    run(async {
        let peer = Peer::default();
        let client = connected(&peer).await;
        let mut messages = client.subscribe("/queue/a", AckMode::Auto).unwrap();
        written(&peer, 0, "SUBSCRIBE").await;
        // A first run, for the buffers to reach their size.
        peer.push(0, &messages_chunk(0, N));
        for _ in 0..N {
            next_message(&mut messages).await;
        }
        let chunk = messages_chunk(N, N);
        // The peer's copy of the read is its own, made before the count.
        peer.push(0, &chunk);
        let mut client_total = 0;
        for i in N..2 * N {
            let before = count_allocations(true);
            let m = next_message(&mut messages).await;
            client_total += count_allocations(false) - before;
            assert_eq!(m.frame().header("message-id"), Some(i.to_string().as_str()));
        }
        eprintln!(
            "{N} frames: {frames_alone} allocations decoded alone, {client_total} through the client"
        );
        // The frames are decoded on this thread: a count that missed the driver would be 0.
        assert!(
            client_total >= frames_alone,
            "{client_total} allocations counted for {N} messages: fewer than their frames'"
        );
        assert!(
            client_total <= frames_alone + N / 50,
            "{client_total} allocations for {N} messages, their frames alone {frames_alone}"
        );
    });
}
