//! The client's clock: one wake-up at a time — the earliest of the session's deadlines
//! (heart-beats out and in, the receipts, the DISCONNECT receipt), the supervisor's (the
//! reconnect wait, `connectionTimeout`, `connectedTimeout`) and the promises' time limits — on the page's `setTimeout` (`TickerStrategy.Interval`) or on
//! a dedicated Worker's (`TickerStrategy.Worker`).
//!
//! A background tab slows the page's timers down to once a second or, after a while, once a
//! minute; a Worker's timers keep their pace, and the message a Worker posts wakes the page at
//! once. So with the Worker strategy heart-beats go out on time and silence from the broker is
//! noticed on time — both directions are driven by the same wake-up. The Worker runs a
//! one-line script from a Blob URL: it sets a timer for the delay it is sent and posts back when
//! the timer fires.
//!
//! A wake-up that comes early (the deadline moved later meanwhile) is harmless: the session
//! does nothing before a deadline, and the clock is armed again. So a new deadline later than
//! the armed one leaves the timer alone — sending frames, which pushes the heart-beat deadline
//! back, never touches a timer.

use alloc::string::String;

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use web_sys::{Blob, BlobPropertyBag, Url, Worker};

use super::globals::{clear_timeout, set_timeout};

/// The Worker's script: a timer for the delay it is sent (a negative delay just cancels), a
/// message back when it fires.
const SCRIPT: &str =
    "let t;onmessage=e=>{clearTimeout(t);if(e.data>=0)t=setTimeout(()=>postMessage(0),e.data)}";

/// A Worker that times wake-ups, and the Blob URL it was started from.
struct WorkerClock {
    worker: Worker,
    url: String,
}

impl WorkerClock {
    fn start(tick: &JsValue) -> Result<WorkerClock, JsValue> {
        let parts = Array::of1(&JsValue::from_str(SCRIPT));
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
        let url = Url::create_object_url_with_blob(&blob)?;
        match Worker::new(&url) {
            Ok(worker) => {
                worker.set_onmessage(Some(tick.unchecked_ref()));
                Ok(WorkerClock { worker, url })
            }
            Err(e) => {
                let _ = Url::revoke_object_url(&url);
                Err(e)
            }
        }
    }
}

impl Drop for WorkerClock {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.terminate();
        let _ = Url::revoke_object_url(&self.url);
    }
}

/// One-at-a-time wake-ups calling one closure.
pub(crate) struct Ticker {
    tick: Closure<dyn FnMut(JsValue)>,
    /// The deadline the running timer is for.
    armed: Option<u64>,
    /// The page timer's id, while one runs.
    timeout: Option<JsValue>,
    /// The Worker, with the Worker strategy.
    worker: Option<WorkerClock>,
}

impl Ticker {
    /// A clock that calls `tick` at each wake-up, on the page's timers until told otherwise.
    pub(crate) fn new(tick: Closure<dyn FnMut(JsValue)>) -> Ticker {
        Ticker {
            tick,
            armed: None,
            timeout: None,
            worker: None,
        }
    }

    /// Switches to a Worker's timers (`true`) or the page's. Starting a Worker can fail (a
    /// Content-Security-Policy without `worker-src blob:`); the clock then stays on the
    /// page's timers and the error is returned for the log.
    pub(crate) fn use_worker(&mut self, worker: bool) -> Result<(), JsValue> {
        if worker == self.worker.is_some() {
            return Ok(());
        }
        self.cancel();
        self.worker = None;
        if worker {
            self.worker = Some(WorkerClock::start(self.tick.as_ref())?);
        }
        Ok(())
    }

    /// Wakes up at `deadline` (`None`: not at all), given the time `now`. Keeps a timer that
    /// fires at or before `deadline`.
    pub(crate) fn arm(&mut self, deadline: Option<u64>, now: u64) {
        let Some(deadline) = deadline else {
            if self.armed.is_some() {
                self.cancel();
            }
            return;
        };
        if self.armed.is_some_and(|armed| armed <= deadline) {
            return;
        }
        self.cancel();
        let delay = deadline.saturating_sub(now) as f64;
        match &self.worker {
            Some(clock) => {
                let _ = clock.worker.post_message(&JsValue::from_f64(delay));
            }
            None => {
                self.timeout = Some(set_timeout(self.tick.as_ref().unchecked_ref(), delay));
            }
        }
        self.armed = Some(deadline);
    }

    /// Records that the timer fired (call first thing in the tick).
    pub(crate) fn fired(&mut self) {
        self.armed = None;
        self.timeout = None;
    }

    /// Stops the timer and any Worker.
    pub(crate) fn stop(&mut self) {
        self.cancel();
        self.worker = None;
    }

    fn cancel(&mut self) {
        if let Some(id) = self.timeout.take() {
            clear_timeout(&id);
        }
        if let (Some(clock), Some(_)) = (&self.worker, self.armed) {
            let _ = clock.worker.post_message(&JsValue::from_f64(-1.0));
        }
        self.armed = None;
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop();
    }
}
