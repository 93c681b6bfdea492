//! What the `stompwire` binary tells a script when things go wrong: each hostile input from a
//! scripted peer (a TCP listener that answers CONNECT and then misbehaves, see
//! `scripted_peer`) is one stderr line naming it and a non-zero exit; a refusal is not
//! retried; `--reconnect-attempts 0` makes no second connection.
#![cfg(feature = "cli")]

mod scripted_peer;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use scripted_peer::{Script, ScriptedPeer};

fn run(args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_stompwire"))
        .args(args)
        .output()
        .expect("run stompwire");
    (out, start.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `subscribe --count 1 --timeout 8s` with no reconnect against a peer playing `script`.
fn subscribe_once(script: Script) -> (Output, Duration, ScriptedPeer) {
    let peer = ScriptedPeer::start(script);
    let (out, took) = run(&[
        "--reconnect-attempts",
        "0",
        "subscribe",
        &peer.url,
        "/queue/hostile",
        "--count",
        "1",
        "--timeout",
        "8s",
    ]);
    (out, took, peer)
}

/// The run failed with exit 1, quickly (not by the timeout), printed nothing on stdout, and
/// stderr is short, one `stompwire:` line each, one of them containing `naming`.
fn assert_reported(out: &Output, took: Duration, naming: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(took < Duration::from_secs(7), "took {took:?}: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(!lines.is_empty() && lines.len() <= 2, "{err}");
    assert!(lines.iter().all(|l| l.starts_with("stompwire: ")), "{err}");
    assert!(
        lines.iter().any(|l| l.contains(naming)),
        "no {naming:?} in: {err}"
    );
    // The run ends as soon as the connection is lost for good.
    assert!(
        lines.last().unwrap().ends_with(
            "received 0 of 1 messages: connection lost, gave up after 0 reconnect attempts"
        ),
        "{err}"
    );
}

#[test]
fn a_4_gb_content_length_is_named() {
    let frame = b"MESSAGE\ndestination:/queue/hostile\nmessage-id:1\nsubscription:0\ncontent-length:4294967296\n\n".to_vec();
    let (out, took, _) = subscribe_once(Script::Then(frame));
    assert_reported(&out, took, "max_body_size");
}

#[test]
fn an_endless_header_line_is_named() {
    let (out, took, _) = subscribe_once(Script::Endless {
        head: b"MESSAGE\nx-endless:".to_vec(),
        fill: b'a',
    });
    assert_reported(&out, took, "max_header_line");
}

#[test]
fn three_hundred_thousand_headers_are_named() {
    let mut frame = b"MESSAGE\n".to_vec();
    for _ in 0..300_000 {
        frame.extend_from_slice(b"h:v\n");
    }
    frame.extend_from_slice(b"\n\0");
    let (out, took, _) = subscribe_once(Script::Then(frame));
    assert_reported(&out, took, "max_headers");
}

#[test]
fn non_utf8_header_bytes_are_named() {
    let frame = b"MESSAGE\ndestination:/queue/hostile\nx-bytes:\xff\xfe\n\nbody\0".to_vec();
    let (out, took, _) = subscribe_once(Script::Then(frame));
    assert_reported(&out, took, "not valid UTF-8");
}

#[test]
fn an_undefined_escape_is_named() {
    let frame = b"MESSAGE\ndestination:/queue/hostile\nx-escape:a\\tb\n\nbody\0".to_vec();
    let (out, took, _) = subscribe_once(Script::Then(frame));
    assert_reported(&out, took, "undefined escape \\t");
}

#[test]
fn an_error_frame_is_printed_with_its_message() {
    let frame = b"ERROR\nmessage:boom from the peer\n\nthe queue melted\0".to_vec();
    let (out, took, _) = subscribe_once(Script::ThenClose(frame));
    assert_reported(
        &out,
        took,
        "ERROR frame from the broker: boom from the peer: the queue melted",
    );
}

#[test]
fn a_close_in_the_middle_of_a_frame_is_named() {
    let frame = b"MESSAGE\ndestination:/queue/hostile\nsubscription:0\n\npart of a bo".to_vec();
    let (out, took, _) = subscribe_once(Script::ThenClose(frame));
    assert_reported(&out, took, "closed in the middle of a frame");
}

#[test]
fn heart_beats_that_stop_are_named() {
    // The peer promises a heart-beat every 200 ms and sends none.
    let peer = ScriptedPeer::start(Script::Silent(
        b"CONNECTED\nversion:1.2\nheart-beat:200,0\n\n\0".to_vec(),
    ));
    let (out, took) = run(&[
        "--reconnect-attempts",
        "0",
        "--heartbeat",
        "0,200ms",
        "subscribe",
        &peer.url,
        "/queue/hostile",
        "--count",
        "1",
        "--timeout",
        "8s",
    ]);
    assert_reported(&out, took, "the broker's heart-beats stopped");
}

#[test]
fn with_reconnects_every_failure_is_still_reported_and_the_exit_is_non_zero() {
    // Endless retries 10 ms apart at first: the client goes on reconnecting; each connection
    // is broken the same way. The failure is printed once (repeats counted), the run fails at
    // its timeout, and the reconnects are paced: a connection that breaks at once is no
    // success, so the wait grows (10, 20, 40 ... 500 ms) instead of staying at 10 ms.
    let peer = ScriptedPeer::start(Script::ThenClose(b"MESSAGE\nx:\\q\n\n\0".to_vec()));
    let (out, took) = run(&[
        "subscribe",
        &forever(&peer),
        "/queue/hostile",
        "--count",
        "1",
        "--timeout",
        "3s",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(8),
        "{took:?}"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() <= 3, "{err}");
    assert!(lines[0].contains("undefined escape \\q"), "{err}");
    assert!(
        lines.last().unwrap().starts_with(
            "stompwire: received 0 of 1 messages within 3s (last failure: protocol violation"
        ),
        "{err}"
    );
    let connections = peer.connections();
    assert!(connections >= 2, "it did reconnect: {connections}");
    assert!(
        connections <= 20,
        "{connections} connections in 3 s: the wait did not grow"
    );
}

/// A failover URL to `peer` that retries for ever, 10 ms apart at first, doubling up to 500 ms.
fn forever(peer: &ScriptedPeer) -> String {
    format!(
        "failover:(tcp://127.0.0.1:{})?maxReconnectAttempts=-1&startupMaxReconnectAttempts=-1\
         &initialReconnectDelay=10&maxReconnectDelay=500",
        peer.port
    )
}

#[test]
fn a_broker_that_breaks_every_connection_is_given_up_on_after_the_policys_attempts() {
    // The default policy (stomp.py's: 3 attempts). Each connection gets CONNECTED and breaks
    // at once: the first CONNECTED restarts counting, the short-lived ones after it do not,
    // so the client gives up after three more.
    let peer = ScriptedPeer::start(Script::ThenClose(b"MESSAGE\nx:\\q\n\n\0".to_vec()));
    let (out, took) = run(&[
        "subscribe",
        &peer.url,
        "/queue/hostile",
        "--count",
        "1",
        "--timeout",
        "20s",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(10), "not the timeout: {took:?}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() <= 3, "{err}");
    assert!(lines[0].contains("undefined escape \\q"), "{err}");
    assert!(
        lines.last().unwrap().ends_with(
            "received 0 of 1 messages: connection lost, gave up after 3 reconnect attempts"
        ),
        "{err}"
    );
    assert_eq!(peer.connections(), 4);
}

#[test]
fn the_time_limit_holds_when_every_connection_breaks_at_once() {
    // CONNECTED and the violation in one segment: the session may close before anyone sees
    // it open. The run still ends at its --timeout, naming the failure.
    let peer = ScriptedPeer::start(Script::Burst(b"MESSAGE\nx:\\q\n\n\0".to_vec()));
    let (out, took) = run(&[
        "subscribe",
        &forever(&peer),
        "/queue/hostile",
        "--count",
        "1",
        "--timeout",
        "2s",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(4), "{took:?}: {err}");
    assert!(err.lines().count() <= 3, "{err}");
    assert!(err.contains("undefined escape \\q"), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("within 2s (last failure: protocol violation"),
        "{err}"
    );
}

#[test]
fn a_refusal_is_not_retried() {
    // The failover URI allows endless retries 1 ms apart; the refusal still ends the run
    // after one connection.
    let peer = ScriptedPeer::start(Script::Refuse(
        b"ERROR\nmessage:access refused for user 'guest'\n\nbad passcode\0".to_vec(),
    ));
    let url = format!(
        "failover:(tcp://127.0.0.1:{})?maxReconnectAttempts=-1&startupMaxReconnectAttempts=-1&initialReconnectDelay=1&maxReconnectDelay=1",
        peer.port
    );
    let (out, took) = run(&["--passcode", "sekrit", "send", &url, "/queue/x", "b"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(
            "server refused the connection: access refused for user 'guest': bad passcode"
        ),
        "{err}"
    );
    assert!(!err.contains("sekrit"), "{err}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(peer.connections(), 1);
}

#[test]
fn reconnect_attempts_0_makes_one_connection_and_n_makes_n_more() {
    for n in ["0", "2"] {
        // One connection (CONNECTED, then the peer closes); later ones are refused by the
        // kernel, so each retry fails.
        let peer = ScriptedPeer::start_limited(Script::ThenClose(Vec::new()), 1);
        let (out, _) = run(&[
            "--reconnect-attempts",
            n,
            "subscribe",
            &peer.url,
            "/queue/x",
            "--timeout",
            "20s",
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("the broker closed the connection"), "{err}");
        let last = err.lines().last().unwrap();
        assert!(
            last.contains(&format!("gave up after {n} reconnect attempts")),
            "{err}"
        );
        if n == "2" {
            assert!(
                last.contains("last: cannot connect to tcp://127.0.0.1:"),
                "{err}"
            );
        }
        assert_eq!(peer.connections(), 1, "--reconnect-attempts {n}: {err}");
    }
}

/// A local port nobody listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn a_refused_connection_on_a_closed_port_is_one_line_naming_it() {
    // Every attempt is refused by the kernel the same way: one line, not one per attempt.
    let port = closed_port();
    let url = format!("tcp://127.0.0.1:{port}");
    let (out, took) = run(&["send", &url, "/queue/x", "b"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("stompwire: cannot connect: gave up after 3 attempts; last: "),
        "{err}"
    );
    assert!(
        err.contains(&format!("cannot connect to 127.0.0.1:{port}")) && err.contains("refused"),
        "{err}"
    );
}

#[test]
fn a_failed_connect_before_a_working_endpoint_is_printed_once_connected() {
    // The first entry of the list is a closed port, the second a peer that connects and
    // then says nothing. The refusal is printed when the client connects elsewhere (not at
    // the end only), once.
    let port = closed_port();
    let peer = ScriptedPeer::start(Script::Then(Vec::new()));
    let url = format!(
        "failover:(tcp://127.0.0.1:{port},{})?randomize=false&initialReconnectDelay=10\
         &startupMaxReconnectAttempts=3",
        peer.url
    );
    let (out, _) = run(&[
        "subscribe",
        &url,
        "/queue/x",
        "--count",
        "1",
        "--timeout",
        "2s",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "stompwire: cannot connect to tcp://127.0.0.1:{port}"
        )),
        "{err}"
    );
    assert!(lines[0].contains("refused"), "{err}");
    assert!(
        lines[1].starts_with("stompwire: received 0 of 1 messages within 2s"),
        "{err}"
    );
    assert_eq!(peer.connections(), 1);
}

#[test]
fn a_disconnect_the_broker_never_confirms_fails_a_send_without_receipts() {
    // The peer connects and then says nothing: no RECEIPT for the DISCONNECT, the only word
    // that the frames sent without --receipt arrived. The session gives up on it after its
    // disconnect timeout (10 s).
    let peer = ScriptedPeer::start(Script::Then(Vec::new()));
    let (out, took) = run(&[
        "--reconnect-attempts",
        "0",
        "send",
        &peer.url,
        "/queue/x",
        "unconfirmed",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("did not confirm the DISCONNECT"),
        "{err} (after {took:?})"
    );
}
