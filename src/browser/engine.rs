//! The engine behind a `Client`: the session, the socket, the clock, the reconnect schedule
//! and the promises, and the loop that moves bytes and events between them.
//!
//! Every way in — a socket event, a clock tick, a user call — ends in [`Inner::pump`]: write
//! what the session queued, hand its events to the user's callbacks one at a time (no borrow
//! held, so a callback may call back in), close the socket when the session asks, and arm the
//! clock for the earliest deadline. A pump started inside a callback only writes; the pump
//! that called the callback delivers the rest, in order.
//!
//! One connection attempt: [`Inner::plan_attempt`] asks the reconnect policy which broker and
//! how long to wait; at the time, `beforeConnect` runs (and is awaited if it returns a
//! promise); the socket opens; CONNECT goes out on `open`. A socket that closes while the
//! client is `ACTIVE` leads to the next attempt.

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::WebSocket;

use super::client::Client;
use super::enums::{ActivationState, StompSocketState};
use super::globals::{now, random_u32};
use super::message::FrameImpl;
use super::options::{Key, Options, Target};
use super::receipts::{Receipts, Resolves};
use super::subscription::StompSubscription;
use super::ticker::Ticker;
use super::transaction::Transaction;
use super::transport::{self, Handlers, Sending, Transport};
use super::waiters::{Settle, Waiters};
use super::{error, headers, log};
use crate::frame::{Command, ContentLength, Frame, Headers};
use crate::reconnect::Phase;
use crate::session::{
    AckMode, CloseReason, Config, Connected, Disconnected, Event, LostReason, ReceiptOutcome,
    Session, SessionError,
};

/// The shared state of one client, behind an `Rc`.
pub(crate) struct Inner {
    me: Weak<Inner>,
    options: RefCell<Options>,
    core: RefCell<Core>,
}

/// Everything but the options.
struct Core {
    session: Session,
    activation: ActivationState,
    /// Shared with the code that writes, so that no borrow is held while the socket runs.
    transport: Option<Rc<Transport>>,
    /// Counts connection attempts; the handlers of a socket, and a `beforeConnect` promise,
    /// act only while theirs is the current one.
    generation: u32,
    ticker: Ticker,
    /// Attempts since the start or the last success, and which of the two.
    attempts: u32,
    phase: Phase,
    /// The next attempt: when, and which entry of the broker list.
    next_attempt: Option<(u64, usize)>,
    /// When the attempt under way times out (`connectionTimeout`).
    connect_deadline: Option<u64>,
    /// Message callbacks by subscription id (a list: pages have a handful).
    subscriptions: Vec<(String, Function)>,
    receipts: Receipts,
    connect_waiters: Waiters,
    deactivate_waiters: Waiters,
    /// The receipt id of the DISCONNECT sent by `deactivate`: its RECEIPT goes to
    /// `onDisconnect`.
    disconnect_receipt: Option<String>,
    /// Holds the client alive while it is active, whoever else lets go of it.
    keep_alive: Option<Rc<Inner>>,
    /// A pump is delivering events.
    dispatching: bool,
    /// Incoming heart-beats stopped on this connection.
    comm_failure: bool,
    /// `activate()` was called while deactivating.
    reactivate: bool,
    /// The CONNECTED frame of the open session.
    connected_frame: Option<JsValue>,
    /// Input bytes, reused from message to message.
    input: Vec<u8>,
}

/// Calls `f` with `arg` (or none); an exception is reported with `console.error` and
/// swallowed, so that one callback cannot stop the client.
fn invoke(f: &Function, arg: Option<&JsValue>) -> Option<JsValue> {
    let result = match arg {
        Some(arg) => f.call1(&JsValue::UNDEFINED, arg),
        None => f.call0(&JsValue::UNDEFINED),
    };
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            web_sys::console::error_1(&e);
            None
        }
    }
}

fn state_value(state: ActivationState) -> JsValue {
    JsValue::from_f64(state as u32 as f64)
}

fn timeout_error(what: &str, limit_ms: u64) -> JsValue {
    error::named("TimeoutError", &log::with_number(what, limit_ms, " ms"))
}

impl Inner {
    /// A new, inactive client.
    pub(crate) fn new() -> Rc<Inner> {
        Rc::new_cyclic(|me: &Weak<Inner>| {
            let weak = me.clone();
            let tick = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
                if let Some(inner) = weak.upgrade() {
                    inner.on_tick();
                }
            });
            Inner {
                me: me.clone(),
                options: RefCell::new(Options::new()),
                core: RefCell::new(Core {
                    session: Session::new(Config::default()),
                    activation: ActivationState::INACTIVE,
                    transport: None,
                    generation: 0,
                    ticker: Ticker::new(tick),
                    attempts: 0,
                    phase: Phase::Startup,
                    next_attempt: None,
                    connect_deadline: None,
                    subscriptions: Vec::new(),
                    receipts: Receipts::default(),
                    connect_waiters: Waiters::default(),
                    deactivate_waiters: Waiters::default(),
                    disconnect_receipt: None,
                    keep_alive: None,
                    dispatching: false,
                    comm_failure: false,
                    reactivate: false,
                    connected_frame: None,
                    input: Vec::new(),
                }),
            }
        })
    }

    fn rc(&self) -> Rc<Inner> {
        // Every way in holds a strong reference, so this never fails while `self` is in use.
        self.me.upgrade().unwrap_or_else(Inner::new)
    }

    // ----- options ---------------------------------------------------------------------------

    /// The property `key`.
    pub(crate) fn option(&self, key: Key) -> JsValue {
        self.options.borrow().get(key)
    }

    /// Sets the property `key`.
    pub(crate) fn set_option(&self, key: Key, value: JsValue) -> Result<(), JsValue> {
        self.options.borrow_mut().set(key, value)
    }

    /// Sets every known property `conf` has (stompjs's `configure`).
    pub(crate) fn configure(&self, conf: &JsValue) -> Result<(), JsValue> {
        if !conf.is_object() {
            return Ok(());
        }
        // Read first: a getter on `conf` may touch this client.
        let mut values = Vec::new();
        for key in Key::ALL {
            let name = JsValue::from_str(key.name());
            if Reflect::has(conf, &name)? {
                values.push((*key, Reflect::get(conf, &name)?));
            }
        }
        let mut options = self.options.borrow_mut();
        for (key, value) in values {
            options.set(key, value)?;
        }
        Ok(())
    }

    fn call(&self, key: Key, arg: Option<&JsValue>) -> Option<JsValue> {
        let f = self.options.borrow().callback(key)?;
        invoke(&f, arg)
    }

    fn debugging(&self) -> bool {
        self.options.borrow().callback(Key::Debug).is_some()
    }

    fn debug(&self, line: &str) {
        let f = self.options.borrow().callback(Key::Debug);
        if let Some(f) = f {
            invoke(&f, Some(&JsValue::from_str(line)));
        }
    }

    fn debug_with(&self, line: impl FnOnce() -> String) {
        if self.debugging() {
            self.debug(&line());
        }
    }

    // ----- state -----------------------------------------------------------------------------

    /// Whether the STOMP session is open.
    pub(crate) fn connected(&self) -> bool {
        self.core.borrow().session.is_connected()
    }

    /// The negotiated version while connected.
    pub(crate) fn connected_version(&self) -> Option<String> {
        let core = self.core.borrow();
        core.session
            .is_connected()
            .then(|| String::from(core.session.version().as_str()))
    }

    /// The activation state.
    pub(crate) fn activation(&self) -> ActivationState {
        self.core.borrow().activation
    }

    /// The current WebSocket, until its `close` event.
    pub(crate) fn web_socket(&self) -> Option<WebSocket> {
        self.core
            .borrow()
            .transport
            .as_ref()
            .map(|t| t.socket().clone())
    }

    fn check_connected(&self) -> Result<(), JsValue> {
        if self.connected() {
            Ok(())
        } else {
            Err(error::no_connection())
        }
    }

    // ----- activation ------------------------------------------------------------------------

    /// stompjs's `activate`: connect, and reconnect whenever the connection is lost.
    pub(crate) fn activate(&self) -> Result<(), JsValue> {
        match self.activation() {
            ActivationState::DEACTIVATING => {
                self.debug("Waiting for deactivation to finish before activating");
                self.core.borrow_mut().reactivate = true;
                return Ok(());
            }
            ActivationState::ACTIVE => {
                self.debug("Already ACTIVE, ignoring request to activate");
                return Ok(());
            }
            ActivationState::INACTIVE => {}
        }
        // A configuration that names no broker is the caller's to fix: say so now.
        self.options.borrow().target()?;
        {
            let mut core = self.core.borrow_mut();
            core.activation = ActivationState::ACTIVE;
            core.keep_alive = self.me.upgrade();
            core.attempts = 0;
            core.phase = Phase::Startup;
        }
        self.call(
            Key::OnChangeState,
            Some(&state_value(ActivationState::ACTIVE)),
        );
        self.plan_attempt();
        Ok(())
    }

    /// stompjs's `deactivate`: DISCONNECT (or, with `force`, drop the socket at once), stop
    /// reconnecting; the promise resolves once the socket has closed.
    pub(crate) fn deactivate(&self, force: bool) -> Promise {
        let was = self.activation();
        if was == ActivationState::INACTIVE {
            self.debug("Already INACTIVE, nothing more to do");
            return Promise::resolve(&JsValue::UNDEFINED);
        }
        let open_socket = {
            let mut core = self.core.borrow_mut();
            core.activation = ActivationState::DEACTIVATING;
            core.reactivate = false;
            core.next_attempt = None;
            core.connect_deadline = None;
            core.transport
                .as_ref()
                .is_some_and(|t| t.socket().ready_state() != StompSocketState::CLOSED as u16)
        };
        self.call(
            Key::OnChangeState,
            Some(&state_value(ActivationState::DEACTIVATING)),
        );
        if !open_socket {
            let (waiters, keep_alive) = self.become_inactive();
            for w in waiters {
                w.resolve(&JsValue::UNDEFINED);
            }
            drop(keep_alive);
            return Promise::resolve(&JsValue::UNDEFINED);
        }
        let promise = self.core.borrow_mut().deactivate_waiters.wait(now(), 0);
        if force {
            self.drop_connection(true);
        } else if was == ActivationState::ACTIVE {
            if self.connected() {
                self.send_disconnect();
            } else {
                self.drop_connection(false);
            }
        }
        promise
    }

    fn send_disconnect(&self) {
        let mut headers = headers::from_js(&self.option(Key::DisconnectHeaders));
        let result = {
            let mut core = self.core.borrow_mut();
            core.disconnect_receipt = Some(core.session.add_receipt(&mut headers));
            core.session.disconnect(headers, now())
        };
        if let Err(e) = result {
            self.debug_with(|| {
                log::concat(&["Ignoring error during disconnect: ", &error::describe(&e)])
            });
        }
        self.pump();
    }

    /// stompjs's `forceDisconnect`: closes (or, with `discardWebsocketOnCommFailure`,
    /// discards) an opening or open socket; the client reconnects if it is active.
    pub(crate) fn force_disconnect(&self) {
        let state = self
            .core
            .borrow()
            .transport
            .as_ref()
            .map(|t| t.socket().ready_state());
        if matches!(state, Some(0 | 1)) {
            let discard = self
                .options
                .borrow()
                .flag(Key::DiscardWebsocketOnCommFailure);
            self.drop_connection(discard);
        }
    }

    /// Ends the connection from this side: the session learns of it now; with `discard` the
    /// socket is let go at once and its `close` is reported now, else it closes normally.
    fn drop_connection(&self, discard: bool) {
        let transport = self.core.borrow().transport.clone();
        if let Some(t) = transport {
            if discard {
                t.discard();
            } else {
                t.close();
            }
        }
        self.core.borrow_mut().session.handle_close(now());
        if discard {
            self.debug("Discarding websocket, the underlying socket may linger for a while");
            self.socket_closed(transport::discarded_close_event());
        }
        self.pump();
    }

    /// Goes `INACTIVE`: stops the clock, ends the wait for every receipt (the session reports
    /// each lost, [`LostReason::ShutDown`]), rejects the connection promises, calls
    /// `onChangeState`. Returns the `deactivate` promises and the self-reference, for the
    /// caller to settle and drop after `onWebSocketClose`.
    fn become_inactive(&self) -> (Vec<Settle>, Option<Rc<Inner>>) {
        let connecting = {
            let mut core = self.core.borrow_mut();
            core.activation = ActivationState::INACTIVE;
            core.next_attempt = None;
            core.connect_deadline = None;
            core.ticker.stop();
            core.session.shut_down();
            core.connect_waiters.take_all()
        };
        self.pump();
        for w in connecting {
            w.reject(&deactivated_error());
        }
        self.call(
            Key::OnChangeState,
            Some(&state_value(ActivationState::INACTIVE)),
        );
        let mut core = self.core.borrow_mut();
        (core.deactivate_waiters.take_all(), core.keep_alive.take())
    }

    // ----- connection attempts ---------------------------------------------------------------

    /// Asks the policy for the next attempt and starts it, now or when its wait is over; gives
    /// up when the policy says so.
    fn plan_attempt(&self) {
        if self.activation() != ActivationState::ACTIVE {
            return;
        }
        let target = self.options.borrow().target();
        let target = match target {
            Ok(t) => t,
            Err(e) => {
                self.give_up(e);
                return;
            }
        };
        let len = match &target {
            Target::Factory(_) => 1,
            Target::Urls(urls) => urls.len(),
        };
        let policy = self.options.borrow().policy();
        let now = now();
        let planned = {
            let mut core = self.core.borrow_mut();
            let first = core.attempts == 0 && core.phase == Phase::Startup;
            let attempt = policy.attempt(core.attempts, len, core.phase, &mut random_u32);
            if let Some(a) = attempt {
                core.attempts += 1;
                if !first {
                    core.next_attempt = Some((now.saturating_add(a.delay_ms), a.index));
                }
            }
            attempt.map(|a| (a, first))
        };
        match planned {
            None => {
                let attempts = self.core.borrow().attempts;
                self.give_up(error::named(
                    "GaveUpError",
                    &log::with_number(
                        "gave up after ",
                        u64::from(attempts),
                        " connection attempts",
                    ),
                ));
            }
            Some((a, true)) => self.begin_connect(a.index),
            Some((a, false)) => {
                self.debug_with(|| {
                    log::with_number("STOMP: scheduling reconnection in ", a.delay_ms, "ms")
                });
                self.rearm();
                self.call(
                    Key::OnReconnectScheduled,
                    Some(&JsValue::from_f64(a.delay_ms as f64)),
                );
            }
        }
    }

    fn give_up(&self, reason: JsValue) {
        self.debug_with(|| {
            log::concat(&[
                "Not connecting any more: ",
                &super::globals::js_string(&reason),
            ])
        });
        let waiters = self.core.borrow_mut().connect_waiters.take_all();
        for w in waiters {
            w.reject(&reason);
        }
        let (deactivating, keep_alive) = self.become_inactive();
        for w in deactivating {
            w.resolve(&JsValue::UNDEFINED);
        }
        drop(keep_alive);
    }

    /// Runs `beforeConnect` (awaiting it when it returns a promise), then opens the socket.
    fn begin_connect(&self, index: usize) {
        let generation = {
            let mut core = self.core.borrow_mut();
            core.generation = core.generation.wrapping_add(1);
            core.generation
        };
        let before = self.options.borrow().callback(Key::BeforeConnect);
        let Some(before) = before else {
            self.open_socket(generation, index);
            return;
        };
        let client = JsValue::from(Client::from_inner(self.rc()));
        let result = invoke(&before, Some(&client)).unwrap_or(JsValue::UNDEFINED);
        let then = Reflect::get(&result, &JsValue::from_str("then")).unwrap_or(JsValue::UNDEFINED);
        if !then.is_function() {
            self.open_socket(generation, index);
            return;
        }
        let weak = self.me.clone();
        let on_done = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            if let Some(inner) = weak.upgrade() {
                inner.open_socket(generation, index);
            }
        })
        .into_js_value();
        let weak = self.me.clone();
        let on_failed = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            if let Some(inner) = weak.upgrade() {
                inner.debug_with(|| {
                    log::concat(&["beforeConnect failed: ", &super::globals::js_string(&e)])
                });
                if inner.core.borrow().generation == generation {
                    inner.plan_attempt();
                }
            }
        })
        .into_js_value();
        if let Err(e) = then
            .unchecked_ref::<Function>()
            .call2(&result, &on_done, &on_failed)
        {
            web_sys::console::error_1(&e);
        }
    }

    /// Opens the socket of attempt `generation` to broker list entry `index`, reading the
    /// options as they are now (`beforeConnect` may have changed them).
    fn open_socket(&self, generation: u32, index: usize) {
        {
            let core = self.core.borrow();
            if core.generation != generation
                || core.activation != ActivationState::ACTIVE
                || core.transport.is_some()
            {
                drop(core);
                self.debug("Client has been marked inactive, will not attempt to connect");
                return;
            }
        }
        let options = self.options.borrow();
        let target = options.target();
        let sending = Sending {
            split: options.flag(Key::SplitLargeFrames),
            chunk: options.ms(Key::MaxWebSocketChunkSize) as usize,
            force_binary: options.flag(Key::ForceBinaryWsFrames),
        };
        let connection_timeout = options.ms(Key::ConnectionTimeout);
        let worker = options.worker_ticker();
        let versions = options.versions();
        drop(options);

        self.debug("Opening Web Socket...");
        let socket = match target {
            Ok(Target::Factory(factory)) => match invoke(&factory, None) {
                Some(s) if s.is_object() => Ok(s.unchecked_into::<WebSocket>()),
                _ => Err(error::type_error(
                    "webSocketFactory did not return a WebSocket",
                )),
            },
            Ok(Target::Urls(urls)) => {
                let url = &urls[index % urls.len()];
                let protocols: Vec<&str> = versions.iter().map(|v| v.subprotocol()).collect();
                transport::open(url, &protocols)
            }
            Err(e) => Err(e),
        };
        let socket = match socket {
            Ok(s) => s,
            Err(e) => {
                self.call(Key::OnWebSocketError, Some(&e));
                self.plan_attempt();
                return;
            }
        };
        let transport = Transport::attach(socket, self.handlers(generation), sending);
        // Read the options with no borrow of the session held: reading an object may run code.
        let mut config = core::mem::take(self.core.borrow_mut().session.config_mut());
        self.options.borrow().apply(&mut config);
        let ticker = {
            let mut core = self.core.borrow_mut();
            *core.session.config_mut() = config;
            core.transport = Some(Rc::new(transport));
            core.comm_failure = false;
            core.connect_deadline =
                (connection_timeout > 0).then(|| now().saturating_add(connection_timeout));
            core.ticker.use_worker(worker)
        };
        if let Err(e) = ticker {
            self.debug_with(|| {
                log::concat(&[
                    "Worker ticker unavailable, using timers: ",
                    &super::globals::js_string(&e),
                ])
            });
        }
        self.rearm();
    }

    /// The handlers of the socket of attempt `generation`.
    fn handlers(&self, generation: u32) -> Handlers {
        let make = |f: fn(&Inner, JsValue)| {
            let weak = self.me.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                if let Some(inner) = weak.upgrade() {
                    let current = {
                        let core = inner.core.borrow();
                        core.generation == generation && core.transport.is_some()
                    };
                    if current {
                        f(&inner, event);
                    }
                }
            })
        };
        Handlers {
            open: make(Inner::on_open),
            message: make(Inner::on_message),
            close: make(Inner::socket_closed),
            error: make(Inner::on_error),
        }
    }

    // ----- socket events ---------------------------------------------------------------------

    fn on_open(&self, _event: JsValue) {
        self.debug("Web Socket Opened...");
        let result = self.core.borrow_mut().session.connect(now());
        if let Err(e) = result {
            self.debug_with(|| error::describe(&e));
        }
        self.pump();
    }

    fn on_message(&self, event: JsValue) {
        let now = now();
        let (raw, append_nul) = {
            let options = self.options.borrow();
            (
                options.flag(Key::LogRawCommunication),
                options.flag(Key::AppendMissingNullOnIncoming),
            )
        };
        let debugging = self.debugging();
        let mut raw_line = None;
        let result = {
            let mut core = self.core.borrow_mut();
            let core = &mut *core;
            match transport::incoming(&event, &mut core.input) {
                Some(bytes) => {
                    if debugging && raw {
                        raw_line = Some(log::incoming_raw(bytes));
                    }
                    let mut result = core.session.handle_bytes(bytes, now);
                    if append_nul && result.is_ok() && bytes.last() != Some(&0) {
                        result = core.session.handle_bytes(b"\0", now);
                    }
                    Some(result)
                }
                None => None,
            }
        };
        if debugging {
            self.debug("Received data");
            if let Some(line) = raw_line {
                self.debug(&line);
            }
        }
        match result {
            Some(Err(e)) => self.protocol_error(&e),
            None => self.debug("Ignored a message that is neither text nor an ArrayBuffer"),
            Some(Ok(())) => {}
        }
        self.pump();
    }

    fn protocol_error(&self, e: &SessionError) {
        self.debug_with(|| log::concat(&["Closing the connection: ", &error::describe(e)]));
        if let SessionError::UnexpectedFrame { command, .. } = e {
            let frame: JsValue = FrameImpl::new(Frame::new(*command)).into();
            self.call(Key::OnUnhandledFrame, Some(&frame));
        }
    }

    fn on_error(&self, event: JsValue) {
        self.call(Key::OnWebSocketError, Some(&event));
    }

    /// The socket closed (or was discarded): the session ends if it had not, `close` is
    /// reported, and the client goes `INACTIVE` or tries again.
    fn socket_closed(&self, event: JsValue) {
        let transport = {
            let mut core = self.core.borrow_mut();
            core.session.handle_close(now());
            core.connect_deadline = None;
            core.transport.take()
        };
        if let Some(t) = &transport {
            let url = t.socket().url();
            self.debug_with(|| log::concat(&["Connection closed to ", &url]));
        }
        drop(transport);
        self.pump();
        let deactivating = self.activation() == ActivationState::DEACTIVATING;
        let finished = deactivating.then(|| self.become_inactive());
        self.call(Key::OnWebSocketClose, Some(&event));
        match finished {
            Some((waiters, keep_alive)) => {
                for w in waiters {
                    w.resolve(&JsValue::UNDEFINED);
                }
                let again = core::mem::take(&mut self.core.borrow_mut().reactivate);
                if again {
                    let _ = self.activate();
                }
                drop(keep_alive);
            }
            None => self.plan_attempt(),
        }
    }

    // ----- the loop --------------------------------------------------------------------------

    /// Writes, delivers events, closes when asked, arms the clock. Inside a callback it only
    /// writes: the outer pump does the rest.
    pub(crate) fn pump(&self) {
        self.flush();
        {
            let mut core = self.core.borrow_mut();
            if core.dispatching {
                return;
            }
            core.dispatching = true;
        }
        loop {
            let event = self.core.borrow_mut().session.poll_event();
            if let Some(event) = event {
                self.dispatch(event);
                self.flush();
                continue;
            }
            if self.core.borrow().session.wants_close() {
                let discard = self.core.borrow().comm_failure
                    && self
                        .options
                        .borrow()
                        .flag(Key::DiscardWebsocketOnCommFailure);
                self.drop_connection(discard);
                continue;
            }
            break;
        }
        self.core.borrow_mut().dispatching = false;
        self.rearm();
    }

    /// Writes what the session queued, one frame at a time, with no borrow held while the
    /// socket runs.
    fn flush(&self) {
        let debugging = self.debugging();
        let raw = debugging && self.options.borrow().flag(Key::LogRawCommunication);
        loop {
            let next = {
                let mut core = self.core.borrow_mut();
                let bytes = core.session.poll_transmit();
                bytes.map(|b| (b, core.transport.clone()))
            };
            let Some((bytes, transport)) = next else {
                break;
            };
            let refused = transport.is_some_and(|t| t.send(&bytes).is_err());
            if debugging {
                if refused {
                    self.debug("WebSocket refused a frame");
                }
                self.debug(&log::outgoing(&bytes, raw));
            }
            self.core.borrow_mut().session.recycle(bytes);
        }
    }

    /// Arms the clock for the earliest deadline.
    fn rearm(&self) {
        let now = now();
        let mut core = self.core.borrow_mut();
        let next = [
            core.session.poll_timeout(),
            core.next_attempt.map(|a| a.0),
            core.connect_deadline,
            core.connect_waiters.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min();
        core.ticker.arm(next, now);
    }

    fn on_tick(&self) {
        let now = now();
        let (connecting, attempt_timed_out, attempt) = {
            let mut core = self.core.borrow_mut();
            core.ticker.fired();
            let timed_out = core.connect_deadline.is_some_and(|d| d <= now);
            if timed_out {
                core.connect_deadline = None;
            }
            let attempt = match core.next_attempt {
                Some((at, index)) if at <= now => {
                    core.next_attempt = None;
                    Some(index)
                }
                _ => None,
            };
            core.session.handle_timeout(now);
            (core.connect_waiters.expired(now), timed_out, attempt)
        };
        for (w, limit_ms) in connecting {
            w.reject(&timeout_error("not connected within ", limit_ms));
        }
        if attempt_timed_out {
            let ms = self.options.borrow().ms(Key::ConnectionTimeout);
            self.debug_with(|| {
                log::with_number("Connection not established in ", ms, "ms, closing socket")
            });
            self.force_disconnect();
        }
        if let Some(index) = attempt {
            self.begin_connect(index);
        }
        self.pump();
    }

    // ----- events ----------------------------------------------------------------------------

    fn dispatch(&self, event: Event) {
        match event {
            Event::Connected(connected) => self.on_connected(connected),
            Event::Message {
                subscription,
                frame,
            } => self.on_stomp_message(subscription, frame),
            Event::Receipt(ReceiptOutcome::Confirmed { id, frame })
            | Event::UnexpectedReceipt { id, frame } => self.on_receipt(&id, frame),
            Event::Receipt(outcome) => self.on_receipt_failed(outcome),
            Event::Error(frame) => self.on_error_frame(frame),
            Event::Heartbeat => {
                self.debug("<<< PONG");
                self.call(Key::OnHeartbeatReceived, None);
            }
            Event::HeartbeatTimeout {
                last_received,
                deadline,
            } => {
                self.core.borrow_mut().comm_failure = true;
                self.debug_with(|| {
                    log::with_number(
                        "did not receive server activity for the last ",
                        deadline.saturating_sub(last_received),
                        "ms",
                    )
                });
                self.call(Key::OnHeartbeatLost, None);
            }
            Event::Disconnected(disconnected) => self.on_disconnected(disconnected),
        }
    }

    fn log_frame(&self, frame: &Frame) {
        if self.debugging() && !self.options.borrow().flag(Key::LogRawCommunication) {
            self.debug(&log::incoming(frame));
        }
    }

    fn on_connected(&self, connected: Connected) {
        self.log_frame(&connected.frame);
        let frame: JsValue = FrameImpl::new(connected.frame).into();
        let waiters = {
            let mut core = self.core.borrow_mut();
            core.connect_deadline = None;
            core.attempts = 0;
            core.phase = Phase::Reconnect;
            core.connected_frame = Some(frame.clone());
            core.connect_waiters.take_all()
        };
        for w in waiters {
            w.resolve(&frame);
        }
        self.call(Key::OnConnect, Some(&frame));
    }

    fn on_stomp_message(&self, subscription: Option<String>, frame: Frame) {
        self.log_frame(&frame);
        let (callback, version) = {
            let core = self.core.borrow();
            (
                subscription.as_ref().and_then(|id| {
                    core.subscriptions
                        .iter()
                        .find(|(k, _)| k == id)
                        .map(|(_, f)| f.clone())
                }),
                core.session.version(),
            )
        };
        let message: JsValue = FrameImpl::message(frame, subscription, version, self.rc()).into();
        match callback {
            Some(f) => {
                invoke(&f, Some(&message));
            }
            None => {
                self.call(Key::OnUnhandledMessage, Some(&message));
            }
        }
    }

    fn on_receipt(&self, id: &str, frame: Frame) {
        self.log_frame(&frame);
        let (disconnect, pending, watcher) = {
            let mut core = self.core.borrow_mut();
            let disconnect = core.disconnect_receipt.as_deref() == Some(id);
            if disconnect {
                core.disconnect_receipt = None;
            }
            (
                disconnect,
                core.receipts.take(id),
                core.receipts.take_watcher(id),
            )
        };
        let frame: JsValue = FrameImpl::new(frame).into();
        if disconnect {
            self.call(Key::OnDisconnect, Some(&frame));
            return;
        }
        let handled = pending.is_some() || watcher.is_some();
        if let Some(p) = pending {
            match p.resolves {
                Resolves::Frame => p.settle.resolve(&frame),
                Resolves::Subscription(sub) => p
                    .settle
                    .resolve(&StompSubscription::new(self.rc(), sub).into()),
            }
        }
        if let Some(w) = watcher {
            invoke(&w, Some(&frame));
        }
        if !handled {
            self.call(Key::OnUnhandledReceipt, Some(&frame));
        }
    }

    /// A receipt that will not come (timed out, or lost): its promise is rejected.
    fn on_receipt_failed(&self, outcome: ReceiptOutcome) {
        if !outcome.is_final() {
            return; // Sent again: still pending.
        }
        let Some(p) = self.core.borrow_mut().receipts.take(outcome.id()) else {
            return;
        };
        let error = match outcome {
            ReceiptOutcome::Lost { reason, id } => match reason {
                LostReason::Error(frame) => stomp_error(frame),
                LostReason::ShutDown => deactivated_error(),
                LostReason::Unencodable(e) => error::session(&SessionError::Encode(e)),
                _ => closed_error(&id),
            },
            other => timeout_error(
                &log::concat(&["no RECEIPT for ", other.id(), " within "]),
                p.limit_ms,
            ),
        };
        p.settle.reject(&error);
    }

    fn on_error_frame(&self, frame: Frame) {
        self.log_frame(&frame);
        let frame: JsValue = FrameImpl::new(frame).into();
        self.call(Key::OnStompError, Some(&frame));
    }

    fn on_disconnected(&self, disconnected: Disconnected) {
        let refused = {
            let mut core = self.core.borrow_mut();
            let core = &mut *core;
            core.connected_frame = None;
            core.disconnect_receipt = None;
            let session = &core.session;
            core.subscriptions
                .retain(|(id, _)| session.subscription(id).is_some());
            core.receipts.clear_watchers();
            match disconnected.reason {
                CloseReason::ConnectRefused(frame) => {
                    Some((frame, core.connect_waiters.take_all()))
                }
                _ => None,
            }
        };
        // A refusal rejects what waits for the connection with the ERROR.
        if let Some((frame, waiters)) = refused {
            let error = stomp_error(frame);
            for w in waiters {
                w.reject(&error);
            }
        }
    }

    // ----- user calls ------------------------------------------------------------------------

    /// stompjs's `publish`; with `receipt_limit`, also waits for the receipt (a `receipt`
    /// header is added unless the headers have one).
    pub(crate) fn publish(
        &self,
        params: &JsValue,
        receipt_limit: Option<u64>,
    ) -> Result<Option<Promise>, JsValue> {
        self.check_connected()?;
        let get = |name: &str| {
            Reflect::get(params, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
        };
        let Some(destination) = get("destination").as_string() else {
            return Err(error::type_error("publish needs a destination"));
        };
        let mut headers = Headers::new();
        headers.push("destination", &destination);
        headers::extend(&mut headers, &get("headers"), &["destination"]);
        let (body, content_length) = match get("binaryBody").dyn_into::<Uint8Array>() {
            // stompjs always writes content-length for a binary body.
            Ok(bytes) => (bytes.to_vec(), ContentLength::Auto),
            Err(_) => {
                let body = get("body");
                let text = if body.is_undefined() || body.is_null() {
                    String::new()
                } else {
                    body.as_string()
                        .unwrap_or_else(|| super::globals::js_string(&body))
                };
                let skip = get("skipContentLengthHeader").is_truthy();
                let cl = if skip {
                    ContentLength::Skip
                } else {
                    ContentLength::Auto
                };
                (text.into_bytes(), cl)
            }
        };
        let promise = {
            let mut core = self.core.borrow_mut();
            let receipt = receipt_limit.map(|_| core.session.add_receipt(&mut headers));
            let frame = Frame::from_parts(Command::Send, headers, body);
            let now = now();
            core.session
                .send_frame(frame, content_length, now)
                .map_err(|e| error::session(&e))?;
            receipt
                .zip(receipt_limit)
                .map(|(id, limit)| core.wait_for_receipt(id, Resolves::Frame, now, limit))
        };
        self.pump();
        Ok(promise)
    }

    /// stompjs's `subscribe`; with `receipt_limit`, also a promise of the handle, fulfilled
    /// when the SUBSCRIBE's receipt comes.
    pub(crate) fn subscribe(
        &self,
        destination: &str,
        callback: Function,
        headers: &JsValue,
        receipt_limit: Option<u64>,
    ) -> Result<(StompSubscription, Option<Promise>), JsValue> {
        self.check_connected()?;
        let mut headers = headers::from_js(headers);
        let ack = match headers.get("ack") {
            None => AckMode::Auto,
            Some(mode) => AckMode::parse(mode).ok_or_else(|| {
                error::type_error("ack must be auto, client or client-individual")
            })?,
        };
        let (id, promise) = {
            let mut core = self.core.borrow_mut();
            let receipt = receipt_limit.map(|_| core.session.add_receipt(&mut headers));
            let now = now();
            let id = core
                .session
                .subscribe(destination, ack, headers, now)
                .map_err(|e| error::session(&e))?;
            core.subscriptions.retain(|(k, _)| *k != id);
            core.subscriptions.push((id.clone(), callback));
            let promise = receipt.zip(receipt_limit).map(|(r, limit)| {
                core.wait_for_receipt(r, Resolves::Subscription(id.clone()), now, limit)
            });
            (id, promise)
        };
        self.pump();
        Ok((StompSubscription::new(self.rc(), id), promise))
    }

    /// stompjs's `unsubscribe`. An id the session no longer knows (its connection is gone) is
    /// forgotten silently, as stompjs does.
    pub(crate) fn unsubscribe(&self, id: &str, headers: Headers) -> Result<(), JsValue> {
        self.check_connected()?;
        let result = {
            let mut core = self.core.borrow_mut();
            core.subscriptions.retain(|(k, _)| k != id);
            core.session.unsubscribe(id, headers, now())
        };
        match result {
            Ok(()) | Err(SessionError::UnknownSubscription(_)) => {}
            Err(e) => return Err(error::session(&e)),
        }
        self.pump();
        Ok(())
    }

    /// stompjs's `begin`.
    pub(crate) fn begin(&self, id: Option<String>) -> Result<Transaction, JsValue> {
        self.check_connected()?;
        let id = self
            .core
            .borrow_mut()
            .session
            .begin(id.as_deref(), Headers::new(), now())
            .map_err(|e| error::session(&e))?;
        self.pump();
        Ok(Transaction::new(self.rc(), id))
    }

    /// stompjs's `commit` and `abort`.
    pub(crate) fn end_transaction(&self, command: Command, id: &str) -> Result<(), JsValue> {
        self.check_connected()?;
        let result = {
            let mut core = self.core.borrow_mut();
            let now = now();
            if command == Command::Commit {
                core.session.commit(id, Headers::new(), now)
            } else {
                core.session.abort(id, Headers::new(), now)
            }
        };
        result.map_err(|e| error::session(&e))?;
        self.pump();
        Ok(())
    }

    /// ACK or NACK of message `id` (the `ack` header in 1.2, `message-id` before) of
    /// `subscription`.
    pub(crate) fn acknowledge(
        &self,
        command: Command,
        id: &str,
        subscription: Option<&str>,
        headers: Headers,
    ) -> Result<(), JsValue> {
        self.check_connected()?;
        let result = {
            let mut core = self.core.borrow_mut();
            let now = now();
            if command == Command::Ack {
                core.session.ack_id(id, subscription, headers, now)
            } else {
                core.session.nack_id(id, subscription, headers, now)
            }
        };
        result.map_err(|e| error::session(&e))?;
        self.pump();
        Ok(())
    }

    /// stompjs's `watchForReceipt`.
    pub(crate) fn watch_for_receipt(&self, id: String, callback: Function) -> Result<(), JsValue> {
        self.check_connected()?;
        self.core.borrow_mut().receipts.watch(id, callback);
        Ok(())
    }

    /// A promise for receipt `id`, within `limit_ms` (0: no limit).
    pub(crate) fn wait_for_receipt(&self, id: String, limit_ms: u64) -> Promise {
        let promise = self
            .core
            .borrow_mut()
            .wait_for_receipt(id, Resolves::Frame, now(), limit_ms);
        self.rearm();
        promise
    }

    /// A promise of the CONNECTED frame: now if connected, else at the next connection,
    /// within `limit_ms` (0: no limit).
    pub(crate) fn when_connected(&self, limit_ms: u64) -> Promise {
        let promise = {
            let mut core = self.core.borrow_mut();
            match (&core.connected_frame, core.session.is_connected()) {
                (Some(frame), true) => return Promise::resolve(frame),
                _ => core.connect_waiters.wait(now(), limit_ms),
            }
        };
        self.rearm();
        promise
    }

    /// The default time limit of the promise forms (`receiptTimeout`).
    pub(crate) fn receipt_timeout(&self) -> u64 {
        self.options.borrow().ms(Key::ReceiptTimeout)
    }
}

impl Core {
    /// A promise for receipt `id`, within `limit_ms` (0: no limit of its own): the session
    /// waits for the receipt (whether or not a frame asked for it yet) and keeps the deadline,
    /// across reconnects.
    fn wait_for_receipt(
        &mut self,
        id: String,
        resolves: Resolves,
        now: u64,
        limit_ms: u64,
    ) -> Promise {
        let deadline = (limit_ms > 0).then(|| now.saturating_add(limit_ms));
        self.session.expect_receipt(&id, deadline);
        self.receipts.wait(id, resolves, limit_ms)
    }
}

/// A `StompError` for an ERROR frame.
fn stomp_error(frame: Frame) -> JsValue {
    let message = frame.message().map(String::from);
    error::stomp_error(message.as_deref(), &FrameImpl::new(frame).into())
}

fn deactivated_error() -> JsValue {
    error::named("DeactivatedError", "the client is inactive")
}

fn closed_error(id: &str) -> JsValue {
    error::named(
        "ConnectionClosedError",
        &log::concat(&["the connection closed before the RECEIPT for ", id, " came"]),
    )
}
