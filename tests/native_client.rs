//! The native [`Client`] against real brokers, for every transport and STOMP version: RabbitMQ
//! over TCP, Web-STOMP and TLS, and ActiveMQ over TCP, each with 1.0, 1.1 and 1.2 offered
//! alone. One test per rule per (broker, version) cell, named
//! `<broker>::<version>::<rule>`; deviations of a broker are named tests at the end.
//!
//! Every test uses queues of its own, so the tests run in parallel and reruns never see old
//! messages. Nothing here drops broker connections; the tests that do live in
//! `native_client_reconnect.rs` (see there), and a test that fails after RabbitMQ dropped
//! connections on request (a run elsewhere) is run once more. See `native_client_support` for
//! the broker addresses (environment variables, defaulting to `scripts/brokers.sh`'s).
#![cfg(feature = "native")]

mod native_client_support;

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use native_client_support::*;
use stompwire::frame::{Command, ContentLength, EncodeError, Frame, Headers, Version};
use stompwire::native::listener::WaitingListener;
use stompwire::native::{Client, Error};
use stompwire::session::{AckMode, Negotiated, SessionError};

/// Generates `<broker>::<version>::<test>` for every broker, version and test function; each
/// test function takes `(Broker, Version)` and runs under [`retry_if_closed_by_admin`].
macro_rules! matrix {
    (brokers: [$($bmod:ident => $broker:ident),* $(,)?], tests: $tests:tt) => {
        $( matrix!(@broker $bmod, $broker, $tests); )*
    };
    (@broker $bmod:ident, $broker:ident, $tests:tt) => {
        mod $bmod {
            matrix!(@version v1_0, V1_0, $broker, $tests);
            matrix!(@version v1_1, V1_1, $broker, $tests);
            matrix!(@version v1_2, V1_2, $broker, $tests);
        }
    };
    (@version $vmod:ident, $v:ident, $broker:ident, [$($test:ident),* $(,)?]) => {
        mod $vmod {
            $(
                #[test]
                fn $test() {
                    crate::retry_if_closed_by_admin(|| {
                        crate::$test(crate::Broker::$broker, stompwire::frame::Version::$v)
                    });
                }
            )*
        }
    };
}

matrix! {
    brokers: [
        rabbitmq_tcp => RabbitTcp,
        rabbitmq_ws => RabbitWs,
        rabbitmq_tls => RabbitTls,
        activemq_tcp => ActiveMq,
    ],
    tests: [
        connect_negotiates_the_offered_version,
        send_and_subscribe_round_trip,
        ack_auto_needs_no_ack,
        ack_client_is_cumulative,
        ack_client_individual_acks_one_message,
        nack_needs_stomp_1_1,
        receipts_complete_blocking_and_as_futures,
        transaction_commit_delivers_and_abort_discards,
        heart_beats_flow_both_ways,
        binary_body_with_nul_round_trips,
        header_escapes_round_trip,
    ]
}

// ---------------------------------------------------------------------------------------------
// The rules, per (broker, version)

/// CONNECTED names the one version offered; the session is open; a graceful DISCONNECT ends
/// it and the receiver thread stops.
fn connect_negotiates_the_offered_version(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    assert!(conn.client.is_connected());
    assert_eq!(conn.client.version(), Some(version));
    assert_eq!(conn.client.connections(), 1);
    assert_eq!(conn.seen.stats().connections, 1);
    let client = &conn.client;
    conn.client.disconnect().expect("graceful disconnect");
    assert!(!client.is_connected());
    assert_eq!(client.version(), None);
    assert_eq!(conn.seen.stats().disconnects, 1);
    assert!(conn.seen.errors().is_empty(), "{:?}", conn.seen.errors());
}

/// A SEND reaches a subscriber of the queue, with its body, destination and custom header;
/// messages reach both the subscription's iterator and the listeners.
fn send_and_subscribe_round_trip(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    let queue = unique_queue("roundtrip");
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::Auto, Headers::new())
        .expect("subscribe");
    for i in 0..3 {
        conn.client
            .send(
                &queue,
                format!("hello {i}"),
                headers(&[("x-seq", &i.to_string())]),
            )
            .expect("send");
    }
    for i in 0..3 {
        let m = next_message(&messages);
        assert_eq!(m.command, Command::Message);
        assert_eq!(text(&m), format!("hello {i}"));
        assert_eq!(m.header("x-seq"), Some(i.to_string().as_str()));
        assert_eq!(m.destination(), Some(queue.as_str()));
        assert_eq!(m.subscription(), Some(messages.id()));
        let heard = conn
            .seen
            .wait_for_message(PATIENCE)
            .expect("listener saw it");
        assert_eq!(heard.body(), m.body());
    }
    conn.client
        .unsubscribe(messages.id(), Headers::new())
        .expect("unsubscribe");
    assert_eq!(
        messages.recv_timeout(Duration::from_millis(10)),
        Err(()),
        "the iterator ends with the subscription"
    );
    conn.disconnect();
}

/// In `auto` mode the broker counts a message consumed once sent: ACK is refused locally
/// (nothing written) and nothing comes back after the consumer leaves.
fn ack_auto_needs_no_ack(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    let queue = unique_queue("ack-auto");
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::Auto, Headers::new())
        .expect("subscribe");
    send_confirmed(&conn.client, &queue, "m1");
    send_confirmed(&conn.client, &queue, "m2");
    let m1 = next_message(&messages);
    assert_eq!(text(&m1), "m1");
    assert_eq!(text(&next_message(&messages)), "m2");
    let before = conn.frames_sent();
    match conn.client.ack(&m1, Headers::new()) {
        Err(Error::Session(SessionError::AckInAutoMode { subscription })) => {
            assert_eq!(subscription, messages.id())
        }
        other => panic!("ACK in auto mode: {other:?}"),
    }
    assert_eq!(conn.frames_sent(), before, "no frame written");
    conn.disconnect();
    assert_eq!(
        left_on_queue(broker, version, &queue, &[]),
        Vec::<String>::new()
    );
}

/// In `client` mode an ACK acknowledges the message and every earlier one of the
/// subscription: acking the second of three leaves only the third for the next consumer.
fn ack_client_is_cumulative(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    let queue = unique_queue("ack-client");
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::Client, Headers::new())
        .expect("subscribe");
    for body in ["m1", "m2", "m3"] {
        send_confirmed(&conn.client, &queue, body);
    }
    let got: Vec<Frame> = (0..3).map(|_| next_message(&messages)).collect();
    let bodies: Vec<String> = got.iter().map(text).collect();
    assert_eq!(bodies, ["m1", "m2", "m3"]);
    if version == Version::V1_2 {
        assert!(got[1].ack().is_some(), "1.2 MESSAGE carries `ack`");
    }
    conn.client.ack(&got[1], Headers::new()).expect("ack m2");
    // The DISCONNECT receipt confirms the broker processed the ACK.
    conn.disconnect();
    assert_eq!(left_on_queue(broker, version, &queue, &["m3"]), ["m3"]);
}

/// In `client-individual` mode (1.1+) an ACK acknowledges that message only; 1.0 has no
/// such mode: SUBSCRIBE is refused locally with a typed error and nothing is written.
fn ack_client_individual_acks_one_message(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    let queue = unique_queue("ack-individual");
    if version == Version::V1_0 {
        let before = conn.frames_sent();
        match conn
            .client
            .subscribe(&queue, AckMode::ClientIndividual, Headers::new())
        {
            Err(Error::Session(SessionError::AckModeUnsupported { version: v })) => {
                assert_eq!(v, Version::V1_0)
            }
            other => panic!("client-individual on 1.0: {other:?}"),
        }
        assert_eq!(conn.frames_sent(), before, "no frame written");
        conn.disconnect();
        return;
    }
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::ClientIndividual, Headers::new())
        .expect("subscribe");
    for body in ["m1", "m2", "m3"] {
        send_confirmed(&conn.client, &queue, body);
    }
    let got: Vec<Frame> = (0..3).map(|_| next_message(&messages)).collect();
    assert_eq!(text(&got[1]), "m2");
    conn.client.ack(&got[1], Headers::new()).expect("ack m2");
    conn.disconnect();
    assert_eq!(
        left_on_queue(broker, version, &queue, &["m1", "m3"]),
        ["m1", "m3"]
    );
}

/// NACK exists from 1.1: the broker takes it (its receipt comes, no ERROR) and the message is
/// no longer the consumer's. In 1.0 both `nack` and `nack_id` are refused locally with a
/// typed error and nothing is written.
fn nack_needs_stomp_1_1(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    let queue = unique_queue("nack");
    let mode = if version == Version::V1_0 {
        AckMode::Client
    } else {
        AckMode::ClientIndividual
    };
    let messages = conn
        .client
        .subscribe_messages(&queue, mode, Headers::new())
        .expect("subscribe");
    send_confirmed(&conn.client, &queue, "refuse me");
    let m = next_message(&messages);
    if version == Version::V1_0 {
        let before = conn.frames_sent();
        let refused = |r: Result<(), Error>| {
            matches!(
                r,
                Err(Error::Session(SessionError::Unsupported {
                    command: Command::Nack,
                    version: Version::V1_0
                }))
            )
        };
        assert!(refused(conn.client.nack(&m, Headers::new())));
        assert!(refused(
            conn.client
                .nack_id(m.message_id().expect("message-id"), m.subscription())
        ));
        assert_eq!(conn.frames_sent(), before, "no frame written");
        conn.client.ack(&m, Headers::new()).expect("ack");
        conn.disconnect();
        return;
    }
    let receipt_id = format!("nack-{}", std::process::id());
    let receipt = conn.client.watch_receipt(&receipt_id);
    conn.client
        .nack(&m, headers(&[("receipt", &receipt_id)]))
        .expect("nack");
    receipt
        .wait(PATIENCE)
        .expect("the broker confirms the NACK");
    assert!(conn.seen.errors().is_empty(), "{:?}", conn.seen.errors());
    assert!(conn.client.is_connected());
    conn.disconnect();
}

/// Receipts complete by blocking (`wait`), as futures (`.await` on a minimal executor), for
/// SUBSCRIBE, and for a receipt header chosen by the caller (`watch_receipt`, and
/// `WaitingListener`).
fn receipts_complete_blocking_and_as_futures(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    let queue = unique_queue("receipts");
    let (sub, subscribed) = conn
        .client
        .subscribe_with_receipt(&queue, AckMode::Auto, Headers::new())
        .expect("subscribe");
    assert!(!sub.is_empty());
    let frame = subscribed.wait(PATIENCE).expect("SUBSCRIBE receipt");
    assert_eq!(frame.command, Command::Receipt);
    assert_eq!(frame.receipt_id(), Some(subscribed.id()));

    let blocking = conn
        .client
        .send_with_receipt(&queue, "blocking", Headers::new())
        .expect("send");
    let frame = blocking.wait(PATIENCE).expect("SEND receipt");
    assert_eq!(frame.receipt_id(), Some(blocking.id()));
    assert!(blocking.is_done());

    // `.await`, on an executor of a few lines (no runtime): one SEND after the other, each
    // once the previous one is confirmed.
    let client = &conn.client;
    let ids = block_on(
        async {
            let mut ids = Vec::new();
            for body in ["awaited 1", "awaited 2"] {
                let receipt = client.send_with_receipt(&queue, body, Headers::new())?;
                let frame = receipt.clone().await?;
                assert_eq!(frame.receipt_id(), Some(receipt.id()));
                ids.push(receipt.id().to_owned());
            }
            Ok::<_, Error>(ids)
        },
        PATIENCE,
    )
    .expect("the receipt futures complete")
    .expect("SEND receipts");
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);

    let custom = format!("custom-{}", std::process::id());
    let waiting = Arc::new(WaitingListener::new(&custom));
    conn.client.set_listener("waiting", waiting.clone());
    let watched = conn.client.watch_receipt(&custom);
    conn.client
        .send(&queue, "custom", headers(&[("receipt", &custom)]))
        .expect("send");
    watched.wait(PATIENCE).expect("custom receipt");
    assert!(waiting.wait_on_receipt(PATIENCE));
    assert!(conn.seen.wait_for_receipt(&custom, PATIENCE));
    assert!(conn.seen.stats().receipts >= 5);
    conn.disconnect();
    assert!(waiting.wait_on_disconnected(PATIENCE));
}

/// Messages sent in a transaction reach the queue at COMMIT, after a message sent outside it;
/// those of an aborted transaction never do.
fn transaction_commit_delivers_and_abort_discards(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    let queue = unique_queue("tx");
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::Auto, Headers::new())
        .expect("subscribe");

    let tx = conn.client.begin(None).expect("begin");
    conn.client
        .send(&queue, "committed", headers(&[("transaction", &tx)]))
        .expect("send in tx");
    send_confirmed(&conn.client, &queue, "outside");
    assert_eq!(text(&next_message(&messages)), "outside");
    conn.client.commit(&tx).expect("commit");
    assert_eq!(text(&next_message(&messages)), "committed");

    let tx = conn.client.begin(Some("tx-abort")).expect("begin");
    assert_eq!(tx, "tx-abort");
    conn.client
        .send(&queue, "aborted", headers(&[("transaction", &tx)]))
        .expect("send in tx");
    conn.client.abort(&tx).expect("abort");
    send_confirmed(&conn.client, &queue, "after abort");
    assert_eq!(text(&next_message(&messages)), "after abort");
    match conn.client.commit(&tx) {
        Err(Error::Session(SessionError::UnknownTransaction(id))) => assert_eq!(id, tx),
        other => panic!("commit after abort: {other:?}"),
    }
    conn.disconnect();
}

/// Heart-beats of 1 s both ways (1.1+) are negotiated, arrive, and keep an idle connection
/// open past three intervals; the connection still works afterwards. STOMP 1.0 has none.
fn heart_beats_flow_both_ways(broker: Broker, version: Version) {
    // With the default receive scale: ActiveMQ's first heart-beat comes two intervals after
    // CONNECTED (see `activemq_sends_its_first_heart_beat_two_intervals_after_connected`),
    // which the session's first deadline allows for.
    let config = broker.config(version).heart_beat(1000, 1000);
    let conn = connect_with(config);
    let negotiated = conn.client.heart_beat().expect("connected");
    if version == Version::V1_0 {
        assert_eq!(negotiated, Negotiated::NONE);
        conn.disconnect();
        return;
    }
    assert_eq!(
        negotiated,
        Negotiated {
            send_ms: 1000,
            receive_ms: 1000
        }
    );
    assert!(
        conn.seen.wait_for_heartbeat(Duration::from_secs(5)),
        "a server heart-beat within 5 s"
    );
    let before = conn.seen.stats().heartbeats;
    thread::sleep(Duration::from_millis(3_500));
    let stats = conn.seen.stats();
    assert!(
        stats.heartbeats >= before + 2,
        "heart-beats keep arriving: {before} then {}",
        stats.heartbeats
    );
    assert_eq!(stats.heartbeat_timeouts, 0);
    assert_eq!(stats.disconnects, 0, "the broker kept the idle connection");
    assert!(conn.client.is_connected());
    assert_eq!(conn.client.connections(), 1);
    send_confirmed(&conn.client, &unique_queue("heartbeat"), "still here");
    conn.disconnect();
}

/// A body holding every byte value, NUL included, arrives unchanged (content-length framing);
/// so does a body that is a single NUL.
fn binary_body_with_nul_round_trips(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    let queue = unique_queue("binary");
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::Auto, Headers::new())
        .expect("subscribe");
    let body: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    conn.client
        .send_with_receipt(
            &queue,
            body.clone(),
            headers(&[("content-type", "application/octet-stream")]),
        )
        .expect("send")
        .wait(PATIENCE)
        .expect("receipt");
    conn.client
        .send(&queue, vec![0u8], Headers::new())
        .expect("send");
    let m = next_message(&messages);
    assert_eq!(m.body(), body.as_slice());
    assert_eq!(m.content_length(), Some(body.len()));
    let m = next_message(&messages);
    assert_eq!(m.body(), b"\0");
    conn.disconnect();
}

/// Header names and values with non-ASCII text, `:`, `\` and line feeds (and, in 1.2, carriage
/// returns) survive the trip through the broker — escaped by 1.1/1.2. STOMP 1.0 has no
/// escaping: values with `:` and non-ASCII text pass, but a line feed in a value or a `:` in a
/// name is refused locally with a typed error and nothing is written; so is a carriage return
/// in 1.1.
fn header_escapes_round_trip(broker: Broker, version: Version) {
    let conn = connect(broker, version);
    let queue = unique_queue("escapes");
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::Auto, Headers::new())
        .expect("subscribe");
    let mut pairs: Vec<(&str, &str)> = vec![("x-unicode", "grüße, 日本語, ✓")];
    if !(broker.is_rabbit() && version == Version::V1_0) {
        // RabbitMQ escapes `:` even in 1.0 (see `rabbitmq_escapes_headers_even_in_stomp_1_0`).
        pairs.push(("x-colon", "a:b::c"));
    }
    if version >= Version::V1_1 {
        pairs.push(("x-newline", "line 1\nline 2\n"));
        pairs.push(("x-backslash", "C:\\path\\to"));
        pairs.push(("x-all", "é:\n\\:\n"));
        pairs.push(("x-colon:name", "named with a colon"));
    }
    if version == Version::V1_2 {
        pairs.push(("x-carriage-return", "a\r\nb"));
    }
    conn.client
        .send_with_receipt(&queue, "headers", headers(&pairs))
        .expect("send")
        .wait(PATIENCE)
        .expect("receipt");
    let m = next_message(&messages);
    for (name, value) in &pairs {
        assert_eq!(m.header(name), Some(*value), "header {name:?}");
    }

    let before = conn.frames_sent();
    let refused = |h: &[(&str, &str)]| match conn.client.send(&queue, "x", headers(h)) {
        Err(Error::Session(SessionError::Encode(EncodeError::Unrepresentable { .. }))) => {}
        other => panic!("{h:?} on {version:?}: {other:?}"),
    };
    match version {
        Version::V1_0 => {
            refused(&[("x-newline", "line 1\nline 2")]);
            refused(&[("x:colon-name", "v")]);
            refused(&[("x-cr", "a\rb")]);
        }
        Version::V1_1 => refused(&[("x-cr", "a\rb")]),
        Version::V1_2 => {}
    }
    assert_eq!(conn.frames_sent(), before, "no frame written");
    conn.disconnect();
}

// ---------------------------------------------------------------------------------------------
// Broker quirks, each named after what the broker does

/// A client with no heart-beats on 1.2 and a fresh queue.
fn client_and_queue(broker: Broker, name: &str) -> (Conn, String) {
    (connect(broker, Version::V1_2), unique_queue(name))
}

/// ActiveMQ reads a SEND without `content-length` as a JMS text message and one with it as a
/// bytes message; the MESSAGE it delivers says which: no `content-length` for text.
#[test]
fn activemq_send_without_content_length_arrives_as_text() {
    let (conn, queue) = client_and_queue(Broker::ActiveMq, "amq-text");
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::Auto, Headers::new())
        .expect("subscribe");
    let send = |body: &str, content_length| {
        let frame = Frame::new(Command::Send)
            .with_header("destination", &queue)
            .with_body(body);
        conn.client
            .send_frame(frame, content_length)
            .expect("send_frame");
    };
    send("as text", ContentLength::Skip);
    send("as bytes", ContentLength::Auto);
    let text_message = next_message(&messages);
    assert_eq!(text(&text_message), "as text");
    assert_eq!(text_message.content_length(), None);
    let bytes_message = next_message(&messages);
    assert_eq!(text(&bytes_message), "as bytes");
    assert_eq!(bytes_message.content_length(), Some(8));
    conn.disconnect();
}

/// ActiveMQ does not redeliver a NACKed message: it moves it to the dead-letter queue
/// (`ActiveMQ.DLQ`) at once — when it is persistent; a non-persistent one is dropped.
#[test]
fn activemq_nack_moves_a_persistent_message_to_the_dead_letter_queue() {
    let (conn, queue) = client_and_queue(Broker::ActiveMq, "amq-nack");
    let messages = conn
        .client
        .subscribe_messages(&queue, AckMode::ClientIndividual, Headers::new())
        .expect("subscribe");
    let tag = queue.rsplit('/').next().unwrap().replace('-', "_");
    conn.client
        .send_with_receipt(
            &queue,
            "dead letter",
            headers(&[("persistent", "true"), ("stompwire_tag", &tag)]),
        )
        .expect("send")
        .wait(PATIENCE)
        .expect("receipt");
    let m = next_message(&messages);
    let receipt = conn.client.watch_receipt("amq-nack");
    conn.client
        .nack(&m, headers(&[("receipt", "amq-nack")]))
        .expect("nack");
    receipt.wait(PATIENCE).expect("NACK receipt");
    assert_eq!(
        messages.recv_timeout(Duration::from_secs(1)),
        Ok(None),
        "not redelivered"
    );
    let dlq = conn
        .client
        .subscribe_messages(
            "/queue/ActiveMQ.DLQ",
            AckMode::Auto,
            headers(&[("selector", &format!("stompwire_tag = '{tag}'"))]),
        )
        .expect("subscribe to the DLQ");
    let dead = next_message(&dlq);
    assert_eq!(text(&dead), "dead letter");
    assert_eq!(dead.header("stompwire_tag"), Some(tag.as_str()));
    conn.disconnect();
}

/// ActiveMQ sends its first heart-beat two intervals after CONNECTED (then one per interval):
/// a client whose grace is 1.5 intervals, stomp.py's default, would call the first silence a
/// timeout.
#[test]
fn activemq_sends_its_first_heart_beat_two_intervals_after_connected() {
    use std::sync::Mutex;
    use std::time::Instant;
    use stompwire::native::listener::Listener;

    #[derive(Default)]
    struct Times {
        connected: Mutex<Option<Instant>>,
        beats: Mutex<Vec<Instant>>,
    }
    impl Listener for Times {
        fn on_connected(&self, _frame: &Frame) {
            *self.connected.lock().unwrap() = Some(Instant::now());
        }
        fn on_heartbeat(&self) {
            self.beats.lock().unwrap().push(Instant::now());
        }
    }

    let mut config = Broker::ActiveMq
        .config(Version::V1_2)
        .heart_beat(1000, 1000);
    config.session.heart_beat_receive_scale = 3.0;
    let client = Client::new(config);
    let times = Arc::new(Times::default());
    client.set_listener("times", times.clone());
    client.connect(PATIENCE).expect("connect");
    assert!(eventually(PATIENCE, || times.beats.lock().unwrap().len() >= 3));
    let connected = times.connected.lock().unwrap().expect("CONNECTED");
    let beats = times.beats.lock().unwrap().clone();
    let first = beats[0] - connected;
    assert!(
        first >= Duration::from_millis(1_600) && first <= Duration::from_millis(2_900),
        "first heart-beat after {first:?}"
    );
    let next = beats[2] - beats[1];
    assert!(next <= Duration::from_millis(1_400), "then every {next:?}");
    client.disconnect().expect("disconnect");
}

/// RabbitMQ applies STOMP 1.1 escaping to STOMP 1.0 sessions, both ways, though 1.0 has none:
/// a `:` in a header value reaches a 1.0 client as `\c`, and a `\` that does not start a 1.1
/// escape (`C:\dir`) makes RabbitMQ drop the connection without an ERROR frame.
#[test]
fn rabbitmq_escapes_headers_even_in_stomp_1_0() {
    retry_if_closed_by_admin(|| {
        let conn = connect(Broker::RabbitTcp, Version::V1_0);
        let queue = unique_queue("rabbit-escape-1-0");
        let messages = conn
            .client
            .subscribe_messages(&queue, AckMode::Auto, Headers::new())
            .expect("subscribe");
        conn.client
            .send(
                &queue,
                "x",
                headers(&[("x-colon", "a:b"), ("x-plain", "é")]),
            )
            .expect("send");
        let m = next_message(&messages);
        assert_eq!(m.header("x-colon"), Some("a\\cb"));
        assert_eq!(m.header("x-plain"), Some("é"));

        conn.client
            .send(&queue, "x", headers(&[("x-backslash", "C:\\dir")]))
            .expect("send");
        assert!(
            conn.seen.wait_for_disconnects(1, PATIENCE),
            "RabbitMQ drops the connection"
        );
        assert!(conn.seen.errors().is_empty(), "{:?}", conn.seen.errors());
    });
}

/// RabbitMQ copies the `receipt` header of a SEND into the MESSAGE it delivers (the header
/// means nothing there; a client must not take it for a RECEIPT).
#[test]
fn rabbitmq_copies_the_receipt_header_of_send_into_message() {
    retry_if_closed_by_admin(|| {
        let (conn, queue) = client_and_queue(Broker::RabbitTcp, "rabbit-receipt-header");
        let messages = conn
            .client
            .subscribe_messages(&queue, AckMode::Auto, Headers::new())
            .expect("subscribe");
        let receipt = conn
            .client
            .send_with_receipt(&queue, "x", Headers::new())
            .expect("send");
        receipt.wait(PATIENCE).expect("receipt");
        assert!(conn.seen.wait_for_receipt(receipt.id(), PATIENCE));
        let m = next_message(&messages);
        assert_eq!(m.command, Command::Message);
        assert_eq!(m.receipt(), Some(receipt.id()));
        assert_eq!(conn.seen.stats().receipts, 1, "one RECEIPT, the real one");
        conn.disconnect();
    });
}

/// RabbitMQ puts a NACKed message back on the queue (`requeue` defaults to true) and delivers
/// it again, marked `redelivered:true`.
#[test]
fn rabbitmq_nack_requeues_the_message() {
    retry_if_closed_by_admin(|| {
        let (conn, queue) = client_and_queue(Broker::RabbitTcp, "rabbit-nack");
        let messages = conn
            .client
            .subscribe_messages(&queue, AckMode::ClientIndividual, Headers::new())
            .expect("subscribe");
        send_confirmed(&conn.client, &queue, "again");
        let first = next_message(&messages);
        assert_eq!(first.header("redelivered"), Some("false"));
        conn.client.nack(&first, Headers::new()).expect("nack");
        let again = next_message(&messages);
        assert_eq!(text(&again), "again");
        assert_eq!(again.header("redelivered"), Some("true"));
        conn.client.ack(&again, Headers::new()).expect("ack");
        conn.disconnect();
    });
}

/// RabbitMQ reads the `host` header as the virtual host: a client that sends the broker's
/// address there (as some default to) is refused with an ERROR naming the vhost.
#[test]
fn rabbitmq_reads_the_host_header_as_the_virtual_host() {
    let mut config = Broker::RabbitTcp.config(Version::V1_2).vhost("127.0.0.1");
    config.policy.max_attempts = stompwire::reconnect::MaxAttempts::Total(1);
    let client = Client::new(config);
    match client.connect(PATIENCE) {
        Err(Error::GaveUp {
            attempts: 1,
            last: Some(last),
        }) => match *last {
            Error::Refused(frame) => {
                assert_eq!(frame.command, Command::Error);
                assert!(text(&frame).contains("Virtual host '127.0.0.1' access denied"));
            }
            other => panic!("last error: {other:?}"),
        },
        other => panic!("connect: {other:?}"),
    }
}

/// Records the bodies of the frames `on_send` is given.
#[derive(Default)]
struct SentBodies(std::sync::Mutex<Vec<Vec<u8>>>);

impl stompwire::native::listener::Listener for SentBodies {
    fn wants_on_send(&self) -> bool {
        true
    }
    fn on_send(&self, frame: &Frame) {
        self.0.lock().unwrap().push(frame.body.clone());
    }
}

#[test]
fn a_send_listener_added_while_a_large_frame_is_written_hears_the_frames_after_it() {
    let client = Client::new(Broker::RabbitTcp.config(Version::V1_2));
    client.connect(PATIENCE).expect("connected");
    let queue = unique_queue("on-send-late");
    // 16 MiB: written over many writes, so the listener most likely arrives in the middle
    // of it; its copy starts with the next frame, never in the middle of this one.
    client
        .send(&queue, vec![b'x'; 16 << 20], Headers::new())
        .unwrap();
    let sent = Arc::new(SentBodies::default());
    client.set_listener("sent", sent.clone());
    client.send(&queue, "after", Headers::new()).unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    while !sent.0.lock().unwrap().iter().any(|b| b == b"after") {
        assert!(
            std::time::Instant::now() < deadline,
            "on_send never heard of the frame sent after the listener came"
        );
        thread::sleep(Duration::from_millis(5));
    }
    let bodies = sent.0.lock().unwrap();
    assert!(
        bodies.iter().all(|b| b.len() == 16 << 20 || b == b"after"),
        "only whole frames: {:?}",
        bodies.iter().map(Vec::len).collect::<Vec<_>>()
    );
    drop(bodies);
    let _ = client.disconnect();
}
