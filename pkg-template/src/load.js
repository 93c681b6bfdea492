// Loads the WebAssembly core. Its bytes are inlined (an LZMA stream, base64: smaller over the
// wire than a separate .wasm file, and nothing for a bundler or server to get right) and
// unpacked by lzma.js at import. The module is then compiled and instantiated synchronously
// (Node, Firefox, Safari, Chromium 114 and later), so that a client is complete at once.
// Where that is refused (a page's main thread before Chromium 114 compiles at most 4 KB
// synchronously; a CSP may forbid compiling at all), WebAssembly.instantiate tries again.
// `ready` settles when that is done. The glue's own loaders (fetch, streaming) are not used:
// the build exports its imports object and its finishing step (scripts/build-pkg.sh,
// shape_core_glue).
import { __wbg_get_imports as imports, __wbg_finalize_init as finish, Core } from './glue.js';
import { unlzma } from './lzma.js';
import { WASM, WASM_PROPS, WASM_SIZE } from './wasm-data.js';

let loaded = false;
let failure = null;
let exports;
let raw;

function unpack() {
  const text = atob(WASM);
  const packed = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) packed[i] = text.charCodeAt(i);
  return unlzma(packed, WASM_PROPS, WASM_SIZE);
}

function check() {
  if (typeof WebAssembly !== 'object') throw new Error('this platform has no WebAssembly');
}

try {
  check();
  raw = unpack();
  const module = new WebAssembly.Module(raw);
  exports = finish(new WebAssembly.Instance(module, imports()), module);
  loaded = true;
  raw = undefined;
} catch {
  // The asynchronous path below tries again, and reports what went wrong.
}

async function load() {
  check();
  const bytes = raw || unpack();
  raw = undefined;
  const { instance, module } = await WebAssembly.instantiate(bytes, imports());
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
