//! The async client: subscribe, send with a receipt, receive and acknowledge, a transaction,
//! connection events, graceful shutdown. The `chat` function is the same code on every
//! target; only `main` differs (a tokio runtime natively, `spawn_local` in the browser).
//!
//! ```sh
//! cargo run --example async_chat --features tokio -- tcp://127.0.0.1:61613 /queue/example
//! cargo build --example async_chat --features client --target wasm32-unknown-unknown
//! ```
//!
//! In the browser it connects to RabbitMQ Web-STOMP (`ws://127.0.0.1:15674/ws`) and writes
//! to the console.
//!
//! Credentials come from `STOMP_LOGIN` / `STOMP_PASSCODE` (default guest/guest) and the
//! virtual host from `STOMP_VHOST` (default `/`, RabbitMQ's).

/// The application: the same code on every target that has a runtime.
#[cfg(any(feature = "tokio", target_arch = "wasm32"))]
pub mod app {
    use std::future::poll_fn;
    use std::pin::Pin;
    use std::time::Duration;

    use futures_core::Stream;
    use stompwire::client::{Client, Config, ConnectionEvent, Error};
    use stompwire::frame::Headers;
    use stompwire::session::AckMode;

    /// Sends three lines (one inside a transaction) and reads them back.
    pub async fn chat(config: Config, destination: &str) -> Result<Vec<String>, Error> {
        let client = Client::connect(config).await?;
        let mut events = client.events();
        let mut messages = client.subscribe(destination, AckMode::ClientIndividual)?;

        client
            .send_with_receipt(destination, Headers::new(), "hello")
            .await?;
        let tx = client.begin()?;
        tx.send(destination, Headers::new(), "inside a transaction")
            .await?;
        tx.commit().await?;
        client
            .send_with_receipt(destination, Headers::new(), "bye")
            .await?;

        let mut lines = Vec::new();
        while lines.len() < 3 {
            let Some(message) = poll_fn(|cx| Pin::new(&mut messages).poll_next(cx)).await else {
                break;
            };
            lines.push(String::from_utf8_lossy(message.body()).into_owned());
            message.ack()?;
        }
        drop(messages);
        client.shutdown(Duration::from_secs(5)).await?;
        while let Some(event) = poll_fn(|cx| Pin::new(&mut events).poll_next(cx)).await {
            if let ConnectionEvent::Disconnected { reason } = event {
                lines.push(format!("(disconnected: {reason:?})"));
            }
        }
        Ok(lines)
    }
}
#[cfg(any(feature = "tokio", target_arch = "wasm32"))]
use app::chat;
#[cfg(any(feature = "tokio", target_arch = "wasm32"))]
use stompwire::client::{Config, Error};

#[cfg(all(feature = "tokio", not(target_arch = "wasm32")))]
fn config(url: &str) -> Result<Config, Error> {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    Ok(Config::from_url(url)?
        .credentials(
            &env("STOMP_LOGIN", "guest"),
            &env("STOMP_PASSCODE", "guest"),
        )
        .vhost(&env("STOMP_VHOST", "/")))
}

#[cfg(all(feature = "tokio", not(target_arch = "wasm32")))]
fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "tcp://127.0.0.1:61613".into());
    let destination = args
        .next()
        .unwrap_or_else(|| "/queue/stompwire-async-example".into());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    for line in runtime.block_on(chat(config(&url)?, &destination))? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(all(not(feature = "tokio"), not(target_arch = "wasm32")))]
fn main() {
    eprintln!("natively, the async client needs a runtime: build with --features tokio");
    std::process::exit(2);
}

#[cfg(target_arch = "wasm32")]
fn main() {
    wasm_bindgen_futures::spawn_local(async {
        let config = Config::from_url("ws://127.0.0.1:15674/ws")
            .map(|c| c.credentials("guest", "guest").vhost("/"));
        let result: Result<Vec<String>, Error> = match config {
            Ok(config) => chat(config, "/queue/stompwire-async-example").await,
            Err(e) => Err(e),
        };
        match result {
            Ok(lines) => lines
                .iter()
                .for_each(|line| web_sys::console::log_1(&line.as_str().into())),
            Err(e) => web_sys::console::error_1(&e.to_string().into()),
        }
    });
}
