// A socket from `webSocketFactory` keeps functions in its `on*` handlers: a handler set to
// `null` or `undefined` (as the core does to a socket it drops) reads back as a no-op function
// instead, as stompjs leaves them. A wrapper socket that calls `this.onclose(ev)` then keeps working.

const noop = () => {};
const HANDLERS = ['onopen', 'onmessage', 'onclose', 'onerror'];

/** Makes `ws`'s handlers never `null`; returns `ws`. */
export function keepHandlers(ws) {
  if (!ws || typeof ws !== 'object') return ws;
  for (const name of HANDLERS) {
    let d;
    for (let o = ws; o && !(d = Object.getOwnPropertyDescriptor(o, name)); ) o = Object.getPrototypeOf(o);
    let value = d && 'value' in d ? d.value : undefined;
    const get = d && d.get ? d.get : () => value;
    const set = d && d.set ? d.set : (v) => (value = v);
    try {
      Object.defineProperty(ws, name, {
        get() {
          return get.call(this);
        },
        set(v) {
          set.call(this, v == null ? noop : v);
        },
        configurable: true,
        enumerable: true,
      });
    } catch {
      // A socket that does not allow it keeps its own handlers.
    }
  }
  return ws;
}

const decoder = new TextDecoder();

/**
 * One socket as the client uses it: `binaryType = "arraybuffer"`, the four handlers attached,
 * and frames written as the options say — text when the core says they are UTF-8 (split into
 * chunks of at most `chunk` bytes on character boundaries with `split`), else binary (always,
 * with `forceBinary`); with `batch`, the frames written in one event-loop turn go in one
 * message of at most `chunk` bytes (a larger frame goes alone), flushed at the end of the turn
 * and before the socket is closed. Backpressure: while the socket still holds a full message's
 * worth of unsent bytes (`bufferedAmount` ≥ `chunk`), the end-of-turn flush waits for it to
 * drain (checked every few milliseconds), so the frames of the next turns join the same
 * message instead of queueing behind it in more, smaller ones; a message that reaches `chunk`
 * bytes is written at once, as without backpressure.
 */
export class Transport {
  constructor(ws, handlers, sending) {
    this.ws = ws;
    this.s = sending;
    this.q = [];
    this.n = 0;
    this.bin = false;
    this.due = false;
    this.pending = false; // a drain is queued (a microtask, or a timer under backpressure)
    try {
      ws.binaryType = 'arraybuffer';
    } catch {
      // A socket without binaryType hands over what it has.
    }
    ws.onopen = handlers.open;
    ws.onmessage = handlers.message;
    ws.onclose = handlers.close;
    ws.onerror = handlers.error;
  }

  /** Writes one frame (`bytes`, a view the caller does not keep); `binary`: not UTF-8. */
  send(bytes, binary) {
    const s = this.s;
    binary = binary || s.forceBinary;
    if (!s.batch) return this._now(bytes, binary);
    const chunk = Math.max(s.chunk, 4);
    if (this.n && (this.bin !== binary || this.n + bytes.length > chunk)) this.flush();
    if (bytes.length > chunk) return this._now(bytes, binary);
    this.q.push(bytes.slice());
    this.n += bytes.length;
    this.bin = binary;
    this.due = true;
    // One drain at a time: one already queued flushes this too.
    if (!this.pending) {
      this.pending = true;
      queueMicrotask(() => this._run());
    }
  }

  _run() {
    this.pending = false;
    this._drain();
  }

  // The end-of-turn flush: now, or once the socket has sent what it holds.
  _drain() {
    if (!this.due) return;
    const ws = this.ws;
    if (this.q.length && ws.readyState === 1 && ws.bufferedAmount >= Math.max(this.s.chunk, 4)) {
      this.pending = true;
      setTimeout(() => this._run(), 4);
      return;
    }
    this.flush();
  }

  /** Writes what is queued, as one message. */
  flush() {
    this.due = false;
    const q = this.q;
    if (!q.length) return;
    this.q = [];
    let all = q[0];
    if (q.length > 1) {
      all = new Uint8Array(this.n);
      let at = 0;
      for (const b of q) {
        all.set(b, at);
        at += b.length;
      }
    }
    this.n = 0;
    try {
      this.ws.send(this.bin ? all : decoder.decode(all));
    } catch {
      // Only a closing socket refuses: its close event reports the end.
    }
  }

  _now(bytes, binary) {
    const ws = this.ws;
    if (binary) return ws.send(bytes.slice());
    if (!this.s.split) return ws.send(decoder.decode(bytes));
    const chunk = Math.max(this.s.chunk, 4);
    let at = 0;
    while (bytes.length - at > chunk) {
      let end = at + chunk;
      while ((bytes[end] & 0xc0) === 0x80) end--; // a chunk ends on a character boundary
      ws.send(decoder.decode(bytes.subarray(at, end)));
      at = end;
    }
    ws.send(decoder.decode(bytes.subarray(at)));
  }

  /** Closes the socket, ignoring what arrives meanwhile; its close event still comes. */
  close() {
    this.flush();
    this.ws.onmessage = null;
    try {
      this.ws.close();
    } catch {
      // Closed already.
    }
  }

  /** Lets go of the socket at once: no event comes from it any more. */
  discard() {
    this.q = [];
    this.n = 0;
    this.detach();
    try {
      this.ws.close();
    } catch {
      // Closed already.
    }
  }

  detach() {
    const ws = this.ws;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  }
}
