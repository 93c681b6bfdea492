//! The async client over a program's own `Connector` (`stompwire::native::ConnectorRuntime`):
//! the connector's blocking transports carry the one async driver, against RabbitMQ over
//! TCP. One test wraps the real transport in one that refuses large frames, as a multicast
//! group refuses a frame larger than a datagram — nothing else refuses a frame and keeps the
//! connection.
//!
//! Broker addresses come from the environment (`eval "$(scripts/brokers.sh env)"`).
#![cfg(all(feature = "native", feature = "tokio", not(target_arch = "wasm32")))]

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_core::Stream;
use stompwire::client::tokio::TokioRuntime;
use stompwire::client::{Client, Config, ConnectionEvent, Error};
use stompwire::frame::Headers;
use stompwire::native::ConnectorRuntime;
use stompwire::native::transport::{
    Connector, Endpoint, Recv, Transport, TransportConfig, TransportError, open,
};
use stompwire::reconnect::{MaxAttempts, Policy};
use stompwire::session::{AckMode, LostReason};

const PATIENCE: Duration = Duration::from_secs(20);

fn rabbit() -> String {
    let addr = std::env::var("STOMPWIRE_RABBIT_TCP").unwrap_or_else(|_| "127.0.0.1:61613".into());
    format!("tcp://{addr}")
}

fn config() -> Config {
    Config::from_url(&rabbit())
        .unwrap()
        .credentials("guest", "guest")
        .vhost("/")
        .heart_beat(0, 0)
}

fn queue(what: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    format!("/queue/connector-{what}-{}-{stamp}-{n}", std::process::id())
}

fn run<F: Future<Output = ()>>(body: F) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(PATIENCE * 3, body)
                .await
                .expect("the test ran out of time")
        });
}

async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    tokio::time::timeout(PATIENCE, poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)))
        .await
        .expect("nothing came in time")
}

/// Opens the real transport, counting the calls; with `limit`, its transports refuse frames
/// larger than that.
struct Counting {
    calls: AtomicU32,
    limit: Option<usize>,
}

impl Connector for Counting {
    fn connect(
        &self,
        endpoint: &Endpoint,
        config: &TransportConfig,
    ) -> Result<Box<dyn Transport>, TransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let inner = open(endpoint, config)?;
        Ok(match self.limit {
            None => inner,
            Some(max) => Box::new(Limited { inner, max }),
        })
    }
}

/// A transport that refuses frames over `max` bytes, sending nothing of them.
struct Limited {
    inner: Box<dyn Transport>,
    max: usize,
}

impl Transport for Limited {
    fn recv(&self, buf: &mut Vec<u8>, timeout: Option<Duration>) -> Result<Recv, TransportError> {
        self.inner.recv(buf, timeout)
    }

    fn send(&self, bytes: &[u8]) -> Result<(), TransportError> {
        if bytes.len() > self.max {
            return Err(TransportError::DatagramTooLarge {
                size: bytes.len(),
                max: self.max,
            });
        }
        self.inner.send(bytes)
    }

    fn close(&self) {
        self.inner.close();
    }

    fn peer(&self) -> &str {
        self.inner.peer()
    }
}

fn runtime(config: &Config, connector: Arc<Counting>) -> ConnectorRuntime {
    ConnectorRuntime::new(
        TokioRuntime::new(config).unwrap(),
        connector,
        TransportConfig::default(),
    )
}

#[test]
fn a_connector_s_transports_carry_the_async_client() {
    run(async {
        let connector = Arc::new(Counting {
            calls: AtomicU32::new(0),
            limit: None,
        });
        let config = config();
        let client = Client::connect_with(runtime(&config, connector.clone()), config)
            .await
            .unwrap();
        let queue = queue("carry");
        let mut messages = client.subscribe(&queue, AckMode::ClientIndividual).unwrap();
        for i in 0..50 {
            client
                .send_with_receipt(&queue, Headers::new(), format!("m{i}"))
                .await
                .unwrap();
        }
        for i in 0..50 {
            let message = next(&mut messages).await.expect("a message");
            assert_eq!(message.body(), format!("m{i}").as_bytes());
            message.ack().unwrap();
        }
        drop(messages);
        client.shutdown(PATIENCE).await.unwrap();
        assert_eq!(connector.calls.load(Ordering::SeqCst), 1, "one connection");
    });
}

#[test]
fn a_frame_the_transport_refuses_fails_its_receipt_and_the_connection_stays() {
    run(async {
        let connector = Arc::new(Counting {
            calls: AtomicU32::new(0),
            limit: Some(1024),
        });
        let config = config();
        let client = Client::connect_with(runtime(&config, connector.clone()), config)
            .await
            .unwrap();
        let mut events = client.events();
        let queue = queue("refused");
        let mut messages = client.subscribe(&queue, AckMode::Auto).unwrap();
        let err = client
            .send_with_receipt(&queue, Headers::new(), "x".repeat(2000))
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
        let (receipt, error) = loop {
            match next(&mut events).await.expect("an event") {
                ConnectionEvent::Refused { receipt, error, .. } => break (receipt, error),
                ConnectionEvent::Disconnected { reason } => panic!("disconnected: {reason:?}"),
                _ => {}
            }
        };
        assert!(receipt.is_some(), "the refusal names the frame's receipt");
        let inner = error
            .get_ref()
            .and_then(|e| e.downcast_ref::<TransportError>());
        assert!(
            matches!(
                inner,
                Some(TransportError::DatagramTooLarge { max: 1024, .. })
            ),
            "the transport's own error travels with it: {error:?}"
        );
        // The same connection carries the next frame, and nothing of the refused one came.
        client
            .send_with_receipt(&queue, Headers::new(), "small")
            .await
            .unwrap();
        let message = next(&mut messages).await.expect("a message");
        assert_eq!(message.body(), b"small");
        assert!(client.is_connected());
        assert_eq!(connector.calls.load(Ordering::SeqCst), 1, "no reconnect");
        drop(messages);
        client.shutdown(PATIENCE).await.unwrap();
    });
}

#[test]
fn a_connector_that_fails_is_reported_with_its_transport_error() {
    run(async {
        let failing =
            |_: &Endpoint, _: &TransportConfig| -> Result<Box<dyn Transport>, TransportError> {
                Err(TransportError::InvalidTarget {
                    reason: "no route from here".into(),
                })
            };
        let mut policy = Policy::default();
        policy.max_attempts = MaxAttempts::Total(1);
        let config = config().policy(policy);
        let runtime = ConnectorRuntime::new(
            TokioRuntime::new(&config).unwrap(),
            Arc::new(failing),
            TransportConfig::default(),
        );
        let err = Client::connect_with(runtime, config).await.unwrap_err();
        let Error::GaveUp(gave_up) = &err else {
            panic!("expected GaveUp, got {err:?}");
        };
        let transport = gave_up.transport.as_ref().expect("the transport error");
        let inner = transport
            .get_ref()
            .and_then(|e| e.downcast_ref::<TransportError>());
        assert!(
            matches!(inner, Some(TransportError::InvalidTarget { reason }) if reason == "no route from here"),
            "{transport:?}"
        );
    });
}
