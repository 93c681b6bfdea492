//! A progress bar on stderr, drawn only when stderr is a terminal (nothing otherwise, so
//! logs and pipes stay clean).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::report;

/// A bar of `len` steps, or `None` when stderr is not a terminal.
pub fn bar(len: u64, prefix: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} {per_sec} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(prefix.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    report::set_bar(Some(bar.clone()));
    Some(bar)
}

/// Removes the bar from the screen.
pub fn clear(bar: Option<ProgressBar>) {
    if let Some(bar) = bar {
        report::set_bar(None);
        bar.finish_and_clear();
    }
}
