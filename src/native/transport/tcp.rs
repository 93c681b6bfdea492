//! Plain TCP (`tcp://host:port`), and the connecting the TLS and WebSocket transports share.
//! The socket options are [`TcpConfig`]'s, set up as the tokio runtime sets them up.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::prelude::rust_2024::*;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{
    Recv, SocketOption, TcpConfig, Transport, TransportError, is_timeout, lock, peer_name,
    remaining, socket_timeout,
};
use crate::net::tcp::new_socket;

/// A STOMP connection over plain TCP.
///
/// ```no_run
/// use std::time::Duration;
/// use stompwire::native::transport::{Recv, TcpConfig, TcpTransport, Transport};
///
/// let tcp = TcpTransport::connect("127.0.0.1", 61613, &TcpConfig::default())?;
/// tcp.send(b"CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\npasscode:guest\n\n\0")?;
/// let mut buf = Vec::new();
/// if let Recv::Data(_) = tcp.recv(&mut buf, Some(Duration::from_secs(5)))? {
///     assert!(buf.starts_with(b"CONNECTED"));
/// }
/// # Ok::<(), stompwire::native::transport::TransportError>(())
/// ```
#[derive(Debug)]
pub struct TcpTransport {
    peer: String,
    reader: Mutex<TimedReader>,
    writer: Mutex<TcpStream>,
    /// A third handle, for `shutdown` without taking either mutex.
    control: TcpStream,
    closed: AtomicBool,
    close_timeout: Duration,
    read_chunk: usize,
}

impl TcpTransport {
    /// Resolves `host`, connects to the first address that accepts, and applies `config`.
    pub fn connect(
        host: &str,
        port: u16,
        config: &TcpConfig,
    ) -> Result<TcpTransport, TransportError> {
        let stream = connect_stream(host, port, config)?;
        TcpTransport::from_stream(stream, peer_name(host, port), config)
    }

    /// Wraps a connected stream (its options are left as they are, except the write timeout
    /// from `config`). `peer` is what [`Transport::peer`] reports.
    pub fn from_stream(
        stream: TcpStream,
        peer: String,
        config: &TcpConfig,
    ) -> Result<TcpTransport, TransportError> {
        stream
            .set_write_timeout(socket_timeout(config.write_timeout))
            .map_err(|source| TransportError::Socket {
                option: SocketOption::SoSndTimeo,
                source,
            })?;
        let clone = |stream: &TcpStream| {
            stream.try_clone().map_err(|source| TransportError::Socket {
                option: SocketOption::Duplicate,
                source,
            })
        };
        Ok(TcpTransport {
            peer,
            reader: Mutex::new(TimedReader::new(clone(&stream)?)),
            control: clone(&stream)?,
            writer: Mutex::new(stream),
            closed: AtomicBool::new(false),
            close_timeout: config.close_timeout,
            read_chunk: config.read_chunk.max(1),
        })
    }

    /// The local address of the connection.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.control.local_addr()
    }

    /// Closes after writing `goodbye`, if no other write is in progress and it goes out
    /// within the close timeout.
    pub(super) fn close_with(&self, goodbye: &[u8]) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        if !goodbye.is_empty() {
            if let Ok(mut writer) = self.writer.try_lock() {
                let _ = writer.set_write_timeout(socket_timeout(Some(self.close_timeout)));
                let _ = writer.write_all(goodbye);
            }
        }
        let _ = self.control.shutdown(Shutdown::Both);
    }
}

impl Transport for TcpTransport {
    fn recv(&self, buf: &mut Vec<u8>, timeout: Option<Duration>) -> Result<Recv, TransportError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut reader = lock(&self.reader);
        loop {
            if self.closed.load(Ordering::Acquire) {
                return Ok(Recv::Closed);
            }
            match reader.read_into(buf, self.read_chunk, remaining(deadline)) {
                Ok(0) => return Ok(Recv::Closed),
                Ok(n) => return Ok(Recv::Data(n)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => {
                    if remaining(deadline).is_some_and(|r| r.is_zero()) {
                        return Ok(Recv::Timeout);
                    }
                }
                Err(_) if self.closed.load(Ordering::Acquire) => return Ok(Recv::Closed),
                Err(e) => return Err(TransportError::Io(e)),
            }
        }
    }

    fn send(&self, bytes: &[u8]) -> Result<(), TransportError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(TransportError::Closed);
        }
        let mut writer = lock(&self.writer);
        writer.write_all(bytes).map_err(|e| {
            let _ = self.control.shutdown(Shutdown::Both);
            if self.closed.load(Ordering::Acquire) {
                TransportError::Closed
            } else {
                TransportError::Io(e)
            }
        })
    }

    fn close(&self) {
        self.close_with(&[]);
    }

    fn peer(&self) -> &str {
        &self.peer
    }
}

impl Drop for TcpTransport {
    fn drop(&mut self) {
        self.close();
    }
}

/// A socket handle for reading that sets `SO_RCVTIMEO` only when the wanted timeout changes.
#[derive(Debug)]
pub(super) struct TimedReader {
    pub(super) stream: TcpStream,
    /// The timeout last set on the socket (`None` until one is set).
    current: Option<Option<Duration>>,
}

impl TimedReader {
    pub(super) fn new(stream: TcpStream) -> TimedReader {
        TimedReader {
            stream,
            current: None,
        }
    }

    /// One `read` with at most `timeout` of waiting (`None`: no limit).
    pub(super) fn read(&mut self, out: &mut [u8], timeout: Option<Duration>) -> io::Result<usize> {
        let timeout = socket_timeout(timeout);
        if self.current != Some(timeout) {
            self.stream.set_read_timeout(timeout)?;
            self.current = Some(timeout);
        }
        self.stream.read(out)
    }

    /// One `read` appended to `buf` (grown by `chunk` for it, then trimmed back).
    pub(super) fn read_into(
        &mut self,
        buf: &mut Vec<u8>,
        chunk: usize,
        timeout: Option<Duration>,
    ) -> io::Result<usize> {
        let start = buf.len();
        buf.resize(start + chunk, 0);
        let result = self.read(&mut buf[start..], timeout);
        buf.truncate(start + *result.as_ref().unwrap_or(&0));
        result
    }
}

/// Resolves `host` and connects to the first of its addresses that accepts, applying
/// `config`'s socket options.
pub(super) fn connect_stream(
    host: &str,
    port: u16,
    config: &TcpConfig,
) -> Result<TcpStream, TransportError> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addrs: Vec<SocketAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(|source| TransportError::Resolve {
            host: host.to_string(),
            source,
        })?
        .collect();
    if addrs.is_empty() {
        return Err(TransportError::Resolve {
            host: host.to_string(),
            source: io::Error::new(io::ErrorKind::NotFound, "no addresses"),
        });
    }
    let mut last = None;
    for addr in addrs {
        if let Some(local) = config.local_address {
            if local.is_ipv4() != addr.is_ipv4() {
                last = Some(io::Error::new(
                    io::ErrorKind::AddrNotAvailable,
                    std::format!("local address {local} is of another IP family than {addr}"),
                ));
                continue;
            }
        }
        let socket = new_socket(addr, config)?;
        let connected = match config.connect_timeout {
            Some(t) => socket.connect_timeout(&addr.into(), t.max(Duration::from_millis(1))),
            None => socket.connect(&addr.into()),
        };
        match connected {
            Ok(()) => {
                log::debug!("connected to {addr} ({host}:{port})");
                return Ok(socket.into());
            }
            Err(e) => {
                log::debug!("connecting to {addr} ({host}:{port}) failed: {e}");
                last = Some(e);
            }
        }
    }
    Err(TransportError::Connect {
        peer: peer_name(host, port),
        source: last.unwrap_or_else(|| io::Error::other("no address tried")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_to_a_closed_port_names_the_peer() {
        // Bind then drop a listener so the port is (very likely) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = TcpTransport::connect("127.0.0.1", port, &TcpConfig::default()).unwrap_err();
        assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");
        assert!(err.to_string().contains(&std::format!("127.0.0.1:{port}")));
    }

    #[test]
    fn recv_times_out_and_close_wakes_a_blocked_reader() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let tcp = std::sync::Arc::new(
            TcpTransport::connect("127.0.0.1", port, &TcpConfig::default()).unwrap(),
        );
        let (_server, _) = listener.accept().unwrap();
        let mut buf = Vec::new();
        let started = Instant::now();
        assert_eq!(
            tcp.recv(&mut buf, Some(Duration::from_millis(50))).unwrap(),
            Recv::Timeout
        );
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert!(buf.is_empty());
        let reader = {
            let tcp = tcp.clone();
            std::thread::spawn(move || tcp.recv(&mut Vec::new(), Some(Duration::from_secs(10))))
        };
        std::thread::sleep(Duration::from_millis(50));
        tcp.close();
        assert_eq!(reader.join().unwrap().unwrap(), Recv::Closed);
        assert!(matches!(tcp.send(b"x"), Err(TransportError::Closed)));
    }
}
