//! Receipts the session is waiting for: ids, deadlines, and what to resend after a reconnect.

use alloc::collections::BTreeMap;
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

/// A pending receipt and its place in the order frames were sent.
#[derive(Clone, Debug)]
struct Entry {
    seq: u64,
    pending: Pending,
}

/// Pending receipts by id. Everything handed out in bulk (expired ids, ids left at a close,
/// frames to send again) comes in the order the frames were sent, never in id order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Receipts {
    pending: BTreeMap<String, Entry>,
    next_seq: u64,
}

impl Receipts {
    pub(crate) fn insert(&mut self, id: String, pending: Pending) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.pending.insert(id, Entry { seq, pending });
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Pending> {
        self.pending.remove(id).map(|e| e.pending)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.pending.contains_key(id)
    }

    /// Sets the deadline of `id`; `false` when `id` is not pending.
    pub(crate) fn set_deadline(&mut self, id: &str, deadline: Option<u64>) -> bool {
        match self.pending.get_mut(id) {
            Some(e) => {
                e.pending.deadline = deadline;
                true
            }
            None => false,
        }
    }

    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.pending
            .values()
            .filter_map(|e| e.pending.deadline)
            .min()
    }

    /// Removes and returns the receipts whose deadline is at or before `now`, earliest
    /// deadline first (then in sending order).
    pub(crate) fn expire(&mut self, now: u64) -> Vec<(String, Pending)> {
        let mut due: Vec<(u64, u64, String)> = self
            .pending
            .iter()
            .filter_map(|(id, e)| {
                e.pending
                    .deadline
                    .filter(|d| *d <= now)
                    .map(|d| (d, e.seq, id.clone()))
            })
            .collect();
        due.sort_unstable();
        due.into_iter()
            .filter_map(|(_, _, id)| self.pending.remove(&id).map(|e| (id, e.pending)))
            .collect()
    }

    /// Empties the map: returns every id, and the frames to send again, in sending order.
    pub(crate) fn drain(&mut self) -> (Vec<String>, Vec<(String, Frame, ContentLength)>) {
        let mut entries: Vec<(String, Entry)> =
            core::mem::take(&mut self.pending).into_iter().collect();
        entries.sort_unstable_by_key(|(_, e)| e.seq);
        let mut ids = Vec::with_capacity(entries.len());
        let mut resend = Vec::new();
        for (id, e) in entries {
            if let Some((frame, content_length)) = e.pending.resend {
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
