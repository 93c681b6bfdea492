//! Connecting: the CONNECT (or STOMP) frame, version negotiation from CONNECTED, the escaping
//! that follows from it, and the connect timeout.

mod scripted_broker;

use scripted_broker::{Pair, connected, connected_1_0, headers, message};
use stompwire::frame::{Command, Headers, Limits, Version};
use stompwire::session::{CloseReason, Config, Event, HeartBeat, SessionError, State};

use Version::{V1_0, V1_1, V1_2};

fn config(versions: &[Version]) -> Config {
    Config::default().with_versions(versions.to_vec())
}

#[test]
fn accept_version_lists_the_configured_versions() {
    let table: &[(&[Version], Option<&str>)] = &[
        (&[V1_0, V1_1, V1_2], Some("1.0,1.1,1.2")),
        (&[V1_2], Some("1.2")),
        (&[V1_2, V1_1], Some("1.1,1.2")),
        (&[V1_1, V1_1, V1_0], Some("1.0,1.1")),
        (&[V1_0], None),
    ];
    for (versions, expected) in table {
        let mut pair = Pair::new(config(versions));
        let connect = pair.connect();
        assert_eq!(
            connect.header("accept-version"),
            *expected,
            "versions {versions:?}"
        );
    }
}

#[test]
fn stomp_command_is_used_when_asked_except_for_1_0_only() {
    let table: &[(bool, &[Version], Command)] = &[
        (false, &[V1_0, V1_1, V1_2], Command::Connect),
        (true, &[V1_0, V1_1, V1_2], Command::Stomp),
        (true, &[V1_2], Command::Stomp),
        (true, &[V1_0], Command::Connect),
        (false, &[V1_0], Command::Connect),
    ];
    for (use_stomp, versions, command) in table {
        let mut pair = Pair::new(config(versions).with_use_stomp_command(*use_stomp));
        assert_eq!(pair.connect().command, *command, "{use_stomp} {versions:?}");
    }
}

#[test]
fn connect_writes_host_login_passcode_and_extra_headers() {
    let mut pair = Pair::new(
        Config::default()
            .with_host("/vhost")
            .with_login("guest")
            .with_passcode("se:cret")
            .with_connect_headers(headers(&[("client-id", "c-1")]))
            .with_heart_beat(HeartBeat {
                outgoing_ms: 5_000,
                incoming_ms: 7_000,
            }),
    );
    let connect = pair.connect();
    assert_eq!(connect.command, Command::Connect);
    assert_eq!(connect.header("host"), Some("/vhost"));
    assert_eq!(connect.header("login"), Some("guest"));
    // CONNECT is never escaped: a ':' in a value goes out as it is.
    assert_eq!(connect.header("passcode"), Some("se:cret"));
    assert_eq!(connect.header("client-id"), Some("c-1"));
    assert_eq!(connect.header("heart-beat"), Some("5000,7000"));
    assert!(pair.wire()[0].windows(15).any(|w| w == b"passcode:se:cre"));
}

#[test]
fn absent_options_write_no_header() {
    let mut pair = Pair::new(Config::default());
    let connect = pair.connect();
    for name in ["host", "login", "passcode"] {
        assert!(!connect.headers.contains(name), "{name} in {connect:?}");
    }
}

#[test]
fn connect_headers_win_over_generated_ones() {
    let mut pair = Pair::new(
        Config::default()
            .with_host("configured")
            .with_connect_headers(headers(&[("host", "extra"), ("heart-beat", "1,2")])),
    );
    let connect = pair.connect();
    assert_eq!(
        connect.headers.get_all("host").collect::<Vec<_>>(),
        ["extra"]
    );
    assert_eq!(
        connect.headers.get_all("heart-beat").collect::<Vec<_>>(),
        ["1,2"]
    );
}

#[test]
fn stomp_1_0_only_writes_no_heart_beat_header() {
    let mut pair = Pair::new(config(&[V1_0]));
    assert!(!pair.connect().headers.contains("heart-beat"));
}

#[test]
fn negotiated_version_comes_from_connected() {
    // (offered, CONNECTED `version` header, negotiated version or refusal)
    let table: &[(&[Version], Option<&str>, Option<Version>)] = &[
        (&[V1_0, V1_1, V1_2], Some("1.2"), Some(V1_2)),
        (&[V1_0, V1_1, V1_2], Some("1.1"), Some(V1_1)),
        (&[V1_0, V1_1, V1_2], Some("1.0"), Some(V1_0)),
        (&[V1_0, V1_1, V1_2], None, Some(V1_0)),
        (&[V1_1, V1_2], Some("1.1"), Some(V1_1)),
        (&[V1_1, V1_2], Some("1.0"), None),
        (&[V1_2], Some("1.1"), None),
        (&[V1_0, V1_1, V1_2], Some("2.0"), None),
        (&[V1_0, V1_1, V1_2], Some(""), None),
    ];
    for (offered, header, expected) in table {
        let mut pair = Pair::new(config(offered));
        pair.connect();
        let bytes = match header {
            Some(v) => format!("CONNECTED\nversion:{v}\n\n\0"),
            None => "CONNECTED\n\n\0".to_string(),
        };
        let result = pair.broker(bytes.as_bytes());
        let events = pair.events();
        match expected {
            Some(version) => {
                result.unwrap();
                assert_eq!(pair.session.version(), *version, "{offered:?} {header:?}");
                assert_eq!(pair.session.state(), State::Connected);
                assert!(
                    matches!(&events[..], [Event::Connected(c)] if c.version == *version),
                    "{events:?}"
                );
            }
            None => {
                let err = result.unwrap_err();
                assert_eq!(
                    err,
                    SessionError::VersionNotOffered(header.unwrap().to_string())
                );
                assert!(pair.session.wants_close(), "{offered:?} {header:?}");
                assert!(events.is_empty(), "{events:?}");
                assert_eq!(pair.close_reason(), CloseReason::Protocol(err));
            }
        }
    }
}

#[test]
fn version_before_connected_is_the_highest_offered() {
    for (offered, highest) in [(&[V1_0, V1_2, V1_1][..], V1_2), (&[V1_0, V1_1][..], V1_1)] {
        let mut pair = Pair::new(config(offered));
        pair.connect();
        assert_eq!(pair.session.version(), highest);
    }
}

#[test]
fn connected_event_carries_server_session_version_and_heart_beats() {
    let mut pair = Pair::new(Config::default().with_heart_beat(HeartBeat {
        outgoing_ms: 1_000,
        incoming_ms: 2_000,
    }));
    let c = pair.connect_with(&connected("1.1", "3000,500"));
    assert_eq!(c.version, V1_1);
    assert_eq!(c.server.as_deref(), Some("scripted/1"));
    assert_eq!(c.session.as_deref(), Some("s-1"));
    assert_eq!(c.heart_beat.send_ms, 1_000);
    assert_eq!(c.heart_beat.receive_ms, 3_000);
    assert_eq!(c.frame.command, Command::Connected);
    assert!(c.replayed.is_empty() && c.resent.is_empty());
    assert!(pair.session.is_connected());
}

#[test]
fn outgoing_escaping_follows_the_negotiated_version() {
    // (version, how a value `a:b\c` goes out on the wire)
    let table: &[(&[u8], Version, &[u8])] = &[
        (b"1.2", V1_2, b"k:a\\cb\\\\c\n"),
        (b"1.1", V1_1, b"k:a\\cb\\\\c\n"),
        (b"1.0", V1_0, b"k:a:b\\c\n"),
    ];
    for (header, version, wire) in table {
        let mut pair = Pair::quiet();
        let v = std::str::from_utf8(header).unwrap();
        pair.connect_with(&connected(v, "0,0"));
        assert_eq!(pair.session.version(), *version);
        pair.session
            .send("/q", headers(&[("k", "a:b\\c")]), "", pair.now)
            .unwrap();
        let sent = pair.sent_one();
        assert_eq!(sent.header("k"), Some("a:b\\c"), "{version}");
        let raw = pair.wire().last().unwrap().clone();
        assert!(
            raw.windows(wire.len()).any(|w| w == *wire),
            "{version}: {}",
            String::from_utf8_lossy(&raw)
        );
    }
}

#[test]
fn values_a_version_cannot_write_are_refused() {
    // A CR is written as `\r` in 1.2 only; a LF cannot be written in 1.0.
    let table: &[(&str, &str, bool)] = &[
        ("1.2", "a\rb", true),
        ("1.1", "a\rb", false),
        ("1.1", "a\nb", true),
        ("1.0", "a\nb", false),
    ];
    for (version, value, ok) in table {
        let mut pair = Pair::quiet();
        pair.connect_with(&connected(version, "0,0"));
        let result = pair
            .session
            .send("/q", headers(&[("k", value)]), "", pair.now);
        assert_eq!(result.is_ok(), *ok, "{version} {value:?}: {result:?}");
        let sent = pair.sent();
        if *ok {
            assert_eq!(sent[0].header("k"), Some(*value));
        } else {
            assert!(matches!(result, Err(SessionError::Encode(_))));
            assert!(sent.is_empty(), "a refused frame must not be queued");
            assert!(pair.session.is_connected());
        }
    }
}

#[test]
fn incoming_escaping_follows_the_negotiated_version() {
    let table: &[(&str, &str)] = &[("1.2", "a:b"), ("1.1", "a:b"), ("1.0", "a\\cb")];
    for (version, value) in table {
        let mut pair = Pair::quiet();
        if *version == "1.0" {
            pair.connect_with(&connected_1_0());
        } else {
            pair.connect_with(&connected(version, "0,0"));
        }
        pair.broker(b"MESSAGE\ndestination:/q\nmessage-id:1\nk:a\\cb\n\n\0")
            .unwrap();
        match &pair.events()[..] {
            [Event::Message { frame, .. }] => assert_eq!(frame.header("k"), Some(*value)),
            other => panic!("{version}: {other:?}"),
        }
    }
}

#[test]
fn error_before_connected_is_read_with_the_offered_escaping() {
    // A 1.0-only client talks to a 1.0 broker: a backslash in a value is just a backslash.
    let mut pair = Pair::new(config(&[V1_0]));
    pair.connect();
    pair.broker(b"ERROR\nmessage:cannot read C:\\data\\x\n\n\0")
        .expect("a 1.0 ERROR is not an escaping error");
    match &pair.events()[..] {
        [Event::Error(frame)] => assert_eq!(frame.message(), Some("cannot read C:\\data\\x")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        pair.close_reason(),
        CloseReason::ConnectRefused(_)
    ));
}

#[test]
fn connect_while_not_disconnected_is_refused() {
    let mut pair = Pair::quiet();
    pair.connect();
    assert_eq!(
        pair.session.connect(pair.now),
        Err(SessionError::AlreadyConnected {
            state: State::Connecting
        })
    );
    pair.broker(&connected("1.2", "0,0")).unwrap();
    assert_eq!(
        pair.session.connect(pair.now),
        Err(SessionError::AlreadyConnected {
            state: State::Connected
        })
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn connect_timeout_closes_the_session() {
    let mut pair = Pair::new(Config::default().with_connect_timeout_ms(Some(3_000)));
    pair.connect();
    assert_eq!(pair.session.poll_timeout(), Some(3_000));
    pair.advance(2_999);
    assert_eq!(pair.session.state(), State::Connecting);
    pair.advance(1);
    assert!(pair.session.wants_close());
    assert_eq!(pair.session.poll_timeout(), None);
    assert_eq!(pair.close_reason(), CloseReason::ConnectTimeout);
    assert_eq!(pair.session.state(), State::Disconnected);
}

#[test]
fn connect_timeout_none_waits_for_ever() {
    let mut pair = Pair::new(Config::default().with_connect_timeout_ms(None));
    pair.connect();
    assert_eq!(pair.session.poll_timeout(), None);
    pair.advance(1_000_000);
    assert_eq!(pair.session.state(), State::Connecting);
}

#[test]
fn connected_in_time_cancels_the_connect_timeout() {
    let mut pair = Pair::new(
        Config::default()
            .with_connect_timeout_ms(Some(100))
            .with_heart_beat(HeartBeat::NONE),
    );
    pair.connect();
    pair.advance(99);
    pair.broker(&connected("1.2", "0,0")).unwrap();
    pair.advance(10_000);
    assert!(pair.session.is_connected());
}

#[test]
fn huge_timeouts_do_not_overflow_the_clock() {
    let mut pair = Pair::new(Config::default().with_connect_timeout_ms(Some(u64::MAX)));
    pair.now = 5;
    pair.connect();
    assert_eq!(pair.session.poll_timeout(), Some(u64::MAX));
}

#[test]
fn reconnecting_negotiates_the_version_again() {
    let mut pair = Pair::quiet();
    pair.connect_with(&connected_1_0());
    assert_eq!(pair.session.version(), V1_0);
    pair.disconnected();
    pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(pair.session.version(), V1_2);
    // The 1.2 escaping is in force again, both ways.
    pair.broker(&message("x", "1", "/a\\cb", "")).unwrap();
    match &pair.events()[..] {
        [Event::Message { frame, .. }] => assert_eq!(frame.destination(), Some("/a:b")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn frames_queued_but_not_written_do_not_leak_into_the_next_connection() {
    let mut pair = Pair::quiet();
    pair.connect_1_2();
    // Queued, but the transport drops before the shell writes it.
    pair.session
        .send("/q", Headers::new(), "lost", pair.now)
        .unwrap();
    pair.session.handle_close(pair.now);
    let connect = pair.connect();
    assert_eq!(connect.command, Command::Connect);
}

#[test]
fn each_config_setter_sets_its_own_field() {
    // `Config` has no `PartialEq` (it holds an `f64`); its `Debug` shows every field.
    macro_rules! sets_only {
        ($($with:ident($arg:expr) => $field:ident = $value:expr;)*) => {$(
            let mut expected = Config::default();
            expected.$field = $value;
            let got = Config::default().$with($arg);
            assert!(got.$field == expected.$field, stringify!($with));
            assert_eq!(format!("{got:?}"), format!("{expected:?}"), stringify!($with));
            assert_ne!(
                format!("{expected:?}"),
                format!("{:?}", Config::default()),
                "{} must differ from the default",
                stringify!($value)
            );
        )*};
    }
    sets_only! {
        with_versions([V1_2]) => versions = vec![V1_2];
        with_host("/") => host = Some("/".into());
        with_login("guest") => login = Some("guest".into());
        with_passcode("secret") => passcode = Some("secret".into());
        with_connect_headers(headers(&[("a", "1")])) => connect_headers = headers(&[("a", "1")]);
        with_use_stomp_command(true) => use_stomp_command = true;
        with_heart_beat(HeartBeat::NONE) => heart_beat = HeartBeat::NONE;
        with_heart_beat_receive_scale(2.0) => heart_beat_receive_scale = 2.0;
        with_connect_timeout_ms(None) => connect_timeout_ms = None;
        with_receipt_timeout_ms(Some(5)) => receipt_timeout_ms = Some(5);
        with_disconnect_timeout_ms(6) => disconnect_timeout_ms = 6;
        with_limits(Limits::default().with_max_headers(7)) =>
            limits = Limits::default().with_max_headers(7);
        with_replay_subscriptions(false) => replay_subscriptions = false;
        with_resend_unreceipted(false) => resend_unreceipted = false;
        with_close_on_heartbeat_timeout(false) => close_on_heartbeat_timeout = false;
    }
}

#[test]
fn config_debug_hides_the_passcode() {
    let config = Config::default()
        .with_login("guest")
        .with_passcode("hunter2");
    let shown = format!("{config:?}");
    assert!(shown.contains("guest"));
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn session_debug_hides_the_passcode() {
    let mut pair = Pair::new(Config::default().with_passcode("hunter2"));
    // CONNECT is queued, not yet taken.
    pair.session.connect(pair.now).unwrap();
    let shown = format!("{:?}", pair.session);
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn a_close_the_shell_asks_for_carries_its_reason() {
    // The supervisor's CONNECTED timeout: the session has no deadline of its own.
    let mut pair = Pair::new(Config::default().with_connect_timeout_ms(None));
    pair.connect();
    assert_eq!(pair.session.poll_timeout(), None);
    pair.session.close(CloseReason::ConnectTimeout);
    assert!(pair.session.wants_close());
    assert_eq!(pair.close_reason(), CloseReason::ConnectTimeout);
    // A reason the session found first is kept.
    pair.connect();
    pair.broker(b"ERROR\nmessage:no\n\n\0").unwrap();
    pair.session.close(CloseReason::ConnectTimeout);
    assert!(matches!(
        pair.close_reason(),
        CloseReason::ConnectRefused { .. }
    ));
    // Nothing to close while disconnected.
    pair.session.close(CloseReason::ConnectTimeout);
    assert_eq!(pair.session.state(), State::Disconnected);
    assert!(!pair.session.wants_close());
}

/// The frames in one chunk of output.
fn frames_in(chunk: &[u8]) -> Vec<stompwire::frame::Frame> {
    let mut decoder = stompwire::frame::Decoder::new(Limits::default());
    decoder
        .feed(chunk)
        .map(|item| match item.unwrap() {
            stompwire::frame::Item::Frame(f) => f,
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn coalesced_output_holds_every_frame_queued_until_it_is_taken() {
    use stompwire::session::Session;
    let mut session = Session::new(Config::default().with_heart_beat(HeartBeat::NONE));
    session.set_coalesce_transmits(true);
    session.connect(0).unwrap();
    session
        .handle_bytes(b"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0", 0)
        .unwrap();
    assert_eq!(frames_in(&session.poll_transmit().unwrap()).len(), 1);
    session.send("/q", Headers::new(), "a", 1).unwrap();
    // A frame that cannot be encoded leaves nothing behind in the shared chunk.
    assert!(matches!(
        session.send("/q", headers(&[("", "no name")]), "refused", 1),
        Err(SessionError::Encode(_))
    ));
    session.send("/q", Headers::new(), "c", 1).unwrap();
    let queued = session.transmit_len();
    let chunk = session.poll_transmit().unwrap();
    assert_eq!(chunk.len(), queued);
    let bodies: Vec<_> = frames_in(&chunk).into_iter().map(|f| f.body).collect();
    assert_eq!(bodies, [b"a".to_vec(), b"c".to_vec()]);
    assert_eq!(session.poll_transmit(), None);
    assert_eq!(session.transmit_len(), 0);
    // Past 256 KiB a chunk takes no more frames: a new one begins.
    for _ in 0..4 {
        session
            .send("/q", Headers::new(), vec![b'x'; 100 << 10], 2)
            .unwrap();
    }
    let first = session.poll_transmit().unwrap();
    let second = session.poll_transmit().unwrap();
    assert_eq!(session.poll_transmit(), None);
    assert_eq!((frames_in(&first).len(), frames_in(&second).len()), (3, 1));
}
