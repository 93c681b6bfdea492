"""The `stompwire bench` workload done by stomp.py, for a same-run comparison.

Publishes N messages of SIZE bytes on one connection and consumes them on a second (auto ack),
as `stompwire bench` does; prints one JSON object with the same fields. Bounded in count and
time.

    python3 benches/peer/stomppy_bench.py HOST PORT [--messages N] [--size B] [--login L --passcode P --vhost V]
"""

import argparse
import json
import os
import resource
import threading
import time

import stomp


class Collector(stomp.ConnectionListener):
    def __init__(self, start, expected):
        self.start = start
        self.expected = expected
        self.latencies = []
        self.bytes = 0
        self.last = None
        self.done = threading.Event()

    def on_message(self, frame):
        now = time.perf_counter()
        sent = frame.headers.get("x-sent-ns")
        if sent is not None:
            self.latencies.append((now - self.start) * 1e9 - int(sent))
            self.bytes += len(frame.body)
            self.last = now
            if len(self.latencies) >= self.expected:
                self.done.set()


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--messages", type=int, default=10000)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--login")
    p.add_argument("--passcode")
    p.add_argument("--vhost")
    p.add_argument("--max-seconds", type=float, default=120)
    a = p.parse_args()

    dest = "/queue/stomppy-bench-%d-%d" % (os.getpid(), time.time_ns())
    start = time.perf_counter()
    collector = Collector(start, a.messages)

    def connection():
        c = stomp.Connection12([(a.host, a.port)], vhost=a.vhost, heartbeats=(0, 0))
        return c

    consumer = connection()
    consumer.set_listener("bench", collector)
    consumer.connect(a.login, a.passcode, wait=True)
    receipt_listener = stomp.listener.WaitingListener("sub")
    consumer.set_listener("receipt", receipt_listener)
    consumer.subscribe(dest, id="1", ack="auto", headers={"receipt": "sub"})
    receipt_listener.wait_on_receipt()

    producer = connection()
    producer.connect(a.login, a.passcode, wait=True)
    body = b"x" * a.size
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    sent = 0
    for _ in range(a.messages):
        if time.perf_counter() - t0 > a.max_seconds:
            break
        at = int((time.perf_counter() - start) * 1e9)
        producer.send(dest, body, headers={"x-sent-ns": str(at)})
        sent += 1
    send_elapsed = time.perf_counter() - t0
    collector.done.wait(max(0.0, a.max_seconds - send_elapsed))
    cpu = cpu_seconds() - cpu0
    delivered = len(collector.latencies)
    recv_elapsed = (collector.last or time.perf_counter()) - t0
    producer.disconnect()
    consumer.disconnect()

    lat = sorted(collector.latencies)

    def pct(q):
        return lat[round((len(lat) - 1) * q)] / 1e6 if lat else 0.0

    print(json.dumps({
        "client": "stomp.py " + stomp.__version__,
        "sent": sent,
        "delivered": delivered,
        "send_msgs_per_s": sent / max(send_elapsed, 1e-9),
        "delivered_msgs_per_s": delivered / max(recv_elapsed, 1e-9),
        "mb_per_s": collector.bytes / 1e6 / max(recv_elapsed, 1e-9),
        "latency_ms": {"p50": pct(0.5), "p90": pct(0.9), "p99": pct(0.99), "max": lat[-1] / 1e6 if lat else 0.0},
        "cpu_us_per_msg": cpu * 1e6 / max(delivered, 1),
    }))


if __name__ == "__main__":
    main()
