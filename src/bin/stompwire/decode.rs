//! `stompwire decode`: raw STOMP bytes to JSON lines.

use std::io::{Read, Write};

use stompwire::frame::{Decoder, Item, Limits};

use crate::args::DecodeArgs;
use crate::fail::Failure;
use crate::json::frame_to_json;

/// Runs `decode`: frames are printed as they complete; a malformed stream prints what was
/// decoded, then names the problem and exits 2.
pub fn run(args: &DecodeArgs) -> Result<(), Failure> {
    let mut input: Box<dyn Read> = match &args.file {
        Some(path) => Box::new(
            std::fs::File::open(path)
                .map_err(|e| Failure::new(format!("cannot open {}: {e}", path.display())))?,
        ),
        None => Box::new(std::io::stdin().lock()),
    };
    let mut decoder = Decoder::new(Limits::default());
    decoder.set_version(args.version);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut buf = vec![0u8; 64 * 1024];
    let mut offset = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for item in decoder.feed(&buf[..n]) {
            match item {
                Ok(Item::Frame(frame)) => writeln!(out, "{}", frame_to_json(&frame))?,
                Ok(Item::Heartbeat) if args.heartbeats => {
                    writeln!(out, "{{\"command\":\"HEARTBEAT\"}}")?
                }
                Ok(Item::Heartbeat) => {}
                Err(e) => {
                    out.flush()?;
                    return Err(Failure::usage(format!(
                        "malformed STOMP stream (in bytes {offset}..{}): {}",
                        offset + n as u64,
                        crate::report::chain(&e)
                    )));
                }
            }
        }
        offset += n as u64;
    }
    out.flush()?;
    if decoder.in_frame() {
        return Err(Failure::usage(
            "malformed STOMP stream: input ends inside a frame".into(),
        ));
    }
    Ok(())
}
