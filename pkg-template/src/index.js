// The package's JavaScript layer: the API surface of @stomp/stompjs (Client, CompatClient,
// Stomp, Versions, StompHeaders, the enums) over the WebAssembly core, which it loads by
// itself. No init call: `new Client(conf)`, property writes and `activate()` work right after
// `import`; the core is loaded at import (inlined, compressed) and awaited before the first
// socket opens. Everything here is plain JavaScript, so one file serves bundlers, Node (ESM and
// CJS), pages, workers and a classic <script>.
//
// Until the core is there, a client keeps what it is given (properties, activation) and hands
// it over once the core is ready. A core that fails to load is reported to every client that
// is activated, through `debug` and `onWebSocketError`, naming the cause.
import { ready, loadFailure, core as wasm } from './load.js';
import { keepHandlers } from './socket.js';

const noop = () => {};

/** The activation states of stompjs. */
export const ActivationState = Object.freeze({
  ACTIVE: 0,
  DEACTIVATING: 1,
  INACTIVE: 2,
  0: 'ACTIVE',
  1: 'DEACTIVATING',
  2: 'INACTIVE',
});

/** The WebSocket `readyState` values, with stompjs's names. */
export const StompSocketState = Object.freeze({
  CONNECTING: 0,
  OPEN: 1,
  CLOSING: 2,
  CLOSED: 3,
  0: 'CONNECTING',
  1: 'OPEN',
  2: 'CLOSING',
  3: 'CLOSED',
});

/** How the wait before reconnecting grows. */
export const ReconnectionTimeMode = Object.freeze({
  LINEAR: 0,
  EXPONENTIAL: 1,
  0: 'LINEAR',
  1: 'EXPONENTIAL',
});

/** Where heart-beats are timed. */
export const TickerStrategy = Object.freeze({ Interval: 'interval', Worker: 'worker' });

/** STOMP headers, as stompjs's class: a plain object of name → value. */
export class StompHeaders {}

/** The STOMP versions to offer, as stompjs's class. */
export class Versions {
  /** @param {string[]} versions */
  constructor(versions) {
    this.versions = versions;
  }

  /** The `accept-version` value. */
  supportedVersions() {
    return this.versions.join(',');
  }

  /** The WebSocket subprotocols. */
  protocolVersions() {
    return this.versions.map((v) => `v${v.replace('.', '')}.stomp`);
  }
}
Versions.V1_0 = '1.0';
Versions.V1_1 = '1.1';
Versions.V1_2 = '1.2';
Versions.default = new Versions(['1.2', '1.1', '1.0']);

// The properties of StompConfig that are options (kept by the core); the callbacks are own
// properties of the client (below), as in stompjs.
const OPTIONS = {
  brokerURL: undefined,
  brokerURLs: undefined,
  webSocketFactory: undefined,
  stompVersions: undefined,
  connectHeaders: undefined,
  disconnectHeaders: undefined,
  connectionTimeout: 0,
  connectedTimeout: 5000,
  reconnectDelay: 5000,
  maxReconnectDelay: 900000,
  reconnectTimeMode: ReconnectionTimeMode.LINEAR,
  maxReconnectAttempts: -1,
  reconnectJitter: 0,
  heartbeatIncoming: 10000,
  heartbeatOutgoing: 10000,
  heartbeatToleranceMultiplier: 2,
  heartbeatStrategy: TickerStrategy.Interval,
  splitLargeFrames: false,
  maxWebSocketChunkSize: 8 * 1024,
  forceBinaryWSFrames: false,
  batchFrames: false,
  appendMissingNULLonIncoming: false,
  logRawCommunication: false,
  discardWebsocketOnCommFailure: true,
  replaySubscriptions: false,
  resendUnreceipted: false,
  receiptTimeout: 30000,
  limits: undefined,
};
// Object defaults are made per client (a caller may mutate them).
const FRESH = {
  brokerURLs: () => [],
  stompVersions: () => Versions.default,
  connectHeaders: () => ({}),
  disconnectHeaders: () => ({}),
  limits: () => ({}),
};

// Callbacks the core calls; `debug` is handed over only when set (the core skips formatting
// its log lines when there is none), the others always (through the client, so that a later
// assignment takes effect at once and `this` is the client, as in stompjs).
const CALLBACKS = [
  'onConnect',
  'onDisconnect',
  'onStompError',
  'onUnhandledMessage',
  'onUnhandledReceipt',
  'onUnhandledFrame',
  'onWebSocketClose',
  'onWebSocketError',
  'onHeartbeatReceived',
  'onHeartbeatLost',
  'onReconnectScheduled',
];

const NO_CONNECTION = 'There is no underlying STOMP connection';

// The clients created before the core was ready, handed over when it is.
const waiting = new Set();
ready.then(() => {
  for (const client of waiting) {
    try {
      client._attach();
    } catch (e) {
      client.debug(`stompwire: handing the client over to the core failed: ${e && e.message}`);
      console.error(e);
    }
  }
  waiting.clear();
}, (failure) => {
  for (const client of waiting) {
    try {
      client._reportLoadFailure(failure);
    } catch (e) {
      console.error(e); // a callback of that client threw: the others are still told
    }
  }
  waiting.clear(); // a client activated later is told by activate()
});

/** A STOMP client over WebSocket, with the surface of stompjs's `Client`. */
export class Client {
  /** @param {import('../stompwire').StompConfig} [conf] */
  constructor(conf = {}) {
    this._core = undefined;
    this._conf = {};
    this._active = false;
    this._debug = noop;
    this.debug = noop;
    this.beforeConnect = noop;
    this.onChangeState = noop;
    for (const name of CALLBACKS) this[name] = noop;
    if (wasm()) {
      this._attach();
    } else {
      waiting.add(this);
    }
    this.configure(conf);
  }

  // Creates the core client, hands over what this client was given, and activates it when
  // `activate()` was called in the meantime.
  _attach() {
    const Core = wasm();
    const core = new Core({});
    this._core = core;
    core.beforeConnect = () => this.beforeConnect(this);
    for (const name of CALLBACKS) {
      // A callback set to null or undefined is skipped, as the core skips its own.
      core[name] = (arg) => {
        const callback = this[name];
        if (typeof callback === 'function') return callback.call(this, arg);
      };
    }
    this.debug = this._debug;
    const conf = this._conf;
    this._conf = {};
    let refused;
    try {
      core.configure(conf);
      if (this._active) core.activate();
    } catch (e) {
      refused = e;
    }
    // Set after activate(): ACTIVE was reported when activate() was called on this client.
    core.onChangeState = (state) => this.onChangeState(state);
    // Settings made before the core was there are checked only now: a refused one is reported
    // as a failed activation is, not in a debug line alone.
    if (refused) this._reportFailure('the client could not be started', refused);
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
    // Called with the client as `this`; none at all while it is the default, so that the core
    // does not format lines nobody reads.
    if (this._core) this._core.debug = this._debug === noop ? undefined : (line) => this._debug(line);
  }

  /** The WebSocket in use, or `undefined`. */
  get webSocket() {
    return this._core ? this._core.webSocket : undefined;
  }

  /** Whether the STOMP session is open. */
  get connected() {
    return this._core ? this._core.connected : false;
  }

  /** The negotiated STOMP version while connected. */
  get connectedVersion() {
    return this._core ? this._core.connectedVersion : undefined;
  }

  /** Whether the client is `ACTIVE`. */
  get active() {
    return this.state === ActivationState.ACTIVE;
  }

  /** The activation state. */
  get state() {
    if (this._core) return this._core.state;
    return this._active ? ActivationState.ACTIVE : ActivationState.INACTIVE;
  }

  /** Connects, and reconnects whenever the connection is lost. */
  activate() {
    if (this.state === ActivationState.INACTIVE) this._checkDelays();
    if (this._core) return this._core.activate();
    if (this._active) return;
    this._active = true;
    this.onChangeState(ActivationState.ACTIVE);
    const failure = loadFailure();
    if (failure) {
      // Reported as a socket error would be: after this call returns.
      Promise.resolve().then(() => this._reportLoadFailure(failure));
    }
  }

  // stompjs's warning and correction for an exponential backoff capped below its start.
  _checkDelays() {
    const { reconnectDelay, maxReconnectDelay } = this;
    if (this.reconnectTimeMode === ReconnectionTimeMode.EXPONENTIAL && maxReconnectDelay > 0 && maxReconnectDelay < reconnectDelay) {
      this.debug(
        `Warning: maxReconnectDelay (${maxReconnectDelay}ms) is less than reconnectDelay (${reconnectDelay}ms). Using reconnectDelay as the maxReconnectDelay delay.`,
      );
      this.maxReconnectDelay = reconnectDelay;
    }
  }

  _reportLoadFailure(failure) {
    if (!this._active || this._core) return;
    this._reportFailure('the WebAssembly core could not be loaded', failure);
  }

  // Tells an activated client that it will not connect: `debug`, `onWebSocketError` (an
  // Error event naming the cause) and `onChangeState(INACTIVE)`.
  _reportFailure(what, failure) {
    if (!this._active) return;
    const message = `stompwire: ${what}: ${(failure && failure.message) || failure}`;
    this.debug(message);
    const event = new Error(message);
    event.type = 'error';
    event.error = failure;
    this.onWebSocketError(event);
    this._active = false;
    this.onChangeState(ActivationState.INACTIVE);
  }

  /** Disconnects and stops reconnecting; resolves when the socket has closed. */
  async deactivate(options = {}) {
    const core = this._core;
    // `onDisconnect` gets the RECEIPT of DISCONNECT from the core, when the broker sends one.
    if (core) return core.deactivate(options);
    if (!this._active) return;
    this._active = false;
    this.onChangeState(ActivationState.INACTIVE);
  }

  /** Closes the socket without DISCONNECT; the client reconnects if it is active. */
  forceDisconnect() {
    if (this._core) this._core.forceDisconnect();
  }

  _connected() {
    if (!this._core) throw new TypeError(NO_CONNECTION);
    return this._core;
  }

  publish(params) {
    this._connected().publish(params);
  }

  watchForReceipt(receiptId, callback) {
    this._connected().watchForReceipt(receiptId, callback);
  }

  subscribe(destination, callback, headers = {}) {
    return this._connected().subscribe(destination, callback, headers);
  }

  unsubscribe(id, headers = {}) {
    this._connected().unsubscribe(id, headers);
  }

  begin(transactionId) {
    return this._connected().begin(transactionId);
  }

  commit(transactionId) {
    this._connected().commit(transactionId);
  }

  abort(transactionId) {
    this._connected().abort(transactionId);
  }

  ack(messageId, subscriptionId, headers = {}) {
    this._connected().ack(messageId, subscriptionId, headers);
  }

  nack(messageId, subscriptionId, headers = {}) {
    this._connected().nack(messageId, subscriptionId, headers);
  }

  /** Resolves with the CONNECTED frame, now or at the next connection. */
  async whenConnected(timeoutMs) {
    if (!this._core) await ready;
    return this._core.whenConnected(timeoutMs);
  }

  async publishWithReceipt(params, timeoutMs) {
    return this._connected().publishWithReceipt(params, timeoutMs);
  }

  async subscribeWithReceipt(destination, callback, headers = {}, timeoutMs) {
    return this._connected().subscribeWithReceipt(destination, callback, headers, timeoutMs);
  }

  async waitForReceipt(receiptId, timeoutMs) {
    return this._connected().waitForReceipt(receiptId, timeoutMs);
  }
}

for (const name of Object.keys(OPTIONS)) {
  Object.defineProperty(Client.prototype, name, {
    get() {
      if (this._core) return this._core[name];
      if (name in this._conf) return this._conf[name];
      if (!(name in FRESH)) return OPTIONS[name];
      return (this._conf[name] = FRESH[name]());
    },
    set(value) {
      if (this._core) this._core[name] = value;
      else this._conf[name] = value;
    },
    configurable: true,
    enumerable: true,
  });
}

// The factory as given reads back; the core gets one whose sockets keep no-op handlers.
Object.defineProperty(Client.prototype, 'webSocketFactory', {
  get() {
    return this._factory;
  },
  set(factory) {
    this._factory = factory;
    const wrapped = typeof factory === 'function' ? (...args) => keepHandlers(factory(...args)) : factory;
    if (this._core) this._core.webSocketFactory = wrapped;
    else this._conf.webSocketFactory = wrapped;
  },
  configurable: true,
  enumerable: true,
});

/** The `heartbeat` property of `CompatClient`: `incoming` and `outgoing`, in ms. */
class HeartbeatInfo {
  constructor(client) {
    this._client = client;
  }

  get incoming() {
    return this._client.heartbeatIncoming;
  }

  set incoming(ms) {
    this._client.heartbeatIncoming = ms;
  }

  get outgoing() {
    return this._client.heartbeatOutgoing;
  }

  set outgoing(ms) {
    this._client.heartbeatOutgoing = ms;
  }
}

/** stompjs's pre-5 API (`Stomp.over`, `Stomp.client`), on a `Client`. */
export class CompatClient extends Client {
  /** @param {() => any} webSocketFactory */
  constructor(webSocketFactory) {
    super();
    /** No effect (large frames work as they are); kept for stompjs compatibility. */
    this.maxWebSocketFrameSize = 16 * 1024;
    this.reconnectDelay = 0;
    this.webSocketFactory = webSocketFactory;
    this.debug = (...message) => console.log(...message);
    this._heartbeat = new HeartbeatInfo(this);
  }

  // The arguments of `connect`, as [headers, onConnect, onError, onClose].
  _parseConnect(...args) {
    if (args.length < 2) throw new Error('Connect requires at least 2 arguments');
    if (typeof args[1] === 'function') return [args[0], args[1], args[2], args[3]];
    const headers = {};
    let onConnect;
    let onError;
    let onClose;
    let host;
    [headers.login, headers.passcode, onConnect, onError, onClose, host] = args;
    if (args.length === 6) headers.host = host;
    return [headers, onConnect, onError, onClose];
  }

  /**
   * `connect(headers, onConnect[, onError[, onClose]])` or
   * `connect(login, passcode, onConnect[, onError[, onClose[, host]]])`.
   */
  connect(...args) {
    const [headers, onConnect, onError, onClose] = this._parseConnect(...args);
    if (headers) this.connectHeaders = headers;
    if (onConnect) this.onConnect = onConnect;
    if (onError) this.onStompError = onError;
    if (onClose) this.onWebSocketClose = onClose;
    this.activate();
  }

  /** Deactivates; `onDisconnect` gets `disconnectCallback` when given. */
  disconnect(disconnectCallback, headers = {}) {
    if (disconnectCallback) this.onDisconnect = disconnectCallback;
    this.disconnectHeaders = headers;
    this.deactivate();
  }

  /** Publishes a text body; `'content-length': false` in `headers` leaves that header out. */
  send(destination, headers = {}, body = '') {
    headers = Object.assign({}, headers);
    const skipContentLengthHeader = headers['content-length'] === false;
    if (skipContentLengthHeader) delete headers['content-length'];
    this.publish({ destination, headers, body, skipContentLengthHeader });
  }

  set reconnect_delay(ms) {
    this.reconnectDelay = ms;
  }

  get ws() {
    return this.webSocket;
  }

  get version() {
    return this.connectedVersion;
  }

  get onreceive() {
    return this.onUnhandledMessage;
  }

  set onreceive(fn) {
    this.onUnhandledMessage = fn;
  }

  get onreceipt() {
    return this.onUnhandledReceipt;
  }

  set onreceipt(fn) {
    this.onUnhandledReceipt = fn;
  }

  get heartbeat() {
    return this._heartbeat;
  }

  set heartbeat(value) {
    this.heartbeatIncoming = value.incoming;
    this.heartbeatOutgoing = value.outgoing;
  }
}

/** stompjs's factory of `CompatClient`s. */
export class Stomp {
  /** A client of `url`, with `Stomp.WebSocketClass` (else the global `WebSocket`). */
  static client(url, protocols) {
    if (protocols == null) protocols = Versions.default.protocolVersions();
    return new CompatClient(() => new (Stomp.WebSocketClass || WebSocket)(url, protocols));
  }

  /** A client over `ws`: a factory of sockets (reconnects work) or one socket. */
  static over(ws) {
    let factory = ws;
    if (typeof ws !== 'function') {
      console.warn(
        'Stomp.over did not receive a factory, auto reconnect will not work. ' +
          'Pass a function that returns a WebSocket.',
      );
      factory = () => ws;
    }
    return new CompatClient(factory);
  }
}
/** The WebSocket class `Stomp.client` uses (default: the global `WebSocket`). */
Stomp.WebSocketClass = null;

export { StompSubscription, Transaction } from './glue.js';
export { FrameImpl } from './frame.js';
export { Parser } from './parser.js';

/** Resolves once the WebAssembly core is loaded (rejects with the cause when it cannot be). */
export const coreReady = ready;
