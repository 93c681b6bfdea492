// Decoding a 1 MiB binary MESSAGE in Node, stompwire against @stomp/stompjs in the same
// process (decode-lib.mjs has the method; run.mjs runs the same in a Chromium page).
//
//   node benches/browser/decode.mjs [--runs N]     (run.sh sets the paths; by hand:
//   BENCH_WORK=~/.cache/stompwire/bench-browser BENCH_PKG=target/pkg/npm node benches/browser/decode.mjs)
//
// Bounded: N runs (default 20) of one frame each, per library and path.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeRows } from './decode-lib.mjs';

const work = process.env.BENCH_WORK;
const pkg = process.env.BENCH_PKG;
if (!work || !pkg) {
  console.error('BENCH_WORK (the peer install) and BENCH_PKG (target/pkg/npm) must be set');
  process.exit(2);
}
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;
const ours = await import(pathToFileURL(join(resolve(pkg), 'stompwire.mjs')).href);
const theirs = await import(pathToFileURL(join(resolve(work), 'node_modules/@stomp/stompjs/esm6/index.js')).href);
await ours.coreReady;
const rows = await decodeRows(ours, theirs, RUNS);
console.log(`1 MiB binary MESSAGE, Node ${process.version}, median of ${RUNS} runs`);
console.log('| path | stompwire | stompjs | stompwire / stompjs speed |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
