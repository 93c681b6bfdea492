// One measured run in Node 20 with `ws` as the WebSocket, in a process of its own so that its
// CPU time (process.cpuUsage, every thread) is the client's alone. Prints one JSON line.
//
//   node node-run.mjs LIB WORKLOAD DESTINATION
//
// LIB is stompwire, stompwire-batch (batchFrames: true), stompjs or floor. Environment (set by
// run.mjs): BENCH_BROKER, BENCH_STOMPWIRE (the package's stompwire.mjs), BENCH_STOMPJS (the
// @stomp/stompjs entry), BENCH_WS (the `ws` package folder), BENCH_WORKLOAD (the workload as
// JSON, when scaled).
import { pathToFileURL } from 'node:url';
import { WORKLOADS, measure, prepare, rawClient, stompClient } from './workloads.mjs';

const [lib, name, destination] = process.argv.slice(2);
const w = process.env.BENCH_WORKLOAD ? JSON.parse(process.env.BENCH_WORKLOAD) : WORKLOADS[name];
if (!w) throw new Error(`unknown workload ${name}`);
const url = process.env.BENCH_BROKER;
const ws = await import(pathToFileURL(`${process.env.BENCH_WS}/index.js`).href);
globalThis.WebSocket = ws.WebSocket || ws.default;

let client;
if (lib === 'floor') {
  client = rawClient(url);
} else {
  const ours = lib.startsWith('stompwire');
  const path = ours ? process.env.BENCH_STOMPWIRE : process.env.BENCH_STOMPJS;
  const mod = await import(pathToFileURL(path).href);
  const extra = lib === 'stompwire-batch' ? { batchFrames: true } : {};
  client = stompClient(mod.Client || mod.default.Client, url, extra);
}
const state = await prepare(client, destination);
const before = process.cpuUsage();
const figures = await measure(state, w);
const used = process.cpuUsage(before);
figures.cpuUs = used.user + used.system;
await client.close();
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
