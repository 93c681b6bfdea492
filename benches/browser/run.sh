#!/usr/bin/env bash
# The browser benchmark, run by hand (not by the test command): stompwire's npm package,
# @stomp/stompjs (pinned in benches/browser/package.json) and a raw-WebSocket floor on the same
# workloads in one run, in headless Chromium, headless Firefox and Node 20 + ws, against RabbitMQ
# Web-STOMP.
#
#   bash benches/browser/run.sh [run.mjs options: --env chromium,firefox,node --lib ... --workload ...
#                                --repeat N]
#
# Installs the peer into $STOMPWIRE_CACHE/bench-browser (npm, exact version, once), builds the
# package when target/pkg/npm is missing (scripts/build-pkg.sh), starts the brokers when they
# are not up (scripts/brokers.sh start), then runs run.mjs. The table goes to stdout and to
# target/bench-output/browser.md (figures in browser.json).
#
# Environment: STOMPWIRE_CACHE, CARGO_TARGET_DIR, STOMPWIRE_PKG_DIR (default target/pkg),
# STOMPWIRE_CHROMIUM (default /usr/bin/chromium), STOMPWIRE_FIREFOX (default /usr/bin/firefox-esr).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh

case ${1:-} in
-h | --help)
    sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

sw_ensure_wasm_toolchain
sw_ensure_js_minifier
# Headless Firefox (firefox-esr + geckodriver), unless --env leaves it out.
case " $* " in
*" --env "*) [[ " $* " == *firefox* ]] && sw_ensure_firefox ;;
*) sw_ensure_firefox ;;
esac
PKG_DIR=${STOMPWIRE_PKG_DIR:-$ROOT/target/pkg}
if [ ! -f "$PKG_DIR/npm/stompwire.mjs" ]; then
    status=0
    bash scripts/build-pkg.sh --no-install || status=$?
    [ "$status" -eq 0 ] || [ "$status" -eq 3 ] || sw_die "building the package failed"
fi

WORK="$STOMPWIRE_CACHE/bench-browser"
mkdir -p "$WORK/node_modules"
want=$(cat "$HERE/package.json")
if [ ! -f "$WORK/package.json" ] || [ "$(cat "$WORK/package.json")" != "$want" ] ||
    [ ! -f "$WORK/node_modules/@stomp/stompjs/package.json" ]; then
    sw_log "npm: installing the benchmark's peer (benches/browser/package.json) into $WORK"
    cp "$HERE/package.json" "$WORK/package.json"
    sw_run_logged npm-bench-browser npm install --prefix "$WORK" --no-audit --no-fund ||
        sw_die "npm install in $WORK failed"
fi
ln -sfn "$PKG_DIR/npm" "$WORK/node_modules/stompwire"

bash scripts/brokers.sh status >/dev/null 2>&1 || timeout -k 10 300 bash scripts/brokers.sh start
eval "$(bash scripts/brokers.sh env)"

BENCH_WORK=$WORK BENCH_PKG=$PKG_DIR/npm SW_ESBUILD=$SW_ESBUILD SW_NODE_MODULES=$SW_NODE_MODULES \
    SW_GECKODRIVER=${SW_GECKODRIVER:-} \
    BENCH_OUTPUT="$ROOT/target/bench-output" node "$HERE/run.mjs" "$@"
