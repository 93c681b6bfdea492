#!/usr/bin/env bash
# The brokers the integration tests talk to, on loopback only.
#
#   scripts/brokers.sh start              start both (idempotent; waits until STOMP answers)
#   scripts/brokers.sh stop               stop both
#   scripts/brokers.sh status             one line per broker; exit 1 unless both are healthy
#   scripts/brokers.sh check              STOMP 1.0/1.1/1.2 on every port; TLS with the right
#                                         CA and refusal with another CA
#   scripts/brokers.sh restart-rabbit     stop and start RabbitMQ, keeping its data
#   scripts/brokers.sh close-connections  RabbitMQ drops every client connection
#   scripts/brokers.sh env                `export` lines for the tests' variables
#                                         (eval "$(scripts/brokers.sh env)")
#
# RabbitMQ (Debian's 3.10, node rabbit@localhost):
#   STOMP 127.0.0.1:61613, STOMP over TLS 127.0.0.1:61614 (verify_none), Web-STOMP
#   ws://127.0.0.1:15674/ws (binary WebSocket frames), AMQP 127.0.0.1:5672; guest/guest, vhost /.
# ActiveMQ (Debian's 5.17): STOMP 127.0.0.1:61633, and nothing else.
#
# State and logs live in $STOMPWIRE_BROKER_DIR (default /var/tmp/stompwire-brokers: the brokers
# listen on machine-wide ports, so their state is machine-wide too, and RabbitMQ runs as the
# `rabbitmq` user, which cannot enter a 0700 home directory). A cold `start` wipes the brokers'
# stored messages; certificates are kept (and remade when missing or about to expire):
#   tls/ca.pem, ca-key.pem             the CA that signed the server and client certificates
#   tls/server.pem, server-key.pem     CN=localhost, SAN DNS:localhost, IP:127.0.0.1
#   tls/client.pem, client-key.pem     a client certificate from the same CA
#   tls/other-ca.pem, other-ca-key.pem a second CA that signed nothing here
#
# Environment: STOMPWIRE_BROKER_DIR, STOMPWIRE_BROKER_TIMEOUT (seconds to wait for a broker
# to come up, default 120), STOMPWIRE_BROKERS_KEEP_DATA=1 (a cold start keeps stored messages).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/install.sh
source "$SCRIPT_DIR/lib/install.sh"
# shellcheck source=scripts/lib/sessions.sh
source "$SCRIPT_DIR/lib/sessions.sh"

BROKER_DIR=${STOMPWIRE_BROKER_DIR:-/var/tmp/stompwire-brokers}
TIMEOUT=${STOMPWIRE_BROKER_TIMEOUT:-120}
TLS_DIR=$BROKER_DIR/tls
RDIR=$BROKER_DIR/rabbit
ADIR=$BROKER_DIR/activemq

RABBIT_NODE=rabbit@localhost
RABBIT_STOMP=61613
RABBIT_STOMPS=61614
RABBIT_WS=15674
RABBIT_AMQP=5672
RABBIT_DIST=25672
AMQ_STOMP=61633

# ---------------------------------------------------------------------------------------------
# Probes (bash and openssl only)

# A printf format (text, with \n and \0 escapes) of the CONNECT frame for a version; 1.0 sends
# no accept-version.
connect_fmt() {
    local accept=""
    [ "$1" = 1.0 ] || accept="accept-version:$1\\n"
    printf '%s' "CONNECT\\n${accept}host:/\\nlogin:guest\\npasscode:guest\\n\\n\\0"
}

# Whether a reply (the first frame, without its NUL) is a CONNECTED for version $2.
connected_for() {
    local reply=$1 version=$2 got
    grep -q '^CONNECTED$' <<<"$reply" || return 1
    got=$(sed -n 's/^version://p' <<<"$reply" | head -n1)
    [ "$got" = "$version" ] || { [ "$version" = 1.0 ] && [ -z "$got" ]; }
}

# stomp_tcp PORT VERSION: sends CONNECT, prints the first frame of the reply, then says
# DISCONNECT and closes.
stomp_tcp() {
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "$2" >&3
        IFS= read -r -d "" reply <&3 || exit 1
        printf "%s\n" "$reply"
        printf "DISCONNECT\n\n\0" >&3' _ "$1" "$(connect_fmt "$2")" 2>/dev/null | tr -d '\r' || true
}

# stomp_tls PORT VERSION CAFILE: prints the reply, or the TLS error. The DISCONNECT asks for a
# receipt, after which the broker closes the connection.
stomp_tls() {
    # shellcheck disable=SC2059
    { printf "$(connect_fmt "$2")"; printf 'DISCONNECT\nreceipt:probe\n\n\0'; } |
        timeout 8 openssl s_client -connect "127.0.0.1:$1" -servername localhost -CAfile "$3" \
            -verify_return_error -verify_hostname localhost -quiet -ign_eof 2>&1 |
        tr '\0' '\n' | tr -d '\r' || true
}

# A printf format for one masked WebSocket binary frame (mask 0, so the payload goes as it
# is) holding the output of format $1 (shorter than 126 bytes).
ws_frame_fmt() {
    local len
    # shellcheck disable=SC2059
    len=$(printf "$1" | wc -c)
    printf '\\x82\\x%02x\\0\\0\\0\\0%s' $((128 + len)) "$1"
}

# stomp_ws PORT VERSION: the WebSocket handshake (subprotocol vNN.stomp), then CONNECT in a
# binary frame; prints the first STOMP frame of the reply, then sends DISCONNECT.
stomp_ws() {
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUpgrade: websocket\r\n" "$1" >&3
        printf "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" >&3
        printf "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n" "$2" >&3
        IFS= read -r status <&3 || exit 1
        case $status in "HTTP/1.1 101 "*) ;; *) echo "handshake: $status"; exit 1 ;; esac
        while IFS= read -r line <&3 && [ "$line" != $'"'"'\r'"'"' ]; do :; done
        printf "$3" >&3
        IFS= read -r -d "" reply <&3 || exit 1
        printf "%s\n" "$reply"
        printf "$4" >&3' _ "$1" "v${2/./}.stomp" "$(ws_frame_fmt "$(connect_fmt "$2")")" \
        "$(ws_frame_fmt 'DISCONNECT\n\n\0')" 2>/dev/null | tr -d '\r' |
        LC_ALL=C sed -E '1s/^.*(CONNECTED|ERROR)$/\1/' || true
}

port_open() {
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

rabbit_healthy() {
    connected_for "$(stomp_tcp $RABBIT_STOMP 1.2)" 1.2 &&
        [ -f "$TLS_DIR/ca.pem" ] &&
        connected_for "$(stomp_tls $RABBIT_STOMPS 1.2 "$TLS_DIR/ca.pem")" 1.2 &&
        connected_for "$(stomp_ws $RABBIT_WS 1.2)" 1.2 &&
        port_open $RABBIT_AMQP
}

amq_healthy() {
    connected_for "$(stomp_tcp $AMQ_STOMP 1.2)" 1.2
}

# ---------------------------------------------------------------------------------------------
# Processes. Each broker is started in a session of its own (setsid); the session id is kept
# in a file, so that `stop` ends exactly the processes this script started. (RabbitMQ's
# wrapper runs the node through `su`, which opens one more session: that one is found from the
# node's pid file.)

sid_file_alive() { # FILE holding a session id
    [ -s "$1" ] && [ -n "$(session_pids "$(cat "$1")")" ]
}

# launch SID_FILE LOG DIR CMD...: starts CMD detached, in a new session, stdin from /dev/null
# and output to LOG (nothing holds the caller's stdout open).
launch() {
    local file=$1 log=$2 dir=$3
    shift 3
    (cd "$dir" && exec setsid "$@" </dev/null >>"$log" 2>&1) &
    echo $! >"$file"
}

# Fails with the listener's identity when something else holds one of our ports.
ports_free_or_die() {
    local p who
    command -v ss >/dev/null || return 0
    for p in "$@"; do
        who=$(ss -ltnpH "sport = :$p" 2>/dev/null || true)
        [ -z "$who" ] || sw_die "port $p is already in use, by something that does not answer as expected:
$who"
    done
}

# wait_until NAME SID_FILE HEALTH_FN STOP_FN LOG...: waits until HEALTH_FN succeeds; when the
# broker exits or TIMEOUT passes, shows the logs' tails, stops what is left (so that the next
# `start` begins clean) and fails.
wait_until() {
    local name=$1 file=$2 fn=$3 stop_fn=$4 start=$SECONDS log
    shift 4
    while ! "$fn"; do
        if ! sid_file_alive "$file" || [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
            if sid_file_alive "$file"; then
                printf '\nERROR: %s did not answer STOMP within %ss\n' "$name" "$TIMEOUT" >&2
            else
                printf '\nERROR: %s exited during start-up\n' "$name" >&2
            fi
            for log in "$@"; do
                [ -f "$log" ] || continue
                printf -- '--- last lines of %s ---\n' "$log" >&2
                tail -n 30 "$log" >&2
            done
            "$stop_fn" >&2
            exit 1
        fi
        sleep 1
    done
    sw_log "$name up after $((SECONDS - start))s"
}

# ---------------------------------------------------------------------------------------------
# Certificates

certs_ok() {
    local f
    for f in ca.pem ca-key.pem server.pem server-key.pem client.pem client-key.pem other-ca.pem \
        other-ca-key.pem; do
        [ -s "$TLS_DIR/$f" ] || return 1
    done
    openssl x509 -checkend 604800 -noout -in "$TLS_DIR/server.pem" >/dev/null 2>&1 &&
        openssl x509 -checkend 604800 -noout -in "$TLS_DIR/ca.pem" >/dev/null 2>&1
}

make_certs() {
    certs_ok && return 0
    sw_log "making test certificates in $TLS_DIR"
    rm -rf "$TLS_DIR"
    mkdir -p "$TLS_DIR"
    local d=$TLS_DIR
    (
        cd "$d"
        set -e
        ca() { # NAME SUBJECT
            openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$1-key.pem" \
                -out "$1.pem" -subj "$2" -addext basicConstraints=critical,CA:TRUE \
                -addext keyUsage=critical,keyCertSign,cRLSign
        }
        leaf() { # NAME SUBJECT EXTENSIONS
            openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1-key.pem" -out "$1.csr" -subj "$2"
            printf '%b' "$3" >"$1.ext"
            openssl x509 -req -sha256 -days 3650 -in "$1.csr" -CA ca.pem -CAkey ca-key.pem \
                -set_serial "0x$(openssl rand -hex 8)" -extfile "$1.ext" -out "$1.pem"
            rm -f "$1.csr" "$1.ext"
        }
        ca ca "/CN=stompwire test CA"
        ca other-ca "/CN=stompwire other test CA"
        leaf server "/CN=localhost" \
            'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n'
        leaf client "/CN=stompwire test client" \
            'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'
        openssl verify -CAfile ca.pem server.pem client.pem
    ) >"$BROKER_DIR/certs.log" 2>&1 || {
        tail -n 20 "$BROKER_DIR/certs.log" >&2
        sw_die "making certificates failed"
    }
    chmod 755 "$d"
    chmod 644 "$d"/*.pem
    chmod 640 "$d"/*-key.pem
    chown -R rabbitmq:rabbitmq "$d"
}

# ---------------------------------------------------------------------------------------------
# RabbitMQ

rabbit_env() {
    export RABBITMQ_NODENAME=$RABBIT_NODE
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$RABBIT_AMQP
    export RABBITMQ_DIST_PORT=$RABBIT_DIST
    export RABBITMQ_CONFIG_FILE=$RDIR/etc/rabbitmq
    export RABBITMQ_ADVANCED_CONFIG_FILE=$RDIR/etc/advanced.config
    export RABBITMQ_CONF_ENV_FILE=$RDIR/etc/rabbitmq-env.conf
    export RABBITMQ_ENABLED_PLUGINS_FILE=$RDIR/etc/enabled_plugins
    export RABBITMQ_MNESIA_BASE=$RDIR/mnesia
    export RABBITMQ_LOG_BASE=$RDIR/log
    export RABBITMQ_PID_FILE=$RDIR/rabbit.pid
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_ADDRESS=127.0.0.1
}

rctl() {
    rabbit_env
    timeout 60 rabbitmqctl -q -n "$RABBIT_NODE" "$@"
}

rabbit_write_config() {
    mkdir -p "$RDIR/etc" "$RDIR/log" "$RDIR/mnesia"
    printf '[rabbitmq_stomp,rabbitmq_web_stomp].\n' >"$RDIR/etc/enabled_plugins"
    printf '[].\n' >"$RDIR/etc/advanced.config"
    : >"$RDIR/etc/rabbitmq-env.conf"
    cat >"$RDIR/etc/rabbitmq.conf" <<EOF
# Written by scripts/brokers.sh; changes are overwritten.
listeners.tcp.default = 127.0.0.1:$RABBIT_AMQP
loopback_users.guest = true
stomp.listeners.tcp.1 = 127.0.0.1:$RABBIT_STOMP
stomp.listeners.ssl.1 = 127.0.0.1:$RABBIT_STOMPS
ssl_options.cacertfile = $TLS_DIR/ca.pem
ssl_options.certfile = $TLS_DIR/server.pem
ssl_options.keyfile = $TLS_DIR/server-key.pem
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $RABBIT_WS
web_stomp.ws_frame = binary
log.file.level = info
log.console = false
EOF
}

rabbit_start() { # [keep]: keep stored messages
    local keep=${1:-${STOMPWIRE_BROKERS_KEEP_DATA:-0}}
    if rabbit_healthy; then
        sw_log "RabbitMQ already up"
        return 0
    fi
    if sid_file_alive "$RDIR/launcher.sid"; then
        sw_log "RabbitMQ is running but not answering yet; waiting"
        local start=$SECONDS
        while [ $((SECONDS - start)) -lt "$TIMEOUT" ] && sid_file_alive "$RDIR/launcher.sid"; do
            rabbit_healthy && return 0
            sleep 1
        done
        sw_warn "RabbitMQ not healthy; restarting it"
        rabbit_stop
    fi
    ports_free_or_die $RABBIT_STOMP $RABBIT_STOMPS $RABBIT_WS $RABBIT_AMQP $RABBIT_DIST
    command -v rabbitmq-server >/dev/null || export PATH="$PATH:/usr/sbin"
    command -v rabbitmq-server >/dev/null ||
        sw_die "rabbitmq-server not installed (apt-get install rabbitmq-server)"
    mkdir -p "$BROKER_DIR"
    make_certs
    if [ "$keep" != 1 ]; then
        rm -rf "$RDIR/mnesia"
    fi
    rabbit_write_config
    chown -R rabbitmq:rabbitmq "$RDIR"
    rabbit_env
    sw_log "starting RabbitMQ ($RABBIT_NODE, state in $RDIR)"
    launch "$RDIR/launcher.sid" "$RDIR/log/console.log" / rabbitmq-server
    wait_until RabbitMQ "$RDIR/launcher.sid" rabbit_healthy rabbit_stop "$RDIR/log/console.log" \
        "$RDIR/log/$RABBIT_NODE.log"
}

rabbit_stop() {
    local node_sid="" pid
    pid=$(cat "$RDIR/rabbit.pid" 2>/dev/null || true)
    # Only a node started from this directory (a pid file can outlive its process).
    if [ -n "$pid" ] && tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null |
        grep -qxF "RABBITMQ_PID_FILE=$RDIR/rabbit.pid"; then
        node_sid=$(ps -o sid= -p "$pid" 2>/dev/null | tr -d ' ' || true)
    fi
    if sid_file_alive "$RDIR/launcher.sid" || [ -n "$node_sid" ]; then
        sw_log "stopping RabbitMQ"
        [ -z "$node_sid" ] || rctl stop "$RDIR/rabbit.pid" >/dev/null 2>&1 || true
        stop_sessions RabbitMQ "$(cat "$RDIR/launcher.sid" 2>/dev/null || true)" $node_sid
    fi
    rm -f "$RDIR/launcher.sid" "$RDIR/rabbit.pid"
}

# ---------------------------------------------------------------------------------------------
# ActiveMQ

amq_write_config() {
    mkdir -p "$ADIR/conf" "$ADIR/data" "$ADIR/tmp"
    cp /etc/activemq/instances-available/main/log4j2.properties "$ADIR/conf/" 2>/dev/null || true
    cat >"$ADIR/conf/activemq.xml" <<EOF
<!-- Written by scripts/brokers.sh; changes are overwritten. Only a STOMP connector. -->
<beans
  xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">

    <bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer"/>

    <broker xmlns="http://activemq.apache.org/schema/core"
            useJmx="false"
            brokerName="stompwire-test"
            dataDirectory="\${activemq.data}">
        <persistenceAdapter>
            <kahaDB directory="\${activemq.data}/kahadb"/>
        </persistenceAdapter>
        <transportConnectors>
            <transportConnector name="stomp" uri="stomp://127.0.0.1:$AMQ_STOMP"/>
        </transportConnectors>
    </broker>
</beans>
EOF
}

amq_start() { # [keep]
    local keep=${1:-${STOMPWIRE_BROKERS_KEEP_DATA:-0}}
    if amq_healthy; then
        sw_log "ActiveMQ already up"
        return 0
    fi
    if sid_file_alive "$ADIR/launcher.sid"; then
        sw_log "ActiveMQ is running but not answering yet; waiting"
        local start=$SECONDS
        while [ $((SECONDS - start)) -lt "$TIMEOUT" ] && sid_file_alive "$ADIR/launcher.sid"; do
            amq_healthy && return 0
            sleep 1
        done
        sw_warn "ActiveMQ not healthy; restarting it"
        amq_stop
    fi
    ports_free_or_die $AMQ_STOMP
    [ -x /usr/bin/activemq ] || sw_die "activemq not installed (apt-get install activemq)"
    if [ "$keep" != 1 ]; then
        rm -rf "$ADIR/data"
    fi
    rm -rf "$ADIR/tmp"
    amq_write_config
    sw_log "starting ActiveMQ (state in $ADIR)"
    # ACTIVEMQ_USER=root: else the wrapper switches to the activemq user, which cannot use
    # these directories. The wrapper starts java in the background with a pid file.
    rm -f "$ADIR/activemq.pid"
    launch "$ADIR/launcher.sid" "$ADIR/console.log" "$ADIR" \
        env -u INSTANCE ACTIVEMQ_USER=root ACTIVEMQ_HOME=/usr/share/activemq ACTIVEMQ_BASE="$ADIR" \
        ACTIVEMQ_CONF="$ADIR/conf" ACTIVEMQ_DATA="$ADIR/data" ACTIVEMQ_TMP="$ADIR/tmp" \
        ACTIVEMQ_PIDFILE="$ADIR/activemq.pid" \
        /usr/bin/activemq console "xbean:file:$ADIR/conf/activemq.xml"
    wait_until ActiveMQ "$ADIR/launcher.sid" amq_healthy amq_stop "$ADIR/console.log" \
        "$ADIR/data/activemq.log"
}

amq_stop() {
    if sid_file_alive "$ADIR/launcher.sid"; then
        sw_log "stopping ActiveMQ"
        stop_sessions ActiveMQ "$(cat "$ADIR/launcher.sid")"
    fi
    rm -f "$ADIR/launcher.sid" "$ADIR/activemq.pid"
}

# ---------------------------------------------------------------------------------------------
# check: the protocol matrix

check() {
    local fails=0 v reply name port
    expect() { # DESCRIPTION REPLY VERSION
        if connected_for "$2" "$3"; then
            printf '  ok    %s\n' "$1"
        else
            printf '  FAIL  %s; got:\n%s\n' "$1" "$(head -n 8 <<<"$2" | sed 's/^/        /')"
            fails=$((fails + 1))
        fi
    }
    for v in 1.0 1.1 1.2; do
        for name in "RabbitMQ:$RABBIT_STOMP" "ActiveMQ:$AMQ_STOMP"; do
            port=${name#*:}
            expect "${name%%:*} STOMP $v on 127.0.0.1:$port" "$(stomp_tcp "$port" $v)" $v
        done
        expect "RabbitMQ Web-STOMP $v on ws://127.0.0.1:$RABBIT_WS/ws" "$(stomp_ws $RABBIT_WS $v)" $v
    done
    expect "RabbitMQ STOMP over TLS on 127.0.0.1:$RABBIT_STOMPS, ca.pem" \
        "$(stomp_tls $RABBIT_STOMPS 1.2 "$TLS_DIR/ca.pem")" 1.2
    reply=$(stomp_tls $RABBIT_STOMPS 1.2 "$TLS_DIR/other-ca.pem")
    if grep -q '^CONNECTED' <<<"$reply" || ! grep -qi 'verify' <<<"$reply"; then
        printf '  FAIL  TLS with other-ca.pem should fail verification; got:\n%s\n' "$(head -n 8 <<<"$reply")"
        fails=$((fails + 1))
    else
        printf '  ok    RabbitMQ TLS refused with other-ca.pem (%s)\n' \
            "$(grep -i -m1 'verify' <<<"$reply" | tr -s ' ' | cut -c1-60)"
    fi
    if port_open $RABBIT_AMQP; then
        printf '  ok    RabbitMQ AMQP port 127.0.0.1:%s open\n' $RABBIT_AMQP
    else
        printf '  FAIL  RabbitMQ AMQP port 127.0.0.1:%s closed\n' $RABBIT_AMQP
        fails=$((fails + 1))
    fi
    [ "$fails" -eq 0 ] || sw_die "broker check: $fails failure(s)"
}

print_env() {
    cat <<EOF
export STOMPWIRE_RABBIT_TCP=127.0.0.1:$RABBIT_STOMP
export STOMPWIRE_RABBIT_TLS=127.0.0.1:$RABBIT_STOMPS
export STOMPWIRE_RABBIT_WS=ws://127.0.0.1:$RABBIT_WS/ws
export STOMPWIRE_ACTIVEMQ_TCP=127.0.0.1:$AMQ_STOMP
export STOMPWIRE_TLS_DIR=$TLS_DIR
EOF
}

need_root() {
    [ "$(id -u)" -eq 0 ] || sw_die "brokers.sh runs the brokers as root (RabbitMQ drops to its own user)"
}

case "${1:-}" in
start)
    need_root
    sw_ensure_apt_packages rabbitmq-server activemq openssl procps
    rabbit_start
    amq_start
    ;;
stop)
    need_root
    rabbit_stop
    amq_stop
    ;;
restart-rabbit)
    need_root
    rabbit_stop
    rabbit_start 1
    ;;
close-connections)
    need_root
    rctl close_all_connections "test"
    ;;
status)
    status=0
    if rabbit_healthy; then echo "RabbitMQ: up (STOMP $RABBIT_STOMP, TLS $RABBIT_STOMPS, WS $RABBIT_WS, AMQP $RABBIT_AMQP)"; else
        echo "RabbitMQ: down"
        status=1
    fi
    if amq_healthy; then echo "ActiveMQ: up (STOMP $AMQ_STOMP)"; else
        echo "ActiveMQ: down"
        status=1
    fi
    exit $status
    ;;
check) check ;;
env) print_env ;;
*)
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
