// Loads the WebAssembly core. Its bytes are inlined (zlib-compressed, base64: about as small
// over the wire as a separate .wasm file, and nothing for a bundler or server to get right).
// In Node (20.16+, 22) they are inflated and instantiated synchronously at import; elsewhere
// (pages, workers, bundled apps) with DecompressionStream and WebAssembly.instantiate, which a
// page's main thread needs for a module this size (before Chrome 114). `ready` settles when
// that is done. The glue's own loaders (fetch, streaming) are not used: the build exports its
// imports object and its finishing step (scripts/build-pkg.sh, shape_core_glue).
import { __wbg_get_imports as imports, __wbg_finalize_init as finish, Core } from './glue.js';
import { WASM } from './wasm-data.js';

let loaded = false;
let failure = null;
let exports;

function bytes(base64) {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

// Node's zlib, reached without an import statement that bundlers would try to resolve.
function nodeInflate() {
  const proc = typeof process === 'object' && process ? process : undefined;
  const builtin = proc && typeof proc.getBuiltinModule === 'function' ? proc.getBuiltinModule : undefined;
  if (!builtin) return undefined;
  try {
    return builtin('node:zlib').inflateSync(bytes(WASM));
  } catch {
    return undefined;
  }
}

function check() {
  if (typeof WebAssembly !== 'object') throw new Error('this platform has no WebAssembly');
}

try {
  const raw = nodeInflate();
  if (raw) {
    check();
    const module = new WebAssembly.Module(raw);
    exports = finish(new WebAssembly.Instance(module, imports()), module);
    loaded = true;
  }
} catch {
  // The asynchronous path below reports what went wrong.
}

async function load() {
  check();
  if (typeof DecompressionStream !== 'function') {
    throw new Error('this platform has no DecompressionStream (needed to unpack the core)');
  }
  const stream = new Blob([bytes(WASM)]).stream().pipeThrough(new DecompressionStream('deflate'));
  const raw = await new Response(stream).arrayBuffer();
  const { instance, module } = await WebAssembly.instantiate(raw, imports());
  exports = finish(instance, module);
  loaded = true;
}

/** Settles once the core is loaded; rejects with the cause when it cannot be. */
export const ready = loaded
  ? Promise.resolve()
  : load().catch((e) => {
      failure = e instanceof Error ? e : new Error(String(e));
      throw failure;
    });
ready.catch(() => {});

/** The core's class once loaded, else `undefined`. */
export function core() {
  return loaded ? Core : undefined;
}

/** The core's memory (read at once: it is replaced when it grows). */
export function memory() {
  return exports.memory;
}

/** Why the core could not be loaded, once that is known; else `null`. */
export function loadFailure() {
  return failure;
}
