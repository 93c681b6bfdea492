#!/usr/bin/env bash
# The demo: a live board (chat, presence, round trips, binary payloads, reconnection) in the
# browser, on RabbitMQ Web-STOMP, using the npm package's `--target web` build.
#
#   scripts/demo.sh              broker, package, served page; runs until Ctrl-C
#   scripts/demo.sh --check      the same, but serves on a free port only long enough to fetch
#                                the page, the glue and the .wasm back, then exits (0: all good)
#   scripts/demo.sh --no-build   use the package as it is (fails when there is none)
#
# Steps, each skipped when there is nothing to do (a re-run takes a second or two):
#   broker    RabbitMQ with Web-STOMP on ws://127.0.0.1:15674/ws (guest/guest): when it does not
#             answer, `scripts/brokers.sh start` installs Debian's packages if missing and starts
#             the test brokers (root only)
#   package   scripts/build-pkg.sh web, unless the package is newer than every source file
#   assemble  www/ + the package (as pkg/) into $STOMPWIRE_DEMO_DIR, replaced in one move
#   serve     http://127.0.0.1:$STOMPWIRE_DEMO_PORT/ (Python's standard library); when the port
#             already serves this demo, that server is reused (it serves the fresh files)
#
# Open the printed address in two or more tabs. To watch them reconnect, drop every connection
# on the broker side: `scripts/brokers.sh close-connections`.
#
# Environment:
#   STOMPWIRE_DEMO_PORT    port on 127.0.0.1 (default 8080)
#   STOMPWIRE_DEMO_DIR     the served folder (default <repo>/target/demo)
#   STOMPWIRE_DEMO_BROKER  a broker WebSocket URL of your own: no local broker is started, and the
#                          page is opened with ?broker=URL
#   STOMPWIRE_PKG_DIR      where scripts/build-pkg.sh puts the packages (default <repo>/target/pkg)
#   STOMPWIRE_CACHE        tools and logs (default ~/.cache/stompwire)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh

CHECK=0
BUILD=1
for arg in "$@"; do
    case $arg in
    --check) CHECK=1 ;;
    --no-build) BUILD=0 ;;
    -h | --help)
        sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) sw_die "unknown argument '$arg' (try --help)" ;;
    esac
done

PORT=${STOMPWIRE_DEMO_PORT:-8080}
case $PORT in
'' | *[!0-9]*) sw_die "STOMPWIRE_DEMO_PORT must be a port number (got '$PORT')" ;;
esac
DEMO_DIR=${STOMPWIRE_DEMO_DIR:-$ROOT/target/demo}
PKG_DIR=${STOMPWIRE_PKG_DIR:-$ROOT/target/pkg}
export STOMPWIRE_PKG_DIR=$PKG_DIR
WEB_PKG=$PKG_DIR/web
BROKER=${STOMPWIRE_DEMO_BROKER:-}
MARKER=.stompwire-demo
STARTED=$SECONDS

say() { printf 'demo: %s\n' "$*"; }

# Whether RabbitMQ's STOMP, TLS and Web-STOMP listeners answer (scripts/brokers.sh status).
rabbit_up() {
    local status
    status=$(bash scripts/brokers.sh status 2>/dev/null || true)
    grep -q '^RabbitMQ: up' <<<"$status"
}

# ---------------------------------------------------------------------------------------------
# broker

if [ -n "$BROKER" ]; then
    say "broker: $BROKER (STOMPWIRE_DEMO_BROKER; no local broker started)"
elif rabbit_up; then
    say "broker: RabbitMQ Web-STOMP already up at ws://127.0.0.1:15674/ws"
else
    say "broker: starting RabbitMQ (scripts/brokers.sh start; installs it when missing)"
    [ "$(id -u)" -eq 0 ] ||
        sw_die "RabbitMQ is not running, and starting it needs root: run 'sudo scripts/brokers.sh start' first"
    timeout -k 10 900 bash scripts/brokers.sh start || sw_die "the broker did not start (see above)"
    rabbit_up ||
        sw_die "RabbitMQ still does not answer on ws://127.0.0.1:15674/ws"
fi

# ---------------------------------------------------------------------------------------------
# package

# The newest file the package is built from, when it is newer than the package.
stale_input() {
    [ -f "$WEB_PKG/package.json" ] && [ -f "$WEB_PKG/stompwire.js" ] && [ -f "$WEB_PKG/stompwire_bg.wasm" ] ||
        {
            echo "(no package yet)"
            return 0
        }
    find src pkg-template Cargo.toml Cargo.lock scripts/build-pkg.sh scripts/lib/install.sh \
        -type f -newer "$WEB_PKG/package.json" -print -quit 2>/dev/null
}

changed=$(stale_input)
if [ -z "$changed" ]; then
    say "package: $WEB_PKG is up to date"
elif [ "$BUILD" = 0 ]; then
    [ -f "$WEB_PKG/stompwire_bg.wasm" ] || sw_die "no package in $WEB_PKG and --no-build given"
    say "package: using $WEB_PKG as it is (--no-build; $changed is newer)"
else
    say "package: building the web target (scripts/build-pkg.sh web; newer: $changed)"
    status=0
    bash scripts/build-pkg.sh web || status=$?
    case $status in
    0) ;;
    3) sw_warn "the package is over its size budget; the demo uses it all the same" ;;
    *) sw_die "scripts/build-pkg.sh web failed (exit $status)" ;;
    esac
fi

# ---------------------------------------------------------------------------------------------
# assemble: build the new folder next to the old one, then swap

mkdir -p "$(dirname "$DEMO_DIR")"
tmp=$(mktemp -d "$DEMO_DIR.new.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -R www/. "$tmp/"
mkdir "$tmp/pkg"
for f in stompwire.js stompwire_bg.wasm stompwire.d.ts package.json; do
    [ -f "$WEB_PKG/$f" ] || sw_die "the package lacks $f ($WEB_PKG)"
    cp "$WEB_PKG/$f" "$tmp/pkg/"
done
[ ! -d "$WEB_PKG/snippets" ] || cp -R "$WEB_PKG/snippets" "$tmp/pkg/"
printf '{ "demo": "stompwire", "dir": "%s" }\n' "$DEMO_DIR" >"$tmp/$MARKER"
chmod -R a+rX "$tmp"
if [ -d "$DEMO_DIR" ]; then
    mv "$DEMO_DIR" "$tmp.old"
fi
mv "$tmp" "$DEMO_DIR"
rm -rf "$tmp.old"
trap - EXIT
say "assembled $DEMO_DIR (www/ + pkg/: $(wc -c <"$DEMO_DIR/pkg/stompwire_bg.wasm") B wasm, $(wc -c <"$DEMO_DIR/pkg/stompwire.js") B glue)"

# ---------------------------------------------------------------------------------------------
# serve

# A static server: Cache-Control no-store (a reload always gets the fresh build), .wasm as
# application/wasm, requests logged only when they fail. Prints `serving on URL` once bound.
# shellcheck disable=SC2016
SERVER_PY='
import functools, http.server, sys
directory, port = sys.argv[1], int(sys.argv[2])

class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript",
        ".css": "text/css", ".html": "text/html", ".json": "application/json",
        ".ts": "text/plain",
    }

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_request(self, code="-", size="-"):
        if str(getattr(code, "value", code)).startswith(("4", "5")):
            super().log_request(code, size)

try:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(Handler, directory=directory))
except OSError as e:
    print(f"demo: cannot listen on 127.0.0.1:{port}: {e.strerror}", file=sys.stderr, flush=True)
    sys.exit(1)
print(f"serving on http://127.0.0.1:{server.server_address[1]}/", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    print("\ndemo: stopped", flush=True)
'

# Fetches URL; prints "STATUS CONTENT-TYPE BYTES" (or "000 - 0").
fetch() {
    python3 -c '
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        body = r.read()
        print(r.status, r.headers.get("Content-Type", "-").split(";")[0], len(body))
        if len(sys.argv) > 2:
            sys.stdout.write(body.decode("utf-8", "replace"))
except Exception:
    print("000 - 0")' "$@"
}

page_url() { # BASE
    if [ -n "$BROKER" ]; then
        printf '%s?broker=%s' "$1" "$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$BROKER")"
    else
        printf '%s' "$1"
    fi
}

# check_served BASE: the page, the modules and the .wasm come back as they should.
check_served() {
    local base=$1 bad=0 path want got status type bytes size
    for entry in "index.html text/html" "app.js text/javascript" "board.js text/javascript" \
        "style.css text/css" "pkg/stompwire.js text/javascript" "pkg/stompwire_bg.wasm application/wasm"; do
        read -r path want <<<"$entry"
        read -r status type bytes < <(fetch "$base$path")
        size=$(wc -c <"$DEMO_DIR/$path")
        if [ "$status" = 200 ] && [ "$type" = "$want" ] && [ "$bytes" = "$size" ]; then
            say "  ok    $path ($type, $bytes B)"
        else
            say "  FAIL  $path: HTTP $status, $type, $bytes B (want 200, $want, $size B)"
            bad=1
        fi
    done
    return "$bad"
}

# Whatever listens on the port (nothing: empty).
listener() {
    command -v ss >/dev/null || return 0
    ss -ltnpH "sport = :$1" 2>/dev/null || true
}

if [ "$CHECK" = 1 ]; then
    out=$(mktemp)
    python3 -c "$SERVER_PY" "$DEMO_DIR" 0 >"$out" 2>&1 &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -f "$out"' EXIT
    base=""
    for _ in $(seq 1 100); do
        base=$(sed -n 's/^serving on //p' "$out")
        [ -n "$base" ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$base" ] || sw_die "the server did not start: $(cat "$out")"
    say "check: serving $DEMO_DIR on $base for a moment"
    check_served "$base" || sw_die "the served demo is incomplete"
    if [ -z "$BROKER" ]; then
        if rabbit_up; then say "  ok    RabbitMQ Web-STOMP answers at ws://127.0.0.1:15674/ws"; else
            sw_die "RabbitMQ Web-STOMP stopped answering"
        fi
    fi
    say "check passed in $((SECONDS - STARTED))s; 'scripts/demo.sh' serves it on http://127.0.0.1:$PORT/"
    exit 0
fi

BASE="http://127.0.0.1:$PORT/"
if [ -n "$(listener "$PORT")" ] || [ "$(fetch "$BASE" | cut -d' ' -f1)" != 000 ]; then
    marker=$(fetch "$BASE$MARKER" show)
    if [ "${marker%% *}" = 200 ] && grep -qF "\"dir\": \"$DEMO_DIR\"" <<<"$marker"; then
        say "port $PORT already serves this demo (another scripts/demo.sh); it now serves the fresh files"
        say "open $(page_url "$BASE") in two or more tabs"
        exit 0
    fi
    sw_die "port $PORT on 127.0.0.1 is taken by something else:
$(listener "$PORT")
Pick another one, e.g. STOMPWIRE_DEMO_PORT=8090 scripts/demo.sh"
fi

say "ready in $((SECONDS - STARTED))s"
say ""
say "  open $(page_url "$BASE")  in two or more tabs"
say ""
say "  each tab picks a name (or add ?name=Ada); chat, send a file or a generated image, burst 500"
say "  messages; 'scripts/brokers.sh close-connections' drops every connection: watch them reconnect"
say "  (Ctrl-C stops the server; the broker keeps running: scripts/brokers.sh stop)"
exec python3 -c "$SERVER_PY" "$DEMO_DIR" "$PORT"
