//! A progress bar on stderr, drawn only when stderr is a terminal (nothing otherwise, so
//! logs and pipes stay clean).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::report;

/// A bar on stderr that is removed when dropped (also on an early error return).
pub struct Bar(Option<ProgressBar>);

impl Bar {
    /// The bar to update, if one is drawn.
    pub fn get(&self) -> Option<&ProgressBar> {
        self.0.as_ref()
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            report::set_bar(None);
            bar.finish_and_clear();
        }
    }
}

/// A bar of `len` steps; none is drawn when stderr is not a terminal.
pub fn bar(len: u64, prefix: &str) -> Bar {
    Bar(start(len, prefix))
}

fn start(len: u64, prefix: &str) -> Option<ProgressBar> {
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
