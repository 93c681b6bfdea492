// The package apps: the npm package (target/pkg/npm) used by name, unchanged, in every
// environment a stompjs app lives in, each running tests/pkg-apps/scenario.mjs against RabbitMQ
// Web-STOMP. Nothing here configures the package: each bundler runs with its defaults.
//
//   node tests/pkg-apps/run.mjs PKG_NPM_DIR [ENV...]
//
// ENV (default all): node-esm node-cjs node-global node22-esm node22-cjs node22-global
// module-page classic-page worker vite webpack esbuild rollup late-core load-failure types. node-* run
// under the Node that runs this script (Node 20 here), node22-* the same apps under the Node 22
// binary named by SW_NODE22 (scripts/lib/install.sh: sw_ensure_node22; a node22-* app fails
// when it is not set). node-global uses Node's own WebSocket (Node 22; Node 20 with
// --experimental-websocket); late-core is a module page whose new WebAssembly.Module refuses
// more than 4 KB, as a page's main thread did before Chromium 114 (the core comes after the
// import, through WebAssembly.instantiate, and a client activated before that connects once
// it is there); load-failure is a page whose CSP forbids WebAssembly (the
// failure must reach debug and onWebSocketError); types type-checks a TypeScript app with tsc
// (strict, no DOM library). Work folder: target/pkg-apps (replaced on each run).
// Environment: STOMPWIRE_RABBIT_WS, SW_NODE_MODULES (bundlers, ws, playwright-core),
// SW_ESBUILD (esbuild binary), SW_NODE22 (Node 22 binary), and those of tests/page/lib.mjs.
// Prints one line per check and `pkg-apps: N passed, M failed` (one per environment); exit
// status 0 when all passed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO, requireTool, runPage, serveStatic, watchdog } from '../page/lib.mjs';

const ALL = ['node-esm', 'node-cjs', 'node-global', 'node22-esm', 'node22-cjs', 'node22-global', 'module-page', 'classic-page', 'worker', 'vite', 'webpack', 'esbuild', 'rollup', 'late-core', 'load-failure', 'types'];
watchdog(600000, 'package apps');
const [pkgArg, ...wanted] = process.argv.slice(2);
if (!pkgArg) {
  console.error('usage: node tests/pkg-apps/run.mjs PKG_NPM_DIR [ENV...]');
  process.exit(2);
}
const pkgDir = resolve(pkgArg);
const envs = wanted.length ? wanted : ALL;
const here = dirname(fileURLToPath(import.meta.url));
const broker = process.env.STOMPWIRE_RABBIT_WS || 'ws://127.0.0.1:15674/ws';
const work = join(REPO, 'target', 'pkg-apps');
const tools = process.env.SW_NODE_MODULES;

rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'node_modules'), { recursive: true });
cpSync(here, work, { recursive: true, filter: (src) => !src.endsWith('run.mjs') });
symlinkSync(pkgDir, join(work, 'node_modules', 'stompwire'), 'dir');
if (tools) symlinkSync(join(resolve(tools), 'ws'), join(work, 'node_modules', 'ws'), 'dir');

function printResult(result) {
  for (const c of result.checks || []) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
  if (!result.ok) for (const line of result.log || []) console.log(`    | ${line}`);
  return !!result.ok;
}

function runNode(args, node = process.execPath) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  console.log(`  node ${version || '(does not run)'} (${node})`);
  const r = spawnSync(node, args, {
    cwd: work,
    env: { ...process.env, STOMPWIRE_RABBIT_WS: broker },
    encoding: 'utf8',
    timeout: 60000,
  });
  const last = (r.stdout || '').trim().split('\n').pop();
  let result;
  try {
    result = JSON.parse(last);
  } catch {
    result = { ok: false, checks: [{ name: 'node run', ok: false, detail: `exit ${r.status}: ${(r.stderr || last || '').slice(-400)}` }] };
  }
  return printResult(result) && r.status === 0;
}

async function runServed(name, root, path) {
  const { server, origin } = await serveStatic({ '/': root, '/node_modules/': join(work, 'node_modules'), '/browser-app.mjs': join(work, 'browser-app.mjs'), '/scenario.mjs': join(work, 'scenario.mjs') });
  try {
    return await runPage({ name: `pkg-${name}`, url: `${origin}${path}?env=${name}&broker=${encodeURIComponent(broker)}` });
  } finally {
    server.close();
  }
}

const bundled = join(work, 'bundled');
async function build(name) {
  const dist = join(work, `dist-${name}`);
  if (name === 'vite') {
    const { build: viteBuild } = requireTool('vite');
    await viteBuild({ root: bundled, logLevel: 'warn', configFile: false, build: { outDir: dist, emptyOutDir: true } });
    return dist;
  }
  mkdirSync(dist, { recursive: true });
  const page = (script, type) => writeFileSync(join(dist, 'index.html'),
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><pre id="result">running…</pre><script ${type}src="${script}"></script>\n`);
  if (name === 'webpack') {
    const webpack = requireTool('webpack');
    const stats = await new Promise((res, rej) => webpack({ mode: 'production', context: bundled, entry: './src/index.js', output: { path: dist } }, (e, s) => (e ? rej(e) : res(s))));
    if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
    page('main.js', '');
  } else if (name === 'rollup') {
    const { rollup } = requireTool('rollup');
    const { nodeResolve } = requireTool('@rollup/plugin-node-resolve');
    const bundle = await rollup({ input: join(bundled, 'src', 'index.js'), plugins: [nodeResolve()], onwarn: (w) => console.log(`  rollup: ${w.message}`) });
    await bundle.write({ dir: dist, format: 'es' });
    page('index.js', 'type="module" ');
  } else if (name === 'esbuild') {
    const esbuild = process.env.SW_ESBUILD;
    if (!esbuild) throw new Error('SW_ESBUILD is not set');
    const r = spawnSync(esbuild, [join(bundled, 'src', 'index.js'), '--bundle', `--outfile=${join(dist, 'main.js')}`, '--log-level=warning'], { encoding: 'utf8', cwd: bundled });
    if (r.status !== 0) throw new Error(r.stderr);
    page('main.js', '');
  }
  return dist;
}

let passed = 0;
let failed = 0;
for (const env of envs) {
  console.log(`\n  == ${env}`);
  let ok = false;
  try {
    const node = /^node(22)?-(esm|cjs|global)$/.exec(env);
    if (node) {
      const binary = node[1] ? process.env.SW_NODE22 : process.execPath;
      if (!binary) throw new Error('SW_NODE22 is not set: no Node 22 to run this app under');
      const major = Number(spawnSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.split('.')[0]);
      if (node[1] && major !== 22) throw new Error(`SW_NODE22 (${binary}) is not Node 22`);
      const app = { esm: ['node-esm', 'main.mjs'], cjs: ['node-cjs', 'main.cjs'], global: ['node-global', 'main.mjs'] }[node[2]];
      const flags = node[2] === 'global' && major < 22 ? ['--experimental-websocket'] : [];
      ok = runNode([...flags, join(work, ...app)], binary);
    } else if (['module-page', 'classic-page', 'worker', 'late-core', 'load-failure'].includes(env)) {
      ok = await runServed(env, join(work, env), '/index.html');
    } else if (['vite', 'webpack', 'esbuild', 'rollup'].includes(env)) {
      const dist = await build(env);
      ok = await runServed(env, dist, '/index.html');
    } else if (env === 'types') {
      const tsc = join(resolve(tools || ''), 'typescript', 'bin', 'tsc');
      const r = spawnSync(process.execPath, [tsc, '-p', join(work, 'types')], { encoding: 'utf8', timeout: 120000 });
      ok = r.status === 0;
      console.log(`  ${ok ? 'ok  ' : 'FAIL'} tsc -p types (strict, lib es2022, no DOM)${ok ? '' : `\n${r.stdout}${r.stderr}`}`);
    } else {
      console.log(`  unknown environment ${env}`);
    }
  } catch (err) {
    console.log(`  FAIL ${env}: ${String(err && (err.stack || err.message)).split('\n').slice(0, 8).join('\n    ')}`);
  }
  console.log(`  ${env}: ${ok ? 'PASSED' : 'FAILED'}`);
  if (ok) passed++;
  else failed++;
}
console.log(`\npkg-apps: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
