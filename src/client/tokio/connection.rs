//! [`TokioConnection`]: a TCP, TLS, WebSocket or UDP multicast connection on tokio, as the
//! driver's [`Connection`].

use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::io;
use std::prelude::rust_2024::*;
use std::sync::Arc;

use futures_core::Stream as _;
use futures_sink::Sink;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{self, Message};

use super::multicast::MulticastConnection;
use crate::client::transport::{Connection, DirectWrite, Refused};

/// The byte stream under STOMP or under the WebSocket.
#[derive(Debug)]
pub(crate) enum Stream {
    Tcp(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_shutdown(cx),
        }
    }
}

/// A connection opened by the tokio runtime.
#[derive(Debug)]
pub struct TokioConnection(Kind);

#[derive(Debug)]
enum Kind {
    /// Plain TCP, split so that the write half can also be written from a program's thread
    /// ([`Connection::direct_writer`]).
    Tcp {
        read: OwnedReadHalf,
        write: Arc<OwnedWriteHalf>,
    },
    Bytes(Stream),
    Ws {
        ws: Box<WebSocketStream<Stream>>,
        /// A received message not yet copied out whole, and how far it has been.
        pending: Option<(tungstenite::Bytes, usize)>,
        /// Every message binary, or UTF-8 ones as text.
        always_binary: bool,
        /// The largest message written; longer writes are split.
        max_chunk: Option<usize>,
    },
    Multicast(Box<MulticastConnection>),
}

impl TokioConnection {
    pub(crate) fn stream(stream: Stream) -> TokioConnection {
        match stream {
            Stream::Tcp(tcp) => {
                let (read, write) = tcp.into_split();
                TokioConnection(Kind::Tcp {
                    read,
                    write: Arc::new(write),
                })
            }
            stream => TokioConnection(Kind::Bytes(stream)),
        }
    }

    /// The TCP socket underneath, for a plain TCP connection.
    #[cfg(test)]
    pub(crate) fn tcp(&self) -> Option<&TcpStream> {
        match &self.0 {
            Kind::Tcp { write, .. } => Some((**write).as_ref()),
            _ => None,
        }
    }

    pub(crate) fn multicast(group: MulticastConnection) -> TokioConnection {
        TokioConnection(Kind::Multicast(Box::new(group)))
    }

    pub(crate) fn websocket(
        ws: WebSocketStream<Stream>,
        always_binary: bool,
        max_chunk: Option<usize>,
    ) -> TokioConnection {
        TokioConnection(Kind::Ws {
            ws: Box::new(ws),
            pending: None,
            always_binary,
            max_chunk: max_chunk.map(|m| m.max(1)),
        })
    }
}

/// The WebSocket message for the start of `bytes`, and how many bytes it carries: at most
/// `max_chunk` (cut at a character boundary for text); UTF-8 as a text message unless
/// `always_binary`, as the native shell's WebSocket transport writes them.
fn message_of(bytes: &[u8], always_binary: bool, max_chunk: Option<usize>) -> (Message, usize) {
    let mut n = max_chunk.map_or(bytes.len(), |max| bytes.len().min(max));
    if !always_binary {
        let text = match core::str::from_utf8(&bytes[..n]) {
            Ok(text) => Some(text),
            // Cut inside a character: the text up to it.
            Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => {
                n = e.valid_up_to();
                core::str::from_utf8(&bytes[..n]).ok()
            }
            Err(_) => None,
        };
        if let Some(text) = text {
            return (Message::text(text.to_owned()), n);
        }
    }
    (
        Message::Binary(tungstenite::Bytes::copy_from_slice(&bytes[..n])),
        n,
    )
}

fn ws_error(e: tungstenite::Error) -> io::Error {
    match e {
        tungstenite::Error::Io(e) => e,
        other => io::Error::other(other),
    }
}

impl Connection for TokioConnection {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match &mut self.0 {
            Kind::Tcp { read, .. } => {
                let mut filled = ReadBuf::new(buf);
                ready!(Pin::new(read).poll_read(cx, &mut filled))?;
                Poll::Ready(Ok(filled.filled().len()))
            }
            Kind::Bytes(stream) => {
                let mut read = ReadBuf::new(buf);
                ready!(Pin::new(stream).poll_read(cx, &mut read))?;
                Poll::Ready(Ok(read.filled().len()))
            }
            Kind::Ws { ws, pending, .. } => loop {
                if let Some((bytes, at)) = pending {
                    let n = (bytes.len() - *at).min(buf.len());
                    buf[..n].copy_from_slice(&bytes[*at..*at + n]);
                    *at += n;
                    if *at == bytes.len() {
                        *pending = None;
                    }
                    return Poll::Ready(Ok(n));
                }
                match ready!(Pin::new(&mut **ws).poll_next(cx)) {
                    None | Some(Ok(Message::Close(_))) => return Poll::Ready(Ok(0)),
                    Some(Ok(Message::Binary(bytes))) if !bytes.is_empty() => {
                        *pending = Some((bytes, 0));
                    }
                    Some(Ok(Message::Text(text))) if !text.is_empty() => {
                        *pending = Some((tungstenite::Bytes::from(text), 0));
                    }
                    // Pings are answered by tungstenite; empty messages carry nothing.
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Poll::Ready(Err(ws_error(e))),
                }
            },
            Kind::Multicast(group) => group.poll_read(cx, buf),
        }
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        match &mut self.0 {
            Kind::Tcp { write, .. } => loop {
                // The write half is shared with program threads (`direct_writer`): written
                // through `&`, as they write.
                ready!((**write).as_ref().poll_write_ready(cx))?;
                match write.try_write(bytes) {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    result => return Poll::Ready(result),
                }
            },
            Kind::Bytes(stream) => Pin::new(stream).poll_write(cx, bytes),
            Kind::Ws {
                ws,
                always_binary,
                max_chunk,
                ..
            } => {
                let mut ws = Pin::new(&mut **ws);
                ready!(ws.as_mut().poll_ready(cx)).map_err(ws_error)?;
                let (message, n) = message_of(bytes, *always_binary, *max_chunk);
                ws.start_send(message).map_err(ws_error)?;
                Poll::Ready(Ok(n))
            }
            Kind::Multicast(group) => group.poll_write(cx, bytes),
        }
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.0 {
            Kind::Tcp { .. } => Poll::Ready(Ok(())),
            Kind::Bytes(stream) => Pin::new(stream).poll_flush(cx),
            Kind::Ws { ws, .. } => Pin::new(&mut **ws).poll_flush(cx).map_err(ws_error),
            Kind::Multicast(group) => group.poll_flush(cx),
        }
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.0 {
            Kind::Tcp { write, .. } => Poll::Ready(
                socket2::SockRef::from((**write).as_ref()).shutdown(std::net::Shutdown::Write),
            ),
            Kind::Bytes(stream) => Pin::new(stream).poll_shutdown(cx),
            Kind::Ws { ws, .. } => Pin::new(&mut **ws).poll_close(cx).map_err(ws_error),
            Kind::Multicast(group) => group.poll_close(cx),
        }
    }

    fn take_refused(&mut self) -> Option<Refused> {
        match &mut self.0 {
            Kind::Multicast(group) => group.take_refused(),
            _ => None,
        }
    }

    fn direct_writer(&self) -> Option<Arc<dyn DirectWrite>> {
        match &self.0 {
            Kind::Tcp { write, .. } => Some(write.clone()),
            _ => None,
        }
    }
}

impl DirectWrite for OwnedWriteHalf {
    fn try_write(&self, bytes: &[u8]) -> io::Result<usize> {
        OwnedWriteHalf::try_write(self, bytes)
    }
}
