//! Session events to JavaScript: each [`Event`] becomes the callback stompjs calls for it
//! (`onConnect`, a subscription's callback, `onStompError`…) and settles the promises waiting
//! for it (the connection, a receipt).

use alloc::string::String;

use wasm_bindgen::JsValue;

use super::super::{error, log};
use super::engine::{Inner, invoke};
use super::message::FrameImpl;
use super::options::Key;
use super::receipts::Resolves;
use super::subscription::StompSubscription;
use crate::frame::Frame;
use crate::session::{
    CloseReason, Connected, Disconnected, Event, LostReason, ReceiptOutcome, SessionError, SharedId,
};

/// A `StompError` for an ERROR frame.
fn stomp_error(frame: Frame) -> JsValue {
    let message = frame.message().map(String::from);
    error::stomp_error(message.as_deref(), &FrameImpl::new(frame).into())
}

impl Inner {
    /// Hands `event` to the callbacks and promises it concerns.
    pub(super) fn dispatch(&self, event: Event) {
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
            core.connected_frame = Some(frame.clone());
            core.connect_waiters.take_all()
        };
        for w in waiters {
            w.resolve(&frame);
        }
        self.call(Key::OnConnect, Some(&frame));
    }

    fn on_stomp_message(&self, subscription: Option<SharedId>, frame: Frame) {
        self.log_frame(&frame);
        let (callback, version, connection) = {
            let core = self.core.borrow();
            (
                subscription.as_ref().and_then(|id| {
                    core.subscriptions
                        .iter()
                        .find(|(k, _)| *k == **id)
                        .map(|(_, f)| f.clone())
                }),
                core.link.session.version(),
                core.link.session.connection(),
            )
        };
        let message: JsValue = FrameImpl::message(frame, version, connection, self.rc()).into();
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
        if disconnect {
            // DISCONNECT's: `onDisconnect` gets it when the session ends (on_disconnected).
            return;
        }
        let frame: JsValue = FrameImpl::new(frame).into();
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
                LostReason::ShutDown => error::deactivated(),
                LostReason::Unencodable(e) => error::session(&SessionError::Encode(e)),
                _ => error::closed(&id),
            },
            other => error::timeout(
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
        let Disconnected {
            reason, receipt, ..
        } = disconnected;
        let refused = {
            let mut core = self.core.borrow_mut();
            let core = &mut *core;
            core.connected_frame = None;
            core.disconnect_receipt = None;
            let session = &core.link.session;
            core.subscriptions
                .retain(|(id, _)| session.subscription(id).is_some());
            core.receipts.clear_watchers();
            match reason {
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
        // The broker confirmed DISCONNECT: stompjs hands its RECEIPT to `onDisconnect`.
        if let Some(frame) = receipt {
            self.call(Key::OnDisconnect, Some(&FrameImpl::new(frame).into()));
        }
    }
}
