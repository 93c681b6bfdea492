//! Errors: frames illegal in the session's state, calls illegal in it, ERROR frames, bytes
//! that do not decode — and that the events the session reports do not depend on how the
//! transport split the bytes.

mod scripted_broker;

use proptest::prelude::*;
use scripted_broker::{Pair, connected, error, headers, message, receipt};
use stompwire::frame::{Command, DecodeError, Frame, Headers, Limit, Limits};
use stompwire::session::{
    AckMode, CloseReason, Config, Event, LostReason, ReceiptOutcome, RequiredHeader, SessionError,
    State,
};

fn open() -> Pair {
    let mut pair = Pair::quiet();
    pair.connect_1_2();
    pair
}

/// A pair in `state`.
fn in_state(state: State) -> Pair {
    let mut pair = Pair::quiet();
    match state {
        State::Disconnected => {}
        State::Connecting => {
            pair.connect();
        }
        State::Connected => {
            pair.connect_1_2();
        }
        State::Disconnecting => {
            pair.connect_1_2();
            pair.session
                .disconnect(headers(&[("receipt", "bye")]), pair.now)
                .unwrap();
        }
        State::Closing => {
            pair.connect_1_2();
            pair.session.disconnect(Headers::new(), pair.now).unwrap();
        }
    }
    pair.sent();
    pair.events();
    assert_eq!(pair.session.state(), state);
    pair
}

fn frame_bytes(command: &str) -> Vec<u8> {
    format!("{command}\ndestination:/q\nreceipt-id:r\nmessage-id:m\n\n\0").into_bytes()
}

#[test]
fn frames_illegal_in_the_state_close_the_session_with_a_protocol_error() {
    let table: &[(State, &[Command])] = &[
        (
            State::Connecting,
            &[
                Command::Message,
                Command::Receipt,
                Command::Send,
                Command::Connect,
                Command::Subscribe,
            ],
        ),
        (
            State::Connected,
            &[
                Command::Connected,
                Command::Send,
                Command::Connect,
                Command::Stomp,
                Command::Ack,
                Command::Disconnect,
            ],
        ),
        (
            State::Disconnecting,
            &[Command::Connected, Command::Send, Command::Begin],
        ),
    ];
    for (state, commands) in table {
        for command in *commands {
            let mut pair = in_state(*state);
            let err = pair.broker(&frame_bytes(command.as_str())).unwrap_err();
            assert_eq!(
                err,
                SessionError::UnexpectedFrame {
                    command: *command,
                    state: *state
                }
            );
            assert!(pair.session.wants_close(), "{command} in {state}");
            assert!(pair.events().is_empty(), "{command} in {state}");
            assert_eq!(pair.close_reason(), CloseReason::Protocol(err));
            assert_eq!(pair.session.state(), State::Disconnected);
        }
    }
}

#[test]
fn bytes_while_closing_are_ignored() {
    let mut pair = in_state(State::Closing);
    pair.broker(&message("s", "1", "/q", "late")).unwrap();
    pair.broker(b"garbage\0").unwrap();
    assert!(pair.events().is_empty());
    assert_eq!(pair.close_reason(), CloseReason::Immediate);
}

#[test]
fn bytes_while_disconnected_are_refused() {
    let mut pair = in_state(State::Disconnected);
    assert_eq!(
        pair.broker(&message("s", "1", "/q", "x")),
        Err(SessionError::NotConnected {
            state: State::Disconnected
        })
    );
    assert!(pair.events().is_empty());
    assert_eq!(pair.session.state(), State::Disconnected);
    // Nothing is held over for the next connection.
    pair.connect_1_2();
    assert!(pair.events().is_empty());
}

#[test]
fn calls_need_an_open_session() {
    for state in [
        State::Disconnected,
        State::Connecting,
        State::Disconnecting,
        State::Closing,
    ] {
        let mut pair = in_state(state);
        let now = pair.now;
        let s = &mut pair.session;
        let results = [
            s.send("/q", Headers::new(), "x", now),
            s.send_frame(
                Frame::new(Command::Send).with_header("destination", "/q"),
                Default::default(),
                now,
            ),
            s.subscribe("/q", AckMode::Auto, Headers::new(), now)
                .map(|_| ()),
            s.ack_id("m", Some("s"), Headers::new(), now),
            s.nack_id("m", Some("s"), Headers::new(), now),
            s.begin(None, Headers::new(), now).map(|_| ()),
            s.commit("t", Headers::new(), now),
            s.abort("t", Headers::new(), now),
        ];
        for (i, result) in results.into_iter().enumerate() {
            assert_eq!(
                result,
                Err(SessionError::NotConnected { state }),
                "call {i} in {state}"
            );
        }
        assert!(pair.sent().is_empty(), "{state}");
        assert_eq!(pair.session.state(), state);
    }
}

#[test]
fn send_after_disconnect_is_an_error() {
    let mut pair = open();
    pair.session.disconnect(Headers::new(), pair.now).unwrap();
    pair.sent();
    assert_eq!(
        pair.session.send("/q", Headers::new(), "x", pair.now),
        Err(SessionError::NotConnected {
            state: State::Closing
        })
    );
    pair.close_transport();
    assert_eq!(
        pair.session.send("/q", Headers::new(), "x", pair.now),
        Err(SessionError::NotConnected {
            state: State::Disconnected
        })
    );
    assert_eq!(
        pair.session.disconnect(Headers::new(), pair.now),
        Err(SessionError::NotConnected {
            state: State::Disconnected
        })
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn disconnect_twice_is_harmless() {
    let mut pair = open();
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    pair.session.disconnect(Headers::new(), pair.now).unwrap();
    assert_eq!(pair.sent().len(), 1);
    assert_eq!(pair.session.state(), State::Disconnecting);
}

#[test]
fn send_frame_takes_only_send_frames_with_a_destination() {
    let mut pair = open();
    assert_eq!(
        pair.session.send_frame(
            Frame::new(Command::Subscribe).with_header("destination", "/q"),
            Default::default(),
            pair.now
        ),
        Err(SessionError::WrongCommand {
            command: Command::Subscribe
        })
    );
    assert_eq!(
        pair.session
            .send_frame(Frame::new(Command::Send), Default::default(), pair.now),
        Err(SessionError::MissingHeader {
            command: Command::Send,
            header: RequiredHeader::Destination
        })
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn an_error_frame_is_an_event_carrying_the_frame() {
    let mut pair = open();
    pair.broker(&error("bad thing", None)).unwrap();
    match &pair.events()[..] {
        [Event::Error(frame)] => {
            assert_eq!(frame.command, Command::Error);
            assert_eq!(frame.message(), Some("bad thing"));
            assert_eq!(frame.content_type(), Some("text/plain"));
            assert_eq!(frame.body(), b"details");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_error_ends_the_connection_as_the_specification_says() {
    // "the server MUST then close the connection just after sending the ERROR frame"
    let mut pair = open();
    let mut bytes = error("bad thing", None);
    bytes.extend_from_slice(&message("s", "1", "/q", "after"));
    pair.broker(&bytes).unwrap();
    let events = pair.events();
    assert_eq!(
        events.len(),
        1,
        "nothing after ERROR is handled: {events:?}"
    );
    assert!(pair.session.wants_close());
    assert_eq!(pair.close_reason(), CloseReason::ServerError);
}

#[test]
fn an_error_answering_connect_refuses_the_connection() {
    let mut pair = Pair::quiet();
    pair.connect();
    pair.broker(&error("bad credentials", None)).unwrap();
    let events = pair.events();
    let [Event::Error(frame)] = &events[..] else {
        panic!("{events:?}")
    };
    assert!(pair.session.wants_close());
    // The refusal carries the ERROR frame.
    assert_eq!(
        pair.close_reason(),
        CloseReason::ConnectRefused(frame.clone())
    );
}

#[test]
fn an_error_while_disconnecting_ends_the_disconnect() {
    let mut pair = in_state(State::Disconnecting);
    pair.broker(&error("no", Some("bye"))).unwrap();
    // The DISCONNECT's receipt is lost to the ERROR that names it.
    assert!(matches!(
        &pair.events()[..],
        [
            Event::Receipt(ReceiptOutcome::Lost { id, reason: LostReason::Error(_) }),
            Event::Error(_)
        ] if id == "bye"
    ));
    assert!(pair.session.wants_close());
    let gone = pair.disconnected();
    assert_eq!(gone.reason, CloseReason::ServerError);
}

#[test]
fn undecodable_bytes_close_the_session_with_a_protocol_reason() {
    let mut pair = open();
    let err = pair.broker(b"BOGUS\n\n\0").unwrap_err();
    assert!(matches!(
        err,
        SessionError::Decode(DecodeError::UnknownCommand(_))
    ));
    assert!(pair.session.wants_close());
    assert_eq!(pair.close_reason(), CloseReason::Protocol(err));
}

#[test]
fn exceeding_a_limit_closes_the_session_naming_the_limit() {
    let mut pair = Pair::new(
        Config::default()
            .with_limits(Limits::default().with_max_body_size(8))
            .with_heart_beat(stompwire::session::HeartBeat::NONE),
    );
    pair.connect_1_2();
    let err = pair
        .broker(&message("s", "1", "/q", "more than eight"))
        .unwrap_err();
    match &err {
        SessionError::Decode(DecodeError::LimitExceeded { limit, max, .. }) => {
            assert_eq!(*limit, Limit::BodySize);
            assert_eq!(*max, 8);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(pair.close_reason(), CloseReason::Protocol(err));
}

#[test]
fn a_wrapped_codec_error_is_the_source_and_is_not_repeated() {
    use core::error::Error;
    let mut pair = Pair::new(
        Config::default()
            .with_limits(Limits::default().with_max_body_size(8))
            .with_heart_beat(stompwire::session::HeartBeat::NONE),
    );
    pair.connect_1_2();
    let decode = pair
        .broker(&message("s", "1", "/q", "more than eight"))
        .unwrap_err();
    assert_eq!(decode.to_string(), "cannot decode server input");
    let source = decode.source().expect("the decode error as source");
    assert_eq!(source.to_string(), "frame exceeds max_body_size (15 > 8)");

    // STOMP 1.0 has no escapes: a LF in a value cannot be written.
    let mut pair = Pair::quiet();
    pair.connect_with(&connected("1.0", "0,0"));
    let encode = pair
        .session
        .send("/q", headers(&[("k", "a\nb")]), "", pair.now)
        .unwrap_err();
    assert!(matches!(encode, SessionError::Encode(_)), "{encode:?}");
    assert_eq!(encode.to_string(), "cannot encode frame");
    let source = encode.source().expect("the encode error as source");
    assert_eq!(
        source.to_string(),
        "SEND header 1 value holds byte 0x0a, which cannot be written in this version"
    );

    // The errors that wrap nothing have no source.
    let not_open = Pair::new(Config::default())
        .session
        .send("/q", Headers::new(), "", 0)
        .unwrap_err();
    assert!(not_open.source().is_none(), "{not_open:?}");
}

#[test]
fn a_missing_header_is_named_as_on_the_wire() {
    let mut pair = open();
    let err = pair
        .session
        .send_frame(Frame::new(Command::Send), Default::default(), pair.now)
        .unwrap_err();
    assert_eq!(err.to_string(), "SEND needs a 'destination' header");
    let names = [
        (RequiredHeader::Destination, "destination"),
        (RequiredHeader::MessageId, "message-id"),
        (RequiredHeader::Ack, "ack"),
        (RequiredHeader::Subscription, "subscription"),
        (RequiredHeader::ReceiptId, "receipt-id"),
    ];
    for (header, name) in names {
        assert_eq!(header.as_str(), name);
        assert_eq!(header.to_string(), name);
    }
}

#[test]
fn events_before_a_bad_frame_are_kept() {
    let mut pair = open();
    let mut bytes = message("s", "1", "/q", "first");
    bytes.extend_from_slice(b"\n\n");
    bytes.extend_from_slice(&receipt("r"));
    bytes.extend_from_slice(b"BOGUS\n\n\0");
    bytes.extend_from_slice(&message("s", "2", "/q", "never"));
    assert!(pair.broker(&bytes).is_err());
    let events = pair.events();
    assert!(
        matches!(
            &events[..],
            [
                Event::Message { .. },
                Event::Heartbeat,
                Event::UnexpectedReceipt { .. }
            ]
        ),
        "{events:?}"
    );
    // Nothing more is read once the stream is broken.
    pair.broker(&message("s", "3", "/q", "late")).unwrap();
    assert!(pair.events().is_empty());
}

#[test]
fn a_drop_mid_frame_is_reported() {
    let mut pair = open();
    pair.broker(b"MESSAGE\ndestination:/q\n").unwrap();
    let gone = pair.disconnected();
    assert_eq!(
        gone.reason,
        CloseReason::TransportClosed { mid_frame: true }
    );
    // And between frames:
    pair.connect_1_2();
    assert_eq!(
        pair.close_reason(),
        CloseReason::TransportClosed { mid_frame: false }
    );
}

#[test]
fn a_second_close_reports_nothing() {
    let mut pair = open();
    pair.close_transport();
    assert_eq!(pair.events().len(), 1);
    pair.close_transport();
    assert!(pair.events().is_empty());
}

/// A broker's side of a session after CONNECTED, ending in a frame the session must refuse.
fn transcript() -> Vec<u8> {
    let mut t = b"\n\r\n".to_vec();
    t.extend_from_slice(&message("sub-0", "1", "/q\\cx", "a\0b"));
    t.extend_from_slice(b"\r\n");
    t.extend_from_slice(
        b"MESSAGE\r\nsubscription:sub-0\r\nmessage-id:2\r\ndestination:/q\r\n\r\nno length\0",
    );
    t.extend_from_slice(&receipt("r-1"));
    t.extend_from_slice(b"\n\n");
    t.extend_from_slice(&receipt("unexpected"));
    t.extend_from_slice(b"RECEIPT\n\n\0");
    t.extend_from_slice(&message("sub-0", "3", "/q", "never seen"));
    t
}

/// Feeds `bytes` cut into chunks of the lengths `cuts` (repeated); returns the first error.
fn feed(pair: &mut Pair, bytes: &[u8], cuts: &[usize]) -> Option<SessionError> {
    let mut first_error = None;
    let mut rest = bytes;
    let mut cut = cuts.iter().cycle();
    while !rest.is_empty() {
        let n = (*cut.next().unwrap()).clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        pair.now += 1;
        if let Err(e) = pair.broker(chunk) {
            first_error.get_or_insert(e);
        }
    }
    first_error
}

/// Plays CONNECTED then `transcript`, both cut at `cuts`, with a SUBSCRIBE and a SEND asking
/// for receipt `r-1` in between; returns the events, the frames written, and the first error.
fn play(transcript: &[u8], cuts: &[usize]) -> (Vec<Event>, Vec<Frame>, Option<SessionError>) {
    let mut pair = Pair::quiet();
    pair.connect();
    assert_eq!(feed(&mut pair, &connected("1.2", "0,0"), cuts), None);
    pair.session
        .subscribe("/q", AckMode::Auto, Headers::new(), pair.now)
        .unwrap();
    pair.session
        .send("/q", headers(&[("receipt", "r-1")]), "x", pair.now)
        .unwrap();
    let error = feed(&mut pair, transcript, cuts);
    (pair.events(), pair.sent(), error)
}

#[test]
fn bytes_one_at_a_time_give_the_same_events() {
    let transcript = transcript();
    let whole = play(&transcript, &[usize::MAX]);
    let single = play(&transcript, &[1]);
    assert_eq!(single, whole);
    // The transcript exercises what it should.
    let (events, sent, error) = whole;
    let kinds: Vec<_> = events
        .iter()
        .map(|e| match e {
            Event::Connected(_) => "connected",
            Event::Message { .. } => "message",
            Event::Receipt(ReceiptOutcome::Confirmed { .. }) => "receipt",
            Event::UnexpectedReceipt { .. } => "unexpected",
            Event::Heartbeat => "heartbeat",
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "connected",
            "heartbeat",
            "message",
            "message",
            "receipt",
            "heartbeat",
            "unexpected"
        ]
    );
    match &events[2] {
        Event::Message { frame, .. } => {
            assert_eq!(frame.destination(), Some("/q:x"));
            assert_eq!(frame.body(), b"a\0b");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sent.len(), 2);
    assert_eq!(
        error,
        Some(SessionError::MissingHeader {
            command: Command::Receipt,
            header: RequiredHeader::ReceiptId
        })
    );
}

proptest! {
    /// However the transport splits the broker's bytes, the session reports the same events,
    /// writes the same frames and fails at the same point.
    #[test]
    fn any_chunking_of_a_transcript_gives_the_same_events(
        cuts in prop::collection::vec(1usize..40, 1..20),
    ) {
        let transcript = transcript();
        let whole = play(&transcript, &[usize::MAX]);
        prop_assert_eq!(play(&transcript, &cuts), whole);
    }

    /// Arbitrary bytes from the broker never panic the session; what they do is an event, an
    /// error that closes the session, or nothing yet.
    #[test]
    fn arbitrary_broker_bytes_never_panic(
        noise in prop::collection::vec(any::<u8>(), 0..200),
        cut in 1usize..50,
    ) {
        let mut pair = Pair::quiet();
        pair.connect_1_2();
        let mut failed = false;
        for chunk in noise.chunks(cut) {
            if pair.broker(chunk).is_err() {
                failed = true;
            }
        }
        if failed {
            prop_assert!(pair.session.wants_close());
            let reason = pair.close_reason();
            prop_assert!(matches!(reason, CloseReason::Protocol(_)), "{:?}", reason);
        }
    }
}
