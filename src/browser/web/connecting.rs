//! One connection attempt, as the lifecycle asks for it: `beforeConnect` (awaited when it
//! returns a promise), the socket to the broker list entry, and the socket's events —
//! `open` starts the session, `message` feeds it, `close` ends it and tells the supervisor.

use alloc::rc::Rc;
use alloc::vec::Vec;

use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::WebSocket;

use super::super::settings::Reconnect;
use super::super::{error, log};
use super::client::Client;
use super::engine::{Inner, invoke};
use super::enums::ActivationState;
use super::globals::{js_string, now};
use super::message::FrameImpl;
use super::options::{Key, Target};
use super::transport::{self, Handlers, Sending, Transport};
use crate::frame::Frame;
use crate::session::SessionError;

impl Inner {
    /// Runs `beforeConnect` (awaiting it when it returns a promise), then opens the socket.
    /// The reconnect settings are read before `beforeConnect`, as stompjs reads them when its
    /// reconnect timer fires.
    pub(super) fn begin_connect(&self, index: usize) {
        let generation = {
            let mut core = self.core.borrow_mut();
            core.generation = core.generation.wrapping_add(1);
            core.generation
        };
        let (before, reconnect) = {
            let options = self.options.borrow();
            (
                options.callback(Key::BeforeConnect),
                options.reconnect(None),
            )
        };
        let Some(before) = before else {
            self.open_socket(generation, index, reconnect);
            return;
        };
        let client = JsValue::from(Client::from_inner(self.rc()));
        let result = invoke(&before, Some(&client)).unwrap_or(JsValue::UNDEFINED);
        let then = Reflect::get(&result, &JsValue::from_str("then")).unwrap_or(JsValue::UNDEFINED);
        if !then.is_function() {
            self.open_socket(generation, index, reconnect);
            return;
        }
        let weak = self.me.clone();
        let on_done = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            if let Some(inner) = weak.upgrade() {
                inner.open_socket(generation, index, reconnect);
            }
        })
        .into_js_value();
        let weak = self.me.clone();
        let on_failed = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            if let Some(inner) = weak.upgrade() {
                inner.debug_with(|| log::concat(&["beforeConnect failed: ", &js_string(&e)]));
                if inner.core.borrow().generation == generation {
                    inner.core.borrow_mut().link.socket_failed(now());
                    inner.pump();
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
    /// options as they are now (`beforeConnect` may have changed them), and the reconnect
    /// settings `reconnect` read before `beforeConnect`.
    fn open_socket(&self, generation: u32, index: usize, reconnect: Reconnect) {
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
        {
            // `beforeConnect` is over: the attempt's time (`connectionTimeout`, as it is now)
            // starts now.
            let current = options.reconnect(None);
            let reconnect = Reconnect {
                connection_timeout_ms: current.connection_timeout_ms,
                connected_timeout_ms: current.connected_timeout_ms,
                ..reconnect
            };
            let mut core = self.core.borrow_mut();
            let plan = reconnect.while_active(&core.activated).plan();
            core.link.opening(now(), plan);
        }
        let sending = Sending {
            split: options.flag(Key::SplitLargeFrames),
            chunk: options.ms(Key::MaxWebSocketChunkSize) as usize,
            force_binary: options.flag(Key::ForceBinaryWsFrames),
            batch: options.flag(Key::BatchFrames),
        };
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
                self.core.borrow_mut().link.socket_failed(now());
                self.pump();
                return;
            }
        };
        let transport = Transport::attach(socket, self.handlers(generation), sending);
        // Read the options with no borrow of the session held: reading an object may run code.
        let mut config = core::mem::take(self.core.borrow_mut().link.session.config_mut());
        self.options.borrow().apply(&mut config);
        let ticker = {
            let mut core = self.core.borrow_mut();
            *core.link.session.config_mut() = config;
            core.transport = Some(Rc::new(transport));
            core.ticker.use_worker(worker)
        };
        if let Err(e) = ticker {
            self.debug_with(|| {
                log::concat(&["Worker ticker unavailable, using timers: ", &js_string(&e)])
            });
        }
        self.pump();
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
        let result = self.core.borrow_mut().link.socket_opened(now());
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
                    Some(core.link.socket_message(bytes, now, append_nul))
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
    /// reported, and the client goes `INACTIVE` or the supervisor plans the next attempt.
    pub(super) fn socket_closed(&self, event: JsValue) {
        let transport = {
            let mut core = self.core.borrow_mut();
            core.link.socket_closed(now());
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
            None => {
                self.core.borrow_mut().link.transport_closed();
                self.pump();
            }
        }
    }
}
