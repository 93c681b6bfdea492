//! Debug output: the lines handed to the `debug` callback. Built only when one is set, without
//! `core::fmt`, and never with a credential in it (`passcode`, `authorization` and `token`
//! values are written as `***`).

use alloc::string::String;

use crate::frame::Frame;
use crate::frame::scan::{cut, pieces};

/// Appends `n` in decimal.
pub(crate) fn push_u64(out: &mut String, n: u64) {
    out.push_str(crate::frame::decimal(n, &mut [0; 20]));
}

/// `parts` concatenated.
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// `before`, `n` in decimal, `after`.
#[cfg(feature = "web-client")]
pub(crate) fn with_number(before: &str, n: u64, after: &str) -> String {
    let mut out = String::with_capacity(before.len() + 20 + after.len());
    out.push_str(before);
    push_u64(&mut out, n);
    out.push_str(after);
    out
}

fn is_secret(name: &str) -> bool {
    crate::frame::is_secret_header(name)
}

fn push_header(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push(':');
    out.push_str(if is_secret(name) { "***" } else { value });
    out.push('\n');
}

/// A frame this client wrote (wire bytes, one frame or a heart-beat), for the log: `>>> `,
/// then the command and headers; with `raw` (`logRawCommunication`), the body too when it is
/// text, and the terminating NUL, as stompjs logs a frame.
pub(crate) fn outgoing(bytes: &[u8], raw: bool) -> String {
    if bytes == b"\n" {
        return String::from(">>> PING");
    }
    // The encoder writes LF line ends; the header block ends at the first blank line.
    let split = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(bytes.len());
    let head = core::str::from_utf8(&bytes[..split]).unwrap_or("");
    let mut out = String::with_capacity(head.len() + 8);
    out.push_str(">>> ");
    let mut lines = pieces(head, b'\n');
    if let Some(command) = lines.next() {
        out.push_str(command);
        out.push('\n');
    }
    for line in lines {
        let (name, value) = cut(line, b':').unwrap_or((line, ""));
        push_header(&mut out, name, value);
    }
    if raw {
        out.push('\n');
        let body = bytes
            .get(split + 2..bytes.len().saturating_sub(1))
            .unwrap_or(&[]);
        push_text(&mut out, body);
        out.push('\0');
    }
    out
}

/// Appends `bytes` as text, or says how many bytes there are when they are not UTF-8.
fn push_text(out: &mut String, bytes: &[u8]) {
    match core::str::from_utf8(bytes) {
        Ok(text) => out.push_str(text),
        Err(_) => {
            push_u64(out, bytes.len() as u64);
            out.push_str(" bytes, not UTF-8");
        }
    }
}

/// A frame the broker sent, for the log: `<<< `, the command and the headers.
pub(crate) fn incoming(frame: &Frame) -> String {
    let mut out = String::with_capacity(64);
    out.push_str("<<< ");
    out.push_str(frame.command.as_str());
    out.push('\n');
    for (name, value) in frame.headers.iter() {
        push_header(&mut out, name, value);
    }
    out
}

/// Bytes as the broker sent them, for `logRawCommunication`.
pub(crate) fn incoming_raw(bytes: &[u8]) -> String {
    let mut out = String::from("<<< ");
    push_text(&mut out, bytes);
    out
}
