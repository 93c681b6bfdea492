//! [`Receipt`]: a future that resolves when the broker's RECEIPT for a frame comes.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::prelude::rust_2024::*;
use std::sync::{Arc, Mutex};

use super::Error;
use super::shared::{ReceiptSlot, Shared, lock, set_waker};

/// The RECEIPT of one frame, awaited: `Ok(())` when it came, [`Error::ReceiptTimedOut`] or
/// [`Error::ReceiptLost`] when it will not (the session's receipt outcomes), [`Error::Closed`]
/// when the client stopped first. Dropping it stops waiting; the frame stays sent.
#[derive(Debug)]
#[must_use = "a receipt does nothing unless awaited"]
pub struct Receipt {
    shared: Arc<Mutex<Shared>>,
    id: String,
    key: u64,
}

impl Receipt {
    /// Waits for receipt `id`, which the caller has just asked for, under the lock.
    pub(crate) fn register(
        shared_arc: &Arc<Mutex<Shared>>,
        shared: &mut Shared,
        id: String,
    ) -> Receipt {
        let key = shared.next_receipt_key;
        shared.next_receipt_key += 1;
        shared.receipt_slots.insert(key, ReceiptSlot::default());
        shared.receipts.insert(id.clone(), key);
        Receipt {
            shared: shared_arc.clone(),
            id,
            key,
        }
    }

    /// The receipt id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl Future for Receipt {
    type Output = Result<(), Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut shared = lock(&self.shared);
        let Some(slot) = shared.receipt_slots.get_mut(&self.key) else {
            return Poll::Ready(Err(Error::Closed));
        };
        if let Some(result) = slot.result.take() {
            shared.receipt_slots.remove(&self.key);
            return Poll::Ready(result);
        }
        set_waker(&mut slot.waker, cx.waker());
        Poll::Pending
    }
}

impl Drop for Receipt {
    fn drop(&mut self) {
        let mut shared = lock(&self.shared);
        if shared.receipt_slots.remove(&self.key).is_some()
            && shared.receipts.get(&self.id) == Some(&self.key)
        {
            shared.receipts.remove(&self.id);
        }
    }
}
