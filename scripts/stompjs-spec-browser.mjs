// The browser half of scripts/stompjs-spec.sh: stompjs's spec suite (exported into WORK, with
// stompwire's UMD bundle as bundles/stomp.umd.js) run by jasmine-core in headless Chromium, the
// files loaded in the order of the suite's karma.conf.js. Prints the counts and each failure.
//
//   node scripts/stompjs-spec-browser.mjs WORK JASMINE_CORE_DIR
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { launchChromium, serveStatic, watchdog } from '../tests/page/lib.mjs';

watchdog(900000, 'stompjs spec suite (browser)');
const [workArg, coreArg] = process.argv.slice(2);
const work = resolve(workArg);
const core = resolve(coreArg);

const walk = (dir) =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.js') ? [p] : [];
    });
const files = [
  'bundles/stomp.umd.js',
  'spec/config/browser-config.js',
  ...walk(join(work, 'spec', 'helpers')).map((p) => relative(work, p)),
  ...walk(join(work, 'spec', 'unit')).map((p) => relative(work, p)),
];
const tags = files.map((f) => `<script src="/${f}"></script>`).join('\n');
writeFileSync(
  join(work, 'spec-browser.html'),
  `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/jasmine-core/jasmine.js"></script>
<script src="/jasmine-core/jasmine-html.js"></script>
<script src="/jasmine-core/boot0.js"></script>
<script>
  window.__results = [];
  jasmine.getEnv().addReporter({
    specDone: (r) => window.__results.push({ name: r.fullName, status: r.status,
      messages: r.failedExpectations.map((e) => e.message) }),
    jasmineDone: (r) => { window.__done = { status: r.overallStatus,
      global: (r.failedExpectations || []).map((e) => e.message) }; },
  });
</script>
${tags}
<script>window.onload = () => jasmine.getEnv().execute();</script>
`,
);

const { server, origin } = await serveStatic({ '/jasmine-core/': core, '/': work });
let browser;
let results = [];
let done;
try {
  browser = await launchChromium();
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.log(`  pageerror: ${err.message}`));
  await page.goto(`${origin}/spec-browser.html`, { waitUntil: 'load', timeout: 30000 });
  await page.waitForFunction(() => window.__done !== undefined, null, { timeout: 840000, polling: 500 });
  results = await page.evaluate(() => window.__results);
  done = await page.evaluate(() => window.__done);
} finally {
  if (browser) await browser.close().catch(() => {});
  server.close();
}
writeFileSync(join(work, 'spec-browser.json'), JSON.stringify({ done, results }, null, 1));
const failed = results.filter((r) => r.status === 'failed');
const passed = results.filter((r) => r.status === 'passed');
for (const r of failed) console.log(`  FAIL ${r.name}\n       ${(r.messages[0] || '').split('\n')[0]}`);
for (const m of done.global) console.log(`  suite-level: ${m.split('\n')[0]}`);
console.log(`browser: ${results.length} specs, ${passed.length} passed, ${failed.length} failed, ` +
  `${results.length - passed.length - failed.length} other (${done.status})`);
process.exit(failed.length ? 1 : 0);
