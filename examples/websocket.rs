//! A round trip over WebSocket (`ws://`, or `wss://` for TLS), e.g. RabbitMQ's Web-STOMP, with
//! a listener printing what arrives instead of a message iterator.
//!
//! ```sh
//! cargo run --example websocket --features native -- ws://127.0.0.1:15674/ws
//! ```
//!
//! Credentials: `STOMP_LOGIN` / `STOMP_PASSCODE` (default guest/guest), `STOMP_VHOST`
//! (default `/`).

use std::sync::Arc;
use std::time::Duration;

use stompwire::frame::Headers;
use stompwire::native::listener::WaitingListener;
use stompwire::native::{Client, ClientConfig, Error};
use stompwire::session::AckMode;

fn main() -> Result<(), Error> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:15674/ws".into());
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());

    let config = ClientConfig::from_url(&url)?
        .credentials(
            &env("STOMP_LOGIN", "guest"),
            &env("STOMP_PASSCODE", "guest"),
        )
        .vhost(&env("STOMP_VHOST", "/"));
    let client = Client::new(config);
    client.connect(Duration::from_secs(10))?;
    println!("connected to {url}");

    let destination = "/queue/stompwire-example-ws";
    let receipt = "example-ws-done";
    let waiting = Arc::new(WaitingListener::new(receipt));
    client.set_listener("waiting", waiting.clone());
    client.subscribe(destination, AckMode::Auto, Headers::new())?;
    client.send(destination, "hello over WebSocket", Headers::new())?;
    // A receipt on a later frame: the broker has handled everything before it.
    let mut headers = Headers::new();
    headers.push("receipt", receipt);
    client.send(destination, "second", headers)?;
    if waiting.wait_on_receipt(Duration::from_secs(5)) {
        println!("the broker confirmed both messages");
    }
    client.disconnect()
}
