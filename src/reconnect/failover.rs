//! ActiveMQ-style failover URIs, `failover:(url,url,…)?option=value&…`, as stompest reads
//! them: [`FailoverUri`] and its [`FailoverOptions`].

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use super::{
    Backoff, Endpoint, FailoverError, FailoverOption, HostOrder, Jitter, MaxAttempts, Pacing,
    Policy,
};

/// The options of a failover URI, with stompest's defaults.
///
/// The struct is `#[non_exhaustive]`, so that options can be added without breaking users:
/// outside this crate, start from [`FailoverOptions::default`] and use the `with_*` setters.
///
/// ```
/// use stompwire::reconnect::{Endpoint, FailoverOptions, FailoverUri};
///
/// let mut uri = FailoverUri::new(vec![Endpoint::parse("tcp://a:61613").unwrap()]);
/// uri.options = FailoverOptions::default()
///     .with_initial_reconnect_delay_ms(250)
///     .with_randomize(false);
/// assert_eq!(
///     uri.to_string(),
///     "failover:(tcp://a:61613)?initialReconnectDelay=250&randomize=false"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FailoverOptions {
    /// `initialReconnectDelay`: the first wait, in milliseconds.
    pub initial_reconnect_delay_ms: u64,
    /// `maxReconnectDelay`: the longest wait, in milliseconds.
    pub max_reconnect_delay_ms: u64,
    /// `useExponentialBackOff`: multiply the wait by
    /// [`back_off_multiplier`](Self::back_off_multiplier) after each attempt.
    pub use_exponential_back_off: bool,
    /// `backOffMultiplier`: the growth factor, finite and at least 1.
    pub back_off_multiplier: f64,
    /// `maxReconnectAttempts`: retries after the first attempt, once connected before;
    /// `None` (written `-1`) retries forever.
    pub max_reconnect_attempts: Option<u32>,
    /// `startupMaxReconnectAttempts`: the same before the first successful connection.
    pub startup_max_reconnect_attempts: Option<u32>,
    /// `reconnectDelayJitter`: up to this many random milliseconds added to each wait.
    pub reconnect_delay_jitter_ms: u64,
    /// `randomize`: shuffle the brokers for every pass.
    pub randomize: bool,
    /// `priorityBackup`: try local brokers first.
    pub priority_backup: bool,
}

impl Default for FailoverOptions {
    fn default() -> FailoverOptions {
        FailoverOptions {
            initial_reconnect_delay_ms: 10,
            max_reconnect_delay_ms: 30_000,
            use_exponential_back_off: true,
            back_off_multiplier: 2.0,
            max_reconnect_attempts: None,
            startup_max_reconnect_attempts: Some(0),
            reconnect_delay_jitter_ms: 0,
            randomize: true,
            priority_backup: false,
        }
    }
}

impl FailoverOptions {
    /// Sets [`initial_reconnect_delay_ms`](Self::initial_reconnect_delay_ms).
    #[must_use]
    pub fn with_initial_reconnect_delay_ms(mut self, ms: u64) -> FailoverOptions {
        self.initial_reconnect_delay_ms = ms;
        self
    }

    /// Sets [`max_reconnect_delay_ms`](Self::max_reconnect_delay_ms).
    #[must_use]
    pub fn with_max_reconnect_delay_ms(mut self, ms: u64) -> FailoverOptions {
        self.max_reconnect_delay_ms = ms;
        self
    }

    /// Sets [`use_exponential_back_off`](Self::use_exponential_back_off).
    #[must_use]
    pub fn with_use_exponential_back_off(mut self, on: bool) -> FailoverOptions {
        self.use_exponential_back_off = on;
        self
    }

    /// Sets [`back_off_multiplier`](Self::back_off_multiplier).
    #[must_use]
    pub fn with_back_off_multiplier(mut self, multiplier: f64) -> FailoverOptions {
        self.back_off_multiplier = multiplier;
        self
    }

    /// Sets [`max_reconnect_attempts`](Self::max_reconnect_attempts).
    #[must_use]
    pub fn with_max_reconnect_attempts(mut self, retries: Option<u32>) -> FailoverOptions {
        self.max_reconnect_attempts = retries;
        self
    }

    /// Sets [`startup_max_reconnect_attempts`](Self::startup_max_reconnect_attempts).
    #[must_use]
    pub fn with_startup_max_reconnect_attempts(mut self, retries: Option<u32>) -> FailoverOptions {
        self.startup_max_reconnect_attempts = retries;
        self
    }

    /// Sets [`reconnect_delay_jitter_ms`](Self::reconnect_delay_jitter_ms).
    #[must_use]
    pub fn with_reconnect_delay_jitter_ms(mut self, ms: u64) -> FailoverOptions {
        self.reconnect_delay_jitter_ms = ms;
        self
    }

    /// Sets [`randomize`](Self::randomize).
    #[must_use]
    pub fn with_randomize(mut self, on: bool) -> FailoverOptions {
        self.randomize = on;
        self
    }

    /// Sets [`priority_backup`](Self::priority_backup).
    #[must_use]
    pub fn with_priority_backup(mut self, on: bool) -> FailoverOptions {
        self.priority_backup = on;
        self
    }
}

/// A parsed failover URI (ActiveMQ's syntax, stompest's reading): the brokers, in the order
/// written, and the options.
///
/// Accepted forms:
///
/// - `failover:(tcp://a:61613,ws://b:15674/ws)?initialReconnectDelay=100&randomize=false`
/// - `failover:tcp://a:61613,tcp://b:61613?maxReconnectAttempts=5` — without parentheses the
///   list ends at the first `?`, so an endpoint with a query needs the parentheses;
/// - the `failover:` prefix may be left out (stompest allows it), so a single broker URL is a
///   list of one;
/// - options are separated by `&` (ActiveMQ) or `,` (stompest); written back with `&`.
///
/// Entries are [`Endpoint`]s, so every scheme of that model may be mixed in one list.
///
/// | option | type | default | meaning |
/// |---|---|---|---|
/// | `initialReconnectDelay` | ms | 10 | the first wait |
/// | `maxReconnectDelay` | ms | 30000 | the longest wait |
/// | `useExponentialBackOff` | bool | true | multiply the wait after each attempt |
/// | `backOffMultiplier` | number ≥ 1 | 2.0 | by how much |
/// | `maxReconnectAttempts` | `-1` or n | -1 | retries after the first attempt once connected before (`-1`: forever) |
/// | `startupMaxReconnectAttempts` | `-1` or n | 0 | the same before the first connection |
/// | `reconnectDelayJitter` | ms | 0 | random extra added to each wait, within `maxReconnectDelay` |
/// | `randomize` | bool | true | shuffle the brokers for every pass |
/// | `priorityBackup` | bool | false | try local brokers first |
///
/// The defaults are stompest's. ActiveMQ's Java client differs in one: its
/// `startupMaxReconnectAttempts` defaults to `-1` (forever), where stompest's `0` gives a client
/// that has never connected a single attempt, at the first broker of the pass. Write the option
/// to get ActiveMQ's behaviour. Option names are case-sensitive; `true`/`false` are not. An
/// option given twice, an empty one and an unknown one are errors.
///
/// [`FailoverUri::policy`] turns the options into a [`Policy`]: [`Pacing::PerAttempt`],
/// [`Jitter::Millis`], retries converted with [`MaxAttempts::from_retries`], `priorityBackup`
/// as [`HostOrder::prefer_localhost`].
///
/// ```
/// use stompwire::reconnect::{FailoverUri, MaxAttempts, Phase, Scheme};
///
/// let uri: FailoverUri = "failover:(tcp://a:61613,ws://b:15674/ws)\
///     ?initialReconnectDelay=100&maxReconnectAttempts=5&randomize=false"
///     .parse()
///     .unwrap();
/// assert_eq!(uri.endpoints[1].scheme, Scheme::Ws);
/// assert_eq!(uri.options.initial_reconnect_delay_ms, 100);
///
/// let policy = uri.policy();
/// assert_eq!(policy.max_attempts, MaxAttempts::Total(6));
/// let waits: Vec<u64> = (0..4)
///     .map(|n| policy.attempt(n, 2, Phase::Reconnect, &mut || 0).unwrap().delay_ms)
///     .collect();
/// assert_eq!(waits, [0, 100, 200, 400]);
///
/// // Written back in full form, only the options that differ from the defaults.
/// assert_eq!(
///     uri.to_string(),
///     "failover:(tcp://a:61613,ws://b:15674/ws)\
///      ?initialReconnectDelay=100&maxReconnectAttempts=5&randomize=false"
/// );
///
/// let bad = "failover:(tcp://a:1)?initialReconectDelay=5".parse::<FailoverUri>();
/// assert_eq!(bad.unwrap_err().to_string(),
///            "unknown failover option \"initialReconectDelay\"");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::exhaustive_structs)] // closed: the brokers and the options (which may grow)
pub struct FailoverUri {
    /// The brokers, in the order written.
    pub endpoints: Vec<Endpoint>,
    /// The options.
    pub options: FailoverOptions,
}

const PREFIX: &str = "failover:";

impl FailoverUri {
    /// A failover list with the default options.
    pub fn new(endpoints: Vec<Endpoint>) -> FailoverUri {
        FailoverUri {
            endpoints,
            options: FailoverOptions::default(),
        }
    }

    /// Reads a failover URI; see [`FailoverUri`] for the forms.
    pub fn parse(uri: &str) -> Result<FailoverUri, FailoverError> {
        let body = match uri.get(..PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(PREFIX) => &uri[PREFIX.len()..],
            _ => uri,
        };
        let (list, query) = match body.strip_prefix('(') {
            Some(inner) => {
                let close = inner.find(')').ok_or(FailoverError::UnclosedParenthesis)?;
                let after = &inner[close + 1..];
                let query = match after {
                    "" => None,
                    _ => Some(after.strip_prefix('?').ok_or_else(|| {
                        FailoverError::TrailingText {
                            text: after.to_string(),
                        }
                    })?),
                };
                (&inner[..close], query)
            }
            None => match body.split_once('?') {
                Some((list, query)) => (list, Some(query)),
                None => (body, None),
            },
        };
        if list.is_empty() {
            return Err(FailoverError::EmptyList);
        }
        let endpoints = list
            .split(',')
            .enumerate()
            .map(|(index, entry)| {
                if entry.is_empty() {
                    return Err(FailoverError::EmptyEntry { index });
                }
                Endpoint::parse(entry).map_err(|error| FailoverError::Endpoint { index, error })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let options = parse_options(query.unwrap_or(""))?;
        Ok(FailoverUri { endpoints, options })
    }

    /// The reconnect policy these options describe (stompest's semantics).
    pub fn policy(&self) -> Policy {
        let o = &self.options;
        let retries = |n: Option<u32>| match n {
            None => MaxAttempts::Forever,
            Some(n) => MaxAttempts::Total(n.saturating_add(1)),
        };
        Policy {
            backoff: Backoff {
                initial_ms: o.initial_reconnect_delay_ms,
                multiplier: if o.use_exponential_back_off {
                    o.back_off_multiplier
                } else {
                    1.0
                },
                max_ms: o.max_reconnect_delay_ms,
                jitter: match o.reconnect_delay_jitter_ms {
                    0 => Jitter::None,
                    ms => Jitter::Millis(ms),
                },
            },
            pacing: Pacing::PerAttempt,
            max_attempts: retries(o.max_reconnect_attempts),
            startup_max_attempts: Some(retries(o.startup_max_reconnect_attempts)),
            wait_before_first_reconnect: false,
            hosts: HostOrder {
                randomize: o.randomize,
                prefer_localhost: o.priority_backup,
                try_loopback: false,
                local_names: Vec::new(),
            },
        }
    }
}

fn parse_options(query: &str) -> Result<FailoverOptions, FailoverError> {
    let mut options = FailoverOptions::default();
    if query.is_empty() {
        return Ok(options);
    }
    let mut seen = [false; FailoverOption::ALL.len()];
    for (index, item) in query.split(['&', ',']).enumerate() {
        if item.is_empty() {
            return Err(FailoverError::EmptyOption { index });
        }
        let (name, value) = match item.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (item, None),
        };
        let Some(option) = FailoverOption::from_name(name) else {
            return Err(FailoverError::UnknownOption {
                name: name.to_string(),
            });
        };
        // `ALL` lists every option once, so `position` always finds it.
        let slot = FailoverOption::ALL
            .iter()
            .position(|o| *o == option)
            .unwrap_or(0);
        if seen[slot] {
            return Err(FailoverError::DuplicateOption { option });
        }
        seen[slot] = true;
        let value = value.ok_or(FailoverError::MissingValue { option })?;
        let o = &mut options;
        match option {
            FailoverOption::InitialReconnectDelay => {
                o.initial_reconnect_delay_ms = millis(option, value)?;
            }
            FailoverOption::MaxReconnectDelay => o.max_reconnect_delay_ms = millis(option, value)?,
            FailoverOption::UseExponentialBackOff => {
                o.use_exponential_back_off = boolean(option, value)?;
            }
            FailoverOption::BackOffMultiplier => {
                o.back_off_multiplier = multiplier(option, value)?;
            }
            FailoverOption::MaxReconnectAttempts => {
                o.max_reconnect_attempts = retries(option, value)?;
            }
            FailoverOption::StartupMaxReconnectAttempts => {
                o.startup_max_reconnect_attempts = retries(option, value)?;
            }
            FailoverOption::ReconnectDelayJitter => {
                o.reconnect_delay_jitter_ms = millis(option, value)?;
            }
            FailoverOption::Randomize => o.randomize = boolean(option, value)?,
            FailoverOption::PriorityBackup => o.priority_backup = boolean(option, value)?,
        }
    }
    Ok(options)
}

fn invalid(option: FailoverOption, value: &str) -> FailoverError {
    FailoverError::InvalidValue {
        option,
        value: value.to_string(),
    }
}

fn digits<T: FromStr>(value: &str) -> Option<T> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

fn millis(option: FailoverOption, value: &str) -> Result<u64, FailoverError> {
    digits(value).ok_or_else(|| invalid(option, value))
}

fn boolean(option: FailoverOption, value: &str) -> Result<bool, FailoverError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid(option, value))
    }
}

fn multiplier(option: FailoverOption, value: &str) -> Result<f64, FailoverError> {
    match decimal(value) {
        Some(m) if m >= 1.0 => Ok(m),
        _ => Err(invalid(option, value)),
    }
}

/// Parses `DIGITS[.DIGITS]` with at most 15 digits in all, the only form a multiplier takes
/// here. Hand-written because `f64::from_str` brings several kilobytes of tables into a wasm
/// build. Exact: both the digits and the power of ten are integers below 2^53, and one IEEE
/// division rounds correctly, so the result is the nearest `f64`, as `from_str` gives.
fn decimal(value: &str) -> Option<f64> {
    let (whole, frac) = value.split_once('.').unwrap_or((value, ""));
    if whole.is_empty()
        || value.ends_with('.')
        || whole.len() + frac.len() > 15
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = whole
        .bytes()
        .chain(frac.bytes())
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    let scale = frac.bytes().fold(1u64, |p, _| p * 10);
    Some(digits as f64 / scale as f64)
}

fn retries(option: FailoverOption, value: &str) -> Result<Option<u32>, FailoverError> {
    if value == "-1" {
        return Ok(None);
    }
    digits(value)
        .map(Some)
        .ok_or_else(|| invalid(option, value))
}

impl FromStr for FailoverUri {
    type Err = FailoverError;

    fn from_str(uri: &str) -> Result<FailoverUri, FailoverError> {
        FailoverUri::parse(uri)
    }
}

impl fmt::Display for FailoverUri {
    /// `failover:(a,b,…)`, then `?` and the options that differ from the defaults, joined by
    /// `&`, in the order of the option table on [`FailoverUri`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PREFIX)?;
        f.write_str("(")?;
        for (i, endpoint) in self.endpoints.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{endpoint}")?;
        }
        f.write_str(")")?;
        let o = &self.options;
        let d = FailoverOptions::default();
        let attempts = |n: Option<u32>| match n {
            None => "-1".to_string(),
            Some(n) => n.to_string(),
        };
        let values: [Option<String>; FailoverOption::ALL.len()] = [
            (o.initial_reconnect_delay_ms != d.initial_reconnect_delay_ms)
                .then(|| o.initial_reconnect_delay_ms.to_string()),
            (o.max_reconnect_delay_ms != d.max_reconnect_delay_ms)
                .then(|| o.max_reconnect_delay_ms.to_string()),
            (o.use_exponential_back_off != d.use_exponential_back_off)
                .then(|| o.use_exponential_back_off.to_string()),
            (o.back_off_multiplier != d.back_off_multiplier)
                .then(|| o.back_off_multiplier.to_string()),
            (o.max_reconnect_attempts != d.max_reconnect_attempts)
                .then(|| attempts(o.max_reconnect_attempts)),
            (o.startup_max_reconnect_attempts != d.startup_max_reconnect_attempts)
                .then(|| attempts(o.startup_max_reconnect_attempts)),
            (o.reconnect_delay_jitter_ms != d.reconnect_delay_jitter_ms)
                .then(|| o.reconnect_delay_jitter_ms.to_string()),
            (o.randomize != d.randomize).then(|| o.randomize.to_string()),
            (o.priority_backup != d.priority_backup).then(|| o.priority_backup.to_string()),
        ];
        let mut separator = "?";
        for (name, value) in FailoverOption::ALL.iter().zip(values) {
            if let Some(value) = value {
                write!(f, "{separator}{name}={value}")?;
                separator = "&";
            }
        }
        Ok(())
    }
}
