#!/usr/bin/env bash
# A three-node RabbitMQ cluster on loopback, for the fault-injection tests.
#
#   scripts/cluster.sh start          start the nodes and join them (idempotent; waits until every
#                                     node answers STOMP and the cluster has all three)
#   scripts/cluster.sh stop           stop every node (a frozen one is thawed first)
#   scripts/cluster.sh status         one line per node; exit 1 unless all three are up and joined
#   scripts/cluster.sh env            `export` lines for the tests' variables
#                                     (eval "$(scripts/cluster.sh env)")
#   scripts/cluster.sh kill N         kill -9 node N (1–3): a crash
#   scripts/cluster.sh start-node N   start node N again with its data (it rejoins); waits for STOMP
#   scripts/cluster.sh freeze N       SIGSTOP node N: its sockets stay open, nothing answers
#   scripts/cluster.sh thaw N         SIGCONT node N
#   scripts/cluster.sh restart        stop all three, start them again with their data
#
# Node N is rqN@localhost: STOMP 127.0.0.1:6171N, Web-STOMP ws://127.0.0.1:1571N/ws,
# AMQP 127.0.0.1:571N, Erlang distribution 2571N — apart from scripts/brokers.sh's broker.
# guest/guest, vhost /. State and logs in $STOMPWIRE_CLUSTER_DIR (default
# /var/tmp/stompwire-cluster: RabbitMQ runs as the `rabbitmq` user, which cannot enter a 0700
# home directory). A cold `start` wipes the stored messages.
#
# Environment: STOMPWIRE_CLUSTER_DIR, STOMPWIRE_BROKER_TIMEOUT (seconds to wait for a node,
# default 120).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/install.sh
source "$SCRIPT_DIR/lib/install.sh"
# shellcheck source=scripts/lib/sessions.sh
source "$SCRIPT_DIR/lib/sessions.sh"

CLUSTER_DIR=${STOMPWIRE_CLUSTER_DIR:-/var/tmp/stompwire-cluster}
TIMEOUT=${STOMPWIRE_BROKER_TIMEOUT:-120}
NODES="1 2 3"

node_name() { echo "rq$1@localhost"; }
node_dir() { echo "$CLUSTER_DIR/rq$1"; }
stomp_port() { echo $((61710 + $1)); }
ws_port() { echo $((15710 + $1)); }
amqp_port() { echo $((5710 + $1)); }
dist_port() { echo $((25710 + $1)); }

# ---------------------------------------------------------------------------------------------
# Probes (bash only)

# Whether node N answers a STOMP 1.2 CONNECT with CONNECTED.
stomp_up() {
    local reply
    reply=$(timeout 5 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\npasscode:guest\n\n\0" >&3
        IFS= read -r -d "" reply <&3 || exit 1
        printf "%s\n" "$reply"
        printf "DISCONNECT\n\n\0" >&3' _ "$(stomp_port "$1")" 2>/dev/null | tr -d '\r' || true)
    grep -q '^CONNECTED$' <<<"$reply"
}

# Whether node 1 sees all three nodes running.
joined() {
    local out
    out=$(rctl 1 cluster_status --formatter json 2>/dev/null) || return 1
    local n
    for n in $NODES; do
        grep -q "\"running_nodes\":\[[^]]*\"$(node_name "$n")\"" <<<"$out" || return 1
    done
}

# Whether every node runs with the configuration this script writes now.
configured() {
    local n d
    for n in $NODES; do
        d=$(node_dir "$n")
        grep -q pause_minority "$d/etc/rabbitmq.conf" 2>/dev/null &&
            grep -q net_ticktime "$d/etc/advanced.config" 2>/dev/null || return 1
    done
}

node_pid() { # N: the pid of node N's Erlang VM, if it runs from our directory
    local pid
    pid=$(cat "$(node_dir "$1")/rabbit.pid" 2>/dev/null || true)
    [ -n "$pid" ] && tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" |
        grep -qxF "RABBITMQ_PID_FILE=$(node_dir "$1")/rabbit.pid" && echo "$pid"
    return 0
}

# The pid of node N's VM when it answers STOMP: its pid file can lag behind a node started a
# moment ago, so wait up to 5 s for it, then ask which process listens on the node's STOMP port.
running_pid() { # N
    local i pid
    for i in $(seq 50); do
        pid=$(node_pid "$1")
        [ -n "$pid" ] && { echo "$pid"; return 0; }
        stomp_up "$1" || return 0
        sleep 0.1
    done
    command -v ss >/dev/null || return 0
    ss -Hltnp "sport = :$(stomp_port "$1")" 2>/dev/null |
        grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2
    return 0
}

# ---------------------------------------------------------------------------------------------
# Processes: each node runs in a session of its own (setsid), whose id is kept in a file, so
# that `stop` ends exactly the processes this script started.

node_env() { # N
    local d
    d=$(node_dir "$1")
    export RABBITMQ_NODENAME
    RABBITMQ_NODENAME=$(node_name "$1")
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT
    RABBITMQ_NODE_PORT=$(amqp_port "$1")
    export RABBITMQ_DIST_PORT
    RABBITMQ_DIST_PORT=$(dist_port "$1")
    export RABBITMQ_CONFIG_FILE=$d/etc/rabbitmq
    export RABBITMQ_ADVANCED_CONFIG_FILE=$d/etc/advanced.config
    export RABBITMQ_CONF_ENV_FILE=$d/etc/rabbitmq-env.conf
    export RABBITMQ_ENABLED_PLUGINS_FILE=$d/etc/enabled_plugins
    export RABBITMQ_MNESIA_BASE=$d/mnesia
    export RABBITMQ_LOG_BASE=$d/log
    export RABBITMQ_PID_FILE=$d/rabbit.pid
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_ADDRESS=127.0.0.1
}

rctl() { # N ARGS...
    local n=$1
    shift
    (
        node_env "$n"
        command -v rabbitmqctl >/dev/null || export PATH="$PATH:/usr/sbin"
        timeout 60 rabbitmqctl -q -n "$(node_name "$n")" "$@"
    )
}

write_config() { # N
    local d
    d=$(node_dir "$1")
    mkdir -p "$d/etc" "$d/log" "$d/mnesia"
    printf '[rabbitmq_stomp,rabbitmq_web_stomp].\n' >"$d/etc/enabled_plugins"
    # A node that stops answering (SIGSTOP) is declared down after 2–2.5 s instead of about a
    # minute, so that the others elect new quorum queue leaders as fast as clients fail over.
    printf '[{kernel, [{net_ticktime, 2}]}].\n' >"$d/etc/advanced.config"
    : >"$d/etc/rabbitmq-env.conf"
    cat >"$d/etc/rabbitmq.conf" <<EOF
# Written by scripts/cluster.sh; changes are overwritten.
listeners.tcp.default = 127.0.0.1:$(amqp_port "$1")
loopback_users.guest = true
stomp.listeners.tcp.1 = 127.0.0.1:$(stomp_port "$1")
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $(ws_port "$1")
web_stomp.ws_frame = binary
log.file.level = info
log.console = false
# A node cut off from the others (frozen, then thawed) pauses until it sees them again,
# instead of going on as a partition of its own.
cluster_partition_handling = pause_minority
EOF
}

launch_node() { # N
    local d
    d=$(node_dir "$1")
    write_config "$1"
    chown -R rabbitmq:rabbitmq "$d"
    rm -f "$d/rabbit.pid"
    (
        node_env "$1"
        command -v rabbitmq-server >/dev/null || export PATH="$PATH:/usr/sbin"
        cd / && exec setsid rabbitmq-server </dev/null >>"$d/log/console.log" 2>&1
    ) &
    echo $! >"$d/launcher.sid"
}

node_running() { # N: the launcher's session or the VM is alive
    local d
    d=$(node_dir "$1")
    { [ -s "$d/launcher.sid" ] && [ -n "$(session_pids "$(cat "$d/launcher.sid")")" ]; } ||
        [ -n "$(node_pid "$1")" ]
}

wait_stomp() { # N...: until each answers STOMP
    local start=$SECONDS n
    for n in "$@"; do
        while ! stomp_up "$n"; do
            if ! node_running "$n" || [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
                printf '\nERROR: node %s did not answer STOMP within %ss (or exited)\n' \
                    "$(node_name "$n")" "$TIMEOUT" >&2
                tail -n 30 "$(node_dir "$n")/log/console.log" >&2 || true
                exit 1
            fi
            sleep 0.5
        done
    done
    sw_log "nodes $* answer STOMP after $((SECONDS - start))s"
}

stop_node() { # N
    local d pid sid=""
    d=$(node_dir "$1")
    pid=$(node_pid "$1")
    if [ -n "$pid" ]; then
        kill -CONT "$pid" 2>/dev/null || true
        sid=$(ps -o sid= -p "$pid" 2>/dev/null | tr -d ' ' || true)
        rctl "$1" stop "$d/rabbit.pid" >/dev/null 2>&1 || true
    fi
    stop_sessions "$(node_name "$1")" "$(cat "$d/launcher.sid" 2>/dev/null || true)" $sid
    rm -f "$d/launcher.sid" "$d/rabbit.pid"
}

ports_free_or_die() { # N...
    local n p who
    command -v ss >/dev/null || return 0
    for n in "$@"; do
        for p in "$(stomp_port "$n")" "$(ws_port "$n")" "$(amqp_port "$n")" "$(dist_port "$n")"; do
            who=$(ss -ltnpH "sport = :$p" 2>/dev/null || true)
            [ -z "$who" ] || sw_die "port $p is already in use:
$who"
        done
    done
}

# ---------------------------------------------------------------------------------------------
# Commands

cluster_start() {
    local n all_up=1
    for n in $NODES; do stomp_up "$n" || all_up=0; done
    if [ "$all_up" = 1 ] && joined && configured; then
        sw_log "cluster already up"
        return 0
    fi
    cluster_stop
    ports_free_or_die $NODES
    command -v rabbitmq-server >/dev/null || export PATH="$PATH:/usr/sbin"
    command -v rabbitmq-server >/dev/null ||
        sw_die "rabbitmq-server not installed (apt-get install rabbitmq-server)"
    sw_log "starting a 3-node RabbitMQ cluster (state in $CLUSTER_DIR)"
    local start=$SECONDS
    for n in $NODES; do
        rm -rf "$(node_dir "$n")/mnesia"
        launch_node "$n"
    done
    wait_stomp $NODES
    for n in 2 3; do
        {
            rctl "$n" stop_app && rctl "$n" reset && rctl "$n" join_cluster "$(node_name 1)" &&
                rctl "$n" start_app
        } >>"$(node_dir "$n")/log/join.log" 2>&1 ||
            sw_die "$(node_name "$n") did not join: $(tail -n 20 "$(node_dir "$n")/log/join.log")"
    done
    wait_stomp $NODES
    joined || sw_die "the nodes did not form one cluster: $(rctl 1 cluster_status 2>&1 | head -20)"
    sw_log "cluster up after $((SECONDS - start))s"
}

cluster_stop() {
    local n
    for n in $NODES; do
        if node_running "$n"; then
            sw_log "stopping $(node_name "$n")"
            stop_node "$n" &
        fi
    done
    wait
}

cluster_restart() {
    local n start=$SECONDS
    cluster_stop
    for n in $NODES; do launch_node "$n"; done
    wait_stomp $NODES
    sw_log "cluster restarted in $((SECONDS - start))s"
}

print_env() {
    cat <<EOF
export STOMPWIRE_CLUSTER_TCP=127.0.0.1:$(stomp_port 1),127.0.0.1:$(stomp_port 2),127.0.0.1:$(stomp_port 3)
export STOMPWIRE_CLUSTER_WS=ws://127.0.0.1:$(ws_port 1)/ws,ws://127.0.0.1:$(ws_port 2)/ws,ws://127.0.0.1:$(ws_port 3)/ws
export STOMPWIRE_CLUSTER_SCRIPT=$SCRIPT_DIR/cluster.sh
EOF
}

need_root() {
    [ "$(id -u)" -eq 0 ] || sw_die "cluster.sh runs the nodes as root (RabbitMQ drops to its own user)"
}

node_arg() {
    case "${1:-}" in
    1 | 2 | 3) ;;
    *) sw_die "a node number (1, 2 or 3) is needed" ;;
    esac
}

case "${1:-}" in
start)
    need_root
    sw_ensure_apt_packages rabbitmq-server procps iproute2
    mkdir -p "$CLUSTER_DIR"
    cluster_start
    ;;
stop)
    need_root
    cluster_stop
    ;;
restart)
    need_root
    cluster_restart
    ;;
kill)
    need_root
    node_arg "${2:-}"
    pid=$(running_pid "$2")
    [ -n "$pid" ] || sw_die "$(node_name "$2") is not running"
    kill -KILL "$pid"
    sw_log "killed $(node_name "$2") (pid $pid)"
    ;;
start-node)
    need_root
    node_arg "${2:-}"
    if ! stomp_up "$2"; then
        node_running "$2" && stop_node "$2"
        launch_node "$2"
        wait_stomp "$2"
    fi
    ;;
freeze | thaw)
    need_root
    node_arg "${2:-}"
    pid=$(running_pid "$2")
    [ -n "$pid" ] || sw_die "$(node_name "$2") is not running"
    if [ "$1" = freeze ]; then kill -STOP "$pid"; else kill -CONT "$pid"; fi
    sw_log "$1 $(node_name "$2") (pid $pid)"
    ;;
status)
    status=0
    for n in $NODES; do
        if stomp_up "$n"; then
            echo "$(node_name "$n"): up (STOMP $(stomp_port "$n"), WS $(ws_port "$n"))"
        else
            echo "$(node_name "$n"): down"
            status=1
        fi
    done
    if [ "$status" = 0 ]; then
        if joined; then echo "cluster: 3 nodes joined"; else
            echo "cluster: not joined"
            status=1
        fi
    fi
    exit $status
    ;;
env) print_env ;;
*)
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
