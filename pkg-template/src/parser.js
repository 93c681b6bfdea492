// stompjs's `Parser`: chunks of a STOMP stream (strings or ArrayBuffers, split anywhere) in,
// `onFrame({ command, headers, binaryBody })` and `onIncomingPing()` out. The decoding is the
// core's codec (its AnyCommandDecoder: frames of any command word, as stompjs's parser reads
// them); this class only converts the chunk and calls back.
import { core } from './load.js';
import { FrameParser } from './glue.js';

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
    const items = this._core.feed(bytes(segment), !!appendMissingNULLonIncoming);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item === null) {
        this.onIncomingPing();
      } else if (item instanceof Error) {
        throw item;
      } else {
        const flat = items[i + 1];
        const headers = [];
        for (let h = 0; h < flat.length; h += 2) headers.push([flat[h], flat[h + 1]]);
        const rawFrame = { command: item, headers, binaryBody: items[i + 2] };
        i += 2;
        try {
          this.onFrame(rawFrame);
        } catch (e) {
          console.log('stompwire: Parser: the onFrame callback threw (parsing goes on):', e);
        }
      }
    }
  }
}
