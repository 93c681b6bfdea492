// The npm package's JavaScript layer, in Node 20 with `ws`, against RabbitMQ Web-STOMP: what
// the layer itself carries out now that the WebAssembly core holds only the session, the
// supervisor and the codec — receipts as promises, batchFrames, limits, brokerURLs failover,
// subscription replay, the ack of a message from a dropped connection refused, beforeConnect
// (setting the broker; failing), the Worker ticker's fallback, and that a finished client can
// be garbage-collected.
//
//   node --expose-gc tests/page/package.mjs PKG_NPM_DIR
//
// Environment: STOMPWIRE_RABBIT_WS (default ws://127.0.0.1:15674/ws), SW_NODE_MODULES (ws).
// Prints one line per check and `package: N passed, M failed`; exit status 0 when all passed.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireTool, watchdog } from './lib.mjs';

watchdog(120000, 'package checks');
const pkgDir = process.argv[2];
if (!pkgDir) {
  console.error('usage: node --expose-gc tests/page/package.mjs PKG_NPM_DIR');
  process.exit(2);
}
const StompJs = await import(pathToFileURL(join(resolve(pkgDir), 'stompwire.mjs')).href);
const WebSocket = requireTool('ws');
// Clients without a webSocketFactory open the global WebSocket (Node 20 has none).
globalThis.WebSocket ??= WebSocket;
const broker = process.env.STOMPWIRE_RABBIT_WS || 'ws://127.0.0.1:15674/ws';
const PROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'];
const uid = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail === '' ? '' : ` — ${detail}`}`);
}

function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// A client of the broker with ws sockets; `sends` counts the WebSocket messages written.
function client(extra = {}) {
  const counter = { sends: 0, sockets: 0 };
  const c = new StompJs.Client({
    connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
    reconnectDelay: 0,
    webSocketFactory: () => {
      counter.sockets++;
      const ws = new WebSocket(broker, PROTOCOLS);
      const send = ws.send.bind(ws);
      ws.send = (data) => {
        counter.sends++;
        send(data);
      };
      return ws;
    },
    ...extra,
  });
  c.counter = counter;
  return c;
}

async function up(c, what) {
  c.activate();
  return within(c.whenConnected(), 10000, what);
}

async function scenario(name, run) {
  try {
    await run();
  } catch (e) {
    check(`${name}: ran to the end`, false, e && e.stack);
  }
}

await StompJs.coreReady;

await scenario('receipts', async () => {
  const c = client();
  const frame = await up(c, 'CONNECTED (whenConnected)');
  check('whenConnected resolves with the CONNECTED frame', frame.command === 'CONNECTED' && c.connected, frame.command);
  const queue = `/queue/stompwire-pkgjs-${uid()}`;
  const got = [];
  const sub = await within(c.subscribeWithReceipt(queue, (m) => got.push(m.body)), 5000, 'the SUBSCRIBE receipt');
  check('subscribeWithReceipt resolves with the subscription', sub instanceof StompJs.StompSubscription && typeof sub.id === 'string');
  const receipt = await within(c.publishWithReceipt({ destination: queue, body: 'r1' }), 5000, 'the SEND receipt');
  check('publishWithReceipt resolves with the RECEIPT frame', receipt.command === 'RECEIPT' && typeof receipt.headers['receipt-id'] === 'string');
  const timedOut = await c.waitForReceipt(`never-${uid()}`, 200).then(() => null, (e) => e);
  check('waitForReceipt rejects with a TimeoutError naming the limit', timedOut && timedOut.name === 'TimeoutError' && /200 ms/.test(timedOut.message), timedOut && timedOut.message);
  const pending = c.waitForReceipt(`lost-${uid()}`, 0);
  await c.deactivate();
  const lost = await pending.then(() => null, (e) => e);
  check('a receipt still awaited when the connection ends is rejected (ConnectionClosedError)', lost && lost.name === 'ConnectionClosedError', lost && lost.name);
  check('the message arrived before deactivate', got.includes('r1'), got.join());
  const d = client({ webSocketFactory: () => new WebSocket('ws://127.0.0.1:9/nothing') });
  d.activate();
  const waiting = d.whenConnected();
  await d.deactivate();
  const stopped = await waiting.then(() => null, (e) => e);
  check('whenConnected is rejected with a DeactivatedError at deactivate', stopped && stopped.name === 'DeactivatedError', stopped && stopped.name);
});

// A client on a scripted socket (in memory, no broker), CONNECTED (1.2) already read.
async function memoryClient(options) {
  let ws;
  const c = new StompJs.Client({
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
    reconnectDelay: 0,
    ...options,
    webSocketFactory: () => (ws = { readyState: 0, url: 'memory://', send() {}, close() {} }),
  });
  const up = new Promise((r) => (c.onConnect = r));
  c.activate();
  for (let i = 0; i < 50 && !ws; i++) await sleep(2);
  ws.readyState = 1;
  ws.onopen({});
  ws.onmessage({ data: 'CONNECTED\nversion:1.2\n\n\0' });
  await up;
  return { c, ws };
}

await scenario('large bodies', async () => {
  // A scripted socket (in memory, no broker): large MESSAGE bodies come out of the core by
  // reference — a view of the message they end, or copied out of the core's memory when
  // another frame follows — and must arrive intact either way, and stay intact after later
  // messages.
  const { c, ws } = await memoryClient({});
  const enc = new TextEncoder();
  const got = [];
  c.subscribe('/queue/big', (m) => got.push(m));
  const message = (fill, n) => {
    const head = enc.encode(`MESSAGE\ndestination:/queue/big\nsubscription:sub-0\nmessage-id:${fill}\ncontent-length:${n}\n\n`);
    const out = new Uint8Array(head.length + n + 2);
    out.set(head);
    out.fill(fill, head.length, head.length + n);
    out[out.length - 1] = 10; // NUL, then an EOL as RabbitMQ writes
    return out;
  };
  const joined = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  ws.onmessage({ data: joined(message(1, 100000), message(2, 70000)).buffer }); // by address, then by offset
  ws.onmessage({ data: message(3, 30000).buffer });
  ws.onmessage({ data: new TextDecoder().decode(message(65, 20000)) }); // a text message
  const intact = (m, fill, n) => m && m.binaryBody.length === n && m.binaryBody.every((b) => b === fill);
  check(
    'large bodies arrive intact, whether the core names them by address or by offset',
    got.length === 4 && intact(got[0], 1, 100000) && intact(got[1], 2, 70000) && intact(got[2], 3, 30000) && got[3].body === 'A'.repeat(20000),
    got.map((m) => m.binaryBody.length).join(),
  );
  // From 64 KiB on, one MESSAGE per WebSocket message: the core reads its head and its end
  // only, and the body is a view of the socket's own buffer. Heart-beats before it, a text
  // message, CRLF headers, and a frame without content-length take the usual way.
  const alone = message(4, 300000);
  ws.onmessage({ data: alone.buffer });
  ws.onmessage({ data: joined(enc.encode('\n\n'), message(5, 90000)).buffer });
  ws.onmessage({ data: new TextDecoder().decode(message(66, 80000)) });
  const crlf = joined(enc.encode('MESSAGE\r\ndestination:/queue/big\r\nsubscription:sub-0\r\nmessage-id:c\r\ncontent-length:70000\r\n\r\n'), new Uint8Array(70000).fill(6), enc.encode('\0'));
  ws.onmessage({ data: crlf.buffer });
  const counted = (fill, n) => joined(enc.encode(`MESSAGE\ndestination:/queue/big\nsubscription:sub-0\nmessage-id:u${fill}\n\n`), new Uint8Array(n).fill(fill), enc.encode('\0'));
  ws.onmessage({ data: counted(7, 80000).buffer });
  check(
    'a large MESSAGE alone in its WebSocket message arrives intact, its body a view of the socket\'s buffer',
    got.length === 9 && intact(got[4], 4, 300000) && got[4].binaryBody.buffer === alone.buffer,
    got.map((m) => m.binaryBody.length).join(),
  );
  check(
    'heart-beats before it, a text message, CRLF headers and a body without content-length still arrive intact',
    intact(got[5], 5, 90000) && got[6] && got[6].body === 'B'.repeat(80000) && intact(got[7], 6, 70000) && intact(got[8], 7, 80000),
    got.slice(5).map((m) => m.binaryBody.length).join(),
  );
  check('the bodies given out earlier are still intact', intact(got[0], 1, 100000) && intact(got[4], 4, 300000));
  await c.deactivate({ force: true });
});

await scenario('large body with raw logging', async () => {
  // With logRawCommunication the core reads a large MESSAGE's bytes as they came: head first,
  // then the rest — the body intact, the headers kept.
  const { c, ws } = await memoryClient({ logRawCommunication: true, debug: () => {} });
  const got = [];
  c.subscribe('/queue/raw', (m) => got.push(m));
  const head = new TextEncoder().encode('MESSAGE\ndestination:/queue/raw\nsubscription:sub-0\nmessage-id:r1\ncontent-length:100000\n\n');
  const data = new Uint8Array(head.length + 100001);
  data.set(head);
  data.fill(9, head.length, head.length + 100000);
  ws.onmessage({ data: data.buffer });
  const m = got[0];
  check(
    'a large MESSAGE with raw logging on arrives intact, its headers kept',
    got.length === 1 && m.headers['message-id'] === 'r1' && m.binaryBody.length === 100000 && m.binaryBody.every((b) => b === 9),
    got.length ? `${m.binaryBody.length} B` : 'nothing',
  );
  await c.deactivate({ force: true });
});

await scenario('large body through the broker', async () => {
  const c = client();
  await up(c, 'CONNECTED (large body)');
  const queue = `/queue/stompwire-pkgjs-big-${uid()}`;
  let got;
  const arrived = new Promise((r) => c.subscribe(queue, (m) => r((got = m))));
  await sleep(100);
  const bytes = new Uint8Array(200000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 13 + 5) & 0xff;
  c.publish({ destination: queue, binaryBody: bytes });
  await within(arrived, 10000, 'the 200 kB message');
  const same = got.binaryBody.length === bytes.length && got.binaryBody.every((b, i) => b === bytes[i]);
  check('a 200 kB binary body round-trips through RabbitMQ intact', same, `${got.binaryBody.length} B`);
  await c.deactivate();
});

await scenario('batchFrames', async () => {
  const c = client({ batchFrames: true });
  await up(c, 'CONNECTED (batchFrames)');
  const queue = `/queue/stompwire-pkgjs-batch-${uid()}`;
  const got = [];
  let all;
  const done = new Promise((r) => (all = r));
  c.subscribe(queue, (m) => {
    got.push(m.body);
    if (got.length === 50) all();
  });
  await sleep(100);
  const before = c.counter.sends;
  for (let i = 0; i < 50; i++) c.publish({ destination: queue, body: `b${i}` });
  await within(done, 10000, '50 batched messages');
  const sends = c.counter.sends - before;
  check('batchFrames: the frames of one turn share WebSocket messages', sends > 0 && sends < 10, `${sends} messages for 50 frames`);
  check('batchFrames: every frame arrives, in order', got.join() === Array.from({ length: 50 }, (_, i) => `b${i}`).join(), got.slice(0, 5).join());
  await c.deactivate();
});

await scenario('batchFrames backpressure', async () => {
  // The socket reports a full send buffer (bufferedAmount, held high by this test) for 300 ms:
  // frames published in five separate turns meanwhile wait and go out together.
  let held = false;
  let checks = 0;
  const c = client({ batchFrames: true });
  const make = c.webSocketFactory;
  c.webSocketFactory = () => {
    const ws = make();
    Object.defineProperty(ws, 'bufferedAmount', {
      get: () => {
        checks += 1;
        return held ? 1 << 20 : 0;
      },
    });
    return ws;
  };
  await up(c, 'CONNECTED (backpressure)');
  const queue = `/queue/stompwire-pkgjs-bp-${uid()}`;
  const got = [];
  let all;
  const done = new Promise((r) => (all = r));
  c.subscribe(queue, (m) => {
    got.push(m.body);
    if (got.length === 5) all();
  });
  await sleep(100); // the SUBSCRIBE went out before the buffer is reported full
  const before = c.counter.sends;
  held = true;
  for (let i = 0; i < 5; i++) {
    c.publish({ destination: queue, body: `p${i}` });
    await sleep(10);
  }
  const whileFull = c.counter.sends - before;
  await sleep(300);
  held = false;
  await within(done, 10000, 'the 5 frames held back');
  const sends = c.counter.sends - before;
  check('batchFrames: nothing is written while bufferedAmount holds a full message', whileFull === 0, `${whileFull} messages`);
  check('batchFrames: the frames of five turns go out together once it drains, in order', sends === 1 && got.join() === 'p0,p1,p2,p3,p4', `${sends} messages: ${got.join()}`);
  // Frames that each fill a message, while the buffer stays full: one wait for the drain,
  // however many frames were written (checks of bufferedAmount over 200 ms: one every 4 ms).
  c.maxWebSocketChunkSize = 256;
  await c.deactivate();
  await up(c, 'CONNECTED (backpressure, small chunks)');
  held = true;
  for (let i = 0; i < 40; i++) c.publish({ destination: queue, body: 'x'.repeat(150) });
  await sleep(20);
  checks = 0;
  await sleep(200);
  held = false;
  check('batchFrames: under backpressure one drain waits, not one per frame written', checks > 0 && checks <= 80, `${checks} checks of bufferedAmount in 200 ms`);
  await c.deactivate();
});

await scenario('a throwing debug', async () => {
  const c = client({
    debug: () => {
      throw new Error('debug throws');
    },
  });
  const errors = [];
  const original = console.error;
  console.error = (e) => errors.push(e);
  try {
    await up(c, 'CONNECTED (a throwing debug)');
    const queue = `/queue/stompwire-pkgjs-dbg-${uid()}`;
    let arrived;
    const got = new Promise((r) => (arrived = r));
    c.subscribe(queue, (m) => arrived(m.body));
    c.publish({ destination: queue, body: 'still' });
    const body = await within(got, 10000, 'the message with a throwing debug');
    check('a debug callback that throws is reported and the client goes on', body === 'still' && errors.length > 0, `${errors.length} reported`);
  } finally {
    console.error = original;
  }
  await c.deactivate();
});

await scenario('limits', async () => {
  const c = client({ limits: { maxBodySize: 64 } });
  const lines = [];
  c.debug = (l) => lines.push(l);
  await up(c, 'CONNECTED (limits)');
  const queue = `/queue/stompwire-pkgjs-limits-${uid()}`;
  let closed;
  const gone = new Promise((r) => (closed = r));
  c.onWebSocketClose = () => closed();
  c.subscribe(queue, () => {});
  const other = client();
  await up(other, 'CONNECTED (publisher)');
  other.publish({ destination: queue, body: 'x'.repeat(500) });
  await within(gone, 10000, 'the close after a body over maxBodySize');
  const named = lines.find((l) => /Closing the connection/.test(l) && /body/i.test(l));
  check('limits: a body over maxBodySize closes the connection with a line naming the limit', !!named, named || lines.slice(-3).join(' | '));
  await other.deactivate();
  await c.deactivate();
});

await scenario('failover', async () => {
  const c = client({ webSocketFactory: undefined, brokerURLs: ['ws://127.0.0.1:9/nothing', broker], reconnectDelay: 100 });
  c.brokerURL = undefined;
  const scheduled = [];
  c.onReconnectScheduled = (ms) => scheduled.push(ms);
  const frame = await up(c, 'CONNECTED through the second broker URL');
  check('brokerURLs: fails over to the next URL', frame.command === 'CONNECTED' && /15674/.test(c.webSocket.url), c.webSocket.url);
  check('brokerURLs: the wait before the second attempt is reported', scheduled.length >= 1, scheduled.join());
  await c.deactivate();
});

await scenario('replay', async () => {
  const c = client({ reconnectDelay: 100, replaySubscriptions: true });
  await up(c, 'CONNECTED (replay)');
  const queue = `/queue/stompwire-pkgjs-replay-${uid()}`;
  const got = [];
  let next;
  c.subscribe(queue, (m) => {
    got.push(m.body);
    if (next) next();
  });
  let connects = 0;
  const again = new Promise((r) => {
    c.onConnect = () => {
      connects++;
      r();
    };
  });
  c.forceDisconnect();
  await within(again, 10000, 'the reconnection');
  const arrived = new Promise((r) => (next = r));
  c.publish({ destination: queue, body: 'after' });
  await within(arrived, 10000, 'the message after the reconnect');
  check('replaySubscriptions: the subscription carries on after a reconnect', connects === 1 && got.includes('after'), got.join());
  await c.deactivate();
});

await scenario('stale ack', async () => {
  // A client-ack message whose connection drops before the ACK: its ack id means nothing on the
  // next connection (RabbitMQ closes a connection over an unknown delivery tag), so message.ack()
  // is refused there and nothing is sent; RabbitMQ redelivers it, and that copy is acked.
  const c = client({ reconnectDelay: 100, replaySubscriptions: true });
  await up(c, 'CONNECTED (stale ack)');
  const queue = `/queue/stompwire-pkgjs-stale-${uid()}`;
  const got = [];
  let next;
  c.subscribe(queue, (m) => {
    got.push(m);
    if (next) next();
  }, { ack: 'client-individual' });
  await sleep(100);
  let arrived = new Promise((r) => (next = r));
  c.publish({ destination: queue, body: 'once' });
  await within(arrived, 10000, 'the client-ack message');
  const old = got[0];
  arrived = new Promise((r) => (next = r));
  const again = new Promise((r) => (c.onConnect = r));
  c.forceDisconnect();
  await within(again, 10000, 'the reconnection (stale ack)');
  await within(arrived, 10000, 'the redelivered message');
  const copy = got[1];
  const before = c.counter.sends;
  let refused;
  try {
    old.ack();
  } catch (e) {
    refused = e;
  }
  check(
    'message.ack() of a message from the dropped connection throws a StaleMessageError naming it',
    refused && refused.name === 'StaleMessageError' && refused.message.includes(old.headers.ack || old.headers['message-id']),
    refused ? `${refused.name}: ${refused.message}` : 'nothing thrown',
  );
  let nackRefused;
  try {
    old.nack();
  } catch (e) {
    nackRefused = e;
  }
  check('message.nack() of it is refused too', nackRefused && nackRefused.name === 'StaleMessageError', nackRefused && nackRefused.message);
  check('nothing is sent for the stale message', c.counter.sends === before, `${c.counter.sends - before} messages`);
  check('the redelivered copy arrives on the new connection', copy && copy.body === 'once' && copy.headers.redelivered === 'true', copy && JSON.stringify(copy.headers));
  copy.ack();
  const receipt = await within(c.publishWithReceipt({ destination: `${queue}-probe`, body: 'p' }), 5000, 'a receipt after the ACK').then(
    (f) => f,
    (e) => e,
  );
  check('the connection stays up after the refusal and the ACK of the copy', c.connected && receipt && receipt.command === 'RECEIPT', receipt && (receipt.message || receipt.command));
  await c.deactivate();
  // The copy was acked: a new subscriber gets the next message, not the old one again.
  const d = client();
  await up(d, 'CONNECTED (after the stale ack)');
  const first = new Promise((r) => d.subscribe(queue, (m) => r(m.body), { ack: 'auto' }));
  await sleep(100);
  d.publish({ destination: queue, body: 'next' });
  const body = await within(first, 10000, 'the next message');
  check('the ACK of the redelivered copy was taken: the queue holds only the next message', body === 'next', body);
  await d.deactivate();
});

await scenario('beforeConnect', async () => {
  const c = client({ webSocketFactory: undefined });
  c.beforeConnect = (self) => {
    self.brokerURL = broker;
  };
  const frame = await up(c, 'CONNECTED with the broker set by beforeConnect');
  check('activate() needs no broker yet: beforeConnect may set it', frame.command === 'CONNECTED');
  await c.deactivate();

  const d = client();
  const lines = [];
  d.debug = (l) => lines.push(l);
  d.beforeConnect = () => {
    throw new Error('no token');
  };
  const errors = [];
  const original = console.error;
  console.error = (e) => errors.push(e);
  try {
    d.activate();
    await sleep(300);
  } finally {
    console.error = original;
  }
  check('a beforeConnect that throws does not connect', d.counter.sockets === 0 && !d.connected, `${d.counter.sockets} sockets`);
  check('a beforeConnect that throws is reported', lines.some((l) => /beforeConnect failed: .*no token/.test(l)) && errors.length === 1, lines.join(' | '));
  check('the client gives up (reconnectDelay 0) and ends INACTIVE', d.state === StompJs.ActivationState.INACTIVE, d.state);
});

await scenario('reconnect settings while active', async () => {
  // stompjs 7.1 copies reconnectDelay at activate() and reads reconnectTimeMode and
  // maxReconnectDelay each time a reconnect timer fires (doubling the delay it holds then):
  // switched to EXPONENTIAL while connected, the next wait is still the held 200 ms and the
  // one after it 400 ms; the reconnectDelay written meanwhile waits for the next activate().
  // The connections last well under the 5 s after which a connection counts as stable.
  const c = client({ reconnectDelay: 200 });
  const scheduled = [];
  const closes = [];
  const opens = [];
  c.onReconnectScheduled = (ms) => scheduled.push(ms);
  c.onWebSocketClose = () => closes.push(performance.now());
  const make = c.webSocketFactory;
  c.webSocketFactory = () => {
    opens.push(performance.now());
    return make();
  };
  await up(c, 'CONNECTED (settings while active)');
  const reconnected = () => new Promise((r) => (c.onConnect = r));
  for (let i = 0; i < 3; i++) {
    if (i === 1) {
      c.reconnectTimeMode = StompJs.ReconnectionTimeMode.EXPONENTIAL;
      c.maxReconnectDelay = 0;
      c.reconnectDelay = 1000;
    }
    const again = reconnected();
    c.forceDisconnect();
    await within(again, 5000, `reconnection ${i + 1}`);
  }
  check('reconnectTimeMode written while active: the waits go 200, 200, then doubled to 400 ms', scheduled.join() === '200,200,400', scheduled.join());
  const waited = closes.map((t, i) => Math.round(opens[i + 1] - t));
  check('the last wait lasted the 400 ms scheduled (not the 1000 ms reconnectDelay written while active)', waited.length === 3 && waited[2] >= 390 && waited[2] < 900, waited.join());
  await c.deactivate();
  c.reconnectTimeMode = StompJs.ReconnectionTimeMode.LINEAR;
  await up(c, 'CONNECTED (activated again)');
  const again = reconnected();
  c.forceDisconnect();
  await within(again, 5000, 'the reconnection after activate()');
  check('the reconnectDelay written while active applies from the next activate()', scheduled[3] === 1000, scheduled.join());
  await c.deactivate();
});

await scenario('beforeConnect and connectionTimeout', async () => {
  // stompjs starts connectionTimeout once beforeConnect has resolved.
  const c = client({ connectionTimeout: 300 });
  c.beforeConnect = () => sleep(600);
  await up(c, 'CONNECTED after a beforeConnect slower than connectionTimeout');
  check('a beforeConnect slower than connectionTimeout still connects, on its first socket', c.connected && c.counter.sockets === 1, `${c.counter.sockets} sockets`);
  await c.deactivate();

  // A server that takes the TCP connection and never answers the WebSocket handshake: the
  // attempt is closed connectionTimeout after beforeConnect, not after it began.
  const net = await import('node:net');
  const held = [];
  const server = net.createServer((s) => held.push(s));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const d = client({ connectionTimeout: 300, webSocketFactory: () => new WebSocket(`ws://127.0.0.1:${server.address().port}/ws`, PROTOCOLS) });
    let ready;
    d.beforeConnect = async () => {
      await sleep(400);
      ready = performance.now();
    };
    const closed = new Promise((r) => (d.onWebSocketClose = () => r(performance.now())));
    d.activate();
    const at = await within(closed, 5000, 'the close of the silent attempt');
    const after = Math.round(at - ready);
    check('connectionTimeout runs from the end of beforeConnect', after >= 290 && after < 1000, `closed ${after} ms after beforeConnect`);
    await d.deactivate();
  } finally {
    for (const s of held) s.destroy();
    server.close();
  }
});

await scenario('worker ticker', async () => {
  const c = client({ heartbeatStrategy: StompJs.TickerStrategy.Worker, heartbeatIncoming: 1000, heartbeatOutgoing: 1000 });
  const lines = [];
  c.debug = (l) => lines.push(l);
  let beats = 0;
  let lost = 0;
  c.onHeartbeatReceived = () => beats++;
  c.onHeartbeatLost = () => lost++;
  await up(c, 'CONNECTED (worker ticker)');
  await sleep(2500);
  check('heartbeatStrategy Worker where no Worker exists (Node): timers instead, said once', lines.filter((l) => /Worker ticker unavailable/.test(l)).length === 1);
  check('heart-beats flow on the fallback timers', beats >= 1 && c.connected, `${beats} received, ${lost} lost, ${lines.filter((l) => /PING|closed|Closing/.test(l)).join(' | ')}`);
  await c.deactivate();
});

await scenario('garbage collection', async () => {
  if (typeof globalThis.gc !== 'function') {
    check('garbage collection (needs node --expose-gc)', false, 'run with --expose-gc');
    return;
  }
  let collected = false;
  const registry = new FinalizationRegistry(() => (collected = true));
  await (async () => {
    const c = client();
    await up(c, 'CONNECTED (gc)');
    await c.deactivate();
    registry.register(c, 'client');
  })();
  for (let i = 0; i < 20 && !collected; i++) {
    await sleep(50);
    globalThis.gc();
  }
  check('a deactivated client nobody holds is garbage-collected', collected);
});

console.log(`package: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
