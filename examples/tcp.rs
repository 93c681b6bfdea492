//! A round trip over plain TCP: subscribe, send with a receipt, receive, ack, disconnect.
//!
//! ```sh
//! cargo run --example tcp --features native -- tcp://127.0.0.1:61613 /queue/example
//! ```
//!
//! Credentials come from `STOMP_LOGIN` / `STOMP_PASSCODE` (default guest/guest) and the
//! virtual host from `STOMP_VHOST` (default `/`, RabbitMQ's).

use std::time::Duration;

use stompwire::frame::Headers;
use stompwire::native::{Client, ClientConfig, Error};
use stompwire::session::AckMode;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "tcp://127.0.0.1:61613".into());
    let destination = args
        .next()
        .unwrap_or_else(|| "/queue/stompwire-example".into());
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());

    let config = ClientConfig::from_url(&url)?
        .credentials(
            &env("STOMP_LOGIN", "guest"),
            &env("STOMP_PASSCODE", "guest"),
        )
        .vhost(&env("STOMP_VHOST", "/"))
        .heart_beat(10_000, 10_000);
    let client = Client::new(config);
    client.connect(Duration::from_secs(10))?;
    println!("connected to {url} with STOMP {:?}", client.version());

    let messages =
        client.subscribe_messages(&destination, AckMode::ClientIndividual, Headers::new())?;
    let mut headers = Headers::new();
    headers.push("content-type", "text/plain");
    client
        .send_with_receipt(&destination, "hello over TCP", headers)?
        .wait(Duration::from_secs(5))?;
    match messages.recv_timeout(Duration::from_secs(5)) {
        Ok(Some(message)) => {
            println!("received {:?}", String::from_utf8_lossy(message.body()));
            client.ack(&message, Headers::new())?;
        }
        _ => println!("no message within 5 s"),
    }
    client.disconnect()
}
