//! Transactions: BEGIN, COMMIT and ABORT with given or generated ids, frames inside a
//! transaction, and open transactions reported lost when the connection drops.

mod scripted_broker;

use scripted_broker::{Pair, headers};
use stompwire::frame::{Command, Headers};
use stompwire::session::{AckMode, CloseReason, SessionError, State};

fn open() -> Pair {
    let mut pair = Pair::quiet();
    pair.connect_1_2();
    pair
}

#[test]
fn begin_generates_an_id_when_none_is_given() {
    let mut pair = open();
    let a = pair.session.begin(None, Headers::new(), pair.now).unwrap();
    let b = pair.session.begin(None, Headers::new(), pair.now).unwrap();
    assert_ne!(a, b);
    let sent = pair.sent();
    assert_eq!(sent[0].command, Command::Begin);
    assert_eq!(sent[0].transaction(), Some(a.as_str()));
    assert_eq!(sent[1].transaction(), Some(b.as_str()));
    let mut open: Vec<_> = pair.session.transactions().map(String::from).collect();
    open.sort();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(open, expected);
}

#[test]
fn begin_uses_the_given_id() {
    let mut pair = open();
    let id = pair
        .session
        .begin(
            Some("t-1"),
            headers(&[("transaction", "other"), ("x", "y")]),
            pair.now,
        )
        .unwrap();
    assert_eq!(id, "t-1");
    let sent = pair.sent_one();
    assert_eq!(
        sent.headers.get_all("transaction").collect::<Vec<_>>(),
        ["t-1"]
    );
    assert_eq!(sent.header("x"), Some("y"));
}

#[test]
fn a_generated_id_never_collides_with_a_given_one() {
    let mut pair = open();
    for n in 0..4 {
        pair.session
            .begin(Some(&format!("tx-{n}")), Headers::new(), pair.now)
            .unwrap();
    }
    let id = pair
        .session
        .begin(None, Headers::new(), pair.now)
        .expect("a fresh id");
    assert_eq!(pair.session.transactions().count(), 5);
    assert!(pair.session.transactions().any(|t| t == id));
}

#[test]
fn commit_and_abort_end_the_transaction() {
    for command in [Command::Commit, Command::Abort] {
        let mut pair = open();
        let tx = pair.session.begin(None, Headers::new(), pair.now).unwrap();
        pair.sent();
        let h = headers(&[("receipt", "r")]);
        match command {
            Command::Commit => pair.session.commit(&tx, h, pair.now),
            _ => pair.session.abort(&tx, h, pair.now),
        }
        .unwrap();
        let sent = pair.sent_one();
        assert_eq!(sent.command, command);
        assert_eq!(sent.transaction(), Some(tx.as_str()));
        assert_eq!(sent.receipt(), Some("r"));
        assert_eq!(pair.session.transactions().count(), 0, "{command}");
        // It is over: using it again is an error.
        let unknown = Err(SessionError::UnknownTransaction(tx.clone()));
        assert_eq!(pair.session.commit(&tx, Headers::new(), pair.now), unknown);
        assert_eq!(pair.session.abort(&tx, Headers::new(), pair.now), unknown);
        assert_eq!(
            pair.session
                .send("/q", headers(&[("transaction", &tx)]), "", pair.now),
            unknown
        );
        assert!(pair.sent().is_empty());
    }
}

#[test]
fn a_duplicate_transaction_is_refused() {
    let mut pair = open();
    pair.session
        .begin(Some("t"), Headers::new(), pair.now)
        .unwrap();
    pair.sent();
    assert_eq!(
        pair.session.begin(Some("t"), Headers::new(), pair.now),
        Err(SessionError::DuplicateTransaction("t".into()))
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn ending_an_unknown_transaction_is_refused() {
    let mut pair = open();
    for result in [
        pair.session.commit("nope", Headers::new(), pair.now),
        pair.session.abort("nope", Headers::new(), pair.now),
    ] {
        assert_eq!(result, Err(SessionError::UnknownTransaction("nope".into())));
    }
    assert!(pair.sent().is_empty());
}

#[test]
fn sends_and_acks_inside_a_transaction_carry_its_id() {
    let mut pair = open();
    let sub = pair
        .session
        .subscribe("/q", AckMode::Client, Headers::new(), pair.now)
        .unwrap();
    let tx = pair.session.begin(None, Headers::new(), pair.now).unwrap();
    pair.sent();
    let h = || headers(&[("transaction", &tx)]);
    pair.session.send("/q", h(), "a", pair.now).unwrap();
    pair.session
        .ack_id("m-1", Some(&sub), h(), pair.now)
        .unwrap();
    pair.session
        .nack_id("m-2", Some(&sub), h(), pair.now)
        .unwrap();
    pair.session.commit(&tx, Headers::new(), pair.now).unwrap();
    let sent: Vec<_> = pair
        .sent()
        .into_iter()
        .map(|f| (f.command, f.transaction().map(String::from)))
        .collect();
    let t = Some(tx.clone());
    assert_eq!(
        sent,
        [
            (Command::Send, t.clone()),
            (Command::Ack, t.clone()),
            (Command::Nack, t.clone()),
            (Command::Commit, t)
        ]
    );
}

#[test]
fn a_send_in_an_unknown_transaction_is_refused() {
    let mut pair = open();
    assert_eq!(
        pair.session
            .send("/q", headers(&[("transaction", "t-x")]), "", pair.now),
        Err(SessionError::UnknownTransaction("t-x".into()))
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn transactions_need_an_open_session() {
    let mut pair = Pair::quiet();
    assert_eq!(
        pair.session.begin(None, Headers::new(), 0),
        Err(SessionError::NotConnected {
            state: State::Disconnected
        })
    );
    pair.connect_1_2();
    let tx = pair.session.begin(None, Headers::new(), 0).unwrap();
    pair.session
        .disconnect(headers(&[("receipt", "bye")]), 0)
        .unwrap();
    pair.sent();
    let refused = Err(SessionError::NotConnected {
        state: State::Disconnecting,
    });
    assert_eq!(pair.session.commit(&tx, Headers::new(), 0), refused);
    assert_eq!(pair.session.abort(&tx, Headers::new(), 0), refused);
    assert_eq!(
        pair.session.begin(None, Headers::new(), 0).map(|_| ()),
        refused
    );
    assert!(pair.sent().is_empty());
}

#[test]
fn open_transactions_are_reported_lost_when_the_connection_drops() {
    let mut pair = open();
    let a = pair
        .session
        .begin(Some("a"), Headers::new(), pair.now)
        .unwrap();
    let b = pair
        .session
        .begin(Some("b"), Headers::new(), pair.now)
        .unwrap();
    let done = pair
        .session
        .begin(Some("done"), Headers::new(), pair.now)
        .unwrap();
    pair.session
        .commit(&done, Headers::new(), pair.now)
        .unwrap();
    let gone = pair.disconnected();
    assert_eq!(
        gone.reason,
        CloseReason::TransportClosed { mid_frame: false }
    );
    assert_eq!(gone.lost_transactions, [a, b]);
    assert_eq!(pair.session.transactions().count(), 0);
}

#[test]
fn transactions_do_not_carry_over_to_the_next_connection() {
    let mut pair = open();
    let tx = pair.session.begin(None, Headers::new(), pair.now).unwrap();
    assert_eq!(pair.sent_one().command, Command::Begin);
    pair.close_transport();
    pair.connect_1_2();
    assert!(pair.sent().is_empty(), "no BEGIN is replayed");
    assert_eq!(
        pair.session
            .send("/q", headers(&[("transaction", &tx)]), "", pair.now),
        Err(SessionError::UnknownTransaction(tx))
    );
}

#[test]
fn a_transaction_open_at_a_disconnect_is_reported_lost_too() {
    let mut pair = open();
    let tx = pair.session.begin(None, Headers::new(), pair.now).unwrap();
    pair.session.disconnect(Headers::new(), pair.now).unwrap();
    let gone = pair.disconnected();
    assert_eq!(gone.reason, CloseReason::Immediate);
    assert_eq!(gone.lost_transactions, [tx]);
}
