// The board: every tab that opens this page joins one topic, chats, announces its presence,
// pings the others through the broker and trades binary payloads. It uses the package the way
// an app without a bundler does: import the `--target web` build, `await init()`, then a
// `Client` configured like @stomp/stompjs's.
//
// Query parameters (all optional):
//   broker     WebSocket URL of the broker          (default ws://127.0.0.1:15674/ws)
//   login, passcode                                  (default guest / guest)
//   vhost      the STOMP `host` header              (default /, RabbitMQ's default vhost)
//   topic      the chat destination                 (default /topic/stompwire-board)
//   name       the name shown to the other tabs     (default: a random one, kept per tab)
//   reconnectDelay  first wait before reconnecting, ms (default 1000; doubles up to 15 s)
//   ticker     heart-beat timers: worker | interval (default worker: not throttled in a
//              background tab)
import {
  DIGEST_ALGORITHM, Presence, RateMeter, RollingMedian, colorFor, digest, formatBytes, formatRate,
  generateImage, randomId, randomName,
} from './board.js';

// ----- configuration ---------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
const param = (name, fallback) => (params.has(name) ? params.get(name) : fallback);
const topic = param('topic', '') || '/topic/stompwire-board';

const config = {
  brokerURL: param('broker', '') || 'ws://127.0.0.1:15674/ws',
  login: param('login', 'guest'),
  passcode: param('passcode', 'guest'),
  vhost: param('vhost', '/'),
  reconnectDelay: Math.max(100, Number(param('reconnectDelay', '1000')) || 1000),
  ticker: param('ticker', 'worker') === 'interval' ? 'interval' : 'worker', // TickerStrategy values
};

// The package (`--target web` build), next to this file: loaded in start().
const PACKAGE_URL = './pkg/stompwire.js';
let Client;
let ActivationState;
let ReconnectionTimeMode;

const DEST = {
  chat: topic,
  presence: `${topic}.presence`,
  ping: `${topic}.ping`,
  files: `${topic}.files`,
  burst: `${topic}.burst`,
  pong: (id) => `${topic}.pong.${id}`,
};

const ANNOUNCE_EVERY_MS = 3000;
const STALE_AFTER_MS = 10000;
const PING_EVERY_MS = 1000;
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const BURST_SIZE = 500;
const MAX_CHAT_ITEMS = 300;
const MAX_FILE_ITEMS = 24;
const MAX_LOG_LINES = 400;

const me = {
  id: randomId(),
  name: (param('name', '') || sessionStorage.getItem('stompwire-board-name') || randomName()).slice(0, 40),
};
me.color = colorFor(me.id);
sessionStorage.setItem('stompwire-board-name', me.name);

// ----- DOM -------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'),
  statusText: $('status-text'),
  statusDetail: $('status-detail'),
  toggle: $('toggle'),
  drop: $('drop'),
  chatLog: $('chat-log'),
  chatForm: $('chat-form'),
  chatInput: $('chat-input'),
  chatSend: $('chat-send'),
  presence: $('presence'),
  presenceCount: $('presence-count'),
  rateIn: $('rate-in'),
  rateOut: $('rate-out'),
  ratePeak: $('rate-peak'),
  totalIn: $('total-in'),
  totalOut: $('total-out'),
  latency: $('latency'),
  burst: $('burst'),
  fileInput: $('file-input'),
  sendImage: $('send-image'),
  fileNote: $('file-note'),
  fileList: $('file-list'),
  logDetails: $('log-details'),
  log: $('log'),
};

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'style') node.style.cssText = value;
    else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

const clock = (ms = Date.now()) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

// ----- state -----------------------------------------------------------------------------------

const rateIn = new RateMeter(2000);
const rateOut = new RateMeter(2000);
const selfRtt = new RollingMedian(20);
const peerRtt = new Map(); // id -> RollingMedian
const presence = new Presence(STALE_AFTER_MS);
const logLines = [];
const objectUrls = new Map(); // file list item -> object URL

/** Connection state as shown: loading, connecting, connected, reconnecting, error,
 * disconnecting, disconnected, stopped, failed. Every change is kept in `history`. */
const conn = {
  state: 'loading',
  attempt: 0,
  nextAttemptAt: 0,
  nextDelayMs: undefined,
  lastError: '',
  lostAt: 0,
  userStopped: false,
  connectedOnce: false,
  history: [],
};

let client;
let pingSeq = 0;
let nextAnnounce = 0;
let nextPing = 0;
let presenceDirty = true;
const bursts = new Map(); // sender id -> { name, n, got, started, timer }

// ----- connection status -----------------------------------------------------------------------

const STATE_TEXT = {
  loading: 'Loading the package…',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  error: 'Broker error',
  disconnecting: 'Disconnecting…',
  disconnected: 'Disconnected',
  stopped: 'Stopped reconnecting',
  failed: 'Failed to start',
};

function setState(state, fields = {}) {
  const changed = state !== conn.state;
  Object.assign(conn, fields);
  conn.state = state;
  const entry = { state, at: Date.now(), attempt: conn.attempt };
  if (state === 'reconnecting') entry.delayMs = conn.nextDelayMs;
  if (state === 'error' || state === 'failed' || state === 'stopped') entry.error = conn.lastError;
  const last = conn.history[conn.history.length - 1];
  if (!changed && last) Object.assign(last, entry);
  else conn.history.push(entry);
  if (conn.history.length > 200) conn.history.shift();
  renderStatus(true);
  renderControls();
}

function renderStatus(announce = false) {
  const { state } = conn;
  ui.status.dataset.state = state;
  let text = STATE_TEXT[state] || state;
  let detail = '';
  if (state === 'connected') {
    const version = client && client.connectedVersion;
    text = `Connected${version ? ` · STOMP ${version}` : ''}`;
    detail = config.brokerURL;
  } else if (state === 'connecting') {
    text = conn.attempt > 1 ? `Connecting… (attempt ${conn.attempt})` : 'Connecting…';
    detail = config.brokerURL;
  } else if (state === 'reconnecting') {
    if (conn.nextDelayMs !== undefined) {
      text = `Reconnecting: next attempt in ${(conn.nextDelayMs / 1000).toFixed(1)} s`;
      const left = Math.max(0, conn.nextAttemptAt - performance.now());
      detail = `${(left / 1000).toFixed(1)} s left`;
    } else {
      text = 'Connection lost';
    }
    if (conn.lastError) detail += `${detail ? ' · ' : ''}last error: ${conn.lastError}`;
  } else if (state === 'error' || state === 'failed' || state === 'stopped') {
    detail = conn.lastError;
  }
  if (announce || ui.statusText.textContent !== text) ui.statusText.textContent = text;
  ui.statusDetail.textContent = detail;
  ui.statusDetail.title = detail;
}

function renderControls() {
  const connected = conn.state === 'connected';
  const active = client && client.state === ActivationState.ACTIVE;
  ui.toggle.disabled = !client || conn.state === 'disconnecting';
  ui.toggle.textContent = active ? 'Disconnect' : 'Connect';
  ui.drop.disabled = !connected;
  for (const control of [ui.chatSend, ui.burst, ui.fileInput, ui.sendImage]) control.disabled = !connected;
  ui.chatInput.disabled = !client;
}

// ----- the client ------------------------------------------------------------------------------

function debug(line) {
  logLines.push(`${clock()} ${line}`);
  if (logLines.length > MAX_LOG_LINES) logLines.splice(0, logLines.length - MAX_LOG_LINES);
  scheduleLogRender();
  if (line.startsWith('Opening Web Socket')) {
    conn.attempt += 1;
    setState('connecting');
    return;
  }
}

/** The client says when its next connection attempt is. */
function onReconnectScheduled(delay) {
  setState('reconnecting', { nextDelayMs: delay, nextAttemptAt: performance.now() + delay });
}

function onConnect(frame) {
  const wasLost = conn.lostAt;
  setState('connected', { attempt: 0, lastError: '', lostAt: 0, nextDelayMs: undefined });
  client.subscribe(DEST.chat, onChat);
  client.subscribe(DEST.presence, onPresence);
  client.subscribe(DEST.ping, onPing);
  client.subscribe(DEST.pong(me.id), onPong);
  client.subscribe(DEST.files, onFile);
  client.subscribe(DEST.burst, onBurst);
  const server = frame && frame.headers && frame.headers.server;
  if (wasLost) {
    systemNote(`Connected again after ${((Date.now() - wasLost) / 1000).toFixed(1)} s.`);
  } else if (!conn.connectedOnce) {
    systemNote(`Connected to ${server || 'the broker'} as ${me.name}.`);
  }
  conn.connectedOnce = true;
  nextAnnounce = 0;
  nextPing = 0;
  tick();
}

function onWebSocketClose(event) {
  const wasConnected = conn.state === 'connected';
  if (wasConnected) {
    conn.lostAt = Date.now();
    const code = event && event.code ? ` (close code ${event.code})` : '';
    if (!conn.userStopped) systemNote(`Connection lost${code}; reconnecting.`);
  }
  if (client.state === ActivationState.ACTIVE && conn.state !== 'reconnecting') {
    setState('reconnecting', { nextDelayMs: undefined });
  }
}

function onStompError(frame) {
  const summary = (frame.headers && frame.headers.message) || 'ERROR frame';
  const detail = String(frame.body || '').trim().split('\n')[0].slice(0, 160);
  const message = detail && detail !== summary ? `${summary}: ${detail}` : summary;
  const repeated = message === conn.lastError;
  conn.lastError = message;
  setState('error');
  if (!repeated) systemNote(`Broker error: ${message}`);
}

function onWebSocketError() {
  if (conn.state !== 'connected') conn.lastError = `cannot reach ${config.brokerURL}`;
}

function onChangeState(state) {
  if (state === ActivationState.DEACTIVATING) {
    setState('disconnecting');
  } else if (state === ActivationState.INACTIVE) {
    if (conn.userStopped) {
      setState('disconnected');
    } else {
      setState('stopped', { lastError: conn.lastError || 'the client gave up' });
    }
  }
  renderControls();
}

function createClient() {
  return new Client({
    brokerURL: config.brokerURL,
    connectHeaders: { login: config.login, passcode: config.passcode, host: config.vhost },
    reconnectDelay: config.reconnectDelay,
    reconnectTimeMode: ReconnectionTimeMode.EXPONENTIAL,
    maxReconnectDelay: 15000,
    reconnectJitter: 0.2,
    connectionTimeout: 10000,
    heartbeatIncoming: 5000,
    heartbeatOutgoing: 5000,
    heartbeatStrategy: config.ticker,
    debug,
    onConnect,
    onStompError,
    onWebSocketClose,
    onWebSocketError,
    onChangeState,
    onReconnectScheduled,
  });
}

/** Publishes; counts it; false (and nothing sent) when not connected. */
function send(destination, { body, binaryBody, headers } = {}) {
  if (!client || !client.connected) return false;
  try {
    client.publish({ destination, body, binaryBody, headers });
    rateOut.record();
    return true;
  } catch (err) {
    debug(`publish to ${destination} failed: ${err && err.message}`);
    return false;
  }
}

const sendJson = (destination, value) =>
  send(destination, { body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

function parse(message) {
  try {
    const value = JSON.parse(message.body);
    return value && typeof value === 'object' && typeof value.from === 'string' ? value : null;
  } catch {
    return null;
  }
}

function received() {
  rateIn.record();
  tick();
}

// ----- chat ------------------------------------------------------------------------------------

function appendChat(item) {
  const log = ui.chatLog;
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(item);
  while (log.children.length > MAX_CHAT_ITEMS) log.firstElementChild.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function systemNote(text) {
  appendChat(el('li', { class: 'system' }, el('time', {}, clock()), ' ', text));
}

function onChat(message) {
  received();
  const m = parse(message);
  if (!m || typeof m.text !== 'string') return;
  const mine = m.from === me.id;
  appendChat(el('li', { class: mine ? 'mine' : 'theirs', 'data-from': m.from },
    el('time', {}, clock(m.sent)),
    ' ',
    el('span', { class: 'who', style: `color:${colorFor(m.from)}` }, mine ? `${m.name} (you)` : String(m.name)),
    ' ',
    el('span', { class: 'text' }, m.text)));
}

ui.chatForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.chatInput.value.trim();
  if (!text) return;
  if (sendJson(DEST.chat, { from: me.id, name: me.name, text, sent: Date.now() })) {
    ui.chatInput.value = '';
  } else {
    systemNote('Not connected: the message was not sent.');
  }
  ui.chatInput.focus();
});

// ----- presence --------------------------------------------------------------------------------

function announce(state = 'here') {
  sendJson(DEST.presence, { from: me.id, name: me.name, state, sent: Date.now() });
}

function onPresence(message) {
  received();
  const m = parse(message);
  if (!m) return;
  if (m.state === 'bye') {
    const peer = presence.peers.get(m.from);
    if (presence.remove(m.from) && m.from !== me.id) systemNote(`${peer ? peer.name : m.name} left.`);
  } else {
    const fresh = presence.seen(m.from, { name: String(m.name).slice(0, 40) });
    if (fresh && m.from !== me.id && conn.connectedOnce) systemNote(`${m.name} is here.`);
  }
  presenceDirty = true;
}

function renderPresence() {
  const now = Date.now();
  const items = presence.list().map((peer) => {
    const self = peer.id === me.id;
    const rtt = self ? selfRtt.value : peer.rtt;
    const age = Math.round((now - peer.lastSeen) / 1000);
    return el('li', { 'data-id': peer.id, 'data-name': peer.name, class: self ? 'self' : '' },
      el('span', { class: 'swatch', style: `background:${colorFor(peer.id)}`, 'aria-hidden': 'true' }),
      el('span', { class: 'name' }, self ? `${peer.name} (you)` : peer.name),
      el('span', { class: 'meta' },
        rtt === undefined ? '' : `${rtt.toFixed(1)} ms`,
        el('span', { class: 'age' }, age <= 1 ? 'now' : `${age} s ago`)));
  });
  ui.presence.replaceChildren(...items);
  ui.presenceCount.textContent = String(items.length);
  presenceDirty = false;
}

// ----- round trips -----------------------------------------------------------------------------

function ping() {
  pingSeq += 1;
  sendJson(DEST.ping, { from: me.id, seq: pingSeq, t: performance.now() });
}

function onPing(message) {
  received();
  const m = parse(message);
  if (!m || typeof m.t !== 'number') return;
  if (m.from === me.id) {
    selfRtt.add(performance.now() - m.t);
  } else if (/^[0-9a-f]{1,32}$/.test(m.from)) {
    sendJson(DEST.pong(m.from), { from: me.id, seq: m.seq, t: m.t });
  }
}

function onPong(message) {
  received();
  const m = parse(message);
  if (!m || typeof m.t !== 'number') return;
  let median = peerRtt.get(m.from);
  if (!median) peerRtt.set(m.from, (median = new RollingMedian(20)));
  median.add(performance.now() - m.t);
  presence.update(m.from, { rtt: median.value });
}

// ----- bursts ----------------------------------------------------------------------------------

ui.burst.addEventListener('click', () => {
  const started = performance.now();
  let sent = 0;
  for (let seq = 0; seq < BURST_SIZE; seq++) {
    if (!sendJson(DEST.burst, { from: me.id, name: me.name, seq, n: BURST_SIZE })) break;
    sent += 1;
  }
  debug(`burst: published ${sent} messages in ${(performance.now() - started).toFixed(1)} ms`);
});

function onBurst(message) {
  received();
  const m = parse(message);
  if (!m || typeof m.n !== 'number') return;
  let b = bursts.get(m.from);
  if (!b || m.seq === 0) {
    if (b) clearTimeout(b.timer);
    b = { name: m.name, n: m.n, got: 0, started: performance.now(), timer: 0 };
    bursts.set(m.from, b);
  }
  b.got += 1;
  const finish = () => {
    bursts.delete(m.from);
    const ms = Math.max(1, performance.now() - b.started);
    const who = m.from === me.id ? 'your' : `${b.name}'s`;
    systemNote(`Burst: ${b.got}/${b.n} of ${who} messages arrived in ${ms.toFixed(0)} ms (${Math.round((b.got * 1000) / ms)} msg/s).`);
  };
  clearTimeout(b.timer);
  if (m.seq === b.n - 1) finish();
  else b.timer = setTimeout(finish, 3000);
}

// ----- binary payloads -------------------------------------------------------------------------

async function sendBinary(bytes, name, type) {
  if (bytes.length > MAX_FILE_BYTES) {
    ui.fileNote.textContent = `${name} is ${formatBytes(bytes.length)}; the limit here is ${formatBytes(MAX_FILE_BYTES)}.`;
    return;
  }
  const hex = await digest(bytes);
  const ok = send(DEST.files, {
    binaryBody: bytes,
    headers: {
      'content-type': type || 'application/octet-stream',
      'x-file-name': name,
      'x-size': String(bytes.length),
      'x-digest': `${DIGEST_ALGORITHM}:${hex}`,
      'x-from': me.id,
      'x-from-name': me.name,
    },
  });
  ui.fileNote.textContent = ok
    ? `Sent ${name} (${formatBytes(bytes.length)}, ${DIGEST_ALGORITHM} ${hex.slice(0, 12)}…).`
    : 'Not connected: nothing was sent.';
}

ui.fileInput.addEventListener('change', async () => {
  const file = ui.fileInput.files && ui.fileInput.files[0];
  if (!file) return;
  try {
    await sendBinary(new Uint8Array(await file.arrayBuffer()), file.name, file.type);
  } catch (err) {
    ui.fileNote.textContent = `Could not send ${file.name}: ${err && err.message}`;
  } finally {
    ui.fileInput.value = '';
  }
});

ui.sendImage.addEventListener('click', async () => {
  try {
    const blob = await generateImage(`from ${me.name}`, me.color);
    const stamp = new Date().toISOString().slice(11, 19).replace(/:/g, '');
    await sendBinary(new Uint8Array(await blob.arrayBuffer()), `board-${stamp}.png`, 'image/png');
  } catch (err) {
    ui.fileNote.textContent = `Could not make the image: ${err && err.message}`;
  }
});

async function onFile(message) {
  received();
  const headers = message.headers || {};
  const bytes = message.binaryBody;
  const name = headers['x-file-name'] || 'unnamed';
  const type = headers['content-type'] || 'application/octet-stream';
  const from = headers['x-from'] || '';
  const fromName = headers['x-from-name'] || 'someone';
  const declared = headers['x-digest'] || '';
  const [algorithm, expected] = declared.includes(':') ? declared.split(':', 2) : ['', ''];
  let actual = '';
  let verdict;
  try {
    actual = await digest(bytes, algorithm);
    verdict = actual === expected && String(bytes.length) === headers['x-size'] ? 'match' : 'mismatch';
  } catch (err) {
    verdict = 'unchecked';
    actual = err && err.message;
  }

  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const preview = type.startsWith('image/')
    ? el('img', { src: url, alt: `${name}, sent by ${fromName}`, loading: 'lazy', class: 'thumb' })
    : el('div', { class: 'thumb hexdump', 'aria-hidden': 'true' },
      Array.from(bytes.subarray(0, 24), (b) => b.toString(16).padStart(2, '0')).join(' '));
  const badge = {
    match: ['ok', `✓ ${algorithm} matches`],
    mismatch: ['bad', `✗ ${algorithm} differs`],
    unchecked: ['warn', `not checked: ${actual}`],
  }[verdict];
  const item = el('li', {
    class: `file ${verdict}`,
    'data-name': name,
    'data-size': String(bytes.length),
    'data-digest': verdict === 'unchecked' ? '' : actual,
    'data-verified': String(verdict === 'match'),
    'data-from': from,
  },
  preview,
  el('div', { class: 'file-info' },
    el('a', { href: url, download: name, class: 'file-name' }, name),
    el('div', { class: 'muted small' },
      `${formatBytes(bytes.length)} · ${type} · from ${from === me.id ? `${fromName} (you)` : fromName} · ${clock()}`),
    el('div', { class: 'digest small' },
      el('span', { class: `badge ${badge[0]}` }, badge[1]),
      ' ',
      el('code', { title: `sent: ${expected}\nreceived: ${actual}` }, (actual || '').slice(0, 16)))));
  objectUrls.set(item, url);
  ui.fileList.prepend(item);
  while (ui.fileList.children.length > MAX_FILE_ITEMS) {
    const last = ui.fileList.lastElementChild;
    URL.revokeObjectURL(objectUrls.get(last));
    objectUrls.delete(last);
    last.remove();
  }
}

// ----- connection controls ---------------------------------------------------------------------

ui.toggle.addEventListener('click', async () => {
  if (client.state === ActivationState.ACTIVE) {
    conn.userStopped = true;
    if (client.connected) announce('bye');
    await client.deactivate();
    presence.peers.clear();
    presenceDirty = true;
    systemNote('Disconnected.');
  } else if (client.state === ActivationState.INACTIVE) {
    conn.userStopped = false;
    conn.attempt = 0;
    conn.lostAt = 0;
    conn.connectedOnce = false;
    client.activate();
  }
});

ui.drop.addEventListener('click', () => client.forceDisconnect());

addEventListener('pagehide', () => {
  if (client && client.connected) announce('bye');
});

// ----- the clock -------------------------------------------------------------------------------

let lastRender = 0;

/** Announces, pings and prunes when due; redraws the numbers. Runs on a timer and on every
 * message (timers of a background tab are throttled; messages still arrive). */
function tick() {
  const now = performance.now();
  if (client && client.connected) {
    if (now >= nextAnnounce) {
      nextAnnounce = now + ANNOUNCE_EVERY_MS;
      announce();
    }
    if (now >= nextPing) {
      nextPing = now + PING_EVERY_MS;
      ping();
    }
  }
  if (now - lastRender < 250) return;
  lastRender = now;
  for (const peer of presence.prune()) {
    presenceDirty = true;
    if (peer.id !== me.id) systemNote(`${peer.name} went quiet and was dropped from the list.`);
  }
  if (presenceDirty || now % 1000 < 260) renderPresence();
  ui.rateIn.textContent = formatRate(rateIn.perSecond(now));
  ui.rateOut.textContent = formatRate(rateOut.perSecond(now));
  ui.ratePeak.textContent = formatRate(rateIn.peak);
  ui.totalIn.textContent = String(rateIn.total);
  ui.totalOut.textContent = String(rateOut.total);
  const rtt = selfRtt.value;
  ui.latency.textContent = rtt === undefined ? '–' : rtt.toFixed(1);
  if (conn.state === 'reconnecting') renderStatus();
}

let logQueued = false;
function scheduleLogRender() {
  if (logQueued || !ui.logDetails.open) return;
  logQueued = true;
  requestAnimationFrame(() => {
    logQueued = false;
    ui.log.textContent = logLines.join('\n');
    ui.log.scrollTop = ui.log.scrollHeight;
  });
}
ui.logDetails.addEventListener('toggle', scheduleLogRender);

// ----- start -----------------------------------------------------------------------------------

function renderIdentity() {
  $('me-name').textContent = me.name;
  $('me-name').style.color = me.color;
  $('me-swatch').style.background = me.color;
  $('me-id').textContent = `#${me.id}`;
  $('broker-line').textContent = `${config.brokerURL} · vhost ${config.vhost} · login ${config.login}`;
  $('chat-dest').textContent = DEST.chat;
  $('files-dest').textContent = DEST.files;
  document.title = `${me.name} · stompwire board`;
}

async function start() {
  renderIdentity();
  try {
    const pkg = await import(PACKAGE_URL);
    await pkg.default(); // fetches and instantiates stompwire_bg.wasm
    ({ Client, ActivationState, ReconnectionTimeMode } = pkg);
  } catch (err) {
    conn.lastError = `could not load the package from ${PACKAGE_URL} (${err && err.message}); `
      + 'scripts/demo.sh builds it and serves it with this page';
    setState('failed');
    return;
  }
  client = createClient();
  setState('connecting');
  client.activate();
  setInterval(tick, 250);
}

// For the browser console (and tests): the client and what the page shows.
window.stompwireBoard = {
  me,
  config,
  get client() { return client; },
  get state() { return conn.state; },
  get history() { return conn.history.map((h) => ({ ...h })); },
  stats: () => ({
    rateIn: rateIn.perSecond(),
    rateOut: rateOut.perSecond(),
    totalIn: rateIn.total,
    totalOut: rateOut.total,
    peakIn: rateIn.peak,
    selfRttMs: selfRtt.value,
    peers: presence.list().map(({ id, name, rtt }) => ({ id, name, rtt })),
  }),
};

start();
