#!/usr/bin/env bash
# The demo test: the board (www/) served by scripts/demo.sh, used from two headless Chromium
# tabs against RabbitMQ Web-STOMP (tests/demo/run.mjs says what is checked).
#
#   tests/demo/run.sh
#
# Installs what it needs, skipping what is present (scripts/lib/install.sh): Node and the npm
# tools (playwright-core drives the system browser; it never downloads one) in
# $STOMPWIRE_CACHE/node, and Debian's chromium. `scripts/demo.sh --check` then starts the broker
# (installing RabbitMQ when missing), builds the package when it is out of date, assembles and
# checks the served folder; the page test runs on what it assembled.
# Screenshots: target/test-output/demo.png and demo-peer.png. The last line is
# `demo-test: N passed, M failed`; the exit status is 1 on any failure.
#
# Environment:
#   STOMPWIRE_CACHE              tools and logs (default ~/.cache/stompwire)
#   STOMPWIRE_TEST_OUTPUT        screenshots and logs (default <repo>/target/test-output)
#   STOMPWIRE_DEMO_SETUP_TIMEOUT bound on `scripts/demo.sh --check`, s (default 1500: a first run
#                                installs the wasm toolchain and the broker)
#   STOMPWIRE_DEMO_TEST_TIMEOUT  bound on the browser part, s (default 300)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh

case ${1:-} in
-h | --help)
    sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
"") ;;
*) sw_die "unknown argument '$1' (try --help)" ;;
esac

export STOMPWIRE_TEST_OUTPUT=${STOMPWIRE_TEST_OUTPUT:-$ROOT/target/test-output}
export STOMPWIRE_DEMO_TEST_TIMEOUT=${STOMPWIRE_DEMO_TEST_TIMEOUT:-300}
SETUP_TIMEOUT=${STOMPWIRE_DEMO_SETUP_TIMEOUT:-1500}
mkdir -p "$STOMPWIRE_TEST_OUTPUT"

setup_failed() {
    printf 'demo-test: setup failed: %s\n' "$1"
    printf 'demo-test: 0 passed, 1 failed\n'
    exit 1
}

printf -- '---- demo: tools (each skipped when present)\n'
# sw_die exits: try in a subshell first so that a failure is reported as a test failure.
(sw_ensure_npm_tools && sw_ensure_apt_packages chromium) || setup_failed "installing playwright-core / chromium"
sw_ensure_npm_tools
export SW_NODE_MODULES
[ -x "${STOMPWIRE_CHROMIUM:-/usr/bin/chromium}" ] || setup_failed "no browser at ${STOMPWIRE_CHROMIUM:-/usr/bin/chromium}"

printf -- '---- demo: scripts/demo.sh --check (broker, package, served folder)\n'
timeout -k 30 "$SETUP_TIMEOUT" bash scripts/demo.sh --check || setup_failed "scripts/demo.sh --check (exit $?)"

printf -- '---- demo: two tabs in headless Chromium\n'
# --no-build: the package the check just built or found up to date, even if a source file
# changes meanwhile.
timeout -k 10 "$((STOMPWIRE_DEMO_TEST_TIMEOUT + 60))" node tests/demo/run.mjs --no-build
status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    printf 'demo-test: the browser part ran longer than %ss\n' "$((STOMPWIRE_DEMO_TEST_TIMEOUT + 60))"
    printf 'demo-test: 0 passed, 1 failed\n'
fi
exit "$status"
