//! Properties of the reconnect layer that hold for every input: bounds on delays and attempts,
//! determinism, and text round trips.

use std::net::Ipv6Addr;

use proptest::prelude::*;
use stompwire::reconnect::{
    Backoff, Endpoint, FailoverOptions, FailoverUri, HostOrder, Jitter, MaxAttempts, Pacing, Phase,
    Policy, Schedule, Scheme,
};

fn multiplier() -> impl Strategy<Value = f64> {
    prop_oneof![Just(1.0), Just(1.5), Just(2.0), 1.0f64..4.0]
}

/// Multipliers as written in URIs: a few decimals (a URI carries up to 15 digits).
fn uri_multiplier() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(1.0),
        Just(1.5),
        (1_000u32..100_000).prop_map(|n| f64::from(n) / 1_000.0)
    ]
}

fn jitter() -> impl Strategy<Value = Jitter> {
    prop_oneof![
        Just(Jitter::None),
        (0.0f64..1.0).prop_map(Jitter::Fraction),
        (0u64..1_000_000).prop_map(Jitter::Millis),
    ]
}

fn backoff() -> impl Strategy<Value = Backoff> {
    (0u64..10_000_000, multiplier(), 0u64..100_000_000, jitter()).prop_map(
        |(initial_ms, multiplier, max_ms, jitter)| {
            Backoff::default()
                .with_initial_ms(initial_ms)
                .with_multiplier(multiplier)
                .with_max_ms(max_ms)
                .with_jitter(jitter)
        },
    )
}

fn max_attempts() -> impl Strategy<Value = MaxAttempts> {
    prop_oneof![
        Just(MaxAttempts::Forever),
        (0u32..20).prop_map(MaxAttempts::Total)
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        backoff(),
        prop_oneof![Just(Pacing::PerPass), Just(Pacing::PerAttempt)],
        max_attempts(),
        proptest::option::of(max_attempts()),
        any::<bool>(),
    )
        .prop_map(
            |(backoff, pacing, max_attempts, startup_max_attempts, wait)| {
                Policy::default()
                    .with_backoff(backoff)
                    .with_pacing(pacing)
                    .with_max_attempts(max_attempts)
                    .with_startup_max_attempts(startup_max_attempts)
                    .with_wait_before_first_reconnect(wait)
                    .with_hosts(HostOrder::as_given())
            },
        )
}

fn phase() -> impl Strategy<Value = Phase> {
    prop_oneof![Just(Phase::Startup), Just(Phase::Reconnect)]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_-]{0,10}(\\.[a-z0-9-]{1,6}){0,2}",
        any::<[u8; 4]>().prop_map(|b| format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])),
        any::<[u16; 8]>().prop_map(|s| Ipv6Addr::from(s).to_string()),
    ]
}

fn group() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,10}",
        (224u8..=239, any::<[u8; 3]>())
            .prop_map(|(a, b)| format!("{a}.{}.{}.{}", b[0], b[1], b[2])),
        any::<[u16; 7]>().prop_map(|s| {
            Ipv6Addr::new(0xff0e, s[0], s[1], s[2], s[3], s[4], s[5], s[6]).to_string()
        }),
    ]
}

fn endpoint() -> impl Strategy<Value = Endpoint> {
    (
        proptest::sample::select(Scheme::ALL.to_vec()),
        host(),
        group(),
        1u16..=65535,
        "(/[a-zA-Z0-9._~-]{0,8}){1,3}(\\?[a-z0-9=&]{0,10})?",
    )
        .prop_map(|(scheme, host, group, port, path)| {
            let host = if scheme == Scheme::Multicast {
                group
            } else {
                host
            };
            let path = if scheme.has_path() {
                path
            } else {
                String::new()
            };
            Endpoint {
                scheme,
                host,
                port,
                path,
            }
        })
}

fn options() -> impl Strategy<Value = FailoverOptions> {
    (
        (any::<u64>(), any::<u64>(), any::<bool>(), uri_multiplier()),
        (
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u32>()),
            any::<u64>(),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((initial, max, exp, mult), (retries, startup, jitter, rnd, pb))| {
                FailoverOptions::default()
                    .with_initial_reconnect_delay_ms(initial)
                    .with_max_reconnect_delay_ms(max)
                    .with_use_exponential_back_off(exp)
                    .with_back_off_multiplier(mult)
                    .with_max_reconnect_attempts(retries)
                    .with_startup_max_reconnect_attempts(startup)
                    .with_reconnect_delay_jitter_ms(jitter)
                    .with_randomize(rnd)
                    .with_priority_backup(pb)
            },
        )
}

fn fraction_of(jitter: Jitter) -> f64 {
    match jitter {
        Jitter::Fraction(f) => f,
        _ => 0.0,
    }
}

proptest! {
    #[test]
    fn delay_is_within_zero_and_max_times_one_plus_jitter(
        b in backoff(), k in any::<u32>(), draw in any::<u32>()
    ) {
        let delay = b.delay_ms(k, &mut || draw);
        let bound = b.max_ms as f64 * (1.0 + fraction_of(b.jitter));
        prop_assert!(delay as f64 <= bound, "{delay} > {bound}");
    }

    #[test]
    fn fraction_jitter_stays_within_its_fraction_of_the_base(
        b in backoff(), f in 0.0f64..1.0, k in any::<u32>(), draw in any::<u32>()
    ) {
        let b = b.with_jitter(Jitter::Fraction(f));
        let base = b.base_ms(k);
        let delay = b.delay_ms(k, &mut || draw);
        prop_assert!(delay >= base);
        prop_assert!((delay - base) as f64 <= base as f64 * f);
    }

    #[test]
    fn millis_jitter_stays_within_its_millis_and_the_max(
        b in backoff(), j in 0u64..1_000_000, k in any::<u32>(), draw in any::<u32>()
    ) {
        let b = b.with_jitter(Jitter::Millis(j));
        let base = b.base_ms(k);
        let delay = b.delay_ms(k, &mut || draw);
        prop_assert!(delay >= base);
        prop_assert!(delay <= base + j);
        prop_assert!(delay <= b.max_ms);
    }

    #[test]
    fn base_delay_never_decreases(b in backoff(), k in 0u32..u32::MAX) {
        prop_assert!(b.base_ms(k) <= b.base_ms(k + 1));
    }

    #[test]
    fn base_delay_starts_at_the_initial_delay_within_the_max(b in backoff()) {
        prop_assert_eq!(b.base_ms(0), b.initial_ms.min(b.max_ms));
    }

    #[test]
    fn same_draws_give_same_delay(b in backoff(), k in any::<u32>(), draw in any::<u32>()) {
        prop_assert_eq!(b.delay_ms(k, &mut || draw), b.delay_ms(k, &mut || draw));
    }

    #[test]
    fn attempts_are_capped_and_giving_up_is_final(
        p in policy(), len in 1usize..6, phase in phase(), draw in any::<u32>()
    ) {
        let given: Vec<bool> = (0..200u32)
            .map(|n| p.attempt(n, len, phase, &mut || draw).is_some())
            .collect();
        let made = given.iter().take_while(|g| **g).count();
        prop_assert!(given[made..].iter().all(|g| !g), "an attempt after giving up");
        match p.limit(phase) {
            MaxAttempts::Forever => prop_assert_eq!(made, 200),
            MaxAttempts::Total(total) => {
                let total = total as usize;
                let expected = match p.pacing {
                    Pacing::PerAttempt => total,
                    Pacing::PerPass => total.div_ceil(len) * len,
                    other => unreachable!("the strategy makes no {other:?}"),
                };
                prop_assert_eq!(made, expected);
            }
        }
    }

    #[test]
    fn attempts_walk_the_pass_in_order(
        p in policy(), n in any::<u32>(), len in 1usize..10, phase in phase()
    ) {
        if let Some(a) = p.attempt(n, len, phase, &mut || 0) {
            prop_assert_eq!(a.number, n);
            prop_assert_eq!(a.index, n as usize % len);
            prop_assert_eq!(a.pass as usize, n as usize / len);
        }
    }

    #[test]
    fn every_wait_is_a_backoff_delay(
        p in policy(), n in 0u32..1_000, len in 1usize..5, phase in phase(), draw in any::<u32>()
    ) {
        if let Some(a) = p.attempt(n, len, phase, &mut || draw) {
            let bound = p.backoff.max_ms as f64 * (1.0 + fraction_of(p.backoff.jitter));
            prop_assert!(a.delay_ms as f64 <= bound);
            if n == 0 && !(phase == Phase::Reconnect && p.wait_before_first_reconnect) {
                prop_assert_eq!(a.delay_ms, 0);
            }
        }
    }

    #[test]
    fn ordering_a_pass_keeps_every_endpoint(
        endpoints in proptest::collection::vec(endpoint(), 0..8),
        randomize in any::<bool>(), prefer in any::<bool>(), seed in any::<u32>()
    ) {
        let order = HostOrder::default().with_randomize(randomize).with_prefer_localhost(prefer).with_try_loopback(false).with_local_names(vec![]);
        let mut s = seed;
        let mut lcg = move || { s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223); s };
        let mut pass: Vec<String> = order.order(&endpoints, &mut lcg).iter().map(|e| e.to_string()).collect();
        let mut given: Vec<String> = endpoints.iter().map(|e| e.to_string()).collect();
        pass.sort();
        given.sort();
        prop_assert_eq!(pass, given);
    }

    #[test]
    fn schedule_is_deterministic_given_the_source(
        endpoints in proptest::collection::vec(endpoint(), 1..5), p in policy(), seed in any::<u32>()
    ) {
        let p = p.with_hosts(HostOrder::default().with_randomize(true));
        let run = || {
            let mut schedule = Schedule::new(p.clone(), endpoints.clone());
            let mut s = seed;
            let mut lcg = move || { s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223); s };
            let mut seen = Vec::new();
            for _ in 0..30 {
                match schedule.next_attempt(&mut lcg) {
                    Some(next) => seen.push((next.endpoint.to_string(), next.attempt)),
                    None => break,
                }
            }
            seen
        };
        prop_assert_eq!(run(), run());
    }

    #[test]
    fn endpoint_display_parses_back(e in endpoint()) {
        let text = e.to_string();
        prop_assert_eq!(Endpoint::parse(&text), Ok(e), "{}", text);
    }

    #[test]
    fn failover_uri_parse_display_parse_round_trips(
        endpoints in proptest::collection::vec(endpoint(), 1..5), options in options()
    ) {
        let uri = FailoverUri { endpoints, options };
        let text = uri.to_string();
        let parsed = FailoverUri::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&parsed, &uri);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn endpoint_parse_never_panics(text in "\\PC{0,40}") {
        let _ = Endpoint::parse(&text);
    }

    #[test]
    fn failover_parse_never_panics(text in "(failover:)?\\(?[a-z:/,?&=()\\[\\]0-9.-]{0,60}") {
        let _ = FailoverUri::parse(&text);
    }
}
