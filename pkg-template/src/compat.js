// stompjs's pre-5 API: CompatClient (connect/disconnect/send and the old property names) and
// the Stomp factory (Stomp.over, Stomp.client), on the package's Client.
import { Client } from './client.js';
import { Versions } from './enums.js';

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

let webSocketClass = null;

/** stompjs's factory of `CompatClient`s. */
export class Stomp {
  /** The WebSocket class `Stomp.client` uses (default: the global `WebSocket`). An accessor,
   * not an assignment after the class, so that an app that never names Stomp does not ship it. */
  static get WebSocketClass() {
    return webSocketClass;
  }

  static set WebSocketClass(value) {
    webSocketClass = value;
  }

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

