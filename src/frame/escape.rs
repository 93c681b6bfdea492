//! Header escaping per version, both directions.
//!
//! | version | escapes |
//! |---|---|
//! | 1.0, and CONNECT/STOMP/CONNECTED in every version | none: LF and CR cannot be written, nor `:` in a name |
//! | 1.1 | `\n` (LF), `\c` (`:`), `\\` (`\`); CR cannot be written |
//! | 1.2 | as 1.1, plus `\r` (CR) |

use alloc::string::String;
use alloc::vec::Vec;

use super::{DecodeError, Version};

/// Which escaping applies to one frame's headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Escaping {
    /// Octets are written as they are.
    None,
    /// 1.1 escapes.
    V1_1,
    /// 1.2 escapes.
    V1_2,
}

impl Escaping {
    /// The escaping for a frame with `command` in `version`.
    pub(crate) fn of(command: super::Command, version: Version) -> Escaping {
        if !command.escapes_headers(version) {
            Escaping::None
        } else if version == Version::V1_1 {
            Escaping::V1_1
        } else {
            Escaping::V1_2
        }
    }
}

/// Appends the unescaped form of `raw` to `text`. `line` names the header line in errors.
pub(crate) fn unescape_into(
    text: &mut String,
    raw: &[u8],
    escaping: Escaping,
    line: usize,
) -> Result<(), DecodeError> {
    // Escapes are ASCII, so the raw bytes are UTF-8 exactly when the unescaped text is.
    let s = core::str::from_utf8(raw).map_err(|_| DecodeError::NonUtf8Header { line })?;
    if escaping == Escaping::None {
        text.push_str(s);
        return Ok(());
    }
    let mut rest = s;
    while let Some(i) = memchr::memchr(b'\\', rest.as_bytes()) {
        text.push_str(&rest[..i]);
        let escape = rest.as_bytes().get(i + 1).copied();
        let c = match escape {
            Some(b'n') => '\n',
            Some(b'c') => ':',
            Some(b'\\') => '\\',
            Some(b'r') if escaping == Escaping::V1_2 => '\r',
            _ => return Err(DecodeError::InvalidEscape { line, escape }),
        };
        text.push(c);
        rest = &rest[i + 2..];
    }
    text.push_str(rest);
    Ok(())
}

/// Appends the escaped form of `s` to `out`; on a byte that cannot be written, returns it
/// (and `out` holds a partial write the caller discards).
pub(crate) fn escape_into(
    out: &mut Vec<u8>,
    s: &str,
    escaping: Escaping,
    is_name: bool,
) -> Result<(), u8> {
    let bytes = s.as_bytes();
    let special = |b: u8| matches!(b, b'\n' | b'\r' | b':' | b'\\');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !special(b) {
            continue;
        }
        let replacement: &[u8] = match (escaping, b) {
            (Escaping::None, b'\\') => continue,
            (Escaping::None, b':') if !is_name => continue,
            (Escaping::None, _) => return Err(b),
            (_, b'\n') => b"\\n",
            (_, b':') => b"\\c",
            (_, b'\\') => b"\\\\",
            (Escaping::V1_2, b'\r') => b"\\r",
            _ => return Err(b),
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(replacement);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    Ok(())
}
