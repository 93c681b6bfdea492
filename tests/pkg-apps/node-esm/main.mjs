// Node ESM: `import` by name, `ws` through webSocketFactory (stompjs's documented way).
// Also the parser checks (Parser, FrameImpl.marshall), which need no broker, and a client over a
// socket that cuts each message at its first NUL (appendMissingNULLonIncoming).
import * as StompJs from 'stompwire';
import WebSocket from 'ws';
import { start } from '../scenario.mjs';

const brokerURL = process.env.STOMPWIRE_RABBIT_WS || 'ws://127.0.0.1:15674/ws';
const factory = () => new WebSocket(brokerURL, ['v12.stomp', 'v11.stomp', 'v10.stomp']);
const result = await start(StompJs, { env: 'node-esm', brokerURL, webSocketFactory: factory, modes: ['main', 'compat', 'parser', 'cutnul'] });
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
