//! [`Waits`]: the receipt slots callers wait on, by receipt id, in the order their frames
//! were taken.
//!
//! One id can be in use twice for a moment: once the session has its RECEIPT, the id is free
//! for a new frame, while the outcome is still on its way to the listeners (the driver hands
//! them its events after each run). The new frame's slot waits behind the old one, and each
//! outcome completes the oldest slot of its id, so an old RECEIPT never completes a new wait.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::receipt::{Outcome, Slot};

/// A slot, and whether a frame carrying its id has been taken for it yet (a slot made by
/// [`watch`](Waits::watch) waits for one).
#[derive(Debug)]
struct Wait {
    slot: Arc<Slot>,
    bound: bool,
}

/// The receipt slots, by id, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Waits(HashMap<String, VecDeque<Wait>>);

impl Waits {
    /// A slot for a frame with receipt `id` that the session has just taken: the slot
    /// [`watch`](Waits::watch) made for it, else a new one behind those of earlier frames.
    pub(crate) fn bind(&mut self, id: &str) -> Arc<Slot> {
        let waits = self.0.entry(id.to_owned()).or_default();
        if let Some(last) = waits.back_mut()
            && !last.bound
        {
            last.bound = true;
            return last.slot.clone();
        }
        let slot = Arc::new(Slot::default());
        waits.push_back(Wait {
            slot: slot.clone(),
            bound: true,
        });
        slot
    }

    /// A slot for a receipt `id` that a frame the caller writes will carry.
    pub(crate) fn watch(&mut self, id: &str) -> Arc<Slot> {
        let slot = Arc::new(Slot::default());
        self.0.entry(id.to_owned()).or_default().push_back(Wait {
            slot: slot.clone(),
            bound: false,
        });
        slot
    }

    /// Completes the oldest slot of `id` with `outcome`; gives the outcome back when nobody
    /// waits for it.
    pub(crate) fn complete(&mut self, id: &str, outcome: Outcome) -> Option<Outcome> {
        let Some(waits) = self.0.get_mut(id) else {
            return Some(outcome);
        };
        let wait = waits.pop_front();
        if waits.is_empty() {
            self.0.remove(id);
        }
        match wait {
            Some(wait) => {
                wait.slot.complete(outcome);
                None
            }
            None => Some(outcome),
        }
    }

    /// Completes every slot with `outcome` (the receipts will not come).
    pub(crate) fn complete_all(&mut self, outcome: Outcome) {
        for (_, waits) in self.0.drain() {
            for wait in waits {
                wait.slot.complete(outcome.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Command, Frame};

    fn done(slot: &Arc<Slot>) -> bool {
        super::super::Receipt::new(String::new(), slot.clone()).is_done()
    }

    fn receipt(id: &str) -> Outcome {
        let mut frame = Frame::new(Command::Receipt);
        frame.headers.push("receipt-id", id);
        Outcome::Received(frame)
    }

    #[test]
    fn an_outcome_completes_the_oldest_wait_of_its_id() {
        let mut waits = Waits::default();
        let first = waits.bind("r1");
        let second = waits.bind("r1");
        assert!(!Arc::ptr_eq(&first, &second), "a new frame, a new slot");
        assert!(waits.complete("r1", receipt("r1")).is_none());
        assert!(done(&first) && !done(&second));
        assert!(waits.complete("r1", Outcome::TimedOut).is_none());
        assert!(done(&second));
        assert!(
            waits.complete("r1", Outcome::TimedOut).is_some(),
            "nobody waits any more"
        );
    }

    #[test]
    fn a_watched_id_is_completed_in_the_slot_the_watch_made() {
        let mut waits = Waits::default();
        let watched = waits.watch("w");
        let bound = waits.bind("w");
        assert!(
            Arc::ptr_eq(&watched, &bound),
            "the frame takes the watch's slot"
        );
        let next = waits.bind("w");
        assert!(!Arc::ptr_eq(&watched, &next));
        waits.complete_all(Outcome::Interrupted);
        assert!(done(&watched) && done(&next));
    }
}
