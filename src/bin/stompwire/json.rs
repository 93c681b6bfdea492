//! The JSON line form of a frame: `{"command":…, "headers":[[name,value],…], "body": text}`,
//! with `"body_base64"` instead of `"body"` when the body is not UTF-8.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use stompwire::frame::{Command, Frame, Headers};

/// A frame as one JSON line (no newline).
pub fn frame_to_json(frame: &Frame) -> String {
    let headers: Vec<Value> = frame.headers.iter().map(|(n, v)| json!([n, v])).collect();
    let mut object = json!({ "command": frame.command.as_str(), "headers": headers });
    match std::str::from_utf8(frame.body()) {
        Ok(text) => object["body"] = Value::from(text),
        Err(_) => object["body_base64"] = Value::from(STANDARD.encode(frame.body())),
    }
    object.to_string()
}

/// What one JSON line holds.
pub enum Line {
    /// A frame.
    Frame(Frame),
    /// `{"command":"HEARTBEAT"}`.
    Heartbeat,
}

/// Parses one JSON line; the error names what is wrong.
pub fn json_to_frame(line: &str) -> Result<Line, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let command = value
        .get("command")
        .and_then(Value::as_str)
        .ok_or("missing \"command\" string")?;
    if command == "HEARTBEAT" {
        return Ok(Line::Heartbeat);
    }
    let command = Command::from_bytes(command.as_bytes())
        .ok_or_else(|| format!("unknown command {command:?}"))?;
    let mut headers = Headers::new();
    if let Some(list) = value.get("headers") {
        let list = list.as_array().ok_or("\"headers\" is not an array")?;
        for (i, pair) in list.iter().enumerate() {
            let pair = pair
                .as_array()
                .filter(|p| p.len() == 2)
                .ok_or_else(|| format!("header {i} is not a [name, value] pair"))?;
            let (Some(name), Some(v)) = (pair[0].as_str(), pair[1].as_str()) else {
                return Err(format!("header {i} has a non-string name or value"));
            };
            headers.push(name, v);
        }
    }
    let body = match (value.get("body"), value.get("body_base64")) {
        (Some(_), Some(_)) => return Err("both \"body\" and \"body_base64\"".into()),
        (Some(b), None) => b
            .as_str()
            .ok_or("\"body\" is not a string")?
            .as_bytes()
            .to_vec(),
        (None, Some(b)) => STANDARD
            .decode(b.as_str().ok_or("\"body_base64\" is not a string")?)
            .map_err(|e| format!("\"body_base64\" is not base64: {e}"))?,
        (None, None) => Vec::new(),
    };
    Ok(Line::Frame(Frame::from_parts(command, headers, body)))
}
