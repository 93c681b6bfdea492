//! Rules of the broker URL model (`reconnect::Endpoint`).

use stompwire::reconnect::{Endpoint, EndpointError, Scheme};

fn ok(url: &str) -> Endpoint {
    Endpoint::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn err(url: &str) -> EndpointError {
    match Endpoint::parse(url) {
        Ok(e) => panic!("{url} parsed as {e:?}"),
        Err(e) => e,
    }
}

#[test]
fn each_scheme_has_its_default_port_and_path() {
    let table = [
        ("tcp://h", Scheme::Tcp, 61613, ""),
        ("stomp://h", Scheme::Stomp, 61613, ""),
        ("ssl://h", Scheme::Ssl, 61614, ""),
        ("stomp+ssl://h", Scheme::StompSsl, 61614, ""),
        ("ws://h", Scheme::Ws, 80, "/"),
        ("wss://h", Scheme::Wss, 443, "/"),
        ("multicast://239.0.0.1", Scheme::Multicast, 61616, ""),
    ];
    for (url, scheme, port, path) in table {
        let e = ok(url);
        assert_eq!(e.scheme, scheme, "{url}");
        assert_eq!(e.port, port, "{url}");
        assert_eq!(e.path, path, "{url}");
        assert_eq!(scheme.default_port(), port);
    }
}

#[test]
fn explicit_port_and_path_are_kept() {
    let table = [
        ("tcp://broker:1234", Scheme::Tcp, "broker", 1234, ""),
        ("ws://rabbit:15674/ws", Scheme::Ws, "rabbit", 15674, "/ws"),
        (
            "wss://b.example/stomp/v1",
            Scheme::Wss,
            "b.example",
            443,
            "/stomp/v1",
        ),
        ("ws://b:1/ws?token=x", Scheme::Ws, "b", 1, "/ws?token=x"),
        ("ws://b:1?x=1", Scheme::Ws, "b", 1, "/?x=1"),
        (
            "multicast://239.1.1.1:5000",
            Scheme::Multicast,
            "239.1.1.1",
            5000,
            "",
        ),
    ];
    for (url, scheme, host, port, path) in table {
        let e = ok(url);
        assert_eq!(e.scheme, scheme, "{url}");
        assert_eq!(e.host, host, "{url}");
        assert_eq!(e.port, port, "{url}");
        assert_eq!(e.path, path, "{url}");
    }
}

#[test]
fn bare_host_and_port_means_tcp() {
    for (url, host, port) in [
        ("localhost:61613", "localhost", 61613),
        ("broker", "broker", 61613),
        ("10.0.0.1:7000", "10.0.0.1", 7000),
        ("[::1]:61613", "::1", 61613),
        ("[fe80::1]", "fe80::1", 61613),
    ] {
        let e = ok(url);
        assert_eq!(
            (e.scheme, e.host.as_str(), e.port),
            (Scheme::Tcp, host, port),
            "{url}"
        );
    }
}

#[test]
fn ipv6_goes_in_brackets_and_is_stored_without() {
    let e = ok("wss://[2001:db8::7]:8443/ws");
    assert_eq!(e.host, "2001:db8::7");
    assert_eq!(e.authority(), "[2001:db8::7]:8443");
    assert_eq!(e.to_string(), "wss://[2001:db8::7]:8443/ws");
}

#[test]
fn multicast_without_group_joins_the_default_group() {
    let e = ok("multicast://");
    assert_eq!((e.host.as_str(), e.port), ("224.1.2.3", 61616));
    let e = ok("multicast://:7000");
    assert_eq!((e.host.as_str(), e.port), ("224.1.2.3", 7000));
}

#[test]
fn scheme_is_case_insensitive_and_written_in_lower_case() {
    assert_eq!(ok("TCP://h:1").to_string(), "tcp://h:1");
    assert_eq!(ok("Stomp+SSL://h").to_string(), "stomp+ssl://h:61614");
}

#[test]
fn display_makes_defaults_explicit() {
    let table = [
        ("tcp://h", "tcp://h:61613"),
        ("h:5", "tcp://h:5"),
        ("ws://h", "ws://h:80/"),
        ("wss://h/ws", "wss://h:443/ws"),
        ("tcp://h/", "tcp://h:61613"),
        ("multicast://", "multicast://224.1.2.3:61616"),
        ("[::1]", "tcp://[::1]:61613"),
    ];
    for (url, shown) in table {
        assert_eq!(ok(url).to_string(), shown, "{url}");
        assert_eq!(ok(shown), ok(url), "{shown} parses back");
    }
}

#[test]
fn tls_and_websocket_are_properties_of_the_scheme() {
    let table = [
        (Scheme::Tcp, false, false),
        (Scheme::Stomp, false, false),
        (Scheme::Ssl, true, false),
        (Scheme::StompSsl, true, false),
        (Scheme::Ws, false, true),
        (Scheme::Wss, true, true),
        (Scheme::Multicast, false, false),
    ];
    for (scheme, tls, ws) in table {
        assert_eq!(scheme.is_tls(), tls, "{scheme}");
        assert_eq!(scheme.is_websocket(), ws, "{scheme}");
        assert_eq!(Scheme::from_name(scheme.as_str()), Some(scheme));
    }
}

#[test]
fn malformed_urls_are_named_by_their_fault() {
    use EndpointError as E;
    let table: Vec<(&str, EndpointError)> = vec![
        ("", E::Empty),
        (
            "http://h",
            E::UnknownScheme {
                scheme: "http".into(),
            },
        ),
        (
            "failover:(tcp://a)",
            E::UnknownScheme {
                scheme: "failover:(tcp".into(),
            },
        ),
        (
            "tcp://",
            E::MissingHost {
                scheme: Scheme::Tcp,
            },
        ),
        ("ws://:80/ws", E::MissingHost { scheme: Scheme::Ws }),
        (
            "tcp://bad!host",
            E::InvalidHost {
                host: "bad!host".into(),
            },
        ),
        (
            "tcp://::1",
            E::Ipv6WithoutBrackets {
                authority: "::1".into(),
            },
        ),
        (
            "tcp://[::1",
            E::InvalidIpv6 {
                address: "::1".into(),
            },
        ),
        (
            "tcp://[nope]:1",
            E::InvalidIpv6 {
                address: "nope".into(),
            },
        ),
        (
            "tcp://[::1]x",
            E::InvalidHost {
                host: "[::1]x".into(),
            },
        ),
        ("tcp://h:", E::InvalidPort { port: "".into() }),
        ("tcp://h:0", E::InvalidPort { port: "0".into() }),
        (
            "tcp://h:65536",
            E::InvalidPort {
                port: "65536".into(),
            },
        ),
        ("tcp://h:+1", E::InvalidPort { port: "+1".into() }),
        ("tcp://h:x", E::InvalidPort { port: "x".into() }),
        (
            "tcp://user:secret@h",
            E::UserInfo {
                scheme: Scheme::Tcp,
            },
        ),
        (
            "tcp://h/queue",
            E::PathNotAllowed {
                scheme: Scheme::Tcp,
                path: "/queue".into(),
            },
        ),
        (
            "ssl://h?x=1",
            E::PathNotAllowed {
                scheme: Scheme::Ssl,
                path: "?x=1".into(),
            },
        ),
        (
            "tcp://h 1",
            E::UnexpectedCharacter {
                character: ' ',
                offset: 7,
            },
        ),
        (
            "ws://h/ws#top",
            E::UnexpectedCharacter {
                character: '#',
                offset: 9,
            },
        ),
        (
            "multicast://10.0.0.1",
            E::NotMulticast {
                group: "10.0.0.1".into(),
            },
        ),
        (
            "multicast://[::1]",
            E::NotMulticast {
                group: "::1".into(),
            },
        ),
    ];
    for (url, expected) in table {
        assert_eq!(err(url), expected, "{url}");
    }
}

#[test]
fn credentials_never_reach_the_error_text() {
    let e = err("ws://alice:s3cret@h/ws");
    assert!(!e.to_string().contains("s3cret"), "{e}");
    assert!(!format!("{e:?}").contains("s3cret"));
}

#[test]
fn debug_output_leaves_out_a_websocket_query() {
    let e = ok("wss://h/ws?access_token=s3cret");
    let debug = format!("{e:?}");
    assert!(!debug.contains("s3cret"), "{debug}");
    assert!(debug.contains("/ws?…"), "{debug}");
    assert!(
        e.to_string().contains("s3cret"),
        "Display is the URL to connect to"
    );
}

#[test]
fn errors_read_as_sentences() {
    let table = [
        ("http://h", "unknown scheme \"http\""),
        ("tcp://h:0", "invalid port \"0\" (expected 1 to 65535)"),
        ("tcp://::1", "IPv6 address must be in brackets"),
        ("tcp://h/x", "tcp:// URL cannot have a path"),
    ];
    for (url, start) in table {
        let text = err(url).to_string();
        assert!(text.starts_with(start), "{url}: {text}");
    }
}

#[test]
fn endpoint_new_uses_the_scheme_default_path() {
    assert_eq!(Endpoint::new(Scheme::Ws, "h", 80), ok("ws://h"));
    assert_eq!(Endpoint::new(Scheme::Tcp, "h", 61613), ok("h"));
}
