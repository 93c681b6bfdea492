#!/usr/bin/env bash
# The fault-injection stage: the native client against the 3-node RabbitMQ cluster
# (tests/cluster_failover.rs: kill -9 of a node, SIGSTOP of a node, a full restart).
#
#   scripts/test-cluster.sh          start the cluster (scripts/cluster.sh), run every case, one
#                                    at a time
#
# The last line is `cluster: N passed, M failed` (M counts a cargo run that failed without a
# result line as one). The cluster is stopped afterwards when this script started it under
# CI=true; otherwise it is left running for the next run.
#
# Environment: CARGO_TARGET_DIR, STOMPWIRE_CLUSTER_DIR (see scripts/cluster.sh),
# STOMPWIRE_CLUSTER_TIMEOUT (bound on the cargo run, seconds, default 600).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=scripts/lib/install.sh
source "$SCRIPT_DIR/lib/install.sh"

case "${1:-}" in
"") ;;
*)
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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
grep '^cluster [a-z0-9]*:' "$log" | sed 's/^/  /' || true
rm -f "$log"
sw_log "cluster stage: $((SECONDS - stage_start))s"
echo "cluster: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
