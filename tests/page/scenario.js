// The browser side of the page tests (plain ES module, runs in the page; shared by the
// `--target web` page test and the Vite app). Only the @stomp/stompjs-shaped surface is used:
// new Client({brokerURL, connectHeaders, onConnect, ...}), activate(), subscribe(dest, cb),
// publish({destination, body | binaryBody, headers}), deactivate().
//
// roundTrip(Client, options) resolves to { ok, checks: [{name, ok, detail}], log: [..] } and
// never rejects: a failure is a check that did not pass.

const TEXT = 'héllo wörld ✓ — stompwire page test';

// 512 bytes: every byte value twice, NULs at both ends and in the middle (a STOMP frame ends
// at NUL unless content-length says otherwise) and invalid UTF-8 throughout.
function binaryPayload() {
  const bytes = new Uint8Array(512);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  bytes[0] = 0;
  bytes[1] = 0;
  bytes[255] = 0;
  bytes[256] = 0xff;
  bytes[511] = 0;
  return bytes;
}

// Headers as a plain object (stompjs), a Map, or anything with get().
function header(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  return headers[name];
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sameBytes(a, b) {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function describe(err) {
  if (err instanceof Error) return err.message;
  if (err && err.headers) return `ERROR frame: ${header(err.headers, 'message') ?? ''} ${err.body ?? ''}`;
  return String(err);
}

export async function roundTrip(Client, options = {}) {
  const {
    brokerURL = 'ws://127.0.0.1:15674/ws',
    login = 'guest',
    passcode = 'guest',
    timeoutMs = 15000,
    binary = true,
  } = options;
  const checks = [];
  const log = [];
  const check = (name, ok, detail = '') => checks.push({ name, ok: !!ok, detail: String(detail) });
  const note = (line) => log.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  const destination = `/topic/stompwire-page.${Date.now()}.${Math.random().toString(16).slice(2, 10)}`;

  let client;
  try {
    let connectedResolve;
    let connectedReject;
    const connected = new Promise((resolve, reject) => {
      connectedResolve = resolve;
      connectedReject = reject;
    });
    client = new Client({
      brokerURL,
      connectHeaders: { login, passcode, host: '/' },
      reconnectDelay: 0,
      debug: (line) => note(`debug: ${String(line).slice(0, 200)}`),
      onConnect: (frame) => connectedResolve(frame),
      onStompError: (frame) => connectedReject(frame),
      onWebSocketError: () => connectedReject(new Error('WebSocket error')),
      onWebSocketClose: (event) =>
        connectedReject(new Error(`WebSocket closed (code ${event && event.code})`)),
    });
    note(`activate ${brokerURL}`);
    client.activate();
    const frame = await withTimeout(connected, timeoutMs, 'onConnect');
    const version = header(frame && frame.headers, 'version');
    check('connected', true, `CONNECTED version ${version ?? '?'}`);
    check('client.connected is true', client.connected === true, `connected = ${client.connected}`);
    if (typeof client.whenConnected === 'function') {
      // stompwire's promise form: resolves at once when connected.
      const again = await withTimeout(client.whenConnected(timeoutMs), timeoutMs, 'whenConnected()');
      check('whenConnected() resolves with CONNECTED', again && again.command === 'CONNECTED',
        again && again.command);
    }

    const expected = binary ? 2 : 1;
    const messages = [];
    let gotAll;
    const arrived = new Promise((resolve) => {
      gotAll = resolve;
    });
    const subscription = client.subscribe(destination, (message) => {
      messages.push(message);
      note(`message ${messages.length} on ${destination}`);
      if (messages.length === expected) gotAll();
    });
    check('subscribe returns {id, unsubscribe}',
      subscription && subscription.id !== undefined && typeof subscription.unsubscribe === 'function',
      `id ${subscription && subscription.id}`);

    const payload = binaryPayload();
    client.publish({ destination, body: TEXT, headers: { 'content-type': 'text/plain' } });
    if (binary) {
      client.publish({
        destination,
        binaryBody: payload,
        headers: { 'content-type': 'application/octet-stream' },
      });
    }
    await withTimeout(arrived, timeoutMs, `${expected} message(s) on ${destination}`);

    const text = messages[0];
    check('text body intact', text.body === TEXT, JSON.stringify(text.body));
    check('message headers', header(text.headers, 'destination') === destination,
      `destination ${header(text.headers, 'destination')}`);
    if (binary) {
      const bin = messages[1];
      const bytes = bin.binaryBody instanceof Uint8Array ? bin.binaryBody : new Uint8Array(bin.binaryBody ?? []);
      check('binary body with NULs intact', sameBytes(bytes, payload),
        `${bytes.length} bytes, first ${Array.from(bytes.slice(0, 4)).join(',')}`);
      check('binary content-type', header(bin.headers, 'content-type') === 'application/octet-stream',
        header(bin.headers, 'content-type'));
    }
    subscription.unsubscribe();

    await withTimeout(Promise.resolve(client.deactivate()), timeoutMs, 'deactivate()');
    check('deactivated', client.connected !== true && client.active !== true,
      `connected = ${client.connected}, active = ${client.active}`);
  } catch (err) {
    check('scenario finished', false, describe(err));
    try {
      if (client) await withTimeout(Promise.resolve(client.deactivate()), 3000, 'deactivate()');
    } catch (_) {
      // already failing
    }
  }
  return { ok: checks.length > 0 && checks.every((c) => c.ok), checks, log };
}

// Shows a result in the page (for the screenshot) and hands it to the test driver.
export function publishResult(result) {
  window.__stompwireResult = result;
  const out = document.getElementById('result');
  if (!out) return;
  out.className = result.ok ? 'pass' : 'fail';
  out.textContent = [
    result.ok ? 'PASS' : 'FAIL',
    ...result.checks.map((c) => `${c.ok ? '✔' : '✘'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`),
  ].join('\n');
}

// For a page whose module failed before roundTrip could run (e.g. init() rejected).
export function failure(name, err) {
  return { ok: false, checks: [{ name, ok: false, detail: describe(err) }], log: [] };
}
