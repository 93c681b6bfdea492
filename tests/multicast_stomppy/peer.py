#!/usr/bin/env python3
"""stomp.py's MulticastConnection as a member of a multicast group, driven line by line.

The peer of tests/multicast_stomppy.rs (run by scripts/netns-test.sh inside a private network
namespace). It uses stomp.py's own MulticastConnection unchanged; only the group and port,
which stomp.py keeps as the module constants MCAST_GRP and MCAST_PORT, are set from the
command line (so that tests running at the same time do not hear each other).

    peer.py [--group 224.1.1.1] [--port 5000]

stdin: one JSON object per line, each answered with {"event": "done", "op": ...}:
    {"op": "subscribe", "destination": "/topic/a", "id": "1"}
    {"op": "unsubscribe", "id": "1"}
    {"op": "begin" | "commit" | "abort", "transaction": "t1"}
    {"op": "send", "destination": "/topic/a", "body": "text", "headers": {"receipt": "r1"}}
                                        (a "transaction" header puts it in that transaction)
    {"op": "quit"}                      disconnects and exits
stdout: one JSON object per line: {"event": "ready", "group": ..., "port": ..., "stomp": VERSION}
first, then as they happen {"event": "message" | "receipt" | "error", "headers": {...},
"body": "..."} from stomp.py's listener callbacks.
"""

import argparse
import json
import sys
import threading

import stomp
import stomp.adapter.multicast as multicast

_out = threading.Lock()


def emit(**event):
    line = json.dumps(event)
    with _out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def text(body):
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return body if body is not None else ""


class Listener(stomp.ConnectionListener):
    def on_message(self, frame):
        emit(event="message", headers=dict(frame.headers), body=text(frame.body))

    def on_receipt(self, frame):
        emit(event="receipt", headers=dict(frame.headers), body=text(frame.body))

    def on_error(self, frame):
        emit(event="error", headers=dict(frame.headers or {}), body=text(frame.body))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--group", default=multicast.MCAST_GRP)
    parser.add_argument("--port", type=int, default=multicast.MCAST_PORT)
    args = parser.parse_args()
    multicast.MCAST_GRP = args.group
    multicast.MCAST_PORT = args.port

    conn = multicast.MulticastConnection()
    conn.set_listener("peer", Listener())
    conn.connect()
    emit(event="ready", group=multicast.MCAST_GRP, port=multicast.MCAST_PORT,
         stomp=str(stomp.__version__))

    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        op = cmd["op"]
        if op == "subscribe":
            conn.subscribe(destination=cmd["destination"], id=cmd["id"])
        elif op == "unsubscribe":
            conn.unsubscribe(id=cmd["id"])
        elif op == "begin":
            conn.begin(transaction=cmd["transaction"])
        elif op == "commit":
            conn.commit(transaction=cmd["transaction"])
        elif op == "abort":
            conn.abort(transaction=cmd["transaction"])
        elif op == "send":
            conn.send(cmd["destination"], cmd["body"], headers=cmd.get("headers") or {})
        elif op == "quit":
            conn.disconnect()
            emit(event="done", op=op)
            return 0
        else:
            emit(event="error", headers={}, body="unknown op %r" % op)
            continue
        emit(event="done", op=op)
    conn.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
