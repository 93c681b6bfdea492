#!/usr/bin/env bash
# The fault-injection stage: the native client and the browser client against the 3-node
# RabbitMQ cluster (kill -9 of a node, SIGSTOP of a node, a full restart): the native client in
# tests/cluster_failover.rs, the npm package in headless Chromium in tests/cluster_browser.
#
#   scripts/test-cluster.sh          start the cluster (scripts/cluster.sh), run every case, one
#                                    at a time: the native ones, then the browser ones (the
#                                    package is built first, scripts/build-pkg.sh)
#
# The last line is `cluster: N passed, M failed`, summed over cargo's result lines and the
# browser step's `cluster-browser: N passed, M failed` (M counts a run that failed without a
# result line as one). The cluster is stopped afterwards when this script started it under
# CI=true; otherwise it is left running for the next run.
#
# Environment: CARGO_TARGET_DIR, STOMPWIRE_CLUSTER_DIR (see scripts/cluster.sh),
# STOMPWIRE_PKG_DIR (see scripts/build-pkg.sh), STOMPWIRE_CLUSTER_TIMEOUT (bound on the cargo
# run, seconds, default 600), STOMPWIRE_CLUSTER_BROWSER_TIMEOUT (bound on the browser cases,
# seconds, default 600).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=scripts/lib/install.sh
source "$SCRIPT_DIR/lib/install.sh"

case "${1:-}" in
"") ;;
*)
    sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

CASES=(kill_9_of_the_node_both_are_on sigstop_of_the_node_both_are_on full_restart_of_all_three_nodes)

cd "$ROOT"
started=0
if ! bash scripts/cluster.sh status >/dev/null 2>&1; then
    started=1
fi
stage_start=$SECONDS
bash scripts/cluster.sh start
cleanup() {
    if [ "$started" = 1 ] && [ "${CI:-}" = true ]; then
        bash scripts/cluster.sh stop || true
    fi
}
trap cleanup EXIT
eval "$(bash scripts/cluster.sh env)"

log=$(mktemp "${TMPDIR:-/tmp}/stompwire-cluster.XXXXXX")
status=0
# --exact: only the cases named; --test-threads=1: they kill each other's nodes.
timeout "${STOMPWIRE_CLUSTER_TIMEOUT:-600}" cargo test --features cli --test cluster_failover -- \
    --ignored --exact --test-threads=1 --nocapture "${CASES[@]}" 2>&1 | tee "$log" ||
    status=$?

passed=0
failed=0
while read -r p f; do
    passed=$((passed + p))
    failed=$((failed + f))
done < <(sed -n 's/^test result: .*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
sw_log "native cases: $((SECONDS - stage_start))s"

# The browser client: the npm package, built here (the browser stage comes later), in a page.
browser_start=$SECONDS
pkg_dir=${STOMPWIRE_PKG_DIR:-$ROOT/target/pkg}
pkg_log=$(mktemp "${TMPDIR:-/tmp}/stompwire-cluster-pkg.XXXXXX")
browser_log=$(mktemp "${TMPDIR:-/tmp}/stompwire-cluster-browser.XXXXXX")
pkg_status=0
STOMPWIRE_PKG_DIR=$pkg_dir timeout -k 30 1200 bash scripts/build-pkg.sh >"$pkg_log" 2>&1 || pkg_status=$?
# 3: built, but over the size budget (the browser stage counts that); the cases still run.
if [ "$pkg_status" -eq 0 ] || [ "$pkg_status" -eq 3 ]; then
    sw_ensure_npm_tools # SW_NODE_MODULES: playwright-core
    status=0
    timeout -k 10 "${STOMPWIRE_CLUSTER_BROWSER_TIMEOUT:-600}" \
        node tests/cluster_browser/run.mjs "$pkg_dir/npm" 2>&1 | tee "$browser_log" || status=$?
    p="" f=""
    read -r p f < <(awk '/^cluster-browser: / { print $2, $4 }' "$browser_log") || true
    if [ -z "${p:-}" ]; then
        sw_warn "the browser cases ended without a result line (exit $status)"
        failed=$((failed + 1))
    else
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
            failed=$((failed + 1))
        fi
    fi
    cat "$browser_log" >>"$log"
else
    tail -n 40 "$pkg_log"
    sw_warn "scripts/build-pkg.sh failed (exit $pkg_status): the browser cases did not run"
    failed=$((failed + 1))
fi
rm -f "$pkg_log" "$browser_log"
sw_log "browser cases (package build included): $((SECONDS - browser_start))s"

grep '^cluster [a-z0-9-]*:' "$log" | sed 's/^/  /' || true
rm -f "$log"
sw_log "cluster stage: $((SECONDS - stage_start))s"
echo "cluster: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
