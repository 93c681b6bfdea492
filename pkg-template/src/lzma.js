// Unpacks the core's bytes: a raw LZMA stream (the LZMA1 format of `xz --format=lzma`, without
// its 13-byte header) whose properties byte and unpacked size the build passes with it.
//
// Written here for size: LZMA packs the core 3.2 KB smaller than zopfli's deflate (29.8 against
// 33.0 KB) and this decoder costs about 1 KB of the minimal app's gzip; the npm LZMA decoders
// weigh several times that. The build decodes its output with this very function and compares
// it with the core byte for byte (scripts/build-pkg.sh), so what ships is known to unpack.
//
// The decoder follows the format's reference description: a range decoder over adaptive bit
// probabilities (11 bits), literals coded under the previous byte's top `lc` bits, matches as
// (length, distance) with the four most recent distances kept, and the 12-state machine that
// selects the contexts.

const LIT = 1846; // where the literal probabilities start (the fixed tables come first)

/**
 * Decodes `src` (the LZMA stream after its header) into `size` bytes. `props` is the header's
 * first byte: (pb × 5 + lp) × 9 + lc. Throws on a stream that does not decode or ends too soon;
 * other damage gives `size` bytes that are not the original, which the caller's checks reject
 * (the WebAssembly compiler's, for the core).
 */
export function unlzma(src, props, size) {
  // pb at most 4 (the tables below are laid out for 16 position states); the range coder's
  // first byte is always 0.
  if (!(props < 225) || src[0] !== 0) throw new Error('the core does not unpack');
  const lc = props % 9;
  const lp = ((props / 9) | 0) % 5;
  const pb = (props / 45) | 0;
  const out = new Uint8Array(size);
  const probs = new Uint16Array(LIT + (0x300 << (lc + lp))).fill(1024);
  let at = 5;
  // The range and the code are unsigned 32-bit numbers kept in int32s (which the engine keeps
  // as integers, not doubles: about a fifth faster), compared with their sign bits flipped.
  let range = -1;
  let code = (src[1] << 24) | (src[2] << 16) | (src[3] << 8) | src[4];

  const norm = () => {
    if (range >>> 24 === 0) {
      range <<= 8;
      code = (code << 8) | src[at++];
    }
  };
  const bit = (i) => {
    const p = probs[i];
    const bound = Math.imul(range >>> 11, p);
    let b = 0;
    if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
      range = bound;
      probs[i] = p + ((2048 - p) >> 5);
    } else {
      range = (range - bound) | 0;
      code = (code - bound) | 0;
      probs[i] = p - (p >> 5);
      b = 1;
    }
    norm();
    return b;
  };
  // `n` bits, most significant first, from the tree of probabilities at `base`.
  const tree = (base, n) => {
    let m = 1;
    for (let i = 0; i < n; i++) m = (m << 1) | bit(base + m);
    return m - (1 << n);
  };
  // `n` bits, least significant first.
  const reverse = (base, n) => {
    let m = 1;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const b = bit(base + m);
      m = (m << 1) | b;
      s |= b << i;
    }
    return s;
  };
  // A match length less 2, from the length coder at `base`.
  const length = (base, posState) =>
    !bit(base)
      ? tree(base + 2 + posState * 8, 3)
      : !bit(base + 1)
        ? 8 + tree(base + 130 + posState * 8, 3)
        : 16 + tree(base + 258, 8);

  // The fixed tables: 0 isMatch (state × 16 + posState), 192 isRep, 204 isRepG0, 216 isRepG1,
  // 228 isRepG2, 240 isRep0Long, 432 posSlot (4 × 64), 688 the distances' low bits (115;
  // 689–802 in use), 802 the align tree's base (803–817 in use), 818 the match lengths, 1332
  // the repeated matches' lengths (514 each).
  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let pos = 0;
  while (pos < size) {
    const posState = pos & ((1 << pb) - 1);
    if (!bit((state << 4) + posState)) {
      const prev = pos ? out[pos - 1] : 0;
      const base = LIT + 0x300 * (((pos & ((1 << lp) - 1)) << lc) + (prev >> (8 - lc)));
      let s = 1;
      if (state >= 7) {
        let match = out[pos - rep0 - 1];
        do {
          const m = (match >> 7) & 1;
          match <<= 1;
          const b = bit(base + ((1 + m) << 8) + s);
          s = (s << 1) | b;
          if (m !== b) break;
        } while (s < 0x100);
      }
      while (s < 0x100) s = (s << 1) | bit(base + s);
      out[pos++] = s;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len;
    if (!bit(192 + state)) {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(818, posState);
      state = state < 7 ? 7 : 10;
      const slot = tree(432 + (len < 3 ? len : 3) * 64, 6);
      if (slot < 4) rep0 = slot;
      else {
        const n = (slot >> 1) - 1;
        rep0 = ((2 | (slot & 1)) << n) >>> 0;
        if (slot < 14) rep0 += reverse(688 + rep0 - slot, n);
        else {
          for (let i = n - 4; i > 0; i--) {
            range = (range >>> 1) | 0;
            const b = (code ^ 0x80000000) >= (range ^ 0x80000000) ? 1 : 0;
            if (b) code = (code - range) | 0;
            rep0 = (rep0 + (b << (i + 3))) >>> 0;
            norm();
          }
          rep0 = (rep0 + reverse(802, 4)) >>> 0;
        }
      }
    } else {
      if (!bit(204 + state)) {
        if (!bit(240 + (state << 4) + posState)) {
          // One byte from the last distance.
          state = state < 7 ? 9 : 11;
          if (rep0 >= pos) throw new Error('the core does not unpack');
          out[pos] = out[pos - rep0 - 1];
          pos++;
          continue;
        }
      } else {
        let d;
        if (!bit(216 + state)) d = rep1;
        else {
          if (!bit(228 + state)) d = rep2;
          else {
            d = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = d;
      }
      len = length(1332, posState);
      state = state < 7 ? 8 : 11;
    }
    if (rep0 >= pos || at > src.length) throw new Error('the core does not unpack');
    for (len += 2; len > 0 && pos < size; len--, pos++) out[pos] = out[pos - rep0 - 1];
  }
  // A stream cut short reads as zeros past its end: that is not the stream.
  if (at > src.length) throw new Error('the core does not unpack');
  return out;
}
