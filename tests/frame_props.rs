//! Properties of the codec over generated input:
//!
//! - what the encoder accepts decodes back to the same frame, in every version, and it
//!   refuses exactly the headers a version cannot represent;
//! - every split of a stream into chunks decodes to the same items (and error) as the whole;
//! - arbitrary bytes never panic and never produce a frame beyond the limits.

use proptest::prelude::*;
use stompwire::frame::{
    Command, ContentLength, DecodeError, Decoder, Frame, Headers, Item, Limits, Version,
    encode_with,
};

/// Characters for names and values: mostly the ones escaping is about, plus any char.
fn header_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::sample::select(vec![':', '\n', '\r', '\\', '\0', ' ', 'c', 'n', 'r']),
        4 => any::<char>(),
        3 => proptest::char::range('a', 'z'),
    ]
}

fn header_text(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    proptest::collection::vec(header_char(), len).prop_map(|chars| chars.into_iter().collect())
}

fn command() -> impl Strategy<Value = Command> {
    proptest::sample::select(Command::ALL.to_vec())
}

fn version() -> impl Strategy<Value = Version> {
    proptest::sample::select(Version::ALL.to_vec())
}

fn content_length_mode() -> impl Strategy<Value = ContentLength> {
    proptest::sample::select(vec![ContentLength::Auto, ContentLength::Skip])
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(prop_oneof![1 => Just(0u8), 4 => any::<u8>()], 0..48)
}

fn frame() -> impl Strategy<Value = Frame> {
    (
        command(),
        proptest::collection::vec((header_text(1..8), header_text(0..12)), 0..6),
        body(),
    )
        .prop_map(|(command, headers, body)| {
            let headers: Headers = headers
                .into_iter()
                .filter(|(name, _)| name != "content-length")
                .collect();
            Frame::from_parts(command, headers, body)
        })
}

/// Whether `version` can write this header of a `command` frame.
fn representable(command: Command, version: Version, name: &str, value: &str) -> bool {
    if name.is_empty() || name.starts_with('\0') {
        return false;
    }
    let escaped = command.escapes_headers(version);
    if !escaped {
        let forbidden_in_name = [':', '\n', '\r'];
        !name.contains(forbidden_in_name) && !value.contains(['\n', '\r'])
    } else if version == Version::V1_1 {
        !name.contains('\r') && !value.contains('\r')
    } else {
        true
    }
}

/// What decoding a stream gives: its items, then the error that stopped it, if any.
type Outcome = (Vec<Item>, Option<DecodeError>);

/// Decodes the chunks in turn with [`Decoder::decode`], checking its contract: input is
/// taken in full unless an item completes.
fn decode_chunks<'a>(
    version: Version,
    limits: Limits,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Outcome {
    let mut decoder = Decoder::new(limits);
    decoder.set_version(version);
    let mut items = Vec::new();
    for mut chunk in chunks {
        while !chunk.is_empty() {
            match decoder.decode(chunk) {
                Ok(decoded) => {
                    assert!(decoded.consumed <= chunk.len());
                    match decoded.item {
                        Some(item) => {
                            assert!(decoded.consumed > 0, "an item takes input");
                            items.push(item);
                        }
                        None => assert_eq!(decoded.consumed, chunk.len(), "input left over"),
                    }
                    chunk = &chunk[decoded.consumed..];
                }
                Err(e) => {
                    assert!(decoder.has_failed());
                    return (items, Some(e));
                }
            }
        }
    }
    (items, None)
}

/// Splits `input` at `cuts` (positions taken modulo its length, in any order).
fn split<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    at.push(0);
    at.push(input.len());
    at.sort_unstable();
    at.windows(2).map(|w| &input[w[0]..w[1]]).collect()
}

/// A stream of encodable frames separated by heart-beats, and optionally followed by noise.
fn stream(version: Version) -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(
            (
                frame(),
                content_length_mode(),
                proptest::sample::select(vec!["", "\n", "\r\n", "\n\n", "\r\n\n"]),
            ),
            1..5,
        ),
        proptest::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(move |(frames, noise)| {
            let mut out = Vec::new();
            for (frame, mode, eols) in frames {
                // Unencodable frames are simply left out.
                let _ = encode_with(&frame, version, mode, &mut out);
                out.extend_from_slice(eols.as_bytes());
            }
            out.extend_from_slice(&noise);
            out
        })
}

/// Bytes shaped like STOMP often enough to reach every decoder state.
fn stomp_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        2 => proptest::collection::vec(any::<u8>(), 0..6),
        1 => proptest::sample::select(vec![
            &b"MESSAGE\n"[..], b"SEND\r\n", b"CONNECTED\n", b"content-length:3\n",
            b"content-length:", b"a:b\n", b"a\\cb:\\n\n", b"\\t", b"\n", b"\r\n", b"\r",
            b"\0", b"\0\n", b"x:\xff\n", b"\n\n", b":\n", b"9999999999999999999999",
            b"a:\xc3", b"\xa4:", b"\xe2\x82", b"\xac", "ä€".as_bytes(),
        ])
        .prop_map(<[u8]>::to_vec),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn small_limits() -> impl Strategy<Value = Limits> {
    (
        1usize..64,
        0usize..16,
        0usize..4,
        1usize..24,
        1usize..12,
        any::<bool>(),
    )
        .prop_map(|(frame, body, headers, line, command, trim)| {
            Limits::default()
                .with_max_frame_size(frame)
                .with_max_body_size(body)
                .with_max_headers(headers)
                .with_max_header_line(line)
                .with_max_command_len(command)
                .with_trim_header_whitespace(trim)
        })
}

/// Header bytes rich in pieces of UTF-8 characters (lead and continuation bytes), never LF.
fn raw_header_bytes(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            proptest::sample::select(vec![0xc3u8, 0xa4, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0xff, b'a']),
            any::<u8>().prop_filter("no LF", |&b| b != b'\n'),
        ],
        len,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_header_line_that_is_not_utf8_on_its_own_is_an_error(
        headers in proptest::collection::vec((raw_header_bytes(1..6), raw_header_bytes(0..6)), 1..6),
    ) {
        // Names hold no colon and do not start with NUL; values do not end in CR (which
        // would be taken as part of a CRLF). 1.0, so no escapes get in the way.
        let headers: Vec<(Vec<u8>, Vec<u8>)> = headers
            .into_iter()
            .map(|(mut name, mut value)| {
                name.retain(|&b| b != b':');
                if name.first().is_none_or(|&b| b == 0) {
                    name.insert(0, b'n');
                }
                if value.last() == Some(&b'\r') {
                    value.push(b'v');
                }
                (name, value)
            })
            .collect();
        let mut wire = b"MESSAGE\n".to_vec();
        for (name, value) in &headers {
            wire.extend_from_slice(name);
            wire.push(b':');
            wire.extend_from_slice(value);
            wire.push(b'\n');
        }
        wire.extend_from_slice(b"\n\0");
        let first_bad = headers.iter().position(|(name, value)| {
            std::str::from_utf8(name).is_err() || std::str::from_utf8(value).is_err()
        });
        let (items, error) = decode_chunks(Version::V1_0, Limits::default(), [&wire[..]]);
        match first_bad {
            Some(line) => prop_assert_eq!(error, Some(DecodeError::NonUtf8Header { line })),
            None => {
                prop_assert_eq!(error, None);
                let Item::Frame(frame) = &items[0] else {
                    return Err(TestCaseError::fail("expected a frame"));
                };
                let got: Vec<(&[u8], &[u8])> =
                    frame.headers.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())).collect();
                let want: Vec<(&[u8], &[u8])> =
                    headers.iter().map(|(n, v)| (&n[..], &v[..])).collect();
                prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn encoded_frames_decode_to_themselves(
        frame in frame(),
        version in version(),
        mode in content_length_mode(),
    ) {
        let mut out = b"kept".to_vec();
        let result = encode_with(&frame, version, mode, &mut out);
        let can = frame
            .headers
            .iter()
            .all(|(name, value)| representable(frame.command, version, name, value));
        prop_assert_eq!(result.is_ok(), can, "{:?}", result);
        if !can {
            prop_assert_eq!(&out[..], b"kept", "nothing written on error");
            return Ok(());
        }
        let (items, error) = decode_chunks(version, Limits::default(), [&out[4..]]);
        prop_assert_eq!(error, None);
        prop_assert_eq!(items.len(), 1);
        let Item::Frame(decoded) = &items[0] else {
            return Err(TestCaseError::fail("expected a frame"));
        };
        let mut expected = frame.clone();
        let needs_length = match mode {
            ContentLength::Auto => !frame.body.is_empty(),
            ContentLength::Skip => frame.body.contains(&0),
            other => unreachable!("the strategy makes no {other:?}"),
        };
        if needs_length {
            expected.headers.push("content-length", &frame.body.len().to_string());
        }
        prop_assert_eq!(decoded, &expected);
    }

    #[test]
    fn every_chunking_decodes_like_the_whole(
        version in version(),
        input in version().prop_flat_map(stream),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = decode_chunks(version, Limits::default(), [&input[..]]);
        let chunked = decode_chunks(version, Limits::default(), split(&input, &cuts));
        prop_assert_eq!(&chunked, &whole);
        let bytewise = decode_chunks(version, Limits::default(), input.chunks(1));
        prop_assert_eq!(&bytewise, &whole);
    }

    #[test]
    fn arbitrary_bytes_decode_alike_in_any_chunking_and_within_limits(
        version in version(),
        limits in small_limits(),
        input in stomp_like_bytes(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = decode_chunks(version, limits, [&input[..]]);
        let chunked = decode_chunks(version, limits, split(&input, &cuts));
        prop_assert_eq!(&chunked, &whole);
        for item in &whole.0 {
            if let Item::Frame(frame) = item {
                prop_assert!(frame.headers.len() <= limits.max_headers);
                prop_assert!(frame.body.len() <= limits.max_body_size);
                for (name, value) in frame.headers.iter() {
                    prop_assert!(name.len() + 1 + value.len() <= limits.max_header_line);
                }
            }
        }
        if let Some(DecodeError::LimitExceeded { max, actual, .. }) = whole.1 {
            prop_assert!(actual > max);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_with_default_limits(
        version in version(),
        input in proptest::collection::vec(any::<u8>(), 0..256),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let whole = decode_chunks(version, Limits::default(), [&input[..]]);
        prop_assert_eq!(decode_chunks(version, Limits::default(), split(&input, &cuts)), whole);
    }
}
