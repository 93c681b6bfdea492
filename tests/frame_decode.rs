//! Decoding rules: the example frames of the STOMP 1.2, 1.1 and 1.0 specifications, framing
//! (content-length, NUL, EOLs, heart-beats), header rules, and frames as brokers write them.
//!
//! Every input is decoded whole and again one byte at a time; both must give the same items
//! and the same error.

use stompwire::frame::{
    AnyCommandDecoder, AnyFrame, AnyItem, Command, DecodeError, Decoder, Frame, Item, Limits,
    Version,
};

/// What a stream decodes to: its items, then the error that stopped it, if any.
type Outcome = (Vec<Item>, Option<DecodeError>);

fn run(version: Version, limits: Limits, chunks: &mut dyn Iterator<Item = &[u8]>) -> Outcome {
    let mut decoder = Decoder::new(limits);
    decoder.set_version(version);
    let mut items = Vec::new();
    for chunk in chunks {
        for item in decoder.feed(chunk) {
            match item {
                Ok(item) => items.push(item),
                Err(e) => return (items, Some(e)),
            }
        }
    }
    (items, None)
}

/// Decodes `input` whole and one byte at a time, checks both agree, returns the outcome.
fn decode_with(version: Version, limits: Limits, input: &[u8]) -> Outcome {
    let whole = run(version, limits, &mut core::iter::once(input));
    let bytewise = run(version, limits, &mut input.chunks(1));
    assert_eq!(whole, bytewise, "whole and byte-at-a-time decoding differ");
    whole
}

fn decode(version: Version, input: &[u8]) -> Outcome {
    decode_with(version, Limits::default(), input)
}

/// The frames of a stream that must decode without error (heart-beats dropped).
fn frames(version: Version, input: &[u8]) -> Vec<Frame> {
    let (items, error) = decode(version, input);
    assert_eq!(error, None, "unexpected error");
    items
        .into_iter()
        .filter_map(|item| match item {
            Item::Frame(frame) => Some(frame),
            Item::Heartbeat => None,
        })
        .collect()
}

/// The only frame of a stream that must hold exactly one.
fn one(version: Version, input: &[u8]) -> Frame {
    let mut frames = frames(version, input);
    assert_eq!(frames.len(), 1, "expected exactly one frame");
    frames.pop().unwrap()
}

/// The error a stream must end with.
fn error(version: Version, input: &[u8]) -> DecodeError {
    decode(version, input).1.expect("expected an error")
}

fn headers(frame: &Frame) -> Vec<(&str, &str)> {
    frame.headers.iter().collect()
}

/// One test per example frame: version, wire bytes, then the command, headers and body the
/// frame must decode to.
macro_rules! examples {
    ($($name:ident: $version:ident, $wire:expr => $command:ident, [$(($n:expr, $v:expr)),* $(,)?], $body:expr;)*) => {$(
        #[test]
        fn $name() {
            let frame = one(Version::$version, $wire);
            assert_eq!(frame.command, Command::$command);
            let expected: Vec<(&str, &str)> = vec![$(($n, $v)),*];
            assert_eq!(headers(&frame), expected);
            assert_eq!(frame.body(), $body as &[u8]);
        }
    )*};
}

// The example frames of the STOMP 1.2 specification, with `^@` written as NUL.
examples! {
    spec_1_2_repeated_header_entries: V1_2,
        b"MESSAGE\nfoo:World\nfoo:Hello\n\n\0"
        => Message, [("foo", "World"), ("foo", "Hello")], b"";
    spec_1_2_connect: V1_2,
        b"CONNECT\naccept-version:1.2\nhost:stomp.github.org\n\n\0"
        => Connect, [("accept-version", "1.2"), ("host", "stomp.github.org")], b"";
    spec_1_2_connected: V1_2,
        b"CONNECTED\nversion:1.2\n\n\0"
        => Connected, [("version", "1.2")], b"";
    spec_1_2_negotiation_connect: V1_2,
        b"CONNECT\naccept-version:1.0,1.1,2.0\nhost:stomp.github.org\n\n\0"
        => Connect, [("accept-version", "1.0,1.1,2.0"), ("host", "stomp.github.org")], b"";
    spec_1_2_negotiation_connected: V1_2,
        b"CONNECTED\nversion:1.1\n\n\0"
        => Connected, [("version", "1.1")], b"";
    spec_1_2_no_common_version_error: V1_2,
        b"ERROR\nversion:1.2,2.1\ncontent-type:text/plain\n\nSupported protocol versions are 1.2 2.1\0"
        => Error, [("version", "1.2,2.1"), ("content-type", "text/plain")],
        b"Supported protocol versions are 1.2 2.1";
    spec_1_2_send: V1_2,
        b"SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\n\0"
        => Send, [("destination", "/queue/a"), ("content-type", "text/plain")], b"hello queue a\n";
    spec_1_2_send_with_receipt: V1_2,
        b"SEND\ndestination:/queue/a\nreceipt:message-12345\n\nhello queue a\0"
        => Send, [("destination", "/queue/a"), ("receipt", "message-12345")], b"hello queue a";
    spec_1_2_subscribe: V1_2,
        b"SUBSCRIBE\nid:0\ndestination:/queue/foo\nack:client\n\n\0"
        => Subscribe, [("id", "0"), ("destination", "/queue/foo"), ("ack", "client")], b"";
    spec_1_2_unsubscribe: V1_2,
        b"UNSUBSCRIBE\nid:0\n\n\0"
        => Unsubscribe, [("id", "0")], b"";
    spec_1_2_ack: V1_2,
        b"ACK\nid:12345\ntransaction:tx1\n\n\0"
        => Ack, [("id", "12345"), ("transaction", "tx1")], b"";
    spec_1_2_begin: V1_2,
        b"BEGIN\ntransaction:tx1\n\n\0" => Begin, [("transaction", "tx1")], b"";
    spec_1_2_commit: V1_2,
        b"COMMIT\ntransaction:tx1\n\n\0" => Commit, [("transaction", "tx1")], b"";
    spec_1_2_abort: V1_2,
        b"ABORT\ntransaction:tx1\n\n\0" => Abort, [("transaction", "tx1")], b"";
    spec_1_2_disconnect_printed_without_blank_line: V1_2,
        b"DISCONNECT\nreceipt:77\n\0" => Disconnect, [("receipt", "77")], b"";
    spec_1_2_receipt_for_disconnect_printed_without_blank_line: V1_2,
        b"RECEIPT\nreceipt-id:77\n\0" => Receipt, [("receipt-id", "77")], b"";
    spec_1_2_message: V1_2,
        b"MESSAGE\nsubscription:0\nmessage-id:007\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\0"
        => Message,
        [("subscription", "0"), ("message-id", "007"), ("destination", "/queue/a"), ("content-type", "text/plain")],
        b"hello queue a";
    spec_1_2_receipt: V1_2,
        b"RECEIPT\nreceipt-id:message-12345\n\n\0" => Receipt, [("receipt-id", "message-12345")], b"";
}

/// The ERROR example body of the 1.2 specification (170 bytes).
const SPEC_1_2_ERROR_BODY: &[u8] = b"The message:\n-----\nMESSAGE\ndestined:/queue/a\nreceipt:message-12345\n\nHello queue a!\n-----\nDid not contain a destination header, which is REQUIRED\nfor message propagation.\n";

/// The ERROR example body of the 1.1 specification: two blank lines, 171 bytes.
const SPEC_1_1_ERROR_BODY: &[u8] = b"The message:\n-----\nMESSAGE\ndestined:/queue/a\nreceipt:message-12345\n\n\nHello queue a!\n-----\nDid not contain a destination header, which is REQUIRED\nfor message propagation.\n";

fn spec_error_frame(content_length: usize, body: &[u8]) -> Vec<u8> {
    let mut wire = format!(
        "ERROR\nreceipt-id:message-12345\ncontent-type:text/plain\ncontent-length:{content_length}\nmessage: malformed frame received\n\n"
    )
    .into_bytes();
    wire.extend_from_slice(body);
    wire.push(0);
    wire
}

#[test]
fn spec_1_2_error_with_content_length_and_untrimmed_message() {
    let frame = one(
        Version::V1_2,
        &spec_error_frame(SPEC_1_2_ERROR_BODY.len(), SPEC_1_2_ERROR_BODY),
    );
    assert_eq!(frame.command, Command::Error);
    assert_eq!(frame.receipt_id(), Some("message-12345"));
    assert_eq!(frame.message(), Some(" malformed frame received"));
    assert_eq!(frame.body(), SPEC_1_2_ERROR_BODY);
}

#[test]
fn spec_1_2_error_as_printed_announces_one_byte_more_than_its_body() {
    // The 1.2 text says content-length:171 but its body has 170 bytes: the NUL is read as
    // the 171st body byte, and the EOL after it is not the NUL the frame must end with.
    assert_eq!(SPEC_1_2_ERROR_BODY.len(), 170);
    let mut wire = spec_error_frame(171, SPEC_1_2_ERROR_BODY);
    wire.push(b'\n');
    assert_eq!(
        error(Version::V1_2, &wire),
        DecodeError::MissingNul { found: b'\n' }
    );
}

#[test]
fn spec_1_1_error_with_content_length_171() {
    let frame = one(Version::V1_1, &spec_error_frame(171, SPEC_1_1_ERROR_BODY));
    assert_eq!(frame.body(), SPEC_1_1_ERROR_BODY);
    assert_eq!(frame.content_length(), Some(171));
}

// The example frames of the STOMP 1.1 specification that differ from the 1.2 ones.
examples! {
    spec_1_1_connect: V1_1,
        b"CONNECT\naccept-version:1.1\nhost:stomp.github.org\n\n\0"
        => Connect, [("accept-version", "1.1"), ("host", "stomp.github.org")], b"";
    spec_1_1_ack: V1_1,
        b"ACK\nsubscription:0\nmessage-id:007\ntransaction:tx1\n\n\0"
        => Ack, [("subscription", "0"), ("message-id", "007"), ("transaction", "tx1")], b"";
    spec_1_1_disconnect_printed_without_blank_line: V1_1,
        b"DISCONNECT\nreceipt:77\n\0" => Disconnect, [("receipt", "77")], b"";
    spec_1_1_send_with_receipt: V1_1,
        b"SEND\ndestination:/queue/a\nreceipt:message-12345\n\nhello queue a\0"
        => Send, [("destination", "/queue/a"), ("receipt", "message-12345")], b"hello queue a";
}

// The example frames of the STOMP 1.0 specification. Its headers are padded with spaces,
// which are part of the values unless the trimming leniency is asked for.
examples! {
    spec_1_0_connect_keeps_padding: V1_0,
        b"CONNECT\nlogin: <username>\npasscode:<passcode>\n\n\0"
        => Connect, [("login", " <username>"), ("passcode", "<passcode>")], b"";
    spec_1_0_connected: V1_0,
        b"CONNECTED\nsession: <session-id>\n\n\0"
        => Connected, [("session", " <session-id>")], b"";
    spec_1_0_send: V1_0,
        b"SEND\ndestination:/queue/a\n\nhello queue a\n\0"
        => Send, [("destination", "/queue/a")], b"hello queue a\n";
    spec_1_0_subscribe: V1_0,
        b"SUBSCRIBE\ndestination: /queue/foo\nack: client\n\n\0"
        => Subscribe, [("destination", " /queue/foo"), ("ack", " client")], b"";
    spec_1_0_ack: V1_0,
        b"ACK\nmessage-id: <message-identifier>\ntransaction: <transaction-identifier>\n\n\0"
        => Ack, [("message-id", " <message-identifier>"), ("transaction", " <transaction-identifier>")], b"";
    spec_1_0_disconnect: V1_0,
        b"DISCONNECT\n\n\0" => Disconnect, [], b"";
    spec_1_0_message: V1_0,
        b"MESSAGE\ndestination:/queue/a\nmessage-id: <message-identifier>\n\nhello queue a\0"
        => Message, [("destination", "/queue/a"), ("message-id", " <message-identifier>")], b"hello queue a";
    spec_1_0_error_body_runs_to_the_nul: V1_0,
        b"ERROR\nmessage: malformed packet received\n\nThe message:\n-----\nMESSAGE\ndestined:/queue/a\n\nHello queue a!\n-----\nDid not contain a destination header, which is required \nfor message propagation.\n\0\n\n"
        => Error, [("message", " malformed packet received")],
        b"The message:\n-----\nMESSAGE\ndestined:/queue/a\n\nHello queue a!\n-----\nDid not contain a destination header, which is required \nfor message propagation.\n";
}

#[test]
fn spec_1_0_padding_is_trimmed_only_when_asked() {
    let limits = Limits::default().with_trim_header_whitespace(true);
    let (items, error) = decode_with(
        Version::V1_0,
        limits,
        b"SUBSCRIBE\ndestination: /queue/foo\nack: client \t\n\n\0",
    );
    assert_eq!(error, None);
    let Item::Frame(frame) = &items[0] else {
        panic!("expected a frame")
    };
    assert_eq!(
        headers(frame),
        [("destination", "/queue/foo"), ("ack", "client")]
    );
}

#[test]
fn crlf_line_ends_are_accepted_in_every_version() {
    for version in Version::ALL {
        let frame = one(
            version,
            b"MESSAGE\r\ndestination:/queue/a\r\nmessage-id:007\r\n\r\nhello\r\n\0\r\n",
        );
        assert_eq!(
            headers(&frame),
            [("destination", "/queue/a"), ("message-id", "007")]
        );
        // The body is octets: a CR LF in it stays.
        assert_eq!(frame.body(), b"hello\r\n");
    }
}

#[test]
fn lf_and_crlf_mix_within_one_frame() {
    let frame = one(Version::V1_2, b"SEND\r\na:1\nb:2\r\n\n\0");
    assert_eq!(headers(&frame), [("a", "1"), ("b", "2")]);
}

#[test]
fn body_without_content_length_ends_at_the_first_nul() {
    let frames = frames(Version::V1_2, b"MESSAGE\n\nab\0MESSAGE\n\ncd\0");
    assert_eq!(frames[0].body(), b"ab");
    assert_eq!(frames[1].body(), b"cd");
}

#[test]
fn body_with_content_length_may_hold_nuls() {
    let frame = one(Version::V1_2, b"MESSAGE\ncontent-length:5\n\n\0a\0b\0\0");
    assert_eq!(frame.body(), b"\0a\0b\0");
}

#[test]
fn content_length_zero_is_an_empty_body() {
    let frame = one(Version::V1_2, b"RECEIPT\ncontent-length:0\n\n\0");
    assert_eq!(frame.body(), b"");
}

#[test]
fn content_length_body_must_be_followed_by_nul() {
    assert_eq!(
        error(Version::V1_2, b"MESSAGE\ncontent-length:2\n\nabc\0"),
        DecodeError::MissingNul { found: b'c' }
    );
}

#[test]
fn the_first_content_length_counts() {
    let frame = one(
        Version::V1_2,
        b"MESSAGE\ncontent-length:3\ncontent-length:1\n\na\0b\0",
    );
    assert_eq!(frame.body(), b"a\0b");
    // A later, invalid repeat is history, not framing.
    let frame = one(
        Version::V1_2,
        b"MESSAGE\ncontent-length:1\ncontent-length:x\n\na\0",
    );
    assert_eq!(frame.body(), b"a");
}

#[test]
fn content_length_must_be_a_plain_decimal() {
    for value in ["", "x", "-1", "+1", " 1", "1 ", "0x1", "1e1", "１"] {
        let wire = format!("MESSAGE\ncontent-length:{value}\n\na\0");
        assert_eq!(
            error(Version::V1_2, wire.as_bytes()),
            DecodeError::InvalidContentLength,
            "{value:?}"
        );
    }
}

#[test]
fn one_eol_after_the_nul_belongs_to_the_frame() {
    for eol in ["\n", "\r\n"] {
        let wire = format!("RECEIPT\nreceipt-id:1\n\n\0{eol}RECEIPT\nreceipt-id:2\n\n\0{eol}");
        let (items, error) = decode(Version::V1_2, wire.as_bytes());
        assert_eq!(error, None);
        assert_eq!(items.len(), 2, "no heart-beat for {eol:?}");
    }
}

#[test]
fn further_eols_are_heart_beats() {
    let (items, error) = decode(Version::V1_2, b"\n\r\nRECEIPT\n\n\0\n\n\r\n\n");
    assert_eq!(error, None);
    let kinds: Vec<bool> = items
        .iter()
        .map(|item| matches!(item, Item::Heartbeat))
        .collect();
    assert_eq!(kinds, [true, true, false, true, true, true]);
}

#[test]
fn heart_beats_alone_are_a_valid_stream() {
    let (items, error) = decode(Version::V1_1, b"\n\n\r\n\n");
    assert_eq!(error, None);
    assert_eq!(items, vec![Item::Heartbeat; 4]);
}

#[test]
fn a_cr_not_followed_by_lf_between_frames_is_an_error() {
    assert!(matches!(
        error(Version::V1_2, b"\rMESSAGE\n\n\0"),
        DecodeError::UnknownCommand(_)
    ));
}

#[test]
fn frames_after_a_heart_beat_keep_coming() {
    let frames = frames(
        Version::V1_2,
        b"RECEIPT\nreceipt-id:1\n\n\0\n\nRECEIPT\nreceipt-id:2\n\n\0",
    );
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1].receipt_id(), Some("2"));
}

#[test]
fn values_may_hold_colons() {
    let frame = one(
        Version::V1_0,
        b"MESSAGE\nmessage-id:ID:host-40121-1700000000000-3:1:1:1:1\nurl:http://a:80/b\n\n\0",
    );
    assert_eq!(
        frame.message_id(),
        Some("ID:host-40121-1700000000000-3:1:1:1:1")
    );
    assert_eq!(frame.header("url"), Some("http://a:80/b"));
}

#[test]
fn values_may_be_empty() {
    let frame = one(Version::V1_2, b"MESSAGE\nfoo:\n\n\0");
    assert_eq!(frame.header("foo"), Some(""));
}

#[test]
fn values_are_never_trimmed() {
    let frame = one(Version::V1_2, b"MESSAGE\n foo : bar \t\n\n\0");
    assert_eq!(headers(&frame), [(" foo ", " bar \t")]);
}

#[test]
fn header_names_are_case_sensitive() {
    let frame = one(Version::V1_2, b"MESSAGE\nContent-Length:5\n\nab\0");
    assert_eq!(frame.body(), b"ab");
    assert_eq!(frame.header("content-length"), None);
}

#[test]
fn a_header_line_without_colon_is_an_error() {
    assert_eq!(
        error(Version::V1_2, b"MESSAGE\na:1\nbroken\n\n\0"),
        DecodeError::MissingColon { line: 1 }
    );
}

#[test]
fn an_empty_header_name_is_an_error() {
    assert_eq!(
        error(Version::V1_2, b"MESSAGE\n:value\n\n\0"),
        DecodeError::EmptyHeaderName { line: 0 }
    );
}

#[test]
fn commands_are_case_sensitive_and_known() {
    for wire in [
        &b"message\n\n\0"[..],
        b"FOO\n\n\0",
        b"MESSAGE \n\n\0",
        b"\0\n",
    ] {
        assert!(
            matches!(error(Version::V1_2, wire), DecodeError::UnknownCommand(_)),
            "{wire:?}"
        );
    }
}

#[test]
fn every_command_decodes() {
    for command in Command::ALL {
        let wire = format!("{command}\n\n\0");
        assert_eq!(one(Version::V1_2, wire.as_bytes()).command, command);
    }
}

#[test]
fn non_utf8_header_bytes_are_an_error() {
    for wire in [
        &b"MESSAGE\na:1\nb:\xff\n\n\0"[..],
        b"MESSAGE\na:1\n\xc3:1\n\n\0",
        b"MESSAGE\na:1\nb:\xe2\x82\n\n\0",
        // Each line on its own is not UTF-8, though the two joined would be ("ä").
        b"MESSAGE\na:1\nb:\xc3\n\xa4:c\n\n\0",
        b"MESSAGE\na:1\nb:\xe2\x82\n\xac:c\n\n\0",
    ] {
        assert_eq!(
            error(Version::V1_2, wire),
            DecodeError::NonUtf8Header { line: 1 },
            "{wire:?}"
        );
    }
}

#[test]
fn utf8_headers_decode() {
    let frame = one(Version::V1_2, "MESSAGE\nziel:/queue/äöü€\n\n\0".as_bytes());
    assert_eq!(frame.header("ziel"), Some("/queue/äöü€"));
}

#[test]
fn bodies_are_octets() {
    let frame = one(
        Version::V1_2,
        b"MESSAGE\ncontent-length:3\n\n\xff\xfe\x80\0",
    );
    assert_eq!(frame.body(), b"\xff\xfe\x80");
    assert_eq!(frame.body_str(), None);
}

#[test]
fn a_nul_ending_the_headers_with_content_length_is_an_error() {
    assert_eq!(
        error(Version::V1_2, b"SEND\ncontent-length:2\n\0ab\0"),
        DecodeError::MissingBlankLine
    );
    // content-length:0 announces no body, so the frame is whole.
    assert_eq!(
        one(Version::V1_2, b"SEND\ncontent-length:0\n\0").body(),
        b""
    );
}

#[test]
fn errors_are_fatal_until_reset() {
    let mut decoder = Decoder::default();
    let items: Vec<_> = decoder
        .feed(b"RECEIPT\nreceipt-id:1\n\n\0BOGUS\n\n\0RECEIPT\n\n\0")
        .collect();
    assert!(matches!(items[0], Ok(Item::Frame(_))));
    assert!(matches!(items[1], Err(DecodeError::UnknownCommand(_))));
    assert_eq!(items.len(), 2, "decoding stops at the error");
    assert!(decoder.has_failed());
    assert_eq!(decoder.decode(b"RECEIPT\n\n\0"), Err(DecodeError::Poisoned));
    decoder.reset();
    assert!(!decoder.has_failed());
    let items: Vec<_> = decoder.feed(b"RECEIPT\n\n\0").collect();
    assert!(matches!(items[..], [Ok(Item::Frame(_))]));
}

#[test]
fn in_frame_tells_a_cut_frame_from_a_clean_end() {
    let mut decoder = Decoder::default();
    assert!(!decoder.in_frame());
    let _ = decoder.decode(b"MESS").unwrap();
    assert!(decoder.in_frame());
    let done = decoder.decode(b"AGE\n\n\0").unwrap();
    assert!(matches!(done.item, Some(Item::Frame(_))));
    assert!(!decoder.in_frame());
    let _ = decoder.decode(b"\r").unwrap();
    assert!(!decoder.in_frame(), "half an EOL is no frame");
}

#[test]
fn decode_reports_what_it_consumed() {
    let mut decoder = Decoder::default();
    let input = b"RECEIPT\n\n\0\nRECEIPT\n\n\0\n";
    let first = decoder.decode(input).unwrap();
    // The frame and the EOL after its NUL.
    assert_eq!(first.consumed, 10);
    assert!(matches!(first.item, Some(Item::Frame(_))));
    let second = decoder.decode(&input[10..]).unwrap();
    assert_eq!(second.consumed, 11);
    // The EOL after the last NUL is taken and yields nothing.
    let rest = decoder.decode(&input[21..]).unwrap();
    assert_eq!(
        rest,
        stompwire::frame::Decoded {
            consumed: 1,
            item: None
        }
    );
    assert!(!decoder.in_frame());
}

#[test]
fn the_version_applies_from_the_next_frame() {
    let mut decoder = Decoder::default();
    decoder.set_version(Version::V1_0);
    let _ = decoder.decode(b"MESSAGE\na:x\\c").unwrap();
    decoder.set_version(Version::V1_2);
    let frame = match decoder.decode(b"y\n\n\0").unwrap().item {
        Some(Item::Frame(frame)) => frame,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        frame.header("a"),
        Some("x\\cy"),
        "1.0 rules for the whole frame"
    );
    let frame = match decoder.decode(b"MESSAGE\na:x\\cy\n\n\0").unwrap().item {
        Some(Item::Frame(frame)) => frame,
        other => panic!("{other:?}"),
    };
    assert_eq!(frame.header("a"), Some("x:y"));
}

// Frames as brokers write them.

#[test]
fn rabbitmq_writes_an_lf_after_every_nul() {
    let stream = b"CONNECTED\nserver:RabbitMQ/3.13.7\nsession:session-Gq1PY1rS6Kz9H9lJHcNZCQ\nheart-beat:10000,10000\nversion:1.2\n\n\0\n\
MESSAGE\nsubscription:sub-0\ndestination:/queue/test\nmessage-id:T_sub-0@@session-Gq1PY1rS6Kz9H9lJHcNZCQ@@1\nredelivered:false\nack:T_sub-0@@session-Gq1PY1rS6Kz9H9lJHcNZCQ@@1\ncontent-length:5\n\nhello\0\n\n";
    let (items, error) = decode(Version::V1_2, stream);
    assert_eq!(error, None);
    assert_eq!(items.len(), 3, "two frames and one heart-beat");
    let Item::Frame(message) = &items[1] else {
        panic!("expected a frame")
    };
    assert_eq!(
        message.ack(),
        Some("T_sub-0@@session-Gq1PY1rS6Kz9H9lJHcNZCQ@@1")
    );
    assert_eq!(message.body(), b"hello");
    assert_eq!(items[2], Item::Heartbeat);
}

#[test]
fn activemq_message_ids_hold_colons_unescaped_in_1_0() {
    let frame = one(
        Version::V1_0,
        b"MESSAGE\ncontent-length:5\nexpires:0\ndestination:/queue/test\nsubscription:sub-0\npriority:4\nmessage-id:ID:broker-45171-1700000000000-3:2:-1:1:1\npersistent:true\ntimestamp:1700000000000\n\nhello\0\n",
    );
    assert_eq!(
        frame.message_id(),
        Some("ID:broker-45171-1700000000000-3:2:-1:1:1")
    );
}

#[test]
fn activemq_message_ids_are_escaped_in_1_2() {
    let frame = one(
        Version::V1_2,
        b"MESSAGE\nmessage-id:ID\\cbroker-45171-1700000000000-3\\c2\\c-1\\c1\\c1\nack:ID\\cbroker-45171-1700000000000-5\\c8\n\n\0\n",
    );
    assert_eq!(
        frame.message_id(),
        Some("ID:broker-45171-1700000000000-3:2:-1:1:1")
    );
    assert_eq!(frame.ack(), Some("ID:broker-45171-1700000000000-5:8"));
}

#[test]
fn activemq_connected_names_the_session_with_colons() {
    let frame = one(
        Version::V1_2,
        b"CONNECTED\nserver:ActiveMQ/6.1.4\nheart-beat:0,0\nsession:ID:broker-38365-1700000000000-3:1\nversion:1.2\n\n\0\n",
    );
    assert_eq!(frame.session(), Some("ID:broker-38365-1700000000000-3:1"));
    assert_eq!(frame.heart_beat(), Some((0, 0)));
}

#[test]
fn heart_beats_as_separate_websocket_messages() {
    // Over WebSocket each message is one frame or one heart-beat; the decoder sees them as
    // consecutive chunks. An LF arriving right after a frame's NUL is that frame's EOL even
    // in a message of its own, so liveness is judged by bytes received, as the specification
    // says ("any new data received ... is an indication that the remote end is alive").
    let messages: [&[u8]; 6] = [
        b"\n",
        b"MESSAGE\ndestination:/topic/a\nsubscription:0\nmessage-id:1\ncontent-length:2\n\nhi\0",
        b"\n",
        b"\n",
        b"\r\n",
        b"MESSAGE\ndestination:/topic/a\nsubscription:0\nmessage-id:2\n\nho\0",
    ];
    let (items, error) = run(
        Version::V1_2,
        Limits::default(),
        &mut messages.iter().copied(),
    );
    assert_eq!(error, None);
    let kinds: Vec<bool> = items
        .iter()
        .map(|item| matches!(item, Item::Heartbeat))
        .collect();
    assert_eq!(kinds, [true, false, true, true, false]);
}

#[test]
fn a_frame_straddling_chunks_at_every_split_point() {
    let wire = b"MESSAGE\r\ndestination:/queue/a\\cb\r\ncontent-length:4\r\n\r\nab\0c\0\r\n\nRECEIPT\nreceipt-id:9\n\n\0";
    let whole = decode(Version::V1_2, wire);
    for split in 0..=wire.len() {
        let (a, b) = wire.split_at(split);
        let parts = run(Version::V1_2, Limits::default(), &mut [a, b].into_iter());
        assert_eq!(parts, whole, "split at {split}");
    }
}

#[test]
fn debug_output_never_shows_credentials() {
    let mut decoder = Decoder::default();
    let _ = decoder
        .decode(b"CONNECT\nlogin:guest\npasscode:s3cret\nhost:/")
        .unwrap();
    assert!(!format!("{decoder:?}").contains("s3cret"));
    let _ = decoder.decode(b"\n\n\0").unwrap();
    let frame = one(
        Version::V1_2,
        b"CONNECT\nlogin:guest\npasscode:s3cret\n\n\0",
    );
    assert!(!format!("{frame:?}").contains("s3cret"));
    assert_eq!(frame.header("passcode"), Some("s3cret"));
}

// ----- a NUL cut off by the transport (Decoder::set_cut_nul) ---------------------------------

/// Decodes `input` whole and one byte at a time with the cut-NUL leniency on; both must agree.
fn decode_cut(input: &[u8]) -> Outcome {
    let run_cut = |chunks: &mut dyn Iterator<Item = &[u8]>| {
        let mut decoder = Decoder::new(Limits::default());
        decoder.set_cut_nul(true);
        let mut items = Vec::new();
        for chunk in chunks {
            for item in decoder.feed(chunk) {
                match item {
                    Ok(item) => items.push(item),
                    Err(e) => return (items, Some(e)),
                }
            }
        }
        (items, None)
    };
    let whole = run_cut(&mut core::iter::once(input));
    let bytewise = run_cut(&mut input.chunks(1));
    assert_eq!(whole, bytewise, "whole and byte-at-a-time decoding differ");
    whole
}

#[test]
fn an_lf_then_nul_after_a_counted_body_ends_the_frame_only_when_asked() {
    // What a transport that cuts at the first NUL leaves of RabbitMQ's `hi NUL LF`, plus the
    // NUL the caller appends.
    let wire = b"MESSAGE\ndestination:/q/a\ncontent-length:2\n\nhi\n\0";
    assert_eq!(
        error(Version::V1_2, wire),
        DecodeError::MissingNul { found: b'\n' }
    );
    let (items, error) = decode_cut(wire);
    assert_eq!(error, None);
    let [Item::Frame(frame)] = &items[..] else {
        panic!("{items:?}")
    };
    assert_eq!(frame.body(), b"hi");
    assert_eq!(frame.destination(), Some("/q/a"));
}

#[test]
fn after_a_cut_nul_the_next_eol_is_a_heart_beat_and_frames_go_on() {
    let (items, error) =
        decode_cut(b"MESSAGE\ncontent-length:1\n\na\n\0\nMESSAGE\ncontent-length:1\n\nb\0\n\n");
    assert_eq!(error, None);
    let bodies: Vec<Option<&[u8]>> = items
        .iter()
        .map(|item| match item {
            Item::Frame(frame) => Some(frame.body()),
            Item::Heartbeat => None,
        })
        .collect();
    assert_eq!(bodies, [Some(&b"a"[..]), None, Some(b"b"), None]);
}

#[test]
fn the_cut_nul_leniency_accepts_nothing_else() {
    for (wire, found) in [
        // An LF not followed by the appended NUL.
        (&b"MESSAGE\ncontent-length:2\n\nhi\nX"[..], b'\n'),
        (b"MESSAGE\ncontent-length:2\n\nhi\n\n\0", b'\n'),
        // A CRLF is not what the broker wrote after its NUL.
        (b"MESSAGE\ncontent-length:2\n\nhi\r\n\0", b'\r'),
        // Any other byte where the NUL belongs.
        (b"MESSAGE\ncontent-length:2\n\nhiX\0", b'X'),
    ] {
        assert_eq!(
            decode_cut(wire).1,
            Some(DecodeError::MissingNul { found }),
            "{wire:?}"
        );
    }
}

#[test]
fn a_body_ending_in_an_eol_is_kept_whole_with_the_cut_nul_leniency() {
    // A transport that cut `a LF NUL` at the NUL; the caller appended it: the LF is body.
    let (items, error) = decode_cut(b"MESSAGE\ncontent-length:2\n\na\n\0");
    assert_eq!(error, None);
    let [Item::Frame(frame)] = &items[..] else {
        panic!("{items:?}")
    };
    assert_eq!(frame.body(), b"a\n");
}

#[test]
fn a_frame_cut_at_the_cut_nul_is_in_frame() {
    let mut decoder = Decoder::new(Limits::default());
    decoder.set_cut_nul(true);
    assert_eq!(
        decoder.feed(b"MESSAGE\ncontent-length:0\n\n\n").count(),
        0,
        "nothing completed"
    );
    assert!(decoder.in_frame());
    decoder.reset();
    assert!(!decoder.in_frame());
    // The setting survives the reset.
    let items: Vec<_> = decoder.feed(b"RECEIPT\ncontent-length:0\n\n\n\0").collect();
    assert!(matches!(&items[..], [Ok(Item::Frame(_))]), "{items:?}");
}

// ----- any command word (AnyCommandDecoder) ---------------------------------------------------

/// Decodes `input` whole and one byte at a time with an AnyCommandDecoder; both must agree.
fn decode_any(
    version: Version,
    limits: Limits,
    input: &[u8],
) -> (Vec<AnyItem>, Option<DecodeError>) {
    let run_any = |chunks: &mut dyn Iterator<Item = &[u8]>| {
        let mut decoder = AnyCommandDecoder::new(limits);
        decoder.set_version(version);
        let mut items = Vec::new();
        for mut chunk in chunks {
            while !chunk.is_empty() {
                match decoder.decode(chunk) {
                    Ok((consumed, item)) => {
                        chunk = &chunk[consumed..];
                        items.extend(item);
                    }
                    Err(e) => return (items, Some(e)),
                }
            }
        }
        (items, None)
    };
    let whole = run_any(&mut core::iter::once(input));
    let bytewise = run_any(&mut input.chunks(1));
    assert_eq!(whole, bytewise, "whole and byte-at-a-time decoding differ");
    whole
}

fn any_frames(version: Version, input: &[u8]) -> Vec<AnyFrame> {
    let (items, error) = decode_any(version, Limits::default(), input);
    assert_eq!(error, None, "unexpected error");
    items
        .into_iter()
        .filter_map(|item| match item {
            AnyItem::Frame(frame) => Some(frame),
            AnyItem::Heartbeat => None,
        })
        .collect()
}

#[test]
fn any_command_decoder_reads_a_frame_of_an_unknown_command() {
    // stompjs's own spec feeds its Parser this frame.
    let wire = b"RECEIVE\nfoo: abc\nbar: 1234\n\nhello, world!\0";
    assert!(matches!(
        error(Version::V1_2, wire),
        DecodeError::UnknownCommand(_)
    ));
    let [frame] = &any_frames(Version::V1_2, wire)[..] else {
        panic!()
    };
    assert_eq!(frame.command(), "RECEIVE");
    assert_eq!(frame.frame(), None, "no STOMP frame to give");
    let headers: Vec<_> = frame.headers().iter().collect();
    assert_eq!(headers, [("foo", " abc"), ("bar", " 1234")]);
    assert_eq!(frame.body(), b"hello, world!");
}

#[test]
fn any_command_decoder_gives_known_commands_as_the_decoder_does() {
    let wire = b"FOO\n\n\0MESSAGE\ndestination:/q/a\\cb\ncontent-length:2\n\na\0\0\n\nBAR\r\nx:1\r\n\r\n\0";
    let frames = any_frames(Version::V1_2, wire);
    let commands: Vec<&str> = frames.iter().map(|f| f.command()).collect();
    assert_eq!(commands, ["FOO", "MESSAGE", "BAR"]);
    let strict = one(
        Version::V1_2,
        b"MESSAGE\ndestination:/q/a\\cb\ncontent-length:2\n\na\0\0",
    );
    assert_eq!(frames[1].frame(), Some(&strict));
    assert_eq!(frames[2].headers().get("x"), Some("1"));
}

#[test]
fn any_command_headers_are_escaped_as_a_message_s() {
    let wire = b"RECEIVE\nd:a\\cb\n\n\0";
    let get = |version| {
        any_frames(version, wire)[0]
            .headers()
            .get("d")
            .map(String::from)
    };
    assert_eq!(get(Version::V1_2).as_deref(), Some("a:b"));
    assert_eq!(get(Version::V1_0).as_deref(), Some("a\\cb"));
}

#[test]
fn any_command_decoder_refuses_command_lines_that_are_not_words() {
    for wire in [
        &b"FO\tO\n\n\0"[..],
        b"FO O\n\n\0",
        b"FO\x7fO\n\n\0",
        "FOÖ\n\n\0".as_bytes(),
        b"\xff\xfe\n\n\0",
        b"A\0B\n\n\0",
    ] {
        let (_, error) = decode_any(Version::V1_2, Limits::default(), wire);
        assert!(
            matches!(error, Some(DecodeError::UnknownCommand(_))),
            "{wire:?}: {error:?}"
        );
    }
    let long = [b"X".repeat(33), b"\n\n\0".to_vec()].concat();
    let (_, error) = decode_any(Version::V1_2, Limits::default(), &long);
    assert!(
        matches!(
            error,
            Some(DecodeError::LimitExceeded {
                limit: stompwire::frame::Limit::CommandLength,
                ..
            })
        ),
        "{error:?}"
    );
}

#[test]
fn any_command_decoder_takes_the_cut_nul_leniency() {
    let mut decoder = AnyCommandDecoder::new(Limits::default());
    decoder.set_cut_nul(true);
    let (consumed, item) = decoder
        .decode(b"RECEIVE\ncontent-length:1\n\nz\n\0")
        .unwrap();
    assert_eq!(consumed, 29);
    let Some(AnyItem::Frame(frame)) = item else {
        panic!("{item:?}")
    };
    assert_eq!((frame.command(), frame.body()), ("RECEIVE", &b"z"[..]));
    assert!(!decoder.in_frame() && !decoder.has_failed());
}

// The body a caller holds (Decoder::elide_body): a shell hands the decoder a large MESSAGE's
// head and end only.

/// A decoder that has read `head`, and what it completed.
fn fed(head: &[u8]) -> (Decoder, Vec<Item>) {
    let mut decoder = Decoder::new(Limits::default());
    let items = decoder.feed(head).map(|i| i.unwrap()).collect();
    (decoder, items)
}

const MESSAGE_HEAD: &[u8] =
    b"MESSAGE\ndestination:/queue/a\nmessage-id:7\nsubscription:0\ncontent-length:4\n\n";

#[test]
fn an_elided_body_ends_with_the_nul_and_the_frame_carries_no_body() {
    let (mut decoder, before) = fed(MESSAGE_HEAD);
    assert!(before.is_empty());
    assert!(decoder.elide_body(4));
    assert!(decoder.in_frame());
    let items: Vec<Item> = decoder
        .feed(b"\0\nRECEIPT\nreceipt-id:r\n\n\0")
        .map(|i| i.unwrap())
        .collect();
    let [Item::Frame(message), Item::Frame(receipt)] = items.as_slice() else {
        panic!("{items:?}");
    };
    assert_eq!(message.command, Command::Message);
    assert_eq!(message.content_length(), Some(4));
    assert_eq!(message.header("message-id"), Some("7"));
    assert!(message.body().is_empty());
    assert_eq!(
        receipt.receipt_id(),
        Some("r"),
        "the stream goes on after it"
    );
}

#[test]
fn an_elided_body_still_needs_its_nul() {
    let (mut decoder, _) = fed(MESSAGE_HEAD);
    assert!(decoder.elide_body(4));
    let result: Vec<_> = decoder.feed(b"x").collect();
    assert!(
        matches!(result.as_slice(), [Err(DecodeError::MissingNul { .. })]),
        "{result:?}"
    );
}

#[test]
fn a_body_is_elided_only_whole_and_only_for_a_message_with_its_length() {
    // Not the length the frame says.
    let (mut decoder, _) = fed(MESSAGE_HEAD);
    assert!(!decoder.elide_body(3));
    assert!(!decoder.elide_body(5));
    // Part of the body arrived already.
    let (mut decoder, _) = fed(&[MESSAGE_HEAD, b"ab"].concat());
    assert!(!decoder.elide_body(4));
    assert!(!decoder.elide_body(2));
    // Before the blank line, between frames, after a frame.
    let (mut decoder, _) = fed(b"MESSAGE\ncontent-length:4\n");
    assert!(!decoder.elide_body(4));
    let (mut decoder, _) = fed(b"");
    assert!(!decoder.elide_body(0));
    let (mut decoder, items) = fed(&[MESSAGE_HEAD, b"abcd\0"].concat());
    assert_eq!(items.len(), 1);
    assert!(!decoder.elide_body(4));
    // No content-length: the body's end is its NUL, which only its bytes show.
    let (mut decoder, _) = fed(b"MESSAGE\ndestination:/queue/a\n\n");
    assert!(!decoder.elide_body(0));
    // Not a MESSAGE.
    let (mut decoder, _) = fed(b"ERROR\ncontent-length:4\n\n");
    assert!(!decoder.elide_body(4));
    // Refused by the decoder's rules: what was given is decoded as usual, unchanged.
    let (mut decoder, _) = fed(MESSAGE_HEAD);
    assert!(!decoder.elide_body(9));
    let items: Vec<Item> = decoder.feed(b"abcd\0").map(|i| i.unwrap()).collect();
    let [Item::Frame(frame)] = items.as_slice() else {
        panic!("{items:?}");
    };
    assert_eq!(frame.body(), b"abcd");
}

#[test]
fn an_elided_body_counts_towards_the_frame_size_limit() {
    // The limit was checked when the length was read: a body over it is refused there, before
    // anything could be elided.
    let mut decoder = Decoder::new(Limits::DEFAULT.with_max_frame_size(100));
    let head = b"MESSAGE\ndestination:/queue/a\ncontent-length:90\n\n";
    let result: Vec<_> = decoder.feed(head).collect();
    assert!(
        matches!(
            result.as_slice(),
            [Err(DecodeError::LimitExceeded {
                limit: stompwire::frame::Limit::FrameSize,
                ..
            })]
        ),
        "{result:?}"
    );
    assert!(!decoder.elide_body(90));
}
