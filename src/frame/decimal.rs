//! Unsigned integers as decimal text, without `core::fmt` (which costs size in a wasm build).

/// Writes `n` in decimal into `buf` and returns the digits.
///
/// ```
/// let mut buf = [0u8; 20];
/// assert_eq!(stompwire::frame::decimal(1234, &mut buf), "1234");
/// assert_eq!(stompwire::frame::decimal(0, &mut buf), "0");
/// ```
pub fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    core::str::from_utf8(&buf[i..]).unwrap_or("")
}
