//! The native transports against real brokers: RabbitMQ (STOMP over TCP and TLS, Web-STOMP)
//! and ActiveMQ (STOMP over TCP); and UDP multicast inside a private network namespace.
//!
//! Broker addresses come from the environment, with the defaults of `scripts/brokers.sh`:
//! `STOMPWIRE_RABBIT_TCP` (127.0.0.1:61613), `STOMPWIRE_RABBIT_TLS` (127.0.0.1:61614),
//! `STOMPWIRE_RABBIT_WS` (ws://127.0.0.1:15674/ws), `STOMPWIRE_ACTIVEMQ_TCP` (127.0.0.1:61633),
//! `STOMPWIRE_TLS_DIR` (/var/tmp/stompwire-brokers/tls: `ca.pem`, `other-ca.pem`,
//! `server.pem`, `client.pem`, `client-key.pem`). Web-STOMP over TLS is tested when
//! `STOMPWIRE_RABBIT_WSS` (e.g. wss://127.0.0.1:15673/ws) names a listener.
//!
//! The multicast tests are ignored by default: multicast must not leave the machine, so they
//! run only inside a network namespace of their own, through `scripts/netns-test.sh` (which
//! sets `STOMPWIRE_NETNS=1`).
#![cfg(feature = "native")]

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use stompwire::frame::{Command, Decoder, Frame, Item, Limits, Version, encode};
use stompwire::native::transport::{
    ClientIdentity, Endpoint, MulticastConfig, MulticastTransport, Recv, Scheme, TcpConfig,
    TlsConfig, TlsTransport, Transport, TransportConfig, TransportError, WsConfig, WsTransport,
    open,
};

/// Upper bound for anything a test waits for.
const PATIENCE: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------------------------------------
// Helpers

/// An error and its sources on one line, as a log shows them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// `host:port` (with an optional scheme and path) from the environment.
fn address(var: &str, default: &str) -> (String, u16, String) {
    let value = env_or(var, default);
    let rest = value.split_once("://").map_or(value.as_str(), |(_, r)| r);
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    let (host, port) = authority
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("{var}={value}: expected host:port"));
    (
        host.to_string(),
        port.parse()
            .unwrap_or_else(|_| panic!("{var}={value}: bad port")),
        path.to_string(),
    )
}

fn rabbit_tcp() -> Endpoint {
    let (host, port, _) = address("STOMPWIRE_RABBIT_TCP", "127.0.0.1:61613");
    Endpoint::new(Scheme::Tcp, host.as_str(), port)
}

fn activemq_tcp() -> Endpoint {
    let (host, port, _) = address("STOMPWIRE_ACTIVEMQ_TCP", "127.0.0.1:61633");
    Endpoint::new(Scheme::Tcp, host.as_str(), port)
}

fn rabbit_tls() -> Endpoint {
    let (host, port, _) = address("STOMPWIRE_RABBIT_TLS", "127.0.0.1:61614");
    Endpoint::new(Scheme::Ssl, host.as_str(), port)
}

fn rabbit_ws() -> Endpoint {
    let (host, port, path) = address("STOMPWIRE_RABBIT_WS", "ws://127.0.0.1:15674/ws");
    Endpoint::new(Scheme::Ws, host.as_str(), port).with_path(path.as_str())
}

fn tls_dir() -> PathBuf {
    PathBuf::from(env_or(
        "STOMPWIRE_TLS_DIR",
        "/var/tmp/stompwire-brokers/tls",
    ))
}

/// Trusts only the test CA (or `ca`), presenting the client certificate when there is one.
fn tls_config(ca: &str) -> TlsConfig {
    let dir = tls_dir();
    let (cert, key) = (dir.join("client.pem"), dir.join("client-key.pem"));
    TlsConfig::with_ca_file(dir.join(ca)).with_client_identity(
        (cert.exists() && key.exists()).then_some(ClientIdentity {
            cert_file: cert,
            key_file: key,
        }),
    )
}

fn config() -> TransportConfig {
    TransportConfig::default().with_tls(tls_config("ca.pem"))
}

fn connect_to(target: &Endpoint) -> Arc<dyn Transport> {
    match open(target, &config()) {
        Ok(t) => Arc::from(t),
        Err(e) => {
            panic!("cannot open {target:?}: {e} (are the brokers up? scripts/brokers.sh start)")
        }
    }
}

/// A destination no other test (or earlier run) uses.
fn unique(kind: &str, name: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "/{kind}/stompwire-transport-{name}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn bytes_of(frame: &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    encode(frame, Version::V1_2, &mut out).unwrap();
    out
}

fn send_frame(transport: &dyn Transport, frame: &Frame) {
    transport
        .send(&bytes_of(frame))
        .unwrap_or_else(|e| panic!("sending {:?}: {e}", frame.command));
}

fn connect_frame() -> Frame {
    Frame::new(Command::Connect)
        .with_header("accept-version", "1.0,1.1,1.2")
        .with_header("host", "/")
        .with_header("login", "guest")
        .with_header("passcode", "guest")
        .with_header("heart-beat", "0,0")
}

/// Reads frames from a transport through the codec.
struct Frames {
    decoder: Decoder,
    buf: Vec<u8>,
    ready: VecDeque<Frame>,
    closed: bool,
}

impl Frames {
    fn new() -> Frames {
        Frames {
            decoder: Decoder::new(Limits::default()),
            buf: Vec::new(),
            ready: VecDeque::new(),
            closed: false,
        }
    }

    /// The next frame, or `None` if the connection closed or `within` passed first.
    fn next(&mut self, transport: &dyn Transport, within: Duration) -> Option<Frame> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(frame) = self.ready.pop_front() {
                return Some(frame);
            }
            if self.closed {
                return None;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.buf.clear();
            match transport.recv(&mut self.buf, Some(left)).unwrap() {
                Recv::Data(n) => {
                    assert_eq!(n, self.buf.len());
                    for item in self.decoder.feed(&self.buf) {
                        if let Item::Frame(frame) = item.expect("the broker's bytes decode") {
                            self.ready.push_back(frame);
                        }
                    }
                }
                Recv::Timeout => return None,
                Recv::Closed => self.closed = true,
            }
        }
    }

    /// The next frame, which must be a `command`.
    fn expect(&mut self, transport: &dyn Transport, command: Command) -> Frame {
        match self.next(transport, PATIENCE) {
            Some(frame) if frame.command == command => frame,
            Some(frame) => panic!(
                "expected {command}, got {frame:?} {:?}",
                String::from_utf8_lossy(frame.body())
            ),
            None => panic!("expected {command}, got nothing within {PATIENCE:?}"),
        }
    }
}

/// CONNECT → CONNECTED; returns the frame reader for what follows.
fn handshake(transport: &dyn Transport) -> (Frames, Frame) {
    send_frame(transport, &connect_frame());
    let mut frames = Frames::new();
    let connected = frames.expect(transport, Command::Connected);
    (frames, connected)
}

/// SUBSCRIBE to `destination` as `id` and wait for the broker's receipt.
fn subscribe(transport: &dyn Transport, frames: &mut Frames, destination: &str, id: &str) {
    send_frame(
        transport,
        &Frame::new(Command::Subscribe)
            .with_header("id", id)
            .with_header("destination", destination)
            .with_header("ack", "auto")
            .with_header("receipt", &format!("sub-{id}")),
    );
    let receipt = frames.expect(transport, Command::Receipt);
    assert_eq!(receipt.receipt_id(), Some(format!("sub-{id}").as_str()));
}

fn binary_body() -> Vec<u8> {
    let mut body: Vec<u8> = (0..=255u8).collect();
    body.extend_from_slice(b"\0\0NUL in the middle\0\xff\xfe not UTF-8\0");
    body
}

// ---------------------------------------------------------------------------------------------
// The same checks for every broker transport

fn check_connect(target: &Endpoint) {
    let transport = connect_to(target);
    let (_, connected) = handshake(&*transport);
    assert_eq!(connected.version(), Some("1.2"), "{connected:?}");
    transport.close();
}

fn check_binary_round_trip(target: &Endpoint) {
    let transport = connect_to(target);
    let (mut frames, _) = handshake(&*transport);
    let destination = unique("queue", "binary");
    subscribe(&*transport, &mut frames, &destination, "0");
    let body = binary_body();
    send_frame(
        &*transport,
        &Frame::new(Command::Send)
            .with_header("destination", &destination)
            .with_header("content-type", "application/octet-stream")
            .with_body(body.clone()),
    );
    let message = frames.expect(&*transport, Command::Message);
    assert_eq!(message.destination(), Some(destination.as_str()));
    assert_eq!(message.subscription(), Some("0"));
    assert_eq!(message.body(), &body[..]);
    transport.close();
}

/// A writer is never held up by a reader blocked in `recv`, and many writers at once do not
/// interleave their frames.
fn check_concurrent_send_while_receiving(target: &Endpoint) {
    let transport = connect_to(target);
    let (mut frames, _) = handshake(&*transport);
    let destination = unique("queue", "concurrent");

    // 1. A reader blocks with nothing to read; a send with a receipt must not wait for it.
    let reader = {
        let transport = transport.clone();
        thread::spawn(move || {
            let mut buf = Vec::new();
            let started = Instant::now();
            let got = transport.recv(&mut buf, Some(PATIENCE)).unwrap();
            (got, buf, started.elapsed())
        })
    };
    thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    send_frame(
        &*transport,
        &Frame::new(Command::Subscribe)
            .with_header("id", "0")
            .with_header("destination", &destination)
            .with_header("receipt", "blocked-reader"),
    );
    let send_took = started.elapsed();
    let (got, buf, waited) = reader.join().unwrap();
    assert!(
        send_took < Duration::from_secs(2),
        "send took {send_took:?} while a reader was blocked"
    );
    assert!(matches!(got, Recv::Data(_)), "{got:?}");
    assert!(waited < PATIENCE, "the reader was not woken by the receipt");
    let mut decoder = Decoder::new(Limits::default());
    let receipt = decoder
        .feed(&buf)
        .find_map(|item| match item.unwrap() {
            Item::Frame(f) => Some(f),
            Item::Heartbeat => None,
        })
        .expect("a frame");
    assert_eq!(receipt.receipt_id(), Some("blocked-reader"));

    // 2. Four writers send 25 messages each while the reader keeps receiving.
    const WRITERS: usize = 4;
    const EACH: usize = 25;
    let collector = {
        let transport = transport.clone();
        thread::spawn(move || {
            let mut bodies = Vec::new();
            let deadline = Instant::now() + PATIENCE;
            while bodies.len() < WRITERS * EACH && Instant::now() < deadline {
                match frames.next(&*transport, Duration::from_millis(250)) {
                    Some(frame) if frame.command == Command::Message => {
                        bodies.push(frame.body().to_vec());
                    }
                    Some(frame) => panic!("unexpected {frame:?}"),
                    None if frames.closed => break,
                    None => {}
                }
            }
            bodies
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let transport = transport.clone();
            let destination = destination.clone();
            thread::spawn(move || {
                for i in 0..EACH {
                    let mut body = format!("writer {w} message {i} ").into_bytes();
                    body.extend_from_slice(&[0, 1, 2, 0xff]);
                    body.extend(std::iter::repeat_n(b'x', 1000 * w));
                    send_frame(
                        &*transport,
                        &Frame::new(Command::Send)
                            .with_header("destination", &destination)
                            .with_body(body),
                    );
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let bodies = collector.join().unwrap();
    assert_eq!(bodies.len(), WRITERS * EACH, "messages lost or late");
    for w in 0..WRITERS {
        let prefix = format!("writer {w} message ");
        let mine: Vec<_> = bodies
            .iter()
            .filter(|b| b.starts_with(prefix.as_bytes()))
            .collect();
        assert_eq!(mine.len(), EACH);
        for (i, body) in mine.into_iter().enumerate() {
            let mut expected = format!("writer {w} message {i} ").into_bytes();
            expected.extend_from_slice(&[0, 1, 2, 0xff]);
            expected.extend(std::iter::repeat_n(b'x', 1000 * w));
            assert_eq!(
                body, &expected,
                "writer {w} message {i} (order within a writer)"
            );
        }
    }
    transport.close();
}

fn check_recv_timeout(target: &Endpoint) {
    let transport = connect_to(target);
    let (_, _) = handshake(&*transport);
    let mut buf = Vec::new();
    for wait in [Duration::from_millis(1), Duration::from_millis(300)] {
        let started = Instant::now();
        let got = transport.recv(&mut buf, Some(wait)).unwrap();
        let took = started.elapsed();
        // RabbitMQ may still deliver the EOL that trails CONNECTED.
        if got == Recv::Data(1) && buf == b"\n" {
            buf.clear();
            continue;
        }
        assert_eq!(got, Recv::Timeout, "{:?}", String::from_utf8_lossy(&buf));
        assert!(buf.is_empty());
        assert!(took >= wait, "returned after {took:?}, before {wait:?}");
        assert!(took < wait + Duration::from_secs(2), "took {took:?}");
    }
    transport.close();
}

/// How a broker ends the connection after DISCONNECT.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Goodbye {
    /// As the specification says: RECEIPT for the DISCONNECT's `receipt`, then close.
    Receipt,
    /// ActiveMQ (5.17) answers each of the two internal commands a DISCONNECT becomes with
    /// the receipt, so a second, identical RECEIPT may arrive before the close.
    ReceiptMaybeTwice,
    /// RabbitMQ Web-STOMP (3.10) closes the WebSocket ("STOMP died") without the RECEIPT.
    CloseWithoutReceipt,
}

/// DISCONNECT with a receipt: the broker (answers and) closes; `recv` says Closed.
fn check_peer_close(target: &Endpoint, goodbye: Goodbye) {
    let transport = connect_to(target);
    let (mut frames, _) = handshake(&*transport);
    send_frame(
        &*transport,
        &Frame::new(Command::Disconnect).with_header("receipt", "bye"),
    );
    match goodbye {
        Goodbye::Receipt | Goodbye::ReceiptMaybeTwice => {
            let receipt = frames.expect(&*transport, Command::Receipt);
            assert_eq!(receipt.receipt_id(), Some("bye"));
        }
        Goodbye::CloseWithoutReceipt => {
            let next = frames.next(&*transport, PATIENCE);
            assert!(next.is_none() && frames.closed, "{next:?}");
        }
    }
    let deadline = Instant::now() + PATIENCE;
    let mut buf = Vec::new();
    loop {
        assert!(Instant::now() < deadline, "the broker did not close");
        match transport
            .recv(&mut buf, Some(Duration::from_secs(1)))
            .unwrap()
        {
            Recv::Closed => break,
            Recv::Data(_) => {
                let repeated = b"RECEIPT\nreceipt-id:bye\n\n\0";
                let rest = match buf.strip_prefix(repeated) {
                    Some(rest) if goodbye == Goodbye::ReceiptMaybeTwice => rest,
                    _ => &buf[..],
                };
                assert!(
                    rest.iter().all(|&b| b == b'\n' || b == b'\r'),
                    "after the receipt: {:?}",
                    String::from_utf8_lossy(&buf)
                );
                buf.clear();
            }
            Recv::Timeout => {}
        }
    }
    // Closed stays closed.
    assert_eq!(
        transport
            .recv(&mut buf, Some(Duration::from_millis(10)))
            .unwrap(),
        Recv::Closed
    );
}

/// `close` from another thread wakes a blocked reader; sends afterwards fail.
fn check_local_close(target: &Endpoint) {
    let transport = connect_to(target);
    let (_, _) = handshake(&*transport);
    let reader = {
        let transport = transport.clone();
        thread::spawn(move || {
            let mut buf = Vec::new();
            let deadline = Instant::now() + PATIENCE;
            loop {
                let got = transport.recv(&mut buf, Some(PATIENCE)).unwrap();
                if got == Recv::Closed || Instant::now() > deadline {
                    return got;
                }
                buf.clear();
            }
        })
    };
    thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    transport.close();
    assert_eq!(reader.join().unwrap(), Recv::Closed);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(matches!(
        transport.send(b"SEND\ndestination:/queue/x\n\n\0"),
        Err(TransportError::Closed)
    ));
    transport.close(); // idempotent
}

macro_rules! broker_transport_tests {
    ($module:ident, $target:expr, $goodbye:expr) => {
        mod $module {
            use super::*;

            #[test]
            fn connect_gets_connected() {
                check_connect(&$target);
            }

            #[test]
            fn binary_body_with_nul_bytes_round_trips() {
                check_binary_round_trip(&$target);
            }

            #[test]
            fn send_does_not_wait_for_a_blocked_reader() {
                check_concurrent_send_while_receiving(&$target);
            }

            #[test]
            fn recv_times_out_when_nothing_arrives() {
                check_recv_timeout(&$target);
            }

            #[test]
            fn broker_closing_after_disconnect_is_closed() {
                check_peer_close(&$target, $goodbye);
            }

            #[test]
            fn local_close_wakes_the_reader() {
                check_local_close(&$target);
            }
        }
    };
}

broker_transport_tests!(rabbitmq_tcp, rabbit_tcp(), Goodbye::Receipt);
broker_transport_tests!(activemq_tcp, activemq_tcp(), Goodbye::ReceiptMaybeTwice);
broker_transport_tests!(rabbitmq_tls, rabbit_tls(), Goodbye::Receipt);
broker_transport_tests!(rabbitmq_ws, rabbit_ws(), Goodbye::CloseWithoutReceipt);

// ---------------------------------------------------------------------------------------------
// TLS verification

fn tls_connect(tls: &TlsConfig) -> Result<TlsTransport, TransportError> {
    let target = rabbit_tls();
    TlsTransport::connect(&target.host, target.port, &TcpConfig::default(), tls)
}

#[test]
fn tls_with_the_right_ca_connects_and_negotiates_a_version() {
    let transport = tls_connect(&tls_config("ca.pem")).unwrap();
    assert!(transport.protocol_version().is_some());
    let (_, connected) = handshake(&transport);
    assert_eq!(connected.version(), Some("1.2"));
}

#[test]
fn tls_by_host_name_uses_it_for_sni_and_verification() {
    let target = rabbit_tls();
    if target.host != "127.0.0.1" {
        return; // the certificate names localhost and 127.0.0.1 only
    }
    let transport = TlsTransport::connect(
        "localhost",
        target.port,
        &TcpConfig::default(),
        &tls_config("ca.pem"),
    )
    .unwrap();
    let (_, connected) = handshake(&transport);
    assert_eq!(connected.command, Command::Connected);
}

#[test]
fn tls_with_another_ca_fails_with_a_verify_error() {
    let err = tls_connect(&tls_config("other-ca.pem")).unwrap_err();
    assert!(err.is_certificate_error(), "{err:?}");
    let text = chain(&err);
    assert!(
        text.contains("certificate verify failed") && text.contains("UnknownIssuer"),
        "{text}"
    );
}

#[test]
fn tls_with_a_mismatched_host_name_fails() {
    let tls = tls_config("ca.pem").with_server_name(Some("wrong.example".to_string()));
    let err = tls_connect(&tls).unwrap_err();
    assert!(err.is_certificate_error(), "{err:?}");
    let text = chain(&err);
    assert!(
        text.contains("certificate verify failed") && text.contains("wrong.example"),
        "{text}"
    );
}

#[test]
fn tls_system_roots_alone_do_not_trust_a_private_ca() {
    let tls = TlsConfig::default().with_system_roots(Some(true));
    match tls_connect(&tls) {
        Err(e) => assert!(
            e.is_certificate_error() || matches!(e, TransportError::NoTrustRoots { .. }),
            "{e:?}"
        ),
        Ok(_) => panic!("a private CA was trusted without being configured"),
    }
}

/// A verifier that trusts exactly one server certificate, whatever its issuer and names.
#[derive(Debug)]
struct Pinned {
    certificate: Vec<u8>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl Pinned {
    fn new(certificate: Vec<u8>) -> Pinned {
        Pinned {
            certificate,
            algorithms: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        }
    }
}

impl rustls::client::danger::ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &rustls_pki_types::CertificateDer<'_>,
        _intermediates: &[rustls_pki_types::CertificateDer<'_>],
        _server_name: &rustls_pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.certificate {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn pem_certificate(file: &str) -> Vec<u8> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::from_pem_file(tls_dir().join(file))
        .unwrap()
        .to_vec()
}

#[test]
fn tls_custom_verifier_replaces_verification() {
    // Pinned to the server's own certificate: trusted, even under a name it does not carry.
    let pinned = tls_config("ca.pem")
        .with_verifier(Some(Arc::new(Pinned::new(pem_certificate("server.pem")))))
        .with_server_name(Some("pinned.example".to_string()));
    let transport = tls_connect(&pinned).unwrap();
    let (_, connected) = handshake(&transport);
    assert_eq!(connected.command, Command::Connected);
    // Pinned to another certificate: refused, though the CA would vouch for the server.
    let other =
        tls_config("ca.pem").with_verifier(Some(Arc::new(Pinned::new(pem_certificate("ca.pem")))));
    let err = tls_connect(&other).unwrap_err();
    assert!(err.is_certificate_error(), "{err:?}");
    assert!(
        err.to_string().starts_with("certificate verify failed"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// WebSocket specifics

fn ws_connect(path: &str, ws: &WsConfig) -> Result<WsTransport, TransportError> {
    let target = rabbit_ws();
    WsTransport::connect(
        &target.host,
        target.port,
        path,
        &TcpConfig::default(),
        None,
        ws,
    )
}

#[test]
fn ws_reports_the_chosen_subprotocol() {
    let transport = ws_connect(&rabbit_ws().path, &WsConfig::default()).unwrap();
    assert_eq!(transport.subprotocol(), Some("v12.stomp"));
    assert_eq!(transport.subprotocol_version(), Some(Version::V1_2));
    let transport = ws_connect(
        &rabbit_ws().path,
        &WsConfig::default().with_subprotocols(vec![Version::V1_1]),
    )
    .unwrap();
    assert_eq!(transport.subprotocol(), Some("v11.stomp"));
}

#[test]
fn ws_text_and_binary_messages_and_split_frames_reach_the_broker() {
    for ws in [
        WsConfig::default(),
        WsConfig::default().with_always_binary(true),
        WsConfig::default().with_max_chunk_size(Some(7)),
    ] {
        let transport = ws_connect(&rabbit_ws().path, &ws).unwrap();
        let (mut frames, _) = handshake(&transport);
        let destination = unique("queue", "ws-text");
        subscribe(&transport, &mut frames, &destination, "t");
        for body in [b"plain text \xc3\xa9".to_vec(), binary_body()] {
            send_frame(
                &transport,
                &Frame::new(Command::Send)
                    .with_header("destination", &destination)
                    .with_body(body.clone()),
            );
            let message = frames.expect(&transport, Command::Message);
            assert_eq!(message.body(), &body[..], "{ws:?}");
        }
    }
}

#[test]
fn ws_upgrade_to_a_missing_path_names_the_http_status() {
    let err = ws_connect("/no-such-path", &WsConfig::default()).unwrap_err();
    assert!(
        matches!(err, TransportError::WebSocketRejected { status: 404, .. }),
        "{err:?}"
    );
}

/// Web-STOMP over TLS, where the broker offers it: `STOMPWIRE_RABBIT_WSS`
/// (`wss://127.0.0.1:15673/ws`), verified with the CA of `STOMPWIRE_TLS_DIR`.
#[test]
fn wss_connects_round_trips_and_closes_when_offered() {
    if std::env::var("STOMPWIRE_RABBIT_WSS").is_err() {
        eprintln!("skipped: STOMPWIRE_RABBIT_WSS is not set (no Web-STOMP over TLS listener)");
        return;
    }
    let (host, port, path) = address("STOMPWIRE_RABBIT_WSS", "");
    let target = Endpoint::new(Scheme::Wss, host.as_str(), port).with_path(path.as_str());
    check_connect(&target);
    check_binary_round_trip(&target);
    check_concurrent_send_while_receiving(&target);
    check_recv_timeout(&target);
    check_local_close(&target);
    check_peer_close(&target, Goodbye::CloseWithoutReceipt);
}

// ---------------------------------------------------------------------------------------------
// UDP multicast, only inside a private network namespace

const NETNS_ONLY: &str = "multicast must not leave the machine: run scripts/netns-test.sh, \
                          which runs these tests in a private network namespace with STOMPWIRE_NETNS=1";

/// Fails the test outside the namespace: multicast must not be used here, and a test that did
/// not run must not pass.
fn require_private_netns() {
    assert!(
        std::env::var("STOMPWIRE_NETNS").as_deref() == Ok("1"),
        "{NETNS_ONLY}"
    );
}

fn multicast_config(port: u16) -> MulticastConfig {
    MulticastConfig::default()
        .with_group("239.255.77.1".parse().unwrap())
        .with_port(port)
}

fn multicast(port: u16) -> Arc<dyn Transport> {
    Arc::new(MulticastTransport::open(&multicast_config(port)).unwrap())
}

#[test]
#[ignore = "needs a private network namespace: scripts/netns-test.sh"]
fn multicast_connect_subscribe_and_receive_own_binary_message() {
    require_private_netns();
    let transport = multicast(47001);
    let (mut frames, connected) = handshake(&*transport);
    assert_eq!(connected.version(), Some("1.2"));
    assert!(connected.session().is_some());
    subscribe(&*transport, &mut frames, "/topic/mine", "7");
    let body = binary_body();
    send_frame(
        &*transport,
        &Frame::new(Command::Send)
            .with_header("destination", "/topic/mine")
            .with_header("receipt", "sent")
            .with_header("colour", "blue")
            .with_body(body.clone()),
    );
    // The RECEIPT means "sent to the group"; the group's copy of the datagram may come back
    // through loopback before or after it.
    let mut two = [
        frames.next(&*transport, PATIENCE).expect("a frame"),
        frames.next(&*transport, PATIENCE).expect("a second frame"),
    ];
    two.sort_by_key(|f| f.command != Command::Receipt);
    let [receipt, message] = two;
    assert_eq!(receipt.command, Command::Receipt);
    assert_eq!(receipt.receipt_id(), Some("sent"));
    assert_eq!(message.command, Command::Message);
    assert_eq!(message.subscription(), Some("7"));
    assert_eq!(message.destination(), Some("/topic/mine"));
    assert_eq!(message.header("colour"), Some("blue"));
    assert!(message.message_id().is_some());
    assert_eq!(message.body(), &body[..]);
}

#[test]
#[ignore = "needs a private network namespace: scripts/netns-test.sh"]
fn multicast_two_transports_exchange_messages_by_destination() {
    require_private_netns();
    let (a, b) = (multicast(47002), multicast(47002));
    let (mut fa, _) = handshake(&*a);
    let (mut fb, _) = handshake(&*b);
    subscribe(&*a, &mut fa, "/topic/for-a", "a");
    subscribe(&*b, &mut fb, "/topic/for-b", "b");
    for (from, to) in [
        (&a, "/topic/for-b"),
        (&b, "/topic/for-a"),
        (&a, "/topic/nobody"),
    ] {
        send_frame(
            &**from,
            &Frame::new(Command::Send)
                .with_header("destination", to)
                .with_body(format!("to {to}")),
        );
    }
    let at_b = fb.expect(&*b, Command::Message);
    assert_eq!(at_b.body(), b"to /topic/for-b");
    assert_eq!(at_b.subscription(), Some("b"));
    let at_a = fa.expect(&*a, Command::Message);
    assert_eq!(at_a.body(), b"to /topic/for-a");
    // Nothing else arrives: not the other's messages, not /topic/nobody.
    assert!(fa.next(&*a, Duration::from_millis(500)).is_none());
    assert!(fb.next(&*b, Duration::from_millis(500)).is_none());
}

#[test]
#[ignore = "needs a private network namespace: scripts/netns-test.sh"]
fn multicast_transactions_unsubscribe_timeout_and_disconnect() {
    require_private_netns();
    let transport = multicast(47003);
    let (mut frames, _) = handshake(&*transport);
    subscribe(&*transport, &mut frames, "/topic/tx", "1");
    let mut buf = Vec::new();
    let started = Instant::now();
    assert_eq!(
        transport
            .recv(&mut buf, Some(Duration::from_millis(200)))
            .unwrap(),
        Recv::Timeout
    );
    assert!(started.elapsed() >= Duration::from_millis(200));

    let send = |body: &str| {
        Frame::new(Command::Send)
            .with_header("destination", "/topic/tx")
            .with_header("transaction", "t1")
            .with_body(body.to_string())
    };
    send_frame(
        &*transport,
        &Frame::new(Command::Begin).with_header("transaction", "t1"),
    );
    send_frame(&*transport, &send("one"));
    send_frame(&*transport, &send("two"));
    assert!(
        frames
            .next(&*transport, Duration::from_millis(300))
            .is_none()
    );
    send_frame(
        &*transport,
        &Frame::new(Command::Commit).with_header("transaction", "t1"),
    );
    assert_eq!(frames.expect(&*transport, Command::Message).body(), b"one");
    assert_eq!(frames.expect(&*transport, Command::Message).body(), b"two");

    send_frame(
        &*transport,
        &Frame::new(Command::Unsubscribe)
            .with_header("id", "1")
            .with_header("receipt", "gone"),
    );
    assert_eq!(
        frames.expect(&*transport, Command::Receipt).receipt_id(),
        Some("gone")
    );
    send_frame(
        &*transport,
        &Frame::new(Command::Send)
            .with_header("destination", "/topic/tx")
            .with_body("unheard"),
    );
    assert!(
        frames
            .next(&*transport, Duration::from_millis(300))
            .is_none()
    );

    send_frame(
        &*transport,
        &Frame::new(Command::Disconnect).with_header("receipt", "bye"),
    );
    assert_eq!(
        frames.expect(&*transport, Command::Receipt).receipt_id(),
        Some("bye")
    );
    assert!(frames.next(&*transport, PATIENCE).is_none());
    assert!(frames.closed);
    assert!(matches!(transport.send(b"\n"), Err(TransportError::Closed)));
}

#[test]
#[ignore = "needs a private network namespace: scripts/netns-test.sh"]
fn multicast_frame_larger_than_a_datagram_is_refused_whole() {
    require_private_netns();
    let transport =
        MulticastTransport::open(&multicast_config(47004).with_max_datagram_size(2000)).unwrap();
    let (mut frames, _) = handshake(&transport);
    subscribe(&transport, &mut frames, "/topic/big", "1");
    let big = Frame::new(Command::Send)
        .with_header("destination", "/topic/big")
        .with_body(vec![b'x'; 4000]);
    let err = transport.send(&bytes_of(&big)).unwrap_err();
    assert!(
        matches!(err, TransportError::DatagramTooLarge { max: 2000, .. }),
        "{err:?}"
    );
    assert!(
        frames
            .next(&transport, Duration::from_millis(300))
            .is_none()
    );
    // The session goes on.
    send_frame(
        &transport,
        &Frame::new(Command::Send)
            .with_header("destination", "/topic/big")
            .with_body("small"),
    );
    assert_eq!(frames.expect(&transport, Command::Message).body(), b"small");
}

#[test]
#[ignore = "needs a private network namespace: scripts/netns-test.sh"]
fn multicast_send_does_not_wait_for_a_blocked_reader() {
    require_private_netns();
    let transport = multicast(47005);
    let (mut frames, _) = handshake(&*transport);
    subscribe(&*transport, &mut frames, "/topic/wake", "w");
    let reader = {
        let transport = transport.clone();
        thread::spawn(move || {
            let mut buf = Vec::new();
            (transport.recv(&mut buf, Some(PATIENCE)).unwrap(), buf)
        })
    };
    thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    send_frame(
        &*transport,
        &Frame::new(Command::Send)
            .with_header("destination", "/topic/wake")
            .with_body("wake up"),
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    let (got, buf) = reader.join().unwrap();
    assert!(matches!(got, Recv::Data(_)));
    assert!(buf.windows(7).any(|w| w == b"wake up"));
    transport.close();
}

/// The port and the environment variable that make a re-run of this binary the peer process.
const PEER_PORT: u16 = 47010;
const PEER_ENV: &str = "STOMPWIRE_MULTICAST_PEER";

#[test]
#[ignore = "needs a private network namespace: scripts/netns-test.sh"]
fn multicast_two_processes_exchange_messages_and_filter_destinations() {
    require_private_netns();
    let transport = multicast(PEER_PORT);
    let (mut frames, _) = handshake(&*transport);
    subscribe(&*transport, &mut frames, "/topic/pong", "pong");

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "multicast_peer_process",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(PEER_ENV, "1")
        // Its panics go to stderr; its "test result" line would be counted as a test of this run.
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();

    let send = |destination: &str, body: &str| {
        send_frame(
            &*transport,
            &Frame::new(Command::Send)
                .with_header("destination", destination)
                .with_body(body.to_string()),
        );
    };
    // The peer echoes what its subscriptions receive; it subscribes to /topic/ping only.
    let mut echoes = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    for attempt in 0..60 {
        if Instant::now() > deadline {
            break;
        }
        send("/topic/ignored", &format!("ignored {attempt}"));
        send("/topic/ping", &format!("ping {attempt}"));
        if let Some(frame) = frames.next(&*transport, Duration::from_millis(250)) {
            echoes.push(frame);
            break;
        }
    }
    send("/topic/ping", "stop");
    while let Some(frame) = frames.next(&*transport, Duration::from_millis(500)) {
        echoes.push(frame);
    }
    let status = wait_bounded(&mut child, PATIENCE);
    assert!(status.success(), "the peer process failed: {status:?}");
    assert!(!echoes.is_empty(), "no echo from the peer process");
    for echo in &echoes {
        assert_eq!(echo.command, Command::Message);
        assert_eq!(echo.subscription(), Some("pong"));
        let text = echo.body_str().unwrap();
        assert!(text.starts_with("echo /topic/ping "), "{text}");
    }
    assert!(echoes.iter().any(|e| e.body() == b"echo /topic/ping stop"));
}

fn wait_bounded(child: &mut std::process::Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return child.wait().unwrap();
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The other process of the test above: echoes `/topic/ping` messages to `/topic/pong` until
/// it gets "stop".
#[test]
#[ignore = "run by multicast_two_processes_exchange_messages_and_filter_destinations"]
fn multicast_peer_process() {
    assert!(
        std::env::var(PEER_ENV).as_deref() == Ok("1"),
        "the peer process of multicast_two_processes_exchange_messages_and_filter_destinations, \
         which starts it"
    );
    require_private_netns();
    let transport = multicast(PEER_PORT);
    let (mut frames, _) = handshake(&*transport);
    subscribe(&*transport, &mut frames, "/topic/ping", "ping");
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        let Some(frame) = frames.next(&*transport, Duration::from_millis(250)) else {
            continue;
        };
        assert_eq!(frame.command, Command::Message);
        let destination = frame.destination().unwrap().to_string();
        assert_eq!(
            destination, "/topic/ping",
            "a destination not subscribed to"
        );
        let body = frame.body_str().unwrap();
        send_frame(
            &*transport,
            &Frame::new(Command::Send)
                .with_header("destination", "/topic/pong")
                .with_body(format!("echo {destination} {body}")),
        );
        if body == "stop" {
            return;
        }
    }
    panic!("no stop message within {PATIENCE:?}");
}
