// An app as a user writes it: import the package by name; the bundler build instantiates the
// wasm on import (no init() call).
import { Client } from 'stompwire';
import { failure, publishResult, roundTrip } from './scenario.js';

const params = new URLSearchParams(location.search);

roundTrip(Client, {
  brokerURL: params.get('broker') || 'ws://127.0.0.1:15674/ws',
  timeoutMs: Number(params.get('timeout') || 15000),
}).then(publishResult, (err) => publishResult(failure('vite app', err)));
