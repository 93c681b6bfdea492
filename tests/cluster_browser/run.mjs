// Fault injection on a real 3-node RabbitMQ cluster (scripts/cluster.sh), for the browser
// client: the npm package (target/pkg/npm) in a page in headless Chromium, a publisher with
// receipts and a client-individual consumer on `brokerURLs` over the three nodes' Web-STOMP
// endpoints (tests/cluster_browser/app.mjs), the same scenario as tests/cluster_failover.rs.
// This runner drives the faults through scripts/cluster.sh: kill -9 of the node both clients
// are on, SIGSTOP of it (heart-beats on), a full restart of the cluster.
//
// Each case asserts that no message whose receipt came is lost, that a message arrives more
// than once only when it was unreceipted at a drop (or sent again) or unacknowledged (its ACK's
// receipt did not come), that every message is confirmed in the end, and prints the failover
// time: from the fault to the publisher's next CONNECTED, and the longest gap between two
// receipts. The kill and freeze cases bound the first (heart-beat grace 1.5 s + reconnect delay
// + one CONNECTED round trip, with a margin: the native test's bound); the kill case bounds the
// gap too, the freeze case bounds it loosely (the cluster elects a new leader), the restart case
// by the case's own limit.
//
//   node tests/cluster_browser/run.mjs PKG_NPM_DIR [kill|sigstop|restart...]
//
// Environment: STOMPWIRE_CLUSTER_WS, STOMPWIRE_CLUSTER_SCRIPT (scripts/cluster.sh env),
// SW_NODE_MODULES (playwright-core), those of tests/page/lib.mjs.
// Prints `cluster browser-CASE: …` per case and `cluster-browser: N passed, M failed`; exit
// status 0 when all passed.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, serveStatic, watchdog } from '../page/lib.mjs';

const MESSAGES = 3000;
const WINDOW = 64;
const PACE_MS = 1;
const FAULT_AFTER = MESSAGES / 3;
const HOLD_AT = (2 * MESSAGES) / 3;
const HEART_BEAT_MS = 1000;
const RECONNECT_DELAY_MS = 100;
const CONNECTED_TIMEOUT_MS = 2000;
// A receipt not come within this time rejects its promise; the app publishes the message again,
// and takes the connection for dead when nothing was confirmed on it for STALL_MS.
const RECEIPT_TIMEOUT_MS = 1200;
const STALL_MS = 1000;
const MAX_SENDS = 40;
const MARGIN_MS = 1000;
// RabbitMQ sends the RECEIPT of an ACK once the channel has taken it, before the quorum queue has
// committed the settlement: an ACK confirmed shortly before its node dies (or freezes) may be
// lost, and the message delivered again. An ACK whose receipt came less than this before the
// fault, on a connection that was lost afterwards, counts as unacknowledged.
const ACK_SETTLE_MS = 1000;
const CASE_LIMIT_MS = 90000;
// Heart-beat grace (interval × 1.5) + reconnect delay + one CONNECTED round trip (in the margin).
const BOUND_MS = (HEART_BEAT_MS * 3) / 2 + RECONNECT_DELAY_MS + MARGIN_MS;
// The freeze case's receipts wait for the cluster too (see tests/cluster_failover.rs).
const CLUSTER_BOUND_MS = 15000;

const ALL = ['kill', 'sigstop', 'restart'];
watchdog(600000, 'cluster browser cases');
const [pkgArg, ...wanted] = process.argv.slice(2);
if (!pkgArg || !existsSync(join(pkgArg, 'stompwire.mjs'))) {
  console.error('usage: node tests/cluster_browser/run.mjs PKG_NPM_DIR [kill|sigstop|restart...] (PKG_NPM_DIR holds stompwire.mjs)');
  process.exit(2);
}
const cases = wanted.length ? wanted : ALL;
const here = dirname(fileURLToPath(import.meta.url));
const urls = (process.env.STOMPWIRE_CLUSTER_WS || '').split(',').filter(Boolean);
const script = process.env.STOMPWIRE_CLUSTER_SCRIPT;
if (urls.length !== 3 || !script) {
  console.error('STOMPWIRE_CLUSTER_WS (three URLs) and STOMPWIRE_CLUSTER_SCRIPT are needed: run scripts/test-cluster.sh');
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cluster(...args) {
  return new Promise((resolveRun, reject) => {
    execFile('bash', [script, ...args], { timeout: 240000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`cluster.sh ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else resolveRun();
    });
  });
}

function nodeOf(port) {
  const i = urls.findIndex((u) => Number(new URL(u).port) === port);
  if (i < 0) throw new Error(`port ${port} is none of ${urls.join(', ')}`);
  return i + 1;
}

const ms = (t) => (t === null || t === undefined ? 'none' : `${(t / 1000).toFixed(3)}s`);

// What the page recorded, checked as tests/cluster_failover.rs checks it.
function analyse(name, r) {
  const problems = [];
  const confirmed = [];
  r.messages.forEach((m, i) => {
    if (m.confirmedAt !== null) confirmed.push(i);
  });
  const copies = new Map();
  const conDrops = r.consumer.drops;
  let settling = 0;
  for (const [seq, ackConfirmed, at, ackAt] of r.deliveries) {
    if (!copies.has(seq)) copies.set(seq, []);
    const unsettled = ackConfirmed && ackAt >= r.faultAt - ACK_SETTLE_MS && conDrops.some((d) => d >= ackAt);
    copies.get(seq).push({ ackConfirmed: ackConfirmed && !unsettled, unsettled, at, ackAt });
  }
  const lost = confirmed.filter((s) => !copies.has(s));
  const drops = r.publisher.drops;
  const unreceiptedAtDrop = (m) =>
    m.sends.length > 1 || drops.some((d) => m.sends.length && m.sends[0] <= d && (m.confirmedAt === null || m.confirmedAt >= d));
  let duplicates = 0;
  const unexplained = [];
  const conDrop = conDrops.find((t) => t >= r.faultAt);
  const ackBeforeDrop = [];
  for (const [seq, list] of copies) {
    if (list.length < 2) continue;
    duplicates += list.length - 1;
    const unacked = list.slice(0, -1).some((d) => !d.ackConfirmed);
    if (list.slice(0, -1).some((d) => d.unsettled) && !unreceiptedAtDrop(r.messages[seq])) settling++;
    if (!unacked && !unreceiptedAtDrop(r.messages[seq])) {
      unexplained.push(seq);
      for (const d of list.slice(0, -1)) if (conDrop !== undefined) ackBeforeDrop.push(conDrop - d.ackAt);
      if (unexplained.length <= 5) {
        const m = r.messages[seq];
        console.log(`  duplicate ${seq}: sent ${m.sends.map((t) => ms(t - r.faultAt)).join(',')}, receipt ${ms(m.confirmedAt - r.faultAt)}, ` +
          `copies ${list.map((d) => `delivered ${ms(d.at - r.faultAt)} ack receipt ${d.ackAt === null ? 'none' : ms(d.ackAt - r.faultAt)}`).join('; ')} (relative to the fault)`);
      }
    }
  }
  const times = [...r.receipts].sort((a, b) => a - b);
  let gap = 0;
  let gapAt = 0;
  for (let i = 1; i < times.length; i++) {
    if (times[i] - times[i - 1] > gap) {
      gap = times[i] - times[i - 1];
      gapAt = times[i - 1] - times[0];
    }
  }
  const fault = r.faultAt;
  const firstAfter = times.find((t) => t >= fault);
  const reconnect = r.publisher.connects.find((c) => c.t >= fault);
  const conReconnect = r.consumer.connects.find((c) => c.t >= fault);
  const ports = r.publisher.connects.filter((c) => c.t >= fault).map((c) => c.port);
  if (ackBeforeDrop.length) console.log(`  ACK receipts of redelivered messages came ${ms(Math.min(...ackBeforeDrop))}–${ms(Math.max(...ackBeforeDrop))} before the consumer's connection dropped`);
  const pubDrop = drops.find((t) => t >= fault);
  const afterDrop = pubDrop === undefined ? undefined : r.publisher.connects.find((c) => c.t >= pubDrop);
  const resent = r.messages.filter((m) => m.sends.length > 1).length;
  console.log(
    `cluster browser-${name}: ${MESSAGES} sent, ${confirmed.length} confirmed, ${r.deliveries.length} delivered ` +
      `(${copies.size} distinct), ${duplicates} duplicates, ${lost.length} lost; ${resent} messages published again ` +
      `(promise rejections ${JSON.stringify(r.failed)}); reconnects forced on a stalled connection: ${r.forced.length} ` +
      `(at ${r.forced.map((t) => ms(t - fault)).join(', ') || '-'} after the fault); longest gap between receipts ${ms(gap)} ` +
      `(${ms(gapAt)} after the first); first receipt ${ms(firstAfter === undefined ? null : firstAfter - fault)} after the fault; ` +
      `publisher connected again ${ms(reconnect ? reconnect.t - fault : null)} after the fault (ports ${JSON.stringify(ports.slice(0, 8))}${ports.length > 8 ? `… ${ports.length} in all` : ''}), ` +
      `${ms(afterDrop ? afterDrop.t - pubDrop : null)} after its connection dropped, consumer ${ms(conReconnect ? conReconnect.t - fault : null)}; ` +
      `${settling} duplicates of messages whose ACK receipt came less than ${ACK_SETTLE_MS} ms before the fault; publisher drops ${drops.length}, consumer drops ${r.consumer.drops.length}; ` +
      `ERROR frames: ${JSON.stringify([...r.publisher.errors, ...r.consumer.errors])}; consumer SUBSCRIBE failures ${r.consumer.subscribeFailures.length}; ` +
      `connectedTimeout in the core: ${r.connectedTimeoutInCore}`,
  );
  if (r.fatal) problems.push(r.fatal);
  if (r.timedOut) problems.push(`the case did not finish within ${CASE_LIMIT_MS} ms`);
  if (lost.length) problems.push(`confirmed but never delivered: ${JSON.stringify(lost.slice(0, 20))} (${lost.length})`);
  if (unexplained.length) problems.push(`delivered twice although receipted and acknowledged: ${JSON.stringify(unexplained.slice(0, 20))}`);
  if (confirmed.length !== MESSAGES) problems.push(`${confirmed.length} of ${MESSAGES} messages confirmed`);
  if (!drops.length) problems.push("the publisher's connection did not drop");
  if (!reconnect) problems.push('the publisher did not connect again after the fault');
  const reconnected = reconnect ? reconnect.t - fault : Infinity;
  if (name === 'kill' || name === 'sigstop') {
    if (reconnected > BOUND_MS) problems.push(`publisher connected again ${ms(reconnected)} after the fault, over the bound ${ms(BOUND_MS)}`);
  }
  if (name === 'kill' && gap > BOUND_MS) problems.push(`receipts stopped for ${ms(gap)}, over the bound ${ms(BOUND_MS)}`);
  if (name === 'sigstop' && gap > BOUND_MS + CLUSTER_BOUND_MS) problems.push(`receipts stopped for ${ms(gap)}, over ${ms(BOUND_MS + CLUSTER_BOUND_MS)}`);
  if (name === 'restart' && gap >= CASE_LIMIT_MS) problems.push(`receipts stopped for ${ms(gap)}`);
  return problems;
}

async function runCase(browser, origin, name) {
  // Each case starts from a whole cluster (the one before may have left a node rejoining).
  await cluster('start');
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (msg) => consoleLines.push(`console.${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`pageerror: ${err.message}`));
  let restore = null;
  let problems = [];
  let result;
  try {
    await page.goto(`${origin}/index.html`, { waitUntil: 'load', timeout: 30000 });
    await page.waitForFunction(() => window.clusterApp !== undefined, null, { timeout: 20000 });
    const queue = `/queue/stompwire-cluster-browser-${name}-${process.pid}-${Date.now()}`;
    const on = await page.evaluate((o) => window.clusterApp.start(o), {
      urls,
      queue,
      messages: MESSAGES,
      window: WINDOW,
      paceMs: PACE_MS,
      holdAt: HOLD_AT,
      heartBeatMs: HEART_BEAT_MS,
      reconnectDelayMs: RECONNECT_DELAY_MS,
      connectedTimeoutMs: CONNECTED_TIMEOUT_MS,
      receiptTimeoutMs: RECEIPT_TIMEOUT_MS,
      stallMs: STALL_MS,
      maxSends: MAX_SENDS,
      caseLimitMs: CASE_LIMIT_MS,
    });
    if (on.publisher !== on.consumer) throw new Error(`publisher (port ${on.publisher}) and consumer (port ${on.consumer}) are on different nodes`);
    const node = nodeOf(on.publisher);
    // The fault, once a third of the messages are confirmed.
    const until = Date.now() + 30000;
    while ((await page.evaluate(() => window.clusterApp.status().confirmed)) < FAULT_AFTER) {
      if (Date.now() > until) throw new Error(`fewer than ${FAULT_AFTER} messages confirmed within 30 s`);
      await sleep(5);
    }
    await page.evaluate(() => window.clusterApp.markFault());
    if (name === 'kill') {
      restore = ['start-node', String(node)];
      await cluster('kill', String(node));
    } else if (name === 'sigstop') {
      restore = ['thaw', String(node)];
      await cluster('freeze', String(node));
      // Frozen until both clients have left it (and the publisher is connected), or 20 s.
      const left = Date.now() + 20000;
      for (;;) {
        const s = await page.evaluate(() => window.clusterApp.status());
        if ((s.publisher !== null && s.publisher !== on.publisher && s.consumer !== null && s.consumer !== on.consumer) || Date.now() > left) break;
        await sleep(20);
      }
    } else if (name === 'restart') {
      await cluster('restart');
    } else {
      throw new Error(`unknown case ${name}`);
    }
    await page.evaluate(() => window.clusterApp.release());
    await page.waitForFunction(() => window.__clusterResult !== undefined, null, { timeout: CASE_LIMIT_MS + 20000, polling: 200 });
    result = await page.evaluate(() => window.__clusterResult);
    problems = result.messages ? analyse(name, result) : [result.fatal || 'no record from the page'];
  } catch (err) {
    problems.push(String(err && (err.stack || err.message)).split('\n').slice(0, 6).join('\n    '));
  } finally {
    await page.close().catch(() => {});
    if (restore) {
      try {
        await cluster(...restore);
        if (restore[0] === 'thaw') {
          // Cut off from the others while frozen: a restart makes it rejoin at once.
          await cluster('kill', restore[1]);
          await cluster('start-node', restore[1]);
        }
      } catch (err) {
        problems.push(`restoring the node: ${err.message}`);
      }
    }
  }
  for (const p of problems) console.log(`  FAIL ${name}: ${p}`);
  if (problems.length) for (const line of [...((result && result.log) || []), ...consoleLines].slice(-40)) console.log(`    | ${line}`);
  else if (result) for (const line of result.log.slice(-12)) console.log(`    | ${line}`);
  console.log(`  browser-${name}: ${problems.length ? 'FAILED' : 'PASSED'}`);
  return problems.length === 0;
}

const pkgDir = resolve(pkgArg);
const { server, origin } = await serveStatic({ '/': here, '/node_modules/stompwire/': pkgDir });
let passed = 0;
let failed = 0;
let browser;
try {
  browser = await launchChromium();
  for (const name of cases) {
    if (await runCase(browser, origin, name)) passed++;
    else failed++;
  }
} catch (err) {
  console.log(`  FAIL browser: ${err && err.message}`);
  failed = Math.max(1, cases.length - passed);
} finally {
  if (browser) await browser.close().catch(() => {});
  server.close();
}
console.log(`cluster-browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
