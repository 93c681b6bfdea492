//! What waits for the broker: promises for a receipt, for the connection and for
//! deactivation, each with an optional time limit, and stompjs's `watchForReceipt` callbacks.
//!
//! Time limits are deadlines on the client's clock, kept here rather than in the session, so
//! they hold across a reconnect (a SEND sent again with `resendUnreceipted` keeps its limit).

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;

/// A new promise and the functions that settle it.
pub(crate) fn promise() -> (Promise, Function, Function) {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    // The executor runs before `Promise::new` returns.
    let (resolve, reject) = settle.unwrap_or_else(|| (Function::default(), Function::default()));
    (promise, resolve, reject)
}

/// What a receipt's promise resolves with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolves {
    /// The RECEIPT frame.
    Frame,
    /// A `StompSubscription` for this subscription id.
    Subscription(String),
}

/// The functions that settle one promise, and its deadline.
pub(crate) struct Settle {
    /// Fulfils the promise.
    pub(crate) resolve: Function,
    /// Rejects the promise.
    pub(crate) reject: Function,
    /// When it times out, if ever.
    pub(crate) deadline: Option<u64>,
    /// The time limit as given, for the error message.
    pub(crate) limit_ms: u64,
}

impl Settle {
    /// Fulfils the promise with `value`.
    pub(crate) fn resolve(&self, value: &JsValue) {
        let _ = self.resolve.call1(&JsValue::UNDEFINED, value);
    }

    /// Rejects the promise with `error`.
    pub(crate) fn reject(&self, error: &JsValue) {
        let _ = self.reject.call1(&JsValue::UNDEFINED, error);
    }
}

/// A promise waiting for a receipt.
pub(crate) struct Pending {
    /// How to settle it.
    pub(crate) settle: Settle,
    /// What it resolves with.
    pub(crate) resolves: Resolves,
}

/// Receipts being waited for, by receipt id.
///
/// Lists searched in order rather than maps: a page waits for a handful of receipts at a time,
/// and every map type would add its own copy of the tree code to the download.
#[derive(Default)]
pub(crate) struct Receipts {
    pending: Vec<(String, Pending)>,
    /// Receipts unconfirmed when the last connection dropped that may still come, because
    /// their SEND is sent again on the next connection.
    orphaned: Vec<String>,
    /// `watchForReceipt` callbacks.
    watchers: Vec<(String, Function)>,
}

/// The entry of `list` for `id`, taken out.
fn take<T>(list: &mut Vec<(String, T)>, id: &str) -> Option<T> {
    let at = list.iter().position(|(k, _)| k == id)?;
    Some(list.swap_remove(at).1)
}

impl Receipts {
    /// A promise for receipt `id`, settled by [`Receipts::take`] or [`Receipts::expired`].
    pub(crate) fn wait(
        &mut self,
        id: String,
        resolves: Resolves,
        now: u64,
        limit_ms: u64,
    ) -> Promise {
        let (promise, resolve, reject) = promise();
        if let Some(old) = take(&mut self.pending, &id) {
            old.settle.reject(&super::error::plain(
                "another promise now waits for this receipt id",
            ));
        }
        let settle = Settle {
            resolve,
            reject,
            deadline: (limit_ms > 0).then(|| now.saturating_add(limit_ms)),
            limit_ms,
        };
        self.pending.push((id, Pending { settle, resolves }));
        promise
    }

    /// The promise waiting for `id`, if any, taken out.
    pub(crate) fn take(&mut self, id: &str) -> Option<Pending> {
        take(&mut self.pending, id)
    }

    /// The promises whose deadline is at or before `now`, taken out.
    pub(crate) fn expired(&mut self, now: u64) -> Vec<(String, Pending)> {
        let (due, keep) = core::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(_, p)| p.settle.deadline.is_some_and(|d| d <= now));
        self.pending = keep;
        due
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.pending
            .iter()
            .filter_map(|(_, p)| p.settle.deadline)
            .min()
    }

    /// Every waiting promise, taken out.
    pub(crate) fn drain(&mut self) -> Vec<(String, Pending)> {
        self.orphaned.clear();
        core::mem::take(&mut self.pending)
    }

    /// Whether a promise waits for `id`.
    pub(crate) fn is_waited(&self, id: &str) -> bool {
        self.pending.iter().any(|(k, _)| k == id)
    }

    /// Remembers that `id` may still come after a reconnect.
    pub(crate) fn orphan(&mut self, id: String) {
        self.orphaned.push(id);
    }

    /// The receipts remembered by [`Receipts::orphan`], taken out.
    pub(crate) fn take_orphaned(&mut self) -> Vec<String> {
        core::mem::take(&mut self.orphaned)
    }

    /// Registers a `watchForReceipt` callback.
    pub(crate) fn watch(&mut self, id: String, callback: Function) {
        take(&mut self.watchers, &id);
        self.watchers.push((id, callback));
    }

    /// The callback watching `id`, taken out.
    pub(crate) fn take_watcher(&mut self, id: &str) -> Option<Function> {
        take(&mut self.watchers, id)
    }

    /// Forgets every watcher (they belong to one connection, as in stompjs).
    pub(crate) fn clear_watchers(&mut self) {
        self.watchers.clear();
    }
}

/// Promises waiting for something without an id (the connection, deactivation).
#[derive(Default)]
pub(crate) struct Waiters {
    list: Vec<Settle>,
}

impl Waiters {
    /// A new waiting promise, with an optional time limit.
    pub(crate) fn wait(&mut self, now: u64, limit_ms: u64) -> Promise {
        let (promise, resolve, reject) = promise();
        self.list.push(Settle {
            resolve,
            reject,
            deadline: (limit_ms > 0).then(|| now.saturating_add(limit_ms)),
            limit_ms,
        });
        promise
    }

    /// Every waiting promise, taken out.
    pub(crate) fn take_all(&mut self) -> Vec<Settle> {
        core::mem::take(&mut self.list)
    }

    /// The promises whose deadline is at or before `now`, taken out.
    pub(crate) fn expired(&mut self, now: u64) -> Vec<Settle> {
        let (due, keep) = core::mem::take(&mut self.list)
            .into_iter()
            .partition(|s| s.deadline.is_some_and(|d| d <= now));
        self.list = keep;
        due
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.list.iter().filter_map(|s| s.deadline).min()
    }
}
