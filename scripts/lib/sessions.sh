# shellcheck shell=bash
# Processes started detached, each in a session of its own (setsid): find and stop them by
# session id, so that a script ends exactly the processes it started. Source this file.
# Used by scripts/brokers.sh and scripts/cluster.sh.

# session_pids SID: the pids of that session.
session_pids() {
    [ -n "$1" ] || return 0
    ps -o pid= -s "$1" 2>/dev/null | tr -d ' ' || true
}

# stop_sessions NAME SID...: CONT (a frozen process cannot act on TERM), then TERM every process
# of those sessions, KILL what is left after 20 s.
stop_sessions() {
    local name=$1 i pids
    shift
    pids=$(for sid in "$@"; do session_pids "$sid"; done)
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    kill -CONT $pids 2>/dev/null || true
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for i in $(seq 1 40); do
        pids=$(for sid in "$@"; do session_pids "$sid"; done)
        [ -n "$pids" ] || return 0
        sleep 0.5
    done
    sw_warn "$name did not stop on TERM; killing"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 1
}
