//! The order in which a pass tries its hosts: [`HostOrder`] (stomp.py's `prefer_localhost` and
//! `try_loopback_connect`, stompest's `randomize` and `priorityBackup`).

use alloc::string::String;
use alloc::vec::Vec;

use super::{Endpoint, Random, Targets};

/// The names every machine calls itself.
pub const LOCALHOST_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// The loopback address an extra entry points at.
pub const LOOPBACK: &str = "127.0.0.1";

/// How one pass over the endpoints is ordered: stomp.py's `prefer_localhost` and
/// `try_loopback_connect`, stompest's `randomize` and `priorityBackup`.
///
/// One pass over the configured endpoints is built in three steps, each optional:
///
/// 1. **randomize** — shuffle the list with the injected [`Random`] (stompest reshuffles for every
///    pass; so does [`Schedule`](super::Schedule)).
/// 2. **prefer localhost** — move the endpoints whose host is [local](HostOrder::is_local) to the
///    front, keeping the order within each group (a stable sort, as stomp.py and stompest do).
/// 3. **try loopback** — for each local endpoint whose port has no `127.0.0.1` or `localhost`
///    entry yet, put a copy with host `127.0.0.1` at the very front. This is stomp.py's rule
///    word for word: it matters for entries that name this machine by its own host name or
///    address, and adds nothing for an entry that already says `localhost` or `127.0.0.1`.
///
/// A host is local if it is `localhost` or `127.0.0.1`, or one of
/// [`HostOrder::local_names`] — where stomp.py adds the machine's host name, fully qualified
/// name and address, which a shell with an operating system fills in. Names compare
/// ASCII-case-insensitively.
///
/// ```
/// use stompwire::reconnect::{Endpoint, HostOrder};
///
/// let hosts: Vec<Endpoint> = ["tcp://remote:61613", "tcp://myhost:61613"]
///     .iter()
///     .map(|u| u.parse().unwrap())
///     .collect();
/// let order = HostOrder::default().with_local_names(vec!["myhost".into()]);
/// let pass: Vec<String> = order
///     .order(&hosts, &mut || 0)
///     .iter()
///     .map(|e| e.to_string())
///     .collect();
/// assert_eq!(pass, [
///     "tcp://127.0.0.1:61613", // loopback for the local entry
///     "tcp://myhost:61613",    // local first
///     "tcp://remote:61613",
/// ]);
/// ```
///
/// The struct is `#[non_exhaustive]`: outside this crate, start from [`HostOrder::default`]
/// or [`HostOrder::as_given`] and use the `with_*` setters.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostOrder {
    /// Shuffle the endpoints at the start of every pass.
    pub randomize: bool,
    /// Try local endpoints before remote ones.
    pub prefer_localhost: bool,
    /// Also try `127.0.0.1` for a local endpoint named otherwise.
    pub try_loopback: bool,
    /// Further names of this machine (host name, FQDN, its addresses), besides
    /// [`LOCALHOST_NAMES`].
    pub local_names: Vec<String>,
}

impl Default for HostOrder {
    /// stomp.py's defaults: `prefer_localhost=True`, `try_loopback_connect=True`, no shuffling.
    fn default() -> HostOrder {
        HostOrder {
            randomize: false,
            prefer_localhost: true,
            try_loopback: true,
            local_names: Vec::new(),
        }
    }
}

impl HostOrder {
    /// Keeps the configured order: no shuffling, no preference, no extra entries.
    pub fn as_given() -> HostOrder {
        HostOrder {
            randomize: false,
            prefer_localhost: false,
            try_loopback: false,
            local_names: Vec::new(),
        }
    }

    /// Sets [`randomize`](Self::randomize).
    #[must_use]
    pub fn with_randomize(mut self, on: bool) -> HostOrder {
        self.randomize = on;
        self
    }

    /// Sets [`prefer_localhost`](Self::prefer_localhost).
    #[must_use]
    pub fn with_prefer_localhost(mut self, on: bool) -> HostOrder {
        self.prefer_localhost = on;
        self
    }

    /// Sets [`try_loopback`](Self::try_loopback).
    #[must_use]
    pub fn with_try_loopback(mut self, on: bool) -> HostOrder {
        self.try_loopback = on;
        self
    }

    /// Sets [`local_names`](Self::local_names).
    #[must_use]
    pub fn with_local_names(mut self, names: Vec<String>) -> HostOrder {
        self.local_names = names;
        self
    }

    /// Whether `host` names this machine.
    pub fn is_local(&self, host: &str) -> bool {
        LOCALHOST_NAMES
            .iter()
            .copied()
            .chain(self.local_names.iter().map(String::as_str))
            .any(|name| name.eq_ignore_ascii_case(host))
    }

    /// One pass over `endpoints`, ordered as described on [`HostOrder`].
    /// Draws `endpoints.len() − 1` times from `random` when [`randomize`](Self::randomize) is
    /// set, never otherwise. The same order as [`Targets::pass`] over [`Targets::of`], whose
    /// loopback copies are made from the first local entry of a scheme and port as
    /// configured.
    pub fn order<R: Random + ?Sized>(
        &self,
        endpoints: &[Endpoint],
        random: &mut R,
    ) -> Vec<Endpoint> {
        let (targets, list) = Targets::of(self, endpoints);
        targets
            .pass(self, random)
            .into_iter()
            .map(|i| list[i].clone())
            .collect()
    }
}
