//! libFuzzer target: broker bytes, caller calls and time driving a STOMP session, checked by
//! [`stompwire_fuzz::session::check`] with the live heap from a counting allocator.
#![no_main]

use std::alloc::System;

use cap::Cap;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    stompwire_fuzz::session::check(data, Some(&|| ALLOCATOR.allocated()))
});
