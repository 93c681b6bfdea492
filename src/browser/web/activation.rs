//! Activation: stompjs's `activate`, `deactivate` and `forceDisconnect`, ending a connection
//! from this side, going `INACTIVE`, and giving up when the supervisor says so.

use alloc::rc::Rc;
use alloc::vec::Vec;

use js_sys::Promise;
use wasm_bindgen::JsValue;

use super::super::{error, log};
use super::engine::{Inner, PageRandom};
use super::enums::{ActivationState, StompSocketState};
use super::globals::{js_string, now};
use super::options::Key;
use super::waiters::Settle;
use super::{headers, transport};

fn state_value(state: ActivationState) -> JsValue {
    JsValue::from_f64(state as u32 as f64)
}

impl Inner {
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
        let reconnect = {
            let options = self.options.borrow();
            options.reconnect(Some(&options.target()?))
        };
        let plan = reconnect.plan();
        {
            let mut core = self.core.borrow_mut();
            core.activated = reconnect;
            core.activation = ActivationState::ACTIVE;
            core.keep_alive = self.me.upgrade();
        }
        self.call(
            Key::OnChangeState,
            Some(&state_value(ActivationState::ACTIVE)),
        );
        if self.activation() == ActivationState::ACTIVE {
            self.core.borrow_mut().link.start(now(), plan, PageRandom);
        }
        self.pump();
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
            core.link.stop();
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
            let core = &mut *core;
            core.disconnect_receipt = Some(core.link.session.add_receipt(&mut headers));
            core.link.session.disconnect(headers, now())
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
    pub(super) fn drop_connection(&self, discard: bool) {
        let transport = self.core.borrow().transport.clone();
        if let Some(t) = transport {
            if discard {
                t.discard();
            } else {
                t.close();
            }
        }
        self.core.borrow_mut().link.closing(now());
        if discard {
            self.debug("Discarding websocket, the underlying socket may linger for a while");
            self.socket_closed(transport::discarded_close_event());
        }
        self.pump();
    }

    /// Goes `INACTIVE`: stops the clock, ends the wait for every receipt (the session reports
    /// each lost, `LostReason::ShutDown`), rejects the connection promises, calls
    /// `onChangeState`. Returns the `deactivate` promises and the self-reference, for the
    /// caller to settle and drop after `onWebSocketClose`.
    pub(super) fn become_inactive(&self) -> (Vec<Settle>, Option<Rc<Inner>>) {
        let connecting = {
            let mut core = self.core.borrow_mut();
            core.activation = ActivationState::INACTIVE;
            core.link.stop();
            core.ticker.stop();
            core.link.session.shut_down();
            core.connect_waiters.take_all()
        };
        self.pump();
        for w in connecting {
            w.reject(&error::deactivated());
        }
        self.call(
            Key::OnChangeState,
            Some(&state_value(ActivationState::INACTIVE)),
        );
        let mut core = self.core.borrow_mut();
        (core.deactivate_waiters.take_all(), core.keep_alive.take())
    }

    /// No more attempts: what waits for the connection is rejected with `reason`, and the
    /// client goes `INACTIVE`.
    pub(super) fn give_up(&self, reason: JsValue) {
        self.debug_with(|| log::concat(&["Not connecting any more: ", &js_string(&reason)]));
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
}
