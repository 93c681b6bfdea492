//! The async client losing its connection: RabbitMQ drops every client connection
//! (`scripts/brokers.sh close-connections`) while a producer sends with receipts and a consumer
//! receives. Both reconnect by themselves, the consumer's subscription is replayed, and every
//! message whose receipt was confirmed is received.
//!
//! Dropping connections hits every RabbitMQ client on the machine: this file holds the one
//! test that does it.
#![cfg(all(feature = "tokio", not(target_arch = "wasm32")))]

use std::collections::BTreeSet;
use std::future::poll_fn;
use std::pin::Pin;
use std::process::Command as Process;
use std::time::Duration;

use futures_core::Stream;
use stompwire::client::{Client, Config, ConnectionEvent, Error};
use stompwire::frame::{Headers, Version};
use stompwire::reconnect::{Backoff, MaxAttempts, Pacing, Policy};
use stompwire::session::AckMode;

const PATIENCE: Duration = Duration::from_secs(30);

// Built from the default field by field: the policy may gain fields.
#[allow(clippy::field_reassign_with_default)]
fn config() -> Config {
    let address =
        std::env::var("STOMPWIRE_RABBIT_TCP").unwrap_or_else(|_| "127.0.0.1:61613".into());
    let mut policy = Policy::default();
    policy.backoff = Backoff::fixed(100);
    policy.pacing = Pacing::PerAttempt;
    policy.max_attempts = MaxAttempts::Total(100);
    Config::from_url(&format!("tcp://{address}"))
        .unwrap()
        .credentials("guest", "guest")
        .vhost("/")
        .versions(&[Version::V1_2])
        .heart_beat(0, 0)
        .policy(policy)
}

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

#[test]
fn after_the_broker_drops_every_connection_no_receipted_message_is_lost() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(PATIENCE * 2, scenario())
            .await
            .expect("the test ran out of time");
    });
}

async fn scenario() {
    let queue = format!("/queue/async-reconnect-{}", std::process::id());
    let consumer = Client::connect(config()).await.unwrap();
    let producer = Client::connect(config()).await.unwrap();
    let mut consumer_events = consumer.events();
    let mut messages = consumer
        .subscribe(&queue, AckMode::ClientIndividual)
        .unwrap();

    // The consumer: acknowledges what it gets; a message of a connection that is gone is
    // redelivered by the broker.
    let receiving = tokio::spawn(async move {
        let mut got = BTreeSet::new();
        while let Some(message) = poll_fn(|cx| Pin::new(&mut messages).poll_next(cx)).await {
            let text = String::from_utf8(message.body().to_vec()).unwrap();
            match message.ack() {
                Ok(()) | Err(Error::StaleMessage) | Err(Error::NotConnected) => {}
                Err(e) => panic!("ack: {e}"),
            }
            got.insert(text.clone());
            if text == "end" {
                break;
            }
        }
        got
    });

    let mut confirmed = BTreeSet::new();
    let mut dropper = None;
    let mut reconnects_seen = 0;
    for i in 0..150 {
        let text = format!("m{i:03}");
        loop {
            match producer
                .send_with_receipt(&queue, Headers::new(), text.clone())
                .await
            {
                Ok(()) => {
                    confirmed.insert(text.clone());
                    break;
                }
                // Reconnecting: send again once connected.
                Err(Error::NotConnected) | Err(Error::ReceiptLost { .. }) => {
                    reconnects_seen += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("send {text}: {e}"),
            }
        }
        if i == 30 {
            dropper = Some(std::thread::spawn(drop_all_rabbitmq_connections));
        }
        if i % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    dropper.unwrap().join().unwrap();
    // Keep sending until the producer has been through a reconnect for sure.
    producer.connected().await.unwrap();
    loop {
        match producer
            .send_with_receipt(&queue, Headers::new(), "end")
            .await
        {
            Ok(()) => break,
            Err(Error::NotConnected) | Err(Error::ReceiptLost { .. }) => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => panic!("send end: {e}"),
        }
    }
    let got = tokio::time::timeout(PATIENCE, receiving)
        .await
        .expect("the consumer got the end marker in time")
        .unwrap();
    let missing: Vec<_> = confirmed.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "confirmed but never received: {missing:?}"
    );
    assert_eq!(confirmed.len(), 150);

    // The consumer saw the drop, the reconnect and a new CONNECTED.
    let mut disconnected = false;
    let mut reconnected = false;
    while let Ok(Some(event)) = tokio::time::timeout(
        Duration::from_millis(200),
        poll_fn(|cx| Pin::new(&mut consumer_events).poll_next(cx)),
    )
    .await
    {
        match event {
            ConnectionEvent::Disconnected { .. } => disconnected = true,
            ConnectionEvent::Connected { .. } if disconnected => reconnected = true,
            _ => {}
        }
    }
    assert!(
        disconnected && reconnected,
        "the consumer reconnected ({reconnects_seen} producer retries)"
    );
    producer.shutdown(Duration::from_secs(5)).await.unwrap();
    consumer.shutdown(Duration::from_secs(5)).await.unwrap();
}
