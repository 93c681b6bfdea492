//! What the `native_client*` integration tests share: the brokers under test, client set-up,
//! unique queue names, bounded waits and a minimal executor for `.await`ing receipts.
//!
//! Broker addresses come from the environment, with the defaults of `scripts/brokers.sh`:
//! `STOMPWIRE_RABBIT_TCP` (127.0.0.1:61613), `STOMPWIRE_RABBIT_TLS` (127.0.0.1:61614),
//! `STOMPWIRE_RABBIT_WS` (ws://127.0.0.1:15674/ws), `STOMPWIRE_ACTIVEMQ_TCP`
//! (127.0.0.1:61633), `STOMPWIRE_TLS_DIR` (/var/tmp/stompwire-brokers/tls).
//!
//! **Connections closed by someone else.** `scripts/brokers.sh close-connections` (run by
//! `native_client_reconnect.rs`, or by any other test run on the machine) makes RabbitMQ drop
//! every client connection. Cargo never runs two test binaries at once, but a run started
//! elsewhere against the same brokers may. Such a close is recognisable: RabbitMQ first sends
//! an ERROR saying `server_initiated_close`. [`retry_if_closed_by_admin`] runs a test again,
//! once, when one arrived while it ran and it failed; a failure without one is never retried.
#![allow(dead_code)]

use std::future::Future;
use std::panic::{RefUnwindSafe, catch_unwind, resume_unwind};
use std::path::PathBuf;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use stompwire::frame::{Frame, Headers, Version};
use stompwire::native::listener::{Listener, TestListener};
use stompwire::native::transport::{ClientIdentity, TlsConfig};
use stompwire::native::{Client, ClientConfig, Messages};
use stompwire::session::AckMode;

/// Upper bound for anything a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A broker and the way the client reaches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broker {
    /// RabbitMQ, STOMP over TCP.
    RabbitTcp,
    /// RabbitMQ Web-STOMP (tungstenite; the broker sends binary WebSocket frames).
    RabbitWs,
    /// RabbitMQ, STOMP over TLS (rustls), trusting the test CA.
    RabbitTls,
    /// ActiveMQ, STOMP over TCP.
    ActiveMq,
}

impl Broker {
    /// Whether this is RabbitMQ (by any transport).
    pub fn is_rabbit(self) -> bool {
        self != Broker::ActiveMq
    }

    /// The broker URL.
    pub fn url(self) -> String {
        match self {
            Broker::RabbitTcp => format!(
                "tcp://{}",
                env_or("STOMPWIRE_RABBIT_TCP", "127.0.0.1:61613")
            ),
            Broker::RabbitTls => format!(
                "ssl://{}",
                env_or("STOMPWIRE_RABBIT_TLS", "127.0.0.1:61614")
            ),
            Broker::RabbitWs => env_or("STOMPWIRE_RABBIT_WS", "ws://127.0.0.1:15674/ws"),
            Broker::ActiveMq => {
                format!(
                    "tcp://{}",
                    env_or("STOMPWIRE_ACTIVEMQ_TCP", "127.0.0.1:61633")
                )
            }
        }
    }

    /// A configuration offering only `version`, with the broker's credentials, no heart-beats
    /// (tests that want them ask) and the test CA for TLS.
    pub fn config(self, version: Version) -> ClientConfig {
        let mut config = ClientConfig::from_url(&self.url())
            .unwrap_or_else(|e| panic!("{}: {e}", self.url()))
            .versions(&[version])
            .heart_beat(0, 0);
        config = if self.is_rabbit() {
            config.credentials("guest", "guest").vhost("/")
        } else {
            config.credentials("stompwire", "anything")
        };
        config.transport.tls = tls_config("ca.pem");
        config
    }
}

/// `$var`, or `default` when unset or empty.
pub fn env_or(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// `host:port` of `$var` (which may carry a scheme and a path).
pub fn host_port(var: &str, default: &str) -> (String, u16) {
    let value = env_or(var, default);
    let rest = value.split_once("://").map_or(value.as_str(), |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (host, port) = authority
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("{var}={value}: expected host:port"));
    let port = port
        .parse()
        .unwrap_or_else(|_| panic!("{var}={value}: bad port"));
    (host.to_string(), port)
}

/// The directory of the test certificates.
pub fn tls_dir() -> PathBuf {
    PathBuf::from(env_or(
        "STOMPWIRE_TLS_DIR",
        "/var/tmp/stompwire-brokers/tls",
    ))
}

/// Trusts only `ca` (a file of the test certificate directory); presents the test client
/// certificate, for brokers that ask for one.
pub fn tls_config(ca: &str) -> TlsConfig {
    let dir = tls_dir();
    let (cert, key) = (dir.join("client.pem"), dir.join("client-key.pem"));
    TlsConfig::with_ca_file(dir.join(ca)).with_client_identity(
        (cert.exists() && key.exists()).then_some(ClientIdentity {
            cert_file: cert,
            key_file: key,
        }),
    )
}

/// A queue no other test, and no earlier run, uses.
pub fn unique_queue(name: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "/queue/stompwire-client-{name}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A connected client and the test listener set on it (as `"test"`).
pub struct Conn {
    /// The client.
    pub client: Client,
    /// What the client's callbacks saw.
    pub seen: Arc<TestListener>,
}

impl Conn {
    /// Frames written so far by user calls (`on_send`).
    pub fn frames_sent(&self) -> u64 {
        self.seen.stats().messages_sent
    }

    /// Ends the session gracefully; panics if that fails.
    pub fn disconnect(self) {
        self.client
            .disconnect()
            .unwrap_or_else(|e| panic!("graceful disconnect: {e}"));
    }
}

/// ERROR frames of RabbitMQ closing connections on an administrator's request, seen by any
/// client of this process.
static ADMIN_CLOSES: AtomicU64 = AtomicU64::new(0);

/// Whether `frame` is RabbitMQ's goodbye to a connection an administrator closed.
pub fn is_admin_close(frame: &Frame) -> bool {
    frame.command == stompwire::frame::Command::Error
        && text(frame).contains("server_initiated_close")
}

/// Counts [`is_admin_close`] ERROR frames.
struct AdminCloseWatch;

impl Listener for AdminCloseWatch {
    fn on_error(&self, frame: &Frame) {
        if is_admin_close(frame) {
            ADMIN_CLOSES.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Makes `client` report connections an administrator closed to [`retry_if_closed_by_admin`].
pub fn watch_admin_closes(client: &Client) {
    client.set_listener("admin-close-watch", Arc::new(AdminCloseWatch));
}

/// Runs `test`; if it fails after RabbitMQ closed connections on an administrator's request
/// (see the module docs), runs it once more.
pub fn retry_if_closed_by_admin(test: impl Fn() + RefUnwindSafe) {
    let before = ADMIN_CLOSES.load(Ordering::SeqCst);
    if let Err(panic) = catch_unwind(&test) {
        if ADMIN_CLOSES.load(Ordering::SeqCst) == before {
            resume_unwind(panic);
        }
        eprintln!(
            "RabbitMQ closed connections on request while this test ran \
             (close-connections from another run?): running it again"
        );
        test();
    }
}

/// Connects with `config`, a [`TestListener`] set first; panics with a hint when the broker is
/// unreachable.
pub fn connect_with(config: ClientConfig) -> Conn {
    let what = format!("{:?}", config.endpoints);
    let client = Client::new(config);
    watch_admin_closes(&client);
    let seen = Arc::new(TestListener::new());
    client.set_listener("test", seen.clone());
    if let Err(e) = client.connect(PATIENCE) {
        panic!("cannot connect to {what}: {e} (are the brokers up? scripts/brokers.sh start)");
    }
    Conn { client, seen }
}

/// Connects to `broker` offering only `version`.
pub fn connect(broker: Broker, version: Version) -> Conn {
    connect_with(broker.config(version))
}

/// Headers from pairs.
pub fn headers(pairs: &[(&str, &str)]) -> Headers {
    let mut h = Headers::new();
    for (n, v) in pairs {
        h.push(n, v);
    }
    h
}

/// The next message of a subscription; panics after [`PATIENCE`].
pub fn next_message(messages: &Messages) -> Frame {
    match messages.recv_timeout(PATIENCE) {
        Ok(Some(frame)) => frame,
        Ok(None) => panic!("no message on {} within {PATIENCE:?}", messages.id()),
        Err(()) => panic!("subscription {} ended", messages.id()),
    }
}

/// The body as text (lossily).
pub fn text(frame: &Frame) -> String {
    String::from_utf8_lossy(frame.body()).into_owned()
}

/// Sends `body` to `queue` with a receipt and waits for it.
pub fn send_confirmed(client: &Client, queue: &str, body: &str) {
    client
        .send_with_receipt(queue, body, Headers::new())
        .unwrap_or_else(|e| panic!("send {body:?}: {e}"))
        .wait(PATIENCE)
        .unwrap_or_else(|e| panic!("receipt for {body:?}: {e}"));
}

/// What is left on `queue`: a fresh client subscribes, sends a sentinel behind whatever is
/// queued, and returns the bodies that arrive before it — waiting, within [`PATIENCE`], for
/// every body of `expected` too (a broker may put back unacknowledged messages only after it
/// has noticed the consumer's connection close). Sorted.
pub fn left_on_queue(
    broker: Broker,
    version: Version,
    queue: &str,
    expected: &[&str],
) -> Vec<String> {
    let conn = connect(broker, version);
    let messages = conn
        .client
        .subscribe_messages(queue, AckMode::Auto, Headers::new())
        .expect("subscribe");
    let sentinel = format!("sentinel-{}", std::process::id());
    send_confirmed(&conn.client, queue, &sentinel);
    let deadline = Instant::now() + PATIENCE;
    let mut bodies = Vec::new();
    let mut sentinel_seen = false;
    while !sentinel_seen || !expected.iter().all(|e| bodies.iter().any(|b| b == e)) {
        let left = deadline.saturating_duration_since(Instant::now());
        match messages.recv_timeout(left) {
            Ok(Some(frame)) if text(&frame) == sentinel => sentinel_seen = true,
            Ok(Some(frame)) => bodies.push(text(&frame)),
            _ => break,
        }
    }
    assert!(sentinel_seen, "the sentinel never came back from {queue}");
    conn.disconnect();
    bodies.sort();
    bodies
}

/// Wakes the thread that polls.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on this thread (poll, park until woken, poll again), giving up
/// after `timeout`. A minimal executor: the client needs no async runtime.
pub fn block_on<F: Future>(future: F, timeout: Duration) -> Option<F::Output> {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let deadline = Instant::now() + timeout;
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Some(out);
        }
        thread::park_timeout(deadline.checked_duration_since(Instant::now())?);
    }
}

/// Polls `done` every 20 ms until it holds or `timeout` passes; returns whether it held.
pub fn eventually(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(20));
    }
}
