//! Turns the connection options into a client configuration and a connected client with a
//! [`Watch`] on it.

use std::sync::Arc;
use std::time::Duration;

use stompwire::frame::{Command, Headers, Version};
use stompwire::native::transport::ClientIdentity;
use stompwire::native::{Client, ClientConfig, Error};
use stompwire::reconnect::MaxAttempts;

use crate::args::ConnectionArgs;
use crate::duration::millis_u32;
use crate::fail::Failure;
use crate::headers;
use crate::report::redact;
use crate::watch::Watch;

/// The lowest version offered: what headers given on the command line must fit.
pub fn lowest_version(args: &ConnectionArgs) -> Result<Version, Failure> {
    args.versions
        .iter()
        .copied()
        .min()
        .ok_or_else(|| Failure::usage("--versions is empty".into()))
}

/// Parses the `-H` options of a frame-sending command.
pub fn frame_headers(
    args: &ConnectionArgs,
    list: &[String],
    command: Command,
) -> Result<Headers, Failure> {
    headers::parse(list, "--header", command, lowest_version(args)?)
}

/// The client configuration for `url`.
pub fn config(url: &str, args: &ConnectionArgs) -> Result<ClientConfig, Failure> {
    let mut config = ClientConfig::from_url(url).map_err(|e| Failure::usage(e.to_string()))?;
    let session = &mut config.session;
    session.login = args.login.clone();
    session.passcode = args.passcode.clone();
    session.host = args.vhost.clone();
    session.versions = args.versions.clone();
    session.heart_beat.outgoing_ms = millis_u32(args.heartbeat.0);
    session.heart_beat.incoming_ms = millis_u32(args.heartbeat.1);
    session.connect_headers = headers::parse(
        &args.connect_headers,
        "--connect-header",
        Command::Connect,
        Version::V1_2,
    )?;
    // The socket connect, then CONNECTED: each may take --connect-timeout.
    config.transport.tcp.connect_timeout = Some(args.connect_timeout);
    config.supervisor.connected_timeout_ms = Some(args.connect_timeout.as_millis() as u64);
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
    if let Some(n) = args.reconnect_attempts {
        // N tries after the first; after a lost connection, N tries in all.
        config.policy.startup_max_attempts = Some(MaxAttempts::from_retries(i64::from(n)));
        config.policy.max_attempts = MaxAttempts::Total(n);
    }
    Ok(config)
}

/// A client for `url` with a [`Watch`] set, connected (the session is open) or the reason
/// it is not: a refusal is reported as such, not as the give-up that follows it. The wait is
/// bounded by `limit` (the command's own time limit) when one is given.
pub fn connect(
    url: &str,
    args: &ConnectionArgs,
    limit: Option<Duration>,
) -> Result<(Arc<Client>, Arc<Watch>), Failure> {
    let client = Arc::new(Client::new(config(url, args)?));
    let watch = Watch::attach(&client);
    // Room for several attempts by default.
    let room = args
        .connect_timeout
        .saturating_mul(4)
        .max(Duration::from_secs(30));
    let wait = limit.map_or(room, |l| l.min(room));
    let result = client.connect(wait);
    match result {
        Ok(()) => Ok((client, watch)),
        Err(e) => {
            watch.finish();
            watch.closing();
            client.close();
            Err(Failure::new(match (watch.refused(), e) {
                (Some(refusal), _) => refusal,
                (None, Error::GaveUp { attempts, last }) => gave_up(&watch, attempts, last),
                (None, Error::Timeout { .. }) => {
                    let mut text =
                        format!("not connected within {}", humantime::format_duration(wait));
                    if let Some(f) = watch.last_failure() {
                        text.push_str(&format!(" (last failure: {f})"));
                    }
                    text
                }
                (None, e) => redact(&e.report().to_string()),
            }))
        }
    }
}

/// The line for a client that gave up: what it had reached, the attempts, and the last
/// error unless the watcher printed it already.
fn gave_up(watch: &Watch, attempts: u32, last: Option<Box<Error>>) -> String {
    let printed = watch.printed_failure().unwrap_or_default();
    let last = last
        .map(|l| redact(&l.report().to_string()))
        .filter(|l| !printed.contains(l.as_str()))
        .map(|l| format!("; last: {l}"))
        .unwrap_or_default();
    if watch.ever_connected() {
        // The client counts attempts since its last stable connection (or the start): before
        // any connection was stable, that includes the attempts before the first CONNECTED,
        // which are no reconnects.
        let reconnects = attempts.min(watch.attempts_since_first_connected());
        let s = plural(reconnects);
        format!("connection lost, gave up after {reconnects} reconnect attempt{s}{last}")
    } else {
        let s = plural(attempts);
        format!("cannot connect: gave up after {attempts} attempt{s}{last}")
    }
}

/// `"s"` unless `n` is 1.
fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Why the client stopped for good (its receiver thread ended), for the last line.
pub fn why_stopped(client: &Client, watch: &Watch) -> String {
    if let Some(refusal) = watch.refused() {
        return refusal;
    }
    match client.wait_for_connection(Duration::ZERO) {
        Err(Error::GaveUp { attempts, last }) => gave_up(watch, attempts, last),
        _ => match watch.last_failure() {
            Some(printed) => format!("connection lost ({printed})"),
            None => "connection lost".into(),
        },
    }
}
