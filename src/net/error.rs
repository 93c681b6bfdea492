//! [`SetupError`]: what can go wrong preparing a native connection before any byte is sent —
//! the TLS configuration, a socket option, a multicast group.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::prelude::rust_2024::*;

use super::SocketOption;

/// Why a TLS configuration or a socket could not be set up.
///
/// Errors of the libraries underneath (rustls, the PEM parser, the operating system) are kept
/// whole and reachable through [`std::error::Error::source`]. The native shell's
/// `TransportError` has a variant of the same name and fields for each of these (it converts
/// with `From`).
#[derive(Debug)]
#[non_exhaustive]
pub enum SetupError {
    /// The target cannot be used (a multicast "group" that is not an IPv4 multicast address).
    InvalidTarget {
        /// What is wrong with it.
        reason: String,
    },
    /// A socket option or a local bind could not be applied.
    Socket {
        /// The option, or the socket call.
        option: SocketOption,
        /// The operating system's error.
        source: io::Error,
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
}

/// What a PEM file of a [`SetupError::Pem`] was meant to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PemContents {
    /// The certificate authorities to trust.
    CaCertificates,
    /// The client's certificate chain.
    ClientCertificate,
    /// The client's private key.
    ClientKey,
}

impl fmt::Display for PemContents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PemContents::CaCertificates => "CA certificates",
            PemContents::ClientCertificate => "client certificate",
            PemContents::ClientKey => "client key",
        })
    }
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::InvalidTarget { reason } => write!(f, "invalid target: {reason}"),
            SetupError::Socket { option, .. } => match option {
                SocketOption::Create => f.write_str("cannot create socket"),
                SocketOption::Bind => f.write_str("cannot bind socket"),
                SocketOption::Duplicate => f.write_str("cannot duplicate socket"),
                _ => write!(f, "cannot set socket option {option}"),
            },
            SetupError::Pem { what, path, .. } => {
                write!(f, "cannot read {what} from {}", path.display())
            }
            SetupError::NoTrustRoots { detail } => write!(
                f,
                "no certificate authorities to verify the server with (system store: {detail}); \
                 give a CA file"
            ),
            SetupError::InvalidServerName { name } => {
                write!(f, "{name:?} is not a valid TLS server name")
            }
            SetupError::TlsConfig(_) => f.write_str("invalid TLS configuration"),
        }
    }
}

impl std::error::Error for SetupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SetupError::Socket { source, .. } => Some(source),
            SetupError::Pem { source, .. } => Some(source),
            SetupError::TlsConfig(e) => Some(e),
            SetupError::InvalidTarget { .. }
            | SetupError::NoTrustRoots { .. }
            | SetupError::InvalidServerName { .. } => None,
        }
    }
}

impl From<SetupError> for io::Error {
    /// An `io::Error` carrying the setup error (as its source), for runtimes whose
    /// connections fail with `io::Error`.
    fn from(e: SetupError) -> io::Error {
        let kind = match &e {
            SetupError::Socket { source, .. } => source.kind(),
            SetupError::Pem { .. } | SetupError::NoTrustRoots { .. } => io::ErrorKind::NotFound,
            _ => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, e)
    }
}
