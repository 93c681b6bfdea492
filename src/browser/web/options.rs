//! The client's options and callbacks: one table of property names, the values as JavaScript
//! set them, and how each is read when it is needed (a connection, an event).
//!
//! Every property of `StompConfig` is kept as the `JsValue` it was given, so a getter returns
//! what the setter stored and a callback is read at event time. Types are checked when a value
//! is set (a number where a number belongs, a function or nothing where a callback belongs);
//! values are interpreted when used.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::super::error;
use super::super::settings::{self, Connect, Reconnect};
use super::enums::{ReconnectionTimeMode, WORKER};
use super::headers;
use crate::frame::{Limits, Version};
use crate::reconnect::SupervisorConfig;
use crate::session::Config;

/// What a property holds, checked when it is set.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A number.
    Number,
    /// Anything; read as true or false.
    Flag,
    /// A string, or `undefined`/`null`.
    Text,
    /// A function, or `undefined`/`null`.
    Callback,
    /// Anything (an object, an array, a `Versions`).
    Value,
}

macro_rules! keys {
    ($($key:ident = $name:literal : $kind:ident,)*) => {
        /// A property of the client: an option or a callback.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Key {
            $(
                #[doc = $name]
                $key,
            )*
        }

        impl Key {
            /// Every property, in table order.
            pub(crate) const ALL: &[Key] = &[$(Key::$key,)*];

            /// The JavaScript property name.
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $(Key::$key => $name,)*
                }
            }

            const fn kind(self) -> Kind {
                match self {
                    $(Key::$key => Kind::$kind,)*
                }
            }
        }
    };
}

keys! {
    BrokerUrl = "brokerURL": Text,
    BrokerUrls = "brokerURLs": Value,
    WebSocketFactory = "webSocketFactory": Callback,
    StompVersions = "stompVersions": Value,
    ConnectHeaders = "connectHeaders": Value,
    DisconnectHeaders = "disconnectHeaders": Value,
    ConnectionTimeout = "connectionTimeout": Number,
    ReconnectDelay = "reconnectDelay": Number,
    MaxReconnectDelay = "maxReconnectDelay": Number,
    ReconnectTimeMode = "reconnectTimeMode": Number,
    MaxReconnectAttempts = "maxReconnectAttempts": Number,
    ReconnectJitter = "reconnectJitter": Number,
    HeartbeatIncoming = "heartbeatIncoming": Number,
    HeartbeatOutgoing = "heartbeatOutgoing": Number,
    HeartbeatToleranceMultiplier = "heartbeatToleranceMultiplier": Number,
    HeartbeatStrategy = "heartbeatStrategy": Text,
    SplitLargeFrames = "splitLargeFrames": Flag,
    MaxWebSocketChunkSize = "maxWebSocketChunkSize": Number,
    ForceBinaryWsFrames = "forceBinaryWSFrames": Flag,
    BatchFrames = "batchFrames": Flag,
    AppendMissingNullOnIncoming = "appendMissingNULLonIncoming": Flag,
    LogRawCommunication = "logRawCommunication": Flag,
    DiscardWebsocketOnCommFailure = "discardWebsocketOnCommFailure": Flag,
    ReplaySubscriptions = "replaySubscriptions": Flag,
    ResendUnreceipted = "resendUnreceipted": Flag,
    ReceiptTimeout = "receiptTimeout": Number,
    Limits = "limits": Value,
    Debug = "debug": Callback,
    BeforeConnect = "beforeConnect": Callback,
    OnConnect = "onConnect": Callback,
    OnDisconnect = "onDisconnect": Callback,
    OnStompError = "onStompError": Callback,
    OnUnhandledMessage = "onUnhandledMessage": Callback,
    OnUnhandledReceipt = "onUnhandledReceipt": Callback,
    OnUnhandledFrame = "onUnhandledFrame": Callback,
    OnWebSocketClose = "onWebSocketClose": Callback,
    OnWebSocketError = "onWebSocketError": Callback,
    OnChangeState = "onChangeState": Callback,
    OnHeartbeatReceived = "onHeartbeatReceived": Callback,
    OnHeartbeatLost = "onHeartbeatLost": Callback,
    OnReconnectScheduled = "onReconnectScheduled": Callback,
    ConnectedTimeout = "connectedTimeout": Number,
}

/// The default of a property (stompjs's where stompjs has the property).
fn default(key: Key) -> JsValue {
    let number = |n: f64| JsValue::from_f64(n);
    match key {
        Key::ConnectHeaders | Key::DisconnectHeaders | Key::Limits => Object::new().into(),
        Key::StompVersions => super::enums::Versions::default_versions().into(),
        Key::BrokerUrls => Array::new().into(),
        Key::ConnectionTimeout | Key::ReconnectJitter => number(0.0),
        Key::ReconnectDelay => number(5_000.0),
        Key::MaxReconnectDelay => number(900_000.0),
        Key::ReconnectTimeMode => number(ReconnectionTimeMode::LINEAR as u32 as f64),
        Key::MaxReconnectAttempts => number(-1.0),
        Key::HeartbeatIncoming | Key::HeartbeatOutgoing => number(10_000.0),
        Key::HeartbeatToleranceMultiplier => number(2.0),
        Key::HeartbeatStrategy => JsValue::from_str(super::enums::INTERVAL),
        Key::MaxWebSocketChunkSize => number(8.0 * 1024.0),
        Key::ReceiptTimeout => number(30_000.0),
        Key::ConnectedTimeout => number(
            SupervisorConfig::default()
                .connected_timeout_ms
                .unwrap_or(0) as f64,
        ),
        // stompjs's default is false; then a socket to a frozen broker (heart-beats stopped,
        // no FIN) is not reported closed until the browser gives up its close handshake,
        // about 60 s in Chromium, and failover waits that long.
        Key::DiscardWebsocketOnCommFailure => JsValue::TRUE,
        Key::SplitLargeFrames
        | Key::ForceBinaryWsFrames
        | Key::BatchFrames
        | Key::AppendMissingNullOnIncoming
        | Key::LogRawCommunication
        | Key::ReplaySubscriptions
        | Key::ResendUnreceipted => JsValue::FALSE,
        _ => JsValue::UNDEFINED,
    }
}

/// Where connections go.
pub(crate) enum Target {
    /// `webSocketFactory` makes every socket.
    Factory(Function),
    /// WebSocket URLs, tried in turn.
    Urls(Vec<String>),
}

/// The property values of one client.
pub(crate) struct Options {
    values: Vec<JsValue>,
}

impl Options {
    /// Every property at its default.
    pub(crate) fn new() -> Options {
        Options {
            values: Key::ALL.iter().map(|k| default(*k)).collect(),
        }
    }

    /// The value of `key`, as set.
    pub(crate) fn get(&self, key: Key) -> JsValue {
        self.values[key as usize].clone()
    }

    /// Sets `key` after checking the value's type; a wrong type is a `TypeError` naming the
    /// property.
    pub(crate) fn set(&mut self, key: Key, value: JsValue) -> Result<(), JsValue> {
        let absent = value.is_undefined() || value.is_null();
        let ok = match key.kind() {
            Kind::Number => value.as_f64().is_some(),
            Kind::Text => absent || value.is_string(),
            Kind::Callback => absent || value.is_function(),
            Kind::Flag | Kind::Value => true,
        };
        if !ok {
            let what = match key.kind() {
                Kind::Number => " must be a number",
                Kind::Text => " must be a string",
                _ => " must be a function",
            };
            return Err(error::type_error(&super::super::log::concat(&[
                key.name(),
                what,
            ])));
        }
        self.values[key as usize] = value;
        Ok(())
    }

    /// The callback `key`, when one is set.
    pub(crate) fn callback(&self, key: Key) -> Option<Function> {
        self.values[key as usize].dyn_ref::<Function>().cloned()
    }

    /// Whether `key` is set to a truthy value.
    pub(crate) fn flag(&self, key: Key) -> bool {
        self.values[key as usize].is_truthy()
    }

    /// The number `key`.
    pub(crate) fn number(&self, key: Key) -> f64 {
        self.values[key as usize].as_f64().unwrap_or(0.0)
    }

    /// The number `key` as whole milliseconds; negative or not a number is 0.
    pub(crate) fn ms(&self, key: Key) -> u64 {
        // `as` saturates and maps NaN to 0.
        self.number(key) as u64
    }

    /// Whether heart-beats are timed by a Worker.
    pub(crate) fn worker_ticker(&self) -> bool {
        self.values[Key::HeartbeatStrategy as usize]
            .as_string()
            .as_deref()
            == Some(WORKER)
    }

    /// Applies what the session reads at connect time.
    pub(crate) fn apply(&self, config: &mut Config) {
        Connect {
            versions: self.versions(),
            headers: headers::from_js(&self.get(Key::ConnectHeaders)),
            heartbeat_outgoing_ms: self.number(Key::HeartbeatOutgoing),
            heartbeat_incoming_ms: self.number(Key::HeartbeatIncoming),
            tolerance: self.number(Key::HeartbeatToleranceMultiplier),
            limits: self.limits(),
            replay_subscriptions: self.flag(Key::ReplaySubscriptions),
            resend_unreceipted: self.flag(Key::ResendUnreceipted),
        }
        .apply(config);
    }

    /// The versions of `stompVersions` (a `Versions`, an object with a `versions` array, or
    /// an array), most preferred first; unknown ones are left out; none means all three.
    pub(crate) fn versions(&self) -> Vec<Version> {
        let value = self.get(Key::StompVersions);
        let list = if Array::is_array(&value) {
            value
        } else {
            Reflect::get(&value, &JsValue::from_str("versions")).unwrap_or(JsValue::UNDEFINED)
        };
        let versions = match list.dyn_ref::<Array>() {
            Some(array) => super::enums::parse(array),
            None => Vec::new(),
        };
        Connect::offered(versions)
    }

    /// The codec limits: `limits`' fields over [`Limits::DEFAULT`].
    pub(crate) fn limits(&self) -> Limits {
        let object = self.get(Key::Limits);
        let read = |name: &str, default: usize| -> usize {
            let given = Reflect::get(&object, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_f64());
            settings::limit(given, default)
        };
        let d = Limits::DEFAULT;
        Limits {
            max_frame_size: read("maxFrameSize", d.max_frame_size),
            max_body_size: read("maxBodySize", d.max_body_size),
            max_headers: read("maxHeaders", d.max_headers),
            max_header_line: read("maxHeaderLine", d.max_header_line),
            max_command_len: read("maxCommandLength", d.max_command_len),
            trim_header_whitespace: Reflect::get(
                &object,
                &JsValue::from_str("trimHeaderWhitespace"),
            )
            .map(|v| v.is_truthy())
            .unwrap_or(false),
        }
    }

    /// Where to connect: the factory if set, else `brokerURLs` if not empty, else `brokerURL`.
    pub(crate) fn target(&self) -> Result<Target, JsValue> {
        if let Some(factory) = self.callback(Key::WebSocketFactory) {
            return Ok(Target::Factory(factory));
        }
        let list = self.get(Key::BrokerUrls);
        if let Some(array) = list.dyn_ref::<Array>() {
            let urls: Vec<String> = array.iter().filter_map(|v| v.as_string()).collect();
            if !urls.is_empty() {
                return Ok(Target::Urls(urls));
            }
        }
        let Some(url) = self.get(Key::BrokerUrl).as_string() else {
            return Err(error::plain(
                "Either brokerURL, brokerURLs or webSocketFactory must be provided",
            ));
        };
        Ok(Target::Urls(alloc::vec![url]))
    }

    /// The reconnect settings as they are now, for connecting to `target` (`None` while
    /// active, when the number of entries is not read): the policy's, the number of entries,
    /// `connectionTimeout` for the whole attempt and `connectedTimeout` from the socket's
    /// `open` to CONNECTED (0: no limit).
    pub(crate) fn reconnect(&self, target: Option<&Target>) -> Reconnect {
        Reconnect {
            delay_ms: self.number(Key::ReconnectDelay),
            exponential: self.number(Key::ReconnectTimeMode)
                == ReconnectionTimeMode::EXPONENTIAL as u32 as f64,
            max_delay_ms: self.number(Key::MaxReconnectDelay),
            jitter: self.number(Key::ReconnectJitter),
            max_attempts: self.number(Key::MaxReconnectAttempts),
            targets: match target {
                None | Some(Target::Factory(_)) => 1,
                Some(Target::Urls(urls)) => urls.len(),
            },
            connection_timeout_ms: self.number(Key::ConnectionTimeout),
            connected_timeout_ms: self.number(Key::ConnectedTimeout),
        }
    }
}

/// The known properties `conf` has, read in table order (stompjs's `configure`); reading
/// may run the caller's getters.
pub(crate) fn read_all(conf: &JsValue) -> Result<Vec<(Key, JsValue)>, JsValue> {
    let mut values = Vec::new();
    if !conf.is_object() {
        return Ok(values);
    }
    for key in Key::ALL {
        let name = JsValue::from_str(key.name());
        if Reflect::has(conf, &name)? {
            values.push((*key, Reflect::get(conf, &name)?));
        }
    }
    Ok(values)
}
