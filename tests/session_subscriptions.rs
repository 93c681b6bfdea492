//! Subscriptions: ids (given or generated), ack modes, message routing, unsubscribing by id
//! or destination, and replay with the same ids after a reconnect.

mod scripted_broker;

use scripted_broker::{Pair, connected, connected_1_0, headers, message, receipt};
use stompwire::frame::{Command, Headers, Version};
use stompwire::session::{AckMode, Config, Event, SessionError, State};

fn pair_with(version: &str) -> Pair {
    let mut pair = Pair::quiet();
    if version == "1.0" {
        pair.connect_with(&connected_1_0());
    } else {
        pair.connect_with(&connected(version, "0,0"));
    }
    pair
}

fn subscribe(pair: &mut Pair, destination: &str, ack: AckMode, h: Headers) -> String {
    let id = pair
        .session
        .subscribe(destination, ack, h, pair.now)
        .unwrap();
    pair.sent();
    id
}

#[test]
fn subscribe_generates_an_id_when_none_is_given() {
    let mut pair = pair_with("1.2");
    let a = pair
        .session
        .subscribe("/a", AckMode::Auto, Headers::new(), pair.now)
        .unwrap();
    let b = pair
        .session
        .subscribe("/b", AckMode::Auto, Headers::new(), pair.now)
        .unwrap();
    assert_ne!(a, b);
    let sent = pair.sent();
    assert_eq!(sent[0].command, Command::Subscribe);
    assert_eq!(sent[0].id(), Some(a.as_str()));
    assert_eq!(sent[0].destination(), Some("/a"));
    assert_eq!(sent[1].id(), Some(b.as_str()));
}

#[test]
fn subscribe_uses_the_given_id() {
    let mut pair = pair_with("1.2");
    let id = pair
        .session
        .subscribe("/a", AckMode::Auto, headers(&[("id", "mine")]), pair.now)
        .unwrap();
    assert_eq!(id, "mine");
    let sent = pair.sent_one();
    assert_eq!(sent.headers.get_all("id").collect::<Vec<_>>(), ["mine"]);
    assert_eq!(pair.session.subscription("mine").unwrap().destination, "/a");
}

#[test]
fn a_duplicate_id_is_refused_and_nothing_is_sent() {
    let mut pair = pair_with("1.2");
    subscribe(&mut pair, "/a", AckMode::Auto, headers(&[("id", "x")]));
    assert_eq!(
        pair.session
            .subscribe("/b", AckMode::Auto, headers(&[("id", "x")]), pair.now),
        Err(SessionError::DuplicateSubscription("x".into()))
    );
    assert!(pair.sent().is_empty());
    assert_eq!(pair.session.subscription("x").unwrap().destination, "/a");
}

#[test]
fn a_generated_id_never_collides_with_a_given_one() {
    let mut pair = pair_with("1.2");
    // Take the ids the generator would make next.
    for n in 0..4 {
        subscribe(
            &mut pair,
            "/given",
            AckMode::Auto,
            headers(&[("id", &format!("sub-{n}"))]),
        );
    }
    let id = pair
        .session
        .subscribe("/generated", AckMode::Auto, Headers::new(), pair.now)
        .expect("a fresh id");
    assert_eq!(
        pair.session.subscription(&id).unwrap().destination,
        "/generated"
    );
    assert_eq!(pair.session.subscriptions().count(), 5);
}

#[test]
fn subscribe_writes_the_ack_mode() {
    let table = [
        (AckMode::Auto, "auto"),
        (AckMode::Client, "client"),
        (AckMode::ClientIndividual, "client-individual"),
    ];
    for (mode, value) in table {
        let mut pair = pair_with("1.2");
        let id = pair
            .session
            .subscribe("/a", mode, headers(&[("ack", "ignored")]), pair.now)
            .unwrap();
        let sent = pair.sent_one();
        assert_eq!(sent.headers.get_all("ack").collect::<Vec<_>>(), [value]);
        assert_eq!(pair.session.subscription(&id).unwrap().ack, mode);
        assert_eq!(AckMode::parse(value), Some(mode));
    }
}

#[test]
fn client_individual_needs_1_1_or_later() {
    for (version, ok) in [("1.0", false), ("1.1", true), ("1.2", true)] {
        let mut pair = pair_with(version);
        let result =
            pair.session
                .subscribe("/a", AckMode::ClientIndividual, Headers::new(), pair.now);
        assert_eq!(result.is_ok(), ok, "{version}");
        if !ok {
            assert_eq!(
                result,
                Err(SessionError::AckModeUnsupported {
                    version: Version::V1_0
                })
            );
            assert!(pair.sent().is_empty());
            assert_eq!(pair.session.subscriptions().count(), 0);
        }
    }
}

#[test]
fn extra_headers_go_out_with_subscribe() {
    let mut pair = pair_with("1.2");
    pair.session
        .subscribe(
            "/a",
            AckMode::Client,
            headers(&[("selector", "x > 1"), ("destination", "/other")]),
            pair.now,
        )
        .unwrap();
    let sent = pair.sent_one();
    assert_eq!(sent.header("selector"), Some("x > 1"));
    assert_eq!(
        sent.headers.get_all("destination").collect::<Vec<_>>(),
        ["/a"]
    );
}

#[test]
fn messages_are_routed_by_their_subscription_header() {
    let mut pair = pair_with("1.2");
    let a = subscribe(&mut pair, "/same", AckMode::Auto, Headers::new());
    let b = subscribe(&mut pair, "/same", AckMode::Auto, Headers::new());
    pair.broker(&message(&b, "1", "/same", "to b")).unwrap();
    pair.broker(&message(&a, "2", "/same", "to a")).unwrap();
    pair.broker(&message("unknown", "3", "/same", "none"))
        .unwrap();
    let routed: Vec<_> = pair
        .events()
        .into_iter()
        .map(|e| match e {
            Event::Message {
                subscription,
                frame,
            } => (
                subscription.as_deref().map(String::from),
                frame.body_str().unwrap().to_string(),
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        routed,
        [
            (Some(b), "to b".to_string()),
            (Some(a), "to a".to_string()),
            (None, "none".to_string())
        ]
    );
}

#[test]
fn stomp_1_0_messages_without_subscription_are_routed_by_destination() {
    let mut pair = pair_with("1.0");
    let id = subscribe(&mut pair, "/queue/a", AckMode::Client, Headers::new());
    pair.broker(b"MESSAGE\ndestination:/queue/a\nmessage-id:1\n\nx\0")
        .unwrap();
    pair.broker(b"MESSAGE\ndestination:/queue/b\nmessage-id:2\n\ny\0")
        .unwrap();
    let subs: Vec<_> = pair
        .events()
        .into_iter()
        .map(|e| match e {
            Event::Message { subscription, .. } => subscription.as_deref().map(String::from),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(subs, [Some(id), None]);
}

#[test]
fn unsubscribe_by_id_per_version() {
    // (version, whether UNSUBSCRIBE also names the destination: 1.0 brokers may need it)
    for (version, with_destination) in [("1.0", true), ("1.1", false), ("1.2", false)] {
        let mut pair = pair_with(version);
        let id = subscribe(&mut pair, "/a", AckMode::Auto, Headers::new());
        pair.session
            .unsubscribe(&id, headers(&[("id", "other"), ("x", "y")]), pair.now)
            .unwrap();
        let sent = pair.sent_one();
        assert_eq!(sent.command, Command::Unsubscribe);
        assert_eq!(
            sent.headers.get_all("id").collect::<Vec<_>>(),
            [id.as_str()]
        );
        assert_eq!(sent.header("x"), Some("y"));
        assert_eq!(
            sent.destination(),
            with_destination.then_some("/a"),
            "{version}"
        );
        assert!(pair.session.subscription(&id).is_none());
    }
}

#[test]
fn unsubscribe_by_destination() {
    let mut pair = pair_with("1.0");
    let a = subscribe(&mut pair, "/a", AckMode::Auto, Headers::new());
    let b = subscribe(&mut pair, "/b", AckMode::Auto, Headers::new());
    let removed = pair
        .session
        .unsubscribe_destination("/b", Headers::new(), pair.now)
        .unwrap();
    assert_eq!(removed, b);
    let sent = pair.sent_one();
    assert_eq!(sent.destination(), Some("/b"));
    assert_eq!(sent.id(), Some(b.as_str()));
    let left: Vec<_> = pair
        .session
        .subscriptions()
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(left, [a]);
}

#[test]
fn unsubscribing_what_is_not_subscribed_is_an_error() {
    let mut pair = pair_with("1.2");
    assert_eq!(
        pair.session.unsubscribe("nope", Headers::new(), pair.now),
        Err(SessionError::UnknownSubscription("nope".into()))
    );
    assert_eq!(
        pair.session
            .unsubscribe_destination("/nope", Headers::new(), pair.now),
        Err(SessionError::UnknownSubscription("/nope".into()))
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn subscribing_needs_an_open_session() {
    let mut pair = Pair::quiet();
    assert_eq!(
        pair.session
            .subscribe("/a", AckMode::Auto, Headers::new(), 0),
        Err(SessionError::NotConnected {
            state: State::Disconnected
        })
    );
    pair.connect();
    assert_eq!(
        pair.session
            .subscribe("/a", AckMode::Auto, Headers::new(), 0),
        Err(SessionError::NotConnected {
            state: State::Connecting
        })
    );
    assert!(pair.sent().is_empty());
    assert_eq!(pair.session.subscriptions().count(), 0);
}

#[test]
fn subscriptions_are_replayed_after_a_reconnect_with_the_same_ids() {
    let mut pair = pair_with("1.2");
    let a = subscribe(
        &mut pair,
        "/a",
        AckMode::Client,
        headers(&[("selector", "x=1"), ("receipt", "r-sub")]),
    );
    let b = subscribe(&mut pair, "/b", AckMode::Auto, headers(&[("id", "named")]));
    let gone = subscribe(&mut pair, "/gone", AckMode::Auto, Headers::new());
    pair.session
        .unsubscribe(&gone, Headers::new(), pair.now)
        .unwrap();
    pair.broker(&receipt("r-sub")).unwrap();
    pair.sent();
    pair.events();
    // The transport drops.
    pair.disconnected();
    let c = pair.connect_with(&connected("1.2", "0,0"));
    let mut replayed = c.replayed.clone();
    replayed.sort();
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(replayed, expected);
    let sent = pair.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    for frame in &sent {
        assert_eq!(frame.command, Command::Subscribe);
        assert_eq!(frame.receipt(), None, "a replay asks no receipt");
    }
    let find = |id: &str| sent.iter().find(|f| f.id() == Some(id)).unwrap();
    assert_eq!(find(&a).destination(), Some("/a"));
    assert_eq!(find(&a).ack(), Some("client"));
    assert_eq!(find(&a).header("selector"), Some("x=1"));
    assert_eq!(find(&b).destination(), Some("/b"));
    // Messages on the new connection route to the same ids.
    pair.broker(&message(&a, "1", "/a", "")).unwrap();
    assert!(matches!(
        &pair.events()[..],
        [Event::Message { subscription: Some(s), .. }] if **s == *a
    ));
}

#[test]
fn replayed_subscriptions_follow_the_new_version() {
    let mut pair = pair_with("1.2");
    subscribe(&mut pair, "/a:b", AckMode::Auto, Headers::new());
    pair.close_transport();
    pair.connect_with(&connected("1.1", "0,0"));
    let raw = pair.wire().last().unwrap().clone();
    assert!(raw.windows(12).any(|w| w == b"destination:"));
    assert!(
        raw.windows(6).any(|w| w == b"/a\\cb\n"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
}

#[test]
fn without_replay_subscriptions_end_with_the_connection() {
    let mut pair = Pair::new(
        Config::default()
            .with_replay_subscriptions(false)
            .with_heart_beat(stompwire::session::HeartBeat::NONE),
    );
    pair.connect_1_2();
    subscribe(&mut pair, "/a", AckMode::Auto, Headers::new());
    pair.close_transport();
    assert_eq!(pair.session.subscriptions().count(), 0);
    let c = pair.connect_1_2();
    assert!(c.replayed.is_empty());
    assert!(pair.sent().is_empty());
}

#[test]
fn a_disconnect_asked_for_forgets_the_subscriptions() {
    for with_receipt in [false, true] {
        let mut pair = pair_with("1.2");
        subscribe(&mut pair, "/a", AckMode::Auto, Headers::new());
        let h = if with_receipt {
            headers(&[("receipt", "bye")])
        } else {
            Headers::new()
        };
        pair.session.disconnect(h, pair.now).unwrap();
        assert_eq!(pair.sent_one().command, Command::Disconnect);
        if with_receipt {
            pair.broker(&receipt("bye")).unwrap();
        }
        assert!(pair.session.wants_close());
        pair.close_transport();
        assert_eq!(pair.session.subscriptions().count(), 0);
        let c = pair.connect_1_2();
        assert!(c.replayed.is_empty());
    }
}

#[test]
fn generated_ids_stay_unique_across_connections() {
    let mut pair = pair_with("1.2");
    let first = subscribe(&mut pair, "/a", AckMode::Auto, Headers::new());
    pair.close_transport();
    pair.connect_1_2();
    pair.sent();
    let second = subscribe(&mut pair, "/b", AckMode::Auto, Headers::new());
    assert_ne!(first, second);
    assert_eq!(pair.session.subscriptions().count(), 2);
}

#[test]
fn unsubscribing_while_disconnected_drops_it_from_the_replay_at_once() {
    let mut pair = pair_with("1.2");
    let gone = subscribe(&mut pair, "/gone", AckMode::Client, Headers::new());
    let kept = subscribe(&mut pair, "/kept", AckMode::Auto, Headers::new());
    let late = subscribe(&mut pair, "/late", AckMode::Auto, Headers::new());
    pair.close_transport();
    // Between connections: forgotten at once, nothing to send.
    pair.session
        .unsubscribe(&gone, Headers::new(), pair.now)
        .unwrap();
    assert!(pair.session.subscription(&gone).is_none());
    assert!(pair.sent().is_empty());
    // Connecting (CONNECT sent, no CONNECTED yet): the same.
    pair.connect();
    assert_eq!(
        pair.session
            .unsubscribe_destination("/late", Headers::new(), pair.now),
        Ok(late.clone())
    );
    assert!(pair.sent().is_empty());
    pair.sent();
    pair.broker(&connected("1.2", "0,0")).unwrap();
    let replayed = pair.events().into_iter().find_map(|e| match e {
        Event::Connected(c) => Some(c.replayed),
        _ => None,
    });
    assert_eq!(replayed, Some(vec![kept.clone()]));
    let sent = pair.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].command, Command::Subscribe);
    assert_eq!(sent[0].id(), Some(kept.as_str()));
    // An id never registered is still an error, in any state.
    pair.close_transport();
    assert_eq!(
        pair.session.unsubscribe(&gone, Headers::new(), pair.now),
        Err(SessionError::UnknownSubscription(gone.clone()))
    );
    assert_eq!(
        pair.session
            .unsubscribe_destination("/nowhere", Headers::new(), pair.now),
        Err(SessionError::UnknownSubscription("/nowhere".into()))
    );
}

#[test]
fn unsubscribing_after_disconnect_asked_for_sends_nothing_more() {
    let mut pair = pair_with("1.2");
    let id = subscribe(&mut pair, "/a", AckMode::Auto, Headers::new());
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), pair.now)
        .unwrap();
    assert_eq!(pair.sent_one().command, Command::Disconnect);
    assert_eq!(pair.session.state(), State::Disconnecting);
    // DISCONNECT was the last frame: the subscription is forgotten without UNSUBSCRIBE.
    pair.session
        .unsubscribe(&id, Headers::new(), pair.now)
        .unwrap();
    assert!(pair.sent().is_empty());
    assert_eq!(pair.session.subscriptions().count(), 0);
}

#[test]
fn a_message_whose_body_the_shell_holds_is_routed_with_an_empty_body() {
    let mut pair = pair_with("1.2");
    let id = subscribe(&mut pair, "/queue/big", AckMode::Auto, Headers::new());
    let head = format!(
        "MESSAGE\ndestination:/queue/big\nmessage-id:m1\nsubscription:{id}\ncontent-length:100000\n\n"
    );
    pair.broker(head.as_bytes()).unwrap();
    assert!(!pair.session.elide_body(99_999), "not its length");
    assert!(pair.session.elide_body(100_000));
    pair.broker(b"\0\n").unwrap();
    let messages: Vec<_> = pair
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Message {
                subscription,
                frame,
            } => Some((subscription, frame)),
            _ => None,
        })
        .collect();
    let [(Some(sub), frame)] = messages.as_slice() else {
        panic!("{messages:?}");
    };
    assert_eq!(**sub, id);
    assert_eq!(frame.content_length(), Some(100_000));
    assert!(frame.body().is_empty());
    assert_eq!(pair.session.state(), State::Connected);
}

#[test]
fn no_body_is_elided_on_a_closed_session() {
    let mut pair = pair_with("1.2");
    pair.close_transport();
    assert!(!pair.session.elide_body(0));
}
