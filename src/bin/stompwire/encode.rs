//! `stompwire encode`: JSON lines to raw STOMP frames.

use std::io::{BufRead, Write};

use stompwire::frame::{ContentLength, encode_heartbeat, encode_with};

use crate::args::EncodeArgs;
use crate::fail::Failure;
use crate::json::{Line, json_to_frame};

/// Runs `encode`; a bad line names its number and the problem and exits 2.
///
/// Frames are written as the JSON says: `content-length` only where the JSON has it, or where
/// the body holds a NUL. One EOL after a frame's NUL belongs to the frame, so a HEARTBEAT
/// right after a frame is written as two EOLs; `decode` then reads back the same lines.
pub fn run(args: &EncodeArgs) -> Result<(), Failure> {
    let version = args.version;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut buf = Vec::new();
    let mut after_frame = false;
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |m: String| Failure::usage(format!("line {}: {m}", i + 1));
        buf.clear();
        match json_to_frame(&line).map_err(bad)? {
            Line::Heartbeat => {
                if after_frame {
                    encode_heartbeat(&mut buf);
                }
                encode_heartbeat(&mut buf);
                after_frame = false;
            }
            Line::Frame(frame) => {
                encode_with(&frame, version, ContentLength::Skip, &mut buf)
                    .map_err(|e| bad(e.to_string()))?;
                after_frame = true;
            }
        }
        out.write_all(&buf)?;
    }
    out.flush()?;
    Ok(())
}
