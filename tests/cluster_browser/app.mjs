// The page side of the browser failover test (tests/cluster_browser/run.mjs): a publisher with
// receipts and a client-individual consumer, two clients of the npm package on `brokerURLs`
// over the cluster's three Web-STOMP endpoints, moving a quorum queue's messages while the
// runner kills, freezes or restarts the node they are on.
//
// The publisher is written as an app would write it with the package's API alone:
// `publishWithReceipt` with a time limit, `resendUnreceipted` (the client sends the unreceipted
// SENDs again after a reconnect), and a message whose promise rejects published again. Over
// Web-STOMP, RabbitMQ drops a quorum queue's rejection of the SENDs that arrive while the queue
// has no leader: those get neither RECEIPT nor ERROR, and the connection confirms nothing after
// them. The app treats a receipt that timed out, with no receipt at all on the connection for
// `stallMs` while the broker is alive (it confirmed nothing since CONNECTED, or its heart-beats
// still come), as a failed connection:
// `forceDisconnect()` (the client reconnects and sends the unreceipted SENDs again). A broker
// that went silent is left to the heart-beat timeout, which moves on to another URL.
//
// window.clusterApp: start(options) resolves once both clients are connected and the queue is
// declared; status(), markFault(), release(); the run's record lands in
// window.__clusterResult. Every loop is bounded in time (options.caseLimitMs) and every
// message in sends (options.maxSends).

const QUORUM = { 'x-queue-type': 'quorum', durable: 'true', 'auto-delete': 'false' };
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function port(url) {
  try {
    return Number(new URL(url).port) || null;
  } catch {
    return null;
  }
}

/** What one client's callbacks saw, with page times (ms). */
function watch(client, log, name) {
  const seen = { url: null, connects: [], drops: [], errors: [], connected: false };
  client.onConnect = () => {
    seen.url = client.webSocket ? client.webSocket.url : null;
    seen.connects.push({ t: now(), port: port(seen.url) });
    seen.connected = true;
  };
  client.onWebSocketClose = () => {
    if (seen.connected) seen.drops.push(now());
    seen.connected = false;
  };
  client.onStompError = (frame) => {
    seen.errors.push(String(frame.headers.message || frame.body || 'ERROR'));
  };
  client.onHeartbeatLost = () => log(`${name}: heart-beats lost`);
  return seen;
}

function makeClient(StompJs, o, log, name) {
  const client = new StompJs.Client({
    brokerURLs: o.urls,
    connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
    heartbeatIncoming: o.heartBeatMs,
    heartbeatOutgoing: o.heartBeatMs,
    // The connection is deemed lost after 1.5 intervals of silence, as in the native client.
    heartbeatToleranceMultiplier: 1.5,
    reconnectDelay: o.reconnectDelayMs,
    maxReconnectAttempts: -1,
    // A node whose kernel accepts the connection but whose broker is frozen never answers the
    // WebSocket handshake: the whole attempt is bounded, and CONNECTED after the handshake.
    connectionTimeout: o.connectedTimeoutMs,
    connectedTimeout: o.connectedTimeoutMs,
    // When heart-beats stop (or the app gives up on a connection), let the socket go at once:
    // a frozen node never answers the WebSocket close handshake, and Chromium waits 60 s for it
    // before it reports the close.
    discardWebsocketOnCommFailure: true,
    resendUnreceipted: true,
    receiptTimeout: o.receiptTimeoutMs,
  });
  const seen = watch(client, log, name);
  return { client, seen };
}

export function install(StompJs) {
  const log = [];
  const say = (line) => log.push(`${Math.round(now())} ${line}`);
  const state = { faultAt: null, released: false, confirmed: 0 };
  let pub;
  let con;

  async function start(o) {
    const until = now() + o.caseLimitMs;
    pub = makeClient(StompJs, o, say, 'publisher');
    con = makeClient(StompJs, o, say, 'consumer');

    // ---- consumer: subscribes on every connection (as stompjs apps do, in onConnect); a
    // SUBSCRIBE whose receipt does not come is a failed connection too.
    const deliveries = [];
    let connection = 0;
    let acks = 0;
    let lastDeliveryAt = now();
    const subscribeFailures = [];
    const onMessage = (message) => {
      lastDeliveryAt = now();
      const seq = Number.parseInt(message.body, 10);
      const delivery = { seq, ackConfirmed: false, connection, at: lastDeliveryAt, ackAt: null };
      if (String(seq) === message.body) deliveries.push(delivery);
      const id = `ack-${++acks}`;
      try {
        con.client.watchForReceipt(id, () => {
          delivery.ackConfirmed = true;
          delivery.ackAt = now();
        });
        message.ack({ receipt: id });
      } catch (e) {
        say(`consumer: ack failed: ${e && e.message}`);
      }
    };
    const onConnect = con.client.onConnect;
    con.client.onConnect = (frame) => {
      onConnect(frame);
      const mine = ++connection;
      con.client
        .subscribeWithReceipt(o.queue, onMessage, { ...QUORUM, ack: 'client-individual', 'prefetch-count': '200' }, o.receiptTimeoutMs * 2)
        .catch((e) => {
          subscribeFailures.push(`${e && e.name}: ${e && e.message}`);
          if (mine === connection && con.client.connected) con.client.forceDisconnect();
        });
    };

    pub.client.activate();
    con.client.activate();
    await Promise.all([pub.client.whenConnected(20000), con.client.whenConnected(20000)]);
    // The first SEND declares the queue (its leader on the node the publisher is on). A node
    // that has just rejoined may leave it unconfirmed (see above): the connection is dropped
    // and the SEND made again, at most 4 times.
    for (let attempt = 1; ; attempt++) {
      try {
        await pub.client.publishWithReceipt({ destination: o.queue, body: 'declare', headers: { ...QUORUM } }, 5000);
        break;
      } catch (e) {
        say(`publisher: declaring SEND ${attempt}: ${e && e.name}: ${e && e.message}`);
        if (attempt >= 4) throw e;
        pub.client.forceDisconnect();
        await pub.client.whenConnected(20000);
      }
    }
    const t0 = now();
    say(`connected: publisher ${pub.seen.url}, consumer ${con.seen.url}`);

    // ---- publisher
    const messages = Array.from({ length: o.messages }, () => ({ sends: [], confirmedAt: null }));
    const queued = Array.from({ length: o.messages }, (_, i) => i);
    const receipts = [];
    const failed = {};
    const forced = [];
    let inflight = 0;
    let sent = 0;
    let lastReceiptAt = now();
    let forcedOn = -1;
    let fatal = null;
    let wake = null;
    const nap = (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          wake = null;
          resolve();
        }, ms);
        wake = () => {
          clearTimeout(timer);
          wake = null;
          resolve();
        };
      });
    const notify = () => wake && wake();

    // A receipt timed out. The connection is taken for dead (once) when nothing was confirmed
    // on it for stallMs and yet the broker is alive: it answered CONNECTED and has confirmed
    // nothing since, or a heart-beat came after the last receipt. A broker that went silent
    // after confirming is left to the heart-beat timeout, after which the client moves on to
    // another URL (forceDisconnect would try the same one first).
    let pending = -1;
    let recheck = null;
    let lastBeatAt = -Infinity;
    pub.client.onHeartbeatReceived = () => {
      lastBeatAt = now();
      if (pending === pub.seen.connects.length) stalled();
    };
    const stalled = () => {
      const connects = pub.seen.connects;
      const connection = connects.length;
      const connectedAt = connection ? connects[connection - 1].t : 0;
      const since = Math.max(lastReceiptAt, connectedAt);
      if (!pub.client.connected || forcedOn === connection) return;
      const wait = since + o.stallMs - now();
      const alive = lastReceiptAt < connectedAt || lastBeatAt > since;
      if (wait > 0 || !alive) {
        // Checked again at the next heart-beat, and once stallMs have passed.
        pending = connection;
        if (wait > 0 && recheck === null) {
          recheck = setTimeout(() => {
            recheck = null;
            if (pending === pub.seen.connects.length) stalled();
          }, wait);
        }
        return;
      }
      pending = -1;
      forcedOn = connection;
      const t = now();
      forced.push(t);
      say(`publisher: a receipt timed out, none for ${Math.round(t - since)} ms (${lastReceiptAt < connectedAt ? 'none on this connection' : 'heart-beats still come'}): reconnecting`);
      pub.client.forceDisconnect();
    };

    const publishing = (async () => {
      while ((queued.length || inflight > 0) && now() < until && !fatal) {
        const seq = queued[0];
        const paced = sent < (now() - t0) / o.paceMs;
        if (seq !== undefined && paced && inflight < o.window && pub.client.connected && (seq < o.holdAt || state.released)) {
          queued.shift();
          const m = messages[seq];
          if (m.sends.length >= o.maxSends) {
            fatal = `message ${seq}: ${o.maxSends} sends without a receipt`;
            break;
          }
          m.sends.push(now());
          sent++;
          inflight++;
          let promise;
          try {
            promise = pub.client.publishWithReceipt(
              { destination: o.queue, body: String(seq), headers: { ...QUORUM, persistent: 'true', seq: String(seq) } },
              o.receiptTimeoutMs,
            );
          } catch (e) {
            promise = Promise.reject(e);
          }
          promise
            .then(
              () => {
                const t = now();
                m.confirmedAt = t;
                receipts.push(t);
                lastReceiptAt = t;
                state.confirmed++;
              },
              (e) => {
                const name = (e && e.name) || 'Error';
                failed[name] = (failed[name] || 0) + 1;
                queued.unshift(seq);
                if (name === 'TimeoutError') stalled();
              },
            )
            .finally(() => {
              inflight--;
              notify();
            });
          // Let the socket's events in now and then.
          if (sent % 16 === 0) await nap(0);
          continue;
        }
        await nap(paced ? 20 : 2);
      }
    })();

    const consuming = (async () => {
      await publishing;
      const wanted = messages.map((m, i) => (m.confirmedAt !== null ? i : -1)).filter((i) => i >= 0);
      while (now() < until) {
        const got = new Set(deliveries.map((d) => d.seq));
        if (wanted.every((i) => got.has(i)) && now() - lastDeliveryAt > 2000) break;
        await sleep(100);
      }
      // The last ACKs' receipts (those of this connection).
      const last = Math.min(now() + 5000, until + 5000);
      while (now() < last && deliveries.some((d) => d.connection === connection && !d.ackConfirmed)) await sleep(50);
    })();

    consuming
      .then(async () => {
        const result = {
          fatal,
          t0,
          faultAt: state.faultAt,
          timedOut: now() >= until,
          messages,
          receipts,
          failed,
          forced,
          deliveries: deliveries.map((d) => [d.seq, d.ackConfirmed, d.at, d.ackAt, d.connection]),
          publisher: JSON.parse(JSON.stringify(pub.seen)),
          consumer: { ...JSON.parse(JSON.stringify(con.seen)), subscribeFailures },
          // Whether the package handed `connectedTimeout` to its core (the JavaScript layer
          // keeps a fixed list of options).
          connectedTimeoutInCore: pub.client._core ? pub.client._core.connectedTimeout : null,
          log,
        };
        await Promise.all([pub.client.deactivate({ force: true }), con.client.deactivate({ force: true })]).catch(() => {});
        window.__clusterResult = result;
        document.getElementById('result').textContent = 'done';
      })
      .catch((e) => {
        window.__clusterResult = { fatal: `page: ${e && (e.stack || e.message)}`, log };
      });
    return { publisher: port(pub.seen.url), consumer: port(con.seen.url) };
  }

  window.clusterApp = {
    start,
    status: () => ({
      confirmed: state.confirmed,
      publisher: pub && pub.client.connected ? port(pub.seen.url) : null,
      consumer: con && con.client.connected ? port(con.seen.url) : null,
    }),
    markFault: () => {
      state.faultAt = now();
      return state.faultAt;
    },
    release: () => {
      state.released = true;
    },
  };
  document.getElementById('result').textContent = 'ready';
}
