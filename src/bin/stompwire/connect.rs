//! Turns the connection options into a client configuration and a connected client.

use std::time::Duration;

use stompwire::frame::{Headers, Version};
use stompwire::native::transport::ClientIdentity;
use stompwire::native::{Client, ClientConfig};

use crate::args::ConnectionArgs;
use crate::fail::Failure;

/// Splits `NAME:VALUE`.
pub fn header_pair(s: &str) -> Result<(&str, &str), Failure> {
    s.split_once(':')
        .filter(|(n, _)| !n.is_empty())
        .ok_or_else(|| Failure::usage(format!("header {s:?} is not NAME:VALUE")))
}

/// Parses `-H` options into headers.
pub fn headers(list: &[String]) -> Result<Headers, Failure> {
    let mut headers = Headers::new();
    for h in list {
        let (n, v) = header_pair(h)?;
        headers.push(n, v);
    }
    Ok(headers)
}

/// The client configuration for `url`.
pub fn config(
    url: &str,
    args: &ConnectionArgs,
    connect_headers: &[String],
) -> Result<ClientConfig, Failure> {
    let mut config = ClientConfig::from_url(url).map_err(|e| Failure::usage(e.to_string()))?;
    let session = &mut config.session;
    session.login = args.login.clone();
    session.passcode = args.passcode.clone();
    session.host = args.vhost.clone();
    session.versions = args
        .versions
        .iter()
        .map(|v| {
            Version::parse(v.trim())
                .ok_or_else(|| Failure::usage(format!("unknown STOMP version {v:?}")))
        })
        .collect::<Result<_, _>>()?;
    let (out, inc) = args
        .heartbeat
        .split_once(',')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .ok_or_else(|| Failure::usage(format!("--heartbeat {:?} is not OUT,IN", args.heartbeat)))?;
    session.heart_beat.outgoing_ms = out;
    session.heart_beat.incoming_ms = inc;
    session.connect_timeout_ms = Some(args.connect_timeout);
    session.connect_headers = headers(connect_headers)?;
    config.transport.tcp.connect_timeout = Some(Duration::from_millis(args.connect_timeout));
    config.transport.tls.ca_file = args.ca_file.clone();
    match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => {
            config.transport.tls.client_identity = Some(ClientIdentity {
                cert_file: cert.clone(),
                key_file: key.clone(),
            })
        }
        (None, None) => {}
        _ => return Err(Failure::usage("--cert and --key go together".into())),
    }
    Ok(config)
}

/// A client for `url`, connected (the session is open) or an error.
pub fn connect(
    url: &str,
    args: &ConnectionArgs,
    connect_headers: &[String],
) -> Result<Client, Failure> {
    let client = Client::new(config(url, args, connect_headers)?);
    let wait = Duration::from_millis(args.connect_timeout)
        .saturating_mul(4)
        .max(Duration::from_secs(30));
    client
        .connect(wait)
        .map_err(|e| Failure::new(e.report().to_string()))?;
    Ok(client)
}
