//! Promises waiting for something without an id — the connection, deactivation — each with an
//! optional time limit on the client's clock, and the functions that settle a promise.

use alloc::vec::Vec;

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;

/// The functions that settle one promise.
pub(crate) struct Settle {
    resolve: Function,
    reject: Function,
}

impl Settle {
    /// A new promise and the functions that settle it.
    pub(crate) fn promise() -> (Promise, Settle) {
        let mut settle = None;
        let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        // The executor runs before `Promise::new` returns.
        let (resolve, reject) =
            settle.unwrap_or_else(|| (Function::default(), Function::default()));
        (promise, Settle { resolve, reject })
    }

    /// Fulfils the promise with `value`.
    pub(crate) fn resolve(&self, value: &JsValue) {
        let _ = self.resolve.call1(&JsValue::UNDEFINED, value);
    }

    /// Rejects the promise with `error`.
    pub(crate) fn reject(&self, error: &JsValue) {
        let _ = self.reject.call1(&JsValue::UNDEFINED, error);
    }
}

/// A waiting promise and its time limit.
struct Waiter {
    settle: Settle,
    deadline: Option<u64>,
    limit_ms: u64,
}

/// Promises waiting for one thing (the connection, or deactivation).
#[derive(Default)]
pub(crate) struct Waiters {
    list: Vec<Waiter>,
}

impl Waiters {
    /// A new waiting promise, with an optional time limit (0: none).
    pub(crate) fn wait(&mut self, now: u64, limit_ms: u64) -> Promise {
        let (promise, settle) = Settle::promise();
        self.list.push(Waiter {
            settle,
            deadline: (limit_ms > 0).then(|| now.saturating_add(limit_ms)),
            limit_ms,
        });
        promise
    }

    /// Every waiting promise, taken out.
    pub(crate) fn take_all(&mut self) -> Vec<Settle> {
        core::mem::take(&mut self.list)
            .into_iter()
            .map(|w| w.settle)
            .collect()
    }

    /// The promises whose deadline is at or before `now`, taken out, with their time limits.
    pub(crate) fn expired(&mut self, now: u64) -> Vec<(Settle, u64)> {
        let mut due = Vec::new();
        let mut i = 0;
        while i < self.list.len() {
            if self.list[i].deadline.is_some_and(|d| d <= now) {
                let w = self.list.remove(i);
                due.push((w.settle, w.limit_ms));
            } else {
                i += 1;
            }
        }
        due
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.list.iter().filter_map(|w| w.deadline).min()
    }
}
