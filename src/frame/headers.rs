//! Frame headers: an ordered list of name/value pairs, repeats allowed.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

/// Where one header's name and value sit in [`Headers`]'s text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    name_start: u32,
    name_end: u32,
    value_start: u32,
    value_end: u32,
}

impl Span {
    fn name(&self) -> Range<usize> {
        self.name_start as usize..self.name_end as usize
    }
    fn value(&self) -> Range<usize> {
        self.value_start as usize..self.value_end as usize
    }
}

/// The headers of a frame, in wire order. Repeated names are kept; [`Headers::get`] returns
/// the first occurrence, which is the one that counts per the STOMP specification.
///
/// Stored as one string and a list of spans, so that a decoded frame costs two allocations for
/// its headers however many there are. Values are unescaped text.
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
    text: String,
    spans: Vec<Span>,
}

impl Headers {
    /// An empty header list.
    pub const fn new() -> Headers {
        Headers {
            text: String::new(),
            spans: Vec::new(),
        }
    }

    /// An empty header list with room for `count` headers and `text` bytes of names and values.
    pub fn with_capacity(count: usize, text: usize) -> Headers {
        Headers {
            text: String::with_capacity(text),
            spans: Vec::with_capacity(count),
        }
    }

    /// The number of header lines (repeats counted).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Appends a header line, after any with the same name.
    pub fn push(&mut self, name: &str, value: &str) {
        let name_start = self.text.len();
        self.text.push_str(name);
        let name_end = self.text.len();
        self.text.push_str(value);
        self.push_span(name_start, name_end, name_end, self.text.len());
    }

    /// The text buffer, for the decoder to append unescaped names and values to.
    pub(crate) fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// Records a header whose name and value were appended to the text buffer.
    pub(crate) fn push_span(
        &mut self,
        name_start: usize,
        name_end: usize,
        value_start: usize,
        value_end: usize,
    ) {
        self.spans.push(Span {
            name_start: name_start as u32,
            name_end: name_end as u32,
            value_start: value_start as u32,
            value_end: value_end as u32,
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
        match self.position(name) {
            Some(i) => {
                let value_start = self.text.len();
                self.text.push_str(value);
                let span = &mut self.spans[i];
                span.value_start = value_start as u32;
                span.value_end = self.text.len() as u32;
                let text = &self.text;
                let mut seen = 0usize;
                self.spans.retain(|s| {
                    if &text[s.name()] == name {
                        seen += 1;
                        seen == 1
                    } else {
                        true
                    }
                });
            }
            None => self.push(name, value),
        }
    }

    /// Removes every header named `name`; returns whether there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.spans.len();
        let text = &self.text;
        self.spans.retain(|s| &text[s.name()] != name);
        before != self.spans.len()
    }

    /// Removes every header.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    /// The header lines in wire order, as `(name, value)`.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            text: &self.text,
            spans: self.spans.iter(),
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.spans.iter().position(|s| &self.text[s.name()] == name)
    }
}

/// Iterator over `(name, value)` pairs of [`Headers`], in wire order.
pub struct Iter<'a> {
    text: &'a str,
    spans: core::slice::Iter<'a, Span>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.spans.next()?;
        Some((&self.text[s.name()], &self.text[s.value()]))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let s = self.spans.next_back()?;
        Some((&self.text[s.name()], &self.text[s.value()]))
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
pub(crate) const SECRET_HEADERS: [&str; 3] = ["passcode", "authorization", "token"];

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (n, v) in self.iter() {
            if SECRET_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s)) {
                list.entry(&(n, "***"));
            } else {
                list.entry(&(n, v));
            }
        }
        list.finish()
    }
}
