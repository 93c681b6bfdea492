//! Byte search sized for header lines.
//!
//! Header names and values are short, so a call into a vectorised search costs more than the
//! search itself. This one reads eight bytes at a time from a plain `u64` and is inlined where
//! it is used. Bodies, which are long, are searched with `memchr`.

/// `0x01` in every byte.
const LO: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte.
const HI: u64 = u64::from_ne_bytes([0x80; 8]);

/// The index of the first `needle` in `haystack`.
#[inline(always)]
pub(crate) fn find(haystack: &[u8], needle: u8) -> Option<usize> {
    let pattern = LO * u64::from(needle);
    let mut words = haystack.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])) ^ pattern;
        // The high bit of each byte that was `needle` (now zero) is set; a borrow can also set
        // it in bytes above a zero byte, but never below the first, so the lowest set bit is
        // exact.
        let zero = word.wrapping_sub(LO) & !word & HI;
        if zero != 0 {
            return Some(base + (zero.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| base + i)
}

/// The index of the first byte of `haystack` that is any of `needles`.
#[inline(always)]
pub(crate) fn find_any<const N: usize>(haystack: &[u8], needles: [u8; N]) -> Option<usize> {
    let patterns = needles.map(|n| LO * u64::from(n));
    // The high bit of each byte that matches a needle; as in `find`, exact up to the first.
    let matches = |word: u64| {
        let mut zero = 0;
        for p in patterns {
            let x = word ^ p;
            zero |= x.wrapping_sub(LO) & !x;
        }
        zero & HI
    };
    let mut pairs = haystack.chunks_exact(16);
    let mut base = 0;
    for pair in &mut pairs {
        let (a, b) = pair.split_at(8);
        let a = matches(u64::from_le_bytes(a.try_into().unwrap_or([0; 8])));
        let b = matches(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
        if a | b != 0 {
            let at = if a != 0 {
                a.trailing_zeros()
            } else {
                64 + b.trailing_zeros()
            };
            return Some(base + (at / 8) as usize);
        }
        base += 16;
    }
    let rest = pairs.remainder();
    if rest.len() >= 8 {
        let a = matches(u64::from_le_bytes(rest[..8].try_into().unwrap_or([0; 8])));
        if a != 0 {
            return Some(base + (a.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    haystack[base..]
        .iter()
        .position(|x| needles.contains(x))
        .map(|i| base + i)
}

/// `text` before and after its first `sep`, an ASCII byte (so both sides are whole
/// characters), if it has one: `str::split_once` without the `char` searcher, which a wasm
/// build would otherwise carry for a few short strings.
pub(crate) fn cut(text: &str, sep: u8) -> Option<(&str, &str)> {
    let i = text.bytes().position(|b| b == sep)?;
    Some((text.get(..i)?, text.get(i + 1..)?))
}

/// `text` cut at every `sep` (an ASCII byte), as `str::split` cuts it (without the `char`
/// searcher: see [`cut`]). For the browser shell's packed strings.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) fn pieces(text: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let s = rest?;
        Some(match cut(s, sep) {
            Some((piece, after)) => {
                rest = Some(after);
                piece
            }
            None => {
                rest = None;
                s
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::{cut, find, find_any, pieces};

    #[test]
    fn cut_and_pieces_split_as_the_standard_library_does() {
        let texts = [
            "",
            ",",
            ",,",
            "a",
            "a,",
            ",a",
            "a,b",
            "a,,b",
            "10, 20",
            "é,ü,",
            "1.2,1.1,1.0",
        ];
        for text in texts {
            assert_eq!(cut(text, b','), text.split_once(','), "{text:?}");
            let ours: alloc::vec::Vec<&str> = pieces(text, b',').collect();
            let std: alloc::vec::Vec<&str> = text.split(',').collect();
            assert_eq!(ours, std, "{text:?}");
        }
        assert_eq!(
            pieces("login\0guest\0\0\0", 0).collect::<alloc::vec::Vec<_>>(),
            ["login", "guest", "", "", ""]
        );
    }

    #[test]
    fn find_any_finds_whichever_comes_first() {
        for len in 1..40 {
            for at in 0..len {
                for (first, second) in [(b'\n', b'\\'), (b'\\', b'\n')] {
                    let mut hay = alloc::vec![b'a'; len];
                    hay[at] = first;
                    if at + 1 < len {
                        hay[at + 1] = second;
                    }
                    assert_eq!(
                        find_any(&hay, [b'\n', b'\\']),
                        Some(at),
                        "len {len} at {at}"
                    );
                }
            }
            assert_eq!(find_any(&alloc::vec![b'a'; len], [b'\n', b'\\']), None);
        }
    }

    #[test]
    fn finds_the_first_occurrence_at_every_offset_and_length() {
        for len in 0..40 {
            for at in 0..len {
                let mut hay = alloc::vec![b'a'; len];
                hay[at] = b':';
                if at + 3 < len {
                    hay[at + 3] = b':';
                }
                assert_eq!(find(&hay, b':'), Some(at), "len {len} at {at}");
            }
            assert_eq!(find(&alloc::vec![b'a'; len], b':'), None);
        }
    }

    #[test]
    fn bytes_next_to_the_needle_do_not_match() {
        for needle in [0u8, 1, b'\n', b':', 0x7f, 0x80, 0xff] {
            let hay: alloc::vec::Vec<u8> = (0..=255u8)
                .filter(|&b| b != needle)
                .cycle()
                .take(600)
                .collect();
            assert_eq!(find(&hay, needle), None, "needle {needle}");
        }
    }
}
