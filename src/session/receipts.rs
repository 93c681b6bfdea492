//! Receipts the session is waiting for: ids, deadlines, and what to resend after a reconnect.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use crate::frame::{ContentLength, Frame};

/// A receipt being waited for.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    /// When it times out, if it can.
    pub(crate) deadline: Option<u64>,
    /// The frame to send again after a reconnect (SEND outside a transaction, when enabled),
    /// with the `content-length` choice it was first sent with.
    pub(crate) resend: Option<(Frame, ContentLength)>,
}

/// Pending receipts, in the order their frames were sent. Receipts mostly come back in that
/// order, so a lookup from the front usually stops at the first entry; everything handed out
/// in bulk (expired ids, ids left at a close, frames to send again) keeps the sending order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Receipts {
    pending: VecDeque<(String, Pending)>,
}

impl Receipts {
    fn position(&self, id: &str) -> Option<usize> {
        self.pending.iter().position(|(i, _)| i == id)
    }

    pub(crate) fn insert(&mut self, id: String, pending: Pending) {
        match self.position(&id) {
            Some(i) => self.pending[i].1 = pending,
            None => self.pending.push_back((id, pending)),
        }
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Pending> {
        let i = self.position(id)?;
        self.pending.remove(i).map(|(_, p)| p)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    /// Sets the deadline of `id`; `false` when `id` is not pending.
    pub(crate) fn set_deadline(&mut self, id: &str, deadline: Option<u64>) -> bool {
        match self.position(id) {
            Some(i) => {
                self.pending[i].1.deadline = deadline;
                true
            }
            None => false,
        }
    }

    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.pending.iter().filter_map(|(_, p)| p.deadline).min()
    }

    /// Removes and returns the receipts whose deadline is at or before `now`, earliest
    /// deadline first (then in sending order).
    pub(crate) fn expire(&mut self, now: u64) -> Vec<(String, Pending)> {
        let mut due = Vec::new();
        let mut kept = VecDeque::with_capacity(self.pending.len());
        for (id, p) in core::mem::take(&mut self.pending) {
            if p.deadline.is_some_and(|d| d <= now) {
                due.push((id, p));
            } else {
                kept.push_back((id, p));
            }
        }
        self.pending = kept;
        // Earliest deadline first; equal deadlines stay in sending order. An insertion sort:
        // few receipts expire at once, and `sort` costs kilobytes in a wasm build.
        for i in 1..due.len() {
            let mut j = i;
            while j > 0 && due[j - 1].1.deadline > due[j].1.deadline {
                due.swap(j - 1, j);
                j -= 1;
            }
        }
        due
    }

    /// Empties the list: returns every id, and the frames to send again, in sending order.
    pub(crate) fn drain(&mut self) -> (Vec<String>, Vec<(String, Frame, ContentLength)>) {
        let mut ids = Vec::with_capacity(self.pending.len());
        let mut resend = Vec::new();
        for (id, p) in core::mem::take(&mut self.pending) {
            if let Some((frame, content_length)) = p.resend {
                resend.push((id.clone(), frame, content_length));
            }
            ids.push(id);
        }
        (ids, resend)
    }

    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }
}
