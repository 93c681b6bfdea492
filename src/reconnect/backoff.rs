//! How long to wait before a retry: [`Backoff`], its growth and cap, and [`Jitter`].

use super::Random;
use super::random::unit;

/// Random spread added to a delay so that many clients cut off together do not reconnect in
/// step.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Jitter {
    /// No spread: every delay is the base.
    None,
    /// Add up to this fraction of the (capped) base: `0.1` waits 0–10 % longer (stomp.py's
    /// `reconnect_sleep_jitter`). A delay may exceed `max_ms` by this fraction. Negative or
    /// not-a-number values count as 0.
    Fraction(f64),
    /// Add up to this many milliseconds to the (uncapped) base, then cap at `max_ms`
    /// (stompest's `reconnectDelayJitter`).
    Millis(u64),
}

/// A growing, capped wait between connection attempts.
///
/// The `k`-th wait (0-based) is
///
/// ```text
/// base(k)  = min(max_ms, initial_ms · multiplierᵏ)                         rounded to whole ms
/// Jitter::None          delay(k) = base(k)
/// Jitter::Fraction(f)   delay(k) = base(k) + ⌊base(k) · u · f⌋             (stomp.py)
/// Jitter::Millis(j)     delay(k) = min(max_ms, initial_ms · multiplierᵏ + ⌊u · j⌋)   (stompest)
/// ```
///
/// where `u` is one draw in `[0, 1)` from the injected [`Random`].
///
/// **stomp.py.** `Transport.attempt_connection` sleeps, after every failed pass over its hosts,
/// `min(reconnect_sleep_max, reconnect_sleep_initial / (1 + increase) · (1 + increase)^e)
/// · (1 + random() · reconnect_sleep_jitter)` with `e` starting at 1, which is `base(k)` above
/// with `multiplier = 1 + reconnect_sleep_increase` and `k = e − 1`, jittered up by at most the
/// jitter fraction — so a delay can exceed the maximum by that fraction. stomp.py stops raising
/// `e` once a jittered sleep reaches the maximum; here the exponent is the wait's index and the
/// cap alone holds the base at the maximum, so a wait whose jitter happened to reach the maximum
/// does not hold the next base back. [`Backoff::default`] is stomp.py's defaults.
///
/// **stompest / ActiveMQ.** `reconnectDelay` starts at `initialReconnectDelay`, is multiplied by
/// `backOffMultiplier` after each use (when `useExponentialBackOff`), and each wait is
/// `min(reconnectDelay + random() · reconnectDelayJitter, maxReconnectDelay)`: additive jitter,
/// capped, [`Jitter::Millis`].
///
/// **stompjs.** `reconnectDelay`, doubled after each wait in `EXPONENTIAL` mode and capped by
/// `maxReconnectDelay` (0 = no cap): `multiplier` 1 or 2, no jitter; see
/// [`Policy::stompjs`](super::Policy::stompjs).
///
/// No `powf` exists without `std`: `multiplierᵏ` is computed by repeated squaring, which also
/// keeps the cost logarithmic in `k`. A multiplier below 1 (or not a number) counts as 1, so
/// the base never shrinks.
///
/// ```
/// use stompwire::reconnect::{Backoff, Jitter};
///
/// // stomp.py's defaults: 0.1 s, +50 % per wait, up to 60 s, plus 0–10 % jitter.
/// let b = Backoff::default();
/// assert_eq!(b, Backoff::stomp_py(100, 0.5, 0.1, 60_000));
/// assert_eq!([b.base_ms(0), b.base_ms(1), b.base_ms(2)], [100, 150, 225]);
/// assert_eq!(b.base_ms(100), 60_000);
///
/// // The jitter draws from the source you pass: the top of the range here.
/// assert_eq!(b.delay_ms(2, &mut || u32::MAX), 247);
/// assert_eq!(b.delay_ms(2, &mut || 0), 225);
///
/// let fixed = Backoff::fixed(5_000);
/// assert_eq!(fixed.delay_ms(7, &mut || 0), 5_000);
/// assert_eq!(fixed.jitter, Jitter::None);
///
/// // Any other shape: start from one of these and set what differs.
/// let doubling = Backoff::fixed(1_000).with_multiplier(2.0).with_max_ms(8_000);
/// assert_eq!([doubling.base_ms(0), doubling.base_ms(3), doubling.base_ms(9)], [1_000, 8_000, 8_000]);
/// ```
///
/// The struct is `#[non_exhaustive]`: outside this crate, build one with [`Backoff::default`],
/// [`Backoff::stomp_py`] or [`Backoff::fixed`] and the `with_*` setters.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Backoff {
    /// The first wait, in milliseconds.
    pub initial_ms: u64,
    /// What each wait is multiplied by to give the next (`1.0` keeps it constant).
    pub multiplier: f64,
    /// The largest base wait, in milliseconds (`u64::MAX`: no cap).
    pub max_ms: u64,
    /// Random spread added to each wait.
    pub jitter: Jitter,
}

impl Default for Backoff {
    /// stomp.py's defaults: `reconnect_sleep_initial=0.1`, `reconnect_sleep_increase=0.5`,
    /// `reconnect_sleep_jitter=0.1`, `reconnect_sleep_max=60.0`.
    fn default() -> Backoff {
        Backoff::stomp_py(100, 0.5, 0.1, 60_000)
    }
}

impl Backoff {
    /// stomp.py's parameters: `increase` is the fraction each wait grows by (0.5 = 50 % longer,
    /// 0 = constant), `jitter` the fraction of random extra; times in milliseconds.
    pub fn stomp_py(initial_ms: u64, increase: f64, jitter: f64, max_ms: u64) -> Backoff {
        Backoff {
            initial_ms,
            multiplier: 1.0 + increase,
            max_ms,
            jitter: Jitter::Fraction(jitter),
        }
    }

    /// The same wait every time, no jitter.
    pub fn fixed(ms: u64) -> Backoff {
        Backoff {
            initial_ms: ms,
            multiplier: 1.0,
            max_ms: ms,
            jitter: Jitter::None,
        }
    }

    /// The `k`-th wait (0-based) before jitter: `min(max_ms, initial_ms · multiplierᵏ)`,
    /// rounded to the nearest millisecond. Non-decreasing in `k`.
    pub fn base_ms(&self, k: u32) -> u64 {
        self.uncapped_ms(k).min(self.max_ms)
    }

    /// The `k`-th wait (0-based) with jitter, in milliseconds; see [`Backoff`]
    /// for the formula. Draws once from `random` when
    /// [`jitter`](Self::jitter) is not [`Jitter::None`].
    pub fn delay_ms<R: Random + ?Sized>(&self, k: u32, random: &mut R) -> u64 {
        match self.jitter {
            Jitter::None => self.base_ms(k),
            Jitter::Fraction(fraction) => {
                let base = self.base_ms(k);
                let fraction = if fraction > 0.0 { fraction } else { 0.0 };
                // `as` saturates; the product is below `base · fraction`.
                let extra = (base as f64 * unit(random) * fraction) as u64;
                base.saturating_add(extra)
            }
            Jitter::Millis(jitter) => {
                let extra = (jitter as f64 * unit(random)) as u64;
                self.uncapped_ms(k).saturating_add(extra).min(self.max_ms)
            }
        }
    }

    /// `initial_ms · multiplierᵏ`, rounded, saturating at `u64::MAX`.
    fn uncapped_ms(&self, k: u32) -> u64 {
        if self.initial_ms == 0 {
            return 0;
        }
        let factor = power(self.multiplier, k);
        // Non-negative and not NaN; `as` saturates at u64::MAX and infinity.
        (self.initial_ms as f64 * factor + 0.5) as u64
    }
}

impl Backoff {
    /// Sets [`initial_ms`](Self::initial_ms).
    #[must_use]
    pub fn with_initial_ms(mut self, ms: u64) -> Backoff {
        self.initial_ms = ms;
        self
    }

    /// Sets [`multiplier`](Self::multiplier).
    #[must_use]
    pub fn with_multiplier(mut self, multiplier: f64) -> Backoff {
        self.multiplier = multiplier;
        self
    }

    /// Sets [`max_ms`](Self::max_ms).
    #[must_use]
    pub fn with_max_ms(mut self, ms: u64) -> Backoff {
        self.max_ms = ms;
        self
    }

    /// Sets [`jitter`](Self::jitter).
    #[must_use]
    pub fn with_jitter(mut self, jitter: Jitter) -> Backoff {
        self.jitter = jitter;
        self
    }
}

/// `baseᵏ` for `base ≥ 1` by repeated squaring; a base below 1 or NaN counts as 1.
fn power(base: f64, mut k: u32) -> f64 {
    if base.is_nan() || base <= 1.0 {
        return 1.0;
    }
    let mut result = 1.0;
    let mut square = base;
    while k > 0 {
        if k & 1 == 1 {
            result *= square;
        }
        k >>= 1;
        if k > 0 {
            square *= square;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::power;

    #[test]
    fn power_by_squaring_matches_repeated_multiplication() {
        for base in [1.0, 1.5, 2.0, 3.25] {
            let mut expected = 1.0;
            for k in 0..14 {
                assert_eq!(power(base, k), expected, "{base}^{k}");
                expected *= base;
            }
        }
    }

    #[test]
    fn power_treats_small_or_nan_base_as_one() {
        assert_eq!(power(0.5, 10), 1.0);
        assert_eq!(power(f64::NAN, 10), 1.0);
        assert_eq!(power(-3.0, 3), 1.0);
    }

    #[test]
    fn power_overflows_to_infinity_not_panic() {
        assert_eq!(power(10.0, u32::MAX), f64::INFINITY);
    }
}
