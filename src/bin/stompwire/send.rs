//! `stompwire send`: send a body N times, optionally with receipts.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::args::{Cli, SendArgs};
use crate::connect::{connect, headers};
use crate::fail::Failure;

/// Runs `send`.
pub fn run(cli: &Cli, args: &SendArgs) -> Result<(), Failure> {
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
    let mut base = headers(&args.headers)?;
    if let Some(ct) = &args.content_type {
        base.set("content-type", ct);
    }
    let client = connect(&args.url, &cli.connection, &cli.connect_headers)?;
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
    let deadline = Instant::now() + Duration::from_secs_f64(args.timeout.max(0.0));
    for receipt in &receipts {
        let left = deadline.saturating_duration_since(Instant::now());
        receipt
            .wait(left)
            .map_err(|e| Failure::new(format!("receipt {} did not arrive: {e}", receipt.id())))?;
    }
    // A graceful DISCONNECT: its receipt confirms the broker has processed every frame.
    client.disconnect()?;
    Ok(())
}
