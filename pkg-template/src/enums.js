// The enums and small classes of stompjs's API: activation and socket states, reconnect
// modes, ticker strategies, StompHeaders and Versions.

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
