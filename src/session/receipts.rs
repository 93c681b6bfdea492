//! Receipts the session is waiting for: ids, deadlines, and what to resend after a reconnect.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::frame::Frame;

/// A receipt being waited for.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    /// When it times out, if it can.
    pub(crate) deadline: Option<u64>,
    /// The frame to send again after a reconnect (SEND outside a transaction, when enabled).
    pub(crate) resend: Option<Frame>,
}

/// Pending receipts by id.
#[derive(Clone, Debug, Default)]
pub(crate) struct Receipts {
    pending: BTreeMap<String, Pending>,
}

impl Receipts {
    pub(crate) fn insert(&mut self, id: String, pending: Pending) {
        self.pending.insert(id, pending);
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Pending> {
        self.pending.remove(id)
    }

    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.pending.values().filter_map(|p| p.deadline).min()
    }

    /// Removes and returns the ids whose deadline is at or before `now`.
    pub(crate) fn expire(&mut self, now: u64) -> Vec<(String, Pending)> {
        let ids: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline.is_some_and(|d| d <= now))
            .map(|(id, _)| id.clone())
            .collect();
        ids.into_iter()
            .filter_map(|id| self.pending.remove(&id).map(|p| (id, p)))
            .collect()
    }

    /// Empties the map: returns every id, and the frames to send again.
    pub(crate) fn drain(&mut self) -> (Vec<String>, Vec<(String, Frame)>) {
        let mut ids = Vec::with_capacity(self.pending.len());
        let mut resend = Vec::new();
        for (id, p) in core::mem::take(&mut self.pending) {
            if let Some(frame) = p.resend {
                resend.push((id.clone(), frame));
            }
            ids.push(id);
        }
        (ids, resend)
    }

    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }
}
