//! The `Client` class: stompjs's `Client` — its configuration properties, callbacks, getters
//! and methods — plus the promise forms, several brokers and the other additions.

use alloc::rc::Rc;
use alloc::string::String;

use core::sync::atomic::{AtomicBool, Ordering};

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::engine::Inner;
use super::enums::ActivationState;
use super::headers;
use super::options::Key;
use super::subscription::StompSubscription;
use super::transaction::Transaction;
use crate::frame::Command;

/// A STOMP client over WebSocket, with the properties, callbacks and methods of stompjs's
/// `Client`.
///
/// ```js
/// const client = new Client({ brokerURL: "ws://localhost:15674/ws" });
/// client.onConnect = (frame) => {
///   client.subscribe("/topic/news", (message) => console.log(message.body));
/// };
/// client.activate();
/// ```
#[wasm_bindgen(skip_typescript)]
pub struct Client {
    inner: Rc<Inner>,
}

impl Client {
    /// A second handle on the same client (what `beforeConnect` receives).
    pub(crate) fn from_inner(inner: Rc<Inner>) -> Client {
        Client { inner }
    }

    fn limit(&self, given: Option<f64>) -> u64 {
        match given {
            Some(ms) => ms as u64,
            None => self.inner.receipt_timeout(),
        }
    }
}

/// One getter/setter pair per property of `StompConfig`, for Rust callers. JavaScript reaches
/// the same properties through accessors that the first `new Client()` defines on
/// `Client.prototype` (`defineProperties` below): two exports and a few lines of JavaScript
/// instead of 78 exports and their glue.
macro_rules! properties {
    ($($js:ident => $key:ident, $get:ident, $set:ident;)*) => {
        impl Client {
            $(
                #[doc = concat!("The `", stringify!($js), "` property (see `StompConfig`).")]
                pub fn $get(&self) -> JsValue {
                    self.inner.option(Key::$key)
                }

                #[doc = concat!("Sets `", stringify!($js), "`; a value of the wrong type is a `TypeError`.")]
                pub fn $set(&self, value: JsValue) -> Result<(), JsValue> {
                    self.inner.set_option(Key::$key, value)
                }
            )*
        }
    };
}

properties! {
    brokerURL => BrokerUrl, broker_url, set_broker_url;
    brokerURLs => BrokerUrls, broker_urls, set_broker_urls;
    webSocketFactory => WebSocketFactory, web_socket_factory, set_web_socket_factory;
    stompVersions => StompVersions, stomp_versions, set_stomp_versions;
    connectHeaders => ConnectHeaders, connect_headers, set_connect_headers;
    disconnectHeaders => DisconnectHeaders, disconnect_headers, set_disconnect_headers;
    connectionTimeout => ConnectionTimeout, connection_timeout, set_connection_timeout;
    reconnectDelay => ReconnectDelay, reconnect_delay, set_reconnect_delay;
    maxReconnectDelay => MaxReconnectDelay, max_reconnect_delay, set_max_reconnect_delay;
    reconnectTimeMode => ReconnectTimeMode, reconnect_time_mode, set_reconnect_time_mode;
    maxReconnectAttempts => MaxReconnectAttempts, max_reconnect_attempts, set_max_reconnect_attempts;
    reconnectJitter => ReconnectJitter, reconnect_jitter, set_reconnect_jitter;
    heartbeatIncoming => HeartbeatIncoming, heartbeat_incoming, set_heartbeat_incoming;
    heartbeatOutgoing => HeartbeatOutgoing, heartbeat_outgoing, set_heartbeat_outgoing;
    heartbeatToleranceMultiplier => HeartbeatToleranceMultiplier, heartbeat_tolerance_multiplier, set_heartbeat_tolerance_multiplier;
    heartbeatStrategy => HeartbeatStrategy, heartbeat_strategy, set_heartbeat_strategy;
    splitLargeFrames => SplitLargeFrames, split_large_frames, set_split_large_frames;
    maxWebSocketChunkSize => MaxWebSocketChunkSize, max_web_socket_chunk_size, set_max_web_socket_chunk_size;
    forceBinaryWSFrames => ForceBinaryWsFrames, force_binary_ws_frames, set_force_binary_ws_frames;
    batchFrames => BatchFrames, batch_frames, set_batch_frames;
    appendMissingNULLonIncoming => AppendMissingNullOnIncoming, append_missing_null_on_incoming, set_append_missing_null_on_incoming;
    logRawCommunication => LogRawCommunication, log_raw_communication, set_log_raw_communication;
    discardWebsocketOnCommFailure => DiscardWebsocketOnCommFailure, discard_websocket_on_comm_failure, set_discard_websocket_on_comm_failure;
    replaySubscriptions => ReplaySubscriptions, replay_subscriptions, set_replay_subscriptions;
    resendUnreceipted => ResendUnreceipted, resend_unreceipted, set_resend_unreceipted;
    receiptTimeout => ReceiptTimeout, receipt_timeout, set_receipt_timeout;
    limits => Limits, limits, set_limits;
    debug => Debug, debug, set_debug;
    beforeConnect => BeforeConnect, before_connect, set_before_connect;
    onConnect => OnConnect, on_connect, set_on_connect;
    onDisconnect => OnDisconnect, on_disconnect, set_on_disconnect;
    onStompError => OnStompError, on_stomp_error, set_on_stomp_error;
    onUnhandledMessage => OnUnhandledMessage, on_unhandled_message, set_on_unhandled_message;
    onUnhandledReceipt => OnUnhandledReceipt, on_unhandled_receipt, set_on_unhandled_receipt;
    onUnhandledFrame => OnUnhandledFrame, on_unhandled_frame, set_on_unhandled_frame;
    onWebSocketClose => OnWebSocketClose, on_web_socket_close, set_on_web_socket_close;
    onWebSocketError => OnWebSocketError, on_web_socket_error, set_on_web_socket_error;
    onChangeState => OnChangeState, on_change_state, set_on_change_state;
    onHeartbeatReceived => OnHeartbeatReceived, on_heartbeat_received, set_on_heartbeat_received;
    onHeartbeatLost => OnHeartbeatLost, on_heartbeat_lost, set_on_heartbeat_lost;
    onReconnectScheduled => OnReconnectScheduled, on_reconnect_scheduled, set_on_reconnect_scheduled;
}

#[wasm_bindgen(inline_js = "export function defineProperties(client, names) {
  const proto = Object.getPrototypeOf(client);
  names.forEach((name, i) => Object.defineProperty(proto, name, {
    get() { return this.__option(i); },
    set(value) { this.__setOption(i, value); },
    configurable: true,
  }));
  client.free();
}")]
extern "C" {
    /// Defines on the prototype of `client` a getter/setter pair per name, which call
    /// `__option(i)` and `__setOption(i, value)` with the name's index, then frees `client`.
    #[wasm_bindgen(js_name = defineProperties)]
    fn define_properties(client: JsValue, names: &Array);
}

/// Whether `Client.prototype` has its properties (single-threaded: a plain flag).
static PROPERTIES_DEFINED: AtomicBool = AtomicBool::new(false);

#[wasm_bindgen]
impl Client {
    /// A client configured by `conf` (any `StompConfig` properties; all optional).
    #[wasm_bindgen(constructor)]
    pub fn new(conf: JsValue) -> Result<Client, JsValue> {
        let client = Client {
            inner: Inner::new(),
        };
        if !PROPERTIES_DEFINED.swap(true, Ordering::Relaxed) {
            // The first client: a second handle on it gives the prototype.
            let names: Array = Key::ALL
                .iter()
                .map(|key| JsValue::from_str(key.name()))
                .collect();
            define_properties(Client::from_inner(client.inner.clone()).into(), &names);
        }
        client.inner.configure(&conf)?;
        Ok(client)
    }

    /// The value of the property with index `key` in the table of `StompConfig` properties:
    /// what its getter returns.
    #[wasm_bindgen(js_name = __option)]
    pub fn option_at(&self, key: u32) -> JsValue {
        match Key::ALL.get(key as usize) {
            Some(key) => self.inner.option(*key),
            None => JsValue::UNDEFINED,
        }
    }

    /// Sets the property with index `key`, as its setter does; a value of the wrong type is
    /// a `TypeError`.
    #[wasm_bindgen(js_name = __setOption)]
    pub fn set_option_at(&self, key: u32, value: JsValue) -> Result<(), JsValue> {
        match Key::ALL.get(key as usize) {
            Some(key) => self.inner.set_option(*key, value),
            None => Ok(()),
        }
    }

    /// Sets every `StompConfig` property `conf` has.
    pub fn configure(&self, conf: JsValue) -> Result<(), JsValue> {
        self.inner.configure(&conf)
    }

    /// The WebSocket in use, or `undefined`.
    #[wasm_bindgen(getter = webSocket)]
    pub fn web_socket(&self) -> JsValue {
        self.inner
            .web_socket()
            .map_or(JsValue::UNDEFINED, JsValue::from)
    }

    /// Whether the STOMP session is open.
    #[wasm_bindgen(getter)]
    pub fn connected(&self) -> bool {
        self.inner.connected()
    }

    /// The negotiated STOMP version while connected, else `undefined`.
    #[wasm_bindgen(getter = connectedVersion)]
    pub fn connected_version(&self) -> Option<String> {
        self.inner.connected_version()
    }

    /// Whether the client is `ACTIVE` (connected, connecting or waiting to reconnect).
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        self.inner.activation() == ActivationState::ACTIVE
    }

    /// The activation state.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> ActivationState {
        self.inner.activation()
    }

    /// Connects, and reconnects whenever the connection is lost, as the reconnect options
    /// say. Throws when no broker is configured. While deactivating, activates once that is
    /// done.
    pub fn activate(&self) -> Result<(), JsValue> {
        self.inner.activate()
    }

    /// Disconnects (DISCONNECT with a receipt, then the socket closes) and stops
    /// reconnecting; `{ force: true }` drops the socket at once. The promise resolves when the
    /// socket has closed.
    pub fn deactivate(&self, options: JsValue) -> Promise {
        let force = Reflect::get(&options, &JsValue::from_str("force"))
            .map(|f| f.is_truthy())
            .unwrap_or(false);
        self.inner.deactivate(force)
    }

    /// Closes the socket without DISCONNECT; the client reconnects if it is active.
    #[wasm_bindgen(js_name = forceDisconnect)]
    pub fn force_disconnect(&self) {
        self.inner.force_disconnect()
    }

    /// Sends a message: `{ destination, headers, body, binaryBody, skipContentLengthHeader }`.
    /// Throws a `TypeError` when there is no connection.
    pub fn publish(&self, params: JsValue) -> Result<(), JsValue> {
        self.inner.publish(&params, None).map(|_| ())
    }

    /// Sends a message and resolves with the broker's RECEIPT for it; rejects with a
    /// `TimeoutError` after `timeoutMs` (default `receiptTimeout`; 0 waits for ever), a
    /// `StompError` when the broker answers with ERROR, a `ConnectionClosedError` when the
    /// connection ends first. A `receipt` header is added unless `headers` has one.
    #[wasm_bindgen(js_name = publishWithReceipt)]
    pub fn publish_with_receipt(
        &self,
        params: JsValue,
        timeout_ms: Option<f64>,
    ) -> Result<Promise, JsValue> {
        let limit = self.limit(timeout_ms);
        let promise = self.inner.publish(&params, Some(limit))?;
        Ok(promise.unwrap_or_else(|| Promise::resolve(&JsValue::UNDEFINED)))
    }

    /// Calls `callback` with the RECEIPT whose `receipt-id` is `receiptId`.
    #[wasm_bindgen(js_name = watchForReceipt)]
    pub fn watch_for_receipt(&self, receipt_id: String, callback: Function) -> Result<(), JsValue> {
        self.inner.watch_for_receipt(receipt_id, callback)
    }

    /// Resolves with the RECEIPT whose `receipt-id` is `receiptId` (for a frame sent with
    /// that `receipt` header); rejects as `publishWithReceipt` does.
    #[wasm_bindgen(js_name = waitForReceipt)]
    pub fn wait_for_receipt(&self, receipt_id: String, timeout_ms: Option<f64>) -> Promise {
        let limit = self.limit(timeout_ms);
        self.inner.wait_for_receipt(receipt_id, limit)
    }

    /// Resolves with the CONNECTED frame: at once when connected, else at the next
    /// connection. Rejects with a `TimeoutError` after `timeoutMs` (0 or none: no limit), a
    /// `StompError` when the broker refuses the connection, a `GaveUpError` when the
    /// reconnect attempts run out, a `DeactivatedError` when the client is deactivated.
    #[wasm_bindgen(js_name = whenConnected)]
    pub fn when_connected(&self, timeout_ms: Option<f64>) -> Promise {
        self.inner
            .when_connected(timeout_ms.map_or(0, |ms| ms as u64))
    }

    /// Subscribes to `destination`; `callback` receives each message. `headers` may set `id`
    /// (else one is made) and `ack` (`auto`, `client`, `client-individual`).
    pub fn subscribe(
        &self,
        destination: String,
        callback: Function,
        headers: JsValue,
    ) -> Result<StompSubscription, JsValue> {
        self.inner
            .subscribe(&destination, callback, &headers, None)
            .map(|(subscription, _)| subscription)
    }

    /// Subscribes and resolves with the subscription once the broker's RECEIPT for the
    /// SUBSCRIBE comes (messages may arrive before); rejects as `publishWithReceipt` does.
    #[wasm_bindgen(js_name = subscribeWithReceipt)]
    pub fn subscribe_with_receipt(
        &self,
        destination: String,
        callback: Function,
        headers: JsValue,
        timeout_ms: Option<f64>,
    ) -> Result<Promise, JsValue> {
        let limit = self.limit(timeout_ms);
        let (subscription, promise) =
            self.inner
                .subscribe(&destination, callback, &headers, Some(limit))?;
        let subscription: JsValue = subscription.into();
        Ok(promise.unwrap_or_else(|| Promise::resolve(&subscription)))
    }

    /// Ends the subscription `id`.
    pub fn unsubscribe(&self, id: String, headers: JsValue) -> Result<(), JsValue> {
        self.inner.unsubscribe(&id, headers::from_js(&headers))
    }

    /// Begins a transaction (`transactionId`, or a generated one).
    pub fn begin(&self, transaction_id: Option<String>) -> Result<Transaction, JsValue> {
        self.inner.begin(transaction_id)
    }

    /// Commits the transaction `transactionId`.
    pub fn commit(&self, transaction_id: String) -> Result<(), JsValue> {
        self.inner.end_transaction(Command::Commit, &transaction_id)
    }

    /// Aborts the transaction `transactionId`.
    pub fn abort(&self, transaction_id: String) -> Result<(), JsValue> {
        self.inner.end_transaction(Command::Abort, &transaction_id)
    }

    /// Acknowledges message `messageId` (its `ack` header in STOMP 1.2, `message-id`
    /// before) of subscription `subscriptionId`.
    pub fn ack(
        &self,
        message_id: String,
        subscription_id: String,
        headers: JsValue,
    ) -> Result<(), JsValue> {
        self.inner.acknowledge(
            Command::Ack,
            &message_id,
            Some(&subscription_id),
            headers::from_js(&headers),
        )
    }

    /// Refuses message `messageId` of subscription `subscriptionId` (NACK, STOMP 1.1+).
    pub fn nack(
        &self,
        message_id: String,
        subscription_id: String,
        headers: JsValue,
    ) -> Result<(), JsValue> {
        self.inner.acknowledge(
            Command::Nack,
            &message_id,
            Some(&subscription_id),
            headers::from_js(&headers),
        )
    }
}
