//! How a command fails: one line on stderr and an exit status.

use std::fmt;
use std::process::ExitCode;

/// A failure: what to print, and the exit status.
#[derive(Debug)]
pub struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    /// A runtime failure (exit 1).
    pub fn new(message: String) -> Failure {
        Failure { message, code: 1 }
    }

    /// Bad arguments or malformed input (exit 2).
    pub fn usage(message: String) -> Failure {
        Failure { message, code: 2 }
    }

    /// Fewer messages or receipts than asked for within the time given (exit 3).
    pub fn incomplete(message: String) -> Failure {
        Failure { message, code: 3 }
    }

    /// The exit status.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<stompwire::native::Error> for Failure {
    fn from(e: stompwire::native::Error) -> Failure {
        Failure::new(crate::report::redact(&e.report().to_string()))
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::new(format!("I/O error: {e}"))
    }
}
