#!/usr/bin/env bash
# Runs the UDP multicast transport tests inside a private network namespace.
#
#   scripts/netns-test.sh [TEST-ARGS...]     (as root; extra arguments go to the test binary)
#
# Multicast datagrams must never leave the machine, so the tests (ignored by default in
# tests/native_transport.rs) run only here: in a namespace whose one interface is loopback,
# with multicast on and a route for 224.0.0.0/4 through it. The test binary is built outside
# the namespace first; inside it runs with STOMPWIRE_NETNS=1 and --include-ignored. One test
# starts a second process (the same binary) in the namespace, so two processes exchange
# messages through the group. The namespace is deleted on exit, whatever happens.
#
# Environment: CARGO_TARGET_DIR as for cargo; STOMPWIRE_NETNS_TIMEOUT (seconds for the test
# run, default 300).
set -euo pipefail

die() {
    echo "netns-test.sh: $*" >&2
    exit 1
}

cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "$(id -u)" -eq 0 ] || die "needs root (ip netns)"
command -v ip >/dev/null || die "needs the ip command (Debian package iproute2)"

echo "building the test binary"
bin=$(cargo test --features native --test native_transport --no-run --message-format=json |
    sed -n 's/.*"executable":"\([^"]*native_transport[^"]*\)".*/\1/p' | tail -n 1)
[ -n "$bin" ] && [ -x "$bin" ] || die "could not find the native_transport test binary"

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
    ip netns exec "$ns" env STOMPWIRE_NETNS=1 "$bin" multicast --include-ignored "$@"

# The command-line tool over multicast, in the same namespace: a `subscribe` process and
# `send` processes exchange a binary body through the group; a message to another destination
# must not reach the subscriber.
echo "building the stompwire binary"
cli=$(cargo build --features cli --bin stompwire --message-format=json |
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
