//! [`TcpConfig`]: the socket options and timeouts of a TCP connection (and of the TLS and
//! WebSocket connections over it), and the socket they make — for the native shell's
//! transports and the tokio runtime alike.

use std::net::SocketAddr;
use std::prelude::rust_2024::*;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, TcpKeepalive, Type};

use super::{SetupError, SocketOption};

/// TCP keepalive probes: the operating system checks an idle connection on its own.
///
/// STOMP heart-beats are the primary way to notice a dead peer; keepalive also catches a peer
/// that vanished while heart-beats are off. Each `None` keeps the operating system's value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Keepalive {
    /// Idle time before the first probe (`TCP_KEEPIDLE` on Linux, `TCP_KEEPALIVE` on macOS).
    /// Whole seconds on most systems.
    pub idle: Option<Duration>,
    /// Time between probes (`TCP_KEEPINTVL`; Linux, macOS, the BSDs, Windows). Ignored where
    /// the system has no such option.
    pub interval: Option<Duration>,
    /// Unanswered probes before the connection is dropped (`TCP_KEEPCNT`; Linux, macOS, the
    /// BSDs, Windows). Ignored where the system has no such option.
    pub count: Option<u32>,
}

/// Socket options and timeouts of a TCP connection; TLS and WebSocket transports use them
/// for the connection underneath.
///
/// ```
/// use std::time::Duration;
/// use stompwire::net::{Keepalive, TcpConfig};
///
/// let config = TcpConfig::default()
///     .with_connect_timeout(Some(Duration::from_secs(3)))
///     .with_keepalive(Some(Keepalive::default().with_idle(Some(Duration::from_secs(60)))));
/// assert!(config.nodelay);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TcpConfig {
    /// Time allowed for one TCP connect attempt (each resolved address gets this much).
    /// `None`: the operating system's limit. Default 10 s.
    pub connect_timeout: Option<Duration>,
    /// Time allowed for the TLS and WebSocket handshakes once TCP is connected. `None`: no
    /// limit. Default 10 s.
    pub handshake_timeout: Option<Duration>,
    /// `TCP_NODELAY`: send small writes at once instead of batching them (Nagle). STOMP
    /// frames are small and latency matters, so default on.
    pub nodelay: bool,
    /// TCP keepalive probes; `None` (the default) leaves them off.
    pub keepalive: Option<Keepalive>,
    /// Local address (and port, 0 for any) to bind before connecting, to pick the source
    /// interface. Addresses of the other IP family are skipped. Default `None`.
    pub local_address: Option<SocketAddr>,
    /// Limit on one blocked write (`SO_SNDTIMEO`) of the native shell's transports. A write
    /// that times out closes the transport. `None` (the default): wait until the transport is
    /// closed or the kernel gives up; heart-beat timeouts close the transport and so release a
    /// stuck writer. (The tokio runtime never blocks in a write.)
    pub write_timeout: Option<Duration>,
    /// How long the native shell's `Transport::close` may spend writing a goodbye (TLS
    /// `close_notify`, a WebSocket Close frame) before it shuts the socket down. Default 1 s.
    pub close_timeout: Duration,
    /// Bytes the native shell's transports read from the socket at a time (and how much a
    /// `recv` buffer grows by before a read). Default 16 KiB. (The async driver reads what the
    /// socket has, up to 64 KiB.)
    pub read_chunk: usize,
}

impl Default for TcpConfig {
    fn default() -> TcpConfig {
        TcpConfig {
            connect_timeout: Some(Duration::from_secs(10)),
            handshake_timeout: Some(Duration::from_secs(10)),
            nodelay: true,
            keepalive: None,
            local_address: None,
            write_timeout: None,
            close_timeout: Duration::from_secs(1),
            read_chunk: 16 * 1024,
        }
    }
}

crate::net::setters::setters!(Keepalive {
    with_idle => idle: Option<Duration>,
    with_interval => interval: Option<Duration>,
    with_count => count: Option<u32>,
});

crate::net::setters::setters!(TcpConfig {
    with_connect_timeout => connect_timeout: Option<Duration>,
    with_handshake_timeout => handshake_timeout: Option<Duration>,
    with_nodelay => nodelay: bool,
    with_keepalive => keepalive: Option<Keepalive>,
    with_local_address => local_address: Option<SocketAddr>,
    with_write_timeout => write_timeout: Option<Duration>,
    with_close_timeout => close_timeout: Duration,
    with_read_chunk => read_chunk: usize,
});

/// A TCP socket for `addr` with `config`'s options applied and bound if asked.
pub(crate) fn new_socket(addr: SocketAddr, config: &TcpConfig) -> Result<Socket, SetupError> {
    let option = |option: SocketOption| move |source| SetupError::Socket { option, source };
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(option(SocketOption::Create))?;
    socket
        .set_tcp_nodelay(config.nodelay)
        .map_err(option(SocketOption::TcpNodelay))?;
    if let Some(keepalive) = config.keepalive {
        socket
            .set_tcp_keepalive(&keepalive_params(keepalive))
            .map_err(option(SocketOption::SoKeepalive))?;
    }
    if let Some(local) = config.local_address {
        socket
            .bind(&local.into())
            .map_err(option(SocketOption::Bind))?;
    }
    Ok(socket)
}

/// socket2's keepalive parameters for `keepalive`, leaving out what this system cannot set.
fn keepalive_params(keepalive: Keepalive) -> TcpKeepalive {
    let mut params = TcpKeepalive::new();
    if let Some(idle) = keepalive.idle {
        params = params.with_time(idle);
    }
    #[cfg(any(
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "fuchsia",
        target_os = "illumos",
        target_os = "ios",
        target_os = "linux",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "windows",
    ))]
    {
        if let Some(interval) = keepalive.interval {
            params = params.with_interval(interval);
        }
        if let Some(count) = keepalive.count {
            params = params.with_retries(count);
        }
    }
    #[cfg(not(any(
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "fuchsia",
        target_os = "illumos",
        target_os = "ios",
        target_os = "linux",
        target_os = "macos",
        target_os = "netbsd",
        target_os = "windows",
    )))]
    if keepalive.interval.is_some() || keepalive.count.is_some() {
        log::debug!("TCP keepalive interval/count are not settable on this system; ignored");
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepalive_options_apply_to_a_socket() {
        let config = TcpConfig {
            keepalive: Some(Keepalive {
                idle: Some(Duration::from_secs(30)),
                interval: Some(Duration::from_secs(5)),
                count: Some(4),
            }),
            ..TcpConfig::default()
        };
        let socket = new_socket("127.0.0.1:1".parse().unwrap(), &config).unwrap();
        assert!(socket.keepalive().unwrap());
        assert!(socket.tcp_nodelay().unwrap());
        #[cfg(target_os = "linux")]
        {
            assert_eq!(
                socket.tcp_keepalive_time().unwrap(),
                Duration::from_secs(30)
            );
            assert_eq!(
                socket.tcp_keepalive_interval().unwrap(),
                Duration::from_secs(5)
            );
            assert_eq!(socket.tcp_keepalive_retries().unwrap(), 4);
        }
    }
}
