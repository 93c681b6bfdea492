//! `Delivered`: the connection each MESSAGE the client handed out came on, so that its ACK or
//! NACK goes through the session's stale-message rule
//! ([`Session::ack_from`](crate::session::Session::ack_from)).

use std::collections::HashMap;

use crate::frame::Frame;
use crate::session::SharedId;

/// The MESSAGE frames of `client` and `client-individual` subscriptions handed out to the
/// program and not yet acknowledged, by acknowledgement key (the 1.2 `ack` header, else
/// `message-id`): the connection each came on ([`Session::connection`] when its event was
/// polled), its subscription, and the order of arrival.
///
/// An entry goes when its message is acknowledged (in `client` mode, an ACK or NACK also
/// takes the earlier messages of its subscription on the same connection), when its
/// subscription ends, and when the client stops. One of an earlier connection stays until
/// then, so that it stays refused: what is kept is bounded by the messages left
/// unacknowledged when a connection ends. A frame with no entry (of an `auto`
/// subscription, already acknowledged, or not delivered by this client) is acknowledged as
/// the session sees fit on the connection open now. A broker that gives a redelivered copy
/// the acknowledgement key of the first delivery leaves one entry, the copy's: acknowledging
/// either frame then acknowledges the copy.
///
/// [`Session::connection`]: crate::session::Session::connection
#[derive(Debug, Default)]
pub(crate) struct Delivered {
    next: u64,
    by_key: HashMap<String, Entry>,
}

#[derive(Debug)]
struct Entry {
    connection: u64,
    subscription: SharedId,
    order: u64,
}

/// What identifies a MESSAGE to its ACK: what the session names in the ACK frame.
fn key(frame: &Frame) -> Option<&str> {
    frame.ack().or_else(|| frame.message_id())
}

impl Delivered {
    /// Records `frame`, delivered on `connection` to `subscription`.
    pub(crate) fn record(&mut self, frame: &Frame, subscription: &SharedId, connection: u64) {
        let Some(key) = key(frame) else {
            return;
        };
        self.next += 1;
        self.by_key.insert(
            key.to_owned(),
            Entry {
                connection,
                subscription: subscription.clone(),
                order: self.next,
            },
        );
    }

    /// The connection `frame` came on and its subscription, when it is recorded.
    pub(crate) fn get(&self, frame: &Frame) -> Option<(u64, &str)> {
        let entry = self.by_key.get(key(frame)?)?;
        Some((entry.connection, &entry.subscription))
    }

    /// Forgets `frame`, and with `cumulative` the messages of its subscription that came
    /// before it on the same connection.
    pub(crate) fn settle(&mut self, frame: &Frame, cumulative: bool) {
        let Some(entry) = key(frame).and_then(|k| self.by_key.remove(k)) else {
            return;
        };
        if cumulative {
            self.by_key.retain(|_, e| {
                e.subscription != entry.subscription
                    || e.connection != entry.connection
                    || e.order > entry.order
            });
        }
    }

    /// Forgets the messages of subscription `id`.
    pub(crate) fn forget_subscription(&mut self, id: &str) {
        self.by_key.retain(|_, e| e.subscription.as_str() != id);
    }

    /// Forgets every message.
    pub(crate) fn clear(&mut self) {
        self.by_key = HashMap::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Command;

    fn message(ack: &str) -> Frame {
        let mut frame = Frame::new(Command::Message);
        frame.headers.push("ack", ack);
        frame
    }

    #[test]
    fn cumulative_settle_takes_earlier_messages_of_the_same_connection_only() {
        let mut delivered = Delivered::default();
        let (s, t) = (SharedId::new("s".into()), SharedId::new("t".into()));
        delivered.record(&message("a"), &s, 1);
        delivered.record(&message("b"), &s, 2);
        delivered.record(&message("c"), &t, 2);
        delivered.record(&message("d"), &s, 2);
        delivered.record(&message("e"), &s, 2);
        delivered.settle(&message("d"), true);
        assert_eq!(delivered.get(&message("a")), Some((1, "s")));
        assert_eq!(delivered.get(&message("b")), None);
        assert_eq!(delivered.get(&message("c")), Some((2, "t")));
        assert_eq!(delivered.get(&message("d")), None);
        assert_eq!(delivered.get(&message("e")), Some((2, "s")));
        delivered.settle(&message("e"), false);
        delivered.forget_subscription("t");
        assert_eq!(delivered.by_key.len(), 1);
    }
}
