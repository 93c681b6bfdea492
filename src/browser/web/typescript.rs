//! The TypeScript declarations of the classes whose generated ones would say `any`: written
//! by hand, with stompjs's types (`StompHeaders`, `IFrame`, `IMessage`, `StompConfig`…).
//! The numeric enums keep their generated declarations.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** STOMP headers: name → value. Values that are not strings are written with `String()`. */
export type StompHeaders = { [key: string]: string };

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
  /** ACK (for `client` and `client-individual` subscriptions). */
  ack(headers?: StompHeaders): void;
  /** NACK (STOMP 1.1+). */
  nack(headers?: StompHeaders): void;
}

/** A received frame (the class behind `IFrame` and `IMessage`). */
export class FrameImpl implements IMessage {
  private constructor();
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
export class StompSubscription {
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
export class Transaction implements ITransaction {
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
export type closeEventCallbackType<T = CloseEvent> = (evt: T) => void;
export type wsErrorCallbackType<T = Event> = (evt: T) => void;

/** What `webSocketFactory` may return: a WebSocket or an object that behaves like one. */
export interface IStompSocket {
  url: string;
  onclose: ((ev?: any) => any) | undefined | null;
  onerror: ((ev: any) => any) | undefined | null;
  onmessage: ((ev: any) => any) | undefined | null;
  onopen: ((ev?: any) => any) | undefined | null;
  binaryType?: string;
  readonly readyState: number;
  close(): void;
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void;
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
export enum TickerStrategy {
  /** The page's timers (stompjs's default). */
  Interval = "interval",
  /** A Worker's timers: not slowed down in a background tab. */
  Worker = "worker",
}

/** The STOMP versions to offer. */
export class Versions {
  static readonly V1_0: string;
  static readonly V1_1: string;
  static readonly V1_2: string;
  /** 1.2, 1.1 and 1.0. */
  static readonly default: Versions;
  constructor(versions: string[]);
  free(): void;
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
  webSocketFactory?: () => IStompSocket;
  /** Versions to offer. Default `Versions.default`. */
  stompVersions?: Versions | string[];
  /** CONNECT headers: `login`, `passcode`, `host`… */
  connectHeaders?: StompHeaders;
  /** DISCONNECT headers. */
  disconnectHeaders?: StompHeaders;
  /** Give up an attempt not connected within this many ms (0: never). Default 0. */
  connectionTimeout?: number;
  /**
   * How long to wait for CONNECTED once the socket is open, ms, before closing it and trying
   * the next broker (a frozen broker accepts the socket and never answers); 0: no limit.
   * Default 5000.
   */
  connectedTimeout?: number;
  /** Wait before reconnecting, ms; 0 never reconnects. Default 5000. */
  reconnectDelay?: number;
  /** Cap of the exponential wait, ms (0: none). Default 900000. */
  maxReconnectDelay?: number;
  /** Default `ReconnectionTimeMode.LINEAR`. */
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
   * `maxWebSocketChunkSize` bytes (a larger frame goes alone). The broker must read several
   * frames from one message (RabbitMQ Web-STOMP does). Default false: one frame per message.
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
export class Client {
  constructor(conf?: StompConfig);
  free(): void;
  configure(conf: StompConfig): void;

  brokerURL: string | undefined;
  brokerURLs: string[];
  webSocketFactory: (() => IStompSocket) | undefined;
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

  debug: debugFnType | undefined;
  beforeConnect: ((client: Client) => void | Promise<void>) | undefined;
  onConnect: frameCallbackType | undefined;
  onDisconnect: frameCallbackType | undefined;
  onStompError: frameCallbackType | undefined;
  onUnhandledMessage: messageCallbackType | undefined;
  onUnhandledReceipt: frameCallbackType | undefined;
  onUnhandledFrame: frameCallbackType | undefined;
  onWebSocketClose: closeEventCallbackType | undefined;
  onWebSocketError: wsErrorCallbackType | undefined;
  onChangeState: ((state: ActivationState) => void) | undefined;
  onHeartbeatReceived: emptyCallbackType | undefined;
  onHeartbeatLost: emptyCallbackType | undefined;
  /** A reconnect attempt is scheduled in `delayMs` milliseconds (stompwire). */
  onReconnectScheduled: ((delayMs: number) => void) | undefined;

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
"#;
