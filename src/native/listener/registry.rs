//! The named listener registry (stomp.py's `set_listener` / `get_listener` / `remove_listener`).

use std::sync::{Arc, RwLock};

use super::Listener;

/// Listeners by name, called in the order they were first set.
///
/// ```
/// use std::sync::Arc;
/// use stompwire::native::listener::{Listeners, StatsListener};
///
/// let listeners = Listeners::new();
/// listeners.set("stats", Arc::new(StatsListener::new()));
/// assert!(listeners.get("stats").is_some());
/// assert!(listeners.remove("stats").is_some());
/// assert!(listeners.is_empty());
/// ```
#[derive(Default)]
pub struct Listeners {
    list: RwLock<Vec<(String, Arc<dyn Listener>)>>,
}

impl Listeners {
    /// An empty registry.
    pub fn new() -> Listeners {
        Listeners::default()
    }

    /// Sets the listener called `name`, replacing one of that name in place.
    pub fn set(&self, name: &str, listener: Arc<dyn Listener>) {
        let mut list = self.list.write().unwrap_or_else(|e| e.into_inner());
        match list.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = listener,
            None => list.push((name.to_owned(), listener)),
        }
    }

    /// The listener called `name`.
    pub fn get(&self, name: &str) -> Option<Arc<dyn Listener>> {
        let list = self.list.read().unwrap_or_else(|e| e.into_inner());
        list.iter().find(|(n, _)| n == name).map(|(_, l)| l.clone())
    }

    /// Removes the listener called `name`; returns it.
    pub fn remove(&self, name: &str) -> Option<Arc<dyn Listener>> {
        let mut list = self.list.write().unwrap_or_else(|e| e.into_inner());
        let i = list.iter().position(|(n, _)| n == name)?;
        Some(list.remove(i).1)
    }

    /// Whether some listener implements `on_send`.
    pub fn wants_on_send(&self) -> bool {
        let list = self.list.read().unwrap_or_else(|e| e.into_inner());
        list.iter().any(|(_, l)| l.wants_on_send())
    }

    /// Whether no listener is set.
    pub fn is_empty(&self) -> bool {
        self.list
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    /// A snapshot of the listeners, so that callbacks run without the registry locked (a
    /// callback may set or remove listeners).
    pub fn snapshot(&self) -> Vec<Arc<dyn Listener>> {
        let list = self.list.read().unwrap_or_else(|e| e.into_inner());
        list.iter().map(|(_, l)| l.clone()).collect()
    }

    /// Calls `f` on every listener.
    pub fn each(&self, mut f: impl FnMut(&dyn Listener)) {
        for l in self.snapshot() {
            f(l.as_ref());
        }
    }
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = self.list.read().unwrap_or_else(|e| e.into_inner());
        f.debug_list().entries(list.iter().map(|(n, _)| n)).finish()
    }
}
