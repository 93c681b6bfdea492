//! [`Driver`]: the future that runs one client — it feeds the session bytes and time, carries
//! out the supervisor's actions, writes every ready frame in one write and reads what the
//! socket has.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::fmt;
use std::io;
use std::prelude::rust_2024::*;
use std::sync::{Arc, Mutex};

use crate::frame::Headers;
use crate::reconnect::{Action, Endpoint, Supervisor, TransportFailure, earliest};
use crate::session::{Event, LostReason, State};

use super::events::ConnectionEvent;
use super::shared::{FirstConnect, Lifecycle, Shared, lock};
use super::tap::{Observer, Tapped};
use super::transport::{Connection, Refused, Runtime, Timer};

/// Reads per run before the driver yields to other tasks.
const READS_PER_RUN: usize = 32;
/// Bytes asked for per read.
const READ_SIZE: usize = 64 << 10;
/// How long a connection that is being closed may take to finish its close (a TLS
/// close_notify, a WebSocket close frame) before it is dropped.
const LINGER_MS: u64 = 1_000;

/// The background task of one client, generic over its [`Runtime`]. A runtime's
/// [`spawn`](Runtime::spawn) runs it; it ends when the client has stopped.
pub struct Driver<R: Runtime> {
    runtime: R,
    shared: Arc<Mutex<Shared>>,
    supervisor: Supervisor<Box<dyn FnMut() -> u32 + Send>>,
    endpoints: Vec<Endpoint>,
    opening: Option<R::Open>,
    connection: Option<R::Connection>,
    /// A connection given up that is finishing its close, and until when it may.
    lingering: Option<(R::Connection, u64)>,
    timer: R::Timer,
    read_buf: Box<[u8]>,
    /// Bytes were written and the connection has not yet confirmed a flush: TLS and WebSocket
    /// connections may hold written bytes in their own buffers until then.
    flush_pending: bool,
    started: bool,
    /// The shell's observer of what is tapped ([`Shared::set_tap`]), called after each run.
    observer: Option<Observer>,
}

impl<R: Runtime> fmt::Debug for Driver<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("endpoints", &self.endpoints)
            .field("open", &self.connection.is_some())
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> Driver<R> {
    pub(crate) fn new(
        runtime: R,
        shared: Arc<Mutex<Shared>>,
        supervisor: Supervisor<Box<dyn FnMut() -> u32 + Send>>,
        endpoints: Vec<Endpoint>,
    ) -> Driver<R> {
        let timer = runtime.timer();
        Driver {
            runtime,
            shared,
            supervisor,
            endpoints,
            opening: None,
            connection: None,
            lingering: None,
            timer,
            read_buf: vec![0; READ_SIZE].into_boxed_slice(),
            flush_pending: false,
            started: false,
            observer: None,
        }
    }

    /// Hands what the driver taps to `observer` after each run, with no lock held.
    // Only the native shell taps the driver.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn with_observer(mut self, observer: Observer) -> Driver<R> {
        self.observer = Some(observer);
        self
    }

    /// Closes `connection`: at once if it can, else it lingers until its close is done or
    /// [`LINGER_MS`] have passed (what the driver does meanwhile goes on).
    fn close_connection(&mut self, mut connection: R::Connection, cx: &mut Context<'_>, now: u64) {
        if connection.poll_close(cx).is_pending() {
            self.lingering = Some((connection, now + LINGER_MS));
        }
    }

    /// Goes on closing the lingering connection; returns whether it still lingers.
    fn linger(&mut self, cx: &mut Context<'_>, now: u64) -> bool {
        if let Some((connection, until)) = &mut self.lingering
            && (now >= *until || connection.poll_close(cx).is_ready())
        {
            self.lingering = None;
        }
        self.lingering.is_some()
    }

    /// The driver has stopped: ready once a lingering close is done, else its timer is set.
    fn stopped(&mut self, cx: &mut Context<'_>, now: u64) -> Poll<()> {
        if !self.linger(cx, now) {
            return Poll::Ready(());
        }
        let until = self.lingering.as_ref().map_or(now, |(_, until)| *until);
        if self.timer.poll_until(cx, until).is_ready() {
            self.lingering = None;
            return Poll::Ready(());
        }
        Poll::Pending
    }

    /// Gives the observer what was tapped since the last time.
    fn observe(&mut self) {
        let Some(observer) = &mut self.observer else {
            return;
        };
        let batch = {
            let mut shared = lock(&self.shared);
            match &mut shared.tap {
                Some(tap) if !tap.events.is_empty() => core::mem::take(&mut tap.events),
                _ => return,
            }
        };
        observer(batch);
    }

    fn endpoint_name(&self, target: usize) -> String {
        self.endpoints
            .get(target)
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    /// Drains the session's events: routes them, and acts on CONNECTED and the close.
    fn session_events(&mut self, shared: &mut Shared, now: u64) {
        while let Some(event) = shared.session.poll_event() {
            match shared.route(event) {
                Some(Event::Connected(connected)) => {
                    self.supervisor.handle_connected(now);
                    let endpoint = self
                        .supervisor
                        .target()
                        .map(|t| self.endpoint_name(t))
                        .unwrap_or_default();
                    shared.emit(ConnectionEvent::Connected {
                        endpoint,
                        version: connected.version,
                        server: connected.server,
                    });
                    if let FirstConnect::Pending(wakers) =
                        core::mem::replace(&mut shared.first_connect, FirstConnect::Done(Ok(())))
                    {
                        wakers.into_iter().for_each(|w| w.wake());
                    }
                    shared.send_waiters.drain(..).for_each(|w| w.wake());
                }
                Some(Event::Disconnected(disconnected)) => {
                    self.supervisor
                        .handle_session_closed(now, &disconnected.reason);
                    shared.emit(ConnectionEvent::Disconnected {
                        reason: disconnected.reason,
                    });
                }
                _ => {}
            }
        }
        shared.flush_session();
    }

    /// The transport is gone (closed by either side, or failed): the session, then the
    /// supervisor, are told.
    fn closed(&mut self, shared: &mut Shared, now: u64, failure: Option<io::Error>) {
        self.connection = None;
        shared.direct = None;
        shared.direct_failed = None;
        shared.clear_out();
        self.flush_pending = false;
        shared.read_blocked = false;
        shared.session.handle_close(now);
        self.session_events(shared, now);
        match failure {
            Some(error) => {
                let error = Arc::new(error);
                shared.last_transport_error = Some(error.clone());
                if let Some(target) = self.supervisor.target() {
                    shared.emit(ConnectionEvent::TransportError {
                        endpoint: self.endpoint_name(target),
                        error,
                    });
                }
                self.supervisor
                    .handle_transport_failed(now, TransportFailure::Broken);
            }
            None => self.supervisor.handle_transport_closed(now),
        }
        shared.send_waiters.drain(..).for_each(|w| w.wake());
    }

    /// A frame the connection refused: its receipt is lost, never sent.
    fn refused(&mut self, shared: &mut Shared, now: u64, mut refused: Refused) {
        if let Some(id) = &refused.receipt {
            shared.session.abandon_receipt(id, LostReason::NotSent);
        }
        if shared.tap.is_some() {
            let copy = io::Error::new(refused.error.kind(), refused.error.to_string());
            let original = core::mem::replace(&mut refused.error, copy);
            shared.push_tap(|| {
                Tapped::Refused(Refused {
                    receipt: refused.receipt.clone(),
                    error: original,
                })
            });
        }
        let endpoint = self
            .supervisor
            .target()
            .map(|t| self.endpoint_name(t))
            .unwrap_or_default();
        shared.emit(ConnectionEvent::Refused {
            endpoint,
            receipt: refused.receipt,
            error: Arc::new(refused.error),
        });
        self.session_events(shared, now);
    }

    /// Carries out the supervisor's actions. Returns `true` once the client has stopped.
    fn actions(&mut self, shared: &mut Shared, now: u64) -> bool {
        while let Some(action) = self.supervisor.poll_action() {
            match action {
                Action::Open { target, .. } => {
                    shared.push_tap(|| Tapped::Opening { target });
                    let endpoint = &self.endpoints[target];
                    self.opening = Some(self.runtime.open(endpoint));
                }
                Action::Scheduled {
                    attempt,
                    target,
                    delay_ms,
                } => {
                    shared.push_tap(|| Tapped::Scheduled { target, delay_ms });
                    shared.emit(ConnectionEvent::Reconnecting {
                        attempt,
                        endpoint: self.endpoint_name(target),
                        delay_ms,
                    })
                }
                Action::Close { reason } => {
                    if self.opening.take().is_some() {
                        self.supervisor.handle_transport_closed(now);
                    } else if let Some(connection) = self.connection.take() {
                        // The supervisor's timeout is why, which the session cannot know.
                        if let Some(why) = reason.close_reason() {
                            shared.session.close(why);
                        }
                        // The peer stopped answering: no lingering for it.
                        let mut connection = connection;
                        let _ = connection
                            .poll_close(&mut Context::from_waker(core::task::Waker::noop()));
                        self.closed(shared, now, None);
                    }
                }
                Action::GaveUp { attempts, last } => {
                    shared.push_tap(|| Tapped::GaveUp { attempts });
                    shared.emit(ConnectionEvent::GaveUp {
                        attempts,
                        last: last.clone(),
                    });
                    let error = shared.gave_up(attempts, last);
                    shared.finish(Some(error));
                    return true;
                }
                Action::Stopped => {
                    shared.finish(None);
                    return true;
                }
            }
        }
        false
    }

    /// One run: everything that can progress without waiting does, with the lock held.
    fn run(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let shared_arc = self.shared.clone();
        let mut guard = lock(&shared_arc);
        guard.in_run = true;
        let result = self.run_locked(&mut guard, cx);
        guard.in_run = false;
        result
    }

    fn run_locked(&mut self, shared: &mut Shared, cx: &mut Context<'_>) -> Poll<()> {
        shared.notified = false;
        if !shared
            .driver
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            shared.driver = Some(cx.waker().clone());
        }
        if shared.lifecycle == Lifecycle::Finished {
            return self.stopped(cx, R::now_ms());
        }
        let mut reads = 0;
        loop {
            let now = R::now_ms();
            if !self.started {
                self.started = true;
                self.supervisor.start(now);
            }
            // The user's shutdown, or every handle gone.
            if shared.handles == 0 && shared.lifecycle == Lifecycle::Running {
                shared.lifecycle = Lifecycle::Draining { deadline: now };
            }
            if let Lifecycle::Draining { deadline } = shared.lifecycle {
                if shared.drained() || deadline <= now {
                    shared.lifecycle = Lifecycle::Stopping;
                    if shared.session.state() == State::Connected {
                        let mut headers = Headers::new();
                        shared.session.add_receipt(&mut headers);
                        let _ = shared.session.disconnect(headers, now);
                    } else if shared.session.state() == State::Connecting {
                        let _ = shared.session.disconnect(Headers::new(), now);
                    }
                    self.supervisor.stop(now);
                    self.session_events(shared, now);
                }
            }
            // Stop at once (the shell's `close`): no DISCONNECT, no reconnect.
            if shared.close_now && shared.lifecycle != Lifecycle::Finished {
                shared.close_now = false;
                shared.lifecycle = Lifecycle::Stopping;
                self.supervisor.stop(now);
                if let Some(connection) = self.connection.take() {
                    self.close_connection(connection, cx, now);
                    self.closed(shared, now, None);
                }
            }
            if self.actions(shared, now) {
                return self.stopped(cx, now);
            }
            self.linger(cx, now);
            let mut progress = false;

            // Opening.
            if let Some(open) = &mut self.opening {
                if let Poll::Ready(result) = Pin::new(open).poll(cx) {
                    self.opening = None;
                    match result {
                        Ok(connection) => {
                            shared.direct = connection.direct_writer();
                            shared.direct_failed = None;
                            self.connection = Some(connection);
                            self.supervisor.handle_transport_opened(now);
                            shared.clear_out();
                            self.flush_pending = false;
                            if shared.session.state() == State::Disconnected {
                                let _ = shared.session.connect(now);
                            }
                            self.session_events(shared, now);
                        }
                        Err(e) => {
                            let error = match (&mut shared.tap, self.supervisor.target()) {
                                (Some(tap), Some(target)) => {
                                    let copy = io::Error::new(e.error.kind(), e.error.to_string());
                                    tap.events.push(Tapped::OpenFailed {
                                        target,
                                        error: e.error,
                                    });
                                    Arc::new(copy)
                                }
                                _ => Arc::new(e.error),
                            };
                            shared.last_transport_error = Some(error.clone());
                            if let Some(target) = self.supervisor.target() {
                                shared.emit(ConnectionEvent::TransportError {
                                    endpoint: self.endpoint_name(target),
                                    error,
                                });
                            }
                            self.supervisor.handle_transport_failed(now, e.failure);
                        }
                    }
                    continue;
                }
            }

            // The session asks for the close.
            if self.connection.is_some() && shared.session.wants_close() {
                // Whatever is queued (a DISCONNECT) goes first, as far as the socket takes it.
                if let Some(connection) = &mut self.connection {
                    while shared.next_out().is_some() {
                        let copy = shared.copy_write();
                        let bytes = shared.next_out().expect("checked");
                        match connection.poll_write(cx, bytes) {
                            Poll::Ready(Ok(n)) if n > 0 => {
                                let written = copy.then(|| bytes[..n].to_vec());
                                shared.out_written += n;
                                if let Some(bytes) = written {
                                    shared.push_tap(|| Tapped::Written(bytes));
                                }
                            }
                            _ => break,
                        }
                    }
                    let _ = connection.poll_flush(cx);
                }
                if let Some(connection) = self.connection.take() {
                    self.close_connection(connection, cx, now);
                }
                // A write on a sender's thread that failed is why, if one did.
                let failed = shared.direct_failed.take();
                self.closed(shared, now, failed);
                continue;
            }

            // Writing: every frame that is ready, in as few writes as the socket allows.
            if let Some(connection) = &mut self.connection {
                // A write on a sender's thread failed.
                let mut failed = shared.direct_failed.take();
                let mut wrote = false;
                while failed.is_none() && shared.next_out().is_some() {
                    let copy = shared.copy_write();
                    let bytes = shared.next_out().expect("checked");
                    match connection.poll_write(cx, bytes) {
                        Poll::Ready(Ok(0)) => {
                            failed = Some(io::Error::from(io::ErrorKind::WriteZero));
                            break;
                        }
                        Poll::Ready(Ok(n)) => {
                            let written = copy.then(|| bytes[..n].to_vec());
                            shared.out_written += n;
                            wrote = true;
                            if let Some(bytes) = written {
                                shared.push_tap(|| Tapped::Written(bytes));
                            }
                        }
                        Poll::Ready(Err(e)) => {
                            failed = Some(e);
                            break;
                        }
                        Poll::Pending => break,
                    }
                }
                self.flush_pending |= wrote;
                if wrote {
                    shared.last_write_ms = now;
                }
                // Flushed on every run until the connection says it is done: a flush that
                // returned Pending is not forgotten when nothing new is written.
                if failed.is_none() && self.flush_pending {
                    match connection.poll_flush(cx) {
                        Poll::Ready(Ok(())) => self.flush_pending = false,
                        Poll::Ready(Err(e)) => failed = Some(e),
                        Poll::Pending => {}
                    }
                }
                if let Some(e) = failed {
                    self.closed(shared, now, Some(e));
                    continue;
                }
                // Frames the connection refused (it stays open): their receipts fail, and the
                // program hears of each.
                while let Some(refused) = self.connection.as_mut().and_then(|c| c.take_refused()) {
                    self.refused(shared, now, refused);
                }
                if wrote && shared.queued() < shared.write_buffer / 2 {
                    shared.send_waiters.drain(..).for_each(|w| w.wake());
                }
            }

            // Reading: what the socket has, unless a full buffer holds reading back.
            if !shared.read_blocked && self.connection.is_some() {
                if reads >= READS_PER_RUN {
                    // Let consumers run; come back at once.
                    shared.notified = true;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                let connection = self.connection.as_mut().expect("checked");
                match connection.poll_read(cx, &mut self.read_buf) {
                    Poll::Ready(Ok(0)) => {
                        self.closed(shared, now, None);
                        continue;
                    }
                    Poll::Ready(Ok(n)) => {
                        reads += 1;
                        let _ = shared.session.handle_bytes(&self.read_buf[..n], now);
                        self.session_events(shared, now);
                        progress = true;
                    }
                    Poll::Ready(Err(e)) => {
                        self.closed(shared, now, Some(e));
                        continue;
                    }
                    Poll::Pending => {}
                }
            }

            // Time.
            shared.session_deadline = shared.session.poll_timeout();
            let mut deadline = earliest(self.supervisor.poll_timeout(), shared.session_deadline);
            if let Lifecycle::Draining { deadline: d } = shared.lifecycle {
                deadline = earliest(deadline, Some(d));
            }
            if let Some((_, until)) = &self.lingering {
                deadline = earliest(deadline, Some(*until));
            }
            if let Some(deadline) = deadline {
                if deadline <= now {
                    shared.session.handle_timeout(now);
                    self.supervisor.handle_timeout(now);
                    self.session_events(shared, now);
                    progress = true;
                } else if self.timer.poll_until(cx, deadline).is_ready() {
                    progress = true;
                }
            }
            if !progress {
                // Waiting for input, time, or a socket that can take the bytes: every waker
                // is registered.
                return Poll::Pending;
            }
        }
    }
}

impl<R: Runtime> Future for Driver<R> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let driver = self.get_mut();
        let result = driver.run(cx);
        driver.observe();
        result
    }
}

impl<R: Runtime> Unpin for Driver<R> {}
