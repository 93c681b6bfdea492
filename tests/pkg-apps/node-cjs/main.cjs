// Node CommonJS: `require` by name, `ws` as the global WebSocket (stompjs's documented way:
// Object.assign(global, { WebSocket })), the client given only brokerURL.
const StompJs = require('stompwire');
Object.assign(global, { WebSocket: require('ws') });

const brokerURL = process.env.STOMPWIRE_RABBIT_WS || 'ws://127.0.0.1:15674/ws';
import('../scenario.mjs')
  .then(({ start }) => start(StompJs, { env: 'node-cjs', brokerURL }))
  .then((result) => {
    console.log(JSON.stringify(result));
    process.exit(result.ok ? 0 : 1);
  });
