#!/usr/bin/env python3
"""A small HTTP control server for the browser tests (Python standard library only).

    python3 scripts/test-control.py            # serves until stopped (SIGTERM / Ctrl-C)

Listens on 127.0.0.1:$STOMPWIRE_CONTROL_PORT (default 15699). Every answer carries
`Access-Control-Allow-Origin: *`, so a test page on any local origin can call it with fetch().

    GET|POST /close-connections   RabbitMQ drops every client connection
                                  (`scripts/brokers.sh close-connections`); 200 once done,
                                  500 with the command's output when it failed
    GET      /health              200 "ok"

A browser test simulates a broker-side drop with
`await fetch("http://127.0.0.1:15699/close-connections")`.
"""

import json
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BROKERS = os.path.join(ROOT, "scripts", "brokers.sh")
PORT = int(os.environ.get("STOMPWIRE_CONTROL_PORT", "15699"))
COMMAND_TIMEOUT = float(os.environ.get("STOMPWIRE_CONTROL_TIMEOUT", "60"))

# One broker command at a time: two overlapping close-connections would race in rabbitmqctl.
_command_lock = threading.Lock()


def run_brokers(action):
    """Runs `scripts/brokers.sh ACTION`; returns (ok, output)."""
    with _command_lock:
        try:
            done = subprocess.run(
                ["bash", BROKERS, action],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False, f"brokers.sh {action} ran longer than {COMMAND_TIMEOUT:.0f}s"
        return done.returncode == 0, done.stdout.decode("utf-8", "replace")


class Handler(BaseHTTPRequestHandler):
    server_version = "stompwire-test-control/1"

    def _reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_OPTIONS(self):  # CORS preflight
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _route(self):
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        if path == "/health":
            self._reply(200, {"ok": True})
        elif path == "/close-connections":
            ok, output = run_brokers("close-connections")
            self._reply(200 if ok else 500, {"ok": ok, "output": output[-4000:]})
        else:
            self._reply(404, {"ok": False, "error": f"no such endpoint: {path}"})

    def do_GET(self):
        self._route()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)  # ignored
        self._route()

    def do_HEAD(self):
        self._route()

    def log_message(self, fmt, *args):
        sys.stderr.write("test-control: %s\n" % (fmt % args))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = True

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"test-control: listening on http://127.0.0.1:{PORT}", flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
