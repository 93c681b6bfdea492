//! TLS over TCP (`ssl://host:port`) with rustls, used sans-I/O so that reading never blocks
//! writing.
//!
//! The rustls [`ClientConnection`] sits behind a mutex that is only ever held for CPU work
//! (sealing or opening records), never across a blocking socket call:
//!
//! - `recv` waits for ciphertext on its own clone of the socket with no lock held, then locks
//!   the connection state to decrypt what arrived.
//! - `send` locks the state, seals the bytes into a buffer, draws a ticket (still under the
//!   lock, so tickets follow sealing order), releases the state and writes when its ticket is
//!   served. Records therefore reach the wire in the order they were sealed, and a writer
//!   blocked on a full socket holds up only the writers queued behind it — never the reader.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::prelude::rust_2024::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use std::{fmt, format, vec};

use rustls::client::danger::ServerCertVerifier;
use rustls::{ClientConfig, ClientConnection, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};

use super::tcp::{TimedReader, connect_stream};
use super::{
    Handshake, PemContents, Recv, SocketOption, TcpConfig, Transport, TransportError, is_timeout,
    lock, peer_name, remaining, socket_timeout,
};

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
/// use stompwire::native::transport::{ClientIdentity, TlsConfig};
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

crate::native::setters::setters!(TlsConfig {
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
    /// callers that connect often can build it once and use
    /// [`TlsTransport::handshake`].
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TransportError> {
        if let Some(config) = &self.client_config {
            return Ok(config.clone());
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TransportError::TlsConfig)?;
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
                    TransportError::Pem {
                        what: PemContents::ClientKey,
                        path: identity.key_file.clone(),
                        source,
                    }
                })?;
                builder
                    .with_client_auth_cert(certs, key)
                    .map_err(TransportError::TlsConfig)?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(Arc::new(config))
    }

    /// The name certificates are checked against when connecting to `host`.
    pub fn server_name_for(&self, host: &str) -> Result<ServerName<'static>, TransportError> {
        let name = self.server_name.as_deref().unwrap_or(host);
        let bare = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        ServerName::try_from(bare.to_string()).map_err(|_| TransportError::InvalidServerName {
            name: name.to_string(),
        })
    }

    fn root_store(&self) -> Result<RootCertStore, TransportError> {
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
                roots.add(cert).map_err(TransportError::TlsConfig)?;
            }
        }
        if roots.is_empty() {
            return Err(TransportError::NoTrustRoots { detail });
        }
        Ok(roots)
    }
}

fn load_certs(
    path: &Path,
    what: PemContents,
) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let pem_error = |source| TransportError::Pem {
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

/// A STOMP connection over TLS.
///
/// ```no_run
/// use stompwire::native::transport::{TcpConfig, TlsConfig, TlsTransport, Transport};
///
/// let tls = TlsConfig::with_ca_file("/etc/stomp/ca.pem");
/// let transport = TlsTransport::connect("broker.example", 61614, &TcpConfig::default(), &tls)?;
/// transport.send(b"CONNECT\naccept-version:1.2\nhost:/\n\n\0")?;
/// # Ok::<(), stompwire::native::transport::TransportError>(())
/// ```
pub struct TlsTransport {
    peer: String,
    state: Mutex<State>,
    reader: Mutex<Reader>,
    /// Writes (each in its turn), timeouts and shutdown.
    socket: TcpStream,
    /// The ticket being served: the writer holding it may write.
    serving: Mutex<u64>,
    turn: Condvar,
    /// `close` has begun: no new sends.
    closing: AtomicBool,
    /// `close` has shut the socket down.
    closed: AtomicBool,
    close_timeout: Duration,
    read_chunk: usize,
}

struct State {
    conn: ClientConnection,
    /// The ticket the next sealed buffer gets.
    next_ticket: u64,
}

struct Reader {
    socket: TimedReader,
    scratch: Vec<u8>,
    /// The peer sent `close_notify` or closed the socket.
    peer_closed: bool,
}

impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTransport")
            .field("peer", &self.peer)
            .field("protocol_version", &self.protocol_version())
            .field("closed", &self.closing.load(Ordering::Relaxed))
            .finish()
    }
}

impl TlsTransport {
    /// Connects to `host:port`, then runs the TLS handshake with the name from
    /// [`TlsConfig::server_name_for`]. Configuration problems (PEM files, trust roots) are
    /// reported before anything is connected.
    pub fn connect(
        host: &str,
        port: u16,
        tcp: &TcpConfig,
        tls: &TlsConfig,
    ) -> Result<TlsTransport, TransportError> {
        let client_config = tls.client_config()?;
        let server_name = tls.server_name_for(host)?;
        let stream = connect_stream(host, port, tcp)?;
        TlsTransport::handshake(
            stream,
            peer_name(host, port),
            client_config,
            server_name,
            tcp,
        )
    }

    /// Runs the TLS handshake on a connected stream, within
    /// [`TcpConfig::handshake_timeout`]. `peer` is what [`Transport::peer`] reports.
    pub fn handshake(
        stream: TcpStream,
        peer: String,
        client_config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        tcp: &TcpConfig,
    ) -> Result<TlsTransport, TransportError> {
        let mut conn =
            ClientConnection::new(client_config, server_name).map_err(TransportError::TlsConfig)?;
        // Sealed bytes are taken out at once, so rustls never needs to refuse plaintext.
        conn.set_buffer_limit(None);
        let option = |option: SocketOption| move |source| TransportError::Socket { option, source };
        let mut reader = TimedReader::new(
            stream
                .try_clone()
                .map_err(option(SocketOption::Duplicate))?,
        );
        let mut scratch = vec![0; tcp.read_chunk.max(1024)];
        let deadline = tcp.handshake_timeout.map(|t| Instant::now() + t);
        let timed_out = || TransportError::HandshakeTimeout {
            during: Handshake::Tls,
            peer: peer.clone(),
        };
        let mut writer = &stream;
        while conn.is_handshaking() {
            while conn.wants_write() {
                writer
                    .set_write_timeout(socket_timeout(remaining(deadline)))
                    .map_err(option(SocketOption::SoSndTimeo))?;
                conn.write_tls(&mut writer).map_err(|e| {
                    if is_timeout(&e) {
                        timed_out()
                    } else {
                        TransportError::Io(e)
                    }
                })?;
            }
            if !conn.is_handshaking() {
                break;
            }
            if remaining(deadline).is_some_and(|r| r.is_zero()) {
                return Err(timed_out());
            }
            let n = match reader.read(&mut scratch, remaining(deadline)) {
                Ok(0) => {
                    return Err(TransportError::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed during the TLS handshake",
                    )));
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_timeout(&e) => continue,
                Err(e) => return Err(TransportError::Io(e)),
            };
            let mut data = &scratch[..n];
            while !data.is_empty() {
                conn.read_tls(&mut data).map_err(TransportError::Io)?;
                if let Err(e) = conn.process_new_packets() {
                    // Tell the server why (the alert rustls queued), then give up.
                    let _ = conn.write_tls(&mut writer);
                    let _ = stream.shutdown(Shutdown::Both);
                    return Err(TransportError::Tls(e));
                }
            }
        }
        while conn.wants_write() {
            conn.write_tls(&mut writer).map_err(TransportError::Io)?;
        }
        stream
            .set_write_timeout(socket_timeout(tcp.write_timeout))
            .map_err(option(SocketOption::SoSndTimeo))?;
        log::debug!(
            "TLS with {peer}: {:?}, {:?}",
            conn.protocol_version(),
            conn.negotiated_cipher_suite().map(|s| s.suite())
        );
        Ok(TlsTransport {
            peer,
            state: Mutex::new(State {
                conn,
                next_ticket: 0,
            }),
            reader: Mutex::new(Reader {
                socket: reader,
                scratch,
                peer_closed: false,
            }),
            socket: stream,
            serving: Mutex::new(0),
            turn: Condvar::new(),
            closing: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            close_timeout: tcp.close_timeout,
            read_chunk: tcp.read_chunk.max(1),
        })
    }

    /// The TLS version agreed on.
    pub fn protocol_version(&self) -> Option<rustls::ProtocolVersion> {
        lock(&self.state).conn.protocol_version()
    }

    /// The cipher suite agreed on.
    pub fn cipher_suite(&self) -> Option<rustls::CipherSuite> {
        lock(&self.state)
            .conn
            .negotiated_cipher_suite()
            .map(|s| s.suite())
    }

    /// Closes after writing `goodbye` (plaintext, e.g. a WebSocket Close frame) and
    /// `close_notify`, if both can be written within the close timeout.
    pub(super) fn close_with(&self, goodbye: &[u8]) {
        if self.closing.swap(true, Ordering::AcqRel) {
            return;
        }
        let deadline = Instant::now() + self.close_timeout;
        let mut state = lock(&self.state);
        if !goodbye.is_empty() {
            let _ = state.conn.writer().write_all(goodbye);
        }
        state.conn.send_close_notify();
        let (ticket, sealed) = seal(&mut state);
        drop(state);
        if !sealed.is_empty() && self.wait_turn(ticket, Some(deadline)).is_ok() {
            let _ = self
                .socket
                .set_write_timeout(socket_timeout(remaining(Some(deadline))));
            let _ = (&self.socket).write_all(&sealed);
            self.next_turn();
        }
        self.closed.store(true, Ordering::Release);
        let _ = self.socket.shutdown(Shutdown::Both);
        // Wake writers still waiting for a turn that will never come.
        let _serving = lock(&self.serving);
        self.turn.notify_all();
    }

    /// Waits until `ticket` is served; fails once the transport is closed or `deadline`
    /// passes.
    fn wait_turn(&self, ticket: u64, deadline: Option<Instant>) -> Result<(), TransportError> {
        let mut serving = lock(&self.serving);
        loop {
            if *serving == ticket {
                return Ok(());
            }
            if self.closed.load(Ordering::Acquire) {
                return Err(TransportError::Closed);
            }
            serving = match remaining(deadline) {
                None => self
                    .turn
                    .wait(serving)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
                Some(left) if left.is_zero() => return Err(TransportError::Closed),
                Some(left) => {
                    self.turn
                        .wait_timeout(serving, left)
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    fn next_turn(&self) {
        *lock(&self.serving) += 1;
        self.turn.notify_all();
    }

    /// Seals what the connection wants to send, releases the state and writes it in turn
    /// (giving up on the turn at `deadline`).
    fn flush_sealed(
        &self,
        mut state: MutexGuard<'_, State>,
        deadline: Option<Instant>,
    ) -> Result<(), TransportError> {
        let (ticket, sealed) = seal(&mut state);
        drop(state);
        if sealed.is_empty() {
            return Ok(());
        }
        self.wait_turn(ticket, deadline)?;
        let written = (&self.socket).write_all(&sealed);
        self.next_turn();
        written.map_err(|e| {
            let _ = self.socket.shutdown(Shutdown::Both);
            if self.closing.load(Ordering::Acquire) {
                TransportError::Closed
            } else {
                TransportError::Io(e)
            }
        })
    }

    /// Decrypts `data` (possibly empty: then only what is already buffered) and appends the
    /// plaintext to `buf`. Returns the plaintext length and whether the peer sent
    /// `close_notify`.
    fn open(&self, mut data: &[u8], buf: &mut Vec<u8>) -> Result<(usize, bool), TransportError> {
        let start = buf.len();
        let mut state = lock(&self.state);
        let mut peer_closed;
        loop {
            if !data.is_empty() {
                state.conn.read_tls(&mut data).map_err(TransportError::Io)?;
            }
            match state.conn.process_new_packets() {
                Ok(io_state) => {
                    let n = io_state.plaintext_bytes_to_read();
                    if n > 0 {
                        let at = buf.len();
                        buf.resize(at + n, 0);
                        state
                            .conn
                            .reader()
                            .read_exact(&mut buf[at..])
                            .map_err(TransportError::Io)?;
                    }
                    peer_closed = io_state.peer_has_closed();
                }
                Err(e) => {
                    buf.truncate(start);
                    // Send the alert rustls queued, then the connection is over.
                    let _ = self.flush_sealed(state, Some(Instant::now() + self.close_timeout));
                    let _ = self.socket.shutdown(Shutdown::Both);
                    return Err(TransportError::Tls(e));
                }
            }
            if data.is_empty() {
                break;
            }
        }
        if state.conn.wants_write() {
            // A key update or similar that the protocol must answer.
            self.flush_sealed(state, None)?;
        }
        Ok((buf.len() - start, peer_closed))
    }
}

/// Takes everything the connection has sealed, with the ticket that orders its write.
fn seal(state: &mut State) -> (u64, Vec<u8>) {
    let mut sealed = Vec::new();
    while state.conn.wants_write() {
        if state.conn.write_tls(&mut sealed).is_err() {
            break;
        }
    }
    if sealed.is_empty() {
        return (0, sealed);
    }
    let ticket = state.next_ticket;
    state.next_ticket += 1;
    (ticket, sealed)
}

impl Transport for TlsTransport {
    fn recv(&self, buf: &mut Vec<u8>, timeout: Option<Duration>) -> Result<Recv, TransportError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut reader = lock(&self.reader);
        if self.closing.load(Ordering::Acquire) {
            return Ok(Recv::Closed);
        }
        // Plaintext that arrived with the handshake or a previous read.
        let (n, peer_closed) = self.open(&[], buf)?;
        reader.peer_closed |= peer_closed;
        if n > 0 {
            return Ok(Recv::Data(n));
        }
        loop {
            if reader.peer_closed || self.closing.load(Ordering::Acquire) {
                return Ok(Recv::Closed);
            }
            let Reader {
                socket, scratch, ..
            } = &mut *reader;
            if scratch.len() < self.read_chunk {
                scratch.resize(self.read_chunk, 0);
            }
            match socket.read(scratch, remaining(deadline)) {
                Ok(0) => {
                    reader.peer_closed = true;
                    return Ok(Recv::Closed);
                }
                Ok(n) => {
                    let (got, peer_closed) = self.open(&scratch[..n], buf)?;
                    reader.peer_closed |= peer_closed;
                    if got > 0 {
                        return Ok(Recv::Data(got));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => {
                    if remaining(deadline).is_some_and(|r| r.is_zero()) {
                        return Ok(Recv::Timeout);
                    }
                }
                Err(_) if self.closing.load(Ordering::Acquire) => return Ok(Recv::Closed),
                Err(e) => return Err(TransportError::Io(e)),
            }
        }
    }

    fn send(&self, bytes: &[u8]) -> Result<(), TransportError> {
        if self.closing.load(Ordering::Acquire) {
            return Err(TransportError::Closed);
        }
        let mut state = lock(&self.state);
        state
            .conn
            .writer()
            .write_all(bytes)
            .map_err(TransportError::Io)?;
        self.flush_sealed(state, None)
    }

    fn close(&self) {
        self.close_with(&[]);
    }

    fn peer(&self) -> &str {
        &self.peer
    }
}

impl Drop for TlsTransport {
    fn drop(&mut self) {
        self.close();
    }
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
            Err(TransportError::InvalidServerName { .. })
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
