//! Logging: the `log` records of the tool and the library to stderr through `env_logger`, with
//! timestamps. `RUST_LOG` decides when set; otherwise `-v` is debug and `-vv` trace (nothing
//! but errors without either). Frames are logged in their `Debug` form, which hides
//! credentials, and every line also has the passcode blanked.

use std::io::Write;

use log::LevelFilter;

/// Starts logging for `verbose` (the count of `-v`).
pub fn init(verbose: u8) {
    let level = match verbose {
        0 => LevelFilter::Error,
        1 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    };
    let mut builder = env_logger::Builder::new();
    builder.filter_level(level);
    if let Ok(filter) = std::env::var("RUST_LOG") {
        builder.parse_filters(&filter);
    }
    builder
        .format(|buf, record| {
            let ts = buf.timestamp_millis();
            let text = crate::report::redact(&record.args().to_string());
            writeln!(buf, "[{ts} {} {}] {text}", record.level(), record.target())
        })
        .target(env_logger::Target::Stderr);
    let _ = builder.try_init();
}
