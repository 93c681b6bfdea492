// What every package app checks against RabbitMQ Web-STOMP, with only the stompjs API (the
// package is used as an app that moved from @stomp/stompjs would use it):
//   main     Client: connect, subscribe, text and binary publish, receipt, transaction
//            (commit delivers, abort does not), deactivate
//   compat   Stomp.over(factory) / Stomp.client(url) and CompatClient's connect(headers,
//            onConnect, onError), send, subscribe, onreceipt, heartbeat, reconnect_delay, ws,
//            version, disconnect
//   parser   (no broker) Parser over a split frame and heart-beats, appendMissingNULLonIncoming,
//            a frame of any command word, a malformed stream; FrameImpl.marshall output (text
//            and binary, escaped headers) parsed back, by the codec's STOMP 1.2 unescaping and
//            by fromRawFrame
//   cutnul   a Client with appendMissingNULLonIncoming over a socket that cuts each message at
//            its first NUL (what React Native's did; RabbitMQ's LF after the NUL stays): a
//            message with a counted body arrives
// start(StompJs, options) is called in the same turn as the import: the client is constructed,
// configured and activated at once (no init call). It resolves to { ok, checks, log } and
// never rejects; a failure is a check that did not pass.

const TEXT = 'héllo wörld ✓ — stompwire package app';

function binaryPayload() {
  const bytes = new Uint8Array(300);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  bytes[0] = 0;
  bytes[150] = 0;
  bytes[299] = 0;
  return bytes;
}

function sameBytes(a, b) {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const uid = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Starts the checks. `StompJs` is the package's namespace; options: lateCore (the core is
 * expected to load after the import), brokerURL, env (a name
 * for queue names), webSocketFactory (else brokerURL is used), modes (['main', 'compat']).
 */
export function start(StompJs, options = {}) {
  const { brokerURL = 'ws://127.0.0.1:15674/ws', env = 'app', webSocketFactory, timeoutMs = 15000 } = options;
  const modes = options.modes || ['main', 'compat'];
  const checks = [];
  const log = [];
  const check = (name, ok, detail = '') => {
    checks.push({ name, ok: !!ok, detail: String(detail) });
  };

  // ---- main: constructed and activated in the importing turn -------------------------------
  const queue = `/queue/stompwire-pkg-${env}-${uid()}`;
  const connected = deferred();
  const client = new StompJs.Client({
    connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
    reconnectDelay: 0,
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
  });
  if (webSocketFactory) client.webSocketFactory = webSocketFactory;
  else client.brokerURL = brokerURL;
  check('callbacks default to functions', typeof client.onConnect === 'function' && typeof client.debug === 'function');
  client.debug('debug is callable before any connection');
  const previous = client.onWebSocketError;
  client.onWebSocketError = (e) => {
    previous(e);
    log.push(`onWebSocketError: ${e && (e.message || e.type)}`);
  };
  client.onStompError = (f) => connected.reject(new Error(`ERROR frame: ${f.headers.message}`));
  client.onConnect = (frame) => connected.resolve(frame);
  check('property writes after construction read back', client.reconnectDelay === 0 && client.heartbeatIncoming === 0);
  const connectedDefault = client.connectedTimeout;
  client.connectedTimeout = 8000;
  check('connectedTimeout: 5000 by default, a write reads back', connectedDefault === 5000 && client.connectedTimeout === 8000, `${connectedDefault}, then ${client.connectedTimeout}`);
  client.activate();
  check('state is ACTIVE right after activate()', client.state === StompJs.ActivationState.ACTIVE && client.active);
  // The core is compiled synchronously at import wherever the platform allows it (every one
  // tested here but the late-core page, which refuses it): a Parser, which needs it, can be
  // made in the importing turn. Where it loads after the import, the client above was
  // activated without it and connects once it is there (the checks below).
  let early = null;
  try {
    new StompJs.Parser(() => {}, () => {});
  } catch (e) {
    early = e;
  }
  if (options.lateCore) {
    check('the core comes after the import where synchronous compiling is refused (no Parser yet)', early !== null && client.webSocket === undefined, early ? early.message : 'a Parser was made');
  } else {
    check('the core is there in the importing turn (a Parser can be made)', early === null, early ? early.message : '');
  }

  // A setting the core refuses (a number option given a word). Where the core is there at
  // once the constructor throws; where it loads after the import, the refusal comes once it
  // is there, through onWebSocketError and INACTIVE, never a debug line alone.
  const refused = deferred();
  let refusedClient;
  try {
    refusedClient = new StompJs.Client({ brokerURL, reconnectDelay: 'soon' });
    refusedClient.onWebSocketError = (e) => refused.resolve({ message: e && e.message, thrown: false });
    refusedClient.activate();
  } catch (e) {
    refused.resolve({ message: e && e.message, thrown: true });
  }

  const run = async () => {
    const told = await within(refused.promise, 5000, 'the refused setting to be reported').catch((e) => ({ message: e.message }));
    check(
      'a refused setting is reported (thrown, or onWebSocketError and INACTIVE)',
      /reconnectDelay must be a number/.test(told.message || '') &&
        (told.thrown || refusedClient.state === StompJs.ActivationState.INACTIVE),
      `${told.thrown ? 'thrown' : 'reported'}: ${told.message}`,
    );
    if (modes.includes('main')) await main();
    if (modes.includes('compat')) await compat();
    if (modes.includes('parser')) await parser();
    if (modes.includes('cutnul')) await cutNul();
  };

  // A socket that cuts each incoming message at its first NUL, as React Native's did (stompjs
  // 7.1.1's own spec wraps its socket so, and leaves the LF that RabbitMQ writes after a NUL).
  const cutNul = async () => {
    const open = () => (webSocketFactory ? webSocketFactory() : new WebSocket(brokerURL, ['v12.stomp', 'v11.stomp', 'v10.stomp']));
    const cutting = () => {
      const ws = open();
      ws.binaryType = 'arraybuffer';
      const socket = {
        get readyState() {
          return ws.readyState;
        },
        get protocol() {
          return ws.protocol;
        },
        get url() {
          return ws.url;
        },
        binaryType: 'arraybuffer',
        send: (data) => ws.send(data),
        close: (code, reason) => ws.close(code, reason),
        onopen: null,
        onmessage: null,
        onclose: null,
        onerror: null,
      };
      ws.onopen = (e) => socket.onopen && socket.onopen(e);
      ws.onclose = (e) => socket.onclose && socket.onclose(e);
      ws.onerror = (e) => socket.onerror && socket.onerror(e);
      ws.onmessage = (e) => {
        const data = typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data);
        if (socket.onmessage) socket.onmessage({ data: data.replace(/\0.*/, '') });
      };
      return socket;
    };
    const q = `/queue/stompwire-pkg-cutnul-${env}-${uid()}`;
    const c = new StompJs.Client({
      webSocketFactory: cutting,
      connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
      reconnectDelay: 0,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      appendMissingNULLonIncoming: true,
    });
    const up = deferred();
    c.onConnect = () => up.resolve();
    c.onStompError = (f) => up.reject(new Error(`ERROR frame: ${f.headers.message}`));
    c.onWebSocketClose = () => up.reject(new Error('closed before CONNECTED'));
    c.activate();
    await within(up.promise, timeoutMs, 'CONNECTED through a socket that cuts at NUL');
    const got = deferred();
    c.subscribe(q, (m) => got.resolve(m));
    const body = `cut ${uid()}`;
    c.publish({ destination: q, body });
    const m = await within(got.promise, timeoutMs, 'the message through a socket that cuts at NUL');
    check('appendMissingNULLonIncoming: a counted body whose NUL the socket cut, with the LF after it', m.body === body && c.connected, m.body);
    await c.deactivate();
  };

  const main = async () => {
    const frame = await within(connected.promise, timeoutMs, 'CONNECTED');
    check('connects', client.connected, `version ${client.connectedVersion}, server ${frame.headers.server}`);
    const option = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(client), 'connectedTimeout');
    check('connectedTimeout reaches the core like the other options', option && option.get && client.connectedTimeout === 8000, client.connectedTimeout);

    const inbox = [];
    let arrived = deferred();
    const subscription = client.subscribe(queue, (message) => {
      inbox.push(message);
      arrived.resolve();
    });
    check('subscribe returns a subscription with an id', typeof subscription.id === 'string' && subscription.id.length > 0);

    const next = async (what) => {
      await within(arrived.promise, timeoutMs, what);
      arrived = deferred();
      return inbox.shift();
    };

    client.publish({ destination: queue, body: TEXT, headers: { 'x-kind': 'text' } });
    const text = await next('the text message');
    check('text body round trip', text.body === TEXT && text.headers['x-kind'] === 'text', text.body);

    const bytes = binaryPayload();
    client.publish({ destination: queue, binaryBody: bytes, headers: { 'content-type': 'application/octet-stream' } });
    const binary = await next('the binary message');
    check('binary body round trip (NUL bytes included)', sameBytes(binary.binaryBody, bytes), `${binary.binaryBody.length} B`);

    const receiptId = `r-${uid()}`;
    const receipt = deferred();
    client.watchForReceipt(receiptId, (f) => receipt.resolve(f));
    client.publish({ destination: queue, body: 'with receipt', headers: { receipt: receiptId } });
    const r = await within(receipt.promise, timeoutMs, 'the RECEIPT');
    check('receipt', r.headers['receipt-id'] === receiptId);
    await next('the receipted message');

    const aborted = client.begin();
    client.publish({ destination: queue, body: 'aborted', headers: { transaction: aborted.id } });
    aborted.abort();
    const tx = client.begin();
    client.publish({ destination: queue, body: 'committed', headers: { transaction: tx.id } });
    tx.commit();
    const committed = await next('the committed message');
    check('transaction: commit delivers, abort does not', committed.body === 'committed', committed.body);

    subscription.unsubscribe();
    await client.deactivate();
    check('deactivate', !client.connected && client.state === StompJs.ActivationState.INACTIVE);
  };

  const parser = async () => {
    await StompJs.coreReady;
    const { Parser, FrameImpl } = StompJs;
    const frames = [];
    let pings = 0;
    const p = new Parser((f) => frames.push(f), () => pings++);
    const body = new Uint8Array([104, 101, 0, 108, 111]);
    const head = 'MESSAGE\ndestination:/queue/a\nx:a\\cb\ncontent-length:5\n\n';
    const wire = new Uint8Array([...new TextEncoder().encode(head), ...body, 0]);
    p.parseChunk('\n');
    p.parseChunk(head.slice(0, 13));
    p.parseChunk(head.slice(13, 30));
    p.parseChunk(wire.slice(30, head.length + 2).buffer);
    check('Parser: nothing before the NUL', frames.length === 0 && pings === 1, `${frames.length} frames, ${pings} pings`);
    p.parseChunk(wire.slice(head.length + 2).buffer);
    p.parseChunk('\n\r\n');
    const f = frames[0];
    check(
      'Parser: a split frame, headers raw and in order, binary body',
      frames.length === 1 && f.command === 'MESSAGE' &&
        JSON.stringify(f.headers) === JSON.stringify([['destination', '/queue/a'], ['x', 'a\\cb'], ['content-length', '5']]) &&
        f.binaryBody instanceof Uint8Array && sameBytes(f.binaryBody, body),
      JSON.stringify(f),
    );
    check('Parser: every EOL between frames is a heart-beat', pings === 3, `${pings} pings`);
    p.parseChunk('RECEIPT\nreceipt-id:7\n\n', true);
    check('Parser: appendMissingNULLonIncoming completes the frame', frames.length === 2 && frames[1].headers[0][1] === '7');
    p.parseChunk('RECEIVE\nfoo: abc\n\nhello\0');
    const other = frames[2];
    check(
      "Parser: a frame of any command word, as stompjs's",
      other && other.command === 'RECEIVE' && other.headers[0][1] === ' abc' && new TextDecoder().decode(other.binaryBody) === 'hello',
      JSON.stringify(other),
    );
    // What a socket that cuts each message at its first NUL leaves of RabbitMQ's `NUL LF`.
    const cut = 'MESSAGE\ndestination:/queue/c\ncontent-length:3\n\nh\ni\n';
    const cutFrames = [];
    new Parser((f) => cutFrames.push(f), () => {}).parseChunk(cut, true);
    check(
      'Parser: appendMissingNULLonIncoming takes an LF where a counted body\'s NUL belongs',
      cutFrames.length === 1 && new TextDecoder().decode(cutFrames[0].binaryBody) === 'h\ni',
      JSON.stringify(cutFrames),
    );
    const thrownBy = (chunk) => {
      try {
        new Parser(() => {}, () => {}).parseChunk(chunk);
      } catch (e) {
        return e;
      }
    };
    const lf = thrownBy(cut);
    check('Parser: without appendMissingNULLonIncoming that LF is refused', lf instanceof Error && /expected NUL/.test(lf.message), lf && lf.message);
    const thrown = thrownBy('NOT A COMMAND\n\n\0');
    check('Parser: a malformed stream throws an Error naming it', thrown instanceof Error && /unknown command/.test(thrown.message), thrown && thrown.message);

    const headers = { destination: '/queue/b', odd: 'a:b\nc\\d\re', plain: 'x' };
    const text = FrameImpl.marshall({ command: 'SEND', headers, body: 'héllo', escapeHeaderValues: true });
    check(
      'marshall: escaped text frame',
      text === 'SEND\ndestination:/queue/b\nodd:a\\cb\\nc\\\\d\\re\nplain:x\ncontent-length:6\n\nhéllo\0',
      JSON.stringify(text),
    );
    const strict = [];
    new Parser((raw) => strict.push(raw), () => {}, true).parseChunk(text);
    const decoded = strict[0] && Object.fromEntries(strict[0].headers);
    check(
      "marshall: the codec's 1.2 unescaping gives the headers back",
      decoded && decoded.odd === headers.odd && decoded.destination === headers.destination && decoded['content-length'] === '6' &&
        new TextDecoder().decode(strict[0].binaryBody) === 'héllo',
      JSON.stringify(decoded),
    );
    const binary = FrameImpl.marshall({ command: 'SEND', headers, binaryBody: body, escapeHeaderValues: true });
    const raws = [];
    new Parser((raw) => raws.push(raw), () => {}).parseChunk(binary);
    const back = raws[0] && FrameImpl.fromRawFrame(raws[0], true);
    check(
      'marshall: a binary frame round-trips through Parser and fromRawFrame',
      binary instanceof ArrayBuffer && back && back.command === 'SEND' && back.headers.odd === headers.odd &&
        back.headers['content-length'] === '5' && sameBytes(back.binaryBody, body),
      back && JSON.stringify(back.headers),
    );
    check(
      'FrameImpl.hdrValueEscape / hdrValueUnEscape / sizeOfUTF8',
      FrameImpl.hdrValueUnEscape(FrameImpl.hdrValueEscape(headers.odd)) === headers.odd &&
        FrameImpl.sizeOfUTF8('1 a ф № @ ®') === 15 && FrameImpl.sizeOfUTF8() === 0,
    );
  };

  const compat = async () => {
    const q = `/queue/stompwire-pkg-compat-${env}-${uid()}`;
    const factory = webSocketFactory || (() => new WebSocket(brokerURL, ['v12.stomp', 'v11.stomp', 'v10.stomp']));
    const stomp = StompJs.Stomp.over(factory);
    check('Stomp.over gives a CompatClient', stomp instanceof StompJs.CompatClient && stomp instanceof StompJs.Client);
    check('Stomp.client gives a CompatClient', StompJs.Stomp.client(brokerURL) instanceof StompJs.CompatClient);
    const lines = [];
    stomp.debug = (...m) => lines.push(m.join(' '));
    stomp.heartbeat.outgoing = 0;
    stomp.heartbeat.incoming = 0;
    check('heartbeat writes through', stomp.heartbeatOutgoing === 0 && stomp.heartbeatIncoming === 0);
    stomp.reconnect_delay = 0;
    check('reconnect_delay writes reconnectDelay', stomp.reconnectDelay === 0);
    const up = deferred();
    stomp.connect({ login: 'guest', passcode: 'guest', host: '/' }, (frame) => up.resolve(frame), (err) => up.reject(err));
    await within(up.promise, timeoutMs, 'connect(headers, onConnect, onError)');
    check('connect(headers, onConnect, onError)', stomp.connected);
    check('version and ws', stomp.version === stomp.connectedVersion && stomp.version && stomp.ws === stomp.webSocket && !!stomp.ws);

    const got = deferred();
    stomp.subscribe(q, (m) => got.resolve(m));
    const receipt = deferred();
    stomp.onreceipt = (f) => receipt.resolve(f);
    check('onreceipt is onUnhandledReceipt', stomp.onUnhandledReceipt === stomp.onreceipt);
    stomp.send(q, { priority: 9, receipt: 'compat-receipt' }, 'compat body');
    const m = await within(got.promise, timeoutMs, 'the message sent with send()');
    check('send(destination, headers, body)', m.body === 'compat body' && m.headers.priority === '9', m.body);
    const rf = await within(receipt.promise, timeoutMs, 'the receipt through onreceipt');
    check('onreceipt receives the RECEIPT', rf.headers['receipt-id'] === 'compat-receipt');

    // As with stompjs, the callback runs when the broker confirms DISCONNECT with a RECEIPT
    // (RabbitMQ Web-STOMP closes the socket instead); the close ends the session either way.
    const down = deferred();
    const onDisconnect = (frame) => log.push(`onDisconnect: ${frame && frame.command}`);
    stomp.onWebSocketClose = () => down.resolve();
    stomp.disconnect(onDisconnect);
    await within(down.promise, timeoutMs, 'the close after disconnect');
    check('disconnect(callback)', !stomp.connected && stomp.onDisconnect === onDisconnect);
    check('CompatClient debug lines reach debug', lines.length > 0, `${lines.length} lines`);
  };

  return run().then(
    () => ({ ok: checks.length > 0 && checks.every((c) => c.ok), checks, log }),
    (err) => {
      check('scenario ran to the end', false, err && err.message);
      return { ok: false, checks, log };
    },
  );
}
