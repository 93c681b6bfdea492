// The package layer's LZMA decoder (pkg-template/src/lzma.js), in Node, against streams that
// Python's lzma (liblzma) writes: every kind of input the encoder treats differently (runs,
// text, random bytes, long matches far back, a real WebAssembly module) under several lc/lp/pb
// settings, each unpacked byte for byte; then damaged streams: bytes flipped (an Error or
// exactly the size asked for), cut short or with impossible properties (an Error). Everything
// here is synchronous: scripts/test-browser.sh bounds the run (STOMPWIRE_PAGE_TEST_TIMEOUT).
//
//   node tests/pkg-layer/lzma.mjs [FILE...]     extra FILEs are round-tripped too
//
// Prints one line per check and `lzma: N passed, M failed`; exit status 0 when all passed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unlzma } from '../../pkg-template/src/lzma.js';

const here = dirname(fileURLToPath(import.meta.url));

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (ok) passed++;
  else failed++;
}

// A .lzma stream (header included) of `data`, from Python's lzma.
function compress(data, lc, lp, pb) {
  const script = `
import lzma, sys
data = sys.stdin.buffer.read()
f = {'id': lzma.FILTER_LZMA1, 'preset': 9 | lzma.PRESET_EXTREME, 'lc': ${lc}, 'lp': ${lp}, 'pb': ${pb},
     'dict_size': max(1 << 16, len(data))}
sys.stdout.buffer.write(lzma.compress(data, format=lzma.FORMAT_ALONE, filters=[f]))
`;
  const r = spawnSync('python3', ['-c', script], { input: data, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python3 lzma: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

function same(a, b) {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b));
}

// Deterministic bytes.
function random(n, seed) {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const text = new TextEncoder().encode(readFileSync(join(here, '..', '..', 'README.md'), 'utf8'));
// A block repeated 3 MiB later: a match distance that takes the direct bits and the align coder.
const block = random(4096, 7);
const far = new Uint8Array((3 << 20) + 8192);
far.set(block, 0);
far.set(random((3 << 20) - 4096, 11), 4096);
far.set(block, 3 << 20);
far.set(block, (3 << 20) + 4096);
const inputs = [
  ['one byte', new Uint8Array([42])],
  ['a run of zeros (64 KiB)', new Uint8Array(65536)],
  ['text (README.md)', text],
  ['random bytes (20 KB)', random(20000, 3)],
  ['short repeats', new TextEncoder().encode('abcabcabdabcabcabd'.repeat(500) + 'xyz'.repeat(300))],
  ['a block again 3 MiB later', far],
];
for (const file of process.argv.slice(2)) inputs.push([file, new Uint8Array(readFileSync(file))]);

for (const [name, data] of inputs) {
  for (const [lc, lp, pb] of [
    [3, 0, 0],
    [3, 0, 2],
    [0, 2, 2],
    [4, 0, 4],
    [1, 3, 1],
  ]) {
    if (name.startsWith('a block') && lc !== 3) continue; // one setting is enough for 3 MiB
    const packed = compress(data, lc, lp, pb);
    let out;
    let error = null;
    try {
      out = unlzma(packed.subarray(13), packed[0], data.length);
    } catch (e) {
      error = e;
    }
    check(`${name}, lc=${lc} lp=${lp} pb=${pb}: unpacks byte for byte`, !error && same(out, data), error ? error.message : `${packed.length} B packed`);
  }
}

check('nothing to unpack: an empty array', unlzma(new Uint8Array(5), 0x5d, 0).length === 0);

// Damaged streams: an Error, or exactly `size` bytes; never a hang or a longer array.
const good = compress(text, 3, 0, 0);
let bounded = true;
let detail = '';
for (let i = 0; i < 200; i++) {
  const bad = good.slice(13);
  const r = random(3, i + 1);
  bad[(r[0] << 8 | r[1]) % bad.length] ^= r[2] | 1;
  try {
    const out = unlzma(bad, good[0], text.length);
    if (out.length !== text.length) {
      bounded = false;
      detail = `flip ${i}: ${out.length} bytes`;
    }
  } catch (e) {
    if (!(e instanceof Error)) {
      bounded = false;
      detail = `flip ${i}: threw ${e}`;
    }
  }
}
check('200 streams with a byte flipped: an Error or exactly the size asked for', bounded, detail);

let cut;
try {
  cut = unlzma(good.slice(13, 13 + (good.length >> 1)), good[0], text.length);
} catch (e) {
  cut = e;
}
check('a stream cut in half: an Error', cut instanceof Error, cut instanceof Error ? cut.message : `${cut.length} bytes`);

let refused = 0;
for (const [props, first] of [
  [225, 0],
  [255, 0],
  [good[0], 1],
]) {
  const bad = good.slice(13);
  bad[0] = first;
  try {
    unlzma(bad, props, text.length);
  } catch (e) {
    if (e instanceof Error) refused++;
  }
}
check('properties beyond pb 4, or a range coder that does not start with 0: an Error', refused === 3, `${refused} of 3`);

console.log(`lzma: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
