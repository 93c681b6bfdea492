//! Rules of the reconnect policy (`reconnect::Policy`): pacing, limits, phases, and the
//! stomp.py and stompjs mappings.

use stompwire::reconnect::{
    Backoff, HostOrder, Jitter, MaxAttempts, Pacing, Phase, Policy, ReconnectTimeMode,
};

fn zero() -> impl FnMut() -> u32 {
    || 0
}

/// `(index, delay)` of attempts 0.. until the policy gives up (at most `cap` of them).
fn plan(policy: &Policy, pass_len: usize, phase: Phase, cap: u32) -> Vec<(usize, u64)> {
    (0..cap)
        .map_while(|n| policy.attempt(n, pass_len, phase, &mut zero()))
        .map(|a| (a.index, a.delay_ms))
        .collect()
}

fn no_jitter(pacing: Pacing, max: MaxAttempts) -> Policy {
    Policy::default()
        .with_backoff(Backoff::default().with_jitter(Jitter::None))
        .with_pacing(pacing)
        .with_max_attempts(max)
        .with_hosts(HostOrder::as_given())
}

#[test]
fn stomp_py_defaults_are_the_default_policy() {
    let p = Policy::default();
    assert_eq!(p.backoff, Backoff::default());
    assert_eq!(p.pacing, Pacing::PerPass);
    assert_eq!(p.max_attempts, MaxAttempts::Total(3));
    assert_eq!(p.startup_max_attempts, None);
    assert!(!p.wait_before_first_reconnect);
    assert!(p.hosts.prefer_localhost && p.hosts.try_loopback && !p.hosts.randomize);
}

#[test]
fn first_attempt_never_waits() {
    for pacing in [Pacing::PerPass, Pacing::PerAttempt] {
        for phase in [Phase::Startup, Phase::Reconnect] {
            let p = no_jitter(pacing, MaxAttempts::Forever);
            let a = p.attempt(0, 3, phase, &mut zero()).unwrap();
            assert_eq!(
                (a.index, a.pass, a.delay_ms),
                (0, 0, 0),
                "{pacing:?} {phase:?}"
            );
        }
    }
}

#[test]
fn per_pass_pacing_waits_only_between_passes() {
    let p = no_jitter(Pacing::PerPass, MaxAttempts::Forever);
    assert_eq!(
        plan(&p, 3, Phase::Startup, 9),
        [
            (0, 0),
            (1, 0),
            (2, 0),
            (0, 100),
            (1, 0),
            (2, 0),
            (0, 150),
            (1, 0),
            (2, 0)
        ]
    );
}

#[test]
fn per_attempt_pacing_waits_before_every_retry() {
    let p = no_jitter(Pacing::PerAttempt, MaxAttempts::Forever);
    assert_eq!(
        plan(&p, 2, Phase::Startup, 5),
        [(0, 0), (1, 100), (0, 150), (1, 225), (0, 338)]
    );
}

#[test]
fn per_pass_limit_is_checked_when_a_pass_begins() {
    // stomp.py: `while connect_count < max` around `for host in hosts`.
    let table = [
        // (max attempts, hosts, attempts made)
        (3, 1, 3),
        (3, 2, 4),
        (3, 3, 3),
        (3, 4, 4),
        (4, 2, 4),
        (5, 2, 6),
        (1, 5, 5),
        (0, 2, 0),
    ];
    for (max, hosts, made) in table {
        let p = no_jitter(Pacing::PerPass, MaxAttempts::Total(max));
        assert_eq!(
            plan(&p, hosts, Phase::Startup, 100).len(),
            made,
            "max {max}, {hosts} hosts"
        );
    }
}

#[test]
fn per_attempt_limit_is_checked_before_every_attempt() {
    for (max, hosts) in [(3, 1), (3, 2), (1, 5), (0, 2), (7, 3)] {
        let p = no_jitter(Pacing::PerAttempt, MaxAttempts::Total(max));
        assert_eq!(plan(&p, hosts, Phase::Startup, 100).len(), max as usize);
    }
}

#[test]
fn forever_never_gives_up() {
    for pacing in [Pacing::PerPass, Pacing::PerAttempt] {
        let p = no_jitter(pacing, MaxAttempts::Forever);
        assert!(
            p.attempt(u32::MAX, 3, Phase::Reconnect, &mut zero())
                .is_some()
        );
    }
}

#[test]
fn no_hosts_means_no_attempt() {
    let p = no_jitter(Pacing::PerAttempt, MaxAttempts::Forever);
    assert_eq!(p.attempt(0, 0, Phase::Startup, &mut zero()), None);
}

#[test]
fn startup_limit_applies_until_the_first_connection() {
    let p = no_jitter(Pacing::PerAttempt, MaxAttempts::Total(5))
        .with_startup_max_attempts(Some(MaxAttempts::Total(2)));
    assert_eq!(p.limit(Phase::Startup), MaxAttempts::Total(2));
    assert_eq!(p.limit(Phase::Reconnect), MaxAttempts::Total(5));
    assert_eq!(plan(&p, 1, Phase::Startup, 100).len(), 2);
    assert_eq!(plan(&p, 1, Phase::Reconnect, 100).len(), 5);
}

#[test]
fn wait_before_first_reconnect_shifts_the_backoff_after_a_loss() {
    let p =
        no_jitter(Pacing::PerAttempt, MaxAttempts::Forever).with_wait_before_first_reconnect(true);
    assert_eq!(plan(&p, 1, Phase::Startup, 3), [(0, 0), (0, 100), (0, 150)]);
    assert_eq!(
        plan(&p, 1, Phase::Reconnect, 3),
        [(0, 100), (0, 150), (0, 225)]
    );
    let per_pass =
        no_jitter(Pacing::PerPass, MaxAttempts::Forever).with_wait_before_first_reconnect(true);
    assert_eq!(
        plan(&per_pass, 2, Phase::Reconnect, 4),
        [(0, 100), (1, 0), (0, 150), (1, 0)]
    );
}

#[test]
fn only_waits_draw_randomness() {
    let p = Policy::default();
    let draws = std::cell::Cell::new(0);
    let mut counting = || {
        draws.set(draws.get() + 1);
        0
    };
    for n in 0..2 {
        let _ = p.attempt(n, 2, Phase::Startup, &mut counting);
    }
    assert_eq!(draws.get(), 0, "the first pass does not wait");
    let _ = p.attempt(2, 2, Phase::Startup, &mut counting);
    assert_eq!(draws.get(), 1);
}

#[test]
fn attempt_numbers_passes_and_indexes() {
    let p = no_jitter(Pacing::PerAttempt, MaxAttempts::Forever);
    let a = p.attempt(7, 3, Phase::Startup, &mut zero()).unwrap();
    assert_eq!((a.number, a.pass, a.index), (7, 2, 1));
}

#[test]
fn stomp_py_attempt_counts_convert() {
    let table = [
        (-1, MaxAttempts::Forever),
        (-2, MaxAttempts::Total(0)),
        (0, MaxAttempts::Total(0)),
        (3, MaxAttempts::Total(3)),
        (i64::MAX, MaxAttempts::Total(u32::MAX)),
    ];
    for (n, max) in table {
        assert_eq!(MaxAttempts::from_stomp_py(n), max, "{n}");
    }
}

#[test]
fn retry_counts_convert_adding_the_first_attempt() {
    let table = [
        (-1, MaxAttempts::Forever),
        (-5, MaxAttempts::Total(1)),
        (0, MaxAttempts::Total(1)),
        (3, MaxAttempts::Total(4)),
        (i64::MAX, MaxAttempts::Total(u32::MAX)),
    ];
    for (n, max) in table {
        assert_eq!(MaxAttempts::from_retries(n), max, "{n}");
    }
}

#[test]
fn max_attempts_read_as_words() {
    assert_eq!(MaxAttempts::Forever.to_string(), "forever");
    assert_eq!(MaxAttempts::Total(1).to_string(), "1 attempt");
    assert_eq!(MaxAttempts::Total(3).to_string(), "3 attempts");
}

#[test]
fn stompjs_linear_waits_the_same_delay_forever() {
    let p = Policy::stompjs(5_000, ReconnectTimeMode::Linear, 900_000);
    assert_eq!(p.max_attempts, MaxAttempts::Forever);
    assert_eq!(
        plan(&p, 1, Phase::Reconnect, 4),
        [(0, 5_000), (0, 5_000), (0, 5_000), (0, 5_000)]
    );
    assert_eq!(
        plan(&p, 1, Phase::Startup, 3),
        [(0, 0), (0, 5_000), (0, 5_000)]
    );
}

#[test]
fn stompjs_exponential_doubles_up_to_the_max() {
    let p = Policy::stompjs(200, ReconnectTimeMode::Exponential, 1_000);
    let waits: Vec<u64> = plan(&p, 1, Phase::Reconnect, 6)
        .iter()
        .map(|a| a.1)
        .collect();
    assert_eq!(waits, [200, 400, 800, 1_000, 1_000, 1_000]);
}

#[test]
fn stompjs_max_of_zero_means_no_cap() {
    let p = Policy::stompjs(1_000, ReconnectTimeMode::Exponential, 0);
    let a = p.attempt(20, 1, Phase::Reconnect, &mut zero()).unwrap();
    assert_eq!(a.delay_ms, 1_000 << 20);
}

#[test]
fn stompjs_max_below_the_delay_is_raised_to_it() {
    let p = Policy::stompjs(5_000, ReconnectTimeMode::Exponential, 1_000);
    let waits: Vec<u64> = plan(&p, 1, Phase::Reconnect, 3)
        .iter()
        .map(|a| a.1)
        .collect();
    assert_eq!(waits, [5_000, 5_000, 5_000]);
}

#[test]
fn stompjs_delay_of_zero_connects_once_and_never_reconnects() {
    let p = Policy::stompjs(0, ReconnectTimeMode::Exponential, 10_000);
    assert_eq!(plan(&p, 1, Phase::Startup, 10), [(0, 0)]);
    assert_eq!(plan(&p, 1, Phase::Reconnect, 10), []);
}

#[test]
fn stompjs_default_mode_is_linear() {
    assert_eq!(ReconnectTimeMode::default(), ReconnectTimeMode::Linear);
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
fn each_setter_sets_its_own_field() {
    sets_only!(
        Backoff::default(),
        with_initial_ms => initial_ms = 1,
        with_multiplier => multiplier = 3.0,
        with_max_ms => max_ms = 2,
        with_jitter => jitter = Jitter::Millis(5),
    );
    sets_only!(
        HostOrder::default(),
        with_randomize => randomize = true,
        with_prefer_localhost => prefer_localhost = false,
        with_try_loopback => try_loopback = false,
        with_local_names => local_names = vec!["myhost".into()],
    );
    sets_only!(
        Policy::default(),
        with_backoff => backoff = Backoff::fixed(7),
        with_pacing => pacing = Pacing::PerAttempt,
        with_max_attempts => max_attempts = MaxAttempts::Forever,
        with_startup_max_attempts => startup_max_attempts = Some(MaxAttempts::Total(1)),
        with_wait_before_first_reconnect => wait_before_first_reconnect = true,
        with_hosts => hosts = HostOrder::as_given(),
    );
}
