//! Rules of the connection lifecycle (`reconnect::Supervisor`): attempt order, backoff, giving
//! up, refusals, failover away from a silent endpoint, the CONNECTED timeout, and stopping.
//! A fake clock throughout: time moves only when a test says so.

use proptest::prelude::*;
use stompwire::reconnect::{
    Action, Backoff, Endpoint, FailoverUri, HostOrder, Jitter, MaxAttempts, Pacing, Phase, Policy,
    Random, Reason, ReconnectTimeMode, Supervisor, SupervisorConfig, Targets, TransportFailure,
};
use stompwire::session::{CloseReason, Config, Event, Session};

/// The reason a real session gives when CONNECT is answered with ERROR.
fn refusal() -> CloseReason {
    let mut session = Session::new(Config::default());
    session.connect(0).unwrap();
    let _ = session.handle_bytes(b"ERROR\nmessage:bad credentials\n\n\0", 1);
    session.handle_close(2);
    core::iter::from_fn(|| session.poll_event())
        .find_map(|e| match e {
            Event::Disconnected(d) => Some(d.reason),
            _ => None,
        })
        .expect("a Disconnected event")
}

/// A scripted random source: the given numbers, in turn, then zeros.
struct Draws(Vec<u32>);

impl Random for Draws {
    fn next_u32(&mut self) -> u32 {
        if self.0.is_empty() {
            0
        } else {
            self.0.remove(0)
        }
    }
}

/// A supervisor, the fake clock, and every action it produced, with its time.
struct Run<R: Random> {
    sup: Supervisor<R>,
    now: u64,
    log: Vec<(u64, Action)>,
}

impl<R: Random> Run<R> {
    fn new(policy: Policy, targets: Targets, config: SupervisorConfig, random: R) -> Run<R> {
        let mut run = Run {
            sup: Supervisor::new(policy, targets, config, random),
            now: 0,
            log: Vec::new(),
        };
        run.sup.start(0);
        run
    }

    /// Takes the actions produced so far.
    fn actions(&mut self) -> Vec<Action> {
        let mut out = Vec::new();
        while let Some(a) = self.sup.poll_action() {
            self.log.push((self.now, a.clone()));
            out.push(a);
        }
        out
    }

    /// Moves the clock to the supervisor's next deadline and lets it act.
    fn advance(&mut self) -> Vec<Action> {
        let deadline = self.sup.poll_timeout().expect("a deadline");
        assert!(deadline >= self.now, "deadline in the past");
        self.now = deadline;
        self.sup.handle_timeout(self.now);
        self.actions()
    }

    /// Runs until the next `Open`, waiting as asked; its target.
    fn next_open(&mut self) -> usize {
        loop {
            for a in self.actions() {
                match a {
                    Action::Open { target, .. } => return target,
                    Action::GaveUp { .. } | Action::Stopped => panic!("ended: {a:?}"),
                    _ => {}
                }
            }
            self.advance_or_panic();
        }
    }

    fn advance_or_panic(&mut self) {
        let deadline = self.sup.poll_timeout().expect("waiting for nothing");
        self.now = deadline;
        self.sup.handle_timeout(self.now);
    }

    /// The transport of the current attempt cannot be opened.
    fn unreachable(&mut self) {
        self.sup
            .handle_transport_failed(self.now, TransportFailure::Unreachable);
    }

    /// The transport opens, CONNECTED comes, and the connection stays up until it is stable
    /// (a success).
    fn connect(&mut self) {
        self.connect_briefly();
        let stable = self.sup.poll_timeout().expect("the stability deadline");
        assert_eq!(stable, self.now + self.sup.config().stable_after_ms);
        self.now = stable;
        self.sup.handle_timeout(self.now);
        assert!(self.sup.is_connected());
        assert_eq!(self.sup.poll_timeout(), None);
    }

    /// The transport opens and CONNECTED comes; the clock does not move.
    fn connect_briefly(&mut self) {
        self.sup.handle_transport_opened(self.now);
        self.sup.handle_connected(self.now);
        assert!(self.sup.is_connected());
    }

    /// The session ends for `reason`, then the transport closes.
    fn lose(&mut self, reason: CloseReason) {
        self.sup.handle_session_closed(self.now, &reason);
        self.sup.handle_transport_closed(self.now);
    }

    /// The transport opens, the server answers CONNECT with ERROR, and closes.
    fn refused(&mut self) {
        self.sup.handle_transport_opened(self.now);
        self.lose(refusal());
    }

    /// The delays of the `Scheduled` actions so far.
    fn delays(&self) -> Vec<u64> {
        self.log
            .iter()
            .filter_map(|(_, a)| match a {
                Action::Scheduled { delay_ms, .. } => Some(*delay_ms),
                _ => None,
            })
            .collect()
    }

    /// The `Open` actions so far: (time, target).
    fn opens(&self) -> Vec<(u64, usize)> {
        self.log
            .iter()
            .filter_map(|(t, a)| match a {
                Action::Open { target, .. } => Some((*t, *target)),
                _ => None,
            })
            .collect()
    }

    fn gave_up(&self) -> Option<(u32, Option<Reason>)> {
        self.log.iter().find_map(|(_, a)| match a {
            Action::GaveUp { attempts, last } => Some((*attempts, last.clone())),
            _ => None,
        })
    }
}

fn zeros() -> impl FnMut() -> u32 {
    || 0
}

/// Waits of `ms`, constant, before every attempt but the first; hosts as given.
fn per_attempt(ms: u64, multiplier: f64, max: MaxAttempts) -> Policy {
    Policy::default()
        .with_backoff(
            Backoff::default()
                .with_initial_ms(ms)
                .with_multiplier(multiplier)
                .with_max_ms(u64::MAX)
                .with_jitter(Jitter::None),
        )
        .with_pacing(Pacing::PerAttempt)
        .with_max_attempts(max)
        .with_startup_max_attempts(None)
        .with_wait_before_first_reconnect(false)
        .with_hosts(HostOrder::as_given())
}

/// stomp.py's policy, retrying forever, hosts as given.
fn stomp_py_forever() -> Policy {
    Policy::default()
        .with_max_attempts(MaxAttempts::Forever)
        .with_hosts(HostOrder::as_given())
}

const CLOSED: CloseReason = CloseReason::TransportClosed { mid_frame: false };

#[test]
fn attempts_go_through_the_endpoints_in_configured_order() {
    let policy = per_attempt(100, 1.0, MaxAttempts::Forever);
    let mut run = Run::new(
        policy,
        Targets::new(3),
        SupervisorConfig::default(),
        zeros(),
    );
    let mut order = Vec::new();
    for _ in 0..7 {
        order.push(run.next_open());
        run.unreachable();
    }
    assert_eq!(order, [0, 1, 2, 0, 1, 2, 0]);
}

#[test]
fn host_order_prefers_localhost_and_tries_loopback_first() {
    let configured: Vec<Endpoint> = ["tcp://remote:61613", "tcp://myhost:61613"]
        .iter()
        .map(|u| u.parse().unwrap())
        .collect();
    let hosts = HostOrder::default().with_local_names(vec!["myhost".into()]);
    let (targets, list) = Targets::of(&hosts, &configured);
    let policy = Policy::default()
        .with_max_attempts(MaxAttempts::Forever)
        .with_hosts(hosts.clone());
    let mut run = Run::new(policy, targets, SupervisorConfig::default(), zeros());
    let mut tried = Vec::new();
    for _ in 0..3 {
        tried.push(list[run.next_open()].to_string());
        run.unreachable();
    }
    assert_eq!(
        tried,
        [
            "tcp://127.0.0.1:61613",
            "tcp://myhost:61613",
            "tcp://remote:61613"
        ]
    );
    // The same order as the endpoint-level rule gives.
    let by_endpoint: Vec<String> = hosts
        .order(&configured, &mut || 0)
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(tried, by_endpoint);
}

#[test]
fn randomize_reshuffles_every_pass_from_the_injected_source() {
    let draws = vec![7 << 28, 1 << 30, 3 << 29, 1 << 31, 5 << 28, 9 << 28];
    let policy = per_attempt(10, 1.0, MaxAttempts::Forever)
        .with_hosts(HostOrder::as_given().with_randomize(true));
    let targets = Targets::new(3);
    let mut expected = Vec::new();
    let mut source = Draws(draws.clone());
    for _ in 0..3 {
        expected.extend(targets.pass(&policy.hosts, &mut source));
    }
    let mut run = Run::new(policy, targets, SupervisorConfig::default(), Draws(draws));
    let mut tried = Vec::new();
    for _ in 0..9 {
        tried.push(run.next_open());
        run.unreachable();
    }
    assert_eq!(tried, expected);
    // Each pass tries every entry once, and the passes differ.
    for pass in tried.chunks(3) {
        let mut sorted = pass.to_vec();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2]);
    }
    assert!(tried[0..3] != tried[3..6] || tried[3..6] != tried[6..9]);
}

#[test]
fn stomp_py_backoff_waits_between_passes_and_grows_by_half() {
    let mut run = Run::new(
        stomp_py_forever(),
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    for _ in 0..7 {
        run.next_open();
        run.unreachable();
    }
    // The hosts of a pass back to back; 100, 150, 225 ms between passes (jitter drew 0).
    assert_eq!(run.delays(), [0, 100, 0, 150, 0, 225]);
    let times: Vec<u64> = run.opens().iter().map(|o| o.0).collect();
    assert_eq!(times, [0, 0, 100, 100, 250, 250, 475]);
}

#[test]
fn stomp_py_jitter_adds_at_most_its_fraction() {
    let mut run = Run::new(
        stomp_py_forever(),
        Targets::new(1),
        SupervisorConfig::default(),
        || u32::MAX,
    );
    for _ in 0..4 {
        run.next_open();
        run.unreachable();
    }
    // 100, 150, 225 plus just under 10 %.
    assert_eq!(run.delays()[..3], [109, 164, 247]);
}

#[test]
fn stompjs_waits_before_every_reconnect_and_doubles_up_to_the_maximum() {
    let policy = Policy::stompjs(1_000, ReconnectTimeMode::Exponential, 5_000);
    let mut run = Run::new(
        policy,
        Targets::new(1),
        SupervisorConfig::default(),
        zeros(),
    );
    run.next_open();
    assert_eq!(run.now, 0, "the first connection does not wait");
    run.connect();
    run.lose(CLOSED);
    for _ in 0..5 {
        run.next_open();
        run.unreachable();
    }
    assert_eq!(run.delays()[..5], [1_000, 2_000, 4_000, 5_000, 5_000]);
}

#[test]
fn gives_up_after_exactly_k_attempts() {
    let policy = per_attempt(10, 2.0, MaxAttempts::Total(4));
    let mut run = Run::new(
        policy,
        Targets::new(3),
        SupervisorConfig::default(),
        zeros(),
    );
    for _ in 0..4 {
        run.next_open();
        run.unreachable();
    }
    run.actions();
    assert_eq!(run.opens().len(), 4);
    assert_eq!(run.gave_up(), Some((4, Some(Reason::Unreachable))));
    assert!(run.sup.is_idle());
    assert_eq!(run.sup.poll_timeout(), None);
}

#[test]
fn stomp_py_finishes_a_begun_pass_before_giving_up() {
    // 3 attempts over 2 hosts: two passes, four attempts (stomp.py's loop).
    let policy = Policy::default().with_hosts(HostOrder::as_given());
    let mut run = Run::new(
        policy,
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    for _ in 0..4 {
        run.next_open();
        run.unreachable();
    }
    run.actions();
    assert_eq!(run.gave_up(), Some((4, Some(Reason::Unreachable))));
}

#[test]
fn startup_limit_holds_until_the_first_connection_then_the_reconnect_limit() {
    let uri: FailoverUri = "failover:(tcp://a:1,tcp://b:2)?randomize=false\
        &startupMaxReconnectAttempts=1&maxReconnectAttempts=2"
        .parse()
        .unwrap();
    // Never connected: 1 retry, 2 attempts.
    let mut never = Run::new(
        uri.policy(),
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    for _ in 0..2 {
        never.next_open();
        never.unreachable();
    }
    never.actions();
    assert_eq!(never.gave_up(), Some((2, Some(Reason::Unreachable))));

    // Connected once: 2 retries, 3 attempts after the loss.
    let mut once = Run::new(
        uri.policy(),
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    once.next_open();
    once.unreachable();
    once.next_open();
    once.connect();
    once.lose(CLOSED);
    for _ in 0..3 {
        once.next_open();
        once.unreachable();
    }
    once.actions();
    assert_eq!(once.opens().len(), 5);
    assert_eq!(once.gave_up(), Some((3, Some(Reason::Unreachable))));
}

#[test]
fn no_endpoints_gives_up_without_an_attempt() {
    let mut run = Run::new(
        Policy::default(),
        Targets::new(0),
        SupervisorConfig::default(),
        zeros(),
    );
    assert_eq!(
        run.actions(),
        [Action::GaveUp {
            attempts: 0,
            last: None
        }]
    );
}

#[test]
fn a_refusal_waits_at_least_the_refusal_delay() {
    // stomp.py would try the second host at once; after a refusal it waits.
    let mut run = Run::new(
        stomp_py_forever(),
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    assert_eq!(run.next_open(), 0);
    run.refused();
    assert_eq!(
        run.actions(),
        [Action::Scheduled {
            attempt: 1,
            target: 1,
            delay_ms: 1_000
        }]
    );
    assert_eq!(run.sup.poll_timeout(), Some(1_000));
    assert_eq!(run.next_open(), 1);
    assert_eq!(run.now, 1_000);
    // A failure that is not a refusal waits as the policy says.
    run.unreachable();
    run.next_open();
    assert_eq!(run.delays(), [1_000, 100]);
}

#[test]
fn a_refusal_counts_as_a_failed_attempt() {
    let policy = per_attempt(10, 2.0, MaxAttempts::Total(3));
    let mut run = Run::new(
        policy,
        Targets::new(1),
        SupervisorConfig::default(),
        zeros(),
    );
    for _ in 0..3 {
        run.next_open();
        run.refused();
    }
    run.actions();
    assert_eq!(run.gave_up(), Some((3, Some(Reason::Refused))));
    // Each wait raised to the refusal floor (the policy's would be 10 and 20 ms).
    assert_eq!(run.delays(), [1_000, 1_000]);
}

#[test]
fn refusals_beyond_the_refusal_limit_give_up() {
    let config = SupervisorConfig::default()
        .with_max_refusals(MaxAttempts::Total(2))
        .with_error_delay_ms(50);
    let mut run = Run::new(stomp_py_forever(), Targets::new(2), config, zeros());
    run.next_open();
    run.refused();
    run.next_open();
    run.unreachable();
    run.next_open();
    run.refused();
    run.actions();
    assert_eq!(run.gave_up(), Some((3, Some(Reason::Refused))));
}

#[test]
fn reconnect_after_a_heartbeat_timeout_goes_to_another_endpoint_first() {
    let mut run = Run::new(
        stomp_py_forever(),
        Targets::new(3),
        SupervisorConfig::default(),
        zeros(),
    );
    assert_eq!(run.next_open(), 0);
    run.connect();
    run.now = 60_000;
    run.lose(CloseReason::HeartbeatTimeout);
    assert_eq!(run.next_open(), 1);
    assert_eq!(run.now, 60_000, "stomp.py's first reconnect does not wait");
    // The frozen endpoint comes last in that pass.
    run.unreachable();
    assert_eq!(run.next_open(), 2);
    run.unreachable();
    assert_eq!(run.next_open(), 0);
}

#[test]
fn reconnect_after_a_plain_close_starts_the_pass_from_the_top() {
    let mut run = Run::new(
        stomp_py_forever(),
        Targets::new(3),
        SupervisorConfig::default(),
        zeros(),
    );
    assert_eq!(run.next_open(), 0);
    run.connect();
    run.lose(CLOSED);
    assert_eq!(run.next_open(), 0);
}

#[test]
fn connected_timeout_closes_and_moves_on_to_the_next_endpoint() {
    let config = SupervisorConfig::default().with_connected_timeout_ms(Some(2_000));
    let mut run = Run::new(stomp_py_forever(), Targets::new(3), config, zeros());
    assert_eq!(run.next_open(), 0);
    run.now = 30;
    run.sup.handle_transport_opened(30);
    assert_eq!(run.sup.poll_timeout(), Some(2_030));
    assert_eq!(
        run.advance(),
        [Action::Close {
            reason: Reason::ConnectedTimeout
        }]
    );
    // The shell closes; the session's reason (the transport closed) does not hide the timeout.
    run.lose(CLOSED);
    assert_eq!(run.next_open(), 1);
    assert_eq!(run.now, 2_030);
    run.unreachable();
    run.next_open();
    run.unreachable();
    run.next_open();
    run.unreachable();
    run.actions();
    assert!(run.gave_up().is_none());
}

#[test]
fn connected_timeout_is_reported_as_the_reason() {
    let config = SupervisorConfig::default().with_connected_timeout_ms(Some(2_000));
    let mut run = Run::new(
        per_attempt(10, 1.0, MaxAttempts::Total(1)),
        Targets::new(1),
        config,
        zeros(),
    );
    run.next_open();
    run.sup.handle_transport_opened(0);
    assert_eq!(
        run.advance(),
        [Action::Close {
            reason: Reason::ConnectedTimeout
        }]
    );
    run.sup.handle_transport_closed(run.now);
    run.actions();
    assert_eq!(run.gave_up(), Some((1, Some(Reason::ConnectedTimeout))));
}

#[test]
fn the_sessions_own_connect_timeout_counts_as_a_connected_timeout() {
    let mut run = Run::new(
        per_attempt(10, 1.0, MaxAttempts::Total(1)),
        Targets::new(1),
        SupervisorConfig::default(),
        zeros(),
    );
    run.next_open();
    run.sup.handle_transport_opened(0);
    run.lose(CloseReason::ConnectTimeout);
    run.actions();
    assert_eq!(run.gave_up(), Some((1, Some(Reason::ConnectedTimeout))));
}

#[test]
fn connected_timeout_at_the_end_of_a_pass_starts_the_next_pass_elsewhere() {
    // Two entries shuffled: a draw of u32::MAX keeps [0, 1], a draw of 0 swaps to [1, 0].
    let policy = per_attempt(100, 1.0, MaxAttempts::Forever)
        .with_hosts(HostOrder::as_given().with_randomize(true));
    let config = SupervisorConfig::default().with_connected_timeout_ms(Some(2_000));
    let mut run = Run::new(policy, Targets::new(2), config, Draws(vec![u32::MAX, 0]));
    assert_eq!(run.next_open(), 0);
    run.unreachable();
    assert_eq!(run.next_open(), 1);
    run.sup.handle_transport_opened(run.now);
    assert_eq!(
        run.advance(),
        [Action::Close {
            reason: Reason::ConnectedTimeout
        }]
    );
    run.sup.handle_transport_closed(run.now);
    // The new pass came out [1, 0]; 1 just went silent, so 0 goes first.
    assert_eq!(run.next_open(), 0);
}

#[test]
fn the_connected_timeout_runs_from_the_open_transport_not_from_the_attempt() {
    let config = SupervisorConfig::default().with_connected_timeout_ms(Some(2_000));
    let mut run = Run::new(stomp_py_forever(), Targets::new(1), config, zeros());
    run.next_open();
    assert_eq!(
        run.sup.poll_timeout(),
        None,
        "the socket's timeout is the shell's"
    );
    run.now = 9_000;
    run.sup.handle_transport_opened(9_000);
    assert_eq!(run.sup.poll_timeout(), Some(11_000));
    run.sup.handle_connected(10_000);
    assert_eq!(
        run.sup.poll_timeout(),
        Some(15_000),
        "no CONNECTED timeout any more, only the moment the connection becomes stable"
    );
}

#[test]
fn attempt_timeout_bounds_the_opening_and_the_handshake() {
    let config = SupervisorConfig::default()
        .with_connected_timeout_ms(None)
        .with_attempt_timeout_ms(Some(3_000));
    let mut run = Run::new(stomp_py_forever(), Targets::new(2), config, zeros());
    assert_eq!(run.next_open(), 0);
    // The socket never opens.
    assert_eq!(
        run.advance(),
        [Action::Close {
            reason: Reason::AttemptTimeout
        }]
    );
    assert_eq!(run.now, 3_000);
    run.unreachable();
    assert_eq!(run.next_open(), 1);
    // It opens after 1 s, and CONNECTED never comes: 3 s from the start of the attempt.
    run.sup.handle_transport_opened(run.now + 1_000);
    assert_eq!(run.sup.poll_timeout(), Some(6_000));
}

#[test]
fn failover_from_a_frozen_node_takes_heartbeat_grace_plus_delay_plus_one_round_trip() {
    // stompjs-style 500 ms reconnect delay; the session saw the heart-beats stop 1.5 s after
    // the last one (1 s heart-beats, receive scale 1.5).
    let policy = Policy::stompjs(500, ReconnectTimeMode::Linear, 0);
    let mut run = Run::new(
        policy,
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    assert_eq!(run.next_open(), 0);
    run.connect();
    let last_heartbeat = 10_000;
    run.now = last_heartbeat + 1_500;
    run.lose(CloseReason::HeartbeatTimeout);
    assert_eq!(run.next_open(), 1, "the frozen node is not tried first");
    assert_eq!(run.now, last_heartbeat + 1_500 + 500);
    let round_trip = 12;
    run.now += round_trip;
    run.connect_briefly();
    assert_eq!(run.now - last_heartbeat, 1_500 + 500 + round_trip);
    assert_eq!(run.opens(), [(0, 0), (12_000, 1)]);
}

#[test]
fn a_successful_connection_resets_the_counting() {
    let policy = per_attempt(100, 2.0, MaxAttempts::Total(3));
    let mut run = Run::new(
        policy,
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    for _ in 0..3 {
        for _ in 0..2 {
            run.next_open();
            run.unreachable();
        }
        run.next_open();
        assert_eq!(run.sup.attempts_made(), 3);
        run.connect();
        assert_eq!(run.sup.attempts_made(), 0);
        run.lose(CLOSED);
    }
    run.actions();
    assert!(run.gave_up().is_none());
    // The waits start again from the first after every success.
    assert_eq!(
        run.delays(),
        [100, 200, 0, 100, 200, 0, 100, 200, 0],
        "{:?}",
        run.log
    );
}

#[test]
fn a_connection_lost_before_it_is_stable_keeps_the_count_and_the_backoff() {
    let policy = per_attempt(100, 2.0, MaxAttempts::Total(4));
    let config = SupervisorConfig::default().with_stable_after_ms(3_000);
    let mut run = Run::new(policy, Targets::new(1), config, zeros());
    // The first CONNECTED ends the startup phase and restarts counting at once (see
    // after_connected_the_reconnect_limit_applies_even_before_the_connection_is_stable);
    // what follows is about the connections after it.
    run.next_open();
    run.connect_briefly();
    run.lose(CLOSED);
    // The broker answers CONNECTED and drops every connection 1 s later.
    for made in 1..=4 {
        run.next_open();
        run.connect_briefly();
        assert_eq!(
            run.sup.attempts_made(),
            made,
            "CONNECTED alone is no success"
        );
        assert_eq!(run.sup.poll_timeout(), Some(run.now + 3_000));
        run.now += 1_000;
        run.lose(CLOSED);
    }
    run.actions();
    assert_eq!(run.delays(), [0, 100, 200, 400], "{:?}", run.log);
    assert_eq!(run.gave_up(), Some((4, Some(Reason::Closed))));
}

#[test]
fn a_connection_becomes_stable_at_the_deadline_even_without_a_timer() {
    let policy = per_attempt(100, 2.0, MaxAttempts::Total(4));
    let config = SupervisorConfig::default().with_stable_after_ms(3_000);
    let mut run = Run::new(policy, Targets::new(1), config, zeros());
    // The first CONNECTED ends the startup phase and restarts counting at once (see
    // after_connected_the_reconnect_limit_applies_even_before_the_connection_is_stable);
    // what follows is about the connections after it.
    run.next_open();
    run.connect_briefly();
    run.lose(CLOSED);
    run.next_open();
    run.unreachable();
    run.next_open();
    run.connect_briefly();
    assert_eq!(run.sup.attempts_made(), 2);
    // The shell reports the loss at the stability deadline, before its timer fired.
    run.now += 3_000;
    run.lose(CLOSED);
    run.next_open();
    assert_eq!(run.sup.attempts_made(), 1, "counting restarted");
    assert_eq!(run.delays(), [0, 100, 0]);
}

#[test]
fn stable_after_zero_counts_every_connected_at_once() {
    let policy = per_attempt(100, 2.0, MaxAttempts::Total(2));
    let config = SupervisorConfig::default().with_stable_after_ms(0);
    let mut run = Run::new(policy, Targets::new(1), config, zeros());
    for _ in 0..5 {
        run.next_open();
        run.connect_briefly();
        assert_eq!(run.sup.attempts_made(), 0);
        assert_eq!(run.sup.poll_timeout(), None);
        run.lose(CLOSED);
    }
    run.actions();
    assert!(run.gave_up().is_none());
    assert_eq!(
        run.delays(),
        [0, 0, 0, 0, 0],
        "the first wait after each success"
    );
}

#[test]
fn refusals_are_not_forgotten_by_a_connection_that_is_not_stable() {
    let config = SupervisorConfig::default().with_max_refusals(MaxAttempts::Total(2));
    let mut run = Run::new(stomp_py_forever(), Targets::new(1), config, zeros());
    // The first CONNECTED ends the startup phase and restarts counting at once (see
    // after_connected_the_reconnect_limit_applies_even_before_the_connection_is_stable);
    // what follows is about the connections after it.
    run.next_open();
    run.connect_briefly();
    run.lose(CLOSED);
    run.next_open();
    run.refused();
    run.next_open();
    run.connect_briefly();
    run.now += 1_000;
    run.lose(CLOSED);
    run.next_open();
    run.refused();
    run.actions();
    assert_eq!(run.gave_up(), Some((3, Some(Reason::Refused))));
}

#[test]
fn after_connected_the_reconnect_limit_applies_even_before_the_connection_is_stable() {
    let policy = per_attempt(100, 1.0, MaxAttempts::Forever)
        .with_startup_max_attempts(Some(MaxAttempts::Total(3)));
    let mut run = Run::new(
        policy,
        Targets::new(1),
        SupervisorConfig::default(),
        zeros(),
    );
    for _ in 0..6 {
        run.next_open();
        run.connect_briefly();
        run.lose(CLOSED);
    }
    run.actions();
    // A client that reached its broker is not given up on by the startup limit when the
    // connection drops early: the first CONNECTED restarts counting under the reconnect
    // limit; the short connections after it still count as attempts (no further reset).
    assert_eq!(run.sup.phase(), Phase::Reconnect);
    assert_eq!(run.gave_up(), None);
    // Five opens after the first CONNECTED, and the next one already planned.
    assert_eq!(run.sup.attempts_made(), 6);
}

#[test]
fn stop_cancels_a_planned_attempt() {
    let mut run = Run::new(
        per_attempt(5_000, 1.0, MaxAttempts::Forever),
        Targets::new(1),
        SupervisorConfig::default(),
        zeros(),
    );
    run.next_open();
    run.unreachable();
    assert!(matches!(run.actions()[..], [Action::Scheduled { .. }]));
    run.sup.stop(run.now);
    assert_eq!(run.actions(), [Action::Stopped]);
    assert_eq!(run.sup.poll_timeout(), None);
    run.sup.handle_timeout(1_000_000);
    assert_eq!(run.actions(), []);
    assert!(run.sup.is_idle());
}

#[test]
fn stop_while_connecting_closes_the_transport() {
    let mut run = Run::new(
        stomp_py_forever(),
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    run.next_open();
    run.sup.handle_transport_opened(0);
    run.sup.stop(0);
    assert_eq!(
        run.actions(),
        [Action::Close {
            reason: Reason::Session(CloseReason::Immediate)
        }]
    );
    assert_eq!(
        run.sup.poll_timeout(),
        None,
        "no CONNECTED timeout after a stop"
    );
    run.lose(CLOSED);
    assert_eq!(run.actions(), [Action::Stopped]);
}

#[test]
fn stop_while_connected_leaves_the_graceful_disconnect_to_the_session() {
    let mut run = Run::new(
        stomp_py_forever(),
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    run.next_open();
    run.connect();
    run.sup.stop(0);
    assert_eq!(run.actions(), []);
    run.lose(CloseReason::Graceful);
    assert_eq!(run.actions(), [Action::Stopped]);
}

#[test]
fn a_disconnect_the_user_asked_for_is_not_reconnected() {
    for reason in [
        CloseReason::Graceful,
        CloseReason::Immediate,
        CloseReason::DisconnectTimeout,
    ] {
        let mut run = Run::new(
            stomp_py_forever(),
            Targets::new(2),
            SupervisorConfig::default(),
            zeros(),
        );
        run.next_open();
        run.connect();
        run.lose(reason);
        assert_eq!(run.actions(), [Action::Stopped]);
    }
}

#[test]
fn start_after_stop_counts_afresh_from_the_first_endpoint() {
    let mut run = Run::new(
        per_attempt(100, 2.0, MaxAttempts::Total(3)),
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    run.next_open();
    run.unreachable();
    run.next_open();
    run.sup.handle_transport_opened(run.now);
    run.sup.stop(run.now);
    // Started again before the transport has closed: it starts once it has.
    run.sup.start(run.now);
    run.sup.handle_transport_closed(run.now);
    let actions = run.actions();
    assert_eq!(
        actions,
        [
            Action::Close {
                reason: Reason::Session(CloseReason::Immediate)
            },
            Action::Stopped,
            Action::Open {
                target: 0,
                attempt: 0
            }
        ]
    );
    assert_eq!(run.sup.attempts_made(), 1);
}

#[test]
fn the_stompjs_backoff_starts_again_from_the_base_delay_after_stop() {
    // As stompjs's own spec "Should reset delays after deactivate": a broker never reached,
    // delays doubling from 400 ms; stopped (deactivate) and started again (activate), the
    // delays start again from 400 ms, and the first attempt of each start does not wait.
    let policy = Policy::stompjs(400, ReconnectTimeMode::Exponential, 900_000);
    let mut run = Run::new(
        policy,
        Targets::new(1),
        SupervisorConfig::default(),
        zeros(),
    );
    let mut starts = Vec::new();
    for _ in 0..2 {
        starts.push(run.now);
        run.next_open();
        assert_eq!(
            run.now,
            *starts.last().unwrap(),
            "the first attempt does not wait"
        );
        for _ in 0..3 {
            run.unreachable();
            run.next_open();
        }
        run.unreachable();
        run.actions();
        run.sup.stop(run.now);
        assert_eq!(run.actions(), [Action::Stopped]);
        assert_eq!(run.sup.poll_timeout(), None, "nothing planned once stopped");
        run.sup.start(run.now);
    }
    assert_eq!(
        run.delays(),
        [400, 800, 1_600, 3_200, 400, 800, 1_600, 3_200]
    );
}

#[test]
fn a_transport_connect_timeout_sends_the_next_attempt_elsewhere() {
    // Two entries shuffled: a draw of u32::MAX keeps [0, 1], a draw of 0 swaps to [1, 0].
    let policy = per_attempt(100, 1.0, MaxAttempts::Forever)
        .with_hosts(HostOrder::as_given().with_randomize(true));
    let mut run = Run::new(
        policy,
        Targets::new(2),
        SupervisorConfig::default(),
        Draws(vec![u32::MAX, 0]),
    );
    assert_eq!(run.next_open(), 0);
    run.unreachable();
    assert_eq!(run.next_open(), 1);
    // The socket's own connect timeout: nothing answered.
    run.sup
        .handle_transport_failed(run.now, TransportFailure::TimedOut);
    assert_eq!(run.next_open(), 0, "the pass [1, 0] begins elsewhere");
    run.unreachable();
    run.actions();
    assert_eq!(
        run.sup.poll_timeout().map(|t| t - run.now),
        Some(100),
        "then the silent entry is tried again"
    );
    assert_eq!(run.next_open(), 1);
}

#[test]
fn a_server_error_on_an_open_session_is_not_reconnected_at_once() {
    let mut run = Run::new(
        stomp_py_forever(),
        Targets::new(1),
        SupervisorConfig::default(),
        zeros(),
    );
    for _ in 0..3 {
        run.next_open();
        run.connect();
        run.lose(CloseReason::ServerError);
    }
    run.next_open();
    // stomp.py's first reconnect would be immediate, each time.
    assert_eq!(run.delays(), [1_000, 1_000, 1_000]);
}

// ----- properties ----------------------------------------------------------------------------

/// What happens to one attempt, in a generated run.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    Unreachable,
    /// The transport's own connect timeout expires.
    OpenTimedOut,
    /// Connected, then the server sends ERROR and the session ends.
    ServerError,
    Refused,
    /// The transport opens and CONNECTED never comes.
    Silent,
    /// Connected, then the heart-beats stop.
    HeartbeatLost,
    /// Connected, then the transport closes.
    Dropped,
    /// Connected, then the transport closes before the connection is stable.
    Flapping,
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Unreachable),
        Just(Outcome::OpenTimedOut),
        Just(Outcome::ServerError),
        Just(Outcome::Refused),
        Just(Outcome::Silent),
        Just(Outcome::HeartbeatLost),
        Just(Outcome::Dropped),
        Just(Outcome::Flapping),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        0u64..5_000,
        1.0f64..3.0,
        0u64..20_000,
        0.0f64..1.0,
        prop_oneof![Just(Pacing::PerPass), Just(Pacing::PerAttempt)],
        prop_oneof![
            Just(MaxAttempts::Forever),
            (0u32..12).prop_map(MaxAttempts::Total)
        ],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(initial_ms, multiplier, max_ms, jitter, pacing, max, wait, randomize)| {
                Policy::default()
                    .with_backoff(
                        Backoff::default()
                            .with_initial_ms(initial_ms)
                            .with_multiplier(multiplier)
                            .with_max_ms(max_ms)
                            .with_jitter(Jitter::Fraction(jitter)),
                    )
                    .with_pacing(pacing)
                    .with_max_attempts(max)
                    .with_startup_max_attempts(None)
                    .with_wait_before_first_reconnect(wait)
                    .with_hosts(HostOrder::as_given().with_randomize(randomize))
            },
        )
}

/// xorshift32, seeded: a real-looking source.
fn xorshift(seed: u32) -> impl FnMut() -> u32 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    }
}

/// Plays `outcomes` against a supervisor; returns the actions with their times and, for each
/// `Open`, the outcome it met.
fn play(
    policy: &Policy,
    len: usize,
    config: SupervisorConfig,
    seed: u32,
    outcomes: &[Outcome],
) -> Vec<(u64, Action, Option<Outcome>)> {
    let mut sup = Supervisor::new(policy.clone(), Targets::new(len), config, xorshift(seed));
    let mut now = 0u64;
    let mut log = Vec::new();
    let mut next = outcomes.iter().copied();
    sup.start(now);
    let mut open = false;
    for _ in 0..outcomes.len() * 4 + 4 {
        let mut opened = None;
        while let Some(action) = sup.poll_action() {
            match action {
                Action::Open { .. } => {
                    assert!(!open, "Open while a transport is open");
                    open = true;
                    opened = next.next();
                    log.push((now, action, opened));
                }
                Action::Close { .. } => {
                    assert!(open, "Close with no transport");
                    log.push((now, action, None));
                }
                _ => log.push((now, action, None)),
            }
        }
        if let Some(o) = opened {
            match o {
                Outcome::Unreachable => {
                    sup.handle_transport_failed(now, TransportFailure::Unreachable);
                    open = false;
                }
                Outcome::OpenTimedOut => {
                    sup.handle_transport_failed(now, TransportFailure::TimedOut);
                    open = false;
                }
                Outcome::Refused => {
                    sup.handle_transport_opened(now);
                    sup.handle_session_closed(now, &refusal());
                    sup.handle_transport_closed(now);
                    open = false;
                }
                Outcome::Silent => sup.handle_transport_opened(now),
                Outcome::HeartbeatLost
                | Outcome::Dropped
                | Outcome::ServerError
                | Outcome::Flapping => {
                    sup.handle_transport_opened(now);
                    sup.handle_connected(now);
                    // Up long enough to count as a success, or not.
                    now += match o {
                        Outcome::Flapping => config.stable_after_ms / 2,
                        _ => config.stable_after_ms.max(1_000),
                    };
                    let reason = match o {
                        Outcome::HeartbeatLost => CloseReason::HeartbeatTimeout,
                        Outcome::ServerError => CloseReason::ServerError,
                        _ => CLOSED,
                    };
                    sup.handle_session_closed(now, &reason);
                    sup.handle_transport_closed(now);
                    open = false;
                }
            }
            continue;
        }
        if log
            .last()
            .is_some_and(|(_, a, _)| matches!(a, Action::Close { .. }))
        {
            sup.handle_transport_closed(now);
            open = false;
            continue;
        }
        if opened.is_none() && open && sup.poll_timeout().is_none() {
            break; // out of outcomes, transport open with no deadline: nothing more to see
        }
        match sup.poll_timeout() {
            Some(t) => {
                assert!(t >= now);
                now = t;
                sup.handle_timeout(now);
            }
            None => break,
        }
    }
    log
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn scheduled_delays_stay_within_the_backoff_bounds(
        policy in policy(),
        len in 1usize..5,
        seed in any::<u32>(),
        outcomes in proptest::collection::vec(outcome(), 1..30),
    ) {
        let config = SupervisorConfig::default();
        let log = play(&policy, len, config, seed, &outcomes);
        let Jitter::Fraction(f) = policy.backoff.jitter else { unreachable!() };
        let cap = policy.backoff.max_ms as f64 * (1.0 + f);
        let mut last_outcome = None;
        for (_, action, outcome) in &log {
            match action {
                Action::Open { .. } => last_outcome = *outcome,
                Action::Scheduled { delay_ms, .. } => {
                    let refused =
                        matches!(last_outcome, Some(Outcome::Refused | Outcome::ServerError));
                    let bound = if refused { cap.max(config.error_delay_ms as f64) } else { cap };
                    prop_assert!(*delay_ms as f64 <= bound, "{delay_ms} > {bound}");
                    if refused {
                        prop_assert!(*delay_ms >= config.error_delay_ms);
                    }
                }
                _ => {}
            }
        }
    }

    #[test]
    fn a_silent_endpoint_is_never_tried_twice_in_a_row_when_another_exists(
        policy in policy(),
        len in 2usize..5,
        seed in any::<u32>(),
        outcomes in proptest::collection::vec(outcome(), 1..30),
    ) {
        let log = play(&policy, len, SupervisorConfig::default(), seed, &outcomes);
        let opens: Vec<(usize, Option<Outcome>)> = log
            .iter()
            .filter_map(|(_, a, o)| match a {
                Action::Open { target, .. } => Some((*target, *o)),
                _ => None,
            })
            .collect();
        for pair in opens.windows(2) {
            if matches!(
                pair[0].1,
                Some(Outcome::Silent | Outcome::HeartbeatLost | Outcome::OpenTimedOut)
            ) {
                prop_assert_ne!(pair[0].0, pair[1].0, "{:?}", opens);
            }
        }
    }

    #[test]
    fn attempts_since_the_last_success_never_exceed_the_limit(
        policy in policy(),
        len in 1usize..5,
        seed in any::<u32>(),
        outcomes in proptest::collection::vec(outcome(), 1..30),
    ) {
        let log = play(&policy, len, SupervisorConfig::default(), seed, &outcomes);
        let limit = match policy.max_attempts {
            MaxAttempts::Forever => u64::MAX,
            MaxAttempts::Total(k) => match policy.pacing {
                // A begun pass is finished.
                Pacing::PerPass => u64::from(k).div_ceil(len as u64) * len as u64,
                Pacing::PerAttempt => u64::from(k),
                other => unreachable!("the strategy makes no {other:?}"),
            },
        };
        let mut since_success = 0u64;
        let mut ever_connected = false;
        for (_, action, outcome) in &log {
            match action {
                Action::Open { .. } => {
                    since_success += 1;
                    prop_assert!(since_success <= limit);
                    let stable = matches!(
                        outcome,
                        Some(Outcome::HeartbeatLost | Outcome::Dropped | Outcome::ServerError)
                    );
                    // The first CONNECTED restarts counting even when it does not last.
                    let first = !ever_connected && matches!(outcome, Some(Outcome::Flapping));
                    if stable || first {
                        since_success = 0;
                        ever_connected = true;
                    }
                }
                Action::GaveUp { attempts, .. } => {
                    prop_assert_eq!(u64::from(*attempts), since_success);
                }
                _ => {}
            }
        }
    }
}

#[test]
fn the_sessions_close_reasons_are_classified_once() {
    let table = [
        (refusal(), Reason::Refused, false),
        (CloseReason::ConnectTimeout, Reason::ConnectedTimeout, true),
        (
            CloseReason::HeartbeatTimeout,
            Reason::HeartbeatTimeout,
            true,
        ),
        (CLOSED, Reason::Closed, false),
        (
            CloseReason::TransportClosed { mid_frame: true },
            Reason::Session(CloseReason::TransportClosed { mid_frame: true }),
            false,
        ),
        (
            CloseReason::ServerError,
            Reason::Session(CloseReason::ServerError),
            false,
        ),
    ];
    for (close, reason, silent) in table {
        let got = Reason::from_close(&close);
        assert_eq!(got, reason, "{close:?}");
        assert_eq!(got.is_silent(), silent, "{close:?}");
        assert!(!got.is_user_close(), "{close:?}");
    }
    assert!(Reason::from_close(&CloseReason::Graceful).is_user_close());
    assert!(Reason::AttemptTimeout.is_silent());
    assert!(!Reason::Unreachable.is_silent());
}

/// A stompjs client that connected once and lost its connection: the supervisor waiting for
/// its first reconnect.
fn stompjs_lost(policy: Policy) -> Run<impl FnMut() -> u32> {
    let mut run = Run::new(
        policy,
        Targets::new(1),
        SupervisorConfig::default(),
        zeros(),
    );
    run.next_open();
    run.connect();
    run.lose(CLOSED);
    run
}

#[test]
fn a_policy_set_while_waiting_leaves_that_wait_and_doubles_from_it_after() {
    // stompjs: LINEAR 1 s; switched to EXPONENTIAL during the second wait. stompjs doubles its
    // current delay when that wait's timer fires: 1 s, 1 s, then 2 s, 4 s.
    let mut run = stompjs_lost(Policy::stompjs(1_000, ReconnectTimeMode::Linear, 0));
    run.next_open();
    run.unreachable();
    run.actions();
    assert_eq!(run.sup.attempts_made(), 2);
    run.sup
        .set_policy(Policy::stompjs(1_000, ReconnectTimeMode::Exponential, 0));
    assert_eq!(run.sup.attempts_made(), 2, "the count is kept");
    let planned = run.sup.poll_timeout();
    assert_eq!(planned, Some(run.now + 1_000), "the wait under way is kept");
    for _ in 0..2 {
        run.next_open();
        run.unreachable();
    }
    run.actions();
    assert_eq!(run.delays(), [1_000, 1_000, 2_000, 4_000]);
    assert_eq!(run.sup.attempts_made(), 4);
}

#[test]
fn switching_to_linear_keeps_the_wait_the_backoff_has_reached() {
    // stompjs's LINEAR leaves its current delay as it is: after 1 s and 2 s, 2 s for ever.
    let mut run = stompjs_lost(Policy::stompjs(1_000, ReconnectTimeMode::Exponential, 0));
    run.next_open();
    run.unreachable();
    run.actions();
    run.sup
        .set_policy(Policy::stompjs(1_000, ReconnectTimeMode::Linear, 0));
    for _ in 0..3 {
        run.next_open();
        run.unreachable();
    }
    run.actions();
    assert_eq!(run.delays(), [1_000, 2_000, 2_000, 2_000, 2_000]);
}

#[test]
fn a_lower_maximum_caps_the_next_wait_and_a_raised_one_doubles_from_the_cap() {
    let exponential = |max| Policy::stompjs(1_000, ReconnectTimeMode::Exponential, max);
    let mut run = stompjs_lost(exponential(0));
    for _ in 0..2 {
        run.next_open();
        run.unreachable();
    }
    run.actions();
    assert_eq!(run.delays(), [1_000, 2_000, 4_000]);
    run.sup.set_policy(exponential(3_000));
    run.next_open();
    run.unreachable();
    run.actions();
    run.sup.set_policy(exponential(0));
    for _ in 0..2 {
        run.next_open();
        run.unreachable();
    }
    run.actions();
    // min(2 · 4 s, 3 s), then twice the 3 s reached (not 1 s · 2⁴), as stompjs.
    assert_eq!(run.delays(), [1_000, 2_000, 4_000, 3_000, 6_000, 12_000]);
}

#[test]
fn a_new_first_wait_applies_once_a_connection_has_restarted_the_count() {
    let mut run = stompjs_lost(Policy::stompjs(1_000, ReconnectTimeMode::Exponential, 0));
    run.next_open();
    run.unreachable();
    run.actions();
    run.sup
        .set_policy(Policy::stompjs(300, ReconnectTimeMode::Exponential, 0));
    run.next_open();
    run.unreachable();
    run.actions();
    assert_eq!(
        run.delays(),
        [1_000, 2_000, 4_000],
        "the backoff goes on from where it is"
    );
    run.next_open();
    run.connect();
    run.lose(CLOSED);
    run.next_open();
    run.unreachable();
    run.actions();
    assert_eq!(
        run.delays()[3..],
        [300, 600],
        "then starts from the new delay"
    );
}

#[test]
fn a_new_attempt_limit_counts_the_attempts_already_made() {
    let mut run = Run::new(
        per_attempt(10, 1.0, MaxAttempts::Forever),
        Targets::new(2),
        SupervisorConfig::default(),
        zeros(),
    );
    for _ in 0..3 {
        run.next_open();
        run.unreachable();
    }
    run.actions();
    run.sup
        .set_policy(per_attempt(10, 1.0, MaxAttempts::Total(4)));
    run.next_open();
    run.unreachable();
    run.actions();
    assert_eq!(run.opens().len(), 4);
    assert_eq!(run.gave_up(), Some((4, Some(Reason::Unreachable))));
}

#[test]
fn an_equal_policy_set_while_running_changes_nothing() {
    let policy = Policy::stompjs(1_000, ReconnectTimeMode::Exponential, 5_000);
    let mut run = stompjs_lost(policy.clone());
    for _ in 0..5 {
        run.sup.set_policy(policy.clone());
        run.next_open();
        run.unreachable();
    }
    run.actions();
    assert_eq!(run.delays(), [1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
}

#[test]
fn with_await_opening_the_attempt_timeout_runs_from_the_reported_opening() {
    let config = SupervisorConfig::default()
        .with_connected_timeout_ms(None)
        .with_attempt_timeout_ms(Some(3_000))
        .with_await_opening(true);
    let mut run = Run::new(stomp_py_forever(), Targets::new(2), config, zeros());
    assert_eq!(run.next_open(), 0);
    assert_eq!(
        run.sup.poll_timeout(),
        None,
        "no deadline while the shell prepares (stompjs's beforeConnect)"
    );
    // beforeConnect takes 10 s, longer than the attempt timeout: the attempt goes on.
    run.now = 10_000;
    run.sup.handle_timeout(run.now);
    assert_eq!(run.actions(), []);
    run.sup.handle_transport_opening(run.now);
    assert_eq!(run.sup.poll_timeout(), Some(13_000));
    run.sup.handle_transport_opened(11_000);
    assert_eq!(run.sup.poll_timeout(), Some(13_000));
    assert_eq!(
        run.advance(),
        [Action::Close {
            reason: Reason::AttemptTimeout
        }]
    );
    assert_eq!(run.now, 13_000);
    // A new attempt timeout set while running applies to the next attempt's opening.
    let shorter = run.sup.config().with_attempt_timeout_ms(Some(1_000));
    run.sup.set_config(shorter);
    run.lose(CLOSED);
    run.next_open();
    run.sup.handle_transport_opening(run.now + 50);
    assert_eq!(run.sup.poll_timeout(), Some(run.now + 1_050));
}

#[test]
fn without_await_opening_the_attempt_timeout_runs_from_open() {
    let config = SupervisorConfig::default()
        .with_connected_timeout_ms(None)
        .with_attempt_timeout_ms(Some(3_000));
    let mut run = Run::new(stomp_py_forever(), Targets::new(1), config, zeros());
    run.next_open();
    assert_eq!(run.sup.poll_timeout(), Some(3_000));
}
