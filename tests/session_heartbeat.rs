//! Heart-beats: negotiation per the specification, outgoing EOLs when nothing else was
//! written, and the incoming deadline (interval × receive scale) whose miss is an event.

mod scripted_broker;

use proptest::prelude::*;
use scripted_broker::{Out, Pair, connected, headers, message};
use stompwire::frame::{Decoder, Headers, Item, Limits};
use stompwire::session::{AckMode, CloseReason, Config, Event, HeartBeat, Negotiated, State};

fn config(outgoing_ms: u32, incoming_ms: u32) -> Config {
    Config::default().with_heart_beat(HeartBeat {
        outgoing_ms,
        incoming_ms,
    })
}

/// A 1.2 session sending every `send_ms` and expecting the broker every `receive_ms`, with the
/// receive scale `scale`, connected at time `at`.
fn pair(send_ms: u32, receive_ms: u32, scale: f64, at: u64) -> Pair {
    let mut pair = Pair::new(config(send_ms, receive_ms).with_heart_beat_receive_scale(scale));
    pair.now = at;
    let c = pair.connect_with(&connected("1.2", &format!("{receive_ms},{send_ms}")));
    assert_eq!(
        c.heart_beat,
        Negotiated {
            send_ms,
            receive_ms
        }
    );
    pair
}

/// Two intervals in milliseconds.
type Intervals = (u32, u32);

#[test]
fn negotiation_takes_the_larger_of_offer_and_ask_and_zero_means_none() {
    // ((cx, cy) offered by the client, "sx,sy" from CONNECTED, (send, receive) in force)
    let table: &[(Intervals, &str, Intervals)] = &[
        ((0, 0), "0,0", (0, 0)),
        ((1_000, 1_000), "0,0", (0, 0)),
        ((0, 0), "1000,1000", (0, 0)),
        ((1_000, 2_000), "3000,500", (1_000, 3_000)),
        ((5_000, 10_000), "4000,20000", (20_000, 10_000)),
        ((1_000, 0), "0,5000", (5_000, 0)),
        ((0, 1_000), "500,500", (0, 1_000)),
        ((1_000, 1_000), "1000,0", (0, 1_000)),
        ((1_000, 1_000), "0,1000", (1_000, 0)),
        ((1, 1), "4294967295,4294967295", (u32::MAX, u32::MAX)),
    ];
    for ((cx, cy), server, (send_ms, receive_ms)) in table {
        let mut pair = Pair::new(config(*cx, *cy));
        let c = pair.connect_with(&connected("1.2", server));
        let expected = Negotiated {
            send_ms: *send_ms,
            receive_ms: *receive_ms,
        };
        assert_eq!(c.heart_beat, expected, "({cx},{cy}) vs {server}");
        assert_eq!(pair.session.heart_beat(), expected);
    }
}

#[test]
fn connect_offers_the_configured_intervals() {
    let mut pair = Pair::new(config(250, 4_000));
    assert_eq!(pair.connect().header("heart-beat"), Some("250,4000"));
}

#[test]
fn stomp_1_0_has_no_heart_beats() {
    let mut pair = Pair::new(config(1_000, 1_000));
    let c = pair.connect_with(b"CONNECTED\nheart-beat:1000,1000\n\n\0");
    assert_eq!(c.heart_beat, Negotiated::NONE);
    assert_eq!(pair.session.poll_timeout(), None);
}

#[test]
fn a_malformed_heart_beat_header_means_none() {
    for value in ["abc", "1000", "1000;1000", "-1,5", ""] {
        let mut pair = Pair::new(config(1_000, 1_000));
        let c = pair
            .connect_with(format!("CONNECTED\nversion:1.2\nheart-beat:{value}\n\n\0").as_bytes());
        assert_eq!(c.heart_beat, Negotiated::NONE, "{value:?}");
    }
}

#[test]
fn no_heart_beats_means_no_deadline() {
    let mut pair = Pair::new(config(0, 0));
    pair.connect_with(&connected("1.2", "1000,1000"));
    assert_eq!(pair.session.poll_timeout(), None);
    pair.advance(1_000_000);
    assert!(pair.heartbeats().is_empty());
    assert!(pair.events().is_empty());
}

#[test]
fn an_eol_goes_out_when_nothing_else_was_sent_in_the_interval() {
    let mut pair = pair(1_000, 0, 1.5, 0);
    assert_eq!(pair.session.poll_timeout(), Some(1_000));
    pair.advance(3_500);
    assert_eq!(pair.heartbeats(), [1_000, 2_000, 3_000]);
    assert!(pair.sent().is_empty());
    assert_eq!(pair.wire().last().unwrap(), b"\n");
}

#[test]
fn any_frame_sent_counts_as_a_heart_beat() {
    let mut pair = pair(1_000, 0, 1.5, 0);
    pair.advance(900);
    pair.session
        .send("/q", Headers::new(), "x", pair.now)
        .unwrap();
    assert_eq!(pair.session.poll_timeout(), Some(1_900));
    pair.advance(2_100);
    assert_eq!(pair.heartbeats(), [1_900, 2_900]);
    assert_eq!(pair.sent().len(), 1);
}

#[test]
fn a_late_timer_sends_one_eol_and_restarts_the_interval() {
    let mut pair = pair(1_000, 0, 1.5, 0);
    pair.now = 5_000;
    pair.session.handle_timeout(pair.now);
    assert_eq!(pair.heartbeats(), [5_000]);
    assert_eq!(pair.session.poll_timeout(), Some(6_000));
}

#[test]
fn the_incoming_deadline_is_the_interval_times_the_receive_scale() {
    // (receive interval, scale, deadline after the last bytes)
    let table: &[(u32, f64, u64)] = &[
        (1_000, 1.5, 1_500),
        (1_000, 2.0, 2_000),
        (1_000, 1.0, 1_000),
        (400, 1.25, 500),
    ];
    for (receive_ms, scale, grace) in table {
        let mut pair = pair(0, *receive_ms, *scale, 100);
        // The first bytes after CONNECTED end the first interval's extra grace.
        pair.broker(b"\n").unwrap();
        let _ = pair.events();
        assert_eq!(pair.session.poll_timeout(), Some(100 + grace));
        pair.advance(grace - 1);
        assert!(pair.events().is_empty(), "{receive_ms} × {scale}");
        pair.advance(1);
        assert_eq!(
            pair.events(),
            [Event::HeartbeatTimeout {
                last_received: 100,
                deadline: 100 + grace
            }],
            "{receive_ms} × {scale}"
        );
    }
}

#[test]
fn any_incoming_bytes_push_the_deadline_back() {
    let mut pair = pair(0, 1_000, 1.5, 0);
    pair.advance(1_000);
    pair.broker(b"\n").unwrap();
    assert_eq!(pair.session.poll_timeout(), Some(2_500));
    pair.advance(1_000);
    // Part of a frame counts too.
    pair.broker(b"MESS").unwrap();
    assert_eq!(pair.session.poll_timeout(), Some(3_500));
    pair.advance(1_499);
    assert!(
        !pair
            .events()
            .iter()
            .any(|e| matches!(e, Event::HeartbeatTimeout { .. }))
    );
    assert!(pair.session.is_connected());
}

#[test]
fn the_first_deadline_after_connected_has_one_more_interval_of_grace() {
    // ActiveMQ 5 sends its first heart-beat two intervals after CONNECTED.
    let mut pair = pair(0, 1_000, 1.5, 0);
    assert_eq!(pair.session.poll_timeout(), Some(2_500));
    pair.advance(2_000);
    pair.broker(b"\n").unwrap();
    assert!(
        !pair
            .events()
            .iter()
            .any(|e| matches!(e, Event::HeartbeatTimeout { .. }))
    );
    assert_eq!(pair.session.poll_timeout(), Some(3_500));
}

#[test]
fn a_missed_deadline_is_an_event_then_a_close_when_configured() {
    let mut pair = pair(0, 1_000, 1.5, 0);
    pair.advance(2_500);
    assert_eq!(
        pair.events(),
        [Event::HeartbeatTimeout {
            last_received: 0,
            deadline: 2_500
        }]
    );
    assert!(pair.session.wants_close());
    assert_eq!(pair.close_reason(), CloseReason::HeartbeatTimeout);
}

#[test]
fn a_missed_deadline_without_close_is_reported_once_per_silence() {
    let mut pair = Pair::new(config(0, 1_000).with_close_on_heartbeat_timeout(false));
    pair.connect_with(&connected("1.2", "1000,0"));
    pair.advance(10_000);
    let timeouts = |events: Vec<Event>| {
        events
            .into_iter()
            .filter(|e| matches!(e, Event::HeartbeatTimeout { .. }))
            .count()
    };
    assert_eq!(timeouts(pair.events()), 1);
    assert_eq!(pair.session.state(), State::Connected);
    assert_eq!(pair.session.poll_timeout(), None);
    // The broker speaks again; a new silence is a new event.
    pair.broker(b"\n").unwrap();
    assert_eq!(pair.session.poll_timeout(), Some(11_500));
    pair.advance(10_000);
    assert_eq!(timeouts(pair.events()), 1);
    assert!(pair.session.is_connected());
}

#[test]
fn each_eol_between_frames_is_a_heart_beat_event() {
    let mut pair = pair(0, 0, 1.5, 0);
    // The first EOL after a frame's NUL belongs to the frame (RabbitMQ writes `\0\n`): this
    // one ends CONNECTED.
    pair.broker(b"\n").unwrap();
    assert!(pair.events().is_empty());
    let table: &[(&[u8], usize)] = &[
        (b"\n", 1),
        (b"\n\n\n", 3),
        (b"\r\n", 1),
        (b"RECEIPT\nreceipt-id:x\n\n\0\n", 0),
        (b"RECEIPT\nreceipt-id:x\n\n\0\n\n", 1),
        (b"RECEIPT\nreceipt-id:x\n\n\0\r\n\r\n\n", 2),
    ];
    for (bytes, count) in table {
        pair.broker(bytes).unwrap();
        let heartbeats = pair
            .events()
            .into_iter()
            .filter(|e| *e == Event::Heartbeat)
            .count();
        assert_eq!(heartbeats, *count, "{:?}", String::from_utf8_lossy(bytes));
    }
}

#[test]
fn heart_beats_go_on_while_disconnecting() {
    let mut pair = pair(1_000, 0, 1.5, 0);
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    pair.advance(2_500);
    assert_eq!(pair.heartbeats(), [1_000, 2_000]);
    assert_eq!(pair.session.state(), State::Disconnecting);
}

#[test]
fn nothing_is_due_once_the_connection_is_gone() {
    let mut pair = pair(1_000, 1_000, 1.5, 0);
    pair.close_transport();
    assert_eq!(pair.session.poll_timeout(), None);
    pair.advance(10_000);
    assert!(pair.heartbeats().is_empty());
    assert_eq!(pair.session.heart_beat(), Negotiated::NONE);
}

#[test]
fn a_new_connection_starts_new_deadlines() {
    let mut pair = pair(1_000, 1_000, 1.5, 0);
    pair.close_transport();
    pair.advance(50_000);
    pair.connect_with(&connected("1.2", "1000,1000"));
    assert_eq!(pair.session.poll_timeout(), Some(51_000));
    pair.advance(1_499);
    assert!(
        !pair
            .events()
            .iter()
            .any(|e| matches!(e, Event::HeartbeatTimeout { .. }))
    );
}

/// One step of a random script.
#[derive(Clone, Debug)]
enum Step {
    Send {
        value: String,
        body: Vec<u8>,
        receipt: bool,
    },
    Subscribe(bool),
    Message,
    Advance(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (
            "[a-z:\\\\\n\r ]{0,8}",
            prop::collection::vec(any::<u8>(), 0..16),
            any::<bool>()
        )
            .prop_map(|(value, body, receipt)| Step::Send {
                value,
                body,
                receipt
            }),
        any::<bool>().prop_map(Step::Subscribe),
        Just(Step::Message),
        (0u64..2_500).prop_map(Step::Advance),
    ]
}

proptest! {
    /// Whatever the user sends and whenever the clock fires, the bytes written form a stream
    /// that decodes into the same frames, and no interval of `send_ms` passes without output.
    #[test]
    fn interleaved_sends_and_heart_beats_never_break_the_output_stream(
        version in prop_oneof![Just("1.0"), Just("1.1"), Just("1.2")],
        steps in prop::collection::vec(step(), 0..40),
    ) {
        let mut pair = Pair::new(config(1_000, 0));
        pair.connect_with(&connected(version, "0,1000"));
        let connected_at = pair.now;
        for (i, step) in steps.into_iter().enumerate() {
            match step {
                Step::Send { value, body, receipt } => {
                    let mut h = headers(&[("k", &value)]);
                    if receipt {
                        h.push("receipt", &format!("r-{i}"));
                    }
                    pair.sent();
                    let result = pair.session.send("/q", h, body, pair.now);
                    prop_assert_eq!(pair.sent().len(), usize::from(result.is_ok()));
                }
                Step::Subscribe(client) => {
                    let ack = if client { AckMode::Client } else { AckMode::Auto };
                    pair.session.subscribe("/q", ack, Headers::new(), pair.now).unwrap();
                }
                Step::Message => {
                    pair.broker(&message("sub-0", "m", "/q", "hi\n")).unwrap();
                }
                Step::Advance(ms) => pair.advance(ms),
            }
        }
        pair.advance(0);
        // The whole stream decodes, as a broker reading it would.
        let stream: Vec<u8> = pair.wire().concat();
        let mut decoder = Decoder::new(Limits::default());
        decoder.set_version(pair.session.version());
        let mut frames = Vec::new();
        for item in decoder.feed(&stream) {
            if let Item::Frame(frame) = item.expect("the output stream decodes") {
                frames.push(frame);
            }
        }
        let written: Vec<_> = pair
            .log()
            .iter()
            .filter_map(|(_, out)| match out {
                Out::Frame(f) => Some(f.clone()),
                Out::Heartbeat => None,
            })
            .collect();
        prop_assert_eq!(frames, written);
        // No silence longer than the negotiated interval, from CONNECTED on (1.0 has no
        // heart-beats).
        if version == "1.0" {
            return Ok(());
        }
        let times: Vec<u64> = pair
            .log()
            .iter()
            .skip(1)
            .map(|(t, _)| *t)
            .collect();
        let mut last = connected_at;
        for t in times.into_iter().chain([pair.now]) {
            prop_assert!(t - last <= 1_000, "silent from {} to {}", last, t);
            last = t;
        }
    }
}
