// Types of the stompwire package: the API of @stomp/stompjs 7 (Client, CompatClient, Stomp,
// Versions, StompHeaders, the enums, the callback and socket types), with the additions of
// stompwire. Nothing here needs the DOM library.

/** STOMP headers: name → value, as stompjs's class. Values that are not strings are written with `String()`. */
export declare class StompHeaders {
  [key: string]: string;
}

/** A frame the broker sent. */
export interface IFrame {
  /** `CONNECTED`, `MESSAGE`, `RECEIPT`, `ERROR`. */
  readonly command: string;
  /** The headers; for a repeated header, its first value. */
  readonly headers: StompHeaders;
  /** `true` for received frames: the body arrives as bytes. */
  readonly isBinaryBody: boolean;
  /** The body as text. */
  readonly body: string;
  /** The body as bytes. */
  readonly binaryBody: Uint8Array;
}

/** A MESSAGE, with its acknowledgements. */
export interface IMessage extends IFrame {
  /**
   * ACK (for `client` and `client-individual` subscriptions). Throws a `StaleMessageError`
   * (nothing sent) when the connection that delivered the message has dropped since.
   */
  ack(headers?: StompHeaders): void;
  /** NACK (STOMP 1.1+); refused as `ack` is for a message of an earlier connection. */
  nack(headers?: StompHeaders): void;
}

/** A received frame (the class behind `IFrame` and `IMessage`). */
export declare class FrameImpl implements IMessage {
  private constructor();
  /** Does nothing (frames are plain objects); kept for older callers. */
  free(): void;
  readonly command: string;
  readonly headers: StompHeaders;
  readonly isBinaryBody: boolean;
  readonly body: string;
  readonly binaryBody: Uint8Array;
  ack(headers?: StompHeaders): void;
  nack(headers?: StompHeaders): void;
}

/** What `subscribe` returns. */
export declare class StompSubscription {
  private constructor();
  free(): void;
  /** The subscription id. */
  readonly id: string;
  /** UNSUBSCRIBE. */
  unsubscribe(headers?: StompHeaders): void;
}

/** What `begin` returns. */
export interface ITransaction {
  /** The transaction id. */
  readonly id: string;
  /** COMMIT. */
  commit(): void;
  /** ABORT. */
  abort(): void;
}

/** The class behind `ITransaction`. */
export declare class Transaction implements ITransaction {
  private constructor();
  free(): void;
  readonly id: string;
  commit(): void;
  abort(): void;
}

/** The arguments of `publish`. */
export interface IPublishParams {
  destination: string;
  headers?: StompHeaders;
  /** A text body. */
  body?: string;
  /** A binary body (wins over `body`); `content-length` is always written for it. */
  binaryBody?: Uint8Array;
  /** Leave out `content-length` for a text body (some brokers then treat it as text). */
  skipContentLengthHeader?: boolean;
}
export type publishParams = IPublishParams;

export type debugFnType = (msg: string) => void;
export type messageCallbackType = (message: IMessage) => void;
export type frameCallbackType = ((frame: IFrame) => void) | (() => void);
export type emptyCallbackType = () => void;
export type closeEventCallbackType<T = any> = (evt: T) => void;
export type wsErrorCallbackType<T = any> = (evt: T) => void;

/** What a socket's `onmessage` receives. */
export interface IStompSocketMessageEvent {
  data?: string | ArrayBuffer;
}

/** What `webSocketFactory` may return: a WebSocket or an object that behaves like one. */
export interface IStompSocket {
  url: string;
  onclose: ((ev?: any) => any) | undefined | null;
  onerror: ((ev: any) => any) | undefined | null;
  onmessage: ((ev: IStompSocketMessageEvent) => any) | undefined | null;
  onopen: ((ev?: any) => any) | undefined | null;
  terminate?: (() => any) | undefined | null;
  binaryType?: string;
  readonly readyState: number;
  close(): void;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
}

/** Bounds on what the broker may send; a frame beyond one closes the connection. */
export interface StompLimits {
  /** Largest frame, command to NUL, in bytes. Default 16 MiB. */
  maxFrameSize?: number;
  /** Largest body, in bytes. Default 16 MiB. */
  maxBodySize?: number;
  /** Most header lines in a frame. Default 256. */
  maxHeaders?: number;
  /** Longest header line, in bytes. Default 16 KiB. */
  maxHeaderLine?: number;
  /** Longest command line, in bytes. Default 32. */
  maxCommandLength?: number;
  /** Trim spaces around header names and values (for old 1.0 brokers). Default false. */
  trimHeaderWhitespace?: boolean;
}

/** Where heart-beats are timed. */
export declare enum TickerStrategy {
  /** The page's timers (stompjs's default). */
  Interval = "interval",
  /** A Worker's timers: not slowed down in a background tab. */
  Worker = "worker",
}

/** The STOMP versions to offer. */
export declare class Versions {
  static readonly V1_0: string;
  static readonly V1_1: string;
  static readonly V1_2: string;
  /** 1.2, 1.1 and 1.0. */
  static readonly default: Versions;
  constructor(versions: string[]);
  readonly versions: string[];
  /** The `accept-version` value. */
  supportedVersions(): string;
  /** The WebSocket subprotocols. */
  protocolVersions(): string[];
}

/** Everything `new Client(conf)` and `client.configure(conf)` accept. */
export interface StompConfig {
  /** The broker's WebSocket URL. */
  brokerURL?: string;
  /** Several broker URLs, tried in turn, round robin (wins over `brokerURL`). */
  brokerURLs?: string[];
  /** Makes the socket (wins over the URLs). */
  webSocketFactory?: () => IStompSocket | any;
  /** Versions to offer. Default `Versions.default`. */
  stompVersions?: Versions | string[];
  /** CONNECT headers: `login`, `passcode`, `host`… */
  connectHeaders?: StompHeaders;
  /** DISCONNECT headers. */
  disconnectHeaders?: StompHeaders;
  /**
   * Give up an attempt not connected within this many ms of its socket being made, after
   * `beforeConnect` (0: never). Read at each attempt. Default 0.
   */
  connectionTimeout?: number;
  /**
   * After the socket opens, wait this many ms for CONNECTED; then close it and try the next
   * broker (0: wait as long as the socket stays open). Default 5000. stompwire; stompjs has no
   * such limit.
   */
  connectedTimeout?: number;
  /** Wait before reconnecting, ms; 0 never reconnects. Read at `activate()`, as stompjs 7.1. Default 5000. */
  reconnectDelay?: number;
  /**
   * Cap of the exponential wait, ms (0: none). Read when each reconnect wait ends, so it may
   * change while active. Default 900000.
   */
  maxReconnectDelay?: number;
  /**
   * Read when each reconnect wait ends: switched to `EXPONENTIAL` while active, the waits after
   * that attempt double from the one reached. Default `ReconnectionTimeMode.LINEAR`.
   */
  reconnectTimeMode?: ReconnectionTimeMode;
  /** Reconnection attempts after a loss (the first connection gets this many retries) before the client gives up and goes INACTIVE; -1 never gives up. Default -1. */
  maxReconnectAttempts?: number;
  /** Up to this fraction of each wait is added at random (0.1: 0–10 % longer). Default 0. */
  reconnectJitter?: number;
  /** Ms between heart-beats asked of the broker (0: none). Default 10000. */
  heartbeatIncoming?: number;
  /** Ms between heart-beats this client offers to send (0: none). Default 10000. */
  heartbeatOutgoing?: number;
  /** The connection is deemed dead after this many incoming intervals of silence. Default 2. */
  heartbeatToleranceMultiplier?: number;
  /** Default `TickerStrategy.Interval`. */
  heartbeatStrategy?: TickerStrategy;
  /** Split text frames into WebSocket messages of `maxWebSocketChunkSize` bytes. Default false. */
  splitLargeFrames?: boolean;
  /** Default 8192. */
  maxWebSocketChunkSize?: number;
  /** Send every frame as a binary message. Default false (text when the frame is UTF-8). */
  forceBinaryWSFrames?: boolean;
  /**
   * Put the frames written in one event-loop turn into one WebSocket message, of at most
   * `maxWebSocketChunkSize` bytes (a larger frame goes alone); while the socket's
   * `bufferedAmount` holds a full message, the next turns' frames join the waiting one. The
   * broker must read several frames from one message (RabbitMQ Web-STOMP does). Default false:
   * one frame per message.
   */
  batchFrames?: boolean;
  /** Add a NUL to incoming messages that lack one. Default false. */
  appendMissingNULLonIncoming?: boolean;
  /** Log raw frames instead of their headers. Default false. */
  logRawCommunication?: boolean;
  /**
   * Drop the socket at once when heart-beats stop, without waiting for it to close. Default
   * true (stompjs: false), so that failover from a frozen broker does not wait for the
   * browser's close handshake (about 60 s in Chromium).
   */
  discardWebsocketOnCommFailure?: boolean;
  /** Subscribe again (same ids) after a reconnect. Default false: subscribe in `onConnect`. */
  replaySubscriptions?: boolean;
  /** Send again, after a reconnect, SEND frames whose receipt had not come. Default false. */
  resendUnreceipted?: boolean;
  /** Default time limit of the promise forms, ms (0: none). Default 30000. */
  receiptTimeout?: number;
  /** Bounds on what the broker may send. */
  limits?: StompLimits;
  debug?: debugFnType;
  /**
   * Called (and awaited) before each connection attempt; may change the options, the broker
   * included (`activate()` needs none before). The time it takes does not count against
   * `connectionTimeout`. One that throws or rejects fails that attempt (said through `debug`);
   * the reconnect settings decide what comes next.
   */
  beforeConnect?: (client: Client) => void | Promise<void>;
  onConnect?: frameCallbackType;
  onDisconnect?: frameCallbackType;
  onStompError?: frameCallbackType;
  onUnhandledMessage?: messageCallbackType;
  onUnhandledReceipt?: frameCallbackType;
  onUnhandledFrame?: frameCallbackType;
  onWebSocketClose?: closeEventCallbackType;
  onWebSocketError?: wsErrorCallbackType;
  onChangeState?: (state: ActivationState) => void;
  onHeartbeatReceived?: emptyCallbackType;
  onHeartbeatLost?: emptyCallbackType;
  /** A reconnect attempt is scheduled in `delayMs` milliseconds (stompwire). */
  onReconnectScheduled?: (delayMs: number) => void;
}

/** How a promise of this package fails. */
export interface StompwireError extends Error {
  name: "TimeoutError" | "StompError" | "ConnectionClosedError" | "DeactivatedError" | "GaveUpError";
  /** The ERROR frame, for a `StompError`. */
  frame?: IFrame;
}

/** A STOMP client over WebSocket, with the surface of stompjs's `Client`. */
export declare class Client {
  constructor(conf?: StompConfig);
  configure(conf: StompConfig): void;

  brokerURL: string | undefined;
  brokerURLs: string[];
  webSocketFactory: (() => IStompSocket | any) | undefined;
  stompVersions: Versions | string[];
  connectHeaders: StompHeaders;
  disconnectHeaders: StompHeaders;
  connectionTimeout: number;
  connectedTimeout: number;
  reconnectDelay: number;
  maxReconnectDelay: number;
  reconnectTimeMode: ReconnectionTimeMode;
  maxReconnectAttempts: number;
  reconnectJitter: number;
  heartbeatIncoming: number;
  heartbeatOutgoing: number;
  heartbeatToleranceMultiplier: number;
  heartbeatStrategy: TickerStrategy;
  splitLargeFrames: boolean;
  maxWebSocketChunkSize: number;
  forceBinaryWSFrames: boolean;
  batchFrames: boolean;
  appendMissingNULLonIncoming: boolean;
  logRawCommunication: boolean;
  discardWebsocketOnCommFailure: boolean;
  replaySubscriptions: boolean;
  resendUnreceipted: boolean;
  receiptTimeout: number;
  limits: StompLimits;

  debug: debugFnType;
  beforeConnect: (client: Client) => void | Promise<void>;
  onConnect: frameCallbackType;
  onDisconnect: frameCallbackType;
  onStompError: frameCallbackType;
  onUnhandledMessage: messageCallbackType;
  onUnhandledReceipt: frameCallbackType;
  onUnhandledFrame: frameCallbackType;
  onWebSocketClose: closeEventCallbackType;
  onWebSocketError: wsErrorCallbackType;
  onChangeState: (state: ActivationState) => void;
  onHeartbeatReceived: emptyCallbackType;
  onHeartbeatLost: emptyCallbackType;
  /** A reconnect attempt is scheduled in `delayMs` milliseconds (stompwire). */
  onReconnectScheduled: (delayMs: number) => void;

  /** The WebSocket in use. */
  readonly webSocket: IStompSocket | undefined;
  /** Whether the STOMP session is open. */
  readonly connected: boolean;
  /** The negotiated version while connected. */
  readonly connectedVersion: string | undefined;
  /** Whether the client is ACTIVE. */
  readonly active: boolean;
  readonly state: ActivationState;

  activate(): void;
  deactivate(options?: { force?: boolean }): Promise<void>;
  forceDisconnect(): void;
  publish(params: IPublishParams): void;
  watchForReceipt(receiptId: string, callback: frameCallbackType): void;
  subscribe(destination: string, callback: messageCallbackType, headers?: StompHeaders): StompSubscription;
  unsubscribe(id: string, headers?: StompHeaders): void;
  begin(transactionId?: string): ITransaction;
  commit(transactionId: string): void;
  abort(transactionId: string): void;
  ack(messageId: string, subscriptionId: string, headers?: StompHeaders): void;
  nack(messageId: string, subscriptionId: string, headers?: StompHeaders): void;

  /** The CONNECTED frame, now or at the next connection. */
  whenConnected(timeoutMs?: number): Promise<IFrame>;
  /** Publishes and resolves with the RECEIPT. */
  publishWithReceipt(params: IPublishParams, timeoutMs?: number): Promise<IFrame>;
  /** Subscribes and resolves once the SUBSCRIBE's RECEIPT came. */
  subscribeWithReceipt(destination: string, callback: messageCallbackType, headers?: StompHeaders, timeoutMs?: number): Promise<StompSubscription>;
  /** Resolves with the RECEIPT of a frame sent with this `receipt` header. */
  waitForReceipt(receiptId: string, timeoutMs?: number): Promise<IFrame>;
}

/** Whether the client is running (`ACTIVE`), stopping (`DEACTIVATING`) or idle (`INACTIVE`). */
export declare enum ActivationState {
  ACTIVE = 0,
  DEACTIVATING = 1,
  INACTIVE = 2,
}

/** The WebSocket `readyState` values. */
export declare enum StompSocketState {
  CONNECTING = 0,
  OPEN = 1,
  CLOSING = 2,
  CLOSED = 3,
}

/** How the wait between reconnection attempts grows. */
export declare enum ReconnectionTimeMode {
  LINEAR = 0,
  EXPONENTIAL = 1,
}

/** `CompatClient.heartbeat`: the two heart-beat intervals, in ms. */
export interface HeartbeatInfo {
  incoming: number;
  outgoing: number;
}

/** stompjs's older API (`Stomp.over`, `Stomp.client`) on a `Client`. */
export declare class CompatClient extends Client {
  /** No effect (large frames work as they are). */
  maxWebSocketFrameSize: number;
  connect(headers: StompHeaders, connectCallback: frameCallbackType, errorCallback?: frameCallbackType | ((error: any) => void), closeEventCallback?: closeEventCallbackType): void;
  connect(login: string, passcode: string, connectCallback: frameCallbackType, errorCallback?: frameCallbackType | ((error: any) => void), closeEventCallback?: closeEventCallbackType, host?: string): void;
  connect(...args: any[]): void;
  disconnect(disconnectCallback?: any, headers?: StompHeaders): void;
  send(destination: string, headers?: { [key: string]: any }, body?: string): void;
  set reconnect_delay(value: number);
  readonly ws: any;
  readonly version: string | undefined;
  onreceive: messageCallbackType;
  onreceipt: frameCallbackType;
  get heartbeat(): HeartbeatInfo;
  set heartbeat(value: { incoming: number; outgoing: number });
}

/** Makes `CompatClient`s. */
export declare class Stomp {
  /** The class `Stomp.client` constructs sockets with (default: the global `WebSocket`). */
  static WebSocketClass: any;
  /** A client that opens `new WebSocket(url, protocols)` for each connection. */
  static client(url: string, protocols?: string[]): CompatClient;
  /** A client over a socket factory (reconnects work) or one socket (they cannot). */
  static over(ws: any): CompatClient;
}

/** Settles when the WebAssembly core is loaded; rejects with the cause when it cannot be. */
export declare const coreReady: Promise<void>;

/** A header of an `IRawFrameType`: `[name, value]`. */
export type RawHeaderType = [string, string];

/** A frame as `Parser` yields it: headers in wire order, repeats kept, values as they were sent. */
export interface IRawFrameType {
  command: string | undefined;
  headers: RawHeaderType[];
  binaryBody: Uint8Array | undefined;
}

/**
 * stompjs's incremental frame parser, over stompwire's codec: feed chunks split anywhere; it
 * calls `onFrame` per frame and `onIncomingPing` per heart-beat (every EOL between frames).
 * Needs the WebAssembly core (`await coreReady` first where it loads after the import).
 */
export declare class Parser {
  /**
   * @param unescape stompwire: unescape header values by STOMP 1.2's rules; by default values
   *   are left as sent, as in stompjs.
   */
  constructor(onFrame: (rawFrame: IRawFrameType) => void, onIncomingPing: () => void, unescape?: boolean);
  onFrame: (rawFrame: IRawFrameType) => void;
  onIncomingPing: () => void;
  /**
   * Parses one chunk. With `appendMissingNULLonIncoming`, a NUL is added when the chunk does not
   * end in one. Throws an `Error` naming the problem when the stream is malformed.
   */
  parseChunk(segment: string | ArrayBuffer | ArrayBufferView, appendMissingNULLonIncoming?: boolean): void;
}

/** What `FrameImpl.marshall` takes. */
export interface IFrameParams {
  command: string;
  headers?: StompHeaders | { [key: string]: unknown };
  body?: string;
  binaryBody?: Uint8Array;
  escapeHeaderValues?: boolean;
  skipContentLengthHeader?: boolean;
}

/** stompjs's static helpers of `FrameImpl`. */
export declare namespace FrameImpl {
  /** The frame as a WebSocket sends it: a string, or an ArrayBuffer for a binary body. */
  function marshall(params: IFrameParams): string | ArrayBuffer;
  /** An `IFrame` from a `Parser` frame (trimmed, first of repeated headers, optionally unescaped). */
  function fromRawFrame(rawFrame: IRawFrameType, escapeHeaderValues: boolean): IFrame;
  /** Escapes a header value (STOMP 1.2: `\\`, CR, LF, `:`). */
  function hdrValueEscape(str: string): string;
  /** Undoes `hdrValueEscape`. */
  function hdrValueUnEscape(str: string): string;
  /** The UTF-8 size of `s` in bytes (0 for none). */
  function sizeOfUTF8(s?: string): number;
}
