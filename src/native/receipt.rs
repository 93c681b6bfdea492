//! `Receipt`: a receipt to wait for, blocking or as a runtime-agnostic future.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::{Error, Waited};
use crate::frame::Frame;
use crate::session::{LostReason, SessionError};

/// How a receipt ended, as the session reported it (or the client was dropped).
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Received(Frame),
    TimedOut,
    Lost(LostReason),
    Interrupted,
}

impl Outcome {
    fn result(&self) -> Result<Frame, Error> {
        match self {
            Outcome::Received(f) => Ok(f.clone()),
            Outcome::TimedOut => Err(Error::Timeout {
                what: Waited::Receipt,
            }),
            Outcome::Lost(LostReason::Error(f)) => Err(Error::ErrorFrame(f.clone())),
            Outcome::Lost(LostReason::Unencodable(e)) => {
                Err(Error::Session(SessionError::Encode(e.clone())))
            }
            Outcome::Lost(LostReason::ShutDown) | Outcome::Interrupted => Err(Error::Interrupted),
            Outcome::Lost(LostReason::NotSent) => Err(Error::NotSent),
            Outcome::Lost(_) => Err(Error::ConnectionClosed),
        }
    }
}

#[derive(Debug, Default)]
struct SlotState {
    outcome: Option<Outcome>,
    wakers: Vec<Waker>,
}

/// The shared end a [`Receipt`] waits on; the driver completes it.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    state: Mutex<SlotState>,
    cond: Condvar,
}

impl Slot {
    /// Sets the outcome (the first one wins) and wakes every waiter.
    pub(crate) fn complete(&self, outcome: Outcome) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.outcome.is_none() {
            state.outcome = Some(outcome);
        }
        for w in state.wakers.drain(..) {
            w.wake();
        }
        self.cond.notify_all();
    }
}

/// A receipt the server will send for a frame: wait for it with [`Receipt::wait`], or
/// `.await` it in any async runtime (it needs none: the client's receiver thread wakes it).
///
/// ```no_run
/// use std::time::Duration;
/// use stompwire::frame::Headers;
/// use stompwire::native::{Client, ClientConfig, Error};
///
/// let client = Client::new(ClientConfig::from_url("tcp://127.0.0.1:61613")?.vhost("/"));
/// client.connect(std::time::Duration::from_secs(10))?;
/// let receipt = client.send_with_receipt("/queue/a", "hello", Headers::new())?;
/// match receipt.wait(Duration::from_secs(5)) {
///     Ok(frame) => println!("{} confirmed: {:?}", receipt.id(), frame.receipt_id()),
///     Err(Error::Timeout { .. }) => println!("no receipt within 5 s"),
///     Err(e) => println!("not confirmed: {e}"),
/// }
///
/// // Or in any async runtime, without blocking a thread:
/// async fn confirm(client: &Client) -> Result<(), Error> {
///     client.send_with_receipt("/queue/a", "hi", Headers::new())?.await?;
///     Ok(())
/// }
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Receipt {
    id: String,
    slot: Arc<Slot>,
}

impl Receipt {
    pub(crate) fn new(id: String, slot: Arc<Slot>) -> Receipt {
        Receipt { id, slot }
    }

    /// The receipt id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the outcome is known.
    pub fn is_done(&self) -> bool {
        self.slot
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .outcome
            .is_some()
    }

    /// Blocks until the RECEIPT arrives (`Ok` with the frame), the server answers with ERROR,
    /// the connection or the client closes, or `timeout` passes.
    pub fn wait(&self, timeout: Duration) -> Result<Frame, Error> {
        let deadline = Instant::now() + timeout;
        let mut state = self.slot.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(outcome) = &state.outcome {
                return outcome.result();
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Err(Error::Timeout {
                    what: Waited::Receipt,
                });
            };
            state = self
                .slot
                .cond
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Future for Receipt {
    type Output = Result<Frame, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.slot.state.lock().unwrap_or_else(|e| e.into_inner());
        match &state.outcome {
            Some(outcome) => Poll::Ready(outcome.result()),
            None => {
                if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    state.wakers.push(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}
