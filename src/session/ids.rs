//! Generated ids for subscriptions, receipts and transactions.

use alloc::string::String;

/// A counter that makes ids like `sub-0`, `rcpt-1`, `tx-2`, without `core::fmt`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ids {
    next: u64,
}

impl Ids {
    pub(crate) fn next(&mut self, prefix: &str) -> String {
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        let mut s = String::with_capacity(prefix.len() + 21);
        s.push_str(prefix);
        s.push('-');
        s.push_str(crate::frame::decimal(n, &mut [0; 20]));
        s
    }

    /// The next id for which `taken` is false: a generated id never collides with one the
    /// caller chose.
    pub(crate) fn next_free(&mut self, prefix: &str, taken: impl Fn(&str) -> bool) -> String {
        loop {
            let id = self.next(prefix);
            if !taken(&id) {
                return id;
            }
        }
    }
}
