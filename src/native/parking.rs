//! Blocking on the async client's wakers: a thread polls, and parks until woken or until a
//! deadline.

use std::cell::Cell;
use std::sync::Arc;
use std::task::{Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

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

/// A waker that unparks this thread.
fn new_waker() -> Waker {
    Waker::from(Arc::new(Unpark(thread::current())))
}

thread_local! {
    /// This thread's waker, made once: a wait that parks allocates nothing.
    static WAKER: Waker = new_waker();
}

/// This thread's waker (a new one while the thread's locals are being torn down).
fn this_waker() -> Waker {
    WAKER.try_with(Waker::clone).unwrap_or_else(|_| new_waker())
}

/// Calls `poll` until it is ready, parking this thread in between (until its waker is
/// woken). The first poll goes without this thread's waker (a no-op one): what is ready at
/// once costs nothing more.
pub(crate) fn block<T>(mut poll: impl FnMut(&Waker) -> Poll<T>) -> T {
    if let Poll::Ready(value) = poll(Waker::noop()) {
        return value;
    }
    let waker = this_waker();
    loop {
        if let Poll::Ready(value) = poll(&waker) {
            return value;
        }
        thread::park();
    }
}

/// [`block`], for at most `timeout` after the first poll: `None` once the time passed. The
/// clock is read only when the first poll is not ready.
pub(crate) fn wait<T>(timeout: Duration, mut poll: impl FnMut(&Waker) -> Poll<T>) -> Option<T> {
    if let Poll::Ready(value) = poll(Waker::noop()) {
        return Some(value);
    }
    // A limit too far to count is none.
    let Some(deadline) = Instant::now().checked_add(timeout) else {
        return Some(block(poll));
    };
    let waker = this_waker();
    loop {
        if let Poll::Ready(value) = poll(&waker) {
            return Some(value);
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        if left.is_zero() {
            return None;
        }
        thread::park_timeout(left);
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
