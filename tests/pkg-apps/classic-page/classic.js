// A classic script: the global StompJs, a client made and activated in the script's own turn.
(function () {
  var broker = new URLSearchParams(location.search).get('broker') || 'ws://127.0.0.1:15674/ws';
  var early = new StompJs.Client({
    brokerURL: broker,
    connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
    reconnectDelay: 0,
  });
  var earlyConnected = new Promise(function (resolve) {
    early.onConnect = function () { resolve(true); };
    setTimeout(function () { resolve(false); }, 15000);
  });
  early.activate();
  import('/browser-app.mjs').then(function (m) {
    return Promise.all([m.runApp(StompJs, 'classic-page'), earlyConnected]);
  }).then(function (both) {
    var result = both[0];
    result.checks.unshift({ name: 'global StompJs: a client activated in the loading turn connects', ok: both[1], detail: '' });
    result.ok = result.ok && both[1];
    early.deactivate();
    window.__stompwireResult = result;
  });
})();
