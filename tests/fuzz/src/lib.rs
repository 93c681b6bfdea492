//! Invariants checked by the fuzz targets, shared by the libFuzzer targets (`fuzz_targets/`)
//! and by the stable property tests (`cargo test --no-default-features`):
//!
//! - [`decode`]: the STOMP frame decoder on arbitrary bytes;
//! - [`session`]: the session state machine on arbitrary broker bytes, caller calls and time.

pub mod decode;
pub mod session;

pub use decode::check;
