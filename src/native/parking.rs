//! Blocking on the async client's wakers: a thread polls, and parks until woken or until a
//! deadline.

use std::cell::Cell;
use std::sync::Arc;
use std::task::{Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Instant;

/// Wakes a parked thread.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Calls `poll` until it is ready, parking this thread in between (until its waker is woken,
/// or `deadline`). `None` once the deadline passed. The first poll goes without a waker of
/// this thread's (a no-op one): what is ready at once costs no allocation.
pub(crate) fn wait<T>(
    deadline: Option<Instant>,
    mut poll: impl FnMut(&Waker) -> Poll<T>,
) -> Option<T> {
    if let Poll::Ready(value) = poll(Waker::noop()) {
        return Some(value);
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    loop {
        if let Poll::Ready(value) = poll(&waker) {
            return Some(value);
        }
        match deadline {
            Some(deadline) => {
                let left = deadline.checked_duration_since(Instant::now())?;
                if left.is_zero() {
                    return None;
                }
                thread::park_timeout(left);
            }
            None => thread::park(),
        }
    }
}

thread_local! {
    /// This thread runs a client's driver (and its listeners).
    static DRIVER_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread as a driver's (or no longer, when the driver ended): calls made on it
/// never wait for the driver.
pub(crate) fn mark_driver_thread(on: bool) {
    DRIVER_THREAD.with(|d| d.set(on));
}

/// Whether this thread runs a client's driver.
pub(crate) fn on_driver_thread() -> bool {
    DRIVER_THREAD.with(Cell::get)
}
