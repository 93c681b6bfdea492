#!/usr/bin/env bash
# Runs the UDP multicast tests inside a private network namespace.
#
#   scripts/netns-test.sh [TEST-ARGS...]     (as root; extra arguments go to the test binaries)
#
# Multicast datagrams must never leave the machine, so the tests (ignored by default in
# tests/native_transport.rs and tests/multicast_stomppy.rs) run only here: in a namespace whose
# one interface is loopback, with multicast on and a route for 224.0.0.0/4 through it. The test
# binaries are built outside the namespace first; inside they run with STOMPWIRE_NETNS=1 and
# --include-ignored (outside it they fail, never pass). One test starts a second process (the
# same binary, its test multicast_peer_process) in the namespace, so two processes exchange
# messages through the group. The namespace is deleted on exit,
# whatever happens.
#
# Stages, in the namespace:
#   1. tests/native_transport.rs, its multicast tests
#   2. tests/multicast_stomppy.rs: wire compatibility with stomp.py's MulticastConnection,
#      both directions, against stomp.py itself (tests/multicast_stomppy/peer.py). stomp.py
#      $STOMPPY_VERSION is installed from PyPI into a venv of its own under
#      $STOMPWIRE_CACHE/python (skipped when present), with Debian's python3-venv.
#   3. the stompwire command over multicast
#
# Environment: CARGO_TARGET_DIR as for cargo; STOMPWIRE_CACHE (see scripts/lib/install.sh);
# STOMPWIRE_NETNS_TIMEOUT (seconds for each test binary's run, default 300).
set -euo pipefail

die() {
    echo "netns-test.sh: $*" >&2
    exit 1
}

cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "$(id -u)" -eq 0 ] || die "needs root (ip netns)"
command -v ip >/dev/null || die "needs the ip command (Debian package iproute2)"
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh

# stomp.py, pinned, for the interop tests: a venv of its own, made once.
STOMPPY_VERSION=9.0.0
ensure_stomppy() {
    local venv="$STOMPWIRE_CACHE/python/stomp.py-$STOMPPY_VERSION"
    STOMPPY_PYTHON="$venv/bin/python"
    if "$STOMPPY_PYTHON" -c "import sys, stomp; sys.exit(stomp.__version__ != '$STOMPPY_VERSION')" \
        2>/dev/null; then
        return 0
    fi
    sw_ensure_apt_packages python3 python3-venv
    echo "installing stomp.py $STOMPPY_VERSION into $venv"
    rm -rf "$venv"
    sw_run_logged stomppy-venv /usr/bin/python3 -m venv "$venv" || die "python3 -m venv $venv failed"
    sw_run_logged stomppy-pip "$venv/bin/pip" install --quiet --disable-pip-version-check \
        --no-input "stomp.py==$STOMPPY_VERSION" || die "pip install stomp.py==$STOMPPY_VERSION failed"
    "$STOMPPY_PYTHON" -c "import sys, stomp; sys.exit(stomp.__version__ != '$STOMPPY_VERSION')" ||
        die "stomp.py $STOMPPY_VERSION is not importable from $venv"
}
ensure_stomppy

# test_binary NAME: builds tests/NAME.rs (with the features the test stage uses, so that its
# build is reused) and prints the path of the binary.
test_binary() {
    local bin
    bin=$(cargo test --features "${STOMPWIRE_TEST_FEATURES:-cli,tokio}" --test "$1" --no-run --message-format=json |
        sed -n 's/.*"executable":"\([^"]*'"$1"'[^"]*\)".*/\1/p' | tail -n 1)
    [ -n "$bin" ] && [ -x "$bin" ] || die "could not find the $1 test binary"
    printf '%s\n' "$bin"
}
echo "building the test binaries"
bin=$(test_binary native_transport)
interop=$(test_binary multicast_stomppy)

ns="stompwire-multicast-$$"
cleanup() {
    ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip link set lo multicast on
ip netns exec "$ns" ip route add 224.0.0.0/4 dev lo
echo "namespace $ns: $(ip netns exec "$ns" ip -brief link | tr -s ' ' | paste -sd ';')"

# Nothing but loopback may exist in there.
if ip netns exec "$ns" ip -o link | grep -v ': lo:' | grep -q .; then
    die "namespace $ns has interfaces other than lo"
fi

timeout "${STOMPWIRE_NETNS_TIMEOUT:-300}" \
    ip netns exec "$ns" env STOMPWIRE_NETNS=1 "$bin" multicast --include-ignored \
    --skip multicast_peer_process "$@"

echo "stomp.py interop ($("$STOMPPY_PYTHON" -c 'import stomp; print("stomp.py", stomp.__version__)'))"
timeout "${STOMPWIRE_NETNS_TIMEOUT:-300}" \
    ip netns exec "$ns" env STOMPWIRE_NETNS=1 STOMPWIRE_STOMPPY_PYTHON="$STOMPPY_PYTHON" \
    "$interop" --include-ignored "$@"

# The command-line tool over multicast, in the same namespace: a `subscribe` process and
# `send` processes exchange a binary body through the group; a message to another destination
# must not reach the subscriber.
echo "building the stompwire binary"
cli=$(cargo build --features "${STOMPWIRE_TEST_FEATURES:-cli,tokio}" --bin stompwire --message-format=json |
    sed -n 's/.*"executable":"\([^"]*\/stompwire\)".*/\1/p' | tail -n 1)
[ -n "$cli" ] && [ -x "$cli" ] || die "could not find the stompwire binary"

work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
printf 'bin\000ary\377' >"$work/body.bin"
url=multicast://224.1.2.3:61616
in_ns() { ip netns exec "$ns" "$@"; }

in_ns timeout 30 "$cli" subscribe "$url" /topic/cli --count 1 --json --timeout 25s >"$work/out.jsonl" &
sub=$!
sent=0
for _ in $(seq 1 60); do
    kill -0 "$sub" 2>/dev/null || break
    in_ns timeout 10 "$cli" send "$url" /topic/other "not for this subscriber"
    in_ns timeout 10 "$cli" send "$url" /topic/cli --file "$work/body.bin" --receipt
    sent=$((sent + 1))
    sleep 0.3
done
wait "$sub" || die "multicast subscribe failed (sent $sent times)"
lines=$(wc -l <"$work/out.jsonl")
[ "$lines" -eq 1 ] || die "expected 1 message, got $lines: $(cat "$work/out.jsonl")"
grep -q '"body_base64":"YmluAGFyef8="' "$work/out.jsonl" ||
    die "binary body did not round-trip: $(cat "$work/out.jsonl")"
grep -q '\["destination","/topic/cli"\]' "$work/out.jsonl" ||
    die "wrong destination: $(cat "$work/out.jsonl")"
echo "netns-test.sh: 1 passed, 0 failed (stompwire send/subscribe over multicast)"
