//! `NAME:VALUE` header options, checked against the frame they go on and the lowest version
//! offered by the encoder itself, so a header the session could not write is refused before
//! anything connects.

use stompwire::frame::{Command, ContentLength, EncodeError, Frame, Headers, Version, encode_with};

use crate::fail::Failure;

/// Parses `NAME:VALUE` options (split at the first `:`) for a frame with `command`, refusing
/// what `version` cannot carry. `flag` names the option in errors.
pub fn parse(
    list: &[String],
    flag: &str,
    command: Command,
    version: Version,
) -> Result<Headers, Failure> {
    let mut headers = Headers::new();
    for h in list {
        let (name, value) = h
            .split_once(':')
            .filter(|(n, _)| !n.is_empty())
            .ok_or_else(|| Failure::usage(format!("{flag} {h:?} is not NAME:VALUE")))?;
        headers.push(name, value);
    }
    let frame = Frame::from_parts(command, headers, Vec::new());
    let mut scratch = Vec::new();
    match encode_with(&frame, version, ContentLength::Skip, &mut scratch) {
        Ok(()) => Ok(frame.headers),
        Err(EncodeError::Unrepresentable { header, byte, .. }) => {
            let hint = match (command, byte) {
                (Command::Connect, _) => "CONNECT headers are never escaped".to_owned(),
                (_, b'\r') if version < Version::V1_2 => {
                    "a carriage return needs 1.2: offer only --versions 1.2".to_owned()
                }
                _ => format!("{version} has no escapes: offer --versions 1.1,1.2"),
            };
            Err(Failure::usage(format!(
                "{flag} {:?}: byte 0x{byte:02x} cannot be written in STOMP {version} ({hint})",
                list[header]
            )))
        }
        Err(e) => Err(Failure::usage(format!("{flag}: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(h: &str, command: Command, version: Version) -> Result<Headers, Failure> {
        parse(&[h.to_owned()], "--header", command, version)
    }

    #[test]
    fn a_value_may_hold_colons_in_every_version() {
        let h = one("selector:a = 'x:y'", Command::Subscribe, Version::V1_0).unwrap();
        assert_eq!(h.get("selector"), Some("a = 'x:y'"));
    }

    #[test]
    fn what_the_version_cannot_carry_is_refused() {
        let err = one("a:x\ny", Command::Send, Version::V1_0).unwrap_err();
        assert!(err.to_string().contains("0x0a"), "{err}");
        assert!(one("a:x\ny", Command::Send, Version::V1_1).is_ok());
        assert!(one("a:x\ry", Command::Send, Version::V1_1).is_err());
        assert!(one("a:x\ry", Command::Send, Version::V1_2).is_ok());
        assert!(one("a:x\ny", Command::Connect, Version::V1_2).is_err());
        assert!(one("novalue", Command::Send, Version::V1_2).is_err());
        assert!(one(":v", Command::Send, Version::V1_2).is_err());
    }
}
