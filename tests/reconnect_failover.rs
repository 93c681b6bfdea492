//! Rules of failover URIs (`reconnect::FailoverUri`), as ActiveMQ and stompest write them,
//! and of the `Schedule` that walks them.

use stompwire::reconnect::{
    EndpointError, FailoverError, FailoverOption, FailoverOptions, FailoverUri, Jitter,
    MaxAttempts, Pacing, Phase, Schedule, Scheme,
};

fn ok(uri: &str) -> FailoverUri {
    FailoverUri::parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
}

fn err(uri: &str) -> FailoverError {
    match FailoverUri::parse(uri) {
        Ok(f) => panic!("{uri} parsed as {f:?}"),
        Err(e) => e,
    }
}

fn hosts(uri: &FailoverUri) -> Vec<String> {
    uri.endpoints.iter().map(|e| e.to_string()).collect()
}

#[test]
fn broker_list_forms() {
    let table: [(&str, &[&str]); 6] = [
        (
            "failover:(tcp://a:61613,ws://b:15674/ws)",
            &["tcp://a:61613", "ws://b:15674/ws"],
        ),
        ("failover:tcp://a:1,tcp://b:2", &["tcp://a:1", "tcp://b:2"]),
        ("failover:(tcp://a:1)", &["tcp://a:1"]),
        ("FAILOVER:(a:1,b)", &["tcp://a:1", "tcp://b:61613"]),
        ("tcp://a:1,ssl://b", &["tcp://a:1", "ssl://b:61614"]),
        ("wss://h/ws", &["wss://h:443/ws"]),
    ];
    for (uri, expected) in table {
        assert_eq!(hosts(&ok(uri)), expected, "{uri}");
    }
}

#[test]
fn options_follow_the_list_with_or_without_parentheses() {
    for uri in [
        "failover:(tcp://a:1,tcp://b:2)?maxReconnectAttempts=4",
        "failover:tcp://a:1,tcp://b:2?maxReconnectAttempts=4",
    ] {
        let f = ok(uri);
        assert_eq!(f.endpoints.len(), 2, "{uri}");
        assert_eq!(f.options.max_reconnect_attempts, Some(4), "{uri}");
    }
}

#[test]
fn parentheses_allow_a_query_in_a_websocket_entry() {
    let f = ok("failover:(ws://a/ws?x=1,ws://b/ws)?randomize=false");
    assert_eq!(f.endpoints[0].path, "/ws?x=1");
    assert!(!f.options.randomize);
}

#[test]
fn defaults_are_stompests() {
    let o = FailoverOptions::default();
    assert_eq!(o.initial_reconnect_delay_ms, 10);
    assert_eq!(o.max_reconnect_delay_ms, 30_000);
    assert!(o.use_exponential_back_off);
    assert_eq!(o.back_off_multiplier, 2.0);
    assert_eq!(o.max_reconnect_attempts, None);
    assert_eq!(o.startup_max_reconnect_attempts, Some(0));
    assert_eq!(o.reconnect_delay_jitter_ms, 0);
    assert!(o.randomize);
    assert!(!o.priority_backup);
    assert_eq!(ok("failover:(a)").options, o);
}

#[test]
fn every_option_is_read() {
    let f = ok("failover:(a)?initialReconnectDelay=7&maxReconnectDelay=8\
        &useExponentialBackOff=false&backOffMultiplier=1.5&maxReconnectAttempts=0\
        &startupMaxReconnectAttempts=-1&reconnectDelayJitter=3&randomize=FALSE\
        &priorityBackup=True");
    assert_eq!(
        f.options,
        FailoverOptions::default()
            .with_initial_reconnect_delay_ms(7)
            .with_max_reconnect_delay_ms(8)
            .with_use_exponential_back_off(false)
            .with_back_off_multiplier(1.5)
            .with_max_reconnect_attempts(Some(0))
            .with_startup_max_reconnect_attempts(None)
            .with_reconnect_delay_jitter_ms(3)
            .with_randomize(false)
            .with_priority_backup(true)
    );
}

#[test]
fn stompest_comma_separated_options_are_read() {
    let f = ok(
        "failover:(tcp://remote1:61615,tcp://localhost:61616)?randomize=false,\
        startupMaxReconnectAttempts=3,initialReconnectDelay=7,maxReconnectDelay=8,\
        maxReconnectAttempts=0",
    );
    assert!(!f.options.randomize);
    assert_eq!(f.options.startup_max_reconnect_attempts, Some(3));
    assert_eq!(f.options.max_reconnect_attempts, Some(0));
}

#[test]
fn empty_query_means_defaults() {
    assert_eq!(ok("failover:(a)?").options, FailoverOptions::default());
}

#[test]
fn malformed_uris_are_named_by_their_fault() {
    use FailoverError as F;
    let table: Vec<(&str, FailoverError)> = vec![
        ("failover:", F::EmptyList),
        ("failover:()", F::EmptyList),
        ("failover:()?randomize=false", F::EmptyList),
        ("failover:?randomize=false", F::EmptyList),
        ("failover:(a,,b)", F::EmptyEntry { index: 1 }),
        ("failover:(a,)", F::EmptyEntry { index: 1 }),
        ("failover:(a", F::UnclosedParenthesis),
        ("failover:(a)b", F::TrailingText { text: "b".into() }),
        (
            "failover:(tcp://a,http://b)",
            F::Endpoint {
                index: 1,
                error: EndpointError::UnknownScheme {
                    scheme: "http".into(),
                },
            },
        ),
        (
            "failover:(tcp://a:99999)",
            F::Endpoint {
                index: 0,
                error: EndpointError::InvalidPort {
                    port: "99999".into(),
                },
            },
        ),
        (
            "failover:(a)?timeout=5",
            F::UnknownOption {
                name: "timeout".into(),
            },
        ),
        (
            "failover:(a)?initialreconnectdelay=5",
            F::UnknownOption {
                name: "initialreconnectdelay".into(),
            },
        ),
        (
            "failover:(a)?randomize",
            F::MissingValue {
                option: FailoverOption::Randomize,
            },
        ),
        (
            "failover:(a)?randomize=yes",
            F::InvalidValue {
                option: FailoverOption::Randomize,
                value: "yes".into(),
            },
        ),
        (
            "failover:(a)?initialReconnectDelay=-5",
            F::InvalidValue {
                option: FailoverOption::InitialReconnectDelay,
                value: "-5".into(),
            },
        ),
        (
            "failover:(a)?maxReconnectDelay=1.5",
            F::InvalidValue {
                option: FailoverOption::MaxReconnectDelay,
                value: "1.5".into(),
            },
        ),
        (
            "failover:(a)?backOffMultiplier=0.5",
            F::InvalidValue {
                option: FailoverOption::BackOffMultiplier,
                value: "0.5".into(),
            },
        ),
        (
            "failover:(a)?backOffMultiplier=inf",
            F::InvalidValue {
                option: FailoverOption::BackOffMultiplier,
                value: "inf".into(),
            },
        ),
        (
            "failover:(a)?maxReconnectAttempts=-2",
            F::InvalidValue {
                option: FailoverOption::MaxReconnectAttempts,
                value: "-2".into(),
            },
        ),
        (
            "failover:(a)?startupMaxReconnectAttempts=",
            F::InvalidValue {
                option: FailoverOption::StartupMaxReconnectAttempts,
                value: "".into(),
            },
        ),
        (
            "failover:(a)?randomize=true&randomize=false",
            F::DuplicateOption {
                option: FailoverOption::Randomize,
            },
        ),
        (
            "failover:(a)?randomize=true&&priorityBackup=true",
            F::EmptyOption { index: 1 },
        ),
        ("failover:(a)?randomize=true&", F::EmptyOption { index: 1 }),
    ];
    for (uri, expected) in table {
        assert_eq!(err(uri), expected, "{uri}");
    }
}

#[test]
fn errors_read_as_sentences() {
    let table = [
        ("failover:()", "failover URI lists no broker"),
        (
            "failover:(a,tcp://b:0)",
            "failover broker #1 is not a valid broker URL",
        ),
        (
            "failover:(a)?randomize=maybe",
            "failover option randomize=\"maybe\" is invalid: expected true or false",
        ),
        ("failover:(a)?foo=1", "unknown failover option \"foo\""),
    ];
    for (uri, text) in table {
        assert_eq!(err(uri).to_string(), text, "{uri}");
    }
}

#[test]
fn endpoint_error_is_the_source_of_a_broker_error_and_not_repeated() {
    use core::error::Error;
    let e = err("failover:(tcp://a:0)");
    let source = e.source().expect("endpoint error as source");
    assert_eq!(
        source.to_string(),
        "invalid port \"0\" (expected 1 to 65535)"
    );
    assert!(!e.to_string().contains(&source.to_string()), "{e}");
    assert!(source.source().is_none());
    // Errors that wrap nothing have no source.
    assert!(err("failover:()").source().is_none());
}

#[test]
fn every_option_is_known_by_its_name_and_says_what_it_takes() {
    let names: Vec<&str> = FailoverOption::ALL.iter().map(|o| o.as_str()).collect();
    assert_eq!(
        names,
        [
            "initialReconnectDelay",
            "maxReconnectDelay",
            "useExponentialBackOff",
            "backOffMultiplier",
            "maxReconnectAttempts",
            "startupMaxReconnectAttempts",
            "reconnectDelayJitter",
            "randomize",
            "priorityBackup",
        ]
    );
    for option in FailoverOption::ALL {
        assert_eq!(FailoverOption::from_name(option.as_str()), Some(option));
        assert_eq!(
            FailoverOption::from_name(&option.as_str().to_uppercase()),
            None
        );
        // A value no option takes is refused naming the option and what it takes.
        let uri = format!("failover:(a)?{option}=x");
        assert_eq!(
            err(&uri),
            FailoverError::InvalidValue {
                option,
                value: "x".into()
            },
            "{uri}"
        );
        assert_eq!(
            err(&uri).to_string(),
            format!(
                "failover option {option}=\"x\" is invalid: expected {}",
                option.expected()
            )
        );
    }
}

#[test]
fn display_writes_the_full_form_and_only_non_default_options() {
    let table = [
        (
            "failover:tcp://a:1,tcp://b:2",
            "failover:(tcp://a:1,tcp://b:2)",
        ),
        ("a", "failover:(tcp://a:61613)"),
        (
            "failover:(a)?priorityBackup=true,initialReconnectDelay=5,randomize=true",
            "failover:(tcp://a:61613)?initialReconnectDelay=5&priorityBackup=true",
        ),
        (
            "failover:(a)?maxReconnectAttempts=-1&startupMaxReconnectAttempts=-1",
            "failover:(tcp://a:61613)?startupMaxReconnectAttempts=-1",
        ),
        (
            "failover:(a)?backOffMultiplier=1.5",
            "failover:(tcp://a:61613)?backOffMultiplier=1.5",
        ),
    ];
    for (uri, shown) in table {
        let f = ok(uri);
        assert_eq!(f.to_string(), shown, "{uri}");
        assert_eq!(ok(shown), f, "{shown} parses back");
    }
}

#[test]
fn options_become_a_stompest_policy() {
    let f = ok(
        "failover:(a,b)?initialReconnectDelay=100&maxReconnectDelay=1000\
        &backOffMultiplier=3&maxReconnectAttempts=2&startupMaxReconnectAttempts=5\
        &reconnectDelayJitter=50&randomize=false&priorityBackup=true",
    );
    let p = f.policy();
    assert_eq!(p.pacing, Pacing::PerAttempt);
    assert_eq!(p.backoff.initial_ms, 100);
    assert_eq!(p.backoff.multiplier, 3.0);
    assert_eq!(p.backoff.max_ms, 1_000);
    assert_eq!(p.backoff.jitter, Jitter::Millis(50));
    assert_eq!(p.max_attempts, MaxAttempts::Total(3));
    assert_eq!(p.startup_max_attempts, Some(MaxAttempts::Total(6)));
    assert!(!p.wait_before_first_reconnect);
    assert!(!p.hosts.randomize && p.hosts.prefer_localhost && !p.hosts.try_loopback);
}

#[test]
fn linear_backoff_when_exponential_is_off() {
    let p = ok("failover:(a)?useExponentialBackOff=false&initialReconnectDelay=70").policy();
    let waits: Vec<u64> = (1..5)
        .map(|n| {
            p.attempt(n, 1, Phase::Reconnect, &mut || 0)
                .unwrap()
                .delay_ms
        })
        .collect();
    assert_eq!(waits, [70, 70, 70, 70]);
}

#[test]
fn zero_jitter_means_no_jitter() {
    assert_eq!(ok("failover:(a)").policy().backoff.jitter, Jitter::None);
}

#[test]
fn stompest_doc_example_walks_the_same_brokers_and_delays() {
    // stompest's StompFailoverTransport docstring: startup gives
    // remote1 0 ms, localhost 7 ms, remote1 8 ms, localhost 8 ms, then a timeout;
    // once connected, with maxReconnectAttempts=0, remote1 0 ms and a timeout.
    let f = ok(
        "failover:(tcp://remote1:61615,tcp://localhost:61616)?randomize=false,\
        startupMaxReconnectAttempts=3,initialReconnectDelay=7,maxReconnectDelay=8,\
        maxReconnectAttempts=0",
    );
    let mut schedule = Schedule::new(f.policy(), f.endpoints.clone());
    let mut random = || 0;
    let mut walk = |schedule: &mut Schedule| {
        let mut seen = Vec::new();
        while let Some(next) = schedule.next_attempt(&mut random) {
            seen.push((next.endpoint.host.clone(), next.attempt.delay_ms));
        }
        seen
    };
    let startup = walk(&mut schedule);
    assert_eq!(
        startup,
        [
            ("remote1".to_string(), 0),
            ("localhost".to_string(), 7),
            ("remote1".to_string(), 8),
            ("localhost".to_string(), 8),
        ]
    );
    schedule.connected();
    assert_eq!(walk(&mut schedule), [("remote1".to_string(), 0)]);
}

#[test]
fn schedule_reshuffles_at_the_start_of_every_pass() {
    let f = ok("failover:(a:1,b:1,c:1)?startupMaxReconnectAttempts=-1");
    let mut schedule = Schedule::new(f.policy(), f.endpoints.clone());
    // Draws: 2 for the shuffle at the start of each pass, 0 for the delays (no jitter).
    let mut script = [0u32, 0, u32::MAX, u32::MAX].into_iter().cycle();
    let mut random = move || script.next().unwrap();
    let mut pass = |schedule: &mut Schedule| -> Vec<String> {
        (0..3)
            .map(|_| {
                schedule
                    .next_attempt(&mut random)
                    .unwrap()
                    .endpoint
                    .host
                    .clone()
            })
            .collect()
    };
    assert_eq!(pass(&mut schedule), ["b", "c", "a"]);
    assert_eq!(pass(&mut schedule), ["a", "b", "c"]);
}

#[test]
fn schedule_counts_and_resets() {
    let f = ok("failover:(a)?startupMaxReconnectAttempts=1&maxReconnectAttempts=0");
    let mut schedule = Schedule::new(f.policy(), f.endpoints.clone());
    assert_eq!(schedule.phase(), Phase::Startup);
    assert!(schedule.next_attempt(&mut || 0).is_some());
    assert!(schedule.next_attempt(&mut || 0).is_some());
    assert!(schedule.next_attempt(&mut || 0).is_none());
    assert_eq!(schedule.attempts_made(), 2);
    schedule.connected();
    assert_eq!(
        (schedule.phase(), schedule.attempts_made()),
        (Phase::Reconnect, 0)
    );
    assert!(schedule.next_attempt(&mut || 0).is_some());
    assert!(schedule.next_attempt(&mut || 0).is_none());
    schedule.reset();
    assert_eq!(
        (schedule.phase(), schedule.attempts_made()),
        (Phase::Startup, 0)
    );
    assert_eq!(schedule.endpoints()[0].scheme, Scheme::Tcp);
}

#[test]
fn schedule_with_no_endpoints_gives_up_at_once() {
    let mut schedule = Schedule::new(Default::default(), Vec::new());
    assert!(schedule.next_attempt(&mut || 0).is_none());
}

#[test]
fn schedule_includes_loopback_entries_in_its_passes() {
    let mut policy = stompwire::reconnect::Policy::default();
    policy.hosts.local_names.push("myhost".into());
    let endpoints = vec!["tcp://myhost:61613".parse().unwrap()];
    let mut schedule = Schedule::new(policy, endpoints);
    let mut random = || 0;
    let tried: Vec<(String, u64)> = std::iter::from_fn(|| {
        schedule
            .next_attempt(&mut random)
            .map(|n| (n.endpoint.host.clone(), n.attempt.delay_ms))
    })
    .collect();
    // stomp.py: 3 attempts max, passes of 2 (loopback + host) → two passes, 100 ms between.
    assert_eq!(
        tried,
        [
            ("127.0.0.1".to_string(), 0),
            ("myhost".to_string(), 0),
            ("127.0.0.1".to_string(), 100),
            ("myhost".to_string(), 0),
        ]
    );
}

/// `base.$with(value)` is `base` with `$field` set to `value`, and nothing else changed.
macro_rules! sets_only {
    ($base:expr, $($with:ident => $field:ident = $value:expr),* $(,)?) => {$(
        let mut expected = $base;
        expected.$field = $value;
        assert_ne!(expected, $base, "{} must differ from the base", stringify!($value));
        assert_eq!($base.$with($value), expected, stringify!($with));
    )*};
}

#[test]
fn each_option_setter_sets_its_own_option() {
    sets_only!(
        FailoverOptions::default(),
        with_initial_reconnect_delay_ms => initial_reconnect_delay_ms = 1,
        with_max_reconnect_delay_ms => max_reconnect_delay_ms = 2,
        with_use_exponential_back_off => use_exponential_back_off = false,
        with_back_off_multiplier => back_off_multiplier = 3.0,
        with_max_reconnect_attempts => max_reconnect_attempts = Some(4),
        with_startup_max_reconnect_attempts => startup_max_reconnect_attempts = None,
        with_reconnect_delay_jitter_ms => reconnect_delay_jitter_ms = 5,
        with_randomize => randomize = false,
        with_priority_backup => priority_backup = true,
    );
}
