//! The one way the tool writes a line to stderr: `stompwire: …`, with the passcode blanked,
//! and above the progress bar when one is drawn.

use std::sync::{Mutex, OnceLock};

use indicatif::ProgressBar;

static SECRET: OnceLock<String> = OnceLock::new();
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Remembers the passcode, so that no line printed shows it (a broker may echo it back).
pub fn set_secret(passcode: Option<&str>) {
    if let Some(p) = passcode.filter(|p| !p.is_empty()) {
        let _ = SECRET.set(p.to_owned());
    }
}

/// `text` with the passcode, if any, replaced by `***`.
pub fn redact(text: &str) -> String {
    match SECRET.get() {
        Some(secret) => text.replace(secret.as_str(), "***"),
        None => text.to_owned(),
    }
}

/// Draws lines above `bar` while it is shown (`None`: the bar is gone).
pub fn set_bar(bar: Option<ProgressBar>) {
    *BAR.lock().unwrap_or_else(|e| e.into_inner()) = bar;
}

/// Prints `stompwire: {text}` on stderr as one line.
pub fn line(text: &str) {
    let one_line: String = redact(text)
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let message = format!("stompwire: {one_line}");
    match BAR.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        Some(bar) => bar.suspend(|| eprintln!("{message}")),
        None => eprintln!("{message}"),
    }
}

/// An error and its sources on one line: `outer: inner: innermost` (each error's own text
/// says only its own step).
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
