// Page test of the `--target web` package: serves the package and tests/page from 127.0.0.1,
// loads the page in headless Chromium, which imports the package, awaits init(), connects to
// RabbitMQ Web-STOMP as guest, round-trips a text and a binary (NUL-laden) body, deactivates.
//
//   node tests/page/run.mjs PKG_WEB_DIR      (target/pkg/web)
//
// Environment: STOMPWIRE_RABBIT_WS (default ws://127.0.0.1:15674/ws) and those of lib.mjs.
// Exit status 0 when every check passed.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPage, serveStatic, watchdog } from './lib.mjs';

watchdog(120000, 'page test');
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
process.exit(ok ? 0 : 1);
