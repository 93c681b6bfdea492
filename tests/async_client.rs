//! The async client (`stompwire::client`, feature `tokio`) against real brokers: RabbitMQ over
//! TCP, TLS and Web-STOMP, and ActiveMQ over TCP, STOMP 1.0–1.2 where the scenario allows.
//!
//! Broker addresses come from the environment (`eval "$(scripts/brokers.sh env)"`), with the
//! defaults of `scripts/brokers.sh`. Every test uses queues of its own.
#![cfg(all(feature = "tokio", not(target_arch = "wasm32")))]

use std::future::{Future, poll_fn};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_core::Stream;
use stompwire::client::tokio::TlsOptions;
use stompwire::client::{Client, Config, ConnectionEvent, Error, Message, SlowConsumer};
use stompwire::frame::{Headers, Version};
use stompwire::session::AckMode;

/// Upper bound for anything a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Broker {
    RabbitTcp,
    RabbitTls,
    RabbitWs,
    ActiveMq,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

impl Broker {
    fn url(self) -> String {
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
            Broker::ActiveMq => format!(
                "tcp://{}",
                env_or("STOMPWIRE_ACTIVEMQ_TCP", "127.0.0.1:61633")
            ),
        }
    }

    fn config(self, version: Version) -> Config {
        let tls_dir = PathBuf::from(env_or(
            "STOMPWIRE_TLS_DIR",
            "/var/tmp/stompwire-brokers/tls",
        ));
        let mut config = Config::from_url(&self.url())
            .unwrap()
            .versions(&[version])
            .heart_beat(0, 0)
            .tls(TlsOptions::with_ca_file(tls_dir.join("ca.pem")));
        if self != Broker::ActiveMq {
            config = config.credentials("guest", "guest").vhost("/");
        } else {
            config = config.credentials("admin", "admin");
        }
        config
    }

    /// A queue name no other test (or run) uses.
    fn queue(self, what: &str) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        format!("/queue/async-{what}-{}-{stamp}-{n}", std::process::id())
    }
}

/// Runs a test body on a fresh single-threaded tokio runtime, bounded by a time limit.
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

async fn connect(broker: Broker, version: Version) -> Client {
    Client::connect(broker.config(version))
        .await
        .unwrap_or_else(|e| panic!("{broker:?} {version}: {e}"))
}

fn body(message: &Message) -> String {
    String::from_utf8(message.body().to_vec()).unwrap()
}

/// Connect, a receipted SEND, a subscription stream that receives it, shutdown.
async fn round_trip(broker: Broker, version: Version) {
    let client = connect(broker, version).await;
    let queue = broker.queue("round-trip");
    let mut messages = client.subscribe(&queue, AckMode::Auto).unwrap();
    for i in 0..3 {
        client
            .send_with_receipt(&queue, Headers::new(), format!("m{i}"))
            .await
            .unwrap_or_else(|e| panic!("{broker:?} {version}: receipt {i}: {e}"));
    }
    for i in 0..3 {
        let message = next(&mut messages).await.expect("a message");
        assert_eq!(body(&message), format!("m{i}"), "{broker:?} {version}");
        assert_eq!(message.destination(), Some(queue.as_str()));
    }
    drop(messages);
    client.shutdown(Duration::from_secs(5)).await.unwrap();
}

#[test]
fn rabbitmq_tcp_every_version_sends_with_receipt_and_receives() {
    run(async {
        for version in Version::ALL {
            round_trip(Broker::RabbitTcp, version).await;
        }
    });
}

#[test]
fn activemq_tcp_every_version_sends_with_receipt_and_receives() {
    run(async {
        for version in Version::ALL {
            round_trip(Broker::ActiveMq, version).await;
        }
    });
}

#[test]
fn rabbitmq_tls_sends_with_receipt_and_receives() {
    run(round_trip(Broker::RabbitTls, Version::V1_2));
}

#[test]
fn rabbitmq_web_stomp_every_version_sends_with_receipt_and_receives() {
    run(async {
        for version in Version::ALL {
            round_trip(Broker::RabbitWs, version).await;
        }
    });
}

#[test]
fn tls_with_another_ca_fails_with_the_certificate_error() {
    run(async {
        let tls_dir = PathBuf::from(env_or(
            "STOMPWIRE_TLS_DIR",
            "/var/tmp/stompwire-brokers/tls",
        ));
        let mut config = Broker::RabbitTls
            .config(Version::V1_2)
            .tls(TlsOptions::with_ca_file(tls_dir.join("other-ca.pem")));
        config.policy.max_attempts = stompwire::reconnect::MaxAttempts::Total(1);
        match Client::connect(config).await {
            Err(Error::GaveUp(gave_up)) if gave_up.transport.is_some() => {
                let e = gave_up.transport.unwrap();
                assert!(e.to_string().to_lowercase().contains("certificate"), "{e}")
            }
            other => panic!("expected a certificate failure, got {other:?}"),
        }
    });
}

/// client-individual: an ACKed message is gone, a NACKed one comes again (RabbitMQ requeues).
async fn ack_and_nack(broker: Broker, version: Version) {
    let client = connect(broker, version).await;
    let queue = broker.queue("ack");
    let mut messages = client.subscribe(&queue, AckMode::ClientIndividual).unwrap();
    client
        .send_with_receipt(&queue, Headers::new(), "a")
        .await
        .unwrap();
    client
        .send_with_receipt(&queue, Headers::new(), "b")
        .await
        .unwrap();
    let a = next(&mut messages).await.unwrap();
    assert_eq!(body(&a), "a");
    a.ack().unwrap();
    let b = next(&mut messages).await.unwrap();
    assert_eq!(body(&b), "b");
    b.nack().unwrap();
    // The NACKed message is redelivered (RabbitMQ requeues it; ActiveMQ redelivers after its
    // redelivery policy, possibly to the DLQ — RabbitMQ only here).
    if broker != Broker::ActiveMq {
        let again = next(&mut messages).await.unwrap();
        assert_eq!(body(&again), "b");
        again.ack().unwrap();
    }
    drop(messages);
    // Nothing is left: a fresh subscription sees only a new message.
    let mut fresh = client.subscribe(&queue, AckMode::Auto).unwrap();
    client
        .send_with_receipt(&queue, Headers::new(), "c")
        .await
        .unwrap();
    assert_eq!(body(&next(&mut fresh).await.unwrap()), "c");
    drop(fresh);
    client.shutdown(Duration::from_secs(5)).await.unwrap();
}

#[test]
fn rabbitmq_ack_removes_and_nack_redelivers() {
    run(async {
        ack_and_nack(Broker::RabbitTcp, Version::V1_2).await;
        ack_and_nack(Broker::RabbitTcp, Version::V1_1).await;
    });
}

#[test]
fn activemq_ack_removes_the_message() {
    run(ack_and_nack(Broker::ActiveMq, Version::V1_2));
}

#[test]
fn nack_in_stomp_1_0_is_a_typed_error() {
    run(async {
        let client = connect(Broker::RabbitTcp, Version::V1_0).await;
        let queue = Broker::RabbitTcp.queue("nack10");
        let mut messages = client.subscribe(&queue, AckMode::Client).unwrap();
        client
            .send_with_receipt(&queue, Headers::new(), "x")
            .await
            .unwrap();
        let message = next(&mut messages).await.unwrap();
        assert!(matches!(message.nack(), Err(Error::Session(_))));
        message.ack().unwrap();
        drop(messages);
        client.shutdown(Duration::from_secs(5)).await.unwrap();
    });
}

/// A committed transaction delivers its messages; an aborted or dropped one delivers none.
async fn transactions(broker: Broker) {
    let client = connect(broker, Version::V1_2).await;
    let queue = broker.queue("tx");
    let mut messages = client.subscribe(&queue, AckMode::Auto).unwrap();

    let aborted = client.begin().unwrap();
    aborted
        .send(&queue, Headers::new(), "aborted")
        .await
        .unwrap();
    aborted.abort().await.unwrap();

    let dropped = client.begin().unwrap();
    dropped
        .send(&queue, Headers::new(), "dropped")
        .await
        .unwrap();
    drop(dropped);

    let committed = client.begin().unwrap();
    committed.send(&queue, Headers::new(), "one").await.unwrap();
    committed.send(&queue, Headers::new(), "two").await.unwrap();
    committed.commit().await.unwrap();
    // A receipted marker after everything: what came before it is all there is.
    client
        .send_with_receipt(&queue, Headers::new(), "end")
        .await
        .unwrap();

    let mut got = Vec::new();
    loop {
        let m = body(&next(&mut messages).await.unwrap());
        if m == "end" {
            break;
        }
        got.push(m);
    }
    assert_eq!(got, ["one", "two"], "{broker:?}");
    drop(messages);
    client.shutdown(Duration::from_secs(5)).await.unwrap();
}

#[test]
fn rabbitmq_transaction_commit_abort_and_drop() {
    run(transactions(Broker::RabbitTcp));
}

#[test]
fn activemq_transaction_commit_abort_and_drop() {
    run(transactions(Broker::ActiveMq));
}

#[test]
fn events_report_connected_and_shutdown_reports_disconnected() {
    run(async {
        let client = Client::start(
            stompwire::client::tokio::TokioRuntime::new(&Broker::RabbitTcp.config(Version::V1_2))
                .unwrap(),
            Broker::RabbitTcp.config(Version::V1_2),
        );
        let mut events = client.events();
        client.connected().await.unwrap();
        match next(&mut events).await.unwrap() {
            ConnectionEvent::Connected {
                version, endpoint, ..
            } => {
                assert_eq!(version, Version::V1_2);
                assert_eq!(endpoint, Broker::RabbitTcp.url());
            }
            other => panic!("expected Connected, got {other:?}"),
        }
        let keep = client.clone();
        client.shutdown(Duration::from_secs(5)).await.unwrap();
        match next(&mut events).await.unwrap() {
            ConnectionEvent::Disconnected { reason } => {
                assert_eq!(reason, stompwire::session::CloseReason::Graceful)
            }
            other => panic!("expected Disconnected, got {other:?}"),
        }
        assert!(
            next(&mut events).await.is_none(),
            "the stream ends with the client"
        );
        assert!(matches!(
            keep.send("/queue/x", "late").await,
            Err(Error::Closed)
        ));
    });
}

#[test]
fn bad_credentials_give_up_with_the_error_frame() {
    run(async {
        let mut config = Broker::RabbitTcp
            .config(Version::V1_2)
            .credentials("guest", "not-the-password");
        config.policy.max_attempts = stompwire::reconnect::MaxAttempts::Total(1);
        match Client::connect(config).await {
            Err(Error::GaveUp(gave_up)) if gave_up.error_frame.is_some() => assert_eq!(
                gave_up.error_frame.unwrap().command,
                stompwire::frame::Command::Error
            ),
            other => panic!("expected a refusal, got {other:?}"),
        }
    });
}

/// Waits (bounded) until `done` holds, checking every 20 ms.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = tokio::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn slow_consumer_block_keeps_the_buffer_bounded_and_loses_nothing() {
    run(async {
        let broker = Broker::RabbitTcp;
        let queue = broker.queue("block");
        let consumer = Client::connect(broker.config(Version::V1_2).subscription_buffer(4))
            .await
            .unwrap();
        let producer = connect(broker, Version::V1_2).await;
        let mut messages = consumer.subscribe(&queue, AckMode::Auto).unwrap();
        let body_of = |i: usize| format!("{i:05}").repeat(16 << 10 >> 3);
        for i in 0..50 {
            producer
                .send_with_receipt(&queue, Headers::new(), body_of(i))
                .await
                .unwrap();
        }
        // The broker has all 50 and pushes them; the consumer reads until its buffer is full
        // and then stops: at most the buffer plus one read (64 KiB) of 16 KiB messages.
        until("the buffer to fill", || messages.buffered() >= 4).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let buffered = messages.buffered();
        assert!((4..=4 + 5).contains(&buffered), "{buffered} buffered");
        assert_eq!(messages.dropped(), 0);
        for i in 0..50 {
            let message = next(&mut messages).await.unwrap();
            assert_eq!(message.body(), body_of(i).as_bytes(), "message {i}");
            assert!(messages.buffered() <= 9);
        }
        drop(messages);
        producer.shutdown(Duration::from_secs(5)).await.unwrap();
        consumer.shutdown(Duration::from_secs(5)).await.unwrap();
    });
}

#[test]
fn slow_consumer_drop_counts_what_it_drops() {
    run(async {
        let broker = Broker::RabbitTcp;
        let queue = broker.queue("drop");
        let consumer = Client::connect(
            broker
                .config(Version::V1_2)
                .subscription_buffer(4)
                .slow_consumer(SlowConsumer::Drop),
        )
        .await
        .unwrap();
        let mut events = consumer.events();
        let mut messages = consumer.subscribe(&queue, AckMode::Auto).unwrap();
        // The consumer's own receipts still come: reading never stops.
        for i in 0..50 {
            consumer
                .send_with_receipt(&queue, Headers::new(), format!("m{i}"))
                .await
                .unwrap();
        }
        until("50 messages kept or dropped", || {
            messages.buffered() + messages.dropped() as usize == 50
        })
        .await;
        assert_eq!(messages.buffered(), 4);
        assert_eq!(messages.dropped(), 46);
        for i in 0..4 {
            assert_eq!(body(&next(&mut messages).await.unwrap()), format!("m{i}"));
        }
        let mut last_total = 0;
        while let Ok(Some(event)) = tokio::time::timeout(
            Duration::from_millis(200),
            poll_fn(|cx| Pin::new(&mut events).poll_next(cx)),
        )
        .await
        {
            if let ConnectionEvent::Dropped { total, .. } = event {
                last_total = total;
            }
            if last_total == 46 {
                break;
            }
        }
        assert_eq!(last_total, 46, "the last Dropped event counts them all");
        drop(messages);
        consumer.shutdown(Duration::from_secs(5)).await.unwrap();
    });
}

#[test]
fn client_ack_subscription_asks_the_broker_for_a_prefetch_of_the_buffer_size() {
    run(async {
        // RabbitMQ honours prefetch-count: with a buffer of 3 and nothing acknowledged, only 3
        // messages are delivered, whatever the slow-consumer policy.
        let broker = Broker::RabbitTcp;
        let queue = broker.queue("prefetch");
        let consumer = Client::connect(
            broker
                .config(Version::V1_2)
                .subscription_buffer(3)
                .slow_consumer(SlowConsumer::Drop),
        )
        .await
        .unwrap();
        let mut messages = consumer
            .subscribe(&queue, AckMode::ClientIndividual)
            .unwrap();
        for i in 0..10 {
            consumer
                .send_with_receipt(&queue, Headers::new(), format!("m{i}"))
                .await
                .unwrap();
        }
        until("3 messages", || messages.buffered() == 3).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(messages.buffered(), 3);
        assert_eq!(messages.dropped(), 0);
        for i in 0..10 {
            let message = next(&mut messages).await.unwrap();
            assert_eq!(body(&message), format!("m{i}"));
            message.ack().unwrap();
        }
        drop(messages);
        consumer.shutdown(Duration::from_secs(5)).await.unwrap();
    });
}

#[test]
fn shutdown_waits_for_messages_in_flight_and_pending_receipts() {
    run(async {
        let broker = Broker::RabbitTcp;
        let queue = broker.queue("shutdown");
        let client = connect(broker, Version::V1_2).await;
        let mut messages = client.subscribe(&queue, AckMode::ClientIndividual).unwrap();
        for i in 0..3 {
            client
                .send_with_receipt(&queue, Headers::new(), format!("m{i}"))
                .await
                .unwrap();
        }
        until("3 buffered", || messages.buffered() == 3).await;
        // A slow handler: takes each message, works 100 ms, acknowledges.
        let handler = tokio::spawn(async move {
            let mut acked = Vec::new();
            while let Some(message) = poll_fn(|cx| Pin::new(&mut messages).poll_next(cx)).await {
                tokio::time::sleep(Duration::from_millis(100)).await;
                message.ack().unwrap();
                acked.push(body(&message));
            }
            acked
        });
        // A receipt still pending when the shutdown starts.
        let sender = client.clone();
        let q = queue.clone();
        let pending =
            tokio::spawn(async move { sender.send_with_receipt(&q, Headers::new(), "last").await });
        tokio::task::yield_now().await;
        client.shutdown(Duration::from_secs(5)).await.unwrap();
        assert_eq!(
            handler.await.unwrap(),
            ["m0", "m1", "m2"],
            "every buffered message was handled"
        );
        assert!(
            pending.await.unwrap().is_ok(),
            "the pending receipt came before DISCONNECT"
        );

        // Nothing unacknowledged went back to the queue: only "last" is there.
        let check = connect(broker, Version::V1_2).await;
        let mut rest = check.subscribe(&queue, AckMode::Auto).unwrap();
        check
            .send_with_receipt(&queue, Headers::new(), "marker")
            .await
            .unwrap();
        assert_eq!(body(&next(&mut rest).await.unwrap()), "last");
        assert_eq!(body(&next(&mut rest).await.unwrap()), "marker");
        drop(rest);
        check.shutdown(Duration::from_secs(5)).await.unwrap();
    });
}

#[test]
fn dropping_the_subscription_unsubscribes() {
    run(async {
        let broker = Broker::RabbitTcp;
        let queue = broker.queue("unsub");
        let client = connect(broker, Version::V1_2).await;
        let messages = client.subscribe(&queue, AckMode::Auto).unwrap();
        drop(messages);
        // Unsubscribed: this message stays in the queue for the next subscriber.
        client
            .send_with_receipt(&queue, Headers::new(), "kept")
            .await
            .unwrap();
        let mut again = client.subscribe(&queue, AckMode::Auto).unwrap();
        assert_eq!(body(&next(&mut again).await.unwrap()), "kept");
        drop(again);
        client.shutdown(Duration::from_secs(5)).await.unwrap();
    });
}

/// The example's application code, run as it is.
#[allow(dead_code)]
#[path = "../examples/async_chat.rs"]
mod example;

#[test]
fn the_async_chat_example_runs_against_rabbitmq_over_tcp_and_web_stomp() {
    run(async {
        for broker in [Broker::RabbitTcp, Broker::RabbitWs] {
            let lines = example::app::chat(broker.config(Version::V1_2), &broker.queue("example"))
                .await
                .unwrap();
            // RabbitMQ Web-STOMP (3.10) closes the WebSocket ("STOMP died") instead of sending
            // the DISCONNECT's RECEIPT.
            let end = if broker == Broker::RabbitWs {
                "(disconnected: TransportClosed { mid_frame: false })"
            } else {
                "(disconnected: Graceful)"
            };
            assert_eq!(
                lines,
                ["hello", "inside a transaction", "bye", end],
                "{broker:?}"
            );
        }
    });
}
