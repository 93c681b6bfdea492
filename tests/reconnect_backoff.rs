//! Rules of the backoff formula (`reconnect::Backoff`), stomp.py's and stompest's.

use stompwire::reconnect::{Backoff, Jitter};

/// A source whose every draw is `u` of the way through `[0, 1)`.
fn at(u: f64) -> impl FnMut() -> u32 {
    let n = (u * 4_294_967_296.0) as u32;
    move || n
}

#[test]
fn stomp_py_defaults_are_the_default() {
    let b = Backoff::default();
    assert_eq!(b.initial_ms, 100);
    assert_eq!(b.multiplier, 1.5);
    assert_eq!(b.max_ms, 60_000);
    assert_eq!(b.jitter, Jitter::Fraction(0.1));
}

#[test]
fn stomp_py_base_grows_by_the_increase_factor_until_the_max() {
    // min(60, 0.1 / 1.5 · 1.5^e) seconds for e = 1, 2, …
    let b = Backoff::default();
    let table = [
        (0, 100),
        (1, 150),
        (2, 225),
        (3, 338),    // 337.5 rounds up
        (4, 506),    // 506.25
        (10, 5_767), // 5766.5…
        (15, 43_789),
        (16, 60_000),
        (1_000, 60_000),
        (u32::MAX, 60_000),
    ];
    for (k, ms) in table {
        assert_eq!(b.base_ms(k), ms, "wait {k}");
    }
}

#[test]
fn stomp_py_increase_of_zero_keeps_the_delay_constant() {
    let b = Backoff::stomp_py(250, 0.0, 0.0, 60_000);
    for k in [0, 1, 5, 1_000] {
        assert_eq!(b.delay_ms(k, &mut at(0.9)), 250);
    }
}

#[test]
fn stomp_py_increase_of_one_doubles() {
    let b = Backoff::stomp_py(100, 1.0, 0.0, 1_000);
    let waits: Vec<u64> = (0..6).map(|k| b.base_ms(k)).collect();
    assert_eq!(waits, [100, 200, 400, 800, 1_000, 1_000]);
}

#[test]
fn fraction_jitter_adds_up_to_that_fraction_of_the_capped_base() {
    let b = Backoff::stomp_py(1_000, 0.5, 0.1, 60_000);
    let table = [
        (0, 0.0, 1_000),
        (0, 0.5, 1_050),
        (0, 0.999_999, 1_099),
        (1, 0.5, 1_575),
        // At the cap, the jitter still goes on top: up to max · (1 + jitter).
        (100, 0.0, 60_000),
        (100, 0.5, 63_000),
        (100, 0.999_999, 65_999),
    ];
    for (k, u, ms) in table {
        assert_eq!(b.delay_ms(k, &mut at(u)), ms, "wait {k} at u = {u}");
    }
}

#[test]
fn millis_jitter_adds_up_to_that_many_ms_within_the_max() {
    // stompest: min(reconnectDelay + random() · reconnectDelayJitter, maxReconnectDelay)
    let b = Backoff::default()
        .with_initial_ms(10)
        .with_multiplier(2.0)
        .with_max_ms(1_000)
        .with_jitter(Jitter::Millis(100));
    let table = [
        (0, 0.0, 10),
        (0, 0.5, 60),
        (3, 0.25, 105),
        (6, 0.0, 640),
        (6, 0.999_999, 739),
        (7, 0.0, 1_000), // 1280 > max
        (6, 0.0, 640),
        (50, 0.5, 1_000),
    ];
    for (k, u, ms) in table {
        assert_eq!(b.delay_ms(k, &mut at(u)), ms, "wait {k} at u = {u}");
    }
}

#[test]
fn no_jitter_never_draws() {
    let b = Backoff::fixed(5_000);
    let mut draws = 0;
    let mut counting = || {
        draws += 1;
        0
    };
    assert_eq!(b.delay_ms(3, &mut counting), 5_000);
    assert_eq!(draws, 0);
}

#[test]
fn jitter_draws_once_per_delay() {
    for jitter in [Jitter::Fraction(0.5), Jitter::Millis(10)] {
        let b = Backoff::default().with_jitter(jitter);
        let mut draws = 0;
        let mut counting = || {
            draws += 1;
            0
        };
        let _ = b.delay_ms(3, &mut counting);
        assert_eq!(draws, 1, "{jitter:?}");
    }
}

#[test]
fn multiplier_below_one_or_nan_keeps_the_delay_constant() {
    for multiplier in [0.5, 0.0, -2.0, f64::NAN] {
        let b = Backoff::default()
            .with_initial_ms(300)
            .with_multiplier(multiplier)
            .with_max_ms(10_000)
            .with_jitter(Jitter::None);
        assert_eq!(b.base_ms(7), 300, "{multiplier}");
    }
}

#[test]
fn negative_or_nan_fraction_adds_nothing() {
    for fraction in [-0.5, f64::NAN] {
        let b = Backoff::default().with_jitter(Jitter::Fraction(fraction));
        assert_eq!(b.delay_ms(0, &mut at(0.9)), 100, "{fraction}");
    }
}

#[test]
fn huge_values_saturate_instead_of_overflowing() {
    let uncapped = Backoff::default()
        .with_initial_ms(u64::MAX / 2)
        .with_multiplier(10.0)
        .with_max_ms(u64::MAX)
        .with_jitter(Jitter::Fraction(1.0));
    assert_eq!(uncapped.base_ms(u32::MAX), u64::MAX);
    assert_eq!(uncapped.delay_ms(u32::MAX, &mut at(0.9)), u64::MAX);
    let additive = uncapped.with_jitter(Jitter::Millis(u64::MAX));
    assert_eq!(additive.delay_ms(3, &mut at(0.9)), u64::MAX);
}

#[test]
fn zero_initial_delay_stays_zero() {
    let b = Backoff::default()
        .with_initial_ms(0)
        .with_multiplier(f64::INFINITY)
        .with_max_ms(u64::MAX)
        .with_jitter(Jitter::Fraction(0.1));
    assert_eq!(b.delay_ms(40, &mut at(0.5)), 0);
}

#[test]
fn fixed_backoff_never_changes() {
    let b = Backoff::fixed(1_234);
    for k in [0, 1, 2, 100, u32::MAX] {
        assert_eq!(b.delay_ms(k, &mut at(0.7)), 1_234);
    }
}
