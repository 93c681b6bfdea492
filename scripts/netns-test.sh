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
