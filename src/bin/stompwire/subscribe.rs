//! `stompwire subscribe`: print a destination's messages.

use std::io::Write;
use std::time::{Duration, Instant};

use stompwire::frame::{Command, Frame, Headers};
use stompwire::session::AckMode;

use crate::args::{AckArg, Cli, SubscribeArgs};
use crate::connect::{connect, frame_headers, why_stopped};
use crate::fail::Failure;
use crate::json::frame_to_json;

/// Runs `subscribe`: ends after `--count` messages (success), at `--timeout` (success
/// without `--count`, else a failure naming how many came), or when the client stops for
/// good (a failure naming why).
pub fn run(cli: &Cli, args: &SubscribeArgs) -> Result<(), Failure> {
    let ack = match args.ack {
        AckArg::Auto => AckMode::Auto,
        AckArg::Client => AckMode::Client,
        AckArg::ClientIndividual => AckMode::ClientIndividual,
    };
    let headers = frame_headers(&cli.connection, &args.headers, Command::Subscribe)?;
    // The time limit covers connecting too.
    let deadline = args.timeout.map(|t| Instant::now() + t);
    let (client, watch) = connect(&args.url, &cli.connection, args.timeout)?;
    let messages = client.subscribe_messages(&args.destination, ack, headers)?;
    let mut seen = 0u64;
    let mut stopped = false;
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
            Err(()) => {
                stopped = true;
                break;
            }
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
            match client.ack(&frame, Headers::new()) {
                // It came on a connection since dropped: the broker delivers it again, and
                // that copy is the one counted.
                Err(stompwire::native::Error::StaleMessage) => continue,
                result => result?,
            }
        }
        seen += 1;
    }
    watch.finish();
    watch.closing();
    let complete = args.count.is_none_or(|c| seen >= c);
    if stopped {
        let why = why_stopped(&client, &watch);
        return Err(match args.count {
            Some(c) => Failure::new(format!("received {seen} of {c} messages: {why}")),
            None => Failure::new(why),
        });
    }
    if !complete {
        let c = args.count.unwrap_or(0);
        let within = args
            .timeout
            .map(|t| humantime::format_duration(t).to_string())
            .unwrap_or_default();
        return Err(match watch.last_failure() {
            Some(f) => Failure::new(format!(
                "received {seen} of {c} messages within {within} (last failure: {f})"
            )),
            None => Failure::incomplete(format!("received {seen} of {c} messages within {within}")),
        });
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
