//! Header escaping per version, both ways.
//!
//! | version | escapes |
//! |---|---|
//! | 1.0 | none |
//! | 1.1 | `\n` `\c` `\\` |
//! | 1.2 | `\n` `\c` `\\` `\r` |
//!
//! CONNECT, STOMP and CONNECTED are never escaped. An undefined escape is a fatal error; a
//! name or value a version cannot write is an encoding error.

use stompwire::frame::{
    Command, ContentLength, DecodeError, Decoder, EncodeError, Frame, Item, Version, encode_with,
};

/// Versions in table column order.
const VERSIONS: [Version; 3] = [Version::V1_0, Version::V1_1, Version::V1_2];

/// Decodes one frame; returns it or the error.
fn decode(version: Version, wire: &[u8]) -> Result<Frame, DecodeError> {
    let mut decoder = Decoder::default();
    decoder.set_version(version);
    let mut frames = Vec::new();
    for item in decoder.feed(wire) {
        if let Item::Frame(frame) = item? {
            frames.push(frame);
        }
    }
    assert_eq!(frames.len(), 1);
    Ok(frames.pop().unwrap())
}

/// The header block an encoder writes for `frame` (between the command line and the blank
/// line), or the unrepresentable byte.
fn encoded_headers(frame: &Frame, version: Version) -> Result<String, EncodeError> {
    let mut out = Vec::new();
    encode_with(frame, version, ContentLength::Skip, &mut out)?;
    let text = String::from_utf8(out).unwrap();
    let start = text.find('\n').unwrap() + 1;
    let end = text.find("\n\n").unwrap() + 1;
    Ok(text[start..end].to_string())
}

/// The decoded value of `raw` in each version, or the escape byte the error names.
fn check_unescape(raw: &str, expected: [Result<&str, Option<u8>>; 3]) {
    for (version, expected) in VERSIONS.into_iter().zip(expected) {
        let wire = format!("MESSAGE\nfirst:1\nh:{raw}\n\n\0");
        let got = decode(version, wire.as_bytes());
        match expected {
            Ok(value) => assert_eq!(
                got.map(|f| f.header("h").unwrap().to_string()),
                Ok(value.to_string()),
                "{raw:?} in {version}"
            ),
            Err(escape) => assert_eq!(
                got,
                Err(DecodeError::InvalidEscape { line: 1, escape }),
                "{raw:?} in {version}"
            ),
        }
    }
}

/// One test per row: the raw value on the wire, then what it decodes to in 1.0, 1.1, 1.2.
macro_rules! unescape_table {
    ($($name:ident: $raw:expr => [$v10:expr, $v11:expr, $v12:expr];)*) => {$(
        #[test]
        fn $name() {
            check_unescape($raw, [$v10, $v11, $v12]);
        }
    )*};
}

unescape_table! {
    unescape_newline: r"a\nb" => [Ok(r"a\nb"), Ok("a\nb"), Ok("a\nb")];
    unescape_colon: r"a\cb" => [Ok(r"a\cb"), Ok("a:b"), Ok("a:b")];
    unescape_backslash: r"a\\b" => [Ok(r"a\\b"), Ok(r"a\b"), Ok(r"a\b")];
    unescape_carriage_return_is_1_2_only: r"a\rb" => [Ok(r"a\rb"), Err(Some(b'r')), Ok("a\rb")];
    unescape_tab_is_undefined: r"a\tb" => [Ok(r"a\tb"), Err(Some(b't')), Err(Some(b't'))];
    unescape_uppercase_is_undefined: r"\N" => [Ok(r"\N"), Err(Some(b'N')), Err(Some(b'N'))];
    unescape_colon_after_backslash_is_undefined: r"a\:b" => [Ok(r"a\:b"), Err(Some(b':')), Err(Some(b':'))];
    unescape_lone_trailing_backslash: r"a\" => [Ok(r"a\"), Err(None), Err(None)];
    unescape_escaped_backslash_before_n: r"\\n" => [Ok(r"\\n"), Ok(r"\n"), Ok(r"\n")];
    unescape_every_escape_in_a_row: r"\r\n\c\\" => [Ok(r"\r\n\c\\"), Err(Some(b'r')), Ok("\r\n:\\")];
    unescape_around_unicode: r"ä\cö\n€" => [Ok(r"ä\cö\n€"), Ok("ä:ö\n€"), Ok("ä:ö\n€")];
    unescape_nothing_to_do: "plain value" => [Ok("plain value"), Ok("plain value"), Ok("plain value")];
}

#[test]
fn names_are_unescaped_too() {
    let frame = decode(Version::V1_2, b"MESSAGE\na\\cb\\\\c\\n:v\n\n\0").unwrap();
    assert_eq!(frame.headers.iter().next(), Some(("a:b\\c\n", "v")));
    let frame = decode(Version::V1_0, b"MESSAGE\na\\cb:v\n\n\0").unwrap();
    assert_eq!(frame.headers.iter().next(), Some(("a\\cb", "v")));
}

#[test]
fn an_undefined_escape_names_its_line() {
    assert_eq!(
        decode(Version::V1_2, b"MESSAGE\na:1\nb\\t:2\n\n\0"),
        Err(DecodeError::InvalidEscape {
            line: 1,
            escape: Some(b't')
        })
    );
}

#[test]
fn connect_stomp_and_connected_are_never_unescaped() {
    for command in [Command::Connect, Command::Stomp, Command::Connected] {
        for version in VERSIONS {
            let wire = format!("{command}\nlogin:a\\cb\\t\\\nhost:x\\ny\n\n\0");
            let frame = decode(version, wire.as_bytes()).unwrap();
            assert_eq!(
                frame.header("login"),
                Some(r"a\cb\t\"),
                "{command} {version}"
            );
            assert_eq!(frame.header("host"), Some(r"x\ny"), "{command} {version}");
        }
    }
}

#[test]
fn every_other_command_is_unescaped_from_1_1_on() {
    for command in Command::ALL {
        if matches!(
            command,
            Command::Connect | Command::Stomp | Command::Connected
        ) {
            continue;
        }
        let wire = format!("{command}\nh:a\\cb\n\n\0");
        assert_eq!(
            decode(Version::V1_1, wire.as_bytes()).unwrap().header("h"),
            Some("a:b"),
            "{command}"
        );
        assert_eq!(
            decode(Version::V1_0, wire.as_bytes()).unwrap().header("h"),
            Some("a\\cb"),
            "{command}"
        );
    }
}

/// What encoding a value or name gives in one version: the escaped text, or the byte the
/// version cannot write.
type Encoded = Result<&'static str, u8>;

fn check_escape(name: &str, value: &str, expected: [Encoded; 3]) {
    for (version, expected) in VERSIONS.into_iter().zip(expected) {
        let frame = Frame::new(Command::Send).with_header(name, value);
        match expected {
            Ok(line) => {
                assert_eq!(
                    encoded_headers(&frame, version),
                    Ok(format!("{line}\n")),
                    "{name:?}:{value:?} in {version}"
                );
                // And back.
                let mut out = Vec::new();
                encode_with(&frame, version, ContentLength::Skip, &mut out).unwrap();
                assert_eq!(
                    decode(version, &out).unwrap().headers.iter().next(),
                    Some((name, value)),
                    "round trip of {name:?}:{value:?} in {version}"
                );
            }
            Err(byte) => assert_eq!(
                encoded_headers(&frame, version),
                Err(EncodeError::Unrepresentable {
                    command: Command::Send,
                    header: 0,
                    in_name: name != "h",
                    byte
                }),
                "{name:?}:{value:?} in {version}"
            ),
        }
    }
}

/// One test per row: a header value, then its header line in 1.0, 1.1, 1.2.
macro_rules! escape_value_table {
    ($($name:ident: $value:expr => [$v10:expr, $v11:expr, $v12:expr];)*) => {$(
        #[test]
        fn $name() {
            check_escape("h", $value, [$v10, $v11, $v12]);
        }
    )*};
}

escape_value_table! {
    escape_value_colon: "a:b" => [Ok("h:a:b"), Ok(r"h:a\cb"), Ok(r"h:a\cb")];
    escape_value_newline: "a\nb" => [Err(b'\n'), Ok(r"h:a\nb"), Ok(r"h:a\nb")];
    escape_value_carriage_return: "a\rb" => [Err(b'\r'), Err(b'\r'), Ok(r"h:a\rb")];
    escape_value_backslash: r"a\b" => [Ok(r"h:a\b"), Ok(r"h:a\\b"), Ok(r"h:a\\b")];
    escape_value_every_special: "\r\n:\\" => [Err(b'\r'), Err(b'\r'), Ok(r"h:\r\n\c\\")];
    escape_value_trailing_carriage_return: "a\r" => [Err(b'\r'), Err(b'\r'), Ok(r"h:a\r")];
    escape_value_unicode: "ä:ö" => [Ok("h:ä:ö"), Ok(r"h:ä\cö"), Ok(r"h:ä\cö")];
    escape_value_plain: "plain value" => [Ok("h:plain value"), Ok("h:plain value"), Ok("h:plain value")];
    escape_value_empty: "" => [Ok("h:"), Ok("h:"), Ok("h:")];
}

/// One test per row: a header name, then its header line (value `v`) in 1.0, 1.1, 1.2.
macro_rules! escape_name_table {
    ($($name:ident: $header:expr => [$v10:expr, $v11:expr, $v12:expr];)*) => {$(
        #[test]
        fn $name() {
            check_escape($header, "v", [$v10, $v11, $v12]);
        }
    )*};
}

escape_name_table! {
    escape_name_colon: "a:b" => [Err(b':'), Ok(r"a\cb:v"), Ok(r"a\cb:v")];
    escape_name_newline: "a\nb" => [Err(b'\n'), Ok(r"a\nb:v"), Ok(r"a\nb:v")];
    escape_name_carriage_return: "a\rb" => [Err(b'\r'), Err(b'\r'), Ok(r"a\rb:v")];
    escape_name_backslash: r"a\b" => [Ok(r"a\b:v"), Ok(r"a\\b:v"), Ok(r"a\\b:v")];
}

#[test]
fn connect_stomp_and_connected_are_never_escaped() {
    for command in [Command::Connect, Command::Stomp, Command::Connected] {
        for version in VERSIONS {
            let frame = Frame::new(command).with_header("passcode", r"a:b\c");
            assert_eq!(
                encoded_headers(&frame, version),
                Ok("passcode:a:b\\c\n".to_string()),
                "{command} {version}"
            );
            for (name, value, in_name, byte) in [
                ("login", "a\nb", false, b'\n'),
                ("login", "a\rb", false, b'\r'),
                ("lo:gin", "a", true, b':'),
            ] {
                let frame = Frame::new(command).with_header(name, value);
                assert_eq!(
                    encoded_headers(&frame, version),
                    Err(EncodeError::Unrepresentable {
                        command,
                        header: 0,
                        in_name,
                        byte
                    }),
                    "{command} {version} {name:?}:{value:?}"
                );
            }
        }
    }
}

#[test]
fn the_unrepresentable_header_is_named_by_index() {
    let frame = Frame::new(Command::Send)
        .with_header("destination", "/queue/a")
        .with_header("x", "line\nbreak");
    assert_eq!(
        encoded_headers(&frame, Version::V1_0),
        Err(EncodeError::Unrepresentable {
            command: Command::Send,
            header: 1,
            in_name: false,
            byte: b'\n'
        })
    );
}
