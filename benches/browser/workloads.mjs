// The workloads of the browser benchmark, the same code in a page and in Node: one client
// (stompwire, @stomp/stompjs, or the raw-WebSocket floor) subscribes to a topic of its own and
// publishes to it; every body carries its send time, so each delivery gives a latency.
//
//   flood   `count` messages of `size` bytes, published as fast as the client takes them
//           (`burst` per event-loop turn), until all are delivered or `limitMs` passes
//   paced   `rate` messages per second of `size` bytes for `seconds`
//
// A run is prepared (connect, subscribe, a warm-up of WARMUP round trips) and then measured:
// the caller reads CPU time before and after `measure`.

/** The workloads, by name. */
export const WORKLOADS = {
  'flood-50000x128': { kind: 'flood', count: 50000, size: 128, burst: 100, limitMs: 90000 },
  'flood-5000x16k': { kind: 'flood', count: 5000, size: 16384, burst: 10, limitMs: 90000 },
  'paced-1000/s-x128': { kind: 'paced', rate: 1000, seconds: 5, size: 128, limitMs: 20000 },
};

const WARMUP = 200;
const HEADERS = { login: 'guest', passcode: 'guest', host: '/' };

const now = () => performance.now();

// One event-loop turn: a macrotask without the timer clamp of nested setTimeout(0).
function nextTurn() {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(0);
  });
}

// A body of `size` bytes starting with the send time (ms, parseFloat reads it back).
function body(size) {
  return now().toFixed(3).padEnd(size, 'x');
}

/**
 * A client of the stompjs API (stompwire or @stomp/stompjs): `Client` is its class, `extra`
 * more options (stompwire's `batchFrames`).
 */
export function stompClient(Client, brokerURL, extra = {}) {
  return {
    connect(destination, onBody) {
      return new Promise((resolve, reject) => {
        const client = new Client({
          brokerURL,
          ...extra,
          connectHeaders: HEADERS,
          heartbeatIncoming: 0,
          heartbeatOutgoing: 0,
          reconnectDelay: 0,
        });
        client.onConnect = () => {
          client.subscribe(destination, (m) => onBody(m.body));
          this.client = client;
          resolve();
        };
        client.onStompError = (f) => reject(new Error(`STOMP error: ${f.headers.message}`));
        client.onWebSocketClose = () => reject(new Error('socket closed'));
        client.activate();
      });
    },
    publish(destination, text) {
      this.client.publish({ destination, body: text });
    },
    close() {
      return this.client.deactivate();
    },
  };
}

/** The floor: a raw WebSocket, pre-encoded STOMP frames, one frame per message. */
export function rawClient(brokerURL, WebSocketClass = globalThis.WebSocket) {
  let ws;
  let prefix = '';
  return {
    connect(destination, onBody) {
      prefix = `SEND\ndestination:${destination}\ncontent-type:text/plain\ncontent-length:`;
      return new Promise((resolve, reject) => {
        ws = new WebSocketClass(brokerURL, ['v12.stomp']);
        // RabbitMQ Web-STOMP may answer in binary messages: decoded as the libraries do.
        ws.binaryType = 'arraybuffer';
        const decoder = new TextDecoder();
        let carry = '';
        let connected = false;
        ws.onopen = () =>
          ws.send('CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\npasscode:guest\nheart-beat:0,0\n\n\0');
        ws.onmessage = (e) => {
          const data = typeof e.data === 'string' ? e.data : decoder.decode(e.data);
          const frames = (carry + data).split('\0');
          carry = frames.pop();
          for (let f of frames) {
            f = f.replace(/^\n+/, '');
            if (f.startsWith('MESSAGE')) {
              onBody(f.slice(f.indexOf('\n\n') + 2));
            } else if (f.startsWith('CONNECTED') && !connected) {
              connected = true;
              ws.send(`SUBSCRIBE\nid:0\ndestination:${destination}\nack:auto\n\n\0`);
              resolve();
            } else if (f.startsWith('ERROR')) {
              reject(new Error(f));
            }
          }
        };
        ws.onclose = () => reject(new Error('socket closed'));
      });
    },
    publish(_destination, text) {
      // The body is ASCII: its length is its byte count.
      ws.send(`${prefix}${text.length}\n\n${text}\0`);
    },
    close() {
      ws.onclose = null;
      ws.send('DISCONNECT\n\n\0');
      ws.close();
    },
  };
}

/** Connects, subscribes and warms up; resolves to the state `measure` takes. */
export async function prepare(client, destination) {
  const state = { client, destination, received: 0, latencies: [], onDone: null, target: 0 };
  await client.connect(destination, (text) => {
    state.latencies.push(now() - parseFloat(text));
    state.received += 1;
    if (state.received === state.target && state.onDone) state.onDone();
  });
  await roundTrips(state, WARMUP, 128);
  return state;
}

async function roundTrips(state, count, size) {
  state.received = 0;
  state.latencies = [];
  state.target = count;
  const done = new Promise((r) => {
    state.onDone = r;
  });
  for (let i = 0; i < count; i++) state.client.publish(state.destination, body(size));
  await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error('warm-up timed out')), 20000))]);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs workload `w` on a prepared state; resolves to its figures. */
export async function measure(state, w) {
  const total = w.kind === 'flood' ? w.count : w.rate * w.seconds;
  state.received = 0;
  state.latencies = [];
  state.target = total;
  let finished;
  const done = new Promise((r) => {
    state.onDone = r;
  });
  const started = now();
  let sent = 0;
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    state.onDone?.();
  }, w.limitMs);
  if (w.kind === 'flood') {
    while (sent < total && !timedOut) {
      const end = Math.min(total, sent + w.burst);
      for (; sent < end; sent++) state.client.publish(state.destination, body(w.size));
      await nextTurn();
    }
  } else {
    await new Promise((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((now() - started) * w.rate) / 1000));
        for (; sent < due; sent++) state.client.publish(state.destination, body(w.size));
        if (sent >= total || timedOut) {
          clearInterval(tick);
          resolve();
        }
      }, 5);
    });
  }
  await done;
  finished = now();
  clearTimeout(limit);
  const sorted = Float64Array.from(state.latencies).sort();
  return {
    sent,
    delivered: state.received,
    timedOut,
    elapsedMs: finished - started,
    msgPerSec: (state.received * 1000) / (finished - started),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}
