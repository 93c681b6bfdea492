//! [`WsConfig`]: the WebSocket options — subprotocols, limits, extra headers, message
//! framing — of the native shell's WebSocket transport and of the tokio runtime alike.

use std::fmt;
use std::prelude::rust_2024::*;
use std::vec;

use crate::frame::Version;

/// WebSocket options: subprotocols, limits, extra headers, message framing.
///
/// Its `Debug` output shows the names of [`headers`](Self::headers), never their values
/// (they often carry credentials).
///
/// ```
/// use stompwire::net::WsConfig;
///
/// let ws = WsConfig::default()
///     .with_headers(vec![("Authorization".into(), "Bearer secret".into())])
///     .with_max_message_size(Some(1 << 20));
/// assert!(!format!("{ws:?}").contains("secret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WsConfig {
    /// STOMP versions to offer as `Sec-WebSocket-Protocol` (`v12.stomp, v11.stomp,
    /// v10.stomp` by default, preferred first). The server must pick one of them; for a
    /// server that ignores the header (and so answers with none), leave this empty.
    pub subprotocols: Vec<Version>,
    /// Largest incoming message; a bigger one fails the connection (protection against a
    /// hostile server). `None`: no limit. Default 64 MiB.
    pub max_message_size: Option<usize>,
    /// Largest incoming frame payload (a message can span frames). `None`: no limit. Default
    /// 16 MiB.
    pub max_frame_size: Option<usize>,
    /// Extra HTTP headers for the upgrade request: `Origin`, `Authorization`, cookies.
    pub headers: Vec<(String, String)>,
    /// Send every message as binary, even UTF-8 ones (by default UTF-8 payloads go as text
    /// messages, others as binary).
    pub always_binary: bool,
    /// Split what one `send` writes into messages of at most this many bytes (at UTF-8
    /// character boundaries for text), for servers with a small message limit, like
    /// stompjs's `splitLargeFrames`. The peer must reassemble STOMP frames across messages.
    /// Default `None`: one message per send.
    pub max_chunk_size: Option<usize>,
}

impl Default for WsConfig {
    fn default() -> WsConfig {
        WsConfig {
            subprotocols: vec![Version::V1_2, Version::V1_1, Version::V1_0],
            max_message_size: Some(64 << 20),
            max_frame_size: Some(16 << 20),
            headers: Vec::new(),
            always_binary: false,
            max_chunk_size: None,
        }
    }
}

crate::net::setters::setters!(WsConfig {
    with_subprotocols => subprotocols: Vec<Version>,
    with_max_message_size => max_message_size: Option<usize>,
    with_max_frame_size => max_frame_size: Option<usize>,
    with_headers => headers: Vec<(String, String)>,
    with_always_binary => always_binary: bool,
    with_max_chunk_size => max_chunk_size: Option<usize>,
});

impl fmt::Debug for WsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("WsConfig")
            .field("subprotocols", &self.subprotocols)
            .field("max_message_size", &self.max_message_size)
            .field("max_frame_size", &self.max_frame_size)
            .field("headers", &header_names)
            .field("always_binary", &self.always_binary)
            .field("max_chunk_size", &self.max_chunk_size)
            .finish()
    }
}
