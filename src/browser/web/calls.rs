//! The user's STOMP calls — publish, subscribe, unsubscribe, transactions, ACK/NACK — and the
//! promise forms that wait for a receipt or for the connection. The arguments arrive read
//! (`params.rs`, `headers.rs`); each call goes to the session, then the pump writes.

use alloc::string::String;

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;

use super::super::error;
use super::engine::{Core, Inner};
use super::globals::now;
use super::options::Key;
use super::params;
use super::receipts::Resolves;
use super::subscription::StompSubscription;
use super::transaction::Transaction;
use crate::frame::{Command, Frame, Headers};
use crate::session::{Session, SessionError};

impl Inner {
    /// stompjs's `publish`; with `receipt_limit`, also waits for the receipt (a `receipt`
    /// header is added unless the headers have one).
    pub(crate) fn publish(
        &self,
        params: &JsValue,
        receipt_limit: Option<u64>,
    ) -> Result<Option<Promise>, JsValue> {
        self.check_connected()?;
        let params::Outgoing {
            mut headers,
            body,
            content_length,
        } = params::outgoing(params)?;
        let promise = {
            let mut core = self.core.borrow_mut();
            let receipt = receipt_limit.map(|_| core.link.session.add_receipt(&mut headers));
            let frame = Frame::from_parts(Command::Send, headers, body);
            let now = now();
            core.link
                .session
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
        let (mut headers, ack) = params::subscription(headers)?;
        let (id, promise) = {
            let mut core = self.core.borrow_mut();
            let receipt = receipt_limit.map(|_| core.link.session.add_receipt(&mut headers));
            let now = now();
            let id = core
                .link
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
            core.link.session.unsubscribe(id, headers, now())
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
            .link
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
            let session = &mut core.link.session;
            if command == Command::Commit {
                session.commit(id, Headers::new(), now)
            } else {
                session.abort(id, Headers::new(), now)
            }
        };
        result.map_err(|e| error::session(&e))?;
        self.pump();
        Ok(())
    }

    /// Runs `f` on the session while connected, and writes what it queued.
    fn acknowledging(
        &self,
        f: impl FnOnce(&mut Session, u64) -> Result<(), SessionError>,
    ) -> Result<Result<(), SessionError>, JsValue> {
        self.check_connected()?;
        let result = {
            let mut core = self.core.borrow_mut();
            f(&mut core.link.session, now())
        };
        if result.is_ok() {
            self.pump();
        }
        Ok(result)
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
        self.acknowledging(|session, now| {
            if command == Command::Ack {
                session.ack_id(id, subscription, headers, now)
            } else {
                session.nack_id(id, subscription, headers, now)
            }
        })?
        .map_err(|e| error::session(&e))
    }

    /// ACK or NACK of `message` (whose acknowledgement id is `id`), which came on
    /// `connection`: one of an earlier connection is refused with a `StaleMessageError`, and
    /// nothing is sent (the session's rule).
    pub(crate) fn acknowledge_message(
        &self,
        command: Command,
        message: &Frame,
        id: &str,
        connection: u64,
        headers: Headers,
    ) -> Result<(), JsValue> {
        let result = self.acknowledging(|session, now| {
            if command == Command::Ack {
                session.ack_from(message, connection, headers, now)
            } else {
                session.nack_from(message, connection, headers, now)
            }
        })?;
        match result {
            Err(SessionError::StaleMessage) => Err(error::named(
                "StaleMessageError",
                &format!(
                    "MESSAGE {id}: {}",
                    error::describe(&SessionError::StaleMessage)
                ),
            )),
            other => other.map_err(|e| error::session(&e)),
        }
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
            match (&core.connected_frame, core.link.session.is_connected()) {
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
        self.link.session.expect_receipt(&id, deadline);
        self.receipts.wait(id, resolves, limit_ms)
    }
}
