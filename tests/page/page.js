// The `--target web` package, loaded the way a page without a bundler loads it: import the
// glue, await init() (fetches and instantiates stompwire_bg.wasm), then use Client.
import { failure, publishResult, roundTrip } from './scenario.js';

const params = new URLSearchParams(location.search);

async function main() {
  let Client;
  try {
    const pkg = await import('./pkg/stompwire.js');
    await pkg.default();
    Client = pkg.Client;
    if (typeof Client !== 'function') throw new Error('the package exports no Client class');
  } catch (err) {
    return failure('package loads (import + await init())', err);
  }
  return roundTrip(Client, {
    brokerURL: params.get('broker') || 'ws://127.0.0.1:15674/ws',
    timeoutMs: Number(params.get('timeout') || 15000),
  });
}

main().then(publishResult, (err) => publishResult(failure('page test', err)));
