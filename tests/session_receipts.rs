//! Receipts: generated ids, the pending map, completion events, timeouts through the deadline
//! mechanism, graceful and immediate DISCONNECT, and SEND frames sent again after a drop.

mod scripted_broker;

use scripted_broker::{Pair, connected, error, headers, receipt};
use stompwire::frame::{Command, ContentLength, Frame, Headers};
use stompwire::session::{AckMode, CloseReason, Config, Event, HeartBeat, State};

fn config() -> Config {
    Config {
        heart_beat: HeartBeat::NONE,
        ..Config::default()
    }
}

fn open(config: Config) -> Pair {
    let mut pair = Pair::new(config);
    pair.connect_1_2();
    pair
}

fn send(pair: &mut Pair, body: &str, receipt: Option<&str>) {
    let h = match receipt {
        Some(r) => headers(&[("receipt", r)]),
        None => Headers::new(),
    };
    pair.session.send("/q", h, body, pair.now).unwrap();
}

fn receipt_events(events: Vec<Event>) -> Vec<(String, bool)> {
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::Receipt { id, expected, .. } => Some((id, expected)),
            _ => None,
        })
        .collect()
}

#[test]
fn generated_receipt_ids_are_unique() {
    let mut pair = open(config());
    let ids: std::collections::BTreeSet<String> =
        (0..100).map(|_| pair.session.next_receipt_id()).collect();
    assert_eq!(ids.len(), 100);
}

#[test]
fn a_generated_receipt_id_is_not_one_already_pending() {
    let mut pair = open(config());
    for n in 0..4 {
        send(&mut pair, "x", Some(&format!("rcpt-{n}")));
    }
    let id = pair.session.next_receipt_id();
    assert!(
        !(0..4).any(|n| id == format!("rcpt-{n}")),
        "{id} is already pending"
    );
}

#[test]
fn a_receipt_completes_its_pending_frame() {
    let mut pair = open(config());
    let id = pair.session.next_receipt_id();
    send(&mut pair, "x", Some(&id));
    assert_eq!(pair.sent_one().receipt(), Some(id.as_str()));
    assert_eq!(pair.session.pending_receipts(), 1);
    pair.broker(&receipt(&id)).unwrap();
    assert_eq!(pair.session.pending_receipts(), 0);
    match &pair.events()[..] {
        [
            Event::Receipt {
                id: got,
                expected: true,
                frame,
            },
        ] => {
            assert_eq!(got, &id);
            assert_eq!(frame.command, Command::Receipt);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_frame_with_a_receipt_header_is_tracked() {
    let mut pair = open(config());
    let r = |id: &str| headers(&[("receipt", id)]);
    let sub = pair
        .session
        .subscribe("/q", AckMode::Client, r("r-sub"), pair.now)
        .unwrap();
    let tx = pair.session.begin(None, r("r-begin"), pair.now).unwrap();
    pair.session.send("/q", r("r-send"), "", pair.now).unwrap();
    pair.session
        .ack_id("m", Some(&sub), r("r-ack"), pair.now)
        .unwrap();
    pair.session.commit(&tx, r("r-commit"), pair.now).unwrap();
    pair.session
        .unsubscribe(&sub, r("r-unsub"), pair.now)
        .unwrap();
    let ids = ["r-sub", "r-begin", "r-send", "r-ack", "r-commit", "r-unsub"];
    assert_eq!(pair.session.pending_receipts(), ids.len());
    let sent: Vec<_> = pair
        .sent()
        .iter()
        .map(|f| f.receipt().unwrap().to_string())
        .collect();
    assert_eq!(sent, ids);
    for id in ids.iter().rev() {
        pair.broker(&receipt(id)).unwrap();
    }
    assert_eq!(pair.session.pending_receipts(), 0);
    assert!(receipt_events(pair.events()).iter().all(|(_, e)| *e));
}

#[test]
fn a_receipt_nobody_asked_for_is_reported_as_unexpected() {
    let mut pair = open(config());
    pair.broker(&receipt("who")).unwrap();
    assert_eq!(receipt_events(pair.events()), [("who".to_string(), false)]);
    assert!(pair.session.is_connected());
}

#[test]
fn a_receipt_without_receipt_id_breaks_the_protocol() {
    let mut pair = open(config());
    let err = pair.broker(b"RECEIPT\n\n\0").unwrap_err();
    assert!(pair.session.wants_close());
    assert_eq!(pair.close_reason(), CloseReason::Protocol(err));
}

#[test]
fn a_receipt_times_out_through_the_deadline_mechanism() {
    let mut pair = open(Config {
        receipt_timeout_ms: Some(500),
        ..config()
    });
    pair.now = 100;
    send(&mut pair, "x", Some("r-1"));
    assert_eq!(pair.session.poll_timeout(), Some(600));
    pair.advance(499);
    assert!(pair.events().is_empty());
    pair.advance(1);
    assert_eq!(pair.events(), [Event::ReceiptTimeout { id: "r-1".into() }]);
    assert_eq!(pair.session.pending_receipts(), 0);
    assert_eq!(pair.session.poll_timeout(), None);
    assert!(
        pair.session.is_connected(),
        "a late receipt is no reason to close"
    );
    // It comes after all: no longer expected.
    pair.broker(&receipt("r-1")).unwrap();
    assert_eq!(receipt_events(pair.events()), [("r-1".to_string(), false)]);
}

#[test]
fn receipts_time_out_in_deadline_order() {
    let mut pair = open(Config {
        receipt_timeout_ms: Some(1_000),
        ..config()
    });
    for (at, id) in [(0, "z"), (300, "a"), (600, "m")] {
        pair.advance(at - pair.now);
        send(&mut pair, "x", Some(id));
    }
    pair.broker(&receipt("a")).unwrap();
    pair.events();
    pair.advance(5_000);
    assert_eq!(
        pair.events(),
        [
            Event::ReceiptTimeout { id: "z".into() },
            Event::ReceiptTimeout { id: "m".into() }
        ]
    );
}

#[test]
fn a_late_timer_reports_expired_receipts_in_deadline_order() {
    let mut pair = open(Config {
        receipt_timeout_ms: Some(1_000),
        ..config()
    });
    for (at, id) in [(0, "z"), (300, "a"), (600, "m")] {
        pair.now = at;
        send(&mut pair, "x", Some(id));
    }
    pair.session.handle_timeout(5_000);
    assert_eq!(
        pair.events(),
        [
            Event::ReceiptTimeout { id: "z".into() },
            Event::ReceiptTimeout { id: "a".into() },
            Event::ReceiptTimeout { id: "m".into() }
        ]
    );
}

#[test]
fn each_receipt_can_have_its_own_deadline() {
    let mut pair = open(config());
    send(&mut pair, "x", Some("slow"));
    send(&mut pair, "y", Some("fast"));
    send(&mut pair, "z", Some("never"));
    assert_eq!(pair.session.poll_timeout(), None);
    assert!(pair.session.set_receipt_deadline("slow", Some(5_000)));
    assert!(pair.session.set_receipt_deadline("fast", Some(200)));
    assert!(!pair.session.set_receipt_deadline("unknown", Some(1)));
    assert_eq!(pair.session.poll_timeout(), Some(200));
    pair.advance(1_000);
    assert_eq!(pair.events(), [Event::ReceiptTimeout { id: "fast".into() }]);
    // A deadline can be taken back.
    assert!(pair.session.set_receipt_deadline("slow", None));
    pair.advance(10_000);
    assert!(pair.events().is_empty());
    assert_eq!(pair.session.pending_receipts(), 2);
}

#[test]
fn disconnect_with_a_receipt_is_graceful() {
    let mut pair = open(config());
    pair.now = 1_000;
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    let sent = pair.sent_one();
    assert_eq!(sent.command, Command::Disconnect);
    assert_eq!(sent.receipt(), Some("bye"));
    assert_eq!(pair.session.state(), State::Disconnecting);
    assert!(!pair.session.wants_close());
    assert_eq!(pair.session.poll_timeout(), Some(11_000));
    // Frames still arrive until the receipt.
    pair.broker(&scripted_broker::message("s", "1", "/q", ""))
        .unwrap();
    pair.broker(&receipt("bye")).unwrap();
    let events = pair.events();
    assert!(matches!(events[0], Event::Message { .. }));
    assert_eq!(receipt_events(events), [("bye".to_string(), true)]);
    assert!(pair.session.wants_close());
    assert_eq!(pair.close_reason(), CloseReason::Graceful);
}

#[test]
fn disconnect_without_a_receipt_is_immediate() {
    let mut pair = open(config());
    pair.session.disconnect(Headers::new(), pair.now).unwrap();
    assert_eq!(pair.sent_one().command, Command::Disconnect);
    assert!(pair.session.wants_close());
    assert_eq!(pair.close_reason(), CloseReason::Immediate);
}

#[test]
fn a_disconnect_receipt_that_does_not_come_closes_anyway() {
    let mut pair = open(Config {
        disconnect_timeout_ms: 2_000,
        receipt_timeout_ms: Some(500),
        ..config()
    });
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    pair.advance(1_999);
    assert_eq!(pair.session.state(), State::Disconnecting);
    assert!(
        pair.events().is_empty(),
        "the DISCONNECT receipt has its own timeout"
    );
    pair.advance(1);
    assert!(pair.session.wants_close());
    assert_eq!(pair.close_reason(), CloseReason::DisconnectTimeout);
}

#[test]
fn the_disconnect_receipt_is_not_subject_to_the_receipt_timeout() {
    let mut pair = open(Config {
        disconnect_timeout_ms: 2_000,
        receipt_timeout_ms: Some(500),
        ..config()
    });
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    pair.sent();
    // Giving it a deadline of its own changes nothing either.
    assert!(pair.session.set_receipt_deadline("bye", Some(100)));
    assert_eq!(pair.session.poll_timeout(), Some(2_000));
    pair.advance(1_500);
    pair.broker(&receipt("bye")).unwrap();
    assert_eq!(receipt_events(pair.events()), [("bye".to_string(), true)]);
    assert_eq!(pair.close_reason(), CloseReason::Graceful);
}

#[test]
fn a_drop_before_connected_keeps_the_frames_to_send_again() {
    let mut pair = open(config());
    send(&mut pair, "x", Some("r-1"));
    pair.sent();
    pair.disconnected();
    pair.connect();
    let gone = pair.disconnected();
    assert_eq!(gone.unconfirmed_receipts, ["r-1"]);
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["r-1"]);
    assert_eq!(pair.sent_one().receipt(), Some("r-1"));
}

#[test]
fn disconnect_while_connecting_just_closes() {
    let mut pair = Pair::new(config());
    pair.connect();
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    assert!(pair.sent().is_empty());
    assert!(pair.session.wants_close());
    assert_eq!(pair.close_reason(), CloseReason::Immediate);
}

#[test]
fn unreceipted_sends_go_again_after_a_drop_with_the_same_receipt_ids() {
    let mut pair = open(config());
    send(&mut pair, "one", Some("r-1"));
    send(&mut pair, "two", Some("r-2"));
    send(&mut pair, "three", None);
    let originals = pair.sent();
    pair.broker(&receipt("r-1")).unwrap();
    pair.events();
    let gone = pair.disconnected();
    assert_eq!(
        gone.reason,
        CloseReason::TransportClosed { mid_frame: false }
    );
    assert_eq!(gone.unconfirmed_receipts, ["r-2"]);
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["r-2"]);
    assert_eq!(pair.sent(), [originals[1].clone()]);
    assert_eq!(pair.session.pending_receipts(), 1);
    pair.broker(&receipt("r-2")).unwrap();
    assert_eq!(receipt_events(pair.events()), [("r-2".to_string(), true)]);
    // Confirmed now: a further drop sends nothing again.
    pair.close_transport();
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert!(c.resent.is_empty());
    assert!(pair.sent().is_empty());
}

#[test]
fn frames_sent_again_keep_their_order() {
    let mut pair = open(config());
    let mut ids = vec!["b".to_string(), "a".to_string(), "c".to_string()];
    ids.extend((0..11).map(|_| pair.session.next_receipt_id()));
    for (n, id) in ids.iter().enumerate() {
        send(&mut pair, &n.to_string(), Some(id));
    }
    let originals = pair.sent();
    pair.close_transport();
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ids);
    assert_eq!(pair.sent(), originals);
}

#[test]
fn frames_sent_again_keep_the_content_length_choice() {
    let mut pair = open(config());
    let frame = Frame::new(Command::Send)
        .with_header("destination", "/q")
        .with_header("receipt", "r-text")
        .with_body("text");
    pair.session
        .send_frame(frame, ContentLength::Skip, pair.now)
        .unwrap();
    assert_eq!(pair.sent_one().content_length(), None);
    pair.close_transport();
    pair.connect_with(&connected("1.2", "0,0"));
    let again = pair.sent_one();
    assert_eq!(again.receipt(), Some("r-text"));
    assert_eq!(again.content_length(), None, "{again:?}");
}

#[test]
fn frames_sent_again_follow_the_new_version() {
    let mut pair = open(config());
    pair.session
        .send(
            "/q",
            headers(&[("receipt", "r"), ("k", "a:b")]),
            "",
            pair.now,
        )
        .unwrap();
    assert!(pair.wire().last().unwrap().ends_with(b"k:a\\cb\n\n\0"));
    pair.sent();
    pair.close_transport();
    pair.connect_with(&connected("1.0", "0,0"));
    let raw = pair.wire().last().unwrap().clone();
    assert!(raw.windows(6).any(|w| w == b"k:a:b\n"), "{raw:?}");
}

#[test]
fn resending_can_be_turned_off() {
    let mut pair = open(Config {
        resend_unreceipted: false,
        ..config()
    });
    send(&mut pair, "x", Some("r-1"));
    pair.sent();
    let gone = pair.disconnected();
    assert_eq!(gone.unconfirmed_receipts, ["r-1"]);
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert!(c.resent.is_empty());
    assert!(pair.sent().is_empty());
}

#[test]
fn only_sends_outside_transactions_go_again() {
    let mut pair = open(config());
    let tx = pair.session.begin(None, Headers::new(), pair.now).unwrap();
    pair.session
        .send(
            "/q",
            headers(&[("transaction", &tx), ("receipt", "in-tx")]),
            "",
            pair.now,
        )
        .unwrap();
    pair.session
        .subscribe(
            "/q",
            AckMode::Auto,
            headers(&[("receipt", "sub")]),
            pair.now,
        )
        .unwrap();
    send(&mut pair, "x", Some("out"));
    pair.sent();
    let gone = pair.disconnected();
    let mut unconfirmed = gone.unconfirmed_receipts.clone();
    unconfirmed.sort();
    assert_eq!(unconfirmed, ["in-tx", "out", "sub"]);
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["out"]);
    let sent: Vec<_> = pair.sent().into_iter().map(|f| f.command).collect();
    assert_eq!(sent, [Command::Subscribe, Command::Send]);
}

#[test]
fn a_disconnect_asked_for_sends_nothing_again() {
    for reason in ["immediate", "timeout"] {
        let mut pair = open(Config {
            disconnect_timeout_ms: 100,
            ..config()
        });
        send(&mut pair, "x", Some("r-1"));
        if reason == "immediate" {
            pair.session.disconnect(Headers::new(), pair.now).unwrap();
        } else {
            pair.session
                .disconnect(headers(&[("receipt", "bye")]), pair.now)
                .unwrap();
            pair.advance(100);
        }
        pair.sent();
        pair.close_transport();
        let c = pair.connect_with(&connected("1.2", "0,0"));
        assert!(c.resent.is_empty(), "{reason}");
        assert!(pair.sent().is_empty(), "{reason}");
    }
}

#[test]
fn frames_to_send_again_survive_a_refused_reconnect() {
    let mut pair = open(config());
    send(&mut pair, "x", Some("r-1"));
    pair.sent();
    pair.disconnected();
    pair.connect();
    pair.broker(&error("busy", None)).unwrap();
    let gone = pair.disconnected();
    assert_eq!(gone.reason, CloseReason::ConnectRefused);
    assert_eq!(gone.unconfirmed_receipts, ["r-1"], "still not confirmed");
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["r-1"]);
    assert_eq!(pair.sent_one().body_str(), Some("x"));
}

#[test]
fn an_error_naming_a_receipt_ends_the_wait_for_it() {
    let mut pair = open(config());
    send(&mut pair, "x", Some("r-1"));
    send(&mut pair, "y", Some("r-2"));
    pair.sent();
    pair.broker(&error("rejected", Some("r-1"))).unwrap();
    match &pair.events()[..] {
        [Event::Error(frame)] => assert_eq!(frame.receipt_id(), Some("r-1")),
        other => panic!("{other:?}"),
    }
    assert_eq!(pair.session.pending_receipts(), 1);
    let gone = pair.disconnected();
    assert_eq!(gone.unconfirmed_receipts, ["r-2"]);
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["r-2"], "the refused SEND is not sent again");
}
