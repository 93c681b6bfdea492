//! A short, bounded, allocation-free copy of offending input for error messages.

use core::fmt;

/// Up to 32 bytes copied from the input, shown escaped in error messages.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Snippet {
    len: u8,
    bytes: [u8; 32],
}

impl Snippet {
    /// Copies at most the first 32 bytes of `b`.
    pub fn new(b: &[u8]) -> Snippet {
        let n = b.len().min(32);
        let mut bytes = [0; 32];
        bytes[..n].copy_from_slice(&b[..n]);
        Snippet {
            len: n as u8,
            bytes,
        }
    }

    /// The copied bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for chunk in self.as_bytes().utf8_chunks() {
            for c in chunk.valid().chars() {
                write!(f, "{}", c.escape_debug())?;
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        f.write_str("\"")
    }
}
