// Decoding a 1 MiB binary MESSAGE, stompwire against @stomp/stompjs in the same JavaScript
// engine: each library's Client over an in-memory socket (a webSocketFactory whose socket is
// fed from here; no broker), the callback reading `binaryBody`; and each library's Parser on
// the same bytes. Used by decode.mjs (Node) and by run.mjs in a Chromium page. Bounded: `runs`
// runs of one frame each, per library and path.

/** Table rows (markdown) for `ours` and `theirs` (each a module with Client and Parser). */
export async function decodeRows(ours, theirs, RUNS) {
  const SIZE = 1 << 20;
  const body = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) body[i] = (i * 31 + 7) & 0xff;
  const head = new TextEncoder().encode(
    `MESSAGE\ndestination:/queue/decode\nmessage-id:m-1\nsubscription:sub-0\ncontent-type:application/octet-stream\ncontent-length:${SIZE}\n\n`,
  );
  const frame = new Uint8Array(head.length + SIZE + 1);
  frame.set(head);
  frame.set(body, head.length);
  const CONNECTED = new TextEncoder().encode('CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0');

  // A socket the client writes to and this script feeds.
  function memorySocket() {
    const ws = { readyState: 0, url: 'memory://decode', protocol: 'v12.stomp', binaryType: 'arraybuffer', onopen: null, onmessage: null, onclose: null, onerror: null };
    ws.send = () => {};
    ws.close = () => {
      ws.readyState = 3;
      if (ws.onclose) ws.onclose({ code: 1000, reason: '', wasClean: true, type: 'close' });
    };
    ws.feed = (bytes) => ws.onmessage && ws.onmessage({ data: bytes.slice().buffer, type: 'message' });
    return ws;
  }

  async function clientRun(Client) {
    let ws;
    let got;
    const client = new Client({ heartbeatIncoming: 0, heartbeatOutgoing: 0, reconnectDelay: 0, webSocketFactory: () => (ws = memorySocket()) });
    const up = new Promise((r) => (client.onConnect = r));
    client.activate();
    while (!ws) await new Promise((r) => setTimeout(r, 1));
    ws.readyState = 1;
    ws.onopen({ type: 'open' });
    ws.feed(CONNECTED);
    await up;
    client.subscribe('/queue/decode', (m) => (got = m.binaryBody));
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      got = undefined;
      const data = frame.slice().buffer; // the socket hands each message over as a fresh ArrayBuffer
      const t = performance.now();
      ws.onmessage({ data, type: 'message' });
      if (!got || got.length !== SIZE || got[SIZE - 1] !== body[SIZE - 1]) throw new Error('the body did not arrive intact');
      times.push(performance.now() - t);
    }
    await client.deactivate({ force: true });
    return times;
  }

  function parserRun(Parser) {
    const times = [];
    let got;
    const p = new Parser((f) => (got = f.binaryBody), () => {});
    for (let i = 0; i < RUNS; i++) {
      got = undefined;
      const data = frame.slice().buffer;
      const t = performance.now();
      p.parseChunk(data);
      if (!got || got.length !== SIZE) throw new Error('the parser did not return the body');
      times.push(performance.now() - t);
    }
    return times;
  }

  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mbps = (ms) => SIZE / 1e6 / (ms / 1000);
  const rows = [];
  for (const [path, run] of [
    ['Client (socket → callback)', (lib) => clientRun(lib.Client)],
    ['Parser.parseChunk', (lib) => parserRun(lib.Parser)],
  ]) {
    const a = median(await run(ours));
    const b = median(await run(theirs));
    rows.push(`| ${path} | ${mbps(a).toFixed(0)} MB/s (${a.toFixed(2)} ms) | ${mbps(b).toFixed(1)} MB/s (${b.toFixed(2)} ms) | ×${(b / a).toFixed(1)} |`);
  }
  return rows;
}
