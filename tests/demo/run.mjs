// The demo board, end to end: scripts/demo.sh serves it, two Chromium tabs (playwright-core
// driving the system browser) use it against RabbitMQ Web-STOMP the way a person would.
//
//   node tests/demo/run.mjs [ARGS FOR scripts/demo.sh]      (tests/demo/run.sh sets things up)
//
// Checks: the demo is served; both tabs connect; each lists the other as present; text both
// ways; the msgs/s counter, totals and round trip move; a burst of 500 arrives whole; a binary
// file from one tab arrives byte-exact in the other (size and SHA-256 compared with the ones
// computed here); a generated PNG arrives verified and renders; a broker-side drop
// (scripts/brokers.sh close-connections) shows "Reconnecting: next attempt in …" in both tabs,
// both connect again and keep exchanging messages; no uncaught page errors. Screenshots:
// $STOMPWIRE_TEST_OUTPUT/demo.png (first tab) and demo-peer.png (second tab).
// Every wait is bounded: starting the demo by 900 s (it may build the package), the browser part
// by STOMPWIRE_DEMO_TEST_TIMEOUT (s, default 300). On a failure each tab's screenshot goes to
// demo-failure-N.png. The last line is `demo-test: N passed, M failed`; the exit status is 1 on any failure.
//
// Environment:
//   SW_NODE_MODULES              node_modules holding playwright-core (scripts/lib/install.sh)
//   STOMPWIRE_CHROMIUM           the browser (default /usr/bin/chromium)
//   STOMPWIRE_TEST_OUTPUT        screenshots and the served demo's log (default <repo>/target/test-output)
//   STOMPWIRE_DEMO_TEST_TIMEOUT  bound on the browser part, s (default 300)
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUTPUT = process.env.STOMPWIRE_TEST_OUTPUT || join(REPO, 'target', 'test-output');
const CHROMIUM = process.env.STOMPWIRE_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOTAL_TIMEOUT_S = Number(process.env.STOMPWIRE_DEMO_TEST_TIMEOUT || 300);
const DEMO_ARGS = process.argv.slice(2);

const results = [];
let demo; // the scripts/demo.sh process (its own process group)
let browser;
const pages = [];

function requireTool(name) {
  const base = process.env.SW_NODE_MODULES;
  const req = createRequire(base ? join(resolve(base), '..', 'package.json') : import.meta.url);
  return req(name);
}

function report(name, ok, detail = '') {
  results.push({ name, ok });
  console.log(`  ${ok ? 'ok  ' : 'FAIL'}  ${name}${detail ? ` — ${detail}` : ''}`);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs one check; a thrown error (or a timeout) fails it. Returns whether it passed. */
async function check(name, fn, ms = 30000) {
  try {
    const detail = await withTimeout(Promise.resolve().then(fn), ms, name);
    report(name, true, typeof detail === 'string' ? detail : '');
    return true;
  } catch (err) {
    report(name, false, err && err.message ? err.message.split('\n')[0] : String(err));
    return false;
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function run(cmd, args, ms) {
  return new Promise((resolveRun, reject) => {
    execFile(cmd, args, { cwd: REPO, timeout: ms }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${stderr}`.trim()));
      else resolveRun(stdout);
    });
  });
}

/** Starts scripts/demo.sh on a free port; resolves with the page's base URL once it serves. */
async function startDemo() {
  const port = await freePort();
  const log = createWriteStream(join(OUTPUT, 'demo-server.log'));
  demo = spawn('bash', [join(REPO, 'scripts', 'demo.sh'), ...DEMO_ARGS], {
    cwd: REPO,
    env: { ...process.env, STOMPWIRE_DEMO_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let seen = '';
  return new Promise((resolveUrl, reject) => {
    const onData = (chunk) => {
      log.write(chunk);
      seen += chunk.toString();
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
      if (m) resolveUrl(m[1]);
    };
    demo.stdout.on('data', onData);
    demo.stderr.on('data', onData);
    demo.once('exit', (code) =>
      reject(new Error(`scripts/demo.sh exited (${code}) before serving: ${seen.trim().split('\n').slice(-3).join(' | ')}`)));
  });
}

function stopDemo() {
  if (demo && demo.exitCode === null && demo.pid) {
    try {
      process.kill(-demo.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

// ----- page helpers ----------------------------------------------------------------------------

const stateOf = (page) => page.evaluate(() => document.getElementById('status').dataset.state);

async function waitConnected(page, ms) {
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'connected', null,
    { timeout: ms, polling: 100 });
}

async function sendChat(page, text) {
  await page.fill('#chat-input', text);
  await page.press('#chat-input', 'Enter');
}

async function waitChat(page, text, ms = 10000) {
  await page.waitForFunction((t) => [...document.querySelectorAll('#chat-log li .text')].some((n) => n.textContent === t),
    text, { timeout: ms, polling: 100 });
}

async function waitPresent(page, name, ms = 15000) {
  await page.waitForSelector(`#presence li[data-name="${name}"]`, { timeout: ms });
}

const number = async (page, selector) => Number(await page.textContent(selector));

/** Records every text the status line shows, from now on. */
const watchStatus = (page) => page.evaluate(() => {
  window.__statusSeen = [];
  const target = document.getElementById('status-text');
  const note = () => window.__statusSeen.push(`${document.getElementById('status').dataset.state}|${target.textContent}`);
  new MutationObserver(note).observe(target, { childList: true, characterData: true, subtree: true });
  note();
});

// ----- the run ---------------------------------------------------------------------------------

async function main() {
  mkdirSync(OUTPUT, { recursive: true });
  for (const i of [1, 2]) rmSync(join(OUTPUT, `demo-failure-${i}.png`), { force: true });
  const nonce = randomBytes(4).toString('hex');
  const names = [`Ada-${nonce}`, `Grace-${nonce}`];
  const errors = [];
  let base;

  if (!(await check('scripts/demo.sh serves the board', async () => {
    base = await startDemo();
    return base;
  }, 900000))) return;
  startWatchdog();

  const { chromium } = requireTool('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  for (const name of names) {
    const page = await context.newPage();
    page.on('pageerror', (err) => errors.push(`${name}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/WebSocket|ERR_CONNECTION|net::/.test(msg.text())) errors.push(`${name}: console: ${msg.text()}`);
    });
    pages.push(page);
  }
  const [a, b] = pages;

  if (!(await check('both tabs load the package and connect', async () => {
    await Promise.all(pages.map((p, i) => p.goto(`${base}?name=${encodeURIComponent(names[i])}`, { waitUntil: 'load', timeout: 20000 })));
    await Promise.all(pages.map((p) => waitConnected(p, 25000)));
    return `STOMP ${await a.evaluate(() => window.stompwireBoard.client.connectedVersion)}`;
  }))) return;
  const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.stompwireBoard.me.id)));

  await check('each tab lists the other as present', async () => {
    await waitPresent(a, names[1]);
    await waitPresent(b, names[0]);
    return `${await a.textContent('#presence-count')} here`;
  });

  await check('text messages both ways', async () => {
    const ab = `Hello from ${names[0]} — héllo ✓ ${nonce}`;
    const ba = `Hi ${names[0]}, ${names[1]} here ${nonce}`;
    await sendChat(a, ab);
    await waitChat(b, ab);
    await sendChat(b, ba);
    await waitChat(a, ba);
  });

  await check('msgs/s, totals and round trip move', async () => {
    const before = await Promise.all(pages.map((p) => number(p, '#total-in')));
    await a.waitForTimeout(2500);
    const after = await Promise.all(pages.map((p) => number(p, '#total-in')));
    const rates = await Promise.all(pages.map((p) => number(p, '#rate-in')));
    const rtt = await a.textContent('#latency');
    if (!(after[0] > before[0] && after[1] > before[1])) throw new Error(`received totals did not grow: ${before} -> ${after}`);
    if (!(rates[0] > 0 && rates[1] > 0)) throw new Error(`msgs/s in: ${rates}`);
    if (!(Number(rtt) >= 0)) throw new Error(`round trip shows '${rtt}'`);
    await a.waitForFunction((id) => /ms/.test(document.querySelector(`#presence li[data-id="${id}"] .meta`)?.textContent || ''),
      ids[1], { timeout: 10000, polling: 200 });
    return `in ${rates.join(' / ')} msg/s, round trip ${rtt} ms`;
  });

  await check('a burst of 500 arrives whole, and the rate shows it', async () => {
    await a.click('#burst');
    await b.waitForFunction(() => [...document.querySelectorAll('#chat-log li.system')]
      .some((n) => /Burst: 500\/500 of .*'s messages/.test(n.textContent)), null, { timeout: 15000, polling: 100 });
    // The counters redraw every 250 ms: give the peak a moment to show the burst.
    await b.waitForFunction(() => Number(document.getElementById('rate-peak').textContent) >= 50, null,
      { timeout: 3000, polling: 100 }).catch(() => {});
    const peak = await number(b, '#rate-peak');
    if (!(peak >= 50)) throw new Error(`peak in ${peak} msg/s after a burst of 500`);
    return `peak ${peak} msg/s in the other tab`;
  });

  await check('a binary file arrives byte-exact in the other tab', async () => {
    const buffer = randomBytes(256 * 1024);
    buffer[0] = 0;
    buffer[1] = 0xff;
    buffer[buffer.length - 1] = 0; // NULs and bytes that are not UTF-8
    const sha = createHash('sha256').update(buffer).digest('hex');
    const name = `payload-${nonce}.bin`;
    await a.setInputFiles('#file-input', { name, mimeType: 'application/octet-stream', buffer });
    for (const [page, who] of [[b, 'the other tab'], [a, 'the sender (its own copy)']]) {
      const item = await page.waitForSelector(`#file-list li[data-name="${name}"]`, { timeout: 15000 });
      const got = await item.evaluate((n) => ({ ...n.dataset }));
      if (got.verified !== 'true' || got.size !== String(buffer.length) || got.digest !== sha) {
        throw new Error(`${who}: ${JSON.stringify(got)}; want size ${buffer.length}, sha-256 ${sha}`);
      }
    }
    return `${buffer.length} B, sha-256 ${sha.slice(0, 16)}…`;
  });

  await check('a generated image arrives verified and renders', async () => {
    await b.click('#send-image');
    const item = await a.waitForSelector(`#file-list li[data-from="${ids[1]}"][data-name^="board-"]`, { timeout: 15000 });
    const got = await item.evaluate((n) => ({ ...n.dataset }));
    if (got.verified !== 'true') throw new Error(JSON.stringify(got));
    await a.waitForFunction((id) => {
      const img = document.querySelector(`#file-list li[data-from="${id}"] img`);
      return img && img.complete && img.naturalWidth > 0;
    }, ids[1], { timeout: 10000 });
    return `${got.name}, ${got.size} B`;
  });

  // A broker-side drop: both tabs must say they are reconnecting (with the delay), then
  // connect again by themselves.
  const marks = await Promise.all(pages.map((p) => p.evaluate(() => window.stompwireBoard.history.length)));
  // The broker is shared: another client's close-connections would drop these tabs too.
  const early = await Promise.all(pages.map((p) => p.evaluate(() =>
    window.stompwireBoard.history.filter((e) => e.state === 'reconnecting').length)));
  if (early.some((n) => n > 0)) {
    console.log(`  note: connections dropped before this test dropped them (${early.join(' / ')} reconnections): `
      + 'something else closed connections on the broker; messages in flight then are lost');
  }
  await Promise.all(pages.map(watchStatus));
  const dropped = await check('scripts/brokers.sh close-connections',
    async () => (await run('bash', ['scripts/brokers.sh', 'close-connections'], 60000)).trim(), 70000);
  if (dropped) {
    await check('both tabs show "Reconnecting: next attempt in …", then connect again', async () => {
      const details = [];
      for (const [i, page] of pages.entries()) {
        await page.waitForFunction((mark) => {
          const h = window.stompwireBoard.history.slice(mark);
          const r = h.findIndex((e) => e.state === 'reconnecting' && e.delayMs !== undefined);
          return r >= 0 && h.slice(r).some((e) => e.state === 'connected') && window.stompwireBoard.state === 'connected';
        }, marks[i], { timeout: 40000, polling: 100 });
        const seen = await page.evaluate(() => window.__statusSeen);
        const shown = seen.find((s) => /^reconnecting\|Reconnecting: next attempt in \d+\.\d s$/.test(s));
        if (!shown) throw new Error(`${names[i]}: the status line never showed the next attempt's delay: ${JSON.stringify(seen)}`);
        details.push(`${names[i].split('-')[0]}: "${shown.split('|')[1]}"`);
      }
      return details.join('; ');
    }, 45000);

    await check('after reconnecting: messages both ways, presence intact', async () => {
      const ab = `Back again, ${names[0]} ${nonce}`;
      const ba = `Me too, ${names[1]} ${nonce}`;
      await sendChat(a, ab);
      await waitChat(b, ab);
      await sendChat(b, ba);
      await waitChat(a, ba);
      await waitPresent(a, names[1]);
      await waitPresent(b, names[0]);
      await a.waitForFunction(() => [...document.querySelectorAll('#chat-log li.system')]
        .some((n) => /Connected again after/.test(n.textContent)), null, { timeout: 5000 });
    });
  }

  await check('no uncaught errors in the pages', () => {
    if (errors.length) throw new Error(errors.slice(0, 3).join(' | '));
  }, 1000);

  await check('screenshots', async () => {
    await a.waitForTimeout(600); // the counters redraw every 250 ms
    const shot = join(OUTPUT, 'demo.png');
    await a.screenshot({ path: shot, fullPage: true });
    await b.screenshot({ path: join(OUTPUT, 'demo-peer.png'), fullPage: true });
    return shot;
  });

  for (const state of await Promise.all(pages.map(stateOf))) {
    if (state !== 'connected') console.log(`  note: a tab ended in state ${state}`);
  }
}

let watchdog;
function startWatchdog() {
  watchdog = setTimeout(() => {
    report(`the browser part within ${TOTAL_TIMEOUT_S} s`, false, 'watchdog fired');
    finish(1);
  }, TOTAL_TIMEOUT_S * 1000);
}

async function finish(code) {
  clearTimeout(watchdog);
  const failedSoFar = results.some((r) => !r.ok);
  try {
    if (failedSoFar) {
      for (const [i, page] of pages.entries()) {
        await withTimeout(page.screenshot({ path: join(OUTPUT, `demo-failure-${i + 1}.png`), fullPage: true }), 10000, 'screenshot');
      }
    }
  } catch {
    /* best effort */
  }
  try {
    if (browser) await withTimeout(browser.close(), 10000, 'closing the browser');
  } catch {
    /* the process exits anyway */
  }
  stopDemo();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`demo-test: ${passed} passed, ${failed} failed`);
  process.exit(code || failed ? 1 : 0);
}

console.log('demo-test: the board in two Chromium tabs against RabbitMQ Web-STOMP');
main().then(() => finish(0), (err) => {
  report('demo test', false, err && err.stack ? err.stack.split('\n').slice(0, 3).join(' ') : String(err));
  finish(1);
});
