//! The browser client against RabbitMQ Web-STOMP, in headless Chromium (wasm-bindgen-test).
//!
//! Needs the broker at `ws://127.0.0.1:15674/ws` (guest/guest, vhost `/`,
//! `web_stomp.ws_frame = binary`) and, for the reconnect tests, the control server of
//! `scripts/test-control.py` at `http://127.0.0.1:15699`. Every wait is bounded: a test that
//! waits in vain fails with what it was waiting for.
//!
//! Run with `cargo test --target wasm32-unknown-unknown --test browser` (runner
//! `wasm-bindgen-test-runner`; the whole suite takes about a minute, so raise
//! `WASM_BINDGEN_TEST_TIMEOUT` above its default of 20 s).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use stompwire::browser::{ActivationState, Client, Versions};
use stompwire::frame::{DecodeError, Limit};
use stompwire::session::SessionError;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const BROKER: &str = "ws://127.0.0.1:15674/ws";
/// A port nothing listens on: connections to it fail at once.
const DEAD_BROKER: &str = "ws://127.0.0.1:9/ws";
const CONTROL: &str = "http://127.0.0.1:15699";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = fetch)]
    fn fetch(url: &str) -> Promise;
}

// ----- helpers ---------------------------------------------------------------------------------

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn headers(pairs: &[(&str, &str)]) -> JsValue {
    let pairs: Vec<(&str, JsValue)> = pairs
        .iter()
        .map(|(k, v)| (*k, JsValue::from_str(v)))
        .collect();
    object(&pairs)
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn text(value: &JsValue, key: &str) -> String {
    get(value, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

fn header(frame: &JsValue, name: &str) -> Option<String> {
    get(&get(frame, "headers"), name).as_string()
}

fn num(n: f64) -> JsValue {
    JsValue::from_f64(n)
}

fn unique(prefix: &str) -> String {
    let n = (js_sys::Math::random() * 1e12) as u64;
    format!("/queue/stompwire-{prefix}-{n}")
}

async fn sleep(ms: u32) {
    let promise = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, f64::from(ms));
    });
    JsFuture::from(promise).await.unwrap();
}

/// Settles with `promise`, or panics after `ms` naming `what`.
async fn within(promise: Promise, ms: u32, what: &str) -> Result<JsValue, JsValue> {
    let marker = JsValue::from_str("__stompwire_test_timeout__");
    let timeout = {
        let marker = marker.clone();
        Promise::new(&mut |resolve, _| {
            let resolve: Function = resolve;
            let marker = marker.clone();
            let fire = Closure::once_into_js(move || {
                resolve.call1(&JsValue::UNDEFINED, &marker).unwrap();
            });
            set_timeout(&fire, f64::from(ms));
        })
    };
    let race = Promise::race(&Array::of2(&promise, &timeout));
    let result = JsFuture::from(race).await;
    if matches!(&result, Ok(v) if *v == marker) {
        panic!("timed out after {ms} ms waiting for {what}");
    }
    result
}

/// What callbacks were called with, in order, awaited with a bound.
#[derive(Clone, Default)]
struct Inbox {
    items: Rc<RefCell<VecDeque<JsValue>>>,
    waker: Rc<RefCell<Option<Function>>>,
}

impl Inbox {
    fn new() -> Inbox {
        Inbox::default()
    }

    /// A function that records its first argument (or `undefined`).
    fn callback(&self) -> JsValue {
        let inbox = self.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |value: JsValue| {
            inbox.items.borrow_mut().push_back(value);
            if let Some(wake) = inbox.waker.borrow_mut().take() {
                wake.call0(&JsValue::UNDEFINED).unwrap();
            }
        })
        .into_js_value()
    }

    fn len(&self) -> usize {
        self.items.borrow().len()
    }

    fn all(&self) -> Vec<JsValue> {
        self.items.borrow().iter().cloned().collect()
    }

    /// The next value, waiting up to `ms`.
    async fn next(&self, ms: u32, what: &str) -> JsValue {
        if let Some(v) = self.items.borrow_mut().pop_front() {
            return v;
        }
        let arrived = Promise::new(&mut |resolve, _| {
            *self.waker.borrow_mut() = Some(resolve);
        });
        within(arrived, ms, what).await.unwrap();
        self.items
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| panic!("woken without {what}"))
    }

    /// Asserts that nothing arrives for `ms`.
    async fn nothing_for(&self, ms: u32, what: &str) {
        sleep(ms).await;
        assert!(
            self.items.borrow().is_empty(),
            "unexpected {what}: {:?}",
            self.all()
        );
    }
}

/// Errors thrown by event handlers (uncaught in the page) and unhandled promise rejections,
/// from now on.
fn page_errors() -> Inbox {
    let errors = Inbox::new();
    let global = js_sys::global();
    let add: Function = get(&global, "addEventListener").unchecked_into();
    for event in ["error", "unhandledrejection"] {
        add.call2(&global, &JsValue::from_str(event), &errors.callback())
            .unwrap();
    }
    errors
}

/// A configuration for the test broker, plus `extra`.
fn config(extra: &[(&str, JsValue)]) -> JsValue {
    let conf = object(&[
        ("brokerURL", JsValue::from_str(BROKER)),
        (
            "connectHeaders",
            headers(&[("login", "guest"), ("passcode", "guest"), ("host", "/")]),
        ),
        ("reconnectDelay", num(0.0)),
        ("heartbeatIncoming", num(0.0)),
        ("heartbeatOutgoing", num(0.0)),
    ]);
    for (k, v) in extra {
        Reflect::set(&conf, &JsValue::from_str(k), v).unwrap();
    }
    conf
}

/// A client of `config(extra)`, activated and connected.
async fn connected(extra: &[(&str, JsValue)]) -> Client {
    let client = Client::new(config(extra)).unwrap();
    client.activate().unwrap();
    let frame = within(client.when_connected(None), 10_000, "CONNECTED")
        .await
        .expect("connection refused");
    assert_eq!(text(&frame, "command"), "CONNECTED");
    client
}

async fn deactivate(client: &Client) {
    within(
        client.deactivate(JsValue::UNDEFINED),
        10_000,
        "deactivation",
    )
    .await
    .unwrap();
}

fn publish_text(client: &Client, destination: &str, body: &str, extra: &[(&str, &str)]) {
    client
        .publish(object(&[
            ("destination", JsValue::from_str(destination)),
            ("body", JsValue::from_str(body)),
            ("headers", headers(extra)),
        ]))
        .unwrap();
}

fn subscribe(client: &Client, destination: &str, inbox: &Inbox, extra: &[(&str, &str)]) -> String {
    client
        .subscribe(
            destination.to_string(),
            inbox.callback().unchecked_into(),
            headers(extra),
        )
        .unwrap()
        .id()
}

/// Calls `/path` of the control server; a server that cannot be reached fails the test.
async fn control(path: &str) {
    let url = format!("{CONTROL}{path}");
    let response = match within(fetch(&url), 60_000, &url).await {
        Ok(r) => r,
        Err(e) => panic!(
            "the test control server is not reachable at {CONTROL} ({e:?}); \
             start it with `python3 scripts/test-control.py`"
        ),
    };
    assert!(
        get(&response, "ok").is_truthy(),
        "{url} answered {:?}",
        get(&response, "status")
    );
}

// ----- connecting ------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn connects_and_deactivates() {
    let states = Inbox::new();
    let disconnects = Inbox::new();
    let closes = Inbox::new();
    let client = Client::new(config(&[
        ("onChangeState", states.callback()),
        ("onDisconnect", disconnects.callback()),
        ("onWebSocketClose", closes.callback()),
    ]))
    .unwrap();
    assert_eq!(client.state(), ActivationState::INACTIVE);
    client.activate().unwrap();
    assert!(client.active());
    let frame = within(client.when_connected(Some(10_000.0)), 10_000, "CONNECTED")
        .await
        .unwrap();
    assert_eq!(header(&frame, "version").as_deref(), Some("1.2"));
    assert!(client.connected());
    assert_eq!(client.connected_version().as_deref(), Some("1.2"));
    assert!(client.web_socket().is_object());

    deactivate(&client).await;
    closes.next(1_000, "onWebSocketClose").await;
    // RabbitMQ 3.10's Web-STOMP closes the socket on DISCONNECT without sending the RECEIPT
    // asked for, so onDisconnect is not called here (see the scripted broker test below).
    assert_eq!(
        disconnects.len(),
        0,
        "RabbitMQ Web-STOMP now sends the DISCONNECT receipt"
    );
    assert!(!client.connected());
    assert_eq!(client.connected_version(), None);
    assert_eq!(client.state(), ActivationState::INACTIVE);
    assert!(client.web_socket().is_undefined());
    let states: Vec<f64> = states.all().iter().map(|s| s.as_f64().unwrap()).collect();
    assert_eq!(
        states,
        [
            ActivationState::ACTIVE as u32 as f64,
            ActivationState::DEACTIVATING as u32 as f64,
            ActivationState::INACTIVE as u32 as f64
        ]
    );
}

/// A `webSocketFactory` whose sockets play a broker that answers CONNECT and, unlike RabbitMQ's
/// Web-STOMP, DISCONNECT's receipt.
fn scripted_broker() -> JsValue {
    Function::new_no_args(
        r#"return () => {
            const ws = { readyState: 0, url: "scripted", binaryType: "blob",
                send(data) {
                    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
                    if (text.startsWith("CONNECT")) reply("CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0");
                    const receipt = /^DISCONNECT\n(?:[^\n]*\n)*?receipt:([^\n]*)\n/.exec(text);
                    if (receipt) reply("RECEIPT\nreceipt-id:" + receipt[1] + "\n\n\0");
                },
                close() {
                    if (this.readyState === 3) return;
                    this.readyState = 3;
                    setTimeout(() => this.onclose && this.onclose({ code: 1000, wasClean: true }), 0);
                } };
            function reply(text) { setTimeout(() => ws.onmessage && ws.onmessage({ data: text }), 0); }
            setTimeout(() => { ws.readyState = 1; ws.onopen && ws.onopen({}); }, 0);
            return ws;
        };"#,
    )
    .call0(&JsValue::UNDEFINED)
    .unwrap()
}

#[wasm_bindgen_test]
async fn on_disconnect_receives_the_disconnect_receipt() {
    let disconnects = Inbox::new();
    let closes = Inbox::new();
    let unhandled = Inbox::new();
    let client = Client::new(config(&[
        ("webSocketFactory", scripted_broker()),
        ("disconnectHeaders", headers(&[("receipt", "bye-1")])),
        ("onDisconnect", disconnects.callback()),
        ("onUnhandledReceipt", unhandled.callback()),
        ("onWebSocketClose", closes.callback()),
    ]))
    .unwrap();
    client.activate().unwrap();
    within(client.when_connected(None), 5_000, "CONNECTED")
        .await
        .unwrap();
    deactivate(&client).await;
    let receipt = disconnects.next(1_000, "onDisconnect").await;
    assert_eq!(text(&receipt, "command"), "RECEIPT");
    assert_eq!(header(&receipt, "receipt-id").as_deref(), Some("bye-1"));
    closes.next(1_000, "onWebSocketClose").await;
    assert_eq!(client.state(), ActivationState::INACTIVE);
    assert_eq!(disconnects.len(), 0, "onDisconnect was called twice");
    assert_eq!(
        unhandled.len(),
        0,
        "the DISCONNECT receipt went to onUnhandledReceipt"
    );
}

#[wasm_bindgen_test]
async fn methods_that_need_a_connection_throw_type_error() {
    let client = Client::new(config(&[])).unwrap();
    let is_type_error = |e: JsValue| e.is_instance_of::<js_sys::TypeError>();
    let publish = client.publish(object(&[("destination", JsValue::from_str("/queue/x"))]));
    assert!(is_type_error(publish.unwrap_err()));
    let sub = client.subscribe(
        "/queue/x".into(),
        Function::new_no_args(""),
        JsValue::UNDEFINED,
    );
    assert!(is_type_error(sub.err().unwrap()));
    assert!(is_type_error(client.begin(None).err().unwrap()));
    assert!(is_type_error(client.commit("tx".into()).unwrap_err()));
    assert!(is_type_error(
        client
            .ack("1".into(), "sub".into(), JsValue::UNDEFINED)
            .unwrap_err()
    ));
    assert!(is_type_error(
        client
            .watch_for_receipt("r".into(), Function::new_no_args(""))
            .unwrap_err()
    ));
    // Deactivating an inactive client resolves at once.
    within(client.deactivate(JsValue::UNDEFINED), 1_000, "deactivate")
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn activate_without_a_broker_throws() {
    let client = Client::new(object(&[])).unwrap();
    assert!(client.activate().is_err());
    assert_eq!(client.state(), ActivationState::INACTIVE);
}

#[wasm_bindgen_test]
async fn bad_credentials_reach_on_stomp_error() {
    let errors = Inbox::new();
    let client = Client::new(config(&[
        (
            "connectHeaders",
            headers(&[("login", "guest"), ("passcode", "wrong"), ("host", "/")]),
        ),
        ("onStompError", errors.callback()),
    ]))
    .unwrap();
    client.activate().unwrap();
    let refused = within(client.when_connected(None), 10_000, "refusal").await;
    let error = refused.expect_err("connected with a wrong passcode");
    assert_eq!(text(&error, "name"), "StompError");
    let frame = errors.next(1_000, "onStompError").await;
    assert_eq!(text(&frame, "command"), "ERROR");
    assert!(header(&frame, "message").is_some());
    assert_eq!(text(&get(&error, "frame"), "command"), "ERROR");
    assert!(!client.connected());
    deactivate(&client).await;
}

#[wasm_bindgen_test]
async fn callbacks_are_read_when_they_are_called() {
    let first = Inbox::new();
    let second = Inbox::new();
    let client = Client::new(config(&[("onConnect", first.callback())])).unwrap();
    client.set_on_connect(second.callback()).unwrap();
    client.activate().unwrap();
    second.next(10_000, "the reassigned onConnect").await;
    assert_eq!(first.len(), 0);
    // A property of the wrong type is refused.
    assert!(
        client
            .set_reconnect_delay(JsValue::from_str("soon"))
            .is_err()
    );
    assert!(client.set_on_connect(num(1.0)).is_err());
    deactivate(&client).await;
}

#[wasm_bindgen_test]
async fn before_connect_may_be_async_and_change_options() {
    let connects = Inbox::new();
    let client = Client::new(config(&[
        ("brokerURL", JsValue::from_str(DEAD_BROKER)),
        ("onConnect", connects.callback()),
    ]))
    .unwrap();
    let before = Closure::<dyn FnMut(JsValue) -> Promise>::new(|client: JsValue| {
        // Point the client at the live broker, after a pause.
        Promise::new(&mut |resolve, _| {
            Reflect::set(
                &client,
                &JsValue::from_str("brokerURL"),
                &JsValue::from_str(BROKER),
            )
            .unwrap();
            set_timeout(&resolve, 50.0);
        })
    })
    .into_js_value();
    client.set_before_connect(before).unwrap();
    client.activate().unwrap();
    connects.next(10_000, "onConnect after beforeConnect").await;
    deactivate(&client).await;
}

// ----- messages --------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn text_messages_round_trip() {
    let client = connected(&[]).await;
    let queue = unique("text");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[]);
    publish_text(
        &client,
        &queue,
        "héllo wörld",
        &[("content-type", "text/plain"), ("x-n", "1")],
    );
    let message = inbox.next(5_000, "the message").await;
    assert_eq!(text(&message, "command"), "MESSAGE");
    assert_eq!(text(&message, "body"), "héllo wörld");
    assert_eq!(
        header(&message, "destination").as_deref(),
        Some(queue.as_str())
    );
    assert_eq!(header(&message, "x-n").as_deref(), Some("1"));
    assert_eq!(
        header(&message, "content-type").as_deref(),
        Some("text/plain")
    );
    assert!(get(&message, "isBinaryBody").is_truthy());
    deactivate(&client).await;
}

#[wasm_bindgen_test]
async fn binary_messages_with_nul_bytes_round_trip() {
    for force_binary in [false, true] {
        let client = connected(&[("forceBinaryWSFrames", JsValue::from_bool(force_binary))]).await;
        let queue = unique("binary");
        let inbox = Inbox::new();
        subscribe(&client, &queue, &inbox, &[]);
        let bytes: Vec<u8> = vec![0, 1, 2, 0, 255, 254, 0, b'\n', 0];
        client
            .publish(object(&[
                ("destination", JsValue::from_str(&queue)),
                ("binaryBody", Uint8Array::from(bytes.as_slice()).into()),
                (
                    "headers",
                    headers(&[("content-type", "application/octet-stream")]),
                ),
            ]))
            .unwrap();
        let message = inbox.next(5_000, "the binary message").await;
        let body: Uint8Array = get(&message, "binaryBody").unchecked_into();
        assert_eq!(body.to_vec(), bytes, "forceBinaryWSFrames = {force_binary}");
        // The same object on every access: built once.
        assert!(Object::is(&get(&message, "binaryBody"), &body));
        deactivate(&client).await;
    }
}

#[wasm_bindgen_test]
async fn large_frames_can_be_split_into_chunks() {
    let client = connected(&[
        ("splitLargeFrames", JsValue::TRUE),
        ("maxWebSocketChunkSize", num(100.0)),
    ])
    .await;
    let queue = unique("split");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[]);
    let body: String = "0123456789ä".repeat(200);
    publish_text(&client, &queue, &body, &[]);
    let message = inbox.next(5_000, "the split message").await;
    assert_eq!(text(&message, "body"), body);
    deactivate(&client).await;
}

/// A `webSocketFactory` opening real sockets to the test broker whose `send` calls are counted
/// in `counter.n`.
fn counting_factory(counter: &Object) -> JsValue {
    let maker = Function::new_with_args(
        "url, counter",
        "return () => { const ws = new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp']); \
         const send = ws.send.bind(ws); \
         ws.send = (data) => { counter.n += 1; return send(data); }; return ws; };",
    );
    maker
        .call2(&JsValue::UNDEFINED, &JsValue::from_str(BROKER), counter)
        .unwrap()
}

#[wasm_bindgen_test]
async fn batched_frames_of_one_turn_share_websocket_messages_in_order() {
    // 60 small frames and one larger than the chunk, published in one turn: with batchFrames
    // the small ones go several to a message of at most maxWebSocketChunkSize bytes, the large
    // one alone, all delivered in order by RabbitMQ; without it, one message per frame.
    for batch in [true, false] {
        let counter = Object::new();
        Reflect::set(&counter, &JsValue::from_str("n"), &num(0.0)).unwrap();
        let client = connected(&[
            ("webSocketFactory", counting_factory(&counter)),
            ("batchFrames", JsValue::from_bool(batch)),
            ("maxWebSocketChunkSize", num(2_000.0)),
        ])
        .await;
        let queue = unique("batch");
        let inbox = Inbox::new();
        subscribe(&client, &queue, &inbox, &[]);
        sleep(100).await;
        let before = get(&counter, "n").as_f64().unwrap();
        let large = "L".repeat(3_000);
        let bodies: Vec<String> = (0..61)
            .map(|i| {
                if i == 30 {
                    large.clone()
                } else {
                    format!("m{i}")
                }
            })
            .collect();
        for body in &bodies {
            publish_text(&client, &queue, body, &[]);
        }
        for body in &bodies {
            let message = inbox.next(10_000, "a batched message").await;
            assert_eq!(&text(&message, "body"), body, "batchFrames = {batch}");
        }
        let sends = get(&counter, "n").as_f64().unwrap() - before;
        if batch {
            // 60 frames of about 60 bytes: two messages on either side of the large frame.
            assert!(
                (3.0..=6.0).contains(&sends),
                "{sends} messages for 61 batched frames"
            );
        } else {
            assert_eq!(sends, 61.0, "one message per frame without batchFrames");
        }
        deactivate(&client).await;
    }
}

#[wasm_bindgen_test]
async fn unsubscribe_stops_delivery_and_strays_go_to_on_unhandled_message() {
    let client = connected(&[]).await;
    let queue = unique("unsub");
    let inbox = Inbox::new();
    let handle = client
        .subscribe(
            queue.clone(),
            inbox.callback().unchecked_into(),
            JsValue::UNDEFINED,
        )
        .unwrap();
    publish_text(&client, &queue, "one", &[]);
    inbox.next(5_000, "the first message").await;
    handle.unsubscribe(JsValue::UNDEFINED).unwrap();
    publish_text(&client, &queue, "two", &[]);
    inbox.nothing_for(500, "message after unsubscribe").await;
    deactivate(&client).await;

    // A message for a subscription the client never made: a reply on a RabbitMQ temporary
    // queue arrives with the `/temp-queue/…` name as its subscription.
    let unhandled = Inbox::new();
    let client = connected(&[("onUnhandledMessage", unhandled.callback())]).await;
    let queue = unique("rpc");
    let requests = Inbox::new();
    subscribe(&client, &queue, &requests, &[]);
    publish_text(
        &client,
        &queue,
        "ping",
        &[("reply-to", "/temp-queue/replies")],
    );
    let request = requests.next(5_000, "the request").await;
    let reply_to = header(&request, "reply-to").expect("no reply-to");
    publish_text(&client, &reply_to, "pong", &[]);
    let reply = unhandled
        .next(5_000, "the reply in onUnhandledMessage")
        .await;
    assert_eq!(text(&reply, "body"), "pong");
    deactivate(&client).await;
}

// ----- acknowledgements ------------------------------------------------------------------------

/// Acknowledges `message` with its own `ack()` (or `nack()`).
fn ack(message: &JsValue, method: &str) {
    get(message, method)
        .unchecked_into::<Function>()
        .call1(message, &JsValue::UNDEFINED)
        .unwrap();
}

/// The bodies left in `queue`, read by a fresh connection. RabbitMQ requeues a connection's
/// unacknowledged messages when the connection closes (not when a subscription ends), so this
/// is what the acknowledgements of an earlier, closed connection left behind.
async fn leftovers(queue: &str) -> Vec<String> {
    let client = connected(&[]).await;
    let inbox = Inbox::new();
    subscribe(&client, queue, &inbox, &[]);
    sleep(700).await;
    deactivate(&client).await;
    inbox.all().iter().map(|m| text(m, "body")).collect()
}

#[wasm_bindgen_test]
async fn auto_ack_needs_no_acknowledgement() {
    let client = connected(&[]).await;
    let queue = unique("auto");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[("ack", "auto")]);
    publish_text(&client, &queue, "a", &[]);
    let message = inbox.next(5_000, "the message").await;
    // Acknowledging in auto mode is a usage error.
    let ack = get(&message, "ack").unchecked_into::<Function>();
    assert!(ack.call0(&message).is_err());
    deactivate(&client).await;
    assert!(leftovers(&queue).await.is_empty());
}

#[wasm_bindgen_test]
async fn unacknowledged_client_messages_are_redelivered() {
    let client = connected(&[]).await;
    let queue = unique("noack");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[("ack", "client")]);
    publish_text(&client, &queue, "kept", &[]);
    inbox.next(5_000, "the message").await;
    deactivate(&client).await;
    assert_eq!(leftovers(&queue).await, ["kept"]);
}

#[wasm_bindgen_test]
async fn client_ack_is_cumulative() {
    let client = connected(&[]).await;
    let queue = unique("client");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[("ack", "client")]);
    for body in ["1", "2", "3"] {
        publish_text(&client, &queue, body, &[]);
    }
    let mut messages = Vec::new();
    for _ in 0..3 {
        messages.push(inbox.next(5_000, "a message").await);
    }
    // Acknowledging the second acknowledges the first too, not the third.
    assert_eq!(text(&messages[1], "body"), "2");
    ack(&messages[1], "ack");
    deactivate(&client).await;
    assert_eq!(leftovers(&queue).await, ["3"]);
}

#[wasm_bindgen_test]
async fn client_individual_ack_and_nack() {
    let client = connected(&[]).await;
    let queue = unique("individual");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[("ack", "client-individual")]);
    for body in ["a", "b", "c"] {
        publish_text(&client, &queue, body, &[]);
    }
    let a = inbox.next(5_000, "message a").await;
    let _b = inbox.next(5_000, "message b").await;
    let c = inbox.next(5_000, "message c").await;
    // Acknowledging c covers only c.
    ack(&c, "ack");
    // NACK requeues (RabbitMQ's default): a comes back, marked redelivered.
    ack(&a, "nack");
    let again = inbox.next(5_000, "the NACKed message again").await;
    assert_eq!(text(&again, "body"), "a");
    assert_eq!(header(&again, "redelivered").as_deref(), Some("true"));
    ack(&again, "ack");
    deactivate(&client).await;
    assert_eq!(leftovers(&queue).await, ["b"]);
}

#[wasm_bindgen_test]
async fn ack_by_id_with_stomp_1_1() {
    let versions: JsValue = Versions::new(Array::of2(&"1.1".into(), &"1.0".into())).into();
    let client = connected(&[("stompVersions", versions)]).await;
    assert_eq!(client.connected_version().as_deref(), Some("1.1"));
    let queue = unique("v11");
    let inbox = Inbox::new();
    let id = subscribe(&client, &queue, &inbox, &[("ack", "client-individual")]);
    publish_text(&client, &queue, "x", &[]);
    publish_text(&client, &queue, "y", &[]);
    let x = inbox.next(5_000, "message x").await;
    inbox.next(5_000, "message y").await;
    // The client-level form, by message-id and subscription (1.1's ACK headers).
    client
        .ack(header(&x, "message-id").unwrap(), id, JsValue::UNDEFINED)
        .unwrap();
    deactivate(&client).await;
    assert_eq!(leftovers(&queue).await, ["y"]);
}

// ----- receipts and transactions ---------------------------------------------------------------

#[wasm_bindgen_test]
async fn receipts_by_callback_and_by_promise() {
    let unhandled = Inbox::new();
    let client = connected(&[("onUnhandledReceipt", unhandled.callback())]).await;
    let queue = unique("receipts");

    // A promise for the SUBSCRIBE's receipt.
    let inbox = Inbox::new();
    let subscribed = client
        .subscribe_with_receipt(
            queue.clone(),
            inbox.callback().unchecked_into(),
            JsValue::UNDEFINED,
            Some(5_000.0),
        )
        .unwrap();
    let handle = within(subscribed, 5_000, "the SUBSCRIBE receipt")
        .await
        .unwrap();
    assert!(text(&handle, "id").starts_with("sub-"));

    // A promise for a SEND's receipt.
    let params = object(&[
        ("destination", JsValue::from_str(&queue)),
        ("body", JsValue::from_str("with receipt")),
        ("headers", headers(&[("receipt", "mine-1")])),
    ]);
    let receipt = within(
        client.publish_with_receipt(params, None).unwrap(),
        5_000,
        "the SEND receipt",
    )
    .await
    .unwrap();
    assert_eq!(text(&receipt, "command"), "RECEIPT");
    assert_eq!(header(&receipt, "receipt-id").as_deref(), Some("mine-1"));
    inbox.next(5_000, "the message").await;

    // stompjs's watchForReceipt.
    let watched = Inbox::new();
    client
        .watch_for_receipt("watched-1".into(), watched.callback().unchecked_into())
        .unwrap();
    publish_text(&client, &queue, "watched", &[("receipt", "watched-1")]);
    let frame = watched.next(5_000, "the watched receipt").await;
    assert_eq!(header(&frame, "receipt-id").as_deref(), Some("watched-1"));

    // waitForReceipt after the fact.
    publish_text(&client, &queue, "waited", &[("receipt", "waited-1")]);
    let frame = within(
        client.wait_for_receipt("waited-1".into(), Some(5_000.0)),
        5_000,
        "the waited receipt",
    )
    .await
    .unwrap();
    assert_eq!(header(&frame, "receipt-id").as_deref(), Some("waited-1"));

    // Nobody waits: onUnhandledReceipt.
    publish_text(&client, &queue, "stray", &[("receipt", "stray-1")]);
    let frame = unhandled.next(5_000, "the unhandled receipt").await;
    assert_eq!(header(&frame, "receipt-id").as_deref(), Some("stray-1"));

    // A receipt that never comes times out with a TimeoutError.
    let error = within(
        client.wait_for_receipt("never".into(), Some(200.0)),
        5_000,
        "the receipt timeout",
    )
    .await
    .unwrap_err();
    assert_eq!(text(&error, "name"), "TimeoutError");
    deactivate(&client).await;
}

#[wasm_bindgen_test]
async fn transactions_commit_and_abort() {
    let client = connected(&[]).await;
    let queue = unique("tx");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[]);

    let tx = client.begin(None).unwrap();
    publish_text(&client, &queue, "committed", &[("transaction", &tx.id())]);
    inbox.nothing_for(400, "a message before COMMIT").await;
    tx.commit().unwrap();
    let message = inbox.next(5_000, "the committed message").await;
    assert_eq!(text(&message, "body"), "committed");

    let tx = client.begin(Some("my-tx".into())).unwrap();
    assert_eq!(tx.id(), "my-tx");
    publish_text(&client, &queue, "aborted", &[("transaction", "my-tx")]);
    tx.abort().unwrap();
    inbox.nothing_for(500, "an aborted message").await;

    // Client-level commit of an unknown transaction is refused.
    assert!(client.commit("nope".into()).is_err());
    deactivate(&client).await;
}

// ----- heart-beats -----------------------------------------------------------------------------

async fn heartbeats_flow(strategy: &str) {
    let beats = Inbox::new();
    let lost = Inbox::new();
    let closes = Inbox::new();
    let log = Inbox::new();
    let client = connected(&[
        ("heartbeatIncoming", num(500.0)),
        ("heartbeatOutgoing", num(500.0)),
        ("heartbeatStrategy", JsValue::from_str(strategy)),
        ("onHeartbeatReceived", beats.callback()),
        ("onHeartbeatLost", lost.callback()),
        ("onWebSocketClose", closes.callback()),
        ("debug", log.callback()),
    ])
    .await;
    let connected_frame = within(client.when_connected(None), 1_000, "CONNECTED")
        .await
        .unwrap();
    let negotiated = header(&connected_frame, "heart-beat").unwrap();
    let (sx, sy) = negotiated.split_once(',').unwrap();
    assert!(
        sx.trim().parse::<u32>().unwrap() > 0,
        "server sends none: {negotiated}"
    );
    assert!(
        sy.trim().parse::<u32>().unwrap() > 0,
        "server wants none: {negotiated}"
    );

    // Nothing but heart-beats for 3 s: RabbitMQ drops a client whose beats stop, and this
    // client drops a silent broker. (At 500 ms about six arrive; two are awaited for up to
    // 6 s, as a browser starved of CPU on a loaded machine may run late.)
    sleep(3_000).await;
    let deadline = js_sys::Date::now() + 3_000.0;
    while beats.len() < 2 && js_sys::Date::now() < deadline {
        sleep(100).await;
    }
    assert!(
        beats.len() >= 2,
        "{} heart-beats received in 6 s ({strategy})",
        beats.len()
    );
    let pings = log
        .all()
        .iter()
        .filter(|l| l.as_string().as_deref() == Some(">>> PING"))
        .count();
    assert!(pings >= 2, "{pings} heart-beats sent ({strategy})");
    assert_eq!(lost.len(), 0, "onHeartbeatLost ({strategy})");
    assert_eq!(closes.len(), 0, "the connection closed ({strategy})");
    assert!(client.connected());
    deactivate(&client).await;
}

#[wasm_bindgen_test]
async fn heartbeats_flow_both_ways_on_page_timers() {
    heartbeats_flow("interval").await;
}

#[wasm_bindgen_test]
async fn heartbeats_flow_both_ways_on_a_worker_ticker() {
    heartbeats_flow("worker").await;
}

// ----- reconnecting ----------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn reconnects_after_the_broker_closes_the_connection() {
    let page = page_errors();
    let connects = Inbox::new();
    let closes = Inbox::new();
    let scheduled = Inbox::new();
    let client = Client::new(config(&[
        ("reconnectDelay", num(200.0)),
        ("onConnect", connects.callback()),
        ("onWebSocketClose", closes.callback()),
        ("onReconnectScheduled", scheduled.callback()),
    ]))
    .unwrap();
    client.activate().unwrap();
    connects.next(10_000, "the first connection").await;
    assert_eq!(
        scheduled.len(),
        0,
        "no reconnect is scheduled before a drop"
    );

    control("/close-connections").await;
    closes
        .next(15_000, "the close of the dropped connection")
        .await;
    assert!(client.active());
    let delay = scheduled.next(15_000, "onReconnectScheduled").await;
    assert_eq!(delay.as_f64(), Some(200.0), "the next attempt's delay");
    connects.next(15_000, "the second connection").await;
    assert!(
        client.connected(),
        "connected again, yet not connected: {} more onConnect, {} closes, {} more scheduled",
        connects.len(),
        closes.len(),
        scheduled.len()
    );

    // The new connection works.
    let queue = unique("after-reconnect");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[]);
    publish_text(&client, &queue, "again", &[]);
    inbox.next(5_000, "a message after the reconnect").await;
    deactivate(&client).await;
    sleep(100).await;
    assert_eq!(page.len(), 0, "errors in the page: {:?}", page.all());
}

/// A connected client that replays subscriptions after a reconnect (each CONNECTED in
/// `connects`, the first one taken), subscribed with `headers` to a new queue (named after
/// `prefix`) whose messages go to `inbox`, the SUBSCRIBE confirmed.
async fn replaying(prefix: &str, headers: JsValue) -> (Client, Inbox, String, Inbox) {
    let connects = Inbox::new();
    let client = Client::new(config(&[
        ("reconnectDelay", num(200.0)),
        ("replaySubscriptions", JsValue::TRUE),
        ("onConnect", connects.callback()),
    ]))
    .unwrap();
    client.activate().unwrap();
    connects.next(10_000, "the first connection").await;
    let queue = unique(prefix);
    let inbox = Inbox::new();
    let subscribed = client
        .subscribe_with_receipt(
            queue.clone(),
            inbox.callback().unchecked_into(),
            headers,
            None,
        )
        .unwrap();
    within(subscribed, 5_000, "the SUBSCRIBE receipt")
        .await
        .unwrap();
    (client, connects, queue, inbox)
}

#[wasm_bindgen_test]
async fn replays_subscriptions_after_a_reconnect_when_asked() {
    let (client, connects, queue, inbox) = replaying("replay", JsValue::UNDEFINED).await;

    control("/close-connections").await;
    connects.next(15_000, "the second connection").await;
    // No new subscribe(): the old one was sent again, and its callback still receives.
    publish_text(&client, &queue, "replayed", &[]);
    let message = inbox
        .next(5_000, "a message on the replayed subscription")
        .await;
    assert_eq!(text(&message, "body"), "replayed");
    deactivate(&client).await;
}

/// Calls `message.ack()` or `message.nack()`; the error it throws, if any.
fn acknowledge(message: &JsValue, method: &str) -> Result<(), JsValue> {
    let f: Function = get(message, method).unchecked_into();
    f.call0(message).map(|_| ())
}

#[wasm_bindgen_test]
async fn a_message_of_an_earlier_connection_is_not_acknowledged() {
    let headers = object(&[("ack", JsValue::from_str("client-individual"))]);
    let (client, connects, queue, inbox) = replaying("stale-ack", headers).await;
    publish_text(&client, &queue, "once", &[]);
    let first = inbox.next(5_000, "the message").await;

    control("/close-connections").await;
    connects.next(15_000, "the second connection").await;
    // Its acknowledgement id is void on this connection: refused, nothing sent (RabbitMQ would
    // close the connection on an unknown delivery tag).
    for method in ["ack", "nack"] {
        let error = acknowledge(&first, method).expect_err("a stale message is refused");
        assert_eq!(text(&error, "name"), "StaleMessageError", "{method}");
        assert!(
            text(&error, "message").contains("earlier connection"),
            "{method}"
        );
    }
    // The broker delivers it again on the replayed subscription; that copy is acknowledged.
    let again = inbox.next(5_000, "the redelivered message").await;
    assert_eq!(text(&again, "body"), "once");
    acknowledge(&again, "ack").expect("the copy of this connection is acknowledged");
    let receipt = client
        .publish_with_receipt(
            object(&[
                ("destination", JsValue::from_str(&queue)),
                ("body", JsValue::from_str("after")),
            ]),
            None,
        )
        .unwrap();
    within(receipt, 5_000, "a receipt on the same connection")
        .await
        .expect("the connection stayed up");
    assert_eq!(connects.len(), 0, "no reconnect after the refused ACK");
    deactivate(&client).await;
}

#[wasm_bindgen_test]
async fn fails_over_to_the_next_broker() {
    let errors = Inbox::new();
    let client = Client::new(config(&[
        (
            "brokerURLs",
            Array::of2(&DEAD_BROKER.into(), &BROKER.into()).into(),
        ),
        ("reconnectDelay", num(100.0)),
        ("onWebSocketError", errors.callback()),
    ]))
    .unwrap();
    client.activate().unwrap();
    within(
        client.when_connected(None),
        10_000,
        "failover to the live broker",
    )
    .await
    .unwrap();
    assert!(errors.len() >= 1, "the dead broker was not tried first");
    deactivate(&client).await;
}

#[wasm_bindgen_test]
async fn gives_up_after_the_maximum_number_of_attempts() {
    let states = Inbox::new();
    let errors = Inbox::new();
    let client = Client::new(config(&[
        ("brokerURL", JsValue::from_str(DEAD_BROKER)),
        ("reconnectDelay", num(50.0)),
        ("reconnectJitter", num(0.5)),
        ("maxReconnectAttempts", num(2.0)),
        ("onChangeState", states.callback()),
        ("onWebSocketError", errors.callback()),
    ]))
    .unwrap();
    client.activate().unwrap();
    let error = within(client.when_connected(None), 10_000, "giving up")
        .await
        .unwrap_err();
    assert_eq!(text(&error, "name"), "GaveUpError");
    assert_eq!(client.state(), ActivationState::INACTIVE);
    // The first attempt and two retries.
    assert_eq!(errors.len(), 3);
}

#[wasm_bindgen_test]
async fn connection_timeout_closes_a_silent_attempt() {
    // A socket that never opens: the factory hands out one whose `open` never comes.
    let closes = Inbox::new();
    let factory = Function::new_no_args(
        "return { readyState: 0, url: 'silent', close() { this.readyState = 3; \
         const f = this.onclose; if (f) setTimeout(() => f({ code: 1006 }), 0); }, send() {} };",
    );
    let client = Client::new(config(&[
        ("webSocketFactory", factory.into()),
        ("connectionTimeout", num(300.0)),
        ("onWebSocketClose", closes.callback()),
    ]))
    .unwrap();
    client.activate().unwrap();
    closes
        .next(5_000, "the close after connectionTimeout")
        .await;
    assert!(!client.connected());
    deactivate(&client).await;
}

/// A `webSocketFactory` whose first socket opens and then says nothing (a frozen broker: the
/// kernel accepted the connection), and whose later sockets go to the test broker. The
/// factory's `silentClosed` property says when the silent socket was closed.
fn silent_then_live_broker() -> JsValue {
    Function::new_with_args(
        "url",
        r#"const factory = () => {
            if (factory.made++ > 0) return new WebSocket(url, ["v12.stomp"]);
            const ws = { readyState: 0, url: "silent", binaryType: "blob", send() {},
                close() {
                    if (this.readyState === 3) return;
                    this.readyState = 3;
                    factory.silentClosed = performance.now();
                    setTimeout(() => this.onclose && this.onclose({ code: 1006, wasClean: false }), 0);
                } };
            setTimeout(() => { ws.readyState = 1; factory.opened = performance.now(); ws.onopen && ws.onopen({}); }, 0);
            return ws;
        };
        factory.made = 0;
        return factory;"#,
    )
    .call1(&JsValue::UNDEFINED, &JsValue::from_str(BROKER))
    .unwrap()
}

#[wasm_bindgen_test]
async fn connected_timeout_leaves_a_silent_broker() {
    let factory = silent_then_live_broker();
    let closes = Inbox::new();
    let client = Client::new(config(&[
        ("webSocketFactory", factory.clone()),
        ("connectedTimeout", num(400.0)),
        ("reconnectDelay", num(100.0)),
        ("onWebSocketClose", closes.callback()),
    ]))
    .unwrap();
    client.activate().unwrap();
    within(
        client.when_connected(None),
        5_000,
        "a connection after leaving the silent broker",
    )
    .await
    .unwrap();
    closes.next(1_000, "the close of the silent socket").await;
    let waited =
        get(&factory, "silentClosed").as_f64().unwrap() - get(&factory, "opened").as_f64().unwrap();
    assert!(
        (350.0..2_000.0).contains(&waited),
        "the silent socket was closed {waited} ms after it opened"
    );
    assert_eq!(get(&factory, "made").as_f64(), Some(2.0));
    deactivate(&client).await;
}

#[wasm_bindgen_test]
async fn connected_timeout_defaults_to_five_seconds_and_zero_turns_it_off() {
    let client: JsValue = Client::new(config(&[])).unwrap().into();
    assert_eq!(get(&client, "connectedTimeout").as_f64(), Some(5_000.0));
    Reflect::set(&client, &JsValue::from_str("connectedTimeout"), &num(0.0)).unwrap();
    assert_eq!(get(&client, "connectedTimeout").as_f64(), Some(0.0));
    let wrong = Reflect::set(
        &client,
        &JsValue::from_str("connectedTimeout"),
        &JsValue::from_str("soon"),
    );
    assert!(wrong.is_err(), "a string was taken as connectedTimeout");
}

/// Makes `new WebSocket(url)` for a URL with "frozen" in it a socket that plays a broker which
/// answers CONNECT (server heart-beats every second), sends two heart-beats, then
/// freezes: no FIN, the socket stays open, nothing more comes. Every other URL gets a real
/// WebSocket. Returns a record of the frozen sockets made: `{ made, closed }`.
fn freeze_websockets_to_frozen_urls() -> JsValue {
    Function::new_no_args(
        r#"const Real = globalThis.__realWebSocket || (globalThis.__realWebSocket = globalThis.WebSocket);
        const record = { made: 0, closed: 0 };
        globalThis.WebSocket = function (url, protocols) {
            if (!String(url).includes("frozen")) return new Real(url, protocols);
            record.made++;
            let beats = null;
            const ws = { readyState: 0, url, binaryType: "blob",
                send(data) {
                    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
                    if (!text.startsWith("CONNECT")) return;
                    setTimeout(() => ws.onmessage && ws.onmessage({ data: "CONNECTED\nversion:1.2\nheart-beat:1000,0\n\n\0" }), 0);
                    let n = 0;
                    beats = setInterval(() => {
                        if (n++ < 2 && ws.onmessage) ws.onmessage({ data: "\n" });
                    }, 1000);
                },
                close() {
                    if (this.readyState === 3) return;
                    this.readyState = 3;
                    record.closed++;
                    clearInterval(beats);
                    setTimeout(() => this.onclose && this.onclose({ code: 1006, wasClean: false }), 0);
                } };
            setTimeout(() => { ws.readyState = 1; ws.onopen && ws.onopen({}); }, 0);
            return ws;
        };
        Object.assign(globalThis.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
        return record;"#,
    )
    .call0(&JsValue::UNDEFINED)
    .unwrap()
}

fn unfreeze_websockets() {
    Function::new_no_args(
        "if (globalThis.__realWebSocket) globalThis.WebSocket = globalThis.__realWebSocket;",
    )
    .call0(&JsValue::UNDEFINED)
    .unwrap();
}

#[wasm_bindgen_test]
async fn after_heartbeat_loss_the_next_attempt_goes_to_another_broker() {
    let frozen = freeze_websockets_to_frozen_urls();
    let connects = Inbox::new();
    let lost = Inbox::new();
    let client = Client::new(config(&[
        (
            "brokerURLs",
            Array::of2(&"ws://frozen.invalid/ws".into(), &BROKER.into()).into(),
        ),
        ("heartbeatIncoming", num(1000.0)),
        ("reconnectDelay", num(100.0)),
        ("onConnect", connects.callback()),
        ("onHeartbeatLost", lost.callback()),
    ]))
    .unwrap();
    client.activate().unwrap();
    connects
        .next(5_000, "the connection to the frozen broker")
        .await;
    lost.next(5_000, "the heart-beat loss").await;
    connects
        .next(5_000, "the connection to the live broker")
        .await;
    unfreeze_websockets();
    assert!(client.connected());
    assert_eq!(
        get(&frozen, "made").as_f64(),
        Some(1.0),
        "the frozen broker was tried again first"
    );
    assert_eq!(get(&frozen, "closed").as_f64(), Some(1.0));
    let socket = get(&client.web_socket(), "url");
    assert_eq!(socket.as_string().as_deref(), Some(BROKER));
    deactivate(&client).await;
}

#[wasm_bindgen_test]
async fn force_deactivation_discards_the_socket() {
    let page = page_errors();
    let closes = Inbox::new();
    let client = connected(&[("onWebSocketClose", closes.callback())]).await;
    let done = client.deactivate(object(&[("force", JsValue::TRUE)]));
    let event = closes.next(1_000, "the discarded close").await;
    assert_eq!(get(&event, "code").as_f64(), Some(4001.0));
    within(done, 1_000, "forced deactivation").await.unwrap();
    assert_eq!(client.state(), ActivationState::INACTIVE);
    sleep(100).await;
    assert_eq!(page.len(), 0, "errors in the page: {:?}", page.all());
}

#[wasm_bindgen_test]
async fn raw_logs_show_each_frame_with_its_nul() {
    // The text of stompjs's own test of `logRawCommunication`.
    let body = "Älä sinä yhtään and السابق";
    let log = Inbox::new();
    let client = connected(&[
        ("logRawCommunication", JsValue::TRUE),
        ("debug", log.callback()),
    ])
    .await;
    let queue = unique("raw-log");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[]);
    publish_text(&client, &queue, body, &[]);
    inbox.next(5_000, "the MESSAGE").await;
    let lines: Vec<String> = log.all().iter().filter_map(|l| l.as_string()).collect();
    let sent = lines
        .iter()
        .find(|l| l.starts_with(">>> SEND\n"))
        .expect("no raw SEND line");
    assert!(
        sent.contains(&format!("\ndestination:{queue}\n"))
            && sent.contains("\ncontent-length:37\n"),
        "{sent:?}"
    );
    assert!(sent.ends_with(&format!("\n\n{body}\0")), "{sent:?}");
    let received = lines
        .iter()
        .find(|l| l.starts_with("<<< MESSAGE\n"))
        .expect("no raw MESSAGE line");
    assert!(received.contains(&format!("\n\n{body}\0")), "{received:?}");
    deactivate(&client).await;
}

// ----- hostile input ---------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_frame_beyond_the_limits_closes_the_connection() {
    let closes = Inbox::new();
    let log = Inbox::new();
    let client = connected(&[
        ("limits", object(&[("maxBodySize", num(64.0))])),
        ("onWebSocketClose", closes.callback()),
        ("debug", log.callback()),
    ])
    .await;
    let queue = unique("limits");
    let inbox = Inbox::new();
    subscribe(&client, &queue, &inbox, &[]);
    publish_text(&client, &queue, &"x".repeat(1_000), &[]);
    closes
        .next(5_000, "the close after an oversized MESSAGE")
        .await;
    assert_eq!(inbox.len(), 0, "the oversized message was delivered");
    // The line says what the core's errors say natively (their `Display`): the session error,
    // then the decoder's, which names the limit and the size the broker announced.
    let limit = DecodeError::LimitExceeded {
        limit: Limit::BodySize,
        max: 64,
        actual: 1_000,
    };
    let expected = format!(
        "Closing the connection: {}: {limit}",
        SessionError::Decode(limit.clone())
    );
    let lines: Vec<String> = log.all().iter().filter_map(|l| l.as_string()).collect();
    assert!(
        lines.contains(&expected),
        "no debug line reads {expected:?}: {lines:?}"
    );
    deactivate(&client).await;
}

// ----- the package's core (browser::Core), in memory -----------------------------------------
//
// The core the npm package's JavaScript layer drives, fed scripted broker bytes here (no
// socket, no broker): each call answers with one array of records (src/browser/packed.rs).

/// The tags of the records of one answer, in order (each record's fields read by its tag).
fn records(answer: &[u8]) -> Vec<u8> {
    let mut tags = Vec::new();
    let mut i = 0;
    let u32_at = |i: usize| u32::from_le_bytes(answer[i..i + 4].try_into().unwrap()) as usize;
    let skip_str = |i: usize| -> usize {
        let n = u32_at(i);
        if n == u32::MAX as usize {
            i + 4
        } else {
            i + 4 + n
        }
    };
    let skip_frame = |i: usize| -> usize {
        let i = skip_str(i); // command
        let i = i + 4 + u32_at(i); // header block
        let body = u32_at(i);
        if body & 0x8000_0000 != 0 {
            i + 8 // by reference: where it is
        } else {
            i + 4 + body
        }
    };
    while i < answer.len() {
        let tag = answer[i];
        tags.push(tag);
        i += 1;
        i = match tag {
            1..=4 => skip_str(i),
            5 => skip_str(i + 1),
            6 => i + 9,
            10 => skip_frame(skip_str(i)),
            11 => skip_frame(skip_str(skip_str(skip_str(i)))),
            12 => skip_frame(skip_str(i)),
            14 => skip_frame(i),
            15 => i,
            20 | 23 => i + 4,
            21 => i + 2,
            22 => i + 8,
            other => panic!("record {other} not expected here"),
        };
    }
    tags
}

fn contains(answer: &[u8], text: &str) -> bool {
    answer.windows(text.len()).any(|w| w == text.as_bytes())
}

#[wasm_bindgen_test]
fn the_core_answers_each_websocket_message_with_one_array_of_records() {
    use stompwire::browser::Core;
    let mut core = Core::new();
    // reconnectDelay 0, linear, no cap, no jitter, tries for ever, 1 broker, no time limits.
    let started = core.start(0.0, &[0.0, 0.0, 0.0, 0.0, -1.0, 1.0, 0.0, 0.0], 7);
    assert_eq!(
        records(&started),
        [20, 6],
        "open a socket to entry 0, then the deadline"
    );
    let protocols = core.prepare(
        &[
            0.0,
            0.0,
            1.0,
            f64::NAN,
            f64::NAN,
            f64::NAN,
            f64::NAN,
            f64::NAN,
            0.0,
            0.0,
            0.0,
        ],
        "1.2",
        "login\0guest\0host\0/\0",
    );
    assert_eq!(protocols, "v12.stomp");
    let opened = core.opened(1.0);
    assert_eq!(records(&opened), [1, 6], "CONNECT written as text");
    assert!(contains(&opened, "CONNECT\n") && contains(&opened, "login:guest"));

    let connected = core.feed(b"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0", 2.0, false);
    assert_eq!(records(&connected), [10, 6]);
    assert_eq!(
        *connected.last().unwrap(),
        1,
        "the answer says the session is open"
    );

    let subscribed = core.subscribe("/queue/a", "", false, 3.0);
    assert_eq!(
        records(&subscribed),
        [4, 1, 6],
        "the subscription id, then SUBSCRIBE"
    );
    assert!(contains(&subscribed, "sub-0"));

    // Three MESSAGEs and a heart-beat in one WebSocket message: one answer holds them all.
    let mut wire = String::new();
    for n in 0..3 {
        wire.push_str(&format!(
            "MESSAGE\ndestination:/queue/a\nsubscription:sub-0\nmessage-id:m{n}\nack:a{n}\ncontent-length:2\n\nb{n}\0\n"
        ));
    }
    wire.push('\n');
    let answer = core.feed(wire.as_bytes(), 4.0, false);
    assert_eq!(records(&answer), [11, 11, 11, 15, 6]);
    assert!(contains(&answer, "a2") && contains(&answer, "b2"));

    let sent = core.send(
        "destination\0/queue/a\0",
        "héllo".as_bytes(),
        false,
        true,
        5.0,
    );
    assert_eq!(records(&sent), [4, 1, 6], "the receipt id, then SEND");
    assert!(contains(&sent, "receipt:") && contains(&sent, "content-length:6"));

    // Large bodies are not copied into the answer: the one the message ends with is named by
    // its offset in the input (0xC… length), one before it by its address (0x8… length).
    let big = |tag: u8| {
        let mut f = b"MESSAGE\ndestination:/queue/a\nsubscription:sub-0\nmessage-id:x\ncontent-length:20000\n\n".to_vec();
        f.extend(std::iter::repeat_n(tag, 20_000));
        f.extend(b"\0\n");
        f
    };
    let mut two = big(b'p');
    let second_at = two.len() + 85;
    two.extend(big(b'q'));
    let answer = core.feed(&two, 6.0, false);
    assert_eq!(records(&answer), [11, 11, 6]);
    assert!(
        answer.len() < 1_000,
        "{} bytes: a body was copied in",
        answer.len()
    );
    let flags: Vec<u32> = answer
        .windows(4)
        .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
        .filter(|n| *n & 0x3fff_ffff == 20_000 && *n & 0x8000_0000 != 0)
        .collect();
    assert_eq!(flags, [0x8000_0000 | 20_000, 0xC000_0000 | 20_000]);
    let offset_at = answer
        .windows(4)
        .position(|w| u32::from_le_bytes(w.try_into().unwrap()) == 0xC000_0000 | 20_000)
        .unwrap()
        + 4;
    let offset = u32::from_le_bytes(answer[offset_at..offset_at + 4].try_into().unwrap()) as usize;
    assert_eq!(&two[offset..offset + 20_000], &[b'q'; 20_000][..]);
    assert!(
        offset >= second_at - 85,
        "the offset points into the second frame"
    );

    // Hostile input: a frame over the limits is a protocol error record naming the problem,
    // then the step to close the socket.
    let mut limited = Core::new();
    limited.start(0.0, &[0.0, 0.0, 0.0, 0.0, -1.0, 1.0, 0.0, 0.0], 7);
    limited.prepare(
        &[
            0.0,
            0.0,
            1.0,
            f64::NAN,
            8.0,
            f64::NAN,
            f64::NAN,
            f64::NAN,
            0.0,
            0.0,
            0.0,
        ],
        "1.2",
        "",
    );
    limited.opened(1.0);
    limited.feed(b"CONNECTED\nversion:1.2\n\n\0", 2.0, false);
    let refused = limited.feed(
        b"MESSAGE\ndestination:/q\ncontent-length:20\n\n01234567890123456789\0",
        3.0,
        false,
    );
    assert_eq!(refused[0], 18, "a protocol error first");
    assert!(
        contains(&refused, "max_body_size"),
        "the error names the limit"
    );
}
