//! [`TlsOptions`]: how the tokio runtime verifies the broker and identifies the client over
//! TLS, with rustls (ring, TLS 1.2 and 1.3).
//!
//! The verification rules are the native shell's: the operating system's trust store unless
//! a CA file is given, the certificate checked against the host connected to (or
//! `server_name`), and no switch that turns verification off — a caller who must accept
//! something else passes a complete rustls configuration of its own.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::prelude::rust_2024::*;
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};

/// TLS options for `ssl://`, `stomp+ssl://` and `wss://` endpoints.
///
/// ```
/// use stompwire::client::tokio::TlsOptions;
///
/// let tls = TlsOptions::with_ca_file("/etc/stomp/ca.pem");
/// assert_eq!(tls.system_roots, None);
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct TlsOptions {
    /// A PEM file of CA certificates to trust. When set, only these are trusted unless
    /// [`system_roots`](Self::system_roots) is `Some(true)`.
    pub ca_file: Option<PathBuf>,
    /// Whether to trust the operating system's store: `None` (the default) trusts it when no
    /// `ca_file` is given.
    pub system_roots: Option<bool>,
    /// A client certificate chain and its private key (PEM files), for servers that ask.
    pub client_identity: Option<(PathBuf, PathBuf)>,
    /// The name to check the certificate against (and send as SNI), when it is not the host.
    pub server_name: Option<String>,
    /// A complete rustls configuration to use as it is; every other field except
    /// `server_name` is then ignored.
    pub client_config: Option<Arc<ClientConfig>>,
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field("ca_file", &self.ca_file)
            .field("system_roots", &self.system_roots)
            .field(
                "client_identity",
                &self.client_identity.as_ref().map(|c| &c.0),
            )
            .field("server_name", &self.server_name)
            .field(
                "client_config",
                &self.client_config.as_ref().map(|_| "custom"),
            )
            .finish()
    }
}

impl TlsOptions {
    /// Trusts only the CAs in `ca_file`.
    pub fn with_ca_file(ca_file: impl Into<PathBuf>) -> TlsOptions {
        TlsOptions {
            ca_file: Some(ca_file.into()),
            ..TlsOptions::default()
        }
    }

    /// Sets the client certificate chain and key (PEM files).
    #[must_use]
    pub fn client_identity(
        mut self,
        cert_file: impl Into<PathBuf>,
        key_file: impl Into<PathBuf>,
    ) -> TlsOptions {
        self.client_identity = Some((cert_file.into(), key_file.into()));
        self
    }

    /// Builds the rustls configuration, reading the PEM files and the system store.
    pub fn client_config(&self) -> io::Result<Arc<ClientConfig>> {
        if let Some(config) = &self.client_config {
            return Ok(config.clone());
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_root_certificates(self.root_store()?);
        let config = match &self.client_identity {
            Some((cert_file, key_file)) => {
                let certs = load_certs(cert_file)?;
                let key =
                    PrivateKeyDer::from_pem_file(key_file).map_err(|e| pem_error(key_file, e))?;
                builder
                    .with_client_auth_cert(certs, key)
                    .map_err(io::Error::other)?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(Arc::new(config))
    }

    /// The name the certificate is checked against when connecting to `host`.
    pub fn server_name_for(&self, host: &str) -> io::Result<ServerName<'static>> {
        let name = self.server_name.as_deref().unwrap_or(host);
        let bare = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        ServerName::try_from(bare.to_string()).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid TLS server name {name:?}"),
            )
        })
    }

    fn root_store(&self) -> io::Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        if self.system_roots.unwrap_or(self.ca_file.is_none()) {
            let native = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(native.certs);
        }
        if let Some(path) = &self.ca_file {
            for cert in load_certs(path)? {
                roots.add(cert).map_err(io::Error::other)?;
            }
        }
        if roots.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no trusted CA certificates (no CA file, and the system store is empty)",
            ));
        }
        Ok(roots)
    }
}

fn pem_error(path: &Path, e: rustls_pki_types::pem::Error) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {e}", path.display()),
    )
}

fn load_certs(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, e))?;
    if certs.is_empty() {
        return Err(pem_error(path, rustls_pki_types::pem::Error::NoItemsFound));
    }
    Ok(certs)
}
