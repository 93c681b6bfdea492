//! Invariants of the STOMP frame decoders — [`Decoder`] and [`AnyCommandDecoder`] — on
//! arbitrary input, shared by the libFuzzer target (`fuzz_targets/decode.rs`) and by the
//! stable property tests below.
//!
//! An input is two configuration bytes followed by the byte stream:
//!
//! | byte | bits | meaning |
//! |---|---|---|
//! | 0 | 0–1 | version: 0 → 1.0, 1 → 1.1, 2 and 3 → 1.2 |
//! | 0 | 2–3 | limits: 0 and 3 → defaults, 1 → small, 2 → tiny |
//! | 0 | 6 | `trim_header_whitespace` |
//! | 0 | 7 | [`Decoder::set_cut_nul`] |
//! | 1 | 0–2 | largest chunk: 1, 2, 3, 4, 7, 16, 64 or 4096 bytes |
//! | 1 | 3–7 | seed of the chunk sizes |
//!
//! So a seed file that starts with `2a` is STOMP 1.2, default limits, chunks of 1–2 bytes; `0h`
//! is STOMP 1.0 fed one byte at a time; `6a` is STOMP 1.2 with small limits; a first byte
//! of `0x82` is STOMP 1.2 with `cut_nul` on.
//!
//! Checked for every input:
//! - nothing panics;
//! - decoding the stream whole and in chunks yields the same items, and an error in one case
//!   exactly when there is one in the other (the same error, except that a size limit may be
//!   reported as another size limit, or with another size, depending on where a chunk ends);
//! - no decoded frame breaks the limits;
//! - after an error the decoder refuses input (`Poisoned`) until `reset`, and works after it;
//! - every decoded frame that the encoder accepts (for the decoder's version) decodes back to
//!   an equal frame; a refusal leaves the buffer as it was and names an unrepresentable byte;
//! - with `cut_nul` on, the same stream decoded with it off gives the same items, error and
//!   state, unless it stops at an LF where a counted body's NUL belongs (`MissingNul`), and
//!   then its items are the first ones of those with `cut_nul` on;
//! - an [`AnyCommandDecoder`] (same version, limits and `cut_nul`) fed the same chunks keeps
//!   to the limits (command word included), and its items equal the strict decoder's up to
//!   its first frame whose command is not STOMP's, where the strict decoder stops with
//!   `UnknownCommand`; where the strict decoder reads the whole stream, so does it, ending in
//!   the same state; an error of its own is the strict decoder's (or comes after the strict
//!   decoder's `UnknownCommand`); after an error it refuses input until `reset`;
//! - fed one byte at a time, with every MESSAGE body that can be elided
//!   ([`Decoder::elide_body`], tried after every byte with the length of the frame being read)
//!   skipped instead of fed, the decoder yields the same items with those bodies empty, the
//!   same error and the same state; it accepts an elision only right after a MESSAGE's blank
//!   line, for exactly its `content-length`.

use stompwire::frame::{
    AnyCommandDecoder, AnyItem, Command, ContentLength, DecodeError, Decoder, EncodeError, Frame,
    Item, Limits, Version, encode, encode_with,
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
    /// [`Decoder::set_cut_nul`].
    pub cut_nul: bool,
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
        cut_nul: b0 & 0x80 != 0,
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

/// Feeds `chunks` in order to a new decoder (with [`Decoder::set_cut_nul`] as `cut_nul`
/// says); stops at the first error.
pub fn decode_chunks(version: Version, limits: Limits, cut_nul: bool, chunks: &[&[u8]]) -> Outcome {
    let mut decoder = Decoder::new(limits);
    decoder.set_version(version);
    decoder.set_cut_nul(cut_nul);
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
    let outcome = decode_chunks(version, roomy(trim), false, &[bytes]);
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
    let cut_nul = config.cut_nul;
    let whole = decode_chunks(version, limits, cut_nul, &[stream]);
    let pieces = chunks(stream, config.max_chunk, config.seed);
    let mut chunked = decode_chunks(version, limits, cut_nul, &pieces);

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

    if cut_nul {
        check_cut_nul(version, limits, stream, &whole);
    }
    check_any_command(config, &pieces, &whole);
    check_elided(version, limits, cut_nul, stream, &whole);
}

/// See the module docs: elided bodies change nothing but the bodies.
fn check_elided(version: Version, limits: Limits, cut_nul: bool, stream: &[u8], whole: &Outcome) {
    let mut decoder = Decoder::new(limits);
    decoder.set_version(version);
    decoder.set_cut_nul(cut_nul);
    let mut items: Vec<Item> = Vec::new();
    let mut elided = Vec::new();
    let mut error = None;
    let mut at = 0;
    while at < stream.len() {
        // The frame being read is the next frame the whole decode gave.
        let next = whole.items[items.len().min(whole.items.len())..]
            .iter()
            .find_map(|item| match item {
                Item::Frame(frame) => Some(frame),
                Item::Heartbeat => None,
            });
        if let Some(n) = next.and_then(Frame::content_length) {
            let message = next.is_some_and(|f| f.command == Command::Message);
            assert!(
                !decoder.elide_body(n + 1),
                "an elision of another length was taken"
            );
            if stream.len() - at >= n && decoder.elide_body(n) {
                assert!(message, "an elision was taken for a {next:?}");
                assert_eq!(
                    &stream[at..at + n],
                    next.unwrap().body(),
                    "the elided bytes are not the body"
                );
                elided.push(items.len());
                at += n;
                continue;
            }
        }
        // One byte, until the decoder has taken it.
        let byte = &stream[at..at + 1];
        let mut taken = 0;
        while taken == 0 {
            match decoder.decode(byte) {
                Ok(decoded) => {
                    taken = decoded.consumed;
                    let done = decoded.item.is_none();
                    items.extend(decoded.item);
                    assert!(
                        taken == 1 || !done,
                        "the decoder neither took a byte nor gave an item"
                    );
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        if error.is_some() {
            break;
        }
        at += 1;
    }
    let expected: Vec<Item> = whole
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Item::Frame(frame) if elided.contains(&i) => Item::Frame(Frame::from_parts(
                frame.command,
                frame.headers.clone(),
                Vec::new(),
            )),
            other => other.clone(),
        })
        .collect();
    assert_eq!(
        items, expected,
        "elided bodies changed more than the bodies"
    );
    match (&whole.error, &error) {
        (None, None) => assert_eq!(whole.decoder.in_frame(), decoder.in_frame()),
        (Some(a), Some(b)) => assert!(same_error(a, b), "errors differ: {a:?}, elided {b:?}"),
        (a, b) => panic!("error in one case only: whole {a:?}, elided {b:?}"),
    }
}

/// `cut_nul` changes nothing before an LF where a counted body's NUL belongs.
fn check_cut_nul(version: Version, limits: Limits, stream: &[u8], on: &Outcome) {
    let off = decode_chunks(version, limits, false, &[stream]);
    let same = off.items == on.items
        && off.error == on.error
        && off.decoder.in_frame() == on.decoder.in_frame();
    if same {
        return;
    }
    assert_eq!(
        off.error,
        Some(DecodeError::MissingNul { found: b'\n' }),
        "cut_nul changed the outcome of a stream without an LF after a counted body: \
         off {off:?}, on {on:?}"
    );
    assert!(
        on.items.starts_with(&off.items),
        "cut_nul lost items: off {:?}, on {:?}",
        off.items,
        on.items
    );
}

/// What an [`AnyCommandDecoder`] made of a stream.
#[derive(Debug)]
pub struct AnyOutcome {
    /// The items, in order, up to the first error.
    pub items: Vec<AnyItem>,
    /// The first error, if any.
    pub error: Option<DecodeError>,
    /// The decoder, as the stream left it.
    pub decoder: AnyCommandDecoder,
}

/// Feeds `chunks` in order to a new [`AnyCommandDecoder`]; stops at the first error.
pub fn decode_any(version: Version, limits: Limits, cut_nul: bool, chunks: &[&[u8]]) -> AnyOutcome {
    let mut decoder = AnyCommandDecoder::new(limits);
    decoder.set_version(version);
    decoder.set_cut_nul(cut_nul);
    let mut items = Vec::new();
    let mut error = None;
    'chunks: for chunk in chunks {
        let mut input = *chunk;
        while !input.is_empty() {
            match decoder.decode(input) {
                Ok((consumed, item)) => {
                    assert!(
                        consumed > 0 && consumed <= input.len(),
                        "decode took {consumed} of {} bytes",
                        input.len()
                    );
                    input = &input[consumed..];
                    items.extend(item);
                }
                Err(e) => {
                    error = Some(e);
                    break 'chunks;
                }
            }
        }
    }
    AnyOutcome {
        items,
        error,
        decoder,
    }
}

/// The [`AnyCommandDecoder`] on the strict decoder's chunks, against the strict decoder's
/// outcome on the whole stream (which equals its outcome on the chunks).
fn check_any_command(config: Config, pieces: &[&[u8]], strict: &Outcome) {
    let Config {
        version,
        limits,
        cut_nul,
        ..
    } = config;
    let mut any = decode_any(version, limits, cut_nul, pieces);

    // Bounded as the strict decoder is, the command word included.
    for item in &any.items {
        if let AnyItem::Frame(frame) = item {
            assert!(
                frame.headers().len() <= limits.max_headers,
                "too many headers"
            );
            assert!(
                frame.body().len() <= limits.max_body_size,
                "body over the limit"
            );
            assert!(
                frame.command().len() <= limits.max_command_len,
                "command word over the limit: {:?}",
                frame.command()
            );
        }
    }

    // Equal to the strict decoder's up to the first command that is not STOMP's.
    let other = any
        .items
        .iter()
        .position(|item| matches!(item, AnyItem::Frame(f) if f.frame().is_none()));
    let stomp: Vec<Item> = any.items[..other.unwrap_or(any.items.len())]
        .iter()
        .map(|item| match item {
            AnyItem::Heartbeat => Item::Heartbeat,
            AnyItem::Frame(f) => Item::Frame(f.frame().expect("a STOMP command").clone()),
        })
        .collect();
    assert_eq!(
        strict.items, stomp,
        "strict and any-command decoders differ before any other command"
    );
    let unknown = matches!(strict.error, Some(DecodeError::UnknownCommand(_)));
    match (other, &any.error, &strict.error) {
        (Some(_), _, _) => assert!(
            unknown,
            "the strict decoder read past another command: {:?}",
            strict.error
        ),
        (None, None, None) => assert_eq!(
            any.decoder.in_frame(),
            strict.decoder.in_frame(),
            "in_frame differs between strict and any-command decoders"
        ),
        (None, None, Some(_)) => assert!(
            unknown && any.decoder.in_frame(),
            "the any-command decoder took a stream the strict one refused ({:?}) and is \
             not inside another command's frame",
            strict.error
        ),
        (None, Some(a), Some(s)) => assert!(
            same_error(a, s) || unknown,
            "errors differ: any-command {a:?}, strict {s:?}"
        ),
        (None, Some(a), None) => {
            panic!("only the any-command decoder failed: {a:?}")
        }
    }

    // After an error: refusal, then recovery with reset.
    if any.error.is_some() {
        let decoder = &mut any.decoder;
        assert!(decoder.has_failed(), "has_failed() is false after an error");
        assert!(!decoder.in_frame(), "in_frame() is true after an error");
        assert_eq!(decoder.decode(b"SEND\n\n\0"), Err(DecodeError::Poisoned));
        decoder.reset();
        assert!(!decoder.has_failed(), "reset() did not clear the error");
        let (consumed, item) = decoder
            .decode(b"RECEIVE\n\n\0")
            .expect("works after reset()");
        assert_eq!(consumed, 10);
        match item {
            Some(AnyItem::Frame(f)) => assert_eq!(f.command(), "RECEIVE"),
            other => panic!("decoder does not work after reset(): {other:?}"),
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
            for b0 in [0u8, 1, 2, 4, 5, 6, 8, 9, 10, 0x40, 0x41, 0x42, 0x80, 0x86] {
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
            let outcome = decode_chunks(config.version, config.limits, config.cut_nul, &[stream]);
            assert!(
                !outcome.items.is_empty() || outcome.error.is_some() || outcome.decoder.in_frame(),
                "{}: no item, no error, no partial frame",
                path.display()
            );
        }
    }

    /// The `cut_nul` seed takes the lenient path: refused with `cut_nul` off, read whole with
    /// it on.
    #[test]
    fn cut_nul_seed_needs_cut_nul() {
        let bytes = std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("corpus/decode/cut-nul-lf-after-counted-body"),
        )
        .unwrap();
        let (config, stream) = split(&bytes);
        assert!(config.cut_nul);
        let on = decode_chunks(config.version, config.limits, true, &[stream]);
        assert_eq!(on.error, None);
        let frames = on
            .items
            .iter()
            .filter(|i| matches!(i, Item::Frame(_)))
            .count();
        assert_eq!(frames, 3, "{:?}", on.items);
        let off = decode_chunks(config.version, config.limits, false, &[stream]);
        assert_eq!(off.error, Some(DecodeError::MissingNul { found: b'\n' }));
        assert!(off.items.is_empty());
    }

    /// The any-command seed has a frame only the any-command decoder reads, then STOMP frames.
    #[test]
    fn any_command_seed_has_another_command() {
        let bytes = std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/decode/any-command-receive"),
        )
        .unwrap();
        let (config, stream) = split(&bytes);
        let any = decode_any(config.version, config.limits, config.cut_nul, &[stream]);
        assert_eq!(any.error, None);
        let commands: Vec<_> = any
            .items
            .iter()
            .filter_map(|i| match i {
                AnyItem::Frame(f) => Some(f.command().to_string()),
                AnyItem::Heartbeat => None,
            })
            .collect();
        assert_eq!(commands, ["RECEIVE", "MESSAGE", "SEND"]);
        let strict = decode_chunks(config.version, config.limits, config.cut_nul, &[stream]);
        assert!(matches!(strict.error, Some(DecodeError::UnknownCommand(_))));
        assert!(strict.items.is_empty());
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
                b"RECEIVE\n",
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
                b"\n\0",
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
