//! Receipts the session is waiting for: ids, deadlines, what to send again after a reconnect,
//! and why the others are lost when a connection closes.
//!
//! A receipt stays in the list, with its deadline, until it has an outcome: its RECEIPT came,
//! its deadline passed, an ERROR named it, or it was lost at a close (or when the session was
//! shut down). Those SEND frames that go again after a reconnect stay across the close, so
//! their deadline holds from the frame that first asked.

use alloc::string::String;
use alloc::vec::Vec;

use super::event::NotResent;
use crate::frame::{ContentLength, Frame};

/// What kind of frame asked for a receipt, which decides whether it can be sent again.
#[derive(Clone, Debug)]
pub(crate) enum Asked {
    /// A SEND outside a transaction: sent again after a reconnect when enabled. The frame is
    /// kept (with its `content-length` choice) only when resending was enabled when it went.
    Send(Option<(Frame, ContentLength)>),
    /// A SEND inside a transaction, which the broker aborts with the connection.
    SendInTransaction,
    /// Any other frame (SUBSCRIBE, ACK, DISCONNECT…).
    Other,
    /// No frame yet: an id the caller expects
    /// ([`Session::expect_receipt`](super::Session::expect_receipt)); the first frame sent
    /// with it takes it over.
    Expected,
}

/// A receipt being waited for.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    /// When it times out, if it can.
    pub(crate) deadline: Option<u64>,
    /// What asked for it.
    pub(crate) asked: Asked,
}

impl Pending {
    /// The frame to send again after a reconnect, if it has one.
    pub(crate) fn resend(&self) -> Option<&(Frame, ContentLength)> {
        match &self.asked {
            Asked::Send(frame) => frame.as_ref(),
            _ => None,
        }
    }

    /// Why it is not sent again after a close, or `None` when it is.
    fn not_resent(&self, resend_enabled: bool) -> Option<NotResent> {
        match &self.asked {
            Asked::Send(Some(_)) if resend_enabled => None,
            Asked::Send(_) => Some(NotResent::ResendDisabled),
            Asked::SendInTransaction => Some(NotResent::InTransaction),
            Asked::Other | Asked::Expected => Some(NotResent::NotASend),
        }
    }
}

/// Pending receipts, in the order their frames were sent. Receipts mostly come back in that
/// order, so a lookup from the front usually stops at the first entry; everything handed out
/// in bulk (expired ids, ids lost at a close, frames to send again) keeps the sending order.
/// A `Vec`, not a `VecDeque`: removing an entry moves the later ones down (one `memmove` of a
/// few dozen bytes per receipt still awaited), and the wasm build is about 1.2 KB smaller.
#[derive(Clone, Debug, Default)]
pub(crate) struct Receipts {
    pending: Vec<(String, Pending)>,
}

impl Receipts {
    fn position(&self, id: &str) -> Option<usize> {
        self.pending.iter().position(|(i, _)| i == id)
    }

    /// Tracks `id`. One already pending takes the new frame but keeps the deadline it had, if
    /// any (a deadline set by [`Session::expect_receipt`](super::Session::expect_receipt)
    /// before the frame went).
    pub(crate) fn insert(&mut self, id: String, pending: Pending) {
        match self.position(&id) {
            Some(i) => {
                let old = &mut self.pending[i].1;
                old.deadline = old.deadline.or(pending.deadline);
                old.asked = pending.asked;
            }
            None => self.pending.push((id, pending)),
        }
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Pending> {
        let i = self.position(id)?;
        Some(self.pending.remove(i).1)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    /// Whether a frame already sent asked for `id` (not only
    /// [`expected`](super::Session::expect_receipt)).
    pub(crate) fn is_asked(&self, id: &str) -> bool {
        self.position(id)
            .is_some_and(|i| !matches!(self.pending[i].1.asked, Asked::Expected))
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

    /// Removes and returns the ids whose deadline is at or before `now`, earliest deadline
    /// first (then in sending order).
    pub(crate) fn expire(&mut self, now: u64) -> Vec<String> {
        if self.next_deadline().is_none_or(|d| d > now) {
            return Vec::new();
        }
        let mut due = Vec::new();
        let mut kept = Vec::with_capacity(self.pending.len());
        for (id, p) in core::mem::take(&mut self.pending) {
            match p.deadline {
                Some(d) if d <= now => due.push((d, id)),
                _ => kept.push((id, p)),
            }
        }
        self.pending = kept;
        // Earliest deadline first; equal deadlines stay in sending order. An insertion sort:
        // few receipts expire at once, and `sort` costs kilobytes in a wasm build.
        for i in 1..due.len() {
            let mut j = i;
            while j > 0 && due[j - 1].0 > due[j].0 {
                due.swap(j - 1, j);
                j -= 1;
            }
        }
        due.into_iter().map(|(_, id)| id).collect()
    }

    /// The connection closed: removes and returns the receipts that will not come, with why
    /// (every one when `by_user`), in sending order. Those whose SEND goes again on the next
    /// connection stay, with their deadlines.
    pub(crate) fn close(
        &mut self,
        by_user: bool,
        resend_enabled: bool,
    ) -> Vec<(String, NotResent)> {
        let mut lost = Vec::new();
        let mut kept = Vec::new();
        for (id, p) in core::mem::take(&mut self.pending) {
            let why = if by_user {
                Some(NotResent::ClosedByUser)
            } else {
                p.not_resent(resend_enabled)
            };
            match why {
                Some(why) => lost.push((id, why)),
                None => kept.push((id, p)),
            }
        }
        self.pending = kept;
        lost
    }

    /// Empties the list: every id, in sending order.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = String> {
        core::mem::take(&mut self.pending)
            .into_iter()
            .map(|(id, _)| id)
    }

    /// Every pending receipt, in sending order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Pending)> {
        self.pending.iter().map(|(id, p)| (id.as_str(), p))
    }

    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }
}
