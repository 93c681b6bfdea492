//! Invariants of the STOMP frame decoder on arbitrary input, shared by the libFuzzer target
//! (`fuzz_targets/decode.rs`) and by the stable property tests below.
//!
//! An input is two configuration bytes followed by the byte stream:
//!
//! | byte | bits | meaning |
//! |---|---|---|
//! | 0 | 0–1 | version: 0 → 1.0, 1 → 1.1, 2 and 3 → 1.2 |
//! | 0 | 2–3 | limits: 0 and 3 → defaults, 1 → small, 2 → tiny |
//! | 0 | 6 | `trim_header_whitespace` |
//! | 1 | 0–2 | largest chunk: 1, 2, 3, 4, 7, 16, 64 or 4096 bytes |
//! | 1 | 3–7 | seed of the chunk sizes |
//!
//! So a seed file that starts with `2a` is STOMP 1.2, default limits, chunks of 1–2 bytes; `0h`
//! is STOMP 1.0 fed one byte at a time; `6a` is STOMP 1.2 with small limits.
//!
//! Checked for every input:
//! - nothing panics;
//! - decoding the stream whole and in chunks yields the same items, and an error in one case
//!   exactly when there is one in the other (the same error, except that a size limit may be
//!   reported as another size limit, or with another size, depending on where a chunk ends);
//! - no decoded frame breaks the limits;
//! - after an error the decoder refuses input (`Poisoned`) until `reset`, and works after it;
//! - every decoded frame that the encoder accepts (for the decoder's version) decodes back to
//!   an equal frame; a refusal leaves the buffer as it was and names an unrepresentable byte.

use stompwire::frame::{
    Command, ContentLength, DecodeError, Decoder, EncodeError, Frame, Item, Limits, Version,
    encode, encode_with,
};

/// What the configuration bytes choose.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// The decoder's version.
    pub version: Version,
    /// The decoder's limits.
    pub limits: Limits,
    /// Largest chunk.
    pub max_chunk: usize,
    /// Seed of the chunk sizes.
    pub seed: u32,
}

const SMALL: Limits = Limits::DEFAULT
    .with_max_frame_size(512)
    .with_max_body_size(128)
    .with_max_headers(6)
    .with_max_header_line(64)
    .with_max_command_len(12)
    .with_trim_header_whitespace(false);

const TINY: Limits = Limits::DEFAULT
    .with_max_frame_size(40)
    .with_max_body_size(8)
    .with_max_headers(2)
    .with_max_header_line(16)
    .with_max_command_len(11)
    .with_trim_header_whitespace(false);

/// Splits an input into its configuration and its stream.
pub fn split(data: &[u8]) -> (Config, &[u8]) {
    let b0 = data.first().copied().unwrap_or(b'2');
    let b1 = data.get(1).copied().unwrap_or(b'g');
    let version = match b0 & 3 {
        0 => Version::V1_0,
        1 => Version::V1_1,
        _ => Version::V1_2,
    };
    let mut limits = match (b0 >> 2) & 3 {
        1 => SMALL,
        2 => TINY,
        _ => Limits::default(),
    };
    limits.trim_header_whitespace = b0 & 0x40 != 0;
    let max_chunk = [1, 2, 3, 4, 7, 16, 64, 4096][usize::from(b1 & 7)];
    let seed = (u32::from(b1 >> 3) + 1).wrapping_mul(0x9E37_79B9);
    let config = Config {
        version,
        limits,
        max_chunk,
        seed,
    };
    (config, data.get(2..).unwrap_or(&[]))
}

/// Cuts `stream` into chunks of 1..=`max_chunk` bytes, sizes drawn from `seed`.
pub fn chunks(stream: &[u8], max_chunk: usize, seed: u32) -> Vec<&[u8]> {
    let mut state = seed | 1;
    let mut out = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        // xorshift32
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (1 + state as usize % max_chunk).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        out.push(chunk);
        rest = tail;
    }
    out
}

/// What one decoding of a stream produced.
#[derive(Debug)]
pub struct Outcome {
    /// The items, in order, up to the first error.
    pub items: Vec<Item>,
    /// The first error, if any.
    pub error: Option<DecodeError>,
    /// The decoder, as the stream left it.
    pub decoder: Decoder,
}

/// Feeds `chunks` in order to a new decoder; stops at the first error.
pub fn decode_chunks(version: Version, limits: Limits, chunks: &[&[u8]]) -> Outcome {
    let mut decoder = Decoder::new(limits);
    decoder.set_version(version);
    let mut items = Vec::new();
    let mut error = None;
    'chunks: for chunk in chunks {
        for result in decoder.feed(chunk) {
            match result {
                Ok(item) => items.push(item),
                Err(e) => {
                    error = Some(e);
                    break 'chunks;
                }
            }
        }
    }
    Outcome {
        items,
        error,
        decoder,
    }
}

fn same_error(a: &DecodeError, b: &DecodeError) -> bool {
    match (a, b) {
        (DecodeError::LimitExceeded { .. }, DecodeError::LimitExceeded { .. }) => true,
        _ => a == b,
    }
}

/// Limits that a re-encoded frame never reaches.
fn roomy(trim: bool) -> Limits {
    let big = usize::MAX / 4;
    Limits::DEFAULT
        .with_max_frame_size(big)
        .with_max_body_size(big)
        .with_max_headers(big)
        .with_max_header_line(big)
        .with_max_command_len(64)
        .with_trim_header_whitespace(trim)
}

/// Decodes `bytes`, which must hold exactly one frame.
fn decode_one(bytes: &[u8], version: Version, trim: bool) -> Frame {
    let outcome = decode_chunks(version, roomy(trim), &[bytes]);
    if let Some(e) = outcome.error {
        panic!("re-encoded frame does not decode: {e} ({e:?}); bytes {bytes:?}");
    }
    assert!(
        !outcome.decoder.in_frame(),
        "re-encoded frame is incomplete: {bytes:?}"
    );
    match <[Item; 1]>::try_from(outcome.items) {
        Ok([Item::Frame(frame)]) => frame,
        Ok(other) => panic!("re-encoded frame decodes to {other:?}"),
        Err(items) => panic!(
            "re-encoded frame decodes to {} items: {items:?}",
            items.len()
        ),
    }
}

/// What the encoder may refuse in a decoded frame: a byte its version cannot write (a CR
/// outside 1.2 escaping, for one). A decoded frame never has an empty header name or a
/// content-length that disagrees with its body, so those refusals would be bugs.
fn assert_acceptable_refusal(e: &EncodeError, frame: &Frame) {
    if !matches!(e, EncodeError::Unrepresentable { .. }) {
        panic!("encoder refused a decoded frame: {e} ({e:?}); frame {frame:?}");
    }
}

fn check_round_trip(frame: &Frame, version: Version, trim: bool) {
    // Exactly the decoded headers: `Skip` adds no content-length (a body without one holds no
    // NUL, so none is needed).
    let mut out = Vec::new();
    match encode_with(frame, version, ContentLength::Skip, &mut out) {
        Ok(()) => {
            let back = decode_one(&out, version, trim);
            assert_eq!(&back, frame, "round trip changed the frame; wire {out:?}");
            assert_eq!(
                back.headers.iter().collect::<Vec<_>>(),
                frame.headers.iter().collect::<Vec<_>>()
            );
            assert_eq!(back.body, frame.body);
        }
        Err(e) => {
            assert!(out.is_empty(), "failed encode left bytes in the buffer");
            assert_acceptable_refusal(&e, frame);
        }
    }
    // `encode` adds content-length to a non-empty body that has none, after the other headers.
    let mut out = Vec::new();
    match encode(frame, version, &mut out) {
        Ok(()) => {
            let back = decode_one(&out, version, trim);
            let mut expected = frame.clone();
            if !frame.body.is_empty() && !frame.headers.contains("content-length") {
                expected
                    .headers
                    .push("content-length", &frame.body.len().to_string());
            }
            assert_eq!(
                back, expected,
                "round trip (encode) changed the frame; wire {out:?}"
            );
        }
        Err(e) => {
            assert!(out.is_empty(), "failed encode left bytes in the buffer");
            assert_acceptable_refusal(&e, frame);
        }
    }
}

/// Checks every invariant on one input (configuration bytes, then the stream). Panics on a
/// violation.
pub fn check(data: &[u8]) {
    let (config, stream) = split(data);
    let Config {
        version, limits, ..
    } = config;
    let whole = decode_chunks(version, limits, &[stream]);
    let pieces = chunks(stream, config.max_chunk, config.seed);
    let mut chunked = decode_chunks(version, limits, &pieces);

    // Whole and chunked agree.
    assert_eq!(
        whole.items, chunked.items,
        "items differ between whole and chunked input"
    );
    match (&whole.error, &chunked.error) {
        (None, None) => assert_eq!(
            whole.decoder.in_frame(),
            chunked.decoder.in_frame(),
            "in_frame differs between whole and chunked input"
        ),
        (Some(a), Some(b)) => assert!(
            same_error(a, b),
            "errors differ: whole {a:?}, chunked {b:?}"
        ),
        (a, b) => panic!("error in one case only: whole {a:?}, chunked {b:?}"),
    }

    // Frames respect the limits.
    for item in &whole.items {
        if let Item::Frame(frame) = item {
            assert!(
                frame.headers.len() <= limits.max_headers,
                "too many headers"
            );
            assert!(
                frame.body.len() <= limits.max_body_size,
                "body over the limit"
            );
        }
    }

    // After an error: refusal, then recovery with reset.
    if chunked.error.is_some() {
        let decoder = &mut chunked.decoder;
        assert!(decoder.has_failed(), "has_failed() is false after an error");
        assert!(!decoder.in_frame(), "in_frame() is true after an error");
        let refused: Vec<_> = decoder.feed(b"SEND\n\n\0").collect();
        assert_eq!(
            refused,
            [Err(DecodeError::Poisoned)],
            "failed decoder took input"
        );
        assert_eq!(decoder.decode(b"\n"), Err(DecodeError::Poisoned));
        assert!(decoder.feed(b"").next().is_none());
        decoder.reset();
        assert!(!decoder.has_failed(), "reset() did not clear the error");
        let items: Vec<_> = decoder.feed(b"SEND\n\n\0\n").collect();
        assert_eq!(
            items,
            [Ok(Item::Frame(Frame::new(Command::Send)))],
            "decoder does not work after reset()"
        );
    }

    // Every frame survives encode → decode.
    for item in &whole.items {
        if let Item::Frame(frame) = item {
            check_round_trip(frame, version, limits.trim_header_whitespace);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::PathBuf;

    fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
        crate::seed_corpus("decode", 15)
    }

    /// Every seed, under every version, limit preset, trim setting and chunking.
    #[test]
    fn corpus_under_every_configuration() {
        for (path, bytes) in corpus() {
            for b0 in [0u8, 1, 2, 4, 5, 6, 8, 9, 10, 0x40, 0x41, 0x42] {
                for b1 in 0u8..16 {
                    let mut input = vec![b0, b1];
                    input.extend_from_slice(bytes.get(2..).unwrap_or(&[]));
                    let result = std::panic::catch_unwind(|| check(&input));
                    assert!(
                        result.is_ok(),
                        "{} with config bytes {b0:#04x} {b1:#04x}",
                        path.display()
                    );
                }
            }
        }
    }

    /// The seeds are what they say: each decodes to at least one item, an error, or a partial
    /// frame.
    #[test]
    fn corpus_seeds_decode() {
        for (path, bytes) in corpus() {
            let (config, stream) = split(&bytes);
            let outcome = decode_chunks(config.version, config.limits, &[stream]);
            assert!(
                !outcome.items.is_empty() || outcome.error.is_some() || outcome.decoder.in_frame(),
                "{}: no item, no error, no partial frame",
                path.display()
            );
        }
    }

    #[test]
    fn chunks_cover_the_stream() {
        let stream: Vec<u8> = (0..=255).collect();
        for max in [1, 2, 7, 4096] {
            let pieces = chunks(&stream, max, 12345);
            assert!(pieces.iter().all(|c| !c.is_empty() && c.len() <= max));
            assert_eq!(pieces.concat(), stream);
        }
    }

    /// Pieces that make STOMP-looking streams, well formed or not.
    fn token() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::sample::select(vec![
                &b"CONNECT\n"[..],
                b"CONNECTED\n",
                b"SEND\n",
                b"MESSAGE\r\n",
                b"ERROR\n",
                b"RECEIPT\n",
                b"SUBSCRIBE\n",
                b"UNSUBSCRIBE\n",
                b"STOMP\n",
                b"send\n",
                b"destination:/queue/a\n",
                b"content-length:",
                b"content-length:0\n",
                b"content-length:3\n",
                b"content-length:4294967295\n",
                b"content-length:-1\n",
                b"content-length: 2 \n",
                b"accept-version:1.0,1.1,1.2\n",
                b"heart-beat:10000,10000\n",
                b"message-id:a:b:c\n",
                b"k:v\r\n",
                b"k\\c:v\\n\\r\\\\\n",
                b"\\t",
                b"\\",
                b":",
                b" ",
                b"\n",
                b"\r\n",
                b"\r",
                b"\0",
                b"\0\n",
                b"\xff\xfe",
                b"\xc3\xa9",
                b"body",
            ])
            .prop_map(|t| t.to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
            prop::collection::vec(b'0'..=b'9', 1..4),
        ]
    }

    proptest! {
        #[test]
        fn random_bytes(data in prop::collection::vec(any::<u8>(), 0..600)) {
            check(&data);
        }

        #[test]
        fn stomp_like_streams(
            b0 in any::<u8>(),
            b1 in any::<u8>(),
            tokens in prop::collection::vec(token(), 0..40),
        ) {
            let mut data = vec![b0, b1];
            data.extend(tokens.concat());
            check(&data);
        }

        #[test]
        fn mutated_seeds(
            pick in any::<prop::sample::Index>(),
            b0 in any::<u8>(),
            b1 in any::<u8>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..6),
        ) {
            let files = corpus();
            let mut data = files[pick.index(files.len())].1.clone();
            data[0] = b0;
            data[1] = b1;
            for (at, byte, kind) in edits {
                let i = 2 + at.index(data.len() - 1);
                match kind {
                    0 => data.insert(i.min(data.len()), byte),
                    1 if i < data.len() => { data.remove(i); }
                    _ if i < data.len() => data[i] = byte,
                    _ => data.push(byte),
                }
            }
            check(&data);
        }
    }
}
