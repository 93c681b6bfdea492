//! A round trip over TLS (`ssl://`), trusting a CA file instead of the system's roots, and
//! optionally presenting a client certificate.
//!
//! ```sh
//! cargo run --example tls --features native -- ssl://127.0.0.1:61614 ca.pem [client.pem client.key]
//! ```
//!
//! Without a CA file the system's trust roots are used. Credentials: `STOMP_LOGIN` /
//! `STOMP_PASSCODE` (default guest/guest), `STOMP_VHOST` (default `/`).

use std::path::PathBuf;
use std::time::Duration;

use stompwire::frame::Headers;
use stompwire::native::transport::ClientIdentity;
use stompwire::native::{Client, ClientConfig, Error};
use stompwire::session::AckMode;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "ssl://127.0.0.1:61614".into());
    let ca_file = args.next().map(PathBuf::from);
    let identity = match (args.next(), args.next()) {
        (Some(cert), Some(key)) => Some(ClientIdentity {
            cert_file: cert.into(),
            key_file: key.into(),
        }),
        _ => None,
    };
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());

    let mut config = ClientConfig::from_url(&url)?
        .credentials(
            &env("STOMP_LOGIN", "guest"),
            &env("STOMP_PASSCODE", "guest"),
        )
        .vhost(&env("STOMP_VHOST", "/"));
    config.transport.tls.ca_file = ca_file;
    config.transport.tls.client_identity = identity;
    let client = Client::new(config);
    client.connect(Duration::from_secs(10))?;
    println!("connected to {url} over TLS");

    let destination = "/queue/stompwire-example-tls";
    let messages = client.subscribe_messages(destination, AckMode::Auto, Headers::new())?;
    client
        .send_with_receipt(destination, "hello over TLS", Headers::new())?
        .wait(Duration::from_secs(5))?;
    if let Ok(Some(message)) = messages.recv_timeout(Duration::from_secs(5)) {
        println!("received {:?}", String::from_utf8_lossy(message.body()));
    }
    client.disconnect()
}
