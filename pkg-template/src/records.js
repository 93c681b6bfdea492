// What the core hands back from each call: one byte array of records (src/browser/packed.rs
// describes the format), read here in order. Received frames are not built field by field: a
// FrameImpl keeps the array and its offsets, and decodes its headers and its body when they are
// first read (once). `binaryBody` is a view of that array, not a copy: the array belongs to
// this layer alone and each frame has its own range of it.

import { memory } from './load.js';

const decoder = new TextDecoder();

// Record tags (src/browser/packed.rs); constants, which a bundler writes in as numbers.
export const WRITE_TEXT = 1;
export const WRITE_BINARY = 2;
export const DEBUG = 3;
export const VALUE = 4;
export const THROW = 5;
export const DEADLINE = 6;
export const CONNECTED = 10;
export const MESSAGE = 11;
export const RECEIPT = 12;
export const RECEIPT_FAILED = 13;
export const ERROR = 14;
export const HEARTBEAT = 15;
export const HEARTBEAT_LOST = 16;
export const DISCONNECTED = 17;
export const PROTOCOL_ERROR = 18;
export const OPEN = 20;
export const CLOSE = 21;
export const SCHEDULED = 22;
export const GAVE_UP = 23;

const NONE = 0xffffffff;

// UTF-8 at [at, at + len) of `b`; short ASCII without the decoder.
function text(b, at, len) {
  if (len < 24) {
    let s = '';
    for (let i = at; i < at + len; i++) {
      const c = b[i];
      if (c > 127) return decoder.decode(b.subarray(at, at + len));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(b.subarray(at, at + len));
}

/** Reads one call's records. */
export class Reader {
  /**
   * @param {Uint8Array} b the answer
   * @param {Uint8Array} [input] the WebSocket message just fed (this layer's own bytes)
   */
  constructor(b, input) {
    this.b = b;
    this.input = input;
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.i = 0;
  }

  more() {
    return this.i < this.b.length;
  }

  u8() {
    return this.b[this.i++];
  }

  u32() {
    const n = this.v.getUint32(this.i, true);
    this.i += 4;
    return n;
  }

  f64() {
    const n = this.v.getFloat64(this.i, true);
    this.i += 8;
    return n;
  }

  /** A byte range: [start, end). */
  range() {
    const len = this.u32();
    const at = this.i;
    this.i += len;
    return [at, at + len];
  }

  /** Bytes (a view). */
  bytes() {
    const [at, end] = this.range();
    return this.b.subarray(at, end);
  }

  str() {
    const len = this.u32();
    const at = this.i;
    this.i += len;
    return text(this.b, at, len);
  }

  opt() {
    if (this.v.getUint32(this.i, true) === NONE) {
      this.i += 4;
      return undefined;
    }
    return this.str();
  }

  /**
   * A frame, its headers and body left encoded until read. A large MESSAGE body comes by
   * reference (the length's top bit set): a view of the WebSocket message it ended (the next
   * bit set; no copy), or an address in the core's memory, copied out now, before the core is
   * called again.
   */
  frame(message) {
    const command = this.str();
    const [h] = this.range();
    const f = message ? new Message() : new FrameImpl();
    const len = this.u32();
    if (len >= 0x80000000) {
      const at = this.u32();
      const n = len & 0x3fffffff;
      const input = this.input;
      f._bin = len >= 0xc0000000 ? input.subarray(at, at + n) : new Uint8Array(memory().buffer, at, n).slice();
    } else {
      f._at = this.i;
      this.i += len;
      f._end = this.i;
    }
    f._b = this.b;
    f._h = h;
    f.command = command;
    return f;
  }
}

/**
 * A frame the broker sent (stompjs's `FrameImpl`): `command`, `headers` (a plain object; for a
 * repeated header its first value), `body` (text, decoded once from the bytes; invalid UTF-8
 * becomes U+FFFD), `binaryBody` (the bytes) and `isBinaryBody` (true).
 */
export class FrameImpl {
  get headers() {
    if (this._headers === undefined) {
      const r = new Reader(this._b);
      r.i = this._h;
      const pairs = [];
      for (let n = r.u32(); n > 0; n--) pairs.push(r.str(), r.str());
      const headers = {};
      for (let i = pairs.length - 2; i >= 0; i -= 2) headers[pairs[i]] = pairs[i + 1];
      this._headers = headers;
    }
    return this._headers;
  }

  set headers(value) {
    this._headers = value;
  }

  get binaryBody() {
    if (this._bin === undefined) this._bin = this._b ? this._b.subarray(this._at, this._end) : new Uint8Array(0);
    return this._bin;
  }

  set binaryBody(value) {
    this._bin = value;
  }

  get body() {
    if (this._body === undefined) this._body = decoder.decode(this.binaryBody);
    return this._body;
  }

  set body(value) {
    this._body = value;
  }

  get isBinaryBody() {
    return true;
  }

  /** Nothing to free (a plain object); kept from the releases whose frames lived in wasm memory. */
  free() {}

  /** Acknowledges this MESSAGE (ACK) with extra `headers`; only a MESSAGE can be. */
  ack(headers) {
    this._acknowledge(false, headers);
  }

  /** Refuses this MESSAGE (NACK; STOMP 1.1 and later). */
  nack(headers) {
    this._acknowledge(true, headers);
  }

  _acknowledge() {
    throw new TypeError('only a MESSAGE can be acknowledged');
  }
}

/** A MESSAGE (stompjs's `IMessage`): a frame with `ack()` and `nack()`. */
class Message extends FrameImpl {
  _acknowledge(nack, headers) {
    if (this._id === undefined) throw new TypeError('the MESSAGE has no ack or message-id header');
    this._client._acknowledge(nack, this._id, this._sub, headers, this._on);
  }
}

/** A frame with a command only (one the broker sent where it does not belong). */
export function bare(command) {
  const f = new FrameImpl();
  f.command = command;
  f._headers = {};
  return f;
}
