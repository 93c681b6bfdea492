//! Receipts: generated ids, the pending map, outcome events (confirmed, timed out, resent,
//! lost with its reason), deadlines that hold across a reconnect, graceful and immediate
//! DISCONNECT, SEND frames sent again after a drop, and every pending receipt reported exactly
//! once whatever happens in between.

mod scripted_broker;

use proptest::prelude::*;
use scripted_broker::{Pair, connected, error, headers, receipt};
use stompwire::frame::{Command, ContentLength, Frame, Headers};
use stompwire::session::{
    AckMode, CloseReason, Config, Event, HeartBeat, LostReason, NotResent, ReceiptOutcome,
    SessionError, State,
};

fn config() -> Config {
    Config::default().with_heart_beat(HeartBeat::NONE)
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

/// RECEIPT frames reported: (id, whether a pending receipt asked for it).
fn receipt_events(events: Vec<Event>) -> Vec<(String, bool)> {
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::Receipt(ReceiptOutcome::Confirmed { id, .. }) => Some((id, true)),
            Event::UnexpectedReceipt { id, .. } => Some((id, false)),
            _ => None,
        })
        .collect()
}

/// The receipt outcomes among `events`, in order.
fn outcomes(events: &[Event]) -> Vec<ReceiptOutcome> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Receipt(o) => Some(o.clone()),
            _ => None,
        })
        .collect()
}

fn timed_out(id: &str) -> Event {
    Event::Receipt(ReceiptOutcome::TimedOut { id: id.into() })
}

fn lost(id: &str, reason: LostReason) -> ReceiptOutcome {
    ReceiptOutcome::Lost {
        id: id.into(),
        reason,
    }
}

fn resent(id: &str) -> ReceiptOutcome {
    ReceiptOutcome::Resent { id: id.into() }
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
        [Event::Receipt(ReceiptOutcome::Confirmed { id: got, frame })] => {
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
    let mut pair = open(config().with_receipt_timeout_ms(Some(500)));
    pair.now = 100;
    send(&mut pair, "x", Some("r-1"));
    assert_eq!(pair.session.poll_timeout(), Some(600));
    pair.advance(499);
    assert!(pair.events().is_empty());
    pair.advance(1);
    assert_eq!(pair.events(), [timed_out("r-1")]);
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
    let mut pair = open(config().with_receipt_timeout_ms(Some(1_000)));
    for (at, id) in [(0, "z"), (300, "a"), (600, "m")] {
        pair.advance(at - pair.now);
        send(&mut pair, "x", Some(id));
    }
    pair.broker(&receipt("a")).unwrap();
    pair.events();
    pair.advance(5_000);
    assert_eq!(pair.events(), [timed_out("z"), timed_out("m")]);
}

#[test]
fn a_late_timer_reports_expired_receipts_in_deadline_order() {
    let mut pair = open(config().with_receipt_timeout_ms(Some(1_000)));
    for (at, id) in [(0, "z"), (300, "a"), (600, "m")] {
        pair.now = at;
        send(&mut pair, "x", Some(id));
    }
    pair.session.handle_timeout(5_000);
    assert_eq!(
        pair.events(),
        [timed_out("z"), timed_out("a"), timed_out("m")]
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
    assert_eq!(pair.events(), [timed_out("fast")]);
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
fn a_graceful_close_carries_the_disconnect_receipt() {
    let mut pair = open(config());
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    pair.sent_one();
    pair.broker(&receipt("bye")).unwrap();
    let ended = pair.disconnected();
    assert_eq!(ended.reason, CloseReason::Graceful);
    let frame = ended.receipt.expect("no RECEIPT in the Disconnected event");
    assert_eq!(frame.command, Command::Receipt);
    assert_eq!(frame.receipt_id(), Some("bye"));
}

#[test]
fn a_close_without_the_disconnect_receipt_carries_none() {
    let mut pair = open(config());
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    pair.sent_one();
    // The broker closes the socket instead of answering (RabbitMQ Web-STOMP does).
    let ended = pair.disconnected();
    assert_ne!(ended.reason, CloseReason::Graceful);
    assert_eq!(ended.receipt, None);
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
    let mut pair = open(
        config()
            .with_disconnect_timeout_ms(2_000)
            .with_receipt_timeout_ms(Some(500)),
    );
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
    let mut pair = open(
        config()
            .with_disconnect_timeout_ms(2_000)
            .with_receipt_timeout_ms(Some(500)),
    );
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
    pair.disconnected();
    assert!(outcomes(&pair.events()).is_empty(), "still pending");
    assert_eq!(pair.session.pending_receipts(), 1);
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["r-1"]);
    assert_eq!(outcomes(&pair.events()), [resent("r-1")]);
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
    assert!(outcomes(&pair.events()).is_empty(), "r-2 stays pending");
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["r-2"]);
    assert_eq!(outcomes(&pair.events()), [resent("r-2")]);
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
    let mut pair = open(config().with_resend_unreceipted(false));
    send(&mut pair, "x", Some("r-1"));
    pair.sent();
    pair.close_transport();
    assert_eq!(
        outcomes(&pair.events()),
        [lost("r-1", LostReason::Closed(NotResent::ResendDisabled))]
    );
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
    pair.close_transport();
    assert_eq!(
        outcomes(&pair.events()),
        [
            lost("in-tx", LostReason::Closed(NotResent::InTransaction)),
            lost("sub", LostReason::Closed(NotResent::NotASend)),
        ]
    );
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["out"]);
    let sent: Vec<_> = pair.sent().into_iter().map(|f| f.command).collect();
    assert_eq!(sent, [Command::Subscribe, Command::Send]);
}

#[test]
fn a_disconnect_asked_for_sends_nothing_again() {
    for reason in ["immediate", "timeout"] {
        let mut pair = open(config().with_disconnect_timeout_ms(100));
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
    let events = pair.events();
    let [Event::Error(refusal)] = &events[..] else {
        panic!("{events:?}")
    };
    let gone = pair.disconnected();
    assert_eq!(gone.reason, CloseReason::ConnectRefused(refusal.clone()));
    assert!(outcomes(&pair.events()).is_empty(), "still pending");
    assert_eq!(pair.session.pending_receipts(), 1);
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
        [
            Event::Receipt(ReceiptOutcome::Lost {
                id,
                reason: LostReason::Error(named),
            }),
            Event::Error(frame),
        ] => {
            assert_eq!(id, "r-1");
            assert_eq!(frame.receipt_id(), Some("r-1"));
            assert_eq!(named, frame, "the outcome carries the ERROR frame");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(pair.session.pending_receipts(), 1);
    pair.close_transport();
    assert!(outcomes(&pair.events()).is_empty(), "r-2 stays pending");
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["r-2"], "the refused SEND is not sent again");
}

// ----- one test per outcome ------------------------------------------------------------------

#[test]
fn an_abandoned_receipt_is_lost_at_once_and_its_frame_is_not_sent_again() {
    let mut config = config();
    config.receipt_timeout_ms = Some(5_000);
    let mut pair = open(config);
    send(&mut pair, "too big", Some("r-1"));
    send(&mut pair, "fine", Some("r-2"));
    pair.sent();
    // The shell's transport refused the first frame.
    assert!(pair.session.abandon_receipt("r-1", LostReason::NotSent));
    assert_eq!(
        outcomes(&pair.events()),
        [lost("r-1", LostReason::NotSent)],
        "lost, not timed out, and at once"
    );
    assert!(!pair.session.is_receipt_pending("r-1"));
    assert!(
        !pair.session.abandon_receipt("r-1", LostReason::NotSent),
        "reported once"
    );
    assert!(!pair.session.abandon_receipt("nobody", LostReason::NotSent));
    assert!(pair.events().is_empty());
    // Its deadline is gone with it: only r-2 times out.
    pair.advance(5_000);
    assert_eq!(pair.events(), [timed_out("r-2")]);
    // And after a drop only what is still pending would go again: nothing of r-1.
    send(&mut pair, "again", Some("r-3"));
    let r3 = pair.sent();
    pair.close_transport();
    pair.events();
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(c.resent, ["r-3"]);
    assert_eq!(pair.sent(), r3);
}

#[test]
fn the_graceful_disconnect_receipt_cannot_be_abandoned() {
    let mut pair = open(config());
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    pair.sent();
    assert!(!pair.session.abandon_receipt("bye", LostReason::NotSent));
    assert!(pair.events().is_empty());
    assert!(pair.session.is_receipt_pending("bye"));
}

#[test]
fn add_receipt_generates_an_id_unless_the_headers_have_one() {
    let mut pair = open(config());
    let mut h = Headers::new();
    let id = pair.session.add_receipt(&mut h);
    assert_eq!(h.get("receipt"), Some(id.as_str()));
    let mut again = h.clone();
    assert_eq!(pair.session.add_receipt(&mut again), id, "kept");
    assert_eq!(again.len(), 1, "not added twice: {again:?}");
    pair.session.send("/q", h, "x", pair.now).unwrap();
    assert_eq!(pair.sent_one().receipt(), Some(id.as_str()));
    // The next generated id is not the pending one.
    assert_ne!(pair.session.add_receipt(&mut Headers::new()), id);
}

#[test]
fn a_confirmed_receipt_is_reported_once() {
    let mut pair = open(config());
    send(&mut pair, "x", Some("r-1"));
    pair.sent();
    pair.broker(&receipt("r-1")).unwrap();
    let events = pair.events();
    match &events[..] {
        [Event::Receipt(ReceiptOutcome::Confirmed { id, frame })] => {
            assert_eq!(id, "r-1");
            assert_eq!(frame.receipt_id(), Some("r-1"));
        }
        other => panic!("{other:?}"),
    }
    assert!(outcomes(&events)[0].is_final());
    // A second RECEIPT for the same id confirms nothing more.
    pair.broker(&receipt("r-1")).unwrap();
    assert!(matches!(
        &pair.events()[..],
        [Event::UnexpectedReceipt { .. }]
    ));
    // Nor does a later close.
    pair.close_transport();
    assert!(outcomes(&pair.events()).is_empty());
}

#[test]
fn a_receipt_deadline_holds_across_a_close_and_a_reconnect() {
    let mut pair = open(config().with_receipt_timeout_ms(Some(1_000)));
    send(&mut pair, "x", Some("r-1"));
    pair.sent();
    pair.advance(300);
    pair.close_transport();
    assert!(outcomes(&pair.events()).is_empty());
    // Disconnected, the deadline is still there.
    assert_eq!(pair.session.poll_timeout(), Some(1_000));
    pair.advance(200);
    pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(outcomes(&pair.events()), [resent("r-1")]);
    assert_eq!(pair.sent_one().receipt(), Some("r-1"));
    // Sending again did not restart the clock: it runs out at 1000, not at 1500.
    assert_eq!(pair.session.poll_timeout(), Some(1_000));
    pair.advance(499);
    assert!(pair.events().is_empty());
    pair.advance(1);
    assert_eq!(pair.events(), [timed_out("r-1")]);
    assert_eq!(pair.session.pending_receipts(), 0);
    // Final: a later close reports nothing for it.
    pair.close_transport();
    assert!(outcomes(&pair.events()).is_empty());
}

#[test]
fn a_receipt_times_out_while_disconnected_and_is_not_sent_again() {
    let mut pair = open(config().with_receipt_timeout_ms(Some(1_000)));
    send(&mut pair, "x", Some("r-1"));
    pair.sent();
    pair.close_transport();
    pair.events();
    pair.advance(1_000);
    assert_eq!(pair.events(), [timed_out("r-1")]);
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert!(c.resent.is_empty());
    assert!(pair.sent().is_empty(), "timed out: not sent again");
    assert!(outcomes(&pair.events()).is_empty());
}

#[test]
fn a_resent_receipt_keeps_its_id_and_is_then_confirmed() {
    let mut pair = open(config());
    send(&mut pair, "x", Some("r-1"));
    let original = pair.sent_one();
    pair.close_transport();
    pair.events();
    // Two reconnects before it is confirmed: resent on each.
    pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(outcomes(&pair.events()), [resent("r-1")]);
    assert_eq!(pair.sent_one(), original);
    pair.close_transport();
    assert!(outcomes(&pair.events()).is_empty());
    pair.connect_with(&connected("1.2", "0,0"));
    let events = outcomes(&pair.events());
    assert_eq!(events, [resent("r-1")]);
    assert!(!events[0].is_final());
    assert_eq!(events[0].id(), "r-1");
    assert_eq!(pair.sent_one().receipt(), Some("r-1"));
    pair.broker(&receipt("r-1")).unwrap();
    assert!(matches!(
        &outcomes(&pair.events())[..],
        [ReceiptOutcome::Confirmed { id, .. }] if id == "r-1"
    ));
    assert_eq!(pair.session.pending_receipts(), 0);
}

#[test]
fn a_send_in_a_transaction_is_lost_at_a_close() {
    let mut pair = open(config());
    let tx = pair.session.begin(None, Headers::new(), pair.now).unwrap();
    pair.session
        .send(
            "/q",
            headers(&[("transaction", &tx), ("receipt", "r-tx")]),
            "",
            pair.now,
        )
        .unwrap();
    pair.sent();
    let events = {
        pair.close_transport();
        pair.events()
    };
    assert_eq!(
        outcomes(&events),
        [lost("r-tx", LostReason::Closed(NotResent::InTransaction))]
    );
    // Reported before the Disconnected event.
    assert!(matches!(events.last(), Some(Event::Disconnected(_))));
}

#[test]
fn a_frame_that_is_not_a_send_is_lost_at_a_close() {
    let mut pair = open(config());
    pair.session
        .subscribe(
            "/q",
            AckMode::Auto,
            headers(&[("receipt", "r-sub")]),
            pair.now,
        )
        .unwrap();
    pair.sent();
    pair.close_transport();
    assert_eq!(
        outcomes(&pair.events()),
        [lost("r-sub", LostReason::Closed(NotResent::NotASend))]
    );
}

#[test]
fn a_send_is_lost_at_a_close_when_resending_is_off() {
    let mut pair = open(config().with_resend_unreceipted(false));
    send(&mut pair, "x", Some("r-1"));
    pair.sent();
    pair.close_transport();
    assert_eq!(
        outcomes(&pair.events()),
        [lost("r-1", LostReason::Closed(NotResent::ResendDisabled))]
    );
    assert_eq!(pair.session.pending_receipts(), 0);
}

#[test]
fn every_receipt_is_lost_when_the_user_disconnects() {
    let mut pair = open(config().with_disconnect_timeout_ms(100));
    send(&mut pair, "x", Some("r-1"));
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    pair.sent();
    pair.advance(100);
    pair.close_transport();
    assert_eq!(
        outcomes(&pair.events()),
        [
            lost("r-1", LostReason::Closed(NotResent::ClosedByUser)),
            lost("bye", LostReason::Closed(NotResent::ClosedByUser)),
        ]
    );
}

#[test]
fn shutting_down_loses_the_receipts_kept_to_send_again() {
    let mut pair = open(config().with_receipt_timeout_ms(Some(5_000)));
    send(&mut pair, "x", Some("r-1"));
    send(&mut pair, "y", Some("r-2"));
    pair.sent();
    pair.close_transport();
    assert!(outcomes(&pair.events()).is_empty());
    pair.session.shut_down();
    assert_eq!(
        outcomes(&pair.events()),
        [
            lost("r-1", LostReason::ShutDown),
            lost("r-2", LostReason::ShutDown)
        ]
    );
    assert_eq!(pair.session.pending_receipts(), 0);
    assert_eq!(pair.session.poll_timeout(), None, "no deadline left");
    let c = pair.connect_with(&connected("1.2", "0,0"));
    assert!(c.resent.is_empty());
    assert!(pair.sent().is_empty());
}

#[test]
fn a_frame_the_new_version_cannot_write_is_lost_when_resent() {
    let mut pair = open(config());
    // 1.2 escapes a line break in a value; 1.0 cannot write one.
    pair.session
        .send(
            "/q",
            headers(&[("receipt", "r-nl"), ("k", "a\nb")]),
            "",
            pair.now,
        )
        .unwrap();
    send(&mut pair, "fine", Some("r-ok"));
    pair.sent();
    pair.close_transport();
    let c = pair.connect_with(&connected("1.0", "0,0"));
    assert_eq!(c.resent, ["r-ok"]);
    let events = outcomes(&pair.events());
    assert_eq!(events[0], resent("r-ok"));
    assert!(
        matches!(&events[1..], [ReceiptOutcome::Lost { id, reason: LostReason::Unencodable(_) }] if id == "r-nl"),
        "{events:?}"
    );
    assert_eq!(pair.sent_one().receipt(), Some("r-ok"));
    assert_eq!(pair.session.pending_receipts(), 1);
}

#[test]
fn an_expected_receipt_times_out_without_a_frame() {
    let mut pair = open(config());
    pair.session.expect_receipt("never", Some(200));
    assert!(pair.session.is_receipt_pending("never"));
    assert_eq!(pair.session.poll_timeout(), Some(200));
    pair.advance(200);
    assert_eq!(pair.events(), [timed_out("never")]);
}

#[test]
fn an_expected_receipt_keeps_its_deadline_when_its_frame_goes() {
    let mut pair = open(config().with_receipt_timeout_ms(Some(10_000)));
    pair.session.expect_receipt("r-1", Some(300));
    pair.advance(100);
    send(&mut pair, "x", Some("r-1"));
    pair.sent();
    assert_eq!(pair.session.pending_receipts(), 1);
    assert_eq!(pair.session.poll_timeout(), Some(300));
    // Once sent, it is a SEND like any other: kept across a close.
    pair.close_transport();
    assert!(outcomes(&pair.events()).is_empty());
    pair.connect_with(&connected("1.2", "0,0"));
    assert_eq!(outcomes(&pair.events()), [resent("r-1")]);
    pair.broker(&receipt("r-1")).unwrap();
    assert_eq!(receipt_events(pair.events()), [("r-1".to_string(), true)]);
}

#[test]
fn an_expected_receipt_without_a_frame_is_lost_at_a_close() {
    let mut pair = open(config());
    pair.session.expect_receipt("watched", None);
    pair.close_transport();
    assert_eq!(
        outcomes(&pair.events()),
        [lost("watched", LostReason::Closed(NotResent::NotASend))]
    );
}

#[test]
fn a_refusal_carries_the_error_frame() {
    let mut pair = Pair::new(config());
    pair.connect();
    pair.broker(&error("bad credentials", None)).unwrap();
    let events = pair.events();
    let [Event::Error(frame)] = &events[..] else {
        panic!("{events:?}")
    };
    match pair.close_reason() {
        CloseReason::ConnectRefused(refusal) => {
            assert_eq!(&refusal, frame);
            assert_eq!(refusal.message(), Some("bad credentials"));
        }
        other => panic!("{other:?}"),
    }
}

// ----- exactly once ----------------------------------------------------------------------------

/// One step of a script against the session.
#[derive(Clone, Debug)]
enum Step {
    /// A SEND with a receipt, outside (`false`) or inside (`true`) a transaction.
    Send { in_tx: bool },
    /// A SUBSCRIBE with a receipt.
    Subscribe,
    /// A receipt expected with no frame, with a deadline (ms from now) or none.
    Expect(Option<u64>),
    /// The RECEIPT for the n-th id issued so far (mod their count).
    Receipt(usize),
    /// An ERROR naming the n-th id (the connection then closes).
    ErrorFor(usize),
    /// Time passes.
    Advance(u64),
    /// The transport drops.
    Drop,
    /// Reconnect (CONNECTED), or refuse (ERROR) when `true`.
    Reconnect { refused: bool },
    /// The user disconnects (without receipt).
    Disconnect,
    /// The shell stops.
    ShutDown,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => any::<bool>().prop_map(|in_tx| Step::Send { in_tx }),
        1 => Just(Step::Subscribe),
        1 => proptest::option::of(0u64..3_000).prop_map(Step::Expect),
        3 => (0usize..64).prop_map(Step::Receipt),
        1 => (0usize..64).prop_map(Step::ErrorFor),
        3 => (0u64..1_500).prop_map(Step::Advance),
        2 => Just(Step::Drop),
        2 => any::<bool>().prop_map(|refused| Step::Reconnect { refused }),
        1 => Just(Step::Disconnect),
        1 => Just(Step::ShutDown),
    ]
}

/// Checks the receipt events of one step against what was issued and what has ended.
fn check(
    events: &[Event],
    issued: &[String],
    ended: &mut std::collections::HashMap<String, ReceiptOutcome>,
) -> Result<(), TestCaseError> {
    for outcome in outcomes(events) {
        let id = outcome.id().to_string();
        prop_assert!(issued.contains(&id), "an outcome for {id}, never issued");
        if let Some(first) = ended.get(&id) {
            prop_assert!(false, "{id} reported again ({outcome:?}) after {first:?}");
        }
        if outcome.is_final() {
            ended.insert(id, outcome);
        }
    }
    Ok(())
}

fn run_script(script: &[Step], resend: bool, timeout: Option<u64>) -> Result<(), TestCaseError> {
    let mut pair = open(
        config()
            .with_receipt_timeout_ms(timeout)
            .with_resend_unreceipted(resend)
            .with_disconnect_timeout_ms(500),
    );
    let mut issued: Vec<String> = Vec::new();
    let mut ended = std::collections::HashMap::new();
    let mut tx: Option<String> = None;
    for step in script {
        let now = pair.now;
        let open = pair.session.is_connected();
        match step {
            Step::Send { in_tx } if open => {
                let mut h = Headers::new();
                let id = pair.session.add_receipt(&mut h);
                if *in_tx {
                    let t = match &tx {
                        Some(t) => t.clone(),
                        None => pair.session.begin(None, Headers::new(), now).unwrap(),
                    };
                    tx = Some(t.clone());
                    h.push("transaction", &t);
                }
                pair.session.send("/q", h, "x", now).unwrap();
                issued.push(id);
            }
            Step::Subscribe if open => {
                let mut h = Headers::new();
                let id = pair.session.add_receipt(&mut h);
                pair.session.subscribe("/q", AckMode::Auto, h, now).unwrap();
                issued.push(id);
            }
            Step::Expect(deadline) => {
                let id = pair.session.next_receipt_id();
                pair.session.expect_receipt(&id, deadline.map(|d| now + d));
                issued.push(id);
            }
            Step::Receipt(n) if open && !issued.is_empty() => {
                let id = &issued[n % issued.len()];
                pair.broker(&receipt(id)).unwrap();
            }
            Step::ErrorFor(n) if open && !issued.is_empty() => {
                let id = issued[n % issued.len()].clone();
                pair.broker(&error("refused", Some(&id))).unwrap();
                pair.close_transport();
                tx = None;
            }
            Step::Advance(ms) => pair.advance(*ms),
            Step::Drop => {
                pair.close_transport();
                tx = None;
            }
            Step::Reconnect { refused } => {
                pair.close_transport();
                tx = None;
                pair.connect();
                if *refused {
                    pair.broker(&error("busy", None)).unwrap();
                    pair.close_transport();
                } else {
                    pair.broker(&connected("1.2", "0,0")).unwrap();
                }
            }
            Step::Disconnect if open => {
                pair.session.disconnect(Headers::new(), now).unwrap();
                pair.close_transport();
                tx = None;
            }
            Step::ShutDown => {
                pair.close_transport();
                tx = None;
                pair.session.shut_down();
            }
            _ => {}
        }
        pair.sent();
        check(&pair.events(), &issued, &mut ended)?;
        // Everything issued and not ended is pending, and nothing else.
        for id in &issued {
            prop_assert_eq!(
                pair.session.is_receipt_pending(id),
                !ended.contains_key(id),
                "{}",
                id
            );
        }
        prop_assert_eq!(pair.session.pending_receipts(), issued.len() - ended.len());
    }
    // The end: the shell stops; every receipt has had exactly one final outcome.
    pair.close_transport();
    pair.session.shut_down();
    check(&pair.events(), &issued, &mut ended)?;
    prop_assert_eq!(ended.len(), issued.len());
    prop_assert_eq!(pair.session.pending_receipts(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_pending_receipt_is_reported_exactly_once(
        script in proptest::collection::vec(step(), 0..40),
        resend in any::<bool>(),
        timeout in proptest::option::of(100u64..4_000),
    ) {
        run_script(&script, resend, timeout)?;
    }
}

#[test]
fn every_pending_receipt_is_reported_exactly_once_in_a_known_interleaving() {
    use Step::*;
    run_script(
        &[
            Send { in_tx: false },
            Send { in_tx: true },
            Subscribe,
            Expect(Some(700)),
            Advance(200),
            Drop,
            Advance(400),
            Reconnect { refused: true },
            Reconnect { refused: false },
            Receipt(0),
            Send { in_tx: false },
            Drop,
            Advance(2_000),
            Reconnect { refused: false },
            ErrorFor(4),
            Send { in_tx: false },
            Disconnect,
        ],
        true,
        Some(1_000),
    )
    .unwrap();
}

#[test]
fn a_receipt_id_already_awaited_is_refused_and_nothing_is_sent() {
    let mut pair = open(config());
    send(&mut pair, "first", Some("mine"));
    pair.sent();
    pair.session
        .subscribe("/q", AckMode::Auto, headers(&[("id", "s")]), pair.now)
        .unwrap();
    let tx = pair.session.begin(None, Headers::new(), pair.now).unwrap();
    pair.sent();
    let now = pair.now;
    let s = &mut pair.session;
    // Every frame that can ask for a receipt: SEND, SUBSCRIBE, UNSUBSCRIBE, COMMIT, DISCONNECT.
    let results = [
        s.send("/q", headers(&[("receipt", "mine")]), "second", now),
        s.subscribe("/r", AckMode::Auto, headers(&[("receipt", "mine")]), now)
            .map(|_| ()),
        s.unsubscribe("s", headers(&[("receipt", "mine")]), now),
        s.commit(&tx, headers(&[("receipt", "mine")]), now),
        s.disconnect(headers(&[("receipt", "mine")]), now),
    ];
    for (i, result) in results.into_iter().enumerate() {
        assert_eq!(
            result,
            Err(SessionError::DuplicateReceipt("mine".into())),
            "call {i}"
        );
    }
    assert!(pair.sent().is_empty(), "nothing of a refused frame goes");
    // Nothing the refused calls would have changed has changed.
    assert_eq!(pair.session.state(), State::Connected);
    assert!(pair.session.subscription("s").is_some());
    assert_eq!(pair.session.subscriptions().count(), 1);
    assert_eq!(
        pair.session.transactions().collect::<Vec<_>>(),
        [tx.as_str()]
    );
    // The first frame's receipt is still the one awaited, and is reported once.
    pair.broker(&receipt("mine")).unwrap();
    assert_eq!(receipt_events(pair.events()), [("mine".to_owned(), true)]);
    // Once it came, the id is free again.
    send(&mut pair, "third", Some("mine"));
    assert_eq!(pair.sent_one().receipt(), Some("mine"));
    let mut text = String::new();
    SessionError::DuplicateReceipt("mine".into()).describe_into(&mut text);
    assert_eq!(
        text,
        "receipt \"mine\" is already awaited for another frame"
    );
}

#[test]
fn an_expected_receipt_is_taken_over_by_the_first_frame_only() {
    let mut pair = open(config());
    pair.session.expect_receipt("watched", Some(pair.now + 500));
    send(&mut pair, "first", Some("watched"));
    assert_eq!(pair.sent_one().receipt(), Some("watched"));
    assert_eq!(
        pair.session
            .send("/q", headers(&[("receipt", "watched")]), "second", pair.now),
        Err(SessionError::DuplicateReceipt("watched".into()))
    );
    assert!(pair.sent().is_empty());
    // The deadline set before the frame went still holds.
    pair.advance(500);
    assert_eq!(pair.events(), [timed_out("watched")]);
}

#[test]
fn a_send_kept_to_go_again_keeps_its_receipt_id_across_the_reconnect() {
    let mut pair = open(config());
    send(&mut pair, "kept", Some("r-kept"));
    pair.sent();
    pair.close_transport();
    pair.connect_1_2();
    // The SEND went again with its receipt id, which is still awaited.
    assert_eq!(pair.sent_one().receipt(), Some("r-kept"));
    assert_eq!(
        pair.session
            .send("/q", headers(&[("receipt", "r-kept")]), "other", pair.now),
        Err(SessionError::DuplicateReceipt("r-kept".into()))
    );
    assert!(pair.sent().is_empty());
}
