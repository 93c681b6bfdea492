//! Limits: each one passes exactly at its bound and fails one byte over it with an error that
//! names it; hostile `content-length` values are refused before anything of their size is
//! allocated; and memory stays bounded on endless input.
//!
//! Memory is measured with a counting allocator that tracks, per thread, the bytes held.
// A global allocator is an `unsafe impl`; the package denies `unsafe` everywhere else.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use stompwire::frame::{DecodeError, Decoder, Item, Limit, Limits};

/// Counts the bytes each thread holds, and the peak since the last reset.
struct Counting;

thread_local! {
    static HELD: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grew(n: usize) {
    let _ = HELD.try_with(|held| {
        let now = held.get() + n;
        held.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn shrank(n: usize) {
    let _ = HELD.try_with(|held| held.set(held.get().saturating_sub(n)));
}

// SAFETY: every call is forwarded to `System` unchanged; the counting touches only
// constant-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result and the most memory this thread held meanwhile beyond
/// what it held before.
fn peak_memory<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = HELD.with(Cell::get);
    PEAK.with(|peak| peak.set(before));
    let result = f();
    (result, PEAK.with(Cell::get) - before)
}

/// Decodes `input` in chunks of `size`; returns the number of frames and the error, if any.
fn run(limits: Limits, input: &[u8], size: usize) -> (usize, Option<DecodeError>) {
    let mut decoder = Decoder::new(limits);
    let mut frames = 0;
    for chunk in input.chunks(size) {
        for item in decoder.feed(chunk) {
            match item {
                Ok(Item::Frame(_)) => frames += 1,
                Ok(Item::Heartbeat) => {}
                Err(e) => return (frames, Some(e)),
            }
        }
    }
    (frames, None)
}

/// The error decoding `input` ends with (or `None`), the same for every chunk size tried.
fn outcome(limits: Limits, input: &[u8]) -> Option<DecodeError> {
    let whole = run(limits, input, input.len().max(1));
    for size in [1, 2, 3, 7, 16] {
        assert_eq!(run(limits, input, size), whole, "chunks of {size}");
    }
    whole.1
}

fn exceeded(limit: Limit, max: usize, actual: usize) -> Option<DecodeError> {
    Some(DecodeError::LimitExceeded { limit, max, actual })
}

/// One test per row: a limit set to a value, an input, then the expected outcome.
macro_rules! bounds {
    ($($name:ident: $field:ident = $value:expr, $input:expr => $expected:expr;)*) => {$(
        #[test]
        fn $name() {
            let mut limits = Limits::default();
            limits.$field = $value;
            assert_eq!(outcome(limits, $input), $expected);
        }
    )*};
}

bounds! {
    command_length_at_the_bound_passes: max_command_len = 7, b"MESSAGE\n\n\0" => None;
    command_length_at_the_bound_passes_with_crlf: max_command_len = 7, b"MESSAGE\r\n\n\0" => None;
    command_length_one_over_fails: max_command_len = 6, b"MESSAGE\n\n\0"
        => exceeded(Limit::CommandLength, 6, 7);
    command_length_fails_before_the_line_ends: max_command_len = 6, b"MESSAGEMESSAGEMESSAGE"
        => exceeded(Limit::CommandLength, 6, 7);

    header_line_at_the_bound_passes: max_header_line = 20, b"SEND\ndestination:/queue/a\n\n\0" => None;
    header_line_at_the_bound_passes_with_crlf: max_header_line = 20,
        b"SEND\r\ndestination:/queue/a\r\n\r\n\0" => None;
    header_line_one_over_fails: max_header_line = 19, b"SEND\ndestination:/queue/a\n\n\0"
        => exceeded(Limit::HeaderLine, 19, 20);
    header_line_counts_escapes_as_written: max_header_line = 5, b"SEND\na:\\c\\c\n\n\0"
        => exceeded(Limit::HeaderLine, 5, 6);
    header_line_fails_before_the_line_ends: max_header_line = 4, b"SEND\naaaaaaaaaaaaaaaaaaaaaaaaa"
        => exceeded(Limit::HeaderLine, 4, 5);

    header_count_at_the_bound_passes: max_headers = 3, b"SEND\na:1\nb:2\nc:3\n\n\0" => None;
    header_count_one_over_fails: max_headers = 2, b"SEND\na:1\nb:2\nc:3\n\n\0"
        => exceeded(Limit::Headers, 2, 3);
    header_count_counts_repeats: max_headers = 1, b"SEND\na:1\na:1\n\n\0"
        => exceeded(Limit::Headers, 1, 2);

    body_at_the_bound_passes: max_body_size = 10, b"SEND\n\n0123456789\0" => None;
    body_one_over_fails: max_body_size = 9, b"SEND\n\n0123456789\0"
        => exceeded(Limit::BodySize, 9, 10);
    body_fails_before_its_nul_arrives: max_body_size = 3, b"SEND\n\n0123456789"
        => exceeded(Limit::BodySize, 3, 4);
    announced_body_at_the_bound_passes: max_body_size = 10,
        b"SEND\ncontent-length:10\n\n01234\x005678\0" => None;
    announced_body_one_over_fails_before_the_body: max_body_size = 9,
        b"SEND\ncontent-length:10\n\n"
        => exceeded(Limit::BodySize, 9, 10);
    empty_body_passes_a_zero_bound: max_body_size = 0, b"SEND\n\n\0SEND\ncontent-length:0\n\n\0" => None;

    // "SEND\n\nhello\0" is 12 bytes; the EOL after the NUL is not counted.
    frame_at_the_bound_passes: max_frame_size = 12, b"SEND\n\nhello\0\n" => None;
    frame_one_over_fails: max_frame_size = 11, b"SEND\n\nhello\0"
        => exceeded(Limit::FrameSize, 11, 12);
    frame_fails_in_the_headers: max_frame_size = 8, b"SEND\na:1\nb:2\n\n\0"
        => exceeded(Limit::FrameSize, 8, 9);
    frame_fails_in_a_long_header_line: max_frame_size = 8, b"SEND\naaaaaaaaaaaaaaaaaaaaaaa"
        => exceeded(Limit::FrameSize, 8, 9);
    // 26 bytes of command and headers, 5 of body, the NUL.
    announced_frame_at_the_bound_passes: max_frame_size = 32,
        b"MESSAGE\ncontent-length:5\n\nhello\0" => None;
    announced_frame_one_over_fails_before_the_body: max_frame_size = 31,
        b"MESSAGE\ncontent-length:5\n\n"
        => exceeded(Limit::FrameSize, 31, 32);
    frame_limit_applies_to_each_frame: max_frame_size = 12,
        b"SEND\n\nhello\0SEND\n\nhello\0\nSEND\n\nhello\0" => None;
}

#[test]
fn the_first_byte_over_decides_which_limit_is_named() {
    // The header line and the frame would both be exceeded; the frame's limit is reached
    // first, at byte 9.
    let limits = Limits::default()
        .with_max_frame_size(8)
        .with_max_header_line(6);
    assert_eq!(
        outcome(limits, b"SEND\naaaaaaaaaa:1\n\n\0"),
        exceeded(Limit::FrameSize, 8, 9)
    );
    // Here the header line is over first, at its 8th byte (the 7th could be a CR).
    let limits = Limits::default()
        .with_max_frame_size(14)
        .with_max_header_line(6);
    assert_eq!(
        outcome(limits, b"SEND\naaaaaaaaaa:1\n\n\0"),
        exceeded(Limit::HeaderLine, 6, 7)
    );
}

#[test]
fn errors_name_the_limit_field() {
    let fields: Vec<&str> = [
        Limit::FrameSize,
        Limit::BodySize,
        Limit::Headers,
        Limit::HeaderLine,
        Limit::CommandLength,
    ]
    .into_iter()
    .map(Limit::field)
    .collect();
    assert_eq!(
        fields,
        [
            "max_frame_size",
            "max_body_size",
            "max_headers",
            "max_header_line",
            "max_command_len"
        ]
    );
    let error = exceeded(Limit::HeaderLine, 19, 20).unwrap();
    assert_eq!(error.to_string(), "frame exceeds max_header_line (20 > 19)");
}

#[test]
fn defaults_are_bounded() {
    let limits = Limits::default();
    assert_eq!(limits, Limits::DEFAULT);
    assert_eq!(limits.max_frame_size, 16 * 1024 * 1024);
    assert_eq!(limits.max_body_size, 16 * 1024 * 1024);
    assert_eq!(limits.max_headers, 256);
    assert_eq!(limits.max_header_line, 16 * 1024);
    assert_eq!(limits.max_command_len, 32);
    assert!(!limits.trim_header_whitespace);
}

#[test]
fn hostile_content_lengths_are_refused_before_allocating() {
    let max = Limits::default().max_body_size;
    let cases: [(&str, Option<DecodeError>); 8] = [
        ("4294967295", exceeded(Limit::BodySize, max, 4_294_967_295)),
        ("16777217", exceeded(Limit::BodySize, max, 16_777_217)),
        (
            "18446744073709551615",
            exceeded(Limit::BodySize, max, 18_446_744_073_709_551_615),
        ),
        (
            "18446744073709551616",
            Some(DecodeError::InvalidContentLength),
        ),
        (
            "99999999999999999999999999",
            Some(DecodeError::InvalidContentLength),
        ),
        ("-1", Some(DecodeError::InvalidContentLength)),
        ("abc", Some(DecodeError::InvalidContentLength)),
        ("0x7fffffff", Some(DecodeError::InvalidContentLength)),
    ];
    for (value, expected) in cases {
        let wire = format!("MESSAGE\ncontent-length:{value}\n\n");
        let ((frames, error), peak) = peak_memory(|| run(Limits::default(), wire.as_bytes(), 64));
        assert_eq!((frames, error), (0, expected), "{value}");
        assert!(peak < 4096, "{value}: {peak} bytes held");
    }
}

/// Feeds `head` and then `filler` over and over, up to 100 MB, in 64 KiB chunks; returns
/// the error, the bytes fed until it came, and the peak memory the decoder held.
fn endless(limits: Limits, head: &[u8], filler: u8) -> (Option<DecodeError>, usize, usize) {
    endless_up_to(100_000_000, limits, head, filler)
}

fn endless_up_to(
    total: usize,
    limits: Limits,
    head: &[u8],
    filler: u8,
) -> (Option<DecodeError>, usize, usize) {
    let chunk = vec![filler; 64 * 1024];
    let mut decoder = Decoder::new(limits);
    let ((error, fed), peak) = peak_memory(|| {
        let mut fed = head.len();
        for item in decoder.feed(head) {
            if let Err(e) = item {
                return (Some(e), fed);
            }
        }
        while fed < total {
            fed += chunk.len();
            for item in decoder.feed(&chunk) {
                if let Err(e) = item {
                    return (Some(e), fed);
                }
            }
        }
        (None, fed)
    });
    (error, fed, peak)
}

#[test]
fn an_endless_command_line_fails_at_its_limit() {
    let (error, fed, peak) = endless(Limits::default(), b"", b'A');
    assert_eq!(error, exceeded(Limit::CommandLength, 32, 33));
    assert_eq!(fed, 64 * 1024, "fails within the first chunk");
    assert!(peak < 4096, "{peak}");
}

#[test]
fn an_endless_header_line_fails_at_its_limit() {
    let (error, fed, peak) = endless(Limits::default(), b"SEND\n", b'a');
    assert_eq!(error, exceeded(Limit::HeaderLine, 16 * 1024, 16 * 1024 + 1));
    assert_eq!(fed, 5 + 64 * 1024);
    assert!(peak < 64 * 1024, "{peak}");
}

#[test]
fn an_endless_header_line_fed_byte_by_byte_holds_at_most_its_limit() {
    let limits = Limits::default();
    let mut decoder = Decoder::new(limits);
    let (error, peak) = peak_memory(|| {
        let _ = decoder.decode(b"SEND\n");
        for _ in 0..100_000 {
            if let Err(e) = decoder.decode(b"a") {
                return Some(e);
            }
        }
        None
    });
    assert_eq!(error, exceeded(Limit::HeaderLine, 16 * 1024, 16 * 1024 + 1));
    // The partial line, plus the header list started for the frame.
    assert!(peak <= 16 * 1024 + 1 + 1024, "{peak}");
}

#[test]
fn endless_header_lines_fail_at_the_header_count() {
    let filler = b"a:b\n".repeat(16 * 1024);
    let mut decoder = Decoder::default();
    let (error, peak) = peak_memory(|| {
        let _ = decoder.decode(b"SEND\n");
        loop {
            for item in decoder.feed(&filler) {
                if let Err(e) = item {
                    return e;
                }
            }
        }
    });
    assert_eq!(
        error,
        exceeded(Limit::Headers, 256, 257).unwrap(),
        "fails at the 257th line"
    );
    assert!(peak < 16 * 1024, "{peak}");
}

#[test]
fn an_endless_body_without_nul_fails_at_the_frame_limit() {
    let (error, fed, peak) = endless(Limits::default(), b"SEND\n\n", b'x');
    let max = 16 * 1024 * 1024;
    assert_eq!(error, exceeded(Limit::FrameSize, max, max + 1));
    assert!(fed <= max + 64 * 1024 + 64);
    // The body never outgrows its limit; the rest is the header list.
    assert!(
        peak <= max + 1024,
        "{peak} bytes held for a body of at most {max}"
    );
}

#[test]
fn an_endless_body_without_nul_fails_at_the_body_limit() {
    let limits = Limits::default().with_max_body_size(1024 * 1024);
    let (error, fed, peak) = endless(limits, b"SEND\n\n", b'x');
    assert_eq!(
        error,
        exceeded(Limit::BodySize, 1024 * 1024, 1024 * 1024 + 1)
    );
    assert!(fed <= 1024 * 1024 + 64 * 1024 + 64);
    assert!(peak <= 1024 * 1024 + 1024, "{peak}");
}

#[test]
fn an_announced_body_that_never_ends_holds_only_its_announced_size() {
    let limits = Limits::default().with_max_body_size(1024 * 1024);
    let (error, fed, peak) = endless(limits, b"SEND\ncontent-length:1048576\n\n", b'x');
    // The body is taken whole; the byte after it is not the NUL.
    assert_eq!(error, Some(DecodeError::MissingNul { found: b'x' }));
    assert!(fed <= 1024 * 1024 + 64 * 1024 + 64);
    assert!(peak <= 1024 * 1024 + 1024, "{peak}");
}

#[test]
fn endless_heart_beats_hold_nothing() {
    // Every byte is an item here, so 10 MB keeps the test quick.
    let (error, fed, peak) = endless_up_to(10_000_000, Limits::default(), b"", b'\n');
    assert_eq!(error, None);
    assert!(fed >= 10_000_000);
    assert_eq!(peak, 0);
}

#[test]
fn a_failed_decoder_lets_go_of_its_partial_frame() {
    let limits = Limits::default().with_max_body_size(1024 * 1024);
    let mut decoder = Decoder::new(limits);
    let ((), _) = peak_memory(|| {
        let _ = decoder.decode(b"SEND\ncontent-length:1000000\n\n");
        assert!(HELD.with(Cell::get) >= 1_000_000);
        let _ = decoder.decode(b"x");
        assert!(decoder.decode(&[b'x'; 1_000_000]).is_err());
    });
    assert!(decoder.has_failed());
}

/// `base.$with(value)` is `base` with `$field` set to `value`, and nothing else changed.
macro_rules! sets_only {
    ($base:expr, $($with:ident => $field:ident = $value:expr),* $(,)?) => {$(
        let mut expected = $base;
        expected.$field = $value;
        assert_ne!(expected, $base, "{} must differ from the base", stringify!($value));
        assert_eq!($base.$with($value), expected, stringify!($with));
    )*};
}

#[test]
fn each_setter_sets_its_own_limit() {
    sets_only!(
        Limits::default(),
        with_max_frame_size => max_frame_size = 1,
        with_max_body_size => max_body_size = 2,
        with_max_headers => max_headers = 3,
        with_max_header_line => max_header_line = 4,
        with_max_command_len => max_command_len = 5,
        with_trim_header_whitespace => trim_header_whitespace = true,
    );
    const SMALL: Limits = Limits::DEFAULT.with_max_frame_size(64);
    assert_eq!(SMALL, Limits::default().with_max_frame_size(64));
}
