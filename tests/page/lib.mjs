// Node helpers for the page tests: a static file server on 127.0.0.1, the system Chromium
// driven by playwright-core (never a downloaded browser), and a runner that loads a page,
// waits for its result, saves a screenshot and prints the checks.
//
// Environment:
//   SW_NODE_MODULES        node_modules holding playwright-core (scripts/lib/install.sh)
//   STOMPWIRE_CHROMIUM     the browser (default /usr/bin/chromium)
//   STOMPWIRE_TEST_OUTPUT  where screenshots go (default <repo>/target/test-output)
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUTPUT = process.env.STOMPWIRE_TEST_OUTPUT || join(REPO, 'target', 'test-output');
export const CHROMIUM = process.env.STOMPWIRE_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Loads a package from $SW_NODE_MODULES (the tool folder), else from the usual places.
export function requireTool(name) {
  const base = process.env.SW_NODE_MODULES;
  const req = createRequire(base ? join(resolve(base), '..', 'package.json') : import.meta.url);
  return req(name);
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// Serves mounts ({ '/pkg/': dir, '/': dir }, longest prefix first) on 127.0.0.1, a free port.
export function serveStatic(mounts) {
  const table = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix, resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const mount = table.find(([prefix]) => path.startsWith(prefix));
    let file = null;
    if (mount) {
      const [prefix, dir] = mount;
      const candidate = normalize(join(dir, path.slice(prefix.length)));
      if (candidate === dir || candidate.startsWith(dir + sep)) file = candidate;
    }
    try {
      if (file && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!file || !statSync(file).isFile()) throw new Error('not a file');
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolveServer({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

export async function launchChromium() {
  const { chromium } = requireTool('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30000,
  });
}

// Loads url, waits (bounded) for window.__stompwireResult, saves a screenshot, prints the
// checks. Returns true when every check passed.
export async function runPage({ name, url, timeoutMs = 45000 }) {
  mkdirSync(OUTPUT, { recursive: true });
  const console_ = [];
  let browser;
  let result;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1000, height: 560 } });
    page.on('console', (msg) => console_.push(`console.${msg.type()}: ${msg.text()}`));
    page.on('pageerror', (err) => console_.push(`pageerror: ${err.message}`));
    page.on('requestfailed', (req) =>
      console_.push(`requestfailed: ${req.url()} ${req.failure() && req.failure().errorText}`));
    page.on('response', (res) => {
      if (res.status() >= 400) console_.push(`http ${res.status()}: ${res.url()}`);
    });
    await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    try {
      await page.waitForFunction(() => window.__stompwireResult !== undefined, null, {
        timeout: timeoutMs,
        polling: 100,
      });
      result = await page.evaluate(() => window.__stompwireResult);
    } catch (err) {
      result = {
        ok: false,
        checks: [{ name: 'page produced a result', ok: false, detail: err.message.split('\n')[0] }],
        log: [],
      };
    }
    const shot = join(OUTPUT, `${name}.png`);
    await page.screenshot({ path: shot, fullPage: true, timeout: 15000 });
    console.log(`  screenshot: ${shot}`);
  } catch (err) {
    result = {
      ok: false,
      checks: [{ name: 'browser run', ok: false, detail: String(err && err.message).split('\n')[0] }],
      log: [],
    };
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
  for (const c of result.checks) {
    console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
  }
  if (!result.ok) {
    for (const line of [...(result.log || []), ...console_].slice(-60)) console.log(`    | ${line}`);
  }
  return !!result.ok;
}

// Exits the process after ms no matter what (every wait is bounded; this bounds the sum).
export function watchdog(ms, what) {
  const timer = setTimeout(() => {
    console.error(`${what}: gave up after ${ms} ms`);
    process.exit(2);
  }, ms);
  timer.unref();
}
