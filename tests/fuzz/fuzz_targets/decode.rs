//! libFuzzer target: arbitrary bytes into the STOMP decoder, checked by
//! [`stompwire_fuzz::check`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| stompwire_fuzz::check(data));
