#!/usr/bin/env bash
# The test command: installs what it needs, checks, builds and tests everything.
#
#   scripts/test.sh            everything (CI runs this, through .ci/run)
#   scripts/test.sh --quick    everything but the libFuzzer run (no nightly, no cargo-fuzz)
#   scripts/test.sh --only tests,fuzz   the install stage, then only the stages named
#
# Stages:
#   install   rustfmt + clippy, targets thumbv7em-none-eabihf and thumbv6m-none-eabi, a pinned
#             nightly and cargo-fuzz (for the fuzz run), Debian's rabbitmq-server and activemq; each skipped when present
#             and the wasm toolchain (wasm-bindgen-cli, wasm-pack, npm binaryen, playwright-core,
#             Vite, Chromium + chromedriver)
#   lint      cargo fmt --check; clippy -D warnings (default features, --features cli,tokio, the
#             wasm32 target, the npm package's core on wasm32, and the async client on wasm32);
#             the same for the fuzz crate
#   no_std    the core built for thumbv7em-none-eabihf and thumbv6m-none-eabi, targets without std
#   docs      cargo doc -D warnings with every feature, natively and for wasm32 (the browser
#             module), as docs.rs builds them
#   brokers   scripts/brokers.sh start + check (RabbitMQ and ActiveMQ on loopback)
#   tests     cargo test --features cli,tokio (unit, integration and doc tests; the blocking and
#             the async native clients and the CLI against the brokers)
#   multicast scripts/netns-test.sh: UDP multicast tests inside a private network namespace
#   cluster   scripts/test-cluster.sh: fault injection on a 3-node RabbitMQ cluster (kill -9,
#             SIGSTOP of a node, a full restart; the native and the browser client with
#             receipts and acks)
#   browser   scripts/test-browser.sh: wasm tests in headless Chromium and Firefox (the browser
#             shell and the async client), the npm package in Node 20 and 22, pages, a worker
#             and four bundlers
#   demo      tests/demo/run.sh: the demo app in two tabs, reconnect included
#   fuzz      the decoder's and the session's invariants on stable (seed corpora + property
#             tests), then a bounded libFuzzer run of tests/fuzz's `decode` and `session`
#             targets, each on a copy of its seed corpus
# The last line is `test.sh: N passed, M failed`, summed over cargo test's "test result:" lines
# and the closing `NAME: N passed, M failed` line of each of the multicast, cluster, browser
# and demo stages.
#
# Environment:
#   STOMPWIRE_CACHE          tools, logs, cargo target dirs (default ~/.cache/stompwire)
#   CARGO_TARGET_DIR         default $STOMPWIRE_CACHE/target
#   STOMPWIRE_NIGHTLY        nightly for cargo-fuzz: a dated one, installed when missing
#                            (--profile minimal), so that the fuzz run is the same everywhere
#                            (default in scripts/lib/install.sh); if it cannot be had, an
#                            existing `nightly` is used with a warning; `none`: no nightly, and
#                            the stable property-test fallback runs instead, announced loudly
#   STOMPWIRE_FUZZ_SECONDS   length of each libFuzzer run (default 30)
#   STOMPWIRE_TEST_TIMEOUT   bound on each `cargo test` run, seconds (default 2400; none at a
#                            terminal)
#   STOMPWIRE_KEEP_BROKERS   with CI=true the brokers this run started are stopped at the end,
#                            unless this is 1 (outside CI they are left running for the next run)
#   and those of scripts/brokers.sh. The tests get STOMPWIRE_RABBIT_TCP, STOMPWIRE_RABBIT_TLS,
#   STOMPWIRE_RABBIT_WS, STOMPWIRE_ACTIVEMQ_TCP and STOMPWIRE_TLS_DIR (see brokers.sh env).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh

QUICK=0
ONLY=""
while [ $# -gt 0 ]; do
    arg=$1
    shift
    case $arg in
    --quick) QUICK=1 ;;
    --only)
        [ $# -gt 0 ] || sw_die "--only needs a list of stages (lint,no_std,docs,brokers,tests,multicast,cluster,browser,demo,fuzz)"
        ONLY=",$1,"
        shift
        ;;
    --only=*) ONLY=",${arg#--only=}," ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) sw_die "unknown argument '$arg' (try --help)" ;;
    esac
done

: "${CARGO_TARGET_DIR:=$STOMPWIRE_CACHE/target}"
export CARGO_TARGET_DIR
FUZZ_TARGET_DIR=${STOMPWIRE_FUZZ_TARGET_DIR:-$STOMPWIRE_CACHE/target-fuzz}
FUZZ_SECONDS=${STOMPWIRE_FUZZ_SECONDS:-30}
TEST_TIMEOUT=${STOMPWIRE_TEST_TIMEOUT:-2400}
FUZZ_DIR=tests/fuzz
FUZZ_MANIFEST=$FUZZ_DIR/Cargo.toml
export RUST_BACKTRACE=${RUST_BACKTRACE:-1}
# The features of every host build that runs tests: the CLI (and with it the blocking native
# client) and the async client on tokio. The multicast and cluster stages build with the same
# list, so they reuse the tests stage's build.
export STOMPWIRE_TEST_FEATURES=${STOMPWIRE_TEST_FEATURES:-cli,tokio}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

# This run's logs, in a folder of its own: two runs at once (say, from two checkouts) never
# mix their counts. The newest run's folder is also reachable as $SW_LOG_DIR/last-run.
RUN_LOG_DIR=$(mktemp -d "$SW_LOG_DIR/run.XXXXXX")
ln -sfn "$RUN_LOG_DIR" "$SW_LOG_DIR/last-run"
find "$SW_LOG_DIR" -maxdepth 1 -name 'run.*' -type d -mtime +2 -exec rm -rf {} + 2>/dev/null || true
TEST_LOG="$RUN_LOG_DIR/test-output.log"
: >"$TEST_LOG"
# The closing "NAME: N passed, M failed" lines of the stages that are not cargo test.
STAGE_SUMMARIES="$RUN_LOG_DIR/stage-summaries.log"
: >"$STAGE_SUMMARIES"
STARTED=$SECONDS
STAGE=setup
TESTS_RAN=0
BROKERS_STARTED_HERE=0
TMP_DIRS=()
FUZZ_NOTE=""

# stage NAME DESCRIPTION: announces a stage; false when --only leaves it out.
stage() {
    if [ -n "$ONLY" ] && [ "$1" != install ] && [[ $ONLY != *",$1,"* ]]; then
        printf '\n==== %s — skipped (--only) ====\n' "$1"
        return 1
    fi
    STAGE=$1
    printf '\n==== %s — %s  [%ss] ====\n' "$1" "$2" "$((SECONDS - STARTED))"
}

# Sums passed/failed/ignored over every "test result:" line of the cargo test runs, and the
# closing lines of the other stages.
summary_line() {
    awk '/^test result:/ {
            for (i = 2; i <= NF; i++) {
                if ($i ~ /^passed/) p += $(i - 1)
                if ($i ~ /^failed/) f += $(i - 1)
                if ($i ~ /^ignored/) s += $(i - 1)
            }
        }
        /^[A-Za-z.-]+: [0-9]+ passed, [0-9]+ failed/ {
            p += $2
            f += $4
        }
        END {
            line = sprintf("test.sh: %d passed, %d failed", p, f)
            if (s > 0) line = line sprintf(", %d skipped", s)
            print line
        }' "$TEST_LOG" "$STAGE_SUMMARIES"
}

# other_stage NAME CMD...: runs a test stage that is not cargo test; keeps its closing
# "NAME: N passed, M failed" line for the summary; returns the stage's status.
other_stage() {
    local name=$1 status=0 log="$RUN_LOG_DIR/stage-$1.log"
    shift
    TESTS_RAN=1
    "$@" 2>&1 | tee "$log" || status=$?
    grep -E '^[A-Za-z.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 >>"$STAGE_SUMMARIES" || true
    if [ "$status" -ne 0 ] && ! grep -qE '^[A-Za-z.-]+: [0-9]+ passed, [1-9][0-9]* failed' "$log"; then
        printf '%s: 0 passed, 1 failed\n' "$name" >>"$STAGE_SUMMARIES"
    fi
    return "$status"
}

on_exit() {
    local status=$?
    set +e
    for d in "${TMP_DIRS[@]}"; do rm -rf "$d"; done
    if [ "${CI:-}" = true ] && [ "$BROKERS_STARTED_HERE" = 1 ] && [ "${STOMPWIRE_KEEP_BROKERS:-0}" != 1 ]; then
        printf '\n==== stopping the brokers this run started ====\n'
        bash scripts/brokers.sh stop
    fi
    printf '\n'
    if [ "$status" -ne 0 ]; then
        printf 'test.sh: FAILED in stage "%s" (exit %s) after %ss\n' "$STAGE" "$status" \
            "$((SECONDS - STARTED))"
    else
        printf 'test.sh: all stages passed in %ss\n' "$((SECONDS - STARTED))"
    fi
    [ -z "$FUZZ_NOTE" ] || printf 'test.sh: NOTE: %s\n' "$FUZZ_NOTE"
    if [ "$TESTS_RAN" = 1 ]; then
        summary_line
    fi
    exit "$status"
}
trap on_exit EXIT

# cargo test with its output kept for the summary; returns cargo's status.
cargo_test() {
    TESTS_RAN=1
    local status=0 bound=(timeout -k 30 "$TEST_TIMEOUT")
    # At a terminal, no bound: timeout runs its command in a process group of its own, out of
    # reach of Ctrl-C.
    [ ! -t 0 ] || bound=()
    "${bound[@]}" cargo test "$@" 2>&1 | tee -a "$TEST_LOG" || status=$?
    if [ "$status" -eq 124 ]; then
        printf 'ERROR: cargo test %s ran longer than %ss (STOMPWIRE_TEST_TIMEOUT)\n' "$*" "$TEST_TIMEOUT"
    fi
    return "$status"
}

# ---------------------------------------------------------------------------------------------
stage install "toolchains, tools and broker packages (each skipped when present)"
command -v cargo >/dev/null && command -v rustup >/dev/null ||
    sw_die "cargo and rustup are needed (https://rustup.rs); nothing else has to be installed by hand"
sw_ensure_rustup_components rustfmt clippy
sw_ensure_rust_target thumbv7em-none-eabihf
sw_ensure_rust_target thumbv6m-none-eabi
SW_NIGHTLY=""
if [ "$QUICK" = 0 ]; then
    sw_ensure_nightly
    if [ -n "$SW_NIGHTLY" ]; then
        sw_ensure_cargo_tool cargo-fuzz cargo-fuzz '^0.13' 0.13
    fi
fi
sw_ensure_apt_packages rabbitmq-server activemq openssl procps iproute2
sw_ensure_wasm_toolchain
sw_log "rustc: $(rustc --version)"
if [ -n "$SW_NIGHTLY" ]; then
    sw_log "nightly: $(rustc "+$SW_NIGHTLY" --version) ($SW_NIGHTLY)"
    sw_log "cargo-fuzz: $(cargo-fuzz --version 2>/dev/null || echo '?')"
fi
sw_log "cache: $STOMPWIRE_CACHE; CARGO_TARGET_DIR=$CARGO_TARGET_DIR"

# ---------------------------------------------------------------------------------------------
if stage lint "rustfmt, clippy -D warnings, script syntax"; then
    for f in scripts/*.sh scripts/lib/*.sh .ci/run; do
        [ -f "$f" ] || continue
        bash -n "$f" || sw_die "syntax error in $f"
    done
    cargo fmt --all -- --check --color=never ||
        sw_die "cargo fmt: the code is not formatted (run cargo fmt --all)"
    # Without --all, which would take in the fuzz crate's path dependency (the main package).
    cargo fmt --manifest-path "$FUZZ_MANIFEST" -- --check --color=never ||
        sw_die "cargo fmt: $FUZZ_DIR is not formatted (cargo fmt --manifest-path $FUZZ_MANIFEST)"
    cargo clippy --all-targets -- -D warnings || sw_die "clippy (default features) found problems"
    cargo clippy --all-targets --features "$STOMPWIRE_TEST_FEATURES" -- -D warnings ||
        sw_die "clippy (--features $STOMPWIRE_TEST_FEATURES) found problems"
    cargo clippy --target wasm32-unknown-unknown --lib --test browser -- -D warnings ||
        sw_die "clippy (wasm32) found problems"
    cargo clippy --target wasm32-unknown-unknown --features client --lib --test async_browser \
        --example async_chat -- -D warnings ||
        sw_die "clippy (wasm32, the async client) found problems"
    cargo clippy --target wasm32-unknown-unknown --lib --no-default-features \
        --features std,small-alloc -- -D warnings ||
        sw_die "clippy (wasm32, the npm package's core: no web-client) found problems"
    CARGO_TARGET_DIR=$FUZZ_TARGET_DIR cargo clippy --manifest-path "$FUZZ_MANIFEST" \
        --no-default-features --all-targets -- -D warnings ||
        sw_die "clippy found problems in $FUZZ_DIR"
fi

# ---------------------------------------------------------------------------------------------
if stage no_std "the core builds for thumbv7em-none-eabihf and thumbv6m-none-eabi (no std; no atomic pointers)"; then
    # thumbv6m has no atomic read-modify-write: the core's shared ids are Rc there.
    for target in thumbv7em-none-eabihf thumbv6m-none-eabi; do
        cargo build --lib --no-default-features --target "$target" ||
            sw_die "the core does not build without std (cargo build --lib --no-default-features --target $target)"
    done
fi

# ---------------------------------------------------------------------------------------------
if stage docs "cargo doc -D warnings, every feature, native and wasm32"; then
    RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib --all-features ||
        sw_die "the docs do not build clean (RUSTDOCFLAGS='-D warnings' cargo doc --no-deps --lib --all-features)"
    RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib --all-features \
        --target wasm32-unknown-unknown ||
        sw_die "the wasm32 docs do not build clean (RUSTDOCFLAGS='-D warnings' cargo doc --no-deps --lib --all-features --target wasm32-unknown-unknown)"
fi

# ---------------------------------------------------------------------------------------------
if stage brokers "RabbitMQ and ActiveMQ on loopback"; then
    if ! bash scripts/brokers.sh status >/dev/null 2>&1; then
        BROKERS_STARTED_HERE=1
    fi
    bash scripts/brokers.sh start
    bash scripts/brokers.sh check
fi
eval "$(bash scripts/brokers.sh env)"

# ---------------------------------------------------------------------------------------------
if stage tests "cargo test --features $STOMPWIRE_TEST_FEATURES (unit, integration, doc tests)"; then
    env | grep '^STOMPWIRE_\(RABBIT\|ACTIVEMQ\|TLS\)' | sort | sed 's/^/  /'
    cargo_test --no-fail-fast --features "$STOMPWIRE_TEST_FEATURES" ||
        sw_die "cargo test --features $STOMPWIRE_TEST_FEATURES failed"
fi

# ---------------------------------------------------------------------------------------------
if stage multicast "UDP multicast inside a private network namespace"; then
    TESTS_RAN=1
    status=0
    bash scripts/netns-test.sh 2>&1 | tee -a "$TEST_LOG" || status=$?
    [ "$status" -eq 0 ] || sw_die "the multicast tests failed (scripts/netns-test.sh)"
fi

# ---------------------------------------------------------------------------------------------
if stage cluster "fault injection on a 3-node RabbitMQ cluster"; then
    other_stage cluster bash scripts/test-cluster.sh ||
        sw_die "the cluster stage failed (scripts/test-cluster.sh)"
fi

# ---------------------------------------------------------------------------------------------
if stage browser "wasm in headless Chromium and Firefox, the npm package in Node, pages, a worker and four bundlers"; then
    other_stage test-browser bash scripts/test-browser.sh ||
        sw_die "the browser stage failed (scripts/test-browser.sh)"
fi

# ---------------------------------------------------------------------------------------------
if stage demo "the demo app in two tabs"; then
    other_stage demo-test bash tests/demo/run.sh || sw_die "the demo test failed (tests/demo/run.sh)"
fi

# ---------------------------------------------------------------------------------------------
if stage fuzz "decoder and session invariants: seed corpora and property tests (stable), then libFuzzer"; then
    if [ "$QUICK" = 0 ] && [ -z "$SW_NIGHTLY" ]; then
        cat <<'EOF'

  ****************************************************************************************
  ***  NO NIGHTLY TOOLCHAIN: the libFuzzer run CANNOT run on this machine.             ***
  ***  FALLBACK: the same invariants run as property tests on stable, with more cases. ***
  ****************************************************************************************

EOF
        export PROPTEST_CASES=${PROPTEST_CASES:-20000}
        FUZZ_NOTE="NO libFuzzer run (no nightly toolchain); the stable property-test fallback ran instead"
    fi
    CARGO_TARGET_DIR=$FUZZ_TARGET_DIR cargo_test --manifest-path "$FUZZ_MANIFEST" --no-default-features ||
        sw_die "fuzz invariants (decoder, session) failed in $FUZZ_DIR (stable property tests)"

    if [ "$QUICK" = 1 ]; then
        sw_log "libFuzzer run skipped (--quick)"
    elif [ -n "$SW_NIGHTLY" ]; then
        for target in decode session; do
            corpus=$(mktemp -d "${TMPDIR:-/tmp}/stompwire-corpus.XXXXXX")
            TMP_DIRS+=("$corpus")
            # The run adds what it finds to a copy, never to the committed seed corpus.
            cp "$FUZZ_DIR/corpus/$target/"* "$corpus/"
            dict=()
            [ ! -f "$FUZZ_DIR/$target.dict" ] || dict=(-dict="$FUZZ_DIR/$target.dict")
            fuzz_log="$RUN_LOG_DIR/fuzz-$target.log"
            sw_log "cargo +$SW_NIGHTLY fuzz run $target for ${FUZZ_SECONDS}s (log: $fuzz_log)"
            status=0
            CARGO_TARGET_DIR=$FUZZ_TARGET_DIR cargo "+$SW_NIGHTLY" fuzz run --fuzz-dir "$FUZZ_DIR" \
                "$target" "$corpus" -- -max_total_time="$FUZZ_SECONDS" "${dict[@]}" \
                -timeout=10 -print_final_stats=1 >"$fuzz_log" 2>&1 || status=$?
            if [ "$status" -ne 0 ]; then
                tail -n 60 "$fuzz_log"
                find "$FUZZ_DIR/artifacts/$target" -type f 2>/dev/null | sed 's/^/  artifact: /'
                sw_die "the $target fuzz run failed (reproduce: cargo +$SW_NIGHTLY fuzz run --fuzz-dir $FUZZ_DIR $target ARTIFACT)"
            fi
            grep -E '^Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb' "$fuzz_log" |
                sed 's/^/  /'
            sw_log "$target corpus grew from $(find "$FUZZ_DIR/corpus/$target" -type f | wc -l) to" \
                "$(find "$corpus" -type f | wc -l) inputs (the copy is discarded)"
        done
    fi
fi
