//! TLS over TCP (`ssl://host:port`) with rustls, used sans-I/O so that reading never blocks
//! writing. The rustls configuration is the one TLS setup of the native transports,
//! [`TlsConfig`].
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
use std::prelude::rust_2024::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use std::{fmt, vec};

use rustls::{ClientConfig, ClientConnection};
use rustls_pki_types::ServerName;

use super::tcp::{TimedReader, connect_stream};
use super::{
    Handshake, Recv, SocketOption, TcpConfig, TlsConfig, Transport, TransportError, is_timeout,
    lock, peer_name, remaining, socket_timeout,
};

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
