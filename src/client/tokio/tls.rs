//! [`TlsOptions`]: the TLS configuration of the tokio runtime — the same type, and the same
//! verification setup, as the native shell's (see [`crate::net::TlsConfig`]).

/// TLS options for `ssl://`, `stomp+ssl://` and `wss://` endpoints: the one TLS setup of the
/// native transports ([`TlsConfig`](crate::net::TlsConfig)) — the operating system's trust
/// store unless a CA file is given, the certificate checked against the host (or
/// `server_name`), a client identity, a custom verifier or a complete rustls configuration.
///
/// ```
/// use stompwire::client::tokio::TlsOptions;
///
/// let tls = TlsOptions::with_ca_file("/etc/stomp/ca.pem");
/// assert_eq!(tls.system_roots, None);
/// ```
pub type TlsOptions = crate::net::TlsConfig;
