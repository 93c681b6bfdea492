//! `stompwire bench`: publish N messages on one connection, consume them on a second, report
//! rates, latency and CPU time. Bounded in count and time.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use serde_json::json;
use stompwire::frame::{Frame, Headers};
use stompwire::native::listener::Listener;
use stompwire::session::AckMode;

use crate::args::{BenchArgs, Cli};
use crate::connect::connect;
use crate::fail::Failure;
use crate::progress;

/// The header carrying the send time (ns since the run's start).
const SENT_AT: &str = "x-stompwire-sent-ns";

/// Collects arrival latencies on the consuming connection.
struct Collector {
    start: Instant,
    bar: Option<ProgressBar>,
    state: Mutex<Collected>,
    cond: Condvar,
}

#[derive(Default)]
struct Collected {
    latencies_ns: Vec<u64>,
    bytes: u64,
    last_at: Option<Instant>,
}

impl Listener for Collector {
    fn on_message(&self, frame: &Frame) {
        let now = Instant::now();
        let sent = frame.header(SENT_AT).and_then(|v| v.parse::<u64>().ok());
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sent) = sent {
            let at = now.duration_since(self.start).as_nanos() as u64;
            state.latencies_ns.push(at.saturating_sub(sent));
            state.bytes += frame.body().len() as u64;
            state.last_at = Some(now);
            if let Some(bar) = &self.bar {
                bar.inc(1);
            }
        }
        self.cond.notify_all();
    }
}

/// User + system CPU time of this process so far (`None` where the platform has no such
/// clock).
fn cpu_time() -> Option<Duration> {
    cpu_time::ProcessTime::try_now()
        .ok()
        .map(|t| t.as_duration())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i] as f64 / 1e6
}

/// Runs `bench`.
pub fn run(cli: &Cli, args: &BenchArgs) -> Result<(), Failure> {
    let destination = args.destination.clone().unwrap_or_else(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("/queue/stompwire-bench-{}-{nanos}", std::process::id())
    });
    let limit = args.max_time.max(Duration::from_secs(1));
    let start = Instant::now();
    let bar = progress::bar(args.messages, "delivered");
    let collector = Arc::new(Collector {
        start,
        bar: bar.get().cloned(),
        state: Mutex::new(Collected::default()),
        cond: Condvar::new(),
    });
    let (consumer, consumer_watch) = connect(&args.url, &cli.connection, Some(limit))?;
    consumer.set_listener("bench", collector.clone());
    let (_, receipt) =
        consumer.subscribe_with_receipt(&destination, AckMode::Auto, Headers::new())?;
    receipt.wait(Duration::from_secs(10))?;
    let (producer, producer_watch) = connect(&args.url, &cli.connection, Some(limit))?;

    let body = vec![b'x'; args.size];
    let cpu_before = cpu_time();
    let send_start = Instant::now();
    let mut sent = 0u64;
    for _ in 0..args.messages {
        if send_start.elapsed() > limit {
            break;
        }
        let mut headers = Headers::new();
        let at = start.elapsed().as_nanos() as u64;
        headers.push(SENT_AT, &at.to_string());
        producer.send(&destination, body.clone(), headers)?;
        sent += 1;
        if let Some(bar) = bar.get() {
            if sent % 256 == 0 || sent == args.messages {
                bar.set_message(format!("(sent {sent})"));
            }
        }
    }
    let send_elapsed = send_start.elapsed();
    let deadline = send_start + limit;
    let state = collector.state.lock().unwrap_or_else(|e| e.into_inner());
    let (state, _) = collector
        .cond
        .wait_timeout_while(
            state,
            deadline.saturating_duration_since(Instant::now()),
            |s| (s.latencies_ns.len() as u64) < sent,
        )
        .unwrap_or_else(|e| e.into_inner());
    let delivered = state.latencies_ns.len() as u64;
    let bytes = state.bytes;
    let receive_elapsed = state
        .last_at
        .map(|t| t.duration_since(send_start))
        .unwrap_or(send_elapsed);
    let mut latencies = state.latencies_ns.clone();
    drop(state);
    let cpu = match (cpu_before, cpu_time()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    drop(bar);
    for watch in [&producer_watch, &consumer_watch] {
        watch.finish();
        watch.closing();
    }
    let _ = producer.disconnect();
    let _ = consumer.disconnect();

    latencies.sort_unstable();
    let secs = |d: Duration| d.as_secs_f64().max(1e-9);
    let send_rate = sent as f64 / secs(send_elapsed);
    let delivered_rate = delivered as f64 / secs(receive_elapsed);
    let mb_s = bytes as f64 / 1e6 / secs(receive_elapsed);
    let cpu_us = cpu.map(|c| c.as_secs_f64() * 1e6 / delivered.max(1) as f64);
    let (p50, p90, p99) = (
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.90),
        percentile(&latencies, 0.99),
    );
    let max = latencies.last().map(|&n| n as f64 / 1e6).unwrap_or(0.0);
    if args.json {
        println!(
            "{}",
            json!({
                "url": args.url, "destination": destination, "size": args.size,
                "sent": sent, "delivered": delivered,
                "send_msgs_per_s": send_rate, "delivered_msgs_per_s": delivered_rate,
                "mb_per_s": mb_s,
                "latency_ms": { "p50": p50, "p90": p90, "p99": p99, "max": max },
                "cpu_us_per_msg": cpu_us,
            })
        );
    } else {
        println!("destination   {destination} ({} byte bodies)", args.size);
        println!(
            "sent          {sent} in {:.3} s = {send_rate:.0} msgs/s",
            send_elapsed.as_secs_f64()
        );
        println!(
            "delivered     {delivered} in {:.3} s = {delivered_rate:.0} msgs/s, {mb_s:.2} MB/s",
            receive_elapsed.as_secs_f64()
        );
        println!("latency ms    p50 {p50:.3}  p90 {p90:.3}  p99 {p99:.3}  max {max:.3}");
        match cpu_us {
            Some(us) => println!("cpu           {us:.2} µs per message (both connections)"),
            None => println!("cpu           n/a"),
        }
    }
    if delivered < sent || sent < args.messages {
        return Err(Failure::incomplete(format!(
            "only {delivered} of {} messages arrived within {}",
            args.messages,
            humantime::format_duration(limit)
        )));
    }
    Ok(())
}
