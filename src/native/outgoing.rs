//! The write path: frames the session queued, taken under the shared lock and written in
//! order after it — and what becomes of a frame the transport refuses or cannot write.

use std::sync::{Arc, MutexGuard};

use super::Error;
use super::receipt::Outcome;
use super::shared::{Inner, Shared};
use super::transport::{Transport, TransportError};
use crate::frame::{Decoder, Frame, Item, Limits, Version};
use crate::session::LostReason;

impl Inner {
    /// Takes what the session queued, to be written with [`Outgoing::write`] after the shared
    /// lock is released: a thread blocked on a slow socket then never keeps the receiver thread
    /// from handling input. Write order is kept: the writes lock is taken before the shared
    /// lock is let go, and held until the writes are done.
    pub(crate) fn take_outgoing(&self, shared: &mut Shared) -> Outgoing<'_> {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        for buf in written.drain(..) {
            shared.session.recycle(buf);
        }
        let mut bufs = Vec::new();
        while let Some(buf) = shared.session.poll_transmit() {
            bufs.push(buf);
        }
        Outgoing {
            written,
            transport: shared.transport.clone(),
            bufs,
            version: shared.session.version(),
            want_frames: self.listeners.wants_on_send(),
            close: shared.session.wants_close(),
        }
    }

    /// Writes what the session queued, at once (for the receiver thread, which holds the
    /// shared lock anyway). A refused frame is only logged here: the receipt it asked for is
    /// ended ([`Inner::forget_refused`]), so its waiter hears of it.
    pub(crate) fn flush(&self, shared: &mut Shared) -> Vec<Frame> {
        let written = self.take_outgoing(shared).write();
        for refusal in &written.refused {
            log::warn!("the transport refused a frame: {}", refusal.error);
        }
        self.forget_refused(shared, &written.refused);
        written.frames
    }

    /// After a user call's write: ends the receipts of refused frames, and turns what the
    /// caller must hear into its error — a refusal always (nothing of that frame was sent, the
    /// transport is still open, and the frame is not sent again), a broken transport when
    /// `report_broken` (the call's frame is not kept by the session to send again).
    pub(crate) fn settle(&self, written: Written, report_broken: bool) -> Result<(), Error> {
        self.sent(written.frames);
        if !written.refused.is_empty() {
            let mut shared = self.lock();
            self.forget_refused(&mut shared, &written.refused);
            drop(shared);
            let first = written.refused.into_iter().next();
            return Err(Error::Transport(
                first.map_or(TransportError::Closed, |r| r.error),
            ));
        }
        match written.broken {
            Some(e) if report_broken => Err(Error::Transport(e)),
            _ => Ok(()),
        }
    }

    /// Ends the receipts the refused frames asked for: the session reports them lost, never
    /// sent ([`LostReason::NotSent`]), and keeps no copy to send again. A waiter hears of it
    /// at once, not when the receiver thread next wakes (which then finds nobody waiting).
    fn forget_refused(&self, shared: &mut Shared, refused: &[Refused]) {
        for id in refused.iter().filter_map(|r| r.receipt.as_deref()) {
            if shared.session.abandon_receipt(id, LostReason::NotSent) {
                if let Some(slot) = shared.receipts.remove(id) {
                    slot.complete(Outcome::Lost(LostReason::NotSent));
                }
            }
        }
    }

    /// Calls `on_send` for frames written.
    pub(crate) fn sent(&self, frames: Vec<Frame>) {
        for frame in frames {
            log::debug!("sent {frame:?}");
            self.listeners.each(|l| {
                if l.wants_on_send() {
                    l.on_send(&frame)
                }
            });
        }
    }
}

/// A frame the transport refused ([`TransportError::refuses_frame`]).
#[derive(Debug)]
pub(crate) struct Refused {
    pub(crate) error: TransportError,
    /// The `receipt` header of the frame, if it asked for one.
    pub(crate) receipt: Option<String>,
}

/// What [`Outgoing::write`] did.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// The frames written, for `on_send`, when a listener wants them.
    pub(crate) frames: Vec<Frame>,
    /// Frames the transport refused; it stays open, and the frames after them were written.
    pub(crate) refused: Vec<Refused>,
    /// The transport failed and was closed; the frames after the failed one were not
    /// written. The receiver thread sees the close and the session reports what it ends.
    pub(crate) broken: Option<TransportError>,
}

/// Frames taken from the session, to write in order; see [`Inner::take_outgoing`].
pub(crate) struct Outgoing<'a> {
    /// Buffers already written, given back to the session on the next take. Holding this
    /// lock keeps writes in the order they were taken.
    written: MutexGuard<'a, Vec<Vec<u8>>>,
    transport: Option<Arc<dyn Transport>>,
    bufs: Vec<Vec<u8>>,
    version: Version,
    want_frames: bool,
    close: bool,
}

impl Outgoing<'_> {
    /// Writes the frames, then closes the transport if the session wanted it closed.
    pub(crate) fn write(mut self) -> Written {
        let mut out = Written::default();
        for buf in std::mem::take(&mut self.bufs) {
            if let (Some(transport), None) = (&self.transport, &out.broken) {
                match transport.send(&buf) {
                    Ok(()) => {
                        if self.want_frames && buf.as_slice() != b"\n" {
                            out.frames.extend(decode_one(&buf, self.version));
                        }
                    }
                    Err(error) if error.refuses_frame() => {
                        let receipt = decode_one(&buf, self.version)
                            .and_then(|f| f.header("receipt").map(str::to_owned));
                        out.refused.push(Refused { error, receipt });
                    }
                    Err(error) => {
                        log::debug!("write failed: {error}");
                        transport.close();
                        out.broken = Some(error);
                    }
                }
            }
            self.written.push(buf);
        }
        if self.close {
            if let Some(t) = &self.transport {
                t.close();
            }
        }
        out
    }
}

/// Decodes the one frame in `bytes` (what the session wrote), for `on_send`.
fn decode_one(bytes: &[u8], version: Version) -> Option<Frame> {
    let mut decoder = Decoder::new(Limits {
        max_frame_size: usize::MAX,
        max_body_size: usize::MAX,
        max_headers: usize::MAX,
        max_header_line: usize::MAX,
        ..Limits::default()
    });
    decoder.set_version(version);
    decoder.feed(bytes).find_map(|item| match item {
        Ok(Item::Frame(f)) => Some(f),
        _ => None,
    })
}
