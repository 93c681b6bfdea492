//! `stompwire subscribe`: print a destination's messages.

use std::io::Write;
use std::time::{Duration, Instant};

use stompwire::frame::{Frame, Headers};
use stompwire::session::AckMode;

use crate::args::{AckArg, Cli, SubscribeArgs};
use crate::connect::connect;
use crate::fail::Failure;
use crate::json::frame_to_json;

/// Runs `subscribe`.
pub fn run(cli: &Cli, args: &SubscribeArgs) -> Result<(), Failure> {
    let ack = match args.ack {
        AckArg::Auto => AckMode::Auto,
        AckArg::Client => AckMode::Client,
        AckArg::ClientIndividual => AckMode::ClientIndividual,
    };
    let client = connect(&args.url, &cli.connection, &cli.connect_headers)?;
    let messages = client.subscribe_messages(&args.destination, ack, Headers::new())?;
    let deadline = args
        .timeout
        .map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    let mut seen = 0u64;
    let stdout = std::io::stdout();
    while args.count.is_none_or(|c| seen < c) {
        let wait = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) => left,
                None => break,
            },
            None => Duration::from_secs(3600),
        };
        let frame = match messages.recv_timeout(wait) {
            Ok(Some(frame)) => frame,
            Ok(None) => continue,
            Err(()) => return Err(Failure::new("the connection ended".into())),
        };
        {
            let mut out = stdout.lock();
            if args.json {
                writeln!(out, "{}", frame_to_json(&frame))?;
            } else {
                print_readable(&mut out, &frame)?;
            }
            out.flush()?;
        }
        if ack != AckMode::Auto {
            client.ack(&frame, Headers::new())?;
        }
        seen += 1;
    }
    client.disconnect()?;
    Ok(())
}

/// The frame as its command, headers and body, one blank line after.
fn print_readable(out: &mut impl Write, frame: &Frame) -> std::io::Result<()> {
    writeln!(out, "{}", frame.command)?;
    for (n, v) in frame.headers.iter() {
        writeln!(out, "{}:{}", n.escape_debug(), v.escape_debug())?;
    }
    writeln!(out)?;
    match frame.body_str() {
        Some(text) => writeln!(out, "{text}")?,
        None => writeln!(out, "({} bytes, not UTF-8)", frame.body().len())?,
    }
    writeln!(out)
}
