// Vite build test of the package (its `--target bundler` build, resolved by name through
// package.json `exports`): lays the app out in a work folder whose node_modules holds the tool
// packages (links into $SW_NODE_MODULES) and a copy of the package as `stompwire`, runs `vite build` (vite-plugin-wasm, build.target esnext), serves dist/ from
// 127.0.0.1 and loads it in headless Chromium, which connects to RabbitMQ Web-STOMP and
// round-trips messages.
//
//   node tests/vite-app/run.mjs PKG_DIR      (target/pkg/npm, or target/pkg/bundler)
//
// Environment: SW_NODE_MODULES (required: vite, vite-plugin-wasm, playwright-core),
// STOMPWIRE_VITE_WORKDIR (default <repo>/target/vite-app), STOMPWIRE_RABBIT_WS, and those of
// tests/page/lib.mjs. Exit status 0 when the build and every check passed.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO, runPage, serveStatic, watchdog } from '../page/lib.mjs';

watchdog(300000, 'vite test');
const pkgDir = process.argv[2] && resolve(process.argv[2]);
const tools = process.env.SW_NODE_MODULES && resolve(process.env.SW_NODE_MODULES);
if (!pkgDir || !tools) {
  console.error('usage: SW_NODE_MODULES=DIR node tests/vite-app/run.mjs PKG_DIR');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const work = resolve(process.env.STOMPWIRE_VITE_WORKDIR || join(REPO, 'target', 'vite-app'));
const broker = process.env.STOMPWIRE_RABBIT_WS || 'ws://127.0.0.1:15674/ws';

// --- the work folder -----------------------------------------------------------------------
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'src'), { recursive: true });
for (const f of ['index.html', 'vite.config.js', 'package.json']) cpSync(join(here, f), join(work, f));
cpSync(join(here, 'src'), join(work, 'src'), { recursive: true });
cpSync(join(REPO, 'tests', 'page', 'scenario.js'), join(work, 'src', 'scenario.js'));
const modules = join(work, 'node_modules');
mkdirSync(modules);
for (const entry of readdirSync(tools)) {
  if (entry === 'stompwire' || entry === '.package-lock.json') continue;
  symlinkSync(join(tools, entry), join(modules, entry));
}
// A copy, not a link: the package is resolved by name through its package.json `exports`,
// as it is for a user who installed it.
cpSync(pkgDir, join(modules, 'stompwire'), { recursive: true });

// --- vite build ------------------------------------------------------------------------------
function run(cmd, args, options, timeoutMs) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

const vite = join(tools, 'vite', 'bin', 'vite.js');
const started = Date.now();
const build = await run(process.execPath, [vite, 'build'], { cwd: work, env: process.env }, 180000);
const indent = (text) => text.trim().split('\n').map((l) => `    | ${l}`).join('\n');
if (build.code !== 0) {
  console.log('  FAIL vite build');
  console.log(indent(build.output));
  console.log('  vite test (--target bundler): FAILED');
  process.exit(1);
}
const dist = join(work, 'dist');
const assets = existsSync(join(dist, 'assets')) ? readdirSync(join(dist, 'assets')) : [];
const wasm = assets.filter((a) => a.endsWith('.wasm'));
console.log(`  ok   vite build — ${((Date.now() - started) / 1000).toFixed(1)} s, dist/assets: ${assets
  .map((a) => `${a} (${statSync(join(dist, 'assets', a)).size} B)`)
  .join(', ')}`);
if (wasm.length === 0) {
  console.log('  FAIL the build emitted no .wasm asset');
  console.log(indent(build.output));
  process.exit(1);
}

// --- load it -----------------------------------------------------------------------------------
const { server, origin } = await serveStatic({ '/': dist });
let ok = false;
try {
  console.log(`  serving ${origin} (${dist}); broker ${broker}`);
  ok = await runPage({
    name: 'vite-app',
    url: `${origin}/index.html?broker=${encodeURIComponent(broker)}`,
  });
} finally {
  server.close();
}
console.log(`  vite test (--target bundler): ${ok ? 'PASSED' : 'FAILED'}`);
process.exit(ok ? 0 : 1);
