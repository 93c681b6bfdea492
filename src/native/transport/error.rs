//! What can go wrong opening or using a transport, with the data needed to act on it.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::prelude::rust_2024::*;

use super::SocketOption;
pub use crate::net::PemContents;
use crate::net::SetupError;
use crate::net::multicast::TooLarge;

/// Why a transport could not be opened, or why a read or write on it failed.
///
/// Every variant says which step failed. Errors of the libraries underneath (rustls,
/// tungstenite, the operating system) are kept whole, never turned into strings, and are
/// reachable through [`std::error::Error::source`]; the message says only the step, not the
/// source again.
#[derive(Debug)]
#[non_exhaustive]
pub enum TransportError {
    /// The target cannot be used: an unknown scheme, a multicast "group" that is not an IPv4
    /// multicast address, an empty host.
    InvalidTarget {
        /// What is wrong with it.
        reason: String,
    },
    /// The host name did not resolve, or resolved to no address.
    Resolve {
        /// The host as given.
        host: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// No address of the host accepted a TCP connection (refused, unreachable, timed out).
    Connect {
        /// `host:port` as given.
        peer: String,
        /// The error for the last address tried.
        source: io::Error,
    },
    /// A socket option or a local bind could not be applied.
    Socket {
        /// The option ([`SocketOption::TcpNodelay`], [`SocketOption::IpMulticastTtl`], …), or
        /// the socket call ([`SocketOption::Bind`], …).
        option: SocketOption,
        /// The operating system's error.
        source: io::Error,
    },
    /// Reading or writing the established connection failed (reset, broken pipe, a write
    /// timeout). The transport is closed afterwards: a partly written frame cannot be resumed.
    Io(io::Error),
    /// The TLS or WebSocket handshake did not finish within
    /// [`TcpConfig::handshake_timeout`](super::TcpConfig::handshake_timeout).
    HandshakeTimeout {
        /// Which handshake.
        during: Handshake,
        /// `host:port` as given.
        peer: String,
    },
    /// A PEM file (CA certificates, client certificate, client key) could not be used.
    Pem {
        /// What the file was meant to hold.
        what: PemContents,
        /// The file.
        path: PathBuf,
        /// The parser's error (a missing file is `Io`; a file without the expected section is
        /// `NoItemsFound`).
        source: rustls_pki_types::pem::Error,
    },
    /// No certificate authority to verify the server with: the system store is empty or
    /// unreadable and no CA file was given.
    NoTrustRoots {
        /// What the system store loader reported.
        detail: String,
    },
    /// The host (or [`TlsConfig::server_name`](super::TlsConfig::server_name)) is neither a
    /// DNS name nor an IP address, so the certificate cannot be checked against it.
    InvalidServerName {
        /// The rejected name.
        name: String,
    },
    /// rustls refused the TLS configuration (for example a client key that does not match
    /// its certificate).
    TlsConfig(rustls::Error),
    /// The TLS session failed: during the handshake (an untrusted or mismatched certificate,
    /// a fatal alert from the server) or later (a corrupt record).
    ///
    /// A certificate the verifier rejected is `rustls::Error::InvalidCertificate`; it displays
    /// as `certificate verify failed: UnknownIssuer` and the like.
    Tls(rustls::Error),
    /// An extra HTTP header of [`WsConfig::headers`](super::WsConfig::headers) is not a valid
    /// header name or value.
    InvalidHeader {
        /// The header's name.
        name: String,
    },
    /// The server answered the WebSocket upgrade with an HTTP status other than 101.
    WebSocketRejected {
        /// The HTTP status code.
        status: u16,
        /// The start of the response body, when there was one (at most 256 bytes, lossily
        /// decoded).
        body: Option<String>,
    },
    /// The WebSocket layer failed: a handshake the client could not verify (a subprotocol it
    /// did not offer, a wrong accept key), a message over
    /// [`WsConfig::max_message_size`](super::WsConfig::max_message_size), a protocol violation
    /// by the server, a text frame that is not UTF-8.
    WebSocket(tungstenite::Error),
    /// A frame encoded for multicast would not fit in one datagram. Nothing was sent; frames
    /// are never truncated or split.
    DatagramTooLarge {
        /// The encoded size.
        size: usize,
        /// [`MulticastConfig::max_datagram_size`](super::MulticastConfig::max_datagram_size).
        max: usize,
    },
    /// The transport was closed by [`Transport::close`](super::Transport::close) on this side;
    /// a send after it is the caller's mistake. (A connection the *peer* closed shows up as
    /// [`Recv::Closed`](super::Recv::Closed) or as [`TransportError::Io`].)
    Closed,
}

/// Which handshake a [`TransportError::HandshakeTimeout`] was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Handshake {
    /// The TLS handshake (`ssl://`, `wss://`).
    Tls,
    /// The WebSocket upgrade (`ws://`, `wss://`).
    WebSocket,
}

impl fmt::Display for Handshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Handshake::Tls => "TLS",
            Handshake::WebSocket => "WebSocket",
        })
    }
}

impl TransportError {
    /// The transport error an `io::Error` carries: its own (a connector's error travels
    /// inside the `io::Error` the driver reports), a TLS error (certificate verification…)
    /// wrapped at any depth, or else the `io::Error` as it is.
    pub(crate) fn from_io(error: io::Error) -> TransportError {
        match TransportError::carried(error) {
            Ok(found) => found,
            Err(error) => TransportError::Io(error),
        }
    }

    /// Why opening a connection to `peer` (`host:port`) failed, from the runtime's error:
    /// as [`from_io`](Self::from_io), a plain `io::Error` being a failed connect.
    pub(crate) fn from_open(error: io::Error, peer: &str) -> TransportError {
        match TransportError::carried(error) {
            Ok(found) => found,
            Err(source) => TransportError::Connect {
                peer: peer.to_owned(),
                source,
            },
        }
    }

    /// The transport or TLS error inside `error`, or `error` back.
    fn carried(error: io::Error) -> Result<TransportError, io::Error> {
        if error.get_ref().is_some_and(|e| e.is::<TransportError>()) {
            let inner = error.into_inner().expect("checked");
            return match inner.downcast::<TransportError>() {
                Ok(found) => Ok(*found),
                Err(other) => Err(io::Error::other(other)),
            };
        }
        let mut cause: Option<&(dyn std::error::Error + 'static)> = error.get_ref().map(|e| e as _);
        while let Some(e) = cause {
            if let Some(tls) = e.downcast_ref::<rustls::Error>() {
                return Ok(TransportError::Tls(tls.clone()));
            }
            if let Some(&TooLarge { size, max }) = e.downcast_ref::<TooLarge>() {
                return Ok(TransportError::DatagramTooLarge { size, max });
            }
            cause = match e.downcast_ref::<io::Error>() {
                Some(io) => io.get_ref().map(|e| e as _),
                None => e.source(),
            };
        }
        Err(error)
    }

    /// Whether the transport refused this one frame and sent nothing of it, and stays usable
    /// (a multicast frame over [`DatagramTooLarge`](TransportError::DatagramTooLarge)). Any
    /// other error of [`Transport::send`](super::Transport::send) leaves the transport closed.
    pub fn refuses_frame(&self) -> bool {
        matches!(self, TransportError::DatagramTooLarge { .. })
    }

    /// Whether opening failed because a timeout expired (nothing answered: a connect or a
    /// handshake timed out), rather than because the endpoint said no.
    pub fn is_timeout(&self) -> bool {
        match self {
            TransportError::HandshakeTimeout { .. } => true,
            TransportError::Connect { source, .. } | TransportError::Io(source) => {
                source.kind() == io::ErrorKind::TimedOut
            }
            _ => false,
        }
    }

    /// Whether this is a certificate verification failure (an untrusted issuer, a name
    /// mismatch, an expired certificate…).
    pub fn is_certificate_error(&self) -> bool {
        matches!(
            self,
            TransportError::Tls(rustls::Error::InvalidCertificate(_))
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::InvalidTarget { reason } => write!(f, "invalid target: {reason}"),
            TransportError::Resolve { host, .. } => {
                write!(f, "cannot resolve host {host:?}")
            }
            TransportError::Connect { peer, .. } => {
                write!(f, "cannot connect to {peer}")
            }
            TransportError::Socket { option, .. } => match option {
                SocketOption::Create => f.write_str("cannot create socket"),
                SocketOption::Bind => f.write_str("cannot bind socket"),
                SocketOption::Duplicate => f.write_str("cannot duplicate socket"),
                _ => write!(f, "cannot set socket option {option}"),
            },
            TransportError::Io(_) => f.write_str("connection failed"),
            TransportError::HandshakeTimeout { during, peer } => {
                write!(f, "{during} handshake with {peer} timed out")
            }
            TransportError::Pem { what, path, .. } => {
                write!(f, "cannot read {what} from {}", path.display())
            }
            TransportError::NoTrustRoots { detail } => write!(
                f,
                "no certificate authorities to verify the server with (system store: {detail}); \
                 give a CA file"
            ),
            TransportError::InvalidServerName { name } => {
                write!(f, "{name:?} is not a valid TLS server name")
            }
            TransportError::TlsConfig(_) => f.write_str("invalid TLS configuration"),
            TransportError::Tls(rustls::Error::InvalidCertificate(_)) => {
                f.write_str("certificate verify failed")
            }
            TransportError::Tls(_) => f.write_str("TLS failed"),
            TransportError::InvalidHeader { name } => {
                write!(f, "invalid HTTP header {name:?} (name or value)")
            }
            TransportError::WebSocketRejected { status, body } => {
                write!(f, "WebSocket upgrade refused with HTTP status {status}")?;
                match body {
                    Some(body) => write!(f, ": {body}"),
                    None => Ok(()),
                }
            }
            TransportError::WebSocket(_) => f.write_str("WebSocket failed"),
            TransportError::DatagramTooLarge { size, max } => write!(
                f,
                "frame of {size} bytes exceeds max_datagram_size ({max}); nothing was sent"
            ),
            TransportError::Closed => f.write_str("transport already closed by this side"),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransportError::Resolve { source, .. }
            | TransportError::Connect { source, .. }
            | TransportError::Socket { source, .. }
            | TransportError::Io(source) => Some(source),
            TransportError::Pem { source, .. } => Some(source),
            TransportError::TlsConfig(e) | TransportError::Tls(e) => Some(e),
            TransportError::WebSocket(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SetupError> for TransportError {
    /// The variant of the same name.
    fn from(e: SetupError) -> TransportError {
        match e {
            SetupError::InvalidTarget { reason } => TransportError::InvalidTarget { reason },
            SetupError::Socket { option, source } => TransportError::Socket { option, source },
            SetupError::Pem { what, path, source } => TransportError::Pem { what, path, source },
            SetupError::NoTrustRoots { detail } => TransportError::NoTrustRoots { detail },
            SetupError::InvalidServerName { name } => TransportError::InvalidServerName { name },
            SetupError::TlsConfig(e) => TransportError::TlsConfig(e),
            // `SetupError` is non-exhaustive to users, not to this crate.
        }
    }
}
