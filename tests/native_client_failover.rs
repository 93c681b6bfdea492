//! The native [`Client`] choosing among endpoints: a `failover:(…)` URI whose first broker is
//! down connects to the next; when every endpoint is down the client gives up after exactly
//! the attempts its policy allows, and listeners hear each one.
//!
//! A down endpoint is a loopback port that was just bound and released, so nothing listens
//! there and connecting is refused at once. Nothing here drops other connections, so these
//! tests run in parallel with each other.
#![cfg(feature = "native")]

mod native_client_support;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use native_client_support::*;
use stompwire::native::listener::{Listener, TestListener};
use stompwire::native::transport::TransportError;
use stompwire::native::{Client, ClientConfig, Error};
use stompwire::reconnect::{Backoff, HostOrder, MaxAttempts, Pacing, Policy};

/// A loopback port nothing listens on.
fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("local address").port()
}

/// Records every `on_connecting`.
#[derive(Default)]
struct Connecting(Mutex<Vec<(String, u16)>>);

impl Listener for Connecting {
    fn on_connecting(&self, host: &str, port: u16) {
        self.0.lock().unwrap().push((host.to_string(), port));
    }
}

impl Connecting {
    fn ports(&self) -> Vec<u16> {
        self.0.lock().unwrap().iter().map(|(_, p)| *p).collect()
    }
}

/// Asserts that `err` is `GaveUp` after `attempts`, the last one refused by the OS.
fn assert_gave_up(err: Error, attempts: u32) {
    match err {
        Error::GaveUp {
            attempts: made,
            last: Some(last),
        } => {
            assert_eq!(made, attempts, "attempts made");
            match *last {
                Error::ConnectFailed {
                    source: TransportError::Connect { .. },
                    ..
                } => {}
                other => panic!("last error: {other:?}"),
            }
        }
        other => panic!("expected GaveUp after {attempts} attempts: {other:?}"),
    }
}

/// `failover:(dead,live)`: the dead broker is tried first, refused, and the live one accepts.
#[test]
fn failover_uri_skips_a_dead_broker() {
    retry_if_closed_by_admin(|| {
        let dead = dead_port();
        let (host, port) = host_port("STOMPWIRE_RABBIT_TCP", "127.0.0.1:61613");
        let url = format!(
            "failover:(tcp://127.0.0.1:{dead},tcp://{host}:{port})?randomize=false\
         &initialReconnectDelay=10&startupMaxReconnectAttempts=3"
        );
        let config = ClientConfig::from_url(&url)
            .expect("failover URI")
            .credentials("guest", "guest")
            .vhost("/")
            .heart_beat(0, 0);
        let client = Client::new(config);
        watch_admin_closes(&client);
        let connecting = Arc::new(Connecting::default());
        client.set_listener("connecting", connecting.clone());
        client.connect(PATIENCE).expect("the second broker accepts");
        assert!(client.is_connected());
        assert_eq!(connecting.ports(), [dead, port]);
        send_confirmed(&client, &unique_queue("failover"), "via the second broker");
        client.disconnect().expect("disconnect");
    });
}

/// stomp.py's default policy (3 attempts, hosts of a pass back to back) over two dead
/// endpoints: a begun pass is finished, so 2 passes, 4 attempts, then `GaveUp`.
#[test]
fn every_endpoint_dead_gives_up_after_the_default_policy() {
    let (a, b) = (dead_port(), dead_port());
    let url = format!("failover:(tcp://127.0.0.1:{a},tcp://127.0.0.1:{b})");
    let mut config = ClientConfig::from_url(&url).expect("URI");
    config.policy = Policy::default();
    config.policy.hosts = HostOrder::as_given();
    let client = Client::new(config);
    let connecting = Arc::new(Connecting::default());
    let seen = Arc::new(TestListener::new());
    client.set_listener("connecting", connecting.clone());
    client.set_listener("test", seen.clone());
    assert_gave_up(client.connect(PATIENCE).expect_err("nothing listens"), 4);
    assert_eq!(connecting.ports(), [a, b, a, b]);
    assert_eq!(seen.stats().connecting, 4);
    assert_eq!(seen.stats().connections, 0);
}

/// A policy of 5 attempts, one wait before each: exactly 5 `on_connecting`, alternating
/// between the endpoints, then `GaveUp`.
#[test]
fn every_endpoint_dead_gives_up_after_the_configured_attempts() {
    let (a, b) = (dead_port(), dead_port());
    let url = format!("failover:(tcp://127.0.0.1:{a},tcp://127.0.0.1:{b})");
    let mut config = ClientConfig::from_url(&url).expect("URI");
    config.policy = Policy::default()
        .with_backoff(Backoff::fixed(20))
        .with_pacing(Pacing::PerAttempt)
        .with_max_attempts(MaxAttempts::Total(5))
        .with_startup_max_attempts(None)
        .with_wait_before_first_reconnect(false)
        .with_hosts(HostOrder::as_given());
    let client = Client::new(config);
    let connecting = Arc::new(Connecting::default());
    client.set_listener("connecting", connecting.clone());
    assert_gave_up(client.connect(PATIENCE).expect_err("nothing listens"), 5);
    assert_eq!(connecting.ports(), [a, b, a, b, a]);
}

/// The failover URI's own limit: `startupMaxReconnectAttempts=2` is two retries after the
/// first attempt.
#[test]
fn every_endpoint_dead_gives_up_after_the_uri_limit() {
    let (a, b) = (dead_port(), dead_port());
    let url = format!(
        "failover:(tcp://127.0.0.1:{a},tcp://127.0.0.1:{b})?randomize=false\
         &initialReconnectDelay=10&startupMaxReconnectAttempts=2"
    );
    let client = Client::new(ClientConfig::from_url(&url).expect("URI"));
    let connecting = Arc::new(Connecting::default());
    client.set_listener("connecting", connecting.clone());
    assert_gave_up(client.connect(PATIENCE).expect_err("nothing listens"), 3);
    assert_eq!(connecting.ports(), [a, b, a]);
    assert!(
        client
            .wait_for_connection(std::time::Duration::from_millis(10))
            .is_err()
    );
}
