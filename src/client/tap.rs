//! The driver's tap: everything that happens on the connection, in order, for a shell that
//! builds its own API on the one driver (the blocking native client and its stomp.py-style
//! listeners). With a tap the driver hands each batch to the shell's observer after each run,
//! with no lock held, so the observer may call back into the client.
// Only the native shell taps the driver.
#![cfg_attr(not(feature = "native"), allow(dead_code))]

use std::io;
use std::prelude::rust_2024::*;

use crate::session::Event;

use super::transport::Refused;

/// One thing the driver did or saw.
#[derive(Debug)]
pub(crate) enum Tapped {
    /// The supervisor opens the entry `target`.
    Opening { target: usize },
    /// Opening the entry `target` failed.
    OpenFailed { target: usize, error: io::Error },
    /// The next attempt, to `target`, goes in `delay_ms`.
    Scheduled { target: usize, delay_ms: u64 },
    /// A session event, with the connection it came on
    /// ([`Session::connection`](crate::session::Session::connection) when it was polled).
    Event(Event, u64),
    /// Bytes written, when the observer asked for them ([`Tap::written`]).
    Written(Vec<u8>),
    /// The bytes of [`Written`](Tapped::Written) that follow start a frame, after bytes
    /// that were not copied: a decoder of them starts afresh.
    CopyStarts,
    /// The connection refused a frame (and stays open).
    Refused(Refused),
    /// The supervisor gave up after `attempts`.
    GaveUp { attempts: u32 },
}

/// What the driver keeps for its observer between two hand-overs.
#[derive(Debug, Default)]
pub(crate) struct Tap {
    pub(crate) events: Vec<Tapped>,
    /// Copy the bytes written into [`Tapped::Written`].
    pub(crate) written: bool,
    /// Copying is under way (it starts at a frame's start once `written` is set).
    pub(crate) copying: bool,
}

/// The shell's side of the tap: called after each run of the driver with what it tapped.
pub(crate) type Observer = Box<dyn FnMut(Vec<Tapped>) + Send>;
