//! Injected randomness: the [`Random`] source that jitter and shuffling draw from.

/// A source of uniformly distributed 32-bit numbers.
///
/// The reconnect layer never picks random numbers on its own, so every delay and every host
/// order is reproducible: hand it the same source and it makes the same choices. A shell passes
/// a real generator (`crypto.getRandomValues` in a browser, any PRNG natively); tests pass a
/// closure returning fixed numbers.
///
/// Every `FnMut() -> u32` is one, so a closure is enough:
///
/// ```
/// use stompwire::reconnect::Random;
///
/// let mut state = 1u32;
/// let mut xorshift = move || {
///     state ^= state << 13;
///     state ^= state >> 17;
///     state ^= state << 5;
///     state
/// };
/// let a = xorshift.next_u32();
/// let b = xorshift.next_u32();
/// assert_ne!(a, b);
/// ```
pub trait Random {
    /// The next number; all 2³² values should be equally likely.
    fn next_u32(&mut self) -> u32;
}

impl<F: FnMut() -> u32 + ?Sized> Random for F {
    fn next_u32(&mut self) -> u32 {
        self()
    }
}

/// Stands in for the caller's source where only the shape of an attempt (or a pass's length)
/// is asked for, so that the caller's draws go to the shuffle first and the jitter second.
pub(crate) struct NoDraws;

impl Random for NoDraws {
    fn next_u32(&mut self) -> u32 {
        0
    }
}

/// One draw as a fraction in `[0, 1)`: `next_u32() / 2³²`.
pub(crate) fn unit<R: Random + ?Sized>(random: &mut R) -> f64 {
    f64::from(random.next_u32()) / 4_294_967_296.0
}

/// One draw as an index in `0..n` (`n ≥ 1`), by multiply-and-shift. The bias is below
/// `n / 2³²`, nothing for host lists.
pub(crate) fn below<R: Random + ?Sized>(random: &mut R, n: usize) -> usize {
    let n = n.min(u32::MAX as usize) as u64;
    ((u64::from(random.next_u32()) * n) >> 32) as usize
}

/// Fisher–Yates: every permutation equally likely given a uniform source; `len − 1` draws.
pub(crate) fn shuffle<T, R: Random + ?Sized>(items: &mut [T], random: &mut R) {
    for i in (1..items.len()).rev() {
        let j = below(random, i + 1);
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_spans_zero_to_just_below_one() {
        assert_eq!(unit(&mut || 0), 0.0);
        let top = unit(&mut || u32::MAX);
        assert!(top < 1.0 && top > 0.999_999_999);
    }

    #[test]
    fn below_stays_in_range() {
        for n in 1..10 {
            assert_eq!(below(&mut || 0, n), 0);
            assert_eq!(below(&mut || u32::MAX, n), n - 1);
        }
    }

    #[test]
    fn shuffle_with_zero_draws_rotates_deterministically() {
        let mut items = [1, 2, 3, 4];
        shuffle(&mut items, &mut || 0);
        // Each step swaps position i with 0.
        assert_eq!(items, [2, 3, 4, 1]);
    }
}
