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
/// let limits = Limits::default()
///     .with_max_body_size(1024 * 1024)
///     .with_max_headers(64);
/// assert_eq!(limits.max_body_size, 1024 * 1024);
/// assert_eq!(limits.max_frame_size, Limits::default().max_frame_size);
///
/// // The setters are `const`: limits can be a constant.
/// const SMALL: Limits = Limits::DEFAULT.with_max_frame_size(64 * 1024);
/// assert_eq!(SMALL.max_frame_size, 65_536);
/// ```
///
/// The struct is `#[non_exhaustive]`, so that limits can be added without breaking users:
/// outside this crate, build one from [`Limits::default`] (or [`Limits::DEFAULT`]) and the
/// `with_*` setters.
///
/// [`DecodeError::LimitExceeded`]: super::DecodeError::LimitExceeded
/// [`Limit`]: super::Limit
/// [`Decoder`]: super::Decoder
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

    /// Sets [`max_frame_size`](Self::max_frame_size).
    #[must_use]
    pub const fn with_max_frame_size(mut self, max: usize) -> Limits {
        self.max_frame_size = max;
        self
    }

    /// Sets [`max_body_size`](Self::max_body_size).
    #[must_use]
    pub const fn with_max_body_size(mut self, max: usize) -> Limits {
        self.max_body_size = max;
        self
    }

    /// Sets [`max_headers`](Self::max_headers).
    #[must_use]
    pub const fn with_max_headers(mut self, max: usize) -> Limits {
        self.max_headers = max;
        self
    }

    /// Sets [`max_header_line`](Self::max_header_line).
    #[must_use]
    pub const fn with_max_header_line(mut self, max: usize) -> Limits {
        self.max_header_line = max;
        self
    }

    /// Sets [`max_command_len`](Self::max_command_len).
    #[must_use]
    pub const fn with_max_command_len(mut self, max: usize) -> Limits {
        self.max_command_len = max;
        self
    }

    /// Sets [`trim_header_whitespace`](Self::trim_header_whitespace).
    #[must_use]
    pub const fn with_trim_header_whitespace(mut self, on: bool) -> Limits {
        self.trim_header_whitespace = on;
        self
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}
