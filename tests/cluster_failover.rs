//! Fault injection on a real 3-node RabbitMQ cluster (`scripts/cluster.sh`), for the native
//! [`Client`]: a publisher with receipts and a `client-individual` consumer, both on a
//! `failover:` URL over the three nodes and on the same node, move a quorum queue's messages
//! while that node is killed with SIGKILL, frozen with SIGSTOP, or the whole cluster restarts.
//!
//! Each case asserts that no message whose receipt came is lost, that a message arrives more
//! than once only when it was unreceipted at a drop (sent again) or unacknowledged (its ACK's
//! receipt did not come, or came less than a second before the fault on a consumer connection
//! lost afterwards: RabbitMQ confirms an ACK before its quorum queue commits it), and prints the failover time: the longest gap between two receipts
//! the publisher got. The kill and freeze cases also bound it: heart-beat grace + reconnect
//! delay + one CONNECTED round trip, with a margin.
//!
//! The tests need the cluster and kill its nodes, so they are ignored in the ordinary run:
//! `scripts/test-cluster.sh` starts the cluster, sets `STOMPWIRE_CLUSTER_TCP` and
//! `STOMPWIRE_CLUSTER_SCRIPT` and runs them one at a time. Every load loop is bounded in count
//! and in time.
#![cfg(feature = "native")]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use stompwire::frame::{Frame, Headers};
use stompwire::native::listener::Listener;
use stompwire::native::{Client, ClientConfig, Receipt};
use stompwire::session::{AckMode, Disconnected};

/// Messages published in each case.
const MESSAGES: usize = 3000;
/// Receipts awaited at once.
const WINDOW: usize = 64;
/// Pause between two SENDs, so that the fault falls in the middle of the stream.
const PACE: Duration = Duration::from_millis(1);
/// The fault comes after this many receipts.
const FAULT_AFTER: usize = MESSAGES / 3;
/// The publisher sends no message from this one on until the fault is over (a restart takes
/// longer than publishing the rest), so that publishing goes on across it.
const HOLD_AT: usize = 2 * MESSAGES / 3;
/// Heart-beats both ways, ms.
const HEART_BEAT_MS: u32 = 1000;
/// The client's wait before a reconnect, ms (`initialReconnectDelay`, no back-off).
const RECONNECT_DELAY_MS: u64 = 100;
/// The CONNECTED timeout, ms.
const CONNECTED_TIMEOUT_MS: u64 = 2000;
/// Margin over the bound for one CONNECTED round trip on a loaded two-core machine, the
/// scheduling of the threads, and the quorum queue electing a leader.
const MARGIN: Duration = Duration::from_millis(1000);
/// An ACK whose receipt came less than this before the fault, on a consumer connection lost
/// afterwards, may not have been committed by the quorum queue (see `run_case`).
const ACK_SETTLE: Duration = Duration::from_millis(1000);
/// The whole of one case, publishing, fault and draining included.
const CASE_LIMIT: Duration = Duration::from_secs(90);

/// The bound on the failover time: the heart-beat grace (interval × 1.5), the reconnect delay,
/// one CONNECTED round trip (in the margin).
fn failover_bound() -> Duration {
    Duration::from_millis(u64::from(HEART_BEAT_MS) * 3 / 2 + RECONNECT_DELAY_MS) + MARGIN
}

/// One case at a time: they kill the nodes the others use.
static SERIAL: Mutex<()> = Mutex::new(());

/// The cluster, from the environment `scripts/cluster.sh env` prints.
struct Cluster {
    /// `host:port` of each node's STOMP listener, node 1 first.
    nodes: Vec<String>,
    script: String,
}

impl Cluster {
    fn from_env() -> Cluster {
        let tcp = std::env::var("STOMPWIRE_CLUSTER_TCP")
            .expect("STOMPWIRE_CLUSTER_TCP (run scripts/test-cluster.sh)");
        let script = std::env::var("STOMPWIRE_CLUSTER_SCRIPT")
            .expect("STOMPWIRE_CLUSTER_SCRIPT (run scripts/test-cluster.sh)");
        let nodes: Vec<String> = tcp.split(',').map(str::to_owned).collect();
        assert_eq!(
            nodes.len(),
            3,
            "STOMPWIRE_CLUSTER_TCP names three nodes: {tcp}"
        );
        Cluster { nodes, script }
    }

    /// Runs `cluster.sh ARGS`; panics when it fails.
    fn run(&self, args: &[&str]) {
        let status = Command::new("bash")
            .arg(&self.script)
            .args(args)
            .status()
            .unwrap_or_else(|e| panic!("{}: {e}", self.script));
        assert!(status.success(), "cluster.sh {args:?}: {status}");
    }

    /// The node (1–3) whose STOMP port is `port`.
    fn node_of(&self, port: u16) -> usize {
        self.nodes
            .iter()
            .position(|n| n.ends_with(&format!(":{port}")))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("port {port} is none of {:?}", self.nodes))
    }

    fn url(&self) -> String {
        let list: Vec<String> = self.nodes.iter().map(|n| format!("tcp://{n}")).collect();
        format!(
            "failover:({})?randomize=false&initialReconnectDelay={RECONNECT_DELAY_MS}\
             &maxReconnectDelay={RECONNECT_DELAY_MS}&useExponentialBackOff=false\
             &maxReconnectAttempts=-1&startupMaxReconnectAttempts=3",
            list.join(",")
        )
    }

    fn config(&self) -> ClientConfig {
        let mut config = ClientConfig::from_url(&self.url())
            .expect("failover URL")
            .credentials("guest", "guest")
            .vhost("/")
            .heart_beat(HEART_BEAT_MS, HEART_BEAT_MS);
        config.supervisor.connected_timeout_ms = Some(CONNECTED_TIMEOUT_MS);
        config
    }
}

/// What one client's callbacks saw, with times.
#[derive(Default)]
struct Seen {
    /// The port of the last transport opened.
    port: Mutex<u16>,
    /// Every transport opened: when, and to which port.
    tried: Mutex<Vec<(Instant, u16)>>,
    /// The `session` header of the last CONNECTED.
    session: Mutex<String>,
    /// When each CONNECTED arrived.
    connected: Mutex<Vec<Instant>>,
    /// Each RECEIPT's `receipt-id`, and when it arrived.
    receipts: Mutex<Vec<(String, Instant)>>,
    /// When each connection ended.
    drops: Mutex<Vec<Instant>>,
    /// Why each connection ended.
    reasons: Mutex<Vec<String>>,
    /// ERROR frames' `message` headers.
    errors: Mutex<Vec<String>>,
}

impl Listener for Seen {
    fn on_connecting(&self, _host: &str, port: u16) {
        *self.port.lock().unwrap() = port;
        self.tried.lock().unwrap().push((Instant::now(), port));
    }
    fn on_connected(&self, frame: &Frame) {
        *self.session.lock().unwrap() = frame.session().unwrap_or_default().to_owned();
        self.connected.lock().unwrap().push(Instant::now());
    }
    fn on_receipt(&self, frame: &Frame) {
        let id = frame.receipt_id().unwrap_or_default().to_owned();
        self.receipts.lock().unwrap().push((id, Instant::now()));
    }
    fn on_error(&self, frame: &Frame) {
        let message = frame.message().unwrap_or_default().to_owned();
        self.errors.lock().unwrap().push(message);
    }
    fn on_disconnected(&self, info: &Disconnected) {
        self.drops.lock().unwrap().push(Instant::now());
        let reason = format!("{:?}", info.reason);
        self.reasons.lock().unwrap().push(reason);
    }
}

fn quorum_headers(extra: &[(&str, &str)]) -> Headers {
    let mut h = Headers::new();
    for (n, v) in [
        ("x-queue-type", "quorum"),
        ("durable", "true"),
        ("auto-delete", "false"),
    ]
    .iter()
    .chain(extra)
    {
        h.push(n, v);
    }
    h
}

fn client(cluster: &Cluster) -> (Client, Arc<Seen>) {
    let client = Client::new(cluster.config());
    let seen = Arc::new(Seen::default());
    client.set_listener("seen", seen.clone());
    client.connect(Duration::from_secs(30)).unwrap_or_else(|e| {
        panic!("cannot connect to the cluster: {e} (scripts/cluster.sh start)")
    });
    (client, seen)
}

/// One published message: its sends (with their receipt ids), and whether its receipt came.
#[derive(Default, Clone)]
struct Published {
    sends: Vec<(Instant, String)>,
    /// The receipt id that was confirmed.
    confirmed: Option<String>,
}

/// What the publisher did.
struct Publisher {
    messages: Vec<Published>,
    /// Receipts that ended without a RECEIPT (ERROR, close), each followed by a new SEND.
    failed_receipts: usize,
}

/// Publishes `MESSAGES` messages with receipts, `WINDOW` at a time; a message whose receipt
/// fails is sent again (at most 5 times). `progress` counts confirmed messages; messages from
/// [`HOLD_AT`] on wait for `released`.
fn publish(
    client: &Client,
    queue: &str,
    progress: &AtomicUsize,
    released: &AtomicBool,
    until: Instant,
) -> Publisher {
    let mut messages = vec![Published::default(); MESSAGES];
    let mut window: VecDeque<(usize, Receipt)> = VecDeque::new();
    let mut queued: VecDeque<usize> = (0..MESSAGES).collect();
    let mut failed_receipts = 0;
    while (!queued.is_empty() || !window.is_empty()) && Instant::now() < until {
        if let Some(&seq) = queued.front()
            && window.len() < WINDOW
            && (seq < HOLD_AT || released.load(Ordering::SeqCst))
        {
            let headers = quorum_headers(&[("persistent", "true"), ("seq", &seq.to_string())]);
            match client.send_with_receipt(queue, seq.to_string(), headers) {
                Ok(receipt) => {
                    queued.pop_front();
                    messages[seq]
                        .sends
                        .push((Instant::now(), receipt.id().to_owned()));
                    window.push_back((seq, receipt));
                    thread::sleep(PACE);
                }
                // Not connected: the client is failing over.
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
            continue;
        }
        let Some((seq, receipt)) = window.pop_front() else {
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        let left = until.saturating_duration_since(Instant::now());
        match receipt.wait(left) {
            Ok(_) => {
                messages[seq].confirmed = Some(receipt.id().to_owned());
                progress.fetch_add(1, Ordering::SeqCst);
            }
            Err(e) => {
                failed_receipts += 1;
                if messages[seq].sends.len() >= 5 {
                    panic!("message {seq}: 5 sends without a receipt, the last: {e}");
                }
                queued.push_front(seq);
            }
        }
    }
    Publisher {
        messages,
        failed_receipts,
    }
}

/// One delivery to the consumer.
struct Delivery {
    seq: usize,
    /// The ACK's receipt came.
    ack_confirmed: Arc<AtomicBool>,
    /// The `receipt` of the ACK sent for it, if one was sent.
    ack_id: Option<String>,
}

/// Consumes until every message in `wanted` (as it stands when it is checked) has arrived,
/// `done` is set and 5 s pass without news, or `until`.
fn consume(
    client: &Client,
    seen: &Seen,
    queue: &str,
    wanted: &dyn Fn() -> Option<BTreeSet<usize>>,
    until: Instant,
) -> Vec<Delivery> {
    let messages = client
        .subscribe_messages(
            queue,
            AckMode::ClientIndividual,
            quorum_headers(&[("prefetch-count", "200")]),
        )
        .expect("subscribe");
    let mut deliveries = Vec::new();
    let mut got = BTreeSet::new();
    let mut acks: Vec<(Receipt, Arc<AtomicBool>)> = Vec::new();
    let mut quiet_since = Instant::now();
    let mut n = 0u64;
    while Instant::now() < until {
        match messages.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(frame)) => {
                quiet_since = Instant::now();
                // The body is the sequence number (or the declaring SEND's).
                let seq: Option<usize> = String::from_utf8_lossy(frame.body()).parse().ok();
                let confirmed = Arc::new(AtomicBool::new(false));
                // An ACK is for the connection that delivered the message: RabbitMQ's ack id
                // holds the session id. One of a connection gone is left to redelivery.
                let session = seen.session.lock().unwrap().clone();
                let current = frame
                    .ack()
                    .is_some_and(|id| !session.is_empty() && id.contains(&session));
                let mut ack_id = None;
                if current {
                    n += 1;
                    let id = format!("ack-{n}");
                    let receipt = client.watch_receipt(&id);
                    let mut headers = Headers::new();
                    headers.push("receipt", &id);
                    if client.ack(&frame, headers).is_ok() {
                        acks.push((receipt, confirmed.clone()));
                        ack_id = Some(id);
                    }
                }
                if let Some(seq) = seq {
                    got.insert(seq);
                    deliveries.push(Delivery {
                        seq,
                        ack_confirmed: confirmed,
                        ack_id,
                    });
                }
            }
            Ok(None) => {}
            Err(()) => panic!("the subscription ended"),
        }
        acks.retain(|(receipt, confirmed)| {
            if receipt.is_done() {
                confirmed.store(receipt.wait(Duration::ZERO).is_ok(), Ordering::SeqCst);
                false
            } else {
                true
            }
        });
        if let Some(wanted) = wanted()
            && wanted.is_subset(&got)
            && quiet_since.elapsed() > Duration::from_secs(2)
        {
            break;
        }
    }
    // The last ACKs' receipts.
    for (receipt, confirmed) in acks {
        confirmed.store(
            receipt.wait(Duration::from_secs(5)).is_ok(),
            Ordering::SeqCst,
        );
    }
    deliveries
}

/// The longest gap between two receipts, and when it began (from the first receipt).
fn longest_gap(times: &[Instant]) -> (Duration, Duration) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let first = sorted.first().copied();
    sorted
        .windows(2)
        .map(|w| (w[1] - w[0], w[0] - first.unwrap()))
        .max()
        .unwrap_or_default()
}

enum Fault {
    Kill,
    Freeze,
    Restart,
}

/// Puts the cluster back as it was, even when the case fails.
struct Restore<'a> {
    cluster: &'a Cluster,
    node: Mutex<Option<(usize, &'static str)>>,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        if let Some((node, how)) = self.node.lock().unwrap().take() {
            let n = node.to_string();
            self.cluster.run(&[how, &n]);
            if how == "thaw" {
                // Cut off from the others while frozen: a restart makes it rejoin at once.
                self.cluster.run(&["kill", &n]);
                self.cluster.run(&["start-node", &n]);
            }
        }
    }
}

/// What a case measured.
struct Measured {
    /// The longest gap between two receipts.
    gap: Duration,
    /// From the fault to the publisher's next CONNECTED.
    reconnected: Duration,
}

fn run_case(name: &str, fault: Fault) -> Measured {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::from_env();
    let until = Instant::now() + CASE_LIMIT;
    let queue = format!(
        "/queue/stompwire-cluster-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    );
    let (publisher, pub_seen) = client(&cluster);
    let (consumer, con_seen) = client(&cluster);
    let restore = Restore {
        cluster: &cluster,
        node: Mutex::new(None),
    };
    // The first SEND declares the queue (its leader on the node the publisher is on).
    publisher
        .send_with_receipt(&queue, "declare", quorum_headers(&[]))
        .expect("declare")
        .wait(Duration::from_secs(10))
        .expect("the declaring SEND is confirmed");

    let progress = AtomicUsize::new(0);
    let released = AtomicBool::new(false);
    let published: Mutex<Option<Publisher>> = Mutex::new(None);
    let mut fault_at = None;
    let mut deliveries = Vec::new();
    thread::scope(|s| {
        s.spawn(|| {
            let result = publish(&publisher, &queue, &progress, &released, until);
            *published.lock().unwrap() = Some(result);
        });
        let consumer_thread = s.spawn(|| {
            let wanted = || {
                published.lock().unwrap().as_ref().map(|p| {
                    p.messages
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| m.confirmed.is_some())
                        .map(|(i, _)| i)
                        .collect()
                })
            };
            consume(&consumer, &con_seen, &queue, &wanted, until)
        });
        // The fault, once a third of the messages are confirmed.
        while progress.load(Ordering::SeqCst) < FAULT_AFTER && Instant::now() < until {
            thread::sleep(Duration::from_millis(5));
        }
        let pub_port = *pub_seen.port.lock().unwrap();
        let con_port = *con_seen.port.lock().unwrap();
        assert_eq!(
            pub_port, con_port,
            "publisher and consumer on the same node"
        );
        let node = cluster.node_of(pub_port);
        fault_at = Some(Instant::now());
        match fault {
            Fault::Kill => {
                cluster.run(&["kill", &node.to_string()]);
                *restore.node.lock().unwrap() = Some((node, "start-node"));
            }
            Fault::Freeze => {
                cluster.run(&["freeze", &node.to_string()]);
                *restore.node.lock().unwrap() = Some((node, "thaw"));
                // Frozen until both clients have left it, or 20 s.
                let left = Instant::now() + Duration::from_secs(20);
                while Instant::now() < left
                    && (*pub_seen.port.lock().unwrap() == pub_port
                        || *con_seen.port.lock().unwrap() == con_port
                        || !publisher.is_connected())
                {
                    thread::sleep(Duration::from_millis(20));
                }
            }
            Fault::Restart => cluster.run(&["restart"]),
        }
        released.store(true, Ordering::SeqCst);
        deliveries = consumer_thread.join().expect("consumer");
    });
    // What the clients saw up to here: restoring the node comes after.
    let drops = pub_seen.drops.lock().unwrap().clone();
    let receipts: Vec<(String, Instant)> = pub_seen.receipts.lock().unwrap().clone();
    let connected = pub_seen.connected.lock().unwrap().clone();
    let tried_all = pub_seen.tried.lock().unwrap().clone();
    let con_drops: Vec<Instant> = con_seen.drops.lock().unwrap().clone();
    let consumer_drops = con_drops.len();
    let ack_receipts: BTreeMap<String, Instant> =
        con_seen.receipts.lock().unwrap().iter().cloned().collect();
    let reasons = pub_seen.reasons.lock().unwrap().clone();
    drop(restore);
    let publisher_result = published.into_inner().unwrap().expect("publisher result");
    let fault_at = fault_at.expect("the fault happened");

    // No message whose receipt came is lost.
    let confirmed: BTreeSet<usize> = publisher_result
        .messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.confirmed.is_some())
        .map(|(i, _)| i)
        .collect();
    let mut copies: BTreeMap<usize, Vec<&Delivery>> = BTreeMap::new();
    for d in &deliveries {
        copies.entry(d.seq).or_default().push(d);
    }
    let lost: Vec<usize> = confirmed
        .iter()
        .filter(|s| !copies.contains_key(s))
        .copied()
        .collect();

    // Duplicates only among messages unreceipted at a drop (sent again by the session or by
    // the publisher) or unacknowledged (an earlier copy's ACK was not confirmed).
    let receipt_time: BTreeMap<&str, Instant> =
        receipts.iter().map(|(id, t)| (id.as_str(), *t)).collect();
    let unreceipted_at_drop = |m: &Published| {
        let came = m
            .confirmed
            .as_deref()
            .and_then(|id| receipt_time.get(id).copied());
        m.sends.len() > 1
            || drops.iter().any(|d| {
                m.sends.first().is_some_and(|(s, _)| s <= d) && came.is_none_or(|c| c >= *d)
            })
    };
    let mut duplicates = 0;
    let mut settling = 0;
    let mut unexplained = Vec::new();
    for (seq, list) in &copies {
        if list.len() < 2 {
            continue;
        }
        duplicates += list.len() - 1;
        // RabbitMQ sends an ACK's RECEIPT once the channel has taken it, before the quorum
        // queue has committed the settlement: an ACK receipted shortly before the fault, on a
        // consumer connection lost afterwards, may be lost with its node and the message
        // delivered again. It counts as unacknowledged.
        let unsettled = |d: &Delivery| {
            d.ack_id
                .as_deref()
                .and_then(|id| ack_receipts.get(id))
                .is_some_and(|at| *at + ACK_SETTLE >= fault_at && con_drops.iter().any(|d| d >= at))
        };
        let unacked = list[..list.len() - 1]
            .iter()
            .any(|d| !d.ack_confirmed.load(Ordering::SeqCst) || unsettled(d));
        if unacked
            && list[..list.len() - 1]
                .iter()
                .all(|d| d.ack_confirmed.load(Ordering::SeqCst))
        {
            settling += 1;
        }
        if !unacked && !unreceipted_at_drop(&publisher_result.messages[*seq]) {
            unexplained.push(*seq);
        }
    }

    let times: Vec<Instant> = receipts.iter().map(|(_, t)| *t).collect();
    let (gap, gap_at) = longest_gap(&times);
    let mut after_fault: Vec<Instant> = times.iter().copied().filter(|t| *t >= fault_at).collect();
    after_fault.sort();
    let first_after = after_fault.first().map(|t| *t - fault_at);
    let reconnected = connected
        .iter()
        .find(|t| **t >= fault_at)
        .map(|t| *t - fault_at)
        .expect("the publisher connected again after the fault");
    let tried: Vec<u16> = tried_all
        .iter()
        .filter(|(t, _)| *t >= fault_at)
        .map(|(_, p)| *p)
        .collect();
    let tried_shown = if tried.len() > 8 {
        format!("{:?}… ({} in all)", &tried[..8], tried.len())
    } else {
        format!("{tried:?}")
    };
    eprintln!(
        "cluster {name}: {} sent, {} confirmed, {} delivered ({} distinct), {duplicates} duplicates, \
         {} lost; {} receipts failed and were sent again; longest gap between receipts {gap:?} \
         ({gap_at:?} after the first); first receipt {first_after:?} after the fault; \
         publisher connected again {reconnected:?} after the fault, trying ports {tried_shown}; \
         publisher drops {} {reasons:?}, consumer drops {}; {settling} duplicates of messages \
         whose ACK receipt came less than {ACK_SETTLE:?} before the fault; ERROR frames: {:?}",
        MESSAGES,
        confirmed.len(),
        deliveries.len(),
        copies.len(),
        lost.len(),
        publisher_result.failed_receipts,
        drops.len(),
        consumer_drops,
        pub_seen.errors.lock().unwrap(),
    );
    assert!(lost.is_empty(), "confirmed but never delivered: {lost:?}");
    assert!(
        unexplained.is_empty(),
        "delivered twice although receipted and acknowledged: {unexplained:?}"
    );
    assert_eq!(
        confirmed.len(),
        MESSAGES,
        "every message is confirmed in the end (sent again after a failed receipt)"
    );
    assert!(!drops.is_empty(), "the publisher's connection dropped");
    let _ = publisher.disconnect();
    let _ = consumer.disconnect();
    Measured { gap, reconnected }
}

#[test]
#[ignore = "needs the 3-node RabbitMQ cluster: scripts/test-cluster.sh"]
fn kill_9_of_the_node_both_are_on() {
    let Measured { gap, reconnected } = run_case("kill", Fault::Kill);
    assert!(
        reconnected <= failover_bound(),
        "reconnected {reconnected:?} after the kill, over the bound {:?}",
        failover_bound()
    );
    assert!(
        gap <= failover_bound(),
        "receipts stopped for {gap:?}, over the bound {:?}",
        failover_bound()
    );
}

#[test]
#[ignore = "needs the 3-node RabbitMQ cluster: scripts/test-cluster.sh"]
fn sigstop_of_the_node_both_are_on() {
    let Measured { gap, reconnected } = run_case("sigstop", Fault::Freeze);
    assert!(
        reconnected <= failover_bound(),
        "connected elsewhere {reconnected:?} after the freeze, over the bound {:?}",
        failover_bound()
    );
    // The receipts wait for the cluster too: it declares the frozen node down after 2–2.5 s
    // (net_ticktime 2), and RabbitMQ 3.10 took about 5 s more to elect the queue's new leader
    // in these runs (receipts stopped for 12.3 s with the frozen node tried twice). The bound
    // only rules out a stall (a minute and more, without net_ticktime).
    let cluster_bound = Duration::from_secs(15);
    assert!(
        gap <= failover_bound() + cluster_bound,
        "receipts stopped for {gap:?} after the freeze, over {:?}",
        failover_bound() + cluster_bound
    );
}

#[test]
#[ignore = "needs the 3-node RabbitMQ cluster: scripts/test-cluster.sh"]
fn full_restart_of_all_three_nodes() {
    let Measured { gap, .. } = run_case("restart", Fault::Restart);
    // No bound from the client here: the gap is the cluster's restart time.
    assert!(gap < CASE_LIMIT, "receipts stopped for {gap:?}");
}
