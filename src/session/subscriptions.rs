//! The subscription registry: what is subscribed, with which id and ack mode, for routing
//! messages and for replay after a reconnect.

use alloc::string::String;
use alloc::vec::Vec;

use crate::frame::Headers;

/// How messages of a subscription are acknowledged.
///
/// In `Client` mode an ACK is **cumulative**: acknowledging a message acknowledges every
/// message delivered to that subscription before it. In `ClientIndividual` mode (1.1+) each
/// ACK or NACK covers only the one message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[allow(clippy::exhaustive_enums)] // closed: the `ack` values of STOMP 1.0–1.2
pub enum AckMode {
    /// The server considers a message acknowledged once sent (the default).
    #[default]
    Auto,
    /// Cumulative acknowledgement.
    Client,
    /// Per-message acknowledgement (1.1+).
    ClientIndividual,
}

impl AckMode {
    /// The value of the `ack` header.
    pub const fn as_str(self) -> &'static str {
        match self {
            AckMode::Auto => "auto",
            AckMode::Client => "client",
            AckMode::ClientIndividual => "client-individual",
        }
    }

    /// Parses an `ack` header value.
    pub fn parse(s: &str) -> Option<AckMode> {
        match s {
            "auto" => Some(AckMode::Auto),
            "client" => Some(AckMode::Client),
            "client-individual" => Some(AckMode::ClientIndividual),
            _ => None,
        }
    }
}

/// One registered subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subscription {
    /// The subscription id (the `id` header), shared with the messages routed to it.
    pub id: SharedId,
    /// The destination.
    pub destination: String,
    /// The ack mode.
    pub ack: AckMode,
    /// Every header of the SUBSCRIBE as sent (replayed as is, minus `receipt`).
    pub headers: Headers,
}

/// A subscription id as the registry keeps it: one allocation per subscription, shared by
/// the [`Event::Message`]s routed to it (a message costs no copy of it). An `Arc<String>`;
/// an `Rc<String>` on targets without atomic pointers (such as `thumbv6m`), where the
/// session is not `Send`.
///
/// [`Event::Message`]: super::Event::Message
#[cfg(target_has_atomic = "ptr")]
pub type SharedId = alloc::sync::Arc<String>;
/// A subscription id as the registry keeps it: one allocation per subscription, shared by
/// the [`Event::Message`]s routed to it (a message costs no copy of it). An `Rc<String>` on
/// this target, which has no atomic pointers (elsewhere an `Arc<String>`).
///
/// [`Event::Message`]: super::Event::Message
#[cfg(not(target_has_atomic = "ptr"))]
pub type SharedId = alloc::rc::Rc<String>;

/// The subscriptions, in the order they were made (the order of replay). Few enough that a
/// linear search is the cheapest lookup, in time and in code size.
#[derive(Clone, Debug, Default)]
pub(crate) struct Subscriptions {
    list: Vec<Subscription>,
}

impl Subscriptions {
    /// Adds `sub`, replacing one with the same id in place.
    pub(crate) fn insert(&mut self, sub: Subscription) {
        match self.list.iter_mut().find(|s| s.id == sub.id) {
            Some(slot) => *slot = sub,
            None => self.list.push(sub),
        }
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Subscription> {
        let i = self.list.iter().position(|s| s.id.as_str() == id)?;
        Some(self.list.remove(i))
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Subscription> {
        self.list.iter().find(|s| s.id.as_str() == id)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// The first subscription made to `destination` (STOMP 1.0 messages may lack
    /// `subscription`).
    pub(crate) fn by_destination(&self, destination: &str) -> Option<&Subscription> {
        self.list.iter().find(|s| s.destination == destination)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Subscription> {
        self.list.iter()
    }

    pub(crate) fn clear(&mut self) {
        self.list.clear();
    }
}
