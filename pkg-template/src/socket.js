// A socket from `webSocketFactory` keeps functions in its `on*` handlers: a handler set to
// `null` or `undefined` (as the core does to a socket it drops) reads back as a no-op function
// instead, as stompjs leaves them. A wrapper socket that calls `this.onclose(ev)` then keeps working.

const noop = () => {};
const HANDLERS = ['onopen', 'onmessage', 'onclose', 'onerror'];

/** Makes `ws`'s handlers never `null`; returns `ws`. */
export function keepHandlers(ws) {
  if (!ws || typeof ws !== 'object') return ws;
  for (const name of HANDLERS) {
    let d;
    for (let o = ws; o && !(d = Object.getOwnPropertyDescriptor(o, name)); ) o = Object.getPrototypeOf(o);
    let value = d && 'value' in d ? d.value : undefined;
    const get = d && d.get ? d.get : () => value;
    const set = d && d.set ? d.set : (v) => (value = v);
    try {
      Object.defineProperty(ws, name, {
        get() {
          return get.call(this);
        },
        set(v) {
          set.call(this, v == null ? noop : v);
        },
        configurable: true,
        enumerable: true,
      });
    } catch {
      // A socket that does not allow it keeps its own handlers.
    }
  }
  return ws;
}
