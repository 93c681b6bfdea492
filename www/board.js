// The board's bookkeeping, free of the DOM and of STOMP: message rates, round-trip medians,
// who is present, digests of binary payloads, names and colours, a generated picture.

/** Messages per second over a sliding window. */
export class RateMeter {
  constructor(windowMs = 5000) {
    this.windowMs = windowMs;
    this.times = [];
    this.total = 0;
    this.peak = 0;
    this.since = performance.now();
  }

  record(count = 1, now = performance.now()) {
    for (let i = 0; i < count; i++) this.times.push(now);
    this.total += count;
  }

  /** The rate now: events in the window divided by the window (or by the time since the
   * meter started, while that is shorter). */
  perSecond(now = performance.now()) {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop] < from) drop++;
    if (drop) this.times.splice(0, drop);
    const span = Math.max(1000, Math.min(this.windowMs, now - this.since));
    const rate = (this.times.length * 1000) / span;
    if (rate > this.peak) this.peak = rate;
    return rate;
  }
}

/** The median of the last `size` samples. */
export class RollingMedian {
  constructor(size = 20) {
    this.size = size;
    this.samples = [];
  }

  add(value) {
    this.samples.push(value);
    if (this.samples.length > this.size) this.samples.shift();
  }

  get value() {
    if (!this.samples.length) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}

/** Who is on the board: peers by id, each with when it was last heard from. */
export class Presence {
  constructor(staleMs) {
    this.staleMs = staleMs;
    this.peers = new Map();
  }

  /** Records an announcement; returns true when the peer is new. */
  seen(id, info, now = Date.now()) {
    const known = this.peers.get(id);
    this.peers.set(id, { ...known, ...info, id, lastSeen: now });
    return !known;
  }

  /** Updates a known peer (e.g. its round trip) without counting it as heard from. */
  update(id, fields) {
    const known = this.peers.get(id);
    if (known) Object.assign(known, fields);
  }

  remove(id) {
    return this.peers.delete(id);
  }

  /** Drops peers not heard from within `staleMs`; returns the dropped ones. */
  prune(now = Date.now()) {
    const dropped = [];
    for (const [id, peer] of this.peers) {
      if (now - peer.lastSeen > this.staleMs) {
        this.peers.delete(id);
        dropped.push(peer);
      }
    }
    return dropped;
  }

  list() {
    return [...this.peers.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }
}

// ----- digests ---------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The algorithm this page uses: SHA-256 where Web Crypto is available (secure contexts such as
 * http://127.0.0.1 or https), else CRC-32. */
export const DIGEST_ALGORITHM = globalThis.crypto && crypto.subtle ? 'sha-256' : 'crc-32';

/** The digest of `bytes` with `algorithm` (`sha-256` or `crc-32`), as lower-case hex. */
export async function digest(bytes, algorithm = DIGEST_ALGORITHM) {
  if (algorithm === 'sha-256') {
    if (!(globalThis.crypto && crypto.subtle)) throw new Error('SHA-256 needs a secure context (https or 127.0.0.1)');
    return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
  }
  if (algorithm === 'crc-32') return crc32(bytes).toString(16).padStart(8, '0');
  throw new Error(`unknown digest algorithm ${algorithm}`);
}

// ----- names, colours, sizes -------------------------------------------------------------------

const ADJECTIVES = ['amber', 'brisk', 'calm', 'dapper', 'eager', 'fuzzy', 'gentle', 'hasty', 'jolly',
  'keen', 'lucky', 'mellow', 'nimble', 'plucky', 'quiet', 'rapid', 'sunny', 'tidy', 'witty', 'zesty'];
const ANIMALS = ['otter', 'heron', 'lynx', 'panda', 'gecko', 'badger', 'falcon', 'koala', 'marmot',
  'newt', 'ocelot', 'puffin', 'quokka', 'raven', 'stoat', 'tapir', 'walrus', 'yak', 'zebra', 'ibis'];

const pick = (list) => list[Math.floor(Math.random() * list.length)];

export function randomName() {
  return `${pick(ADJECTIVES)} ${pick(ANIMALS)}`;
}

/** A short id, safe in a topic name. */
export function randomId() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return hex(bytes);
}

/** A stable, readable colour for an id. */
export function colorFor(id) {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360} 62% 38%)`;
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

export function formatRate(r) {
  return r >= 100 ? Math.round(r).toString() : r.toFixed(1);
}

// ----- a generated picture ---------------------------------------------------------------------

/** A PNG (as a Blob) with some shapes, the sender's name and the time. */
export async function generateImage(label, color) {
  const width = 320;
  const height = 200;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d');
  const gradient = g.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, '#f4f1ea');
  gradient.addColorStop(1, '#dfe9f3');
  g.fillStyle = gradient;
  g.fillRect(0, 0, width, height);
  for (let i = 0; i < 14; i++) {
    g.globalAlpha = 0.35 + Math.random() * 0.4;
    g.fillStyle = `hsl(${Math.floor(Math.random() * 360)} 70% 55%)`;
    g.beginPath();
    g.arc(Math.random() * width, Math.random() * height, 8 + Math.random() * 40, 0, Math.PI * 2);
    g.fill();
  }
  g.globalAlpha = 1;
  g.fillStyle = 'rgba(255,255,255,0.85)';
  g.fillRect(0, height - 58, width, 58);
  g.fillStyle = color;
  g.font = 'bold 20px system-ui, sans-serif';
  g.fillText(label, 14, height - 32);
  g.fillStyle = '#333';
  g.font = '14px system-ui, sans-serif';
  g.fillText(new Date().toLocaleTimeString(), 14, height - 12);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('canvas.toBlob gave nothing'))), 'image/png'));
}
