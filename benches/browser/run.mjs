// The browser benchmark: the same workloads driven by stompwire, by @stomp/stompjs and by a
// raw-WebSocket floor, in one run, in headless Chromium, headless Firefox and Node 20 + ws, against RabbitMQ
// Web-STOMP; then the size of both minimal apps. Started by run.sh (which installs the peer and
// builds the package); see README.md.
//
//   node run.mjs [--env chromium,firefox,node] [--lib stompwire,stompwire-batch,stompjs,floor]
//                [--workload NAME,...] [--repeat N] [--scale F]
//
// Chromium's CPU time is read from /proc for the whole browser process tree (every descendant
// of this process: browser, renderer, network service, GPU), utime + stime, before and after
// the measured part of a run; Node's from process.cpuUsage() in a process of its own.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKLOADS } from './workloads.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const WORK = env.BENCH_WORK;
const PKG = env.BENCH_PKG;
const BROKER = env.STOMPWIRE_RABBIT_WS || 'ws://127.0.0.1:15674/ws';
const OUT = env.BENCH_OUTPUT || join(here, '..', '..', 'target', 'bench-output');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// stompwire as configured by default (one frame per message, as stompjs) and with batchFrames.
const LIBS = ['stompwire', 'stompwire-batch', 'stompjs', 'floor'];

// The libraries in round `r`'s order: each round starts one further along, so that over the
// rounds every library runs in every position (the broker's state after a run, and the
// machine's, weigh on whichever runs next).
function inTurn(list, r) {
  const k = r % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function option(name, all) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1].split(',') : all;
}
const envs = option('env', ['chromium', 'firefox', 'node']);
const libs = option('lib', LIBS);
const workloads = option('workload', Object.keys(WORKLOADS));
const repeat = Number(option('repeat', ['1'])[0]);
// --scale F: every count (flood sizes, paced duration) times F, for a machine too busy for the
// full run; the table says so.
const scale = Number(option('scale', ['1'])[0]);
for (const w of Object.values(WORKLOADS)) {
  if (w.count) w.count = Math.max(100, Math.round(w.count * scale));
  if (w.seconds) w.seconds = Math.max(1, Math.round(w.seconds * scale));
}
// The whole run is bounded: each run has its own limit (workloads.mjs), this is the backstop.
setTimeout(() => {
  console.error('bench: over 20 minutes, giving up');
  process.exit(1);
}, 20 * 60 * 1000).unref();

const esbuild = env.SW_ESBUILD;
const req = createRequire(join(WORK, 'package.json'));
const stompjsVersion = JSON.parse(readFileSync(join(WORK, 'node_modules', '@stomp', 'stompjs', 'package.json'))).version;
const stompjsEntry = req.resolve('@stomp/stompjs');

// ---- bundles: the page drivers and the minimal apps, by esbuild (minified) ----------------
mkdirSync(join(WORK, 'entries'), { recursive: true });
mkdirSync(join(WORK, 'www'), { recursive: true });
const workloadsPath = join(here, 'workloads.mjs');
const entries = {
  stompwire: `import { Client } from 'stompwire';\nimport * as W from ${JSON.stringify(workloadsPath)};\nwindow.bench = { W, make: (url) => W.stompClient(Client, url) };\n`,
  stompjs: `import { Client } from '@stomp/stompjs';\nimport * as W from ${JSON.stringify(workloadsPath)};\nwindow.bench = { W, make: (url) => W.stompClient(Client, url) };\n`,
  'stompwire-batch': `import { Client } from 'stompwire';\nimport * as W from ${JSON.stringify(workloadsPath)};\nwindow.bench = { W, make: (url) => W.stompClient(Client, url, { batchFrames: true }) };\n`,
  floor: `import * as W from ${JSON.stringify(workloadsPath)};\nwindow.bench = { W, make: (url) => W.rawClient(url) };\n`,
  // The 1 MiB decode (decode-lib.mjs) of both libraries in one page.
  decode:
    `import * as ours from 'stompwire';\nimport * as theirs from '@stomp/stompjs';\n` +
    `import { decodeRows } from ${JSON.stringify(join(here, 'decode-lib.mjs'))};\n` +
    'window.bench = { decode: async (runs) => { await ours.coreReady; return decodeRows(ours, theirs, runs); } };\n',
};
const bundle = (entry, out) =>
  execFileSync(esbuild, [entry, '--bundle', '--minify', '--format=esm', '--log-level=warning', `--outfile=${out}`], {
    env: { ...env, NODE_PATH: join(WORK, 'node_modules') },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
for (const [lib, text] of Object.entries(entries)) {
  const entry = join(WORK, 'entries', `${lib}.mjs`);
  writeFileSync(entry, text);
  bundle(entry, join(WORK, 'www', `${lib}.js`));
}
writeFileSync(
  join(WORK, 'www', 'bench.html'),
  '<!doctype html><meta charset="utf-8"><title>bench</title><script type="module">\n' +
    "const lib = new URLSearchParams(location.search).get('lib');\n" +
    "import(`./${lib}.js`).then(() => { window.benchReady = true; }, (e) => { window.benchError = String(e); });\n" +
    '</script>\n',
);

const app = (lib) =>
  `import { Client } from '${lib}';\nconst client = new Client({ brokerURL: 'ws://127.0.0.1:15674/ws' });\n` +
  "client.onConnect = () => {\n  client.subscribe('/queue/a', (m) => console.log(m.body));\n" +
  "  client.publish({ destination: '/queue/a', body: 'hi' });\n};\nclient.activate();\n";
const sizes = {};
for (const [name, lib] of [['stompwire', 'stompwire'], ['stompjs', '@stomp/stompjs']]) {
  const entry = join(WORK, 'entries', `app-${name}.mjs`);
  const out = join(WORK, 'www', `app-${name}.js`);
  writeFileSync(entry, app(lib));
  bundle(entry, out);
  const raw = readFileSync(out).length;
  const gzip = execFileSync('gzip', ['-9', '-c', out]).length;
  sizes[name] = { raw, gzip };
}

// ---- CPU time of this process's descendants, from /proc ---------------------------------
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
function treeCpuUs() {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    procs.set(Number(d), { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]) });
  }
  let total = 0;
  for (const [pid, p] of procs) {
    if (pid === process.pid) continue;
    for (let up = p.ppid, hops = 0; up > 1 && hops < 32; up = procs.get(up)?.ppid ?? 0, hops++) {
      if (up === process.pid) {
        total += p.cpu;
        break;
      }
    }
  }
  return total * TICK_US;
}

const results = [];
const failures = [];
// A run whose connection the broker drops (other clients of the shared broker may close every
// connection) is tried again, up to three times in all; a run that never completes is listed.
async function attempts(what, run) {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (e) {
      console.error(`  ${what}: attempt ${i} failed: ${e.message.split('\n')[0]}`);
      if (i === 3) {
        failures.push(what);
        return undefined;
      }
    }
  }
}
let seq = 0;
const dest = (lib, w) => `/topic/stompwire-bench-${process.pid}-${seq++}-${lib}-${w.replace(/\W/g, '')}`;
function record(envName, lib, name, figures, cpuUs) {
  const row = { env: envName, lib, workload: name, ...figures, cpuUs, cpuPerMsgUs: cpuUs / figures.delivered };
  results.push(row);
  const warn = figures.timedOut ? ' TIMED OUT' : '';
  console.log(
    `  ${envName.padEnd(8)} ${name.padEnd(18)} ${lib.padEnd(9)} ${row.cpuPerMsgUs.toFixed(1).padStart(8)} µs/msg ` +
      `${Math.round(row.msgPerSec).toString().padStart(7)} msg/s  p50 ${row.p50.toFixed(2)} ms  p99 ${row.p99.toFixed(2)} ms ` +
      `(${figures.delivered}/${figures.sent})${warn}`,
  );
}

// The bench pages (bench.html and the bundled apps), served from 127.0.0.1 for the browsers.
async function servePages() {
  const server = createServer((rq, rs) => {
    const path = new URL(rq.url, 'http://x').pathname.replace(/^\/+/, '') || 'bench.html';
    try {
      const data = readFileSync(join(WORK, 'www', path.replace(/\.\./g, '')));
      rs.writeHead(200, { 'content-type': path.endsWith('.html') ? 'text/html' : 'text/javascript' });
      rs.end(data);
    } catch {
      rs.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { server, origin };
}

// Decode rows (1 MiB binary MESSAGE), by environment.
const decodes = {};
// --decode-only: only the 1 MiB decode (Chromium and Node), no broker workloads.
const decodeOnly = process.argv.includes('--decode-only');
if (decodeOnly) workloads.length = 0;

// ---- Chromium ------------------------------------------------------------------------------
if (envs.includes('chromium')) {
  const nm = env.SW_NODE_MODULES;
  const { chromium } = createRequire(join(resolve(nm), '..', 'package.json'))('playwright-core');
  const { server, origin } = await servePages();
  const browser = await chromium.launch({ executablePath: env.STOMPWIRE_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  console.log(`chromium ${browser.version()}, @stomp/stompjs ${stompjsVersion}, broker ${BROKER}`);
  for (let r = 0; r < repeat; r++) {
    for (const name of workloads) {
      for (const lib of inTurn(libs, r)) {
        await attempts(`chromium ${lib} ${name}`, async () => {
          const page = await browser.newPage();
          try {
            page.on('pageerror', (e) => console.error(`  [${lib}] page error: ${e.message}`));
            await page.goto(`${origin}/bench.html?lib=${lib}`);
            await page.waitForFunction(() => window.benchReady || window.benchError);
            const err = await page.evaluate(() => window.benchError);
            if (err) throw new Error(`${lib}: ${err}`);
            await page.evaluate(
              async ([url, d]) => {
                window.state = await window.bench.W.prepare(window.bench.make(url), d);
              },
              [BROKER, dest(lib, name)],
            );
            const before = treeCpuUs();
            const figures = await page.evaluate(([n, w]) => window.bench.W.measure(window.state, w), [name, WORKLOADS[name]]);
            const cpu = treeCpuUs() - before;
            record('chromium', lib, name, figures, cpu);
            await page.evaluate(() => window.state.client.close()).catch(() => {});
          } finally {
            await page.close();
          }
        });
      }
    }
  }
  {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/bench.html?lib=decode`);
      await page.waitForFunction(() => window.benchReady || window.benchError);
      const err = await page.evaluate(() => window.benchError);
      if (err) throw new Error(`decode: ${err}`);
      decodes[`chromium ${browser.version()}`] = await page.evaluate((runs) => window.bench.decode(runs), 20);
    } finally {
      await page.close();
    }
  }
  await browser.close();
  server.close();
}
if (envs.includes('node')) {
  const ours = await import(join(resolve(PKG), 'stompwire.mjs'));
  const theirs = await import(join(WORK, 'node_modules/@stomp/stompjs/esm6/index.js'));
  await ours.coreReady;
  const { decodeRows } = await import('./decode-lib.mjs');
  decodes[`node ${process.version}`] = await decodeRows(ours, theirs, 20);
}

// ---- Firefox (Debian's firefox-esr, driven through geckodriver's WebDriver API) --------------
// playwright-core drives only its own Firefox build; geckodriver (cargo registry) drives the
// system one. CPU time is the whole tree again: geckodriver is this process's child, Firefox
// and its content processes its descendants.
if (envs.includes('firefox')) {
  const gecko = env.SW_GECKODRIVER || 'geckodriver';
  const port = 20000 + (process.pid % 20000);
  const driver = spawn(gecko, ['--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const json = await res.json();
    if (json.value && json.value.error) throw new Error(`${json.value.error}: ${json.value.message}`);
    return json.value;
  };
  let session;
  for (let i = 0; i < 50 && !session; i++) {
    try {
      session = await call('POST', '/session', {
        capabilities: {
          alwaysMatch: {
            browserName: 'firefox',
            'moz:firefoxOptions': { binary: env.STOMPWIRE_FIREFOX || '/usr/bin/firefox-esr', args: ['-headless'] },
            timeouts: { script: 150000, pageLoad: 30000 },
          },
        },
      });
    } catch (e) {
      if (i === 49) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const id = session.sessionId;
  const run = (script, args = []) => call('POST', `/session/${id}/execute/async`, { script, args });
  const { server, origin } = await servePages();
  console.log(`firefox ${session.capabilities.browserVersion}, @stomp/stompjs ${stompjsVersion}, broker ${BROKER}`);
  try {
    for (let r = 0; r < repeat; r++) {
      for (const name of workloads) {
        for (const lib of inTurn(libs, r)) {
          await attempts(`firefox ${lib} ${name}`, async () => {
            await call('POST', `/session/${id}/url`, { url: `${origin}/bench.html?lib=${lib}` });
            const err = await run(`const done = arguments[arguments.length - 1];
              const wait = () => (window.benchReady || window.benchError ? done(window.benchError || null) : setTimeout(wait, 20));
              wait();`);
            if (err) throw new Error(`${lib}: ${err}`);
            const prepared = await run(
              `const done = arguments[arguments.length - 1];
              window.bench.W.prepare(window.bench.make(arguments[0]), arguments[1]).then((s) => { window.state = s; done(null); }, (e) => done(String(e)));`,
              [BROKER, dest(lib, name)],
            );
            if (prepared) throw new Error(prepared);
            const before = treeCpuUs();
            const figures = await run(
              `const done = arguments[arguments.length - 1];
              window.bench.W.measure(window.state, arguments[0]).then(done, (e) => done({ error: String(e) }));`,
              [WORKLOADS[name]],
            );
            const cpu = treeCpuUs() - before;
            if (figures.error) throw new Error(figures.error);
            record('firefox', lib, name, figures, cpu);
            await run('const done = arguments[arguments.length - 1]; Promise.resolve(window.state.client.close()).then(() => done(), () => done());').catch(() => {});
          });
        }
      }
    }
  } finally {
    await call('DELETE', `/session/${id}`).catch(() => {});
    driver.kill();
    server.close();
  }
}

// ---- Node 20 + ws ------------------------------------------------------------------------
if (envs.includes('node')) {
  console.log(`node ${process.version}`);
  const childEnv = {
    ...env,
    BENCH_BROKER: BROKER,
    BENCH_STOMPWIRE: join(PKG, 'stompwire.mjs'),
    BENCH_STOMPJS: stompjsEntry,
    BENCH_WS: join(env.SW_NODE_MODULES, 'ws'),
  };
  for (let r = 0; r < repeat; r++) {
    for (const name of workloads) {
      for (const lib of inTurn(libs, r)) {
        await attempts(`node ${lib} ${name}`, async () => {
          const out = await new Promise((resolveRun, reject) => {
            const child = spawn(process.execPath, [join(here, 'node-run.mjs'), lib, name, dest(lib, name)], {
              env: { ...childEnv, BENCH_WORKLOAD: JSON.stringify(WORKLOADS[name]) },
              stdio: ['ignore', 'pipe', 'inherit'],
            });
            let text = '';
            child.stdout.on('data', (b) => {
              text += b;
            });
            const kill = setTimeout(() => child.kill('SIGKILL'), 120000);
            child.on('exit', (code) => {
              clearTimeout(kill);
              code === 0 ? resolveRun(text) : reject(new Error(`node ${lib} ${name}: exit ${code}`));
            });
          });
          const figures = JSON.parse(out.trim().split('\n').pop());
          record('node', lib, name, figures, figures.cpuUs);
        });
      }
    }
  }
}

// ---- the table -----------------------------------------------------------------------------
// The median of the rounds: one round disturbed by the machine does not move it.
const median = (rows, k) => {
  const v = rows.map((r) => r[k]).sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const pick = (e, l, w) => results.filter((r) => r.env === e && r.lib === l && r.workload === w);
const lines = [];
if (scale !== 1) lines.push(`Counts scaled by ${scale} (--scale): ${JSON.stringify(WORKLOADS)}\n`);
lines.push(`| env | workload | ${libs.join(' | ')} | ${libs.filter((l) => l !== 'stompjs').map((l) => `${l}/stompjs`).join(' | ')} |`);
lines.push(`|${'---|'.repeat(2 + libs.length + libs.filter((l) => l !== 'stompjs').length)}`);
for (const e of envs) {
  for (const w of workloads) {
    const cells = {};
    for (const l of libs) {
      const rows = pick(e, l, w);
      if (rows.length) cells[l] = { cpu: median(rows, 'cpuPerMsgUs'), rate: median(rows, 'msgPerSec'), p50: median(rows, 'p50'), p99: median(rows, 'p99') };
    }
    const show = (c) => (c ? `${c.cpu.toFixed(1)} µs/msg, ${Math.round(c.rate)} msg/s, p50 ${c.p50.toFixed(2)} / p99 ${c.p99.toFixed(2)} ms` : '—');
    const ratio = (c) =>
      c && cells.stompjs ? `cpu ×${(c.cpu / cells.stompjs.cpu).toFixed(2)}, rate ×${(c.rate / cells.stompjs.rate).toFixed(2)}, p50 ×${(c.p50 / cells.stompjs.p50).toFixed(2)}` : '—';
    lines.push(`| ${e} | ${w} | ${libs.map((l) => show(cells[l])).join(' | ')} | ${libs.filter((l) => l !== 'stompjs').map((l) => ratio(cells[l])).join(' | ')} |`);
  }
}
lines.push('');
lines.push('| minimal app (activate, subscribe, publish; esbuild --minify) | raw | gzip -9 |');
lines.push('|---|---|---|');
for (const [name, s] of Object.entries(sizes)) lines.push(`| ${name} | ${s.raw} B | ${s.gzip} B (${(s.gzip / 1024).toFixed(1)} KiB) |`);
if (Object.keys(decodes).length) {
  lines.push('');
  lines.push('| 1 MiB binary MESSAGE, median of 20 | path | stompwire | stompjs | stompwire / stompjs speed |');
  lines.push('|---|---|---|---|---|');
  for (const [e, rows] of Object.entries(decodes)) for (const r of rows) lines.push(`| ${e} ${r}`);
}
console.log(`\n${lines.join('\n')}`);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'browser.json'), JSON.stringify({ stompjsVersion, sizes, results }, null, 2));
writeFileSync(join(OUT, 'browser.md'), `${lines.join('\n')}\n`);
if (failures.length) console.log(`\nbench: runs that never completed: ${failures.join(', ')}`);
console.log(`\nbench: results in ${OUT}/browser.{json,md}`);
process.exit(0);
