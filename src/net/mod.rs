//! What the native shells share and neither owns: the TLS setup and the broker emulation of a
//! UDP multicast group, with no runtime of their own (feature `native` or `tokio`).
//!
//! - [`TlsConfig`]: one rustls configuration — trust roots, client identity, verifier — for
//!   the blocking shell's `ssl://` and `wss://` transports and for the async client's tokio
//!   runtime.
//! - [`TcpConfig`]: the socket options (`TCP_NODELAY`, keepalive, a local address) and the
//!   connect and handshake timeouts, set on the socket the same way by both; [`WsConfig`]:
//!   the WebSocket subprotocols, limits, extra headers and message framing.
//! - [`multicast`]: the configuration of a multicast member, its sockets, and the sans-I/O
//!   rules by which a member plays the broker's part for its own client, on the wire as
//!   stomp.py's `MulticastConnection`. The blocking shell runs them on threads, the tokio
//!   runtime as an async connection.
//!
//! Both shells import this module; it imports neither (only the frame layer).

mod error;
pub mod multicast;
pub(crate) mod setters;
mod socket_option;
pub(crate) mod tcp;
mod tls;
mod ws;

pub use error::{PemContents, SetupError};
pub use socket_option::SocketOption;
pub use tcp::{Keepalive, TcpConfig};
pub use tls::{ClientIdentity, TlsConfig};
pub use ws::WsConfig;
