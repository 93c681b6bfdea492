//! The pieces error descriptions are written with, without `core::fmt` (which costs size in a
//! wasm build): decimal numbers, hex bytes and quoted text.
//!
//! Every core error writes its one description with these (`describe_into`); its `Display`
//! prints that description, and the browser shell shows the same text.

use alloc::string::String;

/// Appends `n` in decimal.
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    out.push_str(super::decimal(n, &mut [0; 20]));
}

/// Appends `n` (a count or size) in decimal.
pub(crate) fn push_usize(out: &mut String, n: usize) {
    push_decimal(out, n as u64);
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `0x` and `byte` as two lowercase hex digits (`0x0a`).
pub(crate) fn push_hex_byte(out: &mut String, byte: u8) {
    out.push_str("0x");
    push_hex_digits(out, u32::from(byte), 2);
}

/// Appends `text` between double quotes, escaped as Rust's `{:?}` escapes ASCII (`\n`, `\"`,
/// `\\`, `\u{1}`…); other characters are written as they are, except control and white-space
/// characters, which are written as `\u{…}` so that nothing in the text is invisible.
pub(crate) fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        push_escaped(out, c, '"');
    }
    out.push('"');
}

/// Appends `c` between single quotes, escaped as [`push_quoted`] escapes text.
pub(crate) fn push_quoted_char(out: &mut String, c: char) {
    out.push('\'');
    push_escaped(out, c, '\'');
    out.push('\'');
}

/// Appends `bytes` between double quotes: as [`push_quoted`] writes text when they are UTF-8;
/// otherwise ASCII is escaped so and every other byte is written `\xNN`.
pub(crate) fn push_quoted_bytes(out: &mut String, bytes: &[u8]) {
    if let Ok(text) = core::str::from_utf8(bytes) {
        return push_quoted(out, text);
    }
    out.push('"');
    for &b in bytes {
        if b.is_ascii() {
            push_escaped(out, char::from(b), '"');
        } else {
            out.push_str("\\x");
            push_hex_digits(out, u32::from(b), 2);
        }
    }
    out.push('"');
}

/// Appends `byte` as `char::escape_default` writes it: printable ASCII as it is (with `\\`,
/// `\'` and `\"` escaped), `\t`, `\r`, `\n`, and `\u{…}` for the rest.
pub(crate) fn push_escape_default(out: &mut String, byte: u8) {
    match byte {
        b'\t' => out.push_str("\\t"),
        b'\r' => out.push_str("\\r"),
        b'\n' => out.push_str("\\n"),
        b'\\' | b'\'' | b'"' => {
            out.push('\\');
            out.push(char::from(byte));
        }
        0x20..=0x7e => out.push(char::from(byte)),
        _ => push_unicode_escape(out, u32::from(byte)),
    }
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\0' => out.push_str("\\0"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        ' ' => out.push(' '),
        c if c.is_control() || c.is_whitespace() => push_unicode_escape(out, u32::from(c)),
        c => out.push(c),
    }
}

/// `\u{…}`: the code point in lowercase hex, without leading zeros.
fn push_unicode_escape(out: &mut String, n: u32) {
    out.push_str("\\u{");
    push_hex_digits(out, n, (32 - n.leading_zeros()).div_ceil(4).max(1));
    out.push('}');
}

/// The last `digits` hex digits of `n`, lowercase.
fn push_hex_digits(out: &mut String, n: u32, digits: u32) {
    for i in (0..digits).rev() {
        out.push(char::from(HEX[((n >> (i * 4)) & 0xf) as usize]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str) -> String {
        let mut out = String::new();
        push_quoted(&mut out, text);
        out
    }

    #[test]
    fn ascii_is_quoted_as_debug_quotes_it() {
        for text in [
            "plain",
            "a\"b",
            "it's",
            "back\\slash",
            "\n\r\t\0",
            "\u{1}\u{7f}",
            "",
        ] {
            assert_eq!(quoted(text), alloc::format!("{text:?}"), "{text:?}");
        }
    }

    #[test]
    fn invisible_characters_are_written_as_code_points() {
        assert_eq!(
            quoted("a\u{a0}b\u{3000}\u{85}"),
            "\"a\\u{a0}b\\u{3000}\\u{85}\""
        );
        assert_eq!(quoted("Älä"), "\"Älä\"");
    }

    #[test]
    fn chars_and_bytes_are_quoted_like_text() {
        let mut out = String::new();
        push_quoted_char(&mut out, '\'');
        push_quoted_char(&mut out, '"');
        push_quoted_bytes(&mut out, b"A\xffB\n");
        push_quoted_bytes(&mut out, "Ä".as_bytes());
        push_hex_byte(&mut out, 0x0a);
        push_hex_byte(&mut out, 0xff);
        assert_eq!(out, "'\\'''\"'\"A\\xffB\\n\"\"Ä\"0x0a0xff");
    }

    #[test]
    fn a_byte_is_escaped_as_escape_default_escapes_it() {
        for byte in 0..=255u8 {
            let mut out = String::new();
            push_escape_default(&mut out, byte);
            let expected: String = char::from(byte).escape_default().collect();
            assert_eq!(out, expected, "{byte:#04x}");
        }
    }
}
