//! In-memory shell tests of the browser engine's lifecycle: a [`Lifecycle`] driven as the
//! JavaScript side drives it, over an in-memory socket to scripted brokers (one per broker
//! list entry), on a fake clock. No WebSocket, no sleeping, no randomness: each script gives
//! the same result on every run.
//!
//! The harness ([`Shell`]) carries out every [`Step`] the way `web/engine.rs` does: an `Open` makes
//! a socket to the entry's [`Broker`], a `Close` closes it (the session told first, then the
//! supervisor), a `GaveUp` stops. The broker answers what the session writes as its script
//! says.

use alloc::string::String;
use alloc::vec::Vec;
use std::format;

use super::{CloseCause, Lifecycle, Plan, Step};
use crate::frame::{Command, Decoder, Frame, Headers, Item, Limits};
use crate::reconnect::{MaxAttempts, Policy, ReconnectTimeMode};
use crate::session::{CloseReason, Event, HeartBeat, LostReason, NotResent, ReceiptOutcome};

/// How the broker behind one entry of the broker list behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Broker {
    /// Nothing listens: the socket closes without opening.
    Down,
    /// The socket never opens and never closes (a dropped SYN).
    Hangs,
    /// The socket opens (the kernel accepts) and nothing answers: a frozen node.
    Silent,
    /// Answers CONNECT with ERROR.
    Refuses,
    /// Answers CONNECT with CONNECTED (server heart-beats every 1 s), and every `receipt`.
    Accepts,
    /// As `Accepts`, but never sends a RECEIPT.
    NoReceipts,
}

/// What the shell saw, in order, with the time.
#[derive(Clone, Debug, PartialEq)]
enum Seen {
    Open(usize),
    Scheduled(u64),
    Connected(usize),
    Closed(CloseCause),
    Disconnected(CloseReason),
    Receipt(ReceiptOutcome),
    GaveUp(u32),
}

/// A lifecycle, its socket, the brokers and the fake clock.
struct Shell {
    link: Lifecycle<fn() -> u32>,
    /// The settings as they are when an attempt opens its socket (a test may change them).
    plan: Plan,
    brokers: Vec<Broker>,
    now: u64,
    /// The entry the socket goes to, while there is one.
    socket: Option<usize>,
    /// The broker has stopped talking on this socket (frozen).
    frozen: bool,
    seen: Vec<(u64, Seen)>,
}

fn no_random() -> u32 {
    0
}

/// stompjs's policy for `reconnectDelay` and `maxReconnectAttempts` (-1: for ever), as
/// `options.rs` builds it.
fn policy(delay_ms: u64, max: i32) -> Policy {
    let mut policy = Policy::stompjs(delay_ms, ReconnectTimeMode::Linear, 0);
    if max >= 0 {
        let n = max as u32;
        policy.max_attempts = MaxAttempts::Total(n);
        policy.startup_max_attempts = Some(MaxAttempts::Total(n + 1));
    }
    policy
}

fn plan(brokers: usize, delay_ms: u64, max: i32) -> Plan {
    Plan {
        policy: policy(delay_ms, max),
        targets: brokers,
        attempt_timeout_ms: None,
        connected_timeout_ms: Some(2_000),
    }
}

impl Shell {
    /// Activates a client over `brokers` under `plan`, at time 0.
    fn start(brokers: &[Broker], plan: Plan) -> Shell {
        let mut link = Lifecycle::new();
        let config = link.session.config_mut();
        // What `options.rs` applies: heart-beats in at 1 s (the brokers send them), closed when
        // they stop; receipts time out only when asked.
        config.heart_beat = HeartBeat {
            outgoing_ms: 0,
            incoming_ms: 1_000,
        };
        config.heart_beat_receive_scale = 2.0;
        config.connect_timeout_ms = None;
        config.receipt_timeout_ms = None;
        config.close_on_heartbeat_timeout = true;
        config.resend_unreceipted = false;
        config.replay_subscriptions = false;
        let mut shell = Shell {
            link,
            plan: plan.clone(),
            brokers: brokers.to_vec(),
            now: 0,
            socket: None,
            frozen: false,
            seen: Vec::new(),
        };
        let random: fn() -> u32 = no_random;
        shell.link.start(0, plan, random);
        shell.run();
        shell
    }

    fn see(&mut self, seen: Seen) {
        self.seen.push((self.now, seen));
    }

    /// Carries out steps and broker answers until neither has anything more.
    fn run(&mut self) {
        for _ in 0..1_000 {
            let answers = self.broker_answers();
            if !answers.is_empty() {
                for bytes in answers {
                    let _ = self.link.socket_message(&bytes, self.now, false);
                }
                continue;
            }
            let Some(step) = self.link.poll(self.now) else {
                return;
            };
            match step {
                Step::Event(event) => self.event(event),
                Step::Open { target } => self.open(target),
                Step::Close { cause, .. } => {
                    self.see(Seen::Closed(cause));
                    if self.socket.is_some() {
                        // The socket's `close` event, at once.
                        self.link.closing(self.now);
                        self.socket_closed();
                    } else {
                        self.link.transport_closed();
                    }
                }
                Step::Scheduled { delay_ms } => self.see(Seen::Scheduled(delay_ms)),
                Step::GaveUp { attempts } => {
                    self.see(Seen::GaveUp(attempts));
                    self.link.stop();
                    self.link.session.shut_down();
                }
            }
        }
        panic!("the lifecycle never settles");
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Connected(_) => {
                let target = self.socket.expect("CONNECTED without a socket");
                self.see(Seen::Connected(target));
            }
            Event::Disconnected(d) => self.see(Seen::Disconnected(d.reason)),
            Event::Receipt(outcome) => self.see(Seen::Receipt(outcome)),
            _ => {}
        }
    }

    fn open(&mut self, target: usize) {
        self.see(Seen::Open(target));
        assert!(self.socket.is_none(), "a second socket while one is open");
        // `beforeConnect` (none here) is over: the socket is made now.
        self.link.opening(self.now, self.plan.clone());
        match self.brokers[target] {
            Broker::Down => self.link.socket_failed(self.now),
            Broker::Hangs => self.socket = Some(target),
            _ => {
                self.socket = Some(target);
                self.frozen = false;
                self.link.socket_opened(self.now).expect("CONNECT");
            }
        }
    }

    /// The socket's `close` event, as `web/connecting.rs` handles it.
    fn socket_closed(&mut self) {
        self.socket = None;
        self.link.socket_closed(self.now);
        // The session's events come first (the queue), the supervisor hears of the close
        // after them.
        self.link.transport_closed();
    }

    /// The broker closes the connection (a restart, `close-connections`).
    fn broker_closes(&mut self) {
        assert!(self.socket.is_some());
        self.socket_closed();
        self.run();
    }

    /// What the broker sends back for what the session wrote.
    fn broker_answers(&mut self) -> Vec<Vec<u8>> {
        let mut answers = Vec::new();
        while let Some(chunk) = self.link.session.poll_transmit() {
            let frame = match Decoder::new(Limits::default()).decode(&chunk) {
                Ok(d) => match d.item {
                    Some(Item::Frame(frame)) => frame,
                    _ => continue,
                },
                Err(e) => panic!("the session wrote an undecodable chunk: {e}"),
            };
            self.link.session.recycle(chunk);
            let Some(target) = self.socket else {
                continue;
            };
            if self.frozen {
                continue;
            }
            let broker = self.brokers[target];
            match (frame.command, broker) {
                (Command::Connect | Command::Stomp, Broker::Refuses) => {
                    answers.push(b"ERROR\nmessage:access refused\ncontent-length:0\n\n\0".to_vec())
                }
                (Command::Connect | Command::Stomp, Broker::Accepts | Broker::NoReceipts) => {
                    answers.push(
                        b"CONNECTED\nversion:1.2\nheart-beat:1000,0\nserver:scripted\n\n\0"
                            .to_vec(),
                    );
                }
                (_, Broker::Accepts) => {
                    if let Some(id) = frame.header("receipt") {
                        answers.push(format!("RECEIPT\nreceipt-id:{id}\n\n\0").into_bytes());
                    }
                }
                _ => {}
            }
        }
        answers
    }

    /// Moves the clock to `to`, stopping at every deadline on the way as the page's timer
    /// would; a connected, unfrozen broker sends its heart-beat every second.
    fn advance_to(&mut self, to: u64) {
        for _ in 0..10_000 {
            let beat = (self.link.session.is_connected() && !self.frozen)
                .then(|| (self.now / 1_000 + 1) * 1_000);
            let next = [self.link.deadline(), beat].into_iter().flatten().min();
            match next {
                Some(at) if at <= to => {
                    self.now = self.now.max(at);
                    if beat == Some(at) {
                        let _ = self.link.socket_message(b"\n", self.now, false);
                    }
                    self.link.tick(self.now);
                    self.run();
                }
                _ => {
                    self.now = to;
                    return;
                }
            }
        }
        panic!("the clock never reaches {to}");
    }

    fn opens(&self) -> Vec<(u64, usize)> {
        self.seen
            .iter()
            .filter_map(|(t, s)| match s {
                Seen::Open(target) => Some((*t, *target)),
                _ => None,
            })
            .collect()
    }

    fn scheduled(&self) -> Vec<u64> {
        self.seen
            .iter()
            .filter_map(|(_, s)| match s {
                Seen::Scheduled(ms) => Some(*ms),
                _ => None,
            })
            .collect()
    }

    fn connected_to(&self) -> Option<usize> {
        self.link.session.is_connected().then_some(())?;
        self.socket
    }

    fn receipts(&self) -> Vec<ReceiptOutcome> {
        self.seen
            .iter()
            .filter_map(|(_, s)| match s {
                Seen::Receipt(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    /// Sends a message with a receipt, as `publishWithReceipt` does; returns the receipt id.
    fn publish_with_receipt(&mut self) -> String {
        let mut headers = Headers::new();
        let id = self.link.session.add_receipt(&mut headers);
        self.link
            .session
            .send("/queue/q", headers, &b"hi"[..], self.now)
            .expect("SEND");
        self.run();
        id
    }
}

#[test]
fn the_first_attempt_opens_at_once_and_later_ones_are_scheduled_with_the_policy_delay() {
    let mut shell = Shell::start(&[Broker::Accepts], plan(1, 200, -1));
    assert_eq!(shell.opens(), [(0, 0)]);
    assert_eq!(
        shell.scheduled(),
        [] as [u64; 0],
        "no onReconnectScheduled at the start"
    );
    assert_eq!(shell.connected_to(), Some(0));

    shell.advance_to(5_000);
    shell.broker_closes();
    assert_eq!(shell.scheduled(), [200]);
    assert_eq!(shell.connected_to(), None);
    shell.advance_to(5_199);
    assert_eq!(shell.opens().len(), 1, "opened before the delay was over");
    shell.advance_to(5_200);
    assert_eq!(shell.opens(), [(0, 0), (5_200, 0)]);
    assert_eq!(shell.connected_to(), Some(0));
}

#[test]
fn a_connected_timeout_closes_the_silent_broker_and_the_next_attempt_goes_to_another() {
    let mut shell = Shell::start(&[Broker::Silent, Broker::Accepts], plan(2, 100, -1));
    shell.advance_to(1_999);
    assert_eq!(shell.connected_to(), None);
    assert!(!shell.seen.iter().any(|(_, s)| matches!(s, Seen::Closed(_))));
    shell.advance_to(3_000);
    let closed: Vec<_> = shell
        .seen
        .iter()
        .filter(|(_, s)| matches!(s, Seen::Closed(_)))
        .collect();
    assert_eq!(closed, [&(2_000, Seen::Closed(CloseCause::Timeout))]);
    assert_eq!(shell.opens(), [(0, 0), (2_100, 1)]);
    assert_eq!(shell.connected_to(), Some(1));
}

#[test]
fn after_a_heartbeat_timeout_the_next_attempt_goes_to_another_broker_first() {
    // Both brokers work; the first one freezes while connected (no FIN: the socket stays
    // open). The session is told of the close before the supervisor, so the supervisor knows
    // the broker went silent and tries the other one first.
    let mut shell = Shell::start(&[Broker::Accepts, Broker::Accepts], plan(2, 100, -1));
    assert_eq!(shell.connected_to(), Some(0));
    shell.advance_to(10_000);
    assert_eq!(shell.connected_to(), Some(0), "heart-beats kept it open");
    shell.frozen = true;
    shell.advance_to(20_000);
    let lost_at = shell
        .seen
        .iter()
        .find_map(|(t, s)| (*s == Seen::Disconnected(CloseReason::HeartbeatTimeout)).then_some(*t))
        .expect("the heart-beat loss was not seen");
    // Heart-beats every 1 s from the broker, read with a scale of 2: lost 2 s after the last.
    assert_eq!(lost_at, 12_000);
    assert_eq!(shell.opens(), [(0, 0), (12_100, 1)]);
    assert_eq!(shell.connected_to(), Some(1));
}

#[test]
fn connection_timeout_bounds_an_attempt_whose_socket_never_opens() {
    let mut plan = plan(2, 100, -1);
    plan.attempt_timeout_ms = Some(300);
    let mut shell = Shell::start(&[Broker::Hangs, Broker::Accepts], plan);
    shell.advance_to(299);
    assert_eq!(shell.opens(), [(0, 0)]);
    shell.advance_to(1_000);
    assert!(
        shell
            .seen
            .contains(&(300, Seen::Closed(CloseCause::Timeout)))
    );
    assert_eq!(shell.opens(), [(0, 0), (400, 1)]);
    assert_eq!(shell.connected_to(), Some(1));
}

#[test]
fn settings_changed_while_active_shape_the_waits_after_the_attempt_that_reads_them() {
    let mut shell = Shell::start(&[Broker::Down], plan(1, 100, -1));
    shell.advance_to(150);
    assert_eq!(shell.scheduled(), [100, 100]);
    // stompjs's EXPONENTIAL, read as the attempt at 200 ms opens: the wait after it doubles.
    shell.plan.policy = Policy::stompjs(100, ReconnectTimeMode::Exponential, 0);
    shell.advance_to(800);
    assert_eq!(
        shell.opens(),
        [(0, 0), (100, 0), (200, 0), (400, 0), (800, 0)]
    );
    assert_eq!(shell.scheduled()[..4], [100, 100, 200, 400]);
}

#[test]
fn gives_up_after_the_first_attempt_and_max_reconnect_attempts_retries() {
    let mut shell = Shell::start(&[Broker::Down], plan(1, 50, 2));
    shell.advance_to(10_000);
    assert_eq!(shell.opens(), [(0, 0), (50, 0), (100, 0)]);
    assert_eq!(shell.scheduled(), [50, 50]);
    assert_eq!(shell.seen.last(), Some(&(100, Seen::GaveUp(3))));
    assert_eq!(shell.link.deadline(), None, "something is still planned");
}

#[test]
fn reconnect_delay_zero_gives_up_when_a_connection_is_lost() {
    let mut shell = Shell::start(&[Broker::Accepts], plan(1, 0, -1));
    assert_eq!(shell.connected_to(), Some(0));
    // Up long enough to count as a success (`SupervisorConfig::stable_after_ms`).
    shell.advance_to(5_000);
    shell.broker_closes();
    assert_eq!(shell.seen.last(), Some(&(5_000, Seen::GaveUp(0))));
    assert_eq!(shell.opens().len(), 1);
}

#[test]
fn a_refusal_is_reported_with_its_error_frame_and_not_retried_in_a_tight_loop() {
    let mut shell = Shell::start(&[Broker::Refuses, Broker::Accepts], plan(2, 10, -1));
    let refusal = shell.seen.iter().find_map(|(_, s)| match s {
        Seen::Disconnected(CloseReason::ConnectRefused(frame)) => Some(frame.clone()),
        _ => None,
    });
    let frame: Frame = refusal.expect("no refusal reported");
    assert_eq!(frame.command, Command::Error);
    assert_eq!(frame.message(), Some("access refused"));
    shell.advance_to(5_000);
    // The next attempt waits the supervisor's floor after an ERROR, not the 10 ms delay.
    assert_eq!(shell.opens(), [(0, 0), (1_000, 1)]);
    assert_eq!(shell.connected_to(), Some(1));
}

#[test]
fn a_receipt_is_confirmed_once() {
    let mut shell = Shell::start(&[Broker::Accepts], plan(1, 100, -1));
    let id = shell.publish_with_receipt();
    let receipts = shell.receipts();
    assert_eq!(receipts.len(), 1);
    assert!(
        matches!(&receipts[0], ReceiptOutcome::Confirmed { id: got, .. } if *got == id),
        "{receipts:?}"
    );
}

#[test]
fn a_receipt_outstanding_when_the_connection_drops_is_lost_before_the_disconnect() {
    let mut shell = Shell::start(&[Broker::NoReceipts], plan(1, 100, -1));
    let id = shell.publish_with_receipt();
    assert_eq!(shell.receipts(), []);
    shell.broker_closes();
    let lost = shell
        .seen
        .iter()
        .position(
            |(_, s)| matches!(s, Seen::Receipt(ReceiptOutcome::Lost { id: got, .. }) if *got == id),
        )
        .expect("the receipt was not reported lost");
    let disconnected = shell
        .seen
        .iter()
        .position(|(_, s)| matches!(s, Seen::Disconnected(_)))
        .expect("no Disconnected");
    assert!(lost < disconnected);
    assert_eq!(
        shell.receipts(),
        [ReceiptOutcome::Lost {
            id,
            reason: LostReason::Closed(NotResent::ResendDisabled),
        }]
    );
    // The client reconnects all the same.
    shell.advance_to(1_000);
    assert_eq!(shell.connected_to(), Some(0));
}

#[test]
fn a_receipt_deadline_holds_across_a_reconnect_and_times_out_once() {
    let mut shell = Shell::start(&[Broker::NoReceipts], plan(1, 100, -1));
    shell.link.session.config_mut().resend_unreceipted = true;
    let id = shell.publish_with_receipt();
    assert!(shell.link.session.set_receipt_deadline(&id, Some(3_000)));
    shell.advance_to(1_000);
    shell.broker_closes();
    shell.advance_to(10_000);
    assert_eq!(shell.connected_to(), Some(0), "not reconnected");
    let outcomes = shell.receipts();
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    assert!(
        matches!(&outcomes[0], ReceiptOutcome::Resent { id: got } if *got == id),
        "{outcomes:?}"
    );
    assert!(
        matches!(&outcomes[1], ReceiptOutcome::TimedOut { id: got } if *got == id),
        "{outcomes:?}"
    );
}

#[test]
fn giving_up_reports_a_receipt_kept_for_resending_lost_once() {
    let mut shell = Shell::start(&[Broker::NoReceipts], plan(1, 0, -1));
    shell.link.session.config_mut().resend_unreceipted = true;
    let id = shell.publish_with_receipt();
    // Up long enough to count as a success (`SupervisorConfig::stable_after_ms`).
    shell.advance_to(5_000);
    shell.broker_closes();
    assert!(shell.seen.iter().any(|(_, s)| matches!(s, Seen::GaveUp(0))));
    assert_eq!(
        shell.receipts(),
        [ReceiptOutcome::Lost {
            id,
            reason: LostReason::ShutDown,
        }]
    );
}

#[test]
fn stopping_cancels_the_planned_attempt() {
    let mut shell = Shell::start(&[Broker::Down], plan(1, 500, -1));
    assert_eq!(shell.scheduled(), [500]);
    assert_eq!(shell.link.deadline(), Some(500));
    shell.link.stop();
    assert_eq!(shell.link.deadline(), None);
    shell.advance_to(10_000);
    assert_eq!(shell.opens(), [(0, 0)]);
}

#[test]
fn a_session_that_ends_by_itself_is_closed_for_the_session_and_reconnected() {
    // The broker sends ERROR on an open session: the session asks for the close, and the
    // next attempt waits at least the supervisor's floor after a server ERROR.
    let mut shell = Shell::start(&[Broker::Accepts], plan(1, 100, -1));
    shell.advance_to(3_000);
    let _ = shell
        .link
        .session
        .handle_bytes(b"ERROR\nmessage:queue deleted\n\n\0", shell.now);
    shell.run();
    assert!(
        shell
            .seen
            .contains(&(3_000, Seen::Closed(CloseCause::Session)))
    );
    assert!(
        shell
            .seen
            .contains(&(3_000, Seen::Disconnected(CloseReason::ServerError)))
    );
    shell.advance_to(10_000);
    assert_eq!(shell.opens(), [(0, 0), (4_000, 0)]);
    assert_eq!(shell.connected_to(), Some(0));
}
