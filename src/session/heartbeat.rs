//! Heart-beat negotiation and the two deadlines that follow from it.

use super::HeartBeat;

/// The heart-beat intervals in force after CONNECTED, in milliseconds; 0 means none.
///
/// Per the specification: with the client's `cx,cy` and the server's `sx,sy`, the client sends
/// every `max(cx, sy)` unless either is 0, and expects to receive every `max(cy, sx)` unless
/// either is 0.
///
/// ```
/// use stompwire::session::{HeartBeat, Negotiated};
///
/// let ours = HeartBeat { outgoing_ms: 5_000, incoming_ms: 10_000 };
/// let n = Negotiated::from_offers(ours, (4_000, 20_000));
/// assert_eq!(n, Negotiated { send_ms: 20_000, receive_ms: 10_000 });
/// assert_eq!(Negotiated::from_offers(ours, (0, 0)), Negotiated::NONE);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(clippy::exhaustive_structs)] // closed: one interval each way
pub struct Negotiated {
    /// How often this client must send something (a frame or an EOL).
    pub send_ms: u32,
    /// How often the server promised to send something.
    pub receive_ms: u32,
}

impl Negotiated {
    /// No heart-beats.
    pub const NONE: Negotiated = Negotiated {
        send_ms: 0,
        receive_ms: 0,
    };

    /// Negotiates from this client's offer and the server's `(sx, sy)`.
    pub fn from_offers(ours: HeartBeat, (sx, sy): (u32, u32)) -> Negotiated {
        let pick = |a: u32, b: u32| if a == 0 || b == 0 { 0 } else { a.max(b) };
        Negotiated {
            send_ms: pick(ours.outgoing_ms, sy),
            receive_ms: pick(ours.incoming_ms, sx),
        }
    }
}

/// Tracks when bytes last went out and came in, and says when a heart-beat is due.
///
/// Until the first bytes after CONNECTED arrive, the incoming deadline has one more interval
/// of grace: some servers (ActiveMQ 5) send their first heart-beat only two intervals after
/// CONNECTED, and a plain `interval × scale` would time a healthy idle connection out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Heartbeats {
    pub(crate) negotiated: Negotiated,
    receive_scale: f64,
    last_sent: u64,
    last_received: u64,
    timed_out: bool,
    awaiting_first: bool,
}

impl Heartbeats {
    pub(crate) fn new(negotiated: Negotiated, receive_scale: f64, now: u64) -> Heartbeats {
        Heartbeats {
            negotiated,
            receive_scale,
            last_sent: now,
            last_received: now,
            timed_out: false,
            awaiting_first: true,
        }
    }

    pub(crate) fn sent(&mut self, now: u64) {
        self.last_sent = self.last_sent.max(now);
    }

    pub(crate) fn received(&mut self, now: u64) {
        self.last_received = self.last_received.max(now);
        self.timed_out = false;
        self.awaiting_first = false;
    }

    /// When the next outgoing heart-beat is due, if any.
    pub(crate) fn send_deadline(&self) -> Option<u64> {
        (self.negotiated.send_ms > 0).then(|| {
            self.last_sent
                .saturating_add(u64::from(self.negotiated.send_ms))
        })
    }

    /// When silence from the server becomes a timeout, if it can.
    pub(crate) fn receive_deadline(&self) -> Option<u64> {
        if self.negotiated.receive_ms == 0 || self.timed_out {
            return None;
        }
        let interval = f64::from(self.negotiated.receive_ms);
        let mut grace = (interval * self.receive_scale) as u64;
        if self.awaiting_first {
            grace = grace.saturating_add(u64::from(self.negotiated.receive_ms));
        }
        Some(self.last_received.saturating_add(grace.max(1)))
    }

    /// Marks the incoming deadline as reported, so that it is reported once per silence.
    pub(crate) fn mark_timed_out(&mut self) {
        self.timed_out = true;
    }

    pub(crate) fn last_received(&self) -> u64 {
        self.last_received
    }
}
