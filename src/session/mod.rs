//! The STOMP session state machine (sans-I/O).
#![forbid(unsafe_code)]
