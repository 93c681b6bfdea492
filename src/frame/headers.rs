//! Frame headers: an ordered list of name/value pairs, repeats allowed.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

/// The headers of a frame, in wire order. Repeated names are kept; [`Headers::get`] returns
/// the first occurrence, which is the one that counts per the STOMP specification.
///
/// Stored as one string holding every header as `name:value`, back to back, and where each
/// name and value ends, so that a decoded frame costs two allocations for its headers however
/// many there are. Names and values are unescaped text. Offsets are `usize`: any text that
/// fits in memory is indexed exactly. [`Headers::set`] and [`Headers::remove`] drop the text of
/// replaced or removed headers, so a list that is edited over and over does not grow.
///
/// ```
/// use stompwire::frame::Headers;
///
/// let mut h = Headers::new();
/// h.push("destination", "/queue/a");
/// h.push("foo", "1");
/// h.push("foo", "2");
/// assert_eq!(h.get("foo"), Some("1"));
/// assert_eq!(h.get_all("foo").collect::<Vec<_>>(), ["1", "2"]);
/// h.set("foo", "3");
/// assert_eq!(h.get_all("foo").collect::<Vec<_>>(), ["3"]);
/// assert_eq!(h.len(), 2);
/// ```
#[derive(Clone, Default)]
pub struct Headers {
    /// Every header as `name:value`, back to back, in wire order.
    text: String,
    /// Per header, where its name and its value end in `text`.
    ends: Vec<Ends>,
}

/// Where one header's name and value end in [`Headers`]'s text: the name starts where the
/// previous header's value ends (or at 0) and ends at the `:` separator at `name`; the value
/// starts after that separator and ends at `value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ends {
    pub(crate) name: usize,
    pub(crate) value: usize,
}

/// The name and value ranges of header `i` of `ends`.
fn ranges(ends: &[Ends], i: usize) -> (Range<usize>, Range<usize>) {
    let start = if i == 0 { 0 } else { ends[i - 1].value };
    let e = ends[i];
    (start..e.name, e.name + 1..e.value)
}

impl Headers {
    /// An empty header list.
    pub const fn new() -> Headers {
        Headers {
            text: String::new(),
            ends: Vec::new(),
        }
    }

    /// An empty header list with room for `count` headers and `text` bytes of names and values.
    pub fn with_capacity(count: usize, text: usize) -> Headers {
        Headers {
            text: String::with_capacity(text.saturating_add(count)),
            ends: Vec::with_capacity(count),
        }
    }

    /// Headers from a text of `name:value` pieces and their ends, as the decoder builds them.
    /// Every end must lie on a character boundary of `text`, in order, with a `:` at each
    /// `name` end and the last `value` end at `text.len()`.
    pub(crate) fn from_parts(text: String, ends: Vec<Ends>) -> Headers {
        debug_assert!(ends.last().map_or(0, |e| e.value) == text.len());
        Headers { text, ends }
    }

    /// The number of header lines (repeats counted).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The length of the text that holds every name and value.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Appends a header line, after any with the same name.
    pub fn push(&mut self, name: &str, value: &str) {
        self.text.reserve(name.len() + 1 + value.len());
        self.text.push_str(name);
        let name_end = self.text.len();
        self.text.push(':');
        self.text.push_str(value);
        self.ends.push(Ends {
            name: name_end,
            value: self.text.len(),
        });
    }

    /// The value of the first header named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Every value of headers named `name`, in wire order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter().filter(move |(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Whether a header named `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name` to `value`: the first occurrence is replaced in place and any later
    /// occurrences removed; if there was none, the header is appended.
    pub fn set(&mut self, name: &str, value: &str) {
        let Some(first) = self.iter().position(|(n, _)| n == name) else {
            self.push(name, value);
            return;
        };
        let (_, old) = ranges(&self.ends, first);
        let old_len = old.len();
        self.text.replace_range(old, value);
        // Every end from this value on moves by the change in length.
        self.ends[first].value = self.ends[first].name + 1 + value.len();
        for e in &mut self.ends[first + 1..] {
            e.name = e.name - old_len + value.len();
            e.value = e.value - old_len + value.len();
        }
        let mut index = 0;
        self.retain(|n, _| {
            index += 1;
            index <= first + 1 || n != name
        });
    }

    /// Removes every header named `name`; returns whether there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.len();
        self.retain(|n, _| n != name);
        before != self.len()
    }

    /// Keeps the headers for which `keep(name, value)` is true; the text of the others is
    /// dropped. `keep` is called exactly once per header, in order. Rebuilds the text only
    /// when something is removed.
    fn retain(&mut self, mut keep: impl FnMut(&str, &str) -> bool) {
        let Some(first_drop) = self.iter().position(|(n, v)| !keep(n, v)) else {
            return;
        };
        let mut text = String::with_capacity(self.text.len());
        let mut ends = Vec::with_capacity(self.ends.len());
        for (i, (n, v)) in self.iter().enumerate() {
            if i == first_drop || (i > first_drop && !keep(n, v)) {
                continue;
            }
            text.push_str(n);
            let name = text.len();
            text.push(':');
            text.push_str(v);
            ends.push(Ends {
                name,
                value: text.len(),
            });
        }
        self.text = text;
        self.ends = ends;
    }

    /// Removes every header.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// The header lines in wire order, as `(name, value)`.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            text: &self.text,
            ends: &self.ends,
            front: 0,
            back: self.ends.len(),
        }
    }
}

/// Iterator over `(name, value)` pairs of [`Headers`], in wire order.
pub struct Iter<'a> {
    text: &'a str,
    ends: &'a [Ends],
    front: usize,
    back: usize,
}

impl<'a> Iter<'a> {
    fn at(&self, i: usize) -> (&'a str, &'a str) {
        let (name, value) = ranges(self.ends, i);
        // The ranges always fall on boundaries; `get` keeps a panic path out of the binary.
        (
            self.text.get(name).unwrap_or_default(),
            self.text.get(value).unwrap_or_default(),
        )
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        Some(self.at(self.front - 1))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl core::iter::FusedIterator for Iter<'_> {}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        Some(self.at(self.back))
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Headers {
        let mut h = Headers::new();
        h.extend(iter);
        h
    }
}

impl<N: AsRef<str>, V: AsRef<str>> Extend<(N, V)> for Headers {
    fn extend<I: IntoIterator<Item = (N, V)>>(&mut self, iter: I) {
        for (n, v) in iter {
            self.push(n.as_ref(), v.as_ref());
        }
    }
}

impl PartialEq for Headers {
    fn eq(&self, other: &Headers) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Headers {}

/// Header names whose values are credentials: shown as `***` in debug output.
const SECRET_HEADERS: [&str; 3] = ["passcode", "authorization", "token"];

/// Whether a header named `name` holds a credential (`passcode`, `authorization`, `token`,
/// any case): debug output shows its value as `***`.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s))
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (n, v) in self.iter() {
            if is_secret_header(n) {
                list.entry(&(n, "***"));
            } else {
                list.entry(&(n, v));
            }
        }
        list.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Headers;
    use alloc::format;
    use alloc::vec::Vec;

    fn pairs(h: &Headers) -> Vec<(&str, &str)> {
        h.iter().collect()
    }

    #[test]
    fn set_replaces_the_first_and_drops_the_rest_in_place() {
        let mut h: Headers = [("a", "1"), ("b", "2"), ("a", "3"), ("c", "4")]
            .into_iter()
            .collect();
        h.set("a", "longer value");
        assert_eq!(pairs(&h), [("a", "longer value"), ("b", "2"), ("c", "4")]);
        h.set("b", "");
        assert_eq!(pairs(&h), [("a", "longer value"), ("b", ""), ("c", "4")]);
        h.set("d", "5");
        assert_eq!(h.get("d"), Some("5"));
    }

    #[test]
    fn editing_over_and_over_does_not_grow_the_text() {
        let mut h = Headers::new();
        h.push("destination", "/queue/a");
        h.push("receipt", "0");
        let mut largest = 0;
        for i in 0..10_000 {
            h.set("receipt", &format!("{}", i % 100));
            h.push("x", "tmp");
            assert!(h.remove("x"));
            largest = largest.max(h.text_len());
        }
        assert!(largest <= "destination:/queue/a".len() + "receipt:99".len());
        assert_eq!(pairs(&h), [("destination", "/queue/a"), ("receipt", "99")]);
    }

    #[test]
    fn remove_reports_whether_anything_went() {
        let mut h: Headers = [("a", "1"), ("b", "2"), ("a", "3")].into_iter().collect();
        assert!(h.remove("a"));
        assert!(!h.remove("a"));
        assert_eq!(pairs(&h), [("b", "2")]);
    }

    #[test]
    fn names_and_values_may_hold_the_separator() {
        let mut h = Headers::new();
        h.push("a:b", "c:d");
        h.push("", ":");
        assert_eq!(pairs(&h), [("a:b", "c:d"), ("", ":")]);
        assert_eq!(h.get("a:b"), Some("c:d"));
    }

    #[test]
    fn iterates_from_both_ends() {
        let h: Headers = [("a", "1"), ("b", "2"), ("c", "3")].into_iter().collect();
        let mut it = h.iter();
        assert_eq!(it.len(), 3);
        assert_eq!(it.next_back(), Some(("c", "3")));
        assert_eq!(it.next(), Some(("a", "1")));
        assert_eq!(it.next_back(), Some(("b", "2")));
        assert_eq!(it.next(), None);
        assert_eq!(it.next_back(), None);
    }

    #[test]
    fn debug_hides_credentials() {
        let h: Headers = [
            ("login", "guest"),
            ("passcode", "secret"),
            ("Authorization", "x"),
        ]
        .into_iter()
        .collect();
        let shown = format!("{h:?}");
        assert!(shown.contains("guest"));
        assert!(!shown.contains("secret"));
        assert!(!shown.contains("\"x\""));
    }
}
