//! The async client (`stompwire::client`, feature `client`) in headless Chromium
//! (wasm-bindgen-test), against RabbitMQ Web-STOMP at `ws://127.0.0.1:15674/ws`: the same API
//! and the same scenarios as natively.
//!
//! Run with `cargo test --target wasm32-unknown-unknown --features client --test async_browser`
//! (runner `wasm-bindgen-test-runner`, `CHROMEDRIVER` set). Every wait is bounded.
#![cfg(all(target_arch = "wasm32", feature = "client"))]

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use futures_core::Stream;
use gloo_timers::future::TimeoutFuture;
use stompwire::client::{Client, Config, ConnectionEvent, Error, Message};
use stompwire::frame::{Headers, Version};
use stompwire::session::AckMode;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const BROKER: &str = "ws://127.0.0.1:15674/ws";
const PATIENCE_MS: u32 = 15_000;

/// `future`, or a panic naming `what` after the patience runs out.
async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    let mut future = Box::pin(future);
    let mut timeout = TimeoutFuture::new(PATIENCE_MS);
    poll_fn(|cx| {
        if let Poll::Ready(value) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        Pin::new(&mut timeout).poll(cx).map(|()| None)
    })
    .await
    .unwrap_or_else(|| panic!("timed out waiting for {what}"))
}

async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    bounded(
        "the next item",
        poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)),
    )
    .await
}

fn config(version: Version) -> Config {
    Config::from_url(BROKER)
        .unwrap()
        .credentials("guest", "guest")
        .vhost("/")
        .versions(&[version])
        .heart_beat(0, 0)
}

fn queue(what: &str) -> String {
    format!(
        "/queue/async-browser-{what}-{}",
        (js_sys::Math::random() * 1e12) as u64
    )
}

fn body(message: &Message) -> String {
    String::from_utf8(message.body().to_vec()).unwrap()
}

#[wasm_bindgen_test]
async fn every_version_sends_with_receipt_and_receives() {
    for version in Version::ALL {
        let client = bounded("connect", Client::connect(config(version)))
            .await
            .unwrap_or_else(|e| panic!("{version}: {e}"));
        let queue = queue("round-trip");
        let mut messages = client.subscribe(&queue, AckMode::Auto).unwrap();
        for i in 0..3 {
            bounded(
                "a receipt",
                client.send_with_receipt(&queue, Headers::new(), format!("m{i}")),
            )
            .await
            .unwrap();
        }
        for i in 0..3 {
            assert_eq!(body(&next(&mut messages).await.unwrap()), format!("m{i}"));
        }
        drop(messages);
        bounded("shutdown", client.shutdown(Duration::from_secs(5)))
            .await
            .unwrap();
    }
}

#[wasm_bindgen_test]
async fn ack_nack_and_transactions() {
    let client = bounded("connect", Client::connect(config(Version::V1_2)))
        .await
        .unwrap();
    let mut events = client.events();
    let queue = queue("ack-tx");
    let mut messages = client.subscribe(&queue, AckMode::ClientIndividual).unwrap();

    let aborted = client.begin().unwrap();
    aborted
        .send(&queue, Headers::new(), "aborted")
        .await
        .unwrap();
    bounded("abort", aborted.abort()).await.unwrap();
    let dropped = client.begin().unwrap();
    dropped
        .send(&queue, Headers::new(), "dropped")
        .await
        .unwrap();
    drop(dropped);
    let committed = client.begin().unwrap();
    committed.send(&queue, Headers::new(), "one").await.unwrap();
    bounded("commit", committed.commit()).await.unwrap();

    let one = next(&mut messages).await.unwrap();
    assert_eq!(body(&one), "one", "only the committed message came");
    one.nack().unwrap();
    let again = next(&mut messages).await.unwrap();
    assert_eq!(body(&again), "one", "a NACKed message is redelivered");
    again.ack().unwrap();
    drop(messages);
    bounded("shutdown", client.shutdown(Duration::from_secs(5)))
        .await
        .unwrap();
    let mut saw_disconnect = false;
    while let Some(event) = next(&mut events).await {
        saw_disconnect |= matches!(event, ConnectionEvent::Disconnected { .. });
    }
    assert!(saw_disconnect);
}

#[wasm_bindgen_test]
async fn tcp_endpoints_are_refused_with_a_typed_error() {
    let mut config = Config::from_url("tcp://127.0.0.1:61613").unwrap();
    config.policy.max_attempts = stompwire::reconnect::MaxAttempts::Total(1);
    match bounded("connect", Client::connect(config)).await {
        Err(Error::GaveUp(gave_up)) => {
            let e = gave_up.transport.expect("the transport error");
            assert!(e.to_string().contains("WebSocket only"), "{e}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The example's application code, run as it is.
#[allow(dead_code)]
#[path = "../examples/async_chat.rs"]
mod example;

#[wasm_bindgen_test]
async fn the_async_chat_example_runs_against_web_stomp() {
    let lines = bounded(
        "the example",
        example::app::chat(config(Version::V1_2), &queue("example")),
    )
    .await
    .unwrap();
    assert_eq!(lines[..3], ["hello", "inside a transaction", "bye"]);
}

#[wasm_bindgen_test]
async fn a_consumer_that_falls_behind_fails_the_socket_instead_of_growing_its_inbox() {
    let queue = queue("behind");
    // One message buffered, and at most 4 KiB held by the WebSocket while reading waits.
    let mut slow_config = config(Version::V1_2).subscription_buffer(1);
    slow_config.receive_buffer = 0;
    slow_config.session.limits = stompwire::frame::Limits::DEFAULT.with_max_frame_size(4096);
    let slow = bounded("connect", Client::connect(slow_config))
        .await
        .unwrap();
    let mut events = slow.events();
    let mut messages = slow.subscribe(&queue, AckMode::Auto).unwrap();
    let producer = bounded("connect", Client::connect(config(Version::V1_2)))
        .await
        .unwrap();
    // Confirmed by the broker once the subscription exists.
    bounded(
        "the first receipt",
        producer.send_with_receipt(&queue, Headers::new(), "first"),
    )
    .await
    .unwrap();
    let padding = "x".repeat(200);
    for i in 0..100 {
        producer
            .send(&queue, format!("m{i} {padding}"))
            .await
            .unwrap();
    }
    bounded(
        "the last receipt",
        producer.send_with_receipt(&queue, Headers::new(), "last"),
    )
    .await
    .unwrap();
    // Give the broker time to push everything to the consumer, which reads nothing.
    TimeoutFuture::new(500).await;
    // What arrived before the limit is read; then the socket fails and says why.
    let mut taken = 0;
    let error = loop {
        let next = bounded(
            "a message or an event",
            poll_fn(|cx| {
                if let Poll::Ready(message) = Pin::new(&mut messages).poll_next(cx) {
                    return Poll::Ready(Err(message.is_some()));
                }
                Pin::new(&mut events).poll_next(cx).map(Ok)
            }),
        )
        .await;
        match next {
            Err(true) => taken += 1,
            Err(false) => panic!("the messages ended"),
            Ok(Some(ConnectionEvent::TransportError { error, .. })) => break error,
            Ok(Some(_)) => {}
            Ok(None) => panic!("the events ended"),
        }
    };
    assert!(error.to_string().contains("fell behind"), "{error}");
    assert!(
        taken < 102,
        "the messages past the limit were not kept ({taken} taken)"
    );
    drop(messages);
    let _ = bounded("shutdown", slow.shutdown(Duration::from_secs(5))).await;
    let _ = bounded("shutdown", producer.shutdown(Duration::from_secs(5))).await;
}
