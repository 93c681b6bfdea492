//! [`TlsConfig`]: the one TLS setup of every native transport — how the broker is verified
//! and the client identified, as a rustls configuration (ring, TLS 1.2 and 1.3). The blocking
//! shell's TLS and `wss://` transports and the async client's tokio runtime both build their
//! connections from it.
//!
//! The rules: the operating system's trust store unless a CA file is given, the certificate
//! checked against the host connected to (or [`TlsConfig::server_name`]), and no switch that
//! turns verification off — a caller who must accept something else supplies a
//! [`verifier`](TlsConfig::verifier) or a complete rustls configuration of its own.

use std::fmt;
use std::path::{Path, PathBuf};
use std::prelude::rust_2024::*;
use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};

use super::{PemContents, SetupError};

/// A client certificate and its private key, both PEM files, for servers that ask for one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The certificate chain, leaf first (`-----BEGIN CERTIFICATE-----` sections).
    pub cert_file: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1 PEM). Never read until a connection is made
    /// and never printed.
    pub key_file: PathBuf,
}

/// How to verify the server and, optionally, identify the client.
///
/// The default verifies the server's certificate against the operating system's trust store
/// and its name against the host connected to. There is no switch that turns verification
/// off: a caller who must accept something else supplies a [`verifier`](Self::verifier) of
/// its own.
///
/// ```
/// use stompwire::net::{ClientIdentity, TlsConfig};
///
/// let tls = TlsConfig::with_ca_file("/etc/stomp/ca.pem").with_client_identity(Some(
///     ClientIdentity {
///         cert_file: "/etc/stomp/client.pem".into(),
///         key_file: "/etc/stomp/client-key.pem".into(),
///     },
/// ));
/// assert!(format!("{tls:?}").contains("client.pem"));
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct TlsConfig {
    /// A PEM file of CA certificates to trust. When set, only these are trusted unless
    /// [`system_roots`](Self::system_roots) is `Some(true)`.
    pub ca_file: Option<PathBuf>,
    /// Whether to trust the operating system's store (read with `rustls-native-certs`):
    /// `None` (the default) trusts it when no `ca_file` is given; `Some(b)` decides outright.
    pub system_roots: Option<bool>,
    /// A certificate and key to present when the server asks for one. Default none.
    pub client_identity: Option<ClientIdentity>,
    /// The name to send as SNI and to check the certificate against, when it differs from
    /// the host connected to (an IP address is checked against the certificate's IP
    /// entries). Default: the host.
    pub server_name: Option<String>,
    /// Replaces certificate verification (trust roots and name checks) with the caller's
    /// own, for pinning or private PKIs. Whatever it accepts is trusted: it is the caller's
    /// responsibility.
    pub verifier: Option<Arc<dyn ServerCertVerifier>>,
    /// A complete rustls configuration to use as it is; every other field except
    /// `server_name` is then ignored.
    pub client_config: Option<Arc<ClientConfig>>,
}

crate::net::setters::setters!(TlsConfig {
    with_system_roots => system_roots: Option<bool>,
    with_client_identity => client_identity: Option<ClientIdentity>,
    with_server_name => server_name: Option<String>,
    with_verifier => verifier: Option<Arc<dyn ServerCertVerifier>>,
    with_client_config => client_config: Option<Arc<ClientConfig>>,
});

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("ca_file", &self.ca_file)
            .field("system_roots", &self.system_roots)
            .field("client_identity", &self.client_identity)
            .field("server_name", &self.server_name)
            .field("verifier", &self.verifier.as_ref().map(|_| "custom"))
            .field(
                "client_config",
                &self.client_config.as_ref().map(|_| "custom"),
            )
            .finish()
    }
}

impl TlsConfig {
    /// The default configuration, trusting only the CAs in `ca_file` (a PEM file).
    /// [`ca_file`](Self::ca_file) has no `with_` setter: this is it.
    pub fn with_ca_file(ca_file: impl Into<PathBuf>) -> TlsConfig {
        TlsConfig {
            ca_file: Some(ca_file.into()),
            ..TlsConfig::default()
        }
    }

    /// Builds the rustls configuration: the ring provider, TLS 1.2 and 1.3, the trust roots
    /// or verifier, and the client identity. Reads the PEM files and the system store, so
    /// callers that connect often build it once (the native shell's
    /// `TlsTransport::handshake` and the tokio runtime take it built).
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, SetupError> {
        if let Some(config) = &self.client_config {
            return Ok(config.clone());
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(SetupError::TlsConfig)?;
        let builder = match &self.verifier {
            Some(verifier) => builder
                .dangerous()
                .with_custom_certificate_verifier(verifier.clone()),
            None => builder.with_root_certificates(self.root_store()?),
        };
        let config = match &self.client_identity {
            Some(identity) => {
                let certs = load_certs(&identity.cert_file, PemContents::ClientCertificate)?;
                let key = PrivateKeyDer::from_pem_file(&identity.key_file).map_err(|source| {
                    SetupError::Pem {
                        what: PemContents::ClientKey,
                        path: identity.key_file.clone(),
                        source,
                    }
                })?;
                builder
                    .with_client_auth_cert(certs, key)
                    .map_err(SetupError::TlsConfig)?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(Arc::new(config))
    }

    /// The name certificates are checked against when connecting to `host`.
    pub fn server_name_for(&self, host: &str) -> Result<ServerName<'static>, SetupError> {
        let name = self.server_name.as_deref().unwrap_or(host);
        let bare = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        ServerName::try_from(bare.to_string()).map_err(|_| SetupError::InvalidServerName {
            name: name.to_string(),
        })
    }

    fn root_store(&self) -> Result<RootCertStore, SetupError> {
        let mut roots = RootCertStore::empty();
        let mut detail = String::from("not used");
        if self.system_roots.unwrap_or(self.ca_file.is_none()) {
            let native = rustls_native_certs::load_native_certs();
            let (added, unparsable) = roots.add_parsable_certificates(native.certs);
            detail = format!("{added} certificates loaded, {unparsable} unparsable");
            if let Some(e) = native.errors.first() {
                detail = format!("{detail}, {} errors, first: {e}", native.errors.len());
            }
            log::debug!("system trust store: {detail}");
        }
        if let Some(path) = &self.ca_file {
            for cert in load_certs(path, PemContents::CaCertificates)? {
                roots.add(cert).map_err(SetupError::TlsConfig)?;
            }
        }
        if roots.is_empty() {
            return Err(SetupError::NoTrustRoots { detail });
        }
        Ok(roots)
    }
}

fn load_certs(path: &Path, what: PemContents) -> Result<Vec<CertificateDer<'static>>, SetupError> {
    let pem_error = |source| SetupError::Pem {
        what,
        path: path.to_path_buf(),
        source,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(pem_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error)?;
    if certs.is_empty() {
        return Err(pem_error(rustls_pki_types::pem::Error::NoItemsFound));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_ca_file_is_named() {
        let err = TlsConfig::with_ca_file("/nonexistent/ca.pem")
            .client_config()
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("CA certificates"), "{text}");
        assert!(text.contains("/nonexistent/ca.pem"), "{text}");
    }

    #[test]
    fn server_names_accept_dns_names_and_ip_addresses() {
        let tls = TlsConfig::default();
        assert!(matches!(
            tls.server_name_for("localhost").unwrap(),
            ServerName::DnsName(_)
        ));
        assert!(matches!(
            tls.server_name_for("127.0.0.1").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            tls.server_name_for("[::1]").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            tls.server_name_for("bad name!"),
            Err(SetupError::InvalidServerName { .. })
        ));
    }

    #[test]
    fn debug_output_shows_no_key_material() {
        let tls = TlsConfig {
            client_identity: Some(ClientIdentity {
                cert_file: "c.pem".into(),
                key_file: "k.pem".into(),
            }),
            ..TlsConfig::default()
        };
        let text = format!("{tls:?}");
        assert!(text.contains("k.pem"));
        assert!(!text.contains("BEGIN"));
    }
}
