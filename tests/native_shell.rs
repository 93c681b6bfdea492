//! The native shell — the client's receiver thread — on an in-memory network against a
//! scripted broker (`native_shell_support`): reconnects, failover away from a silent
//! endpoint, giving up, refusals, receipt outcomes and frames the transport refuses, ACKs of
//! messages of an earlier connection, receipt ids already awaited and unsubscribing while
//! reconnecting, without a broker. The rules themselves are the core's (session and supervisor, tested with a fake
//! clock); these tests check that the shell carries them out: that it opens what the
//! supervisor says, feeds bytes and time to both, and reports what they decide.
//!
//! Time is real here: timeouts are tens of milliseconds and every wait is for a condition,
//! bounded by [`PATIENCE`].
#![cfg(feature = "native")]

mod native_shell_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use native_shell_support::*;
use stompwire::frame::{Command, Headers, Version};
use stompwire::native::listener::{Listener, TestListener};
use stompwire::native::transport::{Endpoint, TransportError};
use stompwire::native::{Client, ClientConfig, Error, Waited};
use stompwire::reconnect::{
    Backoff, HostOrder, Jitter, MaxAttempts, Pacing, Policy, SupervisorConfig,
};
use stompwire::session::{AckMode, CloseReason, Disconnected, SessionError};

// Fields set one by one: the policy may grow fields of its own.
#[allow(clippy::field_reassign_with_default)]
/// A client of `addresses` (`host:port`, tried in this order) on `network`: STOMP 1.2, no
/// heart-beats, 10 ms between attempts, up to 20 attempts, refusals retried after 50 ms.
fn config(network: &Network, addresses: &[&str]) -> ClientConfig {
    let endpoints = addresses
        .iter()
        .map(|a| Endpoint::parse(&format!("tcp://{a}")).unwrap())
        .collect();
    let mut policy = Policy::default();
    policy.backoff = Backoff::fixed(10);
    policy.pacing = Pacing::PerAttempt;
    policy.max_attempts = MaxAttempts::Total(20);
    policy.hosts = HostOrder::as_given();
    ClientConfig::new(endpoints)
        .versions(&[Version::V1_2])
        .heart_beat(0, 0)
        .with_policy(policy)
        .with_supervisor(SupervisorConfig::default().with_error_delay_ms(50))
        .with_connector(Arc::new(network.clone()))
}

/// Starts `client` and plays the broker's handshake at `address`; returns the broker's end.
fn connect(client: &Client, network: &Network, address: &str) -> Peer {
    client.start().unwrap();
    let mut peer = network.accept(address);
    peer.handshake("0,0");
    client.wait_for_connection(PATIENCE).expect("connected");
    peer
}

/// Records why each connection ended and each scheduled attempt.
#[derive(Default)]
struct Record {
    closes: Mutex<Vec<CloseReason>>,
    scheduled: Mutex<Vec<(String, Duration)>>,
    /// Failed transport connects: `host:port` and the error, displayed.
    failed: Mutex<Vec<(String, String)>>,
}

impl Listener for Record {
    fn on_disconnected(&self, info: &Disconnected) {
        self.closes.lock().unwrap().push(info.reason.clone());
    }
    fn on_connect_failed(&self, host: &str, port: u16, error: &Error) {
        assert!(matches!(error, Error::ConnectFailed { .. }), "{error:?}");
        self.failed
            .lock()
            .unwrap()
            .push((format!("{host}:{port}"), error.to_string()));
    }
    fn on_reconnect_scheduled(&self, host: &str, port: u16, delay: Duration) {
        self.scheduled
            .lock()
            .unwrap()
            .push((format!("{host}:{port}"), delay));
    }
}

#[test]
fn start_returns_before_connected_and_connect_waits_for_it() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    client.start().unwrap();
    assert!(!client.is_connected(), "start does not wait");
    let mut peer = network.accept("a:1");
    assert!(matches!(
        client.wait_for_connection(Duration::from_millis(20)),
        Err(Error::Timeout {
            what: Waited::Connection
        })
    ));
    peer.handshake("0,0");
    client
        .connect(PATIENCE)
        .expect("connect waits for CONNECTED");
    assert_eq!(client.connections(), 1);
    assert_eq!(
        network.attempts(),
        ["a:1"],
        "connect after start opens nothing more"
    );
}

#[test]
fn a_dropped_connection_is_reopened_and_subscriptions_replayed() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let seen = Arc::new(TestListener::new());
    client.set_listener("test", seen.clone());
    let mut first = connect(&client, &network, "a:1");
    let sub = client
        .subscribe("/queue/a", AckMode::Auto, Headers::new())
        .unwrap();
    assert_eq!(first.expect(Command::Subscribe).header("id"), Some(&*sub));
    first.close();

    let mut second = network.accept("a:1");
    second.handshake("0,0");
    let replayed = second.expect(Command::Subscribe);
    assert_eq!(replayed.header("id"), Some(&*sub));
    assert!(seen.wait_for_connections(2, PATIENCE));
    second.write(&message(&sub, "m1", "after the drop"));
    let frame = seen.wait_for_message(PATIENCE).expect("message");
    assert_eq!(frame.body(), b"after the drop");
    assert_eq!(network.attempts(), ["a:1", "a:1"]);
}

#[test]
fn after_a_heart_beat_timeout_the_next_attempt_goes_to_another_endpoint() {
    let network = Network::new();
    let record = Arc::new(Record::default());
    // The client wants the server's heart-beats every 40 ms (deadline 60 ms).
    let client = Client::new(config(&network, &["a:1", "b:2"]).heart_beat(0, 40));
    client.set_listener("record", record.clone());
    client.start().unwrap();
    let mut a = network.accept("a:1");
    a.handshake("40,0");
    let silent_since = Instant::now();
    client.wait_for_connection(PATIENCE).unwrap();
    // `a` goes silent (a frozen node: the pipe stays open).
    assert!(a.wait_closed(), "the client closes the silent connection");
    let mut b = network.accept("b:2");
    b.handshake("0,0");
    // Heart-beat grace (60 ms) + the reconnect delay (10 ms) + one round trip, with room for
    // a loaded machine — far below the CONNECTED timeout (5 s) a second try at `a` would cost.
    let failover = silent_since.elapsed();
    assert!(
        failover < Duration::from_secs(2),
        "failover took {failover:?}"
    );
    assert!(eventually(|| client.connections() == 2));
    assert_eq!(network.attempts(), ["a:1", "b:2"], "not `a` again first");
    assert_eq!(
        record.closes.lock().unwrap()[0],
        CloseReason::HeartbeatTimeout
    );
}

#[test]
fn after_a_connected_timeout_the_next_attempt_goes_to_another_endpoint() {
    let network = Network::new();
    let config = config(&network, &["a:1", "b:2"]).with_supervisor(
        SupervisorConfig::default()
            .with_connected_timeout_ms(Some(50))
            .with_error_delay_ms(50),
    );
    let client = Client::new(config);
    client.start().unwrap();
    let started = Instant::now();
    // `a` accepts the socket and never answers CONNECT.
    let mut a = network.accept("a:1");
    a.expect(Command::Connect);
    assert!(a.wait_closed(), "the client gives up on `a`");
    // Not before the timeout (the core's clock counts whole milliseconds).
    assert!(
        started.elapsed() >= Duration::from_millis(48),
        "{:?}",
        started.elapsed()
    );
    let mut b = network.accept("b:2");
    b.handshake("0,0");
    client
        .wait_for_connection(PATIENCE)
        .expect("connected to `b`");
    assert_eq!(network.attempts(), ["a:1", "b:2"]);
}

#[test]
fn silent_attempts_end_in_gave_up_with_the_connected_timeout() {
    let network = Network::new();
    let mut config = config(&network, &["a:1"])
        .with_supervisor(SupervisorConfig::default().with_connected_timeout_ms(Some(30)));
    config.policy.max_attempts = MaxAttempts::Total(2);
    let client = Client::new(config);
    let record = Arc::new(Record::default());
    client.set_listener("record", record.clone());
    client.start().unwrap();
    let peers: Vec<Peer> = (0..2).map(|_| network.accept("a:1")).collect();
    match client.wait_for_connection(PATIENCE) {
        Err(Error::GaveUp {
            attempts: 2,
            last: Some(last),
        }) => assert!(
            matches!(
                *last,
                Error::Timeout {
                    what: Waited::Connected
                }
            ),
            "{last:?}"
        ),
        other => panic!("expected GaveUp after 2 silent attempts: {other:?}"),
    }
    assert!(peers.iter().all(Peer::wait_closed), "both attempts closed");
    assert_eq!(network.attempts(), ["a:1", "a:1"]);
    assert!(eventually(|| record.closes.lock().unwrap().len() == 2));
    assert_eq!(
        *record.closes.lock().unwrap(),
        [CloseReason::ConnectTimeout, CloseReason::ConnectTimeout],
        "on_disconnected names the timeout, not the close it caused"
    );
}

#[test]
fn a_connect_timeout_is_reported_and_the_next_endpoint_tried() {
    let network = Network::new();
    network.set("a:1", Behaviour::TimeOut);
    let client = Client::new(config(&network, &["a:1", "b:2"]));
    let seen = Arc::new(TestListener::new());
    client.set_listener("test", seen.clone());
    client.start().unwrap();
    let mut b = network.accept("b:2");
    b.handshake("0,0");
    client.wait_for_connection(PATIENCE).unwrap();
    assert_eq!(network.attempts(), ["a:1", "b:2"]);
    assert_eq!(seen.stats().connecting, 2);
}

#[test]
fn a_failed_transport_connect_is_reported_to_listeners() {
    let network = Network::new();
    network.set("a:1", Behaviour::Refuse);
    let client = Client::new(config(&network, &["a:1", "b:2"]));
    let record = Arc::new(Record::default());
    client.set_listener("record", record.clone());
    client.start().unwrap();
    let mut b = network.accept("b:2");
    b.handshake("0,0");
    client.wait_for_connection(PATIENCE).unwrap();
    let failed = record.failed.lock().unwrap().clone();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let (address, error) = &failed[0];
    assert_eq!(address, "a:1");
    assert!(
        error.starts_with("cannot connect to tcp://a:1"),
        "an Error::ConnectFailed naming the endpoint: {error}"
    );
    assert!(
        record.closes.lock().unwrap().is_empty(),
        "a transport that never opened is no disconnect"
    );
}

#[test]
fn gives_up_after_the_attempts_the_policy_allows() {
    let network = Network::new();
    network.set("a:1", Behaviour::Refuse);
    network.set("b:2", Behaviour::Refuse);
    let mut config = config(&network, &["a:1", "b:2"]);
    config.policy.max_attempts = MaxAttempts::Total(3);
    let client = Client::new(config);
    match client.connect(PATIENCE) {
        Err(Error::GaveUp {
            attempts: 3,
            last: Some(last),
        }) => assert!(
            matches!(*last, Error::ConnectFailed { ref endpoint, source: TransportError::Connect { .. } } if endpoint == "tcp://a:1"),
            "{last:?}"
        ),
        other => panic!("expected GaveUp after 3: {other:?}"),
    }
    assert_eq!(network.attempts(), ["a:1", "b:2", "a:1"]);
}

#[test]
fn a_refusal_is_retried_only_after_the_error_delay_and_counts_towards_giving_up() {
    let network = Network::new();
    let record = Arc::new(Record::default());
    let mut config = config(&network, &["a:1"]);
    config.policy.backoff = Backoff::fixed(0);
    config.supervisor = SupervisorConfig::default()
        .with_error_delay_ms(60)
        .with_max_refusals(MaxAttempts::Total(2));
    let client = Client::new(config);
    client.set_listener("record", record.clone());
    client.start().unwrap();
    for _ in 0..2 {
        let mut peer = network.accept("a:1");
        peer.expect(Command::Connect);
        peer.write(&error("Access refused", None));
        peer.close();
    }
    match client.wait_for_connection(PATIENCE) {
        Err(Error::GaveUp {
            attempts: 2,
            last: Some(last),
        }) => {
            assert!(matches!(*last, Error::Refused(ref f) if f.message() == Some("Access refused")))
        }
        other => panic!("expected GaveUp after 2 refusals: {other:?}"),
    }
    let times = network.attempt_times();
    assert_eq!(times.len(), 2, "no third attempt");
    assert!(
        // The core's clock counts whole milliseconds.
        times[1] - times[0] >= Duration::from_millis(58),
        "the retry waited {:?}",
        times[1] - times[0]
    );
    let scheduled = record.scheduled.lock().unwrap().clone();
    assert_eq!(
        scheduled,
        [("a:1".to_string(), Duration::from_millis(60))],
        "on_reconnect_scheduled tells of the wait"
    );
    assert!(matches!(
        record.closes.lock().unwrap()[0],
        CloseReason::ConnectRefused(_)
    ));
}

#[test]
fn a_broker_that_breaks_every_connection_after_connected_is_retried_ever_later_then_given_up() {
    let network = Network::new();
    let record = Arc::new(Record::default());
    let mut config = config(&network, &["a:1"]);
    config.policy.backoff = Backoff::default()
        .with_initial_ms(10)
        .with_multiplier(2.0)
        .with_max_ms(1_000)
        .with_jitter(Jitter::None);
    config.policy.max_attempts = MaxAttempts::Total(4);
    // The default: a connection counts as a success after 5 s up.
    assert_eq!(config.supervisor.stable_after_ms, 5_000);
    let client = Client::new(config);
    client.set_listener("record", record.clone());
    client.start().unwrap();
    // The first CONNECTED ends the startup phase (counting restarts once); the four
    // short-lived connections after it do not restart it.
    for _ in 0..5 {
        let mut peer = network.accept("a:1");
        peer.handshake("0,0");
        peer.close();
    }
    // Each CONNECTED may be seen before its close: wait until the give-up is reported.
    let outcome = (0..100).find_map(|_| match client.wait_for_connection(PATIENCE) {
        Ok(()) => {
            std::thread::sleep(Duration::from_millis(5));
            None
        }
        Err(e) => Some(e),
    });
    assert!(
        matches!(outcome, Some(Error::GaveUp { attempts: 4, .. })),
        "{outcome:?}"
    );
    let delays: Vec<Duration> = record
        .scheduled
        .lock()
        .unwrap()
        .iter()
        .map(|(_, d)| *d)
        .collect();
    assert_eq!(
        delays,
        [0, 10, 20, 40].map(Duration::from_millis),
        "the backoff grows across the short-lived connections"
    );
    assert_eq!(network.attempts().len(), 5, "no sixth attempt");
    assert_eq!(record.closes.lock().unwrap().len(), 5);
}

#[test]
fn a_receipt_is_confirmed() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let mut peer = connect(&client, &network, "a:1");
    let receipt = client
        .send_with_receipt("/queue/a", "one", Headers::new())
        .unwrap();
    let send = peer.expect(Command::Send);
    assert_eq!(send.header("receipt"), Some(receipt.id()));
    peer.write(&native_shell_support::receipt(receipt.id()));
    let frame = receipt.wait(PATIENCE).expect("confirmed");
    assert_eq!(frame.receipt_id(), Some(receipt.id()));
}

/// Holds the receiver thread in `on_receipt` until released: the session has the RECEIPT,
/// the waiting caller has not been told yet.
#[derive(Default)]
struct HoldReceipts {
    held: Mutex<bool>,
    release: std::sync::Condvar,
    arrived: std::sync::Condvar,
    seen: Mutex<usize>,
}

impl Listener for HoldReceipts {
    fn on_receipt(&self, _frame: &stompwire::frame::Frame) {
        *self.seen.lock().unwrap() += 1;
        self.arrived.notify_all();
        let mut held = self.held.lock().unwrap();
        while *held {
            held = self.release.wait(held).unwrap();
        }
    }
}

#[test]
fn a_receipt_id_used_again_while_its_receipt_is_being_told_waits_for_its_own() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let hold = Arc::new(HoldReceipts::default());
    *hold.held.lock().unwrap() = true;
    client.set_listener("hold", hold.clone());
    let mut peer = connect(&client, &network, "a:1");
    let mut headers = Headers::new();
    headers.push("receipt", "again");
    let first = client
        .send_with_receipt("/queue/a", "one", headers.clone())
        .unwrap();
    peer.expect(Command::Send);
    peer.write(&native_shell_support::receipt("again"));
    // The receiver thread is in on_receipt: the session is done with the id, the first
    // caller not yet told.
    {
        let mut seen = hold.seen.lock().unwrap();
        while *seen == 0 {
            seen = hold.arrived.wait_timeout(seen, PATIENCE).unwrap().0;
        }
    }
    let second = client
        .send_with_receipt("/queue/a", "two", headers)
        .expect("the id is free again");
    *hold.held.lock().unwrap() = false;
    hold.release.notify_all();
    first
        .wait(PATIENCE)
        .expect("the first RECEIPT confirms the first frame");
    assert_eq!(peer.expect(Command::Send).body, b"two");
    assert!(
        matches!(
            second.wait(Duration::from_millis(100)),
            Err(Error::Timeout { .. })
        ),
        "the first frame's RECEIPT does not confirm the second"
    );
    peer.write(&native_shell_support::receipt("again"));
    second.wait(PATIENCE).expect("its own RECEIPT confirms it");
}

#[test]
fn a_receipt_times_out_while_connected_even_when_nothing_arrives() {
    let network = Network::new();
    let mut config = config(&network, &["a:1"]);
    config.session.receipt_timeout_ms = Some(50);
    let client = Client::new(config);
    let mut peer = connect(&client, &network, "a:1");
    let sent = Instant::now();
    let receipt = client
        .send_with_receipt("/queue/a", "one", Headers::new())
        .unwrap();
    peer.expect(Command::Send);
    // No heart-beats and no input: the receiver thread must wake for the deadline itself.
    assert!(matches!(
        receipt.wait(PATIENCE),
        Err(Error::Timeout {
            what: Waited::Receipt
        })
    ));
    // Not before the deadline (the core's clock counts whole milliseconds).
    assert!(
        sent.elapsed() >= Duration::from_millis(48),
        "{:?}",
        sent.elapsed()
    );
    assert!(receipt.is_done());
}

#[test]
fn a_receipt_times_out_while_waiting_between_attempts() {
    let network = Network::new();
    let mut config = config(&network, &["a:1"]);
    config.session.receipt_timeout_ms = Some(80);
    config.policy.backoff = Backoff::fixed(60_000);
    // The short connection counts as a success: the first reconnect goes at once.
    config.supervisor = config.supervisor.with_stable_after_ms(0);
    let client = Client::new(config);
    let mut peer = connect(&client, &network, "a:1");
    let receipt = client
        .send_with_receipt("/queue/a", "one", Headers::new())
        .unwrap();
    peer.expect(Command::Send);
    network.set("a:1", Behaviour::Refuse);
    peer.close();
    // The first reconnect attempt is refused; the next one waits a minute. The receipt's
    // deadline passes in that wait.
    network.wait_for_attempts(2);
    let started = Instant::now();
    assert!(matches!(
        receipt.wait(PATIENCE),
        Err(Error::Timeout {
            what: Waited::Receipt
        })
    ));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "not the minute's wait"
    );
    assert_eq!(network.attempts().len(), 2);
}

#[test]
fn an_unreceipted_send_is_sent_again_after_the_reconnect_and_confirmed() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let mut first = connect(&client, &network, "a:1");
    let receipt = client
        .send_with_receipt("/queue/a", "at least once", Headers::new())
        .unwrap();
    assert_eq!(first.expect(Command::Send).body(), b"at least once");
    first.close();
    let mut second = network.accept("a:1");
    second.handshake("0,0");
    let again = second.expect(Command::Send);
    assert_eq!(again.body(), b"at least once");
    assert_eq!(
        again.header("receipt"),
        Some(receipt.id()),
        "same receipt id"
    );
    assert!(!receipt.is_done(), "pending across the reconnect");
    second.write(&native_shell_support::receipt(receipt.id()));
    receipt.wait(PATIENCE).expect("confirmed after the resend");
}

#[test]
fn a_receipt_is_lost_when_its_frame_is_not_sent_again_or_the_server_refuses_it() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let mut first = connect(&client, &network, "a:1");
    // An ERROR naming the receipt.
    let refused = client
        .send_with_receipt("/queue/a", "no", Headers::new())
        .unwrap();
    first.expect(Command::Send);
    first.write(&error("not allowed", Some(refused.id())));
    match refused.wait(PATIENCE) {
        Err(Error::ErrorFrame(frame)) => assert_eq!(frame.message(), Some("not allowed")),
        other => panic!("expected the ERROR: {other:?}"),
    }
    // The server closes after its ERROR; the client reconnects.
    first.close();
    let mut second = network.accept("a:1");
    second.handshake("0,0");
    assert!(eventually(|| client.connections() == 2));
    // A SUBSCRIBE's receipt: lost with the connection (only SENDs go again).
    let (_, subscribed) = client
        .subscribe_with_receipt("/queue/a", AckMode::Auto, Headers::new())
        .unwrap();
    second.expect(Command::Subscribe);
    second.close();
    assert!(matches!(
        subscribed.wait(PATIENCE),
        Err(Error::ConnectionClosed)
    ));
}

/// Records the frames the transport refused (`on_send_refused`).
#[derive(Default)]
struct Refusals(Mutex<Vec<(Option<String>, String)>>);

impl Listener for Refusals {
    fn on_send_refused(&self, receipt: Option<&str>, error: &TransportError) {
        let size = match error {
            TransportError::DatagramTooLarge { size, max: 200 } => size.to_string(),
            other => format!("unexpected: {other:?}"),
        };
        self.0
            .lock()
            .unwrap()
            .push((receipt.map(str::to_owned), size));
    }
}

#[test]
fn a_frame_the_transport_refuses_is_reported_and_the_connection_stays() {
    let network = Network::new();
    network.refuse_chunks_over(200);
    let client = Client::new(config(&network, &["a:1"]));
    let refusals = Arc::new(Refusals::default());
    client.set_listener("refusals", refusals.clone());
    let mut peer = connect(&client, &network, "a:1");
    let big = vec![b'x'; 500];
    // Queued, then refused by the transport as it is written: the listener is told.
    client
        .send("/queue/a", big.clone(), Headers::new())
        .expect("queued");
    assert!(eventually(|| refusals.0.lock().unwrap().len() == 1));
    let (receipt, size) = refusals.0.lock().unwrap()[0].clone();
    assert_eq!(receipt, None);
    assert!(size.parse::<usize>().is_ok_and(|s| s > 500), "{size}");
    // A refused frame's receipt ends at once: never sent, not timed out.
    let refused = client
        .send_with_receipt("/queue/a", big.clone(), Headers::new())
        .expect("queued");
    assert!(matches!(refused.wait(PATIENCE), Err(Error::NotSent)));
    let watched = client.watch_receipt("big-1");
    let mut with_receipt = Headers::new();
    with_receipt.push("receipt", "big-1");
    client.send("/queue/a", big, with_receipt).expect("queued");
    assert!(
        matches!(watched.wait(PATIENCE), Err(Error::NotSent)),
        "the refused frame's receipt is lost as not sent"
    );
    assert!(eventually(|| refusals.0.lock().unwrap().len() == 3));
    assert_eq!(
        refusals.0.lock().unwrap()[2].0.as_deref(),
        Some("big-1"),
        "the listener is told which receipt"
    );
    // The transport is still open: the next frame goes on the same connection.
    let receipt = client
        .send_with_receipt("/queue/a", "small", Headers::new())
        .unwrap();
    let send = peer.expect(Command::Send);
    assert_eq!(send.body(), b"small");
    assert!(client.is_connected());
    // Reconnect with `small` unconfirmed: it goes again, the refused ones do not.
    peer.close();
    let mut second = network.accept("a:1");
    second.handshake("0,0");
    let again = second.expect(Command::Send);
    assert_eq!(again.body(), b"small");
    second.write(&native_shell_support::receipt(receipt.id()));
    receipt.wait(PATIENCE).unwrap();
    assert!(
        second
            .next_frame_within(Duration::from_millis(100))
            .is_none(),
        "the refused frame is not sent again"
    );
    assert_eq!(network.attempts(), ["a:1", "a:1"]);
    assert_eq!(client.connections(), 2);
}

#[test]
fn disconnect_stops_reconnecting_even_between_attempts() {
    let network = Network::new();
    let mut config = config(&network, &["a:1"]);
    config.policy.backoff = Backoff::fixed(60_000);
    // The short connection counts as a success: the first reconnect goes at once.
    config.supervisor = config.supervisor.with_stable_after_ms(0);
    let client = Client::new(config);
    let mut peer = connect(&client, &network, "a:1");
    let receipt = client
        .send_with_receipt("/queue/a", "pending", Headers::new())
        .unwrap();
    peer.expect(Command::Send);
    network.set("a:1", Behaviour::Refuse);
    peer.close();
    network.wait_for_attempts(2);
    // Now waiting a minute for the next attempt: disconnect ends that at once.
    let started = Instant::now();
    client.disconnect().expect("disconnect while waiting");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(receipt.wait(PATIENCE), Err(Error::Interrupted)));
    assert_eq!(network.attempts().len(), 2);
}

#[test]
fn a_graceful_disconnect_waits_for_its_receipt() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let mut peer = connect(&client, &network, "a:1");
    let broker = std::thread::spawn(move || {
        let disconnect = peer.expect(Command::Disconnect);
        peer.write(&native_shell_support::receipt(
            disconnect.header("receipt").unwrap(),
        ));
        peer
    });
    client.disconnect().expect("graceful");
    let peer = broker.join().unwrap();
    assert!(peer.wait_closed());
    assert!(!client.is_connected());
    assert_eq!(network.attempts(), ["a:1"], "no reconnect after disconnect");
}

#[test]
fn a_send_on_a_connection_that_broke_is_refused_or_its_loss_reported() {
    let network = Network::new();
    let mut config = config(&network, &["a:1"]);
    config.policy.backoff = Backoff::fixed(60_000);
    let client = Client::new(config);
    let seen = Arc::new(TestListener::new());
    client.set_listener("seen", seen.clone());
    let peer = connect(&client, &network, "a:1");
    network.set("a:1", Behaviour::Refuse);
    peer.close();
    // Either the receiver thread has seen the close (no session: the call fails), or the
    // frame was queued before it and the close is reported to the listeners; a frame
    // without a receipt is not kept for the next connection.
    match client.send("/queue/a", "into the void", Headers::new()) {
        Ok(()) | Err(Error::NotConnected) => {}
        other => panic!("expected the send to be queued or refused: {other:?}"),
    }
    assert!(
        seen.wait_for_disconnects(1, PATIENCE),
        "the loss is reported"
    );
    assert!(eventually(|| !client.is_connected()));
    assert!(matches!(
        client.send("/queue/a", "later", Headers::new()),
        Err(Error::NotConnected)
    ));
}

/// A 1.2 MESSAGE for subscription `sub` with acknowledgement id `ack`.
fn acked_message(sub: &str, ack: &str, body: &str) -> Vec<u8> {
    format!(
        "MESSAGE\nsubscription:{sub}\nmessage-id:m-{ack}\nack:{ack}\ndestination:/queue/a\n\
         content-length:{}\n\n{body}\0",
        body.len()
    )
    .into_bytes()
}

/// Scripted peer (to see on the wire that no ACK goes): a message of the first connection,
/// acknowledged after the reconnect, is refused as stale and nothing is written; the
/// redelivered copy and a fresh message of the new connection are acknowledged.
#[test]
fn an_ack_of_a_message_of_an_earlier_connection_is_refused_and_not_sent() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let seen = Arc::new(TestListener::new());
    client.set_listener("test", seen.clone());
    let mut first = connect(&client, &network, "a:1");
    let messages = client
        .subscribe_messages("/queue/a", AckMode::ClientIndividual, Headers::new())
        .unwrap();
    let sub = messages.id().to_string();
    first.expect(Command::Subscribe);
    first.write(&acked_message(&sub, "old", "one"));
    let old = messages.recv_timeout(PATIENCE).unwrap().expect("message");
    first.close();
    assert!(seen.wait_for_disconnects(1, PATIENCE));
    // While no connection is open the message is stale already.
    assert!(matches!(
        client.ack(&old, Headers::new()),
        Err(Error::StaleMessage)
    ));

    let mut second = network.accept("a:1");
    second.handshake("0,0");
    assert_eq!(second.expect(Command::Subscribe).header("id"), Some(&*sub));
    assert!(seen.wait_for_connections(2, PATIENCE));
    second.write(&acked_message(&sub, "again", "one"));
    let again = messages.recv_timeout(PATIENCE).unwrap().expect("copy");
    for result in [
        client.ack(&old, Headers::new()),
        client.nack(&old, Headers::new()),
    ] {
        match result {
            Err(e @ Error::StaleMessage) => {
                assert!(e.to_string().contains("earlier connection"), "{e}")
            }
            other => panic!("expected StaleMessage: {other:?}"),
        }
    }
    client.ack(&again, Headers::new()).expect("ack the copy");
    let ack = second.expect(Command::Ack);
    assert_eq!(ack.header("id"), Some("again"), "no ACK of the old message");
    second.write(&acked_message(&sub, "fresh", "two"));
    let fresh = messages.recv_timeout(PATIENCE).unwrap().expect("fresh");
    client
        .nack(&fresh, Headers::new())
        .expect("nack the fresh one");
    let nack = second.expect(Command::Nack);
    assert_eq!(nack.header("id"), Some("fresh"));
    assert!(
        second
            .next_frame_within(Duration::from_millis(50))
            .is_none()
    );
}

/// Scripted peer (for the receipt to stay pending at will): a second frame asking for the
/// receipt id a first one still waits for is refused, nothing is written, and the first
/// frame's receipt is still confirmed.
#[test]
fn a_receipt_id_already_awaited_is_refused_and_the_first_receipt_still_completes() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let mut peer = connect(&client, &network, "a:1");
    let mut with_id = Headers::new();
    with_id.push("receipt", "mine");
    let receipt = client
        .send_with_receipt("/queue/a", "first", with_id.clone())
        .unwrap();
    assert_eq!(receipt.id(), "mine");
    assert_eq!(peer.expect(Command::Send).body(), b"first");
    match client.send_with_receipt("/queue/a", "second", with_id.clone()) {
        Err(e @ Error::DuplicateReceipt { .. }) => {
            assert!(matches!(&e, Error::DuplicateReceipt { id } if id == "mine"));
            assert!(e.to_string().contains("mine"), "{e}");
        }
        other => panic!("expected DuplicateReceipt: {other:?}"),
    }
    match client.subscribe_with_receipt("/queue/b", AckMode::Auto, with_id) {
        Err(Error::DuplicateReceipt { id }) => assert_eq!(id, "mine"),
        other => panic!("expected DuplicateReceipt: {other:?}"),
    }
    assert!(
        peer.next_frame_within(Duration::from_millis(50)).is_none(),
        "nothing written for the refused frames"
    );
    assert!(!receipt.is_done());
    peer.write(&native_shell_support::receipt("mine"));
    let frame = receipt
        .wait(PATIENCE)
        .expect("the first receipt is confirmed");
    assert_eq!(frame.receipt_id(), Some("mine"));
}

/// Scripted peer (to hold the reconnect off): unsubscribing while the client reconnects
/// succeeds, ends the subscription's iterator, sends nothing, and the next connection
/// replays only the other subscription.
#[test]
fn an_unsubscribe_while_reconnecting_forgets_the_subscription_and_it_is_not_replayed() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let seen = Arc::new(TestListener::new());
    client.set_listener("test", seen.clone());
    let mut first = connect(&client, &network, "a:1");
    let gone = client
        .subscribe_messages("/queue/gone", AckMode::Auto, Headers::new())
        .unwrap();
    let kept = client
        .subscribe("/queue/kept", AckMode::Auto, Headers::new())
        .unwrap();
    first.expect(Command::Subscribe);
    first.expect(Command::Subscribe);
    first.close();
    assert!(seen.wait_for_disconnects(1, PATIENCE));
    assert!(!client.is_connected());
    client
        .unsubscribe(gone.id(), Headers::new())
        .expect("unsubscribe while reconnecting");
    assert_eq!(gone.recv_timeout(PATIENCE), Err(()), "its iterator ends");
    assert!(matches!(
        client.unsubscribe(gone.id(), Headers::new()),
        Err(Error::Session(SessionError::UnknownSubscription(_)))
    ));

    let mut second = network.accept("a:1");
    second.handshake("0,0");
    let replayed = second.expect(Command::Subscribe);
    assert_eq!(replayed.header("id"), Some(&*kept));
    assert_eq!(replayed.header("destination"), Some("/queue/kept"));
    assert!(seen.wait_for_connections(2, PATIENCE));
    assert!(
        second
            .next_frame_within(Duration::from_millis(50))
            .is_none(),
        "neither SUBSCRIBE nor UNSUBSCRIBE for the forgotten one"
    );
}

/// Scripted peer: a receipt watched with `watch_receipt`, then asked for by a send with that
/// id, completes both the watch and the send's receipt.
#[test]
fn a_watched_receipt_id_given_to_a_send_completes_both() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let mut peer = connect(&client, &network, "a:1");
    let watched = client.watch_receipt("watched");
    let mut with_id = Headers::new();
    with_id.push("receipt", "watched");
    let sent = client
        .send_with_receipt("/queue/a", "one", with_id)
        .expect("a watched id is not a duplicate");
    assert_eq!(
        peer.expect(Command::Send).header("receipt"),
        Some("watched")
    );
    peer.write(&native_shell_support::receipt("watched"));
    sent.wait(PATIENCE).expect("the send's receipt");
    watched.wait(PATIENCE).expect("the watch");
}

#[test]
fn threads_waiting_on_one_iterator_each_take_a_message_as_it_comes() {
    let network = Network::new();
    let client = Client::new(config(&network, &["a:1"]));
    let mut peer = connect(&client, &network, "a:1");
    let messages = client
        .subscribe_messages("/queue/a", AckMode::Auto, Headers::new())
        .unwrap();
    let sub = peer.expect(Command::Subscribe);
    let sub = sub.header("id").unwrap().to_owned();
    let started = Instant::now();
    let wait = Duration::from_secs(5);
    let taken: Vec<_> = std::thread::scope(|scope| {
        let waiters: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| messages.recv_timeout(wait)))
            .collect();
        // Both are waiting by now, most likely; the test holds either way.
        std::thread::sleep(Duration::from_millis(50));
        peer.write(&native_shell_support::message(&sub, "m1", "one"));
        peer.write(&native_shell_support::message(&sub, "m2", "two"));
        waiters.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut bodies: Vec<String> = taken
        .into_iter()
        .map(|t| String::from_utf8(t.expect("not ended").expect("a message").body).unwrap())
        .collect();
    bodies.sort();
    assert_eq!(bodies, ["one", "two"]);
    assert!(
        started.elapsed() < wait / 2,
        "each waiter was woken by a message, none slept to its timeout ({:?})",
        started.elapsed()
    );
}

/// Records the drops listeners are told of.
#[derive(Default)]
struct Drops(Mutex<Vec<(String, u64)>>);

impl Listener for Drops {
    fn on_message_dropped(&self, subscription: &str, total: u64) {
        self.0
            .lock()
            .unwrap()
            .push((subscription.to_owned(), total));
    }
}

#[test]
fn a_message_dropped_for_a_full_iterator_is_told_to_the_listeners() {
    let network = Network::new();
    let config = config(&network, &["a:1"])
        .with_subscription_buffer(1)
        .with_slow_consumer(stompwire::client::SlowConsumer::Drop);
    let client = Client::new(config);
    let drops = Arc::new(Drops::default());
    client.set_listener("drops", drops.clone());
    let mut peer = connect(&client, &network, "a:1");
    let messages = client
        .subscribe_messages("/queue/a", AckMode::Auto, Headers::new())
        .unwrap();
    let sub = peer.expect(Command::Subscribe);
    let sub = sub.header("id").unwrap().to_owned();
    let mut burst = Vec::new();
    for (id, body) in [("m1", "one"), ("m2", "two"), ("m3", "three")] {
        burst.extend(native_shell_support::message(&sub, id, body));
    }
    peer.write(&burst);
    assert!(eventually(|| drops.0.lock().unwrap().len() == 2));
    assert_eq!(
        *drops.0.lock().unwrap(),
        [(sub.clone(), 1), (sub.clone(), 2)],
        "each drop, with the count so far"
    );
    assert_eq!(
        messages.try_next().unwrap().body,
        b"one",
        "the one that fitted"
    );
    assert!(messages.try_next().is_none());
}
