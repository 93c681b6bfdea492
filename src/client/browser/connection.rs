//! [`BrowserConnection`]: a browser WebSocket as the driver's
//! [`Connection`](crate::client::Connection), and [`Opening`] one.
//!
//! The socket's callbacks put what arrives into a queue shared with the connection and wake
//! the driver; the driver copies bytes out of that queue when it reads. A browser WebSocket
//! cannot be paused, so the queue is bounded: past its limit the socket is closed and, once
//! what came before has been read, the read fails with an error that says why.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::collections::VecDeque;
use std::io;
use std::prelude::rust_2024::*;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use crate::client::transport::{Connection, OpenError};

/// What the callbacks tell the connection.
#[derive(Debug, Default)]
struct Inbox {
    open: bool,
    /// Closed (or failed): the reason, for a socket that never opened.
    closed: Option<String>,
    messages: VecDeque<Vec<u8>>,
    /// How far the front message has been read.
    offset: usize,
    /// Bytes in `messages` not yet read.
    queued: usize,
    /// The most `queued` may reach.
    limit: usize,
    /// The limit was passed: why the connection failed, reported after the bytes before it.
    overflow: Option<String>,
    waker: Option<Waker>,
}

impl Inbox {
    fn wake(&mut self) {
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }
}

/// The callbacks, kept alive as long as the socket.
struct Handlers {
    _open: Closure<dyn FnMut(Event)>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
    _error: Closure<dyn FnMut(Event)>,
}

/// A browser WebSocket carrying STOMP.
pub struct BrowserConnection {
    socket: WebSocket,
    inbox: Rc<RefCell<Inbox>>,
    _handlers: Handlers,
}

impl core::fmt::Debug for BrowserConnection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BrowserConnection")
            .field("url", &self.socket.url())
            .finish()
    }
}

impl Drop for BrowserConnection {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        self.socket.set_onerror(None);
        let _ = self.socket.close();
    }
}

/// Opening a WebSocket: ready when it opens, fails when it closes first or its open timeout
/// passes.
pub struct Opening {
    state: Option<Result<BrowserConnection, OpenError>>,
    timeout: Option<TimeoutFuture>,
}

impl core::fmt::Debug for Opening {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Opening")
    }
}

fn js_error(what: &str, e: wasm_bindgen::JsValue) -> io::Error {
    io::Error::other(format!("{what}: {e:?}"))
}

impl Opening {
    pub(crate) fn failed(error: OpenError) -> Opening {
        Opening {
            state: Some(Err(error)),
            timeout: None,
        }
    }

    pub(crate) fn start(
        url: &str,
        subprotocols: &[&str],
        timeout_ms: u32,
        receive_limit: usize,
    ) -> Opening {
        let list = Array::new();
        for p in subprotocols {
            list.push(&wasm_bindgen::JsValue::from_str(p));
        }
        let socket = match WebSocket::new_with_str_sequence(url, &list) {
            Ok(s) => s,
            Err(e) => {
                return Opening::failed(OpenError::unreachable(js_error("WebSocket", e)));
            }
        };
        socket.set_binary_type(BinaryType::Arraybuffer);
        let inbox = Rc::new(RefCell::new(Inbox {
            limit: receive_limit,
            ..Inbox::default()
        }));
        let on_open = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                let mut inbox = inbox.borrow_mut();
                inbox.open = true;
                inbox.wake();
            })
        };
        let on_message = {
            let inbox = inbox.clone();
            let socket = socket.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if inbox.borrow().overflow.is_some() {
                    return;
                }
                let data = event.data();
                let bytes = if let Some(buffer) = data.dyn_ref::<ArrayBuffer>() {
                    Uint8Array::new(buffer).to_vec()
                } else if let Some(text) = data.as_string() {
                    text.into_bytes()
                } else {
                    return;
                };
                if bytes.is_empty() {
                    return;
                }
                let mut inbox = inbox.borrow_mut();
                if inbox.queued.saturating_add(bytes.len()) > inbox.limit {
                    inbox.overflow = Some(format!(
                        "more than {} bytes arrived while the client was not reading them \
                         (a consumer fell behind; a browser WebSocket cannot be paused)",
                        inbox.limit
                    ));
                    let _ = socket.close();
                } else {
                    inbox.queued += bytes.len();
                    inbox.messages.push_back(bytes);
                }
                inbox.wake();
            })
        };
        let on_close = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
                let mut inbox = inbox.borrow_mut();
                inbox.closed = Some(format!(
                    "WebSocket closed (code {}{}{})",
                    event.code(),
                    if event.reason().is_empty() { "" } else { ": " },
                    event.reason()
                ));
                inbox.wake();
            })
        };
        let on_error = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                let mut inbox = inbox.borrow_mut();
                if inbox.closed.is_none() {
                    inbox.closed = Some("WebSocket error".to_owned());
                }
                inbox.wake();
            })
        };
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Opening {
            state: Some(Ok(BrowserConnection {
                socket,
                inbox,
                _handlers: Handlers {
                    _open: on_open,
                    _message: on_message,
                    _close: on_close,
                    _error: on_error,
                },
            })),
            timeout: Some(TimeoutFuture::new(timeout_ms)),
        }
    }
}

impl Future for Opening {
    type Output = Result<BrowserConnection, OpenError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(Ok(connection)) = &this.state else {
            return Poll::Ready(
                this.state.take().unwrap_or_else(|| {
                    Err(OpenError::unreachable(io::Error::other("polled again")))
                }),
            );
        };
        {
            let mut inbox = connection.inbox.borrow_mut();
            if let Some(reason) = &inbox.closed {
                let error = io::Error::new(io::ErrorKind::ConnectionRefused, reason.clone());
                drop(inbox);
                this.state = None;
                return Poll::Ready(Err(OpenError::unreachable(error)));
            }
            if inbox.open {
                drop(inbox);
                let Some(Ok(connection)) = this.state.take() else {
                    unreachable!("checked above")
                };
                return Poll::Ready(Ok(connection));
            }
            inbox.waker = Some(cx.waker().clone());
        }
        if let Some(timeout) = &mut this.timeout {
            if Pin::new(timeout).poll(cx).is_ready() {
                this.state = None;
                return Poll::Ready(Err(OpenError::timed_out(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the WebSocket did not open in time",
                ))));
            }
        }
        Poll::Pending
    }
}

impl Connection for BrowserConnection {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut inbox = self.inbox.borrow_mut();
        let inbox = &mut *inbox;
        if let Some(front) = inbox.messages.front() {
            let n = (front.len() - inbox.offset).min(buf.len());
            buf[..n].copy_from_slice(&front[inbox.offset..inbox.offset + n]);
            inbox.offset += n;
            inbox.queued -= n;
            if inbox.offset == front.len() {
                inbox.messages.pop_front();
                inbox.offset = 0;
            }
            return Poll::Ready(Ok(n));
        }
        if let Some(reason) = &inbox.overflow {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::OutOfMemory,
                reason.clone(),
            )));
        }
        if inbox.closed.is_some() {
            return Poll::Ready(Ok(0));
        }
        inbox.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    fn poll_write(&mut self, _cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        let inbox = self.inbox.borrow();
        if let Some(reason) = &inbox.overflow {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::OutOfMemory,
                reason.clone(),
            )));
        }
        if let Some(reason) = &inbox.closed {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                reason.clone(),
            )));
        }
        drop(inbox);
        match self.socket.send_with_u8_array(bytes) {
            Ok(()) => Poll::Ready(Ok(bytes.len())),
            Err(e) => Poll::Ready(Err(js_error("WebSocket send", e))),
        }
    }

    fn poll_flush(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(
            self.socket
                .close()
                .map_err(|e| js_error("WebSocket close", e)),
        )
    }
}
