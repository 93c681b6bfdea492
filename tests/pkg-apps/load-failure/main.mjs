// The core cannot load (the page's CSP forbids WebAssembly): construction, property writes and
// activate() still work, and the failure reaches debug and onWebSocketError, naming the cause.
import * as StompJs from '/node_modules/stompwire/stompwire.mjs';

const checks = [];
const check = (name, ok, detail = '') => checks.push({ name, ok: !!ok, detail: String(detail) });
const lines = [];
const errors = [];
const states = [];
const client = new StompJs.Client({ brokerURL: 'ws://127.0.0.1:9/never', reconnectDelay: 0 });
client.debug = (m) => lines.push(m);
client.onWebSocketError = (e) => errors.push(e);
client.onChangeState = (s) => states.push(s);
client.heartbeatIncoming = 1234;
check('property writes work without the core', client.heartbeatIncoming === 1234 && client.reconnectDelay === 0);
let threw = null;
try {
  client.activate();
} catch (e) {
  threw = e;
}
check('activate() does not throw', threw === null, threw && threw.message);
const failure = await StompJs.coreReady.then(() => null, (e) => e);
check('coreReady rejects', failure instanceof Error, failure && failure.message);
await new Promise((r) => setTimeout(r, 50));
const named = (text) => /WebAssembly/.test(text) && /(Content Security Policy|unsafe-eval|CompileError|Refused)/i.test(text);
check('debug names the cause', lines.some(named), lines.join(' | '));
check('onWebSocketError receives an error naming the cause', errors.length === 1 && named(errors[0].message), errors[0] && errors[0].message);
check('the client ends INACTIVE', client.state === StompJs.ActivationState.INACTIVE && states.join() === '0,2', states.join());
let publishError = null;
try {
  client.publish({ destination: '/queue/x', body: 'x' });
} catch (e) {
  publishError = e;
}
check('publish throws as with no connection', publishError instanceof TypeError, publishError && publishError.message);
window.__stompwireResult = { ok: checks.every((c) => c.ok), checks, log: lines };
document.getElementById('result').textContent = checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name} ${c.detail}`).join('\n');
