//! Broker-less messaging on a UDP multicast group (`multicast://GROUP:PORT`), the way stomp.py's
//! `MulticastConnection` does it: two clients join the group, one subscribes, the other sends.
//!
//! ```sh
//! cargo run --example multicast --features native -- multicast://224.1.2.3:61616
//! ```
//!
//! The host needs a route for the group (a default route, or
//! `ip route add 224.0.0.0/4 dev lo` on a machine without one).

use std::time::Duration;

use stompwire::frame::Headers;
use stompwire::native::{Client, ClientConfig, Error};
use stompwire::session::AckMode;

fn main() -> Result<(), Error> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "multicast://224.1.2.3:61616".into());

    let subscriber = Client::new(ClientConfig::from_url(&url)?);
    subscriber.connect(Duration::from_secs(10))?;
    let messages = subscriber.subscribe_messages("/topic/news", AckMode::Auto, Headers::new())?;

    let publisher = Client::new(ClientConfig::from_url(&url)?);
    publisher.connect(Duration::from_secs(10))?;
    // On multicast the RECEIPT comes from the publisher's own transport: the datagram left.
    publisher
        .send_with_receipt("/topic/news", "hello, group", Headers::new())?
        .wait(Duration::from_secs(2))?;

    match messages.recv_timeout(Duration::from_secs(2)) {
        Ok(Some(message)) => println!("received {:?}", String::from_utf8_lossy(message.body())),
        _ => println!("nothing arrived: does the host route {url}'s group?"),
    }
    publisher.disconnect()?;
    subscriber.disconnect()
}
