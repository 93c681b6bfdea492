//! Every core error has one description: `describe_into` writes it without `core::fmt` (the
//! browser shell shows it), and `Display` prints exactly that text (the native shell and the
//! CLI show it). One row per variant: the error, and the text both must give.

use stompwire::frame::{Command, DecodeError, EncodeError, Limit, Snippet, Version};
use stompwire::reconnect::{EndpointError, FailoverError, FailoverOption, Scheme};
use stompwire::session::{RequiredHeader, SessionError, State};

/// Asserts that `describe_into` and `Display` both give `expected`, and that `describe_into`
/// appends (keeps what `out` held).
fn same_text<E: core::fmt::Display>(error: &E, describe: impl Fn(&E, &mut String), expected: &str) {
    let mut out = String::from(">");
    describe(error, &mut out);
    assert_eq!(out.strip_prefix('>'), Some(expected), "describe_into");
    assert_eq!(error.to_string(), expected, "Display");
}

#[test]
fn decode_errors_read_the_same_in_every_shell() {
    let limit = |limit, max, actual| DecodeError::LimitExceeded { limit, max, actual };
    let table = [
        (
            limit(Limit::FrameSize, 1024, 1025),
            "frame exceeds max_frame_size (1025 > 1024)",
        ),
        (
            limit(Limit::BodySize, 8, 15),
            "frame exceeds max_body_size (15 > 8)",
        ),
        (
            limit(Limit::Headers, 0, 1),
            "frame exceeds max_headers (1 > 0)",
        ),
        (
            limit(Limit::HeaderLine, 19, 20),
            "frame exceeds max_header_line (20 > 19)",
        ),
        (
            limit(Limit::CommandLength, 32, 33),
            "frame exceeds max_command_len (33 > 32)",
        ),
        (
            DecodeError::UnknownCommand(Snippet::new(b"HELLO\t\"x\"\xff")),
            "unknown command \"HELLO\\t\\\"x\\\"\\xff\"",
        ),
        (
            DecodeError::MissingColon { line: 3 },
            "header line 3 has no ':'",
        ),
        (
            DecodeError::EmptyHeaderName { line: 0 },
            "header line 0 has an empty name",
        ),
        (
            DecodeError::NonUtf8Header { line: 12 },
            "header line 12 is not valid UTF-8",
        ),
        (
            DecodeError::InvalidEscape {
                line: 1,
                escape: Some(b't'),
            },
            "header line 1 has an undefined escape \\t",
        ),
        (
            DecodeError::InvalidEscape {
                line: 2,
                escape: Some(0x07),
            },
            "header line 2 has an undefined escape \\\\u{7}",
        ),
        (
            DecodeError::InvalidEscape {
                line: 4,
                escape: None,
            },
            "header line 4 ends with a lone '\\'",
        ),
        (
            DecodeError::InvalidContentLength,
            "content-length is not a decimal byte count",
        ),
        (
            DecodeError::MissingBlankLine,
            "a NUL ended the headers without a blank line, but content-length announces a body",
        ),
        (
            DecodeError::MissingNul { found: 0x0a },
            "expected NUL after content-length body, found byte 0x0a",
        ),
        (
            DecodeError::Poisoned,
            "decoder already failed; input refused",
        ),
    ];
    for (error, text) in &table {
        same_text(error, DecodeError::describe_into, text);
    }
}

#[test]
fn encode_errors_read_the_same_in_every_shell() {
    let table = [
        (
            EncodeError::Unrepresentable {
                command: Command::Send,
                header: 2,
                in_name: false,
                byte: b'\r',
            },
            "SEND header 2 value holds byte 0x0d, which cannot be written in this version",
        ),
        (
            EncodeError::Unrepresentable {
                command: Command::Connect,
                header: 0,
                in_name: true,
                byte: b':',
            },
            "CONNECT header 0 name holds byte 0x3a, which cannot be written in this version",
        ),
        (
            EncodeError::EmptyHeaderName { header: 5 },
            "header 5 has an empty name",
        ),
        (
            EncodeError::ContentLengthMismatch {
                header: 10,
                body: 4,
            },
            "content-length header says 10 but the body has 4 bytes",
        ),
        (
            EncodeError::InvalidContentLength,
            "content-length header is not a decimal byte count",
        ),
    ];
    for (error, text) in &table {
        same_text(error, EncodeError::describe_into, text);
    }
}

#[test]
fn session_errors_read_the_same_in_every_shell() {
    let table = [
        (
            SessionError::NotConnected {
                state: State::Connecting,
            },
            "not connected (session is connecting)",
        ),
        (
            SessionError::AlreadyConnected {
                state: State::Connected,
            },
            "cannot connect: session is connected",
        ),
        (
            SessionError::Unsupported {
                command: Command::Nack,
                version: Version::V1_0,
            },
            "NACK is not part of STOMP 1.0",
        ),
        (
            SessionError::MissingHeader {
                command: Command::Send,
                header: RequiredHeader::Destination,
            },
            "SEND needs a 'destination' header",
        ),
        (
            SessionError::UnknownSubscription("sub-1".into()),
            "no subscription with id \"sub-1\"",
        ),
        (
            SessionError::DuplicateSubscription("a\nb".into()),
            "a subscription with id \"a\\nb\" already exists",
        ),
        (
            SessionError::UnknownTransaction("tx-1".into()),
            "no open transaction \"tx-1\"",
        ),
        (
            SessionError::DuplicateTransaction("tx \"2\"".into()),
            "transaction \"tx \\\"2\\\"\" is already open",
        ),
        (
            SessionError::AckInAutoMode {
                subscription: "s".into(),
            },
            "subscription \"s\" uses ack mode auto: nothing to acknowledge",
        ),
        (
            SessionError::AckModeUnsupported {
                version: Version::V1_0,
            },
            "ack mode client-individual needs STOMP 1.1 or later, session is 1.0",
        ),
        (
            SessionError::Encode(EncodeError::InvalidContentLength),
            "cannot encode frame",
        ),
        (
            SessionError::Decode(DecodeError::Poisoned),
            "cannot decode server input",
        ),
        (
            SessionError::UnexpectedFrame {
                command: Command::Message,
                state: State::Connecting,
            },
            "the server sent MESSAGE while the session is connecting",
        ),
        (
            SessionError::VersionNotOffered("9.9".into()),
            "the server chose version \"9.9\", which was not offered",
        ),
        (
            SessionError::WrongCommand {
                command: Command::Ack,
            },
            "ACK cannot be sent with this call",
        ),
    ];
    for (error, text) in &table {
        same_text(error, SessionError::describe_into, text);
    }
}

#[test]
fn endpoint_errors_read_the_same_in_every_shell() {
    let table = [
        (EndpointError::Empty, "empty broker URL"),
        (
            EndpointError::UnknownScheme {
                scheme: "http".into(),
            },
            "unknown scheme \"http\" (expected tcp, stomp, ssl, stomp+ssl, ws, wss or multicast)",
        ),
        (
            EndpointError::MissingHost {
                scheme: Scheme::Tcp,
            },
            "tcp:// URL has no host",
        ),
        (
            EndpointError::InvalidHost { host: "a b".into() },
            "invalid host \"a b\"",
        ),
        (
            EndpointError::Ipv6WithoutBrackets {
                authority: "::1:61613".into(),
            },
            "IPv6 address must be in brackets, as in [::1]:61613 (got \"::1:61613\")",
        ),
        (
            EndpointError::InvalidIpv6 {
                address: "zz".into(),
            },
            "invalid bracketed IPv6 address \"zz\"",
        ),
        (
            EndpointError::InvalidPort {
                port: "70000".into(),
            },
            "invalid port \"70000\" (expected 1 to 65535)",
        ),
        (
            EndpointError::UserInfo {
                scheme: Scheme::StompSsl,
            },
            "stomp+ssl:// URL carries credentials; pass them as login/passcode instead",
        ),
        (
            EndpointError::PathNotAllowed {
                scheme: Scheme::Tcp,
                path: "/x".into(),
            },
            "tcp:// URL cannot have a path (got \"/x\"); only ws:// and wss:// do",
        ),
        (
            EndpointError::UnexpectedCharacter {
                character: '\t',
                offset: 6,
            },
            "unexpected character '\\t' at byte 6 of broker URL",
        ),
        (
            EndpointError::UnexpectedCharacter {
                character: '#',
                offset: 9,
            },
            "unexpected character '#' at byte 9 of broker URL",
        ),
        (
            EndpointError::NotMulticast {
                group: "10.0.0.1".into(),
            },
            "\"10.0.0.1\" is not a multicast group address",
        ),
    ];
    for (error, text) in &table {
        same_text(error, EndpointError::describe_into, text);
    }
}

#[test]
fn failover_errors_read_the_same_in_every_shell() {
    let option = FailoverOption::MaxReconnectAttempts;
    let table = [
        (
            FailoverError::EmptyList,
            String::from("failover URI lists no broker"),
        ),
        (
            FailoverError::EmptyEntry { index: 1 },
            "failover broker #1 is empty".into(),
        ),
        (
            FailoverError::Endpoint {
                index: 2,
                error: EndpointError::Empty,
            },
            "failover broker #2 is not a valid broker URL".into(),
        ),
        (
            FailoverError::UnclosedParenthesis,
            "failover broker list opens '(' but never closes it".into(),
        ),
        (
            FailoverError::TrailingText { text: "x".into() },
            "unexpected \"x\" after failover broker list (options start with '?')".into(),
        ),
        (
            FailoverError::UnknownOption {
                name: "retries".into(),
            },
            "unknown failover option \"retries\"".into(),
        ),
        (
            FailoverError::MissingValue { option },
            "failover option maxReconnectAttempts has no value".into(),
        ),
        (
            FailoverError::InvalidValue {
                option,
                value: "many".into(),
            },
            format!(
                "failover option maxReconnectAttempts=\"many\" is invalid: expected {}",
                option.expected()
            ),
        ),
        (
            FailoverError::DuplicateOption { option },
            "failover option maxReconnectAttempts is given twice".into(),
        ),
        (
            FailoverError::EmptyOption { index: 0 },
            "failover option #0 is empty".into(),
        ),
    ];
    for (error, text) in &table {
        same_text(error, FailoverError::describe_into, text);
    }
}
