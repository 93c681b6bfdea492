//! Header escaping per version, both directions.
//!
//! | version | escapes |
//! |---|---|
//! | 1.0, and CONNECT/STOMP/CONNECTED in every version | none: LF and CR cannot be written, nor `:` in a name |
//! | 1.1 | `\n` (LF), `\c` (`:`), `\\` (`\`); CR cannot be written |
//! | 1.2 | as 1.1, plus `\r` (CR) |

use alloc::vec::Vec;

use super::scan::{find, find_any};
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

/// Appends the unescaped form of `raw` to `out`. `line` names the header line in errors.
///
/// Works on bytes: escapes and what they stand for are ASCII, so the result is UTF-8 exactly
/// when `raw` is, and the caller checks that once for the whole header block.
pub(crate) fn unescape_into(
    out: &mut Vec<u8>,
    raw: &[u8],
    escaping: Escaping,
    line: usize,
) -> Result<(), DecodeError> {
    let mut rest = raw;
    while let Some(i) = find(rest, b'\\') {
        out.extend_from_slice(&rest[..i]);
        let escape = rest.get(i + 1).copied();
        out.push(match escape {
            Some(b'n') => b'\n',
            Some(b'c') => b':',
            Some(b'\\') => b'\\',
            Some(b'r') if escaping == Escaping::V1_2 => b'\r',
            _ => return Err(DecodeError::InvalidEscape { line, escape }),
        });
        rest = &rest[i + 2..];
    }
    out.extend_from_slice(rest);
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
    let mut rest = s.as_bytes();
    loop {
        let special = match (escaping, is_name) {
            // Unescaped, a value may hold `:` and `\`, a name `\`.
            (Escaping::None, false) => find_any(rest, [b'\n', b'\r']),
            (Escaping::None, true) => find_any(rest, [b'\n', b'\r', b':']),
            _ => find_any(rest, [b'\n', b'\r', b':', b'\\']),
        };
        let Some(i) = special else {
            out.extend_from_slice(rest);
            return Ok(());
        };
        let replacement: &[u8] = match (escaping, rest[i]) {
            (Escaping::None, b) => return Err(b),
            (_, b'\n') => b"\\n",
            (_, b':') => b"\\c",
            (_, b'\\') => b"\\\\",
            (Escaping::V1_2, b'\r') => b"\\r",
            (_, b) => return Err(b),
        };
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(replacement);
        rest = &rest[i + 1..];
    }
}
