//! ACK and NACK per version: 1.0 `message-id` and no NACK; 1.1 `message-id` +
//! `subscription`; 1.2 the MESSAGE's `ack` header as `id`.

mod scripted_broker;

use scripted_broker::{Pair, connected, connected_1_0, headers, receipt};
use stompwire::frame::{Command, Frame, Headers, Version};
use stompwire::session::{AckMode, Event, ReceiptOutcome, RequiredHeader, SessionError, State};

/// A session on `version` with a subscription `s` in `mode`.
fn subscribed(version: &str, mode: AckMode) -> Pair {
    let mut pair = Pair::quiet();
    if version == "1.0" {
        pair.connect_with(&connected_1_0());
    } else {
        pair.connect_with(&connected(version, "0,0"));
    }
    pair.session
        .subscribe("/q", mode, headers(&[("id", "s")]), pair.now)
        .unwrap();
    pair.sent();
    pair
}

/// The broker delivers a MESSAGE with `message-id:m-<n>` and (1.2) `ack:a-<n>`.
fn deliver(pair: &mut Pair, n: u32) -> Frame {
    let bytes =
        format!("MESSAGE\nsubscription:s\nmessage-id:m-{n}\nack:a-{n}\ndestination:/q\n\nbody\0");
    pair.broker(bytes.as_bytes()).unwrap();
    match pair.events().pop() {
        Some(Event::Message { frame, .. }) => frame,
        other => panic!("{other:?}"),
    }
}

/// Header name/value pairs, as a table row writes them.
type Pairs = &'static [(&'static str, &'static str)];

/// The headers of `frame` as owned pairs.
fn all(frame: &Frame) -> Vec<(String, String)> {
    frame
        .headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn ack_names_the_message_as_each_version_says() {
    let table: &[(&str, &[(&str, &str)])] = &[
        ("1.0", &[("message-id", "m-1")]),
        ("1.1", &[("message-id", "m-1"), ("subscription", "s")]),
        ("1.2", &[("id", "a-1")]),
    ];
    for (version, expected) in table {
        let mut pair = subscribed(version, AckMode::Client);
        let message = deliver(&mut pair, 1);
        pair.session
            .ack(&message, Headers::new(), pair.now)
            .unwrap();
        let ack = pair.sent_one();
        assert_eq!(ack.command, Command::Ack, "{version}");
        assert_eq!(all(&ack), pairs(expected), "{version}");
    }
}

#[test]
fn nack_is_refused_in_1_0_and_names_the_message_in_1_1_and_1_2() {
    // (version, ack mode, the NACK's headers or a refusal); 1.0 has no client-individual.
    let table: &[(&str, AckMode, Option<Pairs>)] = &[
        ("1.0", AckMode::Client, None),
        (
            "1.1",
            AckMode::ClientIndividual,
            Some(&[("message-id", "m-1"), ("subscription", "s")]),
        ),
        ("1.2", AckMode::ClientIndividual, Some(&[("id", "a-1")])),
    ];
    for (version, mode, expected) in table {
        let mut pair = subscribed(version, *mode);
        let message = deliver(&mut pair, 1);
        let result = pair.session.nack(&message, Headers::new(), pair.now);
        let by_id = pair
            .session
            .nack_id("m-1", Some("s"), Headers::new(), pair.now);
        match expected {
            None => {
                let refused = Err(SessionError::Unsupported {
                    command: Command::Nack,
                    version: Version::V1_0,
                });
                assert_eq!(result, refused);
                assert_eq!(by_id, refused);
                assert!(pair.sent().is_empty());
                assert!(
                    pair.session.is_connected(),
                    "a refused call changes nothing"
                );
            }
            Some(expected) => {
                result.unwrap();
                by_id.unwrap();
                let sent = pair.sent();
                assert_eq!(sent[0].command, Command::Nack);
                assert_eq!(all(&sent[0]), pairs(expected), "{version}");
            }
        }
    }
}

#[test]
fn ack_id_sends_the_id_given_as_each_version_says() {
    let table: &[(&str, &[(&str, &str)])] = &[
        ("1.0", &[("message-id", "x-9")]),
        ("1.1", &[("message-id", "x-9"), ("subscription", "s")]),
        ("1.2", &[("id", "x-9")]),
    ];
    for (version, expected) in table {
        let mut pair = subscribed(version, AckMode::Client);
        pair.session
            .ack_id("x-9", Some("s"), Headers::new(), pair.now)
            .unwrap();
        assert_eq!(all(&pair.sent_one()), pairs(expected), "{version}");
    }
}

#[test]
fn ack_in_1_1_needs_the_subscription() {
    let mut pair = subscribed("1.1", AckMode::Client);
    assert_eq!(
        pair.session.ack_id("m-1", None, Headers::new(), pair.now),
        Err(SessionError::MissingHeader {
            command: Command::Ack,
            header: RequiredHeader::Subscription
        })
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn ack_needs_the_header_that_names_the_message() {
    // (version, the MESSAGE header ACK needs)
    for (version, header) in [
        ("1.0", RequiredHeader::MessageId),
        ("1.1", RequiredHeader::MessageId),
        ("1.2", RequiredHeader::Ack),
    ] {
        let mut pair = subscribed(version, AckMode::Client);
        let mut message = deliver(&mut pair, 1);
        message.headers.remove(header.as_str());
        assert_eq!(
            pair.session.ack(&message, Headers::new(), pair.now),
            Err(SessionError::MissingHeader {
                command: Command::Message,
                header
            }),
            "{version}"
        );
        assert!(pair.sent().is_empty());
    }
}

#[test]
fn ack_in_auto_mode_is_refused() {
    for version in ["1.0", "1.1", "1.2"] {
        let mut pair = subscribed(version, AckMode::Auto);
        let message = deliver(&mut pair, 1);
        assert_eq!(
            pair.session.ack(&message, Headers::new(), pair.now),
            Err(SessionError::AckInAutoMode {
                subscription: "s".into()
            }),
            "{version}"
        );
        assert!(pair.sent().is_empty());
    }
}

#[test]
fn ack_of_a_1_0_message_without_subscription_follows_its_destination() {
    // A 1.0 MESSAGE may lack `subscription`; it belongs to the subscription of its destination.
    for (mode, ok) in [(AckMode::Auto, false), (AckMode::Client, true)] {
        let mut pair = subscribed("1.0", mode);
        pair.broker(b"MESSAGE\ndestination:/q\nmessage-id:m-1\n\n\0")
            .unwrap();
        let Some(Event::Message { frame, .. }) = pair.events().pop() else {
            panic!("no message");
        };
        let result = pair.session.ack(&frame, Headers::new(), pair.now);
        if ok {
            result.unwrap();
            assert_eq!(all(&pair.sent_one()), pairs(&[("message-id", "m-1")]));
        } else {
            assert_eq!(
                result,
                Err(SessionError::AckInAutoMode {
                    subscription: "s".into()
                })
            );
            assert!(pair.sent().is_empty());
        }
    }
}

#[test]
fn client_mode_acks_cumulatively_with_one_frame() {
    // In `client` mode one ACK covers every earlier message of the subscription: the session
    // writes exactly the one frame asked for, naming the last message.
    let mut pair = subscribed("1.2", AckMode::Client);
    let messages: Vec<Frame> = (1..=3).map(|n| deliver(&mut pair, n)).collect();
    pair.session
        .ack(&messages[2], Headers::new(), pair.now)
        .unwrap();
    let sent = pair.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].id(), Some("a-3"));
}

#[test]
fn client_individual_acks_each_message() {
    let mut pair = subscribed("1.2", AckMode::ClientIndividual);
    let messages: Vec<Frame> = (1..=3).map(|n| deliver(&mut pair, n)).collect();
    pair.session
        .ack(&messages[0], Headers::new(), pair.now)
        .unwrap();
    pair.session
        .nack(&messages[2], Headers::new(), pair.now)
        .unwrap();
    let sent: Vec<_> = pair
        .sent()
        .into_iter()
        .map(|f| (f.command, f.id().unwrap().to_string()))
        .collect();
    assert_eq!(
        sent,
        [
            (Command::Ack, "a-1".to_string()),
            (Command::Nack, "a-3".to_string())
        ]
    );
}

#[test]
fn the_caller_cannot_override_the_message_naming_headers() {
    let mut pair = subscribed("1.1", AckMode::Client);
    let message = deliver(&mut pair, 1);
    pair.session
        .ack(
            &message,
            headers(&[
                ("message-id", "evil"),
                ("subscription", "evil"),
                ("id", "evil"),
                ("x", "kept"),
            ]),
            pair.now,
        )
        .unwrap();
    assert_eq!(
        all(&pair.sent_one()),
        pairs(&[("message-id", "m-1"), ("subscription", "s"), ("x", "kept")])
    );
}

#[test]
fn ack_inside_a_transaction_names_it() {
    let mut pair = subscribed("1.2", AckMode::Client);
    let message = deliver(&mut pair, 1);
    let tx = pair.session.begin(None, Headers::new(), pair.now).unwrap();
    pair.sent();
    pair.session
        .ack(&message, headers(&[("transaction", &tx)]), pair.now)
        .unwrap();
    assert_eq!(pair.sent_one().transaction(), Some(tx.as_str()));
}

#[test]
fn ack_in_an_unknown_transaction_is_refused() {
    let mut pair = subscribed("1.2", AckMode::Client);
    let message = deliver(&mut pair, 1);
    assert_eq!(
        pair.session
            .ack(&message, headers(&[("transaction", "t-x")]), pair.now),
        Err(SessionError::UnknownTransaction("t-x".into()))
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn ack_with_a_receipt_waits_for_it() {
    let mut pair = subscribed("1.2", AckMode::Client);
    let message = deliver(&mut pair, 1);
    pair.session
        .ack(&message, headers(&[("receipt", "r-ack")]), pair.now)
        .unwrap();
    assert_eq!(pair.sent_one().receipt(), Some("r-ack"));
    assert_eq!(pair.session.pending_receipts(), 1);
    pair.broker(&receipt("r-ack")).unwrap();
    assert_eq!(pair.session.pending_receipts(), 0);
    assert!(matches!(
        &pair.events()[..],
        [Event::Receipt(ReceiptOutcome::Confirmed { .. })]
    ));
}

#[test]
fn ack_needs_an_open_session() {
    let mut pair = subscribed("1.2", AckMode::Client);
    let message = deliver(&mut pair, 1);
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    pair.sent();
    let refused = Err(SessionError::NotConnected {
        state: State::Disconnecting,
    });
    assert_eq!(
        pair.session.ack(&message, Headers::new(), pair.now),
        refused
    );
    assert_eq!(
        pair.session.nack(&message, Headers::new(), pair.now),
        refused
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn a_message_of_an_earlier_connection_is_not_acknowledged_on_the_next() {
    for mode in [AckMode::Client, AckMode::ClientIndividual] {
        let mut pair = subscribed("1.2", mode);
        let old = deliver(&mut pair, 1);
        let on = pair.session.connection();
        // The connection drops: the subscription is replayed on the next one.
        pair.close_transport();
        let mut dead = Vec::new();
        // No connection at all: the message's connection is gone.
        dead.push(pair.session.ack_from(&old, on, Headers::new(), pair.now));
        // A new transport, CONNECT sent, no CONNECTED yet.
        pair.connect();
        dead.push(pair.session.nack_from(&old, on, Headers::new(), pair.now));
        pair.broker(&connected("1.2", "0,0")).unwrap();
        pair.sent();
        pair.events();
        assert_eq!(pair.session.connection(), on + 1);
        dead.push(pair.session.ack_from(&old, on, Headers::new(), pair.now));
        dead.push(pair.session.nack_from(&old, on, Headers::new(), pair.now));
        for (i, result) in dead.into_iter().enumerate() {
            assert_eq!(
                result,
                Err(SessionError::StaleMessage),
                "{mode:?}, call {i}"
            );
        }
        assert!(pair.sent().is_empty(), "no ACK or NACK of a void id goes");
        // A message of this connection is acknowledged as always.
        let fresh = deliver(&mut pair, 2);
        let now_on = pair.session.connection();
        pair.session
            .ack_from(&fresh, now_on, Headers::new(), pair.now)
            .unwrap();
        let ack = pair.sent_one();
        assert_eq!(ack.command, Command::Ack);
        assert_eq!(ack.id(), Some("a-2"));
    }
}

#[test]
fn an_auto_message_is_refused_for_its_mode_before_its_connection() {
    let mut pair = subscribed("1.2", AckMode::Auto);
    let message = deliver(&mut pair, 1);
    let on = pair.session.connection();
    let auto = Err(SessionError::AckInAutoMode {
        subscription: "s".into(),
    });
    assert_eq!(
        pair.session
            .ack_from(&message, on, Headers::new(), pair.now),
        auto
    );
    pair.close_transport();
    pair.connect_1_2();
    pair.sent();
    assert_eq!(
        pair.session
            .nack_from(&message, on, Headers::new(), pair.now),
        auto
    );
    assert!(pair.sent().is_empty());
    let mut text = String::new();
    SessionError::StaleMessage.describe_into(&mut text);
    assert_eq!(
        text,
        "the message came on an earlier connection: it cannot be acknowledged on this one"
    );
}

#[test]
fn the_connection_of_a_message_is_the_one_it_came_on_however_late_it_is_polled() {
    use stompwire::session::{Config, HeartBeat, Session};
    let mut session = Session::new(Config::default().with_heart_beat(HeartBeat::NONE));
    let connected = b"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0";
    session.connect(0).unwrap();
    session.handle_bytes(connected, 0).unwrap();
    session
        .subscribe("/q", AckMode::Client, headers(&[("id", "s")]), 0)
        .unwrap();
    let message = b"MESSAGE\nsubscription:s\nmessage-id:m\nack:a\ndestination:/q\n\n\0";
    session.handle_bytes(message, 1).unwrap();
    // A shell that polls late: the connection closes and the next opens first.
    session.handle_close(2);
    session.connect(3).unwrap();
    session.handle_bytes(connected, 3).unwrap();
    session.handle_bytes(message, 4).unwrap();
    while session.poll_transmit().is_some() {}
    let mut tagged = Vec::new();
    while let Some(event) = session.poll_event() {
        if let Event::Message { frame, .. } = event {
            tagged.push((frame, session.connection()));
        }
    }
    assert_eq!(
        tagged.iter().map(|(_, c)| *c).collect::<Vec<_>>(),
        [1, 2],
        "each message keeps the connection it came on"
    );
    assert_eq!(
        session.ack_from(&tagged[0].0, tagged[0].1, Headers::new(), 5),
        Err(SessionError::StaleMessage)
    );
    session
        .ack_from(&tagged[1].0, tagged[1].1, Headers::new(), 5)
        .unwrap();
    let ack = session.poll_transmit().unwrap();
    assert!(ack.starts_with(b"ACK\nid:a\n"), "{ack:?}");
}
