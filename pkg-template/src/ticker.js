// The client's clock: one wake-up at a time, for the earliest deadline the core (heart-beats,
// receipts, the reconnect wait, the attempt's time limits) or a connection promise has — on the
// page's setTimeout (TickerStrategy.Interval) or on a dedicated Worker's (TickerStrategy.Worker).
//
// A background tab slows the page's timers down to once a second or less; a Worker's timers
// keep their pace and its message wakes the page at once, so heart-beats go out and silence is
// noticed on time. The Worker runs a one-line script from a Blob URL. A wake-up that comes
// early is harmless (the core does nothing before a deadline and the clock is armed again), so
// a later deadline than the armed one leaves the timer alone.

const SCRIPT = 'let t;onmessage=e=>{clearTimeout(t);if(e.data>=0)t=setTimeout(()=>postMessage(0),e.data)}';

export class Ticker {
  /** @param {() => void} tick */
  constructor(tick) {
    this.tick = tick;
    this.armed = undefined;
    this.timer = undefined;
    this.worker = undefined;
  }

  /** Switches to a Worker's timers (true) or the page's; throws when no Worker can start. */
  useWorker(on) {
    if (on === !!this.worker) return;
    this.stop();
    if (!on) return;
    const url = URL.createObjectURL(new Blob([SCRIPT], { type: 'text/javascript' }));
    try {
      this.worker = new Worker(url);
      this.url = url;
      this.worker.onmessage = () => this.tick();
    } catch (e) {
      URL.revokeObjectURL(url);
      throw e;
    }
  }

  /** Wakes up at `deadline` (undefined: never); keeps a timer that fires at or before it. */
  arm(deadline, now) {
    if (deadline === undefined) {
      if (this.armed !== undefined) this._cancel();
      return;
    }
    if (this.armed !== undefined && this.armed <= deadline) return;
    this._cancel();
    const delay = Math.max(0, deadline - now);
    if (this.worker) this.worker.postMessage(delay);
    else this.timer = setTimeout(this.tick, Math.min(delay, 2147483647));
    this.armed = deadline;
  }

  /** The timer fired (first thing in the tick). */
  fired() {
    this.armed = undefined;
    this.timer = undefined;
  }

  /** Stops the timer and any Worker. */
  stop() {
    this._cancel();
    if (this.worker) {
      this.worker.onmessage = null;
      this.worker.terminate();
      URL.revokeObjectURL(this.url);
      this.worker = undefined;
    }
  }

  _cancel() {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.worker && this.armed !== undefined) this.worker.postMessage(-1);
    this.armed = undefined;
  }
}
