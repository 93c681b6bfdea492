// The browser side of the package apps: runs the scenario and publishes the result for
// tests/page/lib.mjs (window.__stompwireResult) or, in a worker, to the page.
import { start } from './scenario.mjs';

export function runApp(StompJs, env, options = {}) {
  const scope = typeof window === 'object' ? window : self;
  const brokerURL = new URLSearchParams(scope.location.search).get('broker') || 'ws://127.0.0.1:15674/ws';
  return start(StompJs, { ...options, env, brokerURL }).then((result) => {
    if (typeof window === 'object') {
      window.__stompwireResult = result;
      const out = document.getElementById('result');
      if (out) out.textContent = result.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name} ${c.detail}`).join('\n');
    }
    return result;
  });
}
