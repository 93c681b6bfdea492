//! Bounds on what the decoder accepts, and the leniencies it can be asked for, in one place.

/// Limits that protect a decoder from a hostile or broken peer, plus explicit leniencies.
///
/// Every limit has a safe default; a violation is a [`DecodeError::LimitExceeded`]
/// naming the [`Limit`], reported at the first byte beyond it. A [`Decoder`] never holds
/// much more than the frame it is reading (at most `max_frame_size` bytes) plus one header
/// line split across inputs, whatever the input; a `content-length` beyond the limits is
/// refused before anything is allocated for it.
///
/// ```
/// use stompwire::frame::Limits;
///
/// let limits = Limits {
///     max_body_size: 1024 * 1024,
///     ..Limits::default()
/// };
/// assert_eq!(limits.max_headers, Limits::default().max_headers);
/// ```
///
/// [`DecodeError::LimitExceeded`]: super::DecodeError::LimitExceeded
/// [`Limit`]: super::Limit
/// [`Decoder`]: super::Decoder
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest frame, command line to NUL inclusive. Default 16 MiB.
    pub max_frame_size: usize,
    /// Largest body. Default 16 MiB.
    pub max_body_size: usize,
    /// Most header lines in one frame. Default 256.
    pub max_headers: usize,
    /// Longest header line, escapes included, EOL excluded. Default 16 KiB.
    pub max_header_line: usize,
    /// Longest command line. Default 32 (the longest command, UNSUBSCRIBE, has 11).
    pub max_command_len: usize,
    /// Leniency for 1.0 peers that pad header values with spaces: trim spaces and tabs around
    /// names and values. Off by default: the specifications say values are never trimmed.
    pub trim_header_whitespace: bool,
}

impl Limits {
    /// The defaults, usable in `const` context.
    pub const DEFAULT: Limits = Limits {
        max_frame_size: 16 * 1024 * 1024,
        max_body_size: 16 * 1024 * 1024,
        max_headers: 256,
        max_header_line: 16 * 1024,
        max_command_len: 32,
        trim_header_whitespace: false,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}
