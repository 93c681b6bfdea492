//! [`Targets`]: the entries a supervisor connects to, known by index only, and what the host
//! order needs to know of them (which are local, which are loopback copies).

use alloc::string::String;
use alloc::vec::Vec;

use super::random::shuffle;
use super::{Endpoint, HostOrder, LOCALHOST_NAMES, LOOPBACK, Random};

/// The list a [`Supervisor`](super::Supervisor) picks from, by index: `0..len()`.
///
/// The supervisor never sees a URL: it says "open entry 3" and the shell knows what entry 3
/// is. So that [`HostOrder`] can still prefer local hosts and add loopback entries, a
/// `Targets` remembers, per configured entry, whether its host names this machine, and which
/// extra entries are loopback copies of which configured one.
///
/// - [`Targets::new`]: `n` entries, none known to be local (the browser: a list of WebSocket
///   URLs, or one `webSocketFactory`). [`HostOrder::prefer_localhost`] and
///   [`HostOrder::try_loopback`] then change nothing; [`HostOrder::randomize`] still shuffles.
/// - [`Targets::of`]: parsed [`Endpoint`]s. Returns the list to open by index too — the
///   configured endpoints, then the loopback copies [`HostOrder`] adds (one per local
///   scheme and port that has no `localhost`/`127.0.0.1` entry yet, copied from the first
///   such local entry as configured).
///
/// [`HostOrder::order`] is this, mapped back to endpoints.
///
/// A pass over the targets is built as [`HostOrder`] describes: shuffle (when asked), local
/// entries first keeping their order (when asked), and the loopback copies at the very front,
/// in the order their local entries have in the pass. No sorting is involved.
///
/// ```
/// use stompwire::reconnect::{Endpoint, HostOrder, Targets};
///
/// let configured: Vec<Endpoint> = ["tcp://remote:61613", "tcp://myhost:61613"]
///     .iter()
///     .map(|u| u.parse().unwrap())
///     .collect();
/// let order = HostOrder::default().with_local_names(vec!["myhost".into()]);
/// let (targets, list) = Targets::of(&order, &configured);
/// assert_eq!(targets.len(), 3);
/// // Entries 0 and 1 as configured, entry 2 the loopback copy of entry 1.
/// assert_eq!(list[2].to_string(), "tcp://127.0.0.1:61613");
/// assert_eq!(targets.pass(&order, &mut || 0), [2, 1, 0]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Targets {
    /// Per configured entry: whether its host names this machine.
    local: Vec<bool>,
    /// Per configured entry: the loopback entry that covers its scheme and port, if any.
    loopback: Vec<Option<usize>>,
    /// How many loopback entries follow the configured ones.
    loopbacks: usize,
}

impl Targets {
    /// `len` entries, none known to be local, no loopback copies.
    pub fn new(len: usize) -> Targets {
        Targets {
            local: alloc::vec![false; len],
            loopback: alloc::vec![None; len],
            loopbacks: 0,
        }
    }

    /// The targets for `endpoints` under `order`, and the list they index: `endpoints`
    /// followed by the loopback copies (only with [`HostOrder::try_loopback`]).
    pub fn of(order: &HostOrder, endpoints: &[Endpoint]) -> (Targets, Vec<Endpoint>) {
        let configured = endpoints.len();
        let local: Vec<bool> = endpoints.iter().map(|e| order.is_local(&e.host)).collect();
        let mut loopback = alloc::vec![None; configured];
        let mut list = endpoints.to_vec();
        if order.try_loopback {
            for (index, endpoint) in endpoints.iter().enumerate() {
                if !local[index] {
                    continue;
                }
                let covers = |e: &Endpoint| {
                    e.scheme == endpoint.scheme
                        && e.port == endpoint.port
                        && LOCALHOST_NAMES
                            .iter()
                            .any(|n| n.eq_ignore_ascii_case(&e.host))
                };
                if endpoints.iter().any(covers) {
                    continue;
                }
                loopback[index] = match list[configured..].iter().position(covers) {
                    Some(n) => Some(configured + n),
                    None => {
                        let mut copy = endpoint.clone();
                        copy.host = String::from(LOOPBACK);
                        list.push(copy);
                        Some(list.len() - 1)
                    }
                };
            }
        }
        let loopbacks = list.len() - configured;
        (
            Targets {
                local,
                loopback,
                loopbacks,
            },
            list,
        )
    }

    /// How many entries there are, loopback copies included.
    pub fn len(&self) -> usize {
        self.local.len() + self.loopbacks
    }

    /// Whether there is nothing to connect to.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One pass over the entries (each index once), ordered as [`HostOrder`] says. Draws
    /// `configured − 1` times from `random` when [`HostOrder::randomize`] is set, never
    /// otherwise.
    pub fn pass<R: Random + ?Sized>(&self, order: &HostOrder, random: &mut R) -> Vec<usize> {
        let configured = self.local.len();
        let mut pass: Vec<usize> = (0..configured).collect();
        if order.randomize {
            shuffle(&mut pass, random);
        }
        if order.prefer_localhost {
            // A stable partition: local entries first, each group in its order.
            let remote: Vec<usize> = pass.iter().copied().filter(|&i| !self.local[i]).collect();
            pass.retain(|&i| self.local[i]);
            pass.extend(remote);
        }
        if self.loopbacks == 0 {
            return pass;
        }
        let mut front = Vec::with_capacity(self.len());
        for &entry in &pass {
            if let Some(copy) = self.loopback[entry] {
                if !front.contains(&copy) {
                    front.push(copy);
                }
            }
        }
        front.extend(pass);
        front
    }
}
