// stompjs's `Client` over the WebAssembly core. The core (src/browser/core_api.rs: the
// session and the reconnect supervisor) decides; this file carries out what it decides and owns
// what is only API surface or I/O: the options, the callbacks, the promises, the WebSocket and
// the clock.
//
// Every way in — a socket event, a clock tick, a user call — hands the core what happened and
// takes its answer (records.js): the messages to write are written at once; events and steps
// go into a queue that `_pump` works through in order, handing events to the callbacks with
// nothing held, so a callback may call back in. A call made inside a callback only writes; the
// pump that called the callback carries out the rest. After each step other than an event the
// pump asks the core what comes next (`poll`), so every step is decided with what the previous
// one changed.
import { ready, loadFailure, core as wasm } from './load.js';
import {
  Reader,
  bare,
  WRITE_TEXT,
  WRITE_BINARY,
  DEBUG,
  VALUE,
  THROW,
  DEADLINE,
  CONNECTED,
  MESSAGE,
  RECEIPT,
  RECEIPT_FAILED,
  ERROR,
  HEARTBEAT,
  HEARTBEAT_LOST,
  DISCONNECTED,
  PROTOCOL_ERROR,
  OPEN,
  CLOSE,
  SCHEDULED,
  GAVE_UP,
} from './records.js';
import { Transport, keepHandlers } from './socket.js';
import { Ticker } from './ticker.js';
import { ActivationState, ReconnectionTimeMode, TickerStrategy, Versions } from './enums.js';

const noop = () => {};
const now = () => performance.now();
const encoder = new TextEncoder();
const NO_CONNECTION = 'There is no underlying STOMP connection';
const { ACTIVE, DEACTIVATING, INACTIVE } = ActivationState;

// The options of StompConfig, with their defaults (stompjs's where stompjs has the option) and
// what each holds: N a number, S a string (or nothing), F a function (or nothing), V anything.
// Callbacks are own properties of the client instead, as in stompjs.
const OPTIONS = {
  brokerURL: ['S'],
  brokerURLs: ['V', () => []],
  webSocketFactory: ['F'],
  stompVersions: ['V', () => Versions.default],
  connectHeaders: ['V', () => ({})],
  disconnectHeaders: ['V', () => ({})],
  connectionTimeout: ['N', 0],
  connectedTimeout: ['N', 5000],
  reconnectDelay: ['N', 5000],
  maxReconnectDelay: ['N', 900000],
  reconnectTimeMode: ['N', ReconnectionTimeMode.LINEAR],
  maxReconnectAttempts: ['N', -1],
  reconnectJitter: ['N', 0],
  heartbeatIncoming: ['N', 10000],
  heartbeatOutgoing: ['N', 10000],
  heartbeatToleranceMultiplier: ['N', 2],
  heartbeatStrategy: ['S', TickerStrategy.Interval],
  splitLargeFrames: ['V', false],
  maxWebSocketChunkSize: ['N', 8 * 1024],
  forceBinaryWSFrames: ['V', false],
  batchFrames: ['V', false],
  appendMissingNULLonIncoming: ['V', false],
  logRawCommunication: ['V', false],
  // stompjs's default is false; then a socket to a frozen broker (heart-beats stopped, no FIN)
  // is not reported closed until the browser gives up its close handshake (about 60 s in
  // Chromium), and failover waits that long.
  discardWebsocketOnCommFailure: ['V', true],
  replaySubscriptions: ['V', false],
  resendUnreceipted: ['V', false],
  receiptTimeout: ['N', 30000],
  limits: ['V', () => ({})],
};
const KINDS = { N: 'a number', S: 'a string', F: 'a function' };

const CALLBACKS = [
  'beforeConnect',
  'onConnect',
  'onDisconnect',
  'onStompError',
  'onUnhandledMessage',
  'onUnhandledReceipt',
  'onUnhandledFrame',
  'onWebSocketClose',
  'onWebSocketError',
  'onChangeState',
  'onHeartbeatReceived',
  'onHeartbeatLost',
  'onReconnectScheduled',
];

function named(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}

function stompError(frame) {
  const e = named('StompError', frame.headers.message || 'the broker sent an ERROR frame');
  e.frame = frame;
  return e;
}

const deactivated = () => named('DeactivatedError', 'the client is inactive');

// Headers as the core takes them: each name and value followed by a NUL; `first` (a
// destination) goes first; undefined and null values are left out, others written with String().
function pack(headers, first) {
  let out = first === undefined ? '' : `destination\0${first}\0`;
  if (!headers || typeof headers !== 'object') return out;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value == null || (first !== undefined && name === 'destination')) continue;
    const v = `${value}`;
    if (name.includes('\0') || v.includes('\0')) throw new TypeError(`header ${name} holds a NUL character`);
    out += `${name}\0${v}\0`;
  }
  return out;
}

// A text body's UTF-8: for a body of up to 16 K UTF-16 units, in one 48 KiB buffer reused from
// call to call (the core copies it at once; about 14 % less CPU per publish of 128 B in Node);
// a larger one in its own array, which is not kept.
const scratch = new Uint8Array(3 << 14);
function utf8(text) {
  // UTF-8 takes at most 3 bytes for each UTF-16 unit.
  if (text.length > 1 << 14) return encoder.encode(text);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

function deferred() {
  const d = {};
  d.promise = new Promise((resolve, reject) => {
    d.resolve = resolve;
    d.reject = reject;
  });
  return d;
}

/** What `subscribe` returns: `{ id, unsubscribe(headers) }`. */
export class StompSubscription {
  constructor(client, id) {
    this._client = client;
    this.id = id;
  }

  /** Ends the subscription (UNSUBSCRIBE with extra `headers`). */
  unsubscribe(headers) {
    this._client.unsubscribe(this.id, headers);
  }

  /** Nothing to free; kept from the releases whose handles lived in wasm memory. */
  free() {}
}

/** What `begin` returns: `{ id, commit(), abort() }`. */
export class Transaction {
  constructor(client, id) {
    this._client = client;
    this.id = id;
  }

  commit() {
    this._client.commit(this.id);
  }

  abort() {
    this._client.abort(this.id);
  }

  /** Nothing to free; kept from the releases whose handles lived in wasm memory. */
  free() {}
}

/** A STOMP client over WebSocket, with the surface of stompjs's `Client`. */
// Messages from this size on are read without copying their body into the core.
const ELIDE = 1 << 16;

// Where the body of a large message's first frame starts (after its headers' blank line,
// looked for in the first 64 KiB), or -1.
function bodyStart(bytes) {
  if (bytes.length < ELIDE) return -1;
  const limit = Math.min(bytes.length, ELIDE);
  for (let i = bytes.indexOf(10); i >= 0 && i < limit; i = bytes.indexOf(10, i + 1)) {
    if (bytes[i + 1] === 10) return i + 2;
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return i + 3;
  }
  return -1;
}

export class Client {
  /** @param {import('../stompwire').StompConfig} [conf] */
  constructor(conf = {}) {
    this._o = {};
    this._state = INACTIVE;
    this._core = undefined;
    this._connections = 0; // CONNECTED records read: the connection number of the next MESSAGE
    this._t = undefined; // the current Transport
    this._gen = 0; // counts attempts: a socket's handlers act only while theirs is current
    this._q = []; // events and steps to carry out (from _qi on)
    this._qi = 0;
    this._isOpen = false; // the session is open (as the core's last answer said)
    this._version = undefined;
    this._busy = false; // a pump is carrying them out
    this._deadline = -1;
    this._subs = new Map(); // subscription id → callback
    this._receipts = new Map(); // receipt id → { d, sub, limit }
    this._watchers = new Map(); // receipt id → callback
    this._connecting = []; // whenConnected promises: { d, deadline, limit }
    this._deactivating = [];
    this._disconnectReceipt = undefined;
    this._frame = undefined; // the CONNECTED frame of the open session
    this._reactivate = false;
    this._ticker = new Ticker(() => this._onTick());
    this._debug = noop;
    for (const name of CALLBACKS) this[name] = noop;
    this.configure(conf);
  }

  /** Sets every property `conf` has (stompjs's `Object.assign(this, conf)`). */
  configure(conf) {
    if (conf && typeof conf === 'object') Object.assign(this, conf);
  }

  /** @type {import('../stompwire').debugFnType} */
  get debug() {
    return this._debug;
  }

  set debug(fn) {
    this._debug = fn || noop;
    this._logging();
  }

  // Tells the core whether to write debug lines (none while `debug` is the default).
  _logging() {
    if (this._core) this._core.step(9 /* logging */, (this._debug !== noop ? 1 : 0) + (this.logRawCommunication ? 2 : 0));
  }

  // A `debug` that throws is reported with console.error; the answer being read goes on.
  _say(line) {
    if (this._debug === noop) return;
    try {
      this._debug(line);
    } catch (e) {
      console.error(e);
    }
  }

  // Calls the callback `name` with the client as `this`; one that throws is reported with
  // console.error and does not stop the client.
  _call(name, arg) {
    const f = this[name];
    if (typeof f !== 'function') return undefined;
    try {
      return f.call(this, arg);
    } catch (e) {
      console.error(e);
      return undefined;
    }
  }

  /** The WebSocket in use, or `undefined`. */
  get webSocket() {
    return this._t && this._t.ws;
  }

  /** Whether the STOMP session is open. */
  get connected() {
    return this.connectedVersion !== undefined;
  }

  /** The negotiated STOMP version while connected. */
  get connectedVersion() {
    return this._isOpen ? this._version : undefined;
  }

  /** Whether the client is `ACTIVE`. */
  get active() {
    return this._state === ACTIVE;
  }

  /** The activation state. */
  get state() {
    return this._state;
  }

  // ----- activation ------------------------------------------------------------------------

  /** Connects, and reconnects whenever the connection is lost. */
  activate() {
    if (this._state === DEACTIVATING) {
      this._say('Waiting for deactivation to finish before activating');
      this._reactivate = true;
      return;
    }
    if (this._state === ACTIVE) {
      this._say('Already ACTIVE, ignoring request to activate');
      return;
    }
    this._checkDelays();
    this._state = ACTIVE;
    this._call('onChangeState', ACTIVE);
    if (this._state !== ACTIVE) return;
    if (wasm()) return this._start();
    const failure = loadFailure();
    // Reported as a socket error would be: after this call returns.
    if (failure) Promise.resolve().then(() => this._loadFailed(failure));
    else ready.then(() => this._start(), (e) => this._loadFailed(e));
  }

  // stompjs's warning and correction for an exponential backoff capped below its start.
  _checkDelays() {
    const { reconnectDelay, maxReconnectDelay } = this;
    if (this.reconnectTimeMode === ReconnectionTimeMode.EXPONENTIAL && maxReconnectDelay > 0 && maxReconnectDelay < reconnectDelay) {
      this._say(
        `Warning: maxReconnectDelay (${maxReconnectDelay}ms) is less than reconnectDelay (${reconnectDelay}ms). Using reconnectDelay as the maxReconnectDelay delay.`,
      );
      this.maxReconnectDelay = reconnectDelay;
    }
  }

  // The core of this client, made when first needed once it is loaded.
  _getCore() {
    if (!this._core) {
      const Core = wasm();
      if (!Core) return undefined;
      this._core = new Core();
      this._logging();
    }
    return this._core;
  }

  _start() {
    if (this._state !== ACTIVE) return;
    const core = this._getCore();
    const urls = this._urls();
    const targets = typeof this._factory === 'function' ? 1 : Math.max(urls.length, 1);
    this._pump(core.start(now(), Float64Array.from(this._reconnect(targets), Number), (Math.random() * 4294967296) >>> 0));
  }

  // The reconnect settings as they are now, in the order the core takes them. While active the
  // core reads all but reconnectDelay (stompjs copies that at activate()).
  _reconnect(targets) {
    return [
      this.reconnectDelay,
      this.reconnectTimeMode === ReconnectionTimeMode.EXPONENTIAL ? 1 : 0,
      this.maxReconnectDelay,
      this.reconnectJitter,
      this.maxReconnectAttempts,
      targets,
      this.connectionTimeout,
      this.connectedTimeout,
    ];
  }

  // The core could not be loaded: an activated client is told through debug,
  // onWebSocketError (an Error naming the cause) and INACTIVE.
  _loadFailed(failure) {
    if (this._state !== ACTIVE || this._core) return;
    const message = `stompwire: the WebAssembly core could not be loaded: ${(failure && failure.message) || failure}`;
    this._say(message);
    const event = new Error(message);
    event.type = 'error';
    event.error = failure;
    this._call('onWebSocketError', event);
    this._state = INACTIVE;
    this._call('onChangeState', INACTIVE);
  }

  /** Disconnects and stops reconnecting; resolves when the socket has closed. */
  async deactivate(options = {}) {
    const force = !!(options && options.force);
    const was = this._state;
    if (was === INACTIVE) {
      this._say('Already INACTIVE, nothing more to do');
      return;
    }
    this._state = DEACTIVATING;
    this._reactivate = false;
    if (this._core) this._core.step(7 /* stop */, 0);
    const t = this._t;
    const open = t && t.ws.readyState !== 3;
    this._call('onChangeState', DEACTIVATING);
    if (!open) {
      for (const d of this._becomeInactive()) d.resolve();
      return;
    }
    const d = deferred();
    this._deactivating.push(d);
    if (force) this._drop(true);
    else if (was === ACTIVE) {
      if (this.connected) this._disconnect();
      else this._drop(false);
    }
    return d.promise;
  }

  _disconnect() {
    const [id] = this._apply(this._core.call(6 /* disconnect */, '', pack(this.disconnectHeaders), '', 0, now()));
    this._disconnectReceipt = id;
    this._pump();
  }

  /** Closes the socket without DISCONNECT; the client reconnects if it is active. */
  forceDisconnect() {
    const t = this._t;
    if (t && t.ws.readyState < 2) this._drop(!!this.discardWebsocketOnCommFailure);
  }

  // Ends the connection from this side: the session learns of it now; with `discard` the
  // socket is let go at once and its close is reported now, else it closes normally.
  _drop(discard) {
    const t = this._t;
    if (t) {
      if (discard) t.discard();
      else t.close();
    }
    this._take(this._core.step(2 /* closing */, now()));
    if (discard) {
      this._say('Discarding websocket, the underlying socket may linger for a while');
      this._closed({ type: 'close', code: 4001, reason: 'Connection discarded by the client', wasClean: false });
    }
    this._pump();
  }

  // Goes INACTIVE: the clock stops, every awaited receipt is lost (the core reports each),
  // the connection promises are rejected. Returns the deactivate promises, for the caller to
  // resolve after onWebSocketClose.
  _becomeInactive() {
    this._state = INACTIVE;
    this._ticker.stop();
    const connecting = this._connecting.splice(0);
    if (this._core) this._pump(this._core.step(6 /* shutDown */, now()));
    for (const w of connecting) w.d.reject(deactivated());
    this._call('onChangeState', INACTIVE);
    return this._deactivating.splice(0);
  }

  _giveUp(reason) {
    this._say(`Not connecting any more: ${reason}`);
    for (const w of this._connecting.splice(0)) w.d.reject(reason);
    for (const d of this._becomeInactive()) d.resolve();
  }

  // ----- one attempt -------------------------------------------------------------------------

  _urls() {
    const list = this.brokerURLs;
    return Array.isArray(list) ? list.filter((u) => typeof u === 'string') : [];
  }

  // beforeConnect (awaited when it returns a promise; one that throws or rejects fails the
  // attempt), then the socket. The reconnect settings are read before beforeConnect, as
  // stompjs reads them when its reconnect timer fires; connectionTimeout after it.
  _beginConnect(target) {
    const gen = ++this._gen;
    const before = this.beforeConnect;
    const reconnect = this._reconnect(1);
    if (typeof before !== 'function') return this._open(gen, target, reconnect);
    const failed = (e) => {
      this._say(`beforeConnect failed: ${e}`);
      if (gen === this._gen && this._state === ACTIVE) this._pump(this._core.step(1 /* failed */, now()));
    };
    let result;
    try {
      result = before.call(this, this);
    } catch (e) {
      console.error(e);
      return failed(e);
    }
    if (result && typeof result.then === 'function') result.then(() => this._open(gen, target, reconnect), failed);
    else this._open(gen, target, reconnect);
  }

  // Opens the socket of attempt `gen` to broker list entry `target`, with the options as they
  // are now (beforeConnect may have changed them), and the reconnect settings `reconnect`.
  _open(gen, target, reconnect) {
    if (gen !== this._gen || this._state !== ACTIVE || this._t) {
      this._say('Client has been marked inactive, will not attempt to connect');
      return;
    }
    const core = this._core;
    const limits = this.limits || {};
    const limit = (name) => (typeof limits[name] === 'number' ? limits[name] : NaN);
    const v = this.stompVersions;
    const versions = Array.isArray(v) ? v : v && Array.isArray(v.versions) ? v.versions : [];
    const settings = [
      this.heartbeatOutgoing,
      this.heartbeatIncoming,
      this.heartbeatToleranceMultiplier,
      limit('maxFrameSize'),
      limit('maxBodySize'),
      limit('maxHeaders'),
      limit('maxHeaderLine'),
      limit('maxCommandLength'),
      limits.trimHeaderWhitespace ? 1 : 0,
      this.replaySubscriptions ? 1 : 0,
      this.resendUnreceipted ? 1 : 0,
    ];
    let ws;
    try {
      reconnect[6] = this.connectionTimeout;
      reconnect[7] = this.connectedTimeout;
      // beforeConnect is over: the attempt's time runs from here (stompjs's connectionTimeout).
      settings.push(now(), ...reconnect);
      const protocols = core.prepare(Float64Array.from(settings, Number), versions.join(','), pack(this.connectHeaders));
      this._say('Opening Web Socket...');
      const factory = this._factory;
      if (typeof factory === 'function') {
        ws = keepHandlers(factory());
        if (!ws || typeof ws !== 'object') throw new TypeError('webSocketFactory did not return a WebSocket');
      } else {
        const urls = this._urls();
        const url = urls.length ? urls[target % urls.length] : this.brokerURL;
        if (typeof url !== 'string') throw new Error('Either brokerURL, brokerURLs or webSocketFactory must be provided');
        ws = new WebSocket(url, protocols.split(','));
      }
    } catch (e) {
      this._call('onWebSocketError', e);
      this._pump(core.step(1 /* failed */, now()));
      return;
    }
    const current = (f) => (arg) => {
      if (gen === this._gen && this._t === t) f(arg);
    };
    const t = new Transport(
      ws,
      {
        open: current(() => {
          this._say('Web Socket Opened...');
          this._pump(core.step(0 /* opened */, now()));
        }),
        message: current((event) => this._message(event)),
        close: current((event) => this._closed(event)),
        error: current((event) => this._call('onWebSocketError', event)),
      },
      {
        split: !!this.splitLargeFrames,
        chunk: this.maxWebSocketChunkSize,
        forceBinary: !!this.forceBinaryWSFrames,
        batch: !!this.batchFrames,
      },
    );
    this._t = t;
    try {
      this._ticker.useWorker(this.heartbeatStrategy === TickerStrategy.Worker);
    } catch (e) {
      this._say(`Worker ticker unavailable, using timers: ${e}`);
    }
    // The deadline now includes connectionTimeout, which runs from here.
    this._pump(core.step(8 /* poll */, now()));
  }

  _message(event) {
    const data = event.data;
    const nul = !!this.appendMissingNULLonIncoming;
    const core = this._core;
    this._say('Received data');
    // Received bodies may be views of these bytes: they are this layer's (a fresh encoding, or
    // the socket's own buffer, which it hands over once).
    let bytes;
    if (typeof data === 'string') {
      bytes = encoder.encode(data);
    } else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
      // A view (a Node Buffer, say) may share its memory with other data: its bytes are copied.
      bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : new Uint8Array(data);
    } else {
      this._say('Ignored a message that is neither text nor an ArrayBuffer');
      return;
    }
    // A large MESSAGE: the core reads its head and its end, and its body stays here.
    const at = nul ? -1 : bodyStart(bytes);
    if (at > 0) {
      let end = bytes.length;
      while (end > at && (bytes[end - 1] === 10 || bytes[end - 1] === 13)) end--;
      if (end > at && bytes[end - 1] === 0) {
        const [rest] = this._take(core.elide(bytes.subarray(0, at), end - 1 - at, bytes.subarray(end - 1), now()), bytes);
        if (rest === undefined) return this._pump();
        const tail = bytes.subarray(at);
        return this._pump(core.input(0, '', tail, now()), tail);
      }
    }
    return this._pump(core.input(nul ? 1 : 0, '', bytes, now()), bytes);
  }

  // The socket closed (or was discarded): the session ends if it had not, the close is
  // reported, and the client goes INACTIVE or the supervisor plans the next attempt.
  _closed(event) {
    const t = this._t;
    this._t = undefined;
    if (t) t.detach();
    this._take(this._core.step(3 /* closed */, now()));
    if (t) this._say(`Connection closed to ${t.ws.url}`);
    this._pump();
    const finished = this._state === DEACTIVATING ? this._becomeInactive() : undefined;
    this._call('onWebSocketClose', event);
    if (finished) {
      for (const d of finished) d.resolve();
      if (this._reactivate) {
        this._reactivate = false;
        this.activate();
      }
    } else {
      this._pump(this._core.step(4 /* transportClosed */, now()));
    }
  }

  // Closes the socket because the session is over, or because the attempt took too long.
  _close(timeout, commFailure) {
    const discard = !!this.discardWebsocketOnCommFailure;
    if (!timeout) return this._drop(commFailure && discard);
    this._say('Connection not established in time, closing socket');
    const t = this._t;
    if (t) {
      // A socket already closing ends the attempt with its close event.
      if (t.ws.readyState < 2) this._drop(discard);
    } else {
      // Still in beforeConnect: that attempt is over.
      this._gen++;
      this._take(this._core.step(4 /* transportClosed */, now()));
    }
  }

  // ----- the loop ----------------------------------------------------------------------------

  // Takes one answer of the core: writes now, debug lines now, events and steps queued;
  // returns the call's values (throws its error).
  _take(bytes, input) {
    const r = new Reader(bytes, input);
    const values = [];
    let error;
    while (r.more()) {
      const tag = r.u8();
      switch (tag) {
        case WRITE_TEXT:
        case WRITE_BINARY: {
          const b = r.bytes();
          if (this._t) {
            try {
              this._t.send(b, tag === WRITE_BINARY);
            } catch {
              this._say('WebSocket refused a frame');
            }
          }
          break;
        }
        case DEBUG:
          this._say(r.str());
          break;
        case VALUE:
          values.push(r.str());
          break;
        case THROW: {
          const kind = r.u8();
          const text = r.str();
          error = kind === 2 ? named('StaleMessageError', text) : new (kind ? TypeError : Error)(text);
          break;
        }
        case DEADLINE:
          this._deadline = r.f64();
          this._isOpen = r.u8() === 1;
          break;
        default:
          this._q.push(this._item(tag, r));
      }
    }
    if (error) throw error;
    return values;
  }

  // An event or step record, read.
  _item(tag, r) {
    switch (tag) {
      case CONNECTED:
        this._connections++; // the core's connection number (packed.rs)
        return [tag, r.str(), r.frame()];
      case MESSAGE: {
        const sub = r.opt();
        const id = r.opt();
        const acked = r.opt();
        const m = r.frame(true);
        m._client = this;
        m._id = id;
        m._sub = acked;
        m._on = this._connections; // given back to the core's ack: a stale one is refused
        return [tag, sub, m];
      }
      case RECEIPT:
        return [tag, r.str(), r.frame()];
      case RECEIPT_FAILED: {
        const kind = r.u8();
        const id = r.str();
        return [tag, id, kind, kind === 1 ? r.frame() : kind === 3 ? r.str() : undefined];
      }
      case ERROR:
        return [tag, r.frame()];
      case HEARTBEAT_LOST:
      case SCHEDULED:
        return [tag, r.f64()];
      case DISCONNECTED: {
        const refused = r.u8() ? r.frame() : undefined;
        const receipt = r.u8() ? r.frame() : undefined;
        const kept = [];
        for (let n = r.u32(); n > 0; n--) kept.push(r.str());
        return [tag, refused, receipt, kept];
      }
      case PROTOCOL_ERROR:
        return [tag, r.str(), r.opt()];
      case OPEN:
      case GAVE_UP:
        return [tag, r.u32()];
      case CLOSE:
        return [tag, r.u8(), r.u8()];
      default:
        return [tag];
    }
  }

  // Takes `bytes` (if given) and, unless a pump is already running, carries out what is
  // queued, then arms the clock.
  _pump(bytes, input) {
    if (bytes) this._take(bytes, input);
    if (this._busy) return;
    this._busy = true;
    try {
      while (this._qi < this._q.length) {
        const item = this._q[this._qi++];
        if (item[0] < OPEN) {
          this._event(item);
        } else {
          this._step(item);
          if (this._core) this._take(this._core.step(8 /* poll */, now()));
        }
      }
    } finally {
      this._q = [];
      this._qi = 0;
      this._busy = false;
    }
    this._rearm();
  }

  _step([tag, a, b]) {
    switch (tag) {
      case OPEN:
        return this._beginConnect(a);
      case CLOSE:
        return this._close(!!a, !!b);
      case SCHEDULED:
        this._say(`STOMP: scheduling reconnection in ${a}ms`);
        return this._call('onReconnectScheduled', a);
      case GAVE_UP:
        return this._giveUp(named('GaveUpError', `gave up after ${a} connection attempts`));
    }
  }

  // A session event to the callbacks and promises it concerns.
  _event([tag, a, b, c]) {
    switch (tag) {
      case CONNECTED: {
        this._version = a;
        this._frame = b;
        for (const w of this._connecting.splice(0)) w.d.resolve(b);
        return this._call('onConnect', b);
      }
      case MESSAGE: {
        const callback = a === undefined ? undefined : this._subs.get(a);
        if (!callback) return this._call('onUnhandledMessage', b);
        try {
          callback(b);
        } catch (e) {
          console.error(e);
        }
        return;
      }
      case RECEIPT:
        return this._receipt(a, b);
      case RECEIPT_FAILED: {
        const p = this._receipts.get(a);
        if (!p) return;
        this._receipts.delete(a);
        const error =
          b === 0
            ? named('TimeoutError', `no RECEIPT for ${a} within ${p.limit} ms`)
            : b === 1
              ? stompError(c)
              : b === 2
                ? deactivated()
                : b === 3
                  ? new Error(c)
                  : named('ConnectionClosedError', `the connection closed before the RECEIPT for ${a} came`);
        return p.d.reject(error);
      }
      case ERROR:
        return this._call('onStompError', a);
      case HEARTBEAT:
        this._say('<<< PONG');
        return this._call('onHeartbeatReceived');
      case HEARTBEAT_LOST:
        this._say(`did not receive server activity for the last ${a}ms`);
        return this._call('onHeartbeatLost');
      case DISCONNECTED: {
        this._frame = undefined;
        this._disconnectReceipt = undefined;
        for (const id of [...this._subs.keys()]) if (!c.includes(id)) this._subs.delete(id);
        this._watchers.clear();
        if (a) {
          const error = stompError(a);
          for (const w of this._connecting.splice(0)) w.d.reject(error);
        }
        // The broker confirmed DISCONNECT: stompjs hands its RECEIPT to onDisconnect.
        if (b) this._call('onDisconnect', b);
        return;
      }
      case PROTOCOL_ERROR:
        this._say(`Closing the connection: ${a}`);
        if (b) this._call('onUnhandledFrame', bare(b));
    }
  }

  _receipt(id, frame) {
    if (id === this._disconnectReceipt) {
      // DISCONNECT's: onDisconnect gets it when the session ends.
      this._disconnectReceipt = undefined;
      return;
    }
    const p = this._receipts.get(id);
    const watcher = this._watchers.get(id);
    this._receipts.delete(id);
    this._watchers.delete(id);
    if (p) p.d.resolve(p.sub === undefined ? frame : new StompSubscription(this, p.sub));
    if (watcher) {
      try {
        watcher(frame);
      } catch (e) {
        console.error(e);
      }
    }
    if (!p && !watcher) this._call('onUnhandledReceipt', frame);
  }

  // Arms the clock for the earliest deadline: the core's, or a connection promise's.
  _rearm() {
    let next = this._deadline >= 0 ? this._deadline : undefined;
    for (const w of this._connecting) if (w.deadline !== undefined && (next === undefined || w.deadline < next)) next = w.deadline;
    if (this._state === INACTIVE && !this._connecting.length && !this._receipts.size) next = undefined;
    this._ticker.arm(next, now());
  }

  _onTick() {
    this._ticker.fired();
    const t = now();
    const due = this._connecting.filter((w) => w.deadline !== undefined && w.deadline <= t);
    this._connecting = this._connecting.filter((w) => !due.includes(w));
    for (const w of due) w.d.reject(named('TimeoutError', `not connected within ${w.limit} ms`));
    if (this._core) this._pump(this._core.step(5 /* tick */, t));
    else this._rearm();
  }

  // ----- the user's STOMP calls ----------------------------------------------------------------

  _need() {
    if (!this._core) throw new TypeError(NO_CONNECTION);
    return this._core;
  }

  // A user call's answer: written now; the clock armed unless a pump runs.
  _apply(bytes) {
    try {
      return this._take(bytes);
    } finally {
      if (!this._busy) this._rearm();
    }
  }

  _send(params, receipt) {
    const core = this._need();
    const { destination, headers, body, binaryBody, skipContentLengthHeader } = params || {};
    if (typeof destination !== 'string') throw new TypeError('publish needs a destination');
    const h = pack(headers, destination);
    const binary = binaryBody instanceof Uint8Array;
    // stompjs always writes content-length for a binary body.
    const bytes = binary ? binaryBody : utf8(body == null ? '' : `${body}`);
    return this._apply(core.input(2 + (!binary && skipContentLengthHeader ? 1 : 0) + (receipt ? 2 : 0), h, bytes, now()));
  }

  /** Sends a message: `{ destination, headers, body, binaryBody, skipContentLengthHeader }`. */
  publish(params) {
    this._send(params, false);
  }

  _subscribe(destination, callback, headers, receipt) {
    const values = this._apply(this._need().call(0 /* subscribe */, `${destination}`, pack(headers), '', receipt ? 1 : 0, now()));
    this._subs.delete(values[0]);
    this._subs.set(values[0], callback);
    return values;
  }

  /** Subscribes to `destination`; `callback` receives each message. */
  subscribe(destination, callback, headers = {}) {
    return new StompSubscription(this, this._subscribe(destination, callback, headers, false)[0]);
  }

  /** Ends the subscription `id`. */
  unsubscribe(id, headers = {}) {
    const core = this._need();
    this._subs.delete(id);
    this._apply(core.call(1 /* unsubscribe */, `${id}`, pack(headers), '', 0, now()));
  }

  /** Begins a transaction (`transactionId`, or a generated one). */
  begin(transactionId) {
    const given = transactionId != null;
    const id = given ? `${transactionId}` : '';
    return new Transaction(this, this._apply(this._need().call(2 /* begin */, id, '', '', given ? 1 : 0, now()))[0]);
  }

  commit(transactionId) {
    this._apply(this._need().call(3 /* commit */, `${transactionId}`, '', '', 0, now()));
  }

  abort(transactionId) {
    this._apply(this._need().call(4 /* abort */, `${transactionId}`, '', '', 0, now()));
  }

  // `on`: the connection the MESSAGE came on (message.ack()), -1 for the id form.
  _acknowledge(nack, messageId, subscriptionId, headers, on = -1) {
    const sub = subscriptionId == null ? '' : `${subscriptionId}`;
    this._apply(this._need().call(nack ? 8 : 7, `${messageId}`, sub, pack(headers), on, now()));
  }

  ack(messageId, subscriptionId, headers = {}) {
    this._acknowledge(false, messageId, subscriptionId, headers);
  }

  nack(messageId, subscriptionId, headers = {}) {
    this._acknowledge(true, messageId, subscriptionId, headers);
  }

  /** Calls `callback` with the RECEIPT whose `receipt-id` is `receiptId`. */
  watchForReceipt(receiptId, callback) {
    if (!this.connected) throw new TypeError(NO_CONNECTION);
    this._watchers.set(receiptId, callback);
  }

  // A promise for receipt `id` within `limit` ms (0: none); the core keeps the deadline,
  // across reconnects. `sub`: resolve with that subscription instead of the frame.
  _wait(id, limit, sub) {
    const old = this._receipts.get(id);
    if (old) old.d.reject(new Error('another promise now waits for this receipt id'));
    const d = deferred();
    limit = Math.max(0, Number(limit) || 0);
    this._receipts.set(id, { d, sub, limit });
    this._apply(this._need().call(5 /* expect */, id, '', '', limit, now()));
    return d.promise;
  }

  _limit(timeoutMs) {
    return timeoutMs == null ? this.receiptTimeout : timeoutMs;
  }

  /** Resolves with the CONNECTED frame, now or at the next connection. */
  async whenConnected(timeoutMs) {
    if (!wasm()) await ready;
    if (this._frame && this.connected) return this._frame;
    const d = deferred();
    const limit = Math.max(0, Number(timeoutMs) || 0);
    this._connecting.push({ d, limit, deadline: limit > 0 ? now() + limit : undefined });
    this._rearm();
    return d.promise;
  }

  /** Sends a message and resolves with the broker's RECEIPT for it. */
  async publishWithReceipt(params, timeoutMs) {
    const limit = this._limit(timeoutMs);
    const [id] = this._send(params, true);
    return this._wait(id, limit);
  }

  /** Subscribes; resolves with the subscription once the broker's RECEIPT for it comes. */
  async subscribeWithReceipt(destination, callback, headers = {}, timeoutMs) {
    const limit = this._limit(timeoutMs);
    const [id, receipt] = this._subscribe(destination, callback, headers, true);
    return this._wait(receipt, limit, id);
  }

  /** Resolves with the RECEIPT whose `receipt-id` is `receiptId`. */
  async waitForReceipt(receiptId, timeoutMs) {
    return this._wait(`${receiptId}`, this._limit(timeoutMs));
  }
}

for (const name of Object.keys(OPTIONS)) {
  const [kind, fallback] = OPTIONS[name];
  Object.defineProperty(Client.prototype, name, {
    get() {
      if (name in this._o) return this._o[name];
      if (typeof fallback !== 'function') return fallback;
      return (this._o[name] = fallback()); // object defaults per client: a caller may mutate them
    },
    set(value) {
      const absent = value == null;
      if ((kind === 'N' && typeof value !== 'number') || (kind === 'S' && !absent && typeof value !== 'string') || (kind === 'F' && !absent && typeof value !== 'function')) {
        throw new TypeError(`${name} must be ${KINDS[kind]}`);
      }
      this._o[name] = value;
      if (name === 'logRawCommunication') this._logging();
    },
    configurable: true,
    enumerable: true,
  });
}

// The factory as given reads back; sockets it makes keep no-op handlers (socket.js).
Object.defineProperty(Client.prototype, 'webSocketFactory', {
  get() {
    return this._factory;
  },
  set(factory) {
    if (factory != null && typeof factory !== 'function') throw new TypeError('webSocketFactory must be a function');
    this._factory = factory;
  },
  configurable: true,
  enumerable: true,
});
