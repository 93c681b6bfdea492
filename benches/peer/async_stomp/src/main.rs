//! stompwire's async client against async-stomp 0.7 and a raw-TCP floor (hand-written STOMP,
//! pre-encoded SEND frames), on the same brokers in the same run.
//!
//! Each workload publishes N messages of SIZE bytes on one connection and consumes them on a
//! second (auto ack), in one process (the async clients on one tokio thread, stompwire's
//! blocking client on its receiver threads and plain threads, its messages taken from a
//! `Messages` iterator on another thread or by a listener on the receiver thread); it
//! reports delivered msg/s,
//! the CPU time per message of the whole process (every thread's
//! /proc/self/task/*/schedstat) and the latency from send to receipt (p50, p99; the send
//! time travels in the body).
//!
//! ```sh
//! eval "$(bash scripts/brokers.sh env)"
//! cargo run --release --manifest-path benches/peer/async_stomp/Cargo.toml -- all
//! cargo run --release --manifest-path benches/peer/async_stomp/Cargo.toml -- all 5  # medians
//! cargo run --release --manifest-path benches/peer/async_stomp/Cargo.toml -- \
//!     one stompwire activemq 50000 128 0     # client broker messages size rate(0 = flood)
//! ```
//!
//! Every run is bounded: at most `MAX_SECONDS` per client and workload.

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use std::sync::{Arc, OnceLock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MAX_SECONDS: u64 = 120;
/// Digits of the send time at the start of every body.
const STAMP: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Broker {
    ActiveMq,
    RabbitMq,
}

impl Broker {
    fn address(self) -> String {
        let (var, default) = match self {
            Broker::ActiveMq => ("STOMPWIRE_ACTIVEMQ_TCP", "127.0.0.1:61633"),
            Broker::RabbitMq => ("STOMPWIRE_RABBIT_TCP", "127.0.0.1:61613"),
        };
        std::env::var(var).unwrap_or_else(|_| default.to_owned())
    }

    fn credentials(self) -> (&'static str, &'static str) {
        match self {
            Broker::ActiveMq => ("admin", "admin"),
            Broker::RabbitMq => ("guest", "guest"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Broker::ActiveMq => "ActiveMQ",
            Broker::RabbitMq => "RabbitMQ",
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Workload {
    broker: Broker,
    messages: usize,
    size: usize,
    /// Messages per second; `None` floods.
    rate: Option<u32>,
}

impl Workload {
    fn label(&self) -> String {
        let size = if self.size >= 1024 {
            format!("{} KiB", self.size / 1024)
        } else {
            format!("{} B", self.size)
        };
        match self.rate {
            None => format!("{} flood {} × {size}", self.broker.name(), self.messages),
            Some(r) => format!("{} paced {r}/s × {size}", self.broker.name()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Peer {
    Stompwire,
    /// stompwire's blocking `native::Client` (the same driver, on receiver threads of its
    /// own), driven from plain threads; messages taken from a `Messages` iterator.
    Blocking,
    /// The blocking client with messages taken by a listener (on the receiver thread), as
    /// stomp.py programs take them.
    BlockingListener,
    AsyncStomp,
    Floor,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::Stompwire => "stompwire",
            Peer::Blocking => "stompwire blocking",
            Peer::BlockingListener => "stompwire blocking, listener",
            Peer::AsyncStomp => "async-stomp",
            Peer::Floor => "floor",
        }
    }
}

#[derive(Debug)]
struct Outcome {
    delivered: usize,
    seconds: f64,
    cpu_seconds: f64,
    latencies_ns: Vec<u64>,
}

impl Outcome {
    fn cpu_us_per_msg(&self) -> f64 {
        self.cpu_seconds * 1e6 / self.delivered.max(1) as f64
    }
    fn msg_per_s(&self) -> f64 {
        self.delivered as f64 / self.seconds
    }
    fn percentile_ms(&self, p: f64) -> f64 {
        let mut l = self.latencies_ns.clone();
        l.sort_unstable();
        if l.is_empty() {
            return f64::NAN;
        }
        let i = ((l.len() as f64 - 1.0) * p).round() as usize;
        l[i] as f64 / 1e6
    }
}

fn origin() -> Instant {
    static O: OnceLock<Instant> = OnceLock::new();
    *O.get_or_init(Instant::now)
}

fn now_ns() -> u64 {
    origin().elapsed().as_nanos() as u64
}

/// CPU seconds of the whole process — every thread alive (the tokio thread that runs the
/// async clients, the blocking client's receiver threads and the threads driving it) — from
/// /proc/self/task/*/schedstat (nanoseconds); the process's utime + stime from
/// /proc/self/stat (10 ms ticks) where those files are missing. Read while the threads of a
/// run are still alive.
fn cpu_seconds() -> f64 {
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        let ns: f64 = tasks
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
            .filter_map(|stat| stat.split_whitespace().next()?.parse::<f64>().ok())
            .sum();
        if ns > 0.0 {
            return ns / 1e9;
        }
    }
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); `after` starts at field 3.
    let utime: f64 = fields[11].parse().unwrap();
    let stime: f64 = fields[12].parse().unwrap();
    (utime + stime) / 100.0
}

/// A body: the send time, then padding.
fn body(size: usize) -> Vec<u8> {
    let mut b = format!("{:020}", now_ns()).into_bytes();
    b.resize(size.max(STAMP), b'x');
    b
}

fn latency(body: &[u8], received: u64) -> Option<u64> {
    let sent: u64 = std::str::from_utf8(body.get(..STAMP)?).ok()?.parse().ok()?;
    Some(received.saturating_sub(sent))
}

fn destination(peer: Peer) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    format!(
        "/queue/async-peer-bench-{}-{}-{}",
        // A queue name of letters and dashes only (ActiveMQ reads a comma as a list of
        // destinations).
        peer.name().replace([' ', ','], "-"),
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// Paces the producer: waits until message `i` is due.
struct Pacer {
    start: tokio::time::Instant,
    rate: Option<u32>,
}

impl Pacer {
    fn new(rate: Option<u32>) -> Pacer {
        Pacer {
            start: tokio::time::Instant::now(),
            rate,
        }
    }
    async fn wait(&self, i: usize) {
        if let Some(rate) = self.rate {
            let due = self.start + Duration::from_secs_f64(i as f64 / f64::from(rate));
            tokio::time::sleep_until(due).await;
        }
    }
}

// ----- stompwire --------------------------------------------------------------------------------

/// The write buffer of stompwire's async clients: `BENCH_WRITE_BUFFER` bytes, else the
/// default's.
fn write_buffer() -> usize {
    std::env::var("BENCH_WRITE_BUFFER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(stompwire::client::Config::new(Vec::new()).write_buffer)
}

async fn stompwire(w: Workload) -> Outcome {
    use stompwire::client::{Client, Config};
    use stompwire::session::AckMode;
    let (login, passcode) = w.broker.credentials();
    let config = || {
        Config::from_url(&format!("tcp://{}", w.broker.address()))
            .unwrap()
            .credentials(login, passcode)
            .vhost("/")
            .heart_beat(0, 0)
            .write_buffer(write_buffer())
    };
    let consumer = Client::connect(config()).await.expect("connect");
    let producer = Client::connect(config()).await.expect("connect");
    let dest = destination(Peer::Stompwire);
    let mut messages = consumer.subscribe(&dest, AckMode::Auto).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let n = w.messages;
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let receiving = tokio::spawn(async move {
        let mut lat = Vec::with_capacity(n);
        while lat.len() < n {
            let Some(m) = messages.next().await else {
                break;
            };
            lat.push(latency(m.body(), now_ns()).unwrap_or(0));
        }
        lat
    });
    let pacer = Pacer::new(w.rate);
    for i in 0..n {
        pacer.wait(i).await;
        producer.send(&dest, body(w.size)).await.expect("send");
    }
    let latencies_ns = receiving.await.unwrap();
    let outcome = Outcome {
        delivered: latencies_ns.len(),
        seconds: t0.elapsed().as_secs_f64(),
        cpu_seconds: cpu_seconds() - cpu0,
        latencies_ns,
    };
    let _ = producer.shutdown(Duration::from_secs(5)).await;
    let _ = consumer.shutdown(Duration::from_secs(5)).await;
    outcome
}

// ----- stompwire, blocking ---------------------------------------------------------------------

/// Takes the consumer's messages on its receiver thread: records each one's latency, and
/// says when `n` have come.
struct Recorder {
    n: usize,
    latencies: std::sync::Mutex<Vec<u64>>,
    done: std::sync::mpsc::SyncSender<()>,
}

impl stompwire::native::listener::Listener for Recorder {
    fn on_message(&self, frame: &stompwire::frame::Frame) {
        let received = now_ns();
        let mut l = self.latencies.lock().unwrap();
        l.push(latency(&frame.body, received).unwrap_or(0));
        if l.len() == self.n {
            let _ = self.done.try_send(());
        }
    }
}

fn blocking(w: Workload, listener: bool) -> Outcome {
    use stompwire::frame::Headers;
    use stompwire::native::{Client, ClientConfig};
    use stompwire::session::AckMode;
    let (login, passcode) = w.broker.credentials();
    let config = || {
        ClientConfig::from_url(&format!("tcp://{}", w.broker.address()))
            .unwrap()
            .credentials(login, passcode)
            .vhost("/")
            .heart_beat(0, 0)
    };
    let consumer = Client::new(config());
    consumer.connect(Duration::from_secs(10)).expect("connect");
    let producer = Client::new(config());
    producer.connect(Duration::from_secs(10)).expect("connect");
    let n = w.messages;
    let dest = destination(if listener {
        Peer::BlockingListener
    } else {
        Peer::Blocking
    });
    let (done, finished) = std::sync::mpsc::sync_channel(1);
    let recorder = Arc::new(Recorder {
        n,
        latencies: std::sync::Mutex::new(Vec::with_capacity(n)),
        done,
    });
    let messages = if listener {
        consumer.set_listener("bench", recorder.clone());
        consumer
            .subscribe(&dest, AckMode::Auto, Headers::new())
            .unwrap();
        None
    } else {
        Some(
            consumer
                .subscribe_messages(&dest, AckMode::Auto, Headers::new())
                .unwrap(),
        )
    };
    std::thread::sleep(Duration::from_millis(300));

    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(MAX_SECONDS);
    let receiving = std::thread::spawn(move || {
        let Some(messages) = messages else {
            let _ = finished.recv_timeout(deadline.saturating_duration_since(Instant::now()));
            return (
                core::mem::take(&mut *recorder.latencies.lock().unwrap()),
                None,
            );
        };
        let mut lat = Vec::with_capacity(n);
        while lat.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(Some(m)) = messages.recv_timeout(left) else {
                break;
            };
            lat.push(latency(m.body(), now_ns()).unwrap_or(0));
        }
        (lat, Some(messages))
    });
    let start = Instant::now();
    for i in 0..n {
        if let Some(rate) = w.rate {
            let due = start + Duration::from_secs_f64(i as f64 / f64::from(rate));
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        producer
            .send(&dest, body(w.size), Headers::new())
            .expect("send");
    }
    let (latencies_ns, messages) = receiving.join().unwrap();
    let outcome = Outcome {
        delivered: latencies_ns.len(),
        seconds: t0.elapsed().as_secs_f64(),
        cpu_seconds: cpu_seconds() - cpu0,
        latencies_ns,
    };
    drop(messages);
    let _ = producer.disconnect();
    let _ = consumer.disconnect();
    outcome
}

// ----- async-stomp ------------------------------------------------------------------------------

async fn async_stomp(w: Workload) -> Outcome {
    use async_stomp::client::{Connector, Subscriber};
    use async_stomp::{FromServer, ToServer};
    let (login, passcode) = w.broker.credentials();
    let connect = || async {
        Connector::builder()
            .server(w.broker.address())
            .virtualhost("/")
            .login(login.to_owned())
            .passcode(passcode.to_owned())
            .connect()
            .await
            .expect("connect")
    };
    let mut consumer = connect().await;
    let mut producer = connect().await;
    let dest = destination(Peer::AsyncStomp);
    consumer
        .send(
            Subscriber::builder()
                .destination(&dest)
                .id("sub-0")
                .subscribe(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let n = w.messages;
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let receiving = tokio::spawn(async move {
        let mut lat = Vec::with_capacity(n);
        while lat.len() < n {
            let Some(item) = consumer.next().await else {
                break;
            };
            if let FromServer::Message { body: Some(b), .. } = item.expect("receive").content {
                lat.push(latency(&b, now_ns()).unwrap_or(0));
            }
        }
        lat
    });
    let pacer = Pacer::new(w.rate);
    for i in 0..n {
        pacer.wait(i).await;
        producer
            .send(
                ToServer::Send {
                    destination: dest.clone(),
                    transaction: None,
                    headers: None,
                    body: Some(body(w.size)),
                }
                .into(),
            )
            .await
            .expect("send");
    }
    let latencies_ns = receiving.await.unwrap();
    Outcome {
        delivered: latencies_ns.len(),
        seconds: t0.elapsed().as_secs_f64(),
        cpu_seconds: cpu_seconds() - cpu0,
        latencies_ns,
    }
}

// ----- the floor: hand-written STOMP on raw TCP ---------------------------------------------

async fn raw_connect(broker: Broker) -> TcpStream {
    let (login, passcode) = broker.credentials();
    let mut s = TcpStream::connect(broker.address()).await.expect("connect");
    s.set_nodelay(true).unwrap();
    let connect = format!(
        "CONNECT\naccept-version:1.2\nhost:/\nlogin:{login}\npasscode:{passcode}\nheart-beat:0,0\n\n\0"
    );
    s.write_all(connect.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    while !reply.contains(&0) {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before CONNECTED");
        reply.extend_from_slice(&buf[..n]);
    }
    assert!(
        reply.starts_with(b"CONNECTED"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    s
}

async fn floor(w: Workload) -> Outcome {
    let mut consumer = raw_connect(w.broker).await;
    let mut producer = raw_connect(w.broker).await;
    let dest = destination(Peer::Floor);
    consumer
        .write_all(format!("SUBSCRIBE\nid:0\ndestination:{dest}\nack:auto\n\n\0").as_bytes())
        .await
        .unwrap();
    // Every SEND pre-encoded; the send time is written into its body just before it goes.
    let head = format!(
        "SEND\ndestination:{dest}\ncontent-length:{}\n\n",
        w.size.max(STAMP)
    );
    let frame_len = head.len() + w.size.max(STAMP) + 1;
    let mut frames = Vec::with_capacity(frame_len * w.messages);
    for _ in 0..w.messages {
        frames.extend_from_slice(head.as_bytes());
        frames.extend(std::iter::repeat_n(b'x', w.size.max(STAMP)));
        frames.push(0);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let n = w.messages;
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let receiving = tokio::spawn(async move {
        let mut lat = Vec::with_capacity(n);
        let mut buf = vec![0u8; 256 << 10];
        let mut pending: Vec<u8> = Vec::new();
        while lat.len() < n {
            let got = consumer.read(&mut buf).await.unwrap();
            if got == 0 {
                break;
            }
            let received = now_ns();
            // Only a frame cut by the read is copied; the others are read where they landed.
            let data: &[u8] = if pending.is_empty() {
                &buf[..got]
            } else {
                pending.extend_from_slice(&buf[..got]);
                &pending
            };
            let mut start = 0;
            while let Some(nul) = memchr::memchr(0, &data[start..]) {
                let frame = &data[start..start + nul];
                if let Some(h) = memchr::memmem::find(frame, b"\n\n")
                    && frame.trim_ascii_start().starts_with(b"MESSAGE")
                {
                    lat.push(latency(&frame[h + 2..], received).unwrap_or(0));
                }
                start += nul + 1;
            }
            let rest = data[start..].to_vec();
            pending = rest;
        }
        lat
    });
    let pacer = Pacer::new(w.rate);
    let stamp_at = head.len();
    let batch = if w.rate.is_some() {
        1
    } else {
        (64 << 10) / frame_len + 1
    };
    let mut i = 0;
    while i < n {
        pacer.wait(i).await;
        let end = (i + batch).min(n);
        let stamp = format!("{:020}", now_ns());
        for k in i..end {
            let at = k * frame_len + stamp_at;
            frames[at..at + STAMP].copy_from_slice(stamp.as_bytes());
        }
        producer
            .write_all(&frames[i * frame_len..end * frame_len])
            .await
            .unwrap();
        i = end;
    }
    let latencies_ns = receiving.await.unwrap();
    Outcome {
        delivered: latencies_ns.len(),
        seconds: t0.elapsed().as_secs_f64(),
        cpu_seconds: cpu_seconds() - cpu0,
        latencies_ns,
    }
}

// ----- driver -----------------------------------------------------------------------------------

fn run_one(peer: Peer, w: Workload) -> Outcome {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let fut = async {
            match peer {
                Peer::Stompwire => stompwire(w).await,
                Peer::Blocking => blocking(w, false),
                Peer::BlockingListener => blocking(w, true),
                Peer::AsyncStomp => async_stomp(w).await,
                Peer::Floor => floor(w).await,
            }
        };
        tokio::time::timeout(Duration::from_secs(MAX_SECONDS), fut)
            .await
            .unwrap_or_else(|_| panic!("{} on {} ran out of time", peer.name(), w.label()))
    })
}

fn row(peer: Peer, w: &Workload, o: &Outcome) {
    println!(
        "| {} | {} | {}/{} | {:.0} | {:.2} | {:.2} | {:.2} |",
        w.label(),
        peer.name(),
        o.delivered,
        w.messages,
        o.msg_per_s(),
        o.cpu_us_per_msg(),
        o.percentile_ms(0.5),
        o.percentile_ms(0.99)
    );
}

fn main() {
    origin();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workloads = [
        Workload {
            broker: Broker::ActiveMq,
            messages: 50_000,
            size: 128,
            rate: None,
        },
        Workload {
            broker: Broker::RabbitMq,
            messages: 50_000,
            size: 128,
            rate: None,
        },
        Workload {
            broker: Broker::ActiveMq,
            messages: 5_000,
            size: 16 << 10,
            rate: None,
        },
        Workload {
            broker: Broker::RabbitMq,
            messages: 5_000,
            size: 128,
            rate: Some(1_000),
        },
    ];
    match args.first().map(String::as_str) {
        Some("one") => {
            let peer = match args[1].as_str() {
                "stompwire" => Peer::Stompwire,
                "blocking" => Peer::Blocking,
                "blocking-listener" => Peer::BlockingListener,
                "async-stomp" => Peer::AsyncStomp,
                _ => Peer::Floor,
            };
            let broker = if args[2] == "activemq" {
                Broker::ActiveMq
            } else {
                Broker::RabbitMq
            };
            let rate: u32 = args[5].parse().unwrap();
            let w = Workload {
                broker,
                messages: args[3].parse().unwrap(),
                size: args[4].parse().unwrap(),
                rate: (rate > 0).then_some(rate),
            };
            let o = run_one(peer, w);
            row(peer, &w, &o);
        }
        _ => {
            // `all [N]`: every workload N times (default 1), the clients in turn within each
            // round (in a rotated order) so that they share the machine's state; a row per
            // run, then the medians and the ratios of the medians.
            let rounds: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
            println!("| workload | client | delivered | msg/s | CPU µs/msg | p50 ms | p99 ms |");
            println!("|---|---|---|---|---|---|---|");
            let peers = [
                Peer::Stompwire,
                Peer::Blocking,
                Peer::BlockingListener,
                Peer::AsyncStomp,
                Peer::Floor,
            ];
            let mut medians = Vec::new();
            for w in &workloads {
                // Per peer: CPU, msg/s, p50, p99 of every round.
                let mut runs: Vec<[Vec<f64>; 4]> = vec![Default::default(); peers.len()];
                for round in 0..rounds {
                    // Each round starts one client further along: over the rounds every
                    // client runs in every position (the broker's state after a run weighs
                    // on whichever runs next).
                    for i in 0..peers.len() {
                        let k = (i + round) % peers.len();
                        let peer = peers[k];
                        let o = run_one(peer, *w);
                        row(peer, w, &o);
                        let values = [
                            o.cpu_us_per_msg(),
                            o.msg_per_s(),
                            o.percentile_ms(0.5),
                            o.percentile_ms(0.99),
                        ];
                        for (list, v) in runs[k].iter_mut().zip(values) {
                            list.push(v);
                        }
                    }
                }
                let m: Vec<[f64; 4]> = runs
                    .iter()
                    .map(|r| [median(&r[0]), median(&r[1]), median(&r[2]), median(&r[3])])
                    .collect();
                medians.push((w.label(), m));
            }
            if rounds > 1 {
                println!();
                println!("Medians of {rounds} rounds:");
                println!();
                println!("| workload | client | msg/s | CPU µs/msg | p50 ms | p99 ms |");
                println!("|---|---|---|---|---|---|");
                for (label, m) in &medians {
                    for (peer, v) in peers.iter().zip(m) {
                        println!(
                            "| {label} | {} | {:.0} | {:.2} | {:.2} | {:.2} |",
                            peer.name(),
                            v[1],
                            v[0],
                            v[2],
                            v[3]
                        );
                    }
                }
            }
            println!();
            println!(
                "| workload | CPU stompwire/async-stomp | CPU stompwire/floor | msg/s stompwire/async-stomp | p50 stompwire − floor (ms) |"
            );
            println!("|---|---|---|---|---|");
            for (label, m) in medians {
                let (peer, floor) = (m[3], m[4]);
                for (name, ours) in [
                    ("", m[0]),
                    (" (blocking)", m[1]),
                    (" (blocking, listener)", m[2]),
                ] {
                    println!(
                        "| {label}{name} | {:.2} | {:.2} | {:.2} | {:+.2} |",
                        ours[0] / peer[0],
                        ours[0] / floor[0],
                        ours[1] / peer[1],
                        ours[2] - floor[2]
                    );
                }
            }
        }
    }
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
