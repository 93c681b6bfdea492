//! Who waits for a receipt, by receipt id: the promises of `publishWithReceipt`,
//! `subscribeWithReceipt` and `waitForReceipt`, and stompjs's `watchForReceipt` callbacks.
//!
//! Only the mapping lives here. The session tracks every receipt a promise waits for, with
//! its deadline, across reconnects, and says how each one ends; the engine settles the promise
//! then.
//!
//! Lists searched in order rather than maps: a page waits for a handful of receipts at a time,
//! and every map type would add its own copy of the tree code to the download.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Function, Promise};

use super::waiters::Settle;

/// What a receipt's promise resolves with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolves {
    /// The RECEIPT frame.
    Frame,
    /// A `StompSubscription` for this subscription id.
    Subscription(String),
}

/// A promise waiting for a receipt.
pub(crate) struct Pending {
    /// How to settle it.
    pub(crate) settle: Settle,
    /// What it resolves with.
    pub(crate) resolves: Resolves,
    /// Its time limit as given (0: none), for the error message.
    pub(crate) limit_ms: u64,
}

/// The promises and callbacks waiting for receipts.
#[derive(Default)]
pub(crate) struct Receipts {
    promises: Vec<(String, Pending)>,
    /// `watchForReceipt` callbacks.
    watchers: Vec<(String, Function)>,
}

/// The entry of `list` for `id`, taken out.
fn take<T>(list: &mut Vec<(String, T)>, id: &str) -> Option<T> {
    let at = list.iter().position(|(k, _)| k == id)?;
    Some(list.swap_remove(at).1)
}

impl Receipts {
    /// A promise for receipt `id`; one that waited for `id` before is rejected.
    pub(crate) fn wait(&mut self, id: String, resolves: Resolves, limit_ms: u64) -> Promise {
        let (promise, settle) = Settle::promise();
        if let Some(old) = take(&mut self.promises, &id) {
            old.settle.reject(&super::super::error::plain(
                "another promise now waits for this receipt id",
            ));
        }
        self.promises.push((
            id,
            Pending {
                settle,
                resolves,
                limit_ms,
            },
        ));
        promise
    }

    /// The promise waiting for `id`, if any, taken out.
    pub(crate) fn take(&mut self, id: &str) -> Option<Pending> {
        take(&mut self.promises, id)
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
