//! The native [`Client`] losing its connection: RabbitMQ drops every client connection
//! (`scripts/brokers.sh close-connections`) while a producer sends with receipts and a consumer
//! receives; both clients reconnect by themselves, the consumer's subscription is replayed
//! with its id, every receipt is confirmed and every confirmed message is consumed.
//!
//! **Why a file of its own, and one test at a time.** Dropping connections hits every
//! RabbitMQ client on the machine. Cargo runs test binaries one after another, so the other
//! `native_client*` binaries never run while this one does; inside this binary every test
//! holds [`serial`], so no test's connections are dropped by another's. (Someone else's tests
//! running against the same brokers at the same moment are still disturbed: run this file
//! alone when sharing brokers.)
#![cfg(feature = "native")]

mod native_client_support;

use std::collections::BTreeSet;
use std::process::Command as Process;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::thread;
use std::time::{Duration, Instant};

use native_client_support::*;
use stompwire::frame::{Frame, Headers, Version};
use stompwire::native::listener::Listener;
use stompwire::native::{Client, ClientConfig, Error, Receipt};
use stompwire::reconnect::{Backoff, HostOrder, MaxAttempts, Pacing, Policy};
use stompwire::session::AckMode;

/// One test of this file at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Has RabbitMQ close every client connection.
fn drop_all_rabbitmq_connections() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/brokers.sh");
    let out = Process::new(script)
        .arg("close-connections")
        .output()
        .expect("run scripts/brokers.sh close-connections");
    assert!(
        out.status.success(),
        "close-connections failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reconnects quickly and for long enough to outlast the drop.
fn config(broker: Broker) -> ClientConfig {
    let mut config = broker.config(Version::V1_2);
    config.policy = Policy::default()
        .with_backoff(Backoff::fixed(100))
        .with_pacing(Pacing::PerAttempt)
        .with_max_attempts(MaxAttempts::Total(100))
        .with_startup_max_attempts(Some(MaxAttempts::Total(3)))
        .with_wait_before_first_reconnect(false)
        .with_hosts(HostOrder::as_given());
    assert!(config.session.replay_subscriptions);
    assert!(config.session.resend_unreceipted);
    config
}

/// Consumes on the receiver thread: records each message's body and subscription, and acks
/// it there and then — on the connection that delivered it (an ACK sent on a later
/// connection would name a delivery the broker no longer knows).
struct Consumer {
    client: Mutex<Weak<Client>>,
    bodies: Mutex<Vec<u64>>,
    subscriptions: Mutex<BTreeSet<String>>,
    after_reconnect: AtomicU64,
    reconnected: AtomicBool,
}

impl Listener for Consumer {
    fn on_connected(&self, _frame: &Frame) {
        if let Some(client) = self.client.lock().unwrap().upgrade() {
            if client.connections() >= 2 {
                self.reconnected.store(true, Ordering::SeqCst);
            }
        }
    }
    fn on_message(&self, frame: &Frame) {
        let n: u64 = text(frame).parse().expect("numbered body");
        self.bodies.lock().unwrap().push(n);
        self.subscriptions
            .lock()
            .unwrap()
            .insert(frame.subscription().unwrap_or("").to_string());
        if self.reconnected.load(Ordering::SeqCst) {
            self.after_reconnect.fetch_add(1, Ordering::SeqCst);
        }
        if let Some(client) = self.client.lock().unwrap().upgrade() {
            // Fails only for a message of a dropped connection (`StaleMessage`) or while
            // disconnected; the broker then delivers the message again.
            let _ = client.ack(frame, Headers::new());
        }
    }
}

impl Consumer {
    fn distinct(&self) -> BTreeSet<u64> {
        self.bodies.lock().unwrap().iter().copied().collect()
    }
}

/// The whole story, over one transport of RabbitMQ.
fn reconnect_replays_and_loses_no_confirmed_message(broker: Broker) {
    let _serial = serial();
    let queue = unique_queue("reconnect");

    let consumer = Arc::new(Client::new(config(broker)));
    let listener = Arc::new(Consumer {
        client: Mutex::new(Arc::downgrade(&consumer)),
        bodies: Mutex::new(Vec::new()),
        subscriptions: Mutex::new(BTreeSet::new()),
        after_reconnect: AtomicU64::new(0),
        reconnected: AtomicBool::new(false),
    });
    let seen = Arc::new(stompwire::native::listener::TestListener::new());
    consumer.set_listener("consumer", listener.clone());
    consumer.set_listener("test", seen.clone());
    consumer.connect(PATIENCE).expect("consumer connects");
    let (sub, subscribed) = consumer
        .subscribe_with_receipt(
            &queue,
            AckMode::ClientIndividual,
            headers(&[("id", "replayed")]),
        )
        .expect("subscribe");
    assert_eq!(sub, "replayed");
    subscribed.wait(PATIENCE).expect("SUBSCRIBE receipt");

    let producer = Arc::new(Client::new(config(broker)));
    let producer_seen = Arc::new(stompwire::native::listener::TestListener::new());
    producer.set_listener("test", producer_seen.clone());
    producer.connect(PATIENCE).expect("producer connects");

    // The producer sends numbered messages with receipts until told to stop, retrying a
    // number whose send found the client between connections.
    let sent = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let sender = {
        let (producer, sent, stop) = (producer.clone(), sent.clone(), stop.clone());
        let queue = queue.clone();
        thread::spawn(move || -> Vec<(u64, Receipt)> {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut receipts = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                match producer.send_with_receipt(&queue, n.to_string(), Headers::new()) {
                    Ok(receipt) => {
                        receipts.push((n, receipt));
                        n += 1;
                        sent.store(n, Ordering::SeqCst);
                        thread::sleep(Duration::from_millis(5));
                    }
                    Err(Error::NotConnected) => {
                        let _ = producer.wait_for_connection(Duration::from_millis(200));
                    }
                    Err(e) => panic!("send {n}: {e}"),
                }
            }
            receipts
        })
    };

    assert!(eventually(PATIENCE, || sent.load(Ordering::SeqCst) >= 50));
    drop_all_rabbitmq_connections();
    assert!(
        seen.wait_for_connections(2, PATIENCE),
        "the consumer reconnected by itself"
    );
    assert!(
        producer_seen.wait_for_connections(2, PATIENCE),
        "the producer reconnected by itself"
    );
    assert!(seen.stats().disconnects >= 1);
    let at_reconnect = sent.load(Ordering::SeqCst);
    assert!(eventually(PATIENCE, || {
        sent.load(Ordering::SeqCst) >= at_reconnect + 50
    }));
    stop.store(true, Ordering::SeqCst);
    let receipts = sender.join().expect("producer thread");
    let total = receipts.len() as u64;
    assert!(total >= 100, "{total} messages sent");

    for (n, receipt) in &receipts {
        receipt
            .wait(PATIENCE)
            .unwrap_or_else(|e| panic!("receipt of message {n}: {e}"));
    }
    let all: BTreeSet<u64> = (0..total).collect();
    assert!(
        eventually(PATIENCE, || listener.distinct() == all),
        "consumed {} of {total} distinct messages; missing {:?}",
        listener.distinct().len(),
        all.difference(&listener.distinct()).collect::<Vec<_>>()
    );
    assert!(
        listener.after_reconnect.load(Ordering::SeqCst) > 0,
        "messages arrived after the reconnect"
    );
    assert_eq!(
        *listener.subscriptions.lock().unwrap(),
        BTreeSet::from(["replayed".to_string()]),
        "every message, before and after, came to the one subscription id"
    );

    producer.disconnect().expect("producer disconnects");
    consumer.disconnect().expect("consumer disconnects");
}

#[test]
fn rabbitmq_tcp_reconnect_replays_and_loses_no_confirmed_message() {
    reconnect_replays_and_loses_no_confirmed_message(Broker::RabbitTcp);
}

#[test]
fn rabbitmq_ws_reconnect_replays_and_loses_no_confirmed_message() {
    reconnect_replays_and_loses_no_confirmed_message(Broker::RabbitWs);
}

#[test]
fn rabbitmq_tls_reconnect_replays_and_loses_no_confirmed_message() {
    reconnect_replays_and_loses_no_confirmed_message(Broker::RabbitTls);
}

/// RabbitMQ tells a client whose connection it closes why, in an ERROR frame ("AMQP channel
/// died"), before closing. That ERROR comes on an open session, so it is not a refused login:
/// a client not allowed to reconnect gives up without blaming the credentials.
#[test]
fn a_dropped_connection_is_not_reported_as_a_refused_login() {
    let _serial = serial();
    let mut config = config(Broker::RabbitTcp);
    config.policy.max_attempts = MaxAttempts::Total(0);
    // The connection counts as a success at once, however short (it is dropped at once).
    config.supervisor = config.supervisor.with_stable_after_ms(0);
    let conn = connect_with(config);
    drop_all_rabbitmq_connections();
    assert!(conn.seen.wait_for_disconnects(1, PATIENCE));
    let errors = conn.seen.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message(), Some("AMQP channel died"));
    match conn.client.wait_for_connection(PATIENCE) {
        Err(Error::GaveUp { attempts: 0, last }) => {
            assert!(
                !matches!(last.as_deref(), Some(Error::Refused(_))),
                "{last:?}"
            )
        }
        other => panic!("no reconnect allowed: {other:?}"),
    }
    assert!(!conn.client.is_connected());
    assert_eq!(conn.client.connections(), 1);
}

/// An ACK or NACK of a message delivered on an earlier connection (taken from a
/// subscription's iterator after the reconnect) is refused by the client with
/// [`Error::StaleMessage`] and not sent: RabbitMQ answers receipts in order, so the fresh
/// ACK's receipt would come only after the stale one's. The redelivered copy, and a message
/// first delivered on the new connection, are acked.
#[test]
fn an_ack_of_a_delivery_of_an_earlier_connection_is_refused_and_not_sent() {
    let _serial = serial();
    let conn = connect_with(config(Broker::RabbitTcp));
    let queue = unique_queue("stale-ack");
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::ClientIndividual, Headers::new())
        .expect("subscribe");
    send_confirmed(&conn.client, &queue, "delivered twice");
    let first = next_message(&messages);
    drop_all_rabbitmq_connections();
    assert!(conn.seen.wait_for_connections(2, PATIENCE));
    let again = next_message(&messages);
    assert_eq!(text(&again), "delivered twice");
    assert_eq!(again.header("redelivered"), Some("true"));
    assert_ne!(again.ack(), first.ack());

    let stale = conn.client.watch_receipt("stale-ack");
    assert!(matches!(
        conn.client
            .ack(&first, headers(&[("receipt", "stale-ack")])),
        Err(Error::StaleMessage)
    ));
    assert!(matches!(
        conn.client
            .nack(&first, headers(&[("receipt", "stale-ack")])),
        Err(Error::StaleMessage)
    ));
    let fresh = conn.client.watch_receipt("fresh-ack");
    conn.client
        .ack(&again, headers(&[("receipt", "fresh-ack")]))
        .expect("ack the copy");
    fresh.wait(PATIENCE).expect("the copy's ACK is confirmed");
    assert!(!stale.is_done(), "no ACK went for the stale message");

    send_confirmed(&conn.client, &queue, "new");
    let new = next_message(&messages);
    assert_eq!(text(&new), "new");
    assert_eq!(new.header("redelivered"), Some("false"));
    conn.client
        .ack(&new, Headers::new())
        .expect("ack the new one");
    let errors = conn.seen.errors();
    assert_eq!(errors.len(), 1, "only the drop's ERROR: {errors:?}");
    assert_eq!(conn.client.connections(), 2);
    conn.disconnect();
    assert_eq!(
        left_on_queue(Broker::RabbitTcp, Version::V1_2, &queue, &[]),
        Vec::<String>::new()
    );
}
