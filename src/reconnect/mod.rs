//! Reconnect policy: backoff, host lists and failover URIs (sans-I/O).
#![forbid(unsafe_code)]
