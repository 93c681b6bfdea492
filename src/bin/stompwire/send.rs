//! `stompwire send`: send a body N times, optionally with receipts.

use std::io::Read;
use std::time::Instant;

use stompwire::frame::Command;
use stompwire::native::Error;

use crate::args::{Cli, SendArgs};
use crate::connect::{connect, frame_headers};
use crate::fail::Failure;

/// Runs `send`.
pub fn run(cli: &Cli, args: &SendArgs) -> Result<(), Failure> {
    let mut base = frame_headers(&cli.connection, &args.headers, Command::Send)?;
    if let Some(ct) = &args.content_type {
        base.set("content-type", ct);
    }
    let body = match (&args.body, &args.file) {
        (Some(b), _) => b.clone().into_bytes(),
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| Failure::new(format!("cannot read {}: {e}", path.display())))?,
        (None, None) => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            buf
        }
    };
    let (client, watch) = connect(&args.url, &cli.connection, None)?;
    let mut receipts = Vec::new();
    for _ in 0..args.count {
        if args.receipt {
            receipts.push(client.send_with_receipt(
                &args.destination,
                body.clone(),
                base.clone(),
            )?);
        } else {
            client.send(&args.destination, body.clone(), base.clone())?;
        }
    }
    let deadline = Instant::now() + args.timeout;
    let total = receipts.len();
    for (done, receipt) in receipts.iter().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        if let Err(e) = receipt.wait(left) {
            watch.finish();
            watch.closing();
            let what = format!("{done} of {total} receipts came; receipt {}", receipt.id());
            return Err(match (e, watch.last_failure()) {
                (_, Some(f)) => Failure::new(format!("{what} did not arrive (last failure: {f})")),
                (Error::Timeout { .. }, None) => Failure::incomplete(format!(
                    "{what} did not arrive within {}",
                    humantime::format_duration(args.timeout)
                )),
                (e, None) => Failure::new(format!(
                    "{what}: {}",
                    crate::report::redact(&e.report().to_string())
                )),
            });
        }
    }
    // Sent frames are written by the receiver thread: one it could not send, or a connection
    // lost under frames without receipts, fails the run.
    let lost_before = watch.connections_lost();
    watch.finish();
    watch.closing();
    // A graceful DISCONNECT: its receipt confirms the broker has processed every frame.
    let disconnected = client.disconnect();
    if let Some(refused) = watch.refused_send() {
        return Err(Failure::new(refused));
    }
    if !args.receipt && lost_before.max(watch.connections_lost()) > 0 {
        return Err(Failure::new(
            "the connection was lost while sending: frames sent without --receipt may not have arrived"
                .to_string(),
        ));
    }
    // Without --receipt, the DISCONNECT's RECEIPT is the broker's only word that it has the
    // frames.
    if !args.receipt && watch.disconnect_unconfirmed() {
        return Err(Failure::incomplete(
            "the broker did not confirm the DISCONNECT (no RECEIPT in time): frames sent without --receipt may not have arrived"
                .to_string(),
        ));
    }
    disconnected?;
    Ok(())
}
