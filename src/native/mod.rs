//! The native shell: transports, the threaded driver and listeners (feature `native`).
