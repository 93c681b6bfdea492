// stompjs's `Parser`: chunks of a STOMP stream (strings or ArrayBuffers, split anywhere) in,
// `onFrame({ command, headers, binaryBody })` and `onIncomingPing()` out. The decoding is the
// core's codec (its AnyCommandDecoder: frames of any command word, as stompjs's parser reads
// them); this class only converts the chunk, reads the records the core answers with
// (src/browser/packed.rs) and calls back.
import { core } from './load.js';
import { FrameParser } from './glue.js';
import { Reader } from './records.js';

const encoder = new TextEncoder();

function bytes(segment) {
  if (typeof segment === 'string') return encoder.encode(segment);
  if (ArrayBuffer.isView(segment)) return new Uint8Array(segment.buffer, segment.byteOffset, segment.byteLength);
  return new Uint8Array(segment);
}

/** An incremental STOMP frame parser, as stompjs's `Parser`. */
export class Parser {
  /**
   * @param {(rawFrame: import('../stompwire').IRawFrameType) => void} onFrame
   * @param {() => void} onIncomingPing
   * @param {boolean} [unescape] unescape header values by STOMP 1.2's rules (default: values
   *   as they are on the wire, as stompjs's parser gives them)
   */
  constructor(onFrame, onIncomingPing, unescape = false) {
    if (!core()) throw new Error('stompwire: Parser needs the WebAssembly core, which is not loaded yet (await coreReady)');
    this.onFrame = onFrame;
    this.onIncomingPing = onIncomingPing;
    this._core = new FrameParser(!!unescape);
  }

  /**
   * Parses a chunk; calls back for every frame and heart-beat it completes. Throws an Error
   * naming the problem when the stream is malformed (after the calls for what came before).
   * @param {string | ArrayBuffer | ArrayBufferView} segment
   * @param {boolean} [appendMissingNULLonIncoming] add a NUL when the chunk does not end in one
   *   (and take an LF then that NUL after a counted body as the frame's end: what a socket that
   *   cuts messages at their first NUL leaves)
   */
  parseChunk(segment, appendMissingNULLonIncoming = false) {
    const r = new Reader(this._core.feed(bytes(segment), !!appendMissingNULLonIncoming));
    while (r.more()) {
      const tag = r.u8();
      if (tag === 31) {
        this.onIncomingPing();
      } else if (tag === 32) {
        throw new Error(r.str());
      } else {
        const command = r.str();
        r.u32(); // the header block's length
        const headers = [];
        for (let n = r.u32(); n > 0; n--) headers.push([r.str(), r.str()]);
        // A copy: each frame's bytes its own, as stompjs's parser gives them.
        const rawFrame = { command, headers, binaryBody: r.bytes().slice() };
        try {
          this.onFrame(rawFrame);
        } catch (e) {
          console.log('stompwire: Parser: the onFrame callback threw (parsing goes on):', e);
        }
      }
    }
  }
}
