//! Rules of host ordering (`reconnect::HostOrder`): stomp.py's `prefer_localhost` and
//! `try_loopback_connect`, stompest's `randomize`.

use stompwire::reconnect::{Endpoint, HostOrder};

fn endpoints(urls: &[&str]) -> Vec<Endpoint> {
    urls.iter().map(|u| u.parse().unwrap()).collect()
}

fn order(order: &HostOrder, urls: &[&str], mut random: impl FnMut() -> u32) -> Vec<String> {
    order
        .order(&endpoints(urls), &mut random)
        .iter()
        .map(|e| e.to_string())
        .collect()
}

fn with(prefer_localhost: bool, try_loopback: bool, local: &[&str]) -> HostOrder {
    HostOrder::as_given()
        .with_prefer_localhost(prefer_localhost)
        .with_try_loopback(try_loopback)
        .with_local_names(local.iter().map(|s| s.to_string()).collect())
}

#[test]
fn as_given_keeps_the_configured_order() {
    let urls = ["tcp://b:1", "tcp://localhost:2", "tcp://a:3"];
    assert_eq!(
        order(&HostOrder::as_given(), &urls, || 0),
        ["tcp://b:1", "tcp://localhost:2", "tcp://a:3"]
    );
}

#[test]
fn prefer_localhost_moves_local_hosts_first_keeping_their_order() {
    let table: [(&[&str], &[&str]); 3] = [
        (
            &[
                "tcp://b:1",
                "tcp://localhost:2",
                "tcp://a:3",
                "tcp://127.0.0.1:4",
            ],
            &[
                "tcp://localhost:2",
                "tcp://127.0.0.1:4",
                "tcp://b:1",
                "tcp://a:3",
            ],
        ),
        (&["tcp://a:1", "tcp://b:2"], &["tcp://a:1", "tcp://b:2"]),
        (
            &["tcp://LOCALHOST:1", "tcp://a:2"],
            &["tcp://LOCALHOST:1", "tcp://a:2"],
        ),
    ];
    for (urls, expected) in table {
        assert_eq!(
            order(&with(true, false, &[]), urls, || 0),
            expected,
            "{urls:?}"
        );
    }
}

#[test]
fn local_names_count_as_local() {
    let o = with(true, false, &["myhost", "myhost.example.org", "10.1.2.3"]);
    for host in [
        "localhost",
        "127.0.0.1",
        "MyHost",
        "myhost.example.org",
        "10.1.2.3",
    ] {
        assert!(o.is_local(host), "{host}");
    }
    for host in ["::1", "remote", "10.1.2.4", ""] {
        assert!(!o.is_local(host), "{host}");
    }
    assert_eq!(
        order(&o, &["tcp://remote:1", "tcp://myhost:1"], || 0),
        ["tcp://myhost:1", "tcp://remote:1"]
    );
}

#[test]
fn loopback_is_tried_first_for_a_local_host_named_otherwise() {
    let o = with(true, true, &["myhost"]);
    assert_eq!(
        order(&o, &["tcp://remote:61613", "tcp://myhost:61613"], || 0),
        [
            "tcp://127.0.0.1:61613",
            "tcp://myhost:61613",
            "tcp://remote:61613"
        ]
    );
}

#[test]
fn loopback_is_not_added_where_localhost_or_127_0_0_1_is_listed_for_that_port() {
    let o = with(true, true, &["myhost"]);
    let table: [&[&str]; 4] = [
        &["tcp://localhost:61613"],
        &["tcp://127.0.0.1:61613"],
        &["tcp://myhost:61613", "tcp://localhost:61613"],
        &["tcp://myhost:61613", "tcp://127.0.0.1:61613"],
    ];
    for urls in table {
        let pass = order(&o, urls, || 0);
        assert_eq!(pass.len(), urls.len(), "{urls:?}: {pass:?}");
    }
}

#[test]
fn loopback_is_added_once_per_port_and_scheme() {
    let o = with(false, true, &["myhost", "myhost.example.org"]);
    assert_eq!(
        order(
            &o,
            &[
                "tcp://myhost:1",
                "tcp://myhost.example.org:1",
                "tcp://myhost:2",
                "ws://myhost:1"
            ],
            || 0
        ),
        [
            "tcp://127.0.0.1:1",
            "tcp://127.0.0.1:2",
            "ws://127.0.0.1:1/",
            "tcp://myhost:1",
            "tcp://myhost.example.org:1",
            "tcp://myhost:2",
            "ws://myhost:1/",
        ]
    );
}

#[test]
fn loopback_keeps_scheme_and_path() {
    let o = with(false, true, &["me"]);
    assert_eq!(
        order(&o, &["wss://me:8443/stomp"], || 0),
        ["wss://127.0.0.1:8443/stomp", "wss://me:8443/stomp"]
    );
}

#[test]
fn loopback_without_prefer_localhost_leaves_the_rest_in_place() {
    let o = with(false, true, &["me"]);
    assert_eq!(
        order(&o, &["tcp://a:1", "tcp://me:2"], || 0),
        ["tcp://127.0.0.1:2", "tcp://a:1", "tcp://me:2"]
    );
}

#[test]
fn randomize_shuffles_with_the_injected_source() {
    let o = HostOrder::as_given().with_randomize(true);
    let urls = ["tcp://a:1", "tcp://b:1", "tcp://c:1", "tcp://d:1"];
    // Fisher–Yates from the back; a draw of 0 always picks the first remaining slot.
    assert_eq!(
        order(&o, &urls, || 0),
        ["tcp://b:1", "tcp://c:1", "tcp://d:1", "tcp://a:1"]
    );
    // A draw at the top of the range always picks the slot itself: no change.
    assert_eq!(order(&o, &urls, || u32::MAX), urls);
}

#[test]
fn randomize_then_prefer_localhost_puts_local_first_after_shuffling() {
    let o = HostOrder::as_given()
        .with_randomize(true)
        .with_prefer_localhost(true);
    let pass = order(&o, &["tcp://a:1", "tcp://b:1", "tcp://localhost:1"], || 0);
    assert_eq!(pass[0], "tcp://localhost:1");
}

#[test]
fn randomize_draws_once_per_entry_but_one() {
    let o = HostOrder::as_given().with_randomize(true);
    let mut draws = 0;
    let _ = o.order(
        &endpoints(&["a:1", "b:1", "c:1", "d:1", "e:1"]),
        &mut || {
            draws += 1;
            0
        },
    );
    assert_eq!(draws, 4);
}

#[test]
fn same_source_gives_same_order() {
    let o = HostOrder::as_given().with_randomize(true);
    let urls = ["a:1", "b:1", "c:1", "d:1", "e:1", "f:1"];
    let lcg = || {
        let mut s = 12345u32;
        move || {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            s
        }
    };
    assert_eq!(order(&o, &urls, lcg()), order(&o, &urls, lcg()));
}
