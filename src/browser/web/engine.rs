//! The engine behind a `Client`: the [`Lifecycle`] (session and supervisor, in Rust types)
//! with what JavaScript adds to it — the socket, the clock, the options, the callbacks and the
//! promises — and the loop that moves bytes, events and steps between them.
//!
//! Every way in — a socket event, a clock tick, a user call — ends in [`Inner::pump`]: write
//! what the session queued, carry out the lifecycle's steps one at a time (an event handed to
//! the user's callbacks with no borrow held, so a callback may call back in; a socket to open
//! or close; a reconnect scheduled; giving up), and arm the clock for the earliest deadline. A
//! pump started inside a callback only writes; the pump that called the callback carries out
//! the rest, in order.
//!
//! The other ways in live beside this file, one idea each: `activation.rs` (activate,
//! deactivate, giving up), `connecting.rs` (one attempt: `beforeConnect`, the socket and its
//! events), `dispatch.rs` (session events to callbacks and promises), `calls.rs` (the user's
//! STOMP calls).

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use web_sys::WebSocket;

use super::super::lifecycle::{CloseCause, Lifecycle, Step};
use super::super::settings::Reconnect;
use super::super::{error, log};
use super::enums::ActivationState;
use super::globals::{now, random_u32};
use super::options::{self, Key, Options};
use super::receipts::Receipts;
use super::ticker::Ticker;
use super::transport::Transport;
use super::waiters::Waiters;
use crate::reconnect::{Random, earliest};

/// The shared state of one client, behind an `Rc`.
pub(crate) struct Inner {
    pub(super) me: Weak<Inner>,
    pub(super) options: RefCell<Options>,
    pub(super) core: RefCell<Core>,
}

/// Everything but the options.
pub(crate) struct Core {
    /// The session and the supervisor.
    pub(super) link: Lifecycle<PageRandom>,
    /// The reconnect settings at `activate()`.
    pub(super) activated: Reconnect,
    pub(super) activation: ActivationState,
    /// Shared with the code that writes, so that no borrow is held while the socket runs.
    pub(super) transport: Option<Rc<Transport>>,
    /// Counts connection attempts; the handlers of a socket, and a `beforeConnect` promise,
    /// act only while theirs is the current one.
    pub(super) generation: u32,
    pub(super) ticker: Ticker,
    /// Message callbacks by subscription id (a list: pages have a handful).
    pub(super) subscriptions: Vec<(String, Function)>,
    pub(super) receipts: Receipts,
    pub(super) connect_waiters: Waiters,
    pub(super) deactivate_waiters: Waiters,
    /// The receipt id of the DISCONNECT sent by `deactivate`: its RECEIPT goes to
    /// `onDisconnect`.
    pub(super) disconnect_receipt: Option<String>,
    /// Holds the client alive while it is active, whoever else lets go of it.
    pub(super) keep_alive: Option<Rc<Inner>>,
    /// A pump is delivering events.
    pub(super) dispatching: bool,
    /// `activate()` was called while deactivating.
    pub(super) reactivate: bool,
    /// The CONNECTED frame of the open session.
    pub(super) connected_frame: Option<JsValue>,
    /// Input bytes, reused from message to message.
    pub(super) input: Vec<u8>,
}

/// The page's randomness (`Math.random()`), for the supervisor's jitter.
pub(crate) struct PageRandom;

impl Random for PageRandom {
    fn next_u32(&mut self) -> u32 {
        random_u32()
    }
}

/// Calls `f` with `arg` (or none); an exception is reported with `console.error` and
/// swallowed, so that one callback cannot stop the client.
pub(super) fn invoke(f: &Function, arg: Option<&JsValue>) -> Option<JsValue> {
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
                    link: Lifecycle::new(),
                    activated: Reconnect::default(),
                    activation: ActivationState::INACTIVE,
                    transport: None,
                    generation: 0,
                    ticker: Ticker::new(tick),
                    subscriptions: Vec::new(),
                    receipts: Receipts::default(),
                    connect_waiters: Waiters::default(),
                    deactivate_waiters: Waiters::default(),
                    disconnect_receipt: None,
                    keep_alive: None,
                    dispatching: false,
                    reactivate: false,
                    connected_frame: None,
                    input: Vec::new(),
                }),
            }
        })
    }

    pub(super) fn rc(&self) -> Rc<Inner> {
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
        // Read first: a getter on `conf` may touch this client.
        let values = options::read_all(conf)?;
        let mut options = self.options.borrow_mut();
        for (key, value) in values {
            options.set(key, value)?;
        }
        Ok(())
    }

    pub(super) fn call(&self, key: Key, arg: Option<&JsValue>) -> Option<JsValue> {
        let f = self.options.borrow().callback(key)?;
        invoke(&f, arg)
    }

    pub(super) fn debugging(&self) -> bool {
        self.options.borrow().callback(Key::Debug).is_some()
    }

    pub(super) fn debug(&self, line: &str) {
        let f = self.options.borrow().callback(Key::Debug);
        if let Some(f) = f {
            invoke(&f, Some(&JsValue::from_str(line)));
        }
    }

    pub(super) fn debug_with(&self, line: impl FnOnce() -> String) {
        if self.debugging() {
            self.debug(&line());
        }
    }

    // ----- state -----------------------------------------------------------------------------

    /// Whether the STOMP session is open.
    pub(crate) fn connected(&self) -> bool {
        self.core.borrow().link.session.is_connected()
    }

    /// The negotiated version while connected.
    pub(crate) fn connected_version(&self) -> Option<String> {
        let core = self.core.borrow();
        let session = &core.link.session;
        session
            .is_connected()
            .then(|| String::from(session.version().as_str()))
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

    pub(super) fn check_connected(&self) -> Result<(), JsValue> {
        if self.connected() {
            Ok(())
        } else {
            Err(error::no_connection())
        }
    }

    // ----- the loop --------------------------------------------------------------------------

    /// Writes, carries out the lifecycle's steps, arms the clock. Inside a callback it only
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
            let step = self.core.borrow_mut().link.poll(now());
            let Some(step) = step else {
                break;
            };
            match step {
                Step::Event(event) => self.dispatch(event),
                Step::Open { target } => self.begin_connect(target),
                Step::Close {
                    cause,
                    comm_failure,
                } => self.close_for(cause, comm_failure),
                Step::Scheduled { delay_ms } => {
                    self.debug_with(|| {
                        log::with_number("STOMP: scheduling reconnection in ", delay_ms, "ms")
                    });
                    self.call(
                        Key::OnReconnectScheduled,
                        Some(&JsValue::from_f64(delay_ms as f64)),
                    );
                }
                Step::GaveUp { attempts } => self.give_up(error::gave_up(attempts)),
            }
            self.flush();
        }
        self.core.borrow_mut().dispatching = false;
        self.rearm();
    }

    /// Closes the socket because the session is over, or because the attempt took too long.
    fn close_for(&self, cause: CloseCause, comm_failure: bool) {
        let discard = self
            .options
            .borrow()
            .flag(Key::DiscardWebsocketOnCommFailure);
        match cause {
            CloseCause::Session => self.drop_connection(comm_failure && discard),
            CloseCause::Timeout => {
                self.debug("Connection not established in time, closing socket");
                let state = self
                    .core
                    .borrow()
                    .transport
                    .as_ref()
                    .map(|t| t.socket().ready_state());
                match state {
                    Some(0 | 1) => self.drop_connection(discard),
                    // Closing already: its `close` event ends the attempt.
                    Some(_) => {}
                    // Still in `beforeConnect`: that attempt is over.
                    None => {
                        let mut core = self.core.borrow_mut();
                        core.generation = core.generation.wrapping_add(1);
                        core.link.transport_closed();
                    }
                }
            }
        }
    }

    /// Writes what the session queued, one frame at a time, with no borrow held while the
    /// socket runs.
    fn flush(&self) {
        let debugging = self.debugging();
        let raw = debugging && self.options.borrow().flag(Key::LogRawCommunication);
        loop {
            let next = {
                let mut core = self.core.borrow_mut();
                let bytes = core.link.session.poll_transmit();
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
            self.core.borrow_mut().link.session.recycle(bytes);
        }
    }

    /// Arms the clock for the earliest deadline: the lifecycle's, or a connection promise's.
    pub(super) fn rearm(&self) {
        let now = now();
        let mut core = self.core.borrow_mut();
        let next = earliest(core.link.deadline(), core.connect_waiters.next_deadline());
        core.ticker.arm(next, now);
    }

    fn on_tick(&self) {
        let now = now();
        let connecting = {
            let mut core = self.core.borrow_mut();
            core.ticker.fired();
            core.link.tick(now);
            core.connect_waiters.expired(now)
        };
        for (w, limit_ms) in connecting {
            w.reject(&error::timeout("not connected within ", limit_ms));
        }
        self.pump();
    }
}
