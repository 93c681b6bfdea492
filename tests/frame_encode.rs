//! Encoding rules: the wire form, `content-length` (added, kept, checked, skipped), headers a
//! version cannot write, buffer reuse, and that an error leaves the buffer as it was.

use stompwire::frame::{
    Command, ContentLength, Decoder, EncodeError, Frame, Item, Version, encode, encode_heartbeat,
    encode_with,
};

fn encoded(frame: &Frame, version: Version, content_length: ContentLength) -> Vec<u8> {
    let mut out = Vec::new();
    encode_with(frame, version, content_length, &mut out).unwrap();
    out
}

fn decode_one(version: Version, wire: &[u8]) -> Frame {
    let mut decoder = Decoder::default();
    decoder.set_version(version);
    let items: Vec<Item> = decoder.feed(wire).map(Result::unwrap).collect();
    match &items[..] {
        [Item::Frame(frame)] => frame.clone(),
        other => panic!("expected one frame, got {other:?}"),
    }
}

fn send(body: &[u8]) -> Frame {
    Frame::new(Command::Send)
        .with_header("destination", "/queue/a")
        .with_body(body)
}

#[test]
fn the_wire_form_is_command_headers_blank_line_body_nul() {
    let frame = Frame::new(Command::Send)
        .with_header("destination", "/queue/a")
        .with_header("content-type", "text/plain")
        .with_body("hello queue a\n");
    assert_eq!(
        encoded(&frame, Version::V1_2, ContentLength::Auto),
        b"SEND\ndestination:/queue/a\ncontent-type:text/plain\ncontent-length:14\n\nhello queue a\n\0"
    );
}

#[test]
fn a_frame_without_headers_or_body() {
    assert_eq!(
        encoded(
            &Frame::new(Command::Disconnect),
            Version::V1_2,
            ContentLength::Auto
        ),
        b"DISCONNECT\n\n\0"
    );
}

#[test]
fn content_length_is_added_for_a_non_empty_body() {
    let wire = encoded(&send(b"hi"), Version::V1_2, ContentLength::Auto);
    assert_eq!(
        wire,
        b"SEND\ndestination:/queue/a\ncontent-length:2\n\nhi\0"
    );
}

#[test]
fn content_length_is_not_added_for_an_empty_body() {
    let wire = encoded(&send(b""), Version::V1_2, ContentLength::Auto);
    assert_eq!(wire, b"SEND\ndestination:/queue/a\n\n\0");
}

#[test]
fn content_length_can_be_skipped_for_a_body_without_nul() {
    let wire = encoded(&send(b"text"), Version::V1_2, ContentLength::Skip);
    assert_eq!(wire, b"SEND\ndestination:/queue/a\n\ntext\0");
    assert_eq!(decode_one(Version::V1_2, &wire).body(), b"text");
}

#[test]
fn content_length_is_always_added_for_a_body_holding_nul() {
    for mode in [ContentLength::Auto, ContentLength::Skip] {
        let wire = encoded(&send(b"a\0b"), Version::V1_2, mode);
        assert_eq!(
            wire,
            b"SEND\ndestination:/queue/a\ncontent-length:3\n\na\0b\0"
        );
        assert_eq!(decode_one(Version::V1_2, &wire).body(), b"a\0b");
    }
}

#[test]
fn content_length_is_written_in_every_version() {
    for version in Version::ALL {
        let wire = encoded(&send(b"\0"), version, ContentLength::Auto);
        assert_eq!(decode_one(version, &wire).body(), b"\0", "{version}");
    }
}

#[test]
fn a_given_content_length_is_kept_not_repeated() {
    let frame = send(b"hi").with_header("content-length", "2");
    let wire = encoded(&frame, Version::V1_2, ContentLength::Auto);
    assert_eq!(
        wire,
        b"SEND\ndestination:/queue/a\ncontent-length:2\n\nhi\0"
    );
}

#[test]
fn a_given_content_length_must_match_the_body() {
    let frame = send(b"hi").with_header("content-length", "3");
    let mut out = Vec::new();
    assert_eq!(
        encode(&frame, Version::V1_2, &mut out),
        Err(EncodeError::ContentLengthMismatch { header: 3, body: 2 })
    );
}

#[test]
fn a_given_content_length_must_be_a_plain_decimal() {
    for value in ["+2", " 2", "2 ", "", "two", "0x2", "-2"] {
        let frame = send(b"hi").with_header("content-length", value);
        let mut out = Vec::new();
        assert_eq!(
            encode(&frame, Version::V1_2, &mut out),
            Err(EncodeError::InvalidContentLength),
            "{value:?}"
        );
    }
}

#[test]
fn content_length_accessor_agrees_with_the_decoder() {
    assert_eq!(
        send(b"")
            .with_header("content-length", "+2")
            .content_length(),
        None
    );
    assert_eq!(
        send(b"")
            .with_header("content-length", "02")
            .content_length(),
        Some(2)
    );
}

/// One test per row: version, command, header name and value, then the byte the encoder
/// must refuse and whether it is in the name.
macro_rules! unrepresentable {
    ($($name:ident: $version:ident, $command:ident, $h:expr, $v:expr => $byte:expr, $in_name:expr;)*) => {$(
        #[test]
        fn $name() {
            let frame = Frame::new(Command::$command)
                .with_header("ok", "1")
                .with_header($h, $v);
            let mut out = Vec::new();
            assert_eq!(
                encode(&frame, Version::$version, &mut out),
                Err(EncodeError::Unrepresentable {
                    command: Command::$command,
                    header: 1,
                    in_name: $in_name,
                    byte: $byte,
                })
            );
        }
    )*};
}

unrepresentable! {
    lf_in_a_1_0_value: V1_0, Send, "x", "a\nb" => b'\n', false;
    cr_in_a_1_0_value: V1_0, Send, "x", "a\rb" => b'\r', false;
    colon_in_a_1_0_name: V1_0, Send, "a:b", "x" => b':', true;
    lf_in_a_1_0_name: V1_0, Send, "a\nb", "x" => b'\n', true;
    cr_in_a_1_1_value: V1_1, Send, "x", "a\r" => b'\r', false;
    cr_in_a_1_1_name: V1_1, Message, "a\rb", "x" => b'\r', true;
    lf_in_a_1_2_connect_value: V1_2, Connect, "host", "a\nb" => b'\n', false;
    cr_in_a_1_2_stomp_value: V1_2, Stomp, "host", "a\r" => b'\r', false;
    colon_in_a_1_2_connected_name: V1_2, Connected, "a:b", "x" => b':', true;
    nul_starting_a_name: V1_2, Send, "\0x", "x" => 0, true;
}

#[test]
fn an_injected_header_line_is_never_written() {
    // A value trying to smuggle a second header must not reach the wire in any form.
    let frame = Frame::new(Command::Send)
        .with_header("destination", "/queue/a\npasscode:secret")
        .with_body("x");
    let mut out = Vec::new();
    assert!(encode(&frame, Version::V1_0, &mut out).is_err());
    assert!(out.is_empty());
    encode(&frame, Version::V1_1, &mut out).unwrap();
    let decoded = decode_one(Version::V1_1, &out);
    assert_eq!(
        decoded.headers.len(),
        2,
        "destination and content-length only"
    );
    assert_eq!(decoded.destination(), Some("/queue/a\npasscode:secret"));
}

#[test]
fn a_nul_inside_a_name_or_value_is_fine() {
    let frame = Frame::new(Command::Send).with_header("a\0", "\0b");
    let mut out = Vec::new();
    encode(&frame, Version::V1_2, &mut out).unwrap();
    assert_eq!(decode_one(Version::V1_2, &out).header("a\0"), Some("\0b"));
}

#[test]
fn an_empty_header_name_is_an_error() {
    let frame = Frame::new(Command::Send).with_header("", "x");
    let mut out = Vec::new();
    assert_eq!(
        encode(&frame, Version::V1_2, &mut out),
        Err(EncodeError::EmptyHeaderName { header: 0 })
    );
}

#[test]
fn encoding_appends_to_the_buffer() {
    let mut out = b"prefix".to_vec();
    encode(&Frame::new(Command::Disconnect), Version::V1_2, &mut out).unwrap();
    encode_heartbeat(&mut out);
    encode(&Frame::new(Command::Disconnect), Version::V1_2, &mut out).unwrap();
    assert_eq!(out, b"prefixDISCONNECT\n\n\0\nDISCONNECT\n\n\0");
}

#[test]
fn a_cleared_buffer_is_reused_without_reallocating() {
    let frame = send(&[7; 4096]).with_header("content-type", "application/octet-stream");
    let mut out = Vec::new();
    encode(&frame, Version::V1_2, &mut out).unwrap();
    let (capacity, pointer) = (out.capacity(), out.as_ptr());
    for _ in 0..100 {
        out.clear();
        encode(&frame, Version::V1_2, &mut out).unwrap();
        assert_eq!((out.capacity(), out.as_ptr()), (capacity, pointer));
    }
}

#[test]
fn an_error_leaves_the_buffer_as_it_was() {
    let mut out = Vec::new();
    encode(&send(b"first"), Version::V1_2, &mut out).unwrap();
    let before = out.clone();
    let bad = [
        send(b"x").with_header("late", "bad\rvalue"),
        send(b"x").with_header("content-length", "9"),
        send(b"x").with_header("", "v"),
    ];
    for frame in &bad {
        assert!(encode(frame, Version::V1_1, &mut out).is_err());
        assert_eq!(out, before, "{frame:?}");
    }
}

#[test]
fn a_heart_beat_is_one_lf() {
    let mut out = Vec::new();
    encode_heartbeat(&mut out);
    assert_eq!(out, b"\n");
}

#[test]
fn every_command_round_trips_in_every_version() {
    for version in Version::ALL {
        for command in Command::ALL {
            let frame = Frame::new(command)
                .with_header("receipt", "r-1")
                .with_header("x", "a\\b c");
            let wire = encoded(&frame, version, ContentLength::Auto);
            assert_eq!(decode_one(version, &wire), frame, "{command} {version}");
        }
    }
}

#[test]
fn a_large_binary_body_round_trips() {
    let body: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let frame = send(&body);
    let wire = encoded(&frame, Version::V1_2, ContentLength::Skip);
    let decoded = decode_one(Version::V1_2, &wire);
    assert_eq!(decoded.body(), &body[..]);
    assert_eq!(decoded.content_length(), Some(body.len()));
}
