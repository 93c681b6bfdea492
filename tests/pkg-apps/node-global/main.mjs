// Node's own WebSocket (global in Node 22; `--experimental-websocket` in Node 20), brokerURL only.
import * as StompJs from 'stompwire';
import { start } from '../scenario.mjs';

const brokerURL = process.env.STOMPWIRE_RABBIT_WS || 'ws://127.0.0.1:15674/ws';
if (typeof WebSocket !== 'function') {
  console.log(JSON.stringify({ ok: false, checks: [{ name: 'a global WebSocket', ok: false, detail: process.version }] }));
  process.exit(1);
}
const result = await start(StompJs, { env: 'node-global', brokerURL });
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
