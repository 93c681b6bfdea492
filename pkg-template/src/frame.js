// The static helpers stompjs's `FrameImpl` exports: `marshall` (a frame to what a WebSocket
// sends), `fromRawFrame` (a `Parser` frame to an `IFrame`), header-value escaping and the UTF-8
// size of a string, as statics of the package's `FrameImpl` (a class declaration, so that an
// app that never names `FrameImpl` does not ship them). The escaping is STOMP 1.2's, as in the
// codec: backslash, CR, LF and colon become \\, \r, \n and \c; CONNECT, STOMP and CONNECTED
// are never escaped.
import { FrameImpl as CoreFrameImpl } from './records.js';

const encoder = new TextEncoder();
const ESCAPES = { '\\': '\\\\', '\r': '\\r', '\n': '\\n', ':': '\\c' };
const UNESCAPES = { '\\': '\\', r: '\r', n: '\n', c: ':' };

const exempt = (command) => command === 'CONNECT' || command === 'STOMP' || command === 'CONNECTED';

/** Escapes a header value (STOMP 1.2). */
export function hdrValueEscape(str) {
  return str.replace(/[\\\r\n:]/g, (c) => ESCAPES[c]);
}

/** Undoes `hdrValueEscape`; a backslash before any other character is kept as it is. */
export function hdrValueUnEscape(str) {
  return str.replace(/\\([\\rnc])/g, (_, c) => UNESCAPES[c]);
}

/** How many bytes `s` takes in UTF-8 (0 for none). */
export function sizeOfUTF8(s) {
  return s ? encoder.encode(s).length : 0;
}

/**
 * A frame as a WebSocket sends it: a string, or an ArrayBuffer when `binaryBody` is given.
 * `content-length` is added for a binary or non-empty body unless `skipContentLengthHeader`.
 */
export function marshall({ command, headers, body, binaryBody, escapeHeaderValues, skipContentLengthHeader }) {
  headers = Object.assign({}, headers);
  if (skipContentLengthHeader) delete headers['content-length'];
  const escape = escapeHeaderValues && !exempt(command);
  let head = command;
  for (const name of Object.keys(headers)) {
    const value = `${headers[name]}`;
    head += `\n${name}:${escape ? hdrValueEscape(value) : value}`;
  }
  body = binaryBody ? undefined : body || '';
  const length = binaryBody ? binaryBody.length : sizeOfUTF8(body);
  if (binaryBody || (length && !skipContentLengthHeader)) head += `\ncontent-length:${length}`;
  head += '\n\n';
  if (!binaryBody) return `${head}${body}\0`;
  const start = encoder.encode(head);
  const out = new Uint8Array(start.length + binaryBody.length + 1);
  out.set(start);
  out.set(binaryBody, start.length);
  return out.buffer;
}

/** A frame made by `fromRawFrame`: `command`, `headers`, `body`, `binaryBody`, `serialize()`. */
class ParsedFrame {
  constructor(command, headers, binaryBody, escapeHeaderValues) {
    this.command = command;
    this.headers = headers;
    this.isBinaryBody = true;
    this.binaryBody = binaryBody;
    this._escape = escapeHeaderValues;
  }

  /** The frame as a WebSocket sends it (an ArrayBuffer: the body is bytes). */
  serialize() {
    const { command, headers, binaryBody } = this;
    return marshall({ command, headers, binaryBody, escapeHeaderValues: this._escape });
  }

  get body() {
    if (this._body === undefined) this._body = new TextDecoder().decode(this.binaryBody);
    return this._body;
  }
}

/**
 * An `IFrame` from a `Parser` frame: names and values trimmed, the first of repeated headers
 * kept, values unescaped when `escapeHeaderValues` (not for CONNECT, STOMP, CONNECTED).
 */
export function fromRawFrame(rawFrame, escapeHeaderValues) {
  const { command, headers: raw } = rawFrame;
  const unescape = escapeHeaderValues && !exempt(command);
  const headers = {};
  for (let i = raw.length - 1; i >= 0; i--) {
    const value = raw[i][1].trim();
    headers[raw[i][0].trim()] = unescape ? hdrValueUnEscape(value) : value;
  }
  return new ParsedFrame(command, headers, rawFrame.binaryBody || new Uint8Array(0), escapeHeaderValues);
}

/**
 * The class of received frames and messages (`instanceof` holds for them and for what
 * `fromRawFrame` returns), with stompjs's static helpers.
 */
export class FrameImpl extends CoreFrameImpl {
  static [Symbol.hasInstance](x) {
    return x instanceof CoreFrameImpl || x instanceof ParsedFrame;
  }

  static marshall(params) {
    return marshall(params);
  }

  static fromRawFrame(rawFrame, escapeHeaderValues) {
    return fromRawFrame(rawFrame, escapeHeaderValues);
  }

  static hdrValueEscape(str) {
    return hdrValueEscape(str);
  }

  static hdrValueUnEscape(str) {
    return hdrValueUnEscape(str);
  }

  static sizeOfUTF8(s) {
    return sizeOfUTF8(s);
  }
}
