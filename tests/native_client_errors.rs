//! How the native [`Client`] fails, and what it keeps to itself, against real brokers: a
//! refused login, a TLS server the client cannot verify, credentials in log output; and the
//! custom thread spawner.
//!
//! This binary installs a `log` logger that keeps every record (the tests of this file run in
//! parallel, so it sees their records too: more text searched for secrets).
#![cfg(feature = "native")]

mod native_client_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::thread;

use native_client_support::*;
use stompwire::frame::{Command, Frame, Headers, Version};
use stompwire::native::listener::{Listener, PrintingListener, TestListener};
use stompwire::native::{Client, Error};
use stompwire::reconnect::MaxAttempts;
use stompwire::session::AckMode;

// ---------------------------------------------------------------------------------------------
// A logger that keeps what it is given

struct Capture {
    records: Mutex<Vec<String>>,
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line);
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture {
    records: Mutex::new(Vec::new()),
};

/// Installs the capturing logger (once per process) at the most verbose level.
fn capture_logs() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&CAPTURE).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

fn logged() -> Vec<String> {
    CAPTURE
        .records
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

/// A passcode no broker, test or log line holds by chance.
fn secret(tag: &str) -> String {
    format!("{tag}-{}-Zq7xK", std::process::id())
}

// ---------------------------------------------------------------------------------------------
// Tests

/// RabbitMQ answers CONNECT with bad credentials with ERROR: every attempt the policy allows
/// is refused, `on_error` hears each ERROR, and `connect` ends with `GaveUp` whose last error
/// is the refusal, carrying the ERROR frame.
#[test]
fn bad_credentials_end_in_gave_up_with_the_refusal() {
    capture_logs();
    let config = Broker::RabbitTcp
        .config(Version::V1_2)
        .credentials("guest", &secret("wrong"));
    let attempts = match config.policy.max_attempts {
        MaxAttempts::Total(n) => n,
        MaxAttempts::Forever => panic!("the default policy gives up"),
    };
    let client = Client::new(config);
    let seen = Arc::new(TestListener::new());
    client.set_listener("test", seen.clone());
    match client.connect(PATIENCE) {
        Err(Error::GaveUp {
            attempts: made,
            last: Some(last),
        }) => {
            assert_eq!(made, attempts);
            match *last {
                Error::Refused(frame) => {
                    assert_eq!(frame.command, Command::Error);
                    assert!(
                        text(&frame).contains("Access refused for user 'guest'"),
                        "{:?}",
                        text(&frame)
                    );
                }
                other => panic!("last error: {other:?}"),
            }
        }
        other => panic!("connect with bad credentials: {other:?}"),
    }
    let stats = seen.stats();
    assert_eq!(stats.connecting, u64::from(attempts));
    assert_eq!(
        stats.errors,
        u64::from(attempts),
        "on_error for each refusal"
    );
    assert_eq!(stats.connections, 0);
    assert_eq!(seen.errors().len(), attempts as usize);
    assert!(!client.is_connected());
    assert!(matches!(
        client.send("/queue/x", "x", Headers::new()),
        Err(Error::NotConnected)
    ));
}

/// A TLS server whose certificate was signed by a CA the client does not trust fails the
/// handshake with a certificate verification error, reachable as a typed `TransportError`
/// and said plainly in the message.
#[test]
fn tls_with_the_wrong_ca_fails_certificate_verification() {
    let mut config = Broker::RabbitTls.config(Version::V1_2);
    config.transport.tls = tls_config("other-ca.pem");
    config.policy.max_attempts = MaxAttempts::Total(1);
    let client = Client::new(config);
    let seen = Arc::new(TestListener::new());
    client.set_listener("test", seen.clone());
    let err = client.connect(PATIENCE).expect_err("untrusted server");
    let message = err.report().to_string();
    match err {
        Error::GaveUp {
            attempts: 1,
            last: Some(last),
        } => match *last {
            Error::ConnectFailed { endpoint, source } => {
                assert!(endpoint.starts_with("ssl://"), "{endpoint}");
                assert!(source.is_certificate_error(), "{source:?}");
            }
            other => panic!("last error: {other:?}"),
        },
        other => panic!("connect: {other:?}"),
    }
    assert!(
        message.contains("certificate verify failed") && message.contains("UnknownIssuer"),
        "{message}"
    );
    assert_eq!(seen.stats().connecting, 1);
    assert_eq!(seen.stats().connections, 0);
}

/// The receiver thread is started by the configured spawner, once per `connect` (a client
/// connects again after a graceful disconnect), and the callbacks run on that thread.
#[test]
fn custom_spawner_starts_the_receiver_thread() {
    retry_if_closed_by_admin(|| {
        struct ThreadOf(Mutex<Vec<Option<String>>>);
        impl Listener for ThreadOf {
            fn on_connected(&self, _frame: &Frame) {
                let name = thread::current().name().map(String::from);
                self.0.lock().unwrap().push(name);
            }
        }

        let spawned = Arc::new(AtomicUsize::new(0));
        let mut config = Broker::RabbitTcp.config(Version::V1_2);
        let count = spawned.clone();
        config.spawner = Some(Arc::new(move |body| {
            let n = count.fetch_add(1, Ordering::SeqCst);
            thread::Builder::new()
                .name(format!("custom-receiver-{n}"))
                .spawn(body)
                .expect("spawn");
        }));
        let client = Client::new(config);
        watch_admin_closes(&client);
        let threads = Arc::new(ThreadOf(Mutex::new(Vec::new())));
        client.set_listener("threads", threads.clone());

        client.connect(PATIENCE).expect("connect");
        assert_eq!(spawned.load(Ordering::SeqCst), 1);
        client
            .connect(PATIENCE)
            .expect("connect while connected is a no-op");
        assert_eq!(spawned.load(Ordering::SeqCst), 1);
        client.disconnect().expect("disconnect");

        client.connect(PATIENCE).expect("connect again");
        assert_eq!(spawned.load(Ordering::SeqCst), 2);
        assert_eq!(client.connections(), 2);
        send_confirmed(
            &client,
            &unique_queue("spawner"),
            "after reconnecting by hand",
        );
        client.disconnect().expect("disconnect");

        let names = threads.0.lock().unwrap().clone();
        assert_eq!(
            names,
            [
                Some("custom-receiver-0".to_string()),
                Some("custom-receiver-1".to_string())
            ]
        );
    });
}

/// `PrintingListener` logs every callback — CONNECT (with its `passcode`) among the frames
/// sent, a refused login among the errors — and no log record, nor the `Debug` form of the
/// client or its configuration, ever holds the passcode.
#[test]
fn printing_listener_never_logs_the_passcode() {
    capture_logs();
    let accepted = secret("accepted");
    let config = Broker::ActiveMq
        .config(Version::V1_2)
        .credentials("stompwire", &accepted);
    assert!(!format!("{config:?}").contains(&accepted));
    let client = Client::new(config);
    client.set_listener("printing", Arc::new(PrintingListener));
    client.connect(PATIENCE).expect("connect");
    assert!(!format!("{client:?}").contains(&accepted));
    let queue = unique_queue("printing");
    let messages = client
        .subscribe_messages(&queue, AckMode::Client, Headers::new())
        .expect("subscribe");
    send_confirmed(&client, &queue, "printed");
    let m = next_message(&messages);
    client.ack(&m, Headers::new()).expect("ack");
    client.disconnect().expect("disconnect");

    let refused = secret("refused");
    let mut config = Broker::RabbitTcp
        .config(Version::V1_2)
        .credentials("guest", &refused);
    config.policy.max_attempts = MaxAttempts::Total(1);
    let rejected = Client::new(config);
    rejected.set_listener("printing", Arc::new(PrintingListener));
    assert!(rejected.connect(PATIENCE).is_err());

    let records = logged();
    for callback in [
        "on_connecting",
        "on_connected",
        "on_send",
        "on_message",
        "on_receipt",
        "on_error",
        "on_disconnecting",
        "on_disconnected",
        "on_receiver_loop_completed",
    ] {
        assert!(
            records.iter().any(|r| r.contains(callback)),
            "{callback} was logged"
        );
    }
    assert!(
        records
            .iter()
            .any(|r| r.contains("on_send") && r.contains("Connect") && r.contains("passcode")),
        "CONNECT is logged, its passcode masked"
    );
    for secret in [&accepted, &refused] {
        let leaks: Vec<&String> = records.iter().filter(|r| r.contains(secret)).collect();
        assert!(leaks.is_empty(), "passcode in the log: {leaks:?}");
    }
}
