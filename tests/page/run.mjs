// Page test of the `--target web` package: serves the package and tests/page from 127.0.0.1,
// loads the page in headless Chromium, which imports the package, awaits init(), connects to
// RabbitMQ Web-STOMP as guest, round-trips a text and a binary (NUL-laden) body, deactivates.
// Then, when the npm package sits beside it (PKG_WEB_DIR/../npm), tests/page/package.mjs: the
// npm package's JavaScript layer in Node (receipts as promises, batchFrames, limits, failover,
// replay, beforeConnect, the ticker's fallback, garbage collection).
//
//   node tests/page/run.mjs PKG_WEB_DIR      (target/pkg/web)
//
// Environment: STOMPWIRE_RABBIT_WS (default ws://127.0.0.1:15674/ws) and those of lib.mjs.
// Exit status 0 when every check passed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPage, serveStatic, watchdog } from './lib.mjs';

watchdog(240000, 'page test');
const pkgDir = process.argv[2];
if (!pkgDir) {
  console.error('usage: node tests/page/run.mjs PKG_WEB_DIR');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const broker = process.env.STOMPWIRE_RABBIT_WS || 'ws://127.0.0.1:15674/ws';

const { server, origin } = await serveStatic({ '/pkg/': resolve(pkgDir), '/': here });
let ok = false;
try {
  console.log(`  serving ${origin} (package: ${resolve(pkgDir)}); broker ${broker}`);
  ok = await runPage({
    name: 'page-web',
    url: `${origin}/index.html?broker=${encodeURIComponent(broker)}`,
  });
} finally {
  server.close();
}
console.log(`  page test (--target web): ${ok ? 'PASSED' : 'FAILED'}`);
const npmDir = join(resolve(pkgDir), '..', 'npm');
if (existsSync(join(npmDir, 'stompwire.mjs'))) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, 'package.mjs'), npmDir], { stdio: 'inherit', timeout: 110000 });
  const passed = r.status === 0;
  console.log(`  npm package checks (Node): ${passed ? 'PASSED' : 'FAILED'}`);
  ok = ok && passed;
}
process.exit(ok ? 0 : 1);
