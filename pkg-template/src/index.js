// The package's JavaScript layer: the API surface of @stomp/stompjs (Client, CompatClient,
// Stomp, Versions, StompHeaders, the enums, FrameImpl, Parser) over the WebAssembly core,
// which it loads by itself. No init call: `new Client(conf)`, property writes and `activate()`
// work right after `import`; the core is loaded at import (inlined, compressed) and awaited
// before the first socket opens. Everything here is plain JavaScript, so one file serves
// bundlers, Node (ESM and CJS), pages, workers and a classic <script>.
//
// The core (src/browser/core_api.rs) holds the codec, the session and the reconnect
// supervisor; this layer owns the options, callbacks, promises, the WebSocket and the timers,
// and carries out what the core decides (client.js). A core that fails to load is reported to
// every client that is activated, through `debug` and `onWebSocketError`, naming the cause.
// The core's bytes come first in the bundle: gzip then finds the layer's own code in one
// stretch after them (the minimal app is 784 B smaller than with the bytes in between).
import './wasm-data.js';
import { ready } from './load.js';

export { ActivationState, StompSocketState, ReconnectionTimeMode, TickerStrategy, StompHeaders, Versions } from './enums.js';
export { Client, StompSubscription, Transaction } from './client.js';
export { CompatClient, Stomp } from './compat.js';
export { FrameImpl } from './frame.js';
export { Parser } from './parser.js';

/** Resolves once the WebAssembly core is loaded (rejects with the cause when it cannot be). */
export const coreReady = ready;
