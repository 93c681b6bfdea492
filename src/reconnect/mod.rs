//! Reconnect policy and the connection lifecycle: backoff, host lists, failover URIs and the
//! [`Supervisor`] (sans-I/O).
//!
//! This layer decides *when* and *where* a client tries to (re)connect, and when it gives up;
//! it never connects, sleeps or reads a clock. Delays are plain millisecond counts the shell adds to its own
//! `now`, and every random choice (jitter, shuffling) draws from a [`Random`] the caller passes
//! in, so the same inputs always give the same plan. It is `no_std` + `alloc` and has no
//! `unsafe` code.
//!
//! - [`Endpoint`] / [`Scheme`]: one broker URL — `tcp://`, `stomp://`, `ssl://`,
//!   `stomp+ssl://`, `ws://`, `wss://`, `multicast://`, or a bare `host:port`.
//! - [`Backoff`] / [`Jitter`]: how long the `k`-th wait is (stomp.py's formula, stompest's
//!   additive jitter, stompjs's doubling).
//! - [`MaxAttempts`]: when to give up, with converters for each library's way of counting.
//! - [`HostOrder`]: the order of one pass over the hosts (prefer localhost, loopback retry,
//!   shuffle).
//! - [`Policy`]: all of the above, and the pure answer to "attempt `n`: which host, how long
//!   to wait first?" ([`Policy::attempt`]). [`Policy::default`] is stomp.py's;
//!   [`Policy::stompjs`] maps stompjs's settings.
//! - [`FailoverUri`]: `failover:(url,…)?option=…` as ActiveMQ and stompest write it, parsed
//!   into a [`Policy`] with [`FailoverUri::policy`]; its options are [`FailoverOption`]s.
//! - [`Supervisor`]: the whole lifecycle of one client as a state machine — `handle_*` in
//!   (start, transport opened/failed/closed, CONNECTED, session closed, stop, time),
//!   [`Action`]s and a deadline out: which entry to open, when, when to close a silent
//!   attempt (the CONNECTED timeout of [`SupervisorConfig`]), when to give up. It knows
//!   entries by index ([`Targets`]), so a shell without the URL parser can use it; why an
//!   attempt ended is a [`Reason`]; [`earliest`] merges its deadline with the session's.
//! - [`Schedule`]: the older, smaller helper — only "which endpoint next, after how long".
//!
//! ```
//! use stompwire::reconnect::{FailoverUri, Schedule};
//!
//! let uri: FailoverUri = "failover:(tcp://primary:61613,tcp://backup:61613)\
//!     ?initialReconnectDelay=500&maxReconnectDelay=4000&randomize=false\
//!     &startupMaxReconnectAttempts=-1"
//!     .parse()
//!     .unwrap();
//! let mut schedule = Schedule::new(uri.policy(), uri.endpoints.clone());
//! let mut random = || 0u32; // a real source in a shell
//!
//! let plan: Vec<String> = (0..6)
//!     .map(|_| {
//!         let next = schedule.next_attempt(&mut random).unwrap();
//!         format!("{}ms {}", next.attempt.delay_ms, next.endpoint)
//!     })
//!     .collect();
//! assert_eq!(plan, [
//!     "0ms tcp://primary:61613",
//!     "500ms tcp://backup:61613",
//!     "1000ms tcp://primary:61613",
//!     "2000ms tcp://backup:61613",
//!     "4000ms tcp://primary:61613",
//!     "4000ms tcp://backup:61613",
//! ]);
//! ```
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
#![warn(clippy::exhaustive_enums, clippy::exhaustive_structs)]

mod action;
mod attempts;
mod backoff;
mod deadline;
mod endpoint;
mod error;
mod failover;
mod failover_option;
mod hosts;
mod policy;
mod random;
mod reason;
mod schedule;
mod stompjs;
mod supervisor;
mod supervisor_config;
mod targets;
mod transport_failure;

pub use action::Action;
pub use attempts::MaxAttempts;
pub use backoff::{Backoff, Jitter};
pub use deadline::earliest;
pub use endpoint::{DEFAULT_MULTICAST_GROUP, Endpoint, Scheme};
pub use error::{EndpointError, FailoverError};
pub use failover::{FailoverOptions, FailoverUri};
pub use failover_option::FailoverOption;
pub use hosts::{HostOrder, LOCALHOST_NAMES, LOOPBACK};
pub use policy::{Attempt, Pacing, Phase, Policy};
pub use random::Random;
pub use reason::Reason;
pub use schedule::{Planned, Schedule};
pub use stompjs::ReconnectTimeMode;
pub use supervisor::Supervisor;
pub use supervisor_config::SupervisorConfig;
pub use targets::Targets;
pub use transport_failure::TransportFailure;
